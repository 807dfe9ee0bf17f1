#include "filter.h"

#include <string.h>

#include "output/list.h"

struct ui_filter {
	char *text;
	GRegex *re;       /* "~" filters */
	char *needle;     /* plain filters, lower-cased */
	size_t needle_len;
};

ui_filter *ui_filter_new(const char *text, GError **err)
{
	if (!text)
		return NULL;
	g_autofree char *t = g_strstrip(g_strdup(text));
	if (!*t)
		return NULL;
	ui_filter *f = g_new0(ui_filter, 1);
	if (t[0] == '~') {
		/* Raw: a capture's bytes need not be UTF-8.  ^ and $ match at
		 * each line of a message (CRLF or LF). */
		f->re = g_regex_new(t + 1, G_REGEX_RAW | G_REGEX_MULTILINE | G_REGEX_NEWLINE_ANYCRLF, 0, err);
		if (!f->re) {
			g_free(f);
			return NULL;
		}
	} else {
		f->needle = g_ascii_strdown(t, -1);
		f->needle_len = strlen(f->needle);
	}
	f->text = g_steal_pointer(&t);
	return f;
}

void ui_filter_free(ui_filter *f)
{
	if (!f)
		return;
	if (f->re)
		g_regex_unref(f->re);
	g_free(f->needle);
	g_free(f->text);
	g_free(f);
}

const char *ui_filter_text(const ui_filter *f)
{
	return f->text;
}

bool ui_filter_is_regex(const ui_filter *f)
{
	return f->re != NULL;
}

/* The lower-cased needle in v, ignoring ASCII case. */
static bool contains_ci(sv v, const char *needle, size_t n)
{
	if (n == 0)
		return true;
	if (v.len < n)
		return false;
	int first = (unsigned char)needle[0];
	for (size_t i = 0; i + n <= v.len; i++) {
		if (sv_lower(v.p[i]) != first)
			continue;
		size_t k = 1;
		while (k < n && sv_lower(v.p[i + k]) == (unsigned char)needle[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

static bool match_sv(const ui_filter *f, sv v)
{
	if (!v.p)
		return false;
	if (f->re)
		return g_regex_match_full(f->re, (const char *)v.p, (gssize)v.len, 0, 0, NULL, NULL);
	return contains_ci(v, f->needle, f->needle_len);
}

bool ui_filter_match_fields(const ui_filter *f, const sip_model *m, const sip_call *c)
{
	if (match_sv(f, c->first_method) || match_sv(f, c->from) || match_sv(f, c->to) ||
	    match_sv(f, c->call_id))
		return true;
	g_autoptr(GString) st = g_string_new(NULL);
	list_append_state(st, m, c);
	return match_sv(f, sv_make(st->str, st->len));
}

/* The next line of v from *off (without its CR LF); false at the end. */
static bool next_line(sv v, size_t *off, sv *line)
{
	if (*off >= v.len)
		return false;
	sv rest = sv_skip(v, *off);
	ptrdiff_t nl = sv_find_byte(rest, '\n');
	size_t len = nl < 0 ? rest.len : (size_t)nl;
	*off += nl < 0 ? rest.len : (size_t)nl + 1;
	sv l = sv_head(rest, len);
	if (l.len && l.p[l.len - 1] == '\r')
		l = sv_head(l, l.len - 1);
	*line = l;
	return true;
}

bool ui_filter_match_message(const ui_filter *f, const sip_message *msg)
{
	if (f->re)
		return match_sv(f, msg->raw);
	size_t off = 0;
	sv line;
	bool first = true;
	while (next_line(msg->raw, &off, &line)) {
		if (first) {
			first = false;
			if (match_sv(f, line))
				return true;
			continue;
		}
		if (line.len == 0)
			break; /* end of the headers */
		int c0 = sv_at(line, 0);
		ptrdiff_t colon = sv_find_byte(line, ':');
		/* A folded continuation line is all value. */
		sv value = (c0 == ' ' || c0 == '\t') ? line
			   : colon < 0 ? SV_NULL : sv_skip(line, (size_t)colon + 1);
		if (value.p && match_sv(f, sv_trim(value)))
			return true;
	}
	return false;
}

bool ui_filter_scan(const ui_filter *f, const sip_model *m, const sip_call *c, guint *scanned,
		    guint max_messages)
{
	guint n = c->messages ? c->messages->len : 0;
	for (guint done = 0; *scanned < n && done < max_messages; done++) {
		const sip_message *msg = sip_model_message(m, g_array_index(c->messages, sip_id, *scanned));
		(*scanned)++;
		if (msg && ui_filter_match_message(f, msg))
			return true;
	}
	return false;
}

bool ui_filter_match_call(const ui_filter *f, const sip_model *m, const sip_call *c)
{
	if (ui_filter_match_fields(f, m, c))
		return true;
	guint scanned = 0;
	return ui_filter_scan(f, m, c, &scanned, G_MAXUINT);
}
