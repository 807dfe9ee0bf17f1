/*
 * findings_internal.h — shared by the detector's files: the detector's
 * state, the catalogue entry of a finding (code, severity, RFC section),
 * and the helpers that add findings and build their summaries.
 *
 *   findings.c         records, indexes, folding of repeats, the tap,
 *                      timers, the end-of-capture pass
 *   findings_msg.c     checks on each message: syntax, transactions,
 *                      dialogs, authentication, loops, redirects, routing
 *   findings_sdp.c     offer/answer and media checks (RFC 3264)
 *   findings_outcome.c the one-line outcome of a call
 *
 * Per-object state lives in arrays indexed by the model's ids (grown on
 * demand, zero-filled), so a check costs array lookups, not searches.
 */
#ifndef SIPSCOPE_DISSECT_FINDINGS_INTERNAL_H
#define SIPSCOPE_DISSECT_FINDINGS_INTERNAL_H

#include <glib.h>

#include "base/arena.h"
#include "base/idtab.h"
#include "base/pool.h"
#include "dissect/findings.h"
#include "dissect/multipart.h"
#include "dissect/sdp.h"
#include "dissect/sip.h"

/* One kind of finding: the catalogue is in findings_msg.c / findings_sdp.c. */
typedef struct fnd_kind {
	const char *code;
	finding_severity severity;
	const char *rfc;
} fnd_kind;

/* Per transaction. */
enum {
	DT_NO_FINAL = 1u << 0,     /* no-final-response reported */
	DT_STORM = 1u << 1,        /* retransmission storm reported */
	DT_NON2XX_ACK = 1u << 2,   /* non-2xx final waiting for its ACK (queued) */
	DT_TO_TAG = 1u << 3,       /* to-tag-changed reported */
	DT_RSP_STORM = 1u << 4,    /* response-retransmission-storm reported */
	DT_QVALUES = 1u << 5,      /* a REGISTER giving its Contacts different q-values */
};

/* The codecs of an SDP offer, kept compact so the answer can be checked
 * without parsing the offer again: per m= line (the first OFFER_MEDIA_MAX),
 * its formats (the first OFFER_FMT_MAX) as payload type and a key for the
 * encoding name and clock rate (0 when unknown). */
enum { OFFER_MEDIA_MAX = 4, OFFER_FMT_MAX = 12 };

typedef struct offer_codecs {
	sip_id msg;                /* the message that carried the offer */
	uint8_t n_media;           /* m= lines in the offer (all of them) */
	uint8_t n_fmt[OFFER_MEDIA_MAX];
	bool overflow[OFFER_MEDIA_MAX]; /* more formats than kept: assume any is offered */
	bool port_zero[OFFER_MEDIA_MAX];
	uint8_t pt[OFFER_MEDIA_MAX][OFFER_FMT_MAX];   /* 255: not a number */
	uint32_t key[OFFER_MEDIA_MAX][OFFER_FMT_MAX];
} offer_codecs;

typedef struct det_txn {
	uint16_t flags;
	bool answered;             /* the offer got its answer */
	bool offer_in_2xx;         /* the INVITE had no SDP: the 2xx offered, the ACK answers */
	bool creds;                /* the request carried Authorization / Proxy-Authorization */
	bool offered;              /* an offer was seen (offer holds it until its answer) */
	offer_codecs *offer;       /* owned (offer_pool); NULL: no offer seen, or answered (given back:
	                              a UI holding every call would keep one per INVITE) */
	sv cred_nonce;             /* the nonce its credentials answer (view into the request) */
	uint32_t final_resends;    /* copies of the first final response after it */
	uint32_t prompts;          /* request retransmissions (ACK aside): each may draw a copy */
} det_txn;

/* Record-Route values a dialog's record keeps (det_dlg.rr_uri). */
enum { RR_KEEP = 2 };

/* Per dialog: the highest CSeq each side used, the route set's size. */
typedef struct det_dlg {
	uint32_t cseq[2];          /* [0] caller (from_tag side), [1] callee */
	sv cseq_method[2];
	bool cseq_known[2];
	sip_id rr_msg1;            /* message the route set was counted from, + 1 */
	int rr_count;              /* Record-Route values of that message */
	bool rr_proxied;           /* a proxy was seen on the path of that message */
	/* rr_kept: its values are in rr_uri (views into it, in order), as
	 * there were at most RR_KEEP, so that the route set is read from
	 * here rather than by parsing that message again for each request
	 * of the dialog (findings_msg.c, read_route_set) */
	bool rr_kept;
	sv rr_uri[RR_KEEP];
	int64_t glare_ts[2];       /* when each side's re-INVITE was refused with 491 */
	sip_id glare_txn1[2];      /* that re-INVITE's transaction, + 1 */
} det_dlg;

/* Per call. */
enum {
	DC_ACTIVE_REPORTED = 1u << 0,
	DC_CHAIN_REPORTED = 1u << 1,
};

/* The targets of the newest 3xx to INVITE with several Contacts, and the
 * order the caller (or a recursing proxy) tried them in (§8.1.3.4,
 * §16.5): each later INVITE of the call whose Request-URI is one of them
 * is a try.  Views into the 3xx; arena. */
enum { REDIR_KEEP = 16 };

typedef struct redir_target {
	sv uri;
	uint16_t q;                /* thousandths */
	bool has_q;
	bool before;               /* already tried before the 3xx (a redirect loop) */
	uint32_t try_cseq;
	sip_id try_txn;            /* its newest attempt; SIP_ID_NONE: not tried */
} redir_target;

typedef struct redir_set {
	sip_id msg;                /* the 3xx */
	sip_id finding;            /* its redirect finding */
	sip_id order_finding;      /* redirect-q-order made of it, SIP_ID_NONE until then */
	uint8_t n;                 /* targets kept */
	uint8_t tried;             /* entries of order[] */
	bool parallel;             /* a try went out while an earlier one was pending */
	bool out_of_order;
	uint8_t order[REDIR_KEEP]; /* indexes of the targets, in the order tried */
	bool joined[REDIR_KEEP];   /* order[i] went out while an earlier try was pending */
	redir_target t[REDIR_KEEP];
} redir_set;

typedef struct det_call {
	uint16_t flags;
	uint16_t redirects;        /* 3xx finals to INVITE seen */
	uint16_t rejected_creds;   /* challenges answering a request that carried credentials */
	sv nonce;                  /* nonce of the newest 401/407 (view into its message) */
	redir_set *redir;          /* owned (redir_pool); NULL without a 3xx of several targets */
	/* the 2xx waits made of its messages, oldest first (ack_wait.next_in_call) */
	struct ack_wait *waits, *waits_last;
} det_call;

/* Per registration: bindings already reported (the first 64). */
typedef struct det_reg {
	uint64_t expired;
	uint64_t shortened;
} det_reg;

/* A 2xx to INVITE waiting for its ACK, or a non-2xx final waiting for its
 * ACK (Timer H): judged once the clock passes ts + 64×T1. */
typedef struct ack_wait {
	sv call_id;
	sv to_tag;
	uint32_t cseq;
	bool non2xx;               /* txn: the INVITE transaction (non-2xx); else msg: the first 2xx */
	bool acked;
	sip_id msg;                /* the response */
	sip_id txn;
	sip_id ack;                /* the ACK that came, SIP_ID_NONE until then */
	uint32_t retransmissions;  /* of the 2xx */
	sip_id finding;            /* the ack-missing finding made of it, SIP_ID_NONE until then */
	int64_t ts;
	bool dropped;              /* its call was evicted (limits): never judged, out of the table */
	struct ack_wait *next_in_call; /* 2xx waits: the next of its message's call (det_call) */
} ack_wait;

/* Per-object state by id, in pages of DET_PAGE entries made on demand
 * and freed once every id of the page was released (the model evicted
 * the objects): with limits the detector keeps state for what the model
 * holds, not for every id it gave.  A few long-lived objects among many
 * short-lived ones (the REGISTER transactions of Call-IDs kept to the
 * end, among calls forgotten as they finish) would keep nearly every
 * page: once at least DET_LOOSE_FROM ids of a page were released and at
 * most DET_LOOSE_MAX of its entries hold anything (an entry of zero bytes
 * is what a fresh one is), those go into loose, one allocation each, and
 * the page is freed; its ids are found there from then on.
 *
 * Pages and loose entries come from mapped pools (base/pool.h), as the
 * offers, redirect sets and ACK waits the entries point to do: the UI
 * drops all of it once a capture is loaded (findings_retire), and state
 * made in the heap among the model's records would leave most of its
 * pages behind (about 30 bytes per message on a large capture). */
enum {
	DET_SHIFT = 8,
	DET_PAGE = 1 << DET_SHIFT,
	DET_LOOSE_FROM = DET_PAGE / 2,
	DET_LOOSE_MAX = DET_PAGE / 4,
};

typedef struct det_pages {
	uint8_t **pages;
	uint32_t *released;        /* per page: ids released */
	uint8_t *is_loose;         /* per page: its entries are in loose */
	uint32_t n_pages, cap;
	size_t elem;
	GHashTable *loose;         /* GUINT(id + 1) -> entry (from loose_pool), of loose pages */
	pool page_pool;            /* pages: DET_PAGE entries */
	pool loose_pool;           /* loose entries */
	void *ctx;                 /* handed to fini */
} det_pages;

/* fini gives back what an entry owns: fini(ctx, entry). */
typedef void (*det_fini_fn)(void *ctx, void *entry);

void det_pages_init(det_pages *d, size_t elem, void *ctx);

/* The entry of id, made (zero) when there was none; NULL for SIP_ID_NONE. */
void *det_get(det_pages *d, sip_id id);
/* The entry of id when there is one; never makes it. */
const void *det_peek(const det_pages *d, sip_id id);
/* id is gone: fini (when not NULL) is called on its entry, which is
 * cleared; the pages may change (no pointer to an entry outlives this). */
void det_release(det_pages *d, sip_id id, det_fini_fn fini);
/* Everything, fini on every entry; d can be used again (elem is kept). */
void det_pages_free(det_pages *d, det_fini_fn fini);

typedef struct fnd_rec {
	finding pub;
	const fnd_kind *kind;
	uint64_t fold;             /* its key in folded (0: not folded) */
	char *base;                /* summary of the first occurrence; pub.summary is this
	                              same string while there is no note */
	GString *note;             /* optional text after the base, rewritten by checks */
} fnd_rec;

struct findings {
	sip_model *m;
	arena mem;
	idtab recs;                /* fnd_rec* by id; forgotten ones are holes */
	GHashTable *by_call;       /* GUINT(call + 1) -> GArray* of ids */
	uint32_t by_severity[3];   /* findings made, forgotten ones included */
	GArray *no_call;           /* ids of findings without a call */
	GHashTable *by_msg;        /* GUINT(msg + 1) -> GArray* of ids */
	GHashTable *folded;        /* fold key* -> fnd_rec* */
	det_pages txns, dialogs, calls, regs;  /* det_* by id */
	GPtrArray *waits;          /* ack_wait* (owned), in time order */
	guint waits_head;
	guint waits_dropped;       /* dropped ones still in waits (limits) */
	guint waits_spent;         /* judged non-2xx ones still in waits */
	bool cap_ids;              /* the model has limits: FINDING_MAX_IDS ids per list */
	GHashTable *waits_by_key;  /* ack_wait* (2xx only) by Call-ID, CSeq, To tag */
	pool wait_pool;            /* ack_wait, mapped (see det_pages) */
	pool offer_pool;           /* offer_codecs, mapped */
	pool redir_pool;           /* redir_set, mapped */
	sip_msg *p;                /* the message being checked, re-parsed */
	sip_msg *q;                /* another message, re-parsed on demand */
	sdp_session *sdp_a, *sdp_b;
	mp_body *mp;
	GString *s;                /* scratch for summaries */
	int64_t first_ts;
	bool have_first;
	bool finished;
	bool retired;              /* findings_retire: detectors' state gone, events ignored */
	uint64_t generation;
	/* Calls put away as over for good (SIP_EV_OVER) before the newest
	 * message, a bit per call id: where calls are forgotten these are the
	 * ones forgotten (as a message comes, the calls over by then go),
	 * which the end of the capture no longer judges (findings_finish).
	 * over_pending: those put away after the newest message, which the
	 * forgetting modes still hold at the end. */
	GArray *over_calls;        /* uint64_t words */
	GArray *over_pending;      /* sip_id */
};

/* ---- records ------------------------------------------------------------- */

/* A new finding, or (fold != 0) the one already made for this kind, call
 * and fold value: then its count grows and *fresh is false.  The summary
 * of a fresh finding is set with fnd_set_summary. */
/* A view into p, the parse of msg, as the same bytes of msg->raw: with
 * limits the model keeps its own copy of each message and the bytes p was
 * made from may be gone later, so a view kept beyond the message's own
 * checks must point into the copy (it lives as long as the message). */
static inline sv fnd_keep(const sip_message *msg, const sip_msg *p, sv v)
{
	return sv_rebase(p->raw, sip_message_raw(msg), v);
}

fnd_rec *fnd_add(findings *f, const fnd_kind *k, sip_id call, uint64_t fold, int64_t ts, bool *fresh);
void fnd_set_summary(findings *f, fnd_rec *r, const char *text);
/* Text shown after the summary (", seen 3 times", ...); NULL clears it. */
void fnd_set_note(findings *f, fnd_rec *r, const char *text);
void fnd_add_msg(findings *f, fnd_rec *r, sip_id msg);
void fnd_add_txn(findings *f, fnd_rec *r, sip_id txn);
void fnd_add_dialog(findings *f, fnd_rec *r, sip_id dlg);
/* The transaction and all its messages (request, retransmissions, responses). */
void fnd_add_txn_messages(findings *f, fnd_rec *r, sip_id txn);
/* The finding already made for this kind, call and fold value, or NULL. */
fnd_rec *fnd_find(findings *f, const fnd_kind *k, sip_id call, uint64_t fold);

det_txn *fnd_txn(findings *f, sip_id id);
/* The state of a transaction when there is some; never makes it. */
const det_txn *fnd_txn_peek(const findings *f, sip_id id);
det_dlg *fnd_dlg(findings *f, sip_id id);
det_call *fnd_call(findings *f, sip_id id);
det_reg *fnd_reg(findings *f, sip_id id);

/* ---- text ------------------------------------------------------------------ */

/* Wire bytes for a summary: printable ASCII kept, backslash doubled,
 * anything else \xHH, cut after max bytes with "...". */
void fnd_append_wire(GString *out, sv v, size_t max);
void fnd_append_ep(GString *out, const endpoint *e);
/* "INVITE" for a request, "200 OK (INVITE)" for a response (escaped). */
void fnd_append_what(GString *out, const sip_message *msg);
/* Seconds with up to 3 decimals: "32 s", "0.5 s", "1:02" for a minute and more. */
void fnd_append_duration(GString *out, int64_t ns);
/* A hash of bytes for fold values. */
uint64_t fnd_hash_sv(sv v);
uint64_t fnd_hash_ep(const endpoint *e);
/* A message's source and destination as fnd_append_ep writes them
 * (msg NULL: "?"), and fnd_hash_ep of its source. */
void fnd_append_src(GString *out, const sip_message *msg);
void fnd_append_dst(GString *out, const sip_message *msg);
uint64_t fnd_hash_src(const sip_message *msg);

/* ---- parsing on demand ------------------------------------------------------- */

/* Re-parses a message into the scratch given (f->p or f->q). */
void fnd_parse(const sip_message *msg, sip_msg *into);
/* Whether msg's method is the known method code: a known code is the
 * name byte for byte (methods are case-sensitive), so the code of the
 * record says what comparing its SIP_FIELD_METHOD would. */
static inline bool fnd_method_is(const sip_message *msg, sip_method_code code)
{
	return msg->method_code == code;
}

/* The same for the CSeq method (of a CSeq that parsed, as the field). */
static inline bool fnd_cseq_method_is(const sip_message *msg, sip_method_code code)
{
	return msg->cseq_method_code == code;
}

/* ---- checks ------------------------------------------------------------------ */

/* findings_msg.c: every message, after the model placed it. p is NULL when
 * the message was not re-parsed (a retransmission, most responses). */
bool fnd_wants_parse(findings *f, const sip_message *msg);
void fnd_check_message(findings *f, const sip_message *msg, const sip_msg *p);
/* A transaction changed (its timer may have run out). */
void fnd_check_txn(findings *f, const sip_txn *t);
/* A registration changed, or the end of the capture. */
void fnd_check_registration(findings *f, const sip_registration *r);
/* A timed wait for an ACK came due without one: sets w->finding. */
void fnd_report_ack_wait(findings *f, ack_wait *w);
/* End of capture: what became of the session after an unacknowledged 2xx. */
void fnd_ack_wait_aftermath(findings *f, const ack_wait *w);
/* End of the capture: calls still up. */
void fnd_check_call_end(findings *f, const sip_call *c);

/* findings.c: timed waits. */
void fnd_wait_2xx(findings *f, const sip_message *msg, const sip_msg *p);
void fnd_wait_non2xx(findings *f, const sip_message *msg, const sip_txn *t);
/* An ACK came: the wait for its 2xx (Call-ID, CSeq, To tag) is over. */
void fnd_ack_seen(findings *f, const sip_message *ack);
/* A 2xx retransmission: counts against its wait. */
void fnd_2xx_retransmitted(findings *f, const sip_message *msg);
/* The 2xx wait an ACK answers (for SDP answers in an ACK), or NULL. */
const ack_wait *fnd_wait_for_ack(findings *f, const sip_message *ack);

/* findings_sdp.c */
void fnd_check_sdp(findings *f, const sip_message *msg, const sip_msg *p);
void fnd_check_sdp_failure(findings *f, const sip_message *msg, const sip_msg *p);

#endif
