#include "base/idtab.h"

#include <glib.h>
#include <string.h>

void idtab_init(idtab *t)
{
	memset(t, 0, sizeof(*t));
}

void idtab_clear(idtab *t)
{
	for (uint32_t k = 0; k < t->n_pages; k++)
		g_free(t->pages[k]);
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
	if (!pg || !pg[id & (IDTAB_PAGE - 1)])
		return;
	pg[id & (IDTAB_PAGE - 1)] = NULL;
	/* the page still being filled stays: its next slots are not given yet */
	if (--t->live[k] == 0 && k + 1 < t->n_pages) {
		g_free(pg);
		t->pages[k] = NULL;
	}
}
