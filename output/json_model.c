#include "json_model.h"

#include <math.h>
#include <string.h>

#include "dissect/findings.h"
#include "output/json.h"

/* ,"key":value helpers: key is always a literal of ours, and each
 * helper is called through a macro of its name that passes the
 * literal with its comma, quotes and colon, and its length (a dozen
 * keys a record: one copy each, no strlen). */
static void key(GString *o, const char *k, size_t kn)
{
	json_buf_append(o, k, kn);
}
#define KEY_LIT(k) ",\"" k "\":"
#define key_lit(o, k) key((o), KEY_LIT(k), sizeof(KEY_LIT(k)) - 1)

static void put_id_(GString *o, const char *k, size_t kn, sip_id id)
{
	key(o, k, kn);
	if (id == SIP_ID_NONE)
		JSON_LIT(o, "null");
	else
		json_append_u64(o, id);
}
#define put_id(o, k, a0) put_id_((o), KEY_LIT(k), sizeof(KEY_LIT(k)) - 1, a0)

static void put_u_(GString *o, const char *k, size_t kn, uint64_t v)
{
	key(o, k, kn);
	json_append_u64(o, v);
}
#define put_u(o, k, a0) put_u_((o), KEY_LIT(k), sizeof(KEY_LIT(k)) - 1, a0)

static void put_status_(GString *o, const char *k, size_t kn, unsigned status)
{
	key(o, k, kn);
	if (status)
		json_append_u64(o, status);
	else
		JSON_LIT(o, "null");
}
#define put_status(o, k, a0) put_status_((o), KEY_LIT(k), sizeof(KEY_LIT(k)) - 1, a0)

/* Times: 0 means never (the model's convention). */
static void put_ts_(GString *o, const char *k, size_t kn, int64_t ts)
{
	key(o, k, kn);
	if (ts)
		json_append_ts(o, ts);
	else
		JSON_LIT(o, "null");
}
#define put_ts(o, k, a0) put_ts_((o), KEY_LIT(k), sizeof(KEY_LIT(k)) - 1, a0)

/* b - a in seconds, null unless both happened. */
static void put_span_(GString *o, const char *k, size_t kn, int64_t a, int64_t b)
{
	key(o, k, kn);
	if (a && b)
		json_append_ts(o, b - a);
	else
		JSON_LIT(o, "null");
}
#define put_span(o, k, a0, a1) put_span_((o), KEY_LIT(k), sizeof(KEY_LIT(k)) - 1, a0, a1)

static void put_sv_(GString *o, const char *k, size_t kn, sv v)
{
	key(o, k, kn);
	json_append_sv(o, v);
}
#define put_sv(o, k, a0) put_sv_((o), KEY_LIT(k), sizeof(KEY_LIT(k)) - 1, a0)

static void put_str_(GString *o, const char *k, size_t kn, const char *s)
{
	key(o, k, kn);
	json_append_str(o, s);
}
#define put_str(o, k, a0) put_str_((o), KEY_LIT(k), sizeof(KEY_LIT(k)) - 1, a0)

static void put_bool_(GString *o, const char *k, size_t kn, bool b)
{
	key(o, k, kn);
	if (b)
		JSON_LIT(o, "true");
	else
		JSON_LIT(o, "false");
}
#define put_bool(o, k, a0) put_bool_((o), KEY_LIT(k), sizeof(KEY_LIT(k)) - 1, a0)

static void put_ep_(GString *o, const char *k, size_t kn, const endpoint *e)
{
	key(o, k, kn);
	if (!e || e->family == EP_NONE)
		JSON_LIT(o, "null");
	else
		json_append_endpoint(o, e);
}
#define put_ep(o, k, a0) put_ep_((o), KEY_LIT(k), sizeof(KEY_LIT(k)) - 1, a0)

static const char *txn_end_name(txn_end e)
{
	switch (e) {
	case TXN_END_FINAL: return "final";
	case TXN_END_NO_FINAL: return "no-final-response";
	case TXN_END_CAPTURE_ENDED: return "capture-ended";
	case TXN_END_NONE:
	default: return NULL;
	}
}

/* Kept bytes (json_keep_txn, json_keep_dialog): a record's fixed part
 * as it is in memory, then each of its texts that is not null, in order;
 * the fixed part holds their lengths (UINT32_MAX: null). */
static void kept_put(GString *out, const void *fixed, size_t size, const sv *text, unsigned n)
{
	g_string_append_len(out, (const char *)fixed, (gssize)size);
	for (unsigned i = 0; i < n; i++)
		if (text[i].p)
			g_string_append_len(out, (const char *)text[i].p, (gssize)text[i].len);
}

/* The same read back into fixed (size bytes, lens: its text lengths) and
 * text[n], views into kept; false unless kept holds that much.  *end:
 * where what was read ends (more may follow); without end, false unless
 * kept is exactly that long. */
static bool kept_get(sv kept, void *fixed, size_t size, const uint32_t *lens, sv *text,
	unsigned n, size_t *end)
{
	if (kept.len < size)
		return false;
	memcpy(fixed, kept.p, size);
	size_t at = size;
	for (unsigned i = 0; i < n; i++) {
		uint32_t len = lens[i];
		if (len == UINT32_MAX) {
			text[i] = SV_NULL;
			continue;
		}
		if (len > kept.len - at)
			return false;
		text[i] = sv_make(kept.p + at, len);
		at += len;
	}
	if (end)
		*end = at;
	return end || at == kept.len;
}

/* A text's length as the fixed part keeps it. */
static uint32_t kept_len(sv v)
{
	return v.p ? (uint32_t)v.len : UINT32_MAX;
}

/* Everything a transaction record says, read off the model: a record is
 * written from this alone, whether at once (json_write_txn) or from the
 * bytes json_keep_txn made of it long before. */
typedef struct txn_fixed {
	sip_id id, call, request, first_provisional, final, ack, cancel, parent, dialog;
	uint32_t messages, request_retransmissions, response_retransmissions;
	uint32_t text_len[3];     /* method, branch, sent_by; UINT32_MAX: null */
	int64_t req_ts, prov_ts, final_ts;
	int64_t state_ts[TXN_STATE__COUNT]; /* in the order of txn_states */
	endpoint src, dst;        /* family EP_NONE: null (no request seen) */
	uint16_t final_status;
	uint8_t state, end;
	bool rfc2543, is_invite;
} txn_fixed;

typedef struct txn_facts {
	txn_fixed x;
	sv text[3];               /* method, branch, sent_by */
} txn_facts;

/* The states of a transaction's machine (§17.1.1 / §17.1.2), as its
 * record lists them. */
static const txn_state *txn_states(bool invite, size_t *n)
{
	static const txn_state inv[] = { TXN_STATE_CALLING, TXN_STATE_PROCEEDING, TXN_STATE_COMPLETED,
					 TXN_STATE_CONFIRMED, TXN_STATE_TERMINATED };
	static const txn_state non[] = { TXN_STATE_TRYING, TXN_STATE_PROCEEDING, TXN_STATE_COMPLETED,
					 TXN_STATE_TERMINATED };
	*n = invite ? G_N_ELEMENTS(inv) : G_N_ELEMENTS(non);
	return invite ? inv : non;
}

static void txn_facts_read(const sip_model *m, const sip_txn *t, txn_facts *f)
{
	/* zeroed whole: the padding too goes into a kept record */
	memset(&f->x, 0, sizeof(f->x));
	txn_fixed *x = &f->x;
	const sip_message *req = sip_model_message(m, t->request);
	x->id = t->id;
	x->call = t->call;
	x->request = t->request;
	x->first_provisional = t->first_provisional;
	x->final = t->final;
	x->ack = t->ack;
	x->cancel = t->cancel;
	x->parent = t->parent;
	x->dialog = t->dialog;
	x->messages = t->messages;
	x->request_retransmissions = t->request_retransmissions;
	x->response_retransmissions = t->response_retransmissions;
	x->req_ts = req ? req->ts_ns : 0;
	x->prov_ts = sip_txn_first_provisional_ts(m, t);
	x->final_ts = sip_txn_final_ts(m, t);
	size_t n;
	const txn_state *states = txn_states(t->is_invite, &n);
	for (size_t i = 0; i < n; i++)
		x->state_ts[i] = sip_txn_state_ts(m, t, states[i]);
	x->src.family = x->dst.family = EP_NONE;
	if (req) {
		x->src = sip_message_src(req);
		x->dst = sip_message_dst(req);
	}
	x->final_status = t->final_status;
	x->state = t->state;
	x->end = t->end;
	x->rfc2543 = t->rfc2543;
	x->is_invite = t->is_invite;
	f->text[0] = sip_txn_method(t);
	f->text[1] = sip_txn_branch(t);
	f->text[2] = sip_txn_sent_by(m, t);
	for (int i = 0; i < 3; i++)
		x->text_len[i] = kept_len(f->text[i]);
}

static void txn_facts_write(sink *s, const txn_facts *f)
{
	const txn_fixed *x = &f->x;
	GString *o = s->buf;
	JSON_LIT(o, "{\"type\":\"transaction\",\"id\":");
	json_append_u64(o, x->id);
	put_id(o, "call", x->call);
	put_sv(o, "method", f->text[0]);
	put_sv(o, "branch", f->text[1]);
	put_sv(o, "sent_by", f->text[2]);
	put_bool(o, "rfc2543", x->rfc2543);
	put_ep(o, "src", &x->src);
	put_ep(o, "dst", &x->dst);
	put_str(o, "state", txn_state_name(x->state));
	put_str(o, "end", txn_end_name(x->end));
	put_status(o, "final_status", x->final_status);
	put_id(o, "request", x->request);
	put_id(o, "first_provisional", x->first_provisional);
	put_id(o, "final", x->final);
	put_id(o, "ack", x->ack);
	put_id(o, "cancel", x->cancel);
	put_id(o, "parent", x->parent);
	put_id(o, "dialog", x->dialog);
	put_ts(o, "request_ts", x->req_ts);
	put_ts(o, "first_provisional_ts", x->prov_ts);
	put_ts(o, "final_ts", x->final_ts);
	put_span(o, "time_to_first_provisional", x->req_ts, x->prov_ts);
	put_span(o, "time_to_final", x->req_ts, x->final_ts);

	/* each state with the time it was entered, or null */
	size_t n;
	const txn_state *states = txn_states(x->is_invite, &n);
	key_lit(o, "state_ts");
	g_string_append_c(o, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			g_string_append_c(o, ',');
		json_append_key(o, txn_state_name(states[i]));
		if (x->state_ts[i])
			json_append_ts(o, x->state_ts[i]);
		else
			JSON_LIT(o, "null");
	}
	g_string_append_c(o, '}');
	put_u(o, "messages", x->messages);
	put_u(o, "request_retransmissions", x->request_retransmissions);
	put_u(o, "response_retransmissions", x->response_retransmissions);
	JSON_LIT(o, "}\n");
	sink_end_record(s);
}

void json_write_txn(sink *s, const sip_model *m, const sip_txn *t)
{
	txn_facts f;
	txn_facts_read(m, t, &f);
	txn_facts_write(s, &f);
}

void json_keep_txn(GString *out, const sip_model *m, const sip_txn *t)
{
	txn_facts f;
	txn_facts_read(m, t, &f);
	kept_put(out, &f.x, sizeof(f.x), f.text, 3);
}

bool json_write_kept_txn(sink *s, sv kept)
{
	txn_facts f = { 0 };   /* kept_get fills it, but reads lengths from it too */
	if (!kept_get(kept, &f.x, sizeof(f.x), f.x.text_len, f.text, 3, NULL) ||
	    f.x.state >= TXN_STATE__COUNT)
		return false;
	txn_facts_write(s, &f);
	return true;
}

/* Everything a dialog record says, as txn_facts for transactions. */
enum { DLG_TEXTS = 7 };   /* call_id, from_tag, to_tag, created_by, route_set, remote_target,
			     local_target */
typedef struct dlg_fixed {
	sip_id id, call, creating_txn, terminating_msg;
	uint32_t messages;
	uint32_t text_len[DLG_TEXTS];
	int64_t early_ts, confirmed_ts, terminated_ts;
	uint8_t state, end;
} dlg_fixed;

typedef struct dlg_facts {
	dlg_fixed x;
	sv text[DLG_TEXTS];
} dlg_facts;

static void dlg_facts_read(const sip_model *m, const sip_dialog *d, dlg_facts *f)
{
	/* zeroed whole: the padding too goes into a kept record */
	memset(&f->x, 0, sizeof(f->x));
	dlg_fixed *x = &f->x;
	x->id = d->id;
	x->call = d->call;
	x->creating_txn = d->creating_txn;
	x->terminating_msg = d->terminating_msg;
	x->messages = d->messages;
	x->early_ts = d->early_ts;
	x->confirmed_ts = d->confirmed_ts;
	x->terminated_ts = d->terminated_ts;
	x->state = (uint8_t)d->state;
	x->end = d->end;
	f->text[0] = sip_dialog_call_id(m, d);
	f->text[1] = d->from_tag;
	f->text[2] = d->to_tag;
	f->text[3] = sip_dialog_created_by(d);
	f->text[4] = d->route_set;
	f->text[5] = d->remote_target;
	f->text[6] = d->local_target;
	for (int i = 0; i < DLG_TEXTS; i++)
		x->text_len[i] = kept_len(f->text[i]);
}

static void dlg_facts_write(sink *s, const dlg_facts *f)
{
	const dlg_fixed *x = &f->x;
	GString *o = s->buf;
	JSON_LIT(o, "{\"type\":\"dialog\",\"id\":");
	json_append_u64(o, x->id);
	put_id(o, "call", x->call);
	put_sv(o, "call_id", f->text[0]);
	put_sv(o, "from_tag", f->text[1]);
	put_sv(o, "to_tag", f->text[2]);
	put_str(o, "state", dlg_state_name((dlg_state)x->state));
	put_sv(o, "created_by", f->text[3]);
	put_id(o, "creating_transaction", x->creating_txn);
	put_ts(o, "early_ts", x->early_ts);
	put_ts(o, "confirmed_ts", x->confirmed_ts);
	put_ts(o, "terminated_ts", x->terminated_ts);
	put_str(o, "end_reason", dlg_end_name((dlg_end)x->end));
	put_id(o, "terminating_message", x->terminating_msg);
	put_sv(o, "route_set", f->text[4]);
	put_sv(o, "remote_target", f->text[5]);
	put_sv(o, "local_target", f->text[6]);
	put_u(o, "messages", x->messages);
	JSON_LIT(o, "}\n");
	sink_end_record(s);
}

void json_write_dialog(sink *s, const sip_model *m, const sip_dialog *d)
{
	dlg_facts f;
	dlg_facts_read(m, d, &f);
	dlg_facts_write(s, &f);
}

void json_keep_dialog(GString *out, const sip_model *m, const sip_dialog *d)
{
	dlg_facts f;
	dlg_facts_read(m, d, &f);
	kept_put(out, &f.x, sizeof(f.x), f.text, DLG_TEXTS);
}

bool json_write_kept_dialog(sink *s, sv kept)
{
	dlg_facts f = { 0 };   /* as in json_write_kept_txn */
	if (!kept_get(kept, &f.x, sizeof(f.x), f.x.text_len, f.text, DLG_TEXTS, NULL) ||
	    f.x.state > DLG_STATE_TERMINATED || f.x.end > DLG_END_NO_FINAL)
		return false;
	dlg_facts_write(s, &f);
	return true;
}

/* Everything a call record says, as txn_facts for transactions.  Kept
 * bytes: the fixed part, its texts, then its dialogs' and transactions'
 * ids, then each related Call-ID as its length (uint32_t) and bytes. */
enum { CALL_TEXTS = 5 };   /* call_id, method, from, to, outcome */
typedef struct call_fixed {
	sip_id id;
	uint32_t messages, n_dialogs, n_txns, n_related;
	uint32_t text_len[CALL_TEXTS];
	int64_t start_ts, ring_ts, answer_ts, end_ts;
	endpoint ender;           /* family EP_NONE: null */
	uint16_t final_status;
	uint8_t state, ended_by;
} call_fixed;

typedef struct call_facts {
	call_fixed x;
	sv text[CALL_TEXTS];
	/* the ids, n_dialogs and n_txns of them, and the related Call-IDs:
	 * from the model's lists (ids, related_held), or as kept, unaligned
	 * (ids_kept, related_kept) */
	const sip_id *dialogs, *txns;
	const GPtrArray *related_held;
	sv dialogs_kept, txns_kept, related_kept;
	GString *outcome;         /* the model's call only: the text[4] it holds */
} call_facts;

static void call_facts_read(const sip_model *m, const sip_call *c, call_facts *f)
{
	memset(&f->x, 0, sizeof(f->x));
	call_fixed *x = &f->x;
	x->id = c->id;
	x->messages = c->messages ? c->messages->len : 0;
	x->n_dialogs = c->dialogs ? c->dialogs->len : 0;
	x->n_txns = c->txns ? c->txns->len : 0;
	x->n_related = c->related ? c->related->len : 0;
	x->start_ts = c->start_ts;
	x->ring_ts = c->ring_ts;
	x->answer_ts = c->answer_ts;
	x->end_ts = c->end_ts;
	x->ender.family = EP_NONE;
	if (c->ended_by != CALL_END_NONE)
		x->ender = c->ender;
	x->final_status = c->final_status;
	x->state = (uint8_t)c->state;
	x->ended_by = (uint8_t)c->ended_by;
	f->dialogs = x->n_dialogs ? c->dialogs->data : NULL;
	f->txns = x->n_txns ? c->txns->data : NULL;
	f->related_held = c->related;
	f->dialogs_kept = f->txns_kept = f->related_kept = SV_NULL;
	/* how it ended and why, in one line (dissect/findings.h) */
	g_string_truncate(f->outcome, 0);
	findings_call_outcome(m, c, f->outcome);
	f->text[0] = c->call_id;
	f->text[1] = c->first_method;
	f->text[2] = c->from;
	f->text[3] = c->to;
	f->text[4] = sv_make(f->outcome->str, f->outcome->len);
	for (int i = 0; i < CALL_TEXTS; i++)
		x->text_len[i] = kept_len(f->text[i]);
}

static sip_id call_id_at(const sip_id *held, sv kept, uint32_t i)
{
	if (held)
		return held[i];
	sip_id id;
	memcpy(&id, kept.p + (size_t)i * sizeof(id), sizeof(id));
	return id;
}

static void put_call_ids(GString *o, const sip_id *held, sv kept, uint32_t n)
{
	g_string_append_c(o, '[');
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			g_string_append_c(o, ',');
		json_append_u64(o, call_id_at(held, kept, i));
	}
	g_string_append_c(o, ']');
}

static void call_facts_write(sink *s, const call_facts *f)
{
	const call_fixed *x = &f->x;
	GString *o = s->buf;
	bool ended = x->ended_by != CALL_END_NONE;
	JSON_LIT(o, "{\"type\":\"call\",\"id\":");
	json_append_u64(o, x->id);
	put_sv(o, "call_id", f->text[0]);
	put_sv(o, "method", f->text[1]);
	put_sv(o, "from", f->text[2]);
	put_sv(o, "to", f->text[3]);
	put_str(o, "state", call_state_name((call_state)x->state));
	put_status(o, "final_status", x->final_status);
	put_ts(o, "start_ts", x->start_ts);
	put_ts(o, "ring_ts", x->ring_ts);
	put_ts(o, "answer_ts", x->answer_ts);
	put_ts(o, "end_ts", x->end_ts);
	put_span(o, "post_dial_delay", x->start_ts, x->ring_ts);
	put_span(o, "setup_time", x->start_ts, x->answer_ts);
	put_span(o, "duration", x->answer_ts, x->end_ts);
	put_str(o, "ended_by", ended ? call_ender_name((call_ender)x->ended_by) : NULL);
	put_ep(o, "ender", &x->ender);   /* EP_NONE unless ended */
	put_u(o, "messages", x->messages);
	key_lit(o, "dialogs");
	put_call_ids(o, f->dialogs, f->dialogs_kept, x->n_dialogs);
	key_lit(o, "transactions");
	put_call_ids(o, f->txns, f->txns_kept, x->n_txns);
	key_lit(o, "related");
	g_string_append_c(o, '[');
	sv rest = f->related_kept;
	for (uint32_t i = 0; i < x->n_related; i++) {
		if (i)
			g_string_append_c(o, ',');
		if (f->related_held) {
			json_append_str(o, g_ptr_array_index(f->related_held, i));
			continue;
		}
		uint32_t len;   /* checked by json_write_kept_call */
		memcpy(&len, rest.p, sizeof(len));
		json_append_sv(o, sv_make(rest.p + sizeof(len), len));
		rest = sv_skip(rest, sizeof(len) + len);
	}
	g_string_append_c(o, ']');
	put_sv(o, "outcome", f->text[4]);
	JSON_LIT(o, "}\n");
	sink_end_record(s);
}

void json_write_call(sink *s, const sip_model *m, const sip_call *c)
{
	g_autoptr(GString) outcome = g_string_new(NULL);
	call_facts f = { .outcome = outcome };
	call_facts_read(m, c, &f);
	call_facts_write(s, &f);
}

void json_keep_call(GString *out, const sip_model *m, const sip_call *c)
{
	g_autoptr(GString) outcome = g_string_new(NULL);
	call_facts f = { .outcome = outcome };
	call_facts_read(m, c, &f);
	kept_put(out, &f.x, sizeof(f.x), f.text, CALL_TEXTS);
	if (f.x.n_dialogs)
		g_string_append_len(out, (const char *)f.dialogs, (gssize)(f.x.n_dialogs * sizeof(sip_id)));
	if (f.x.n_txns)
		g_string_append_len(out, (const char *)f.txns, (gssize)(f.x.n_txns * sizeof(sip_id)));
	for (uint32_t i = 0; i < f.x.n_related; i++) {
		const char *r = g_ptr_array_index(f.related_held, i);
		uint32_t len = (uint32_t)strlen(r);
		g_string_append_len(out, (const char *)&len, sizeof(len));
		g_string_append_len(out, r, (gssize)len);
	}
}

/* The related Call-IDs as json_keep_call put them, n of them exactly. */
static bool related_ok(sv v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		if (v.len < sizeof(len))
			return false;
		memcpy(&len, v.p, sizeof(len));
		if (len > v.len - sizeof(len))
			return false;
		v = sv_skip(v, sizeof(len) + len);
	}
	return v.len == 0;
}

bool json_write_kept_call(sink *s, sv kept)
{
	call_facts f = { 0 };   /* as in json_write_kept_txn */
	const call_fixed *x = &f.x;
	/* the fixed part and texts, then the lists after them */
	size_t head;
	if (!kept_get(kept, &f.x, sizeof(f.x), f.x.text_len, f.text, CALL_TEXTS, &head) ||
	    x->state >= CALL_STATE__COUNT || x->ended_by > CALL_END_OTHER)
		return false;
	size_t ids = ((size_t)x->n_dialogs + x->n_txns) * sizeof(sip_id);
	if (ids > kept.len - head)
		return false;
	f.dialogs_kept = sv_make(kept.p + head, (size_t)x->n_dialogs * sizeof(sip_id));
	f.txns_kept = sv_make(kept.p + head + f.dialogs_kept.len, (size_t)x->n_txns * sizeof(sip_id));
	f.related_kept = sv_skip(kept, head + ids);
	if (!related_ok(f.related_kept, x->n_related))
		return false;
	call_facts_write(s, &f);
	return true;
}

void json_write_registration(sink *s, const sip_model *m, const sip_registration *r)
{
	(void)m;
	GString *o = s->buf;
	JSON_LIT(o, "{\"type\":\"registration\",\"id\":");
	json_append_u64(o, r->id);
	put_sv(o, "aor", r->aor);
	key_lit(o, "contacts");
	g_string_append_c(o, '[');
	for (guint i = 0; r->bindings && i < r->bindings->len; i++) {
		const sip_binding *b = &g_array_index(r->bindings, sip_binding, i);
		if (i)
			g_string_append_c(o, ',');
		JSON_LIT(o, "{\"uri\":");
		json_append_sv(o, b->contact);
		put_u(o, "expires", b->expires);
		key_lit(o, "q");
		if (b->q < 0 || !isfinite(b->q)) {
			JSON_LIT(o, "null");
		} else {
			/* Not printf: the locale may use a decimal comma. */
			char q[G_ASCII_DTOSTR_BUF_SIZE];
			g_string_append(o, g_ascii_formatd(q, sizeof(q), "%.3g", b->q));
		}
		put_str(o, "state", binding_state_name(b->state));
		put_sv(o, "call_id", b->call_id);
		put_u(o, "cseq", b->cseq);
		put_ep(o, "source", &b->source);
		put_ts(o, "registered_ts", b->registered_ts);
		put_ts(o, "expires_ts", b->expires_ts);
		put_ts(o, "removed_ts", b->removed_ts);
		put_u(o, "refreshes", b->refreshes);
		g_string_append_c(o, '}');
	}
	g_string_append_c(o, ']');
	put_status(o, "last_status", r->last_status);
	put_u(o, "registers", r->registers);
	put_u(o, "challenges", r->challenges);
	put_u(o, "failures", r->failures);
	put_ts(o, "first_ts", r->first_ts);
	put_ts(o, "last_ts", r->last_ts);
	JSON_LIT(o, "}\n");
	sink_end_record(s);
}

void json_write_model(sink *s, const sip_model *m)
{
	json_write_model_filled(s, m, NULL, NULL, NULL);
}

/* Counts the records written from the model, calling pace every
 * JSON_PACE_RECORDS of them. */
typedef struct pacer {
	json_pace_fn fn;
	void *user;
	unsigned n;
} pacer;

static void paced(pacer *p)
{
	if (p->fn && ++p->n == JSON_PACE_RECORDS) {
		p->n = 0;
		p->fn(p->user);
	}
}

void json_write_model_filled(sink *s, const sip_model *m, json_fill_fn fill, json_pace_fn pace,
	void *user)
{
	pacer pc = { pace, user, 0 };
	/* ids evicted (sip_model_set_limits) are holes: their records went out
	 * then, or were kept aside for fill */
	for (guint i = 0, n = sip_model_txn_count(m); i < n && !sink_failed(s); i++) {
		const sip_txn *t = sip_model_txn(m, i);
		if (t) {
			json_write_txn(s, m, t);
			paced(&pc);
		} else if (fill) {
			fill(user, JSON_REC_TXN, i, s);
		}
	}
	for (guint i = 0, n = sip_model_dialog_count(m); i < n && !sink_failed(s); i++) {
		const sip_dialog *d = sip_model_dialog(m, i);
		if (d) {
			json_write_dialog(s, m, d);
			paced(&pc);
		} else if (fill) {
			fill(user, JSON_REC_DIALOG, i, s);
		}
	}
	for (guint i = 0, n = sip_model_call_count(m); i < n && !sink_failed(s); i++) {
		const sip_call *c = sip_model_call(m, i);
		if (c) {
			json_write_call(s, m, c);
			paced(&pc);
		} else if (fill) {
			fill(user, JSON_REC_CALL, i, s);
		}
	}
	for (guint i = 0, n = sip_model_registration_count(m); i < n && !sink_failed(s); i++) {
		const sip_registration *r = sip_model_registration(m, i);
		if (r) {
			json_write_registration(s, m, r);
			paced(&pc);
		}
	}
}
