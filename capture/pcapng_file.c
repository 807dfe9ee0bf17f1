/*
 * pcapng_file.c — pcapng block reader.
 *
 * A file is a run of sections; each starts with a Section Header Block
 * whose byte-order magic sets the byte order of every block up to the next
 * one, and each numbers its own interfaces (IDBs) from 0.  Interfaces may
 * have any mix of link types and timestamp resolutions: every frame carries
 * the link type of its own interface.
 *
 * Packets come from Enhanced Packet Blocks, Simple Packet Blocks (interface
 * 0, no timestamp: the previous frame's is reused) and the obsolete Packet
 * Block.  Every other block (name resolution, statistics, decryption
 * secrets, custom, ...) is skipped whole.
 *
 * A block is checked before it is used: total length >= 12, a multiple of
 * 4, no larger than PCAPNG_MAX_BLOCK, equal at both ends; fixed fields fit
 * in the body; packet data fits in the body; the interface exists.  The
 * section length of the SHB is not trusted (it may be -1 and often lies).
 */
#include <string.h>

#include "capture/source_impl.h"

enum {
	BT_SHB = 0x0A0D0D0A,
	BT_IDB = 0x00000001,
	BT_PB = 0x00000002,
	BT_SPB = 0x00000003,
	BT_EPB = 0x00000006,
	PCAPNG_BOM = 0x1A2B3C4D,
	/* Wireshark stops at 16 MiB; a little more room costs nothing, and a
	 * stream must not buffer gigabytes for a bogus length. */
	PCAPNG_MAX_BLOCK = 64u << 20,
	OPT_ENDOFOPT = 0,
	OPT_IF_TSRESOL = 9,
	OPT_IF_TSOFFSET = 14,
	TSRESOL_DEFAULT = 6,
};

static const uint64_t pow10_u64[20] = {
	1ull,
	10ull,
	100ull,
	1000ull,
	10000ull,
	100000ull,
	1000000ull,
	10000000ull,
	100000000ull,
	1000000000ull,
	10000000000ull,
	100000000000ull,
	1000000000000ull,
	10000000000000ull,
	100000000000000ull,
	1000000000000000ull,
	10000000000000000ull,
	100000000000000000ull,
	1000000000000000000ull,
	10000000000000000000ull,
};

/* Timestamp units of an interface to nanoseconds.  10^-0..10^-9 are exact;
 * finer decimal and all binary resolutions are truncated to the
 * nanosecond; values past the int64 range saturate. */
static int64_t ng_ts_ns(const cap_pcapng_if *ifc, uint64_t t)
{
	unsigned n = ifc->tsresol & 0x7f;
	uint64_t ns;
	if (!(ifc->tsresol & 0x80)) {
		if (n <= 9) {
			uint64_t m = pow10_u64[9 - n];
			if (t > (uint64_t)INT64_MAX / m)
				return INT64_MAX;
			ns = t * m;
		} else {
			unsigned d = n - 9;
			ns = d < G_N_ELEMENTS(pow10_u64) ? t / pow10_u64[d] : 0;
		}
	} else {
		uint64_t secs = n < 64 ? t >> n : 0;
		uint64_t frac = n < 64 ? t & ((UINT64_C(1) << n) - 1) : t;
		uint64_t fns;
		/* frac < 2^34 keeps frac * 10^9 below 2^64. */
		if (n <= 34)
			fns = (frac * 1000000000u) >> n;
		else if (n - 34 < 64)
			fns = ((frac >> (n - 34)) * 1000000000u) >> 34;
		else
			fns = 0;
		if (secs > (uint64_t)INT64_MAX / 1000000000u)
			return INT64_MAX;
		ns = secs * 1000000000u + fns; /* fns < 10^9: no overflow */
	}
	if (ns > (uint64_t)INT64_MAX)
		return INT64_MAX;
	return cap_ts_add((int64_t)ns, cap_ts_secs(ifc->tsoffset));
}

static const char *ng_block_name(uint32_t type)
{
	switch (type) {
	case BT_SHB: return "section header block";
	case BT_IDB: return "interface description block";
	case BT_PB: return "packet block";
	case BT_SPB: return "simple packet block";
	case BT_EPB: return "enhanced packet block";
	case 0x00000004: return "name resolution block";
	case 0x00000005: return "interface statistics block";
	case 0x0000000A: return "decryption secrets block";
	default: return NULL;
	}
}

static bool ng_is_packet(uint32_t type)
{
	return type == BT_EPB || type == BT_SPB || type == BT_PB;
}

/* The "(...)" of a message about the block of this type. */
static char *ng_block_detail(const cap_source *s, uint32_t type, bool type_known)
{
	if (!type_known)
		return g_strdup("block header");
	const char *name = ng_block_name(type);
	if (ng_is_packet(type))
		return g_strdup_printf("%s, record %" G_GUINT64_FORMAT, name, (guint64)(s->records + 1));
	if (name)
		return g_strdup(name);
	return g_strdup_printf("block type 0x%08x", type);
}

static void ng_truncated(const cap_source *s, GError **err, uint64_t at, uint32_t type, bool type_known)
{
	char *d = ng_block_detail(s, type, type_known);
	cap_source_damage(s, err, CAP_ERROR_TRUNCATED, at, "block", "%s", d);
	g_free(d);
}

static void ng_corrupt(const cap_source *s, GError **err, uint64_t at, uint32_t type, const char *why)
{
	char *d = ng_block_detail(s, type, true);
	cap_source_damage(s, err, CAP_ERROR_CORRUPT, at, "block", "%s: %s", d, why);
	g_free(d);
}

typedef enum {
	NG_BLOCK,   /* *type, *body set */
	NG_END,     /* clean end of input */
	NG_DAMAGED, /* *err set */
} ng_rc;

/* Reads the next block: checks its framing and returns its body (a view
 * valid until the next peek; keep what must last).  An SHB switches the
 * byte order before its length is read. */
static ng_rc ng_read_block(cap_source *s, uint32_t *type, sv *body, GError **err)
{
	cap_pcapng_state *ng = &s->ng;
	uint64_t at = cap_input_offset(&s->in);
	sv v;
	if (!cap_input_peek(&s->in, 12, &v, err))
		return NG_DAMAGED;
	if (v.len == 0)
		return NG_END;
	rd r = rd_make(v);
	uint32_t t = 0, len = 0, bom = 0;
	if (!cap_rd_u32(&r, ng->big_endian, &t)) {
		ng_truncated(s, err, at, 0, false);
		return NG_DAMAGED;
	}
	if (t == BT_SHB) {
		rd b = rd_make(sv_skip(v, 8));
		if (!rd_u32le(&b, &bom)) {
			ng_truncated(s, err, at, t, true);
			return NG_DAMAGED;
		}
		if (bom == PCAPNG_BOM)
			ng->big_endian = false;
		else if (bom == 0x4D3C2B1A)
			ng->big_endian = true;
		else {
			char why[64];
			g_snprintf(why, sizeof(why), "unknown byte-order magic 0x%08x", bom);
			ng_corrupt(s, err, at, t, why);
			return NG_DAMAGED;
		}
	}
	if (!cap_rd_u32(&r, ng->big_endian, &len) || v.len < 12) {
		ng_truncated(s, err, at, t, true);
		return NG_DAMAGED;
	}
	if (len < 12 || len % 4 != 0 || len > PCAPNG_MAX_BLOCK) {
		char why[80];
		g_snprintf(why, sizeof(why), "block length %u is %s", len,
		           len < 12 ? "below 12" : len % 4 ? "not a multiple of 4" : "too large");
		ng_corrupt(s, err, at, t, why);
		return NG_DAMAGED;
	}
	if (!cap_input_peek(&s->in, len, &v, err))
		return NG_DAMAGED;
	if (v.len < len) {
		ng_truncated(s, err, at, t, true);
		return NG_DAMAGED;
	}
	rd tr = rd_make(sv_skip(v, len - 4));
	uint32_t len2 = 0;
	cap_rd_u32(&tr, ng->big_endian, &len2);
	if (len2 != len) {
		char why[80];
		g_snprintf(why, sizeof(why), "block length %u at the start, %u at the end", len, len2);
		ng_corrupt(s, err, at, t, why);
		return NG_DAMAGED;
	}
	*type = t;
	*body = sv_sub(v, 8, len - 12);
	return NG_BLOCK;
}

static bool ng_section(cap_source *s, sv body, uint64_t at, GError **err)
{
	cap_pcapng_state *ng = &s->ng;
	rd r = rd_make(body);
	uint32_t bom = 0;
	uint16_t major = 0, minor = 0;
	/* The section length (8 bytes) is skipped: see the top. */
	if (!cap_rd_u32(&r, ng->big_endian, &bom) || !cap_rd_u16(&r, ng->big_endian, &major) ||
	    !cap_rd_u16(&r, ng->big_endian, &minor) || !rd_skip(&r, 8)) {
		ng_corrupt(s, err, at, BT_SHB, "too short");
		return false;
	}
	if (major != 1) {
		char why[64];
		g_snprintf(why, sizeof(why), "unsupported version %u.%u", major, minor);
		ng_corrupt(s, err, at, BT_SHB, why);
		return false;
	}
	g_array_set_size(ng->ifs, 0);
	return true;
}

static bool ng_interface(cap_source *s, sv body, uint64_t at, GError **err)
{
	cap_pcapng_state *ng = &s->ng;
	bool be = ng->big_endian;
	rd r = rd_make(body);
	uint16_t linktype = 0, reserved = 0;
	uint32_t snaplen = 0;
	if (!cap_rd_u16(&r, be, &linktype) || !cap_rd_u16(&r, be, &reserved) || !cap_rd_u32(&r, be, &snaplen)) {
		ng_corrupt(s, err, at, BT_IDB, "too short");
		return false;
	}
	cap_pcapng_if ifc = {
		.linktype = cap_linktype_normalize(linktype),
		.snaplen = snaplen,
		.tsresol = TSRESOL_DEFAULT,
		.tsoffset = 0,
	};
	/* Options are read leniently: a damaged option list loses only the
	 * options, never the interface (Wireshark is stricter). */
	for (;;) {
		uint16_t code, olen;
		if (!cap_rd_u16(&r, be, &code) || !cap_rd_u16(&r, be, &olen) || code == OPT_ENDOFOPT)
			break;
		sv val;
		if (!rd_bytes(&r, olen, &val))
			break;
		size_t pad = (4 - olen % 4) % 4;
		if (!rd_skip(&r, pad))
			rd_rest(&r);
		rd vr = rd_make(val);
		if (code == OPT_IF_TSRESOL && olen >= 1) {
			rd_u8(&vr, &ifc.tsresol);
		} else if (code == OPT_IF_TSOFFSET && olen == 8) {
			uint64_t off = 0;
			cap_rd_u64(&vr, be, &off);
			ifc.tsoffset = (int64_t)off;
		}
	}
	g_array_append_val(ng->ifs, ifc);
	return true;
}

/* Fills *out from a packet block; false with *err on damage. */
static bool ng_packet(cap_source *s, uint32_t type, sv body, uint64_t at, cap_frame *out, GError **err)
{
	cap_pcapng_state *ng = &s->ng;
	bool be = ng->big_endian;
	rd r = rd_make(body);
	uint32_t ifid = 0, ts_hi = 0, ts_lo = 0, caplen = 0, wirelen = 0;
	bool ok;
	if (type == BT_EPB) {
		ok = cap_rd_u32(&r, be, &ifid);
	} else if (type == BT_PB) {
		uint16_t id16 = 0, drops = 0;
		ok = cap_rd_u16(&r, be, &id16) && cap_rd_u16(&r, be, &drops);
		ifid = id16;
	} else {
		ok = cap_rd_u32(&r, be, &wirelen);
	}
	if (type != BT_SPB)
		ok = ok && cap_rd_u32(&r, be, &ts_hi) && cap_rd_u32(&r, be, &ts_lo) && cap_rd_u32(&r, be, &caplen) &&
		     cap_rd_u32(&r, be, &wirelen);
	if (!ok) {
		ng_corrupt(s, err, at, type, "too short");
		return false;
	}
	if (ifid >= ng->ifs->len) {
		char why[96];
		g_snprintf(why, sizeof(why), "interface %u does not exist (the section has %u)", ifid, ng->ifs->len);
		ng_corrupt(s, err, at, type, why);
		return false;
	}
	const cap_pcapng_if *ifc = &g_array_index(ng->ifs, cap_pcapng_if, ifid);
	if (type == BT_SPB) {
		/* Captured length is implied: the packet, cut at the snaplen,
		 * fills the body up to the padding. */
		caplen = wirelen;
		if (ifc->snaplen && caplen > ifc->snaplen)
			caplen = ifc->snaplen;
		if (caplen > rd_left(&r))
			caplen = (uint32_t)rd_left(&r);
	}
	sv data;
	if (!rd_bytes(&r, caplen, &data)) {
		char why[96];
		g_snprintf(why, sizeof(why), "captured length %u exceeds the block", caplen);
		ng_corrupt(s, err, at, type, why);
		return false;
	}
	if (type == BT_SPB)
		out->ts_ns = ng->last_ts_ns;
	else
		out->ts_ns = ng_ts_ns(ifc, ((uint64_t)ts_hi << 32) | ts_lo);
	ng->last_ts_ns = out->ts_ns;
	out->data = cap_input_keep(&s->in, data);
	out->linktype = ifc->linktype;
	out->caplen = caplen;
	out->wirelen = wirelen;
	out->record = ++s->records;
	return true;
}

bool cap_pcapng_open(cap_source *s, GError **err)
{
	cap_pcapng_state *ng = &s->ng;
	ng->ifs = g_array_new(FALSE, FALSE, sizeof(cap_pcapng_if));
	ng->big_endian = false;
	/* The first block must be a well-formed SHB: anything else is not
	 * pcapng at all, and a cut-off one is a truncated header. */
	sv v;
	if (!cap_input_peek(&s->in, 28, &v, err))
		return false;
	rd r = rd_make(sv_skip(v, 8));
	uint32_t bom = 0;
	if (rd_u32le(&r, &bom) && bom != PCAPNG_BOM && bom != 0x4D3C2B1A) {
		char hex[3 * 12 + 1];
		cap_hex(hex, sizeof(hex), sv_head(v, 12));
		g_set_error(err, CAP_ERROR, CAP_ERROR_FORMAT,
		            "%s: not a pcap or pcapng file (starts with %s: no pcapng byte-order magic)", s->in.name,
		            hex);
		return false;
	}
	uint32_t type;
	sv body;
	GError *e = NULL;
	ng_rc rc = ng_read_block(s, &type, &body, &e);
	if (rc == NG_END || (rc == NG_DAMAGED && g_error_matches(e, CAP_ERROR, CAP_ERROR_TRUNCATED))) {
		g_clear_error(&e);
		g_set_error(err, CAP_ERROR, CAP_ERROR_TRUNCATED, "%s: truncated file header (section header block)",
		            s->in.name);
		return false;
	}
	if (rc == NG_DAMAGED) {
		g_propagate_error(err, e);
		return false;
	}
	if (!ng_section(s, body, 0, err))
		return false;
	cap_input_consume(&s->in, body.len + 12);
	return true;
}

cap_next_rc cap_pcapng_next(cap_source *s, cap_frame *out, GError **err)
{
	for (;;) {
		uint64_t at = cap_input_offset(&s->in);
		uint32_t type;
		sv body;
		switch (ng_read_block(s, &type, &body, err)) {
		case NG_END:
			return CAP_NEXT_EOF;
		case NG_DAMAGED:
			return CAP_NEXT_ERROR;
		case NG_BLOCK:
			break;
		}
		bool ok = true, frame = false;
		switch (type) {
		case BT_SHB:
			ok = ng_section(s, body, at, err);
			break;
		case BT_IDB:
			ok = ng_interface(s, body, at, err);
			break;
		case BT_EPB:
		case BT_SPB:
		case BT_PB:
			ok = frame = ng_packet(s, type, body, at, out, err);
			break;
		default:
			break;
		}
		if (!ok)
			return CAP_NEXT_ERROR;
		cap_input_consume(&s->in, body.len + 12);
		if (frame)
			return CAP_NEXT_FRAME;
	}
}

void cap_pcapng_clear(cap_source *s)
{
	if (s->ng.ifs)
		g_array_free(s->ng.ifs, TRUE);
	s->ng.ifs = NULL;
}
