#include "message_text.h"

#include "output/textesc.h"
#include "output/timefmt.h"

void message_text_append(GArray *out, msg_line_kind kind, const GString *text, size_t name_len)
{
	msg_line l = { .kind = kind, .len = text->len, .name_len = name_len };
	l.text = g_strndup(text->str, text->len);
	g_array_append_val(out, l);
}

void message_text_append_info(GString *t, const sip_message *msg)
{
	char a[ENDPOINT_STRLEN], b[ENDPOINT_STRLEN];
	endpoint src = sip_message_src(msg), dst = sip_message_dst(msg);
	g_string_append_printf(t, "frame %" G_GUINT64_FORMAT "  ", msg->frame);
	text_append_datetime(t, msg->ts_ns, 6);
	g_string_append_printf(t, " UTC  %s -> %s  %s  %zu bytes",
			       endpoint_format(&src, a, sizeof(a)), endpoint_format(&dst, b, sizeof(b)),
			       sip_message_transport_or_udp(msg), sip_message_raw(msg).len);
	if (msg->retransmission)
		g_string_append(t, "  (retransmission)");
	if (msg->kind == SIP_KIND_INVALID)
		g_string_append(t, "  (not valid SIP)");
	if (msg->n_warnings)
		g_string_append_printf(t, "  %u warning%s", msg->n_warnings, msg->n_warnings == 1 ? "" : "s");
}

GArray *message_text_new(const sip_model *m, const sip_message *msg)
{
	(void)m;
	GArray *out = g_array_new(FALSE, FALSE, sizeof(msg_line));
	g_autoptr(GString) t = g_string_new(NULL);
	message_text_append_info(t, msg);
	message_text_append(out, MSG_LINE_INFO, t, 0);

	sv raw = sip_message_raw(msg);
	size_t off = 0;
	bool first = true, body = false;
	while (off < raw.len) {
		sv rest = sv_skip(raw, off);
		ptrdiff_t nl = sv_find_byte(rest, '\n');
		size_t len = nl < 0 ? rest.len : (size_t)nl;
		off += nl < 0 ? rest.len : (size_t)nl + 1;
		sv line = sv_head(rest, len);
		if (line.len && line.p[line.len - 1] == '\r')
			line = sv_head(line, line.len - 1);
		g_string_truncate(t, 0);
		if (first) {
			first = false;
			text_append_sv(t, line);
			message_text_append(out, MSG_LINE_START, t, 0);
			continue;
		}
		if (!body && line.len == 0)
			body = true;
		if (body) {
			text_append_sv(t, line);
			message_text_append(out, MSG_LINE_BODY, t, 0);
			continue;
		}
		int c0 = sv_at(line, 0);
		ptrdiff_t colon = sv_find_byte(line, ':');
		size_t name_len = 0;
		if (c0 != ' ' && c0 != '\t' && colon >= 0) {
			text_append_sv(t, sv_head(line, (size_t)colon + 1));
			name_len = t->len;
			text_append_sv(t, sv_skip(line, (size_t)colon + 1));
		} else {
			text_append_sv(t, line);
		}
		message_text_append(out, MSG_LINE_HEADER, t, name_len);
	}
	return out;
}

void message_text_free(GArray *lines)
{
	if (!lines)
		return;
	for (guint i = 0; i < lines->len; i++)
		g_free(g_array_index(lines, msg_line, i).text);
	g_array_free(lines, TRUE);
}
