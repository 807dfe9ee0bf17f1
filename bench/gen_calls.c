/*
 * gen_calls.c — deterministic generator of synthetic SIP captures for the
 * benchmark.
 *
 *     sipscope-gencalls -n CALLS [-s SEED] [-c CONCURRENT] [-t TCP-SHARE] [-r REG-SHARE] [-o FILE]
 *
 * Writes a classic pcap (Ethernet, microsecond timestamps) of CALLS calls
 * between a population of user agents and one proxy (the capture point),
 * with registrations interleaved.  Everything comes from one seeded PRNG
 * consumed in a fixed order: the same CALLS, SEED and options give a
 * byte-identical file on every machine.
 *
 * What the traffic looks like, and why:
 * - Calls arrive as a Poisson process whose rate keeps about CONCURRENT
 *   calls up at once (holding times: ringing of seconds, exponential talk
 *   times of a minute and a half on average), so every tool must keep many
 *   dialogs open and look messages up among them.
 * - Outcomes: about 80 % answered (INVITE with SDP, 100, 180, 200 with SDP,
 *   ACK, then BYE from either side and its 200), 8 % busy (486 and ACK),
 *   9 % cancelled (CANCEL, its 200, 487, ACK), 3 % rejected (404 and ACK).
 *   About 30 % of calls are inbound (the proxy calls the user agent).
 * - Registrations: REGISTER, 401 with a digest challenge, REGISTER with
 *   credentials, 200; one Call-ID per user agent, reused for its refreshes
 *   as user agents do; a few are de-registrations (Expires: 0).
 * - Retransmissions over UDP (about 2 % of the messages): INVITEs resent
 *   at T1 when the 100 is late, 200s resent at T1 when the ACK is late,
 *   some BYEs and REGISTERs.  Each copy is byte-identical to the original.
 * - A share of the user agents (10 % by default) speak TCP: one connection
 *   per call or registration, with its three-way handshake, delayed pure
 *   ACKs, a FIN exchange at the end, correct sequence numbers, and some
 *   segments carrying two messages (a 100 Trying written together with
 *   the next response).
 * - Headers as real equipment sends them (Via with branch and rport,
 *   Max-Forwards, From/To with tags, Call-ID, CSeq, Contact, Record-Route
 *   and Route, User-Agent or Server, Allow, Supported, Session-Expires,
 *   Content-Type, Content-Length), so an INVITE with SDP is 800-1000 bytes.
 * - IPv4 and UDP/TCP checksums are correct.
 *
 * On standard error it ends with one line giving the number of SIP
 * messages written (retransmissions included), frames, bytes, calls,
 * registrations, distinct Call-IDs, retransmissions and messages over TCP,
 * so a benchmark can check that every tool saw every message.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---------------------- */

static uint64_t prng_s[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rnd_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		prng_s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd_u64(void)
{
	uint64_t r = rotl(prng_s[1] * 5, 7) * 9;
	uint64_t t = prng_s[1] << 17;
	prng_s[2] ^= prng_s[0];
	prng_s[3] ^= prng_s[1];
	prng_s[1] ^= prng_s[2];
	prng_s[0] ^= prng_s[3];
	prng_s[2] ^= t;
	prng_s[3] = rotl(prng_s[3], 45);
	return r;
}

/* Uniform in [0, n). */
static uint64_t rnd_below(uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rnd_u64() * n) >> 64);
}

/* Uniform in [lo, hi]. */
static int64_t rnd_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)rnd_below((uint64_t)(hi - lo + 1));
}

/* Uniform in [0, 1): the 53 high bits, exact in a double. */
static double rnd_unit(void)
{
	return (double)(rnd_u64() >> 11) * (1.0 / 9007199254740992.0);
}

static bool rnd_chance(double p)
{
	return rnd_unit() < p;
}

/* Natural logarithm of x in (0, 1] from + - * / only (frexp is exact):
 * libm's log() may differ in the last bit between versions, and the files
 * must not. */
static double det_log(double x)
{
	int e;
	double m = frexp(x, &e); /* x = m * 2^e, m in [0.5, 1) */
	if (m < 0.70710678118654752) {
		m *= 2;
		e--;
	}
	/* ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172 */
	double s = (m - 1) / (m + 1), s2 = s * s, term = s, sum = 0;
	for (int k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= s2;
	}
	return 2 * sum + e * 0.69314718055994530942;
}

/* Exponentially distributed, in whole microseconds. */
static int64_t rnd_exp_us(double mean_us)
{
	return (int64_t)(-det_log(1.0 - rnd_unit()) * mean_us);
}

/* ---- Output buffer and pcap records ----------------------------------- */

enum { OUT_BUF = 1 << 20 };

static FILE *out_fp;
static const char *out_name = "standard output";
static uint8_t out_buf[OUT_BUF];
static size_t out_len;

static struct {
	uint64_t messages, frames, bytes, calls, registrations, call_ids,
		retransmissions, tcp_messages, coalesced;
} cnt;

static void out_flush(void)
{
	if (out_len && fwrite(out_buf, 1, out_len, out_fp) != out_len) {
		fprintf(stderr, "sipscope-gencalls: %s: %s\n", out_name, strerror(errno));
		exit(1);
	}
	cnt.bytes += out_len;
	out_len = 0;
}

static uint8_t *out_reserve(size_t n)
{
	if (out_len + n > OUT_BUF)
		out_flush();
	return out_buf + out_len;
}

static inline void put16be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* pcap fields are little-endian: the magic says so. */
static inline void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void pcap_write_header(void)
{
	uint8_t *p = out_reserve(24);
	put32le(p, 0xa1b2c3d4);
	p[4] = 2, p[5] = 0, p[6] = 4, p[7] = 0;
	put32le(p + 8, 0);
	put32le(p + 12, 0);
	put32le(p + 16, 65535);
	put32le(p + 20, 1); /* LINKTYPE_ETHERNET */
	out_len += 24;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Capture time of the first packet: 2024-03-04 09:00:00 UTC. */
enum { EPOCH_START = 1709542800 };

static uint16_t ip_ident;

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_PSH = 0x08, TCP_ACK = 0x10 };

typedef struct l4 {
	uint32_t src, dst;         /* IPv4 addresses */
	uint16_t sport, dport;
	bool tcp;
	uint8_t flags;             /* TCP */
	uint32_t seq, ack;         /* TCP */
} l4;

static void mac_of(uint8_t *m, uint32_t ip)
{
	m[0] = 0x02, m[1] = 0x00;
	put32be(m + 2, ip);
}

/* One Ethernet/IPv4/UDP-or-TCP frame at t microseconds into the capture. */
static void pcap_write_frame(int64_t t, const l4 *x, const uint8_t *payload, size_t plen)
{
	bool syn = x->tcp && (x->flags & TCP_SYN);
	size_t l4len = x->tcp ? (syn ? 24 : 20) : 8;
	size_t iplen = 20 + l4len + plen;
	size_t framelen = 14 + iplen;
	uint8_t *p = out_reserve(16 + framelen);
	int64_t sec = EPOCH_START + t / 1000000;
	put32le(p, (uint32_t)sec);
	put32le(p + 4, (uint32_t)(t % 1000000));
	put32le(p + 8, (uint32_t)framelen);
	put32le(p + 12, (uint32_t)framelen);
	uint8_t *f = p + 16;
	mac_of(f, x->dst);
	mac_of(f + 6, x->src);
	put16be(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[1] = 0x68; /* DSCP AF31, as phones mark signalling */
	put16be(ip + 2, (uint32_t)iplen);
	put16be(ip + 4, ip_ident++);
	put16be(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = x->tcp ? 6 : 17;
	put16be(ip + 10, 0);
	put32be(ip + 12, x->src);
	put32be(ip + 16, x->dst);
	put16be(ip + 10, csum_fold(csum_add(0, ip, 20)));
	uint8_t *h = ip + 20;
	put16be(h, x->sport);
	put16be(h + 2, x->dport);
	if (x->tcp) {
		put32be(h + 4, x->seq);
		put32be(h + 8, x->flags & TCP_ACK ? x->ack : 0);
		h[12] = (uint8_t)((l4len / 4) << 4);
		h[13] = x->flags;
		put16be(h + 14, 64240);
		put16be(h + 16, 0);
		put16be(h + 18, 0);
		if (syn) {
			h[20] = 2, h[21] = 4; /* MSS 1460 */
			put16be(h + 22, 1460);
		}
	} else {
		put16be(h + 4, (uint32_t)(l4len + plen));
		put16be(h + 6, 0);
	}
	if (plen)
		memcpy(h + l4len, payload, plen);
	uint8_t pseudo[12];
	put32be(pseudo, x->src);
	put32be(pseudo + 4, x->dst);
	pseudo[8] = 0;
	pseudo[9] = ip[9];
	put16be(pseudo + 10, (uint32_t)(l4len + plen));
	uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), h, l4len + plen));
	if (!x->tcp && c == 0)
		c = 0xffff;
	put16be(h + (x->tcp ? 16 : 6), c);
	out_len += 16 + framelen;
	cnt.frames++;
}

/* ---- Text building ----------------------------------------------------- */

typedef struct sb {
	char *p, *end;
} sb;

static void sb_put(sb *b, const char *s, size_t n)
{
	if (n > (size_t)(b->end - b->p)) {
		fprintf(stderr, "sipscope-gencalls: message buffer overflow\n");
		abort();
	}
	if (n)
		memcpy(b->p, s, n);
	b->p += n;
}

/* Literals only: the concatenation refuses anything else at compile time,
 * where sizeof would silently measure a pointer. */
#define S(b, lit) sb_put((b), "" lit "", sizeof(lit) - 1)

static void sb_str(sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_u(sb *b, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_put(b, tmp + sizeof(tmp) - n, (size_t)n);
}

/* The low `digits` hex digits of v, lowercase. */
static void sb_hex(sb *b, uint64_t v, int digits)
{
	char tmp[16];
	for (int i = digits - 1; i >= 0; i--, v >>= 4)
		tmp[i] = "0123456789abcdef"[v & 15];
	sb_put(b, tmp, (size_t)digits);
}

static void sb_ip(sb *b, uint32_t ip)
{
	sb_u(b, ip >> 24);
	S(b, ".");
	sb_u(b, (ip >> 16) & 255);
	S(b, ".");
	sb_u(b, (ip >> 8) & 255);
	S(b, ".");
	sb_u(b, ip & 255);
}

/* ---- The population --------------------------------------------------- */

#define DOMAIN "example.com"
static const uint32_t PROXY_IP = 0x0a00000a; /* 10.0.0.10 */
enum { SIP_PORT = 5060 };

static const char *const ua_names[] = {
	"Yealink SIP-T46S 66.86.0.15",
	"Poly VVX 450 6.4.3.5018",
	"Grandstream GXP2170 1.0.11.45",
	"Cisco/SPA504G-7.6.2c",
	"Zoiper rv2.10.19.7",
	"MicroSIP/3.21.3",
	"Linphone/5.2.0 (belle-sip/5.2.0)",
	"snom D735/10.1.159.12",
};
enum { N_UA = sizeof(ua_names) / sizeof(ua_names[0]) };
static const char PROXY_AGENT[] = "edge-sbc 4.12.3";

static const char *const first_names[] = {
	"Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi",
	"Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil",
	"Trent", "Victor", "Walter", "Yolanda",
};
enum { N_NAMES = sizeof(first_names) / sizeof(first_names[0]) };

typedef struct user {
	uint32_t ip;
	uint32_t ext;        /* extension number */
	uint8_t ua;          /* index into ua_names */
	uint8_t name;        /* index into first_names */
	bool tcp;
	bool registered_once;
	uint32_t reg_cseq;
	uint64_t reg_callid; /* the registration Call-ID, reused for refreshes */
	uint32_t reg_tag;
	uint64_t instance;   /* +sip.instance */
} user;

static user *users;
static uint32_t n_users;

/* 10.16.0.0/12 and up: .0 and .255 are never used as a host byte. */
static uint32_t user_ip(uint32_t i)
{
	return 0x0a100000u + (i / 250) * 256 + (i % 250) + 1;
}

static void users_make(uint32_t n, double tcp_share)
{
	n_users = n;
	users = calloc(n, sizeof(*users));
	if (!users) {
		fprintf(stderr, "sipscope-gencalls: out of memory\n");
		exit(1);
	}
	for (uint32_t i = 0; i < n; i++) {
		user *u = &users[i];
		u->ip = user_ip(i);
		u->ext = 200000 + i;
		u->ua = (uint8_t)rnd_below(N_UA);
		u->name = (uint8_t)rnd_below(N_NAMES);
		u->tcp = rnd_chance(tcp_share);
		u->reg_cseq = (uint32_t)rnd_range(1, 9000);
		u->reg_callid = rnd_u64();
		u->reg_tag = (uint32_t)rnd_u64();
		u->instance = rnd_u64();
	}
}

/* ---- Flows: one call or one registration, as a script of steps ------- */

enum msg_kind {
	K_NONE, /* a TCP segment without payload */
	K_INVITE, K_100, K_180, K_200_INVITE, K_ACK_2XX, K_BYE, K_200_BYE,
	K_486, K_404, K_ACK_ERR, K_CANCEL, K_200_CANCEL, K_487,
	K_REGISTER, K_401, K_REGISTER_AUTH, K_200_REGISTER,
};

typedef struct step {
	int64_t t;
	uint8_t kind, kind2; /* kind2: a second message in the same segment */
	uint8_t from_b;      /* sent by B, the side that did not start the flow */
	uint8_t tcpflags;    /* for K_NONE */
	uint8_t retrans;     /* a retransmission: same bytes as the original */
} step;

enum { MAX_STEPS = 48 };
enum { F_CALL, F_REG };
enum { O_ANSWERED, O_BUSY, O_CANCELLED, O_REJECTED };

typedef struct flow {
	uint64_t serial;
	int type, outcome;
	user *u;
	bool a_is_user; /* A started the flow (sent the INVITE or REGISTER) */
	bool tcp;
	uint16_t a_port, b_port; /* transport ports: 5060, or the TCP client's */
	uint32_t tcp_seq_a, tcp_seq_b; /* next sequence number each side sends */
	uint64_t callid_hi, callid_lo;
	uint32_t from_tag, to_tag;
	uint64_t br_invite, br_ack, br_bye, br_reg, br_reg2;
	uint32_t cseq_a, cseq_b;
	uint64_t far_num; /* the PSTN number on the far side */
	uint32_t sess_a, sess_b;
	uint16_t rtp_a, rtp_b;
	uint8_t codec; /* codec list of the offer */
	uint8_t answer_codec;
	bool bye_from_b;
	bool dereg;
	uint64_t nonce_hi, nonce_lo, cnonce, resp_hi, resp_lo;
	int n, next;
	step s[MAX_STEPS];
} flow;

static uint64_t flow_serial;

static step *step_add(flow *f, int64_t t, int kind, bool from_b)
{
	if (f->n >= MAX_STEPS) {
		fprintf(stderr, "sipscope-gencalls: too many steps in a flow\n");
		abort();
	}
	step *s = &f->s[f->n++];
	*s = (step){ .t = t, .kind = (uint8_t)kind, .from_b = from_b };
	return s;
}

static void steps_sort(flow *f)
{
	/* Insertion sort: stable, and scripts are short and nearly sorted. */
	for (int i = 1; i < f->n; i++) {
		step x = f->s[i];
		int j = i;
		while (j > 0 && f->s[j - 1].t > x.t) {
			f->s[j] = f->s[j - 1];
			j--;
		}
		f->s[j] = x;
	}
}

static uint32_t a_ip(const flow *f)
{
	return f->a_is_user ? f->u->ip : PROXY_IP;
}

static uint32_t b_ip(const flow *f)
{
	return f->a_is_user ? PROXY_IP : f->u->ip;
}

/* Wrap the data steps of a TCP flow in its connection: handshake first,
 * a delayed ACK for each segment not answered within 40 ms, FINs last.
 * A is the client.  Data steps start at t0 + the handshake's length. */
static void tcp_wrap(flow *f, int64_t t0, int64_t hs, int64_t rtt)
{
	int ndata = f->n;
	step_add(f, t0, K_NONE, false)->tcpflags = TCP_SYN;
	step_add(f, t0 + (f->a_is_user ? 60 : rtt), K_NONE, true)->tcpflags = TCP_SYN | TCP_ACK;
	step_add(f, t0 + hs - 80, K_NONE, false)->tcpflags = TCP_ACK;
	int64_t last = 0;
	for (int i = 0; i < ndata; i++) {
		const step *d = &f->s[i];
		if (d->t > last)
			last = d->t;
		int64_t answered = INT64_MAX;
		for (int j = 0; j < ndata; j++)
			if (f->s[j].from_b != d->from_b && f->s[j].t >= d->t && f->s[j].t < answered)
				answered = f->s[j].t;
		if (answered - d->t > 40000)
			step_add(f, d->t + 40000, K_NONE, !d->from_b)->tcpflags = TCP_ACK;
	}
	int64_t fin = last + rnd_range(500000, 3000000);
	step_add(f, fin, K_NONE, false)->tcpflags = TCP_FIN | TCP_ACK;
	step_add(f, fin + (f->a_is_user ? 80 : rtt), K_NONE, true)->tcpflags = TCP_FIN | TCP_ACK;
	step_add(f, fin + (f->a_is_user ? rtt : rtt + 80), K_NONE, false)->tcpflags = TCP_ACK;
	steps_sort(f);
}

static flow *flow_new(int type)
{
	flow *f = calloc(1, sizeof(*f));
	if (!f) {
		fprintf(stderr, "sipscope-gencalls: out of memory\n");
		exit(1);
	}
	f->serial = flow_serial++;
	f->type = type;
	f->u = &users[rnd_below(n_users)];
	f->tcp = f->u->tcp;
	f->a_port = f->b_port = SIP_PORT;
	return f;
}

/* Processing time of the proxy (the capture point) or the round trip to a
 * user agent, depending on who answers whom. */
static int64_t reply_delay(const flow *f, bool replier_is_b, int64_t rtt)
{
	bool replier_is_proxy = replier_is_b == f->a_is_user;
	return replier_is_proxy ? rnd_range(150, 2500) : rtt + rnd_range(100, 1500);
}

static flow *call_new(int64_t t0)
{
	flow *f = flow_new(F_CALL);
	f->a_is_user = rnd_chance(0.7);
	double r = rnd_unit();
	f->outcome = r < 0.80 ? O_ANSWERED : r < 0.88 ? O_BUSY : r < 0.97 ? O_CANCELLED : O_REJECTED;
	f->callid_hi = rnd_u64();
	f->callid_lo = rnd_u64();
	f->from_tag = (uint32_t)rnd_u64();
	f->to_tag = (uint32_t)rnd_u64();
	f->br_invite = rnd_u64();
	f->br_ack = rnd_u64();
	f->br_bye = rnd_u64();
	f->cseq_a = (uint32_t)rnd_range(1, 30000);
	f->cseq_b = (uint32_t)rnd_range(1, 30000);
	f->far_num = 12000000000ull + rnd_below(8000000000ull);
	f->sess_a = (uint32_t)rnd_range(1000, 999999);
	f->sess_b = (uint32_t)rnd_range(1000, 999999);
	f->rtp_a = (uint16_t)(rnd_range(5000, 29999) * 2);
	f->rtp_b = (uint16_t)(rnd_range(5000, 29999) * 2);
	f->codec = (uint8_t)rnd_below(3);
	f->answer_codec = (uint8_t)rnd_below(2);
	f->bye_from_b = rnd_chance(0.45);
	int64_t rtt = rnd_range(2000, 60000);
	bool udp = !f->tcp;
	int64_t hs = 0;
	if (f->tcp) {
		f->a_port = (uint16_t)rnd_range(32768, 60999);
		f->tcp_seq_a = (uint32_t)rnd_u64();
		f->tcp_seq_b = (uint32_t)rnd_u64();
		hs = rtt + 300;
	}
	int64_t t = t0 + hs;
	step_add(f, t, K_INVITE, false);
	/* 100 Trying: late (and the INVITE resent at T1) now and then. */
	int64_t t100 = t + reply_delay(f, true, rtt);
	if (udp && rnd_chance(0.06)) {
		step_add(f, t + 500000, K_INVITE, false)->retrans = 1;
		t100 = t + 500000 + reply_delay(f, true, rtt);
		if (rnd_chance(0.15)) {
			step_add(f, t + 1500000, K_INVITE, false)->retrans = 1;
			t100 = t + 1500000 + reply_delay(f, true, rtt);
		}
	}
	step *s100 = step_add(f, t100, K_100, true);
	bool coalesce = f->tcp && rnd_chance(0.4);
	int64_t t180 = t100 + rnd_range(30000, 1500000);
	switch (f->outcome) {
	case O_ANSWERED: {
		if (coalesce) {
			s100->kind2 = K_180;
			t180 = t100;
		} else {
			step_add(f, t180, K_180, true);
		}
		int64_t t200 = t180 + rnd_range(1000000, 20000000);
		step_add(f, t200, K_200_INVITE, true);
		int64_t tack = t200 + reply_delay(f, false, rtt);
		if (udp && rnd_chance(0.06)) {
			step_add(f, t200 + 500000, K_200_INVITE, true)->retrans = 1;
			tack = t200 + 500000 + reply_delay(f, false, rtt);
		}
		step_add(f, tack, K_ACK_2XX, false);
		int64_t talk = 1000000 + rnd_exp_us(90e6);
		if (talk > 7200000000ll)
			talk = 7200000000ll;
		int64_t tbye = tack + talk;
		bool by_b = f->bye_from_b;
		step_add(f, tbye, K_BYE, by_b);
		int64_t tok = tbye + reply_delay(f, !by_b, rtt);
		if (udp && rnd_chance(0.02)) {
			step_add(f, tbye + 500000, K_BYE, by_b)->retrans = 1;
			tok = tbye + 500000 + reply_delay(f, !by_b, rtt);
		}
		step_add(f, tok, K_200_BYE, !by_b);
		break;
	}
	case O_BUSY:
	case O_REJECTED: {
		int kind = f->outcome == O_BUSY ? K_486 : K_404;
		int64_t tfinal = t100 + rnd_range(20000, 200000);
		if (f->outcome == O_BUSY && rnd_chance(0.5)) {
			step_add(f, t180, K_180, true);
			tfinal = t180 + rnd_range(100000, 3000000);
		} else if (coalesce) {
			s100->kind2 = (uint8_t)kind;
			tfinal = t100;
		}
		if (!s100->kind2)
			step_add(f, tfinal, kind, true);
		step_add(f, tfinal + reply_delay(f, false, rtt), K_ACK_ERR, false);
		break;
	}
	case O_CANCELLED: {
		if (coalesce) {
			s100->kind2 = K_180;
			t180 = t100;
		} else {
			step_add(f, t180, K_180, true);
		}
		int64_t tc = t180 + rnd_range(2000000, 40000000);
		step_add(f, tc, K_CANCEL, false);
		int64_t t200 = tc + reply_delay(f, true, rtt);
		step_add(f, t200, K_200_CANCEL, true);
		int64_t t487 = t200 + rnd_range(100, 3000);
		step_add(f, t487, K_487, true);
		step_add(f, t487 + reply_delay(f, false, rtt), K_ACK_ERR, false);
		break;
	}
	}
	steps_sort(f);
	if (f->tcp)
		tcp_wrap(f, t0, hs, rtt);
	cnt.calls++;
	cnt.call_ids++;
	return f;
}

static flow *reg_new(int64_t t0)
{
	flow *f = flow_new(F_REG);
	f->a_is_user = true;
	user *u = f->u;
	if (!u->registered_once) {
		u->registered_once = true;
		cnt.call_ids++;
	}
	f->dereg = rnd_chance(0.04);
	f->to_tag = (uint32_t)rnd_u64();
	f->br_reg = rnd_u64();
	f->br_reg2 = rnd_u64();
	f->cseq_a = ++u->reg_cseq;
	++u->reg_cseq;
	f->nonce_hi = rnd_u64();
	f->nonce_lo = rnd_u64();
	f->cnonce = rnd_u64();
	f->resp_hi = rnd_u64();
	f->resp_lo = rnd_u64();
	int64_t rtt = rnd_range(2000, 60000);
	int64_t hs = 0;
	if (f->tcp) {
		f->a_port = (uint16_t)rnd_range(32768, 60999);
		f->tcp_seq_a = (uint32_t)rnd_u64();
		f->tcp_seq_b = (uint32_t)rnd_u64();
		hs = rtt + 300;
	}
	int64_t t = t0 + hs;
	step_add(f, t, K_REGISTER, false);
	int64_t t401 = t + reply_delay(f, true, rtt);
	if (!f->tcp && rnd_chance(0.03)) {
		step_add(f, t + 500000, K_REGISTER, false)->retrans = 1;
		t401 = t + 500000 + reply_delay(f, true, rtt);
	}
	step_add(f, t401, K_401, true);
	int64_t t2 = t401 + reply_delay(f, false, rtt);
	step_add(f, t2, K_REGISTER_AUTH, false);
	step_add(f, t2 + reply_delay(f, true, rtt) + rnd_range(0, 20000), K_200_REGISTER, true);
	steps_sort(f);
	if (f->tcp)
		tcp_wrap(f, t0, hs, rtt);
	cnt.registrations++;
	return f;
}

/* ---- SIP message text --------------------------------------------------- */

static const char ALLOW[] = "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, OPTIONS, INFO, UPDATE, PRACK, SUBSCRIBE, MESSAGE\r\n";

static const char *transport_name(const flow *f)
{
	return f->tcp ? "TCP" : "UDP";
}

/* The user part of A's and B's addresses of record. */
static void put_user_a(sb *b, const flow *f)
{
	if (f->a_is_user)
		sb_u(b, f->u->ext);
	else {
		S(b, "+");
		sb_u(b, f->far_num);
	}
}

static void put_user_b(sb *b, const flow *f)
{
	if (f->a_is_user) {
		S(b, "+");
		sb_u(b, f->far_num);
	} else {
		sb_u(b, f->u->ext);
	}
}

static void put_aor_a(sb *b, const flow *f)
{
	S(b, "<sip:");
	put_user_a(b, f);
	S(b, "@" DOMAIN);
	if (!f->a_is_user)
		S(b, ";user=phone");
	S(b, ">");
}

static void put_aor_b(sb *b, const flow *f)
{
	S(b, "<sip:");
	put_user_b(b, f);
	S(b, "@" DOMAIN);
	if (f->a_is_user)
		S(b, ";user=phone");
	S(b, ">");
}

static void put_from_a(sb *b, const flow *f)
{
	if (f->a_is_user) {
		S(b, "\"");
		sb_str(b, first_names[f->u->name]);
		S(b, " ");
		sb_u(b, f->u->ext);
		S(b, "\" ");
	}
	put_aor_a(b, f);
	S(b, ";tag=");
	sb_hex(b, f->from_tag, 8);
}

static void put_to_b(sb *b, const flow *f, bool tag)
{
	put_aor_b(b, f);
	if (tag) {
		S(b, ";tag=");
		sb_hex(b, f->to_tag, f->a_is_user ? 8 : 10);
	}
}

static void put_callid(sb *b, const flow *f)
{
	S(b, "Call-ID: ");
	if (f->a_is_user) {
		sb_hex(b, f->callid_hi, 16);
		sb_hex(b, f->callid_lo, 8);
		S(b, "@");
		sb_ip(b, f->u->ip);
	} else {
		/* The proxy's Call-IDs are UUIDs. */
		sb_hex(b, f->callid_hi >> 32, 8);
		S(b, "-");
		sb_hex(b, f->callid_hi >> 16, 4);
		S(b, "-4");
		sb_hex(b, f->callid_hi, 3);
		S(b, "-a");
		sb_hex(b, f->callid_lo >> 48, 3);
		S(b, "-");
		sb_hex(b, f->callid_lo, 12);
	}
	S(b, "\r\n");
}

static void put_via(sb *b, const flow *f, bool by_b, uint64_t branch, bool response)
{
	S(b, "Via: SIP/2.0/");
	sb_str(b, transport_name(f));
	S(b, " ");
	sb_ip(b, by_b ? b_ip(f) : a_ip(f));
	S(b, ":5060;branch=z9hG4bK");
	bool sender_is_proxy = by_b == f->a_is_user;
	if (sender_is_proxy) {
		/* A proxy's branches carry a magic cookie and a hash. */
		sb_hex(b, branch, 16);
		S(b, ".0");
	} else {
		S(b, "-");
		sb_hex(b, branch >> 16, 12);
	}
	if (!sender_is_proxy)
		sb_str(b, response ? ";rport=5060" : ";rport");
	S(b, "\r\n");
}

static void put_cseq(sb *b, uint32_t n, const char *method)
{
	S(b, "CSeq: ");
	sb_u(b, n);
	S(b, " ");
	sb_str(b, method);
	S(b, "\r\n");
}

static void put_contact(sb *b, const flow *f, bool of_b)
{
	S(b, "Contact: <sip:");
	if (of_b)
		put_user_b(b, f);
	else
		put_user_a(b, f);
	S(b, "@");
	sb_ip(b, of_b ? b_ip(f) : a_ip(f));
	S(b, ":5060");
	if (f->tcp)
		S(b, ";transport=tcp");
	S(b, ">\r\n");
}

static void put_agent(sb *b, const flow *f, bool by_b, bool response)
{
	bool proxy = by_b == f->a_is_user;
	if (response)
		S(b, "Server: ");
	else
		S(b, "User-Agent: ");
	sb_str(b, proxy ? PROXY_AGENT : ua_names[f->u->ua]);
	S(b, "\r\n");
}

#define RR_PROXY "Record-Route: <sip:10.0.0.10;lr>\r\n"
#define ROUTE_PROXY "Route: <sip:10.0.0.10;lr>\r\n"

static void put_sdp(sb *b, const flow *f, bool of_b, bool answer)
{
	uint32_t ip = of_b ? b_ip(f) : a_ip(f);
	S(b, "v=0\r\no=");
	bool proxy = of_b == f->a_is_user;
	if (proxy)
		S(b, "edge-sbc");
	else
		S(b, "-");
	S(b, " ");
	sb_u(b, of_b ? f->sess_b : f->sess_a);
	S(b, " ");
	sb_u(b, (of_b ? f->sess_b : f->sess_a) + 1);
	S(b, " IN IP4 ");
	sb_ip(b, ip);
	S(b, "\r\ns=");
	sb_str(b, proxy ? "edge-sbc" : "SIP Call");
	S(b, "\r\nc=IN IP4 ");
	sb_ip(b, ip);
	S(b, "\r\nt=0 0\r\nm=audio ");
	sb_u(b, of_b ? f->rtp_b : f->rtp_a);
	if (answer) {
		static const char *const ans[] = {
			" RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n",
			" RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n",
		};
		sb_str(b, ans[f->answer_codec]);
	} else {
		static const char *const offers[] = {
			" RTP/AVP 0 8 18 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
			"a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n",
			" RTP/AVP 9 0 8 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\n"
			"a=rtpmap:8 PCMA/8000\r\n",
			" RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n",
		};
		sb_str(b, offers[f->codec]);
	}
	S(b, "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n");
	if (!answer)
		S(b, "a=maxptime:150\r\n");
	S(b, "a=sendrecv\r\n");
}

static void put_body(sb *b, const char *body, size_t n)
{
	if (n)
		S(b, "Content-Type: application/sdp\r\n");
	S(b, "Content-Length: ");
	sb_u(b, n);
	S(b, "\r\n\r\n");
	sb_put(b, body, n);
}

/* Start line and Via..CSeq of a response to a request sent by `req_by_b`. */
static void put_response_head(sb *b, const flow *f, const char *status, bool req_by_b,
			      uint64_t branch, bool to_tag, uint32_t cseq, const char *method)
{
	S(b, "SIP/2.0 ");
	sb_str(b, status);
	S(b, "\r\n");
	put_via(b, f, req_by_b, branch, true);
	if (!req_by_b) {
		S(b, "From: ");
		put_from_a(b, f);
		S(b, "\r\nTo: ");
		put_to_b(b, f, to_tag);
	} else {
		S(b, "From: ");
		put_to_b(b, f, true);
		S(b, "\r\nTo: ");
		put_from_a(b, f);
	}
	S(b, "\r\n");
	put_callid(b, f);
	put_cseq(b, cseq, method);
}

static void put_invite_uri(sb *b, const flow *f)
{
	S(b, "sip:");
	put_user_b(b, f);
	if (f->a_is_user) {
		S(b, "@" DOMAIN ";user=phone");
	} else {
		S(b, "@");
		sb_ip(b, f->u->ip);
		S(b, ":5060");
		if (f->tcp)
			S(b, ";transport=tcp");
	}
}

static void put_contact_uri_b(sb *b, const flow *f)
{
	S(b, "sip:");
	put_user_b(b, f);
	S(b, "@");
	sb_ip(b, b_ip(f));
	S(b, ":5060");
	if (f->tcp)
		S(b, ";transport=tcp");
}

static void put_contact_uri_a(sb *b, const flow *f)
{
	S(b, "sip:");
	put_user_a(b, f);
	S(b, "@");
	sb_ip(b, a_ip(f));
	S(b, ":5060");
	if (f->tcp)
		S(b, ";transport=tcp");
}

static void build_call_msg(sb *b, const flow *f, int kind)
{
	char body[1024];
	sb bb = { body, body + sizeof(body) };
	bool a_user = f->a_is_user;
	switch (kind) {
	case K_INVITE:
		put_sdp(&bb, f, false, false);
		S(b, "INVITE ");
		put_invite_uri(b, f);
		S(b, " SIP/2.0\r\n");
		put_via(b, f, false, f->br_invite, false);
		if (!a_user)
			S(b, RR_PROXY);
		S(b, "Max-Forwards: 70\r\nFrom: ");
		put_from_a(b, f);
		S(b, "\r\nTo: ");
		put_to_b(b, f, false);
		S(b, "\r\n");
		put_callid(b, f);
		put_cseq(b, f->cseq_a, "INVITE");
		put_contact(b, f, false);
		put_agent(b, f, false, false);
		sb_put(b, ALLOW, sizeof(ALLOW) - 1);
		S(b, "Supported: replaces, timer, 100rel\r\n"
		     "Session-Expires: 1800\r\nMin-SE: 90\r\n");
		if (!a_user) {
			S(b, "P-Asserted-Identity: <sip:+");
			sb_u(b, f->far_num);
			S(b, "@" DOMAIN ">\r\n");
		}
		put_body(b, body, (size_t)(bb.p - body));
		break;
	case K_100:
		put_response_head(b, f, "100 Trying", false, f->br_invite, false, f->cseq_a, "INVITE");
		put_agent(b, f, true, true);
		put_body(b, NULL, 0);
		break;
	case K_180:
	case K_200_INVITE:
		put_response_head(b, f, kind == K_180 ? "180 Ringing" : "200 OK", false, f->br_invite,
				  true, f->cseq_a, "INVITE");
		S(b, RR_PROXY);
		put_contact(b, f, true);
		put_agent(b, f, true, true);
		if (kind == K_200_INVITE) {
			sb_put(b, ALLOW, sizeof(ALLOW) - 1);
			S(b, "Supported: replaces, timer\r\nRequire: timer\r\n"
			     "Session-Expires: 1800;refresher=uac\r\n");
			put_sdp(&bb, f, true, true);
		}
		put_body(b, body, (size_t)(bb.p - body));
		break;
	case K_ACK_2XX:
		S(b, "ACK ");
		put_contact_uri_b(b, f);
		S(b, " SIP/2.0\r\n");
		put_via(b, f, false, f->br_ack, false);
		if (a_user)
			S(b, ROUTE_PROXY);
		S(b, "Max-Forwards: 70\r\nFrom: ");
		put_from_a(b, f);
		S(b, "\r\nTo: ");
		put_to_b(b, f, true);
		S(b, "\r\n");
		put_callid(b, f);
		put_cseq(b, f->cseq_a, "ACK");
		put_contact(b, f, false);
		put_agent(b, f, false, false);
		put_body(b, NULL, 0);
		break;
	case K_BYE:
		S(b, "BYE ");
		if (f->bye_from_b)
			put_contact_uri_a(b, f);
		else
			put_contact_uri_b(b, f);
		S(b, " SIP/2.0\r\n");
		put_via(b, f, f->bye_from_b, f->br_bye, false);
		/* A user agent routes in-dialog requests through the proxy. */
		if (f->bye_from_b != a_user)
			S(b, ROUTE_PROXY);
		S(b, "Max-Forwards: 70\r\nFrom: ");
		if (f->bye_from_b) {
			put_to_b(b, f, true);
			S(b, "\r\nTo: ");
			put_from_a(b, f);
		} else {
			put_from_a(b, f);
			S(b, "\r\nTo: ");
			put_to_b(b, f, true);
		}
		S(b, "\r\n");
		put_callid(b, f);
		put_cseq(b, f->bye_from_b ? f->cseq_b : f->cseq_a + 1, "BYE");
		put_agent(b, f, f->bye_from_b, false);
		if (f->bye_from_b == a_user)
			S(b, "Reason: Q.850;cause=16;text=\"Normal call clearing\"\r\n");
		put_body(b, NULL, 0);
		break;
	case K_200_BYE:
		put_response_head(b, f, "200 OK", f->bye_from_b, f->br_bye, true,
				  f->bye_from_b ? f->cseq_b : f->cseq_a + 1, "BYE");
		put_agent(b, f, !f->bye_from_b, true);
		put_body(b, NULL, 0);
		break;
	case K_486:
	case K_404:
	case K_487:
		put_response_head(b, f, kind == K_486 ? "486 Busy Here" : kind == K_404 ? "404 Not Found"
				  : "487 Request Terminated", false, f->br_invite, true, f->cseq_a, "INVITE");
		put_agent(b, f, true, true);
		if (kind == K_486)
			S(b, "Reason: Q.850;cause=17;text=\"User busy\"\r\n");
		else if (kind == K_404)
			S(b, "Reason: Q.850;cause=1;text=\"Unallocated number\"\r\n");
		put_body(b, NULL, 0);
		break;
	case K_ACK_ERR:
	case K_CANCEL: {
		bool ack = kind == K_ACK_ERR;
		sb_str(b, ack ? "ACK " : "CANCEL ");
		put_invite_uri(b, f);
		S(b, " SIP/2.0\r\n");
		put_via(b, f, false, f->br_invite, false);
		S(b, "Max-Forwards: 70\r\nFrom: ");
		put_from_a(b, f);
		S(b, "\r\nTo: ");
		put_to_b(b, f, ack);
		S(b, "\r\n");
		put_callid(b, f);
		put_cseq(b, f->cseq_a, ack ? "ACK" : "CANCEL");
		put_agent(b, f, false, false);
		if (!ack)
			S(b, "Reason: SIP;cause=487;text=\"Call completed elsewhere\"\r\n");
		put_body(b, NULL, 0);
		break;
	}
	case K_200_CANCEL:
		put_response_head(b, f, "200 OK", false, f->br_invite, true, f->cseq_a, "CANCEL");
		put_agent(b, f, true, true);
		put_body(b, NULL, 0);
		break;
	default:
		abort();
	}
}

static void put_reg_callid(sb *b, const user *u)
{
	S(b, "Call-ID: ");
	sb_hex(b, u->reg_callid, 16);
	S(b, "@");
	sb_ip(b, u->ip);
	S(b, "\r\n");
}

static void put_reg_from_to(sb *b, const flow *f, bool to_tag)
{
	const user *u = f->u;
	S(b, "From: \"");
	sb_str(b, first_names[u->name]);
	S(b, " ");
	sb_u(b, u->ext);
	S(b, "\" <sip:");
	sb_u(b, u->ext);
	S(b, "@" DOMAIN ">;tag=");
	sb_hex(b, u->reg_tag, 8);
	S(b, "\r\nTo: \"");
	sb_str(b, first_names[u->name]);
	S(b, " ");
	sb_u(b, u->ext);
	S(b, "\" <sip:");
	sb_u(b, u->ext);
	S(b, "@" DOMAIN ">");
	if (to_tag) {
		S(b, ";tag=");
		sb_hex(b, f->to_tag, 10);
	}
	S(b, "\r\n");
}

static void put_reg_contact(sb *b, const flow *f, bool with_expires)
{
	const user *u = f->u;
	S(b, "Contact: <sip:");
	sb_u(b, u->ext);
	S(b, "@");
	sb_ip(b, u->ip);
	S(b, ":5060");
	if (f->tcp)
		S(b, ";transport=tcp");
	S(b, ">;+sip.instance=\"<urn:uuid:");
	sb_hex(b, u->instance >> 32, 8);
	S(b, "-");
	sb_hex(b, u->instance >> 16, 4);
	S(b, "-4");
	sb_hex(b, u->instance, 3);
	S(b, "-8");
	sb_hex(b, u->instance >> 40, 3);
	S(b, "-");
	sb_hex(b, u->instance * 0x9e3779b97f4a7c15ull, 12);
	S(b, ">\"");
	if (with_expires)
		sb_str(b, f->dereg ? ";expires=0" : ";expires=3600");
	S(b, "\r\n");
}

static void put_nonce(sb *b, const flow *f)
{
	sb_hex(b, f->nonce_hi, 16);
	sb_hex(b, f->nonce_lo, 16);
}

static void build_reg_msg(sb *b, const flow *f, int kind)
{
	const user *u = f->u;
	switch (kind) {
	case K_REGISTER:
	case K_REGISTER_AUTH: {
		bool auth = kind == K_REGISTER_AUTH;
		S(b, "REGISTER sip:" DOMAIN " SIP/2.0\r\n");
		put_via(b, f, false, auth ? f->br_reg2 : f->br_reg, false);
		S(b, "Max-Forwards: 70\r\n");
		put_reg_from_to(b, f, false);
		put_reg_callid(b, u);
		put_cseq(b, auth ? f->cseq_a + 1 : f->cseq_a, "REGISTER");
		put_reg_contact(b, f, false);
		if (auth) {
			S(b, "Authorization: Digest username=\"");
			sb_u(b, u->ext);
			S(b, "\", realm=\"" DOMAIN "\", nonce=\"");
			put_nonce(b, f);
			S(b, "\", uri=\"sip:" DOMAIN "\", response=\"");
			sb_hex(b, f->resp_hi, 16);
			sb_hex(b, f->resp_lo, 16);
			S(b, "\", algorithm=MD5, cnonce=\"");
			sb_hex(b, f->cnonce, 16);
			S(b, "\", qop=auth, nc=00000001\r\n");
		}
		sb_str(b, f->dereg ? "Expires: 0\r\n" : "Expires: 3600\r\n");
		put_agent(b, f, false, false);
		sb_put(b, ALLOW, sizeof(ALLOW) - 1);
		S(b, "Supported: path, gruu, outbound\r\n");
		put_body(b, NULL, 0);
		break;
	}
	case K_401:
	case K_200_REGISTER: {
		bool ok = kind == K_200_REGISTER;
		sb_str(b, ok ? "SIP/2.0 200 OK\r\n" : "SIP/2.0 401 Unauthorized\r\n");
		put_via(b, f, false, ok ? f->br_reg2 : f->br_reg, true);
		put_reg_from_to(b, f, true);
		put_reg_callid(b, u);
		put_cseq(b, ok ? f->cseq_a + 1 : f->cseq_a, "REGISTER");
		if (ok) {
			if (!f->dereg)
				put_reg_contact(b, f, true);
			S(b, "Date: Mon, 04 Mar 2024 09:00:00 GMT\r\n");
		} else {
			S(b, "WWW-Authenticate: Digest realm=\"" DOMAIN "\", nonce=\"");
			put_nonce(b, f);
			S(b, "\", opaque=\"0a4f113b\", algorithm=MD5, qop=\"auth\"\r\n");
		}
		put_agent(b, f, true, true);
		put_body(b, NULL, 0);
		break;
	}
	default:
		abort();
	}
}

static size_t build_msg(char *buf, size_t cap, const flow *f, int kind)
{
	sb b = { buf, buf + cap };
	if (f->type == F_CALL)
		build_call_msg(&b, f, kind);
	else
		build_reg_msg(&b, f, kind);
	return (size_t)(b.p - buf);
}

/* ---- Emitting a step ------------------------------------------------------ */

enum { TCP_MSS = 1460 };

static void flow_emit(flow *f, const step *s)
{
	l4 x = {
		.src = s->from_b ? b_ip(f) : a_ip(f),
		.dst = s->from_b ? a_ip(f) : b_ip(f),
		.sport = s->from_b ? f->b_port : f->a_port,
		.dport = s->from_b ? f->a_port : f->b_port,
		.tcp = f->tcp,
	};
	uint32_t *myseq = s->from_b ? &f->tcp_seq_b : &f->tcp_seq_a;
	uint32_t *peerseq = s->from_b ? &f->tcp_seq_a : &f->tcp_seq_b;
	if (s->kind == K_NONE) {
		x.flags = s->tcpflags;
		x.seq = *myseq;
		x.ack = *peerseq;
		pcap_write_frame(s->t, &x, NULL, 0);
		if (s->tcpflags & (TCP_SYN | TCP_FIN))
			(*myseq)++;
		return;
	}
	char payload[8192];
	size_t n = build_msg(payload, sizeof(payload), f, s->kind);
	int nmsg = 1;
	if (s->kind2) {
		n += build_msg(payload + n, sizeof(payload) - n, f, s->kind2);
		nmsg = 2;
		cnt.coalesced++;
	}
	cnt.messages += (uint64_t)nmsg;
	if (s->retrans)
		cnt.retransmissions++;
	if (!f->tcp) {
		pcap_write_frame(s->t, &x, (const uint8_t *)payload, n);
		return;
	}
	cnt.tcp_messages += (uint64_t)nmsg;
	for (size_t off = 0; off < n; off += TCP_MSS) {
		size_t len = n - off < TCP_MSS ? n - off : TCP_MSS;
		x.flags = TCP_ACK | (off + len == n ? TCP_PSH : 0);
		x.seq = *myseq;
		x.ack = *peerseq;
		pcap_write_frame(s->t, &x, (const uint8_t *)payload + off, len);
		*myseq += (uint32_t)len;
	}
}

/* ---- The event queue: flows ordered by the time of their next step ------ */

typedef struct qent {
	int64_t t;
	uint64_t serial;
	flow *f;
} qent;

static qent *heap;
static size_t heap_n, heap_cap;

static bool qent_less(const qent *a, const qent *b)
{
	return a->t < b->t || (a->t == b->t && a->serial < b->serial);
}

static void heap_push(flow *f)
{
	if (heap_n == heap_cap) {
		heap_cap = heap_cap ? heap_cap * 2 : 1024;
		heap = realloc(heap, heap_cap * sizeof(*heap));
		if (!heap) {
			fprintf(stderr, "sipscope-gencalls: out of memory\n");
			exit(1);
		}
	}
	qent e = { f->s[f->next].t, f->serial, f };
	size_t i = heap_n++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!qent_less(&e, &heap[parent]))
			break;
		heap[i] = heap[parent];
		i = parent;
	}
	heap[i] = e;
}

static flow *heap_pop(void)
{
	flow *top = heap[0].f;
	qent e = heap[--heap_n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= heap_n)
			break;
		if (c + 1 < heap_n && qent_less(&heap[c + 1], &heap[c]))
			c++;
		if (!qent_less(&heap[c], &e))
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (heap_n)
		heap[i] = e;
	return top;
}

/* ---- Main ---------------------------------------------------------------- */

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: sipscope-gencalls -n CALLS [-s SEED] [-c CONCURRENT] [-t TCP-SHARE] [-o FILE]\n"
		"  -n, --calls N         number of calls (required)\n"
		"  -s, --seed S          PRNG seed (default 1); same N and seed, same bytes\n"
		"  -c, --concurrency C   mean number of calls up at once (default 100)\n"
		"  -t, --tcp-share F     share of user agents using TCP, 0..1 (default 0.1)\n"
		"  -r, --reg-share F     registrations per call (default 0.3)\n"
		"  -o, --output FILE     write here instead of standard output\n");
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return false;
	*v = x;
	return true;
}

static bool parse_share(const char *s, double *v)
{
	char *end;
	double x = strtod(s, &end);
	if (end == s || *end || !(x >= 0 && x <= 1))
		return false;
	*v = x;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "calls", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "tcp-share", required_argument, NULL, 't' },
		{ "reg-share", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t calls = 0, seed = 1, concurrency = 100;
	double tcp_share = 0.1, reg_share = 0.3;
	const char *path = NULL;
	bool have_calls = false;
	int c;
	while ((c = getopt_long(argc, argv, "n:s:c:t:r:o:h", longopts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case 'n':
			ok = parse_u64(optarg, &calls) && calls > 0 && calls <= 100000000;
			have_calls = true;
			break;
		case 's':
			ok = parse_u64(optarg, &seed);
			break;
		case 'c':
			ok = parse_u64(optarg, &concurrency) && concurrency > 0 && concurrency <= 1000000;
			break;
		case 't':
			ok = parse_share(optarg, &tcp_share);
			break;
		case 'r':
			ok = parse_share(optarg, &reg_share);
			break;
		case 'o':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (!ok) {
			fprintf(stderr, "sipscope-gencalls: invalid value for -%c: %s\n", c, optarg);
			return 2;
		}
	}
	if (!have_calls || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (path && strcmp(path, "-") != 0) {
		out_fp = fopen(path, "wb");
		if (!out_fp) {
			fprintf(stderr, "sipscope-gencalls: %s: %s\n", path, strerror(errno));
			return 1;
		}
		out_name = path;
	} else {
		if (isatty(STDOUT_FILENO)) {
			fprintf(stderr, "sipscope-gencalls: not writing a capture to a terminal; use -o FILE\n");
			return 2;
		}
		out_fp = stdout;
	}

	rnd_seed(seed);
	/* A user agent makes or takes a call every few hours, as in an office. */
	uint64_t nu = calls / 8;
	users_make((uint32_t)(nu < 200 ? 200 : nu > 2000000 ? 2000000 : nu), tcp_share);

	/* Mean holding time over all outcomes, about 80 s: arrivals every
	 * 80 s / CONCURRENT keep CONCURRENT calls up on average. */
	double call_gap = 80e6 / (double)concurrency;
	double reg_gap = reg_share > 0 ? call_gap / reg_share : 0;
	int64_t next_call = rnd_exp_us(call_gap);
	int64_t next_reg = reg_share > 0 ? rnd_exp_us(reg_gap) : INT64_MAX;
	uint64_t started = 0;

	pcap_write_header();
	for (;;) {
		int64_t tc = started < calls ? next_call : INT64_MAX;
		int64_t tr = started < calls ? next_reg : INT64_MAX;
		int64_t th = heap_n ? heap[0].t : INT64_MAX;
		if (tc == INT64_MAX && th == INT64_MAX)
			break;
		if (tc <= tr && tc <= th) {
			heap_push(call_new(tc));
			started++;
			next_call += 1 + rnd_exp_us(call_gap);
		} else if (tr <= th) {
			heap_push(reg_new(tr));
			next_reg += 1 + rnd_exp_us(reg_gap);
		} else {
			flow *f = heap_pop();
			flow_emit(f, &f->s[f->next]);
			if (++f->next < f->n)
				heap_push(f);
			else
				free(f);
		}
	}
	out_flush();
	if (out_fp != stdout ? fclose(out_fp) != 0 : fflush(out_fp) != 0) {
		fprintf(stderr, "sipscope-gencalls: %s: %s\n", out_name, strerror(errno));
		return 1;
	}
	fprintf(stderr,
		"sipscope-gencalls: %" PRIu64 " SIP messages in %" PRIu64 " frames, %" PRIu64 " bytes: "
		"%" PRIu64 " calls, %" PRIu64 " registrations, %" PRIu64 " Call-IDs, "
		"%" PRIu64 " retransmissions, %" PRIu64 " messages over TCP (%" PRIu64 " segments with two)\n",
		cnt.messages, cnt.frames, cnt.bytes, cnt.calls, cnt.registrations, cnt.call_ids,
		cnt.retransmissions, cnt.tcp_messages, cnt.coalesced);
	free(users);
	free(heap);
	return 0;
}
