/*
 * message_text.h — one SIP message as the message pane shows it, free of
 * curses: a line about where and when it was seen, then its raw bytes
 * line by line, every byte escaped (output/textesc.h), with the extent of
 * each header's name so the pane can highlight it.
 *
 * Lines are cut at LF (a CR before it dropped); a CR or any other control
 * byte elsewhere shows as an escape.  The header section ends at the
 * first empty line; what follows is the body.
 */
#ifndef SIPSCOPE_UI_MESSAGE_TEXT_H
#define SIPSCOPE_UI_MESSAGE_TEXT_H

#include <glib.h>
#include <stddef.h>

#include "dissect/model.h"

typedef enum {
	MSG_LINE_INFO = 0,  /* "frame 3  22:13:20.063000  198.51.100.20:5060 -> ..." */
	MSG_LINE_START,     /* the start line */
	MSG_LINE_HEADER,    /* a header (or a folded continuation) */
	MSG_LINE_BODY,      /* the empty line and the body */
	/* the parsed view (ui/message_parsed.h) and the findings pane */
	MSG_LINE_DETAIL,    /* what a start line or header was decoded into */
	MSG_LINE_SECTION,   /* a heading: "SDP", "Model", "Warnings" */
	MSG_LINE_ERROR,     /* a finding of severity error */
	MSG_LINE_WARNING,   /* a finding of severity warning */
} msg_line_kind;

typedef struct msg_line {
	msg_line_kind kind;
	char *text;         /* escaped, valid UTF-8 */
	size_t len;
	size_t name_len;    /* MSG_LINE_HEADER: bytes of text up to and including the ':' */
} msg_line;

/* The lines of message msg (msg_line array; free with message_text_free). */
GArray *message_text_new(const sip_model *m, const sip_message *msg);
void message_text_free(GArray *lines);
/* Appends a line (text already escaped) to a msg_line array. */
void message_text_append(GArray *lines, msg_line_kind kind, const GString *text, size_t name_len);
/* The line about where and when msg was seen (the first line above). */
void message_text_append_info(GString *out, const sip_message *msg);

#endif
