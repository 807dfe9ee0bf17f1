/*
 * tty.h — the terminal, and the only code that talks to curses: setting it
 * up and restoring it (at exit and on fatal signals too), styles (colours
 * with a monochrome fallback), drawing text and line glyphs in cells, and
 * reading keys (ui/keys.h codes; a resize arrives as KEY_CODE_RESIZE).
 *
 * Text drawn here must already be terminal-safe (output/textesc.h): the
 * drawing functions still replace any control byte with '?', and, when the
 * locale is not UTF-8, every non-ASCII character, so nothing drawn can
 * drive the terminal.
 *
 * Line glyphs are box-drawing characters in a UTF-8 locale, else the
 * ASCII of the text ladder ('|', '-', '=', '+', '<', '>', '.', '\'').
 *
 * Coordinates are cells, (0, 0) top left; drawing outside the screen is
 * clipped, never an error.  Only one terminal exists per process.
 */
#ifndef SIPSCOPE_UI_TTY_H
#define SIPSCOPE_UI_TTY_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
	TTY_NORMAL = 0,
	TTY_BAR,          /* status bar and key hints line */
	TTY_BAR_KEY,      /* a key named in the hints line */
	TTY_HEADING,      /* column titles */
	TTY_CURSOR,       /* the selected row */
	TTY_MARKED,       /* rows picked with space */
	TTY_CURSOR_MARKED,
	TTY_DIM,          /* secondary text (times, deltas) */
	TTY_TITLE,        /* headings of a screen */
	TTY_HDR_NAME,     /* header names in the message pane */
	TTY_START_LINE,   /* a message's start line */
	TTY_RETRANS,      /* retransmission marks */
	TTY_ERROR,        /* error messages */
	TTY_PROGRESS,     /* the loading bar */
	TTY_FINDING_ERROR,   /* findings of severity error, their marks on arrows */
	TTY_FINDING_WARNING, /* findings of severity warning */
	TTY_DIFF_CHANGED, /* a line of the diff that differs from its counterpart */
	TTY_DIFF_ONLY,    /* a line of the diff only one message has */
	TTY_PALETTE,      /* TTY_PALETTE + i, i < TTY_PALETTE_SIZE: transaction / dialog colours */
	TTY_STYLE__COUNT = TTY_PALETTE + 6,
} tty_style;

enum { TTY_PALETTE_SIZE = 6 };

typedef enum {
	TTY_GLYPH_VLINE,       /* a lifeline */
	TTY_GLYPH_HLINE,       /* an arrow's shaft */
	TTY_GLYPH_HLINE_DOUBLE, /* a retransmission's shaft */
	TTY_GLYPH_CROSS,       /* an arrow crossing a lifeline */
	TTY_GLYPH_HEAD_RIGHT,
	TTY_GLYPH_HEAD_LEFT,
	TTY_GLYPH_CORNER_TOP,  /* a loop's top right corner */
	TTY_GLYPH_CORNER_BOTTOM, /* a loop's bottom right corner */
	TTY_GLYPH_TEE_LEFT,    /* a lifeline where a shaft leaves to the right: |- */
	TTY_GLYPH_TEE_RIGHT,   /* a lifeline where a shaft leaves to the left: -| */
} tty_glyph;

/* Sets the terminal up (alternate screen, no echo, keypad, colours when
 * there are some).  Input comes from standard input when it is a terminal,
 * else from /dev/tty.  false with *err when there is no usable terminal. */
bool tty_open(GError **err);
/* Restores the terminal; safe to call more than once. */
void tty_close(void);
bool tty_is_open(void);
/* A SIGINT, SIGTERM or SIGHUP arrived: the loop should end. */
bool tty_stop_requested(void);

void tty_size(int *width, int *height);
bool tty_has_colors(void);
/* Whether text may hold non-ASCII characters (a UTF-8 locale). */
bool tty_utf8(void);

void tty_erase(void);
/* Draws UTF-8 text at (y, x): skips its first `skip` cells and draws at
 * most `width` cells (a wide character cut by either edge becomes a
 * space).  Returns the cells drawn. */
int tty_put(int y, int x, int width, const char *s, size_t len, int skip, tty_style st);
/* tty_put for a NUL-terminated string, no skip. */
int tty_puts(int y, int x, int width, const char *s, tty_style st);
/* `width` spaces in style st. */
void tty_fill(int y, int x, int width, tty_style st);
void tty_glyph_at(int y, int x, tty_glyph g, tty_style st);
/* Where the terminal's cursor shows (for a prompt); y < 0 hides it. */
void tty_cursor(int y, int x);
/* Sends what was drawn to the terminal. */
void tty_flush(void);
void tty_beep(void);
/* Next key (ui/keys.h), waiting at most timeout_ms (< 0: forever);
 * KEY_CODE_NONE when none came. */
int tty_key(int timeout_ms);

#endif
