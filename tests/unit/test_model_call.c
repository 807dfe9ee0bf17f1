/*
 * Model: calls — outcome from the initial INVITE only (any 2xx wins, failed
 * re-INVITEs and UPDATEs do not count), CANCEL races, times, who ended the
 * call, related Call-IDs, captures that start or end mid-call.
 */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dissect/model.h"
#include "dissect/sip.h"

#include "support/model_flow.h"

/* ---- tests -------------------------------------------------------------------------- */

static void basic_setup(ua_call *c, int64_t t)
{
	req(c, t, true, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(c, t + 10, true, 100, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(c, t + 800, true, 180, "INVITE", 1, "z9hG4bKi", "bt");
	rsp(c, t + 3000, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	req(c, t + 3010, true, "ACK", 1, "z9hG4bKa", "bt");
}

/* Basic call: answered, ended by the caller, times. */
static void test_basic_call(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "call@a.example");
	basic_setup(&c, 0);
	const sip_call *k = call_named(f, "call@a.example");
	g_assert_cmpint(k->state, ==, CALL_STATE_ACTIVE);
	req(&c, 60000, true, "BYE", 2, "z9hG4bKb", "bt");
	g_assert_cmpint(k->state, ==, CALL_STATE_ACTIVE);
	sip_id ok = rsp(&c, 60020, true, 200, "BYE", 2, "z9hG4bKb", "bt");
	g_assert_cmpint(k->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpstr(call_state_name(k->state), ==, "answered");
	g_assert_cmpuint(k->id, ==, 0);
	assert_sv_eq(k->call_id, "call@a.example");
	assert_sv_eq(k->first_method, "INVITE");
	assert_sv_eq(k->from, "sip:alice@a.example");
	assert_sv_eq(k->to, "sip:bob@b.example");
	g_assert_cmpuint(k->final_status, ==, 200);
	g_assert_cmpint(k->start_ts, ==, at(f, 0));
	g_assert_cmpint(k->ring_ts, ==, at(f, 800));
	g_assert_cmpint(k->answer_ts, ==, at(f, 3000));
	g_assert_cmpint(k->end_ts, ==, at(f, 60020));
	g_assert_cmpint(k->ended_by, ==, CALL_END_CALLER);
	g_assert_cmpstr(call_ender_name(k->ended_by), ==, "caller");
	g_assert_cmpuint(k->ender.addr[3], ==, 1);
	g_assert_cmpuint(k->messages->len, ==, 7);
	g_assert_cmpuint(g_array_index(k->messages, sip_id, 6), ==, ok);
	g_assert_cmpuint(k->dialogs->len, ==, 1);
	g_assert_cmpuint(k->txns->len, ==, 3);
	g_assert_cmpuint(k->related->len, ==, 0);
	g_assert_cmpuint(k->initial_txn, ==, 0);
	for (guint i = 0; i < k->messages->len; i++)
		g_assert_cmpuint(msg_of(f, g_array_index(k->messages, sip_id, i))->call, ==, k->id);
	sip_model_finish(f->m, at(f, 70000));
	g_assert_cmpint(k->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpint(k->end_ts, ==, at(f, 60020));
	g_assert_true(sip_model_call(f->m, 0) == k);
	g_assert_null(sip_model_call_find(f->m, sv_from_cstr("nope")));
	flow_free(f);
}

/* The callee hangs up; a call without BYE stays active. */
static void test_callee_ends_and_active(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "callee@a.example");
	basic_setup(&c, 0);
	req(&c, 5000, false, "BYE", 1, "z9hG4bKb", "bt");
	rsp(&c, 5010, false, 200, "BYE", 1, "z9hG4bKb", "bt");
	const sip_call *k = call_named(f, "callee@a.example");
	g_assert_cmpint(k->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpint(k->ended_by, ==, CALL_END_CALLEE);
	g_assert_cmpuint(k->ender.addr[3], ==, 2);

	ua_call c2 = ua_call_make(f, "active@a.example");
	basic_setup(&c2, 10000);
	sip_model_finish(f->m, at(f, 20000));
	const sip_call *k2 = call_named(f, "active@a.example");
	g_assert_cmpint(k2->state, ==, CALL_STATE_ACTIVE);
	g_assert_cmpint(k2->end_ts, ==, 0);
	g_assert_cmpint(k2->ended_by, ==, CALL_END_NONE);
	g_assert_null(call_ender_name(k2->ended_by));
	flow_free(f);
}

static const sip_call *failed_with(flow *f, const char *call_id, int status)
{
	ua_call c = ua_call_make(f, call_id);
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKi", "bt");
	rsp(&c, 2000, true, status, "INVITE", 1, "z9hG4bKi", "bt");
	req(&c, 2010, true, "ACK", 1, "z9hG4bKi", "bt");
	return call_named(f, call_id);
}

/* Failures by status: 486 / 600 busy, 603 failed, 480 / 408 no answer, 404 failed. */
static void test_failures(void)
{
	flow *f = flow_new();
	const sip_call *k = failed_with(f, "486", 486);
	g_assert_cmpint(k->state, ==, CALL_STATE_BUSY);
	g_assert_cmpuint(k->final_status, ==, 486);
	g_assert_cmpint(k->end_ts, ==, at(f, 2000));
	g_assert_cmpint(k->ring_ts, ==, at(f, 10));
	g_assert_cmpint(k->answer_ts, ==, 0);
	g_assert_cmpint(k->ended_by, ==, CALL_END_NONE);
	g_assert_cmpint(failed_with(f, "600", 600)->state, ==, CALL_STATE_BUSY);
	g_assert_cmpint(failed_with(f, "603", 603)->state, ==, CALL_STATE_FAILED);
	g_assert_cmpuint(failed_with(f, "603", 603)->final_status, ==, 603);
	g_assert_cmpint(failed_with(f, "480", 480)->state, ==, CALL_STATE_NO_ANSWER);
	g_assert_cmpint(failed_with(f, "408", 408)->state, ==, CALL_STATE_NO_ANSWER);
	g_assert_cmpint(failed_with(f, "404", 404)->state, ==, CALL_STATE_FAILED);
	g_assert_cmpint(failed_with(f, "302", 302)->state, ==, CALL_STATE_FAILED);
	g_assert_cmpint(failed_with(f, "487", 487)->state, ==, CALL_STATE_CANCELLED);
	sip_model_finish(f->m, at(f, 100000));
	g_assert_cmpint(k->state, ==, CALL_STATE_BUSY);
	g_assert_cmpint(k->end_ts, ==, at(f, 2000));
	flow_free(f);
}

/* CANCEL then 487: cancelled by the caller. */
static void test_cancelled(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "cancel@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKi", "bt");
	sip_id can = req(&c, 4000, true, "CANCEL", 1, "z9hG4bKi", NULL);
	rsp(&c, 4010, true, 200, "CANCEL", 1, "z9hG4bKi", "bt");
	const sip_call *k = call_named(f, "cancel@a.example");
	g_assert_cmpint(k->state, ==, CALL_STATE_SETUP);
	rsp(&c, 4020, true, 487, "INVITE", 1, "z9hG4bKi", "bt");
	req(&c, 4030, true, "ACK", 1, "z9hG4bKi", "bt");
	g_assert_cmpint(k->state, ==, CALL_STATE_CANCELLED);
	g_assert_cmpuint(k->final_status, ==, 487);
	g_assert_cmpint(k->end_ts, ==, at(f, 4020));
	g_assert_cmpint(k->ended_by, ==, CALL_END_CALLER);
	g_assert_cmpuint(k->cancel_msg, ==, can);
	g_assert_cmpuint(k->ender.addr[3], ==, 1);
	flow_free(f);
}

/* CANCEL racing a 200: the 200 wins, the call is answered. */
static void test_cancel_races_200(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "race@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKi", "bt");
	req(&c, 4000, true, "CANCEL", 1, "z9hG4bKi", NULL);
	rsp(&c, 4001, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	rsp(&c, 4010, true, 200, "CANCEL", 1, "z9hG4bKi", "bt");
	req(&c, 4020, true, "ACK", 1, "z9hG4bKa", "bt");
	const sip_call *k = call_named(f, "race@a.example");
	g_assert_cmpint(k->state, ==, CALL_STATE_ACTIVE);
	g_assert_cmpuint(k->final_status, ==, 200);
	req(&c, 4030, true, "BYE", 2, "z9hG4bKb", "bt");
	rsp(&c, 4040, true, 200, "BYE", 2, "z9hG4bKb", "bt");
	g_assert_cmpint(k->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpint(k->ended_by, ==, CALL_END_CALLER);
	sip_model_finish(f->m, at(f, 100000));
	g_assert_cmpint(k->state, ==, CALL_STATE_ANSWERED);

	/* the 487 on one fork and the 200 on another: still answered */
	ua_call c2 = ua_call_make(f, "race2@a.example");
	req(&c2, 200000, true, "INVITE", 1, "z9hG4bKj", NULL);
	req(&c2, 201000, true, "CANCEL", 1, "z9hG4bKj", NULL);
	rsp(&c2, 201001, true, 487, "INVITE", 1, "z9hG4bKj", "x");
	rsp(&c2, 201002, true, 200, "INVITE", 1, "z9hG4bKj", "y");
	g_assert_cmpint(call_named(f, "race2@a.example")->state, ==, CALL_STATE_ACTIVE);
	flow_free(f);
}

/* Forks answer 200 and 486: answered, whichever comes first, whatever the hop. */
static void test_fork_200_and_486(void)
{
	flow *f = flow_new();
	/* seen upstream of the forking proxy: both in one transaction */
	ua_call c = ua_call_make(f, "fork@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKi", "one");
	rsp(&c, 20, true, 180, "INVITE", 1, "z9hG4bKi", "two");
	rsp(&c, 1000, true, 486, "INVITE", 1, "z9hG4bKi", "one");
	rsp(&c, 1100, true, 200, "INVITE", 1, "z9hG4bKi", "two");
	const sip_call *k = call_named(f, "fork@a.example");
	g_assert_cmpint(k->state, ==, CALL_STATE_ACTIVE);
	g_assert_cmpuint(k->final_status, ==, 200);
	g_assert_cmpuint(k->dialogs->len, ==, 2);

	/* seen on the forked legs: two transactions, one per branch */
	const char *P = "10.0.0.9:5060", *B1 = "10.0.0.21:5060", *B2 = "10.0.0.22:5060";
	const char *common =
		"From: <sip:alice@a.example>;tag=at\n"
		"Call-ID: legs@a.example\n"
		"CSeq: 1 INVITE\n";
	const char *up = "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKup\n";
	feedf(f, 2000, P, B1, "INVITE sip:bob@10.0.0.21 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKleg1\n%s%sTo: <sip:bob@b.example>\n", up, common);
	feedf(f, 2001, P, B2, "INVITE sip:bob@10.0.0.22 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKleg2\n%s%sTo: <sip:bob@b.example>\n", up, common);
	feedf(f, 2100, B1, P, "SIP/2.0 486 Busy Here\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKleg1\n%s%sTo: <sip:bob@b.example>;tag=b1\n",
		up, common);
	const sip_call *k2 = call_named(f, "legs@a.example");
	g_assert_cmpint(k2->state, ==, CALL_STATE_SETUP);   /* the other leg is still open */
	feedf(f, 2200, B2, P, "SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKleg2\n%s%sTo: <sip:bob@b.example>;tag=b2\n"
		"Contact: <sip:bob@10.0.0.22>\n", up, common);
	g_assert_cmpint(k2->state, ==, CALL_STATE_ACTIVE);
	g_assert_cmpint(k2->answer_ts, ==, at(f, 2200));

	/* and both busy: busy */
	const char *common3 =
		"From: <sip:alice@a.example>;tag=at\n"
		"Call-ID: legs3@a.example\n"
		"CSeq: 1 INVITE\n";
	feedf(f, 3000, P, B1, "INVITE sip:bob@10.0.0.21 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKleg3\n%s%sTo: <sip:bob@b.example>\n", up, common3);
	feedf(f, 3001, P, B2, "INVITE sip:bob@10.0.0.22 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKleg4\n%s%sTo: <sip:bob@b.example>\n", up, common3);
	feedf(f, 3100, B1, P, "SIP/2.0 486 Busy Here\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKleg3\n%s%sTo: <sip:bob@b.example>;tag=b1\n",
		up, common3);
	feedf(f, 3200, B2, P, "SIP/2.0 486 Busy Here\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKleg4\n%s%sTo: <sip:bob@b.example>;tag=b2\n",
		up, common3);
	const sip_call *k3 = call_named(f, "legs3@a.example");
	g_assert_cmpint(k3->state, ==, CALL_STATE_BUSY);
	g_assert_cmpint(k3->end_ts, ==, at(f, 3200));
	flow_free(f);
}

/* A re-INVITE failing with 491 and a 501 to UPDATE do not touch the outcome. */
static void test_in_dialog_failures_ignored(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "reinv@a.example");
	basic_setup(&c, 0);
	req(&c, 5000, true, "INVITE", 2, "z9hG4bKr", "bt");
	rsp(&c, 5010, true, 491, "INVITE", 2, "z9hG4bKr", "bt");
	req(&c, 5020, true, "ACK", 2, "z9hG4bKr", "bt");
	req(&c, 6000, false, "UPDATE", 1, "z9hG4bKu", "bt");
	rsp(&c, 6010, false, 501, "UPDATE", 1, "z9hG4bKu", "bt");
	const sip_call *k = call_named(f, "reinv@a.example");
	g_assert_cmpint(k->state, ==, CALL_STATE_ACTIVE);
	g_assert_cmpuint(k->final_status, ==, 200);
	req(&c, 9000, true, "BYE", 3, "z9hG4bKb", "bt");
	rsp(&c, 9010, true, 200, "BYE", 3, "z9hG4bKb", "bt");
	g_assert_cmpint(k->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpuint(k->final_status, ==, 200);

	/* the same before the answer: an UPDATE 501 in the early dialog */
	ua_call c2 = ua_call_make(f, "early-update@a.example");
	req(&c2, 20000, true, "INVITE", 1, "z9hG4bKi2", NULL);
	rsp(&c2, 20010, true, 183, "INVITE", 1, "z9hG4bKi2", "bt");
	req(&c2, 20020, true, "UPDATE", 2, "z9hG4bKu2", "bt");
	rsp(&c2, 20030, true, 501, "UPDATE", 2, "z9hG4bKu2", "bt");
	const sip_call *k2 = call_named(f, "early-update@a.example");
	g_assert_cmpint(k2->state, ==, CALL_STATE_SETUP);
	g_assert_cmpint(k2->ring_ts, ==, at(f, 20010));
	rsp(&c2, 21000, true, 200, "INVITE", 1, "z9hG4bKi2", "bt");
	g_assert_cmpint(k2->state, ==, CALL_STATE_ACTIVE);
	flow_free(f);
}

/* 407 challenge, then the INVITE again with credentials. */
static void test_challenge(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "auth@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bK1", NULL);
	rsp(&c, 10, true, 407, "INVITE", 1, "z9hG4bK1", "p1");
	req(&c, 20, true, "ACK", 1, "z9hG4bK1", "p1");
	const sip_call *k = call_named(f, "auth@a.example");
	g_assert_cmpint(k->state, ==, CALL_STATE_FAILED);
	g_assert_cmpuint(k->final_status, ==, 407);
	req(&c, 30, true, "INVITE", 2, "z9hG4bK2", NULL);
	g_assert_cmpint(k->state, ==, CALL_STATE_SETUP);
	g_assert_cmpuint(k->final_status, ==, 0);
	g_assert_cmpint(k->end_ts, ==, 0);
	rsp(&c, 1000, true, 180, "INVITE", 2, "z9hG4bK2", "bt");
	rsp(&c, 2000, true, 200, "INVITE", 2, "z9hG4bK2", "bt");
	g_assert_cmpint(k->state, ==, CALL_STATE_ACTIVE);
	g_assert_cmpint(k->ring_ts, ==, at(f, 1000));
	g_assert_cmpuint(k->initial_txn, ==, msg_of(f, 0)->txn);
	flow_free(f);
}

/* No final response: setup while the capture is short, no answer after 64×T1. */
static void test_no_answer_timeout(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "silent@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	req(&c, 500, true, "INVITE", 1, "z9hG4bKi", NULL);
	const sip_call *k = call_named(f, "silent@a.example");
	sip_model_finish(f->m, at(f, 10000));
	g_assert_cmpint(k->state, ==, CALL_STATE_SETUP);
	sip_model_finish(f->m, at(f, 40000));
	g_assert_cmpint(k->state, ==, CALL_STATE_NO_ANSWER);
	g_assert_cmpint(k->end_ts, ==, at(f, 32000));
	g_assert_cmpuint(k->final_status, ==, 0);
	flow_free(f);

	/* judged as messages go: a later message moves the clock past Timer B */
	f = flow_new();
	ua_call c2 = ua_call_make(f, "silent2@a.example");
	req(&c2, 0, true, "INVITE", 1, "z9hG4bKj", NULL);
	k = call_named(f, "silent2@a.example");
	ua_call other = ua_call_make(f, "other@a.example");
	req(&other, 31000, true, "OPTIONS", 1, "z9hG4bKo1", NULL);
	g_assert_cmpint(k->state, ==, CALL_STATE_SETUP);
	req(&other, 33000, true, "OPTIONS", 2, "z9hG4bKo2", NULL);
	g_assert_cmpint(k->state, ==, CALL_STATE_NO_ANSWER);
	g_assert_cmpint(k->end_ts, ==, at(f, 32000));
	g_assert_cmpint(txn_of(f, 0)->end, ==, TXN_END_NO_FINAL);
	flow_free(f);
}

/* Related calls: X-Call-ID both ways (before and after the other exists),
 * Replaces, and a Replaces inside Refer-To. */
static void test_related(void)
{
	flow *f = flow_new();
	ua_call a = ua_call_make(f, "leg-a@a.example");
	req_x(&a, 0, true, "INVITE", 1, "z9hG4bKa", NULL, "X-Call-ID: leg-b@b.example\n");
	const sip_call *ka = call_named(f, "leg-a@a.example");
	g_assert_cmpuint(ka->related->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(ka->related, 0), ==, "leg-b@b.example");
	ua_call b = ua_call_make(f, "leg-b@b.example");
	req(&b, 10, true, "INVITE", 1, "z9hG4bKb", NULL);
	const sip_call *kb = call_named(f, "leg-b@b.example");
	g_assert_cmpuint(kb->related->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(kb->related, 0), ==, "leg-a@a.example");
	/* named again: no duplicate */
	req_x(&a, 20, true, "INVITE", 1, "z9hG4bKa", NULL, "X-CID: leg-b@b.example\n");
	g_assert_cmpuint(ka->related->len, ==, 1);
	/* the other call exists already */
	ua_call d = ua_call_make(f, "leg-d@a.example");
	req_x(&d, 30, true, "INVITE", 1, "z9hG4bKd", NULL, "X-Orig-Call-ID: leg-a@a.example\n");
	g_assert_cmpuint(ka->related->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(ka->related, 1), ==, "leg-d@a.example");

	/* attended transfer: REFER with an embedded Replaces, then INVITE with Replaces */
	ua_call t = ua_call_make(f, "transfer@a.example");
	basic_setup(&t, 100);
	req_x(&t, 5000, true, "REFER", 2, "z9hG4bKr", "bt",
		"Refer-To: <sip:carol@c.example?Replaces=consult%40a.example%3Bto-tag%3D1%3Bfrom-tag%3D2>\n"
		"Referred-By: <sip:alice@a.example>\n");
	const sip_call *kt = call_named(f, "transfer@a.example");
	g_assert_cmpuint(kt->related->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(kt->related, 0), ==, "consult@a.example");
	ua_call n = ua_call_make(f, "new@b.example");
	req_x(&n, 6000, true, "INVITE", 1, "z9hG4bKn", NULL,
		"Replaces: consult@a.example;to-tag=1;from-tag=2\n");
	const sip_call *kn = call_named(f, "new@b.example");
	g_assert_cmpstr(g_ptr_array_index(kn->related, 0), ==, "consult@a.example");
	ua_call s = ua_call_make(f, "consult@a.example");
	req(&s, 7000, true, "OPTIONS", 1, "z9hG4bKo", NULL);
	const sip_call *ks = call_named(f, "consult@a.example");
	g_assert_cmpuint(ks->related->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(ks->related, 0), ==, "transfer@a.example");
	g_assert_cmpstr(g_ptr_array_index(ks->related, 1), ==, "new@b.example");
	g_assert_cmpint(ks->state, ==, CALL_STATE_NOT_A_CALL);
	flow_free(f);
}

/* Not calls: OPTIONS, REGISTER, MESSAGE. */
static void test_not_a_call(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "opt@a.example");
	req(&c, 0, true, "OPTIONS", 1, "z9hG4bKo", NULL);
	rsp(&c, 10, true, 200, "OPTIONS", 1, "z9hG4bKo", "bt");
	ua_call m = ua_call_make(f, "msg@a.example");
	req(&m, 0, true, "MESSAGE", 1, "z9hG4bKm", NULL);
	rsp(&m, 10, true, 200, "MESSAGE", 1, "z9hG4bKm", "bt");
	sip_model_finish(f->m, at(f, 100000));
	const sip_call *k = call_named(f, "opt@a.example");
	g_assert_cmpint(k->state, ==, CALL_STATE_NOT_A_CALL);
	g_assert_cmpstr(call_state_name(k->state), ==, "not-a-call");
	assert_sv_eq(k->first_method, "OPTIONS");
	g_assert_cmpint(call_named(f, "msg@a.example")->state, ==, CALL_STATE_NOT_A_CALL);
	flow_free(f);
}

/* Every call kept (no limits): a call over for good (finished, quiet five
 * minutes) leaves the Call-ID index at the first message after that,
 * its records stay, and its Call-ID starts another call; a call quiet
 * but open stays found. */
static void test_over_leaves_index(void)
{
	flow *f = flow_new();
	ua_call a = ua_call_make(f, "gone@a.example");
	basic_setup(&a, 0);
	req(&a, 60000, true, "BYE", 2, "z9hG4bKb", "bt");
	rsp(&a, 60020, true, 200, "BYE", 2, "z9hG4bKb", "bt");
	ua_call b = ua_call_make(f, "ringing@a.example");
	req(&b, 1000, true, "INVITE", 1, "z9hG4bKr", NULL);
	rsp(&b, 1800, true, 180, "INVITE", 1, "z9hG4bKr", "rt");
	sip_id a_id = call_named(f, "gone@a.example")->id;
	ua_call o = ua_call_make(f, "other@a.example");
	req(&o, 60020 + 299000, true, "OPTIONS", 1, "z9hG4bKo1", NULL);
	g_assert_nonnull(sip_model_call_find(f->m, sv_from_cstr("gone@a.example")));
	req(&o, 60020 + 301000, true, "OPTIONS", 2, "z9hG4bKo2", NULL);
	g_assert_null(sip_model_call_find(f->m, sv_from_cstr("gone@a.example")));
	g_assert_nonnull(sip_model_call_find(f->m, sv_from_cstr("ringing@a.example")));
	const sip_call *old = sip_model_call(f->m, a_id);
	g_assert_nonnull(old);
	g_assert_cmpuint(old->messages->len, ==, 7);
	g_assert_cmpint(old->state, ==, CALL_STATE_ANSWERED);
	/* its Call-ID and its old branch again: another call, another
	 * transaction, not a retransmission */
	sip_id again = req(&a, 60020 + 302000, true, "INVITE", 1, "z9hG4bKi", NULL);
	const sip_message *m = msg_of(f, again);
	g_assert_cmpuint(m->call, !=, a_id);
	g_assert_false(m->retransmission);
	g_assert_true(sip_model_call_find(f->m, sv_from_cstr("gone@a.example")) ==
		sip_model_call(f->m, m->call));
	g_assert_cmpuint(sip_model_call(f->m, a_id)->messages->len, ==, 7);
	flow_free(f);
}

/* Captures that start mid-call. */
static void test_mid_call_captures(void)
{
	flow *f = flow_new();
	/* after the INVITE: ringing and answer only */
	ua_call c = ua_call_make(f, "late@a.example");
	rsp(&c, 0, true, 180, "INVITE", 1, "z9hG4bKi", "bt");
	rsp(&c, 1000, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	req(&c, 1010, true, "ACK", 1, "z9hG4bKa", "bt");
	const sip_call *k = call_named(f, "late@a.example");
	g_assert_cmpint(k->state, ==, CALL_STATE_ACTIVE);
	g_assert_cmpint(k->ring_ts, ==, at(f, 0));
	g_assert_cmpint(k->answer_ts, ==, at(f, 1000));
	assert_sv_eq(k->from, "sip:alice@a.example");
	req(&c, 2000, false, "BYE", 1, "z9hG4bKb", "bt");
	rsp(&c, 2010, false, 200, "BYE", 1, "z9hG4bKb", "bt");
	g_assert_cmpint(k->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpint(k->ended_by, ==, CALL_END_CALLEE);

	/* only the BYE and its 200 */
	ua_call c2 = ua_call_make(f, "bye@a.example");
	req(&c2, 3000, true, "BYE", 7, "z9hG4bKc", "bt");
	const sip_call *k2 = call_named(f, "bye@a.example");
	g_assert_cmpint(k2->state, ==, CALL_STATE_ACTIVE);
	rsp(&c2, 3010, true, 200, "BYE", 7, "z9hG4bKc", "bt");
	g_assert_cmpint(k2->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpint(k2->end_ts, ==, at(f, 3010));
	g_assert_cmpint(k2->ended_by, ==, CALL_END_OTHER);

	/* a BYE never answered, in a call met midway */
	ua_call c3 = ua_call_make(f, "bye-lost@a.example");
	req(&c3, 4000, true, "INFO", 7, "z9hG4bKd", "bt");
	req(&c3, 5000, true, "BYE", 8, "z9hG4bKe", "bt");
	sip_model_finish(f->m, at(f, 6000));
	const sip_call *k3 = call_named(f, "bye-lost@a.example");
	g_assert_cmpint(k3->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpint(k3->end_ts, ==, at(f, 5000));
	flow_free(f);
}

/* An answered call whose BYE got no answer ends at the BYE when the capture ends. */
static void test_bye_unanswered(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "byeq@a.example");
	basic_setup(&c, 0);
	req(&c, 9000, false, "BYE", 1, "z9hG4bKb", "bt");
	const sip_call *k = call_named(f, "byeq@a.example");
	g_assert_cmpint(k->state, ==, CALL_STATE_ACTIVE);
	sip_model_finish(f->m, at(f, 9500));
	g_assert_cmpint(k->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpint(k->end_ts, ==, at(f, 9000));
	g_assert_cmpint(k->ended_by, ==, CALL_END_CALLEE);

	/* two answered forks: the call lasts until both dialogs end */
	ua_call c2 = ua_call_make(f, "twofork@a.example");
	req(&c2, 20000, true, "INVITE", 1, "z9hG4bKf", NULL);
	rsp(&c2, 20010, true, 200, "INVITE", 1, "z9hG4bKf", "one");
	rsp(&c2, 20020, true, 200, "INVITE", 1, "z9hG4bKf", "two");
	req(&c2, 20030, true, "BYE", 2, "z9hG4bKg", "two");
	rsp(&c2, 20040, true, 200, "BYE", 2, "z9hG4bKg", "two");
	const sip_call *k2 = call_named(f, "twofork@a.example");
	g_assert_cmpint(k2->state, ==, CALL_STATE_ACTIVE);
	req(&c2, 30000, false, "BYE", 1, "z9hG4bKh", "one");
	rsp(&c2, 30010, false, 200, "BYE", 1, "z9hG4bKh", "one");
	g_assert_cmpint(k2->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpint(k2->ended_by, ==, CALL_END_CALLEE);
	flow_free(f);
}

/* A call's lists start inside its record and move out as they grow: every
 * id stays listed, in order, across the move, with and without limits
 * (where the call is then evicted with its lists). */
static void check_long_lists(const sip_limits *limits)
{
	flow *f = flow_new();
	if (limits)
		g_assert_true(sip_model_set_limits(f->m, limits));
	ua_call c = ua_call_make(f, "lists@a.example");
	GArray *msgs = g_array_new(FALSE, FALSE, sizeof(sip_id));
	GArray *txns = g_array_new(FALSE, FALSE, sizeof(sip_id));
	GArray *dialogs = g_array_new(FALSE, FALSE, sizeof(sip_id));
	sip_id id = req(&c, 0, true, "INVITE", 1, "z9hG4bKl0", NULL);
	g_array_append_val(msgs, id);
	sip_id t = msg_of(f, id)->txn;
	g_array_append_val(txns, t);
	/* 5 forks answer early: 5 dialogs */
	for (unsigned k = 0; k < 5; k++) {
		char tag[8];
		g_snprintf(tag, sizeof(tag), "f%u", k);
		id = rsp(&c, 10 + k, true, 180, "INVITE", 1, "z9hG4bKl0", tag);
		g_array_append_val(msgs, id);
		sip_id d = msg_of(f, id)->dialog;
		g_assert_cmpuint(d, !=, SIP_ID_NONE);
		g_array_append_val(dialogs, d);
	}
	id = rsp(&c, 100, true, 200, "INVITE", 1, "z9hG4bKl0", "f0");
	g_array_append_val(msgs, id);
	/* then 12 in-dialog requests, each a transaction */
	for (unsigned k = 0; k < 12; k++) {
		char branch[24];
		g_snprintf(branch, sizeof(branch), "z9hG4bKi%u", k);
		id = req(&c, 200 + 10 * k, true, "INFO", 2 + k, branch, "f0");
		g_array_append_val(msgs, id);
		t = msg_of(f, id)->txn;
		g_array_append_val(txns, t);
		id = rsp(&c, 205 + 10 * k, true, 200, "INFO", 2 + k, branch, "f0");
		g_array_append_val(msgs, id);
	}
	const sip_call *call = call_named(f, "lists@a.example");
	g_assert_nonnull(call);
	g_assert_cmpuint(call->messages->len, ==, msgs->len);
	for (guint i = 0; i < msgs->len; i++)
		g_assert_cmpuint(g_array_index(call->messages, sip_id, i), ==, g_array_index(msgs, sip_id, i));
	g_assert_cmpuint(call->txns->len, ==, txns->len);
	for (guint i = 0; i < txns->len; i++)
		g_assert_cmpuint(g_array_index(call->txns, sip_id, i), ==, g_array_index(txns, sip_id, i));
	g_assert_cmpuint(call->dialogs->len, ==, dialogs->len);
	for (guint i = 0; i < dialogs->len; i++)
		g_assert_cmpuint(g_array_index(call->dialogs, sip_id, i), ==, g_array_index(dialogs, sip_id, i));
	/* a short call beside it keeps its lists in its record */
	ua_call c2 = ua_call_make(f, "short@a.example");
	req(&c2, 1000, true, "OPTIONS", 1, "z9hG4bKs", NULL);
	const sip_call *call2 = call_named(f, "short@a.example");
	g_assert_cmpuint(call2->messages->len, ==, 1);
	g_assert_cmpuint(call2->txns->len, ==, 1);
	g_assert_cmpuint(call2->dialogs->len, ==, 0);
	if (limits) {
		/* more calls than allowed: the long one goes, lists and all */
		ua_call c3 = ua_call_make(f, "third@a.example");
		req(&c3, 2000, true, "OPTIONS", 1, "z9hG4bKt", NULL);
		rsp(&c3, 2010, true, 200, "OPTIONS", 1, "z9hG4bKt", "x");   /* limits are judged before it */
		g_assert_null(sip_model_call_find(f->m, sv_from_cstr("lists@a.example")));
		g_assert_nonnull(sip_model_call_find(f->m, sv_from_cstr("third@a.example")));
	}
	g_array_free(msgs, TRUE);
	g_array_free(txns, TRUE);
	g_array_free(dialogs, TRUE);
	flow_free(f);
}

static void test_long_lists(void)
{
	check_long_lists(NULL);
}

static void test_long_lists_limits(void)
{
	check_long_lists(&(sip_limits){ .max_calls = 2 });
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/model/call/basic", test_basic_call);
	g_test_add_func("/model/call/callee-ends-and-active", test_callee_ends_and_active);
	g_test_add_func("/model/call/failures", test_failures);
	g_test_add_func("/model/call/cancelled", test_cancelled);
	g_test_add_func("/model/call/cancel-races-200", test_cancel_races_200);
	g_test_add_func("/model/call/fork-200-and-486", test_fork_200_and_486);
	g_test_add_func("/model/call/in-dialog-failures-ignored", test_in_dialog_failures_ignored);
	g_test_add_func("/model/call/challenge", test_challenge);
	g_test_add_func("/model/call/no-answer-timeout", test_no_answer_timeout);
	g_test_add_func("/model/call/related", test_related);
	g_test_add_func("/model/call/not-a-call", test_not_a_call);
	g_test_add_func("/model/call/over-leaves-index", test_over_leaves_index);
	g_test_add_func("/model/call/mid-call-captures", test_mid_call_captures);
	g_test_add_func("/model/call/bye-unanswered", test_bye_unanswered);
	g_test_add_func("/model/call/long-lists", test_long_lists);
	g_test_add_func("/model/call/long-lists-limits", test_long_lists_limits);
	return g_test_run();
}
