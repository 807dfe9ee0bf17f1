/*
 * ui_config.h — the settings of the interactive UI read from a file:
 * $XDG_CONFIG_HOME/sipscope/config (~/.config/sipscope/config when
 * XDG_CONFIG_HOME is not set), or the file given with --config.
 *
 * The format is GLib's key file without a group header: "key = value"
 * lines, '#' comments, blank lines.  One key so far:
 *
 *   # the columns of the call list, in order; NAME:WIDTH fixes a width
 *   columns = index,start,method,from:24,to:24,src,dst,msgs,state,duration,findings
 *
 * Column names are those of call_col_name (ui/call_list.h); a width is
 * 1 to UI_CONFIG_MAX_WIDTH cells.  Anything else (an unknown key or
 * column, a column twice, a bad width, a [group]) is an error: the file is
 * someone's intent, and silently ignoring part of it would hide a typo.
 */
#ifndef SIPSCOPE_UI_UI_CONFIG_H
#define SIPSCOPE_UI_UI_CONFIG_H

#include <glib.h>
#include <stdbool.h>

#include "ui/call_list.h"

enum { UI_CONFIG_MAX_WIDTH = 200 };

typedef struct ui_column {
	call_col col;
	unsigned width;      /* 0: fitted to the terminal */
} ui_column;

typedef struct ui_config {
	ui_column columns[CALL_COL__COUNT];
	unsigned n_columns;
} ui_config;

/* The defaults: every column, in call_col order, fitted. */
void ui_config_init(ui_config *c);
/* $XDG_CONFIG_HOME/sipscope/config (newly allocated). */
char *ui_config_default_path(void);
/* Reads path into c.  A file that does not exist is fine (the defaults
 * stay) unless must_exist.  false with *err (one line naming the file)
 * when the file cannot be read or says something wrong; c is then
 * unchanged. */
bool ui_config_load(ui_config *c, const char *path, bool must_exist, GError **err);
/* The value of "columns" ("index,from:24,..."); false with *err. */
bool ui_config_parse_columns(ui_config *c, const char *text, GError **err);

#endif
