#include "check.h"

#include "output/textesc.h"

void check_append_finding(GString *out, const finding *x)
{
	g_string_append_printf(out, "%-7s  %s  ", finding_severity_name(x->severity), x->code);
	/* summaries are printable already; escaping again costs little and
	 * keeps this file safe whatever a check writes */
	text_append_sv(out, sv_from_cstr(x->summary));
	g_string_append(out, " [");
	g_string_append(out, x->rfc);
	g_string_append_c(out, ']');
}

static void write_group(sink *s, const findings *f, const GArray *ids)
{
	for (guint i = 0; i < ids->len; i++) {
		const finding *x = findings_get(f, g_array_index(ids, sip_id, i));
		if (!x)
			continue;
		g_string_append(s->buf, "  ");
		check_append_finding(s->buf, x);
		g_string_append_c(s->buf, '\n');
		sink_end_record(s);
	}
}

bool check_write_call(sink *s, const sip_model *m, const findings *f, const sip_call *call)
{
	const GArray *ids = findings_of_call(f, call->id);
	if (!ids || !ids->len)
		return false;
	GString *o = s->buf;
	g_autoptr(GString) outcome = g_string_new(NULL);
	g_string_append_printf(o, "Call %u: ", call->id);
	text_append_sv(o, call->call_id);
	g_string_append(o, " (");
	text_append_sv(o, call->first_method.p ? call->first_method : SV_LIT("?"));
	g_string_append(o, "): ");
	findings_call_outcome(m, call, outcome);
	text_append_sv(o, sv_make(outcome->str, outcome->len));
	g_string_append_c(o, '\n');
	sink_end_record(s);
	write_group(s, f, ids);
	return true;
}

static bool write_rest(sink *s, const sip_model *m, const findings *f, bool any, spill *sp);

bool check_write(sink *s, const sip_model *m, const findings *f)
{
	return write_rest(s, m, f, false, NULL);
}

bool check_write_rest(sink *s, const sip_model *m, const findings *f, bool any)
{
	return write_rest(s, m, f, any, NULL);
}

void check_aside_call(spill *sp, const sip_model *m, const findings *f, const sip_call *call)
{
	spill_begin(sp);
	check_write_call(spill_sink(sp), m, f, call);
	spill_end(sp, SPILL_CHECK_GROUP, call->id);
}

bool check_write_aside(sink *s, const sip_model *m, const findings *f, spill *sp)
{
	return write_rest(s, m, f, false, sp);
}

/* The group kept aside for a call no longer held, if any, onto s. */
static bool write_kept(sink *s, spill *sp, sip_id call)
{
	if (!sp || !spill_read(sp, SPILL_CHECK_GROUP, call, s->buf))
		return false;
	sink_end_record(s);
	return true;
}

static bool write_rest(sink *s, const sip_model *m, const findings *f, bool any, spill *sp)
{
	GString *o = s->buf;
	for (guint c = 0, n = sip_model_call_count(m); c < n && !sink_failed(s); c++) {
		const sip_call *call = sip_model_call(m, c);
		if (call ? check_write_call(s, m, f, call) : write_kept(s, sp, c))
			any = true;
	}
	const GArray *loose = findings_of_call(f, SIP_ID_NONE);
	if (loose && loose->len) {
		g_string_append(o, "Not in any call:\n");
		sink_end_record(s);
		write_group(s, f, loose);
		any = true;
	}
	guint n = findings_count(f);
	/* every finding of the run, those of evicted calls included */
	guint errors = findings_count_at_least(f, FINDING_ERROR);
	guint warnings = findings_count_at_least(f, FINDING_WARNING) - errors;
	guint infos = n - errors - warnings;
	if (any)
		g_string_append_c(o, '\n');
	if (n == 0)
		g_string_append(o, "0 findings\n");
	else
		g_string_append_printf(o, "%u finding%s: %u error%s, %u warning%s, %u info\n", n,
			n == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
			warnings == 1 ? "" : "s", infos);
	sink_end_record(s);
	return errors > 0;
}
