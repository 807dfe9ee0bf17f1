/*
 * stats.h — the summary report (--stats): aligned text tables, each under
 * a heading line, separated by blank lines:
 *
 *   messages: totals, requests, responses, invalid, retransmissions;
 *   per method: requests and responses (by CSeq method), each with its
 *     retransmissions, busiest first;
 *   per status code: responses and retransmissions, by code (standard
 *     reason phrases, never the wire's);
 *   response times per method in milliseconds: request to first
 *     provisional and request to final response (count, p50, p90, p99,
 *     max; nearest-rank percentiles), from the first copy of the request;
 *   transactions: with and without a final response (timed out after
 *     64*T1, or the capture ended first), per method;
 *   calls by outcome (failed ones per final status), and the Call-IDs
 *     without INVITE per method;
 *   registrations: address-of-records registered at the end or not,
 *     bindings by state, REGISTER transactions challenged or failed.
 *
 * Every wire byte (method names) is escaped.
 */
#ifndef SIPSCOPE_OUTPUT_STATS_H
#define SIPSCOPE_OUTPUT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "dissect/model.h"
#include "output/sink.h"

void stats_write(sink *s, const sip_model *m);

/* Nearest-rank percentile (0 < p <= 100) of sorted values; 0 when n == 0. */
int64_t stats_percentile(const int64_t *sorted, size_t n, unsigned p);
/* Standard reason phrase of a status code ("Ringing"), or NULL. */
const char *stats_reason_phrase(unsigned status);

#endif
