/*
 * screen_calls.c — the call list: one row per Call-ID, a cursor, marks,
 * sorting, the filter line.  The rows come from ui/call_list.h; this file
 * only lays the columns out and handles keys.
 *
 * The cursor follows its call (by id) when the rows change under it
 * (loading, sorting, filtering); when its call leaves the rows the cursor
 * stays at the same row number.
 */
#include <string.h>

#include "output/textwidth.h"
#include "ui/keys.h"
#include "ui/screen.h"
#include "ui/tty.h"
#include "ui/ui_config.h"

typedef struct col_spec {
	call_col col;
	int min, max;
	bool right;            /* right-aligned */
	int drop;              /* dropped first when the screen is narrow: higher first; 0 never */
	bool fixed;            /* the configuration gave its width */
} col_spec;

/* Every column as it is when the configuration says nothing of it. */
static const col_spec defaults[CALL_COL__COUNT] = {
	[CALL_COL_INDEX] = { CALL_COL_INDEX, 1, 8, true, 0, false },
	[CALL_COL_START] = { CALL_COL_START, 8, 23, false, 2, false },
	[CALL_COL_METHOD] = { CALL_COL_METHOD, 8, 9, false, 0, false },
	[CALL_COL_FROM] = { CALL_COL_FROM, 14, 40, false, 0, false },
	[CALL_COL_TO] = { CALL_COL_TO, 14, 40, false, 0, false },
	[CALL_COL_SRC] = { CALL_COL_SRC, 18, 21, false, 1, false },
	[CALL_COL_DST] = { CALL_COL_DST, 18, 21, false, 1, false },
	[CALL_COL_MSGS] = { CALL_COL_MSGS, 4, 5, true, 0, false },
	[CALL_COL_STATE] = { CALL_COL_STATE, 9, 16, false, 0, false },
	[CALL_COL_DURATION] = { CALL_COL_DURATION, 9, 10, true, 3, false },
	[CALL_COL_FINDINGS] = { CALL_COL_FINDINGS, 2, 3, true, 0, false },
};
enum { N_SPECS = CALL_COL__COUNT, MARK_W = 1 };

typedef struct screen_calls {
	screen base;
	sip_id cursor_id;
	int cursor;            /* row */
	int top;               /* first row shown */
	int page;              /* rows shown at the last draw */
	char *filter_before;   /* the filter when the prompt opened */
	col_spec specs[N_SPECS]; /* the columns shown, in order (ui/ui_config.h) */
	int n_specs;
} screen_calls;

typedef struct col_layout {
	const col_spec *specs;
	int n;
	bool shown[N_SPECS];
	int width[N_SPECS];
	int x[N_SPECS];
} col_layout;

/* Where column c is in the layout, or -1 when it is not configured. */
static int spec_index(const col_layout *L, call_col c)
{
	for (int i = 0; i < L->n; i++)
		if (L->specs[i].col == c)
			return i;
	return -1;
}

/* Widens column c up to `to` cells with what is left in *extra. */
static void widen(col_layout *L, call_col c, int to, int *extra)
{
	int i = spec_index(L, c);
	if (i < 0 || !L->shown[i] || *extra <= 0)
		return;
	const col_spec *specs = L->specs;
	to = MIN(to, specs[i].max);
	int add = MIN(*extra, to - L->width[i]);
	if (add > 0) {
		L->width[i] += add;
		*extra -= add;
	}
}

/* FROM and TO a cell at a time in turn, up to `to` cells. */
static void widen_pair(col_layout *L, int to, int *extra)
{
	int f = spec_index(L, CALL_COL_FROM), t = spec_index(L, CALL_COL_TO);
	const col_spec *specs = L->specs;
	for (bool grew = true; grew && *extra > 0;) {
		grew = false;
		if (f >= 0 && L->shown[f] && L->width[f] < MIN(to, specs[f].max) && *extra > 0) {
			L->width[f]++;
			(*extra)--;
			grew = true;
		}
		if (t >= 0 && L->shown[t] && L->width[t] < MIN(to, specs[t].max) && *extra > 0) {
			L->width[t]++;
			(*extra)--;
			grew = true;
		}
	}
}

/* Everything at its minimum; drop columns (highest drop first) until that
 * fits; then widen them in order of use: the start time to milliseconds,
 * FROM and TO a cell at a time in turn, the addresses, the date. */
static void lay_out(col_layout *L, const screen_calls *s, int width, int index_w)
{
	L->specs = s->specs;
	L->n = s->n_specs;
	const col_spec *specs = L->specs;
	for (int i = 0; i < L->n; i++) {
		L->shown[i] = true;
		L->width[i] = specs[i].min;
		if (specs[i].col == CALL_COL_INDEX && !specs[i].fixed)
			L->width[i] = MAX(index_w, 1);
	}
	for (;;) {
		int need = MARK_W;
		int worst = 0;
		for (int i = 0; i < L->n; i++) {
			if (!L->shown[i])
				continue;
			need += 1 + L->width[i];
			worst = MAX(worst, specs[i].drop);
		}
		if (need <= width || worst == 0)
			break;
		for (int i = 0; i < L->n; i++)
			if (L->shown[i] && specs[i].drop == worst)
				L->shown[i] = false;
	}
	int used = MARK_W;
	for (int i = 0; i < L->n; i++)
		if (L->shown[i])
			used += 1 + L->width[i];
	int extra = width - used;
	if (extra >= 4)
		widen(L, CALL_COL_START, 12, &extra);
	widen_pair(L, 24, &extra);
	widen(L, CALL_COL_STATE, 13, &extra);
	widen_pair(L, 40, &extra);
	widen(L, CALL_COL_SRC, 21, &extra);
	widen(L, CALL_COL_DST, 21, &extra);
	widen(L, CALL_COL_DURATION, 10, &extra);
	widen(L, CALL_COL_STATE, 16, &extra);
	/* The date goes with the start time when there is room for it. */
	if (extra >= 11)
		widen(L, CALL_COL_START, 23, &extra);
	int x = MARK_W;
	for (int i = 0; i < L->n; i++) {
		L->x[i] = x;
		if (L->shown[i])
			x += L->width[i] + 1;
	}
}

static int digits(guint n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

static void put_cell(int y, int x, int w, GString *text, bool right, tty_style st)
{
	text_fit(text, (size_t)w);
	int tw = (int)text_width(text->str, text->len);
	int off = right && tw < w ? w - tw : 0;
	tty_put(y, x + off, w - off, text->str, text->len, 0, st);
}

static void clamp_cursor(screen_calls *s, ui *u)
{
	call_list *cl = ui_calls(u);
	int n = (int)call_list_len(cl);
	if (s->cursor >= n)
		s->cursor = n - 1;
	if (s->cursor < 0)
		s->cursor = 0;
	s->cursor_id = call_list_at(cl, (guint)s->cursor);
}

static void calls_update(screen *base, ui *u)
{
	screen_calls *s = (screen_calls *)base;
	call_list *cl = ui_calls(u);
	if (s->cursor_id != SIP_ID_NONE) {
		int row = call_list_find(cl, s->cursor_id);
		if (row >= 0)
			s->cursor = row;
	}
	clamp_cursor(s, u);
}

static void calls_draw(screen *base, ui *u, int top, int width, int height)
{
	screen_calls *s = (screen_calls *)base;
	call_list *cl = ui_calls(u);
	const sip_model *m = ui_model(u);
	col_layout L;
	lay_out(&L, s, width, digits(sip_model_call_count(m)));
	int si = spec_index(&L, CALL_COL_START);
	int start_w = si >= 0 ? L.width[si] : 0;

	/* Titles, with the sort column marked. */
	tty_fill(top, 0, width, TTY_HEADING);
	g_autoptr(GString) cell = g_string_new(NULL);
	call_col sort = call_list_sort_col(cl);
	const col_spec *specs = L.specs;
	for (int i = 0; i < L.n; i++) {
		if (!L.shown[i])
			continue;
		g_string_assign(cell, call_col_title(specs[i].col));
		if (specs[i].col == CALL_COL_START && L.width[i] >= 11)
			g_string_append(cell, " (UTC)");
		if (specs[i].col == sort)
			g_string_append(cell, call_list_sort_reverse(cl) ? (tty_utf8() ? "\u25bc" : "v")
								  : (tty_utf8() ? "\u25b2" : "^"));
		put_cell(top, L.x[i], L.width[i], cell, specs[i].right, TTY_HEADING);
	}

	int rows = height - 1;
	s->page = MAX(rows, 1);
	int n = (int)call_list_len(cl);
	if (s->cursor < s->top)
		s->top = s->cursor;
	if (rows > 0 && s->cursor >= s->top + rows)
		s->top = s->cursor - rows + 1;
	if (s->top > MAX(0, n - rows))
		s->top = MAX(0, n - rows);
	if (s->top < 0)
		s->top = 0;
	if (n == 0 && rows > 0) {
		guint d, t;
		const char *empty = call_list_filtering(cl, &d, &t) ? "filtering..."
				    : ui_loading(u) ? (ui_feed_of(u)->live ? "waiting for SIP messages..."
								     : "reading the capture...")
				    : call_list_filter(cl) ? "no call matches the filter"
				    : "no SIP messages in the capture";
		tty_puts(top + 1, 1, width - 1, empty, TTY_DIM);
		return;
	}
	for (int r = 0; r < rows && s->top + r < n; r++) {
		int y = top + 1 + r;
		sip_id id = call_list_at(cl, (guint)(s->top + r));
		const sip_call *c = sip_model_call(m, id);
		if (!c)
			continue;
		bool cur = s->top + r == s->cursor;
		bool marked = call_list_marked(cl, id);
		tty_style st = cur ? (marked ? TTY_CURSOR_MARKED : TTY_CURSOR) : marked ? TTY_MARKED : TTY_NORMAL;
		if (cur || marked)
			tty_fill(y, 0, width, st);
		tty_puts(y, 0, MARK_W, marked ? "*" : " ", st);
		for (int i = 0; i < L.n; i++) {
			if (!L.shown[i])
				continue;
			g_string_truncate(cell, 0);
			call_list_cell(cl, c, specs[i].col, start_w >= 23, cell);
			/* Time of day without milliseconds when narrow. */
			if (specs[i].col == CALL_COL_START && start_w < 12 && cell->len > 8)
				g_string_truncate(cell, 8);
			tty_style cst = st;
			if (specs[i].col == CALL_COL_FINDINGS && st == TTY_NORMAL && cell->len) {
				guint errors = 0;
				call_list_findings_of(cl, id, &errors);
				cst = errors ? TTY_FINDING_ERROR : TTY_FINDING_WARNING;
			}
			put_cell(y, L.x[i], L.width[i], cell, specs[i].right, cst);
		}
	}
}

static void move_cursor(screen_calls *s, ui *u, int to)
{
	s->cursor = to;
	clamp_cursor(s, u);
}

/* ---- filter prompt ------------------------------------------------------ */

static void filter_apply(ui *u, const char *text, bool report)
{
	/* The same text again (Enter after typing it): the pass over the
	 * calls that is running or done stands; starting it again would cost
	 * a second on a large capture. */
	const ui_filter *cur = call_list_filter(ui_calls(u));
	if (g_strcmp0(cur ? ui_filter_text(cur) : "", text ? text : "") == 0)
		return;
	GError *err = NULL;
	ui_filter *f = ui_filter_new(text, &err);
	if (err) {
		if (report)
			ui_error(u, "filter: %s", err->message);
		g_error_free(err);
		return;
	}
	call_list_set_filter(ui_calls(u), f);
}

static void filter_changed(ui *u, void *user, const char *text)
{
	(void)user;
	filter_apply(u, text, false);
}

static void filter_done(ui *u, void *user, bool accepted, const char *text)
{
	screen_calls *s = user;
	/* Esc: back to the filter of before (none: no filter). */
	filter_apply(u, accepted ? text : s->filter_before, accepted);
	g_clear_pointer(&s->filter_before, g_free);
}

static void open_filter(screen_calls *s, ui *u)
{
	const ui_filter *f = call_list_filter(ui_calls(u));
	g_free(s->filter_before);
	s->filter_before = f ? g_strdup(ui_filter_text(f)) : NULL;
	ui_prompt(u, "Filter (text, or ~regex): ", s->filter_before, filter_changed, filter_done, s, NULL);
}

/* ---- keys --------------------------------------------------------------- */

/* The marked calls, or the call under the cursor when none is marked. */
static GArray *chosen_calls(screen_calls *s, ui *u)
{
	call_list *cl = ui_calls(u);
	if (call_list_marked_count(cl))
		return call_list_marked_ids(cl);
	GArray *a = g_array_new(FALSE, FALSE, sizeof(sip_id));
	if (s->cursor_id != SIP_ID_NONE)
		g_array_append_val(a, s->cursor_id);
	return a;
}

/* The column after (dir 1) or before (dir -1) col among those configured:
 * sorting by a column that is not there would make no sense on screen. */
static call_col next_sort_col(const screen_calls *s, call_col col, int dir)
{
	int n = s->n_specs, at = -1;
	if (n == 0)
		return CALL_COL_INDEX;
	for (int i = 0; i < n; i++)
		if (s->specs[i].col == col)
			at = i;
	if (at < 0)
		at = dir > 0 ? n - 1 : 0;
	return s->specs[(at + dir + n) % n].col;
}

static bool calls_key(screen *base, ui *u, int key)
{
	screen_calls *s = (screen_calls *)base;
	call_list *cl = ui_calls(u);
	int n = (int)call_list_len(cl);
	g_autoptr(GArray) chosen = NULL;
	switch (key) {
	case KEY_CODE_UP:
	case 'k':
		move_cursor(s, u, s->cursor - 1);
		return true;
	case KEY_CODE_DOWN:
	case 'j':
		move_cursor(s, u, s->cursor + 1);
		return true;
	case KEY_CODE_PGUP:
	case KEY_CTRL('b'):
		move_cursor(s, u, s->cursor - s->page);
		return true;
	case KEY_CODE_PGDN:
	case KEY_CTRL('f'):
		move_cursor(s, u, s->cursor + s->page);
		return true;
	case KEY_CODE_HOME:
	case 'g':
		move_cursor(s, u, 0);
		return true;
	case KEY_CODE_END:
	case 'G':
		move_cursor(s, u, n - 1);
		return true;
	case ' ':
		if (s->cursor_id != SIP_ID_NONE) {
			call_list_mark_toggle(cl, s->cursor_id);
			move_cursor(s, u, s->cursor + 1);
		}
		return true;
	case 'x':
		call_list_mark_clear(cl);
		return true;
	case KEY_CODE_ENTER:
		chosen = chosen_calls(s, u);
		if (chosen->len == 0) {
			tty_beep();
			return true;
		}
		ui_push(u, screen_ladder_new(u, (sip_id *)chosen->data, chosen->len));
		return true;
	case '/':
	case KEY_CODE_F3:
	case KEY_CODE_F7:
		open_filter(s, u);
		return true;
	case 'o':
	case '>':
	case KEY_CODE_F6:
		call_list_set_sort(cl, next_sort_col(s, call_list_sort_col(cl), 1), call_list_sort_reverse(cl));
		ui_message(u, "sorted by %s", call_col_name(call_list_sort_col(cl)));
		return true;
	case '<':
		call_list_set_sort(cl, next_sort_col(s, call_list_sort_col(cl), -1), call_list_sort_reverse(cl));
		ui_message(u, "sorted by %s", call_col_name(call_list_sort_col(cl)));
		return true;
	case 'r':
		call_list_set_sort(cl, call_list_sort_col(cl), !call_list_sort_reverse(cl));
		return true;
	case 'n':
		call_list_set_hide_non_calls(cl, !call_list_hide_non_calls(cl));
		ui_message(u, call_list_hide_non_calls(cl) ? "REGISTER, OPTIONS, ... hidden"
							   : "REGISTER, OPTIONS, ... shown");
		return true;
	case 's':
	case KEY_CODE_F2:
		chosen = chosen_calls(s, u);
		if (chosen->len)
			ui_save_packets_prompt(u, (sip_id *)chosen->data, chosen->len);
		else
			tty_beep();
		return true;
	case 'S':
	case 'e':
		chosen = chosen_calls(s, u);
		if (chosen->len)
			ui_save_ladder_prompt(u, (sip_id *)chosen->data, chosen->len, false);
		else
			tty_beep();
		return true;
	case 'q':
	case KEY_CODE_ESC:
		ui_quit(u);
		return true;
	default:
		return false;
	}
}

static const char *const *calls_hints(screen *base)
{
	(void)base;
	static const char *const h[] = {
		"Enter", "Ladder", "Space", "Mark", "/", "Filter", "o", "Sort", "r", "Reverse",
		"n", "Non-calls", "s", "Save", "?", "Help", "q", "Quit", NULL
	};
	return h;
}

static void calls_free(screen *base)
{
	screen_calls *s = (screen_calls *)base;
	g_free(s->filter_before);
	g_free(s);
}

static const screen_ops calls_ops = {
	.name = "calls",
	.draw = calls_draw,
	.key = calls_key,
	.update = calls_update,
	.hints = calls_hints,
	.free = calls_free,
};

screen *screen_calls_new(ui *u)
{
	screen_calls *s = g_new0(screen_calls, 1);
	s->base.ops = &calls_ops;
	s->cursor_id = SIP_ID_NONE;
	ui_config def;
	const ui_config *cfg = ui_feed_of(u)->config;
	if (!cfg) {
		ui_config_init(&def);
		cfg = &def;
	}
	for (unsigned i = 0; i < cfg->n_columns && i < N_SPECS; i++) {
		col_spec sp = defaults[cfg->columns[i].col];
		if (cfg->columns[i].width) {
			sp.min = sp.max = (int)cfg->columns[i].width;
			sp.fixed = true;
		}
		s->specs[s->n_specs++] = sp;
	}
	return &s->base;
}
