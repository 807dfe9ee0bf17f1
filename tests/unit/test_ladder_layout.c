/*
 * The ladder layout (ui/ladder_layout.c) and its text rendering: column
 * assignment, arrow direction, self-messages, many and wide endpoints,
 * grouping by host, merged calls, labels, SDP summaries, escaping.
 */
#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

#include "dissect/model.h"
#include "dissect/sip.h"
#include "output/ladder_text.h"
#include "output/sink.h"
#include "ui/ladder_layout.h"

#define T0 INT64_C(1700000000000000000)

typedef struct fixture {
	sip_model *m;
	sip_msg *parsed;
	GPtrArray *bufs;   /* message bytes: must outlive the model */
	uint64_t frame;
} fixture;

static void fx_init(fixture *f)
{
	f->m = sip_model_new();
	f->parsed = g_new0(sip_msg, 1);
	f->bufs = g_ptr_array_new_with_free_func(g_free);
	f->frame = 0;
}

static void fx_clear(fixture *f)
{
	sip_model_free(f->m);
	g_free(f->parsed);
	g_ptr_array_free(f->bufs, TRUE);
}

static endpoint ep(const char *addr, uint16_t port)
{
	endpoint e = { 0 };
	if (strchr(addr, ':')) {
		e.family = EP_IPV6;
		g_assert_cmpint(inet_pton(AF_INET6, addr, e.addr), ==, 1);
	} else {
		e.family = EP_IPV4;
		g_assert_cmpint(inet_pton(AF_INET, addr, e.addr), ==, 1);
	}
	e.port = port;
	return e;
}

/* Adds one message (text with "\n" line ends turned into CRLF; the body
 * after an empty line gets the right Content-Length). */
static sip_id add(fixture *f, endpoint src, endpoint dst, int64_t ms, const char *headers, const char *body)
{
	GString *t = g_string_new(NULL);
	for (const char *p = headers; *p; p++) {
		if (*p == '\n')
			g_string_append(t, "\r\n");
		else
			g_string_append_c(t, *p);
	}
	GString *b = g_string_new(NULL);
	for (const char *p = body ? body : ""; *p; p++) {
		if (*p == '\n')
			g_string_append(b, "\r\n");
		else
			g_string_append_c(b, *p);
	}
	if (b->len)
		g_string_append(t, "Content-Type: application/sdp\r\n");
	g_string_append_printf(t, "Content-Length: %zu\r\n\r\n%s", b->len, b->str);
	g_string_free(b, TRUE);
	size_t len = t->len;
	char *raw = g_string_free(t, FALSE);
	g_ptr_array_add(f->bufs, raw);

	sip_parse_message(sv_make(raw, len), false, f->parsed);
	f->frame++;
	sip_msg_meta meta = {
		.frame = f->frame,
		.first_frame = f->frame,
		.ts_ns = T0 + ms * 1000000,
		.src = src,
		.dst = dst,
		.transport = "UDP",
	};
	return sip_model_add(f->m, &meta, f->parsed);
}

static char *req(const char *method, const char *cid, int cseq, const char *branch, const char *from_tag,
		 const char *to_tag)
{
	return g_strdup_printf("%s sip:bob@example.net SIP/2.0\n"
			       "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=%s\n"
			       "Max-Forwards: 70\n"
			       "From: <sip:alice@example.com>;tag=%s\n"
			       "To: <sip:bob@example.net>%s%s\n"
			       "Call-ID: %s\n"
			       "CSeq: %d %s\n",
			       method, branch, from_tag, to_tag ? ";tag=" : "", to_tag ? to_tag : "", cid, cseq,
			       method);
}

static char *resp(const char *status, const char *method, const char *cid, int cseq, const char *branch,
		  const char *from_tag, const char *to_tag)
{
	return g_strdup_printf("SIP/2.0 %s\n"
			       "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=%s\n"
			       "From: <sip:alice@example.com>;tag=%s\n"
			       "To: <sip:bob@example.net>%s%s\n"
			       "Call-ID: %s\n"
			       "CSeq: %d %s\n",
			       status, branch, from_tag, to_tag ? ";tag=" : "", to_tag ? to_tag : "", cid, cseq,
			       method);
}

static const char sdp_a[] = "v=0\n"
			    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\n"
			    "s=-\n"
			    "c=IN IP4 192.0.2.10\n"
			    "t=0 0\n"
			    "m=audio 49170 RTP/AVP 0 101\n"
			    "a=rtpmap:0 PCMU/8000\n"
			    "a=rtpmap:101 telephone-event/8000\n";

/* A basic call between a and b: INVITE (SDP), 100, 180, 200, ACK. */
static void basic_call(fixture *f, endpoint a, endpoint b, const char *cid, int64_t t)
{
	g_autofree char *inv = req("INVITE", cid, 1, "z9hG4bK1", "a1", NULL);
	g_autofree char *r100 = resp("100 Trying", "INVITE", cid, 1, "z9hG4bK1", "a1", NULL);
	g_autofree char *r180 = resp("180 Ringing", "INVITE", cid, 1, "z9hG4bK1", "a1", "b1");
	g_autofree char *r200 = resp("200 OK", "INVITE", cid, 1, "z9hG4bK1", "a1", "b1");
	g_autofree char *ack = req("ACK", cid, 1, "z9hG4bK2", "a1", "b1");
	add(f, a, b, t, inv, sdp_a);
	add(f, b, a, t + 21, r100, NULL);
	add(f, b, a, t + 42, r180, NULL);
	add(f, b, a, t + 63, r200, NULL);
	add(f, a, b, t + 84, ack, NULL);
}

static ladder_layout *layout_all(fixture *f, const ladder_opts *o)
{
	g_autoptr(GArray) ids = ladder_messages_all(f->m);
	return ladder_layout_new(f->m, (sip_id *)ids->data, ids->len, o);
}

static void assert_geometry_sane(const ladder_layout *l)
{
	for (guint i = 0; i + 1 < l->columns->len; i++) {
		const ladder_column *a = ladder_column_at(l, i), *b = ladder_column_at(l, i + 1);
		g_assert_cmpuint(a->x, <, b->x);
		/* Titles never touch: two spaces at least. */
		g_assert_cmpuint(a->title_x + a->title_width + 2, <=, b->title_x);
	}
	for (guint i = 0; i < l->columns->len; i++) {
		const ladder_column *c = ladder_column_at(l, i);
		g_assert_cmpuint(c->x, <, l->width);
		g_assert_cmpuint(c->title_x + c->title_width, <=, l->width);
		g_assert_cmpuint(l->col_at[c->x], ==, i + 1);
	}
	unsigned y = 0;
	for (guint i = 0; i < l->rows->len; i++) {
		const ladder_row *r = ladder_row_at(l, i);
		g_assert_cmpuint(r->y, ==, y);
		y += r->lines;
		g_assert_cmpuint(r->text_x + r->text_width, <=, l->width);
		g_assert_cmpuint(r->text_width, <=, l->opts.max_label);
		/* The label never covers a lifeline. */
		for (unsigned x = r->text_x; x < r->text_x + r->text_width; x++)
			g_assert_cmpuint(l->col_at[x], ==, 0);
		/* The SDP summary sits in the gutter right of the rows. */
		if (r->sdp) {
			g_assert_cmpuint(r->sdp_x, ==, l->rows_width + 2);
			g_assert_cmpuint(r->sdp_width, <=, l->opts.max_sdp);
		}
		g_assert_cmpuint(r->text_x + r->text_width, <=, l->rows_width);
		if (r->from == r->to) {
			g_assert_cmpuint(r->loop_x, <, l->rows_width);
			for (unsigned x = ladder_column_at(l, r->from)->x + 1; x <= r->loop_x; x++)
				g_assert_cmpuint(l->col_at[x], ==, 0);
		}
	}
	g_assert_cmpuint(l->height, ==, y);
}

static void test_columns_in_order_of_appearance(void)
{
	fixture f;
	fx_init(&f);
	endpoint a = ep("192.0.2.10", 5060), p = ep("203.0.113.1", 5060), b = ep("198.51.100.20", 5060);
	g_autofree char *inv = req("INVITE", "c1", 1, "z9hG4bKa", "a1", NULL);
	g_autofree char *inv2 = req("INVITE", "c1", 1, "z9hG4bKp", "a1", NULL);
	g_autofree char *r180 = resp("180 Ringing", "INVITE", "c1", 1, "z9hG4bKp", "a1", "b1");
	/* B answers first to the proxy's leg: B stays the third column. */
	add(&f, a, p, 0, inv, NULL);
	add(&f, p, b, 10, inv2, NULL);
	add(&f, b, p, 20, r180, NULL);

	g_autoptr(ladder_layout) l = layout_all(&f, NULL);
	g_assert_cmpuint(l->columns->len, ==, 3);
	g_assert_cmpstr(ladder_column_at(l, 0)->title, ==, "192.0.2.10:5060");
	g_assert_cmpstr(ladder_column_at(l, 1)->title, ==, "203.0.113.1:5060");
	g_assert_cmpstr(ladder_column_at(l, 2)->title, ==, "198.51.100.20:5060");
	g_assert_cmpuint(l->rows->len, ==, 3);
	g_assert_cmpuint(ladder_row_at(l, 0)->from, ==, 0);
	g_assert_cmpuint(ladder_row_at(l, 0)->to, ==, 1);
	g_assert_cmpuint(ladder_row_at(l, 1)->from, ==, 1);
	g_assert_cmpuint(ladder_row_at(l, 1)->to, ==, 2);
	g_assert_cmpuint(ladder_row_at(l, 2)->from, ==, 2);
	g_assert_cmpuint(ladder_row_at(l, 2)->to, ==, 1);
	assert_geometry_sane(l);

	/* The source of a message comes before its destination even when the
	 * first message is a response. */
	fixture g;
	fx_init(&g);
	add(&g, b, a, 0, r180, NULL);
	g_autoptr(ladder_layout) l2 = layout_all(&g, NULL);
	g_assert_cmpstr(ladder_column_at(l2, 0)->title, ==, "198.51.100.20:5060");
	g_assert_cmpstr(ladder_column_at(l2, 1)->title, ==, "192.0.2.10:5060");
	fx_clear(&g);
	fx_clear(&f);
}

static void test_arrow_direction(void)
{
	fixture f;
	fx_init(&f);
	endpoint a = ep("192.0.2.10", 5060), b = ep("198.51.100.20", 5060);
	basic_call(&f, a, b, "dir-1", 0);
	g_autoptr(ladder_layout) l = layout_all(&f, NULL);
	assert_geometry_sane(l);
	unsigned xa = ladder_column_at(l, 0)->x, xb = ladder_column_at(l, 1)->x;

	const ladder_row *inv = ladder_row_at(l, 0);
	g_assert_cmpuint(inv->from, ==, 0);
	g_assert_cmpuint(inv->to, ==, 1);
	g_assert_true(inv->request);
	g_assert_cmpstr(inv->label, ==, "INVITE");
	g_assert_cmpint(ladder_row_cell(l, inv, 0, xa), ==, LADDER_CELL_ENDPOINT);
	g_assert_cmpint(ladder_row_cell(l, inv, 0, xa + 1), ==, LADDER_CELL_SHAFT);
	g_assert_cmpint(ladder_row_cell(l, inv, 0, xb - 1), ==, LADDER_CELL_HEAD_RIGHT);
	g_assert_cmpint(ladder_row_cell(l, inv, 0, xb), ==, LADDER_CELL_ENDPOINT);
	g_assert_cmpint(ladder_row_cell(l, inv, 0, xb + 1), ==, LADDER_CELL_EMPTY);
	/* The SDP line under it: lifelines only, the text in the gutter. */
	g_assert_cmpint(ladder_row_sdp_line(inv), ==, 1);
	g_assert_cmpint(ladder_row_cell(l, inv, 1, xa), ==, LADDER_CELL_LIFELINE);
	g_assert_cmpint(ladder_row_cell(l, inv, 1, xa + 1), ==, LADDER_CELL_EMPTY);

	const ladder_row *trying = ladder_row_at(l, 1);
	g_assert_cmpuint(trying->from, ==, 1);
	g_assert_cmpuint(trying->to, ==, 0);
	g_assert_false(trying->request);
	g_assert_cmpuint(trying->status, ==, 100);
	g_assert_cmpstr(trying->label, ==, "100 Trying");
	g_assert_cmpint(ladder_row_cell(l, trying, 0, xa + 1), ==, LADDER_CELL_HEAD_LEFT);
	g_assert_cmpint(ladder_row_cell(l, trying, 0, xb - 1), ==, LADDER_CELL_SHAFT);
	g_assert_cmpint(trying->delta_ns, ==, 21000000);
	g_assert_cmpint(trying->ts_ns, ==, T0 + 21000000);
	g_assert_cmpint(inv->delta_ns, ==, 0);
	/* The label sits between the lifelines, with shaft on both sides. */
	g_assert_cmpuint(trying->text_x, >, xa + 1);
	g_assert_cmpuint(trying->text_x + trying->text_width, <, xb);
	g_assert_cmpuint(trying->lines, ==, 1);
	fx_clear(&f);
}

static void test_sdp_summary_and_label(void)
{
	fixture f;
	fx_init(&f);
	basic_call(&f, ep("192.0.2.10", 5060), ep("198.51.100.20", 5060), "sdp-1", 0);
	g_autoptr(ladder_layout) l = layout_all(&f, NULL);
	const ladder_row *inv = ladder_row_at(l, 0);
	g_assert_true(inv->has_sdp);
	g_assert_cmpstr(inv->text, ==, "INVITE (SDP)");
	g_assert_cmpstr(inv->sdp, ==, "audio 192.0.2.10:49170 PCMU,telephone-event");
	g_assert_cmpuint(inv->lines, ==, 2);
	g_assert_null(ladder_row_at(l, 1)->sdp);
	fx_clear(&f);
}

static void test_self_message(void)
{
	fixture f;
	fx_init(&f);
	endpoint a1 = ep("192.0.2.10", 5060), a2 = ep("192.0.2.10", 5080), b = ep("198.51.100.20", 5060);
	g_autofree char *opt = req("OPTIONS", "self-1", 1, "z9hG4bKs", "s1", NULL);
	g_autofree char *ok = resp("200 OK", "OPTIONS", "self-1", 1, "z9hG4bKs", "s1", "t1");
	add(&f, a1, a2, 0, opt, NULL);
	add(&f, a2, a1, 5, ok, NULL);
	add(&f, a1, b, 10, opt, NULL);

	/* Per endpoint: two columns for the two ports. */
	g_autoptr(ladder_layout) l = layout_all(&f, NULL);
	g_assert_cmpuint(l->columns->len, ==, 3);
	assert_geometry_sane(l);

	/* By host: the two ports are one column, and the messages between
	 * them loop on it. */
	ladder_opts o = { .group_by_host = true };
	g_autoptr(ladder_layout) h = layout_all(&f, &o);
	g_assert_cmpuint(h->columns->len, ==, 2);
	g_assert_cmpstr(ladder_column_at(h, 0)->title, ==, "192.0.2.10");
	g_assert_cmpstr(ladder_column_at(h, 1)->title, ==, "198.51.100.20");
	assert_geometry_sane(h);
	const ladder_row *r = ladder_row_at(h, 0);
	g_assert_cmpuint(r->from, ==, 0);
	g_assert_cmpuint(r->to, ==, 0);
	g_assert_cmpuint(r->lines, ==, 2);
	unsigned x = ladder_column_at(h, 0)->x;
	g_assert_cmpuint(r->loop_x, <, ladder_column_at(h, 1)->x - 1);
	g_assert_cmpint(ladder_row_cell(h, r, 0, x), ==, LADDER_CELL_ENDPOINT);
	g_assert_cmpint(ladder_row_cell(h, r, 0, x + 1), ==, LADDER_CELL_SHAFT);
	g_assert_cmpint(ladder_row_cell(h, r, 0, r->loop_x), ==, LADDER_CELL_LOOP_TOP);
	g_assert_cmpint(ladder_row_cell(h, r, 1, x + 1), ==, LADDER_CELL_HEAD_LEFT);
	g_assert_cmpint(ladder_row_cell(h, r, 1, r->loop_x), ==, LADDER_CELL_LOOP_BOTTOM);
	g_assert_cmpint(ladder_row_cell(h, r, 1, r->loop_x + 1), ==, LADDER_CELL_EMPTY);
	g_assert_cmpuint(r->text_x, ==, x + 2);
	g_assert_cmpuint(ladder_row_at(h, 1)->y, ==, 2);

	/* A self-message on the last column extends the width. */
	fixture g;
	fx_init(&g);
	add(&g, a1, b, 0, opt, NULL);
	add(&g, b, b, 1, opt, NULL);
	g_autoptr(ladder_layout) t = layout_all(&g, NULL);
	assert_geometry_sane(t);
	const ladder_row *last = ladder_row_at(t, 1);
	g_assert_cmpuint(last->from, ==, 1);
	g_assert_cmpuint(last->to, ==, 1);
	g_assert_cmpuint(last->loop_x, <, t->width);
	fx_clear(&g);
	fx_clear(&f);
}

static void test_many_endpoints(void)
{
	fixture f;
	fx_init(&f);
	enum { N = 12 };
	endpoint e[N];
	for (int i = 0; i < N; i++) {
		char a[32];
		g_snprintf(a, sizeof(a), "192.0.2.%d", i + 1);
		e[i] = ep(a, (uint16_t)(5060 + i));
	}
	g_autofree char *opt = req("OPTIONS", "many-1", 1, "z9hG4bKm", "m1", NULL);
	for (int i = 0; i + 1 < N; i++)
		add(&f, e[i], e[i + 1], i, opt, NULL);
	/* From the first to the last column, across all lifelines between. */
	add(&f, e[0], e[N - 1], 100, opt, NULL);
	/* And back from the last to the second. */
	g_autofree char *ok = resp("200 OK", "OPTIONS", "many-1", 1, "z9hG4bKm", "m1", "x");
	add(&f, e[N - 1], e[1], 101, ok, NULL);

	g_autoptr(ladder_layout) l = layout_all(&f, NULL);
	g_assert_cmpuint(l->columns->len, ==, N);
	assert_geometry_sane(l);
	const ladder_row *wide = ladder_row_at(l, N - 1);
	g_assert_cmpuint(wide->from, ==, 0);
	g_assert_cmpuint(wide->to, ==, N - 1);
	/* The label sits in the sender's gap, the lifelines after it are crossed. */
	g_assert_cmpuint(wide->text_x + wide->text_width, <, ladder_column_at(l, 1)->x);
	for (int i = 1; i < N - 1; i++)
		g_assert_cmpint(ladder_row_cell(l, wide, 0, ladder_column_at(l, i)->x), ==, LADDER_CELL_CROSSING);
	g_assert_cmpint(ladder_row_cell(l, wide, 0, ladder_column_at(l, N - 1)->x - 1), ==,
			LADDER_CELL_HEAD_RIGHT);

	const ladder_row *back = ladder_row_at(l, N);
	g_assert_cmpuint(back->from, ==, N - 1);
	g_assert_cmpuint(back->to, ==, 1);
	g_assert_cmpuint(back->text_x, >, ladder_column_at(l, N - 2)->x);
	g_assert_cmpint(ladder_row_cell(l, back, 0, ladder_column_at(l, 1)->x + 1), ==, LADDER_CELL_HEAD_LEFT);
	g_assert_cmpint(ladder_row_cell(l, back, 0, ladder_column_at(l, 0)->x), ==, LADDER_CELL_LIFELINE);
	g_assert_cmpint(ladder_row_cell(l, back, 0, ladder_column_at(l, 5)->x), ==, LADDER_CELL_CROSSING);
	fx_clear(&f);
}

static void test_wide_ipv6_endpoints(void)
{
	fixture f;
	fx_init(&f);
	endpoint a = ep("2001:db8:85a3:1234:5678:8a2e:370:7334", 5060);
	endpoint b = ep("2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", 65535);
	endpoint c = ep("192.0.2.1", 5060);
	g_autofree char *opt = req("OPTIONS", "v6-1", 1, "z9hG4bK6", "v1", NULL);
	add(&f, a, b, 0, opt, NULL);
	add(&f, b, c, 1, opt, NULL);
	g_autoptr(ladder_layout) l = layout_all(&f, NULL);
	g_assert_cmpstr(ladder_column_at(l, 0)->title, ==, "[2001:db8:85a3:1234:5678:8a2e:370:7334]:5060");
	g_assert_cmpuint(ladder_column_at(l, 0)->title_width, ==, 44);
	g_assert_cmpuint(ladder_column_at(l, 0)->title_x, ==, 0);
	assert_geometry_sane(l);
	/* Grouped by host, the address alone, without brackets. */
	ladder_opts o = { .group_by_host = true };
	g_autoptr(ladder_layout) h = layout_all(&f, &o);
	g_assert_cmpstr(ladder_column_at(h, 1)->title, ==, "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe");
	assert_geometry_sane(h);
	fx_clear(&f);
}

static void test_merged_calls(void)
{
	fixture f;
	fx_init(&f);
	endpoint a = ep("192.0.2.10", 5060), p = ep("203.0.113.1", 5060), b = ep("198.51.100.20", 5060);
	/* Two legs of a B2BUA, interleaved in time, and a third unrelated call. */
	g_autofree char *inv1 = req("INVITE", "leg-a", 1, "z9hG4bKa1", "a1", NULL);
	g_autofree char *inv2 = req("INVITE", "leg-b", 1, "z9hG4bKb1", "p1", NULL);
	g_autofree char *ok2 = resp("200 OK", "INVITE", "leg-b", 1, "z9hG4bKb1", "p1", "b1");
	g_autofree char *ok1 = resp("200 OK", "INVITE", "leg-a", 1, "z9hG4bKa1", "a1", "p2");
	g_autofree char *other = req("OPTIONS", "other", 1, "z9hG4bKo", "o1", NULL);
	add(&f, a, p, 0, inv1, NULL);
	add(&f, a, b, 5, other, NULL);
	add(&f, p, b, 10, inv2, NULL);
	add(&f, b, p, 20, ok2, NULL);
	add(&f, p, a, 30, ok1, NULL);

	const sip_call *ca = sip_model_call_find(f.m, SV_LIT("leg-a"));
	const sip_call *cb = sip_model_call_find(f.m, SV_LIT("leg-b"));
	g_assert_nonnull(ca);
	g_assert_nonnull(cb);
	/* Named out of order and one twice: still capture order, no duplicates. */
	sip_id calls[3] = { cb->id, ca->id, cb->id };
	g_autoptr(GArray) ids = ladder_messages_of_calls(f.m, calls, 3);
	g_assert_cmpuint(ids->len, ==, 4);
	for (guint i = 1; i < ids->len; i++)
		g_assert_cmpuint(g_array_index(ids, sip_id, i - 1), <, g_array_index(ids, sip_id, i));

	g_autoptr(ladder_layout) l = ladder_layout_new(f.m, (sip_id *)ids->data, ids->len, NULL);
	g_assert_cmpuint(l->rows->len, ==, 4);
	g_assert_cmpuint(l->columns->len, ==, 3);
	g_assert_cmpuint(ladder_row_at(l, 0)->call, ==, ca->id);
	g_assert_cmpuint(ladder_row_at(l, 1)->call, ==, cb->id);
	g_assert_cmpuint(ladder_row_at(l, 2)->call, ==, cb->id);
	g_assert_cmpuint(ladder_row_at(l, 3)->call, ==, ca->id);
	/* Deltas follow the merged order. */
	g_assert_cmpint(ladder_row_at(l, 1)->delta_ns, ==, 10000000);
	g_assert_cmpint(ladder_row_at(l, 3)->delta_ns, ==, 10000000);
	assert_geometry_sane(l);

	/* Every message of the model. */
	g_autoptr(ladder_layout) all = layout_all(&f, NULL);
	g_assert_cmpuint(all->rows->len, ==, 5);
	fx_clear(&f);
}

static void test_labels_escaped_and_cut(void)
{
	fixture f;
	fx_init(&f);
	endpoint a = ep("192.0.2.10", 5060), b = ep("198.51.100.20", 5060);
	g_autofree char *opt = req("OPTIONS", "lab-1", 1, "z9hG4bKl", "l1", NULL);
	g_autofree char *r1 = resp("499 Evil\x1b]0;title\x07 Reason", "OPTIONS", "lab-1", 1, "z9hG4bKl", "l1", "t");
	g_autofree char *r2 = resp("599 This reason phrase is far too long to fit on any arrow of a ladder",
				   "OPTIONS", "lab-1", 1, "z9hG4bKl", "l1", "t");
	add(&f, a, b, 0, opt, NULL);
	add(&f, b, a, 1, r1, NULL);
	add(&f, b, a, 2, r2, NULL);
	ladder_opts o = { .max_label = 30 };
	g_autoptr(ladder_layout) l = layout_all(&f, &o);
	const ladder_row *e = ladder_row_at(l, 1);
	g_assert_null(strchr(e->label, 0x1b));
	g_assert_null(strchr(e->label, 0x07));
	g_assert_nonnull(strstr(e->label, "\\x1b"));
	const ladder_row *c = ladder_row_at(l, 2);
	g_assert_cmpuint(c->text_width, ==, 30);
	g_assert_true(g_str_has_suffix(c->text, "..."));
	g_assert_true(g_str_has_prefix(c->text, "599 This reason"));
	g_assert_cmpuint(strlen(c->label), >, 30);
	assert_geometry_sane(l);
	fx_clear(&f);
}

static void test_empty(void)
{
	fixture f;
	fx_init(&f);
	g_autoptr(ladder_layout) l = ladder_layout_new(f.m, NULL, 0, NULL);
	g_assert_cmpuint(l->columns->len, ==, 0);
	g_assert_cmpuint(l->rows->len, ==, 0);
	g_assert_cmpuint(l->height, ==, 0);
	/* Unknown ids are skipped. */
	sip_id bogus[2] = { 7, SIP_ID_NONE };
	g_autoptr(ladder_layout) l2 = ladder_layout_new(f.m, bogus, 2, NULL);
	g_assert_cmpuint(l2->rows->len, ==, 0);
	fx_clear(&f);
}

/* The text rendering of a two-party call, line by line. */
static void test_text_rendering(void)
{
	fixture f;
	fx_init(&f);
	basic_call(&f, ep("192.0.2.10", 5060), ep("198.51.100.20", 5060), "txt-1", 0);
	g_autoptr(ladder_layout) l = layout_all(&f, NULL);
	sink s;
	sink_init(&s, -1, "test");
	ladder_text_write_diagram(&s, l);
	g_auto(GStrv) lines = g_strsplit(s.buf->str, "\n", -1);
	/* titles, lifelines, INVITE, its SDP line, 100, 180, 200, ACK, "" */
	g_assert_cmpuint(g_strv_length(lines), ==, 9);
	unsigned xa = 17 + ladder_column_at(l, 0)->x, xb = 17 + ladder_column_at(l, 1)->x;
	g_assert_true(g_str_has_prefix(lines[2], "22:13:20.000000  "));
	g_assert_cmpint(lines[2][xa], ==, '|');
	g_assert_cmpint(lines[2][xb], ==, '|');
	g_assert_cmpint(lines[2][xb - 1], ==, '>');
	g_assert_nonnull(strstr(lines[2], "-INVITE (SDP)-"));
	g_assert_true(g_str_has_suffix(lines[2], "|  +0.000000"));
	g_assert_cmpint(lines[3][xa], ==, '|');
	g_assert_cmpint(lines[3][xb], ==, '|');
	g_assert_cmpstr(lines[3] + xb + 1, ==, "  audio 192.0.2.10:49170 PCMU,telephone-event");
	g_assert_cmpint(lines[4][xa + 1], ==, '<');
	g_assert_nonnull(strstr(lines[4], "100 Trying"));
	g_assert_true(g_str_has_suffix(lines[4], "|  +0.021000"));
	for (int i = 0; lines[i] && lines[i][0]; i++)
		g_assert_false(g_str_has_suffix(lines[i], " "));
	g_string_truncate(s.buf, 0);
	s.record_end = 0;
	sink_finish(&s);
	fx_clear(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ladder/columns-in-order", test_columns_in_order_of_appearance);
	g_test_add_func("/ladder/arrow-direction", test_arrow_direction);
	g_test_add_func("/ladder/sdp-summary", test_sdp_summary_and_label);
	g_test_add_func("/ladder/self-message", test_self_message);
	g_test_add_func("/ladder/many-endpoints", test_many_endpoints);
	g_test_add_func("/ladder/wide-ipv6", test_wide_ipv6_endpoints);
	g_test_add_func("/ladder/merged-calls", test_merged_calls);
	g_test_add_func("/ladder/labels-escaped-and-cut", test_labels_escaped_and_cut);
	g_test_add_func("/ladder/empty", test_empty);
	g_test_add_func("/ladder/text", test_text_rendering);
	return g_test_run();
}
