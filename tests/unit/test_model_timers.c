/*
 * The model's timers as a setting (sip_model_set_timers): each flow is run
 * twice, with RFC 3261's values and with other ones, and the judgement
 * that rests on the timer must change with it — Timers B / F (64×T1),
 * H, I / K (T4), C, the end of an early dialog after another fork
 * answered, and the findings that wait 64×T1 or follow Timer A's
 * schedule.  The defaults must give what they always gave.
 */
#include <glib.h>
#include <string.h>

#include "dissect/findings.h"
#include "dissect/model.h"

#include "support/model_flow.h"

#define MS INT64_C(1000000)

/* A flow with its findings detector, on a model with these timers
 * (NULL: the defaults). */
typedef struct tflow {
	flow *f;
	findings *fd;
} tflow;

static tflow tf_new(const sip_timers *tm)
{
	tflow x;
	x.f = flow_new();
	if (tm)
		g_assert_true(sip_model_set_timers(x.f->m, tm));
	x.fd = findings_new(x.f->m);
	return x;
}

static void tf_finish(tflow *x, int64_t ms)
{
	sip_model_finish(x->f->m, at(x->f, ms));
	findings_finish(x->fd);
}

static void tf_free(tflow *x)
{
	findings_free(x->fd);
	flow_free(x->f);
}

static const finding *find_code(const findings *fd, const char *code)
{
	for (guint i = 0; i < findings_count(fd); i++) {
		const finding *x = findings_get(fd, i);
		if (strcmp(x->code, code) == 0)
			return x;
	}
	return NULL;
}

static void assert_summary_has(const finding *x, const char *part)
{
	g_assert_nonnull(x);
	if (!strstr(x->summary, part))
		g_error("summary of %s lacks \"%s\": %s", x->code, part, x->summary);
}

static sip_timers with_t1(int64_t ms)
{
	sip_timers t = SIP_TIMERS_DEFAULT;
	t.t1_ns = ms * MS;
	return t;
}

/* ---- the setting ---------------------------------------------------------- */

static void test_defaults_and_setter(void)
{
	flow *f = flow_new();
	const sip_timers *t = sip_model_timers(f->m);
	g_assert_cmpint(t->t1_ns, ==, 500 * MS);
	g_assert_cmpint(t->t2_ns, ==, 4000 * MS);
	g_assert_cmpint(t->t4_ns, ==, 5000 * MS);
	g_assert_cmpint(t->timer_c_ns, ==, 180000 * MS);
	g_assert_cmpint(sip_timers_64t1(t), ==, 32000 * MS);

	sip_timers bad = SIP_TIMERS_DEFAULT;
	bad.t1_ns = 0;
	g_assert_false(sip_model_set_timers(f->m, &bad));
	bad = SIP_TIMERS_DEFAULT;
	bad.timer_c_ns = SIP_TIMER_MAX_NS + 1;
	g_assert_false(sip_model_set_timers(f->m, &bad));
	bad = SIP_TIMERS_DEFAULT;
	bad.t4_ns = -1;
	g_assert_false(sip_model_set_timers(f->m, &bad));
	g_assert_cmpint(sip_model_timers(f->m)->t1_ns, ==, 500 * MS);

	sip_timers ok = with_t1(100);
	g_assert_true(sip_model_set_timers(f->m, &ok));
	g_assert_cmpint(sip_timers_64t1(sip_model_timers(f->m)), ==, 6400 * MS);

	/* once a message went in, the timers stay */
	ua_call c = ua_call_make(f, "fixed@a.example");
	req(&c, 0, true, "OPTIONS", 1, "z9hG4bKfx", NULL);
	sip_timers later = with_t1(200);
	g_assert_false(sip_model_set_timers(f->m, &later));
	g_assert_cmpint(sip_model_timers(f->m)->t1_ns, ==, 100 * MS);
	flow_free(f);
}

/* ---- Timers B / F ------------------------------------------------------------ */

/* An INVITE never answered, the capture ending 10 s later: within 64×T1
 * of the default (32 s), past it with T1 = 100 ms (6.4 s). */
static void unanswered_invite(tflow *x)
{
	ua_call c = ua_call_make(x->f, "unanswered@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKua", NULL);
	tf_finish(x, 10000);
}

static void test_timer_b(void)
{
	tflow x = tf_new(NULL);
	unanswered_invite(&x);
	const sip_txn *t = sip_model_txn(x.f->m, 0);
	g_assert_cmpint(t->end, ==, TXN_END_CAPTURE_ENDED);
	g_assert_cmpint(t->state, ==, TXN_STATE_CALLING);
	g_assert_cmpint(call_named(x.f, "unanswered@a.example")->state, ==, CALL_STATE_SETUP);
	g_assert_null(find_code(x.fd, "no-final-response"));
	tf_free(&x);

	sip_timers tm = with_t1(100);
	x = tf_new(&tm);
	unanswered_invite(&x);
	t = sip_model_txn(x.f->m, 0);
	g_assert_cmpint(t->end, ==, TXN_END_NO_FINAL);
	g_assert_cmpint(t->state, ==, TXN_STATE_TERMINATED);
	g_assert_cmpint(sip_txn_state_ts(x.f->m, t, TXN_STATE_TERMINATED), ==, at(x.f, 6400));
	g_assert_cmpint(call_named(x.f, "unanswered@a.example")->state, ==, CALL_STATE_NO_ANSWER);
	const finding *nf = find_code(x.fd, "no-final-response");
	assert_summary_has(nf, "got no final response within 6.4 s (Timer B, 64×T1)");
	g_assert_cmpint(nf->ts, ==, at(x.f, 6400));
	tf_free(&x);
}

/* Judged as messages go: a later message past 64×T1 ends the transaction
 * at once, before the capture ends. */
static void test_timer_f_as_messages_go(void)
{
	sip_timers tm = with_t1(100);
	tflow x = tf_new(&tm);
	ua_call c = ua_call_make(x.f, "tick@a.example");
	sip_id o1 = req(&c, 0, true, "OPTIONS", 1, "z9hG4bKt1", NULL);
	req(&c, 6399, true, "OPTIONS", 2, "z9hG4bKt2", NULL);
	g_assert_cmpint(txn_of(x.f, o1)->end, ==, TXN_END_NONE);
	req(&c, 6400, true, "OPTIONS", 3, "z9hG4bKt3", NULL);
	g_assert_cmpint(txn_of(x.f, o1)->end, ==, TXN_END_NO_FINAL);
	assert_summary_has(find_code(x.fd, "no-final-response"), "within 6.4 s (Timer F, 64×T1)");
	tf_free(&x);

	/* the same messages with the defaults: nothing ran out */
	x = tf_new(NULL);
	c = ua_call_make(x.f, "tick@a.example");
	o1 = req(&c, 0, true, "OPTIONS", 1, "z9hG4bKt1", NULL);
	req(&c, 6400, true, "OPTIONS", 3, "z9hG4bKt3", NULL);
	g_assert_cmpint(txn_of(x.f, o1)->end, ==, TXN_END_NONE);
	g_assert_null(find_code(x.fd, "no-final-response"));
	tf_free(&x);
}

/* ---- Timers H, I, K ----------------------------------------------------------- */

static void test_timer_h_and_t4(void)
{
	/* a 486 never ACKed, an OPTIONS answered: the capture ends 3 s later */
	for (int run = 0; run < 2; run++) {
		sip_timers tm = SIP_TIMERS_DEFAULT;
		tm.t1_ns = 40 * MS;      /* Timer H = 2.56 s */
		tm.t4_ns = 1000 * MS;    /* Timer K = 1 s */
		tflow x = tf_new(run ? &tm : NULL);
		ua_call c = ua_call_make(x.f, "busy@a.example");
		sip_id inv = req(&c, 0, true, "INVITE", 1, "z9hG4bKh", NULL);
		rsp(&c, 100, true, 486, "INVITE", 1, "z9hG4bKh", "bt");
		ua_call o = ua_call_make(x.f, "ping@a.example");
		sip_id opt = req(&o, 200, true, "OPTIONS", 1, "z9hG4bKk", NULL);
		rsp(&o, 300, true, 200, "OPTIONS", 1, "z9hG4bKk", "pt");
		tf_finish(&x, 3300);
		const sip_txn *ti = txn_of(x.f, inv), *to = txn_of(x.f, opt);
		if (!run) {
			g_assert_cmpint(ti->state, ==, TXN_STATE_COMPLETED);
			g_assert_cmpint(to->state, ==, TXN_STATE_COMPLETED);
			g_assert_null(find_code(x.fd, "non2xx-ack-missing"));
		} else {
			g_assert_cmpint(ti->state, ==, TXN_STATE_TERMINATED);
			g_assert_cmpint(sip_txn_state_ts(x.f->m, ti, TXN_STATE_TERMINATED), ==, at(x.f, 100 + 2560));
			g_assert_cmpint(to->state, ==, TXN_STATE_TERMINATED);
			g_assert_cmpint(sip_txn_state_ts(x.f->m, to, TXN_STATE_TERMINATED), ==, at(x.f, 300 + 1000));
			assert_summary_has(find_code(x.fd, "non2xx-ack-missing"),
				"no ACK within 2.56 s (Timer H)");
		}
		tf_free(&x);
	}
}

/* ---- Timer C -------------------------------------------------------------------- */

static void test_timer_c(void)
{
	for (int run = 0; run < 2; run++) {
		sip_timers tm = SIP_TIMERS_DEFAULT;
		tm.timer_c_ns = 60000 * MS;
		tflow x = tf_new(run ? &tm : NULL);
		ua_call c = ua_call_make(x.f, "ringing@a.example");
		sip_id inv = req(&c, 0, true, "INVITE", 1, "z9hG4bKc", NULL);
		rsp(&c, 100, true, 180, "INVITE", 1, "z9hG4bKc", "bt");
		tf_finish(&x, 100000);
		const sip_txn *t = txn_of(x.f, inv);
		if (!run) {
			g_assert_cmpint(t->end, ==, TXN_END_CAPTURE_ENDED);
			g_assert_null(find_code(x.fd, "no-final-response"));
		} else {
			g_assert_cmpint(t->end, ==, TXN_END_NO_FINAL);
			g_assert_cmpint(sip_txn_state_ts(x.f->m, t, TXN_STATE_TERMINATED), ==, at(x.f, 60100));
			assert_summary_has(find_code(x.fd, "no-final-response"),
				"within 1 minute of its last provisional response (Timer C)");
		}
		tf_free(&x);
	}

	/* the default's words, as they always were */
	tflow x = tf_new(NULL);
	ua_call c = ua_call_make(x.f, "ringing@a.example");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKc", NULL);
	rsp(&c, 100, true, 180, "INVITE", 1, "z9hG4bKc", "bt");
	tf_finish(&x, 181000);
	assert_summary_has(find_code(x.fd, "no-final-response"),
		"within 3 minutes of its last provisional response (Timer C)");
	tf_free(&x);
}

/* ---- dialogs and findings that wait 64×T1 ---------------------------------------- */

/* Forking: the early dialog of the fork that lost ends 64×T1 after the
 * other fork's 2xx. */
static void test_fork_end(void)
{
	for (int run = 0; run < 2; run++) {
		sip_timers tm = with_t1(100);
		tflow x = tf_new(run ? &tm : NULL);
		ua_call c = ua_call_make(x.f, "fork@a.example");
		req(&c, 0, true, "INVITE", 1, "z9hG4bKf", NULL);
		sip_id r1 = rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKf", "one");
		rsp(&c, 1000, true, 200, "INVITE", 1, "z9hG4bKf", "two");
		req(&c, 1010, true, "ACK", 1, "z9hG4bKfa", "two");
		tf_finish(&x, 10000);
		const sip_dialog *d1 = sip_model_dialog(x.f->m, msg_of(x.f, r1)->dialog);
		g_assert_nonnull(d1);
		if (!run) {
			g_assert_cmpint(d1->state, ==, DLG_STATE_EARLY);
		} else {
			g_assert_cmpint(d1->state, ==, DLG_STATE_TERMINATED);
			g_assert_cmpint(d1->terminated_ts, ==, at(x.f, 1000 + 6400));
			g_assert_cmpstr(sip_dialog_end_reason(d1), ==, "other fork answered");
		}
		tf_free(&x);
	}
}

/* A 2xx never ACKed: the detector waits 64×T1. */
static void test_ack_wait(void)
{
	for (int run = 0; run < 2; run++) {
		sip_timers tm = with_t1(100);
		tflow x = tf_new(run ? &tm : NULL);
		ua_call c = ua_call_make(x.f, "noack@a.example");
		req(&c, 0, true, "INVITE", 1, "z9hG4bKi", NULL);
		rsp(&c, 100, true, 200, "INVITE", 1, "z9hG4bKi", "bt");
		tf_finish(&x, 10000);
		const finding *am = find_code(x.fd, "ack-missing");
		if (!run) {
			g_assert_null(am);
		} else {
			assert_summary_has(am, "no ACK within 6.4 s (64×T1)");
			g_assert_cmpint(am->ts, ==, at(x.f, 100 + 6400));
		}
		tf_free(&x);
	}
}

/* Timer A's schedule: four INVITEs 0.1, 0.2 and 0.4 s apart follow it
 * exactly with T1 = 100 ms, and come far too fast for T1 = 500 ms. */
static void test_retransmission_schedule(void)
{
	static const int64_t when[] = { 0, 100, 300, 700 };
	for (int run = 0; run < 2; run++) {
		sip_timers tm = with_t1(100);
		tflow x = tf_new(run ? &tm : NULL);
		ua_call c = ua_call_make(x.f, "sched@a.example");
		for (size_t i = 0; i < G_N_ELEMENTS(when); i++)
			req(&c, when[i], true, "INVITE", 1, "z9hG4bKa", NULL);
		rsp(&c, 800, true, 486, "INVITE", 1, "z9hG4bKa", "bt");
		req(&c, 810, true, "ACK", 1, "z9hG4bKa", "bt");
		tf_finish(&x, 1000);
		const finding *st = find_code(x.fd, "retransmission-storm");
		if (!run)
			assert_summary_has(st, "beyond Timer A's schedule (at most 7 sends in 32 s, "
				"0.5 s apart then doubling)");
		else
			g_assert_null(st);
		tf_free(&x);
	}

	/* Timer E with T1 = 100 ms: 7 sends fit in 6.4 s (0.1 s doubling up
	 * to T2 = 4 s); the eighth is one too many however slow it comes */
	sip_timers tm = with_t1(100);
	tflow x = tf_new(&tm);
	ua_call c = ua_call_make(x.f, "opts@a.example");
	for (int i = 0; i < 8; i++)
		req(&c, i * 700, true, "OPTIONS", 1, "z9hG4bKo", NULL);
	assert_summary_has(find_code(x.fd, "retransmission-storm"),
		"beyond Timer E's schedule (at most 7 sends in 6.4 s, 0.1 s apart doubling up to 4 s)");
	tf_free(&x);

	/* the default's words */
	x = tf_new(NULL);
	c = ua_call_make(x.f, "opts@a.example");
	for (int i = 0; i < 8; i++)
		req(&c, i * 50, true, "OPTIONS", 1, "z9hG4bKo", NULL);
	assert_summary_has(find_code(x.fd, "retransmission-storm"),
		"beyond Timer E's schedule (at most 11 sends in 32 s, 0.5 s apart doubling up to 4 s)");
	tf_free(&x);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/model/timers/defaults-and-setter", test_defaults_and_setter);
	g_test_add_func("/model/timers/timer-b", test_timer_b);
	g_test_add_func("/model/timers/timer-f-as-messages-go", test_timer_f_as_messages_go);
	g_test_add_func("/model/timers/timer-h-and-t4", test_timer_h_and_t4);
	g_test_add_func("/model/timers/timer-c", test_timer_c);
	g_test_add_func("/model/timers/fork-end", test_fork_end);
	g_test_add_func("/model/timers/ack-wait", test_ack_wait);
	g_test_add_func("/model/timers/retransmission-schedule", test_retransmission_schedule);
	return g_test_run();
}
