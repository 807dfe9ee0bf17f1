/*
 * findings.h — what went wrong in a capture, each thing tied to the rule
 * of RFC 3261 (or RFC 3264) it breaks: the detector and its findings, and
 * the one-line outcome explanation of a call.
 *
 * The detector is a tap on the model (sip_model_tap_add): it looks at each
 * message once the model has placed it in its transaction, dialog and
 * call, and at the transactions, dialogs and registrations the model
 * reports as changed; findings_finish, called after sip_model_finish,
 * judges what only the end of the capture can tell (timers that ran out,
 * bindings that expired, calls still up).  Every timer it waits for or
 * names in a summary (64×T1, Timer C, the schedule of Timers A and E) is
 * the model's (sip_model_timers).  It reads the message being
 * added through the model's own parse (sip_model_parse_of) and re-parses
 * an older message from its raw bytes only when a check needs it (the
 * offer's codecs when a finding about an answer is written, a 482's
 * request), so it costs little per message.
 *
 * A finding has a severity, a stable code ("missing-max-forwards",
 * "forwarding-loop", "no-final-response", ...; the list is in
 * findings.c and in the README), the RFC section it rests on, a one-line
 * summary in our own words, and the ids of the messages, transactions,
 * dialogs and the call involved.  Summaries are printable: wire bytes
 * quoted in them are escaped (printable ASCII kept, backslash doubled,
 * anything else as \xHH) and cut short, so a summary can go to a terminal
 * or a JSON string as it is.
 *
 * The same fault repeated in one call (every request of a user agent
 * without Max-Forwards, every hop of one forwarding loop) is one finding
 * that lists every message, not one finding per message.
 *
 * Identity: findings are numbered from 0 in the order they were found;
 * the order is deterministic for a given input.  Pointers returned stay
 * valid until findings_free; a finding's arrays may still grow while
 * messages come in.
 *
 * Severity: error — the exchange failed or broke a MUST (a request never
 * answered, a 2xx never acknowledged, a mandatory header missing, a
 * forwarding loop); warning — something that works by luck or hides a
 * fault (a retransmission storm, a binding that expired, a strict
 * router); info — worth knowing, not wrong (a spiral, hold, a glare
 * resolved by 491, a call still up when the capture ended).
 */
#ifndef SIPSCOPE_DISSECT_FINDINGS_H
#define SIPSCOPE_DISSECT_FINDINGS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "dissect/model.h"

typedef enum {
	FINDING_INFO = 0,
	FINDING_WARNING = 1,
	FINDING_ERROR = 2,
} finding_severity;

/* "info", "warning", "error" */
const char *finding_severity_name(finding_severity s);

typedef struct finding {
	sip_id id;
	finding_severity severity;
	const char *code;        /* stable identifier (static string) */
	const char *rfc;         /* "RFC 3261 §16.6" (static string, UTF-8) */
	char *summary;           /* one line, printable, owned by the detector */
	sip_id call;             /* SIP_ID_NONE when no call is involved */
	int64_t ts;              /* time of the evidence (first message, or when a timer ran out) */
	GArray *messages;        /* sip_id, in the order they were added (ascending) */
	GArray *txns;            /* sip_id */
	GArray *dialogs;         /* sip_id */
	uint32_t count;          /* occurrences folded into this finding (>= 1) */
} finding;

typedef struct findings findings;

/* A detector subscribed to m's events: create it before the first message
 * goes in.  m must outlive it. */
findings *findings_new(sip_model *m);
void findings_free(findings *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(findings, findings_free)

/* With limits (sip_model_set_limits) the detector keeps nothing about
 * what the model evicted (waits for ACKs, per-object state), and once
 * whoever shows the findings of an evicted call has done so,
 * findings_forget_call frees them: their ids become holes
 * (findings_get returns NULL), findings_count and
 * findings_count_at_least still count them.  A finding then lists at most
 * FINDING_MAX_IDS messages, transactions and dialogs (count counts all). */
enum { FINDING_MAX_IDS = 10000 };
void findings_forget_call(findings *f, sip_id call);

/* After sip_model_finish: timers judged at the end of the capture, bindings
 * that expired, calls still up.  Once; later calls do nothing. */
void findings_finish(findings *f);

/* After findings_finish, when no message will come any more (a file read
 * to its end): what the detectors kept to judge later messages (per
 * transaction, dialog, call and registration, the waits for ACKs) is
 * freed, and the detector stops listening to the model.  The findings
 * stay.  A UI holding every call of a large capture keeps tens of bytes
 * per message less. */
void findings_retire(findings *f);

guint findings_count(const findings *f);
const finding *findings_get(const findings *f, sip_id id);
/* Findings of at least this severity. */
guint findings_count_at_least(const findings *f, finding_severity min);
/* Ids of the findings about a call (SIP_ID_NONE: those about no call), in
 * order; NULL when there are none. */
const GArray *findings_of_call(const findings *f, sip_id call);
/* Ids of the findings that name a message; NULL when none. */
const GArray *findings_of_message(const findings *f, sip_id msg);
/* The worst severity among a message's findings, or -1 when it has none. */
int findings_message_severity(const findings *f, sip_id msg);
/* Grows by one each time a finding is added or changed (for redraws). */
uint64_t findings_generation(const findings *f);

/* ---- outcome ----------------------------------------------------------------
 *
 * One line saying how a call ended and why, from the model alone:
 * "answered by 192.0.2.4:5060 after 2 forks; 1 branch busy; ended by the
 * caller after 1:02", "failed: 408 after 7 INVITE transmissions — no
 * response from 10.0.0.9:5060", "cancelled by the caller after 20.0 s of
 * ringing", "busy: 486 Busy Here from 192.0.2.201:5060".  Wire bytes (the
 * reason phrase) are escaped as in summaries.  For a Call-ID that is not a
 * call, what its requests got ("REGISTER: 200 OK from 192.0.2.5:5060").
 * Appends to out.
 */
void findings_call_outcome(const sip_model *m, const sip_call *c, GString *out);

#endif
