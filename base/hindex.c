/*
 * hindex.c — growth, insertion and removal of the hash → id index.
 */
#include "base/hindex.h"

#include <glib.h>

enum { HINDEX_MIN_CAPACITY = 64 };

void hindex_init(hindex *h)
{
	h->slots = g_new0(uint64_t, HINDEX_MIN_CAPACITY);
	h->mask = HINDEX_MIN_CAPACITY - 1;
	h->count = 0;
}

void hindex_clear(hindex *h)
{
	g_free(h->slots);
	h->slots = NULL;
	h->mask = 0;
	h->count = 0;
}

static void place(uint64_t *slots, uint32_t mask, uint64_t s)
{
	uint32_t pos = hindex_mix((uint32_t)(s >> 32)) & mask;
	while (slots[pos])
		pos = (pos + 1) & mask;
	slots[pos] = s;
}

static void grow(hindex *h)
{
	uint32_t cap = (h->mask + 1) * 2;
	g_assert(cap != 0);
	uint64_t *slots = g_new0(uint64_t, cap);
	/* From just after an empty slot, so that a run wrapping past the end
	 * is moved in its order: ids of one hash keep their insertion order. */
	uint32_t start = 0;
	while (h->slots[start])
		start++;
	for (uint32_t k = 1; k <= h->mask + 1; k++) {
		uint64_t s = h->slots[(start + k) & h->mask];
		if (s)
			place(slots, cap - 1, s);
	}
	g_free(h->slots);
	h->slots = slots;
	h->mask = cap - 1;
}

void hindex_insert(hindex *h, uint32_t hash, uint32_t id)
{
	g_assert(id != UINT32_MAX);
	if ((uint64_t)(h->count + 1) * 4 > (uint64_t)(h->mask + 1) * 3)
		grow(h);
	place(h->slots, h->mask, ((uint64_t)hash << 32) | ((uint64_t)id + 1));
	h->count++;
}

void hindex_remove_at(hindex *h, const hindex_probe *pr)
{
	uint32_t hole = pr->at, pos = hole;
	h->slots[hole] = 0;
	h->count--;
	/* Linear probing: a later slot of the same run moves into the hole
	 * unless its home lies cyclically after the hole (it would then be
	 * unreachable from its home). */
	for (;;) {
		pos = (pos + 1) & h->mask;
		uint64_t s = h->slots[pos];
		if (s == 0)
			return;
		uint32_t home = hindex_mix((uint32_t)(s >> 32)) & h->mask;
		bool stays = hole <= pos ? (hole < home && home <= pos) : (hole < home || home <= pos);
		if (stays)
			continue;
		h->slots[hole] = s;
		h->slots[pos] = 0;
		hole = pos;
	}
}

bool hindex_remove(hindex *h, uint32_t hash, uint32_t id)
{
	if (!h->slots)
		return false;
	hindex_probe pr;
	uint32_t got;
	hindex_probe_start(h, hash, &pr);
	while (hindex_probe_next(h, &pr, &got)) {
		if (got == id) {
			hindex_remove_at(h, &pr);
			return true;
		}
	}
	return false;
}
