#include "json_findings.h"

#include "output/json.h"

static void put_ids(GString *o, const char *k, const GArray *ids)
{
	g_string_append_c(o, ',');
	json_append_key(o, k);
	g_string_append_c(o, '[');
	for (guint i = 0; ids && i < ids->len; i++) {
		if (i)
			g_string_append_c(o, ',');
		g_string_append_printf(o, "%u", g_array_index(ids, sip_id, i));
	}
	g_string_append_c(o, ']');
}

void json_write_finding(sink *s, const sip_model *m, const finding *x)
{
	GString *o = s->buf;
	g_string_append_printf(o, "{\"type\":\"finding\",\"id\":%u,\"severity\":", x->id);
	json_append_str(o, finding_severity_name(x->severity));
	JSON_LIT(o, ",\"code\":");
	json_append_str(o, x->code);
	JSON_LIT(o, ",\"rfc\":");
	json_append_str(o, x->rfc);
	JSON_LIT(o, ",\"summary\":");
	json_append_str(o, x->summary);
	const sip_call *c = sip_model_call(m, x->call);
	if (c)
		g_string_append_printf(o, ",\"call\":%u,\"call_id\":", c->id);
	else
		JSON_LIT(o, ",\"call\":null,\"call_id\":");
	json_append_sv(o, c ? c->call_id : SV_NULL);
	JSON_LIT(o, ",\"ts\":");
	if (x->ts)
		json_append_ts(o, x->ts);
	else
		JSON_LIT(o, "null");
	g_string_append_printf(o, ",\"count\":%u", x->count);
	put_ids(o, "messages", x->messages);
	put_ids(o, "transactions", x->txns);
	put_ids(o, "dialogs", x->dialogs);
	JSON_LIT(o, "}\n");
	sink_end_record(s);
}
