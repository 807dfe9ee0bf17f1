/*
 * stages.c — what sipscope's stages cost on a capture file, one thread,
 * each stage with the ones before it.
 *
 *     sipscope-stages read|frame|parse|model FILE
 *
 *   read    the capture file through capture/source (mapped, record by
 *           record): what `sipscope -r` pays to read, to set beside the
 *           libpcap floor (sipscope-floor)
 *   frame   and every frame decoded (link, IP, reassembly, UDP, TCP
 *           streams, ...) and framed into SIP messages
 *   parse   and every message parsed (sip_parse_message) and prepared for
 *           the model (sip_model_prepare)
 *   model   and every message put into a model that forgets finished
 *           calls and registrations, as `--stats` runs it (transactions,
 *           dialogs, calls, registrations, eviction), with no tap
 *
 * What `SIPSCOPE_THREADS=1 sipscope -r FILE --stats` takes beyond `model`
 * is the pipeline's own work (frame and flow bookkeeping, the hand-over
 * of each message) and the statistics.  Prints "FRAMES frames, MESSAGES SIP messages (WARNED with warnings)" on
 * standard output (the messages are counted from `frame` on, the
 * warnings at `parse`).
 *
 * Why the benchmark wants it: the targets set `--stats` against the
 * floor, and these rows say how much of the time each stage takes by
 * itself on the same file in the same run, where the per-stage callgrind
 * profile counts instructions only.  Like `sipscope -r`, it gives the
 * file's pages back behind the reader (cap_source_release_mapped), so its
 * resident set is its own.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "base/arena.h"
#include "capture/decode.h"
#include "capture/sipframe.h"
#include "capture/source.h"
#include "app/pipeline.h"
#include "dissect/model.h"
#include "dissect/sip.h"

enum stage { STAGE_READ, STAGE_FRAME, STAGE_PARSE, STAGE_MODEL };

/* Frames between two givings back of the pages read (about 4 MB of a
 * capture of SIP over UDP). */
enum { RELEASE_EVERY = 8192 };

typedef struct run {
	enum stage upto;
	cap_sipframer *framer;
	sip_msg *parsed;
	sip_model *model;
	uint64_t messages, warned;
} run;

static void on_sipmsg(void *user, const cap_sipmsg *m)
{
	run *r = user;
	r->messages++;
	if (r->upto < STAGE_PARSE || (m->flags & CAP_SIPMSG_ICMP_QUOTED))
		return;
	sip_prepared prep;
	sip_parse_message(m->data, m->transport != SIP_TRANSPORT_UDP, r->parsed);
	sip_model_prepare(r->parsed, &prep);
	if (r->parsed->n_warnings + r->parsed->n_warnings_dropped)
		r->warned++;
	if (r->model) {
		sip_msg_meta meta = pipeline_message_meta(m);
		sip_model_add_prepared(r->model, &meta, r->parsed, &prep);
	}
}

static void on_payload(void *user, const cap_payload *pl)
{
	run *r = user;
	cap_sipframer_feed(r->framer, pl);
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "read", "frame", "parse", "model" };
	int upto = -1;
	for (int i = 0; argc == 3 && i < (int)G_N_ELEMENTS(names); i++)
		if (strcmp(argv[1], names[i]) == 0)
			upto = i;
	if (upto < 0) {
		fprintf(stderr, "usage: sipscope-stages read|frame|parse|model FILE\n");
		return 2;
	}
	g_autoptr(GError) err = NULL;
	cap_source *src = cap_source_open(argv[2], &err);
	if (!src) {
		fprintf(stderr, "sipscope-stages: %s\n", err->message);
		return 3;
	}
	run r = { .upto = (enum stage)upto };
	arena mem;
	arena_init(&mem, 0);
	cap_decoder *dec = NULL;
	if (r.upto >= STAGE_FRAME) {
		dec = cap_decoder_new(&mem, on_payload, &r);
		r.framer = cap_sipframer_new(&mem, on_sipmsg, &r);
	}
	if (r.upto >= STAGE_PARSE)
		r.parsed = g_new0(sip_msg, 1);
	if (r.upto >= STAGE_MODEL) {
		r.model = sip_model_new();
		sip_limits limits = { .forget_finished = true, .forget_registers = true };
		if (!sip_model_set_limits(r.model, &limits))
			g_assert_not_reached();
	}

	uint64_t frames = 0;
	cap_frame fr;
	cap_next_rc rc;
	while ((rc = cap_source_next(src, &fr, &err)) == CAP_NEXT_FRAME) {
		frames++;
		if (dec)
			cap_decoder_feed(dec, &fr);
		if (frames % RELEASE_EVERY == 0)
			cap_source_release_mapped(src);
	}
	int status = 0;
	if (rc == CAP_NEXT_ERROR) {
		fprintf(stderr, "sipscope-stages: %s\n", err->message);
		status = 4;
	}
	if (r.framer)
		cap_sipframer_flush(r.framer);
	printf("%" PRIu64 " frames, %" PRIu64 " SIP messages (%" PRIu64 " with warnings)\n",
	       frames, r.messages, r.warned);
	if (r.framer)
		cap_sipframer_free(r.framer);
	if (dec)
		cap_decoder_free(dec);
	if (r.model)
		sip_model_free(r.model);
	g_free(r.parsed);
	arena_free(&mem);
	cap_source_free(src);
	return status;
}
