#include "filter.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "output/list.h"

struct ui_filter {
	char *text;
	GRegex *re;       /* "~" filters */
	char *needle;     /* plain filters, lower-cased */
	size_t needle_len;
	GString *state;   /* scratch for a call's state text (one per call checked) */
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
	f->state = g_string_new(NULL);
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
	g_string_free(f->state, TRUE);
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

bool ui_filter_narrows(const ui_filter *next, const ui_filter *prev)
{
	return next && prev && next->needle && prev->needle &&
		strstr(next->needle, prev->needle) != NULL;
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
	GString *st = f->state;
	g_string_truncate(st, 0);
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

/* The n bytes at p equal the lower-cased needle, ignoring ASCII case. */
static bool eq_ci_at(const uint8_t *p, const char *needle, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (sv_lower(p[k]) != (unsigned char)needle[k])
			return false;
	return true;
}

/* Or-ing 0x20 into a byte gives the lower-case letter c only when the
 * byte is c in either case; any other byte of the needle is compared as
 * it is. */
static uint8_t case_bit(int c)
{
	return c >= 'a' && c <= 'z' ? 0x20 : 0;
}

/* The first place from `from` on where the lower-cased needle (n >= 1)
 * is in v ignoring ASCII case, or -1.  Sixteen places at a time, each
 * tested on the needle's first and last bytes at once (one load at the
 * place, one n - 1 bytes on), and only those that pass compared whole:
 * the filter runs over every message of every call, which nearly never
 * hold the needle. */
static ptrdiff_t find_ci(sv v, size_t from, const char *needle, size_t n)
{
	const uint8_t *p = v.p;
	size_t len = v.len;
	if (!p || len < n)
		return -1;
	int c0 = (unsigned char)needle[0], c1 = (unsigned char)needle[n - 1];
	size_t i = from;
#if defined(__SSE2__)
	const __m128i first = _mm_set1_epi8((char)c0), last = _mm_set1_epi8((char)c1);
	const __m128i bit0 = _mm_set1_epi8((char)case_bit(c0)), bit1 = _mm_set1_epi8((char)case_bit(c1));
	for (; len - (n - 1) >= 16 && i <= len - (n - 1) - 16; i += 16) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i + n - 1));
		unsigned hit = (unsigned)_mm_movemask_epi8(_mm_and_si128(
			_mm_cmpeq_epi8(_mm_or_si128(a, bit0), first),
			_mm_cmpeq_epi8(_mm_or_si128(b, bit1), last)));
		for (; hit; hit &= hit - 1) {
			size_t at = i + (unsigned)__builtin_ctz(hit);
			if (eq_ci_at(p + at, needle, n))
				return (ptrdiff_t)at;
		}
	}
#endif
	for (; i + n <= len; i++)
		if (sv_lower(p[i]) == c0 && eq_ci_at(p + i, needle, n))
			return (ptrdiff_t)i;
	return -1;
}

/* Plain text in a message: in its start line or in a header value (after
 * the first colon of its line, or a whole continuation line), within one
 * line, before the empty line that ends the headers.  The needle is
 * looked for in the whole message first, and each place found is then
 * placed among the lines, which are walked once from the start. */
static bool match_plain_message(const ui_filter *f, sv raw)
{
	size_t n = f->needle_len, off = 0, line_at = 0;
	sv line = SV_NULL;
	bool first = true;
	for (ptrdiff_t h = find_ci(raw, 0, f->needle, n); h >= 0;
	     h = find_ci(raw, (size_t)h + 1, f->needle, n)) {
		size_t at = (size_t)h;
		/* the start line is found with the first place (most
		 * messages have none); off stays 0 until then */
		if (off == 0 && !next_line(raw, &off, &line))
			return false;
		/* the line the place is in: the lines before it are passed,
		 * as the line-by-line scan would pass them */
		while (at >= off) {
			if (!first && line.len == 0)
				return false;   /* the empty line: the body follows */
			first = false;
			line_at = off;
			if (!next_line(raw, &off, &line))
				return false;
		}
		if (at + n > line_at + line.len)
			continue;   /* runs into the line end, as any place in an empty line does */
		if (first)
			return true;
		int c0 = sv_at(line, 0);
		if (c0 == ' ' || c0 == '\t')
			return true;   /* a folded continuation line is all value */
		ptrdiff_t colon = sv_find_byte(line, ':');
		if (colon >= 0 && at > line_at + (size_t)colon)
			return true;
	}
	return false;
}

bool ui_filter_match_raw(const ui_filter *f, sv raw)
{
	if (f->re)
		return match_sv(f, raw);
	return match_plain_message(f, raw);
}

bool ui_filter_match_message(const ui_filter *f, const sip_message *msg)
{
	return ui_filter_match_raw(f, sip_message_raw(msg));
}

bool ui_filter_scan(const ui_filter *f, const sip_model *m, const sip_call *c, guint *scanned,
		    guint max_messages)
{
	guint n = c->messages ? c->messages->len : 0;
	/* A pass reads the calls in turn and each call's messages, whose
	 * records and bytes lie far apart (a call's messages arrived among
	 * those of thousands of others): asked for all at once, they come
	 * from memory together rather than one after another. */
	enum { AHEAD = 16 };
	const sip_message *ahead[AHEAD];
	guint k = 0;
	for (guint i = *scanned; i < n && k < AHEAD && k < max_messages; i++, k++) {
		ahead[k] = sip_model_message(m, g_array_index(c->messages, sip_id, i));
		__builtin_prefetch(ahead[k]);
	}
	for (guint i = 0; i < k; i++)
		if (ahead[i])
			__builtin_prefetch(ahead[i]->raw_p);
	for (guint done = 0; *scanned < n && done < max_messages; done++) {
		const sip_message *msg = done < k ? ahead[done] :
			sip_model_message(m, g_array_index(c->messages, sip_id, *scanned));
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
