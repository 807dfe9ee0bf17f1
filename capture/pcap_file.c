/*
 * pcap_file.c — classic pcap ("libpcap format") reader.
 *
 * File header (24 bytes): magic, version 2.4, thiszone, sigfigs, snaplen,
 * and the link type field.  The magic tells the byte order and whether the
 * record timestamps carry micro- (a1b2c3d4) or nanoseconds (a1b23c4d);
 * a1b2cd34 is the "modified" format of old patched Linux libpcaps, whose
 * record headers carry 8 more bytes (ifindex, protocol, packet type).
 *
 * The link type field keeps the LINKTYPE_* value in its low 16 bits; the
 * upper bits may say that frames end with an FCS of a given length.  Frames
 * are handed on as captured, FCS included: decoders go by the lengths in
 * the IP and transport headers, so trailing bytes do no harm.
 *
 * Tolerance follows libpcap and Wireshark: a captured length larger than
 * the original length is accepted as it is (nothing clamped), and only a
 * captured length beyond max(snaplen, 256 KiB) is corrupt, since that is
 * where libpcap gives up.
 */
#include <string.h>

#include "capture/source_impl.h"

enum {
	PCAP_FILE_HDR = 24,
	PCAP_REC_HDR = 16,
	PCAP_REC_HDR_MODIFIED = 24,
	/* libpcap's MAXIMUM_SNAPLEN: no larger record is read whatever the
	 * file says... */
	PCAP_MAX_SNAPLEN = 262144,
	/* ...unless the header's snaplen says so; even then a stream must
	 * not be asked to buffer gigabytes for one bogus record. */
	PCAP_HARD_MAX = 64u << 20,
};

bool cap_pcap_open(cap_source *s, GError **err)
{
	cap_pcap_state *st = &s->pcap;
	sv v;
	if (!cap_input_peek(&s->in, PCAP_FILE_HDR, &v, err))
		return false;
	if (v.len < PCAP_FILE_HDR) {
		g_set_error(err, CAP_ERROR, CAP_ERROR_TRUNCATED, "%s: truncated file header (%zu of %d bytes)",
		            s->in.name, v.len, PCAP_FILE_HDR);
		return false;
	}
	/* Big-endian magics read a1 b2 xx yy, little-endian ones yy xx b2
	 * a1; xx is c3 (µs), 3c (ns) or cd (modified). */
	st->big_endian = sv_at(v, 0) == 0xa1;
	int kind = sv_at(v, st->big_endian ? 2 : 1);
	st->nsec = kind == 0x3c;
	st->hdr_len = kind == 0xcd ? PCAP_REC_HDR_MODIFIED : PCAP_REC_HDR;

	/* Version, thiszone and sigfigs are not looked at: writers put odd
	 * values there and no reader relies on them. */
	rd r = rd_make(sv_skip(v, 16));
	uint32_t snaplen = 0, network = 0;
	cap_rd_u32(&r, st->big_endian, &snaplen);
	cap_rd_u32(&r, st->big_endian, &network);

	st->snaplen = snaplen;
	st->linktype = cap_linktype_normalize(network & 0xffff);
	uint32_t lim = snaplen > PCAP_MAX_SNAPLEN ? snaplen : PCAP_MAX_SNAPLEN;
	st->max_caplen = lim > PCAP_HARD_MAX ? PCAP_HARD_MAX : lim;
	cap_input_consume(&s->in, PCAP_FILE_HDR);
	return true;
}

cap_next_rc cap_pcap_next(cap_source *s, cap_frame *out, GError **err)
{
	const cap_pcap_state *st = &s->pcap;
	uint64_t at = cap_input_offset(&s->in);
	sv v;
	if (!cap_input_peek(&s->in, st->hdr_len, &v, err))
		return CAP_NEXT_ERROR;
	if (v.len == 0)
		return CAP_NEXT_EOF;
	if (v.len < st->hdr_len) {
		cap_source_damage(s, err, CAP_ERROR_TRUNCATED, at, "record", "record %" G_GUINT64_FORMAT,
		                  (guint64)(s->records + 1));
		return CAP_NEXT_ERROR;
	}
	rd r = rd_make(v);
	uint32_t sec = 0, frac = 0, caplen = 0, wirelen = 0;
	cap_rd_u32(&r, st->big_endian, &sec);
	cap_rd_u32(&r, st->big_endian, &frac);
	cap_rd_u32(&r, st->big_endian, &caplen);
	cap_rd_u32(&r, st->big_endian, &wirelen);
	if (caplen > st->max_caplen) {
		cap_source_damage(s, err, CAP_ERROR_CORRUPT, at, "record",
		                  "record %" G_GUINT64_FORMAT ": captured length %u is larger than %u",
		                  (guint64)(s->records + 1), caplen, st->max_caplen);
		return CAP_NEXT_ERROR;
	}
	size_t total = (size_t)st->hdr_len + caplen;
	if (!cap_input_peek(&s->in, total, &v, err))
		return CAP_NEXT_ERROR;
	if (v.len < total) {
		cap_source_damage(s, err, CAP_ERROR_TRUNCATED, at, "record", "record %" G_GUINT64_FORMAT,
		                  (guint64)(s->records + 1));
		return CAP_NEXT_ERROR;
	}
	out->data = cap_input_keep(&s->in, sv_sub(v, st->hdr_len, caplen));
	cap_input_consume(&s->in, total);

	/* Both terms fit easily: < 2^32 * 10^9 + 2^32 * 10^3. */
	out->ts_ns = (int64_t)sec * 1000000000 + (int64_t)frac * (st->nsec ? 1 : 1000);
	out->linktype = st->linktype;
	out->caplen = caplen;
	out->wirelen = wirelen;
	out->record = ++s->records;
	return CAP_NEXT_FRAME;
}
