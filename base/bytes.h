/*
 * bytes.h — byte views and bounds-checked readers.
 *
 * Every read of packet bytes in capture/ and dissect/ goes through these:
 * a view (`sv`) is a pointer and a length into bytes someone else owns
 * (the capture mapping or an arena chunk); a reader (`rd`) walks a view and
 * answers false instead of reading past its end.  No code outside this file
 * indexes a packet buffer with an unchecked offset.
 *
 * Invariants: for every sv, [p, p+len) is readable (p may be NULL only when
 * len == 0).  A reader's off never exceeds len.
 */
#ifndef SIPSCOPE_BASE_BYTES_H
#define SIPSCOPE_BASE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct sv {
	const uint8_t *p;
	size_t len;
} sv;

#define SV_NULL ((sv){ NULL, 0 })
#define SV_LIT(s) ((sv){ (const uint8_t *)(s), sizeof(s) - 1 })

static inline sv sv_make(const void *p, size_t len)
{
	return (sv){ (const uint8_t *)p, len };
}

static inline sv sv_from_cstr(const char *s)
{
	return (sv){ (const uint8_t *)s, s ? strlen(s) : 0 };
}

/* Sub-view [off, off+len) clamped to v: never points outside v. */
static inline sv sv_sub(sv v, size_t off, size_t len)
{
	if (off > v.len)
		off = v.len;
	if (len > v.len - off)
		len = v.len - off;
	return (sv){ v.p ? v.p + off : NULL, len };
}

/* v, a view into from, as the same bytes of to (a copy of from of the
 * same length); v itself when it does not lie within from, when from and
 * to are the same bytes, or when their lengths differ. */
static inline sv sv_rebase(sv from, sv to, sv v)
{
	if (v.p == NULL || from.p == to.p || from.len != to.len || v.p < from.p ||
	    v.p > from.p + from.len || v.len > from.len - (size_t)(v.p - from.p))
		return v;
	return (sv){ to.p + (v.p - from.p), v.len };
}

static inline sv sv_skip(sv v, size_t n)
{
	return sv_sub(v, n, v.len);
}

static inline sv sv_head(sv v, size_t n)
{
	return sv_sub(v, 0, n);
}

/* Byte at i, or -1 when i is out of range. */
static inline int sv_at(sv v, size_t i)
{
	return i < v.len ? v.p[i] : -1;
}

static inline bool sv_empty(sv v)
{
	return v.len == 0;
}

static inline bool sv_eq(sv a, sv b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool sv_eq_cstr(sv a, const char *s)
{
	return sv_eq(a, sv_from_cstr(s));
}

static inline int sv_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* ---- eight bytes at a time ---------------------------------------------
 *
 * Little SWAR helpers, shared by the comparisons and hashes below and by
 * parsers that match names against tables.  The loads go through memcpy
 * (no alignment or aliasing assumptions) and read exactly the bytes they
 * are given: eight, or the n of a tail. */

static inline uint64_t sv_word_load(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

/* 1 <= n < 8 bytes as one word.  Not a zero-padded copy (that would
 * cost a memcpy call): overlapping loads that together cover every byte,
 * so two tails of the same length are equal exactly when their bytes are. */
static inline uint64_t sv_word_load_tail(const uint8_t *p, size_t n)
{
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		return lo | (uint64_t)hi << 32;
	}
	return p[0] | (uint64_t)p[n >> 1] << 8 | (uint64_t)p[n - 1] << 16;
}

/* A-Z to a-z in every byte; other bytes (and those >= 0x80) unchanged. */
static inline uint64_t sv_word_lower(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t h = w & ~highs;
	uint64_t ge_a = h + ones * (0x80 - 'A');       /* high bit: byte >= 'A' */
	uint64_t gt_z = h + ones * (0x80 - 'Z' - 1);   /* high bit: byte > 'Z' */
	uint64_t upper = (ge_a & ~gt_z) & ~w & highs;
	return w | (upper >> 2);
}

/* ASCII case-insensitive equality of n bytes (RFC 3261 §7.3.1 tokens,
 * header names): eight bytes at a time, bytes >= 0x80 compared exactly. */
bool sv_mem_eq_ci(const uint8_t *a, const uint8_t *b, size_t n);
/* The same when the second operand is known to be lower-case already
 * (a table of names): half the work. */
bool sv_mem_eq_lower(const uint8_t *a, const uint8_t *lower, size_t n);

static inline bool sv_eq_ci(sv a, sv b)
{
	return a.len == b.len && (a.len == 0 || sv_mem_eq_ci(a.p, b.p, a.len));
}

/* Inline so that the length of a literal s is known at compile time and
 * most mismatches cost one comparison. */
static inline bool sv_eq_ci_cstr(sv a, const char *s)
{
	size_t n = strlen(s);
	return a.len == n && (n == 0 || sv_mem_eq_ci(a.p, (const uint8_t *)s, n));
}

bool sv_starts_with(sv v, sv prefix);

static inline bool sv_starts_with_ci(sv v, sv prefix)
{
	return v.len >= prefix.len && (prefix.len == 0 || sv_mem_eq_ci(v.p, prefix.p, prefix.len));
}

/* Index of the first c in v, or -1.  Inline: the parsers call it several
 * times a header value, and the call around memchr cost as much as the
 * search when the linker left it out of line. */
static inline ptrdiff_t sv_find_byte(sv v, uint8_t c)
{
	if (v.len == 0)
		return -1;
	const uint8_t *q = memchr(v.p, c, v.len);
	return q ? q - v.p : -1;
}
/* Index of the first occurrence of needle in v, or -1. */
ptrdiff_t sv_find(sv v, sv needle);

/* SP, HTAB, CR or LF: one comparison rules out the usual bytes, a bit
 * test the others below SP. */
static inline bool sv_is_trim_byte(uint8_t c)
{
	const uint64_t set = UINT64_C(1) << ' ' | UINT64_C(1) << '\t' | UINT64_C(1) << '\r' |
			     UINT64_C(1) << '\n';
	return c <= ' ' && ((set >> c) & 1);
}

/* Strip SP, HTAB, CR and LF from both ends.  Inline: called for every
 * header value, list item and parameter, which nearly always have
 * nothing to strip (two tests). */
static inline sv sv_trim(sv v)
{
	if (v.len == 0 || (!sv_is_trim_byte(v.p[0]) && !sv_is_trim_byte(v.p[v.len - 1])))
		return v;
	size_t b = 0, e = v.len;
	while (b < e && sv_is_trim_byte(v.p[b]))
		b++;
	while (e > b && sv_is_trim_byte(v.p[e - 1]))
		e--;
	return sv_sub(v, b, e - b);
}

/* Decimal digits only, no sign, saturating is not allowed: false on overflow
 * beyond max or on any non-digit or on an empty view. */
bool sv_to_u64(sv v, uint64_t max, uint64_t *out);

/* Hashes for hash tables (not stable across versions: never stored):
 * eight bytes at a time, multiply-mix; the _ci one folds case first, so
 * views equal under sv_eq_ci hash alike, and so do a few that it tells
 * apart ('@' and '`', '[' and '{', ...): a table compares its keys. */
uint32_t sv_hash(sv v);
uint32_t sv_hash_ci(sv v);

/* ---- readers ---------------------------------------------------------- */

typedef struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
} rd;

static inline rd rd_make(sv v)
{
	return (rd){ v.p, v.len, 0 };
}

static inline size_t rd_left(const rd *r)
{
	return r->len - r->off;
}

static inline bool rd_has(const rd *r, size_t n)
{
	return n <= r->len - r->off;
}

static inline bool rd_skip(rd *r, size_t n)
{
	if (!rd_has(r, n))
		return false;
	r->off += n;
	return true;
}

static inline bool rd_u8(rd *r, uint8_t *out)
{
	if (!rd_has(r, 1))
		return false;
	*out = r->p[r->off++];
	return true;
}

static inline bool rd_u16be(rd *r, uint16_t *out)
{
	if (!rd_has(r, 2))
		return false;
	const uint8_t *q = r->p + r->off;
	*out = (uint16_t)((q[0] << 8) | q[1]);
	r->off += 2;
	return true;
}

static inline bool rd_u16le(rd *r, uint16_t *out)
{
	if (!rd_has(r, 2))
		return false;
	const uint8_t *q = r->p + r->off;
	*out = (uint16_t)((q[1] << 8) | q[0]);
	r->off += 2;
	return true;
}

static inline bool rd_u32be(rd *r, uint32_t *out)
{
	if (!rd_has(r, 4))
		return false;
	const uint8_t *q = r->p + r->off;
	*out = ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];
	r->off += 4;
	return true;
}

static inline bool rd_u32le(rd *r, uint32_t *out)
{
	if (!rd_has(r, 4))
		return false;
	const uint8_t *q = r->p + r->off;
	*out = ((uint32_t)q[3] << 24) | ((uint32_t)q[2] << 16) | ((uint32_t)q[1] << 8) | q[0];
	r->off += 4;
	return true;
}

static inline bool rd_u64be(rd *r, uint64_t *out)
{
	uint32_t hi = 0, lo = 0;
	if (!rd_has(r, 8))
		return false;
	rd_u32be(r, &hi);
	rd_u32be(r, &lo);
	*out = ((uint64_t)hi << 32) | lo;
	return true;
}

static inline bool rd_u64le(rd *r, uint64_t *out)
{
	uint32_t hi = 0, lo = 0;
	if (!rd_has(r, 8))
		return false;
	rd_u32le(r, &lo);
	rd_u32le(r, &hi);
	*out = ((uint64_t)hi << 32) | lo;
	return true;
}

/* Take the next n bytes as a view (no copy). */
static inline bool rd_bytes(rd *r, size_t n, sv *out)
{
	if (!rd_has(r, n))
		return false;
	*out = (sv){ r->p + r->off, n };
	r->off += n;
	return true;
}

/* Peek at byte i ahead of the cursor without moving; -1 when absent. */
static inline int rd_peek(const rd *r, size_t i)
{
	return rd_has(r, i + 1) ? r->p[r->off + i] : -1;
}

/* The rest of the reader as a view; the reader ends up empty. */
static inline sv rd_rest(rd *r)
{
	sv v = { r->p + r->off, r->len - r->off };
	r->off = r->len;
	return v;
}

/* The rest of the reader as a view, without consuming it. */
static inline sv rd_view(const rd *r)
{
	return (sv){ r->p ? r->p + r->off : NULL, r->len - r->off };
}

#endif
