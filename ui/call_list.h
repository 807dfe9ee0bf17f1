/*
 * call_list.h — the rows of the call list screen, free of curses: which
 * calls (Call-IDs) show, in which order, which are marked, and the text of
 * each cell.
 *
 * The list follows the model as it grows: the model's tap tells it which
 * calls changed (call_list_touch), and call_list_update rebuilds the rows
 * when something did.  A filter (ui/filter.h) is applied incrementally: a
 * new filter starts a pass over every call, done a slice at a time by
 * call_list_update within a work budget, and a call that changes later is
 * checked again; until a call has been checked it does not show.  Messages
 * are scanned once per filter (a call's match on its messages is kept and
 * only its new messages are scanned).
 *
 * Rows hold call ids; a row's position changes with sorting and
 * filtering, the id does not, so screens keep the id under the cursor.
 * Sorting is stable: ties go by id.
 */
#ifndef SIPSCOPE_UI_CALL_LIST_H
#define SIPSCOPE_UI_CALL_LIST_H

#include <glib.h>
#include <stdbool.h>

#include "dissect/findings.h"
#include "dissect/model.h"
#include "ui/filter.h"

typedef enum {
	CALL_COL_INDEX = 0,
	CALL_COL_START,
	CALL_COL_METHOD,
	CALL_COL_FROM,
	CALL_COL_TO,
	CALL_COL_SRC,
	CALL_COL_DST,
	CALL_COL_MSGS,
	CALL_COL_STATE,
	CALL_COL_DURATION,
	CALL_COL_FINDINGS,   /* findings of severity warning or error */
	CALL_COL__COUNT
} call_col;

/* "#", "START", "METHOD", "FROM", "TO", "SOURCE", "DESTINATION", "MSGS",
 * "STATE", "DURATION", "!" */
const char *call_col_title(call_col c);
/* The column's name in the configuration file and messages: "index",
 * "start", "method", "from", "to", "src", "dst", "msgs", "state",
 * "duration", "findings". */
const char *call_col_name(call_col c);
/* The column of a name (as above, case-insensitive); false when none. */
bool call_col_lookup(const char *name, call_col *out);

typedef struct call_list call_list;

call_list *call_list_new(const sip_model *m);
void call_list_free(call_list *cl);
/* The findings the FINDINGS column counts (NULL: none); the rows are
 * sorted again when they change. */
void call_list_set_findings(call_list *cl, const findings *f);
/* Findings of severity warning or error of the call; *errors: of them,
 * those of severity error (may be NULL). */
guint call_list_findings_of(const call_list *cl, sip_id call, guint *errors);

/* The model changed this call (or made it). */
void call_list_touch(call_list *cl, sip_id call);
/* A model tap (sip_tap_fn) that forwards SIP_EV_CALL to call_list_touch
 * and drops the row (and the mark) of a call on SIP_EV_EVICT; user is the
 * call_list. */
void call_list_tap(void *user, const sip_model *m, sip_event ev, sip_id id);

/* Takes the filter (NULL: none) and starts a pass. */
void call_list_set_filter(call_list *cl, ui_filter *f);
const ui_filter *call_list_filter(const call_list *cl);
void call_list_set_sort(call_list *cl, call_col col, bool reverse);
call_col call_list_sort_col(const call_list *cl);
bool call_list_sort_reverse(const call_list *cl);
/* Hides Call-IDs without INVITE (REGISTER, OPTIONS, ...). */
void call_list_set_hide_non_calls(call_list *cl, bool hide);
bool call_list_hide_non_calls(const call_list *cl);

/* Filters at most `budget` calls (re-checking changed calls first, then
 * going on with the pass); the rows are rebuilt at the next update. */
void call_list_filter_work(call_list *cl, guint budget);
/* Filters at most `budget` calls, then rebuilds the rows when anything
 * changed.  Returns true when the rows may have changed.  busy: more is
 * coming at once (a file loading, a live capture): rows that only went
 * stale (calls changed or added, the filter pass went on) may wait for a
 * later update, so that rebuilding a long sorted list does not slow the
 * loading down; a change of sort, filter or shown calls, and an evicted
 * call, never wait, and in call id order new calls are added at once. */
bool call_list_update(call_list *cl, guint budget, bool busy);
/* While a filter pass is under way: true, with the calls checked so far
 * and the calls to check. */
bool call_list_filtering(const call_list *cl, guint *done, guint *total);

guint call_list_len(const call_list *cl);
sip_id call_list_at(const call_list *cl, guint row);
/* The row of the call, or -1 when it does not show. */
int call_list_find(const call_list *cl, sip_id call);

/* Marks (multi-select), by call id; they survive filtering and sorting. */
void call_list_mark_toggle(call_list *cl, sip_id call);
bool call_list_marked(const call_list *cl, sip_id call);
guint call_list_marked_count(const call_list *cl);
void call_list_mark_clear(call_list *cl);
/* The marked calls in id order (sip_id array). */
GArray *call_list_marked_ids(const call_list *cl);

/* The cell's text, escaped, appended to out.  long_form: the start time
 * with its date. */
void call_list_cell(const call_list *cl, const sip_call *c, call_col col, bool long_form,
		    GString *out);

#endif
