/*
 * Model: registrations (RFC 3261 §10) — bindings from the registrar's 2xx,
 * challenges, refreshes, removal by expires 0 and Contact: *, expiry.
 */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dissect/model.h"
#include "dissect/sip.h"

#include "support/model_flow.h"

/* ---- REGISTER flows ------------------------------------------------------------------ */

static const char *const UA = "10.0.0.1:5060", *const REGISTRAR = "10.0.0.3:5060";

/* A REGISTER for alice; extra: Contact / Expires / Authorization lines. */
static sip_id reg(flow *f, int64_t ms, const char *call_id, unsigned cseq, const char *branch,
	const char *extra)
{
	return feedf(f, ms, UA, REGISTRAR,
		"REGISTER sip:a.example SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n"
		"Max-Forwards: 70\n"
		"From: <sip:alice@a.example>;tag=reg%u\n"
		"To: <sip:alice@a.example>\n"
		"Call-ID: %s\n"
		"CSeq: %u REGISTER\n"
		"%s",
		branch, cseq, call_id, cseq, extra);
}

static sip_id reg_rsp(flow *f, int64_t ms, const char *call_id, unsigned cseq, const char *branch,
	int status, const char *extra)
{
	return feedf(f, ms, REGISTRAR, UA,
		"SIP/2.0 %d %s\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s;received=10.0.0.1\n"
		"From: <sip:alice@a.example>;tag=reg%u\n"
		"To: <sip:alice@a.example>;tag=srv\n"
		"Call-ID: %s\n"
		"CSeq: %u REGISTER\n"
		"%s",
		status, status == 401 ? "Unauthorized" : status == 200 ? "OK" : "Whatever", branch, cseq,
		call_id, cseq, extra);
}

static const sip_binding *binding(const sip_registration *r, guint i)
{
	g_assert_cmpuint(i, <, r->bindings->len);
	return &g_array_index(r->bindings, sip_binding, i);
}

/* ---- tests -------------------------------------------------------------------------- */

/* 401, then 200 with expires=3600, a refresh, and removal by Expires: 0. */
static void test_challenge_refresh_remove(void)
{
	flow *f = flow_new();
	const char *cid = "reg1@10.0.0.1";
	reg(f, 0, cid, 1, "z9hG4bKr1", "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 3600\n");
	reg_rsp(f, 10, cid, 1, "z9hG4bKr1", 401, "WWW-Authenticate: Digest realm=\"a\", nonce=\"n\"\n");
	g_assert_cmpuint(sip_model_registration_count(f->m), ==, 1);
	const sip_registration *r = sip_model_registration(f->m, 0);
	assert_sv_eq(r->aor, "sip:alice@a.example");
	g_assert_cmpuint(r->challenges, ==, 1);
	g_assert_cmpuint(r->last_status, ==, 401);
	g_assert_cmpuint(r->bindings->len, ==, 0);
	g_assert_cmpstr(sip_registration_state(r), ==, "challenged");

	reg(f, 20, cid, 2, "z9hG4bKr2", "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 3600\n"
		"Authorization: Digest username=\"alice\"\n");
	g_assert_cmpstr(sip_registration_state(r), ==, "challenged");
	reg_rsp(f, 30, cid, 2, "z9hG4bKr2", 200,
		"Contact: <sip:alice@10.0.0.1:5060>;expires=3600;q=0.5\n");
	g_assert_cmpuint(r->last_status, ==, 200);
	g_assert_cmpuint(r->registers, ==, 2);
	g_assert_cmpuint(r->failures, ==, 0);
	g_assert_cmpuint(r->bindings->len, ==, 1);
	const sip_binding *b = binding(r, 0);
	assert_sv_eq(b->contact, "sip:alice@10.0.0.1:5060");
	g_assert_cmpuint(b->expires, ==, 3600);
	g_assert_cmpuint(b->requested_expires, ==, 3600);
	g_assert_cmpfloat(b->q, ==, 0.5);
	g_assert_cmpint(b->state, ==, BINDING_ACTIVE);
	g_assert_cmpstr(binding_state_name(b->state), ==, "active");
	assert_sv_eq(b->call_id, cid);
	g_assert_cmpuint(b->cseq, ==, 2);
	g_assert_cmpuint(b->source.addr[3], ==, 1);
	g_assert_cmpint(b->registered_ts, ==, at(f, 30));
	g_assert_cmpint(b->expires_ts, ==, at(f, 30) + INT64_C(3600) * 1000000000);
	g_assert_cmpuint(b->refreshes, ==, 0);
	g_assert_cmpstr(sip_registration_state(r), ==, "registered");
	g_assert_cmpint(r->first_ts, ==, at(f, 0));

	/* refreshed before expiry; the 200 retransmitted changes nothing */
	reg(f, 1800000, cid, 3, "z9hG4bKr3", "Contact: <sip:alice@10.0.0.1>\nExpires: 3600\n");
	reg_rsp(f, 1800010, cid, 3, "z9hG4bKr3", 200, "Contact: <sip:alice@10.0.0.1>;expires=3600\n");
	reg_rsp(f, 1800500, cid, 3, "z9hG4bKr3", 200, "Contact: <sip:alice@10.0.0.1>;expires=3600\n");
	g_assert_cmpuint(r->bindings->len, ==, 1);
	b = binding(r, 0);
	g_assert_cmpint(b->state, ==, BINDING_REFRESHED);
	g_assert_cmpuint(b->refreshes, ==, 1);
	g_assert_cmpint(b->refreshed_ts, ==, at(f, 1800010));
	g_assert_cmpint(b->registered_ts, ==, at(f, 30));
	g_assert_cmpint(b->expires_ts, ==, at(f, 1800010) + INT64_C(3600) * 1000000000);
	g_assert_cmpuint(b->cseq, ==, 3);
	g_assert_cmpuint(r->registers, ==, 3);

	/* removal: Expires: 0, the 2xx lists nothing */
	reg(f, 1900000, cid, 4, "z9hG4bKr4", "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 0\n");
	g_assert_cmpint(binding(r, 0)->state, ==, BINDING_REFRESHED);
	reg_rsp(f, 1900010, cid, 4, "z9hG4bKr4", 200, "");
	b = binding(r, 0);
	g_assert_cmpint(b->state, ==, BINDING_REMOVED);
	g_assert_cmpint(b->removed_ts, ==, at(f, 1900010));
	g_assert_cmpstr(sip_registration_state(r), ==, "unregistered");
	g_assert_cmpuint(sip_model_registration_count(f->m), ==, 1);
	sip_model_finish(f->m, at(f, 9000000));
	g_assert_cmpint(binding(r, 0)->state, ==, BINDING_REMOVED);
	flow_free(f);
}

/* Bindings expire: judged at finish, and when the AOR registers again. */
static void test_expiry(void)
{
	flow *f = flow_new();
	reg(f, 0, "e1", 1, "z9hG4bKe1", "Contact: <sip:alice@10.0.0.1>;expires=60\n");
	reg_rsp(f, 10, "e1", 1, "z9hG4bKe1", 200, "Contact: <sip:alice@10.0.0.1>;expires=60\n");
	const sip_registration *r = sip_model_registration(f->m, 0);
	sip_model_finish(f->m, at(f, 30000));
	g_assert_cmpint(binding(r, 0)->state, ==, BINDING_ACTIVE);
	sip_model_finish(f->m, at(f, 120000));
	g_assert_cmpint(binding(r, 0)->state, ==, BINDING_EXPIRED);
	g_assert_cmpint(binding(r, 0)->removed_ts, ==, at(f, 60010));
	g_assert_cmpstr(binding_state_name(binding(r, 0)->state), ==, "expired");
	g_assert_cmpstr(sip_registration_state(r), ==, "expired");

	/* expired, then registered again: active anew */
	flow *g = flow_new();
	reg(g, 0, "e2", 1, "z9hG4bKe2", "Contact: <sip:alice@10.0.0.1>\nExpires: 60\n");
	reg_rsp(g, 10, "e2", 1, "z9hG4bKe2", 200, "Contact: <sip:alice@10.0.0.1>\nExpires: 60\n");
	const sip_registration *r2 = sip_model_registration(g->m, 0);
	g_assert_cmpuint(binding(r2, 0)->expires, ==, 60);   /* from the Expires header */
	reg(g, 100000, "e2", 2, "z9hG4bKe3", "Contact: <sip:alice@10.0.0.1>\nExpires: 60\n");
	g_assert_cmpint(binding(r2, 0)->state, ==, BINDING_EXPIRED);
	reg_rsp(g, 100010, "e2", 2, "z9hG4bKe3", 200, "Contact: <sip:alice@10.0.0.1>;expires=60\n");
	g_assert_cmpint(binding(r2, 0)->state, ==, BINDING_ACTIVE);
	g_assert_cmpint(binding(r2, 0)->registered_ts, ==, at(g, 100010));
	g_assert_cmpint(binding(r2, 0)->removed_ts, ==, 0);
	g_assert_cmpuint(binding(r2, 0)->refreshes, ==, 0);
	flow_free(g);
	flow_free(f);
}

/* Several Contacts, "Contact: *" removing them all, granted vs requested. */
static void test_star_and_granted(void)
{
	flow *f = flow_new();
	reg(f, 0, "s1", 1, "z9hG4bKs1",
		"Contact: <sip:alice@10.0.0.1>;expires=7200, <sip:alice@10.0.0.5:5070>\nExpires: 1800\n");
	/* the registrar shortens the first; lists both */
	reg_rsp(f, 10, "s1", 1, "z9hG4bKs1", 200,
		"Contact: <sip:alice@10.0.0.1:5060>;expires=3600\n"
		"Contact: <sip:alice@10.0.0.5:5070>;expires=1800\n");
	const sip_registration *r = sip_model_registration(f->m, 0);
	g_assert_cmpuint(r->bindings->len, ==, 2);
	g_assert_cmpuint(binding(r, 0)->expires, ==, 3600);
	g_assert_cmpuint(binding(r, 0)->requested_expires, ==, 7200);
	g_assert_cmpuint(binding(r, 1)->expires, ==, 1800);
	g_assert_cmpuint(binding(r, 1)->requested_expires, ==, 1800);
	g_assert_cmpfloat(binding(r, 0)->q, ==, -1);
	reg(f, 1000, "s1", 2, "z9hG4bKs2", "Contact: *\nExpires: 0\n");
	reg_rsp(f, 1010, "s1", 2, "z9hG4bKs2", 200, "");
	g_assert_cmpint(binding(r, 0)->state, ==, BINDING_REMOVED);
	g_assert_cmpint(binding(r, 1)->state, ==, BINDING_REMOVED);
	g_assert_cmpstr(sip_registration_state(r), ==, "unregistered");
	flow_free(f);
}

/* A registrar that lists no Contact in its 2xx: the REGISTER's Contacts stand in. */
static void test_fallback_to_request(void)
{
	flow *f = flow_new();
	reg(f, 0, "fb", 1, "z9hG4bKf1", "Contact: <sip:alice@10.0.0.1>\nExpires: 300\n");
	reg_rsp(f, 10, "fb", 1, "z9hG4bKf1", 200, "");
	const sip_registration *r = sip_model_registration(f->m, 0);
	g_assert_cmpuint(r->bindings->len, ==, 1);
	assert_sv_eq(binding(r, 0)->contact, "sip:alice@10.0.0.1");
	g_assert_cmpuint(binding(r, 0)->expires, ==, 300);
	/* a query (no Contact) lists nothing and changes nothing */
	reg(f, 20, "fb", 2, "z9hG4bKf2", "");
	reg_rsp(f, 30, "fb", 2, "z9hG4bKf2", 200, "");
	g_assert_cmpint(binding(r, 0)->state, ==, BINDING_ACTIVE);
	g_assert_cmpuint(binding(r, 0)->refreshes, ==, 0);
	flow_free(f);
}

/* Failures; one AOR whatever the To URI's case, port and parameters; a 2xx
 * whose REGISTER was not captured. */
static void test_failures_and_aor(void)
{
	flow *f = flow_new();
	reg(f, 0, "x1", 1, "z9hG4bKx1", "Contact: <sip:alice@10.0.0.1>\n");
	reg_rsp(f, 10, "x1", 1, "z9hG4bKx1", 403, "");
	const sip_registration *r = sip_model_registration(f->m, 0);
	g_assert_cmpuint(r->failures, ==, 1);
	g_assert_cmpstr(sip_registration_state(r), ==, "failed");
	feed(f, 20, UA, REGISTRAR, "REGISTER sip:a.example SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx2\n"
		"From: <sip:alice@A.EXAMPLE>;tag=1\nTo: \"Alice\" <sip:alice@A.Example:5060;transport=udp>\n"
		"Call-ID: x2\nCSeq: 1 REGISTER\nContact: <sip:alice@10.0.0.1>\n");
	g_assert_cmpuint(sip_model_registration_count(f->m), ==, 1);
	g_assert_cmpuint(r->registers, ==, 2);
	g_assert_cmpstr(sip_registration_state(r), ==, "failed");   /* the newest final */
	/* another user is another AOR (the user part is case-sensitive) */
	feed(f, 30, UA, REGISTRAR, "REGISTER sip:a.example SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx3\n"
		"From: <sip:Alice@a.example>;tag=1\nTo: <sip:Alice@a.example>\n"
		"Call-ID: x3\nCSeq: 1 REGISTER\nContact: <sip:Alice@10.0.0.1>\n");
	g_assert_cmpuint(sip_model_registration_count(f->m), ==, 2);
	/* a 2xx alone */
	feed(f, 40, REGISTRAR, UA, "SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKx4\n"
		"From: <sip:bob@a.example>;tag=1\nTo: <sip:bob@a.example>;tag=2\n"
		"Call-ID: x4\nCSeq: 8 REGISTER\nContact: <sip:bob@10.0.0.7>;expires=120\n");
	g_assert_cmpuint(sip_model_registration_count(f->m), ==, 3);
	const sip_registration *rb = sip_model_registration(f->m, 2);
	assert_sv_eq(rb->aor, "sip:bob@a.example");
	g_assert_cmpuint(rb->registers, ==, 1);
	g_assert_cmpuint(binding(rb, 0)->expires, ==, 120);
	g_assert_cmpuint(binding(rb, 0)->requested_expires, ==, UINT32_MAX);
	g_assert_cmpuint(binding(rb, 0)->source.addr[3], ==, 1);   /* where the 2xx went */
	g_assert_cmpstr(sip_registration_state(rb), ==, "registered");
	flow_free(f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/model/registration/challenge-refresh-remove", test_challenge_refresh_remove);
	g_test_add_func("/model/registration/expiry", test_expiry);
	g_test_add_func("/model/registration/star-and-granted", test_star_and_granted);
	g_test_add_func("/model/registration/fallback-to-request", test_fallback_to_request);
	g_test_add_func("/model/registration/failures-and-aor", test_failures_and_aor);
	return g_test_run();
}
