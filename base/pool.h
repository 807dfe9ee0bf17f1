/*
 * pool.h — records of one size, taken and given back one at a time: the
 * model's records under limits (a message, a transaction, a dialog, a
 * call), which eviction frees in the order calls end, not the order they
 * came.
 *
 * Why not malloc: a record a message is the common case, and malloc plus
 * free cost several hundred instructions per message there; here taking
 * and giving back are a few, and a record given back is the next one
 * taken (warm in the cache).  Memory comes in slabs of many records and
 * goes back to the system only with pool_clear: a pool stays as large as
 * the most records it held at once, which limits bound.
 *
 * A mapped pool (pool_init_mapped) takes each slab as a private anonymous
 * mapping of its own instead of from malloc: for state that is given back
 * all at once while longer-lived memory stays (what the findings'
 * detectors keep while a capture loads, pool_clear once it is loaded).
 * Slabs from malloc lie among the heap's other blocks, and once freed
 * leave pieces there that malloc_trim cannot give back (a page in part
 * used stays); an unmapped slab leaves nothing.
 *
 * Under AddressSanitizer a record given back is poisoned, so a use after
 * pool_free is reported (as long as the record was not taken again).
 *
 * Invariants: size >= sizeof(void *), rounded up to 8; every record is
 * 8-byte aligned; a record given back must have come from the same pool.
 */
#ifndef SIPSCOPE_BASE_POOL_H
#define SIPSCOPE_BASE_POOL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pool_slab pool_slab;

typedef struct pool {
	size_t size;          /* of a record */
	size_t per_slab;      /* records per slab */
	void *free;           /* records given back, each pointing at the next */
	pool_slab *slabs;     /* newest first */
	size_t fresh;         /* records of the newest slab not yet handed out */
	bool mapped;          /* slabs are mappings of their own (pool_init_mapped) */
} pool;

/* per_slab 0 picks a slab of about 64 KiB. */
void pool_init(pool *p, size_t size, size_t per_slab);
/* Slabs as mappings of their own, each of at least min_slab_bytes (0:
 * 256 KiB) rounded up to whole pages and filled with as many records as
 * fit (one at least).  Out of memory aborts, as g_malloc does. */
void pool_init_mapped(pool *p, size_t size, size_t min_slab_bytes);
/* Gives every slab back; the pool can be used again. */
void pool_clear(pool *p);

/* Uninitialised memory for one record; never NULL. */
void *pool_alloc(pool *p);
/* The same, the record zeroed. */
void *pool_alloc0(pool *p);
/* rec may be NULL. */
void pool_free(pool *p, void *rec);

#endif
