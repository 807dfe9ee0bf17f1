/*
 * sdp.h — a session description (RFC 4566 / RFC 8866) parsed into views.
 *
 * Zero-copy and allocation-free like the SIP parser: the caller owns a
 * (large, reusable) sdp_session, every sv points into the body it was
 * given.  Capacities are fixed; what does not fit is counted and warned
 * about, never written out of bounds.  Lines may end in CRLF or LF alone.
 * Malformed lines become warnings (sip_warning, formatted by
 * sip_warning_format) and parsing goes on with the next line.
 *
 * Only the counters and scalar fields are cleared on each parse: an array
 * entry is meaningful only below its n_* counter.
 */
#ifndef SIPSCOPE_DISSECT_SDP_H
#define SIPSCOPE_DISSECT_SDP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bytes.h"
#include "dissect/sip.h"

enum {
	SDP_MAX_MEDIA = 16,
	SDP_MAX_RTPMAP = 32,   /* per media */
	SDP_MAX_FMTP = 32,     /* per media */
	SDP_MAX_ATTRS = 32,    /* generic a= lines kept per level */
	SDP_MAX_BANDWIDTH = 4, /* b= lines per level */
	SDP_MAX_WARNINGS = 16,
};

typedef enum {
	SDP_DIR_NONE = 0,     /* no direction attribute (at this level) */
	SDP_DIR_SENDRECV,
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
} sdp_dir;

typedef struct sdp_conn {
	bool present;
	sv nettype, addrtype; /* "IN", "IP4" / "IP6" */
	sv address;           /* without "/ttl/count" */
	sv ttl, count;        /* SV_NULL when absent (IPv6 has no ttl: its first suffix is the count) */
} sdp_conn;

typedef struct sdp_attr {
	sv name;
	sv value;             /* after the first ':'; empty when has_value is false */
	bool has_value;
} sdp_attr;

typedef struct sdp_bandwidth {
	sv type;              /* CT, AS, TIAS, ... */
	uint32_t kbps;        /* the value as written (kb/s except TIAS, b/s) */
} sdp_bandwidth;

typedef struct sdp_rtpmap {
	uint8_t pt;
	sv encoding;          /* "PCMU", "opus", ... */
	uint32_t clock_rate;
	uint8_t channels;     /* 0 when not given (meaning 1 for audio) */
} sdp_rtpmap;

typedef struct sdp_fmtp {
	sv fmt;               /* the format the parameters belong to */
	sv params;
} sdp_fmtp;

typedef struct sdp_media {
	unsigned line;        /* line number of the m= line */
	sv media;             /* audio, video, application, ... */
	uint16_t port;
	uint16_t port_count;  /* 1 when not given */
	sv proto;             /* RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVPF, ... */
	sv fmts;              /* the format list as written (see sdp_fmt_next) */
	unsigned n_fmts;
	sv info;              /* i= (SV_NULL when none) */
	sdp_conn conn;        /* this media's own c= */
	sdp_dir dir;          /* effective: own attribute, else the session's, else sendrecv */
	bool dir_explicit;    /* the media carried its own direction attribute */
	bool has_rtcp;        /* a=rtcp */
	uint16_t rtcp_port;
	sv rtcp;              /* the a=rtcp value */
	bool has_ptime;
	uint32_t ptime;       /* ms */
	unsigned n_crypto;    /* a=crypto lines (SDES-SRTP) */
	unsigned n_bw;
	unsigned n_rtpmap, n_rtpmap_dropped;
	unsigned n_fmtp, n_fmtp_dropped;
	unsigned n_attrs, n_attrs_dropped;
	/* arrays last: only the part above is cleared for each new media */
	sdp_bandwidth bw[SDP_MAX_BANDWIDTH];
	sdp_rtpmap rtpmap[SDP_MAX_RTPMAP];
	sdp_fmtp fmtp[SDP_MAX_FMTP];
	sdp_attr attrs[SDP_MAX_ATTRS];
} sdp_media;

typedef struct sdp_origin {
	bool present;
	sv username, sess_id, sess_version, nettype, addrtype, address;
} sdp_origin;

typedef struct sdp_session {
	sv raw;
	unsigned n_lines;
	sv version;           /* v= value (SV_NULL when missing) */
	sdp_origin origin;
	sv name;              /* s= */
	sv info;              /* i= */
	sv uri;               /* u= */
	sdp_conn conn;        /* session-level c= */
	bool has_time;
	sv time_start, time_stop; /* first t= */
	sdp_dir dir;          /* session-level direction attribute (SDP_DIR_NONE when none) */
	unsigned n_bw;
	unsigned n_attrs, n_attrs_dropped;
	unsigned n_media, n_media_dropped;
	unsigned n_warnings, n_warnings_dropped;
	sip_warning warnings[SDP_MAX_WARNINGS];
	sdp_bandwidth bw[SDP_MAX_BANDWIDTH];
	sdp_attr attrs[SDP_MAX_ATTRS];
	sdp_media media[SDP_MAX_MEDIA];
} sdp_session;

/* Never fails; an empty or non-SDP body gives warnings and no media. */
void sdp_parse(sv body, sdp_session *s);

/* "sendrecv", "sendonly", "recvonly", "inactive", "" */
const char *sdp_dir_name(sdp_dir d);
/* Next format token of a fmts list. */
bool sdp_fmt_next(sv *rest, sv *fmt);
/* The a=rtpmap of a payload type, or NULL. */
const sdp_rtpmap *sdp_media_rtpmap(const sdp_media *m, unsigned pt);
/* Encoding and clock rate of an RFC 3551 static payload type, or NULL. */
const char *sdp_static_encoding(unsigned pt, uint32_t *clock_rate);
/* First attribute with this name (case-sensitive, as RFC 4566 says). */
bool sdp_media_attr(const sdp_media *m, const char *name, sv *value);
bool sdp_session_attr(const sdp_session *s, const char *name, sv *value);
/* The connection that applies to a media: its own c=, else the session's (NULL if none). */
const sdp_conn *sdp_media_conn(const sdp_session *s, const sdp_media *m);

#endif
