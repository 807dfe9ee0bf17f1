/*
 * pool.c — fixed-size records from slabs, a free list for those given
 * back (see pool.h).
 */
#include "base/pool.h"

#include <glib.h>
#include <stdint.h>

/* Under AddressSanitizer a record given back, and the part of a slab not
 * handed out yet, are poisoned: a use after pool_free is reported as a
 * use after free would be. */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifdef POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POOL_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define POOL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POOL_POISON(p, n) ((void)(p), (void)(n))
#define POOL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct pool_slab {
	pool_slab *next;
	size_t n;             /* records */
	max_align_t align[];  /* records start here */
};

enum { POOL_SLAB_BYTES = 64 * 1024 };

void pool_init(pool *p, size_t size, size_t per_slab)
{
	if (size < sizeof(void *))
		size = sizeof(void *);
	size = (size + 7) & ~(size_t)7;
	*p = (pool){ .size = size };
	p->per_slab = per_slab ? per_slab : MAX(POOL_SLAB_BYTES / size, 1);
}

void pool_clear(pool *p)
{
	for (pool_slab *s = p->slabs, *next; s; s = next) {
		next = s->next;
		POOL_UNPOISON(s->align, s->n * p->size);
		g_free(s);
	}
	p->slabs = NULL;
	p->free = NULL;
	p->fresh = 0;
}

void *pool_alloc(pool *p)
{
	void *r = p->free;
	if (r) {
		POOL_UNPOISON(r, p->size);
		p->free = *(void **)r;
		return r;
	}
	if (p->fresh == 0) {
		pool_slab *s = g_malloc(sizeof(*s) + p->per_slab * p->size);
		s->n = p->per_slab;
		s->next = p->slabs;
		p->slabs = s;
		p->fresh = s->n;
		POOL_POISON(s->align, s->n * p->size);
	}
	pool_slab *s = p->slabs;
	r = (uint8_t *)s->align + (s->n - p->fresh) * p->size;
	p->fresh--;
	POOL_UNPOISON(r, p->size);
	return r;
}

void pool_free(pool *p, void *rec)
{
	if (!rec)
		return;
	*(void **)rec = p->free;
	p->free = rec;
	POOL_POISON(rec, p->size);
}
