#include "ladder_findings.h"

static void mark_finding(ladder_findings *lf, const finding *x)
{
	if (!x)
		return;   /* forgotten with its evicted call */
	gpointer key = GUINT_TO_POINTER(x->id + 1);
	if (x->severity < FINDING_WARNING || g_hash_table_contains(lf->number, key))
		return;
	g_array_append_val(lf->shown, x->id);
	g_hash_table_insert(lf->number, key, GUINT_TO_POINTER(lf->shown->len));
}

ladder_findings *ladder_findings_new(const ladder_layout *l, const findings *f)
{
	ladder_findings *lf = g_new0(ladder_findings, 1);
	lf->f = f;
	lf->shown = g_array_new(FALSE, FALSE, sizeof(sip_id));
	lf->number = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autoptr(GHashTable) calls = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autoptr(GArray) order = g_array_new(FALSE, FALSE, sizeof(sip_id));
	for (guint i = 0; i < l->rows->len; i++) {
		const ladder_row *r = ladder_row_at(l, i);
		const GArray *ids = findings_of_message(f, r->msg);
		for (guint k = 0; ids && k < ids->len; k++)
			mark_finding(lf, findings_get(f, g_array_index(ids, sip_id, k)));
		if (r->call != SIP_ID_NONE && !g_hash_table_contains(calls, GUINT_TO_POINTER(r->call + 1))) {
			g_hash_table_add(calls, GUINT_TO_POINTER(r->call + 1));
			g_array_append_val(order, r->call);
		}
	}
	/* findings of the drawn calls that name none of the drawn messages */
	for (guint i = 0; i < order->len; i++) {
		const GArray *ids = findings_of_call(f, g_array_index(order, sip_id, i));
		for (guint k = 0; ids && k < ids->len; k++)
			mark_finding(lf, findings_get(f, g_array_index(ids, sip_id, k)));
	}
	return lf;
}

void ladder_findings_free(ladder_findings *lf)
{
	if (!lf)
		return;
	g_array_free(lf->shown, TRUE);
	g_hash_table_destroy(lf->number);
	g_free(lf);
}

const finding *ladder_findings_at(const ladder_findings *lf, guint n)
{
	if (n == 0 || n > lf->shown->len)
		return NULL;
	return findings_get(lf->f, g_array_index(lf->shown, sip_id, n - 1));
}

static guint number_of(const ladder_findings *lf, sip_id finding_id)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(lf->number, GUINT_TO_POINTER(finding_id + 1)));
}

void ladder_findings_append_marks(GString *out, const ladder_findings *lf, sip_id msg)
{
	const GArray *ids = lf ? findings_of_message(lf->f, msg) : NULL;
	bool first = true;
	for (guint i = 0; ids && i < ids->len; i++) {
		guint n = number_of(lf, g_array_index(ids, sip_id, i));
		if (!n)
			continue;   /* info: not shown on the ladder */
		g_string_append_printf(out, first ? "  !%u" : " !%u", n);
		first = false;
	}
}

int ladder_findings_severity(const ladder_findings *lf, sip_id msg)
{
	const GArray *ids = lf ? findings_of_message(lf->f, msg) : NULL;
	int worst = -1;
	for (guint i = 0; ids && i < ids->len; i++) {
		sip_id id = g_array_index(ids, sip_id, i);
		const finding *x = findings_get(lf->f, id);
		if (x && number_of(lf, id) && (int)x->severity > worst)
			worst = (int)x->severity;
	}
	return worst;
}
