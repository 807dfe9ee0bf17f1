#include "message_out.h"

#include "output/json.h"
#include "output/textesc.h"
#include "output/textwidth.h"
#include "output/timefmt.h"

static void append_warnings_json(GString *o, const msg_out *m)
{
	if (!m->n_notes && !m->sip->n_warnings && !m->sip->n_warnings_dropped) {
		JSON_LIT(o, "[]");
		return;
	}
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

static void append_id_(GString *o, const char *key, size_t n, sip_id id)
{
	json_buf_append(o, key, n);
	if (id == SIP_ID_NONE)
		JSON_LIT(o, "null");
	else
		json_append_u64(o, id);
}
#define append_id(o, key, id) append_id_((o), "" key, sizeof(key) - 1, id)

/* The record up to the model's part, */
static void json_head(GString *o, const msg_out *m)
{
	const sip_msg *sip = m->sip;
	JSON_LIT(o, "{\"type\":\"message\",\"frame\":");
	json_append_u64(o, m->frame);
	if (m->first_frame != m->frame) {
		JSON_LIT(o, ",\"first_frame\":");
		json_append_u64(o, m->first_frame);
	}
	JSON_LIT(o, ",\"index\":");
	json_append_u64(o, m->index);
	JSON_LIT(o, ",\"ts\":");
	json_append_ts(o, m->ts_ns);
	JSON_LIT(o, ",\"src\":");
	json_append_endpoint(o, &m->src);
	JSON_LIT(o, ",\"dst\":");
	json_append_endpoint(o, &m->dst);
	JSON_LIT(o, ",\"transport\":");
	json_append_str(o, m->transport);
	JSON_LIT(o, ",\"method\":");
	json_append_sv(o, sip->kind == SIP_KIND_REQUEST ? sip->method : SV_NULL);
	JSON_LIT(o, ",\"status\":");
	if (sip->kind == SIP_KIND_RESPONSE)
		json_append_u64(o, sip->status);
	else
		JSON_LIT(o, "null");
	JSON_LIT(o, ",\"reason\":");
	json_append_sv(o, sip->kind == SIP_KIND_RESPONSE ? sip->reason : SV_NULL);
	JSON_LIT(o, ",\"call_id\":");
	json_append_sv(o, sip->call_id);
	JSON_LIT(o, ",\"cseq\":");
	if (sip->has_cseq)
		json_append_u64(o, sip->cseq);
	else
		JSON_LIT(o, "null");
	JSON_LIT(o, ",\"cseq_method\":");
	json_append_sv(o, sip->has_cseq ? sip->cseq_method : SV_NULL);
	JSON_LIT(o, ",\"from_tag\":");
	json_append_sv(o, sip->from_tag);
	JSON_LIT(o, ",\"to_tag\":");
	json_append_sv(o, sip->to_tag);
	JSON_LIT(o, ",\"branch\":");
	json_append_sv(o, sip->branch);
}

/* the model's part, */
static void json_model_part(GString *o, const msg_out *m)
{
	if (m->modelled) {
		append_id(o, ",\"transaction\":", m->txn);
		append_id(o, ",\"dialog\":", m->dialog);
		append_id(o, ",\"call\":", m->call);
		if (m->retransmission)
			JSON_LIT(o, ",\"retransmission\":true");
		else
			JSON_LIT(o, ",\"retransmission\":false");
	}
}

/* and the rest. */
static void json_tail(GString *o, const msg_out *m)
{
	JSON_LIT(o, ",\"length\":");
	json_append_u64(o, m->sip->raw.len);
	JSON_LIT(o, ",\"warnings\":");
	append_warnings_json(o, m);
	JSON_LIT(o, "}\n");
}

void json_message_pre(const msg_out *m, GString *out, size_t *split)
{
	g_string_truncate(out, 0);
	json_head(out, m);
	*split = out->len;
	json_tail(out, m);
}

void json_write_message(sink *s, const msg_out *m)
{
	GString *o = s->buf;
	if (m->pre) {
		json_buf_append(o, m->pre, m->pre_split);
		json_model_part(o, m);
		json_buf_append(o, m->pre + m->pre_split, m->pre_len - m->pre_split);
	} else {
		json_head(o, m);
		json_model_part(o, m);
		json_tail(o, m);
	}
	sink_end_record(s);
}

/* The line up to what the model says (whether it is a retransmission). */
static void text_head(GString *o, const msg_out *m)
{
	const sip_msg *sip = m->sip;
	char ep[ENDPOINT_STRLEN];

	text_append_uint(o, m->frame, 6);
	g_string_append_c(o, ' ');
	if (text_append_clock_us(o, m->ts_ns / 1000))
		g_string_append_c(o, ' ');
	g_string_append(o, endpoint_format(&m->src, ep, sizeof(ep)));
	JSON_LIT(o, " -> ");
	g_string_append(o, endpoint_format(&m->dst, ep, sizeof(ep)));
	g_string_append_c(o, ' ');
	g_string_append(o, m->transport);
	g_string_append_c(o, ' ');
	if (sip->kind == SIP_KIND_REQUEST) {
		text_append_sv(o, sip->method);
		g_string_append_c(o, ' ');
		text_append_sv(o, sip->request_uri);
	} else if (sip->kind == SIP_KIND_RESPONSE) {
		text_append_uint(o, sip->status, 0);
		g_string_append_c(o, ' ');
		text_append_sv(o, sip->reason);
	} else {
		JSON_LIT(o, "(not a valid SIP message)");
	}
	if (sip->has_cseq) {
		JSON_LIT(o, "  CSeq ");
		text_append_uint(o, sip->cseq, 0);
		g_string_append_c(o, ' ');
		text_append_sv(o, sip->cseq_method);
	}
	if (sip->call_id.p) {
		JSON_LIT(o, "  Call-ID ");
		text_append_sv(o, sip->call_id);
	}
	unsigned nw = m->n_notes + sip->n_warnings + sip->n_warnings_dropped;
	if (nw)
		g_string_append_printf(o, "  [%u warning%s]", nw, nw == 1 ? "" : "s");
}

/* The line ends with what the model says: nothing follows the split. */
void text_message_pre(const msg_out *m, GString *out, size_t *split)
{
	g_string_truncate(out, 0);
	text_head(out, m);
	*split = out->len;
}

void text_write_message(sink *s, const msg_out *m)
{
	GString *o = s->buf;
	if (m->pre)
		json_buf_append(o, m->pre, m->pre_len);
	else
		text_head(o, m);
	if (m->modelled && m->retransmission)
		JSON_LIT(o, "  (retransmission)");
	g_string_append_c(o, '\n');
	sink_end_record(s);
}
