/*
 * dialog.h — internal to the model: the dialog table (RFC 3261 §12; the
 * rules are in model.h).  Keyed by Call-ID and the unordered pair of tags,
 * as views into the messages; dialogs created under one INVITE are chained
 * from the transaction furthest upstream, so a final response can end its
 * early dialogs without a scan.
 */
#ifndef SIPSCOPE_DISSECT_DIALOG_H
#define SIPSCOPE_DISSECT_DIALOG_H

#include <glib.h>
#include <stdbool.h>

#include "base/arena.h"
#include "base/hindex.h"
#include "base/idtab.h"
#include "dissect/model.h"
#include "dissect/txn.h"

/* What a message looks a dialog up by.  A record's key is its pub.call
 * (calls are Call-IDs byte for byte, and a dialog always has one),
 * pub.from_tag and pub.to_tag. */
typedef struct dlg_key {
	sip_id call;
	sv tag_a, tag_b;    /* either order, case-insensitive */
} dlg_key;

/* 152 bytes, pub included. */
typedef struct dlg_rec {
	sip_dialog pub;
	sip_id next_in_root;     /* next dialog chained from the same root transaction */
	sip_id bye_txn;          /* newest BYE transaction inside it */
	uint32_t stamp;
	uint32_t index_hash;     /* its hash in by_key */
} dlg_rec;

typedef struct dlg_table {
	arena *mem;
	idtab recs;               /* dlg_rec* by id */
	hindex by_key;            /* key hash -> dialog id */
	bool heap;                /* records from pool (the model has limits) */
	pool pool;                /* of dlg_rec */
} dlg_table;

/* What adding one message did to dialogs. */
typedef struct dlg_result {
	dlg_rec *dialog;          /* the message's dialog, or NULL */
	sip_id created;           /* dialog created by it */
	sip_id confirmed;         /* dialog it confirmed (or created confirmed) */
	sip_id terminated;        /* confirmed dialog it terminated */
} dlg_result;

void dlg_table_init(dlg_table *d, arena *mem);
void dlg_table_clear(dlg_table *d);
/* As txn_index_drop and txn_index_rebuild, for the index by key. */
void dlg_index_drop(dlg_table *d);
void dlg_index_rebuild(dlg_table *d);

static inline dlg_rec *dlg_get(const dlg_table *d, sip_id id)
{
	return idtab_get(&d->recs, id);
}

void dlg_process(dlg_table *d, txn_table *t, mdl_ctx *c, const txn_result *tr, dlg_result *out);

/* End of capture (after txn_finish): forks left early, BYEs left without
 * 2xx.  Appends to ended the ids of confirmed dialogs it terminated. */
/* Before eviction: what dlg_finish would judge by now, but a BYE left
 * without 2xx ends its dialog only once its transaction timed out. */
void dlg_settle(dlg_table *d, const txn_table *t, mdl_changes *ch, sip_id id, int64_t now,
	GArray *ended);

/* Eviction: the dialog leaves the index, its record is freed, its id is a hole. */
void dlg_evict(dlg_table *d, sip_id id);
/* The dialog leaves the index (its call is over for good); the record stays. */
void dlg_unindex(dlg_table *d, sip_id id);

void dlg_finish(dlg_table *d, const txn_table *t, mdl_changes *ch, int64_t end_ts, GArray *ended);

#endif
