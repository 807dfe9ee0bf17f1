/*
 * Model: limits and eviction — the least recently active call goes with
 * everything it owns, taps hear it first, ids become holes, the indexes
 * forget it (its Call-ID, branches and dialogs start afresh), messages
 * without Call-ID go in groups, and nothing leaks (LeakSanitizer).
 */
#include <glib.h>
#include <string.h>

#include "dissect/model.h"
#include "dissect/sip.h"

#include "support/model_flow.h"

typedef struct evict_log {
	GArray *calls;      /* sip_id per SIP_EV_EVICT */
	GArray *msgs;       /* every message id listed, in order */
	GArray *txns;
	GArray *dialogs;
	bool readable;      /* every listed object could still be read in the tap */
	bool ascending;
} evict_log;

static void append_ids(GArray *to, const sip_ids *from, bool *ascending)
{
	for (guint i = 0; i < from->len; i++) {
		sip_id id = from->data[i];
		if (i && id <= from->data[i - 1])
			*ascending = false;
		g_array_append_val(to, id);
	}
}

static void on_evict(void *user, const sip_model *m, sip_event ev, sip_id call)
{
	evict_log *l = user;
	g_assert_cmpuint(ev, ==, SIP_EV_EVICT);
	g_array_append_val(l->calls, call);
	const sip_ids *msgs, *txns, *dialogs;
	sip_model_evicting(m, &msgs, &txns, &dialogs);
	g_assert_nonnull(msgs);
	g_assert_nonnull(txns);
	g_assert_nonnull(dialogs);
	if (call != SIP_ID_NONE && !sip_model_call(m, call))
		l->readable = false;
	for (guint i = 0; i < msgs->len; i++)
		if (!sip_model_message(m, msgs->data[i]))
			l->readable = false;
	for (guint i = 0; i < txns->len; i++)
		if (!sip_model_txn(m, txns->data[i]))
			l->readable = false;
	for (guint i = 0; i < dialogs->len; i++)
		if (!sip_model_dialog(m, dialogs->data[i]))
			l->readable = false;
	append_ids(l->msgs, msgs, &l->ascending);
	append_ids(l->txns, txns, &l->ascending);
	append_ids(l->dialogs, dialogs, &l->ascending);
}

static evict_log *log_new(flow *f)
{
	evict_log *l = g_new0(evict_log, 1);
	l->calls = g_array_new(FALSE, FALSE, sizeof(sip_id));
	l->msgs = g_array_new(FALSE, FALSE, sizeof(sip_id));
	l->txns = g_array_new(FALSE, FALSE, sizeof(sip_id));
	l->dialogs = g_array_new(FALSE, FALSE, sizeof(sip_id));
	l->readable = l->ascending = true;
	sip_model_tap_add(f->m, SIP_EV_EVICT, on_evict, l);
	return l;
}

static void log_free(evict_log *l)
{
	g_array_free(l->calls, TRUE);
	g_array_free(l->msgs, TRUE);
	g_array_free(l->txns, TRUE);
	g_array_free(l->dialogs, TRUE);
	g_free(l);
}

static flow *limited_flow(uint32_t max_calls, uint32_t max_messages)
{
	flow *f = flow_new();
	sip_limits l = { .max_calls = max_calls, .max_messages = max_messages };
	g_assert_true(sip_model_set_limits(f->m, &l));
	return f;
}

/* Three calls, room for two: the least recently active one goes, once
 * the next message comes; the others stay whole. */
static void test_evict_lru(void)
{
	flow *f = limited_flow(2, 0);
	evict_log *l = log_new(f);
	ua_call a = ua_call_make(f, "a@x"), b = ua_call_make(f, "b@x"), c = ua_call_make(f, "c@x");
	sip_id a_inv = req(&a, 0, true, "INVITE", 1, "z9hG4bKa1", NULL);
	sip_id b_inv = req(&b, 10, true, "INVITE", 1, "z9hG4bKb1", NULL);
	sip_id b_100 = rsp(&b, 20, true, 100, "INVITE", 1, "z9hG4bKb1", NULL);
	rsp(&a, 30, true, 180, "INVITE", 1, "z9hG4bKa1", "ta");   /* a is now the most recent */
	sip_id b_call = msg_of(f, b_inv)->call;
	sip_id b_txn = msg_of(f, b_inv)->txn;
	req(&c, 40, true, "INVITE", 1, "z9hG4bKc1", NULL);
	/* three calls held until the next message is judged */
	g_assert_cmpuint(sip_model_calls_held(f->m), ==, 3);
	g_assert_cmpuint(l->calls->len, ==, 0);
	rsp(&c, 50, true, 100, "INVITE", 1, "z9hG4bKc1", NULL);

	g_assert_cmpuint(l->calls->len, ==, 1);
	g_assert_cmpuint(g_array_index(l->calls, sip_id, 0), ==, b_call);
	g_assert_true(l->readable);
	g_assert_true(l->ascending);
	g_assert_cmpuint(l->msgs->len, ==, 2);
	g_assert_cmpuint(g_array_index(l->msgs, sip_id, 0), ==, b_inv);
	g_assert_cmpuint(g_array_index(l->msgs, sip_id, 1), ==, b_100);
	g_assert_cmpuint(l->txns->len, ==, 1);
	g_assert_cmpuint(g_array_index(l->txns, sip_id, 0), ==, b_txn);

	/* holes, counts of ids given unchanged */
	g_assert_null(sip_model_call(f->m, b_call));
	g_assert_null(sip_model_message(f->m, b_inv));
	g_assert_null(sip_model_message(f->m, b_100));
	g_assert_null(sip_model_txn(f->m, b_txn));
	g_assert_null(sip_model_call_find(f->m, sv_from_cstr("b@x")));
	g_assert_cmpuint(sip_model_call_count(f->m), ==, 3);
	g_assert_cmpuint(sip_model_message_count(f->m), ==, 6);
	g_assert_cmpuint(sip_model_calls_held(f->m), ==, 2);
	g_assert_cmpuint(sip_model_messages_held(f->m), ==, 4);
	const sip_evictions *e = sip_model_evictions(f->m);
	g_assert_cmpuint(e->calls, ==, 1);
	g_assert_cmpuint(e->groups, ==, 0);
	g_assert_cmpuint(e->messages, ==, 2);
	g_assert_cmpuint(e->txns, ==, 1);
	g_assert_cmpuint(e->dialogs, ==, 0);

	/* a and c are whole */
	const sip_call *ka = call_named(f, "a@x");
	sip_id a_call = ka->id;
	g_assert_cmpuint(ka->messages->len, ==, 2);
	g_assert_nonnull(sip_model_message(f->m, a_inv));
	g_assert_cmpint(ka->state, ==, CALL_STATE_SETUP);

	/* b's next message starts a new call: its Call-ID and branch were forgotten */
	sip_id b_180 = rsp(&b, 60, true, 180, "INVITE", 1, "z9hG4bKb1", "tb");
	const sip_message *m180 = msg_of(f, b_180);
	g_assert_cmpuint(m180->call, !=, b_call);
	g_assert_cmpuint(m180->txn, !=, b_txn);
	const sip_txn *t180 = sip_model_txn(f->m, m180->txn);
	g_assert_cmpuint(t180->request, ==, SIP_ID_NONE);   /* response only */
	g_assert_false(m180->retransmission);
	/* three calls again: the next message evicts a, the least recently
	 * active (30 ms against c's 50 ms) */
	g_assert_cmpuint(l->calls->len, ==, 1);
	rsp(&c, 70, true, 180, "INVITE", 1, "z9hG4bKc1", "tc");
	g_assert_cmpuint(l->calls->len, ==, 2);
	g_assert_cmpuint(g_array_index(l->calls, sip_id, 1), ==, a_call);
	g_assert_null(sip_model_call_find(f->m, sv_from_cstr("a@x")));
	g_assert_nonnull(sip_model_call_find(f->m, sv_from_cstr("c@x")));
	log_free(l);
	flow_free(f);
}

/* A dialog goes with its call: an in-dialog request afterwards meets no
 * dialog, and a retransmitted 2xx is not taken for a copy of one evicted. */
static void test_evict_dialog(void)
{
	flow *f = limited_flow(1, 0);
	evict_log *l = log_new(f);
	ua_call a = ua_call_make(f, "a@x"), b = ua_call_make(f, "b@x");
	req(&a, 0, true, "INVITE", 1, "z9hG4bKa1", NULL);
	sip_id ok = rsp(&a, 100, true, 200, "INVITE", 1, "z9hG4bKa1", "ta");
	sip_id dlg = msg_of(f, ok)->dialog;
	g_assert_cmpuint(dlg, !=, SIP_ID_NONE);
	req(&a, 110, true, "ACK", 1, "z9hG4bKa2", "ta");
	req(&b, 200, true, "OPTIONS", 1, "z9hG4bKb1", NULL);
	rsp(&b, 210, true, 200, "OPTIONS", 1, "z9hG4bKb1", "tb");  /* a goes before this one */
	g_assert_cmpuint(l->calls->len, ==, 1);
	g_assert_cmpuint(l->dialogs->len, ==, 1);
	g_assert_cmpuint(g_array_index(l->dialogs, sip_id, 0), ==, dlg);
	g_assert_null(sip_model_dialog(f->m, dlg));
	g_assert_cmpuint(sip_model_evictions(f->m)->dialogs, ==, 1);

	/* the 2xx again: a new transaction (response only), not a retransmission */
	sip_id again = rsp(&a, 300, true, 200, "INVITE", 1, "z9hG4bKa1", "ta");
	g_assert_false(msg_of(f, again)->retransmission);
	/* a BYE inside the forgotten dialog: met midway once answered */
	sip_id bye = req(&a, 400, true, "BYE", 2, "z9hG4bKa3", "ta");
	g_assert_cmpuint(msg_of(f, bye)->txn, !=, SIP_ID_NONE);
	sip_model_finish(f->m, at(f, 1000));
	log_free(l);
	flow_free(f);
}

/* The message limit alone: a call that outgrows it is evicted before
 * its next message, which starts it again. */
static void test_max_messages(void)
{
	flow *f = limited_flow(0, 3);
	evict_log *l = log_new(f);
	ua_call a = ua_call_make(f, "a@x");
	req(&a, 0, true, "INVITE", 1, "z9hG4bKa1", NULL);
	rsp(&a, 10, true, 100, "INVITE", 1, "z9hG4bKa1", NULL);
	rsp(&a, 20, true, 180, "INVITE", 1, "z9hG4bKa1", "ta");
	sip_id ok = rsp(&a, 30, true, 200, "INVITE", 1, "z9hG4bKa1", "ta");
	g_assert_cmpuint(l->calls->len, ==, 0);
	/* 4 held > 3: judged before the ACK */
	sip_id ack = req(&a, 40, true, "ACK", 1, "z9hG4bKa2", "ta");
	g_assert_cmpuint(l->calls->len, ==, 1);
	g_assert_cmpuint(l->msgs->len, ==, 4);
	g_assert_null(sip_model_message(f->m, ok));
	g_assert_nonnull(sip_model_message(f->m, ack));
	g_assert_cmpuint(sip_model_messages_held(f->m), ==, 1);
	g_assert_cmpuint(sip_model_calls_held(f->m), ==, 1);
	log_free(l);
	flow_free(f);
}

/* Messages without Call-ID are owned in groups, evicted oldest first. */
static void test_groups(void)
{
	flow *f = limited_flow(0, 300);
	evict_log *l = log_new(f);
	for (int i = 0; i < 700; i++)
		feedf(f, i, "192.0.2.1:5060", "192.0.2.2:5060",
			"OPTIONS sip:b@b.example SIP/2.0\n"
			"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKg%d\n"
			"Max-Forwards: 70\n"
			"From: <sip:a@a.example>;tag=x\n"
			"To: <sip:b@b.example>\n"
			"CSeq: %d OPTIONS\n", i, i + 1);
	const sip_evictions *e = sip_model_evictions(f->m);
	g_assert_cmpuint(e->calls, ==, 0);
	g_assert_cmpuint(e->groups, >=, 1);
	g_assert_cmpuint(e->messages, ==, l->msgs->len);
	g_assert_cmpuint(e->txns, ==, l->txns->len);
	g_assert_cmpuint(sip_model_messages_held(f->m), <=, 301);
	g_assert_cmpuint(sip_model_messages_held(f->m) + e->messages, ==, 700);
	for (guint i = 0; i < l->calls->len; i++)
		g_assert_cmpuint(g_array_index(l->calls, sip_id, i), ==, SIP_ID_NONE);
	/* oldest first: the first message went first */
	g_assert_cmpuint(g_array_index(l->msgs, sip_id, 0), ==, 0);
	g_assert_true(l->ascending);
	g_assert_true(l->readable);
	g_assert_null(sip_model_message(f->m, 0));
	g_assert_nonnull(sip_model_message(f->m, 699));
	sip_model_finish(f->m, at(f, 100000));
	log_free(l);
	flow_free(f);
}

/* Many calls through a small model: every message is evicted or held,
 * every eviction frees what it lists (LeakSanitizer checks the rest). */
static void test_churn(void)
{
	flow *f = limited_flow(8, 40);
	evict_log *l = log_new(f);
	for (int i = 0; i < 200; i++) {
		g_autofree char *cid = g_strdup_printf("churn-%d@x", i);
		g_autofree char *br = g_strdup_printf("z9hG4bKc%d", i);
		g_autofree char *br2 = g_strdup_printf("z9hG4bKd%d", i);
		ua_call c = ua_call_make(f, cid);
		int64_t t = i * 50;
		req(&c, t, true, "INVITE", 1, br, NULL);
		rsp(&c, t + 5, true, 180, "INVITE", 1, br, "tt");
		rsp(&c, t + 9, true, 200, "INVITE", 1, br, "tt");
		req(&c, t + 10, true, "ACK", 1, br2, "tt");
	}
	const sip_evictions *e = sip_model_evictions(f->m);
	g_assert_cmpuint(sip_model_messages_held(f->m) + e->messages, ==, 800);
	g_assert_cmpuint(sip_model_calls_held(f->m) + e->calls, ==, 200);
	g_assert_cmpuint(sip_model_calls_held(f->m), <=, 9);
	g_assert_cmpuint(sip_model_messages_held(f->m), <=, 41);
	g_assert_cmpuint(e->dialogs, ==, l->dialogs->len);
	g_assert_cmpuint(e->dialogs + 8, >=, 192);
	g_assert_true(l->readable);
	sip_model_finish(f->m, at(f, 100000));
	log_free(l);
	flow_free(f);
}

static void on_evict_reg(void *user, const sip_model *m, sip_event ev, sip_id id)
{
	GArray *ids = user;
	g_assert_cmpuint(ev, ==, SIP_EV_EVICT_REGISTRATION);
	const sip_registration *r = sip_model_registration(m, id);
	g_assert_nonnull(r);   /* readable in its tap */
	g_assert_cmpuint(r->bindings->len, ==, 1);
	g_assert_true(sv_eq_cstr(g_array_index(r->bindings, sip_binding, 0).contact,
				 ids->len ? "sip:u2@10.0.0.1" : "sip:u0@10.0.0.1"));
	g_array_append_val(ids, id);
}

static void register_user(flow *f, int64_t ms, int u)
{
	g_autofree char *cid = g_strdup_printf("reg-%d@x", u);
	for (int k = 0; k < 2; k++)
		feedf(f, ms + k, k ? "10.0.0.3:5060" : "10.0.0.1:5060", k ? "10.0.0.1:5060" : "10.0.0.3:5060",
			"%s\n"
			"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKr%d-%d\n"
			"Max-Forwards: 70\n"
			"From: <sip:u%d@a.example>;tag=f%d\n"
			"To: <sip:u%d@a.example>%s\n"
			"Call-ID: %s\n"
			"CSeq: %d REGISTER\n"
			"Contact: <sip:u%d@10.0.0.1>;expires=3600\n",
			k ? "SIP/2.0 200 OK" : "REGISTER sip:a.example SIP/2.0", u, (int)ms, u, u, u,
			k ? ";tag=srv" : "", cid, (int)ms + 1, u);
}

/* Registrations are bounded by max_calls too: the least recently updated
 * address-of-record goes (its copies with it), and comes back as a new
 * registration when it registers again. */
static void test_registrations(void)
{
	flow *f = limited_flow(2, 0);
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(sip_id));
	sip_model_tap_add(f->m, SIP_EV_EVICT_REGISTRATION, on_evict_reg, ids);
	register_user(f, 0, 0);
	register_user(f, 100, 1);
	register_user(f, 200, 2);   /* three: u0 goes before u2's 200 OK */
	g_assert_cmpuint(sip_model_registration_count(f->m), ==, 3);
	g_assert_cmpuint(ids->len, ==, 1);
	register_user(f, 300, 1);   /* refreshes u1: u2 is now the oldest */
	sip_id gone = g_array_index(ids, sip_id, 0);
	g_assert_null(sip_model_registration(f->m, gone));
	g_assert_cmpuint(sip_model_evictions(f->m)->registrations, ==, 1);
	register_user(f, 400, 0);   /* u0 again: a registration of its own; u2 goes */
	g_assert_cmpuint(sip_model_registration_count(f->m), ==, 4);
	g_assert_cmpuint(ids->len, ==, 2);
	g_assert_cmpuint(sip_model_evictions(f->m)->registrations, ==, 2);
	g_assert_nonnull(sip_model_registration(f->m, 1));   /* u1 stays */
	const sip_registration *r = sip_model_registration(f->m, 3);
	g_assert_nonnull(r);
	g_assert_true(sv_eq_cstr(r->aor, "sip:u0@a.example"));
	g_assert_cmpstr(sip_registration_state(r), ==, "registered");
	sip_model_finish(f->m, at(f, 1000));
	g_array_free(ids, TRUE);
	flow_free(f);
}

static void test_set_limits(void)
{
	flow *f = flow_new();
	sip_limits none = { 0, 0, false, false };
	g_assert_true(sip_model_set_limits(f->m, &none));
	ua_call a = ua_call_make(f, "a@x");
	req(&a, 0, true, "OPTIONS", 1, "z9hG4bKa1", NULL);
	sip_limits some = { 1, 1, false, false };
	g_assert_false(sip_model_set_limits(f->m, &some));
	g_assert_cmpuint(sip_model_limits(f->m)->max_calls, ==, 0);
	g_assert_cmpuint(sip_model_calls_held(f->m), ==, 1);
	g_assert_cmpuint(sip_model_evictions(f->m)->calls, ==, 0);
	flow_free(f);
}

/* forget_finished: a call goes once it is finished and quiet for
 * 5 minutes (64×T1 + T4 when longer); one that may still change (a dialog
 * going on, an INVITE unanswered) is parked, and a message of its own
 * makes it active again.  A REGISTER Call-ID reused later starts afresh,
 * its registration whole. */
static void test_forget_finished(void)
{
	flow *f = flow_new();
	sip_limits l = { .forget_finished = true, .forget_registers = true };
	g_assert_true(sip_model_set_limits(f->m, &l));
	evict_log *log = log_new(f);
	ua_call a = ua_call_make(f, "a@x"), c = ua_call_make(f, "c@x"), d = ua_call_make(f, "d@x"),
		e = ua_call_make(f, "e@x"), r = ua_call_make(f, "r@x"), z = ua_call_make(f, "z@x");
	sip_id r_reg = req(&r, 0, true, "REGISTER", 1, "z9hG4bKr1", NULL);
	rsp(&r, 10, true, 200, "REGISTER", 1, "z9hG4bKr1", "tr");
	sip_id r_call = msg_of(f, r_reg)->call;
	/* a: answered and ended */
	sip_id a_inv = req(&a, 20, true, "INVITE", 1, "z9hG4bKa1", NULL);
	rsp(&a, 100, true, 200, "INVITE", 1, "z9hG4bKa1", "ta");
	req(&a, 110, true, "ACK", 1, "z9hG4bKa2", "ta");
	/* c: answered, talking */
	req(&c, 500, true, "INVITE", 1, "z9hG4bKc1", NULL);
	rsp(&c, 600, true, 200, "INVITE", 1, "z9hG4bKc1", "tc");
	req(&c, 610, true, "ACK", 1, "z9hG4bKc2", "tc");
	/* d: busy, its ACK seen */
	req(&d, 700, true, "INVITE", 1, "z9hG4bKd1", NULL);
	rsp(&d, 800, true, 486, "INVITE", 1, "z9hG4bKd1", "td");
	req(&d, 810, true, "ACK", 1, "z9hG4bKd1", "td");
	/* e: no answer yet */
	req(&e, 900, true, "INVITE", 1, "z9hG4bKe1", NULL);
	req(&a, 1000, true, "BYE", 2, "z9hG4bKa3", "ta");
	sip_id a_end = rsp(&a, 1010, true, 200, "BYE", 2, "z9hG4bKa3", "ta");
	sip_id a_call = msg_of(f, a_inv)->call;

	/* judged before each message by the clock of the one before */
	req(&z, 302000, true, "OPTIONS", 1, "z9hG4bKz1", NULL);
	g_assert_cmpuint(log->calls->len, ==, 0);
	rsp(&z, 302020, true, 200, "OPTIONS", 1, "z9hG4bKz1", "tz");
	/* r, d and a went, in the order they fell quiet; c and e stay */
	g_assert_cmpuint(log->calls->len, ==, 3);
	g_assert_cmpuint(g_array_index(log->calls, sip_id, 0), ==, r_call);
	g_assert_cmpuint(g_array_index(log->calls, sip_id, 2), ==, a_call);
	g_assert_true(log->readable);
	g_assert_null(sip_model_call(f->m, a_call));
	g_assert_null(sip_model_message(f->m, a_end));
	g_assert_null(sip_model_call_find(f->m, sv_from_cstr("d@x")));
	const sip_evictions *gone = sip_model_forgotten(f->m);
	g_assert_cmpuint(gone->calls, ==, 3);
	g_assert_cmpuint(gone->messages, ==, 10);
	g_assert_cmpuint(gone->txns, ==, 5);
	g_assert_cmpuint(gone->dialogs, ==, 1);   /* a 486 makes no dialog */
	g_assert_cmpuint(sip_model_evictions(f->m)->calls, ==, 0);
	g_assert_cmpuint(sip_model_calls_held(f->m), ==, 3);
	g_assert_null(sip_model_call_find(f->m, sv_from_cstr("r@x")));
	g_assert_cmpuint(sip_model_registration_count(f->m), ==, 1);
	g_assert_nonnull(sip_model_registration(f->m, 0));
	g_assert_nonnull(sip_model_call_find(f->m, sv_from_cstr("c@x")));
	g_assert_nonnull(sip_model_call_find(f->m, sv_from_cstr("e@x")));

	/* the REGISTER Call-ID comes back: a new call */
	sip_id r_again = req(&r, 400000, true, "REGISTER", 2, "z9hG4bKr2", NULL);
	g_assert_cmpuint(msg_of(f, r_again)->call, !=, r_call);
	g_assert_nonnull(sip_model_call_find(f->m, sv_from_cstr("r@x")));
	/* c ends: active again, then forgotten once quiet */
	req(&c, 500000, true, "BYE", 2, "z9hG4bKc3", "tc");
	rsp(&c, 500010, true, 200, "BYE", 2, "z9hG4bKc3", "tc");
	g_assert_nonnull(sip_model_call_find(f->m, sv_from_cstr("c@x")));
	/* z comes back after ten minutes finished and quiet: a new call,
	 * as it would be with every call kept (the old one is gone by the
	 * next message) */
	sip_id z_call = call_named(f, "z@x")->id;
	sip_id z_again = req(&z, 900000, true, "OPTIONS", 2, "z9hG4bKz2", NULL);
	g_assert_cmpuint(msg_of(f, z_again)->call, !=, z_call);
	rsp(&z, 900010, true, 200, "OPTIONS", 2, "z9hG4bKz2", "tz");
	g_assert_null(sip_model_call_find(f->m, sv_from_cstr("c@x")));
	g_assert_null(sip_model_call(f->m, z_call));
	g_assert_cmpuint(sip_model_forgotten(f->m)->calls, ==, 5);
	g_assert_nonnull(sip_model_call_find(f->m, sv_from_cstr("e@x")));
	g_assert_nonnull(sip_model_call_find(f->m, sv_from_cstr("r@x")));
	sip_model_finish(f->m, at(f, 1000000));
	/* e was never answered: judged at the end, as without forgetting */
	g_assert_cmpint(call_named(f, "e@x")->state, ==, CALL_STATE_NO_ANSWER);
	log_free(log);
	flow_free(f);
}

/* The Call-ID a keep predicate names. */
static bool keep_call_id(void *user, const sip_model *m, sip_id call)
{
	const sip_call *c = sip_model_call(m, call);
	return c && sv_eq(c->call_id, sv_from_cstr(user));
}

/* sip_model_set_keep: of two finished calls, the one kept stays to the
 * end, whole, while the other goes; it is asked again after each new
 * message.  Only before the first message. */
static void test_forget_keep(void)
{
	flow *f = flow_new();
	sip_limits l = { .forget_finished = true };
	g_assert_true(sip_model_set_limits(f->m, &l));
	g_assert_true(sip_model_set_keep(f->m, keep_call_id, (void *)"k@x"));
	evict_log *log = log_new(f);
	ua_call a = ua_call_make(f, "a@x"), k = ua_call_make(f, "k@x"), z = ua_call_make(f, "z@x");
	req(&a, 0, true, "OPTIONS", 1, "z9hG4bKa1", NULL);
	rsp(&a, 10, true, 200, "OPTIONS", 1, "z9hG4bKa1", "ta");
	sip_id k_inv = req(&k, 20, true, "INVITE", 1, "z9hG4bKk1", NULL);
	rsp(&k, 100, true, 486, "INVITE", 1, "z9hG4bKk1", "tk");
	req(&k, 110, true, "ACK", 1, "z9hG4bKk1", "tk");
	req(&z, 400000, true, "OPTIONS", 1, "z9hG4bKz1", NULL);
	rsp(&z, 400010, true, 200, "OPTIONS", 1, "z9hG4bKz1", "tz");
	g_assert_cmpuint(log->calls->len, ==, 1);
	g_assert_null(sip_model_call_find(f->m, sv_from_cstr("a@x")));
	const sip_call *kc = call_named(f, "k@x");
	g_assert_cmpuint(kc->messages->len, ==, 3);
	g_assert_nonnull(sip_model_message(f->m, k_inv));
	/* its Call-ID again, after more than five minutes finished and
	 * quiet: a new call, as without keeping (or forgetting), and kept
	 * too; the first stays as it was */
	sip_id k_call = kc->id;
	sip_id k_again = req(&k, 500000, true, "OPTIONS", 2, "z9hG4bKk2", NULL);
	rsp(&k, 500010, true, 200, "OPTIONS", 2, "z9hG4bKk2", "tk");
	sip_id k2_call = msg_of(f, k_again)->call;
	g_assert_cmpuint(k2_call, !=, k_call);
	req(&z, 900000, true, "OPTIONS", 2, "z9hG4bKz2", NULL);
	rsp(&z, 900010, true, 200, "OPTIONS", 2, "z9hG4bKz2", "tz");
	g_assert_cmpuint(sip_model_call(f->m, k_call)->messages->len, ==, 3);
	g_assert_cmpuint(sip_model_call(f->m, k2_call)->messages->len, ==, 2);
	/* a, then the first z (its Call-ID came back as well) */
	g_assert_cmpuint(sip_model_forgotten(f->m)->calls, ==, 2);
	g_assert_false(sip_model_set_keep(f->m, NULL, NULL));
	sip_model_finish(f->m, at(f, 1000000));
	g_assert_cmpint(sip_model_call(f->m, k_call)->state, ==, CALL_STATE_BUSY);
	log_free(log);
	flow_free(f);
}

/* What one message became: its call, transaction, dialog. */
typedef struct placed {
	sip_id call, txn, dialog;
	bool retransmission;
} placed;

static void place(flow *f, sip_id id, GArray *out)
{
	const sip_message *x = msg_of(f, id);
	placed p = { x->call, x->txn, x->dialog, x->retransmission };
	g_array_append_val(out, p);
}

/* b and c placed every message as a did. */
static void assert_placed_alike(const GArray *a, const GArray *b, const GArray *c)
{
	g_assert_cmpuint(a->len, ==, b->len);
	g_assert_cmpuint(a->len, ==, c->len);
	for (guint i = 0; i < a->len; i++) {
		const placed *p = &g_array_index(a, placed, i);
		const placed *others[] = { &g_array_index(b, placed, i), &g_array_index(c, placed, i) };
		for (unsigned k = 0; k < G_N_ELEMENTS(others); k++) {
			const placed *q = others[k];
			g_assert_cmpuint(p->call, ==, q->call);
			g_assert_cmpuint(p->txn, ==, q->txn);
			g_assert_cmpuint(p->dialog, ==, q->dialog);
			g_assert_cmpint(p->retransmission, ==, q->retransmission);
		}
	}
}

typedef void (*script_fn)(flow *f, GArray *out, bool compact);
static void on_shed(void *user, const sip_model *m, sip_event ev, sip_id call);

/* The script run with every call kept (fl[0]), forgetting finished calls
 * (fl[1], whose sheds go to shed unless NULL), and compacted on the way
 * (fl[2]); pl[k]: where fl[k] placed each message, the same for all. */
static void run_three(script_fn script, GArray *shed, flow *fl[3], GArray *pl[3])
{
	for (int k = 0; k < 3; k++) {
		fl[k] = flow_new();
		pl[k] = g_array_new(FALSE, FALSE, sizeof(placed));
	}
	sip_limits l = { .forget_finished = true };
	g_assert_true(sip_model_set_limits(fl[1]->m, &l));
	if (shed)
		sip_model_tap_add(fl[1]->m, SIP_EV_SHED, on_shed, shed);
	for (int k = 0; k < 3; k++)
		script(fl[k], pl[k], k == 2);
	assert_placed_alike(pl[0], pl[1], pl[2]);
}

static void three_free(flow *fl[3], GArray *pl[3])
{
	for (int k = 0; k < 3; k++) {
		flow_free(fl[k]);
		g_array_free(pl[k], TRUE);
	}
}

/* A Call-ID used again long after its call ended, with the branch of its
 * old INVITE, and named by another call's X-Call-ID in between. */
static void reuse_script(flow *f, GArray *out, bool compact)
{
	ua_call x = ua_call_make(f, "x@x"), y = ua_call_make(f, "y@x"),
		w = ua_call_make(f, "w@x"), v = ua_call_make(f, "v@x");
	place(f, req(&x, 0, true, "INVITE", 1, "z9hG4bKx1", NULL), out);
	place(f, rsp(&x, 10, true, 486, "INVITE", 1, "z9hG4bKx1", "tx"), out);
	place(f, req(&x, 20, true, "ACK", 1, "z9hG4bKx1", "tx"), out);
	place(f, req_x(&y, 1000, true, "OPTIONS", 1, "z9hG4bKy1", NULL, "X-Call-ID: x@x\n"), out);
	place(f, rsp(&y, 1010, true, 200, "OPTIONS", 1, "z9hG4bKy1", "ty"), out);
	place(f, req(&w, 400000, true, "OPTIONS", 1, "z9hG4bKw1", NULL), out);
	place(f, rsp(&w, 400010, true, 200, "OPTIONS", 1, "z9hG4bKw1", "tw"), out);
	/* names x once x is over: it waits for the next x */
	place(f, req_x(&v, 401000, true, "OPTIONS", 1, "z9hG4bKv1", NULL, "X-Call-ID: x@x\n"), out);
	place(f, rsp(&v, 401010, true, 200, "OPTIONS", 1, "z9hG4bKv1", "tv"), out);
	/* x again, the same branch and tags: not a retransmission (and
	 * not after the indexes were rebuilt from every record either) */
	if (compact)
		sip_model_compact(f->m);
	place(f, req(&x, 402000, true, "INVITE", 1, "z9hG4bKx1", NULL), out);
	place(f, rsp(&x, 402010, true, 486, "INVITE", 1, "z9hG4bKx1", "tx"), out);
	place(f, req(&x, 402020, true, "ACK", 1, "z9hG4bKx1", "tx"), out);
	sip_model_finish(f->m, at(f, 500000));
}

static bool related_has(const sip_call *c, const char *name)
{
	for (guint i = 0; i < c->related->len; i++)
		if (strcmp(g_ptr_array_index(c->related, i), name) == 0)
			return true;
	return false;
}

/* Forgetting finished calls changes nothing about the calls: a Call-ID
 * back after its call was finished and quiet for five minutes starts a
 * new call with every call kept as well, whose transactions and dialogs
 * are new, and related-call headers link it as they would a forgotten
 * one.  Every message lands in the same call, transaction and dialog
 * either way. */
static void test_forget_same_calls(void)
{
	flow *fl[3];
	GArray *pl[3];
	run_three(reuse_script, NULL, fl, pl);
	flow *kept = fl[0], *forgetting = fl[1];
	const GArray *a = pl[0];
	g_assert_cmpuint(sip_model_call_count(kept->m), ==, 5);
	g_assert_cmpuint(sip_model_call_count(forgetting->m), ==, 5);
	const placed *first = &g_array_index(a, placed, 0), *again = &g_array_index(a, placed, 9);
	g_assert_cmpuint(first->call, !=, again->call);
	g_assert_cmpuint(first->txn, !=, again->txn);
	g_assert_false(again->retransmission);
	/* kept: the first x as it was, linked to y only; v to the second */
	const sip_call *x1 = sip_model_call(kept->m, first->call);
	g_assert_cmpuint(x1->messages->len, ==, 3);
	g_assert_true(related_has(x1, "y@x"));
	g_assert_false(related_has(x1, "v@x"));
	g_assert_true(related_has(sip_model_call(kept->m, again->call), "v@x"));
	g_assert_true(related_has(sip_model_call(forgetting->m, again->call), "v@x"));
	g_assert_cmpint(sip_model_call(kept->m, again->call)->state, ==, CALL_STATE_BUSY);
	g_assert_cmpint(sip_model_call(forgetting->m, again->call)->state, ==, CALL_STATE_BUSY);
	three_free(fl, pl);
}

static void on_shed(void *user, const sip_model *m, sip_event ev, sip_id call)
{
	GArray *shed = user;   /* message ids shed, each listed once */
	g_assert_cmpuint(ev, ==, SIP_EV_SHED);
	g_assert_nonnull(sip_model_call(m, call));
	const sip_ids *msgs, *txns, *dialogs;
	sip_model_evicting(m, &msgs, &txns, &dialogs);
	g_assert_cmpuint(dialogs->len, ==, 0);
	for (guint i = 0; i < txns->len; i++) {
		const sip_txn *t = sip_model_txn(m, txns->data[i]);
		g_assert_nonnull(t);
		g_assert_true(t->over);
		g_assert_cmpuint(t->call, ==, call);
	}
	for (guint i = 0; i < msgs->len; i++) {
		g_assert_nonnull(sip_model_message(m, msgs->data[i]));
		g_array_append_val(shed, msgs->data[i]);
	}
}

/* A UA's REGISTER Call-ID: a refresh every 400 s, each challenged first,
 * with OPTIONS from elsewhere between them (the model's clock); at the
 * end its first REGISTER again, branch and all, and one last REGISTER
 * that gets no answer. */
static void register_script(flow *f, GArray *out, bool compact)
{
	ua_call r = ua_call_make(f, "r@x");
	char branch[32], zid[32];
	for (unsigned k = 0; k < 4; k++) {
		int64_t t = (int64_t)k * 400000;
		g_snprintf(branch, sizeof(branch), "z9hG4bKr%u", 2 * k + 1);
		place(f, req(&r, t, true, "REGISTER", 2 * k + 1, branch, NULL), out);
		place(f, rsp(&r, t + 10, true, 401, "REGISTER", 2 * k + 1, branch, "tr"), out);
		g_snprintf(branch, sizeof(branch), "z9hG4bKr%u", 2 * k + 2);
		place(f, req(&r, t + 20, true, "REGISTER", 2 * k + 2, branch, NULL), out);
		place(f, rsp(&r, t + 30, true, 200, "REGISTER", 2 * k + 2, branch, "tr"), out);
		place(f, rsp(&r, t + 1000, true, 200, "REGISTER", 2 * k + 2, branch, "tr"), out);
		g_snprintf(zid, sizeof(zid), "z%u@x", k);
		ua_call z = ua_call_make(f, zid);
		place(f, req(&z, t + 350000, true, "OPTIONS", 1, "z9hG4bKz1", NULL), out);
		place(f, rsp(&z, t + 350010, true, 200, "OPTIONS", 1, "z9hG4bKz1", "tz"), out);
	}
	if (compact)
		sip_model_compact(f->m);
	place(f, req(&r, 1700000, true, "REGISTER", 1, "z9hG4bKr1", NULL), out);
	place(f, req(&r, 1700100, true, "REGISTER", 9, "z9hG4bKr9", NULL), out);
}

/* forget_finished without forget_registers: a REGISTER Call-ID stays one
 * call, but once it is quiet and all its transactions answered, they are
 * over for good in every mode, and the forgetting model sheds them with
 * their messages (SIP_EV_SHED), all but what is read of the call at the
 * end: its newest answer.  Every message lands where it does with every
 * call kept. */
static void test_shed_registers(void)
{
	g_autoptr(GArray) shed = g_array_new(FALSE, FALSE, sizeof(sip_id));
	flow *fl[3];
	GArray *pl[3];
	run_three(register_script, shed, fl, pl);
	flow *kept = fl[0], *forgetting = fl[1];
	const GArray *a = pl[0], *b = pl[1];
	/* the 200 sent again is a retransmission; the first REGISTER again,
	 * 1,700 s later, a new transaction of the same call */
	g_assert_true(g_array_index(a, placed, 4).retransmission);
	const placed *first = &g_array_index(a, placed, 0), *again = &g_array_index(a, placed, 28);
	g_assert_cmpuint(first->call, ==, again->call);
	g_assert_cmpuint(first->txn, !=, again->txn);
	g_assert_false(again->retransmission);
	g_assert_true(sip_model_txn(kept->m, first->txn)->over);

	/* shed: the first three refreshes but their last 200 with its
	 * transaction's request, then the fourth but its own */
	const sip_call *r = call_named(forgetting, "r@x");
	g_assert_cmpuint(r->messages->len, ==, 22);
	g_assert_cmpuint(r->txns->len, ==, 10);
	g_assert_cmpuint(shed->len, ==, 17);
	guint held = 0, txns = 0;
	for (guint i = 0; i < r->messages->len; i++)
		held += sip_model_message(forgetting->m, g_array_index(r->messages, sip_id, i)) != NULL;
	for (guint i = 0; i < r->txns->len; i++)
		txns += sip_model_txn(forgetting->m, g_array_index(r->txns, sip_id, i)) != NULL;
	g_assert_cmpuint(held, ==, 5);
	g_assert_cmpuint(txns, ==, 3);
	/* the newest answer and the transaction it closed stay readable */
	const placed *last200 = &g_array_index(b, placed, 24);
	const sip_txn *kt = sip_model_txn(forgetting->m, last200->txn);
	g_assert_nonnull(kt);
	g_assert_cmpuint(kt->final_status, ==, 200);
	g_assert_nonnull(sip_model_message(forgetting->m, kt->request));
	g_assert_nonnull(sip_model_message(forgetting->m, kt->final));
	/* with the first three OPTIONS calls (the last is not quiet yet) */
	g_assert_cmpuint(sip_model_forgotten(forgetting->m)->messages, ==, 17 + 3 * 2);
	g_assert_cmpuint(sip_model_forgotten(forgetting->m)->txns, ==, 7 + 3);
	/* still one call, which a refresh keeps finding */
	g_assert_cmpuint(sip_model_call_count(forgetting->m), ==, sip_model_call_count(kept->m));
	g_assert_nonnull(sip_model_call_find(forgetting->m, sv_from_cstr("r@x")));
	sip_model_finish(forgetting->m, at(forgetting, 3000000));
	sip_model_finish(kept->m, at(kept, 3000000));
	g_assert_cmpint(call_named(forgetting, "r@x")->state, ==, CALL_STATE_NOT_A_CALL);
	three_free(fl, pl);
}

/* A REGISTER Call-ID refreshing all day (challenged each time) while a
 * prober's OPTIONS come between the refreshes (the clock moves on), where
 * finished calls are forgotten: what each refresh's transactions copied
 * goes with them when the call sheds them, so the call's own memory is
 * the same after the second refresh as after the last, and it holds the
 * same few records.  With every call kept, each refresh retires those
 * before it (over for good), and only those. */
static void test_register_stays_small(void)
{
	flow *f = flow_new(), *kept = flow_new();
	sip_limits l = { .forget_finished = true };
	g_assert_true(sip_model_set_limits(f->m, &l));
	ua_call r = ua_call_make(f, "r@x"), rk = ua_call_make(kept, "r@x");
	char branch[64], zid[32];
	size_t bytes_second = 0;
	enum { REFRESHES = 216 };   /* one every 400 s: a day */
	for (unsigned k = 0; k < REFRESHES; k++) {
		int64_t t = (int64_t)k * 400000;
		/* long branches: copies that would show */
		for (int w = 0; w < 2; w++) {
			ua_call *u = w ? &rk : &r;
			g_snprintf(branch, sizeof(branch), "z9hG4bK-refresh-%u-of-a-long-day", 2 * k + 1);
			req(u, t, true, "REGISTER", 2 * k + 1, branch, NULL);
			rsp(u, t + 10, true, 401, "REGISTER", 2 * k + 1, branch, "tr");
			g_snprintf(branch, sizeof(branch), "z9hG4bK-refresh-%u-of-a-long-day", 2 * k + 2);
			req(u, t + 20, true, "REGISTER", 2 * k + 2, branch, NULL);
			rsp(u, t + 30, true, 200, "REGISTER", 2 * k + 2, branch, "tr");
		}
		/* with every call kept, the refreshes before this one are over
		 * for good (retired as this one began), this one is not */
		const sip_call *ck = call_named(kept, "r@x");
		g_assert_cmpuint(ck->txns->len, ==, 2 * (k + 1));
		for (guint i = 0; i < ck->txns->len; i++)
			g_assert_cmpint(sip_model_txn(kept->m, g_array_index(ck->txns, sip_id, i))->over,
					==, i + 2 < ck->txns->len);
		const sip_call *c = call_named(f, "r@x");
		size_t bytes = sip_model_call_bytes(f->m, c->id);
		g_assert_cmpuint(bytes, >, 0);
		if (k == 1)
			bytes_second = bytes;
		else if (k > 1)
			g_assert_cmpuint(bytes, ==, bytes_second);
		/* the newest answered refresh before this one, this one, and
		 * the OPTIONS call before it (quiet for less than five minutes) */
		g_assert_cmpuint(sip_model_messages_held(f->m), <=, 2 + 4 + 2);
		g_assert_cmpuint(c->txns->len, ==, 2 * (k + 1));
		g_snprintf(zid, sizeof(zid), "z%u@x", k);
		ua_call z = ua_call_make(f, zid);
		req(&z, t + 350000, true, "OPTIONS", 1, "z9hG4bKz1", NULL);
		rsp(&z, t + 350010, true, 200, "OPTIONS", 1, "z9hG4bKz1", "tz");
	}
	/* every REGISTER transaction but the newest answered one, and every
	 * OPTIONS call but the last */
	g_assert_cmpuint(sip_model_forgotten(f->m)->txns, ==, (2 * REFRESHES - 1) + (REFRESHES - 1));
	g_assert_nonnull(call_named(f, "r@x"));
	flow_free(f);
	flow_free(kept);
}

/* The same UA alone: nothing but its own next refresh tells that the
 * call fell quiet, and that is enough (call_gone sheds it then). */
static void test_register_alone_sheds(void)
{
	flow *f = flow_new();
	sip_limits l = { .forget_finished = true };
	g_assert_true(sip_model_set_limits(f->m, &l));
	ua_call r = ua_call_make(f, "r@x");
	char branch[64];
	size_t bytes_second = 0;
	enum { REFRESHES = 216 };
	for (unsigned k = 0; k < REFRESHES; k++) {
		int64_t t = (int64_t)k * 400000;
		g_snprintf(branch, sizeof(branch), "z9hG4bK-refresh-%u-of-a-long-day", 2 * k + 1);
		req(&r, t, true, "REGISTER", 2 * k + 1, branch, NULL);
		rsp(&r, t + 10, true, 401, "REGISTER", 2 * k + 1, branch, "tr");
		g_snprintf(branch, sizeof(branch), "z9hG4bK-refresh-%u-of-a-long-day", 2 * k + 2);
		req(&r, t + 20, true, "REGISTER", 2 * k + 2, branch, NULL);
		rsp(&r, t + 30, true, 200, "REGISTER", 2 * k + 2, branch, "tr");
		const sip_call *c = call_named(f, "r@x");
		size_t bytes = sip_model_call_bytes(f->m, c->id);
		if (k == 1)
			bytes_second = bytes;
		else if (k > 1)
			g_assert_cmpuint(bytes, ==, bytes_second);
		/* the newest answered refresh before this one, and this one */
		g_assert_cmpuint(sip_model_messages_held(f->m), <=, 2 + 4);
		g_assert_cmpuint(c->txns->len, ==, 2 * (k + 1));
		g_assert_cmpuint(sip_model_forgotten(f->m)->txns, ==, k ? 2 * k - 1 : 0);
	}
	g_assert_cmpuint(sip_model_call_count(f->m), ==, 1);
	flow_free(f);
}

/* Events in the order the taps hear them. */
static void log_event(void *user, const sip_model *m, sip_event ev, sip_id id)
{
	(void)m;
	(void)id;
	GArray *log = user;
	g_array_append_val(log, ev);
}

/* A quiet REGISTER call found by another call's message (X-Call-ID)
 * sheds then no more than it did before: a message's events all come
 * after it, its own first (they wait in the model's change lists while it
 * is processed). */
static void test_register_found_as_related(void)
{
	flow *f = flow_new();
	sip_limits l = { .forget_finished = true };
	g_assert_true(sip_model_set_limits(f->m, &l));
	g_autoptr(GArray) log = g_array_new(FALSE, FALSE, sizeof(sip_event));
	sip_model_tap_add(f->m, ~0u, log_event, log);
	ua_call r = ua_call_make(f, "r@x"), c = ua_call_make(f, "c@x");
	for (unsigned k = 0; k < 3; k++) {
		g_autofree char *branch = g_strdup_printf("z9hG4bK-r%u", k);
		req(&r, (int64_t)k * 400000, true, "REGISTER", k + 1, branch, NULL);
		rsp(&r, (int64_t)k * 400000 + 10, true, 200, "REGISTER", k + 1, branch, "tr");
	}
	/* r is quiet; this message names it, and is the first to come */
	g_array_set_size(log, 0);
	req_x(&c, 1200000, true, "INVITE", 1, "z9hG4bK-c1", NULL, "X-Call-ID: r@x\n");
	g_assert_cmpuint(log->len, >, 0);
	g_assert_cmpint(g_array_index(log, sip_event, 0), ==, SIP_EV_MESSAGE);
	for (guint i = 0; i < log->len; i++)
		g_assert_cmpint(g_array_index(log, sip_event, i), !=, SIP_EV_SHED);
	g_assert_cmpuint(call_named(f, "c@x")->related->len, ==, 1);
	flow_free(f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/model/limits/evict-lru", test_evict_lru);
	g_test_add_func("/model/limits/evict-dialog", test_evict_dialog);
	g_test_add_func("/model/limits/max-messages", test_max_messages);
	g_test_add_func("/model/limits/groups", test_groups);
	g_test_add_func("/model/limits/churn", test_churn);
	g_test_add_func("/model/limits/set", test_set_limits);
	g_test_add_func("/model/limits/registrations", test_registrations);
	g_test_add_func("/model/limits/forget-finished", test_forget_finished);
	g_test_add_func("/model/limits/forget-keep", test_forget_keep);
	g_test_add_func("/model/limits/forget-same-calls", test_forget_same_calls);
	g_test_add_func("/model/limits/shed-registers", test_shed_registers);
	g_test_add_func("/model/limits/register-stays-small", test_register_stays_small);
	g_test_add_func("/model/limits/register-alone-sheds", test_register_alone_sheds);
	g_test_add_func("/model/limits/register-found-as-related", test_register_found_as_related);
	return g_test_run();
}
