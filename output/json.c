#include "json.h"

#include "base/decimal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

size_t utf8_valid_len(const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	uint8_t c = p[0];
	if (c < 0x80)
		return 1;
	size_t need;
	uint32_t min, cp;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
		min = 0x80;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		min = 0x800;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		min = 0x10000;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

/* Bytes that cannot be copied into a JSON string as they are: controls,
 * '"', '\\' and everything from 0x80 (checked as UTF-8). */
static const uint8_t json_special[256] = {
#define R4(b) [b] = 1, [b + 1] = 1, [b + 2] = 1, [b + 3] = 1
#define R16(b) R4(b), R4(b + 4), R4(b + 8), R4(b + 12)
	R16(0x00), R16(0x10), ['"'] = 1, ['\\'] = 1,
	R16(0x80), R16(0x90), R16(0xa0), R16(0xb0),
	R16(0xc0), R16(0xd0), R16(0xe0), R16(0xf0),
#undef R16
#undef R4
};

/* The end of the run of bytes from i that need no escaping: sixteen at a
 * time (a control byte or one from 0x80 is below 0x20 as a signed byte),
 * the table for the rest.  Message texts are written whole, and they
 * are runs of plain bytes between their line ends. */
static inline size_t plain_run(const uint8_t *p, size_t i, size_t n)
{
#if defined(__SSE2__)
	const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
		      backslash = _mm_set1_epi8('\\');
	for (; n - i >= 16; i += 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(b, space),
			_mm_or_si128(_mm_cmpeq_epi8(b, quote), _mm_cmpeq_epi8(b, backslash))));
		if (m)
			return i + (unsigned)__builtin_ctz(m);
	}
#endif
	/* eight at a time (header values are short: tags, branches, the
	 * ends of Call-IDs), the lowest flagged byte being the first: a
	 * borrow of the subtraction only flags bytes above a flagged one */
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	for (; n - i >= 8; i += 8) {
		uint64_t w = sv_word_load(p + i);
		uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
		uint64_t m = (w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
		if (m)
			return i + (size_t)(__builtin_ctzll(m) >> 3);
	}
	while (i < n && !json_special[p[i]])
		i++;
	return i;
}

void json_append_sv(GString *out, sv v)
{
	static const char hex[] = "0123456789abcdef";
	if (!v.p) {
		JSON_LIT(out, "null");
		return;
	}
	g_string_append_c(out, '"');
	size_t i = 0;
	while (i < v.len) {
		/* Copy the longest run of bytes that need no escaping at once. */
		size_t run = plain_run(v.p, i, v.len);
		if (run > i) {
			json_buf_append(out, v.p + i, run - i);
			i = run;
			continue;
		}
		uint8_t c = v.p[i];
		if (c >= 0x80) {
			size_t n = utf8_valid_len(v.p + i, v.len - i);
			if (n == 0) {
				JSON_LIT(out, "\xEF\xBF\xBD");
				i++;
			} else {
				json_buf_append(out, v.p + i, n);
				i += n;
			}
			continue;
		}
		switch (c) {
		case '"': JSON_LIT(out, "\\\""); break;
		case '\\': JSON_LIT(out, "\\\\"); break;
		case '\n': JSON_LIT(out, "\\n"); break;
		case '\r': JSON_LIT(out, "\\r"); break;
		case '\t': JSON_LIT(out, "\\t"); break;
		default: {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			g_string_append_len(out, e, 6);
		}
		}
		i++;
	}
	g_string_append_c(out, '"');
}

void json_append_endpoint(GString *out, const endpoint *e)
{
	char buf[ENDPOINT_STRLEN + 2];
	buf[0] = '"';
	size_t n = strlen(endpoint_format(e, buf + 1, ENDPOINT_STRLEN));
	buf[n + 1] = '"';
	json_buf_append(out, buf, n + 2);
}

void json_append_str(GString *out, const char *s)
{
	json_append_sv(out, s ? sv_from_cstr(s) : SV_NULL);
}

void json_append_u64(GString *out, uint64_t v)
{
	char d[DEC_MAX_DIGITS];
	char *s = dec_put(d + sizeof(d), v);
	size_t n = (size_t)(d + sizeof(d) - s);
	/* Past 16 digits (10^16 and more: rare) through GLib: json_buf_append
	 * then never memcpy's a number, whose length GCC cannot bound once
	 * this is inlined into a caller (it warns of an overread). */
	if (n > 16) {
		g_string_append_len(out, s, (gssize)n);
		return;
	}
	json_buf_append(out, s, n);
}

void json_append_ts(GString *out, int64_t ts_ns)
{
	/* Rounded to the microsecond, half away from zero; sign, seconds and
	 * fraction printed apart so negative times come out right too (the
	 * magnitude unsigned: the most negative time has no opposite). */
	bool neg = ts_ns < 0;
	uint64_t mag = neg ? (uint64_t)0 - (uint64_t)ts_ns : (uint64_t)ts_ns;
	uint64_t a = mag / 1000 + (mag % 1000 >= 500);
	/* digits by hand: this runs for every message written */
	char d[32];
	char *e = d + sizeof(d);
	unsigned frac = (unsigned)(a % 1000000u);
	for (int i = 0; i < 3; i++) {
		e -= 2;
		memcpy(e, dec_pairs + 2 * (frac % 100), 2);
		frac /= 100;
	}
	*--e = '.';
	e = dec_put(e, a / 1000000u);
	if (neg && a)
		*--e = '-';
	json_buf_append(out, e, (size_t)(d + sizeof(d) - e));
}
