/*
 * Model: transactions (RFC 3261 §17) — matching by branch / sent-by /
 * method and by the RFC 2543 fields, ACK and CANCEL, retransmissions,
 * states and timers, proxy hops, the message record, taps.
 */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dissect/model.h"
#include "dissect/sip.h"

#include "support/model_flow.h"

/* ---- tests -------------------------------------------------------------------------- */

/* RFC 3665 §3.1-like basic call without proxies. */
static void test_basic_call(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "basic@a.example");
	sip_id inv = req(&c, 0, true, "INVITE", 1, "z9hG4bKinv1", NULL);
	sip_id t100 = rsp(&c, 10, true, 100, "INVITE", 1, "z9hG4bKinv1", NULL);
	sip_id r180 = rsp(&c, 20, true, 180, "INVITE", 1, "z9hG4bKinv1", "btag");
	sip_id r200 = rsp(&c, 3000, true, 200, "INVITE", 1, "z9hG4bKinv1", "btag");
	sip_id ack = req(&c, 3010, true, "ACK", 1, "z9hG4bKack1", "btag");
	sip_id bye = req(&c, 10000, true, "BYE", 2, "z9hG4bKbye1", "btag");
	sip_id bye200 = rsp(&c, 10020, true, 200, "BYE", 2, "z9hG4bKbye1", "btag");

	g_assert_cmpuint(sip_model_message_count(f->m), ==, 7);
	g_assert_cmpuint(sip_model_txn_count(f->m), ==, 3);

	const sip_txn *ti = txn_of(f, inv);
	g_assert_cmpuint(msg_of(f, t100)->txn, ==, ti->id);
	g_assert_cmpuint(msg_of(f, r180)->txn, ==, ti->id);
	g_assert_cmpuint(msg_of(f, r200)->txn, ==, ti->id);
	assert_sv_eq(sip_txn_method(ti), "INVITE");
	assert_sv_eq(sip_txn_branch(ti), "z9hG4bKinv1");
	assert_sv_eq(sip_txn_sent_by(f->m, ti), "10.0.0.1:5060");
	g_assert_true(ti->is_invite);
	g_assert_false(ti->rfc2543);
	g_assert_cmpuint(ti->request, ==, inv);
	g_assert_cmpuint(ti->first_provisional, ==, t100);
	g_assert_cmpuint(ti->final, ==, r200);
	g_assert_cmpuint(ti->final_status, ==, 200);
	g_assert_cmpuint(ti->ack, ==, SIP_ID_NONE);
	g_assert_cmpint(ti->state, ==, TXN_STATE_TERMINATED);
	g_assert_cmpint(ti->end, ==, TXN_END_FINAL);
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_CALLING), ==, at(f, 0));
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_TRYING), ==, 0);   /* an INVITE's is calling */
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_PROCEEDING), ==, at(f, 10));
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_COMPLETED), ==, 0);
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_TERMINATED), ==, at(f, 3000));
	g_assert_cmpint(sip_txn_provisional_delay(f->m, ti), ==, 10 * 1000000);
	g_assert_cmpint(sip_txn_final_delay(f->m, ti), ==, INT64_C(3000) * 1000000);
	g_assert_cmpuint(ti->messages, ==, 4);
	g_assert_cmpuint(ti->cseq, ==, 1);

	/* the ACK for the 2xx: a transaction of its own, with no response */
	const sip_txn *ta = txn_of(f, ack);
	g_assert_cmpuint(ta->id, !=, ti->id);
	assert_sv_eq(sip_txn_method(ta), "ACK");
	g_assert_cmpint(ta->state, ==, TXN_STATE_TERMINATED);
	g_assert_cmpint(ta->end, ==, TXN_END_FINAL);
	g_assert_cmpuint(ta->final, ==, SIP_ID_NONE);

	const sip_txn *tb = txn_of(f, bye);
	g_assert_cmpuint(msg_of(f, bye200)->txn, ==, tb->id);
	g_assert_false(tb->is_invite);
	g_assert_cmpint(sip_txn_state_ts(f->m, tb, TXN_STATE_TRYING), ==, at(f, 10000));
	g_assert_cmpint(tb->state, ==, TXN_STATE_COMPLETED);
	g_assert_cmpuint(tb->final_status, ==, 200);
	g_assert_cmpuint(tb->first_provisional, ==, SIP_ID_NONE);
	g_assert_cmpint(sip_txn_provisional_delay(f->m, tb), ==, -1);

	for (sip_id i = 0; i < 7; i++)
		g_assert_false(msg_of(f, i)->retransmission);

	/* Timer K (T4 over UDP) has not run out yet ... */
	sip_model_finish(f->m, at(f, 12000));
	g_assert_cmpint(tb->state, ==, TXN_STATE_COMPLETED);
	/* ... now it has */
	sip_model_finish(f->m, at(f, 20000));
	g_assert_cmpint(tb->state, ==, TXN_STATE_TERMINATED);
	g_assert_cmpint(sip_txn_state_ts(f->m, tb, TXN_STATE_TERMINATED), ==, at(f, 15020));
	flow_free(f);
}

/* The message record keeps views into the message, not into the parse. */
static void test_message_record(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "rec@a.example");
	sip_id inv = req_x(&c, 0, true, "INVITE", 7, "z9hG4bKrec", NULL,
		"Content-Type: application/sdp\n");
	sip_id r = rsp(&c, 5, true, 180, "INVITE", 7, "z9hG4bKrec", "bt");
	const sip_message *m = msg_of(f, inv);
	g_assert_cmpuint(m->id, ==, inv);
	g_assert_cmpint(m->kind, ==, SIP_KIND_REQUEST);
	assert_sv_eq(sip_message_field(m, SIP_FIELD_METHOD), "INVITE");
	assert_sv_eq(sip_message_field(m, SIP_FIELD_REQUEST_URI), "sip:bob@10.0.0.2:5060");
	assert_sv_eq(sip_message_field(m, SIP_FIELD_CALL_ID), "rec@a.example");
	assert_sv_eq(sip_message_field(m, SIP_FIELD_CSEQ_METHOD), "INVITE");
	assert_sv_eq(sip_message_field(m, SIP_FIELD_FROM_TAG), "atag");
	assert_sv_eq(sip_message_field(m, SIP_FIELD_TO_TAG), NULL);
	assert_sv_eq(sip_message_field(m, SIP_FIELD_BRANCH), "z9hG4bKrec");
	assert_sv_eq(sip_message_field(m, SIP_FIELD_VIA_SENT_BY), "10.0.0.1:5060");
	assert_sv_eq(sip_message_field(m, SIP_FIELD_REASON), NULL);
	g_assert_cmpuint(m->cseq, ==, 7);
	g_assert_true(m->has_cseq);
	g_assert_false(m->has_sdp);   /* no body */
	g_assert_cmpint(m->ts_ns, ==, at(f, 0));
	g_assert_cmpuint(sip_message_src(m).port, ==, 5060);
	g_assert_cmpuint(sip_message_src(m).addr[3], ==, 1);
	const sip_message *mr = msg_of(f, r);
	g_assert_cmpuint(mr->status, ==, 180);
	assert_sv_eq(sip_message_field(mr, SIP_FIELD_REASON), "Ringing");
	assert_sv_eq(sip_message_field(mr, SIP_FIELD_TO_TAG), "bt");
	g_assert_cmpuint(mr->call, ==, m->call);

	sip_id sdp = feed_body(f, 10, c.b, c.a,
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKrec\n"
		"From: <sip:alice@a.example>;tag=atag\n"
		"To: <sip:bob@b.example>;tag=bt\n"
		"Call-ID: rec@a.example\n"
		"CSeq: 7 INVITE\n"
		"Content-Type: application/sdp\n",
		"v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\n");
	g_assert_true(msg_of(f, sdp)->has_sdp);

	g_assert_cmpuint(sizeof(sip_message), <=, 200);
	flow_free(f);
}

/* RFC 3665 §3.3-like: 486, and the ACK joins the INVITE transaction. */
static void test_busy_ack_joins(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "busy@a.example");
	sip_id inv = req(&c, 0, true, "INVITE", 1, "z9hG4bKb1", NULL);
	rsp(&c, 10, true, 100, "INVITE", 1, "z9hG4bKb1", NULL);
	sip_id busy = rsp(&c, 500, true, 486, "INVITE", 1, "z9hG4bKb1", "bt");
	sip_id ack = req(&c, 510, true, "ACK", 1, "z9hG4bKb1", "bt");
	g_assert_cmpuint(sip_model_txn_count(f->m), ==, 1);
	const sip_txn *t = txn_of(f, inv);
	g_assert_cmpuint(msg_of(f, ack)->txn, ==, t->id);
	g_assert_cmpuint(t->ack, ==, ack);
	g_assert_cmpuint(t->final, ==, busy);
	g_assert_cmpuint(t->final_status, ==, 486);
	g_assert_cmpint(t->state, ==, TXN_STATE_CONFIRMED);
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_COMPLETED), ==, at(f, 500));
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_CONFIRMED), ==, at(f, 510));

	/* the 486 retransmitted (the ACK was lost): retransmissions both */
	sip_id busy2 = rsp(&c, 1000, true, 486, "INVITE", 1, "z9hG4bKb1", "bt");
	sip_id ack2 = req(&c, 1010, true, "ACK", 1, "z9hG4bKb1", "bt");
	g_assert_true(msg_of(f, busy2)->retransmission);
	g_assert_true(msg_of(f, ack2)->retransmission);
	g_assert_cmpuint(t->response_retransmissions, ==, 1);
	g_assert_cmpuint(t->request_retransmissions, ==, 1);
	g_assert_cmpuint(t->ack, ==, ack);
	g_assert_cmpuint(sip_model_txn_count(f->m), ==, 1);

	/* Timer I after the ACK */
	sip_model_finish(f->m, at(f, 6000));
	g_assert_cmpint(t->state, ==, TXN_STATE_TERMINATED);
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_TERMINATED), ==, at(f, 5510));
	flow_free(f);
}

/* CANCEL: its own transaction, linked both ways to the INVITE. */
static void test_cancel_linked(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "cancel@a.example");
	sip_id inv = req(&c, 0, true, "INVITE", 1, "z9hG4bKc1", NULL);
	rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKc1", "bt");
	sip_id can = req(&c, 2000, true, "CANCEL", 1, "z9hG4bKc1", NULL);
	sip_id can200 = rsp(&c, 2010, true, 200, "CANCEL", 1, "z9hG4bKc1", "bt");
	sip_id r487 = rsp(&c, 2020, true, 487, "INVITE", 1, "z9hG4bKc1", "bt");
	sip_id ack = req(&c, 2030, true, "ACK", 1, "z9hG4bKc1", "bt");
	g_assert_cmpuint(sip_model_txn_count(f->m), ==, 2);
	const sip_txn *ti = txn_of(f, inv), *tc = txn_of(f, can);
	g_assert_cmpuint(ti->id, !=, tc->id);
	assert_sv_eq(sip_txn_method(tc), "CANCEL");
	g_assert_cmpuint(ti->cancel, ==, tc->id);
	g_assert_cmpuint(tc->cancel, ==, ti->id);
	g_assert_cmpuint(msg_of(f, can200)->txn, ==, tc->id);
	g_assert_cmpuint(msg_of(f, r487)->txn, ==, ti->id);
	g_assert_cmpuint(msg_of(f, ack)->txn, ==, ti->id);
	g_assert_cmpint(tc->state, ==, TXN_STATE_COMPLETED);
	g_assert_cmpint(ti->state, ==, TXN_STATE_CONFIRMED);
	g_assert_cmpuint(ti->final_status, ==, 487);

	/* a CANCEL retransmitted (Timer E) is not a new transaction */
	sip_id can2 = req(&c, 2500, true, "CANCEL", 1, "z9hG4bKc1", NULL);
	g_assert_true(msg_of(f, can2)->retransmission);
	g_assert_cmpuint(msg_of(f, can2)->txn, ==, tc->id);
	/* hop by hop: no dialog for the CANCEL nor its 200, the 487 has one */
	g_assert_cmpuint(msg_of(f, can)->dialog, ==, SIP_ID_NONE);
	g_assert_cmpuint(msg_of(f, can200)->dialog, ==, SIP_ID_NONE);
	g_assert_cmpuint(msg_of(f, r487)->dialog, !=, SIP_ID_NONE);
	g_assert_cmpuint(tc->dialog, ==, SIP_ID_NONE);

	/* the CANCEL seen before its INVITE (capture points out of step) */
	ua_call c2 = ua_call_make(f, "cancel-first@a.example");
	sip_id can3 = req(&c2, 3000, true, "CANCEL", 1, "z9hG4bKc2", NULL);
	sip_id inv3 = req(&c2, 3001, true, "INVITE", 1, "z9hG4bKc2", NULL);
	g_assert_cmpuint(txn_of(f, can3)->cancel, ==, msg_of(f, inv3)->txn);
	g_assert_cmpuint(txn_of(f, inv3)->cancel, ==, msg_of(f, can3)->txn);
	flow_free(f);
}

/* INVITE, 200 and ACK retransmissions: marked, counted, no new transaction. */
static void test_retransmissions(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "rtx@a.example");
	sip_id inv = req(&c, 0, true, "INVITE", 1, "z9hG4bKr1", NULL);
	sip_id inv2 = req(&c, 500, true, "INVITE", 1, "z9hG4bKr1", NULL);
	sip_id inv3 = req(&c, 1500, true, "INVITE", 1, "z9hG4bKr1", NULL);
	sip_id r100 = rsp(&c, 1510, true, 100, "INVITE", 1, "z9hG4bKr1", NULL);
	sip_id r180 = rsp(&c, 1600, true, 180, "INVITE", 1, "z9hG4bKr1", "bt");
	sip_id r200 = rsp(&c, 2000, true, 200, "INVITE", 1, "z9hG4bKr1", "bt");
	sip_id r200b = rsp(&c, 2500, true, 200, "INVITE", 1, "z9hG4bKr1", "bt");
	sip_id ack = req(&c, 2510, true, "ACK", 1, "z9hG4bKa1", "bt");
	sip_id ack2 = req(&c, 2520, true, "ACK", 1, "z9hG4bKa1", "bt");
	g_assert_cmpuint(sip_model_txn_count(f->m), ==, 2);
	const sip_txn *t = txn_of(f, inv);
	g_assert_false(msg_of(f, inv)->retransmission);
	g_assert_true(msg_of(f, inv2)->retransmission);
	g_assert_true(msg_of(f, inv3)->retransmission);
	g_assert_false(msg_of(f, r100)->retransmission);
	g_assert_false(msg_of(f, r180)->retransmission);
	g_assert_false(msg_of(f, r200)->retransmission);
	g_assert_true(msg_of(f, r200b)->retransmission);
	g_assert_false(msg_of(f, ack)->retransmission);
	g_assert_true(msg_of(f, ack2)->retransmission);
	g_assert_cmpuint(msg_of(f, inv3)->txn, ==, t->id);
	g_assert_cmpuint(msg_of(f, r200b)->txn, ==, t->id);
	g_assert_cmpuint(t->request_retransmissions, ==, 2);
	g_assert_cmpuint(t->response_retransmissions, ==, 1);
	g_assert_cmpuint(t->messages, ==, 7);
	g_assert_cmpuint(t->final, ==, r200);
	g_assert_cmpint(sip_txn_provisional_delay(f->m, t), ==, INT64_C(1510) * 1000000);
	const sip_txn *ta = txn_of(f, ack);
	g_assert_cmpuint(ta->request_retransmissions, ==, 1);

	/* a 200 with another To tag is another fork's answer, not a retransmission */
	sip_id fork = rsp(&c, 2600, true, 200, "INVITE", 1, "z9hG4bKr1", "other");
	g_assert_false(msg_of(f, fork)->retransmission);
	g_assert_cmpuint(t->final, ==, r200);
	flow_free(f);
}

/* The capture begins after the INVITE: responses make a transaction of their own. */
static void test_responses_without_request(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "late@a.example");
	sip_id r180 = rsp(&c, 0, true, 180, "INVITE", 1, "z9hG4bKl1", "bt");
	sip_id r200 = rsp(&c, 1000, true, 200, "INVITE", 1, "z9hG4bKl1", "bt");
	sip_id ack = req(&c, 1010, true, "ACK", 1, "z9hG4bKl2", "bt");
	const sip_txn *t = txn_of(f, r180);
	g_assert_cmpuint(t->request, ==, SIP_ID_NONE);
	g_assert_cmpuint(msg_of(f, r200)->txn, ==, t->id);
	assert_sv_eq(sip_txn_method(t), "INVITE");
	g_assert_true(t->is_invite);
	g_assert_cmpint(t->state, ==, TXN_STATE_TERMINATED);
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_CALLING), ==, 0);
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_PROCEEDING), ==, at(f, 0));
	g_assert_cmpint(sip_txn_request_ts(f->m, t), ==, 0);
	g_assert_cmpint(sip_txn_final_delay(f->m, t), ==, -1);
	g_assert_cmpuint(msg_of(f, ack)->txn, !=, t->id);

	/* a response to a request never seen, then the request (clock skew): filled in */
	sip_id o200 = rsp(&c, 2000, true, 200, "OPTIONS", 5, "z9hG4bKo1", "bt");
	sip_id opt = req(&c, 2001, true, "OPTIONS", 5, "z9hG4bKo1", "bt");
	const sip_txn *to = txn_of(f, o200);
	g_assert_cmpuint(msg_of(f, opt)->txn, ==, to->id);
	g_assert_cmpuint(to->request, ==, opt);
	g_assert_false(msg_of(f, opt)->retransmission);
	g_assert_cmpint(sip_txn_state_ts(f->m, to, TXN_STATE_TRYING), ==, at(f, 2001));
	g_assert_cmpint(sip_txn_request_ts(f->m, to), ==, at(f, 2001));
	g_assert_cmpint(sip_txn_state_ts(f->m, to, TXN_STATE_CALLING), ==, 0);   /* not an INVITE */
	g_assert_cmpint(sip_txn_state_ts(f->m, to, TXN_STATE_COMPLETED), ==, at(f, 2000));
	flow_free(f);
}

/* RFC 2543 peers: no magic cookie, no branch at all, no From tag. */
static void test_rfc2543(void)
{
	flow *f = flow_new();
	const char *A = "10.0.0.1:5060", *B = "10.0.0.2:5060";
	const char *hdr =
		"Via: SIP/2.0/UDP 10.0.0.1\n"
		"From: <sip:alice@a.example>\n"
		"Call-ID: old@a.example\n";
	sip_id inv = feedf(f, 0, A, B, "INVITE sip:bob@b.example SIP/2.0\n%s"
		"To: <sip:bob@b.example>\nCSeq: 1 INVITE\nContact: <sip:alice@10.0.0.1>\n", hdr);
	/* the server added received=, the Via port is now explicit */
	const char *rhdr =
		"Via: SIP/2.0/UDP 10.0.0.1:5060;received=10.0.0.1\n"
		"From: <sip:alice@a.example>\n"
		"Call-ID: old@a.example\n";
	sip_id r180 = feedf(f, 10, B, A, "SIP/2.0 180 Ringing\n%sTo: <sip:bob@b.example>;tag=b1\n"
		"CSeq: 1 INVITE\n", rhdr);
	sip_id r200 = feedf(f, 20, B, A, "SIP/2.0 200 OK\n%sTo: <sip:bob@b.example>;tag=b1\n"
		"CSeq: 1 INVITE\nContact: <sip:bob@10.0.0.2>\n", rhdr);
	sip_id inv2 = feedf(f, 25, A, B, "INVITE sip:bob@b.example SIP/2.0\n%s"
		"To: <sip:bob@b.example>\nCSeq: 1 INVITE\n", hdr);
	sip_id ack = feedf(f, 30, A, B, "ACK sip:bob@10.0.0.2 SIP/2.0\n%s"
		"To: <sip:bob@b.example>;tag=b1\nCSeq: 1 ACK\n", hdr);
	sip_id bye = feedf(f, 1000, A, B, "BYE sip:bob@10.0.0.2 SIP/2.0\n%s"
		"To: <sip:bob@b.example>;tag=b1\nCSeq: 2 BYE\n", hdr);
	sip_id bye200 = feedf(f, 1010, B, A, "SIP/2.0 200 OK\n%sTo: <sip:bob@b.example>;tag=b1\n"
		"CSeq: 2 BYE\n", rhdr);

	const sip_txn *t = txn_of(f, inv);
	g_assert_true(t->rfc2543);
	assert_sv_eq(sip_txn_branch(t), NULL);
	g_assert_cmpuint(msg_of(f, r180)->txn, ==, t->id);
	g_assert_cmpuint(msg_of(f, r200)->txn, ==, t->id);
	g_assert_true(msg_of(f, inv2)->retransmission);
	g_assert_cmpuint(msg_of(f, inv2)->txn, ==, t->id);
	g_assert_cmpint(t->state, ==, TXN_STATE_TERMINATED);
	/* the ACK for a 2xx is a transaction of its own, here as with RFC 3261 */
	g_assert_cmpuint(msg_of(f, ack)->txn, !=, t->id);
	const sip_txn *tb = txn_of(f, bye);
	g_assert_true(tb->rfc2543);
	g_assert_cmpuint(msg_of(f, bye200)->txn, ==, tb->id);
	g_assert_cmpuint(sip_model_txn_count(f->m), ==, 3);

	/* one dialog, with an empty From tag */
	g_assert_cmpuint(sip_model_dialog_count(f->m), ==, 1);
	const sip_dialog *d = sip_model_dialog(f->m, 0);
	g_assert_cmpint(d->state, ==, DLG_STATE_TERMINATED);
	g_assert_cmpuint(msg_of(f, bye)->dialog, ==, d->id);

	/* a 2543 branch without the cookie; a busy answer and its ACK */
	const char *h2 =
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=1234abcd\n"
		"From: <sip:alice@a.example>;tag=x\n"
		"Call-ID: old2@a.example\n";
	sip_id i2 = feedf(f, 2000, A, B, "INVITE sip:bob@b.example SIP/2.0\n%s"
		"To: <sip:bob@b.example>\nCSeq: 9 INVITE\n", h2);
	sip_id b2 = feedf(f, 2010, B, A, "SIP/2.0 486 Busy Here\n%sTo: <sip:bob@b.example>;tag=q\n"
		"CSeq: 9 INVITE\n", h2);
	sip_id a2 = feedf(f, 2020, A, B, "ACK sip:bob@b.example SIP/2.0\n%s"
		"To: <sip:bob@b.example>;tag=q\nCSeq: 9 ACK\n", h2);
	const sip_txn *t2 = txn_of(f, i2);
	g_assert_true(t2->rfc2543);
	g_assert_cmpuint(msg_of(f, b2)->txn, ==, t2->id);
	g_assert_cmpuint(msg_of(f, a2)->txn, ==, t2->id);
	g_assert_cmpint(t2->state, ==, TXN_STATE_CONFIRMED);
	/* the same branch under another Call-ID is another transaction */
	const char *h3 =
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=1234abcd\n"
		"From: <sip:alice@a.example>;tag=x\n"
		"Call-ID: old3@a.example\n";
	sip_id i3 = feedf(f, 3000, A, B, "INVITE sip:bob@b.example SIP/2.0\n%s"
		"To: <sip:bob@b.example>\nCSeq: 9 INVITE\n", h3);
	g_assert_cmpuint(msg_of(f, i3)->txn, !=, t2->id);
	g_assert_false(msg_of(f, i3)->retransmission);
	flow_free(f);
}

/* Via sent-by: default port, host and branch case-insensitive; the cookie alone is not unique. */
static void test_sent_by_rules(void)
{
	flow *f = flow_new();
	const char *A = "10.0.0.1:5060", *B = "10.0.0.2:5060";
	sip_id o = feed(f, 0, A, B, "OPTIONS sip:b.example SIP/2.0\n"
		"Via: SIP/2.0/UDP Host.A.Example;branch=z9hG4bKAbC\n"
		"From: <sip:a@a.example>;tag=1\nTo: <sip:b.example>\nCall-ID: sb\nCSeq: 1 OPTIONS\n");
	sip_id r = feed(f, 10, B, A, "SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP host.a.example:5060;branch=z9hG4bKabc;received=10.0.0.1\n"
		"From: <sip:a@a.example>;tag=1\nTo: <sip:b.example>;tag=2\nCall-ID: sb\nCSeq: 1 OPTIONS\n");
	g_assert_cmpuint(msg_of(f, r)->txn, ==, msg_of(f, o)->txn);
	/* over TLS the default port is 5061 */
	sip_id o2 = feed(f, 20, A, B, "OPTIONS sip:b.example SIP/2.0\n"
		"Via: SIP/2.0/TLS host.a.example;branch=z9hG4bKtls\n"
		"From: <sip:a@a.example>;tag=1\nTo: <sip:b.example>\nCall-ID: sb\nCSeq: 2 OPTIONS\n");
	sip_id r2 = feed(f, 30, B, A, "SIP/2.0 200 OK\n"
		"Via: SIP/2.0/TLS host.a.example:5060;branch=z9hG4bKtls\n"
		"From: <sip:a@a.example>;tag=1\nTo: <sip:b.example>;tag=2\nCall-ID: sb\nCSeq: 2 OPTIONS\n");
	sip_id r3 = feed(f, 31, B, A, "SIP/2.0 200 OK\n"
		"Via: SIP/2.0/TLS host.a.example:5061;branch=z9hG4bKtls\n"
		"From: <sip:a@a.example>;tag=1\nTo: <sip:b.example>;tag=2\nCall-ID: sb\nCSeq: 2 OPTIONS\n");
	g_assert_cmpuint(msg_of(f, r2)->txn, !=, msg_of(f, o2)->txn);
	g_assert_cmpuint(msg_of(f, r3)->txn, ==, msg_of(f, o2)->txn);
	g_assert_cmpuint(txn_of(f, r2)->request, ==, SIP_ID_NONE);
	/* a response with the same branch but another CSeq method is another transaction */
	sip_id r4 = feed(f, 40, B, A, "SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP host.a.example;branch=z9hG4bKabc\n"
		"From: <sip:a@a.example>;tag=1\nTo: <sip:b.example>;tag=2\nCall-ID: sb\nCSeq: 1 INFO\n");
	g_assert_cmpuint(msg_of(f, r4)->txn, !=, msg_of(f, o)->txn);
	/* "z9hG4bK" alone: matched by the RFC 2543 fields */
	sip_id c1 = feed(f, 50, A, B, "OPTIONS sip:b.example SIP/2.0\n"
		"Via: SIP/2.0/UDP host.a.example;branch=z9hG4bK\n"
		"From: <sip:a@a.example>;tag=1\nTo: <sip:b.example>\nCall-ID: sb\nCSeq: 3 OPTIONS\n");
	sip_id c2 = feed(f, 60, A, B, "OPTIONS sip:b.example SIP/2.0\n"
		"Via: SIP/2.0/UDP host.a.example;branch=z9hG4bK\n"
		"From: <sip:a@a.example>;tag=1\nTo: <sip:b.example>\nCall-ID: sb\nCSeq: 4 OPTIONS\n");
	g_assert_true(txn_of(f, c1)->rfc2543);
	g_assert_cmpuint(msg_of(f, c2)->txn, !=, msg_of(f, c1)->txn);
	g_assert_false(msg_of(f, c2)->retransmission);
	/* a UA that reuses one branch for every call: Call-ID and CSeq keep them apart */
	sip_id u1 = feed(f, 70, A, B, "INVITE sip:b.example SIP/2.0\n"
		"Via: SIP/2.0/UDP host.a.example;branch=z9hG4bKsame\n"
		"From: <sip:a@a.example>;tag=1\nTo: <sip:b.example>\nCall-ID: call-one\nCSeq: 1 INVITE\n");
	sip_id u2 = feed(f, 80, A, B, "INVITE sip:b.example SIP/2.0\n"
		"Via: SIP/2.0/UDP host.a.example;branch=z9hG4bKsame\n"
		"From: <sip:a@a.example>;tag=2\nTo: <sip:b.example>\nCall-ID: call-two\nCSeq: 1 INVITE\n");
	g_assert_cmpuint(msg_of(f, u2)->txn, !=, msg_of(f, u1)->txn);
	g_assert_false(msg_of(f, u2)->retransmission);
	flow_free(f);
}

/* A proxied call (RFC 3261 §24.2-like, one proxy): each hop is a transaction,
 * the downstream one has the upstream one as parent; one dialog, one call. */
static void test_proxy_hops(void)
{
	flow *f = flow_new();
	const char *A = "10.0.0.1:5060", *P = "10.0.0.9:5060", *B = "10.0.0.2:5060";
	const char *via_a = "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1\n";
	const char *via_p = "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKp1\n";
	const char *via_a_rcv = "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1;received=10.0.0.1\n";
	const char *common =
		"From: <sip:alice@a.example>;tag=at\n"
		"Call-ID: proxied@a.example\n";
	sip_id inv_a = feedf(f, 0, A, P, "INVITE sip:bob@b.example SIP/2.0\n%s%s"
		"To: <sip:bob@b.example>\nCSeq: 1 INVITE\nContact: <sip:alice@10.0.0.1>\n", via_a, common);
	sip_id try_a = feedf(f, 1, P, A, "SIP/2.0 100 Trying\n%s%s"
		"To: <sip:bob@b.example>\nCSeq: 1 INVITE\n", via_a_rcv, common);
	sip_id inv_b = feedf(f, 2, P, B, "INVITE sip:bob@10.0.0.2 SIP/2.0\n%s%s%s"
		"Record-Route: <sip:10.0.0.9;lr>\n"
		"To: <sip:bob@b.example>\nCSeq: 1 INVITE\nContact: <sip:alice@10.0.0.1>\n",
		via_p, via_a_rcv, common);
	sip_id r180_b = feedf(f, 10, B, P, "SIP/2.0 180 Ringing\n%s%s%s"
		"Record-Route: <sip:10.0.0.9;lr>\n"
		"To: <sip:bob@b.example>;tag=bt\nCSeq: 1 INVITE\nContact: <sip:bob@10.0.0.2>\n",
		via_p, via_a_rcv, common);
	sip_id r180_a = feedf(f, 11, P, A, "SIP/2.0 180 Ringing\n%s%s"
		"Record-Route: <sip:10.0.0.9;lr>\n"
		"To: <sip:bob@b.example>;tag=bt\nCSeq: 1 INVITE\nContact: <sip:bob@10.0.0.2>\n",
		via_a_rcv, common);
	sip_id r200_b = feedf(f, 1000, B, P, "SIP/2.0 200 OK\n%s%s%s"
		"Record-Route: <sip:10.0.0.9;lr>\n"
		"To: <sip:bob@b.example>;tag=bt\nCSeq: 1 INVITE\nContact: <sip:bob@10.0.0.2>\n",
		via_p, via_a_rcv, common);
	sip_id r200_a = feedf(f, 1001, P, A, "SIP/2.0 200 OK\n%s%s"
		"Record-Route: <sip:10.0.0.9;lr>\n"
		"To: <sip:bob@b.example>;tag=bt\nCSeq: 1 INVITE\nContact: <sip:bob@10.0.0.2>\n",
		via_a_rcv, common);
	/* the ACK for the 2xx follows the route set through the proxy */
	sip_id ack_a = feedf(f, 1010, A, P, "ACK sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa2\n%s"
		"Route: <sip:10.0.0.9;lr>\nTo: <sip:bob@b.example>;tag=bt\nCSeq: 1 ACK\n", common);
	sip_id ack_b = feedf(f, 1011, P, B, "ACK sip:bob@10.0.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKp2\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa2;received=10.0.0.1\n%s"
		"To: <sip:bob@b.example>;tag=bt\nCSeq: 1 ACK\n", common);

	const sip_txn *ta = txn_of(f, inv_a), *tb = txn_of(f, inv_b);
	g_assert_cmpuint(ta->id, !=, tb->id);
	g_assert_cmpuint(ta->parent, ==, SIP_ID_NONE);
	g_assert_cmpuint(tb->parent, ==, ta->id);
	g_assert_cmpuint(msg_of(f, try_a)->txn, ==, ta->id);
	g_assert_cmpuint(msg_of(f, r180_b)->txn, ==, tb->id);
	g_assert_cmpuint(msg_of(f, r180_a)->txn, ==, ta->id);
	g_assert_cmpuint(msg_of(f, r200_b)->txn, ==, tb->id);
	g_assert_cmpuint(msg_of(f, r200_a)->txn, ==, ta->id);
	g_assert_false(msg_of(f, r180_a)->retransmission);
	g_assert_false(msg_of(f, r200_a)->retransmission);
	g_assert_cmpint(ta->state, ==, TXN_STATE_TERMINATED);
	g_assert_cmpint(tb->state, ==, TXN_STATE_TERMINATED);
	const sip_txn *tack_b = txn_of(f, ack_b);
	g_assert_cmpuint(tack_b->parent, ==, msg_of(f, ack_a)->txn);
	g_assert_cmpuint(sip_model_txn_count(f->m), ==, 4);

	g_assert_cmpuint(sip_model_dialog_count(f->m), ==, 1);
	g_assert_cmpuint(sip_model_call_count(f->m), ==, 1);
	const sip_dialog *d = sip_model_dialog(f->m, 0);
	g_assert_cmpint(d->state, ==, DLG_STATE_CONFIRMED);
	g_assert_cmpuint(d->creating_txn, ==, tb->id);
	assert_sv_eq(d->route_set, "<sip:10.0.0.9;lr>");
	for (sip_id i = r180_b; i <= ack_b; i++)
		g_assert_cmpuint(msg_of(f, i)->dialog, ==, d->id);
	const sip_call *c = call_named(f, "proxied@a.example");
	g_assert_cmpint(c->state, ==, CALL_STATE_ACTIVE);
	g_assert_cmpint(c->answer_ts, ==, at(f, 1000));
	g_assert_cmpint(c->ring_ts, ==, at(f, 10));
	g_assert_cmpuint(c->txns->len, ==, 4);
	flow_free(f);
}

/* A proxy's CANCEL downstream has no upstream Via: linked through the INVITEs. */
static void test_proxy_cancel(void)
{
	flow *f = flow_new();
	const char *A = "10.0.0.1:5060", *P = "10.0.0.9:5060", *B = "10.0.0.2:5060";
	const char *common =
		"From: <sip:alice@a.example>;tag=at\n"
		"To: <sip:bob@b.example>\n"
		"Call-ID: pc@a.example\n";
	const char *via_a = "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1\n";
	const char *via_p = "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKp1\n";
	sip_id inv_a = feedf(f, 0, A, P, "INVITE sip:bob@b.example SIP/2.0\n%s%sCSeq: 1 INVITE\n",
		via_a, common);
	sip_id inv_b = feedf(f, 2, P, B, "INVITE sip:bob@10.0.0.2 SIP/2.0\n%s%s%sCSeq: 1 INVITE\n",
		via_p, via_a, common);
	sip_id can_a = feedf(f, 500, A, P, "CANCEL sip:bob@b.example SIP/2.0\n%s%sCSeq: 1 CANCEL\n",
		via_a, common);
	sip_id can_b = feedf(f, 501, P, B, "CANCEL sip:bob@10.0.0.2 SIP/2.0\n%s%sCSeq: 1 CANCEL\n",
		via_p, common);
	const sip_txn *tca = txn_of(f, can_a), *tcb = txn_of(f, can_b);
	g_assert_cmpuint(tca->cancel, ==, msg_of(f, inv_a)->txn);
	g_assert_cmpuint(tcb->cancel, ==, msg_of(f, inv_b)->txn);
	g_assert_cmpuint(tcb->parent, ==, tca->id);
	g_assert_cmpuint(txn_of(f, inv_b)->parent, ==, txn_of(f, inv_a)->id);
	flow_free(f);
}

/* No final response: judged against 64×T1 (Timer C for a ringing INVITE) at finish. */
static void test_no_final(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "nofinal@a.example");
	sip_id inv = req(&c, 0, true, "INVITE", 1, "z9hG4bKn1", NULL);
	sip_id opt = req(&c, 1000, true, "OPTIONS", 2, "z9hG4bKn2", NULL);
	ua_call c2 = ua_call_make(f, "ringing@a.example");
	sip_id inv2 = req(&c2, 0, true, "INVITE", 1, "z9hG4bKn3", NULL);
	rsp(&c2, 100, true, 180, "INVITE", 1, "z9hG4bKn3", "bt");
	sip_id late = req(&c, 30000, true, "OPTIONS", 3, "z9hG4bKn4", NULL);

	sip_model_finish(f->m, at(f, 20000));
	const sip_txn *t = txn_of(f, inv), *to = txn_of(f, opt), *t2 = txn_of(f, inv2);
	g_assert_cmpint(t->end, ==, TXN_END_CAPTURE_ENDED);
	g_assert_cmpint(t->state, ==, TXN_STATE_CALLING);

	sip_model_finish(f->m, at(f, 40000));
	g_assert_cmpint(t->end, ==, TXN_END_NO_FINAL);
	g_assert_cmpint(t->state, ==, TXN_STATE_TERMINATED);
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_TERMINATED), ==, at(f, 32000));
	g_assert_cmpint(to->end, ==, TXN_END_NO_FINAL);
	g_assert_cmpint(sip_txn_state_ts(f->m, to, TXN_STATE_TERMINATED), ==, at(f, 33000));
	/* ringing: Timer B no longer runs */
	g_assert_cmpint(t2->end, ==, TXN_END_CAPTURE_ENDED);
	g_assert_cmpint(t2->state, ==, TXN_STATE_PROCEEDING);
	g_assert_cmpint(txn_of(f, late)->end, ==, TXN_END_CAPTURE_ENDED);
	sip_model_finish(f->m, at(f, 181000));
	g_assert_cmpint(t2->end, ==, TXN_END_NO_FINAL);
	g_assert_cmpint(sip_txn_state_ts(f->m, t2, TXN_STATE_TERMINATED), ==, at(f, 180100));
	flow_free(f);

	/* judged as the clock moves; a final arriving after that still counts */
	f = flow_new();
	ua_call c3 = ua_call_make(f, "tick@a.example");
	sip_id o1 = req(&c3, 0, true, "OPTIONS", 1, "z9hG4bKt1", NULL);
	const sip_txn *t3 = txn_of(f, o1);
	req(&c3, 31000, true, "OPTIONS", 2, "z9hG4bKt2", NULL);
	g_assert_cmpint(t3->end, ==, TXN_END_NONE);
	req(&c3, 32000, true, "OPTIONS", 3, "z9hG4bKt3", NULL);
	g_assert_cmpint(t3->end, ==, TXN_END_NO_FINAL);
	g_assert_cmpint(t3->state, ==, TXN_STATE_TERMINATED);
	g_assert_cmpint(sip_txn_state_ts(f->m, t3, TXN_STATE_TERMINATED), ==, at(f, 32000));
	sip_id late_ok = rsp(&c3, 40000, true, 200, "OPTIONS", 1, "z9hG4bKt1", "bt");
	g_assert_cmpuint(t3->final, ==, late_ok);
	g_assert_cmpint(t3->end, ==, TXN_END_FINAL);
	g_assert_cmpint(t3->state, ==, TXN_STATE_TERMINATED);
	flow_free(f);
}

typedef struct tap_log {
	GString *s;
} tap_log;

static void on_event(void *user, const sip_model *m, sip_event ev, sip_id id)
{
	tap_log *l = user;
	(void)m;
	const char *k = ev == SIP_EV_MESSAGE ? "m" : ev == SIP_EV_TXN ? "t" : ev == SIP_EV_DIALOG ? "d"
		: ev == SIP_EV_CALL ? "c" : "r";
	g_string_append_printf(l->s, "%s%u ", k, id);
}

/* Taps hear of the message, then of each object it changed, once. */
static void test_taps(void)
{
	flow *f = flow_new();
	tap_log all = { g_string_new(NULL) }, calls = { g_string_new(NULL) };
	sip_model_tap_add(f->m, SIP_EV_MESSAGE | SIP_EV_TXN | SIP_EV_DIALOG | SIP_EV_CALL |
		SIP_EV_REGISTRATION, on_event, &all);
	sip_model_tap_add(f->m, SIP_EV_CALL, on_event, &calls);
	ua_call c = ua_call_make(f, "tap@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKt1", NULL);
	g_assert_cmpstr(all.s->str, ==, "m0 t0 c0 ");
	g_string_truncate(all.s, 0);
	rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKt1", "bt");
	g_assert_cmpstr(all.s->str, ==, "m1 t0 d0 c0 ");
	g_string_truncate(all.s, 0);
	feed(f, 20, "10.0.0.1:5060", "10.0.0.3:5060", "REGISTER sip:a.example SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKreg\n"
		"From: <sip:alice@a.example>;tag=r\nTo: <sip:alice@a.example>\n"
		"Call-ID: tapreg\nCSeq: 1 REGISTER\nContact: <sip:alice@10.0.0.1>\n");
	g_assert_cmpstr(all.s->str, ==, "m2 t1 c1 r0 ");
	g_string_truncate(all.s, 0);
	sip_model_finish(f->m, at(f, 100000));   /* Timer C still running: only the REGISTER timed out */
	g_assert_cmpstr(all.s->str, ==, "t0 t1 ");
	g_string_truncate(all.s, 0);
	sip_model_finish(f->m, at(f, 200000));
	g_assert_cmpstr(all.s->str, ==, "t0 d0 c0 ");
	g_assert_cmpstr(calls.s->str, ==, "c0 c0 c1 c0 ");
	g_assert_cmpint(sip_model_call(f->m, 0)->state, ==, CALL_STATE_NO_ANSWER);
	g_assert_cmpstr(sip_dialog_end_reason(sip_model_dialog(f->m, 0)), ==, "no final response");
	g_string_free(all.s, TRUE);
	g_string_free(calls.s, TRUE);
	flow_free(f);
}

/* Broken messages still get a place, and nothing crashes. */
static void test_hostile(void)
{
	flow *f = flow_new();
	const char *A = "10.0.0.1:5060", *B = "10.0.0.2:5060";
	sip_id hello = feed(f, 0, A, B, "HELLO WORLD\nCall-ID: hello\n");
	g_assert_cmpint(msg_of(f, hello)->kind, ==, SIP_KIND_INVALID);
	g_assert_cmpuint(msg_of(f, hello)->txn, ==, SIP_ID_NONE);
	sip_id junk = feed(f, 0, A, B, "B@D sip:x SIP/2.0\nCall-ID: junk\n");
	const sip_message *mj = msg_of(f, junk);
	g_assert_cmpint(mj->kind, ==, SIP_KIND_INVALID);
	g_assert_cmpuint(mj->txn, ==, SIP_ID_NONE);
	g_assert_cmpuint(mj->dialog, ==, SIP_ID_NONE);
	g_assert_cmpuint(mj->call, ==, call_named(f, "junk")->id);
	sip_id nothing = feed(f, 1, A, B, "OPTIONS sip:x SIP/2.0\n");
	g_assert_cmpuint(msg_of(f, nothing)->call, ==, SIP_ID_NONE);
	g_assert_cmpuint(msg_of(f, nothing)->txn, !=, SIP_ID_NONE);
	sip_id nocseq = feed(f, 2, B, A, "SIP/2.0 200 OK\nCall-ID: c\nTo: <sip:x>;tag=1\n");
	g_assert_cmpuint(msg_of(f, nocseq)->txn, !=, SIP_ID_NONE);
	sip_id empty_cid = feed(f, 3, A, B, "BYE sip:x SIP/2.0\nCall-ID:\nFrom: <sip:a>;tag=1\n"
		"To: <sip:b>;tag=2\nCSeq: 1 BYE\n");
	g_assert_cmpuint(msg_of(f, empty_cid)->call, ==, SIP_ID_NONE);
	feed(f, 4, B, A, "SIP/2.0 200 OK\nCall-ID:\nFrom: <sip:a>;tag=1\nTo: <sip:b>;tag=2\nCSeq: 1 BYE\n");
	feed(f, 5, A, B, "ACK sip:x SIP/2.0\nVia: garbage\nCall-ID: c\nCSeq: 1 ACK\n");
	feed(f, 6, A, B, "CANCEL sip:x SIP/2.0\nVia: SIP/2.0/UDP [::1\nCall-ID: c\nCSeq: x CANCEL\n");
	feed(f, 7, B, A, "SIP/2.0 699 Odd\nVia: SIP/2.0/UDP h;branch=z9hG4bKzz\nCall-ID: c\n"
		"CSeq: 1 REGISTER\nTo: <nonsense>;tag=1\nContact: *\nContact: <sip:a@b>;expires=x\n");
	feed(f, 8, A, B, "REFER sip:x SIP/2.0\nCall-ID: r\nRefer-To: <sip:x?Replaces=%4\n"
		"Replaces: ;to-tag=1\nX-Call-ID: r\nCSeq: 1 REFER\n");
	feed(f, 9, A, B, "REFER sip:x SIP/2.0\nCall-ID: r\nRefer-To: <sip:x?Replaces=%41%3b&a=b>\n"
		"CSeq: 2 REFER\n");
	sip_model_finish(f->m, at(f, 100000));
	const sip_call *r = call_named(f, "r");
	g_assert_cmpuint(r->related->len, ==, 1);   /* the unterminated Refer-To gives nothing */
	g_assert_cmpstr(g_ptr_array_index(r->related, 0), ==, "A");
	flow_free(f);
}

/* The distinct responses of a transaction: the record names three (first
 * provisional, final, one more), the rest go to the model's index.  Every
 * one of them is recognised when it comes again, whichever way it is
 * kept, and sip_model_original finds its first copy. */
static void test_responses_many(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "many@a.example");
	sip_id inv = req(&c, 0, true, "INVITE", 1, "z9hG4bKm1", NULL);
	sip_id first[8];
	unsigned n = 0;
	first[n++] = rsp(&c, 10, true, 100, "INVITE", 1, "z9hG4bKm1", NULL);
	first[n++] = rsp(&c, 20, true, 180, "INVITE", 1, "z9hG4bKm1", "f1");
	first[n++] = rsp(&c, 30, true, 180, "INVITE", 1, "z9hG4bKm1", "f2");
	first[n++] = rsp(&c, 40, true, 183, "INVITE", 1, "z9hG4bKm1", "f1");
	first[n++] = rsp(&c, 50, true, 180, "INVITE", 1, "z9hG4bKm1", "F3");
	first[n++] = rsp(&c, 60, true, 200, "INVITE", 1, "z9hG4bKm1", "f2");
	first[n++] = rsp(&c, 70, true, 200, "INVITE", 1, "z9hG4bKm1", "f1");
	first[n++] = rsp(&c, 80, true, 486, "INVITE", 1, "z9hG4bKm1", "f4");
	const sip_txn *t = txn_of(f, inv);
	for (unsigned i = 0; i < n; i++) {
		g_assert_false(msg_of(f, first[i])->retransmission);
		g_assert_cmpuint(msg_of(f, first[i])->txn, ==, t->id);
	}
	g_assert_cmpuint(t->first_provisional, ==, first[0]);
	g_assert_cmpuint(t->final, ==, first[5]);
	/* again, newest first, the tags in another case (§19.3) */
	static const struct { int status; const char *tag; unsigned of; } again[] = {
		{ 486, "F4", 7 }, { 200, "f1", 6 }, { 200, "F2", 5 }, { 180, "f3", 4 },
		{ 183, "f1", 3 }, { 180, "f2", 2 }, { 180, "f1", 1 }, { 100, NULL, 0 },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(again); i++) {
		sip_id id = rsp(&c, 100 + i, true, again[i].status, "INVITE", 1, "z9hG4bKm1", again[i].tag);
		g_assert_true(msg_of(f, id)->retransmission);
		g_assert_cmpuint(msg_of(f, id)->txn, ==, t->id);
		g_assert_cmpuint(sip_model_original(f->m, id), ==, first[again[i].of]);
	}
	g_assert_cmpuint(t->response_retransmissions, ==, G_N_ELEMENTS(again));
	/* a new pair after all that is still new */
	sip_id r = rsp(&c, 200, true, 183, "INVITE", 1, "z9hG4bKm1", "f2");
	g_assert_false(msg_of(f, r)->retransmission);
	g_assert_cmpuint(t->response_retransmissions, ==, G_N_ELEMENTS(again));
	/* a 100 without a To tag and one with are two responses */
	sip_id r100t = rsp(&c, 210, true, 100, "INVITE", 1, "z9hG4bKm1", "f1");
	g_assert_false(msg_of(f, r100t)->retransmission);
	flow_free(f);
}

/* What a transaction record keeps of its key reads back as the
 * messages wrote it, whatever the method (known, unknown, none), the
 * rules (RFC 3261, RFC 2543 with its From tag) and the sent-by (IPv6). */
static void test_record_views(void)
{
	flow *f = flow_new();
	const char *A = "10.0.0.1:5060", *B = "10.0.0.2:5060";
	/* an unknown method: its name is kept, byte for byte */
	sip_id foo = feed(f, 0, A, B, "FOOBAR sip:bob@b.example SIP/2.0\n"
		"Via: SIP/2.0/UDP [2001:DB8::1]:5062;branch=z9hG4bKfoo-1\n"
		"From: <sip:alice@a.example>;tag=a1\nTo: <sip:bob@b.example>\n"
		"Call-ID: views@a.example\nCSeq: 7 FOOBAR\n");
	sip_id foo200 = feed(f, 10, B, A, "SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP [2001:db8::1]:5062;branch=Z9HG4BKFOO-1;received=10.0.0.1\n"
		"From: <sip:alice@a.example>;tag=a1\nTo: <sip:bob@b.example>;tag=b1\n"
		"Call-ID: views@a.example\nCSeq: 7 FOOBAR\n");
	/* the same but a method name in another case: another transaction */
	sip_id foo_lc = feed(f, 20, B, A, "SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bKfoo-1\n"
		"From: <sip:alice@a.example>;tag=a1\nTo: <sip:bob@b.example>;tag=b1\n"
		"Call-ID: views@a.example\nCSeq: 7 FooBar\n");
	const sip_txn *t = txn_of(f, foo);
	assert_sv_eq(sip_txn_method(t), "FOOBAR");
	g_assert_cmpuint(t->method_code, ==, SIP_METHOD_OTHER);
	assert_sv_eq(sip_txn_branch(t), "z9hG4bKfoo-1");
	assert_sv_eq(sip_txn_sent_by(f->m, t), "[2001:DB8::1]:5062");
	g_assert_cmpuint(msg_of(f, foo200)->txn, ==, t->id);
	const sip_txn *tl = txn_of(f, foo_lc);
	g_assert_cmpuint(tl->id, !=, t->id);
	assert_sv_eq(sip_txn_method(tl), "FooBar");
	assert_sv_eq(sip_txn_branch(tl), "z9hG4bKfoo-1");

	/* a response without CSeq: a transaction without method */
	sip_id nocseq = feed(f, 30, B, A, "SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKnocseq\n"
		"From: <sip:alice@a.example>;tag=a1\nTo: <sip:bob@b.example>;tag=b1\n"
		"Call-ID: views@a.example\n");
	const sip_txn *tn = txn_of(f, nocseq);
	g_assert_null(sip_txn_method(tn).p);
	assert_sv_eq(sip_txn_branch(tn), "z9hG4bKnocseq");
	assert_sv_eq(sip_txn_sent_by(f->m, tn), "10.0.0.1");

	/* RFC 2543: the From tag is part of the key, the branch hidden */
#define OLD_OPTIONS \
		"OPTIONS sip:bob@b.example SIP/2.0\nVia: SIP/2.0/UDP old.example;branch=1\n" \
		"From: <sip:alice@a.example>;tag=%s\nTo: <sip:bob@b.example>\n" \
		"Call-ID: views@a.example\nCSeq: 9 OPTIONS\n"
	sip_id o1 = feedf(f, 40, A, B, OLD_OPTIONS, "Tag1");
	sip_id o2 = feedf(f, 50, A, B, OLD_OPTIONS, "tag1");
	sip_id o3 = feedf(f, 60, A, B, OLD_OPTIONS, "tag2");
	const sip_txn *to = txn_of(f, o1);
	g_assert_true(to->rfc2543);
	g_assert_null(sip_txn_branch(to).p);
	assert_sv_eq(sip_txn_method(to), "OPTIONS");
	assert_sv_eq(sip_txn_sent_by(f->m, to), "old.example");
	g_assert_true(msg_of(f, o2)->retransmission);
	g_assert_cmpuint(msg_of(f, o2)->txn, ==, to->id);
	g_assert_false(msg_of(f, o3)->retransmission);
	g_assert_cmpuint(msg_of(f, o3)->txn, !=, to->id);
	/* same branch and sent-by but another host case and port spelled out */
	sip_id o4 = feedf(f, 70, A, B, "OPTIONS sip:bob@b.example SIP/2.0\n"
		"Via: SIP/2.0/UDP OLD.example:5060;branch=1\n"
		"From: <sip:alice@a.example>;tag=%s\nTo: <sip:bob@b.example>\n"
		"Call-ID: views@a.example\nCSeq: 9 OPTIONS\n", "tag1");
	g_assert_cmpuint(msg_of(f, o4)->txn, ==, to->id);
	flow_free(f);
}

/* The Call-ID takes part in the key through the call: messages without
 * one (or with an empty one) match each other and nothing with a Call-ID;
 * a REGISTER without call keeps an empty Call-ID in its binding. */
static void test_key_without_call_id(void)
{
	flow *f = flow_new();
	const char *A = "10.0.0.1:5060", *B = "10.0.0.2:5060";
#define NOCID_REG \
		"REGISTER sip:b.example SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKr%d\n" \
		"From: <sip:alice@b.example>;tag=a1\nTo: <sip:alice@b.example>\n%s" \
		"CSeq: 1 REGISTER\nContact: <sip:alice@10.0.0.1>\nExpires: 60\n"
#define NOCID_OK \
		"SIP/2.0 200 OK\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKr%d\n" \
		"From: <sip:alice@b.example>;tag=a1\nTo: <sip:alice@b.example>;tag=r\n%s" \
		"CSeq: 1 REGISTER\nContact: <sip:alice@10.0.0.1>;expires=60\n"
	sip_id r1 = feedf(f, 0, A, B, NOCID_REG, 1, "");
	sip_id ok1 = feedf(f, 10, B, A, NOCID_OK, 1, "");
	g_assert_cmpuint(msg_of(f, r1)->call, ==, SIP_ID_NONE);
	g_assert_cmpuint(msg_of(f, ok1)->txn, ==, msg_of(f, r1)->txn);
	const sip_registration *rg = sip_model_registration(f->m, 0);
	g_assert_nonnull(rg);
	g_assert_cmpuint(rg->bindings->len, ==, 1);
	g_assert_cmpuint(g_array_index(rg->bindings, sip_binding, 0).call_id.len, ==, 0);
	/* the response with a Call-ID is not the REGISTER's: a transaction of
	 * its own, whose 2xx refreshes the binding with its Call-ID */
	sip_id ok1b = feedf(f, 15, B, A, NOCID_OK, 1, "Call-ID: c@a.example\n");
	g_assert_cmpuint(msg_of(f, ok1b)->txn, !=, msg_of(f, r1)->txn);
	assert_sv_eq(g_array_index(rg->bindings, sip_binding, 0).call_id, "c@a.example");

	/* an empty Call-ID: absent and empty compare equal, as bytes would */
	sip_id r2 = feedf(f, 20, A, B, NOCID_REG, 2, "Call-ID: \n");
	sip_id ok2 = feedf(f, 30, B, A, NOCID_OK, 2, "");
	g_assert_cmpuint(msg_of(f, r2)->call, ==, SIP_ID_NONE);
	g_assert_cmpuint(msg_of(f, ok2)->txn, ==, msg_of(f, r2)->txn);
	sip_id r3 = feedf(f, 40, A, B, NOCID_REG, 3, "Call-ID: \n");
	sip_id ok3 = feedf(f, 50, B, A, NOCID_OK, 3, "Call-ID: \n");
	g_assert_cmpuint(msg_of(f, ok3)->txn, ==, msg_of(f, r3)->txn);
	const sip_binding *b = &g_array_index(rg->bindings, sip_binding, 0);
	g_assert_nonnull(b->call_id.p);
	g_assert_cmpuint(b->call_id.len, ==, 0);
	flow_free(f);
}

/* Two Call-IDs that hash alike (found by trying names): their
 * transactions' keys hash alike too, and only the comparison of the calls
 * keeps a UA that reuses branches across calls from merging them. */
static void hash_twins(char *a, char *b, size_t n)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 1; i < 50000000; i++) {
		char id[40];
		g_snprintf(id, sizeof id, "twin%u@a.example", i);
		gpointer h = GUINT_TO_POINTER(sv_hash(sv_from_cstr(id)));
		guint prev = GPOINTER_TO_UINT(g_hash_table_lookup(seen, h));
		if (prev) {
			g_snprintf(a, n, "twin%u@a.example", prev);
			g_snprintf(b, n, "%s", id);
			return;
		}
		g_hash_table_insert(seen, h, GUINT_TO_POINTER(i));
	}
	g_assert_not_reached();
}

static void test_key_call_id(void)
{
	char ida[40], idb[40];
	hash_twins(ida, idb, sizeof ida);
	g_assert_cmpstr(ida, !=, idb);
	g_assert_cmpuint(sv_hash(sv_from_cstr(ida)), ==, sv_hash(sv_from_cstr(idb)));

	flow *f = flow_new();
	ua_call ca = ua_call_make(f, ida), cb = ua_call_make(f, idb);
	sip_id inv_a = req(&ca, 0, true, "INVITE", 1, "z9hG4bKreused", NULL);
	sip_id inv_b = req(&cb, 5, true, "INVITE", 1, "z9hG4bKreused", NULL);
	sip_id ok_b = rsp(&cb, 10, true, 200, "INVITE", 1, "z9hG4bKreused", "btag");
	sip_id ok_a = rsp(&ca, 20, true, 486, "INVITE", 1, "z9hG4bKreused", "btag");
	g_assert_cmpuint(sip_model_txn_count(f->m), ==, 2);
	g_assert_false(msg_of(f, inv_b)->retransmission);
	g_assert_cmpuint(msg_of(f, inv_b)->txn, !=, msg_of(f, inv_a)->txn);
	g_assert_cmpuint(msg_of(f, ok_b)->txn, ==, msg_of(f, inv_b)->txn);
	g_assert_cmpuint(msg_of(f, ok_a)->txn, ==, msg_of(f, inv_a)->txn);
	g_assert_cmpuint(txn_of(f, inv_a)->final_status, ==, 486);
	g_assert_cmpuint(txn_of(f, inv_b)->final_status, ==, 200);
	flow_free(f);
}

/* When each state was entered: proceeding and completed are the first
 * provisional's and the first final's times, and a provisional after the
 * final enters nothing (though it is the first provisional). */
static void test_state_times(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "states@a.example");
	/* non-INVITE: final first, then a late 1xx, then another final */
	req(&c, 0, true, "OPTIONS", 1, "z9hG4bKo1", NULL);
	sip_id fin = rsp(&c, 40, true, 404, "OPTIONS", 1, "z9hG4bKo1", "b");
	sip_id late = rsp(&c, 50, true, 180, "OPTIONS", 1, "z9hG4bKo1", "b");
	rsp(&c, 60, true, 500, "OPTIONS", 1, "z9hG4bKo1", "b");
	const sip_txn *t = txn_of(f, fin);
	g_assert_cmpuint(t->final, ==, fin);
	g_assert_cmpuint(t->first_provisional, ==, late);
	g_assert_cmpint(sip_txn_first_provisional_ts(f->m, t), ==, at(f, 50));
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_TRYING), ==, at(f, 0));
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_PROCEEDING), ==, 0);
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_COMPLETED), ==, at(f, 40));
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_CONFIRMED), ==, 0);
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_TERMINATED), ==, 0);
	g_assert_cmpint(t->state, ==, TXN_STATE_COMPLETED);

	/* INVITE: two provisionals, a 486, its ACK, a 2xx from another fork */
	sip_id inv = req(&c, 100, true, "INVITE", 2, "z9hG4bKi1", NULL);
	rsp(&c, 110, true, 100, "INVITE", 2, "z9hG4bKi1", NULL);
	rsp(&c, 120, true, 180, "INVITE", 2, "z9hG4bKi1", "b");
	rsp(&c, 130, true, 486, "INVITE", 2, "z9hG4bKi1", "b");
	req(&c, 140, true, "ACK", 2, "z9hG4bKi1", "b");
	rsp(&c, 150, true, 200, "INVITE", 2, "z9hG4bKi1", "c");
	const sip_txn *ti = txn_of(f, inv);
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_CALLING), ==, at(f, 100));
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_PROCEEDING), ==, at(f, 110));
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_COMPLETED), ==, at(f, 130));
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_CONFIRMED), ==, at(f, 140));
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_TERMINATED), ==, 0);
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE__COUNT), ==, 0);
	sip_model_finish(f->m, at(f, 60000));
	g_assert_cmpint(sip_txn_state_ts(f->m, t, TXN_STATE_TERMINATED), ==, at(f, 40 + 5000));
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_TERMINATED), ==, at(f, 140 + 5000));
	g_assert_cmpint(sip_txn_state_ts(f->m, ti, TXN_STATE_COMPLETED), ==, at(f, 130));
	flow_free(f);
}

/* sip_model_compact: the indexes by key go, and a message added later is
 * matched as without it.  The same calls go into two models, one
 * compacted before every message: every message, transaction and dialog
 * comes out the same (retransmissions found, responses and ACK, CANCEL
 * and BYE in their transactions and dialogs, forks kept apart). */
static void compact_script(flow *f, bool compact)
{
#define STEP(x) do { if (compact) sip_model_compact(f->m); (void)(x); } while (0)
	ua_call c = ua_call_make(f, "compact@a.example");
	STEP(req(&c, 0, true, "INVITE", 1, "z9hG4bKk1", NULL));
	STEP(rsp(&c, 10, true, 100, "INVITE", 1, "z9hG4bKk1", NULL));
	STEP(req(&c, 500, true, "INVITE", 1, "z9hG4bKk1", NULL));
	STEP(rsp(&c, 600, true, 180, "INVITE", 1, "z9hG4bKk1", "b1"));
	STEP(rsp(&c, 610, true, 180, "INVITE", 1, "z9hG4bKk1", "b2"));
	STEP(rsp(&c, 700, true, 180, "INVITE", 1, "z9hG4bKk1", "b1"));
	STEP(rsp(&c, 3000, true, 200, "INVITE", 1, "z9hG4bKk1", "b1"));
	STEP(rsp(&c, 3500, true, 200, "INVITE", 1, "z9hG4bKk1", "b1"));
	STEP(req(&c, 3510, true, "ACK", 1, "z9hG4bKk1a", "b1"));
	STEP(req(&c, 5000, true, "INVITE", 2, "z9hG4bKk2", "b1"));
	STEP(rsp(&c, 5010, true, 200, "INVITE", 2, "z9hG4bKk2", "b1"));
	STEP(req(&c, 5020, true, "ACK", 2, "z9hG4bKk2a", "b1"));
	STEP(req(&c, 9000, false, "BYE", 1, "z9hG4bKk3", "b1"));
	STEP(rsp(&c, 9010, false, 200, "BYE", 1, "z9hG4bKk3", "b1"));
	ua_call d = ua_call_make(f, "compact-cancel@a.example");
	STEP(req(&d, 10000, true, "INVITE", 1, "z9hG4bKc1", NULL));
	STEP(rsp(&d, 10010, true, 180, "INVITE", 1, "z9hG4bKc1", "bt"));
	STEP(req(&d, 12000, true, "CANCEL", 1, "z9hG4bKc1", NULL));
	STEP(rsp(&d, 12010, true, 200, "CANCEL", 1, "z9hG4bKc1", "bt"));
	STEP(req(&d, 12500, true, "CANCEL", 1, "z9hG4bKc1", NULL));
	STEP(rsp(&d, 12520, true, 487, "INVITE", 1, "z9hG4bKc1", "bt"));
	STEP(req(&d, 12530, true, "ACK", 1, "z9hG4bKc1", "bt"));
#undef STEP
	if (compact)
		sip_model_compact(f->m);
	sip_model_finish(f->m, at(f, 70000));
}

static void test_compact(void)
{
	flow *f = flow_new(), *g = flow_new();
	compact_script(f, true);
	compact_script(g, false);
	guint n = sip_model_message_count(g->m);
	g_assert_cmpuint(n, ==, 21);
	g_assert_cmpuint(sip_model_message_count(f->m), ==, n);
	g_assert_cmpuint(sip_model_txn_count(f->m), ==, sip_model_txn_count(g->m));
	g_assert_cmpuint(sip_model_dialog_count(f->m), ==, sip_model_dialog_count(g->m));
	g_assert_cmpuint(sip_model_call_count(f->m), ==, sip_model_call_count(g->m));
	guint retrans = 0;
	for (sip_id i = 0; i < n; i++) {
		const sip_message *a = sip_model_message(f->m, i), *b = sip_model_message(g->m, i);
		g_assert_cmpuint(a->txn, ==, b->txn);
		g_assert_cmpuint(a->dialog, ==, b->dialog);
		g_assert_cmpuint(a->call, ==, b->call);
		g_assert_cmpint(a->retransmission, ==, b->retransmission);
		retrans += b->retransmission;
	}
	g_assert_cmpuint(retrans, ==, 4);   /* INVITE, 180, 200 and CANCEL again */
	for (sip_id i = 0; i < sip_model_txn_count(g->m); i++) {
		const sip_txn *a = sip_model_txn(f->m, i), *b = sip_model_txn(g->m, i);
		g_assert_cmpuint(a->request, ==, b->request);
		g_assert_cmpuint(a->first_provisional, ==, b->first_provisional);
		g_assert_cmpuint(a->final, ==, b->final);
		g_assert_cmpuint(a->ack, ==, b->ack);
		g_assert_cmpuint(a->cancel, ==, b->cancel);
		g_assert_cmpuint(a->dialog, ==, b->dialog);
		g_assert_cmpuint(a->messages, ==, b->messages);
		g_assert_cmpint(a->state, ==, b->state);
		g_assert_cmpint(a->terminated_ts, ==, b->terminated_ts);
	}
	for (sip_id i = 0; i < sip_model_dialog_count(g->m); i++) {
		const sip_dialog *a = sip_model_dialog(f->m, i), *b = sip_model_dialog(g->m, i);
		g_assert_cmpint(a->state, ==, b->state);
		g_assert_cmpuint(a->messages, ==, b->messages);
		g_assert_cmpuint(a->terminating_msg, ==, b->terminating_msg);
	}
	const sip_call *ca = call_named(f, "compact@a.example");
	g_assert_cmpint(ca->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpint(call_named(f, "compact-cancel@a.example")->state, ==, CALL_STATE_CANCELLED);
	flow_free(f);
	flow_free(g);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/model/txn/basic-call", test_basic_call);
	g_test_add_func("/model/txn/compact", test_compact);
	g_test_add_func("/model/txn/message-record", test_message_record);
	g_test_add_func("/model/txn/busy-ack-joins", test_busy_ack_joins);
	g_test_add_func("/model/txn/cancel-linked", test_cancel_linked);
	g_test_add_func("/model/txn/retransmissions", test_retransmissions);
	g_test_add_func("/model/txn/responses-without-request", test_responses_without_request);
	g_test_add_func("/model/txn/rfc2543", test_rfc2543);
	g_test_add_func("/model/txn/sent-by-rules", test_sent_by_rules);
	g_test_add_func("/model/txn/proxy-hops", test_proxy_hops);
	g_test_add_func("/model/txn/proxy-cancel", test_proxy_cancel);
	g_test_add_func("/model/txn/no-final", test_no_final);
	g_test_add_func("/model/txn/taps", test_taps);
	g_test_add_func("/model/txn/hostile", test_hostile);
	g_test_add_func("/model/txn/responses-many", test_responses_many);
	g_test_add_func("/model/txn/record-views", test_record_views);
	g_test_add_func("/model/txn/key-without-call-id", test_key_without_call_id);
	g_test_add_func("/model/txn/key-call-id", test_key_call_id);
	g_test_add_func("/model/txn/state-times", test_state_times);
	return g_test_run();
}
