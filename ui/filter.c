#include "filter.h"

#include <string.h>

#include "output/list.h"

struct ui_filter {
	char *text;
	GRegex *re;       /* "~" filters */
	char *needle;     /* plain filters, lower-cased */
	size_t needle_len;
};

/* Without limits, a pattern that backtracks badly (nested quantifiers)
 * takes seconds on one message, and the list filters every message of
 * every call.  PCRE2 counts the match limit per start position, so the
 * cost is still up to about the limit times the message's length: 10000
 * keeps the worst under a millisecond per byte, while patterns with a few
 * ".*" across a whole message of several kilobytes still match.  The heap
 * limit (KiB) bounds the backtracking frames of a pattern with thousands
 * of groups.  A message that hits a limit does not match. */
#define FILTER_RE_LIMITS "(*LIMIT_MATCH=10000)(*LIMIT_HEAP=16384)"

/* Past the start-of-pattern items ("(*UTF)", "(*LIMIT_MATCH=99)", ...)
 * that open the pattern: the limits go after them, since the last setting of
 * a limit is the one PCRE2 keeps. */
static size_t leading_options_len(const char *pattern)
{
	static const char *const verbs[] = { "ACCEPT", "FAIL", "F", "COMMIT", "PRUNE", "SKIP",
					     "THEN", NULL };
	const char *p = pattern;
	while (p[0] == '(' && p[1] == '*') {
		const char *q = p + 2, *name = q;
		while (g_ascii_isupper(*q) || g_ascii_isdigit(*q) || *q == '_')
			q++;
		size_t name_len = (size_t)(q - name);
		if (name_len == 0)
			break;
		if (*q == '=') {
			q++;
			while (g_ascii_isdigit(*q))
				q++;
		}
		if (*q != ')')
			break;
		bool verb = false;
		for (const char *const *v = verbs; *v; v++)
			verb |= strlen(*v) == name_len && memcmp(*v, name, name_len) == 0;
		if (verb)
			break;
		p = q + 1;
	}
	return (size_t)(p - pattern);
}

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
		const GRegexCompileFlags flags = G_REGEX_RAW | G_REGEX_MULTILINE | G_REGEX_NEWLINE_ANYCRLF;
		const char *pattern = t + 1;
		/* Compiled as typed first, so an error speaks of the user's
		 * pattern and offsets, not of the limits put in front. */
		GRegex *plain = g_regex_new(pattern, flags, 0, err);
		if (!plain) {
			g_free(f);
			return NULL;
		}
		g_regex_unref(plain);
		size_t lead = leading_options_len(pattern);
		g_autofree char *limited = g_strdup_printf("%.*s" FILTER_RE_LIMITS "%s", (int)lead, pattern,
							   pattern + lead);
		f->re = g_regex_new(limited, flags, 0, NULL);
		if (!f->re) {
			g_set_error(err, G_REGEX_ERROR, G_REGEX_ERROR_COMPILE,
				    "the regular expression cannot be given match limits");
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
