/*
 * sip_header.c — header names, header iteration and the typed value
 * parsers of sip_header.h.
 */
#include "dissect/sip_header.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/once.h"

/* ---- the header table ---------------------------------------------------- */

typedef struct hdr_def {
	const char *name;
	char compact;   /* 0 when none */
	bool list;
} hdr_def;

static const hdr_def hdr_defs[SIP_HDR__COUNT] = {
	[SIP_HDR_UNKNOWN] = { "", 0, false },
	[SIP_HDR_ACCEPT] = { "Accept", 0, true },
	[SIP_HDR_ACCEPT_CONTACT] = { "Accept-Contact", 'a', true },
	[SIP_HDR_ACCEPT_ENCODING] = { "Accept-Encoding", 0, true },
	[SIP_HDR_ACCEPT_LANGUAGE] = { "Accept-Language", 0, true },
	[SIP_HDR_ALERT_INFO] = { "Alert-Info", 0, true },
	[SIP_HDR_ALLOW] = { "Allow", 0, true },
	[SIP_HDR_ALLOW_EVENTS] = { "Allow-Events", 'u', true },
	[SIP_HDR_AUTHENTICATION_INFO] = { "Authentication-Info", 0, false },
	[SIP_HDR_AUTHORIZATION] = { "Authorization", 0, false },
	[SIP_HDR_CALL_ID] = { "Call-ID", 'i', false },
	[SIP_HDR_CALL_INFO] = { "Call-Info", 0, true },
	[SIP_HDR_CONTACT] = { "Contact", 'm', true },
	[SIP_HDR_CONTENT_DISPOSITION] = { "Content-Disposition", 0, false },
	[SIP_HDR_CONTENT_ENCODING] = { "Content-Encoding", 'e', true },
	[SIP_HDR_CONTENT_LANGUAGE] = { "Content-Language", 0, true },
	[SIP_HDR_CONTENT_LENGTH] = { "Content-Length", 'l', false },
	[SIP_HDR_CONTENT_TYPE] = { "Content-Type", 'c', false },
	[SIP_HDR_CSEQ] = { "CSeq", 0, false },
	[SIP_HDR_DATE] = { "Date", 0, false },
	[SIP_HDR_DIVERSION] = { "Diversion", 0, true },
	[SIP_HDR_ERROR_INFO] = { "Error-Info", 0, true },
	[SIP_HDR_EVENT] = { "Event", 'o', false },
	[SIP_HDR_EXPIRES] = { "Expires", 0, false },
	[SIP_HDR_FROM] = { "From", 'f', false },
	[SIP_HDR_HISTORY_INFO] = { "History-Info", 0, true },
	[SIP_HDR_IDENTITY] = { "Identity", 'y', false },
	[SIP_HDR_IDENTITY_INFO] = { "Identity-Info", 'n', false },
	[SIP_HDR_IN_REPLY_TO] = { "In-Reply-To", 0, true },
	[SIP_HDR_MAX_FORWARDS] = { "Max-Forwards", 0, false },
	[SIP_HDR_MIME_VERSION] = { "MIME-Version", 0, false },
	[SIP_HDR_MIN_EXPIRES] = { "Min-Expires", 0, false },
	[SIP_HDR_MIN_SE] = { "Min-SE", 0, false },
	[SIP_HDR_ORGANIZATION] = { "Organization", 0, false },
	[SIP_HDR_P_ASSERTED_IDENTITY] = { "P-Asserted-Identity", 0, true },
	[SIP_HDR_P_PREFERRED_IDENTITY] = { "P-Preferred-Identity", 0, true },
	[SIP_HDR_PATH] = { "Path", 0, true },
	[SIP_HDR_PRIORITY] = { "Priority", 0, false },
	[SIP_HDR_PRIVACY] = { "Privacy", 0, false },
	[SIP_HDR_PROXY_AUTHENTICATE] = { "Proxy-Authenticate", 0, false },
	[SIP_HDR_PROXY_AUTHORIZATION] = { "Proxy-Authorization", 0, false },
	[SIP_HDR_PROXY_REQUIRE] = { "Proxy-Require", 0, true },
	[SIP_HDR_RACK] = { "RAck", 0, false },
	[SIP_HDR_REASON] = { "Reason", 0, true },
	[SIP_HDR_RECORD_ROUTE] = { "Record-Route", 0, true },
	[SIP_HDR_REFER_TO] = { "Refer-To", 'r', false },
	[SIP_HDR_REFERRED_BY] = { "Referred-By", 'b', false },
	[SIP_HDR_REJECT_CONTACT] = { "Reject-Contact", 'j', true },
	[SIP_HDR_REPLACES] = { "Replaces", 0, false },
	[SIP_HDR_REPLY_TO] = { "Reply-To", 0, false },
	[SIP_HDR_REQUEST_DISPOSITION] = { "Request-Disposition", 'd', true },
	[SIP_HDR_REQUIRE] = { "Require", 0, true },
	[SIP_HDR_RETRY_AFTER] = { "Retry-After", 0, false },
	[SIP_HDR_ROUTE] = { "Route", 0, true },
	[SIP_HDR_RSEQ] = { "RSeq", 0, false },
	[SIP_HDR_SERVER] = { "Server", 0, false },
	[SIP_HDR_SERVICE_ROUTE] = { "Service-Route", 0, true },
	[SIP_HDR_SESSION_EXPIRES] = { "Session-Expires", 'x', false },
	[SIP_HDR_SUBJECT] = { "Subject", 's', false },
	[SIP_HDR_SUBSCRIPTION_STATE] = { "Subscription-State", 0, false },
	[SIP_HDR_SUPPORTED] = { "Supported", 'k', true },
	[SIP_HDR_TIMESTAMP] = { "Timestamp", 0, false },
	[SIP_HDR_TO] = { "To", 't', false },
	[SIP_HDR_UNSUPPORTED] = { "Unsupported", 0, true },
	[SIP_HDR_USER_AGENT] = { "User-Agent", 0, false },
	[SIP_HDR_VIA] = { "Via", 'v', true },
	[SIP_HDR_WARNING] = { "Warning", 0, true },
	[SIP_HDR_WWW_AUTHENTICATE] = { "WWW-Authenticate", 0, false },
};

/* Long names are found by their length and first letter (a handful of
 * candidates at most, one for most pairs); compact forms through a letter
 * table.  A candidate is compared as three words, loaded as hdr_word
 * loads the name (unused words zero): a name costs a few loads and
 * comparisons, no loop over its bytes.  Names as the RFCs spell them are
 * compared as they are; only another spelling ("call-id", "CSEQ") needs
 * the lower-cased comparison.  Built once. */
enum { HDR_MAX_LEN = 24, HDR_PER_BUCKET = 4 };
static uint8_t hdr_bucket[HDR_MAX_LEN + 1][26][HDR_PER_BUCKET + 1]; /* ids, 0-terminated */
static uint8_t hdr_compact[26];        /* id by letter */
static uint64_t hdr_exact[SIP_HDR__COUNT][3];  /* long names as hdr_words gives them */
static uint64_t hdr_folded[SIP_HDR__COUNT][3]; /* the same, lower-cased */

/* Word i (i * 8 < n) of the n bytes at p (2 <= n <= HDR_MAX_LEN): a whole
 * word, or the tail as sv_word_load_tail reads it. */
static inline uint64_t hdr_word(const uint8_t *p, size_t n, size_t i)
{
	return n - 8 * i >= 8 ? sv_word_load(p + 8 * i) : sv_word_load_tail(p + 8 * i, n - 8 * i);
}

/* Out of line: inlined, it would cost sip_hdr_lookup its registers. */
static G_GNUC_NO_INLINE void hdr_table_build(void)
{
	for (unsigned id = 1; id < SIP_HDR__COUNT; id++) {
		const hdr_def *d = &hdr_defs[id];
		size_t len = strlen(d->name);
		g_assert(len >= 2 && len <= HDR_MAX_LEN);
		for (size_t i = 0; 8 * i < len; i++) {
			hdr_exact[id][i] = hdr_word((const uint8_t *)d->name, len, i);
			hdr_folded[id][i] = sv_word_lower(hdr_exact[id][i]);
		}
		int c0 = sv_lower((uint8_t)d->name[0]);
		g_assert(c0 >= 'a' && c0 <= 'z');
		uint8_t *b = hdr_bucket[len][c0 - 'a'];
		size_t k = 0;
		while (b[k])
			k++;
		g_assert(k < HDR_PER_BUCKET);
		b[k] = (uint8_t)id;
		if (d->compact)
			hdr_compact[sv_lower(d->compact) - 'a'] = (uint8_t)id;
	}
}

static void hdr_table_ensure(void)
{
	static once_t once = ONCE_INIT;
	once_run(&once, hdr_table_build);
}

static inline unsigned ascii_lower(unsigned c)
{
	return c - 'A' < 26u ? c + ('a' - 'A') : c;
}

/* The candidates of bucket b compared to the n bytes at p lower-cased:
 * spellings other than the RFC's. */
static G_GNUC_NO_INLINE sip_hdr_id hdr_lookup_folded(const uint8_t *p, size_t n, const uint8_t *b)
{
	for (; *b; b++) {
		const uint64_t *want = hdr_folded[*b];
		size_t i = 0;
		while (8 * i < n && sv_word_lower(hdr_word(p, n, i)) == want[i])
			i++;
		if (8 * i >= n)
			return (sip_hdr_id)*b;
	}
	return SIP_HDR_UNKNOWN;
}

sip_hdr_id sip_hdr_lookup(sv name)
{
	size_t n = name.len;
	if (n == 0)
		return SIP_HDR_UNKNOWN;
	hdr_table_ensure();
	unsigned c0 = ascii_lower(name.p[0]);
	if (c0 - 'a' >= 26u)
		return SIP_HDR_UNKNOWN;
	if (n == 1)
		return (sip_hdr_id)hdr_compact[c0 - 'a'];
	if (n > HDR_MAX_LEN)
		return SIP_HDR_UNKNOWN;
	const uint8_t *b = hdr_bucket[n][c0 - 'a'];
	if (b[0] == 0)
		return SIP_HDR_UNKNOWN;
	/* equal bytes are equal under case folding too, and no two names of
	 * the table are: the exact match is the only possible answer */
	const uint8_t *p = name.p;
	uint64_t w0 = hdr_word(p, n, 0);
	uint64_t w1 = n > 8 ? hdr_word(p, n, 1) : 0;
	uint64_t w2 = n > 16 ? hdr_word(p, n, 2) : 0;
	for (const uint8_t *k = b; *k; k++) {
		const uint64_t *want = hdr_exact[*k];
		if (want[0] == w0 && want[1] == w1 && want[2] == w2)
			return (sip_hdr_id)*k;
	}
	return hdr_lookup_folded(name.p, n, b);
}

/* Each name and its length (strlen), for the lookup below. */
#define METHOD(code, name) [code] = { name, sizeof(name) - 1 }
static const struct method_def {
	const char *name;
	uint8_t len;
} methods[SIP_METHOD__COUNT] = {
	METHOD(SIP_METHOD_OTHER, ""),
	METHOD(SIP_METHOD_INVITE, "INVITE"),
	METHOD(SIP_METHOD_ACK, "ACK"),
	METHOD(SIP_METHOD_BYE, "BYE"),
	METHOD(SIP_METHOD_CANCEL, "CANCEL"),
	METHOD(SIP_METHOD_REGISTER, "REGISTER"),
	METHOD(SIP_METHOD_OPTIONS, "OPTIONS"),
	METHOD(SIP_METHOD_PRACK, "PRACK"),
	METHOD(SIP_METHOD_SUBSCRIBE, "SUBSCRIBE"),
	METHOD(SIP_METHOD_NOTIFY, "NOTIFY"),
	METHOD(SIP_METHOD_PUBLISH, "PUBLISH"),
	METHOD(SIP_METHOD_INFO, "INFO"),
	METHOD(SIP_METHOD_REFER, "REFER"),
	METHOD(SIP_METHOD_MESSAGE, "MESSAGE"),
	METHOD(SIP_METHOD_UPDATE, "UPDATE"),
};
#undef METHOD

sip_method_code sip_method_lookup(sv method)
{
	if (method.len < 3 || method.len > 9)
		return SIP_METHOD_OTHER;
	/* the first letter and the length leave one candidate at most */
	unsigned code;
	switch (method.p[0]) {
	case 'I': code = method.len == 6 ? SIP_METHOD_INVITE : SIP_METHOD_INFO; break;
	case 'A': code = SIP_METHOD_ACK; break;
	case 'B': code = SIP_METHOD_BYE; break;
	case 'C': code = SIP_METHOD_CANCEL; break;
	case 'R': code = method.len == 8 ? SIP_METHOD_REGISTER : SIP_METHOD_REFER; break;
	case 'O': code = SIP_METHOD_OPTIONS; break;
	case 'P': code = method.len == 5 ? SIP_METHOD_PRACK : SIP_METHOD_PUBLISH; break;
	case 'S': code = SIP_METHOD_SUBSCRIBE; break;
	case 'N': code = SIP_METHOD_NOTIFY; break;
	case 'M': code = SIP_METHOD_MESSAGE; break;
	case 'U': code = SIP_METHOD_UPDATE; break;
	default: return SIP_METHOD_OTHER;
	}
	/* the name compared as one word (a ninth byte apart): no call */
	const uint8_t *n = (const uint8_t *)methods[code].name;
	size_t len = method.len;
	if (methods[code].len != len)
		return SIP_METHOD_OTHER;
	uint64_t a = len >= 8 ? sv_word_load(method.p) : sv_word_load_tail(method.p, len);
	uint64_t b = len >= 8 ? sv_word_load(n) : sv_word_load_tail(n, len);
	return a == b && (len <= 8 || method.p[8] == n[8]) ? (sip_method_code)code : SIP_METHOD_OTHER;
}

const char *sip_method_name(unsigned code)
{
	return code < SIP_METHOD__COUNT ? methods[code].name : "";
}

const char *sip_hdr_name(unsigned id)
{
	return id < SIP_HDR__COUNT ? hdr_defs[id].name : "";
}

bool sip_hdr_is_list(unsigned id)
{
	return id < SIP_HDR__COUNT && hdr_defs[id].list;
}

/* ---- characters ------------------------------------------------------------ */

/* Built by hand rather than at run time so that the hot path has no
 * initialisation check. */
const uint8_t sip_token_chars[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
	['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
	['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
	['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
	['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
	['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
	['-'] = 1, ['.'] = 1, ['!'] = 1, ['%'] = 1, ['*'] = 1,
	['_'] = 1, ['+'] = 1, ['`'] = 1, ['\''] = 1, ['~'] = 1,
};

/* ---- scanning eight bytes at a time ----------------------------------------
 *
 * The loops over parameter names and values, host names and quoted
 * strings stop at a few punctuation bytes.  A word of eight bytes is
 * tested at once for bytes that may be such a stop; the first flagged byte
 * is then checked against the exact table, so the answer is always the
 * byte loop's.  Whole words only (nothing is read past the view); the
 * rest, and machines where the lowest-addressed byte is not the lowest
 * one of a word, take the byte loop. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SIP_SWAR 1
static const uint64_t swar_ones = 0x0101010101010101ull;
static const uint64_t swar_highs = 0x8080808080808080ull;

/* High bit of each byte of w that is below 0x2d or within 0x3a..0x3f
 * (every stop of param_stop and host_end is): control bytes, SP, the
 * punctuation before '-', and : ; < = > ?.  Letters, digits, '.', '-',
 * '@', '_' and bytes >= 0x80 are never flagged. */
static inline uint64_t swar_maybe_punct(uint64_t w)
{
	uint64_t h = w & ~swar_highs;
	uint64_t ge_2d = h + swar_ones * (0x80 - 0x2d);
	uint64_t ge_3a = h + swar_ones * (0x80 - 0x3a);
	uint64_t ge_40 = h + swar_ones * (0x80 - 0x40);
	return (~ge_2d | (ge_3a & ~ge_40)) & ~w & swar_highs;
}

/* High bit of each byte of w equal to c (the lowest flagged byte is the
 * first such byte; higher ones may be false). */
static inline uint64_t swar_eq(uint64_t w, uint8_t c)
{
	uint64_t x = w ^ (swar_ones * c);
	return (x - swar_ones) & ~x & swar_highs;
}

static inline size_t swar_first(uint64_t flags)
{
	return (size_t)__builtin_ctzll(flags) >> 3;
}
#endif

#if defined(__SSE2__)
/* Bit k set when byte k of the sixteen at q is one swar_maybe_punct
 * flags (below 0x2d or within 0x3a..0x3f, and below 0x80).  The compares
 * are signed: bytes >= 0x80 compare below 0x2d and are taken out again by
 * their sign bits. */
static inline unsigned sse_maybe_punct(const uint8_t *q)
{
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)q);
	__m128i low = _mm_cmplt_epi8(b, _mm_set1_epi8(0x2d));
	__m128i colon_to_question = _mm_and_si128(_mm_cmpgt_epi8(b, _mm_set1_epi8(0x39)),
		_mm_cmplt_epi8(b, _mm_set1_epi8(0x40)));
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(low, colon_to_question)) &
		~(unsigned)_mm_movemask_epi8(b);
}
#endif

/* First index from i below n whose byte has a bit of mask in table, or n. */
static inline size_t scan_punct(const uint8_t *p, size_t i, size_t n, const uint8_t *table, uint8_t mask)
{
#if defined(__SSE2__)
	/* sixteen bytes at a time, the same way as the words below */
	if (n >= 16) {
		while (n - i >= 16) {
			unsigned f = sse_maybe_punct(p + i);
			for (; f; f &= f - 1)
				if (table[p[i + (unsigned)__builtin_ctz(f)]] & mask)
					return i + (unsigned)__builtin_ctz(f);
			i += 16;
		}
		if (i >= n)
			return n;
		size_t base = n - 16;
		unsigned f = sse_maybe_punct(p + base) & (~0u << (i - base));
		for (; f; f &= f - 1)
			if (table[p[base + (unsigned)__builtin_ctz(f)]] & mask)
				return base + (unsigned)__builtin_ctz(f);
		return n;
	}
#endif
#ifdef SIP_SWAR
	/* flagged bytes that are no stop here ('+', ':' in a Via parameter)
	 * are passed by clearing their flag: the flags of a word do not
	 * depend on each other */
	while (n - i >= 8) {
		uint64_t f = swar_maybe_punct(sv_word_load(p + i));
		for (; f; f &= f - 1)
			if (table[p[i + swar_first(f)]] & mask)
				return i + swar_first(f);
		i += 8;
	}
	if (i < n && n >= 8) {
		/* the rest as the last word of the view, without the bytes
		 * before i that it overlaps */
		size_t base = n - 8;
		uint64_t f = swar_maybe_punct(sv_word_load(p + base)) & (~0ull << (8 * (i - base)));
		for (; f; f &= f - 1)
			if (table[p[base + swar_first(f)]] & mask)
				return base + swar_first(f);
		return n;
	}
#endif
	while (i < n && !(table[p[i]] & mask))
		i++;
	return i;
}

static size_t skip_lws(sv v, size_t i)
{
	while (i < v.len && sip_is_lws(v.p[i]))
		i++;
	return i;
}

static size_t skip_token(sv v, size_t i)
{
	while (i < v.len && sip_is_token_char(v.p[i]))
		i++;
	return i;
}

/* i at a '"': index just past the closing quote, or v.len when unterminated. */
static size_t skip_quoted(sv v, size_t i, bool *closed)
{
	i++;
	while (i < v.len) {
#ifdef SIP_SWAR
		/* runs of bytes that are neither '"' nor '\\' */
		while (v.len - i >= 8) {
			uint64_t w = sv_word_load(v.p + i);
			uint64_t f = swar_eq(w, '"') | swar_eq(w, '\\');
			if (f) {
				i += swar_first(f);
				break;
			}
			i += 8;
		}
		if (i >= v.len)
			break;
#endif
		uint8_t c = v.p[i];
		if (c == '\\') {
			i += 2;
			continue;
		}
		if (c == '"') {
			*closed = true;
			return i + 1;
		}
		i++;
	}
	*closed = false;
	return v.len;
}

/* [a, b) of v, clamped. */
static sv sub(sv v, size_t a, size_t b)
{
	return b > a ? sv_sub(v, a, b - a) : sv_sub(v, a, 0);
}

/* n equals lower, a literal of 1 to 8 lower-case letters, but for ASCII
 * case (what sv_eq_ci_cstr answers): one word comparison, no call.
 * Setting bit 0x20 of a byte gives a lower-case letter only when the
 * byte is that letter in either case, so or-ing it into every byte of
 * both words compares letters without folding the bytes one by one. */
static inline bool name_is(sv n, const char *lower, size_t len)
{
	const uint64_t case_bits = 0x2020202020202020ull;
	const uint8_t *l = (const uint8_t *)lower;
	return n.len == len &&
		((len == 8 ? sv_word_load(n.p) : sv_word_load_tail(n.p, len)) | case_bits) ==
		((len == 8 ? sv_word_load(l) : sv_word_load_tail(l, len)) | case_bits);
}

/* Decimal digits only, at most max: what sv_to_u64 answers, inline so
 * that max is a constant and no division is left.  n stays below 2^36:
 * no overflow before the comparison. */
static inline bool parse_u32(sv v, uint32_t max, uint32_t *out)
{
	if (v.len == 0)
		return false;
	uint64_t n = 0;
	for (size_t i = 0; i < v.len; i++) {
		unsigned d = (unsigned)v.p[i] - '0';
		if (d > 9)
			return false;
		n = n * 10 + d;
		if (n > max)
			return false;
	}
	*out = (uint32_t)n;
	return true;
}

bool sip_uint_parse(sv value, uint32_t max, uint32_t *out)
{
	return parse_u32(sv_trim(value), max, out);
}

/* ---- header iteration --------------------------------------------------------- */

/* One header field of a header block, from *off.  Mirrors the field
 * splitting of the message parser (sip_parse.c): a field is a line plus
 * the following lines that start with SP / HTAB. */
static bool block_next_field(sv hb, size_t *off, sv *name, sv *value, sv *field)
{
	while (*off < hb.len) {
		size_t start = *off, end = start;
		for (;;) {
			ptrdiff_t nl = sv_find_byte(sv_skip(hb, end), '\n');
			size_t line_end = nl < 0 ? hb.len : end + (size_t)nl;
			size_t next = nl < 0 ? hb.len : line_end + 1;
			end = line_end;
			if (next < hb.len && (hb.p[next] == ' ' || hb.p[next] == '\t')) {
				end = next;
				continue;
			}
			*off = next;
			break;
		}
		sv f = sub(hb, start, end);
		if (f.len && f.p[f.len - 1] == '\r')
			f.len--;
		ptrdiff_t colon = sv_find_byte(f, ':');
		if (colon < 0 || sv_at(f, 0) == ' ' || sv_at(f, 0) == '\t')
			continue;   /* the parser warned about these; they are not fields */
		size_t ne = (size_t)colon;
		while (ne > 0 && (f.p[ne - 1] == ' ' || f.p[ne - 1] == '\t'))
			ne--;
		if (ne == 0)
			continue;
		*name = sv_head(f, ne);
		*value = sv_trim(sv_skip(f, (size_t)colon + 1));
		*field = f;
		return true;
	}
	return false;
}

void sip_hdr_iter_init(sip_hdr_iter *it, const sip_msg *m, sip_hdr_id id)
{
	memset(it, 0, sizeof(*it));
	it->m = m;
	it->id = (uint16_t)id;
	if (id == SIP_HDR_UNKNOWN || (unsigned)id >= SIP_HDR__COUNT || m->hdr_count[id] == 0) {
		it->done = true;
		return;
	}
	if (m->index_full) {
		it->scan = true;
		it->pos = 0;
	} else {
		it->pos = m->hdr[id].first;
	}
}

void sip_hdr_iter_init_name(sip_hdr_iter *it, const sip_msg *m, sv name)
{
	sip_hdr_id id = sip_hdr_lookup(name);
	if (id != SIP_HDR_UNKNOWN) {
		sip_hdr_iter_init(it, m, id);
		return;
	}
	memset(it, 0, sizeof(*it));
	it->m = m;
	it->id = SIP_HDR_UNKNOWN;
	it->name = name;
	it->scan = m->index_full;
	it->pos = 0;
	it->done = name.len == 0;
}

bool sip_hdr_iter_next(sip_hdr_iter *it, sip_header *out)
{
	const sip_msg *m = it->m;
	if (it->done)
		return false;
	if (it->scan) {
		sv name, value, field;
		while (block_next_field(m->header_block, &it->pos, &name, &value, &field)) {
			sip_hdr_id id = sip_hdr_lookup(name);
			bool match = it->id != SIP_HDR_UNKNOWN ? id == it->id
				: (id == SIP_HDR_UNKNOWN && sv_eq_ci(name, it->name));
			if (match) {
				*out = (sip_header){ name, value, (uint32_t)field.len, (uint16_t)id, 0 };
				return true;
			}
		}
		it->done = true;
		return false;
	}
	if (it->id != SIP_HDR_UNKNOWN) {
		if (it->pos == 0 || it->pos > m->n_headers) {
			it->done = true;
			return false;
		}
		*out = m->headers[it->pos - 1];
		it->pos = out->next;
		return true;
	}
	while (it->pos < m->n_headers) {
		const sip_header *h = &m->headers[it->pos++];
		if (h->id == SIP_HDR_UNKNOWN && sv_eq_ci(h->name, it->name)) {
			*out = *h;
			return true;
		}
	}
	it->done = true;
	return false;
}

bool sip_msg_header(const sip_msg *m, sip_hdr_id id, sip_header *out)
{
	sip_hdr_iter it;
	sip_hdr_iter_init(&it, m, id);
	return sip_hdr_iter_next(&it, out);
}

sv sip_msg_value(const sip_msg *m, sip_hdr_id id)
{
	if ((unsigned)id >= SIP_HDR__COUNT || id == SIP_HDR_UNKNOWN || m->hdr_count[id] == 0)
		return SV_NULL;
	return m->hdr[id].value1;
}

sv sip_msg_find(const sip_msg *m, sv name)
{
	sip_hdr_id id = sip_hdr_lookup(name);
	if (id != SIP_HDR_UNKNOWN)
		return sip_msg_value(m, id);
	sip_hdr_iter it;
	sip_header h;
	sip_hdr_iter_init_name(&it, m, name);
	return sip_hdr_iter_next(&it, &h) ? h.value : SV_NULL;
}

sv sip_msg_find_cstr(const sip_msg *m, const char *name)
{
	return sip_msg_find(m, sv_from_cstr(name));
}

unsigned sip_msg_count(const sip_msg *m, sip_hdr_id id)
{
	return (unsigned)id < SIP_HDR__COUNT ? m->hdr_count[id] : 0;
}

/* ---- lists ------------------------------------------------------------------------ */

/* Bytes that matter to sip_list_split; everything else is skipped in runs. */
static const uint8_t list_special[256] = {
	['"'] = 1, ['<'] = 1, ['>'] = 1, [','] = 1,
};

static inline bool list_split(sv *rest, sv *item)
{
	sv v = *rest;
	if (v.p == NULL)
		return false;
	/* Most values hold one item: without a comma anywhere, quotes and
	 * angle brackets cannot change the answer, and memchr finds that
	 * out faster than the scan below. */
	if (v.len == 0 || memchr(v.p, ',', v.len) == NULL) {
		*item = sv_trim(v);
		*rest = SV_NULL;
		return true;
	}
	size_t i = 0;
	bool angle = false;
	while (i < v.len) {
		while (i < v.len && !list_special[v.p[i]])
			i++;
		if (i >= v.len)
			break;
		uint8_t c = v.p[i];
		if (c == '"' && !angle) {
			bool closed;
			i = skip_quoted(v, i, &closed);
			continue;
		}
		if (c == '<')
			angle = true;
		else if (c == '>')
			angle = false;
		else if (c == ',' && !angle) {
			*item = sv_trim(sv_head(v, i));
			*rest = sv_skip(v, i + 1);
			if (rest->p == NULL)
				*rest = (sv){ v.p + v.len, 0 };
			return true;
		}
		i++;
	}
	*item = sv_trim(v);
	*rest = SV_NULL;
	return true;
}

bool sip_list_split(sv *rest, sv *item)
{
	return list_split(rest, item);
}

void sip_list_init(sip_list_iter *it, const sip_msg *m, sip_hdr_id id)
{
	sip_hdr_iter_init(&it->h, m, id);
	it->rest = SV_NULL;
}

void sip_list_init_name(sip_list_iter *it, const sip_msg *m, sv name)
{
	sip_hdr_iter_init_name(&it->h, m, name);
	it->rest = SV_NULL;
}

bool sip_list_next(sip_list_iter *it, sv *item)
{
	for (;;) {
		while (list_split(&it->rest, item))
			if (item->len)
				return true;
		sip_header h;
		if (!sip_hdr_iter_next(&it->h, &h))
			return false;
		it->rest = h.value;
		if (it->rest.p == NULL)
			it->rest = SV_NULL;
	}
}

/* ---- parameters ------------------------------------------------------------------- */

/* Bytes that end an unquoted parameter value. */
/* Bytes that end a parameter value (PARAM_VALUE_END) and a parameter
 * name (PARAM_NAME_END: those and '='), as a table: these loops run over
 * every parameter of every Via, From, To and Contact. */
enum { PARAM_VALUE_END = 1, PARAM_NAME_END = 2 };
static const uint8_t param_stop[256] = {
	[';'] = 3, [','] = 3, ['?'] = 3, ['>'] = 3,
	[' '] = 3, ['\t'] = 3, ['\r'] = 3, ['\n'] = 3,
	['='] = PARAM_NAME_END,
};

/* The length of the name of a parameter at q (avail >= 9 bytes readable)
 * that is one of the usual ones written as the RFCs spell them and
 * followed at once by '=' (*eq) or, for rport, by ';' ("branch=", "tag=",
 * "rport=", "rport;", "received=", "transport=", "expires="), else 0.
 * Nearly every parameter of a Via, From, To or Contact is one of them. */
static inline size_t known_param(const uint8_t *q, size_t avail, bool *eq)
{
	*eq = true;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* each literal is eight bytes, NUL-padded; a mask keeps the bytes a
	 * shorter name with its = takes (the first in memory) */
#define WORD(s8) sv_word_load((const uint8_t *)(s8))
	uint64_t w = sv_word_load(q);
	if ((w & 0xffffffffffffffull) == WORD("branch=\0"))
		return 6;
	if ((w & 0xffffffffull) == WORD("tag=\0\0\0\0"))
		return 3;
	if ((w & 0xffffffffffull) == WORD("rport\0\0\0")) {
		*eq = q[5] == '=';
		return *eq || q[5] == ';' ? 5 : 0;
	}
	if (w == WORD("received") && q[8] == '=')
		return 8;
	if (w == WORD("transpor") && avail >= 10 && q[8] == 't' && q[9] == '=')
		return 9;
	if (w == WORD("expires="))
		return 7;
#undef WORD
#else
	(void)q;
	(void)avail;
#endif
	return 0;
}

/* The body of sip_param_next, inline so that the loops over the
 * parameters of one value (Via, From, To, Contact) run without a call per
 * parameter.  The scans walk pointers between s and e = s + v.len. */
G_ALWAYS_INLINE static inline bool param_next(sv *rest, sip_param *p)
{
	sv v = *rest;
	if (v.len == 0)
		return false;
	const uint8_t *s = v.p, *e = s + v.len, *q = s;
	while (q < e && sip_is_lws(*q))
		q++;
	if (q == e || *q != ';')
		return false;
	q++;
	p->has_value = false;
	p->quoted = false;
	const uint8_t *j;
	bool eq;
	size_t known = e - q >= 9 ? known_param(q, (size_t)(e - q), &eq) : 0;
	if (known) {
		/* the name and what follows it found at once: what the loops
		 * below would find */
		p->name = (sv){ q, known };
		q += known;
		j = eq ? q + 1 : NULL;
	} else {
		while (q < e && sip_is_lws(*q))
			q++;
		const uint8_t *ns = q;
		/* names are short ("tag", "branch", "lr"): a byte at a time
		 * beats setting up the wide scan */
		while (q < e && !(param_stop[*q] & PARAM_NAME_END))
			q++;
		p->name = (sv){ ns, (size_t)(q - ns) };
		j = q;
		while (j < e && sip_is_lws(*j))
			j++;
		if (j < e && *j == '=')
			j++;
		else
			j = NULL;
	}
	if (j) {
		while (j < e && sip_is_lws(*j))
			j++;
		p->has_value = true;
		if (j < e && *j == '"') {
			bool closed;
			size_t at = (size_t)(j - s);
			size_t qe = skip_quoted(v, at, &closed);
			p->value = sub(v, at + 1, closed ? qe - 1 : qe);
			p->quoted = true;
			q = s + qe;
		} else {
			const uint8_t *vs = j;
			/* an IPv6 reference may hold ':' but nothing that stops us */
			j = s + scan_punct(s, (size_t)(j - s), v.len, param_stop, PARAM_VALUE_END);
			p->value = (sv){ vs, (size_t)(j - vs) };
			q = j;
		}
	} else {
		p->value = (sv){ q, 0 };
	}
	*rest = (sv){ q, (size_t)(e - q) };
	return true;
}

bool sip_param_next(sv *rest, sip_param *p)
{
	return param_next(rest, p);
}

bool sip_param_find(sv params, const char *name, sip_param *out)
{
	sip_param p;
	while (param_next(&params, &p)) {
		if (sv_eq_ci_cstr(p.name, name)) {
			*out = p;
			return true;
		}
	}
	return false;
}

bool sip_param_get(sv params, const char *name, sv *value)
{
	sip_param p;
	if (!sip_param_find(params, name, &p))
		return false;
	*value = p.value;
	return true;
}

/* ---- URIs ---------------------------------------------------------------------------- */

/* Bytes that end a host name: in a URI ';' and '?'; in a Via sent-by also
 * linear whitespace and ','. */
enum { HOST_END_URI = 1, HOST_END_VIA = 2 };
static const uint8_t host_end[256] = {
	[';'] = 3, [':'] = 3, ['?'] = HOST_END_URI,
	[' '] = HOST_END_VIA, ['\t'] = HOST_END_VIA, ['\r'] = HOST_END_VIA,
	['\n'] = HOST_END_VIA, [','] = HOST_END_VIA,
};

/* host[:port] from v[i] (i <= v.len).  Fills host, host_ipv6, hostport,
 * has_port, port; returns the index after it, or (size_t)-1 when the host
 * or port is unusable.  A Via sent-by allows SWS around the colon
 * (COLON = SWS ":" SWS).  Inline: it runs for every Via and URI, and its
 * views are built directly from indexes known to lie within v. */
static inline size_t parse_hostport(sv v, size_t i, bool via, sv *host, bool *ipv6,
	sv *hostport, bool *has_port, uint16_t *port)
{
	size_t start = i;
	*ipv6 = false;
	*has_port = false;
	*port = 0;
	if (v.len == 0) {
		*host = v;
		return (size_t)-1;
	}
	if (i < v.len && v.p[i] == '[') {
		const uint8_t *rb = memchr(v.p + i, ']', v.len - i);
		if (rb == NULL)
			return (size_t)-1;
		size_t e = (size_t)(rb - v.p);
		*host = (sv){ v.p + i + 1, e - i - 1 };
		*ipv6 = true;
		i = e + 1;
	} else {
		size_t hs = i;
		i = scan_punct(v.p, i, v.len, host_end, via ? HOST_END_VIA : HOST_END_URI);
		*host = (sv){ v.p + hs, i - hs };
	}
	if (host->len == 0)
		return (size_t)-1;
	size_t after_host = i;
	size_t j = i;
	if (via)
		j = skip_lws(v, j);
	if (j < v.len && v.p[j] == ':') {
		j++;
		if (via)
			j = skip_lws(v, j);
		/* the digits and their value at once (what parse_port of the
		 * run would answer: some digits, at most 65535) */
		size_t ps = j;
		uint32_t n = 0;
		for (; j < v.len; j++) {
			unsigned d = (unsigned)v.p[j] - '0';
			if (d > 9)
				break;
			n = n * 10 + d;
			if (n > 65535)
				return (size_t)-1;   /* more digits would not make it usable */
		}
		if (j == ps)
			return (size_t)-1;
		*port = (uint16_t)n;
		*has_port = true;
		*hostport = (sv){ v.p + start, j - start };
		return j;
	}
	*hostport = (sv){ v.p + start, after_host - start };
	return after_host;
}

bool sip_uri_param(const sip_uri *u, const char *name, sv *value)
{
	return sip_param_get(u->params, name, value);
}

bool sip_uri_parse(sv text, sip_uri *u)
{
	memset(u, 0, sizeof(*u));
	u->raw = text;
	u->password = SV_NULL;
	u->headers = SV_NULL;
	size_t i = 0;
	if (text.len >= 4 && memcmp(text.p, "sip:", 4) == 0)
		i = 3;   /* the usual scheme: the loop below would stop at the same colon */
	while (i < text.len && text.p[i] != ':' && i < 64) {
		int c = text.p[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
		if (!ok)
			return false;
		i++;
	}
	if (i == 0 || i >= text.len || text.p[i] != ':')
		return false;
	u->scheme_name = sv_head(text, i);
	sv rest = sv_skip(text, i + 1);
	u->opaque = rest;
	if (name_is(u->scheme_name, "sip", 3))
		u->scheme = SIP_URI_SIP;
	else if (name_is(u->scheme_name, "sips", 4))
		u->scheme = SIP_URI_SIPS;
	else if (name_is(u->scheme_name, "tel", 3))
		u->scheme = SIP_URI_TEL;
	else
		return true;

	if (u->scheme == SIP_URI_TEL) {
		ptrdiff_t semi = sv_find_byte(rest, ';');
		u->user = semi < 0 ? rest : sv_head(rest, (size_t)semi);
		u->params = semi < 0 ? sv_sub(rest, rest.len, 0) : sv_skip(rest, (size_t)semi);
		return u->user.len > 0;
	}

	/* userinfo ends at the first '@' (user and password never hold an unescaped one) */
	size_t hs = 0;
	ptrdiff_t at = sv_find_byte(rest, '@');
	if (at >= 0) {
		sv ui = sv_head(rest, (size_t)at);
		ptrdiff_t colon = sv_find_byte(ui, ':');
		if (colon >= 0) {
			u->user = sv_head(ui, (size_t)colon);
			u->password = sv_skip(ui, (size_t)colon + 1);
		} else {
			u->user = ui;
		}
		hs = (size_t)at + 1;
	}
	size_t e = parse_hostport(rest, hs, false, &u->host, &u->host_ipv6, &u->hostport,
		&u->has_port, &u->port);
	if (e == (size_t)-1)
		return false;
	sv tail = sv_skip(rest, e);
	ptrdiff_t q = sv_find_byte(tail, '?');
	if (q >= 0) {
		u->params = sv_head(tail, (size_t)q);
		u->headers = sv_skip(tail, (size_t)q + 1);
	} else {
		u->params = tail;
	}
	if (u->params.len && u->params.p[0] != ';')
		return false;
	return true;
}

/* ---- name-addr / addr-spec ---------------------------------------------------------- */

const char *sip_addr_flaw_text(unsigned flaw)
{
	switch (flaw) {
	case SIP_ADDR_F_UNTERMINATED_QUOTE: return "unterminated quoted string";
	case SIP_ADDR_F_NO_RAQUOT: return "'<' without '>'";
	case SIP_ADDR_F_URI_SPACE: return "whitespace inside <>";
	case SIP_ADDR_F_DISPLAY_CHARS: return "display name has characters that must be quoted";
	case SIP_ADDR_F_NEEDS_ANGLE: return "URI with '?' or ',' must be enclosed in <>";
	case SIP_ADDR_F_EMPTY_PARAM: return "empty parameter";
	case SIP_ADDR_F_NO_URI: return "no URI";
	case SIP_ADDR_F_JUNK: return "unexpected bytes after '>'";
	default: return "malformed";
	}
}

void sip_unquote_append(sv inner, GString *out)
{
	for (size_t i = 0; i < inner.len; i++) {
		uint8_t c = inner.p[i];
		if (c == '\\' && i + 1 < inner.len)
			c = inner.p[++i];
		g_string_append_c(out, (char)c);
	}
}

/* The flaws of a's parameters; on the way, the first tag (what
 * sip_param_get(a->params, "tag") returns), read once for the dialog. */
static inline unsigned params_flaws(sip_addr *a)
{
	sip_param p;
	unsigned flaws = 0;
	sv rest = a->params;
	while (param_next(&rest, &p)) {
		if (p.name.len == 0)
			flaws |= SIP_ADDR_F_EMPTY_PARAM;
		else if (!a->has_tag && name_is(p.name, "tag", 3)) {
			a->has_tag = true;
			a->tag = p.value;
		}
	}
	if (skip_lws(rest, 0) < rest.len)
		flaws |= SIP_ADDR_F_JUNK;
	return flaws;
}

/* The display name before '<' may be tokens separated by LWS. */
static bool display_is_tokens(sv d)
{
	for (size_t i = 0; i < d.len; i++)
		if (!sip_is_token_char(d.p[i]) && !sip_is_lws(d.p[i]))
			return false;
	return true;
}

bool sip_addr_parse(sv value, sip_addr *a)
{
	memset(a, 0, sizeof(*a));
	sv v = sv_trim(value);
	a->display = SV_NULL;
	a->tag = SV_NULL;
	a->params = sv_sub(v, v.len, 0);
	if (v.len == 1 && v.p[0] == '*') {
		a->star = true;
		a->uri = v;
		return true;
	}
	size_t i = 0;
	if (v.len && v.p[0] == '"') {
		bool closed;
		size_t e = skip_quoted(v, 0, &closed);
		if (!closed) {
			a->flaws |= SIP_ADDR_F_UNTERMINATED_QUOTE;
			return false;
		}
		a->display = sub(v, 1, e - 1);
		a->display_quoted = true;
		i = skip_lws(v, e);
		if (i >= v.len || v.p[i] != '<') {
			a->flaws |= SIP_ADDR_F_NO_URI;
			return false;
		}
	} else {
		ptrdiff_t lt = sv_find_byte(v, '<');
		if (lt < 0) {
			/* addr-spec: the URI runs to the first ';' or whitespace */
			size_t e = 0;
			while (e < v.len && v.p[e] != ';' && !sip_is_lws(v.p[e]))
				e++;
			a->uri = sv_head(v, e);
			if (a->uri.len == 0) {
				a->flaws |= SIP_ADDR_F_NO_URI;
				return false;
			}
			for (size_t k = 0; k < a->uri.len; k++)
				if (a->uri.p[k] == '?' || a->uri.p[k] == ',')
					a->flaws |= SIP_ADDR_F_NEEDS_ANGLE;
			a->params = sv_skip(v, e);
			a->flaws |= params_flaws(a);
			return true;
		}
		sv d = sv_trim(sv_head(v, (size_t)lt));
		if (d.len) {
			a->display = d;
			if (!display_is_tokens(d))
				a->flaws |= SIP_ADDR_F_DISPLAY_CHARS;
		}
		i = (size_t)lt;
	}
	/* v.p[i] == '<' */
	ptrdiff_t gt = sv_find_byte(sv_skip(v, i), '>');
	if (gt < 0) {
		a->flaws |= SIP_ADDR_F_NO_RAQUOT;
		a->uri = sv_trim(sv_skip(v, i + 1));
		return false;
	}
	a->angle = true;
	sv inner = sub(v, i + 1, i + (size_t)gt);
	sv t = sv_trim(inner);
	if (t.len != inner.len)
		a->flaws |= SIP_ADDR_F_URI_SPACE;
	a->uri = t;
	if (t.len == 0) {
		a->flaws |= SIP_ADDR_F_NO_URI;
		return false;
	}
	a->params = sv_skip(v, i + (size_t)gt + 1);
	a->flaws |= params_flaws(a);
	return true;
}

bool sip_msg_from(const sip_msg *m, sip_addr *a)
{
	if (m->from_parsed) {
		*a = m->from;
		return m->from_ok;
	}
	sv v = sip_msg_value(m, SIP_HDR_FROM);
	return v.p && sip_addr_parse(v, a);
}

bool sip_msg_to(const sip_msg *m, sip_addr *a)
{
	if (m->to_parsed) {
		*a = m->to;
		return m->to_ok;
	}
	sv v = sip_msg_value(m, SIP_HDR_TO);
	return v.p && sip_addr_parse(v, a);
}

bool sip_msg_contact_item(const sip_msg *m, sv item, sip_addr *a)
{
	if (item.p && item.p == m->contact1_item.p && item.len == m->contact1_item.len) {
		*a = m->contact1;
		return m->contact1_ok;
	}
	return sip_addr_parse(item, a);
}

/* ---- Via ------------------------------------------------------------------------------ */

bool sip_via_parse(sv value, sip_via *v)
{
	memset(v, 0, sizeof(*v));
	sv s = sv_trim(value);
	size_t i = 0, e;

	/* sent-protocol = protocol-name SLASH protocol-version SLASH transport,
	 * SLASH = SWS "/" SWS; nearly always "SIP/2.0/", where the token scans
	 * below would stop at the same places */
	if (s.len >= 8 && memcmp(s.p, "SIP/2.0/", 8) == 0) {
		v->protocol_name = (sv){ s.p, 3 };
		v->protocol_version = (sv){ s.p + 4, 3 };
		i = skip_lws(s, 8);
	} else {
		e = skip_token(s, i);
		if (e == i)
			return false;
		v->protocol_name = sub(s, i, e);
		i = skip_lws(s, e);
		if (i >= s.len || s.p[i] != '/')
			return false;
		i = skip_lws(s, i + 1);
		e = skip_token(s, i);
		if (e == i)
			return false;
		v->protocol_version = sub(s, i, e);
		i = skip_lws(s, e);
		if (i >= s.len || s.p[i] != '/')
			return false;
		i = skip_lws(s, i + 1);
	}
	e = skip_token(s, i);
	if (e == i)
		return false;
	v->transport = sub(s, i, e);
	i = skip_lws(s, e);
	if (i == e)
		return false;   /* LWS before sent-by is mandatory */
	e = parse_hostport(s, i, true, &v->host, &v->host_ipv6, &v->sent_by,
		&v->has_port, &v->port);
	if (e == (size_t)-1)
		return false;
	v->params = sv_skip(s, e);

	sv rest = v->params;
	sip_param p;
	while (param_next(&rest, &p)) {
		if (p.name.len == 0) {
			v->empty_param = true;
		} else if (name_is(p.name, "branch", 6)) {
			if (!v->has_branch) {
				v->has_branch = true;
				v->branch = p.value;
			}
		} else if (name_is(p.name, "received", 8)) {
			v->has_received = true;
			v->received = p.value;
		} else if (name_is(p.name, "rport", 5)) {
			v->has_rport = true;
			v->rport = p.value;
		} else if (name_is(p.name, "maddr", 5)) {
			v->has_maddr = true;
			v->maddr = p.value;
		} else if (name_is(p.name, "ttl", 3)) {
			uint32_t ttl;
			if (parse_u32(p.value, 255, &ttl)) {
				v->has_ttl = true;
				v->ttl = (uint8_t)ttl;
			}
		}
	}
	/* anything left that is not a parameter makes the value malformed */
	return skip_lws(rest, 0) >= rest.len;
}

bool sip_msg_via_top(const sip_msg *m, sip_via *v)
{
	sv rest = sip_msg_value(m, SIP_HDR_VIA), item;
	if (rest.p == NULL)
		return false;
	while (sip_list_split(&rest, &item))
		if (item.len)
			return sip_via_parse(item, v);
	return false;
}

/* ---- single values ---------------------------------------------------------------------- */

bool sip_cseq_parse(sv value, uint32_t *num, sv *method)
{
	sv s = sv_trim(value);
	/* the digits and their value at once (what parse_u32 of the run
	 * would answer); the number is stored even when the method then
	 * fails */
	size_t i = 0;
	uint64_t n = 0;
	for (; i < s.len; i++) {
		unsigned d = (unsigned)s.p[i] - '0';
		if (d > 9)
			break;
		n = n * 10 + d;
		if (n > UINT32_MAX)
			return false;   /* what the digits after it would not change */
	}
	if (i == 0)
		return false;
	*num = (uint32_t)n;
	size_t j = skip_lws(s, i);
	if (j == i)
		return false;
	size_t e = skip_token(s, j);
	if (e == j || e != s.len)
		return false;
	*method = (sv){ s.p + j, e - j };
	return true;
}

/* "0.33" -> 330, "1" -> 1000 */
static bool parse_qvalue(sv v, uint16_t *q)
{
	if (v.len == 0 || (v.p[0] != '0' && v.p[0] != '1'))
		return false;
	unsigned n = (unsigned)(v.p[0] - '0') * 1000;
	if (v.len > 1) {
		if (v.p[1] != '.' || v.len > 5)
			return false;
		unsigned scale = 100;
		for (size_t i = 2; i < v.len; i++, scale /= 10) {
			if (v.p[i] < '0' || v.p[i] > '9')
				return false;
			n += (unsigned)(v.p[i] - '0') * scale;
		}
	}
	if (n > 1000)
		return false;
	*q = (uint16_t)n;
	return true;
}

bool sip_contact_parse(sv value, sip_contact *c)
{
	memset(c, 0, sizeof(*c));
	if (!sip_addr_parse(value, &c->addr))
		return false;
	c->star = c->addr.star;
	/* the first q and the first expires, in one walk over the parameters
	 * (a registrar's 2xx lists every binding, each with several) */
	sip_param p, q = { 0 }, ex = { 0 };
	bool found_q = false, found_ex = false;
	sv rest = c->addr.params;
	while ((!found_q || !found_ex) && param_next(&rest, &p)) {
		if (!found_q && name_is(p.name, "q", 1)) {
			q = p;
			found_q = true;
		} else if (!found_ex && name_is(p.name, "expires", 7)) {
			ex = p;
			found_ex = true;
		}
	}
	if (found_q && parse_qvalue(q.value, &c->q))
		c->has_q = true;
	if (found_ex && parse_u32(ex.value, UINT32_MAX, &c->expires))
		c->has_expires = true;
	return true;
}

bool sip_route_parse(sv value, sip_route *r)
{
	memset(r, 0, sizeof(*r));
	if (!sip_addr_parse(value, &r->addr) || r->addr.star)
		return false;
	if (!sip_uri_parse(r->addr.uri, &r->uri))
		return false;
	sv lr;
	r->lr = sip_uri_param(&r->uri, "lr", &lr);
	return true;
}

bool sip_ctype_parse(sv value, sip_ctype *ct)
{
	memset(ct, 0, sizeof(*ct));
	sv s = sv_trim(value);
	size_t e = skip_token(s, 0);
	if (e == 0)
		return false;
	ct->type = sv_head(s, e);
	size_t i = skip_lws(s, e);
	if (i >= s.len || s.p[i] != '/')
		return false;
	i = skip_lws(s, i + 1);
	e = skip_token(s, i);
	if (e == i)
		return false;
	ct->subtype = sub(s, i, e);
	ct->params = sv_skip(s, e);
	return true;
}

bool sip_ctype_is(const sip_ctype *ct, const char *type, const char *subtype)
{
	return sv_eq_ci_cstr(ct->type, type) && (!subtype || sv_eq_ci_cstr(ct->subtype, subtype));
}

bool sip_ctype_param(const sip_ctype *ct, const char *name, sv *value)
{
	return sip_param_get(ct->params, name, value);
}

bool sip_reason_parse(sv value, sip_reason *r)
{
	memset(r, 0, sizeof(*r));
	r->text = SV_NULL;
	sv s = sv_trim(value);
	size_t e = skip_token(s, 0);
	if (e == 0)
		return false;
	r->protocol = sv_head(s, e);
	r->params = sv_skip(s, e);
	sip_param p;
	sv rest = r->params;
	while (sip_param_next(&rest, &p)) {
		if (sv_eq_ci_cstr(p.name, "cause")) {
			r->has_cause = parse_u32(p.value, UINT32_MAX, &r->cause);
		} else if (sv_eq_ci_cstr(p.name, "text")) {
			r->text = p.value;
		}
	}
	return true;
}

bool sip_msg_expires(const sip_msg *m, uint32_t *out)
{
	sv v = sip_msg_value(m, SIP_HDR_EXPIRES);
	return v.p && sip_uint_parse(v, UINT32_MAX, out);
}
