/*
 * decode_link.c — link layers up to the ethertype: Ethernet and its tags
 * (802.1Q, 802.1ad, 0x9100, any depth), Linux SLL and SLL2, raw IP, BSD
 * null/loopback, PPP (plain, HDLC-framed, Cisco HDLC), PPPoE and MPLS.
 *
 * Anything that cannot hold IP (ARP, LLDP, STP and other LLC frames,
 * PPPoE discovery, PPP control protocols) is counted as not IP.
 */
#include <glib.h>

#include "capture/decode_internal.h"

enum {
	/* link types decoded here beyond those named in frame.h */
	LINKTYPE_PPP = 9,
	LINKTYPE_RAW_DLT12 = 12, /* DLT_RAW numbers found in old files */
	LINKTYPE_RAW_DLT14 = 14,
	LINKTYPE_PPP_HDLC = 50,
	LINKTYPE_PPP_ETHER = 51,
	LINKTYPE_C_HDLC = 104,
};

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86DD,
	ETHERTYPE_VLAN = 0x8100,
	ETHERTYPE_QINQ = 0x88A8,
	ETHERTYPE_QINQ_9100 = 0x9100,
	ETHERTYPE_QINQ_9200 = 0x9200,
	ETHERTYPE_PPPOE_SESSION = 0x8864,
	ETHERTYPE_MPLS = 0x8847,
	ETHERTYPE_MPLS_MC = 0x8848,
	ETHERTYPE_MIN = 0x0600, /* below: an 802.3 length, LLC follows */
};

enum {
	ARPHRD_IPGRE = 778,   /* protocol field holds a GRE protocol type */
	ARPHRD_NETLINK = 824, /* netlink messages, never IP */
};

enum {
	PPP_IPV4 = 0x0021,
	PPP_IPV6 = 0x0057,
	PPP_MPLS = 0x0281,
};

/* BSD address families as they appear in null/loopback headers. */
enum {
	BSD_AF_INET = 2,
	BSD_AF_INET6_BSD = 24,
	BSD_AF_INET6_FREEBSD = 28,
	BSD_AF_INET6_DARWIN = 30,
};

static void mpls_decode(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint32_t entry;
	do {
		if (!rd_u32be(&r, &entry)) {
			dec_short(c, DEC_L_MPLS);
			return;
		}
	} while (!(entry & 0x100)); /* bottom of stack */
	int b = rd_peek(&r, 0);
	if (b >= 0 && (b >> 4) == 4)
		dec_ipv4(c, rd_rest(&r));
	else if (b >= 0 && (b >> 4) == 6)
		dec_ipv6(c, rd_rest(&r));
	else if (b < 0)
		dec_short(c, DEC_L_MPLS);
	else
		/* Pseudowires (Ethernet over MPLS with or without a control
		 * word) cannot be told apart without signalling. */
		dec_unsupported(c, DEC_NOTE_MPLS_PAYLOAD, 0);
}

/* PPPoE session stage: header, then a PPP protocol field. */
static void pppoe_session(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint8_t vertype, code;
	uint16_t session, len;
	if (!rd_u8(&r, &vertype) || !rd_u8(&r, &code) || !rd_u16be(&r, &session) ||
	    !rd_u16be(&r, &len)) {
		dec_short(c, DEC_L_PPPOE);
		return;
	}
	if (vertype != 0x11 || code != 0) {
		dec_malformed(c, DEC_L_PPPOE);
		return;
	}
	sv body = rd_rest(&r);
	if (len > body.len)
		dec_truncated(c, DEC_L_PPPOE);
	dec_ppp(c, sv_head(body, len));
}

void dec_ppp(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	if (rd_peek(&r, 0) == 0xFF && rd_peek(&r, 1) == 0x03)
		rd_skip(&r, 2);
	uint8_t hi, lo;
	uint16_t proto;
	if (!rd_u8(&r, &hi)) {
		dec_short(c, DEC_L_PPP);
		return;
	}
	if (hi & 1) {
		proto = hi; /* protocol field compression (RFC 1661 §6.5) */
	} else {
		if (!rd_u8(&r, &lo)) {
			dec_short(c, DEC_L_PPP);
			return;
		}
		proto = (uint16_t)((hi << 8) | lo);
	}
	switch (proto) {
	case PPP_IPV4:
		dec_ipv4(c, rd_rest(&r));
		break;
	case PPP_IPV6:
		dec_ipv6(c, rd_rest(&r));
		break;
	case PPP_MPLS:
		mpls_decode(c, rd_rest(&r));
		break;
	default:
		dec_not_ip(c); /* LCP, IPCP, CCP, compressed TCP/IP ... */
		break;
	}
}

void dec_ethertype(dec_ctx *c, uint16_t type, sv v)
{
	rd r = rd_make(v);
	for (;;) {
		switch (type) {
		case ETHERTYPE_VLAN:
		case ETHERTYPE_QINQ:
		case ETHERTYPE_QINQ_9100:
		case ETHERTYPE_QINQ_9200: {
			uint16_t tci;
			if (!rd_u16be(&r, &tci) || !rd_u16be(&r, &type)) {
				dec_short(c, DEC_L_VLAN);
				return;
			}
			continue; /* each tag consumes 4 bytes: bounded */
		}
		case ETHERTYPE_IPV4:
			dec_ipv4(c, rd_rest(&r));
			return;
		case ETHERTYPE_IPV6:
			dec_ipv6(c, rd_rest(&r));
			return;
		case ETHERTYPE_PPPOE_SESSION:
			pppoe_session(c, rd_rest(&r));
			return;
		case ETHERTYPE_MPLS:
		case ETHERTYPE_MPLS_MC:
			mpls_decode(c, rd_rest(&r));
			return;
		default:
			/* ARP, LLDP, PPPoE discovery, 802.3 lengths (LLC/SNAP,
			 * STP) and everything else without IP. */
			dec_not_ip(c);
			return;
		}
	}
}

void dec_ether(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint16_t type;
	if (!rd_skip(&r, 12) || !rd_u16be(&r, &type)) {
		dec_short(c, DEC_L_ETHERNET);
		return;
	}
	dec_ethertype(c, type, rd_rest(&r));
}

/* The protocol field of Linux cooked headers, by device type. */
static void sll_proto(dec_ctx *c, uint16_t arphrd, uint16_t proto, sv v)
{
	if (arphrd == ARPHRD_IPGRE) {
		/* A capture on a GRE device: the GRE header is gone but the
		 * protocol is a GRE protocol type.  No tunnel was crossed in
		 * what the capture holds. */
		dec_gre_proto(c, proto, false, v);
		return;
	}
	if (arphrd == ARPHRD_NETLINK || proto < ETHERTYPE_MIN) {
		/* netlink, or Linux pseudo-protocols (802.3, 802.2, CAN ...) */
		dec_not_ip(c);
		return;
	}
	dec_ethertype(c, proto, v);
}

static void sll_decode(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint16_t pkttype, arphrd, alen, proto;
	if (!rd_u16be(&r, &pkttype) || !rd_u16be(&r, &arphrd) || !rd_u16be(&r, &alen) ||
	    !rd_skip(&r, 8) || !rd_u16be(&r, &proto)) {
		dec_short(c, DEC_L_LINK);
		return;
	}
	sll_proto(c, arphrd, proto, rd_rest(&r));
}

static void sll2_decode(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint16_t proto, reserved, arphrd;
	uint32_t ifindex;
	uint8_t pkttype, alen;
	if (!rd_u16be(&r, &proto) || !rd_u16be(&r, &reserved) || !rd_u32be(&r, &ifindex) ||
	    !rd_u16be(&r, &arphrd) || !rd_u8(&r, &pkttype) || !rd_u8(&r, &alen) ||
	    !rd_skip(&r, 8)) {
		dec_short(c, DEC_L_LINK);
		return;
	}
	sll_proto(c, arphrd, proto, rd_rest(&r));
}

/* BSD null (host byte order of the capturing machine, so either) and
 * loopback (network byte order) headers: a 4-byte address family. */
static void null_decode(dec_ctx *c, sv v, bool either_order)
{
	rd r = rd_make(v);
	uint32_t af;
	if (!rd_u32be(&r, &af)) {
		dec_short(c, DEC_L_LINK);
		return;
	}
	if (either_order && af > 0xFFFF)
		af = GUINT32_SWAP_LE_BE(af);
	switch (af) {
	case BSD_AF_INET:
		dec_ipv4(c, rd_rest(&r));
		break;
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		dec_ipv6(c, rd_rest(&r));
		break;
	default:
		dec_not_ip(c);
		break;
	}
}

/* Cisco HDLC: address, control, ethertype. */
static void chdlc_decode(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint16_t type;
	if (!rd_skip(&r, 2) || !rd_u16be(&r, &type)) {
		dec_short(c, DEC_L_LINK);
		return;
	}
	dec_ethertype(c, type, rd_rest(&r));
}

void dec_link(dec_ctx *c, uint32_t linktype, sv v)
{
	switch (linktype) {
	case LINKTYPE_ETHERNET:
		dec_ether(c, v);
		break;
	case LINKTYPE_LINUX_SLL:
		sll_decode(c, v);
		break;
	case LINKTYPE_LINUX_SLL2:
		sll2_decode(c, v);
		break;
	case LINKTYPE_RAW:
	case LINKTYPE_RAW_DLT12:
	case LINKTYPE_RAW_DLT14:
		dec_ip_any(c, v, DEC_L_LINK);
		break;
	case LINKTYPE_IPV4:
		dec_ipv4(c, v);
		break;
	case LINKTYPE_IPV6:
		dec_ipv6(c, v);
		break;
	case LINKTYPE_NULL:
		null_decode(c, v, true);
		break;
	case LINKTYPE_LOOP:
		null_decode(c, v, false);
		break;
	case LINKTYPE_PPP:
		dec_ppp(c, v);
		break;
	case LINKTYPE_PPP_HDLC: {
		int b = sv_at(v, 0);
		if (b == 0x0F || b == 0x8F)
			chdlc_decode(c, v); /* Cisco PPP with HDLC framing */
		else
			dec_ppp(c, v);
		break;
	}
	case LINKTYPE_PPP_ETHER:
		pppoe_session(c, v);
		break;
	case LINKTYPE_C_HDLC:
		chdlc_decode(c, v);
		break;
	default:
		dec_unsupported(c, DEC_NOTE_LINKTYPE, linktype);
		break;
	}
}
