/*
 * Findings: each check on a flow made to trigger it, and the clean flows
 * that must not trigger anything of severity warning or error.  Messages
 * are written as text (tests/unit/support/model_flow.h) and fed to a model
 * with the detector attached as the application attaches it.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "dissect/findings.h"
#include "dissect/findings_internal.h"
#include "dissect/model.h"
#include "dissect/sip.h"
#include "output/check.h"
#include "output/json_findings.h"
#include "output/ladder_text.h"
#include "output/sink.h"
#include "ui/ladder_layout.h"

#include "support/model_flow.h"

/* ---- helpers ------------------------------------------------------------------ */

typedef struct fflow {
	flow *f;
	findings *fd;
} fflow;

static fflow ff_new(void)
{
	fflow x;
	x.f = flow_new();
	x.fd = findings_new(x.f->m);
	return x;
}

static void ff_finish(fflow *x, int64_t ms)
{
	sip_model_finish(x->f->m, at(x->f, ms));
	findings_finish(x->fd);
}

static void ff_free(fflow *x)
{
	findings_free(x->fd);
	flow_free(x->f);
}

static guint count_code(const findings *fd, const char *code)
{
	guint n = 0;
	for (guint i = 0; i < findings_count(fd); i++)
		if (strcmp(findings_get(fd, i)->code, code) == 0)
			n++;
	return n;
}

static const finding *find_code(const findings *fd, const char *code)
{
	for (guint i = 0; i < findings_count(fd); i++) {
		const finding *x = findings_get(fd, i);
		if (strcmp(x->code, code) == 0)
			return x;
	}
	g_test_message("no finding %s among %u", code, findings_count(fd));
	for (guint i = 0; i < findings_count(fd); i++)
		g_test_message("  %s: %s", findings_get(fd, i)->code, findings_get(fd, i)->summary);
	g_assert_not_reached();
	return NULL;
}

static bool has_msg(const finding *x, sip_id id)
{
	for (guint i = 0; i < x->messages->len; i++)
		if (g_array_index(x->messages, sip_id, i) == id)
			return true;
	return false;
}

static void assert_summary_has(const finding *x, const char *part)
{
	if (!strstr(x->summary, part))
		g_error("summary of %s lacks \"%s\": %s", x->code, part, x->summary);
}

/* Only these codes (or nothing) at warning and above. */
static void assert_no_problems(const findings *fd)
{
	for (guint i = 0; i < findings_count(fd); i++) {
		const finding *x = findings_get(fd, i);
		if (x->severity >= FINDING_WARNING)
			g_error("unexpected %s %s: %s", finding_severity_name(x->severity), x->code, x->summary);
	}
}

/* A message as raw bytes (CRLF line ends), nothing added. */
static sip_id feed_raw(flow *f, int64_t ms, const char *src, const char *dst, const char *text)
{
	GString *s = g_string_new(NULL);
	for (const char *q = text; *q; q++) {
		if (*q == '\n')
			g_string_append(s, "\r\n");
		else
			g_string_append_c(s, *q);
	}
	size_t len = s->len;
	uint8_t *buf = g_malloc(len + 1);
	memcpy(buf, s->str, len);
	g_string_free(s, TRUE);
	g_ptr_array_add(f->bufs, buf);
	sip_parse_message(sv_make(buf, len), strcmp(f->transport, "UDP") != 0, f->p);
	f->frames++;
	sip_msg_meta meta = {
		.frame = f->frames, .first_frame = f->frames, .ts_ns = at(f, ms),
		.transport = f->transport, .src = ep(src), .dst = ep(dst),
	};
	return sip_model_add(f->m, &meta, f->p);
}

static void basic_setup(ua_call *c, int64_t t)
{
	req(c, t, true, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(c, t + 10, true, 100, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(c, t + 800, true, 180, "INVITE", 1, "z9hG4bKi", "bt");
	rsp(c, t + 3000, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	req(c, t + 3010, true, "ACK", 1, "z9hG4bKa", "bt");
}

static const char SDP_PCMU[] =
	"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
	"m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

/* ---- the model hands its parse to the taps --------------------------------------------------- */

static unsigned parse_seen;

static void parse_tap(void *user, const sip_model *m, sip_event ev, sip_id id)
{
	(void)user;
	(void)ev;
	const sip_msg *p = sip_model_parse_of(m, id);
	g_assert_nonnull(p);
	g_assert_true(p->raw.p == sip_model_message(m, id)->raw_p);
	g_assert_null(sip_model_parse_of(m, id + 1));
	parse_seen++;
}

static void test_parse_of(void)
{
	flow *f = flow_new();
	sip_model_tap_add(f->m, SIP_EV_MESSAGE, parse_tap, NULL);
	ua_call c = ua_call_make(f, "parse@a.example");
	sip_id a = req(&c, 0, true, "OPTIONS", 1, "z9hG4bKp", NULL);
	rsp(&c, 10, true, 200, "OPTIONS", 1, "z9hG4bKp", "bt");
	g_assert_cmpuint(parse_seen, ==, 2);
	g_assert_null(sip_model_parse_of(f->m, a));   /* only while it is being added */
	flow_free(f);
}

/* ---- clean flows ---------------------------------------------------------------------- */

static void test_clean_call(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "clean@a.example");
	basic_setup(&c, 0);
	req(&c, 60000, true, "BYE", 2, "z9hG4bKb", "bt");
	rsp(&c, 60020, true, 200, "BYE", 2, "z9hG4bKb", "bt");
	ff_finish(&x, 70000);
	g_assert_cmpuint(findings_count(x.fd), ==, 0);
	g_assert_null(findings_of_call(x.fd, 0));
	g_assert_null(findings_of_message(x.fd, 0));
	g_assert_cmpint(findings_message_severity(x.fd, 0), ==, -1);

	g_autoptr(GString) o = g_string_new(NULL);
	findings_call_outcome(x.f->m, call_named(x.f, "clean@a.example"), o);
	g_assert_cmpstr(o->str, ==, "answered by 10.0.0.2:5060; ended by the caller after 57.02 s");
	ff_free(&x);
}

/* ---- 1: syntax and mandatory headers ----------------------------------------------------- */

static void test_missing_max_forwards(void)
{
	fflow x = ff_new();
#define MF_OPTIONS \
		"OPTIONS sip:bob@10.0.0.2 SIP/2.0\n" \
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKo%d\n" \
		"From: <sip:alice@a.example>;tag=a1\n" \
		"To: <sip:bob@b.example>\n" \
		"Call-ID: mf@a.example\n" \
		"CSeq: %d OPTIONS\n"
	sip_id m1 = feedf(x.f, 0, "10.0.0.1:5060", "10.0.0.2:5060", MF_OPTIONS, 1, 1);
	sip_id m2 = feedf(x.f, 100, "10.0.0.1:5060", "10.0.0.2:5060", MF_OPTIONS, 2, 2);
	ff_finish(&x, 200);
	g_assert_cmpuint(count_code(x.fd, "missing-max-forwards"), ==, 1);
	const finding *mf = find_code(x.fd, "missing-max-forwards");
	g_assert_cmpint(mf->severity, ==, FINDING_WARNING);
	g_assert_cmpstr(mf->rfc, ==, "RFC 3261 §8.1.1.6");
	g_assert_cmpuint(mf->count, ==, 2);
	g_assert_true(has_msg(mf, m1));
	g_assert_true(has_msg(mf, m2));
	g_assert_cmpuint(mf->call, ==, 0);
	g_assert_cmpuint(mf->txns->len, ==, 2);
	assert_summary_has(mf, "OPTIONS from 10.0.0.1:5060 to 10.0.0.2:5060");
	assert_summary_has(mf, "Max-Forwards");
	assert_summary_has(mf, "2 times");
	g_assert_cmpint(findings_message_severity(x.fd, m1), ==, FINDING_WARNING);
	g_assert_nonnull(findings_of_call(x.fd, 0));
	ff_free(&x);
}

static void test_missing_mandatory(void)
{
	fflow x = ff_new();
	feed(x.f, 0, "10.0.0.1:5060", "10.0.0.2:5060",
		"INVITE sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKm1\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=a1\n"
		"Call-ID: mand@a.example\n"
		"CSeq: 1 BYE\n");
	feed(x.f, 10, "10.0.0.1:5060", "10.0.0.2:5060",
		"OPTIONS sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKm2\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=a1\n"
		"To: <sip:bob@b.example>\n"
		"CSeq: 1 OPTIONS\n");
	feed(x.f, 20, "10.0.0.1:5060", "10.0.0.2:5060",
		"OPTIONS sip:bob@10.0.0.2 SIP/2.0\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=a1\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: novia@a.example\n"
		"CSeq: 1 OPTIONS\n");
	ff_finish(&x, 100);
	const finding *to = find_code(x.fd, "missing-to");
	g_assert_cmpint(to->severity, ==, FINDING_ERROR);
	assert_summary_has(to, "To");
	const finding *mm = find_code(x.fd, "cseq-method-mismatch");
	assert_summary_has(mm, "BYE");
	const finding *ci = find_code(x.fd, "missing-call-id");
	g_assert_cmpuint(ci->call, ==, SIP_ID_NONE);
	g_assert_nonnull(findings_of_call(x.fd, SIP_ID_NONE));
	find_code(x.fd, "missing-via");
	ff_free(&x);
}

static void test_branch_cookie(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "br@a.example");
	sip_id a = req(&c, 0, true, "OPTIONS", 1, "1", NULL);
	rsp(&c, 10, true, 200, "OPTIONS", 1, "1", "bt");
	sip_id b = req(&c, 20, true, "OPTIONS", 2, "z9hG4bK", NULL);
	ff_finish(&x, 100);
	const finding *nc = find_code(x.fd, "branch-no-cookie");
	g_assert_cmpint(nc->severity, ==, FINDING_INFO);
	g_assert_true(has_msg(nc, a));
	assert_summary_has(nc, "\"1\"");
	const finding *co = find_code(x.fd, "branch-cookie-only");
	g_assert_cmpint(co->severity, ==, FINDING_WARNING);
	g_assert_true(has_msg(co, b));
	ff_free(&x);
}

static void test_content_length(void)
{
	fflow x = ff_new();
	sip_id big = feed_raw(x.f, 0, "10.0.0.1:5060", "10.0.0.2:5060",
		"OPTIONS sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKc1\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=a1\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: cl@a.example\n"
		"CSeq: 1 OPTIONS\n"
		"Content-Length: 100\n"
		"\n"
		"short");
	x.f->transport = "TCP";
	sip_id none = feed_raw(x.f, 10, "10.0.0.1:5060", "10.0.0.2:5060",
		"OPTIONS sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKc2\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=a1\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: cl@a.example\n"
		"CSeq: 2 OPTIONS\n"
		"\n");
	ff_finish(&x, 100);
	const finding *ex = find_code(x.fd, "content-length-exceeds");
	g_assert_cmpint(ex->severity, ==, FINDING_ERROR);
	g_assert_true(has_msg(ex, big));
	const finding *mi = find_code(x.fd, "content-length-missing");
	g_assert_true(has_msg(mi, none));
	g_assert_cmpstr(mi->rfc, ==, "RFC 3261 §18.3, §20.14");
	ff_free(&x);
}

static void test_invite_2xx_defects(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "2xx@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	sip_id ok = rsp(&c, 100, true, 200, "INVITE", 1, "z9hG4bKi", NULL);
	ff_finish(&x, 200);
	const finding *nt = find_code(x.fd, "invite-2xx-no-to-tag");
	g_assert_true(has_msg(nt, ok));
	g_assert_cmpuint(count_code(x.fd, "invite-2xx-no-contact"), ==, 0);
	ff_free(&x);

	x = ff_new();
	c = ua_call_make(x.f, "2xx-contact@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	ok = feed(x.f, 100, c.b, c.a,
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>;tag=bt\n"
		"Call-ID: 2xx-contact@a.example\n"
		"CSeq: 1 INVITE\n");
	req(&c, 110, true, "ACK", 1, "z9hG4bKa", "bt");
	ff_finish(&x, 200);
	const finding *nc = find_code(x.fd, "invite-2xx-no-contact");
	g_assert_cmpint(nc->severity, ==, FINDING_ERROR);
	g_assert_true(has_msg(nc, ok));
	g_assert_cmpuint(count_code(x.fd, "invite-2xx-no-to-tag"), ==, 0);
	ff_free(&x);
}

static void test_to_tag_changed(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "tag@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	sip_id a = rsp(&c, 100, true, 486, "INVITE", 1, "z9hG4bKi", "t1");
	sip_id b = rsp(&c, 600, true, 486, "INVITE", 1, "z9hG4bKi", "t2");
	req(&c, 610, true, "ACK", 1, "z9hG4bKi", "t1");
	ff_finish(&x, 1000);
	const finding *tc = find_code(x.fd, "to-tag-changed");
	g_assert_true(has_msg(tc, a) && has_msg(tc, b));
	assert_summary_has(tc, "\"t1\"");
	assert_summary_has(tc, "\"t2\"");
	ff_free(&x);

	/* two 2xx with different tags are forks, not a fault */
	x = ff_new();
	c = ua_call_make(x.f, "forks@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(&c, 100, true, 200, "INVITE", 1, "z9hG4bKi", "t1");
	rsp(&c, 110, true, 200, "INVITE", 1, "z9hG4bKi", "t2");
	req(&c, 120, true, "ACK", 1, "z9hG4bKa1", "t1");
	req(&c, 130, true, "ACK", 1, "z9hG4bKa2", "t2");
	ff_finish(&x, 1000);
	g_assert_cmpuint(count_code(x.fd, "to-tag-changed"), ==, 0);
	assert_no_problems(x.fd);
	ff_free(&x);
}

static void test_malformed(void)
{
	fflow x = ff_new();
	sip_id bad = feed_raw(x.f, 0, "10.0.0.1:5060", "10.0.0.2:5060", "HELLO WORLD\n\n");
	ff_finish(&x, 10);
	const finding *m = find_code(x.fd, "malformed-message");
	g_assert_cmpint(m->severity, ==, FINDING_ERROR);
	g_assert_true(has_msg(m, bad));
	assert_summary_has(m, "HELLO WORLD");
	ff_free(&x);
}

/* ---- 2: transactions ----------------------------------------------------------------------- */

static void test_no_final_response(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "nofinal@a.example");
	static const int64_t when[] = { 0, 500, 1500, 3500, 7500, 15500, 31500 };
	sip_id first = SIP_ID_NONE;
	for (size_t i = 0; i < G_N_ELEMENTS(when); i++) {
		sip_id id = req(&c, when[i], true, "INVITE", 1, "z9hG4bKnf", NULL);
		if (i == 0)
			first = id;
	}
	ua_call o = ua_call_make(x.f, "ping@a.example");
	req(&o, 40000, true, "OPTIONS", 1, "z9hG4bKp", NULL);
	rsp(&o, 40010, true, 200, "OPTIONS", 1, "z9hG4bKp", "pt");
	/* judged as messages go, not only at the end */
	const finding *nf = find_code(x.fd, "no-final-response");
	g_assert_cmpint(nf->severity, ==, FINDING_ERROR);
	g_assert_cmpstr(nf->rfc, ==, "RFC 3261 §17.1.1.2");
	g_assert_cmpuint(nf->messages->len, ==, 7);
	g_assert_true(has_msg(nf, first));
	assert_summary_has(nf, "sent 7 times, no response at all");
	assert_summary_has(nf, "Timer B");
	g_assert_cmpint(nf->ts, ==, at(x.f, 32000));
	ff_finish(&x, 41000);
	g_assert_cmpuint(count_code(x.fd, "no-final-response"), ==, 1);
	g_assert_cmpuint(count_code(x.fd, "retransmission-storm"), ==, 0);

	g_autoptr(GString) out = g_string_new(NULL);
	findings_call_outcome(x.f->m, call_named(x.f, "nofinal@a.example"), out);
	g_assert_cmpstr(out->str, ==, "no answer: no final response to the INVITE after 7 INVITE transmissions "
		"\xe2\x80\x94 no response from 10.0.0.2:5060");
	ff_free(&x);
}

/* A 200 to an INVITE retransmitted to 64×T1 and never acknowledged, then
 * a BYE from the callee 32.11 s after it; returns the 200. */
static sip_id unacked_answer(ua_call *c)
{
	req(c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	sip_id ok = rsp(c, 100, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	for (int64_t t = 600, step = 500; t < 32000; t += step, step = step * 2 > 4000 ? 4000 : step * 2)
		rsp(c, t, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	req(c, 32200, false, "BYE", 1, "z9hG4bKbye", "bt");
	rsp(c, 32210, false, 200, "BYE", 1, "z9hG4bKbye", "bt");
	return ok;
}

static void test_ack_missing(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "noack@a.example");
	sip_id ok = unacked_answer(&c);
	ff_finish(&x, 40000);
	const finding *am = find_code(x.fd, "ack-missing");
	g_assert_cmpint(am->severity, ==, FINDING_ERROR);
	g_assert_true(has_msg(am, ok));
	assert_summary_has(am, "never acknowledged");
	assert_summary_has(am, "retransmitted 10 times");
	assert_summary_has(am, "torn down 32.11 s after the answer (BYE from 10.0.0.2:5060)");
	g_assert_cmpuint(am->dialogs->len, ==, 1);
	ff_free(&x);

	/* The same call evicted under --max-calls once a second call comes,
	 * its dialog over by then: the finding says how the session went on,
	 * as at the end of the capture. */
	x.f = flow_new();
	sip_limits lim = { .max_calls = 1 };
	g_assert_true(sip_model_set_limits(x.f->m, &lim));
	x.fd = findings_new(x.f->m);
	c = ua_call_make(x.f, "noack-evicted@a.example");
	unacked_answer(&c);
	am = find_code(x.fd, "ack-missing");
	g_assert_nonnull(am);
	ua_call o = ua_call_make(x.f, "next@a.example");
	req(&o, 33000, true, "INVITE", 1, "z9hG4bKn", NULL);
	rsp(&o, 33010, true, 100, "INVITE", 1, "z9hG4bKn", NULL);   /* limits hold before a message */
	g_assert_null(sip_model_call_find(x.f->m, sv_from_cstr("noack-evicted@a.example")));
	am = find_code(x.fd, "ack-missing");
	assert_summary_has(am, "torn down 32.11 s after the answer (BYE from 10.0.0.2:5060)");
	ff_finish(&x, 40000);
	am = find_code(x.fd, "ack-missing");
	assert_summary_has(am, "torn down 32.11 s after the answer (BYE from 10.0.0.2:5060)");
	ff_free(&x);

	/* capture ending before 64×T1: nothing to say */
	x = ff_new();
	c = ua_call_make(x.f, "early-end@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(&c, 100, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	ff_finish(&x, 5000);
	g_assert_cmpuint(count_code(x.fd, "ack-missing"), ==, 0);
	ff_free(&x);
}

static void test_non2xx_ack_missing(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "busy-noack@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	sip_id busy = rsp(&c, 100, true, 486, "INVITE", 1, "z9hG4bKi", "bt");
	rsp(&c, 600, true, 486, "INVITE", 1, "z9hG4bKi", "bt");
	ff_finish(&x, 40000);
	const finding *na = find_code(x.fd, "non2xx-ack-missing");
	g_assert_cmpint(na->severity, ==, FINDING_WARNING);
	g_assert_true(has_msg(na, busy));
	assert_summary_has(na, "Timer H");
	assert_summary_has(na, "sent 2 times");
	g_autoptr(GString) out = g_string_new(NULL);
	findings_call_outcome(x.f->m, call_named(x.f, "busy-noack@a.example"), out);
	g_assert_cmpstr(out->str, ==, "busy: 486 Busy Here from 10.0.0.2:5060");
	ff_free(&x);
}

static void test_retransmission_storm(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "storm@a.example");
	for (int i = 0; i < 8; i++)
		req(&c, i * 50, true, "OPTIONS", 1, "z9hG4bKs", NULL);
	rsp(&c, 500, true, 200, "OPTIONS", 1, "z9hG4bKs", "bt");
	ff_finish(&x, 1000);
	g_assert_cmpuint(count_code(x.fd, "retransmission-storm"), ==, 1);
	const finding *st = find_code(x.fd, "retransmission-storm");
	g_assert_cmpuint(st->messages->len, ==, 8);
	assert_summary_has(st, "sent 8 times in 0.35 s");
	ff_free(&x);

	/* Timer A's own schedule is fine; over TCP any retransmission is too many */
	x = ff_new();
	x.f->transport = "TCP";
	c = ua_call_make(x.f, "tcp@a.example");
	req(&c, 0, true, "OPTIONS", 1, "z9hG4bKt", NULL);
	req(&c, 500, true, "OPTIONS", 1, "z9hG4bKt", NULL);
	rsp(&c, 600, true, 200, "OPTIONS", 1, "z9hG4bKt", "bt");
	ff_finish(&x, 1000);
	const finding *tc = find_code(x.fd, "retransmission-storm");
	assert_summary_has(tc, "over TCP");
	ff_free(&x);
}

static void test_response_storm(void)
{
	/* a 486 sent again every 100 ms (each copy ACKed): far beyond Timer G */
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "rstorm@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	sip_id busy = rsp(&c, 100, true, 486, "INVITE", 1, "z9hG4bKi", "bt");
	req(&c, 105, true, "ACK", 1, "z9hG4bKi", "bt");
	for (int i = 1; i < 8; i++) {
		rsp(&c, 100 + i * 100, true, 486, "INVITE", 1, "z9hG4bKi", "bt");
		req(&c, 105 + i * 100, true, "ACK", 1, "z9hG4bKi", "bt");
	}
	ff_finish(&x, 2000);
	g_assert_cmpuint(count_code(x.fd, "response-retransmission-storm"), ==, 1);
	g_assert_cmpuint(count_code(x.fd, "retransmission-storm"), ==, 0);
	const finding *rs = find_code(x.fd, "response-retransmission-storm");
	g_assert_cmpint(rs->severity, ==, FINDING_WARNING);
	g_assert_cmpstr(rs->rfc, ==, "RFC 3261 §17.2.1");
	g_assert_true(has_msg(rs, busy));
	assert_summary_has(rs, "486 Busy Here to INVITE from 10.0.0.2:5060 to 10.0.0.1:5060 sent 8 times in 0.7 s: "
		"beyond Timer G's schedule (at most 11 sends in 32 s, 0.5 s apart doubling up to 4 s)");
	ff_free(&x);

	/* Timer G's own schedule, then the ACK: fine */
	x = ff_new();
	c = ua_call_make(x.f, "rsched@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	for (int i = 0, t = 100, step = 500; i < 5; i++, t += step, step *= 2)
		rsp(&c, t, true, 486, "INVITE", 1, "z9hG4bKi", "bt");
	req(&c, 7610, true, "ACK", 1, "z9hG4bKi", "bt");
	ff_finish(&x, 9000);
	assert_no_problems(x.fd);
	ff_free(&x);

	/* copies 0.1, 0.2 and 0.4 s apart: Timer G's schedule with T1 = 100 ms,
	 * far too fast for the default 500 ms */
	for (int run = 0; run < 2; run++) {
		x = ff_new();
		sip_timers tm = SIP_TIMERS_DEFAULT;
		tm.t1_ns = INT64_C(100000000);
		if (run)
			g_assert_true(sip_model_set_timers(x.f->m, &tm));
		c = ua_call_make(x.f, "rt1@a.example");
		req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
		for (int i = 0, t = 100, step = 100; i < 4; i++, t += step, step *= 2)
			rsp(&c, t, true, 486, "INVITE", 1, "z9hG4bKi", "bt");
		req(&c, 810, true, "ACK", 1, "z9hG4bKi", "bt");
		ff_finish(&x, 1000);
		if (run)
			assert_no_problems(x.fd);
		else
			assert_summary_has(find_code(x.fd, "response-retransmission-storm"), "sent 4 times in 0.7 s");
		ff_free(&x);
	}

	/* a 2xx resent every 50 ms */
	x = ff_new();
	c = ua_call_make(x.f, "r2xx@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	for (int i = 0; i < 5; i++)
		rsp(&c, 100 + i * 50, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	req(&c, 400, true, "ACK", 1, "z9hG4bKa", "bt");
	ff_finish(&x, 1000);
	rs = find_code(x.fd, "response-retransmission-storm");
	g_assert_cmpstr(rs->rfc, ==, "RFC 3261 §13.3.1.4");
	assert_summary_has(rs, "sent 5 times in 0.2 s: beyond the schedule of 2xx retransmissions");
	ff_free(&x);

	/* over TCP a 2xx still goes again until the ACK, a 486 does not */
	x = ff_new();
	x.f->transport = "TCP";
	c = ua_call_make(x.f, "rtcp@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(&c, 100, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	rsp(&c, 600, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	req(&c, 610, true, "ACK", 1, "z9hG4bKa", "bt");
	ua_call c2 = ua_call_make(x.f, "rtcp486@a.example");
	req(&c2, 1000, true, "INVITE", 1, "z9hG4bKj", NULL);
	rsp(&c2, 1100, true, 486, "INVITE", 1, "z9hG4bKj", "bt");
	sip_id again = rsp(&c2, 1600, true, 486, "INVITE", 1, "z9hG4bKj", "bt");
	req(&c2, 1610, true, "ACK", 1, "z9hG4bKj", "bt");
	ff_finish(&x, 2000);
	g_assert_cmpuint(count_code(x.fd, "response-retransmission-storm"), ==, 1);
	rs = find_code(x.fd, "response-retransmission-storm");
	g_assert_true(has_msg(rs, again));
	assert_summary_has(rs, "over TCP: Timer G resends a non-2xx final response over unreliable transports only");
	ff_free(&x);

	/* a non-INVITE final goes again only for a retransmitted request */
	x = ff_new();
	c = ua_call_make(x.f, "ropt@a.example");
	req(&c, 0, true, "OPTIONS", 1, "z9hG4bKo", NULL);
	rsp(&c, 10, true, 200, "OPTIONS", 1, "z9hG4bKo", "bt");
	req(&c, 500, true, "OPTIONS", 1, "z9hG4bKo", NULL);
	rsp(&c, 510, true, 200, "OPTIONS", 1, "z9hG4bKo", "bt");
	ua_call c3 = ua_call_make(x.f, "ropt2@a.example");
	req(&c3, 1000, true, "OPTIONS", 1, "z9hG4bKp", NULL);
	rsp(&c3, 1010, true, 200, "OPTIONS", 1, "z9hG4bKp", "bt");
	req(&c3, 1500, true, "OPTIONS", 1, "z9hG4bKp", NULL);
	rsp(&c3, 1510, true, 200, "OPTIONS", 1, "z9hG4bKp", "bt");
	rsp(&c3, 1600, true, 200, "OPTIONS", 1, "z9hG4bKp", "bt");
	sip_id third = rsp(&c3, 1700, true, 200, "OPTIONS", 1, "z9hG4bKp", "bt");
	ff_finish(&x, 2000);
	g_assert_cmpuint(count_code(x.fd, "response-retransmission-storm"), ==, 1);
	rs = find_code(x.fd, "response-retransmission-storm");
	g_assert_cmpstr(rs->rfc, ==, "RFC 3261 §17.2.2");
	g_assert_true(has_msg(rs, third));
	g_assert_null(findings_of_call(x.fd, call_named(x.f, "ropt@a.example")->id));
	assert_summary_has(rs, "200 OK to OPTIONS from 10.0.0.2:5060 to 10.0.0.1:5060 sent 4 times in 0.69 s "
		"(1 of the copies answer retransmitted requests): 2 copies came without a retransmitted request");
	ff_free(&x);
}

static void test_stray_response(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "stray@a.example");
	ua_call o = ua_call_make(x.f, "first@a.example");
	req(&o, 0, true, "OPTIONS", 1, "z9hG4bKp", NULL);
	rsp(&o, 10, true, 200, "OPTIONS", 1, "z9hG4bKp", "pt");
	/* a response at the very start may answer a request sent before the capture */
	rsp(&c, 20, true, 200, "OPTIONS", 7, "z9hG4bKearly", "bt");
	sip_id s = rsp(&c, 40000, true, 200, "OPTIONS", 9, "z9hG4bKnobody", "bt");
	ff_finish(&x, 41000);
	g_assert_cmpuint(count_code(x.fd, "stray-response"), ==, 1);
	g_assert_true(has_msg(find_code(x.fd, "stray-response"), s));
	ff_free(&x);
}

static void test_cancel_checks(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "cancel@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKinv", NULL);
	rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKinv", "bt");
	sip_id can = req(&c, 2000, true, "CANCEL", 1, "z9hG4bKother", NULL);
	sip_id r481 = rsp(&c, 2010, true, 481, "CANCEL", 1, "z9hG4bKother", NULL);
	ff_finish(&x, 3000);
	const finding *cu = find_code(x.fd, "cancel-unknown-invite");
	g_assert_true(has_msg(cu, can));
	assert_summary_has(cu, "z9hG4bKinv");
	const finding *r = find_code(x.fd, "response-481");
	g_assert_true(has_msg(r, r481));
	assert_summary_has(r, "no INVITE transaction for this CANCEL");
	ff_free(&x);

	x = ff_new();
	c = ua_call_make(x.f, "late-cancel@a.example");
	basic_setup(&c, 0);
	sip_id late = req(&c, 5000, true, "CANCEL", 1, "z9hG4bKi", NULL);
	rsp(&c, 5010, true, 200, "CANCEL", 1, "z9hG4bKi", "bt");
	ff_finish(&x, 6000);
	const finding *cl = find_code(x.fd, "cancel-after-final");
	g_assert_cmpint(cl->severity, ==, FINDING_INFO);
	g_assert_true(has_msg(cl, late));
	assert_summary_has(cl, "came 2 s after the INVITE's final response (200 OK to INVITE)");
	assert_no_problems(x.fd);
	ff_free(&x);
}

/* ---- 3: dialogs ---------------------------------------------------------------------------- */

static void test_dialog_unknown_and_481(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "dlg@a.example");
	basic_setup(&c, 0);
	sip_id bye = req(&c, 5000, true, "BYE", 2, "z9hG4bKb", "wrong");
	rsp(&c, 5010, true, 481, "BYE", 2, "z9hG4bKb", "wrong");
	ff_finish(&x, 6000);
	const finding *du = find_code(x.fd, "dialog-unknown");
	g_assert_true(has_msg(du, bye));
	assert_summary_has(du, "\"wrong\"");
	assert_summary_has(du, "tags \"atag\" and \"bt\"");
	const finding *r = find_code(x.fd, "response-481");
	assert_summary_has(r, "no dialog with this Call-ID");
	ff_free(&x);

	/* a BYE after the dialog ended, and a 481 from a peer that lost a live dialog */
	x = ff_new();
	c = ua_call_make(x.f, "dlg2@a.example");
	basic_setup(&c, 0);
	req(&c, 4000, true, "INFO", 2, "z9hG4bKinfo", "bt");
	rsp(&c, 4010, true, 481, "INFO", 2, "z9hG4bKinfo", "bt");
	req(&c, 5000, true, "BYE", 3, "z9hG4bKb", "bt");
	ff_finish(&x, 6000);
	r = find_code(x.fd, "response-481");
	assert_summary_has(r, "the peer lost it");
	du = find_code(x.fd, "dialog-unknown");
	assert_summary_has(du, "already ended");
	ff_free(&x);

	/* a capture that starts mid-call: nothing to say */
	x = ff_new();
	c = ua_call_make(x.f, "mid@a.example");
	req(&c, 0, true, "BYE", 5, "z9hG4bKb", "bt");
	rsp(&c, 10, true, 200, "BYE", 5, "z9hG4bKb", "bt");
	ff_finish(&x, 100);
	assert_no_problems(x.fd);
	ff_free(&x);
}

static void test_cseq_order(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "cseq@a.example");
	basic_setup(&c, 0);
	req(&c, 4000, true, "INFO", 5, "z9hG4bKinfo", "bt");
	rsp(&c, 4010, true, 200, "INFO", 5, "z9hG4bKinfo", "bt");
	/* the callee's own numbering is separate */
	req(&c, 4500, false, "INFO", 1, "z9hG4bKbinfo", "bt");
	rsp(&c, 4510, false, 200, "INFO", 1, "z9hG4bKbinfo", "bt");
	sip_id bye = req(&c, 5000, true, "BYE", 3, "z9hG4bKb", "bt");
	rsp(&c, 5010, true, 200, "BYE", 3, "z9hG4bKb", "bt");
	ff_finish(&x, 6000);
	g_assert_cmpuint(count_code(x.fd, "cseq-not-increasing"), ==, 1);
	const finding *co = find_code(x.fd, "cseq-not-increasing");
	g_assert_true(has_msg(co, bye));
	assert_summary_has(co, "CSeq 3 after INFO with CSeq 5");
	ff_free(&x);
}

static void test_glare(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "glare@a.example");
	basic_setup(&c, 0);
	req(&c, 10000, true, "INVITE", 2, "z9hG4bKra", "bt");
	req(&c, 10001, false, "INVITE", 1, "z9hG4bKrb", "bt");
	rsp(&c, 10010, true, 491, "INVITE", 2, "z9hG4bKra", "bt");
	rsp(&c, 10011, false, 491, "INVITE", 1, "z9hG4bKrb", "bt");
	req(&c, 10020, true, "ACK", 2, "z9hG4bKra", "bt");
	req(&c, 10021, false, "ACK", 1, "z9hG4bKrb", "bt");
	/* the caller owns the Call-ID: retrying after 1 s is too soon */
	sip_id retry = req(&c, 11010, true, "INVITE", 3, "z9hG4bKra2", "bt");
	rsp(&c, 11020, true, 200, "INVITE", 3, "z9hG4bKra2", "bt");
	req(&c, 11030, true, "ACK", 3, "z9hG4bKack3", "bt");
	ff_finish(&x, 12000);
	g_assert_cmpuint(count_code(x.fd, "reinvite-glare"), ==, 1);
	const finding *g = find_code(x.fd, "reinvite-glare");
	g_assert_cmpint(g->severity, ==, FINDING_INFO);
	assert_summary_has(g, "both ends sent a re-INVITE 0.001 s apart");
	g_assert_cmpuint(g->txns->len, ==, 2);
	const finding *gr = find_code(x.fd, "glare-retry-too-soon");
	g_assert_true(has_msg(gr, retry));
	ff_free(&x);
}

static void test_call_not_ended(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "up@a.example");
	basic_setup(&c, 0);
	ff_finish(&x, 70000);
	const finding *ne = find_code(x.fd, "call-not-ended");
	g_assert_cmpint(ne->severity, ==, FINDING_INFO);
	assert_summary_has(ne, "1:07 later");
	assert_no_problems(x.fd);
	g_autoptr(GString) out = g_string_new(NULL);
	findings_call_outcome(x.f->m, call_named(x.f, "up@a.example"), out);
	g_assert_cmpstr(out->str, ==, "answered by 10.0.0.2:5060; still up when the capture ended");
	ff_free(&x);
}

/* ---- 4: authentication and registration ------------------------------------------------------ */

static sip_id reg_req(flow *f, int64_t ms, unsigned cseq, const char *branch, const char *auth, unsigned expires)
{
	return feedf(f, ms, "10.0.0.1:5060", "10.0.0.9:5060",
		"REGISTER sip:example.org SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n"
		"Max-Forwards: 70\n"
		"From: <sip:carol@example.org>;tag=rt\n"
		"To: <sip:carol@example.org>\n"
		"Call-ID: reg@10.0.0.1\n"
		"CSeq: %u REGISTER\n"
		"Contact: <sip:carol@10.0.0.1>\n"
		"Expires: %u\n"
		"%s",
		branch, cseq, expires, auth ? auth : "");
}

static sip_id reg_rsp(flow *f, int64_t ms, unsigned cseq, const char *branch, int status, const char *extra)
{
	return feedf(f, ms, "10.0.0.9:5060", "10.0.0.1:5060",
		"SIP/2.0 %d %s\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n"
		"From: <sip:carol@example.org>;tag=rt\n"
		"To: <sip:carol@example.org>;tag=srv\n"
		"Call-ID: reg@10.0.0.1\n"
		"CSeq: %u REGISTER\n"
		"%s",
		status, reason_of(status), branch, cseq, extra ? extra : "");
}

static void test_auth_failed(void)
{
	fflow x = ff_new();
	const char *chal = "WWW-Authenticate: Digest realm=\"example.org\", nonce=\"n0nce\", qop=\"auth\"\n";
	const char *cred = "Authorization: Digest username=\"carol\", realm=\"example.org\", nonce=\"n0nce\", "
		"uri=\"sip:example.org\", response=\"0123\"\n";
	reg_req(x.f, 0, 1, "z9hG4bKr1", NULL, 3600);
	reg_rsp(x.f, 10, 1, "z9hG4bKr1", 401, chal);
	reg_req(x.f, 20, 2, "z9hG4bKr2", cred, 3600);
	sip_id again = reg_rsp(x.f, 30, 2, "z9hG4bKr2", 401, chal);
	ff_finish(&x, 100);
	const finding *af = find_code(x.fd, "auth-failed");
	g_assert_cmpint(af->severity, ==, FINDING_ERROR);
	g_assert_true(has_msg(af, again));
	assert_summary_has(af, "same nonce");
	ff_free(&x);

	/* a challenge answered with the right credentials: fine */
	x = ff_new();
	reg_req(x.f, 0, 1, "z9hG4bKr1", NULL, 3600);
	reg_rsp(x.f, 10, 1, "z9hG4bKr1", 401, chal);
	reg_req(x.f, 20, 2, "z9hG4bKr2", cred, 3600);
	reg_rsp(x.f, 30, 2, "z9hG4bKr2", 200, "Contact: <sip:carol@10.0.0.1>;expires=3600\n");
	ff_finish(&x, 100);
	assert_no_problems(x.fd);
	g_assert_cmpuint(findings_count(x.fd), ==, 0);
	g_autoptr(GString) out = g_string_new(NULL);
	findings_call_outcome(x.f->m, call_named(x.f, "reg@10.0.0.1"), out);
	g_assert_cmpstr(out->str, ==, "REGISTER: 200 OK from 10.0.0.9:5060");
	ff_free(&x);
}

static void test_binding_expiry(void)
{
	fflow x = ff_new();
	reg_req(x.f, 0, 1, "z9hG4bKr1", NULL, 3600);
	sip_id ok = reg_rsp(x.f, 10, 1, "z9hG4bKr1", 200, "Contact: <sip:carol@10.0.0.1>;expires=60\n");
	ff_finish(&x, 100000);
	const finding *sh = find_code(x.fd, "expires-shortened");
	g_assert_cmpint(sh->severity, ==, FINDING_INFO);
	assert_summary_has(sh, "granted 60 s of the 3600 s");
	g_assert_true(has_msg(sh, ok));
	const finding *ex = find_code(x.fd, "binding-expired");
	g_assert_cmpint(ex->severity, ==, FINDING_WARNING);
	assert_summary_has(ex, "sip:carol@10.0.0.1");
	assert_summary_has(ex, "expired at +1:00");
	ff_free(&x);

	/* refreshed in time: no expiry */
	x = ff_new();
	reg_req(x.f, 0, 1, "z9hG4bKr1", NULL, 60);
	reg_rsp(x.f, 10, 1, "z9hG4bKr1", 200, "Contact: <sip:carol@10.0.0.1>;expires=60\n");
	reg_req(x.f, 30000, 2, "z9hG4bKr2", NULL, 60);
	reg_rsp(x.f, 30010, 2, "z9hG4bKr2", 200, "Contact: <sip:carol@10.0.0.1>;expires=60\n");
	ff_finish(&x, 60000);
	g_assert_cmpuint(findings_count(x.fd), ==, 0);
	ff_free(&x);
}

static sip_id reg_contacts(flow *f, int64_t ms, unsigned cseq, const char *branch, const char *contacts)
{
	return feedf(f, ms, "10.0.0.1:5060", "10.0.0.9:5060",
		"REGISTER sip:example.org SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n"
		"Max-Forwards: 70\n"
		"From: <sip:carol@example.org>;tag=rt\n"
		"To: <sip:carol@example.org>\n"
		"Call-ID: reg@10.0.0.1\n"
		"CSeq: %u REGISTER\n"
		"Contact: %s\n"
		"Expires: 3600\n",
		branch, cseq, contacts);
}

static void test_qvalues(void)
{
	const char *two = "<sip:carol@10.0.0.1>;q=1.0, <sip:carol@10.0.0.3>;q=0.5";
	fflow x = ff_new();
	sip_id rq = reg_contacts(x.f, 0, 1, "z9hG4bKq1", two);
	sip_id ok = reg_rsp(x.f, 10, 1, "z9hG4bKq1", 200,
		"Contact: <sip:carol@10.0.0.1>;expires=3600, <sip:carol@10.0.0.3>;expires=3600;q=1\n");
	/* a refresh answered the same way: the same finding */
	reg_contacts(x.f, 1000, 2, "z9hG4bKq2", two);
	reg_rsp(x.f, 1010, 2, "z9hG4bKq2", 200,
		"Contact: <sip:carol@10.0.0.1>;expires=3600, <sip:carol@10.0.0.3>;expires=3600\n");
	ff_finish(&x, 2000);
	g_assert_cmpuint(count_code(x.fd, "q-values-ignored"), ==, 1);
	const finding *qv = find_code(x.fd, "q-values-ignored");
	g_assert_cmpint(qv->severity, ==, FINDING_WARNING);
	g_assert_true(has_msg(qv, rq) && has_msg(qv, ok));
	g_assert_cmpuint(qv->count, ==, 2);
	assert_summary_has(qv, "200 OK to REGISTER from 10.0.0.9:5060 to 10.0.0.1:5060 lists the bindings of "
		"sip:carol@example.org with the q-values of the REGISTER dropped or changed: "
		"sip:carol@10.0.0.1 (q=1.000 asked, none granted), sip:carol@10.0.0.3 (q=0.500 asked, q=1.000 granted)");
	assert_summary_has(qv, "2 REGISTER responses");
	ff_free(&x);

	/* echoed in another spelling; all equal; one removal among them; not listed back: nothing */
	x = ff_new();
	reg_contacts(x.f, 0, 1, "z9hG4bKq1", two);
	reg_rsp(x.f, 10, 1, "z9hG4bKq1", 200,
		"Contact: <sip:carol@10.0.0.1>;q=1;expires=3600, <sip:carol@10.0.0.3>;expires=3600;q=0.500\n");
	reg_contacts(x.f, 1000, 2, "z9hG4bKq2", "<sip:carol@10.0.0.1>;q=0.5, <sip:carol@10.0.0.3>;q=0.5");
	reg_rsp(x.f, 1010, 2, "z9hG4bKq2", 200,
		"Contact: <sip:carol@10.0.0.1>;expires=3600, <sip:carol@10.0.0.3>;expires=3600\n");
	reg_contacts(x.f, 2000, 3, "z9hG4bKq3", "<sip:carol@10.0.0.1>;q=1.0;expires=0, <sip:carol@10.0.0.3>;q=0.5");
	reg_rsp(x.f, 2010, 3, "z9hG4bKq3", 200, "Contact: <sip:carol@10.0.0.3>;expires=3600\n");
	reg_contacts(x.f, 3000, 4, "z9hG4bKq4", two);
	reg_rsp(x.f, 3010, 4, "z9hG4bKq4", 200, NULL);
	ff_finish(&x, 4000);
	g_assert_cmpuint(count_code(x.fd, "q-values-ignored"), ==, 0);
	assert_no_problems(x.fd);
	ff_free(&x);
}

/* ---- 5: loops and spirals ---------------------------------------------------------------------- */

/* An INVITE as forwarded with this Via stack and Request-URI. */
static sip_id hop(flow *f, int64_t ms, const char *src, const char *dst, const char *ruri, const char *vias,
	unsigned mf)
{
	return feedf(f, ms, src, dst,
		"INVITE %s SIP/2.0\n"
		"%s"
		"Max-Forwards: %u\n"
		"From: <sip:alice@a.example>;tag=lt\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: loop@a.example\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:alice@10.0.0.1>\n",
		ruri, vias, mf);
}

static void test_forwarding_loop(void)
{
	fflow x = ff_new();
	const char *uac = "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKu\n";
	const char *p1a = "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKp1a\n";
	const char *p2a = "Via: SIP/2.0/UDP 10.0.0.6:5060;branch=z9hG4bKp2a\n";
	const char *p1b = "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKp1b\n";
	g_autofree char *v2 = g_strconcat(p1a, uac, NULL);
	g_autofree char *v3 = g_strconcat(p2a, p1a, uac, NULL);
	g_autofree char *v4 = g_strconcat(p1b, p2a, p1a, uac, NULL);
	hop(x.f, 0, "10.0.0.1:5060", "10.0.0.5:5060", "sip:bob@b.example", uac, 70);
	sip_id h2 = hop(x.f, 1, "10.0.0.5:5060", "10.0.0.6:5060", "sip:bob@b.example", v2, 69);
	hop(x.f, 2, "10.0.0.6:5060", "10.0.0.5:5060", "sip:bob@b.example", v3, 68);
	sip_id h4 = hop(x.f, 3, "10.0.0.5:5060", "10.0.0.6:5060", "sip:bob@b.example", v4, 67);
	sip_id r483 = feedf(x.f, 10, "10.0.0.6:5060", "10.0.0.5:5060",
		"SIP/2.0 483 Too Many Hops\n%s"
		"From: <sip:alice@a.example>;tag=lt\n"
		"To: <sip:bob@b.example>;tag=x\n"
		"Call-ID: loop@a.example\n"
		"CSeq: 1 INVITE\n", v4);
	ff_finish(&x, 100);
	g_assert_cmpuint(count_code(x.fd, "spiral"), ==, 0);
	const finding *lp = find_code(x.fd, "forwarding-loop");
	g_assert_cmpint(lp->severity, ==, FINDING_ERROR);
	g_assert_true(has_msg(lp, h2) && has_msg(lp, h4) && has_msg(lp, r483));
	assert_summary_has(lp, "10.0.0.5:5060 forwarded it again with the same Request-URI");
	assert_summary_has(lp, "Max-Forwards 67");
	const finding *tm = find_code(x.fd, "too-many-hops");
	assert_summary_has(tm, "forwarding loop of finding");
	ff_free(&x);
}

static void test_spiral_and_482(void)
{
	fflow x = ff_new();
	const char *uac = "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKu\n";
	const char *p1a = "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKp1a\n";
	const char *p2a = "Via: SIP/2.0/UDP 10.0.0.6:5060;branch=z9hG4bKp2a\n";
	const char *p1b = "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKp1b\n";
	g_autofree char *v2 = g_strconcat(p1a, uac, NULL);
	g_autofree char *v3 = g_strconcat(p2a, p1a, uac, NULL);
	g_autofree char *v4 = g_strconcat(p1b, p2a, p1a, uac, NULL);
	hop(x.f, 0, "10.0.0.1:5060", "10.0.0.5:5060", "sip:bob@b.example", uac, 70);
	hop(x.f, 1, "10.0.0.5:5060", "10.0.0.6:5060", "sip:bob@b.example", v2, 69);
	hop(x.f, 2, "10.0.0.6:5060", "10.0.0.5:5060", "sip:bob@internal.b.example", v3, 68);
	sip_id h4 = hop(x.f, 3, "10.0.0.5:5060", "10.0.0.7:5060", "sip:bob@10.0.0.7", v4, 67);
	feedf(x.f, 10, "10.0.0.7:5060", "10.0.0.5:5060",
		"SIP/2.0 482 Loop Detected\n%s"
		"From: <sip:alice@a.example>;tag=lt\n"
		"To: <sip:bob@b.example>;tag=x\n"
		"Call-ID: loop@a.example\n"
		"CSeq: 1 INVITE\n", v4);
	ff_finish(&x, 100);
	g_assert_cmpuint(count_code(x.fd, "forwarding-loop"), ==, 0);
	const finding *sp = find_code(x.fd, "spiral");
	g_assert_cmpint(sp->severity, ==, FINDING_INFO);
	g_assert_true(has_msg(sp, h4));
	assert_summary_has(sp, "a spiral, not a loop");
	const finding *ld = find_code(x.fd, "loop-detected");
	assert_summary_has(ld, "spiralling");
	ff_free(&x);
}

static void test_via_loop(void)
{
	fflow x = ff_new();
	sip_id m = hop(x.f, 0, "10.0.0.5:5060", "10.0.0.6:5060", "sip:bob@b.example",
		"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKsame\n"
		"Via: SIP/2.0/UDP 10.0.0.6:5060;branch=z9hG4bKp2\n"
		"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKsame\n", 68);
	ff_finish(&x, 100);
	const finding *vl = find_code(x.fd, "via-loop");
	g_assert_true(has_msg(vl, m));
	assert_summary_has(vl, "appears twice");
	ff_free(&x);
}

/* ---- 6: redirects --------------------------------------------------------------------------------- */

static sip_id invite_to(flow *f, int64_t ms, const char *ruri, unsigned cseq, const char *branch)
{
	return feedf(f, ms, "10.0.0.1:5060", "10.0.0.2:5060",
		"INVITE %s SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=rt\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: redir@a.example\n"
		"CSeq: %u INVITE\n"
		"Contact: <sip:alice@10.0.0.1>\n",
		ruri, branch, cseq);
}

static sip_id redirect(flow *f, int64_t ms, unsigned cseq, const char *branch, const char *contacts)
{
	sip_id r = feedf(f, ms, "10.0.0.2:5060", "10.0.0.1:5060",
		"SIP/2.0 302 Moved Temporarily\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n"
		"From: <sip:alice@a.example>;tag=rt\n"
		"To: <sip:bob@b.example>;tag=rd%u\n"
		"Call-ID: redir@a.example\n"
		"CSeq: %u INVITE\n"
		"Contact: %s\n",
		branch, cseq, cseq, contacts);
	feedf(f, ms + 5, "10.0.0.1:5060", "10.0.0.2:5060",
		"ACK sip:x@b.example SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=rt\n"
		"To: <sip:bob@b.example>;tag=rd%u\n"
		"Call-ID: redir@a.example\n"
		"CSeq: %u ACK\n",
		branch, cseq, cseq);
	return r;
}

static void test_redirects(void)
{
	fflow x = ff_new();
	invite_to(x.f, 0, "sip:bob@b.example", 1, "z9hG4bKr1");
	sip_id r1 = redirect(x.f, 10, 1, "z9hG4bKr1", "<sip:bob@c1.example>;q=0.7, <sip:bob@c2.example>;q=0.3");
	invite_to(x.f, 20, "sip:bob@c1.example", 2, "z9hG4bKr2");
	sip_id r2 = redirect(x.f, 30, 2, "z9hG4bKr2", "<sip:bob@b.example>");
	ff_finish(&x, 100);
	g_assert_cmpuint(count_code(x.fd, "redirect"), ==, 2);
	const finding *rdr = find_code(x.fd, "redirect");
	g_assert_true(has_msg(rdr, r1));
	assert_summary_has(rdr, "to 2 targets: sip:bob@c1.example (q=0.700), sip:bob@c2.example (q=0.300)");
	const finding *rl = find_code(x.fd, "redirect-loop");
	g_assert_cmpint(rl->severity, ==, FINDING_ERROR);
	g_assert_true(has_msg(rl, r2));
	assert_summary_has(rl, "sip:bob@b.example, already tried by the INVITE with CSeq 1");
	ff_free(&x);

	/* a target list that never ends */
	x = ff_new();
	for (unsigned i = 1; i <= 5; i++) {
		g_autofree char *br = g_strdup_printf("z9hG4bKc%u", i);
		g_autofree char *ruri = g_strdup_printf("sip:bob@n%u.example", i);
		g_autofree char *next = g_strdup_printf("<sip:bob@n%u.example>", i + 1);
		invite_to(x.f, i * 100, ruri, i, br);
		redirect(x.f, i * 100 + 10, i, br, next);
	}
	ff_finish(&x, 1000);
	g_assert_cmpuint(count_code(x.fd, "redirect-loop"), ==, 0);
	find_code(x.fd, "redirect-chain");
	ff_free(&x);
}

static sip_id invite_final(flow *f, int64_t ms, unsigned cseq, const char *branch, int status, const char *tag)
{
	return feedf(f, ms, "10.0.0.2:5060", "10.0.0.1:5060",
		"SIP/2.0 %d %s\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n"
		"From: <sip:alice@a.example>;tag=rt\n"
		"To: <sip:bob@b.example>;tag=%s\n"
		"Call-ID: redir@a.example\n"
		"CSeq: %u INVITE\n"
		"Contact: <sip:bob@10.0.0.2>\n",
		status, reason_of(status), branch, tag, cseq);
}

static void test_redirect_order(void)
{
	const char *ranked = "<sip:bob@c1.example>;q=1.0, <sip:bob@c2.example>;q=0.5";
	/* the lower q-value first */
	fflow x = ff_new();
	invite_to(x.f, 0, "sip:bob@b.example", 1, "z9hG4bKr1");
	sip_id r1 = redirect(x.f, 10, 1, "z9hG4bKr1", ranked);
	sip_id low = invite_to(x.f, 100, "sip:bob@c2.example", 2, "z9hG4bKr2");
	invite_final(x.f, 200, 2, "z9hG4bKr2", 486, "c2");
	invite_to(x.f, 300, "sip:bob@c1.example", 3, "z9hG4bKr3");
	invite_final(x.f, 400, 3, "z9hG4bKr3", 200, "c1");
	ff_finish(&x, 1000);
	g_assert_cmpuint(count_code(x.fd, "redirect-q-order"), ==, 1);
	const finding *qo = find_code(x.fd, "redirect-q-order");
	g_assert_cmpint(qo->severity, ==, FINDING_WARNING);
	g_assert_true(has_msg(qo, low) && has_msg(qo, r1));
	assert_summary_has(qo, "INVITE from 10.0.0.1:5060 tries sip:bob@c2.example (q=0.500), a target of 302 Moved "
		"Temporarily to INVITE from 10.0.0.2:5060, before sip:bob@c1.example (q=1.000): targets tried out of "
		"q-value order");
	assert_summary_has(find_code(x.fd, "redirect"), "; tried out of q-value order (finding ");
	ff_free(&x);

	/* one at a time, highest first; another hop of a try is the same try */
	x = ff_new();
	invite_to(x.f, 0, "sip:bob@b.example", 1, "z9hG4bKr1");
	redirect(x.f, 10, 1, "z9hG4bKr1", ranked);
	invite_to(x.f, 100, "sip:bob@c1.example", 2, "z9hG4bKr2");
	invite_to(x.f, 101, "sip:bob@c1.example", 2, "z9hG4bKr2hop");
	invite_final(x.f, 200, 2, "z9hG4bKr2", 486, "c1");
	invite_to(x.f, 300, "sip:bob@c2.example", 3, "z9hG4bKr3");
	invite_final(x.f, 400, 3, "z9hG4bKr3", 200, "c2");
	ff_finish(&x, 1000);
	g_assert_cmpuint(count_code(x.fd, "redirect-q-order"), ==, 0);
	assert_summary_has(find_code(x.fd, "redirect"), "; tried one at a time in q-value order: "
		"sip:bob@c1.example (q=1.000), then sip:bob@c2.example (q=0.500)");
	assert_no_problems(x.fd);
	ff_free(&x);

	/* equal q-values in parallel: allowed */
	x = ff_new();
	invite_to(x.f, 0, "sip:bob@b.example", 1, "z9hG4bKr1");
	redirect(x.f, 10, 1, "z9hG4bKr1", "<sip:bob@c1.example>;q=0.5, <sip:bob@c2.example>;q=0.5");
	invite_to(x.f, 100, "sip:bob@c1.example", 2, "z9hG4bKr2");
	invite_to(x.f, 110, "sip:bob@c2.example", 3, "z9hG4bKr3");
	invite_final(x.f, 300, 2, "z9hG4bKr2", 200, "c1");
	invite_final(x.f, 400, 3, "z9hG4bKr3", 487, "c2");
	ff_finish(&x, 1000);
	g_assert_cmpuint(count_code(x.fd, "redirect-q-order"), ==, 0);
	assert_summary_has(find_code(x.fd, "redirect"), "; tried in q-value order, equal q-values in parallel: "
		"sip:bob@c1.example (q=0.500) and sip:bob@c2.example (q=0.500)");
	assert_no_problems(x.fd);
	ff_free(&x);

	/* different q-values in parallel: the lower one did not wait */
	x = ff_new();
	invite_to(x.f, 0, "sip:bob@b.example", 1, "z9hG4bKr1");
	redirect(x.f, 10, 1, "z9hG4bKr1", ranked);
	invite_to(x.f, 100, "sip:bob@c1.example", 2, "z9hG4bKr2");
	sip_id early = invite_to(x.f, 110, "sip:bob@c2.example", 3, "z9hG4bKr3");
	invite_final(x.f, 300, 2, "z9hG4bKr2", 200, "c1");
	ff_finish(&x, 1000);
	qo = find_code(x.fd, "redirect-q-order");
	g_assert_true(has_msg(qo, early));
	assert_summary_has(qo, "while the try of sip:bob@c1.example (q=1.000) is still pending: targets of "
		"different q-values tried in parallel");
	ff_free(&x);
}

/* ---- 7: routing ---------------------------------------------------------------------------------- */

static void test_routing(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "route@a.example");
	const char *rr = "Record-Route: <sip:10.0.0.5;lr>\n";
	/* the INVITE as the proxy forwards it, the 2xx back through it */
	feed(x.f, 0, "10.0.0.5:5060", "10.0.0.2:5060",
		"INVITE sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKp\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi\n"
		"Max-Forwards: 69\n"
		"Record-Route: <sip:10.0.0.5;lr>\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: route@a.example\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:alice@10.0.0.1>\n");
	feed(x.f, 10, "10.0.0.2:5060", "10.0.0.5:5060",
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKp\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi\n"
		"Record-Route: <sip:10.0.0.5;lr>\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>;tag=bt\n"
		"Call-ID: route@a.example\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:bob@10.0.0.2>\n");
	/* the ACK goes through the proxy (Route), the BYE straight to Alice */
	req_x(&c, 20, true, "ACK", 1, "z9hG4bKa", "bt", "Route: <sip:10.0.0.5;lr>\n");
	sip_id bye = req(&c, 5000, false, "BYE", 1, "z9hG4bKbye", "bt");
	rsp(&c, 5010, false, 200, "BYE", 1, "z9hG4bKbye", "bt");
	ff_finish(&x, 6000);
	g_assert_cmpuint(count_code(x.fd, "route-skipped"), ==, 1);
	const finding *rs = find_code(x.fd, "route-skipped");
	g_assert_true(has_msg(rs, bye));
	assert_summary_has(rs, "carries 0 Route headers though the dialog's route set has 1");
	g_assert_cmpuint(count_code(x.fd, "strict-routing"), ==, 0);
	(void)rr;
	ff_free(&x);

	x = ff_new();
	c = ua_call_make(x.f, "strict@a.example");
	sip_id inv = req_x(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL, "Record-Route: <sip:p1.example.com>\n");
	ff_finish(&x, 100);
	const finding *sr = find_code(x.fd, "strict-routing");
	g_assert_true(has_msg(sr, inv));
	assert_summary_has(sr, "sip:p1.example.com without ;lr");
	ff_free(&x);
}

/* A dialog set up through P1 (10.0.0.5) and P2, both Record-Routing, seen
 * on the caller's side, then the caller's BYE with these Route lines. */
static fflow route_flow(const char *call_id, const char *record_route, const char *routes, sip_id *bye)
{
	fflow x = ff_new();
	feedf(x.f, 0, "10.0.0.1:5060", "10.0.0.5:5060",
		"INVITE sip:bob@b.example SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: %s\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:alice@10.0.0.1>\n",
		call_id);
	feedf(x.f, 10, "10.0.0.5:5060", "10.0.0.1:5060",
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi\n"
		"Record-Route: %s\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>;tag=bt\n"
		"Call-ID: %s\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:bob@10.0.0.2>\n",
		record_route, call_id);
	*bye = feedf(x.f, 5000, "10.0.0.1:5060", "10.0.0.5:5060",
		"BYE sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKb\n"
		"Max-Forwards: 70\n"
		"%s"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>;tag=bt\n"
		"Call-ID: %s\n"
		"CSeq: 2 BYE\n",
		routes, call_id);
	ff_finish(&x, 6000);
	return x;
}

static void test_route_set(void)
{
	const char *rr = "<sip:p2.example;lr>, <sip:p1.example;lr;ftag=Ab1>";
	static const struct {
		const char *routes;
		const char *code;       /* NULL: nothing of severity warning or error */
		const char *says;
	} cases[] = {
		/* the Record-Route reversed, as the caller must send it */
		{ "Route: <sip:p1.example;lr;ftag=Ab1>, <sip:p2.example;lr>\n", NULL, NULL },
		/* §19.1.4: host and parameter values case-insensitive, parameters in any order */
		{ "Route: <sip:P1.Example;FTAG=ab1;lr>\nRoute: \"p2\" <sip:p2.example;lr>\n", NULL, NULL },
		{ "Route: <sip:p2.example;lr>, <sip:p1.example;lr;ftag=Ab1>\n", "route-set-mismatch",
		  "BYE from 10.0.0.1:5060 to 10.0.0.5:5060 carries Route 1 <sip:p2.example;lr> where the dialog's "
		  "route set has <sip:p1.example;lr;ftag=Ab1> (the host differs; the Record-Route of 200 OK to INVITE "
		  "from 10.0.0.5:5060, reversed, as the caller must use it)" },
		{ "Route: <sip:p1.example;lr;ftag=Ab1>, <sip:p2.example;lr;transport=tcp>\n", "route-set-mismatch",
		  "carries Route 2 <sip:p2.example;lr;transport=tcp> where the dialog's route set has "
		  "<sip:p2.example;lr> (the transport parameter differs" },
		{ "Route: <sip:p1.example:5060;lr;ftag=Ab1>, <sip:p2.example;lr>\n", "route-set-mismatch",
		  "(the port differs" },
		{ "Route: <sip:p1.example;ftag=Ab1>, <sip:p2.example;lr>\n", "route-set-mismatch",
		  "(the lr parameter differs" },
		{ "Route: <sip:p1.example;lr;ftag=Xy9>, <sip:p2.example;lr>\n", "route-set-mismatch",
		  "(a parameter differs" },
		{ "Route: <sip:p1.example;lr;ftag=Ab1>, <sip:p2.example;lr>, <sip:p3.example;lr>\n",
		  "route-set-mismatch", "carries Route <sip:p3.example;lr> beyond the dialog's route set of 2" },
		{ "Route: <sip:p2.example;lr>\n", "route-skipped",
		  "carries 1 Route header though the dialog's route set has 2 (the Record-Route of 200 OK to INVITE "
		  "from 10.0.0.5:5060, reversed, as the caller must use it): it skips <sip:p1.example;lr;ftag=Ab1>, "
		  "which asked to stay on the path" },
		{ "", "route-skipped", "it skips <sip:p1.example;lr;ftag=Ab1> and <sip:p2.example;lr>" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_test_message("case %zu: %s", i, cases[i].routes);
		sip_id bye;
		fflow x = route_flow("rs@a.example", rr, cases[i].routes, &bye);
		if (!cases[i].code) {
			assert_no_problems(x.fd);
		} else {
			g_assert_cmpuint(count_code(x.fd, "route-set-mismatch") + count_code(x.fd, "route-skipped"), ==, 1);
			const finding *m = find_code(x.fd, cases[i].code);
			g_assert_cmpint(m->severity, ==, FINDING_WARNING);
			g_assert_true(has_msg(m, bye));
			assert_summary_has(m, cases[i].says);
		}
		ff_free(&x);
	}

	/* a value that repeats a parameter name, copied byte for byte: the
	 * same URI (going by the first of each name it would differ) */
	{
		sip_id bye;
		fflow x = route_flow("rs-rep@a.example", "<sip:p2.example;lr;x=1;x=2>, <sip:p1.example;lr>",
			"Route: <sip:p1.example;lr>, <sip:p2.example;lr;x=1;x=2>\n", &bye);
		assert_no_problems(x.fd);
		ff_free(&x);
	}

	/* the callee keeps the Record-Route's order */
	for (int wrong = 0; wrong < 2; wrong++) {
		fflow x = ff_new();
		const char *vias = "Via: SIP/2.0/UDP 10.0.0.6:5060;branch=z9hG4bKp2\n"
			"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKp1\n"
			"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi\n";
		feedf(x.f, 0, "10.0.0.6:5060", "10.0.0.2:5060",
			"INVITE sip:bob@10.0.0.2 SIP/2.0\n%s"
			"Max-Forwards: 68\n"
			"Record-Route: <sip:p2.example;lr>, <sip:p1.example;lr>\n"
			"From: <sip:alice@a.example>;tag=atag\n"
			"To: <sip:bob@b.example>\n"
			"Call-ID: uas@a.example\n"
			"CSeq: 1 INVITE\n"
			"Contact: <sip:alice@10.0.0.1>\n", vias);
		feedf(x.f, 10, "10.0.0.2:5060", "10.0.0.6:5060",
			"SIP/2.0 200 OK\n%s"
			"Record-Route: <sip:p2.example;lr>, <sip:p1.example;lr>\n"
			"From: <sip:alice@a.example>;tag=atag\n"
			"To: <sip:bob@b.example>;tag=bt\n"
			"Call-ID: uas@a.example\n"
			"CSeq: 1 INVITE\n"
			"Contact: <sip:bob@10.0.0.2>\n", vias);
		sip_id bye = feedf(x.f, 5000, "10.0.0.2:5060", "10.0.0.6:5060",
			"BYE sip:alice@10.0.0.1 SIP/2.0\n"
			"Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKbb\n"
			"Max-Forwards: 70\n"
			"Route: %s\n"
			"From: <sip:bob@b.example>;tag=bt\n"
			"To: <sip:alice@a.example>;tag=atag\n"
			"Call-ID: uas@a.example\n"
			"CSeq: 1 BYE\n",
			wrong ? "<sip:p1.example;lr>, <sip:p2.example;lr>" : "<sip:p2.example;lr>, <sip:p1.example;lr>");
		ff_finish(&x, 6000);
		if (!wrong) {
			assert_no_problems(x.fd);
		} else {
			const finding *m = find_code(x.fd, "route-set-mismatch");
			g_assert_true(has_msg(m, bye));
			assert_summary_has(m, "carries Route 1 <sip:p1.example;lr> where the dialog's route set has "
				"<sip:p2.example;lr> (the host differs; the Record-Route of 200 OK to INVITE from "
				"10.0.0.2:5060, in order, as the callee must use it)");
		}
		ff_free(&x);
	}
}

/* ---- 8: SDP ----------------------------------------------------------------------------------------- */

static sip_id sdp_msg(flow *f, int64_t ms, const char *src, const char *dst, const char *head, const char *sdp)
{
	return feed_body(f, ms, src, dst, head, sdp);
}

static void test_sdp(void)
{
	fflow x = ff_new();
	const char *inv =
		"INVITE sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: sdp@a.example\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:alice@10.0.0.1>\n"
		"Content-Type: application/sdp\n";
	const char *ok =
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>;tag=bt\n"
		"Call-ID: sdp@a.example\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:bob@10.0.0.2>\n"
		"Content-Type: application/sdp\n";
	sdp_msg(x.f, 0, "10.0.0.1:5060", "10.0.0.2:5060", inv, SDP_PCMU);
	sip_id ans = sdp_msg(x.f, 10, "10.0.0.2:5060", "10.0.0.1:5060", ok,
		"v=0\r\no=- 2 2 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
		"m=audio 5000 RTP/AVP 18 101\r\na=rtpmap:18 G729/8000\r\na=rtpmap:101 telephone-event/8000\r\n");
	ua_call c = ua_call_make(x.f, "sdp@a.example");
	req(&c, 20, true, "ACK", 1, "z9hG4bKa", "bt");
	ff_finish(&x, 100);
	const finding *ac = find_code(x.fd, "answer-codec-not-offered");
	g_assert_true(has_msg(ac, ans));
	assert_summary_has(ac, "a codec the offer did not have: G729 (offered audio: PCMU telephone-event)");
	ff_free(&x);

	/* 488, hold, NAT */
	x = ff_new();
	c = ua_call_make(x.f, "sdp2@a.example");
	req_x(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL, "Content-Type: application/sdp\n");
	sip_id r488 = rsp_x(&c, 10, true, 488, "INVITE", 1, "z9hG4bKi", "bt",
		"Warning: 305 10.0.0.2 \"Incompatible media format\"\n");
	req(&c, 20, true, "ACK", 1, "z9hG4bKi", "bt");
	ff_finish(&x, 100);
	const finding *nc = find_code(x.fd, "no-common-codec");
	g_assert_true(has_msg(nc, r488));
	assert_summary_has(nc, "Incompatible media format");
	ff_free(&x);

	x = ff_new();
	sdp_msg(x.f, 0, "203.0.113.5:5060", "198.51.100.2:5060", inv,
		"v=0\r\no=- 1 1 IN IP4 192.168.1.20\r\ns=-\r\nc=IN IP4 192.168.1.20\r\nt=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n");
	ff_finish(&x, 100);
	const finding *pv = find_code(x.fd, "sdp-private-address");
	g_assert_cmpint(pv->severity, ==, FINDING_WARNING);
	assert_summary_has(pv, "192.168.1.20");
	const finding *h = find_code(x.fd, "hold");
	g_assert_cmpint(h->severity, ==, FINDING_INFO);
	assert_summary_has(h, "a=sendonly");
	ff_free(&x);

	/* private to private: nothing to say */
	x = ff_new();
	sdp_msg(x.f, 0, "10.0.0.1:5060", "10.0.0.2:5060", inv, SDP_PCMU);
	ff_finish(&x, 100);
	g_assert_cmpuint(count_code(x.fd, "sdp-private-address"), ==, 0);
	ff_free(&x);
}

/* ---- outcome of a forked call ------------------------------------------------------------- */

static void test_outcome_forks(void)
{
	fflow x = ff_new();
	const char *pxa = "10.0.0.5:5060", *b1 = "10.0.0.21:5060", *b2 = "10.0.0.22:5060";
#define FORK_INV(branch) \
		"INVITE sip:bob@%s SIP/2.0\n" \
		"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=" branch "\n" \
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa\n" \
		"Max-Forwards: 69\n" \
		"From: <sip:alice@a.example>;tag=atag\n" \
		"To: <sip:bob@b.example>\n" \
		"Call-ID: fork@a.example\n" \
		"CSeq: 1 INVITE\n" \
		"Contact: <sip:alice@10.0.0.1>\n"
#define FORK_RSP(branch) \
		"SIP/2.0 %d %s\n" \
		"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=" branch "\n" \
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa\n" \
		"From: <sip:alice@a.example>;tag=atag\n" \
		"To: <sip:bob@b.example>;tag=%s\n" \
		"Call-ID: fork@a.example\n" \
		"CSeq: 1 INVITE\n" \
		"Contact: <sip:bob@%s>\n"
	ua_call c = ua_call_make(x.f, "fork@a.example");
	c.b = pxa;
	req(&c, 0, true, "INVITE", 1, "z9hG4bKa", NULL);
	feedf(x.f, 1, pxa, b1, FORK_INV("z9hG4bKp1"), b1);
	feedf(x.f, 2, pxa, b2, FORK_INV("z9hG4bKp2"), b2);
	feedf(x.f, 100, b1, pxa, FORK_RSP("z9hG4bKp1"), 486, "Busy Here", "t1", b1);
	feedf(x.f, 900, b2, pxa, FORK_RSP("z9hG4bKp2"), 200, "OK", "t2", b2);
	rsp(&c, 901, true, 200, "INVITE", 1, "z9hG4bKa", "t2");
	req(&c, 910, true, "ACK", 1, "z9hG4bKack", "t2");
	ff_finish(&x, 2000);
	g_autoptr(GString) out = g_string_new(NULL);
	findings_call_outcome(x.f->m, call_named(x.f, "fork@a.example"), out);
	g_assert_cmpstr(out->str, ==, "answered by 10.0.0.22:5060 after 2 forks; 1 branch busy; "
		"still up when the capture ended");
	ff_free(&x);
}

/* ---- the outputs: --check, --json, the ladder ------------------------------------------------ */

static char *write_with(void (*fn)(sink *, void *), void *arg)
{
	g_autofree char *path = NULL;
	GError *err = NULL;
	int fd = g_file_open_tmp("sipscope-findings-XXXXXX", &path, &err);
	g_assert_no_error(err);
	sink s;
	sink_init(&s, fd, "test");
	fn(&s, arg);
	g_assert_true(sink_finish(&s));
	close(fd);
	char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	unlink(path);
	return text;
}

static bool check_said_error;

static void do_check(sink *s, void *arg)
{
	fflow *x = arg;
	check_said_error = check_write(s, x->f->m, x->fd);
}

static void do_json(sink *s, void *arg)
{
	fflow *x = arg;
	for (guint i = 0, n = findings_count(x->fd); i < n; i++)
		json_write_finding(s, x->f->m, findings_get(x->fd, i));
}

static void do_ladder(sink *s, void *arg)
{
	fflow *x = arg;
	g_autoptr(GArray) msgs = ladder_messages_all(x->f->m);
	g_autoptr(ladder_layout) l = ladder_layout_new(x->f->m, (sip_id *)msgs->data, msgs->len, NULL);
	ladder_text_write_findings(s, x->f->m, l, x->fd);
}

static void test_outputs(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "out@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(&c, 100, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	ua_call o = ua_call_make(x.f, "ping@a.example");
	feed(x.f, 40000, "10.0.0.1:5060", "10.0.0.2:5060",
		"OPTIONS sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKp\n"
		"From: <sip:alice@a.example>;tag=p1\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: ping@a.example\n"
		"CSeq: 1 OPTIONS\n");
	rsp(&o, 40010, true, 200, "OPTIONS", 1, "z9hG4bKp", "pt");
	ff_finish(&x, 41000);

	g_autofree char *chk = write_with(do_check, &x);
	g_assert_true(check_said_error);
	g_assert_nonnull(strstr(chk, "Call 0: out@a.example (INVITE): answered by 10.0.0.2:5060; still up"));
	g_assert_nonnull(strstr(chk, "\n  error    ack-missing  200 OK to INVITE from 10.0.0.2:5060"));
	g_assert_nonnull(strstr(chk, "[RFC 3261 \xc2\xa7" "13.2.2.4, \xc2\xa7" "13.3.1.4]\n"));
	g_assert_nonnull(strstr(chk, "Call 1: ping@a.example (OPTIONS): OPTIONS: 200 OK from 10.0.0.2:5060\n"
		"  warning  missing-max-forwards  "));
	g_assert_true(g_str_has_suffix(chk, "\n3 findings: 1 error, 1 warning, 1 info\n"));

	g_autofree char *js = write_with(do_json, &x);
	g_auto(GStrv) lines = g_strsplit(js, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 4);
	g_assert_true(g_str_has_prefix(lines[0], "{\"type\":\"finding\",\"id\":0,\"severity\":\"error\","
		"\"code\":\"ack-missing\",\"rfc\":\"RFC 3261 \xc2\xa7" "13.2.2.4, \xc2\xa7" "13.3.1.4\","));
	g_assert_nonnull(strstr(lines[0], "\"call\":0,\"call_id\":\"out@a.example\",\"ts\":1700000032.100000,"
		"\"count\":1,\"messages\":[0,1],\"transactions\":[0],\"dialogs\":[0]}"));
	g_assert_nonnull(strstr(lines[1], "\"code\":\"missing-max-forwards\""));
	g_assert_nonnull(strstr(lines[2], "\"code\":\"call-not-ended\""));

	g_autofree char *lad = write_with(do_ladder, &x);
	g_assert_nonnull(strstr(lad, "|<---200 OK----|  +0.100000  !1\n"));
	g_assert_nonnull(strstr(lad, "|---OPTIONS--->|  +39.900000  !2\n"));
	g_assert_nonnull(strstr(lad, "\nFindings:\n !1   error    ack-missing  "));
	g_assert_nonnull(strstr(lad, "\n !2   warning  missing-max-forwards  "));
	g_assert_null(strstr(lad, "call-not-ended"));   /* info: not on the ladder */
	ff_free(&x);

	/* an info finding before a warning on the same message: one mark, spaced */
	x = ff_new();
	feed_body(x.f, 0, "203.0.113.5:5060", "198.51.100.2:5060",
		"INVITE sip:bob@198.51.100.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKh\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: holdnat@a.example\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:alice@203.0.113.5>\n"
		"Content-Type: application/sdp\n",
		"v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\nt=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n");
	ff_finish(&x, 100);
	g_assert_cmpstr(findings_get(x.fd, 0)->code, ==, "hold");
	g_autofree char *lad2 = write_with(do_ladder, &x);
	g_assert_nonnull(strstr(lad2, "|  +0.000000  !1\n"));
	g_assert_nonnull(strstr(lad2, "\n !1   warning  sdp-private-address  "));
	ff_free(&x);

	/* nothing found: only the count line */
	x = ff_new();
	ff_finish(&x, 0);
	g_autofree char *none = write_with(do_check, &x);
	g_assert_false(check_said_error);
	g_assert_cmpstr(none, ==, "0 findings\n");
	ff_free(&x);
}

/* ---- hostile input -------------------------------------------------------------------------------- */

static void test_hostile(void)
{
	fflow x = ff_new();
	static const char *const junk[] = {
		"", "\r\n", "SIP/2.0 200\n\n", "INVITE x SIP/2.0\nVia: \n\n",
		"SIP/2.0 483 x\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\nCSeq: 1 INVITE\nCall-ID: j\n\n",
		"INVITE sip:a SIP/2.0\nVia: SIP/2.0/UDP a\nVia: SIP/2.0/UDP a\nCall-ID: j\nCSeq: 1 INVITE\nTo: <sip:a>;tag=1\nFrom: <sip:b>;tag=2\n\n",
		"SIP/2.0 302 x\nVia: SIP/2.0/UDP a;branch=z9hG4bK2\nCall-ID: j\nCSeq: 2 INVITE\nContact: *\nContact: <\n\n",
		"SIP/2.0 401 x\nVia: SIP/2.0/UDP a;branch=z9hG4bK3\nCall-ID: j\nCSeq: 3 REGISTER\nWWW-Authenticate: Digest nonce=\"\n\n",
		"SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;branch=z9hG4bK4\nCall-ID: j\nCSeq: 4 INVITE\nContent-Type: application/sdp\n\nm=audio x\nc=IN IP4 1.2.3\n",
		"REGISTER sip:a SIP/2.0\nVia: SIP/2.0/UDP a;branch=z9hG4bK5\nCall-ID: k\nCSeq: 5 REGISTER\nTo: <sip:a>\n"
		"Contact: <sip:a%>;q=1, <sip:b%4>;q=0.5;expires=, *;q=0, <sip:c@[::1>;q=0.9\n\n",
		"SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;branch=z9hG4bK5\nCall-ID: k\nCSeq: 5 REGISTER\nTo: <sip:a>;tag=r\n"
		"Contact: <sip:a%>, <sip:b%4>;q=2, <sip:c@[::1>;q\n\n",
		"SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;branch=z9hG4bK6\nCall-ID: l\nCSeq: 6 INVITE\nFrom: <sip:b>;tag=f\n"
		"To: <sip:a>;tag=t\nRecord-Route: <sip:%zz@h;lr;;=x>, <sip:h2;lr=%>, <x>\nContact: <sip:a@10.0.0.9>\n\n",
		"BYE sip:a SIP/2.0\nVia: SIP/2.0/UDP a;branch=z9hG4bK7\nCall-ID: l\nCSeq: 7 BYE\nFrom: <sip:a>;tag=t\n"
		"To: <sip:b>;tag=f\nRoute: <sip:%z@h;lr;;=y>, <x>, <sip:h2;lr=%>\n\n",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(junk); i++)
		feed_raw(x.f, (int64_t)i, "10.0.0.1:5060", "10.0.0.2:5060", junk[i]);
	ff_finish(&x, 100000);
	for (guint i = 0; i < findings_count(x.fd); i++) {
		const finding *f = findings_get(x.fd, i);
		for (const char *p = f->summary; *p; p++)
			g_assert_true((unsigned char)*p >= 0x20 || *p == '\t');
	}
	for (guint i = 0; i < sip_model_call_count(x.f->m); i++) {
		g_autoptr(GString) o = g_string_new(NULL);
		findings_call_outcome(x.f->m, sip_model_call(x.f->m, i), o);
	}
	ff_free(&x);
}

/* A finding's summary is its base, not a copy, until a note follows it;
 * then the base begins it. */
static void test_summary_shared(void)
{
	fflow x = ff_new();
#define SS_OPTIONS \
		"OPTIONS sip:bob@10.0.0.2 SIP/2.0\n" \
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKs%d\n" \
		"From: <sip:alice@a.example>;tag=a1\n" \
		"To: <sip:bob@b.example>\n" \
		"Call-ID: ss@a.example\n" \
		"CSeq: %d OPTIONS\n"
	feedf(x.f, 0, "10.0.0.1:5060", "10.0.0.2:5060", SS_OPTIONS, 1, 1);
	const finding *mf = find_code(x.fd, "missing-max-forwards");
	const fnd_rec *r = (const fnd_rec *)mf;
	g_assert_cmpuint(mf->count, ==, 1);
	g_assert_nonnull(r->base);
	g_assert_true(mf->summary == r->base);
	feedf(x.f, 100, "10.0.0.1:5060", "10.0.0.2:5060", SS_OPTIONS, 2, 2);
	g_assert_cmpuint(mf->count, ==, 2);
	g_assert_true(mf->summary != r->base);
	g_assert_true(g_str_has_prefix(mf->summary, r->base));
	assert_summary_has(mf, "; 2 times");
	feedf(x.f, 200, "10.0.0.1:5060", "10.0.0.2:5060", SS_OPTIONS, 3, 3);
	assert_summary_has(mf, "; 3 times");
	ff_finish(&x, 300);
	ff_free(&x);
#undef SS_OPTIONS
}

/* Per-object state: a page of which most ids were released and few
 * entries hold anything gives those to the loose table and is freed;
 * what they held reads the same, entries made later are fresh, and
 * releasing them calls fini once. */
typedef struct det_test {
	uint32_t v;
	uint32_t finis;
	void *owned;   /* freed by fini: LeakSanitizer sees one that is not */
} det_test;

static void det_test_fini(void *ctx, void *p)
{
	(void)ctx;
	det_test *e = p;
	g_free(e->owned);
	e->owned = NULL;
}

/* Entries of a size that is no multiple of a word, holding only their
 * last byte: loosening tells them from empty ones. */
static void test_det_pages_odd_size(void)
{
	enum { ELEM = 13 };
	det_pages d;
	det_pages_init(&d, ELEM, NULL);
	for (sip_id id = 0; id < DET_PAGE; id++) {
		uint8_t *e = det_get(&d, id);
		if (id % 8 == 0)
			e[ELEM - 1] = 0xab;
	}
	for (sip_id id = 0; id < DET_PAGE; id++)
		if (id % 8)
			det_release(&d, id, NULL);
	g_assert_true(d.is_loose[0]);
	g_assert_cmpuint(g_hash_table_size(d.loose), ==, DET_PAGE / 8);
	for (sip_id id = 0; id < DET_PAGE; id += 8) {
		const uint8_t *e = det_peek(&d, id);
		g_assert_nonnull(e);
		g_assert_cmphex(e[ELEM - 1], ==, 0xab);
	}
	det_pages_free(&d, NULL);
}

static void test_det_pages_loose(void)
{
	det_pages d;
	det_pages_init(&d, sizeof(det_test), NULL);
	/* two pages: every 8th id holds something */
	for (sip_id id = 0; id < 2 * DET_PAGE; id++) {
		det_test *e = det_get(&d, id);
		g_assert_nonnull(e);
		if (id % 8 == 0) {
			e->v = id + 1000;
			e->owned = g_malloc(16);
		}
	}
	g_assert_nonnull(d.pages[0]);
	g_assert_null(d.loose);
	/* the first page: all ids but the 8th ones go */
	for (sip_id id = 0; id < DET_PAGE; id++)
		if (id % 8)
			det_release(&d, id, det_test_fini);
	g_assert_null(d.pages[0]);
	g_assert_true(d.is_loose[0]);
	g_assert_nonnull(d.pages[1]);
	g_assert_cmpuint(g_hash_table_size(d.loose), ==, DET_PAGE / 8);
	for (sip_id id = 0; id < DET_PAGE; id += 8) {
		const det_test *e = det_peek(&d, id);
		g_assert_nonnull(e);
		g_assert_cmpuint(e->v, ==, id + 1000);
		g_assert_true(det_get(&d, id) == e);
	}
	/* released ids of a loose page read as none, and come back fresh */
	g_assert_null(det_peek(&d, 1));
	det_test *fresh = det_get(&d, 1);
	g_assert_cmpuint(fresh->v, ==, 0);
	fresh->owned = g_malloc(16);
	g_assert_true(det_peek(&d, 1) == fresh);
	/* a page whose entries mostly hold something stays a page */
	for (sip_id id = DET_PAGE; id < 2 * DET_PAGE; id++)
		if (id % 8 == 1 || id % 8 == 2) {
			det_test *e = det_get(&d, id);
			e->v = 1;
		}
	for (sip_id id = DET_PAGE; id < 2 * DET_PAGE; id++)
		if (id % 8 >= 3)
			det_release(&d, id, det_test_fini);
	g_assert_nonnull(d.pages[1]);
	g_assert_false(d.is_loose[1]);
	/* the rest of the first page goes: nothing of it is left, not even
	 * the entry made again for an id released before (fini frees it) */
	for (sip_id id = 0; id < DET_PAGE; id += 8)
		det_release(&d, id, det_test_fini);
	g_assert_false(d.is_loose[0]);
	g_assert_cmpuint(g_hash_table_size(d.loose), ==, 0);
	g_assert_null(det_peek(&d, 0));
	/* what is still held is freed with the pages (fini on each) */
	det_pages_free(&d, det_test_fini);
	g_assert_null(d.pages);
	g_assert_null(d.loose);
	/* and the mappings they were in */
	g_assert_null(d.page_pool.slabs);
	g_assert_null(d.loose_pool.slabs);
}

/* Retired once finished: the detectors' state goes, the findings stay, and
 * nothing that comes later is judged (or touches the freed state). */
/* An entry of d that holds something (a released one reads as zero
 * bytes while its page stays). */
static bool det_live(const det_pages *d, sip_id id)
{
	const uint8_t *e = det_peek(d, id);
	for (size_t i = 0; e && i < d->elem; i++)
		if (e[i])
			return true;
	return false;
}

/* Whether the detector holds anything for call c: its own entry, its
 * transactions', its dialogs', an ACK wait for one of its messages. */
static bool det_holds_call(const findings *fd, const sip_call *c)
{
	bool any = det_live(&fd->calls, c->id);
	for (guint i = 0; i < c->txns->len; i++)
		any |= det_live(&fd->txns, g_array_index(c->txns, sip_id, i));
	for (guint i = 0; i < c->dialogs->len; i++)
		any |= det_live(&fd->dialogs, g_array_index(c->dialogs, sip_id, i));
	for (guint i = 0; i < fd->waits->len; i++) {
		const ack_wait *w = g_ptr_array_index(fd->waits, i);
		for (guint k = 0; k < c->messages->len; k++)
			any |= !w->dropped && w->msg == g_array_index(c->messages, sip_id, k);
	}
	return any;
}

/* Where every call is kept, what the detector keeps for a call goes once
 * the call is over for good (finished, and quiet for five minutes by the
 * model's clock), as where finished calls are forgotten: the records and
 * the findings stay; a call quiet but open keeps its state. */
static void test_kept_calls_let_go(void)
{
	fflow x = ff_new();
	ua_call a = ua_call_make(x.f, "over@a.example");
	/* an answered call with an offer and its answer, torn down */
	sdp_msg(x.f, 0, "10.0.0.1:5060", "10.0.0.2:5060",
		"INVITE sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: over@a.example\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:alice@10.0.0.1>\n"
		"Content-Type: application/sdp\n", SDP_PCMU);
	rsp(&a, 800, true, 180, "INVITE", 1, "z9hG4bKi", "bt");
	sdp_msg(x.f, 3000, "10.0.0.2:5060", "10.0.0.1:5060",
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>;tag=bt\n"
		"Call-ID: over@a.example\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:bob@10.0.0.2>\n"
		"Content-Type: application/sdp\n", SDP_PCMU);
	req(&a, 3010, true, "ACK", 1, "z9hG4bKa", "bt");
	req(&a, 60000, true, "BYE", 2, "z9hG4bKb", "bt");
	rsp(&a, 60020, true, 200, "BYE", 2, "z9hG4bKb", "bt");
	/* a call that rings and is never answered: open to the end */
	ua_call b = ua_call_make(x.f, "open@a.example");
	req(&b, 1000, true, "INVITE", 1, "z9hG4bKo", NULL);
	rsp(&b, 1800, true, 180, "INVITE", 1, "z9hG4bKo", "ot");
	const sip_call *ca = call_named(x.f, "over@a.example");
	const sip_call *cb = call_named(x.f, "open@a.example");
	g_assert_true(det_holds_call(x.fd, ca));
	g_assert_true(det_holds_call(x.fd, cb));
	guint n = findings_count(x.fd);
	/* four minutes on: A is finished but not quiet long enough */
	ua_call c = ua_call_make(x.f, "later@a.example");
	req(&c, 60020 + 240000, true, "OPTIONS", 1, "z9hG4bKl1", NULL);
	g_assert_cmpint(sip_model_call_rest(x.f->m, ca->id), ==, SIP_CALL_HEARD);
	g_assert_true(det_holds_call(x.fd, ca));
	/* past five minutes: A is over, B quiet but open */
	req(&c, 60020 + 300001, true, "OPTIONS", 2, "z9hG4bKl2", NULL);
	g_assert_cmpint(sip_model_call_rest(x.f->m, ca->id), ==, SIP_CALL_OVER);
	g_assert_cmpint(sip_model_call_rest(x.f->m, cb->id), ==, SIP_CALL_QUIET_OPEN);
	g_assert_cmpint(sip_model_call_rest(x.f->m, 12345), ==, SIP_CALL_OVER);
	g_assert_false(det_holds_call(x.fd, ca));
	g_assert_true(det_holds_call(x.fd, cb));
	g_assert_nonnull(sip_model_message(x.f->m, g_array_index(ca->messages, sip_id, 0)));
	g_assert_cmpuint(findings_count(x.fd), >=, n);
	ff_finish(&x, 60020 + 400000);
	g_assert_false(det_holds_call(x.fd, ca));
	ff_free(&x);
}

/* An answered call without a dialog (its 2xx has no To tag) holds
 * nothing open: where calls are forgotten it goes as the first message
 * after five quiet minutes comes, and where every call is kept it is over
 * from the message before; the end of the capture judges it in neither
 * ("call-not-ended").  Without a message after those five minutes the
 * forgetting model still holds it at the end, and both judge it, as they
 * do a call heard from a minute before the end. */
static void feed_no_dialog_call(fflow *x, int64_t later_ms, bool one_more, bool same_call_id)
{
	const char *later_id = same_call_id ? "nodialog@a.example" : "later@a.example";
	feed_raw(x->f, 0, "10.0.0.2:5060", "10.0.0.1:5060",
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnd\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: nodialog@a.example\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:bob@10.0.0.2>\n"
		"Content-Length: 0\n\n");
	g_autofree char *later = g_strdup_printf(
		"OPTIONS sip:carol@10.0.0.3 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKlater\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=otag\n"
		"To: <sip:carol@c.example>\n"
		"Call-ID: %s\n"
		"CSeq: 1 OPTIONS\n"
		"Content-Length: 0\n\n", later_id);
	feed_raw(x->f, later_ms, "10.0.0.1:5060", "10.0.0.3:5060", later);
	g_autofree char *more = g_strdup_printf(
		"OPTIONS sip:carol@10.0.0.3 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKmore\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=otag\n"
		"To: <sip:carol@c.example>\n"
		"Call-ID: %s\n"
		"CSeq: 2 OPTIONS\n"
		"Content-Length: 0\n\n", later_id);
	if (one_more)
		feed_raw(x->f, later_ms + 1000, "10.0.0.1:5060", "10.0.0.3:5060", more);
	ff_finish(x, later_ms + 2000);
}

static void test_over_calls_not_judged_at_end(void)
{
	const sip_limits forget = { .forget_finished = true };
	static const struct {
		int64_t later_ms;
		bool one_more;
		guint judged;
		bool same_call_id;
	} cases[] = {
		{ 360000, true, 0, false },    /* over, and forgotten as the last message came */
		{ 360000, false, 1, false },   /* over after the last message: still held there */
		{ 60000, true, 1, false },     /* heard from a minute before */
		/* its Call-ID comes again once it is over: a new call, and the
		 * old one goes as the message after that one comes, its ACK
		 * wait judged by then */
		{ 360000, true, 0, true },
		{ 360000, false, 1, true },
	};
	for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
		fflow keep = ff_new(), gone = ff_new();
		sip_model_set_limits(gone.f->m, &forget);
		feed_no_dialog_call(&keep, cases[k].later_ms, cases[k].one_more, cases[k].same_call_id);
		feed_no_dialog_call(&gone, cases[k].later_ms, cases[k].one_more, cases[k].same_call_id);
		g_assert_cmpuint(count_code(keep.fd, "ack-missing"), ==, 1);
		g_assert_cmpuint(count_code(gone.fd, "ack-missing"), ==, 1);
		/* found by id: an over call is no longer found by its Call-ID */
		const sip_call *c = sip_model_call(keep.f->m, 0);
		g_assert_nonnull(c);
		g_assert_true(sv_eq_cstr(c->call_id, "nodialog@a.example"));
		g_assert_cmpint(c->state, ==, CALL_STATE_ACTIVE);
		g_assert_cmpint(sip_model_call_rest(keep.f->m, c->id), ==,
				cases[k].later_ms > 300000 ? SIP_CALL_OVER : SIP_CALL_HEARD);
		g_assert_true((sip_model_call(gone.f->m, 0) == NULL) == (cases[k].judged == 0));
		g_assert_cmpuint(count_code(gone.fd, "call-not-ended"), ==, cases[k].judged);
		g_assert_cmpuint(count_code(keep.fd, "call-not-ended"), ==, cases[k].judged);
		ff_free(&keep);
		ff_free(&gone);
	}
}

static void test_retire(void)
{
	fflow x = ff_new();
	ua_call c = ua_call_make(x.f, "retire@a.example");
	basic_setup(&c, 0);
	/* an offer left without its answer: state of its transaction */
	sdp_msg(x.f, 100, "10.0.0.1:5060", "10.0.0.2:5060",
		"INVITE sip:carol@10.0.0.3 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKo1\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=o1\n"
		"To: <sip:carol@c.example>\n"
		"Call-ID: retire-offer@a.example\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:alice@10.0.0.1>\n"
		"Content-Type: application/sdp\n", SDP_PCMU);
	findings_retire(x.fd);   /* not finished yet: nothing happens */
	g_assert_false(x.fd->retired);
	g_assert_cmpuint(x.fd->txns.n_pages, >, 0);
	g_assert_cmpuint(x.fd->dialogs.n_pages, >, 0);
	g_assert_cmpuint(x.fd->calls.n_pages, >, 0);
	g_assert_cmpuint(x.fd->waits->len, >, 0);
	g_assert_nonnull(x.fd->offer_pool.slabs);
	g_assert_nonnull(x.fd->wait_pool.slabs);
	g_assert_nonnull(x.fd->txns.page_pool.slabs);
	ff_finish(&x, 70000);
	guint n = findings_count(x.fd);
	g_assert_cmpuint(n, >, 0);   /* the call never ended */
	const finding *ne = find_code(x.fd, "call-not-ended");
	g_autofree char *summary = g_strdup(ne->summary);

	findings_retire(x.fd);
	g_assert_true(x.fd->retired);
	g_assert_cmpuint(x.fd->txns.n_pages, ==, 0);
	g_assert_cmpuint(x.fd->dialogs.n_pages, ==, 0);
	g_assert_cmpuint(x.fd->calls.n_pages, ==, 0);
	g_assert_cmpuint(x.fd->regs.n_pages, ==, 0);
	g_assert_cmpuint(x.fd->waits->len, ==, 0);
	g_assert_cmpuint(g_hash_table_size(x.fd->waits_by_key), ==, 0);
	/* all of it was in mappings of its own, and they are gone: nothing
	 * of it is left among the heap's blocks */
	const det_pages *dets[] = { &x.fd->txns, &x.fd->dialogs, &x.fd->calls, &x.fd->regs };
	for (size_t i = 0; i < G_N_ELEMENTS(dets); i++) {
		g_assert_null(dets[i]->page_pool.slabs);
		g_assert_null(dets[i]->loose_pool.slabs);
	}
	g_assert_null(x.fd->offer_pool.slabs);
	g_assert_null(x.fd->redir_pool.slabs);
	g_assert_null(x.fd->wait_pool.slabs);
	g_assert_cmpuint(findings_count(x.fd), ==, n);
	g_assert_cmpstr(find_code(x.fd, "call-not-ended")->summary, ==, summary);

	/* a message without Max-Forwards, and a BYE of the call, after it */
	feed_raw(x.f, 80000, "10.0.0.1:5060", "10.0.0.2:5060",
		"OPTIONS sip:bob@10.0.0.2 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKr1\r\n"
		"From: <sip:alice@a.example>;tag=r1\r\n"
		"To: <sip:bob@b.example>\r\n"
		"Call-ID: retire-options@a.example\r\n"
		"CSeq: 1 OPTIONS\r\n"
		"Content-Length: 0\r\n\r\n");
	req(&c, 80010, true, "BYE", 2, "z9hG4bKb", "bt");
	g_assert_cmpuint(findings_count(x.fd), ==, n);
	g_assert_cmpuint(x.fd->txns.n_pages, ==, 0);
	findings_retire(x.fd);   /* once */
	ff_free(&x);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/findings/model-parse-of", test_parse_of);
	g_test_add_func("/findings/clean-call", test_clean_call);
	g_test_add_func("/findings/retire", test_retire);
	g_test_add_func("/findings/syntax/missing-max-forwards", test_missing_max_forwards);
	g_test_add_func("/findings/syntax/missing-mandatory", test_missing_mandatory);
	g_test_add_func("/findings/syntax/branch-cookie", test_branch_cookie);
	g_test_add_func("/findings/syntax/content-length", test_content_length);
	g_test_add_func("/findings/syntax/invite-2xx", test_invite_2xx_defects);
	g_test_add_func("/findings/syntax/to-tag-changed", test_to_tag_changed);
	g_test_add_func("/findings/syntax/malformed", test_malformed);
	g_test_add_func("/findings/txn/no-final-response", test_no_final_response);
	g_test_add_func("/findings/txn/ack-missing", test_ack_missing);
	g_test_add_func("/findings/txn/non2xx-ack-missing", test_non2xx_ack_missing);
	g_test_add_func("/findings/txn/retransmission-storm", test_retransmission_storm);
	g_test_add_func("/findings/txn/response-retransmission-storm", test_response_storm);
	g_test_add_func("/findings/txn/stray-response", test_stray_response);
	g_test_add_func("/findings/txn/cancel", test_cancel_checks);
	g_test_add_func("/findings/dialog/unknown-and-481", test_dialog_unknown_and_481);
	g_test_add_func("/findings/dialog/cseq-order", test_cseq_order);
	g_test_add_func("/findings/dialog/glare", test_glare);
	g_test_add_func("/findings/dialog/not-ended", test_call_not_ended);
	g_test_add_func("/findings/auth/failed", test_auth_failed);
	g_test_add_func("/findings/registration/expiry", test_binding_expiry);
	g_test_add_func("/findings/registration/q-values", test_qvalues);
	g_test_add_func("/findings/loop/forwarding-loop", test_forwarding_loop);
	g_test_add_func("/findings/loop/spiral-and-482", test_spiral_and_482);
	g_test_add_func("/findings/loop/via-loop", test_via_loop);
	g_test_add_func("/findings/redirect", test_redirects);
	g_test_add_func("/findings/redirect/q-order", test_redirect_order);
	g_test_add_func("/findings/routing", test_routing);
	g_test_add_func("/findings/routing/route-set", test_route_set);
	g_test_add_func("/findings/sdp", test_sdp);
	g_test_add_func("/findings/outcome-forks", test_outcome_forks);
	g_test_add_func("/findings/outputs", test_outputs);
	g_test_add_func("/findings/hostile", test_hostile);
	g_test_add_func("/findings/det-pages-loose", test_det_pages_loose);
	g_test_add_func("/findings/kept-calls-let-go", test_kept_calls_let_go);
	g_test_add_func("/findings/over-calls-not-judged-at-end", test_over_calls_not_judged_at_end);
	g_test_add_func("/findings/det-pages-odd-size", test_det_pages_odd_size);
	g_test_add_func("/findings/summary-shared", test_summary_shared);
	return g_test_run();
}
