/*
 * pcap_writer.h — writes frames to capture files as they arrive (-w), with
 * rotation by size (-C) and by time (-G); and a set of frames to one file
 * in one go (cap_writer_save: the UI's "save packets").
 *
 * Format: classic pcap (microsecond timestamps, the most widely read, or
 * nanosecond ones when asked) when every input has the same link type;
 * pcapng (one interface block per input and link type, named, nanosecond
 * timestamps) when they differ, since a classic file has a single link
 * type.  The choice is made once, from the inputs given at open (or
 * pcapng when asked, for inputs whose link types are not known in
 * advance), and holds for every file of the run.
 *
 * Whole records only: records are built in a buffer and written whole; a
 * file is never left ending in part of a record by us.  When a write
 * fails (a full disk, an I/O error), the file is cut back to its last
 * whole record, writing stops for the rest of the run (the capture itself
 * goes on), the error is kept as one line (cap_writer_error) and every
 * frame not written is counted.  Data reaches the file when the buffer
 * fills, at cap_writer_flush() (call it when input is idle, so a reader
 * of the file sees recent frames) and at cap_writer_close().
 *
 * Rotation: with -C, a new file is started before a record would take the
 * current one past the size; with -G, when a frame's timestamp is that
 * many seconds or more after the first frame of the current file (the
 * capture's clock, not the wall clock, so replays rotate alike).  Names
 * sort in the order written: a 5-digit counter is put before the
 * extension ("calls.pcap" -> "calls-00000.pcap", "calls-00001.pcap", ...).
 * With -G and a name holding '%', the name is an strftime(3) pattern
 * expanded with the local time at which the file starts (like tcpdump):
 * the first file when the writer is opened, the next ones at the frame
 * that started them; the counter is then added only with -C too, or when
 * the expanded name repeats.  Without rotation the name is used as given.
 * Rotation happens only when a frame arrives: a quiet link keeps its
 * file open.
 */
#ifndef SIPSCOPE_CAPTURE_PCAP_WRITER_H
#define SIPSCOPE_CAPTURE_PCAP_WRITER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/frame.h"

typedef struct cap_writer_iface {
	uint32_t linktype; /* LINKTYPE_* */
	uint32_t snaplen;
	const char *name;  /* pcapng if_name; may be NULL */
} cap_writer_iface;

typedef struct cap_writer_config {
	const char *path;
	uint64_t rotate_bytes; /* -C (bytes); 0: no size rotation */
	uint32_t rotate_secs;  /* -G; 0: no time rotation */
	const cap_writer_iface *ifaces; /* indexed by cap_frame.source */
	guint n_ifaces;
	bool pcapng;           /* pcapng whatever the link types (inputs whose
				* link types are not known in advance) */
	bool nsec;             /* classic pcap: nanosecond timestamps (magic
				* 0xa1b23c4d) rather than microsecond ones */
} cap_writer_config;

typedef struct cap_writer cap_writer;

/* Creates the first file.  NULL + *err (G_FILE_ERROR, "cannot write
 * PATH: reason") when it cannot be created. */
cap_writer *cap_writer_open(const cap_writer_config *cfg, GError **err);
/* Adds one frame (rotating first when due).  False once writing has
 * failed: the frame is counted as not written. */
bool cap_writer_write(cap_writer *w, const cap_frame *f);
/* Writes what is buffered.  False once writing has failed. */
bool cap_writer_flush(cap_writer *w);
/* Flushes, closes and frees.  Returns false when writing failed at any
 * point (the error line is then in *err). */
bool cap_writer_close(cap_writer *w, GError **err);

bool cap_writer_failed(const cap_writer *w);
/* "cannot write calls-00003.pcap: No space left on device; writing
 * stopped after 1203 frames (the file ends with whole records)", or NULL. */
const char *cap_writer_error(const cap_writer *w);
/* "pcap" or "pcapng" */
const char *cap_writer_format(const cap_writer *w);
uint64_t cap_writer_frames(const cap_writer *w);     /* frames written */
uint64_t cap_writer_frames_lost(const cap_writer *w); /* frames not written after a failure */
guint cap_writer_files(const cap_writer *w);          /* files started */
/* Name of the file being written (or the last one). */
const char *cap_writer_path(const cap_writer *w);

/* The name of file number index for this configuration (what rotation
 * uses; exposed for tests).  ts_ns: when the file starts. */
char *cap_writer_file_name(const cap_writer_config *cfg, guint index, int64_t ts_ns);

/* Writes frames[0..n) in the order given to path (replaced if it exists),
 * as they were read: link-layer bytes, timestamps, original lengths.
 * Classic pcap with nanosecond timestamps when every frame has the same
 * link type (Ethernet when there are none), else pcapng.  *written: the
 * frames written.  False + *err (the error line) on failure; the file
 * then ends with whole records. */
bool cap_writer_save(const char *path, const cap_frame *frames, size_t n, uint64_t *written,
		     GError **err);

#endif
