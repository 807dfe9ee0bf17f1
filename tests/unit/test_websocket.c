/*
 * test_websocket.c — RFC 6455 frame parsing and the HTTP upgrade helpers.
 */
#include <glib.h>
#include <string.h>

#include "base/arena.h"
#include "capture/websocket.h"

typedef struct seen {
	GPtrArray *msgs; /* GBytes */
	GArray *info;    /* of ws_msg (data not kept) */
} seen;

static void on_msg(void *user, const ws_msg *m)
{
	seen *s = user;
	g_ptr_array_add(s->msgs, g_bytes_new(m->data.p, m->data.len));
	g_array_append_val(s->info, *m);
}

static void seen_init(seen *s)
{
	s->msgs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	s->info = g_array_new(FALSE, TRUE, sizeof(ws_msg));
}

static void seen_clear(seen *s)
{
	g_ptr_array_free(s->msgs, TRUE);
	g_array_free(s->info, TRUE);
}

static bool seen_eq(const seen *s, guint i, const char *text)
{
	gsize n;
	const void *p = g_bytes_get_data(g_ptr_array_index(s->msgs, i), &n);
	return n == strlen(text) && memcmp(p, text, n) == 0;
}

static void frame(GByteArray *out, uint8_t b0, const uint8_t *key, const char *payload, size_t len)
{
	uint8_t hdr[14];
	size_t n = 0;
	hdr[n++] = b0;
	uint8_t m = key ? 0x80 : 0;
	if (len < 126) {
		hdr[n++] = m | (uint8_t)len;
	} else if (len < 65536) {
		hdr[n++] = m | 126;
		hdr[n++] = (uint8_t)(len >> 8);
		hdr[n++] = (uint8_t)len;
	} else {
		hdr[n++] = m | 127;
		for (int i = 7; i >= 0; i--)
			hdr[n++] = (uint8_t)((uint64_t)len >> (8 * i));
	}
	if (key) {
		memcpy(hdr + n, key, 4);
		n += 4;
	}
	g_byte_array_append(out, hdr, (guint)n);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)payload[i] ^ (key ? key[i & 3] : 0);
		g_byte_array_append(out, &c, 1);
	}
}

static const uint8_t key[4] = { 1, 2, 3, 4 };

/* Feeds data in pieces of the given size. */
static bool feed_pieces(ws_parser *p, arena *mem, seen *s, const GByteArray *b, size_t piece)
{
	for (size_t off = 0; off < b->len; off += piece) {
		size_t n = b->len - off < piece ? b->len - off : piece;
		ws_input in = {
			.data = sv_make(b->data + off, n),
			.frame_num = off / piece + 1,
			.chunk_id = off / piece + 1,
			.stable = true,
		};
		if (!ws_parser_feed(p, &in, mem, NULL, on_msg, s))
			return false;
	}
	return true;
}

static void test_frames_any_split(void)
{
	GString *big = g_string_new(NULL);
	while (big->len < 70000)
		g_string_append(big, "0123456789abcdef");
	GByteArray *b = g_byte_array_new();
	frame(b, 0x81, key, "hello", 5);
	frame(b, 0x01, NULL, "frag", 4);
	frame(b, 0x8a, key, "", 0);
	frame(b, 0x00, key, "men", 3);
	frame(b, 0x80, NULL, "ted", 3);
	frame(b, 0x82, NULL, big->str, 300);
	frame(b, 0x82, key, big->str, big->len);
	frame(b, 0x89, NULL, "x", 1);
	for (size_t piece = 1; piece <= b->len; piece = piece * 3 + 1) {
		arena mem;
		arena_init(&mem, 0);
		ws_parser p;
		ws_parser_init(&p);
		seen s;
		seen_init(&s);
		g_assert_true(feed_pieces(&p, &mem, &s, b, piece));
		g_assert_cmpuint(s.msgs->len, ==, 4);
		g_assert_true(seen_eq(&s, 0, "hello"));
		g_assert_true(seen_eq(&s, 1, "fragmented"));
		g_assert_true(g_array_index(s.info, ws_msg, 1).segments);
		g_autofree char *b300 = g_strndup(big->str, 300);
		g_assert_true(seen_eq(&s, 2, b300));
		g_assert_true(seen_eq(&s, 3, big->str));
		g_assert_cmpuint(p.frames, ==, 8);
		ws_parser_clear(&p);
		seen_clear(&s);
		arena_free(&mem);
	}
	g_byte_array_free(b, TRUE);
	g_string_free(big, TRUE);
}

static void test_bad_headers(void)
{
	const uint8_t bad[][10] = {
		{ 0x83, 0x01, 'x' },                               /* reserved opcode */
		{ 0x89, 0x7e, 0x00, 0x80 },                        /* control > 125 */
		{ 0x09, 0x01, 'x' },                               /* fragmented control */
		{ 0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1 },        /* 64-bit MSB set */
		{ 0x82, 0x7f, 0x00, 0, 0, 0, 0x10, 0, 0, 1 },     /* beyond the bound */
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		arena mem;
		arena_init(&mem, 0);
		ws_parser p;
		ws_parser_init(&p);
		seen s;
		seen_init(&s);
		ws_input in = { .data = sv_make(bad[i], sizeof(bad[i])), .stable = true };
		g_assert_false(ws_parser_feed(&p, &in, &mem, NULL, on_msg, &s));
		g_assert_cmpuint(s.msgs->len, ==, 0);
		ws_parser_clear(&p);
		seen_clear(&s);
		arena_free(&mem);
	}
}

static void test_finish_partial(void)
{
	arena mem;
	arena_init(&mem, 0);
	ws_parser p;
	ws_parser_init(&p);
	seen s;
	seen_init(&s);
	GByteArray *b = g_byte_array_new();
	frame(b, 0x81, key, "partial message", 15);
	ws_input in = { .data = sv_make(b->data, 10), .frame_num = 7, .stable = true };
	g_assert_true(ws_parser_feed(&p, &in, &mem, NULL, on_msg, &s));
	g_assert_cmpuint(s.msgs->len, ==, 0);
	ws_parser_finish(&p, on_msg, &s);
	g_assert_cmpuint(s.msgs->len, ==, 1);
	g_assert_true(seen_eq(&s, 0, "part"));
	g_assert_true(g_array_index(s.info, ws_msg, 0).truncated);
	g_assert_cmpuint(g_array_index(s.info, ws_msg, 0).first_frame, ==, 7);
	g_byte_array_free(b, TRUE);
	ws_parser_clear(&p);
	seen_clear(&s);
	arena_free(&mem);
}

static ws_probe_result check_hello(sv head, bool whole)
{
	sv want = SV_LIT("hello");
	size_t n = head.len < want.len ? head.len : want.len;
	if (!sv_eq(sv_head(head, n), sv_head(want, n)))
		return WS_PROBE_NO;
	return n == want.len ? WS_PROBE_YES : (whole ? WS_PROBE_NO : WS_PROBE_MORE);
}

static void test_probe(void)
{
	GByteArray *b = g_byte_array_new();
	frame(b, 0x89, NULL, "p", 1);
	frame(b, 0x81, key, "hello world", 11);
	g_assert_cmpint(ws_probe(sv_make(b->data, b->len), check_hello), ==, WS_PROBE_YES);
	g_assert_cmpint(ws_probe(sv_make(b->data, 2), check_hello), ==, WS_PROBE_MORE);
	g_assert_cmpint(ws_probe(sv_make(b->data, 3), check_hello), ==, WS_PROBE_MORE);
	g_assert_cmpint(ws_probe(sv_make(b->data, 10), check_hello), ==, WS_PROBE_MORE);
	g_byte_array_set_size(b, 0);
	frame(b, 0x81, key, "goodbye", 7);
	g_assert_cmpint(ws_probe(sv_make(b->data, b->len), check_hello), ==, WS_PROBE_NO);
	g_byte_array_set_size(b, 0);
	frame(b, 0x80, NULL, "hello", 5); /* a continuation cannot come first */
	g_assert_cmpint(ws_probe(sv_make(b->data, b->len), check_hello), ==, WS_PROBE_NO);
	g_assert_cmpint(ws_probe(SV_LIT("INVITE sip:x SIP/2.0\r\n"), check_hello), ==, WS_PROBE_NO);
	g_byte_array_free(b, TRUE);
}

static void test_http(void)
{
	g_assert_true(ws_http_upgrade_request(
		SV_LIT("GET /ws HTTP/1.1\r\nHost: x\r\nUPGRADE : WebSocket\r\n\r\n")));
	g_assert_false(ws_http_upgrade_request(SV_LIT("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")));
	g_assert_false(ws_http_upgrade_request(
		SV_LIT("POST /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")));
	g_assert_false(ws_http_upgrade_request(SV_LIT("GET /ws SIP/2.0\r\nUpgrade: websocket\r\n\r\n")));
	g_assert_true(ws_http_switching_response(SV_LIT("HTTP/1.1 101 Switching Protocols\r\n\r\n")));
	g_assert_true(ws_http_switching_response(SV_LIT("HTTP/1.1 101\r\n\r\n")));
	g_assert_false(ws_http_switching_response(SV_LIT("HTTP/1.1 200 OK\r\n\r\n")));
	g_assert_false(ws_http_switching_response(SV_LIT("HTTP/1.1 1010 x\r\n\r\n")));
	g_assert_false(ws_http_switching_response(SV_LIT("HTTP/1.1")));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/websocket/frames-any-split", test_frames_any_split);
	g_test_add_func("/websocket/bad-headers", test_bad_headers);
	g_test_add_func("/websocket/finish-partial", test_finish_partial);
	g_test_add_func("/websocket/probe", test_probe);
	g_test_add_func("/websocket/http", test_http);
	return g_test_run();
}
