/*
 * JSON model records: the pace callback of json_write_model_filled comes
 * once every JSON_PACE_RECORDS records written from the model, and the
 * records are the same with it or without it.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dissect/model.h"
#include "output/json_model.h"
#include "output/sink.h"

#include "support/model_flow.h"

static void count_pace(void *user)
{
	(*(unsigned *)user)++;
}

/* One of the writers below, into s. */
typedef struct writer {
	const sip_model *m;
	json_pace_fn pace;
	void *user;
	const sip_txn *txn;       /* json_write_txn of it, or with kept: */
	const sip_dialog *dialog; /* json_write_dialog of it, or with kept: */
	const sip_call *call;     /* json_write_call of it, or with kept: */
	const GString *kept;      /* these bytes, which write_kept must take */
	bool (*write_kept)(sink *s, sv kept);
} writer;

static void write_with(sink *s, const writer *w)
{
	if (w->kept)
		g_assert_true(w->write_kept(s, sv_make(w->kept->str, w->kept->len)));
	else if (w->txn)
		json_write_txn(s, w->m, w->txn);
	else if (w->dialog)
		json_write_dialog(s, w->m, w->dialog);
	else if (w->call)
		json_write_call(s, w->m, w->call);
	else
		json_write_model_filled(s, w->m, NULL, w->pace, w->user);
}

/* What a writer gives, as text. */
static GString *written_by(const writer *w)
{
	FILE *tmp = tmpfile();
	g_assert_nonnull(tmp);
	sink s;
	sink_init(&s, fileno(tmp), "temporary file");
	write_with(&s, w);
	g_assert_true(sink_finish(&s));
	GString *text = g_string_new(NULL);
	rewind(tmp);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
		g_string_append_len(text, buf, (gssize)n);
	fclose(tmp);
	return text;
}

static GString *written(const sip_model *m, json_pace_fn pace, void *user)
{
	writer w = { .m = m, .pace = pace, .user = user };
	return written_by(&w);
}

static void test_pace(void)
{
	flow *f = flow_new();
	for (int i = 0; i < 700; i++) {
		g_autofree char *cid = g_strdup_printf("pace-%d@x", i);
		g_autofree char *br = g_strdup_printf("z9hG4bKp%d", i);
		g_autofree char *br2 = g_strdup_printf("z9hG4bKq%d", i);
		ua_call c = ua_call_make(f, cid);
		int64_t t = i * 50;
		req(&c, t, true, "INVITE", 1, br, NULL);
		rsp(&c, t + 9, true, 200, "INVITE", 1, br, "tt");
		req(&c, t + 10, true, "ACK", 1, br2, "tt");
	}
	sip_model_finish(f->m, at(f, 100000));
	guint records = sip_model_txn_count(f->m) + sip_model_dialog_count(f->m) +
		sip_model_call_count(f->m) + sip_model_registration_count(f->m);
	g_assert_cmpuint(records, ==, 700 * 4);

	unsigned paces = 0;
	g_autoptr(GString) paced = written(f->m, count_pace, &paces);
	g_assert_cmpuint(paces, ==, records / JSON_PACE_RECORDS);
	g_autoptr(GString) plain = written(f->m, NULL, NULL);
	g_assert_cmpuint(plain->len, >, 0);
	g_assert_cmpuint(paced->len, ==, plain->len);
	g_assert_true(memcmp(paced->str, plain->str, plain->len) == 0);
	flow_free(f);
}

/* now's record, and the one write_kept makes of kept (the bytes the
 * json_keep_ function made of the same object): the same, a record of
 * type, from fewer bytes; those bytes cut short, to less than their
 * fixed part, or one byte too long are refused.  kept gets a byte more. */
static void check_kept(const writer *now, GString *kept, bool (*write_kept)(sink *, sv),
		       const char *type)
{
	writer later = { .kept = kept, .write_kept = write_kept };
	g_autoptr(GString) want = written_by(now);
	g_autofree char *typed = g_strdup_printf("\"type\":\"%s\"", type);
	g_assert_nonnull(strstr(want->str, typed));
	g_assert_cmpuint(kept->len, <, want->len);
	g_autoptr(GString) got = written_by(&later);
	g_assert_cmpstr(got->str, ==, want->str);

	sink s;
	sink_init(&s, STDOUT_FILENO, "standard output");
	g_assert_false(write_kept(&s, sv_make(kept->str, kept->len - 1)));
	g_assert_false(write_kept(&s, sv_make(kept->str, 8)));
	g_string_append_c(kept, 'x');
	g_assert_false(write_kept(&s, sv_make(kept->str, kept->len)));
	g_assert_cmpuint(s.buf->len, ==, 0);
	sink_finish(&s);
}

/* A transaction whose call is forgotten waits as the bytes json_keep_txn
 * makes: written from them at the end, its record is what json_write_txn
 * gives (with the model's messages still there); bytes that are not what
 * it makes are refused. */
static void test_kept_txn(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "kept@x"), r = ua_call_make(f, "reg@x");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKk1", NULL);
	rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKk1", "tk");
	rsp(&c, 20, true, 486, "INVITE", 1, "z9hG4bKk1", "tk");
	req(&c, 30, true, "ACK", 1, "z9hG4bKk1", "tk");
	req(&r, 40, true, "REGISTER", 1, "z9hG4bKr1", NULL);
	rsp(&r, 50, true, 401, "REGISTER", 1, "z9hG4bKr1", "tr");
	rsp(&r, 60, true, 200, "REGISTER", 2, "z9hG4bKr2", "tr");   /* its request not seen */
	req(&r, 70, true, "FOO", 3, "old-branch", NULL);            /* RFC 2543, unknown method */
	sip_model_finish(f->m, at(f, 100000));
	g_assert_cmpuint(sip_model_txn_count(f->m), ==, 4);
	g_autoptr(GString) kept = g_string_new(NULL);
	for (sip_id i = 0; i < sip_model_txn_count(f->m); i++) {
		const sip_txn *t = sip_model_txn(f->m, i);
		writer now = { .m = f->m, .txn = t };
		g_string_truncate(kept, 0);
		json_keep_txn(kept, f->m, t);
		check_kept(&now, kept, json_write_kept_txn, "transaction");
	}
	flow_free(f);
}

/* The same for dialogs (json_keep_dialog): an early one ended by the
 * other fork's answer, the answered one with a route set, ended by BYE,
 * and one met midway (no creating request, so no created_by). */
static void test_kept_dialog(void)
{
	flow *f = flow_new();
	ua_call c = ua_call_make(f, "kept-dlg@x"), w = ua_call_make(f, "midway@x");
	req(&c, 0, true, "INVITE", 1, "z9hG4bKd1", NULL);
	rsp(&c, 10, true, 180, "INVITE", 1, "z9hG4bKd1", "early");
	rsp_x(&c, 20, true, 180, "INVITE", 1, "z9hG4bKd1", "won",
		"Record-Route: <sip:p2.example;lr>, <sip:p1.example;lr>\n");
	rsp_x(&c, 30, true, 200, "INVITE", 1, "z9hG4bKd1", "won",
		"Record-Route: <sip:p3.example;lr>\n");
	req(&c, 40, true, "ACK", 1, "z9hG4bKd2", "won");
	req(&c, 5000, false, "BYE", 1, "z9hG4bKd3", "won");
	rsp(&c, 5010, false, 200, "BYE", 1, "z9hG4bKd3", "won");
	req(&w, 6000, true, "BYE", 7, "z9hG4bKw1", "bw");
	rsp(&w, 6010, true, 200, "BYE", 7, "z9hG4bKw1", "bw");
	sip_model_finish(f->m, at(f, 100000));
	g_assert_cmpuint(sip_model_dialog_count(f->m), ==, 3);
	g_autoptr(GString) kept = g_string_new(NULL);
	for (sip_id i = 0; i < sip_model_dialog_count(f->m); i++) {
		const sip_dialog *d = sip_model_dialog(f->m, i);
		writer now = { .m = f->m, .dialog = d };
		g_string_truncate(kept, 0);
		json_keep_dialog(kept, f->m, d);
		check_kept(&now, kept, json_write_kept_dialog, "dialog");
	}
	/* what the three say: ended by the other fork, by BYE, met midway */
	g_assert_cmpstr(dlg_end_name((dlg_end)sip_model_dialog(f->m, 0)->end), ==,
			"other fork answered");
	const sip_dialog *won = sip_model_dialog(f->m, 1);
	g_assert_cmpstr(sip_dialog_end_reason(won), ==, "BYE");
	g_assert_nonnull(won->route_set.p);
	g_assert_true(sip_model_dialog(f->m, 2)->midway);
	flow_free(f);
}

/* The same for calls (json_keep_call): one answered and ended by the
 * callee, which names another call in X-Call-ID (related both ways), one
 * busy, and one of REGISTER alone (a null ender, no dialogs). */
static void test_kept_call(void)
{
	flow *f = flow_new();
	ua_call a = ua_call_make(f, "kept-call@x"), b = ua_call_make(f, "busy@x"),
		r = ua_call_make(f, "reg@x");
	req(&b, 0, true, "INVITE", 1, "z9hG4bKb1", NULL);
	rsp(&b, 10, true, 486, "INVITE", 1, "z9hG4bKb1", "tb");
	req(&b, 20, true, "ACK", 1, "z9hG4bKb1", "tb");
	req_x(&a, 100, true, "INVITE", 1, "z9hG4bKa1", NULL, "X-Call-ID: busy@x\n");
	rsp(&a, 110, true, 180, "INVITE", 1, "z9hG4bKa1", "ta");
	rsp(&a, 200, true, 200, "INVITE", 1, "z9hG4bKa1", "ta");
	req(&a, 210, true, "ACK", 1, "z9hG4bKa2", "ta");
	req(&a, 5000, false, "BYE", 1, "z9hG4bKa3", "ta");
	rsp(&a, 5010, false, 200, "BYE", 1, "z9hG4bKa3", "ta");
	req(&r, 6000, true, "REGISTER", 1, "z9hG4bKr1", NULL);
	rsp(&r, 6010, true, 200, "REGISTER", 1, "z9hG4bKr1", "tr");
	sip_model_finish(f->m, at(f, 100000));
	g_assert_cmpuint(sip_model_call_count(f->m), ==, 3);
	g_autoptr(GString) kept = g_string_new(NULL);
	for (sip_id i = 0; i < sip_model_call_count(f->m); i++) {
		const sip_call *c = sip_model_call(f->m, i);
		writer now = { .m = f->m, .call = c };
		g_string_truncate(kept, 0);
		json_keep_call(kept, f->m, c);
		check_kept(&now, kept, json_write_kept_call, "call");
	}
	/* what the three are: busy, answered and related, REGISTER */
	const sip_call *busy = sip_model_call(f->m, 0), *ans = sip_model_call(f->m, 1),
		       *reg = sip_model_call(f->m, 2);
	g_assert_cmpint(busy->state, ==, CALL_STATE_BUSY);
	g_assert_cmpuint(busy->related->len, ==, 1);
	g_assert_cmpint(ans->state, ==, CALL_STATE_ANSWERED);
	g_assert_cmpint(ans->ended_by, ==, CALL_END_CALLEE);
	g_assert_cmpuint(ans->related->len, ==, 1);
	g_assert_cmpuint(ans->dialogs->len, ==, 1);
	g_assert_cmpint(reg->state, ==, CALL_STATE_NOT_A_CALL);
	g_assert_cmpuint(reg->dialogs->len, ==, 0);
	flow_free(f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/json/model/pace", test_pace);
	g_test_add_func("/json/model/kept-txn", test_kept_txn);
	g_test_add_func("/json/model/kept-dialog", test_kept_dialog);
	g_test_add_func("/json/model/kept-call", test_kept_call);
	return g_test_run();
}
