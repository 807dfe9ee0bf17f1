/*
 * fuzz_hep.c — libFuzzer harness: HEP datagrams (capture/hep.h) as the
 * --hep-listen input receives them, then the frames built from them
 * through the pipeline: decoder → SIP framer → parser.
 *
 * Input: one UDP datagram (HEPv3 packets, possibly several in a row, or a
 * HEPv1/v2 packet).  It is sent over the loopback interface to a listener
 * (cap_hep_listen on 127.0.0.1, a fresh one per input so TCP sequence
 * numbers do not depend on earlier inputs) and read back with
 * cap_hep_listener_drain, the listener's own code path.
 *
 * The same datagram is walked with cap_hep_parse alongside, as the
 * listener does, to know what it must hand on.  Checks:
 *  - every parsed packet: payload inside the datagram, family 4 or 6, a
 *    length used within what is left, v1/v2 taking the whole datagram;
 *  - the listener's counters agree with the walk, and so does the number
 *    of frames;
 *  - each frame: the length cap_hep_frame_len gives, the HEP timestamp
 *    (or the arrival time when the packet has none), an IP header of the
 *    packet's family with its addresses, an IPv4 header checksum and a
 *    UDP/TCP checksum that verify, the ports, and the payload's bytes;
 *  - the decoder hands each frame's payload on once, unchanged, between
 *    the packet's endpoints; every SIP message the framer cuts comes from
 *    one of those frames with its timestamp and endpoints, and is parsed.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime, when compiled outside the build */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/arena.h"
#include "capture/decode.h"
#include "capture/frame.h"
#include "capture/hep.h"
#include "capture/sipframe.h"
#include "dissect/sip.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The largest UDP payload over IPv4. */
enum { DGRAM_MAX = 65507, FRAME_BUF_MAX = 65536 + 128 };

typedef struct expect {
	cap_hep_packet p;
	uint32_t len;
} expect;

typedef struct walk {
	uint64_t packets, sip, other_types, compressed, not_hep, malformed, too_large;
	GArray *frames; /* expect */
} walk;

typedef struct run {
	const walk *w;
	int64_t before, after; /* wall clock around the drain */
	guint got;             /* frames handed on so far */
	GPtrArray *bufs;       /* frame bytes: the framer keeps views until the flush */
	cap_frame *frames;
	cap_decoder *dec;
	cap_sipframer *framer;
	sip_msg *parsed;
	guint payloads_now;    /* payloads of the frame being decoded */
	uint64_t messages;
} run;

static int64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* What the listener must do with the datagram, found the way it walks it. */
static void walk_datagram(sv dgram, walk *w)
{
	sv d = dgram;
	bool first = true;
	while (d.len > 0) {
		cap_hep_packet p;
		size_t used = 0;
		const char *why = NULL;
		cap_hep_rc rc = cap_hep_parse(d, &p, &used, &why);
		if (rc == CAP_HEP_NOT_HEP) {
			if (first)
				w->not_hep++;
			else
				w->malformed++;
			return;
		}
		if (rc != CAP_HEP_OK) {
			if (rc != CAP_HEP_MALFORMED || !why)
				fuzz_fail("parse: rc %d without a reason", rc);
			fuzz_check_ascii(why, strlen(why), "parse reason");
			w->malformed++;
			return;
		}
		if (used > d.len)
			fuzz_fail("packet uses %zu bytes of %zu", used, d.len);
		if (p.version < 1 || p.version > 3 || (p.family != 4 && p.family != 6))
			fuzz_fail("version %u family %u", p.version, p.family);
		if (p.version != 3 && used != d.len)
			fuzz_fail("HEPv%u packet uses %zu bytes of %zu", p.version, used, d.len);
		fuzz_check_within(p.payload, sv_head(d, used), "HEP payload");
		if (p.family == 4)
			for (int i = 4; i < 16; i++)
				if (p.src[i] || p.dst[i])
					fuzz_fail("IPv4 address with bytes past 4");
		if (p.version == 1 && p.has_ts)
			fuzz_fail("HEPv1 packet with a timestamp");
		first = false;
		w->packets++;
		d = sv_skip(d, used ? used : d.len);
		if (p.compressed) {
			w->compressed++;
			continue;
		}
		if (p.payload_type != CAP_HEP_PAYLOAD_SIP) {
			w->other_types++;
			continue;
		}
		uint32_t len = cap_hep_frame_len(&p);
		if (len == 0 || len > FRAME_BUF_MAX) {
			w->too_large++;
			continue;
		}
		w->sip++;
		expect e = { .p = p, .len = len };
		g_array_append_val(w->frames, e);
	}
}

static uint16_t be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t sum16(uint32_t acc, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		acc += (uint32_t)b[n - 1] << 8;
	return acc;
}

static bool sum_ok(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return acc == 0xffff;
}

static uint8_t frame_proto(const cap_hep_packet *p)
{
	return (p->ip_proto == 6 || p->ip_proto == 132) ? p->ip_proto : 17;
}

/* The frame's headers say what the packet said. */
static void check_frame(const expect *e, sv f)
{
	const cap_hep_packet *p = &e->p;
	if (f.len != e->len)
		fuzz_fail("frame of %zu bytes, cap_hep_frame_len says %u", f.len, e->len);
	uint8_t proto = frame_proto(p);
	size_t alen = p->family == 4 ? 4 : 16, iph = p->family == 4 ? 20 : 40;
	const uint8_t *ip = f.p, *src = ip + (p->family == 4 ? 12 : 8), *dst = src + alen;
	if (f.len < iph + 8)
		fuzz_fail("frame of %zu bytes", f.len);
	if (p->family == 4) {
		if (ip[0] != 0x45 || be16(ip + 2) != f.len || ip[9] != proto)
			fuzz_fail("IPv4 header: %02x, length %u of %zu, protocol %u", ip[0],
				  be16(ip + 2), f.len, ip[9]);
		if (!sum_ok(sum16(0, ip, 20)))
			fuzz_fail("IPv4 header checksum");
	} else {
		if ((ip[0] >> 4) != 6 || be16(ip + 4) != f.len - 40 || ip[6] != proto)
			fuzz_fail("IPv6 header: %02x, payload length %u of %zu, next header %u", ip[0],
				  be16(ip + 4), f.len, ip[6]);
	}
	if (memcmp(src, p->src, alen) != 0 || memcmp(dst, p->dst, alen) != 0)
		fuzz_fail("frame addresses differ from the packet's");
	const uint8_t *l4 = ip + iph;
	size_t l4len = f.len - iph;
	if (be16(l4) != p->sport || be16(l4 + 2) != p->dport)
		fuzz_fail("ports %u > %u, packet %u > %u", be16(l4), be16(l4 + 2), p->sport, p->dport);
	size_t l4h = proto == 6 ? 20 : proto == 132 ? 28 : 8;
	if (l4len < l4h + p->payload.len ||
	    (p->payload.len && memcmp(l4 + l4h, p->payload.p, p->payload.len) != 0))
		fuzz_fail("payload bytes differ from the packet's");
	if (proto != 132) {
		uint32_t acc = sum16(0, src, alen);
		acc = sum16(acc, dst, alen);
		acc += proto;
		acc += (uint32_t)(l4len & 0xffff) + (uint32_t)(l4len >> 16);
		acc = sum16(acc, l4, l4len);
		if (!sum_ok(acc))
			fuzz_fail("%s checksum", proto == 6 ? "TCP" : "UDP");
	}
}

static bool endpoint_is(const endpoint *ep, const cap_hep_packet *p, const uint8_t *addr,
			uint16_t port)
{
	return ep->family == p->family && ep->port == port &&
	       memcmp(ep->addr, addr, p->family == 4 ? 4 : 16) == 0;
}

static void on_sipmsg(void *user, const cap_sipmsg *m)
{
	run *r = user;
	fuzz_touch(m->data);
	if (!m->frame || m->frame->num < 1 || m->frame->num > r->got)
		fuzz_fail("message from frame %" G_GUINT64_FORMAT " of %u",
			  m->frame ? m->frame->num : 0, r->got);
	if (m->first_frame > m->frame->num)
		fuzz_fail("message starts in frame %" G_GUINT64_FORMAT " after its end in %" G_GUINT64_FORMAT,
			  m->first_frame, m->frame->num);
	const expect *e = &g_array_index(r->w->frames, expect, m->frame->num - 1);
	const cap_frame *fr = &r->frames[m->frame->num - 1];
	/* The framer may hand a copy of the frame (a message ended by the
	 * flush): the same frame all the same. */
	if (m->frame->ts_ns != fr->ts_ns || m->frame->data.p != fr->data.p ||
	    m->frame->data.len != fr->data.len)
		fuzz_fail("message of frame %" G_GUINT64_FORMAT " with another frame's time or bytes",
			  m->frame->num);
	bool fwd = endpoint_is(&m->src, &e->p, e->p.src, e->p.sport) &&
		   endpoint_is(&m->dst, &e->p, e->p.dst, e->p.dport);
	if (!fwd && !(m->flags & CAP_SIPMSG_ICMP_QUOTED))
		fuzz_fail("message endpoints differ from its frame's packet");
	if (m->transport < SIP_TRANSPORT_UDP || m->transport > SIP_TRANSPORT_WS)
		fuzz_fail("transport %u", m->transport);
	if ((m->transport == SIP_TRANSPORT_UDP) != (frame_proto(&e->p) == 17))
		fuzz_fail("transport %u for IP protocol %u", m->transport, frame_proto(&e->p));
	sip_parse_message(m->data, m->transport != SIP_TRANSPORT_UDP, r->parsed);
	fuzz_touch(r->parsed->start_line);
	fuzz_touch(r->parsed->call_id);
	r->messages++;
}

static void on_payload(void *user, const cap_payload *pl)
{
	run *r = user;
	const expect *e = &g_array_index(r->w->frames, expect, r->got - 1);
	const cap_hep_packet *p = &e->p;
	if (pl->frame != &r->frames[r->got - 1])
		fuzz_fail("payload of another frame");
	if (++r->payloads_now > 1)
		fuzz_fail("frame %u decoded into %u payloads", r->got, r->payloads_now);
	if (pl->proto != frame_proto(p) || pl->icmp_quoted || pl->ip_reassembled ||
	    pl->tunnel_depth)
		fuzz_fail("payload: protocol %u for %u, icmp %d, reassembled %d, tunnels %u",
			  pl->proto, frame_proto(p), pl->icmp_quoted, pl->ip_reassembled,
			  pl->tunnel_depth);
	if (!endpoint_is(&pl->src, p, p->src, p->sport) || !endpoint_is(&pl->dst, p, p->dst, p->dport))
		fuzz_fail("payload endpoints differ from the packet's");
	if (!sv_eq(pl->data, p->payload))
		fuzz_fail("payload of %zu bytes, the packet carried %zu", pl->data.len,
			  p->payload.len);
	fuzz_check_within(pl->data, pl->frame->data, "decoded payload");
	cap_sipframer_feed(r->framer, pl);
}

static void on_frame(void *user, int64_t ts_ns, sv frame)
{
	run *r = user;
	const walk *w = r->w;
	if (r->got >= w->frames->len)
		fuzz_fail("listener handed frame %u, the packets make %u", r->got + 1, w->frames->len);
	const expect *e = &g_array_index(w->frames, expect, r->got);
	if (e->p.has_ts ? ts_ns != e->p.ts_ns : ts_ns < r->before || ts_ns > wall_ns())
		fuzz_fail("frame %u: time %" G_GINT64_FORMAT ", packet %s %" G_GINT64_FORMAT,
			  r->got + 1, ts_ns, e->p.has_ts ? "says" : "arrived after", e->p.has_ts ? e->p.ts_ns : r->before);
	check_frame(e, frame);

	uint8_t *copy = g_memdup2(frame.p, frame.len);
	g_ptr_array_add(r->bufs, copy);
	cap_frame *fr = &r->frames[r->got];
	r->got++;
	*fr = (cap_frame){
		.num = r->got,
		.ts_ns = ts_ns,
		.linktype = LINKTYPE_RAW,
		.caplen = (uint32_t)frame.len,
		.wirelen = (uint32_t)frame.len,
		.record = r->got,
		.data = sv_make(copy, frame.len),
	};
	r->payloads_now = 0;
	cap_decoder_feed(r->dec, fr);
	if (r->payloads_now != 1 && e->p.payload.len > 0)
		fuzz_fail("frame %u of a %zu-byte payload decoded into %u payloads", r->got,
			  e->p.payload.len, r->payloads_now);
}

/* ---- the listener on the loopback ---------------------------------------- */

static int sender = -1;
static uint16_t port;

static cap_hep_listener *listen_loopback(void)
{
	for (int i = 0; i < 200; i++) {
		if (!port || i > 0)
			port = (uint16_t)(20000 + g_random_int_range(0, 40000));
		char spec[64];
		g_snprintf(spec, sizeof(spec), "udp:127.0.0.1:%u", port);
		cap_hep_listener *l = cap_hep_listen(spec, NULL);
		if (l)
			return l;
	}
	fuzz_fail("no free UDP port on 127.0.0.1");
}

static void send_datagram(const uint8_t *d, size_t n)
{
	if (sender < 0) {
		sender = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sender < 0)
			fuzz_fail("socket: %s", g_strerror(errno));
	}
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ssize_t sent;
	do
		sent = sendto(sender, d, n, 0, (struct sockaddr *)&to, sizeof(to));
	while (sent < 0 && errno == EINTR);
	if (sent != (ssize_t)n)
		fuzz_fail("sendto: %zd of %zu: %s", sent, n, g_strerror(errno));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sip_msg *parsed;
	if (!parsed)
		parsed = g_new0(sip_msg, 1);
	if (size > DGRAM_MAX)
		size = DGRAM_MAX;

	walk w = { .frames = g_array_new(FALSE, FALSE, sizeof(expect)) };
	walk_datagram(sv_make(data, size), &w);

	arena mem;
	arena_init(&mem, 64 * 1024);
	run r = {
		.w = &w,
		.bufs = g_ptr_array_new_with_free_func(g_free),
		.frames = g_new0(cap_frame, w.frames->len ? w.frames->len : 1),
		.parsed = parsed,
	};
	r.dec = cap_decoder_new(&mem, on_payload, &r);
	r.framer = cap_sipframer_new(&mem, on_sipmsg, &r);

	cap_hep_listener *l = listen_loopback();
	r.before = wall_ns();
	send_datagram(data, size);
	struct pollfd pfd = { .fd = cap_hep_listener_fd(l), .events = POLLIN };
	int n = 0;
	for (int tries = 0; n == 0 && tries < 50; tries++) {
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
			fuzz_fail("poll: %s", g_strerror(errno));
		n = cap_hep_listener_drain(l, 4, on_frame, &r);
		if (n < 0)
			fuzz_fail("drain: %s", g_strerror(errno));
	}
	if (n != 1)
		fuzz_fail("the listener read %d datagrams of 1", n);
	cap_sipframer_flush(r.framer);

	const cap_hep_stats *st = cap_hep_listener_stats(l);
	if (st->datagrams != 1 || st->packets != w.packets || st->sip != w.sip ||
	    st->other_types != w.other_types || st->compressed != w.compressed ||
	    st->not_hep != w.not_hep || st->malformed != w.malformed || st->too_large != w.too_large)
		fuzz_fail("listener counted %" G_GUINT64_FORMAT " packets %" G_GUINT64_FORMAT
			  " sip %" G_GUINT64_FORMAT " other %" G_GUINT64_FORMAT " compressed %" G_GUINT64_FORMAT
			  " not-HEP %" G_GUINT64_FORMAT " malformed %" G_GUINT64_FORMAT " too large",
			  st->packets, st->sip, st->other_types, st->compressed, st->not_hep,
			  st->malformed, st->too_large);
	if (r.got != w.frames->len)
		fuzz_fail("listener handed %u frames, the packets make %u", r.got, w.frames->len);
	const cap_decode_stats *ds = cap_decoder_stats(r.dec);
	if (ds->frames != r.got || ds->malformed || ds->truncated || ds->fragments)
		fuzz_fail("decoder: %" G_GUINT64_FORMAT " frames of %u, %" G_GUINT64_FORMAT
			  " malformed, %" G_GUINT64_FORMAT " truncated", ds->frames, r.got,
			  ds->malformed, ds->truncated);
	const cap_sipframe_stats *fs = cap_sipframer_stats(r.framer);
	if (fs->messages + fs->icmp_quoted != r.messages)
		fuzz_fail("framer counted %" G_GUINT64_FORMAT " messages, handed %" G_GUINT64_FORMAT,
			  fs->messages, r.messages);
	if (fuzz_verbose())
		fprintf(stderr, "packets %" G_GUINT64_FORMAT " frames %u messages %" G_GUINT64_FORMAT
			" not-HEP %" G_GUINT64_FORMAT " malformed %" G_GUINT64_FORMAT "\n",
			w.packets, r.got, r.messages, w.not_hep, w.malformed);

	cap_hep_listener_free(l);
	cap_sipframer_free(r.framer);
	cap_decoder_free(r.dec);
	arena_free(&mem);
	g_ptr_array_free(r.bufs, TRUE);
	g_free(r.frames);
	g_array_free(w.frames, TRUE);
	return 0;
}
