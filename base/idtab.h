/*
 * idtab.h — records by id, ids given 0, 1, 2, ... in order of creation,
 * with holes: a removed id reads NULL and is never given again.
 *
 * Why not a GPtrArray: a model with limits removes records all the time
 * and gives ids for days; an array indexed by id would keep 8 bytes for
 * every id ever given.  Here the pointers sit in pages of IDTAB_PAGE
 * slots, and a page whose slots were all removed is freed, so memory
 * follows the records held (plus a directory entry per page of ids).
 *
 * A few long-lived records among many short-lived ones (REGISTER
 * messages of Call-IDs kept to the end, among calls forgotten as they
 * finish) would keep nearly every page: a full page (not the one being
 * filled) left with at most IDTAB_SPARSE_MAX records becomes sparse, the
 * slots still set and their pointers in one small allocation.  A bitmap
 * of those slots and the count of set bits before each of its words find
 * a slot's pointer with one population count: such pages are read for
 * every message of the calls that outlive their neighbours, and a binary
 * search cost them about ninety instructions a read.  It takes no new
 * records (its ids were all given).
 *
 * Owns: the directory and the pages.  Not the records.
 * Invariants: len is the number of ids given; pages[k] is NULL when page
 * k was emptied (or never filled), a sparse page (idtab_sparse, tagged
 * with IDTAB_SPARSE_TAG) once it held at most IDTAB_SPARSE_MAX; live[k]
 * counts its non-NULL slots.
 */
#ifndef SIPSCOPE_BASE_IDTAB_H
#define SIPSCOPE_BASE_IDTAB_H

#include <stddef.h>
#include <stdint.h>

enum { IDTAB_SHIFT = 10, IDTAB_PAGE = 1 << IDTAB_SHIFT, IDTAB_SPARSE_MAX = IDTAB_PAGE / 4 };

/* A sparse page: the slots set when it went sparse, as bits, with one
 * pointer each in slot order (NULL once removed); before[w]: the bits set
 * in bits[0 .. w). */
enum { IDTAB_WORDS = IDTAB_PAGE / 64 };
typedef struct idtab_sparse {
	uint64_t bits[IDTAB_WORDS];
	uint16_t before[IDTAB_WORDS];
	void *ptr[];
} idtab_sparse;

#define IDTAB_SPARSE_TAG ((uintptr_t)1)

/* Where the slot's pointer is in ptr, or NULL when the page did not hold
 * it. */
static inline void **idtab_sparse_at(idtab_sparse *sp, uint32_t slot)
{
	uint64_t w = sp->bits[slot >> 6], bit = (uint64_t)1 << (slot & 63);
	if (!(w & bit))
		return NULL;
	return &sp->ptr[sp->before[slot >> 6] + (unsigned)__builtin_popcountll(w & (bit - 1))];
}

typedef struct idtab {
	void ***pages;      /* directory */
	uint32_t *live;     /* per page: slots set */
	uint32_t n_pages;   /* directory entries in use */
	uint32_t cap;       /* directory entries allocated */
	uint32_t len;       /* ids given */
} idtab;

void idtab_init(idtab *t);
void idtab_clear(idtab *t);
/* Gives the next id to p (not NULL). */
uint32_t idtab_add(idtab *t, void *p);
/* The id reads NULL from now on; nothing when it is out of range or removed. */
void idtab_remove(idtab *t, uint32_t id);

static inline void *idtab_get(const idtab *t, uint32_t id)
{
	if (id >= t->len)
		return NULL;
	void **pg = t->pages[id >> IDTAB_SHIFT];
	if (__builtin_expect((uintptr_t)pg & IDTAB_SPARSE_TAG, 0)) {
		void **at = idtab_sparse_at((idtab_sparse *)((uintptr_t)pg & ~IDTAB_SPARSE_TAG),
			id & (IDTAB_PAGE - 1));
		return at ? *at : NULL;
	}
	return pg ? pg[id & (IDTAB_PAGE - 1)] : NULL;
}

#endif
