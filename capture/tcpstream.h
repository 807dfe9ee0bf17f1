/*
 * tcpstream.h — one direction of a TCP connection put back into sequence
 * order.
 *
 * The stream tracks the next expected sequence number (ISN+1 from the SYN
 * when seen, else the first data segment's seq).  Segments wholly before it
 * are retransmissions (their bytes counted, dropped); segments overlapping it
 * are trimmed; segments ahead of it are held, sorted by sequence number,
 * until the gap fills.  Held data are views into the frames they came in
 * (frame bytes outlive the run), so holding costs one small record per
 * segment, never a copy.
 *
 * Bounds: at most TCP_HOLD_BYTES and TCP_HOLD_STREAM_SEGMENTS held per
 * stream, at most TCP_HOLD_SEGMENTS held over all streams (tcp_shared).  When
 * a bound is hit, the first gap is skipped: what follows is handed on with
 * tcp_chunk.gap set.  Sequence arithmetic is modulo 2^32.
 *
 * In-order bytes go to a callback as chunks.  The callback must not touch the
 * stream it is called from.
 */
#ifndef SIPSCOPE_CAPTURE_TCPSTREAM_H
#define SIPSCOPE_CAPTURE_TCPSTREAM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/bytes.h"
#include "capture/frame.h"

enum {
	TCP_HOLD_BYTES = 1 << 20,
	TCP_HOLD_STREAM_SEGMENTS = 4096, /* keeps sorted insertion cheap */
	TCP_HOLD_SEGMENTS = 65536,
	/* A segment further than this from the expected seq (either way)
	 * belongs to another sequence space: resynchronise on it. */
	TCP_RESYNC_DISTANCE = 64 << 20,
};

/* Bytes handed on in sequence order. */
typedef struct tcp_chunk {
	sv data;
	uint64_t frame_num;      /* frame the bytes arrived in */
	const cap_frame *frame;  /* frame credited with what these bytes complete */
	bool gap;                /* bytes are missing just before data */
	bool cut;                /* the segment was cut by the snap length after data */
} tcp_chunk;

typedef void (*tcp_chunk_fn)(void *user, const tcp_chunk *c);

/* Counters and bounds shared by all streams of one framer. */
typedef struct tcp_shared {
	size_t held_segments;
	uint64_t gaps;
	uint64_t retransmitted_bytes;
} tcp_shared;

typedef struct tcp_segment {
	const cap_frame *frame;
	uint32_t seq;
	uint8_t flags;           /* CAP_TCP_* */
	sv data;
	bool cut;                /* data ends where the snap length cut the frame */
} tcp_segment;

typedef struct tcp_stream {
	bool have_seq;
	bool syn_seen;
	bool fin_seen;
	bool gap_pending;        /* the next chunk handed on follows a gap */
	bool cut_pending;        /* the last chunk was cut: a jump ahead is a gap */
	uint32_t isn;
	uint32_t first_seq;      /* where the sequence was picked up (no SYN yet) */
	uint32_t next_seq;
	uint32_t fin_seq;        /* sequence number of the FIN */
	GArray *held;            /* of struct tcp_held, ascending seq; NULL when none yet */
	size_t held_bytes;
} tcp_stream;

void tcp_stream_init(tcp_stream *s);
/* Held segments whose bytes lie in from get copies in to (see
 * arena_move); their frames' bytes too with frames, else those views are
 * dropped (SV_NULL: nobody downstream reads them). */
void tcp_stream_relocate(tcp_stream *s, const arena *from, arena *to, bool frames);
/* Drops held segments (without handing them on) and frees memory. */
void tcp_stream_clear(tcp_stream *s, tcp_shared *sh);
/* A SYN that starts a new connection on a stream already in use. */
bool tcp_stream_is_restart(const tcp_stream *s, const tcp_segment *seg);
/* Takes one segment; hands on whatever became in order.  Chunks complete
 * messages on behalf of seg->frame. */
void tcp_stream_segment(tcp_stream *s, tcp_shared *sh, const tcp_segment *seg,
			tcp_chunk_fn fn, void *user);
/* Hands on everything held, skipping the gaps.  frame NULL: each held
 * segment is credited to its own frame (end of input). */
void tcp_stream_drain(tcp_stream *s, tcp_shared *sh, const cap_frame *frame,
		      tcp_chunk_fn fn, void *user);
/* The FIN was reached in sequence: nothing more will come. */
bool tcp_stream_ended(const tcp_stream *s);
size_t tcp_stream_held(const tcp_stream *s);

#endif
