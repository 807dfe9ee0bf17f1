/*
 * findings_msg.c — the checks made on each message and on the objects the
 * model changed: message syntax and mandatory headers (RFC 3261 §8.1.1,
 * §20), transactions (§17, §9), dialogs (§12, §14), authentication (§22),
 * registrations (§10), loops and spirals (§16.3), redirects (§8.1.3.4)
 * and routing (§12.2.1.1, §16.12).
 *
 * Every check looks at one message and what the model already knows; none
 * scans the whole model.  A few look through the transactions of one call
 * (a CANCEL that found no INVITE, glare, redirect loops): calls hold few.
 */
#include <string.h>

#include "dissect/findings_internal.h"
#include "dissect/sip_header.h"

/* ---- the catalogue ---------------------------------------------------------- */

static const fnd_kind K_MALFORMED = { "malformed-message", FINDING_ERROR, "RFC 3261 §7" };
static const fnd_kind K_MISSING_TO = { "missing-to", FINDING_ERROR, "RFC 3261 §8.1.1.2" };
static const fnd_kind K_MISSING_FROM = { "missing-from", FINDING_ERROR, "RFC 3261 §8.1.1.3" };
static const fnd_kind K_MISSING_CALL_ID = { "missing-call-id", FINDING_ERROR, "RFC 3261 §8.1.1.4" };
static const fnd_kind K_MISSING_CSEQ = { "missing-cseq", FINDING_ERROR, "RFC 3261 §8.1.1.5" };
static const fnd_kind K_MISSING_VIA = { "missing-via", FINDING_ERROR, "RFC 3261 §8.1.1.7" };
static const fnd_kind K_MISSING_MAXFWD = { "missing-max-forwards", FINDING_WARNING, "RFC 3261 §8.1.1.6" };
static const fnd_kind K_CSEQ_MISMATCH = { "cseq-method-mismatch", FINDING_ERROR, "RFC 3261 §8.1.1.5" };
static const fnd_kind K_CSEQ_BAD = { "cseq-malformed", FINDING_ERROR, "RFC 3261 §20.16" };
static const fnd_kind K_BRANCH_NO_COOKIE = { "branch-no-cookie", FINDING_INFO, "RFC 3261 §8.1.1.7" };
static const fnd_kind K_BRANCH_COOKIE_ONLY = { "branch-cookie-only", FINDING_WARNING, "RFC 3261 §8.1.1.7" };
static const fnd_kind K_CL_MISSING = { "content-length-missing", FINDING_ERROR, "RFC 3261 §18.3, §20.14" };
static const fnd_kind K_CL_EXCEEDS = { "content-length-exceeds", FINDING_ERROR, "RFC 3261 §18.3" };
static const fnd_kind K_CL_SHORT = { "content-length-short", FINDING_WARNING, "RFC 3261 §18.3" };
static const fnd_kind K_CL_BAD = { "content-length-malformed", FINDING_ERROR, "RFC 3261 §20.14" };
static const fnd_kind K_HDR_BAD = { "header-malformed", FINDING_WARNING, "RFC 3261 §7.3, §25" };
static const fnd_kind K_TO_TAG = { "to-tag-changed", FINDING_WARNING, "RFC 3261 §8.2.6.2, §16.7" };
static const fnd_kind K_2XX_NO_TAG = { "invite-2xx-no-to-tag", FINDING_ERROR, "RFC 3261 §8.2.6.2, §12.1.1" };
static const fnd_kind K_2XX_NO_CONTACT = { "invite-2xx-no-contact", FINDING_ERROR, "RFC 3261 §12.1.1, §13.3.1.4" };

static const fnd_kind K_NO_FINAL_INVITE = { "no-final-response", FINDING_ERROR, "RFC 3261 §17.1.1.2" };
static const fnd_kind K_NO_FINAL_OTHER = { "no-final-response", FINDING_ERROR, "RFC 3261 §17.1.2.2" };
static const fnd_kind K_NO_FINAL_RINGING = { "no-final-response", FINDING_ERROR, "RFC 3261 §16.6 item 11, §16.8" };
static const fnd_kind K_ACK_MISSING = { "ack-missing", FINDING_ERROR, "RFC 3261 §13.2.2.4, §13.3.1.4" };
static const fnd_kind K_NON2XX_ACK = { "non2xx-ack-missing", FINDING_WARNING, "RFC 3261 §17.1.1.3, §17.2.1" };
static const fnd_kind K_STORM = { "retransmission-storm", FINDING_WARNING, "RFC 3261 §17.1.1.2, §17.1.2.2" };
static const fnd_kind K_STORM_RELIABLE = { "retransmission-storm", FINDING_WARNING, "RFC 3261 §17.1.1.2, §18.3" };
static const fnd_kind K_RSP_STORM_G = { "response-retransmission-storm", FINDING_WARNING, "RFC 3261 §17.2.1" };
static const fnd_kind K_RSP_STORM_2XX = { "response-retransmission-storm", FINDING_WARNING, "RFC 3261 §13.3.1.4" };
static const fnd_kind K_RSP_STORM_OTHER = { "response-retransmission-storm", FINDING_WARNING, "RFC 3261 §17.2.2" };
static const fnd_kind K_STRAY = { "stray-response", FINDING_WARNING, "RFC 3261 §17.1.3, §18.1.2" };
static const fnd_kind K_CANCEL_UNKNOWN = { "cancel-unknown-invite", FINDING_WARNING, "RFC 3261 §9.1, §9.2" };
static const fnd_kind K_CANCEL_LATE = { "cancel-after-final", FINDING_INFO, "RFC 3261 §9.1" };
static const fnd_kind K_481 = { "response-481", FINDING_WARNING, "RFC 3261 §12.2.2, §21.4.19" };

static const fnd_kind K_DLG_UNKNOWN = { "dialog-unknown", FINDING_WARNING, "RFC 3261 §12.2.2" };
static const fnd_kind K_CSEQ_ORDER = { "cseq-not-increasing", FINDING_WARNING, "RFC 3261 §12.2.1.1" };
static const fnd_kind K_GLARE = { "reinvite-glare", FINDING_INFO, "RFC 3261 §14.1" };
static const fnd_kind K_GLARE_RETRY = { "glare-retry-too-soon", FINDING_WARNING, "RFC 3261 §14.1" };
static const fnd_kind K_NOT_ENDED = { "call-not-ended", FINDING_INFO, "RFC 3261 §15" };

static const fnd_kind K_AUTH = { "auth-failed", FINDING_ERROR, "RFC 3261 §22.2, §22.3" };
static const fnd_kind K_BINDING_EXPIRED = { "binding-expired", FINDING_WARNING, "RFC 3261 §10.2.1, §10.3" };
static const fnd_kind K_EXPIRES_SHORT = { "expires-shortened", FINDING_INFO, "RFC 3261 §10.2.1.1, §10.3" };
static const fnd_kind K_QVALUES = { "q-values-ignored", FINDING_WARNING, "RFC 3261 §10.2.1.2, §10.3" };

static const fnd_kind K_LOOP = { "forwarding-loop", FINDING_ERROR, "RFC 3261 §16.3 item 4" };
static const fnd_kind K_VIA_LOOP = { "via-loop", FINDING_ERROR, "RFC 3261 §16.3 item 4, §16.6 item 8" };
static const fnd_kind K_SPIRAL = { "spiral", FINDING_INFO, "RFC 3261 §16.3 item 4" };
static const fnd_kind K_483 = { "too-many-hops", FINDING_ERROR, "RFC 3261 §16.3 item 3, §8.1.1.6" };
static const fnd_kind K_482 = { "loop-detected", FINDING_WARNING, "RFC 3261 §16.3 item 4, §8.2.2.2" };

static const fnd_kind K_REDIRECT = { "redirect", FINDING_INFO, "RFC 3261 §8.1.3.4" };
static const fnd_kind K_REDIRECT_LOOP = { "redirect-loop", FINDING_ERROR, "RFC 3261 §8.1.3.4, §16.5" };
static const fnd_kind K_REDIRECT_CHAIN = { "redirect-chain", FINDING_WARNING, "RFC 3261 §8.1.3.4" };
static const fnd_kind K_REDIRECT_ORDER = { "redirect-q-order", FINDING_WARNING, "RFC 3261 §8.1.3.4, §16.5" };

static const fnd_kind K_STRICT = { "strict-routing", FINDING_WARNING, "RFC 3261 §16.4, §16.12" };
static const fnd_kind K_ROUTE_SKIPPED = { "route-skipped", FINDING_WARNING, "RFC 3261 §12.2.1.1" };
static const fnd_kind K_ROUTE_MISMATCH = { "route-set-mismatch", FINDING_WARNING, "RFC 3261 §12.2.1.1, §16.12" };

/* Wire bytes quoted in a summary: URIs and header values. */
enum { QUOTE_MAX = 60 };
/* Redirect: targets listed in a summary. */
enum { TARGETS_MAX = 5 };
/* Retransmissions looked at on the schedule of Timers A and E: with
 * 64×T1 over, the transaction has given up anyway. */
enum { RETRANS_SCHEDULE_MAX = 64 };
/* Vias looked at for a repeated proxy; Max-Forwards 70 allows 71. */
enum { VIA_MAX = 80 };
/* 3xx responses to one call before the redirects look endless. */
enum { REDIRECT_CHAIN_MIN = 5 };
/* §14.1: the owner of the Call-ID waits 2.1 to 4 s before retrying. */
#define GLARE_OWNER_MIN_NS INT64_C(2100000000)

/* ---- helpers ---------------------------------------------------------------- */

static const sip_message *msg_get(findings *f, sip_id id)
{
	return sip_model_message(f->m, id);
}

static bool is_invite_response(const sip_message *msg)
{
	return msg->kind == SIP_KIND_RESPONSE && fnd_cseq_method_is(msg, SIP_METHOD_INVITE);
}

static bool uri_same(sv a, sv b);
static void keep_redirect_set(findings *f, const sip_message *msg, const fnd_rec *r, redir_set *rs,
	unsigned n);

static bool tag_present(const sip_message *msg, sip_field field)
{
	sip_span s = sip_message_span(msg, field);
	return s.off != UINT32_MAX && s.len > 0;
}

/* "INVITE from A to B" */
static void what_from_to(GString *s, const sip_message *msg)
{
	fnd_append_what(s, msg);
	g_string_append(s, " from ");
	fnd_append_src(s, msg);
	g_string_append(s, " to ");
	fnd_append_dst(s, msg);
}

static int64_t since_start(findings *f, int64_t ts)
{
	return ts - f->first_ts;
}

static const sip_timers *timers_of(const findings *f)
{
	return sip_model_timers(f->m);
}

/* A timer's length in a summary: "32 s", "0.5 s", "3 minutes".  Unlike
 * fnd_append_duration, never "m:ss": "within 1:04" would read as a time
 * of day. */
static void append_timer(GString *s, int64_t ns)
{
	const int64_t minute = INT64_C(60000000000);
	if (ns >= minute && ns % minute == 0) {
		int64_t n = ns / minute;
		g_string_append_printf(s, "%" G_GINT64_FORMAT " minute%s", n, n == 1 ? "" : "s");
		return;
	}
	int64_t ms = (ns + 500000) / 1000000;
	int frac = (int)(ms % 1000);
	g_string_append_printf(s, "%" G_GINT64_FORMAT, ms / 1000);
	if (frac % 100 == 0 && frac)
		g_string_append_printf(s, ".%d", frac / 100);
	else if (frac % 10 == 0 && frac)
		g_string_append_printf(s, ".%02d", frac / 10);
	else if (frac)
		g_string_append_printf(s, ".%03d", frac);
	g_string_append(s, " s");
}

/* "+12.5 s" from the first message of the capture */
static void append_at(findings *f, GString *s, int64_t ts)
{
	g_string_append_c(s, '+');
	fnd_append_duration(s, since_start(f, ts));
}

/* A finding about one message: the message, its transaction and dialog. */
static fnd_rec *about_msg(findings *f, const fnd_kind *k, const sip_message *msg, uint64_t fold,
	bool *fresh)
{
	fnd_rec *r = fnd_add(f, k, msg->call, fold, msg->ts_ns, fresh);
	fnd_add_msg(f, r, msg->id);
	fnd_add_txn(f, r, msg->txn);
	fnd_add_dialog(f, r, msg->dialog);
	return r;
}

static void set_summary_s(findings *f, fnd_rec *r)
{
	fnd_set_summary(f, r, f->s->str);
}

static void note_count(findings *f, fnd_rec *r, const char *unit)
{
	if (r->pub.count < 2)
		return;
	g_autofree char *t = g_strdup_printf("%u %s", r->pub.count, unit);
	fnd_set_note(f, r, t);
}

static uint64_t fold_cseq(const sip_message *msg)
{
	return fnd_hash_sv(sip_message_field(msg, SIP_FIELD_CSEQ_METHOD)) ^ ((uint64_t)msg->cseq << 20);
}

/* ---- 1: message syntax and mandatory headers ---------------------------------- */

static bool wants_qvalues(const findings *f, const sip_message *msg);

bool fnd_wants_parse(findings *f, const sip_message *msg)
{
	if (msg->kind == SIP_KIND_INVALID)
		return true;
	if (msg->retransmission)
		return false;
	if (msg->n_warnings || msg->kind == SIP_KIND_REQUEST || msg->has_sdp)
		return true;
	uint16_t st = msg->status;
	if (st >= 200 && st < 300)
		return is_invite_response(msg) || wants_qvalues(f, msg);
	return (st >= 300 && st < 400) || st == 401 || st == 407 || st == 488 || st == 606;
}

static const fnd_kind *missing_kind(uint32_t hdr)
{
	switch (hdr) {
	case SIP_HDR_TO: return &K_MISSING_TO;
	case SIP_HDR_FROM: return &K_MISSING_FROM;
	case SIP_HDR_CALL_ID: return &K_MISSING_CALL_ID;
	case SIP_HDR_CSEQ: return &K_MISSING_CSEQ;
	case SIP_HDR_VIA: return &K_MISSING_VIA;
	case SIP_HDR_MAX_FORWARDS: return &K_MISSING_MAXFWD;
	default: return &K_HDR_BAD;
	}
}

static const fnd_kind *warning_kind(unsigned code, uint32_t a)
{
	switch (code) {
	case SIP_W_MISSING_HDR: return missing_kind(a);
	case SIP_W_CSEQ_MISMATCH: return &K_CSEQ_MISMATCH;
	case SIP_W_CSEQ_BAD: return &K_CSEQ_BAD;
	case SIP_W_CL_MISSING_STREAM: return &K_CL_MISSING;
	case SIP_W_CL_EXCEEDS: return &K_CL_EXCEEDS;
	case SIP_W_CL_SHORT: return &K_CL_SHORT;
	case SIP_W_CL_BAD: return &K_CL_BAD;
	case SIP_W_BRANCH_COOKIE_ONLY: return &K_BRANCH_COOKIE_ONLY;
	default:
		/* SDP and multipart warnings are about bodies, not SIP */
		return code < SIP_W_SDP_EMPTY ? &K_HDR_BAD : NULL;
	}
}

/* A response copies the request's Via: a fault there is the request's. */
static bool echoes_request(const sip_warning *w)
{
	return w->code == SIP_W_VIA_BAD || w->code == SIP_W_BRANCH_COOKIE_ONLY ||
		(w->code == SIP_W_EMPTY_PARAM && w->a == SIP_HDR_VIA);
}

static void check_invalid(findings *f, const sip_message *msg, const sip_msg *p)
{
	bool fresh;
	fnd_rec *r = about_msg(f, &K_MALFORMED, msg, fnd_hash_src(msg), &fresh);
	if (fresh) {
		GString *s = f->s;
		g_string_assign(s, "message from ");
		fnd_append_src(s, msg);
		g_string_append(s, " to ");
		fnd_append_dst(s, msg);
		g_string_append(s, " is not a SIP message");
		if (p && p->n_warnings) {
			g_string_append(s, ": ");
			sip_warning_format(&p->warnings[0], s);
		}
		set_summary_s(f, r);
	}
	note_count(f, r, "such messages from this sender");
}

static void check_syntax(findings *f, const sip_message *msg, const sip_msg *p)
{
	for (unsigned i = 0; i < p->n_warnings; i++) {
		const sip_warning *w = &p->warnings[i];
		const fnd_kind *k = warning_kind(w->code, w->a);
		if (!k || (msg->kind == SIP_KIND_RESPONSE && echoes_request(w)))
			continue;
		uint64_t fold = fnd_hash_src(msg) ^ ((uint64_t)w->code << 40);
		bool fresh;
		fnd_rec *r = about_msg(f, k, msg, fold, &fresh);
		if (fresh) {
			GString *s = f->s;
			g_string_truncate(s, 0);
			what_from_to(s, msg);
			g_string_append(s, ": ");
			sip_warning_format(w, s);
			set_summary_s(f, r);
		}
		note_count(f, r, "times from this sender");
	}
}

static void check_branch(findings *f, const sip_message *msg)
{
	sv b = sip_message_field(msg, SIP_FIELD_BRANCH);
	if (sip_message_span(msg, SIP_FIELD_VIA_SENT_BY).off == UINT32_MAX)
		return;   /* no Via at all: missing-via says so */
	if (b.len > 7 && sv_starts_with_ci(b, SV_LIT("z9hG4bK")))
		return;
	if (sv_eq_ci_cstr(b, "z9hG4bK"))
		return;   /* the parser's branch-cookie-only */
	bool fresh;
	fnd_rec *r = about_msg(f, &K_BRANCH_NO_COOKIE, msg, fnd_hash_src(msg), &fresh);
	if (fresh) {
		GString *s = f->s;
		g_string_truncate(s, 0);
		what_from_to(s, msg);
		if (b.p == NULL) {
			g_string_append(s, ": the top Via has no branch parameter (RFC 2543 style)");
		} else {
			g_string_append(s, ": branch \"");
			fnd_append_wire(s, b, QUOTE_MAX);
			g_string_append(s, "\" lacks the z9hG4bK cookie (RFC 2543 style; transactions are matched by the older rules)");
		}
		set_summary_s(f, r);
	}
	note_count(f, r, "requests from this sender");
}

static void check_invite_2xx(findings *f, const sip_message *msg, const sip_msg *p)
{
	bool fresh;
	if (!tag_present(msg, SIP_FIELD_TO_TAG)) {
		fnd_rec *r = about_msg(f, &K_2XX_NO_TAG, msg, fold_cseq(msg), &fresh);
		if (fresh) {
			g_string_truncate(f->s, 0);
			what_from_to(f->s, msg);
			g_string_append(f->s, " has no To tag: no dialog can be formed from it");
			set_summary_s(f, r);
		}
	}
	if (p && p->hdr_count[SIP_HDR_CONTACT] == 0) {
		fnd_rec *r = about_msg(f, &K_2XX_NO_CONTACT, msg, fold_cseq(msg), &fresh);
		if (fresh) {
			g_string_truncate(f->s, 0);
			what_from_to(f->s, msg);
			g_string_append(f->s, " has no Contact: the caller has no remote target for its ACK and BYE");
			set_summary_s(f, r);
		}
	}
}

/* Two final responses of one transaction with different To tags, one of
 * them a failure: a proxy forwards one final (§16.7) and a UAS answers
 * once; 2xx from several forks are the only legitimate case. */
static void check_to_tag(findings *f, const sip_message *msg, const sip_txn *t)
{
	if (msg->status < 200 || t->final == SIP_ID_NONE || t->final == msg->id)
		return;
	const sip_message *first = msg_get(f, t->final);
	if (!first || (first->status < 300 && msg->status < 300))
		return;
	sv a = sip_message_field(first, SIP_FIELD_TO_TAG), b = sip_message_field(msg, SIP_FIELD_TO_TAG);
	if (sv_eq_ci(a, b))
		return;
	det_txn *dt = fnd_txn(f, t->id);
	if (dt->flags & DT_TO_TAG)
		return;
	dt->flags |= DT_TO_TAG;
	bool fresh;
	fnd_rec *r = about_msg(f, &K_TO_TAG, msg, 0, &fresh);
	fnd_add_msg(f, r, first->id);
	GString *s = f->s;
	g_string_assign(s, "one ");
	fnd_append_wire(s, sip_txn_method(t), QUOTE_MAX);
	g_string_append(s, " transaction got two final responses with different To tags: ");
	fnd_append_what(s, first);
	g_string_append(s, " (tag \"");
	fnd_append_wire(s, a, QUOTE_MAX);
	g_string_append(s, "\") then ");
	fnd_append_what(s, msg);
	g_string_append(s, " (tag \"");
	fnd_append_wire(s, b, QUOTE_MAX);
	g_string_append(s, "\") from ");
	fnd_append_src(s, msg);
	set_summary_s(f, r);
}

/* ---- 2: transactions -------------------------------------------------------------- */

void fnd_check_txn(findings *f, const sip_txn *t)
{
	if (!t || t->end != TXN_END_NO_FINAL || sv_eq_cstr(sip_txn_method(t), "ACK"))
		return;
	det_txn *dt = fnd_txn(f, t->id);
	if (dt->flags & DT_NO_FINAL)
		return;
	dt->flags |= DT_NO_FINAL;
	bool ringing = t->is_invite && t->first_provisional != SIP_ID_NONE;
	const fnd_kind *k = ringing ? &K_NO_FINAL_RINGING
		: t->is_invite ? &K_NO_FINAL_INVITE : &K_NO_FINAL_OTHER;
	int64_t ts = t->terminated_ts;
	bool fresh;
	fnd_rec *r = fnd_add(f, k, t->call, 0, ts, &fresh);
	fnd_add_txn_messages(f, r, t->id);
	fnd_add_dialog(f, r, t->dialog);
	const sip_message *req = msg_get(f, t->request);
	GString *s = f->s;
	g_string_truncate(s, 0);
	fnd_append_wire(s, sip_txn_method(t), QUOTE_MAX);
	if (req) {
		g_string_append(s, " from ");
		fnd_append_src(s, req);
		g_string_append(s, " to ");
		fnd_append_dst(s, req);
	}
	if (ringing) {
		const sip_message *prov = msg_get(f, t->first_provisional);
		g_string_append(s, " got no final response within ");
		append_timer(s, timers_of(f)->timer_c_ns);
		g_string_append(s, " of its last provisional response (Timer C)");
		if (prov) {
			g_string_append(s, "; it had answered ");
			fnd_append_what(s, prov);
		}
	} else {
		g_string_append(s, " got no final response within ");
		append_timer(s, sip_timers_64t1(timers_of(f)));
		g_string_append_printf(s, " (%s, 64×T1)", t->is_invite ? "Timer B" : "Timer F");
		if (req) {
			uint32_t sends = 1 + t->request_retransmissions;
			if (sends == 1)
				g_string_append(s, "; sent once");
			else
				g_string_append_printf(s, "; sent %u times", sends);
		}
		if (t->first_provisional == SIP_ID_NONE && req)
			g_string_append(s, ", no response at all");
		else if (!req)
			g_string_append(s, "; the request itself was not captured");
	}
	set_summary_s(f, r);
}

void fnd_report_ack_wait(findings *f, ack_wait *w)
{
	const sip_message *msg = msg_get(f, w->msg);
	if (!msg)
		return;
	bool fresh;
	GString *s = f->s;
	int64_t wait = sip_timers_64t1(timers_of(f));
	if (w->non2xx) {
		fnd_rec *r = fnd_add(f, &K_NON2XX_ACK, msg->call, 0, w->ts + wait, &fresh);
		w->finding = r->pub.id;
		fnd_add_txn_messages(f, r, w->txn);
		g_string_truncate(s, 0);
		what_from_to(s, msg);
		g_string_append(s, " was never acknowledged: no ACK within ");
		append_timer(s, wait);
		g_string_append(s, " (Timer H)");
		const sip_txn *t = sip_model_txn(f->m, w->txn);
		if (t && t->response_retransmissions)
			g_string_append_printf(s, "; the response was sent %u times",
				1 + t->response_retransmissions);
		set_summary_s(f, r);
		return;
	}
	fnd_rec *r = fnd_add(f, &K_ACK_MISSING, msg->call, 0, w->ts + wait, &fresh);
	w->finding = r->pub.id;
	fnd_add_txn_messages(f, r, w->txn);
	fnd_add_dialog(f, r, msg->dialog);
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	g_string_append(s, " was never acknowledged: no ACK within ");
	append_timer(s, wait);
	g_string_append(s, " (64×T1)");
	if (w->retransmissions == 1)
		g_string_append(s, "; the answer was retransmitted once");
	else if (w->retransmissions)
		g_string_append_printf(s, "; the answer was retransmitted %u times", w->retransmissions);
	set_summary_s(f, r);
	fnd_ack_wait_aftermath(f, w);
}

void fnd_ack_wait_aftermath(findings *f, const ack_wait *w)
{
	const sip_message *msg = msg_get(f, w->msg);
	fnd_rec *r = idtab_get(&f->recs, w->finding);
	const sip_dialog *d = msg ? sip_model_dialog(f->m, msg->dialog) : NULL;
	if (!r || !d || d->state != DLG_STATE_TERMINATED || d->terminated_ts < w->ts)
		return;
	const sip_message *end = msg_get(f, d->terminating_msg);
	GString *s = g_string_new("the session was torn down ");
	fnd_append_duration(s, d->terminated_ts - w->ts);
	g_string_append(s, " after the answer");
	if (end && end->kind == SIP_KIND_RESPONSE) {
		const sip_txn *bt = sip_model_txn(f->m, end->txn);
		const sip_message *bye = bt ? msg_get(f, bt->request) : NULL;
		if (bye)
			end = bye;
	}
	if (end) {
		g_string_append(s, " (");
		fnd_append_what(s, end);
		g_string_append(s, " from ");
		if (end->kind == SIP_KIND_REQUEST)
			fnd_append_src(s, end);
		else
			fnd_append_dst(s, end);
		g_string_append_c(s, ')');
		fnd_add_msg(f, r, end->id);
	}
	fnd_set_note(f, r, s->str);
	g_string_free(s, TRUE);
}

/* Earliest time after the first send at which the n-th retransmission may
 * go out on an unreliable transport: Timer A doubles from T1, Timer E too
 * but no further than T2. */
static int64_t retrans_schedule(const sip_timers *tm, bool invite, uint32_t n)
{
	int64_t total = 0, step = tm->t1_ns;
	for (uint32_t i = 0; i < n && i < RETRANS_SCHEDULE_MAX; i++) {
		total += step;
		if (step > INT64_MAX / 4)
			break;   /* far past 64×T1 already: doubling on would overflow */
		step *= 2;
		if (!invite && step > tm->t2_ns)
			step = tm->t2_ns;
	}
	return total;
}

/* Retransmissions the schedule fits in before 64×T1, when the
 * transaction gives up: 6 for an INVITE and 10 for others with the
 * defaults. */
static uint32_t retrans_max(const sip_timers *tm, bool invite)
{
	int64_t window = sip_timers_64t1(tm);
	uint32_t n = 0;
	while (n < RETRANS_SCHEDULE_MAX && retrans_schedule(tm, invite, n + 1) < window)
		n++;
	return n;
}

static void check_storm(findings *f, const sip_message *msg, const sip_txn *t)
{
	int64_t req_ts = t ? sip_txn_request_ts(f->m, t) : 0;
	if (req_ts == 0 || fnd_method_is(msg, SIP_METHOD_ACK))
		return;
	det_txn *dt = fnd_txn(f, t->id);
	const sip_timers *tm = timers_of(f);
	uint32_t n = t->request_retransmissions;
	int64_t elapsed = msg->ts_ns - req_ts;
	const char *tr = sip_message_transport_or_udp(msg);
	bool reliable = strcmp(tr, "UDP") != 0;
	if (!(dt->flags & DT_STORM)) {
		bool storm;
		if (reliable)
			storm = n >= 1;
		else
			storm = n > retrans_max(tm, t->is_invite) ||
				(n >= 3 && elapsed * 4 < retrans_schedule(tm, t->is_invite, n));
		if (!storm)
			return;
		dt->flags |= DT_STORM;
	}
	bool fresh;
	fnd_rec *r = fnd_add(f, reliable ? &K_STORM_RELIABLE : &K_STORM, t->call,
		0x5707ull ^ ((uint64_t)t->id << 16), msg->ts_ns, &fresh);
	if (fresh)
		fnd_add_txn_messages(f, r, t->id);
	fnd_add_msg(f, r, msg->id);
	GString *s = f->s;
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	g_string_append_printf(s, " sent %u times in ", n + 1);
	fnd_append_duration(s, elapsed);
	if (reliable)
		g_string_append_printf(s, " over %s: requests are not retransmitted over a reliable transport", tr);
	else {
		g_string_append_printf(s, ": beyond Timer %s's schedule (at most %u sends in ",
			t->is_invite ? "A" : "E", 1 + retrans_max(tm, t->is_invite));
		append_timer(s, sip_timers_64t1(tm));
		g_string_append(s, ", ");
		append_timer(s, tm->t1_ns);
		if (t->is_invite) {
			g_string_append(s, " apart then doubling)");
		} else {
			g_string_append(s, " apart doubling up to ");
			append_timer(s, tm->t2_ns);
			g_string_append_c(s, ')');
		}
	}
	set_summary_s(f, r);
}

/* Copies of a server transaction's final response (§17.2).  A non-2xx
 * final to an INVITE goes again on Timer G, over unreliable transports
 * only: T1, doubling up to T2, until the ACK or Timer H; a 2xx to an
 * INVITE on the same schedule over any transport (§13.3.1.4, the ACK is
 * end to end); a final to any other request only when that request comes
 * again (§17.2.2).  A retransmitted request may draw a copy in every case
 * (a stateless element answers each copy it gets, even before its first
 * final went out): those copies are owed and not counted.  For a
 * non-INVITE request two unprompted copies are needed, so that one request
 * retransmission missing from the capture does not make a storm. */
static void check_response_storm(findings *f, const sip_message *msg, const sip_txn *t)
{
	if (msg->status < 200 || t->final == SIP_ID_NONE || t->final == msg->id)
		return;
	const sip_message *fin = msg_get(f, t->final);
	if (!fin || fin->ts_ns == 0 || fin->status != msg->status ||
	    !sv_eq_ci(sip_message_field(fin, SIP_FIELD_TO_TAG), sip_message_field(msg, SIP_FIELD_TO_TAG)))
		return;   /* a copy of another fork's final: only the first final is followed */
	det_txn *dt = fnd_txn(f, t->id);
	if (dt->final_resends < UINT32_MAX)
		dt->final_resends++;
	uint32_t owed = dt->prompts < dt->final_resends ? dt->prompts : dt->final_resends;
	uint32_t n = dt->final_resends - owed;
	int64_t elapsed = msg->ts_ns - fin->ts_ns;
	const char *tr = sip_message_transport_or_udp(msg);
	bool reliable = strcmp(tr, "UDP") != 0;
	bool ok = msg->status < 300;
	const sip_timers *tm = timers_of(f);
	const fnd_kind *k = !t->is_invite ? &K_RSP_STORM_OTHER : ok ? &K_RSP_STORM_2XX : &K_RSP_STORM_G;
	if (!(dt->flags & DT_RSP_STORM)) {
		bool storm;
		if (k == &K_RSP_STORM_OTHER)
			storm = n >= 2;
		else if (!ok && reliable)
			storm = n >= 1;
		else   /* Timer G and the 2xx double as Timer E does: up to T2 */
			storm = n > retrans_max(tm, false) ||
				(n >= 3 && elapsed * 4 < retrans_schedule(tm, false, n));
		if (!storm)
			return;
		dt->flags |= DT_RSP_STORM;
	}
	bool fresh;
	fnd_rec *r = fnd_add(f, k, t->call, 0x5708ull ^ ((uint64_t)t->id << 16), msg->ts_ns, &fresh);
	if (fresh)
		fnd_add_txn_messages(f, r, t->id);
	fnd_add_msg(f, r, msg->id);
	fnd_add_dialog(f, r, msg->dialog);
	GString *s = f->s;
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	g_string_append_printf(s, " sent %u times in ", 1 + dt->final_resends);
	fnd_append_duration(s, elapsed);
	if (owed)
		g_string_append_printf(s, " (%u of the copies answer retransmitted requests)", owed);
	if (k == &K_RSP_STORM_OTHER) {
		g_string_append_printf(s, ": %u copies came without a retransmitted request, but the final "
			"response to a non-INVITE request is sent again only when the request is", n);
	} else if (!ok && reliable) {
		g_string_append_printf(s, " over %s: Timer G resends a non-2xx final response over "
			"unreliable transports only", tr);
	} else {
		g_string_append_printf(s, ": beyond %s (at most %u sends in ",
			ok ? "the schedule of 2xx retransmissions" : "Timer G's schedule",
			1 + retrans_max(tm, false));
		append_timer(s, sip_timers_64t1(tm));
		g_string_append(s, ", ");
		append_timer(s, tm->t1_ns);
		g_string_append(s, " apart doubling up to ");
		append_timer(s, tm->t2_ns);
		g_string_append_c(s, ')');
	}
	set_summary_s(f, r);
}

static void check_stray(findings *f, const sip_message *msg, const sip_txn *t)
{
	if (t->request != SIP_ID_NONE || t->messages != 1)
		return;
	int64_t running = since_start(f, msg->ts_ns);
	if (running <= sip_timers_64t1(timers_of(f)))
		return;   /* the request may predate the capture */
	bool fresh;
	fnd_rec *r = about_msg(f, &K_STRAY, msg, 0, &fresh);
	GString *s = f->s;
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	g_string_append(s, " matches no transaction: no request with its Via branch and sent-by was seen, though the capture had been running for ");
	fnd_append_duration(s, running);
	set_summary_s(f, r);
}

static void check_cancel(findings *f, const sip_message *msg, const sip_txn *ct)
{
	GString *s = f->s;
	bool fresh;
	if (ct->cancel == SIP_ID_NONE) {
		/* an INVITE of the same CSeq under another branch? */
		const sip_call *c = sip_model_call(f->m, msg->call);
		const sip_txn *other = NULL;
		for (guint i = 0; c && i < c->txns->len && !other; i++) {
			const sip_txn *t = sip_model_txn(f->m, g_array_index(c->txns, sip_id, i));
			if (t && t->is_invite && t->cseq == msg->cseq && t->request != SIP_ID_NONE)
				other = t;
		}
		if (!other && since_start(f, msg->ts_ns) <= timers_of(f)->timer_c_ns)
			return;   /* the INVITE may be older than the capture */
		fnd_rec *r = about_msg(f, &K_CANCEL_UNKNOWN, msg, 0, &fresh);
		g_string_truncate(s, 0);
		what_from_to(s, msg);
		if (other) {
			fnd_add_txn(f, r, other->id);
			fnd_add_msg(f, r, other->request);
			g_string_append(s, " matches no INVITE transaction: its top Via (branch \"");
			fnd_append_wire(s, sip_message_field(msg, SIP_FIELD_BRANCH), QUOTE_MAX);
			g_string_append(s, "\") differs from the INVITE's (branch \"");
			fnd_append_wire(s, sip_txn_branch(other), QUOTE_MAX);
			g_string_append(s, "\"), so the UAS cannot match it");
		} else {
			g_string_append(s, " cancels an INVITE that never appeared in the capture");
		}
		set_summary_s(f, r);
		return;
	}
	const sip_txn *inv = sip_model_txn(f->m, ct->cancel);
	int64_t inv_final_ts = inv ? sip_txn_final_ts(f->m, inv) : 0;
	if (inv_final_ts == 0 || inv_final_ts >= msg->ts_ns)
		return;
	fnd_rec *r = about_msg(f, &K_CANCEL_LATE, msg, 0, &fresh);
	fnd_add_txn(f, r, inv->id);
	fnd_add_msg(f, r, inv->final);
	const sip_message *fin = msg_get(f, inv->final);
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	g_string_append(s, " came ");
	fnd_append_duration(s, msg->ts_ns - inv_final_ts);
	g_string_append(s, " after the INVITE's final response");
	if (fin) {
		g_string_append(s, " (");
		fnd_append_what(s, fin);
		g_string_append_c(s, ')');
	}
	g_string_append(s, ": only a pending INVITE can be cancelled, so it has no effect");
	set_summary_s(f, r);
}

static void explain_481(findings *f, const sip_message *msg, const sip_txn *t)
{
	bool fresh;
	fnd_rec *r = about_msg(f, &K_481, msg, fold_cseq(msg), &fresh);
	if (!fresh)
		return;   /* the same 481 passed back over another hop */
	fnd_add_txn_messages(f, r, t->id);
	GString *s = f->s;
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	if (sv_eq_cstr(sip_txn_method(t), "CANCEL")) {
		g_string_append(s, ": the UAS found no INVITE transaction for this CANCEL");
		const sip_txn *inv = sip_model_txn(f->m, t->cancel);
		if (inv && inv->final != SIP_ID_NONE && sip_txn_final_ts(f->m, inv) <= msg->ts_ns) {
			const sip_message *fin = msg_get(f, inv->final);
			g_string_append(s, "; the INVITE had already been answered");
			if (fin) {
				g_string_append(s, " (");
				fnd_append_what(s, fin);
				g_string_append_c(s, ')');
			}
		} else if (!inv) {
			g_string_append(s, " (its branch or Request-URI differ from the INVITE's, or the INVITE never reached it)");
		}
		set_summary_s(f, r);
		return;
	}
	g_string_append(s, ": the peer knows no dialog or transaction for this request");
	const sip_dialog *d = sip_model_dialog(f->m, msg->dialog);
	if (!d) {
		g_string_append(s, "; no dialog with this Call-ID and these tags appears in the capture either (wrong tags or Call-ID, or the session never existed)");
	} else if (d->terminating_msg != msg->id && d->state == DLG_STATE_TERMINATED &&
		   d->terminated_ts < msg->ts_ns) {
		fnd_add_dialog(f, r, d->id);
		g_string_append(s, "; the capture shows the dialog already ended at ");
		append_at(f, s, d->terminated_ts);
		if (sip_dialog_end_reason(d)) {
			g_string_append(s, " (");
			g_string_append(s, sip_dialog_end_reason(d));
			g_string_append_c(s, ')');
		}
	} else {
		fnd_add_dialog(f, r, d->id);
		g_string_append(s, "; the capture shows the dialog ");
		g_string_append(s, d->confirmed_ts ? "confirmed" : "early");
		g_string_append(s, " since ");
		append_at(f, s, d->confirmed_ts ? d->confirmed_ts : d->early_ts);
		g_string_append(s, ": the peer lost it (a restart, or it ended the dialog without a BYE seen here)");
	}
	set_summary_s(f, r);
}

/* ---- 3: dialogs ------------------------------------------------------------------- */

static bool in_dialog_method(sv m)
{
	return sv_eq_cstr(m, "BYE") || sv_eq_cstr(m, "INVITE") || sv_eq_cstr(m, "UPDATE") ||
		sv_eq_cstr(m, "INFO") || sv_eq_cstr(m, "PRACK") || sv_eq_cstr(m, "REFER");
}

/* The start of the call is in the capture: its first INVITE was seen. */
static bool call_start_seen(findings *f, sip_id call)
{
	const sip_call *c = sip_model_call(f->m, call);
	const sip_txn *t = c ? sip_model_txn(f->m, c->initial_txn) : NULL;
	return t && t->request != SIP_ID_NONE;
}

static void check_dialog_exists(findings *f, const sip_message *msg)
{
	sv method = sip_message_field(msg, SIP_FIELD_METHOD);
	if (!in_dialog_method(method) || !tag_present(msg, SIP_FIELD_TO_TAG) || !call_start_seen(f, msg->call))
		return;
	const sip_dialog *d = sip_model_dialog(f->m, msg->dialog);
	bool ended = d && d->state == DLG_STATE_TERMINATED && d->terminating_msg < msg->id;
	if (d && !ended)
		return;
	bool fresh;
	fnd_rec *r = about_msg(f, &K_DLG_UNKNOWN, msg, fold_cseq(msg), &fresh);
	if (!fresh)
		return;
	GString *s = f->s;
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	if (ended) {
		g_string_append(s, " is sent in a dialog that already ended at ");
		append_at(f, s, d->terminated_ts);
		if (sip_dialog_end_reason(d)) {
			g_string_append(s, " (");
			g_string_append(s, sip_dialog_end_reason(d));
			g_string_append_c(s, ')');
		}
	} else {
		g_string_append(s, " names a dialog that does not exist (From tag \"");
		fnd_append_wire(s, sip_message_field(msg, SIP_FIELD_FROM_TAG), QUOTE_MAX);
		g_string_append(s, "\", To tag \"");
		fnd_append_wire(s, sip_message_field(msg, SIP_FIELD_TO_TAG), QUOTE_MAX);
		g_string_append(s, "\")");
		const sip_call *c = sip_model_call(f->m, msg->call);
		if (c && c->dialogs->len) {
			const sip_dialog *o = sip_model_dialog(f->m, g_array_index(c->dialogs, sip_id, 0));
			if (o) {
				g_string_append(s, "; the call's dialog has tags \"");
				fnd_append_wire(s, o->from_tag, QUOTE_MAX);
				g_string_append(s, "\" and \"");
				fnd_append_wire(s, o->to_tag, QUOTE_MAX);
				g_string_append_c(s, '"');
			}
		} else {
			g_string_append(s, "; no dialog was ever established in this call");
		}
	}
	set_summary_s(f, r);
}

/* Which side of the dialog sent a request: 0 the caller (from_tag), 1 the callee. */
static int dialog_side(const sip_dialog *d, const sip_message *msg)
{
	return sv_eq_ci(sip_message_field(msg, SIP_FIELD_FROM_TAG), d->from_tag) ? 0 : 1;
}

static void check_cseq_order(findings *f, const sip_message *msg)
{
	sv method = sip_message_field(msg, SIP_FIELD_METHOD);
	if (!msg->has_cseq || sv_eq_cstr(method, "ACK") || sv_eq_cstr(method, "CANCEL"))
		return;
	const sip_dialog *d = sip_model_dialog(f->m, msg->dialog);
	if (!d)
		return;
	det_dlg *dd = fnd_dlg(f, d->id);
	if (!dd->cseq_known[0] && !dd->cseq_known[1]) {
		/* the creating request opens its sender's sequence */
		const sip_txn *ct = sip_model_txn(f->m, d->creating_txn);
		const sip_message *creq = ct ? msg_get(f, ct->request) : NULL;
		if (creq && creq->has_cseq && creq->id != msg->id) {
			int cs = dialog_side(d, creq);
			dd->cseq[cs] = creq->cseq;
			dd->cseq_method[cs] = sip_txn_method(ct);
			dd->cseq_known[cs] = true;
		}
	}
	int side = dialog_side(d, msg);
	if (dd->cseq_known[side]) {
		uint32_t prev = dd->cseq[side];
		bool back = msg->cseq < prev || (msg->cseq == prev && !sv_eq(method, dd->cseq_method[side]));
		if (back) {
			bool fresh;
			fnd_rec *r = about_msg(f, &K_CSEQ_ORDER, msg, fnd_hash_sv(sip_dialog_call_id(f->m, d)) ^ ((uint64_t)d->id << 8) ^
				(uint64_t)side, &fresh);
			if (fresh) {
				GString *s = f->s;
				g_string_truncate(s, 0);
				what_from_to(s, msg);
				g_string_append_printf(s, " has CSeq %u after ", msg->cseq);
				fnd_append_wire(s, dd->cseq_method[side], QUOTE_MAX);
				g_string_append_printf(s, " with CSeq %u from the same side of the dialog: "
					"each new request must use a higher CSeq", prev);
				set_summary_s(f, r);
			}
			note_count(f, r, "requests out of order");
			return;
		}
	}
	if (!dd->cseq_known[side] || msg->cseq > dd->cseq[side]) {
		dd->cseq[side] = msg->cseq;
		dd->cseq_method[side] = method;
		dd->cseq_known[side] = true;
	}
}

/* A re-INVITE answered 491: look for the one it crossed. */
static void explain_glare(findings *f, const sip_message *msg, const sip_txn *t)
{
	const sip_dialog *d = sip_model_dialog(f->m, msg->dialog);
	const sip_message *req = msg_get(f, t->request);
	if (!d || !req)
		return;
	det_dlg *dd = fnd_dlg(f, d->id);
	int side = dialog_side(d, req);
	dd->glare_ts[side] = msg->ts_ns;
	dd->glare_txn1[side] = t->id + 1;
	bool fresh;
	fnd_rec *r = fnd_add(f, &K_GLARE, msg->call, 0x61a4eull ^ ((uint64_t)d->id << 8), req->ts_ns, &fresh);
	fnd_add_txn_messages(f, r, t->id);
	fnd_add_dialog(f, r, d->id);
	/* the crossing re-INVITE: from the other side, sent before this one was answered */
	const sip_call *c = sip_model_call(f->m, msg->call);
	const sip_txn *other = NULL;
	const sip_message *oreq = NULL;
	for (guint i = c ? c->txns->len : 0; i > 0 && !other; i--) {
		const sip_txn *o = sip_model_txn(f->m, g_array_index(c->txns, sip_id, i - 1));
		const sip_message *om = o ? msg_get(f, o->request) : NULL;
		if (!om || o == t || !o->is_invite || o->dialog != d->id || dialog_side(d, om) == side)
			continue;
		if (om->ts_ns <= msg->ts_ns &&
		    om->ts_ns + sip_timers_64t1(timers_of(f)) >= req->ts_ns) {
			other = o;
			oreq = om;
		}
	}
	if (!fresh && !other)
		return;
	GString *s = f->s;
	g_string_assign(s, "re-INVITE glare: ");
	if (other) {
		fnd_add_txn_messages(f, r, other->id);
		int64_t gap = oreq->ts_ns - req->ts_ns;
		g_string_append(s, "both ends sent a re-INVITE ");
		fnd_append_duration(s, gap < 0 ? -gap : gap);
		g_string_append(s, " apart (");
		fnd_append_src(s, req);
		g_string_append_printf(s, " CSeq %u, ", req->cseq);
		fnd_append_src(s, oreq);
		g_string_append_printf(s, " CSeq %u)", oreq->cseq);
	} else {
		g_string_append(s, "the re-INVITE from ");
		fnd_append_src(s, req);
		g_string_append(s, " crossed one from the other end");
	}
	g_string_append(s, "; each was refused with 491 Request Pending and each side retries after a random delay "
		"(2.1-4 s for the Call-ID's owner, up to 2 s for the other)");
	set_summary_s(f, r);
}

/* §14.1: after a 491 the owner of the Call-ID (the caller) waits 2.1-4 s. */
static void check_glare_retry(findings *f, const sip_message *msg)
{
	if (!fnd_method_is(msg, SIP_METHOD_INVITE) || !tag_present(msg, SIP_FIELD_TO_TAG))
		return;
	const sip_dialog *d = sip_model_dialog(f->m, msg->dialog);
	if (!d)
		return;
	det_dlg *dd = fnd_dlg(f, d->id);
	int side = dialog_side(d, msg);
	if (side != 0 || dd->glare_ts[0] == 0)
		return;
	int64_t wait = msg->ts_ns - dd->glare_ts[0];
	dd->glare_ts[0] = 0;
	if (wait >= GLARE_OWNER_MIN_NS)
		return;
	bool fresh;
	fnd_rec *r = about_msg(f, &K_GLARE_RETRY, msg, 0, &fresh);
	if (dd->glare_txn1[0])
		fnd_add_txn_messages(f, r, dd->glare_txn1[0] - 1);
	GString *s = f->s;
	g_string_assign(s, "the caller ");
	fnd_append_src(s, msg);
	g_string_append(s, " retried its re-INVITE ");
	fnd_append_duration(s, wait);
	g_string_append(s, " after the 491; as owner of the Call-ID it must wait 2.1 to 4 s");
	set_summary_s(f, r);
}

void fnd_check_call_end(findings *f, const sip_call *c)
{
	if (!c || c->state != CALL_STATE_ACTIVE || c->answer_ts == 0)
		return;
	det_call *dc = fnd_call(f, c->id);
	if (dc->flags & DC_ACTIVE_REPORTED)
		return;
	dc->flags |= DC_ACTIVE_REPORTED;
	int64_t end = sip_model_clock(f->m);
	bool fresh;
	fnd_rec *r = fnd_add(f, &K_NOT_ENDED, c->id, 0, end, &fresh);
	for (guint i = 0; i < c->dialogs->len; i++) {
		const sip_dialog *d = sip_model_dialog(f->m, g_array_index(c->dialogs, sip_id, i));
		if (d && d->state == DLG_STATE_CONFIRMED)
			fnd_add_dialog(f, r, d->id);
	}
	GString *s = f->s;
	g_string_assign(s, "the call answered at ");
	append_at(f, s, c->answer_ts);
	g_string_append(s, " was still up when the capture ended ");
	fnd_append_duration(s, end - c->answer_ts);
	g_string_append(s, " later: no BYE seen");
	set_summary_s(f, r);
}

/* ---- 4: authentication and registrations -------------------------------------------- */

/* A parameter of a Digest challenge or credentials (nonce, stale, ...). */
static sv digest_param(sv value, const char *name)
{
	sv rest = value, item;
	bool first = true;
	while (sip_list_split(&rest, &item)) {
		if (first) {
			/* "Digest realm=..." : skip the scheme */
			first = false;
			ptrdiff_t sp = sv_find_byte(item, ' ');
			ptrdiff_t eq = sv_find_byte(item, '=');
			if (sp >= 0 && (eq < 0 || sp < eq))
				item = sv_trim(sv_skip(item, (size_t)sp + 1));
		}
		ptrdiff_t eq = sv_find_byte(item, '=');
		if (eq < 0 || !sv_eq_ci_cstr(sv_trim(sv_head(item, (size_t)eq)), name))
			continue;
		sv v = sv_trim(sv_skip(item, (size_t)eq + 1));
		if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"')
			v = sv_sub(v, 1, v.len - 2);
		return v;
	}
	return SV_NULL;
}

/* Credentials a request carries, for when its challenge comes back. */
static void note_credentials(findings *f, const sip_message *msg, const sip_msg *p)
{
	sv creds = sip_msg_value(p, SIP_HDR_AUTHORIZATION);
	if (!creds.p)
		creds = sip_msg_value(p, SIP_HDR_PROXY_AUTHORIZATION);
	if (!creds.p)
		return;
	det_txn *dt = fnd_txn(f, msg->txn);
	if (!dt)
		return;
	dt->creds = true;
	dt->cred_nonce = fnd_keep(msg, p, digest_param(creds, "nonce"));
}

static void check_challenge(findings *f, const sip_message *msg, const sip_msg *p, const sip_txn *t)
{
	sv ch = sip_msg_value(p, msg->status == 407 ? SIP_HDR_PROXY_AUTHENTICATE : SIP_HDR_WWW_AUTHENTICATE);
	sv nonce = ch.p ? digest_param(ch, "nonce") : SV_NULL;
	bool stale = ch.p && sv_eq_ci_cstr(digest_param(ch, "stale"), "true");
	det_call *dc = fnd_call(f, msg->call);
	const sip_message *req = msg_get(f, t->request);
	if (!dc)
		return;
	dc->nonce = fnd_keep(msg, p, nonce);
	const det_txn *dt = fnd_txn(f, t->id);
	if (!req || !dt->creds || stale)
		return;
	sv used = dt->cred_nonce;
	dc->rejected_creds++;
	bool same = used.len && sv_eq(used, nonce);
	if (!same && dc->rejected_creds < 2)
		return;
	bool fresh;
	fnd_rec *r = about_msg(f, &K_AUTH, msg, 0xa07ull, &fresh);
	fnd_add_txn_messages(f, r, t->id);
	GString *s = f->s;
	g_string_truncate(s, 0);
	fnd_append_what(s, req);
	g_string_append(s, " from ");
	fnd_append_src(s, req);
	if (same) {
		g_string_append(s, " answered the challenge for nonce \"");
		fnd_append_wire(s, nonce, 24);
		g_string_append_printf(s, "\" and was challenged again (%u) with the same nonce: "
			"the credentials are wrong (user name, password or realm)", msg->status);
	} else {
		g_string_append_printf(s, " carried credentials and was challenged again (%u), "
			"%u times in a row: the credentials are refused", msg->status, dc->rejected_creds);
	}
	set_summary_s(f, r);
}

void fnd_check_registration(findings *f, const sip_registration *r)
{
	if (!r || !r->bindings)
		return;
	det_reg *dr = fnd_reg(f, r->id);
	for (guint i = 0; i < r->bindings->len && i < 64; i++) {
		const sip_binding *b = &g_array_index(r->bindings, sip_binding, i);
		uint64_t bit = 1ull << i;
		const sip_txn *t = sip_model_txn(f->m, b->register_txn);
		sip_id call = t ? t->call : SIP_ID_NONE;
		bool fresh;
		GString *s = f->s;
		if (b->requested_expires != UINT32_MAX && b->expires > 0 &&
		    b->expires < b->requested_expires && !(dr->shortened & bit)) {
			dr->shortened |= bit;
			fnd_rec *x = fnd_add(f, &K_EXPIRES_SHORT, call, 0, b->registered_ts, &fresh);
			if (t)
				fnd_add_txn_messages(f, x, t->id);
			g_string_assign(s, "the registrar granted ");
			g_string_append_printf(s, "%u s of the %u s asked for the binding ", b->expires,
				b->requested_expires);
			fnd_append_wire(s, b->contact, QUOTE_MAX);
			g_string_append(s, " of ");
			fnd_append_wire(s, r->aor, QUOTE_MAX);
			g_string_append(s, ": the UA must refresh sooner");
			set_summary_s(f, x);
		}
		if (b->state == BINDING_EXPIRED && !(dr->expired & bit)) {
			dr->expired |= bit;
			fnd_rec *x = fnd_add(f, &K_BINDING_EXPIRED, call, 0, b->removed_ts, &fresh);
			if (t)
				fnd_add_txn_messages(f, x, t->id);
			g_string_assign(s, "the binding ");
			fnd_append_wire(s, b->contact, QUOTE_MAX);
			g_string_append(s, " of ");
			fnd_append_wire(s, r->aor, QUOTE_MAX);
			g_string_append(s, " expired at ");
			append_at(f, s, b->removed_ts);
			g_string_append_printf(s, " without a refresh (granted %u s", b->expires);
			if (b->requested_expires != UINT32_MAX && b->requested_expires != b->expires)
				g_string_append_printf(s, ", %u s asked", b->requested_expires);
			g_string_append(s, "): the UA is no longer reachable there");
			set_summary_s(f, x);
		}
	}
}

/* q-values (§10.2.1.2): a REGISTER that gives at least two of the bindings
 * it adds (not "*", not expires 0) q-values that are not all equal states
 * an order of preference, which the registrar keeps with the bindings and
 * lists back in its 2xx (§10.3 items 7 and 8).  A binding the 2xx lists
 * with no q-value or another one lost that order; a binding the 2xx leaves
 * out is not judged (the model does not either), nor a 2xx listing none. */
enum { QV_KEEP = 16 };

static bool contact_adds(const sip_contact *ct, bool has_hdr, uint32_t hdr)
{
	if (ct->star)
		return false;
	return ct->has_expires ? ct->expires != 0 : !has_hdr || hdr != 0;
}

static void note_qvalues(findings *f, const sip_message *msg, const sip_msg *p)
{
	unsigned nc = p->hdr_count[SIP_HDR_CONTACT];
	if (nc == 0 || (nc == 1 && sv_find_byte(sip_msg_value(p, SIP_HDR_CONTACT), ',') < 0))
		return;   /* one Contact at most: no order to state */
	uint32_t hdr = 0;
	bool has_hdr = sip_msg_expires(p, &hdr);
	unsigned with_q = 0;
	uint16_t first = 0;
	bool differ = false;
	sip_list_iter it;
	sv item;
	sip_list_init(&it, p, SIP_HDR_CONTACT);
	while (!differ && sip_list_next(&it, &item)) {
		sip_contact ct;
		if (!sip_contact_parse(item, &ct) || !ct.has_q || !contact_adds(&ct, has_hdr, hdr))
			continue;
		if (with_q++ == 0)
			first = ct.q;
		else
			differ = ct.q != first;
	}
	det_txn *dt = differ ? fnd_txn(f, msg->txn) : NULL;
	if (dt)
		dt->flags |= DT_QVALUES;
}

static bool wants_qvalues(const findings *f, const sip_message *msg)
{
	const det_txn *dt = fnd_txn_peek(f, msg->txn);
	return dt && (dt->flags & DT_QVALUES) &&
		fnd_cseq_method_is(msg, SIP_METHOD_REGISTER);
}

static void append_q(GString *s, uint16_t q)
{
	g_string_append_printf(s, "q=%u.%03u", q / 1000u, q % 1000u);
}

static void check_qvalues(findings *f, const sip_message *msg, const sip_msg *p, const sip_txn *t)
{
	if (!wants_qvalues(f, msg) || !p->hdr_count[SIP_HDR_CONTACT])
		return;
	const sip_message *req = msg_get(f, t->request);
	if (!req)
		return;
	struct { sv uri; uint16_t q; bool matched; } asked[QV_KEEP];
	unsigned n = 0;
	uint32_t hdr = 0;
	sip_list_iter it;
	sv item;
	sip_contact ct;
	fnd_parse(req, f->q);
	bool has_hdr = sip_msg_expires(f->q, &hdr);
	sip_list_init(&it, f->q, SIP_HDR_CONTACT);
	while (n < QV_KEEP && sip_list_next(&it, &item)) {
		if (!sip_contact_parse(item, &ct) || !ct.has_q || !contact_adds(&ct, has_hdr, hdr))
			continue;
		asked[n].uri = ct.addr.uri;
		asked[n].q = ct.q;
		asked[n].matched = false;
		n++;
	}
	GString *s = f->s;
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	g_string_append(s, " lists the bindings of ");
	fnd_append_wire(s, p->to_ok ? p->to.uri : SV_LIT("?"), QUOTE_MAX);
	g_string_append(s, " with the q-values of the REGISTER dropped or changed: ");
	unsigned changed = 0;
	sip_list_init(&it, p, SIP_HDR_CONTACT);
	while (sip_list_next(&it, &item)) {
		if (!sip_contact_parse(item, &ct) || ct.star)
			continue;
		for (unsigned i = 0; i < n; i++) {
			if (asked[i].matched || !uri_same(asked[i].uri, ct.addr.uri))
				continue;
			asked[i].matched = true;
			if (ct.has_q && ct.q == asked[i].q)
				break;
			if (changed++ < TARGETS_MAX) {
				g_string_append(s, changed > 1 ? ", " : "");
				fnd_append_wire(s, ct.addr.uri, QUOTE_MAX);
				g_string_append(s, " (");
				append_q(s, asked[i].q);
				g_string_append(s, " asked, ");
				if (ct.has_q)
					append_q(s, ct.q);
				else
					g_string_append(s, "none");
				g_string_append(s, " granted)");
			}
			break;
		}
	}
	if (!changed)
		return;
	if (changed > TARGETS_MAX)
		g_string_append(s, ", ...");
	g_string_append(s, ": the registrar ignored the order of preference they state");
	bool fresh;
	fnd_rec *r = about_msg(f, &K_QVALUES, msg, 0x9a1ull, &fresh);
	fnd_add_txn_messages(f, r, t->id);
	if (fresh)
		set_summary_s(f, r);
	else
		note_count(f, r, "REGISTER responses");
}

/* ---- 5: loops and spirals ------------------------------------------------------------- */

typedef struct via_hop {
	sv host;
	uint16_t port;
	sv branch;
	sv sent_by;
} via_hop;

static uint16_t via_default_port(sv transport)
{
	return (sv_starts_with_ci(transport, SV_LIT("TLS")) || sv_eq_ci_cstr(transport, "WSS")) ? 5061 : 5060;
}

static unsigned read_vias(const sip_msg *p, via_hop *out, unsigned max)
{
	sip_list_iter it;
	sv item;
	unsigned n = 0;
	sip_list_init(&it, p, SIP_HDR_VIA);
	while (n < max && sip_list_next(&it, &item)) {
		sip_via v;
		if (!sip_via_parse(item, &v))
			continue;
		out[n].host = v.host;
		out[n].port = v.has_port ? v.port : via_default_port(v.transport);
		out[n].branch = v.has_branch ? v.branch : SV_NULL;
		out[n].sent_by = v.sent_by;
		n++;
	}
	return n;
}

/* The transaction of this call whose top Via is hop (same method and CSeq). */
static const sip_txn *txn_of_hop(findings *f, const sip_message *msg, const via_hop *hop)
{
	const sip_call *c = sip_model_call(f->m, msg->call);
	sv method = sip_message_field(msg, SIP_FIELD_METHOD);
	if (!c || !hop->branch.len)
		return NULL;
	for (guint i = c->txns->len; i > 0; i--) {
		const sip_txn *t = sip_model_txn(f->m, g_array_index(c->txns, sip_id, i - 1));
		/* one over for good is not this request's hop, whether or not
		 * its record is still held (model.h, "Matching") */
		if (t && !t->over && t->cseq == msg->cseq && sv_eq(sip_txn_method(t), method) &&
		    sv_eq_ci(sip_txn_branch(t), hop->branch))
			return t;
	}
	return NULL;
}

static uint64_t fold_request(const sip_message *msg)
{
	return fnd_hash_sv(sip_message_field(msg, SIP_FIELD_METHOD)) ^ ((uint64_t)msg->cseq << 20);
}

static void check_vias(findings *f, const sip_message *msg, const sip_msg *p, unsigned *n_vias)
{
	/* one Via header with one value: nothing to compare (the usual case) */
	if (p->hdr_count[SIP_HDR_VIA] <= 1 && sv_find_byte(sip_msg_value(p, SIP_HDR_VIA), ',') < 0) {
		*n_vias = p->hdr_count[SIP_HDR_VIA];
		return;
	}
	via_hop hops[VIA_MAX];
	unsigned n = read_vias(p, hops, VIA_MAX);
	*n_vias = n;
	if (n < 2)
		return;
	unsigned i = 0, j = 0, repeats = 0;
	bool found = false;
	for (unsigned a = 0; a < n && !found; a++)
		for (unsigned b = a + 1; b < n; b++)
			if (hops[a].port == hops[b].port && sv_eq_ci(hops[a].host, hops[b].host)) {
				i = a;
				j = b;
				found = true;
				break;
			}
	if (!found)
		return;
	for (unsigned b = 0; b < n; b++)
		if (hops[b].port == hops[i].port && sv_eq_ci(hops[b].host, hops[i].host))
			repeats++;

	const fnd_kind *k;
	const sip_txn *ti = NULL, *tj = NULL;
	const sip_message *ri = NULL, *rj = NULL;
	if (hops[i].branch.len && sv_eq_ci(hops[i].branch, hops[j].branch)) {
		k = &K_VIA_LOOP;
	} else {
		ti = i == 0 ? sip_model_txn(f->m, msg->txn) : txn_of_hop(f, msg, &hops[i]);
		tj = txn_of_hop(f, msg, &hops[j]);
		ri = ti ? msg_get(f, ti->request) : NULL;
		rj = tj ? msg_get(f, tj->request) : NULL;
		if (ri && rj)
			k = sv_eq(sip_message_field(ri, SIP_FIELD_REQUEST_URI), sip_message_field(rj, SIP_FIELD_REQUEST_URI))
				? &K_LOOP : &K_SPIRAL;
		else
			k = repeats >= 3 ? &K_LOOP : &K_SPIRAL;
	}
	bool fresh;
	fnd_rec *r = about_msg(f, k, msg, fold_request(msg), &fresh);
	if (ri)
		fnd_add_msg(f, r, ri->id);
	if (rj) {
		fnd_add_msg(f, r, rj->id);
		fnd_add_txn(f, r, tj->id);
	}
	GString *s = f->s;
	g_string_truncate(s, 0);
	fnd_append_wire(s, sip_message_field(msg, SIP_FIELD_METHOD), QUOTE_MAX);
	g_string_append_c(s, ' ');
	fnd_append_wire(s, sip_message_field(msg, SIP_FIELD_REQUEST_URI), QUOTE_MAX);
	g_string_append_printf(s, " (CSeq %u)", msg->cseq);
	if (k == &K_VIA_LOOP) {
		g_string_append(s, " came back to ");
		fnd_append_wire(s, hops[i].sent_by, QUOTE_MAX);
		g_string_append(s, ", whose own Via with branch \"");
		fnd_append_wire(s, hops[i].branch, QUOTE_MAX);
		g_string_append(s, "\" appears twice in the Via list: a forwarding loop");
	} else if (k == &K_LOOP) {
		g_string_append(s, " is looping: ");
		fnd_append_wire(s, hops[i].sent_by, QUOTE_MAX);
		if (ri && rj)
			g_string_append(s, " forwarded it again with the same Request-URI");
		else
			g_string_append_printf(s, " appears %u times in its Via list", repeats);
	} else {
		g_string_append(s, " spiralled: ");
		fnd_append_wire(s, hops[i].sent_by, QUOTE_MAX);
		if (ri && rj) {
			g_string_append(s, " saw it again with a new Request-URI (");
			fnd_append_wire(s, sip_message_field(rj, SIP_FIELD_REQUEST_URI), QUOTE_MAX);
			g_string_append(s, " before), which is a spiral, not a loop");
		} else {
			g_string_append(s, " appears twice in its Via list; the earlier pass was not captured");
		}
	}
	g_string_append_printf(s, "; %u Vias", n);
	if (p->has_max_forwards)
		g_string_append_printf(s, ", Max-Forwards %u", p->max_forwards);
	set_summary_s(f, r);
	if (r->pub.count > 1) {
		g_autofree char *t = g_strdup_printf("seen on %u hops", r->pub.count);
		fnd_set_note(f, r, t);
	}
}

/* A stateless proxy computes its branch from the request: a request that
 * comes back to it goes out again under the same top Via, which the model
 * takes for a retransmission.  A real retransmission is the same bytes; a
 * looped copy has grown Vias. */
static void check_looped_copy(findings *f, const sip_message *msg, const sip_msg *p, const sip_txn *t)
{
	const sip_message *orig = t ? msg_get(f, t->request) : NULL;
	if (!orig || sip_message_raw(orig).len == sip_message_raw(msg).len)
		return;
	if (!p) {
		fnd_parse(msg, f->p);
		p = f->p;
	}
	unsigned n_vias = 0;
	check_vias(f, msg, p, &n_vias);
}

/* Does this Via name the endpoint (an address literal and its port)? */
static bool hop_is(const via_hop *h, const endpoint *e)
{
	char addr[ENDPOINT_ADDRSTRLEN];
	endpoint_format_addr(e, addr, sizeof(addr));
	return h->port == e->port && sv_eq_ci(h->host, sv_from_cstr(addr));
}

/* A 482 with nothing else known: look at the request it refused.  If its
 * sender's Via is in it, the request did come back to that proxy: with the
 * Request-URI it had when the proxy forwarded it before (a loop), or with
 * a new one (a spiral the proxy took for a loop). */
static void explain_482(findings *f, fnd_rec *r, const sip_message *msg, const sip_txn *t, GString *s)
{
	const sip_message *req = msg_get(f, t->request);
	via_hop hops[VIA_MAX];
	unsigned n = 0;
	if (req) {
		fnd_parse(req, f->q);
		n = read_vias(f->q, hops, VIA_MAX);
	}
	endpoint src = sip_message_src(msg);
	for (unsigned k = 1; k < n; k++) {
		if (!hop_is(&hops[k], &src))
			continue;
		const sip_txn *before = txn_of_hop(f, req, &hops[k]);
		const sip_message *breq = before ? msg_get(f, before->request) : NULL;
		if (!breq)
			break;
		fnd_add_msg(f, r, breq->id);
		sv now = sip_message_field(req, SIP_FIELD_REQUEST_URI), then = sip_message_field(breq, SIP_FIELD_REQUEST_URI);
		fnd_append_src(s, msg);
		if (sv_eq(now, then)) {
			g_string_append(s, " found its own Via in a request that came back with the same Request-URI: "
				"a real forwarding loop");
			return;
		}
		g_string_append(s, " found its own Via, but the request came back with a new Request-URI (");
		fnd_append_wire(s, now, QUOTE_MAX);
		g_string_append(s, ", was ");
		fnd_append_wire(s, then, QUOTE_MAX);
		g_string_append(s, "): a spiral, which a proxy must not refuse as a loop");
		return;
	}
	g_string_append(s, "a proxy found its own Via in the request (a loop), or a UAS saw the "
		"same request arrive twice by different paths (a merged request)");
}

static void explain_hops(findings *f, const sip_message *msg, const sip_txn *t)
{
	bool is483 = msg->status == 483;
	bool fresh;
	fnd_rec *r = about_msg(f, is483 ? &K_483 : &K_482, msg, fold_cseq(msg), &fresh);
	fnd_add_txn_messages(f, r, t->id);
	if (!fresh) {
		note_count(f, r, "hops passed it back");
		return;
	}
	fnd_rec *loop = fnd_find(f, &K_LOOP, msg->call, fold_cseq(msg));
	if (!loop)
		loop = fnd_find(f, &K_VIA_LOOP, msg->call, fold_cseq(msg));
	fnd_rec *spiral = fnd_find(f, &K_SPIRAL, msg->call, fold_cseq(msg));
	if (loop)
		fnd_add_msg(f, loop, msg->id);
	GString *s = f->s;
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	if (is483) {
		g_string_append(s, ": the request ran out of Max-Forwards");
		if (loop)
			g_string_append_printf(s, " going round the forwarding loop of finding %u", loop->pub.id);
		else
			g_string_append(s, " (a loop the capture did not show, or a path longer than 70 hops)");
	} else {
		g_string_append(s, ": ");
		if (loop)
			g_string_append_printf(s, "the request did loop (finding %u)", loop->pub.id);
		else if (spiral)
			g_string_append_printf(s, "but the request was spiralling (finding %u: its Request-URI "
				"changed between passes), which a proxy must not take for a loop", spiral->pub.id);
		else
			explain_482(f, r, msg, t, s);
	}
	set_summary_s(f, r);
}

/* ---- 6: redirects ------------------------------------------------------------------------ */

static bool uri_same(sv a, sv b)
{
	sip_uri x, y;
	if (!sip_uri_parse(a, &x) || !sip_uri_parse(b, &y))
		return sv_eq_ci(a, b);
	if (x.scheme != y.scheme)
		return false;
	if (x.scheme == SIP_URI_OTHER || x.scheme == SIP_URI_TEL)
		return sv_eq_ci(x.opaque.p ? x.opaque : a, y.opaque.p ? y.opaque : b);
	uint16_t dp = x.scheme == SIP_URI_SIPS ? 5061 : 5060;
	uint16_t px = x.has_port ? x.port : dp, py = y.has_port ? y.port : dp;
	return px == py && sv_eq(x.user, y.user) && sv_eq_ci(x.host, y.host);
}

static void check_redirect(findings *f, const sip_message *msg, const sip_msg *p, const sip_txn *t)
{
	det_call *dc = fnd_call(f, msg->call);
	bool fresh;
	fnd_rec *r = about_msg(f, &K_REDIRECT, msg, fold_cseq(msg), &fresh);
	if (!fresh) {
		/* passed back over another hop, or the same target redirecting again */
		if (r->pub.count > 1) {
			g_autofree char *note = g_strdup_printf("seen %u times", r->pub.count);
			fnd_set_note(f, r, note);
		}
		return;
	}
	if (dc && dc->redirects < UINT16_MAX)
		dc->redirects++;
	fnd_add_txn_messages(f, r, t->id);
	const sip_message *req = msg_get(f, t->request);
	GString *s = f->s;
	g_string_truncate(s, 0);
	fnd_append_what(s, msg);
	g_string_append(s, " from ");
	fnd_append_src(s, msg);
	if (req) {
		g_string_append(s, " redirects ");
		fnd_append_wire(s, sip_message_field(req, SIP_FIELD_REQUEST_URI), QUOTE_MAX);
	}
	sip_list_iter it;
	sv item;
	unsigned n = 0;
	GString *targets = g_string_new(NULL);
	const sip_call *c = sip_model_call(f->m, msg->call);
	redir_set rs;
	memset(&rs, 0, sizeof(rs));
	sip_list_init(&it, p, SIP_HDR_CONTACT);
	while (sip_list_next(&it, &item)) {
		sip_contact ct;
		if (!sip_contact_parse(item, &ct) || ct.star)
			continue;
		if (n < TARGETS_MAX) {
			g_string_append(targets, n ? ", " : "");
			fnd_append_wire(targets, ct.addr.uri, QUOTE_MAX);
			if (ct.has_q)
				g_string_append_printf(targets, " (q=%u.%03u)", ct.q / 1000, ct.q % 1000);
		}
		if (n < REDIR_KEEP) {
			rs.t[n].uri = fnd_keep(msg, p, ct.addr.uri);
			rs.t[n].q = ct.q;
			rs.t[n].has_q = ct.has_q;
			rs.t[n].try_txn = SIP_ID_NONE;
		}
		n++;
		/* a target already tried in this call: a redirection loop */
		for (guint i = 0; c && i < c->txns->len; i++) {
			const sip_txn *o = sip_model_txn(f->m, g_array_index(c->txns, sip_id, i));
			const sip_message *om = o && o->is_invite ? msg_get(f, o->request) : NULL;
			if (!om || !uri_same(ct.addr.uri, sip_message_field(om, SIP_FIELD_REQUEST_URI)))
				continue;
			if (n <= REDIR_KEEP)
				rs.t[n - 1].before = true;
			bool lf;
			fnd_rec *l = about_msg(f, &K_REDIRECT_LOOP, msg, fnd_hash_sv(ct.addr.uri), &lf);
			fnd_add_msg(f, l, om->id);
			fnd_add_txn(f, l, o->id);
			if (lf) {
				GString *ls = g_string_new(NULL);
				fnd_append_what(ls, msg);
				g_string_append(ls, " from ");
				fnd_append_src(ls, msg);
				g_string_append(ls, " sends the caller back to ");
				fnd_append_wire(ls, ct.addr.uri, QUOTE_MAX);
				g_string_append_printf(ls, ", already tried by the INVITE with CSeq %u: a redirection loop",
					om->cseq);
				fnd_set_summary(f, l, ls->str);
				g_string_free(ls, TRUE);
			}
			break;
		}
	}
	if (n == 0)
		g_string_append(s, " without any Contact: there is nowhere to go");
	else
		g_string_append_printf(s, " to %u target%s: %s%s", n, n == 1 ? "" : "s", targets->str,
			n > TARGETS_MAX ? ", ..." : "");
	g_string_free(targets, TRUE);
	set_summary_s(f, r);
	if (n >= 2)
		keep_redirect_set(f, msg, r, &rs, n);

	if (dc && dc->redirects >= REDIRECT_CHAIN_MIN && !(dc->flags & DC_CHAIN_REPORTED)) {
		dc->flags |= DC_CHAIN_REPORTED;
		bool cf;
		fnd_rec *x = about_msg(f, &K_REDIRECT_CHAIN, msg, 0, &cf);
		g_autofree char *text = g_strdup_printf("the call was redirected %u times in a row; "
			"the list of targets does not end", dc->redirects);
		fnd_set_summary(f, x, text);
	}
}

static void keep_redirect_set(findings *f, const sip_message *msg, const fnd_rec *r, redir_set *rs,
	unsigned n)
{
	det_call *dc = fnd_call(f, msg->call);
	if (!dc)
		return;
	rs->msg = msg->id;
	rs->finding = r->pub.id;
	rs->order_finding = SIP_ID_NONE;
	rs->n = (uint8_t)(n < REDIR_KEEP ? n : REDIR_KEEP);
	if (!dc->redir)
		dc->redir = pool_alloc(&f->redir_pool);
	*dc->redir = *rs;
}

/* A try still waiting for its final response: ringing ends with Timer C
 * at the latest, silence with Timer B. */
static bool try_pending(findings *f, sip_id txn, int64_t now)
{
	const sip_txn *t = sip_model_txn(f->m, txn);
	if (!t || t->final != SIP_ID_NONE || t->end == TXN_END_NO_FINAL)
		return false;
	return t->first_provisional != SIP_ID_NONE ||
		now - sip_txn_request_ts(f->m, t) < sip_timers_64t1(timers_of(f));
}

static void append_target(GString *s, const redir_target *x)
{
	fnd_append_wire(s, x->uri, QUOTE_MAX);
	if (x->has_q) {
		g_string_append(s, " (");
		append_q(s, x->q);
		g_string_append_c(s, ')');
	}
}

/* The redirect's finding says which targets were tried, how, and whether
 * in q-value order. */
static void note_redirect_tries(findings *f, const redir_set *rs)
{
	fnd_rec *r = idtab_get(&f->recs, rs->finding);
	if (!r || rs->tried == 0)
		return;
	GString *s = g_string_new("tried ");
	if (rs->out_of_order)
		g_string_append_printf(s, "out of q-value order (finding %u)", rs->order_finding);
	else if (rs->parallel)
		g_string_append(s, "in q-value order, equal q-values in parallel");
	else if (rs->tried > 1)
		g_string_append(s, "one at a time in q-value order");
	g_string_append(s, rs->tried > 1 || rs->out_of_order ? ": " : "");
	for (unsigned k = 0; k < rs->tried && k < TARGETS_MAX; k++) {
		if (k)
			g_string_append(s, rs->joined[k] ? " and " : ", then ");
		append_target(s, &rs->t[rs->order[k]]);
	}
	if (rs->tried > TARGETS_MAX)
		g_string_append(s, ", ...");
	fnd_set_note(f, r, s->str);
	g_string_free(s, TRUE);
}

static void report_redirect_order(findings *f, redir_set *rs, const sip_message *msg,
	const redir_target *x, const redir_target *higher, bool pending)
{
	bool fresh;
	fnd_rec *r = about_msg(f, &K_REDIRECT_ORDER, msg, 0x9e7ull ^ ((uint64_t)rs->msg << 8), &fresh);
	fnd_add_msg(f, r, rs->msg);
	rs->out_of_order = true;
	rs->order_finding = r->pub.id;
	if (!fresh) {
		note_count(f, r, "tries out of order");
		return;
	}
	const sip_message *r3xx = msg_get(f, rs->msg);
	GString *s = f->s;
	g_string_truncate(s, 0);
	fnd_append_what(s, msg);
	g_string_append(s, " from ");
	fnd_append_src(s, msg);
	g_string_append(s, " tries ");
	append_target(s, x);
	if (r3xx) {
		g_string_append(s, ", a target of ");
		fnd_append_what(s, r3xx);
		g_string_append(s, " from ");
		fnd_append_src(s, r3xx);
		g_string_append_c(s, ',');
	}
	if (pending) {
		g_string_append(s, " while the try of ");
		append_target(s, higher);
		g_string_append(s, " is still pending: targets of different q-values tried in parallel");
	} else {
		g_string_append(s, " before ");
		append_target(s, higher);
		g_string_append(s, ": targets tried out of q-value order");
	}
	set_summary_s(f, r);
}

/* An INVITE without To tag after a 3xx of several targets, to one of them:
 * a try.  Another hop of a try has its CSeq; a new attempt at the same
 * target (after a challenge) a new one. */
static void note_redirect_try(findings *f, const sip_message *msg, const sip_txn *t)
{
	det_call *dc = fnd_call(f, msg->call);
	redir_set *rs = dc ? dc->redir : NULL;
	if (!rs || msg->id <= rs->msg)
		return;
	sv ruri = sip_message_field(msg, SIP_FIELD_REQUEST_URI);
	unsigned i = 0;
	while (i < rs->n && (rs->t[i].before || !uri_same(rs->t[i].uri, ruri)))
		i++;
	if (i == rs->n)
		return;
	redir_target *x = &rs->t[i];
	if (x->try_txn != SIP_ID_NONE) {
		if (x->try_cseq != msg->cseq) {
			x->try_txn = t->id;
			x->try_cseq = msg->cseq;
		}
		return;
	}
	int64_t now = msg->ts_ns;
	bool joined = false;
	const redir_target *higher = NULL, *pending_higher = NULL;
	for (unsigned k = 0; k < rs->tried; k++) {
		const redir_target *o = &rs->t[rs->order[k]];
		if (!try_pending(f, o->try_txn, now))
			continue;
		joined = true;
		if (o->has_q && x->has_q && o->q > x->q && !pending_higher)
			pending_higher = o;
	}
	for (unsigned k = 0; k < rs->n && !higher; k++) {
		const redir_target *o = &rs->t[k];
		if (k != i && !o->before && o->try_txn == SIP_ID_NONE && o->has_q && x->has_q && o->q > x->q)
			higher = o;
	}
	x->try_txn = t->id;
	x->try_cseq = msg->cseq;
	rs->joined[rs->tried] = joined;
	rs->order[rs->tried++] = (uint8_t)i;
	rs->parallel = rs->parallel || joined;
	if (higher || pending_higher)
		report_redirect_order(f, rs, msg, x, higher ? higher : pending_higher, !higher);
	note_redirect_tries(f, rs);
}

/* ---- 7: routing ------------------------------------------------------------------------------ */

/* A proxy that Record-Routes without ;lr declares itself a strict router.
 * (A Route entry without ;lr is no evidence: with a strict router in the
 * route set, the remote target itself ends the Route list.) */
static void check_strict(findings *f, const sip_message *msg, const sip_msg *p)
{
	static const sip_hdr_id ids[] = { SIP_HDR_RECORD_ROUTE };
	for (size_t h = 0; h < G_N_ELEMENTS(ids); h++) {
		if (!p->hdr_count[ids[h]])
			continue;
		sip_list_iter it;
		sv item;
		sip_list_init(&it, p, ids[h]);
		while (sip_list_next(&it, &item)) {
			sip_route rt;
			if (!sip_route_parse(item, &rt) || rt.lr)
				continue;
			bool fresh;
			fnd_rec *r = about_msg(f, &K_STRICT, msg, fnd_hash_sv(rt.addr.uri), &fresh);
			if (!fresh)
				continue;
			GString *s = f->s;
			g_string_truncate(s, 0);
			what_from_to(s, msg);
			g_string_append_printf(s, " carries %s ", sip_hdr_name(ids[h]));
			fnd_append_wire(s, rt.addr.uri, QUOTE_MAX);
			g_string_append(s, " without ;lr: a strict router (RFC 2543), which rewrites the "
				"Request-URI and breaks loose routing");
			set_summary_s(f, r);
		}
	}
}

static int count_list(const sip_msg *p, sip_hdr_id id)
{
	sip_list_iter it;
	sv item;
	int n = 0;
	sip_list_init(&it, p, id);
	while (sip_list_next(&it, &item))
		n++;
	return n;
}

/* Evidence that a proxy stood between the two user agents when the route
 * set was learnt: the response carried a proxy's Via too, or came from
 * another address than the remote target it names.  Record-Route without
 * such evidence cannot be checked (the capture shows no proxy to skip). */
static bool proxy_on_path(const sip_message *rm, const sip_msg *q, sv remote_target)
{
	if (count_list(q, SIP_HDR_VIA) >= 2)
		return true;
	sip_uri u;
	if (!remote_target.p || !sip_uri_parse(remote_target, &u))
		return false;
	char addr[ENDPOINT_ADDRSTRLEN];
	endpoint src = sip_message_src(rm);
	endpoint_format_addr(&src, addr, sizeof(addr));
	/* only an address literal can be compared with where the response came from */
	for (size_t i = 0; i < u.host.len; i++) {
		int c = u.host.p[i];
		if (!(c == '.' || c == ':' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return false;
	}
	return !sv_eq_ci(u.host, sv_from_cstr(addr));
}

/* The Record-Route values of p, the parse of msg (the message rr_msg1
 * names), counted into the dialog's record, and kept there when they are
 * few: read_route_set reads them there, as its parse of msg would find
 * them, for each request of the dialog.  Views into msg's bytes as the
 * model keeps them. */
static void count_record_route(det_dlg *dd, const sip_message *msg, const sip_msg *p)
{
	unsigned n = 0;
	if (p->hdr_count[SIP_HDR_RECORD_ROUTE]) {
		sip_list_iter it;
		sv item;
		sip_list_init(&it, p, SIP_HDR_RECORD_ROUTE);
		while (sip_list_next(&it, &item)) {
			if (n < RR_KEEP)
				dd->rr_uri[n] = sv_rebase(p->raw, sip_message_raw(msg), item);
			n++;
		}
	}
	dd->rr_count = (int)n;
	dd->rr_kept = n <= RR_KEEP;
}

/* The route set of a dialog is learnt from the response passing now: count
 * it while its parse is at hand. */
static void note_route_set(findings *f, const sip_message *msg, const sip_msg *p)
{
	const sip_dialog *d = sip_model_dialog(f->m, msg->dialog);
	if (!d || d->route_msg != msg->id)
		return;
	det_dlg *dd = fnd_dlg(f, d->id);
	dd->rr_msg1 = msg->id + 1;
	count_record_route(dd, msg, p);
	dd->rr_proxied = dd->rr_count > 0 && proxy_on_path(msg, p, d->remote_target);
}

/* Route URIs compared by RFC 3261 §19.1.4: scheme, user and password
 * byte for byte (with %HH escapes resolved), host case-insensitively, a
 * port only when both carry it; a parameter in both must match
 * (case-insensitively), and user, ttl, method and maddr may not stand in
 * one only.  Stricter than §19.1.4, neither may transport or lr: without
 * them the next hop is reached over another transport, or taken for a
 * strict router. */

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = sv_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The next character of v from *i, %HH resolved; -1 at the end. */
static int esc_next(sv v, size_t *i)
{
	int c = sv_at(v, *i);
	if (c < 0)
		return -1;
	if (c == '%') {
		int hi = hex_digit(sv_at(v, *i + 1)), lo = hex_digit(sv_at(v, *i + 2));
		if (hi >= 0 && lo >= 0) {
			*i += 3;
			return hi * 16 + lo;
		}
	}
	(*i)++;
	return c;
}

static bool esc_eq(sv a, sv b, bool ci)
{
	size_t i = 0, j = 0;
	for (;;) {
		int x = esc_next(a, &i), y = esc_next(b, &j);
		if (x < 0 || y < 0)
			return x == y;
		if (ci ? sv_lower(x) != sv_lower(y) : x != y)
			return false;
	}
}

static const char *param_word(sv name)
{
	static const char *const paired[][2] = {
		{ "transport", "the transport parameter" }, { "lr", "the lr parameter" },
		{ "maddr", "the maddr parameter" }, { "user", "the user parameter" },
		{ "ttl", "the ttl parameter" }, { "method", "the method parameter" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(paired); i++)
		if (sv_eq_ci_cstr(name, paired[i][0]))
			return paired[i][1];
	return NULL;
}

/* The first parameter of a that b contradicts: different in both, or one
 * that must be in both and is in a only. */
static const char *params_diff(sv a, sv b)
{
	sip_param x, y;
	while (sip_param_next(&a, &x)) {
		const char *word = param_word(x.name);
		bool found = false;
		sv rest = b;
		while (!found && sip_param_next(&rest, &y))
			found = esc_eq(x.name, y.name, true);
		if (found) {
			if (x.has_value != y.has_value || !esc_eq(x.value, y.value, true))
				return word ? word : "a parameter";
		} else if (word) {
			return word;
		}
	}
	return NULL;
}

/* How two route values differ, as a few words for a summary; NULL when they
 * are the same URI. */
static const char *route_diff(sv a, sv b)
{
	/* the usual case, a copy: the same bytes are the same URI (also
	 * where a parameter name repeats, which the comparison below, going
	 * by the first of each name, would call different) */
	if (sv_eq(sv_trim(a), sv_trim(b)))
		return NULL;
	sip_route x, y;
	if (!sip_route_parse(a, &x) || !sip_route_parse(b, &y))
		return sv_eq_ci(sv_trim(a), sv_trim(b)) ? NULL : "the value";
	const sip_uri *u = &x.uri, *v = &y.uri;
	if (u->scheme != v->scheme || !sv_eq_ci(u->scheme_name, v->scheme_name))
		return "the scheme";
	if (u->scheme != SIP_URI_SIP && u->scheme != SIP_URI_SIPS)
		return esc_eq(u->opaque, v->opaque, true) ? NULL : "the URI";
	if (!esc_eq(u->user, v->user, false) || !esc_eq(u->password, v->password, false))
		return "the user part";
	if (!sv_eq_ci(u->host, v->host))
		return "the host";
	if (u->has_port != v->has_port || u->port != v->port)
		return "the port";
	const char *d = params_diff(u->params, v->params);
	return d ? d : params_diff(v->params, u->params);
}

static bool same_host(endpoint a, endpoint b)
{
	return a.family != EP_NONE && a.family == b.family && memcmp(a.addr, b.addr, sizeof(a.addr)) == 0;
}

/* The response whose Record-Route is the route set of the side sending
 * req, as that side saw it: the callee's is the response it sent (a copy
 * of the request's Record-Route, §12.1.1); the caller's is the one that
 * reached it, at the top of the creating transaction's hops (§12.1.2).  A
 * proxy may rewrite its Record-Route on the way back (§16.7 item 4), so a
 * copy from another hop is no reference: SIP_ID_NONE when the capture
 * lacks the right one. */
static sip_id route_ref(findings *f, const sip_dialog *d, int side, const sip_message *req)
{
	if (side == 1) {
		const sip_message *rm = msg_get(f, d->route_msg);
		return rm && same_host(sip_message_src(rm), sip_message_src(req)) ? rm->id : SIP_ID_NONE;
	}
	const sip_txn *t = sip_model_txn(f->m, d->creating_txn);
	for (unsigned k = 0; t && t->parent != SIP_ID_NONE && k < VIA_MAX; k++)
		t = sip_model_txn(f->m, t->parent);
	const sip_message *fin = t ? msg_get(f, t->final) : NULL;
	if (!fin || fin->status >= 300 || fin->id >= req->id ||
	    !sv_eq_ci(sip_message_field(fin, SIP_FIELD_TO_TAG), d->to_tag) ||
	    !same_host(sip_message_dst(fin), sip_message_src(req)))
		return SIP_ID_NONE;
	return fin->id;
}

/* Route set values compared; a longer set is left unjudged. */
enum { ROUTES_KEEP = 8 };

/* A side's route set as read from its reference response, for one check:
 * views into that response, which lives as long as the run. */
typedef struct side_routes {
	sip_id ref;
	int side;
	unsigned n;
	sv uri[ROUTES_KEEP];
} side_routes;

/* Reads the Record-Route of ref in the order the side must use it; false
 * for a set longer than kept, which is left unjudged. */
static bool read_route_set(findings *f, const det_dlg *dd, sip_id ref, int side, side_routes *rs)
{
	const sip_message *rm = msg_get(f, ref);
	if (!rm)
		return false;
	sv vals[ROUTES_KEEP];
	unsigned n = 0;
	if (dd->rr_kept && dd->rr_msg1 == ref + 1) {
		/* the dialog's record has them (count_record_route) */
		n = (unsigned)dd->rr_count;
		for (unsigned k = 0; k < n; k++)
			vals[k] = dd->rr_uri[k];
	} else {
		/* only its Record-Route fields are read: the fields alone, at
		 * half the cost of a full parse */
		sip_parse_fields(sip_message_raw(rm), f->q);
		sip_list_iter it;
		sv item;
		sip_list_init(&it, f->q, SIP_HDR_RECORD_ROUTE);
		while (sip_list_next(&it, &item)) {
			if (n == ROUTES_KEEP)
				return false;
			vals[n++] = item;
		}
	}
	for (unsigned k = 0; k < n; k++)
		rs->uri[k] = vals[side == 0 ? n - 1 - k : k];
	rs->n = n;
	rs->ref = ref;
	rs->side = side;
	return true;
}

/* "the Record-Route of 200 OK to INVITE from P, reversed, as the caller must use it" */
static void append_route_source(findings *f, GString *s, const side_routes *rs)
{
	const sip_message *rm = msg_get(f, rs->ref);
	g_string_append(s, "the Record-Route of ");
	if (rm) {
		fnd_append_what(s, rm);
		g_string_append(s, " from ");
		fnd_append_src(s, rm);
	}
	g_string_append(s, rs->side == 0 ? ", reversed, as the caller must use it"
		: ", in order, as the callee must use it");
}

/* rs NULL: only the counts were compared. */
static void report_route_skipped(findings *f, const sip_message *msg, const sip_dialog *d, const det_dlg *dd,
	unsigned routes, const side_routes *rs, const sv *got)
{
	bool fresh;
	fnd_rec *r = about_msg(f, &K_ROUTE_SKIPPED, msg, 0x7007ull ^ ((uint64_t)d->id << 8), &fresh);
	if (!fresh) {
		note_count(f, r, "requests");
		return;
	}
	fnd_add_msg(f, r, d->route_msg);
	GString *s = f->s;
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	g_string_append_printf(s, " carries %u Route header%s though the dialog's route set has %d (",
		routes, routes == 1 ? "" : "s", rs ? (int)rs->n : dd->rr_count);
	if (!rs) {
		g_string_append(s, "Record-Route, first ");
		fnd_append_wire(s, d->route_set, QUOTE_MAX);
		g_string_append(s, "): it skips a proxy that asked to stay on the path");
		set_summary_s(f, r);
		return;
	}
	fnd_add_msg(f, r, rs->ref);
	append_route_source(f, s, rs);
	g_string_append(s, "): it skips ");
	unsigned j = 0, left_out = 0;
	for (unsigned i = 0; i <= routes; i++, j++) {
		for (; j < rs->n && (i == routes || route_diff(got[i], rs->uri[j])); j++) {
			g_string_append(s, left_out++ ? " and " : "");
			fnd_append_wire(s, rs->uri[j], QUOTE_MAX);
		}
	}
	g_string_append(s, ", which asked to stay on the path");
	set_summary_s(f, r);
}

static void report_route_mismatch(findings *f, const sip_message *msg, const sip_dialog *d, const side_routes *rs,
	const sv *got, unsigned n_got, unsigned at)
{
	bool fresh;
	fnd_rec *r = about_msg(f, &K_ROUTE_MISMATCH, msg, 0x7e7eull ^ ((uint64_t)d->id << 8) ^ (uint64_t)rs->side,
		&fresh);
	if (!fresh) {
		note_count(f, r, "requests");
		return;
	}
	fnd_add_msg(f, r, rs->ref);
	GString *s = f->s;
	g_string_truncate(s, 0);
	what_from_to(s, msg);
	if (at < n_got && at < rs->n) {
		g_string_append_printf(s, " carries Route %u ", at + 1);
		fnd_append_wire(s, got[at], QUOTE_MAX);
		g_string_append(s, " where the dialog's route set has ");
		fnd_append_wire(s, rs->uri[at], QUOTE_MAX);
		g_string_append_printf(s, " (%s differs; ", route_diff(got[at], rs->uri[at]));
	} else {
		g_string_append(s, " carries Route ");
		fnd_append_wire(s, got[at], QUOTE_MAX);
		g_string_append_printf(s, " beyond the dialog's route set of %u (", rs->n);
	}
	append_route_source(f, s, rs);
	g_string_append(s, "): the request does not follow the path the proxies asked for");
	set_summary_s(f, r);
}

/* Judges the Route headers of a request from a UA inside a dialog against
 * its side's route set; false when the capture holds no reference for that
 * side (then only the counts can be compared).  The reference is parsed
 * again for each request rather than kept: dialogs are many, and the
 * requests checked a few per dialog. */
static bool compare_routes(findings *f, const sip_message *msg, const sip_msg *p, const sip_dialog *d,
	const det_dlg *dd)
{
	if (d->midway || !(d->created_by_code == SIP_METHOD_INVITE ||
			   d->created_by_code == SIP_METHOD_SUBSCRIBE || d->created_by_code == SIP_METHOD_REFER))
		return false;
	int side = dialog_side(d, msg);
	sip_id ref = route_ref(f, d, side, msg);
	side_routes rs;
	if (ref == SIP_ID_NONE || !read_route_set(f, dd, ref, side, &rs))
		return false;
	if (rs.n == 0)
		return false;   /* a hop hid the Record-Route from this side: its Routes have another source */
	sip_route first;
	if (sip_route_parse(rs.uri[0], &first) && !first.lr)
		return false;   /* a strict router first: strict-routing says why the Routes differ */
	sv got[ROUTES_KEEP + 1];
	unsigned ng = 0;
	sip_list_iter it;
	sv item;
	sip_list_init(&it, p, SIP_HDR_ROUTE);
	while (sip_list_next(&it, &item)) {
		if (ng == G_N_ELEMENTS(got))
			return true;   /* longer than any route set kept */
		got[ng++] = item;
	}
	unsigned at = 0;
	while (at < ng && at < rs.n && !route_diff(got[at], rs.uri[at]))
		at++;
	if (at == ng && at == rs.n)
		return true;
	if (ng < rs.n) {
		/* the route set in order with entries left out: proxies skipped */
		bool subsequence = true;
		for (unsigned i = 0, j = 0; i < ng && subsequence; i++, j++) {
			while (j < rs.n && route_diff(got[i], rs.uri[j]))
				j++;
			subsequence = j < rs.n;
		}
		if (subsequence) {
			if (dd->rr_proxied)
				report_route_skipped(f, msg, d, dd, ng, &rs, got);
			return true;
		}
	}
	report_route_mismatch(f, msg, d, &rs, got, ng, at);
	return true;
}

/* A request a UA sends inside a dialog carries the route set as Route
 * headers (§12.2.1.1): the same URIs in the same order.  One that carries
 * fewer goes around a proxy that asked to stay on the path. */
static void check_route_set(findings *f, const sip_message *msg, const sip_msg *p, unsigned n_vias)
{
	if (n_vias != 1 || fnd_method_is(msg, SIP_METHOD_CANCEL))
		return;
	const sip_dialog *d = sip_model_dialog(f->m, msg->dialog);
	const sip_txn *t = sip_model_txn(f->m, msg->txn);
	if (!d || d->route_msg == SIP_ID_NONE || !d->route_set.p || !t)
		return;
	if (fnd_method_is(msg, SIP_METHOD_ACK) && t->is_invite)
		return;   /* ACK for a non-2xx: hop by hop */
	if (d->route_msg >= msg->id)
		return;
	det_dlg *dd = fnd_dlg(f, d->id);
	if (dd->rr_msg1 != d->route_msg + 1) {
		const sip_message *rm = msg_get(f, d->route_msg);
		dd->rr_msg1 = d->route_msg + 1;
		dd->rr_count = 0;
		dd->rr_proxied = false;
		dd->rr_kept = false;
		if (rm) {
			fnd_parse(rm, f->q);
			count_record_route(dd, rm, f->q);
			dd->rr_proxied = proxy_on_path(rm, f->q, d->remote_target);
		}
	}
	if (dd->rr_count == 0 || compare_routes(f, msg, p, d, dd))
		return;
	int routes = count_list(p, SIP_HDR_ROUTE);
	if (!dd->rr_proxied || routes >= dd->rr_count)
		return;
	report_route_skipped(f, msg, d, dd, (unsigned)routes, NULL, NULL);
}

/* ---- dispatch --------------------------------------------------------------------------------- */

static void on_request(findings *f, const sip_message *msg, const sip_msg *p)
{
	const sip_txn *t = sip_model_txn(f->m, msg->txn);
	bool ack = fnd_method_is(msg, SIP_METHOD_ACK);
	if (ack)
		fnd_ack_seen(f, msg);
	if (msg->retransmission) {
		if (t && !ack)
			fnd_txn(f, t->id)->prompts++;   /* the final may be sent again for it */
		check_storm(f, msg, t);
		check_looped_copy(f, msg, p, t);
		return;
	}
	check_branch(f, msg);
	if (!t)
		return;
	if (fnd_method_is(msg, SIP_METHOD_CANCEL))
		check_cancel(f, msg, t);
	else if (!ack)
		check_dialog_exists(f, msg);
	if (!ack)
		check_cseq_order(f, msg);
	check_glare_retry(f, msg);
	if (fnd_method_is(msg, SIP_METHOD_INVITE) && !tag_present(msg, SIP_FIELD_TO_TAG))
		note_redirect_try(f, msg, t);
	if (!p)
		return;
	unsigned n_vias = 0;
	if (fnd_method_is(msg, SIP_METHOD_REGISTER))
		note_qvalues(f, msg, p);
	note_credentials(f, msg, p);
	check_vias(f, msg, p, &n_vias);
	check_strict(f, msg, p);
	check_route_set(f, msg, p, n_vias);
	if (msg->has_sdp)
		fnd_check_sdp(f, msg, p);
}

static void on_response(findings *f, const sip_message *msg, const sip_msg *p)
{
	const sip_txn *t = sip_model_txn(f->m, msg->txn);
	uint16_t st = msg->status;
	bool invite = is_invite_response(msg);
	if (msg->retransmission) {
		if (invite && st >= 200 && st < 300)
			fnd_2xx_retransmitted(f, msg);
		if (t)
			check_response_storm(f, msg, t);
		return;
	}
	if (!t)
		return;
	check_stray(f, msg, t);
	check_to_tag(f, msg, t);
	if (st >= 200 && st < 300) {
		det_call *dc = fnd_call(f, msg->call);
		if (dc)
			dc->rejected_creds = 0;
	}
	if (st >= 200 && st < 300 && p)
		check_qvalues(f, msg, p, t);
	if (invite && st >= 200 && st < 300) {
		check_invite_2xx(f, msg, p);
		fnd_wait_2xx(f, msg, p);
	} else if (invite && st >= 300 && t->final == msg->id) {
		fnd_wait_non2xx(f, msg, t);
	}
	if (invite && st >= 300 && st < 400 && p)
		check_redirect(f, msg, p, t);
	if ((st == 401 || st == 407) && p)
		check_challenge(f, msg, p, t);
	if (st == 481)
		explain_481(f, msg, t);
	else if (st == 482 || st == 483)
		explain_hops(f, msg, t);
	else if (st == 491 && t->is_invite)
		explain_glare(f, msg, t);
	if ((st == 488 || st == 606) && p)
		fnd_check_sdp_failure(f, msg, p);
	if (msg->has_sdp && p)
		fnd_check_sdp(f, msg, p);
	if (p && msg->dialog != SIP_ID_NONE)
		note_route_set(f, msg, p);
}

void fnd_check_message(findings *f, const sip_message *msg, const sip_msg *p)
{
	if (msg->kind == SIP_KIND_INVALID) {
		check_invalid(f, msg, p);
		return;
	}
	if (p && !msg->retransmission && p->n_warnings)
		check_syntax(f, msg, p);
	if (msg->kind == SIP_KIND_REQUEST)
		on_request(f, msg, p);
	else
		on_response(f, msg, p);
}
