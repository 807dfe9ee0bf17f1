#include "frame_filter.h"

#include <pcap/pcap.h>

typedef struct bpf_prog_entry {
	bool ok;
	struct bpf_program prog;
	char *error;
} bpf_prog_entry;

struct frame_filter {
	char *expr;
	GHashTable *by_linktype; /* linktype -> bpf_prog_entry* */
};

/* pcap_open_dead wants DLT_ values; the file formats carry LINKTYPE_ ones.
 * They differ only for a few types. */
static int linktype_to_dlt(uint32_t linktype)
{
	switch (linktype) {
	case LINKTYPE_RAW: return DLT_RAW;
	case LINKTYPE_LOOP: return DLT_LOOP;
	default: return (int)linktype;
	}
}

static void entry_free(gpointer p)
{
	bpf_prog_entry *e = p;
	if (e->ok)
		pcap_freecode(&e->prog);
	g_free(e->error);
	g_free(e);
}

static bpf_prog_entry *compile_for(const char *expr, uint32_t linktype)
{
	bpf_prog_entry *e = g_new0(bpf_prog_entry, 1);
	pcap_t *p = pcap_open_dead(linktype_to_dlt(linktype), 262144);
	if (!p) {
		e->error = g_strdup("cannot set up the filter compiler");
		return e;
	}
	if (pcap_compile(p, &e->prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0)
		e->ok = true;
	else
		e->error = g_strdup(pcap_geterr(p));
	pcap_close(p);
	return e;
}

frame_filter *frame_filter_new(const char *expr, GError **err)
{
	bpf_prog_entry *probe = compile_for(expr, LINKTYPE_ETHERNET);
	if (!probe->ok) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "invalid filter '%s': %s",
			    expr, probe->error);
		entry_free(probe);
		return NULL;
	}
	frame_filter *f = g_new0(frame_filter, 1);
	f->expr = g_strdup(expr);
	f->by_linktype = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, entry_free);
	g_hash_table_insert(f->by_linktype, GUINT_TO_POINTER(LINKTYPE_ETHERNET), probe);
	return f;
}

bool frame_filter_match(frame_filter *f, const cap_frame *fr)
{
	bpf_prog_entry *e = g_hash_table_lookup(f->by_linktype, GUINT_TO_POINTER(fr->linktype));
	if (!e) {
		e = compile_for(f->expr, fr->linktype);
		g_hash_table_insert(f->by_linktype, GUINT_TO_POINTER(fr->linktype), e);
	}
	if (!e->ok)
		return false;
	struct pcap_pkthdr h = { 0 };
	h.caplen = fr->caplen;
	h.len = fr->wirelen;
	return pcap_offline_filter(&e->prog, &h, fr->data.p) != 0;
}

void frame_filter_notices(const frame_filter *f, GPtrArray *out)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, f->by_linktype);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		bpf_prog_entry *e = v;
		if (!e->ok)
			g_ptr_array_add(out, g_strdup_printf(
				"filter cannot apply to link type %u (%s); its frames were skipped",
				GPOINTER_TO_UINT(k), e->error));
	}
}

void frame_filter_free(frame_filter *f)
{
	if (!f)
		return;
	g_hash_table_destroy(f->by_linktype);
	g_free(f->expr);
	g_free(f);
}
