/*
 * message_parsed.h — one SIP message as the parsed view of the message
 * pane shows it, free of curses: the same info line as the raw view, then
 *
 *   INVITE sip:bob@example.net SIP/2.0
 *       method: INVITE  request-uri: sip:bob@example.net  version: SIP/2.0
 *   Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport
 *       transport: UDP  sent-by: 192.0.2.10:5060  branch: z9hG4bK776asdhds  rport
 *   From: "Alice" <sip:alice@example.com>;tag=1928301774
 *       display: Alice  uri: sip:alice@example.com  tag: 1928301774
 *   ...
 *   SDP
 *       audio 192.0.2.10:49170 PCMU,PCMA,telephone-event sendrecv
 *   Model
 *       transaction 0: INVITE, terminated, final 200
 *       ...
 *
 * the start line with its parts; every header field on a line of its own
 * (name as written, the long name after a compact one, folded lines
 * joined), and under the headers dissect/ decodes (Via, From, To, CSeq,
 * Contact, Content-Type, Content-Length, Route, Record-Route) their parts;
 * the body's SDP one line per media (sdp_text.h), or its size and type;
 * the parser's warnings; and what the model made of the message: its
 * transaction and dialog with their state now, its call, the message a
 * retransmission repeats, and the findings that name it.
 *
 * Everything comes from dissect/ (the message is parsed again with the
 * parser of the model); every wire byte is escaped (output/textesc.h).
 */
#ifndef SIPSCOPE_UI_MESSAGE_PARSED_H
#define SIPSCOPE_UI_MESSAGE_PARSED_H

#include <glib.h>

#include "dissect/findings.h"
#include "dissect/model.h"
#include "ui/message_text.h"

/* msg_line array (free with message_text_free); f may be NULL. */
GArray *message_parsed_new(const sip_model *m, const findings *f, const sip_message *msg);

#endif
