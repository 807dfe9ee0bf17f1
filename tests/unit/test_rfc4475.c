/*
 * RFC 4475 (SIP torture test messages) through the message parser.
 *
 * The files under rfc4475/ are the RFC's messages byte for byte (CRLF line
 * ends, the <hex> bytes and the <allOneLine> / <repeat> expansions done as
 * the RFC's §2 says).  Valid messages (§3.1.1) must parse as the right kind
 * with the right summary fields; invalid ones (§3.1.2, §3.2, §3.3, §3.4)
 * must give the warning that names their fault where a parser can see it.
 * A few faults are semantic (a proxy or registrar decides them), and those
 * messages only need to parse without a crash: the table says so.
 */
#include <glib.h>
#include <string.h>

#include "dissect/multipart.h"
#include "dissect/sdp.h"
#include "dissect/sip.h"
#include "dissect/sip_header.h"

/* A message in a buffer of exactly its size, so that ASan sees any read
 * past its end. */
typedef struct msgbuf {
	uint8_t *p;
	size_t len;
} msgbuf;

static msgbuf load(const char *name)
{
	g_autofree char *path = g_strdup_printf("%s/unit/rfc4475/%s.dat", SIPSCOPE_TEST_DATA, name);
	gchar *data = NULL;
	gsize len = 0;
	GError *err = NULL;
	if (!g_file_get_contents(path, &data, &len, &err))
		g_error("%s: %s", path, err->message);
	msgbuf b = { g_malloc(len ? len : 1), len };
	memcpy(b.p, data, len);
	g_free(data);
	return b;
}

static sv bsv(const msgbuf *b)
{
	return sv_make(b->p, b->len);
}

static bool has_warning(const sip_msg *m, unsigned code)
{
	for (unsigned i = 0; i < m->n_warnings; i++)
		if (m->warnings[i].code == code)
			return true;
	return false;
}

static char *warnings_text(const sip_msg *m)
{
	GString *s = g_string_new(NULL);
	sip_msg_format_warnings(m, s);
	return g_string_free(s, FALSE);
}

static void assert_sv(sv v, const char *want)
{
	if (want && strcmp(want, "*") == 0)
		return;   /* checked elsewhere */
	if (want == NULL) {
		g_assert_null(v.p);
		return;
	}
	g_assert_nonnull(v.p);
	g_assert_cmpmem(v.p, v.len, want, strlen(want));
}

static sip_msg msg;   /* large: keep it off the stack */

/* ---- §3.1.1 valid messages -------------------------------------------------- */

typedef struct valid_case {
	const char *file;
	sip_kind kind;
	const char *method;     /* or NULL for responses */
	unsigned status;
	const char *call_id;
	uint32_t cseq;
	const char *cseq_method;
	const char *branch;
	const char *from_tag, *to_tag;
	const char *transport;
	unsigned body_len;
	bool clean;             /* no warning at all */
} valid_case;

static const valid_case valid[] = {
	{ "wsinv", SIP_KIND_REQUEST, "INVITE", 0, "wsinv.ndaksdj@192.0.2.1", 9, "INVITE",
	  "390skdjuw", "98asjd8", "1918181833n", "UDP", 150, true },
	{ "intmeth", SIP_KIND_REQUEST, "!interesting-Method0123456789_*+`.%indeed'~", 0,
	  "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", 139122385,
	  "!interesting-Method0123456789_*+`.%indeed'~", "z9hG4bK-.!%66*_+`'~",
	  "_token~1'+`*%!-.", NULL, "TCP", 0, true },
	{ "esc01", SIP_KIND_REQUEST, "INVITE", 0, "esc01.239409asdfakjkn23onasd0-3234", 234234, "INVITE",
	  "z9hG4bKkdjuw", "938", NULL, "UDP", 150, true },
	{ "escnull", SIP_KIND_REQUEST, "REGISTER", 0, "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd",
	  14398234, "REGISTER", "z9hG4bKkdjuw", "839923423", NULL, "UDP", 0, true },
	{ "esc02", SIP_KIND_REQUEST, "RE%47IST%45R", 0, "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf",
	  29344, "RE%47IST%45R", "z9hG4bK209%fzsnel234", "f232jadfj23", NULL, "TCP", 0, true },
	{ "lwsdisp", SIP_KIND_REQUEST, "OPTIONS", 0, "lwsdisp.1234abcd@funky.example.com", 60, "OPTIONS",
	  "z9hG4bKkdjuw", "323", NULL, "UDP", 0, true },
	/* longreq's long Call-ID and tag are checked in test_longreq_transports */
	{ "longreq", SIP_KIND_REQUEST, "INVITE", 0, "*", 3882340, "INVITE", NULL, "*", NULL, "TCP", 150, true },
	/* dblreq: the second request is extra bytes after the first one's body */
	{ "dblreq", SIP_KIND_REQUEST, "REGISTER", 0, "dblreq.0ha0isndaksdj99sdfafnl3lk233412", 8, "REGISTER",
	  "z9hG4bKkdjuw23492", "43251j3j324", NULL, "UDP", 0, false },
	{ "semiuri", SIP_KIND_REQUEST, "OPTIONS", 0, "semiuri.0ha0isndaksdj", 8, "OPTIONS",
	  "z9hG4bKkdjuw", "33242", NULL, "UDP", 0, true },
	{ "transports", SIP_KIND_REQUEST, "OPTIONS", 0, "transports.kijh4akdnaqjkwendsasfdj", 60, "OPTIONS",
	  "z9hG4bKkdjuw", "323", NULL, "UDP", 0, true },
	{ "mpart01", SIP_KIND_REQUEST, "MESSAGE", 0, "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..", 1,
	  "MESSAGE", "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-", "2fb0dcc9", NULL, "UDP", 553, true },
	{ "unreason", SIP_KIND_RESPONSE, NULL, 200, "unreason.1234ksdfak3j2erwedfsASdf", 35, "INVITE",
	  "z9hG4bK1324923", "11141343", "2229", "UDP", 154, true },
	{ "noreason", SIP_KIND_RESPONSE, NULL, 100, "noreason.asndj203insdf99223ndf", 35, "INVITE",
	  "z9hG4bK2398ndaoe", "39ansfi3", "902jndnke3", "UDP", 0, true },
};

static void test_valid(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(valid); i++) {
		const valid_case *c = &valid[i];
		msgbuf b = load(c->file);
		sip_parse_message(bsv(&b), false, &msg);
		g_test_message("%s", c->file);
		g_assert_cmpint(msg.kind, ==, c->kind);
		assert_sv(msg.method, c->method);
		g_assert_cmpuint(msg.status, ==, c->status);
		assert_sv(msg.call_id, c->call_id);
		g_assert_true(msg.has_cseq);
		g_assert_cmpuint(msg.cseq, ==, c->cseq);
		assert_sv(msg.cseq_method, c->cseq_method);
		assert_sv(msg.branch, c->branch);
		assert_sv(msg.from_tag, c->from_tag);
		assert_sv(msg.to_tag, c->to_tag);
		assert_sv(msg.via_transport, c->transport);
		g_assert_nonnull(msg.body.p);
		g_assert_cmpuint(msg.body.len, ==, c->body_len);
		if (c->clean && msg.n_warnings) {
			g_autofree char *t = warnings_text(&msg);
			g_error("%s: unexpected warnings:\n%s", c->file, t);
		}
		g_free(b.p);
	}
}

static void test_wsinv_details(void)
{
	msgbuf b = load("wsinv");
	sip_parse_message(bsv(&b), false, &msg);
	assert_sv(msg.request_uri, "sip:vivekg@chair-dnrc.example.com;unknownparam");

	/* three Via values from a long-form field and a compact one with a comma */
	sip_list_iter it;
	sv item;
	sip_via v;
	const char *hosts[] = { "192.0.2.2", "spindle.example.com", "192.168.255.111" };
	const char *branches[] = { "390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239" };
	const char *transports[] = { "UDP", "TCP", "UDP" };
	unsigned n = 0;
	sip_list_init(&it, &msg, SIP_HDR_VIA);
	while (sip_list_next(&it, &item)) {
		g_assert_cmpuint(n, <, 3);
		g_assert_true(sip_via_parse(item, &v));
		assert_sv(v.protocol_name, "SIP");
		assert_sv(v.protocol_version, "2.0");
		assert_sv(v.transport, transports[n]);
		assert_sv(v.host, hosts[n]);
		assert_sv(v.branch, branches[n]);
		g_assert_false(v.has_port);
		n++;
	}
	g_assert_cmpuint(n, ==, 3);

	sip_addr from;
	g_assert_true(sip_msg_from(&msg, &from));
	g_assert_true(from.display_quoted);
	assert_sv(from.display, "J Rosenberg \\\\\\\"");
	GString *s = g_string_new(NULL);
	sip_unquote_append(from.display, s);
	g_assert_cmpstr(s->str, ==, "J Rosenberg \\\"");
	g_string_free(s, TRUE);
	assert_sv(from.uri, "sip:jdrosen@example.com");

	sip_addr to;
	g_assert_true(sip_msg_to(&msg, &to));
	g_assert_false(to.angle);
	assert_sv(to.uri, "sip:vivekg@chair-dnrc.example.com");

	uint32_t mf;
	g_assert_true(msg.has_max_forwards);
	g_assert_cmpuint(msg.max_forwards, ==, 68);
	g_assert_true(sip_uint_parse(sip_msg_value(&msg, SIP_HDR_MAX_FORWARDS), 255, &mf));

	/* s : (Subject, empty) and the folded unknown header */
	sv subj = sip_msg_value(&msg, SIP_HDR_SUBJECT);
	g_assert_nonnull(subj.p);
	g_assert_cmpuint(subj.len, ==, 0);
	assert_sv(sip_msg_find_cstr(&msg, "NewFangledHeader"),
		"newfangled value\r\n continued newfangled value");
	assert_sv(sip_msg_find_cstr(&msg, "unknownheaderwithunusualvalue"), ";;,,;;,;");

	sip_contact c;
	sip_list_init(&it, &msg, SIP_HDR_CONTACT);
	g_assert_true(sip_list_next(&it, &item));
	g_assert_true(sip_contact_parse(item, &c));
	assert_sv(c.addr.display, "Quoted string \\\"\\\"");
	g_assert_true(c.has_q);
	g_assert_cmpuint(c.q, ==, 330);
	sv pv;
	g_assert_true(sip_param_get(c.addr.params, "newparam", &pv));
	assert_sv(pv, "newvalue");
	g_assert_true(sip_param_get(c.addr.params, "secondparam", &pv));
	g_assert_cmpuint(pv.len, ==, 0);
	g_assert_false(sip_list_next(&it, &item));

	sip_route r;
	sip_list_init(&it, &msg, SIP_HDR_ROUTE);
	g_assert_true(sip_list_next(&it, &item));
	g_assert_true(sip_route_parse(item, &r));
	g_assert_true(r.lr);
	assert_sv(r.uri.host, "services.example.com");
	g_assert_true(sip_uri_param(&r.uri, "unknown-no-value", &pv));

	sdp_session *sdp = g_new(sdp_session, 1);
	sdp_parse(msg.body, sdp);
	g_assert_cmpuint(sdp->n_media, ==, 2);
	assert_sv(sdp->media[1].media, "video");
	g_assert_cmpuint(sdp->media[1].port, ==, 3227);
	/* "a=rtpmap:31 LPC" has no clock rate (RFC 4566 wants encoding/clock) */
	g_assert_cmpuint(sdp->n_warnings, ==, 1);
	g_assert_cmpuint(sdp->warnings[0].code, ==, SIP_W_SDP_BAD_RTPMAP);
	g_assert_cmpuint(sdp->media[1].n_rtpmap, ==, 0);
	g_free(sdp);
	g_free(b.p);
}

static void test_intmeth_details(void)
{
	msgbuf b = load("intmeth");
	sip_parse_message(bsv(&b), false, &msg);
	sip_uri u;
	g_assert_true(sip_uri_parse(msg.request_uri, &u));
	g_assert_cmpint(u.scheme, ==, SIP_URI_SIP);
	assert_sv(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
	assert_sv(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
	assert_sv(u.host, "example.com");

	sip_addr to, from;
	g_assert_true(sip_msg_to(&msg, &to));
	g_assert_cmpmem(to.display.p, to.display.len, "BEL:\\\x07 NUL:\\\0 DEL:\\\x7f", 20);
	g_assert_true(sip_msg_from(&msg, &from));
	assert_sv(from.display, "token1~` token2'+_ token3*%!.-");
	g_assert_cmpuint(from.flaws, ==, 0);
	sv pv;
	g_assert_true(sip_param_get(from.params, "fromParam''~+*_!.-%", &pv));
	assert_sv(pv, "\xD1\x80\xD0\xB0\xD0\xB1\xD0\xBE\xD1\x82\xD0\xB0\xD1\x8E\xD1\x89\xD0\xB8\xD0\xB9");
	assert_sv(sip_msg_find_cstr(&msg, "extensionHeader-!.%*+_`'~"),
		"\xEF\xBB\xBF\xE5\xA4\xA7\xE5\x81\x9C\xE9\x9B\xBB");
	g_free(b.p);
}

static void test_esc_details(void)
{
	msgbuf b = load("esc02");
	sip_parse_message(bsv(&b), false, &msg);
	/* C%6Fntact is an unknown header, not Contact */
	g_assert_cmpuint(sip_msg_count(&msg, SIP_HDR_CONTACT), ==, 2);
	assert_sv(sip_msg_find_cstr(&msg, "C%6Fntact"), "<sip:alias2@host2.example.com>");
	g_free(b.p);

	b = load("escnull");
	sip_parse_message(bsv(&b), false, &msg);
	sip_list_iter it;
	sv item;
	sip_addr a;
	sip_uri u;
	const char *users[] = { "%00", "%00%00" };
	unsigned n = 0;
	sip_list_init(&it, &msg, SIP_HDR_CONTACT);
	while (sip_list_next(&it, &item)) {
		g_assert_true(sip_addr_parse(item, &a));
		g_assert_true(sip_uri_parse(a.uri, &u));
		assert_sv(u.user, users[n++]);
	}
	g_assert_cmpuint(n, ==, 2);
	g_free(b.p);

	b = load("semiuri");
	sip_parse_message(bsv(&b), false, &msg);
	g_assert_true(sip_uri_parse(msg.request_uri, &u));
	assert_sv(u.user, "user;par=u%40example.net");
	assert_sv(u.host, "example.com");
	n = 0;
	sip_list_init(&it, &msg, SIP_HDR_ACCEPT);
	while (sip_list_next(&it, &item))
		n++;
	g_assert_cmpuint(n, ==, 6);
	g_free(b.p);

	b = load("lwsdisp");
	sip_parse_message(bsv(&b), false, &msg);
	g_assert_true(sip_msg_from(&msg, &a));
	assert_sv(a.display, "caller");
	g_assert_false(a.display_quoted);
	g_free(b.p);
}

static void test_longreq_transports(void)
{
	msgbuf b = load("longreq");
	sip_parse_message(bsv(&b), false, &msg);
	GString *want_s = g_string_new("longreq.one");
	for (int i = 0; i < 20; i++)
		g_string_append(want_s, "really");
	g_string_append(want_s, "longcallid");
	assert_sv(msg.call_id, want_s->str);
	g_string_assign(want_s, "12");
	for (int i = 0; i < 50; i++)
		g_string_append(want_s, "982");
	g_string_append(want_s, "424");
	assert_sv(msg.from_tag, want_s->str);
	g_string_free(want_s, TRUE);
	/* Via, v, V, ViA, ... 34 fields in all */
	g_assert_cmpuint(sip_msg_count(&msg, SIP_HDR_VIA), ==, 34);
	sip_list_iter it;
	sv item;
	sip_via v;
	unsigned n = 0;
	sip_list_init(&it, &msg, SIP_HDR_VIA);
	while (sip_list_next(&it, &item)) {
		g_assert_true(sip_via_parse(item, &v));
		n++;
	}
	g_assert_cmpuint(n, ==, 34);
	g_assert_true(v.has_received);
	assert_sv(v.received, "192.0.2.5");
	g_assert_cmpuint(v.branch.len, ==, 4 + 50 * 4 + 11);
	assert_sv(msg.via_sent_by, "sip33.example.com");
	g_free(b.p);

	b = load("transports");
	sip_parse_message(bsv(&b), false, &msg);
	const char *want[] = { "UDP", "SCTP", "TLS", "UNKNOWN", "TCP" };
	n = 0;
	sip_list_init(&it, &msg, SIP_HDR_VIA);
	while (sip_list_next(&it, &item)) {
		g_assert_true(sip_via_parse(item, &v));
		assert_sv(v.transport, want[n++]);
	}
	g_assert_cmpuint(n, ==, 5);
	g_free(b.p);
}

static void test_mpart01(void)
{
	msgbuf b = load("mpart01");
	sip_parse_message(bsv(&b), false, &msg);
	mp_body *mp = g_new(mp_body, 1);
	mp_parse(msg.body, sip_msg_value(&msg, SIP_HDR_CONTENT_TYPE), mp);
	g_assert_cmpuint(mp->n_warnings, ==, 0);
	g_assert_cmpuint(mp->n_parts, ==, 2);
	assert_sv(mp->parts[0].content_type, "text/plain");
	assert_sv(mp->parts[0].body, "Hello");
	assert_sv(mp->parts[1].content_type, "application/octet-stream");
	assert_sv(mp_part_header(&mp->parts[1], "content-transfer-encoding"), "binary");
	g_assert_cmpuint(mp->parts[1].body.len, ==, 342);   /* the PKCS #7 blob, SEQUENCE of 4+338 bytes */
	g_assert_cmphex(mp->parts[1].body.p[0], ==, 0x30);
	g_assert_cmphex(mp->parts[1].body.p[341], ==, 0x05);
	g_free(mp);
	g_free(b.p);
}

static void test_reason_phrases(void)
{
	msgbuf b = load("unreason");
	sip_parse_message(bsv(&b), false, &msg);
	assert_sv(msg.reason, "= 2**3 * 5**2 \xD0\xBD\xD0\xBE \xD1\x81\xD1\x82\xD0\xBE "
		"\xD0\xB4\xD0\xB5\xD0\xB2\xD1\x8F\xD0\xBD\xD0\xBE\xD1\x81\xD1\x82\xD0\xBE "
		"\xD0\xB4\xD0\xB5\xD0\xB2\xD1\x8F\xD1\x82\xD1\x8C - \xD0\xBF\xD1\x80\xD0\xBE\xD1\x81\xD1\x82\xD0\xBE\xD0\xB5");
	g_free(b.p);

	b = load("noreason");
	sip_parse_message(bsv(&b), false, &msg);
	g_assert_nonnull(msg.reason.p);
	g_assert_cmpuint(msg.reason.len, ==, 0);
	g_free(b.p);
}

static void test_dblreq(void)
{
	msgbuf b = load("dblreq");
	sip_parse_message(bsv(&b), false, &msg);
	g_assert_cmpuint(msg.body.len, ==, 0);
	g_assert_cmpuint(msg.n_warnings, ==, 1);
	g_assert_cmpuint(msg.warnings[0].code, ==, SIP_W_CL_SHORT);
	/* what follows is the INVITE: that is the rest of the datagram */
	g_assert_cmpuint(msg.warnings[0].a, ==, b.len - (size_t)(msg.body.p - b.p));
	g_free(b.p);
}

/* ---- invalid messages ------------------------------------------------------------ */

typedef struct invalid_case {
	const char *file;
	unsigned code;          /* the warning that names the fault; SIP_W_NONE: beyond a parser */
	sip_kind kind;
	const char *why;
} invalid_case;

static const invalid_case invalid[] = {
	/* §3.1.2 */
	{ "badinv01", SIP_W_EMPTY_PARAM, SIP_KIND_REQUEST, "empty Via / Contact parameters (;;,;,,)" },
	{ "clerr", SIP_W_CL_EXCEEDS, SIP_KIND_REQUEST, "Content-Length larger than the message" },
	{ "ncl", SIP_W_CL_BAD, SIP_KIND_REQUEST, "negative Content-Length" },
	{ "scalar02", SIP_W_CSEQ_BAD, SIP_KIND_REQUEST, "CSeq, Max-Forwards, Expires overlarge" },
	{ "scalarlg", SIP_W_CSEQ_BAD, SIP_KIND_RESPONSE, "overlarge CSeq (Retry-After and Warning code too)" },
	{ "quotbal", SIP_W_ADDR_BAD, SIP_KIND_REQUEST, "unterminated quoted display name" },
	{ "ltgtruri", SIP_W_RURI_ANGLE, SIP_KIND_REQUEST, "Request-URI in <>" },
	{ "lwsruri", SIP_W_RURI_SPACE, SIP_KIND_REQUEST, "LWS inside the Request-URI" },
	{ "lwsstart", SIP_W_REQLINE_SPACES, SIP_KIND_REQUEST, "several SP between request-line elements" },
	{ "trws", SIP_W_REQLINE_SPACES, SIP_KIND_REQUEST, "SP after the SIP-Version" },
	{ "escruri", SIP_W_RURI_HEADERS, SIP_KIND_REQUEST, "escaped headers in the Request-URI" },
	{ "baddate", SIP_W_DATE_BAD, SIP_KIND_REQUEST, "Date not in GMT" },
	{ "regbadct", SIP_W_ADDR_BAD, SIP_KIND_REQUEST, "Contact URI with '?' not in <>" },
	{ "badaspec", SIP_W_ADDR_BAD, SIP_KIND_REQUEST, "spaces inside <> of To" },
	{ "baddn", SIP_W_ADDR_BAD, SIP_KIND_REQUEST, "unquoted display names with a comma" },
	{ "badvers", SIP_W_BAD_VERSION, SIP_KIND_REQUEST, "SIP/7.0" },
	{ "mismatch01", SIP_W_CSEQ_MISMATCH, SIP_KIND_REQUEST, "OPTIONS with CSeq INVITE" },
	{ "mismatch02", SIP_W_CSEQ_MISMATCH, SIP_KIND_REQUEST, "NEWMETHOD with CSeq INVITE" },
	{ "bigcode", SIP_W_BAD_STATUS, SIP_KIND_INVALID, "status code 4294967301" },
	/* §3.2 */
	{ "badbranch", SIP_W_BRANCH_COOKIE_ONLY, SIP_KIND_REQUEST, "branch is the bare magic cookie" },
	/* §3.3 */
	{ "insuf", SIP_W_MISSING_HDR, SIP_KIND_REQUEST, "no To, From, Call-ID, Max-Forwards" },
	{ "multi01", SIP_W_DUP_HDR, SIP_KIND_REQUEST, "two Call-ID, CSeq, From, To, Max-Forwards" },
	{ "mcl01", SIP_W_DUP_HDR, SIP_KIND_REQUEST, "two different Content-Length values" },
	/* §3.4: RFC 2543 syntax, no Max-Forwards (and no branch, which is legal for 2543 peers) */
	{ "inv2543", SIP_W_MISSING_HDR, SIP_KIND_REQUEST, "no Max-Forwards" },
	/* Semantic faults, beyond a parser: the message is well-formed. */
	{ "unkscm", SIP_W_NONE, SIP_KIND_REQUEST, "unknown Request-URI scheme (a proxy answers 416)" },
	{ "novelsc", SIP_W_NONE, SIP_KIND_REQUEST, "known but atypical scheme" },
	{ "unksm2", SIP_W_NONE, SIP_KIND_REQUEST, "unknown schemes in To / From / Contact" },
	{ "bext01", SIP_W_NONE, SIP_KIND_REQUEST, "unsupported Require / Proxy-Require (420)" },
	{ "invut", SIP_W_NONE, SIP_KIND_REQUEST, "unknown Content-Type (415)" },
	{ "regaut01", SIP_W_NONE, SIP_KIND_REQUEST, "unknown authorization scheme" },
	{ "bcast", SIP_W_NONE, SIP_KIND_RESPONSE, "broadcast address in a Via" },
	{ "zeromf", SIP_W_NONE, SIP_KIND_REQUEST, "Max-Forwards 0 (483 / answer for OPTIONS)" },
	{ "cparam01", SIP_W_NONE, SIP_KIND_REQUEST, "Contact header parameter (legal)" },
	{ "cparam02", SIP_W_NONE, SIP_KIND_REQUEST, "Contact URI parameter (legal)" },
	{ "regescrt", SIP_W_NONE, SIP_KIND_REQUEST, "escaped Route in a Contact URI: registrar's call" },
	{ "sdp01", SIP_W_NONE, SIP_KIND_REQUEST, "Accept without application/sdp (415)" },
};

static void test_invalid(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(invalid); i++) {
		const invalid_case *c = &invalid[i];
		msgbuf b = load(c->file);
		sip_parse_message(bsv(&b), false, &msg);
		g_autofree char *text = warnings_text(&msg);
		g_test_message("%s (%s):\n%s", c->file, c->why, text);
		g_assert_cmpint(msg.kind, ==, c->kind);
		if (c->code != SIP_W_NONE && !has_warning(&msg, c->code))
			g_error("%s: expected warning %s, got:\n%s", c->file, sip_warning_id(c->code), text);
		if (c->code == SIP_W_NONE && msg.n_warnings)
			g_error("%s: expected no warning, got:\n%s", c->file, text);
		g_free(b.p);
	}
}

static void test_invalid_details(void)
{
	msgbuf b = load("scalar02");
	sip_parse_message(bsv(&b), false, &msg);
	g_assert_false(msg.has_cseq);
	g_assert_true(has_warning(&msg, SIP_W_MAXFWD_BAD));
	g_assert_true(has_warning(&msg, SIP_W_EXPIRES_BAD));
	g_free(b.p);

	b = load("clerr");
	sip_parse_message(bsv(&b), true, &msg);
	g_assert_true(has_warning(&msg, SIP_W_CL_EXCEEDS));
	g_assert_cmpuint(msg.content_length, ==, 9999);
	g_assert_cmpuint(msg.body.len, ==, 154);
	GString *s = g_string_new(NULL);
	for (unsigned i = 0; i < msg.n_warnings; i++)
		if (msg.warnings[i].code == SIP_W_CL_EXCEEDS)
			sip_warning_format(&msg.warnings[i], s);
	g_assert_cmpstr(s->str, ==, "Content-Length 9999 exceeds the 154 bytes that follow");
	g_string_free(s, TRUE);
	g_free(b.p);

	b = load("baddn");
	sip_parse_message(bsv(&b), false, &msg);
	/* the archive's baddn ends right after "l: 0": no empty line */
	g_assert_true(has_warning(&msg, SIP_W_NO_END_OF_HEADERS));
	g_assert_null(msg.body.p);
	g_free(b.p);

	b = load("bigcode");
	sip_parse_message(bsv(&b), false, &msg);
	/* not a valid response, but clearly SIP: the headers are still read */
	assert_sv(msg.call_id, "bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i");
	g_free(b.p);

	b = load("mcl01");
	sip_parse_message(bsv(&b), false, &msg);
	g_assert_cmpuint(msg.content_length, ==, 13);   /* the first one is used */
	g_assert_true(has_warning(&msg, SIP_W_CL_SHORT));
	g_free(b.p);
}

/* ---- robustness -------------------------------------------------------------------- */

static const char *const all_files[] = {
	"wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri",
	"transports", "mpart01", "unreason", "noreason", "badinv01", "clerr", "ncl", "scalar02",
	"scalarlg", "quotbal", "ltgtruri", "lwsruri", "lwsstart", "trws", "escruri", "baddate",
	"regbadct", "badaspec", "baddn", "badvers", "mismatch01", "mismatch02", "bigcode",
	"badbranch", "insuf", "unkscm", "novelsc", "unksm2", "bext01", "invut", "regaut01",
	"multi01", "mcl01", "bcast", "zeromf", "cparam01", "cparam02", "regescrt", "sdp01",
	"inv2543",
};

/* Every accessor over every header of a parsed message. */
static void exercise(const sip_msg *m)
{
	static sdp_session sdp;
	static mp_body mp;
	GString *s = g_string_new(NULL);
	sip_msg_format_warnings(m, s);
	for (unsigned id = 1; id < SIP_HDR__COUNT; id++) {
		sip_list_iter it;
		sv item;
		sip_list_init(&it, m, (sip_hdr_id)id);
		while (sip_list_next(&it, &item)) {
			sip_via v;
			sip_contact c;
			sip_route r;
			sip_ctype ct;
			sip_reason rs;
			uint32_t n;
			sv meth;
			sip_via_parse(item, &v);
			sip_contact_parse(item, &c);
			if (sip_route_parse(item, &r))
				sip_uri_param(&r.uri, "transport", &meth);
			sip_ctype_parse(item, &ct);
			sip_reason_parse(item, &rs);
			sip_cseq_parse(item, &n, &meth);
			sip_uint_parse(item, UINT32_MAX, &n);
		}
	}
	sdp_parse(m->body, &sdp);
	for (unsigned i = 0; i < sdp.n_warnings; i++)
		sip_warning_format(&sdp.warnings[i], s);
	mp_parse(m->body, sip_msg_value(m, SIP_HDR_CONTENT_TYPE), &mp);
	for (unsigned i = 0; i < mp.n_warnings; i++)
		sip_warning_format(&mp.warnings[i], s);
	for (const char *p = s->str; *p; p++)
		g_assert_true((*p >= 0x20 && *p < 0x7f) || *p == '\n');
	g_string_free(s, TRUE);
}

static void test_truncated(void)
{
	for (size_t f = 0; f < G_N_ELEMENTS(all_files); f++) {
		msgbuf b = load(all_files[f]);
		for (size_t len = 0; len <= b.len; len++) {
			uint8_t *cut = g_malloc(len ? len : 1);
			memcpy(cut, b.p, len);
			sip_parse_message(sv_make(cut, len), f & 1, &msg);
			exercise(&msg);
			g_free(cut);
		}
		g_free(b.p);
	}
}

static void test_mutated(void)
{
	GRand *rnd = g_rand_new_with_seed(4475);
	for (size_t f = 0; f < G_N_ELEMENTS(all_files); f++) {
		msgbuf b = load(all_files[f]);
		for (int round = 0; round < 200; round++) {
			size_t len = b.len;
			uint8_t *p = g_malloc(len + 8);
			memcpy(p, b.p, len);
			int edits = g_rand_int_range(rnd, 1, 8);
			for (int e = 0; e < edits && len > 0; e++) {
				size_t at = (size_t)g_rand_int_range(rnd, 0, (gint32)len);
				static const uint8_t nasty[] = { 0, '\r', '\n', ' ', ':', ';', ',', '"', '<', '>',
					'\\', '[', ']', '/', '=', '@', '?', 0xff, 0x80, '9' };
				switch (g_rand_int_range(rnd, 0, 3)) {
				case 0:
					p[at] = nasty[g_rand_int_range(rnd, 0, G_N_ELEMENTS(nasty))];
					break;
				case 1:
					memmove(p + at, p + at + 1, len - at - 1);
					len--;
					break;
				default:
					memmove(p + at + 1, p + at, len - at);
					p[at] = nasty[g_rand_int_range(rnd, 0, G_N_ELEMENTS(nasty))];
					len++;
					break;
				}
			}
			/* exact-size copy so any over-read is caught */
			uint8_t *q = g_malloc(len ? len : 1);
			memcpy(q, p, len);
			sip_parse_message(sv_make(q, len), round & 1, &msg);
			exercise(&msg);
			g_free(q);
			g_free(p);
		}
		g_free(b.p);
	}
	g_rand_free(rnd);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rfc4475/valid", test_valid);
	g_test_add_func("/rfc4475/wsinv-details", test_wsinv_details);
	g_test_add_func("/rfc4475/intmeth-details", test_intmeth_details);
	g_test_add_func("/rfc4475/escapes", test_esc_details);
	g_test_add_func("/rfc4475/longreq-transports", test_longreq_transports);
	g_test_add_func("/rfc4475/mpart01", test_mpart01);
	g_test_add_func("/rfc4475/reason-phrases", test_reason_phrases);
	g_test_add_func("/rfc4475/dblreq", test_dblreq);
	g_test_add_func("/rfc4475/invalid", test_invalid);
	g_test_add_func("/rfc4475/invalid-details", test_invalid_details);
	g_test_add_func("/rfc4475/truncated", test_truncated);
	g_test_add_func("/rfc4475/mutated", test_mutated);
	return g_test_run();
}
