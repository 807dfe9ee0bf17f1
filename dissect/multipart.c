/*
 * multipart.c — RFC 2046 §5.1 boundaries.
 *
 * A delimiter is CRLF "--" boundary at the start of a line (the first may
 * open the body without the CRLF); LF alone is tolerated.  After the
 * boundary come optional transport padding and a line end, or "--" for the
 * close delimiter.  The CRLF before a delimiter belongs to the delimiter,
 * not to the preceding part.
 */
#include "dissect/multipart.h"
#include "dissect/sip_header.h"

#include <stddef.h>
#include <string.h>

static void warn(mp_body *b, unsigned code, uint32_t a, sv what)
{
	sip_warning_push(b->warnings, &b->n_warnings, &b->n_warnings_dropped, MP_MAX_WARNINGS,
		code, a, 0, what);
}

/* Is there "--" boundary at off, at the start of a line? */
static bool delim_at(sv body, size_t off, sv boundary)
{
	if (off + 2 + boundary.len > body.len)
		return false;
	if (off > 0 && body.p[off - 1] != '\n')
		return false;
	if (body.p[off] != '-' || body.p[off + 1] != '-' ||
	    memcmp(body.p + off + 2, boundary.p, boundary.len) != 0)
		return false;
	/* a longer word that merely starts with the boundary is content */
	size_t e = off + 2 + boundary.len;
	if (e == body.len)
		return true;
	uint8_t c = body.p[e];
	return c == '-' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Offset of the next delimiter line at or after from, or -1. */
static ptrdiff_t find_delim(sv body, size_t from, sv boundary)
{
	size_t off = from;
	while (off < body.len) {
		if (delim_at(body, off, boundary))
			return (ptrdiff_t)off;
		ptrdiff_t nl = sv_find_byte(sv_skip(body, off), '\n');
		if (nl < 0)
			return -1;
		off += (size_t)nl + 1;
	}
	return -1;
}

/* Offset just after the line end that closes the line at off (or the end). */
static size_t after_line(sv body, size_t off)
{
	ptrdiff_t nl = sv_find_byte(sv_skip(body, off), '\n');
	return nl < 0 ? body.len : off + (size_t)nl + 1;
}

static sv part_header_in(sv headers, const char *name)
{
	size_t off = 0;
	sv want = sv_from_cstr(name);
	while (off < headers.len) {
		size_t start = off, end;
		/* a field continues on lines starting with SP / HTAB */
		for (;;) {
			ptrdiff_t nl = sv_find_byte(sv_skip(headers, off), '\n');
			end = nl < 0 ? headers.len : off + (size_t)nl;
			off = nl < 0 ? headers.len : end + 1;
			if (off < headers.len && (headers.p[off] == ' ' || headers.p[off] == '\t'))
				continue;
			break;
		}
		sv f = sv_sub(headers, start, end - start);
		ptrdiff_t colon = sv_find_byte(f, ':');
		if (colon <= 0)
			continue;
		sv n = sv_trim(sv_head(f, (size_t)colon));
		if (sv_eq_ci(n, want))
			return sv_trim(sv_skip(f, (size_t)colon + 1));
	}
	return SV_NULL;
}

sv mp_part_header(const mp_part *p, const char *name)
{
	return part_header_in(p->headers, name);
}

static bool multipart_boundary(mp_body *b, sv content_type, sv *boundary, bool *is_mp)
{
	sip_ctype ct;
	*is_mp = false;
	if (!content_type.p || !sip_ctype_parse(content_type, &ct) || !sip_ctype_is(&ct, "multipart", NULL))
		return false;
	*is_mp = true;
	if (!sip_ctype_param(&ct, "boundary", boundary) || boundary->len == 0) {
		warn(b, SIP_W_MP_NO_BOUNDARY, 0, SV_NULL);
		return false;
	}
	return true;
}

/* Splits one multipart entity into parts appended at depth, parent. */
static void split(mp_body *b, sv body, sv boundary, uint8_t depth, int8_t parent)
{
	ptrdiff_t d = find_delim(body, 0, boundary);
	if (d < 0) {
		warn(b, SIP_W_MP_BOUNDARY_MISSING, 0, boundary);
		return;
	}
	size_t off = (size_t)d;
	for (;;) {
		size_t after = off + 2 + boundary.len;
		if (after + 2 <= body.len && body.p[after] == '-' && body.p[after + 1] == '-')
			return;   /* close delimiter: the rest is epilogue */
		size_t start = after_line(body, after);
		ptrdiff_t next = find_delim(body, start, boundary);
		size_t end = next < 0 ? body.len : (size_t)next;
		/* the line end before the next delimiter belongs to the delimiter */
		size_t pend = end;
		if (next >= 0) {
			if (pend > start && body.p[pend - 1] == '\n')
				pend--;
			if (pend > start && body.p[pend - 1] == '\r')
				pend--;
		}
		sv whole = sv_sub(body, start, pend - start);
		if (b->n_parts >= MP_MAX_PARTS) {
			if (b->n_parts_dropped++ == 0)
				warn(b, SIP_W_MP_TOO_MANY_PARTS, MP_MAX_PARTS, SV_NULL);
		} else {
			mp_part *p = &b->parts[b->n_parts++];
			memset(p, 0, sizeof(*p));
			p->depth = depth;
			p->parent = parent;
			/* headers end at the first empty line; a part may have none */
			size_t hend = 0, bstart = 0;
			bool found = false;
			size_t lo = 0;
			while (lo < whole.len) {
				size_t le = after_line(whole, lo);
				size_t content = le - lo;
				if (content > 0 && whole.p[le - 1] == '\n')
					content--;
				if (content > 0 && whole.p[lo + content - 1] == '\r')
					content--;
				if (content == 0) {
					hend = lo;
					bstart = le;
					found = true;
					break;
				}
				lo = le;
			}
			if (!found) {
				warn(b, SIP_W_MP_PART_HEADERS, b->n_parts, SV_NULL);
				hend = whole.len;
				bstart = whole.len;
			}
			p->headers = sv_sub(whole, 0, hend);
			p->body = sv_sub(whole, bstart, whole.len - bstart);
			p->content_type = part_header_in(p->headers, "Content-Type");
			sip_ctype ct;
			p->is_multipart = p->content_type.p && sip_ctype_parse(p->content_type, &ct) &&
				sip_ctype_is(&ct, "multipart", NULL);
		}
		if (next < 0) {
			warn(b, SIP_W_MP_NO_CLOSE, 0, boundary);
			return;
		}
		off = (size_t)next;
	}
}

void mp_parse(sv body, sv content_type, mp_body *out)
{
	memset(out, 0, offsetof(mp_body, parts));
	sv boundary;
	bool is_mp;
	if (!multipart_boundary(out, content_type, &boundary, &is_mp))
		return;
	split(out, body, boundary, 1, -1);
	/* nested multiparts, breadth first: the array is the work queue */
	for (unsigned i = 0; i < out->n_parts; i++) {
		mp_part *p = &out->parts[i];
		if (!p->is_multipart)
			continue;
		if (p->depth >= MP_MAX_DEPTH) {
			warn(out, SIP_W_MP_TOO_DEEP, MP_MAX_DEPTH, SV_NULL);
			continue;
		}
		sv inner;
		if (!multipart_boundary(out, p->content_type, &inner, &is_mp))
			continue;
		split(out, p->body, inner, (uint8_t)(p->depth + 1), (int8_t)i);
	}
}
