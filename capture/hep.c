#include "hep.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/hashseed.h"
#include "capture/frame.h"

G_DEFINE_QUARK(sipscope-hep-error-quark, cap_hep_error)

/* ---- parsing ------------------------------------------------------------ */

/* HEPv3 chunk types (vendor 0). */
enum {
	HEP3_FAMILY = 0x01,
	HEP3_PROTO = 0x02,
	HEP3_SRC4 = 0x03,
	HEP3_DST4 = 0x04,
	HEP3_SRC6 = 0x05,
	HEP3_DST6 = 0x06,
	HEP3_SPORT = 0x07,
	HEP3_DPORT = 0x08,
	HEP3_TS_SEC = 0x09,
	HEP3_TS_USEC = 0x0a,
	HEP3_PTYPE = 0x0b,
	HEP3_CAPTURE_ID = 0x0c,
	HEP3_PAYLOAD = 0x0f,
	HEP3_PAYLOAD_COMPRESSED = 0x10,
};

enum { HEP3_HDR = 6, HEP3_CHUNK_HDR = 6 };

/* Address families as senders write them: Linux (2, 10) and the BSDs'
 * and macOS's AF_INET6 values. */
static int hep_family(uint8_t f)
{
	switch (f) {
	case 2:
		return 4;
	case 10: /* Linux */
	case 24: /* OpenBSD, NetBSD */
	case 28: /* FreeBSD */
	case 30: /* macOS */
		return 6;
	default:
		return 0;
	}
}

static cap_hep_rc fail(const char **why, const char *text, cap_hep_rc rc)
{
	if (why)
		*why = text;
	return rc;
}

/* Reads a fixed-size chunk value; false when the chunk's length is not
 * exactly that size. */
static bool chunk_fixed(sv val, size_t n, const uint8_t **out)
{
	if (val.len != n)
		return false;
	*out = val.p;
	return true;
}

static cap_hep_rc parse_v3(sv data, cap_hep_packet *p, size_t *used, const char **why)
{
	rd r = rd_make(data);
	uint16_t total = 0;
	if (!rd_skip(&r, 4) || !rd_u16be(&r, &total))
		return fail(why, "HEPv3 header cut short", CAP_HEP_MALFORMED);
	if (total < HEP3_HDR)
		return fail(why, "HEPv3 total length shorter than its header", CAP_HEP_MALFORMED);
	if (total > data.len)
		return fail(why, "HEPv3 total length beyond the datagram", CAP_HEP_MALFORMED);
	*used = total;
	rd c = rd_make(sv_sub(data, HEP3_HDR, total - HEP3_HDR));

	bool have_src4 = false, have_dst4 = false, have_src6 = false, have_dst6 = false;
	bool have_payload = false, have_sec = false;
	uint8_t fam_raw = 0;
	bool have_fam = false;
	uint8_t src4[4] = { 0 }, dst4[4] = { 0 }, src6[16] = { 0 }, dst6[16] = { 0 };
	uint32_t sec = 0, usec = 0;
	p->version = 3;
	p->payload_type = CAP_HEP_PAYLOAD_SIP;

	while (rd_left(&c) > 0) {
		uint16_t vendor = 0, type = 0, len = 0;
		if (!rd_u16be(&c, &vendor) || !rd_u16be(&c, &type) || !rd_u16be(&c, &len))
			return fail(why, "HEPv3 chunk header cut short", CAP_HEP_MALFORMED);
		if (len < HEP3_CHUNK_HDR)
			return fail(why, "HEPv3 chunk length shorter than its header", CAP_HEP_MALFORMED);
		sv val;
		if (!rd_bytes(&c, len - HEP3_CHUNK_HDR, &val))
			return fail(why, "HEPv3 chunk runs past the packet's total length", CAP_HEP_MALFORMED);
		if (vendor != 0)
			continue; /* vendor chunks carry nothing we use */
		const uint8_t *v = NULL;
		bool ok = true;
		switch (type) {
		case HEP3_FAMILY:
			if ((ok = chunk_fixed(val, 1, &v))) {
				fam_raw = v[0];
				have_fam = true;
			}
			break;
		case HEP3_PROTO:
			if ((ok = chunk_fixed(val, 1, &v)))
				p->ip_proto = v[0];
			break;
		case HEP3_SRC4:
			if ((ok = chunk_fixed(val, 4, &v))) {
				memcpy(src4, v, 4);
				have_src4 = true;
			}
			break;
		case HEP3_DST4:
			if ((ok = chunk_fixed(val, 4, &v))) {
				memcpy(dst4, v, 4);
				have_dst4 = true;
			}
			break;
		case HEP3_SRC6:
			if ((ok = chunk_fixed(val, 16, &v))) {
				memcpy(src6, v, 16);
				have_src6 = true;
			}
			break;
		case HEP3_DST6:
			if ((ok = chunk_fixed(val, 16, &v))) {
				memcpy(dst6, v, 16);
				have_dst6 = true;
			}
			break;
		case HEP3_SPORT:
		case HEP3_DPORT: {
			rd q = rd_make(val);
			uint16_t port = 0;
			if ((ok = val.len == 2 && rd_u16be(&q, &port))) {
				if (type == HEP3_SPORT)
					p->sport = port;
				else
					p->dport = port;
			}
			break;
		}
		case HEP3_TS_SEC:
		case HEP3_TS_USEC:
		case HEP3_CAPTURE_ID: {
			rd q = rd_make(val);
			uint32_t x = 0;
			/* Some agents send a 16-bit capture id. */
			if (type == HEP3_CAPTURE_ID && val.len == 2) {
				uint16_t x16 = 0;
				rd_u16be(&q, &x16);
				p->capture_id = x16;
				break;
			}
			if (!(ok = val.len == 4 && rd_u32be(&q, &x)))
				break;
			if (type == HEP3_TS_SEC) {
				sec = x;
				have_sec = true;
			} else if (type == HEP3_TS_USEC) {
				usec = x;
			} else {
				p->capture_id = x;
			}
			break;
		}
		case HEP3_PTYPE:
			if ((ok = chunk_fixed(val, 1, &v)))
				p->payload_type = v[0];
			break;
		case HEP3_PAYLOAD:
			p->payload = val;
			have_payload = true;
			break;
		case HEP3_PAYLOAD_COMPRESSED:
			p->payload = val;
			p->compressed = true;
			have_payload = true;
			break;
		default:
			break;
		}
		if (!ok)
			return fail(why, "HEPv3 chunk of the wrong size", CAP_HEP_MALFORMED);
	}
	if (!have_payload)
		return fail(why, "HEPv3 packet without a payload chunk", CAP_HEP_MALFORMED);

	bool v4 = have_src4 && have_dst4, v6 = have_src6 && have_dst6;
	if (v4 && v6 && have_fam)
		v4 = hep_family(fam_raw) == 4, v6 = !v4;
	if (v4) {
		p->family = 4;
		memcpy(p->src, src4, 4);
		memcpy(p->dst, dst4, 4);
	} else if (v6) {
		p->family = 6;
		memcpy(p->src, src6, 16);
		memcpy(p->dst, dst6, 16);
	} else {
		return fail(why, "HEPv3 packet without source and destination addresses", CAP_HEP_MALFORMED);
	}
	if (have_sec) {
		p->has_ts = true;
		/* A hostile microsecond value is taken as it comes: it cannot
		 * overflow (2^32 s * 10^9 + 2^32 us * 10^3 < 2^63). */
		p->ts_ns = (int64_t)sec * 1000000000 + (int64_t)usec * 1000;
	}
	return CAP_HEP_OK;
}

static cap_hep_rc parse_v12(sv data, cap_hep_packet *p, size_t *used, const char **why)
{
	rd r = rd_make(data);
	uint8_t ver = 0, hlen = 0, fam = 0, proto = 0;
	uint16_t sport = 0, dport = 0;
	if (!rd_u8(&r, &ver) || !rd_u8(&r, &hlen) || !rd_u8(&r, &fam) || !rd_u8(&r, &proto) ||
	    !rd_u16be(&r, &sport) || !rd_u16be(&r, &dport))
		return fail(why, "HEPv1/v2 header cut short", CAP_HEP_MALFORMED);
	int family = hep_family(fam);
	if (family == 0)
		return fail(why, "HEPv1/v2 packet of an unknown address family", CAP_HEP_MALFORMED);
	size_t alen = family == 4 ? 4 : 16;
	/* The length byte counts the fixed header and the addresses; senders
	 * disagree on whether it also counts the time header, so it is only
	 * checked to be plausible. */
	if (hlen < 8 + 2 * alen)
		return fail(why, "HEPv1/v2 header length too short for its addresses", CAP_HEP_MALFORMED);
	sv src, dst;
	if (!rd_bytes(&r, alen, &src) || !rd_bytes(&r, alen, &dst))
		return fail(why, "HEPv1/v2 addresses cut short", CAP_HEP_MALFORMED);
	p->version = ver;
	p->family = (uint8_t)family;
	p->ip_proto = proto;
	p->sport = sport;
	p->dport = dport;
	memcpy(p->src, src.p, alen);
	memcpy(p->dst, dst.p, alen);
	p->payload_type = CAP_HEP_PAYLOAD_SIP;
	if (ver == 2) {
		uint32_t sec = 0, usec = 0;
		uint16_t capt = 0;
		if (!rd_u32le(&r, &sec) || !rd_u32le(&r, &usec) || !rd_u16le(&r, &capt))
			return fail(why, "HEPv2 time header cut short", CAP_HEP_MALFORMED);
		/* The time header is a C struct: 12 bytes with padding as most
		 * senders copy it, 10 when packed.  Padding is zero; a SIP
		 * message never starts with a NUL byte. */
		if (rd_peek(&r, 0) == 0 && rd_peek(&r, 1) == 0)
			rd_skip(&r, 2);
		p->has_ts = true;
		p->ts_ns = (int64_t)sec * 1000000000 + (int64_t)usec * 1000;
		p->capture_id = capt;
	}
	p->payload = rd_rest(&r);
	*used = data.len;
	return CAP_HEP_OK;
}

cap_hep_rc cap_hep_parse(sv data, cap_hep_packet *out, size_t *used, const char **why)
{
	memset(out, 0, sizeof(*out));
	*used = data.len;
	if (why)
		*why = NULL;
	if (sv_starts_with(data, SV_LIT("HEP3")))
		return parse_v3(data, out, used, why);
	int v = sv_at(data, 0);
	if (v == 1 || v == 2)
		return parse_v12(data, out, used, why);
	return fail(why, "not a HEP packet", CAP_HEP_NOT_HEP);
}

/* ---- frames ------------------------------------------------------------- */

typedef struct flow_key {
	uint8_t family, proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
} flow_key;

typedef struct flow_seq {
	flow_key key;
	uint32_t next;
} flow_seq;

struct cap_hep_flows {
	GHashTable *by_key; /* flow_seq* set */
	uint32_t isn;       /* initial sequence number of the next new flow */
	uint16_t ip_id;
	uint32_t tsn;
};

enum { FLOWS_MAX = 262144 };

static guint flow_hash(gconstpointer k)
{
	const flow_key *f = k;
	uint32_t h = hash_fnv_start();
	const uint8_t *b = (const uint8_t *)f;
	for (size_t i = 0; i < sizeof(*f); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static gboolean flow_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(flow_key)) == 0;
}

cap_hep_flows *cap_hep_flows_new(void)
{
	cap_hep_flows *f = g_new0(cap_hep_flows, 1);
	f->by_key = g_hash_table_new_full(flow_hash, flow_equal, g_free, NULL);
	f->isn = 0x10000000u;
	return f;
}

void cap_hep_flows_free(cap_hep_flows *f)
{
	if (!f)
		return;
	g_hash_table_destroy(f->by_key);
	g_free(f);
}

/* The sequence number for len more bytes on p's flow. */
static uint32_t flow_next_seq(cap_hep_flows *f, const cap_hep_packet *p, uint32_t len)
{
	flow_key k;
	memset(&k, 0, sizeof(k));
	k.family = p->family;
	k.proto = p->ip_proto;
	k.sport = p->sport;
	k.dport = p->dport;
	memcpy(k.src, p->src, 16);
	memcpy(k.dst, p->dst, 16);
	flow_seq *s = g_hash_table_lookup(f->by_key, &k);
	if (!s) {
		if (g_hash_table_size(f->by_key) >= FLOWS_MAX)
			g_hash_table_remove_all(f->by_key);
		s = g_new0(flow_seq, 1);
		s->key = k;
		/* Far apart (256 MiB) so a flow forgotten and met again starts a
		 * new sequence space rather than looking like old bytes. */
		s->next = f->isn;
		f->isn += 0x10000000u;
		g_hash_table_add(f->by_key, s);
	}
	uint32_t seq = s->next;
	s->next += len;
	return seq;
}

/* How the payload travels in the frame: UDP unless HEP says TCP or SCTP
 * (anything else, such as the made-up numbers some agents use for TLS or
 * WebSocket, was one whole message per HEP packet: a datagram). */
static uint8_t frame_proto(const cap_hep_packet *p)
{
	return (p->ip_proto == 6 || p->ip_proto == 132) ? p->ip_proto : 17;
}

static uint32_t l4_hdr_len(uint8_t proto)
{
	return proto == 6 ? 20 : proto == 132 ? 12 + 16 : 8;
}

/* SCTP chunks are padded to 4 bytes after their value. */
static uint32_t l4_pad(uint8_t proto, size_t payload)
{
	return proto == 132 ? (uint32_t)((4 - payload % 4) % 4) : 0;
}

uint32_t cap_hep_frame_len(const cap_hep_packet *p)
{
	uint8_t proto = frame_proto(p);
	size_t l4 = l4_hdr_len(proto) + p->payload.len + l4_pad(proto, p->payload.len);
	if (p->family == 4) {
		if (l4 + 20 > 0xffff)
			return 0;
		return (uint32_t)(l4 + 20);
	}
	if (p->family == 6) {
		if (l4 > 0xffff)
			return 0;
		return (uint32_t)(l4 + 40);
	}
	return 0;
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t sum16(uint32_t acc, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		acc += (uint32_t)b[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

void cap_hep_frame_build(const cap_hep_packet *p, cap_hep_flows *flows, uint8_t *buf)
{
	uint8_t proto = frame_proto(p);
	size_t plen = p->payload.len;
	uint32_t l4h = l4_hdr_len(proto);
	uint32_t pad = l4_pad(proto, plen);
	uint32_t l4total = l4h + (uint32_t)plen + pad;
	size_t alen = p->family == 4 ? 4 : 16;
	size_t iph = p->family == 4 ? 20 : 40;
	uint8_t *ip = buf, *l4 = buf + iph;

	if (p->family == 4) {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + l4total));
		put16(ip + 4, flows->ip_id++);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, p->src, 4);
		memcpy(ip + 16, p->dst, 4);
		put16(ip + 10, fold(sum16(0, ip, 20)));
	} else {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)l4total);
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, p->src, 16);
		memcpy(ip + 24, p->dst, 16);
	}

	memset(l4, 0, l4h);
	put16(l4, p->sport);
	put16(l4 + 2, p->dport);
	uint8_t *payload = l4 + l4h;
	switch (proto) {
	case 6:
		put32(l4 + 4, flow_next_seq(flows, p, (uint32_t)plen));
		l4[12] = 5 << 4;
		l4[13] = 0x18; /* PSH, ACK */
		put16(l4 + 14, 65535);
		break;
	case 132:
		/* Common header (verification tag and checksum left 0), then one
		 * whole DATA chunk (B and E set), payload padded to 4 bytes. */
		l4[12] = 0;    /* DATA */
		l4[13] = 0x03; /* B, E */
		put16(l4 + 14, (uint16_t)(16 + plen));
		put32(l4 + 16, flows->tsn++);
		break;
	default:
		put16(l4 + 4, (uint16_t)l4total);
		break;
	}
	if (plen)
		memcpy(payload, p->payload.p, plen);
	if (proto == 132) {
		memset(payload + plen, 0, pad);
		return;
	}
	/* UDP and TCP checksums over the pseudo-header. */
	uint32_t acc = sum16(0, p->src, alen);
	acc = sum16(acc, p->dst, alen);
	acc += proto;
	acc += l4total & 0xffff;
	acc += l4total >> 16;
	acc = sum16(acc, l4, l4h);
	acc = sum16(acc, payload, plen);
	uint16_t ck = fold(acc);
	if (proto == 17 && ck == 0)
		ck = 0xffff;
	put16(l4 + (proto == 6 ? 16 : 6), ck);
}

/* ---- the UDP listener --------------------------------------------------- */

enum { HEP_DGRAM_MAX = 65536, HEP_RCVBUF = 8 << 20 };

struct cap_hep_listener {
	char *name;
	int fd;
	cap_hep_stats stats;
	cap_hep_flows *flows;
	uint8_t *dgram;  /* one datagram */
	uint8_t *frame;  /* one frame being built */
};

/* Splits "udp:HOST:PORT" / "HOST:PORT" / "udp:[V6]:PORT". */
static bool split_spec(const char *spec, char **host, char **port, const char **why)
{
	const char *s = spec;
	if (g_str_has_prefix(s, "udp:")) {
		s += 4;
	} else if (g_str_has_prefix(s, "tcp:") || g_str_has_prefix(s, "tls:")) {
		*why = "only UDP is supported (udp:ADDRESS:PORT)";
		return false;
	}
	const char *colon;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':') {
			*why = "expected udp:[IPv6-ADDRESS]:PORT";
			return false;
		}
		*host = g_strndup(s + 1, (gsize)(end - s - 1));
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			*why = "expected udp:ADDRESS:PORT";
			return false;
		}
		*host = g_strndup(s, (gsize)(colon - s));
	}
	const char *p = colon + 1;
	uint64_t pn = 0;
	if (!sv_to_u64(sv_from_cstr(p), 65535, &pn) || pn == 0) {
		g_free(*host);
		*host = NULL;
		*why = "the port must be a number from 1 to 65535";
		return false;
	}
	*port = g_strdup(p);
	return true;
}

cap_hep_listener *cap_hep_listen(const char *spec, GError **err)
{
	char *host = NULL, *port = NULL;
	const char *why = NULL;
	if (!split_spec(spec, &host, &port, &why)) {
		g_set_error(err, CAP_HEP_ERROR, CAP_HEP_ERROR_SPEC,
			    "--hep-listen %s: %s", spec, why);
		return NULL;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (gai != 0) {
		g_set_error(err, CAP_HEP_ERROR, CAP_HEP_ERROR_SPEC,
			    "--hep-listen %s: %s", spec, gai_strerror(gai));
		g_free(host);
		g_free(port);
		return NULL;
	}
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	int e = 0;
	if (fd < 0) {
		e = errno;
	} else {
		int one = 1, size = HEP_RCVBUF;
		/* A large receive buffer absorbs bursts while the main thread is
		 * busy; as root the system's limit does not apply. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		/* The kernel's count of datagrams dropped on this socket. */
		setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			e = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	g_free(host);
	g_free(port);
	if (fd < 0) {
		const char *hint = "";
		if (e == EACCES)
			hint = " (ports below 1024 need root or the CAP_NET_BIND_SERVICE capability)";
		else if (e == EADDRINUSE)
			hint = " (another program listens there)";
		g_set_error(err, CAP_HEP_ERROR, CAP_HEP_ERROR_SOCKET,
			    "cannot listen for HEP on %s: %s%s", spec, g_strerror(e), hint);
		return NULL;
	}
	cap_hep_listener *l = g_new0(cap_hep_listener, 1);
	l->name = g_strdup(spec);
	l->fd = fd;
	l->flows = cap_hep_flows_new();
	l->dgram = g_malloc(HEP_DGRAM_MAX);
	l->frame = g_malloc(HEP_DGRAM_MAX + 128);
	return l;
}

void cap_hep_listener_free(cap_hep_listener *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	cap_hep_flows_free(l->flows);
	g_free(l->dgram);
	g_free(l->frame);
	g_free(l->name);
	g_free(l);
}

int cap_hep_listener_fd(const cap_hep_listener *l)
{
	return l->fd;
}

const char *cap_hep_listener_name(const cap_hep_listener *l)
{
	return l->name;
}

const cap_hep_stats *cap_hep_listener_stats(const cap_hep_listener *l)
{
	return &l->stats;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One datagram: every HEP packet in it. */
static void handle_datagram(cap_hep_listener *l, sv d, int64_t arrival, cap_hep_frame_fn fn, void *user)
{
	bool first = true;
	while (d.len > 0) {
		cap_hep_packet p;
		size_t used = 0;
		cap_hep_rc rc = cap_hep_parse(d, &p, &used, NULL);
		if (rc == CAP_HEP_NOT_HEP) {
			/* Bytes after a HEPv3 packet that are not another one. */
			if (first)
				l->stats.not_hep++;
			else
				l->stats.malformed++;
			return;
		}
		if (rc != CAP_HEP_OK) {
			l->stats.malformed++;
			return;
		}
		first = false;
		l->stats.packets++;
		d = sv_skip(d, used ? used : d.len);
		if (p.compressed) {
			l->stats.compressed++;
			continue;
		}
		if (p.payload_type != CAP_HEP_PAYLOAD_SIP) {
			l->stats.other_types++;
			continue;
		}
		uint32_t len = cap_hep_frame_len(&p);
		if (len == 0 || len > HEP_DGRAM_MAX + 128) {
			l->stats.too_large++;
			continue;
		}
		cap_hep_frame_build(&p, l->flows, l->frame);
		l->stats.sip++;
		fn(user, p.has_ts ? p.ts_ns : arrival, sv_make(l->frame, len));
	}
}

int cap_hep_listener_drain(cap_hep_listener *l, unsigned max, cap_hep_frame_fn fn, void *user)
{
	int n = 0;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(uint32_t)) * 2];
	} ctl;
	while ((unsigned)n < max) {
		struct iovec iov = { .iov_base = l->dgram, .iov_len = HEP_DGRAM_MAX };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
		ssize_t got = recvmsg(l->fd, &mh, MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		n++;
		l->stats.datagrams++;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
			    c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
				uint32_t drops;
				memcpy(&drops, CMSG_DATA(c), sizeof(drops));
				l->stats.socket_drops = drops;
			}
		}
		handle_datagram(l, sv_make(l->dgram, (size_t)got), now_ns(), fn, user);
	}
	return n;
}
