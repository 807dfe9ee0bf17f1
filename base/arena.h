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

#include <stddef.h>
#include <stdint.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
	arena_chunk *head;     /* chunk being filled; older ones follow ->next */
	size_t chunk_size;     /* default size of a new chunk */
	size_t bytes_used;     /* sum of allocations handed out */
	size_t bytes_reserved; /* sum of chunk sizes */
} arena;

/* chunk_size 0 picks the default (1 MiB). */
void arena_init(arena *a, size_t chunk_size);
void arena_free(arena *a);

/* Uninitialised memory of n bytes (8-byte aligned); never NULL (aborts on OOM
 * as g_malloc does). n == 0 returns a valid non-NULL pointer. */
void *arena_alloc(arena *a, size_t n);
/* Copy of n bytes from src. */
uint8_t *arena_copy(arena *a, const void *src, size_t n);

#endif
