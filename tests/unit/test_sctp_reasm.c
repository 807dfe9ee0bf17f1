/*
 * test_sctp_reasm.c — SCTP user messages put together from DATA and I-DATA
 * fragments, and retransmissions handed on once: through sctp_reasm_add()
 * directly, and through the decoder from frames built byte by byte here.
 */
#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

#include "base/arena.h"
#include "base/endpoint.h"
#include "capture/decode.h"
#include "capture/frame.h"
#include "capture/sctp_reasm.h"

enum { B = SCTP_CHUNK_B, E = SCTP_CHUNK_E, U = SCTP_CHUNK_U, BE = B | E };

/* ---- the module on its own ---------------------------------------------- */

typedef struct msg {
	uint64_t frame;
	GByteArray *data;
	uint32_t ppid;
	uint16_t sid;
	uint32_t fragments;
} msg;

typedef struct rig {
	arena mem;
	sctp_reasm *t;
	sctp_dir_key k;
	GArray *msgs;
	uint64_t frame;
} rig;

static void msg_clear(gpointer p)
{
	msg *m = p;
	g_byte_array_unref(m->data);
}

static void rig_init(rig *r)
{
	memset(r, 0, sizeof(*r));
	arena_init(&r->mem, 0);
	r->t = sctp_reasm_new(&r->mem);
	r->k = (sctp_dir_key){ .input = 0, .vtag = 0x11223344, .sport = 5060, .dport = 5061, .family = 4 };
	memcpy(r->k.src, "\xc0\x00\x02\x01", 4);
	memcpy(r->k.dst, "\xc6\x33\x64\x02", 4);
	r->msgs = g_array_new(FALSE, TRUE, sizeof(msg));
	g_array_set_clear_func(r->msgs, msg_clear);
}

static void rig_free(rig *r)
{
	sctp_reasm_free(r->t);
	g_array_free(r->msgs, TRUE);
	arena_free(&r->mem);
}

static sctp_chunk data_chunk(uint32_t tsn, unsigned sid, unsigned ssn, unsigned flags, uint32_t ppid,
			     const char *s)
{
	return (sctp_chunk){
		.tsn = tsn, .sid = (uint16_t)sid, .ssn = (uint16_t)ssn, .flags = (uint8_t)flags,
		.ppid = ppid, .data = sv_from_cstr(s),
	};
}

/* I-DATA: with B set, x is the PPID; otherwise the FSN. */
static sctp_chunk idata_chunk(uint32_t tsn, unsigned sid, uint32_t mid, unsigned flags, uint32_t x,
			      const char *s)
{
	sctp_chunk c = { .idata = true, .tsn = tsn, .sid = (uint16_t)sid, .mid = mid,
			 .flags = (uint8_t)flags, .data = sv_from_cstr(s) };
	if (flags & B)
		c.ppid = x;
	else
		c.fsn = x;
	return c;
}

/* Each call is a frame of its own. */
static sctp_reasm_result add_k(rig *r, const sctp_dir_key *k, sctp_chunk c)
{
	sctp_message m;
	sctp_reasm_result res = sctp_reasm_add(r->t, k, &c, ++r->frame, &m);
	if (res == SCTP_REASM_COMPLETE) {
		msg x = { .frame = r->frame, .data = g_byte_array_new(), .ppid = m.ppid, .sid = m.sid,
			  .fragments = m.fragments };
		if (m.data.len)
			g_byte_array_append(x.data, m.data.p, (guint)m.data.len);
		g_array_append_val(r->msgs, x);
	} else {
		g_assert_cmpuint(m.data.len, ==, 0);
	}
	return res;
}

static sctp_reasm_result add(rig *r, sctp_chunk c)
{
	return add_k(r, &r->k, c);
}

static const msg *got(rig *r, guint i)
{
	g_assert_cmpuint(i, <, r->msgs->len);
	return &g_array_index(r->msgs, msg, i);
}

static void check_msg(const msg *m, const char *data)
{
	g_assert_cmpuint(m->data->len, ==, strlen(data));
	g_assert_true(m->data->len == 0 || memcmp(m->data->data, data, m->data->len) == 0);
}

static sctp_reasm_stats stats(rig *r)
{
	sctp_reasm_stats s;
	sctp_reasm_stats_get(r->t, &s);
	return s;
}

static void test_whole_chunks(void)
{
	rig r;
	rig_init(&r);
	g_assert_cmpint(add(&r, data_chunk(7, 3, 0, BE, 46, "whole")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 0), "whole");
	g_assert_cmpuint(got(&r, 0)->ppid, ==, 46);
	g_assert_cmpuint(got(&r, 0)->sid, ==, 3);
	g_assert_cmpuint(got(&r, 0)->fragments, ==, 1);
	/* an empty whole chunk is handed on (the decoder always did) */
	g_assert_cmpint(add(&r, data_chunk(8, 3, 1, BE, 0, "")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 1), "");
	g_assert_cmpuint(stats(&r).messages, ==, 0); /* none needed reassembly */
	g_assert_cmpuint(stats(&r).lost, ==, 0);
	rig_free(&r);
}

/* Every order of three fragments yields the message once, when the last
 * missing one arrives. */
static void test_any_order(void)
{
	static const int orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	for (int o = 0; o < 6; o++) {
		for (int unordered = 0; unordered <= 1; unordered++) {
			rig r;
			rig_init(&r);
			sctp_chunk parts[3] = {
				data_chunk(100, 1, 5, B | (unordered ? U : 0), 46, "INVITE sip:"),
				data_chunk(101, 1, 5, unordered ? U : 0, 46, "bob@example.com "),
				data_chunk(102, 1, 5, E | (unordered ? U : 0), 46, "SIP/2.0\r\n"),
			};
			for (int i = 0; i < 3; i++) {
				sctp_reasm_result res = add(&r, parts[orders[o][i]]);
				g_assert_cmpint(res, ==, i < 2 ? SCTP_REASM_HELD : SCTP_REASM_COMPLETE);
			}
			g_assert_cmpuint(r.msgs->len, ==, 1);
			check_msg(got(&r, 0), "INVITE sip:bob@example.com SIP/2.0\r\n");
			g_assert_cmpuint(got(&r, 0)->frame, ==, 3);
			g_assert_cmpuint(got(&r, 0)->ppid, ==, 46);
			g_assert_cmpuint(got(&r, 0)->sid, ==, 1);
			g_assert_cmpuint(got(&r, 0)->fragments, ==, 3);
			sctp_reasm_stats s = stats(&r);
			g_assert_cmpuint(s.messages, ==, 1);
			g_assert_cmpuint(s.lost, ==, 0);
			g_assert_cmpuint(s.lost_first, ==, 0);
			rig_free(&r);
		}
	}
}

static void test_duplicates(void)
{
	rig r;
	rig_init(&r);
	g_assert_cmpint(add(&r, data_chunk(10, 0, 0, B, 0, "abc")), ==, SCTP_REASM_HELD);
	/* a retransmitted fragment while the message is incomplete: the
	 * first copy wins, even when the bytes differ */
	g_assert_cmpint(add(&r, data_chunk(10, 0, 0, B, 0, "abc")), ==, SCTP_REASM_DUPLICATE);
	g_assert_cmpint(add(&r, data_chunk(10, 0, 0, B, 0, "XYZ")), ==, SCTP_REASM_DUPLICATE);
	g_assert_cmpint(add(&r, data_chunk(12, 0, 0, E, 0, "ghi")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(12, 0, 0, E, 0, "ghi")), ==, SCTP_REASM_DUPLICATE);
	g_assert_cmpint(add(&r, data_chunk(11, 0, 0, 0, 0, "def")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 0), "abcdefghi");
	/* retransmissions of its fragments after it completed: ignored, not
	 * taken for a new message that never completes */
	g_assert_cmpint(add(&r, data_chunk(11, 0, 0, 0, 0, "def")), ==, SCTP_REASM_DUPLICATE);
	g_assert_cmpint(add(&r, data_chunk(10, 0, 0, B, 0, "abc")), ==, SCTP_REASM_DUPLICATE);
	g_assert_cmpint(add(&r, data_chunk(12, 0, 0, E, 0, "ghi")), ==, SCTP_REASM_DUPLICATE);
	g_assert_cmpuint(r.msgs->len, ==, 1);
	sctp_reasm_stats s = stats(&r);
	g_assert_cmpuint(s.duplicates, ==, 6);
	g_assert_cmpuint(s.lost, ==, 0);
	rig_free(&r);
}

static void test_retransmitted_whole_chunk(void)
{
	rig r;
	rig_init(&r);
	g_assert_cmpint(add(&r, data_chunk(500, 0, 1, BE, 0, "OPTIONS")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, data_chunk(501, 0, 2, BE, 0, "200 OK")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, data_chunk(500, 0, 1, BE, 0, "OPTIONS")), ==, SCTP_REASM_DUPLICATE);
	/* the I flag (RFC 7053) may be set on a retransmission */
	g_assert_cmpint(add(&r, data_chunk(501, 0, 2, BE | 0x08, 0, "200 OK")), ==, SCTP_REASM_DUPLICATE);
	/* the same TSN with other bytes is no retransmission */
	g_assert_cmpint(add(&r, data_chunk(500, 0, 1, BE, 0, "REGISTER")), ==, SCTP_REASM_COMPLETE);
	/* nor in the other direction, or another association */
	sctp_dir_key back = r.k;
	memcpy(back.src, r.k.dst, 4);
	memcpy(back.dst, r.k.src, 4);
	back.sport = r.k.dport;
	back.dport = r.k.sport;
	g_assert_cmpint(add_k(&r, &back, data_chunk(501, 0, 2, BE, 0, "200 OK")), ==, SCTP_REASM_COMPLETE);
	sctp_dir_key other = r.k;
	other.vtag++;
	g_assert_cmpint(add_k(&r, &other, data_chunk(501, 0, 2, BE, 0, "200 OK")), ==, SCTP_REASM_COMPLETE);
	/* a TSN far behind the window is not remembered: handed on */
	g_assert_cmpint(add(&r, data_chunk(501 + SCTP_REASM_WINDOW, 0, 3, BE, 0, "later")), ==,
			SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, data_chunk(501, 0, 2, BE, 0, "200 OK")), ==, SCTP_REASM_COMPLETE);
	/* within the window it still is */
	g_assert_cmpint(add(&r, data_chunk(502, 0, 4, BE, 0, "in window")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, data_chunk(502, 0, 4, BE, 0, "in window")), ==, SCTP_REASM_DUPLICATE);
	g_assert_cmpuint(r.msgs->len, ==, 8);
	g_assert_cmpuint(stats(&r).duplicates, ==, 3);
	rig_free(&r);
}

/* Ordered messages of two streams, their packets interleaved on the way. */
static void test_two_streams(void)
{
	rig r;
	rig_init(&r);
	g_assert_cmpint(add(&r, data_chunk(100, 1, 7, B, 1, "s1a")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(103, 2, 9, B, 2, "s2a")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(101, 1, 7, 0, 1, "s1b")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(104, 2, 9, 0, 2, "s2b")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(105, 2, 9, E, 2, "s2c")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, data_chunk(102, 1, 7, E, 1, "s1c")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 0), "s2as2bs2c");
	g_assert_cmpuint(got(&r, 0)->sid, ==, 2);
	g_assert_cmpuint(got(&r, 0)->ppid, ==, 2);
	g_assert_cmpuint(got(&r, 0)->frame, ==, 5);
	check_msg(got(&r, 1), "s1as1bs1c");
	g_assert_cmpuint(got(&r, 1)->sid, ==, 1);
	g_assert_cmpuint(got(&r, 1)->frame, ==, 6);

	/* the same TSNs on another stream do not mix into a message */
	g_assert_cmpint(add(&r, data_chunk(200, 1, 8, B, 0, "x")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(201, 3, 8, E, 0, "y")), ==, SCTP_REASM_HELD);
	g_assert_cmpuint(r.msgs->len, ==, 2);
	g_assert_cmpuint(stats(&r).lost, ==, 2);
	g_assert_cmpuint(stats(&r).lost_first, ==, 7);
	rig_free(&r);
}

/* Unordered DATA: the SSN means nothing, messages are runs of TSNs. */
static void test_unordered_runs(void)
{
	rig r;
	rig_init(&r);
	/* message 1: TSN 10-12, message 2: TSN 13-14; SSNs are noise */
	g_assert_cmpint(add(&r, data_chunk(13, 0, 99, U | B, 0, "m2a")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(10, 0, 1, U | B, 0, "m1a")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(14, 0, 3, U | E, 0, "m2b")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, data_chunk(12, 0, 7, U | E, 0, "m1c")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(11, 0, 0, U, 0, "m1b")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 0), "m2am2b");
	check_msg(got(&r, 1), "m1am1bm1c");
	g_assert_cmpuint(stats(&r).lost, ==, 0);

	/* a B inside a run: no message from 20 to 23 */
	g_assert_cmpint(add(&r, data_chunk(20, 0, 0, U | B, 0, "a")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(21, 0, 0, U | B, 0, "b")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(23, 0, 0, U | E, 0, "d")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(22, 0, 0, U, 0, "c")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 2), "bcd"); /* from the nearest B */
	g_assert_cmpuint(stats(&r).lost, ==, 1);
	/* a stray last fragment before a message is left alone */
	g_assert_cmpint(add(&r, data_chunk(31, 0, 0, U | B, 0, "p")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(32, 0, 0, U | E, 0, "q")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, data_chunk(30, 0, 0, U | E, 0, "o")), ==, SCTP_REASM_HELD);
	check_msg(got(&r, 3), "pq");
	g_assert_cmpuint(r.msgs->len, ==, 4);
	g_assert_cmpuint(stats(&r).lost, ==, 2);
	rig_free(&r);
}

static void test_missing_middle(void)
{
	rig r;
	rig_init(&r);
	g_assert_cmpint(add(&r, data_chunk(1, 0, 0, B, 0, "first")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(3, 0, 0, E, 0, "last")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(4, 0, 1, BE, 0, "next")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpuint(r.msgs->len, ==, 1);
	check_msg(got(&r, 0), "next");
	sctp_reasm_stats s = stats(&r);
	g_assert_cmpuint(s.lost, ==, 2);
	g_assert_cmpuint(s.lost_first, ==, 1);
	g_assert_cmpuint(s.messages, ==, 0);
	/* discarded (cut) fragments count too */
	sctp_reasm_discard(r.t, 9);
	s = stats(&r);
	g_assert_cmpuint(s.lost, ==, 3);
	g_assert_cmpuint(s.lost_first, ==, 1);
	rig_free(&r);
}

static void test_tsn_wrap(void)
{
	rig r;
	rig_init(&r);
	g_assert_cmpint(add(&r, data_chunk(0, 0, 0, 0, 0, "b")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(1, 0, 0, E, 0, "c")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(UINT32_MAX, 0, 0, B, 0, "a")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 0), "abc");
	g_assert_cmpuint(got(&r, 0)->fragments, ==, 3);
	/* the window across the wrap */
	g_assert_cmpint(add(&r, data_chunk(UINT32_MAX - 1, 0, 5, BE, 0, "w1")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, data_chunk(2, 0, 6, BE, 0, "w2")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, data_chunk(UINT32_MAX - 1, 0, 5, BE, 0, "w1")), ==, SCTP_REASM_DUPLICATE);
	g_assert_cmpint(add(&r, data_chunk(UINT32_MAX, 0, 0, B, 0, "a")), ==, SCTP_REASM_DUPLICATE);
	g_assert_cmpint(add(&r, data_chunk(2, 0, 6, BE, 0, "w2")), ==, SCTP_REASM_DUPLICATE);
	/* I-DATA fragments ride on TSNs that wrap as well */
	g_assert_cmpint(add(&r, idata_chunk(UINT32_MAX - 3, 4, 9, E, 2, "z")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, idata_chunk(3, 4, 9, B, 77, "x")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, idata_chunk(4, 4, 9, 0, 1, "y")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 3), "xyz");
	g_assert_cmpuint(got(&r, 3)->ppid, ==, 77);
	g_assert_cmpuint(stats(&r).lost, ==, 0);
	rig_free(&r);
}

static void test_idata(void)
{
	rig r;
	rig_init(&r);
	/* two messages of two streams, interleaved fragment by fragment as
	 * I-DATA allows; TSNs say nothing about the message */
	g_assert_cmpint(add(&r, idata_chunk(1, 1, 0, B, 46, "A0")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, idata_chunk(2, 2, 0, B, 47, "B0")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, idata_chunk(3, 1, 0, 0, 1, "A1")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, idata_chunk(5, 2, 0, E, 2, "B2")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, idata_chunk(4, 2, 0, 0, 1, "B1")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, idata_chunk(6, 1, 0, E, 2, "A2")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 0), "B0B1B2");
	g_assert_cmpuint(got(&r, 0)->ppid, ==, 47);
	g_assert_cmpuint(got(&r, 0)->sid, ==, 2);
	check_msg(got(&r, 1), "A0A1A2");
	g_assert_cmpuint(got(&r, 1)->ppid, ==, 46);
	/* ordered and unordered message ids are separate spaces */
	g_assert_cmpint(add(&r, idata_chunk(7, 1, 1, B, 0, "o")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, idata_chunk(8, 1, 1, U | B, 0, "u")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, idata_chunk(9, 1, 1, U | E, 1, "U")), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpint(add(&r, idata_chunk(10, 1, 1, E, 1, "O")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 2), "uU");
	check_msg(got(&r, 3), "oO");
	/* a fragment other than the first cannot have FSN 0 */
	g_assert_cmpint(add(&r, idata_chunk(11, 1, 2, 0, 0, "?")), ==, SCTP_REASM_BAD);
	g_assert_cmpuint(stats(&r).bad, ==, 1);
	/* a duplicated fragment (same FSN, resent under a new TSN) */
	g_assert_cmpint(add(&r, idata_chunk(12, 1, 3, B, 0, "p")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, idata_chunk(13, 1, 3, B, 0, "p")), ==, SCTP_REASM_DUPLICATE);
	g_assert_cmpint(add(&r, idata_chunk(14, 1, 3, E, 1, "q")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 4), "pq");
	g_assert_cmpuint(stats(&r).lost, ==, 0);
	rig_free(&r);
}

/* ---- limits ------------------------------------------------------------- */

static void test_too_many_fragments(void)
{
	rig r;
	rig_init(&r);
	uint32_t tsn = 1000;
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 1, B, 0, "b")), ==, SCTP_REASM_HELD);
	for (int i = 1; i < SCTP_REASM_MAX_PIECES; i++)
		g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 1, 0, 0, "m")), ==, SCTP_REASM_HELD);
	/* fragment 4097: given up, the rest ignored up to its last fragment */
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 1, 0, 0, "m")), ==, SCTP_REASM_DROPPED);
	uint64_t gave_up = r.frame;
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 1, 0, 0, "m")), ==, SCTP_REASM_DROPPED);
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 1, E, 0, "e")), ==, SCTP_REASM_DROPPED);
	/* the stream goes on */
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 2, B, 0, "n")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 2, E, 0, "ext")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 0), "next");
	sctp_reasm_stats s = stats(&r);
	g_assert_cmpuint(s.oversize, ==, 1);
	g_assert_cmpuint(s.oversize_first, ==, gave_up);
	g_assert_cmpuint(s.lost, ==, 0);

	/* I-DATA: an FSN beyond the limit means as many fragments */
	g_assert_cmpint(add(&r, idata_chunk(tsn++, 0, 5, 0, SCTP_REASM_MAX_PIECES, "x")), ==,
			SCTP_REASM_DROPPED);
	g_assert_cmpint(add(&r, idata_chunk(tsn++, 0, 6, E, UINT32_MAX, "x")), ==, SCTP_REASM_DROPPED);
	g_assert_cmpuint(stats(&r).oversize, ==, 3);
	g_assert_cmpuint(r.msgs->len, ==, 1);
	rig_free(&r);
}

static void test_too_big(void)
{
	rig r;
	rig_init(&r);
	enum { PIECE = 65000 };
	char *big = g_malloc(PIECE + 1);
	memset(big, 'x', PIECE);
	big[PIECE] = 0;
	uint32_t tsn = 1;
	unsigned fit = SCTP_REASM_MAX_MESSAGE / PIECE;
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 0, B, 0, big)), ==, SCTP_REASM_HELD);
	for (unsigned i = 1; i < fit; i++)
		g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 0, 0, 0, big)), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 0, E, 0, big)), ==, SCTP_REASM_DROPPED);
	/* its last fragment ended it: the next message is fine */
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 0, B, 0, "ok")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 0, E, 0, "!")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 0), "ok!");
	/* the largest message that fits is handed on */
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 1, B, 0, big)), ==, SCTP_REASM_HELD);
	for (unsigned i = 2; i < fit; i++)
		g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 1, 0, 0, big)), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(tsn++, 0, 1, E, 0, big)), ==, SCTP_REASM_COMPLETE);
	g_assert_cmpuint(got(&r, 1)->data->len, ==, (size_t)fit * PIECE);
	g_assert_cmpuint(stats(&r).oversize, ==, 1);
	g_free(big);
	rig_free(&r);
}

static void test_partials_evicted(void)
{
	rig r;
	rig_init(&r);
	/* one first fragment more than the table holds, each on its own SSN */
	for (unsigned i = 0; i <= SCTP_REASM_MAX_PARTIALS; i++)
		g_assert_cmpint(add(&r, data_chunk(10 * i, 0, i, B, 0, "b")), ==, SCTP_REASM_HELD);
	sctp_reasm_stats s = stats(&r);
	g_assert_cmpuint(s.lost, ==, SCTP_REASM_MAX_PARTIALS + 1);
	g_assert_cmpuint(s.lost_first, ==, 1);
	/* the first one is gone: its last fragment completes nothing */
	g_assert_cmpint(add(&r, data_chunk(1, 0, 0, E, 0, "e")), ==, SCTP_REASM_HELD);
	/* the second was evicted for that; the third is still there */
	g_assert_cmpint(add(&r, data_chunk(21, 0, 2, E, 0, "e")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 0), "be");
	s = stats(&r);
	g_assert_cmpuint(s.lost, ==, SCTP_REASM_MAX_PARTIALS + 1);
	rig_free(&r);
}

static void test_pieces_all_bound(void)
{
	rig r;
	rig_init(&r);
	/* 17 messages of 4000 middle fragments each exceed the fragments
	 * held over all messages: the oldest messages make room */
	unsigned per = 4000, msgs = SCTP_REASM_MAX_PIECES_ALL / per + 1;
	for (unsigned m = 0; m < msgs; m++)
		for (unsigned i = 0; i < per; i++)
			g_assert_cmpint(add(&r, data_chunk(100000 * m + i + 1, 0, m, 0, 0, "m")), ==,
					SCTP_REASM_HELD);
	sctp_reasm_stats s = stats(&r);
	g_assert_cmpuint(s.lost, ==, (uint64_t)per * msgs);
	g_assert_cmpuint(s.lost_first, ==, 1);
	/* the newest message is intact */
	uint32_t base = 100000 * (msgs - 1);
	g_assert_cmpint(add(&r, data_chunk(base, 0, msgs - 1, B, 0, "b")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(base + per + 1, 0, msgs - 1, E, 0, "e")), ==,
			SCTP_REASM_COMPLETE);
	g_assert_cmpuint(got(&r, 0)->data->len, ==, per + 2);
	rig_free(&r);
}

/* A sequence number too far from a group's first cannot be placed: the
 * group starts again. */
static void test_far_tsn(void)
{
	rig r;
	rig_init(&r);
	g_assert_cmpint(add(&r, data_chunk(5, 0, 0, B, 0, "old")), ==, SCTP_REASM_HELD);
	g_assert_cmpint(add(&r, data_chunk(5u + (1u << 30), 0, 0, B, 0, "n")), ==, SCTP_REASM_HELD);
	g_assert_cmpuint(stats(&r).lost, ==, 2);
	g_assert_cmpint(add(&r, data_chunk(6u + (1u << 30), 0, 0, E, 0, "ew")), ==, SCTP_REASM_COMPLETE);
	check_msg(got(&r, 0), "new");
	g_assert_cmpuint(stats(&r).lost, ==, 1);
	g_assert_cmpint(add(&r, data_chunk(6, 0, 0, E, 0, "x")), ==, SCTP_REASM_HELD);
	rig_free(&r);
}

static void test_many_directions(void)
{
	rig r;
	rig_init(&r);
	/* more associations than remembered: the oldest windows go, nothing
	 * else happens */
	for (unsigned i = 0; i < 2 * SCTP_REASM_MAX_DIRS; i++) {
		sctp_dir_key k = r.k;
		k.vtag = i;
		g_assert_cmpint(add_k(&r, &k, data_chunk(1, 0, 0, BE, 0, "x")), ==, SCTP_REASM_COMPLETE);
	}
	sctp_dir_key k = r.k;
	k.vtag = 2 * SCTP_REASM_MAX_DIRS - 1;
	g_assert_cmpint(add_k(&r, &k, data_chunk(1, 0, 0, BE, 0, "x")), ==, SCTP_REASM_DUPLICATE);
	k.vtag = 0;
	g_assert_cmpint(add_k(&r, &k, data_chunk(1, 0, 0, BE, 0, "x")), ==, SCTP_REASM_COMPLETE);
	rig_free(&r);
}

/* ---- through the decoder ------------------------------------------------- */

typedef GByteArray buf;

static void b8(buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;
	g_byte_array_append(b, &x, 1);
}

static void b16(buf *b, unsigned v)
{
	b8(b, v >> 8);
	b8(b, v);
}

static void b32(buf *b, uint32_t v)
{
	b16(b, v >> 16);
	b16(b, v & 0xFFFF);
}

static void bmem(buf *b, const void *p, size_t n)
{
	g_byte_array_append(b, p, (guint)n);
}

/* A DATA (type 0) or I-DATA (64) chunk; x is the PPID, or the FSN of an
 * I-DATA chunk without B.  len_adj is added to the chunk length field. */
static void chunk(buf *b, unsigned type, unsigned flags, uint32_t tsn, unsigned sid, unsigned ssn_mid,
		  uint32_t x, const char *data, int len_adj)
{
	size_t n = strlen(data);
	size_t hl = type == 64 ? 20 : 16;
	b8(b, type);
	b8(b, flags);
	b16(b, (unsigned)((int)(hl + n) + len_adj));
	b32(b, tsn);
	b16(b, sid);
	if (type == 64) {
		b16(b, 0);
		b32(b, ssn_mid);
	} else {
		b16(b, ssn_mid);
	}
	b32(b, x);
	bmem(b, data, n);
	for (size_t i = (hl + n) % 4; i && i < 4; i++)
		b8(b, 0);
}

/* A raw IPv4 packet 10.0.0.1:5060 -> 10.0.0.2:5061 carrying chunks. */
static buf *packet(uint32_t vtag, buf *chunks)
{
	buf *p = g_byte_array_new();
	b8(p, 0x45);
	b8(p, 0);
	b16(p, 20 + 12 + chunks->len);
	b16(p, 1);
	b16(p, 0x4000);
	b8(p, 64);
	b8(p, 132);
	b16(p, 0);
	bmem(p, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	b16(p, 5060);
	b16(p, 5061);
	b32(p, vtag);
	b32(p, 0);
	bmem(p, chunks->data, chunks->len);
	g_byte_array_unref(chunks);
	return p;
}

typedef struct dgot {
	uint64_t frame;
	GByteArray *data;
	uint32_t ppid;
	uint16_t stream;
	char src[ENDPOINT_STRLEN], dst[ENDPOINT_STRLEN];
} dgot;

typedef struct harness {
	arena mem;
	cap_decoder *d;
	GArray *got;
	GPtrArray *frames;
	uint64_t num;
} harness;

static void on_payload(void *user, const cap_payload *pl)
{
	harness *h = user;
	g_assert_cmpuint(pl->proto, ==, CAP_PROTO_SCTP);
	dgot g = { .frame = pl->frame->num, .data = g_byte_array_new(), .ppid = pl->sctp_ppid,
		   .stream = pl->sctp_stream };
	if (pl->data.len)
		g_byte_array_append(g.data, pl->data.p, (guint)pl->data.len);
	endpoint_format(&pl->src, g.src, sizeof(g.src));
	endpoint_format(&pl->dst, g.dst, sizeof(g.dst));
	g_array_append_val(h->got, g);
}

static void dgot_clear(gpointer p)
{
	dgot *g = p;
	g_byte_array_unref(g->data);
}

static void h_init(harness *h)
{
	memset(h, 0, sizeof(*h));
	arena_init(&h->mem, 0);
	h->d = cap_decoder_new(&h->mem, on_payload, h);
	h->got = g_array_new(FALSE, TRUE, sizeof(dgot));
	g_array_set_clear_func(h->got, dgot_clear);
	h->frames = g_ptr_array_new_with_free_func(g_free);
}

static void h_free(harness *h)
{
	cap_decoder_free(h->d);
	g_array_free(h->got, TRUE);
	g_ptr_array_free(h->frames, TRUE);
	arena_free(&h->mem);
}

/* Feed the first caplen bytes of p (consumed), in a block of exactly that
 * size so AddressSanitizer sees any read past it. */
static void h_feed_cut(harness *h, buf *p, size_t caplen)
{
	uint8_t *bytes = g_memdup2(p->data, caplen);
	g_ptr_array_add(h->frames, bytes);
	cap_frame f = {
		.num = ++h->num,
		.ts_ns = INT64_C(1700000000000000000) + (int64_t)h->num * 1000000,
		.linktype = LINKTYPE_IPV4,
		.caplen = (uint32_t)caplen,
		.wirelen = p->len,
		.record = h->num,
		.data = sv_make(bytes, caplen),
	};
	cap_decoder_feed(h->d, &f);
	g_byte_array_unref(p);
}

static void h_feed(harness *h, buf *p)
{
	h_feed_cut(h, p, p->len);
}

static const dgot *h_got(harness *h, guint i)
{
	g_assert_cmpuint(i, <, h->got->len);
	return &g_array_index(h->got, dgot, i);
}

static void dcheck(const dgot *g, uint64_t frame, const char *data)
{
	g_assert_cmpuint(g->frame, ==, frame);
	g_assert_cmpuint(g->data->len, ==, strlen(data));
	g_assert_true(g->data->len == 0 || memcmp(g->data->data, data, g->data->len) == 0);
	g_assert_cmpstr(g->src, ==, "10.0.0.1:5060");
	g_assert_cmpstr(g->dst, ==, "10.0.0.2:5061");
}

static char *h_notices(harness *h)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	cap_decoder_notices(h->d, out);
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < out->len; i++)
		g_string_append_printf(s, "%s\n", (const char *)out->pdata[i]);
	g_ptr_array_free(out, TRUE);
	return g_string_free(s, FALSE);
}

static const char INVITE1[] = "INVITE sip:bob@example.com SIP/2.0\r\n";
static const char INVITE2[] = "Call-ID: reasm@example.com\r\n";
static const char INVITE3[] = "Content-Length: 0\r\n\r\n";

static void test_decoder_one_packet(void)
{
	harness h;
	h_init(&h);
	buf *ch = g_byte_array_new();
	chunk(ch, 0, B, 7000, 3, 12, 0, INVITE1, 0);
	chunk(ch, 0, 0, 7001, 3, 12, 0, INVITE2, 0);
	chunk(ch, 0, E, 7002, 3, 12, 0, INVITE3, 0);
	chunk(ch, 0, BE, 7003, 3, 13, 5, "after", 0);
	h_feed(&h, packet(0xABCD, ch));
	g_assert_cmpuint(h.got->len, ==, 2);
	char *whole = g_strconcat(INVITE1, INVITE2, INVITE3, NULL);
	dcheck(h_got(&h, 0), 1, whole);
	g_assert_cmpuint(h_got(&h, 0)->stream, ==, 3);
	dcheck(h_got(&h, 1), 1, "after");
	g_assert_cmpuint(h_got(&h, 1)->ppid, ==, 5);
	g_free(whole);
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "");
	g_free(n);
	g_assert_cmpuint(cap_decoder_stats(h.d)->payloads, ==, 2);
	h_free(&h);
}

static void test_decoder_three_packets(void)
{
	harness h;
	h_init(&h);
	buf *ch = g_byte_array_new();
	chunk(ch, 0, B, 7000, 3, 12, 46, INVITE1, 0);
	h_feed(&h, packet(0xABCD, ch));
	/* a SACK and the last fragment */
	ch = g_byte_array_new();
	bmem(ch, "\x03\x00\x00\x10\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00", 16);
	chunk(ch, 0, E, 7002, 3, 12, 46, INVITE3, 0);
	h_feed(&h, packet(0xABCD, ch));
	/* the same fragments under another verification tag belong to
	 * another association */
	ch = g_byte_array_new();
	chunk(ch, 0, 0, 7001, 3, 12, 46, INVITE2, 0);
	h_feed(&h, packet(0xDCBA, ch));
	g_assert_cmpuint(h.got->len, ==, 0);
	ch = g_byte_array_new();
	chunk(ch, 0, 0, 7001, 3, 12, 46, INVITE2, 0);
	h_feed(&h, packet(0xABCD, ch));
	g_assert_cmpuint(h.got->len, ==, 1);
	char *whole = g_strconcat(INVITE1, INVITE2, INVITE3, NULL);
	dcheck(h_got(&h, 0), 4, whole);
	g_assert_cmpuint(h_got(&h, 0)->ppid, ==, 46);
	g_free(whole);
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "1 fragmented SCTP DATA chunk not reassembled (first frame 3)\n");
	g_free(n);
	h_free(&h);
}

static buf *options_packet(void)
{
	buf *ch = g_byte_array_new();
	chunk(ch, 0, BE, 42, 0, 0, 0, "OPTIONS sip:a SIP/2.0\r\n\r\n", 0);
	return packet(1, ch);
}

static void test_decoder_retransmission(void)
{
	harness h;
	h_init(&h);
	h_feed(&h, options_packet());
	h_feed(&h, options_packet());
	/* bundled with new data: only the new chunk */
	buf *ch = g_byte_array_new();
	chunk(ch, 0, BE, 42, 0, 0, 0, "OPTIONS sip:a SIP/2.0\r\n\r\n", 0);
	chunk(ch, 0, BE, 43, 0, 1, 0, "new", 0);
	h_feed(&h, packet(1, ch));
	g_assert_cmpuint(h.got->len, ==, 2);
	dcheck(h_got(&h, 0), 1, "OPTIONS sip:a SIP/2.0\r\n\r\n");
	dcheck(h_got(&h, 1), 3, "new");
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "");
	g_free(n);
	h_free(&h);
}

static void test_decoder_missing_middle(void)
{
	harness h;
	h_init(&h);
	buf *ch = g_byte_array_new();
	chunk(ch, 0, B, 1, 0, 0, 0, INVITE1, 0);
	h_feed(&h, packet(1, ch));
	ch = g_byte_array_new();
	chunk(ch, 0, E, 3, 0, 0, 0, INVITE3, 0);
	h_feed(&h, packet(1, ch));
	g_assert_cmpuint(h.got->len, ==, 0);
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "2 fragmented SCTP DATA chunks not reassembled (first frame 1)\n");
	g_free(n);
	h_free(&h);
}

static void test_decoder_hostile(void)
{
	harness h;
	h_init(&h);
	/* DATA chunks too short for their header */
	buf *ch = g_byte_array_new();
	bmem(ch, "\x00\x03\x00\x08\x00\x00\x00\x01", 8);
	h_feed(&h, packet(1, ch));
	/* I-DATA cut inside its header */
	ch = g_byte_array_new();
	bmem(ch, "\x40\x02\x00\x10\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00", 16);
	h_feed(&h, packet(1, ch));
	/* a fragment whose length runs past the packet */
	ch = g_byte_array_new();
	chunk(ch, 0, B, 5, 0, 0, 0, "abcd", 200);
	h_feed(&h, packet(1, ch));
	/* an I-DATA middle fragment with FSN 0 */
	ch = g_byte_array_new();
	chunk(ch, 64, 0, 6, 0, 9, 0, "zero", 0);
	h_feed(&h, packet(1, ch));
	/* empty fragments are fine */
	ch = g_byte_array_new();
	chunk(ch, 0, B, 10, 0, 1, 0, "", 0);
	chunk(ch, 0, 0, 11, 0, 1, 0, "", 0);
	chunk(ch, 0, E, 12, 0, 1, 0, "", 0);
	h_feed(&h, packet(1, ch));
	g_assert_cmpuint(h.got->len, ==, 1);
	dcheck(h_got(&h, 0), 5, "");
	g_assert_cmpuint(cap_decoder_stats(h.d)->malformed, ==, 4);
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "4 malformed SCTP headers (first frame 1)\n");
	g_free(n);

	/* a fragment cut by the snap length cannot be used */
	ch = g_byte_array_new();
	chunk(ch, 0, B, 20, 0, 2, 0, INVITE1, 0);
	buf *p = packet(1, ch);
	h_feed_cut(&h, p, p->len - 10);
	ch = g_byte_array_new();
	chunk(ch, 0, E, 21, 0, 2, 0, INVITE3, 0);
	h_feed(&h, packet(1, ch));
	g_assert_cmpuint(h.got->len, ==, 1);
	n = h_notices(&h);
	g_assert_cmpstr(n, ==,
			"4 malformed SCTP headers (first frame 1)\n"
			"1 frame cut short: the packet continues past the captured bytes (first frame 6)\n"
			"2 fragmented SCTP DATA chunks not reassembled (first frame 6)\n");
	g_free(n);

	/* every prefix of a packet of fragments: no crash, no read past */
	ch = g_byte_array_new();
	chunk(ch, 0, B, 30, 0, 3, 0, INVITE1, 0);
	chunk(ch, 64, B, 31, 0, 3, 0, INVITE2, 0);
	chunk(ch, 64, E, 32, 0, 3, 1, INVITE3, 0);
	chunk(ch, 0, E, 33, 0, 3, 0, INVITE3, 0);
	p = packet(1, ch);
	for (size_t len = 1; len <= p->len; len++) {
		buf *copy = g_byte_array_new();
		bmem(copy, p->data, p->len);
		h_feed_cut(&h, copy, len);
	}
	g_byte_array_unref(p);
	g_assert_cmpuint(h.got->len, ==, 2); /* the I-DATA message, once */
	h_free(&h);
}

static void test_decoder_oversize(void)
{
	harness h;
	h_init(&h);
	/* I-DATA fragment number 5000: a message of more fragments than
	 * allowed; the rest of it is ignored up to its last fragment */
	buf *ch = g_byte_array_new();
	chunk(ch, 64, 0, 100, 0, 1, 5000, "x", 0);
	h_feed(&h, packet(1, ch));
	ch = g_byte_array_new();
	chunk(ch, 64, B, 101, 0, 1, 0, "y", 0);
	chunk(ch, 64, E, 102, 0, 1, 5001, "z", 0);
	h_feed(&h, packet(1, ch));
	g_assert_cmpuint(h.got->len, ==, 0);
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "1 SCTP user message over 16 MiB or 4096 fragments dropped (first frame 1)\n");
	g_free(n);
	h_free(&h);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sctp_reasm/whole_chunks", test_whole_chunks);
	g_test_add_func("/sctp_reasm/any_order", test_any_order);
	g_test_add_func("/sctp_reasm/duplicates", test_duplicates);
	g_test_add_func("/sctp_reasm/retransmitted_whole_chunk", test_retransmitted_whole_chunk);
	g_test_add_func("/sctp_reasm/two_streams", test_two_streams);
	g_test_add_func("/sctp_reasm/unordered_runs", test_unordered_runs);
	g_test_add_func("/sctp_reasm/missing_middle", test_missing_middle);
	g_test_add_func("/sctp_reasm/tsn_wrap", test_tsn_wrap);
	g_test_add_func("/sctp_reasm/idata", test_idata);
	g_test_add_func("/sctp_reasm/too_many_fragments", test_too_many_fragments);
	g_test_add_func("/sctp_reasm/too_big", test_too_big);
	g_test_add_func("/sctp_reasm/partials_evicted", test_partials_evicted);
	g_test_add_func("/sctp_reasm/pieces_all_bound", test_pieces_all_bound);
	g_test_add_func("/sctp_reasm/far_tsn", test_far_tsn);
	g_test_add_func("/sctp_reasm/many_directions", test_many_directions);
	g_test_add_func("/sctp_reasm/decoder_one_packet", test_decoder_one_packet);
	g_test_add_func("/sctp_reasm/decoder_three_packets", test_decoder_three_packets);
	g_test_add_func("/sctp_reasm/decoder_retransmission", test_decoder_retransmission);
	g_test_add_func("/sctp_reasm/decoder_missing_middle", test_decoder_missing_middle);
	g_test_add_func("/sctp_reasm/decoder_hostile", test_decoder_hostile);
	g_test_add_func("/sctp_reasm/decoder_oversize", test_decoder_oversize);
	return g_test_run();
}
