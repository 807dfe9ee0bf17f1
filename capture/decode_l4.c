/*
 * decode_l4.c — UDP, TCP and SCTP: endpoints, and the transport payloads
 * handed to the callback.
 *
 * TCP segments are handed on even when they carry no data, so the stream
 * layer sees SYN, FIN and RST.  SCTP packets yield one payload per user
 * message: a whole DATA or I-DATA chunk, or fragments put together by
 * sctp_reasm (handed on from the frame whose chunk completed the message);
 * retransmitted chunks are handed on once.  Inside an ICMP quote, whatever
 * was quoted is handed on, however short, and fragments are left alone.
 */
#include <string.h>

#include "capture/decode_internal.h"
#include "capture/sctp_reasm.h"

enum {
	UDP_PORT_GTPU = 2152,
	UDP_PORT_VXLAN = 4789,
};

enum {
	SCTP_DATA = 0,
	SCTP_IDATA = 64,
};

static void endpoints_set(cap_payload *pl, const dec_ip *ip, uint16_t sport, uint16_t dport)
{
	size_t alen = ip->family == EP_IPV6 ? 16 : 4;
	pl->src.family = pl->dst.family = ip->family;
	memcpy(pl->src.addr, ip->src, alen);
	memcpy(pl->dst.addr, ip->dst, alen);
	pl->src.port = sport;
	pl->dst.port = dport;
}

void dec_udp(dec_ctx *c, const dec_ip *ip, sv v)
{
	rd r = rd_make(v);
	uint16_t sport, dport, len, csum;
	if (!rd_u16be(&r, &sport) || !rd_u16be(&r, &dport) || !rd_u16be(&r, &len) ||
	    !rd_u16be(&r, &csum)) {
		dec_short(c, DEC_L_UDP);
		return;
	}
	sv data = rd_rest(&r);
	if (len == 0 && ip->family == EP_IPV6) {
		/* jumbogram: the IPv6 layer's length holds */
	} else if (len < 8) {
		dec_malformed(c, DEC_L_UDP);
		return;
	} else if (len - 8u <= data.len) {
		data = sv_head(data, len - 8u);
	} else {
		dec_truncated(c, DEC_L_UDP);
	}
	if ((sport == UDP_PORT_GTPU || dport == UDP_PORT_GTPU) && dec_gtpu(c, data))
		return;
	if ((sport == UDP_PORT_VXLAN || dport == UDP_PORT_VXLAN) && dec_vxlan(c, data))
		return;
	cap_payload pl = { .proto = CAP_PROTO_UDP, .data = data };
	endpoints_set(&pl, ip, sport, dport);
	dec_emit(c, &pl);
}

void dec_tcp(dec_ctx *c, const dec_ip *ip, sv v)
{
	rd r = rd_make(v);
	uint16_t sport, dport, win, csum, urg;
	uint32_t seq, ack;
	uint8_t offres, flags;
	if (!rd_u16be(&r, &sport) || !rd_u16be(&r, &dport) || !rd_u32be(&r, &seq)) {
		dec_short(c, DEC_L_TCP);
		return;
	}
	cap_payload pl = { .proto = CAP_PROTO_TCP, .tcp_seq = seq };
	endpoints_set(&pl, ip, sport, dport);
	if (!rd_u32be(&r, &ack) || !rd_u8(&r, &offres) || !rd_u8(&r, &flags) ||
	    !rd_u16be(&r, &win) || !rd_u16be(&r, &csum) || !rd_u16be(&r, &urg)) {
		/* An ICMP quote often holds only ports and sequence. */
		if (c->quoted)
			dec_emit(c, &pl);
		else
			dec_short(c, DEC_L_TCP);
		return;
	}
	pl.tcp_flags = flags & (CAP_TCP_FIN | CAP_TCP_SYN | CAP_TCP_RST | CAP_TCP_PSH | CAP_TCP_ACK);
	unsigned doff = offres >> 4;
	if (doff < 5) {
		dec_malformed(c, DEC_L_TCP);
		return;
	}
	if (!rd_skip(&r, (size_t)doff * 4 - 20)) {
		if (c->quoted)
			dec_emit(c, &pl);
		else
			dec_short(c, DEC_L_TCP);
		return;
	}
	pl.data = rd_rest(&r);
	dec_emit(c, &pl);
}

/* One DATA or I-DATA chunk's value (after type, flags and length); cut:
 * the capture cut it short. */
static void sctp_data(dec_ctx *c, const dec_ip *ip, uint16_t sport, uint16_t dport,
		      uint32_t vtag, uint8_t type, uint8_t flags, sv chunk, bool cut)
{
	rd r = rd_make(chunk);
	uint32_t tsn, ppid, mid = 0;
	uint16_t sid, ssn;
	bool ok = rd_u32be(&r, &tsn) && rd_u16be(&r, &sid) && rd_u16be(&r, &ssn);
	if (ok && type == SCTP_IDATA)
		ok = rd_u32be(&r, &mid);
	if (ok)
		ok = rd_u32be(&r, &ppid); /* I-DATA: PPID when B is set, else FSN */
	if (!ok) {
		if (!c->quoted)
			dec_malformed(c, DEC_L_SCTP);
		return;
	}
	bool whole = (flags & (SCTP_CHUNK_B | SCTP_CHUNK_E)) == (SCTP_CHUNK_B | SCTP_CHUNK_E);
	cap_payload pl = {
		.proto = CAP_PROTO_SCTP,
		.data = rd_rest(&r),
		.sctp_ppid = ppid,
		.sctp_stream = sid,
	};
	endpoints_set(&pl, ip, sport, dport);
	if (c->want && !c->quoted) {
		c->wanted = true;   /* reassembly may hold the chunk */
		return;
	}
	/* A quote repeats an earlier packet; a cut chunk lacks bytes. */
	if (c->quoted || cut) {
		if (whole)
			dec_emit(c, &pl);
		else if (!c->quoted)
			sctp_reasm_discard(c->d->sctp, c->f->num);
		return;
	}
	bool idata = type == SCTP_IDATA;
	sctp_chunk ch = {
		.idata = idata,
		.flags = flags,
		.tsn = tsn,
		.sid = sid,
		.ssn = ssn,
		.mid = mid,
		.ppid = idata && !(flags & SCTP_CHUNK_B) ? 0 : ppid,
		.fsn = idata && !(flags & SCTP_CHUNK_B) ? ppid : 0,
		.data = pl.data,
	};
	sctp_dir_key k = {
		.input = c->f->source,
		.vtag = vtag,
		.sport = sport,
		.dport = dport,
		.family = ip->family,
	};
	size_t alen = ip->family == EP_IPV6 ? 16 : 4;
	memcpy(k.src, ip->src, alen);
	memcpy(k.dst, ip->dst, alen);
	sctp_message m;
	switch (sctp_reasm_add(c->d->sctp, &k, &ch, c->f->num, &m)) {
	case SCTP_REASM_COMPLETE:
		pl.data = m.data;
		pl.sctp_ppid = m.ppid;
		pl.sctp_stream = m.sid;
		dec_emit(c, &pl);
		break;
	case SCTP_REASM_BAD:
		dec_malformed(c, DEC_L_SCTP);
		break;
	case SCTP_REASM_HELD:
	case SCTP_REASM_DUPLICATE:
	case SCTP_REASM_DROPPED:
		break;
	}
}

void dec_sctp(dec_ctx *c, const dec_ip *ip, sv v)
{
	rd r = rd_make(v);
	uint16_t sport, dport;
	uint32_t vtag, csum;
	if (!rd_u16be(&r, &sport) || !rd_u16be(&r, &dport) || !rd_u32be(&r, &vtag) ||
	    !rd_u32be(&r, &csum)) {
		dec_short(c, DEC_L_SCTP);
		return;
	}
	/* A cut chunk is handed on as far as it goes (like a cut UDP
	 * datagram) when the capture cut it; otherwise its length lies. */
	bool may_be_cut = c->quoted || (c->snap_cut && !c->reassembled);
	while (rd_left(&r) > 0) {
		uint8_t type, flags;
		uint16_t len;
		if (!rd_u8(&r, &type) || !rd_u8(&r, &flags) || !rd_u16be(&r, &len)) {
			dec_short(c, DEC_L_SCTP);
			return;
		}
		if (len < 4) {
			if (!c->quoted)
				dec_malformed(c, DEC_L_SCTP);
			return;
		}
		sv chunk;
		bool cut = false;
		if (!rd_bytes(&r, len - 4u, &chunk)) {
			if (!may_be_cut) {
				dec_malformed(c, DEC_L_SCTP);
				return;
			}
			dec_truncated(c, DEC_L_SCTP);
			chunk = rd_rest(&r);
			cut = true;
		}
		if (type == SCTP_DATA || type == SCTP_IDATA)
			sctp_data(c, ip, sport, dport, vtag, type, flags, chunk, cut);
		if (cut)
			return;
		size_t pad = (4u - (len & 3u)) & 3u;
		rd_skip(&r, pad <= rd_left(&r) ? pad : rd_left(&r));
	}
}
