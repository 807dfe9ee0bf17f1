/*
 * fuzz_ui_filter.c — libFuzzer harness: the call list's filter line
 * (ui/filter.h), as typed text: plain substrings and "~" regular
 * expressions (GRegex over raw message bytes).
 *
 * Input: the filter text (up to the first NUL, as the prompt hands it).
 * What compiles is run against a fixed model of four calls (a busy
 * INVITE, an answered INVITE with SDP, odd header values and control
 * bytes, a call with a 4 KB message of repeated characters that makes
 * badly backtracking patterns work hard, an OPTIONS ping), every way the
 * call list uses it: the fields, each message, the incremental scan one
 * message at a time, the whole call.
 *
 * Checks: a NULL filter comes with an error exactly when the text is a
 * regular expression (empty text: no filter, no error); the filter keeps
 * the trimmed text; a plain text found (ignoring ASCII case) in a call's
 * Call-ID, From or To matches that call; the whole-call answer is the
 * fields' or any message's; the scan one message at a time agrees with
 * it; and a second filter compiled from the same text gives the same
 * answers.  The time a pattern may take is bounded by the filter's match
 * limits: an input that runs past libFuzzer's -timeout is a failure.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dissect/model.h"
#include "dissect/sip.h"
#include "fuzz_util.h"
#include "ui/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 INT64_C(1700000000000000000)
#define MAX_MSGS 16

typedef struct fixture {
	sip_model *m;
	sip_msg *parsed;
	GPtrArray *bufs; /* message bytes: they must outlive the model */
	uint64_t frame;
} fixture;

static endpoint ep(const char *addr)
{
	endpoint e = { .family = EP_IPV4, .port = 5060 };
	if (inet_pton(AF_INET, addr, e.addr) != 1)
		fuzz_fail("address %s", addr);
	return e;
}

/* One message from text with "\n" line ends (sent with CRLF). */
static void add(fixture *f, const char *src, const char *dst, int64_t ms, const char *text)
{
	GString *t = g_string_new(NULL);
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			g_string_append(t, "\r\n");
		else
			g_string_append_c(t, *p);
	}
	size_t len = t->len;
	char *buf = g_string_free(t, FALSE);
	g_ptr_array_add(f->bufs, buf);
	sip_parse_message(sv_make(buf, len), false, f->parsed);
	f->frame++;
	sip_msg_meta meta = {
		.frame = f->frame,
		.first_frame = f->frame,
		.ts_ns = T0 + ms * INT64_C(1000000),
		.transport = "UDP",
		.src = ep(src),
		.dst = ep(dst),
	};
	sip_model_add(f->m, &meta, f->parsed);
}

static void request(fixture *f, const char *method, const char *cid, const char *from,
		    const char *to, const char *extra, const char *body, int64_t ms)
{
	g_autofree char *t = g_strdup_printf(
		"%s sip:%s SIP/2.0\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-%s-%s\n"
		"From: \"Caller\" <sip:%s>;tag=f-%s\n"
		"To: <sip:%s>\n"
		"Call-ID: %s\n"
		"CSeq: 1 %s\n"
		"%s"
		"Content-Length: %zu\n\n%s",
		method, to, method, cid, from, cid, to, cid, method, extra ? extra : "",
		body ? strlen(body) : 0, body ? body : "");
	add(f, "192.0.2.1", "192.0.2.2", ms, t);
}

static void response(fixture *f, const char *cid, const char *from, const char *to, int status,
		     const char *reason, const char *body, int64_t ms)
{
	g_autofree char *t = g_strdup_printf(
		"SIP/2.0 %d %s\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-INVITE-%s\n"
		"From: \"Caller\" <sip:%s>;tag=f-%s\n"
		"To: <sip:%s>;tag=t-%s\n"
		"Call-ID: %s\n"
		"CSeq: 1 INVITE\n"
		"Content-Length: %zu\n\n%s",
		status, reason, cid, from, cid, to, cid, cid, body ? strlen(body) : 0,
		body ? body : "");
	add(f, "192.0.2.2", "192.0.2.1", ms, t);
}

static const char sdp[] =
	"v=0\n"
	"o=- 1 1 IN IP4 192.0.2.1\n"
	"s=-\n"
	"c=IN IP4 192.0.2.1\n"
	"t=0 0\n"
	"m=audio 40000 RTP/AVP 0 8 101\n"
	"a=rtpmap:101 telephone-event/8000\n";

static fixture *model(void)
{
	static fixture f;
	if (f.m)
		return &f;
	f.m = sip_model_new();
	f.parsed = g_new0(sip_msg, 1);
	f.bufs = g_ptr_array_new_with_free_func(g_free);

	request(&f, "INVITE", "c1@a.example", "alice@a.example", "bob@b.example", NULL, NULL, 0);
	response(&f, "c1@a.example", "alice@a.example", "bob@b.example", 486, "Busy Here", NULL, 10);
	request(&f, "INVITE", "c2", "carol@a.example", "dave@b.example",
		"X-Tenant: Zebra-Corp\nSubject: \x1b]0;evil\x07 \xc3\xa9t\xe9\n"
		"Contact: <sip:carol@[2001:db8::1]:5070;transport=tcp>\n"
		"P-Folded: first\n second line\n",
		sdp, 20);
	response(&f, "c2", "carol@a.example", "dave@b.example", 180, "Ringing", NULL, 25);
	response(&f, "c2", "carol@a.example", "dave@b.example", 200, "OK", sdp, 30);
	/* Long runs of one character and of word characters between
	 * separators: what nested quantifiers backtrack on the longest. */
	GString *x = g_string_new(NULL);
	for (int i = 0; i < 40; i++)
		g_string_append(x, "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n");
	for (int i = 0; i < 16; i++)
		g_string_append(x, "X-Words: ab12_cd34_ef56_gh78_ij90_kl12_mn34_op56_qr78_st90 !\n");
	request(&f, "MESSAGE", "c3", "erin@a.example", "frank@b.example", x->str, NULL, 35);
	g_string_free(x, TRUE);
	request(&f, "OPTIONS", "c4", "monitor@example.org", "proxy.example", NULL, NULL, 40);
	if (sip_model_call_count(f.m) != 4)
		fuzz_fail("fixture has %u calls", sip_model_call_count(f.m));
	return &f;
}

typedef struct answers {
	bool fields, call;
	guint n;
	bool msg[MAX_MSGS];
} answers;

static void run(const ui_filter *flt, const sip_model *m, const sip_call *c, answers *a)
{
	a->fields = ui_filter_match_fields(flt, m, c);
	a->call = ui_filter_match_call(flt, m, c);
	a->n = c->messages ? MIN(c->messages->len, MAX_MSGS) : 0;
	bool any = false;
	for (guint i = 0; i < a->n; i++) {
		const sip_message *msg = sip_model_message(m, g_array_index(c->messages, sip_id, i));
		if (!msg)
			fuzz_fail("call %u: message %u not in the model", c->id, i);
		a->msg[i] = ui_filter_match_message(flt, msg);
		any |= a->msg[i];
	}
	if (a->call != (a->fields || any))
		fuzz_fail("call %u: whole call %d, fields %d, messages %d", c->id, a->call, a->fields,
			  any);

	/* As the call list does while a capture loads: one message per step. */
	guint scanned = 0, steps = 0;
	bool found = false;
	while (!found && scanned < a->n) {
		guint before = scanned;
		found = ui_filter_scan(flt, m, c, &scanned, 1);
		if (scanned != before + 1)
			fuzz_fail("call %u: scan advanced from %u to %u", c->id, before, scanned);
		if (found != a->msg[before])
			fuzz_fail("call %u: scan says %d for message %u, match_message %d", c->id, found,
				  before, a->msg[before]);
		if (++steps > MAX_MSGS)
			fuzz_fail("call %u: scan does not end", c->id);
	}
	if (!found && ui_filter_scan(flt, m, c, &scanned, 1))
		fuzz_fail("call %u: scan past the last message matched", c->id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fixture *fx = model();
	g_autofree char *text = g_strndup((const char *)data, size);
	g_autofree char *trimmed = g_strstrip(g_strdup(text));
	bool is_regex = trimmed[0] == '~';

	GError *err = NULL;
	ui_filter *flt = ui_filter_new(text, &err);
	if (!flt) {
		if (!trimmed[0]) {
			if (err)
				fuzz_fail("empty text with an error: %s", err->message);
			return 0;
		}
		if (!err || !is_regex)
			fuzz_fail("no filter for '%s' and %s", trimmed, err ? "an error" : "no error");
		fuzz_touch_str(err->message);
		g_error_free(err);
		return 0;
	}
	if (err)
		fuzz_fail("a filter and an error: %s", err->message);
	if (strcmp(ui_filter_text(flt), trimmed) != 0)
		fuzz_fail("filter text '%s', typed '%s'", ui_filter_text(flt), trimmed);
	if (ui_filter_is_regex(flt) != is_regex)
		fuzz_fail("'%s': is_regex %d", trimmed, ui_filter_is_regex(flt));

	ui_filter *again = ui_filter_new(text, NULL);
	if (!again)
		fuzz_fail("'%s' compiled once, not twice", trimmed);

	g_autofree char *needle = g_ascii_strdown(trimmed, -1);
	guint ncalls = sip_model_call_count(fx->m);
	for (sip_id id = 0; id < ncalls; id++) {
		const sip_call *c = sip_model_call(fx->m, id);
		if (!c)
			fuzz_fail("call %u missing", id);
		answers a, b;
		run(flt, fx->m, c, &a);
		run(again, fx->m, c, &b);
		if (a.fields != b.fields || a.call != b.call || a.n != b.n ||
		    memcmp(a.msg, b.msg, sizeof(a.msg[0]) * a.n) != 0)
			fuzz_fail("'%s': two compilations disagree on call %u", trimmed, id);
		if (!is_regex) {
			const sv fields[] = { c->call_id, c->from, c->to };
			for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
				if (!fields[i].p)
					continue;
				g_autofree char *low = g_ascii_strdown((const char *)fields[i].p,
								       (gssize)fields[i].len);
				if (strstr(low, needle) && !a.fields)
					fuzz_fail("'%s' is in field %zu of call %u, no match", trimmed, i,
						  id);
			}
		}
	}
	if (fuzz_verbose())
		fprintf(stderr, "%s filter, %u calls\n", is_regex ? "regex" : "plain", ncalls);
	ui_filter_free(again);
	ui_filter_free(flt);
	return 0;
}
