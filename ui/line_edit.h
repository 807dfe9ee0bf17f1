/*
 * line_edit.h — a one-line text editor for prompts (the filter line, a
 * file name), free of curses: UTF-8 text and a cursor between characters,
 * driven by ui/keys.h codes.
 *
 * Keys: printable characters insert; Backspace and Delete remove;
 * Left/Right/Home/End (and Ctrl-A/Ctrl-E) move; Ctrl-U clears to the
 * start, Ctrl-K to the end, Ctrl-W removes the word before the cursor;
 * Enter accepts and Escape cancels.
 */
#ifndef SIPSCOPE_UI_LINE_EDIT_H
#define SIPSCOPE_UI_LINE_EDIT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
	LINE_EDIT_NONE = 0,   /* key not used */
	LINE_EDIT_MOVED,      /* cursor moved, text unchanged */
	LINE_EDIT_CHANGED,    /* text changed */
	LINE_EDIT_ACCEPT,     /* Enter */
	LINE_EDIT_CANCEL,     /* Escape */
} line_edit_result;

typedef struct line_edit {
	GString *text;
	size_t cursor;        /* byte offset, always at a character boundary */
} line_edit;

void line_edit_init(line_edit *le, const char *initial);
void line_edit_clear(line_edit *le);
line_edit_result line_edit_key(line_edit *le, int key);
/* Cells before the cursor (for placing the terminal's cursor). */
size_t line_edit_cursor_cells(const line_edit *le);

#endif
