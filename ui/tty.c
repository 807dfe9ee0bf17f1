#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include "tty.h"

#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/keys.h"

static SCREEN *scr;
static FILE *tty_in;     /* /dev/tty when standard input is not the terminal */
static bool is_open;
static bool colors;
static bool utf8;
static attr_t style_attr[TTY_STYLE__COUNT];
static volatile sig_atomic_t stop_flag;
static bool handlers_set;
static struct sigaction old_fatal[5];
static const int fatal_signals[5] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* A crash must not leave the terminal in raw mode on the alternate
 * screen: restore it, then die of the same signal. */
static void on_fatal(int sig)
{
	if (is_open) {
		is_open = false;
		endwin();
	}
	for (size_t i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
		if (fatal_signals[i] == sig)
			sigaction(sig, &old_fatal[i], NULL);
	raise(sig);
}

static void set_handlers(void)
{
	if (handlers_set)
		return;
	handlers_set = true;
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct sigaction fa = { .sa_handler = on_fatal, .sa_flags = SA_RESETHAND };
	sigemptyset(&fa.sa_mask);
	for (size_t i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
		sigaction(fatal_signals[i], &fa, &old_fatal[i]);
}

static void at_exit_close(void)
{
	tty_close();
}

static void set_styles(void)
{
	static const attr_t mono[TTY_STYLE__COUNT] = {
		[TTY_NORMAL] = A_NORMAL,
		[TTY_BAR] = A_REVERSE,
		[TTY_BAR_KEY] = A_REVERSE | A_BOLD,
		[TTY_HEADING] = A_REVERSE,
		[TTY_CURSOR] = A_REVERSE,
		[TTY_MARKED] = A_BOLD | A_UNDERLINE,
		[TTY_CURSOR_MARKED] = A_REVERSE | A_BOLD | A_UNDERLINE,
		[TTY_DIM] = A_DIM,
		[TTY_TITLE] = A_BOLD,
		[TTY_HDR_NAME] = A_BOLD,
		[TTY_START_LINE] = A_BOLD | A_UNDERLINE,
		[TTY_RETRANS] = A_DIM,
		[TTY_ERROR] = A_REVERSE | A_BOLD,
		[TTY_PROGRESS] = A_REVERSE,
		[TTY_FINDING_ERROR] = A_BOLD | A_REVERSE,
		[TTY_FINDING_WARNING] = A_BOLD,
		[TTY_DIFF_CHANGED] = A_BOLD,
		[TTY_DIFF_ONLY] = A_BOLD | A_UNDERLINE,
		[TTY_PALETTE + 0] = A_NORMAL,
		[TTY_PALETTE + 1] = A_BOLD,
		[TTY_PALETTE + 2] = A_UNDERLINE,
		[TTY_PALETTE + 3] = A_BOLD | A_UNDERLINE,
		[TTY_PALETTE + 4] = A_DIM,
		[TTY_PALETTE + 5] = A_DIM | A_UNDERLINE,
	};
	memcpy(style_attr, mono, sizeof(style_attr));
	colors = has_colors() && start_color() == OK && COLORS >= 8 && COLOR_PAIRS >= 24;
	if (!colors)
		return;
	short bg = -1;
	if (use_default_colors() != OK)
		bg = COLOR_BLACK;
	static const struct {
		tty_style st;
		short fg, bg; /* bg -2: the default background */
		attr_t extra;
	} pairs[] = {
		{ TTY_BAR, COLOR_WHITE, COLOR_BLUE, A_NORMAL },
		{ TTY_BAR_KEY, COLOR_YELLOW, COLOR_BLUE, A_BOLD },
		{ TTY_HEADING, COLOR_BLACK, COLOR_GREEN, A_NORMAL },
		{ TTY_CURSOR, COLOR_BLACK, COLOR_CYAN, A_NORMAL },
		{ TTY_MARKED, COLOR_YELLOW, -2, A_BOLD },
		{ TTY_CURSOR_MARKED, COLOR_YELLOW, COLOR_CYAN, A_BOLD },
		{ TTY_HDR_NAME, COLOR_CYAN, -2, A_BOLD },
		{ TTY_START_LINE, COLOR_YELLOW, -2, A_BOLD },
		{ TTY_RETRANS, COLOR_RED, -2, A_NORMAL },
		{ TTY_ERROR, COLOR_WHITE, COLOR_RED, A_BOLD },
		{ TTY_PROGRESS, COLOR_BLACK, COLOR_GREEN, A_NORMAL },
		{ TTY_FINDING_ERROR, COLOR_RED, -2, A_BOLD },
		{ TTY_FINDING_WARNING, COLOR_YELLOW, -2, A_NORMAL },
		{ TTY_DIFF_CHANGED, COLOR_YELLOW, -2, A_BOLD },
		{ TTY_DIFF_ONLY, COLOR_GREEN, -2, A_BOLD },
		{ TTY_PALETTE + 0, COLOR_GREEN, -2, A_NORMAL },
		{ TTY_PALETTE + 1, COLOR_CYAN, -2, A_NORMAL },
		{ TTY_PALETTE + 2, COLOR_MAGENTA, -2, A_NORMAL },
		{ TTY_PALETTE + 3, COLOR_YELLOW, -2, A_NORMAL },
		{ TTY_PALETTE + 4, COLOR_BLUE, -2, A_BOLD },
		{ TTY_PALETTE + 5, COLOR_RED, -2, A_NORMAL },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
		short pair = (short)(i + 1);
		init_pair(pair, pairs[i].fg, pairs[i].bg == -2 ? bg : pairs[i].bg);
		style_attr[pairs[i].st] = COLOR_PAIR(pair) | pairs[i].extra;
	}
}

bool tty_open(GError **err)
{
	if (is_open)
		return true;
	const char *term = getenv("TERM");
	if (!term || !*term || strcmp(term, "dumb") == 0) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "the terminal (TERM=%s) cannot show the interactive UI",
			    term && *term ? term : "unset");
		return false;
	}
	FILE *in = stdin;
	if (!isatty(STDIN_FILENO)) {
		tty_in = fopen("/dev/tty", "r");
		if (!tty_in) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
				    "no terminal to read keys from");
			return false;
		}
		in = tty_in;
	}
	scr = newterm(NULL, stdout, in);
	if (!scr) {
		if (tty_in)
			fclose(tty_in);
		tty_in = NULL;
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "the terminal (TERM=%s) is unknown", term);
		return false;
	}
	set_term(scr);
	is_open = true;
	/* A lone Escape should go back at once, not after a second. */
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	const char *cs = nl_langinfo(CODESET);
	utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	curs_set(0);
	set_styles();
	set_handlers();
	static bool registered;
	if (!registered) {
		registered = true;
		atexit(at_exit_close);
	}
	return true;
}

void tty_close(void)
{
	if (!is_open)
		return;
	is_open = false;
	curs_set(1);
	endwin();
	fflush(stdout);
	delscreen(scr);
	scr = NULL;
	if (tty_in)
		fclose(tty_in);
	tty_in = NULL;
}

bool tty_is_open(void)
{
	return is_open;
}

bool tty_stop_requested(void)
{
	return stop_flag != 0;
}

void tty_size(int *width, int *height)
{
	int h = 0, w = 0;
	if (is_open)
		getmaxyx(stdscr, h, w);
	*width = w > 0 ? w : 0;
	*height = h > 0 ? h : 0;
}

bool tty_has_colors(void)
{
	return colors;
}

bool tty_utf8(void)
{
	return utf8;
}

void tty_erase(void)
{
	if (is_open)
		werase(stdscr);
}

/* One character: its byte length and cells.  Invalid UTF-8 (never made by
 * the escaping, but never trusted either) counts one byte, one cell. */
static int char_at(const char *p, const char *end, int *cells)
{
	unsigned char c = (unsigned char)*p;
	if (c < 0x80) {
		*cells = 1;
		return 1;
	}
	gunichar u = g_utf8_get_char_validated(p, end - p);
	if (u == (gunichar)-1 || u == (gunichar)-2) {
		*cells = 1;
		return 1;
	}
	int n = (int)(g_utf8_next_char(p) - p);
	if (g_unichar_iszerowidth(u))
		*cells = 0;
	else
		*cells = g_unichar_iswide(u) ? 2 : 1;
	return n;
}

int tty_put(int y, int x, int width, const char *s, size_t len, int skip, tty_style st)
{
	int sw, sh;
	tty_size(&sw, &sh);
	if (!is_open || y < 0 || y >= sh || width <= 0 || !s)
		return 0;
	if (x < 0) {
		skip += -x;
		width -= -x;
		x = 0;
	}
	if (x + width > sw)
		width = sw - x;
	if (width <= 0)
		return 0;
	GString *buf = g_string_sized_new(len + 8);
	const char *p = s, *end = s + len;
	int at = 0, drawn = 0;
	while (p < end && drawn < width) {
		int cw;
		int n = char_at(p, end, &cw);
		unsigned char c = (unsigned char)*p;
		if (at < skip) {
			/* A wide character cut by the left edge leaves a blank. */
			if (at + cw > skip) {
				for (int k = skip; k < at + cw && drawn < width; k++, drawn++)
					g_string_append_c(buf, ' ');
			}
			at += cw;
			p += n;
			continue;
		}
		if (drawn + cw > width) {
			for (; drawn < width; drawn++)
				g_string_append_c(buf, ' ');
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			g_string_append_c(buf, '?');
		} else if (c >= 0x80 && (!utf8 || n == 1)) {
			for (int k = 0; k < cw; k++)
				g_string_append_c(buf, '?');
		} else {
			g_string_append_len(buf, p, n);
		}
		at += cw;
		drawn += cw;
		p += n;
	}
	attr_t a = style_attr[st < TTY_STYLE__COUNT ? st : TTY_NORMAL];
	attron(a);
	mvaddnstr(y, x, buf->str, (int)buf->len);
	attroff(a);
	g_string_free(buf, TRUE);
	return drawn;
}

int tty_puts(int y, int x, int width, const char *s, tty_style st)
{
	return tty_put(y, x, width, s, s ? strlen(s) : 0, 0, st);
}

void tty_fill(int y, int x, int width, tty_style st)
{
	int sw, sh;
	tty_size(&sw, &sh);
	if (!is_open || y < 0 || y >= sh)
		return;
	if (x < 0) {
		width += x;
		x = 0;
	}
	if (x + width > sw)
		width = sw - x;
	if (width <= 0)
		return;
	attr_t a = style_attr[st < TTY_STYLE__COUNT ? st : TTY_NORMAL];
	attron(a);
	mvhline(y, x, ' ', width);
	attroff(a);
}

void tty_glyph_at(int y, int x, tty_glyph g, tty_style st)
{
	int sw, sh;
	tty_size(&sw, &sh);
	if (!is_open || y < 0 || y >= sh || x < 0 || x >= sw)
		return;
	attr_t a = style_attr[st < TTY_STYLE__COUNT ? st : TTY_NORMAL];
	if (utf8) {
		/* Box drawing characters as text: no alternate character set. */
		static const char *const box[] = {
			[TTY_GLYPH_VLINE] = "\u2502", [TTY_GLYPH_HLINE] = "\u2500",
			[TTY_GLYPH_HLINE_DOUBLE] = "\u2550", [TTY_GLYPH_CROSS] = "\u253c",
			[TTY_GLYPH_HEAD_RIGHT] = ">", [TTY_GLYPH_HEAD_LEFT] = "<",
			[TTY_GLYPH_CORNER_TOP] = "\u2510", [TTY_GLYPH_CORNER_BOTTOM] = "\u2518",
			[TTY_GLYPH_TEE_LEFT] = "\u251c", [TTY_GLYPH_TEE_RIGHT] = "\u2524",
		};
		const char *t = (size_t)g < G_N_ELEMENTS(box) && box[g] ? box[g] : " ";
		attron(a);
		mvaddstr(y, x, t);
		attroff(a);
		return;
	}
	/* Elsewhere the characters of the text ladder (--ladder): the
	 * alternate character set is not drawn right by every terminal. */
	static const char ascii[] = {
		[TTY_GLYPH_VLINE] = '|', [TTY_GLYPH_HLINE] = '-', [TTY_GLYPH_HLINE_DOUBLE] = '=',
		[TTY_GLYPH_CROSS] = '+', [TTY_GLYPH_HEAD_RIGHT] = '>', [TTY_GLYPH_HEAD_LEFT] = '<',
		[TTY_GLYPH_CORNER_TOP] = '.', [TTY_GLYPH_CORNER_BOTTOM] = '\'',
		[TTY_GLYPH_TEE_LEFT] = '|', [TTY_GLYPH_TEE_RIGHT] = '|',
	};
	chtype ch = (size_t)g < sizeof(ascii) && ascii[g] ? (chtype)ascii[g] : ' ';
	mvaddch(y, x, ch | a);
}

void tty_cursor(int y, int x)
{
	if (!is_open)
		return;
	if (y < 0) {
		curs_set(0);
		return;
	}
	move(y, x);
	curs_set(1);
}

void tty_flush(void)
{
	if (is_open)
		refresh();
}

void tty_beep(void)
{
	if (is_open)
		beep();
}

static int translate(int rc, wint_t wc)
{
	if (rc == OK) {
		if (wc == '\r' || wc == '\n')
			return KEY_CODE_ENTER;
		if (wc == 127 || wc == 8)
			return KEY_CODE_BACKSPACE;
		return (int)wc;
	}
	switch (wc) {
	case KEY_UP: return KEY_CODE_UP;
	case KEY_DOWN: return KEY_CODE_DOWN;
	case KEY_LEFT: return KEY_CODE_LEFT;
	case KEY_RIGHT: return KEY_CODE_RIGHT;
	case KEY_PPAGE: return KEY_CODE_PGUP;
	case KEY_NPAGE: return KEY_CODE_PGDN;
	case KEY_HOME: return KEY_CODE_HOME;
	case KEY_END: return KEY_CODE_END;
	case KEY_LL: return KEY_CODE_END;
	case KEY_BACKSPACE: return KEY_CODE_BACKSPACE;
	case KEY_DC: return KEY_CODE_DELETE;
	case KEY_ENTER: return KEY_CODE_ENTER;
	case KEY_RESIZE: return KEY_CODE_RESIZE;
	case KEY_BTAB: return KEY_CODE_BTAB;
	default: break;
	}
	if (wc >= KEY_F(1) && wc <= KEY_F(12))
		return KEY_CODE_F1 + (int)(wc - KEY_F(1));
	return KEY_CODE_OTHER;
}

int tty_key(int timeout_ms)
{
	if (!is_open)
		return KEY_CODE_NONE;
	timeout(timeout_ms);
	wint_t wc = 0;
	int rc = get_wch(&wc);
	if (rc == ERR)
		return KEY_CODE_NONE;
	return translate(rc, wc);
}
