#include "run.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include "app/frame_filter.h"
#include "app/exit_status.h"
#include "base/arena.h"
#include "capture/decode.h"
#include "capture/sipframe.h"
#include "capture/source.h"
#include "dissect/model.h"
#include "dissect/sip.h"
#include "output/json.h"
#include "output/json_model.h"
#include "output/ladder_text.h"
#include "output/list.h"
#include "output/message_out.h"
#include "output/sink.h"
#include "output/stats.h"
#include "output/textesc.h"
#include "ui/ladder_layout.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The last UDP message seen on each (src, dst) pair, so an ICMP error that
 * quotes a datagram can name the message it refers to.  One entry per flow:
 * ICMP errors answer recent datagrams. */
typedef struct flow_last {
	endpoint src, dst;
	uint64_t frame;
	uint32_t index;
	size_t prefix_len;
	uint8_t prefix[64];
} flow_last;

typedef struct run_state {
	const options *opt;
	sink out;
	arena mem;
	cap_decoder *dec;
	cap_sipframer *framer;
	sip_msg *parsed; /* scratch, reused for every message */
	sip_model *model;
	GPtrArray *late_errors; /* lines for standard error once the output is out */
	int64_t end_ts;  /* timestamp of the newest frame read: where the capture ends */
	GHashTable *flows; /* flow_last* set */
	uint64_t messages;
	uint64_t invalid;
	uint64_t with_warnings;
	uint64_t retransmissions;
	uint64_t icmp_notes;
	uint64_t frames_read;
	uint64_t frames_filtered;
} run_state;

enum { ICMP_MATCH_MIN = 16 };

static guint flow_hash(gconstpointer p)
{
	const flow_last *f = p;
	return endpoint_hash(&f->src) * 31u ^ endpoint_hash(&f->dst);
}

static gboolean flow_equal(gconstpointer a, gconstpointer b)
{
	const flow_last *x = a, *y = b;
	return endpoint_eq(&x->src, &y->src) && endpoint_eq(&x->dst, &y->dst);
}

static void flow_remember(run_state *st, const cap_sipmsg *m)
{
	flow_last key = { .src = m->src, .dst = m->dst };
	flow_last *f = g_hash_table_lookup(st->flows, &key);
	if (!f) {
		f = g_new0(flow_last, 1);
		f->src = m->src;
		f->dst = m->dst;
		g_hash_table_add(st->flows, f);
	}
	f->frame = m->frame->num;
	f->index = m->index;
	f->prefix_len = MIN(m->data.len, sizeof(f->prefix));
	memcpy(f->prefix, m->data.p, f->prefix_len);
}

static const flow_last *flow_match(run_state *st, const cap_sipmsg *m)
{
	flow_last key = { .src = m->src, .dst = m->dst };
	const flow_last *f = g_hash_table_lookup(st->flows, &key);
	if (!f)
		return NULL;
	/* The quote is usually cut short: compare what both have, and ask for
	 * enough bytes that a different message on the same flow cannot pass. */
	size_t n = MIN(f->prefix_len, m->data.len);
	if (n < MIN((size_t)ICMP_MATCH_MIN, f->prefix_len) || !sv_eq(sv_head(m->data, n), sv_make(f->prefix, n)))
		return NULL;
	return f;
}

static void write_icmp_note(run_state *st, const cap_sipmsg *m)
{
	st->icmp_notes++;
	const flow_last *orig = flow_match(st, m);
	if (st->opt->mode != OUT_JSON)
		return;
	GString *o = st->out.buf;
	char ep[ENDPOINT_STRLEN];
	g_string_append_printf(o, "{\"type\":\"icmp\",\"frame\":%" G_GUINT64_FORMAT
			       ",\"icmp_type\":%u,\"icmp_code\":%u,\"src\":",
			       m->frame->num, m->icmp_type, m->icmp_code);
	json_append_str(o, endpoint_format(&m->src, ep, sizeof(ep)));
	g_string_append(o, ",\"dst\":");
	json_append_str(o, endpoint_format(&m->dst, ep, sizeof(ep)));
	if (orig)
		g_string_append_printf(o, ",\"quotes_frame\":%" G_GUINT64_FORMAT ",\"quotes_index\":%u",
				       orig->frame, orig->index);
	else
		g_string_append(o, ",\"quotes_frame\":null,\"quotes_index\":null");
	g_string_append(o, ",\"note\":\"an ICMP error quoting a SIP message sent earlier; not a message on the wire\"}\n");
	sink_end_record(&st->out);
}

static void add_note(msg_out *mo, const char *text)
{
	if (mo->n_notes < MSG_OUT_MAX_NOTES)
		mo->notes[mo->n_notes++] = text;
}

static void on_sipmsg(void *user, const cap_sipmsg *m)
{
	run_state *st = user;
	if (m->flags & CAP_SIPMSG_ICMP_QUOTED) {
		write_icmp_note(st, m);
		return;
	}
	bool stream = m->transport != SIP_TRANSPORT_UDP;
	sip_parse_message(m->data, stream, st->parsed);

	msg_out mo = {
		.frame = m->frame->num,
		.first_frame = m->first_frame ? m->first_frame : m->frame->num,
		.index = m->index,
		.ts_ns = m->frame->ts_ns,
		.src = m->src,
		.dst = m->dst,
		.transport = sip_transport_name(m->transport),
		.sip = st->parsed,
	};
	if (m->flags & CAP_SIPMSG_TRUNCATED)
		add_note(&mo, "message incomplete: the stream or capture ended before all of it arrived");
	if (m->flags & CAP_SIPMSG_AFTER_GAP)
		add_note(&mo, "bytes before this message were never captured (gap in the TCP stream)");
	if (m->flags & CAP_SIPMSG_SNAPLEN_CUT)
		add_note(&mo, "frame cut short by the capture's snap length; the message may be incomplete");
	if ((m->flags & CAP_SIPMSG_NO_CONTENT_LENGTH) && st->parsed->kind == SIP_KIND_INVALID)
		add_note(&mo, "no Content-Length on a stream transport; body assumed empty");
	if (m->flags & CAP_SIPMSG_BAD_CONTENT_LENGTH)
		add_note(&mo, "unparsable Content-Length on a stream transport; body assumed empty");

	st->messages++;
	if (st->parsed->kind == SIP_KIND_INVALID)
		st->invalid++;
	if (mo.n_notes || st->parsed->n_warnings)
		st->with_warnings++;
	if (m->transport == SIP_TRANSPORT_UDP)
		flow_remember(st, m);

	sip_msg_meta meta = {
		.frame = mo.frame,
		.first_frame = mo.first_frame,
		.index = mo.index,
		.ts_ns = mo.ts_ns,
		.src = mo.src,
		.dst = mo.dst,
		.transport = mo.transport,
		.capture_flags = m->flags,
	};
	const sip_message *rec = sip_model_message(st->model, sip_model_add(st->model, &meta, st->parsed));
	if (rec) {
		mo.modelled = true;
		mo.txn = rec->txn;
		mo.dialog = rec->dialog;
		mo.call = rec->call;
		mo.retransmission = rec->retransmission;
		if (rec->retransmission)
			st->retransmissions++;
	}

	if (st->opt->mode == OUT_JSON)
		json_write_message(&st->out, &mo);
	else if (st->opt->mode == OUT_TEXT)
		text_write_message(&st->out, &mo);
}

/* The calls named by --ladder: a Call-ID, else "all", else an ID as --list
 * prints it.  Names that match nothing are noted for standard error.
 * Returns false when one did not match. */
static bool ladder_calls(run_state *st, GArray *calls, bool *all)
{
	bool ok = true;
	guint ncalls = sip_model_call_count(st->model);
	for (char **p = st->opt->ladder; p && *p; p++) {
		const sip_call *c = sip_model_call_find(st->model, sv_from_cstr(*p));
		uint64_t id;
		if (c) {
			g_array_append_val(calls, c->id);
		} else if (strcmp(*p, "all") == 0) {
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

/* --list, --stats, --ladder, in that order, a blank line apart.  Returns
 * false when a --ladder name matched no call. */
static bool write_reports(run_state *st)
{
	const options *o = st->opt;
	bool first = true;
	if (o->list) {
		list_write(&st->out, st->model, st->end_ts);
		first = false;
	}
	if (o->stats) {
		if (!first) {
			g_string_append_c(st->out.buf, '\n');
			sink_end_record(&st->out);
		}
		stats_write(&st->out, st->model);
		first = false;
	}
	if (!o->ladder || !o->ladder[0])
		return true;
	g_autoptr(GArray) calls = g_array_new(FALSE, FALSE, sizeof(sip_id));
	bool all = false;
	bool ok = ladder_calls(st, calls, &all);
	if (!all && calls->len == 0)
		return ok;
	g_autoptr(GArray) msgs = all ? ladder_messages_all(st->model)
				     : ladder_messages_of_calls(st->model, (sip_id *)calls->data, calls->len);
	ladder_opts lo = { .group_by_host = o->ladder_by_host };
	g_autoptr(ladder_layout) lay = ladder_layout_new(st->model, (sip_id *)msgs->data, msgs->len, &lo);
	if (!first) {
		g_string_append_c(st->out.buf, '\n');
		sink_end_record(&st->out);
	}
	ladder_text_write(&st->out, st->model, lay);
	return ok;
}

static void on_payload(void *user, const cap_payload *pl)
{
	run_state *st = user;
	cap_sipframer_feed(st->framer, pl);
}

static void write_summary(run_state *st, const GPtrArray *errors, const GPtrArray *notices,
			  const options *o)
{
	const cap_decode_stats *ds = cap_decoder_stats(st->dec);
	const cap_sipframe_stats *fs = cap_sipframer_stats(st->framer);
	if (o->mode == OUT_JSON) {
		GString *b = st->out.buf;
		g_string_append_printf(b,
			"{\"type\":\"summary\",\"frames\":%" G_GUINT64_FORMAT
			",\"frames_filtered_out\":%" G_GUINT64_FORMAT
			",\"messages\":%" G_GUINT64_FORMAT ",\"invalid_messages\":%" G_GUINT64_FORMAT
			",\"messages_with_warnings\":%" G_GUINT64_FORMAT
			",\"icmp_quoted\":%" G_GUINT64_FORMAT ",\"ip_fragments\":%" G_GUINT64_FORMAT
			",\"ip_reassembled\":%" G_GUINT64_FORMAT ",\"tcp_streams\":%" G_GUINT64_FORMAT
			",\"tcp_gaps\":%" G_GUINT64_FORMAT ",\"keepalives\":%" G_GUINT64_FORMAT
			",\"non_sip_payloads\":%" G_GUINT64_FORMAT
			",\"retransmissions\":%" G_GUINT64_FORMAT ",\"transactions\":%u,\"dialogs\":%u"
			",\"calls\":%u,\"registrations\":%u,\"errors\":[",
			st->frames_read, st->frames_filtered, st->messages, st->invalid,
			st->with_warnings, st->icmp_notes, ds->fragments, ds->reassembled,
			fs->tcp_streams, fs->tcp_gaps, fs->keepalives, fs->not_sip,
			st->retransmissions, sip_model_txn_count(st->model),
			sip_model_dialog_count(st->model), sip_model_call_count(st->model),
			sip_model_registration_count(st->model));
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

int run_offline(const options *o)
{
	int status = EXIT_OK;
	g_autoptr(GPtrArray) srcs = g_ptr_array_new();
	frame_filter *filter = NULL;

	if (o->filter) {
		g_autoptr(GError) err = NULL;
		filter = frame_filter_new(o->filter, &err);
		if (!filter) {
			fprintf(stderr, "sipscope: %s\n", err->message);
			return EXIT_USAGE;
		}
	}
	for (char **p = o->read_files; *p; p++) {
		g_autoptr(GError) err = NULL;
		cap_source *s = cap_source_open(*p, &err);
		if (!s) {
			fprintf(stderr, "sipscope: %s\n", err->message);
			for (guint i = 0; i < srcs->len; i++)
				cap_source_free(g_ptr_array_index(srcs, i));
			frame_filter_free(filter);
			return EXIT_NO_INPUT;
		}
		g_ptr_array_add(srcs, s);
	}

	run_state st = { .opt = o };
	sink_init(&st.out, STDOUT_FILENO, "standard output");
	arena_init(&st.mem, 0);
	st.dec = cap_decoder_new(&st.mem, on_payload, &st);
	st.framer = cap_sipframer_new(&st.mem, on_sipmsg, &st);
	st.parsed = g_new0(sip_msg, 1);
	st.model = sip_model_new();
	st.late_errors = g_ptr_array_new_with_free_func(g_free);
	st.flows = g_hash_table_new_full(flow_hash, flow_equal, g_free, NULL);

	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	cap_merger *mg = cap_merger_new((cap_source **)srcs->pdata, srcs->len);
	cap_frame fr;
	while (!stop_requested && !sink_failed(&st.out) && cap_merger_next(mg, &fr) == CAP_NEXT_FRAME) {
		st.frames_read++;
		if (st.frames_read == 1 || fr.ts_ns > st.end_ts)
			st.end_ts = fr.ts_ns;
		if (filter && !frame_filter_match(filter, &fr)) {
			st.frames_filtered++;
			continue;
		}
		cap_decoder_feed(st.dec, &fr);
	}
	if (!sink_failed(&st.out))
		cap_sipframer_flush(st.framer);
	sip_model_finish(st.model, st.end_ts);
	bool ladder_missing = false;
	if (o->mode == OUT_JSON && !sink_failed(&st.out))
		json_write_model(&st.out, st.model);
	else if (o->mode == OUT_REPORT && !sink_failed(&st.out))
		ladder_missing = !write_reports(&st);

	const GPtrArray *errors = cap_merger_errors(mg);
	g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func(g_free);
	cap_decoder_notices(st.dec, notices);
	if (filter)
		frame_filter_notices(filter, notices);
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
	for (guint i = 0; i < errors->len; i++)
		fprintf(stderr, "sipscope: %s\n", ((GError *)g_ptr_array_index(errors, i))->message);
	if (errors->len && status == EXIT_OK)
		status = EXIT_PARTIAL;
	if (ladder_missing && status == EXIT_OK)
		status = EXIT_USAGE;
	if (!o->quiet) {
		for (guint i = 0; i < notices->len; i++)
			fprintf(stderr, "sipscope: note: %s\n", (char *)g_ptr_array_index(notices, i));
		fprintf(stderr, "sipscope: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
			" SIP messages (%" G_GUINT64_FORMAT " with warnings)%s\n",
			st.frames_read, st.messages, st.with_warnings,
			stop_requested ? ", stopped by a signal" : "");
	}
	sink_finish(&st.out);

	cap_merger_free(mg);
	cap_sipframer_free(st.framer);
	cap_decoder_free(st.dec);
	g_hash_table_destroy(st.flows);
	g_free(st.parsed);
	sip_model_free(st.model);
	g_ptr_array_free(st.late_errors, TRUE);
	arena_free(&st.mem);
	frame_filter_free(filter);
	return status;
}
