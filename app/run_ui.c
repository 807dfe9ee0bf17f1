#include "run_ui.h"

#include <stdio.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "app/exit_status.h"
#include "app/pipeline.h"
#include "app/run.h"
#include "capture/live.h"
#include "capture/pcap_writer.h"
#include "dissect/findings.h"
#include "ui/ui.h"
#include "ui/ui_config.h"

/* Frames read between two looks at the keyboard: small enough that keys
 * answer at once (a few milliseconds of work), large enough that a big
 * file loads at full speed. */
enum { BATCH_FRAMES = 5000 };

/* Live: the longest a step waits for the first frame; the keyboard is
 * looked at between steps. */
enum { LIVE_WAIT_MS = 50 };

typedef struct ui_run_state {
	pipeline *pipe;
	findings *found;
	bool live;
} ui_run_state;

/* Limits: once a call is evicted its findings are of no more use (a
 * ladder left open on it keeps its own copy of their text). */
static void forget_evicted(void *user, const sip_model *m, sip_event ev, sip_id call)
{
	(void)m;
	(void)ev;
	findings_forget_call(user, call);
}

static bool feed_step(void *user)
{
	ui_run_state *st = user;
	if (pipeline_step_wait(st->pipe, BATCH_FRAMES, st->live ? LIVE_WAIT_MS : 0))
		return true;
	pipeline_finish(st->pipe);
	findings_finish(st->found);
	findings_retire(st->found);
	/* nothing more comes in: the model's matching indexes go */
	sip_model_compact(pipeline_model(st->pipe));
#if defined(__GLIBC__)
	/* what loading freed lies among what it kept: the whole pages of it
	 * go back to the system (free alone gives back only the heap's top) */
	malloc_trim(0);
#endif
	/* what loading and the findings read again of the file goes (and
	 * went every few milliseconds while they read); the pages of what
	 * the user looks at come back as needed */
	pipeline_release_end(st->pipe);
	return false;
}

static void feed_status(void *user, ui_feed_status *out)
{
	ui_run_state *st = user;
	const pipeline_counters *c = pipeline_counters_get(st->pipe);
	out->frames = c->frames_read;
	out->messages = c->messages;
	out->bytes_read = c->bytes_read;
	out->bytes_total = c->bytes_total;
	const GPtrArray *errors = pipeline_errors(st->pipe);
	out->errors = errors->len;
	if (!st->live)
		return;
	const cap_live *lv = pipeline_live(st->pipe);
	cap_live_stats ls;
	cap_live_get_stats(lv, -1, &ls);
	out->capturing = cap_live_running(lv) > 0 && !pipeline_finished(st->pipe);
	out->kernel_dropped = ls.kernel_dropped;
	out->if_dropped = ls.if_dropped;
	out->ring_dropped = ls.ring_dropped;
	if (errors->len)
		out->last_error = ((GError *)g_ptr_array_index(errors, errors->len - 1))->message;
}

static bool feed_save(void *user, const sip_id *msgs, size_t n, const char *path, uint64_t *written,
		      GError **err)
{
	ui_run_state *st = user;
	g_autoptr(GArray) frames = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	pipeline_frames_of_messages(st->pipe, msgs, n, frames);
	return cap_writer_save(path, (cap_frame *)frames->data, frames->len, written, err);
}

/* The file names without their folders, for the status bar. */
static char *short_names(const options *o)
{
	g_autoptr(GString) s = g_string_new(NULL);
	for (char **p = o->read_files; p && *p; p++) {
		if (s->len)
			g_string_append(s, ", ");
		if (strcmp(*p, "-") == 0) {
			g_string_append(s, "standard input");
		} else {
			g_autofree char *b = g_path_get_basename(*p);
			g_string_append(s, b);
		}
	}
	return g_string_free(g_steal_pointer(&s), FALSE);
}

int run_ui(const options *o, bool *started)
{
	*started = false;
	g_autoptr(GError) err = NULL;
	/* Before the terminal changes, so a mistake in the file is said on
	 * standard error as any usage error is. */
	ui_config cfg;
	ui_config_init(&cfg);
	g_autofree char *cfg_path = o->config_file ? g_strdup(o->config_file) : ui_config_default_path();
	if (!ui_config_load(&cfg, cfg_path, o->config_file != NULL, &err)) {
		fprintf(stderr, "sipscope: %s\n", err->message);
		*started = true;
		return EXIT_USAGE;
	}
	if (!ui_start(&err))
		return EXIT_OK;
	*started = true;

	int status = EXIT_OK;
	ui_run_state st = { 0 };
	st.pipe = pipeline_open(o, NULL, true, &status, &err);
	if (!st.pipe) {
		ui_stop();
		fprintf(stderr, "sipscope: %s\n", err->message);
		return status;
	}
	/* Before the first message: the call list counts findings and the
	 * ladder marks them. */
	st.found = findings_new(pipeline_model(st.pipe));
	sip_model_tap_add(pipeline_model(st.pipe), SIP_EV_EVICT, forget_evicted, st.found);
	g_autofree char *names = short_names(o);
	st.live = pipeline_is_live(st.pipe);
	ui_feed feed = {
		.user = &st,
		.model = pipeline_model(st.pipe),
		.found = st.found,
		.config = &cfg,
		.source_name = st.live ? pipeline_source_name(st.pipe) : names,
		.live = st.live,
		.step = feed_step,
		.status = feed_status,
		.save_packets = feed_save,
	};
	ui_run(&feed);

	/* After the terminal is back: damage met in the inputs.  The UI may
	 * have quit before the end of input: the model is not finished then
	 * (its tap belonged to the UI). */
	const GPtrArray *errors = pipeline_errors(st.pipe);
	for (guint i = 0; i < errors->len; i++)
		fprintf(stderr, "sipscope: %s\n", ((GError *)g_ptr_array_index(errors, i))->message);
	if (errors->len)
		status = EXIT_PARTIAL;
	/* -w: the file is closed whole; a failure is said now.  (Not
	 * pipeline_finish: messages still held would reach the UI's tap,
	 * which is gone.) */
	pipeline_close_writer(st.pipe);
	const char *we = pipeline_write_error(st.pipe);
	if (we) {
		fprintf(stderr, "sipscope: %s\n", we);
		status = EXIT_OUTPUT;
	}
	if (!o->quiet)
		run_print_capture_counts(st.pipe);
	findings_free(st.found);
	pipeline_free(st.pipe);
	return status;
}
