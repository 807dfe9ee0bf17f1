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
 * Under AddressSanitizer a record given back is poisoned, so a use after
 * pool_free is reported (as long as the record was not taken again).
 *
 * Invariants: size >= sizeof(void *), rounded up to 8; every record is
 * 8-byte aligned; a record given back must have come from the same pool.
 */
#ifndef SIPSCOPE_BASE_POOL_H
#define SIPSCOPE_BASE_POOL_H

#include <stddef.h>

typedef struct pool_slab pool_slab;

typedef struct pool {
	size_t size;          /* of a record */
	size_t per_slab;      /* records per slab */
	void *free;           /* records given back, each pointing at the next */
	pool_slab *slabs;     /* newest first */
	size_t fresh;         /* records of the newest slab not yet handed out */
} pool;

/* per_slab 0 picks a slab of about 64 KiB. */
void pool_init(pool *p, size_t size, size_t per_slab);
/* Gives every slab back; the pool can be used again. */
void pool_clear(pool *p);

/* Uninitialised memory for one record; never NULL. */
void *pool_alloc(pool *p);
/* rec may be NULL. */
void pool_free(pool *p, void *rec);

#endif
