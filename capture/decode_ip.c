/*
 * decode_ip.c — IPv4, IPv6 and its extension headers, fragments, and the
 * ICMP/ICMPv6 errors whose quoted datagrams are decoded too.
 *
 * Length fields only ever shorten a view: link-layer padding is trimmed to
 * the IP length; a length beyond the captured bytes keeps what is there and
 * counts the frame truncated.  A fragment that is itself cut short is not
 * reassembled: its bytes are not all there.
 */
#include <string.h>

#include "capture/decode_internal.h"

enum {
	IPPROTO_HOPOPTS_ = 0,
	IPPROTO_ICMP_ = 1,
	IPPROTO_IPIP_ = 4,
	IPPROTO_TCP_ = 6,
	IPPROTO_UDP_ = 17,
	IPPROTO_IPV6_ = 41,
	IPPROTO_ROUTING_ = 43,
	IPPROTO_FRAGMENT_ = 44,
	IPPROTO_GRE_ = 47,
	IPPROTO_ESP_ = 50,
	IPPROTO_AH_ = 51,
	IPPROTO_ICMPV6_ = 58,
	IPPROTO_NONE_ = 59,
	IPPROTO_DSTOPTS_ = 60,
	IPPROTO_MOBILITY_ = 135,
	IPPROTO_HIP_ = 139,
	IPPROTO_SHIM6_ = 140,
	IPPROTO_SCTP_ = 132,
};

/* One fragment into reassembly; decode the datagram if it completes. */
static void frag_add(dec_ctx *c, const dec_ip *ip, uint8_t proto, uint32_t id,
		     uint32_t off, bool more, sv data, dec_layer layer)
{
	cap_decoder *d = c->d;
	if (c->want) {
		c->wanted = true;   /* reassembly holds the piece */
		return;
	}
	d->st.fragments++;
	if (ip->partial)
		return; /* truncation counted by the IP layer */
	if (c->reasm_nest >= DEC_MAX_TUNNELS) {
		dec_malformed(c, layer);
		return;
	}
	ipfrag_key k;
	memset(&k, 0, sizeof(k));
	k.input = c->f->source;
	k.id = id;
	k.family = ip->family == EP_IPV6 ? 6 : 4;
	k.proto = proto;
	memcpy(k.src, ip->src, sizeof(k.src));
	memcpy(k.dst, ip->dst, sizeof(k.dst));
	sv whole;
	switch (ipfrag_add(d->frag, &k, off, more, data, c->f->num, c->f->ts_ns, &whole)) {
	case IPFRAG_COMPLETE: {
		d->st.reassembled++;
		bool was = c->reassembled;
		dec_ip inner = *ip;
		inner.partial = false;
		c->reassembled = true;
		c->reasm_nest++;
		dec_ip_proto(c, &inner, proto, whole);
		c->reasm_nest--;
		c->reassembled = was;
		break;
	}
	case IPFRAG_BAD:
		dec_malformed(c, layer);
		break;
	case IPFRAG_HELD:
		break;
	}
}

/* ICMP / ICMPv6 errors quote the start of the datagram that caused them. */
static void icmp_decode(dec_ctx *c, sv v, bool v6)
{
	if (c->quoted)
		return; /* errors about errors are never sent; do not recurse */
	rd r = rd_make(v);
	uint8_t type, code;
	if (!rd_u8(&r, &type) || !rd_u8(&r, &code) || !rd_skip(&r, 6)) {
		dec_short(c, DEC_L_ICMP);
		return;
	}
	bool error = v6 ? (type >= 1 && type <= 4)
			: (type == 3 || type == 4 || type == 5 || type == 11 || type == 12);
	if (!error)
		return;
	c->quoted = true;
	c->icmp_type = type;
	c->icmp_code = code;
	if (v6)
		dec_ipv6(c, rd_rest(&r));
	else
		dec_ipv4(c, rd_rest(&r));
	c->quoted = false;
	c->icmp_type = c->icmp_code = 0;
}

/* IP-in-IP: the inner header is one tunnel further in. */
static void ipip_decode(dec_ctx *c, sv v, bool v6)
{
	if (!dec_tunnel_enter(c))
		return;
	if (v6)
		dec_ipv6(c, v);
	else
		dec_ipv4(c, v);
	dec_tunnel_leave(c);
}

static void other_transport(dec_ctx *c)
{
	if (!c->quoted)
		c->d->st.other_transport++;
}

void dec_ip_proto(dec_ctx *c, const dec_ip *ip, uint8_t proto, sv v)
{
	rd r = rd_make(v);
	bool v6 = ip->family == EP_IPV6;
	for (;;) {
		switch (proto) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_MOBILITY_:
		case IPPROTO_HIP_:
		case IPPROTO_SHIM6_: {
			if (!v6) {
				other_transport(c);
				return;
			}
			uint8_t nh, len;
			if (!rd_u8(&r, &nh) || !rd_u8(&r, &len) || !rd_skip(&r, (size_t)len * 8 + 6)) {
				dec_short(c, DEC_L_IPV6_EXT);
				return;
			}
			proto = nh;
			continue;
		}
		case IPPROTO_AH_: {
			uint8_t nh, len;
			if (!rd_u8(&r, &nh) || !rd_u8(&r, &len) || !rd_skip(&r, ((size_t)len + 2) * 4 - 2)) {
				dec_short(c, v6 ? DEC_L_IPV6_EXT : DEC_L_IPV4);
				return;
			}
			proto = nh;
			continue;
		}
		case IPPROTO_FRAGMENT_: {
			if (!v6) {
				other_transport(c);
				return;
			}
			uint8_t nh, reserved;
			uint16_t offlg;
			uint32_t id;
			if (!rd_u8(&r, &nh) || !rd_u8(&r, &reserved) || !rd_u16be(&r, &offlg) ||
			    !rd_u32be(&r, &id)) {
				dec_short(c, DEC_L_IPV6_EXT);
				return;
			}
			uint32_t off = offlg & 0xFFF8;
			bool more = offlg & 1;
			if (off == 0 && (!more || c->quoted)) {
				/* An atomic fragment (RFC 6946), or the first
				 * fragment of a quote: what follows is readable. */
				proto = nh;
				continue;
			}
			if (!c->quoted)
				frag_add(c, ip, nh, id, off, more, rd_rest(&r), DEC_L_FRAG6);
			return;
		}
		case IPPROTO_UDP_:
			dec_udp(c, ip, rd_rest(&r));
			return;
		case IPPROTO_TCP_:
			dec_tcp(c, ip, rd_rest(&r));
			return;
		case IPPROTO_SCTP_:
			dec_sctp(c, ip, rd_rest(&r));
			return;
		case IPPROTO_ICMP_:
		case IPPROTO_ICMPV6_:
			if (v6 != (proto == IPPROTO_ICMPV6_)) {
				other_transport(c);
				return;
			}
			icmp_decode(c, rd_rest(&r), v6);
			return;
		case IPPROTO_IPIP_:
		case IPPROTO_IPV6_:
			ipip_decode(c, rd_rest(&r), proto == IPPROTO_IPV6_);
			return;
		case IPPROTO_GRE_:
			if (dec_tunnel_enter(c)) {
				dec_gre(c, rd_rest(&r));
				dec_tunnel_leave(c);
			}
			return;
		case IPPROTO_ESP_:
			other_transport(c);
			if (!c->quoted)
				dec_note_add(c, DEC_NOTE_ESP, 0);
			return;
		case IPPROTO_NONE_:
			return;
		default:
			other_transport(c);
			return;
		}
	}
}

void dec_ipv4(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint8_t vihl, tos, ttl, proto;
	uint16_t totlen, id, frag, csum;
	sv src, dst;
	if (!rd_u8(&r, &vihl)) {
		dec_short(c, DEC_L_IPV4);
		return;
	}
	if ((vihl >> 4) != 4 || (vihl & 0x0F) < 5) {
		dec_malformed(c, DEC_L_IPV4);
		return;
	}
	size_t hlen = (size_t)(vihl & 0x0F) * 4;
	if (!rd_u8(&r, &tos) || !rd_u16be(&r, &totlen) || !rd_u16be(&r, &id) ||
	    !rd_u16be(&r, &frag) || !rd_u8(&r, &ttl) || !rd_u8(&r, &proto) ||
	    !rd_u16be(&r, &csum) || !rd_bytes(&r, 4, &src) || !rd_bytes(&r, 4, &dst) ||
	    !rd_skip(&r, hlen - 20)) {
		dec_short(c, DEC_L_IPV4);
		return;
	}
	dec_ip ip = { .family = EP_IPV4 };
	memcpy(ip.src, src.p, 4);
	memcpy(ip.dst, dst.p, 4);
	if (totlen == 0) {
		/* Sent with segmentation offload and captured before the
		 * NIC filled the length in: the captured bytes are it. */
	} else if (totlen < hlen) {
		dec_malformed(c, DEC_L_IPV4);
		return;
	} else if (totlen > v.len) {
		ip.partial = true;
		dec_truncated(c, DEC_L_IPV4);
	} else {
		v = sv_head(v, totlen); /* drop link-layer padding / trailers */
	}
	sv payload = sv_skip(v, hlen);

	uint32_t off = (uint32_t)(frag & 0x1FFF) * 8;
	bool more = frag & 0x2000;
	if (off == 0 && !more) {
		dec_ip_proto(c, &ip, proto, payload);
		return;
	}
	if (c->quoted) {
		/* Never reassemble quotes; a first fragment is readable. */
		if (off == 0)
			dec_ip_proto(c, &ip, proto, payload);
		return;
	}
	frag_add(c, &ip, proto, id, off, more, payload, DEC_L_FRAG4);
}

void dec_ipv6(dec_ctx *c, sv v)
{
	rd r = rd_make(v);
	uint32_t vtcfl;
	uint16_t plen;
	uint8_t nh, hlim;
	sv src, dst;
	if (!rd_u32be(&r, &vtcfl)) {
		dec_short(c, DEC_L_IPV6);
		return;
	}
	if ((vtcfl >> 28) != 6) {
		dec_malformed(c, DEC_L_IPV6);
		return;
	}
	if (!rd_u16be(&r, &plen) || !rd_u8(&r, &nh) || !rd_u8(&r, &hlim) ||
	    !rd_bytes(&r, 16, &src) || !rd_bytes(&r, 16, &dst)) {
		dec_short(c, DEC_L_IPV6);
		return;
	}
	dec_ip ip = { .family = EP_IPV6 };
	memcpy(ip.src, src.p, 16);
	memcpy(ip.dst, dst.p, 16);
	sv payload = rd_rest(&r);
	if (plen == 0) {
		/* A jumbogram, or segmentation offload: take what is there. */
	} else if (plen > payload.len) {
		ip.partial = true;
		dec_truncated(c, DEC_L_IPV6);
	} else {
		payload = sv_head(payload, plen);
	}
	dec_ip_proto(c, &ip, nh, payload);
}

void dec_ip_any(dec_ctx *c, sv v, dec_layer layer)
{
	int b = sv_at(v, 0);
	if (b < 0)
		dec_short(c, layer);
	else if ((b >> 4) == 4)
		dec_ipv4(c, v);
	else if ((b >> 4) == 6)
		dec_ipv6(c, v);
	else
		dec_malformed(c, layer);
}
