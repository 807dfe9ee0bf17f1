#include "message_out.h"

#include "output/json.h"
#include "output/textesc.h"

static void append_warnings_json(GString *o, const msg_out *m)
{
	g_autoptr(GString) w = g_string_new(NULL);
	bool first = true;
	g_string_append_c(o, '[');
	for (unsigned i = 0; i < m->n_notes; i++) {
		if (!first)
			g_string_append_c(o, ',');
		json_append_str(o, m->notes[i]);
		first = false;
	}
	for (unsigned i = 0; i < m->sip->n_warnings; i++) {
		g_string_truncate(w, 0);
		sip_warning_format(&m->sip->warnings[i], w);
		if (!first)
			g_string_append_c(o, ',');
		json_append_sv(o, sv_make(w->str, w->len));
		first = false;
	}
	if (m->sip->n_warnings_dropped) {
		g_string_printf(w, "%u more warnings not listed", m->sip->n_warnings_dropped);
		if (!first)
			g_string_append_c(o, ',');
		json_append_sv(o, sv_make(w->str, w->len));
	}
	g_string_append_c(o, ']');
}

/* Decimal without printf: these run several times per message. */
static void append_u64(GString *o, uint64_t v)
{
	char d[20];
	size_t k = sizeof(d);
	do {
		d[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	g_string_append_len(o, d + k, (gssize)(sizeof(d) - k));
}

static void append_id(GString *o, const char *key, sip_id id)
{
	g_string_append(o, key);
	if (id == SIP_ID_NONE)
		g_string_append(o, "null");
	else
		append_u64(o, id);
}

void json_write_message(sink *s, const msg_out *m)
{
	GString *o = s->buf;
	const sip_msg *sip = m->sip;
	char ep[ENDPOINT_STRLEN];

	g_string_append(o, "{\"type\":\"message\",\"frame\":");
	append_u64(o, m->frame);
	if (m->first_frame != m->frame) {
		g_string_append(o, ",\"first_frame\":");
		append_u64(o, m->first_frame);
	}
	g_string_append(o, ",\"index\":");
	append_u64(o, m->index);
	g_string_append(o, ",\"ts\":");
	json_append_ts(o, m->ts_ns);
	g_string_append(o, ",\"src\":");
	json_append_str(o, endpoint_format(&m->src, ep, sizeof(ep)));
	g_string_append(o, ",\"dst\":");
	json_append_str(o, endpoint_format(&m->dst, ep, sizeof(ep)));
	g_string_append(o, ",\"transport\":");
	json_append_str(o, m->transport);
	g_string_append(o, ",\"method\":");
	json_append_sv(o, sip->kind == SIP_KIND_REQUEST ? sip->method : SV_NULL);
	g_string_append(o, ",\"status\":");
	if (sip->kind == SIP_KIND_RESPONSE)
		append_u64(o, sip->status);
	else
		g_string_append(o, "null");
	g_string_append(o, ",\"reason\":");
	json_append_sv(o, sip->kind == SIP_KIND_RESPONSE ? sip->reason : SV_NULL);
	g_string_append(o, ",\"call_id\":");
	json_append_sv(o, sip->call_id);
	g_string_append(o, ",\"cseq\":");
	if (sip->has_cseq)
		append_u64(o, sip->cseq);
	else
		g_string_append(o, "null");
	g_string_append(o, ",\"cseq_method\":");
	json_append_sv(o, sip->has_cseq ? sip->cseq_method : SV_NULL);
	g_string_append(o, ",\"from_tag\":");
	json_append_sv(o, sip->from_tag);
	g_string_append(o, ",\"to_tag\":");
	json_append_sv(o, sip->to_tag);
	g_string_append(o, ",\"branch\":");
	json_append_sv(o, sip->branch);
	if (m->modelled) {
		append_id(o, ",\"transaction\":", m->txn);
		append_id(o, ",\"dialog\":", m->dialog);
		append_id(o, ",\"call\":", m->call);
		g_string_append(o, m->retransmission ? ",\"retransmission\":true" : ",\"retransmission\":false");
	}
	g_string_append(o, ",\"length\":");
	append_u64(o, sip->raw.len);
	g_string_append(o, ",\"warnings\":");
	append_warnings_json(o, m);
	g_string_append(o, "}\n");
	sink_end_record(s);
}

void text_write_message(sink *s, const msg_out *m)
{
	GString *o = s->buf;
	const sip_msg *sip = m->sip;
	char a[ENDPOINT_STRLEN], b[ENDPOINT_STRLEN];
	int64_t us = m->ts_ns / 1000;
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(us / 1000000);

	g_string_append_printf(o, "%6" G_GUINT64_FORMAT " ", m->frame);
	if (dt) {
		g_autofree char *t = g_date_time_format(dt, "%H:%M:%S");
		g_string_append_printf(o, "%s.%06d ", t, (int)(us % 1000000 < 0 ? 0 : us % 1000000));
	}
	g_string_append_printf(o, "%s -> %s %s ", endpoint_format(&m->src, a, sizeof(a)),
			       endpoint_format(&m->dst, b, sizeof(b)), m->transport);
	if (sip->kind == SIP_KIND_REQUEST) {
		text_append_sv(o, sip->method);
		g_string_append_c(o, ' ');
		text_append_sv(o, sip->request_uri);
	} else if (sip->kind == SIP_KIND_RESPONSE) {
		g_string_append_printf(o, "%u ", sip->status);
		text_append_sv(o, sip->reason);
	} else {
		g_string_append(o, "(not a valid SIP message)");
	}
	if (sip->has_cseq) {
		g_string_append_printf(o, "  CSeq %u ", sip->cseq);
		text_append_sv(o, sip->cseq_method);
	}
	if (sip->call_id.p) {
		g_string_append(o, "  Call-ID ");
		text_append_sv(o, sip->call_id);
	}
	unsigned nw = m->n_notes + sip->n_warnings + sip->n_warnings_dropped;
	if (nw)
		g_string_append_printf(o, "  [%u warning%s]", nw, nw == 1 ? "" : "s");
	if (m->modelled && m->retransmission)
		g_string_append(o, "  (retransmission)");
	g_string_append_c(o, '\n');
	sink_end_record(s);
}
