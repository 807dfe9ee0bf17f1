/*
 * blocks.h — small blocks of varying sizes, each given back alone: the
 * copies a record keeps beside itself (a transaction's key text, what a
 * REGISTER asked) where records go one at a time long before their owner
 * (the transactions a call sheds).
 *
 * Why not the owner's arena: an arena gives everything back at once, when
 * its owner goes, so the copies of records freed long before stay as long
 * as the owner: a REGISTER Call-ID that refreshes for days sheds its
 * transactions, and their copies would stay.  Why not malloc: a block a
 * transaction is the common case, and malloc plus free cost several
 * hundred instructions where a pool takes a few.
 *
 * A block of up to BLOCKS_MAX bytes comes from a pool per class of 16
 * bytes (its size and 8 bytes of header rounded up); a larger one from
 * g_malloc.  The header holds the class, so blocks_free needs only the
 * pointer.
 *
 * Invariants: every block is 8-byte aligned; a block given back came from
 * the same blocks; blocks_clear gives every pool's slabs back, blocks
 * from g_malloc must have been given back one by one before.
 */
#ifndef SIPSCOPE_BASE_BLOCKS_H
#define SIPSCOPE_BASE_BLOCKS_H

#include <stddef.h>

#include "base/pool.h"

enum { BLOCKS_CLASSES = 16, BLOCKS_STEP = 16, BLOCKS_HEADER = 8 };
#define BLOCKS_MAX ((size_t)(BLOCKS_CLASSES * BLOCKS_STEP - BLOCKS_HEADER))

typedef struct blocks {
	pool cls[BLOCKS_CLASSES];   /* class i: records of (i + 1) * BLOCKS_STEP bytes */
	size_t held;                /* blocks taken and not given back */
} blocks;

void blocks_init(blocks *b);
void blocks_clear(blocks *b);

/* n bytes, uninitialised (n may be 0: still a block of its own); never
 * NULL. */
void *blocks_alloc(blocks *b, size_t n);
/* p may be NULL. */
void blocks_free(blocks *b, void *p);

#endif
