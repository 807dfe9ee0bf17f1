/*
 * decode_internal.h — what the decoder's layer files share: the decoder
 * object, the per-frame context handed from layer to layer, notices and
 * the entry point of every layer.
 *
 * Each layer takes a view of the bytes it owns (its header and what
 * follows), reads them through an rd reader and hands the rest on.  A
 * layer never looks outside its view, so a lying length field can only
 * shorten what the next layer sees.
 *
 * Recursion: tunnels call back into outer layers (GRE carries Ethernet,
 * which carries IP, which carries GRE ...).  Every tunnel crossing goes
 * through dec_tunnel_enter(), which refuses beyond DEC_MAX_TUNNELS, so
 * the call depth is bounded whatever the packet says.  ICMP errors are
 * never decoded inside an ICMP quote, which bounds that path too.
 */
#ifndef SIPSCOPE_CAPTURE_DECODE_INTERNAL_H
#define SIPSCOPE_CAPTURE_DECODE_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/bytes.h"
#include "capture/decode.h"
#include "capture/ipfrag.h"
#include "capture/sctp_reasm.h"

/* Tunnels crossed before the decoder gives up on a packet. */
enum { DEC_MAX_TUNNELS = 8 };

/* Where something went wrong, for malformed-header notices. */
typedef enum dec_layer {
	DEC_L_LINK,
	DEC_L_ETHERNET,
	DEC_L_VLAN,
	DEC_L_MPLS,
	DEC_L_PPPOE,
	DEC_L_PPP,
	DEC_L_IPV4,
	DEC_L_IPV6,
	DEC_L_IPV6_EXT,
	DEC_L_FRAG4,
	DEC_L_FRAG6,
	DEC_L_ICMP,
	DEC_L_GRE,
	DEC_L_ERSPAN,
	DEC_L_GTP,
	DEC_L_VXLAN,
	DEC_L_UDP,
	DEC_L_TCP,
	DEC_L_SCTP,
	DEC_L_COUNT
} dec_layer;

/* Kinds of notice; each is keyed by (kind, value). */
typedef enum dec_note_kind {
	DEC_NOTE_LINKTYPE,       /* value: link type */
	DEC_NOTE_GRE_PROTO,      /* value: GRE protocol type */
	DEC_NOTE_GRE_VERSION,    /* value: GRE version */
	DEC_NOTE_ERSPAN_VERSION, /* value: ERSPAN header version */
	DEC_NOTE_ERSPAN_FRAME,   /* value: ERSPAN III frame type */
	DEC_NOTE_TUNNEL_DEPTH,   /* value: 0 */
	DEC_NOTE_ESP,            /* value: 0 */
	DEC_NOTE_MPLS_PAYLOAD,   /* value: 0 */
	DEC_NOTE_MALFORMED,      /* value: dec_layer */
	DEC_NOTE_TRUNCATED,      /* value: 0 */
} dec_note_kind;

typedef struct dec_note {
	uint32_t kind;  /* dec_note_kind */
	uint32_t value;
	uint64_t count;
	uint64_t first_frame;
} dec_note;

struct cap_decoder {
	arena *mem;
	cap_payload_fn fn;
	void *user;
	cap_decode_stats st;
	ipfrag_table *frag;
	sctp_reasm *sctp;
	GHashTable *notes; /* dec_note * -> same; keyed by (kind, value) */
};

/* The addresses of the IP header whose payload is being decoded. */
typedef struct dec_ip {
	uint8_t family; /* EP_IPV4 or EP_IPV6 */
	bool partial;   /* the payload is shorter than the header says */
	uint8_t src[16], dst[16];
} dec_ip;

/* Per-frame state passed down the layers. */
typedef struct dec_ctx {
	cap_decoder *d;
	const cap_frame *f;
	uint8_t depth;        /* tunnels crossed so far */
	bool quoted;          /* inside an ICMP error's quote */
	uint8_t icmp_type, icmp_code;
	bool reassembled;     /* bytes come from IP reassembly, not the frame */
	uint8_t reasm_nest;   /* reassemblies completed inside one another */
	bool snap_cut;        /* the frame is shorter than on the wire */
	bool truncated_noted; /* truncation counted for this frame already */
	/* cap_decoder_classify: decode without effects; wanted says whether
	 * something would be kept */
	cap_payload_want_fn want;
	void *want_user;
	bool wanted;
} dec_ctx;

/* decode.c */
void dec_note_add(dec_ctx *c, dec_note_kind kind, uint32_t value);
/* A header that could not be right. */
void dec_malformed(dec_ctx *c, dec_layer layer);
/* A length field runs past the bytes present: counted once per frame as
 * truncated (malformed inside a reassembled datagram, nothing in a quote). */
void dec_truncated(dec_ctx *c, dec_layer layer);
/* A fixed header does not fit in what is left: a cut frame or a lie. */
void dec_short(dec_ctx *c, dec_layer layer);
void dec_not_ip(dec_ctx *c);
void dec_unsupported(dec_ctx *c, dec_note_kind kind, uint32_t value);
/* Fill in what the context knows and hand pl to the callback. */
void dec_emit(dec_ctx *c, cap_payload *pl);
/* Count a tunnel crossing; false (and counted) beyond DEC_MAX_TUNNELS. */
bool dec_tunnel_enter(dec_ctx *c);
void dec_tunnel_leave(dec_ctx *c);

/* decode_link.c */
void dec_link(dec_ctx *c, uint32_t linktype, sv v);
void dec_ether(dec_ctx *c, sv v);
/* v starts after an ethertype field (VLAN tags included, any depth). */
void dec_ethertype(dec_ctx *c, uint16_t type, sv v);
/* v starts at a PPP protocol field (address/control optional). */
void dec_ppp(dec_ctx *c, sv v);

/* decode_ip.c */
void dec_ipv4(dec_ctx *c, sv v);
void dec_ipv6(dec_ctx *c, sv v);
/* By the version nibble; anything else is malformed. */
void dec_ip_any(dec_ctx *c, sv v, dec_layer layer);
/* v is the payload of an IP header (or an IPv6 extension header chain). */
void dec_ip_proto(dec_ctx *c, const dec_ip *ip, uint8_t proto, sv v);

/* decode_tunnel.c */
void dec_gre(dec_ctx *c, sv v);
/* v starts after a GRE header (or a Linux SLL header on an IPGRE device). */
void dec_gre_proto(dec_ctx *c, uint16_t proto, bool seq_present, sv v);
/* UDP payloads on the GTP-U / VXLAN ports: true when consumed. */
bool dec_gtpu(dec_ctx *c, sv v);
bool dec_vxlan(dec_ctx *c, sv v);

/* decode_l4.c */
void dec_udp(dec_ctx *c, const dec_ip *ip, sv v);
void dec_tcp(dec_ctx *c, const dec_ip *ip, sv v);
void dec_sctp(dec_ctx *c, const dec_ip *ip, sv v);

#endif
