#include "ui.h"

#include <stdarg.h>
#include <string.h>

#include "output/textesc.h"
#include "output/textwidth.h"
#include "ui/keys.h"
#include "ui/line_edit.h"
#include "ui/screen.h"
#include "ui/tty.h"

/* Redraws while loading at most this often (µs): drawing costs more than
 * reading a batch of a large capture. */
enum { DRAW_INTERVAL_US = 100000, FILTER_BUDGET = 2000 };

typedef struct prompt {
	bool active;
	char *label;
	line_edit edit;
	ui_prompt_change_fn on_change;
	ui_prompt_done_fn on_done;
	void *user;
	GDestroyNotify free_user;
} prompt;

struct ui {
	const ui_feed *feed;
	GPtrArray *stack;      /* screen* */
	call_list *calls;
	bool loading;
	bool quit;
	GString *message;
	bool message_error;
	prompt pr;
};

const sip_model *ui_model(const ui *u)
{
	return u->feed->model;
}

call_list *ui_calls(ui *u)
{
	return u->calls;
}

const ui_feed *ui_feed_of(const ui *u)
{
	return u->feed;
}

bool ui_loading(const ui *u)
{
	return u->loading;
}

void ui_push(ui *u, screen *s)
{
	g_ptr_array_add(u->stack, s);
}

static void screen_free(screen *s)
{
	if (s && s->ops->free)
		s->ops->free(s);
}

void ui_pop(ui *u)
{
	if (u->stack->len == 0)
		return;
	screen *s = g_ptr_array_steal_index(u->stack, u->stack->len - 1);
	screen_free(s);
	if (u->stack->len == 0)
		u->quit = true;
}

void ui_quit(ui *u)
{
	u->quit = true;
}

G_GNUC_PRINTF(3, 0) static void set_message(ui *u, bool error, const char *fmt, va_list ap)
{
	g_string_vprintf(u->message, fmt, ap);
	u->message_error = error;
}

void ui_message(ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(u, false, fmt, ap);
	va_end(ap);
}

void ui_error(ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(u, true, fmt, ap);
	va_end(ap);
}

static void prompt_end(ui *u)
{
	prompt *p = &u->pr;
	if (p->free_user)
		p->free_user(p->user);
	g_free(p->label);
	line_edit_clear(&p->edit);
	memset(p, 0, sizeof(*p));
	tty_cursor(-1, 0);
}

void ui_prompt(ui *u, const char *label, const char *initial, ui_prompt_change_fn on_change,
	       ui_prompt_done_fn on_done, void *user, GDestroyNotify free_user)
{
	if (u->pr.active)
		prompt_end(u);
	prompt *p = &u->pr;
	p->active = true;
	p->label = g_strdup(label);
	line_edit_init(&p->edit, initial);
	p->on_change = on_change;
	p->on_done = on_done;
	p->user = user;
	p->free_user = free_user;
	g_string_truncate(u->message, 0);
}

static void prompt_key(ui *u, int key)
{
	prompt *p = &u->pr;
	line_edit_result r = line_edit_key(&p->edit, key);
	if (r == LINE_EDIT_CHANGED && p->on_change) {
		p->on_change(u, p->user, p->edit.text->str);
	} else if (r == LINE_EDIT_ACCEPT || r == LINE_EDIT_CANCEL) {
		/* on_done may start another prompt (a confirmation): keep what it
		 * needs until it returns. */
		g_autofree char *text = g_strdup(p->edit.text->str);
		ui_prompt_done_fn done = p->on_done;
		void *user = p->user;
		GDestroyNotify free_user = p->free_user;
		p->free_user = NULL;
		prompt_end(u);
		if (done)
			done(u, user, r == LINE_EDIT_ACCEPT, text);
		if (free_user)
			free_user(user);
	}
}

/* ---- drawing ----------------------------------------------------------- */

static void append_count(GString *o, const char *what, uint64_t n)
{
	g_string_append_printf(o, "  %s %" G_GUINT64_FORMAT, what, n);
}

/* Draws text from x on the status bar up to `end`; returns the new x. */
static int bar_put(int x, int end, const GString *t, tty_style st)
{
	if (x >= end || !t->len)
		return x;
	return x + tty_put(0, x, end - x, t->str, t->len, 0, st);
}

static void draw_status(ui *u, int width)
{
	ui_feed_status st = { 0 };
	if (u->feed->status)
		u->feed->status(u->feed->user, &st);
	bool live = u->feed->live;
	tty_fill(0, 0, width, TTY_BAR);
	int x0 = tty_puts(0, 0, width, " sipscope ", TTY_BAR_KEY), x = x0;
	/* The source's name takes at most a third of the bar: the counts
	 * matter more. */
	g_autoptr(GString) o = g_string_new(" ");
	g_autoptr(GString) name = g_string_new(NULL);
	text_append_sv(name, sv_from_cstr(u->feed->source_name ? u->feed->source_name : "-"));
	text_fit(name, (size_t)MAX(12, width / 3));
	g_string_append_len(o, name->str, (gssize)name->len);
	append_count(o, "frames", st.frames);
	append_count(o, "SIP", st.messages);
	const sip_model *m = u->feed->model;
	guint shown = call_list_len(u->calls), total = sip_model_calls_held(m);
	if (shown != total || call_list_filter(u->calls))
		g_string_append_printf(o, "  calls %u/%u", shown, total);
	else
		g_string_append_printf(o, "  calls %u", total);
	/* With limits: how many calls were let go to stay within them. */
	const sip_evictions *ev = sip_model_evictions(m);
	if (ev->calls + ev->groups)
		g_string_append_printf(o, "  evicted %" G_GUINT64_FORMAT, ev->calls + ev->groups);

	/* Live: the drops always show (a 0 says they are counted), and stand
	 * out once there are some. */
	g_autoptr(GString) drops = g_string_new(NULL);
	uint64_t dropped = st.kernel_dropped + st.if_dropped + st.ring_dropped;
	if (live) {
		g_string_append(o, "  ");
		g_string_printf(drops, "dropped %" G_GUINT64_FORMAT, dropped);
		const char *sep = " (";
		if (st.kernel_dropped) {
			g_string_append_printf(drops, "%skernel %" G_GUINT64_FORMAT, sep, st.kernel_dropped);
			sep = ", ";
		}
		if (st.if_dropped) {
			g_string_append_printf(drops, "%sinterface %" G_GUINT64_FORMAT, sep, st.if_dropped);
			sep = ", ";
		}
		if (st.ring_dropped)
			g_string_append_printf(drops, "%ssipscope %" G_GUINT64_FORMAT, sep, st.ring_dropped);
		if (dropped)
			g_string_append_c(drops, ')');
	}

	g_autoptr(GString) rest = g_string_new(NULL);
	const ui_filter *f = call_list_filter(u->calls);
	if (f) {
		g_string_append(rest, "  filter: ");
		text_append_sv(rest, sv_from_cstr(ui_filter_text(f)));
	}
	guint done, todo;
	if (call_list_filtering(u->calls, &done, &todo))
		g_string_append_printf(rest, " (%u%%)", todo ? (unsigned)((uint64_t)done * 100 / todo) : 0);
	g_autoptr(GString) fault = g_string_new(NULL);
	if (st.errors && live)
		g_string_printf(fault, "%u input%s stopped", st.errors, st.errors == 1 ? "" : "s");
	else if (st.errors)
		g_string_append(rest, "  input damaged");

	/* Loading: a bar on the right, as wide as fits.  Live: whether it is
	 * still capturing. */
	g_autoptr(GString) right = g_string_new(NULL);
	int bar = 0;
	unsigned pct = 0;
	if (live) {
		g_string_assign(right, st.capturing ? " capturing " : " capture ended ");
	} else if (u->loading) {
		if (st.bytes_total) {
			pct = (unsigned)MIN(99, st.bytes_read * 100 / st.bytes_total);
			g_string_printf(right, " loading %3u%% ", pct);
			bar = MIN(20, width / 6);
		} else {
			g_string_printf(right, " loading... ");
		}
	}
	int rw = (int)text_width(right->str, right->len) + bar + (bar ? 1 : 0);
	int end = width - rw;
	x = bar_put(x, end, o, TTY_BAR);
	x = bar_put(x, end, drops, dropped ? TTY_ERROR : TTY_BAR);
	x = bar_put(x, end, rest, TTY_BAR);
	if (fault->len) {
		g_autoptr(GString) gap = g_string_new("  ");
		x = bar_put(x, end, gap, TTY_BAR);
		bar_put(x, end, fault, TTY_ERROR);
	}
	if (rw && end >= x0) {
		int rx = end;
		rx += tty_put(0, rx, rw, right->str, right->len, 0, TTY_BAR);
		if (bar) {
			int filled = (int)(bar * pct / 100);
			tty_fill(0, rx, filled, TTY_PROGRESS);
			tty_fill(0, rx + filled, bar - filled, TTY_DIM);
		}
	}
}

static void draw_hints(ui *u, int y, int width)
{
	tty_fill(y, 0, width, TTY_BAR);
	if (u->pr.active) {
		tty_fill(y, 0, width, TTY_NORMAL);
		int x = tty_puts(y, 0, width, u->pr.label, TTY_TITLE);
		const GString *t = u->pr.edit.text;
		int cur = (int)line_edit_cursor_cells(&u->pr.edit);
		int room = width - x - 1;
		int skip = cur > room ? cur - room : 0;
		if (room > 0)
			tty_put(y, x, room + 1, t->str, t->len, skip, TTY_NORMAL);
		int cx = x + cur - skip;
		tty_cursor(y, cx < width ? cx : width - 1);
		return;
	}
	if (u->message->len) {
		tty_fill(y, 0, width, u->message_error ? TTY_ERROR : TTY_BAR);
		tty_put(y, 1, width - 1, u->message->str, u->message->len, 0,
			u->message_error ? TTY_ERROR : TTY_BAR);
		return;
	}
	screen *top = u->stack->len ? g_ptr_array_index(u->stack, u->stack->len - 1) : NULL;
	const char *const *h = top && top->ops->hints ? top->ops->hints(top) : NULL;
	int x = 0;
	for (; h && h[0] && h[1] && x < width; h += 2) {
		x += tty_puts(y, x, width - x, h[0], TTY_BAR_KEY);
		x += tty_puts(y, x, width - x, " ", TTY_BAR);
		x += tty_puts(y, x, width - x, h[1], TTY_BAR);
		x += tty_puts(y, x, width - x, "  ", TTY_BAR);
	}
}

static void draw(ui *u)
{
	int w, h;
	tty_size(&w, &h);
	tty_erase();
	if (w <= 0 || h <= 0) {
		tty_flush();
		return;
	}
	if (!u->pr.active)
		tty_cursor(-1, 0);
	draw_status(u, w);
	screen *top = u->stack->len ? g_ptr_array_index(u->stack, u->stack->len - 1) : NULL;
	if (h >= 2) {
		int body = h - 2;
		if (top && body > 0)
			top->ops->draw(top, u, 1, w, body);
		draw_hints(u, h - 1, w);
	}
	tty_flush();
}

/* ---- the loop ----------------------------------------------------------- */

static void update_screens(ui *u)
{
	for (guint i = 0; i < u->stack->len; i++) {
		screen *s = g_ptr_array_index(u->stack, i);
		if (s->ops->update)
			s->ops->update(s, u);
	}
}

static void handle_key(ui *u, int key)
{
	if (key == KEY_CODE_RESIZE)
		return;
	if (u->pr.active) {
		prompt_key(u, key);
		return;
	}
	g_string_truncate(u->message, 0);
	screen *top = u->stack->len ? g_ptr_array_index(u->stack, u->stack->len - 1) : NULL;
	if (top && top->ops->key(top, u, key))
		return;
	switch (key) {
	case KEY_CODE_F1:
	case '?':
	case 'h':
		if (!top || strcmp(top->ops->name, "help") != 0)
			ui_push(u, screen_help_new(u));
		break;
	case KEY_CODE_F10:
		ui_quit(u);
		break;
	default:
		tty_beep();
		break;
	}
}

/* Live: what was last drawn, to tell whether a step brought anything. */
typedef struct live_seen {
	uint64_t frames, messages, dropped;
	unsigned errors;
	bool capturing;
} live_seen;

/* Whether the live counts moved since the last look.  A new capture error
 * goes to the message line at once: it ends one input only, and the
 * others (and the UI) go on. */
static bool live_news(ui *u, live_seen *seen)
{
	ui_feed_status st = { 0 };
	if (u->feed->status)
		u->feed->status(u->feed->user, &st);
	live_seen now = {
		.frames = st.frames,
		.messages = st.messages,
		.dropped = st.kernel_dropped + st.if_dropped + st.ring_dropped,
		.errors = st.errors,
		.capturing = st.capturing,
	};
	if (now.errors > seen->errors && st.last_error) {
		g_autoptr(GString) e = g_string_new(NULL);
		text_append_sv(e, sv_from_cstr(st.last_error));
		ui_error(u, "%s", e->str);
	}
	bool moved = now.frames != seen->frames || now.messages != seen->messages ||
		     now.dropped != seen->dropped || now.errors != seen->errors ||
		     now.capturing != seen->capturing;
	*seen = now;
	return moved;
}

bool ui_start(GError **err)
{
	return tty_open(err);
}

void ui_stop(void)
{
	tty_close();
}

void ui_run(const ui_feed *feed)
{
	ui u = { .feed = feed, .loading = true };
	u.stack = g_ptr_array_new();
	u.message = g_string_new(NULL);
	u.calls = call_list_new(feed->model);
	call_list_set_findings(u.calls, feed->found);
	sip_model_tap_add(feed->model, SIP_EV_CALL | SIP_EV_EVICT, call_list_tap, u.calls);
	ui_push(&u, screen_calls_new(&u));

	/* Reading, filtering and drawing take turns with the keyboard: a
	 * batch of frames, a slice of the filter pass, then the keys; the
	 * rows are rebuilt and the screen drawn after a key, and otherwise at
	 * most every DRAW_INTERVAL_US while busy.  A live capture is busy
	 * until every input has ended, but it is drawn only when its counts
	 * changed: a quiet link costs the step's wait and no drawing. */
	gint64 last_draw = 0;
	bool changed = true, keyed = true;
	live_seen seen = { 0 };
	while (!u.quit && !tty_stop_requested()) {
		if (u.loading) {
			u.loading = feed->step(feed->user);
			/* (live_news first: it also posts a new error.) */
			changed |= !feed->live || live_news(&u, &seen) || !u.loading;
		}
		guint d, t;
		bool filtering = call_list_filtering(u.calls, &d, &t);
		if (filtering)
			call_list_filter_work(u.calls, FILTER_BUDGET);
		bool busy = u.loading || filtering;
		gint64 now = g_get_monotonic_time();
		if (keyed || !busy || ((changed || filtering) && now - last_draw >= DRAW_INTERVAL_US)) {
			if (call_list_update(u.calls, 0, busy) || changed)
				update_screens(&u);
			changed = false;
			draw(&u);
			last_draw = now;
			keyed = false;
		}
		/* Busy: look at the keyboard and go on (a live step waits for
		 * frames itself); idle: wait for a key (a second at most, to
		 * notice signals). */
		int key = tty_key(busy ? 0 : 1000);
		while (key != KEY_CODE_NONE && !u.quit) {
			handle_key(&u, key);
			keyed = true;
			changed = true;
			key = tty_key(0);
		}
	}
	if (u.pr.active)
		prompt_end(&u);
	while (u.stack->len)
		screen_free(g_ptr_array_steal_index(u.stack, u.stack->len - 1));
	g_ptr_array_free(u.stack, TRUE);
	tty_close();
	/* The tap still points at the list: the model outlives the UI only to
	 * be freed, and no message is added after this. */
	call_list_free(u.calls);
	g_string_free(u.message, TRUE);
}
