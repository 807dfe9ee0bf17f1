#include "list.h"

#include <string.h>

#include "output/textesc.h"
#include "output/textwidth.h"
#include "output/timefmt.h"

enum { COL_ID, COL_START, COL_METHOD, COL_FROM, COL_TO, COL_STATE, COL_DURATION, COL_MSGS,
       COL_CALLID, N_COLS };
G_STATIC_ASSERT((int)N_COLS == (int)LIST_COLUMNS);

/* A DURATION cell kept aside for a call still up: this byte, then the
 * answer time in decimal (cells are escaped text, which never holds it). */
#define OPEN_DURATION '\x01'

static const struct {
	const char *title;
	unsigned max;   /* 0: never cut */
	bool right;     /* right-aligned */
} cols[N_COLS] = {
	[COL_ID] = { "ID", 0, true },
	[COL_START] = { "START (UTC)", 0, false },
	[COL_METHOD] = { "METHOD", 12, false },
	[COL_FROM] = { "FROM", 40, false },
	[COL_TO] = { "TO", 40, false },
	[COL_STATE] = { "STATE", 20, false },
	[COL_DURATION] = { "DURATION", 0, true },
	[COL_MSGS] = { "MSGS", 0, true },
	[COL_CALLID] = { "CALL-ID", 0, false },
};

/* The last final status of a Call-ID's transactions (REGISTER, OPTIONS, ...). */
static unsigned last_final_status(const sip_model *m, const sip_call *c)
{
	for (guint i = c->txns ? c->txns->len : 0; i > 0; i--) {
		const sip_txn *t = sip_model_txn(m, g_array_index(c->txns, sip_id, i - 1));
		if (t && t->final_status)
			return t->final_status;
	}
	return 0;
}

void list_append_state(GString *o, const sip_model *m, const sip_call *c)
{
	if (c->state == CALL_STATE_NOT_A_CALL) {
		unsigned st = last_final_status(m, c);
		if (st)
			text_append_uint(o, st, 0);
		else
			g_string_append(o, "no response");
		return;
	}
	g_string_append(o, call_state_name(c->state));
	if (c->final_status && (c->state == CALL_STATE_BUSY || c->state == CALL_STATE_NO_ANSWER ||
				c->state == CALL_STATE_FAILED)) {
		g_string_append_c(o, ' ');
		text_append_uint(o, c->final_status, 0);
	}
}

static void open_duration(GString *o, int64_t answer_ts, int64_t end_ts)
{
	g_string_append_c(o, '>');
	text_append_duration(o, (end_ts > answer_ts ? end_ts : answer_ts) - answer_ts);
}

static void cell_duration(GString *o, const sip_call *c, int64_t end_ts)
{
	if (!c->answer_ts) {
		g_string_append_c(o, '-');
		return;
	}
	if (c->end_ts) {
		text_append_duration(o, c->end_ts - c->answer_ts);
		return;
	}
	open_duration(o, c->answer_ts, end_ts);
}

static void fill_cells(GString **cell, const sip_model *m, const sip_call *c, int64_t end_ts)
{
	for (int i = 0; i < N_COLS; i++)
		g_string_truncate(cell[i], 0);
	text_append_uint(cell[COL_ID], c->id, 0);
	if (c->start_ts)
		text_append_datetime(cell[COL_START], c->start_ts, 3);
	else
		g_string_append_c(cell[COL_START], '-');
	text_append_sv(cell[COL_METHOD], c->first_method);
	text_append_sv(cell[COL_FROM], c->from);
	text_append_sv(cell[COL_TO], c->to);
	list_append_state(cell[COL_STATE], m, c);
	cell_duration(cell[COL_DURATION], c, end_ts);
	text_append_uint(cell[COL_MSGS], c->messages ? c->messages->len : 0, 0);
	text_append_sv(cell[COL_CALLID], c->call_id);
	for (int i = 0; i < N_COLS; i++)
		if (cols[i].max)
			text_fit(cell[i], cols[i].max);
}

static void put_row(sink *s, GString **cell, const size_t *width)
{
	GString *o = s->buf;
	size_t start = o->len;
	for (int i = 0; i < N_COLS; i++) {
		if (i)
			g_string_append(o, "  ");
		if (cols[i].right)
			text_append_right(o, cell[i]->str, width[i]);
		else if (i + 1 < N_COLS)
			text_append_padded(o, cell[i]->str, width[i]);
		else
			g_string_append(o, cell[i]->str);
	}
	while (o->len > start && o->str[o->len - 1] == ' ')
		g_string_truncate(o, o->len - 1);
	g_string_append_c(o, '\n');
	sink_end_record(s);
}

void list_write(sink *s, const sip_model *m, int64_t end_ts)
{
	list_write_aside(s, m, end_ts, NULL, NULL);
}

void list_aside_call(spill *sp, list_aside *aside, const sip_model *m, const sip_call *c)
{
	GString **cell = aside->cell;
	if (!cell[0])
		for (int i = 0; i < N_COLS; i++)
			cell[i] = g_string_new(NULL);
	/* end_ts matters only to a call still up, whose cell is made below
	 * and whose width is known only at the end */
	fill_cells(cell, m, c, 0);
	bool open = c->answer_ts && !c->end_ts;
	if (open) {
		g_string_printf(cell[COL_DURATION], "%c%" G_GINT64_FORMAT, OPEN_DURATION, c->answer_ts);
		if (!aside->open_answer_ts || c->answer_ts < aside->open_answer_ts)
			aside->open_answer_ts = c->answer_ts;
	}
	GString *out = spill_sink(sp)->buf;
	spill_begin(sp);
	for (int i = 0; i < N_COLS; i++) {
		if (!(open && i == COL_DURATION))
			aside->width[i] = MAX(aside->width[i], text_width(cell[i]->str, cell[i]->len));
		g_string_append_len(out, cell[i]->str, (gssize)cell[i]->len);
		g_string_append_c(out, '\0');
	}
	spill_end(sp, SPILL_LIST_ROW, c->id);
}

void list_aside_clear(list_aside *aside)
{
	for (int i = 0; i < N_COLS; i++) {
		if (aside->cell[i])
			g_string_free(aside->cell[i], TRUE);
		aside->cell[i] = NULL;
	}
}

/* The cells list_aside_call made, back into cell[]; false when they are
 * not what it makes. */
static bool cells_split(GString *cell[N_COLS], const GString *kept, int64_t end_ts)
{
	const char *p = kept->str, *e = kept->str + kept->len;
	for (int i = 0; i < N_COLS; i++) {
		const char *z = memchr(p, '\0', (size_t)(e - p));
		if (!z)
			return false;
		g_string_truncate(cell[i], 0);
		if (i == COL_DURATION && p < z && *p == OPEN_DURATION) {
			g_autofree char *num = g_strndup(p + 1, (gsize)(z - p - 1));
			open_duration(cell[i], g_ascii_strtoll(num, NULL, 10), end_ts);
		} else {
			g_string_append_len(cell[i], p, z - p);
		}
		p = z + 1;
	}
	return p == e;
}

void list_write_aside(sink *s, const sip_model *m, int64_t end_ts, const list_aside *aside,
	spill *sp)
{
	GString *cell[N_COLS];
	size_t width[N_COLS];
	for (int i = 0; i < N_COLS; i++) {
		cell[i] = g_string_new(NULL);
		width[i] = text_width(cols[i].title, strlen(cols[i].title));
		if (aside)
			width[i] = MAX(width[i], aside->width[i]);
	}
	if (aside && aside->open_answer_ts) {
		/* the longest of the talk times still running is the widest */
		open_duration(cell[COL_DURATION], aside->open_answer_ts, end_ts);
		width[COL_DURATION] = MAX(width[COL_DURATION],
			text_width(cell[COL_DURATION]->str, cell[COL_DURATION]->len));
	}

	/* Two passes (widths, then lines) rather than keeping every cell: the
	 * list of a big capture stays small in memory. */
	guint n = sip_model_call_count(m);
	for (guint id = 0; id < n; id++) {
		const sip_call *c = sip_model_call(m, id);
		if (!c)
			continue;
		fill_cells(cell, m, c, end_ts);
		for (int i = 0; i < N_COLS; i++)
			width[i] = MAX(width[i], text_width(cell[i]->str, cell[i]->len));
	}

	for (int i = 0; i < N_COLS; i++)
		g_string_assign(cell[i], cols[i].title);
	put_row(s, cell, width);
	g_autoptr(GString) kept = g_string_new(NULL);
	for (guint id = 0; id < n && !sink_failed(s); id++) {
		const sip_call *c = sip_model_call(m, id);
		if (c) {
			fill_cells(cell, m, c, end_ts);
		} else {
			g_string_truncate(kept, 0);
			if (!sp || !spill_read(sp, SPILL_LIST_ROW, id, kept) ||
			    !cells_split(cell, kept, end_ts))
				continue;
		}
		put_row(s, cell, width);
	}
	for (int i = 0; i < N_COLS; i++)
		g_string_free(cell[i], TRUE);
}

/* With limits calls leave before the end: their rows go out as they leave,
 * so the widths cannot wait for every call.  Each column gets its widest
 * allowed text (or a fixed width for numbers); a longer number widens its
 * row only. */
static void stream_widths(size_t *width)
{
	static const size_t fixed[N_COLS] = {
		[COL_ID] = 7, [COL_START] = 23, [COL_DURATION] = 9, [COL_MSGS] = 5,
	};
	for (int i = 0; i < N_COLS; i++)
		width[i] = cols[i].max ? cols[i].max : fixed[i];
}

void list_write_header(sink *s)
{
	GString *cell[N_COLS];
	size_t width[N_COLS];
	stream_widths(width);
	for (int i = 0; i < N_COLS; i++)
		cell[i] = g_string_new(cols[i].title);
	put_row(s, cell, width);
	for (int i = 0; i < N_COLS; i++)
		g_string_free(cell[i], TRUE);
}

void list_write_call(sink *s, const sip_model *m, const sip_call *c, int64_t end_ts)
{
	GString *cell[N_COLS];
	size_t width[N_COLS];
	stream_widths(width);
	for (int i = 0; i < N_COLS; i++)
		cell[i] = g_string_new(NULL);
	fill_cells(cell, m, c, end_ts);
	put_row(s, cell, width);
	for (int i = 0; i < N_COLS; i++)
		g_string_free(cell[i], TRUE);
}

void list_write_rest(sink *s, const sip_model *m, int64_t end_ts)
{
	for (guint id = 0, n = sip_model_call_count(m); id < n && !sink_failed(s); id++) {
		const sip_call *c = sip_model_call(m, id);
		if (c)
			list_write_call(s, m, c, end_ts);
	}
}
