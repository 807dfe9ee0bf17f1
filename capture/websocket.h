/*
 * websocket.h — RFC 6455 framing, as SIP over WebSocket (RFC 7118) uses it
 * on unencrypted connections: recognising the HTTP/1.1 upgrade handshake,
 * then turning a byte stream of frames (masked or not, 7/16/64-bit lengths,
 * fragmented with continuation frames, control frames in between) into whole
 * messages.
 *
 * The parser knows nothing of SIP.  A message whose payload lies whole in one
 * input chunk and is not masked is handed on as a view into that chunk; a
 * masked one is unmasked straight into the arena; a message spread over
 * frames or chunks is gathered in the parser's own buffer (reused from one
 * message to the next), which the callee copies if it keeps it.  Messages
 * are bounded by WS_MAX_MESSAGE; a frame header that cannot be right makes
 * the parser give up (the caller resynchronises).
 */
#ifndef SIPSCOPE_CAPTURE_WEBSOCKET_H
#define SIPSCOPE_CAPTURE_WEBSOCKET_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/bytes.h"

enum {
	WS_MAX_MESSAGE = 16 << 20,
	WS_PEEK = 64,          /* bytes shown to the want callback */
	WS_PROBE_BYTES = 4096, /* payload bytes unmasked by ws_probe */
};

typedef struct ws_msg {
	sv data;               /* the message payload, unmasked */
	bool stable;           /* data lives in frame bytes or the arena; else copy it */
	uint64_t first_frame;  /* frame of its first payload byte */
	bool segments;         /* spread over several frames or input chunks */
	bool truncated;        /* handed on by ws_parser_finish before its end */
} ws_msg;

typedef void (*ws_msg_fn)(void *user, const ws_msg *m);
/* Shown the first bytes (up to WS_PEEK, unmasked) of a single-frame message
 * before it is unmasked into the arena; false skips it. whole: head is the
 * whole payload. */
typedef bool (*ws_want_fn)(void *user, sv head, bool whole);

/* One piece of the byte stream. */
typedef struct ws_input {
	sv data;
	uint64_t frame_num;    /* frame the bytes arrived in */
	uint64_t chunk_id;     /* differs from one input piece to the next */
	bool stable;           /* data outlives the call (frame bytes) */
} ws_input;

typedef struct ws_parser {
	uint8_t hdr[14];
	uint8_t hdr_have;
	bool in_payload;
	uint8_t opcode;
	bool fin;
	bool masked;
	uint8_t key[4];
	uint64_t left;         /* payload bytes still to come in this frame */
	uint64_t pos;          /* payload bytes of this frame seen (mask phase) */
	bool skip_payload;     /* control frame, stray continuation */
	bool msg_active;       /* a data message has started */
	bool msg_drop;         /* ... but will not be handed on (too big, compressed) */
	uint64_t msg_first;
	uint64_t msg_chunk;
	uint32_t msg_frames;
	bool msg_multi;        /* its bytes came in several input chunks */
	uint8_t *buf;
	size_t len, cap;
	uint64_t frames;       /* frames seen, control frames included */
} ws_parser;

void ws_parser_init(ws_parser *p);
/* Frees the buffer. */
void ws_parser_clear(ws_parser *p);
/* Forgets partial frame and message state (after a gap). */
void ws_parser_reset(ws_parser *p);
/* Consumes all of in->data.  false: a frame header that cannot be right;
 * the parser is reset and the rest of the data was not looked at. */
bool ws_parser_feed(ws_parser *p, const ws_input *in, arena *mem, ws_want_fn want,
		    ws_msg_fn fn, void *user);
/* A message begun but not finished: hands it on with truncated set, then
 * resets. */
void ws_parser_finish(ws_parser *p, ws_msg_fn fn, void *user);

typedef enum { WS_PROBE_NO, WS_PROBE_MORE, WS_PROBE_YES } ws_probe_result;
/* check: asked about the first bytes of a payload (unmasked, up to
 * WS_PROBE_BYTES; whole when that is all of it). */
typedef ws_probe_result (*ws_check_fn)(sv head, bool whole);
/* Does data start with WebSocket frames (control frames skipped) whose
 * first data frame's payload passes check?  MORE: too few bytes to say. */
ws_probe_result ws_probe(sv data, ws_check_fn check);

/* "GET <target> HTTP/1.x" with an "Upgrade: websocket" header.  head is the
 * header section. */
bool ws_http_upgrade_request(sv head);
/* "HTTP/1.x 101 ..." */
bool ws_http_switching_response(sv head);

#endif
