/*
 * pipeline.h — the stages of one run over capture files wired together:
 * sources (merged) → BPF filter → decoder → framer → parser → model.
 *
 * The pipeline is driven in steps (pipeline_step reads at most a given
 * number of frames), so the non-interactive run reads everything in one
 * loop and the interactive UI reads a batch between key presses and
 * redraws.  What to print per message is the caller's business: the
 * pipeline hands every message (and every ICMP-quoted copy) to the
 * callbacks it was given, after the model has taken it.
 *
 * Frames for saving: with keep_frames, the pipeline remembers for every
 * SIP message which frames carried its bytes: the frame where it ended;
 * for a message spread over TCP segments or SCTP chunks, the frames of its
 * stream from the one where it began; for a datagram put together from IP
 * fragments, the recent fragments between the same two addresses.  They
 * are views into the sources' bytes (memory-mapped or kept in the source's
 * arena: valid as long as the pipeline).  Frames that carried no SIP (a
 * TCP handshake, a WebSocket upgrade, other calls on the same connection)
 * are not kept: a stream saved from these frames has gaps, which readers
 * (sipscope, Wireshark) step over.
 *
 * Live input (-i, --hep-listen; capture/live.h) takes the place of the
 * files: the capture threads are started at open, after privileges are
 * dropped (-Z) and the -w file is created; a step reads what has been
 * captured so far.  -c ends the input after that many frames (after the
 * filter), --duration stops capturing after that time.  -w writes every
 * frame read (after the filter) as it is read, or with --write-sip-only
 * the frames that carried a SIP message, when the message is complete; the
 * file is closed by pipeline_finish (or pipeline_free).
 *
 * Reading ahead: for files, when no frames are kept (keep_frames) and
 * nothing is written (-w), a thread of the pipeline's own reads, decodes
 * and frames the messages while the caller's thread runs the model and
 * the hooks on the messages in their order; the two share the parsing,
 * each taking the part that keeps both busy; a step then takes
 * up to max_frames messages, waiting for the reading thread when it is
 * behind.  The model, the hooks and the counters of messages belong to
 * the caller's thread; the frame counters, the decoder's and framer's
 * statistics and the input errors are complete (and safe to read) once
 * pipeline_finish or pipeline_abandon returned.  SIPSCOPE_THREADS=1 in the
 * environment keeps one thread, =2 reads ahead even on one core (the
 * outputs are the same either way);
 * standard input (-r -) is read on one thread, message by message.
 *
 * Invariants: message ids of the model are the order in which messages
 * went in, so per-message data is indexed by sip_id.  Nothing here writes
 * to standard output or standard error.
 */
#ifndef SIPSCOPE_APP_PIPELINE_H
#define SIPSCOPE_APP_PIPELINE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/options.h"
#include "capture/decode.h"
#include "capture/frame.h"
#include "capture/live.h"
#include "capture/sipframe.h"
#include "dissect/model.h"
#include "output/message_out.h"

typedef struct pipeline pipeline;

/* An ICMP error quoting a SIP message sent earlier (not a message). */
typedef struct pipeline_icmp {
	uint64_t frame;
	uint8_t type, code;
	endpoint src, dst;
	bool quotes_known;     /* the quoted message was matched */
	uint64_t quotes_frame;
	uint32_t quotes_index;
} pipeline_icmp;

typedef struct pipeline_hooks {
	void *user;
	/* After the model took the message (mo->modelled set when it did);
	 * NULL: nothing prints messages, and no msg_out is filled for them. */
	void (*message)(void *user, const msg_out *mo);
	/* Optional (json_message_pre, text_message_pre): the part of what
	 * message writes that the model has no say in, written where the
	 * message is parsed, which is on the reading thread when there is
	 * one and it is ahead: message then finds it in mo->pre. */
	void (*message_pre)(const msg_out *mo, GString *out, size_t *split);
	void (*icmp)(void *user, const pipeline_icmp *ic);
} pipeline_hooks;

typedef struct pipeline_counters {
	uint64_t frames_read;
	uint64_t frames_filtered;
	uint64_t messages;
	uint64_t invalid;
	uint64_t with_warnings;
	uint64_t retransmissions;
	uint64_t icmp_notes;
	uint64_t bytes_read;   /* approximate: records' lengths and headers */
	uint64_t bytes_total;  /* sizes of the regular input files; 0 when unknown (a pipe) */
	int64_t end_ts;        /* timestamp of the newest frame read */
	/* live input: frames copied out of the capture rings because something
	 * may keep them (SIP, stream data, fragments), and their bytes; the
	 * others are decoded where they lie and cost no memory */
	uint64_t frames_kept;
	uint64_t bytes_kept;
	uint64_t mem_rotations;   /* live with limits: times kept bytes were copied forward
	                             and the older ones given back */
} pipeline_counters;

/* Where and how a captured message was seen, as the model keeps it
 * (sip_model_add's meta): the one translation from capture to model. */
sip_msg_meta pipeline_message_meta(const cap_sipmsg *m);

/* Opens every -r file and compiles the filter.  On failure returns NULL
 * with *err set and *exit_status the status to exit with (usage or no
 * input). */
pipeline *pipeline_open(const options *o, const pipeline_hooks *hooks, bool keep_frames,
			int *exit_status, GError **err);
/* Reads at most max_frames frames.  Returns true while more remain. */
bool pipeline_step(pipeline *p, uint64_t max_frames);
/* The same, but when live input has nothing yet, waits up to wait_ms for
 * the first frame (for a loop that would otherwise spin).  Live, a step
 * may read nothing and still return true: frames are still to come. */
bool pipeline_step_wait(pipeline *p, uint64_t max_frames, int wait_ms);
/* Live: stop capturing; the frames already captured are still read by
 * the next steps, then they return false.  Files: stop reading. */
void pipeline_stop(pipeline *p);
bool pipeline_is_live(const pipeline *p);
/* The live inputs (their names, link types and drop counters), or NULL
 * when reading files. */
const cap_live *pipeline_live(const pipeline *p);

/* -w: the error line once writing failed (then writing has stopped and
 * the run goes on), else NULL. */
const char *pipeline_write_error(pipeline *p);
typedef struct pipeline_write_info {
	uint64_t frames;    /* written */
	uint64_t lost;      /* not written after a failure */
	unsigned files;
	const char *format; /* "pcap" or "pcapng" */
	const char *path;   /* the last file */
} pipeline_write_info;
/* False without -w. */
bool pipeline_write_counts(const pipeline *p, pipeline_write_info *out);
/* Flushes and closes the -w file (pipeline_finish does it too) without
 * finishing the model. */
void pipeline_close_writer(pipeline *p);
/* End of input (or of reading): messages still held by the framer go out,
 * and the model judges its timers.  Once only; later calls do nothing. */
void pipeline_finish(pipeline *p);
/* Reading stops and what was read but not taken is dropped (a failed
 * output): the counters are then safe to read.  Without pipeline_finish. */
void pipeline_abandon(pipeline *p);
/* After pipeline_finish: gives the mapped files' pages back at once, as a
 * thread of the pipeline does every 5 ms from pipeline_finish on.  For
 * whoever reads message bytes all over the file faster than that (the
 * --json records written at the end).  Nothing for live input. */
void pipeline_release_mapped(pipeline *p);
/* The reading of the end is over (the UI: the findings' last checks read
 * a message or two of every call, all over the file): the thread stops
 * after giving the pages back a last time, and the pages of what the
 * user looks at afterwards come back as needed and stay. */
void pipeline_release_end(pipeline *p);
bool pipeline_finished(const pipeline *p);
void pipeline_free(pipeline *p);

sip_model *pipeline_model(const pipeline *p);
const pipeline_counters *pipeline_counters_get(const pipeline *p);
const cap_decode_stats *pipeline_decode_stats(const pipeline *p);
const cap_sipframe_stats *pipeline_sipframe_stats(const pipeline *p);
/* Damage met in the inputs so far (GError*, owned by the pipeline). */
const GPtrArray *pipeline_errors(const pipeline *p);
/* Things not decoded and filter notes: appends newly allocated strings. */
void pipeline_notices(const pipeline *p, GPtrArray *out);
/* The input names, comma-separated ("call.pcap", "a.pcap, b.pcap"). */
const char *pipeline_source_name(const pipeline *p);

/* The frames that carried these messages (keep_frames), each once, in
 * frame order: appends cap_frame values (data views stay valid while the
 * pipeline lives).  Messages without frames are skipped. */
void pipeline_frames_of_messages(const pipeline *p, const sip_id *msgs, size_t n, GArray *out);

#endif
