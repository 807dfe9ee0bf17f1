/*
 * Reports of calls the model no longer holds (output/list.h,
 * output/check.h, output/spill.h): what a call had to say, kept aside as
 * it went, comes back in its place, and the list and the check report
 * read as they do with every call kept — column widths, a talk time still
 * running at the end of the capture, calls without a row.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dissect/findings.h"
#include "dissect/model.h"
#include "output/check.h"
#include "output/list.h"
#include "output/spill.h"

#include "support/model_flow.h"

/* The same traffic into a model that keeps every call and one that lets
 * calls go (one call held at a time, or finished calls forgotten): each
 * call it lets go has its row and its findings kept aside in a spill. */
typedef struct aside_run {
	flow *f;
	findings *found;
	spill *sp;
	list_aside aside;
	guint evicted;
} aside_run;

static void on_evict(void *user, const sip_model *m, sip_event ev, sip_id call)
{
	aside_run *r = user;
	(void)ev;
	const sip_call *c = sip_model_call(m, call);
	if (!c)
		return;
	r->evicted++;
	list_aside_call(r->sp, &r->aside, m, c);
	check_aside_call(r->sp, m, r->found, c);
	findings_forget_call(r->found, c->id);
}

typedef enum { KEEP, ONE_CALL, FORGET } aside_mode;

static void aside_run_init(aside_run *r, aside_mode mode)
{
	memset(r, 0, sizeof(*r));
	r->f = flow_new();
	if (mode != KEEP) {
		sip_limits l = { .max_calls = mode == ONE_CALL ? 1 : 0, .forget_finished = mode == FORGET };
		g_assert_true(sip_model_set_limits(r->f->m, &l));
		r->sp = spill_new("test");
		g_assert_nonnull(r->sp);
		sip_model_tap_add(r->f->m, SIP_EV_EVICT, on_evict, r);
	}
	r->found = findings_new(r->f->m);
}

static void aside_run_clear(aside_run *r)
{
	list_aside_clear(&r->aside);
	findings_free(r->found);
	spill_free(r->sp);
	flow_free(r->f);
}

/* Calls that end in every way a row shows, one after the other, each
 * starting `gap` ms after the one before: an answered call still up at
 * the end (its talk time runs to the end of the capture), a busy one with
 * a longer Call-ID and a branch without the RFC 3261 cookie (a finding),
 * an OPTIONS Call-ID, an answered one ended by BYE, one without a final
 * response (a finding), and an OPTIONS again.  Returns the time of the
 * last message. */
static int64_t traffic(flow *f, int64_t gap)
{
	ua_call a = ua_call_make(f, "up@x");
	req(&a, 0, true, "INVITE", 1, "z9hG4bKa1", NULL);
	rsp(&a, 100, true, 200, "INVITE", 1, "z9hG4bKa1", "ta");
	req(&a, 110, true, "ACK", 1, "z9hG4bKa2", "ta");

	int64_t t = gap;
	ua_call b = ua_call_make(f, "busy-with-a-longer-call-id@x");
	req(&b, t, true, "INVITE", 1, "b1", NULL);
	rsp(&b, t + 100, true, 486, "INVITE", 1, "b1", "tb");
	req(&b, t + 110, true, "ACK", 1, "b1", "tb");

	t += gap;
	ua_call o = ua_call_make(f, "options@x");
	req(&o, t, true, "OPTIONS", 1, "z9hG4bKo1", NULL);
	rsp(&o, t + 10, true, 200, "OPTIONS", 1, "z9hG4bKo1", "to");

	t += gap;
	ua_call d = ua_call_make(f, "done@x");
	req(&d, t, true, "INVITE", 1, "z9hG4bKd1", NULL);
	rsp(&d, t + 100, true, 200, "INVITE", 1, "z9hG4bKd1", "td");
	req(&d, t + 110, true, "ACK", 1, "z9hG4bKd2", "td");
	req(&d, t + 61000, true, "BYE", 2, "z9hG4bKd3", "td");
	rsp(&d, t + 61010, true, 200, "BYE", 2, "z9hG4bKd3", "td");

	t += gap + 61000;
	ua_call n = ua_call_make(f, "nothing@x");
	req(&n, t, true, "INVITE", 1, "z9hG4bKn1", NULL);

	t += gap;
	ua_call l = ua_call_make(f, "last@x");
	req(&l, t, true, "OPTIONS", 1, "z9hG4bKl1", NULL);
	rsp(&l, t + 10, true, 200, "OPTIONS", 1, "z9hG4bKl1", "tl");
	return t + 10;
}

/* What a writer put on a sink, as a string. */
typedef struct captured {
	FILE *file;
	sink s;
} captured;

static void captured_open(captured *c)
{
	c->file = tmpfile();
	g_assert_nonnull(c->file);
	sink_init(&c->s, fileno(c->file), "test");
}

static char *captured_take(captured *c)
{
	g_assert_true(sink_finish(&c->s));
	g_assert_cmpint(fseek(c->file, 0, SEEK_SET), ==, 0);
	GString *out = g_string_new(NULL);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), c->file)) > 0)
		g_string_append_len(out, buf, (gssize)n);
	fclose(c->file);
	return g_string_free(out, FALSE);
}

/* Runs the traffic kept and let go; the list and (when check) the check
 * report of both must be the same.  Returns how many calls were let go. */
static guint compare_reports(aside_mode mode, int64_t gap, bool check, char **list_out)
{
	aside_run keep, lim;
	aside_run_init(&keep, KEEP);
	aside_run_init(&lim, mode);
	traffic(keep.f, gap);
	int64_t last = traffic(lim.f, gap);
	int64_t end = at(keep.f, last + 20000);
	sip_model_finish(keep.f->m, end);
	sip_model_finish(lim.f->m, end);
	findings_finish(keep.found);
	findings_finish(lim.found);
	g_assert_cmpuint(sip_model_call_count(lim.f->m), ==, 6);
	g_assert_true(spill_flush(lim.sp));

	captured a, b;
	captured_open(&a);
	captured_open(&b);
	list_write(&a.s, keep.f->m, end);
	list_write_aside(&b.s, lim.f->m, end, &lim.aside, lim.sp);
	g_autofree char *want = captured_take(&a);
	g_autofree char *got = captured_take(&b);
	g_assert_cmpstr(got, ==, want);

	if (check) {
		captured_open(&a);
		captured_open(&b);
		bool err_keep = check_write(&a.s, keep.f->m, keep.found);
		bool err_lim = check_write_aside(&b.s, lim.f->m, lim.found, lim.sp);
		g_autofree char *want_check = captured_take(&a);
		g_autofree char *got_check = captured_take(&b);
		g_assert_cmpstr(got_check, ==, want_check);
		g_assert_cmpint(err_keep, ==, err_lim);
		/* a group of a call let go, and one of a call held */
		g_assert_nonnull(strstr(want_check, "Call 1: busy-with-a-longer-call-id@x"));
		g_assert_nonnull(strstr(want_check, "branch-no-cookie"));
		g_assert_nonnull(strstr(want_check, "Call 4: nothing@x"));
	}
	g_assert_null(spill_error(lim.sp));
	guint evicted = lim.evicted;
	*list_out = g_steal_pointer(&want);
	aside_run_clear(&keep);
	aside_run_clear(&lim);
	return evicted;
}

/* One call held at a time: every call but the last goes, the one still
 * up too, whose talk time is written at the end: from its answer at
 * 0.1 s to the end of the capture, 20 s after the last message (86.01 s). */
static void test_list_one_call(void)
{
	g_autofree char *list = NULL;
	g_assert_cmpuint(compare_reports(ONE_CALL, 1000, false, &list), ==, 5);
	g_assert_nonnull(strstr(list, ">1:25.910"));
	g_assert_nonnull(strstr(list, "busy 486"));
}

/* Finished calls forgotten after five quiet minutes, as --list and
 * --check run on a file: the busy call, the OPTIONS and the call ended by
 * BYE go; the call still up, the one without a final response and the
 * last stay. */
static void test_list_and_check_forgotten(void)
{
	g_autofree char *list = NULL;
	g_assert_cmpuint(compare_reports(FORGET, 400000, true, &list), ==, 3);
	g_assert_nonnull(strstr(list, "answered"));
}

/* Records come back by kind and id, whatever their order and size, the
 * ones still in the sink's buffer too; an id without one has none. */
static void test_spill_records(void)
{
	spill *sp = spill_new("test");
	g_assert_nonnull(sp);
	g_autoptr(GString) big = g_string_new(NULL);
	for (int i = 0; i < 100000; i++)
		g_string_append_c(big, (char)('a' + i % 26));
	spill_begin(sp);
	g_string_append(spill_sink(sp)->buf, "row seven");
	spill_end(sp, SPILL_LIST_ROW, 7);
	spill_begin(sp);
	spill_end(sp, SPILL_LIST_ROW, 8);   /* empty: not kept */
	spill_begin(sp);
	g_string_append_len(spill_sink(sp)->buf, big->str, (gssize)big->len);
	spill_end(sp, SPILL_CHECK_GROUP, 7);
	spill_begin(sp);
	g_string_append(spill_sink(sp)->buf, "row far away");
	spill_end(sp, SPILL_LIST_ROW, 200000);

	g_assert_true(spill_has(sp, SPILL_LIST_ROW, 7));
	g_assert_false(spill_has(sp, SPILL_LIST_ROW, 8));
	g_assert_false(spill_has(sp, SPILL_JSON_CALL, 7));
	g_autoptr(GString) out = g_string_new("> ");
	g_assert_true(spill_read(sp, SPILL_LIST_ROW, 200000, out));
	g_assert_cmpstr(out->str, ==, "> row far away");
	g_string_truncate(out, 0);
	g_assert_true(spill_read(sp, SPILL_CHECK_GROUP, 7, out));
	g_assert_true(g_string_equal(out, big));
	g_string_truncate(out, 0);
	g_assert_true(spill_read(sp, SPILL_LIST_ROW, 7, out));
	g_assert_cmpstr(out->str, ==, "row seven");
	g_assert_false(spill_read(sp, SPILL_LIST_ROW, 8, out));
	g_assert_false(spill_read(sp, SPILL_LIST_ROW, 65536 + 7, out));
	g_assert_cmpstr(out->str, ==, "row seven");
	g_assert_null(spill_error(sp));

	/* Written after the first reads: found beyond what was read back
	 * so far.  Then many reads, back to front, across the releases of
	 * what reading touched: each still comes back whole. */
	enum { MANY = 5000 };
	for (unsigned i = 0; i < MANY; i++) {
		spill_begin(sp);
		g_string_append_printf(spill_sink(sp)->buf, "call %u;", i);
		spill_end(sp, SPILL_JSON_CALL, i);
	}
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = MANY; i-- > 0;) {
			g_string_truncate(out, 0);
			g_assert_true(spill_read(sp, SPILL_JSON_CALL, i, out));
			g_autofree char *want = g_strdup_printf("call %u;", i);
			g_assert_cmpstr(out->str, ==, want);
		}
	}
	g_string_truncate(out, 0);
	g_assert_true(spill_read(sp, SPILL_CHECK_GROUP, 7, out));
	g_assert_true(g_string_equal(out, big));
	g_assert_null(spill_error(sp));
	spill_free(sp);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/report/aside/list-one-call", test_list_one_call);
	g_test_add_func("/report/aside/list-and-check-forgotten", test_list_and_check_forgotten);
	g_test_add_func("/report/aside/spill", test_spill_records);
	return g_test_run();
}
