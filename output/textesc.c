#include "textesc.h"

#include "json.h"

void text_append_sv(GString *out, sv v)
{
	if (!v.p) {
		g_string_append_c(out, '-');
		return;
	}
	size_t i = 0;
	while (i < v.len) {
		uint8_t c = v.p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			g_string_append_c(out, (char)c);
			i++;
			continue;
		}
		if (c == '\\') {
			g_string_append_len(out, "\\\\", 2);
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t n = utf8_valid_len(v.p + i, v.len - i);
			/* U+0080..U+009F (C1 controls) are two bytes C2 80..C2 9F. */
			if (n > 0 && !(n == 2 && c == 0xC2 && v.p[i + 1] < 0xA0)) {
				g_string_append_len(out, (const char *)v.p + i, (gssize)n);
				i += n;
				continue;
			}
		}
		g_string_append_printf(out, "\\x%02x", c);
		i++;
	}
}
