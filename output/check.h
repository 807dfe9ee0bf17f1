/*
 * check.h — --check: the findings as text, one line each, grouped per call
 * (in call order, each group under a heading with the call's outcome),
 * then those about no call, then a count line:
 *
 *   Call 0: a84b4c76e66710 (INVITE): failed: 404 Not Found from 192.0.2.222:5060
 *     error    no-final-response  INVITE from ... got no final response ... [RFC 3261 §17.1.1.2]
 *     warning  missing-max-forwards  OPTIONS from ... [RFC 3261 §8.1.1.6]
 *
 *   2 findings: 1 error, 1 warning, 0 info
 *
 * With no finding at all only the count line is printed ("0 findings").
 * Every wire byte is escaped.  The caller turns "an error was found" into
 * the exit status (EXIT_FINDINGS).
 */
#ifndef SIPSCOPE_OUTPUT_CHECK_H
#define SIPSCOPE_OUTPUT_CHECK_H

#include <stdbool.h>

#include "dissect/findings.h"
#include "dissect/model.h"
#include "output/sink.h"
#include "output/spill.h"

/* Returns true when a finding of severity error is present. */
bool check_write(sink *s, const sip_model *m, const findings *f);
/* With limits: the group of one call as it is evicted (false when it has
 * no finding), then the rest: the groups of the calls still held, those
 * about no call and the count line (of every finding of the run); any:
 * a group was written before. */
bool check_write_call(sink *s, const sip_model *m, const findings *f, const sip_call *call);
bool check_write_rest(sink *s, const sip_model *m, const findings *f, bool any);
/* Calls the model forgot as finished (sip_limits.forget_finished) keep
 * their groups aside: check_aside_call keeps a call's group, when it has
 * one, in sp (SPILL_CHECK_GROUP); at the end check_write_aside writes the
 * report as check_write would have with every call kept, the groups of
 * the calls no longer held from sp. */
void check_aside_call(spill *sp, const sip_model *m, const findings *f, const sip_call *call);
bool check_write_aside(sink *s, const sip_model *m, const findings *f, spill *sp);
/* One finding's line, without indentation or line end. */
void check_append_finding(GString *out, const finding *x);

#endif
