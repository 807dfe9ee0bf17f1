#include "ladder_text.h"

#include <string.h>

#include "output/check.h"
#include "output/list.h"
#include "output/textesc.h"
#include "output/timefmt.h"
#include "ui/ladder_findings.h"

/* Width of the time gutter: "22:13:20.000000" and two spaces. */
enum { GUTTER = 17, MAX_CALLS_LISTED = 20 };

static char cell_char(ladder_cell c, bool retrans)
{
	switch (c) {
	case LADDER_CELL_LIFELINE:
	case LADDER_CELL_ENDPOINT: return '|';
	case LADDER_CELL_SHAFT: return retrans ? '=' : '-';
	case LADDER_CELL_CROSSING: return '+';
	case LADDER_CELL_HEAD_RIGHT: return '>';
	case LADDER_CELL_HEAD_LEFT: return '<';
	case LADDER_CELL_LOOP_TOP: return '.';
	case LADDER_CELL_LOOP_BOTTOM: return '\'';
	case LADDER_CELL_EMPTY:
	default: return ' ';
	}
}

static void trim_right(GString *o, size_t floor)
{
	while (o->len > floor && o->str[o->len - 1] == ' ')
		g_string_truncate(o, o->len - 1);
}

static void end_line(sink *s, size_t line_start)
{
	trim_right(s->buf, line_start);
	g_string_append_c(s->buf, '\n');
	sink_end_record(s);
}

static void gutter(GString *o)
{
	g_string_append_printf(o, "%*s", GUTTER, "");
}

/* One line of a row: the cells with the label laid over them, then the
 * gutter (the SDP summary on the SDP line). */
static void row_line(GString *o, const ladder_layout *l, const ladder_row *r, unsigned line,
		     char *cells, const char *lifelines)
{
	unsigned w = l->rows_width;
	/* Lifelines everywhere, then the arrow's own span: a row touches only
	 * the cells between its two ends (or its loop). */
	memcpy(cells, lifelines, w);
	unsigned a = ladder_column_at(l, r->from)->x, b = ladder_column_at(l, r->to)->x;
	if (a > b) {
		unsigned t = a;
		a = b;
		b = t;
	}
	if (r->from == r->to)
		b = MIN(r->loop_x, w - 1);
	for (unsigned x = a; x <= b; x++)
		cells[x] = cell_char(ladder_row_cell(l, r, line, x), r->retransmission);
	if (line == 0 && r->text_x + r->text_width <= w) {
		g_string_append_len(o, cells, r->text_x);
		g_string_append(o, r->text);
		g_string_append_len(o, cells + r->text_x + r->text_width, w - r->text_x - r->text_width);
	} else {
		g_string_append_len(o, cells, w);
	}
	if ((int)line == ladder_row_sdp_line(r)) {
		g_string_append_printf(o, "%*s", (int)(r->sdp_x - w), "");
		g_string_append(o, r->sdp);
	}
}

static void write_diagram(sink *s, const ladder_layout *l, const ladder_findings *mk)
{
	GString *o = s->buf;
	size_t start;
	if (l->columns->len == 0) {
		g_string_append(o, "(no messages)\n");
		sink_end_record(s);
		return;
	}

	/* Titles, centred on their lifelines. */
	start = o->len;
	gutter(o);
	unsigned at = 0;
	for (guint i = 0; i < l->columns->len; i++) {
		const ladder_column *c = ladder_column_at(l, i);
		for (; at < c->title_x; at++)
			g_string_append_c(o, ' ');
		g_string_append(o, c->title);
		at += c->title_width;
	}
	end_line(s, start);

	char *cells = g_malloc(l->rows_width + 1);
	char *lifelines = g_malloc(l->rows_width + 1);
	for (unsigned x = 0; x < l->rows_width; x++)
		lifelines[x] = l->col_at[x] ? '|' : ' ';
	start = o->len;
	gutter(o);
	g_string_append_len(o, lifelines, l->rows_width);
	end_line(s, start);

	for (guint i = 0; i < l->rows->len; i++) {
		const ladder_row *r = ladder_row_at(l, i);
		for (unsigned line = 0; line < r->lines; line++) {
			start = o->len;
			if (line == 0) {
				text_append_clock(o, r->ts_ns);
				g_string_append(o, "  ");
			} else {
				gutter(o);
			}
			row_line(o, l, r, line, cells, lifelines);
			if (line == 0) {
				g_string_append(o, "  ");
				text_append_delta(o, r->delta_ns);
				if (r->retransmission)
					g_string_append(o, "  (retransmission)");
				ladder_findings_append_marks(o, mk, r->msg);
			}
			end_line(s, start);
		}
	}
	g_free(cells);
	g_free(lifelines);
}

void ladder_text_write_diagram(sink *s, const ladder_layout *l)
{
	write_diagram(s, l, NULL);
}

static void write_heading(sink *s, const sip_model *m, const ladder_layout *l)
{
	GString *o = s->buf;
	g_autoptr(GArray) calls = g_array_new(FALSE, FALSE, sizeof(sip_id));
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 0; i < l->rows->len; i++) {
		sip_id c = ladder_row_at(l, i)->call;
		if (c == SIP_ID_NONE || g_hash_table_contains(seen, GUINT_TO_POINTER(c + 1)))
			continue;
		g_hash_table_add(seen, GUINT_TO_POINTER(c + 1));
		g_array_append_val(calls, c);
	}
	for (guint i = 0; i < calls->len && i < MAX_CALLS_LISTED; i++) {
		const sip_call *c = sip_model_call(m, g_array_index(calls, sip_id, i));
		if (!c)
			continue;
		g_string_append_printf(o, "Call %u: ", c->id);
		text_append_sv(o, c->call_id);
		g_string_append(o, " (");
		text_append_sv(o, c->first_method.p ? c->first_method : SV_LIT("?"));
		g_string_append(o, ", ");
		list_append_state(o, m, c);
		g_string_append(o, ")\n");
		sink_end_record(s);
	}
	if (calls->len > MAX_CALLS_LISTED) {
		g_string_append_printf(o, "... and %u more calls\n", calls->len - MAX_CALLS_LISTED);
		sink_end_record(s);
	}
	guint n = l->rows->len;
	g_string_append_printf(o, "%u message%s", n, n == 1 ? "" : "s");
	if (n) {
		g_string_append(o, ", ");
		text_append_datetime(o, ladder_row_at(l, 0)->ts_ns, 6);
		g_string_append(o, " to ");
		text_append_datetime(o, ladder_row_at(l, n - 1)->ts_ns, 6);
		g_string_append(o, " UTC");
	}
	g_string_append(o, "\n\n");
	sink_end_record(s);
}

void ladder_text_write(sink *s, const sip_model *m, const ladder_layout *l)
{
	write_heading(s, m, l);
	ladder_text_write_diagram(s, l);
}

void ladder_text_write_findings(sink *s, const sip_model *m, const ladder_layout *l,
				const findings *f)
{
	if (!f) {
		ladder_text_write(s, m, l);
		return;
	}
	g_autoptr(ladder_findings) mk = ladder_findings_new(l, f);
	write_heading(s, m, l);
	write_diagram(s, l, mk);
	if (mk->shown->len) {
		GString *o = s->buf;
		g_string_append(o, "\nFindings:\n");
		sink_end_record(s);
		for (guint i = 0; i < mk->shown->len; i++) {
			const finding *x = ladder_findings_at(mk, i + 1);
			if (!x)
				continue;   /* forgotten with its evicted call */
			g_string_append_printf(o, " !%-3u ", i + 1);
			check_append_finding(o, x);
			g_string_append_c(o, '\n');
			sink_end_record(s);
		}
	}
}
