/*
 * test_sipframe.c — payloads to SIP messages: datagrams, TCP reassembly and
 * Content-Length framing, WebSocket.  Payloads are built here directly.
 */
#include <glib.h>
#include <string.h>

#include "base/arena.h"
#include "capture/decode.h"
#include "capture/sipframe.h"

/* ---- harness -------------------------------------------------------------- */

typedef struct got {
	uint64_t frame;
	uint64_t first;
	uint32_t index;
	uint32_t flags;
	uint8_t transport;
	uint8_t icmp_type, icmp_code;
	uint64_t feed;          /* feed call it came out of (0: flush) */
	const uint8_t *ptr;
	GBytes *data;
	endpoint src;
} got;

typedef struct harness {
	arena mem;
	cap_sipframer *f;
	GPtrArray *bufs;        /* frame bytes, alive until the end */
	GArray *msgs;           /* of got */
	uint64_t nframes;
	uint64_t feed;          /* current feed call; 0 outside */
	endpoint a, b;
	uint32_t caplen_cut;    /* next frame: wirelen = caplen + this */
} harness;

static void on_msg(void *user, const cap_sipmsg *m)
{
	harness *h = user;
	got g = {
		.frame = m->frame->num,
		.first = m->first_frame,
		.index = m->index,
		.flags = m->flags,
		.transport = m->transport,
		.icmp_type = m->icmp_type,
		.icmp_code = m->icmp_code,
		.feed = h->feed,
		.ptr = m->data.p,
		.data = g_bytes_new(m->data.p, m->data.len),
		.src = m->src,
	};
	g_assert_cmpuint(m->frame->caplen, ==, m->frame->data.len);
	g_array_append_val(h->msgs, g);
}

static void got_clear(gpointer p)
{
	got *g = p;
	g_bytes_unref(g->data);
}

static endpoint ep(uint8_t last, uint16_t port)
{
	endpoint e = { .family = EP_IPV4, .port = port };
	e.addr[0] = 10;
	e.addr[3] = last;
	return e;
}

static harness *h_new(void)
{
	harness *h = g_new0(harness, 1);
	arena_init(&h->mem, 0);
	h->f = cap_sipframer_new(&h->mem, on_msg, h);
	h->bufs = g_ptr_array_new_with_free_func(g_free);
	h->msgs = g_array_new(FALSE, TRUE, sizeof(got));
	g_array_set_clear_func(h->msgs, got_clear);
	h->a = ep(1, 5060);
	h->b = ep(2, 5060);
	return h;
}

static void h_free(harness *h)
{
	cap_sipframer_free(h->f);
	arena_free(&h->mem);
	g_ptr_array_free(h->bufs, TRUE);
	g_array_free(h->msgs, TRUE);
	g_free(h);
}

static const got *h_msg(harness *h, guint i)
{
	g_assert_cmpuint(i, <, h->msgs->len);
	return &g_array_index(h->msgs, got, i);
}

static bool got_eq(const got *g, const char *s, size_t n)
{
	gsize len;
	const void *p = g_bytes_get_data(g->data, &len);
	return len == n && memcmp(p, s, n) == 0;
}

#define assert_msg(h, i, s) g_assert_true(got_eq(h_msg((h), (i)), (s), strlen(s)))

/* Feeds one payload in a frame of its own.  The frame struct is a local that
 * is scribbled over after the call: the framer must keep its own copy. */
static const uint8_t *h_feed(harness *h, const endpoint *src, const endpoint *dst, uint8_t proto,
			     uint32_t seq, uint8_t flags, const void *data, size_t len,
			     void (*tweak)(cap_payload *))
{
	uint8_t *bytes = g_malloc(len ? len : 1);
	if (len)
		memcpy(bytes, data, len);
	g_ptr_array_add(h->bufs, bytes);
	cap_frame fr = {
		.num = ++h->nframes,
		.ts_ns = (int64_t)h->nframes * 1000,
		.linktype = LINKTYPE_RAW,
		.caplen = (uint32_t)len,
		.wirelen = (uint32_t)len + h->caplen_cut,
		.data = sv_make(bytes, len),
	};
	h->caplen_cut = 0;
	cap_payload pl = {
		.frame = &fr,
		.src = *src,
		.dst = *dst,
		.proto = proto,
		.data = sv_make(bytes, len),
		.tcp_seq = seq,
		.tcp_flags = flags,
	};
	if (tweak)
		tweak(&pl);
	h->feed = fr.num;
	cap_sipframer_feed(h->f, &pl);
	h->feed = 0;
	memset(&fr, 0xA5, sizeof(fr));
	return bytes;
}

static const uint8_t *h_udp(harness *h, const char *s, size_t len)
{
	return h_feed(h, &h->a, &h->b, CAP_PROTO_UDP, 0, 0, s, len, NULL);
}

/* TCP from a to b (rev: b to a). */
static const uint8_t *h_tcp(harness *h, bool rev, uint32_t seq, uint8_t flags, const void *s,
			    size_t len)
{
	return h_feed(h, rev ? &h->b : &h->a, rev ? &h->a : &h->b, CAP_PROTO_TCP, seq,
		      flags | CAP_TCP_ACK, s, len, NULL);
}

static void h_flush(harness *h)
{
	cap_sipframer_flush(h->f);
}

static const cap_sipframe_stats *h_stats(harness *h)
{
	return cap_sipframer_stats(h->f);
}

static char *sip_req(const char *method, int cseq, const char *body)
{
	return g_strdup_printf("%s sip:bob@example.com SIP/2.0\r\n"
			       "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK%d\r\n"
			       "Call-ID: call%d@example.com\r\n"
			       "CSeq: %d %s\r\n"
			       "Content-Length: %zu\r\n"
			       "\r\n%s",
			       method, cseq, cseq, cseq, method, strlen(body), body);
}

static char *sip_resp(int code, int cseq, const char *body)
{
	return g_strdup_printf("SIP/2.0 %d Something\r\n"
			       "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK%d\r\n"
			       "CSeq: %d INVITE\r\n"
			       "Content-Length: %zu\r\n"
			       "\r\n%s",
			       code, cseq, cseq, strlen(body), body);
}

static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
			  "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

/* ---- datagrams --------------------------------------------------------------- */

static void test_udp_one(void)
{
	harness *h = h_new();
	g_autofree char *m = sip_req("INVITE", 1, sdp);
	const uint8_t *bytes = h_udp(h, m, strlen(m));
	g_assert_cmpuint(h->msgs->len, ==, 1);
	const got *g = h_msg(h, 0);
	assert_msg(h, 0, m);
	g_assert_true(g->ptr == bytes); /* a view into the frame */
	g_assert_cmpuint(g->frame, ==, 1);
	g_assert_cmpuint(g->first, ==, 1);
	g_assert_cmpuint(g->index, ==, 0);
	g_assert_cmpuint(g->flags, ==, 0);
	g_assert_cmpuint(g->transport, ==, SIP_TRANSPORT_UDP);
	g_assert_cmpstr(sip_transport_name(g->transport), ==, "UDP");
	g_assert_cmpstr(sip_transport_name(SIP_TRANSPORT_WS), ==, "WS");

	/* Leading CR/LF is skipped; the view starts at the start line. */
	g_autofree char *m2 = g_strconcat("\r\n", m, NULL);
	bytes = h_udp(h, m2, strlen(m2));
	g_assert_cmpuint(h->msgs->len, ==, 2);
	assert_msg(h, 1, m);
	g_assert_true(h_msg(h, 1)->ptr == bytes + 2);

	/* Case-insensitive version, status line. */
	const char *r = "sip/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
	h_udp(h, r, strlen(r));
	g_assert_cmpuint(h->msgs->len, ==, 3);
	g_assert_cmpuint(h_stats(h)->messages, ==, 3);
	h_free(h);
}

static void test_udp_keepalive(void)
{
	harness *h = h_new();
	h_udp(h, "\r\n\r\n", 4);
	h_udp(h, "\r\n", 2);
	h_udp(h, "\n", 1);
	g_assert_cmpuint(h->msgs->len, ==, 0);
	g_assert_cmpuint(h_stats(h)->keepalives, ==, 3);
	g_assert_cmpuint(h_stats(h)->not_sip, ==, 0);
	h_free(h);
}

static void test_udp_not_sip(void)
{
	harness *h = h_new();
	const uint8_t stun[] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4,
				 5, 6, 7, 8, 9, 10, 11, 12 };
	const uint8_t rtp[] = { 0x80, 0x00, 0x12, 0x34, 0, 0, 0, 160, 0xde, 0xad, 0xbe, 0xef,
				0xff, 0xff, 0xff };
	h_udp(h, (const char *)stun, sizeof(stun));
	h_udp(h, (const char *)rtp, sizeof(rtp));
	h_udp(h, "HTTP/1.1 200 OK\r\n\r\n", 19);
	h_udp(h, "INVITE sip:x SIP/2.0", 20);     /* no line end */
	h_udp(h, "INVITE sip:x SIP/3.0\r\n\r\n", 24);
	h_udp(h, "INVITE  SIP/2.0\r\n\r\n", 19);     /* empty URI */
	h_udp(h, "SIP/2.0 20 OK\r\n\r\n", 17);
	h_udp(h, "", 0);
	g_assert_cmpuint(h->msgs->len, ==, 0);
	g_assert_cmpuint(h_stats(h)->not_sip, ==, 8);
	h_free(h);
}

/* Start lines decide what is SIP: the Request-URI runs to a space and
 * holds no control byte; a reason phrase holds none but HTAB; the version
 * is SIP/2.0 in any case.  Long enough that the checks run sixteen bytes
 * at a time, with the byte that decides at every place of a block. */
static void test_udp_start_lines(void)
{
	for (size_t at = 0; at < 40; at++) {
		harness *h = h_new();
		g_autoptr(GString) uri = g_string_new("sip:");
		for (size_t i = 0; i < 40; i++)
			g_string_append_c(uri, (char)('a' + i % 26));
		g_autoptr(GString) m = g_string_new(NULL);
		/* bytes >= 0x80 are no control bytes: still SIP */
		g_string_printf(m, "OPTIONS %s SIP/2.0\r\n\r\n", uri->str);
		m->str[8 + 4 + at % 36] = (char)0xc3;
		h_udp(h, m->str, m->len);
		g_string_printf(m, "OPTIONS %s sip/2.0\r\n\r\n", uri->str);
		h_udp(h, m->str, m->len);
		g_string_printf(m, "SIP/2.0 486 Busy Here, with a long reason\tphrase ok\r\n\r\n");
		m->str[12 + at % 30] = '\t';
		h_udp(h, m->str, m->len);
		g_assert_cmpuint(h->msgs->len, ==, 3);
		/* a control byte or DEL in the URI, or in the reason phrase */
		g_string_printf(m, "OPTIONS %s SIP/2.0\r\n\r\n", uri->str);
		m->str[8 + 4 + at % 36] = (char)(at % 2 ? 0x7f : 0x01);
		h_udp(h, m->str, m->len);
		g_string_printf(m, "SIP/2.0 486 Busy Here, with a long reason phrase not ok\r\n\r\n");
		m->str[12 + at % 30] = (char)(at % 2 ? 0x7f : 0x1b);
		h_udp(h, m->str, m->len);
		g_string_printf(m, "OPTIONS %s SIP/2.1\r\n\r\n", uri->str);
		h_udp(h, m->str, m->len);
		g_assert_cmpuint(h->msgs->len, ==, 3);
		g_assert_cmpuint(h_stats(h)->not_sip, ==, 3);
		h_free(h);
	}
}

static void tweak_reassembled(cap_payload *pl)
{
	pl->ip_reassembled = true;
}

static void tweak_icmp(cap_payload *pl)
{
	pl->icmp_quoted = true;
	pl->icmp_type = 3;
	pl->icmp_code = 3;
}

static void test_udp_flags(void)
{
	harness *h = h_new();
	g_autofree char *m = sip_req("OPTIONS", 1, "");
	h_feed(h, &h->a, &h->b, CAP_PROTO_UDP, 0, 0, m, strlen(m), tweak_reassembled);
	h->caplen_cut = 100;
	h_udp(h, m, strlen(m));
	h_feed(h, &h->a, &h->b, CAP_PROTO_SCTP, 0, 0, m, strlen(m), NULL);
	g_assert_cmpuint(h->msgs->len, ==, 3);
	g_assert_cmpuint(h_msg(h, 0)->flags, ==, CAP_SIPMSG_IP_REASSEMBLED);
	g_assert_cmpuint(h_msg(h, 1)->flags, ==, CAP_SIPMSG_SNAPLEN_CUT);
	g_assert_cmpuint(h_msg(h, 2)->transport, ==, SIP_TRANSPORT_SCTP);
	h_free(h);
}

static void test_icmp_quoted(void)
{
	harness *h = h_new();
	g_autofree char *m = sip_req("REGISTER", 1, "");
	g_autofree char *m2 = sip_req("REGISTER", 2, "");
	size_t half = strlen(m) / 2;
	/* A TCP message under way ... */
	h_tcp(h, false, 100, 0, m, half);
	/* ... ICMP errors quoting SIP (UDP and TCP) for the same addresses ... */
	h_feed(h, &h->a, &h->b, CAP_PROTO_UDP, 0, 0, m2, strlen(m2), tweak_icmp);
	h_feed(h, &h->a, &h->b, CAP_PROTO_TCP, 5000, CAP_TCP_ACK, m2, strlen(m2), tweak_icmp);
	/* ... quoting something else ... */
	h_feed(h, &h->a, &h->b, CAP_PROTO_UDP, 0, 0, "\x80\x00\x00\x01", 4, tweak_icmp);
	g_assert_cmpuint(h->msgs->len, ==, 2);
	const got *g = h_msg(h, 0);
	g_assert_cmpuint(g->flags, ==, CAP_SIPMSG_ICMP_QUOTED);
	g_assert_cmpuint(g->icmp_type, ==, 3);
	g_assert_cmpuint(g->icmp_code, ==, 3);
	assert_msg(h, 0, m2);
	g_assert_cmpuint(h_msg(h, 1)->transport, ==, SIP_TRANSPORT_TCP);
	g_assert_cmpuint(h_stats(h)->icmp_quoted, ==, 2);
	g_assert_cmpuint(h_stats(h)->messages, ==, 0);
	g_assert_cmpuint(h_stats(h)->not_sip, ==, 0);
	/* ... and the stream goes on undisturbed. */
	h_tcp(h, false, 100 + (uint32_t)half, 0, m + half, strlen(m) - half);
	g_assert_cmpuint(h->msgs->len, ==, 3);
	assert_msg(h, 2, m);
	g_assert_cmpuint(h_msg(h, 2)->first, ==, 1);
	g_assert_cmpuint(h_stats(h)->tcp_streams, ==, 1);
	g_assert_cmpuint(h_stats(h)->messages, ==, 1);
	h_free(h);
}

/* ---- TCP framing -------------------------------------------------------------- */

static void test_tcp_two_in_one(void)
{
	harness *h = h_new();
	g_autofree char *m1 = sip_req("INVITE", 1, sdp);
	g_autofree char *m2 = sip_req("BYE", 2, "");
	g_autofree char *both = g_strconcat(m1, m2, NULL);
	const uint8_t *bytes = h_tcp(h, false, 1, 0, both, strlen(both));
	g_assert_cmpuint(h->msgs->len, ==, 2); /* both out now, not at flush */
	assert_msg(h, 0, m1);
	assert_msg(h, 1, m2);
	for (guint i = 0; i < 2; i++) {
		const got *g = h_msg(h, i);
		g_assert_cmpuint(g->frame, ==, 1);
		g_assert_cmpuint(g->feed, ==, 1);
		g_assert_cmpuint(g->index, ==, i);
		g_assert_cmpuint(g->flags, ==, 0);
		g_assert_cmpuint(g->transport, ==, SIP_TRANSPORT_TCP);
	}
	g_assert_true(h_msg(h, 0)->ptr == bytes);
	g_assert_true(h_msg(h, 1)->ptr == bytes + strlen(m1));
	/* The index starts again with the next frame. */
	h_tcp(h, false, 1 + (uint32_t)strlen(both), 0, m2, strlen(m2));
	g_assert_cmpuint(h_msg(h, 2)->index, ==, 0);
	h_flush(h);
	g_assert_cmpuint(h->msgs->len, ==, 3);
	g_assert_cmpuint(h_stats(h)->tcp_streams, ==, 1);
	h_free(h);
}

/* Feeds s cut at the given offsets (ascending, ending with strlen). */
static uint32_t feed_split(harness *h, bool rev, uint32_t seq, const char *s, const size_t *cuts,
			   size_t ncuts)
{
	size_t from = 0;
	for (size_t i = 0; i < ncuts; i++) {
		h_tcp(h, rev, seq + (uint32_t)from, 0, s + from, cuts[i] - from);
		from = cuts[i];
	}
	return seq + (uint32_t)from;
}

static void test_tcp_split_three(void)
{
	harness *h = h_new();
	g_autofree char *m = sip_req("INVITE", 1, sdp);
	size_t hdr = strstr(m, "\r\n\r\n") - m + 4;
	size_t cuts[] = { 30, hdr + 10, strlen(m) };
	feed_split(h, false, 7, m, cuts, 3);
	g_assert_cmpuint(h->msgs->len, ==, 1);
	const got *g = h_msg(h, 0);
	assert_msg(h, 0, m);
	g_assert_cmpuint(g->frame, ==, 3);
	g_assert_cmpuint(g->feed, ==, 3);
	g_assert_cmpuint(g->first, ==, 1);
	g_assert_cmpuint(g->flags, ==, CAP_SIPMSG_SEGMENTS);
	h_free(h);
}

static void test_tcp_split_points(void)
{
	g_autofree char *m = sip_req("MESSAGE", 3, "hello world");
	g_autofree char *m2 = sip_req("BYE", 4, "");
	g_autofree char *both = g_strconcat(m, m2, NULL);
	size_t cl = strstr(m, "Content-Length") - m;
	size_t hdr = strstr(m, "\r\n\r\n") - m + 4;
	size_t at[] = { cl + 5, cl + 14, hdr - 1, hdr - 2, hdr, hdr + 1, 1, 3, strlen(m) };
	for (size_t i = 0; i < G_N_ELEMENTS(at); i++) {
		harness *h = h_new();
		size_t cuts[] = { at[i], strlen(both) };
		feed_split(h, false, 1000, both, cuts, 2);
		g_assert_cmpuint(h->msgs->len, ==, 2);
		assert_msg(h, 0, m);
		assert_msg(h, 1, m2);
		g_assert_cmpuint(h_msg(h, 0)->frame, ==, at[i] < strlen(m) ? 2 : 1);
		g_assert_cmpuint(h_msg(h, 0)->flags, ==,
				 at[i] < strlen(m) ? CAP_SIPMSG_SEGMENTS : 0);
		g_assert_cmpuint(h_msg(h, 1)->flags, ==, 0);
		g_assert_cmpuint(h_msg(h, 1)->frame, ==, 2);
		g_assert_cmpuint(h_stats(h)->truncated, ==, 0);
		h_free(h);
	}
}

static void test_tcp_large(void)
{
	harness *h = h_new();
	GString *body = g_string_new(NULL);
	while (body->len < 100 * 1000)
		g_string_append(body, "a=some:attribute line of a big body\r\n");
	g_autofree char *m = sip_req("INVITE", 1, body->str);
	g_string_free(body, TRUE);
	size_t len = strlen(m), off = 0;
	uint32_t seq = 1;
	guint segs = 0;
	while (off < len) {
		size_t n = len - off < 1400 ? len - off : 1400;
		h_tcp(h, false, seq, 0, m + off, n);
		seq += (uint32_t)n;
		off += n;
		segs++;
		if (off < len)
			g_assert_cmpuint(h->msgs->len, ==, 0);
	}
	g_assert_cmpuint(h->msgs->len, ==, 1);
	assert_msg(h, 0, m);
	g_assert_cmpuint(h_msg(h, 0)->frame, ==, segs);
	g_assert_cmpuint(h_msg(h, 0)->first, ==, 1);
	g_assert_cmpuint(h_msg(h, 0)->flags, ==, CAP_SIPMSG_SEGMENTS);
	h_free(h);
}

static void test_tcp_retransmission(void)
{
	harness *h = h_new();
	g_autofree char *m1 = sip_req("INVITE", 1, sdp);
	g_autofree char *m2 = sip_req("ACK", 1, "");
	size_t l1 = strlen(m1), l2 = strlen(m2);
	h_tcp(h, false, 100, 0, m1, l1);
	h_tcp(h, false, 100, 0, m1, l1);                 /* whole again */
	h_tcp(h, false, 100 + 10, 0, m1 + 10, l1 - 10);  /* tail again */
	g_assert_cmpuint(h->msgs->len, ==, 1);
	/* Overlapping: old bytes and new ones. */
	g_autofree char *over = g_strconcat(m1 + l1 - 20, m2, NULL);
	h_tcp(h, false, 100 + (uint32_t)l1 - 20, 0, over, strlen(over));
	g_assert_cmpuint(h->msgs->len, ==, 2);
	assert_msg(h, 1, m2);
	h_tcp(h, false, 100 + (uint32_t)l1, 0, m2, l2);
	h_flush(h);
	g_assert_cmpuint(h->msgs->len, ==, 2);
	g_assert_cmpuint(h_stats(h)->tcp_retransmitted_bytes, ==, l1 + (l1 - 10) + 20 + l2);
	g_assert_cmpuint(h_stats(h)->tcp_gaps, ==, 0);
	h_free(h);
}

static void test_tcp_out_of_order(void)
{
	harness *h = h_new();
	char *m[5];
	size_t off[6] = { 0 };
	for (int i = 0; i < 5; i++) {
		m[i] = sip_req("OPTIONS", i + 1, i % 2 ? sdp : "");
		off[i + 1] = off[i] + strlen(m[i]);
	}
	const int order[] = { 0, 4, 2, 3, 1 };
	for (int k = 0; k < 5; k++) {
		int i = order[k];
		h_tcp(h, false, 5000 + (uint32_t)off[i], 0, m[i], strlen(m[i]));
		g_assert_cmpuint(h->msgs->len, ==, k < 4 ? 1 : 5);
	}
	for (int i = 0; i < 5; i++) {
		assert_msg(h, (guint)i, m[i]);
		g_assert_cmpuint(h_msg(h, (guint)i)->flags, ==, 0);
	}
	/* Completed by the frame that filled the gap. */
	g_assert_cmpuint(h_msg(h, 1)->frame, ==, 5);
	g_assert_cmpuint(h_msg(h, 1)->index, ==, 0);
	g_assert_cmpuint(h_msg(h, 4)->index, ==, 3);
	g_assert_cmpuint(h_msg(h, 2)->first, ==, 3);
	g_assert_cmpuint(h_stats(h)->tcp_gaps, ==, 0);

	/* One message cut in 5 segments, all out of order (and one twice). */
	g_autofree char *big = sip_req("INVITE", 9, sdp);
	size_t bl = strlen(big), step = bl / 5;
	const int order2[] = { 3, 1, 4, 1, 2, 0 };
	uint32_t base = 5000 + (uint32_t)off[5];
	for (int k = 0; k < 6; k++) {
		int i = order2[k];
		size_t from = step * (size_t)i, to = i == 4 ? bl : step * (size_t)(i + 1);
		h_tcp(h, false, base + (uint32_t)from, 0, big + from, to - from);
	}
	g_assert_cmpuint(h->msgs->len, ==, 6);
	assert_msg(h, 5, big);
	g_assert_cmpuint(h_msg(h, 5)->frame, ==, 11);
	g_assert_cmpuint(h_msg(h, 5)->first, ==, 11);
	g_assert_cmpuint(h_msg(h, 5)->flags, ==, CAP_SIPMSG_SEGMENTS);
	g_assert_cmpuint(h_stats(h)->tcp_retransmitted_bytes, ==, step);
	for (int i = 0; i < 5; i++)
		g_free(m[i]);
	h_free(h);
}

static void test_tcp_gap_never_filled(void)
{
	harness *h = h_new();
	g_autofree char *m1 = sip_req("INVITE", 1, sdp);
	g_autofree char *m2 = sip_req("INFO", 2, sdp);
	g_autofree char *m3 = sip_req("BYE", 3, "");
	size_t l1 = strlen(m1), l2 = strlen(m2);
	/* m1 and the first part of m2; the rest of m2 is never captured. */
	GString *seg1 = g_string_new(m1);
	g_string_append_len(seg1, m2, 40);
	h_tcp(h, false, 1, 0, seg1->str, seg1->len);
	h_tcp(h, false, 1 + (uint32_t)(l1 + l2), 0, m3, strlen(m3));
	g_assert_cmpuint(h->msgs->len, ==, 1);
	h_flush(h);
	g_assert_cmpuint(h->msgs->len, ==, 3);
	assert_msg(h, 0, m1);
	g_assert_true(got_eq(h_msg(h, 1), m2, 40));
	g_assert_cmpuint(h_msg(h, 1)->flags & CAP_SIPMSG_TRUNCATED, !=, 0);
	g_assert_cmpuint(h_msg(h, 1)->frame, ==, 1);
	assert_msg(h, 2, m3);
	g_assert_cmpuint(h_msg(h, 2)->flags, ==, CAP_SIPMSG_AFTER_GAP);
	g_assert_cmpuint(h_msg(h, 2)->frame, ==, 2);
	g_assert_cmpuint(h_msg(h, 2)->feed, ==, 0);
	g_assert_cmpuint(h_stats(h)->tcp_gaps, ==, 1);
	g_assert_cmpuint(h_stats(h)->truncated, ==, 1);
	g_string_free(seg1, TRUE);
	h_free(h);
}

static void test_tcp_hold_limit(void)
{
	harness *h = h_new();
	/* A hole that never fills, then more than a MiB behind it: the gap is
	 * skipped without waiting for the end. */
	g_autofree char *m = sip_req("NOTIFY", 1, sdp);
	size_t l = strlen(m);
	h_tcp(h, false, 1, 0, m, l);
	uint32_t seq = 1 + (uint32_t)l + 1000;
	guint n = 0;
	while ((size_t)n * l < (1u << 20) + 10 * l) {
		h_tcp(h, false, seq, 0, m, l);
		seq += (uint32_t)l;
		n++;
	}
	g_assert_cmpuint(h->msgs->len, >, n - 10);
	g_assert_cmpuint(h_msg(h, 1)->flags, ==, CAP_SIPMSG_AFTER_GAP);
	h_flush(h);
	g_assert_cmpuint(h->msgs->len, ==, n + 1);
	g_assert_cmpuint(h_stats(h)->tcp_gaps, ==, 1);
	h_free(h);
}

static void test_tcp_mid_body(void)
{
	harness *h = h_new();
	g_autofree char *m1 = sip_resp(200, 1, sdp);
	g_autofree char *m2 = sip_req("ACK", 1, "");
	/* Capture began in the middle of a body. */
	GString *s = g_string_new("IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
	g_string_append(s, m1);
	h_tcp(h, false, 77, 0, s->str, s->len);
	g_assert_cmpuint(h->msgs->len, ==, 1);
	assert_msg(h, 0, m1);
	g_assert_cmpuint(h_msg(h, 0)->flags, ==, CAP_SIPMSG_AFTER_GAP);
	h_tcp(h, false, 77 + (uint32_t)s->len, 0, m2, strlen(m2));
	g_assert_cmpuint(h->msgs->len, ==, 2);
	g_assert_cmpuint(h_msg(h, 1)->flags, ==, 0);
	g_string_free(s, TRUE);

	/* The same with the start line split over two segments. */
	harness *h2 = h_new();
	const char *tail = "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\nSIP/2.0 2";
	h_tcp(h2, true, 5, 0, tail, strlen(tail));
	h_tcp(h2, true, 5 + (uint32_t)strlen(tail), 0, m1 + 9, strlen(m1) - 9);
	g_assert_cmpuint(h2->msgs->len, ==, 1);
	assert_msg(h2, 0, m1);
	g_assert_cmpuint(h_msg(h2, 0)->flags, ==, CAP_SIPMSG_AFTER_GAP | CAP_SIPMSG_SEGMENTS);
	g_assert_cmpuint(h_msg(h2, 0)->first, ==, 1);
	h_free(h2);
	h_free(h);
}

static void test_tcp_keepalives(void)
{
	harness *h = h_new();
	g_autofree char *m1 = sip_req("REGISTER", 1, "");
	g_autofree char *m2 = sip_req("REGISTER", 2, "");
	g_autofree char *s = g_strconcat("\r\n\r\n", m1, "\r\n\r\n", m2, "\r\n", NULL);
	uint32_t seq = 1;
	h_tcp(h, false, seq, 0, s, strlen(s));
	seq += (uint32_t)strlen(s);
	h_tcp(h, false, seq, 0, "\r\n\r\n", 4);
	seq += 4;
	h_tcp(h, false, seq, 0, m1, strlen(m1));
	g_assert_cmpuint(h->msgs->len, ==, 3);
	assert_msg(h, 0, m1);
	assert_msg(h, 1, m2);
	assert_msg(h, 2, m1);
	g_assert_cmpuint(h_stats(h)->keepalives, ==, 4);
	h_free(h);
}

static void test_tcp_compact_length(void)
{
	harness *h = h_new();
	const char *m1 = "MESSAGE sip:a@b SIP/2.0\r\nl: 5\r\n\r\nhello";
	const char *m2 = "MESSAGE sip:a@b SIP/2.0\r\nL  :3\r\n\r\nabc";
	const char *m3 = "MESSAGE sip:a@b SIP/2.0\r\ncontent-LENGTH:\t2 \r\nX: y\r\n\r\nhi";
	const char *m4 = "MESSAGE sip:a@b SIP/2.0\nl: 2\n\nhi"; /* bare LF */
	g_autofree char *s = g_strconcat(m1, m2, m3, m4, NULL);
	h_tcp(h, false, 1, 0, s, strlen(s));
	g_assert_cmpuint(h->msgs->len, ==, 4);
	assert_msg(h, 0, m1);
	assert_msg(h, 1, m2);
	assert_msg(h, 2, m3);
	assert_msg(h, 3, m4);
	for (guint i = 0; i < 4; i++)
		g_assert_cmpuint(h_msg(h, i)->flags, ==, 0);
	h_free(h);
}

static void test_tcp_no_content_length(void)
{
	harness *h = h_new();
	const char *m1 = "OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n";
	g_autofree char *m2 = sip_req("OPTIONS", 2, "");
	g_autofree char *s = g_strconcat(m1, m2, NULL);
	h_tcp(h, false, 1, 0, s, strlen(s));
	g_assert_cmpuint(h->msgs->len, ==, 2);
	assert_msg(h, 0, m1);
	g_assert_cmpuint(h_msg(h, 0)->flags, ==, CAP_SIPMSG_NO_CONTENT_LENGTH);
	assert_msg(h, 1, m2);
	g_assert_cmpuint(h_msg(h, 1)->flags, ==, 0);
	h_free(h);
}

static void test_tcp_hostile_length(void)
{
	harness *h = h_new();
	const char *huge = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 99999999999999999999999\r\n\r\n";
	const char *neg = "INVITE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n";
	const char *junk = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 12abc\r\n\r\n";
	const char *empty = "INVITE sip:a@b SIP/2.0\r\nl:\r\n\r\n";
	g_autofree char *ok = sip_req("BYE", 1, "");
	g_autofree char *s = g_strconcat(huge, "garbage body\r\nmore\r\n", neg, junk, empty, ok, NULL);
	h_tcp(h, false, 1, 0, s, strlen(s));
	g_assert_cmpuint(h->msgs->len, ==, 5);
	assert_msg(h, 0, huge);
	g_assert_cmpuint(h_msg(h, 0)->flags, ==, CAP_SIPMSG_TRUNCATED);
	assert_msg(h, 1, neg);
	g_assert_cmpuint(h_msg(h, 1)->flags, ==,
			 CAP_SIPMSG_BAD_CONTENT_LENGTH | CAP_SIPMSG_AFTER_GAP);
	assert_msg(h, 2, junk);
	g_assert_cmpuint(h_msg(h, 2)->flags, ==, CAP_SIPMSG_BAD_CONTENT_LENGTH);
	assert_msg(h, 3, empty);
	g_assert_cmpuint(h_msg(h, 3)->flags, ==, CAP_SIPMSG_BAD_CONTENT_LENGTH);
	assert_msg(h, 4, ok);

	/* Just above the bound, split so that it is seen while pending. */
	const char *big = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 16777217\r\n\r\n";
	h_tcp(h, true, 1, 0, big, 30);
	h_tcp(h, true, 31, 0, big + 30, strlen(big) - 30);
	g_assert_cmpuint(h->msgs->len, ==, 6);
	assert_msg(h, 5, big);
	g_assert_cmpuint(h_msg(h, 5)->flags, ==, CAP_SIPMSG_TRUNCATED | CAP_SIPMSG_SEGMENTS);
	h_free(h);
}

static void test_tcp_header_no_end(void)
{
	harness *h = h_new();
	GString *s = g_string_new("INVITE sip:a@b SIP/2.0\r\n");
	while (s->len < 70 * 1024)
		g_string_append(s, "X-Filler: 0123456789012345678901234567890123456789\r\n");
	g_autofree char *ok = sip_req("BYE", 1, "");
	g_string_append(s, ok);
	/* In pieces (pending path) ... */
	uint32_t seq = 1;
	for (size_t off = 0; off < s->len; off += 1000) {
		size_t n = s->len - off < 1000 ? s->len - off : 1000;
		h_tcp(h, false, seq, 0, s->str + off, n);
		seq += (uint32_t)n;
	}
	g_assert_cmpuint(h->msgs->len, ==, 2);
	g_assert_cmpuint(g_bytes_get_size(h_msg(h, 0)->data), ==, 64 * 1024);
	g_assert_cmpuint(h_msg(h, 0)->flags & CAP_SIPMSG_TRUNCATED, !=, 0);
	g_assert_true(got_eq(h_msg(h, 0), s->str, 64 * 1024));
	assert_msg(h, 1, ok);
	g_assert_cmpuint(h_msg(h, 1)->flags, ==, CAP_SIPMSG_AFTER_GAP);
	/* ... and whole (direct path). */
	h_tcp(h, true, 1, 0, s->str, s->len);
	g_assert_cmpuint(h->msgs->len, ==, 4);
	g_assert_cmpuint(g_bytes_get_size(h_msg(h, 2)->data), ==, 64 * 1024);
	assert_msg(h, 3, ok);
	g_assert_cmpuint(h_stats(h)->truncated, ==, 2);
	g_string_free(s, TRUE);
	h_free(h);
}

static void test_tcp_syn_fin(void)
{
	harness *h = h_new();
	g_autofree char *m1 = sip_req("INVITE", 1, sdp);
	g_autofree char *r1 = sip_resp(200, 1, sdp);
	size_t l1 = strlen(m1);
	h_tcp(h, false, 999, CAP_TCP_SYN, NULL, 0);
	h_tcp(h, true, 4999, CAP_TCP_SYN, NULL, 0);
	/* Data before the ISN+1 would be a retransmission; data at it counts. */
	h_tcp(h, false, 1000, CAP_TCP_PSH, m1, l1);
	g_assert_cmpuint(h->msgs->len, ==, 1);
	h_tcp(h, true, 5000, 0, r1, 40);
	/* FIN from the client: its direction ends. */
	h_tcp(h, false, 1000 + (uint32_t)l1, CAP_TCP_FIN, NULL, 0);
	/* Retransmitted SYN does not reset anything. */
	h_tcp(h, true, 4999, CAP_TCP_SYN, NULL, 0);
	g_assert_cmpuint(h->msgs->len, ==, 1);
	/* The server's FIN arrives before its last bytes: the end waits. */
	h_tcp(h, true, 5000 + (uint32_t)strlen(r1), CAP_TCP_FIN, NULL, 0);
	g_assert_cmpuint(h->msgs->len, ==, 1);
	h_tcp(h, true, 5040, 0, r1 + 40, strlen(r1) - 40);
	g_assert_cmpuint(h->msgs->len, ==, 2);
	assert_msg(h, 1, r1);
	g_assert_cmpuint(h_msg(h, 1)->src.addr[3], ==, 2);

	/* A new connection on the same ports: a message cut by FIN. */
	h_tcp(h, false, 70000, CAP_TCP_SYN, NULL, 0);
	h_tcp(h, false, 70001, 0, m1, 100);
	h_tcp(h, false, 70101, CAP_TCP_FIN, NULL, 0);
	g_assert_cmpuint(h->msgs->len, ==, 3);
	g_assert_true(got_eq(h_msg(h, 2), m1, 100));
	g_assert_cmpuint(h_msg(h, 2)->flags, ==, CAP_SIPMSG_TRUNCATED);
	g_assert_cmpuint(h_msg(h, 2)->frame, ==, 10);
	/* RST ends both directions at once. */
	h_tcp(h, true, 9000, CAP_TCP_SYN, NULL, 0);
	h_tcp(h, true, 9001, 0, r1, 50);
	h_tcp(h, true, 9051, CAP_TCP_RST, NULL, 0);
	g_assert_cmpuint(h->msgs->len, ==, 4);
	g_assert_cmpuint(h_msg(h, 3)->flags & CAP_SIPMSG_TRUNCATED, !=, 0);
	/* A fresh connection after the RST works. */
	h_tcp(h, false, 1, CAP_TCP_SYN, NULL, 0);
	h_tcp(h, false, 2, 0, m1, l1);
	g_assert_cmpuint(h->msgs->len, ==, 5);
	g_assert_cmpuint(h_msg(h, 4)->flags, ==, 0);
	h_flush(h);
	g_assert_cmpuint(h->msgs->len, ==, 5);
	g_assert_cmpuint(h_stats(h)->tcp_streams, ==, 5);
	h_free(h);
}

static void test_tcp_wraparound(void)
{
	harness *h = h_new();
	g_autofree char *m1 = sip_req("INVITE", 1, sdp);
	g_autofree char *m2 = sip_req("ACK", 1, "");
	size_t l1 = strlen(m1);
	uint32_t isn = 0xffffffffu - 100;
	h_tcp(h, false, isn, CAP_TCP_SYN, NULL, 0);
	/* m1 straddles 2^32; its second half comes first. */
	h_tcp(h, false, isn + 1 + 150, 0, m1 + 150, l1 - 150);
	h_tcp(h, false, isn + 1 + (uint32_t)l1, 0, m2, strlen(m2));
	g_assert_cmpuint(h->msgs->len, ==, 0);
	h_tcp(h, false, isn + 1, 0, m1, 150);
	g_assert_cmpuint(h->msgs->len, ==, 2);
	assert_msg(h, 0, m1);
	assert_msg(h, 1, m2);
	/* A retransmission from before the wrap is still old. */
	h_tcp(h, false, isn + 1, 0, m1, l1);
	g_assert_cmpuint(h->msgs->len, ==, 2);
	g_assert_cmpuint(h_stats(h)->tcp_retransmitted_bytes, ==, l1);
	h_free(h);
}

static void test_tcp_not_sip(void)
{
	harness *h = h_new();
	const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5 };
	h_tcp(h, false, 1, 0, tls, sizeof(tls));
	h_tcp(h, false, 11, 0, tls, sizeof(tls));
	const char *http = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	h_tcp(h, true, 1, 0, http, strlen(http));
	g_assert_cmpuint(h->msgs->len, ==, 0);
	g_assert_cmpuint(h_stats(h)->not_sip, ==, 2);
	/* Binary data without any start line: looked through, then ignored. */
	harness *h2 = h_new();
	uint8_t junk[1500];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7 + 3);
	uint32_t seq = 1;
	for (int i = 0; i < 1000; i++, seq += sizeof(junk))
		h_tcp(h2, false, seq, 0, junk, sizeof(junk));
	g_assert_cmpuint(h2->msgs->len, ==, 0);
	g_assert_cmpuint(h_stats(h2)->not_sip, ==, 1);
	h_free(h2);
	h_free(h);
}

static void test_flush_truncated(void)
{
	harness *h = h_new();
	g_autofree char *m = sip_req("INVITE", 1, sdp);
	size_t l = strlen(m);
	h_tcp(h, false, 1, 0, m, 60);
	h_tcp(h, false, 61, 0, m + 60, l - 70);
	/* And one whose header section never ended, on another stream. */
	h_tcp(h, true, 1, 0, m, 50);
	g_assert_cmpuint(h->msgs->len, ==, 0);
	h_flush(h);
	g_assert_cmpuint(h->msgs->len, ==, 2);
	g_assert_true(got_eq(h_msg(h, 0), m, l - 10));
	g_assert_cmpuint(h_msg(h, 0)->flags, ==, CAP_SIPMSG_TRUNCATED | CAP_SIPMSG_SEGMENTS);
	g_assert_cmpuint(h_msg(h, 0)->frame, ==, 2);
	g_assert_cmpuint(h_msg(h, 0)->first, ==, 1);
	g_assert_true(got_eq(h_msg(h, 1), m, 50));
	g_assert_cmpuint(h_msg(h, 1)->frame, ==, 3);
	g_assert_cmpuint(h_stats(h)->truncated, ==, 2);
	g_assert_cmpuint(h_stats(h)->messages, ==, 2);
	h_free(h);
}

static void test_tcp_snaplen(void)
{
	harness *h = h_new();
	g_autofree char *m1 = sip_req("INVITE", 1, sdp);
	g_autofree char *m2 = sip_req("BYE", 2, "");
	size_t l1 = strlen(m1);
	/* A segment cut after 100 of its bytes: the message is handed on as it
	 * is, and the next segment follows a gap. */
	h->caplen_cut = (uint32_t)(l1 - 100);
	h_feed(h, &h->a, &h->b, CAP_PROTO_TCP, 1, CAP_TCP_ACK, m1, 100, NULL);
	g_assert_cmpuint(h->msgs->len, ==, 1);
	g_assert_cmpuint(h_msg(h, 0)->flags, ==,
			 CAP_SIPMSG_TRUNCATED | CAP_SIPMSG_SNAPLEN_CUT);
	h_tcp(h, false, 1 + (uint32_t)l1, 0, m2, strlen(m2));
	g_assert_cmpuint(h->msgs->len, ==, 2);
	assert_msg(h, 1, m2);
	g_assert_cmpuint(h_msg(h, 1)->flags, ==, CAP_SIPMSG_AFTER_GAP);
	h_free(h);
}

/* Random cuts, duplicates and reordering must never change what comes out. */
static void test_tcp_random_segmentation(void)
{
	GString *all = g_string_new(NULL);
	GPtrArray *want = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; i < 40; i++) {
		char *m = i % 3 ? sip_req("MESSAGE", i, i % 2 ? sdp : "x") : sip_resp(200, i, sdp);
		g_string_append(all, m);
		if (i % 5 == 0)
			g_string_append(all, "\r\n\r\n");
		g_ptr_array_add(want, m);
	}
	GRand *r = g_rand_new_with_seed(42);
	for (int round = 0; round < 60; round++) {
		harness *h = h_new();
		uint32_t isn = g_rand_int(r);
		h_tcp(h, false, isn, CAP_TCP_SYN, NULL, 0);
		size_t off = 0;
		/* Segments in windows of up to 4, each window shuffled. */
		while (off < all->len) {
			size_t starts[4], lens[4];
			int n = g_rand_int_range(r, 1, 5);
			int k = 0;
			for (; k < n && off < all->len; k++) {
				size_t len = (size_t)g_rand_int_range(r, 1, 700);
				if (len > all->len - off)
					len = all->len - off;
				starts[k] = off;
				lens[k] = len;
				off += len;
			}
			for (int j = k - 1; j > 0; j--) {
				int x = g_rand_int_range(r, 0, j + 1);
				size_t ts = starts[j], tl = lens[j];
				starts[j] = starts[x];
				lens[j] = lens[x];
				starts[x] = ts;
				lens[x] = tl;
			}
			for (int j = 0; j < k; j++) {
				h_tcp(h, false, isn + 1 + (uint32_t)starts[j], 0, all->str + starts[j],
				      lens[j]);
				if (g_rand_int_range(r, 0, 8) == 0)
					h_tcp(h, false, isn + 1 + (uint32_t)starts[j], 0,
					      all->str + starts[j], lens[j]);
			}
		}
		g_assert_cmpuint(h->msgs->len, ==, want->len);
		for (guint i = 0; i < want->len; i++) {
			const char *w = g_ptr_array_index(want, i);
			assert_msg(h, i, w);
			g_assert_cmpuint(h_msg(h, i)->flags & ~(uint32_t)CAP_SIPMSG_SEGMENTS, ==, 0);
		}
		h_flush(h);
		g_assert_cmpuint(h->msgs->len, ==, want->len);
		g_assert_cmpuint(h_stats(h)->tcp_gaps, ==, 0);
		h_free(h);
	}
	g_rand_free(r);
	g_ptr_array_free(want, TRUE);
	g_string_free(all, TRUE);
}

/* Random bytes, random flags: nothing may crash or leak. */
static void test_tcp_garbage(void)
{
	GRand *r = g_rand_new_with_seed(7);
	g_autofree char *m = sip_req("INVITE", 1, sdp);
	for (int round = 0; round < 30; round++) {
		harness *h = h_new();
		for (int i = 0; i < 300; i++) {
			uint8_t buf[600];
			size_t len = (size_t)g_rand_int_range(r, 0, sizeof(buf));
			for (size_t j = 0; j < len; j++)
				buf[j] = (uint8_t)g_rand_int(r);
			if (g_rand_int_range(r, 0, 3) == 0 && len > 20) {
				/* Bits of SIP and WebSocket among the noise. */
				size_t off = (size_t)g_rand_int_range(r, 0, (gint32)len - 10);
				size_t n = strlen(m) < len - off ? strlen(m) : len - off;
				memcpy(buf + off, m, n);
				if (g_rand_boolean(r))
					buf[0] = 0x81;
			}
			uint8_t flags = (uint8_t)(g_rand_int(r) & 0x1f);
			if (g_rand_int_range(r, 0, 4))
				flags &= (uint8_t)~(CAP_TCP_SYN | CAP_TCP_RST | CAP_TCP_FIN);
			endpoint a = ep((uint8_t)g_rand_int_range(r, 1, 4), 5060);
			endpoint b = ep(9, 5060);
			bool rev = g_rand_boolean(r);
			h_feed(h, rev ? &b : &a, rev ? &a : &b, CAP_PROTO_TCP,
			       g_rand_int_range(r, 0, 4) ? (uint32_t)g_rand_int_range(r, 0, 3000)
							 : g_rand_int(r),
			       flags, buf, len, NULL);
		}
		h_flush(h);
		h_free(h);
	}
	g_rand_free(r);
}

/* ---- WebSocket ---------------------------------------------------------------- */

static const uint8_t ws_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

static void ws_frame(GByteArray *out, uint8_t b0, bool mask, const void *payload, size_t len)
{
	uint8_t hdr[14];
	size_t n = 0;
	hdr[n++] = b0;
	uint8_t mbit = mask ? 0x80 : 0;
	if (len < 126) {
		hdr[n++] = mbit | (uint8_t)len;
	} else if (len < 65536) {
		hdr[n++] = mbit | 126;
		hdr[n++] = (uint8_t)(len >> 8);
		hdr[n++] = (uint8_t)len;
	} else {
		hdr[n++] = mbit | 127;
		for (int i = 7; i >= 0; i--)
			hdr[n++] = (uint8_t)((uint64_t)len >> (8 * i));
	}
	if (mask) {
		memcpy(hdr + n, ws_key, 4);
		n += 4;
	}
	g_byte_array_append(out, hdr, (guint)n);
	const uint8_t *p = payload;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = mask ? p[i] ^ ws_key[i & 3] : p[i];
		g_byte_array_append(out, &c, 1);
	}
}

static const char ws_get[] = "GET / HTTP/1.1\r\nHost: 10.0.0.2\r\nUpgrade: websocket\r\n"
			     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			     "Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n";
static const char ws_101[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
			     "Connection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n";

static void test_ws_upgrade(void)
{
	harness *h = h_new();
	g_autofree char *reg = sip_req("REGISTER", 1, "");
	g_autofree char *ok = sip_resp(200, 1, "");
	uint32_t cs = 1, ss = 1;
	h_tcp(h, false, cs, 0, ws_get, strlen(ws_get));
	cs += (uint32_t)strlen(ws_get);
	/* 101 and the first server frame in one segment. */
	GByteArray *s = g_byte_array_new();
	g_byte_array_append(s, (const uint8_t *)ws_101, (guint)strlen(ws_101));
	ws_frame(s, 0x89, false, "hi", 2); /* ping */
	ws_frame(s, 0x81, false, ok, strlen(ok));
	const uint8_t *bytes = h_tcp(h, true, ss, 0, s->data, s->len);
	ss += s->len;
	g_assert_cmpuint(h->msgs->len, ==, 1);
	assert_msg(h, 0, ok);
	g_assert_cmpuint(h_msg(h, 0)->transport, ==, SIP_TRANSPORT_WS);
	g_assert_true(h_msg(h, 0)->ptr == bytes + s->len - strlen(ok)); /* unmasked: a view */
	g_byte_array_set_size(s, 0);

	/* A masked text frame from the client. */
	ws_frame(s, 0x81, true, reg, strlen(reg));
	h_tcp(h, false, cs, 0, s->data, s->len);
	cs += s->len;
	g_assert_cmpuint(h->msgs->len, ==, 2);
	assert_msg(h, 1, reg);
	g_assert_cmpuint(h_msg(h, 1)->flags, ==, 0);
	g_byte_array_set_size(s, 0);

	/* Fragmented (text + continuation + final continuation) with a ping
	 * in between, spread over three segments. */
	g_autofree char *inv = sip_req("INVITE", 2, sdp);
	size_t il = strlen(inv);
	g_assert_cmpuint(il, >, 200);
	ws_frame(s, 0x01, true, inv, 60);
	ws_frame(s, 0x89, true, "ping", 4);
	ws_frame(s, 0x00, true, inv + 60, 100);
	ws_frame(s, 0x80, true, inv + 160, il - 160);
	size_t cut1 = 50, cut2 = 120;
	h_tcp(h, false, cs, 0, s->data, cut1);
	h_tcp(h, false, cs + (uint32_t)cut1, 0, s->data + cut1, cut2 - cut1);
	g_assert_cmpuint(h->msgs->len, ==, 2);
	h_tcp(h, false, cs + (uint32_t)cut2, 0, s->data + cut2, s->len - cut2);
	cs += s->len;
	g_assert_cmpuint(h->msgs->len, ==, 3);
	assert_msg(h, 2, inv);
	g_assert_cmpuint(h_msg(h, 2)->flags, ==, CAP_SIPMSG_SEGMENTS);
	g_assert_cmpuint(h_msg(h, 2)->first, ==, 4);
	g_assert_cmpuint(h_msg(h, 2)->frame, ==, 6);
	g_byte_array_set_size(s, 0);

	/* 16-bit length (server, unmasked, binary) and 64-bit length (client). */
	g_autofree char *r2 = sip_resp(180, 2, sdp);
	g_assert_cmpuint(strlen(r2), >, 125);
	ws_frame(s, 0x82, false, r2, strlen(r2));
	h_tcp(h, true, ss, 0, s->data, s->len);
	ss += s->len;
	g_assert_cmpuint(h->msgs->len, ==, 4);
	assert_msg(h, 3, r2);
	g_byte_array_set_size(s, 0);
	GString *body = g_string_new(NULL);
	while (body->len < 70000)
		g_string_append(body, "a=x-long-attribute:0123456789\r\n");
	g_autofree char *big = sip_req("MESSAGE", 3, body->str);
	g_string_free(body, TRUE);
	ws_frame(s, 0x81, true, big, strlen(big));
	for (size_t off = 0; off < s->len; off += 1400) {
		size_t n = s->len - off < 1400 ? s->len - off : 1400;
		h_tcp(h, false, cs + (uint32_t)off, 0, s->data + off, n);
	}
	cs += s->len;
	g_assert_cmpuint(h->msgs->len, ==, 5);
	assert_msg(h, 4, big);
	g_assert_cmpuint(h_msg(h, 4)->flags, ==, CAP_SIPMSG_SEGMENTS);
	g_byte_array_set_size(s, 0);

	/* Two SIP messages in one WS message, and a close frame. */
	g_autofree char *two = g_strconcat(reg, ok, NULL);
	ws_frame(s, 0x81, true, two, strlen(two));
	ws_frame(s, 0x88, true, "\x03\xe8", 2);
	h_tcp(h, false, cs, 0, s->data, s->len);
	g_assert_cmpuint(h->msgs->len, ==, 7);
	assert_msg(h, 5, reg);
	assert_msg(h, 6, ok);
	g_assert_cmpuint(h_msg(h, 6)->index, ==, 1);

	g_assert_cmpuint(h_stats(h)->ws_frames, ==, 11);
	g_assert_cmpuint(h_stats(h)->messages, ==, 7);
	g_byte_array_free(s, TRUE);
	h_flush(h);
	g_assert_cmpuint(h->msgs->len, ==, 7);
	h_free(h);
}

static void test_ws_adopted(void)
{
	harness *h = h_new();
	g_autofree char *reg = sip_req("REGISTER", 1, "");
	g_autofree char *ok = sip_resp(200, 1, "");
	GByteArray *s = g_byte_array_new();
	/* No upgrade seen: the capture began later. */
	ws_frame(s, 0x81, true, reg, strlen(reg));
	h_tcp(h, false, 555, 0, s->data, s->len);
	g_byte_array_set_size(s, 0);
	ws_frame(s, 0x8a, false, "", 0); /* a pong first */
	ws_frame(s, 0x82, false, ok, strlen(ok));
	h_tcp(h, true, 777, 0, s->data, 3); /* too few bytes to tell at first */
	h_tcp(h, true, 780, 0, s->data + 3, s->len - 3);
	g_assert_cmpuint(h->msgs->len, ==, 2);
	assert_msg(h, 0, reg);
	assert_msg(h, 1, ok);
	g_assert_cmpuint(h_msg(h, 0)->transport, ==, SIP_TRANSPORT_WS);
	g_assert_cmpuint(h_msg(h, 1)->transport, ==, SIP_TRANSPORT_WS);
	/* Frames of non-SIP content are not taken for WebSocket SIP. */
	harness *h2 = h_new();
	g_byte_array_set_size(s, 0);
	ws_frame(s, 0x81, true, "{\"json\":1}", 10);
	h_tcp(h2, false, 1, 0, s->data, s->len);
	g_assert_cmpuint(h2->msgs->len, ==, 0);
	h_free(h2);
	g_byte_array_free(s, TRUE);
	h_free(h);
}

static void test_ws_gap_and_flush(void)
{
	harness *h = h_new();
	g_autofree char *inv = sip_req("INVITE", 1, sdp);
	g_autofree char *bye = sip_req("BYE", 2, "");
	GByteArray *s = g_byte_array_new();
	h_tcp(h, false, 1, 0, ws_get, strlen(ws_get));
	uint32_t seq = 1 + (uint32_t)strlen(ws_get);
	ws_frame(s, 0x81, true, inv, strlen(inv));
	/* Only the first 100 bytes, then a hole, then a new frame. */
	h_tcp(h, false, seq, 0, s->data, 100);
	seq += s->len;
	g_byte_array_set_size(s, 0);
	ws_frame(s, 0x81, true, bye, strlen(bye));
	h_tcp(h, false, seq, 0, s->data, s->len);
	seq += s->len;
	/* A message under way at the end. */
	g_byte_array_set_size(s, 0);
	ws_frame(s, 0x81, true, inv, strlen(inv));
	h_tcp(h, false, seq, 0, s->data, 200);
	h_flush(h);
	g_assert_cmpuint(h->msgs->len, ==, 3);
	g_assert_cmpuint(h_msg(h, 0)->flags & CAP_SIPMSG_TRUNCATED, !=, 0);
	assert_msg(h, 1, bye);
	g_assert_cmpuint(h_msg(h, 1)->flags, ==, CAP_SIPMSG_AFTER_GAP);
	g_assert_cmpuint(h_msg(h, 2)->flags & CAP_SIPMSG_TRUNCATED, !=, 0);
	g_assert_true(g_bytes_get_size(h_msg(h, 2)->data) == 200 - 8);
	g_byte_array_free(s, TRUE);
	h_free(h);
}

static void test_many_streams(void)
{
	/* More directions than the bound: the oldest are evicted, messages
	 * under way in them are handed on, nothing leaks. */
	harness *h = h_new();
	g_autofree char *m = sip_req("OPTIONS", 1, "");
	for (guint i = 0; i < 66000; i++) {
		endpoint a = ep(1, (uint16_t)(1024 + i % 60000));
		a.addr[2] = (uint8_t)(i / 60000);
		h_feed(h, &a, &h->b, CAP_PROTO_TCP, 1, CAP_TCP_ACK, m, 60, NULL);
	}
	g_assert_cmpuint(h->msgs->len, ==, 66000 - 65536);
	h_flush(h);
	g_assert_cmpuint(h->msgs->len, ==, 66000);
	h_free(h);
}

static void test_tcp_edge_connections(void)
{
	harness *h = h_new();
	g_autofree char *m1 = sip_req("INVITE", 1, sdp);
	size_t l1 = strlen(m1);
	/* The SYN is captured after the first data: not a new connection. */
	h_tcp(h, false, 101, 0, m1, 80);
	h_tcp(h, false, 100, CAP_TCP_SYN, NULL, 0);
	h_tcp(h, false, 181, 0, m1 + 80, l1 - 80);
	g_assert_cmpuint(h->msgs->len, ==, 1);
	assert_msg(h, 0, m1);
	g_assert_cmpuint(h_msg(h, 0)->flags, ==, CAP_SIPMSG_SEGMENTS);
	/* RST from the side that never sent data ends the other direction. */
	h_tcp(h, false, 101 + (uint32_t)l1, 0, m1, 90);
	h_tcp(h, true, 5000, CAP_TCP_RST, NULL, 0);
	g_assert_cmpuint(h->msgs->len, ==, 2);
	g_assert_cmpuint(h_msg(h, 1)->flags, ==, CAP_SIPMSG_TRUNCATED);
	g_assert_true(got_eq(h_msg(h, 1), m1, 90));
	h_flush(h);
	g_assert_cmpuint(h->msgs->len, ==, 2);
	h_free(h);
}

static void test_tcp_hunt_split_request(void)
{
	harness *h = h_new();
	g_autofree char *m1 = sip_req("SUBSCRIBE", 7, "");
	/* Picked up inside a header section; the next start line is split
	 * inside "SIP/2.0". */
	GString *s = g_string_new("Via: SIP/2.0/TCP 10.1.1.1\r\nCSeq: 6 SUBSCRIBE\r\n\r\n");
	size_t pre = s->len;
	g_string_append(s, m1);
	size_t cut = pre + (size_t)(strstr(m1, "SIP/2.0") - m1) + 2;
	h_tcp(h, false, 1, 0, s->str, cut);
	h_tcp(h, false, 1 + (uint32_t)cut, 0, s->str + cut, s->len - cut);
	g_assert_cmpuint(h->msgs->len, ==, 1);
	assert_msg(h, 0, m1);
	g_assert_cmpuint(h_msg(h, 0)->flags, ==, CAP_SIPMSG_AFTER_GAP | CAP_SIPMSG_SEGMENTS);
	g_string_free(s, TRUE);
	h_free(h);
}

static void test_udp_bare_cr(void)
{
	harness *h = h_new();
	const char *m = "CANCEL sip:1@x SIP/2.0\r7Via: SIP/2.0/UDP 1.2.3.4\r\n\r\n";
	h_udp(h, m, strlen(m));
	g_assert_cmpuint(h->msgs->len, ==, 1);
	h_free(h);
}

static void test_ws_refused(void)
{
	harness *h = h_new();
	g_autofree char *reg = sip_req("REGISTER", 1, "");
	const char *no = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
	h_tcp(h, false, 1, 0, ws_get, strlen(ws_get));
	h_tcp(h, true, 1, 0, no, strlen(no));
	/* Whatever the client sends next is not taken for frames. */
	GByteArray *s = g_byte_array_new();
	ws_frame(s, 0x81, true, reg, strlen(reg));
	h_tcp(h, false, 1 + (uint32_t)strlen(ws_get), 0, s->data, s->len);
	g_assert_cmpuint(h->msgs->len, ==, 0);
	g_assert_cmpuint(h_stats(h)->not_sip, ==, 1);
	g_byte_array_free(s, TRUE);
	h_free(h);
}

/* ---- what live capture must keep ---------------------------------------- */

static bool h_wants(harness *h, uint8_t proto, uint8_t flags, const char *s, bool quoted)
{
	cap_frame fr = { .num = h->nframes + 1, .data = sv_make(s, strlen(s)) };
	cap_payload pl = {
		.frame = &fr,
		.src = h->a,
		.dst = h->b,
		.proto = proto,
		.data = sv_make(s, strlen(s)),
		.tcp_seq = 1000,
		.tcp_flags = flags,
		.icmp_quoted = quoted,
	};
	return cap_sipframer_wants(h->f, &pl);
}

/* Datagrams: those that start like SIP; never a keep-alive, RTP or an
 * ICMP quote.  TCP: data on a new flow or one still framing SIP, not on a
 * flow given up as something else (unless a SYN starts it over), never a
 * segment without data.  Asking changes nothing. */
static void test_wants(void)
{
	harness *h = h_new();
	g_autofree char *inv = sip_req("INVITE", 1, "");
	g_assert_true(h_wants(h, CAP_PROTO_UDP, 0, inv, false));
	g_assert_true(h_wants(h, CAP_PROTO_SCTP, 0, inv, false));
	g_assert_false(h_wants(h, CAP_PROTO_UDP, 0, inv, true));
	g_assert_false(h_wants(h, CAP_PROTO_UDP, 0, "\r\n\r\n", false));
	g_assert_false(h_wants(h, CAP_PROTO_UDP, 0, "\x80\x00\x01\x02rtp payload", false));
	g_assert_false(h_wants(h, CAP_PROTO_TCP, CAP_TCP_ACK, "", false));
	static const char tls[] = "\x16\x03\x01\x00\x05hello";
	g_assert_true(h_wants(h, CAP_PROTO_TCP, CAP_TCP_ACK, tls, false));
	g_assert_cmpuint(h_stats(h)->not_sip, ==, 0);

	/* a TLS stream is given up at once; other data is searched for a SIP
	 * start line further on, so it stays wanted */
	h_tcp(h, false, 1000, 0, tls, sizeof(tls) - 1);
	g_assert_cmpuint(h_stats(h)->not_sip, ==, 1);
	g_assert_false(h_wants(h, CAP_PROTO_TCP, CAP_TCP_ACK, "more of it", false));
	g_assert_true(h_wants(h, CAP_PROTO_TCP, CAP_TCP_SYN, "a new connection", false));
	/* the other direction is a flow of its own */
	harness *r = h_new();
	g_assert_true(h_wants(r, CAP_PROTO_TCP, CAP_TCP_ACK, inv, false));
	h_tcp(r, false, 1000, 0, inv, strlen(inv) - 5);   /* a message still incomplete */
	g_assert_true(h_wants(r, CAP_PROTO_TCP, CAP_TCP_ACK, "rest", false));
	h_tcp(r, false, 2000, 0, "SSH-2.0-OpenSSH_9.2\r\n", 21);
	g_assert_true(h_wants(r, CAP_PROTO_TCP, CAP_TCP_ACK, "more", false));
	g_assert_cmpuint(r->msgs->len, ==, 0);
	h_free(r);
	h_free(h);
}

/* More TCP directions than are tracked at once: the least recently active
 * goes, is counted, and its half message is lost; the others are whole. */
static void test_tcp_flows_evicted(void)
{
	harness *h = h_new();
	g_autofree char *req = sip_req("OPTIONS", 1, "");
	size_t half = strlen(req) / 2;
	/* the first direction starts a message, then CAP_SIPFRAME_MAX_FLOWS
	 * others come, each with a whole message */
	h_feed(h, &h->a, &h->b, CAP_PROTO_TCP, 1000, CAP_TCP_ACK, req, half, NULL);
	for (uint32_t i = 0; i < CAP_SIPFRAME_MAX_FLOWS; i++) {
		endpoint src = ep((uint8_t)(2 + i / 60000), (uint16_t)(1024 + i % 60000));
		h_feed(h, &src, &h->b, CAP_PROTO_TCP, 1, CAP_TCP_ACK, req, strlen(req), NULL);
	}
	g_assert_cmpuint(h_stats(h)->tcp_evicted, ==, 1);
	g_assert_cmpuint(h_stats(h)->tcp_streams, ==, CAP_SIPFRAME_MAX_FLOWS + 1);
	/* the rest of the first message: its direction was forgotten, so the
	 * bytes start a flow of their own that never frames a message */
	h_feed(h, &h->a, &h->b, CAP_PROTO_TCP, 1000 + (uint32_t)half, CAP_TCP_ACK, req + half,
	       strlen(req) - half, NULL);
	h_flush(h);
	g_assert_cmpuint(h_stats(h)->tcp_evicted, ==, 2);
	g_assert_cmpuint(h->msgs->len, >=, CAP_SIPFRAME_MAX_FLOWS);
	h_free(h);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sipframe/udp/one", test_udp_one);
	g_test_add_func("/sipframe/wants", test_wants);
	g_test_add_func("/sipframe/udp/keepalive", test_udp_keepalive);
	g_test_add_func("/sipframe/udp/not-sip", test_udp_not_sip);
	g_test_add_func("/sipframe/udp/start-lines", test_udp_start_lines);
	g_test_add_func("/sipframe/udp/flags", test_udp_flags);
	g_test_add_func("/sipframe/icmp-quoted", test_icmp_quoted);
	g_test_add_func("/sipframe/tcp/two-in-one", test_tcp_two_in_one);
	g_test_add_func("/sipframe/tcp/split-three", test_tcp_split_three);
	g_test_add_func("/sipframe/tcp/split-points", test_tcp_split_points);
	g_test_add_func("/sipframe/tcp/large", test_tcp_large);
	g_test_add_func("/sipframe/tcp/retransmission", test_tcp_retransmission);
	g_test_add_func("/sipframe/tcp/out-of-order", test_tcp_out_of_order);
	g_test_add_func("/sipframe/tcp/gap-never-filled", test_tcp_gap_never_filled);
	g_test_add_func("/sipframe/tcp/hold-limit", test_tcp_hold_limit);
	g_test_add_func("/sipframe/tcp/mid-body", test_tcp_mid_body);
	g_test_add_func("/sipframe/tcp/keepalives", test_tcp_keepalives);
	g_test_add_func("/sipframe/tcp/compact-length", test_tcp_compact_length);
	g_test_add_func("/sipframe/tcp/no-content-length", test_tcp_no_content_length);
	g_test_add_func("/sipframe/tcp/hostile-length", test_tcp_hostile_length);
	g_test_add_func("/sipframe/tcp/header-no-end", test_tcp_header_no_end);
	g_test_add_func("/sipframe/tcp/syn-fin", test_tcp_syn_fin);
	g_test_add_func("/sipframe/tcp/wraparound", test_tcp_wraparound);
	g_test_add_func("/sipframe/tcp/not-sip", test_tcp_not_sip);
	g_test_add_func("/sipframe/tcp/snaplen", test_tcp_snaplen);
	g_test_add_func("/sipframe/tcp/random-segmentation", test_tcp_random_segmentation);
	g_test_add_func("/sipframe/tcp/garbage", test_tcp_garbage);
	g_test_add_func("/sipframe/tcp/many-streams", test_many_streams);
	g_test_add_func("/sipframe/tcp/edge-connections", test_tcp_edge_connections);
	g_test_add_func("/sipframe/tcp/hunt-split-request", test_tcp_hunt_split_request);
	g_test_add_func("/sipframe/udp/bare-cr", test_udp_bare_cr);
	g_test_add_func("/sipframe/ws/refused", test_ws_refused);
	g_test_add_func("/sipframe/flush-truncated", test_flush_truncated);
	g_test_add_func("/sipframe/ws/upgrade", test_ws_upgrade);
	g_test_add_func("/sipframe/ws/adopted", test_ws_adopted);
	g_test_add_func("/sipframe/ws/gap-and-flush", test_ws_gap_and_flush);
	g_test_add_func("/sipframe/tcp/flows-evicted", test_tcp_flows_evicted);
	return g_test_run();
}
