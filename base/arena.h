/*
 * arena.h — append-only memory for bytes that have no single home in the
 * capture: reassembled IP fragments, TCP messages spanning segments,
 * unmasked WebSocket payloads, records read from a stream (stdin).
 *
 * Memory comes in large chunks; one allocation never moves, so views into it
 * stay valid until arena_free().  Nothing is freed one object at a time.
 */
#ifndef SIPSCOPE_BASE_ARENA_H
#define SIPSCOPE_BASE_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
	arena_chunk *head;     /* chunk being filled; older ones follow ->next */
	size_t chunk_size;     /* default size of a new chunk (the largest, when growing) */
	size_t first_chunk;    /* size of the first chunk: chunk_size unless growing */
	size_t bytes_used;     /* sum of allocations handed out */
	size_t bytes_reserved; /* sum of chunk sizes */
} arena;

/* chunk_size 0 picks the default (1 MiB). */
void arena_init(arena *a, size_t chunk_size);
/* An arena whose first chunk is first bytes and each next one as large as
 * all before it together, up to chunk_size: for the many small arenas
 * that mostly hold a few hundred bytes (a call's keys) but may hold far
 * more. */
void arena_init_growing(arena *a, size_t first, size_t chunk_size);
void arena_free(arena *a);

/* Uninitialised memory of n bytes (8-byte aligned); never NULL (aborts on OOM
 * as g_malloc does). n == 0 returns a valid non-NULL pointer. */
void *arena_alloc(arena *a, size_t n);
/* Copy of n bytes from src. */
uint8_t *arena_copy(arena *a, const void *src, size_t n);

/* Whether p points into memory a handed out. */
bool arena_contains(const arena *a, const void *p);
/* Takes the contents of from into to (which is freed first); from is left
 * empty, ready for use, with its chunk size. */
void arena_take(arena *to, arena *from);

/* Memory some holders cannot give back one object at a time (captured
 * frames kept for reassembly, say) is made generational this way: the
 * bytes go to a current arena; once it is large, every holder is asked to
 * move what it still holds in the previous arena into the current one
 * (arena_move), the previous is freed and the current becomes it. */
static inline const uint8_t *arena_move(const arena *from, arena *to, const uint8_t *p, size_t n)
{
	return p && arena_contains(from, p) ? arena_copy(to, p, n) : p;
}

#endif
