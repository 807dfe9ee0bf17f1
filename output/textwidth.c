#include "textwidth.h"

#include <string.h>

#include "base/decimal.h"

/* Width of one character; the text is valid UTF-8 by construction, but a
 * stray invalid byte still counts one cell rather than stopping the walk. */
static size_t char_width(const char *p, const char *end, const char **next)
{
	gunichar c = g_utf8_get_char_validated(p, end - p);
	if (c == (gunichar)-1 || c == (gunichar)-2) {
		*next = p + 1;
		return 1;
	}
	*next = g_utf8_next_char(p);
	if (*next > end)
		*next = end;
	if (g_unichar_iszerowidth(c))
		return 0;
	return g_unichar_iswide(c) ? 2 : 1;
}

size_t text_width(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	size_t w = 0;
	while (p < end) {
		if ((unsigned char)*p < 0x80) {
			w++;
			p++;
			continue;
		}
		w += char_width(p, end, &p);
	}
	return w;
}

size_t text_fit(GString *s, size_t max)
{
	size_t w = text_width(s->str, s->len);
	if (w <= max)
		return w;
	if (max < 4) {
		/* No room for an ellipsis: plain cut. */
		const char *p = s->str, *end = s->str + s->len;
		size_t used = 0;
		while (p < end) {
			const char *n;
			size_t cw = char_width(p, end, &n);
			if (used + cw > max)
				break;
			used += cw;
			p = n;
		}
		g_string_truncate(s, (gsize)(p - s->str));
		return used;
	}
	const char *p = s->str, *end = s->str + s->len;
	size_t used = 0;
	while (p < end) {
		const char *n;
		size_t cw = char_width(p, end, &n);
		if (used + cw > max - 3)
			break;
		used += cw;
		p = n;
	}
	g_string_truncate(s, (gsize)(p - s->str));
	g_string_append(s, "...");
	return used + 3;
}

void text_append_padded(GString *out, const char *s, size_t width)
{
	size_t len = strlen(s);
	size_t w = text_width(s, len);
	g_string_append_len(out, s, (gssize)len);
	for (; w < width; w++)
		g_string_append_c(out, ' ');
}

void text_append_right(GString *out, const char *s, size_t width)
{
	size_t len = strlen(s);
	size_t w = text_width(s, len);
	for (; w < width; w++)
		g_string_append_c(out, ' ');
	g_string_append_len(out, s, (gssize)len);
}

void text_append_uint(GString *out, uint64_t v, size_t width)
{
	char d[DEC_MAX_DIGITS];
	char *s = dec_put(d + sizeof(d), v);
	size_t n = (size_t)(d + sizeof(d) - s);
	for (size_t k = n; k < width; k++)
		g_string_append_c(out, ' ');
	g_string_append_len(out, s, (gssize)n);
}
