#include "arena.h"

#include <glib.h>
#include <string.h>

struct arena_chunk {
	arena_chunk *next;
	size_t size;
	size_t used;
	_Alignas(16) uint8_t data[];
};

enum { ARENA_DEFAULT_CHUNK = 1u << 20 };

void arena_init(arena *a, size_t chunk_size)
{
	memset(a, 0, sizeof(*a));
	a->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT_CHUNK;
	a->first_chunk = a->chunk_size;
}

void arena_init_growing(arena *a, size_t first, size_t chunk_size)
{
	arena_init(a, chunk_size);
	if (first && first < a->chunk_size)
		a->first_chunk = first;
}

/* The size of the next regular chunk: the first, then all so far, up to
 * chunk_size. */
static size_t next_chunk(const arena *a)
{
	size_t size = a->bytes_reserved > a->first_chunk ? a->bytes_reserved : a->first_chunk;
	return size < a->chunk_size ? size : a->chunk_size;
}

void arena_free(arena *a)
{
	arena_chunk *c = a->head;
	while (c) {
		arena_chunk *next = c->next;
		g_free(c);
		c = next;
	}
	a->head = NULL;
	a->bytes_used = 0;
	a->bytes_reserved = 0;
}

void *arena_alloc(arena *a, size_t n)
{
	size_t need = (n + 7) & ~(size_t)7;
	if (need < n)
		g_error("arena: allocation size overflow");
	arena_chunk *c = a->head;
	if (!c || c->size - c->used < need) {
		/* An allocation larger than a chunk gets a chunk of its own,
		 * placed behind the current one so the current keeps filling.
		 * A growing arena takes a larger chunk first. */
		size_t size = next_chunk(a);
		while (size < need && size < a->chunk_size)
			size = size * 2 < a->chunk_size ? size * 2 : a->chunk_size;
		if (need > size)
			size = need;
		arena_chunk *nc = g_malloc(sizeof(*nc) + size);
		nc->size = size;
		nc->used = 0;
		a->bytes_reserved += size;
		if (c && need > a->chunk_size) {
			nc->next = c->next;
			c->next = nc;
		} else {
			nc->next = c;
			a->head = nc;
		}
		c = nc;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->bytes_used += n;
	return p;
}

uint8_t *arena_copy(arena *a, const void *src, size_t n)
{
	uint8_t *p = arena_alloc(a, n);
	if (n)
		memcpy(p, src, n);
	return p;
}

bool arena_contains(const arena *a, const void *p)
{
	const uint8_t *b = p;
	for (const arena_chunk *c = a->head; c; c = c->next)
		if (b >= c->data && b < c->data + c->size)
			return true;
	return false;
}

void arena_take(arena *to, arena *from)
{
	arena_free(to);
	*to = *from;
	arena_init_growing(from, to->first_chunk, to->chunk_size);
}
