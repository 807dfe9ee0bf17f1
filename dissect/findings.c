/*
 * findings.c — the detector's core: finding records and their indexes
 * (per call, per message), folding of repeated faults into one finding,
 * the tap that feeds the checks, the waits for ACKs, and the pass at the
 * end of the capture.
 */
#include "dissect/findings.h"

#include <stdio.h>
#include <string.h>

#include "dissect/findings_internal.h"
#include "dissect/sip_header.h"

/* Summaries quote at most this much of any one wire field. */
enum { FND_ARENA_CHUNK = 64 * 1024 };

const char *finding_severity_name(finding_severity s)
{
	switch (s) {
	case FINDING_ERROR: return "error";
	case FINDING_WARNING: return "warning";
	case FINDING_INFO:
	default: return "info";
	}
}

/* ---- fold keys ---------------------------------------------------------------- */

typedef struct fold_key {
	const fnd_kind *kind;
	sip_id call;
	uint64_t fold;
} fold_key;

static guint fold_hash(gconstpointer p)
{
	const fold_key *k = p;
	uint64_t h = (uint64_t)(uintptr_t)k->kind * 0x9e3779b97f4a7c15ull;
	h ^= (uint64_t)k->call * 0xff51afd7ed558ccdull;
	h ^= k->fold * 0xc4ceb9fe1a85ec53ull;
	return (guint)(h ^ (h >> 32));
}

static gboolean fold_equal(gconstpointer a, gconstpointer b)
{
	const fold_key *x = a, *y = b;
	return x->kind == y->kind && x->call == y->call && x->fold == y->fold;
}

/* ---- 2xx waits keyed by Call-ID, CSeq, To tag ------------------------------------ */

static guint wait_hash(gconstpointer p)
{
	const ack_wait *w = p;
	return sv_hash(w->call_id) ^ (w->cseq * 2654435761u) ^ (sv_hash_ci(w->to_tag) * 40503u);
}

static gboolean wait_equal(gconstpointer a, gconstpointer b)
{
	const ack_wait *x = a, *y = b;
	return x->cseq == y->cseq && sv_eq(x->call_id, y->call_id) && sv_eq_ci(x->to_tag, y->to_tag);
}

/* ---- life -------------------------------------------------------------------------- */

static void on_event(void *user, const sip_model *m, sip_event ev, sip_id id);
static void free_id_array(gpointer p);

findings *findings_new(sip_model *m)
{
	findings *f = g_new0(findings, 1);
	f->m = m;
	arena_init(&f->mem, FND_ARENA_CHUNK);
	idtab_init(&f->recs);
	f->by_call = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_id_array);
	f->no_call = g_array_new(FALSE, FALSE, sizeof(sip_id));
	f->by_msg = g_hash_table_new(g_direct_hash, g_direct_equal);
	f->folded = g_hash_table_new_full(fold_hash, fold_equal, g_free, NULL);
	f->over_calls = g_array_new(FALSE, TRUE, sizeof(uint64_t));
	f->over_pending = g_array_new(FALSE, FALSE, sizeof(sip_id));
	det_pages_init(&f->txns, sizeof(det_txn), f);
	det_pages_init(&f->dialogs, sizeof(det_dlg), f);
	det_pages_init(&f->calls, sizeof(det_call), f);
	det_pages_init(&f->regs, sizeof(det_reg), f);
	pool_init_mapped(&f->wait_pool, sizeof(ack_wait), 0);
	pool_init_mapped(&f->offer_pool, sizeof(offer_codecs), 0);
	pool_init_mapped(&f->redir_pool, sizeof(redir_set), 0);
	f->waits = g_ptr_array_new();
	f->waits_by_key = g_hash_table_new(wait_hash, wait_equal);
	f->p = g_new0(sip_msg, 1);
	f->q = g_new0(sip_msg, 1);
	f->s = g_string_new(NULL);
	sip_model_tap_add(m, SIP_EV_MESSAGE | SIP_EV_TXN | SIP_EV_REGISTRATION | SIP_EV_EVICT |
		SIP_EV_EVICT_REGISTRATION | SIP_EV_OVER | SIP_EV_SHED, on_event, f);
	const sip_limits *l = sip_model_limits(m);
	f->cap_ids = l->max_calls || l->max_messages;
	return f;
}

static void free_id_array(gpointer p)
{
	if (p)
		g_array_free(p, TRUE);
}

static void rec_free(fnd_rec *r)
{
	if (!r)
		return;
	if (r->pub.summary != r->base)
		g_free(r->pub.summary);
	g_free(r->base);
	if (r->note)
		g_string_free(r->note, TRUE);
	g_array_free(r->pub.messages, TRUE);
	g_array_free(r->pub.txns, TRUE);
	g_array_free(r->pub.dialogs, TRUE);
	g_free(r);
}

/* ---- per-object state ------------------------------------------------------------------ */

static void txn_fini(void *ctx, void *p)
{
	findings *f = ctx;
	det_txn *d = p;
	pool_free(&f->offer_pool, d->offer);
	d->offer = NULL;
}

static void call_fini(void *ctx, void *p)
{
	findings *f = ctx;
	det_call *d = p;
	pool_free(&f->redir_pool, d->redir);
	d->redir = NULL;
}

/* Pages of a few hundred entries, several to a mapping. */
enum { DET_SLAB_BYTES = 256 * 1024 };

void det_pages_init(det_pages *d, size_t elem, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->elem = elem;
	d->ctx = ctx;
	pool_init_mapped(&d->page_pool, elem * DET_PAGE, DET_SLAB_BYTES);
	pool_init_mapped(&d->loose_pool, elem, 0);
}

void det_pages_free(det_pages *d, det_fini_fn fini)
{
	for (uint32_t k = 0; k < d->n_pages; k++) {
		if (!d->pages[k])
			continue;
		for (uint32_t i = 0; fini && i < DET_PAGE; i++)
			fini(d->ctx, d->pages[k] + i * d->elem);
	}
	if (d->loose) {
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, d->loose);
		while (fini && g_hash_table_iter_next(&it, &k, &v))
			fini(d->ctx, v);
		g_hash_table_destroy(d->loose);
		d->loose = NULL;
	}
	/* every page and loose entry at once: the mappings go */
	pool_clear(&d->page_pool);
	pool_clear(&d->loose_pool);
	g_free(d->pages);
	g_free(d->released);
	g_free(d->is_loose);
	d->pages = NULL;
	d->released = NULL;
	d->is_loose = NULL;
	d->n_pages = d->cap = 0;
}

static void det_pages_reserve(det_pages *d, uint32_t k)
{
	if (k < d->n_pages)
		return;
	if (k >= d->cap) {
		uint32_t cap = d->cap ? d->cap : 16;
		while (cap <= k)
			cap *= 2;
		d->pages = g_renew(uint8_t *, d->pages, cap);
		d->released = g_renew(uint32_t, d->released, cap);
		d->is_loose = g_renew(uint8_t, d->is_loose, cap);
		d->cap = cap;
	}
	for (uint32_t i = d->n_pages; i <= k; i++) {
		d->pages[i] = NULL;
		d->released[i] = 0;
		d->is_loose[i] = 0;
	}
	d->n_pages = k + 1;
}

void *det_get(det_pages *d, sip_id id)
{
	if (id == SIP_ID_NONE)
		return NULL;
	uint32_t k = id >> DET_SHIFT;
	det_pages_reserve(d, k);
	if (d->is_loose[k]) {
		gpointer key = GUINT_TO_POINTER(id + 1);
		void *e = g_hash_table_lookup(d->loose, key);
		if (!e) {
			e = pool_alloc0(&d->loose_pool);   /* zero, as the detectors expect */
			g_hash_table_insert(d->loose, key, e);
		}
		return e;
	}
	if (!d->pages[k])
		d->pages[k] = pool_alloc0(&d->page_pool);
	return d->pages[k] + (size_t)(id & (DET_PAGE - 1)) * d->elem;
}

const void *det_peek(const det_pages *d, sip_id id)
{
	if (id == SIP_ID_NONE || (id >> DET_SHIFT) >= d->n_pages)
		return NULL;
	uint32_t k = id >> DET_SHIFT;
	if (d->is_loose[k])
		return g_hash_table_lookup(d->loose, GUINT_TO_POINTER(id + 1));
	if (!d->pages[k])
		return NULL;
	return d->pages[k] + (size_t)(id & (DET_PAGE - 1)) * d->elem;
}

/* Whether the n bytes at e are all zero: eight at a time (a page's
 * thousand entries are tested each time it is looked at for loosening). */
static bool det_zero(const uint8_t *e, size_t n)
{
	uint64_t any = 0;
	size_t i = 0;
	for (; n - i >= 8; i += 8)
		any |= sv_word_load(e + i);
	for (; i < n; i++)
		any |= e[i];
	return any == 0;
}

/* Page k, with few entries that hold anything left, gives them to loose
 * (see det_pages). */
static void det_loosen(det_pages *d, uint32_t k)
{
	uint8_t *pg = d->pages[k];
	uint32_t held = 0;
	for (uint32_t i = 0; i < DET_PAGE; i++)
		if (!det_zero(pg + (size_t)i * d->elem, d->elem) && ++held > DET_LOOSE_MAX)
			return;
	if (!d->loose)
		d->loose = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (uint32_t i = 0; i < DET_PAGE; i++) {
		const uint8_t *e = pg + (size_t)i * d->elem;
		if (!det_zero(e, d->elem))
			g_hash_table_insert(d->loose, GUINT_TO_POINTER((k << DET_SHIFT) + i + 1),
				memcpy(pool_alloc(&d->loose_pool), e, d->elem));
	}
	pool_free(&d->page_pool, pg);
	d->pages[k] = NULL;
	d->is_loose[k] = 1;
}

/* The object is gone (evicted): its state too, and the page once all of
 * its ids are.  No pointer to an entry is held across a release: its
 * page may go loose. */
void det_release(det_pages *d, sip_id id, det_fini_fn fini)
{
	if (id == SIP_ID_NONE)
		return;
	uint32_t k = id >> DET_SHIFT;
	det_pages_reserve(d, k);
	if (d->is_loose[k]) {
		gpointer key = GUINT_TO_POINTER(id + 1);
		void *e = g_hash_table_lookup(d->loose, key);
		if (e) {
			if (fini)
				fini(d->ctx, e);
			g_hash_table_remove(d->loose, key);
			pool_free(&d->loose_pool, e);
		}
	} else if (d->pages[k]) {
		uint8_t *e = d->pages[k] + (size_t)(id & (DET_PAGE - 1)) * d->elem;
		if (fini)
			fini(d->ctx, e);
		memset(e, 0, d->elem);
	}
	if (++d->released[k] == DET_PAGE) {
		pool_free(&d->page_pool, d->pages[k]);
		d->pages[k] = NULL;
		/* entries made again for ids already released go too */
		for (uint32_t i = 0; d->is_loose[k] && i < DET_PAGE; i++) {
			gpointer key = GUINT_TO_POINTER((k << DET_SHIFT) + i + 1);
			void *e = g_hash_table_lookup(d->loose, key);
			if (!e)
				continue;
			if (fini)
				fini(d->ctx, e);
			g_hash_table_remove(d->loose, key);
			pool_free(&d->loose_pool, e);
		}
		d->is_loose[k] = 0;
	} else if (d->pages[k] && d->released[k] >= DET_LOOSE_FROM &&
		   d->released[k] % (DET_PAGE / 16) == 0) {
		det_loosen(d, k);
	}
}

const det_txn *fnd_txn_peek(const findings *f, sip_id id)
{
	return det_peek(&f->txns, id);
}

/* The detectors' state, all of it: their mappings go. */
static void detectors_free(findings *f)
{
	det_pages_free(&f->txns, txn_fini);
	det_pages_free(&f->dialogs, NULL);
	det_pages_free(&f->calls, call_fini);
	det_pages_free(&f->regs, NULL);
	/* the finis above gave every offer and redirect set back */
	pool_clear(&f->offer_pool);
	pool_clear(&f->redir_pool);
	g_ptr_array_free(f->waits, TRUE);
	g_hash_table_destroy(f->waits_by_key);
	pool_clear(&f->wait_pool);
}

void findings_free(findings *f)
{
	if (!f)
		return;
	for (guint i = 0; i < f->recs.len; i++)
		rec_free(idtab_get(&f->recs, i));
	idtab_clear(&f->recs);
	g_hash_table_destroy(f->by_call);
	g_array_free(f->no_call, TRUE);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, f->by_msg);
	while (g_hash_table_iter_next(&it, &k, &v))
		free_id_array(v);
	g_hash_table_destroy(f->by_msg);
	g_hash_table_destroy(f->folded);
	g_array_free(f->over_calls, TRUE);
	g_array_free(f->over_pending, TRUE);
	detectors_free(f);
	g_free(f->p);
	g_free(f->q);
	g_free(f->sdp_a);
	g_free(f->sdp_b);
	g_free(f->mp);
	g_string_free(f->s, TRUE);
	arena_free(&f->mem);
	g_free(f);
}

det_txn *fnd_txn(findings *f, sip_id id)
{
	return det_get(&f->txns, id);
}

det_dlg *fnd_dlg(findings *f, sip_id id)
{
	return det_get(&f->dialogs, id);
}

det_call *fnd_call(findings *f, sip_id id)
{
	return det_get(&f->calls, id);
}

det_reg *fnd_reg(findings *f, sip_id id)
{
	return det_get(&f->regs, id);
}

/* ---- records ------------------------------------------------------------------------------ */

fnd_rec *fnd_find(findings *f, const fnd_kind *k, sip_id call, uint64_t fold)
{
	fold_key key = { k, call, fold };
	return g_hash_table_lookup(f->folded, &key);
}

static void index_id(GArray **slot, sip_id id)
{
	if (!*slot)
		*slot = g_array_new(FALSE, FALSE, sizeof(sip_id));
	g_array_append_val(*slot, id);
}

fnd_rec *fnd_add(findings *f, const fnd_kind *k, sip_id call, uint64_t fold, int64_t ts, bool *fresh)
{
	f->generation++;
	if (fold) {
		fnd_rec *r = fnd_find(f, k, call, fold);
		if (r) {
			r->pub.count++;
			*fresh = false;
			return r;
		}
	}
	fnd_rec *r = g_new0(fnd_rec, 1);
	finding *x = &r->pub;
	x->id = f->recs.len;
	x->severity = k->severity;
	x->code = k->code;
	x->rfc = k->rfc;
	x->call = call;
	x->ts = ts;
	x->count = 1;
	x->messages = g_array_new(FALSE, FALSE, sizeof(sip_id));
	x->txns = g_array_new(FALSE, FALSE, sizeof(sip_id));
	x->dialogs = g_array_new(FALSE, FALSE, sizeof(sip_id));
	x->summary = g_strdup(k->code);
	r->kind = k;
	r->fold = fold;
	idtab_add(&f->recs, r);
	if ((unsigned)k->severity < 3)
		f->by_severity[k->severity]++;
	if (call == SIP_ID_NONE) {
		g_array_append_val(f->no_call, x->id);
	} else {
		gpointer ck = GUINT_TO_POINTER(call + 1);
		GArray *ids = g_hash_table_lookup(f->by_call, ck);
		bool had = ids != NULL;
		index_id(&ids, x->id);
		if (!had)
			g_hash_table_insert(f->by_call, ck, ids);
	}
	if (fold) {
		fold_key *key = g_new(fold_key, 1);
		*key = (fold_key){ k, call, fold };
		g_hash_table_insert(f->folded, key, r);
	}
	*fresh = true;
	return r;
}

/* Without a note the summary is the base itself, not a copy: most
 * findings have none, and a run may keep hundreds of thousands. */
static void rebuild_summary(fnd_rec *r)
{
	if (r->pub.summary != r->base)
		g_free(r->pub.summary);
	if (r->note && r->note->len)
		r->pub.summary = g_strdup_printf("%s; %s", r->base ? r->base : r->pub.code, r->note->str);
	else if (r->base)
		r->pub.summary = r->base;
	else
		r->pub.summary = g_strdup(r->pub.code);
}

void fnd_set_summary(findings *f, fnd_rec *r, const char *text)
{
	char *old = r->base;
	r->base = g_strdup(text);
	if (r->pub.summary == old)
		r->pub.summary = NULL;
	g_free(old);
	rebuild_summary(r);
	f->generation++;
}

void fnd_set_note(findings *f, fnd_rec *r, const char *text)
{
	if (!text) {
		if (r->note)
			g_string_truncate(r->note, 0);
	} else {
		if (!r->note)
			r->note = g_string_new(NULL);
		g_string_assign(r->note, text);
	}
	rebuild_summary(r);
	f->generation++;
}

static bool has_id(const GArray *a, sip_id id)
{
	/* ids mostly arrive in ascending order: look from the end */
	for (guint i = a->len; i > 0; i--) {
		sip_id x = g_array_index(a, sip_id, i - 1);
		if (x == id)
			return true;
		if (x < id)
			return false;
	}
	return false;
}

static void add_sorted(GArray *a, sip_id id)
{
	guint i = a->len;
	while (i > 0 && g_array_index(a, sip_id, i - 1) > id)
		i--;
	g_array_insert_val(a, i, id);
}

void fnd_add_msg(findings *f, fnd_rec *r, sip_id msg)
{
	if (msg == SIP_ID_NONE || has_id(r->pub.messages, msg))
		return;
	if (f->cap_ids && r->pub.messages->len >= FINDING_MAX_IDS)
		return;
	add_sorted(r->pub.messages, msg);
	gpointer key = GUINT_TO_POINTER(msg + 1);
	GArray *ids = g_hash_table_lookup(f->by_msg, key);
	if (!ids) {
		ids = g_array_new(FALSE, FALSE, sizeof(sip_id));
		g_hash_table_insert(f->by_msg, key, ids);
	}
	if (!ids->len || g_array_index(ids, sip_id, ids->len - 1) != r->pub.id)
		g_array_append_val(ids, r->pub.id);
	f->generation++;
}

void fnd_add_txn(findings *f, fnd_rec *r, sip_id txn)
{
	if (txn != SIP_ID_NONE && !has_id(r->pub.txns, txn) &&
	    !(f->cap_ids && r->pub.txns->len >= FINDING_MAX_IDS)) {
		add_sorted(r->pub.txns, txn);
		f->generation++;
	}
}

void fnd_add_dialog(findings *f, fnd_rec *r, sip_id dlg)
{
	if (dlg != SIP_ID_NONE && !has_id(r->pub.dialogs, dlg) &&
	    !(f->cap_ids && r->pub.dialogs->len >= FINDING_MAX_IDS)) {
		add_sorted(r->pub.dialogs, dlg);
		f->generation++;
	}
}

/* The call's messages are in id order: start at the transaction's first
 * message and look a bounded way ahead (a transaction's messages are
 * close together in a call). */
enum { TXN_SCAN_MAX = 4096 };

void fnd_add_txn_messages(findings *f, fnd_rec *r, sip_id txn)
{
	const sip_txn *t = sip_model_txn(f->m, txn);
	if (!t)
		return;
	fnd_add_txn(f, r, txn);
	const sip_call *c = sip_model_call(f->m, t->call);
	sip_id first = t->request;
	if (t->first_provisional < first)
		first = t->first_provisional;
	if (t->final < first)
		first = t->final;
	if (!c || first == SIP_ID_NONE)
		return;
	const sip_ids *ms = c->messages;
	guint lo = 0, hi = ms->len;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		if (g_array_index(ms, sip_id, mid) < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t found = 0;
	for (guint i = lo; i < ms->len && i - lo < TXN_SCAN_MAX && found < t->messages; i++) {
		sip_id id = g_array_index(ms, sip_id, i);
		const sip_message *msg = sip_model_message(f->m, id);
		if (msg && msg->txn == txn) {
			fnd_add_msg(f, r, id);
			found++;
		}
	}
}

/* ---- text --------------------------------------------------------------------------------- */

void fnd_append_wire(GString *out, sv v, size_t max)
{
	size_t n = v.len < max ? v.len : max;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = v.p[i];
		if (c == '\\')
			g_string_append(out, "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			g_string_append_c(out, (char)c);
		else
			g_string_append_printf(out, "\\x%02X", c);
	}
	if (v.len > n)
		g_string_append(out, "...");
}

void fnd_append_ep(GString *out, const endpoint *e)
{
	char buf[ENDPOINT_STRLEN];
	if (!e || e->family == EP_NONE)
		g_string_append(out, "?");
	else
		g_string_append(out, endpoint_format(e, buf, sizeof(buf)));
}

void fnd_append_src(GString *out, const sip_message *msg)
{
	endpoint e;
	if (msg)
		e = sip_message_src(msg);
	fnd_append_ep(out, msg ? &e : NULL);
}

void fnd_append_dst(GString *out, const sip_message *msg)
{
	endpoint e;
	if (msg)
		e = sip_message_dst(msg);
	fnd_append_ep(out, msg ? &e : NULL);
}

enum { WHAT_MAX = 40 };

void fnd_append_what(GString *out, const sip_message *msg)
{
	if (msg->kind == SIP_KIND_REQUEST) {
		fnd_append_wire(out, sip_message_field(msg, SIP_FIELD_METHOD), WHAT_MAX);
		return;
	}
	if (msg->kind != SIP_KIND_RESPONSE) {
		g_string_append(out, "invalid message");
		return;
	}
	g_string_append_printf(out, "%u", msg->status);
	sv reason = sip_message_field(msg, SIP_FIELD_REASON);
	if (reason.len) {
		g_string_append_c(out, ' ');
		fnd_append_wire(out, reason, WHAT_MAX);
	}
	sv cm = sip_message_field(msg, SIP_FIELD_CSEQ_METHOD);
	if (cm.len) {
		g_string_append(out, " to ");
		fnd_append_wire(out, cm, WHAT_MAX);
	}
}

void fnd_append_duration(GString *out, int64_t ns)
{
	if (ns < 0)
		ns = 0;
	int64_t ms = (ns + 500000) / 1000000;
	if (ms >= 60000) {
		int64_t s = ms / 1000;
		if (s >= 3600)
			g_string_append_printf(out, "%" G_GINT64_FORMAT ":%02d:%02d", s / 3600,
				(int)(s / 60 % 60), (int)(s % 60));
		else
			g_string_append_printf(out, "%d:%02d", (int)(s / 60), (int)(s % 60));
		return;
	}
	if (ms % 1000 == 0)
		g_string_append_printf(out, "%d s", (int)(ms / 1000));
	else if (ms % 100 == 0)
		g_string_append_printf(out, "%d.%d s", (int)(ms / 1000), (int)(ms % 1000 / 100));
	else if (ms % 10 == 0)
		g_string_append_printf(out, "%d.%02d s", (int)(ms / 1000), (int)(ms % 1000 / 10));
	else
		g_string_append_printf(out, "%d.%03d s", (int)(ms / 1000), (int)(ms % 1000));
}

uint64_t fnd_hash_sv(sv v)
{
	/* FNV-1a 64: fold values only need to tell apart what one call holds */
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < v.len; i++) {
		h ^= v.p[i];
		h *= 0x100000001b3ull;
	}
	return h | 1;   /* never 0: 0 means "do not fold" */
}

uint64_t fnd_hash_ep(const endpoint *e)
{
	return fnd_hash_sv(sv_make(e, sizeof(*e)));
}

uint64_t fnd_hash_src(const sip_message *msg)
{
	endpoint e = sip_message_src(msg);
	return fnd_hash_ep(&e);
}

/* ---- parsing ------------------------------------------------------------------------------ */

void fnd_parse(const sip_message *msg, sip_msg *into)
{
	sip_parse_message(sip_message_raw(msg), sip_message_stream(msg), into);
}

/* ---- waits for ACKs --------------------------------------------------------------------------- */

static void wait_push(findings *f, ack_wait *w)
{
	g_ptr_array_add(f->waits, w);
}

void fnd_wait_2xx(findings *f, const sip_message *msg, const sip_msg *p)
{
	(void)p;
	ack_wait key = {
		.call_id = sip_message_field(msg, SIP_FIELD_CALL_ID),
		.to_tag = sip_message_field(msg, SIP_FIELD_TO_TAG),
		.cseq = msg->cseq,
	};
	if (g_hash_table_contains(f->waits_by_key, &key))
		return;   /* the same 2xx on another hop, or another copy */
	ack_wait *w = pool_alloc(&f->wait_pool);
	*w = key;
	w->msg = msg->id;
	w->txn = msg->txn;
	w->ack = SIP_ID_NONE;
	w->finding = SIP_ID_NONE;
	w->ts = msg->ts_ns;
	w->next_in_call = NULL;
	g_hash_table_add(f->waits_by_key, w);
	wait_push(f, w);
	if (msg->call != SIP_ID_NONE) {
		det_call *dc = fnd_call(f, msg->call);
		if (dc->waits_last)
			dc->waits_last->next_in_call = w;
		else
			dc->waits = w;
		dc->waits_last = w;
	}
}

void fnd_wait_non2xx(findings *f, const sip_message *msg, const sip_txn *t)
{
	det_txn *dt = fnd_txn(f, t->id);
	if (dt->flags & DT_NON2XX_ACK)
		return;
	dt->flags |= DT_NON2XX_ACK;
	ack_wait *w = pool_alloc(&f->wait_pool);
	*w = (ack_wait){ .non2xx = true };
	w->msg = msg->id;
	w->txn = t->id;
	w->ack = SIP_ID_NONE;
	w->finding = SIP_ID_NONE;
	w->cseq = t->cseq;
	w->ts = msg->ts_ns;
	wait_push(f, w);
}

static ack_wait *wait_lookup(findings *f, const sip_message *msg)
{
	ack_wait key = {
		.call_id = sip_message_field(msg, SIP_FIELD_CALL_ID),
		.to_tag = sip_message_field(msg, SIP_FIELD_TO_TAG),
		.cseq = msg->cseq,
	};
	return g_hash_table_lookup(f->waits_by_key, &key);
}

void fnd_ack_seen(findings *f, const sip_message *ack)
{
	ack_wait *w = wait_lookup(f, ack);
	if (w && !w->acked) {
		w->acked = true;
		w->ack = ack->id;
	}
}

const ack_wait *fnd_wait_for_ack(findings *f, const sip_message *ack)
{
	return wait_lookup(f, ack);
}

void fnd_2xx_retransmitted(findings *f, const sip_message *msg)
{
	ack_wait *w = wait_lookup(f, msg);
	if (w && !w->acked)
		w->retransmissions++;
}

static bool wait_done(findings *f, const ack_wait *w)
{
	if (!w->non2xx)
		return w->acked;
	const sip_txn *t = sip_model_txn(f->m, w->txn);
	return !t || t->ack != SIP_ID_NONE;
}

/* Judges the waits whose 64×T1 ran out by now (all at the end). */
static void waits_run(findings *f, int64_t now, bool all)
{
	GPtrArray *q = f->waits;
	int64_t wait = sip_timers_64t1(sip_model_timers(f->m));
	while (f->waits_head < q->len) {
		ack_wait *w = g_ptr_array_index(q, f->waits_head);
		if (w->ts + wait > now) {
			if (!all)
				break;   /* waits are queued in time order */
			f->waits_head++;
			continue;   /* the capture ended before its timer */
		}
		f->waits_head++;
		if (w->non2xx && !w->dropped)
			f->waits_spent++;
		if (!w->dropped && !wait_done(f, w))
			fnd_report_ack_wait(f, w);
	}
}

/* ---- the tap ----------------------------------------------------------------------------------- */

static void note_over(findings *f, sip_id call);

static void on_message(findings *f, sip_id id)
{
	/* the calls put away after the message before this one are those the
	 * forgetting modes forget as this one comes */
	for (guint i = 0; i < f->over_pending->len; i++)
		note_over(f, g_array_index(f->over_pending, sip_id, i));
	g_array_set_size(f->over_pending, 0);
	const sip_message *msg = sip_model_message(f->m, id);
	if (!msg)
		return;
	if (!f->have_first) {
		f->have_first = true;
		f->first_ts = msg->ts_ns;
	}
	/* the model's own parse while it lasts; a parse of our own otherwise */
	const sip_msg *p = sip_model_parse_of(f->m, id);
	if (!p && fnd_wants_parse(f, msg)) {
		fnd_parse(msg, f->p);
		p = f->p;
	}
	/* the waits that ran out before this message came are judged first */
	waits_run(f, sip_model_clock(f->m), false);
	fnd_check_message(f, msg, p);
}

/* Waits dropped by eviction go once they are many: judged ones before
 * the head that are still there stay (an ACK may yet come for them). */
static void waits_compact(findings *f)
{
	GPtrArray *q = f->waits;
	guint garbage = f->waits_dropped + f->waits_spent;
	if (garbage < 1024 || garbage * 2 < q->len)
		return;
	guint w = 0, head = 0;
	for (guint i = 0; i < q->len; i++) {
		ack_wait *x = g_ptr_array_index(q, i);
		/* judged non-2xx waits are of no more use either */
		if (x->dropped || (i < f->waits_head && x->non2xx)) {
			pool_free(&f->wait_pool, x);
			continue;
		}
		if (i < f->waits_head)
			head++;
		g_ptr_array_index(q, w++) = x;
	}
	g_ptr_array_set_size(q, w);
	f->waits_head = head;
	f->waits_dropped = 0;
	f->waits_spent = 0;
}

/* A 2xx wait of a call forgotten (or over for good): out of the table,
 * never judged again. */
static void drop_wait(findings *f, ack_wait *w)
{
	if (w->finding != SIP_ID_NONE && !w->non2xx)
		fnd_ack_wait_aftermath(f, w);
	g_hash_table_remove(f->waits_by_key, w);
	w->dropped = true;
	f->waits_dropped++;
}

/* What the detector kept about these transactions goes. */
static void release_txns(findings *f, const sip_ids *txns)
{
	for (guint i = 0; txns && i < txns->len; i++)
		det_release(&f->txns, txns->data[i], txn_fini);
}

/* A call is evicted (limits): its 2xx waits leave the table (their keys
 * are views into its messages) and those not judged yet never are, since
 * whether the ACK came can no longer be told.  Its transactions' non-2xx
 * waits judge themselves done once the transaction is gone.  What
 * findings_finish would add to the waits that found no ACK (how the
 * session went on: its dialog torn down, and by whom) is added now, from
 * the same messages: a call forgotten as finished was quiet for longer
 * than any wait, and one evicted to make room has nothing more to say
 * either. */
static void forget_detectors(findings *f, sip_id call, const sip_ids *msgs, const sip_ids *txns,
	const sip_ids *dialogs)
{
	if (call != SIP_ID_NONE) {
		/* the call's 2xx waits, in the order of their messages: found by
		 * its record rather than by the key of each of its responses,
		 * which would read the Call-ID and tag of each (long behind the
		 * reader, their pages given back) */
		const det_call *dc = det_peek(&f->calls, call);
		for (ack_wait *w = dc ? dc->waits : NULL; w; w = w->next_in_call)
			drop_wait(f, w);
	} else {
		/* a group of messages without Call-ID: their waits are in no
		 * call's list */
		for (guint i = 0; msgs && i < msgs->len; i++) {
			const sip_message *msg = sip_model_message(f->m, msgs->data[i]);
			if (!msg || msg->kind != SIP_KIND_RESPONSE)
				continue;
			ack_wait *w = wait_lookup(f, msg);
			if (w && w->msg == msg->id)
				drop_wait(f, w);
		}
	}
	/* non-2xx waits of its transactions judge themselves done once the
	 * transaction is gone (wait_done) */
	/* what the detector kept about its objects is of no more use */
	release_txns(f, txns);
	for (guint i = 0; dialogs && i < dialogs->len; i++)
		det_release(&f->dialogs, dialogs->data[i], NULL);
	det_release(&f->calls, call, call_fini);
	waits_compact(f);
}

static void on_evict(findings *f, sip_id call)
{
	const sip_ids *msgs, *txns, *dialogs;
	sip_model_evicting(f->m, &msgs, &txns, &dialogs);
	forget_detectors(f, call, msgs, txns, dialogs);
}

/* over_calls: the bit of a call. */
static void note_over(findings *f, sip_id call)
{
	guint w = call / 64;
	if (w >= f->over_calls->len)
		g_array_set_size(f->over_calls, w + 1);
	g_array_index(f->over_calls, uint64_t, w) |= (uint64_t)1 << (call % 64);
}

static bool was_over(const findings *f, sip_id call)
{
	guint w = call / 64;
	return w < f->over_calls->len &&
	       (g_array_index(f->over_calls, uint64_t, w) >> (call % 64) & 1);
}

/* Where every call is kept, a call over for good (SIP_EV_OVER) is to the
 * detector what a call forgotten as finished is where they are forgotten
 * (on_evict): the same calls at the same point, the model's clock after
 * the message before the one that would see it gone.  Its records stay;
 * what the detector kept to judge its later messages goes, as none can
 * come. */
static void on_over(findings *f, sip_id call)
{
	g_array_append_val(f->over_pending, call);
	const sip_call *c = sip_model_call(f->m, call);
	if (c)
		forget_detectors(f, call, c->messages, c->txns, c->dialogs);
}

static void on_event(void *user, const sip_model *m, sip_event ev, sip_id id)
{
	findings *f = user;
	(void)m;
	if (f->retired)
		return;
	switch (ev) {
	case SIP_EV_EVICT:
		on_evict(f, id);
		break;
	case SIP_EV_OVER:
		on_over(f, id);
		break;
	case SIP_EV_SHED: {
		/* transactions over for good, of a call without INVITE traffic:
		 * no message of theirs comes again, and no wait is theirs */
		const sip_ids *msgs, *txns, *dialogs;
		sip_model_evicting(f->m, &msgs, &txns, &dialogs);
		release_txns(f, txns);
		break;
	}
	case SIP_EV_EVICT_REGISTRATION: {
		/* judged as at the end of the capture, then forgotten */
		const sip_registration *r = sip_model_registration(f->m, id);
		if (r)
			fnd_check_registration(f, r);
		det_release(&f->regs, id, NULL);
		break;
	}
	case SIP_EV_MESSAGE:
		on_message(f, id);
		break;
	case SIP_EV_TXN: {
		const sip_txn *t = sip_model_txn(f->m, id);
		if (t)
			fnd_check_txn(f, t);
		break;
	}
	case SIP_EV_REGISTRATION: {
		const sip_registration *r = sip_model_registration(f->m, id);
		if (r)
			fnd_check_registration(f, r);
		break;
	}
	default:
		break;
	}
}

void findings_finish(findings *f)
{
	if (f->finished)
		return;
	f->finished = true;
	waits_run(f, sip_model_clock(f->m), true);
	for (guint i = 0; i < f->waits->len; i++) {
		const ack_wait *w = g_ptr_array_index(f->waits, i);
		if (w->finding != SIP_ID_NONE && !w->non2xx && !w->dropped)
			fnd_ack_wait_aftermath(f, w);
	}
	for (guint i = 0, n = sip_model_txn_count(f->m); i < n; i++)
		fnd_check_txn(f, sip_model_txn(f->m, i));
	for (guint i = 0, n = sip_model_registration_count(f->m); i < n; i++)
		fnd_check_registration(f, sip_model_registration(f->m, i));
	/* a call put away as over for good is one the forgetting modes
	 * forgot before the end: what the end would say of it is not said
	 * there either (an answered call without a dialog that lasted, say,
	 * is still "active" but was over long before) */
	for (guint i = 0, n = sip_model_call_count(f->m); i < n; i++)
		if (!was_over(f, i))
			fnd_check_call_end(f, sip_model_call(f->m, i));
}

void findings_retire(findings *f)
{
	if (!f->finished || f->retired)
		return;
	f->retired = true;
	detectors_free(f);
	f->waits = g_ptr_array_new();
	f->waits_by_key = g_hash_table_new(wait_hash, wait_equal);
	f->waits_head = f->waits_dropped = f->waits_spent = 0;
}

/* ---- forgetting ------------------------------------------------------------------------------ */

void findings_forget_call(findings *f, sip_id call)
{
	if (call == SIP_ID_NONE)
		return;
	gpointer ck = GUINT_TO_POINTER(call + 1);
	GArray *ids = g_hash_table_lookup(f->by_call, ck);
	if (!ids)
		return;
	for (guint i = 0; i < ids->len; i++) {
		sip_id fid = g_array_index(ids, sip_id, i);
		fnd_rec *r = idtab_get(&f->recs, fid);
		if (!r)
			continue;
		for (guint k = 0; k < r->pub.messages->len; k++) {
			gpointer mk = GUINT_TO_POINTER(g_array_index(r->pub.messages, sip_id, k) + 1);
			GArray *of = g_hash_table_lookup(f->by_msg, mk);
			if (!of)
				continue;
			for (guint j = 0; j < of->len; j++) {
				if (g_array_index(of, sip_id, j) == fid) {
					g_array_remove_index(of, j);
					break;
				}
			}
			if (of->len == 0) {
				g_hash_table_remove(f->by_msg, mk);
				free_id_array(of);
			}
		}
		if (r->fold) {
			fold_key k = { r->kind, call, r->fold };
			g_hash_table_remove(f->folded, &k);
		}
		idtab_remove(&f->recs, fid);
		rec_free(r);
	}
	g_hash_table_remove(f->by_call, ck);   /* frees ids */
	f->generation++;
}

/* ---- accessors ------------------------------------------------------------------------------- */

guint findings_count(const findings *f)
{
	return f->recs.len;
}

const finding *findings_get(const findings *f, sip_id id)
{
	const fnd_rec *r = idtab_get(&f->recs, id);
	return r ? &r->pub : NULL;
}

guint findings_count_at_least(const findings *f, finding_severity min)
{
	guint n = 0;
	for (unsigned sev = (unsigned)min; sev < 3; sev++)
		n += f->by_severity[sev];
	return n;
}

const GArray *findings_of_call(const findings *f, sip_id call)
{
	if (call == SIP_ID_NONE)
		return f->no_call->len ? f->no_call : NULL;
	return g_hash_table_lookup(f->by_call, GUINT_TO_POINTER(call + 1));
}

const GArray *findings_of_message(const findings *f, sip_id msg)
{
	if (msg == SIP_ID_NONE)
		return NULL;
	return g_hash_table_lookup(f->by_msg, GUINT_TO_POINTER(msg + 1));
}

int findings_message_severity(const findings *f, sip_id msg)
{
	const GArray *ids = findings_of_message(f, msg);
	int worst = -1;
	for (guint i = 0; ids && i < ids->len; i++) {
		const finding *x = findings_get(f, g_array_index(ids, sip_id, i));
		if (x && (int)x->severity > worst)
			worst = (int)x->severity;
	}
	return worst;
}

uint64_t findings_generation(const findings *f)
{
	return f->generation;
}
