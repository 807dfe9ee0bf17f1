#include "call_list.h"

#include <string.h>

#include "output/list.h"
#include "output/textesc.h"
#include "output/timefmt.h"

/* Per call, what the current filter made of it. */
typedef struct call_mark {
	guint scanned;          /* messages scanned by the filter */
	bool content_match;     /* one of them matched */
	bool match;             /* fields or content */
	bool queued;            /* in the touched queue */
	bool marked;            /* picked with space */
} call_mark;

struct call_list {
	const sip_model *m;
	GArray *rows;           /* sip_id */
	GArray *state;          /* call_mark, by call id */
	GArray *touched;        /* sip_id: calls to re-check */
	ui_filter *filter;
	const findings *found;
	uint64_t found_gen;     /* findings generation the rows were sorted at */
	guint pass_next;        /* filter pass: next call id to check */
	guint marked;
	call_col sort;
	bool reverse;
	bool hide_non_calls;
	bool dirty;             /* rows must be rebuilt */
	/* Rows that may wait while the model grows (call_list_update with
	 * busy): calls changed, the filter pass went on, findings came. */
	bool stale;
	guint built_calls;      /* the model's calls when the rows were last built */
	gint64 built_at;        /* monotonic µs of the last rebuild, */
	gint64 build_us;        /* and what it took */
};

/* While busy, rows stale but not dirty are rebuilt when at least this
 * many times the last rebuild's cost went by since it: rebuilding then
 * takes at most about a fifth of the time.  A sorted list of a million
 * calls costs a few hundred milliseconds to rebuild, which every redraw
 * of a loading screen (DRAW_INTERVAL_US) would otherwise pay. */
enum { STALE_WAIT_FACTOR = 4 };

static const char *const titles[CALL_COL__COUNT] = {
	[CALL_COL_INDEX] = "#",
	[CALL_COL_START] = "START",
	[CALL_COL_METHOD] = "METHOD",
	[CALL_COL_FROM] = "FROM",
	[CALL_COL_TO] = "TO",
	[CALL_COL_SRC] = "SOURCE",
	[CALL_COL_DST] = "DESTINATION",
	[CALL_COL_MSGS] = "MSGS",
	[CALL_COL_STATE] = "STATE",
	[CALL_COL_DURATION] = "DURATION",
	[CALL_COL_FINDINGS] = "!",
};

static const char *const names[CALL_COL__COUNT] = {
	[CALL_COL_INDEX] = "index",
	[CALL_COL_START] = "start",
	[CALL_COL_METHOD] = "method",
	[CALL_COL_FROM] = "from",
	[CALL_COL_TO] = "to",
	[CALL_COL_SRC] = "src",
	[CALL_COL_DST] = "dst",
	[CALL_COL_MSGS] = "msgs",
	[CALL_COL_STATE] = "state",
	[CALL_COL_DURATION] = "duration",
	[CALL_COL_FINDINGS] = "findings",
};

const char *call_col_title(call_col c)
{
	return c < CALL_COL__COUNT ? titles[c] : "";
}

const char *call_col_name(call_col c)
{
	return c < CALL_COL__COUNT ? names[c] : "";
}

bool call_col_lookup(const char *name, call_col *out)
{
	for (int c = 0; c < CALL_COL__COUNT; c++) {
		if (g_ascii_strcasecmp(name, names[c]) == 0) {
			*out = (call_col)c;
			return true;
		}
	}
	return false;
}

call_list *call_list_new(const sip_model *m)
{
	call_list *cl = g_new0(call_list, 1);
	cl->m = m;
	cl->rows = g_array_new(FALSE, FALSE, sizeof(sip_id));
	cl->state = g_array_new(FALSE, TRUE, sizeof(call_mark));
	cl->touched = g_array_new(FALSE, FALSE, sizeof(sip_id));
	cl->dirty = true;
	return cl;
}

void call_list_free(call_list *cl)
{
	if (!cl)
		return;
	g_array_free(cl->rows, TRUE);
	g_array_free(cl->state, TRUE);
	g_array_free(cl->touched, TRUE);
	ui_filter_free(cl->filter);
	g_free(cl);
}

void call_list_set_findings(call_list *cl, const findings *f)
{
	cl->found = f;
	cl->dirty = true;
}

guint call_list_findings_of(const call_list *cl, sip_id call, guint *errors)
{
	guint n = 0, e = 0;
	const GArray *ids = cl->found ? findings_of_call(cl->found, call) : NULL;
	for (guint i = 0; ids && i < ids->len; i++) {
		const finding *x = findings_get(cl->found, g_array_index(ids, sip_id, i));
		if (!x || x->severity < FINDING_WARNING)
			continue;
		n++;
		e += x->severity == FINDING_ERROR;
	}
	if (errors)
		*errors = e;
	return n;
}

static call_mark *mark_of(call_list *cl, sip_id call)
{
	if (call >= cl->state->len)
		g_array_set_size(cl->state, call + 1);
	return &g_array_index(cl->state, call_mark, call);
}

void call_list_touch(call_list *cl, sip_id call)
{
	cl->stale = true;
	if (!cl->filter || call == SIP_ID_NONE)
		return;
	call_mark *k = mark_of(cl, call);
	if (!k->queued && call < cl->pass_next) {
		k->queued = true;
		g_array_append_val(cl->touched, call);
	}
}

void call_list_tap(void *user, const sip_model *m, sip_event ev, sip_id id)
{
	(void)m;
	call_list *cl = user;
	if (ev == SIP_EV_CALL) {
		call_list_touch(cl, id);
	} else if (ev == SIP_EV_EVICT && id != SIP_ID_NONE) {
		/* its row goes at the next rebuild; a mark on it goes now */
		cl->dirty = true;
		if (id < cl->state->len) {
			call_mark *k = &g_array_index(cl->state, call_mark, id);
			if (k->marked)
				cl->marked--;
			memset(k, 0, sizeof(*k));
		}
	}
}

void call_list_set_filter(call_list *cl, ui_filter *f)
{
	/* Typing one more character narrows the filter: the messages a call
	 * had scanned without a match stay scanned, and only the calls
	 * that matched (and new messages) are scanned again. */
	bool narrows = ui_filter_narrows(f, cl->filter);
	ui_filter_free(cl->filter);
	cl->filter = f;
	cl->pass_next = 0;
	g_array_set_size(cl->touched, 0);
	for (guint i = 0; i < cl->state->len; i++) {
		call_mark *k = &g_array_index(cl->state, call_mark, i);
		if (!narrows || k->content_match)
			k->scanned = 0;
		k->content_match = false;
		k->match = false;
		k->queued = false;
	}
	cl->dirty = true;
}

const ui_filter *call_list_filter(const call_list *cl)
{
	return cl->filter;
}

void call_list_set_sort(call_list *cl, call_col col, bool reverse)
{
	if (col >= CALL_COL__COUNT)
		col = CALL_COL_INDEX;
	if (cl->sort != col || cl->reverse != reverse)
		cl->dirty = true;
	cl->sort = col;
	cl->reverse = reverse;
}

call_col call_list_sort_col(const call_list *cl)
{
	return cl->sort;
}

bool call_list_sort_reverse(const call_list *cl)
{
	return cl->reverse;
}

void call_list_set_hide_non_calls(call_list *cl, bool hide)
{
	if (cl->hide_non_calls != hide)
		cl->dirty = true;
	cl->hide_non_calls = hide;
}

bool call_list_hide_non_calls(const call_list *cl)
{
	return cl->hide_non_calls;
}

static void check_call(call_list *cl, sip_id id)
{
	const sip_call *c = sip_model_call(cl->m, id);
	call_mark *k = mark_of(cl, id);
	k->queued = false;
	if (!c) {
		k->match = false;
		return;
	}
	if (!k->content_match)
		k->content_match = ui_filter_scan(cl->filter, cl->m, c, &k->scanned, G_MAXUINT);
	else
		k->scanned = c->messages ? c->messages->len : 0;
	k->match = k->content_match || ui_filter_match_fields(cl->filter, cl->m, c);
}

/* The first message's source or destination in buf; NULL without one. */
static const endpoint *first_endpoint(const sip_model *m, const sip_call *c, bool dst, endpoint *buf)
{
	if (!c->messages || c->messages->len == 0)
		return NULL;
	const sip_message *msg = sip_model_message(m, g_array_index(c->messages, sip_id, 0));
	if (!msg)
		return NULL;
	*buf = dst ? sip_message_dst(msg) : sip_message_src(msg);
	return buf;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_sv(sv a, sv b)
{
	size_t n = MIN(a.len, b.len);
	int r = n ? memcmp(a.p, b.p, n) : 0;
	if (r)
		return r;
	return cmp_i64((int64_t)a.len, (int64_t)b.len);
}

static int cmp_endpoint(const endpoint *a, const endpoint *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int r = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (r)
		return r;
	return cmp_i64(a->port, b->port);
}

static int64_t duration_of(const sip_model *m, const sip_call *c)
{
	if (!c->answer_ts)
		return -1;
	int64_t end = c->end_ts ? c->end_ts : sip_model_clock(m);
	return end > c->answer_ts ? end - c->answer_ts : 0;
}

static int compare_calls(gconstpointer pa, gconstpointer pb, gpointer user)
{
	const call_list *cl = user;
	sip_id ia = *(const sip_id *)pa, ib = *(const sip_id *)pb;
	endpoint ea, eb;
	const sip_call *a = sip_model_call(cl->m, ia), *b = sip_model_call(cl->m, ib);
	int r = 0;
	switch (cl->sort) {
	case CALL_COL_INDEX:
		break;
	case CALL_COL_START:
		r = cmp_i64(a->start_ts, b->start_ts);
		break;
	case CALL_COL_METHOD:
		r = cmp_sv(a->first_method, b->first_method);
		break;
	case CALL_COL_FROM:
		r = cmp_sv(a->from, b->from);
		break;
	case CALL_COL_TO:
		r = cmp_sv(a->to, b->to);
		break;
	case CALL_COL_SRC:
		r = cmp_endpoint(first_endpoint(cl->m, a, false, &ea), first_endpoint(cl->m, b, false, &eb));
		break;
	case CALL_COL_DST:
		r = cmp_endpoint(first_endpoint(cl->m, a, true, &ea), first_endpoint(cl->m, b, true, &eb));
		break;
	case CALL_COL_MSGS:
		r = cmp_i64(a->messages ? a->messages->len : 0, b->messages ? b->messages->len : 0);
		break;
	case CALL_COL_STATE:
		r = cmp_i64(a->state, b->state);
		if (!r)
			r = cmp_i64(a->final_status, b->final_status);
		break;
	case CALL_COL_DURATION:
		r = cmp_i64(duration_of(cl->m, a), duration_of(cl->m, b));
		break;
	case CALL_COL_FINDINGS:
		r = cmp_i64(call_list_findings_of(cl, ia, NULL), call_list_findings_of(cl, ib, NULL));
		break;
	default:
		break;
	}
	if (!r)
		r = cmp_i64(ia, ib);
	return cl->reverse ? -r : r;
}

static bool is_call(const sip_call *c)
{
	return c->state != CALL_STATE_NOT_A_CALL;
}

static void rebuild(call_list *cl)
{
	g_array_set_size(cl->rows, 0);
	guint n = sip_model_call_count(cl->m);
	cl->built_calls = n;
	for (sip_id id = 0; id < n; id++) {
		const sip_call *c = sip_model_call(cl->m, id);
		if (!c)
			continue;
		if (cl->hide_non_calls && !is_call(c))
			continue;
		if (cl->filter) {
			if (id >= cl->pass_next || id >= cl->state->len)
				continue;
			if (!g_array_index(cl->state, call_mark, id).match)
				continue;
		}
		g_array_append_val(cl->rows, id);
	}
	if (cl->sort != CALL_COL_INDEX || cl->reverse)
		g_array_sort_with_data(cl->rows, compare_calls, cl);
}

void call_list_filter_work(call_list *cl, guint budget)
{
	if (cl->filter) {
		guint n = sip_model_call_count(cl->m);
		guint done = 0;
		/* Calls that changed behind the pass first: they are on screen. */
		guint t = 0;
		for (; t < cl->touched->len && done < budget; t++, done++)
			check_call(cl, g_array_index(cl->touched, sip_id, t));
		if (t)
			g_array_remove_range(cl->touched, 0, t);
		for (; cl->pass_next < n && done < budget; done++)
			check_call(cl, cl->pass_next++);
		if (done)
			cl->stale = true;
	}
}

/* The rows in call id order, unfiltered, all calls shown: the calls the
 * model made since the last build are new rows at the end, and no other
 * row changes place (a call changed shows its new cells as it is). */
static bool rows_append_only(const call_list *cl)
{
	return cl->sort == CALL_COL_INDEX && !cl->reverse && !cl->filter && !cl->hide_non_calls;
}

static void rows_append(call_list *cl)
{
	guint n = sip_model_call_count(cl->m);
	for (sip_id id = cl->built_calls; id < n; id++)
		if (sip_model_call(cl->m, id))
			g_array_append_val(cl->rows, id);
	cl->built_calls = n;
}

bool call_list_update(call_list *cl, guint budget, bool busy)
{
	call_list_filter_work(cl, budget);
	/* Findings come in on their own (the end of the capture judges
	 * timers): the order by them may change. */
	uint64_t gen = cl->found ? findings_generation(cl->found) : 0;
	if (gen != cl->found_gen) {
		cl->found_gen = gen;
		if (cl->sort == CALL_COL_FINDINGS)
			cl->stale = true;
	}
	if (!cl->dirty && !cl->stale)
		return false;
	if (!cl->dirty && rows_append_only(cl)) {
		cl->stale = false;
		guint before = cl->rows->len;
		rows_append(cl);
		return cl->rows->len != before;
	}
	gint64 now = g_get_monotonic_time();
	if (!cl->dirty && busy && now - cl->built_at < STALE_WAIT_FACTOR * cl->build_us)
		return false;
	cl->dirty = false;
	cl->stale = false;
	rebuild(cl);
	cl->built_at = g_get_monotonic_time();
	cl->build_us = cl->built_at - now;
	return true;
}

bool call_list_filtering(const call_list *cl, guint *done, guint *total)
{
	guint n = sip_model_call_count(cl->m);
	if (!cl->filter || cl->pass_next >= n)
		return false;
	*done = cl->pass_next;
	*total = n;
	return true;
}

guint call_list_len(const call_list *cl)
{
	return cl->rows->len;
}

sip_id call_list_at(const call_list *cl, guint row)
{
	return row < cl->rows->len ? g_array_index(cl->rows, sip_id, row) : SIP_ID_NONE;
}

int call_list_find(const call_list *cl, sip_id call)
{
	for (guint i = 0; i < cl->rows->len; i++)
		if (g_array_index(cl->rows, sip_id, i) == call)
			return (int)i;
	return -1;
}

void call_list_mark_toggle(call_list *cl, sip_id call)
{
	if (call == SIP_ID_NONE)
		return;
	call_mark *k = mark_of(cl, call);
	k->marked = !k->marked;
	if (k->marked)
		cl->marked++;
	else
		cl->marked--;
}

bool call_list_marked(const call_list *cl, sip_id call)
{
	return call < cl->state->len && g_array_index(cl->state, call_mark, call).marked;
}

guint call_list_marked_count(const call_list *cl)
{
	return cl->marked;
}

void call_list_mark_clear(call_list *cl)
{
	for (guint i = 0; i < cl->state->len; i++)
		g_array_index(cl->state, call_mark, i).marked = false;
	cl->marked = 0;
}

GArray *call_list_marked_ids(const call_list *cl)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(sip_id));
	for (sip_id i = 0; i < cl->state->len; i++)
		if (g_array_index(cl->state, call_mark, i).marked)
			g_array_append_val(out, i);
	return out;
}

void call_list_cell(const call_list *cl, const sip_call *c, call_col col, bool long_form,
		    GString *out)
{
	char ep[ENDPOINT_STRLEN];
	endpoint buf;
	const endpoint *e;
	switch (col) {
	case CALL_COL_INDEX:
		g_string_append_printf(out, "%u", c->id);
		break;
	case CALL_COL_START:
		if (!c->start_ts)
			g_string_append_c(out, '-');
		else if (long_form)
			text_append_datetime(out, c->start_ts, 3);
		else {
			/* Time of day with milliseconds: cut the clock's microseconds. */
			gsize at = out->len;
			text_append_clock(out, c->start_ts);
			if (out->len - at > 12)
				g_string_truncate(out, at + 12);
		}
		break;
	case CALL_COL_METHOD:
		text_append_sv(out, c->first_method.p ? c->first_method : SV_LIT("?"));
		break;
	case CALL_COL_FROM:
		text_append_sv(out, c->from);
		break;
	case CALL_COL_TO:
		text_append_sv(out, c->to);
		break;
	case CALL_COL_SRC:
	case CALL_COL_DST:
		e = first_endpoint(cl->m, c, col == CALL_COL_DST, &buf);
		g_string_append(out, e ? endpoint_format(e, ep, sizeof(ep)) : "-");
		break;
	case CALL_COL_MSGS:
		g_string_append_printf(out, "%u", c->messages ? c->messages->len : 0);
		break;
	case CALL_COL_STATE:
		list_append_state(out, cl->m, c);
		break;
	case CALL_COL_DURATION:
		if (!c->answer_ts) {
			g_string_append_c(out, '-');
		} else {
			if (!c->end_ts)
				g_string_append_c(out, '>');
			text_append_duration(out, duration_of(cl->m, c));
		}
		break;
	case CALL_COL_FINDINGS: {
		guint n = call_list_findings_of(cl, c->id, NULL);
		if (n)
			g_string_append_printf(out, "%u", n);
		break;
	}
	default:
		break;
	}
}
