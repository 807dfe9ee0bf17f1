/*
 * test_decode.c — the decoder, from frames built byte by byte here: every
 * link type, tag, tunnel and transport it knows, fragment reassembly,
 * ICMP quotes, and frames cut at every length.
 */
#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

#include "base/arena.h"
#include "base/endpoint.h"
#include "capture/decode.h"
#include "capture/frame.h"
#include "capture/ipfrag.h"

/* ---- building frames --------------------------------------------------- */

typedef GByteArray buf;

static buf *b_new(void)
{
	return g_byte_array_new();
}

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

static void bzero_(buf *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b8(b, 0);
}

static buf *b_str(const char *s)
{
	buf *b = b_new();
	bmem(b, s, strlen(s));
	return b;
}

static buf *b_copy(const buf *src, size_t off, size_t len)
{
	buf *b = b_new();
	bmem(b, src->data + off, len);
	return b;
}

/* Append payload to header; the payload is consumed. */
static buf *wrap(buf *hdr, buf *payload)
{
	bmem(hdr, payload->data, payload->len);
	g_byte_array_unref(payload);
	return hdr;
}

static void baddr4(buf *b, const char *s)
{
	uint8_t a[4];
	g_assert_cmpint(inet_pton(AF_INET, s, a), ==, 1);
	bmem(b, a, 4);
}

static void baddr6(buf *b, const char *s)
{
	uint8_t a[16];
	g_assert_cmpint(inet_pton(AF_INET6, s, a), ==, 1);
	bmem(b, a, 16);
}

enum { ET_IPV4 = 0x0800, ET_IPV6 = 0x86DD, ET_ARP = 0x0806 };

static buf *eth(unsigned type, buf *pl)
{
	buf *h = b_new();
	const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10 };
	bmem(h, macs, 12);
	b16(h, type);
	return wrap(h, pl);
}

/* The 4 bytes after a VLAN TPID: TCI and the inner type. */
static buf *tag(unsigned vid, unsigned inner_type, buf *pl)
{
	buf *h = b_new();
	b16(h, vid);
	b16(h, inner_type);
	return wrap(h, pl);
}

static buf *ipv4_full(const char *src, const char *dst, unsigned proto, unsigned id,
		      unsigned frag, buf *pl)
{
	buf *h = b_new();
	b8(h, 0x45);
	b8(h, 0);
	b16(h, 20 + pl->len);
	b16(h, id);
	b16(h, frag);
	b8(h, 64);
	b8(h, proto);
	b16(h, 0);
	baddr4(h, src);
	baddr4(h, dst);
	return wrap(h, pl);
}

static buf *ipv4(const char *src, const char *dst, unsigned proto, buf *pl)
{
	return ipv4_full(src, dst, proto, 0x1234, 0, pl);
}

/* With 8 bytes of options (NOPs). */
static buf *ipv4_opts(const char *src, const char *dst, unsigned proto, buf *pl)
{
	buf *h = b_new();
	b8(h, 0x47);
	b8(h, 0);
	b16(h, 28 + pl->len);
	b16(h, 1);
	b16(h, 0x4000); /* DF */
	b8(h, 64);
	b8(h, proto);
	b16(h, 0);
	baddr4(h, src);
	baddr4(h, dst);
	for (int i = 0; i < 8; i++)
		b8(h, 1);
	return wrap(h, pl);
}

static buf *ipv6(const char *src, const char *dst, unsigned nh, buf *pl)
{
	buf *h = b_new();
	b32(h, 0x60000000);
	b16(h, pl->len);
	b8(h, nh);
	b8(h, 64);
	baddr6(h, src);
	baddr6(h, dst);
	return wrap(h, pl);
}

/* An 8-byte (or 16-byte) extension header of PadN options. */
static buf *ext6(unsigned nh, unsigned len8, buf *pl)
{
	buf *h = b_new();
	b8(h, nh);
	b8(h, len8);
	b8(h, 1); /* PadN */
	b8(h, 4 + len8 * 8);
	bzero_(h, 4 + len8 * 8);
	return wrap(h, pl);
}

static buf *frag6(unsigned nh, unsigned off, bool more, uint32_t id, buf *pl)
{
	buf *h = b_new();
	b8(h, nh);
	b8(h, 0);
	b16(h, off | (more ? 1 : 0));
	b32(h, id);
	return wrap(h, pl);
}

static buf *udp(unsigned sport, unsigned dport, buf *pl)
{
	buf *h = b_new();
	b16(h, sport);
	b16(h, dport);
	b16(h, 8 + pl->len);
	b16(h, 0);
	return wrap(h, pl);
}

static buf *tcp(unsigned sport, unsigned dport, uint32_t seq, unsigned flags,
		unsigned opt_words, buf *pl)
{
	buf *h = b_new();
	b16(h, sport);
	b16(h, dport);
	b32(h, seq);
	b32(h, 0);
	b8(h, (5 + opt_words) << 4);
	b8(h, flags);
	b16(h, 65535);
	b16(h, 0);
	b16(h, 0);
	for (unsigned i = 0; i < opt_words; i++) {
		if (i == 0) {
			b8(h, 2); /* MSS */
			b8(h, 4);
			b16(h, 1460);
		} else {
			b32(h, 0x01010101); /* NOPs */
		}
	}
	return wrap(h, pl);
}

static void sctp_chunk_data(buf *b, unsigned type, unsigned flags, unsigned sid,
			    uint32_t ppid, const char *data)
{
	size_t n = strlen(data);
	size_t hl = type == 64 ? 20 : 16;
	b8(b, type);
	b8(b, flags);
	b16(b, hl + n);
	b32(b, 1000);
	b16(b, sid);
	b16(b, 0);
	if (type == 64)
		b32(b, 7); /* MID */
	b32(b, ppid);
	bmem(b, data, n);
	bzero_(b, (4 - (hl + n) % 4) % 4);
}

static buf *sctp(unsigned sport, unsigned dport, buf *chunks)
{
	buf *h = b_new();
	b16(h, sport);
	b16(h, dport);
	b32(h, 0xCAFEBABE);
	b32(h, 0);
	return wrap(h, chunks);
}

static buf *gre(unsigned flags, unsigned proto, buf *pl)
{
	buf *h = b_new();
	b16(h, flags);
	b16(h, proto);
	if (flags & 0x8000)
		b32(h, 0); /* checksum + reserved */
	if (flags & 0x2000)
		b32(h, 0x11223344);
	if (flags & 0x1000)
		b32(h, 42);
	return wrap(h, pl);
}

static const char SIP_INVITE[] =
	"INVITE sip:bob@example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n"
	"Call-ID: a84b4c76e66710@pc33.example.com\r\n"
	"Content-Length: 0\r\n\r\n";

/* ---- running the decoder ----------------------------------------------- */

typedef struct got {
	uint64_t frame;
	char src[ENDPOINT_STRLEN], dst[ENDPOINT_STRLEN];
	uint8_t proto;
	GByteArray *data;
	uint32_t seq;
	uint8_t flags;
	uint32_t ppid;
	uint16_t stream;
	bool reassembled, quoted;
	uint8_t icmp_type, icmp_code;
	uint8_t depth;
} got;

typedef struct harness {
	arena mem;
	cap_decoder *d;
	GArray *got;
	GPtrArray *frames; /* frame bytes, alive for the whole test */
	uint64_t num;
	int64_t ts_ns;
} harness;

static void on_payload(void *user, const cap_payload *pl)
{
	harness *h = user;
	got g = { 0 };
	g.frame = pl->frame->num;
	endpoint_format(&pl->src, g.src, sizeof(g.src));
	endpoint_format(&pl->dst, g.dst, sizeof(g.dst));
	g.proto = pl->proto;
	g.data = g_byte_array_new();
	if (pl->data.len)
		g_byte_array_append(g.data, pl->data.p, (guint)pl->data.len);
	g.seq = pl->tcp_seq;
	g.flags = pl->tcp_flags;
	g.ppid = pl->sctp_ppid;
	g.stream = pl->sctp_stream;
	g.reassembled = pl->ip_reassembled;
	g.quoted = pl->icmp_quoted;
	g.icmp_type = pl->icmp_type;
	g.icmp_code = pl->icmp_code;
	g.depth = pl->tunnel_depth;
	g_array_append_val(h->got, g);
}

static void got_clear(gpointer p)
{
	got *g = p;
	g_byte_array_unref(g->data);
}

static void h_init(harness *h)
{
	memset(h, 0, sizeof(*h));
	arena_init(&h->mem, 0);
	h->d = cap_decoder_new(&h->mem, on_payload, h);
	h->got = g_array_new(FALSE, TRUE, sizeof(got));
	g_array_set_clear_func(h->got, got_clear);
	h->frames = g_ptr_array_new_with_free_func(g_free);
	h->ts_ns = INT64_C(1700000000) * 1000000000;
}

static void h_free(harness *h)
{
	cap_decoder_free(h->d);
	g_array_free(h->got, TRUE);
	g_ptr_array_free(h->frames, TRUE);
	arena_free(&h->mem);
}

/* Feed the first caplen bytes of b (the whole frame had b->len); b is
 * consumed.  The bytes live in a block of exactly caplen bytes so that any
 * read past them trips AddressSanitizer. */
static void h_feed_cut(harness *h, uint32_t linktype, buf *b, size_t caplen, size_t wirelen)
{
	uint8_t *bytes = caplen ? g_memdup2(b->data, caplen) : NULL;
	if (bytes)
		g_ptr_array_add(h->frames, bytes);
	cap_frame f = {
		.num = ++h->num,
		.ts_ns = h->ts_ns,
		.linktype = linktype,
		.caplen = (uint32_t)caplen,
		.wirelen = (uint32_t)wirelen,
		.record = h->num,
		.data = sv_make(bytes, caplen),
	};
	h->ts_ns += 1000000;
	cap_decoder_feed(h->d, &f);
	g_byte_array_unref(b);
}

static void h_feed(harness *h, uint32_t linktype, buf *b)
{
	h_feed_cut(h, linktype, b, b->len, b->len);
}

static const got *h_got(harness *h, guint i)
{
	g_assert_cmpuint(i, <, h->got->len);
	return &g_array_index(h->got, got, i);
}

static const cap_decode_stats *h_stats(harness *h)
{
	return cap_decoder_stats(h->d);
}

static void check_data(const got *g, const void *data, size_t len)
{
	g_assert_cmpuint(g->data->len, ==, len);
	g_assert_true(len == 0 || memcmp(g->data->data, data, len) == 0);
}

static void check(const got *g, const char *src, const char *dst, uint8_t proto, const char *data)
{
	g_assert_cmpstr(g->src, ==, src);
	g_assert_cmpstr(g->dst, ==, dst);
	g_assert_cmpuint(g->proto, ==, proto);
	check_data(g, data, strlen(data));
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

static buf *udp4_sip(void)
{
	return ipv4("192.0.2.1", "198.51.100.2", 17, udp(5060, 5080, b_str(SIP_INVITE)));
}

/* ---- link layers ------------------------------------------------------- */

static void test_ethernet_ipv4_udp(void)
{
	harness h;
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, udp4_sip()));

	/* A short datagram padded to the Ethernet minimum, plus an FCS-like
	 * trailer: trimmed to the IP total length. */
	buf *f = eth(ET_IPV4, ipv4("192.0.2.1", "198.51.100.2", 17, udp(1000, 2000, b_str("hi"))));
	bzero_(f, 60 - f->len + 4);
	h_feed(&h, LINKTYPE_ETHERNET, f);

	/* ARP: not IP. */
	buf *arp = b_new();
	bzero_(arp, 28);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_ARP, arp));

	/* IPv4 header with options. */
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4_opts("10.0.0.1", "10.0.0.2", 17, udp(5060, 5060, b_str("opt")))));

	g_assert_cmpuint(h.got->len, ==, 3);
	const got *g = h_got(&h, 0);
	check(g, "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(g->frame, ==, 1);
	g_assert_false(g->reassembled);
	g_assert_false(g->quoted);
	g_assert_cmpuint(g->depth, ==, 0);
	check(h_got(&h, 1), "192.0.2.1:1000", "198.51.100.2:2000", CAP_PROTO_UDP, "hi");
	check(h_got(&h, 2), "10.0.0.1:5060", "10.0.0.2:5060", CAP_PROTO_UDP, "opt");

	const cap_decode_stats *st = h_stats(&h);
	g_assert_cmpuint(st->frames, ==, 4);
	g_assert_cmpuint(st->payloads, ==, 3);
	g_assert_cmpuint(st->not_ip, ==, 1);
	g_assert_cmpuint(st->malformed, ==, 0);
	g_assert_cmpuint(st->truncated, ==, 0);
	h_free(&h);
}

static void test_vlan_qinq(void)
{
	harness h;
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, eth(0x8100, tag(100, ET_IPV4, udp4_sip())));
	h_feed(&h, LINKTYPE_ETHERNET, eth(0x88A8, tag(10, 0x8100, tag(20, ET_IPV4, udp4_sip()))));
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(0x9100, tag(1, 0x9100, tag(2, 0x8100, tag(3, ET_IPV6,
		   ipv6("2001:db8::1", "2001:db8::2", 17, udp(5060, 5060, b_str("v6"))))))));
	/* LLC/SNAP behind a VLAN tag: an 802.3 length, not IP. */
	buf *llc = b_new();
	bmem(llc, "\xAA\xAA\x03\x00\x00\x00\x08\x00", 8);
	h_feed(&h, LINKTYPE_ETHERNET, eth(0x8100, tag(5, 8, llc)));

	g_assert_cmpuint(h.got->len, ==, 3);
	check(h_got(&h, 0), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	check(h_got(&h, 1), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	check(h_got(&h, 2), "[2001:db8::1]:5060", "[2001:db8::2]:5060", CAP_PROTO_UDP, "v6");
	g_assert_cmpuint(h_stats(&h)->not_ip, ==, 1);
	h_free(&h);
}

static buf *sll(unsigned arphrd, unsigned proto, buf *pl)
{
	buf *h = b_new();
	b16(h, 0);      /* to us */
	b16(h, arphrd);
	b16(h, 6);
	bmem(h, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
	b16(h, proto);
	return wrap(h, pl);
}

static buf *sll2(unsigned arphrd, unsigned proto, buf *pl)
{
	buf *h = b_new();
	b16(h, proto);
	b16(h, 0);
	b32(h, 3);      /* ifindex */
	b16(h, arphrd);
	b8(h, 4);       /* outgoing */
	b8(h, 6);
	bmem(h, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
	return wrap(h, pl);
}

static void test_sll_sll2(void)
{
	harness h;
	h_init(&h);
	h_feed(&h, LINKTYPE_LINUX_SLL, sll(1, ET_IPV4, udp4_sip()));
	h_feed(&h, LINKTYPE_LINUX_SLL2,
	       sll2(1, ET_IPV6, ipv6("2001:db8::a", "2001:db8::b", 17, udp(5060, 5062, b_str("sll2")))));
	/* VLAN tag left in the data by the kernel. */
	h_feed(&h, LINKTYPE_LINUX_SLL, sll(1, 0x8100, tag(7, ET_IPV4, udp4_sip())));
	/* GRE device: protocol is a GRE protocol type. */
	h_feed(&h, LINKTYPE_LINUX_SLL, sll(778, ET_IPV4, udp4_sip()));
	/* netlink: not IP whatever the protocol field says. */
	buf *nl = b_new();
	bzero_(nl, 20);
	h_feed(&h, LINKTYPE_LINUX_SLL, sll(824, ET_IPV4, nl));
	/* 802.2 LLC pseudo-protocol. */
	buf *llc = b_new();
	bzero_(llc, 10);
	h_feed(&h, LINKTYPE_LINUX_SLL2, sll2(1, 0x0004, llc));

	g_assert_cmpuint(h.got->len, ==, 4);
	check(h_got(&h, 0), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	check(h_got(&h, 1), "[2001:db8::a]:5060", "[2001:db8::b]:5062", CAP_PROTO_UDP, "sll2");
	check(h_got(&h, 2), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	check(h_got(&h, 3), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_got(&h, 3)->depth, ==, 0);
	g_assert_cmpuint(h_stats(&h)->not_ip, ==, 2);
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 0);
	h_free(&h);
}

static void test_raw(void)
{
	harness h;
	h_init(&h);
	buf *v6 = ipv6("2001:db8::1", "2001:db8::2", 17, udp(5060, 5060, b_str("raw6")));
	buf *v6b = b_copy(v6, 0, v6->len);
	buf *v6c = b_copy(v6, 0, v6->len);
	h_feed(&h, LINKTYPE_RAW, udp4_sip());
	h_feed(&h, LINKTYPE_RAW, v6);
	h_feed(&h, LINKTYPE_IPV4, udp4_sip());
	h_feed(&h, LINKTYPE_IPV6, v6b);
	/* An IPv6 packet on an IPv4-only link type: malformed. */
	h_feed(&h, LINKTYPE_IPV4, v6c);
	/* Version 5 on a raw link. */
	buf *junk = b_new();
	b8(junk, 0x50);
	bzero_(junk, 30);
	h_feed(&h, LINKTYPE_RAW, junk);

	g_assert_cmpuint(h.got->len, ==, 4);
	check(h_got(&h, 0), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	check(h_got(&h, 1), "[2001:db8::1]:5060", "[2001:db8::2]:5060", CAP_PROTO_UDP, "raw6");
	check(h_got(&h, 2), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	check(h_got(&h, 3), "[2001:db8::1]:5060", "[2001:db8::2]:5060", CAP_PROTO_UDP, "raw6");
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 2);
	h_free(&h);
}

static buf *null_hdr(uint32_t af, bool little, buf *pl)
{
	buf *h = b_new();
	if (little) {
		b8(h, af);
		b8(h, af >> 8);
		b8(h, af >> 16);
		b8(h, af >> 24);
	} else {
		b32(h, af);
	}
	return wrap(h, pl);
}

static void test_null_loop(void)
{
	harness h;
	h_init(&h);
	buf *v6 = ipv6("::1", "::1", 17, udp(5060, 5060, b_str("lo6")));
	h_feed(&h, LINKTYPE_NULL, null_hdr(2, true, udp4_sip()));
	h_feed(&h, LINKTYPE_NULL, null_hdr(2, false, udp4_sip()));
	h_feed(&h, LINKTYPE_NULL, null_hdr(30, true, b_copy(v6, 0, v6->len)));
	h_feed(&h, LINKTYPE_NULL, null_hdr(28, false, b_copy(v6, 0, v6->len)));
	h_feed(&h, LINKTYPE_NULL, null_hdr(24, true, b_copy(v6, 0, v6->len)));
	h_feed(&h, LINKTYPE_LOOP, null_hdr(2, false, udp4_sip()));
	h_feed(&h, LINKTYPE_LOOP, null_hdr(24, false, v6));
	/* LOOP is network order only: little-endian 2 is not AF_INET. */
	h_feed(&h, LINKTYPE_LOOP, null_hdr(2, true, udp4_sip()));
	/* AF 7 (OSI): not IP. */
	buf *osi = b_new();
	bzero_(osi, 20);
	h_feed(&h, LINKTYPE_NULL, null_hdr(7, true, osi));

	g_assert_cmpuint(h.got->len, ==, 7);
	for (guint i = 0; i < 7; i++) {
		const got *g = h_got(&h, i);
		if (i == 2 || i == 3 || i == 4 || i == 6)
			check(g, "[::1]:5060", "[::1]:5060", CAP_PROTO_UDP, "lo6");
		else
			check(g, "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	}
	g_assert_cmpuint(h_stats(&h)->not_ip, ==, 2);
	h_free(&h);
}

static void test_ppp_links(void)
{
	harness h;
	h_init(&h);
	/* LINKTYPE_PPP with and without address/control, 2-byte protocol. */
	buf *p = b_new();
	bmem(p, "\xFF\x03\x00\x21", 4);
	h_feed(&h, 9, wrap(p, udp4_sip()));
	p = b_new();
	bmem(p, "\x00\x21", 2);
	h_feed(&h, 9, wrap(p, udp4_sip()));
	/* PPP_HDLC, Cisco framing: address 0x0F, control 0, ethertype. */
	p = b_new();
	bmem(p, "\x0F\x00\x08\x00", 4);
	h_feed(&h, 50, wrap(p, udp4_sip()));
	/* LCP: not IP. */
	p = b_new();
	bmem(p, "\xFF\x03\xC0\x21\x01\x01\x00\x04", 8);
	h_feed(&h, 50, p);
	/* An unknown link type, three times. */
	for (int i = 0; i < 3; i++)
		h_feed(&h, 147, udp4_sip());

	g_assert_cmpuint(h.got->len, ==, 3);
	for (guint i = 0; i < 3; i++)
		check(h_got(&h, i), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_stats(&h)->not_ip, ==, 1);
	g_assert_cmpuint(h_stats(&h)->unsupported, ==, 3);
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "unsupported link type 147 (3 frames, first frame 5)\n");
	g_free(n);
	h_free(&h);
}

/* ---- IP ---------------------------------------------------------------- */

static void test_ipv6_ext_headers(void)
{
	harness h;
	h_init(&h);
	/* hop-by-hop, routing, destination options, then UDP */
	buf *pl = udp(5060, 5070, b_str(SIP_INVITE));
	pl = ext6(17, 0, pl);   /* destination options -> UDP */
	pl = ext6(60, 1, pl);   /* routing (16 bytes) -> dest opts */
	pl = ext6(43, 0, pl);   /* hop-by-hop -> routing */
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV6, ipv6("2001:db8::1", "2001:db8::2", 0, pl)));
	/* AH (IPv6), then UDP */
	buf *ah = b_new();
	b8(ah, 17);
	b8(ah, 4);  /* (4 + 2) * 4 = 24 bytes */
	bzero_(ah, 22);
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV6, ipv6("2001:db8::1", "2001:db8::2", 51, wrap(ah, udp(1, 2, b_str("ah"))))));
	/* No next header; and ESP: nothing to hand on. */
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV6, ipv6("2001:db8::1", "2001:db8::2", 0, ext6(59, 0, b_new()))));
	buf *esp = b_new();
	bzero_(esp, 40);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV6, ipv6("2001:db8::1", "2001:db8::2", 50, esp)));
	/* An extension header claiming more than is there. */
	buf *bad = b_new();
	b8(bad, 17);
	b8(bad, 200);
	bzero_(bad, 6);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV6, ipv6("2001:db8::1", "2001:db8::2", 60, bad)));

	g_assert_cmpuint(h.got->len, ==, 2);
	check(h_got(&h, 0), "[2001:db8::1]:5060", "[2001:db8::2]:5070", CAP_PROTO_UDP, SIP_INVITE);
	check(h_got(&h, 1), "[2001:db8::1]:1", "[2001:db8::2]:2", CAP_PROTO_UDP, "ah");
	g_assert_cmpuint(h_stats(&h)->other_transport, ==, 1);
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 1);
	char *n = h_notices(&h);
	g_assert_nonnull(strstr(n, "1 IPsec ESP packet not decoded"));
	g_assert_nonnull(strstr(n, "1 malformed IPv6 extension header (first frame 5)"));
	g_free(n);
	h_free(&h);
}

/* A UDP datagram (header + SIP) of some size, and its IPv4 fragments. */
static buf *big_udp(size_t body_len)
{
	buf *body = b_new();
	bmem(body, SIP_INVITE, strlen(SIP_INVITE));
	for (size_t i = 0; body->len < body_len; i++)
		b8(body, 'a' + i % 26);
	return udp(5060, 5060, body);
}

static buf *frag4(const buf *dgram, size_t off, size_t len, bool more, unsigned id)
{
	return eth(ET_IPV4, ipv4_full("192.0.2.10", "192.0.2.20", 17, id,
				      (more ? 0x2000 : 0) | (unsigned)(off / 8),
				      b_copy(dgram, off, len)));
}

static void check_reassembled(harness *h, guint i, const buf *dgram, uint64_t frame)
{
	const got *g = h_got(h, i);
	g_assert_cmpstr(g->src, ==, "192.0.2.10:5060");
	g_assert_cmpstr(g->dst, ==, "192.0.2.20:5060");
	g_assert_true(g->reassembled);
	g_assert_cmpuint(g->frame, ==, frame);
	check_data(g, dgram->data + 8, dgram->len - 8);
}

static void test_ipv4_fragments(void)
{
	buf *dg = big_udp(3000); /* 3008 bytes: fragments of 1480 */
	harness h;

	/* in order */
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 1));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, 1480, true, 1));
	g_assert_cmpuint(h.got->len, ==, 0);
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 2960, dg->len - 2960, false, 1));
	g_assert_cmpuint(h.got->len, ==, 1);
	check_reassembled(&h, 0, dg, 3);
	g_assert_cmpuint(h_stats(&h)->fragments, ==, 3);
	g_assert_cmpuint(h_stats(&h)->reassembled, ==, 1);
	g_assert_cmpuint(h_stats(&h)->frag_incomplete, ==, 0);
	h_free(&h);

	/* reversed */
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 2960, dg->len - 2960, false, 2));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, 1480, true, 2));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 2));
	g_assert_cmpuint(h.got->len, ==, 1);
	check_reassembled(&h, 0, dg, 3);
	h_free(&h);

	/* duplicated, before and after completion: one datagram, no
	 * set left incomplete */
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 3));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 3));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 2960, dg->len - 2960, false, 3));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, 1480, true, 3));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, 1480, true, 3));
	g_assert_cmpuint(h.got->len, ==, 1);
	check_reassembled(&h, 0, dg, 4);
	g_assert_cmpuint(h_stats(&h)->frag_incomplete, ==, 0);
	h_free(&h);

	/* the whole datagram captured twice: handed on twice, like any
	 * duplicated packet; then the identification reused by another */
	h_init(&h);
	for (int rep = 0; rep < 2; rep++) {
		h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, 1480, true, 3));
		h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 3));
		h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 2960, dg->len - 2960, false, 3));
	}
	g_assert_cmpuint(h.got->len, ==, 2);
	check_reassembled(&h, 0, dg, 3);
	check_reassembled(&h, 1, dg, 6);
	{
		buf *other = b_copy(dg, 0, dg->len);
		memset(other->data + 8, 'Z', other->len - 8);
		h_feed(&h, LINKTYPE_ETHERNET, frag4(other, 0, 1480, true, 3));
		h_feed(&h, LINKTYPE_ETHERNET, frag4(other, 1480, other->len - 1480, false, 3));
		g_assert_cmpuint(h.got->len, ==, 3);
		check_reassembled(&h, 2, other, 8);
		g_byte_array_unref(other);
	}
	g_assert_cmpuint(h_stats(&h)->reassembled, ==, 3);
	g_assert_cmpuint(h_stats(&h)->frag_incomplete, ==, 0);
	h_free(&h);

	/* overlapping: the first copy of a byte wins */
	h_init(&h);
	buf *evil = b_copy(dg, 0, dg->len);
	memset(evil->data + 1000, 'X', 1000);
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 4));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(evil, 800, 1600, true, 4));  /* 800..2400 */
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 2400, dg->len - 2400, false, 4));
	g_assert_cmpuint(h.got->len, ==, 1);
	{
		/* expected: dg for [0,1480), evil for [1480,2400), dg after */
		buf *want = b_copy(dg, 0, dg->len);
		memcpy(want->data + 1480, evil->data + 1480, 2400 - 1480);
		check_reassembled(&h, 0, want, 3);
		g_byte_array_unref(want);
	}
	g_byte_array_unref(evil);
	h_free(&h);

	/* one missing: no payload, counted incomplete */
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 5));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 2960, dg->len - 2960, false, 5));
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, udp4_sip()));
	g_assert_cmpuint(h.got->len, ==, 1);
	g_assert_false(h_got(&h, 0)->reassembled);
	g_assert_cmpuint(h_stats(&h)->frag_incomplete, ==, 1);
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "1 IPv4 fragment set never completed (first frame 1)\n");
	g_free(n);
	h_free(&h);

	/* two interleaved datagrams; different ids do not mix */
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 6));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 7));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, dg->len - 1480, false, 7));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, dg->len - 1480, false, 6));
	g_assert_cmpuint(h.got->len, ==, 2);
	check_reassembled(&h, 0, dg, 3);
	check_reassembled(&h, 1, dg, 4);
	h_free(&h);

	/* impossible: offset + length beyond 65535; a conflicting end */
	h_init(&h);
	buf *zeros = b_new();
	bzero_(zeros, 65600);
	h_feed(&h, LINKTYPE_ETHERNET, frag4(zeros, 65528, 16, false, 8));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 9));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 2960, dg->len - 2960, false, 9));
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, 100, false, 9));
	g_assert_cmpuint(h.got->len, ==, 0);
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 2);
	char *n2 = h_notices(&h);
	g_assert_cmpstr(n2, ==, "2 malformed IPv4 fragment headers (first frame 1)\n"
				"1 IPv4 fragment set never completed (first frame 2)\n");
	g_free(n2);
	g_byte_array_unref(zeros);
	h_free(&h);

	g_byte_array_unref(dg);
}

static void test_ipv4_fragment_ageing(void)
{
	buf *dg = big_udp(2000);
	harness h;
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 1));
	h.ts_ns += INT64_C(61) * 1000000000;
	/* 61 s later the last piece no longer completes the old set. */
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, dg->len - 1480, false, 1));
	g_assert_cmpuint(h.got->len, ==, 0);
	g_assert_cmpuint(h_stats(&h)->frag_incomplete, ==, 2);

	/* More sets than the table holds: the oldest are evicted. */
	for (unsigned id = 100; id < 100 + 4096 + 10; id++)
		h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, id));
	/* every set so far: the aged one, the lone last piece, 4106 firsts */
	g_assert_cmpuint(h_stats(&h)->frag_incomplete, ==, 4096 + 10 + 2);
	/* The newest are still held and complete. */
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, dg->len - 1480, false, 100 + 4096 + 9));
	g_assert_cmpuint(h.got->len, ==, 1);
	check_reassembled(&h, 0, dg, h.num);
	g_assert_cmpuint(h_stats(&h)->frag_incomplete, ==, 4096 + 10 + 1);
	h_free(&h);

	/* Absurd timestamps (hostile files) age sets without overflow. */
	h_init(&h);
	h.ts_ns = INT64_MIN + 1;
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 1));
	h.ts_ns = INT64_MAX - 1000000;
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 0, 1480, true, 2));
	h.ts_ns = INT64_MIN + 1;
	h_feed(&h, LINKTYPE_ETHERNET, frag4(dg, 1480, dg->len - 1480, false, 2));
	g_assert_cmpuint(h.got->len, ==, 1);
	g_assert_cmpuint(h_stats(&h)->frag_incomplete, ==, 1);
	h_free(&h);
	g_byte_array_unref(dg);
}

static buf *frag6_frame(const buf *dgram, size_t off, size_t len, bool more, uint32_t id)
{
	/* hop-by-hop before the fragment header (unfragmentable part) */
	return eth(ET_IPV6, ipv6("2001:db8::10", "2001:db8::20", 0,
				 ext6(44, 0, frag6(17, (unsigned)off, more, id, b_copy(dgram, off, len)))));
}

static void test_ipv6_fragments(void)
{
	buf *dg = big_udp(2500);
	harness h;
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, frag6_frame(dg, 1232, 1232, true, 0xabcdef));
	h_feed(&h, LINKTYPE_ETHERNET, frag6_frame(dg, 2464, dg->len - 2464, false, 0xabcdef));
	h_feed(&h, LINKTYPE_ETHERNET, frag6_frame(dg, 0, 1232, true, 0xabcdef));
	g_assert_cmpuint(h.got->len, ==, 1);
	const got *g = h_got(&h, 0);
	g_assert_cmpstr(g->src, ==, "[2001:db8::10]:5060");
	g_assert_cmpstr(g->dst, ==, "[2001:db8::20]:5060");
	g_assert_true(g->reassembled);
	g_assert_cmpuint(g->frame, ==, 3);
	check_data(g, dg->data + 8, dg->len - 8);
	/* An atomic fragment (offset 0, M clear) is an ordinary packet. */
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV6, ipv6("2001:db8::10", "2001:db8::20", 44,
				 frag6(17, 0, false, 9, udp(1, 2, b_str("atomic"))))));
	g_assert_cmpuint(h.got->len, ==, 2);
	check(h_got(&h, 1), "[2001:db8::10]:1", "[2001:db8::20]:2", CAP_PROTO_UDP, "atomic");
	g_assert_false(h_got(&h, 1)->reassembled);
	/* A lone middle fragment never completes. */
	h_feed(&h, LINKTYPE_ETHERNET, frag6_frame(dg, 1232, 1232, true, 77));
	g_assert_cmpuint(h_stats(&h)->fragments, ==, 4);
	g_assert_cmpuint(h_stats(&h)->frag_incomplete, ==, 1);
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "1 IPv6 fragment set never completed (first frame 5)\n");
	g_free(n);
	h_free(&h);
	g_byte_array_unref(dg);
}

/* ---- tunnels ----------------------------------------------------------- */

static void test_ip_in_ip(void)
{
	harness h;
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 4, udp4_sip())));
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 41,
				 ipv6("2001:db8::1", "2001:db8::2", 17, udp(5060, 5060, b_str("6in4"))))));
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV6, ipv6("2001:db8::a", "2001:db8::b", 4, udp4_sip())));
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV6, ipv6("2001:db8::a", "2001:db8::b", 4,
				 ipv4("203.0.113.1", "203.0.113.2", 4, udp4_sip()))));
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV6, ipv6("2001:db8::a", "2001:db8::b", 41,
				 ipv6("2001:db8::1", "2001:db8::2", 17, udp(5060, 5060, b_str("6in6"))))));
	/* protocol 41 announcing IPv6, carrying IPv4: malformed */
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 41, udp4_sip())));
	g_assert_cmpuint(h.got->len, ==, 5);
	check(h_got(&h, 0), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_got(&h, 0)->depth, ==, 1);
	check(h_got(&h, 1), "[2001:db8::1]:5060", "[2001:db8::2]:5060", CAP_PROTO_UDP, "6in4");
	g_assert_cmpuint(h_got(&h, 1)->depth, ==, 1);
	check(h_got(&h, 2), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	check(h_got(&h, 3), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_got(&h, 3)->depth, ==, 2);
	check(h_got(&h, 4), "[2001:db8::1]:5060", "[2001:db8::2]:5060", CAP_PROTO_UDP, "6in6");
	g_assert_cmpuint(h_got(&h, 4)->depth, ==, 1);
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 1);
	h_free(&h);
}

static void test_gre(void)
{
	harness h;
	h_init(&h);
	/* key + sequence, carrying IPv4 */
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 47, gre(0x3000, 0x0800, udp4_sip()))));
	/* checksum, carrying IPv6 */
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 47,
				 gre(0x8000, 0x86DD, ipv6("2001:db8::1", "2001:db8::2", 17,
							  udp(5060, 5060, b_str("gre6")))))));
	/* transparent Ethernet bridging, with a VLAN tag inside */
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 47,
				 gre(0x2000, 0x6558, eth(0x8100, tag(3, ET_IPV4, udp4_sip()))))));
	/* enhanced GRE (PPTP) with seq and ack, carrying PPP */
	{
		buf *g = b_new();
		b16(g, 0x3081);
		b16(g, 0x880B);
		b16(g, 0);      /* payload length (not checked) */
		b16(g, 38992);  /* call id */
		b32(g, 106);
		b32(g, 140);
		bmem(g, "\xFF\x03\x00\x21", 4);
		h_feed(&h, LINKTYPE_ETHERNET,
		       eth(0x8100, tag(9, ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 47, wrap(g, udp4_sip())))));
	}
	/* an unknown GRE protocol, twice */
	for (int i = 0; i < 2; i++) {
		buf *x = b_new();
		bzero_(x, 8);
		h_feed(&h, LINKTYPE_ETHERNET,
		       eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 47, gre(0, 0x883E, x))));
	}
	g_assert_cmpuint(h.got->len, ==, 4);
	check(h_got(&h, 0), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_got(&h, 0)->depth, ==, 1);
	check(h_got(&h, 1), "[2001:db8::1]:5060", "[2001:db8::2]:5060", CAP_PROTO_UDP, "gre6");
	check(h_got(&h, 2), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_got(&h, 2)->depth, ==, 1);
	check(h_got(&h, 3), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_stats(&h)->unsupported, ==, 2);
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "unsupported GRE protocol 0x883e (2 packets, first frame 5)\n");
	g_free(n);
	h_free(&h);
}

static void test_erspan(void)
{
	harness h;
	h_init(&h);
	/* type II: GRE with sequence, 8-byte ERSPAN header (version 1) */
	{
		buf *e = b_new();
		b16(e, 0x1000 | 100);
		b16(e, 0x0001);
		b32(e, 5);
		h_feed(&h, LINKTYPE_ETHERNET,
		       eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 47,
					 gre(0x1000, 0x88BE, wrap(e, eth(ET_IPV4, udp4_sip()))))));
	}
	/* type III without and with the platform-specific sub-header */
	for (int o = 0; o < 2; o++) {
		buf *e = b_new();
		b16(e, 0x2000 | 100);
		b16(e, 0x0001);
		b32(e, 0x12345678); /* timestamp */
		b16(e, 0);          /* SGT */
		b16(e, o ? 0x0001 : 0x0000); /* P, FT 0 (Ethernet), HW, D, Gra, O */
		if (o) {
			b32(e, 0x0C000000);
			b32(e, 0x9abcdef0);
		}
		h_feed(&h, LINKTYPE_ETHERNET,
		       eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 47,
					 gre(0x1000, 0x22EB, wrap(e, eth(ET_IPV4, udp4_sip()))))));
	}
	/* type I: no sequence, no ERSPAN header */
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 47, gre(0, 0x88BE, eth(ET_IPV4, udp4_sip())))));

	g_assert_cmpuint(h.got->len, ==, 4);
	for (guint i = 0; i < 4; i++) {
		check(h_got(&h, i), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
		g_assert_cmpuint(h_got(&h, i)->depth, ==, 1);
	}
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 0);
	h_free(&h);
}

static buf *pppoe(unsigned ppp_proto, buf *pl)
{
	buf *h = b_new();
	b8(h, 0x11);
	b8(h, 0);
	b16(h, 0x0042);
	b16(h, pl->len + 2);
	b16(h, ppp_proto);
	return wrap(h, pl);
}

static void test_pppoe(void)
{
	harness h;
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, eth(0x8864, pppoe(0x0021, udp4_sip())));
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(0x8864, pppoe(0x0057, ipv6("2001:db8::1", "2001:db8::2", 17, udp(5060, 5060, b_str("ppp6"))))));
	/* QinQ + PPPoE + GRE + PPP, as in a real capture */
	{
		buf *g = b_new();
		b16(g, 0x3001);
		b16(g, 0x880B);
		b16(g, 0);
		b16(g, 7);
		b32(g, 1);
		bmem(g, "\xFF\x03\x00\x21", 4);
		h_feed(&h, LINKTYPE_ETHERNET,
		       eth(0x8100, tag(1, 0x8100, tag(2, 0x8864,
			   pppoe(0x0021, ipv4("203.0.113.1", "203.0.113.2", 47, wrap(g, udp4_sip())))))));
	}
	/* discovery stage: not IP */
	buf *padi = b_new();
	bmem(padi, "\x11\x09\x00\x00\x00\x04\x01\x01\x00\x00", 10);
	h_feed(&h, LINKTYPE_ETHERNET, eth(0x8863, padi));
	/* LCP inside a session: not IP */
	buf *lcp = b_new();
	bmem(lcp, "\x01\x01\x00\x04", 4);
	h_feed(&h, LINKTYPE_ETHERNET, eth(0x8864, pppoe(0xC021, lcp)));

	g_assert_cmpuint(h.got->len, ==, 3);
	check(h_got(&h, 0), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	check(h_got(&h, 1), "[2001:db8::1]:5060", "[2001:db8::2]:5060", CAP_PROTO_UDP, "ppp6");
	check(h_got(&h, 2), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_got(&h, 2)->depth, ==, 1);
	g_assert_cmpuint(h_stats(&h)->not_ip, ==, 2);
	h_free(&h);
}

static void test_gtpu(void)
{
	harness h;
	h_init(&h);
	/* T-PDU with sequence and one extension header (PDU session
	 * container, 4 bytes), carrying IPv6/TCP */
	buf *inner = ipv6("2001:db8:1::1", "2001:db8:2::2", 6,
			  tcp(49152, 5060, 1000, CAP_TCP_PSH | CAP_TCP_ACK, 0, b_str(SIP_INVITE)));
	buf *g = b_new();
	b8(g, 0x36);           /* version 1, PT, E, S */
	b8(g, 255);
	b16(g, 4 + 4 + inner->len);
	b32(g, 0xDEADBEEF);
	b16(g, 77);            /* sequence */
	b8(g, 0);              /* N-PDU */
	b8(g, 0x85);           /* next: PDU session container */
	b8(g, 1);              /* 1 x 4 bytes */
	b8(g, 0x10);
	b8(g, 0x09);
	b8(g, 0);              /* no further extension */
	h_feed(&h, LINKTYPE_LINUX_SLL,
	       sll(1, ET_IPV4, ipv4("10.1.1.1", "10.2.2.2", 17, udp(2152, 2152, wrap(g, inner)))));
	/* Plain T-PDU without optional fields, IPv4 inside, source port 2152 */
	g = b_new();
	b8(g, 0x30);
	b8(g, 255);
	buf *in4 = udp4_sip();
	b16(g, in4->len);
	b32(g, 1);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.1.1.1", "10.2.2.2", 17, udp(2152, 40000, wrap(g, in4)))));
	/* Echo request: GTP signalling, not a payload */
	g = b_new();
	bmem(g, "\x32\x01\x00\x04\x00\x00\x00\x00\x00\x01\x00\x00", 12);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.1.1.1", "10.2.2.2", 17, udp(2152, 2152, g))));
	/* Not GTP at all on port 2152: an ordinary UDP payload */
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("10.1.1.1", "10.2.2.2", 17, udp(2152, 5060, b_str(SIP_INVITE)))));

	g_assert_cmpuint(h.got->len, ==, 3);
	const got *t = h_got(&h, 0);
	check(t, "[2001:db8:1::1]:49152", "[2001:db8:2::2]:5060", CAP_PROTO_TCP, SIP_INVITE);
	g_assert_cmpuint(t->seq, ==, 1000);
	g_assert_cmpuint(t->flags, ==, CAP_TCP_PSH | CAP_TCP_ACK);
	g_assert_cmpuint(t->depth, ==, 1);
	check(h_got(&h, 1), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_got(&h, 1)->depth, ==, 1);
	check(h_got(&h, 2), "10.1.1.1:2152", "10.2.2.2:5060", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_got(&h, 2)->depth, ==, 0);
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 0);
	h_free(&h);
}

static void test_vxlan(void)
{
	harness h;
	h_init(&h);
	buf *v = b_new();
	bmem(v, "\x08\x00\x00\x00\x00\x01\x2c\x00", 8);
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("10.1.1.1", "10.2.2.2", 17, udp(51000, 4789, wrap(v, eth(ET_IPV4, udp4_sip()))))));
	g_assert_cmpuint(h.got->len, ==, 1);
	check(h_got(&h, 0), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_got(&h, 0)->depth, ==, 1);
	h_free(&h);
}

static void test_mpls(void)
{
	harness h;
	h_init(&h);
	buf *m = b_new();
	b32(m, (100u << 12) | 64);
	b32(m, (200u << 12) | 0x100 | 64);
	h_feed(&h, LINKTYPE_ETHERNET, eth(0x8847, wrap(m, udp4_sip())));
	/* an Ethernet pseudowire with a control word: not decoded */
	m = b_new();
	b32(m, (300u << 12) | 0x100 | 64);
	b32(m, 0);
	h_feed(&h, LINKTYPE_ETHERNET, eth(0x8847, wrap(m, eth(ET_IPV4, udp4_sip()))));
	g_assert_cmpuint(h.got->len, ==, 1);
	check(h_got(&h, 0), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_cmpuint(h_stats(&h)->unsupported, ==, 1);
	h_free(&h);
}

static buf *ipip_nest(int depth)
{
	buf *p = udp4_sip();
	for (int i = 0; i < depth; i++)
		p = ipv4("203.0.113.1", "203.0.113.2", 4, p);
	return p;
}

static void test_tunnel_depth_bound(void)
{
	harness h;
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipip_nest(8)));
	g_assert_cmpuint(h.got->len, ==, 1);
	g_assert_cmpuint(h_got(&h, 0)->depth, ==, 8);
	check(h_got(&h, 0), "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);

	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipip_nest(9)));
	g_assert_cmpuint(h.got->len, ==, 1);
	g_assert_cmpuint(h_stats(&h)->unsupported, ==, 1);

	/* GRE/Ethernet/GRE ... alternating, 40 deep */
	buf *p = udp4_sip();
	for (int i = 0; i < 40; i++)
		p = ipv4("203.0.113.1", "203.0.113.2", 47, gre(0, 0x6558, eth(ET_IPV4, p)));
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, p));
	g_assert_cmpuint(h.got->len, ==, 1);
	g_assert_cmpuint(h_stats(&h)->unsupported, ==, 2);
	char *n = h_notices(&h);
	g_assert_cmpstr(n, ==, "2 packets nested deeper than 8 tunnels, not decoded (first frame 2)\n");
	g_free(n);
	h_free(&h);
}

/* ---- transports -------------------------------------------------------- */

static void test_sctp(void)
{
	harness h;
	h_init(&h);
	buf *ch = b_new();
	sctp_chunk_data(ch, 0, 0x03, 1, 0, SIP_INVITE);
	/* a SACK between the two DATA chunks */
	b8(ch, 3);
	b8(ch, 0);
	b16(ch, 16);
	bzero_(ch, 12);
	sctp_chunk_data(ch, 0, 0x07, 2, 46, "SIP/2.0 100 Trying\r\n\r\n!");
	h_feed(&h, LINKTYPE_LINUX_SLL, sll(1, ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 132, sctp(5060, 5061, ch))));
	/* I-DATA, and a fragmented DATA chunk (B only) */
	ch = b_new();
	sctp_chunk_data(ch, 64, 0x03, 4, 99, "idata");
	sctp_chunk_data(ch, 0, 0x02, 1, 0, "first piece");
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 132, sctp(5060, 5061, ch))));
	/* a chunk length below 4 ends the packet */
	ch = b_new();
	sctp_chunk_data(ch, 0, 0x03, 1, 0, "ok");
	bmem(ch, "\x00\x03\x00\x02\x00\x00\x00\x00", 8);
	sctp_chunk_data(ch, 0, 0x03, 1, 0, "never");
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 132, sctp(5060, 5061, ch))));
	/* a chunk running past the packet */
	ch = b_new();
	bmem(ch, "\x00\x03\x01\x00\x00\x00\x00\x01", 8);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 132, sctp(5060, 5061, ch))));

	g_assert_cmpuint(h.got->len, ==, 4);
	const got *g = h_got(&h, 0);
	check(g, "10.0.0.1:5060", "10.0.0.2:5061", CAP_PROTO_SCTP, SIP_INVITE);
	g_assert_cmpuint(g->stream, ==, 1);
	g_assert_cmpuint(g->ppid, ==, 0);
	g = h_got(&h, 1);
	check(g, "10.0.0.1:5060", "10.0.0.2:5061", CAP_PROTO_SCTP, "SIP/2.0 100 Trying\r\n\r\n!");
	g_assert_cmpuint(g->stream, ==, 2);
	g_assert_cmpuint(g->ppid, ==, 46);
	g_assert_cmpuint(g->frame, ==, 1);
	g = h_got(&h, 2);
	check(g, "10.0.0.1:5060", "10.0.0.2:5061", CAP_PROTO_SCTP, "idata");
	g_assert_cmpuint(g->stream, ==, 4);
	g_assert_cmpuint(g->ppid, ==, 99);
	check(h_got(&h, 3), "10.0.0.1:5060", "10.0.0.2:5061", CAP_PROTO_SCTP, "ok");
	/* the lone first fragment waits for the rest (see test_sctp_reasm.c) */
	g_assert_cmpuint(h_stats(&h)->unsupported, ==, 0);
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 2);
	char *n = h_notices(&h);
	g_assert_nonnull(strstr(n, "1 fragmented SCTP DATA chunk not reassembled (first frame 2)\n"));
	g_assert_nonnull(strstr(n, "2 malformed SCTP headers (first frame 3)\n"));
	g_free(n);
	h_free(&h);
}

static void test_tcp(void)
{
	harness h;
	h_init(&h);
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 5060, 0x10000000, CAP_TCP_SYN, 3, b_new()))));
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 6,
				 tcp(40000, 5060, 0x10000001, CAP_TCP_ACK | CAP_TCP_PSH, 3, b_str(SIP_INVITE)))));
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 6,
				 tcp(40000, 5060, 0xFFFFFFFF, CAP_TCP_FIN | CAP_TCP_ACK | 0x80 /* CWR */, 0, b_new()))));
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV6, ipv6("2001:db8::1", "2001:db8::2", 6, tcp(5060, 40000, 7, CAP_TCP_RST, 0, b_new()))));
	/* data offset 4: malformed; data offset beyond the segment: malformed */
	buf *t = tcp(1, 2, 3, CAP_TCP_ACK, 0, b_new());
	t->data[12] = 0x40;
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 6, t)));
	t = tcp(1, 2, 3, CAP_TCP_ACK, 0, b_new());
	t->data[12] = 0xF0;
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 6, t)));

	g_assert_cmpuint(h.got->len, ==, 4);
	const got *g = h_got(&h, 0);
	check(g, "10.0.0.1:40000", "10.0.0.2:5060", CAP_PROTO_TCP, "");
	g_assert_cmpuint(g->seq, ==, 0x10000000);
	g_assert_cmpuint(g->flags, ==, CAP_TCP_SYN);
	g = h_got(&h, 1);
	check(g, "10.0.0.1:40000", "10.0.0.2:5060", CAP_PROTO_TCP, SIP_INVITE);
	g_assert_cmpuint(g->seq, ==, 0x10000001);
	g_assert_cmpuint(g->flags, ==, CAP_TCP_ACK | CAP_TCP_PSH);
	g = h_got(&h, 2);
	g_assert_cmpuint(g->seq, ==, 0xFFFFFFFF);
	g_assert_cmpuint(g->flags, ==, CAP_TCP_FIN | CAP_TCP_ACK);
	g = h_got(&h, 3);
	check(g, "[2001:db8::1]:5060", "[2001:db8::2]:40000", CAP_PROTO_TCP, "");
	g_assert_cmpuint(g->flags, ==, CAP_TCP_RST);
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 2);
	h_free(&h);
}

static void test_udp_lengths(void)
{
	harness h;
	h_init(&h);
	/* UDP length shorter than the bytes present: trimmed */
	buf *u = udp(1, 2, b_str("abcdefgh"));
	u->data[5] = 8 + 3;
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 17, u)));
	/* longer: what is there is handed on, the frame counted truncated */
	u = udp(1, 2, b_str("abcdefgh"));
	u->data[5] = 8 + 100;
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 17, u)));
	/* below 8: malformed */
	u = udp(1, 2, b_str("abcdefgh"));
	u->data[5] = 7;
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 17, u)));
	/* IPv6 jumbogram-style zero length: the IPv6 length holds */
	u = udp(1, 2, b_str("jumbo"));
	u->data[4] = u->data[5] = 0;
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV6, ipv6("2001:db8::1", "2001:db8::2", 17, u)));
	/* an IP total length beyond the frame: decode what is there */
	buf *ip = udp4_sip();
	ip->data[2] = 0x7F;
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ip));
	/* IPv4 total length 0 (segmentation offload): the captured bytes */
	ip = ipv4("10.0.0.1", "10.0.0.2", 17, udp(1, 2, b_str("tso")));
	ip->data[2] = ip->data[3] = 0;
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ip));
	/* other IP protocols: counted */
	buf *igmp = b_new();
	bzero_(igmp, 8);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.0.0.1", "224.0.0.1", 2, igmp)));

	g_assert_cmpuint(h.got->len, ==, 5);
	check(h_got(&h, 0), "10.0.0.1:1", "10.0.0.2:2", CAP_PROTO_UDP, "abc");
	check(h_got(&h, 1), "10.0.0.1:1", "10.0.0.2:2", CAP_PROTO_UDP, "abcdefgh");
	check(h_got(&h, 2), "[2001:db8::1]:1", "[2001:db8::2]:2", CAP_PROTO_UDP, "jumbo");
	g_assert_cmpuint(h_got(&h, 3)->data->len, ==, strlen(SIP_INVITE));
	check(h_got(&h, 4), "10.0.0.1:1", "10.0.0.2:2", CAP_PROTO_UDP, "tso");
	g_assert_cmpuint(h_stats(&h)->truncated, ==, 2);
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 1);
	g_assert_cmpuint(h_stats(&h)->other_transport, ==, 1);
	h_free(&h);
}

/* ---- ICMP -------------------------------------------------------------- */

static void test_icmp_quote(void)
{
	harness h;
	h_init(&h);
	/* port unreachable from 198.51.100.2 back to 192.0.2.1, quoting the
	 * whole SIP datagram */
	buf *icmp = b_new();
	b8(icmp, 3);
	b8(icmp, 3);
	b16(icmp, 0);
	b32(icmp, 0);
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("198.51.100.2", "192.0.2.1", 1, wrap(icmp, udp4_sip()))));
	/* quoting only the first 60 bytes of the datagram: UDP length runs
	 * past the quote, and that is normal */
	buf *orig = udp4_sip();
	icmp = b_new();
	b8(icmp, 3);
	b8(icmp, 3);
	b16(icmp, 0);
	b32(icmp, 0);
	bmem(icmp, orig->data, 60);
	g_byte_array_unref(orig);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("198.51.100.2", "192.0.2.1", 1, icmp)));
	/* ICMPv6 destination unreachable (type 1, code 4) quoting IPv6/UDP */
	icmp = b_new();
	b8(icmp, 1);
	b8(icmp, 4);
	b16(icmp, 0);
	b32(icmp, 0);
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV6, ipv6("2001:db8::2", "2001:db8::1", 58,
				 wrap(icmp, ipv6("2001:db8::1", "2001:db8::2", 17, udp(5060, 5060, b_str("q6")))))));
	/* echo request: nothing */
	icmp = b_new();
	bmem(icmp, "\x08\x00\x00\x00\x00\x01\x00\x01pingpong", 16);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 1, icmp)));
	/* quoted TCP with only 8 bytes (ports + sequence) */
	icmp = b_new();
	b8(icmp, 11);
	b8(icmp, 0);
	b16(icmp, 0);
	b32(icmp, 0);
	buf *qt = ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 5060, 1234, CAP_TCP_ACK, 0, b_str(SIP_INVITE)));
	bmem(icmp, qt->data, 28);
	g_byte_array_unref(qt);
	h_feed(&h, LINKTYPE_ETHERNET, eth(ET_IPV4, ipv4("10.9.9.9", "10.0.0.1", 1, icmp)));
	/* a quoted non-first fragment: nothing readable, and nothing held */
	icmp = b_new();
	b8(icmp, 3);
	b8(icmp, 4);
	b16(icmp, 0);
	b32(icmp, 1400);
	h_feed(&h, LINKTYPE_ETHERNET,
	       eth(ET_IPV4, ipv4("10.9.9.9", "10.0.0.1", 1,
				 wrap(icmp, ipv4_full("10.0.0.1", "10.0.0.2", 17, 5, 0x2000 | 100, b_str("middle"))))));

	g_assert_cmpuint(h.got->len, ==, 4);
	const got *g = h_got(&h, 0);
	check(g, "192.0.2.1:5060", "198.51.100.2:5080", CAP_PROTO_UDP, SIP_INVITE);
	g_assert_true(g->quoted);
	g_assert_cmpuint(g->icmp_type, ==, 3);
	g_assert_cmpuint(g->icmp_code, ==, 3);
	g = h_got(&h, 1);
	g_assert_true(g->quoted);
	g_assert_cmpstr(g->src, ==, "192.0.2.1:5060");
	check_data(g, SIP_INVITE, 60 - 28);
	g = h_got(&h, 2);
	check(g, "[2001:db8::1]:5060", "[2001:db8::2]:5060", CAP_PROTO_UDP, "q6");
	g_assert_true(g->quoted);
	g_assert_cmpuint(g->icmp_type, ==, 1);
	g_assert_cmpuint(g->icmp_code, ==, 4);
	g = h_got(&h, 3);
	check(g, "10.0.0.1:40000", "10.0.0.2:5060", CAP_PROTO_TCP, "");
	g_assert_true(g->quoted);
	g_assert_cmpuint(g->seq, ==, 1234);
	g_assert_cmpuint(g->icmp_type, ==, 11);
	const cap_decode_stats *st = h_stats(&h);
	g_assert_cmpuint(st->truncated, ==, 0);
	g_assert_cmpuint(st->malformed, ==, 0);
	g_assert_cmpuint(st->fragments, ==, 0);
	g_assert_cmpuint(st->frag_incomplete, ==, 0);
	h_free(&h);
}

/* ---- hostile input ----------------------------------------------------- */

static buf *nasty_frames(guint i, uint32_t *linktype)
{
	*linktype = LINKTYPE_ETHERNET;
	switch (i) {
	case 0:
		return eth(0x8100, tag(1, ET_IPV4, udp4_sip()));
	case 1: {
		/* GRE / ERSPAN III + sub-header / Ethernet / IPv6 / HBH / UDP */
		buf *e = b_new();
		b16(e, 0x2000);
		b16(e, 1);
		b32(e, 0);
		b16(e, 0);
		b16(e, 1);
		bzero_(e, 8);
		return eth(ET_IPV4, ipv4("203.0.113.1", "203.0.113.2", 47,
			   gre(0x3000, 0x22EB, wrap(e, eth(ET_IPV6, ipv6("2001:db8::1", "2001:db8::2", 0,
			   ext6(17, 0, udp(5060, 5060, b_str("deep")))))))));
	}
	case 2: {
		buf *g = b_new();
		b8(g, 0x34);
		b8(g, 255);
		buf *in = ipv6("2001:db8::1", "2001:db8::2", 6, tcp(1, 5060, 9, CAP_TCP_ACK, 2, b_str("gtp tcp")));
		b16(g, 8 + in->len);
		b32(g, 1);
		bmem(g, "\x00\x00\x00\x85\x01\x10\x09\x00", 8);
		*linktype = LINKTYPE_LINUX_SLL2;
		return sll2(1, ET_IPV4, ipv4("10.1.1.1", "10.2.2.2", 17, udp(2152, 2152, wrap(g, in))));
	}
	case 3: {
		buf *ch = b_new();
		sctp_chunk_data(ch, 0, 3, 1, 0, "one");
		sctp_chunk_data(ch, 0, 3, 2, 0, "two");
		*linktype = LINKTYPE_LINUX_SLL;
		return sll(1, ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 132, sctp(5060, 5060, ch)));
	}
	case 4: {
		buf *icmp = b_new();
		bmem(icmp, "\x03\x03\x00\x00\x00\x00\x00\x00", 8);
		*linktype = LINKTYPE_NULL;
		return null_hdr(2, true, ipv4("198.51.100.2", "192.0.2.1", 1, wrap(icmp, udp4_sip())));
	}
	case 5:
		return eth(0x8864, pppoe(0x0021, ipv4("203.0.113.1", "203.0.113.2", 41,
			   ipv6("2001:db8::1", "2001:db8::2", 6, tcp(1, 2, 3, CAP_TCP_SYN, 1, b_new())))));
	case 6: {
		buf *v = b_new();
		bmem(v, "\x08\x00\x00\x00\x00\x00\x01\x00", 8);
		return eth(ET_IPV4, ipv4("10.0.0.1", "10.0.0.2", 17, udp(1, 4789, wrap(v,
			   eth(ET_IPV4, ipv4("10.0.0.3", "10.0.0.4", 4, udp4_sip()))))));
	}
	case 7: {
		buf *dg = big_udp(100);
		/* a first fragment (reassembly would need the rest) */
		buf *f = eth(ET_IPV4, ipv4_full("10.0.0.1", "10.0.0.2", 17, 99, 0x2000, b_copy(dg, 0, 64)));
		g_byte_array_unref(dg);
		return f;
	}
	default:
		return NULL;
	}
}

static void test_truncated_everywhere(void)
{
	uint32_t lt;
	buf *b;
	for (guint i = 0; (b = nasty_frames(i, &lt)) != NULL; i++) {
		for (int snap = 0; snap < 2; snap++) {
			harness h;
			h_init(&h);
			for (size_t len = 0; len < b->len; len++) {
				const cap_decode_stats *st = h_stats(&h);
				uint64_t bad = st->truncated + st->malformed;
				buf *copy = b_copy(b, 0, b->len);
				/* snap: the frame was longer on the wire; else
				 * the frame itself is short (lying headers) */
				h_feed_cut(&h, lt, copy, len, snap ? b->len : len);
				g_assert_cmpuint(st->truncated + st->malformed, >, bad);
			}
			/* the whole frame decodes */
			guint before = h.got->len;
			h_feed(&h, lt, b_copy(b, 0, b->len));
			if (i != 7)
				g_assert_cmpuint(h.got->len, >, before);
			h_free(&h);
		}
		g_byte_array_unref(b);
	}
}

/* Random bytes after every link type must not crash or read out of
 * bounds (AddressSanitizer watches). */
static void test_random_bytes(void)
{
	harness h;
	h_init(&h);
	GRand *r = g_rand_new_with_seed(1234);
	const uint32_t lts[] = { 0, 1, 9, 12, 50, 51, 101, 104, 108, 113, 228, 229, 276 };
	for (int n = 0; n < 20000; n++) {
		buf *b = b_new();
		size_t len = (size_t)g_rand_int_range(r, 0, 200);
		/* bias towards plausible headers */
		uint32_t lt = lts[g_rand_int_range(r, 0, G_N_ELEMENTS(lts))];
		for (size_t i = 0; i < len; i++)
			b8(b, g_rand_int_range(r, 0, 256));
		if (lt == 1 && len > 14) {
			const unsigned types[] = { 0x0800, 0x86DD, 0x8100, 0x8864, 0x8847 };
			unsigned t = types[g_rand_int_range(r, 0, 5)];
			b->data[12] = t >> 8;
			b->data[13] = t & 0xFF;
			if (len > 24)
				b->data[14] = (t == 0x86DD) ? 0x60 : 0x45;
			if (len > 24 && t == 0x0800)
				b->data[14 + 9] = (uint8_t)((const unsigned[]){ 1, 4, 6, 17, 41, 47, 132 })[g_rand_int_range(r, 0, 7)];
		}
		h_feed_cut(&h, lt, b, len, len + (size_t)g_rand_int_range(r, 0, 2));
	}
	g_rand_free(r);
	g_assert_cmpuint(h_stats(&h)->frames, ==, 20000);
	h_free(&h);
}

/* Well-formed frames with a few bytes changed and a random cut. */
static void test_mutated_frames(void)
{
	GRand *r = g_rand_new_with_seed(42);
	uint32_t lt;
	buf *b;
	harness h;
	h_init(&h);
	for (guint i = 0; (b = nasty_frames(i, &lt)) != NULL; i++) {
		for (int n = 0; n < 3000; n++) {
			buf *m = b_copy(b, 0, b->len);
			int flips = g_rand_int_range(r, 1, 5);
			for (int k = 0; k < flips; k++)
				m->data[g_rand_int_range(r, 0, (gint32)m->len)] = (uint8_t)g_rand_int_range(r, 0, 256);
			size_t len = g_rand_boolean(r) ? m->len : (size_t)g_rand_int_range(r, 0, (gint32)m->len + 1);
			h_feed_cut(&h, lt, m, len, b->len);
		}
		g_byte_array_unref(b);
	}
	g_rand_free(r);
	h_free(&h);
}

/* Fragments in random order with random overlaps and conflicting copies:
 * the result must be "first copy of each byte wins", delivered when the
 * last byte arrives. */
typedef struct span {
	uint32_t a, e;
} span;

static void test_ipfrag_model(void)
{
	GRand *r = g_rand_new_with_seed(7);
	for (int round = 0; round < 300; round++) {
		arena mem;
		arena_init(&mem, 0);
		ipfrag_table *t = ipfrag_new(&mem);
		uint32_t total = (uint32_t)g_rand_int_range(r, 1, 6000);
		GPtrArray *keep = g_ptr_array_new_with_free_func(g_free);
		/* pieces: a cover of [0,total) plus random extras */
		GArray *offs = g_array_new(FALSE, FALSE, sizeof(span));
		for (uint32_t a = 0; a < total;) {
			uint32_t len = 8 * (uint32_t)g_rand_int_range(r, 1, 200);
			uint32_t e = a + len > total ? total : a + len;
			span pr = { a, e };
			g_array_append_val(offs, pr);
			a = e;
		}
		int extras = g_rand_int_range(r, 0, 10);
		for (int k = 0; k < extras; k++) {
			uint32_t a = 8 * (uint32_t)g_rand_int_range(r, 0, (gint32)(total + 7) / 8);
			if (a >= total)
				a = 0;
			uint32_t e = a + 8 * (uint32_t)g_rand_int_range(r, 1, 100);
			if (e > total)
				e = total;
			span pr = { a, e };
			g_array_append_val(offs, pr);
		}
		for (guint k = offs->len; k > 1; k--) {
			guint j = (guint)g_rand_int_range(r, 0, (gint32)k);
			span tmp = g_array_index(offs, span, k - 1);
			g_array_index(offs, span, k - 1) = g_array_index(offs, span, j);
			g_array_index(offs, span, j) = tmp;
		}
		uint8_t *want = g_malloc0(total);
		uint8_t *have = g_malloc0(total);
		uint32_t have_n = 0;
		bool last_seen = false, done = false;
		ipfrag_key key = { .input = 0, .id = 1, .family = 4, .proto = 17 };
		for (guint k = 0; k < offs->len && !done; k++) {
			uint32_t a = g_array_index(offs, span, k).a;
			uint32_t e = g_array_index(offs, span, k).e;
			uint8_t *bytes = g_malloc(e - a + 1);
			g_ptr_array_add(keep, bytes);
			uint8_t fill = (uint8_t)k;
			for (uint32_t x = a; x < e; x++) {
				bytes[x - a] = (uint8_t)(fill + x);
				if (!have[x]) {
					have[x] = 1;
					want[x] = bytes[x - a];
					have_n++;
				}
			}
			if (e == total)
				last_seen = true;
			sv out;
			ipfrag_result res = ipfrag_add(t, &key, a, e < total, sv_make(bytes, e - a), k + 1, 0, &out);
			if (last_seen && have_n == total) {
				g_assert_cmpint(res, ==, IPFRAG_COMPLETE);
				g_assert_cmpuint(out.len, ==, total);
				g_assert_true(memcmp(out.p, want, total) == 0);
				done = true;
			} else {
				g_assert_cmpint(res, ==, IPFRAG_HELD);
			}
		}
		g_assert_true(done);
		g_assert_cmpuint(ipfrag_incomplete_total(t), ==, 0);
		g_free(want);
		g_free(have);
		g_array_free(offs, TRUE);
		g_ptr_array_free(keep, TRUE);
		ipfrag_free(t);
		arena_free(&mem);
	}
	g_rand_free(r);
}

/* Hostile piece counts: a set of too many pieces is dropped, and many sets
 * of many pieces make room by evicting the oldest, not by refusing new
 * datagrams. */
static void test_ipfrag_piece_bounds(void)
{
	arena mem;
	arena_init(&mem, 0);
	ipfrag_table *t = ipfrag_new(&mem);
	static uint8_t bytes[65536];
	sv out;
	ipfrag_key k = { .family = 4, .proto = 17 };
	/* every other 8-byte block: pieces never merge */
	k.id = 1;
	ipfrag_result res = IPFRAG_HELD;
	for (uint32_t off = 0; off < 65528 && res == IPFRAG_HELD; off += 16)
		res = ipfrag_add(t, &k, off, true, sv_make(bytes, 8), 1, 0, &out);
	g_assert_cmpint(res, ==, IPFRAG_BAD);
	g_assert_cmpuint(ipfrag_incomplete_total(t), ==, 1);
	for (uint32_t id = 2; id < 2 + 100; id++) {
		k.id = id;
		for (uint32_t off = 0; off < 1000 * 16; off += 16)
			g_assert_cmpint(ipfrag_add(t, &k, off, true, sv_make(bytes, 8), id, 0, &out), ==, IPFRAG_HELD);
	}
	g_assert_cmpuint(ipfrag_incomplete_total(t), ==, 101);
	k.id = 5000;
	g_assert_cmpint(ipfrag_add(t, &k, 8, false, sv_make(bytes, 8), 9, 0, &out), ==, IPFRAG_HELD);
	g_assert_cmpint(ipfrag_add(t, &k, 0, true, sv_make(bytes, 8), 9, 0, &out), ==, IPFRAG_COMPLETE);
	g_assert_cmpuint(out.len, ==, 16);
	ipfrag_free(t);
	arena_free(&mem);
}

/* ---- classifying live frames -------------------------------------------- */

typedef struct want_log {
	unsigned calls;
	bool answer;
} want_log;

static bool want_logged(void *user, const cap_payload *pl)
{
	want_log *w = user;
	w->calls++;
	g_assert_nonnull(pl->frame);
	return w->answer;
}

static bool h_classify(harness *h, buf *b, want_log *w)
{
	cap_frame f = {
		.num = h->num + 1,
		.ts_ns = h->ts_ns,
		.linktype = LINKTYPE_ETHERNET,
		.caplen = b->len,
		.wirelen = b->len,
		.data = sv_make(b->data, b->len),
	};
	return cap_decoder_classify(h->d, &f, want_logged, w);
}

/* Classifying decodes like feeding but changes nothing: the payload goes
 * to the question, not the callback; fragments and SCTP chunks are wanted
 * without asking (reassembly would hold them); counters, notes and
 * reassembly state are as if the frame had not been seen, so feeding it
 * afterwards gives exactly what feeding alone gives. */
static void test_classify(void)
{
	harness h;
	h_init(&h);
	buf *sip = eth(ET_IPV4, udp4_sip());
	want_log yes = { 0, true }, no = { 0, false };
	g_assert_true(h_classify(&h, sip, &yes));
	g_assert_false(h_classify(&h, sip, &no));
	g_assert_cmpuint(yes.calls, ==, 1);
	g_assert_cmpuint(no.calls, ==, 1);
	g_assert_cmpuint(h.got->len, ==, 0);
	g_assert_cmpuint(h_stats(&h)->frames, ==, 0);
	g_assert_cmpuint(h_stats(&h)->payloads, ==, 0);

	/* not IP, and a malformed header: nothing asked, nothing counted */
	buf *arp = eth(0x0806, b_str("not an IP packet at all"));
	want_log any = { 0, true };
	g_assert_false(h_classify(&h, arp, &any));
	buf *bad = eth(ET_IPV4, b_str("\x45\x00\x00"));
	g_assert_false(h_classify(&h, bad, &any));
	g_assert_cmpuint(any.calls, ==, 0);
	g_assert_cmpuint(h_stats(&h)->not_ip, ==, 0);
	g_assert_cmpuint(h_stats(&h)->malformed, ==, 0);

	/* fragments: wanted whatever the answer, and not taken into a set */
	buf *dg = big_udp(3000);
	buf *f1 = frag4(dg, 0, 1480, true, 7), *f2 = frag4(dg, 1480, 1480, true, 7),
	    *f3 = frag4(dg, 2960, dg->len - 2960, false, 7);
	g_assert_true(h_classify(&h, f1, &no));
	g_assert_true(h_classify(&h, f2, &no));
	g_assert_true(h_classify(&h, f3, &no));
	g_assert_cmpuint(h_stats(&h)->fragments, ==, 0);
	g_assert_cmpuint(h_stats(&h)->frag_incomplete, ==, 0);
	/* fed now, they reassemble exactly once */
	h_feed(&h, LINKTYPE_ETHERNET, f1);
	h_feed(&h, LINKTYPE_ETHERNET, f2);
	g_assert_cmpuint(h.got->len, ==, 0);
	h_feed(&h, LINKTYPE_ETHERNET, f3);
	g_assert_cmpuint(h.got->len, ==, 1);
	check_reassembled(&h, 0, dg, h.num);
	g_assert_cmpuint(h_stats(&h)->fragments, ==, 3);
	g_assert_cmpuint(h_stats(&h)->reassembled, ==, 1);

	/* the SIP frame fed after being classified twice: one payload */
	h_feed(&h, LINKTYPE_ETHERNET, sip);
	g_assert_cmpuint(h.got->len, ==, 2);
	g_assert_cmpuint(h_stats(&h)->payloads, ==, 2);
	g_byte_array_unref(arp);
	g_byte_array_unref(bad);
	g_byte_array_unref(dg);
	h_free(&h);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/decode/ethernet_ipv4_udp", test_ethernet_ipv4_udp);
	g_test_add_func("/decode/vlan_qinq", test_vlan_qinq);
	g_test_add_func("/decode/sll_sll2", test_sll_sll2);
	g_test_add_func("/decode/raw", test_raw);
	g_test_add_func("/decode/null_loop", test_null_loop);
	g_test_add_func("/decode/ppp_links", test_ppp_links);
	g_test_add_func("/decode/ipv6_ext_headers", test_ipv6_ext_headers);
	g_test_add_func("/decode/ipv4_fragments", test_ipv4_fragments);
	g_test_add_func("/decode/ipv4_fragment_ageing", test_ipv4_fragment_ageing);
	g_test_add_func("/decode/ipv6_fragments", test_ipv6_fragments);
	g_test_add_func("/decode/ip_in_ip", test_ip_in_ip);
	g_test_add_func("/decode/gre", test_gre);
	g_test_add_func("/decode/erspan", test_erspan);
	g_test_add_func("/decode/pppoe", test_pppoe);
	g_test_add_func("/decode/gtpu", test_gtpu);
	g_test_add_func("/decode/vxlan", test_vxlan);
	g_test_add_func("/decode/mpls", test_mpls);
	g_test_add_func("/decode/tunnel_depth_bound", test_tunnel_depth_bound);
	g_test_add_func("/decode/sctp", test_sctp);
	g_test_add_func("/decode/tcp", test_tcp);
	g_test_add_func("/decode/udp_lengths", test_udp_lengths);
	g_test_add_func("/decode/icmp_quote", test_icmp_quote);
	g_test_add_func("/decode/truncated_everywhere", test_truncated_everywhere);
	g_test_add_func("/decode/random_bytes", test_random_bytes);
	g_test_add_func("/decode/mutated_frames", test_mutated_frames);
	g_test_add_func("/decode/ipfrag_model", test_ipfrag_model);
	g_test_add_func("/decode/ipfrag_piece_bounds", test_ipfrag_piece_bounds);
	g_test_add_func("/decode/classify", test_classify);
	return g_test_run();
}
