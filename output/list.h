/*
 * list.h — the call list (--list): one line per Call-ID in order of first
 * appearance, under a header line:
 *
 *   ID  START (UTC)              METHOD  FROM                   TO                   STATE     DURATION  MSGS  CALL-ID
 *    0  2023-11-14 22:13:20.000  INVITE  sip:alice@example.com  sip:bob@example.net  answered     0.063     7  3848276298220188511@192.0.2.10
 *
 * ID is the call's id (as in the JSON "call" records); START the first
 * message; METHOD the first request's method (INVITE for calls, REGISTER,
 * OPTIONS, ... for other Call-IDs); FROM and TO the URIs of the first
 * request; STATE the call's outcome (with the final status for busy,
 * no-answer and failed calls), or for a Call-ID without INVITE the last
 * final status seen ("no response" when none); DURATION the talk time from
 * answer to end in seconds ([h:]m:ss.mmm above a minute), ">" before it for
 * calls still up when the capture ended, "-" for calls never answered;
 * MSGS the messages of the Call-ID, retransmissions included.
 *
 * Columns are as wide as their content, FROM and TO at most 40 cells,
 * METHOD 12 and STATE 20 (longer text ends in "..."); the Call-ID is never
 * cut, so it can be pasted into --ladder.  Every wire byte is escaped.
 */
#ifndef SIPSCOPE_OUTPUT_LIST_H
#define SIPSCOPE_OUTPUT_LIST_H

#include <stdint.h>

#include "dissect/model.h"
#include "output/sink.h"
#include "output/spill.h"

/* end_ts: where the capture ended (for calls still up then). */
void list_write(sink *s, const sip_model *m, int64_t end_ts);

/* Calls the model forgot as finished (sip_limits.forget_finished) keep
 * their rows aside, as cells: list_aside_call keeps a call's cells in sp
 * (SPILL_LIST_ROW) and widens the columns of aside; at the end
 * list_write_aside writes the list as list_write would have with every
 * call kept, the rows of the calls no longer held from sp.  A talk time
 * that runs to the end of the capture is kept as its answer time and
 * written then. */
enum { LIST_COLUMNS = 9 };
typedef struct list_aside {
	size_t width[LIST_COLUMNS];   /* widest cell of the rows kept aside */
	int64_t open_answer_ts;       /* earliest answer of a call still up (0: none) */
	GString *cell[LIST_COLUMNS];  /* the cells of the row being kept, made once */
} list_aside;
void list_aside_call(spill *sp, list_aside *aside, const sip_model *m, const sip_call *c);
/* Frees what list_aside_call made (aside itself is the caller's). */
void list_aside_clear(list_aside *aside);
void list_write_aside(sink *s, const sip_model *m, int64_t end_ts, const list_aside *aside,
	spill *sp);

/* With limits (sip_model_set_limits): the header, then a row per call as
 * it is evicted (end_ts: the model's clock then), then the rows of the
 * calls still held, in id order; columns of fixed widths (FROM and TO 40,
 * METHOD 12, STATE 20, numbers as wide as they need). */
void list_write_header(sink *s);
void list_write_call(sink *s, const sip_model *m, const sip_call *c, int64_t end_ts);
void list_write_rest(sink *s, const sip_model *m, int64_t end_ts);
/* The STATE column's text: "answered", "busy 486", "200", "no response". */
void list_append_state(GString *out, const sip_model *m, const sip_call *c);

#endif
