/*
 * output/json.h: json_append_sv escapes a view as the byte-by-byte rule
 * says (controls as \u00XX or their short forms, '"' and '\\' escaped,
 * valid UTF-8 copied, any other byte from 0x80 as U+FFFD), whichever
 * bytes surround the one to escape and wherever it lies in the view;
 * numbers and times are written as printf would write them.
 */
#include <glib.h>
#include <string.h>

#include "output/json.h"

/* The rule, one byte at a time. */
static void reference(GString *out, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	g_string_append_c(out, '"');
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		if (c >= 0x80) {
			size_t k = utf8_valid_len(p + i, n - i);
			if (k == 0) {
				g_string_append(out, "\xEF\xBF\xBD");
				i++;
			} else {
				g_string_append_len(out, (const char *)p + i, (gssize)k);
				i += k;
			}
			continue;
		}
		if (c == '"')
			g_string_append(out, "\\\"");
		else if (c == '\\')
			g_string_append(out, "\\\\");
		else if (c == '\n')
			g_string_append(out, "\\n");
		else if (c == '\r')
			g_string_append(out, "\\r");
		else if (c == '\t')
			g_string_append(out, "\\t");
		else if (c < 0x20)
			g_string_append_printf(out, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
		else
			g_string_append_c(out, (char)c);
		i++;
	}
	g_string_append_c(out, '"');
}

static void check(const uint8_t *p, size_t n)
{
	g_autoptr(GString) got = g_string_new(NULL);
	g_autoptr(GString) want = g_string_new(NULL);
	json_append_sv(got, sv_make(p, n));
	reference(want, p, n);
	g_assert_cmpstr(got->str, ==, want->str);
}

/* Every byte value at every place of views up to 40 bytes long (plain
 * text around it: runs of sixteen and the rest), then UTF-8 sequences,
 * whole and cut, across the same places. */
static void test_every_byte_every_place(void)
{
	uint8_t buf[48];
	for (size_t n = 0; n <= 40; n++) {
		for (size_t at = 0; at < n; at++) {
			for (unsigned c = 0; c < 256; c++) {
				memset(buf, 'a', n);
				buf[at] = (uint8_t)c;
				check(buf, n);
			}
		}
	}
	static const char *const seqs[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3",
					    "\xe2\x82", "\xed\xa0\x80", "\xf5\x80\x80\x80", "\xc0\xaf" };
	for (size_t s = 0; s < G_N_ELEMENTS(seqs); s++) {
		size_t k = strlen(seqs[s]);
		for (size_t n = k; n <= 40; n++) {
			for (size_t at = 0; at + k <= n; at++) {
				memset(buf, 'b', n);
				memcpy(buf + at, seqs[s], k);
				check(buf, n);
			}
		}
	}
	g_autoptr(GString) null_out = g_string_new(NULL);
	json_append_sv(null_out, SV_NULL);
	g_assert_cmpstr(null_out->str, ==, "null");
}

static void check_u64(uint64_t v)
{
	g_autoptr(GString) got = g_string_new(NULL);
	json_append_u64(got, v);
	g_autofree char *want = g_strdup_printf("%" G_GUINT64_FORMAT, v);
	g_assert_cmpstr(got->str, ==, want);
}

/* Seconds with six decimals, the nanoseconds rounded half away from zero
 * (and no sign when that gives zero), by printf from the exact value. */
static void check_ts(int64_t ns)
{
	g_autoptr(GString) got = g_string_new(NULL);
	json_append_ts(got, ns);
	/* the magnitude in 128 bits: the most negative time has none in 64 */
	unsigned __int128 mag = ns < 0 ? (unsigned __int128)(-(ns + 1)) + 1 : (unsigned __int128)ns;
	unsigned __int128 us = (mag + 500) / 1000;
	uint64_t sec = (uint64_t)(us / 1000000), frac = (uint64_t)(us % 1000000);
	g_autofree char *want = g_strdup_printf("%s%" G_GUINT64_FORMAT ".%06" G_GUINT64_FORMAT,
						ns < 0 && us ? "-" : "", sec, frac);
	g_assert_cmpstr(got->str, ==, want);
}

/* Every number of up to five digits, powers of ten and their neighbours,
 * the ends of the range and of 32 bits, and times around them, both
 * signs. */
static void test_numbers(void)
{
	for (uint64_t v = 0; v < 100000; v++)
		check_u64(v);
	for (uint64_t p = 1; p <= UINT64_C(10000000000000000000); p *= 10) {
		check_u64(p - 1);
		check_u64(p);
		check_u64(p + 1);
		if (p == UINT64_C(10000000000000000000))
			break;
	}
	check_u64(UINT64_MAX);
	/* where the digits go from 64-bit to 32-bit steps */
	for (uint64_t v = UINT64_C(0xffffffff) - 2; v <= UINT64_C(0x100000002); v++)
		check_u64(v);
	check_u64(UINT64_C(0xffffffff) * 100 + 99);
	check_u64(UINT64_C(0x100000000) * 100);
	static const int64_t ts[] = { 0, 1, 499, 500, 501, 999, 1000, 999999499, 999999500,
				      1000000000, INT64_C(1700000000123456789), INT64_MAX, INT64_MIN,
				      INT64_MIN + 1, 86400 * INT64_C(1000000000) };
	for (size_t i = 0; i < G_N_ELEMENTS(ts); i++) {
		check_ts(ts[i]);
		if (ts[i] != INT64_MIN)
			check_ts(-ts[i]);
	}
	for (int64_t v = -3000; v <= 3000; v++)
		check_ts(v * 997);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/json/escape/every-byte-every-place", test_every_byte_every_place);
	g_test_add_func("/json/numbers", test_numbers);
	return g_test_run();
}
