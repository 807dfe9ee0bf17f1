#include "json.h"

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

void json_append_str(GString *out, const char *s)
{
	json_append_sv(out, s ? sv_from_cstr(s) : SV_NULL);
}


void json_append_u64(GString *out, uint64_t v)
{
	char d[20];
	size_t k = sizeof(d);
	do {
		d[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	json_buf_append(out, d + k, sizeof(d) - k);
}

void json_append_ts(GString *out, int64_t ts_ns)
{
	/* Round to the microsecond, then print sign, seconds and fraction
	 * separately so negative times come out right too. */
	int64_t us = ts_ns >= 0 ? (ts_ns + 500) / 1000 : -((-ts_ns + 500) / 1000);
	const char *sign = us < 0 ? "-" : "";
	uint64_t a = us < 0 ? (uint64_t)(-(us + 1)) + 1 : (uint64_t)us;
	/* digits by hand: this runs for every message written */
	char d[32];
	size_t k = sizeof(d);
	unsigned frac = (unsigned)(a % 1000000u);
	for (int i = 0; i < 6; i++) {
		d[--k] = (char)('0' + frac % 10);
		frac /= 10;
	}
	d[--k] = '.';
	uint64_t sec = a / 1000000u;
	do {
		d[--k] = (char)('0' + sec % 10);
		sec /= 10;
	} while (sec);
	if (*sign)
		d[--k] = '-';
	json_buf_append(out, d + k, sizeof(d) - k);
}
