/*
 * spill.h — what the outputs have to say about a forgotten call, kept
 * aside in a temporary file until its place in the output comes.
 *
 * The model forgets finished calls as it goes (sip_limits.forget_finished)
 * so that memory follows the calls in progress, not the size of the
 * capture; the outputs still list every call in id order at the end.  So
 * as a call goes, its records (--json: transactions, dialogs, the call,
 * its findings; --list: the row's cells; --check: its group of lines) are
 * written here, and read back by kind and id when the end comes.
 *
 * Memory: 8 bytes per id of each kind that has records, in pages made as
 * ids come (an array that doubles would leave tens of MB of slack on a
 * big capture); the records themselves are in the file.
 *
 * Errors: the first failure (the file full, a read that comes back short)
 * is kept as one line in spill_error(); records after it are lost, and
 * the caller says so on standard error.
 */
#ifndef SIPSCOPE_OUTPUT_SPILL_H
#define SIPSCOPE_OUTPUT_SPILL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "dissect/model.h"
#include "output/sink.h"

/* The kinds of record kept; ids are counted per kind. */
typedef enum {
	SPILL_JSON_TXN,
	SPILL_JSON_DIALOG,
	SPILL_JSON_CALL,
	SPILL_JSON_FINDING,
	SPILL_LIST_ROW,      /* by call id: the cells of its --list row */
	SPILL_CHECK_GROUP,   /* by call id: its --check lines */
	SPILL__KINDS
} spill_kind;

typedef struct spill spill;

/* NULL when no temporary file can be made.  what names the output in
 * error lines ("--json"). */
spill *spill_new(const char *what);
void spill_free(spill *sp);

/* A record is what is appended to spill_sink() between spill_begin and
 * spill_end; an empty one is not kept.  One id of a kind has at most one
 * record (a second replaces the first). */
sink *spill_sink(spill *sp);
void spill_begin(spill *sp);
void spill_end(spill *sp, spill_kind kind, sip_id id);

/* Whether a record of kind is kept for id. */
bool spill_has(const spill *sp, spill_kind kind, sip_id id);
/* The record of kind for id appended to out; false (out unchanged) when
 * there is none or it cannot be read back (spill_error then says why). */
bool spill_read(spill *sp, spill_kind kind, sip_id id, GString *out);
/* Everything appended has reached the file; false on a write error. */
bool spill_flush(spill *sp);
/* The first failure, as one line; NULL while there is none. */
const char *spill_error(const spill *sp);

#endif
