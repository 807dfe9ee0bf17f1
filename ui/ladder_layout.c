#include "ladder_layout.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/multipart.h"
#include "dissect/sdp.h"
#include "dissect/sip_header.h"
#include "output/textesc.h"
#include "output/textwidth.h"
#include "ui/sdp_text.h"

/* Scratch for re-parsing messages that carry SDP: both structures are
 * large, so they are allocated once per layout, and only when needed. */
typedef struct sdp_scratch {
	sip_msg *msg;
	sdp_session *sdp;
	mp_body *mp;
} sdp_scratch;

static int cmp_id(const void *a, const void *b)
{
	sip_id x = *(const sip_id *)a, y = *(const sip_id *)b;
	return x < y ? -1 : x > y;
}

static guint ep_hash(gconstpointer p)
{
	return endpoint_hash(p);
}

static gboolean ep_equal(gconstpointer a, gconstpointer b)
{
	return endpoint_eq(a, b);
}

static unsigned column_of(ladder_layout *l, GHashTable *index, const endpoint *e)
{
	endpoint key = *e;
	if (l->opts.group_by_host)
		key.port = 0;
	gpointer v = g_hash_table_lookup(index, &key);
	if (v)
		return GPOINTER_TO_UINT(v) - 1;

	ladder_column c = { .ep = key };
	char buf[ENDPOINT_STRLEN];
	if (l->opts.group_by_host)
		endpoint_format_addr(&key, buf, sizeof(buf));
	else
		endpoint_format(&key, buf, sizeof(buf));
	c.title = g_strdup(buf);
	c.title_width = (unsigned)strlen(buf);
	g_array_append_val(l->columns, c);
	unsigned idx = l->columns->len - 1;
	g_hash_table_insert(index, g_memdup2(&key, sizeof(key)), GUINT_TO_POINTER(idx + 1));
	return idx;
}

/* "audio 198.51.100.20:49170 PCMU,telephone-event": the first audio
 * stream (else the first stream), its direction when not sendrecv, and the
 * names of the other streams. */
static void sdp_summary(GString *out, const sip_message *msg, sdp_scratch *sc)
{
	if (!sc->msg) {
		sc->msg = g_new0(sip_msg, 1);
		sc->sdp = g_new0(sdp_session, 1);
		sc->mp = g_new0(mp_body, 1);
	}
	bool stream = sip_message_stream(msg);
	sip_parse_message(sip_message_raw(msg), stream, sc->msg);
	sv body = sdp_text_body(sc->msg, sc->mp);
	if (!body.p || body.len == 0)
		return;
	sdp_parse(body, sc->sdp);
	const sdp_session *s = sc->sdp;
	unsigned n = MIN(s->n_media, (unsigned)SDP_MAX_MEDIA);
	if (n == 0) {
		g_string_append(out, "no media");
		return;
	}
	unsigned pick = 0;
	for (unsigned i = 0; i < n; i++) {
		if (sv_eq_cstr(s->media[i].media, "audio")) {
			pick = i;
			break;
		}
	}
	sdp_text_append_media(out, s, &s->media[pick]);
	for (unsigned i = 0; i < n; i++) {
		if (i == pick)
			continue;
		g_string_append(out, " +");
		text_append_sv(out, s->media[i].media);
	}
}

static void fill_row(ladder_layout *l, ladder_row *r, const sip_message *msg, sdp_scratch *sc)
{
	unsigned max = l->opts.max_label;
	g_autoptr(GString) t = g_string_new(NULL);

	r->msg = msg->id;
	r->txn = msg->txn;
	r->dialog = msg->dialog;
	r->call = msg->call;
	r->ts_ns = msg->ts_ns;
	r->retransmission = msg->retransmission;
	r->request = msg->kind == SIP_KIND_REQUEST;
	r->status = msg->kind == SIP_KIND_RESPONSE ? msg->status : 0;

	if (msg->kind == SIP_KIND_REQUEST) {
		text_append_sv(t, sip_message_field(msg, SIP_FIELD_METHOD));
	} else if (msg->kind == SIP_KIND_RESPONSE) {
		g_string_append_printf(t, "%u", msg->status);
		sv reason = sv_trim(sip_message_field(msg, SIP_FIELD_REASON));
		if (reason.len) {
			g_string_append_c(t, ' ');
			text_append_sv(t, reason);
		}
	} else {
		g_string_append(t, "(invalid)");
	}
	r->label = g_strdup(t->str);

	if (msg->has_sdp) {
		g_autoptr(GString) s = g_string_new(NULL);
		/* A retransmission repeats the SDP already summed up above it. */
		if (!msg->retransmission)
			sdp_summary(s, msg, sc);
		r->has_sdp = true;
		if (s->len) {
			r->sdp_width = (unsigned)text_fit(s, l->opts.max_sdp);
			r->sdp = g_strdup(s->str);
		}
		text_fit(t, max > 6 ? max - 6 : 1);
		g_string_append(t, " (SDP)");
	}
	r->text_width = (unsigned)text_fit(t, max);
	r->text = g_strdup(t->str);
}

static void place(ladder_layout *l)
{
	unsigned n = l->columns->len;
	if (n == 0)
		return;
	unsigned *gap = g_new0(unsigned, n); /* gap[i]: lifeline i to i+1; gap[n-1]: room after the last */

	for (unsigned i = 0; i < n; i++)
		gap[i] = i + 1 < n ? l->opts.min_gap : 1;
	for (unsigned i = 0; i + 1 < n; i++) {
		unsigned a = ladder_column_at(l, i)->title_width, b = ladder_column_at(l, i + 1)->title_width;
		gap[i] = MAX(gap[i], a - a / 2 + b / 2 + 2);
	}
	for (unsigned i = 0; i < l->rows->len; i++) {
		const ladder_row *r = ladder_row_at(l, i);
		if (r->from == r->to) {
			/* The loop's corner and a space before the next lifeline; after
			 * the last lifeline, the corner is the last cell. */
			unsigned need = r->text_width + (r->from + 1 == n ? 4 : 5);
			gap[r->from] = MAX(gap[r->from], need);
		} else {
			unsigned g = r->from < r->to ? r->from : r->from - 1;
			gap[g] = MAX(gap[g], r->text_width + 4);
		}
	}

	unsigned x = ladder_column_at(l, 0)->title_width / 2;
	unsigned width = 0, rows_width = 0;
	for (unsigned i = 0; i < n; i++) {
		ladder_column *c = &g_array_index(l->columns, ladder_column, i);
		c->x = x;
		c->title_x = x - c->title_width / 2;
		width = MAX(width, c->title_x + c->title_width);
		/* gap[n-1] is 1 unless a self-message loops on the last lifeline. */
		rows_width = MAX(rows_width, x + gap[i]);
		x += gap[i];
	}
	l->rows_width = rows_width;
	l->width = MAX(width, rows_width);

	unsigned y = 0;
	for (unsigned i = 0; i < l->rows->len; i++) {
		ladder_row *r = &g_array_index(l->rows, ladder_row, i);
		unsigned xf = ladder_column_at(l, r->from)->x;
		if (r->from == r->to) {
			r->text_x = xf + 2;
			r->loop_x = xf + r->text_width + 3;
		} else {
			unsigned g = r->from < r->to ? r->from : r->from - 1;
			unsigned xa = ladder_column_at(l, g)->x;
			/* Centred on the shaft: the cells strictly between the two
			 * lifelines but the one for the head (for an arrow that goes
			 * on across the next lifeline, that cell stays shaft). */
			unsigned shaft = gap[g] - 2;
			unsigned first = r->from < r->to ? xa + 1 : xa + 2;
			r->text_x = first + (shaft - r->text_width) / 2;
		}
		r->sdp_x = rows_width + 2;
		r->y = y;
		r->lines = 1 + (r->from == r->to) + (r->sdp != NULL);
		y += r->lines;
	}
	l->height = y;

	l->col_at = g_new0(uint32_t, MAX(l->width, 1u));
	for (unsigned i = 0; i < n; i++)
		l->col_at[ladder_column_at(l, i)->x] = i + 1;
	g_free(gap);
}

ladder_layout *ladder_layout_new(const sip_model *m, const sip_id *msgs, size_t n,
				 const ladder_opts *opts)
{
	ladder_layout *l = g_new0(ladder_layout, 1);
	if (opts)
		l->opts = *opts;
	if (l->opts.max_label == 0)
		l->opts.max_label = LADDER_MAX_LABEL;
	if (l->opts.max_label < 8)
		l->opts.max_label = 8;
	if (l->opts.max_sdp == 0)
		l->opts.max_sdp = LADDER_MAX_SDP;
	if (l->opts.max_sdp < 8)
		l->opts.max_sdp = 8;
	if (l->opts.min_gap == 0)
		l->opts.min_gap = LADDER_MIN_GAP;
	if (l->opts.min_gap < 6)
		l->opts.min_gap = 6;
	l->columns = g_array_new(FALSE, TRUE, sizeof(ladder_column));
	l->rows = g_array_new(FALSE, TRUE, sizeof(ladder_row));

	sip_id *ids = g_new(sip_id, n ? n : 1);
	if (n)
		memcpy(ids, msgs, n * sizeof(*ids));
	qsort(ids, n, sizeof(*ids), cmp_id);

	GHashTable *index = g_hash_table_new_full(ep_hash, ep_equal, g_free, NULL);
	sdp_scratch sc = { 0 };
	int64_t prev_ts = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && ids[i] == ids[i - 1])
			continue;
		const sip_message *msg = sip_model_message(m, ids[i]);
		if (!msg)
			continue;
		ladder_row r = { 0 };
		endpoint src = sip_message_src(msg), dst = sip_message_dst(msg);
		r.from = column_of(l, index, &src);
		r.to = column_of(l, index, &dst);
		fill_row(l, &r, msg, &sc);
		r.delta_ns = l->rows->len ? r.ts_ns - prev_ts : 0;
		prev_ts = r.ts_ns;
		g_array_append_val(l->rows, r);
	}
	g_hash_table_destroy(index);
	g_free(sc.msg);
	g_free(sc.sdp);
	g_free(sc.mp);
	g_free(ids);

	place(l);
	return l;
}

void ladder_layout_free(ladder_layout *l)
{
	if (!l)
		return;
	for (guint i = 0; i < l->columns->len; i++)
		g_free(g_array_index(l->columns, ladder_column, i).title);
	for (guint i = 0; i < l->rows->len; i++) {
		ladder_row *r = &g_array_index(l->rows, ladder_row, i);
		g_free(r->label);
		g_free(r->text);
		g_free(r->sdp);
	}
	g_array_free(l->columns, TRUE);
	g_array_free(l->rows, TRUE);
	g_free(l->col_at);
	g_free(l);
}

GArray *ladder_messages_of_calls(const sip_model *m, const sip_id *calls, size_t n)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(sip_id));
	for (size_t i = 0; i < n; i++) {
		const sip_call *c = sip_model_call(m, calls[i]);
		if (!c || !c->messages)
			continue;
		g_array_append_vals(out, c->messages->data, c->messages->len);
	}
	g_array_sort(out, cmp_id);
	/* Drop duplicates (the same call named twice). */
	guint w = 0;
	for (guint i = 0; i < out->len; i++) {
		sip_id id = g_array_index(out, sip_id, i);
		if (w > 0 && g_array_index(out, sip_id, w - 1) == id)
			continue;
		g_array_index(out, sip_id, w++) = id;
	}
	g_array_set_size(out, w);
	return out;
}

GArray *ladder_messages_all(const sip_model *m)
{
	guint n = sip_model_message_count(m);
	GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(sip_id), n);
	for (guint i = 0; i < n; i++) {
		sip_id id = i;
		g_array_append_val(out, id);
	}
	return out;
}

static ladder_cell lifeline_or_empty(const ladder_layout *l, unsigned x)
{
	return x < l->width && l->col_at[x] ? LADDER_CELL_LIFELINE : LADDER_CELL_EMPTY;
}

ladder_cell ladder_row_cell(const ladder_layout *l, const ladder_row *r, unsigned line, unsigned x)
{
	unsigned xf = ladder_column_at(l, r->from)->x, xt = ladder_column_at(l, r->to)->x;
	if (r->from == r->to) {
		if (line > 1 || x < xf || x > r->loop_x)
			return lifeline_or_empty(l, x);
		if (x == xf)
			return LADDER_CELL_ENDPOINT;
		if (x == r->loop_x)
			return line == 0 ? LADDER_CELL_LOOP_TOP : LADDER_CELL_LOOP_BOTTOM;
		if (line == 1 && x == xf + 1)
			return LADDER_CELL_HEAD_LEFT;
		return LADDER_CELL_SHAFT;
	}
	unsigned a = MIN(xf, xt), b = MAX(xf, xt);
	if (line != 0 || x < a || x > b)
		return lifeline_or_empty(l, x);
	if (x == xf || x == xt)
		return LADDER_CELL_ENDPOINT;
	if (xf < xt && x == xt - 1)
		return LADDER_CELL_HEAD_RIGHT;
	if (xf > xt && x == xt + 1)
		return LADDER_CELL_HEAD_LEFT;
	if (l->col_at[x])
		return LADDER_CELL_CROSSING;
	return LADDER_CELL_SHAFT;
}

int ladder_row_sdp_line(const ladder_row *r)
{
	if (!r->sdp)
		return -1;
	return r->from == r->to ? 2 : 1;
}
