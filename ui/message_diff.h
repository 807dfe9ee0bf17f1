/*
 * message_diff.h — two messages compared line by line, free of curses,
 * for the diff screen: the lines of each (ui/message_text.h, the info
 * line left out) aligned into rows, each row a line of both (the same or
 * changed) or of one side only.
 *
 * Alignment: the longest common sequence of equal lines; between two
 * equal lines, a line of each side with the same header name (the start
 * lines, body lines) pair up as changed, and the rest belong to one side.
 * Header names compare case-insensitively, so "Via" and "via" pair; a
 * compact form ("v") does not pair with its long form.  Past
 * MESSAGE_DIFF_MAX_CELLS lines × lines, lines pair up in order instead
 * (a pathological message must not cost seconds).
 */
#ifndef SIPSCOPE_UI_MESSAGE_DIFF_H
#define SIPSCOPE_UI_MESSAGE_DIFF_H

#include <glib.h>

enum { MESSAGE_DIFF_MAX_CELLS = 4000000 };

typedef enum {
	DIFF_SAME = 0,
	DIFF_CHANGED,   /* both sides, different text */
	DIFF_ONLY_A,    /* the left (earlier) message only */
	DIFF_ONLY_B,    /* the right (later) message only */
} diff_kind;

typedef struct diff_row {
	diff_kind kind;
	int a, b;       /* line index in each side's msg_line array; -1 for none */
} diff_row;

typedef struct message_diff {
	GArray *rows;   /* diff_row */
	guint changed, only_a, only_b;
} message_diff;

/* a and b: msg_line arrays (their line 0, the info line, is skipped). */
message_diff *message_diff_new(const GArray *a, const GArray *b);
void message_diff_free(message_diff *d);

#endif
