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
	uint32_t at = 0;
	for (uint32_t w = 0; w < IDTAB_WORDS; w++) {
		sp->before[w] = (uint16_t)at;
		uint64_t bits = 0;
		for (uint32_t b = 0; b < 64; b++) {
			void *p = pg[w * 64 + b];
			if (p && at < n) {
				bits |= (uint64_t)1 << b;
				sp->ptr[at++] = p;
			}
		}
		sp->bits[w] = bits;
	}
	g_assert(at == n);
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
		void **at = idtab_sparse_at(sp, id & (IDTAB_PAGE - 1));
		if (!at || !*at)
			return;
		*at = NULL;
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
