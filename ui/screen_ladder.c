/*
 * screen_ladder.c — the ladder diagram of one or more calls, drawn from
 * ui/ladder_layout.h (the same layout --ladder prints), with a cursor on
 * one arrow and that message in a pane below or beside the diagram.
 *
 * Geometry: a time gutter on the left (time of day, UTC) stays put; the
 * diagram, the deltas and the SDP summaries right of it scroll sideways.
 * The titles stay on top when the rows scroll.  The layout is rebuilt when
 * the calls shown get more messages (loading) or when grouping by host is
 * toggled; the cursor stays on its message.
 */
#include <string.h>

#include "output/check.h"
#include "output/list.h"
#include "output/textesc.h"
#include "output/textwidth.h"
#include "output/timefmt.h"
#include "ui/keys.h"
#include "ui/ladder_findings.h"
#include "ui/ladder_layout.h"
#include "ui/message_parsed.h"
#include "ui/message_text.h"
#include "ui/screen.h"
#include "ui/tty.h"

typedef enum { PANE_BELOW = 0, PANE_BESIDE, PANE_HIDDEN, PANE__COUNT } pane_mode;

typedef struct screen_ladder {
	screen base;
	GArray *calls;          /* sip_id */
	guint msg_count;        /* messages of the calls when laid out */
	ladder_layout *lay;
	ladder_findings *found; /* numbered as --ladder numbers them; NULL without a detector */
	uint64_t found_gen;     /* findings generation of `found` */
	bool show_findings;     /* the pane lists the findings, else the message */
	GArray *ftext;          /* msg_line: the findings pane */
	bool by_host;
	bool by_dialog;         /* colours by dialog, else by transaction */
	pane_mode pane;
	int cursor;             /* row */
	int top;                /* first row shown */
	int hscroll;            /* diagram cells scrolled off on the left */
	int pscroll;            /* message pane lines scrolled off */
	int page;               /* rows that fit, at the last draw */
	int view_w;             /* diagram cells that fit, at the last draw */
	bool follow;            /* bring the cursor's arrow into view at the next draw */
	sip_id cursor_msg;
	sip_id marks[2];        /* messages marked for the diff, oldest first */
	int n_marks;
	bool parsed;            /* the pane shows the parsed view, else the raw message */
	sip_id text_msg;        /* message of `text` */
	bool text_parsed;       /* `text` is the parsed view */
	uint64_t text_gen;      /* findings generation `text` was made at */
	GArray *text;           /* msg_line, for the pane */
	bool evicted;           /* a call shown was evicted (limits): the layout is kept as it was */
} screen_ladder;

enum { GUTTER = 16, DELTA_GAP = 2 };

static guint messages_of(const sip_model *m, const GArray *calls)
{
	guint n = 0;
	for (guint i = 0; i < calls->len; i++) {
		const sip_call *c = sip_model_call(m, g_array_index(calls, sip_id, i));
		if (c && c->messages)
			n += c->messages->len;
	}
	return n;
}

/* The findings numbered on the layout, and the pane's lines listing them. */
static void renumber_findings(screen_ladder *s, ui *u)
{
	const findings *f = ui_feed_of(u)->found;
	ladder_findings_free(s->found);
	s->found = NULL;
	message_text_free(s->ftext);
	s->ftext = NULL;
	if (!f)
		return;
	s->found = ladder_findings_new(s->lay, f);
	s->found_gen = findings_generation(f);
	GArray *lines = g_array_new(FALSE, FALSE, sizeof(msg_line));
	g_autoptr(GString) t = g_string_new(NULL);
	guint n = s->found->shown->len;
	g_string_printf(t, "Findings: %u (warnings and errors; f: back to the message)", n);
	message_text_append(lines, MSG_LINE_INFO, t, 0);
	if (n == 0) {
		g_string_assign(t, "none");
		message_text_append(lines, MSG_LINE_DETAIL, t, 0);
	}
	for (guint i = 1; i <= n; i++) {
		const finding *x = ladder_findings_at(s->found, i);
		if (!x)
			continue;   /* forgotten with its evicted call */
		g_string_printf(t, "!%-3u ", i);
		size_t num = t->len;
		check_append_finding(t, x);
		message_text_append(lines, x->severity == FINDING_ERROR ? MSG_LINE_ERROR : MSG_LINE_WARNING,
				    t, num);
	}
	s->ftext = lines;
}

static void relayout(screen_ladder *s, ui *u)
{
	const sip_model *m = ui_model(u);
	if (s->evicted && s->lay)
		return;   /* nothing left to lay out again */
	g_autoptr(GArray) msgs = ladder_messages_of_calls(m, (sip_id *)s->calls->data, s->calls->len);
	ladder_opts o = { .group_by_host = s->by_host };
	if (s->lay)
		ladder_layout_free(s->lay);
	s->lay = ladder_layout_new(m, (sip_id *)msgs->data, msgs->len, &o);
	s->msg_count = messages_of(m, s->calls);
	int n = (int)s->lay->rows->len;
	s->cursor = 0;
	for (int i = 0; i < n; i++)
		if (ladder_row_at(s->lay, (guint)i)->msg == s->cursor_msg)
			s->cursor = i;
	if (s->cursor >= n)
		s->cursor = n - 1;
	if (s->cursor < 0)
		s->cursor = 0;
	s->cursor_msg = n ? ladder_row_at(s->lay, (guint)s->cursor)->msg : SIP_ID_NONE;
	renumber_findings(s, u);
}

static bool any_evicted(const sip_model *m, const GArray *calls)
{
	for (guint i = 0; i < calls->len; i++)
		if (!sip_model_call(m, g_array_index(calls, sip_id, i)))
			return true;
	return false;
}

static void ladder_update(screen *base, ui *u)
{
	screen_ladder *s = (screen_ladder *)base;
	const findings *f = ui_feed_of(u)->found;
	/* A call evicted under the limits: the diagram stays as it was
	 * (rows hold their own text), the heading says so. */
	if (s->evicted || any_evicted(ui_model(u), s->calls)) {
		s->evicted = true;
		return;
	}
	if (messages_of(ui_model(u), s->calls) != s->msg_count)
		relayout(s, u);
	else if (f && findings_generation(f) != s->found_gen)
		renumber_findings(s, u);
}

/* ---- drawing ------------------------------------------------------------ */

static bool is_marked(const screen_ladder *s, sip_id msg)
{
	for (int i = 0; i < s->n_marks; i++)
		if (s->marks[i] == msg)
			return true;
	return false;
}

static tty_style row_style(const screen_ladder *s, const ladder_row *r)
{
	sip_id k = s->by_dialog ? r->dialog : r->txn;
	if (k == SIP_ID_NONE)
		return TTY_NORMAL;
	return (tty_style)(TTY_PALETTE + (int)(k % TTY_PALETTE_SIZE));
}

static bool glyph_of(ladder_cell c, const ladder_row *r, const ladder_layout *l, unsigned x,
		     tty_glyph *g, bool *arrow)
{
	*arrow = true;
	switch (c) {
	case LADDER_CELL_LIFELINE:
		*arrow = false;
		*g = TTY_GLYPH_VLINE;
		return true;
	case LADDER_CELL_ENDPOINT: {
		unsigned xf = ladder_column_at(l, r->from)->x, xt = ladder_column_at(l, r->to)->x;
		if (x == xf && r->from == r->to)
			*g = TTY_GLYPH_TEE_LEFT;
		else if (x == xf)
			*g = xt > xf ? TTY_GLYPH_TEE_LEFT : TTY_GLYPH_TEE_RIGHT;
		else {
			*g = TTY_GLYPH_VLINE;
			*arrow = false;
		}
		return true;
	}
	case LADDER_CELL_SHAFT:
		*g = r->retransmission ? TTY_GLYPH_HLINE_DOUBLE : TTY_GLYPH_HLINE;
		return true;
	case LADDER_CELL_CROSSING:
		*g = TTY_GLYPH_CROSS;
		return true;
	case LADDER_CELL_HEAD_RIGHT:
		*g = TTY_GLYPH_HEAD_RIGHT;
		return true;
	case LADDER_CELL_HEAD_LEFT:
		*g = TTY_GLYPH_HEAD_LEFT;
		return true;
	case LADDER_CELL_LOOP_TOP:
		*g = TTY_GLYPH_CORNER_TOP;
		return true;
	case LADDER_CELL_LOOP_BOTTOM:
		*g = TTY_GLYPH_CORNER_BOTTOM;
		return true;
	case LADDER_CELL_EMPTY:
	default:
		return false;
	}
}

/* Text at diagram cell dx (before scrolling), clipped to the view. */
static void put_diagram_text(int y, int gx, int vw, int hscroll, unsigned dx, const char *t,
			     size_t len, tty_style st)
{
	int x = (int)dx - hscroll;
	int skip = 0;
	if (x < 0) {
		skip = -x;
		x = 0;
	}
	if (x >= vw)
		return;
	tty_put(y, gx + x, vw - x, t, len, skip, st);
}

static void draw_row_line(screen_ladder *s, const ladder_row *r, unsigned line, int y, int gx,
			  int vw, bool cur)
{
	const ladder_layout *l = s->lay;
	tty_style arrow_st = row_style(s, r);
	int x0 = MAX(s->hscroll, 0);
	int x1 = MIN((int)l->rows_width, s->hscroll + vw);
	for (int x = x0; x < x1; x++) {
		tty_glyph g;
		bool arrow;
		ladder_cell c = ladder_row_cell(l, r, line, (unsigned)x);
		if (!glyph_of(c, r, l, (unsigned)x, &g, &arrow))
			continue;
		tty_glyph_at(y, gx + x - s->hscroll, g, arrow ? (cur ? TTY_CURSOR : arrow_st) : TTY_DIM);
	}
	if (line == 0) {
		put_diagram_text(y, gx, vw, s->hscroll, r->text_x, r->text, strlen(r->text),
				 cur ? TTY_CURSOR : arrow_st);
		g_autoptr(GString) d = g_string_new(NULL);
		text_append_delta(d, r->delta_ns);
		unsigned dx = l->rows_width + DELTA_GAP;
		put_diagram_text(y, gx, vw, s->hscroll, dx, d->str, d->len, TTY_DIM);
		dx += (unsigned)d->len;
		if (r->retransmission) {
			put_diagram_text(y, gx, vw, s->hscroll, dx + 2, "(retransmission)", 16, TTY_RETRANS);
			dx += 18;
		}
		g_string_truncate(d, 0);
		ladder_findings_append_marks(d, s->found, r->msg);
		if (d->len)
			put_diagram_text(y, gx, vw, s->hscroll, dx, d->str, d->len,
					 ladder_findings_severity(s->found, r->msg) == FINDING_ERROR
						 ? TTY_FINDING_ERROR : TTY_FINDING_WARNING);
	}
	if ((int)line == ladder_row_sdp_line(r))
		put_diagram_text(y, gx, vw, s->hscroll, r->sdp_x, r->sdp, strlen(r->sdp), arrow_st);
}

static void heading(screen_ladder *s, ui *u, GString *o)
{
	const sip_model *m = ui_model(u);
	if (s->calls->len == 1) {
		const sip_call *c = sip_model_call(m, g_array_index(s->calls, sip_id, 0));
		if (c) {
			g_string_append_printf(o, "Call %u: ", c->id);
			text_append_sv(o, c->call_id);
			g_string_append(o, " (");
			text_append_sv(o, c->first_method.p ? c->first_method : SV_LIT("?"));
			g_string_append(o, ", ");
			list_append_state(o, m, c);
			g_string_append(o, ")");
		} else {
			g_string_append_printf(o, "Call %u: evicted (limits), shown as it was",
					       g_array_index(s->calls, sip_id, 0));
		}
	} else {
		g_string_append_printf(o, "%u calls merged:", s->calls->len);
		for (guint i = 0; i < s->calls->len && i < 20; i++)
			g_string_append_printf(o, " %u", g_array_index(s->calls, sip_id, i));
		if (s->calls->len > 20)
			g_string_append(o, " ...");
	}
	if (s->evicted && s->calls->len > 1)
		g_string_append(o, " (evicted, shown as it was)");
	guint n = s->lay->rows->len;
	g_string_append_printf(o, "  %u message%s", n, n == 1 ? "" : "s");
	if (s->by_host)
		g_string_append(o, "  by host");
	if (s->n_marks)
		g_string_append_printf(o, "  %d marked", s->n_marks);
	if (s->found && s->found->shown->len)
		g_string_append_printf(o, "  %u finding%s", s->found->shown->len,
				       s->found->shown->len == 1 ? "" : "s");
	g_string_append(o, s->by_dialog ? "  colours: dialog" : "  colours: transaction");
}

/* Rows shown from s->top on in `lines` lines, the cursor's included. */
static void scroll_to_cursor(screen_ladder *s, int lines)
{
	const ladder_layout *l = s->lay;
	int n = (int)l->rows->len;
	if (n == 0 || lines <= 0)
		return;
	if (s->cursor < s->top)
		s->top = s->cursor;
	const ladder_row *c = ladder_row_at(l, (guint)s->cursor);
	while (s->top < s->cursor) {
		const ladder_row *t = ladder_row_at(l, (guint)s->top);
		if ((int)(c->y + c->lines) - (int)t->y <= lines)
			break;
		s->top++;
	}
	if (s->top >= n)
		s->top = n - 1;
	if (s->top < 0)
		s->top = 0;
}

static void follow_cursor_sideways(screen_ladder *s, int vw)
{
	const ladder_layout *l = s->lay;
	if (!l->rows->len || vw <= 0)
		return;
	const ladder_row *r = ladder_row_at(l, (guint)s->cursor);
	int a = (int)ladder_column_at(l, r->from)->x, b = (int)ladder_column_at(l, r->to)->x;
	int lo = MIN(a, b), hi = MAX(a, b);
	if (r->from == r->to)
		hi = (int)r->loop_x;
	hi = MAX(hi, (int)(r->text_x + r->text_width));
	if (hi >= s->hscroll + vw)
		s->hscroll = hi - vw + 1;
	if (lo < s->hscroll)
		s->hscroll = lo;
	if (s->hscroll < 0)
		s->hscroll = 0;
}

static void draw_diagram(screen_ladder *s, int top, int x, int width, int height)
{
	const ladder_layout *l = s->lay;
	if (height <= 0 || width <= 0)
		return;
	int gutter = width >= 40 ? GUTTER : 0;
	int gx = x + gutter, vw = width - gutter;
	s->view_w = vw;
	if (s->follow) {
		follow_cursor_sideways(s, vw);
		s->follow = false;
	}
	/* Titles. */
	if (gutter)
		tty_puts(top, x, gutter, "TIME (UTC)", TTY_HEADING);
	tty_fill(top, gx, vw, TTY_HEADING);
	for (guint i = 0; i < l->columns->len; i++) {
		const ladder_column *c = ladder_column_at(l, i);
		put_diagram_text(top, gx, vw, s->hscroll, c->title_x, c->title, strlen(c->title), TTY_HEADING);
	}
	int lines = height - 1;
	s->page = 1;
	if (!l->rows->len) {
		if (lines > 0)
			tty_puts(top + 1, x + 1, width - 1, "(no messages)", TTY_DIM);
		return;
	}
	scroll_to_cursor(s, lines);
	int y = top + 1;
	int shown = 0;
	for (guint i = (guint)s->top; i < l->rows->len && y < top + 1 + lines; i++) {
		const ladder_row *r = ladder_row_at(l, i);
		bool cur = (int)i == s->cursor;
		for (unsigned line = 0; line < r->lines && y < top + 1 + lines; line++, y++) {
			if (line == 0 && gutter) {
				g_autoptr(GString) t = g_string_new(NULL);
				text_append_clock(t, r->ts_ns);
				bool mk = is_marked(s, r->msg);
				tty_style st = cur ? TTY_CURSOR : mk ? TTY_MARKED : TTY_DIM;
				if (cur)
					tty_fill(y, x, gutter - 1, TTY_CURSOR);
				tty_put(y, x, gutter - 1, t->str, t->len, 0, st);
				if (mk)
					tty_puts(y, x + gutter - 1, 1, "*", st);
			}
			draw_row_line(s, r, line, y, gx, vw, cur);
		}
		shown++;
	}
	/* Lifelines go on below the last row. */
	for (; y < top + 1 + lines; y++)
		for (int cx = MAX(s->hscroll, 0); cx < MIN((int)l->rows_width, s->hscroll + vw); cx++)
			if (l->col_at[cx])
				tty_glyph_at(y, gx + cx - s->hscroll, TTY_GLYPH_VLINE, TTY_DIM);
	s->page = MAX(shown - 1, 1);
}

static tty_style line_style(msg_line_kind k)
{
	switch (k) {
	case MSG_LINE_START: return TTY_START_LINE;
	case MSG_LINE_SECTION: return TTY_TITLE;
	case MSG_LINE_ERROR: return TTY_FINDING_ERROR;
	case MSG_LINE_WARNING: return TTY_FINDING_WARNING;
	default: return TTY_NORMAL;
	}
}

static void draw_pane(screen_ladder *s, ui *u, int top, int x, int width, int height)
{
	if (height <= 0 || width <= 0)
		return;
	const sip_model *m = ui_model(u);
	const findings *f = ui_feed_of(u)->found;
	uint64_t gen = s->parsed && f ? findings_generation(f) : 0;
	if (s->text_msg != s->cursor_msg || s->text_parsed != s->parsed || s->text_gen != gen) {
		if (s->text_msg != s->cursor_msg || s->text_parsed != s->parsed)
			s->pscroll = 0;
		message_text_free(s->text);
		s->text = NULL;
		const sip_message *msg = sip_model_message(m, s->cursor_msg);
		if (msg)
			s->text = s->parsed ? message_parsed_new(m, f, msg) : message_text_new(m, msg);
		s->text_msg = s->cursor_msg;
		s->text_parsed = s->parsed;
		s->text_gen = gen;
	}
	tty_fill(top, x, width, TTY_HEADING);
	GArray *text = s->show_findings && s->ftext ? s->ftext : s->text;
	if (!text) {
		tty_puts(top, x + 1, width - 1, "no message", TTY_HEADING);
		return;
	}
	const msg_line *info = &g_array_index(text, msg_line, 0);
	tty_put(top, x + 1, width - 1, info->text, info->len, 0, TTY_HEADING);
	/* Display lines: each message line wrapped at the pane's width. */
	int w = width;
	int total = 0;
	for (guint i = 1; i < text->len; i++) {
		const msg_line *ml = &g_array_index(text, msg_line, i);
		int tw = (int)text_width(ml->text, ml->len);
		total += tw == 0 ? 1 : (tw + w - 1) / w;
	}
	int rows = height - 1;
	if (s->pscroll > total - rows)
		s->pscroll = total - rows;
	if (s->pscroll < 0)
		s->pscroll = 0;
	int at = 0, y = top + 1;
	for (guint i = 1; i < text->len && y < top + height; i++) {
		const msg_line *ml = &g_array_index(text, msg_line, i);
		int tw = (int)text_width(ml->text, ml->len);
		int segs = tw == 0 ? 1 : (tw + w - 1) / w;
		int nw = ml->name_len ? (int)text_width(ml->text, ml->name_len) : 0;
		tty_style st = line_style(ml->kind);
		for (int k = 0; k < segs && y < top + height; k++, at++) {
			if (at < s->pscroll)
				continue;
			tty_put(y, x, w, ml->text, ml->len, k * w, st);
			if (nw > k * w)
				tty_put(y, x, MIN(nw - k * w, w), ml->text, ml->name_len, k * w, TTY_HDR_NAME);
			y++;
		}
	}
}

static void ladder_draw(screen *base, ui *u, int top, int width, int height)
{
	screen_ladder *s = (screen_ladder *)base;
	if (height <= 0)
		return;
	g_autoptr(GString) h = g_string_new(NULL);
	heading(s, u, h);
	tty_put(top, 0, width, h->str, h->len, 0, TTY_TITLE);
	int body = height - 1, y = top + 1;
	pane_mode mode = s->pane;
	if (mode == PANE_BESIDE && width < 60)
		mode = PANE_BELOW;
	if (mode == PANE_BELOW && body < 8)
		mode = PANE_HIDDEN;
	switch (mode) {
	case PANE_BELOW: {
		int lh = MAX(3, body * 11 / 20);
		draw_diagram(s, y, 0, width, lh);
		draw_pane(s, u, y + lh, 0, width, body - lh);
		break;
	}
	case PANE_BESIDE: {
		int pw = width * 9 / 20;
		int lw = width - pw - 1;
		draw_diagram(s, y, 0, lw, body);
		for (int k = 0; k < body; k++)
			tty_glyph_at(y + k, lw, TTY_GLYPH_VLINE, TTY_DIM);
		draw_pane(s, u, y, lw + 1, pw, body);
		break;
	}
	case PANE_HIDDEN:
	default:
		draw_diagram(s, y, 0, width, body);
		break;
	}
}

/* ---- keys --------------------------------------------------------------- */

static void move_to(screen_ladder *s, int row)
{
	int n = (int)s->lay->rows->len;
	if (row >= n)
		row = n - 1;
	if (row < 0)
		row = 0;
	s->cursor = row;
	s->cursor_msg = n ? ladder_row_at(s->lay, (guint)row)->msg : SIP_ID_NONE;
	s->follow = true;
}

static void mark_toggle(screen_ladder *s)
{
	sip_id msg = s->cursor_msg;
	if (msg == SIP_ID_NONE)
		return;
	for (int i = 0; i < s->n_marks; i++) {
		if (s->marks[i] == msg) {
			for (int k = i; k + 1 < s->n_marks; k++)
				s->marks[k] = s->marks[k + 1];
			s->n_marks--;
			return;
		}
	}
	/* A third mark replaces the oldest: the diff compares two. */
	if (s->n_marks == 2) {
		s->marks[0] = s->marks[1];
		s->n_marks = 1;
	}
	s->marks[s->n_marks++] = msg;
}

/* The two marked messages; one marked and the cursor's; or, with none
 * marked, a retransmission and its first copy. */
static void open_diff(screen_ladder *s, ui *u)
{
	sip_id a = SIP_ID_NONE, b = SIP_ID_NONE;
	if (s->n_marks == 2) {
		a = s->marks[0];
		b = s->marks[1];
	} else if (s->n_marks == 1 && s->cursor_msg != s->marks[0]) {
		a = s->marks[0];
		b = s->cursor_msg;
	} else if (s->n_marks == 0 && s->cursor_msg != SIP_ID_NONE) {
		a = sip_model_original(ui_model(u), s->cursor_msg);
		b = s->cursor_msg;
	}
	screen *d = a != SIP_ID_NONE && b != SIP_ID_NONE ? screen_diff_new(u, a, b) : NULL;
	if (!d) {
		ui_message(u, "mark two messages with Space, then press d");
		return;
	}
	ui_push(u, d);
}

static int content_width(const screen_ladder *s)
{
	const ladder_layout *l = s->lay;
	/* the delta, "(retransmission)" and a few finding marks */
	int w = (int)l->rows_width + DELTA_GAP + 10 + 18 + 12;
	for (guint i = 0; i < l->rows->len; i++) {
		const ladder_row *r = ladder_row_at(l, i);
		if (r->sdp)
			w = MAX(w, (int)(r->sdp_x + r->sdp_width));
	}
	return MAX(w, (int)l->width);
}

static bool ladder_key(screen *base, ui *u, int key)
{
	screen_ladder *s = (screen_ladder *)base;
	int maxh;
	switch (key) {
	case KEY_CODE_UP:
	case 'k':
		move_to(s, s->cursor - 1);
		return true;
	case KEY_CODE_DOWN:
	case 'j':
		move_to(s, s->cursor + 1);
		return true;
	case KEY_CODE_PGUP:
	case KEY_CTRL('b'):
		move_to(s, s->cursor - s->page);
		return true;
	case KEY_CODE_PGDN:
	case KEY_CTRL('f'):
		move_to(s, s->cursor + s->page);
		return true;
	case KEY_CODE_HOME:
	case 'g':
		move_to(s, 0);
		return true;
	case KEY_CODE_END:
	case 'G':
		move_to(s, (int)s->lay->rows->len - 1);
		return true;
	case KEY_CODE_LEFT:
		s->hscroll = MAX(0, s->hscroll - 8);
		return true;
	case KEY_CODE_RIGHT:
		maxh = MAX(0, content_width(s) - s->view_w);
		s->hscroll = MIN(maxh, s->hscroll + 8);
		return true;
	case 'J':
		s->pscroll++;
		return true;
	case 'K':
		s->pscroll = MAX(0, s->pscroll - 1);
		return true;
	case KEY_CODE_TAB:
	case 'v':
		s->pane = (s->pane + 1) % PANE__COUNT;
		return true;
	case 'c':
		s->by_dialog = !s->by_dialog;
		return true;
	case ' ':
		mark_toggle(s);
		return true;
	case 'x':
		s->n_marks = 0;
		return true;
	case 'd':
		open_diff(s, u);
		return true;
	case 'p':
		s->parsed = !s->parsed;
		s->show_findings = false;
		if (s->pane == PANE_HIDDEN)
			s->pane = PANE_BELOW;
		return true;
	case 'f':
		s->show_findings = !s->show_findings;
		s->pscroll = 0;
		if (s->pane == PANE_HIDDEN)
			s->pane = PANE_BELOW;
		return true;
	case 'H':
		s->by_host = !s->by_host;
		s->hscroll = 0;
		relayout(s, u);
		s->follow = true;
		return true;
	case 's':
	case KEY_CODE_F2:
		ui_save_packets_prompt(u, (sip_id *)s->calls->data, s->calls->len);
		return true;
	case 'S':
	case 'e':
		ui_save_ladder_prompt(u, (sip_id *)s->calls->data, s->calls->len, s->by_host);
		return true;
	case 'q':
	case KEY_CODE_ESC:
		ui_pop(u);
		return true;
	default:
		return false;
	}
}

static const char *const *ladder_hints(screen *base)
{
	(void)base;
	static const char *const h[] = {
		"Up/Down", "Message", "p", "Parsed", "Space", "Mark", "d", "Diff", "f", "Findings",
		"Tab", "Layout", "s", "Save", "?", "Help", "q", "Back", NULL
	};
	return h;
}

static void ladder_free(screen *base)
{
	screen_ladder *s = (screen_ladder *)base;
	g_array_free(s->calls, TRUE);
	if (s->lay)
		ladder_layout_free(s->lay);
	ladder_findings_free(s->found);
	message_text_free(s->ftext);
	message_text_free(s->text);
	g_free(s);
}

static const screen_ops ladder_ops = {
	.name = "ladder",
	.draw = ladder_draw,
	.key = ladder_key,
	.update = ladder_update,
	.hints = ladder_hints,
	.free = ladder_free,
};

screen *screen_ladder_new(ui *u, const sip_id *calls, size_t n)
{
	screen_ladder *s = g_new0(screen_ladder, 1);
	s->base.ops = &ladder_ops;
	s->calls = g_array_new(FALSE, FALSE, sizeof(sip_id));
	g_array_append_vals(s->calls, calls, (guint)n);
	s->cursor_msg = SIP_ID_NONE;
	s->text_msg = SIP_ID_NONE;
	relayout(s, u);
	s->follow = true;
	return &s->base;
}
