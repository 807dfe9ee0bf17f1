/*
 * micro.c — micro-benchmark of the per-message hot path.
 *
 *     sipscope-micro [--tsv] [--min-time SECONDS] [--batches N] [--calls N] [--only CASE,...]
 *     sipscope-micro --count N [--only CASE,...]
 *     sipscope-micro --show
 *
 * --count: each selected parse case parsed N times, untimed, checked, and
 * "case<TAB>N" printed: for an instruction counter (callgrind) run with two
 * N, whose difference over the difference of N is one parse's cost.
 *
 * Cases:
 *  parse-*       sip_parse_message over one realistic message held in
 *                memory (an INVITE with an SDP offer, 180, 200 with an SDP
 *                answer, ACK, BYE, REGISTER with credentials).
 *  pipeline      Ethernet/IPv4/UDP frames of whole calls (INVITE, 100,
 *                180, 200, ACK, BYE, 200) built in memory up front, fed
 *                through the stages as app/pipeline.c wires them:
 *                cap_decoder → cap_sipframer → sip_parse_message →
 *                sip_model_add.  Per message: frame to dialog update.
 *  pipeline-app  the same frames as an in-memory pcap file (memfd) read by
 *                app/pipeline.c itself (pipeline_open, pipeline_step, as
 *                `sipscope --stats` drives it): adds the record reader and
 *                the pipeline's own per-message bookkeeping.
 *
 * Timing: clock_gettime(CLOCK_MONOTONIC) around batches of iterations,
 * after a warm-up that also sizes the batches so that all of a case's
 * batches together last at least --min-time.  The best batch (least
 * disturbed by the rest of the machine) and the median are reported, with
 * the share of the best batch's wall time the thread had the CPU
 * (CLOCK_THREAD_CPUTIME_ID): below 100 % the figure is inflated.  The
 * pipeline cases time passes over the whole set of calls, each pass with a
 * fresh decoder, framer and model, so state sizes are those of a capture
 * of that many calls and memory stays bounded; creating and freeing them
 * is not timed.
 *
 * Every result is checked (message kind, method or status, Call-ID, no
 * warnings; for the pipeline, every message modelled and every call
 * answered and ended by its BYE): exit status 1 when one is not what the
 * message says, so nothing is measured on garbage.  Exit status 2: usage.
 *
 * Output: a table on standard output; with --tsv, one line per case,
 * "case<TAB>ns_per_op<TAB>iterations" (best batch; iterations timed over
 * all batches), then lines starting with '#' with the rest: "#median CASE
 * NS", "#cpu CASE SHARE" (CPU time / wall time of the best batch),
 * "#bytes CASE N" (parse cases), "#pipeline CALLS MESSAGES-PER-PASS",
 * "#batches N MIN-TIME".
 */
#define _GNU_SOURCE /* memfd_create */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "app/options.h"
#include "app/pipeline.h"
#include "base/arena.h"
#include "base/bytes.h"
#include "capture/decode.h"
#include "capture/frame.h"
#include "capture/sipframe.h"
#include "dissect/model.h"
#include "dissect/sip.h"

enum { MAX_BATCHES = 64 };

/* The targets of the project's performance goal. */
#define TARGET_PARSE_INVITE_NS 300.0
#define TARGET_PIPELINE_NS 1000.0

static double min_time = 0.5; /* seconds per case, all batches */
static unsigned n_batches = 5;

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* CPU time of this thread: how much of a batch's wall time it ran, so a
 * batch slowed by other processes on the machine shows. */
static int64_t cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static volatile uint64_t sink_value; /* keeps results observable */

/* ---- results -------------------------------------------------------------- */

typedef struct result {
	const char *name;
	const char *what;
	size_t bytes;       /* message size (parse cases), 0 otherwise */
	double best_ns;     /* per op, best batch */
	double median_ns;   /* per op, median batch */
	double cpu_share;   /* CPU time / wall time of the best batch */
	uint64_t ops;       /* ops timed over all batches */
	double target_ns;   /* 0: none */
} result;

/* One batch: per-op wall time, and the CPU time it got. */
typedef struct batch {
	double per_op;
	double cpu_share;
} batch;

static int cmp_batch(const void *a, const void *b)
{
	double x = ((const batch *)a)->per_op, y = ((const batch *)b)->per_op;
	return x < y ? -1 : x > y;
}

static void result_set(result *r, batch *v, unsigned n, uint64_t ops)
{
	qsort(v, n, sizeof(batch), cmp_batch);
	r->best_ns = v[0].per_op;
	r->cpu_share = v[0].cpu_share;
	r->median_ns = n % 2 ? v[n / 2].per_op : (v[n / 2 - 1].per_op + v[n / 2].per_op) / 2;
	r->ops = ops;
}

/* ---- messages --------------------------------------------------------------
 *
 * One leg of a call as a capture at the callee side sees it: the proxy
 * (203.0.113.10) sends the caller's INVITE on, with its own Via on top and
 * a Record-Route; the callee answers through it.  Everything that differs
 * between calls (Call-ID, tags, branches, addresses, SDP session and port)
 * comes from call_ids.
 */

#define PROXY_IP "203.0.113.10"
#define ALLOW "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, OPTIONS, INFO, UPDATE, PRACK, SUBSCRIBE\r\n"

typedef struct call_ids {
	char call_id[64];
	char ftag[24], ttag[24];
	char br_inv[24], br_ack[24], br_bye[24]; /* the caller's; the proxy adds ".1" */
	char caller_ip[16], callee_ip[16];
	uint8_t callee_addr[4];
	char caller[16], callee[16];             /* user parts */
	uint64_t sess_a, sess_b;                 /* SDP session ids */
	unsigned port_a, port_b;                 /* RTP ports */
	bool callee_hangs_up;
} call_ids;

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void call_ids_make(call_ids *c, uint32_t i)
{
	uint64_t h = mix64(i);
	snprintf(c->call_id, sizeof(c->call_id), "%016" PRIx64 "%08x@10.1.%u.%u", h,
		 (unsigned)(mix64(h) >> 32), (i >> 8) & 255, i & 255);
	snprintf(c->ftag, sizeof(c->ftag), "%012" PRIx64, mix64(h + 1) >> 16);
	snprintf(c->ttag, sizeof(c->ttag), "as%08" PRIx64, mix64(h + 2) >> 32);
	snprintf(c->br_inv, sizeof(c->br_inv), "%016" PRIx64, mix64(h + 3));
	snprintf(c->br_ack, sizeof(c->br_ack), "%016" PRIx64, mix64(h + 4));
	snprintf(c->br_bye, sizeof(c->br_bye), "%016" PRIx64, mix64(h + 5));
	unsigned hi = 1 + ((i >> 16) & 127);
	snprintf(c->caller_ip, sizeof(c->caller_ip), "10.%u.%u.%u", hi, (i >> 8) & 255, i & 255);
	c->callee_addr[0] = 10;
	c->callee_addr[1] = (uint8_t)(128 + ((i >> 16) & 127));
	c->callee_addr[2] = (uint8_t)(i >> 8);
	c->callee_addr[3] = (uint8_t)i;
	snprintf(c->callee_ip, sizeof(c->callee_ip), "10.%u.%u.%u", c->callee_addr[1],
		 c->callee_addr[2], c->callee_addr[3]);
	snprintf(c->caller, sizeof(c->caller), "+1555%07u", i % 10000000);
	snprintf(c->callee, sizeof(c->callee), "+1666%07u", (i * 7919u) % 10000000);
	c->sess_a = mix64(h + 6) >> 34;
	c->sess_b = mix64(h + 7) >> 34;
	c->port_a = 10000 + 2 * (i % 10000);
	c->port_b = 30000 + 2 * ((i * 31u) % 10000);
	c->callee_hangs_up = i & 1;
}

/* Appends to a fixed buffer; `ok` goes false when it does not fit. */
typedef struct out {
	char *p;
	size_t len, cap;
	bool ok;
} out;

static void G_GNUC_PRINTF(2, 3) put(out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->ok = false;
		return;
	}
	o->len += (size_t)n;
}

/* Content-Length, the empty line and the body. */
static void put_body(out *o, const char *body)
{
	put(o, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
}

static void sdp_offer(char *buf, size_t n, const call_ids *c)
{
	snprintf(buf, n,
		 "v=0\r\n"
		 "o=- %" PRIu64 " %" PRIu64 " IN IP4 %s\r\n"
		 "s=call\r\n"
		 "c=IN IP4 %s\r\n"
		 "t=0 0\r\n"
		 "m=audio %u RTP/AVP 0 8 101\r\n"
		 "a=rtpmap:0 PCMU/8000\r\n"
		 "a=rtpmap:8 PCMA/8000\r\n"
		 "a=rtpmap:101 telephone-event/8000\r\n"
		 "a=fmtp:101 0-16\r\n"
		 "a=ptime:20\r\n"
		 "a=sendrecv\r\n",
		 c->sess_a, c->sess_a, c->caller_ip, c->caller_ip, c->port_a);
}

static void sdp_answer(char *buf, size_t n, const call_ids *c)
{
	snprintf(buf, n,
		 "v=0\r\n"
		 "o=- %" PRIu64 " %" PRIu64 " IN IP4 %s\r\n"
		 "s=call\r\n"
		 "c=IN IP4 %s\r\n"
		 "t=0 0\r\n"
		 "m=audio %u RTP/AVP 0 101\r\n"
		 "a=rtpmap:0 PCMU/8000\r\n"
		 "a=rtpmap:101 telephone-event/8000\r\n"
		 "a=fmtp:101 0-16\r\n"
		 "a=ptime:20\r\n"
		 "a=sendrecv\r\n",
		 c->sess_b, c->sess_b, c->callee_ip, c->callee_ip, c->port_b);
}

typedef enum {
	M_INVITE, M_100, M_180, M_200_INVITE, M_ACK, M_BYE, M_200_BYE, M__CALL, /* a call's messages, in order */
	M_REGISTER = M__CALL,
} msg_kind;

/* The two Via lines of a request the proxy sent on, or of its response. */
static void put_vias(out *o, const call_ids *c, const char *branch)
{
	put(o, "Via: SIP/2.0/UDP " PROXY_IP ":5060;branch=z9hG4bK%s.1\r\n", branch);
	put(o, "Via: SIP/2.0/UDP %s:5060;rport=5060;received=%s;branch=z9hG4bK%s\r\n", c->caller_ip,
	    c->caller_ip, branch);
}

static void put_dialog_ids(out *o, const call_ids *c, bool to_tag)
{
	put(o, "From: \"Caller %s\" <sip:%s@sip.example.net>;tag=%s\r\n", c->caller + 8, c->caller,
	    c->ftag);
	put(o, "To: <sip:%s@sip.example.net>%s%s\r\n", c->callee, to_tag ? ";tag=" : "",
	    to_tag ? c->ttag : "");
	put(o, "Call-ID: %s\r\n", c->call_id);
}

/* The message's SIP text; from_callee tells its direction. */
static bool render(msg_kind k, const call_ids *c, char *buf, size_t cap, size_t *len, bool *from_callee)
{
	out o = { buf, 0, cap, true };
	char body[1024];
	*from_callee = false;
	switch (k) {
	case M_INVITE:
		sdp_offer(body, sizeof(body), c);
		put(&o, "INVITE sip:%s@%s:5060 SIP/2.0\r\n", c->callee, c->callee_ip);
		put_vias(&o, c, c->br_inv);
		put(&o, "Record-Route: <sip:" PROXY_IP ";lr;ftag=%s>\r\n", c->ftag);
		put(&o, "Max-Forwards: 69\r\n");
		put_dialog_ids(&o, c, false);
		put(&o, "CSeq: 101 INVITE\r\n");
		put(&o, "Contact: <sip:%s@%s:5060;transport=udp>\r\n", c->caller, c->caller_ip);
		put(&o, ALLOW);
		put(&o, "Supported: replaces, timer, 100rel\r\n");
		put(&o, "Session-Expires: 1800;refresher=uac\r\n");
		put(&o, "User-Agent: Acme-Phone/4.2.1 (model 7960)\r\n");
		put(&o, "Content-Type: application/sdp\r\n");
		put_body(&o, body);
		break;
	case M_100:
	case M_180:
	case M_200_INVITE:
		*from_callee = true;
		put(&o, "SIP/2.0 %s\r\n", k == M_100 ? "100 Trying" : k == M_180 ? "180 Ringing" : "200 OK");
		put_vias(&o, c, c->br_inv);
		if (k != M_100)
			put(&o, "Record-Route: <sip:" PROXY_IP ";lr;ftag=%s>\r\n", c->ftag);
		put_dialog_ids(&o, c, k != M_100);
		put(&o, "CSeq: 101 INVITE\r\n");
		if (k != M_100) {
			put(&o, "Contact: <sip:%s@%s:5060>\r\n", c->callee, c->callee_ip);
			put(&o, ALLOW);
		}
		if (k == M_200_INVITE) {
			put(&o, "Supported: replaces, timer\r\n");
			put(&o, "Require: timer\r\n");
			put(&o, "Session-Expires: 1800;refresher=uac\r\n");
		}
		put(&o, "Server: Acme-PBX/11.3.2\r\n");
		if (k == M_200_INVITE) {
			sdp_answer(body, sizeof(body), c);
			put(&o, "Content-Type: application/sdp\r\n");
			put_body(&o, body);
		} else {
			put_body(&o, "");
		}
		break;
	case M_ACK:
		put(&o, "ACK sip:%s@%s:5060 SIP/2.0\r\n", c->callee, c->callee_ip);
		put_vias(&o, c, c->br_ack);
		put(&o, "Max-Forwards: 69\r\n");
		put_dialog_ids(&o, c, true);
		put(&o, "CSeq: 101 ACK\r\n");
		put(&o, "User-Agent: Acme-Phone/4.2.1 (model 7960)\r\n");
		put_body(&o, "");
		break;
	case M_BYE:
	case M_200_BYE:
		if (!c->callee_hangs_up) {
			/* The caller's BYE through the proxy. */
			*from_callee = k == M_200_BYE;
			if (k == M_BYE)
				put(&o, "BYE sip:%s@%s:5060 SIP/2.0\r\n", c->callee, c->callee_ip);
			else
				put(&o, "SIP/2.0 200 OK\r\n");
			put_vias(&o, c, c->br_bye);
			if (k == M_BYE)
				put(&o, "Max-Forwards: 69\r\n");
			put_dialog_ids(&o, c, true);
			put(&o, "CSeq: 102 BYE\r\n");
			put(&o, k == M_BYE ? "User-Agent: Acme-Phone/4.2.1 (model 7960)\r\n"
					   : "Server: Acme-PBX/11.3.2\r\n");
		} else {
			/* The callee's BYE, routed back through the proxy. */
			*from_callee = k == M_BYE;
			if (k == M_BYE)
				put(&o, "BYE sip:%s@%s:5060 SIP/2.0\r\n", c->caller, c->caller_ip);
			else
				put(&o, "SIP/2.0 200 OK\r\n");
			put(&o, "Via: SIP/2.0/UDP %s:5060;rport;branch=z9hG4bK%s\r\n", c->callee_ip, c->br_bye);
			if (k == M_BYE) {
				put(&o, "Route: <sip:" PROXY_IP ";lr;ftag=%s>\r\n", c->ftag);
				put(&o, "Max-Forwards: 70\r\n");
			}
			put(&o, "From: <sip:%s@sip.example.net>;tag=%s\r\n", c->callee, c->ttag);
			put(&o, "To: \"Caller %s\" <sip:%s@sip.example.net>;tag=%s\r\n", c->caller + 8,
			    c->caller, c->ftag);
			put(&o, "Call-ID: %s\r\n", c->call_id);
			put(&o, "CSeq: 1 BYE\r\n");
			put(&o, k == M_BYE ? "User-Agent: Acme-PBX/11.3.2\r\n"
					   : "User-Agent: Acme-Phone/4.2.1 (model 7960)\r\n");
		}
		put_body(&o, "");
		break;
	case M_REGISTER:
		put(&o, "REGISTER sip:sip.example.net SIP/2.0\r\n");
		put(&o, "Via: SIP/2.0/UDP %s:5060;rport;branch=z9hG4bK%s\r\n", c->caller_ip, c->br_inv);
		put(&o, "Max-Forwards: 70\r\n");
		put(&o, "From: <sip:%s@sip.example.net>;tag=%s\r\n", c->caller, c->ftag);
		put(&o, "To: <sip:%s@sip.example.net>\r\n", c->caller);
		put(&o, "Call-ID: %s\r\n", c->call_id);
		put(&o, "CSeq: 2 REGISTER\r\n");
		put(&o, "Contact: <sip:%s@%s:5060;transport=udp>;expires=3600\r\n", c->caller, c->caller_ip);
		put(&o, "Authorization: Digest username=\"%s\", realm=\"sip.example.net\", "
			"nonce=\"%s%s\", uri=\"sip:sip.example.net\", response=\"%s%s\", "
			"algorithm=MD5, cnonce=\"%s\", qop=auth, nc=00000001\r\n",
		    c->caller, c->br_ack, c->br_bye, c->br_inv, c->br_ack, c->ttag);
		put(&o, "Expires: 3600\r\n");
		put(&o, ALLOW);
		put(&o, "Supported: path, gruu\r\n");
		put(&o, "User-Agent: Acme-Phone/4.2.1 (model 7960)\r\n");
		put_body(&o, "");
		break;
	}
	*len = o.len;
	return o.ok;
}

/* ---- checks ------------------------------------------------------------------ */

static bool failed;

static void G_GNUC_PRINTF(1, 2) fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("sipscope-micro: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failed = true;
}

/* What a parse must give: kind, method or status, Call-ID, no warnings. */
static bool parse_check(const char *name, const sip_msg *m, msg_kind k, const call_ids *c)
{
	static const char *const methods[] = {
		[M_INVITE] = "INVITE", [M_ACK] = "ACK", [M_BYE] = "BYE", [M_REGISTER] = "REGISTER",
	};
	static const uint16_t status[] = {
		[M_100] = 100, [M_180] = 180, [M_200_INVITE] = 200, [M_200_BYE] = 200,
	};
	bool request = k == M_INVITE || k == M_ACK || k == M_BYE || k == M_REGISTER;
	const char *why = NULL;
	if (m->kind != (request ? SIP_KIND_REQUEST : SIP_KIND_RESPONSE))
		why = "wrong kind";
	else if (request && !sv_eq_cstr(m->method, methods[k]))
		why = "wrong method";
	else if (!request && m->status != status[k])
		why = "wrong status";
	else if (!sv_eq_cstr(m->call_id, c->call_id))
		why = "Call-ID not found";
	else if (!m->has_cseq || !m->from_tag.p || !m->branch.p)
		why = "CSeq, From tag or branch not found";
	else if ((k == M_INVITE || k == M_200_INVITE) && m->body.len < 100)
		why = "no SDP body";
	else if (m->n_warnings || m->n_warnings_dropped)
		why = "warnings";
	if (!why)
		return true;
	g_autoptr(GString) w = g_string_new(NULL);
	sip_msg_format_warnings(m, w);
	fail("%s: unexpected parse (%s)%s%s", name, why, w->len ? ":\n" : "", w->str);
	return false;
}

/* ---- (a) parse ------------------------------------------------------------- */

typedef struct parse_case {
	const char *name;
	const char *what;
	msg_kind kind;
} parse_case;

static const parse_case parse_cases[] = {
	{ "parse-invite", "INVITE with SDP offer (15 headers)", M_INVITE },
	{ "parse-180", "180 Ringing", M_180 },
	{ "parse-200-sdp", "200 OK with SDP answer", M_200_INVITE },
	{ "parse-ack", "ACK", M_ACK },
	{ "parse-bye", "BYE", M_BYE },
	{ "parse-register", "REGISTER with Authorization", M_REGISTER },
};

static uint64_t parse_loop(sv raw, sip_msg *m, uint64_t n)
{
	uint64_t acc = 0;
	for (uint64_t i = 0; i < n; i++) {
		sip_parse_message(raw, false, m);
		acc += m->n_fields;
	}
	return acc;
}

/* --count: the case's message parsed n times, untimed, for a counter of
 * instructions (callgrind) run twice with two n: the difference over the
 * difference of n is the cost of one parse, whatever the setup costs and
 * however the compiler placed the parse. */
static bool count_parse(const parse_case *pc, uint64_t n)
{
	call_ids c;
	call_ids_make(&c, 42);
	char buf[2048];
	size_t len;
	bool from_callee;
	if (!render(pc->kind, &c, buf, sizeof(buf), &len, &from_callee)) {
		fail("%s: message does not fit", pc->name);
		return false;
	}
	g_autofree uint8_t *bytes = g_memdup2(buf, len);
	g_autofree sip_msg *m = g_new0(sip_msg, 1);
	sink_value += parse_loop(sv_make(bytes, len), m, n);
	printf("%s\t%" PRIu64 "\n", pc->name, n);
	return parse_check(pc->name, m, pc->kind, &c);
}

static bool bench_parse(const parse_case *pc, result *r)
{
	call_ids c;
	call_ids_make(&c, 42);
	char buf[2048];
	size_t len;
	bool from_callee;
	if (!render(pc->kind, &c, buf, sizeof(buf), &len, &from_callee)) {
		fail("%s: message does not fit", pc->name);
		return false;
	}
	/* The message in a buffer of its own size, as in a capture. */
	g_autofree uint8_t *bytes = g_memdup2(buf, len);
	sv raw = sv_make(bytes, len);
	g_autofree sip_msg *m = g_new0(sip_msg, 1);
	r->name = pc->name;
	r->what = pc->what;
	r->bytes = len;
	r->target_ns = pc->kind == M_INVITE ? TARGET_PARSE_INVITE_NS : 0;

	sip_parse_message(raw, false, m);
	if (!parse_check(pc->name, m, pc->kind, &c))
		return false;

	/* Warm up, and size the batches: at least min_time / n_batches each.
	 * Sized by CPU time, which other processes do not inflate, so the
	 * batches last at least that long however busy the machine was. */
	uint64_t n = 1000;
	double per_op;
	for (;;) {
		int64_t c0 = cpu_ns();
		sink_value += parse_loop(raw, m, n);
		int64_t dc = cpu_ns() - c0;
		per_op = (double)(dc > 0 ? dc : 1) / (double)n;
		if (dc >= 50000000)
			break;
		n *= 4;
	}
	uint64_t per_batch = (uint64_t)(min_time / n_batches * 1e9 / per_op) + 1;
	batch v[MAX_BATCHES];
	for (unsigned b = 0; b < n_batches; b++) {
		int64_t c0 = cpu_ns(), t0 = now_ns();
		sink_value += parse_loop(raw, m, per_batch);
		int64_t dt = now_ns() - t0, dc = cpu_ns() - c0;
		v[b] = (batch){ (double)dt / (double)per_batch, dt ? (double)dc / (double)dt : 1 };
	}
	result_set(r, v, n_batches, per_batch * n_batches);
	return parse_check(pc->name, m, pc->kind, &c);
}

/* ---- (b) the pipeline -------------------------------------------------------- */

/* Milliseconds after the INVITE: ringing at once, answered after 2.5 s,
 * hung up 3 s later; calls start every 40 ms, so about 140 are up at once. */
static const int64_t msg_offset_ms[M__CALL] = { 0, 8, 120, 2500, 2520, 5500, 5530 };
enum { CALL_SPACING_MS = 40 };
static const int64_t base_ts_ns = INT64_C(1767225600) * 1000000000; /* 2026-01-01 */

typedef struct calls_set {
	uint32_t n_calls;
	size_t n_frames;
	cap_frame *frames;  /* in capture order */
	uint8_t *bytes;     /* the frames' bytes, one after the other */
	size_t n_bytes;
	size_t sip_bytes;   /* SIP text only */
} calls_set;

typedef struct slot {
	int64_t ts;
	uint32_t call;
	uint8_t kind;
} slot;

static int cmp_slot(const void *a, const void *b)
{
	const slot *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->call != y->call)
		return x->call < y->call ? -1 : 1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet, IPv4 (checksum filled in), UDP (no checksum, as IPv4 allows). */
enum { HDR_LEN = 14 + 20 + 8 };

static void put_headers(uint8_t *f, const uint8_t src[4], const uint8_t dst[4], size_t sip_len, uint16_t ip_id)
{
	static const uint8_t mac_proxy[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	static const uint8_t mac_host[6] = { 0x02, 0x00, 0x5e, 0x20, 0x00, 0x02 };
	bool to_host = src[0] == 203;
	memcpy(f, to_host ? mac_host : mac_proxy, 6);
	memcpy(f + 6, to_host ? mac_proxy : mac_host, 6);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (unsigned)(20 + 8 + sip_len));
	put16(ip + 4, ip_id);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 17;
	put16(ip + 10, 0);
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
	uint8_t *udp = ip + 20;
	put16(udp, 5060);
	put16(udp + 2, 5060);
	put16(udp + 4, (unsigned)(8 + sip_len));
	put16(udp + 6, 0);
}

static bool calls_build(calls_set *s, uint32_t n_calls)
{
	static const uint8_t proxy[4] = { 203, 0, 113, 10 };
	memset(s, 0, sizeof(*s));
	s->n_calls = n_calls;
	s->n_frames = (size_t)n_calls * M__CALL;
	g_autofree slot *order = g_new(slot, s->n_frames);
	for (uint32_t i = 0; i < n_calls; i++)
		for (unsigned k = 0; k < M__CALL; k++)
			order[(size_t)i * M__CALL + k] = (slot){
				.ts = ((int64_t)i * CALL_SPACING_MS + msg_offset_ms[k]) * 1000000,
				.call = i,
				.kind = (uint8_t)k,
			};
	qsort(order, s->n_frames, sizeof(slot), cmp_slot);

	enum { MAX_FRAME = 1514 };
	s->bytes = g_malloc((size_t)s->n_frames * MAX_FRAME);
	s->frames = g_new0(cap_frame, s->n_frames);
	size_t off = 0;
	for (size_t j = 0; j < s->n_frames; j++) {
		call_ids c;
		call_ids_make(&c, order[j].call);
		size_t len;
		bool from_callee;
		uint8_t *f = s->bytes + off;
		if (!render(order[j].kind, &c, (char *)f + HDR_LEN, MAX_FRAME - HDR_LEN, &len, &from_callee)) {
			fail("a message of call %u does not fit in one frame", order[j].call);
			return false;
		}
		put_headers(f, from_callee ? c.callee_addr : proxy, from_callee ? proxy : c.callee_addr,
			    len, (uint16_t)j);
		size_t flen = HDR_LEN + len;
		s->frames[j] = (cap_frame){
			.num = j + 1,
			.ts_ns = base_ts_ns + order[j].ts,
			.linktype = LINKTYPE_ETHERNET,
			.caplen = (uint32_t)flen,
			.wirelen = (uint32_t)flen,
			.record = j + 1,
		};
		off += (flen + 7) & ~(size_t)7;
		s->sip_bytes += len;
	}
	s->n_bytes = off;
	/* Views into the frames only once the buffer stops moving. */
	s->bytes = g_realloc(s->bytes, off);
	off = 0;
	for (size_t j = 0; j < s->n_frames; j++) {
		s->frames[j].data = sv_make(s->bytes + off, s->frames[j].caplen);
		off += (s->frames[j].caplen + 7) & ~(size_t)7;
	}
	return true;
}

static void calls_free(calls_set *s)
{
	g_free(s->frames);
	g_free(s->bytes);
}

/* What a pass saw, checked after it. */
typedef struct pass_count {
	uint64_t messages, invalid, warnings, unmodelled;
} pass_count;

/* The model's state after a pass: one call and one dialog per call, each
 * answered and ended by its BYE. */
static bool model_check(const char *name, const sip_model *model, const calls_set *s, const pass_count *pc)
{
	if (pc->messages != s->n_frames || pc->invalid || pc->warnings || pc->unmodelled) {
		fail("%s: %" PRIu64 " messages of %zu, %" PRIu64 " invalid, %" PRIu64
		     " with warnings, %" PRIu64 " not modelled",
		     name, pc->messages, s->n_frames, pc->invalid, pc->warnings, pc->unmodelled);
		return false;
	}
	if (sip_model_message_count(model) != s->n_frames || sip_model_call_count(model) != s->n_calls ||
	    sip_model_dialog_count(model) != s->n_calls) {
		fail("%s: model has %u messages, %u calls, %u dialogs (expected %zu, %u, %u)", name,
		     sip_model_message_count(model), sip_model_call_count(model),
		     sip_model_dialog_count(model), s->n_frames, s->n_calls, s->n_calls);
		return false;
	}
	for (sip_id i = 0; i < s->n_calls; i++) {
		const sip_call *c = sip_model_call(model, i);
		if (!c || c->state != CALL_STATE_ANSWERED || c->messages->len != M__CALL) {
			fail("%s: call %u is %s with %u messages (expected answered, %d)", name, i,
			     c ? call_state_name(c->state) : "missing", c ? c->messages->len : 0, M__CALL);
			return false;
		}
	}
	for (sip_id i = 0; i < s->n_calls; i++) {
		const sip_dialog *d = sip_model_dialog(model, i);
		if (!d || d->state != DLG_STATE_TERMINATED) {
			fail("%s: dialog %u is %s (expected terminated)", name, i,
			     d ? dlg_state_name(d->state) : "missing");
			return false;
		}
	}
	return true;
}

static int64_t pass_cpu; /* CPU time of the last pass's timed part */

/* The stages wired as app/pipeline.c wires them for `sipscope --stats`. */
typedef struct stages {
	arena mem;
	cap_decoder *dec;
	cap_sipframer *framer;
	sip_msg *parsed;
	sip_model *model;
	pass_count count;
} stages;

static void on_sipmsg(void *user, const cap_sipmsg *m)
{
	stages *st = user;
	sip_parse_message(m->data, m->transport != SIP_TRANSPORT_UDP, st->parsed);
	st->count.messages++;
	if (st->parsed->kind == SIP_KIND_INVALID)
		st->count.invalid++;
	if (st->parsed->n_warnings)
		st->count.warnings++;
	sip_msg_meta meta = pipeline_message_meta(m);
	sip_id id = sip_model_add(st->model, &meta, st->parsed);
	if (!sip_model_message(st->model, id))
		st->count.unmodelled++;
}

static void on_payload(void *user, const cap_payload *pl)
{
	stages *st = user;
	cap_sipframer_feed(st->framer, pl);
}

static void stages_open(stages *st)
{
	memset(st, 0, sizeof(*st));
	arena_init(&st->mem, 0);
	st->dec = cap_decoder_new(&st->mem, on_payload, st);
	st->framer = cap_sipframer_new(&st->mem, on_sipmsg, st);
	st->parsed = g_new0(sip_msg, 1);
	st->model = sip_model_new();
}

static void stages_close(stages *st)
{
	cap_sipframer_free(st->framer);
	cap_decoder_free(st->dec);
	g_free(st->parsed);
	sip_model_free(st->model);
	arena_free(&st->mem);
}

/* One pass over every frame with fresh stages: the time of the feeding. */
static int64_t stages_pass(const calls_set *s, bool check)
{
	stages st;
	stages_open(&st);
	int64_t c0 = cpu_ns(), t0 = now_ns();
	for (size_t j = 0; j < s->n_frames; j++)
		cap_decoder_feed(st.dec, &s->frames[j]);
	int64_t dt = now_ns() - t0;
	pass_cpu = cpu_ns() - c0;
	if (check) {
		cap_sipframer_flush(st.framer);
		sip_model_finish(st.model, s->frames[s->n_frames - 1].ts_ns);
		const cap_decode_stats *ds = cap_decoder_stats(st.dec);
		if (ds->payloads != s->n_frames || ds->malformed || ds->truncated)
			fail("pipeline: decoder handed on %" PRIu64 " payloads of %zu frames (%" PRIu64
			     " malformed)", ds->payloads, s->n_frames, ds->malformed);
		model_check("pipeline", st.model, s, &st.count);
	}
	stages_close(&st);
	return dt;
}

/* app/pipeline.c over the frames as a pcap file in memory. */
typedef struct app_run {
	char path[64];
	int fd;
} app_run;

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
	}
	return true;
}

/* Classic pcap, microsecond timestamps, Ethernet. */
static bool app_open(app_run *a, const calls_set *s)
{
	a->fd = memfd_create("sipscope-micro.pcap", MFD_CLOEXEC);
	if (a->fd < 0) {
		fail("memfd_create: %s", strerror(errno));
		return false;
	}
	snprintf(a->path, sizeof(a->path), "/proc/self/fd/%d", a->fd);
	uint8_t gh[24];
	put32le(gh, 0xa1b2c3d4);
	gh[4] = 2, gh[5] = 0, gh[6] = 4, gh[7] = 0;
	put32le(gh + 8, 0);
	put32le(gh + 12, 0);
	put32le(gh + 16, 65535);
	put32le(gh + 20, LINKTYPE_ETHERNET);
	bool ok = write_all(a->fd, gh, sizeof(gh));
	for (size_t j = 0; ok && j < s->n_frames; j++) {
		const cap_frame *f = &s->frames[j];
		uint8_t rh[16];
		put32le(rh, (uint32_t)(f->ts_ns / 1000000000));
		put32le(rh + 4, (uint32_t)(f->ts_ns % 1000000000 / 1000));
		put32le(rh + 8, f->caplen);
		put32le(rh + 12, f->wirelen);
		ok = write_all(a->fd, rh, sizeof(rh)) && write_all(a->fd, f->data.p, f->data.len);
	}
	if (!ok) {
		fail("writing the in-memory capture: %s", strerror(errno));
		close(a->fd);
		return false;
	}
	return true;
}

static int64_t app_pass(const app_run *a, const calls_set *s, bool check)
{
	char *files[] = { (char *)a->path, NULL };
	options o = { .read_files = files, .mode = OUT_REPORT, .stats = true, .quiet = true };
	/* no message hook, as --stats has none: the counts come from the
	 * pipeline's counters afterwards */
	pipeline_hooks hooks = { 0 };
	int status = 0;
	GError *err = NULL;
	pipeline *p = pipeline_open(&o, &hooks, false, &status, &err);
	if (!p) {
		fail("pipeline-app: %s", err->message);
		g_error_free(err);
		return -1;
	}
	/* As run_offline drives it. */
	int64_t c0 = cpu_ns(), t0 = now_ns();
	while (pipeline_step(p, 64))
		;
	int64_t dt = now_ns() - t0;
	pass_cpu = cpu_ns() - c0;
	if (check) {
		pipeline_finish(p);
		const pipeline_counters *c = pipeline_counters_get(p);
		if (c->frames_read != s->n_frames || pipeline_errors(p)->len)
			fail("pipeline-app: read %" PRIu64 " frames of %zu", c->frames_read, s->n_frames);
		guint held = sip_model_message_count(pipeline_model(p));
		pass_count pc = {
			.messages = c->messages,
			.invalid = c->invalid,
			.warnings = c->with_warnings,
			.unmodelled = c->messages > held ? c->messages - held : 0,
		};
		model_check("pipeline-app", pipeline_model(p), s, &pc);
	}
	pipeline_free(p);
	return dt;
}

typedef int64_t (*pass_fn)(const void *ctx, const calls_set *s, bool check);

static int64_t stages_pass_fn(const void *ctx, const calls_set *s, bool check)
{
	(void)ctx;
	return stages_pass(s, check);
}

static int64_t app_pass_fn(const void *ctx, const calls_set *s, bool check)
{
	return app_pass(ctx, s, check);
}

/* Passes with fresh state; a batch is as many passes as last
 * min_time / n_batches.  The first pass warms up and is checked, and so is
 * the last one. */
static bool bench_passes(pass_fn fn, const void *ctx, const calls_set *s, result *r)
{
	if (fn(ctx, s, true) < 0 || failed)
		return false;
	if (fn(ctx, s, false) < 0)
		return false;
	/* Sized by CPU time, as for the parse cases. */
	double batch_ns = min_time / n_batches * 1e9;
	unsigned passes = (unsigned)(batch_ns / (double)(pass_cpu > 0 ? pass_cpu : 1)) + 1;
	batch v[MAX_BATCHES];
	for (unsigned b = 0; b < n_batches; b++) {
		int64_t sum = 0, cpu = 0;
		for (unsigned k = 0; k < passes; k++) {
			int64_t dt = fn(ctx, s, b == n_batches - 1 && k == passes - 1);
			if (dt < 0)
				return false;
			sum += dt;
			cpu += pass_cpu;
		}
		v[b] = (batch){ (double)sum / ((double)passes * (double)s->n_frames),
				sum ? (double)cpu / (double)sum : 1 };
	}
	result_set(r, v, n_batches, (uint64_t)passes * n_batches * s->n_frames);
	return !failed;
}

/* ---- main -------------------------------------------------------------------- */

static bool wanted(char **only, const char *name)
{
	if (!only)
		return true;
	for (char **p = only; *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sipscope-micro [--tsv] [--min-time SECONDS] [--batches N] [--calls N] [--only CASE,...]\n"
		   "       sipscope-micro --count N [--only CASE,...]   (each parse case N times, untimed,\n"
		   "                                                  for an instruction counter)\n"
		   "       sipscope-micro --show   (prints the messages of the parse cases)\n"
		   "cases: parse-invite parse-180 parse-200-sdp parse-ack parse-bye parse-register pipeline pipeline-app\n");
}

/* --show: the parse cases' messages (the pipeline's calls differ only in
 * their ids, addresses and direction of the BYE). */
static int show_messages(void)
{
	call_ids c;
	call_ids_make(&c, 42);
	for (size_t i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
		char buf[2048];
		size_t len;
		bool from_callee;
		if (!render(parse_cases[i].kind, &c, buf, sizeof(buf), &len, &from_callee))
			return 1;
		printf("==== %s: %s, %zu bytes\n", parse_cases[i].name, parse_cases[i].what, len);
		fwrite(buf, 1, len, stdout);
		printf("\n");
	}
	return 0;
}

static void print_table(const result *rs, size_t n, const calls_set *s)
{
	printf("%-15s %-38s %6s %11s %12s %8s %5s %10s  %s\n", "case", "what", "bytes", "ns/op best",
	       "ns/op median", "bytes/ns", "cpu%", "ops timed", "target");
	for (size_t i = 0; i < n; i++) {
		const result *r = &rs[i];
		char bytes[24] = "", bpn[32] = "", target[48] = "";
		if (r->bytes) {
			snprintf(bytes, sizeof(bytes), "%zu", r->bytes);
			snprintf(bpn, sizeof(bpn), "%.2f", (double)r->bytes / r->best_ns);
		}
		if (r->target_ns)
			snprintf(target, sizeof(target), "< %.0f ns: %s", r->target_ns,
				 r->best_ns < r->target_ns ? "met" : "NOT met");
		printf("%-15s %-38s %6s %11.1f %12.1f %8s %5.0f %10" PRIu64 "  %s\n", r->name, r->what, bytes,
		       r->best_ns, r->median_ns, bpn, 100 * r->cpu_share, r->ops, target);
	}
	if (s)
		printf("\npipeline cases: %u calls, %zu messages per pass (%.0f bytes of SIP on average), "
		       "fresh state per pass; ns/op is per message.\n",
		       s->n_calls, s->n_frames, (double)s->sip_bytes / (double)s->n_frames);
	printf("best and median of %u batches, at least %.2f s per case in all; cpu%%: CPU time / wall\n"
	       "time of the best batch (below 100: other processes took the CPU from it).\n",
	       n_batches, min_time);
}

int main(int argc, char **argv)
{
	bool tsv = false;
	unsigned long n_calls = 20000;
	char **only = NULL;
	uint64_t count = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;
		if (strcmp(a, "--tsv") == 0) {
			tsv = true;
		} else if (strcmp(a, "--min-time") == 0 && v) {
			min_time = strtod(v, &end);
			if (*end || !(min_time > 0 && min_time <= 3600))
				goto bad;
			i++;
		} else if (strcmp(a, "--batches") == 0 && v) {
			unsigned long b = strtoul(v, &end, 10);
			if (*end || b < 1 || b > MAX_BATCHES)
				goto bad;
			n_batches = (unsigned)b;
			i++;
		} else if (strcmp(a, "--calls") == 0 && v) {
			n_calls = strtoul(v, &end, 10);
			if (*end || n_calls < 1 || n_calls > 1000000)
				goto bad;
			i++;
		} else if (strcmp(a, "--count") == 0 && v) {
			count = strtoull(v, &end, 10);
			if (*end || count < 1 || count > UINT64_C(1000000000))
				goto bad;
			i++;
		} else if (strcmp(a, "--only") == 0 && v) {
			g_strfreev(only);
			only = g_strsplit(v, ",", -1);
			i++;
		} else if (strcmp(a, "--show") == 0) {
			g_strfreev(only);
			return show_messages();
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			goto bad;
		}
	}

	if (count) {
		for (size_t i = 0; i < G_N_ELEMENTS(parse_cases); i++)
			if (wanted(only, parse_cases[i].name))
				count_parse(&parse_cases[i], count);
		g_strfreev(only);
		return failed ? 1 : 0;
	}

	result rs[G_N_ELEMENTS(parse_cases) + 2];
	size_t nr = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
		if (!wanted(only, parse_cases[i].name))
			continue;
		memset(&rs[nr], 0, sizeof(rs[nr]));
		if (bench_parse(&parse_cases[i], &rs[nr]))
			nr++;
	}

	calls_set s;
	bool have_calls = false;
	if (wanted(only, "pipeline") || wanted(only, "pipeline-app")) {
		have_calls = calls_build(&s, (uint32_t)n_calls);
		if (have_calls && wanted(only, "pipeline")) {
			result *r = &rs[nr];
			*r = (result){ .name = "pipeline", .what = "frame -> decoder, framer, parse, model",
				       .target_ns = TARGET_PIPELINE_NS };
			if (bench_passes(stages_pass_fn, NULL, &s, r))
				nr++;
		}
		app_run a;
		if (have_calls && wanted(only, "pipeline-app") && app_open(&a, &s)) {
			result *r = &rs[nr];
			*r = (result){ .name = "pipeline-app", .what = "pcap record -> app/pipeline.c, model",
				       .target_ns = TARGET_PIPELINE_NS };
			if (bench_passes(app_pass_fn, &a, &s, r))
				nr++;
			close(a.fd);
		}
	}

	if (tsv) {
		for (size_t i = 0; i < nr; i++)
			printf("%s\t%.1f\t%" PRIu64 "\n", rs[i].name, rs[i].best_ns, rs[i].ops);
		for (size_t i = 0; i < nr; i++)
			printf("#median\t%s\t%.1f\n", rs[i].name, rs[i].median_ns);
		for (size_t i = 0; i < nr; i++)
			printf("#cpu\t%s\t%.3f\n", rs[i].name, rs[i].cpu_share);
		for (size_t i = 0; i < nr; i++)
			if (rs[i].bytes)
				printf("#bytes\t%s\t%zu\n", rs[i].name, rs[i].bytes);
		if (have_calls)
			printf("#pipeline\t%u\t%zu\n", s.n_calls, s.n_frames);
		printf("#batches\t%u\t%.2f\n", n_batches, min_time);
	} else {
		print_table(rs, nr, have_calls ? &s : NULL);
	}
	if (have_calls)
		calls_free(&s);
	g_strfreev(only);
	return failed ? 1 : 0;

bad:
	usage(stderr);
	g_strfreev(only);
	return 2;
}
