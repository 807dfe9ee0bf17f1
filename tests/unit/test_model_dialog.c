/*
 * Model: dialogs (RFC 3261 §12, RFC 6665) — early / confirmed / terminated,
 * forking, in-dialog requests from either side, 481 / 408, subscriptions,
 * dialogs met midway.
 */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dissect/model.h"
#include "dissect/sip.h"

#include "support/model_flow.h"

static const sip_dialog *dialog_of(flow *f, sip_id msg)
{
	const sip_dialog *d = sip_model_dialog(f->m, msg_of(f, msg)->dialog);
	g_assert_nonnull(d);
	return d;
}

/* ---- tests -------------------------------------------------------------------------- */

/* Basic call: early on 180, confirmed on 200, terminated by the 2xx to BYE. */
static void test_basic_lifecycle(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "dlg@a.example");
	sip_id inv = req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	sip_id r100 = rsp(&c, 5, true, 100, "INVITE", 1, "z9hG4bKi", NULL);
	g_assert_cmpuint(sip_model_dialog_count(f->m), ==, 0);
	sip_id r180 = rsp_x(&c, 10, true, 180, "INVITE", 1, "z9hG4bKi", "bt",
		"Record-Route: <sip:p2.example;lr>, <sip:p1.example;lr>\n");
	g_assert_cmpuint(sip_model_dialog_count(f->m), ==, 1);
	const sip_dialog *d = dialog_of(f, r180);
	g_assert_cmpint(d->state, ==, DLG_STATE_EARLY);
	g_assert_cmpint(d->early_ts, ==, at(f, 10));
	assert_sv_eq(sip_dialog_call_id(f->m, d), "dlg@a.example");
	assert_sv_eq(d->from_tag, "atag");
	assert_sv_eq(d->to_tag, "bt");
	assert_sv_eq(sip_dialog_created_by(d), "INVITE");
	g_assert_false(d->midway);
	g_assert_true(d->session);
	g_assert_cmpuint(d->creating_txn, ==, msg_of(f, inv)->txn);
	assert_sv_eq(d->route_set, "<sip:p2.example;lr>");
	assert_sv_eq(d->remote_target, "sip:bob@10.0.0.2:5060");
	assert_sv_eq(d->local_target, "sip:alice@10.0.0.1:5060");
	g_assert_cmpuint(msg_of(f, inv)->dialog, ==, SIP_ID_NONE);
	g_assert_cmpuint(msg_of(f, r100)->dialog, ==, SIP_ID_NONE);

	sip_id r200 = rsp_x(&c, 2000, true, 200, "INVITE", 1, "z9hG4bKi", "bt",
		"Record-Route: <sip:p3.example;lr>\n");
	g_assert_cmpuint(msg_of(f, r200)->dialog, ==, d->id);
	g_assert_cmpint(d->state, ==, DLG_STATE_CONFIRMED);
	g_assert_cmpint(d->confirmed_ts, ==, at(f, 2000));
	assert_sv_eq(d->route_set, "<sip:p3.example;lr>");   /* the 2xx's route set wins */
	g_assert_cmpuint(d->route_msg, ==, r200);
	sip_id ack = req(&c, 2010, true, "ACK", 1, "z9hG4bKa", "bt");
	g_assert_cmpuint(msg_of(f, ack)->dialog, ==, d->id);
	g_assert_cmpuint(txn_of(f, ack)->dialog, ==, d->id);
	/* an in-dialog request from the callee carries the tags the other way */
	sip_id info = req(&c, 3000, false, "INFO", 1, "z9hG4bKinfo", "bt");
	sip_id info200 = rsp(&c, 3010, false, 200, "INFO", 1, "z9hG4bKinfo", "bt");
	g_assert_cmpuint(msg_of(f, info)->dialog, ==, d->id);
	g_assert_cmpuint(msg_of(f, info200)->dialog, ==, d->id);
	g_assert_cmpint(d->state, ==, DLG_STATE_CONFIRMED);

	sip_id bye = req(&c, 5000, true, "BYE", 2, "z9hG4bKb", "bt");
	g_assert_cmpint(d->state, ==, DLG_STATE_CONFIRMED);
	g_assert_null(sip_dialog_end_reason(d));
	sip_id bye200 = rsp(&c, 5010, true, 200, "BYE", 2, "z9hG4bKb", "bt");
	g_assert_cmpuint(msg_of(f, bye)->dialog, ==, d->id);
	g_assert_cmpint(d->state, ==, DLG_STATE_TERMINATED);
	g_assert_cmpint(d->terminated_ts, ==, at(f, 5010));
	g_assert_cmpuint(d->terminating_msg, ==, bye200);
	g_assert_cmpstr(sip_dialog_end_reason(d), ==, "BYE");
	g_assert_cmpstr(dlg_state_name(d->state), ==, "terminated");
	g_assert_cmpuint(d->messages, ==, 7);   /* 180 200 ACK INFO 200 BYE 200 */
	g_assert_cmpuint(sip_model_dialog_count(f->m), ==, 1);
	flow_free(f);
}

/* Forking: two early dialogs; the 200 confirms one; the other ends 64×T1
 * after the 2xx (§13.2.2.4), and only if the capture lasts that long. */
static void test_forking(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "fork@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKf", NULL);
	sip_id r1 = rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKf", "one");
	sip_id r2 = rsp(&c, 20, true, 180, "INVITE", 1, "z9hG4bKf", "two");
	g_assert_cmpuint(sip_model_dialog_count(f->m), ==, 2);
	const sip_dialog *d1 = dialog_of(f, r1), *d2 = dialog_of(f, r2);
	g_assert_cmpuint(d1->id, !=, d2->id);
	g_assert_cmpint(d1->state, ==, DLG_STATE_EARLY);
	g_assert_cmpint(d2->state, ==, DLG_STATE_EARLY);
	sip_id ok = rsp(&c, 1000, true, 200, "INVITE", 1, "z9hG4bKf", "two");
	g_assert_cmpuint(msg_of(f, ok)->dialog, ==, d2->id);
	g_assert_cmpint(d2->state, ==, DLG_STATE_CONFIRMED);
	g_assert_cmpint(d1->state, ==, DLG_STATE_EARLY);
	req(&c, 1010, true, "ACK", 1, "z9hG4bKfa", "two");
	sip_model_finish(f->m, at(f, 10000));
	g_assert_cmpint(d1->state, ==, DLG_STATE_EARLY);
	sip_model_finish(f->m, at(f, 40000));
	g_assert_cmpint(d1->state, ==, DLG_STATE_TERMINATED);
	g_assert_cmpint(d1->terminated_ts, ==, at(f, 33000));
	g_assert_cmpstr(sip_dialog_end_reason(d1), ==, "other fork answered");
	g_assert_cmpint(d2->state, ==, DLG_STATE_CONFIRMED);

	/* two 2xx from two forks: two confirmed dialogs */
	ua_call c2 = ua_call_make(f, "fork2@a.example");
	req(&c2, 50000, true, "INVITE", 1, "z9hG4bKg", NULL);
	sip_id a = rsp(&c2, 50010, true, 200, "INVITE", 1, "z9hG4bKg", "one");
	sip_id b = rsp(&c2, 50020, true, 200, "INVITE", 1, "z9hG4bKg", "two");
	g_assert_cmpint(dialog_of(f, a)->state, ==, DLG_STATE_CONFIRMED);
	g_assert_cmpint(dialog_of(f, b)->state, ==, DLG_STATE_CONFIRMED);
	g_assert_cmpuint(dialog_of(f, a)->id, !=, dialog_of(f, b)->id);
	flow_free(f);
}

/* A non-2xx final to the INVITE ends all its early dialogs. */
static void test_failure_ends_early(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "fail@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKx", NULL);
	sip_id r1 = rsp(&c, 10, true, 183, "INVITE", 1, "z9hG4bKx", "one");
	sip_id r2 = rsp(&c, 20, true, 180, "INVITE", 1, "z9hG4bKx", "two");
	req(&c, 100, true, "CANCEL", 1, "z9hG4bKx", NULL);
	rsp(&c, 110, true, 200, "CANCEL", 1, "z9hG4bKx", "two");
	sip_id r487 = rsp(&c, 120, true, 487, "INVITE", 1, "z9hG4bKx", "two");
	const sip_dialog *d1 = dialog_of(f, r1), *d2 = dialog_of(f, r2);
	g_assert_cmpint(d1->state, ==, DLG_STATE_TERMINATED);
	g_assert_cmpint(d2->state, ==, DLG_STATE_TERMINATED);
	g_assert_cmpstr(sip_dialog_end_reason(d1), ==, "non-2xx final response");
	g_assert_cmpuint(d1->terminating_msg, ==, r487);
	g_assert_cmpint(d2->terminated_ts, ==, at(f, 120));
	/* a 487 retransmission changes nothing */
	sip_id again = rsp(&c, 600, true, 487, "INVITE", 1, "z9hG4bKx", "two");
	g_assert_true(msg_of(f, again)->retransmission);
	g_assert_cmpint(d2->terminated_ts, ==, at(f, 120));
	flow_free(f);
}

/* 481 (and 408) to a request inside the dialog end it. */
static void test_481_to_bye(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "481@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	sip_id ok = rsp(&c, 10, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	req(&c, 20, true, "ACK", 1, "z9hG4bKa", "bt");
	const sip_dialog *d = dialog_of(f, ok);
	/* a 501 to an UPDATE leaves the dialog alone */
	req(&c, 30, true, "UPDATE", 2, "z9hG4bKu", "bt");
	rsp(&c, 40, true, 501, "UPDATE", 2, "z9hG4bKu", "bt");
	g_assert_cmpint(d->state, ==, DLG_STATE_CONFIRMED);
	req(&c, 1000, false, "BYE", 1, "z9hG4bKb", "bt");
	sip_id r481 = rsp(&c, 1010, false, 481, "BYE", 1, "z9hG4bKb", "bt");
	g_assert_cmpint(d->state, ==, DLG_STATE_TERMINATED);
	g_assert_cmpstr(sip_dialog_end_reason(d), ==, "481");
	g_assert_cmpuint(d->terminating_msg, ==, r481);

	ua_call c2 = ua_call_make(f, "408@a.example");
	req(&c2, 2000, true, "INVITE", 1, "z9hG4bKj", NULL);
	sip_id ok2 = rsp(&c2, 2010, true, 200, "INVITE", 1, "z9hG4bKj", "bt");
	req(&c2, 2020, true, "INVITE", 2, "z9hG4bKk", "bt");
	rsp(&c2, 2030, true, 408, "INVITE", 2, "z9hG4bKk", "bt");
	g_assert_cmpint(dialog_of(f, ok2)->state, ==, DLG_STATE_TERMINATED);
	g_assert_cmpstr(sip_dialog_end_reason(dialog_of(f, ok2)), ==, "408");
	flow_free(f);
}

/* A BYE left without its 2xx ends the dialog at finish (§15.1.1). */
static void test_bye_without_answer(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "byelost@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	sip_id ok = rsp(&c, 10, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	sip_id bye = req(&c, 1000, false, "BYE", 1, "z9hG4bKb", "bt");
	const sip_dialog *d = dialog_of(f, ok);
	g_assert_cmpint(d->state, ==, DLG_STATE_CONFIRMED);
	sip_model_finish(f->m, at(f, 2000));
	g_assert_cmpint(d->state, ==, DLG_STATE_TERMINATED);
	g_assert_cmpuint(d->terminating_msg, ==, bye);
	g_assert_cmpint(d->terminated_ts, ==, at(f, 1000));
	flow_free(f);
}

/* The capture began mid-dialog: the 2xx to an in-dialog request makes it. */
static void test_midway(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "midway@a.example");
	sip_id reinv = req(&c, 0, false, "INVITE", 5, "z9hG4bKr", "bt");
	g_assert_cmpuint(msg_of(f, reinv)->dialog, ==, SIP_ID_NONE);
	sip_id ok = rsp(&c, 10, false, 200, "INVITE", 5, "z9hG4bKr", "bt");
	const sip_dialog *d = dialog_of(f, ok);
	g_assert_true(d->midway);
	g_assert_true(d->session);
	assert_sv_eq(sip_dialog_created_by(d), NULL);
	g_assert_cmpint(d->state, ==, DLG_STATE_CONFIRMED);
	assert_sv_eq(d->from_tag, "bt");   /* whoever sent the request we saw */
	sip_id bye = req(&c, 500, true, "BYE", 9, "z9hG4bKb", "bt");
	g_assert_cmpuint(msg_of(f, bye)->dialog, ==, d->id);
	rsp(&c, 510, true, 200, "BYE", 9, "z9hG4bKb", "bt");
	g_assert_cmpint(d->state, ==, DLG_STATE_TERMINATED);
	g_assert_cmpuint(sip_model_dialog_count(f->m), ==, 1);

	/* only a BYE and its 200 */
	ua_call c2 = ua_call_make(f, "byeonly@a.example");
	req(&c2, 1000, true, "BYE", 9, "z9hG4bKc", "bt");
	sip_id ok2 = rsp(&c2, 1010, true, 200, "BYE", 9, "z9hG4bKc", "bt");
	g_assert_cmpint(dialog_of(f, ok2)->state, ==, DLG_STATE_TERMINATED);
	g_assert_true(dialog_of(f, ok2)->midway);

	/* a REGISTER with a To tag: its transaction keeps what it asked where
	 * others keep their Contact, which is no local target then */
	ua_call c3 = ua_call_make(f, "regtag@a.example");
	sip_id reg = req(&c3, 2000, true, "REGISTER", 3, "z9hG4bKg", "bt");
	sip_id ok3 = rsp(&c3, 2010, true, 200, "REGISTER", 3, "z9hG4bKg", "bt");
	g_assert_cmpuint(msg_of(f, ok3)->txn, ==, msg_of(f, reg)->txn);
	const sip_dialog *d3 = dialog_of(f, ok3);
	g_assert_true(d3->midway);
	assert_sv_eq(d3->local_target, NULL);
	assert_sv_eq(d3->remote_target, "sip:bob@10.0.0.2:5060");
	flow_free(f);
}

/* SUBSCRIBE / NOTIFY (RFC 6665): the subscription dialog, and a NOTIFY that
 * arrives before the SUBSCRIBE's 200. */
static void test_subscription(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "sub@a.example");
	req_x(&c, 0, true, "SUBSCRIBE", 1, "z9hG4bKs", NULL, "Event: presence\nExpires: 600\n");
	sip_id ok = rsp(&c, 10, true, 200, "SUBSCRIBE", 1, "z9hG4bKs", "nt");
	const sip_dialog *d = dialog_of(f, ok);
	assert_sv_eq(sip_dialog_created_by(d), "SUBSCRIBE");
	g_assert_false(d->session);
	g_assert_cmpint(d->state, ==, DLG_STATE_CONFIRMED);
	sip_id n1 = req_x(&c, 20, false, "NOTIFY", 1, "z9hG4bKn1", "nt",
		"Event: presence\nSubscription-State: active;expires=600\n");
	rsp(&c, 30, false, 200, "NOTIFY", 1, "z9hG4bKn1", "nt");
	g_assert_cmpuint(msg_of(f, n1)->dialog, ==, d->id);
	g_assert_cmpint(d->state, ==, DLG_STATE_CONFIRMED);
	req_x(&c, 1000, false, "NOTIFY", 2, "z9hG4bKn2", "nt",
		"Event: presence\nSubscription-State: terminated;reason=timeout\n");
	sip_id end = rsp(&c, 1010, false, 200, "NOTIFY", 2, "z9hG4bKn2", "nt");
	g_assert_cmpint(d->state, ==, DLG_STATE_TERMINATED);
	g_assert_cmpstr(sip_dialog_end_reason(d), ==, "subscription terminated");
	g_assert_cmpuint(d->terminating_msg, ==, end);

	/* the NOTIFY overtakes the 200: its 2xx creates the dialog */
	ua_call c2 = ua_call_make(f, "sub2@a.example");
	req_x(&c2, 2000, true, "SUBSCRIBE", 1, "z9hG4bKs2", NULL, "Event: dialog\n");
	req_x(&c2, 2010, false, "NOTIFY", 1, "z9hG4bKn3", "nt2",
		"Event: dialog\nSubscription-State: active\n");
	sip_id n200 = rsp(&c2, 2020, false, 200, "NOTIFY", 1, "z9hG4bKn3", "nt2");
	const sip_dialog *d2 = dialog_of(f, n200);
	assert_sv_eq(sip_dialog_created_by(d2), "NOTIFY");
	assert_sv_eq(d2->from_tag, "atag");   /* the subscriber */
	assert_sv_eq(d2->to_tag, "nt2");
	assert_sv_eq(d2->remote_target, "sip:bob@10.0.0.2:5060");    /* the notifier */
	assert_sv_eq(d2->local_target, "sip:alice@10.0.0.1:5060");
	sip_id s200 = rsp(&c2, 2030, true, 200, "SUBSCRIBE", 1, "z9hG4bKs2", "nt2");
	g_assert_cmpuint(msg_of(f, s200)->dialog, ==, d2->id);
	g_assert_cmpuint(sip_model_dialog_count(f->m), ==, 2);
	flow_free(f);
}

/* PRACK and UPDATE inside an early dialog belong to it and do not confirm it. */
static void test_early_in_dialog_requests(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "prack@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
	sip_id r183 = rsp_x(&c, 10, true, 183, "INVITE", 1, "z9hG4bKi", "bt", "RSeq: 1\nRequire: 100rel\n");
	const sip_dialog *d = dialog_of(f, r183);
	sip_id pr = req_x(&c, 20, true, "PRACK", 2, "z9hG4bKp", "bt", "RAck: 1 1 INVITE\n");
	sip_id pr200 = rsp(&c, 30, true, 200, "PRACK", 2, "z9hG4bKp", "bt");
	g_assert_cmpuint(msg_of(f, pr)->dialog, ==, d->id);
	g_assert_cmpuint(msg_of(f, pr200)->dialog, ==, d->id);
	g_assert_cmpint(d->state, ==, DLG_STATE_EARLY);
	/* the 183 retransmitted (reliable provisional): same dialog, retransmission */
	sip_id again = rsp_x(&c, 500, true, 183, "INVITE", 1, "z9hG4bKi", "bt", "RSeq: 1\nRequire: 100rel\n");
	g_assert_true(msg_of(f, again)->retransmission);
	g_assert_cmpuint(msg_of(f, again)->dialog, ==, d->id);
	rsp(&c, 1000, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
	g_assert_cmpint(d->state, ==, DLG_STATE_CONFIRMED);
	flow_free(f);
}

/* The reason is a code in the record: every code has its name, once. */
static void test_end_names(void)
{
	g_assert_null(dlg_end_name(DLG_END_NONE));
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (dlg_end e = DLG_END_BYE; e <= DLG_END_NO_FINAL; e++) {
		const char *n = dlg_end_name(e);
		g_assert_nonnull(n);
		g_assert_false(g_hash_table_contains(seen, n));
		g_hash_table_add(seen, (gpointer)n);
	}
	g_assert_null(dlg_end_name(DLG_END_NO_FINAL + 1));
	g_hash_table_destroy(seen);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/model/dialog/basic-lifecycle", test_basic_lifecycle);
	g_test_add_func("/model/dialog/forking", test_forking);
	g_test_add_func("/model/dialog/failure-ends-early", test_failure_ends_early);
	g_test_add_func("/model/dialog/481-to-bye", test_481_to_bye);
	g_test_add_func("/model/dialog/bye-without-answer", test_bye_without_answer);
	g_test_add_func("/model/dialog/midway", test_midway);
	g_test_add_func("/model/dialog/subscription", test_subscription);
	g_test_add_func("/model/dialog/early-in-dialog-requests", test_early_in_dialog_requests);
	g_test_add_func("/model/dialog/end-names", test_end_names);
	return g_test_run();
}
