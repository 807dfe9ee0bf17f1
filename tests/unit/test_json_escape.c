/*
 * output/json.h: json_append_sv escapes a view as the byte-by-byte rule
 * says (controls as \u00XX or their short forms, '"' and '\\' escaped,
 * valid UTF-8 copied, any other byte from 0x80 as U+FFFD), whichever
 * bytes surround the one to escape and wherever it lies in the view.
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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/json/escape/every-byte-every-place", test_every_byte_every_place);
	return g_test_run();
}
