/*
 * source.h — where frames come from: capture files (classic pcap in all its
 * byte orders and timestamp resolutions, and pcapng with any mix of link
 * types and per-interface timestamp resolutions), read from a path or from
 * standard input ("-"), and a merger that interleaves several sources in
 * timestamp order.
 *
 * Regular files are memory-mapped: a frame's data is a view into the
 * mapping, valid until the source is freed.  Streams (stdin, pipes) are read
 * record by record and each record is copied into an arena owned by the
 * source, so views stay valid the same way.
 *
 * Damage (a truncated record, a corrupt block) ends the source: every frame
 * before it has been handed out, and the GError says where it stopped.
 */
#ifndef SIPSCOPE_CAPTURE_SOURCE_H
#define SIPSCOPE_CAPTURE_SOURCE_H

#include <glib.h>
#include <stdint.h>

#include "base/arena.h"
#include "capture/frame.h"

#define CAP_ERROR (cap_error_quark())
GQuark cap_error_quark(void);

typedef enum {
	CAP_ERROR_OPEN,      /* missing, unreadable, a directory, ... */
	CAP_ERROR_FORMAT,    /* not a pcap or pcapng file */
	CAP_ERROR_TRUNCATED, /* ends in the middle of a record or block */
	CAP_ERROR_CORRUPT,   /* a record or block that cannot be right */
	CAP_ERROR_READ,      /* an I/O error while reading */
} cap_error_code;

typedef enum {
	CAP_NEXT_FRAME = 1, /* *out holds a frame */
	CAP_NEXT_EOF = 0,   /* clean end */
	CAP_NEXT_ERROR = -1 /* damage or I/O error; *err set; the source is finished */
} cap_next_rc;

typedef struct cap_source cap_source;

/* Opens and checks the file header. path "-" is standard input. */
cap_source *cap_source_open(const char *path, GError **err);
/* Next record; out->num is set to out->record (the merger renumbers). */
cap_next_rc cap_source_next(cap_source *s, cap_frame *out, GError **err);
const char *cap_source_path(const cap_source *s);
/* "pcap" or "pcapng". */
const char *cap_source_format(const cap_source *s);
uint64_t cap_source_records(const cap_source *s);
void cap_source_free(cap_source *s);
/* cap_input_release_all for the source's file (nothing for a pipe). */
void cap_source_release_mapped(cap_source *s);

/* ---- merging ---------------------------------------------------------- */

typedef struct cap_merger cap_merger;

/* Takes ownership of the sources; source i's frames get .source = i. */
cap_merger *cap_merger_new(cap_source **sources, guint n);
/* Next frame in timestamp order (ties: lower source index first, then
 * record order; a source whose clock goes backwards is followed as it is).
 * Frames are numbered 1.. in the order returned.  A damaged source stops and
 * its error is kept (see below); the others go on.  Returns CAP_NEXT_FRAME
 * or CAP_NEXT_EOF only. */
cap_next_rc cap_merger_next(cap_merger *m, cap_frame *out);
/* Errors met so far, in order (GError*, owned by the merger). */
const GPtrArray *cap_merger_errors(const cap_merger *m);
/* cap_source_release_mapped for every source: only once reading is over. */
void cap_merger_release_mapped(cap_merger *m);
void cap_merger_free(cap_merger *m);
/* Frames waiting in the merger whose bytes lie in from get copies in to
 * (see arena_move). */
void cap_merger_relocate(cap_merger *m, const arena *from, arena *to);
/* Where a stream input (a pipe, standard input) keeps the records it hands
 * out; NULL for a mapped file.  A caller may rotate it (arena_take) once
 * nothing it handed out is held in it. */
arena *cap_source_stream_arena(cap_source *s);

#endif
