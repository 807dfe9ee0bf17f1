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

/* With limits: what evicted objects counted, gathered as they go (from a
 * SIP_EV_EVICT tap), then written with what the model still holds.  The
 * tables then cover the whole run; an "Evicted" table follows. */
typedef struct stats_gather stats_gather;
/* sample_cap: 0 keeps every response time for the percentiles; else at
 * most that many per row, a uniform sample (counts and maxima stay exact). */
enum { STATS_SAMPLE_CAP = 65536 };
stats_gather *stats_gather_new(uint32_t sample_cap);
void stats_gather_free(stats_gather *sg);
/* Inside a SIP_EV_EVICT tap for call (SIP_ID_NONE: a group), or a
 * SIP_EV_SHED tap with SIP_ID_NONE (what a call shed: no call). */
void stats_gather_evicted(stats_gather *sg, const sip_model *m, sip_id call);
/* Inside a SIP_EV_EVICT_REGISTRATION tap. */
void stats_gather_registration(stats_gather *sg, const sip_registration *r);
/* Writes the report; consumes nothing (free sg after). */
void stats_write_gathered(sink *s, const sip_model *m, stats_gather *sg);

/* Nearest-rank percentile (0 < p <= 100) of sorted values; 0 when n == 0. */
int64_t stats_percentile(const int64_t *sorted, size_t n, unsigned p);
/* Standard reason phrase of a status code ("Ringing"), or NULL. */
const char *stats_reason_phrase(unsigned status);

#endif
