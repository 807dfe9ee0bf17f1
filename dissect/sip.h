/*
 * sip.h — one SIP message (RFC 3261 §7, §25) parsed into views.
 *
 * The parser is zero-copy: every sv it fills points into the bytes it was
 * given, which the caller keeps alive.  It allocates nothing: the caller
 * owns a sip_msg (large, reusable) and each parse overwrites it.
 *
 * What it finds: the start line, an index of the header fields (name,
 * value, known-header id, chained by id so every occurrence of a header —
 * long or compact form — can be visited), the summary fields a dialog
 * model needs, and the body as framed by Content-Length.
 *
 * Invariants:
 *  - sip_parse_message never fails and never reads outside raw; anything
 *    wrong becomes a warning, and input that is not SIP at all gets
 *    SIP_KIND_INVALID with a warning saying why.
 *  - A view that is absent has p == NULL; present but empty has p != NULL
 *    and len == 0.
 *  - Header values are trimmed of surrounding whitespace but may still
 *    contain folded line ends (CRLF + SP/HTAB): the accessors in
 *    sip_header.h treat them as linear whitespace.
 *  - At most SIP_MAX_HEADERS fields are indexed; the summary fields, the
 *    per-id counts and the first value of each known header are found
 *    whatever the number of fields, and the iterators fall back to
 *    scanning the header block when the index is full.
 *
 * Warnings of every dissect/ parser (SIP, SDP, multipart) share one
 * vocabulary, enum sip_warning_code, and one formatter.
 */
#ifndef SIPSCOPE_DISSECT_SIP_H
#define SIPSCOPE_DISSECT_SIP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/bytes.h"

typedef enum { SIP_KIND_INVALID = 0, SIP_KIND_REQUEST, SIP_KIND_RESPONSE } sip_kind;

/* Headers the parser knows by name (long and compact forms alike).  Those
 * of nearly every message come first, the rest in alphabetical order:
 * each parse writes the slots (sip_msg.hdr) of the ids it meets, and in
 * this order a usual message's slots share a few cache lines instead of
 * one each (one parse in the reading thread's ring is read by the other
 * thread; a percent of --stats on one thread). */
typedef enum sip_hdr_id {
	SIP_HDR_UNKNOWN = 0,
	SIP_HDR_VIA,                 /* v */
	SIP_HDR_FROM,                /* f */
	SIP_HDR_TO,                  /* t */
	SIP_HDR_CALL_ID,             /* i */
	SIP_HDR_CSEQ,
	SIP_HDR_CONTACT,             /* m */
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_CONTENT_LENGTH,      /* l */
	SIP_HDR_CONTENT_TYPE,        /* c */
	SIP_HDR_RECORD_ROUTE,
	SIP_HDR_ROUTE,
	SIP_HDR_ALLOW,
	SIP_HDR_SUPPORTED,           /* k */
	SIP_HDR_USER_AGENT,
	SIP_HDR_SERVER,
	SIP_HDR_EXPIRES,
	SIP_HDR_ACCEPT,
	SIP_HDR_ACCEPT_CONTACT,      /* a */
	SIP_HDR_ACCEPT_ENCODING,
	SIP_HDR_ACCEPT_LANGUAGE,
	SIP_HDR_ALERT_INFO,
	SIP_HDR_ALLOW_EVENTS,        /* u */
	SIP_HDR_AUTHENTICATION_INFO,
	SIP_HDR_AUTHORIZATION,
	SIP_HDR_CALL_INFO,
	SIP_HDR_CONTENT_DISPOSITION,
	SIP_HDR_CONTENT_ENCODING,    /* e */
	SIP_HDR_CONTENT_LANGUAGE,
	SIP_HDR_DATE,
	SIP_HDR_DIVERSION,
	SIP_HDR_ERROR_INFO,
	SIP_HDR_EVENT,               /* o */
	SIP_HDR_HISTORY_INFO,
	SIP_HDR_IDENTITY,            /* y */
	SIP_HDR_IDENTITY_INFO,       /* n */
	SIP_HDR_IN_REPLY_TO,
	SIP_HDR_MIME_VERSION,
	SIP_HDR_MIN_EXPIRES,
	SIP_HDR_MIN_SE,
	SIP_HDR_ORGANIZATION,
	SIP_HDR_P_ASSERTED_IDENTITY,
	SIP_HDR_P_PREFERRED_IDENTITY,
	SIP_HDR_PATH,
	SIP_HDR_PRIORITY,
	SIP_HDR_PRIVACY,
	SIP_HDR_PROXY_AUTHENTICATE,
	SIP_HDR_PROXY_AUTHORIZATION,
	SIP_HDR_PROXY_REQUIRE,
	SIP_HDR_RACK,
	SIP_HDR_REASON,
	SIP_HDR_REFER_TO,            /* r */
	SIP_HDR_REFERRED_BY,         /* b */
	SIP_HDR_REJECT_CONTACT,      /* j */
	SIP_HDR_REPLACES,
	SIP_HDR_REPLY_TO,
	SIP_HDR_REQUEST_DISPOSITION, /* d */
	SIP_HDR_REQUIRE,
	SIP_HDR_RETRY_AFTER,
	SIP_HDR_RSEQ,
	SIP_HDR_SERVICE_ROUTE,
	SIP_HDR_SESSION_EXPIRES,     /* x */
	SIP_HDR_SUBJECT,             /* s */
	SIP_HDR_SUBSCRIPTION_STATE,
	SIP_HDR_TIMESTAMP,
	SIP_HDR_UNSUPPORTED,
	SIP_HDR_WARNING,
	SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR__COUNT
} sip_hdr_id;

/* Id of a header name (case-insensitive, compact forms included);
 * SIP_HDR_UNKNOWN for anything else. */
sip_hdr_id sip_hdr_lookup(sv name);
/* Canonical long name ("Call-ID"); "" for SIP_HDR_UNKNOWN or out of range. */
const char *sip_hdr_name(unsigned id);
/* True for headers whose value is a comma-separated list (Via, Contact,
 * Route, Allow, Supported, ...): several lines concatenate as one list. */
bool sip_hdr_is_list(unsigned id);

/* The methods of RFC 3261 and its common extensions, by code, so that a
 * record can name its method without keeping or re-reading the bytes.
 * Methods are case-sensitive (§7.1): "invite" is SIP_METHOD_OTHER. */
typedef enum sip_method_code {
	SIP_METHOD_OTHER = 0,
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_REGISTER,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_PRACK,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_PUBLISH,
	SIP_METHOD_INFO,
	SIP_METHOD_REFER,
	SIP_METHOD_MESSAGE,
	SIP_METHOD_UPDATE,
	SIP_METHOD__COUNT
} sip_method_code;

sip_method_code sip_method_lookup(sv method);
/* "INVITE"; "" for SIP_METHOD_OTHER or out of range. */
const char *sip_method_name(unsigned code);

/* ---- warnings ---------------------------------------------------------- */

enum sip_warning_code {
	SIP_W_NONE = 0,
	/* start line */
	SIP_W_EMPTY,              /* nothing but line ends */
	SIP_W_NOT_SIP,            /* what: the start line */
	SIP_W_BAD_VERSION,        /* what: the version */
	SIP_W_BAD_STATUS,         /* what: the status code */
	SIP_W_STATUS_LINE,        /* no SP between status code and reason */
	SIP_W_BAD_METHOD,         /* what: the method */
	SIP_W_REQLINE_SPACES,     /* a: number of extra SP */
	SIP_W_RURI_SPACE,         /* what: the Request-URI */
	SIP_W_RURI_ANGLE,         /* what: the Request-URI */
	SIP_W_RURI_NO_SCHEME,     /* what: the Request-URI */
	SIP_W_RURI_HEADERS,       /* what: the Request-URI */
	SIP_W_RURI_BAD,           /* what: the Request-URI */
	/* lines and header fields */
	SIP_W_BARE_LF,            /* a: lines ended by LF alone */
	SIP_W_LONE_CR,            /* the start line ended at a CR without LF */
	SIP_W_NUL,                /* a: offset of the first NUL */
	SIP_W_NO_COLON,           /* what: the line */
	SIP_W_BAD_HDR_NAME,       /* what: the name */
	SIP_W_EMPTY_HDR_NAME,     /* what: the line */
	SIP_W_FOLD_FIRST,         /* what: the line */
	SIP_W_TOO_MANY_HEADERS,   /* a: fields, b: indexed */
	SIP_W_NO_END_OF_HEADERS,
	SIP_W_MISSING_HDR,        /* a: sip_hdr_id */
	SIP_W_DUP_HDR,            /* a: sip_hdr_id, b: count */
	/* values */
	SIP_W_CSEQ_BAD,           /* what: the value */
	SIP_W_CSEQ_MISMATCH,      /* what: CSeq method */
	SIP_W_MAXFWD_BAD,         /* what: the value */
	SIP_W_EXPIRES_BAD,        /* what: the value */
	SIP_W_DATE_BAD,           /* what: the value (not an rfc1123-date in GMT) */
	SIP_W_VIA_BAD,            /* what: the value */
	SIP_W_BRANCH_COOKIE_ONLY, /* the top Via branch is "z9hG4bK" alone */
	SIP_W_ADDR_BAD,           /* a: sip_hdr_id, b: SIP_ADDR_F_* flaw, what: the value */
	SIP_W_EMPTY_PARAM,        /* a: sip_hdr_id, what: the value */
	/* body framing */
	SIP_W_CL_BAD,             /* what: the value */
	SIP_W_CL_EXCEEDS,         /* a: declared, b: available */
	SIP_W_CL_SHORT,           /* a: bytes after the body, b: declared */
	SIP_W_CL_MISSING_STREAM,
	/* SDP (a: line number where it applies) */
	SIP_W_SDP_EMPTY,
	SIP_W_SDP_BAD_LINE,       /* what: the line */
	SIP_W_SDP_NO_VERSION,
	SIP_W_SDP_BAD_VERSION,    /* what: the value */
	SIP_W_SDP_BAD_ORIGIN,     /* what: the value */
	SIP_W_SDP_BAD_CONN,       /* what: the value */
	SIP_W_SDP_BAD_MEDIA,      /* what: the value */
	SIP_W_SDP_BAD_RTPMAP,     /* what: the value */
	SIP_W_SDP_BAD_ATTR,       /* what: the value (ptime, rtcp, fmtp) */
	SIP_W_SDP_TOO_MANY_MEDIA, /* a: limit */
	SIP_W_SDP_TOO_MANY,       /* a: limit, what: the attribute kind */
	SIP_W_SDP_NO_CONN,        /* a: media number (1-based) */
	/* multipart bodies */
	SIP_W_MP_NO_BOUNDARY,
	SIP_W_MP_BOUNDARY_MISSING, /* what: the boundary */
	SIP_W_MP_NO_CLOSE,         /* what: the boundary */
	SIP_W_MP_TOO_MANY_PARTS,   /* a: limit */
	SIP_W_MP_TOO_DEEP,         /* a: limit */
	SIP_W_MP_PART_HEADERS,     /* a: part number (1-based) */
	SIP_W__COUNT
};

typedef struct sip_warning {
	uint16_t code;      /* enum sip_warning_code */
	uint32_t a, b;      /* numbers for the text, e.g. declared and available lengths */
	sv what;            /* optional wire bytes the text quotes (header name, ...); SV_NULL if none */
} sip_warning;

enum { SIP_MAX_WARNINGS = 16 };

/* Appends the warning's human text to out, e.g. "Content-Length 120 exceeds the 98 bytes that follow".
 * Quoted wire bytes are escaped so the text is printable ASCII (non-printables and non-ASCII as \xHH). */
void sip_warning_format(const sip_warning *w, GString *out);

/* Short stable name of a code ("cl-exceeds"), for JSON and filters. */
const char *sip_warning_id(unsigned code);

/* Appends a warning to a fixed array, counting what does not fit. */
void sip_warning_push(sip_warning *arr, unsigned *n, unsigned *dropped, unsigned cap,
	unsigned code, uint32_t a, uint32_t b, sv what);

/* ---- the message -------------------------------------------------------- */

/* A name-addr or addr-spec value (From, To, Contact, Route, ...), as views;
 * parsed by sip_addr_parse (sip_header.h). */
typedef struct sip_addr {
	sv display;         /* inside the quotes when quoted (escapes kept); SV_NULL when none */
	bool display_quoted;
	bool angle;         /* name-addr form: the URI was inside <> */
	bool star;          /* Contact: * */
	sv uri;             /* the URI text */
	sv params;          /* header parameters (after '>' or, for an addr-spec,
	                       from the first ';' after the URI — RFC 3261 §20.10) */
	unsigned flaws;     /* SIP_ADDR_F_* */
	bool has_tag;       /* a tag parameter among params; tag: the first one's value */
	sv tag;
} sip_addr;


enum { SIP_MAX_HEADERS = 256 };

typedef struct sip_header {
	sv name;          /* as on the wire (long or compact form, any case) */
	sv value;         /* trimmed; folded continuation lines stay inside */
	uint32_t field_len; /* the whole field from name.p: read sip_header_field */
	uint16_t id;      /* sip_hdr_id */
	uint16_t next;    /* index + 1 of the next field with the same id; 0 at the end */
} sip_header;

/* The whole field, name to last byte before its line end (a field starts
 * with its name, and a message is far shorter than 4 GiB). */
static inline sv sip_header_field(const sip_header *h)
{
	return sv_make(h->name.p, h->field_len);
}

/* Where the fields of one known header are (sip_msg.hdr). */
typedef struct sip_hdr_slot {
	sv value1;        /* first value, even past the index */
	uint16_t first;   /* index + 1 into headers[]; 0: not indexed */
	uint16_t last;    /* index + 1 of the last indexed one; 0: none */
} sip_hdr_slot;

typedef struct sip_msg {
	sv raw;                 /* the whole message as given */
	sip_kind kind;
	sv method;              /* request method (case-sensitive token), SV_NULL for responses */
	sv request_uri;         /* SV_NULL for responses */
	uint16_t status;        /* 100..699 for responses, 0 for requests */
	sv reason;              /* reason phrase, may be empty; SV_NULL for requests */
	/* summary fields: absent => .p == NULL; present but empty => .p != NULL && .len == 0 */
	sv call_id;             /* trimmed value of the (first) Call-ID / i header */
	bool has_cseq;          /* CSeq present and its number parsed */
	uint32_t cseq;
	sv cseq_method;
	sv from_tag, to_tag;    /* tag parameter values of From/f and To/t */
	sv branch;              /* branch parameter of the topmost Via (first value of the first Via/v header) */
	sv via_sent_by;         /* sent-by (host[:port]) of the topmost Via */
	sv via_transport;       /* transport token of the topmost Via (UDP, TCP, TLS, SCTP, WS, WSS, ...) */
	sv body;                /* the body (per Content-Length when present and satisfiable, else the rest) */
	/* From and To as the summary parsed them (sip_msg_from / sip_msg_to
	 * return these rather than parsing again); *_parsed: a value was seen,
	 * *_ok: what sip_addr_parse returned for it */
	bool from_parsed, from_ok, to_parsed, to_ok;
	sip_addr from, to;
	/* The first Contact item the summary parsed: contact1_item is it
	 * (SV_NULL when none), contact1 and contact1_ok what sip_addr_parse
	 * gave for it (see sip_msg_contact_item) */
	sv contact1_item;
	bool contact1_ok;
	sip_addr contact1;
	bool has_x_header;      /* an unknown header whose name starts with X- */
	/* The second Via value when it parsed (a proxy's upstream hop, which
	 * the model links a forwarded transaction to): branch (SV_NULL when
	 * it has none), sent-by, transport. */
	bool has_via2;
	sv via2_branch, via2_sent_by, via2_transport;
	unsigned n_warnings;           /* warnings[0 .. n_warnings) */
	unsigned n_warnings_dropped;   /* warnings beyond SIP_MAX_WARNINGS */

	/* ---- beyond the shared summary ---- */
	sv start_line;          /* without its line end */
	sv version;             /* SIP-Version as written ("SIP/2.0") */
	sv header_block;        /* from the first header field to the empty line (excluded) */
	bool headers_ended;     /* an empty line closed the header section */
	bool has_content_length; /* a parsable Content-Length / l */
	uint32_t content_length;
	bool has_max_forwards;  /* a parsable Max-Forwards */
	uint32_t max_forwards;
	unsigned n_fields;      /* header fields seen (indexed or not) */
	unsigned n_headers;     /* fields in headers[] */
	bool index_full;        /* n_fields > n_headers */
	uint16_t hdr_count[SIP_HDR__COUNT];  /* occurrences per id (saturating) */

	/* Parsing clears everything above and nothing below: each parse
	 * writes only the entries it uses, so the members below hold
	 * leftovers of earlier messages (or garbage) everywhere else.  Read
	 * hdr[id] only where hdr_count[id] != 0 (sip_msg_value does),
	 * warnings[] below n_warnings, headers[] below n_headers. */
	sip_hdr_slot hdr[SIP_HDR__COUNT];
	sip_warning warnings[SIP_MAX_WARNINGS];
	sip_header headers[SIP_MAX_HEADERS];
} sip_msg;

/* is_stream: the message came over TCP/WS/SCTP (Content-Length mandatory, RFC 3261 §18.3/§20.14)
 * vs UDP (absent Content-Length: body is the rest of the datagram). Never fails: anything that is not
 * a SIP message gets kind SIP_KIND_INVALID and warnings saying why. */
void sip_parse_message(sv raw, bool is_stream, sip_msg *m);

/* Appends all the message's warnings, one per line (each "\n"-terminated). */
void sip_msg_format_warnings(const sip_msg *m, GString *out);

#endif
