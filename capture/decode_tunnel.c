/*
 * decode_tunnel.c — GRE (RFC 2784/2890, RFC 1701 routing, enhanced GRE of
 * PPTP), what GRE carries (IP, transparent Ethernet bridging, ERSPAN types
 * I, II and III, PPP), GTP-U T-PDUs and VXLAN.
 *
 * The caller of dec_gre() has already counted the tunnel (the IP protocol
 * switch does); GTP-U and VXLAN count their own once they know the UDP
 * payload really is theirs.
 */
#include "capture/decode_internal.h"

enum {
	GRE_C = 0x8000, /* checksum present */
	GRE_R = 0x4000, /* routing present (RFC 1701) */
	GRE_K = 0x2000, /* key present */
	GRE_S = 0x1000, /* sequence number present */
	GRE_A = 0x0080, /* acknowledgment present (enhanced GRE) */
	GRE_VERSION = 0x0007,
};

enum {
	GREPROTO_IPV4 = 0x0800,
	GREPROTO_IPV6 = 0x86DD,
	GREPROTO_TEB = 0x6558,       /* transparent Ethernet bridging */
	GREPROTO_ERSPAN_2 = 0x88BE,  /* ERSPAN type I (no sequence) or II */
	GREPROTO_ERSPAN_3 = 0x22EB,
	GREPROTO_PPP = 0x880B,
	GREPROTO_VLAN = 0x8100,
	GREPROTO_QINQ = 0x88A8,
	GREPROTO_MPLS = 0x8847,
	GREPROTO_MPLS_MC = 0x8848,
	GREPROTO_PPPOE = 0x8864,
};

enum {
	GTP_FLAG_E = 0x04, /* extension header follows */
	GTP_FLAG_S = 0x02, /* sequence number */
	GTP_FLAG_PN = 0x01, /* N-PDU number */
	GTP_TPDU = 255,
};

enum { VXLAN_FLAG_I = 0x08 };

/* ERSPAN II: version 1, then VLAN, COS, encapsulation, T, session id,
 * reserved and index: 8 bytes, then the mirrored Ethernet frame. */
static void erspan2_decode(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint16_t w0;
	if (!rd_u16be(&r, &w0) || !rd_skip(&r, 6)) {
		dec_short(c, DEC_L_ERSPAN);
		return;
	}
	if ((w0 >> 12) != 1) {
		dec_unsupported(c, DEC_NOTE_ERSPAN_VERSION, w0 >> 12);
		return;
	}
	dec_ether(c, rd_rest(&r));
}

/* ERSPAN III: version 2, 12 bytes, then an 8-byte platform-specific
 * sub-header when the O bit is set; the frame type says Ethernet or IP. */
static void erspan3_decode(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint16_t w0, w1, sgt, w5;
	uint32_t timestamp;
	if (!rd_u16be(&r, &w0) || !rd_u16be(&r, &w1) || !rd_u32be(&r, &timestamp) ||
	    !rd_u16be(&r, &sgt) || !rd_u16be(&r, &w5)) {
		dec_short(c, DEC_L_ERSPAN);
		return;
	}
	if ((w0 >> 12) != 2) {
		dec_unsupported(c, DEC_NOTE_ERSPAN_VERSION, w0 >> 12);
		return;
	}
	if ((w5 & 0x0001) && !rd_skip(&r, 8)) {
		dec_short(c, DEC_L_ERSPAN);
		return;
	}
	unsigned ft = (w5 >> 10) & 0x1F;
	if (ft == 0)
		dec_ether(c, rd_rest(&r));
	else if (ft == 2)
		dec_ip_any(c, rd_rest(&r), DEC_L_ERSPAN);
	else
		dec_unsupported(c, DEC_NOTE_ERSPAN_FRAME, ft);
}

void dec_gre_proto(dec_ctx *c, uint16_t proto, bool seq_present, sv v)
{
	switch (proto) {
	case GREPROTO_TEB:
		dec_ether(c, v);
		break;
	case GREPROTO_ERSPAN_2:
		if (seq_present)
			erspan2_decode(c, v);
		else
			dec_ether(c, v); /* type I: no ERSPAN header */
		break;
	case GREPROTO_ERSPAN_3:
		erspan3_decode(c, v);
		break;
	case GREPROTO_PPP:
		dec_ppp(c, v);
		break;
	case GREPROTO_IPV4:
	case GREPROTO_IPV6:
	case GREPROTO_VLAN:
	case GREPROTO_QINQ:
	case GREPROTO_MPLS:
	case GREPROTO_MPLS_MC:
	case GREPROTO_PPPOE:
		dec_ethertype(c, proto, v);
		break;
	default:
		dec_unsupported(c, DEC_NOTE_GRE_PROTO, proto);
		break;
	}
}

void dec_gre(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint16_t flags, proto;
	if (!rd_u16be(&r, &flags) || !rd_u16be(&r, &proto)) {
		dec_short(c, DEC_L_GRE);
		return;
	}
	unsigned version = flags & GRE_VERSION;
	bool ok = true;
	if (version == 0) {
		if (flags & (GRE_C | GRE_R))
			ok = rd_skip(&r, 4); /* checksum and offset */
		if (ok && (flags & GRE_K))
			ok = rd_skip(&r, 4);
		if (ok && (flags & GRE_S))
			ok = rd_skip(&r, 4);
		/* RFC 1701 source routes, up to a null entry. */
		while (ok && (flags & GRE_R)) {
			uint16_t af;
			uint8_t sre_off, sre_len;
			ok = rd_u16be(&r, &af) && rd_u8(&r, &sre_off) && rd_u8(&r, &sre_len) &&
			     rd_skip(&r, sre_len);
			if (ok && af == 0 && sre_len == 0)
				break;
		}
	} else if (version == 1) {
		/* Enhanced GRE (PPTP, RFC 2637): key = payload length + call
		 * id, always present; PPP only. */
		if (!(flags & GRE_K) || proto != GREPROTO_PPP) {
			dec_malformed(c, DEC_L_GRE);
			return;
		}
		ok = rd_skip(&r, 4);
		if (ok && (flags & GRE_S))
			ok = rd_skip(&r, 4);
		if (ok && (flags & GRE_A))
			ok = rd_skip(&r, 4);
	} else {
		dec_unsupported(c, DEC_NOTE_GRE_VERSION, version);
		return;
	}
	if (!ok) {
		dec_short(c, DEC_L_GRE);
		return;
	}
	sv rest = rd_rest(&r);
	if (version == 1 && sv_empty(rest))
		return; /* an acknowledgment without payload */
	dec_gre_proto(c, proto, flags & GRE_S, rest);
}

bool dec_gtpu(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint8_t flags, type;
	uint16_t len;
	uint32_t teid;
	if (!rd_u8(&r, &flags) || (flags >> 5) != 1 || !(flags & 0x10))
		return false; /* not GTPv1 with PT set: plain UDP */
	if (!rd_u8(&r, &type) || !rd_u16be(&r, &len) || !rd_u32be(&r, &teid))
		return false;
	sv body = rd_rest(&r);
	if (len > body.len)
		dec_truncated(c, DEC_L_GTP);
	r = rd_make(sv_head(body, len));
	if (type != GTP_TPDU)
		return true; /* echo, error indication, end marker ...: signalling */
	if (flags & (GTP_FLAG_E | GTP_FLAG_S | GTP_FLAG_PN)) {
		uint16_t seq;
		uint8_t npdu, next;
		if (!rd_u16be(&r, &seq) || !rd_u8(&r, &npdu) || !rd_u8(&r, &next)) {
			dec_short(c, DEC_L_GTP);
			return true;
		}
		/* Extension headers: length in 4-byte units covers the
		 * length and next-type bytes; each consumes at least 4. */
		if (!(flags & GTP_FLAG_E))
			next = 0;
		while (next != 0) {
			uint8_t units;
			if (!rd_u8(&r, &units)) {
				dec_short(c, DEC_L_GTP);
				return true;
			}
			if (units == 0) {
				dec_malformed(c, DEC_L_GTP);
				return true;
			}
			if (!rd_skip(&r, (size_t)units * 4 - 2) || !rd_u8(&r, &next)) {
				dec_short(c, DEC_L_GTP);
				return true;
			}
		}
	}
	if (rd_left(&r) == 0)
		return true;
	if (!dec_tunnel_enter(c))
		return true;
	dec_ip_any(c, rd_rest(&r), DEC_L_GTP);
	dec_tunnel_leave(c);
	return true;
}

bool dec_vxlan(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint8_t flags;
	if (!rd_u8(&r, &flags) || !(flags & VXLAN_FLAG_I) || !rd_skip(&r, 7))
		return false;
	if (!dec_tunnel_enter(c))
		return true;
	dec_ether(c, rd_rest(&r));
	dec_tunnel_leave(c);
	return true;
}
