/*
 * message_out.h — one SIP message as the outputs print it: where and when it
 * was seen, and what the parser made of it.  Writers read this record; they
 * never parse and never look at capture structures.
 */
#ifndef SIPSCOPE_OUTPUT_MESSAGE_OUT_H
#define SIPSCOPE_OUTPUT_MESSAGE_OUT_H

#include <stdint.h>

#include "base/endpoint.h"
#include "dissect/model.h"
#include "dissect/sip.h"
#include "output/sink.h"

enum { MSG_OUT_MAX_NOTES = 8 };

typedef struct msg_out {
	uint64_t frame;        /* frame where the last byte arrived */
	uint64_t first_frame;  /* frame where the first byte arrived */
	uint32_t index;        /* position among the messages ending in frame */
	int64_t ts_ns;
	endpoint src, dst;
	const char *transport; /* "UDP", "TCP", "SCTP", "WS" */
	const sip_msg *sip;
	unsigned n_notes;      /* transport-level warnings, texts of our own */
	const char *notes[MSG_OUT_MAX_NOTES];
	/* What the model made of it; only when modelled is true. */
	bool modelled;
	sip_id txn, dialog, call; /* SIP_ID_NONE when none */
	bool retransmission;
	/* NULL, or what json_message_pre (text_message_pre) wrote of this
	 * record before the model took the message: the writer of the same
	 * format copies it, and writes only the model's part at pre_split. */
	const char *pre;
	size_t pre_len, pre_split;
} msg_out;

/* {"type":"message",...} + newline, one record.  A modelled message also
 * gets "transaction", "dialog", "call" (ids or null) and "retransmission". */
void json_write_message(sink *s, const msg_out *m);
/* The part of that record the model has no say in, into out (emptied
 * first), *split where the model's part goes: written where the message
 * is parsed (app/pipeline.c's reading thread), so that the thread that
 * runs the model only copies it (msg_out.pre).  The same for the text
 * line. */
void json_message_pre(const msg_out *m, GString *out, size_t *split);
void text_message_pre(const msg_out *m, GString *out, size_t *split);
/* One line for people: frame, time, src -> dst, transport, start line,
 * Call-ID, warnings count, "(retransmission)" when the model says so;
 * every wire byte escaped. */
void text_write_message(sink *s, const msg_out *m);

#endif
