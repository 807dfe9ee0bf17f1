/*
 * json_model.h — the model's objects as JSON Lines records (--json), written
 * at end of input after the message records: "transaction", "dialog",
 * "call" and "registration", each in id order.
 *
 * A call record ends with "outcome": one line saying how it ended and why
 * (findings_call_outcome).
 *
 * Conventions shared with the message records: times are seconds since the
 * epoch with microsecond precision ("ts" style), durations are seconds with
 * microsecond precision, ids are numbers (the model's 0-based ids, which
 * message records name in "transaction", "dialog" and "call"), and anything
 * absent or never reached is null rather than left out.
 */
#ifndef SIPSCOPE_OUTPUT_JSON_MODEL_H
#define SIPSCOPE_OUTPUT_JSON_MODEL_H

#include "dissect/model.h"
#include "output/sink.h"

void json_write_txn(sink *s, const sip_model *m, const sip_txn *t);
/* What json_write_txn would write, appended to out as bytes (about a
 * third of the record's length) for a record to be written later, when
 * the model may hold neither the transaction nor its messages: a
 * transaction whose call is forgotten waits in a temporary file this
 * way.  json_write_kept_txn writes the record from them, the same bytes
 * json_write_txn would have written then; false (nothing written) when
 * kept is not what json_keep_txn makes.  Same program, same machine:
 * the bytes are no format to keep. */
void json_keep_txn(GString *out, const sip_model *m, const sip_txn *t);
bool json_write_kept_txn(sink *s, sv kept);
void json_write_dialog(sink *s, const sip_model *m, const sip_dialog *d);
/* The same for a dialog: bytes about half the record's length. */
void json_keep_dialog(GString *out, const sip_model *m, const sip_dialog *d);
bool json_write_kept_dialog(sink *s, sv kept);
void json_write_call(sink *s, const sip_model *m, const sip_call *c);
/* The same for a call: its outcome is judged when it is kept, from the
 * messages the model holds then (findings_call_outcome). */
void json_keep_call(GString *out, const sip_model *m, const sip_call *c);
bool json_write_kept_call(sink *s, sv kept);
void json_write_registration(sink *s, const sip_model *m, const sip_registration *r);
/* Every transaction, dialog, call and registration, in that order (those
 * still held when the model has limits: the others went out as they were
 * evicted, each call after its transactions and dialogs). */
void json_write_model(sink *s, const sip_model *m);

/* The same, with fill asked for each id the model no longer holds: it may
 * write that record (kept aside when its call was forgotten), so that
 * every record comes in its place. */
typedef enum { JSON_REC_TXN, JSON_REC_DIALOG, JSON_REC_CALL, JSON_REC_FINDING, JSON_REC__KINDS } json_rec_kind;
typedef void (*json_fill_fn)(void *user, json_rec_kind kind, sip_id id, sink *s);
/* pace (when not NULL) is called after every JSON_PACE_RECORDS records
 * written from what the model holds: those read message bytes from all
 * over the input (a mapped file's pages come back one by one, each with
 * its neighbours: 256 records can bring back tens of MB), and the caller
 * may give them back. */
enum { JSON_PACE_RECORDS = 256 };
typedef void (*json_pace_fn)(void *user);
void json_write_model_filled(sink *s, const sip_model *m, json_fill_fn fill, json_pace_fn pace,
	void *user);

#endif
