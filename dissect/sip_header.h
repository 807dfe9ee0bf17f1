/*
 * sip_header.h — typed, zero-copy access to the header fields of a parsed
 * sip_msg (RFC 3261 §20, §25.1).
 *
 * Everything here returns views into the message bytes; nothing
 * allocates.  The functions taking a single value (sip_via_parse,
 * sip_addr_parse, ...) work on any view, e.g. one item of a comma list.
 * Folded line ends inside a value (CRLF + SP/HTAB) count as linear
 * whitespace everywhere.  Parsers answer false when the value cannot be
 * read at all; smaller faults are reported as flaws and the value is still
 * filled as far as it could be read.
 */
#ifndef SIPSCOPE_DISSECT_SIP_HEADER_H
#define SIPSCOPE_DISSECT_SIP_HEADER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/bytes.h"
#include "dissect/sip.h"

/* ---- characters --------------------------------------------------------- */

/* SP, HTAB, and the CR / LF of folded lines. */
static inline bool sip_is_lws(int c)
{
	return c >= 0 && c <= ' ' && sv_is_trim_byte((uint8_t)c);
}

/* RFC 3261 token: alphanum and -.!%*_+`'~ (a table: it runs per byte). */
extern const uint8_t sip_token_chars[256];

static inline bool sip_is_token_char(int c)
{
	return (unsigned)c < 256u && sip_token_chars[(unsigned)c];
}

/* True when v is non-empty and made of token characters only. */
static inline bool sip_is_token(sv v)
{
	if (v.len == 0)
		return false;
	for (size_t i = 0; i < v.len; i++)
		if (!sip_token_chars[v.p[i]])
			return false;
	return true;
}

/* ---- header fields ------------------------------------------------------- */

/* Visits every field with one id (long and compact names alike) or one
 * name, in message order. */
typedef struct sip_hdr_iter {
	const sip_msg *m;
	uint16_t id;        /* SIP_HDR_UNKNOWN: match by name */
	sv name;
	size_t pos;         /* next index + 1 (index walk) or byte offset (scan) */
	bool scan;          /* walking the header block: the index was full */
	bool done;
} sip_hdr_iter;

void sip_hdr_iter_init(sip_hdr_iter *it, const sip_msg *m, sip_hdr_id id);
/* A known name (any form) iterates by id; anything else by exact name (case-insensitive). */
void sip_hdr_iter_init_name(sip_hdr_iter *it, const sip_msg *m, sv name);
bool sip_hdr_iter_next(sip_hdr_iter *it, sip_header *out);

/* Parses only the start line and the header fields of raw into m (the
 * field index, first values and counts, as sip_parse_message fills them);
 * no summary fields, no body, not every warning.  For reading the fields
 * of a message parsed in full before. */
void sip_parse_fields(sv raw, sip_msg *m);

/* First field with this id; false when absent. */
bool sip_msg_header(const sip_msg *m, sip_hdr_id id, sip_header *out);
/* First value with this id, or SV_NULL. */
sv sip_msg_value(const sip_msg *m, sip_hdr_id id);
/* First value of a header by name (custom headers such as X-Call-ID), or SV_NULL. */
sv sip_msg_find(const sip_msg *m, sv name);
sv sip_msg_find_cstr(const sip_msg *m, const char *name);
/* Number of fields with this id (saturates at 65535). */
unsigned sip_msg_count(const sip_msg *m, sip_hdr_id id);

/* ---- comma-separated lists ------------------------------------------------ */

/* Cuts the next item off *rest at the first comma outside a quoted string
 * (with \-escapes) and outside <...>.  The item is trimmed and may be
 * empty.  Returns false once *rest is used up (rest->p == NULL). */
bool sip_list_split(sv *rest, sv *item);

/* Every non-empty item of every field with an id or name, in order: several
 * fields of the same header read as one list.  Meant for list headers
 * (sip_hdr_is_list); other values (Date, WWW-Authenticate, ...) may hold
 * commas that do not separate items. */
typedef struct sip_list_iter {
	sip_hdr_iter h;
	sv rest;
} sip_list_iter;

void sip_list_init(sip_list_iter *it, const sip_msg *m, sip_hdr_id id);
void sip_list_init_name(sip_list_iter *it, const sip_msg *m, sv name);
bool sip_list_next(sip_list_iter *it, sv *item);

/* ---- parameters (";name", ";name=value", ";name=\"quoted\"") -------------- */

typedef struct sip_param {
	sv name;            /* may be empty (";;") */
	sv value;           /* inside the quotes when quoted; empty when has_value is false */
	bool has_value;
	bool quoted;
} sip_param;

/* Reads the next parameter from *rest, which starts at (or before, with
 * LWS) a ';'.  False at the end or when the next non-LWS byte is not ';'. */
bool sip_param_next(sv *rest, sip_param *p);
/* Finds a parameter by name (case-insensitive). */
bool sip_param_find(sv params, const char *name, sip_param *out);
/* Presence and value (empty view when valueless) of a parameter. */
bool sip_param_get(sv params, const char *name, sv *value);

/* ---- URIs (RFC 3261 §19.1, §25.1) ------------------------------------------ */

typedef enum { SIP_URI_OTHER = 0, SIP_URI_SIP, SIP_URI_SIPS, SIP_URI_TEL } sip_uri_scheme;

typedef struct sip_uri {
	sv raw;
	sip_uri_scheme scheme;
	sv scheme_name;     /* as written */
	sv user;            /* sip/sips: before '@' (and ':'); tel: the number */
	sv password;        /* SV_NULL when none */
	sv host;            /* IPv6 references without the brackets */
	bool host_ipv6;
	sv hostport;        /* host[:port] as written, brackets included */
	bool has_port;
	uint16_t port;
	sv params;          /* ";..." up to '?' (empty when none) */
	sv headers;         /* after '?' (SV_NULL when none) */
	sv opaque;          /* other schemes: everything after "scheme:" */
} sip_uri;

/* False when there is no scheme, or a sip/sips URI has no usable host or
 * a bad port. */
bool sip_uri_parse(sv text, sip_uri *u);
/* A URI parameter (transport, lr, maddr, user, ...). */
bool sip_uri_param(const sip_uri *u, const char *name, sv *value);

/* ---- name-addr / addr-spec (From, To, Contact, Route, ...) ----------------- */

enum {
	SIP_ADDR_F_UNTERMINATED_QUOTE = 1u << 0,
	SIP_ADDR_F_NO_RAQUOT = 1u << 1,       /* '<' without '>' */
	SIP_ADDR_F_URI_SPACE = 1u << 2,       /* whitespace inside <...> */
	SIP_ADDR_F_DISPLAY_CHARS = 1u << 3,   /* unquoted display name with non-token characters */
	SIP_ADDR_F_NEEDS_ANGLE = 1u << 4,     /* addr-spec with '?' or ',' outside <> */
	SIP_ADDR_F_EMPTY_PARAM = 1u << 5,     /* ";;" */
	SIP_ADDR_F_NO_URI = 1u << 6,
	SIP_ADDR_F_JUNK = 1u << 7,            /* bytes after '>' that are not parameters */
};

/* struct sip_addr is declared in sip.h (the parser keeps From and To parsed). */

/* False when no URI could be found (the flaws say why). */
bool sip_addr_parse(sv value, sip_addr *a);
/* Short text of one SIP_ADDR_F_* bit. */
const char *sip_addr_flaw_text(unsigned flaw);
/* Appends a quoted-string's inside with its \-escapes resolved. */
void sip_unquote_append(sv inner, GString *out);

/* From / To of a message (first field). */
bool sip_msg_from(const sip_msg *m, sip_addr *a);
bool sip_msg_to(const sip_msg *m, sip_addr *a);
/* sip_addr_parse(item, a) for an item of m's Contact fields: the
 * summary's result when item is the one it parsed first (the same
 * bytes at the same place), else a parse. */
bool sip_msg_contact_item(const sip_msg *m, sv item, sip_addr *a);

/* ---- Via (§20.42) ----------------------------------------------------------- */

typedef struct sip_via {
	sv protocol_name;   /* "SIP" */
	sv protocol_version;/* "2.0" */
	sv transport;       /* "UDP", "TCP", ... */
	sv sent_by;         /* host[:port] as written */
	sv host;            /* IPv6 references without the brackets */
	bool host_ipv6;
	bool has_port;
	uint16_t port;
	sv params;
	sv branch, received, maddr, rport;  /* SV_NULL when absent; rport may be present and empty */
	bool has_branch, has_received, has_maddr, has_rport, has_ttl;
	uint8_t ttl;
	bool empty_param;   /* ";;" among the parameters */
} sip_via;

bool sip_via_parse(sv value, sip_via *v);
/* First value of the first Via / v field. */
bool sip_msg_via_top(const sip_msg *m, sip_via *v);

/* ---- single-valued fields ----------------------------------------------------- */

/* CSeq: number (up to 2^32-1) LWS method, nothing else. */
bool sip_cseq_parse(sv value, uint32_t *num, sv *method);
/* Decimal digits only (after trimming LWS), at most max. */
bool sip_uint_parse(sv value, uint32_t max, uint32_t *out);

typedef struct sip_contact {
	sip_addr addr;
	bool star;
	bool has_q;
	uint16_t q;         /* thousandths: "0.33" -> 330 */
	bool has_expires;
	uint32_t expires;
} sip_contact;

/* One Contact value (an item of the list). */
bool sip_contact_parse(sv value, sip_contact *c);

typedef struct sip_route {
	sip_addr addr;
	sip_uri uri;
	bool lr;            /* loose routing (";lr" URI parameter) */
} sip_route;

/* One Route / Record-Route value. */
bool sip_route_parse(sv value, sip_route *r);

typedef struct sip_ctype {
	sv type, subtype;
	sv params;
} sip_ctype;

bool sip_ctype_parse(sv value, sip_ctype *ct);
/* Case-insensitive type/subtype test; subtype NULL matches any. */
bool sip_ctype_is(const sip_ctype *ct, const char *type, const char *subtype);
/* A Content-Type parameter (boundary, charset, ...), unquoted. */
bool sip_ctype_param(const sip_ctype *ct, const char *name, sv *value);

typedef struct sip_reason {
	sv protocol;        /* "SIP", "Q.850", ... */
	bool has_cause;
	uint32_t cause;
	sv text;            /* inside the quotes; SV_NULL when none */
	sv params;
} sip_reason;

/* One Reason value (RFC 3326). */
bool sip_reason_parse(sv value, sip_reason *r);

/* Expires header as delta-seconds. */
bool sip_msg_expires(const sip_msg *m, uint32_t *out);

#endif
