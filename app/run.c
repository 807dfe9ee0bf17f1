#include "run.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include "app/exit_status.h"
#include "app/pipeline.h"
#include "dissect/findings.h"
#include "capture/live.h"
#include "dissect/model.h"
#include "output/check.h"
#include "output/json.h"
#include "output/json_findings.h"
#include "output/json_model.h"
#include "output/ladder_text.h"
#include "output/list.h"
#include "output/message_out.h"
#include "output/sink.h"
#include "output/spill.h"
#include "output/stats.h"
#include "output/textesc.h"
#include "ui/ladder_layout.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	/* Live: the first signal stops capturing (what was captured is still
	 * processed), a second one stops at once. */
	if (stop_requested < 2)
		stop_requested++;
}

typedef struct run_state {
	const options *opt;
	sink out;
	pipeline *pipe;
	sip_model *model;
	findings *found;        /* the detector, when an output shows findings (else NULL) */
	bool error_found;       /* --check printed a finding of severity error */
	GPtrArray *late_errors; /* lines for standard error once the output is out */
	int64_t end_ts;  /* timestamp of the newest frame read: where the capture ends */
	/* With limits, what evicted calls leave behind goes out as they go:
	 * --json records and --list rows at once, --stats counts into sg,
	 * --check groups into a temporary file (its section comes last). */
	bool limited;
	stats_gather *sg;
	bool list_started;
	FILE *check_file;
	sink check_early;
	bool check_any;
	GArray *findings_written; /* --json: uint8_t per finding id, 1 once written */
	/* Finished calls forgotten (options.forget_finished) with --json,
	 * --list or --check: what they have to say is kept in a temporary
	 * file as they go, and comes back in their places at the end. */
	spill *spill;
	list_aside list_aside;  /* --list: the columns of the rows kept aside */
	GString *kept;          /* --json: a transaction's, dialog's or call's bytes read back (end_fill) */
	bool kept_damaged;      /* said once on standard error */
} run_state;

/* The kind a --json record is kept aside as. */
static spill_kind json_spill_kind(json_rec_kind kind)
{
	switch (kind) {
	case JSON_REC_TXN: return SPILL_JSON_TXN;
	case JSON_REC_DIALOG: return SPILL_JSON_DIALOG;
	case JSON_REC_CALL: return SPILL_JSON_CALL;
	default: return SPILL_JSON_FINDING;
	}
}

/* The records written at the end (--json) read message bytes from all
 * over a mapped file, faster than the pipeline gives its pages back on
 * its own: they go back every JSON_PACE_RECORDS records. */
static void end_pace(void *user)
{
	run_state *st = user;
	pipeline_release_mapped(st->pipe);
}

/* json_fill_fn: the record kept aside for id, if any (a transaction's,
 * a dialog's and a call's as json_keep_txn, json_keep_dialog and
 * json_keep_call made them). */
static void end_fill(void *user, json_rec_kind kind, sip_id id, sink *s)
{
	run_state *st = user;
	if (kind == JSON_REC_FINDING) {
		if (spill_read(st->spill, json_spill_kind(kind), id, s->buf))
			sink_end_record(s);
		return;
	}
	if (!st->kept)
		st->kept = g_string_new(NULL);
	GString *kept = st->kept;
	g_string_truncate(kept, 0);
	if (!spill_read(st->spill, json_spill_kind(kind), id, kept))
		return;
	sv bytes = sv_make(kept->str, kept->len);
	bool ok = kind == JSON_REC_TXN ? json_write_kept_txn(s, bytes) :
		  kind == JSON_REC_DIALOG ? json_write_kept_dialog(s, bytes) :
		  json_write_kept_call(s, bytes);
	if (ok || st->kept_damaged)
		return;
	st->kept_damaged = true;
	g_ptr_array_add(st->late_errors, g_strdup_printf(
		"--json: %s %u kept in the temporary file came back damaged; "
		"such records are left out",
		kind == JSON_REC_TXN ? "transaction" : kind == JSON_REC_DIALOG ? "dialog" : "call", id));
}

/* The findings at the end (--json), in id order: those the detector still
 * holds, less those written with their call when it was evicted (limits),
 * and those of forgotten calls from the temporary file; paced as the
 * model's records are. */
static void write_end_findings(run_state *st)
{
	unsigned paced = 0;
	for (guint i = 0, n = findings_count(st->found); i < n && !sink_failed(&st->out); i++) {
		const finding *x = findings_get(st->found, i);
		if (!x) {
			if (st->spill)
				end_fill(st, JSON_REC_FINDING, i, &st->out);
			continue;
		}
		if (st->findings_written && i < st->findings_written->len &&
		    g_array_index(st->findings_written, uint8_t, i))
			continue;
		json_write_finding(&st->out, st->model, x);
		if (++paced == JSON_PACE_RECORDS) {
			paced = 0;
			end_pace(st);
		}
	}
}

static void on_icmp(void *user, const pipeline_icmp *ic)
{
	run_state *st = user;
	if (st->opt->mode != OUT_JSON)
		return;
	GString *o = st->out.buf;
	char ep[ENDPOINT_STRLEN];
	g_string_append_printf(o, "{\"type\":\"icmp\",\"frame\":%" G_GUINT64_FORMAT
			       ",\"icmp_type\":%u,\"icmp_code\":%u,\"src\":",
			       ic->frame, ic->type, ic->code);
	json_append_str(o, endpoint_format(&ic->src, ep, sizeof(ep)));
	g_string_append(o, ",\"dst\":");
	json_append_str(o, endpoint_format(&ic->dst, ep, sizeof(ep)));
	if (ic->quotes_known)
		g_string_append_printf(o, ",\"quotes_frame\":%" G_GUINT64_FORMAT ",\"quotes_index\":%u",
				       ic->quotes_frame, ic->quotes_index);
	else
		g_string_append(o, ",\"quotes_frame\":null,\"quotes_index\":null");
	g_string_append(o, ",\"note\":\"an ICMP error quoting a SIP message sent earlier; not a message on the wire\"}\n");
	sink_end_record(&st->out);
}

static void write_findings_of_call(run_state *st, sip_id call)
{
	const GArray *ids = findings_of_call(st->found, call);
	for (guint i = 0; ids && i < ids->len; i++) {
		sip_id fid = g_array_index(ids, sip_id, i);
		if (fid >= st->findings_written->len)
			g_array_set_size(st->findings_written, fid + 1);
		g_array_index(st->findings_written, uint8_t, fid) = 1;
		json_write_finding(&st->out, st->model, findings_get(st->found, fid));
	}
}

/* A finished call is about to be forgotten (--json): its records and
 * findings go aside, to come back in their places at the end. */
static void spill_txns(run_state *st, const sip_model *m, const sip_ids *txns)
{
	spill *sp = st->spill;
	sink *out = spill_sink(sp);
	for (guint i = 0; i < txns->len; i++) {
		const sip_txn *t = sip_model_txn(m, txns->data[i]);
		if (!t)
			continue;
		spill_begin(sp);
		json_keep_txn(out->buf, m, t);
		spill_end(sp, SPILL_JSON_TXN, t->id);
	}
}

static void spill_call(run_state *st, const sip_model *m, const sip_call *c)
{
	spill *sp = st->spill;
	sink *out = spill_sink(sp);
	const sip_ids *msgs, *txns, *dialogs;
	sip_model_evicting(m, &msgs, &txns, &dialogs);
	spill_txns(st, m, txns);
	for (guint i = 0; i < dialogs->len; i++) {
		const sip_dialog *d = sip_model_dialog(m, dialogs->data[i]);
		if (!d)
			continue;
		spill_begin(sp);
		json_keep_dialog(out->buf, m, d);
		spill_end(sp, SPILL_JSON_DIALOG, d->id);
	}
	if (!c)
		return;
	spill_begin(sp);
	json_keep_call(out->buf, m, c);
	spill_end(sp, SPILL_JSON_CALL, c->id);
	if (!st->found)
		return;
	const GArray *ids = findings_of_call(st->found, c->id);
	for (guint i = 0; ids && i < ids->len; i++) {
		sip_id fid = g_array_index(ids, sip_id, i);
		const finding *x = findings_get(st->found, fid);
		if (!x)
			continue;
		spill_begin(sp);
		json_write_finding(out, m, x);
		spill_end(sp, SPILL_JSON_FINDING, fid);
	}
	findings_forget_call(st->found, c->id);
}

/* A finished call is about to be forgotten (--list, --check, --stats,
 * --ladder of other calls):
 * its row and its group of findings go aside, its numbers into the
 * statistics. */
static void aside_report(run_state *st, const sip_model *m, sip_id call, const sip_call *c)
{
	const options *o = st->opt;
	spill *sp = st->spill;
	if (st->sg)
		stats_gather_evicted(st->sg, m, call);
	if (!c)
		return;
	if (o->list)
		list_aside_call(sp, &st->list_aside, m, c);
	if (st->found) {
		if (o->check)
			check_aside_call(sp, m, st->found, c);
		findings_forget_call(st->found, c->id);
	}
}

/* A call of REGISTER sheds the transactions and messages over for good
 * in it (SIP_EV_SHED): their records go aside (--json), their numbers
 * into the statistics; the call stays, and is reported at the end. */
static void on_shed(void *user, const sip_model *m, sip_event ev, sip_id call)
{
	run_state *st = user;
	(void)ev;
	(void)call;
	const sip_ids *msgs, *txns, *dialogs;
	sip_model_evicting(m, &msgs, &txns, &dialogs);
	if (st->opt->mode == OUT_JSON && st->spill)
		spill_txns(st, m, txns);
	if (st->sg)
		stats_gather_evicted(st->sg, m, SIP_ID_NONE);
}

/* --ladder: the calls it names are not forgotten, by Call-ID or by ID
 * (a name may be either; ladder_calls decides at the end). */
static bool keep_named(void *user, const sip_model *m, sip_id call)
{
	const run_state *st = user;
	const sip_call *c = sip_model_call(m, call);
	for (char **p = st->opt->ladder; p && *p; p++) {
		uint64_t id;
		if ((c && sv_eq(c->call_id, sv_from_cstr(*p))) ||
		    (sv_to_u64(sv_from_cstr(*p), UINT32_MAX, &id) && id == call))
			return true;
	}
	return false;
}

/* A call (or a group of messages without Call-ID) is about to be evicted:
 * everything it held is reported now, as it would be at the end. */
static void on_evict(void *user, const sip_model *m, sip_event ev, sip_id call)
{
	run_state *st = user;
	const options *o = st->opt;
	(void)ev;
	const sip_call *c = sip_model_call(m, call);
	if (o->mode == OUT_JSON && st->spill) {
		spill_call(st, m, c);
		return;
	}
	if (o->mode == OUT_JSON) {
		const sip_ids *msgs, *txns, *dialogs;
		sip_model_evicting(m, &msgs, &txns, &dialogs);
		for (guint i = 0; i < txns->len; i++) {
			const sip_txn *t = sip_model_txn(m, txns->data[i]);
			if (t)
				json_write_txn(&st->out, m, t);
		}
		for (guint i = 0; i < dialogs->len; i++) {
			const sip_dialog *d = sip_model_dialog(m, dialogs->data[i]);
			if (d)
				json_write_dialog(&st->out, m, d);
		}
		if (c) {
			json_write_call(&st->out, m, c);
			if (st->found) {
				write_findings_of_call(st, c->id);
				findings_forget_call(st->found, c->id);
			}
		}
		return;
	}
	if (o->mode != OUT_REPORT)
		return;
	if (st->spill) {
		aside_report(st, m, call, c);
		return;
	}
	if (o->list && c) {
		if (!st->list_started) {
			list_write_header(&st->out);
			st->list_started = true;
		}
		list_write_call(&st->out, m, c, sip_model_clock(m));
	}
	if (st->sg)
		stats_gather_evicted(st->sg, m, call);
	if (o->check && c && st->check_file && check_write_call(&st->check_early, m, st->found, c))
		st->check_any = true;
	if (st->found && c)
		findings_forget_call(st->found, c->id);
}

static void on_evict_registration(void *user, const sip_model *m, sip_event ev, sip_id id)
{
	run_state *st = user;
	(void)ev;
	const sip_registration *r = sip_model_registration(m, id);
	if (!r)
		return;
	if (st->opt->mode == OUT_JSON)
		json_write_registration(&st->out, m, r);
	else if (st->sg)
		stats_gather_registration(st->sg, r);
}

/* Sets up what on_evict needs; false (with a line on standard error)
 * when it cannot. */
static bool limits_setup(run_state *st)
{
	const options *o = st->opt;
	st->limited = true;
	if (o->mode == OUT_JSON && st->found)
		st->findings_written = g_array_new(FALSE, TRUE, sizeof(uint8_t));
	if (o->mode == OUT_REPORT && o->stats)
		st->sg = stats_gather_new(STATS_SAMPLE_CAP);
	if (o->mode == OUT_REPORT && o->check) {
		st->check_file = tmpfile();
		if (!st->check_file) {
			fprintf(stderr, "sipscope: cannot make a temporary file for --check: %s\n",
				g_strerror(errno));
			return false;
		}
		sink_init(&st->check_early, fileno(st->check_file), "temporary file");
	}
	sip_model_tap_add(st->model, SIP_EV_EVICT, on_evict, st);
	sip_model_tap_add(st->model, SIP_EV_EVICT_REGISTRATION, on_evict_registration, st);
	return true;
}

/* The --check groups of evicted calls, from the temporary file. */
static void copy_check_early(run_state *st)
{
	if (!sink_flush(&st->check_early)) {
		g_ptr_array_add(st->late_errors, g_strdup_printf("--check: %s",
			sink_error(&st->check_early)));
		return;
	}
	rewind(st->check_file);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), st->check_file)) > 0) {
		/* whole lines only reach the sink between records */
		g_string_append_len(st->out.buf, buf, (gssize)n);
		if (buf[n - 1] == '\n')
			sink_end_record(&st->out);
	}
	sink_end_record(&st->out);
}

static void on_message(void *user, const msg_out *mo)
{
	run_state *st = user;
	if (st->opt->mode == OUT_JSON)
		json_write_message(&st->out, mo);
	else if (st->opt->mode == OUT_TEXT)
		text_write_message(&st->out, mo);
}

/* Appends every call held whose Call-ID is name (a Call-ID used again
 * long after its call ended starts another call); false: none. */
static bool calls_of_call_id(const sip_model *m, sv name, GArray *calls)
{
	bool found = false;
	for (guint i = 0, n = sip_model_call_count(m); i < n; i++) {
		const sip_call *c = sip_model_call(m, i);
		if (c && sv_eq(c->call_id, name)) {
			g_array_append_val(calls, c->id);
			found = true;
		}
	}
	return found;
}

/* The calls named by --ladder: a Call-ID (every call of it), else "all",
 * else an ID as --list prints it.  Names that match nothing are noted for
 * standard error.  Returns false when one did not match. */
static bool ladder_calls(run_state *st, GArray *calls, bool *all)
{
	bool ok = true;
	guint ncalls = sip_model_call_count(st->model);
	for (char **p = st->opt->ladder; p && *p; p++) {
		uint64_t id;
		if (calls_of_call_id(st->model, sv_from_cstr(*p), calls)) {
			continue;
		} else if (options_ladder_is_all(*p)) {
			*all = true;
		} else if (sv_to_u64(sv_from_cstr(*p), UINT32_MAX, &id) && id < ncalls) {
			sip_id cid = (sip_id)id;
			g_array_append_val(calls, cid);
		} else {
			g_autoptr(GString) e = g_string_new(NULL);
			text_append_sv(e, sv_from_cstr(*p));
			g_ptr_array_add(st->late_errors,
					g_strdup_printf("--ladder: no call with Call-ID or ID \"%s\" in the input", e->str));
			ok = false;
		}
	}
	return ok;
}

static void blank_line(run_state *st, bool *first)
{
	if (!*first) {
		g_string_append_c(st->out.buf, '\n');
		sink_end_record(&st->out);
	}
	*first = false;
}

/* --ladder: the diagram of the calls named.  Returns false when a name
 * matched no call. */
static bool write_ladder(run_state *st, bool *first)
{
	const options *o = st->opt;
	g_autoptr(GArray) calls = g_array_new(FALSE, FALSE, sizeof(sip_id));
	bool all = false;
	bool ok = ladder_calls(st, calls, &all);
	if (!all && calls->len == 0)
		return ok;
	g_autoptr(GArray) msgs = all ? ladder_messages_all(st->model)
				     : ladder_messages_of_calls(st->model, (sip_id *)calls->data, calls->len);
	ladder_opts lo = { .group_by_host = o->ladder_by_host };
	g_autoptr(ladder_layout) lay = ladder_layout_new(st->model, (sip_id *)msgs->data, msgs->len, &lo);
	blank_line(st, first);
	ladder_text_write_findings(&st->out, st->model, lay, st->found);
	return ok;
}

/* --list, --stats, --ladder, --check, in that order, a blank line apart.
 * Returns false when a --ladder name matched no call. */
static bool write_reports(run_state *st)
{
	const options *o = st->opt;
	bool first = true;
	if (o->list) {
		if (st->spill) {
			list_write_aside(&st->out, st->model, st->end_ts, &st->list_aside, st->spill);
		} else if (!st->limited) {
			list_write(&st->out, st->model, st->end_ts);
		} else {
			if (!st->list_started)
				list_write_header(&st->out);
			list_write_rest(&st->out, st->model, st->end_ts);
		}
		first = false;
	}
	if (o->stats) {
		if (!first) {
			g_string_append_c(st->out.buf, '\n');
			sink_end_record(&st->out);
		}
		if (st->sg)
			stats_write_gathered(&st->out, st->model, st->sg);
		else
			stats_write(&st->out, st->model);
		first = false;
	}
	bool ok = true;
	if (o->ladder && o->ladder[0])
		ok = write_ladder(st, &first);
	if (o->check) {
		blank_line(st, &first);
		if (st->check_file) {
			copy_check_early(st);
			st->error_found = check_write_rest(&st->out, st->model, st->found, st->check_any);
		} else if (st->spill) {
			st->error_found = check_write_aside(&st->out, st->model, st->found, st->spill);
		} else {
			st->error_found = check_write(&st->out, st->model, st->found);
		}
	}
	return ok;
}

static void write_summary(run_state *st, const GPtrArray *errors, const GPtrArray *notices,
			  const options *o)
{
	const cap_decode_stats *ds = pipeline_decode_stats(st->pipe);
	const cap_sipframe_stats *fs = pipeline_sipframe_stats(st->pipe);
	const pipeline_counters *c = pipeline_counters_get(st->pipe);
	if (o->mode == OUT_JSON) {
		GString *b = st->out.buf;
		g_string_append_printf(b,
			"{\"type\":\"summary\",\"frames\":%" G_GUINT64_FORMAT
			",\"frames_filtered_out\":%" G_GUINT64_FORMAT
			",\"messages\":%" G_GUINT64_FORMAT ",\"invalid_messages\":%" G_GUINT64_FORMAT
			",\"messages_with_warnings\":%" G_GUINT64_FORMAT
			",\"icmp_quoted\":%" G_GUINT64_FORMAT ",\"ip_fragments\":%" G_GUINT64_FORMAT
			",\"ip_reassembled\":%" G_GUINT64_FORMAT ",\"tcp_streams\":%" G_GUINT64_FORMAT
			",\"tcp_gaps\":%" G_GUINT64_FORMAT ",\"tcp_evicted\":%" G_GUINT64_FORMAT
			",\"keepalives\":%" G_GUINT64_FORMAT
			",\"non_sip_payloads\":%" G_GUINT64_FORMAT
			",\"retransmissions\":%" G_GUINT64_FORMAT ",\"transactions\":%u,\"dialogs\":%u"
			",\"calls\":%u,\"registrations\":%u,\"findings\":%u",
			c->frames_read, c->frames_filtered, c->messages, c->invalid,
			c->with_warnings, c->icmp_notes, ds->fragments, ds->reassembled,
			fs->tcp_streams, fs->tcp_gaps, fs->tcp_evicted, fs->keepalives, fs->not_sip,
			c->retransmissions, sip_model_txn_count(st->model),
			sip_model_dialog_count(st->model), sip_model_call_count(st->model),
			sip_model_registration_count(st->model), st->found ? findings_count(st->found) : 0);
		if (st->limited) {
			const sip_evictions *e = sip_model_evictions(st->model);
			const sip_limits *l = sip_model_limits(st->model);
			g_string_append_printf(b, ",\"limits\":{\"max_calls\":%u,\"max_messages\":%u}"
				",\"evicted\":{\"calls\":%" G_GUINT64_FORMAT ",\"groups\":%" G_GUINT64_FORMAT
				",\"messages\":%" G_GUINT64_FORMAT ",\"transactions\":%" G_GUINT64_FORMAT
				",\"dialogs\":%" G_GUINT64_FORMAT ",\"registrations\":%" G_GUINT64_FORMAT "}",
				l->max_calls, l->max_messages, e->calls, e->groups, e->messages, e->txns,
				e->dialogs, e->registrations);
		}
		/* Only for live input and -w: the summary of a file run stays as
		 * it was. */
		const cap_live *lv = pipeline_live(st->pipe);
		if (lv) {
			g_string_append(b, ",\"capture\":[");
			for (guint i = 0; i < cap_live_input_count(lv); i++) {
				cap_live_stats ls;
				cap_live_get_stats(lv, (int)i, &ls);
				if (i)
					g_string_append_c(b, ',');
				g_string_append(b, "{\"input\":");
				json_append_str(b, cap_live_input_name(lv, i));
				g_string_append_printf(b, ",\"received\":%" G_GUINT64_FORMAT
					",\"kernel_dropped\":%" G_GUINT64_FORMAT ",\"if_dropped\":%" G_GUINT64_FORMAT
					",\"ring_dropped\":%" G_GUINT64_FORMAT ",\"filtered\":%" G_GUINT64_FORMAT
					",\"bytes_held\":%" G_GUINT64_FORMAT,
					ls.received, ls.kernel_dropped, ls.if_dropped, ls.ring_dropped, ls.filtered,
					ls.bytes_held);
				if (cap_live_input_linktype(lv, i) == LINKTYPE_RAW && strchr(cap_live_input_name(lv, i), ':'))
					g_string_append_printf(b, ",\"hep_packets\":%" G_GUINT64_FORMAT
						",\"hep_not_sip\":%" G_GUINT64_FORMAT ",\"hep_damaged\":%" G_GUINT64_FORMAT,
						ls.hep_packets, ls.hep_not_sip, ls.hep_bad);
				g_string_append_c(b, '}');
			}
			g_string_append_c(b, ']');
			g_string_append_printf(b, ",\"frames_kept\":%" G_GUINT64_FORMAT
				",\"bytes_kept\":%" G_GUINT64_FORMAT ",\"kept_rotations\":%" G_GUINT64_FORMAT,
				c->frames_kept, c->bytes_kept, c->mem_rotations);
		}
		pipeline_write_info wi;
		if (pipeline_write_counts(st->pipe, &wi))
			g_string_append_printf(b, ",\"written_frames\":%" G_GUINT64_FORMAT
					       ",\"write_lost_frames\":%" G_GUINT64_FORMAT, wi.frames, wi.lost);
		g_string_append(b, ",\"errors\":[");
		for (guint i = 0; i < errors->len; i++) {
			if (i)
				g_string_append_c(b, ',');
			json_append_str(b, ((GError *)g_ptr_array_index(errors, i))->message);
		}
		g_string_append(b, "],\"notices\":[");
		for (guint i = 0; i < notices->len; i++) {
			if (i)
				g_string_append_c(b, ',');
			json_append_str(b, g_ptr_array_index(notices, i));
		}
		g_string_append(b, "]}\n");
		sink_end_record(&st->out);
	}
}

/* "listening on lo, link type EN10MB (Ethernet), snapshot length 262144
 * bytes", as tcpdump says it; tests wait for it. */
static void print_listening(pipeline *p, const options *o)
{
	const cap_live *lv = pipeline_live(p);
	for (guint i = 0; i < cap_live_input_count(lv); i++) {
		const char *name = cap_live_input_name(lv, i);
		bool hep = o->hep_listen && g_strv_contains((const char *const *)o->hep_listen, name);
		if (hep) {
			fprintf(stderr, "sipscope: listening for HEP on %s\n", name);
			continue;
		}
		uint32_t lt = cap_live_input_linktype(lv, i);
		int dlt = lt == LINKTYPE_RAW ? DLT_RAW : (int)lt;
		const char *dname = pcap_datalink_val_to_name(dlt);
		const char *ddesc = pcap_datalink_val_to_description(dlt);
		fprintf(stderr, "sipscope: listening on %s, link type %s (%s), snapshot length %u bytes\n", name,
			dname ? dname : "?", ddesc ? ddesc : "?", cap_live_input_snaplen(lv, i));
	}
	fflush(stderr);
}

/* End of a run: what each live input received and dropped, and what -w
 * wrote. */
void run_print_capture_counts(const pipeline *p)
{
	const cap_live *lv = pipeline_live(p);
	for (guint i = 0; lv && i < cap_live_input_count(lv); i++) {
		cap_live_stats ls;
		cap_live_get_stats(lv, (int)i, &ls);
		const char *name = cap_live_input_name(lv, i);
		if (ls.hep_packets || (cap_live_input_linktype(lv, i) == LINKTYPE_RAW && strchr(name, ':')))
			fprintf(stderr, "sipscope: %s: %" G_GUINT64_FORMAT " HEP packets (%" G_GUINT64_FORMAT
				" SIP, %" G_GUINT64_FORMAT " other payload types, %" G_GUINT64_FORMAT
				" damaged), %" G_GUINT64_FORMAT " dropped by the kernel, %" G_GUINT64_FORMAT
				" by sipscope (ring full)\n", name, ls.hep_packets, ls.received, ls.hep_not_sip,
				ls.hep_bad, ls.kernel_dropped, ls.ring_dropped);
		else
			fprintf(stderr, "sipscope: %s: %" G_GUINT64_FORMAT " frames received, %" G_GUINT64_FORMAT
				" dropped by the kernel, %" G_GUINT64_FORMAT " by the interface, %" G_GUINT64_FORMAT
				" by sipscope (ring full)\n", name, ls.received, ls.kernel_dropped, ls.if_dropped,
				ls.ring_dropped);
	}
	pipeline_write_info wi;
	if (pipeline_write_counts(p, &wi) && wi.path) {
		fprintf(stderr, "sipscope: wrote %" G_GUINT64_FORMAT " frames to %s%s (%s)", wi.frames,
			wi.files > 1 ? "files up to " : "", wi.path, wi.format);
		if (wi.lost)
			fprintf(stderr, "; %" G_GUINT64_FORMAT " frames not written", wi.lost);
		fputc('\n', stderr);
	}
}

int run_offline(const options *opt)
{
	int status = EXIT_OK;
	/* --json, --list and --check keep what a forgotten call has to say
	 * aside in a temporary file: without one (no writable temporary
	 * directory) calls are kept */
	options local = *opt;
	const options *o = &local;
	spill *sp = NULL;
	bool aside = o->mode == OUT_JSON || (o->mode == OUT_REPORT && (o->list || o->check));
	if (o->forget_finished && aside &&
	    !(sp = spill_new(o->mode == OUT_JSON ? "--json" : o->list ? "--list" : "--check")))
		local.forget_finished = local.forget_registers = false;
	run_state st = { .opt = o, .spill = sp };
	pipeline_hooks hooks = { .user = &st, .icmp = on_icmp };
	/* the per-message writers (--list, --stats, --ladder and --check print
	 * no message, and the pipeline then fills no record for them), each
	 * line written beside its parsing (the reading thread's share), all
	 * but what the model adds */
	if (o->mode == OUT_JSON || o->mode == OUT_TEXT) {
		hooks.message = on_message;
		hooks.message_pre = o->mode == OUT_JSON ? json_message_pre : text_message_pre;
	}
	g_autoptr(GError) err = NULL;
	st.pipe = pipeline_open(o, &hooks, false, &status, &err);
	if (!st.pipe) {
		fprintf(stderr, "sipscope: %s\n", err->message);
		spill_free(st.spill);
		return status;
	}
	st.model = pipeline_model(st.pipe);
	/* The detector costs a little on every message: only when something
	 * shows its findings (the ladder marks them). */
	if (o->mode == OUT_JSON || o->check || (o->ladder && o->ladder[0]))
		st.found = findings_new(st.model);
	if (o->forget_finished) {
		/* finished calls are counted (--stats) or kept aside (--json,
		 * --list, --check) as they go */
		if (o->mode == OUT_REPORT && o->stats)
			st.sg = stats_gather_new(0);
		sip_model_tap_add(st.model, SIP_EV_EVICT, on_evict, &st);
		sip_model_tap_add(st.model, SIP_EV_SHED, on_shed, &st);
		if (o->mode == OUT_REPORT && o->ladder && o->ladder[0])
			sip_model_set_keep(st.model, keep_named, &st);
	}
	if ((o->max_calls || o->max_messages) && !limits_setup(&st)) {
		findings_free(st.found);
		pipeline_free(st.pipe);
		spill_free(st.spill);
		return EXIT_OUTPUT;
	}
	sink_init(&st.out, STDOUT_FILENO, "standard output");
	st.late_errors = g_ptr_array_new_with_free_func(g_free);

	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	bool live = pipeline_is_live(st.pipe);
	if (live && !o->quiet)
		print_listening(st.pipe, o);
	guint errors_said = 0;
	bool write_error_said = false;
	if (!live) {
		/* Small steps: a signal or a reader that went away stops the
		 * reading soon. */
		while (!stop_requested && !sink_failed(&st.out) && pipeline_step(st.pipe, 64))
			;
	} else {
		/* Live: wait for frames a little at a time, so signals, the
		 * deadline and errors are seen soon; print what came while the
		 * input is quiet, so the lines follow the traffic. */
		bool stopping = false;
		while (stop_requested < 2 && !sink_failed(&st.out)) {
			if (stop_requested && !stopping) {
				pipeline_stop(st.pipe);
				stopping = true;
			}
			uint64_t before = pipeline_counters_get(st.pipe)->frames_read;
			bool more = pipeline_step_wait(st.pipe, 256, 100);
			if (pipeline_counters_get(st.pipe)->frames_read - before < 256)
				sink_flush(&st.out);
			/* Faults are said when they happen; the run goes on. */
			const GPtrArray *errs = pipeline_errors(st.pipe);
			for (; errors_said < errs->len; errors_said++)
				fprintf(stderr, "sipscope: %s\n",
					((GError *)g_ptr_array_index(errs, errors_said))->message);
			const char *we = pipeline_write_error(st.pipe);
			if (we && !write_error_said) {
				fprintf(stderr, "sipscope: %s\n", we);
				write_error_said = true;
			}
			if (!more)
				break;
		}
	}
	if (!sink_failed(&st.out)) {
		pipeline_finish(st.pipe);
	} else {
		pipeline_abandon(st.pipe);
		sip_model_finish(st.model, pipeline_counters_get(st.pipe)->end_ts);
	}
	if (st.found)
		findings_finish(st.found);
	st.end_ts = pipeline_counters_get(st.pipe)->end_ts;
	bool ladder_missing = false;
	if (o->mode == OUT_JSON && !sink_failed(&st.out)) {
		/* with forgotten calls (st.spill; never under limits, so never
		 * with st.findings_written) records come back from the file */
		if (st.spill)
			spill_flush(st.spill);
		json_write_model_filled(&st.out, st.model, st.spill ? end_fill : NULL, end_pace, &st);
		write_end_findings(&st);
	} else if (o->mode == OUT_REPORT && !sink_failed(&st.out)) {
		if (st.spill)
			spill_flush(st.spill);
		ladder_missing = !write_reports(&st);
	}
	if (st.spill && spill_error(st.spill))
		g_ptr_array_add(st.late_errors, g_strdup(spill_error(st.spill)));

	const GPtrArray *errors = pipeline_errors(st.pipe);
	g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func(g_free);
	pipeline_notices(st.pipe, notices);
	write_summary(&st, errors, notices, o);
	/* What was read goes out before the lines on standard error, so a
	 * terminal shows them in that order.  A reader that went away (a
	 * closed pipe, as with `| head`) is not an error of ours; any other
	 * write failure is. */
	bool out_ok = sink_flush(&st.out) || st.out.error == EPIPE;
	if (!out_ok) {
		fprintf(stderr, "sipscope: %s\n", sink_error(&st.out));
		status = EXIT_OUTPUT;
	}

	for (guint i = 0; i < st.late_errors->len; i++)
		fprintf(stderr, "sipscope: %s\n", (char *)g_ptr_array_index(st.late_errors, i));
	for (guint i = errors_said; i < errors->len; i++)
		fprintf(stderr, "sipscope: %s\n", ((GError *)g_ptr_array_index(errors, i))->message);
	if (errors->len && status == EXIT_OK)
		status = EXIT_PARTIAL;
	/* -w: a failure was said when it happened (or at the close). */
	const char *we = pipeline_write_error(st.pipe);
	if (we) {
		if (!write_error_said)
			fprintf(stderr, "sipscope: %s\n", we);
		if (status == EXIT_OK || status == EXIT_PARTIAL)
			status = EXIT_OUTPUT;
	}
	if (ladder_missing && status == EXIT_OK)
		status = EXIT_USAGE;
	if (st.error_found && status == EXIT_OK)
		status = EXIT_FINDINGS;
	if (!o->quiet) {
		const pipeline_counters *c = pipeline_counters_get(st.pipe);
		for (guint i = 0; i < notices->len; i++)
			fprintf(stderr, "sipscope: note: %s\n", (char *)g_ptr_array_index(notices, i));
		fprintf(stderr, "sipscope: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
			" SIP messages (%" G_GUINT64_FORMAT " with warnings)%s\n",
			c->frames_read, c->messages, c->with_warnings,
			stop_requested ? ", stopped by a signal" : "");
		run_print_capture_counts(st.pipe);
	}
	sink_finish(&st.out);

	findings_free(st.found);
	pipeline_free(st.pipe);
	g_ptr_array_free(st.late_errors, TRUE);
	stats_gather_free(st.sg);
	if (st.check_file) {
		sink_finish(&st.check_early);
		fclose(st.check_file);
	}
	if (st.findings_written)
		g_array_free(st.findings_written, TRUE);
	list_aside_clear(&st.list_aside);
	spill_free(st.spill);
	if (st.kept)
		g_string_free(st.kept, TRUE);
	return status;
}
