/*
 * capwrite.h — a tiny writer of pcap and pcapng captures for unit tests.
 *
 * A test states its capture in the test: build it in memory from frame
 * bytes, then read the bytes back (capw_bytes) or put them in a temporary
 * file (capw_write_temp) for cap_source_open.
 *
 * Classic pcap: microsecond or nanosecond magic, either byte order, or the
 * "modified" format.  pcapng: any number of sections (each may have its own
 * byte order), interfaces with their own link type, snaplen, if_tsresol and
 * if_tsoffset, Enhanced/Simple/obsolete Packet Blocks, and any other block
 * given as type + body.  Every block is written well-formed; tests that
 * need damage cut or patch the bytes (capw_bytes_mut) afterwards.
 *
 * Byte order is chosen explicitly (CAPW_BE, otherwise little-endian) so the
 * bytes a test writes do not depend on the machine.
 */
#ifndef SIPSCOPE_TESTS_CAPWRITE_H
#define SIPSCOPE_TESTS_CAPWRITE_H

#include <glib.h>
#include <stdint.h>

#include "base/bytes.h"

typedef struct capw capw;

enum {
	CAPW_BE = 1 << 0,       /* big-endian (default little-endian) */
	CAPW_NSEC = 1 << 1,     /* classic pcap: nanosecond magic a1b23c4d */
	CAPW_MODIFIED = 1 << 2, /* classic pcap: a1b2cd34, 24-byte record headers */
};

/* pcapng option values for capw_pcapng_interface(): no if_tsresol option
 * (the reader's default, 10^-6). */
#define CAPW_TSRESOL_NONE (-1)

/* ---- classic pcap ----------------------------------------------------- */

/* A pcap file header (version 2.4) with this link type field and snaplen
 * (0 picks 262144). */
capw *capw_pcap_new(uint32_t linktype, uint32_t snaplen, unsigned flags);
/* A record.  ts_ns is written as seconds + µs (truncated) or ns as the
 * magic says; wirelen 0 means len. */
void capw_pcap_add(capw *w, int64_t ts_ns, const void *data, size_t len, uint32_t wirelen);
/* A record with every header field given as is (lengths may lie). */
void capw_pcap_add_raw(capw *w, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen,
                       const void *data, size_t len);

/* ---- pcapng ----------------------------------------------------------- */

/* A file starting with a Section Header Block (CAPW_BE for big-endian). */
capw *capw_pcapng_new(unsigned flags);
/* Another section: a new SHB in its own byte order; interface numbers
 * start again at 0. */
void capw_pcapng_section(capw *w, unsigned flags);
/* An Interface Description Block; returns its id within the section.
 * tsresol is the if_tsresol byte (bit 7 clear: 10^-n, set: 2^-n) or
 * CAPW_TSRESOL_NONE; tsoffset (seconds) is written as if_tsoffset when not
 * 0.  An if_name option comes first so readers must skip options. */
guint capw_pcapng_interface(capw *w, uint32_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset);
/* An Enhanced Packet Block; ts_ns (since the epoch) is converted to the
 * interface's units after taking off its if_tsoffset.  wirelen 0 means
 * len. */
void capw_pcapng_epb(capw *w, guint iface, int64_t ts_ns, const void *data, size_t len, uint32_t wirelen);
/* The same with the timestamp given in the interface's units. */
void capw_pcapng_epb_raw(capw *w, guint iface, uint64_t ts_units, const void *data, size_t len,
                         uint32_t wirelen);
/* An obsolete Packet Block (type 2), timestamp in the interface's units. */
void capw_pcapng_pb_raw(capw *w, guint iface, uint64_t ts_units, const void *data, size_t len,
                        uint32_t wirelen);
/* A Simple Packet Block (interface 0, no timestamp); wirelen 0 means len.
 * Only min(wirelen, snaplen) bytes are stored, as the format requires. */
void capw_pcapng_spb(capw *w, const void *data, size_t len, uint32_t wirelen);
/* Any block: type, then body padded to 4 bytes (e.g. 4 = NRB, 5 = ISB,
 * 0x0BAD = custom, or an unknown type). */
void capw_pcapng_block(capw *w, uint32_t type, const void *body, size_t len);

/* ---- either ----------------------------------------------------------- */

/* Appends raw bytes (damage, garbage between blocks). */
void capw_append(capw *w, const void *p, size_t len);
/* The file so far: valid until the next call that adds to w. */
sv capw_bytes(const capw *w);
uint8_t *capw_bytes_mut(capw *w, size_t *len);
/* Offset at which the next record/block will start (= current size). */
size_t capw_size(const capw *w);

/* Writes the bytes to path. */
gboolean capw_write(const capw *w, const char *path, GError **err);
/* Writes len bytes to a new temporary file and returns its path (g_free
 * it; the caller removes the file, e.g. with capw_unlink_free). */
char *capw_temp_file(const void *p, size_t len);
/* capw_temp_file of the whole capture. */
char *capw_write_temp(const capw *w);
/* Removes the file and frees the path (NULL is fine). */
void capw_unlink_free(char *path);

void capw_free(capw *w);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(capw, capw_free)

#endif
