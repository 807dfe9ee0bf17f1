/*
 * fuzz_sip_parse.c — libFuzzer harness: one SIP message.
 *
 * The input is parsed as a datagram and as a stream message; every typed
 * accessor of dissect/sip_header.h is then run over every header field
 * (each parser on every value, so each sees arbitrary bytes, and the list
 * headers item by item), the body goes through the SDP and multipart
 * parsers (and SDP through each part), and every warning is formatted.
 *
 * Checks beyond "no crash": the message's views lie inside the input, and
 * formatted warnings are printable ASCII.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dissect/multipart.h"
#include "dissect/sdp.h"
#include "dissect/sip.h"
#include "dissect/sip_header.h"
#include "fuzz_util.h"
#include "output/json.h"
#include "output/textesc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sip_msg *msg;
static sdp_session *sdp;
static mp_body *mp;
static GString *text;

static void check_warnings(const sip_warning *w, unsigned n, sv raw, const char *what)
{
	for (unsigned i = 0; i < n; i++) {
		if (w[i].code >= SIP_W__COUNT)
			fuzz_fail("%s: warning code %u out of range", what, w[i].code);
		/* Quoted wire bytes, but for the attribute kind of SDP_TOO_MANY. */
		if (w[i].code == SIP_W_SDP_TOO_MANY)
			fuzz_touch(w[i].what);
		else
			fuzz_check_within(w[i].what, raw, what);
		g_string_truncate(text, 0);
		sip_warning_format(&w[i], text);
		if (text->len == 0)
			fuzz_fail("%s: warning %s formats as nothing", what, sip_warning_id(w[i].code));
		fuzz_check_ascii(text->str, text->len, "sip_warning_format");
		fuzz_touch_str(sip_warning_id(w[i].code));
	}
}

static void run_uri(sv text_uri)
{
	sip_uri u;
	if (!sip_uri_parse(text_uri, &u))
		return;
	fuzz_check_within(u.user, text_uri, "uri.user");
	fuzz_check_within(u.host, text_uri, "uri.host");
	fuzz_check_within(u.hostport, text_uri, "uri.hostport");
	fuzz_check_within(u.params, text_uri, "uri.params");
	fuzz_check_within(u.headers, text_uri, "uri.headers");
	fuzz_check_within(u.opaque, text_uri, "uri.opaque");
	fuzz_touch(u.password);
	fuzz_touch(u.scheme_name);
	sv v;
	static const char *const names[] = { "transport", "lr", "maddr", "user", "method", "ttl" };
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (sip_uri_param(&u, names[i], &v))
			fuzz_touch(v);
}

static void run_params(sv params)
{
	sv rest = params;
	sip_param p;
	unsigned guard = 0;
	while (sip_param_next(&rest, &p)) {
		fuzz_touch(p.name);
		fuzz_touch(p.value);
		if (++guard > params.len + 2)
			fuzz_fail("sip_param_next does not advance");
	}
	sv v;
	if (sip_param_get(params, "tag", &v))
		fuzz_touch(v);
	if (sip_param_find(params, "branch", &p))
		fuzz_touch(p.value);
}

static void run_addr(sv value)
{
	sip_addr a;
	bool ok = sip_addr_parse(value, &a);
	for (unsigned bit = 1; bit && bit <= a.flaws; bit <<= 1)
		if (a.flaws & bit)
			fuzz_touch_str(sip_addr_flaw_text(bit));
	if (!ok)
		return;
	fuzz_check_within(a.uri, value, "addr.uri");
	fuzz_check_within(a.display, value, "addr.display");
	fuzz_check_within(a.params, value, "addr.params");
	if (a.display.p && a.display_quoted) {
		g_string_truncate(text, 0);
		sip_unquote_append(a.display, text);
	}
	run_uri(a.uri);
	run_params(a.params);
}

/* Every value parser on one value: each must cope with any bytes. */
static void run_value(sv value)
{
	fuzz_touch(value);
	run_addr(value);

	sip_via via;
	if (sip_via_parse(value, &via)) {
		fuzz_check_within(via.sent_by, value, "via.sent_by");
		fuzz_check_within(via.host, value, "via.host");
		fuzz_check_within(via.branch, value, "via.branch");
		fuzz_check_within(via.params, value, "via.params");
		fuzz_touch(via.received);
		fuzz_touch(via.maddr);
		fuzz_touch(via.rport);
		run_params(via.params);
	}
	sip_contact c;
	if (sip_contact_parse(value, &c))
		fuzz_touch(c.addr.uri);
	sip_route r;
	if (sip_route_parse(value, &r)) {
		fuzz_touch(r.uri.host);
		fuzz_touch(r.addr.uri);
	}
	uint32_t n;
	sv method;
	if (sip_cseq_parse(value, &n, &method))
		fuzz_check_within(method, value, "cseq.method");
	(void)sip_uint_parse(value, UINT32_MAX, &n);
	(void)sip_uint_parse(value, 70, &n);
	sip_ctype ct;
	if (sip_ctype_parse(value, &ct)) {
		fuzz_check_within(ct.type, value, "ctype.type");
		fuzz_check_within(ct.subtype, value, "ctype.subtype");
		sv v;
		if (sip_ctype_param(&ct, "boundary", &v))
			fuzz_touch(v);
		(void)sip_ctype_is(&ct, "multipart", NULL);
		(void)sip_ctype_is(&ct, "application", "sdp");
	}
	sip_reason rs;
	if (sip_reason_parse(value, &rs)) {
		fuzz_touch(rs.protocol);
		fuzz_touch(rs.text);
		run_params(rs.params);
	}
	run_uri(value);
	run_params(value);

	sv rest = value, item;
	unsigned guard = 0;
	while (sip_list_split(&rest, &item)) {
		fuzz_check_within(item, value, "list item");
		if (++guard > value.len + 2)
			fuzz_fail("sip_list_split does not advance");
	}
}

static void run_lists(const sip_msg *m)
{
	static const sip_hdr_id lists[] = { SIP_HDR_VIA, SIP_HDR_CONTACT, SIP_HDR_ROUTE,
					    SIP_HDR_RECORD_ROUTE, SIP_HDR_REASON, SIP_HDR_ALLOW,
					    SIP_HDR_SUPPORTED, SIP_HDR_PATH };
	for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
		sip_list_iter it;
		sv item;
		sip_list_init(&it, m, lists[i]);
		unsigned guard = 0;
		while (sip_list_next(&it, &item)) {
			fuzz_check_within(item, m->raw, "list item");
			run_value(item);
			if (++guard > m->raw.len + 2)
				fuzz_fail("sip_list_next does not advance");
		}
	}
	sip_list_iter it;
	sv item;
	sip_list_init_name(&it, m, SV_LIT("X-Custom"));
	while (sip_list_next(&it, &item))
		fuzz_touch(item);
}

static void run_message(const sip_msg *m, sv raw)
{
	if (!sv_eq(m->raw, raw) || m->raw.p != raw.p)
		fuzz_fail("msg.raw is not the input");
	const sv fields[] = { m->method, m->request_uri, m->reason, m->call_id, m->cseq_method,
			      m->from_tag, m->to_tag, m->branch, m->via_sent_by, m->via_transport,
			      m->body, m->start_line, m->version, m->header_block };
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
		fuzz_check_within(fields[i], raw, "msg summary field");
	if (m->n_warnings > SIP_MAX_WARNINGS || m->n_headers > SIP_MAX_HEADERS ||
	    m->n_headers > m->n_fields)
		fuzz_fail("msg counters out of range");
	check_warnings(m->warnings, m->n_warnings, raw, "sip warnings");
	g_string_truncate(text, 0);
	sip_msg_format_warnings(m, text);
	fuzz_check_text(text->str, text->len, true, "sip_msg_format_warnings");

	for (unsigned i = 0; i < m->n_headers; i++) {
		const sip_header *h = &m->headers[i];
		fuzz_check_within(h->name, raw, "header name");
		fuzz_check_within(h->value, raw, "header value");
		fuzz_check_within(sip_header_field(h), raw, "header field");
		(void)sip_hdr_lookup(h->name);
		(void)sip_is_token(h->name);
		run_value(h->value);
	}
	/* Past the index the iterators scan the header block. */
	for (unsigned id = 0; id < SIP_HDR__COUNT; id++) {
		fuzz_touch_str(sip_hdr_name(id));
		(void)sip_hdr_is_list(id);
		fuzz_check_within(sip_msg_value(m, id), raw, "first value");
		if (id == SIP_HDR_UNKNOWN)
			continue;
		sip_hdr_iter it;
		sip_header h;
		sip_hdr_iter_init(&it, m, id);
		unsigned n = 0;
		while (sip_hdr_iter_next(&it, &h)) {
			fuzz_check_within(h.value, raw, "iterated value");
			if (m->index_full)
				run_value(h.value);
			if (++n > m->n_fields)
				fuzz_fail("iterator returns more fields than the message has");
		}
		(void)sip_msg_count(m, id);
		fuzz_touch(sip_msg_value(m, id));
		if (sip_msg_header(m, id, &h))
			fuzz_touch(h.value);
	}
	sip_hdr_iter it;
	sip_header h;
	sip_hdr_iter_init_name(&it, m, SV_LIT("X-Call-ID"));
	while (sip_hdr_iter_next(&it, &h))
		fuzz_touch(h.value);
	fuzz_touch(sip_msg_find_cstr(m, "P-Charging-Vector"));
	fuzz_touch(sip_msg_find(m, SV_LIT("v")));

	run_lists(m);

	sip_addr a;
	if (sip_msg_from(m, &a))
		fuzz_touch(a.uri);
	if (sip_msg_to(m, &a))
		fuzz_touch(a.uri);
	sip_via via;
	if (sip_msg_via_top(m, &via))
		fuzz_touch(via.sent_by);
	uint32_t exp;
	(void)sip_msg_expires(m, &exp);
	run_uri(m->request_uri);

	/* The body, whatever its type, then as the Content-Type says. */
	sdp_parse(m->body, sdp);
	check_warnings(sdp->warnings, sdp->n_warnings, m->body, "sdp warnings");
	sv ct = sip_msg_value(m, SIP_HDR_CONTENT_TYPE);
	mp_parse(m->body, ct, mp);
	if (mp->n_parts > MP_MAX_PARTS || mp->n_warnings > MP_MAX_WARNINGS)
		fuzz_fail("multipart counters out of range");
	check_warnings(mp->warnings, mp->n_warnings, raw, "multipart warnings");
	for (unsigned i = 0; i < mp->n_parts; i++) {
		const mp_part *p = &mp->parts[i];
		fuzz_check_within(p->headers, m->body, "part headers");
		fuzz_check_within(p->body, m->body, "part body");
		fuzz_check_within(p->content_type, m->body, "part content type");
		fuzz_touch(mp_part_header(p, "Content-Type"));
		fuzz_touch(mp_part_header(p, "content-disposition"));
		if (p->depth < 1 || p->depth > MP_MAX_DEPTH || p->parent >= (int)i)
			fuzz_fail("part %u: depth %u parent %d", i, p->depth, p->parent);
		sdp_parse(p->body, sdp);
		check_warnings(sdp->warnings, sdp->n_warnings, p->body, "part sdp warnings");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!msg) {
		msg = g_new0(sip_msg, 1);
		sdp = g_new0(sdp_session, 1);
		mp = g_new0(mp_body, 1);
		text = g_string_new(NULL);
	}
	sv raw = sv_make(data, size);
	for (int stream = 0; stream < 2; stream++) {
		sip_parse_message(raw, stream, msg);
		run_message(msg, raw);
	}
	/* The escapers on the raw bytes: what every output does with wire data. */
	g_string_truncate(text, 0);
	json_append_sv(text, raw);
	fuzz_check_json_value(text->str, text->len, "json_append_sv");
	g_string_truncate(text, 0);
	text_append_sv(text, raw);
	fuzz_check_text(text->str, text->len, false, "text_append_sv");
	return 0;
}
