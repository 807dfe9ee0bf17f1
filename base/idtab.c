#include "base/idtab.h"

#include <glib.h>
#include <string.h>

void idtab_init(idtab *t)
{
	memset(t, 0, sizeof(*t));
}

static idtab_sparse *sparse_of(void **pg)
{
	return (uintptr_t)pg & IDTAB_SPARSE_TAG ? (idtab_sparse *)((uintptr_t)pg & ~IDTAB_SPARSE_TAG)
						 : NULL;
}

/* Index of slot among the sparse page's, or -1. */
static int sparse_find(const idtab_sparse *sp, uint32_t slot)
{
	uint32_t lo = 0, hi = sp->n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (sp->slot[mid] < slot)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sp->n && sp->slot[lo] == slot ? (int)lo : -1;
}

void *idtab_sparse_get(const idtab_sparse *sp, uint32_t slot)
{
	int i = sparse_find(sp, slot);
	return i < 0 ? NULL : sp->ptr[i];
}

static void page_free(void **pg)
{
	idtab_sparse *sp = sparse_of(pg);
	g_free(sp ? (void *)sp : (void *)pg);
}

/* Page k, full and with at most IDTAB_SPARSE_MAX records, becomes sparse. */
static void make_sparse(idtab *t, uint32_t k)
{
	void **pg = t->pages[k];
	uint32_t n = t->live[k];
	idtab_sparse *sp = g_malloc(sizeof(*sp) + (size_t)n * sizeof(void *));
	sp->n = 0;
	for (uint32_t i = 0; i < IDTAB_PAGE && sp->n < n; i++)
		if (pg[i]) {
			sp->slot[sp->n] = (uint16_t)i;
			sp->ptr[sp->n] = pg[i];
			sp->n++;
		}
	g_free(pg);
	t->pages[k] = (void **)((uintptr_t)sp | IDTAB_SPARSE_TAG);
}

void idtab_clear(idtab *t)
{
	for (uint32_t k = 0; k < t->n_pages; k++)
		page_free(t->pages[k]);
	g_free(t->pages);
	g_free(t->live);
	memset(t, 0, sizeof(*t));
}

uint32_t idtab_add(idtab *t, void *p)
{
	uint32_t id = t->len;
	uint32_t k = id >> IDTAB_SHIFT;
	if (k >= t->n_pages) {
		if (k >= t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 16;
			t->pages = g_renew(void **, t->pages, cap);
			t->live = g_renew(uint32_t, t->live, cap);
			t->cap = cap;
		}
		t->pages[k] = g_new0(void *, IDTAB_PAGE);
		t->live[k] = 0;
		t->n_pages = k + 1;
	}
	t->pages[k][id & (IDTAB_PAGE - 1)] = p;
	t->live[k]++;
	t->len = id + 1;
	return id;
}

void idtab_remove(idtab *t, uint32_t id)
{
	if (id >= t->len)
		return;
	uint32_t k = id >> IDTAB_SHIFT;
	void **pg = t->pages[k];
	idtab_sparse *sp = sparse_of(pg);
	if (sp) {
		int i = sparse_find(sp, id & (IDTAB_PAGE - 1));
		if (i < 0 || !sp->ptr[i])
			return;
		sp->ptr[i] = NULL;
	} else {
		if (!pg || !pg[id & (IDTAB_PAGE - 1)])
			return;
		pg[id & (IDTAB_PAGE - 1)] = NULL;
	}
	t->live[k]--;
	/* the page still being filled stays: its next slots are not given yet */
	if (k + 1 >= t->n_pages)
		return;
	if (t->live[k] == 0) {
		page_free(pg);
		t->pages[k] = NULL;
	} else if (!sp && t->live[k] <= IDTAB_SPARSE_MAX) {
		make_sparse(t, k);
	}
}
