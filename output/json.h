/*
 * json.h — the small set of JSON writing helpers every JSON record uses.
 *
 * Strings from the wire are arbitrary bytes: json_append_sv() always
 * produces valid JSON — control characters, quotes and backslashes escaped,
 * valid UTF-8 passed through, and each byte of an invalid UTF-8 sequence
 * written as U+FFFD so the output stays valid UTF-8.
 */
#ifndef SIPSCOPE_OUTPUT_JSON_H
#define SIPSCOPE_OUTPUT_JSON_H

#include <glib.h>
#include <string.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/endpoint.h"

/* A JSON string literal (with quotes) for the bytes of v; "null" when
 * v.p == NULL. */
void json_append_sv(GString *out, sv v);
void json_append_str(GString *out, const char *s); /* NULL → null */
/* "key": — key is a literal from our code, never from the wire. */
static inline void json_append_key(GString *out, const char *key);
/* An endpoint as endpoint_format writes it, quoted ("192.0.2.1:5060",
 * "[2001:db8::1]:5060"): its text never needs escaping. */
void json_append_endpoint(GString *out, const endpoint *e);
/* Seconds since the epoch with microsecond precision, from nanoseconds. */
void json_append_ts(GString *out, int64_t ts_ns);
/* Decimal digits without printf: numbers are written several times per
 * record. */
void json_append_u64(GString *out, uint64_t v);

/* Length of the valid UTF-8 sequence starting at p[0] (1..4), or 0 if the
 * bytes there do not start a valid, shortest-form sequence. Shared with the
 * terminal escaper. */
size_t utf8_valid_len(const uint8_t *p, size_t n);


/* n bytes (n <= 16) in at most two overlapping copies of a fixed size,
 * each within [s, s + n): no call of memcpy for a number or a short
 * value, which most of a record's pieces are. */
static inline void json_copy_short(char *d, const char *s, size_t n)
{
	if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else if (n) {
		d[0] = s[0];
		d[n >> 1] = s[n >> 1];
		d[n - 1] = s[n - 1];
	}
}

/* Appends n bytes: inline when they fit the buffer (the usual case), as
 * GLib's own appends are calls that go through g_string_insert_len. */
static inline void json_buf_append(GString *out, const void *p, size_t n)
{
	if (out->len + n < out->allocated_len) {
		if (n <= 16)
			json_copy_short(out->str + out->len, p, n);
		else
			memcpy(out->str + out->len, p, n);
		out->len += n;
		out->str[out->len] = '\0';
	} else {
		g_string_append_len(out, (const char *)p, (gssize)n);
	}
}

/* A string literal of ours. */
#define JSON_LIT(out, lit) json_buf_append((out), "" lit, sizeof(lit) - 1)

static inline void json_append_key(GString *out, const char *key)
{
	g_string_append_c(out, '"');
	json_buf_append(out, key, strlen(key));
	JSON_LIT(out, "\":");
}

#endif
