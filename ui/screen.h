/*
 * screen.h — what a screen of the UI is (an object with draw and key
 * handlers, kept on the UI's stack), and the services the UI offers the
 * screens: the model, the shared call list, the status line, prompts and
 * saving.
 *
 * Layout of the terminal: line 0 is the status bar (drawn by the UI), the
 * last line shows a prompt, a message or the top screen's key hints, and
 * the lines between belong to the top screen.  A screen draws only inside
 * the rectangle it is given, whatever its size (zero lines included).
 */
#ifndef SIPSCOPE_UI_SCREEN_H
#define SIPSCOPE_UI_SCREEN_H

#include <glib.h>
#include <stdbool.h>

#include "dissect/model.h"
#include "ui/call_list.h"
#include "ui/ui.h"

typedef struct ui ui;
typedef struct screen screen;

typedef struct screen_ops {
	const char *name;
	void (*draw)(screen *s, ui *u, int top, int width, int height);
	/* true when the key was used */
	bool (*key)(screen *s, ui *u, int key);
	/* The model changed (more of the capture was read). */
	void (*update)(screen *s, ui *u);
	/* Key hints for the last line: "key", "what", ..., NULL. */
	const char *const *(*hints)(screen *s);
	void (*free)(screen *s);
} screen_ops;

struct screen {
	const screen_ops *ops;
};

const sip_model *ui_model(const ui *u);
/* What the application gave ui_run. */
const ui_feed *ui_feed_of(const ui *u);
call_list *ui_calls(ui *u);
/* Screens on top of the stack; the pushed screen is owned by the UI. */
void ui_push(ui *u, screen *s);
/* Closes the top screen; closing the last one quits. */
void ui_pop(ui *u);
void ui_quit(ui *u);
/* A line on the last line until the next key. */
void ui_message(ui *u, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void ui_error(ui *u, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Whether the capture is still being read. */
bool ui_loading(const ui *u);

/* A prompt on the last line.  on_change (may be NULL) runs after each
 * edit; on_done once with accepted and the text.  user is passed on; free
 * (may be NULL) releases it when the prompt ends. */
typedef void (*ui_prompt_change_fn)(ui *u, void *user, const char *text);
typedef void (*ui_prompt_done_fn)(ui *u, void *user, bool accepted, const char *text);
void ui_prompt(ui *u, const char *label, const char *initial, ui_prompt_change_fn on_change,
	       ui_prompt_done_fn on_done, void *user, GDestroyNotify free_user);

/* Asks for a file name and saves the packets of these calls. */
void ui_save_packets_prompt(ui *u, const sip_id *calls, size_t n);
/* Asks for a file name and saves the ladder of these calls as text (what
 * --ladder prints). */
void ui_save_ladder_prompt(ui *u, const sip_id *calls, size_t n, bool by_host);

/* The screens. */
screen *screen_calls_new(ui *u);
screen *screen_ladder_new(ui *u, const sip_id *calls, size_t n);
screen *screen_help_new(ui *u);
/* Two messages compared (the earlier on the left); NULL when either is
 * unknown. */
screen *screen_diff_new(ui *u, sip_id a, sip_id b);

#endif
