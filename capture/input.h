/*
 * input.h — the bytes of one capture input, whatever it is.
 *
 * A regular file is memory-mapped once (read-only, private) and every view
 * handed out points into the mapping.  Anything else (standard input, a
 * pipe, a FIFO, a character device) is read with read(2) in large blocks
 * into a scratch buffer; what must outlive the next read (a packet's bytes)
 * is copied into the input's arena with cap_input_keep().
 *
 * The readers above this see one interface: peek at the next n bytes, keep
 * the part they hand out, consume.  A stream never reads further than it
 * must to satisfy a peek, so a slow writer's first records are available
 * as soon as they arrive.
 *
 * Pages of a mapped file behind the cursor are given back to the kernel
 * (MADV_DONTNEED) every CAP_INPUT_RELEASE_STEP bytes: views into them stay
 * valid, a later read faults the page in again from the page cache, and
 * the resident set of a multi-gigabyte file stays at what is being
 * read plus what is looked at again.
 *
 * A mapped file that another process shortens while it is read raises
 * SIGBUS, as with every mmap reader; a capture still being written is best
 * read through a pipe (`tail -c +1 -f x.pcap | sipscope -r -`).
 *
 * Signals do not end a blocked read: EINTR is retried, so that a resize or
 * a child's exit never cuts a stream short.
 *
 * Invariants: off is the absolute offset of the cursor from the start of
 * the input; for a stream, buf[start, end) are the bytes at off and after.
 */
#ifndef SIPSCOPE_CAPTURE_INPUT_H
#define SIPSCOPE_CAPTURE_INPUT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/bytes.h"

typedef struct cap_input {
	char *name;       /* for messages: the path, or "standard input" */
	int fd;           /* -1 once closed (mapped files close it at once) */
	bool own_fd;      /* close fd when done (not for standard input) */
	bool mapped;
	uint64_t off;     /* bytes consumed since the start of the input */

	/* mapped: the whole input (from the starting offset on) */
	void *map_base;   /* what mmap returned */
	size_t map_len;   /* what was mapped */
	sv map;           /* the part that is the capture */
	uint64_t release_at; /* cursor offset of the next cap_input_release */
	size_t given_back;   /* map_base bytes whose pages were given back */

	/* stream */
	uint8_t *buf;
	size_t cap, start, end;
	bool eof;
	arena mem;        /* kept records */
} cap_input;

/* Opens path ("-" is standard input).  On failure returns false with a
 * CAP_ERROR_OPEN error ("path: reason"); an empty regular file is an error
 * too (CAP_ERROR_FORMAT, "path: empty file"). */
bool cap_input_open(cap_input *in, const char *path, GError **err);
void cap_input_close(cap_input *in);

/* What is behind the cursor stays mapped for up to twice this: the
 * findings look back at messages seconds old, a few MB of a busy link. */
enum { CAP_INPUT_RELEASE_STEP = 8 << 20 };

/* Slow path of cap_input_consume for mapped files: gives back the pages
 * behind the cursor. */
void cap_input_release(cap_input *in);
/* Gives back the pages of the whole mapping, for use once reading is
 * over: what was touched since (records written at the end read message
 * bytes again) stops counting against the process's memory. */
void cap_input_release_all(cap_input *in);

/* Slow path of cap_input_peek for streams. */
bool cap_input_fill(cap_input *in, size_t n, sv *out, GError **err);

/* A view of the next n bytes, or of fewer when the input ends before them
 * (out->len tells).  For a mapped file the view is valid for the life of
 * the input; for a stream only until the next peek or consume.  False (with
 * a CAP_ERROR_READ error) only on an I/O error. */
static inline bool cap_input_peek(cap_input *in, size_t n, sv *out, GError **err)
{
	if (in->mapped) {
		*out = sv_sub(in->map, (size_t)in->off, n);
		return true;
	}
	if (in->end - in->start >= n) {
		*out = sv_make(in->buf + in->start, n);
		return true;
	}
	return cap_input_fill(in, n, out, err);
}

/* Moves the cursor n bytes on; n never exceeds what the last peek showed. */
static inline void cap_input_consume(cap_input *in, size_t n)
{
	if (!in->mapped) {
		g_assert(n <= in->end - in->start);
		in->start += n;
	}
	in->off += n;
	if (in->mapped && in->off >= in->release_at)
		cap_input_release(in);
}

/* A view that stays valid for the life of the input: v itself for a mapped
 * file, a copy in the arena for a stream.  v must come from the last peek. */
static inline sv cap_input_keep(cap_input *in, sv v)
{
	if (in->mapped)
		return v;
	return sv_make(arena_copy(&in->mem, v.p, v.len), v.len);
}

static inline uint64_t cap_input_offset(const cap_input *in)
{
	return in->off;
}

#endif
