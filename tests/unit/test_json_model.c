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

/* What the writer gives, as text. */
static GString *written(const sip_model *m, json_pace_fn pace, void *user)
{
	FILE *tmp = tmpfile();
	g_assert_nonnull(tmp);
	sink s;
	sink_init(&s, fileno(tmp), "temporary file");
	json_write_model_filled(&s, m, NULL, pace, user);
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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/json/model/pace", test_pace);
	return g_test_run();
}
