/*
 * decode.h — from a frame to transport payloads: link layer (Ethernet with
 * 802.1Q/802.1ad tags, Linux SLL and SLL2, raw IPv4/IPv6, BSD loopback),
 * tunnels (IP-in-IP, GRE incl. transparent Ethernet bridging and ERSPAN
 * II/III, PPP, PPPoE, GTP-U), IPv4/IPv6 with extension headers and fragment
 * reassembly, then UDP, TCP and SCTP (DATA and I-DATA chunks; fragmented
 * user messages are put together).  One function per layer, each reading
 * through a bounds-checked reader.
 *
 * The decoder knows nothing about SIP.  It hands every transport payload to
 * the callback, in frame order.  A payload's data is a view into the frame,
 * or into the decoder's arena when it was put together from IP fragments
 * or SCTP fragments.
 *
 * Payloads quoted inside ICMP/ICMPv6 error messages are handed on too, with
 * icmp_quoted set: they are copies of earlier datagrams, never new traffic.
 */
#ifndef SIPSCOPE_CAPTURE_DECODE_H
#define SIPSCOPE_CAPTURE_DECODE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/endpoint.h"
#include "capture/frame.h"

typedef enum {
	CAP_PROTO_UDP = 17,
	CAP_PROTO_TCP = 6,
	CAP_PROTO_SCTP = 132,
} cap_proto;

enum {
	CAP_TCP_FIN = 0x01,
	CAP_TCP_SYN = 0x02,
	CAP_TCP_RST = 0x04,
	CAP_TCP_PSH = 0x08,
	CAP_TCP_ACK = 0x10,
};

typedef struct cap_payload {
	const cap_frame *frame;
	endpoint src, dst;
	uint8_t proto;         /* cap_proto */
	sv data;               /* transport payload */
	uint32_t tcp_seq;      /* TCP: sequence number of data[0] */
	uint8_t tcp_flags;     /* TCP: CAP_TCP_* */
	uint32_t sctp_ppid;    /* SCTP DATA: payload protocol id */
	uint16_t sctp_stream;  /* SCTP DATA: stream id */
	bool ip_reassembled;   /* put together from IP fragments */
	bool icmp_quoted;      /* quoted in an ICMP error (see above) */
	uint8_t icmp_type, icmp_code;
	uint8_t tunnel_depth;  /* tunnels crossed to reach the inner IP */
} cap_payload;

typedef void (*cap_payload_fn)(void *user, const cap_payload *pl);

typedef struct cap_decode_stats {
	uint64_t frames;
	uint64_t payloads;        /* handed to the callback */
	uint64_t not_ip;          /* frames with no IP inside (ARP, LLDP, ...) */
	uint64_t unsupported;     /* link types/protocols we do not decode */
	uint64_t malformed;       /* headers that could not be right */
	uint64_t truncated;       /* frames cut short by the snap length */
	uint64_t fragments;       /* IP fragments seen */
	uint64_t reassembled;     /* datagrams put together from fragments */
	uint64_t frag_incomplete; /* fragment sets never completed (so far) */
	uint64_t other_transport; /* IP payloads that are not UDP/TCP/SCTP/ICMP */
} cap_decode_stats;

typedef struct cap_decoder cap_decoder;

/* mem: where reassembled datagrams go; must outlive every payload view. */
cap_decoder *cap_decoder_new(arena *mem, cap_payload_fn fn, void *user);
void cap_decoder_feed(cap_decoder *d, const cap_frame *f);

/* Whether decoding f would hand on anything that may outlive the frame:
 * an IP fragment or SCTP chunk (reassembly holds them), or a payload that
 * want(user, pl) accepts.  Decodes f without changing anything: no
 * counters, notes, reassembly or callback.  Live capture asks this before
 * it decides to copy a frame it would otherwise give back at once. */
typedef bool (*cap_payload_want_fn)(void *user, const cap_payload *pl);
bool cap_decoder_classify(cap_decoder *d, const cap_frame *f, cap_payload_want_fn want, void *user);
const cap_decode_stats *cap_decoder_stats(const cap_decoder *d);
/* One line per kind of thing not decoded, each reported once with its count
 * and first frame, e.g. "unsupported link type 147 (12 frames, first frame
 * 3)".  Appends newly allocated strings to out. */
void cap_decoder_notices(const cap_decoder *d, GPtrArray *out);
void cap_decoder_free(cap_decoder *d);
/* What reassembly holds in from (fragments, SCTP pieces) gets copies in to
 * (see arena_move). */
void cap_decoder_relocate(cap_decoder *d, const arena *from, arena *to);

#endif
