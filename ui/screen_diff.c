/*
 * screen_diff.c — two messages side by side (one above the other on a
 * terminal narrower than DIFF_SIDE_BY_SIDE cells), their lines aligned by
 * ui/message_diff.h.  A two-cell gutter before each line says what it is:
 * "! " a line that differs from its counterpart, "- " a line only the
 * left (upper) message has, "+ " one only the right (lower) message has;
 * the other side shows an empty row there.  Lines are cut at the edge and
 * scroll sideways together.
 */
#include <string.h>

#include "output/textesc.h"
#include "output/timefmt.h"
#include "ui/keys.h"
#include "ui/message_diff.h"
#include "ui/message_text.h"
#include "ui/screen.h"
#include "ui/tty.h"

enum { DIFF_SIDE_BY_SIDE = 100, MARK_W = 2 };

typedef struct screen_diff {
	screen base;
	sip_id msg[2];
	GArray *text[2];        /* msg_line */
	message_diff *diff;
	int top;                /* first row shown */
	int hscroll;
	int page;               /* rows shown at the last draw */
} screen_diff;

static const msg_line *side_line(const screen_diff *s, int side, const diff_row *r)
{
	int i = side ? r->b : r->a;
	return i >= 0 ? &g_array_index(s->text[side], msg_line, i) : NULL;
}

/* The gutter mark and style of one side of a row. */
static const char *row_mark(const diff_row *r, int side, tty_style *st)
{
	*st = TTY_NORMAL;
	switch (r->kind) {
	case DIFF_CHANGED:
		*st = TTY_DIFF_CHANGED;
		return "! ";
	case DIFF_ONLY_A:
		if (side)
			return "  ";
		*st = TTY_DIFF_ONLY;
		return "- ";
	case DIFF_ONLY_B:
		if (!side)
			return "  ";
		*st = TTY_DIFF_ONLY;
		return "+ ";
	case DIFF_SAME:
	default:
		return "  ";
	}
}

static void draw_side(screen_diff *s, int side, int top, int x, int width, int height)
{
	if (width <= 0 || height <= 0)
		return;
	const msg_line *info = &g_array_index(s->text[side], msg_line, 0);
	tty_fill(top, x, width, TTY_HEADING);
	tty_puts(top, x, width, side ? "+ " : "- ", TTY_HEADING);
	tty_put(top, x + MARK_W, width - MARK_W, info->text, info->len, 0, TTY_HEADING);
	int tw = width - MARK_W;
	for (int k = 0; k < height - 1; k++) {
		guint ri = (guint)(s->top + k);
		if (ri >= s->diff->rows->len)
			break;
		const diff_row *r = &g_array_index(s->diff->rows, diff_row, ri);
		int y = top + 1 + k;
		tty_style st;
		const char *mark = row_mark(r, side, &st);
		tty_puts(y, x, MARK_W, mark, st);
		const msg_line *ml = side_line(s, side, r);
		if (!ml || tw <= 0)
			continue;
		tty_style text_st = st != TTY_NORMAL ? st
				    : ml->kind == MSG_LINE_START ? TTY_START_LINE : TTY_NORMAL;
		tty_put(y, x + MARK_W, tw, ml->text, ml->len, s->hscroll, text_st);
		int nw = ml->name_len ? (int)ml->name_len : 0;
		if (st == TTY_NORMAL && nw > s->hscroll)
			tty_put(y, x + MARK_W, MIN(nw - s->hscroll, tw), ml->text, ml->name_len, s->hscroll,
				TTY_HDR_NAME);
	}
}

static void diff_draw(screen *base, ui *u, int top, int width, int height)
{
	(void)u;
	screen_diff *s = (screen_diff *)base;
	if (height <= 0)
		return;
	g_autoptr(GString) h = g_string_new(NULL);
	const message_diff *d = s->diff;
	g_string_printf(h, "Diff: %u line%s differ, %u only in -, %u only in +", d->changed,
			d->changed == 1 ? "" : "s", d->only_a, d->only_b);
	if (!d->changed && !d->only_a && !d->only_b)
		g_string_assign(h, "Diff: the two messages are the same");
	tty_put(top, 0, width, h->str, h->len, 0, TTY_TITLE);
	int body = height - 1, y = top + 1;
	int rows;
	if (width >= DIFF_SIDE_BY_SIDE) {
		int lw = (width - 1) / 2;
		rows = body - 1;
		draw_side(s, 0, y, 0, lw, body);
		for (int k = 0; k < body; k++)
			tty_glyph_at(y + k, lw, TTY_GLYPH_VLINE, TTY_DIM);
		draw_side(s, 1, y, lw + 1, width - lw - 1, body);
	} else {
		int ah = body / 2;
		rows = MIN(ah, body - ah) - 1;
		draw_side(s, 0, y, 0, width, ah);
		draw_side(s, 1, y + ah, 0, width, body - ah);
	}
	s->page = MAX(rows, 1);
}

static void scroll_to(screen_diff *s, int row)
{
	int n = (int)s->diff->rows->len;
	s->top = MAX(0, MIN(row, n - s->page));
}

static bool row_differs(const screen_diff *s, int i)
{
	return g_array_index(s->diff->rows, diff_row, i).kind != DIFF_SAME;
}

/* The top row moves to the start of the next (dir 1) or previous (dir -1)
 * run of differing rows. */
static void jump_change(screen_diff *s, int dir)
{
	int n = (int)s->diff->rows->len, i;
	if (dir > 0) {
		for (i = s->top; i < n && row_differs(s, i); i++)
			;
		for (; i < n && !row_differs(s, i); i++)
			;
	} else {
		for (i = s->top - 1; i >= 0 && !row_differs(s, i); i--)
			;
		for (; i > 0 && row_differs(s, i - 1); i--)
			;
	}
	if (i < 0 || i >= n) {
		tty_beep();
		return;
	}
	s->top = i;
}

static bool diff_key(screen *base, ui *u, int key)
{
	screen_diff *s = (screen_diff *)base;
	switch (key) {
	case KEY_CODE_UP:
	case 'k':
		scroll_to(s, s->top - 1);
		return true;
	case KEY_CODE_DOWN:
	case 'j':
		scroll_to(s, s->top + 1);
		return true;
	case KEY_CODE_PGUP:
	case KEY_CTRL('b'):
		scroll_to(s, s->top - s->page);
		return true;
	case KEY_CODE_PGDN:
	case KEY_CTRL('f'):
	case ' ':
		scroll_to(s, s->top + s->page);
		return true;
	case KEY_CODE_HOME:
	case 'g':
		s->top = 0;
		return true;
	case KEY_CODE_END:
	case 'G':
		scroll_to(s, (int)s->diff->rows->len);
		return true;
	case KEY_CODE_LEFT:
		s->hscroll = MAX(0, s->hscroll - 8);
		return true;
	case KEY_CODE_RIGHT:
		s->hscroll += 8;
		return true;
	case 'n':
		jump_change(s, 1);
		return true;
	case 'N':
		jump_change(s, -1);
		return true;
	case 'q':
	case KEY_CODE_ESC:
	case 'd':
		ui_pop(u);
		return true;
	default:
		return false;
	}
}

static const char *const *diff_hints(screen *base)
{
	(void)base;
	static const char *const h[] = {
		"Up/Down", "Scroll", "Left/Right", "Sideways", "n/N", "Next/previous change",
		"?", "Help", "q", "Back", NULL
	};
	return h;
}

static void diff_free(screen *base)
{
	screen_diff *s = (screen_diff *)base;
	message_text_free(s->text[0]);
	message_text_free(s->text[1]);
	message_diff_free(s->diff);
	g_free(s);
}

static const screen_ops diff_ops = {
	.name = "diff",
	.draw = diff_draw,
	.key = diff_key,
	.hints = diff_hints,
	.free = diff_free,
};

screen *screen_diff_new(ui *u, sip_id a, sip_id b)
{
	const sip_model *m = ui_model(u);
	const sip_message *ma = sip_model_message(m, MIN(a, b));
	const sip_message *mb = sip_model_message(m, MAX(a, b));
	if (!ma || !mb)
		return NULL;
	screen_diff *s = g_new0(screen_diff, 1);
	s->base.ops = &diff_ops;
	s->msg[0] = ma->id;
	s->msg[1] = mb->id;
	s->text[0] = message_text_new(m, ma);
	s->text[1] = message_text_new(m, mb);
	s->diff = message_diff_new(s->text[0], s->text[1]);
	s->page = 1;
	return &s->base;
}
