/*
 * ladder_layout.h — a ladder diagram (call flow) laid out in character
 * cells, with no knowledge of how it is drawn.  The text renderer
 * (output/ladder_text.h, --ladder) and the curses screen both draw from
 * this one layout, so the two always agree.
 *
 * Input: a set of messages of the model (one call, several calls merged,
 * or all), drawn in capture order.  Output:
 *  - columns: one per endpoint (ip:port, or per address when grouping by
 *    host) in order of first appearance, the source of a message before
 *    its destination; each has a title and the x of its lifeline;
 *  - rows: one per message, an arrow from one column to another (or to
 *    itself: a loop to the right of the lifeline), with its label, SDP
 *    summary, times, retransmission mark and the ids (transaction,
 *    dialog, call) a screen colours by; each row has a y and a height in
 *    lines.
 *
 * Geometry, in cells from the diagram's left edge (time and delta gutters
 * are the renderer's business):
 *  - an arrow's label sits in the gap next to its sender, on the side of
 *    the receiver (a self-message's label in the gap to the right); an
 *    arrow that spans several columns crosses the lifelines in between
 *    after its label;
 *  - gaps are as wide as their widest label (at most max_label cells of
 *    text, longer labels cut with "..."), and wide enough that adjacent
 *    titles (never cut: a long IPv6 endpoint widens its gaps) keep two
 *    spaces between them;
 *  - right of the rows (rows_width) comes a gutter: two spaces, then on an
 *    arrow line whatever the renderer adds (the delta), and on the SDP line
 *    under an arrow the SDP summary (at sdp_x, the same cell for every
 *    row), so media details never widen the diagram itself.
 *
 * Every text in the layout is terminal-safe (escaped with
 * text_append_sv) and its width counted in cells.
 *
 * Row lines: the arrow line, then for a self-message the loop's return
 * line, then the SDP line when the message carries SDP (not for a
 * retransmission, which repeats what the original said).
 */
#ifndef SIPSCOPE_UI_LADDER_LAYOUT_H
#define SIPSCOPE_UI_LADDER_LAYOUT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/endpoint.h"
#include "dissect/model.h"

typedef struct ladder_opts {
	bool group_by_host;  /* one column per IP address instead of per ip:port */
	unsigned max_label;  /* widest arrow label in cells; 0: LADDER_MAX_LABEL */
	unsigned max_sdp;    /* widest SDP summary in cells; 0: LADDER_MAX_SDP */
	unsigned min_gap;    /* narrowest distance between lifelines; 0: LADDER_MIN_GAP */
} ladder_opts;

enum { LADDER_MAX_LABEL = 40, LADDER_MAX_SDP = 100, LADDER_MIN_GAP = 12 };

typedef struct ladder_column {
	endpoint ep;         /* the first endpoint seen (port 0 when grouped by host) */
	char *title;         /* "192.0.2.10:5060", "[2001:db8::1]:5060", or the address alone */
	unsigned title_width;
	unsigned x;          /* cell of the lifeline */
	unsigned title_x;    /* first cell of the title (centred on the lifeline) */
} ladder_column;

typedef struct ladder_row {
	sip_id msg, txn, dialog, call;
	unsigned from, to;   /* column indices; from == to for a self-message */
	int64_t ts_ns;
	int64_t delta_ns;    /* since the previous row; 0 for the first */
	bool request;        /* else a response (or an invalid message) */
	uint16_t status;     /* responses */
	bool retransmission;
	bool has_sdp;
	char *label;         /* full label: "INVITE", "180 Ringing", "(invalid)" */
	char *text;          /* what the arrow shows: label + " (SDP)", cut to fit */
	unsigned text_width;
	unsigned text_x;     /* first cell of text on the arrow line */
	char *sdp;           /* "audio 198.51.100.20:49170 PCMU,telephone-event", cut to max_sdp; NULL when none or retransmission */
	unsigned sdp_width;
	unsigned sdp_x;      /* rows_width + 2 */
	unsigned loop_x;     /* self-message: cell of the loop's corner */
	unsigned y;          /* first line of the row (0 = first line under the titles) */
	unsigned lines;      /* 1 + (self-message) + (SDP line) */
} ladder_row;

typedef struct ladder_layout {
	ladder_opts opts;
	GArray *columns;     /* ladder_column */
	GArray *rows;        /* ladder_row */
	unsigned width;      /* cells from 0 to the rightmost cell of titles and rows (SDP lines excluded) */
	unsigned rows_width; /* cells from 0 to the rightmost cell of the row lines (lifelines, arrows, labels, loops) */
	unsigned height;     /* lines of all rows */
	uint32_t *col_at;    /* [width]: column index + 1 of the lifeline at each cell, 0 for none */
} ladder_layout;

/* Lays out the given messages (any order, duplicates ignored: drawn in
 * capture order).  opts may be NULL for the defaults. */
ladder_layout *ladder_layout_new(const sip_model *m, const sip_id *msgs, size_t n,
				 const ladder_opts *opts);
void ladder_layout_free(ladder_layout *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ladder_layout, ladder_layout_free)

static inline const ladder_column *ladder_column_at(const ladder_layout *l, unsigned i)
{
	return &g_array_index(l->columns, ladder_column, i);
}

static inline const ladder_row *ladder_row_at(const ladder_layout *l, unsigned i)
{
	return &g_array_index(l->rows, ladder_row, i);
}

/* The messages of these calls merged, in capture order (sip_id array). */
GArray *ladder_messages_of_calls(const sip_model *m, const sip_id *calls, size_t n);
/* Every message of the model, in capture order. */
GArray *ladder_messages_all(const sip_model *m);

/* The row's arrow as it crosses cell x of the arrow line, for renderers:
 * what to draw there ignoring the label.  See the .c for the characters. */
typedef enum {
	LADDER_CELL_EMPTY = 0, /* nothing (between lifelines, off the arrow) */
	LADDER_CELL_LIFELINE,  /* a lifeline the arrow does not touch */
	LADDER_CELL_ENDPOINT,  /* the lifeline of the sender or receiver */
	LADDER_CELL_SHAFT,     /* the arrow's body */
	LADDER_CELL_CROSSING,  /* the arrow crossing a lifeline between its ends */
	LADDER_CELL_HEAD_RIGHT,
	LADDER_CELL_HEAD_LEFT,
	LADDER_CELL_LOOP_TOP,  /* self-message: corner of the loop, arrow line */
	LADDER_CELL_LOOP_BOTTOM, /* self-message: corner of the loop, return line */
} ladder_cell;

/* What is drawn at cell x on line `line` of a row (0 = arrow line, 1 = the
 * loop's return line of a self-message; the SDP line is lifelines only).
 * Labels and SDP text overwrite these at text_x / sdp_x. */
ladder_cell ladder_row_cell(const ladder_layout *l, const ladder_row *r, unsigned line, unsigned x);
/* Line index of the row's SDP line within the row, or -1 when none. */
int ladder_row_sdp_line(const ladder_row *r);

#endif
