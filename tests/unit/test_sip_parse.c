/*
 * The SIP message grammar: start lines, header fields, summary fields,
 * Content-Length framing, multipart bodies, and hostile input.
 */
#include <glib.h>
#include <string.h>

#include "dissect/multipart.h"
#include "dissect/sdp.h"
#include "dissect/sip.h"
#include "dissect/sip_header.h"

static sip_msg msg;   /* large: keep it off the stack */

/* Headers (each ending in CRLF, without Content-Length) + body, with the
 * right Content-Length inserted.  The result lives in an exact-size heap
 * buffer so that ASan sees any read past its end. */
typedef struct wire {
	uint8_t *p;
	size_t len;
} wire;

static wire mk_raw(const char *text, size_t len)
{
	wire w = { g_malloc(len ? len : 1), len };
	memcpy(w.p, text, len);
	return w;
}

static wire mk(const char *headers, const char *body)
{
	g_autofree char *t = g_strdup_printf("%sContent-Length: %zu\r\n\r\n%s", headers, strlen(body), body);
	return mk_raw(t, strlen(t));
}

static wire mk_text(const char *text)
{
	return mk_raw(text, strlen(text));
}

static sv wsv(wire w)
{
	return sv_make(w.p, w.len);
}

static void parse(wire w, bool stream)
{
	sip_parse_message(wsv(w), stream, &msg);
}

static void assert_sv(sv v, const char *want)
{
	if (want == NULL) {
		g_assert_null(v.p);
		return;
	}
	g_assert_nonnull(v.p);
	g_assert_cmpmem(v.p, v.len, want, strlen(want));
}

static unsigned count_warning(const sip_msg *m, unsigned code)
{
	unsigned n = 0;
	for (unsigned i = 0; i < m->n_warnings; i++)
		n += m->warnings[i].code == code;
	return n;
}

static bool has_warning(const sip_msg *m, unsigned code)
{
	return count_warning(m, code) > 0;
}

static void assert_clean(const sip_msg *m)
{
	if (m->n_warnings == 0)
		return;
	GString *s = g_string_new(NULL);
	sip_msg_format_warnings(m, s);
	g_error("unexpected warnings:\n%s", s->str);
}

static char *format_one(const sip_warning *w)
{
	GString *s = g_string_new(NULL);
	sip_warning_format(w, s);
	return g_string_free(s, FALSE);
}

static const char sdp_offer[] =
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.101\r\n"
	"t=0 0\r\n"
	"m=audio 49172 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=ptime:20\r\n"
	"a=sendrecv\r\n";

static const char invite_headers[] =
	"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;rport\r\n"
	"Max-Forwards: 70\r\n"
	"From: \"Alice\" <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
	"To: Bob <sip:bob@biloxi.example.com>\r\n"
	"Call-ID: 3848276298220188511@atlanta.example.com\r\n"
	"CSeq: 1 INVITE\r\n"
	"Contact: <sip:alice@client.atlanta.example.com;transport=udp>\r\n"
	"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
	"Supported: timer, 100rel\r\n"
	"User-Agent: ExamplePhone/1.2\r\n"
	"Content-Type: application/sdp\r\n";

/* ---- ordinary messages ---------------------------------------------------------- */

static void test_invite_with_sdp(void)
{
	wire w = mk(invite_headers, sdp_offer);
	parse(w, false);
	assert_clean(&msg);
	g_assert_cmpint(msg.kind, ==, SIP_KIND_REQUEST);
	assert_sv(msg.method, "INVITE");
	assert_sv(msg.request_uri, "sip:bob@biloxi.example.com");
	assert_sv(msg.version, "SIP/2.0");
	g_assert_cmpuint(msg.status, ==, 0);
	g_assert_null(msg.reason.p);
	assert_sv(msg.call_id, "3848276298220188511@atlanta.example.com");
	g_assert_true(msg.has_cseq);
	g_assert_cmpuint(msg.cseq, ==, 1);
	assert_sv(msg.cseq_method, "INVITE");
	assert_sv(msg.from_tag, "9fxced76sl");
	g_assert_null(msg.to_tag.p);
	assert_sv(msg.branch, "z9hG4bK74bf9");
	assert_sv(msg.via_sent_by, "client.atlanta.example.com:5060");
	assert_sv(msg.via_transport, "UDP");
	assert_sv(msg.body, sdp_offer);
	g_assert_true(msg.has_content_length);
	g_assert_cmpuint(msg.content_length, ==, strlen(sdp_offer));
	g_assert_true(msg.headers_ended);
	g_assert_cmpuint(msg.n_headers, ==, 12);
	g_assert_false(msg.index_full);
	assert_sv(sip_msg_value(&msg, SIP_HDR_USER_AGENT), "ExamplePhone/1.2");
	assert_sv(msg.headers[0].name, "Via");
	g_assert_cmpuint(msg.headers[0].id, ==, SIP_HDR_VIA);

	sdp_session *sdp = g_new(sdp_session, 1);
	sdp_parse(msg.body, sdp);
	g_assert_cmpuint(sdp->n_warnings, ==, 0);
	g_assert_cmpuint(sdp->n_media, ==, 1);
	g_assert_cmpuint(sdp->media[0].port, ==, 49172);
	g_free(sdp);
	g_free(w.p);

	/* the same over TCP: Content-Length present, nothing to say */
	w = mk(invite_headers, sdp_offer);
	parse(w, true);
	assert_clean(&msg);
	g_free(w.p);
}

static void test_responses(void)
{
	wire w = mk(
		"SIP/2.0 180 Ringing\r\n"
		"Via: SIP/2.0/TCP ss1.atlanta.example.com:5060;branch=z9hG4bK2d4790.1;received=192.0.2.111\r\n"
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;rport=5060\r\n"
		"Record-Route: <sip:ss2.biloxi.example.com;lr>, <sip:ss1.atlanta.example.com;lr>\r\n"
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
		"To: Bob <sip:bob@biloxi.example.com>;tag=314159\r\n"
		"Call-ID: 3848276298220188511@atlanta.example.com\r\n"
		"Contact: <sip:bob@client.biloxi.example.com>\r\n"
		"CSeq: 1 INVITE\r\n", "");
	parse(w, true);
	assert_clean(&msg);
	g_assert_cmpint(msg.kind, ==, SIP_KIND_RESPONSE);
	g_assert_cmpuint(msg.status, ==, 180);
	assert_sv(msg.reason, "Ringing");
	g_assert_null(msg.method.p);
	g_assert_null(msg.request_uri.p);
	assert_sv(msg.to_tag, "314159");
	assert_sv(msg.from_tag, "9fxced76sl");
	assert_sv(msg.branch, "z9hG4bK2d4790.1");
	assert_sv(msg.via_transport, "TCP");
	assert_sv(msg.via_sent_by, "ss1.atlanta.example.com:5060");
	g_assert_nonnull(msg.body.p);
	g_assert_cmpuint(msg.body.len, ==, 0);

	sip_list_iter it;
	sv item;
	sip_route r;
	const char *rr[] = { "ss2.biloxi.example.com", "ss1.atlanta.example.com" };
	unsigned n = 0;
	sip_list_init(&it, &msg, SIP_HDR_RECORD_ROUTE);
	while (sip_list_next(&it, &item)) {
		g_assert_true(sip_route_parse(item, &r));
		g_assert_true(r.lr);
		assert_sv(r.uri.host, rr[n++]);
	}
	g_assert_cmpuint(n, ==, 2);
	g_free(w.p);

	w = mk(
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101\r\n"
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
		"To: Bob <sip:bob@biloxi.example.com>;tag=8321234356\r\n"
		"Call-ID: 3848276298220188511@atlanta.example.com\r\n"
		"CSeq: 1 INVITE\r\n"
		"Contact: <sip:bob@client.biloxi.example.com>\r\n"
		"Server: ExampleServer/3.0\r\n"
		"Content-Type: application/sdp\r\n",
		"v=0\r\no=bob 2890844527 2890844527 IN IP4 client.biloxi.example.com\r\ns=-\r\n"
		"c=IN IP4 192.0.2.201\r\nt=0 0\r\nm=audio 3456 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n");
	parse(w, false);
	assert_clean(&msg);
	g_assert_cmpuint(msg.status, ==, 200);
	assert_sv(msg.reason, "OK");
	assert_sv(msg.to_tag, "8321234356");
	assert_sv(sip_msg_value(&msg, SIP_HDR_SERVER), "ExampleServer/3.0");
	g_assert_cmpuint(msg.body.len, ==, msg.content_length);
	g_free(w.p);

	/* reason phrases: several words, UTF-8, empty */
	w = mk("SIP/2.0 486 Busy Here \xC3\xA9t\xC3\xA9\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 2 INVITE\r\n", "");
	parse(w, false);
	assert_clean(&msg);
	assert_sv(msg.reason, "Busy Here \xC3\xA9t\xC3\xA9");
	g_free(w.p);
}

static void test_ack_bye(void)
{
	wire w = mk(
		"ACK sip:bob@client.biloxi.example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bd5\r\n"
		"Max-Forwards: 70\r\n"
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
		"To: Bob <sip:bob@biloxi.example.com>;tag=8321234356\r\n"
		"Call-ID: 3848276298220188511@atlanta.example.com\r\n"
		"CSeq: 1 ACK\r\n", "");
	parse(w, false);
	assert_clean(&msg);
	assert_sv(msg.method, "ACK");
	assert_sv(msg.cseq_method, "ACK");
	g_free(w.p);

	/* an ACK whose CSeq says INVITE is a mismatch: just compare */
	w = mk(
		"ACK sip:bob@client.biloxi.example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bd5\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
		"To: <sip:bob@biloxi.example.com>;tag=8321234356\r\n"
		"Call-ID: 3848276298220188511@atlanta.example.com\r\n"
		"CSeq: 1 INVITE\r\n", "");
	parse(w, false);
	g_assert_cmpuint(count_warning(&msg, SIP_W_CSEQ_MISMATCH), ==, 1);
	g_free(w.p);

	w = mk(
		"BYE sip:alice@client.atlanta.example.com SIP/2.0\r\n"
		"Via: SIP/2.0/TCP client.biloxi.example.com:5060;branch=z9hG4bKnashds7\r\n"
		"Max-Forwards: 70\r\n"
		"From: Bob <sip:bob@biloxi.example.com>;tag=8321234356\r\n"
		"To: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
		"Call-ID: 3848276298220188511@atlanta.example.com\r\n"
		"CSeq: 1 BYE\r\n"
		"Reason: Q.850 ;cause=16 ;text=\"Terminated\"\r\n", "");
	parse(w, true);
	assert_clean(&msg);
	assert_sv(msg.method, "BYE");
	assert_sv(msg.from_tag, "8321234356");
	assert_sv(msg.to_tag, "9fxced76sl");
	sip_reason r;
	g_assert_true(sip_reason_parse(sip_msg_value(&msg, SIP_HDR_REASON), &r));
	assert_sv(r.protocol, "Q.850");
	g_assert_true(r.has_cause);
	g_assert_cmpuint(r.cause, ==, 16);
	assert_sv(r.text, "Terminated");
	g_free(w.p);
}

static void test_register_contacts(void)
{
	wire w = mk(
		"REGISTER sip:registrar.biloxi.example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7\r\n"
		"Max-Forwards: 70\r\n"
		"To: Bob <sip:bob@biloxi.example.com>\r\n"
		"From: Bob <sip:bob@biloxi.example.com>;tag=456248\r\n"
		"Call-ID: 843817637684230@998sdasdh09\r\n"
		"CSeq: 1826 REGISTER\r\n"
		"Contact: \"Bob, at home\" <sip:bob@192.0.2.4>;expires=3600;q=0.7,\r\n"
		" <sip:bob@192.0.2.5:5062;transport=tcp>;q=1.0\r\n"
		"Contact: sip:bob@[2001:db8::10]:5070;expires=60\r\n"
		"Expires: 7200\r\n", "");
	parse(w, false);
	assert_clean(&msg);
	g_assert_cmpuint(sip_msg_count(&msg, SIP_HDR_CONTACT), ==, 2);
	uint32_t exp;
	g_assert_true(sip_msg_expires(&msg, &exp));
	g_assert_cmpuint(exp, ==, 7200);

	sip_list_iter it;
	sv item;
	sip_contact c[4];
	unsigned n = 0;
	sip_list_init(&it, &msg, SIP_HDR_CONTACT);
	while (n < 4 && sip_list_next(&it, &item))
		g_assert_true(sip_contact_parse(item, &c[n++]));
	g_assert_cmpuint(n, ==, 3);
	assert_sv(c[0].addr.display, "Bob, at home");
	g_assert_true(c[0].has_expires);
	g_assert_cmpuint(c[0].expires, ==, 3600);
	g_assert_cmpuint(c[0].q, ==, 700);
	g_assert_cmpuint(c[1].q, ==, 1000);
	g_assert_false(c[1].has_expires);
	sip_uri u;
	g_assert_true(sip_uri_parse(c[1].addr.uri, &u));
	g_assert_cmpuint(u.port, ==, 5062);
	sv tr;
	g_assert_true(sip_uri_param(&u, "transport", &tr));
	assert_sv(tr, "tcp");
	/* addr-spec: ";expires=60" belongs to the header, not to the URI */
	g_assert_false(c[2].addr.angle);
	assert_sv(c[2].addr.uri, "sip:bob@[2001:db8::10]:5070");
	g_assert_cmpuint(c[2].expires, ==, 60);
	g_assert_true(sip_uri_parse(c[2].addr.uri, &u));
	g_assert_true(u.host_ipv6);
	assert_sv(u.host, "2001:db8::10");
	g_free(w.p);

	/* un-registration with '*' */
	w = mk(
		"REGISTER sip:registrar.biloxi.example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds8\r\n"
		"Max-Forwards: 70\r\n"
		"To: <sip:bob@biloxi.example.com>\r\n"
		"From: <sip:bob@biloxi.example.com>;tag=456249\r\n"
		"Call-ID: 843817637684230@998sdasdh09\r\n"
		"CSeq: 1827 REGISTER\r\n"
		"Contact: *\r\n"
		"Expires: 0\r\n", "");
	parse(w, false);
	assert_clean(&msg);
	sip_list_init(&it, &msg, SIP_HDR_CONTACT);
	g_assert_true(sip_list_next(&it, &item));
	g_assert_true(sip_contact_parse(item, &c[0]));
	g_assert_true(c[0].star);
	g_free(w.p);
}

static void test_compact_and_folding(void)
{
	wire w = mk(
		"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
		"v: SIP/2.0/UDP 192.0.2.1:5060\r\n"
		" ;branch=z9hG4bKfold\r\n"
		"\t;received=192.0.2.99\r\n"
		"Max-Forwards: 70\r\n"
		"f: Alice <sip:alice@atlanta.example.com>\r\n"
		"  ;tag=abc\r\n"
		"t: <sip:bob@biloxi.example.com>\r\n"
		"i: compact-1@host\r\n"
		"CSeq:\r\n 7\r\n INVITE\r\n"
		"m: <sip:alice@192.0.2.1>\r\n"
		"s: lunch?\r\n"
		"k: timer\r\n"
		"c: application/sdp\r\n"
		"X-Call-ID   :   custom-correlator  \r\n", sdp_offer);
	/* mk adds "Content-Length: n": check the compact l too below */
	parse(w, false);
	assert_clean(&msg);
	assert_sv(msg.call_id, "compact-1@host");
	assert_sv(msg.branch, "z9hG4bKfold");
	assert_sv(msg.from_tag, "abc");
	g_assert_cmpuint(msg.cseq, ==, 7);
	assert_sv(msg.cseq_method, "INVITE");
	assert_sv(sip_msg_value(&msg, SIP_HDR_SUBJECT), "lunch?");
	assert_sv(sip_msg_value(&msg, SIP_HDR_SUPPORTED), "timer");
	assert_sv(sip_msg_find_cstr(&msg, "x-call-id"), "custom-correlator");
	assert_sv(sip_msg_find_cstr(&msg, "Subject"), "lunch?");
	assert_sv(sip_msg_find_cstr(&msg, "Content-Type"), "application/sdp");
	sip_header h;
	g_assert_true(sip_msg_header(&msg, SIP_HDR_VIA, &h));
	assert_sv(h.name, "v");
	assert_sv(h.value, "SIP/2.0/UDP 192.0.2.1:5060\r\n ;branch=z9hG4bKfold\r\n\t;received=192.0.2.99");
	sip_via v;
	g_assert_true(sip_msg_via_top(&msg, &v));
	assert_sv(v.received, "192.0.2.99");
	g_assert_cmpuint(v.port, ==, 5060);
	assert_sv(msg.body, sdp_offer);
	g_free(w.p);

	w = mk_text("OPTIONS sip:x@y SIP/2.0\r\nl: 4\r\nCall-ID: a\r\n\r\nabcdEXTRA");
	parse(w, false);
	assert_sv(msg.body, "abcd");
	g_assert_true(has_warning(&msg, SIP_W_CL_SHORT));
	g_free(w.p);
}

static void test_via_forms(void)
{
	/* several Via lines, a comma list inside one, IPv6 sent-by, spaces around the colon */
	wire w = mk(
		"OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n"
		"Via   :  SIP/2.0/TLS [2001:db8::9]:5061;branch=z9hG4bKv6top;rport;alias, "
		"SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKsecond\r\n"
		"Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKthird;received=[2001:db8::1]\r\n"
		"Max-Forwards: 70\r\n"
		"From: sip:carol@chicago.example.com;tag=1\r\n"
		"To: sip:carol@chicago.example.com\r\n"
		"Call-ID: via-forms\r\n"
		"CSeq: 1 OPTIONS\r\n", "");
	parse(w, false);
	assert_clean(&msg);
	assert_sv(msg.via_sent_by, "[2001:db8::9]:5061");
	assert_sv(msg.via_transport, "TLS");
	assert_sv(msg.branch, "z9hG4bKv6top");
	assert_sv(msg.from_tag, "1");
	sip_via v;
	g_assert_true(sip_msg_via_top(&msg, &v));
	g_assert_true(v.host_ipv6);
	assert_sv(v.host, "2001:db8::9");
	g_assert_cmpuint(v.port, ==, 5061);
	g_assert_true(v.has_rport);
	g_assert_cmpuint(v.rport.len, ==, 0);

	sip_list_iter it;
	sv item;
	const char *branches[] = { "z9hG4bKv6top", "z9hG4bKsecond", "z9hG4bKthird" };
	unsigned n = 0;
	sip_list_init(&it, &msg, SIP_HDR_VIA);
	while (sip_list_next(&it, &item)) {
		g_assert_true(sip_via_parse(item, &v));
		assert_sv(v.branch, branches[n++]);
	}
	g_assert_cmpuint(n, ==, 3);
	assert_sv(v.transport, "WSS");
	assert_sv(v.received, "[2001:db8::1]");
	g_free(w.p);
}

static void test_quoted_commas(void)
{
	wire w = mk(
		"SUBSCRIBE sip:x@y SIP/2.0\r\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bKq\r\n"
		"Max-Forwards: 70\r\n"
		"From: \"Doe, John \\\"JD\\\", Jr.\" <sip:jd@example.com>;tag=q1\r\n"
		"To: <sip:x@y>\r\n"
		"Call-ID: q\r\n"
		"CSeq: 1 SUBSCRIBE\r\n"
		"Contact: \"a,b\" <sip:a@h1>, <sip:b@h2;x=1,2>, \"c\\\",\" <sip:c@h3>\r\n", "");
	parse(w, false);
	assert_clean(&msg);
	assert_sv(msg.from_tag, "q1");
	sip_addr a;
	g_assert_true(sip_msg_from(&msg, &a));
	assert_sv(a.display, "Doe, John \\\"JD\\\", Jr.");

	sip_list_iter it;
	sv item;
	const char *want[] = { "\"a,b\" <sip:a@h1>", "<sip:b@h2;x=1,2>", "\"c\\\",\" <sip:c@h3>" };
	unsigned n = 0;
	sip_list_init(&it, &msg, SIP_HDR_CONTACT);
	while (sip_list_next(&it, &item)) {
		g_assert_cmpuint(n, <, 3);
		assert_sv(item, want[n++]);
	}
	g_assert_cmpuint(n, ==, 3);
	g_free(w.p);
}

static void test_bare_lf_and_crlf_prefix(void)
{
	wire w = mk_text(
		"\r\n\r\nOPTIONS sip:x@y SIP/2.0\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bKlf\n"
		"Max-Forwards: 70\n"
		"From: <sip:a@b>;tag=1\n"
		"To: <sip:x@y>\n"
		"Call-ID: lf\n"
		"CSeq: 3 OPTIONS\n"
		"Content-Length: 2\n"
		"\n"
		"hi");
	parse(w, false);
	g_assert_cmpint(msg.kind, ==, SIP_KIND_REQUEST);
	assert_sv(msg.call_id, "lf");
	assert_sv(msg.body, "hi");
	g_assert_cmpuint(msg.n_warnings, ==, 1);
	g_assert_cmpuint(msg.warnings[0].code, ==, SIP_W_BARE_LF);
	g_assert_cmpuint(msg.warnings[0].a, ==, 9);
	g_autofree char *t = format_one(&msg.warnings[0]);
	g_assert_cmpstr(t, ==, "9 lines end in a bare LF instead of CRLF");
	g_free(w.p);
}

/* ---- Content-Length ------------------------------------------------------------------ */

static const char small_headers[] =
	"MESSAGE sip:x@y SIP/2.0\r\n"
	"Via: SIP/2.0/TCP h;branch=z9hG4bKcl\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:a@b>;tag=1\r\n"
	"To: <sip:x@y>\r\n"
	"Call-ID: cl\r\n"
	"CSeq: 1 MESSAGE\r\n";

static void test_content_length(void)
{
	/* absent on UDP: the rest of the datagram, no warning */
	g_autofree char *t1 = g_strdup_printf("%s\r\nhello", small_headers);
	wire w = mk_text(t1);
	parse(w, false);
	assert_clean(&msg);
	assert_sv(msg.body, "hello");
	g_assert_false(msg.has_content_length);
	/* absent on a stream */
	parse(w, true);
	g_assert_true(has_warning(&msg, SIP_W_CL_MISSING_STREAM));
	g_autofree char *t = format_one(&msg.warnings[0]);
	g_assert_cmpstr(t, ==, "Content-Length missing on a stream transport");
	assert_sv(msg.body, "hello");
	g_free(w.p);

	/* larger than what follows */
	g_autofree char *t2 = g_strdup_printf("%sContent-Length: 120\r\n\r\n%s", small_headers,
		"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789");
	w = mk_raw(t2, strlen(t2) - 102);   /* 98 bytes of body left */
	parse(w, true);
	g_assert_cmpuint(msg.n_warnings, ==, 1);
	g_autofree char *t3 = format_one(&msg.warnings[0]);
	g_assert_cmpstr(t3, ==, "Content-Length 120 exceeds the 98 bytes that follow");
	g_assert_cmpuint(msg.body.len, ==, 98);
	g_free(w.p);

	/* giant values: over 2^32-1 is unparsable, 4e9 exceeds */
	g_autofree char *t4 = g_strdup_printf("%sContent-Length: 99999999999999999999999\r\n\r\nabc", small_headers);
	w = mk_text(t4);
	parse(w, true);
	g_assert_true(has_warning(&msg, SIP_W_CL_BAD));
	g_assert_true(has_warning(&msg, SIP_W_CL_MISSING_STREAM));
	assert_sv(msg.body, "abc");
	g_free(w.p);
	g_autofree char *t5 = g_strdup_printf("%sl: 4000000000\r\n\r\nabc", small_headers);
	w = mk_text(t5);
	parse(w, false);
	g_assert_true(has_warning(&msg, SIP_W_CL_EXCEEDS));
	g_assert_cmpuint(msg.content_length, ==, 4000000000u);
	assert_sv(msg.body, "abc");
	g_free(w.p);

	/* shorter than what follows */
	g_autofree char *t6 = g_strdup_printf("%sContent-Length: 2\r\n\r\nabcde", small_headers);
	w = mk_text(t6);
	parse(w, false);
	assert_sv(msg.body, "ab");
	g_assert_cmpuint(msg.n_warnings, ==, 1);
	g_autofree char *t7 = format_one(&msg.warnings[0]);
	g_assert_cmpstr(t7, ==, "3 bytes follow the 2-byte body declared by Content-Length");
	g_free(w.p);

	/* headers cut before the empty line, Content-Length > 0 */
	g_autofree char *t8 = g_strdup_printf("%sContent-Length: 10\r\n", small_headers);
	w = mk_text(t8);
	parse(w, true);
	g_assert_true(has_warning(&msg, SIP_W_NO_END_OF_HEADERS));
	g_assert_true(has_warning(&msg, SIP_W_CL_EXCEEDS));
	g_assert_null(msg.body.p);
	g_free(w.p);
}

/* ---- faults ---------------------------------------------------------------------------- */

static void test_start_line_faults(void)
{
	static const struct {
		const char *text;
		sip_kind kind;
		unsigned code;
	} cases[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", SIP_KIND_INVALID, SIP_W_NOT_SIP },
		{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", SIP_KIND_INVALID, SIP_W_NOT_SIP },
		{ "INVITE\r\n\r\n", SIP_KIND_INVALID, SIP_W_NOT_SIP },
		{ "INVITE sip:x@y\r\n\r\n", SIP_KIND_INVALID, SIP_W_NOT_SIP },
		{ "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", SIP_KIND_INVALID, SIP_W_NOT_SIP },
		{ "SIP/2.0 99 Too Small\r\n\r\n", SIP_KIND_INVALID, SIP_W_BAD_STATUS },
		{ "SIP/2.0 700 Too Big\r\n\r\n", SIP_KIND_INVALID, SIP_W_BAD_STATUS },
		{ "SIP/2.0 2000 Four\r\n\r\n", SIP_KIND_INVALID, SIP_W_BAD_STATUS },
		{ "SIP/2.0 20x OK\r\n\r\n", SIP_KIND_INVALID, SIP_W_BAD_STATUS },
		{ "SIP/2.0\r\n\r\n", SIP_KIND_INVALID, SIP_W_BAD_STATUS },
		{ "SIP/2.0 200\r\n\r\n", SIP_KIND_RESPONSE, SIP_W_STATUS_LINE },
		{ "SIP/3.0 200 OK\r\n\r\n", SIP_KIND_RESPONSE, SIP_W_BAD_VERSION },
		{ "sip/2.0 200 OK\r\n\r\n", SIP_KIND_RESPONSE, SIP_W_MISSING_HDR },
		{ "INV<ITE sip:x@y SIP/2.0\r\n\r\n", SIP_KIND_INVALID, SIP_W_BAD_METHOD },
		{ "INVITE x@y SIP/2.0\r\n\r\n", SIP_KIND_REQUEST, SIP_W_RURI_NO_SCHEME },
		{ "INVITE sip:x@y:99999 SIP/2.0\r\n\r\n", SIP_KIND_REQUEST, SIP_W_RURI_BAD },
		{ "INVITE sip:x@y SIP/2.1\r\n\r\n", SIP_KIND_REQUEST, SIP_W_BAD_VERSION },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		wire w = mk_text(cases[i].text);
		parse(w, false);
		g_test_message("case %zu", i);
		g_assert_cmpint(msg.kind, ==, cases[i].kind);
		g_assert_true(has_warning(&msg, cases[i].code));
		g_free(w.p);
	}
	/* the version is case-insensitive: "sip/2.0" alone is fine */
	wire w = mk_text("sip/2.0 200 OK\r\n\r\n");
	parse(w, false);
	g_assert_false(has_warning(&msg, SIP_W_BAD_VERSION));
	g_free(w.p);
}

static void test_header_faults(void)
{
	wire w = mk_text(
		" folded-before-anything\r\n"
		"OPTIONS sip:x@y SIP/2.0\r\n");
	parse(w, false);
	g_assert_cmpint(msg.kind, ==, SIP_KIND_INVALID);
	g_free(w.p);

	static const char with_nul[] =
		"OPTIONS sip:x@y SIP/2.0\r\n"
		" continuation first\r\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bKf\r\n"
		"Max-Forwards: 70\r\n"
		"this line has no colon\r\n"
		"Bad Name: x\r\n"
		": no name\r\n"
		"From: <sip:a@b>;tag=1\r\n"
		"To: <sip:x@y>\r\n"
		"To: <sip:z@y>\r\n"
		"Call-ID: f\r\n"
		"Call-ID: g\r\n"
		"CSeq: one OPTIONS\r\n"
		"X-Nul: a\0b\r\n"
		"X-Quoted-Nul: \"a\\\0b\"\r\n"
		"Content-Length: 0\r\n\r\n";
	w = mk_raw(with_nul, sizeof(with_nul) - 1);
	parse(w, false);
	g_assert_cmpint(msg.kind, ==, SIP_KIND_REQUEST);
	g_assert_true(has_warning(&msg, SIP_W_FOLD_FIRST));
	g_assert_true(has_warning(&msg, SIP_W_NO_COLON));
	g_assert_true(has_warning(&msg, SIP_W_BAD_HDR_NAME));
	g_assert_true(has_warning(&msg, SIP_W_EMPTY_HDR_NAME));
	g_assert_cmpuint(count_warning(&msg, SIP_W_DUP_HDR), ==, 2);
	g_assert_true(has_warning(&msg, SIP_W_CSEQ_BAD));
	g_assert_cmpuint(count_warning(&msg, SIP_W_NUL), ==, 1);
	g_assert_false(msg.has_cseq);
	assert_sv(msg.call_id, "f");           /* the first one */
	assert_sv(sip_msg_find_cstr(&msg, "Bad Name"), "x");
	for (unsigned i = 0; i < msg.n_warnings; i++) {
		g_autofree char *t = format_one(&msg.warnings[i]);
		g_test_message("%s", t);
		for (const char *p = t; *p; p++)
			g_assert_true(*p >= 0x20 && *p < 0x7f);
	}
	g_free(w.p);
}

static void test_missing_headers(void)
{
	wire w = mk_text("OPTIONS sip:x@y SIP/2.0\r\n\r\n");
	parse(w, false);
	g_assert_cmpuint(count_warning(&msg, SIP_W_MISSING_HDR), ==, 6);
	g_free(w.p);
	w = mk_text("SIP/2.0 200 OK\r\n\r\n");
	parse(w, false);
	/* no Max-Forwards in responses */
	g_assert_cmpuint(count_warning(&msg, SIP_W_MISSING_HDR), ==, 5);
	g_autofree char *t = format_one(&msg.warnings[0]);
	g_assert_cmpstr(t, ==, "mandatory header To is missing");
	g_free(w.p);
}

static void test_hostile(void)
{
	/* empty, NULL and CRLF-only input */
	sip_parse_message(SV_NULL, false, &msg);
	g_assert_cmpint(msg.kind, ==, SIP_KIND_INVALID);
	g_assert_true(has_warning(&msg, SIP_W_EMPTY));
	wire w = mk_text("\r\n\r\n\n\r\n");
	parse(w, true);
	g_assert_cmpint(msg.kind, ==, SIP_KIND_INVALID);
	g_assert_cmpuint(msg.n_warnings, ==, 1);
	g_assert_cmpuint(msg.warnings[0].code, ==, SIP_W_EMPTY);
	g_free(w.p);

	/* only a start line, no line end */
	w = mk_text("OPTIONS sip:x@y SIP/2.0");
	parse(w, false);
	g_assert_cmpint(msg.kind, ==, SIP_KIND_REQUEST);
	g_assert_true(has_warning(&msg, SIP_W_NO_END_OF_HEADERS));
	g_free(w.p);

	/* a lone CR at the very end */
	w = mk_text("OPTIONS sip:x@y SIP/2.0\r\nCall-ID: a\r\n\r");
	parse(w, false);
	assert_sv(msg.call_id, "a");
	g_assert_true(has_warning(&msg, SIP_W_NO_END_OF_HEADERS));
	g_free(w.p);

	/* a lone CR ends the start line (a damaged LF) */
	w = mk_text("CANCEL sip:x@y SIP/2.0\r7Via: SIP/2.0/UDP h;branch=z9hG4bKcr\r\n"
		"Call-ID: cr\r\nCSeq: 1 CANCEL\r\n\r\n");
	parse(w, false);
	g_assert_cmpint(msg.kind, ==, SIP_KIND_REQUEST);
	assert_sv(msg.start_line, "CANCEL sip:x@y SIP/2.0");
	assert_sv(msg.call_id, "cr");
	g_assert_true(has_warning(&msg, SIP_W_LONE_CR));
	assert_sv(sip_msg_find_cstr(&msg, "7Via"), "SIP/2.0/UDP h;branch=z9hG4bKcr");
	g_free(w.p);

	/* many warnings: the array keeps 16 and counts the rest */
	GString *s = g_string_new("OPTIONS sip:x@y SIP/2.0\r\n");
	for (int i = 0; i < 40; i++)
		g_string_append_printf(s, "no colon %d\r\n", i);
	g_string_append(s, "\r\n");
	w = mk_raw(s->str, s->len);
	parse(w, false);
	g_assert_cmpuint(msg.n_warnings, ==, SIP_MAX_WARNINGS);
	g_assert_cmpuint(msg.n_warnings_dropped, >, 0);
	g_string_free(s, TRUE);
	g_free(w.p);
}

static void test_many_headers(void)
{
	/* 10000 headers, with the summary headers and some Contacts after them */
	GString *s = g_string_new("INVITE sip:bob@biloxi.example.com SIP/2.0\r\n");
	g_string_append(s, "Via: SIP/2.0/UDP first.example.com;branch=z9hG4bKmany\r\n");
	for (int i = 0; i < 10000; i++)
		g_string_append_printf(s, "X-Filler-%d: %d\r\n", i, i);
	g_string_append(s,
		"Via: SIP/2.0/UDP second.example.com;branch=z9hG4bKlater\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:a@b>;tag=late-from\r\n"
		"To: <sip:bob@biloxi.example.com>;tag=late-to\r\n"
		"Call-ID: late-call-id\r\n"
		"CSeq: 42 INVITE\r\n"
		"Contact: <sip:c1@h>\r\n"
		"Contact: <sip:c2@h>, <sip:c3@h>\r\n"
		"X-Custom: deep\r\n"
		"Content-Length: 4\r\n\r\nbody");
	wire w = mk_raw(s->str, s->len);
	g_string_free(s, TRUE);
	parse(w, false);
	g_assert_cmpint(msg.kind, ==, SIP_KIND_REQUEST);
	g_assert_true(msg.index_full);
	g_assert_cmpuint(msg.n_headers, ==, SIP_MAX_HEADERS);
	g_assert_cmpuint(msg.n_fields, ==, 10011);
	g_assert_cmpuint(msg.n_warnings, ==, 1);
	g_assert_cmpuint(msg.warnings[0].code, ==, SIP_W_TOO_MANY_HEADERS);
	g_autofree char *t = format_one(&msg.warnings[0]);
	g_assert_cmpstr(t, ==, "10011 header fields; only the first 256 are indexed");
	assert_sv(msg.call_id, "late-call-id");
	g_assert_cmpuint(msg.cseq, ==, 42);
	assert_sv(msg.from_tag, "late-from");
	assert_sv(msg.to_tag, "late-to");
	assert_sv(msg.branch, "z9hG4bKmany");
	assert_sv(msg.body, "body");

	/* iteration past the index */
	sip_list_iter it;
	sv item;
	unsigned n = 0;
	sip_list_init(&it, &msg, SIP_HDR_CONTACT);
	while (sip_list_next(&it, &item))
		n++;
	g_assert_cmpuint(n, ==, 3);
	n = 0;
	sip_list_init(&it, &msg, SIP_HDR_VIA);
	while (sip_list_next(&it, &item))
		n++;
	g_assert_cmpuint(n, ==, 2);
	assert_sv(sip_msg_find_cstr(&msg, "X-Custom"), "deep");
	assert_sv(sip_msg_find_cstr(&msg, "X-Filler-9999"), "9999");
	assert_sv(sip_msg_find_cstr(&msg, "X-Filler-3"), "3");
	g_assert_null(sip_msg_find_cstr(&msg, "X-Absent").p);
	g_free(w.p);
}

/* Every accessor over a parsed message: for the truncation test. */
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
			uint32_t n;
			sv meth;
			sip_via_parse(item, &v);
			sip_contact_parse(item, &c);
			sip_route_parse(item, &r);
			sip_ctype_parse(item, &ct);
			sip_cseq_parse(item, &n, &meth);
		}
	}
	sdp_parse(m->body, &sdp);
	mp_parse(m->body, sip_msg_value(m, SIP_HDR_CONTENT_TYPE), &mp);
	g_string_free(s, TRUE);
}

static void test_truncated(void)
{
	wire full = mk(invite_headers, sdp_offer);
	for (size_t len = 0; len <= full.len; len++) {
		wire w = mk_raw((const char *)full.p, len);
		parse(w, len & 1);
		exercise(&msg);
		/* a cut message is never silently whole */
		if (len < full.len)
			g_assert_cmpuint(msg.n_warnings, >, 0);
		g_free(w.p);
	}
	g_free(full.p);
}

/* ---- multipart ---------------------------------------------------------------------------- */

static void test_multipart(void)
{
	static mp_body mp;
	static const char body[] =
		"This is the preamble.\r\n"
		"--outer\r\n"
		"Content-Type: application/sdp\r\n"
		"\r\n"
		"v=0\r\n"
		"--outer\r\n"
		"Content-Type: multipart/alternative; boundary=\"inner b\"\r\n"
		"\r\n"
		"--inner b\r\n"
		"\r\n"
		"no headers here\r\n"
		"--inner b\r\n"
		"Content-Type: text/html\r\n"
		"\r\n"
		"<p>x</p>\r\n"
		"--inner b--\r\n"
		"\r\n"
		"--outer--\r\n"
		"epilogue --outer\r\n";
	mp_parse(sv_make(body, sizeof(body) - 1), SV_LIT("multipart/mixed;boundary=outer"), &mp);
	g_assert_cmpuint(mp.n_warnings, ==, 0);
	g_assert_cmpuint(mp.n_parts, ==, 4);
	assert_sv(mp.parts[0].content_type, "application/sdp");
	assert_sv(mp.parts[0].body, "v=0");
	g_assert_cmpuint(mp.parts[0].depth, ==, 1);
	g_assert_true(mp.parts[1].is_multipart);
	g_assert_cmpuint(mp.parts[2].depth, ==, 2);
	g_assert_cmpint(mp.parts[2].parent, ==, 1);
	g_assert_null(mp.parts[2].content_type.p);
	g_assert_cmpuint(mp.parts[2].headers.len, ==, 0);
	assert_sv(mp.parts[2].body, "no headers here");
	assert_sv(mp.parts[3].content_type, "text/html");
	assert_sv(mp.parts[3].body, "<p>x</p>");

	/* not multipart: nothing, no warning */
	mp_parse(sv_make(body, sizeof(body) - 1), SV_LIT("application/sdp"), &mp);
	g_assert_cmpuint(mp.n_parts, ==, 0);
	g_assert_cmpuint(mp.n_warnings, ==, 0);

	/* no boundary parameter; boundary never found; no close delimiter */
	mp_parse(sv_make(body, sizeof(body) - 1), SV_LIT("multipart/mixed"), &mp);
	g_assert_cmpuint(mp.warnings[0].code, ==, SIP_W_MP_NO_BOUNDARY);
	mp_parse(sv_make(body, sizeof(body) - 1), SV_LIT("multipart/mixed;boundary=nope"), &mp);
	g_assert_cmpuint(mp.warnings[0].code, ==, SIP_W_MP_BOUNDARY_MISSING);
	/* a boundary that is only a prefix of a delimiter line is content */
	mp_parse(sv_make(body, sizeof(body) - 1), SV_LIT("multipart/mixed;boundary=out"), &mp);
	g_assert_cmpuint(mp.n_parts, ==, 0);
	static const char open[] = "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\n\r\nsecond";
	mp_parse(sv_make(open, sizeof(open) - 1), SV_LIT("multipart/mixed; boundary=b"), &mp);
	g_assert_cmpuint(mp.n_parts, ==, 2);
	assert_sv(mp.parts[1].body, "second");
	g_assert_cmpuint(mp.warnings[0].code, ==, SIP_W_MP_NO_CLOSE);

	/* LF-only line ends */
	static const char lf[] = "--b\nContent-Type: text/plain\n\nhello\n--b--\n";
	mp_parse(sv_make(lf, sizeof(lf) - 1), SV_LIT("multipart/mixed;boundary=b"), &mp);
	g_assert_cmpuint(mp.n_parts, ==, 1);
	assert_sv(mp.parts[0].body, "hello");
	g_assert_cmpuint(mp.n_warnings, ==, 0);

	/* nesting deeper than MP_MAX_DEPTH: split down to the limit, warned */
	GString *deep = g_string_new(NULL);
	for (int d = 0; d < 8; d++)
		g_string_append_printf(deep, "--b%d\r\nContent-Type: multipart/mixed;boundary=b%d\r\n\r\n", d, d + 1);
	g_string_append(deep, "--b8\r\n\r\nleaf\r\n--b8--\r\n");
	for (int d = 7; d >= 0; d--)
		g_string_append_printf(deep, "--b%d--\r\n", d);
	mp_parse(sv_make(deep->str, deep->len), SV_LIT("multipart/mixed;boundary=b0"), &mp);
	g_assert_cmpuint(mp.n_parts, ==, MP_MAX_DEPTH);
	g_assert_cmpuint(mp.parts[MP_MAX_DEPTH - 1].depth, ==, MP_MAX_DEPTH);
	g_assert_true(mp.n_warnings >= 1);
	g_assert_cmpuint(mp.warnings[mp.n_warnings - 1].code, ==, SIP_W_MP_TOO_DEEP);
	g_string_free(deep, TRUE);

	/* too many parts */
	GString *many = g_string_new(NULL);
	for (int i = 0; i < 40; i++)
		g_string_append_printf(many, "--m\r\n\r\npart %d\r\n", i);
	g_string_append(many, "--m--\r\n");
	mp_parse(sv_make(many->str, many->len), SV_LIT("multipart/mixed;boundary=m"), &mp);
	g_assert_cmpuint(mp.n_parts, ==, MP_MAX_PARTS);
	g_assert_cmpuint(mp.n_parts_dropped, ==, 40 - MP_MAX_PARTS);
	g_assert_cmpuint(mp.warnings[0].code, ==, SIP_W_MP_TOO_MANY_PARTS);
	g_string_free(many, TRUE);

	/* truncations of the nested body */
	for (size_t len = 0; len < sizeof(body) - 1; len++) {
		uint8_t *p = g_malloc(len ? len : 1);
		memcpy(p, body, len);
		mp_parse(sv_make(p, len), SV_LIT("multipart/mixed;boundary=outer"), &mp);
		g_free(p);
	}
}

static void test_warning_format(void)
{
	sip_warning w = { SIP_W_NO_COLON, 0, 0, SV_LIT("a\\b\x01\xff\"") };
	g_autofree char *t = format_one(&w);
	g_assert_cmpstr(t, ==, "header line without a colon: \"a\\\\b\\x01\\xFF\"\"");
	char big[300];
	memset(big, 'x', sizeof(big));
	w.what = sv_make(big, sizeof(big));
	g_autofree char *t2 = format_one(&w);
	g_assert_true(g_str_has_suffix(t2, "...\""));
	g_assert_cmpuint(strlen(t2), <, 130);
	/* every code has an id and a text */
	for (unsigned c = 1; c < SIP_W__COUNT; c++) {
		sip_warning x = { (uint16_t)c, 1, 2, SV_LIT("q") };
		g_autofree char *s = format_one(&x);
		g_assert_cmpuint(strlen(s), >, 0);
		g_assert_cmpstr(sip_warning_id(c), !=, "unknown");
	}
	sip_warning bad = { 9999, 0, 0, SV_NULL };
	g_autofree char *t3 = format_one(&bad);
	g_assert_cmpstr(t3, ==, "warning 9999");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sip-parse/invite-with-sdp", test_invite_with_sdp);
	g_test_add_func("/sip-parse/responses", test_responses);
	g_test_add_func("/sip-parse/ack-bye", test_ack_bye);
	g_test_add_func("/sip-parse/register-contacts", test_register_contacts);
	g_test_add_func("/sip-parse/compact-and-folding", test_compact_and_folding);
	g_test_add_func("/sip-parse/via-forms", test_via_forms);
	g_test_add_func("/sip-parse/quoted-commas", test_quoted_commas);
	g_test_add_func("/sip-parse/bare-lf", test_bare_lf_and_crlf_prefix);
	g_test_add_func("/sip-parse/content-length", test_content_length);
	g_test_add_func("/sip-parse/start-line-faults", test_start_line_faults);
	g_test_add_func("/sip-parse/header-faults", test_header_faults);
	g_test_add_func("/sip-parse/missing-headers", test_missing_headers);
	g_test_add_func("/sip-parse/hostile", test_hostile);
	g_test_add_func("/sip-parse/many-headers", test_many_headers);
	g_test_add_func("/sip-parse/truncated", test_truncated);
	g_test_add_func("/sip-parse/multipart", test_multipart);
	g_test_add_func("/sip-parse/warning-format", test_warning_format);
	return g_test_run();
}
