/*
 * sdp_text.h — the session description of a message as one line of text
 * per media stream, shared by the ladder (the summary under an arrow) and
 * the message pane's parsed view, so the two say the same thing:
 *
 *   audio 198.51.100.20:49170 PCMU,PCMA,telephone-event sendonly
 *
 * media, RTP address:port (the media's own c=, else the session's), the
 * codecs in the order offered (rtpmap names, else the RFC 3551 names of
 * static payload types, else the format as written), and the direction
 * when it is not sendrecv.  Every wire byte is escaped.
 */
#ifndef SIPSCOPE_UI_SDP_TEXT_H
#define SIPSCOPE_UI_SDP_TEXT_H

#include <glib.h>

#include "base/bytes.h"
#include "dissect/multipart.h"
#include "dissect/sdp.h"
#include "dissect/sip.h"

/* The SDP body of a parsed message: the body itself when it is
 * application/sdp (or has no Content-Type and starts with "v="), or the
 * first application/sdp part of a multipart body (split into *mp);
 * SV_NULL when none. */
sv sdp_text_body(const sip_msg *pm, mp_body *mp);
/* One media stream as above, appended to out. */
void sdp_text_append_media(GString *out, const sdp_session *s, const sdp_media *md);

#endif
