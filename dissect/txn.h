/*
 * txn.h — internal to the model: what every module of it shares (the
 * message being added and the list of objects it changed) and the
 * transaction table (RFC 3261 §17; the rules are in model.h).
 *
 * Records are allocated from the model's arena and indexed by id in a
 * GPtrArray, so pointers to them (and views into them used as hash keys)
 * never move.  Hash tables key on views into the messages' raw bytes: no
 * key is copied.
 */
#ifndef SIPSCOPE_DISSECT_TXN_H
#define SIPSCOPE_DISSECT_TXN_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/blocks.h"
#include "base/pool.h"
#include "base/bytes.h"
#include "base/hindex.h"
#include "base/idtab.h"
#include "dissect/model.h"
#include "dissect/sip.h"

/* ---- what a message changed --------------------------------------------- */

enum { MDL_CH_TXN, MDL_CH_DIALOG, MDL_CH_CALL, MDL_CH_REG, MDL_CH__COUNT };

/* Lists of ids (sip_ids) are appended to several times per message: an
 * append that fits is a store, with no call (a GArray costs a call per
 * append, another to empty it, and an allocation for its header).
 * Always inline: link-time optimisation otherwise made it a call of its
 * own in the model's per-message path. */
void mdl_ids_grow(sip_ids *a);
void mdl_ids_free(sip_ids *a);

G_ALWAYS_INLINE static inline void mdl_ids_push(sip_ids *a, sip_id id)
{
	if (a->len == a->cap)
		mdl_ids_grow(a);
	a->data[a->len++] = id;
}

/* Ids of changed objects per kind, each listed once per round: a record
 * remembers the round (stamp) it was last listed in. */
typedef struct mdl_changes {
	sip_ids ids[MDL_CH__COUNT];
	uint32_t stamp;               /* current round, never 0 */
} mdl_changes;

static inline void mdl_changed(mdl_changes *ch, unsigned kind, uint32_t *rec_stamp, sip_id id)
{
	if (*rec_stamp == ch->stamp)
		return;
	*rec_stamp = ch->stamp;
	mdl_ids_push(&ch->ids[kind], id);
}

/* A copy of v in the model's arena.  The keys of the lookup tables are
 * copies, not views into the capture: the pages of a mapped capture are
 * given back behind the reading cursor (capture/input.h), and a key that
 * pointed there would bring its page back at every lookup.  A NULL view
 * stays NULL, an empty one stays empty. */
static inline sv mdl_keep(arena *a, sv v)
{
	if (v.p == NULL)
		return SV_NULL;
	return sv_make(arena_copy(a, v.p, v.len), v.len);
}

/* A method name kept: the static name of a known method (the same
 * bytes: method names are case-sensitive), else a copy.  code is
 * sip_method_lookup(method). */
static inline sv mdl_keep_method(arena *a, sv method, unsigned code)
{
	return code != SIP_METHOD_OTHER ? sv_from_cstr(sip_method_name(code)) : mdl_keep(a, method);
}

/* What owns a message, its transaction and dialogs when the model has
 * limits: a call, or a group of messages without Call-ID.  Owners form
 * lists from the least to the most recently active; eviction frees an
 * owner with everything it holds.  keep holds the copies made for its
 * objects (keys, tags), so they go with it. */
struct mdl_owner_list;
typedef struct mdl_owner {
	struct mdl_owner *prev, *next;
	struct mdl_owner_list *in; /* the list it is in; NULL: none */
	int64_t last_ts;          /* the model's clock at its newest message */
	sip_id call;              /* SIP_ID_NONE: a group */
	uint32_t n_msgs;          /* messages it holds */
	/* A call that shed (model.c): before these positions its lists of
	 * messages and transactions name only ids that went, so the next
	 * shed starts there (a REGISTER Call-ID of a long capture lists
	 * every refresh) */
	uint32_t shed_msgs_at, shed_txns_at;
	arena keep;
	sip_ids msgs, txns, dialogs; /* groups only; a call has its own lists */
} mdl_owner;

typedef struct mdl_owner_list {
	mdl_owner *head, *tail;   /* least recently active first */
} mdl_owner_list;

/* Records: from the arena without limits (nothing is freed), from a pool
 * of their size with them (each goes back there on eviction: malloc and
 * free cost more than the rest of a message's bookkeeping). */
static inline void *mdl_rec_alloc(arena *mem, pool *recs, bool heap)
{
	return heap ? pool_alloc(recs) : arena_alloc(mem, recs->size);
}

static inline void mdl_rec_free(pool *recs, bool heap, void *rec)
{
	if (heap)
		pool_free(recs, rec);
}

/* A queue read from *head on (the entries before it are done, the model's
 * heard messages and the Timer B/F deadlines): the done part goes once it
 * is at least 4,096 entries and half the queue, so that an entry is moved
 * about once at most. */
static inline void mdl_queue_trim(GArray *q, guint *head)
{
	if (*head >= 4096 && *head * 2 >= q->len) {
		g_array_remove_range(q, 0, *head);
		*head = 0;
	}
}

struct mdl_ctx;
typedef struct mdl_ctx mdl_ctx;

/* The message being added. */
struct mdl_ctx {
	sip_message *msg;         /* its record, already stored */
	const sip_msg *parsed;
	const sip_prepared *prep; /* its hashes and codes */
	sv call_id;               /* its call's copy of the Call-ID (call_attach), which
	                             its transaction and dialog share; SV_NULL: no call */
	int64_t ts;
	mdl_changes *ch;
	const idtab *msgs;    /* every sip_message*, by id */
	arena *keep;              /* where copies for the objects it creates go */
	blocks *side;             /* where a transaction's own copies go, to be freed with
	                             it, when calls may shed theirs (txn_table.side_on);
	                             NULL: they go to keep too */
};

/* With limits the model keeps its own copy of each message's bytes, in
 * its owner's arena (mdl_own_raw), so that nothing it holds depends on
 * the capture's buffers and eviction gives the bytes back.  Views a record
 * keeps (a Contact URI, a route set) are taken from the parse, which
 * points into the original bytes: mdl_view moves such a view to the same
 * place in the copy.  Without a copy it returns v unchanged. */
static inline sv mdl_view(const mdl_ctx *c, sv v)
{
	return sv_rebase(c->parsed->raw, sip_message_raw(c->msg), v);
}

static inline void mdl_own_raw(mdl_ctx *c, arena *a)
{
	sv raw = c->parsed->raw;
	c->msg->raw_p = arena_copy(a, raw.p, raw.len);
}

static inline sip_message *mdl_msg(const idtab *msgs, sip_id id)
{
	return idtab_get(msgs, id);
}

/* The time of message id; 0 for SIP_ID_NONE or a message not held. */
static inline int64_t mdl_msg_ts(const idtab *msgs, sip_id id)
{
	const sip_message *x = idtab_get(msgs, id);
	return x ? x->ts_ns : 0;
}

/* sip_txn_state_ts, with the model's messages (the first state's time is
 * the request's, the next two the responses'). */
static inline int64_t mdl_txn_state_ts(const idtab *msgs, const sip_txn *t, txn_state s)
{
	switch (s) {
	case TXN_STATE_CALLING:
	case TXN_STATE_TRYING:
		return (s == TXN_STATE_CALLING) == t->is_invite ? mdl_msg_ts(msgs, t->request) : 0;
	case TXN_STATE_PROCEEDING:
		return t->proceeding_entered ? mdl_msg_ts(msgs, t->first_provisional) : 0;
	case TXN_STATE_COMPLETED:
		return t->completed_entered ? mdl_msg_ts(msgs, t->final) : 0;
	case TXN_STATE_CONFIRMED:
		return t->confirmed_ts;
	case TXN_STATE_TERMINATED:
		return t->terminated_ts;
	default:
		return 0;
	}
}

/* Method (request) or CSeq method (response) of a parsed message, and
 * its sip_method_code. */
static inline sv mdl_method(const sip_msg *p)
{
	return p->kind == SIP_KIND_REQUEST ? p->method : p->cseq_method;
}

static inline unsigned mdl_method_code(const mdl_ctx *c)
{
	return c->prep->msg_method_code;
}

static inline bool mdl_tag_present(sv tag)
{
	return tag.p != NULL && tag.len > 0;
}

/* ---- transactions --------------------------------------------------------- */

typedef struct txn_key {
	sv branch;          /* case-insensitive; may be empty (RFC 2543) */
	sv host;            /* sent-by host, case-insensitive */
	sv method;          /* byte for byte */
	sip_id call;        /* the call of the Call-ID: a call is the only one with its
	                       Call-ID (byte for byte), and SIP_ID_NONE stands for an
	                       absent or empty one, so ids compare as the Call-IDs would */
	sv from_tag;        /* RFC 2543 keys only, case-insensitive */
	uint32_t cseq;      /* CSeq number */
	uint16_t port;      /* sent-by port, default filled in */
	bool rfc2543;
	uint8_t method_code; /* sip_method_lookup(method): known methods compare by it */
	uint32_t hash_base; /* hash of every field but method, computed once */
} txn_key;

struct reg_ask;

/* A view stored as pointer and 32-bit length (messages are far shorter
 * than 4 GiB): records keep several, grouped so that nothing pads. */
static inline void sv_store32(sv v, const uint8_t **p, uint32_t *len)
{
	*p = v.p;
	*len = (uint32_t)v.len;
}

/* A transaction's record: what the model shares (pub) and what only the
 * model needs, 184 bytes in all.  Its key is pub's method, branch
 * (sip_txn_branch hides it for RFC 2543 keys), call, cseq and rfc2543
 * with the key_ fields (the same values as the txn_key it was created
 * with).  The key's host and From tag are copies that follow the method
 * and branch in pub.text: no pointer each.  pub.text is in the owner's
 * arena, or, where calls may shed their transactions (side_on), a block
 * of the table's side, freed with the record: a call that sheds them
 * keeps nothing of them. */
typedef struct txn_rec {
	sip_txn pub;
	union {
		/* Contact URI of the request (dialog-creating methods); read txn_contact */
		const uint8_t *contact_p;
		/* REGISTER: what its request asked (registration.c), in its
		 * owner's memory, or in the table's side blocks with side_on
		 * (freed with the record); NULL when the request was not
		 * seen.  Read txn_reg_ask: a REGISTER keeps no contact. */
		const struct reg_ask *reg_ask;
	};
	uint32_t key_host_len;
	uint32_t key_from_tag_len; /* RFC 2543 keys only */
	uint32_t contact_len;
	uint32_t key_hash_base;
	uint32_t stamp;
	union {
		/* root transactions: dialogs created under them, chained (only
		 * INVITE, SUBSCRIBE and REFER create them, and parents share
		 * their child's method) */
		sip_id first_dialog;
		sip_id reg;              /* REGISTER: its registration */
	};
	sip_id resp_extra;       /* a distinct response besides the first provisional and the
	                            final (resp_seen_or_add); SIP_ID_NONE: none */
	uint16_t key_port;
	bool req_to_tag : 1;     /* the request had a To tag (false too when it was not seen) */
	bool initial_invite : 1; /* INVITE without To tag (or response-only, judged by the call) */
	bool saw_2xx : 1;
	bool reliable : 1;       /* over a reliable transport: Timers I/K are zero */
	bool notify_terminated : 1; /* NOTIFY with Subscription-State: terminated */
	bool resp_overflow : 1;  /* more distinct responses than the record names: in responses */
	bool key_call_id_present : 1; /* the creating message had a Call-ID header (call none:
	                             an empty one), for txn_call_id */
	int64_t first_2xx_ts;    /* first 2xx here or in a transaction forked from here */
	int64_t last_provisional_ts;
} txn_rec;

/* The key's method code (pub.method_code). */
static inline unsigned txn_key_method_code(const txn_rec *r)
{
	return r->pub.method_code;
}

/* The key's branch, whatever the rules. */
static inline sv txn_key_branch(const txn_rec *r)
{
	return sv_make(r->pub.text + sip_txn_text_method_len(&r->pub), r->pub.branch_len);
}

static inline sv txn_key_host(const txn_rec *r)
{
	return sv_make(r->pub.text + sip_txn_text_method_len(&r->pub) + r->pub.branch_len,
		r->key_host_len);
}

static inline sv txn_key_from_tag(const txn_rec *r)
{
	return sv_make(r->pub.text + sip_txn_text_method_len(&r->pub) + r->pub.branch_len +
		r->key_host_len, r->key_from_tag_len);
}

/* The Call-ID of r as c, whose message is in r, sees it: its call's copy,
 * else (no call) SV_NULL or empty as the creating message had it. */
static inline sv txn_call_id(const txn_rec *r, const mdl_ctx *c)
{
	if (r->pub.call != SIP_ID_NONE)
		return c->call_id;
	return r->key_call_id_present ? sv_make((const uint8_t *)"", 0) : SV_NULL;
}

static inline sv txn_contact(const txn_rec *r)
{
	return r->pub.method_code == SIP_METHOD_REGISTER ? SV_NULL :
		sv_make(r->contact_p, r->contact_len);
}

static inline const struct reg_ask *txn_reg_ask(const txn_rec *r)
{
	return r->pub.method_code == SIP_METHOD_REGISTER ? r->reg_ask : NULL;
}

/* A transaction whose request came, in the order they came, with its
 * Timer B/F deadline (the request's time + 64×T1): the queue's head is
 * judged without reading the transaction or its request, which by then
 * lie seconds of capture behind.  A transaction and its request belong
 * to the same call (or group) and are evicted together, so the request's
 * time cannot change while the transaction is held. */
typedef struct txn_timer {
	sip_id id;
	int64_t deadline;
} txn_timer;

typedef struct txn_table {
	arena *mem;
	const sip_timers *settings; /* the model's timers: fixed before its first message */
	const idtab *msgs;        /* the model's messages, whose times the records do not copy */
	idtab recs;               /* txn_rec* by id */
	hindex by_key;            /* key hash -> txn id */
	hindex responses;         /* -> sip_message id: distinct responses (txn, status, To tag)
	                             beyond the three a record names */
	GArray *timers;           /* txn_timer: transactions with a request, in order of creation */
	guint timers_head;        /* the ones before were judged by txn_tick */
	bool heap;                /* records from pool (the model has limits) */
	bool side_on;             /* heap, and calls may shed transactions (model.c):
	                             each record's text and reg_ask are in side */
	pool pool;                /* of txn_rec */
	blocks side;              /* (mdl_ctx.side) */
} txn_table;

/* What adding one message did to its transaction. */
typedef struct txn_result {
	txn_rec *txn;             /* NULL for invalid messages */
	bool created;
	bool request_filled;      /* a response-only transaction got its request */
	bool retransmission;
	bool first_provisional;
	bool first_final;         /* the transaction's first final response */
	bool new_2xx;             /* a 2xx with a status/To tag not seen before here */
	bool ack_joined;          /* ACK for a non-2xx final, joined to the INVITE */
} txn_result;

/* The key parts of a Via of p (sip_model_prepare): reads p only. */
void txn_prepare_via(const sip_msg *p, sv branch, uint32_t branch_hash, sv sent_by, sv transport,
	uint32_t call_id_hash, uint32_t from_tag_hash, sip_prepared_via *out);

void txn_table_init(txn_table *t, arena *mem, const sip_timers *timers, const idtab *msgs);
void txn_table_clear(txn_table *t);
/* The index by key goes (sip_model_compact), and comes back from the
 * records held, in the order they were made, as lookups expect. */
void txn_index_drop(txn_table *t);
void txn_index_rebuild(txn_table *t);

static inline txn_rec *txn_get(const txn_table *t, sip_id id)
{
	return idtab_get(&t->recs, id);
}

/* The transaction furthest upstream of id (following parent links). */
txn_rec *txn_root(const txn_table *t, txn_rec *r);
/* True when r is anc or forked (through parent links) from it. */
bool txn_descends(const txn_table *t, const txn_rec *r, const txn_rec *anc);

/* Matches the message of c to its transaction (creating it when needed),
 * sets c->msg->txn and c->msg->retransmission, updates the state. */
void txn_process(txn_table *t, mdl_ctx *c, txn_result *out);

/* The clock reached now: transactions whose Timer B / F ran out without a
 * final response end TXN_END_NO_FINAL (a ringing INVITE waits for
 * txn_finish: Timer C is long).  Appends their ids to expired. */
void txn_tick(txn_table *t, mdl_changes *ch, int64_t now, GArray *expired);

/* End of capture: timers, TXN_END_NO_FINAL / TXN_END_CAPTURE_ENDED. */
void txn_finish(txn_table *t, mdl_changes *ch, int64_t end_ts);

/* Before eviction: the timers that ran out by now, as txn_finish judges
 * them, but a transaction still waiting stays as it is. */
void txn_settle(txn_table *t, mdl_changes *ch, sip_id id, int64_t now);

/* Eviction.  A response leaves the set of distinct responses; a
 * transaction leaves the index, its record is freed, its id is a hole. */
void txn_forget_message(txn_table *t, const sip_message *msg);
void txn_evict(txn_table *t, sip_id id);
/* The transaction leaves the index (its call is over for good: no message
 * can match it again); the record stays. */
void txn_unindex(txn_table *t, sip_id id);
/* The transaction is over for good (model.h, "Matching"): it leaves the
 * index and is marked over; the record stays.  Nothing when it already
 * is, or is not held. */
void txn_retire(txn_table *t, sip_id id);

#endif
