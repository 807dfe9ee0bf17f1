/*
 * hep.h — HEP (Homer Encapsulation Protocol) input: SIP that capture
 * agents (Kamailio's siptrace, heplify, sngrep, captagent) send over UDP,
 * turned into frames the rest of the pipeline reads like captured ones.
 *
 * Versions: HEPv3 ("HEP3", a total length, then chunks of vendor id, type
 * and length, all big-endian) and HEPv1/v2 (a fixed header: version,
 * length, family, protocol, ports, addresses; v2 adds seconds,
 * microseconds and a capture id in the sender's byte order, which every
 * known sender writes little-endian, padded to 12 bytes or packed to 10).
 *
 * Each HEP packet becomes one raw-IP frame (LINKTYPE_RAW): an IPv4 or IPv6
 * header and a UDP, TCP or SCTP header built around the payload, with the
 * original addresses, ports and timestamp that HEP carried, so decoding,
 * TCP reassembly and the model need nothing new.  TCP payloads get
 * sequence numbers that continue per flow, so a stream carried in several
 * HEP packets is put back together as captured.  Only payload type 1
 * (SIP) is handed on; the other types (RTCP, logs, QoS reports, ...) are
 * counted.  Checksums: IPv4, UDP and TCP are computed; SCTP's is zero.
 *
 * Every byte of a datagram is hostile: parsing reads only through rd_*
 * readers, checks every chunk length against the packet's total length and
 * the fixed-size chunks against their size, and never trusts a length to
 * fit the datagram.
 */
#ifndef SIPSCOPE_CAPTURE_HEP_H
#define SIPSCOPE_CAPTURE_HEP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/bytes.h"

enum { CAP_HEP_PAYLOAD_SIP = 1 };

typedef struct cap_hep_packet {
	uint8_t version;      /* 1, 2 or 3 */
	uint8_t family;       /* 4 or 6 */
	uint8_t ip_proto;     /* as carried: 17 UDP, 6 TCP, 132 SCTP, others */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint16_t sport, dport;
	bool has_ts;          /* false: HEPv1, or HEPv3 without chunk 9 */
	int64_t ts_ns;
	uint8_t payload_type; /* HEPv3 chunk 11; 1 (SIP) for v1/v2 and when absent */
	uint32_t capture_id;
	bool compressed;      /* HEPv3 chunk 16: a compressed payload (not read) */
	sv payload;           /* view into the datagram */
} cap_hep_packet;

typedef enum {
	CAP_HEP_OK = 0,
	CAP_HEP_NOT_HEP,   /* no HEPv3 magic and no plausible v1/v2 header */
	CAP_HEP_MALFORMED, /* a length or chunk that cannot be right */
} cap_hep_rc;

/* Parses the HEP packet at the start of data.  *used is the bytes it
 * takes (HEPv3: its total length, so a datagram may hold several; v1/v2:
 * all of data).  On failure *why says what was wrong (a static string). */
cap_hep_rc cap_hep_parse(sv data, cap_hep_packet *out, size_t *used, const char **why);

/* ---- frames ------------------------------------------------------------- */

/* Per-flow TCP sequence numbers, so consecutive payloads of a flow form
 * one stream.  Bounded: past a few hundred thousand flows it starts again
 * (new flows then start far from where the old ones were). */
typedef struct cap_hep_flows cap_hep_flows;

cap_hep_flows *cap_hep_flows_new(void);
void cap_hep_flows_free(cap_hep_flows *f);

/* Length of the raw-IP frame for p; 0 when it cannot be built (payload
 * too large for the IP length field). */
uint32_t cap_hep_frame_len(const cap_hep_packet *p);
/* Writes that frame into buf (cap_hep_frame_len(p) bytes). */
void cap_hep_frame_build(const cap_hep_packet *p, cap_hep_flows *flows, uint8_t *buf);

/* ---- the UDP listener --------------------------------------------------- */

typedef struct cap_hep_stats {
	uint64_t datagrams;
	uint64_t packets;      /* HEP packets parsed */
	uint64_t sip;          /* handed on as frames */
	uint64_t other_types;  /* payload types other than SIP */
	uint64_t compressed;   /* compressed payloads (not supported) */
	uint64_t not_hep;      /* datagrams that are not HEP at all */
	uint64_t malformed;    /* HEP packets with damage */
	uint64_t too_large;    /* payloads that do not fit an IP packet */
	uint64_t socket_drops; /* datagrams the kernel dropped (receive buffer full) */
} cap_hep_stats;

typedef struct cap_hep_listener cap_hep_listener;

#define CAP_HEP_ERROR (cap_hep_error_quark())
GQuark cap_hep_error_quark(void);

typedef enum {
	CAP_HEP_ERROR_SPEC,   /* the listener spec cannot be understood */
	CAP_HEP_ERROR_SOCKET, /* the socket cannot be opened or bound */
} cap_hep_error_code;

/* spec: "udp:ADDR:PORT" ("udp:" may be left out; "[v6]:PORT" for IPv6).
 * Binds the socket (before privileges are dropped).  NULL + *err with one
 * line on failure: a bad spec, an address in use, a port that needs
 * privileges. */
cap_hep_listener *cap_hep_listen(const char *spec, GError **err);
void cap_hep_listener_free(cap_hep_listener *l);
int cap_hep_listener_fd(const cap_hep_listener *l);
/* "udp:127.0.0.1:9060" as given. */
const char *cap_hep_listener_name(const cap_hep_listener *l);

/* Called for each SIP frame built: its arrival or HEP timestamp and its
 * bytes (valid only during the call: copy what you keep). */
typedef void (*cap_hep_frame_fn)(void *user, int64_t ts_ns, sv frame);

/* Reads the datagrams waiting on the socket (at most max; it does not
 * block) and hands on each SIP packet as a frame.  Returns the number of
 * datagrams read; -1 with errno on a socket error. */
int cap_hep_listener_drain(cap_hep_listener *l, unsigned max, cap_hep_frame_fn fn, void *user);
/* Counters; written by the thread that drains, so read them there or
 * after it stopped (or accept a slightly stale view). */
const cap_hep_stats *cap_hep_listener_stats(const cap_hep_listener *l);

#endif
