/*
 * sipframe.c — transport payloads to whole SIP messages (see sipframe.h).
 *
 * Datagrams (UDP, SCTP DATA) are checked for a start line and handed on as
 * they are.  TCP goes through tcpstream.c (sequence order) and then a small
 * per-direction state machine:
 *
 *   NEW      first bytes: SIP start line, HTTP upgrade, WebSocket frames,
 *            something else (hunt), or clearly not SIP (ignore)
 *   SIP      Content-Length framing (RFC 3261 §18.3)
 *   HUNT     resynchronising: a start line at the beginning of a line
 *   HTTP     the upgrade request or the 101 response, up to its blank line
 *   WS       RFC 6455 frames (websocket.c), each message framed as SIP
 *   WS_RESYNC  WebSocket framing lost: wait for a chunk that starts a frame
 *   IGNORE   no SIP on this direction
 *
 * A message lying whole in one chunk is handed on as a view into the frame;
 * one spread over chunks is gathered in the direction's pending buffer and
 * copied into the arena once, when it is complete.  A chunk may also be
 * "transient": bytes taken back out of the pending buffer to be looked at
 * again in another state; messages found in it are copied.
 */
#include "capture/sipframe.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "capture/tcpstream.h"
#include "capture/websocket.h"

enum {
	SF_LINE_MAX = 4096,          /* how far to look for the end of a start line */
	SF_HDR_MAX = 64 << 10,       /* header section without an end: give up */
	SF_BODY_MAX = 16 << 20,      /* larger Content-Length: give up */
	SF_MAX_FLOWS = CAP_SIPFRAME_MAX_FLOWS,
	SF_HUNT_BUDGET = 1 << 20,    /* bytes searched on a direction that never had SIP */
	SF_CLASSIFY_MAX = SF_LINE_MAX + 14,
	SF_BUF_KEEP = 256 << 10,     /* larger buffers are freed once empty */
	/* Pending bytes over all directions: beyond this, directions holding
	 * more than SF_BUF_KEEP hand on what they have and resynchronise. */
	SF_BUF_TOTAL_MAX = 256 << 20,
};

const char *sip_transport_name(sip_transport t)
{
	switch (t) {
	case SIP_TRANSPORT_UDP:
		return "UDP";
	case SIP_TRANSPORT_TCP:
		return "TCP";
	case SIP_TRANSPORT_SCTP:
		return "SCTP";
	case SIP_TRANSPORT_WS:
		return "WS";
	}
	return "?";
}

/* ---- start line, header section, Content-Length ----------------------- */

typedef enum { SL_NO, SL_MORE, SL_YES } sl_verdict;

static bool is_token_char(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '-': case '.': case '!': case '%': case '*':
	case '_': case '+': case '`': case '\'': case '~':
		return true;
	default:
		return false;
	}
}

/* Ran out of bytes at the look-ahead bound: more only if v was shorter. */
static sl_verdict sl_out(sv v)
{
	return v.len < SF_LINE_MAX ? SL_MORE : SL_NO;
}

/* The line end at i: CRLF, or (tolerated, the dissector complains) a bare
 * LF or CR. */
static sl_verdict sl_eol(sv v, size_t n, size_t i, size_t *line_len)
{
	if (i >= n)
		return sl_out(v);
	if (v.p[i] == '\n') {
		*line_len = i + 1;
		return SL_YES;
	}
	if (v.p[i] != '\r')
		return SL_NO;
	if (i + 1 >= v.len)
		return SL_MORE; /* CR now, LF perhaps in the next piece */
	*line_len = v.p[i + 1] == '\n' ? i + 2 : i + 1;
	return SL_YES;
}

/* The first index from i below n whose byte is a control byte (below
 * 0x20 or 0x7f) or, when sp, a space: the end of a Request-URI (sp) or
 * of a reason phrase (HTAB allowed there is checked by the caller).
 * Sixteen bytes at a time: start lines are read for every message. */
static size_t sl_run(sv v, size_t i, size_t n, bool sp)
{
#if defined(__SSE2__)
	const __m128i lim = _mm_set1_epi8(sp ? 0x21 : 0x20), del = _mm_set1_epi8(0x7f);
	while (n - i >= 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(v.p + i));
		/* signed compare: bytes >= 0x80 look negative and are taken out
		 * again by their sign bits */
		unsigned f = ((unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(b, lim)) &
			~(unsigned)_mm_movemask_epi8(b)) |
			(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, del));
		if (f)
			return i + (unsigned)__builtin_ctz(f);
		i += 16;
	}
#endif
	uint8_t lim1 = sp ? 0x21 : 0x20;
	while (i < n && v.p[i] >= lim1 && v.p[i] != 0x7f)
		i++;
	return i;
}

/* "SIP/2.0" (any case) at i. */
static sl_verdict sl_version(sv v, size_t n, size_t *i)
{
	static const char ver[] = "sip/2.0";
	if (n - *i >= 8) {
		/* the usual case in one word: seven bytes, lower-cased */
		uint64_t w = sv_word_lower(sv_word_load(v.p + *i)) & 0x00ffffffffffffffull;
		uint64_t want = sv_word_load((const uint8_t *)"sip/2.0");
		if (w == (want & 0x00ffffffffffffffull)) {
			*i += 7;
			return SL_YES;
		}
	}
	for (size_t k = 0; k < 7; k++, (*i)++) {
		if (*i >= n)
			return sl_out(v);
		if (sv_lower(v.p[*i]) != ver[k])
			return SL_NO;
	}
	return SL_YES;
}

/* SIP/2.0 SP 3DIGIT SP Reason-Phrase CRLF (a missing reason tolerated). */
static sl_verdict sl_status(sv v, size_t *line_len)
{
	size_t n = v.len < SF_LINE_MAX ? v.len : SF_LINE_MAX;
	size_t i = 0;
	sl_verdict r = sl_version(v, n, &i);
	if (r != SL_YES)
		return r;
	if (i >= n)
		return sl_out(v);
	if (v.p[i++] != ' ')
		return SL_NO;
	for (int k = 0; k < 3; k++, i++) {
		if (i >= n)
			return sl_out(v);
		if (v.p[i] < '0' || v.p[i] > '9')
			return SL_NO;
	}
	if (i >= n)
		return sl_out(v);
	if (v.p[i] == ' ') {
		for (i++; i < n; i++) {
			i = sl_run(v, i, n, false);
			if (i >= n)
				break;
			uint8_t c = v.p[i];
			if (c == '\r' || c == '\n')
				break;
			if (c != '\t')
				return SL_NO;
		}
	}
	return sl_eol(v, n, i, line_len);
}

/* Method SP Request-URI SP SIP/2.0 CRLF */
static sl_verdict sl_request(sv v, size_t *line_len)
{
	size_t n = v.len < SF_LINE_MAX ? v.len : SF_LINE_MAX;
	size_t i = 0;
	while (i < n && is_token_char(v.p[i]))
		i++;
	if (i >= n)
		return sl_out(v);
	if (i == 0 || v.p[i] != ' ')
		return SL_NO;
	size_t u = ++i;
	i = sl_run(v, i, n, true);
	if (i >= n)
		return sl_out(v);
	if (i == u || v.p[i] != ' ')
		return SL_NO;
	i++;
	sl_verdict r = sl_version(v, n, &i);
	if (r != SL_YES)
		return r;
	return sl_eol(v, n, i, line_len);
}

/* Does v start with a SIP start line?  MORE: not enough bytes to say. */
static sl_verdict startline_check(sv v, size_t *line_len)
{
	size_t ll = 0;
	sl_verdict a = sl_status(v, &ll);
	if (a != SL_YES) {
		sl_verdict b = sl_request(v, &ll);
		if (b == SL_YES)
			a = SL_YES;
		else if (b == SL_MORE)
			a = SL_MORE;
	}
	if (line_len)
		*line_len = ll;
	return a;
}

static size_t skip_crlf(sv v)
{
	size_t i = 0;
	while (i < v.len && (v.p[i] == '\r' || v.p[i] == '\n'))
		i++;
	return i;
}

/* The end of the header section: an empty line, i.e. LF [CR] LF.  The state
 * (0: in a line, 1: after LF, 2: after LF CR) carries across pieces; *end is
 * the offset in v just past the final LF. */
static bool hdr_end_scan(uint8_t *state, sv v, size_t *end)
{
	uint8_t s = *state;
	size_t i = 0;
	while (i < v.len) {
		if (s == 0) {
			const uint8_t *q = memchr(v.p + i, '\n', v.len - i);
			if (!q) {
				i = v.len;
				break;
			}
			i = (size_t)(q - v.p) + 1;
			s = 1;
			continue;
		}
		uint8_t c = v.p[i++];
		if (c == '\n') {
			*state = 0;
			*end = i;
			return true;
		}
		s = (c == '\r' && s == 1) ? 2 : 0;
	}
	*state = s;
	return false;
}

typedef enum { CL_NONE, CL_OK, CL_BAD, CL_HUGE } cl_rc;

/* One header line (without its LF): CL_NONE when it is no Content-Length
 * (or compact "l") field, else what its value says.  Folded continuation
 * lines are not looked at. */
static cl_rc cl_line(sv line, uint64_t *out)
{
	size_t j;
	int c = sv_at(line, 0);
	if (c == 'c' || c == 'C') {
		if (!sv_starts_with_ci(line, SV_LIT("content-length")))
			return CL_NONE;
		j = 14;
	} else if (c == 'l' || c == 'L') {
		j = 1;
	} else {
		return CL_NONE;
	}
	while (j < line.len && (line.p[j] == ' ' || line.p[j] == '\t'))
		j++;
	if (sv_at(line, j) != ':')
		return CL_NONE;
	sv val = sv_trim(sv_skip(line, j + 1));
	if (val.len == 0)
		return CL_BAD;
	uint64_t n = 0;
	for (size_t k = 0; k < val.len; k++) {
		uint8_t d = val.p[k];
		if (d < '0' || d > '9')
			return CL_BAD;
		if (n <= SF_BODY_MAX)
			n = n * 10 + (uint64_t)(d - '0');
	}
	if (n > SF_BODY_MAX)
		return CL_HUGE;
	*out = n;
	return CL_OK;
}

/* Content-Length (or compact "l") at a line start of the header section;
 * the first one counts. */
static cl_rc content_length(sv head, uint64_t *out)
{
	ptrdiff_t lf = sv_find_byte(head, '\n');
	size_t i = lf < 0 ? head.len : (size_t)lf + 1;
	while (i < head.len) {
		sv rest = sv_skip(head, i);
		ptrdiff_t e = sv_find_byte(rest, '\n');
		sv line = e < 0 ? rest : sv_head(rest, (size_t)e);
		i += e < 0 ? rest.len : (size_t)e + 1;
		cl_rc r = cl_line(line, out);
		if (r != CL_NONE)
			return r;
	}
	return CL_NONE;
}

/* hdr_end_scan's state after v whose last line, from i (just after an
 * LF), holds no LF. */
static uint8_t tail_state(sv v, size_t i)
{
	if (i == v.len)
		return 1;
	return i + 1 == v.len && v.p[i] == '\r' ? 2 : 0;
}

/* hdr_end_scan from its first state and content_length of the section it
 * finds, in one walk over the lines: a message whose header section lies
 * whole in v, the usual case.  The section ends after the first LF that
 * is followed by LF or CR LF; *end is just past that last LF.  False when
 * v holds no end: *state is then where hdr_end_scan would have stopped. */
static bool head_scan(sv v, size_t *end, cl_rc *rc, uint64_t *cl, uint8_t *state)
{
	const uint8_t *q = v.len ? memchr(v.p, '\n', v.len) : NULL;
	*state = 0;
	if (!q)
		return false;
	size_t i = (size_t)(q - v.p) + 1;   /* the first line: never the end */
	cl_rc r = CL_NONE;
	while (i < v.len) {
		q = memchr(v.p + i, '\n', v.len - i);
		if (!q) {
			*state = tail_state(v, i);
			return false;
		}
		size_t lf = (size_t)(q - v.p);
		if (lf == i || (lf == i + 1 && v.p[i] == '\r')) {
			*end = lf + 1;
			*rc = r;
			return true;
		}
		if (r == CL_NONE)
			r = cl_line((sv){ v.p + i, lf - i }, cl);
		i = lf + 1;
	}
	*state = tail_state(v, i);
	return false;
}

/* ---- hunting for a start line --------------------------------------- */

/* Next "SIP/2.0" (any case) at or after from, or -1. */
static ptrdiff_t find_sip_version(sv v, size_t from)
{
	while (from + 7 <= v.len) {
		ptrdiff_t k = sv_find(sv_skip(v, from + 3), SV_LIT("/2.0"));
		if (k < 0)
			return -1;
		size_t h = from + (size_t)k;
		if (sv_eq_ci(sv_sub(v, h, 3), SV_LIT("SIP")))
			return (ptrdiff_t)h;
		from = h + 1;
	}
	return -1;
}

/* Start of the line holding offset h: after the last LF before it (looking
 * back at most a line's length), or 0 when v starts a line (bol). */
static bool line_start(sv v, size_t h, bool bol, size_t *ls)
{
	size_t lim = h > SF_LINE_MAX ? h - SF_LINE_MAX : 0;
	for (size_t j = h; j > lim; j--) {
		if (v.p[j - 1] == '\n') {
			*ls = j;
			return true;
		}
	}
	if (lim == 0 && bol) {
		*ls = 0;
		return true;
	}
	return false;
}

/* Offset of the first start line at a line start, or -1.  *keep: where a
 * last, unfinished line that may still become a start line begins (v.len
 * when there is none). */
static ptrdiff_t hunt_find(sv v, bool bol, size_t *keep)
{
	*keep = v.len;
	size_t from = 0, ls;
	for (;;) {
		ptrdiff_t h = find_sip_version(v, from);
		if (h < 0)
			break;
		if (line_start(v, (size_t)h, bol, &ls)) {
			sl_verdict r = startline_check(sv_skip(v, ls), NULL);
			if (r == SL_YES)
				return (ptrdiff_t)ls;
			if (r == SL_MORE) {
				*keep = ls;
				return -1;
			}
		}
		from = (size_t)h + 1;
	}
	if (v.len > 0 && line_start(v, v.len, bol, &ls) && ls < v.len &&
	    startline_check(sv_skip(v, ls), NULL) == SL_MORE)
		*keep = ls;
	return -1;
}

/* ---- the framer ---------------------------------------------------------- */

typedef struct buf {
	uint8_t *p;
	size_t len, cap;
} buf;

/* Buffers count their capacity into a framer-wide total (*acct). */
static void buf_append(size_t *acct, buf *b, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 512;
		while (cap - b->len < n)
			cap *= 2;
		b->p = g_realloc(b->p, cap);
		*acct += cap - b->cap;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_free(size_t *acct, buf *b)
{
	*acct -= b->cap;
	g_free(b->p);
	*b = (buf){ 0 };
}

static void buf_empty(size_t *acct, buf *b)
{
	b->len = 0;
	if (b->cap > SF_BUF_KEEP)
		buf_free(acct, b);
}

static sv buf_view(const buf *b)
{
	return sv_make(b->p, b->len);
}

typedef enum {
	M_NEW,
	M_SIP,
	M_HUNT,
	M_HTTP,
	M_WS,
	M_WS_RESYNC,
	M_IGNORE,
} flow_mode;

/* What the pending buffer holds in M_SIP. */
typedef enum {
	P_LINE, /* a start line not yet complete */
	P_HEAD, /* a header section not yet ended */
	P_BODY, /* a body not yet complete (total known) */
} pend_state;

typedef struct flow_key {
	endpoint src, dst;
} flow_key;

/* One TCP direction. */
typedef struct sip_flow {
	flow_key key;
	struct sip_flow *newer, *older; /* LRU list */
	tcp_stream tcp;
	cap_frame last_frame;  /* frame of the last chunk: for messages ended later */
	uint8_t mode;          /* flow_mode */
	bool had_sip;          /* a message came out of this direction */
	bool bol;              /* the next byte starts a line (hunting) */
	bool after_gap;        /* the next message follows missing or dropped bytes */
	bool in_ka;            /* inside a run of keep-alive CR/LF */
	bool http_response;    /* M_HTTP: a response rather than a request */
	bool closed;           /* FIN reached: nothing more is framed */
	uint64_t hunted;       /* bytes searched since the last message */
	/* Pending bytes: a message begun (M_SIP), a partial line (M_HUNT), a
	 * header section (M_HTTP), bytes too few to classify (M_NEW). */
	buf pend;
	buf spare;
	uint64_t pend_first;   /* frame of the first pending byte */
	uint64_t pend_chunk;   /* chunk the pending bytes began in */
	uint32_t pend_flags;
	uint8_t pend_state;
	uint8_t hscan;         /* hdr_end_scan state */
	size_t total;          /* P_BODY: header section + Content-Length */
	ws_parser *ws;
} sip_flow;

struct cap_sipframer {
	arena *mem;
	cap_sipmsg_fn fn;
	void *user;
	cap_sipframe_stats st;
	bool idx_any;
	uint64_t idx_frame;
	uint32_t idx_next;
	GHashTable *flows;     /* flow_key* -> sip_flow* (key inside the value) */
	sip_flow *newest, *oldest;
	tcp_shared tcp;
	uint64_t chunk_id;
	size_t buf_total;      /* capacity of all pending buffers */
};

/* How bytes handed to a flow state came. */
typedef struct chunk_ctx {
	const cap_frame *frame; /* credited with messages that end here */
	uint64_t first_num;     /* frame the bytes arrived in */
	uint64_t id;
	bool transient;         /* bytes from the pending buffer: copy what is kept */
	bool multi;             /* bytes from several segments */
} chunk_ctx;

static void framer_emit(cap_sipframer *f, const endpoint *src, const endpoint *dst,
			uint8_t transport, const cap_frame *frame, uint64_t first,
			uint32_t flags, sv data, uint8_t icmp_type, uint8_t icmp_code)
{
	if (!f->idx_any || frame->num != f->idx_frame) {
		f->idx_any = true;
		f->idx_frame = frame->num;
		f->idx_next = 0;
	}
	cap_sipmsg m = {
		.frame = frame,
		.first_frame = first,
		.index = f->idx_next++,
		.src = *src,
		.dst = *dst,
		.transport = transport,
		.flags = flags,
		.icmp_type = icmp_type,
		.icmp_code = icmp_code,
		.data = data,
	};
	if (flags & CAP_SIPMSG_ICMP_QUOTED)
		f->st.icmp_quoted++;
	else
		f->st.messages++;
	if (flags & CAP_SIPMSG_TRUNCATED)
		f->st.truncated++;
	f->fn(f->user, &m);
}

static void flow_emit(cap_sipframer *f, sip_flow *fl, uint8_t transport, const cap_frame *frame,
		      uint64_t first, uint32_t flags, sv data, bool copy)
{
	if (copy)
		data = sv_make(arena_copy(f->mem, data.p, data.len), data.len);
	fl->had_sip = true;
	fl->hunted = 0;
	framer_emit(f, &fl->key.src, &fl->key.dst, transport, frame, first, flags, data, 0, 0);
}

static uint32_t flow_take_gap(sip_flow *fl)
{
	uint32_t r = fl->after_gap ? CAP_SIPMSG_AFTER_GAP : 0;
	fl->after_gap = false;
	return r;
}

static void pend_start(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c, sv v, uint8_t state)
{
	fl->pend.len = 0;
	buf_append(&f->buf_total, &fl->pend, v.p, v.len);
	fl->pend_first = c->first_num;
	fl->pend_chunk = c->id;
	fl->pend_flags = c->multi ? CAP_SIPMSG_SEGMENTS : 0;
	fl->pend_state = state;
	fl->hscan = 0;
	fl->total = 0;
}

static void pend_clear(cap_sipframer *f, sip_flow *fl)
{
	buf_empty(&f->buf_total, &fl->pend);
	fl->pend_flags = 0;
	fl->pend_state = P_LINE;
	fl->hscan = 0;
	fl->total = 0;
}

/* The pending message, complete or not, into the arena and on. */
static void pend_emit(cap_sipframer *f, sip_flow *fl, const cap_frame *frame, uint32_t extra)
{
	flow_emit(f, fl, SIP_TRANSPORT_TCP, frame, fl->pend_first, fl->pend_flags | extra,
		  buf_view(&fl->pend), true);
	pend_clear(f, fl);
}

static void flow_bytes(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c, sv v);
static sip_flow *flow_reverse(cap_sipframer *f, const sip_flow *fl);

/* Takes the pending bytes out and runs them through the flow's (new) state
 * again, as a transient chunk. */
static void flow_refeed(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c)
{
	buf tmp = fl->pend;
	chunk_ctx t = {
		.frame = c->frame,
		.first_num = fl->pend_first,
		.id = c->id,
		.transient = true,
		.multi = c->multi || fl->pend_chunk != c->id,
	};
	fl->pend = fl->spare;
	fl->spare = (buf){ 0 };
	pend_clear(f, fl);
	flow_bytes(f, fl, &t, buf_view(&tmp));
	/* Keep one spare buffer, the larger. */
	if (fl->spare.cap >= tmp.cap) {
		buf_free(&f->buf_total, &tmp);
	} else {
		buf_free(&f->buf_total, &fl->spare);
		fl->spare = tmp;
		buf_empty(&f->buf_total, &fl->spare);
	}
}

/* Bytes where a message should start are not one: resynchronise. */
static void flow_lost(sip_flow *fl)
{
	fl->mode = fl->had_sip ? M_HUNT : M_NEW;
	fl->bol = true;
	fl->in_ka = false;
}

static void flow_hunt(sip_flow *fl, bool bol)
{
	fl->mode = M_HUNT;
	fl->bol = bol;
	fl->after_gap = true;
	fl->in_ka = false;
}

/* ---- SIP framing on a stream -------------------------------------------- */

/* Nothing pending: frame straight from the chunk. */
static size_t sip_direct(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c, sv v)
{
	size_t i = skip_crlf(v);
	if (i > 0) {
		if (!fl->in_ka)
			f->st.keepalives++;
		fl->in_ka = true;
		if (i == v.len)
			return i;
	}
	sv m = sv_skip(v, i);
	sl_verdict sl = startline_check(m, NULL);
	if (sl == SL_NO) {
		flow_lost(fl);
		return i;
	}
	fl->in_ka = false;
	if (sl == SL_MORE) {
		pend_start(f, fl, c, m, P_LINE);
		fl->pend_flags |= flow_take_gap(fl);
		return v.len;
	}
	uint32_t flags = flow_take_gap(fl) | (c->multi ? CAP_SIPMSG_SEGMENTS : 0);
	size_t e;
	uint64_t cl = 0;
	cl_rc rc;
	uint8_t st;   /* where the scan stopped, for the rest to come */
	if (!head_scan(sv_head(m, SF_HDR_MAX), &e, &rc, &cl, &st)) {
		if (m.len >= SF_HDR_MAX) {
			flow_emit(f, fl, SIP_TRANSPORT_TCP, c->frame, c->first_num,
				  flags | CAP_SIPMSG_TRUNCATED, sv_head(m, SF_HDR_MAX), c->transient);
			flow_hunt(fl, false);
			return i + SF_HDR_MAX;
		}
		pend_start(f, fl, c, m, P_HEAD);
		fl->pend_flags |= flags;
		fl->hscan = st;
		return v.len;
	}
	switch (rc) {
	case CL_HUGE:
		flow_emit(f, fl, SIP_TRANSPORT_TCP, c->frame, c->first_num,
			  flags | CAP_SIPMSG_TRUNCATED, sv_head(m, e), c->transient);
		flow_hunt(fl, true);
		return i + e;
	case CL_NONE:
		flags |= CAP_SIPMSG_NO_CONTENT_LENGTH;
		break;
	case CL_BAD:
		flags |= CAP_SIPMSG_BAD_CONTENT_LENGTH;
		break;
	case CL_OK:
		break;
	}
	size_t total = e + (size_t)cl;
	if (total <= m.len) {
		flow_emit(f, fl, SIP_TRANSPORT_TCP, c->frame, c->first_num, flags, sv_head(m, total),
			  c->transient);
		return i + total;
	}
	pend_start(f, fl, c, m, P_BODY);
	fl->pend_flags |= flags;
	fl->total = total;
	return v.len;
}

/* A message is pending: add to it what it needs. */
static size_t sip_pending(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c, sv v)
{
	size_t used = 0;
	if (c->id != fl->pend_chunk)
		fl->pend_flags |= CAP_SIPMSG_SEGMENTS;
	if (fl->pend_state == P_LINE) {
		sv look = sv_head(v, SF_LINE_MAX - fl->pend.len);
		ptrdiff_t lf = sv_find_byte(look, '\n');
		size_t n = lf < 0 ? look.len : (size_t)lf + 1;
		buf_append(&f->buf_total, &fl->pend, v.p, n);
		used = n;
		sl_verdict sl = startline_check(buf_view(&fl->pend), NULL);
		if (sl == SL_MORE)
			return used;
		if (sl == SL_NO) {
			if (fl->pend_flags & CAP_SIPMSG_AFTER_GAP)
				fl->after_gap = true;
			flow_lost(fl);
			flow_refeed(f, fl, c);
			return used;
		}
		/* Only the start line is pending: at most one LF, at its end. */
		fl->pend_state = P_HEAD;
		fl->hscan = fl->pend.p[fl->pend.len - 1] == '\n' ? 1 : 0;
	}
	if (fl->pend_state == P_HEAD) {
		sv look = sv_head(sv_skip(v, used), SF_HDR_MAX - fl->pend.len);
		size_t e;
		bool found = hdr_end_scan(&fl->hscan, look, &e);
		size_t n = found ? e : look.len;
		buf_append(&f->buf_total, &fl->pend, look.p, n);
		used += n;
		if (!found) {
			if (fl->pend.len >= SF_HDR_MAX) {
				pend_emit(f, fl, c->frame, CAP_SIPMSG_TRUNCATED);
				flow_hunt(fl, false);
			}
			return used;
		}
		uint64_t cl = 0;
		switch (content_length(buf_view(&fl->pend), &cl)) {
		case CL_HUGE:
			pend_emit(f, fl, c->frame, CAP_SIPMSG_TRUNCATED);
			flow_hunt(fl, true);
			return used;
		case CL_NONE:
			fl->pend_flags |= CAP_SIPMSG_NO_CONTENT_LENGTH;
			break;
		case CL_BAD:
			fl->pend_flags |= CAP_SIPMSG_BAD_CONTENT_LENGTH;
			break;
		case CL_OK:
			break;
		}
		fl->total = fl->pend.len + (size_t)cl;
		fl->pend_state = P_BODY;
	}
	if (f->buf_total > SF_BUF_TOTAL_MAX && fl->pend.len > SF_BUF_KEEP) {
		/* Too much waiting everywhere: this big one goes on as it is. */
		pend_emit(f, fl, c->frame, CAP_SIPMSG_TRUNCATED);
		flow_hunt(fl, false);
		return used;
	}
	sv rest = sv_skip(v, used);
	size_t need = fl->total - fl->pend.len;
	size_t n = rest.len < need ? rest.len : need;
	buf_append(&f->buf_total, &fl->pend, rest.p, n);
	used += n;
	if (fl->pend.len == fl->total)
		pend_emit(f, fl, c->frame, 0);
	return used;
}

/* ---- hunting --------------------------------------------------------------- */

static size_t hunt_bytes(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c, sv v)
{
	if (fl->pend.len > 0) {
		/* A line kept from the last chunk: finish it first. */
		sv look = sv_head(v, SF_LINE_MAX - fl->pend.len);
		ptrdiff_t lf = sv_find_byte(look, '\n');
		size_t n = lf < 0 ? look.len : (size_t)lf + 1;
		buf_append(&f->buf_total, &fl->pend, v.p, n);
		sl_verdict sl = startline_check(buf_view(&fl->pend), NULL);
		if (sl == SL_MORE)
			return n;
		if (sl == SL_YES) {
			fl->mode = M_SIP;
			flow_refeed(f, fl, c);
			return n;
		}
		fl->hunted += fl->pend.len;
		pend_clear(f, fl);
		fl->after_gap = true;
		fl->bol = lf >= 0;
		return n;
	}
	size_t keep;
	ptrdiff_t at = hunt_find(v, fl->bol, &keep);
	if (at >= 0) {
		if (at > 0)
			fl->after_gap = true;
		fl->mode = M_SIP;
		fl->in_ka = false;
		return (size_t)at;
	}
	if (keep > 0)
		fl->after_gap = true;
	fl->hunted += keep;
	if (keep < v.len)
		pend_start(f, fl, c, sv_skip(v, keep), P_LINE);
	else
		fl->bol = v.len > 0 && v.p[v.len - 1] == '\n';
	if (!fl->had_sip && fl->hunted > SF_HUNT_BUDGET) {
		/* Nothing like SIP in all this: stop looking. */
		pend_clear(f, fl);
		fl->mode = M_IGNORE;
		f->st.not_sip++;
	}
	return v.len;
}

/* ---- WebSocket --------------------------------------------------------------- */

typedef struct ws_ctx {
	cap_sipframer *f;
	sip_flow *fl;
	const chunk_ctx *c;
} ws_ctx;

static bool ws_want(void *user, sv head, bool whole)
{
	ws_ctx *x = user;
	size_t i = skip_crlf(head);
	if (i == head.len) {
		if (whole) {
			x->f->st.keepalives++;
			return false;
		}
		return true;
	}
	sl_verdict sl = startline_check(sv_skip(head, i), NULL);
	if (sl == SL_NO || (sl == SL_MORE && whole)) {
		x->f->st.not_sip++;
		return false;
	}
	return true;
}

/* One WebSocket message: one SIP message, or several framed by
 * Content-Length. */
static void ws_deliver(void *user, const ws_msg *wm)
{
	ws_ctx *x = user;
	cap_sipframer *f = x->f;
	sip_flow *fl = x->fl;
	sv d = wm->data;
	size_t i = skip_crlf(d);
	if (i == d.len) {
		f->st.keepalives++;
		return;
	}
	d = sv_skip(d, i);
	if (startline_check(d, NULL) != SL_YES) {
		f->st.not_sip++;
		return;
	}
	if (!wm->stable)
		d = sv_make(arena_copy(f->mem, d.p, d.len), d.len);
	uint32_t flags = flow_take_gap(fl) | (wm->segments ? CAP_SIPMSG_SEGMENTS : 0) |
			 (wm->truncated ? CAP_SIPMSG_TRUNCATED : 0);
	for (;;) {
		uint8_t st = 0;
		size_t e;
		sv one = d;
		uint32_t mf = flags;
		if (!hdr_end_scan(&st, d, &e)) {
			mf |= CAP_SIPMSG_TRUNCATED;
		} else {
			uint64_t cl = 0;
			cl_rc r = content_length(sv_head(d, e), &cl);
			if (r == CL_OK && cl <= d.len - e)
				one = sv_head(d, e + (size_t)cl);
			else if (r == CL_OK || r == CL_HUGE)
				mf |= CAP_SIPMSG_TRUNCATED;
			else if (r == CL_BAD)
				mf |= CAP_SIPMSG_BAD_CONTENT_LENGTH;
		}
		flow_emit(f, fl, SIP_TRANSPORT_WS, x->c->frame, wm->first_frame, mf, one, false);
		d = sv_skip(d, one.len);
		d = sv_skip(d, skip_crlf(d));
		if (d.len == 0 || startline_check(d, NULL) != SL_YES)
			break;
		flags &= ~(uint32_t)CAP_SIPMSG_AFTER_GAP;
	}
}

static ws_probe_result ws_check_sip(sv head, bool whole)
{
	sl_verdict sl = startline_check(head, NULL);
	if (sl == SL_YES)
		return WS_PROBE_YES;
	return sl == SL_MORE && !whole ? WS_PROBE_MORE : WS_PROBE_NO;
}

static void flow_ws_start(sip_flow *fl)
{
	if (!fl->ws) {
		fl->ws = g_new(ws_parser, 1);
		ws_parser_init(fl->ws);
	} else {
		ws_parser_reset(fl->ws);
	}
	fl->mode = M_WS;
}

static size_t ws_bytes(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c, sv v)
{
	ws_input in = {
		.data = v,
		.frame_num = c->first_num,
		.chunk_id = c->id,
		.stable = !c->transient,
	};
	ws_ctx x = { f, fl, c };
	uint64_t before = fl->ws->frames;
	bool ok = ws_parser_feed(fl->ws, &in, f->mem, ws_want, ws_deliver, &x);
	f->st.ws_frames += fl->ws->frames - before;
	if (!ok) {
		fl->mode = M_WS_RESYNC;
		fl->after_gap = true;
	}
	return v.len;
}

/* Framing lost: take up again only at a chunk that starts with a frame
 * holding SIP. */
static size_t ws_resync(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c, sv v)
{
	if (ws_probe(v, ws_check_sip) == WS_PROBE_YES) {
		flow_ws_start(fl);
		return 0;
	}
	return v.len;
}

/* The WebSocket message begun, if any, handed on as it is. */
static void flow_ws_finish(cap_sipframer *f, sip_flow *fl, const cap_frame *frame)
{
	if (!fl->ws)
		return;
	chunk_ctx c = { .frame = frame, .first_num = frame->num, .id = ++f->chunk_id };
	ws_ctx x = { f, fl, &c };
	ws_parser_finish(fl->ws, ws_deliver, &x);
}

/* ---- HTTP upgrade -------------------------------------------------------------- */

static size_t http_bytes(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c, sv v)
{
	size_t used, e;
	sv head;
	if (fl->pend.len == 0) {
		uint8_t st = 0;
		if (!hdr_end_scan(&st, sv_head(v, SF_HDR_MAX), &e)) {
			if (v.len >= SF_HDR_MAX) {
				fl->mode = M_IGNORE;
				f->st.not_sip++;
				return v.len;
			}
			pend_start(f, fl, c, v, P_HEAD);
			fl->hscan = st;
			return v.len;
		}
		head = sv_head(v, e);
		used = e;
	} else {
		sv look = sv_head(v, SF_HDR_MAX - fl->pend.len);
		bool found = hdr_end_scan(&fl->hscan, look, &e);
		used = found ? e : look.len;
		buf_append(&f->buf_total, &fl->pend, v.p, used);
		if (!found) {
			if (fl->pend.len >= SF_HDR_MAX) {
				pend_clear(f, fl);
				fl->mode = M_IGNORE;
				f->st.not_sip++;
			}
			return used;
		}
		head = buf_view(&fl->pend);
	}
	bool ws = fl->http_response ? ws_http_switching_response(head)
				    : ws_http_upgrade_request(head);
	pend_clear(f, fl);
	if (ws) {
		flow_ws_start(fl);
		return used;
	}
	fl->mode = M_IGNORE;
	f->st.not_sip++;
	if (fl->http_response) {
		/* Upgrade refused: the requesting side carries no WebSocket
		 * either. */
		sip_flow *rev = flow_reverse(f, fl);
		if (rev && rev->mode == M_WS && !rev->had_sip)
			rev->mode = M_IGNORE;
	}
	return used;
}

/* ---- first bytes of a direction ------------------------------------------------ */

typedef enum { C_MORE, C_SIP, C_HTTP_REQ, C_HTTP_RESP, C_WS, C_OTHER, C_IGNORE } classification;

static bool is_prefix_of(sv v, const char *s)
{
	sv p = sv_from_cstr(s);
	return v.len < p.len && sv_eq(v, sv_head(p, v.len));
}

static classification classify(sv d)
{
	sl_verdict sl = startline_check(d, NULL);
	if (sl == SL_YES)
		return C_SIP;
	if (sv_starts_with(d, SV_LIT("GET ")))
		return C_HTTP_REQ;
	if (sv_starts_with(d, SV_LIT("HTTP/1.")))
		return C_HTTP_RESP; /* 101 or not: http_bytes decides */
	if (is_prefix_of(d, "GET ") || is_prefix_of(d, "HTTP/1."))
		return C_MORE;
	/* TLS records (handshake, alert, application data): nothing to read. */
	if (d.len >= 3 && d.p[0] >= 0x14 && d.p[0] <= 0x17 && d.p[1] == 0x03 && d.p[2] <= 0x04)
		return C_IGNORE;
	switch (ws_probe(d, ws_check_sip)) {
	case WS_PROBE_YES:
		return C_WS;
	case WS_PROBE_MORE:
		if (sl == SL_NO)
			return C_MORE;
		break;
	case WS_PROBE_NO:
		break;
	}
	return sl == SL_MORE ? C_SIP : C_OTHER;
}

static void flow_set_class(cap_sipframer *f, sip_flow *fl, classification k)
{
	switch (k) {
	case C_SIP:
		fl->mode = M_SIP;
		break;
	case C_HTTP_REQ:
	case C_HTTP_RESP:
		fl->mode = M_HTTP;
		fl->http_response = k == C_HTTP_RESP;
		break;
	case C_WS:
		flow_ws_start(fl);
		break;
	case C_IGNORE:
		fl->mode = M_IGNORE;
		f->st.not_sip++;
		break;
	case C_MORE:
	case C_OTHER:
		fl->mode = M_HUNT;
		fl->bol = true;
		break;
	}
}

static size_t flow_classify(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c, sv v)
{
	if (fl->pend.len > 0) {
		size_t n = fl->pend.len < SF_CLASSIFY_MAX ? SF_CLASSIFY_MAX - fl->pend.len : 0;
		if (n > v.len)
			n = v.len;
		buf_append(&f->buf_total, &fl->pend, v.p, n);
		classification k = classify(buf_view(&fl->pend));
		if (k == C_MORE && fl->pend.len < SF_CLASSIFY_MAX)
			return n;
		flow_set_class(f, fl, k);
		flow_refeed(f, fl, c);
		return n;
	}
	size_t i = skip_crlf(v);
	if (i > 0) {
		if (!fl->in_ka)
			f->st.keepalives++;
		fl->in_ka = true;
		if (i == v.len)
			return i;
	}
	sv d = sv_skip(v, i);
	classification k = classify(d);
	if (k == C_MORE) {
		pend_start(f, fl, c, d, P_LINE);
		return v.len;
	}
	flow_set_class(f, fl, k);
	return k == C_IGNORE ? v.len : i;
}

/* ---- a TCP direction ---------------------------------------------------------- */

static void flow_bytes(cap_sipframer *f, sip_flow *fl, const chunk_ctx *c, sv v)
{
	while (v.len > 0) {
		uint8_t mode = fl->mode;
		size_t used;
		switch (mode) {
		case M_NEW:
			used = flow_classify(f, fl, c, v);
			break;
		case M_SIP:
			used = fl->pend.len ? sip_pending(f, fl, c, v) : sip_direct(f, fl, c, v);
			break;
		case M_HUNT:
			used = hunt_bytes(f, fl, c, v);
			break;
		case M_HTTP:
			used = http_bytes(f, fl, c, v);
			break;
		case M_WS:
			used = ws_bytes(f, fl, c, v);
			break;
		case M_WS_RESYNC:
			used = ws_resync(f, fl, c, v);
			break;
		default:
			return;
		}
		if (used == 0 && fl->mode == mode)
			return; /* no progress: cannot happen, but never loop */
		v = sv_skip(v, used);
	}
}

/* Whatever is pending goes on as it is (end of stream, gap, cut). */
static void flow_cut_short(cap_sipframer *f, sip_flow *fl, const cap_frame *frame, uint32_t extra)
{
	switch (fl->mode) {
	case M_SIP:
		if (fl->pend.len > 0 && fl->pend_state != P_LINE)
			pend_emit(f, fl, frame, CAP_SIPMSG_TRUNCATED | extra);
		break;
	case M_WS:
		flow_ws_finish(f, fl, frame);
		break;
	default:
		break;
	}
	pend_clear(f, fl);
}

/* Bytes are missing before the next chunk. */
static void flow_gap(cap_sipframer *f, sip_flow *fl)
{
	flow_cut_short(f, fl, &fl->last_frame, 0);
	switch (fl->mode) {
	case M_SIP:
		fl->mode = fl->had_sip ? M_HUNT : M_NEW;
		break;
	case M_HTTP:
		fl->mode = M_NEW;
		break;
	case M_WS:
		fl->mode = M_WS_RESYNC;
		break;
	default:
		break;
	}
	fl->bol = true;
	fl->after_gap = true;
	fl->in_ka = false;
}

typedef struct seg_ctx {
	cap_sipframer *f;
	sip_flow *fl;
} seg_ctx;

static void flow_chunk(void *user, const tcp_chunk *tc)
{
	seg_ctx *x = user;
	cap_sipframer *f = x->f;
	sip_flow *fl = x->fl;
	if (fl->mode == M_IGNORE || fl->closed)
		return;
	if (tc->gap)
		flow_gap(f, fl);
	chunk_ctx c = {
		.frame = tc->frame,
		.first_num = tc->frame_num,
		.id = ++f->chunk_id,
	};
	fl->in_ka = false; /* a keep-alive is one write: one per segment */
	flow_bytes(f, fl, &c, tc->data);
	if (tc->cut) {
		/* The snap length took the rest of the segment: the message
		 * under way will not be completed. */
		if (fl->mode == M_SIP && fl->pend.len > 0 && fl->pend_state != P_LINE) {
			pend_emit(f, fl, tc->frame, CAP_SIPMSG_TRUNCATED | CAP_SIPMSG_SNAPLEN_CUT);
			fl->mode = M_HUNT;
			fl->bol = true;
		}
	}
	fl->last_frame = *tc->frame;
}

/* ---- flows: table, LRU, life cycle ------------------------------------------- */

static guint flow_key_hash(gconstpointer p)
{
	const flow_key *k = p;
	return endpoint_hash(&k->src) * 31u ^ endpoint_hash(&k->dst);
}

static gboolean flow_key_eq(gconstpointer a, gconstpointer b)
{
	const flow_key *x = a, *y = b;
	return endpoint_eq(&x->src, &y->src) && endpoint_eq(&x->dst, &y->dst);
}

static void lru_unlink(cap_sipframer *f, sip_flow *fl)
{
	if (fl->newer)
		fl->newer->older = fl->older;
	else
		f->newest = fl->older;
	if (fl->older)
		fl->older->newer = fl->newer;
	else
		f->oldest = fl->newer;
	fl->newer = fl->older = NULL;
}

static void lru_push(cap_sipframer *f, sip_flow *fl)
{
	fl->older = f->newest;
	fl->newer = NULL;
	if (f->newest)
		f->newest->newer = fl;
	f->newest = fl;
	if (!f->oldest)
		f->oldest = fl;
}

static void lru_touch(cap_sipframer *f, sip_flow *fl)
{
	if (f->newest == fl)
		return;
	lru_unlink(f, fl);
	lru_push(f, fl);
}

static void flow_release_buffers(cap_sipframer *f, sip_flow *fl)
{
	buf_free(&f->buf_total, &fl->pend);
	buf_free(&f->buf_total, &fl->spare);
	if (fl->ws) {
		ws_parser_clear(fl->ws);
		g_free(fl->ws);
		fl->ws = NULL;
	}
}

/* Everything the direction still has goes on: held data after skipping the
 * gaps (credited to frame, or to their own frames when NULL), then what is
 * pending, as truncated. */
static void flow_finish(cap_sipframer *f, sip_flow *fl, const cap_frame *frame)
{
	if (fl->mode == M_IGNORE && (fl->tcp.held || fl->ws || fl->pend.cap)) {
		/* Set to ignore from the other direction (refused upgrade). */
		tcp_stream_clear(&fl->tcp, &f->tcp);
		flow_release_buffers(f, fl);
	}
	if (fl->mode != M_IGNORE && !fl->closed) {
		seg_ctx x = { f, fl };
		tcp_stream_drain(&fl->tcp, &f->tcp, frame, flow_chunk, &x);
		flow_cut_short(f, fl, &fl->last_frame, 0);
	}
	tcp_stream_clear(&fl->tcp, &f->tcp);
	flow_release_buffers(f, fl);
	fl->closed = true;
}

static void flow_free(cap_sipframer *f, sip_flow *fl)
{
	g_hash_table_remove(f->flows, &fl->key);
	lru_unlink(f, fl);
	tcp_stream_clear(&fl->tcp, &f->tcp);
	flow_release_buffers(f, fl);
	g_free(fl);
}

static void flow_reset(cap_sipframer *f, sip_flow *fl)
{
	flow_finish(f, fl, NULL);
	tcp_stream_init(&fl->tcp);
	fl->mode = M_NEW;
	fl->had_sip = fl->bol = fl->after_gap = fl->in_ka = fl->closed = false;
	fl->hunted = 0;
	pend_clear(f, fl);
}

static sip_flow *flow_new(cap_sipframer *f, const flow_key *k)
{
	if (g_hash_table_size(f->flows) >= SF_MAX_FLOWS && f->oldest) {
		sip_flow *victim = f->oldest;
		flow_finish(f, victim, NULL);
		flow_free(f, victim);
		f->st.tcp_evicted++;
	}
	sip_flow *fl = g_new0(sip_flow, 1);
	fl->key = *k;
	tcp_stream_init(&fl->tcp);
	fl->mode = M_NEW;
	g_hash_table_insert(f->flows, &fl->key, fl);
	lru_push(f, fl);
	f->st.tcp_streams++;
	return fl;
}

static sip_flow *flow_reverse(cap_sipframer *f, const sip_flow *fl)
{
	flow_key r = { fl->key.dst, fl->key.src };
	sip_flow *rev = g_hash_table_lookup(f->flows, &r);
	return rev == fl ? NULL : rev;
}

/* Snap length cut the frame right where this payload ends. */
static bool payload_cut(const cap_payload *pl)
{
	const cap_frame *fr = pl->frame;
	if (pl->ip_reassembled || fr->caplen >= fr->wirelen || !pl->data.p || !fr->data.p)
		return false;
	return (uintptr_t)(pl->data.p + pl->data.len) == (uintptr_t)(fr->data.p + fr->data.len);
}

static void feed_tcp(cap_sipframer *f, const cap_payload *pl)
{
	flow_key k = { pl->src, pl->dst };
	uint8_t flags = pl->tcp_flags;
	sip_flow *fl = g_hash_table_lookup(f->flows, &k);
	if (!fl) {
		if (flags & CAP_TCP_RST) {
			/* From a side that sent nothing yet: ends the other. */
			flow_key r = { pl->dst, pl->src };
			sip_flow *rev = g_hash_table_lookup(f->flows, &r);
			if (rev) {
				flow_finish(f, rev, NULL);
				flow_free(f, rev);
			}
			return;
		}
		if (pl->data.len == 0 && !(flags & CAP_TCP_SYN))
			return; /* pure ACKs do not open a stream */
		fl = flow_new(f, &k);
	}
	lru_touch(f, fl);
	tcp_segment seg = {
		.frame = pl->frame,
		.seq = pl->tcp_seq,
		.flags = flags,
		.data = pl->data,
		.cut = payload_cut(pl),
	};
	/* A new connection on the same addresses and ports. */
	if ((flags & CAP_TCP_SYN) &&
	    (fl->closed || fl->mode == M_IGNORE || tcp_stream_is_restart(&fl->tcp, &seg)))
		flow_reset(f, fl);
	if (fl->mode == M_IGNORE && (fl->tcp.held || fl->ws || fl->pend.cap)) {
		/* Set to ignore from the other direction (refused upgrade). */
		tcp_stream_clear(&fl->tcp, &f->tcp);
		flow_release_buffers(f, fl);
	}
	if (fl->mode != M_IGNORE && !fl->closed) {
		seg_ctx x = { f, fl };
		tcp_stream_segment(&fl->tcp, &f->tcp, &seg, flow_chunk, &x);
		if (fl->mode == M_IGNORE) {
			/* Nothing more to reassemble here. */
			tcp_stream_clear(&fl->tcp, &f->tcp);
			flow_release_buffers(f, fl);
		}
	}
	if (flags & CAP_TCP_RST) {
		sip_flow *rev = flow_reverse(f, fl);
		flow_finish(f, fl, NULL);
		flow_free(f, fl);
		if (rev) {
			flow_finish(f, rev, NULL);
			flow_free(f, rev);
		}
		return;
	}
	bool ended = fl->mode == M_IGNORE ? (flags & CAP_TCP_FIN) != 0 : tcp_stream_ended(&fl->tcp);
	if (ended && !fl->closed) {
		flow_finish(f, fl, NULL);
		sip_flow *rev = flow_reverse(f, fl);
		if (rev && rev->closed) {
			flow_free(f, rev);
			flow_free(f, fl);
		}
	}
}

static void feed_datagram(cap_sipframer *f, const cap_payload *pl, uint8_t transport)
{
	sv d = pl->data;
	size_t i = skip_crlf(d);
	if (d.len > 0 && i == d.len) {
		f->st.keepalives++;
		return;
	}
	sv m = sv_skip(d, i);
	if (startline_check(m, NULL) != SL_YES) {
		f->st.not_sip++;
		return;
	}
	uint32_t flags = 0;
	if (pl->ip_reassembled)
		flags |= CAP_SIPMSG_IP_REASSEMBLED;
	if (payload_cut(pl))
		flags |= CAP_SIPMSG_SNAPLEN_CUT;
	framer_emit(f, &pl->src, &pl->dst, transport, pl->frame, pl->frame->num, flags, m, 0, 0);
}

static void feed_icmp_quoted(cap_sipframer *f, const cap_payload *pl, uint8_t transport)
{
	sv d = pl->data;
	sv m = sv_skip(d, skip_crlf(d));
	if (startline_check(m, NULL) != SL_YES)
		return;
	uint32_t flags = CAP_SIPMSG_ICMP_QUOTED;
	if (pl->ip_reassembled)
		flags |= CAP_SIPMSG_IP_REASSEMBLED;
	framer_emit(f, &pl->src, &pl->dst, transport, pl->frame, pl->frame->num, flags, m,
		    pl->icmp_type, pl->icmp_code);
}

static void framer_sync_stats(cap_sipframer *f)
{
	f->st.tcp_gaps = f->tcp.gaps;
	f->st.tcp_retransmitted_bytes = f->tcp.retransmitted_bytes;
}

/* ---- interface ------------------------------------------------------------------ */

cap_sipframer *cap_sipframer_new(arena *mem, cap_sipmsg_fn fn, void *user)
{
	cap_sipframer *f = g_new0(cap_sipframer, 1);
	f->mem = mem;
	f->fn = fn;
	f->user = user;
	f->flows = g_hash_table_new(flow_key_hash, flow_key_eq);
	return f;
}

void cap_sipframer_feed(cap_sipframer *f, const cap_payload *pl)
{
	if (!f || !pl || !pl->frame)
		return;
	uint8_t transport;
	switch (pl->proto) {
	case CAP_PROTO_UDP:
		transport = SIP_TRANSPORT_UDP;
		break;
	case CAP_PROTO_TCP:
		transport = SIP_TRANSPORT_TCP;
		break;
	case CAP_PROTO_SCTP:
		transport = SIP_TRANSPORT_SCTP;
		break;
	default:
		return;
	}
	if (pl->icmp_quoted) {
		feed_icmp_quoted(f, pl, transport);
		return;
	}
	if (transport == SIP_TRANSPORT_TCP) {
		feed_tcp(f, pl);
		framer_sync_stats(f);
	} else
		feed_datagram(f, pl, transport);
}

bool cap_sipframer_wants(const cap_sipframer *f, const cap_payload *pl)
{
	if (!f || !pl || pl->icmp_quoted)
		return false;   /* a quote is matched at once, never kept */
	switch (pl->proto) {
	case CAP_PROTO_UDP:
	case CAP_PROTO_SCTP: {
		sv d = pl->data;
		return startline_check(sv_skip(d, skip_crlf(d)), NULL) == SL_YES;
	}
	case CAP_PROTO_TCP: {
		if (pl->data.len == 0)
			return false;
		flow_key k = { pl->src, pl->dst };
		const sip_flow *fl = g_hash_table_lookup(f->flows, &k);
		/* a SYN may start the flow over */
		return !fl || !(fl->mode == M_IGNORE || fl->closed) || (pl->tcp_flags & CAP_TCP_SYN);
	}
	default:
		return false;
	}
}

void cap_sipframer_relocate(cap_sipframer *f, const arena *from, arena *to, bool frames)
{
	for (sip_flow *fl = f->oldest; fl; fl = fl->newer) {
		tcp_stream_relocate(&fl->tcp, from, to, frames);
		sv *d = &fl->last_frame.data;
		if (frames)
			d->p = arena_move(from, to, d->p, d->len);
		else if (d->p && arena_contains(from, d->p))
			*d = SV_NULL;
	}
}

void cap_sipframer_flush(cap_sipframer *f)
{
	if (!f)
		return;
	/* Oldest first, so the order does not depend on hashing. */
	while (f->oldest) {
		sip_flow *fl = f->oldest;
		flow_finish(f, fl, NULL);
		flow_free(f, fl);
	}
	framer_sync_stats(f);
}

const cap_sipframe_stats *cap_sipframer_stats(const cap_sipframer *f)
{
	static const cap_sipframe_stats none;
	if (!f)
		return &none;
	return &f->st;
}

void cap_sipframer_free(cap_sipframer *f)
{
	if (!f)
		return;
	while (f->oldest)
		flow_free(f, f->oldest);
	g_hash_table_destroy(f->flows);
	g_free(f);
}
