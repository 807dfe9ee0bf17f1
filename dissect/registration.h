/*
 * registration.h — internal to the model: the registrar's location service
 * as seen from REGISTER transactions (RFC 3261 §10; the rules are in
 * model.h).  Registrations are found by address-of-record, bindings by
 * (registration, Contact URI), both through hashes over views.
 */
#ifndef SIPSCOPE_DISSECT_REGISTRATION_H
#define SIPSCOPE_DISSECT_REGISTRATION_H

#include <glib.h>

#include "base/arena.h"
#include "base/idtab.h"
#include "dissect/model.h"
#include "dissect/txn.h"

typedef struct reg_uri_key {
	sv user;            /* byte for byte */
	sv host;            /* case-insensitive */
	uint16_t port;      /* bindings only: default filled in */
	uint8_t scheme;     /* sip_uri_scheme; other schemes compare the whole URI as user */
} reg_uri_key;

typedef struct reg_rec {
	sip_registration pub;
	reg_uri_key key;
	int64_t next_expiry;     /* earliest expires_ts of a live binding; 0 = none */
	uint32_t stamp;
	/* with limits (copy): its copies, and its place among the
	 * registrations from the least to the most recently updated */
	arena keep;
	struct reg_rec *prev, *next;
} reg_rec;

typedef struct reg_table {
	arena *mem;
	idtab recs;               /* reg_rec* by id */
	GHashTable *by_aor;       /* reg_uri_key* -> reg_rec* */
	GHashTable *bindings;     /* internal binding key* -> itself */
	bool copy;                /* limits: records on the heap with copies of the AOR and
	                             Contacts in their own arena (the messages they come from
	                             are evicted), kept in the order they were updated */
	reg_rec *lru_head, *lru_tail;
	guint held;
} reg_table;

void reg_table_init(reg_table *rt, arena *mem);
void reg_table_clear(reg_table *rt);

static inline reg_rec *reg_get(const reg_table *rt, sip_id id)
{
	return idtab_get(&rt->recs, id);
}

/* After txn_process: REGISTER requests and their responses. */
void reg_process(reg_table *rt, mdl_ctx *c, const txn_result *tr);

/* With limits: the least recently updated registration (NULL: none),
 * and its eviction (out of the tables, freed, its id a hole). */
reg_rec *reg_oldest(const reg_table *rt);
/* Before eviction: bindings past their expiry by now; true when one was. */
bool reg_settle(reg_table *rt, sip_id id, int64_t now);
void reg_evict(reg_table *rt, sip_id id);

/* End of capture: bindings past their expiry. */
void reg_finish(reg_table *rt, mdl_changes *ch, int64_t end_ts);

#endif
