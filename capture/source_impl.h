/*
 * source_impl.h — what the format readers behind cap_source share; not for
 * use outside capture/source.c, pcap_file.c and pcapng_file.c.
 *
 * source.c opens the input, recognises the format from the first bytes and
 * hands over to one reader; a reader keeps its state in the cap_source and
 * reports damage with cap_source_damage() so every message reads alike.
 */
#ifndef SIPSCOPE_CAPTURE_SOURCE_IMPL_H
#define SIPSCOPE_CAPTURE_SOURCE_IMPL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/input.h"
#include "capture/source.h"

typedef enum {
	CAP_FMT_PCAP,
	CAP_FMT_PCAPNG,
} cap_format;

/* Classic pcap: one link type, one timestamp resolution per file. */
typedef struct cap_pcap_state {
	bool big_endian;
	bool nsec;          /* a1b23c4d: the fraction is nanoseconds */
	uint32_t hdr_len;   /* 16, or 24 for the "modified" format */
	uint32_t linktype;
	uint32_t snaplen;
	uint32_t max_caplen; /* larger captured lengths are corrupt */
} cap_pcap_state;

/* One pcapng interface (IDB) of the current section. */
typedef struct cap_pcapng_if {
	uint32_t linktype;
	uint32_t snaplen;
	uint8_t tsresol;    /* if_tsresol as written (default 6) */
	int64_t tsoffset;   /* if_tsoffset, seconds */
} cap_pcapng_if;

typedef struct cap_pcapng_state {
	bool big_endian;    /* of the current section */
	GArray *ifs;        /* cap_pcapng_if; cleared at each section */
	int64_t last_ts_ns; /* for Simple Packet Blocks, which have none */
} cap_pcapng_state;

struct cap_source {
	char *path;         /* as given ("-" for standard input) */
	cap_input in;
	cap_format format;
	uint64_t records;   /* packet records handed out */
	bool done;          /* EOF or damage met: every next is EOF */
	cap_pcap_state pcap;
	cap_pcapng_state ng;
};

/* Readers.  open is called with the cursor at byte 0 and the magic known. */
bool cap_pcap_open(cap_source *s, GError **err);
cap_next_rc cap_pcap_next(cap_source *s, cap_frame *out, GError **err);
bool cap_pcapng_open(cap_source *s, GError **err);
cap_next_rc cap_pcapng_next(cap_source *s, cap_frame *out, GError **err);
void cap_pcapng_clear(cap_source *s);

/* "NAME: truncated|corrupt WHAT at byte AT (DETAIL); N records read", code
 * CAP_ERROR_TRUNCATED or CAP_ERROR_CORRUPT. */
void cap_source_damage(const cap_source *s, GError **err, cap_error_code code,
                       uint64_t at, const char *what, const char *detail_fmt, ...)
	G_GNUC_PRINTF(6, 7);

/* "3c 21 44 4f": bytes in hex for messages, cut to fit size. */
void cap_hex(char *buf, size_t size, sv bytes);

/* File-format link type numbers written with the platform's DLT_RAW value
 * (12, or 14 on OpenBSD) by old tools mean raw IP, as libpcap and
 * Wireshark read them. */
static inline uint32_t cap_linktype_normalize(uint32_t lt)
{
	return (lt == 12 || lt == 14) ? LINKTYPE_RAW : lt;
}

/* Saturating helpers for timestamps: a hostile value pins to the end of the
 * range instead of wrapping. */
static inline int64_t cap_ts_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

static inline int64_t cap_ts_secs(int64_t s)
{
	if (s > INT64_MAX / 1000000000)
		return INT64_MAX;
	if (s < INT64_MIN / 1000000000)
		return INT64_MIN;
	return s * 1000000000;
}

/* Reads a 16/32/64-bit field in the given byte order. */
static inline bool cap_rd_u16(rd *r, bool be, uint16_t *out)
{
	return be ? rd_u16be(r, out) : rd_u16le(r, out);
}

static inline bool cap_rd_u32(rd *r, bool be, uint32_t *out)
{
	return be ? rd_u32be(r, out) : rd_u32le(r, out);
}

static inline bool cap_rd_u64(rd *r, bool be, uint64_t *out)
{
	return be ? rd_u64be(r, out) : rd_u64le(r, out);
}

#endif
