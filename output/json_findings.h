/*
 * json_findings.h — the detector's findings as JSON Lines records (--json),
 * written at end of input after the model's records and before the
 * summary:
 *
 *   {"type":"finding","id":0,"severity":"error","code":"no-final-response",
 *    "rfc":"RFC 3261 §17.1.1.2","summary":"INVITE from ... got no final ...",
 *    "call":0,"call_id":"a84b4c76e66710","ts":1700000032.000000,"count":1,
 *    "messages":[0,1,2],"transactions":[0],"dialogs":[]}
 *
 * Ids are the model's (as in the message, transaction, dialog and call
 * records); "call" and "call_id" are null for a finding about no call;
 * "ts" is when the evidence was complete (seconds since the epoch);
 * "count" how many occurrences were folded into the finding.
 */
#ifndef SIPSCOPE_OUTPUT_JSON_FINDINGS_H
#define SIPSCOPE_OUTPUT_JSON_FINDINGS_H

#include "dissect/findings.h"
#include "dissect/model.h"
#include "output/sink.h"

void json_write_finding(sink *s, const sip_model *m, const finding *x);

#endif
