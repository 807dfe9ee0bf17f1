/*
 * screen_help.c — every key of every screen, scrollable.  The same list
 * is in README.md ("Interactive UI") and the man page.
 */
#include <string.h>

#include "ui/keys.h"
#include "ui/screen.h"
#include "ui/tty.h"

typedef struct screen_help {
	screen base;
	int top;
	int page;
} screen_help;

/* "key\twhat" for a key; "#..." a heading; anything else plain text. */
static const char *const help_lines[] = {
	"#Everywhere",
	"F1 h ?\tthis help (q or Esc to leave it)",
	"q Esc\tback to the previous screen; quit from the call list",
	"F10\tquit",
	"Ctrl-C\tquit",
	"",
	"#Call list",
	"Up Down j k\tmove the cursor",
	"PgUp PgDn\tpage up, page down (also Ctrl-B, Ctrl-F)",
	"Home End g G\tfirst, last call",
	"Enter\tladder of the call, or of the marked calls merged",
	"Space\tmark the call (multi-select) and move down",
	"x\tclear the marks",
	"/ F3 F7\tfilter: text matches method, state, From, To, Call-ID,",
	"\tstart lines and header values; ~regex matches raw messages",
	"\t(Enter keeps the filter, Esc restores the previous one)",
	"o > F6\tsort by the next column (< the previous one)",
	"r\treverse the sort order",
	"n\thide or show REGISTER, OPTIONS and other non-INVITE Call-IDs",
	"s F2\tsave the packets of the marked calls (or the cursor's) as pcap",
	"S e\tsave the ladder of the marked calls (or the cursor's) as text",
	"",
	"#Ladder",
	"Up Down j k\tprevious, next message (arrow)",
	"PgUp PgDn\tpage up, page down",
	"Home End g G\tfirst, last message",
	"Left Right\tscroll the diagram sideways",
	"J K\tscroll the message pane down, up",
	"Tab v\tmessage pane below, beside, or hidden",
	"c\tcolour arrows by transaction or by dialog",
	"H\tone column per host (IP address) or per address and port",
	"p\tmessage pane: parsed view or raw message",
	"f\tpane: the findings of the calls shown, or the message",
	"Space\tmark the message for the diff (at most two)",
	"x\tclear the marks",
	"d\tdiff of the two marked messages (one marked: with the",
	"\tcursor's; none: a retransmission and its first copy)",
	"s F2\tsave the packets of the calls shown as pcap",
	"S e\tsave the ladder as text (as --ladder prints it)",
	"",
	"#Diff",
	"Up Down PgUp PgDn\tscroll (Home End g G: first, last line)",
	"Left Right\tscroll sideways",
	"n N\tnext, previous difference",
	"q Esc d\tback to the ladder",
	"",
	"#Prompts (filter, file name)",
	"Enter Esc\taccept, cancel",
	"Left Right Home End\tmove; Ctrl-A, Ctrl-E too",
	"Ctrl-U Ctrl-K Ctrl-W\tdelete to the start, to the end, the word before",
	"",
	"Ladder marks: '=' shafts are retransmissions; times are UTC, deltas",
	"to the previous message; SDP media show under their arrow; !1 !2 after",
	"the delta name the findings of the arrow (f lists them); * after the",
	"time marks an arrow picked for the diff.",
	"Diff marks: ! a line that differs, - only in the earlier (left, upper)",
	"message, + only in the later one.",
	"Call list: the ! column counts the call's findings (warnings, errors).",
};

enum { KEY_COL = 22 };

static void help_draw(screen *base, ui *u, int top, int width, int height)
{
	(void)u;
	screen_help *s = (screen_help *)base;
	int n = (int)G_N_ELEMENTS(help_lines);
	if (height <= 0)
		return;
	tty_fill(top, 0, width, TTY_HEADING);
	tty_puts(top, 1, width - 1, "Keys", TTY_HEADING);
	int rows = height - 1;
	s->page = MAX(rows, 1);
	if (s->top > MAX(0, n - rows))
		s->top = MAX(0, n - rows);
	if (s->top < 0)
		s->top = 0;
	for (int r = 0; r < rows && s->top + r < n; r++) {
		const char *line = help_lines[s->top + r];
		int y = top + 1 + r;
		const char *tab = strchr(line, '\t');
		if (line[0] == '#') {
			tty_puts(y, 1, width - 1, line + 1, TTY_TITLE);
			continue;
		}
		if (!tab) {
			tty_puts(y, 1, width - 1, line, TTY_NORMAL);
			continue;
		}
		tty_put(y, 3, MIN(KEY_COL - 3, width - 3), line, (size_t)(tab - line), 0, TTY_HDR_NAME);
		if (width > KEY_COL)
			tty_puts(y, KEY_COL, width - KEY_COL, tab + 1, TTY_NORMAL);
	}
}

static bool help_key(screen *base, ui *u, int key)
{
	screen_help *s = (screen_help *)base;
	switch (key) {
	case KEY_CODE_UP:
	case 'k':
		s->top--;
		return true;
	case KEY_CODE_DOWN:
	case 'j':
		s->top++;
		return true;
	case KEY_CODE_PGUP:
		s->top -= s->page;
		return true;
	case KEY_CODE_PGDN:
	case ' ':
		s->top += s->page;
		return true;
	case KEY_CODE_HOME:
	case 'g':
		s->top = 0;
		return true;
	case KEY_CODE_END:
	case 'G':
		s->top = (int)G_N_ELEMENTS(help_lines);
		return true;
	case 'q':
	case KEY_CODE_ESC:
	case KEY_CODE_ENTER:
	case KEY_CODE_F1:
	case '?':
	case 'h':
		ui_pop(u);
		return true;
	default:
		return false;
	}
}

static const char *const *help_hints(screen *base)
{
	(void)base;
	static const char *const h[] = { "Up/Down", "Scroll", "q", "Back", NULL };
	return h;
}

static void help_free(screen *base)
{
	g_free(base);
}

static const screen_ops help_ops = {
	.name = "help",
	.draw = help_draw,
	.key = help_key,
	.hints = help_hints,
	.free = help_free,
};

screen *screen_help_new(ui *u)
{
	(void)u;
	screen_help *s = g_new0(screen_help, 1);
	s->base.ops = &help_ops;
	return &s->base;
}
