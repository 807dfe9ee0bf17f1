/*
 * registration.c — the location service rebuilt from REGISTER transactions
 * (RFC 3261 §10): bindings granted by 2xx responses, refreshes, removals
 * (Contact: * / expires 0), expiry, challenges and failures per AOR.
 */
#include "dissect/registration.h"

#include <string.h>

#include "dissect/sip_header.h"

enum { REG_DEFAULT_EXPIRES = 3600, REG_MAX_REQUESTED = 16, REG_ARENA_CHUNK = 512 };

#define NS_PER_S INT64_C(1000000000)

/* What a REGISTER asked for, kept from its parse so that its 2xx needs
 * no second one: the values of its Contact fields (views into the
 * request's bytes, which live as long as its transaction) and its
 * Expires. */
typedef struct reg_ask {
	bool has_expires;
	uint32_t expires;
	uint32_t n_contacts;
	sv contacts[];
} reg_ask;

/* The items of the request's Contact fields, as sip_list_next gives them. */
typedef struct ask_iter {
	const reg_ask *a;
	uint32_t next;
	sv rest;
} ask_iter;

static void ask_iter_init(ask_iter *it, const reg_ask *a)
{
	*it = (ask_iter){ a, 0, SV_NULL };
}

static bool ask_iter_next(ask_iter *it, sv *item)
{
	for (;;) {
		while (sip_list_split(&it->rest, item))
			if (item->len)
				return true;
		if (it->next >= it->a->n_contacts)
			return false;
		it->rest = it->a->contacts[it->next++];
	}
}

static const reg_ask *ask_keep(const mdl_ctx *c)
{
	const sip_msg *p = c->parsed;
	uint32_t n = 0;
	sip_hdr_iter hi;
	sip_header h;
	sip_hdr_iter_init(&hi, p, SIP_HDR_CONTACT);
	while (sip_hdr_iter_next(&hi, &h))
		n++;
	size_t size = sizeof(reg_ask) + (size_t)n * sizeof(sv);
	/* freed with the transaction where calls may shed theirs */
	reg_ask *a = c->side ? blocks_alloc(c->side, size) : arena_alloc(c->keep, size);
	a->expires = 0;
	a->has_expires = sip_msg_expires(p, &a->expires);
	a->n_contacts = 0;
	sip_hdr_iter_init(&hi, p, SIP_HDR_CONTACT);
	while (a->n_contacts < n && sip_hdr_iter_next(&hi, &h))
		a->contacts[a->n_contacts++] = h.value.p ? mdl_view(c, h.value) : SV_NULL;
	return a;
}

typedef struct bind_key {
	reg_uri_key uri;
	sip_id reg;
	guint index;             /* into the registration's bindings */
} bind_key;

/* ---- keys --------------------------------------------------------------------- */

static void uri_key(sv text, bool with_port, reg_uri_key *k)
{
	memset(k, 0, sizeof(*k));
	sip_uri u;
	text = sv_trim(text);
	if (sip_uri_parse(text, &u) && (u.scheme == SIP_URI_SIP || u.scheme == SIP_URI_SIPS)) {
		k->scheme = (uint8_t)u.scheme;
		k->user = u.user;
		k->host = u.host;
		if (with_port)
			k->port = u.has_port ? u.port : (u.scheme == SIP_URI_SIPS ? 5061 : 5060);
	} else if (u.scheme == SIP_URI_TEL && u.user.p) {
		k->scheme = SIP_URI_TEL;
		k->user = u.user;
	} else {
		k->scheme = SIP_URI_OTHER;
		k->user = text;
	}
}

static guint uri_key_hash(const reg_uri_key *k)
{
	uint32_t h = sv_hash(k->user);
	h = (h * 16777619u) ^ sv_hash_ci(k->host);
	h = (h * 16777619u) ^ k->port;
	return h ^ k->scheme;
}

static bool uri_key_equal(const reg_uri_key *x, const reg_uri_key *y)
{
	return x->scheme == y->scheme && x->port == y->port && sv_eq(x->user, y->user) &&
		sv_eq_ci(x->host, y->host);
}

static guint aor_hash(gconstpointer a)
{
	return uri_key_hash(a);
}

static gboolean aor_equal(gconstpointer a, gconstpointer b)
{
	return uri_key_equal(a, b);
}

static guint bind_hash(gconstpointer a)
{
	const bind_key *k = a;
	return uri_key_hash(&k->uri) ^ (k->reg * 2654435761u);
}

static gboolean bind_equal(gconstpointer a, gconstpointer b)
{
	const bind_key *x = a, *y = b;
	return x->reg == y->reg && uri_key_equal(&x->uri, &y->uri);
}

void reg_table_init(reg_table *rt, arena *mem)
{
	rt->mem = mem;
	idtab_init(&rt->recs);
	rt->by_aor = g_hash_table_new(aor_hash, aor_equal);
	rt->bindings = g_hash_table_new(bind_hash, bind_equal);
}

static void free_key(gpointer key, gpointer value, gpointer user)
{
	(void)value;
	(void)user;
	g_free(key);
}

static void rec_free(reg_table *rt, reg_rec *r)
{
	g_array_free(r->pub.bindings, TRUE);
	if (rt->copy) {
		arena_free(&r->keep);
		g_free(r);
	}
}

void reg_table_clear(reg_table *rt)
{
	if (rt->copy)
		g_hash_table_foreach(rt->bindings, free_key, NULL);
	for (guint i = 0; i < rt->recs.len; i++) {
		reg_rec *r = idtab_get(&rt->recs, i);
		if (r)
			rec_free(rt, r);
	}
	g_hash_table_destroy(rt->bindings);
	g_hash_table_destroy(rt->by_aor);
	idtab_clear(&rt->recs);
	memset(rt, 0, sizeof(*rt));
}

/* ---- registrations ---------------------------------------------------------------- */

static reg_rec *reg_for(reg_table *rt, const mdl_ctx *c)
{
	sip_addr a;
	if (!sip_msg_to(c->parsed, &a) || a.uri.len == 0)
		return NULL;
	reg_uri_key k;
	uri_key(a.uri, false, &k);
	reg_rec *r = g_hash_table_lookup(rt->by_aor, &k);
	if (r)
		return r;
	r = rt->copy ? g_new0(reg_rec, 1) : arena_alloc(rt->mem, sizeof(*r));
	if (!rt->copy)
		memset(r, 0, sizeof(*r));
	else
		arena_init(&r->keep, REG_ARENA_CHUNK);
	arena *keep = rt->copy ? &r->keep : rt->mem;
	r->pub.id = rt->recs.len;
	r->pub.aor = rt->copy ? mdl_keep(keep, a.uri) : a.uri;
	r->pub.bindings = g_array_new(FALSE, TRUE, sizeof(sip_binding));
	r->pub.first_ts = c->ts;
	r->key = k;
	r->key.user = mdl_keep(keep, k.user);
	r->key.host = mdl_keep(keep, k.host);
	idtab_add(&rt->recs, r);
	g_hash_table_insert(rt->by_aor, &r->key, r);
	rt->held++;
	return r;
}

static bool binding_live(const sip_binding *b)
{
	return b->state == BINDING_ACTIVE || b->state == BINDING_REFRESHED;
}

/* Bindings whose expiry the clock has passed; true when any changed. */
static bool expire_due(reg_rec *r, int64_t now)
{
	if (r->next_expiry == 0 || now < r->next_expiry)
		return false;
	bool any = false;
	int64_t next = 0;
	for (guint i = 0; i < r->pub.bindings->len; i++) {
		sip_binding *b = &g_array_index(r->pub.bindings, sip_binding, i);
		if (!binding_live(b))
			continue;
		if (b->expires_ts <= now) {
			b->state = BINDING_EXPIRED;
			b->removed_ts = b->expires_ts;
			any = true;
		} else if (next == 0 || b->expires_ts < next) {
			next = b->expires_ts;
		}
	}
	r->next_expiry = next;
	return any;
}

static void note_expiry(reg_rec *r, int64_t ts)
{
	if (r->next_expiry == 0 || ts < r->next_expiry)
		r->next_expiry = ts;
}

static void remove_binding(sip_binding *b, const txn_rec *tx, int64_t ts)
{
	if (!binding_live(b))
		return;
	b->state = BINDING_REMOVED;
	b->removed_ts = ts;
	b->register_txn = tx->pub.id;
}

static sip_binding *binding_find(reg_table *rt, reg_rec *r, const reg_uri_key *k)
{
	bind_key probe = { *k, r->pub.id, 0 };
	bind_key *bk = g_hash_table_lookup(rt->bindings, &probe);
	return bk ? &g_array_index(r->pub.bindings, sip_binding, bk->index) : NULL;
}

typedef struct reg_update {
	const txn_rec *tx;
	const sip_message *req;   /* NULL when the REGISTER was not seen (or is gone) */
	const reg_ask *ask;       /* what req asked; NULL with it */
	const sip_message *resp;
	int64_t ts;
	sv call_id;               /* the transaction's (txn_call_id) */
} reg_update;

static void binding_set(reg_table *rt, reg_rec *r, const reg_update *u, sv uri, uint32_t granted,
	uint32_t requested, const sip_contact *ct)
{
	reg_uri_key k;
	uri_key(uri, true, &k);
	sip_binding *b = binding_find(rt, r, &k);
	if (granted == 0) {
		if (b)
			remove_binding(b, u->tx, u->ts);
		return;
	}
	if (!b) {
		sip_binding nb;
		memset(&nb, 0, sizeof(nb));
		g_array_append_val(r->pub.bindings, nb);
		arena *keep = rt->copy ? &r->keep : rt->mem;
		bind_key *bk = rt->copy ? g_new(bind_key, 1) : arena_alloc(rt->mem, sizeof(*bk));
		*bk = (bind_key){ k, r->pub.id, r->pub.bindings->len - 1 };
		bk->uri.user = mdl_keep(keep, k.user);
		bk->uri.host = mdl_keep(keep, k.host);
		g_hash_table_add(rt->bindings, bk);
		b = &g_array_index(r->pub.bindings, sip_binding, bk->index);
		b->state = BINDING_ACTIVE;
		b->registered_ts = u->ts;
	} else if (binding_live(b)) {
		if (b->register_txn != u->tx->pub.id) {
			b->state = BINDING_REFRESHED;
			b->refreshes++;
			b->refreshed_ts = u->ts;
		}
	} else {
		b->state = BINDING_ACTIVE;
		b->registered_ts = u->ts;
		b->removed_ts = 0;
	}
	if (!rt->copy)
		b->contact = uri;
	else if (!b->contact.p || !sv_eq(b->contact, uri))
		b->contact = mdl_keep(&r->keep, uri);
	b->expires = granted;
	b->requested_expires = requested;
	b->expires_ts = u->ts + (int64_t)granted * NS_PER_S;
	b->q = ct->has_q ? ct->q / 1000.0 : -1;
	/* the transaction's copy goes with its call when the model has
	 * limits: the binding keeps its own, made again only when it changes */
	if (!b->call_id.p || !sv_eq(b->call_id, u->call_id))
		b->call_id = mdl_keep(rt->copy ? &r->keep : rt->mem, u->call_id);
	b->cseq = u->tx->pub.cseq;
	b->source = u->req ? sip_message_src(u->req) : sip_message_dst(u->resp);
	b->register_txn = u->tx->pub.id;
	note_expiry(r, b->expires_ts);
}

typedef struct requested {
	reg_uri_key k;
	uint32_t expires;
} requested;

static uint32_t requested_for(const requested *rq, unsigned n, sv uri)
{
	reg_uri_key k;
	uri_key(uri, true, &k);
	for (unsigned i = 0; i < n; i++)
		if (uri_key_equal(&rq[i].k, &k))
			return rq[i].expires;
	return UINT32_MAX;
}

/* The 2xx: the registrar's list of bindings. */
static void apply_2xx(reg_table *rt, reg_rec *r, const reg_update *u, const sip_msg *resp)
{
	requested rq[REG_MAX_REQUESTED];
	unsigned n_rq = 0;
	bool remove_all = false, adds = false;
	const reg_ask *req = u->ask;
	uint32_t req_hdr = 0;
	bool has_req_hdr = false;
	sip_list_iter it;
	ask_iter ai;
	sv item;
	sip_contact ct;

	if (req) {
		has_req_hdr = req->has_expires;
		req_hdr = req->expires;
		ask_iter_init(&ai, req);
		while (ask_iter_next(&ai, &item)) {
			if (!sip_contact_parse(item, &ct))
				continue;
			if (ct.star) {
				remove_all = true;
				continue;
			}
			uint32_t e = ct.has_expires ? ct.expires : has_req_hdr ? req_hdr : UINT32_MAX;
			if (e == 0) {
				binding_set(rt, r, u, ct.addr.uri, 0, 0, &ct);
				continue;
			}
			adds = true;
			if (n_rq < REG_MAX_REQUESTED) {
				uri_key(ct.addr.uri, true, &rq[n_rq].k);
				rq[n_rq++].expires = e;
			}
		}
	}
	if (remove_all) {
		for (guint i = 0; i < r->pub.bindings->len; i++)
			remove_binding(&g_array_index(r->pub.bindings, sip_binding, i), u->tx, u->ts);
	}

	uint32_t hdr = 0;
	bool has_hdr = sip_msg_expires(resp, &hdr);
	unsigned listed = 0;
	sip_list_init(&it, resp, SIP_HDR_CONTACT);
	while (sip_list_next(&it, &item)) {
		if (!sip_contact_parse(item, &ct) || ct.star)
			continue;
		uint32_t e = ct.has_expires ? ct.expires : has_hdr ? hdr : REG_DEFAULT_EXPIRES;
		listed++;
		binding_set(rt, r, u, ct.addr.uri, e, requested_for(rq, n_rq, ct.addr.uri), &ct);
	}
	if (listed || !req || remove_all || !adds)
		return;
	/* a registrar that lists nothing: the REGISTER's own Contacts stand in */
	ask_iter_init(&ai, req);
	while (ask_iter_next(&ai, &item)) {
		if (!sip_contact_parse(item, &ct) || ct.star)
			continue;
		uint32_t e = ct.has_expires ? ct.expires : has_req_hdr ? req_hdr : REG_DEFAULT_EXPIRES;
		if (e == 0)
			continue;
		binding_set(rt, r, u, ct.addr.uri, e, e, &ct);
	}
}

/* ---- limits ------------------------------------------------------------------------ */

static void lru_unlink(reg_table *rt, reg_rec *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else if (rt->lru_head == r)
		rt->lru_head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else if (rt->lru_tail == r)
		rt->lru_tail = r->prev;
	r->prev = r->next = NULL;
}

static void lru_touch(reg_table *rt, reg_rec *r)
{
	if (rt->lru_tail == r)
		return;
	lru_unlink(rt, r);
	r->prev = rt->lru_tail;
	if (rt->lru_tail)
		rt->lru_tail->next = r;
	else
		rt->lru_head = r;
	rt->lru_tail = r;
}

bool reg_settle(reg_table *rt, sip_id id, int64_t now)
{
	reg_rec *r = reg_get(rt, id);
	return r && expire_due(r, now);
}

reg_rec *reg_oldest(const reg_table *rt)
{
	return rt->lru_head;
}

void reg_evict(reg_table *rt, sip_id id)
{
	reg_rec *r = reg_get(rt, id);
	if (!r || !rt->copy)
		return;
	/* its binding keys, found again from the Contacts they were made of */
	for (guint i = 0; i < r->pub.bindings->len; i++) {
		const sip_binding *b = &g_array_index(r->pub.bindings, sip_binding, i);
		bind_key key = { .reg = id };
		uri_key(b->contact, true, &key.uri);
		gpointer stored;
		if (g_hash_table_lookup_extended(rt->bindings, &key, &stored, NULL)) {
			g_hash_table_remove(rt->bindings, stored);
			g_free(stored);
		}
	}
	g_hash_table_remove(rt->by_aor, &r->key);
	lru_unlink(rt, r);
	idtab_remove(&rt->recs, id);
	rt->held--;
	rec_free(rt, r);
}

void reg_process(reg_table *rt, mdl_ctx *c, const txn_result *tr)
{
	txn_rec *tx = tr->txn;
	const sip_msg *p = c->parsed;
	if (!tx || tr->retransmission || mdl_method_code(c) != SIP_METHOD_REGISTER)
		return;
	if (p->kind == SIP_KIND_REQUEST && tx->pub.request == c->msg->id)
		tx->reg_ask = ask_keep(c);
	reg_rec *r = reg_get(rt, tx->reg);
	if (!r) {
		r = reg_for(rt, c);
		if (!r)
			return;
		tx->reg = r->pub.id;
		r->pub.registers++;
	}
	r->pub.last_ts = c->ts;
	if (rt->copy)
		lru_touch(rt, r);
	expire_due(r, c->ts);
	mdl_changed(c->ch, MDL_CH_REG, &r->stamp, r->pub.id);
	if (p->kind != SIP_KIND_RESPONSE || !tr->first_final)
		return;
	uint16_t st = p->status;
	r->pub.last_status = st;
	if (st == 401 || st == 407) {
		r->pub.challenges++;
	} else if (st >= 300) {
		r->pub.failures++;
	} else {
		const sip_message *req = mdl_msg(c->msgs, tx->pub.request);
		reg_update u = { tx, req, req ? txn_reg_ask(tx) : NULL, c->msg, c->ts, txn_call_id(tx, c) };
		apply_2xx(rt, r, &u, p);
	}
}

void reg_finish(reg_table *rt, mdl_changes *ch, int64_t end_ts)
{
	for (guint i = 0; i < rt->recs.len; i++) {
		reg_rec *r = idtab_get(&rt->recs, i);
		if (r && expire_due(r, end_ts))
			mdl_changed(ch, MDL_CH_REG, &r->stamp, r->pub.id);
	}
}

const char *sip_registration_state(const sip_registration *r)
{
	const sip_binding *newest = NULL;
	for (guint i = 0; i < r->bindings->len; i++) {
		const sip_binding *b = &g_array_index(r->bindings, sip_binding, i);
		if (binding_live(b))
			return "registered";
		if (!newest || b->removed_ts > newest->removed_ts)
			newest = b;
	}
	if (r->last_status == 0)
		return "pending";
	if (r->last_status == 401 || r->last_status == 407)
		return "challenged";
	if (r->last_status >= 300)
		return "failed";
	if (newest && newest->state == BINDING_EXPIRED)
		return "expired";
	return "unregistered";
}
