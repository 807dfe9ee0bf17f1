/*
 * ipfrag.c — fragment sets in a hash table, and a list in creation order
 * for eviction and ageing.
 *
 * Within a set, pieces are kept sorted by offset and never overlap: a new
 * fragment contributes only the bytes no earlier fragment covered.  So the
 * set is complete exactly when the last fragment is known and the pieces
 * add up to its end.
 *
 * A fragment repeating part of a completed datagram starts an "echo" set:
 * if the whole datagram comes again (captured twice) it is handed on again,
 * like any duplicated packet; if only some fragments repeat, the echo
 * fades without being counted as an incomplete datagram.
 */
#include "capture/ipfrag.h"

#include <glib.h>
#include <string.h>

#include "base/hashseed.h"

typedef struct piece {
	uint32_t off, len;
	const uint8_t *p;
} piece;

typedef struct fset {
	ipfrag_key key;
	struct fset *older, *newer;
	int64_t created_ns;
	uint64_t first_frame;
	piece *pieces;
	uint32_t n, cap;
	uint32_t covered;     /* sum of piece lengths */
	uint32_t total;       /* payload length, once the last fragment is known */
	bool have_last;
	bool done;
	const uint8_t *datagram; /* when done: the reassembled bytes (arena) */
	const uint8_t *echo_of;  /* echo set: the datagram it repeats ... */
	uint32_t echo_total;     /* ... and its length */
} fset;

struct ipfrag_table {
	arena *mem;
	GHashTable *sets;     /* &fset.key -> fset */
	fset *oldest, *newest;
	size_t pieces_all;
	uint64_t waiting[2];  /* incomplete sets held, [0] IPv4, [1] IPv6 */
	uint64_t dropped[2];  /* incomplete sets evicted or aged out */
	uint64_t dropped_first[2];
};

static int family_index(int family)
{
	return family == 6 ? 1 : 0;
}

static guint key_hash(gconstpointer p)
{
	const ipfrag_key *k = p;
	uint32_t h = hash_fnv_start();
	uint32_t words[3] = { k->input, k->id, ((uint32_t)k->family << 8) | k->proto };
	size_t alen = k->family == 6 ? 16 : 4;
	for (size_t i = 0; i < 3; i++) {
		h ^= words[i];
		h *= 16777619u;
	}
	for (size_t i = 0; i < alen; i++) {
		h ^= k->src[i];
		h *= 16777619u;
		h ^= k->dst[i];
		h *= 16777619u;
	}
	return h;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	const ipfrag_key *x = a, *y = b;
	return x->input == y->input && x->id == y->id && x->family == y->family &&
	       x->proto == y->proto && memcmp(x->src, y->src, 16) == 0 &&
	       memcmp(x->dst, y->dst, 16) == 0;
}

ipfrag_table *ipfrag_new(arena *mem)
{
	ipfrag_table *t = g_new0(ipfrag_table, 1);
	t->mem = mem;
	t->sets = g_hash_table_new(key_hash, key_equal);
	return t;
}

static void set_unlink(ipfrag_table *t, fset *s)
{
	if (s->older)
		s->older->newer = s->newer;
	else
		t->oldest = s->newer;
	if (s->newer)
		s->newer->older = s->older;
	else
		t->newest = s->older;
	s->older = s->newer = NULL;
}

/* Sets that count as a datagram still missing pieces. */
static bool set_waiting(const fset *s)
{
	return !s->done && !s->echo_of;
}

/* Remove s; an incomplete set counts as dropped when lost is set. */
static void set_drop(ipfrag_table *t, fset *s, bool lost)
{
	int fi = family_index(s->key.family);
	if (set_waiting(s)) {
		t->waiting[fi]--;
		if (lost) {
			if (t->dropped[fi] == 0 || s->first_frame < t->dropped_first[fi])
				t->dropped_first[fi] = s->first_frame;
			t->dropped[fi]++;
		}
	}
	g_hash_table_remove(t->sets, &s->key);
	set_unlink(t, s);
	t->pieces_all -= s->n;
	g_free(s->pieces);
	g_free(s);
}

void ipfrag_free(ipfrag_table *t)
{
	if (!t)
		return;
	fset *s = t->oldest;
	while (s) {
		fset *next = s->newer;
		g_free(s->pieces);
		g_free(s);
		s = next;
	}
	g_hash_table_destroy(t->sets);
	g_free(t);
}

/* now - then > timeout, without overflow on hostile timestamps. */
static bool aged(int64_t then, int64_t now)
{
	return now > then && (uint64_t)now - (uint64_t)then > (uint64_t)IPFRAG_TIMEOUT_NS;
}

void ipfrag_expire(ipfrag_table *t, int64_t now_ns)
{
	while (t->oldest && aged(t->oldest->created_ns, now_ns))
		set_drop(t, t->oldest, true);
}

static fset *set_create(ipfrag_table *t, const ipfrag_key *k, uint64_t frame, int64_t now_ns,
			const uint8_t *echo_of, uint32_t echo_total)
{
	if (g_hash_table_size(t->sets) >= IPFRAG_MAX_SETS)
		set_drop(t, t->oldest, true);
	fset *s = g_new0(fset, 1);
	s->key = *k;
	s->created_ns = now_ns;
	s->first_frame = frame;
	s->echo_of = echo_of;
	s->echo_total = echo_total;
	s->older = t->newest;
	if (t->newest)
		t->newest->newer = s;
	else
		t->oldest = s;
	t->newest = s;
	if (set_waiting(s))
		t->waiting[family_index(k->family)]++;
	g_hash_table_insert(t->sets, &s->key, s);
	return s;
}

/* Index of the first piece ending after off. */
static uint32_t piece_search(const fset *s, uint32_t off)
{
	uint32_t lo = 0, hi = s->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->pieces[mid].off + s->pieces[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool piece_insert(ipfrag_table *t, fset *s, uint32_t at, piece pc)
{
	if (s->n >= IPFRAG_MAX_PIECES)
		return false;
	/* Make room from the oldest sets rather than refuse new traffic. */
	while (t->pieces_all >= IPFRAG_MAX_PIECES_ALL && t->oldest && t->oldest != s)
		set_drop(t, t->oldest, true);
	if (t->pieces_all >= IPFRAG_MAX_PIECES_ALL)
		return false;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->pieces = g_renew(piece, s->pieces, s->cap);
	}
	memmove(&s->pieces[at + 1], &s->pieces[at], (s->n - at) * sizeof(piece));
	s->pieces[at] = pc;
	s->n++;
	s->covered += pc.len;
	t->pieces_all++;
	return true;
}

/* Add the bytes of [off, off+len) that no piece covers yet. */
static bool set_fill(ipfrag_table *t, fset *s, uint32_t off, sv data)
{
	uint32_t end = off + (uint32_t)data.len;
	uint32_t cur = off;
	/* Invariant: piece i (if any) ends after cur. */
	uint32_t i = piece_search(s, off);
	while (cur < end) {
		if (i < s->n && s->pieces[i].off <= cur) {
			cur = s->pieces[i].off + s->pieces[i].len;
			i++;
			continue;
		}
		uint32_t gap_end = (i < s->n && s->pieces[i].off < end) ? s->pieces[i].off : end;
		piece pc = { cur, gap_end - cur, data.p + (cur - off) };
		if (!piece_insert(t, s, i, pc))
			return false;
		i++;
		cur = gap_end;
	}
	return true;
}

static uint32_t set_max_end(const fset *s)
{
	if (s->n == 0)
		return 0;
	const piece *last = &s->pieces[s->n - 1];
	return last->off + last->len;
}

static sv set_complete(ipfrag_table *t, fset *s)
{
	if (s->echo_of) {
		/* Every piece matched the earlier datagram: it is the same. */
		s->datagram = s->echo_of;
		s->echo_of = NULL;
	} else {
		uint8_t *buf = arena_alloc(t->mem, s->total);
		for (uint32_t i = 0; i < s->n; i++)
			memcpy(buf + s->pieces[i].off, s->pieces[i].p, s->pieces[i].len);
		s->datagram = buf;
		t->waiting[family_index(s->key.family)]--;
	}
	t->pieces_all -= s->n;
	g_free(s->pieces);
	s->pieces = NULL;
	s->n = s->cap = 0;
	s->done = true;
	return sv_make(s->datagram, s->total);
}

/* Does the fragment repeat bytes of datagram d (of length total)? */
static bool repeats(const uint8_t *d, uint32_t total, uint32_t offset, uint32_t end,
		    bool more, sv data)
{
	return end <= total && (more || end == total) &&
	       (data.len == 0 || memcmp(d + offset, data.p, data.len) == 0);
}

ipfrag_result ipfrag_add(ipfrag_table *t, const ipfrag_key *k, uint32_t offset,
			 bool more, sv data, uint64_t frame, int64_t now_ns, sv *out)
{
	*out = SV_NULL;
	if (data.len > IPFRAG_MAX_PAYLOAD || offset > IPFRAG_MAX_PAYLOAD - data.len)
		return IPFRAG_BAD;
	if (more && data.len == 0)
		return IPFRAG_BAD;
	uint32_t end = offset + (uint32_t)data.len;

	fset *s = g_hash_table_lookup(t->sets, k);
	if (s && (s->done || s->echo_of)) {
		const uint8_t *prev = s->done ? s->datagram : s->echo_of;
		uint32_t prev_total = s->done ? s->total : s->echo_total;
		bool echo = repeats(prev, prev_total, offset, end, more, data);
		if (!echo || s->done) {
			/* Not an echo: the identification was reused by a
			 * new datagram.  Or a first echo of a done set. */
			set_drop(t, s, false);
			s = set_create(t, k, frame, now_ns, echo ? prev : NULL, echo ? prev_total : 0);
		}
	} else if (s) {
		if (s->have_last && (end > s->total || (!more && end != s->total)))
			return IPFRAG_BAD;
		if (!more && !s->have_last && end < set_max_end(s))
			return IPFRAG_BAD;
	} else {
		s = set_create(t, k, frame, now_ns, NULL, 0);
	}
	if (!more) {
		s->have_last = true;
		s->total = end;
	}
	if (!set_fill(t, s, offset, data)) {
		set_drop(t, s, true);
		return IPFRAG_BAD;
	}
	if (s->have_last && s->covered == s->total) {
		*out = set_complete(t, s);
		return IPFRAG_COMPLETE;
	}
	return IPFRAG_HELD;
}

uint64_t ipfrag_incomplete(const ipfrag_table *t, int family, uint64_t *first_frame)
{
	int fi = family_index(family);
	uint64_t first = t->dropped[fi] ? t->dropped_first[fi] : 0;
	for (const fset *s = t->oldest; s; s = s->newer) {
		if (!set_waiting(s) || family_index(s->key.family) != fi)
			continue;
		if (first == 0 || s->first_frame < first)
			first = s->first_frame;
	}
	if (first_frame)
		*first_frame = first;
	return t->dropped[fi] + t->waiting[fi];
}

uint64_t ipfrag_incomplete_total(const ipfrag_table *t)
{
	return t->dropped[0] + t->dropped[1] + t->waiting[0] + t->waiting[1];
}

void ipfrag_relocate(ipfrag_table *t, const arena *from, arena *to)
{
	for (fset *s = t->oldest; s; s = s->newer) {
		for (uint32_t i = 0; i < s->n; i++)
			s->pieces[i].p = arena_move(from, to, s->pieces[i].p, s->pieces[i].len);
		if (s->done)
			s->datagram = arena_move(from, to, s->datagram, s->total);
		s->echo_of = arena_move(from, to, s->echo_of, s->echo_total);
	}
}
