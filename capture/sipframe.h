/*
 * sipframe.h — from transport payloads to whole SIP messages.
 *
 * UDP and SCTP: one datagram (DATA chunk) is one message.  TCP: per-flow
 * reassembly in sequence order (retransmitted and overlapping segments
 * trimmed, out-of-order segments held until the gap fills), then framing by
 * Content-Length (RFC 3261 §18.3): several messages per segment, messages
 * split across segments, CRLF keep-alives skipped.  WebSocket (RFC 6455 /
 * RFC 7118, unencrypted): the HTTP upgrade is recognised, then frames
 * (masked or not, fragmented or not) carry the messages.
 *
 * SIP is recognised by its start line on any port, never by port number.
 * A message's bytes are a view into the frame when it sits whole in one
 * payload, or into the framer's arena when it was put together.
 *
 * The framer knows nothing of SIP beyond the start line and Content-Length:
 * it does not parse headers otherwise.
 */
#ifndef SIPSCOPE_CAPTURE_SIPFRAME_H
#define SIPSCOPE_CAPTURE_SIPFRAME_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/endpoint.h"
#include "capture/decode.h"

typedef enum {
	SIP_TRANSPORT_UDP = 1,
	SIP_TRANSPORT_TCP,
	SIP_TRANSPORT_SCTP,
	SIP_TRANSPORT_WS,
} sip_transport;

/* "UDP", "TCP", "SCTP", "WS" */
const char *sip_transport_name(sip_transport t);

enum {
	CAP_SIPMSG_IP_REASSEMBLED = 1u << 0,  /* from IP fragments */
	CAP_SIPMSG_SEGMENTS = 1u << 1,        /* spans several TCP segments / WS frames */
	CAP_SIPMSG_TRUNCATED = 1u << 2,       /* stream ended before Content-Length bytes arrived */
	CAP_SIPMSG_NO_CONTENT_LENGTH = 1u << 3, /* stream transport without Content-Length */
	CAP_SIPMSG_AFTER_GAP = 1u << 4,       /* bytes were missing in the stream before it */
	CAP_SIPMSG_ICMP_QUOTED = 1u << 5,     /* a copy quoted in an ICMP error, not a message */
	CAP_SIPMSG_SNAPLEN_CUT = 1u << 6,     /* the frame was cut short by the snap length */
	CAP_SIPMSG_BAD_CONTENT_LENGTH = 1u << 7, /* stream: Content-Length unparsable */
};

typedef struct cap_sipmsg {
	const cap_frame *frame;  /* frame where the last byte arrived */
	uint64_t first_frame;    /* number of the frame where the first byte arrived */
	uint32_t index;          /* 0-based position among the messages ending in frame */
	endpoint src, dst;
	uint8_t transport;       /* sip_transport */
	uint32_t flags;          /* CAP_SIPMSG_* */
	uint8_t icmp_type, icmp_code; /* with CAP_SIPMSG_ICMP_QUOTED */
	sv data;                 /* the whole message: start line to end of body */
} cap_sipmsg;

typedef void (*cap_sipmsg_fn)(void *user, const cap_sipmsg *m);

/* TCP directions tracked at once; beyond, the least recently active is
 * forgotten (cap_sipframe_stats.tcp_evicted). */
enum { CAP_SIPFRAME_MAX_FLOWS = 65536 };

typedef struct cap_sipframe_stats {
	uint64_t messages;
	uint64_t not_sip;        /* payloads that do not start a SIP message */
	uint64_t keepalives;     /* CRLF / CRLFCRLF keep-alives */
	uint64_t icmp_quoted;
	uint64_t tcp_streams;
	uint64_t tcp_gaps;       /* holes in streams (bytes never captured) */
	uint64_t tcp_retransmitted_bytes;
	uint64_t ws_frames;
	uint64_t truncated;      /* messages cut by end of stream / capture */
	uint64_t tcp_evicted;    /* directions forgotten beyond SF_MAX_FLOWS at once
	                            (the least recently active first) */
} cap_sipframe_stats;

typedef struct cap_sipframer cap_sipframer;

cap_sipframer *cap_sipframer_new(arena *mem, cap_sipmsg_fn fn, void *user);
/* Feed payloads in frame order (the decoder's callback can call this). */
void cap_sipframer_feed(cap_sipframer *f, const cap_payload *pl);
/* Whether feeding pl may make a message of its bytes or leave the framer
 * holding them: a datagram that starts like SIP, or TCP data on a flow
 * not given up as something else.  Changes nothing. */
bool cap_sipframer_wants(const cap_sipframer *f, const cap_payload *pl);
/* End of input: messages still waiting for bytes are handed on with
 * CAP_SIPMSG_TRUNCATED; held out-of-order data is framed as far as it goes. */
/* What the framer holds in from (segments held out of order) gets copies
 * in to (see arena_move); the bytes of the frames it remembers (a flow's
 * last chunk, held segments) too with frames, else those views are
 * dropped: only a caller that keeps or writes frames reads them. */
void cap_sipframer_relocate(cap_sipframer *f, const arena *from, arena *to, bool frames);
void cap_sipframer_flush(cap_sipframer *f);
const cap_sipframe_stats *cap_sipframer_stats(const cap_sipframer *f);
void cap_sipframer_free(cap_sipframer *f);

#endif
