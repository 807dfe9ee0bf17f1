/*
 * decode.c — the decoder object: frame entry, statistics, notices, and the
 * helpers every layer uses to count what it could not decode.
 */
#include "capture/decode.h"

#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include "capture/decode_internal.h"
#include "capture/ipfrag.h"
#include "capture/sctp_reasm.h"

static guint note_hash(gconstpointer p)
{
	const dec_note *n = p;
	return (n->kind * 2654435761u) ^ n->value;
}

static gboolean note_equal(gconstpointer a, gconstpointer b)
{
	const dec_note *x = a, *y = b;
	return x->kind == y->kind && x->value == y->value;
}

cap_decoder *cap_decoder_new(arena *mem, cap_payload_fn fn, void *user)
{
	cap_decoder *d = g_new0(cap_decoder, 1);
	d->mem = mem;
	d->fn = fn;
	d->user = user;
	d->frag = ipfrag_new(mem);
	d->sctp = sctp_reasm_new(mem);
	d->notes = g_hash_table_new_full(note_hash, note_equal, g_free, NULL);
	return d;
}

void cap_decoder_relocate(cap_decoder *d, const arena *from, arena *to)
{
	ipfrag_relocate(d->frag, from, to);
	sctp_reasm_relocate(d->sctp, from, to);
}

void cap_decoder_free(cap_decoder *d)
{
	if (!d)
		return;
	ipfrag_free(d->frag);
	sctp_reasm_free(d->sctp);
	g_hash_table_destroy(d->notes);
	g_free(d);
}

void cap_decoder_feed(cap_decoder *d, const cap_frame *f)
{
	dec_ctx c = {
		.d = d,
		.f = f,
		.snap_cut = f->wirelen > f->data.len,
	};
	d->st.frames++;
	ipfrag_expire(d->frag, f->ts_ns);
	dec_link(&c, f->linktype, f->data);
	d->st.frag_incomplete = ipfrag_incomplete_total(d->frag);
}

bool cap_decoder_classify(cap_decoder *d, const cap_frame *f, cap_payload_want_fn want, void *user)
{
	dec_ctx c = {
		.d = d,
		.f = f,
		.snap_cut = f->wirelen > f->data.len,
		.want = want,
		.want_user = user,
	};
	/* The counting helpers skip notes when classifying; counters are put
	 * back whole rather than guarded one by one. */
	cap_decode_stats saved = d->st;
	dec_link(&c, f->linktype, f->data);
	d->st = saved;
	return c.wanted;
}

const cap_decode_stats *cap_decoder_stats(const cap_decoder *d)
{
	return &d->st;
}

/* ---- counting ---------------------------------------------------------- */

void dec_note_add(dec_ctx *c, dec_note_kind kind, uint32_t value)
{
	if (c->want)
		return;
	dec_note key = { .kind = kind, .value = value };
	dec_note *n = g_hash_table_lookup(c->d->notes, &key);
	if (!n) {
		n = g_new0(dec_note, 1);
		n->kind = kind;
		n->value = value;
		n->first_frame = c->f->num;
		g_hash_table_add(c->d->notes, n);
	}
	n->count++;
}

void dec_malformed(dec_ctx *c, dec_layer layer)
{
	c->d->st.malformed++;
	dec_note_add(c, DEC_NOTE_MALFORMED, layer);
}

void dec_truncated(dec_ctx *c, dec_layer layer)
{
	if (c->quoted)
		return; /* quotes are cut short by design */
	if (c->reassembled) {
		/* Nothing was cut: the reassembled datagram is whole. */
		dec_malformed(c, layer);
		return;
	}
	if (c->truncated_noted)
		return;
	c->truncated_noted = true;
	c->d->st.truncated++;
	dec_note_add(c, DEC_NOTE_TRUNCATED, 0);
}

void dec_short(dec_ctx *c, dec_layer layer)
{
	if (c->quoted)
		return;
	if (c->snap_cut && !c->reassembled)
		dec_truncated(c, layer);
	else
		dec_malformed(c, layer);
}

void dec_not_ip(dec_ctx *c)
{
	if (!c->quoted)
		c->d->st.not_ip++;
}

void dec_unsupported(dec_ctx *c, dec_note_kind kind, uint32_t value)
{
	if (c->quoted)
		return;
	c->d->st.unsupported++;
	dec_note_add(c, kind, value);
}

void dec_emit(dec_ctx *c, cap_payload *pl)
{
	pl->frame = c->f;
	pl->ip_reassembled = c->reassembled;
	pl->icmp_quoted = c->quoted;
	pl->icmp_type = c->quoted ? c->icmp_type : 0;
	pl->icmp_code = c->quoted ? c->icmp_code : 0;
	pl->tunnel_depth = c->depth;
	if (c->want) {
		c->wanted |= c->want(c->want_user, pl);
		return;
	}
	c->d->st.payloads++;
	if (c->d->fn)
		c->d->fn(c->d->user, pl);
}

bool dec_tunnel_enter(dec_ctx *c)
{
	if (c->depth >= DEC_MAX_TUNNELS) {
		dec_unsupported(c, DEC_NOTE_TUNNEL_DEPTH, 0);
		return false;
	}
	c->depth++;
	return true;
}

void dec_tunnel_leave(dec_ctx *c)
{
	c->depth--;
}

/* ---- notices ----------------------------------------------------------- */

static const char *const layer_names[DEC_L_COUNT] = {
	[DEC_L_LINK] = "link-layer",
	[DEC_L_ETHERNET] = "Ethernet",
	[DEC_L_VLAN] = "VLAN",
	[DEC_L_MPLS] = "MPLS",
	[DEC_L_PPPOE] = "PPPoE",
	[DEC_L_PPP] = "PPP",
	[DEC_L_IPV4] = "IPv4",
	[DEC_L_IPV6] = "IPv6",
	[DEC_L_IPV6_EXT] = "IPv6 extension",
	[DEC_L_FRAG4] = "IPv4 fragment",
	[DEC_L_FRAG6] = "IPv6 fragment",
	[DEC_L_ICMP] = "ICMP",
	[DEC_L_GRE] = "GRE",
	[DEC_L_ERSPAN] = "ERSPAN",
	[DEC_L_GTP] = "GTP-U",
	[DEC_L_VXLAN] = "VXLAN",
	[DEC_L_UDP] = "UDP",
	[DEC_L_TCP] = "TCP",
	[DEC_L_SCTP] = "SCTP",
};

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static char *note_format(const dec_note *n)
{
	uint64_t k = n->count, first = n->first_frame;
	switch ((dec_note_kind)n->kind) {
	case DEC_NOTE_LINKTYPE:
		return g_strdup_printf("unsupported link type %" PRIu32 " (%" PRIu64 " %s, first frame %" PRIu64 ")",
				       n->value, k, plural(k, "frame", "frames"), first);
	case DEC_NOTE_GRE_PROTO:
		return g_strdup_printf("unsupported GRE protocol 0x%04" PRIx32 " (%" PRIu64 " %s, first frame %" PRIu64 ")",
				       n->value, k, plural(k, "packet", "packets"), first);
	case DEC_NOTE_GRE_VERSION:
		return g_strdup_printf("unsupported GRE version %" PRIu32 " (%" PRIu64 " %s, first frame %" PRIu64 ")",
				       n->value, k, plural(k, "packet", "packets"), first);
	case DEC_NOTE_ERSPAN_VERSION:
		return g_strdup_printf("unsupported ERSPAN version %" PRIu32 " (%" PRIu64 " %s, first frame %" PRIu64 ")",
				       n->value, k, plural(k, "packet", "packets"), first);
	case DEC_NOTE_ERSPAN_FRAME:
		return g_strdup_printf("unsupported ERSPAN III frame type %" PRIu32 " (%" PRIu64 " %s, first frame %" PRIu64 ")",
				       n->value, k, plural(k, "packet", "packets"), first);
	case DEC_NOTE_TUNNEL_DEPTH:
		return g_strdup_printf("%" PRIu64 " %s nested deeper than %d tunnels, not decoded (first frame %" PRIu64 ")",
				       k, plural(k, "packet", "packets"), DEC_MAX_TUNNELS, first);
	case DEC_NOTE_ESP:
		return g_strdup_printf("%" PRIu64 " IPsec ESP %s not decoded (encrypted; first frame %" PRIu64 ")",
				       k, plural(k, "packet", "packets"), first);
	case DEC_NOTE_MPLS_PAYLOAD:
		return g_strdup_printf("%" PRIu64 " MPLS %s not carrying IP directly (first frame %" PRIu64 ")",
				       k, plural(k, "packet", "packets"), first);
	case DEC_NOTE_MALFORMED:
		return g_strdup_printf("%" PRIu64 " malformed %s %s (first frame %" PRIu64 ")", k,
				       n->value < DEC_L_COUNT ? layer_names[n->value] : "?",
				       plural(k, "header", "headers"), first);
	case DEC_NOTE_TRUNCATED:
		return g_strdup_printf("%" PRIu64 " %s cut short: the packet continues past the captured bytes (first frame %" PRIu64 ")",
				       k, plural(k, "frame", "frames"), first);
	}
	return g_strdup("?");
}

typedef struct note_line {
	uint64_t first_frame;
	uint32_t kind, value;
	char *text;
} note_line;

static gint note_line_cmp(gconstpointer a, gconstpointer b)
{
	const note_line *x = a, *y = b;
	if (x->first_frame != y->first_frame)
		return x->first_frame < y->first_frame ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return 0;
}

void cap_decoder_notices(const cap_decoder *d, GPtrArray *out)
{
	GArray *lines = g_array_new(FALSE, FALSE, sizeof(note_line));
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, d->notes);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		const dec_note *n = key;
		note_line l = { n->first_frame, n->kind, n->value, note_format(n) };
		g_array_append_val(lines, l);
	}
	for (int fam = 4; fam <= 6; fam += 2) {
		uint64_t first = 0;
		uint64_t k = ipfrag_incomplete(d->frag, fam, &first);
		if (k == 0)
			continue;
		note_line l = {
			first, UINT32_MAX, (uint32_t)fam,
			g_strdup_printf("%" PRIu64 " IPv%d fragment %s never completed (first frame %" PRIu64 ")",
					k, fam, plural(k, "set", "sets"), first),
		};
		g_array_append_val(lines, l);
	}
	sctp_reasm_stats ss;
	sctp_reasm_stats_get(d->sctp, &ss);
	if (ss.lost) {
		note_line l = {
			ss.lost_first, UINT32_MAX - 1, 0,
			g_strdup_printf("%" PRIu64 " fragmented SCTP DATA %s not reassembled (first frame %" PRIu64 ")",
					ss.lost, plural(ss.lost, "chunk", "chunks"), ss.lost_first),
		};
		g_array_append_val(lines, l);
	}
	if (ss.oversize) {
		note_line l = {
			ss.oversize_first, UINT32_MAX - 1, 1,
			g_strdup_printf("%" PRIu64 " SCTP user %s over %d MiB or %d fragments dropped (first frame %" PRIu64 ")",
					ss.oversize, plural(ss.oversize, "message", "messages"),
					SCTP_REASM_MAX_MESSAGE >> 20, SCTP_REASM_MAX_PIECES, ss.oversize_first),
		};
		g_array_append_val(lines, l);
	}
	g_array_sort(lines, note_line_cmp);
	for (guint i = 0; i < lines->len; i++)
		g_ptr_array_add(out, g_array_index(lines, note_line, i).text);
	g_array_free(lines, TRUE);
}
