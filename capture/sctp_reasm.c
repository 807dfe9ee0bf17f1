/*
 * sctp_reasm.c — partial messages ("groups") in a hash table with a list
 * from least to most recently fed, and per-direction windows of recent
 * TSNs in a second table with its own list.
 *
 * Within a group, pieces are sorted by position (sequence number minus the
 * group's base, as a signed 32-bit difference, which is how serial numbers
 * compare across wrap-around) and positions are distinct.  The positions
 * of B and E pieces are kept in two small sorted arrays too.  So when a
 * piece arrives, the only message it can complete runs from the nearest B
 * at or before it to the nearest E at or after it, and that run is whole
 * exactly when the number of pieces between them equals the distance
 * between their positions: O(log n) per piece, whatever the order.
 *
 * A given-up group keeps its key with no pieces, so the rest of an
 * oversized message is recognised and ignored instead of waiting forever.
 */
#include "capture/sctp_reasm.h"

#include <glib.h>
#include <string.h>

#include "base/hashseed.h"

/* Positions further than this from a group's base cannot be ordered
 * reliably against it: the group is dropped and started again. */
#define SPREAD_MAX (INT32_C(1) << 30)

enum {
	GK_IDATA = 0x01,
	GK_UNORDERED = 0x02,
};

typedef struct piece {
	int32_t pos;
	uint32_t tsn;
	uint32_t fp;   /* fingerprint for the retransmission window */
	uint32_t ppid;
	uint32_t len;
	uint8_t flags; /* SCTP_CHUNK_B / SCTP_CHUNK_E */
	const uint8_t *p;
	uint64_t frame;
} piece;

typedef struct group_key {
	sctp_dir_key dir;
	uint32_t id;  /* SSN (ordered DATA), MID (I-DATA), 0 (unordered DATA) */
	uint16_t sid;
	uint8_t kind; /* GK_* */
} group_key;

/* A sorted array of positions. */
typedef struct posv {
	int32_t *v;
	uint32_t n, cap;
} posv;

typedef struct group {
	group_key key;
	struct group *older, *newer;
	uint32_t base;    /* sequence number at position 0 */
	piece *pieces;
	uint32_t n, cap;
	posv b, e;        /* positions of B and E pieces */
	uint64_t bytes;   /* sum of piece lengths */
	bool given_up;
} group;

typedef struct dirstate {
	sctp_dir_key key;
	struct dirstate *older, *newer;
	uint32_t top; /* highest TSN recorded */
	bool have_top;
	uint64_t seen[SCTP_REASM_WINDOW / 64];
	uint32_t fp[SCTP_REASM_WINDOW];
} dirstate;

struct sctp_reasm {
	arena *mem;
	GHashTable *groups; /* &group.key -> group */
	group *oldest, *newest;
	GHashTable *dirs;   /* &dirstate.key -> dirstate */
	dirstate *dir_oldest, *dir_newest;
	size_t pieces_all;
	sctp_reasm_stats st; /* lost counts dropped fragments only */
};

/* ---- keys ---------------------------------------------------------------- */

static size_t addr_len(const sctp_dir_key *k)
{
	return k->family == 6 ? 16 : 4;
}

static uint32_t fnv_word(uint32_t h, uint32_t w)
{
	for (int i = 0; i < 4; i++) {
		h ^= (w >> (8 * i)) & 0xFF;
		h *= 16777619u;
	}
	return h;
}

static uint32_t dir_hash_of(const sctp_dir_key *k)
{
	uint32_t h = hash_fnv_start();
	h = fnv_word(h, k->input);
	h = fnv_word(h, k->vtag);
	h = fnv_word(h, ((uint32_t)k->sport << 16) | k->dport);
	h = fnv_word(h, k->family);
	size_t alen = addr_len(k);
	for (size_t i = 0; i < alen; i++) {
		h ^= k->src[i];
		h *= 16777619u;
		h ^= k->dst[i];
		h *= 16777619u;
	}
	return h;
}

static bool dir_key_eq(const sctp_dir_key *x, const sctp_dir_key *y)
{
	return x->input == y->input && x->vtag == y->vtag && x->sport == y->sport &&
	       x->dport == y->dport && x->family == y->family &&
	       memcmp(x->src, y->src, addr_len(x)) == 0 && memcmp(x->dst, y->dst, addr_len(x)) == 0;
}

static guint dir_hash(gconstpointer p)
{
	return dir_hash_of(p);
}

static gboolean dir_equal(gconstpointer a, gconstpointer b)
{
	return dir_key_eq(a, b);
}

static guint group_hash(gconstpointer p)
{
	const group_key *k = p;
	uint32_t h = dir_hash_of(&k->dir);
	h = fnv_word(h, k->id);
	h = fnv_word(h, ((uint32_t)k->sid << 8) | k->kind);
	return h;
}

static gboolean group_equal(gconstpointer a, gconstpointer b)
{
	const group_key *x = a, *y = b;
	return x->id == y->id && x->sid == y->sid && x->kind == y->kind && dir_key_eq(&x->dir, &y->dir);
}

/* ---- recently fed lists --------------------------------------------------- */

#define LIST_UNLINK(t, s, oldest_f, newest_f)                \
	do {                                                 \
		if ((s)->older)                              \
			(s)->older->newer = (s)->newer;      \
		else                                         \
			(t)->oldest_f = (s)->newer;          \
		if ((s)->newer)                              \
			(s)->newer->older = (s)->older;      \
		else                                         \
			(t)->newest_f = (s)->older;          \
		(s)->older = (s)->newer = NULL;              \
	} while (0)

#define LIST_APPEND(t, s, oldest_f, newest_f)                \
	do {                                                 \
		(s)->older = (t)->newest_f;                  \
		(s)->newer = NULL;                           \
		if ((t)->newest_f)                           \
			(t)->newest_f->newer = (s);          \
		else                                         \
			(t)->oldest_f = (s);                 \
		(t)->newest_f = (s);                         \
	} while (0)

/* ---- retransmission window ------------------------------------------------ */

static uint32_t chunk_fp(const sctp_chunk *c)
{
	uint32_t h = sv_hash(c->data);
	/* Not the I flag (RFC 7053): a sender may set it on a retransmission. */
	uint32_t flags = c->flags & (SCTP_CHUNK_B | SCTP_CHUNK_E | SCTP_CHUNK_U);
	h = fnv_word(h, ((uint32_t)c->sid << 16) | (flags << 8) | (c->idata ? 1u : 0u));
	h = fnv_word(h, c->idata ? c->mid : c->ssn);
	h = fnv_word(h, c->ppid);
	h = fnv_word(h, c->fsn);
	return h;
}

static void window_clear_slot(dirstate *d, uint32_t tsn)
{
	uint32_t slot = tsn % SCTP_REASM_WINDOW;
	d->seen[slot / 64] &= ~(UINT64_C(1) << (slot % 64));
}

static bool window_seen(const dirstate *d, uint32_t tsn, uint32_t fp)
{
	if (!d->have_top || d->top - tsn >= SCTP_REASM_WINDOW)
		return false; /* ahead of everything recorded, or too old */
	uint32_t slot = tsn % SCTP_REASM_WINDOW;
	return (d->seen[slot / 64] >> (slot % 64) & 1) && d->fp[slot] == fp;
}

static void window_record(dirstate *d, uint32_t tsn, uint32_t fp)
{
	if (!d->have_top) {
		memset(d->seen, 0, sizeof(d->seen));
		d->top = tsn;
		d->have_top = true;
	} else {
		uint32_t ahead = tsn - d->top;
		if (ahead != 0 && ahead < UINT32_C(0x80000000)) {
			if (ahead >= SCTP_REASM_WINDOW) {
				memset(d->seen, 0, sizeof(d->seen));
			} else {
				for (uint32_t i = 1; i <= ahead; i++)
					window_clear_slot(d, d->top + i);
			}
			d->top = tsn;
		} else if (d->top - tsn >= SCTP_REASM_WINDOW) {
			return; /* older than the window */
		}
	}
	uint32_t slot = tsn % SCTP_REASM_WINDOW;
	d->seen[slot / 64] |= UINT64_C(1) << (slot % 64);
	d->fp[slot] = fp;
}

static void dir_drop(sctp_reasm *t, dirstate *d)
{
	g_hash_table_remove(t->dirs, &d->key);
	LIST_UNLINK(t, d, dir_oldest, dir_newest);
	g_free(d);
}

/* The state of direction k, created if need be, now the most recent. */
static dirstate *dir_get(sctp_reasm *t, const sctp_dir_key *k)
{
	dirstate *d = g_hash_table_lookup(t->dirs, k);
	if (d) {
		if (d != t->dir_newest) {
			LIST_UNLINK(t, d, dir_oldest, dir_newest);
			LIST_APPEND(t, d, dir_oldest, dir_newest);
		}
		return d;
	}
	if (g_hash_table_size(t->dirs) >= SCTP_REASM_MAX_DIRS)
		dir_drop(t, t->dir_oldest);
	d = g_new0(dirstate, 1);
	d->key = *k;
	LIST_APPEND(t, d, dir_oldest, dir_newest);
	g_hash_table_insert(t->dirs, &d->key, d);
	return d;
}

/* ---- groups ----------------------------------------------------------------- */

sctp_reasm *sctp_reasm_new(arena *mem)
{
	sctp_reasm *t = g_new0(sctp_reasm, 1);
	t->mem = mem;
	t->groups = g_hash_table_new(group_hash, group_equal);
	t->dirs = g_hash_table_new(dir_hash, dir_equal);
	return t;
}

static void group_free_pieces(sctp_reasm *t, group *g)
{
	t->pieces_all -= g->n;
	g_free(g->pieces);
	g_free(g->b.v);
	g_free(g->e.v);
	g->pieces = NULL;
	g->b = g->e = (posv){ 0 };
	g->n = g->cap = 0;
	g->bytes = 0;
}

static void lost_add(sctp_reasm *t, uint64_t count, uint64_t frame)
{
	if (count == 0)
		return;
	if (t->st.lost == 0 || frame < t->st.lost_first)
		t->st.lost_first = frame;
	t->st.lost += count;
}

static uint64_t group_first_frame(const group *g)
{
	uint64_t first = 0;
	for (uint32_t i = 0; i < g->n; i++)
		if (first == 0 || g->pieces[i].frame < first)
			first = g->pieces[i].frame;
	return first;
}

/* Remove g; its pieces count as not reassembled when lost is set. */
static void group_drop(sctp_reasm *t, group *g, bool lost)
{
	if (lost)
		lost_add(t, g->n, group_first_frame(g));
	group_free_pieces(t, g);
	g_hash_table_remove(t->groups, &g->key);
	LIST_UNLINK(t, g, oldest, newest);
	g_free(g);
}

void sctp_reasm_free(sctp_reasm *t)
{
	if (!t)
		return;
	while (t->oldest)
		group_drop(t, t->oldest, false);
	while (t->dir_oldest)
		dir_drop(t, t->dir_oldest);
	g_hash_table_destroy(t->groups);
	g_hash_table_destroy(t->dirs);
	g_free(t);
}

static group *group_create(sctp_reasm *t, const group_key *k, uint32_t base)
{
	if (g_hash_table_size(t->groups) >= SCTP_REASM_MAX_PARTIALS)
		group_drop(t, t->oldest, true);
	group *g = g_new0(group, 1);
	g->key = *k;
	g->base = base;
	LIST_APPEND(t, g, oldest, newest);
	g_hash_table_insert(t->groups, &g->key, g);
	return g;
}

static void group_touch(sctp_reasm *t, group *g)
{
	if (g != t->newest) {
		LIST_UNLINK(t, g, oldest, newest);
		LIST_APPEND(t, g, oldest, newest);
	}
}

/* Over the limits: forget the pieces, keep the key to swallow the rest. */
static void group_give_up(sctp_reasm *t, group *g, uint64_t frame)
{
	group_free_pieces(t, g);
	g->given_up = true;
	if (t->st.oversize == 0)
		t->st.oversize_first = frame;
	t->st.oversize++;
}

/* Index of the first element >= pos (n when none). */
static uint32_t posv_lower(const posv *a, int32_t pos)
{
	uint32_t lo = 0, hi = a->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (a->v[mid] < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void posv_insert(posv *a, int32_t pos)
{
	uint32_t at = posv_lower(a, pos);
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 2;
		a->v = g_renew(int32_t, a->v, a->cap);
	}
	memmove(&a->v[at + 1], &a->v[at], (a->n - at) * sizeof(int32_t));
	a->v[at] = pos;
	a->n++;
}

static void posv_remove(posv *a, int32_t pos)
{
	uint32_t at = posv_lower(a, pos);
	if (at < a->n && a->v[at] == pos) {
		memmove(&a->v[at], &a->v[at + 1], (a->n - at - 1) * sizeof(int32_t));
		a->n--;
	}
}

/* Index of the first piece at or after pos. */
static uint32_t piece_lower(const group *g, int32_t pos)
{
	uint32_t lo = 0, hi = g->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g->pieces[mid].pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void piece_insert(sctp_reasm *t, group *g, uint32_t at, const piece *pc)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4;
		g->pieces = g_renew(piece, g->pieces, g->cap);
	}
	memmove(&g->pieces[at + 1], &g->pieces[at], (g->n - at) * sizeof(piece));
	g->pieces[at] = *pc;
	g->n++;
	g->bytes += pc->len;
	t->pieces_all++;
	if (pc->flags & SCTP_CHUNK_B)
		posv_insert(&g->b, pc->pos);
	if (pc->flags & SCTP_CHUNK_E)
		posv_insert(&g->e, pc->pos);
}

/* The whole message containing the piece at pos, as piece indexes
 * [*from, *to]: from its nearest B back to its nearest E ahead, with no
 * other B or E between and no position missing. */
static bool run_whole(const group *g, int32_t pos, uint32_t *from, uint32_t *to)
{
	uint32_t bi = posv_lower(&g->b, pos);
	if (bi < g->b.n && g->b.v[bi] == pos)
		bi++;
	if (bi == 0)
		return false;
	int32_t b = g->b.v[bi - 1];
	uint32_t ei = posv_lower(&g->e, pos);
	if (ei == g->e.n)
		return false;
	int32_t e = g->e.v[ei];
	if (bi < g->b.n && g->b.v[bi] <= e)
		return false; /* another message starts before this one ends */
	if (ei > 0 && g->e.v[ei - 1] >= b)
		return false; /* another message ends after this one starts */
	uint32_t i = piece_lower(g, b), j = piece_lower(g, e);
	if ((int64_t)j - i != (int64_t)e - b)
		return false;
	*from = i;
	*to = j;
	return true;
}

/* Copy pieces [from, to] out as one message and remove them. */
static void run_complete(sctp_reasm *t, group *g, dirstate *d, uint32_t from, uint32_t to,
			 sctp_message *out)
{
	size_t total = 0;
	for (uint32_t i = from; i <= to; i++)
		total += g->pieces[i].len;
	uint8_t *buf = arena_alloc(t->mem, total);
	size_t off = 0;
	for (uint32_t i = from; i <= to; i++) {
		const piece *pc = &g->pieces[i];
		if (pc->len)
			memcpy(buf + off, pc->p, pc->len);
		off += pc->len;
		window_record(d, pc->tsn, pc->fp);
	}
	out->data = sv_make(buf, total);
	out->ppid = g->pieces[from].ppid;
	out->sid = g->key.sid;
	out->fragments = to - from + 1;
	t->st.messages++;

	posv_remove(&g->b, g->pieces[from].pos);
	posv_remove(&g->e, g->pieces[to].pos);
	uint32_t k = to - from + 1;
	memmove(&g->pieces[from], &g->pieces[to + 1], (g->n - to - 1) * sizeof(piece));
	g->n -= k;
	g->bytes -= total;
	t->pieces_all -= k;
	if (g->n == 0)
		group_drop(t, g, false);
}

static sctp_reasm_result fragment_add(sctp_reasm *t, dirstate *d, const sctp_dir_key *k,
				      const sctp_chunk *c, uint32_t fp, uint64_t frame,
				      sctp_message *out)
{
	bool first = c->flags & SCTP_CHUNK_B, last = c->flags & SCTP_CHUNK_E;
	group_key gk = { .dir = *k, .sid = c->sid };
	uint32_t seq;
	if (c->idata) {
		/* The first fragment's FSN is 0 and not sent (its field
		 * holds the PPID); another fragment cannot have FSN 0. */
		if (!first && c->fsn == 0) {
			t->st.bad++;
			return SCTP_REASM_BAD;
		}
		gk.kind = GK_IDATA;
		gk.id = c->mid;
		seq = first ? 0 : c->fsn;
	} else {
		gk.id = (c->flags & SCTP_CHUNK_U) ? 0 : c->ssn;
		seq = c->tsn;
	}
	if (c->flags & SCTP_CHUNK_U)
		gk.kind |= GK_UNORDERED;

	group *g = g_hash_table_lookup(t->groups, &gk);
	if (g && g->given_up) {
		if (last)
			group_drop(t, g, false); /* the rest of it is gone */
		else
			group_touch(t, g);
		return SCTP_REASM_DROPPED;
	}
	if (g) {
		int32_t pos = (int32_t)(seq - g->base);
		if (pos >= SPREAD_MAX || pos <= -SPREAD_MAX) {
			group_drop(t, g, true);
			g = NULL;
		}
	}
	if (g)
		group_touch(t, g);
	else
		g = group_create(t, &gk, seq);

	piece pc = {
		.pos = (int32_t)(seq - g->base),
		.tsn = c->tsn,
		.fp = fp,
		.ppid = c->ppid,
		.len = (uint32_t)c->data.len,
		.flags = c->flags & (SCTP_CHUNK_B | SCTP_CHUNK_E),
		.p = c->data.p,
		.frame = frame,
	};
	uint32_t at = piece_lower(g, pc.pos);
	if (at < g->n && g->pieces[at].pos == pc.pos) {
		t->st.duplicates++;
		return SCTP_REASM_DUPLICATE;
	}
	/* An FSN that high means more fragments than a message may have. */
	bool too_many = c->idata ? seq >= SCTP_REASM_MAX_PIECES : g->n >= SCTP_REASM_MAX_PIECES;
	if (too_many || c->data.len > SCTP_REASM_MAX_MESSAGE ||
	    g->bytes + c->data.len > SCTP_REASM_MAX_MESSAGE) {
		group_give_up(t, g, frame);
		if (last)
			group_drop(t, g, false);
		return SCTP_REASM_DROPPED;
	}
	/* Make room from the groups fed longest ago rather than refuse. */
	while (t->pieces_all >= SCTP_REASM_MAX_PIECES_ALL && t->oldest != g)
		group_drop(t, t->oldest, true);
	piece_insert(t, g, at, &pc);

	uint32_t from, to;
	if (!run_whole(g, pc.pos, &from, &to))
		return SCTP_REASM_HELD;
	run_complete(t, g, d, from, to, out);
	return SCTP_REASM_COMPLETE;
}

sctp_reasm_result sctp_reasm_add(sctp_reasm *t, const sctp_dir_key *k, const sctp_chunk *c,
				 uint64_t frame, sctp_message *out)
{
	*out = (sctp_message){ 0 };
	uint32_t fp = chunk_fp(c);
	dirstate *d = dir_get(t, k);
	if (window_seen(d, c->tsn, fp)) {
		t->st.duplicates++;
		return SCTP_REASM_DUPLICATE;
	}
	if ((c->flags & (SCTP_CHUNK_B | SCTP_CHUNK_E)) == (SCTP_CHUNK_B | SCTP_CHUNK_E)) {
		window_record(d, c->tsn, fp);
		out->data = c->data;
		out->ppid = c->ppid;
		out->sid = c->sid;
		out->fragments = 1;
		return SCTP_REASM_COMPLETE;
	}
	return fragment_add(t, d, k, c, fp, frame, out);
}

void sctp_reasm_discard(sctp_reasm *t, uint64_t frame)
{
	lost_add(t, 1, frame);
}

void sctp_reasm_stats_get(const sctp_reasm *t, sctp_reasm_stats *out)
{
	*out = t->st;
	out->lost += t->pieces_all;
	for (const group *g = t->oldest; g; g = g->newer) {
		uint64_t f = group_first_frame(g);
		if (f && (out->lost_first == 0 || f < out->lost_first))
			out->lost_first = f;
	}
}

void sctp_reasm_relocate(sctp_reasm *t, const arena *from, arena *to)
{
	for (group *g = t->oldest; g; g = g->newer)
		for (uint32_t i = 0; i < g->n; i++)
			g->pieces[i].p = arena_move(from, to, g->pieces[i].p, g->pieces[i].len);
}
