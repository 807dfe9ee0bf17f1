#include "fuzz_util.h"

#include "dissect/model.h"
#include "output/json_model.h"
#include "output/ladder_text.h"
#include "output/list.h"
#include "output/stats.h"
#include "ui/ladder_layout.h"

/* A transaction's (a dialog's, a call's) record written from the bytes
 * json_keep_txn (json_keep_dialog, json_keep_call) kept of it is the one
 * json_write_txn (json_write_dialog, json_write_call) writes; those bytes
 * cut short are refused. */
static fuzz_memsink direct, later;
static GString *want, *kept;

/* After direct got the record and kept the bytes. */
static void check_kept_one(const char *what, sip_id i, bool (*write_kept)(sink *, sv))
{
	g_string_assign(want, fuzz_memsink_end(&direct)->str);
	sink *s = fuzz_memsink_begin(&later);
	if (write_kept(s, sv_make(kept->str, kept->len - 1)))
		fuzz_fail("%s %u: kept bytes cut short taken", what, i);
	if (!write_kept(s, sv_make(kept->str, kept->len)))
		fuzz_fail("%s %u: kept bytes refused", what, i);
	if (!g_string_equal(want, fuzz_memsink_end(&later)))
		fuzz_fail("%s %u: record from kept bytes differs", what, i);
}

static void check_kept_records(const sip_model *m)
{
	if (!want) {
		fuzz_memsink_init(&direct, "direct");
		fuzz_memsink_init(&later, "later");
		want = g_string_new(NULL);
		kept = g_string_new(NULL);
	}
	for (sip_id i = 0, n = MIN(sip_model_txn_count(m), 64u); i < n; i++) {
		const sip_txn *t = sip_model_txn(m, i);
		if (!t)
			continue;
		json_write_txn(fuzz_memsink_begin(&direct), m, t);
		g_string_truncate(kept, 0);
		json_keep_txn(kept, m, t);
		check_kept_one("txn", i, json_write_kept_txn);
	}
	for (sip_id i = 0, n = MIN(sip_model_dialog_count(m), 64u); i < n; i++) {
		const sip_dialog *d = sip_model_dialog(m, i);
		if (!d)
			continue;
		json_write_dialog(fuzz_memsink_begin(&direct), m, d);
		g_string_truncate(kept, 0);
		json_keep_dialog(kept, m, d);
		check_kept_one("dialog", i, json_write_kept_dialog);
	}
	for (sip_id i = 0, n = MIN(sip_model_call_count(m), 64u); i < n; i++) {
		const sip_call *c = sip_model_call(m, i);
		if (!c)
			continue;
		json_write_call(fuzz_memsink_begin(&direct), m, c);
		g_string_truncate(kept, 0);
		json_keep_call(kept, m, c);
		check_kept_one("call", i, json_write_kept_call);
	}
}

void fuzz_write_model_outputs(const sip_model *m, int64_t end_ts, fuzz_memsink *json,
			      fuzz_memsink *text)
{
	check_kept_records(m);
	json_write_model(&json->s, m);
	list_write(&text->s, m, end_ts);
	stats_write(&text->s, m);
	g_autoptr(GArray) all = ladder_messages_all(m);
	for (int by_host = 0; by_host < 2; by_host++) {
		ladder_opts lo = { .group_by_host = by_host };
		g_autoptr(ladder_layout) lay =
			ladder_layout_new(m, (const sip_id *)all->data, all->len, &lo);
		ladder_text_write(&text->s, m, lay);
	}
	/* The ladder of each call, as --ladder CALL-ID draws it. */
	guint ncalls = MIN(sip_model_call_count(m), 2u);
	for (sip_id c = 0; c < ncalls; c++) {
		g_autoptr(GArray) msgs = ladder_messages_of_calls(m, &c, 1);
		g_autoptr(ladder_layout) lay =
			ladder_layout_new(m, (const sip_id *)msgs->data, msgs->len, NULL);
		ladder_text_write(&text->s, m, lay);
	}
	const GString *j = fuzz_memsink_end(json);
	fuzz_check_json_lines(j->str, j->len, "JSON output");
	const GString *t = fuzz_memsink_end(text);
	fuzz_check_text(t->str, t->len, true, "text output");
}
