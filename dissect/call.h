/*
 * call.h — internal to the model: the call table (everything with one
 * Call-ID) and the rules that give a call its outcome (see model.h).
 * Calls are found by Call-ID through a hash keyed on views into the
 * messages; Call-IDs named by related-call headers before their call
 * appears wait in a second table until it does.
 */
#ifndef SIPSCOPE_DISSECT_CALL_H
#define SIPSCOPE_DISSECT_CALL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/hindex.h"
#include "base/idtab.h"
#include "dissect/dialog.h"
#include "dissect/model.h"
#include "dissect/txn.h"

enum { CALL_INLINE_MSGS = 8, CALL_INLINE_TXNS = 4, CALL_INLINE_DIALOGS = 2 };

typedef struct call_rec {
	sip_call pub;
	sip_id caller_msg;        /* the initial INVITE whose From tag is the caller's;
	                             SIP_ID_NONE: none yet */
	int8_t parties_level;     /* from/to taken from: 0 the first message, 1 a request,
	                             2 the initial INVITE; -1 none yet */
	bool is_call : 1;         /* INVITE, ACK, BYE, CANCEL or PRACK traffic */
	bool has_initial : 1;     /* an initial INVITE (or a response-only one) */
	bool midway : 1;          /* in-dialog traffic of a session whose start was not captured */
	bool have_attempt : 1;
	bool answered : 1;
	bool ended : 1;           /* answered (or midway) and every confirmed dialog over */
	bool timed_out : 1;       /* the current attempt's INVITE got no final in time */
	bool closed : 1;          /* over for good (call_close): out of the index */
	bool shed : 1;            /* shed transactions over for good, a REGISTER among them
	                             (model.c): it lasts as they would have */
	uint16_t answer_status;
	uint16_t attempt_status;  /* final of the current attempt (300-699), 0 = none yet */
	uint32_t attempt_cseq;
	uint32_t attempt_open;    /* its upstream-most transactions still without a final */
	int64_t attempt_final_ts;
	uint32_t confirmed_alive; /* confirmed INVITE dialogs not yet terminated */
	sip_id last_bye;          /* newest BYE request */
	uint32_t stamp;
	uint32_t retired_txns_at; /* its transactions before this place in txns are over for
	                             good (model.c retire_txns) */
	int64_t last_clock;       /* the model's clock (call_table.clock) at its newest message */
	sip_ids messages, dialogs, txns; /* what pub's lists point to */
	/* Where the lists start: most calls hold up to 8 messages, 4
	 * transactions and 2 dialogs, which then cost no allocation of their
	 * own (with its header and the slack of doubling); a list that grows
	 * past its part moves to the heap (call_ids_push). */
	sip_id inline_ids[CALL_INLINE_MSGS + CALL_INLINE_TXNS + CALL_INLINE_DIALOGS];
	/* With limits: what it owns, its place among the calls.  Last, so
	 * that without limits the record stops before it (CALL_REC_BARE). */
	mdl_owner own;
} call_rec;

/* The bytes of a call_rec without limits: own is never touched then. */
#define CALL_REC_BARE offsetof(call_rec, own)

/* Whether r, found by its Call-ID, is over for good: when it is, the
 * function has closed it (call_close) and the Call-ID starts a new call. */
typedef bool (*call_gone_fn)(void *user, call_rec *r);

typedef struct call_table {
	arena *mem;
	idtab recs;               /* call_rec* by id */
	hindex by_id;             /* Call-ID hash -> call id */
	GHashTable *pending;      /* sv* (a named Call-ID not seen yet) -> internal list */
	GString *scratch;
	GPtrArray *no_related;    /* the empty list of every call without related Call-IDs */
	bool heap;                /* records from pool, each with its own arena (limits) */
	pool pool;                /* of call_rec */
	bool copy_raw;            /* heap: each message's bytes copied into its call's arena */
	/* Asked of every call found by Call-ID for a message (its own, or
	 * one its related-call headers name), and of each call waiting for
	 * a Call-ID that appears, once it has been quiet (clock - last_clock)
	 * for longer than gone_quiet_ns; NULL: calls last forever.  The
	 * quiet test is the table's so that the usual message, one of a call
	 * heard from recently, costs no call through the pointer. */
	call_gone_fn gone;
	void *gone_user;
	int64_t gone_quiet_ns;
	int64_t clock;            /* the model's clock, set before each message */
} call_table;

void call_table_init(call_table *ct, arena *mem);
void call_table_clear(call_table *ct);

static inline call_rec *call_get(const call_table *ct, sip_id id)
{
	return idtab_get(&ct->recs, id);
}

call_rec *call_find(const call_table *ct, sv call_id);
/* The same with hash = sv_hash(call_id) already known (sip_prepared). */
call_rec *call_find_hashed(const call_table *ct, sv call_id, uint32_t hash);

/* Finds or creates the call of the message (its Call-ID), sets
 * c->msg->call and lists the message in it.  Before txn_process. */
void call_attach(call_table *ct, mdl_ctx *c);

/* After txn_process and dlg_process. */
void call_process(call_table *ct, txn_table *t, dlg_table *d, mdl_ctx *c, const txn_result *tr,
	const dlg_result *dr);

/* Transactions that just ran out of time without a final (txn_tick). */
void call_txns_expired(call_table *ct, const txn_table *t, const idtab *msgs, mdl_changes *ch,
	const GArray *expired);

/* Before eviction, after txn_settle and dlg_settle of its objects (ended:
 * the confirmed dialogs those ended): as call_finish, for one call. */
void call_settle(call_table *ct, const txn_table *t, const dlg_table *d, const idtab *msgs,
	mdl_changes *ch, sip_id id, const GArray *ended);

/* The call is over for good: it leaves the index and the related-call
 * waits, so that its Call-ID starts a new call, and keeps everything
 * else. */
void call_close(call_table *ct, call_rec *r);

/* Eviction: the call leaves the index and the related-call waits, its
 * record, lists and arena are freed, its id is a hole.  Its messages,
 * transactions and dialogs must be gone already. */
void call_evict(call_table *ct, sip_id id);

/* After dlg_finish: ended lists the confirmed dialogs it terminated. */
void call_finish(call_table *ct, const txn_table *t, const dlg_table *d, const idtab *msgs,
	mdl_changes *ch, int64_t end_ts, const GArray *ended);

#endif
