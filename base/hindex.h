/*
 * hindex.h — an open-addressing index from a 32-bit hash to record ids,
 * for tables whose records live elsewhere (an array of pointers into an
 * arena, say) and whose keys the caller compares.
 *
 * Why not GHashTable: the model looks up three or four tables per message
 * over hundreds of thousands of entries, so each lookup is a few cache
 * misses.  GHashTable keeps hashes, keys and values in separate arrays and
 * calls back for both the hash and the comparison; here one 8-byte slot
 * holds the full hash and the id, so a lookup reads one slot line and then
 * only the records whose full hash matches.
 *
 * Owns: the slot array.  Not the records, not the keys.
 * Invariants: capacity is a power of two, at most three quarters full (so
 * probes stay short and always end at an empty slot); a slot is 0 when empty, else
 * (hash << 32) | (id + 1).  Several ids may share a hash, or even an equal
 * key: the caller decides, probing, which one it wants.
 */
#ifndef SIPSCOPE_BASE_HINDEX_H
#define SIPSCOPE_BASE_HINDEX_H

#include <stdbool.h>
#include <stdint.h>

typedef struct hindex {
	uint64_t *slots;
	uint32_t mask;     /* capacity - 1 */
	uint32_t count;    /* occupied slots */
} hindex;

/* Where a probe stands: hash looked for and the next slot to read. */
typedef struct hindex_probe {
	uint32_t hash;
	uint32_t pos;
	uint32_t at;       /* slot of the id last returned */
} hindex_probe;

void hindex_init(hindex *h);
void hindex_clear(hindex *h);

/* Adds id (< UINT32_MAX) under hash; ids already there stay. */
void hindex_insert(hindex *h, uint32_t hash, uint32_t id);

/* Removes the slot the probe last returned (backward shift, so no
 * tombstones); the probe must not be used again. */
void hindex_remove_at(hindex *h, const hindex_probe *pr);

/* Removes id stored under hash; false when it is not there. */
bool hindex_remove(hindex *h, uint32_t hash, uint32_t id);

/* Spreads the hash over the low bits, which pick the slot. */
static inline uint32_t hindex_mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

static inline void hindex_probe_start(const hindex *h, uint32_t hash, hindex_probe *pr)
{
	pr->hash = hash;
	pr->pos = hindex_mix(hash) & h->mask;
	pr->at = 0;
}

/* The next id stored under the probe's hash, oldest insertion first;
 * false when there is none left. */
static inline bool hindex_probe_next(const hindex *h, hindex_probe *pr, uint32_t *id)
{
	for (;;) {
		uint64_t s = h->slots[pr->pos];
		if (s == 0)
			return false;
		uint32_t at = pr->pos;
		pr->pos = (pr->pos + 1) & h->mask;
		if ((uint32_t)(s >> 32) == pr->hash) {
			pr->at = at;
			*id = (uint32_t)s - 1;
			return true;
		}
	}
}

/* Points the slot the probe last returned at another id (same hash). */
static inline void hindex_probe_set(hindex *h, const hindex_probe *pr, uint32_t id)
{
	h->slots[pr->at] = ((uint64_t)pr->hash << 32) | ((uint64_t)id + 1);
}

#endif
