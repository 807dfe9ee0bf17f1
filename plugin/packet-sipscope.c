/*
 * packet-sipscope.c — sipscope's engine inside Wireshark and tshark: an
 * epan plugin registering the protocol "sipscope", which shows for every
 * SIP message the RFC 3261 transaction, dialog and call it belongs to,
 * whether it is a retransmission, and the findings (dissect/findings.h) it
 * takes part in, as fields usable in display filters, columns, expert info
 * and tshark -T fields.
 *
 * How it gets the messages: a postdissector.  It runs after every other
 * dissector on every frame and takes the SIP messages Wireshark's own SIP
 * dissector found, so SIP is recognised, reassembled (IP fragments, TCP
 * segments, WebSocket frames) and split (several messages in one segment)
 * exactly as Wireshark shows it, with its preferences.  The "sip" tap is
 * not enough (sip_info_value_t carries a few decoded fields, not the
 * bytes) and wrapping the SIP dissector would mean re-registering it on
 * every port, heuristic list and media type it is reachable from.  The
 * postdissector asks for the fields it needs (set_postdissector_wanted_hfids:
 * the "sip" protocol item, the method of a request line and the code of a
 * status line, the UDP payload and length), which makes tshark and
 * Wireshark build a protocol tree on the first pass and keep those items
 * in it.  Every "sip" item with a request or status line is one message
 * (items without one are continuation data or keep-alives).  Its bytes
 * start where the item starts, in the item's data source (the frame, or
 * the buffer Wireshark reassembled), and run to the next "sip" item of
 * that source or its end: over UDP to the end of the datagram (UDP payload
 * and length), as for the sipscope command line; over TCP, SCTP and
 * WebSocket to where Content-Length says the message ends.  The item's own
 * length cannot be used: Wireshark sets it once the message is dissected,
 * and not at all in a tree nobody looks at, which is what tshark builds on
 * the first pass.  Frames carrying ICMP are skipped: the SIP in them is a
 * copy quoted in an error.
 *
 * Passes: Wireshark dissects frames once in order (the first, sequential
 * pass; !PINFO_FD_VISITED) and then again in any order whenever a user
 * clicks or filters.  Messages go into one sip_model, in frame order, on
 * the first pass only; each message keeps a 16-byte record by its model id
 * (where its bytes lie, the states right after it, the message it
 * retransmits), and a frame finds its messages by its number, since the
 * model numbers messages in frame order.  Every pass builds the tree from
 * those records and the model; in a tree nobody looks at (tshark without
 * -V or -T, a filter on other fields, Wireshark's first pass) only what a
 * filter, column or expert info needs is added.
 *
 * Which state is shown: the *.state fields (and the findings) are what
 * the model and the findings detector know when the frame is displayed.
 * Once the first pass has ended (tshark -2, the Wireshark GUI after
 * loading a file) that is the state at the end of the capture, with the
 * timers judged (sip_model_finish, then findings_finish, run from the
 * post-sequential-pass routine), which is what `sipscope --json` prints
 * and what one filters for ("dialogs still confirmed when the capture
 * ended").  In tshark's default single pass a frame is printed before the
 * next is read, so there it is the state so far.  The *.state_after
 * fields never change: the state right after this message, the same in
 * every pass and tool.
 *
 * Memory: the model keeps views into the messages' bytes, which Wireshark
 * does not keep between dissections, so every message is copied into an
 * arena that lives, with the model, until the capture file is closed
 * (register_cleanup_routine); register_init_routine starts both afresh for
 * each file and each full redissection.  This costs about the size of the
 * SIP messages of the capture, plus the model's few hundred bytes and the
 * plugin's 16 bytes per message.
 *
 * Preferences sipscope.t1, sipscope.t4 (milliseconds) and
 * sipscope.timer_c (seconds) are the timers the model judges by (RFC 3261
 * defaults: 500, 5000, 180).  A model takes its timers before its first
 * message, so they are read where the model is made, in the init routine:
 * a changed preference redissects everything, which makes a new model
 * with the new values.  A value out of range (0, or above 60000 ms or
 * 86400 s) counts as the default.
 *
 * All packet bytes are read through tvb accessors after a bounds check
 * (captured length); nothing from the wire is used as a format string, and
 * strings shown from the wire are reduced to printable ASCII.
 */
#define WS_BUILD_DLL
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/proto_data.h>

#include "base/arena.h"
#include "base/bytes.h"
#include "base/endpoint.h"
#include "dissect/findings.h"
#include "dissect/model.h"
#include "dissect/sip.h"

#ifndef SIPSCOPE_VERSION
#define SIPSCOPE_VERSION "0.0.0"
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = SIPSCOPE_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

/* A state snapshot that was not taken (no transaction, dialog or call). */
enum { SS_NO_STATE = 0xff };
/* How far back a retransmission looks in its call for the original. */
enum { SS_ORIG_SCAN = 4096 };
/* Longest wire string shown (methods): longer ones are cut. */
enum { SS_STR_MAX = 64 };
/* Largest stream message copied before its end is known: beyond it, the
 * bytes are parsed in place first, so that no more than the message is
 * kept. */
enum { SS_COPY_AHEAD_MAX = 16384 };

/* What the first pass leaves for one SIP message, kept by message id (16
 * bytes).  Its frame and length are the model's (frame, raw.len): the
 * model numbers messages in the order of their frames, so a frame's
 * messages are found by their frame number with no per-frame record. */
typedef struct ss_rec {
	sip_id orig;           /* retransmissions: the message retransmitted, else SIP_ID_NONE */
	guint32 start;         /* its first byte in data source ds */
	guint16 ds;            /* index in pinfo->data_src; G_MAXUINT16: unknown */
	guint8 txn_after, dlg_after, call_after; /* states right after it, or SS_NO_STATE */
} ss_rec;

/* Records come in fixed chunks: a growing array would move (and for a
 * while double) what the whole capture keeps. */
enum { SS_REC_CHUNK = 4096 };

/* The engine for the capture file being dissected. */
static struct {
	sip_model *model;
	findings *found;       /* the findings detector on the model */
	arena bytes;           /* copies of the messages the model's views point into */
	sip_msg *parsed;       /* reused for every message */
	GPtrArray *recs;       /* ss_rec[SS_REC_CHUNK] chunks, by message id */
	guint hint;            /* message after the last frame looked up */
	gint64 last_ts;        /* newest frame time of the first pass (ns) */
	gboolean finished;     /* sip_model_finish ran */
} ss;

static int proto_sipscope = -1;
static int proto_sip = -1;
static int proto_icmp = -1;
static int proto_icmpv6 = -1;
static int proto_websocket = -1;
static int proto_tls = -1;
static int hf_sip_method = -1;
static int hf_sip_status_code = -1;
static int hf_udp_payload = -1;
static int hf_udp_length = -1;

static int hf_msg = -1;
static int hf_msg_length = -1;
static int hf_txn = -1;
static int hf_txn_method = -1;
static int hf_txn_state = -1;
static int hf_txn_state_after = -1;
static int hf_txn_end = -1;
static int hf_txn_request_frame = -1;
static int hf_txn_final_frame = -1;
static int hf_txn_final_status = -1;
static int hf_txn_parent = -1;
static int hf_response_time = -1;
static int hf_retransmission = -1;
static int hf_retransmission_of = -1;
static int hf_dialog = -1;
static int hf_dialog_state = -1;
static int hf_dialog_state_after = -1;
static int hf_dialog_end_reason = -1;
static int hf_call = -1;
static int hf_call_state = -1;
static int hf_call_state_after = -1;
static int hf_finding = -1;
static int hf_finding_severity = -1;
static int hf_finding_rfc = -1;
static int hf_finding_summary = -1;

static gint ett_sipscope = -1;
static gint ett_txn = -1;
static gint ett_dialog = -1;
static gint ett_call = -1;
static gint ett_finding = -1;

static expert_field ei_retransmission = EI_INIT;
static expert_field ei_no_final = EI_INIT;
static expert_field ei_finding_error = EI_INIT;
static expert_field ei_finding_warning = EI_INIT;
static expert_field ei_finding_info = EI_INIT;

static dissector_handle_t sipscope_handle;

/* Preferences: the model's timers, in the units users set them in. */
enum { SS_T1_DEFAULT_MS = 500, SS_T4_DEFAULT_MS = 5000, SS_TIMER_C_DEFAULT_S = 180 };
enum { SS_T_MAX_MS = 60000, SS_TIMER_C_MAX_S = 86400 };
static guint pref_t1_ms = SS_T1_DEFAULT_MS;
static guint pref_t4_ms = SS_T4_DEFAULT_MS;
static guint pref_timer_c_s = SS_TIMER_C_DEFAULT_S;

/* ---- life of the engine ------------------------------------------------ */

static void sipscope_cleanup(void)
{
	if (ss.model) {
		findings_free(ss.found);
		ss.found = NULL;
		sip_model_free(ss.model);
		ss.model = NULL;
		arena_free(&ss.bytes);
	}
	g_free(ss.parsed);
	ss.parsed = NULL;
	if (ss.recs) {
		g_ptr_array_free(ss.recs, TRUE);
		ss.recs = NULL;
	}
}

/* The timers of the preferences; a value out of range keeps the default
 * (a uint preference has no range of its own). */
static sip_timers timers_from_prefs(void)
{
	sip_timers t = SIP_TIMERS_DEFAULT;
	if (pref_t1_ms >= 1 && pref_t1_ms <= SS_T_MAX_MS)
		t.t1_ns = (gint64)pref_t1_ms * 1000000;
	if (pref_t4_ms >= 1 && pref_t4_ms <= SS_T_MAX_MS)
		t.t4_ns = (gint64)pref_t4_ms * 1000000;
	if (pref_timer_c_s >= 1 && pref_timer_c_s <= SS_TIMER_C_MAX_S)
		t.timer_c_ns = (gint64)pref_timer_c_s * 1000000000;
	return t;
}

/* A fresh engine for each capture file (and each full redissection, which
 * a changed preference brings). */
static void sipscope_init(void)
{
	sipscope_cleanup();
	ss.model = sip_model_new();
	sip_timers timers = timers_from_prefs();
	/* a new model with values in range: this cannot fail */
	sip_model_set_timers(ss.model, &timers);
	ss.found = findings_new(ss.model);
	arena_init(&ss.bytes, 0);
	ss.parsed = g_new(sip_msg, 1);
	ss.recs = g_ptr_array_new_with_free_func(g_free);
	ss.hint = 0;
	ss.last_ts = 0;
	ss.finished = FALSE;
}

/* After the first pass (file read, live capture stopped): judge the timers
 * at the time of the last frame.  Nothing new is dissected in order after
 * it until the next init; a message that still came would be added to the
 * finished model as any other. */
static void sipscope_postseq(void)
{
	if (ss.model && !ss.finished) {
		sip_model_finish(ss.model, ss.last_ts);
		findings_finish(ss.found);
		ss.finished = TRUE;
	}
}

/* ---- first pass: feed the model ------------------------------------------ */

static gint64 ts_ns(const nstime_t *t)
{
	return (gint64)t->secs * 1000000000 + t->nsecs;
}

static void endpoint_from(endpoint *e, const address *a, guint32 port)
{
	memset(e, 0, sizeof(*e));
	if (a->type == AT_IPv4 && a->len == 4 && a->data) {
		e->family = EP_IPV4;
		memcpy(e->addr, a->data, 4);
	} else if (a->type == AT_IPv6 && a->len == 16 && a->data) {
		e->family = EP_IPV6;
		memcpy(e->addr, a->data, 16);
	}
	e->port = (uint16_t)port;
}

enum { LAYER_ICMP = 1u << 0, LAYER_WS = 1u << 1, LAYER_TLS = 1u << 2 };

/* The protocols of the frame that matter here, in one walk of its layers
 * (protocol ids). */
static unsigned frame_layers(const packet_info *pinfo)
{
	unsigned found = 0;
	if (!pinfo->layers)
		return 0;
	for (wmem_list_frame_t *f = wmem_list_head(pinfo->layers); f; f = wmem_list_frame_next(f)) {
		int id = GPOINTER_TO_INT(wmem_list_frame_data(f));
		if (id <= 0)
			continue;
		if (id == proto_icmp || id == proto_icmpv6)
			found |= LAYER_ICMP;
		else if (id == proto_websocket)
			found |= LAYER_WS;
		else if (id == proto_tls)
			found |= LAYER_TLS;
	}
	return found;
}

static const char *transport_of(const packet_info *pinfo, unsigned layers)
{
	if (layers & LAYER_WS)
		return "WS";
	switch (pinfo->ptype) {
	case PT_TCP:
		return layers & LAYER_TLS ? "TLS" : "TCP";
	case PT_SCTP:
		return "SCTP";
	default:
		return "UDP";
	}
}

/* Index of tvb among the frame's data sources, or G_MAXUINT16. */
static guint16 data_source_index(const packet_info *pinfo, const tvbuff_t *tvb)
{
	guint16 i = 0;
	for (GSList *l = pinfo->data_src; l && i < G_MAXUINT16; l = l->next, i++)
		if (get_data_source_tvb((const struct data_source *)l->data) == tvb)
			return i;
	return G_MAXUINT16;
}

/* Consumes the next start line of lines (from *next) if it lies in
 * [item start, end) of item's data source: start lines come in the order
 * of their items.  Lines left behind by items that were not fed are
 * dropped on the way. */
static gboolean take_line(const GPtrArray *lines, guint *next, const field_info *item, gint end)
{
	if (!lines)
		return FALSE;
	while (*next < lines->len) {
		const field_info *l = g_ptr_array_index(lines, *next);
		if (l->ds_tvb == item->ds_tvb && l->start < item->start) {
			(*next)++;
			continue;
		}
		if (l->ds_tvb != item->ds_tvb || l->start >= end)
			return FALSE;
		(*next)++;
		return TRUE;
	}
	return FALSE;
}

/* Start of the next "sip" item in the same data source as item i, else
 * the end of that source's captured bytes. */
static gint next_item_start(const GPtrArray *sips, guint i)
{
	const field_info *fi = g_ptr_array_index(sips, i);
	gint end = (gint)tvb_captured_length(fi->ds_tvb);
	for (guint j = i + 1; j < sips->len; j++) {
		const field_info *n = g_ptr_array_index(sips, j);
		if (n->ds_tvb == fi->ds_tvb && n->start > fi->start) {
			if (n->start < end)
				end = n->start;
			break;
		}
	}
	return end;
}

/* Where the messages fed so far end, per data source: a "sip" item that
 * starts before that is a message carried in a body (message/sip), part
 * of the message that carries it. */
enum { SS_MAX_SOURCES = 8 };
typedef struct fed_end {
	const tvbuff_t *ds;
	gint end;
} fed_end;

static gint fed_end_of(const fed_end *fed, guint n, const tvbuff_t *ds)
{
	for (guint i = 0; i < n; i++)
		if (fed[i].ds == ds)
			return fed[i].end;
	return 0;
}

static void fed_end_set(fed_end *fed, guint *n, const tvbuff_t *ds, gint end)
{
	for (guint i = 0; i < *n; i++)
		if (fed[i].ds == ds) {
			fed[i].end = end;
			return;
		}
	if (*n < SS_MAX_SOURCES)
		fed[(*n)++] = (fed_end){ ds, end };
}

/* Length of a message on a stream transport, parsed from bytes that may
 * run on past it: start line and headers, then Content-Length bytes of
 * body (all there is when they are not all there).  Without
 * Content-Length the body is taken as empty over TCP, as sipscope's
 * framer does (RFC 3261 section 18.3), and as the rest of the data up to
 * the next SIP item (next, from the message's start) over the
 * message-oriented SCTP and WebSocket. */
static size_t stream_length(const sip_msg *m, gboolean bytestream, gint next)
{
	sv raw = m->raw;
	size_t upto = next > 0 && (size_t)next < raw.len ? (size_t)next : raw.len;
	if (!m->headers_ended || !m->body.p || m->body.p < raw.p || m->body.p > raw.p + raw.len)
		return upto;
	size_t body_start = (size_t)(m->body.p - raw.p);
	if (!m->has_content_length)
		return bytestream ? body_start : MAX(upto, body_start);
	if (m->content_length > raw.len - body_start)
		return raw.len;
	return body_start + m->content_length;
}

/* Over UDP a message runs to the end of its datagram: the end of the
 * innermost UDP payload item holding its start, which Wireshark bounds by
 * the IP length, or earlier where the UDP length says so.  Returns the end
 * offset, or -1 when not found. */
static gint udp_datagram_end(const GPtrArray *payloads, const GPtrArray *lengths,
			     const field_info *item)
{
	const field_info *p = NULL;
	for (guint i = payloads ? payloads->len : 0; i-- > 0;) {
		const field_info *c = g_ptr_array_index(payloads, i);
		if (c->ds_tvb == item->ds_tvb && c->start <= item->start &&
		    item->start - c->start < c->length) {
			p = c;
			break;
		}
	}
	if (!p)
		return -1;
	gint end = p->start + p->length;
	/* The UDP length field sits 4 bytes before the payload. */
	for (guint i = lengths ? lengths->len : 0; i-- > 0;) {
		field_info *l = g_ptr_array_index(lengths, i);
		if (l->ds_tvb != p->ds_tvb || l->start != p->start - 4)
			continue;
		guint32 ulen = fvalue_get_uinteger(&l->value);
		if (ulen >= 8 && ulen - 8 < (guint32)(end - p->start))
			end = p->start + (gint)(ulen - 8);
		break;
	}
	return end;
}

static gboolean tags_equal(const sip_message *a, const sip_message *b)
{
	return sv_eq_ci(sip_message_field(a, SIP_FIELD_TO_TAG), sip_message_field(b, SIP_FIELD_TO_TAG));
}

/* The message a retransmission repeats: the newest earlier message of its
 * transaction that is not itself a retransmission, with the same method
 * (requests; an ACK repeats the ACK) or the same status and To tag
 * (responses). */
static sip_id find_original(const sip_model *m, const sip_message *msg)
{
	const sip_call *c = sip_model_call(m, msg->call);
	sv method = sip_message_field(msg, SIP_FIELD_METHOD);
	if (c && c->messages) {
		guint n = c->messages->len, stop = n > SS_ORIG_SCAN ? n - SS_ORIG_SCAN : 0;
		for (guint i = n; i-- > stop;) {
			sip_id id = g_array_index(c->messages, sip_id, i);
			if (id == msg->id)
				continue;
			const sip_message *o = sip_model_message(m, id);
			if (!o || o->txn != msg->txn || o->retransmission || o->kind != msg->kind)
				continue;
			if (msg->kind == SIP_KIND_REQUEST &&
			    sv_eq(sip_message_field(o, SIP_FIELD_METHOD), method))
				return id;
			if (msg->kind == SIP_KIND_RESPONSE && o->status == msg->status &&
			    tags_equal(o, msg))
				return id;
		}
	}
	const sip_txn *t = sip_model_txn(m, msg->txn);
	if (t && msg->kind == SIP_KIND_REQUEST) {
		sip_id cand = sv_eq_cstr(method, "ACK") && t->ack != SIP_ID_NONE ? t->ack : t->request;
		if (cand != msg->id)
			return cand;
	}
	return SIP_ID_NONE;
}

static void snapshot(ss_rec *r, const sip_message *msg)
{
	const sip_txn *t = sip_model_txn(ss.model, msg->txn);
	const sip_dialog *d = sip_model_dialog(ss.model, msg->dialog);
	const sip_call *c = sip_model_call(ss.model, msg->call);
	r->txn_after = t ? (guint8)t->state : SS_NO_STATE;
	r->dlg_after = d ? (guint8)d->state : SS_NO_STATE;
	r->call_after = c ? (guint8)c->state : SS_NO_STATE;
}

static GPtrArray *finfos(proto_tree *tree, int id)
{
	return id > 0 ? proto_get_finfo_ptr_array(tree, id) : NULL;
}

/* The record of message id, made on first use. */
static ss_rec *rec_at(sip_id id)
{
	guint chunk = id / SS_REC_CHUNK;
	while (ss.recs->len <= chunk)
		g_ptr_array_add(ss.recs, g_new0(ss_rec, SS_REC_CHUNK));
	return (ss_rec *)g_ptr_array_index(ss.recs, chunk) + id % SS_REC_CHUNK;
}

static const ss_rec *rec_of(sip_id id)
{
	guint chunk = id / SS_REC_CHUNK;
	if (chunk >= ss.recs->len)
		return NULL;
	return (const ss_rec *)g_ptr_array_index(ss.recs, chunk) + id % SS_REC_CHUNK;
}

static guint64 msg_frame(guint i)
{
	const sip_message *m = sip_model_message(ss.model, (sip_id)i);
	return m ? m->frame : G_MAXUINT64;
}

/* The first of frame num's messages, or where they would be: the model
 * numbers messages in frame order.  Frames mostly come in order (the first
 * pass, tshark's second), so the message after the previous frame's is
 * tried before a binary search. */
static guint first_message_of(guint32 num, guint n)
{
	guint h = ss.hint;
	if (h <= n && (h == 0 || msg_frame(h - 1) < num) && (h == n || msg_frame(h) >= num))
		return h;
	guint lo = 0, hi = n;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		if (msg_frame(mid) < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Feeds the frame's SIP messages to the model and records, by message id,
 * what later passes need. */
static void sipscope_feed(packet_info *pinfo, proto_tree *tree)
{
	if (!tree || proto_sip <= 0 || !ss.model)
		return;
	GPtrArray *sips = finfos(tree, proto_sip);
	if (!sips || sips->len == 0)
		return;
	unsigned layers = frame_layers(pinfo);
	if (layers & LAYER_ICMP)
		return;

	GPtrArray *reqs = finfos(tree, hf_sip_method);
	GPtrArray *stats = finfos(tree, hf_sip_status_code);
	GPtrArray *payloads = finfos(tree, hf_udp_payload);
	GPtrArray *ulens = finfos(tree, hf_udp_length);
	const char *transport = transport_of(pinfo, layers);
	gboolean datagram = strcmp(transport, "UDP") == 0;
	gboolean bytestream = strcmp(transport, "TCP") == 0 || strcmp(transport, "TLS") == 0;
	guint next_req = 0, next_stat = 0;
	fed_end fed[SS_MAX_SOURCES];
	guint n_fed = 0;
	guint index = 0;

	for (guint i = 0; i < sips->len; i++) {
		const field_info *fi = g_ptr_array_index(sips, i);
		if (!fi->ds_tvb || fi->start < 0)
			continue;
		gint next = next_item_start(sips, i);
		gboolean is_req = take_line(reqs, &next_req, fi, next);
		gboolean is_stat = !is_req && take_line(stats, &next_stat, fi, next);
		if (!is_req && !is_stat)
			continue; /* continuation data, keep-alive */
		if (fi->start < fed_end_of(fed, n_fed, fi->ds_tvb))
			continue; /* a message inside a message's body (message/sip) */

		gint limit = (gint)tvb_captured_length(fi->ds_tvb);
		if (datagram) {
			gint dend = udp_datagram_end(payloads, ulens, fi);
			if (dend > fi->start && dend < limit)
				limit = dend;
		}
		if (limit <= fi->start)
			continue;
		gint len = limit - fi->start;
		const guint8 *wire = tvb_get_ptr(fi->ds_tvb, fi->start, len);
		if (datagram) {
			sv raw = sv_make(arena_copy(&ss.bytes, wire, (size_t)len), (size_t)len);
			sip_parse_message(raw, FALSE, ss.parsed);
		} else if (next >= limit && len <= SS_COPY_AHEAD_MAX) {
			/* Nothing SIP follows in this source: the message nearly
			 * always runs to its end, so the copy is parsed, and parsed
			 * again only when it holds more than the message. */
			guint8 *copy = arena_copy(&ss.bytes, wire, (size_t)len);
			sip_parse_message(sv_make(copy, (size_t)len), TRUE, ss.parsed);
			gint mlen = (gint)stream_length(ss.parsed, bytestream, next - fi->start);
			if (mlen <= 0)
				continue;
			if (mlen != len) {
				len = mlen;
				sip_parse_message(sv_make(copy, (size_t)len), TRUE, ss.parsed);
			}
		} else {
			/* Where the message ends, from a parse of the bytes in place. */
			sip_parse_message(sv_make(wire, (size_t)len), TRUE, ss.parsed);
			len = (gint)stream_length(ss.parsed, bytestream, next - fi->start);
			if (len <= 0)
				continue;
			sv raw = sv_make(arena_copy(&ss.bytes, wire, (size_t)len), (size_t)len);
			sip_parse_message(raw, TRUE, ss.parsed);
		}
		fed_end_set(fed, &n_fed, fi->ds_tvb, fi->start + len);

		sip_msg_meta meta = {
			.frame = pinfo->num,
			.first_frame = pinfo->num,
			.ts_ns = ts_ns(&pinfo->abs_ts),
			.transport = transport,
			.index = index,
		};
		endpoint_from(&meta.src, &pinfo->net_src, pinfo->srcport);
		endpoint_from(&meta.dst, &pinfo->net_dst, pinfo->destport);
		sip_id id = sip_model_add(ss.model, &meta, ss.parsed);
		const sip_message *msg = sip_model_message(ss.model, id);
		if (!msg)
			continue;

		index++;
		ss_rec *r = rec_at(id);
		r->orig = msg->retransmission ? find_original(ss.model, msg) : SIP_ID_NONE;
		r->start = (guint32)fi->start;
		r->ds = data_source_index(pinfo, fi->ds_tvb);
		snapshot(r, msg);
	}
}

/* ---- every pass: the tree ---------------------------------------------- */

/* Printable ASCII copy of a wire string for display. */
static const char *printable(wmem_allocator_t *pool, sv v)
{
	size_t n = v.len < SS_STR_MAX ? v.len : SS_STR_MAX;
	char *s = wmem_alloc(pool, n + 1);
	for (size_t i = 0; i < n; i++) {
		int c = sv_at(v, i);
		s[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	s[n] = '\0';
	return s;
}

static const char *txn_state_str(guint8 s)
{
	return s == SS_NO_STATE ? NULL : txn_state_name((txn_state)s);
}

static const char *txn_end_str(txn_end e)
{
	switch (e) {
	case TXN_END_FINAL:
		return "final";
	case TXN_END_NO_FINAL:
		return "no-final-response";
	case TXN_END_CAPTURE_ENDED:
		return "capture-ended";
	default:
		return NULL;
	}
}

static guint32 frame_of(sip_id id)
{
	const sip_message *m = sip_model_message(ss.model, id);
	return m ? (guint32)m->frame : 0;
}

static void add_generated(proto_item *pi)
{
	if (pi)
		proto_item_set_generated(pi);
}

static void add_state(proto_tree *t, int hf, tvbuff_t *tvb, gint s, gint l, const char *v)
{
	if (v)
		add_generated(proto_tree_add_string(t, hf, tvb, s, l, v));
}

static void show_txn(proto_tree *st, packet_info *pinfo, tvbuff_t *tvb, gint s, gint l,
		     const sip_message *msg, const ss_rec *r)
{
	const sip_txn *t = sip_model_txn(ss.model, msg->txn);
	if (!t)
		return;
	proto_item *ti = proto_tree_add_uint(st, hf_txn, tvb, s, l, t->id);
	add_generated(ti);
	proto_tree *tt = proto_item_add_subtree(ti, ett_txn);
	if (sip_txn_method(t).p && proto_field_is_referenced(tt, hf_txn_method))
		add_state(tt, hf_txn_method, tvb, s, l, printable(pinfo->pool, sip_txn_method(t)));
	add_state(tt, hf_txn_state, tvb, s, l, txn_state_name(t->state));
	add_state(tt, hf_txn_state_after, tvb, s, l, txn_state_str(r->txn_after));
	add_state(tt, hf_txn_end, tvb, s, l, txn_end_str(t->end));
	if (t->request != SIP_ID_NONE && t->request != msg->id)
		add_generated(proto_tree_add_uint(tt, hf_txn_request_frame, tvb, s, l,
						  frame_of(t->request)));
	if (t->final != SIP_ID_NONE && t->final != msg->id)
		add_generated(proto_tree_add_uint(tt, hf_txn_final_frame, tvb, s, l,
						  frame_of(t->final)));
	if (t->final_status)
		add_generated(proto_tree_add_uint(tt, hf_txn_final_status, tvb, s, l,
						  t->final_status));
	if (t->parent != SIP_ID_NONE)
		add_generated(proto_tree_add_uint(tt, hf_txn_parent, tvb, s, l, t->parent));
	gint64 req_ts = sip_txn_request_ts(ss.model, t);
	if (msg->kind == SIP_KIND_RESPONSE && req_ts && msg->ts_ns >= req_ts) {
		gint64 d = msg->ts_ns - req_ts;
		nstime_t rt = { .secs = (time_t)(d / 1000000000), .nsecs = (int)(d % 1000000000) };
		add_generated(proto_tree_add_time(st, hf_response_time, tvb, s, l, &rt));
	}
	if (t->end == TXN_END_NO_FINAL && msg->id == t->request)
		expert_add_info(pinfo, ti, &ei_no_final);
}

static void show_findings(proto_tree *st, packet_info *pinfo, tvbuff_t *tvb, gint s, gint l,
			  sip_id msg)
{
	const GArray *ids = ss.found ? findings_of_message(ss.found, msg) : NULL;
	for (guint i = 0; ids && i < ids->len; i++) {
		const finding *f = findings_get(ss.found, g_array_index(ids, sip_id, i));
		if (!f || !f->code)
			continue;
		proto_item *fi = proto_tree_add_string(st, hf_finding, tvb, s, l, f->code);
		add_generated(fi);
		proto_tree *ft = proto_item_add_subtree(fi, ett_finding);
		const char *sev = finding_severity_name(f->severity);
		add_state(ft, hf_finding_severity, tvb, s, l, sev);
		add_state(ft, hf_finding_rfc, tvb, s, l, f->rfc);
		add_state(ft, hf_finding_summary, tvb, s, l, f->summary);
		expert_field *ei = f->severity == FINDING_ERROR ? &ei_finding_error :
				   f->severity == FINDING_WARNING ? &ei_finding_warning :
				   &ei_finding_info;
		expert_add_info_format(pinfo, fi, ei, "%s: %s (%s)", f->code,
				       f->summary ? f->summary : "", f->rfc ? f->rfc : "");
	}
}

/* Text for the label of a message's item, cut where Wireshark cuts labels. */
typedef struct ss_label {
	char s[ITEM_LABEL_LENGTH];
	gsize n;
} ss_label;

static void label_str(ss_label *b, const char *s)
{
	gsize k = strlen(s), left = sizeof(b->s) - 1 - b->n;
	if (k > left)
		k = left;
	memcpy(b->s + b->n, s, k);
	b->n += k;
	b->s[b->n] = '\0';
}

static void label_uint(ss_label *b, guint32 v)
{
	char digits[11];
	char *p = digits + sizeof(digits);
	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	label_str(b, p);
}

static void label_part(ss_label *b, const char *what, guint32 id, const char *state)
{
	label_str(b, what);
	label_uint(b, id);
	label_str(b, " (");
	label_str(b, state ? state : "(null)");
	label_str(b, ")");
}

/* Whether the message raises expert info, which is kept whatever the tree:
 * it reaches the Expert column, the expert tap and _ws.expert. */
static gboolean has_expert_info(const sip_message *msg, const sip_txn *t)
{
	if (msg->retransmission)
		return TRUE;
	if (t && t->end == TXN_END_NO_FINAL && msg->id == t->request)
		return TRUE;
	const GArray *ids = ss.found ? findings_of_message(ss.found, msg->id) : NULL;
	return ids && ids->len > 0;
}

static void show_message(proto_tree *tree, packet_info *pinfo, tvbuff_t *frame_tvb,
			 const sip_message *msg, const ss_rec *r)
{
	const sip_txn *t = sip_model_txn(ss.model, msg->txn);
	/* In a tree nobody looks at, where no sipscope field is filtered on or
	 * printed, the items would all be faked but the protocol's: nothing
	 * needs them. */
	if (!proto_field_is_referenced(tree, proto_sipscope) && !has_expert_info(msg, t))
		return;
	const sip_dialog *d = sip_model_dialog(ss.model, msg->dialog);
	const sip_call *c = sip_model_call(ss.model, msg->call);
	tvbuff_t *tvb = frame_tvb;
	gint s = 0, l = 0;
	guint32 len = (guint32)sip_message_raw(msg).len;
	GSList *src = r->ds != G_MAXUINT16 ? g_slist_nth(pinfo->data_src, r->ds) : NULL;
	if (src) {
		tvbuff_t *ds = get_data_source_tvb((const struct data_source *)src->data);
		if (ds && tvb_captured_length(ds) >= r->start &&
		    tvb_captured_length(ds) - r->start >= len) {
			tvb = ds;
			s = (gint)r->start;
			l = (gint)len;
		}
	}

	proto_item *pi = proto_tree_add_item(tree, proto_sipscope, tvb, s, l, ENC_NA);
	/* Only a visible tree shows the label: there the text after the
	 * protocol's name is written whole, without printf, and appended once
	 * rather than formatted part by part. */
	if (PTREE_DATA(tree)->visible) {
		ss_label b = { .n = 0 };
		label_str(&b, ", message ");
		label_uint(&b, msg->id);
		if (t)
			label_part(&b, ", transaction ", t->id, txn_state_name(t->state));
		if (d)
			label_part(&b, ", dialog ", d->id, dlg_state_name(d->state));
		if (c)
			label_part(&b, ", call ", c->id, call_state_name(c->state));
		if (msg->retransmission)
			label_str(&b, ", retransmission");
		proto_item_append_text(pi, "%s", b.s);
	}
	proto_tree *st = proto_item_add_subtree(pi, ett_sipscope);
	add_generated(proto_tree_add_uint(st, hf_msg, tvb, s, l, msg->id));
	add_generated(proto_tree_add_uint(st, hf_msg_length, tvb, s, l, (guint32)sip_message_raw(msg).len));
	show_txn(st, pinfo, tvb, s, l, msg, r);

	if (msg->retransmission) {
		proto_item *ri = proto_tree_add_boolean(st, hf_retransmission, tvb, s, l, TRUE);
		add_generated(ri);
		guint32 of = r->orig != SIP_ID_NONE ? frame_of(r->orig) : 0;
		if (of) {
			add_generated(proto_tree_add_uint(st, hf_retransmission_of, tvb, s, l, of));
			expert_add_info_format(pinfo, ri, &ei_retransmission,
					       "Retransmission of the message in frame %u", of);
		} else {
			expert_add_info(pinfo, ri, &ei_retransmission);
		}
	}
	if (d) {
		proto_item *di = proto_tree_add_uint(st, hf_dialog, tvb, s, l, d->id);
		add_generated(di);
		proto_tree *dt = proto_item_add_subtree(di, ett_dialog);
		add_state(dt, hf_dialog_state, tvb, s, l, dlg_state_name(d->state));
		if (r->dlg_after != SS_NO_STATE)
			add_state(dt, hf_dialog_state_after, tvb, s, l,
				  dlg_state_name((dlg_state)r->dlg_after));
		add_state(dt, hf_dialog_end_reason, tvb, s, l, sip_dialog_end_reason(d));
	}
	if (c) {
		proto_item *ci = proto_tree_add_uint(st, hf_call, tvb, s, l, c->id);
		add_generated(ci);
		proto_tree *ct = proto_item_add_subtree(ci, ett_call);
		add_state(ct, hf_call_state, tvb, s, l, call_state_name(c->state));
		if (r->call_after != SS_NO_STATE)
			add_state(ct, hf_call_state_after, tvb, s, l,
				  call_state_name((call_state)r->call_after));
	}
	show_findings(st, pinfo, tvb, s, l, msg->id);
}

static int dissect_sipscope(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	if (!PINFO_FD_VISITED(pinfo)) {
		gint64 now = ts_ns(&pinfo->abs_ts);
		if (now > ss.last_ts)
			ss.last_ts = now;
		sipscope_feed(pinfo, tree);
	}
	if (!tree || !ss.model)
		return 0;
	guint n = sip_model_message_count(ss.model);
	guint i = first_message_of(pinfo->num, n);
	guint first = i;
	for (; i < n; i++) {
		const sip_message *msg = sip_model_message(ss.model, (sip_id)i);
		if (!msg || msg->frame != pinfo->num)
			break;
		const ss_rec *r = rec_of((sip_id)i);
		if (r)
			show_message(tree, pinfo, tvb, msg, r);
	}
	ss.hint = i;
	return i > first ? (int)tvb_captured_length(tvb) : 0;
}

/* ---- registration ------------------------------------------------------ */

static void proto_register_sipscope(void)
{
	static hf_register_info hf[] = {
		{ &hf_msg, { "Message", "sipscope.msg", FT_UINT32, BASE_DEC, NULL, 0x0,
			     "Message number in sipscope's model (0-based, in capture order)", HFILL } },
		{ &hf_msg_length, { "Message length", "sipscope.msg.length", FT_UINT32, BASE_DEC,
				    NULL, 0x0, "Bytes of the message (start line to end of body)",
				    HFILL } },
		{ &hf_txn, { "Transaction", "sipscope.txn", FT_UINT32, BASE_DEC, NULL, 0x0,
			     "RFC 3261 section 17 transaction (0-based id)", HFILL } },
		{ &hf_txn_method, { "Method", "sipscope.txn.method", FT_STRING, BASE_NONE, NULL, 0x0,
				    "Method of the transaction's request", HFILL } },
		{ &hf_txn_state, { "State", "sipscope.txn.state", FT_STRING, BASE_NONE, NULL, 0x0,
				   "Transaction state as last known (at the end of the capture once "
				   "the first pass is over)", HFILL } },
		{ &hf_txn_state_after, { "State after this message", "sipscope.txn.state_after",
					 FT_STRING, BASE_NONE, NULL, 0x0,
					 "Transaction state right after this message", HFILL } },
		{ &hf_txn_end, { "End", "sipscope.txn.end", FT_STRING, BASE_NONE, NULL, 0x0,
				 "How the transaction ended: final, no-final-response, capture-ended",
				 HFILL } },
		{ &hf_txn_request_frame, { "Request in frame", "sipscope.txn.request_frame",
					   FT_FRAMENUM, BASE_NONE,
					   FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
					   "Frame of the transaction's request", HFILL } },
		{ &hf_txn_final_frame, { "Final response in frame", "sipscope.txn.final_frame",
					 FT_FRAMENUM, BASE_NONE,
					 FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
					 "Frame of the transaction's first final response", HFILL } },
		{ &hf_txn_final_status, { "Final status", "sipscope.txn.final_status", FT_UINT16,
					  BASE_DEC, NULL, 0x0,
					  "Status code of the first final response", HFILL } },
		{ &hf_txn_parent, { "Forwards transaction", "sipscope.txn.parent", FT_UINT32,
				    BASE_DEC, NULL, 0x0,
				    "Proxy: the upstream transaction this one forwards", HFILL } },
		{ &hf_response_time, { "Response time", "sipscope.response_time",
				       FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
				       "Time from the transaction's request to this response", HFILL } },
		{ &hf_retransmission, { "Retransmission", "sipscope.retransmission", FT_BOOLEAN,
					BASE_NONE, NULL, 0x0,
					"A retransmission by the rules of RFC 3261 section 17 "
					"(present only on retransmissions)", HFILL } },
		{ &hf_retransmission_of, { "Retransmission of frame", "sipscope.retransmission_of",
					   FT_FRAMENUM, BASE_NONE,
					   FRAMENUM_TYPE(FT_FRAMENUM_RETRANS_PREV), 0x0,
					   "Frame of the message this one repeats", HFILL } },
		{ &hf_dialog, { "Dialog", "sipscope.dialog", FT_UINT32, BASE_DEC, NULL, 0x0,
				"RFC 3261 section 12 dialog (0-based id)", HFILL } },
		{ &hf_dialog_state, { "State", "sipscope.dialog.state", FT_STRING, BASE_NONE, NULL,
				      0x0, "Dialog state as last known: early, confirmed, terminated",
				      HFILL } },
		{ &hf_dialog_state_after, { "State after this message", "sipscope.dialog.state_after",
					    FT_STRING, BASE_NONE, NULL, 0x0,
					    "Dialog state right after this message", HFILL } },
		{ &hf_dialog_end_reason, { "End reason", "sipscope.dialog.end_reason", FT_STRING,
					   BASE_NONE, NULL, 0x0,
					   "Why the dialog ended (BYE, 481, 408, ...)", HFILL } },
		{ &hf_call, { "Call", "sipscope.call", FT_UINT32, BASE_DEC, NULL, 0x0,
			      "Everything with this Call-ID (0-based id)", HFILL } },
		{ &hf_call_state, { "State", "sipscope.call.state", FT_STRING, BASE_NONE, NULL, 0x0,
				    "Call outcome as last known: active, setup, answered, busy, "
				    "cancelled, no-answer, failed, not-a-call", HFILL } },
		{ &hf_call_state_after, { "State after this message", "sipscope.call.state_after",
					  FT_STRING, BASE_NONE, NULL, 0x0,
					  "Call state right after this message", HFILL } },
		{ &hf_finding, { "Finding", "sipscope.finding", FT_STRING, BASE_NONE, NULL, 0x0,
				 "Something wrong this message takes part in (stable code, e.g. "
				 "no-final-response)", HFILL } },
		{ &hf_finding_severity, { "Severity", "sipscope.finding.severity", FT_STRING,
					  BASE_NONE, NULL, 0x0, "error, warning or info", HFILL } },
		{ &hf_finding_rfc, { "Rule", "sipscope.finding.rfc", FT_STRING, BASE_NONE, NULL,
				     0x0, "The RFC section the finding rests on", HFILL } },
		{ &hf_finding_summary, { "Summary", "sipscope.finding.summary", FT_STRING,
					 BASE_NONE, NULL, 0x0, "What went wrong, in one line", HFILL } },
	};
	static gint *ett[] = { &ett_sipscope, &ett_txn, &ett_dialog, &ett_call, &ett_finding };
	static ei_register_info ei[] = {
		{ &ei_retransmission, { "sipscope.retransmission.expert", PI_SEQUENCE, PI_NOTE,
					"Retransmission (RFC 3261 section 17)", EXPFILL } },
		{ &ei_no_final, { "sipscope.txn.no_final_response", PI_SEQUENCE, PI_WARN,
				  "No final response within 64*T1 (RFC 3261 section 17.1.1.2 "
				  "Timer B, 17.1.2.2 Timer F)", EXPFILL } },
		{ &ei_finding_error, { "sipscope.finding.error", PI_PROTOCOL, PI_ERROR,
				       "sipscope finding (error)", EXPFILL } },
		{ &ei_finding_warning, { "sipscope.finding.warning", PI_PROTOCOL, PI_WARN,
					 "sipscope finding (warning)", EXPFILL } },
		{ &ei_finding_info, { "sipscope.finding.info", PI_PROTOCOL, PI_NOTE,
				      "sipscope finding (info)", EXPFILL } },
	};

	proto_sipscope = proto_register_protocol("sipscope SIP analysis", "sipscope", "sipscope");
	proto_register_field_array(proto_sipscope, hf, array_length(hf));
	proto_register_subtree_array(ett, array_length(ett));
	expert_module_t *em = expert_register_protocol(proto_sipscope);
	expert_register_field_array(em, ei, array_length(ei));

	/* No apply callback: sipscope_init reads the values when the
	 * redissection that follows a change makes the new model. */
	module_t *prefs = prefs_register_protocol(proto_sipscope, NULL);
	prefs_register_uint_preference(prefs, "t1", "T1 (milliseconds)",
		"RFC 3261 T1, the round-trip estimate (default 500, 1 to 60000): a transaction "
		"waits 64*T1 for its final response (Timers B, F), a 2xx 64*T1 for its ACK",
		10, &pref_t1_ms);
	prefs_register_uint_preference(prefs, "t4", "T4 (milliseconds)",
		"RFC 3261 T4 (default 5000, 1 to 60000): how long a completed transaction over "
		"UDP lingers (Timers I, K)",
		10, &pref_t4_ms);
	prefs_register_uint_preference(prefs, "timer_c", "Timer C (seconds)",
		"RFC 3261 Timer C (default 180, 1 to 86400): how long a ringing INVITE waits for "
		"its final response",
		10, &pref_timer_c_s);

	register_init_routine(sipscope_init);
	register_cleanup_routine(sipscope_cleanup);
	register_postseq_cleanup_routine(sipscope_postseq);
}

static void proto_reg_handoff_sipscope(void)
{
	proto_sip = proto_get_id_by_filter_name("sip");
	proto_icmp = proto_get_id_by_filter_name("icmp");
	proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
	proto_websocket = proto_get_id_by_filter_name("websocket");
	proto_tls = proto_get_id_by_filter_name("tls");
	hf_sip_method = proto_registrar_get_id_byname("sip.Method");
	hf_sip_status_code = proto_registrar_get_id_byname("sip.Status-Code");
	hf_udp_payload = proto_registrar_get_id_byname("udp.payload");
	hf_udp_length = proto_registrar_get_id_byname("udp.length");

	sipscope_handle = create_dissector_handle(dissect_sipscope, proto_sipscope);
	register_postdissector(sipscope_handle);

	GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
	const int ids[] = { proto_sip, hf_sip_method, hf_sip_status_code, hf_udp_payload,
			    hf_udp_length };
	for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
		if (ids[i] > 0)
			g_array_append_val(wanted, ids[i]);
	set_postdissector_wanted_hfids(sipscope_handle, wanted);
}

void plugin_register(void)
{
	static proto_plugin plug;
	plug.register_protoinfo = proto_register_sipscope;
	plug.register_handoff = proto_reg_handoff_sipscope;
	proto_register_plugin(&plug);
}
