/*
 * ipfrag.h — IPv4 and IPv6 fragment reassembly.
 *
 * A fragment set is keyed by (input, family, source, destination,
 * identification, protocol / next header).  Fragments may come in any
 * order; where they overlap, the bytes that arrived first win (as most
 * stacks do).  The set is complete when the last fragment (MF clear) is
 * known and every byte before it has arrived.
 *
 * Pieces are views into the frames that carried them (those bytes live
 * for the whole run); bytes are copied once, into the arena, when the
 * datagram completes.  A completed set stays known until it ages out so
 * that late duplicates of its fragments are recognised, not taken for a
 * new datagram that never completes; a datagram captured twice whole is
 * handed on twice, as an unfragmented packet captured twice would be.
 *
 * Bounds: IPFRAG_MAX_SETS sets (the oldest is evicted), IPFRAG_TIMEOUT_NS
 * of capture time per set, IPFRAG_MAX_PAYLOAD bytes per datagram, and a
 * cap on the pieces held so hostile overlaps cannot cost quadratic time or
 * unbounded memory.  Sets dropped before completion are counted.
 */
#ifndef SIPSCOPE_CAPTURE_IPFRAG_H
#define SIPSCOPE_CAPTURE_IPFRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/bytes.h"

enum {
	IPFRAG_MAX_SETS = 4096,
	IPFRAG_MAX_PAYLOAD = 65535,   /* fragment offset + length */
	IPFRAG_MAX_PIECES = 2048,     /* per set */
	IPFRAG_MAX_PIECES_ALL = 65536 /* over all sets */
};

#define IPFRAG_TIMEOUT_NS (60 * INT64_C(1000000000))

typedef struct ipfrag_key {
	uint32_t input;  /* the capture input (cap_frame.source) */
	uint32_t id;     /* IPv4 identification or IPv6 fragment id */
	uint8_t family;  /* 4 or 6 */
	uint8_t proto;   /* IPv4 protocol / IPv6 fragment header next header */
	uint8_t src[16], dst[16];
} ipfrag_key;

typedef enum ipfrag_result {
	IPFRAG_HELD,      /* kept, datagram not complete yet */
	IPFRAG_COMPLETE,  /* *out is the whole datagram payload */
	IPFRAG_BAD,       /* impossible offset/length; dropped */
} ipfrag_result;

typedef struct ipfrag_table ipfrag_table;

/* mem: where completed datagrams are copied. */
ipfrag_table *ipfrag_new(arena *mem);
void ipfrag_free(ipfrag_table *t);
/* Pieces and datagrams held in from get copies in to (see arena_move). */
void ipfrag_relocate(ipfrag_table *t, const arena *from, arena *to);

/* One fragment: offset in bytes of data within the datagram payload, and
 * whether more fragments follow.  now_ns ages the sets. */
ipfrag_result ipfrag_add(ipfrag_table *t, const ipfrag_key *k, uint32_t offset,
			 bool more, sv data, uint64_t frame, int64_t now_ns, sv *out);

/* Drop the sets older than IPFRAG_TIMEOUT_NS at capture time now_ns. */
void ipfrag_expire(ipfrag_table *t, int64_t now_ns);

/* Sets dropped incomplete plus sets still waiting, for one family (4 or 6),
 * and the frame of the first fragment of the earliest of them (0: none). */
uint64_t ipfrag_incomplete(const ipfrag_table *t, int family, uint64_t *first_frame);
/* The same count over both families, in O(1). */
uint64_t ipfrag_incomplete_total(const ipfrag_table *t);

#endif
