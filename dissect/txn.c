/*
 * txn.c — transactions rebuilt from the wire (RFC 3261 §17): matching by
 * Via branch / sent-by / method (or the RFC 2543 fields), retransmissions,
 * the state machines as an observer sees them, proxy hops.
 */
#include "dissect/txn.h"

#include <string.h>

#include "dissect/sip_header.h"

/* one per transaction is kept: what the layout in txn.h is for */
G_STATIC_ASSERT(sizeof(txn_rec) <= 184);

static const sv sv_invite = { (const uint8_t *)"INVITE", 6 };

/* Proxies are rarely chained deeper; the bound only guards the walks. */
enum { TXN_MAX_DEPTH = 64 };

/* ---- keys ------------------------------------------------------------------ */

/* Starts with the magic cookie (RFC 3261 §8.1.1.7) and has more.  Its
 * seven bytes lie within the first word of a branch that long: one load
 * and a compare for the usual spelling, where sv_starts_with_ci is a call
 * per message and Via. */
static bool branch_is_3261(sv b)
{
	if (b.len <= 7)
		return false;
	static const uint8_t cookie[8] = "z9hG4bK";
	uint64_t seven = 0;
	memset(&seven, 0xff, 7);   /* the mask of the first seven bytes in memory order */
	uint64_t w = sv_word_load(b.p) & seven, c = sv_word_load(cookie);
	return w == c || sv_word_lower(w) == sv_word_lower(c);
}

static uint16_t default_port(sv transport)
{
	/* most transports (UDP, TCP) are told by their first letter */
	int first = sv_lower(sv_at(transport, 0));
	if (first != 't' && first != 'w')
		return 5060;
	if (sv_starts_with_ci(transport, SV_LIT("TLS")) || sv_eq_ci_cstr(transport, "WSS"))
		return 5061;
	return 5060;
}

/* host and port of a sent-by ("host", "host:port", "[v6]:port"); the port
 * defaults by transport. */
static void sent_by_split(sv sent_by, sv transport, sv *host, uint16_t *port)
{
	sv rest = SV_NULL;
	*port = default_port(transport);
	if (sv_at(sent_by, 0) == '[') {
		ptrdiff_t close = sv_find_byte(sent_by, ']');
		if (close < 0) {
			*host = sent_by;
			return;
		}
		*host = sv_sub(sent_by, 1, (size_t)close - 1);
		rest = sv_skip(sent_by, (size_t)close + 1);
	} else {
		ptrdiff_t colon = sv_find_byte(sent_by, ':');
		*host = colon < 0 ? sent_by : sv_head(sent_by, (size_t)colon);
		rest = colon < 0 ? SV_NULL : sv_skip(sent_by, (size_t)colon);
	}
	if (sv_at(rest, 0) != ':')
		return;
	/* the usual port, one to five digits to the end, read inline as
	 * sip_uint_parse would read it; anything else is left to it */
	sv digits = sv_skip(rest, 1);
	uint32_t n = 0;
	size_t i = 0;
	for (; i < digits.len && i < 5 && (unsigned)(digits.p[i] - '0') <= 9; i++)
		n = n * 10 + (unsigned)(digits.p[i] - '0');
	if ((i > 0 && i == digits.len && n <= 65535) || sip_uint_parse(digits, 65535, &n))
		*port = (uint16_t)n;
}

void txn_prepare_via(const sip_msg *p, sv branch, uint32_t branch_hash, sv sent_by, sv transport,
	uint32_t call_id_hash, uint32_t from_tag_hash, sip_prepared_via *out)
{
	memset(out, 0, sizeof(*out));
	sent_by_split(sent_by, transport, &out->host, &out->port);
	out->rfc2543 = !branch_is_3261(branch);
	/* the method changes between lookups of one message (ACK, CANCEL):
	 * everything else is hashed here, once */
	uint32_t h = branch_hash;
	h = (h * 16777619u) ^ sv_hash_ci(out->host);
	h = (h * 16777619u) ^ out->port;
	h = (h * 16777619u) ^ call_id_hash;
	h = (h * 16777619u) ^ (p->has_cseq ? p->cseq : 0);
	if (out->rfc2543)
		h = ((h * 16777619u) ^ from_tag_hash) ^ 0x9e3779b9u;
	out->hash_base = h;
}

static void key_make(sv branch, const sip_prepared_via *v, const sip_msg *p, sip_id call, txn_key *k)
{
	memset(k, 0, sizeof(*k));
	k->host = v->host;
	k->port = v->port;
	k->branch = branch;
	k->rfc2543 = v->rfc2543;
	/* never different within a transaction, they keep a UA that reuses
	 * its branches from merging unrelated transactions */
	k->call = call;
	k->cseq = p->has_cseq ? p->cseq : 0;
	if (k->rfc2543)
		k->from_tag = p->from_tag;
	k->hash_base = v->hash_base;
}

static void key_method(txn_key *k, sv method, unsigned code)
{
	k->method = method;
	k->method_code = (uint8_t)code;
}

static uint32_t key_hash(const txn_key *k)
{
	uint32_t h = k->hash_base;
	if (k->method_code != SIP_METHOD_OTHER)
		return (h * 16777619u) ^ k->method_code;
	/* methods are short: FNV-1a inline rather than a call */
	uint32_t mh = 2166136261u;
	for (size_t i = 0; i < k->method.len; i++)
		mh = (mh ^ k->method.p[i]) * 16777619u;
	return (h * 16777619u) ^ mh;
}

/* The key a record was created with (txn_rec). */
static void rec_key(const txn_rec *r, txn_key *k)
{
	*k = (txn_key){
		.branch = txn_key_branch(r),
		.host = txn_key_host(r),
		.method = sip_txn_method(&r->pub),
		.call = r->pub.call,
		.from_tag = txn_key_from_tag(r),
		.cseq = r->pub.cseq,
		.port = r->key_port,
		.rfc2543 = r->pub.rfc2543,
		.method_code = txn_key_method_code(r),
		.hash_base = r->key_hash_base,
	};
}

static bool key_equal(const txn_rec *r, const txn_key *y)
{
	if (r->pub.rfc2543 != y->rfc2543 || r->key_port != y->port || r->pub.cseq != y->cseq ||
	    txn_key_method_code(r) != y->method_code || r->pub.call != y->call ||
	    (txn_key_method_code(r) == SIP_METHOD_OTHER && !sv_eq(sip_txn_method(&r->pub), y->method)) ||
	    !sv_eq_ci(txn_key_branch(r), y->branch) || !sv_eq_ci(txn_key_host(r), y->host))
		return false;
	return !r->pub.rfc2543 || sv_eq_ci(txn_key_from_tag(r), y->from_tag);
}

/* Distinct responses of a transaction: (txn, status, To tag). */
static uint32_t resp_hash(const sip_message *m)
{
	return (m->txn * 2654435761u) ^ ((uint32_t)m->status * 40503u) ^
		sv_hash_ci(sip_message_field(m, SIP_FIELD_TO_TAG));
}

static bool resp_equal(const sip_message *x, const sip_message *y)
{
	return x->txn == y->txn && x->status == y->status &&
		sv_eq_ci(sip_message_field(x, SIP_FIELD_TO_TAG), sip_message_field(y, SIP_FIELD_TO_TAG));
}

/* Whether an equal response is already in the set; if not, msg joins it.
 * Most transactions see two or three distinct responses (100, 180, the
 * final), and the record names two of them already (first provisional,
 * final): those and one more are kept in the record, so the index holds
 * only the rare rest (forks, odd providers) and costs nothing per
 * transaction.  The caller makes msg the first provisional or the final
 * when it is the first of its kind, as the checks below expect. */
static bool resp_seen_or_add(txn_table *t, const idtab *msgs, txn_rec *r, const sip_message *msg)
{
	const sip_id inline_ids[3] = { r->pub.first_provisional, r->pub.final, r->resp_extra };
	for (unsigned i = 0; i < 3; i++) {
		if (inline_ids[i] == SIP_ID_NONE)
			continue;
		const sip_message *o = mdl_msg(msgs, inline_ids[i]);
		if (o && resp_equal(o, msg))
			return true;
	}
	/* msg becomes the record's first provisional or final */
	bool named = msg->status < 200 ? r->pub.first_provisional == SIP_ID_NONE :
		r->pub.final == SIP_ID_NONE;
	/* nothing in the index yet: no need to hash */
	if (named) {
		if (!r->resp_overflow)
			return false;
	} else if (r->resp_extra == SIP_ID_NONE && !r->resp_overflow) {
		r->resp_extra = msg->id;
		return false;
	}
	/* the rare rest: hashing reads the To tag again */
	uint32_t h = resp_hash(msg), id;
	if (r->resp_overflow) {
		hindex_probe pr;
		hindex_probe_start(&t->responses, h, &pr);
		while (hindex_probe_next(&t->responses, &pr, &id)) {
			const sip_message *o = mdl_msg(msgs, id);
			if (o && resp_equal(o, msg))
				return true;
		}
	}
	if (named)
		return false;
	/* resp_extra is taken: it is filled before anything overflows */
	r->resp_overflow = true;
	hindex_insert(&t->responses, h, msg->id);
	return false;
}

void txn_table_init(txn_table *t, arena *mem, const sip_timers *timers, const idtab *msgs)
{
	t->mem = mem;
	t->settings = timers;
	t->msgs = msgs;
	idtab_init(&t->recs);
	hindex_init(&t->by_key);
	hindex_init(&t->responses);
	t->timers = g_array_new(FALSE, FALSE, sizeof(txn_timer));
	t->timers_head = 0;
	pool_init(&t->pool, sizeof(txn_rec), 0);
	blocks_init(&t->side);
}

void txn_index_drop(txn_table *t)
{
	hindex_clear(&t->by_key);
	hindex_init(&t->by_key);   /* empty: eviction may still remove from it */
}

void txn_index_rebuild(txn_table *t)
{
	txn_index_drop(t);
	for (guint i = 0; i < t->recs.len; i++) {
		const txn_rec *r = idtab_get(&t->recs, i);
		if (!r || r->pub.over)
			continue;
		txn_key k;
		rec_key(r, &k);
		hindex_insert(&t->by_key, key_hash(&k), r->pub.id);
	}
}

/* What a record keeps in the side blocks (see txn_rec). */
static void side_free(txn_table *t, txn_rec *r)
{
	if (!t->side_on)
		return;
	blocks_free(&t->side, (void *)r->pub.text);
	if (r->pub.method_code == SIP_METHOD_REGISTER)
		blocks_free(&t->side, (void *)r->reg_ask);
}

void txn_table_clear(txn_table *t)
{
	/* the side's large blocks are g_malloc's, given back one by one */
	for (guint i = 0; t->side_on && t->side.held && i < t->recs.len; i++) {
		txn_rec *r = idtab_get(&t->recs, i);
		if (r)
			side_free(t, r);
	}
	blocks_clear(&t->side);
	g_array_free(t->timers, TRUE);
	hindex_clear(&t->responses);
	hindex_clear(&t->by_key);
	idtab_clear(&t->recs);
	pool_clear(&t->pool);   /* every record held, at once */
	memset(t, 0, sizeof(*t));
}

/* ---- tree of hops -------------------------------------------------------------- */

txn_rec *txn_root(const txn_table *t, txn_rec *r)
{
	for (int i = 0; r && r->pub.parent != SIP_ID_NONE && i < TXN_MAX_DEPTH; i++) {
		txn_rec *up = txn_get(t, r->pub.parent);
		if (!up)
			break;
		r = up;
	}
	return r;
}

bool txn_descends(const txn_table *t, const txn_rec *r, const txn_rec *anc)
{
	for (int i = 0; r && i < TXN_MAX_DEPTH; i++) {
		if (r == anc)
			return true;
		if (r->pub.parent == SIP_ID_NONE)
			return false;
		r = txn_get(t, r->pub.parent);
	}
	return false;
}

/* ---- records ---------------------------------------------------------------------- */

/* When state s was entered; the first state's time is the request's
 * (set_request), the only way into it. */
static int64_t state_ts(const txn_table *t, const txn_rec *r, txn_state s)
{
	return mdl_txn_state_ts(t->msgs, &r->pub, s);
}

/* Proceeding is entered only by the first provisional and completed only
 * by the first final (on_response), at those responses' times, which the
 * record keeps anyway: for them ts is that time and a flag says so. */
static void set_state_ts(txn_rec *r, txn_state s, int64_t ts)
{
	switch (s) {
	case TXN_STATE_PROCEEDING:
		r->pub.proceeding_entered = true;
		break;
	case TXN_STATE_COMPLETED:
		r->pub.completed_entered = true;
		break;
	case TXN_STATE_CONFIRMED:
		r->pub.confirmed_ts = ts;
		break;
	case TXN_STATE_TERMINATED:
		r->pub.terminated_ts = ts;
		break;
	default:
		/* the first state: its time is the request's (set_request) */
		break;
	}
}

static void enter(const txn_table *t, txn_rec *r, txn_state s, int64_t ts)
{
	/* the machines only move forward; a late provisional changes nothing */
	int64_t at = state_ts(t, r, s);
	if (s <= r->pub.state && !(s == r->pub.state && at == 0))
		return;
	r->pub.state = (uint8_t)s;
	if (at == 0)
		set_state_ts(r, s, ts);
}

/* The copies of the key's views (txn_rec), one after the other. */
static uint8_t *keep_text(const mdl_ctx *c, const sv *v, unsigned n)
{
	size_t total = 0;
	for (unsigned i = 0; i < n; i++)
		total += v[i].len;
	uint8_t *text = c->side ? blocks_alloc(c->side, total) : arena_alloc(c->keep, total);
	uint8_t *at = text;
	for (unsigned i = 0; i < n; i++) {
		if (v[i].len)
			memcpy(at, v[i].p, v[i].len);
		at += v[i].len;
	}
	return text;
}

/* k->method is the method of the transaction */
static txn_rec *txn_new(txn_table *t, const mdl_ctx *c, const txn_key *k)
{
	const sip_msg *p = c->parsed;
	txn_rec *r = mdl_rec_alloc(t->mem, &t->pool, t->heap);
	memset(r, 0, sizeof(*r));
	sip_txn *x = &r->pub;
	x->id = t->recs.len;
	x->call = c->msg->call;
	x->request = x->first_provisional = x->final = x->ack = SIP_ID_NONE;
	x->cancel = x->parent = x->dialog = SIP_ID_NONE;
	/* a known method is its static name: text holds the others */
	sv method = k->method_code != SIP_METHOD_OTHER ?
		sv_from_cstr(sip_method_name(k->method_code)) : k->method;
	sv text[4] = { k->method_code != SIP_METHOD_OTHER ? SV_NULL : method, k->branch, k->host,
		k->from_tag };
	x->text = keep_text(c, text, 4);
	x->method_len = (uint32_t)method.len;
	x->method_code = k->method_code;
	x->no_method = method.p == NULL;
	x->branch_len = (uint32_t)k->branch.len;
	r->key_host_len = (uint32_t)k->host.len;
	r->key_from_tag_len = (uint32_t)k->from_tag.len;
	r->key_call_id_present = p->call_id.p != NULL;
	r->key_hash_base = k->hash_base;
	r->key_port = k->port;
	x->rfc2543 = k->rfc2543;
	x->is_invite = k->method_code == SIP_METHOD_INVITE;
	x->state = x->is_invite ? TXN_STATE_CALLING : TXN_STATE_TRYING;
	x->cseq = k->cseq;
	r->first_dialog = SIP_ID_NONE;   /* reg too */
	r->resp_extra = SIP_ID_NONE;
	r->reliable = sip_message_stream(c->msg);
	idtab_add(&t->recs, r);
	txn_key stored;
	rec_key(r, &stored);
	hindex_insert(&t->by_key, key_hash(&stored), x->id);
	return r;
}

static bool dialog_forming(unsigned code)
{
	return code == SIP_METHOD_INVITE || code == SIP_METHOD_SUBSCRIBE ||
		code == SIP_METHOD_REFER || code == SIP_METHOD_NOTIFY;
}

static void set_request(txn_rec *r, const mdl_ctx *c)
{
	const sip_msg *p = c->parsed;
	r->pub.request = c->msg->id;
	r->req_to_tag = mdl_tag_present(p->to_tag);
	r->initial_invite = r->pub.is_invite && !mdl_tag_present(p->to_tag);
	r->reliable = sip_message_stream(c->msg);
	unsigned code = c->prep->method_code;
	if (dialog_forming(code)) {
		/* the URI alone: its q and expires do not matter here */
		sip_addr ct;
		sv rest = sip_msg_value(p, SIP_HDR_CONTACT), item;
		if (rest.p && sip_list_split(&rest, &item) && sip_msg_contact_item(p, item, &ct) &&
		    !ct.star)
			sv_store32(mdl_view(c, ct.uri), &r->contact_p, &r->contact_len);
	}
	if (code == SIP_METHOD_NOTIFY) {
		sv ss = sv_trim(sip_msg_value(p, SIP_HDR_SUBSCRIPTION_STATE));
		r->notify_terminated = sv_starts_with_ci(ss, SV_LIT("terminated"));
	}
}

/* The oldest transaction under an equal key (the only one: a
 * transaction is created only when the lookup finds none). */
static txn_rec *lookup(const txn_table *t, const txn_key *k)
{
	hindex_probe pr;
	uint32_t id;
	hindex_probe_start(&t->by_key, key_hash(k), &pr);
	while (hindex_probe_next(&t->by_key, &pr, &id)) {
		txn_rec *r = idtab_get(&t->recs, id);
		if (key_equal(r, k))
			return r;
	}
	return NULL;
}

/* The downstream hop of a proxy carries the upstream hop's top Via second:
 * requests and responses alike. */
static void link_parent(const txn_table *t, txn_rec *r, const sip_msg *p, const sip_prepared *prep)
{
	if (r->pub.parent != SIP_ID_NONE || !p->has_via2)
		return;
	txn_key k;
	key_make(p->via2_branch, &prep->via2, p, r->pub.call, &k);
	key_method(&k, sip_txn_method(&r->pub), txn_key_method_code(r));
	txn_rec *up = lookup(t, &k);
	if (!up || up == r || up->pub.cseq != r->pub.cseq || up->pub.call != r->pub.call)
		return;
	r->pub.parent = up->pub.id;
}

static void link_cancel(const txn_table *t, txn_rec *cancel)
{
	if (cancel->pub.cancel != SIP_ID_NONE)
		return;
	txn_key k;
	rec_key(cancel, &k);
	key_method(&k, sv_invite, SIP_METHOD_INVITE);
	txn_rec *inv = lookup(t, &k);
	if (!inv)
		return;
	cancel->pub.cancel = inv->pub.id;
	if (inv->pub.cancel == SIP_ID_NONE)
		inv->pub.cancel = cancel->pub.id;
	/* a proxy's CANCEL downstream answers the CANCEL it got upstream */
	if (cancel->pub.parent == SIP_ID_NONE && inv->pub.parent != SIP_ID_NONE) {
		txn_rec *up = txn_get(t, inv->pub.parent);
		if (up && up->pub.cancel != SIP_ID_NONE && up->pub.cancel != cancel->pub.id)
			cancel->pub.parent = up->pub.cancel;
	}
}

/* ---- messages -------------------------------------------------------------------- */

static void on_request(txn_table *t, const mdl_ctx *c, txn_key *k, txn_result *out)
{
	const sip_msg *p = c->parsed;
	sv method = p->method;
	unsigned code = c->prep->method_code;
	txn_rec *r;

	if (code == SIP_METHOD_ACK) {
		key_method(k, sv_invite, SIP_METHOD_INVITE);
		r = lookup(t, k);
		if (r && !r->saw_2xx) {
			out->txn = r;
			if (r->pub.ack != SIP_ID_NONE) {
				out->retransmission = true;
				r->pub.request_retransmissions++;
				return;
			}
			r->pub.ack = c->msg->id;
			out->ack_joined = true;
			if (r->pub.state == TXN_STATE_COMPLETED)
				enter(t, r, TXN_STATE_CONFIRMED, c->ts);
			return;
		}
	}
	key_method(k, method, code);
	r = lookup(t, k);
	if (r) {
		out->txn = r;
		if (r->pub.request != SIP_ID_NONE) {
			out->retransmission = true;
			r->pub.request_retransmissions++;
			return;
		}
		set_request(r, c);   /* the first state's time too */
		out->request_filled = true;
	} else {
		r = txn_new(t, c, k);
		set_request(r, c);
		enter(t, r, r->pub.state, c->ts);
		out->created = true;
		out->txn = r;
		if (code == SIP_METHOD_ACK) {
			/* no response ever comes for an ACK */
			enter(t, r, TXN_STATE_TERMINATED, c->ts);
			r->pub.end = TXN_END_FINAL;
		} else {
			txn_timer e = { r->pub.id,
				mdl_msg_ts(t->msgs, r->pub.request) + sip_timers_64t1(t->settings) };
			g_array_append_val(t->timers, e);
		}
	}
	link_parent(t, r, p, c->prep);
	if (code == SIP_METHOD_CANCEL) {
		link_cancel(t, r);
	} else if (out->created && r->pub.is_invite) {
		/* the CANCEL came first (capture points out of step) */
		txn_key kc;
		rec_key(r, &kc);
		key_method(&kc, sv_make("CANCEL", 6), SIP_METHOD_CANCEL);
		txn_rec *cancel = lookup(t, &kc);
		if (cancel)
			link_cancel(t, cancel);
	}
}

static void saw_2xx(const txn_table *t, txn_rec *r, int64_t ts)
{
	if (r->saw_2xx)
		return;
	r->saw_2xx = true;
	for (int i = 0; r && i < TXN_MAX_DEPTH; i++) {
		if (r->first_2xx_ts == 0)
			r->first_2xx_ts = ts;
		if (r->pub.parent == SIP_ID_NONE)
			break;
		r = txn_get(t, r->pub.parent);
	}
}

static void on_response(txn_table *t, const mdl_ctx *c, txn_key *k, txn_result *out)
{
	const sip_msg *p = c->parsed;
	sip_message *msg = c->msg;
	/* cseq_method_code is OTHER without a CSeq */
	key_method(k, p->has_cseq ? p->cseq_method : SV_NULL, c->prep->cseq_method_code);
	txn_rec *r = lookup(t, k);
	if (!r) {
		r = txn_new(t, c, k);
		out->created = true;
	}
	out->txn = r;
	if (r->pub.parent == SIP_ID_NONE)
		link_parent(t, r, p, c->prep);
	if (out->created && k->method_code == SIP_METHOD_CANCEL)
		link_cancel(t, r);

	msg->txn = r->pub.id;   /* the response set keys on it */
	if (resp_seen_or_add(t, c->msgs, r, msg)) {
		out->retransmission = true;
		r->pub.response_retransmissions++;
		return;
	}

	sip_txn *x = &r->pub;
	uint16_t st = p->status;
	if (st < 200) {
		r->last_provisional_ts = c->ts;
		if (x->first_provisional == SIP_ID_NONE) {
			x->first_provisional = msg->id;
			out->first_provisional = true;
		}
		enter(t, r, TXN_STATE_PROCEEDING, c->ts);
		return;
	}
	if (st < 300) {
		out->new_2xx = true;
		saw_2xx(t, r, c->ts);
	}
	if (x->final == SIP_ID_NONE) {
		x->final = msg->id;
		x->final_status = st;
		x->end = TXN_END_FINAL;
		out->first_final = true;
		enter(t, r, x->is_invite && st < 300 ? TXN_STATE_TERMINATED : TXN_STATE_COMPLETED, c->ts);
	}
}

void txn_process(txn_table *t, mdl_ctx *c, txn_result *out)
{
	memset(out, 0, sizeof(*out));
	const sip_msg *p = c->parsed;
	if (p->kind == SIP_KIND_INVALID)
		return;
	txn_key k;
	key_make(p->branch, &c->prep->via, p, c->msg->call, &k);
	if (p->kind == SIP_KIND_REQUEST)
		on_request(t, c, &k, out);
	else
		on_response(t, c, &k, out);
	txn_rec *r = out->txn;
	c->msg->txn = r->pub.id;
	c->msg->retransmission = out->retransmission;
	r->pub.messages++;
	mdl_changed(c->ch, MDL_CH_TXN, &r->stamp, r->pub.id);
}

/* ---- end of capture --------------------------------------------------------------- */

static int64_t no_final_deadline(const txn_table *t, const txn_rec *r)
{
	const sip_txn *x = &r->pub;
	if (x->is_invite && x->state == TXN_STATE_PROCEEDING)
		return r->last_provisional_ts + t->settings->timer_c_ns;
	int64_t base = mdl_msg_ts(t->msgs, x->request);
	if (!base)
		base = mdl_msg_ts(t->msgs, x->first_provisional);
	return base + sip_timers_64t1(t->settings);
}

void txn_tick(txn_table *t, mdl_changes *ch, int64_t now, GArray *expired)
{
	GArray *q = t->timers;
	while (t->timers_head < q->len) {
		const txn_timer *e = &g_array_index(q, txn_timer, t->timers_head);
		txn_rec *r = txn_get(t, e->id);
		if (!r) {
			t->timers_head++;   /* evicted */
			continue;
		}
		int64_t deadline = e->deadline;
		if (deadline > now)
			break;   /* requests come in time order: the rest are younger */
		t->timers_head++;
		sip_txn *x = &r->pub;
		if (x->final != SIP_ID_NONE || x->state == TXN_STATE_TERMINATED ||
		    (x->is_invite && x->state == TXN_STATE_PROCEEDING))
			continue;
		x->end = TXN_END_NO_FINAL;
		enter(t, r, TXN_STATE_TERMINATED, deadline);
		mdl_changed(ch, MDL_CH_TXN, &r->stamp, x->id);
		g_array_append_val(expired, x->id);
	}
	mdl_queue_trim(q, &t->timers_head);
}

/* The timers that ran out by end_ts; at_end: the capture ends there
 * (a transaction still waiting then is TXN_END_CAPTURE_ENDED). */
static void settle(txn_table *t, txn_rec *r, mdl_changes *ch, int64_t end_ts, bool at_end)
{
	{
		sip_txn *x = &r->pub;
		if (x->state == TXN_STATE_TERMINATED)
			return;
		if (x->final == SIP_ID_NONE) {
			int64_t deadline = no_final_deadline(t, r);
			txn_end was = x->end;
			if (end_ts >= deadline) {
				x->end = TXN_END_NO_FINAL;
				enter(t, r, TXN_STATE_TERMINATED, deadline);
			} else if (at_end) {
				x->end = TXN_END_CAPTURE_ENDED;
			}
			if (x->end != was)
				mdl_changed(ch, MDL_CH_TXN, &r->stamp, x->id);
			return;
		}
		int64_t when = 0;
		int64_t t4 = r->reliable ? 0 : t->settings->t4_ns;
		/* confirmed is entered only by the ACK, at its time */
		if (x->state == TXN_STATE_CONFIRMED)
			when = x->confirmed_ts + t4; /* Timer I */
		else if (x->state == TXN_STATE_COMPLETED)
			when = mdl_msg_ts(t->msgs, x->final) +
				(x->is_invite ? sip_timers_64t1(t->settings) /* Timer H */
					      : t4);                         /* Timer K */
		if (when && end_ts >= when) {
			enter(t, r, TXN_STATE_TERMINATED, when);
			mdl_changed(ch, MDL_CH_TXN, &r->stamp, x->id);
		}
	}
}

void txn_finish(txn_table *t, mdl_changes *ch, int64_t end_ts)
{
	for (guint i = 0; i < t->recs.len; i++) {
		txn_rec *r = idtab_get(&t->recs, i);
		if (r)
			settle(t, r, ch, end_ts, true);
	}
}

void txn_settle(txn_table *t, mdl_changes *ch, sip_id id, int64_t now)
{
	txn_rec *r = txn_get(t, id);
	if (r)
		settle(t, r, ch, now, false);
}

/* ---- eviction ------------------------------------------------------------------ */

void txn_forget_message(txn_table *t, const sip_message *msg)
{
	if (msg->kind != SIP_KIND_RESPONSE || msg->txn == SIP_ID_NONE)
		return;
	/* only responses past the three a record names are in the index (a
	 * transaction already gone may have had some) */
	const txn_rec *r = txn_get(t, msg->txn);
	if (r && (!r->resp_overflow || msg->id == r->pub.first_provisional ||
		  msg->id == r->pub.final || msg->id == r->resp_extra))
		return;
	hindex_remove(&t->responses, resp_hash(msg), msg->id);
}

void txn_unindex(txn_table *t, sip_id id)
{
	const txn_rec *r = txn_get(t, id);
	if (!r)
		return;
	/* the key never changes: its hash is computed again rather than kept */
	txn_key stored;
	rec_key(r, &stored);
	hindex_remove(&t->by_key, key_hash(&stored), id);
}

void txn_retire(txn_table *t, sip_id id)
{
	txn_rec *r = txn_get(t, id);
	if (!r || r->pub.over)
		return;
	txn_unindex(t, id);
	r->pub.over = true;
}

void txn_evict(txn_table *t, sip_id id)
{
	txn_rec *r = txn_get(t, id);
	if (!r)
		return;
	if (!r->pub.over)
		txn_unindex(t, id);
	idtab_remove(&t->recs, id);
	side_free(t, r);
	mdl_rec_free(&t->pool, t->heap, r);
}
