/*
 * ladder_text.h — a ladder diagram (ui/ladder_layout.h) printed as plain
 * text, the way people paste call flows into tickets (--ladder):
 *
 *   Call 0: 3848276298220188511@192.0.2.10 (INVITE, answered)
 *   7 messages, 2023-11-14 22:13:20.000000 to 2023-11-14 22:13:20.126000 UTC
 *
 *                    192.0.2.10:5060  198.51.100.20:5060
 *                           |                  |
 *   22:13:20.000000         |--INVITE (SDP)--->|  +0.000000
 *                           |                  |  audio 192.0.2.10:49170 PCMU,PCMA,telephone-event
 *   22:13:20.021000         |<---100 Trying----|  +0.021000
 *
 * The heading names the calls drawn (at most 20, then a count) with their
 * state as --list shows it, and the time span.  Then the titles, a line of
 * lifelines, and the rows: the time of day (UTC) on the left, the delta to
 * the previous arrow two cells right of the rows, and under an arrow
 * carrying SDP (but a retransmission) a line with its summary at that same
 * place.  Retransmissions
 * are drawn with '=' instead of '-' and marked "(retransmission)" after
 * the delta; an arrow crossing a lifeline shows '+' there; a self-message
 * is a loop ('.' and '\'') right of its lifeline.  Every line is a whole
 * record of the sink; no line has trailing spaces.
 */
#ifndef SIPSCOPE_OUTPUT_LADDER_TEXT_H
#define SIPSCOPE_OUTPUT_LADDER_TEXT_H

#include "dissect/findings.h"
#include "dissect/model.h"
#include "output/sink.h"
#include "ui/ladder_layout.h"

/* The heading (calls shown, message count, time span) and the diagram. */
void ladder_text_write(sink *s, const sip_model *m, const ladder_layout *l);
/* The diagram alone (titles, lifelines, rows). */
void ladder_text_write_diagram(sink *s, const ladder_layout *l);
/* As ladder_text_write, with findings: every finding of severity warning
 * or error that names a drawn message (or belongs to a drawn call) gets a
 * number; the rows of its messages are marked after the delta ("  !1 !3")
 * and the findings are listed under the diagram, one line each:
 *
 *   Findings:
 *    !1  error    ack-missing  200 OK to INVITE from ... [RFC 3261 §13.2.2.4, §13.3.1.4]
 *
 * Info findings are left out: the ladder shows what went wrong.  f NULL:
 * as ladder_text_write. */
void ladder_text_write_findings(sink *s, const sip_model *m, const ladder_layout *l,
				const findings *f);

#endif
