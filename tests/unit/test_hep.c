/*
 * test_hep.c — HEP input: HEPv3 chunks and HEPv1/v2 headers as real
 * senders write them, the raw-IP frames built from them (decoded back by
 * the project's decoder, TCP flows numbered as one stream), hostile input
 * (every cut, every bad length, random bytes), and the UDP listener on
 * the loopback address, alone and through cap_live.
 */
#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/arena.h"
#include "capture/decode.h"
#include "capture/hep.h"
#include "capture/live.h"

static const char sip_msg[] =
	"OPTIONS sip:bob@192.0.2.2 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776\r\n"
	"Call-ID: hep-1@192.0.2.1\r\n"
	"CSeq: 1 OPTIONS\r\n"
	"Content-Length: 0\r\n\r\n";

/* ---- building HEP packets ----------------------------------------------- */

static void chunk(GByteArray *b, uint16_t type, const void *val, size_t len)
{
	uint8_t h[6] = { 0, 0, (uint8_t)(type >> 8), (uint8_t)type, (uint8_t)((len + 6) >> 8), (uint8_t)(len + 6) };
	g_byte_array_append(b, h, 6);
	g_byte_array_append(b, val, (guint)len);
}

static void chunk8(GByteArray *b, uint16_t type, uint8_t v)
{
	chunk(b, type, &v, 1);
}

static void chunk16(GByteArray *b, uint16_t type, uint16_t v)
{
	uint16_t be = htons(v);
	chunk(b, type, &be, 2);
}

static void chunk32(GByteArray *b, uint16_t type, uint32_t v)
{
	uint32_t be = htonl(v);
	chunk(b, type, &be, 4);
}

typedef struct {
	int family;       /* 4 or 6 */
	uint8_t proto;
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t sec, usec;
	bool no_ts;
	int ptype;        /* -1: no chunk */
	const char *payload;
	size_t payload_len;
} hep3_spec;

static GByteArray *hep3(const hep3_spec *s)
{
	GByteArray *b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)"HEP3\0\0", 6);
	chunk8(b, 1, s->family == 4 ? 2 : 10);
	chunk8(b, 2, s->proto);
	/* A vendor chunk first: must be skipped. */
	uint8_t vend[] = { 0x00, 0x21, 0x00, 0x01, 0x00, 0x08, 0xaa, 0xbb };
	g_byte_array_append(b, vend, sizeof(vend));
	if (s->family == 4) {
		struct in_addr a;
		inet_pton(AF_INET, s->src, &a);
		chunk(b, 3, &a, 4);
		inet_pton(AF_INET, s->dst, &a);
		chunk(b, 4, &a, 4);
	} else {
		struct in6_addr a;
		inet_pton(AF_INET6, s->src, &a);
		chunk(b, 5, &a, 16);
		inet_pton(AF_INET6, s->dst, &a);
		chunk(b, 6, &a, 16);
	}
	chunk16(b, 7, s->sport);
	chunk16(b, 8, s->dport);
	if (!s->no_ts) {
		chunk32(b, 9, s->sec);
		chunk32(b, 10, s->usec);
	}
	if (s->ptype >= 0)
		chunk8(b, 11, (uint8_t)s->ptype);
	chunk32(b, 12, 2001);
	chunk(b, 14, "secret", 6); /* auth key: ignored */
	const char *pl = s->payload ? s->payload : sip_msg;
	size_t plen = s->payload ? s->payload_len : strlen(sip_msg);
	chunk(b, 15, pl, plen);
	b->data[4] = (uint8_t)(b->len >> 8);
	b->data[5] = (uint8_t)b->len;
	return b;
}

static const hep3_spec basic_v4 = {
	.family = 4, .proto = 17, .src = "192.0.2.1", .dst = "192.0.2.2",
	.sport = 5060, .dport = 5080, .sec = 1700000000, .usec = 123456, .ptype = 1,
};

/* HEPv2 as Kamailio's siptrace writes it: the time header is a C struct
 * copied whole (12 bytes with padding), little-endian. */
static GByteArray *hep2(int family, bool packed_time)
{
	GByteArray *b = g_byte_array_new();
	size_t alen = family == 4 ? 4 : 16;
	uint8_t h[8] = { 2, (uint8_t)(8 + 2 * alen), family == 4 ? 2 : 10, 17, 0x13, 0xc4, 0x13, 0xd8 };
	g_byte_array_append(b, h, 8);
	uint8_t a[32] = { 0 };
	if (family == 4) {
		inet_pton(AF_INET, "192.0.2.1", a);
		inet_pton(AF_INET, "192.0.2.2", a + 4);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", a);
		inet_pton(AF_INET6, "2001:db8::2", a + 16);
	}
	g_byte_array_append(b, a, (guint)(2 * alen));
	uint8_t t[12] = { 0 };
	uint32_t sec = 1700000000, usec = 654321;
	for (int i = 0; i < 4; i++) {
		t[i] = (uint8_t)(sec >> (8 * i));
		t[4 + i] = (uint8_t)(usec >> (8 * i));
	}
	t[8] = 7; /* capture id 7 */
	g_byte_array_append(b, t, packed_time ? 10 : 12);
	g_byte_array_append(b, (const guint8 *)sip_msg, (guint)strlen(sip_msg));
	return b;
}

/* ---- decoding the frames back ------------------------------------------- */

typedef struct {
	int n;
	cap_payload last;
	char data[2048];
	size_t len;
} decoded;

static void on_payload(void *user, const cap_payload *pl)
{
	decoded *d = user;
	d->n++;
	d->last = *pl;
	d->len = MIN(pl->data.len, sizeof(d->data));
	memcpy(d->data, pl->data.p, d->len);
}

static decoded decode_frame(const uint8_t *buf, uint32_t len)
{
	decoded d = { 0 };
	arena mem;
	arena_init(&mem, 0);
	cap_decoder *dec = cap_decoder_new(&mem, on_payload, &d);
	cap_frame f = { .num = 1, .linktype = LINKTYPE_RAW, .caplen = len, .wirelen = len, .data = sv_make(buf, len) };
	cap_decoder_feed(dec, &f);
	g_assert_cmpuint(cap_decoder_stats(dec)->malformed, ==, 0);
	cap_decoder_free(dec);
	arena_free(&mem);
	return d;
}

/* Builds p's frame in a block of exactly its size (ASan sees overruns). */
static uint8_t *build(const cap_hep_packet *p, cap_hep_flows *fl, uint32_t *len)
{
	*len = cap_hep_frame_len(p);
	g_assert_cmpuint(*len, >, 0);
	uint8_t *buf = g_malloc(*len);
	cap_hep_frame_build(p, fl, buf);
	return buf;
}

/* ---- tests -------------------------------------------------------------- */

static void test_v3_ipv4_udp(void)
{
	g_autoptr(GByteArray) b = hep3(&basic_v4);
	cap_hep_packet p;
	size_t used = 0;
	const char *why = NULL;
	g_assert_cmpint(cap_hep_parse(sv_make(b->data, b->len), &p, &used, &why), ==, CAP_HEP_OK);
	g_assert_null(why);
	g_assert_cmpuint(used, ==, b->len);
	g_assert_cmpuint(p.version, ==, 3);
	g_assert_cmpuint(p.family, ==, 4);
	g_assert_cmpuint(p.ip_proto, ==, 17);
	g_assert_cmpuint(p.sport, ==, 5060);
	g_assert_cmpuint(p.dport, ==, 5080);
	g_assert_true(p.has_ts);
	g_assert_cmpint(p.ts_ns, ==, INT64_C(1700000000123456000));
	g_assert_cmpuint(p.payload_type, ==, 1);
	g_assert_cmpuint(p.capture_id, ==, 2001);
	g_assert_true(sv_eq_cstr(p.payload, sip_msg));

	cap_hep_flows *fl = cap_hep_flows_new();
	uint32_t len;
	g_autofree uint8_t *fr = build(&p, fl, &len);
	g_assert_cmpuint(len, ==, 20 + 8 + strlen(sip_msg));
	decoded d = decode_frame(fr, len);
	g_assert_cmpint(d.n, ==, 1);
	g_assert_cmpuint(d.last.proto, ==, CAP_PROTO_UDP);
	char ep[ENDPOINT_STRLEN];
	g_assert_cmpstr(endpoint_format(&d.last.src, ep, sizeof(ep)), ==, "192.0.2.1:5060");
	g_assert_cmpstr(endpoint_format(&d.last.dst, ep, sizeof(ep)), ==, "192.0.2.2:5080");
	g_assert_cmpuint(d.len, ==, strlen(sip_msg));
	g_assert_cmpint(memcmp(d.data, sip_msg, d.len), ==, 0);
	/* The IPv4 header checksum is right: summing it gives 0xffff. */
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(fr[i] << 8 | fr[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	g_assert_cmpuint(sum, ==, 0xffff);
	cap_hep_flows_free(fl);
}

/* TCP over IPv6: payloads of one flow continue one sequence space, so the
 * stream reassembler sees them in order; another flow has its own. */
static void test_v3_ipv6_tcp_flow(void)
{
	hep3_spec s = basic_v4;
	s.family = 6;
	s.proto = 6;
	s.src = "2001:db8::1";
	s.dst = "2001:db8::2";
	g_autoptr(GByteArray) b = hep3(&s);
	s.sport = 5061;
	g_autoptr(GByteArray) other = hep3(&s);
	cap_hep_flows *fl = cap_hep_flows_new();
	uint32_t seqs[3];
	for (int i = 0; i < 3; i++) {
		GByteArray *x = i == 1 ? other : b;
		cap_hep_packet p;
		size_t used;
		g_assert_cmpint(cap_hep_parse(sv_make(x->data, x->len), &p, &used, NULL), ==, CAP_HEP_OK);
		g_assert_cmpuint(p.family, ==, 6);
		uint32_t len;
		g_autofree uint8_t *fr = build(&p, fl, &len);
		g_assert_cmpuint(len, ==, 40 + 20 + strlen(sip_msg));
		decoded d = decode_frame(fr, len);
		g_assert_cmpint(d.n, ==, 1);
		g_assert_cmpuint(d.last.proto, ==, CAP_PROTO_TCP);
		g_assert_cmpuint(d.last.src.family, ==, EP_IPV6);
		seqs[i] = d.last.tcp_seq;
		g_assert_cmpuint(d.len, ==, strlen(sip_msg));
	}
	g_assert_cmpuint(seqs[2], ==, seqs[0] + (uint32_t)strlen(sip_msg));
	g_assert_cmpuint(seqs[1], !=, seqs[0]);
	cap_hep_flows_free(fl);
}

static void test_v3_sctp_and_other_proto(void)
{
	hep3_spec s = basic_v4;
	s.proto = 132;
	g_autoptr(GByteArray) b = hep3(&s);
	cap_hep_packet p;
	size_t used;
	g_assert_cmpint(cap_hep_parse(sv_make(b->data, b->len), &p, &used, NULL), ==, CAP_HEP_OK);
	cap_hep_flows *fl = cap_hep_flows_new();
	uint32_t len;
	g_autofree uint8_t *fr = build(&p, fl, &len);
	decoded d = decode_frame(fr, len);
	g_assert_cmpint(d.n, ==, 1);
	g_assert_cmpuint(d.last.proto, ==, CAP_PROTO_SCTP);
	g_assert_cmpuint(d.len, ==, strlen(sip_msg));
	/* A made-up protocol number (TLS, WebSocket): one message, a datagram. */
	s.proto = 22;
	g_autoptr(GByteArray) c = hep3(&s);
	g_assert_cmpint(cap_hep_parse(sv_make(c->data, c->len), &p, &used, NULL), ==, CAP_HEP_OK);
	g_autofree uint8_t *fr2 = build(&p, fl, &len);
	d = decode_frame(fr2, len);
	g_assert_cmpuint(d.last.proto, ==, CAP_PROTO_UDP);
	cap_hep_flows_free(fl);
}

static void test_v3_variants(void)
{
	cap_hep_packet p;
	size_t used;
	/* No timestamp; no payload type (taken as SIP). */
	hep3_spec s = basic_v4;
	s.no_ts = true;
	s.ptype = -1;
	g_autoptr(GByteArray) a = hep3(&s);
	g_assert_cmpint(cap_hep_parse(sv_make(a->data, a->len), &p, &used, NULL), ==, CAP_HEP_OK);
	g_assert_false(p.has_ts);
	g_assert_cmpuint(p.payload_type, ==, 1);
	/* RTCP (5): parsed, type kept. */
	s.ptype = 5;
	g_autoptr(GByteArray) r = hep3(&s);
	g_assert_cmpint(cap_hep_parse(sv_make(r->data, r->len), &p, &used, NULL), ==, CAP_HEP_OK);
	g_assert_cmpuint(p.payload_type, ==, 5);
	/* Two packets in one datagram: used says where the first ends. */
	g_autoptr(GByteArray) two = hep3(&basic_v4);
	g_byte_array_append(two, a->data, a->len);
	g_assert_cmpint(cap_hep_parse(sv_make(two->data, two->len), &p, &used, NULL), ==, CAP_HEP_OK);
	g_assert_cmpuint(used, ==, two->len - a->len);
	/* Empty payload. */
	s = basic_v4;
	s.payload = "";
	s.payload_len = 0;
	g_autoptr(GByteArray) e = hep3(&s);
	g_assert_cmpint(cap_hep_parse(sv_make(e->data, e->len), &p, &used, NULL), ==, CAP_HEP_OK);
	g_assert_cmpuint(p.payload.len, ==, 0);
	cap_hep_flows *fl = cap_hep_flows_new();
	uint32_t len;
	g_autofree uint8_t *fr = build(&p, fl, &len);
	g_assert_cmpuint(len, ==, 28);
	decode_frame(fr, len); /* IP and UDP headers the decoder takes whole */
	cap_hep_flows_free(fl);
}

static void test_v2_v1(void)
{
	for (int fam = 4; fam <= 6; fam += 2) {
		for (int packed = 0; packed < 2; packed++) {
			g_autoptr(GByteArray) b = hep2(fam, packed);
			cap_hep_packet p;
			size_t used;
			const char *why = NULL;
			g_assert_cmpint(cap_hep_parse(sv_make(b->data, b->len), &p, &used, &why), ==, CAP_HEP_OK);
			g_assert_cmpuint(p.version, ==, 2);
			g_assert_cmpuint(p.family, ==, fam);
			g_assert_cmpuint(p.sport, ==, 5060);
			g_assert_cmpuint(p.dport, ==, 5080);
			g_assert_true(p.has_ts);
			g_assert_cmpint(p.ts_ns, ==, INT64_C(1700000000654321000));
			g_assert_cmpuint(p.capture_id, ==, 7);
			g_assert_true(sv_eq_cstr(p.payload, sip_msg));
			cap_hep_flows *fl = cap_hep_flows_new();
			uint32_t len;
			g_autofree uint8_t *fr = build(&p, fl, &len);
			decoded d = decode_frame(fr, len);
			g_assert_cmpint(d.n, ==, 1);
			g_assert_cmpuint(d.len, ==, strlen(sip_msg));
			cap_hep_flows_free(fl);
		}
	}
	/* v1: no time header. */
	g_autoptr(GByteArray) b = hep2(4, false);
	b->data[0] = 1;
	g_byte_array_remove_range(b, 16, 12);
	cap_hep_packet p;
	size_t used;
	g_assert_cmpint(cap_hep_parse(sv_make(b->data, b->len), &p, &used, NULL), ==, CAP_HEP_OK);
	g_assert_cmpuint(p.version, ==, 1);
	g_assert_false(p.has_ts);
	g_assert_true(sv_eq_cstr(p.payload, sip_msg));
}

static cap_hep_rc parse_copy(const uint8_t *d, size_t len, cap_hep_packet *p)
{
	/* Exactly len bytes on the heap: any read past them trips ASan. */
	uint8_t *c = g_memdup2(d, len ? len : 1);
	size_t used = 0;
	const char *why = NULL;
	cap_hep_rc rc = cap_hep_parse(sv_make(c, len), p, &used, &why);
	if (rc == CAP_HEP_OK) {
		g_assert_cmpuint(used, <=, len);
		g_assert_cmpuint(used, >, 0);
		/* The payload lies within the bytes. */
		g_assert_true(p->payload.len == 0 ||
			      (p->payload.p >= c && p->payload.p + p->payload.len <= c + len));
		uint32_t fl = cap_hep_frame_len(p);
		if (fl) {
			uint8_t *buf = g_malloc(fl);
			cap_hep_flows *flows = cap_hep_flows_new();
			cap_hep_frame_build(p, flows, buf);
			cap_hep_flows_free(flows);
			g_free(buf);
		}
	} else {
		g_assert_nonnull(why);
	}
	g_free(c);
	return rc;
}

/* Every cut of valid packets: never a read out of bounds; a cut HEPv3
 * packet is never taken as whole. */
static void test_hostile_cuts(void)
{
	g_autoptr(GByteArray) v3 = hep3(&basic_v4);
	cap_hep_packet p;
	for (size_t n = 0; n < v3->len; n++)
		g_assert_cmpint(parse_copy(v3->data, n, &p), !=, CAP_HEP_OK);
	g_assert_cmpint(parse_copy(v3->data, v3->len, &p), ==, CAP_HEP_OK);
	for (int fam = 4; fam <= 6; fam += 2) {
		g_autoptr(GByteArray) v2 = hep2(fam, false);
		size_t hdr = 8 + (fam == 4 ? 8 : 32) + 10;
		for (size_t n = 0; n < v2->len; n++) {
			cap_hep_rc rc = parse_copy(v2->data, n, &p);
			if (n < hdr)
				g_assert_cmpint(rc, !=, CAP_HEP_OK);
		}
	}
}

static void test_hostile_lengths(void)
{
	cap_hep_packet p;
	g_autoptr(GByteArray) good = hep3(&basic_v4);
	/* Total length: too small, beyond the datagram. */
	for (unsigned total = 0; total < 6; total++) {
		g_autoptr(GByteArray) b = g_byte_array_new();
		g_byte_array_append(b, good->data, good->len);
		b->data[4] = 0;
		b->data[5] = (uint8_t)total;
		g_assert_cmpint(parse_copy(b->data, b->len, &p), ==, CAP_HEP_MALFORMED);
	}
	{
		g_autoptr(GByteArray) b = g_byte_array_new();
		g_byte_array_append(b, good->data, good->len);
		b->data[4] = 0xff;
		b->data[5] = 0xff;
		g_assert_cmpint(parse_copy(b->data, b->len, &p), ==, CAP_HEP_MALFORMED);
	}
	/* Each chunk's length field set to every small value and to large
	 * ones: a chunk shorter than its header, past the end, of the wrong
	 * size for its type. */
	size_t off = 6;
	while (off + 6 <= good->len) {
		uint16_t clen = (uint16_t)(good->data[off + 4] << 8 | good->data[off + 5]);
		uint16_t tries[] = { 0, 1, 5, 6, 7, 8, 9, 10, 11, 21, 22, 23, (uint16_t)(clen - 1), (uint16_t)(clen + 1),
				     0x7fff, 0xffff };
		for (size_t t = 0; t < G_N_ELEMENTS(tries); t++) {
			g_autoptr(GByteArray) b = g_byte_array_new();
			g_byte_array_append(b, good->data, good->len);
			b->data[off + 4] = (uint8_t)(tries[t] >> 8);
			b->data[off + 5] = (uint8_t)tries[t];
			parse_copy(b->data, b->len, &p);
		}
		off += clen;
	}
	/* Missing payload, missing addresses. */
	const uint8_t nopayload[] = { 'H', 'E', 'P', '3', 0, 16, 0, 0, 0, 3, 0, 10, 1, 2, 3, 4 };
	g_assert_cmpint(parse_copy(nopayload, sizeof(nopayload), &p), ==, CAP_HEP_MALFORMED);
	const uint8_t noaddr[] = { 'H', 'E', 'P', '3', 0, 14, 0, 0, 0, 15, 0, 8, 'h', 'i' };
	g_assert_cmpint(parse_copy(noaddr, sizeof(noaddr), &p), ==, CAP_HEP_MALFORMED);
	/* Not HEP at all. */
	g_assert_cmpint(parse_copy((const uint8_t *)"INVITE sip:x SIP/2.0\r\n", 22, &p), ==, CAP_HEP_NOT_HEP);
	g_assert_cmpint(parse_copy((const uint8_t *)"", 0, &p), ==, CAP_HEP_NOT_HEP);
	/* v2 with an unknown family, a header length too short. */
	g_autoptr(GByteArray) v2 = hep2(4, false);
	v2->data[2] = 99;
	g_assert_cmpint(parse_copy(v2->data, v2->len, &p), ==, CAP_HEP_MALFORMED);
	v2->data[2] = 2;
	v2->data[1] = 4;
	g_assert_cmpint(parse_copy(v2->data, v2->len, &p), ==, CAP_HEP_MALFORMED);
}

/* Random bytes and random mutations of valid packets. */
static void test_hostile_random(void)
{
	GRand *r = g_rand_new_with_seed(4475);
	g_autoptr(GByteArray) v3 = hep3(&basic_v4);
	g_autoptr(GByteArray) v2 = hep2(6, false);
	cap_hep_packet p;
	for (int i = 0; i < 20000; i++) {
		uint8_t buf[600];
		size_t len;
		if (i % 3 == 0) {
			len = (size_t)g_rand_int_range(r, 0, sizeof(buf));
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)g_rand_int(r);
			if (len >= 4 && i % 2)
				memcpy(buf, "HEP3", 4);
		} else {
			GByteArray *src = i % 3 == 1 ? v3 : v2;
			len = MIN(src->len, sizeof(buf));
			memcpy(buf, src->data, len);
			int flips = g_rand_int_range(r, 1, 6);
			for (int k = 0; k < flips; k++)
				buf[g_rand_int_range(r, 0, (gint32)len)] = (uint8_t)g_rand_int(r);
			if (g_rand_boolean(r))
				len = (size_t)g_rand_int_range(r, 0, (gint32)len + 1);
		}
		parse_copy(buf, len, &p);
	}
	g_rand_free(r);
}

/* ---- the listener -------------------------------------------------------- */

static cap_hep_listener *listen_any_port(char *spec, size_t size, uint16_t *port)
{
	for (int i = 0; i < 50; i++) {
		*port = (uint16_t)(30000 + g_random_int_range(0, 20000));
		g_snprintf(spec, size, "udp:127.0.0.1:%u", *port);
		cap_hep_listener *l = cap_hep_listen(spec, NULL);
		if (l)
			return l;
	}
	g_assert_not_reached();
	return NULL;
}

static void send_to(uint16_t port, const void *d, size_t len)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(sendto(fd, d, len, 0, (struct sockaddr *)&to, sizeof(to)), ==, (ssize_t)len);
	close(fd);
}

typedef struct {
	int n;
	int64_t ts;
	uint32_t len;
} got_frames;

static void on_frame(void *user, int64_t ts, sv frame)
{
	got_frames *g = user;
	g->n++;
	g->ts = ts;
	g->len = (uint32_t)frame.len;
}

static void test_listener(void)
{
	char spec[64];
	uint16_t port;
	cap_hep_listener *l = listen_any_port(spec, sizeof(spec), &port);
	g_assert_cmpstr(cap_hep_listener_name(l), ==, spec);
	g_autoptr(GByteArray) sip = hep3(&basic_v4);
	hep3_spec s = basic_v4;
	s.ptype = 5;
	g_autoptr(GByteArray) rtcp = hep3(&s);
	send_to(port, sip->data, sip->len);
	send_to(port, rtcp->data, rtcp->len);
	send_to(port, "garbage", 7);
	g_autoptr(GByteArray) v2 = hep2(4, false);
	send_to(port, v2->data, v2->len);
	got_frames g = { 0 };
	gint64 until = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
	const cap_hep_stats *st = cap_hep_listener_stats(l);
	while (st->datagrams < 4 && g_get_monotonic_time() < until) {
		g_assert_cmpint(cap_hep_listener_drain(l, 16, on_frame, &g), >=, 0);
		g_usleep(1000);
	}
	g_assert_cmpuint(st->datagrams, ==, 4);
	g_assert_cmpuint(st->packets, ==, 3);
	g_assert_cmpuint(st->sip, ==, 2);
	g_assert_cmpuint(st->other_types, ==, 1);
	g_assert_cmpuint(st->not_hep, ==, 1);
	g_assert_cmpint(g.n, ==, 2);
	g_assert_cmpint(g.ts, ==, INT64_C(1700000000654321000));
	cap_hep_listener_free(l);
}

static void test_listen_errors(void)
{
	g_autoptr(GError) err = NULL;
	g_assert_null(cap_hep_listen("tcp:127.0.0.1:9060", &err));
	g_assert_nonnull(strstr(err->message, "only UDP"));
	g_clear_error(&err);
	g_assert_null(cap_hep_listen("udp:127.0.0.1", &err));
	g_clear_error(&err);
	g_assert_null(cap_hep_listen("udp:127.0.0.1:99999", &err));
	g_clear_error(&err);
	g_assert_null(cap_hep_listen("udp:[::1:9060", &err));
	g_clear_error(&err);
	/* The same port twice: in use. */
	char spec[64];
	uint16_t port;
	cap_hep_listener *l = listen_any_port(spec, sizeof(spec), &port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)(port + 1)) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		char spec2[64];
		g_snprintf(spec2, sizeof(spec2), "udp:127.0.0.1:%u", port + 1);
		g_assert_null(cap_hep_listen(spec2, &err));
		g_assert_nonnull(strstr(err->message, "cannot listen for HEP on"));
		g_assert_null(strchr(err->message, '\n'));
		g_clear_error(&err);
	}
	close(fd);
	cap_hep_listener_free(l);
}

/* Through cap_live: the frame arrives on the main thread as raw IP, and
 * the BPF filter applies to HEP frames too. */
static void test_live_hep(void)
{
	char spec[64];
	uint16_t port;
	cap_hep_listener *probe = listen_any_port(spec, sizeof(spec), &port);
	cap_hep_listener_free(probe);
	char *specs[] = { spec, NULL };
	cap_live_config cfg = { .hep_listen = specs, .filter = "udp port 5060" };
	g_autoptr(GError) err = NULL;
	cap_live *l = cap_live_open(&cfg, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(cap_live_input_linktype(l, 0), ==, LINKTYPE_RAW);
	g_assert_true(cap_live_start(l, &err));
	g_autoptr(GByteArray) sip = hep3(&basic_v4);
	hep3_spec other = basic_v4;
	other.sport = 7000;
	other.dport = 7001;
	g_autoptr(GByteArray) filtered = hep3(&other);
	send_to(port, filtered->data, filtered->len);
	send_to(port, sip->data, sip->len);
	cap_frame f;
	g_assert_cmpint(cap_live_next(l, &f, 3000), ==, CAP_LIVE_FRAME);
	g_assert_cmpuint(f.linktype, ==, LINKTYPE_RAW);
	g_assert_cmpint(f.ts_ns, ==, INT64_C(1700000000123456000));
	g_assert_cmpuint(f.caplen, ==, 28 + strlen(sip_msg));
	decoded d = decode_frame(f.data.p, f.caplen);
	g_assert_cmpint(d.n, ==, 1);
	cap_live_stop(l);
	g_assert_cmpint(cap_live_next(l, &f, 3000), ==, CAP_LIVE_EOF);
	cap_live_stats st;
	cap_live_get_stats(l, -1, &st);
	g_assert_cmpuint(st.filtered, ==, 1);
	g_assert_cmpuint(st.hep_packets, ==, 2);
	cap_live_free(l);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hep/v3_ipv4_udp", test_v3_ipv4_udp);
	g_test_add_func("/hep/v3_ipv6_tcp_flow", test_v3_ipv6_tcp_flow);
	g_test_add_func("/hep/v3_sctp_and_other_proto", test_v3_sctp_and_other_proto);
	g_test_add_func("/hep/v3_variants", test_v3_variants);
	g_test_add_func("/hep/v2_v1", test_v2_v1);
	g_test_add_func("/hep/hostile_cuts", test_hostile_cuts);
	g_test_add_func("/hep/hostile_lengths", test_hostile_lengths);
	g_test_add_func("/hep/hostile_random", test_hostile_random);
	g_test_add_func("/hep/listener", test_listener);
	g_test_add_func("/hep/listen_errors", test_listen_errors);
	g_test_add_func("/hep/live", test_live_hep);
	return g_test_run();
}
