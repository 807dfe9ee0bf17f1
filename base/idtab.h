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
 * Owns: the directory and the pages.  Not the records.
 * Invariants: len is the number of ids given; pages[k] is NULL when page
 * k was emptied (or never filled); live[k] counts its non-NULL slots.
 */
#ifndef SIPSCOPE_BASE_IDTAB_H
#define SIPSCOPE_BASE_IDTAB_H

#include <stddef.h>
#include <stdint.h>

enum { IDTAB_SHIFT = 10, IDTAB_PAGE = 1 << IDTAB_SHIFT };

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
	return pg ? pg[id & (IDTAB_PAGE - 1)] : NULL;
}

#endif
