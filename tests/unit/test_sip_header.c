/*
 * Typed header access: names, lists, parameters, URIs, name-addr, Via,
 * CSeq, Contact, Route, Content-Type, Reason, iteration.
 */
#include <glib.h>
#include <string.h>

#include "dissect/sip.h"
#include "dissect/sip_header.h"

static sip_msg msg;

static void assert_sv(sv v, const char *want)
{
	if (want == NULL) {
		g_assert_null(v.p);
		return;
	}
	g_assert_nonnull(v.p);
	g_assert_cmpmem(v.p, v.len, want, strlen(want));
}

static sv S(const char *s)
{
	return sv_from_cstr(s);
}

static void test_names(void)
{
	static const struct { const char *name; sip_hdr_id id; } cases[] = {
		{ "i", SIP_HDR_CALL_ID }, { "I", SIP_HDR_CALL_ID }, { "m", SIP_HDR_CONTACT },
		{ "e", SIP_HDR_CONTENT_ENCODING }, { "l", SIP_HDR_CONTENT_LENGTH }, { "c", SIP_HDR_CONTENT_TYPE },
		{ "f", SIP_HDR_FROM }, { "s", SIP_HDR_SUBJECT }, { "k", SIP_HDR_SUPPORTED }, { "t", SIP_HDR_TO },
		{ "v", SIP_HDR_VIA }, { "o", SIP_HDR_EVENT }, { "u", SIP_HDR_ALLOW_EVENTS },
		{ "r", SIP_HDR_REFER_TO }, { "b", SIP_HDR_REFERRED_BY }, { "x", SIP_HDR_SESSION_EXPIRES },
		{ "y", SIP_HDR_IDENTITY }, { "a", SIP_HDR_ACCEPT_CONTACT }, { "d", SIP_HDR_REQUEST_DISPOSITION },
		{ "j", SIP_HDR_REJECT_CONTACT }, { "n", SIP_HDR_IDENTITY_INFO },
		{ "call-id", SIP_HDR_CALL_ID }, { "CALL-ID", SIP_HDR_CALL_ID }, { "cSeQ", SIP_HDR_CSEQ },
		{ "Record-Route", SIP_HDR_RECORD_ROUTE }, { "www-authenticate", SIP_HDR_WWW_AUTHENTICATE },
		{ "P-Asserted-Identity", SIP_HDR_P_ASSERTED_IDENTITY }, { "Max-Forwards", SIP_HDR_MAX_FORWARDS },
		{ "X-Call-ID", SIP_HDR_UNKNOWN }, { "z", SIP_HDR_UNKNOWN }, { "", SIP_HDR_UNKNOWN },
		{ "Call-IDs", SIP_HDR_UNKNOWN }, { "7", SIP_HDR_UNKNOWN }, { "C%6Fntact", SIP_HDR_UNKNOWN },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		g_assert_cmpint(sip_hdr_lookup(S(cases[i].name)), ==, cases[i].id);
	/* every known name maps back to its id */
	for (unsigned id = 1; id < SIP_HDR__COUNT; id++) {
		g_assert_cmpint(sip_hdr_lookup(S(sip_hdr_name(id))), ==, id);
		g_autofree char *up = g_ascii_strup(sip_hdr_name(id), -1);
		g_assert_cmpint(sip_hdr_lookup(S(up)), ==, id);
	}
	g_assert_cmpstr(sip_hdr_name(SIP_HDR_CSEQ), ==, "CSeq");
	g_assert_cmpstr(sip_hdr_name(SIP_HDR_UNKNOWN), ==, "");
	g_assert_cmpstr(sip_hdr_name(5000), ==, "");
	g_assert_true(sip_hdr_is_list(SIP_HDR_VIA));
	g_assert_true(sip_hdr_is_list(SIP_HDR_ROUTE));
	g_assert_false(sip_hdr_is_list(SIP_HDR_DATE));
	g_assert_false(sip_hdr_is_list(SIP_HDR_CALL_ID));
	g_assert_true(sip_is_token(S("!interesting-Method0123456789_*+`.%indeed'~")));
	g_assert_false(sip_is_token(S("a b")));
	g_assert_false(sip_is_token(S("")));
	g_assert_false(sip_is_token(S("a:b")));
}

static void test_list_split(void)
{
	sv rest = S(" a , \"b,c\\\",d\" <x,y> ,, <p;q=1,2>,e, ");
	sv item;
	const char *want[] = { "a", "\"b,c\\\",d\" <x,y>", "", "<p;q=1,2>", "e", "" };
	unsigned n = 0;
	while (sip_list_split(&rest, &item)) {
		g_assert_cmpuint(n, <, G_N_ELEMENTS(want));
		assert_sv(item, want[n++]);
	}
	g_assert_cmpuint(n, ==, G_N_ELEMENTS(want));

	rest = S("");
	g_assert_true(sip_list_split(&rest, &item));
	g_assert_cmpuint(item.len, ==, 0);
	g_assert_false(sip_list_split(&rest, &item));

	/* an unterminated quote swallows the rest */
	rest = S("\"open, x, y");
	g_assert_true(sip_list_split(&rest, &item));
	assert_sv(item, "\"open, x, y");
	g_assert_false(sip_list_split(&rest, &item));

	rest = SV_NULL;
	g_assert_false(sip_list_split(&rest, &item));
}

static void test_params(void)
{
	sv rest = S(" ; tag = abc ;lr; Q=\"x;y\\\"z\" ;;received=[2001:db8::1];empty=");
	sip_param p;
	g_assert_true(sip_param_next(&rest, &p));
	assert_sv(p.name, "tag");
	assert_sv(p.value, "abc");
	g_assert_true(p.has_value);
	g_assert_true(sip_param_next(&rest, &p));
	assert_sv(p.name, "lr");
	g_assert_false(p.has_value);
	g_assert_nonnull(p.value.p);
	g_assert_cmpuint(p.value.len, ==, 0);
	g_assert_true(sip_param_next(&rest, &p));
	assert_sv(p.name, "Q");
	g_assert_true(p.quoted);
	assert_sv(p.value, "x;y\\\"z");
	g_assert_true(sip_param_next(&rest, &p));
	g_assert_cmpuint(p.name.len, ==, 0);
	g_assert_true(sip_param_next(&rest, &p));
	assert_sv(p.value, "[2001:db8::1]");
	g_assert_true(sip_param_next(&rest, &p));
	assert_sv(p.name, "empty");
	g_assert_true(p.has_value);
	g_assert_cmpuint(p.value.len, ==, 0);
	g_assert_false(sip_param_next(&rest, &p));

	sv v;
	g_assert_true(sip_param_get(S(";a=1;TAG=x;b"), "tag", &v));
	assert_sv(v, "x");
	g_assert_true(sip_param_get(S(";a=1;TAG=x;b"), "B", &v));
	g_assert_false(sip_param_get(S(";a=1;TAG=x;b"), "c", &v));
	g_assert_false(sip_param_get(S("junk;tag=1"), "tag", &v));
	g_assert_false(sip_param_get(SV_NULL, "tag", &v));
	/* unterminated quoted value */
	g_assert_true(sip_param_get(S(";x=\"abc"), "x", &v));
	assert_sv(v, "abc");
}

static void test_uri(void)
{
	sip_uri u;
	sv v;
	g_assert_true(sip_uri_parse(S("sip:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent"), &u));
	g_assert_cmpint(u.scheme, ==, SIP_URI_SIP);
	assert_sv(u.scheme_name, "sip");
	assert_sv(u.user, "alice");
	assert_sv(u.password, "secret");
	assert_sv(u.host, "atlanta.example.com");
	assert_sv(u.hostport, "atlanta.example.com:5061");
	g_assert_true(u.has_port);
	g_assert_cmpuint(u.port, ==, 5061);
	assert_sv(u.params, ";transport=tcp;lr");
	assert_sv(u.headers, "subject=project%20x&priority=urgent");
	g_assert_true(sip_uri_param(&u, "transport", &v));
	assert_sv(v, "tcp");
	g_assert_true(sip_uri_param(&u, "lr", &v));
	g_assert_false(sip_uri_param(&u, "maddr", &v));

	g_assert_true(sip_uri_parse(S("SIPS:[2001:db8::1]:5061;maddr=239.255.255.1;user=ip"), &u));
	g_assert_cmpint(u.scheme, ==, SIP_URI_SIPS);
	g_assert_null(u.user.p);
	g_assert_true(u.host_ipv6);
	assert_sv(u.host, "2001:db8::1");
	assert_sv(u.hostport, "[2001:db8::1]:5061");
	g_assert_cmpuint(u.port, ==, 5061);
	g_assert_true(sip_uri_param(&u, "maddr", &v));
	assert_sv(v, "239.255.255.1");
	g_assert_null(u.headers.p);

	g_assert_true(sip_uri_parse(S("sip:+1-212-555-1212;phone-context=x@gw.example.com;user=phone"), &u));
	assert_sv(u.user, "+1-212-555-1212;phone-context=x");
	assert_sv(u.host, "gw.example.com");
	g_assert_false(u.has_port);

	g_assert_true(sip_uri_parse(S("tel:+1-201-555-0123;phone-context=example.com"), &u));
	g_assert_cmpint(u.scheme, ==, SIP_URI_TEL);
	assert_sv(u.user, "+1-201-555-0123");
	g_assert_true(sip_uri_param(&u, "phone-context", &v));

	g_assert_true(sip_uri_parse(S("urn:service:sos"), &u));
	g_assert_cmpint(u.scheme, ==, SIP_URI_OTHER);
	assert_sv(u.opaque, "service:sos");

	g_assert_false(sip_uri_parse(S("no-scheme-here"), &u));
	g_assert_false(sip_uri_parse(S(":x"), &u));
	g_assert_false(sip_uri_parse(S("1sip:x"), &u));
	g_assert_false(sip_uri_parse(S("sip:"), &u));
	g_assert_false(sip_uri_parse(S("sip:user@"), &u));
	g_assert_false(sip_uri_parse(S("sip:host:99999"), &u));
	g_assert_false(sip_uri_parse(S("sip:host:"), &u));
	g_assert_false(sip_uri_parse(S("sip:[2001:db8::1"), &u));
	g_assert_false(sip_uri_parse(S("sip:host:50x"), &u));
	g_assert_false(sip_uri_parse(SV_NULL, &u));
}

static void test_addr(void)
{
	sip_addr a;
	sv tag;
	g_assert_true(sip_addr_parse(S("\"A. G. Bell\" <sip:agb@bell-telephone.com> ;tag=a48s"), &a));
	g_assert_true(a.display_quoted);
	assert_sv(a.display, "A. G. Bell");
	g_assert_true(a.angle);
	assert_sv(a.uri, "sip:agb@bell-telephone.com");
	g_assert_true(sip_param_get(a.params, "tag", &tag));
	assert_sv(tag, "a48s");
	g_assert_cmpuint(a.flaws, ==, 0);

	g_assert_true(sip_addr_parse(S("Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8"), &a));
	assert_sv(a.display, "Anonymous");
	g_assert_false(a.display_quoted);

	/* addr-spec: the parameters belong to the header (RFC 3261 §20.10) */
	g_assert_true(sip_addr_parse(S("sip:+12125551212@server.phone2net.com;tag=887s"), &a));
	g_assert_null(a.display.p);
	g_assert_false(a.angle);
	assert_sv(a.uri, "sip:+12125551212@server.phone2net.com");
	g_assert_true(sip_param_get(a.params, "tag", &tag));
	assert_sv(tag, "887s");

	g_assert_true(sip_addr_parse(S("<sip:x@y;transport=tcp>;tag=1"), &a));
	assert_sv(a.uri, "sip:x@y;transport=tcp");
	g_assert_null(a.display.p);
	g_assert_true(sip_param_get(a.params, "tag", &tag));

	g_assert_true(sip_addr_parse(S(" * "), &a));
	g_assert_true(a.star);

	/* flaws */
	g_assert_false(sip_addr_parse(S("\"open <sip:x@y>"), &a));
	g_assert_cmphex(a.flaws, ==, SIP_ADDR_F_UNTERMINATED_QUOTE);
	g_assert_false(sip_addr_parse(S("<sip:x@y"), &a));
	g_assert_cmphex(a.flaws, ==, SIP_ADDR_F_NO_RAQUOT);
	g_assert_true(sip_addr_parse(S("< sip:x@y >"), &a));
	g_assert_cmphex(a.flaws, ==, SIP_ADDR_F_URI_SPACE);
	assert_sv(a.uri, "sip:x@y");
	g_assert_true(sip_addr_parse(S("Watson, Thomas <sip:t@y>"), &a));
	g_assert_cmphex(a.flaws, ==, SIP_ADDR_F_DISPLAY_CHARS);
	g_assert_true(sip_addr_parse(S("sip:u@h?Route=%3Csip:x%3E"), &a));
	g_assert_cmphex(a.flaws, ==, SIP_ADDR_F_NEEDS_ANGLE);
	g_assert_true(sip_addr_parse(S("<sip:u@h>;;tag=1"), &a));
	g_assert_cmphex(a.flaws, ==, SIP_ADDR_F_EMPTY_PARAM);
	g_assert_true(sip_param_get(a.params, "tag", &tag));
	g_assert_true(sip_addr_parse(S("<sip:u@h> junk"), &a));
	g_assert_cmphex(a.flaws, ==, SIP_ADDR_F_JUNK);
	g_assert_false(sip_addr_parse(S("<>"), &a));
	g_assert_cmphex(a.flaws, ==, SIP_ADDR_F_NO_URI);
	g_assert_false(sip_addr_parse(S("\"name only\""), &a));
	g_assert_false(sip_addr_parse(S(""), &a));
	g_assert_false(sip_addr_parse(S(";tag=1"), &a));
	for (unsigned bit = 1; bit <= SIP_ADDR_F_JUNK; bit <<= 1)
		g_assert_cmpstr(sip_addr_flaw_text(bit), !=, "malformed");

	GString *s = g_string_new(NULL);
	sip_unquote_append(S("a\\\"b\\\\c\\"), s);
	g_assert_cmpstr(s->str, ==, "a\"b\\c\\");
	g_string_free(s, TRUE);
}

static void test_via(void)
{
	sip_via v;
	g_assert_true(sip_via_parse(S("SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5066;maddr=224.2.0.1;ttl=16"), &v));
	assert_sv(v.protocol_name, "SIP");
	assert_sv(v.protocol_version, "2.0");
	assert_sv(v.transport, "UDP");
	assert_sv(v.sent_by, "pc33.atlanta.com:5066");
	assert_sv(v.host, "pc33.atlanta.com");
	g_assert_cmpuint(v.port, ==, 5066);
	assert_sv(v.branch, "z9hG4bK776asdhds");
	assert_sv(v.received, "192.0.2.1");
	g_assert_true(v.has_rport);
	assert_sv(v.rport, "5066");
	assert_sv(v.maddr, "224.2.0.1");
	g_assert_true(v.has_ttl);
	g_assert_cmpuint(v.ttl, ==, 16);

	g_assert_true(sip_via_parse(S("SIP / 2.0 / TCP [2001:db8::9] : 5060 ; rport ; branch=z9hG4bKx"), &v));
	g_assert_true(v.host_ipv6);
	assert_sv(v.host, "2001:db8::9");
	assert_sv(v.sent_by, "[2001:db8::9] : 5060");
	g_assert_cmpuint(v.port, ==, 5060);
	g_assert_true(v.has_rport);
	g_assert_cmpuint(v.rport.len, ==, 0);
	g_assert_null(v.received.p);
	g_assert_false(v.has_maddr);

	g_assert_true(sip_via_parse(S("SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKrK5ZqboSAlEXt0;rport"), &v));
	assert_sv(v.transport, "WS");
	g_assert_false(v.has_port);

	g_assert_true(sip_via_parse(S("SIP/2.0/UDP h;;branch=1"), &v));
	g_assert_true(v.empty_param);

	g_assert_false(sip_via_parse(S("SIP/2.0 h"), &v));
	g_assert_false(sip_via_parse(S("SIP/2.0/UDP"), &v));
	g_assert_false(sip_via_parse(S("SIP/2.0/UDPhost"), &v));
	g_assert_false(sip_via_parse(S("SIP/2.0/UDP host:port"), &v));
	g_assert_false(sip_via_parse(S("SIP/2.0/UDP [::1"), &v));
	g_assert_false(sip_via_parse(S("SIP/2.0/UDP host junk"), &v));
	g_assert_false(sip_via_parse(S(";"), &v));
	g_assert_false(sip_via_parse(S(""), &v));
}

static void test_scalars(void)
{
	uint32_t n;
	sv m;
	g_assert_true(sip_cseq_parse(S("4294967295 INVITE"), &n, &m));
	g_assert_cmpuint(n, ==, 4294967295u);
	assert_sv(m, "INVITE");
	g_assert_true(sip_cseq_parse(S(" 0009\r\n  INVITE "), &n, &m));
	g_assert_cmpuint(n, ==, 9);
	g_assert_true(sip_cseq_parse(S("1\tACK"), &n, &m));
	g_assert_false(sip_cseq_parse(S("4294967296 INVITE"), &n, &m));
	g_assert_false(sip_cseq_parse(S("1INVITE"), &n, &m));
	g_assert_false(sip_cseq_parse(S("1"), &n, &m));
	g_assert_false(sip_cseq_parse(S("INVITE"), &n, &m));
	g_assert_false(sip_cseq_parse(S("1 INVITE x"), &n, &m));
	g_assert_false(sip_cseq_parse(S("-1 INVITE"), &n, &m));
	g_assert_false(sip_cseq_parse(S(""), &n, &m));

	g_assert_true(sip_uint_parse(S(" 70 "), 255, &n));
	g_assert_cmpuint(n, ==, 70);
	g_assert_false(sip_uint_parse(S("256"), 255, &n));
	g_assert_false(sip_uint_parse(S("7 0"), 255, &n));
	g_assert_false(sip_uint_parse(S("+7"), 255, &n));
	g_assert_false(sip_uint_parse(SV_NULL, 255, &n));
}

static void test_contact_route(void)
{
	static const struct { const char *q; bool ok; unsigned milli; } qs[] = {
		{ "0", true, 0 }, { "1", true, 1000 }, { "0.5", true, 500 }, { "0.123", true, 123 },
		{ "1.0", true, 1000 }, { "1.000", true, 1000 }, { "1.5", false, 0 }, { "0.1234", false, 0 },
		{ "2", false, 0 }, { ".5", false, 0 }, { "0.x", false, 0 }, { "", false, 0 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(qs); i++) {
		g_autofree char *v = g_strdup_printf("<sip:a@b>;q=%s", qs[i].q);
		sip_contact c;
		g_assert_true(sip_contact_parse(S(v), &c));
		g_assert_cmpint(c.has_q, ==, qs[i].ok);
		if (qs[i].ok)
			g_assert_cmpuint(c.q, ==, qs[i].milli);
	}
	sip_contact c;
	g_assert_true(sip_contact_parse(S("<sip:a@b>;expires=4294967295;+sip.instance=\"<urn:uuid:1>\""), &c));
	g_assert_cmpuint(c.expires, ==, 4294967295u);
	sv inst;
	g_assert_true(sip_param_get(c.addr.params, "+sip.instance", &inst));
	assert_sv(inst, "<urn:uuid:1>");
	g_assert_true(sip_contact_parse(S("<sip:a@b>;expires=4294967296"), &c));
	g_assert_false(c.has_expires);
	g_assert_false(sip_contact_parse(S("\"x"), &c));
	/* the first q and the first expires count, in any case and order,
	 * even when they are bad and a later one is not */
	g_assert_true(sip_contact_parse(S("<sip:a@b>;EXPIRES=60;lr;Q=0.5;q=0.9;expires=3600"), &c));
	g_assert_true(c.has_q);
	g_assert_cmpuint(c.q, ==, 500);
	g_assert_true(c.has_expires);
	g_assert_cmpuint(c.expires, ==, 60);
	g_assert_true(sip_contact_parse(S("<sip:a@b>;q=2;expires=x;q=1;expires=60"), &c));
	g_assert_false(c.has_q);
	g_assert_false(c.has_expires);
	g_assert_true(sip_contact_parse(S("sip:a@b;qq=1;expiress=5;q"), &c));
	g_assert_false(c.has_q);
	g_assert_false(c.has_expires);

	sip_route r;
	g_assert_true(sip_route_parse(S("<sip:p1.example.com;lr>"), &r));
	g_assert_true(r.lr);
	g_assert_true(sip_route_parse(S("<sip:p2.example.com;maddr=10.0.0.1>"), &r));
	g_assert_false(r.lr);
	g_assert_true(sip_route_parse(S("\"Proxy\" <sips:[2001:db8::5]:5061;lr;transport=tls>;x=y"), &r));
	g_assert_true(r.lr);
	g_assert_true(r.uri.host_ipv6);
	g_assert_false(sip_route_parse(S("*"), &r));
	g_assert_false(sip_route_parse(S("<nonsense>"), &r));
}

static void test_ctype_reason(void)
{
	sip_ctype ct;
	sv v;
	g_assert_true(sip_ctype_parse(S("Multipart/Mixed ; boundary=\"simple boundary\" ;charset=UTF-8"), &ct));
	assert_sv(ct.type, "Multipart");
	assert_sv(ct.subtype, "Mixed");
	g_assert_true(sip_ctype_is(&ct, "multipart", "mixed"));
	g_assert_true(sip_ctype_is(&ct, "MULTIPART", NULL));
	g_assert_false(sip_ctype_is(&ct, "application", NULL));
	g_assert_true(sip_ctype_param(&ct, "BOUNDARY", &v));
	assert_sv(v, "simple boundary");
	g_assert_true(sip_ctype_param(&ct, "charset", &v));
	assert_sv(v, "UTF-8");
	g_assert_true(sip_ctype_parse(S("application / sdp"), &ct));
	g_assert_true(sip_ctype_is(&ct, "application", "sdp"));
	g_assert_false(sip_ctype_parse(S("application"), &ct));
	g_assert_false(sip_ctype_parse(S("/sdp"), &ct));
	g_assert_false(sip_ctype_parse(S("application/"), &ct));

	sip_reason r;
	g_assert_true(sip_reason_parse(S("SIP ;cause=200 ;text=\"Call completed elsewhere\""), &r));
	assert_sv(r.protocol, "SIP");
	g_assert_true(r.has_cause);
	g_assert_cmpuint(r.cause, ==, 200);
	assert_sv(r.text, "Call completed elsewhere");
	g_assert_true(sip_reason_parse(S("Q.850"), &r));
	g_assert_false(r.has_cause);
	g_assert_null(r.text.p);
	g_assert_true(sip_reason_parse(S("SIP;cause=abc"), &r));
	g_assert_false(r.has_cause);
	g_assert_false(sip_reason_parse(S(";cause=1"), &r));
}

static void test_iteration(void)
{
	static const char text[] =
		"NOTIFY sip:x@y SIP/2.0\r\n"
		"Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\n"
		"x-custom: one\r\n"
		"v: SIP/2.0/UDP b;branch=z9hG4bK2, SIP/2.0/UDP c;branch=z9hG4bK3\r\n"
		"Supported: timer\r\n"
		"X-Custom: two\r\n"
		"k: replaces, 100rel\r\n"
		"VIA: SIP/2.0/UDP d;branch=z9hG4bK4\r\n"
		"o: presence\r\n"
		"Content-Length: 0\r\n\r\n";
	sip_parse_message(sv_make(text, sizeof(text) - 1), false, &msg);
	g_assert_cmpuint(sip_msg_count(&msg, SIP_HDR_VIA), ==, 3);
	g_assert_cmpuint(sip_msg_count(&msg, SIP_HDR_SUPPORTED), ==, 2);
	g_assert_cmpuint(sip_msg_count(&msg, SIP_HDR_EVENT), ==, 1);
	g_assert_cmpuint(sip_msg_count(&msg, SIP_HDR_ROUTE), ==, 0);

	sip_hdr_iter it;
	sip_header h;
	const char *names[] = { "Via", "v", "VIA" };
	unsigned n = 0;
	sip_hdr_iter_init_name(&it, &msg, S("V"));
	while (sip_hdr_iter_next(&it, &h))
		assert_sv(h.name, names[n++]);
	g_assert_cmpuint(n, ==, 3);

	n = 0;
	sip_hdr_iter_init_name(&it, &msg, S("X-CUSTOM"));
	while (sip_hdr_iter_next(&it, &h)) {
		assert_sv(h.value, n == 0 ? "one" : "two");
		g_assert_cmpuint(h.id, ==, SIP_HDR_UNKNOWN);
		n++;
	}
	g_assert_cmpuint(n, ==, 2);

	sip_list_iter li;
	sv item;
	const char *supported[] = { "timer", "replaces", "100rel" };
	n = 0;
	sip_list_init_name(&li, &msg, S("supported"));
	while (sip_list_next(&li, &item))
		assert_sv(item, supported[n++]);
	g_assert_cmpuint(n, ==, 3);

	n = 0;
	sip_list_init(&li, &msg, SIP_HDR_VIA);
	while (sip_list_next(&li, &item))
		n++;
	g_assert_cmpuint(n, ==, 4);

	sip_hdr_iter_init(&it, &msg, SIP_HDR_ROUTE);
	g_assert_false(sip_hdr_iter_next(&it, &h));
	sip_hdr_iter_init(&it, &msg, SIP_HDR_UNKNOWN);
	g_assert_false(sip_hdr_iter_next(&it, &h));
	sip_hdr_iter_init_name(&it, &msg, SV_NULL);
	g_assert_false(sip_hdr_iter_next(&it, &h));
	g_assert_true(sip_msg_header(&msg, SIP_HDR_EVENT, &h));
	assert_sv(h.name, "o");
	assert_sv(sip_header_field(&h), "o: presence");
	g_assert_false(sip_msg_header(&msg, SIP_HDR_ROUTE, &h));
	g_assert_null(sip_msg_value(&msg, SIP_HDR_ROUTE).p);
	g_assert_null(sip_msg_value(&msg, SIP_HDR_UNKNOWN).p);
	assert_sv(sip_msg_find_cstr(&msg, "event"), "presence");

	sip_via v;
	g_assert_true(sip_msg_via_top(&msg, &v));
	assert_sv(v.branch, "z9hG4bK1");
	uint32_t e;
	g_assert_false(sip_msg_expires(&msg, &e));
	sip_addr a;
	g_assert_false(sip_msg_from(&msg, &a));
}

/* Methods by code: each name exactly (case-sensitive, RFC 3261 §7.1),
 * nothing that only starts or ends like one. */
static void test_methods(void)
{
	for (unsigned code = 1; code < SIP_METHOD__COUNT; code++) {
		const char *name = sip_method_name(code);
		size_t n = strlen(name);
		g_assert_cmpuint(n, >=, 3);
		g_assert_cmpint(sip_method_lookup(sv_make(name, n)), ==, code);
		/* in a longer buffer, as on the wire */
		g_autofree char *wire = g_strdup_printf("%s sip:a@b SIP/2.0", name);
		g_assert_cmpint(sip_method_lookup(sv_make(wire, n)), ==, code);
		/* one byte changed anywhere, one more or one fewer */
		for (size_t i = 0; i < n; i++) {
			g_autofree char *other = g_strdup(name);
			other[i] = (char)(other[i] ^ 0x20);   /* the other case */
			g_assert_cmpint(sip_method_lookup(sv_make(other, n)), ==, SIP_METHOD_OTHER);
			other[i] = 'X';
			if (strcmp(other, name) != 0)
				g_assert_cmpint(sip_method_lookup(sv_make(other, n)), ==, SIP_METHOD_OTHER);
		}
		g_assert_cmpint(sip_method_lookup(sv_make(wire, n + 1)), ==, SIP_METHOD_OTHER);
		g_assert_cmpint(sip_method_lookup(sv_make(name, n - 1)), ==, SIP_METHOD_OTHER);
	}
	g_assert_cmpint(sip_method_lookup(SV_LIT("FOO")), ==, SIP_METHOD_OTHER);
	g_assert_cmpint(sip_method_lookup(SV_LIT("SUBSCRIBEX")), ==, SIP_METHOD_OTHER);
	g_assert_cmpint(sip_method_lookup(SV_LIT("IN")), ==, SIP_METHOD_OTHER);
	g_assert_cmpint(sip_method_lookup(SV_NULL), ==, SIP_METHOD_OTHER);
}

/* Linear white space as the parsers test it: SP, HTAB, CR, LF, and
 * nothing else of any int (EOF and values past a byte included). */
static void test_lws(void)
{
	for (int c = -300; c < 600; c++)
		g_assert_cmpint(sip_is_lws(c), ==, c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sip-header/names", test_names);
	g_test_add_func("/sip-header/lws", test_lws);
	g_test_add_func("/sip-header/methods", test_methods);
	g_test_add_func("/sip-header/list-split", test_list_split);
	g_test_add_func("/sip-header/params", test_params);
	g_test_add_func("/sip-header/uri", test_uri);
	g_test_add_func("/sip-header/addr", test_addr);
	g_test_add_func("/sip-header/via", test_via);
	g_test_add_func("/sip-header/scalars", test_scalars);
	g_test_add_func("/sip-header/contact-route", test_contact_route);
	g_test_add_func("/sip-header/ctype-reason", test_ctype_reason);
	g_test_add_func("/sip-header/iteration", test_iteration);
	return g_test_run();
}
