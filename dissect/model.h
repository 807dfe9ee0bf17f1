/*
 * model.h — what the endpoints and proxies keep in memory, rebuilt from the
 * wire by a passive observer: messages, transactions (RFC 3261 §17),
 * dialogs (§12), calls (everything with one Call-ID) and the registrar's
 * location service (§10).
 *
 * Messages go in one at a time in capture order (sip_model_add); the model
 * updates transactions → dialogs → calls → registrations and publishes an
 * event for each change to the taps that subscribed (sip_model_tap_add),
 * as Wireshark's taps do.  Outputs and the UI read the model through the
 * accessors here and never parse.
 *
 * Identity: every object is numbered from 0 in order of appearance
 * (sip_id); ids are stable for the whole run and index the model's arrays.
 * SIP_ID_NONE means "none".
 *
 * Memory: a message record holds views into the captured bytes (which live
 * as long as the run) as offsets into its raw bytes, not copies.  Without
 * limits (the default) no object is freed before sip_model_free.  With
 * limits the model copies each message's bytes into its call's storage,
 * and keeps records by id in pages it frees once emptied (base/idtab.h),
 * so memory follows what is held, not what was seen.  With
 * limits (sip_model_set_limits) a call is the unit of eviction: it owns
 * its messages, transactions and dialogs, and when the model holds more
 * calls or messages than allowed, the call whose newest message is oldest
 * goes, with all it owns (messages without a Call-ID go in groups, oldest
 * first).  Taps hear SIP_EV_EVICT first, while everything can still be
 * read; then the ids become holes: the accessors return NULL for them,
 * ids are never reused, and the counts stay the numbers of ids given.
 *
 * Time: nanoseconds since the epoch (int64) everywhere; the model's clock
 * is the timestamp of the newest message, and sip_model_finish(end_ts) says
 * where the capture ended so timers (64×T1) can be judged.
 *
 * Pointers: every record (message, transaction, dialog, call,
 * registration) stays where it is, so the pointers the accessors return
 * stay valid until sip_model_free or its eviction, and later messages
 * update the records in place.  The lists inside records (a call's
 * messages, a registration's bindings) may move their elements when they
 * grow: take pointers to their elements for immediate use only.
 *
 * Cost: each message costs a handful of hash lookups (transactions by Via,
 * responses by transaction + status + To tag, dialogs by Call-ID + tags,
 * calls by Call-ID, registrations by address-of-record) and no allocation
 * beyond amortised growth of arrays; nothing scans all the objects except
 * sip_model_finish.
 *
 * Comparison rules (RFC 3261 §7.3.1, §8.1.1.4, §19.1.4): Call-ID and
 * method names byte for byte; Via branch, tags and host names
 * case-insensitively; a URI user part byte for byte.
 */
#ifndef SIPSCOPE_DISSECT_MODEL_H
#define SIPSCOPE_DISSECT_MODEL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/bytes.h"
#include "base/endpoint.h"
#include "dissect/sip.h"

typedef uint32_t sip_id;
#define SIP_ID_NONE UINT32_MAX

/* Ids in the order the model added them.  Read len and data:
 * g_array_index(list, sip_id, i) works on it as on a GArray, but it is
 * not one (no g_array_* function takes it).  data moves when the list
 * grows.  Invariants: len <= cap; data is NULL only while cap is 0. */
typedef struct sip_ids {
	sip_id *data;
	guint len;
	guint cap;
} sip_ids;

/* ---- timers (RFC 3261 §17.1.1.1, table 4) --------------------------------
 *
 * The values every timer of the model is judged by, one set per model:
 * they are fixed before its first message (sip_model_set_timers) so that
 * every judgement of a run rests on the same values.  Everything derived
 * follows them: 64×T1 is Timers B, F and H, the wait for the ACK of a 2xx
 * (§13.3.1.4) and the span in which retransmissions are expected.  The
 * defaults are RFC 3261's; a network with a known round-trip time (a LAN:
 * shorter T1) or a proxy with a longer Timer C is judged by its own. */
#define SIP_T1_DEFAULT_NS INT64_C(500000000)         /* round-trip estimate */
#define SIP_T2_DEFAULT_NS INT64_C(4000000000)        /* longest retransmission interval of
                                                        non-INVITE requests (Timer E) */
#define SIP_T4_DEFAULT_NS INT64_C(5000000000)        /* longest a message stays in the
                                                        network (Timers I, K) */
#define SIP_TIMER_C_DEFAULT_NS INT64_C(180000000000) /* §16.6: more than 3 minutes */
/* Upper bound of every value: 64×T1 and the sums of timestamps stay far
 * from overflowing. */
#define SIP_TIMER_MAX_NS (INT64_C(86400) * 1000000000)

typedef struct sip_timers {
	int64_t t1_ns;       /* 1 ns .. SIP_TIMER_MAX_NS */
	int64_t t2_ns;       /* 1 ns .. SIP_TIMER_MAX_NS */
	int64_t t4_ns;       /* 0 .. SIP_TIMER_MAX_NS */
	int64_t timer_c_ns;  /* 1 ns .. SIP_TIMER_MAX_NS */
} sip_timers;

#define SIP_TIMERS_DEFAULT ((sip_timers){ SIP_T1_DEFAULT_NS, SIP_T2_DEFAULT_NS, \
	SIP_T4_DEFAULT_NS, SIP_TIMER_C_DEFAULT_NS })

/* Timers B, F, H: 64×T1. */
static inline int64_t sip_timers_64t1(const sip_timers *t)
{
	return 64 * t->t1_ns;
}

/* Every value within its bounds. */
bool sip_timers_valid(const sip_timers *t);

/* A field of a message as an offset and length into its raw bytes;
 * off == UINT32_MAX: absent. */
typedef struct sip_span {
	uint32_t off;
	uint32_t len;
} sip_span;

static inline sv sip_span_sv(sv raw, sip_span s)
{
	if (s.off == UINT32_MAX)
		return SV_NULL;
	return sv_sub(raw, s.off, s.len);
}

/* The fields a message record locates in its raw bytes (sip_message_field). */
typedef enum {
	SIP_FIELD_METHOD = 0,
	SIP_FIELD_REQUEST_URI,
	SIP_FIELD_REASON,
	SIP_FIELD_CALL_ID,
	SIP_FIELD_CSEQ_METHOD,   /* absent without a CSeq */
	SIP_FIELD_FROM_TAG,
	SIP_FIELD_TO_TAG,
	SIP_FIELD_BRANCH,        /* of the top Via */
	SIP_FIELD_VIA_SENT_BY,   /* of the top Via */
	SIP_FIELD__COUNT
} sip_field;

/* ---- messages ---------------------------------------------------------- */

/* Where and how a message was seen: filled by the caller (the capture side);
 * the record keeps it (sip_message_meta gives it back as it was given).
 * Fields are ordered to avoid padding: fill it with designated
 * initialisers. */
typedef struct sip_msg_meta {
	uint64_t frame;        /* frame where the last byte arrived */
	uint64_t first_frame;  /* frame where the first byte arrived */
	int64_t ts_ns;
	const char *transport; /* static string: "UDP", "TCP", "SCTP", "WS"; NULL counts as UDP */
	uint32_t index;        /* position among the messages ending in frame */
	uint32_t capture_flags; /* transport-level trouble, passed through */
	endpoint src, dst;
} sip_msg_meta;

/* The compact record kept per message (88 bytes): re-parse raw for
 * anything else.  Messages of kind SIP_KIND_INVALID are kept too, with no
 * transaction and no dialog, in the call of their Call-ID when the parser
 * found one.
 *
 * It is the largest part of what the model holds in the modes that keep
 * every call, so what is usually small is kept small, and the rare rest
 * follows the record in the same allocation (an extension; the record is
 * never copied, so the extension goes wherever the record goes):
 *  - meta: IPv4 endpoints, a known transport, a first frame at most 15
 *    frames back, an index below 16 and flags below 2^8 are kept
 *    inline; anything else (an IPv6 endpoint, most often) puts the whole
 *    sip_msg_meta in the extension (ext_meta);
 *  - fields: as 16-bit offsets and 8-bit lengths when raw is shorter
 *    than 65,535 bytes (its length then 16 bits too) and no field is
 *    longer than 255 bytes (tags, branches, Call-IDs, methods, a Via's
 *    sent-by, most Request-URIs are far shorter), the Request-URI and the
 *    reason phrase sharing a place (a message has one start line), and
 *    the method and the CSeq method sharing one (a response has no
 *    method; a request's CSeq names its method, byte for byte, when it
 *    is right); longer messages (TCP allows them), or fields that cannot
 *    share, keep 32-bit spans and the length in the extension
 *    (ext_spans, a sip_msg_ext_spans), after the meta when both are
 *    there.
 * Read them through the accessors below, never the inline parts; raw
 * through sip_message_raw. */
/* Inline spans: the method or the CSeq method (or both: the same bytes),
 * the Request-URI or the reason phrase, then the other fields in the
 * order of sip_field. */
enum { SIP_SPAN16__COUNT = SIP_FIELD__COUNT - 2 };

typedef struct sip_msg_ext_spans {
	sip_span spans[SIP_FIELD__COUNT];
	uint32_t raw_len;
} sip_msg_ext_spans;

typedef struct sip_message {
	sip_id id;
	sip_id txn;            /* its transaction; SIP_ID_NONE for invalid messages */
	sip_id dialog;         /* the dialog it belongs to when known at the time: in-dialog
	                          requests and responses carrying both tags; the request that
	                          creates a dialog (an initial INVITE) has none */
	sip_id call;           /* the call (Call-ID); SIP_ID_NONE without Call-ID (or an empty one) */
	uint64_t frame;        /* sip_msg_meta.frame */
	int64_t ts_ns;         /* sip_msg_meta.ts_ns */
	const uint8_t *raw_p;  /* the message's bytes: read sip_message_raw */
	uint32_t cseq;
	uint16_t raw_len16;    /* the length of raw without ext_spans */
	uint16_t status;
	uint16_t n_warnings;   /* parser warnings (re-parse raw for the texts) */
	uint8_t kind : 2;      /* sip_kind */
	bool retransmission : 1; /* by the rules of §17, not by byte comparison */
	bool has_cseq : 1;
	bool has_sdp : 1;      /* application/sdp body, alone or as a part of a multipart body */
	bool ext_meta : 1;     /* the extension holds the sip_msg_meta */
	bool ext_spans : 1;    /* the extension holds the fields as sip_span */
	bool span_reason : 1;  /* the start-line span is the reason phrase, not the Request-URI */
	uint8_t method_code : 4;      /* sip_method_code of the method (requests) */
	uint8_t cseq_method_code : 4; /* and of the CSeq method */
	/* the rest of the meta, without ext_meta */
	uint8_t transport : 3; /* SIP_MSG_TRANSPORT_* */
	bool span_method : 1;  /* the first span is the method */
	bool span_cseq_method : 1; /* the first span is the CSeq method (the method's bytes too
	                          when both are set) */
	uint8_t capture_flags;
	uint8_t index : 4;
	uint8_t first_frame_back : 4; /* frame - first_frame */
	uint8_t span_len[SIP_SPAN16__COUNT]; /* the inline spans: lengths, */
	uint8_t src_addr[4], dst_addr[4]; /* IPv4 */
	uint16_t src_port, dst_port;
	uint16_t span_off[SIP_SPAN16__COUNT]; /* and offsets (UINT16_MAX: absent) */
} sip_message;


/* sip_message.transport: the names sip_msg_meta.transport may hold. */
enum {
	SIP_MSG_TRANSPORT_NONE = 0, /* NULL */
	SIP_MSG_TRANSPORT_UDP,
	SIP_MSG_TRANSPORT_TCP,      /* this and the ones after: streams (sip_message_stream) */
	SIP_MSG_TRANSPORT_SCTP,
	SIP_MSG_TRANSPORT_WS,
	SIP_MSG_TRANSPORT__COUNT
};
extern const char *const sip_msg_transport_names[SIP_MSG_TRANSPORT__COUNT];

/* The extension's parts, NULL when the record has none. */
static inline const sip_msg_meta *sip_message_ext_meta(const sip_message *msg)
{
	return msg->ext_meta ? (const sip_msg_meta *)(const void *)(msg + 1) : NULL;
}

static inline const sip_msg_ext_spans *sip_message_ext_fields(const sip_message *msg)
{
	if (!msg->ext_spans)
		return NULL;
	const char *ext = (const char *)(msg + 1);
	return (const sip_msg_ext_spans *)(const void *)(msg->ext_meta ?
		ext + sizeof(sip_msg_meta) : ext);
}

static inline const sip_span *sip_message_ext_spans(const sip_message *msg)
{
	const sip_msg_ext_spans *x = sip_message_ext_fields(msg);
	return x ? x->spans : NULL;
}

static inline sv sip_message_raw(const sip_message *msg)
{
	const sip_msg_ext_spans *x = sip_message_ext_fields(msg);
	return sv_make(msg->raw_p, x ? x->raw_len : msg->raw_len16);
}

/* The meta as the caller of sip_model_add gave it. */
void sip_message_meta(const sip_message *msg, sip_msg_meta *out);

static inline endpoint sip_message_ep4(const uint8_t addr[4], uint16_t port)
{
	endpoint e;
	memset(&e, 0, sizeof(e));   /* its padding too: endpoints are hashed as bytes */
	e.family = EP_IPV4;
	memcpy(e.addr, addr, 4);
	e.port = port;
	return e;
}

static inline endpoint sip_message_src(const sip_message *msg)
{
	const sip_msg_meta *x = sip_message_ext_meta(msg);
	return x ? x->src : sip_message_ep4(msg->src_addr, msg->src_port);
}

static inline endpoint sip_message_dst(const sip_message *msg)
{
	const sip_msg_meta *x = sip_message_ext_meta(msg);
	return x ? x->dst : sip_message_ep4(msg->dst_addr, msg->dst_port);
}

/* sip_msg_meta.transport: NULL counts as UDP. */
static inline const char *sip_message_transport(const sip_message *msg)
{
	const sip_msg_meta *x = sip_message_ext_meta(msg);
	return x ? x->transport : sip_msg_transport_names[msg->transport];
}

static inline const char *sip_message_transport_or_udp(const sip_message *msg)
{
	const char *t = sip_message_transport(msg);
	return t ? t : "UDP";
}

/* Over a stream transport (anything named but UDP): its bytes parse as a
 * stream's, and its transactions' Timers I and K are zero. */
static inline bool sip_message_stream(const sip_message *msg)
{
	const sip_msg_meta *x = sip_message_ext_meta(msg);
	if (!x)
		return msg->transport > SIP_MSG_TRANSPORT_UDP;
	return x->transport && strcmp(x->transport, "UDP") != 0;
}

/* Where a field lies in raw (off UINT32_MAX: absent), and the field. */
static inline sip_span sip_message_span(const sip_message *msg, sip_field f)
{
	const sip_span *x = sip_message_ext_spans(msg);
	if (x)
		return x[f];
	static const uint8_t slot[SIP_FIELD__COUNT] = { 0, 1, 1, 2, 0, 3, 4, 5, 6 };
	bool here;
	switch (f) {
	case SIP_FIELD_METHOD:
		here = msg->span_method;
		break;
	case SIP_FIELD_CSEQ_METHOD:
		here = msg->span_cseq_method;
		break;
	case SIP_FIELD_REQUEST_URI:
		here = !msg->span_reason;
		break;
	case SIP_FIELD_REASON:
		here = msg->span_reason;
		break;
	default:
		here = (unsigned)f < SIP_FIELD__COUNT;
		break;
	}
	if (!here)
		return (sip_span){ UINT32_MAX, 0 };
	unsigned k = slot[f];
	uint16_t off = msg->span_off[k];
	return off == UINT16_MAX ? (sip_span){ UINT32_MAX, 0 } : (sip_span){ off, msg->span_len[k] };
}

static inline sv sip_message_field(const sip_message *msg, sip_field f)
{
	return sip_span_sv(sip_message_raw(msg), sip_message_span(msg, f));
}

/* ---- transactions (§17) -------------------------------------------------
 *
 * Matching (§17.1.3, §17.2.3).  A transaction is keyed by the top Via's
 * branch (case-insensitive) and sent-by, and the method:
 *  - sent-by compares its host case-insensitively and its port with the
 *    default filled in: 5061 when the Via transport is TLS (or TLS-SCTP,
 *    WSS), 5060 otherwise, so "host" equals "host:5060" over UDP or TCP;
 *  - a request's method is its key, except that an ACK first looks for the
 *    INVITE transaction of its branch: if that transaction has not seen a
 *    2xx, the ACK (for a non-2xx final) joins it (txn.ack, state
 *    confirmed); otherwise (ACK for a 2xx, which carries a new branch, or a
 *    UA that reused the INVITE's branch) the ACK is a transaction of its own
 *    with method ACK, no responses, created TERMINATED with end FINAL;
 *  - a CANCEL is its own transaction (method CANCEL) linked both ways
 *    through .cancel to the INVITE transaction of the same branch and
 *    sent-by;
 *  - a response matches by its top Via (branch, sent-by) and CSeq method;
 *  - the Call-ID and CSeq number take part too: they never differ within a
 *    transaction, and they keep a UA that reuses its branches from merging
 *    unrelated transactions.
 * A branch counts as RFC 3261 when it starts with "z9hG4bK" and has
 * something after it (the cookie alone is not unique).  Otherwise the
 * RFC 2543 rules apply (rfc2543, branch SV_NULL): the key adds the From
 * tag (Call-ID + CSeq number + From tag + top Via + method, for requests
 * and responses alike), where "top Via" compares its sent-by and branch
 * parameter only, because a server adds received/rport to the Via it
 * copies into its responses.  The Request-URI and To tag of §17.2.3 are
 * not compared: they cannot change within a transaction and responses do
 * not carry the request's To tag.
 *
 * Responses that match no transaction (the capture began mid-transaction)
 * create one with request == SIP_ID_NONE and method taken from the CSeq;
 * a request arriving later for it (clock skew between capture points)
 * fills it in.  Every message but the invalid ones has a transaction.
 *
 * Over for good: a Call-ID that carries no INVITE traffic (REGISTER,
 * OPTIONS, MESSAGE...) and whose every transaction has its final
 * response, once quiet for as long as a finished call takes to be over
 * (sip_model_call_rest), has transactions that no message can reach any
 * more (their Timers J and K ran out long before): they are marked over
 * and leave the index, and the next message with one of their keys makes
 * a new transaction in the same call.  A REGISTER Call-ID, which a UA
 * keeps for every refresh, is never over itself (its registrations
 * last); this is what lets the modes that forget finished calls shed its
 * old transactions (SIP_EV_SHED) without changing where any message
 * lands.
 *
 * Retransmissions: a request matching a transaction that already has its
 * request (or its ACK) is a retransmission; so is a response with the same
 * status code and the same To tag as one already seen in the transaction
 * (2xx retransmissions of an INVITE included).  A response with a new To
 * tag (another fork) is not.  Retransmissions change no state.
 *
 * Proxies: each hop is its own transaction.  When a request's second Via
 * (branch + sent-by) is the top Via of a transaction of the same method,
 * Call-ID and CSeq number, that transaction is its parent (the proxy's
 * server transaction).  A proxy's own CANCEL carries no upstream Via: it
 * gets as parent the CANCEL of its INVITE's parent, when one was seen.
 *
 * States (§17.1.1, §17.1.2, as an observer): INVITE calling → proceeding
 * (1xx) → completed (300-699) → confirmed (ACK) → terminated, or
 * terminated directly on a 2xx (RFC 6026's "accepted" state is not
 * modelled: 2xx retransmissions still match because keys stay in the
 * table).  Non-INVITE trying → proceeding → completed (final) →
 * terminated.  Later finals (a second fork's 2xx) are recorded in the
 * messages but .final stays the first.  sip_model_finish moves
 * transactions to terminated when the capture outlived their timers:
 * Timer I/K (T4 over UDP, 0 over reliable transports) after the ACK /
 * final, Timer H (64×T1) after a non-2xx final to an INVITE never ACKed.
 *
 * No final response: at sip_model_finish(end_ts) a transaction without a
 * final response gets end TXN_END_NO_FINAL (and state terminated at the
 * time its timer fired) when its timer ran out before end_ts, else
 * TXN_END_CAPTURE_ENDED.  The timer is Timer B/F (64×T1 from the request,
 * or from the first response when the request was not seen), except for an
 * INVITE in proceeding, which Timer B no longer covers (§17.1.1.2): there
 * Timer C (§16.6; 3 minutes by default) after the last provisional
 * applies.  Timer B/F is also judged as messages go, once a later message
 * shows the clock past it (the call of an initial INVITE then turns
 * no-answer at once); Timer C only at sip_model_finish.  A final response
 * arriving after that judgement still becomes the transaction's final.
 * Every timer is the model's (sip_model_timers).
 */

typedef enum {
	TXN_STATE_CALLING = 0,  /* INVITE sent, nothing back */
	TXN_STATE_TRYING,       /* non-INVITE sent, nothing back */
	TXN_STATE_PROCEEDING,   /* provisional response seen */
	TXN_STATE_COMPLETED,    /* final response seen (non-2xx for INVITE) */
	TXN_STATE_CONFIRMED,    /* INVITE server: ACK for the non-2xx seen */
	TXN_STATE_TERMINATED,   /* 2xx to INVITE, or timers ran out */
	TXN_STATE__COUNT
} txn_state;

const char *txn_state_name(txn_state s); /* "calling", "proceeding", ... */

typedef enum {
	TXN_END_NONE = 0,
	TXN_END_FINAL,           /* ended normally */
	TXN_END_NO_FINAL,        /* no final response before its timer ran out
	                            (64×T1; Timer C for a ringing INVITE) */
	TXN_END_CAPTURE_ENDED,   /* the capture ended before a final response or 64×T1 */
} txn_end;

typedef struct sip_txn {
	sip_id id;
	sip_id call;
	sip_id request;          /* first request message; SIP_ID_NONE: only responses seen */
	sip_id first_provisional; /* first 1xx */
	sip_id final;            /* first final response */
	sip_id ack;              /* ACK for a non-2xx final (same branch) */
	sip_id cancel;           /* INVITE: its CANCEL transaction; CANCEL: the INVITE transaction */
	sip_id parent;           /* proxy: the upstream (server) transaction this one forwards */
	sip_id dialog;           /* dialog the request belongs to (in-dialog requests) */
	uint32_t cseq;           /* CSeq number */
	/* Views, read through sip_txn_method and sip_txn_branch.  method: the
	 * request method (the CSeq method of the first response when the
	 * request was not seen); branch: the top Via branch, kept for RFC 2543
	 * transactions too (their key), where sip_txn_branch hides it.  The
	 * method (a known one is its static name) and the branch are copies,
	 * one after the other in text, with the model's other copies for the
	 * transaction after them: one pointer for all, lengths in 32 bits (a
	 * message is far shorter than 4 GiB).  The top Via sent-by is read in
	 * the message that made the transaction (sip_txn_sent_by). */
	const uint8_t *text;
	uint32_t method_len, branch_len;
	uint32_t messages;       /* all messages, retransmissions included */
	uint32_t request_retransmissions;
	uint32_t response_retransmissions;
	uint16_t final_status;   /* 0 when none seen */
	uint8_t state;           /* txn_state */
	uint8_t end;             /* txn_end */
	bool rfc2543 : 1;        /* matched by the RFC 2543 rules (no z9hG4bK cookie) */
	bool is_invite : 1;
	bool no_method : 1;      /* no method at all: a response without CSeq method */
	/* proceeding is entered only by the first provisional, completed only
	 * by the first final: their times are those responses' (read
	 * sip_txn_state_ts) */
	bool proceeding_entered : 1;
	bool completed_entered : 1;
	bool over : 1;           /* over for good ("Matching"): no message matches it any more */
	uint8_t method_code;     /* sip_method_code of the method */
	/* when confirmed and terminated were entered (0 = never): read
	 * sip_txn_state_ts.  The times of the request (also when the first
	 * state, calling or trying, was entered), the first provisional and
	 * the first final are those messages' own, which the model holds as
	 * long as the transaction: sip_txn_request_ts and the others below
	 * read them there rather than the record keeping copies. */
	int64_t confirmed_ts, terminated_ts;
} sip_txn;

static inline sv sip_txn_method(const sip_txn *t)
{
	if (t->method_code != SIP_METHOD_OTHER)
		return sv_make((const uint8_t *)sip_method_name(t->method_code), t->method_len);
	return t->no_method ? SV_NULL : sv_make(t->text, t->method_len);
}

/* Bytes of text the method takes: none for a known one. */
static inline size_t sip_txn_text_method_len(const sip_txn *t)
{
	return t->method_code == SIP_METHOD_OTHER ? t->method_len : 0;
}

/* The top Via branch; SV_NULL for RFC 2543 transactions. */
static inline sv sip_txn_branch(const sip_txn *t)
{
	return t->rfc2543 ? SV_NULL : sv_make(t->text + sip_txn_text_method_len(t), t->branch_len);
}


/* The time of message id of m; 0 for SIP_ID_NONE (or a message no longer
 * held). */
typedef struct sip_model sip_model;
int64_t sip_model_message_ts(const sip_model *m, sip_id id);

/* The request's time (0 when it was not seen), the first provisional's
 * and the first final's (0 = none). */
static inline int64_t sip_txn_request_ts(const sip_model *m, const sip_txn *t)
{
	return sip_model_message_ts(m, t->request);
}

static inline int64_t sip_txn_first_provisional_ts(const sip_model *m, const sip_txn *t)
{
	return sip_model_message_ts(m, t->first_provisional);
}

static inline int64_t sip_txn_final_ts(const sip_model *m, const sip_txn *t)
{
	return sip_model_message_ts(m, t->final);
}

/* The message that made the transaction: the first of its request, first
 * provisional and first final (ids are in the order messages came). */
static inline sip_id sip_txn_first_message(const sip_txn *t)
{
	sip_id id = t->request;
	if (t->first_provisional < id)
		id = t->first_provisional;
	return t->final < id ? t->final : id;
}

/* The top Via sent-by of the message that made the transaction (a view
 * into that message). */
sv sip_txn_sent_by(const sip_model *m, const sip_txn *t);

/* When the transaction entered state s; 0 = never.  Only the first state
 * of its kind is ever entered: calling for an INVITE, trying otherwise. */
int64_t sip_txn_state_ts(const sip_model *m, const sip_txn *t, txn_state s);

/* Request → first provisional and request → final response, in ns;
 * -1 when either end was not seen. */
static inline int64_t sip_txn_provisional_delay(const sip_model *m, const sip_txn *t)
{
	int64_t a = sip_txn_request_ts(m, t), b = sip_txn_first_provisional_ts(m, t);
	return a && b ? b - a : -1;
}

static inline int64_t sip_txn_final_delay(const sip_model *m, const sip_txn *t)
{
	int64_t a = sip_txn_request_ts(m, t), b = sip_txn_final_ts(m, t);
	return a && b ? b - a : -1;
}

/* ---- dialogs (§12) ------------------------------------------------------
 *
 * A dialog is Call-ID + the two tags, looked up with the tags in either
 * order (requests from the callee carry them swapped).  A From tag may be
 * absent (RFC 2543 peers): it then counts as empty; a To tag may not.
 * Requests and responses carrying both tags belong to the dialog they
 * name, CANCEL and its responses aside (a CANCEL is hop by hop).
 *  - Created by a 101-199 response with a To tag (early) or a 2xx
 *    (confirmed) to a request without a To tag of a dialog-creating method:
 *    INVITE, SUBSCRIBE, REFER; with forking, each To tag makes its own
 *    dialog.  A response to a transaction whose request was not seen counts
 *    as such when its CSeq method is one of those.
 *  - A 2xx to a NOTIFY whose dialog is unknown creates it confirmed (RFC
 *    6665 §4.1.2.4): the subscriber, the NOTIFY's To side, is from_tag.
 *  - A 2xx to any other request carrying both tags for an unknown dialog
 *    (the capture began mid-dialog; ACK aside; when the request
 *    was not captured, only for BYE, INFO, UPDATE and PRACK, which live
 *    inside dialogs) creates it confirmed with midway set and created_by
 *    SV_NULL; from_tag is then the tag of whoever sent that request, not
 *    necessarily the caller.
 *  - Confirmed by the first 2xx to the creating request (on any hop).
 *  - Terminated by: a 2xx to a BYE inside it ("BYE"); a 300-699 final to
 *    the creating request, which ends every early dialog it (or, at a
 *    proxy, the downstream transactions it forked) created ("non-2xx final
 *    response"); a 481 or 408 final to a request inside it
 *    ("481", "408"); a 2xx to a NOTIFY with Subscription-State: terminated
 *    in a dialog created by SUBSCRIBE, REFER or NOTIFY ("subscription
 *    terminated").  At sip_model_finish: an early dialog whose INVITE got a
 *    2xx on another fork ends 64×T1 after that first 2xx (§13.2.2.4) if the
 *    capture lasted that long ("other fork answered"; before that it stays
 *    early); an early dialog whose transaction timed out ends then ("no
 *    final response"); a confirmed dialog whose last BYE got no 2xx ends at
 *    that BYE ("BYE": the sender considers it over, §15.1.1).
 *  - route_set is the first Record-Route value of the response that
 *    created or confirmed the dialog (route_msg: re-parse it for all the
 *    values); remote_target the Contact URI of that response; local_target
 *    the Contact URI of the creating request (the other way round for a
 *    dialog created by NOTIFY, whose sender is the UAS side).  Target
 *    refreshes by re-INVITE / UPDATE are not followed.
 */
typedef enum { DLG_STATE_EARLY = 0, DLG_STATE_CONFIRMED, DLG_STATE_TERMINATED } dlg_state;
const char *dlg_state_name(dlg_state s); /* "early", "confirmed", "terminated" */

/* Why a dialog ended: a code in the record, named by sip_dialog_end_reason. */
typedef enum {
	DLG_END_NONE = 0,        /* alive */
	DLG_END_BYE,             /* "BYE" */
	DLG_END_NON_2XX_FINAL,   /* "non-2xx final response" */
	DLG_END_481,             /* "481" */
	DLG_END_408,             /* "408" */
	DLG_END_SUBSCRIPTION_TERMINATED, /* "subscription terminated" */
	DLG_END_OTHER_FORK,      /* "other fork answered" */
	DLG_END_NO_FINAL,        /* "no final response" */
} dlg_end;
const char *dlg_end_name(dlg_end e); /* the names above; NULL for DLG_END_NONE */

/* Ordered so that no field leaves padding: a record per dialog is kept
 * (136 bytes, 152 with the model's own fields in dlg_rec).  Its Call-ID
 * is its call's (sip_dialog_call_id): a dialog always has a call. */
typedef struct sip_dialog {
	sip_id id;
	sip_id call;
	sip_id creating_txn;     /* the INVITE/SUBSCRIBE/REFER/NOTIFY transaction */
	sip_id terminating_msg;  /* message that ended it, SIP_ID_NONE while alive */
	sv from_tag;             /* the UAC's (caller's) tag */
	sv to_tag;               /* the UAS's tag */
	dlg_state state;
	uint32_t messages;
	int64_t early_ts, confirmed_ts, terminated_ts; /* 0 = never */
	sv route_set;            /* Record-Route values of the response that set it (first header, view), SV_NULL if none */
	sv remote_target;        /* Contact URI of the UAS (from the response) */
	sv local_target;         /* Contact URI of the UAC (from the request) */
	sip_id route_msg;        /* the response whose Record-Route is the route set */
	uint8_t end;             /* dlg_end: read sip_dialog_end_reason */
	uint8_t created_by_code; /* sip_method_code of the creating request's method (INVITE,
	                            SUBSCRIBE, REFER or NOTIFY; read sip_dialog_created_by) */
	bool midway : 1;         /* created from in-dialog traffic: the start was not captured */
	bool session : 1;        /* an INVITE dialog (or one met midway): what calls count */
} sip_dialog;

/* The method of the creating request; SV_NULL for a dialog met midway. */
static inline sv sip_dialog_created_by(const sip_dialog *d)
{
	return d->midway ? SV_NULL : sv_from_cstr(sip_method_name(d->created_by_code));
}

/* "BYE", "non-2xx final response", "481", "408", "subscription
 * terminated", "other fork answered", "no final response"; NULL while
 * alive. */
static inline const char *sip_dialog_end_reason(const sip_dialog *d)
{
	return dlg_end_name((dlg_end)d->end);
}

/* ---- calls ---------------------------------------------------------------
 *
 * Everything with one Call-ID (byte for byte), until the call is finished
 * (as forget_finished judges it) and has been quiet for five minutes, or
 * 64×T1 + T4 when longer: the Call-ID then starts a new call, whether the
 * old one is still held or not.  The outcome comes only from
 * the initial INVITE (an INVITE without To tag: each attempt after a 401 /
 * 407 challenge is one, the highest CSeq being the current attempt) and
 * from BYE / CANCEL — never from responses to re-INVITE, UPDATE, PRACK...:
 *  - any 2xx to an initial INVITE, on any hop or fork, makes the call
 *    answered (a fork's 486 next to another fork's 200 is answered; so is a
 *    200 that won a race with a CANCEL); answered calls are active until
 *    their confirmed INVITE dialogs have all ended (a 2xx to BYE, 481, 408;
 *    at finish also a BYE left without 2xx), then answered with end_ts;
 *  - otherwise the final response of the current attempt decides, once
 *    every transaction of that attempt that forwards nothing upstream (no
 *    parent) has one: 486 and 600 busy; 487 cancelled (whether or not the
 *    CANCEL was captured); 408 and 480 no answer; any other 300-699 failed
 *    (603 Decline included; final_status tells);
 *  - an attempt with no final when the capture ends is no answer if its
 *    transaction timed out (see TXN_END_NO_FINAL), else setup;
 *  - a Call-ID with INVITE, ACK, BYE, CANCEL or PRACK traffic but no initial
 *    INVITE (the capture began mid-call) is active, then answered once
 *    ended as above; any other Call-ID is not a call.
 * A response-only INVITE transaction counts as initial when the call had
 * no answer yet.  from/to are the URIs of the initial INVITE, else of the
 * first request, else of the first message.  ended_by compares the From
 * tag of the BYE that ended the call with the initial INVITE's From tag
 * (caller / callee; other when no initial INVITE was seen or the dialog
 * ended by 481/408); a cancelled call with its CANCEL captured was ended
 * by the caller; failures have CALL_END_NONE.  end_ts: the 2xx to BYE (or
 * the BYE / 481 / 408 that ended the last dialog), the final failure, the
 * 487.  related: Call-IDs named by X-Call-ID, X-CID, X-Orig-Call-ID,
 * Replaces and a Replaces embedded in Refer-To, linked both ways as soon as
 * both calls exist (at most SIP_CALL_MAX_RELATED per call).
 */
enum { SIP_CALL_MAX_RELATED = 32 };

typedef enum {
	CALL_STATE_ACTIVE = 0,   /* still going at capture end (answered, no BYE) */
	CALL_STATE_SETUP,        /* INVITE seen, no final response at capture end */
	CALL_STATE_ANSWERED,     /* answered and ended by BYE */
	CALL_STATE_BUSY,         /* 486 / 600 */
	CALL_STATE_CANCELLED,    /* CANCEL + 487 */
	CALL_STATE_NO_ANSWER,    /* 408 / 480 or no final within 64×T1 */
	CALL_STATE_FAILED,       /* any other final failure (final_status says which) */
	CALL_STATE_NOT_A_CALL,   /* a Call-ID without INVITE (REGISTER, OPTIONS, ...) */
	CALL_STATE__COUNT
} call_state;
const char *call_state_name(call_state s); /* "active", "setup", "answered", ... */

typedef enum { CALL_END_NONE = 0, CALL_END_CALLER, CALL_END_CALLEE, CALL_END_OTHER } call_ender;
const char *call_ender_name(call_ender e); /* "caller", "callee", "other", NULL */

typedef struct sip_call {
	sip_id id;
	sv call_id;
	sv first_method;         /* method of the first request seen */
	sv from, to;             /* URIs of the first request's From and To */
	call_state state;
	uint16_t final_status;   /* final response to the initial INVITE */
	call_ender ended_by;
	endpoint ender;          /* who sent the BYE / CANCEL */
	int64_t start_ts, ring_ts, answer_ts, end_ts; /* 0 = never */
	const sip_ids *messages; /* every message, in order; never NULL */
	const sip_ids *dialogs;  /* never NULL */
	const sip_ids *txns;     /* never NULL */
	GPtrArray *related;      /* Call-IDs (char*, owned) linked by X-Call-ID/X-CID, Replaces,
	                            Referred-By/REFER; never NULL, but calls without any share
	                            one empty array */
	sip_id initial_txn;      /* first initial-INVITE transaction seen; SIP_ID_NONE without one */
	sip_id cancel_msg;       /* the CANCEL of the initial INVITE, if seen */
} sip_call;

/* ---- registrations (§10) -----------------------------------------------
 *
 * Keyed by address-of-record: the To URI of the REGISTER reduced to scheme,
 * user (byte for byte) and host (case-insensitive), without port or
 * parameters.  A binding is a Contact URI compared by scheme, user, host
 * and port (default filled in); other parameters are ignored.
 *  - A 2xx is the registrar's answer: each of its Contacts is a binding
 *    with the granted expiry (its expires parameter, else the Expires
 *    header, else 3600 s); when it lists none and the REGISTER did not
 *    remove, the REGISTER's Contacts stand in.  requested_expires is what
 *    the REGISTER asked for that Contact (UINT32_MAX when unknown).
 *  - A binding seen again from a later REGISTER transaction while active
 *    is refreshed (state refreshed, refreshes counted).
 *  - A REGISTER with "Contact: *" (Expires: 0) or a Contact with expires 0
 *    removes, once its 2xx is seen (state removed, removed_ts).  A binding
 *    merely missing from a 2xx is left alone: many registrars list only the
 *    registering device's Contact.
 *  - A binding past its expires_ts becomes expired (removed_ts = the
 *    expiry) when its AOR sees another REGISTER and at sip_model_finish.
 *  - 401 / 407 count as challenges, other 300-699 finals as failures;
 *    last_status is the newest final response.
 */
typedef enum {
	BINDING_ACTIVE = 0, BINDING_REFRESHED, BINDING_REMOVED, BINDING_EXPIRED
} binding_state;
const char *binding_state_name(binding_state s);

typedef struct sip_binding {
	sv contact;              /* Contact URI */
	uint32_t expires;        /* seconds, as granted by the registrar */
	double q;                /* -1 when absent */
	binding_state state;
	sv call_id;
	uint32_t cseq;
	endpoint source;         /* where the REGISTER came from */
	int64_t registered_ts, expires_ts, removed_ts; /* removed_ts: removed or expired */
	uint32_t refreshes;
	uint32_t requested_expires; /* what the REGISTER asked for; UINT32_MAX when unknown */
	int64_t refreshed_ts;    /* last refresh, 0 = none */
	sip_id register_txn;     /* REGISTER transaction that last set it */
} sip_binding;

typedef struct sip_registration {
	sip_id id;
	sv aor;                  /* address-of-record: the To URI of the REGISTER */
	GArray *bindings;        /* sip_binding */
	uint16_t last_status;
	uint32_t registers;      /* REGISTER transactions */
	uint32_t challenges;     /* 401/407 */
	uint32_t failures;       /* other final failures */
	int64_t first_ts, last_ts;
} sip_registration;

/* One word for the AOR's outcome: "registered" (a binding active),
 * "pending" (no final response yet), "challenged" (last final 401/407),
 * "failed" (another 300-699), "unregistered" (bindings removed, or a 2xx
 * with none), "expired" (the newest binding change was an expiry). */
const char *sip_registration_state(const sip_registration *r);

/* ---- the model and its taps -------------------------------------------- */

typedef enum {
	SIP_EV_MESSAGE = 1u << 0,
	SIP_EV_TXN = 1u << 1,
	SIP_EV_DIALOG = 1u << 2,
	SIP_EV_CALL = 1u << 3,
	SIP_EV_REGISTRATION = 1u << 4,
	/* id: the call about to be evicted, or SIP_ID_NONE for a group of
	 * messages without Call-ID; sip_model_evicting lists what goes. */
	SIP_EV_EVICT = 1u << 5,
	/* id: a registration about to be evicted (limits: more address-of-
	 * records than max_calls); it can still be read. */
	SIP_EV_EVICT_REGISTRATION = 1u << 6,
	/* id: a call over for good (sip_model_call_rest) in a model without
	 * limits, heard once, after the message whose clock made it so: it
	 * stays readable, and nothing of it changes any more. */
	SIP_EV_OVER = 1u << 7,
	/* id: a call that stays but sheds what is over for good in it
	 * (forget_finished without forget_registers or bounds: a Call-ID of
	 * REGISTER and other requests without INVITE traffic, every
	 * transaction over, quiet as a finished call is before it goes):
	 * sip_model_evicting lists the messages and transactions that go,
	 * readable in the tap.  What the outputs read of the call at the end
	 * stays: the transaction with the newest final status in its list
	 * (with its request, first provisional and final) and the newest
	 * final response among its messages.  The call keeps its lists of
	 * ids; the ids that went read NULL, and are counted in
	 * sip_model_forgotten. */
	SIP_EV_SHED = 1u << 8,
} sip_event;

/* After each message is fully processed, every tap whose mask has the event
 * is called for the message, then for each transaction, dialog, call and
 * registration it changed (once each, in that order).  sip_model_finish
 * does the same for what it changed.  A tap must not add messages. */
typedef void (*sip_tap_fn)(void *user, const sip_model *m, sip_event ev, sip_id id);

/* A model with the timers of RFC 3261 (SIP_TIMERS_DEFAULT). */
sip_model *sip_model_new(void);
void sip_model_free(sip_model *m);
/* Other timer values, before the first message: false (and nothing
 * changed) once a message went in or when a value is out of bounds. */
bool sip_model_set_timers(sip_model *m, const sip_timers *t);
const sip_timers *sip_model_timers(const sip_model *m);
void sip_model_tap_add(sip_model *m, unsigned events, sip_tap_fn fn, void *user);

/* Adds one parsed message and returns its id.  Without limits
 * parsed->raw must stay valid for the whole run; with limits the model
 * keeps a copy and reads parsed->raw only during this call.  The sip_msg
 * itself may be reused at once.  Messages must come in capture order; a
 * timestamp going backwards is accepted (the clock does not move back). */
sip_id sip_model_add(sip_model *m, const sip_msg_meta *meta, const sip_msg *parsed);

/* What the model derives from a parsed message before it touches a table:
 * the hashes it looks its tables up by, method codes, whether the body
 * holds SDP.  sip_model_prepare reads the message and nothing else, so the
 * thread that parses can take this work off the one that runs the model:
 * sip_model_add is sip_model_prepare then sip_model_add_prepared. */
/* What a Via gives a transaction key (model.h, "Matching"): its sent-by
 * split, the default port filled in, and the hash of every field of the
 * key but the method. */
typedef struct sip_prepared_via {
	sv host;                 /* sent-by host: a view into the message */
	uint32_t hash_base;
	uint16_t port;
	bool rfc2543;            /* the branch lacks the RFC 3261 cookie */
} sip_prepared_via;

typedef struct sip_prepared {
	uint32_t call_id_hash;                 /* sv_hash of the Call-ID */
	uint32_t from_tag_hash, to_tag_hash;   /* sv_hash_ci of the tags (empty: of SV_NULL) */
	uint32_t branch_hash;                  /* sv_hash_ci of the top Via branch */
	uint8_t method_code, cseq_method_code; /* sip_method_code; OTHER when unknown or absent */
	/* sip_method_code of the method of a request, of the CSeq method as
	 * written in anything else (whether or not its number parsed): the
	 * model's rules compare methods by these codes, not by bytes (method
	 * names are case-sensitive, so a known code is the same bytes) */
	uint8_t msg_method_code;
	bool has_sdp;                          /* an SDP body, alone or in a multipart */
	sip_prepared_via via;                  /* the top Via; zero for invalid messages */
	sip_prepared_via via2;                 /* the second Via; zero without one */
	sip_span spans[SIP_FIELD__COUNT];      /* where the record's fields lie in the message */
} sip_prepared;

void sip_model_prepare(const sip_msg *parsed, sip_prepared *out);
sip_id sip_model_add_prepared(sip_model *m, const sip_msg_meta *meta, const sip_msg *parsed,
	const sip_prepared *prep);
/* End of input at end_ts: judges timers (no final response within 64×T1),
 * calls still active, bindings expired by then.  end_ts below the newest
 * message's time counts as that time. */
void sip_model_finish(sip_model *m, int64_t end_ts);

/* Once no more messages are expected (a capture loaded for browsing),
 * the indexes that match a new message to its transaction and dialog go:
 * they take about 8 bytes per message and nothing else reads them.  A
 * message added later rebuilds them first, from the records held, so it
 * is matched as it would have been. */
void sip_model_compact(sip_model *m);

guint sip_model_message_count(const sip_model *m);
guint sip_model_txn_count(const sip_model *m);
guint sip_model_dialog_count(const sip_model *m);
guint sip_model_call_count(const sip_model *m);
guint sip_model_registration_count(const sip_model *m);
const sip_message *sip_model_message(const sip_model *m, sip_id id);
const sip_txn *sip_model_txn(const sip_model *m, sip_id id);
const sip_dialog *sip_model_dialog(const sip_model *m, sip_id id);
const sip_call *sip_model_call(const sip_model *m, sip_id id);
const sip_registration *sip_model_registration(const sip_model *m, sip_id id);
/* The call with this Call-ID, or NULL.  A call closed as over for good
 * (sip_model_call_rest) is not found: where there are no limits, once it
 * is over; otherwise once a message of its Call-ID came. */
const sip_call *sip_model_call_find(const sip_model *m, sv call_id);
/* A dialog's Call-ID: its call's. */
sv sip_dialog_call_id(const sip_model *m, const sip_dialog *d);
/* The newest timestamp seen (messages and sip_model_finish). */
int64_t sip_model_clock(const sip_model *m);
/* ---- limits ------------------------------------------------------------- */

/* 0: no limit.  Both are judged before each message goes in: while
 * either is exceeded, the least recently active call (or group of
 * messages without Call-ID) is evicted.  So between messages the model
 * holds at most one message, and one call, more than the limits: the
 * message just added stays readable by whoever added it. */
typedef struct sip_limits {
	uint32_t max_calls;       /* calls (Call-IDs) held at once, and as many
	                             registrations (address-of-records) */
	uint32_t max_messages;    /* messages held at once */
	/* Also evict (before each message) every call that is finished and
	 * has been quiet for 64×T1 + T4, and at least 5 minutes (a UA may
	 * try again in the same Call-ID after 401/407, 3xx, 422, 491), by
	 * the model's clock: all its
	 * transactions have their final response (and an INVITE's non-2xx
	 * its ACK), all its dialogs are terminated, and it has no
	 * SUBSCRIBE, NOTIFY, PUBLISH or REFER (whose state outlives their
	 * transactions).  Nothing more can happen to such a call, so the taps
	 * hear of it what they would at the end, earlier; memory then follows
	 * the calls in progress rather than the length of the input.  It
	 * copies nothing: the caller's bytes must stay (a file's).  Counted
	 * in sip_model_forgotten, not as evictions. */
	bool forget_finished;
	/* With forget_finished: calls of REGISTER alone too.  A REGISTER
	 * Call-ID reused for a refresh after that starts a new call (the
	 * registration it updates stays whole), so whoever counts Call-IDs
	 * must count it once.  Without it (and without bounds) such a call
	 * stays to the end, but sheds its transactions and messages once it
	 * is quiet and they are over for good (SIP_EV_SHED), so a Call-ID a
	 * UA registers with for days costs what its last answer needs. */
	bool forget_registers;
} sip_limits;

/* Before the first message: false (nothing changed) once a message went in. */
bool sip_model_set_limits(sip_model *m, const sip_limits *l);
/* With forget_finished: a finished call for which keep answers true is
 * not forgotten but stays to the end, as an unfinished one does (--ladder
 * keeps the calls it names).  Asked when the call has been quiet long
 * enough, again after each new message of it.  Before the first message:
 * false (nothing changed) once a message went in. */
typedef bool (*sip_call_keep_fn)(void *user, const sip_model *m, sip_id call);
bool sip_model_set_keep(sip_model *m, sip_call_keep_fn keep, void *user);
const sip_limits *sip_model_limits(const sip_model *m);

/* What eviction freed so far. */
typedef struct sip_evictions {
	uint64_t calls, groups;   /* groups: of messages without Call-ID */
	uint64_t messages, txns, dialogs;
	uint64_t registrations;
} sip_evictions;

const sip_evictions *sip_model_evictions(const sip_model *m);
/* What forget_finished freed so far. */
const sip_evictions *sip_model_forgotten(const sip_model *m);
/* Calls and messages held now (not evicted). */
guint sip_model_calls_held(const sip_model *m);
guint sip_model_messages_held(const sip_model *m);
/* With limits or forget_finished: the bytes of copies a call keeps in
 * memory of its own, freed with it (its keys; under bounds its messages'
 * bytes).  Where calls shed transactions over for good (forget_finished
 * without forget_registers or bounds), what each transaction copied is
 * freed with it, so such a call (a REGISTER Call-ID refreshing for days)
 * stays the same size.  0 for a call not held, or without limits. */
size_t sip_model_call_bytes(const sip_model *m, sip_id call);

/* Inside a SIP_EV_EVICT tap: the ids of what is about to go (ascending,
 * valid until the tap returns); each may be empty, none is NULL.
 * Outside: NULLs. */
void sip_model_evicting(const sip_model *m, const sip_ids **msgs, const sip_ids **txns,
	const sip_ids **dialogs);

/* Where a call held by the model stands, by the model's clock: heard
 * from within the span after which a finished call is over for good (five
 * minutes, or 64×T1 + T4 when longer); quiet that long but not finished;
 * or over for good (finished and quiet: nothing more can happen to it, as
 * a later message of its Call-ID starts another call).  A call stays
 * over; one quiet and open becomes heard again only by a message of its
 * own.  SIP_CALL_OVER for an id the model does not hold. */
typedef enum { SIP_CALL_HEARD = 0, SIP_CALL_QUIET_OPEN, SIP_CALL_OVER } sip_call_rest;
sip_call_rest sip_model_call_rest(const sip_model *m, sip_id call);

/* The parse of message id while it is being added (inside the taps called
 * for it), so a tap need not parse it again; NULL otherwise. */
const sip_msg *sip_model_parse_of(const sip_model *m, sip_id id);
/* The message a retransmission repeats (its first copy), by the rules
 * above; SIP_ID_NONE when msg is not a retransmission. */
sip_id sip_model_original(const sip_model *m, sip_id msg);

#endif
