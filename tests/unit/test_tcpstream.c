/*
 * test_tcpstream.c — sequence-order reassembly of one TCP direction.
 */
#include <glib.h>
#include <string.h>

#include "capture/decode.h"
#include "base/arena.h"
#include "capture/tcpstream.h"

typedef struct out {
	GString *bytes;
	GArray *chunks; /* of tcp_chunk, data not kept */
	GArray *credit; /* frame number credited */
} out;

static void on_chunk(void *user, const tcp_chunk *c)
{
	out *o = user;
	g_string_append_len(o->bytes, (const char *)c->data.p, (gssize)c->data.len);
	g_array_append_val(o->chunks, *c);
	uint64_t n = c->frame->num;
	g_array_append_val(o->credit, n);
}

static void out_init(out *o)
{
	o->bytes = g_string_new(NULL);
	o->chunks = g_array_new(FALSE, TRUE, sizeof(tcp_chunk));
	o->credit = g_array_new(FALSE, TRUE, sizeof(uint64_t));
}

static void out_clear(out *o)
{
	g_string_free(o->bytes, TRUE);
	g_array_free(o->chunks, TRUE);
	g_array_free(o->credit, TRUE);
}

static const char text[] = "abcdefghijklmnopqrstuvwxyz0123456789";

static void seg(tcp_stream *s, tcp_shared *sh, out *o, uint64_t num, uint32_t seq, uint8_t flags,
		size_t from, size_t to)
{
	cap_frame fr = { .num = num };
	tcp_segment g = {
		.frame = &fr,
		.seq = seq,
		.flags = flags,
		.data = sv_make(text + from, to - from),
	};
	tcp_stream_segment(s, sh, &g, on_chunk, o);
	memset(&fr, 0xee, sizeof(fr)); /* held segments keep their own copy */
}

static void test_reorder_overlap(void)
{
	tcp_stream s;
	tcp_shared sh = { 0 };
	out o;
	out_init(&o);
	tcp_stream_init(&s);
	uint32_t isn = 0xfffffff0u; /* wraps inside the data */
	seg(&s, &sh, &o, 1, isn, CAP_TCP_SYN, 0, 0);
	seg(&s, &sh, &o, 2, isn + 1 + 20, 0, 20, 30);
	seg(&s, &sh, &o, 3, isn + 1 + 10, 0, 10, 25);  /* overlaps the held one */
	seg(&s, &sh, &o, 4, isn + 1 + 28, 0, 28, 36);
	g_assert_cmpuint(tcp_stream_held(&s), ==, 3);
	g_assert_cmpuint(o.bytes->len, ==, 0);
	seg(&s, &sh, &o, 5, isn + 1, 0, 0, 12);
	g_assert_cmpstr(o.bytes->str, ==, text);
	g_assert_cmpuint(tcp_stream_held(&s), ==, 0);
	g_assert_cmpuint(sh.held_segments, ==, 0);
	for (guint i = 0; i < o.credit->len; i++)
		g_assert_cmpuint(g_array_index(o.credit, uint64_t, i), ==, 5);
	g_assert_cmpuint(g_array_index(o.chunks, tcp_chunk, 1).frame_num, ==, 3);
	/* 2 bytes of seg 3 and 5+2 of the others were seen before. */
	g_assert_cmpuint(sh.retransmitted_bytes, ==, 2 + 5 + 2);
	g_assert_false(tcp_stream_ended(&s));
	seg(&s, &sh, &o, 6, isn + 1 + 36, CAP_TCP_FIN, 36, 36);
	g_assert_true(tcp_stream_ended(&s));
	tcp_stream_clear(&s, &sh);
	out_clear(&o);
}

static void test_drain_credits_own_frames(void)
{
	tcp_stream s;
	tcp_shared sh = { 0 };
	out o;
	out_init(&o);
	tcp_stream_init(&s);
	seg(&s, &sh, &o, 1, 100, 0, 0, 5);
	seg(&s, &sh, &o, 2, 110, 0, 10, 15);
	seg(&s, &sh, &o, 3, 120, 0, 20, 25);
	g_assert_cmpuint(o.chunks->len, ==, 1);
	tcp_stream_drain(&s, &sh, NULL, on_chunk, &o);
	g_assert_cmpuint(o.chunks->len, ==, 3);
	g_assert_true(g_array_index(o.chunks, tcp_chunk, 1).gap);
	g_assert_true(g_array_index(o.chunks, tcp_chunk, 2).gap);
	g_assert_cmpuint(g_array_index(o.credit, uint64_t, 1), ==, 2);
	g_assert_cmpuint(g_array_index(o.credit, uint64_t, 2), ==, 3);
	g_assert_cmpuint(sh.gaps, ==, 2);
	g_assert_cmpuint(sh.held_segments, ==, 0);
	tcp_stream_clear(&s, &sh);
	out_clear(&o);
}

static void test_restart_and_far_jump(void)
{
	tcp_stream s;
	tcp_shared sh = { 0 };
	out o;
	out_init(&o);
	tcp_stream_init(&s);
	seg(&s, &sh, &o, 1, 1000, 0, 0, 10);
	cap_frame fr = { .num = 2 };
	tcp_segment late_syn = { .frame = &fr, .seq = 999, .flags = CAP_TCP_SYN };
	tcp_segment new_syn = { .frame = &fr, .seq = 5, .flags = CAP_TCP_SYN };
	g_assert_false(tcp_stream_is_restart(&s, &late_syn));
	g_assert_true(tcp_stream_is_restart(&s, &new_syn));
	/* A jump far ahead is another sequence space, not a hold. */
	seg(&s, &sh, &o, 3, 1010 + 100u * 1000 * 1000, 0, 10, 20);
	g_assert_cmpuint(o.chunks->len, ==, 2);
	g_assert_true(g_array_index(o.chunks, tcp_chunk, 1).gap);
	g_assert_cmpuint(sh.gaps, ==, 1);
	tcp_stream_clear(&s, &sh);
	out_clear(&o);
}

/* Segments held out of order whose bytes lie in an arena that is about to
 * go: relocated, the arena freed (ASan would see a read of it), then the
 * gap filled: the stream comes out whole, frame bytes dropped on request. */
static void test_relocate(void)
{
	tcp_stream s;
	tcp_shared sh = { 0 };
	out o;
	out_init(&o);
	tcp_stream_init(&s);
	arena from, to;
	arena_init(&from, 256);
	arena_init(&to, 256);
	seg(&s, &sh, &o, 1, 99, CAP_TCP_SYN, 0, 0);
	const uint8_t *copy = arena_copy(&from, text, sizeof(text) - 1);
	uint8_t *frame_bytes = arena_copy(&from, "frame", 5);
	cap_frame fr = { .num = 2, .data = sv_make(frame_bytes, 5) };
	tcp_segment g = { .frame = &fr, .seq = 100 + 10, .data = sv_make(copy + 10, 26) };
	tcp_stream_segment(&s, &sh, &g, on_chunk, &o);
	g_assert_cmpuint(tcp_stream_held(&s), ==, 1);
	tcp_stream_relocate(&s, &from, &to, false);
	g_assert_true(arena_contains(&from, copy));
	arena_free(&from);
	seg(&s, &sh, &o, 3, 100, 0, 0, 10);
	g_assert_cmpstr(o.bytes->str, ==, text);
	/* the held segment's frame bytes were dropped, its number kept */
	g_assert_cmpuint(g_array_index(o.chunks, tcp_chunk, 1).frame_num, ==, 2);
	tcp_stream_clear(&s, &sh);
	arena_free(&to);
	out_clear(&o);
}

static void test_arena_move(void)
{
	arena a, b;
	arena_init(&a, 64);
	arena_init(&b, 64);
	const uint8_t *x = arena_copy(&a, "hello", 5);
	const uint8_t *big = arena_copy(&a, text, sizeof(text));  /* a chunk of its own */
	g_assert_true(arena_contains(&a, x) && arena_contains(&a, big + 10));
	g_assert_false(arena_contains(&b, x));
	g_assert_false(arena_contains(&a, text));
	const uint8_t *y = arena_move(&a, &b, x, 5);
	g_assert_true(y != x && arena_contains(&b, y) && memcmp(y, "hello", 5) == 0);
	g_assert_true(arena_move(&a, &b, y, 5) == y);          /* not in a: unchanged */
	g_assert_null(arena_move(&a, &b, NULL, 0));
	/* take: b's contents go to a (freed first), b starts empty */
	arena_take(&a, &b);
	g_assert_true(arena_contains(&a, y));
	g_assert_null(b.head);
	g_assert_cmpuint(b.chunk_size, ==, 64);
	arena_free(&a);
	arena_free(&b);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tcpstream/reorder-overlap", test_reorder_overlap);
	g_test_add_func("/tcpstream/drain-credits-own-frames", test_drain_credits_own_frames);
	g_test_add_func("/tcpstream/restart-and-far-jump", test_restart_and_far_jump);
	g_test_add_func("/tcpstream/relocate", test_relocate);
	g_test_add_func("/arena/move-and-take", test_arena_move);
	return g_test_run();
}
