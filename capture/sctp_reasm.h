/*
 * sctp_reasm.h — SCTP user messages put together from DATA fragments
 * (RFC 9260 §6.9) and I-DATA fragments (RFC 8260), and retransmitted
 * chunks recognised so each user message is handed on once.
 *
 * Fragments are grouped per association direction (input, addresses,
 * ports, verification tag) and stream:
 *   - ordered DATA: by stream sequence number; the fragments of a message
 *     carry consecutive TSNs from the first (B) to the last (E);
 *   - unordered DATA (U flag): the SSN means nothing, so one group holds
 *     every unordered fragment of the stream, and a message is a run of
 *     consecutive TSNs from a B fragment to an E fragment with no other B
 *     or E inside;
 *   - I-DATA: by message identifier (ordered and unordered apart), placed
 *     by fragment sequence number (the first fragment's FSN is 0).
 * Fragments may come in any order; serial arithmetic handles TSN
 * wrap-around.  A fragment repeating a TSN (FSN) its group already holds
 * is a duplicate: the first copy wins.
 *
 * Retransmissions: per direction, the TSNs of the last SCTP_REASM_WINDOW
 * chunks handed on (whole or as part of a message) are remembered with a
 * fingerprint of the chunk; a chunk repeating both is ignored.  A TSN seen
 * with other bytes is not a retransmission (a restarted peer, a damaged or
 * merged capture) and is handed on.
 *
 * Pieces are views into the frames that carried them (those bytes live for
 * the whole run); a message is copied once, into the arena, when its last
 * missing fragment arrives.  An unfragmented chunk is handed on as a view,
 * without a copy.
 *
 * Bounds: SCTP_REASM_MAX_PARTIALS groups (the one that waited longest for
 * a fragment is evicted), SCTP_REASM_MAX_PIECES fragments and
 * SCTP_REASM_MAX_MESSAGE bytes per group, SCTP_REASM_MAX_PIECES_ALL
 * fragments held over all groups, SCTP_REASM_MAX_DIRS directions
 * remembered.  A message over the limits is given up: counted once, its
 * fragments dropped, and later fragments of it ignored until its last one.
 * Fragments held by a group that is evicted, or still held at the end,
 * count as not reassembled.
 */
#ifndef SIPSCOPE_CAPTURE_SCTP_REASM_H
#define SIPSCOPE_CAPTURE_SCTP_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/bytes.h"

enum {
	SCTP_REASM_MAX_MESSAGE = 16 * 1024 * 1024, /* bytes */
	SCTP_REASM_MAX_PARTIALS = 1024,
	SCTP_REASM_MAX_PIECES = 4096,      /* per partial message */
	SCTP_REASM_MAX_PIECES_ALL = 65536, /* over all partial messages */
	SCTP_REASM_MAX_DIRS = 1024,
	SCTP_REASM_WINDOW = 1024,          /* TSNs remembered per direction */
};

/* DATA / I-DATA chunk flags. */
enum {
	SCTP_CHUNK_E = 0x01, /* last fragment */
	SCTP_CHUNK_B = 0x02, /* first fragment */
	SCTP_CHUNK_U = 0x04, /* unordered */
};

/* One direction of an association. */
typedef struct sctp_dir_key {
	uint32_t input;  /* the capture input (cap_frame.source) */
	uint32_t vtag;   /* verification tag */
	uint16_t sport, dport;
	uint8_t family;  /* 4 or 6 (EP_IPV4 / EP_IPV6) */
	uint8_t src[16], dst[16];
} sctp_dir_key;

/* A DATA or I-DATA chunk's header fields and user data. */
typedef struct sctp_chunk {
	bool idata;
	uint8_t flags;   /* SCTP_CHUNK_* */
	uint32_t tsn;
	uint16_t sid;
	uint16_t ssn;    /* DATA */
	uint32_t mid;    /* I-DATA */
	uint32_t ppid;   /* DATA; I-DATA only with B set */
	uint32_t fsn;    /* I-DATA without B (with B it is 0) */
	sv data;
} sctp_chunk;

typedef enum sctp_reasm_result {
	SCTP_REASM_HELD,      /* a fragment kept; its message is not whole yet */
	SCTP_REASM_COMPLETE,  /* *out is a whole user message */
	SCTP_REASM_DUPLICATE, /* seen before (a retransmission): ignored */
	SCTP_REASM_DROPPED,   /* part of a message given up (over the limits) */
	SCTP_REASM_BAD,       /* a fragment no message can have: ignored */
} sctp_reasm_result;

typedef struct sctp_message {
	sv data;            /* a view into the frame, or a copy in the arena */
	uint32_t ppid;      /* of the first fragment */
	uint16_t sid;
	uint32_t fragments; /* 1 when the chunk was whole */
} sctp_message;

typedef struct sctp_reasm_stats {
	uint64_t messages;       /* put together from two or more fragments */
	uint64_t duplicates;     /* chunks ignored as retransmissions */
	uint64_t lost;           /* fragments not reassembled: evicted, discarded or still waiting */
	uint64_t lost_first;     /* frame of the earliest of them (0: none) */
	uint64_t oversize;       /* messages given up over the limits */
	uint64_t oversize_first; /* frame where the first was given up */
	uint64_t bad;            /* fragments no message can have */
} sctp_reasm_stats;

typedef struct sctp_reasm sctp_reasm;

/* mem: where reassembled messages are copied. */
sctp_reasm *sctp_reasm_new(arena *mem);
void sctp_reasm_free(sctp_reasm *t);
/* Pieces held in from get copies in to (see arena_move). */
void sctp_reasm_relocate(sctp_reasm *t, const arena *from, arena *to);

/* One chunk of direction k, carried by frame.  Whole chunks (B and E set)
 * come back at once as COMPLETE unless they are retransmissions. */
sctp_reasm_result sctp_reasm_add(sctp_reasm *t, const sctp_dir_key *k, const sctp_chunk *c,
				 uint64_t frame, sctp_message *out);

/* A fragment that cannot be used (cut short by the capture): counted as
 * not reassembled. */
void sctp_reasm_discard(sctp_reasm *t, uint64_t frame);

/* The counts as of now (fragments still waiting count as lost). */
void sctp_reasm_stats_get(const sctp_reasm *t, sctp_reasm_stats *out);

#endif
