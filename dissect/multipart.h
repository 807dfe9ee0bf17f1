/*
 * multipart.h — splitting a multipart body (RFC 2046 §5.1) into parts.
 *
 * Views only, no allocation: the caller owns an mp_body.  Nested multipart
 * parts are split too, breadth first into the same flat array (each part
 * records its depth and parent), down to MP_MAX_DEPTH levels: no
 * recursion, so a hostile body cannot exhaust the stack.  The preamble
 * and epilogue are ignored.  A body that ends without its close delimiter
 * keeps the parts found, with a warning.
 */
#ifndef SIPSCOPE_DISSECT_MULTIPART_H
#define SIPSCOPE_DISSECT_MULTIPART_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bytes.h"
#include "dissect/sip.h"

enum {
	MP_MAX_PARTS = 16,
	MP_MAX_DEPTH = 4,      /* levels of nested multiparts that are split */
	MP_MAX_WARNINGS = 8,
};

typedef struct mp_part {
	sv headers;            /* the part's header block (may be empty) */
	sv content_type;       /* value of its Content-Type (SV_NULL: text/plain by default) */
	sv body;
	uint8_t depth;         /* 1 for parts of the top body */
	int8_t parent;         /* index of the enclosing multipart part, -1 for the top body */
	bool is_multipart;     /* itself multipart/<any> (split further when depth allows) */
} mp_part;

typedef struct mp_body {
	unsigned n_parts, n_parts_dropped;
	unsigned n_warnings, n_warnings_dropped;
	sip_warning warnings[MP_MAX_WARNINGS];
	mp_part parts[MP_MAX_PARTS];
} mp_body;

/* content_type: the Content-Type value of the body (e.g. the SIP message's,
 * "multipart/mixed;boundary=xyz").  A body that is not multipart gives no
 * parts and no warning. */
void mp_parse(sv body, sv content_type, mp_body *out);

/* A header of one part by name (case-insensitive), or SV_NULL. */
sv mp_part_header(const mp_part *p, const char *name);

#endif
