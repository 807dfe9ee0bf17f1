#include "stats.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output/textesc.h"
#include "output/textwidth.h"
#include "output/timefmt.h"

/* ---- a small aligned table --------------------------------------------- */

/* Rows of cells; the first column left-aligned, the others right-aligned,
 * two spaces apart.  The first row is the heading. */
typedef struct table {
	GPtrArray *cells;  /* char*, ncols per row */
	unsigned ncols;
} table;

static void table_init(table *t, unsigned ncols)
{
	t->cells = g_ptr_array_new_with_free_func(g_free);
	t->ncols = ncols;
}

/* Takes ncols strings (NULL: empty cell). */
static void table_row(table *t, ...)
{
	va_list ap;
	va_start(ap, t);
	for (unsigned i = 0; i < t->ncols; i++) {
		const char *c = va_arg(ap, const char *);
		g_ptr_array_add(t->cells, g_strdup(c ? c : ""));
	}
	va_end(ap);
}

static void table_write(sink *s, table *t)
{
	unsigned rows = t->cells->len / t->ncols;
	size_t *w = g_new0(size_t, t->ncols);
	for (unsigned r = 0; r < rows; r++)
		for (unsigned c = 0; c < t->ncols; c++) {
			const char *x = g_ptr_array_index(t->cells, r * t->ncols + c);
			w[c] = MAX(w[c], text_width(x, strlen(x)));
		}
	GString *o = s->buf;
	for (unsigned r = 0; r < rows; r++) {
		size_t start = o->len;
		for (unsigned c = 0; c < t->ncols; c++) {
			const char *x = g_ptr_array_index(t->cells, r * t->ncols + c);
			if (c == 0) {
				text_append_padded(o, x, w[c]);
			} else {
				g_string_append(o, "  ");
				text_append_right(o, x, w[c]);
			}
		}
		while (o->len > start && o->str[o->len - 1] == ' ')
			g_string_truncate(o, o->len - 1);
		g_string_append_c(o, '\n');
		sink_end_record(s);
	}
	g_free(w);
	g_ptr_array_free(t->cells, TRUE);
	t->cells = NULL;
}

static void blank_line(sink *s)
{
	g_string_append_c(s->buf, '\n');
	sink_end_record(s);
}

/* Numbers as cells: a few static rotating buffers are not worth the risk;
 * each call returns a fresh string the table copies, freed by the caller. */
#define NUM(v) g_strdup_printf("%" G_GUINT64_FORMAT, (guint64)(v))

static void kv(table *t, const char *label, uint64_t v)
{
	g_autofree char *n = NUM(v);
	table_row(t, label, n);
}

/* ---- reason phrases ----------------------------------------------------- */

const char *stats_reason_phrase(unsigned status)
{
	switch (status) {
	case 100: return "Trying";
	case 180: return "Ringing";
	case 181: return "Call Is Being Forwarded";
	case 182: return "Queued";
	case 183: return "Session Progress";
	case 199: return "Early Dialog Terminated";
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Notification";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Moved Temporarily";
	case 305: return "Use Proxy";
	case 380: return "Alternative Service";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 410: return "Gone";
	case 412: return "Conditional Request Failed";
	case 413: return "Request Entity Too Large";
	case 414: return "Request-URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Unsupported URI Scheme";
	case 417: return "Unknown Resource-Priority";
	case 420: return "Bad Extension";
	case 421: return "Extension Required";
	case 422: return "Session Interval Too Small";
	case 423: return "Interval Too Brief";
	case 424: return "Bad Location Information";
	case 428: return "Use Identity Header";
	case 429: return "Provide Referrer Identity";
	case 430: return "Flow Failed";
	case 433: return "Anonymity Disallowed";
	case 436: return "Bad Identity-Info";
	case 437: return "Unsupported Certificate";
	case 438: return "Invalid Identity Header";
	case 439: return "First Hop Lacks Outbound Support";
	case 440: return "Max-Breadth Exceeded";
	case 469: return "Bad Info Package";
	case 470: return "Consent Needed";
	case 480: return "Temporarily Unavailable";
	case 481: return "Call/Transaction Does Not Exist";
	case 482: return "Loop Detected";
	case 483: return "Too Many Hops";
	case 484: return "Address Incomplete";
	case 485: return "Ambiguous";
	case 486: return "Busy Here";
	case 487: return "Request Terminated";
	case 488: return "Not Acceptable Here";
	case 489: return "Bad Event";
	case 491: return "Request Pending";
	case 493: return "Undecipherable";
	case 494: return "Security Agreement Required";
	case 500: return "Server Internal Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Server Time-out";
	case 505: return "Version Not Supported";
	case 513: return "Message Too Large";
	case 555: return "Push Notification Service Not Supported";
	case 580: return "Precondition Failure";
	case 600: return "Busy Everywhere";
	case 603: return "Decline";
	case 604: return "Does Not Exist Anywhere";
	case 606: return "Not Acceptable";
	case 607: return "Unwanted";
	case 608: return "Rejected";
	default: return NULL;
	}
}

int64_t stats_percentile(const int64_t *sorted, size_t n, unsigned p)
{
	if (n == 0)
		return 0;
	if (p > 100)
		p = 100;
	/* Nearest rank: the smallest value with at least p% of the values at or
	 * below it, rank = ceil(p/100 * n). */
	size_t rank = ((size_t)p * n + 99) / 100;
	if (rank == 0)
		rank = 1;
	return sorted[rank - 1];
}

/* ---- gathering ---------------------------------------------------------- */

/* Durations of one kind: every value, or with a cap (limits) a uniform
 * sample of that many (reservoir sampling, a fixed seed so runs repeat),
 * the count and the largest value kept exactly. */
typedef struct time_set {
	GArray *v;             /* int64_t ns */
	uint64_t n;
	int64_t max;
	uint32_t cap;          /* 0: keep every value */
	uint64_t rng;
} time_set;

static void time_set_init(time_set *t, uint32_t cap)
{
	t->v = g_array_new(FALSE, FALSE, sizeof(int64_t));
	t->n = 0;
	t->max = INT64_MIN;
	t->cap = cap;
	t->rng = 0x9e3779b97f4a7c15ull;
}

static void time_set_add(time_set *t, int64_t d)
{
	t->n++;
	if (d > t->max)
		t->max = d;
	if (!t->cap || t->v->len < t->cap) {
		g_array_append_val(t->v, d);
		return;
	}
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	uint64_t j = t->rng % t->n;
	if (j < t->cap)
		g_array_index(t->v, int64_t, j) = d;
}

typedef struct method_stat {
	sv name;               /* a copy: with limits, what it was read from may be evicted */
	guint order;           /* first appearance */
	sip_id first;          /* the first message naming it (SIP_ID_NONE: none yet); rows
	                          of equal traffic go in this order, whatever order
	                          calls were gathered in (limits gather evicted ones first) */
	uint64_t requests, req_retrans, responses, resp_retrans;
	uint64_t txns, txns_final, txns_no_final, txns_timed_out, txns_capture_ended;
	time_set t_prov, t_final;
} method_stat;

typedef struct gather {
	GHashTable *by_name;   /* sv* (method_stat.name) -> method_stat* */
	GPtrArray *methods;    /* method_stat*, in order of first appearance */
	method_stat *by_code[SIP_METHOD__COUNT]; /* known methods, found without hashing */
	uint64_t messages, requests, responses, invalid, req_retrans, resp_retrans;
	uint64_t status[700], status_retrans[700];
	uint64_t status_other; /* outside 100..699 (should not happen) */
	uint64_t txns;
	uint32_t sample_cap;    /* time_set cap */
	/* calls */
	uint64_t calls, others, by_state[CALL_STATE__COUNT], failed_by_status[700];
	GHashTable *other_idx;  /* sv* (a name in other_names) -> index + 1 */
	GPtrArray *other_names; /* sv* (copies) */
	GArray *other_counts;   /* uint64_t */
	GArray *other_first;    /* sip_id: the first call with the name (listed in that order) */
	GHashTable *other_seen; /* sv* (copies): the Call-IDs counted among the others */
	/* registrations */
	uint64_t aors, registered, unregistered, never;
	uint64_t bindings, by_bstate[4];
	uint64_t registers, challenges, failures;
} gather;

static guint sv_ptr_hash(gconstpointer p)
{
	return sv_hash(*(const sv *)p);
}

static gboolean sv_ptr_equal(gconstpointer a, gconstpointer b)
{
	return sv_eq(*(const sv *)a, *(const sv *)b);
}

static void method_stat_free(gpointer p)
{
	method_stat *s = p;
	g_array_free(s->t_prov.v, TRUE);
	g_array_free(s->t_final.v, TRUE);
	g_free((void *)s->name.p);
	g_free(s);
}

/* A copy owned here (never NULL, so an empty name is not an absent one). */
static sv sv_dup(sv v)
{
	return sv_make(v.len ? g_memdup2(v.p, v.len) : (const uint8_t *)g_strdup(""), v.len);
}

static sv *sv_dup_new(sv v)
{
	sv *c = g_new(sv, 1);
	*c = sv_dup(v);
	return c;
}

static void sv_dup_free(gpointer p)
{
	sv *c = p;
	g_free((void *)c->p);
	g_free(c);
}

static method_stat *method_get(gather *g, sv name)
{
	/* Absent and empty names share one row. */
	if (!name.p)
		name = SV_LIT("");
	method_stat *s = g_hash_table_lookup(g->by_name, &name);
	if (s)
		return s;
	s = g_new0(method_stat, 1);
	s->name = sv_dup(name);
	s->order = g->methods->len;
	s->first = SIP_ID_NONE;
	time_set_init(&s->t_prov, g->sample_cap);
	time_set_init(&s->t_final, g->sample_cap);
	g_hash_table_insert(g->by_name, &s->name, s);
	g_ptr_array_add(g->methods, s);
	return s;
}

/* The row of a method known by code: one hash lookup per method, not
 * per message. */
static method_stat *method_get_code(gather *g, unsigned code)
{
	if (!g->by_code[code])
		g->by_code[code] = method_get(g, sv_from_cstr(sip_method_name(code)));
	return g->by_code[code];
}

/* The row a message counts under (a response: its CSeq method), by code
 * when it is a known one, so that gathering does not read every message's
 * bytes again. */
static method_stat *message_method_row(gather *g, const sip_message *msg)
{
	if (msg->kind == SIP_KIND_REQUEST)
		return msg->method_code ? method_get_code(g, msg->method_code) :
			method_get(g, sip_message_field(msg, SIP_FIELD_METHOD));
	if (!msg->has_cseq)
		return method_get(g, SV_NULL);
	return msg->cseq_method_code ? method_get_code(g, msg->cseq_method_code) :
		method_get(g, sip_message_field(msg, SIP_FIELD_CSEQ_METHOD));
}

static method_stat *message_method(gather *g, const sip_message *msg)
{
	method_stat *s = message_method_row(g, msg);
	if (s->first == SIP_ID_NONE || msg->id < s->first)
		s->first = msg->id;
	return s;
}

static void gather_message(gather *g, const sip_message *msg)
{
	{
		g->messages++;
		if (msg->kind == SIP_KIND_REQUEST) {
			method_stat *s = message_method(g, msg);
			g->requests++;
			s->requests++;
			if (msg->retransmission) {
				g->req_retrans++;
				s->req_retrans++;
			}
		} else if (msg->kind == SIP_KIND_RESPONSE) {
			method_stat *s = message_method(g, msg);
			g->responses++;
			s->responses++;
			if (msg->retransmission) {
				g->resp_retrans++;
				s->resp_retrans++;
			}
			if (msg->status >= 100 && msg->status <= 699) {
				g->status[msg->status]++;
				if (msg->retransmission)
					g->status_retrans[msg->status]++;
			} else {
				g->status_other++;
			}
		} else {
			g->invalid++;
		}
	}
}

static void gather_txn(gather *g, const sip_model *m, const sip_txn *t)
{
	{
		g->txns++;
		/* a known method by code (the record's, which is
		 * sip_method_lookup of its method): no hash lookup per
		 * transaction */
		unsigned code = t->method_code;
		method_stat *s = code ? method_get_code(g, code) : method_get(g, sip_txn_method(t));
		s->txns++;
		const sip_message *req = sip_model_message(m, t->request);
		if (req) {
			int64_t prov_ts = sip_txn_first_provisional_ts(m, t), final_ts = sip_txn_final_ts(m, t);
			if (prov_ts)
				time_set_add(&s->t_prov, prov_ts - req->ts_ns);
			if (final_ts)
				time_set_add(&s->t_final, final_ts - req->ts_ns);
		}
		/* An ACK is answered by nothing (§17.1.1.3): not "without final". */
		if (t->final != SIP_ID_NONE || t->final_status) {
			s->txns_final++;
		} else if (code != SIP_METHOD_ACK) {
			s->txns_no_final++;
			if (t->end == TXN_END_NO_FINAL)
				s->txns_timed_out++;
			else if (t->end == TXN_END_CAPTURE_ENDED)
				s->txns_capture_ended++;
		}
	}
}

static void gather_call(gather *g, const sip_call *c)
{
	if (c->state == CALL_STATE_NOT_A_CALL) {
		/* A Call-ID counts once: an evicted or forgotten call's Call-ID
		 * used again (a REGISTER refresh reuses its Call-ID) is another
		 * call of the model but the same Call-ID. */
		if (g_hash_table_contains(g->other_seen, &c->call_id))
			return;
		g_hash_table_add(g->other_seen, sv_dup_new(c->call_id));
		g->others++;
		gpointer v = g_hash_table_lookup(g->other_idx, &c->first_method);
		guint k;
		if (!v) {
			k = g->other_names->len;
			sv *name = sv_dup_new(c->first_method);
			g_ptr_array_add(g->other_names, name);
			g_hash_table_insert(g->other_idx, name, GUINT_TO_POINTER(k + 1));
			g_array_set_size(g->other_counts, k + 1);
			g_array_append_val(g->other_first, c->id);
		} else {
			k = GPOINTER_TO_UINT(v) - 1;
		}
		g_array_index(g->other_counts, uint64_t, k)++;
		sip_id *first = &g_array_index(g->other_first, sip_id, k);
		if (c->id < *first)
			*first = c->id;
		return;
	}
	g->calls++;
	if ((unsigned)c->state < CALL_STATE__COUNT)
		g->by_state[c->state]++;
	if (c->state == CALL_STATE_FAILED && c->final_status < 700)
		g->failed_by_status[c->final_status]++;
}

static void gather_registration(gather *g, const sip_registration *r);

struct stats_gather {
	gather g;
};

stats_gather *stats_gather_new(uint32_t sample_cap)
{
	stats_gather *sg = g_new0(stats_gather, 1);
	gather *g = &sg->g;
	g->sample_cap = sample_cap;
	g->by_name = g_hash_table_new(sv_ptr_hash, sv_ptr_equal);
	g->methods = g_ptr_array_new_with_free_func(method_stat_free);
	g->other_idx = g_hash_table_new(sv_ptr_hash, sv_ptr_equal);
	g->other_names = g_ptr_array_new_with_free_func(sv_dup_free);
	g->other_counts = g_array_new(FALSE, TRUE, sizeof(uint64_t));
	g->other_first = g_array_new(FALSE, FALSE, sizeof(sip_id));
	g->other_seen = g_hash_table_new_full(sv_ptr_hash, sv_ptr_equal, sv_dup_free, NULL);
	return sg;
}

void stats_gather_free(stats_gather *sg)
{
	if (!sg)
		return;
	g_hash_table_destroy(sg->g.by_name);
	g_ptr_array_free(sg->g.methods, TRUE);
	g_hash_table_destroy(sg->g.other_idx);
	g_ptr_array_free(sg->g.other_names, TRUE);
	g_array_free(sg->g.other_counts, TRUE);
	g_array_free(sg->g.other_first, TRUE);
	g_hash_table_destroy(sg->g.other_seen);
	g_free(sg);
}

void stats_gather_evicted(stats_gather *sg, const sip_model *m, sip_id call)
{
	const sip_ids *msgs, *txns, *dialogs;
	sip_model_evicting(m, &msgs, &txns, &dialogs);
	for (guint i = 0; msgs && i < msgs->len; i++) {
		const sip_message *msg = sip_model_message(m, msgs->data[i]);
		if (msg)
			gather_message(&sg->g, msg);
	}
	for (guint i = 0; txns && i < txns->len; i++) {
		const sip_txn *t = sip_model_txn(m, txns->data[i]);
		if (t)
			gather_txn(&sg->g, m, t);
	}
	const sip_call *c = sip_model_call(m, call);
	if (c)
		gather_call(&sg->g, c);
}

static void gather_held(gather *g, const sip_model *m)
{
	for (guint i = 0, n = sip_model_message_count(m); i < n; i++) {
		const sip_message *msg = sip_model_message(m, i);
		if (msg)
			gather_message(g, msg);
	}
	for (guint i = 0, n = sip_model_txn_count(m); i < n; i++) {
		const sip_txn *t = sip_model_txn(m, i);
		if (t)
			gather_txn(g, m, t);
	}
	for (guint i = 0, n = sip_model_call_count(m); i < n; i++) {
		const sip_call *c = sip_model_call(m, i);
		if (c)
			gather_call(g, c);
	}
	for (guint i = 0, n = sip_model_registration_count(m); i < n; i++) {
		const sip_registration *r = sip_model_registration(m, i);
		if (r)
			gather_registration(g, r);
	}
}

void stats_gather_registration(stats_gather *sg, const sip_registration *r)
{
	gather_registration(&sg->g, r);
}

static gint by_traffic(gconstpointer a, gconstpointer b)
{
	const method_stat *x = *(method_stat *const *)a, *y = *(method_stat *const *)b;
	uint64_t nx = x->requests + x->responses, ny = y->requests + y->responses;
	if (nx != ny)
		return nx > ny ? -1 : 1;
	if (x->first != y->first)   /* SIP_ID_NONE, the largest, last */
		return x->first < y->first ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static char *method_name(const method_stat *s)
{
	GString *n = g_string_new(NULL);
	if (s->name.len == 0)
		g_string_append(n, "(none)");
	else
		text_append_sv(n, s->name);
	text_fit(n, 24);
	return g_string_free(n, FALSE);
}

/* ---- sections ----------------------------------------------------------- */

static void section_messages(sink *s, const gather *g)
{
	table t;
	table_init(&t, 2);
	kv(&t, "SIP messages", g->messages);
	kv(&t, "  requests", g->requests);
	kv(&t, "  responses", g->responses);
	kv(&t, "  invalid", g->invalid);
	kv(&t, "  retransmissions", g->req_retrans + g->resp_retrans);
	kv(&t, "    of requests", g->req_retrans);
	kv(&t, "    of responses", g->resp_retrans);
	table_write(s, &t);
}

static void section_methods(sink *s, const gather *g)
{
	table t;
	table_init(&t, 5);
	table_row(&t, "Method", "Requests", "Retrans", "Responses", "Retrans");
	for (guint i = 0; i < g->methods->len; i++) {
		const method_stat *ms = g_ptr_array_index(g->methods, i);
		if (!ms->requests && !ms->responses)
			continue;
		g_autofree char *name = method_name(ms);
		g_autofree char *a = NUM(ms->requests), *b = NUM(ms->req_retrans),
				*c = NUM(ms->responses), *d = NUM(ms->resp_retrans);
		table_row(&t, name, a, b, c, d);
	}
	table_write(s, &t);
}

static void section_status(sink *s, const gather *g)
{
	table t;
	table_init(&t, 3);
	table_row(&t, "Status", "Responses", "Retrans");
	for (unsigned st = 100; st <= 699; st++) {
		if (!g->status[st])
			continue;
		const char *r = stats_reason_phrase(st);
		g_autofree char *label = r ? g_strdup_printf("%u %s", st, r) : g_strdup_printf("%u", st);
		g_autofree char *a = NUM(g->status[st]), *b = NUM(g->status_retrans[st]);
		table_row(&t, label, a, b);
	}
	if (g->status_other) {
		g_autofree char *a = NUM(g->status_other);
		table_row(&t, "other", a, "");
	}
	table_write(s, &t);
}

/* LSD radix sort, a byte per pass, passes where every value has the same
 * byte skipped: the time columns hold one value per transaction, and a
 * comparison sort of a million of them cost more than building them.
 * The sign bit is flipped so negative durations (clock steps in a
 * capture) sort first. */
static void sort_i64(int64_t *d, size_t n)
{
	if (n < 2)
		return;
	uint64_t *a = (uint64_t *)d, *b = g_new(uint64_t, n);
	const uint64_t sign = UINT64_C(1) << 63;
	for (size_t i = 0; i < n; i++)
		a[i] ^= sign;
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[256] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[(a[i] >> shift) & 0xff]++;
		if (count[(a[0] >> shift) & 0xff] == n)
			continue;
		size_t pos = 0;
		for (unsigned k = 0; k < 256; k++) {
			size_t c = count[k];
			count[k] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[(a[i] >> shift) & 0xff]++] = a[i];
		uint64_t *t = a;
		a = b;
		b = t;
	}
	if (a != (uint64_t *)d) {
		memcpy(d, a, n * sizeof(*d));
		b = a;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = (int64_t)((uint64_t)d[i] ^ sign);
	g_free(b);
}

static void time_row(table *t, const char *label, const time_set *ts)
{
	GArray *v = ts->v;
	if (v->len == 0)
		return;
	int64_t *d = (int64_t *)v->data;
	sort_i64(d, v->len);
	g_autofree char *n = NUM(ts->n);
	GString *p[4];
	static const unsigned pct[3] = { 50, 90, 99 };
	for (int i = 0; i < 3; i++) {
		p[i] = g_string_new(NULL);
		text_append_ms(p[i], stats_percentile(d, v->len, pct[i]));
	}
	p[3] = g_string_new(NULL);
	text_append_ms(p[3], ts->max);
	table_row(t, label, n, p[0]->str, p[1]->str, p[2]->str, p[3]->str);
	for (int i = 0; i < 4; i++)
		g_string_free(p[i], TRUE);
}

static void section_times(sink *s, const gather *g)
{
	table t;
	table_init(&t, 6);
	table_row(&t, "Response time (ms)", "Count", "p50", "p90", "p99", "max");
	bool sampled = false;
	for (guint i = 0; i < g->methods->len; i++) {
		const method_stat *ms = g_ptr_array_index(g->methods, i);
		g_autofree char *name = method_name(ms);
		g_autofree char *l1 = g_strdup_printf("%s to first 1xx", name);
		g_autofree char *l2 = g_strdup_printf("%s to final", name);
		time_row(&t, l1, &ms->t_prov);
		time_row(&t, l2, &ms->t_final);
		sampled |= ms->t_prov.n > ms->t_prov.v->len || ms->t_final.n > ms->t_final.v->len;
	}
	if (t.cells->len == t.ncols)
		table_row(&t, "(no responses)", "", "", "", "", "");
	table_write(s, &t);
	if (sampled) {
		g_string_append_printf(s->buf, "(percentiles from a uniform sample of %u values per row "
				       "where there were more: limits keep memory bounded)\n",
				       g->sample_cap);
		sink_end_record(s);
	}
}

static void section_txns(sink *s, const sip_model *m, const gather *g)
{
	uint64_t with_final = 0, no_final = 0, timed_out = 0, cap_ended = 0, acks = 0;
	for (guint i = 0; i < g->methods->len; i++) {
		const method_stat *ms = g_ptr_array_index(g->methods, i);
		with_final += ms->txns_final;
		no_final += ms->txns_no_final;
		timed_out += ms->txns_timed_out;
		cap_ended += ms->txns_capture_ended;
		if (sv_eq_cstr(ms->name, "ACK"))
			acks += ms->txns - ms->txns_final;
	}
	uint64_t total = g->txns;
	(void)m;
	table t;
	table_init(&t, 2);
	kv(&t, "Transactions", total);
	kv(&t, "  with a final response", with_final);
	kv(&t, "  ACK (no response expected)", acks);
	kv(&t, "  without a final response", no_final);
	kv(&t, "    none within 64*T1", timed_out);
	kv(&t, "    capture ended first", cap_ended);
	for (guint i = 0; i < g->methods->len; i++) {
		const method_stat *ms = g_ptr_array_index(g->methods, i);
		if (!ms->txns_no_final)
			continue;
		g_autofree char *name = method_name(ms);
		g_autofree char *label = g_strdup_printf("    %s", name);
		kv(&t, label, ms->txns_no_final);
	}
	table_write(s, &t);
}

static const call_state call_outcomes[] = {
	CALL_STATE_ANSWERED, CALL_STATE_ACTIVE, CALL_STATE_SETUP, CALL_STATE_BUSY,
	CALL_STATE_CANCELLED, CALL_STATE_NO_ANSWER, CALL_STATE_FAILED,
};

static gint by_first_call(gconstpointer a, gconstpointer b, gpointer first_ids)
{
	const sip_id *first = first_ids;
	sip_id x = first[*(const guint *)a], y = first[*(const guint *)b];
	return x < y ? -1 : x > y;
}

static void section_calls(sink *s, const gather *g)
{
	const uint64_t *by_state = g->by_state, *failed_by_status = g->failed_by_status;
	uint64_t calls = g->calls, others = g->others;
	const GPtrArray *other_names = g->other_names;
	const GArray *other_counts = g->other_counts;

	table t;
	table_init(&t, 2);
	kv(&t, "Calls (with INVITE)", calls);
	for (size_t i = 0; i < G_N_ELEMENTS(call_outcomes); i++) {
		g_autofree char *label = g_strdup_printf("  %s", call_state_name(call_outcomes[i]));
		kv(&t, label, by_state[call_outcomes[i]]);
		if (call_outcomes[i] != CALL_STATE_FAILED)
			continue;
		for (unsigned st = 0; st < 700; st++) {
			if (!failed_by_status[st])
				continue;
			const char *r = stats_reason_phrase(st);
			g_autofree char *fl = st == 0 ? g_strdup("    no final status")
					      : r ? g_strdup_printf("    %u %s", st, r)
						  : g_strdup_printf("    %u", st);
			kv(&t, fl, failed_by_status[st]);
		}
	}
	kv(&t, "Other Call-IDs (no INVITE)", others);
	/* in the order of their first calls: indexes sorted by it */
	g_autofree guint *by_first = g_new(guint, other_names->len + 1);
	for (guint i = 0; i < other_names->len; i++)
		by_first[i] = i;
	g_qsort_with_data(by_first, (gint)other_names->len, sizeof(guint), by_first_call,
		g->other_first->data);
	for (guint j = 0; j < other_names->len; j++) {
		guint i = by_first[j];
		const sv *name = g_ptr_array_index(other_names, i);
		GString *l = g_string_new("  ");
		if (name->len)
			text_append_sv(l, *name);
		else
			g_string_append(l, "(none)");
		text_fit(l, 26);
		kv(&t, l->str, g_array_index(other_counts, uint64_t, i));
		g_string_free(l, TRUE);
	}
	table_write(s, &t);
}

static void gather_registration(gather *g, const sip_registration *r)
{
	g->aors++;
	g->registers += r->registers;
	g->challenges += r->challenges;
	g->failures += r->failures;
	bool live = false;
	guint nb = r->bindings ? r->bindings->len : 0;
	for (guint j = 0; j < nb; j++) {
		const sip_binding *b = &g_array_index(r->bindings, sip_binding, j);
		g->bindings++;
		if ((unsigned)b->state < 4)
			g->by_bstate[b->state]++;
		if (b->state == BINDING_ACTIVE || b->state == BINDING_REFRESHED)
			live = true;
	}
	if (live)
		g->registered++;
	else if (nb)
		g->unregistered++;
	else
		g->never++;
}

static void section_registrations(sink *s, const gather *g)
{
	uint64_t aors = g->aors, registered = g->registered, unregistered = g->unregistered,
		 never = g->never, bindings = g->bindings, registers = g->registers,
		 challenges = g->challenges, failures = g->failures;
	const uint64_t *by_state = g->by_bstate;
	table t;
	table_init(&t, 2);
	kv(&t, "Registrations (address-of-records)", aors);
	kv(&t, "  registered at the end", registered);
	kv(&t, "  all bindings removed or expired", unregistered);
	kv(&t, "  never registered", never);
	kv(&t, "Bindings", bindings);
	static const binding_state bs[] = { BINDING_ACTIVE, BINDING_REFRESHED, BINDING_REMOVED,
					    BINDING_EXPIRED };
	for (size_t i = 0; i < G_N_ELEMENTS(bs); i++) {
		g_autofree char *label = g_strdup_printf("  %s", binding_state_name(bs[i]));
		kv(&t, label, by_state[bs[i]]);
	}
	kv(&t, "REGISTER transactions", registers);
	kv(&t, "  challenged (401/407)", challenges);
	kv(&t, "  failed", failures);
	table_write(s, &t);
}

static void section_evictions(sink *s, const sip_model *m)
{
	const sip_evictions *e = sip_model_evictions(m);
	const sip_limits *l = sip_model_limits(m);
	table t;
	table_init(&t, 2);
	kv(&t, "Evicted (limits: state held at once)", e->calls + e->groups + e->registrations);
	kv(&t, "  calls", e->calls);
	kv(&t, "  groups of messages without Call-ID", e->groups);
	kv(&t, "  messages", e->messages);
	kv(&t, "  transactions", e->txns);
	kv(&t, "  dialogs", e->dialogs);
	kv(&t, "  registrations", e->registrations);
	kv(&t, "Limit on calls (--max-calls)", l->max_calls);
	kv(&t, "Limit on messages (--max-messages)", l->max_messages);
	table_write(s, &t);
}

void stats_write(sink *s, const sip_model *m)
{
	stats_gather *sg = stats_gather_new(0);
	stats_write_gathered(s, m, sg);
	stats_gather_free(sg);
}

void stats_write_gathered(sink *s, const sip_model *m, stats_gather *sg)
{
	gather_held(&sg->g, m);
	gather g = sg->g;

	g_autoptr(GPtrArray) sorted = g_ptr_array_copy(g.methods, NULL, NULL);
	g_ptr_array_set_free_func(sorted, NULL); /* g.methods owns them */
	g_ptr_array_sort(sorted, by_traffic);
	gather view = g;
	view.methods = sorted;

	section_messages(s, &g);
	blank_line(s);
	section_methods(s, &view);
	blank_line(s);
	section_status(s, &g);
	blank_line(s);
	section_times(s, &view);
	blank_line(s);
	section_txns(s, m, &view);
	blank_line(s);
	section_calls(s, &g);
	blank_line(s);
	section_registrations(s, &g);
	const sip_evictions *ev = sip_model_evictions(m);
	if (ev->calls || ev->groups || ev->registrations) {
		blank_line(s);
		section_evictions(s, m);
	}
}
