/*
 * model_flow.h — unit-test support: SIP messages written as text, parsed and
 * fed to a model with made-up frames and times, as the application does.
 * Shared by the tests/unit/test_model_*.c files.
 */
#ifndef SIPSCOPE_TESTS_MODEL_FLOW_H
#define SIPSCOPE_TESTS_MODEL_FLOW_H

#include <glib.h>
#include <stdbool.h>

#include "dissect/model.h"
#include "dissect/sip.h"

typedef struct flow {
	sip_model *m;
	sip_msg *p;           /* reused for every message, as the application does */
	GPtrArray *bufs;      /* message bytes: they must outlive the model */
	int64_t t0;
	uint64_t frames;
	const char *transport;
} flow;
/* A call between two user agents, A (caller, alice) and B (callee, bob),
 * without proxies. */
typedef struct ua_call {
	flow *f;
	const char *call_id;
	const char *a, *b;        /* "ip:port" */
	const char *a_tag;
} ua_call;

flow *flow_new(void);
void flow_free(flow *f);
int64_t at(const flow *f, int64_t ms);
endpoint ep(const char *s);
sip_id feed_body(flow *f, int64_t ms, const char *src, const char *dst, const char *text, const char *body);
sip_id feed(flow *f, int64_t ms, const char *src, const char *dst, const char *text);
G_GNUC_PRINTF(5, 6) sip_id feedf(flow *f, int64_t ms, const char *src, const char *dst, const char *fmt, ...);
const char *reason_of(int status);
sip_id req_x(ua_call *c, int64_t ms, bool from_a, const char *method, unsigned cseq, const char *branch, const char *b_tag, const char *extra);
sip_id req(ua_call *c, int64_t ms, bool from_a, const char *method, unsigned cseq, const char *branch, const char *b_tag);
sip_id rsp_x(ua_call *c, int64_t ms, bool to_a, int status, const char *method, unsigned cseq, const char *branch, const char *b_tag, const char *extra);
sip_id rsp(ua_call *c, int64_t ms, bool to_a, int status, const char *method, unsigned cseq, const char *branch, const char *b_tag);
ua_call ua_call_make(flow *f, const char *call_id);
const sip_message *msg_of(flow *f, sip_id id);
const sip_txn *txn_of(flow *f, sip_id msg);
const sip_call *call_named(flow *f, const char *call_id);
void assert_sv_eq(sv v, const char *want);

#endif
