/*
 * sip_parse.c — the message grammar of RFC 3261 §7 / §25: start line,
 * header fields (folding, compact forms, whitespace around the colon),
 * the summary fields and Content-Length framing of the body.
 *
 * One pass over the header section finds the fields (memchr for the line
 * ends); each field's name is looked up once, names spelled as the RFCs
 * spell them through a small hash of their bytes.  Nothing is copied:
 * every result is a view into raw.
 * The parser is lenient where a person reading a capture would still want
 * to see the message (extra spaces in the request line, bare LF line
 * ends, a bad header line among good ones) and says so in a warning.
 */
#include "base/once.h"
#include "dissect/sip.h"
#include "dissect/sip_header.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static void warn(sip_msg *m, unsigned code, uint32_t a, uint32_t b, sv what)
{
	sip_warning_push(m->warnings, &m->n_warnings, &m->n_warnings_dropped, SIP_MAX_WARNINGS,
		code, a, b, what);
}

static uint32_t clamp32(size_t n)
{
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* [a, b) of v; an empty view at a when b <= a (never NULL when v.p is not). */
static sv span(sv v, size_t a, size_t b)
{
	return b > a ? sv_sub(v, a, b - a) : sv_sub(v, a, 0);
}

/* One line from off: content [start, end) without its CRLF / LF. */
typedef struct line {
	size_t start, end, next;
	bool has_nl;    /* ended by LF (else by the end of the data) */
	bool bare_lf;   /* LF without CR */
} line;

static void line_at(sv raw, size_t off, line *l)
{
	ptrdiff_t nl = sv_find_byte(sv_skip(raw, off), '\n');
	l->start = off;
	if (nl < 0) {
		l->end = raw.len;
		l->next = raw.len;
		l->has_nl = false;
		l->bare_lf = false;
		if (l->end > l->start && raw.p[l->end - 1] == '\r')
			l->end--;
		return;
	}
	size_t pos = off + (size_t)nl;
	l->next = pos + 1;
	l->has_nl = true;
	if (pos > off && raw.p[pos - 1] == '\r') {
		l->end = pos - 1;
		l->bare_lf = false;
	} else {
		l->end = pos;
		l->bare_lf = true;
	}
}

/* Index of the first LF in p[from, len), or len.  With SSE2 sixteen
 * bytes at a time, and the first block also answers where the first ':'
 * is when it lies before the LF (*colon, an index from `from`; SIZE_MAX
 * when that block did not tell): a header line's name is short, and one
 * pass then finds both.  Every load lies within p[from, len). */
static inline size_t find_lf(const uint8_t *p, size_t from, size_t len, size_t *colon)
{
	size_t i = from;
	*colon = SIZE_MAX;
#if defined(__SSE2__)
	if (len - i >= 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		unsigned lf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_set1_epi8('\n')));
		unsigned co = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_set1_epi8(':')));
		/* the colons below the lowest LF bit (all of them when none) */
		co &= lf ? (lf & -lf) - 1 : ~0u;
		if (co)
			*colon = (unsigned)__builtin_ctz(co);
		if (lf)
			return i + (unsigned)__builtin_ctz(lf);
		for (i += 16; len - i >= 16; i += 16) {
			b = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			lf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_set1_epi8('\n')));
			if (lf)
				return i + (unsigned)__builtin_ctz(lf);
		}
	}
#endif
	if (i >= len)
		return len;
	const uint8_t *nl = memchr(p + i, '\n', len - i);
	return nl ? (size_t)(nl - p) : len;
}

/* The line from off (off < len): returns the end of its content (before
 * CRLF / LF, or before a CR that ends the data); *next: where the next line
 * starts; *bare_lf counts an LF without CR; *colon as find_lf gives it. */
static inline size_t line_end(const uint8_t *p, size_t len, size_t off, size_t *next,
	bool *has_nl, unsigned *bare_lf, size_t *colon)
{
	size_t pos = find_lf(p, off, len, colon);
	if (pos >= len) {
		*next = len;
		*has_nl = false;
		return len > off && p[len - 1] == '\r' ? len - 1 : len;
	}
	*next = pos + 1;
	*has_nl = true;
	if (pos > off && p[pos - 1] == '\r')
		return pos - 1;
	(*bare_lf)++;
	return pos;
}

/* ---- start line ------------------------------------------------------------ */

static bool version_ok(sv v)
{
	return v.len == 7 && (memcmp(v.p, "SIP/2.0", 7) == 0 || sv_eq_ci_cstr(v, "SIP/2.0"));
}

/* v starts with "SIP/" in any case; the usual spelling without a call. */
static inline bool starts_sip(sv v)
{
	return v.len >= 4 && (memcmp(v.p, "SIP/", 4) == 0 || sv_starts_with_ci(v, SV_LIT("SIP/")));
}

/* sip_uint_parse(v, UINT32_MAX, out), inline: Content-Length and
 * Max-Forwards of every message. */
static inline bool uint_value(sv v, uint32_t *out)
{
	v = sv_trim(v);
	if (v.len == 0)
		return false;
	uint64_t n = 0;
	for (size_t i = 0; i < v.len; i++) {
		unsigned d = (unsigned)v.p[i] - '0';
		if (d > 9)
			return false;
		n = n * 10 + d;
		if (n > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)n;
	return true;
}

/* "SIP/" DIGIT+ "." DIGIT+ : some SIP version, not necessarily 2.0. */
static bool looks_like_version(sv v)
{
	if (!starts_sip(v))
		return false;
	size_t i = 4, d1 = 0, d2 = 0;
	while (i < v.len && v.p[i] >= '0' && v.p[i] <= '9')
		i++, d1++;
	if (i >= v.len || v.p[i] != '.')
		return false;
	i++;
	while (i < v.len && v.p[i] >= '0' && v.p[i] <= '9')
		i++, d2++;
	return d1 && d2 && i == v.len;
}

static bool parse_status_line(sip_msg *m, sv sl)
{
	ptrdiff_t sp = sv_find_byte(sl, ' ');
	sv version = sp < 0 ? sl : sv_head(sl, (size_t)sp);
	m->version = version;
	if (!version_ok(version))
		warn(m, SIP_W_BAD_VERSION, 0, 0, version);
	if (sp < 0) {
		warn(m, SIP_W_BAD_STATUS, 0, 0, sv_sub(sl, sl.len, 0));
		return true;
	}
	size_t i = (size_t)sp + 1, extra = 0;
	while (i < sl.len && sl.p[i] == ' ')
		i++, extra++;
	size_t cs = i;
	while (i < sl.len && sl.p[i] != ' ')
		i++;
	sv code = span(sl, cs, i);
	bool digits = code.len == 3;
	for (size_t k = 0; k < code.len && digits; k++)
		digits = code.p[k] >= '0' && code.p[k] <= '9';
	unsigned status = digits ? (unsigned)((code.p[0] - '0') * 100 + (code.p[1] - '0') * 10 + (code.p[2] - '0')) : 0;
	if (!digits || status < 100 || status > 699) {
		warn(m, SIP_W_BAD_STATUS, 0, 0, code);
		return true;
	}
	if (extra)
		warn(m, SIP_W_REQLINE_SPACES, clamp32(extra), 0, SV_NULL);
	m->kind = SIP_KIND_RESPONSE;
	m->status = (uint16_t)status;
	if (i >= sl.len) {
		warn(m, SIP_W_STATUS_LINE, 0, 0, SV_NULL);
		m->reason = sv_sub(sl, sl.len, 0);
	} else {
		m->reason = sv_skip(sl, i + 1);
	}
	return true;
}

static void check_request_uri(sip_msg *m, sv uri)
{
	if (uri.len && uri.p[0] == '<') {
		warn(m, SIP_W_RURI_ANGLE, 0, 0, uri);
		return;
	}
	if (sv_find_byte(uri, ' ') >= 0)
		warn(m, SIP_W_RURI_SPACE, 0, 0, uri);
	sip_uri u;
	if (!sip_uri_parse(uri, &u)) {
		warn(m, sv_find_byte(uri, ':') < 0 ? SIP_W_RURI_NO_SCHEME : SIP_W_RURI_BAD, 0, 0, uri);
		return;
	}
	/* RFC 3261 §19.1.5: headers are not allowed in a Request-URI */
	if ((u.scheme == SIP_URI_SIP || u.scheme == SIP_URI_SIPS) && u.headers.p)
		warn(m, SIP_W_RURI_HEADERS, 0, 0, uri);
}

static bool parse_request_line(sip_msg *m, sv sl)
{
	size_t e = sl.len;
	while (e > 0 && sl.p[e - 1] == ' ')
		e--;
	size_t trailing = sl.len - e;
	sv body = sv_head(sl, e);
	ptrdiff_t first = sv_find_byte(body, ' ');
	size_t last = e;
	if (e >= 8 && body.p[e - 8] == ' ' && memcmp(body.p + e - 7, "SIP/2.0", 7) == 0)
		last = e - 7;   /* the usual ending, where the scan below would stop */
	while (last > 0 && body.p[last - 1] != ' ')
		last--;
	/* last: start of the final token; first: end of the method */
	if (first <= 0 || last == 0 || last <= (size_t)first + 1) {
		warn(m, SIP_W_NOT_SIP, 0, 0, sl);
		return false;
	}
	sv version = span(body, last, e);
	if (!starts_sip(version)) {
		warn(m, SIP_W_NOT_SIP, 0, 0, sl);
		return false;
	}
	sv method = sv_head(body, (size_t)first);
	size_t us = (size_t)first;
	while (us < last && body.p[us] == ' ')
		us++;
	size_t ue = last;
	while (ue > us && body.p[ue - 1] == ' ')
		ue--;
	sv uri = span(body, us, ue);
	size_t extra = (us - (size_t)first - 1) + (last - ue - 1) + trailing;

	m->method = method;
	m->request_uri = uri;
	m->version = version;
	m->kind = SIP_KIND_REQUEST;
	if (!sip_is_token(method)) {
		warn(m, SIP_W_BAD_METHOD, 0, 0, method);
		m->kind = SIP_KIND_INVALID;
	}
	if (!version_ok(version))
		warn(m, SIP_W_BAD_VERSION, 0, 0, version);
	if (extra)
		warn(m, SIP_W_REQLINE_SPACES, clamp32(extra), 0, SV_NULL);
	check_request_uri(m, uri);
	return true;
}

/* Whether the rest of the message is worth reading as SIP. */
static bool parse_start_line(sip_msg *m, sv sl)
{
	if (starts_sip(sl)) {
		ptrdiff_t sp = sv_find_byte(sl, ' ');
		sv v = sp < 0 ? sl : sv_head(sl, (size_t)sp);
		if (looks_like_version(v) || version_ok(v))
			return parse_status_line(m, sl);
	}
	return parse_request_line(m, sl);
}

/* ---- header fields ----------------------------------------------------------- */

/* SP or HTAB, the blanks of a header line: one comparison passes the
 * usual bytes (a name's, a value's, CR / LF). */
static inline bool is_blank(uint8_t c)
{
	return c <= ' ' && (c == ' ' || c == '\t');
}

/* Counts, first value and index entry of one field. */
static inline void store_field(sip_msg *m, sv f, sv name, sv value, sip_hdr_id id)
{
	m->n_fields++;
	unsigned n = m->n_headers;
	bool room = n < SIP_MAX_HEADERS;
	uint16_t idx = (uint16_t)(n + 1);
	if (id == SIP_HDR_UNKNOWN) {
		m->has_x_header |= name.len > 2 && (name.p[0] | 0x20) == 'x' && name.p[1] == '-';
	} else {
		uint16_t count = m->hdr_count[id];
		sip_hdr_slot *slot = &m->hdr[id];
		if (count == 0) {
			/* the first one (the count never wraps to 0): the slot
			 * holds leftovers, written whole here */
			m->hdr_count[id] = 1;
			*slot = room ? (sip_hdr_slot){ value, idx, idx } : (sip_hdr_slot){ value, 0, 0 };
		} else {
			if (count < UINT16_MAX)
				m->hdr_count[id] = (uint16_t)(count + 1);
			/* once the index is full, every field returns below */
			if (room) {
				if (slot->last)
					m->headers[slot->last - 1].next = idx;
				else
					slot->first = idx;
				slot->last = idx;
			}
		}
	}
	if (!room) {
		m->index_full = true;
		return;
	}
	m->headers[n] = (sip_header){ name, value, (uint32_t)f.len, (uint16_t)id, 0 };
	m->n_headers = n + 1;
}

/* Index of the first ':' in f, or f.len.  Names are short: eight bytes
 * at a time over the first words (a zero-byte test on f ^ ':::::::'),
 * memchr for the rest. */
static inline size_t find_colon(sv f)
{
	size_t i = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ull;
	for (; i + 8 <= f.len && i < 32; i += 8) {
		uint64_t w = sv_word_load(f.p + i) ^ (ones * ':');
		uint64_t z = (w - ones) & ~w & (ones * 0x80);
		if (z)   /* the lowest flagged byte is the first zero one */
			return i + (size_t)(__builtin_ctzll(z) >> 3);
	}
#endif
	if (i >= f.len)
		return f.len;
	const uint8_t *c = memchr(f.p + i, ':', f.len - i);
	return c ? (size_t)(c - f.p) : f.len;
}

/* Header names as the RFCs spell them ("Call-ID", "CSeq", "Max-Forwards"),
 * in a direct-mapped table keyed by a hash of their length and first
 * eight bytes.  Most fields on the wire use these spellings, and a match,
 * one to three word comparisons, gives the id sip_hdr_lookup would give.
 * Names that share a slot with a more common one, and any other name
 * (compact forms, other case, unknown names), are left to
 * sip_hdr_lookup: the table only makes the usual names cheaper.  Built
 * once. */
enum { SPELLING_SLOTS = 256, SPELLING_MAX = 24 };
typedef struct spelling {
	uint64_t w[3];      /* the name's bytes as name_word loads them, zero-padded */
	uint8_t len, id;    /* id 0: empty slot */
} spelling;
static spelling spellings[SPELLING_SLOTS];

/* Headers of nearly every message, which take their slot before the others. */
static const sip_hdr_id spelling_first[] = {
	SIP_HDR_VIA, SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CALL_ID, SIP_HDR_CSEQ,
	SIP_HDR_CONTACT, SIP_HDR_MAX_FORWARDS, SIP_HDR_CONTENT_LENGTH, SIP_HDR_CONTENT_TYPE,
	SIP_HDR_RECORD_ROUTE, SIP_HDR_ROUTE, SIP_HDR_ALLOW, SIP_HDR_SUPPORTED,
	SIP_HDR_USER_AGENT, SIP_HDR_SERVER, SIP_HDR_EXPIRES, SIP_HDR_REQUIRE,
	SIP_HDR_SESSION_EXPIRES, SIP_HDR_AUTHORIZATION, SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR_PROXY_AUTHORIZATION, SIP_HDR_PROXY_AUTHENTICATE, SIP_HDR_EVENT,
	SIP_HDR_SUBSCRIPTION_STATE, SIP_HDR_ALLOW_EVENTS, SIP_HDR_P_ASSERTED_IDENTITY,
	SIP_HDR_DATE, SIP_HDR_REASON, SIP_HDR_MIN_SE,
};

/* The r bytes at p (r >= 1; the first 8 of them) as one word, zero-padded:
 * one load and a mask when avail, the bytes readable at p, allow it. */
static inline uint64_t name_word(const uint8_t *p, size_t r, size_t avail)
{
	static const uint64_t keep[8] = {
		~0ull, 0xffull, 0xffffull, 0xffffffull, 0xffffffffull,
		0xffffffffffull, 0xffffffffffffull, 0xffffffffffffffull,
	};
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (avail >= 8)
		return sv_word_load(p) & (r >= 8 ? ~0ull : keep[r]);
#else
	(void)keep;
	(void)avail;
#endif
	uint64_t w = 0;
	memcpy(&w, p, r < 8 ? r : 8);   /* the same bytes in the same order as the load */
	return w;
}

/* 8 bits.  Under this multiplier (found by a search) the only names of
 * sip_hdr_name that share a slot are Content-Encoding and
 * Content-Language, whose lengths and first eight bytes are the same;
 * another table only makes the rarer names slower, never wrong. */
static inline unsigned spelling_slot(uint64_t w0, size_t n)
{
	return (unsigned)(((w0 ^ n) * 0x7e62aa0a1df9fd79ull) >> 56);
}

static void spelling_add(sip_hdr_id id)
{
	const uint8_t *name = (const uint8_t *)sip_hdr_name(id);
	size_t n = strlen((const char *)name);
	if (n < 2 || n > SPELLING_MAX)
		return;
	spelling sp = { { 0, 0, 0 }, (uint8_t)n, (uint8_t)id };
	for (size_t i = 0; 8 * i < n; i++)
		sp.w[i] = name_word(name + 8 * i, n - 8 * i, 0);
	spelling *slot = &spellings[spelling_slot(sp.w[0], n)];
	if (slot->id == 0)
		*slot = sp;
}

static G_GNUC_NO_INLINE void spellings_build(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(spelling_first); i++)
		spelling_add(spelling_first[i]);
	for (unsigned id = 1; id < SIP_HDR__COUNT; id++)
		spelling_add((sip_hdr_id)id);   /* a second time is a no-op: same slot, taken */
}

static void spellings_ensure(void)
{
	static once_t once = ONCE_INIT;
	once_run(&once, spellings_build);
}

/* The name [p, p + n) of a field with avail > n bytes at p (the colon
 * follows the name).  After spellings_ensure. */
static inline sip_hdr_id name_lookup(const uint8_t *p, size_t n, size_t avail)
{
	if (n >= 2 && n <= SPELLING_MAX) {
		uint64_t w0 = name_word(p, n, avail);
		const spelling *s = &spellings[spelling_slot(w0, n)];
		if (s->len == n && s->w[0] == w0 &&
		    (n <= 8 || s->w[1] == name_word(p + 8, n - 8, avail - 8)) &&
		    (n <= 16 || s->w[2] == name_word(p + 16, n - 16, avail - 16)))
			return (sip_hdr_id)s->id;
	}
	return sip_hdr_lookup((sv){ p, n });
}

static void add_other_field(sip_msg *m, sv f);

/* colon: index of the first ':' in f when known (find_lf), else SIZE_MAX. */
static inline void add_field(sip_msg *m, sv f, size_t colon)
{
	/* Most fields have a known name: the name before the first colon
	 * (blanks trimmed) is looked up at once.  A known name is a token,
	 * so the token scan of add_other_field would have found the same name
	 * and colon; anything else takes that scan. */
	if (!is_blank(f.p[0])) {
		if (colon == SIZE_MAX)
			colon = find_colon(f);
		size_t ne = colon;
		if (colon < f.len) {
			while (ne > 0 && is_blank(f.p[ne - 1]))
				ne--;
			sip_hdr_id id = name_lookup(f.p, ne, f.len);
			if (id != SIP_HDR_UNKNOWN) {
				/* the value: after the colon, trimmed */
				size_t vb = colon + 1, ve = f.len;
				/* nearly always one SP after the colon and nothing to
				 * trim at the end: two tests instead of the loops */
				if (ve - vb >= 2 && f.p[vb] == ' ' && f.p[vb + 1] > ' ' &&
				    f.p[ve - 1] > ' ') {
					vb++;
				} else {
					while (vb < ve && sv_is_trim_byte(f.p[vb]))
						vb++;
					while (ve > vb && sv_is_trim_byte(f.p[ve - 1]))
						ve--;
				}
				store_field(m, f, (sv){ f.p, ne }, (sv){ f.p + vb, ve - vb }, id);
				return;
			}
		}
	}
	add_other_field(m, f);
}

/* A field with an unknown name, or no name, or none at all. */
static G_GNUC_NO_INLINE void add_other_field(sip_msg *m, sv f)
{
	if (is_blank(f.p[0])) {
		warn(m, SIP_W_FOLD_FIRST, 0, 0, f);
		return;
	}
	sip_hdr_id id = SIP_HDR_UNKNOWN;
	/* The usual field: a token, maybe blanks, the colon.  One scan finds
	 * the name, checks it is a token and reaches the colon (the first
	 * one: no token character is a colon). */
	size_t ne = 0;
	while (ne < f.len && sip_token_chars[f.p[ne]])
		ne++;
	size_t colon = ne;
	while (colon < f.len && is_blank(f.p[colon]))
		colon++;
	bool is_token = ne > 0 && colon < f.len && f.p[colon] == ':';
	if (!is_token) {
		colon = 0;
		while (colon < f.len && f.p[colon] != ':')
			colon++;
		if (colon >= f.len) {
			warn(m, SIP_W_NO_COLON, 0, 0, f);
			return;
		}
		ne = colon;
		while (ne > 0 && is_blank(f.p[ne - 1]))
			ne--;
		if (ne == 0) {
			warn(m, SIP_W_EMPTY_HDR_NAME, 0, 0, f);
			return;
		}
	}
	sv name = sv_head(f, ne);
	sv value = sv_trim(sv_skip(f, colon + 1));
	if (is_token || sip_is_token(name))
		id = sip_hdr_lookup(name);
	else
		warn(m, SIP_W_BAD_HDR_NAME, 0, 0, name);
	store_field(m, f, name, value, id);
}

/* The fields from *off up to the empty line that ends them: lines found
 * with memchr, continuation lines (starting with SP / HTAB) joined to the
 * field before them.  On return *off is where the empty line starts, or
 * where reading stopped; true when an empty line ended the section
 * (*body_start: the byte after it).  Out of line, with the loop's state
 * in a few locals. */
static G_GNUC_NO_INLINE bool read_fields(sip_msg *m, const uint8_t *p, size_t len, size_t *off_io,
	size_t *body_start, unsigned *bare_lf)
{
	size_t off = *off_io;
	bool ended = false;
	unsigned lf = 0;
	spellings_ensure();
	while (off < len) {
		size_t next, colon, ignored;
		bool has_nl;
		size_t end = line_end(p, len, off, &next, &has_nl, &lf, &colon);
		if (end == off) {
			if (has_nl) {
				ended = true;
				*body_start = next;
			}
			break;
		}
		size_t fend = end;
		/* a continuation line is rare */
		while (next < len && is_blank(p[next]))
			fend = line_end(p, len, next, &next, &has_nl, &lf, &ignored);
		add_field(m, (sv){ p + off, fend - off }, colon);
		off = next;
	}
	*off_io = off;
	*bare_lf += lf;
	return ended;
}

/* NUL is legal only as a quoted-pair ("\" NUL inside a quoted string). */
static void check_nul(sip_msg *m, sv head, size_t base)
{
	size_t i = 0;
	for (;;) {
		ptrdiff_t z = sv_find_byte(sv_skip(head, i), 0);
		if (z < 0)
			return;
		size_t at = i + (size_t)z;
		if (at == 0 || head.p[at - 1] != '\\') {
			warn(m, SIP_W_NUL, clamp32(base + at), 0, SV_NULL);
			return;
		}
		i = at + 1;
	}
}

/* SIP-date = rfc1123-date: wkday "," SP 2DIGIT SP month SP 4DIGIT SP
 * 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT" (RFC 3261 §25.1). */
static bool date_ok(sv v)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static const char shape[] = "www, dd mmm yyyy dd:dd:dd GMT";
	if (v.len != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		char k = shape[i];
		uint8_t c = v.p[i];
		if ((k == 'd' || k == 'y') ? !(c >= '0' && c <= '9') :
		    (k == 'w' || k == 'm') ? false : c != (uint8_t)k)
			return false;
	}
	bool day = false, month = false;
	for (size_t i = 0; i < G_N_ELEMENTS(days); i++)
		day |= memcmp(v.p, days[i], 3) == 0;
	for (size_t i = 0; i < G_N_ELEMENTS(months); i++)
		month |= memcmp(v.p + 8, months[i], 3) == 0;
	return day && month;
}

/* ---- summary ---------------------------------------------------------------- */

/* First value of a known header, or SV_NULL (the slot of an absent one
 * holds leftovers). */
static inline sv value1(const sip_msg *m, sip_hdr_id id)
{
	return m->hdr_count[id] ? m->hdr[id].value1 : SV_NULL;
}

static void check_addr_value(sip_msg *m, sip_hdr_id id, sv value, sip_addr *a, bool *ok)
{
	*ok = sip_addr_parse(value, a);
	if (a->flaws == 0)
		return;
	for (unsigned bit = 1; bit <= SIP_ADDR_F_JUNK; bit <<= 1) {
		if (!(a->flaws & bit))
			continue;
		if (bit == SIP_ADDR_F_EMPTY_PARAM)
			warn(m, SIP_W_EMPTY_PARAM, id, 0, value);
		else
			warn(m, SIP_W_ADDR_BAD, id, bit, value);
	}
}

static void summary_tag(sip_msg *m, sip_hdr_id id, sv *tag, sip_addr *a, bool *parsed, bool *ok)
{
	sv v = value1(m, id);
	if (v.p == NULL)
		return;
	*parsed = true;
	check_addr_value(m, id, v, a, ok);
	if (*ok && a->has_tag)
		*tag = a->tag;
}

/* The non-empty items of every field with one id, in order, as
 * sip_list_next gives them; while the index holds every field, along its
 * chain without the iterator's bookkeeping. */
typedef struct items {
	const sip_msg *m;
	bool direct;
	uint16_t next;      /* index + 1 of the next field (direct) */
	sv rest;
	sip_list_iter it;
} items;

static void items_init(items *x, const sip_msg *m, sip_hdr_id id)
{
	x->m = m;
	x->direct = !m->index_full;
	x->rest = SV_NULL;
	if (x->direct)
		x->next = m->hdr_count[id] ? m->hdr[id].first : 0;
	else
		sip_list_init(&x->it, m, id);
}

static bool items_next(items *x, sv *item)
{
	if (!x->direct)
		return sip_list_next(&x->it, item);
	for (;;) {
		while (sip_list_split(&x->rest, item))
			if (item->len)
				return true;
		if (x->next == 0 || x->next > x->m->n_headers)
			return false;
		const sip_header *h = &x->m->headers[x->next - 1];
		x->next = h->next;
		x->rest = h->value;
	}
}

static void summary_via(sip_msg *m)
{
	items it;
	sv item;
	unsigned n = 0;
	items_init(&it, m, SIP_HDR_VIA);
	while (items_next(&it, &item)) {
		sip_via v;
		bool ok = sip_via_parse(item, &v);
		if (!ok)
			warn(m, SIP_W_VIA_BAD, 0, 0, item);
		else if (v.empty_param)
			warn(m, SIP_W_EMPTY_PARAM, SIP_HDR_VIA, 0, item);
		if (++n == 1) {
			m->via_transport = v.transport;
			m->via_sent_by = v.sent_by;
			if (v.has_branch) {
				m->branch = v.branch;
				if (sv_eq_cstr(v.branch, "z9hG4bK"))
					warn(m, SIP_W_BRANCH_COOKIE_ONLY, 0, 0, v.branch);
			}
		} else if (n == 2 && ok) {
			m->has_via2 = true;
			m->via2_branch = v.has_branch ? v.branch : SV_NULL;
			m->via2_sent_by = v.sent_by;
			m->via2_transport = v.transport;
		}
		if (m->n_warnings_dropped && n >= 2)
			break;   /* a flood of bad values: the rest adds nothing */
	}
}

static void summary_contacts(sip_msg *m)
{
	items it;
	sv item;
	items_init(&it, m, SIP_HDR_CONTACT);
	if (items_next(&it, &item)) {
		/* kept: the model reads the first Contact's URI (a dialog's
		 * remote target) */
		check_addr_value(m, SIP_HDR_CONTACT, item, &m->contact1, &m->contact1_ok);
		m->contact1_item = item;
	}
	while (!m->n_warnings_dropped && items_next(&it, &item)) {
		sip_addr a;
		bool ok;
		check_addr_value(m, SIP_HDR_CONTACT, item, &a, &ok);
	}
}

static void summarize(sip_msg *m)
{
	static const sip_hdr_id single[] = {
		SIP_HDR_CALL_ID, SIP_HDR_CSEQ, SIP_HDR_FROM, SIP_HDR_TO,
		SIP_HDR_MAX_FORWARDS, SIP_HDR_CONTENT_LENGTH, SIP_HDR_CONTENT_TYPE,
	};
	for (size_t i = 0; i < G_N_ELEMENTS(single); i++)
		if (m->hdr_count[single[i]] > 1)
			warn(m, SIP_W_DUP_HDR, single[i], m->hdr_count[single[i]], SV_NULL);

	m->call_id = value1(m, SIP_HDR_CALL_ID);

	sv cs = value1(m, SIP_HDR_CSEQ);
	if (cs.p) {
		if (sip_cseq_parse(cs, &m->cseq, &m->cseq_method))
			m->has_cseq = true;
		else
			warn(m, SIP_W_CSEQ_BAD, 0, 0, cs);
	}
	if (m->kind == SIP_KIND_REQUEST && m->has_cseq && !sv_eq(m->cseq_method, m->method))
		warn(m, SIP_W_CSEQ_MISMATCH, 0, 0, m->cseq_method);

	summary_tag(m, SIP_HDR_FROM, &m->from_tag, &m->from, &m->from_parsed, &m->from_ok);
	summary_tag(m, SIP_HDR_TO, &m->to_tag, &m->to, &m->to_parsed, &m->to_ok);
	summary_via(m);
	summary_contacts(m);

	sv mf = value1(m, SIP_HDR_MAX_FORWARDS);
	if (mf.p) {
		uint32_t n = 0;   /* read only when set; some compilers cannot tell */
		if (uint_value(mf, &n)) {
			m->has_max_forwards = true;
			m->max_forwards = n;
		}
		if (!m->has_max_forwards || n > 255)
			warn(m, SIP_W_MAXFWD_BAD, 0, 0, mf);
	}
	sv ex = value1(m, SIP_HDR_EXPIRES);
	uint32_t exn;
	if (ex.p && !uint_value(ex, &exn))
		warn(m, SIP_W_EXPIRES_BAD, 0, 0, ex);
	sv date = value1(m, SIP_HDR_DATE);
	if (date.p && !date_ok(date))
		warn(m, SIP_W_DATE_BAD, 0, 0, date);

	if (m->kind != SIP_KIND_INVALID) {
		static const sip_hdr_id mandatory[] = {
			SIP_HDR_TO, SIP_HDR_FROM, SIP_HDR_CALL_ID, SIP_HDR_CSEQ, SIP_HDR_VIA,
			SIP_HDR_MAX_FORWARDS,
		};
		size_t n = G_N_ELEMENTS(mandatory) - (m->kind == SIP_KIND_RESPONSE ? 1 : 0);
		for (size_t i = 0; i < n; i++)
			if (m->hdr_count[mandatory[i]] == 0)
				warn(m, SIP_W_MISSING_HDR, mandatory[i], 0, SV_NULL);
	}
}

static void frame_body(sip_msg *m, bool is_stream, bool ended, size_t body_start)
{
	sv raw = m->raw;
	sv clv = value1(m, SIP_HDR_CONTENT_LENGTH);
	if (clv.p) {
		uint32_t n;
		if (uint_value(clv, &n)) {
			m->has_content_length = true;
			m->content_length = n;
		} else {
			warn(m, SIP_W_CL_BAD, 0, 0, clv);
		}
	}
	if (!m->has_content_length && is_stream)
		warn(m, SIP_W_CL_MISSING_STREAM, 0, 0, SV_NULL);
	if (!ended) {
		m->body = SV_NULL;
		if (m->has_content_length && m->content_length > 0)
			warn(m, SIP_W_CL_EXCEEDS, m->content_length, 0, SV_NULL);
		return;
	}
	size_t avail = raw.len - body_start;
	sv rest = span(raw, body_start, raw.len);
	if (!m->has_content_length) {
		m->body = rest;
		return;
	}
	size_t cl = m->content_length;
	if (cl > avail) {
		warn(m, SIP_W_CL_EXCEEDS, m->content_length, clamp32(avail), SV_NULL);
		m->body = rest;
		return;
	}
	m->body = sv_head(rest, cl);
	if (cl < avail)
		warn(m, SIP_W_CL_SHORT, clamp32(avail - cl), m->content_length, SV_NULL);
}

/* ---- entry point ---------------------------------------------------------------- */

/* full: everything; otherwise only the start line and the header index
 * (no summary, no body, fewer checks) for callers that read fields again. */
static void parse(sv raw, bool is_stream, sip_msg *m, bool full)
{
	/* what follows hdr_count is read only where the counts say so (sip.h) */
	memset(m, 0, offsetof(sip_msg, hdr));
	m->raw = raw;
	if (raw.p == NULL)
		raw = SV_NULL;

	/* RFC 3261 §7.5: CRLFs before the start line are ignored */
	size_t off = 0;
	while (off < raw.len && (raw.p[off] == '\r' || raw.p[off] == '\n'))
		off++;
	if (off >= raw.len) {
		warn(m, SIP_W_EMPTY, 0, 0, SV_NULL);
		return;
	}
	size_t msg_start = off;
	line l;
	line_at(raw, off, &l);
	unsigned bare_lf = l.bare_lf;
	/* a CR alone inside the start line cannot be part of it: take it as
	 * the line end (damaged captures), and say so */
	ptrdiff_t cr = sv_find_byte(span(raw, l.start, l.end), '\r');
	if (cr >= 0) {
		l.end = l.start + (size_t)cr;
		l.next = l.end + 1;
		bare_lf = 0;
		warn(m, SIP_W_LONE_CR, 0, 0, SV_NULL);
	}
	m->start_line = span(raw, l.start, l.end);
	if (!parse_start_line(m, m->start_line))
		return;
	off = l.next;

	size_t hb_start = off, body_start = raw.len;
	bool ended = read_fields(m, raw.p, raw.len, &off, &body_start, &bare_lf);
	size_t hb_end = off;
	m->header_block = span(raw, hb_start, hb_end);
	m->headers_ended = ended;
	if (!full)
		return;

	check_nul(m, span(raw, msg_start, hb_end), msg_start);
	if (bare_lf)
		warn(m, SIP_W_BARE_LF, bare_lf, 0, SV_NULL);
	if (m->index_full)
		warn(m, SIP_W_TOO_MANY_HEADERS, m->n_fields, SIP_MAX_HEADERS, SV_NULL);
	if (!ended)
		warn(m, SIP_W_NO_END_OF_HEADERS, 0, 0, SV_NULL);

	summarize(m);
	frame_body(m, is_stream, ended, body_start);
}

void sip_parse_message(sv raw, bool is_stream, sip_msg *m)
{
	parse(raw, is_stream, m, true);
}

void sip_parse_fields(sv raw, sip_msg *m)
{
	parse(raw, false, m, false);
}
