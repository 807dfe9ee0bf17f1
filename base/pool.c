/*
 * pool.c — fixed-size records from slabs, a free list for those given
 * back (see pool.h).
 */
#include "base/pool.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

enum { POOL_SLAB_BYTES = 64 * 1024, POOL_MAPPED_SLAB_BYTES = 256 * 1024 };

void pool_init(pool *p, size_t size, size_t per_slab)
{
	if (size < sizeof(void *))
		size = sizeof(void *);
	size = (size + 7) & ~(size_t)7;
	*p = (pool){ .size = size };
	p->per_slab = per_slab ? per_slab : MAX(POOL_SLAB_BYTES / size, 1);
}

static size_t page_round(size_t n)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	return (n + page - 1) / page * page;
}

void pool_init_mapped(pool *p, size_t size, size_t min_slab_bytes)
{
	pool_init(p, size, 1);
	size_t want = min_slab_bytes ? min_slab_bytes : POOL_MAPPED_SLAB_BYTES;
	size_t bytes = page_round(MAX(want, sizeof(pool_slab) + p->size));
	p->per_slab = (bytes - sizeof(pool_slab)) / p->size;
	p->mapped = true;
}

/* The mapping's length: what pool_init_mapped rounded to pages. */
static size_t slab_bytes(const pool *p)
{
	return page_round(sizeof(pool_slab) + p->per_slab * p->size);
}

static pool_slab *slab_new(const pool *p)
{
	if (!p->mapped)
		return g_malloc(sizeof(pool_slab) + p->per_slab * p->size);
	void *m = mmap(NULL, slab_bytes(p), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		g_error("%s: failed to map %zu bytes", G_STRLOC, slab_bytes(p));
	return m;
}

void pool_clear(pool *p)
{
	for (pool_slab *s = p->slabs, *next; s; s = next) {
		next = s->next;
		POOL_UNPOISON(s->align, s->n * p->size);
		if (p->mapped)
			munmap(s, slab_bytes(p));
		else
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
		pool_slab *s = slab_new(p);
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

void *pool_alloc0(pool *p)
{
	return memset(pool_alloc(p), 0, p->size);
}

void pool_free(pool *p, void *rec)
{
	if (!rec)
		return;
	*(void **)rec = p->free;
	p->free = rec;
	POOL_POISON(rec, p->size);
}
