#include "json.h"

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

void json_append_sv(GString *out, sv v)
{
	static const char hex[] = "0123456789abcdef";
	if (!v.p) {
		g_string_append_len(out, "null", 4);
		return;
	}
	g_string_append_c(out, '"');
	size_t i = 0;
	while (i < v.len) {
		/* Copy the longest run of bytes that need no escaping at once. */
		size_t run = i;
		while (run < v.len) {
			uint8_t c = v.p[run];
			if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
				break;
			run++;
		}
		if (run > i) {
			g_string_append_len(out, (const char *)v.p + i, (gssize)(run - i));
			i = run;
			continue;
		}
		uint8_t c = v.p[i];
		if (c >= 0x80) {
			size_t n = utf8_valid_len(v.p + i, v.len - i);
			if (n == 0) {
				g_string_append_len(out, "\xEF\xBF\xBD", 3);
				i++;
			} else {
				g_string_append_len(out, (const char *)v.p + i, (gssize)n);
				i += n;
			}
			continue;
		}
		switch (c) {
		case '"': g_string_append_len(out, "\\\"", 2); break;
		case '\\': g_string_append_len(out, "\\\\", 2); break;
		case '\n': g_string_append_len(out, "\\n", 2); break;
		case '\r': g_string_append_len(out, "\\r", 2); break;
		case '\t': g_string_append_len(out, "\\t", 2); break;
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

void json_append_key(GString *out, const char *key)
{
	g_string_append_c(out, '"');
	g_string_append(out, key);
	g_string_append_len(out, "\":", 2);
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
	g_string_append_len(out, d + k, (gssize)(sizeof(d) - k));
}
