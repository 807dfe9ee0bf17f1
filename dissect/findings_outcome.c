/*
 * findings_outcome.c — one line saying how a call ended and why, read off
 * the model: who answered and through how many forks, which branches
 * failed, who hung up; or which response ended the attempt and where it
 * came from, and whether a hop was left without any answer.
 *
 * "Branches" are the INVITE transactions of the current attempt that
 * forward to nobody (no transaction has them as parent): the hops that
 * reached a user agent.
 */
#include <string.h>

#include "dissect/findings_internal.h"

typedef struct outcome_scan {
	const sip_model *m;
	const sip_call *c;
	GHashTable *parents;     /* txn ids (+1) that have a child */
	uint32_t attempt_cseq;
} outcome_scan;

static bool txn_initial(const sip_model *m, const sip_txn *t)
{
	if (!t->is_invite)
		return false;
	const sip_message *req = sip_model_message(m, t->request);
	if (!req)
		return true;   /* response-only: the model counts it as initial when nothing was answered */
	sip_span tag = sip_message_span(req, SIP_FIELD_TO_TAG);
	return tag.off == UINT32_MAX || tag.len == 0;
}

static void scan_init(outcome_scan *o, const sip_model *m, const sip_call *c)
{
	o->m = m;
	o->c = c;
	o->parents = g_hash_table_new(g_direct_hash, g_direct_equal);
	o->attempt_cseq = 0;
	for (guint i = 0; i < c->txns->len; i++) {
		const sip_txn *t = sip_model_txn(m, g_array_index(c->txns, sip_id, i));
		if (!t)
			continue;
		if (t->parent != SIP_ID_NONE)
			g_hash_table_add(o->parents, GUINT_TO_POINTER(t->parent + 1));
		if (txn_initial(m, t) && t->cseq > o->attempt_cseq)
			o->attempt_cseq = t->cseq;
	}
}

static void scan_clear(outcome_scan *o)
{
	g_hash_table_destroy(o->parents);
}

static bool is_leaf(const outcome_scan *o, const sip_txn *t)
{
	return !g_hash_table_contains(o->parents, GUINT_TO_POINTER(t->id + 1));
}

/* The first response in the call with this status to an initial INVITE of
 * the attempt: whoever sent it first is where it came from. */
static const sip_message *first_response(const outcome_scan *o, uint16_t status_lo, uint16_t status_hi)
{
	const sip_ids *ms = o->c->messages;
	for (guint i = 0; i < ms->len; i++) {
		const sip_message *msg = sip_model_message(o->m, g_array_index(ms, sip_id, i));
		if (!msg || msg->kind != SIP_KIND_RESPONSE || msg->status < status_lo || msg->status > status_hi)
			continue;
		const sip_txn *t = sip_model_txn(o->m, msg->txn);
		if (t && txn_initial(o->m, t) && (status_lo < 300 || t->cseq == o->attempt_cseq))
			return msg;
	}
	return NULL;
}

/* Distinct To tags in responses to the initial INVITEs: the forks that answered. */
static unsigned count_forks(const outcome_scan *o)
{
	sv tags[16];
	unsigned n = 0;
	const sip_ids *ms = o->c->messages;
	for (guint i = 0; i < ms->len && n < G_N_ELEMENTS(tags); i++) {
		const sip_message *msg = sip_model_message(o->m, g_array_index(ms, sip_id, i));
		if (!msg || msg->kind != SIP_KIND_RESPONSE || msg->status == 100)
			continue;
		const sip_txn *t = sip_model_txn(o->m, msg->txn);
		sv tag = sip_message_field(msg, SIP_FIELD_TO_TAG);
		if (!t || !txn_initial(o->m, t) || t->cseq != o->attempt_cseq || !tag.len)
			continue;
		bool seen = false;
		for (unsigned k = 0; k < n && !seen; k++)
			seen = sv_eq_ci(tags[k], tag);
		if (!seen)
			tags[n++] = tag;
	}
	return n;
}

static void append_branches(GString *out, const outcome_scan *o)
{
	unsigned busy = 0, cancelled = 0, failed = 0, silent = 0, leaves = 0;
	for (guint i = 0; i < o->c->txns->len; i++) {
		const sip_txn *t = sip_model_txn(o->m, g_array_index(o->c->txns, sip_id, i));
		if (!t || !txn_initial(o->m, t) || t->cseq != o->attempt_cseq || !is_leaf(o, t))
			continue;
		leaves++;
		if (t->final_status == 486 || t->final_status == 600 || t->final_status == 603)
			busy++;
		else if (t->final_status == 487)
			cancelled++;
		else if (t->final_status >= 300)
			failed++;
		else if (t->end == TXN_END_NO_FINAL)
			silent++;
	}
	if (leaves < 2)
		return;   /* one branch: the rest of the line already says how it went */
	if (busy)
		g_string_append_printf(out, "; %u branch%s busy", busy, busy == 1 ? "" : "es");
	if (cancelled)
		g_string_append_printf(out, "; %u branch%s cancelled", cancelled, cancelled == 1 ? "" : "es");
	if (failed)
		g_string_append_printf(out, "; %u branch%s failed", failed, failed == 1 ? "" : "es");
	if (silent)
		g_string_append_printf(out, "; %u branch%s never answered", silent, silent == 1 ? "" : "es");
}

/* A hop of the attempt that never got any response: the real cause of a
 * 408 / 480 a proxy made up. */
static const sip_txn *silent_hop(const outcome_scan *o)
{
	for (guint i = 0; i < o->c->txns->len; i++) {
		const sip_txn *t = sip_model_txn(o->m, g_array_index(o->c->txns, sip_id, i));
		if (t && txn_initial(o->m, t) && t->cseq == o->attempt_cseq && t->end == TXN_END_NO_FINAL &&
		    t->request != SIP_ID_NONE)
			return t;
	}
	return NULL;
}

static void append_silent(GString *out, const outcome_scan *o, const sip_txn *t)
{
	const sip_message *req = sip_model_message(o->m, t->request);
	uint32_t sends = 1 + t->request_retransmissions;
	if (sends > 1)
		g_string_append_printf(out, " after %u INVITE transmissions", sends);
	g_string_append(out, t->first_provisional == SIP_ID_NONE ? " \xe2\x80\x94 no response from "
		: " \xe2\x80\x94 no final response from ");
	fnd_append_dst(out, req);
}

static void append_response(GString *out, const sip_message *msg)
{
	g_string_append_printf(out, "%u", msg->status);
	sv reason = sip_message_field(msg, SIP_FIELD_REASON);
	if (reason.len) {
		g_string_append_c(out, ' ');
		fnd_append_wire(out, reason, 40);
	}
	g_string_append(out, " from ");
	fnd_append_src(out, msg);
}

static void outcome_answered(GString *out, const outcome_scan *o)
{
	const sip_call *c = o->c;
	const sip_message *ok = first_response(o, 200, 299);
	g_string_append(out, "answered");
	if (ok) {
		g_string_append(out, " by ");
		fnd_append_src(out, ok);
	}
	unsigned forks = count_forks(o);
	if (forks > 1)
		g_string_append_printf(out, " after %u forks", forks);
	append_branches(out, o);
	if (c->state == CALL_STATE_ACTIVE) {
		g_string_append(out, "; still up when the capture ended");
		return;
	}
	g_string_append(out, "; ended by ");
	if (c->ended_by == CALL_END_CALLER || c->ended_by == CALL_END_CALLEE)
		g_string_append(out, c->ended_by == CALL_END_CALLER ? "the caller" : "the callee");
	else if (c->ender.family != EP_NONE)
		fnd_append_ep(out, &c->ender);
	else
		g_string_append(out, "a 481/408");
	if (c->answer_ts && c->end_ts >= c->answer_ts) {
		g_string_append(out, " after ");
		fnd_append_duration(out, c->end_ts - c->answer_ts);
	}
}

static void outcome_failed(GString *out, const outcome_scan *o, const char *word)
{
	const sip_call *c = o->c;
	const sip_txn *silent = silent_hop(o);
	g_string_append(out, word);
	if (c->final_status) {
		const sip_message *fin = first_response(o, c->final_status, c->final_status);
		g_string_append_c(out, ' ');
		if (fin)
			append_response(out, fin);
		else
			g_string_append_printf(out, "%u", c->final_status);
	} else {
		g_string_append(out, " no final response to the INVITE");
	}
	if (silent)
		append_silent(out, o, silent);
	unsigned forks = count_forks(o);
	if (forks > 1)
		g_string_append_printf(out, "; %u forks answered", forks);
	append_branches(out, o);
}

static void outcome_cancelled(GString *out, const outcome_scan *o)
{
	const sip_call *c = o->c;
	const sip_message *cancel = sip_model_message(o->m, c->cancel_msg);
	g_string_append(out, "cancelled");
	if (cancel) {
		g_string_append(out, c->ended_by == CALL_END_CALLER ? " by the caller" : " by ");
		if (c->ended_by != CALL_END_CALLER)
			fnd_append_src(out, cancel);
		int64_t from = c->ring_ts ? c->ring_ts : c->start_ts;
		g_string_append(out, " after ");
		fnd_append_duration(out, cancel->ts_ns - from);
		g_string_append(out, c->ring_ts ? " of ringing" : " of setup");
	} else {
		const sip_message *fin = first_response(o, 487, 487);
		g_string_append(out, ": ");
		if (fin)
			append_response(out, fin);
		else
			g_string_append(out, "487");
		g_string_append(out, " (the CANCEL was not captured)");
	}
}

static void outcome_not_a_call(GString *out, const sip_model *m, const sip_call *c)
{
	fnd_append_wire(out, c->first_method.p ? c->first_method : SV_LIT("?"), 40);
	g_string_append(out, ": ");
	const sip_message *last = NULL;
	for (guint i = c->messages->len; i > 0 && !last; i--) {
		const sip_message *msg = sip_model_message(m, g_array_index(c->messages, sip_id, i - 1));
		if (msg && msg->kind == SIP_KIND_RESPONSE && msg->status >= 200)
			last = msg;
	}
	if (last)
		append_response(out, last);
	else
		g_string_append(out, "no final response");
}

void findings_call_outcome(const sip_model *m, const sip_call *c, GString *out)
{
	if (!c)
		return;
	if (c->state == CALL_STATE_NOT_A_CALL) {
		outcome_not_a_call(out, m, c);
		return;
	}
	outcome_scan o;
	scan_init(&o, m, c);
	switch (c->state) {
	case CALL_STATE_ANSWERED:
	case CALL_STATE_ACTIVE:
		if (c->answer_ts)
			outcome_answered(out, &o);
		else
			g_string_append(out, c->state == CALL_STATE_ACTIVE
				? "in progress when the capture began; still up when it ended"
				: "in progress when the capture began; ended by BYE");
		break;
	case CALL_STATE_BUSY:
		outcome_failed(out, &o, "busy:");
		break;
	case CALL_STATE_CANCELLED:
		outcome_cancelled(out, &o);
		break;
	case CALL_STATE_NO_ANSWER:
		outcome_failed(out, &o, "no answer:");
		break;
	case CALL_STATE_FAILED:
		outcome_failed(out, &o, "failed:");
		break;
	case CALL_STATE_SETUP:
	default: {
		g_string_append(out, "still being set up when the capture ended");
		const sip_message *prov = first_response(&o, 101, 199);
		if (prov) {
			g_string_append(out, " (");
			append_response(out, prov);
			g_string_append_c(out, ')');
		}
		break;
	}
	}
	scan_clear(&o);
}
