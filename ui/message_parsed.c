#include "message_parsed.h"

#include <string.h>

#include "dissect/multipart.h"
#include "dissect/sdp.h"
#include "dissect/sip_header.h"
#include "output/check.h"
#include "output/list.h"
#include "output/textesc.h"
#include "output/timefmt.h"
#include "ui/sdp_text.h"

enum { INDENT = 4 };

typedef struct parsed_out {
	GArray *lines;
	GString *t;
} parsed_out;

static void emit(parsed_out *o, msg_line_kind kind, size_t name_len)
{
	message_text_append(o->lines, kind, o->t, name_len);
	g_string_truncate(o->t, 0);
}

/* A value escaped, a folded line end (CRLF or LF, then SP or HTAB) shown
 * as the one space it stands for (RFC 3261 §7.3.1). */
static void append_value(GString *out, sv v)
{
	size_t start = 0, i = 0;
	while (i < v.len) {
		if (v.p[i] != '\r' && v.p[i] != '\n') {
			i++;
			continue;
		}
		size_t j = i;
		while (j < v.len && (v.p[j] == '\r' || v.p[j] == '\n'))
			j++;
		if (j >= v.len || (v.p[j] != ' ' && v.p[j] != '\t')) {
			i = j;   /* not a fold: escaped with the rest */
			continue;
		}
		text_append_sv(out, sv_trim(sv_sub(v, start, i - start)));
		g_string_append_c(out, ' ');
		while (j < v.len && sip_is_lws(v.p[j]))
			j++;
		start = i = j;
	}
	if (start < v.len || start == 0)
		text_append_sv(out, sv_sub(v, start, v.len - start));
}

static void detail_start(parsed_out *o)
{
	g_string_truncate(o->t, 0);
	g_string_append_printf(o->t, "%*s", INDENT, "");
}

/* "  key: value", or "  key" alone for an absent or empty value. */
static void part(parsed_out *o, const char *key, sv v)
{
	if (o->t->len > INDENT)
		g_string_append(o->t, "  ");
	g_string_append(o->t, key);
	if (v.p && v.len) {
		g_string_append(o->t, ": ");
		append_value(o->t, v);
	}
}

static void part_u(parsed_out *o, const char *key, unsigned n)
{
	char buf[16];
	g_snprintf(buf, sizeof(buf), "%u", n);
	part(o, key, sv_from_cstr(buf));
}

static void part_display(parsed_out *o, const sip_addr *a)
{
	if (!a->display.p || !a->display.len)
		return;
	if (!a->display_quoted) {
		part(o, "display", a->display);
		return;
	}
	g_autoptr(GString) raw = g_string_new(NULL);
	sip_unquote_append(a->display, raw);
	part(o, "display", sv_make(raw->str, raw->len));
}

/* Every parameter of a header value or URI: "name=value" (or the name). */
static void part_params(parsed_out *o, sv params, const char *skip)
{
	sip_param p;
	sv rest = params;
	while (sip_param_next(&rest, &p)) {
		if (skip && sv_eq_ci_cstr(p.name, skip))
			continue;
		if (o->t->len > INDENT)
			g_string_append(o->t, "  ");
		g_string_append_c(o->t, ';');
		append_value(o->t, p.name);
		if (p.has_value) {
			g_string_append_c(o->t, '=');
			append_value(o->t, p.value);
		}
	}
}

static void decode_via(parsed_out *o, sv value)
{
	sv rest = value, item;
	while (sip_list_split(&rest, &item)) {
		if (!item.len)
			continue;
		sip_via v;
		detail_start(o);
		if (!sip_via_parse(item, &v)) {
			part(o, "(not a valid Via)", SV_NULL);
			emit(o, MSG_LINE_DETAIL, 0);
			continue;
		}
		part(o, "transport", v.transport);
		part(o, "sent-by", v.sent_by);
		if (v.has_branch)
			part(o, "branch", v.branch);
		if (v.has_received)
			part(o, "received", v.received);
		if (v.has_rport)
			part(o, "rport", v.rport);
		if (v.has_maddr)
			part(o, "maddr", v.maddr);
		if (v.has_ttl)
			part_u(o, "ttl", v.ttl);
		emit(o, MSG_LINE_DETAIL, 0);
	}
}

static void decode_addr(parsed_out *o, sv value)
{
	sip_addr a;
	detail_start(o);
	if (!sip_addr_parse(value, &a)) {
		part(o, "(no URI found)", SV_NULL);
		emit(o, MSG_LINE_DETAIL, 0);
		return;
	}
	part_display(o, &a);
	part(o, "uri", a.uri);
	if (a.has_tag)
		part(o, "tag", a.tag);
	part_params(o, a.params, "tag");
	emit(o, MSG_LINE_DETAIL, 0);
}

static void decode_contact(parsed_out *o, sv value)
{
	sv rest = value, item;
	while (sip_list_split(&rest, &item)) {
		if (!item.len)
			continue;
		sip_contact c;
		detail_start(o);
		if (!sip_contact_parse(item, &c)) {
			part(o, "(no URI found)", SV_NULL);
		} else if (c.star) {
			part(o, "* (every binding)", SV_NULL);
		} else {
			part_display(o, &c.addr);
			part(o, "uri", c.addr.uri);
			part_params(o, c.addr.params, NULL);
		}
		emit(o, MSG_LINE_DETAIL, 0);
	}
}

static void decode_route(parsed_out *o, sv value)
{
	sv rest = value, item;
	while (sip_list_split(&rest, &item)) {
		if (!item.len)
			continue;
		sip_route r;
		detail_start(o);
		if (!sip_route_parse(item, &r)) {
			part(o, "(no URI found)", SV_NULL);
		} else {
			part(o, "uri", r.addr.uri);
			part(o, r.lr ? "loose routing (lr)" : "strict routing", SV_NULL);
		}
		emit(o, MSG_LINE_DETAIL, 0);
	}
}

static void decode_header(parsed_out *o, const sip_msg *pm, const sip_header *h)
{
	uint32_t n;
	sv method;
	sip_ctype ct;
	switch (h->id) {
	case SIP_HDR_VIA:
		decode_via(o, h->value);
		break;
	case SIP_HDR_FROM:
	case SIP_HDR_TO:
		decode_addr(o, h->value);
		break;
	case SIP_HDR_CONTACT:
		decode_contact(o, h->value);
		break;
	case SIP_HDR_ROUTE:
	case SIP_HDR_RECORD_ROUTE:
		decode_route(o, h->value);
		break;
	case SIP_HDR_CSEQ:
		detail_start(o);
		if (sip_cseq_parse(h->value, &n, &method)) {
			part_u(o, "number", n);
			part(o, "method", method);
		} else {
			part(o, "(not a valid CSeq)", SV_NULL);
		}
		emit(o, MSG_LINE_DETAIL, 0);
		break;
	case SIP_HDR_CONTENT_TYPE:
		detail_start(o);
		if (sip_ctype_parse(h->value, &ct)) {
			g_autoptr(GString) mt = g_string_new(NULL);
			g_string_append_len(mt, (const char *)ct.type.p, (gssize)ct.type.len);
			g_string_append_c(mt, '/');
			g_string_append_len(mt, (const char *)ct.subtype.p, (gssize)ct.subtype.len);
			part(o, "type", sv_make(mt->str, mt->len));
			part_params(o, ct.params, NULL);
		} else {
			part(o, "(not a valid Content-Type)", SV_NULL);
		}
		emit(o, MSG_LINE_DETAIL, 0);
		break;
	case SIP_HDR_CONTENT_LENGTH:
		detail_start(o);
		if (sip_uint_parse(h->value, UINT32_MAX, &n))
			part_u(o, "declared", n);
		else
			part(o, "(not a number)", SV_NULL);
		part_u(o, "body bytes", (unsigned)pm->body.len);
		emit(o, MSG_LINE_DETAIL, 0);
		break;
	default:
		break;
	}
}

static void start_line(parsed_out *o, const sip_msg *pm)
{
	text_append_sv(o->t, pm->start_line.p ? pm->start_line : SV_LIT(""));
	emit(o, MSG_LINE_START, 0);
	detail_start(o);
	if (pm->kind == SIP_KIND_REQUEST) {
		part(o, "method", pm->method);
		part(o, "request-uri", pm->request_uri);
		part(o, "version", pm->version);
		emit(o, MSG_LINE_DETAIL, 0);
		sip_uri u;
		if (sip_uri_parse(pm->request_uri, &u)) {
			detail_start(o);
			part(o, "scheme", u.scheme_name);
			if (u.user.p)
				part(o, "user", u.user);
			if (u.host.p)
				part(o, "host", u.host);
			if (u.has_port)
				part_u(o, "port", u.port);
			part_params(o, u.params, NULL);
			emit(o, MSG_LINE_DETAIL, 0);
		}
	} else if (pm->kind == SIP_KIND_RESPONSE) {
		part(o, "version", pm->version);
		part_u(o, "status", pm->status);
		part(o, "reason", pm->reason);
		emit(o, MSG_LINE_DETAIL, 0);
	} else {
		part(o, "not valid SIP", SV_NULL);
		emit(o, MSG_LINE_DETAIL, 0);
	}
}

static void headers(parsed_out *o, const sip_msg *pm)
{
	for (unsigned i = 0; i < pm->n_headers && i < SIP_MAX_HEADERS; i++) {
		const sip_header *h = &pm->headers[i];
		text_append_sv(o->t, h->name);
		const char *canon = sip_hdr_name(h->id);
		if (h->id != SIP_HDR_UNKNOWN && !sv_eq_ci_cstr(h->name, canon))
			g_string_append_printf(o->t, " (%s)", canon);
		g_string_append(o->t, ":");
		size_t name_len = o->t->len;
		g_string_append_c(o->t, ' ');
		append_value(o->t, h->value);
		emit(o, MSG_LINE_HEADER, name_len);
		decode_header(o, pm, h);
	}
	if (pm->index_full) {
		g_string_append_printf(o->t, "(%u more header fields; the raw view shows them)",
				       pm->n_fields - pm->n_headers);
		emit(o, MSG_LINE_DETAIL, 0);
	}
}

static void body(parsed_out *o, const sip_msg *pm)
{
	if (!pm->body.p || pm->body.len == 0)
		return;
	mp_body *mp = g_new0(mp_body, 1);
	sv sdp = sdp_text_body(pm, mp);
	if (!sdp.p || !sdp.len) {
		g_string_append(o->t, "Body");
		emit(o, MSG_LINE_SECTION, 0);
		detail_start(o);
		part_u(o, "bytes", (unsigned)pm->body.len);
		sv ctv = sip_msg_value(pm, SIP_HDR_CONTENT_TYPE);
		part(o, "type", ctv.p ? ctv : SV_LIT("none given"));
		emit(o, MSG_LINE_DETAIL, 0);
		g_free(mp);
		return;
	}
	sdp_session *s = g_new0(sdp_session, 1);
	sdp_parse(sdp, s);
	g_string_append(o->t, "SDP");
	emit(o, MSG_LINE_SECTION, 0);
	if (s->origin.present) {
		detail_start(o);
		part(o, "origin", s->origin.address);
		part(o, "session", s->origin.sess_id);
		part(o, "version", s->origin.sess_version);
		emit(o, MSG_LINE_DETAIL, 0);
	}
	unsigned n = MIN(s->n_media, (unsigned)SDP_MAX_MEDIA);
	if (n == 0) {
		detail_start(o);
		part(o, "no media", SV_NULL);
		emit(o, MSG_LINE_DETAIL, 0);
	}
	for (unsigned i = 0; i < n; i++) {
		const sdp_media *md = &s->media[i];
		detail_start(o);
		sdp_text_append_media(o->t, s, md);
		/* The summary leaves sendrecv out; here the direction is always said. */
		if (md->dir == SDP_DIR_SENDRECV || md->dir == SDP_DIR_NONE)
			g_string_append(o->t, " sendrecv");
		emit(o, MSG_LINE_DETAIL, 0);
	}
	if (s->n_warnings) {
		detail_start(o);
		part_u(o, "SDP warnings", s->n_warnings + s->n_warnings_dropped);
		emit(o, MSG_LINE_DETAIL, 0);
	}
	g_free(s);
	g_free(mp);
}

static void warnings(parsed_out *o, const sip_msg *pm)
{
	if (!pm->n_warnings)
		return;
	g_string_append(o->t, "Warnings");
	emit(o, MSG_LINE_SECTION, 0);
	g_autoptr(GString) w = g_string_new(NULL);
	sip_msg_format_warnings(pm, w);
	sv rest = sv_make(w->str, w->len);
	while (rest.len) {
		ptrdiff_t nl = sv_find_byte(rest, '\n');
		size_t len = nl < 0 ? rest.len : (size_t)nl;
		detail_start(o);
		text_append_sv(o->t, sv_head(rest, len));
		emit(o, MSG_LINE_DETAIL, 0);
		rest = sv_skip(rest, nl < 0 ? rest.len : len + 1);
	}
}

static const char *txn_end_text(txn_end e)
{
	switch (e) {
	case TXN_END_NO_FINAL: return ", no final response";
	case TXN_END_CAPTURE_ENDED: return ", capture ended before a final response";
	default: return "";
	}
}

static void model_view(parsed_out *o, const sip_model *m, const findings *f, const sip_message *msg)
{
	g_string_append(o->t, "Model");
	emit(o, MSG_LINE_SECTION, 0);

	detail_start(o);
	const sip_txn *t = msg->txn != SIP_ID_NONE ? sip_model_txn(m, msg->txn) : NULL;
	if (t) {
		g_string_append_printf(o->t, "transaction %u: ", t->id);
		text_append_sv(o->t, sip_txn_method(t));
		g_string_append_printf(o->t, ", %s", txn_state_name(t->state));
		if (t->final_status)
			g_string_append_printf(o->t, ", final %u", t->final_status);
		g_string_append(o->t, txn_end_text(t->end));
	} else {
		g_string_append(o->t, "transaction: none");
	}
	emit(o, MSG_LINE_DETAIL, 0);

	detail_start(o);
	const sip_dialog *d = msg->dialog != SIP_ID_NONE ? sip_model_dialog(m, msg->dialog) : NULL;
	if (d) {
		g_string_append_printf(o->t, "dialog %u: %s", d->id, dlg_state_name(d->state));
		if (sip_dialog_end_reason(d))
			g_string_append_printf(o->t, " (%s)", sip_dialog_end_reason(d));
	} else {
		g_string_append(o->t, "dialog: none");
	}
	emit(o, MSG_LINE_DETAIL, 0);

	detail_start(o);
	const sip_call *c = msg->call != SIP_ID_NONE ? sip_model_call(m, msg->call) : NULL;
	if (c) {
		g_string_append_printf(o->t, "call %u: ", c->id);
		list_append_state(o->t, m, c);
	} else {
		g_string_append(o->t, "call: none");
	}
	emit(o, MSG_LINE_DETAIL, 0);

	if (msg->retransmission) {
		detail_start(o);
		const sip_message *orig = sip_model_message(m, sip_model_original(m, msg->id));
		if (orig) {
			g_string_append_printf(o->t, "retransmission of frame %" G_GUINT64_FORMAT " (",
					       orig->frame);
			text_append_clock(o->t, orig->ts_ns);
			g_string_append(o->t, ")");
		} else {
			g_string_append(o->t, "retransmission (first copy not captured)");
		}
		emit(o, MSG_LINE_DETAIL, 0);
	}

	const GArray *ids = f ? findings_of_message(f, msg->id) : NULL;
	for (guint i = 0; ids && i < ids->len; i++) {
		const finding *x = findings_get(f, g_array_index(ids, sip_id, i));
		if (!x)
			continue;
		detail_start(o);
		check_append_finding(o->t, x);
		emit(o, x->severity == FINDING_ERROR ? MSG_LINE_ERROR
			: x->severity == FINDING_WARNING ? MSG_LINE_WARNING : MSG_LINE_DETAIL, 0);
	}
}

GArray *message_parsed_new(const sip_model *m, const findings *f, const sip_message *msg)
{
	parsed_out o = { g_array_new(FALSE, FALSE, sizeof(msg_line)), g_string_new(NULL) };
	message_text_append_info(o.t, msg);
	emit(&o, MSG_LINE_INFO, 0);

	sip_msg *pm = g_new0(sip_msg, 1);
	bool stream = sip_message_stream(msg);
	sip_parse_message(sip_message_raw(msg), stream, pm);
	start_line(&o, pm);
	headers(&o, pm);
	body(&o, pm);
	warnings(&o, pm);
	model_view(&o, m, f, msg);
	g_free(pm);
	g_string_free(o.t, TRUE);
	return o.lines;
}
