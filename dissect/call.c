/*
 * call.c — calls: every message of a Call-ID, the outcome of the initial
 * INVITE (any 2xx wins; failed re-INVITEs and UPDATEs do not count), the
 * times (start, ringing, answer, end), who ended it, related Call-IDs.
 */
#include "dissect/call.h"

#include <string.h>

#include "dissect/sip_header.h"

enum {
	PENDING_MAX_CALLERS = 4,
	/* a call's copies with limits (its messages' bytes, Call-ID, branches,
	 * tags): a few kilobytes for most calls when they hold their messages'
	 * bytes, a few hundred when they hold keys only (forgetting finished
	 * calls alone), so its arena starts small and grows */
	CALL_ARENA_FIRST = 256,
	CALL_ARENA_CHUNK = 2048,
};

/* A Call-ID named by related-call headers before its call appeared. */
typedef struct call_pending {
	sv name;                 /* into a message, or copied to the arena */
	uint32_t n;
	sip_id callers[PENDING_MAX_CALLERS];
} call_pending;

static guint sv_ptr_hash(gconstpointer a)
{
	return sv_hash(*(const sv *)a);
}

static gboolean sv_ptr_equal(gconstpointer a, gconstpointer b)
{
	return sv_eq(*(const sv *)a, *(const sv *)b);
}

void call_table_init(call_table *ct, arena *mem)
{
	ct->mem = mem;
	idtab_init(&ct->recs);
	hindex_init(&ct->by_id);
	ct->pending = g_hash_table_new_full(sv_ptr_hash, sv_ptr_equal, NULL, g_free);
	ct->scratch = g_string_new(NULL);
	ct->no_related = g_ptr_array_new();
	pool_init(&ct->pool, sizeof(call_rec), 0);
}

/* A list of r that starts in r->inline_ids (call_rec). */
static void call_ids_push(sip_ids *a, const sip_id *start, sip_id id)
{
	if (a->len == a->cap) {
		if (a->data == start) {
			/* leaving the record: the list owns its storage from now on */
			sip_id *d = g_new(sip_id, (gsize)a->cap * 2);
			memcpy(d, a->data, a->len * sizeof(*d));
			a->data = d;
			a->cap *= 2;
		} else {
			mdl_ids_grow(a);
		}
	}
	a->data[a->len++] = id;
}

static void call_ids_free(sip_ids *a, const sip_id *start)
{
	if (a->data != start)
		g_free(a->data);
	*a = (sip_ids){ 0 };
}

static sip_id *msgs_start(call_rec *r)
{
	return r->inline_ids;
}

static sip_id *txns_start(call_rec *r)
{
	return r->inline_ids + CALL_INLINE_MSGS;
}

static sip_id *dialogs_start(call_rec *r)
{
	return r->inline_ids + CALL_INLINE_MSGS + CALL_INLINE_TXNS;
}

static void rec_free_lists(call_table *ct, call_rec *r)
{
	call_ids_free(&r->messages, msgs_start(r));
	call_ids_free(&r->dialogs, dialogs_start(r));
	call_ids_free(&r->txns, txns_start(r));
	if (r->pub.related != ct->no_related)
		g_ptr_array_free(r->pub.related, TRUE);
}

void call_table_clear(call_table *ct)
{
	for (guint i = 0; i < ct->recs.len; i++) {
		call_rec *r = idtab_get(&ct->recs, i);
		if (!r)
			continue;
		rec_free_lists(ct, r);
		if (ct->heap)
			arena_free(&r->own.keep);
	}
	pool_clear(&ct->pool);   /* every record held, at once */
	g_ptr_array_free(ct->no_related, TRUE);
	g_hash_table_destroy(ct->pending);
	hindex_clear(&ct->by_id);
	idtab_clear(&ct->recs);
	g_string_free(ct->scratch, TRUE);
	memset(ct, 0, sizeof(*ct));
}

call_rec *call_find(const call_table *ct, sv call_id)
{
	return call_find_hashed(ct, call_id, sv_hash(call_id));
}

call_rec *call_find_hashed(const call_table *ct, sv call_id, uint32_t hash)
{
	hindex_probe pr;
	uint32_t id;
	hindex_probe_start(&ct->by_id, hash, &pr);
	while (hindex_probe_next(&ct->by_id, &pr, &id)) {
		call_rec *r = idtab_get(&ct->recs, id);
		if (sv_eq(r->pub.call_id, call_id))
			return r;
	}
	return NULL;
}

static void changed(mdl_changes *ch, call_rec *r)
{
	mdl_changed(ch, MDL_CH_CALL, &r->stamp, r->pub.id);
}

/* ---- related calls --------------------------------------------------------- */

static bool add_related(call_table *ct, call_rec *r, sv name)
{
	GPtrArray *rel = r->pub.related;
	for (guint i = 0; i < rel->len; i++) {
		const char *s = g_ptr_array_index(rel, i);
		if (strlen(s) == name.len && memcmp(s, name.p, name.len) == 0)
			return false;
	}
	if (rel->len >= SIP_CALL_MAX_RELATED || memchr(name.p, 0, name.len))
		return false;
	if (rel == ct->no_related)
		r->pub.related = rel = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(rel, g_strndup((const char *)name.p, name.len));
	return true;
}

/* Whether r is over for good (ct->gone then closed it). */
static bool is_gone(call_table *ct, call_rec *r)
{
	return ct->gone && ct->clock - r->last_clock > ct->gone_quiet_ns &&
		ct->gone(ct->gone_user, r);
}

/* The call of call_id that is still open: one found over for good is
 * closed and not found. */
static call_rec *find_open(call_table *ct, sv call_id, uint32_t hash)
{
	call_rec *r = call_find_hashed(ct, call_id, hash);
	return r && !is_gone(ct, r) ? r : NULL;
}

/* name may point into scratch: what is kept of it is a copy */
static void link_related(call_table *ct, call_rec *r, sv name, mdl_changes *ch)
{
	name = sv_trim(name);
	if (name.len == 0 || sv_eq(name, r->pub.call_id) || !add_related(ct, r, name))
		return;
	changed(ch, r);
	call_rec *o = find_open(ct, name, sv_hash(name));
	if (o) {
		if (add_related(ct, o, r->pub.call_id))
			changed(ch, o);
		return;
	}
	call_pending *pd = g_hash_table_lookup(ct->pending, &name);
	if (!pd) {
		/* on the heap: a wait ends when the call appears, or when every
		 * call waiting for it is evicted */
		pd = g_malloc0(sizeof(*pd) + name.len);
		memcpy(pd + 1, name.p, name.len);
		pd->name = sv_make((const uint8_t *)(pd + 1), name.len);
		g_hash_table_insert(ct->pending, &pd->name, pd);
	}
	for (uint32_t i = 0; i < pd->n; i++)
		if (pd->callers[i] == r->pub.id)
			return;
	if (pd->n < PENDING_MAX_CALLERS)
		pd->callers[pd->n++] = r->pub.id;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = sv_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Refer-To: <sip:x@y?Replaces=call-id%3Bto-tag%3D..%3Bfrom-tag%3D..> */
static bool refer_to_replaces(const sip_msg *p, GString *out)
{
	sv v = sip_msg_value(p, SIP_HDR_REFER_TO);
	sip_addr a;
	sip_uri u;
	if (!v.p || !sip_addr_parse(v, &a) || !sip_uri_parse(a.uri, &u) || !u.headers.p)
		return false;
	sv rest = u.headers;
	while (rest.len) {
		ptrdiff_t amp = sv_find_byte(rest, '&');
		sv item = amp < 0 ? rest : sv_head(rest, (size_t)amp);
		rest = amp < 0 ? SV_NULL : sv_skip(rest, (size_t)amp + 1);
		ptrdiff_t eq = sv_find_byte(item, '=');
		if (eq < 0 || !sv_eq_ci_cstr(sv_head(item, (size_t)eq), "Replaces"))
			continue;
		sv val = sv_skip(item, (size_t)eq + 1);
		g_string_truncate(out, 0);
		for (size_t i = 0; i < val.len; i++) {
			int c = val.p[i];
			if (c == '%' && hexval(sv_at(val, i + 1)) >= 0 && hexval(sv_at(val, i + 2)) >= 0) {
				c = hexval(val.p[i + 1]) * 16 + hexval(val.p[i + 2]);
				i += 2;
			}
			if (c == ';')
				break;
			g_string_append_c(out, (char)c);
		}
		return out->len > 0;
	}
	return false;
}

static bool is_related_name(sv name)
{
	return sv_eq_ci_cstr(name, "X-Call-ID") || sv_eq_ci_cstr(name, "X-CID") ||
		sv_eq_ci_cstr(name, "X-Orig-Call-ID");
}

static void find_related(call_table *ct, call_rec *r, const sip_msg *p, mdl_changes *ch)
{
	/* one pass over the unknown headers instead of a search per name, and
	 * none when the parser saw no X- header */
	if (!p->has_x_header) {
		/* nothing to link by name */
	} else if (p->index_full) {
		static const char *const names[] = { "X-Call-ID", "X-CID", "X-Orig-Call-ID" };
		for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
			sv v = sip_msg_find_cstr(p, names[i]);
			if (v.p)
				link_related(ct, r, v, ch);
		}
	} else {
		for (unsigned i = 0; i < p->n_headers; i++) {
			const sip_header *h = &p->headers[i];
			if (h->id == SIP_HDR_UNKNOWN && (sv_at(h->name, 0) | 0x20) == 'x' &&
			    is_related_name(h->name))
				link_related(ct, r, h->value, ch);
		}
	}
	sv rep = sip_msg_value(p, SIP_HDR_REPLACES);
	if (rep.p) {
		ptrdiff_t semi = sv_find_byte(rep, ';');
		link_related(ct, r, semi < 0 ? rep : sv_head(rep, (size_t)semi), ch);
	}
	if (p->hdr_count[SIP_HDR_REFER_TO] && refer_to_replaces(p, ct->scratch))
		link_related(ct, r, sv_make(ct->scratch->str, ct->scratch->len), ch);
}

/* ---- calls ------------------------------------------------------------------- */

static void set_parties(call_rec *r, const mdl_ctx *c, int8_t level)
{
	if (level <= r->parties_level)
		return;
	sip_addr a;
	if (sip_msg_from(c->parsed, &a))
		r->pub.from = mdl_view(c, a.uri);
	if (sip_msg_to(c->parsed, &a))
		r->pub.to = mdl_view(c, a.uri);
	r->parties_level = level;
}

static call_rec *call_new(call_table *ct, mdl_ctx *c)
{
	/* a sixth of the record is its owner, used only with limits */
	call_rec *r = ct->heap ? pool_alloc(&ct->pool) : arena_alloc(ct->mem, CALL_REC_BARE);
	memset(r, 0, ct->heap ? sizeof(*r) : CALL_REC_BARE);
	sip_call *x = &r->pub;
	x->id = ct->recs.len;
	if (ct->heap) {
		r->own.call = x->id;
		arena_init_growing(&r->own.keep, CALL_ARENA_FIRST, CALL_ARENA_CHUNK);
	}
	x->call_id = mdl_keep(ct->heap ? &r->own.keep : ct->mem, c->parsed->call_id);
	x->first_method = x->from = x->to = SV_NULL;
	x->state = CALL_STATE_NOT_A_CALL;
	x->ended_by = CALL_END_NONE;
	x->start_ts = c->ts;
	r->messages = (sip_ids){ msgs_start(r), 0, CALL_INLINE_MSGS };
	r->txns = (sip_ids){ txns_start(r), 0, CALL_INLINE_TXNS };
	r->dialogs = (sip_ids){ dialogs_start(r), 0, CALL_INLINE_DIALOGS };
	x->messages = &r->messages;
	x->dialogs = &r->dialogs;
	x->txns = &r->txns;
	/* most calls name no other: they share one empty list */
	x->related = ct->no_related;
	x->initial_txn = x->cancel_msg = SIP_ID_NONE;
	r->caller_msg = SIP_ID_NONE;
	r->parties_level = -1;
	r->last_bye = SIP_ID_NONE;
	idtab_add(&ct->recs, r);
	/* created only when call_find found none: ids stay unique */
	hindex_insert(&ct->by_id, c->prep->call_id_hash, x->id);

	call_pending *pd = g_hash_table_lookup(ct->pending, &x->call_id);
	if (pd) {
		/* the wait ends first: a caller found over for good leaves the
		 * waits (call_close), this one among them */
		sip_id callers[PENDING_MAX_CALLERS];
		uint32_t n = pd->n;
		memcpy(callers, pd->callers, n * sizeof(callers[0]));
		g_hash_table_remove(ct->pending, &x->call_id);
		for (uint32_t i = 0; i < n; i++) {
			call_rec *o = call_get(ct, callers[i]);
			if (o && !is_gone(ct, o))
				add_related(ct, r, o->pub.call_id);
		}
	}
	return r;
}

void call_attach(call_table *ct, mdl_ctx *c)
{
	const sip_msg *p = c->parsed;
	c->msg->call = SIP_ID_NONE;
	if (p->call_id.p == NULL || p->call_id.len == 0)
		return;
	call_rec *r = find_open(ct, p->call_id, c->prep->call_id_hash);
	if (!r)
		r = call_new(ct, c);
	r->last_clock = ct->clock;
	if (ct->heap) {
		c->keep = &r->own.keep;
		if (ct->copy_raw)
			mdl_own_raw(c, c->keep);
	}
	set_parties(r, c, 0);
	c->msg->call = r->pub.id;
	c->call_id = r->pub.call_id;
	call_ids_push(&r->messages, msgs_start(r), c->msg->id);
	changed(c->ch, r);
}

static bool is_call_method(unsigned m)
{
	return m == SIP_METHOD_INVITE || m == SIP_METHOD_ACK || m == SIP_METHOD_BYE ||
		m == SIP_METHOD_CANCEL || m == SIP_METHOD_PRACK;
}

static bool is_session_request(unsigned m)
{
	return is_call_method(m) || m == SIP_METHOD_UPDATE || m == SIP_METHOD_INFO;
}

static void note_initial(call_rec *r, const txn_rec *tx, bool counts_open)
{
	r->has_initial = true;
	if (r->pub.initial_txn == SIP_ID_NONE)
		r->pub.initial_txn = tx->pub.id;
	uint32_t cseq = tx->pub.cseq;
	if (!r->have_attempt || cseq > r->attempt_cseq) {
		/* a new attempt (after a 401/407 challenge, say) replaces the last */
		r->have_attempt = true;
		r->attempt_cseq = cseq;
		r->attempt_open = 0;
		r->attempt_status = 0;
		r->attempt_final_ts = 0;
		r->timed_out = false;
	}
	if (counts_open && cseq == r->attempt_cseq && tx->pub.parent == SIP_ID_NONE &&
	    tx->pub.final == SIP_ID_NONE)
		r->attempt_open++;
}

/* The call is over: msg is what ended it (a BYE, its response, a 481/408). */
static void end_call(call_rec *r, const txn_table *t, const idtab *msgs, sip_id msg_id,
	int64_t ts)
{
	r->ended = true;
	r->pub.end_ts = ts;
	r->pub.ended_by = CALL_END_OTHER;
	memset(&r->pub.ender, 0, sizeof(r->pub.ender));
	const sip_message *m = mdl_msg(msgs, msg_id);
	if (!m)
		return;
	/* cseq_method_code is OTHER without a CSeq, as the span is absent */
	if (m->cseq_method_code != SIP_METHOD_BYE)
		return;   /* 481 / 408 to something else: nobody in particular */
	const sip_message *bye = m;
	if (m->kind == SIP_KIND_RESPONSE) {
		const txn_rec *tx = txn_get(t, m->txn);
		const sip_message *req = tx ? mdl_msg(msgs, tx->pub.request) : NULL;
		if (req)
			bye = req;
	}
	r->pub.ender = bye->kind == SIP_KIND_REQUEST ? sip_message_src(bye) : sip_message_dst(bye);
	if (r->caller_msg == SIP_ID_NONE)
		return;
	/* the call owns the message: it is there as long as the call */
	const sip_message *caller = mdl_msg(msgs, r->caller_msg);
	sv tag = sip_message_field(bye, SIP_FIELD_FROM_TAG);
	sv caller_tag = caller ? sip_message_field(caller, SIP_FIELD_FROM_TAG) : SV_NULL;
	r->pub.ended_by = sv_eq_ci(tag, caller_tag) ? CALL_END_CALLER : CALL_END_CALLEE;
}

static void dialog_ended(call_rec *r, const txn_table *t, const idtab *msgs, const dlg_rec *d)
{
	if (r->confirmed_alive)
		r->confirmed_alive--;
	if (r->confirmed_alive == 0 && !r->ended && (r->answered || r->midway))
		end_call(r, t, msgs, d->pub.terminating_msg, d->pub.terminated_ts);
}

static call_state classify(uint16_t status)
{
	switch (status) {
	case 486:
	case 600:
		return CALL_STATE_BUSY;
	case 487:
		return CALL_STATE_CANCELLED;
	case 408:
	case 480:
		return CALL_STATE_NO_ANSWER;
	default:
		return CALL_STATE_FAILED;
	}
}

/* Derives state, final status and, for failures, end and ender. */
static void apply_state(call_rec *r, const idtab *msgs)
{
	sip_call *x = &r->pub;
	if (!r->is_call) {
		x->state = CALL_STATE_NOT_A_CALL;
		return;
	}
	if (r->answered || !r->has_initial) {
		if (r->answered)
			x->final_status = r->answer_status;
		if (r->ended) {
			x->state = CALL_STATE_ANSWERED;
		} else {
			x->state = r->answered || r->midway ? CALL_STATE_ACTIVE : CALL_STATE_SETUP;
			x->end_ts = 0;
			x->ended_by = CALL_END_NONE;
			memset(&x->ender, 0, sizeof(x->ender));
		}
		return;
	}
	x->ended_by = CALL_END_NONE;
	memset(&x->ender, 0, sizeof(x->ender));
	if (r->attempt_open == 0 && r->attempt_status >= 300) {
		x->state = classify(r->attempt_status);
		x->final_status = r->attempt_status;
		x->end_ts = r->attempt_final_ts;
		const sip_message *cancel = mdl_msg(msgs, x->cancel_msg);
		if (x->state == CALL_STATE_CANCELLED && cancel) {
			x->ended_by = CALL_END_CALLER;
			x->ender = sip_message_src(cancel);
		}
		return;
	}
	x->final_status = 0;
	x->state = r->timed_out ? CALL_STATE_NO_ANSWER : CALL_STATE_SETUP;
	if (!r->timed_out)
		x->end_ts = 0;
}

void call_process(call_table *ct, txn_table *t, dlg_table *d, mdl_ctx *c, const txn_result *tr,
	const dlg_result *dr)
{
	call_rec *r = call_get(ct, c->msg->call);
	txn_rec *tx = tr->txn;
	if (!r || !tx)
		return;
	const sip_msg *p = c->parsed;
	sip_message *msg = c->msg;
	unsigned cm = mdl_method_code(c), method = c->prep->method_code;
	bool response = p->kind == SIP_KIND_RESPONSE;
	uint16_t st = p->status;

	if (is_call_method(cm))
		r->is_call = true;
	if (tr->created)
		call_ids_push(&r->txns, txns_start(r), tx->pub.id);
	if (dr->created != SIP_ID_NONE)
		call_ids_push(&r->dialogs, dialogs_start(r), dr->created);

	if (!response) {
		if (r->pub.first_method.p == NULL)
			r->pub.first_method = mdl_keep_method(c->keep, p->method, method);
		set_parties(r, c, 1);
		if (mdl_tag_present(p->to_tag) && is_session_request(method))
			r->midway = r->midway || !r->has_initial;
		if (!tr->retransmission) {
			if (tx->initial_invite && tx->pub.request == msg->id) {
				set_parties(r, c, 2);
				if (r->caller_msg == SIP_ID_NONE)
					r->caller_msg = msg->id;
				note_initial(r, tx, tr->created);
			}
			if (method == SIP_METHOD_CANCEL && !mdl_tag_present(p->to_tag) &&
			    r->pub.cancel_msg == SIP_ID_NONE)
				r->pub.cancel_msg = msg->id;
			if (method == SIP_METHOD_BYE)
				r->last_bye = msg->id;
		}
	} else if (!tr->retransmission) {
		if (tr->created && tx->pub.is_invite && !r->answered && r->confirmed_alive == 0) {
			/* response-only INVITE transaction before any answer: the initial one */
			tx->initial_invite = true;
			set_parties(r, c, 2);
			if (r->caller_msg == SIP_ID_NONE)
				r->caller_msg = msg->id;
			note_initial(r, tx, true);
		}
		if (tx->initial_invite) {
			if ((st == 180 || st == 183) && r->pub.ring_ts == 0)
				r->pub.ring_ts = c->ts;
			if (tr->new_2xx && !r->answered) {
				r->answered = true;
				r->answer_status = st;
				r->pub.answer_ts = c->ts;
			}
			if (tr->first_final && r->have_attempt && tx->pub.cseq == r->attempt_cseq &&
			    tx->pub.parent == SIP_ID_NONE) {
				if (r->attempt_open)
					r->attempt_open--;
				if (st >= 300) {
					r->attempt_status = st;
					r->attempt_final_ts = c->ts;
				}
			}
		}
	}

	if (dr->confirmed != SIP_ID_NONE) {
		dlg_rec *dl = dlg_get(d, dr->confirmed);
		if (dl && dl->pub.session) {
			r->confirmed_alive++;
			if (!r->has_initial)
				r->midway = true;
		}
	}
	if (dr->terminated != SIP_ID_NONE) {
		dlg_rec *dl = dlg_get(d, dr->terminated);
		if (dl && dl->pub.session)
			dialog_ended(r, t, c->msgs, dl);
	}
	/* a BYE answered outside any known dialog still ends the call */
	if (response && tr->first_final && st >= 200 && st < 300 && cm == SIP_METHOD_BYE &&
	    msg->dialog == SIP_ID_NONE && !r->ended && r->confirmed_alive == 0 &&
	    (r->answered || r->midway || !r->has_initial)) {
		r->midway = r->midway || !r->has_initial;
		end_call(r, t, c->msgs, msg->id, c->ts);
	}
	if (!tr->retransmission)
		find_related(ct, r, p, c->ch);
	apply_state(r, c->msgs);
}

static bool times_out_attempt(const call_rec *r, const txn_rec *tx)
{
	return tx->initial_invite && r->have_attempt && tx->pub.cseq == r->attempt_cseq &&
		tx->pub.parent == SIP_ID_NONE && tx->pub.end == TXN_END_NO_FINAL;
}

void call_txns_expired(call_table *ct, const txn_table *t, const idtab *msgs, mdl_changes *ch,
	const GArray *expired)
{
	for (guint i = 0; i < expired->len; i++) {
		const txn_rec *tx = txn_get(t, g_array_index(expired, sip_id, i));
		call_rec *r = tx ? call_get(ct, tx->pub.call) : NULL;
		if (!r || r->answered || !times_out_attempt(r, tx))
			continue;
		r->timed_out = true;
		r->pub.end_ts = tx->pub.terminated_ts;
		apply_state(r, msgs);
		changed(ch, r);
	}
}

static void settle(call_rec *r, const txn_table *t, const idtab *msgs, mdl_changes *ch)
{
	{
		sip_call before = r->pub;
		if (!r->ended && (r->answered || r->midway) && r->confirmed_alive == 0 &&
		    r->last_bye != SIP_ID_NONE) {
			const sip_message *bye = mdl_msg(msgs, r->last_bye);
			end_call(r, t, msgs, r->last_bye, bye ? bye->ts_ns : 0);
		}
		if (r->has_initial && !r->answered && r->attempt_open > 0) {
			for (guint j = 0; j < r->pub.txns->len; j++) {
				const txn_rec *tx = txn_get(t, g_array_index(r->pub.txns, sip_id, j));
				if (tx && times_out_attempt(r, tx)) {
					r->timed_out = true;
					r->pub.end_ts = tx->pub.terminated_ts;
				}
			}
		}
		apply_state(r, msgs);
		if (before.state != r->pub.state || before.end_ts != r->pub.end_ts ||
		    before.ended_by != r->pub.ended_by)
			changed(ch, r);
	}
}

static void dialogs_ended(call_table *ct, const txn_table *t, const dlg_table *d,
	const idtab *msgs, mdl_changes *ch, const GArray *ended)
{
	for (guint i = 0; i < ended->len; i++) {
		const dlg_rec *dl = dlg_get(d, g_array_index(ended, sip_id, i));
		call_rec *r = dl ? call_get(ct, dl->pub.call) : NULL;
		if (r && dl->pub.session) {
			dialog_ended(r, t, msgs, dl);
			changed(ch, r);
		}
	}
}

void call_finish(call_table *ct, const txn_table *t, const dlg_table *d, const idtab *msgs,
	mdl_changes *ch, int64_t end_ts, const GArray *ended)
{
	(void)end_ts;
	dialogs_ended(ct, t, d, msgs, ch, ended);
	for (guint i = 0; i < ct->recs.len; i++) {
		call_rec *r = idtab_get(&ct->recs, i);
		if (r)
			settle(r, t, msgs, ch);
	}
}

void call_settle(call_table *ct, const txn_table *t, const dlg_table *d, const idtab *msgs,
	mdl_changes *ch, sip_id id, const GArray *ended)
{
	dialogs_ended(ct, t, d, msgs, ch, ended);
	call_rec *r = call_get(ct, id);
	if (r)
		settle(r, t, msgs, ch);
}

/* The Call-IDs r waits for no longer wait for it. */
static void drop_waits(call_table *ct, const call_rec *r)
{
	sip_id id = r->pub.id;
	for (guint i = 0; i < r->pub.related->len; i++) {
		const char *name = g_ptr_array_index(r->pub.related, i);
		sv key = sv_from_cstr(name);
		call_pending *pd = g_hash_table_lookup(ct->pending, &key);
		if (!pd)
			continue;
		uint32_t k = 0;
		for (uint32_t j = 0; j < pd->n; j++)
			if (pd->callers[j] != id)
				pd->callers[k++] = pd->callers[j];
		pd->n = k;
		if (k == 0)
			g_hash_table_remove(ct->pending, &key);
	}
}

void call_close(call_table *ct, call_rec *r)
{
	r->closed = true;
	hindex_remove(&ct->by_id, sv_hash(r->pub.call_id), r->pub.id);
	drop_waits(ct, r);
}

void call_evict(call_table *ct, sip_id id)
{
	call_rec *r = call_get(ct, id);
	if (!r)
		return;
	/* a closed call left the index already */
	if (!r->closed)
		hindex_remove(&ct->by_id, sv_hash(r->pub.call_id), id);
	drop_waits(ct, r);
	rec_free_lists(ct, r);
	idtab_remove(&ct->recs, id);
	if (ct->heap)
		arena_free(&r->own.keep);
	mdl_rec_free(&ct->pool, ct->heap, r);
}
