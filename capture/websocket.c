/*
 * websocket.c — RFC 6455 frames and the HTTP upgrade (see websocket.h).
 */
#include "capture/websocket.h"

#include <glib.h>
#include <string.h>

enum {
	WS_OP_CONT = 0,
	WS_OP_TEXT = 1,
	WS_OP_BINARY = 2,
	WS_OP_CLOSE = 8,
	WS_OP_PING = 9,
	WS_OP_PONG = 10,
};

/* A parsed frame header. */
typedef struct ws_hdr {
	bool fin;
	uint8_t rsv;
	uint8_t opcode;
	bool masked;
	uint8_t key[4];
	uint64_t len;
	size_t hdr_len;
} ws_hdr;

typedef enum { HDR_BAD, HDR_MORE, HDR_OK } hdr_rc;

static bool op_known(uint8_t op)
{
	return op <= WS_OP_BINARY || (op >= WS_OP_CLOSE && op <= WS_OP_PONG);
}

/* Parses the frame header at the start of v. */
static hdr_rc hdr_parse(sv v, ws_hdr *h)
{
	rd r = rd_make(v);
	uint8_t b0, b1;
	if (!rd_u8(&r, &b0) || !rd_u8(&r, &b1))
		return HDR_MORE;
	h->fin = (b0 & 0x80) != 0;
	h->rsv = (b0 >> 4) & 0x07;
	h->opcode = b0 & 0x0f;
	h->masked = (b1 & 0x80) != 0;
	if (!op_known(h->opcode))
		return HDR_BAD;
	uint8_t l7 = b1 & 0x7f;
	if (l7 == 126) {
		uint16_t l;
		if (!rd_u16be(&r, &l))
			return HDR_MORE;
		h->len = l;
	} else if (l7 == 127) {
		uint64_t l;
		if (!rd_u64be(&r, &l))
			return HDR_MORE;
		if (l >> 63)
			return HDR_BAD;
		h->len = l;
	} else {
		h->len = l7;
	}
	if (h->len > WS_MAX_MESSAGE)
		return HDR_BAD;
	if (h->opcode >= WS_OP_CLOSE && (h->len > 125 || !h->fin))
		return HDR_BAD;
	if (h->masked) {
		sv k;
		if (!rd_bytes(&r, 4, &k))
			return HDR_MORE;
		memcpy(h->key, k.p, 4);
	} else {
		memset(h->key, 0, 4);
	}
	h->hdr_len = r.off;
	return HDR_OK;
}

/* Bytes of header needed given what is there (2 until the length is known). */
static size_t hdr_need(const uint8_t *hdr, size_t have)
{
	if (have < 2)
		return 2;
	size_t n = 2;
	uint8_t l7 = hdr[1] & 0x7f;
	if (l7 == 126)
		n += 2;
	else if (l7 == 127)
		n += 8;
	if (hdr[1] & 0x80)
		n += 4;
	return n;
}

static void unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t key[4], uint64_t pos)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] ^ key[(pos + i) & 3];
}

void ws_parser_init(ws_parser *p)
{
	memset(p, 0, sizeof(*p));
}

void ws_parser_clear(ws_parser *p)
{
	g_free(p->buf);
	memset(p, 0, sizeof(*p));
}

void ws_parser_reset(ws_parser *p)
{
	uint8_t *buf = p->buf;
	size_t cap = p->cap;
	uint64_t frames = p->frames;
	/* A buffer grown for one huge message is not kept for the next. */
	if (cap > (256u << 10)) {
		g_free(buf);
		buf = NULL;
		cap = 0;
	}
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->cap = cap;
	p->frames = frames;
}

static void buf_append_unmasked(ws_parser *p, const uint8_t *src, size_t n)
{
	if (p->cap - p->len < n) {
		size_t cap = p->cap ? p->cap : 1024;
		while (cap - p->len < n)
			cap *= 2;
		p->buf = g_realloc(p->buf, cap);
		p->cap = cap;
	}
	if (p->masked)
		unmask(p->buf + p->len, src, n, p->key, p->pos);
	else
		memcpy(p->buf + p->len, src, n);
	p->len += n;
}

static void msg_done(ws_parser *p, ws_msg_fn fn, void *user, bool truncated)
{
	if (!p->msg_drop && p->len > 0) {
		ws_msg m = {
			.data = sv_make(p->buf, p->len),
			.stable = false,
			.first_frame = p->msg_first,
			.segments = p->msg_frames > 1 || p->msg_multi,
			.truncated = truncated,
		};
		fn(user, &m);
	}
	p->msg_active = false;
	p->msg_drop = false;
	p->msg_multi = false;
	p->len = 0;
}

void ws_parser_finish(ws_parser *p, ws_msg_fn fn, void *user)
{
	if (p->msg_active)
		msg_done(p, fn, user, true);
	ws_parser_reset(p);
}

/* A single-frame message whose payload lies whole in the input. */
static void frame_whole(ws_parser *p, const ws_input *in, sv payload, arena *mem,
			ws_want_fn want, ws_msg_fn fn, void *user)
{
	if (payload.len == 0)
		return;
	ws_msg m = {
		.first_frame = in->frame_num,
	};
	if (!p->masked) {
		if (want && !want(user, sv_head(payload, WS_PEEK), payload.len <= WS_PEEK))
			return;
		m.data = payload;
		m.stable = in->stable;
		fn(user, &m);
		return;
	}
	uint8_t head[WS_PEEK];
	size_t hn = payload.len < WS_PEEK ? payload.len : WS_PEEK;
	unmask(head, payload.p, hn, p->key, 0);
	if (want && !want(user, sv_make(head, hn), payload.len <= WS_PEEK))
		return;
	uint8_t *dst = arena_alloc(mem, payload.len);
	unmask(dst, payload.p, payload.len, p->key, 0);
	m.data = sv_make(dst, payload.len);
	m.stable = true;
	fn(user, &m);
}

bool ws_parser_feed(ws_parser *p, const ws_input *in, arena *mem, ws_want_fn want,
		    ws_msg_fn fn, void *user)
{
	rd r = rd_make(in->data);
	while (rd_left(&r) > 0) {
		if (!p->in_payload) {
			size_t need = hdr_need(p->hdr, p->hdr_have);
			while (p->hdr_have < need) {
				uint8_t b;
				if (!rd_u8(&r, &b))
					return true; /* header continues in the next piece */
				p->hdr[p->hdr_have++] = b;
				need = hdr_need(p->hdr, p->hdr_have);
			}
			ws_hdr h;
			if (hdr_parse(sv_make(p->hdr, p->hdr_have), &h) != HDR_OK) {
				ws_parser_reset(p);
				return false;
			}
			p->hdr_have = 0;
			p->frames++;
			p->opcode = h.opcode;
			p->fin = h.fin;
			p->masked = h.masked;
			memcpy(p->key, h.key, 4);
			p->left = h.len;
			p->pos = 0;
			p->skip_payload = false;
			if (h.opcode >= WS_OP_CLOSE) {
				p->skip_payload = true;
			} else if (h.opcode == WS_OP_CONT) {
				if (!p->msg_active)
					p->skip_payload = true;
				else
					p->msg_frames++;
			} else {
				/* A new data message; one left unfinished is
				 * a protocol error and is dropped. */
				p->msg_active = false;
				p->msg_multi = false;
				p->len = 0;
				if (h.fin && h.rsv == 0 && h.len <= rd_left(&r)) {
					sv payload;
					rd_bytes(&r, (size_t)h.len, &payload);
					frame_whole(p, in, payload, mem, want, fn, user);
					continue;
				}
				p->msg_active = true;
				p->msg_drop = h.rsv != 0; /* compressed: cannot read it */
				p->msg_first = in->frame_num;
				p->msg_chunk = in->chunk_id;
				p->msg_frames = 1;
			}
			if (p->msg_active && !p->skip_payload && p->len + h.len > WS_MAX_MESSAGE)
				p->msg_drop = true;
			p->in_payload = true;
		}
		size_t n = rd_left(&r);
		if (n > p->left)
			n = (size_t)p->left;
		sv piece;
		rd_bytes(&r, n, &piece);
		if (!p->skip_payload && p->msg_active && !p->msg_drop && n > 0) {
			if (p->len == 0) {
				p->msg_first = in->frame_num;
				p->msg_chunk = in->chunk_id;
			} else if (p->msg_chunk != in->chunk_id) {
				p->msg_multi = true;
			}
			buf_append_unmasked(p, piece.p, n);
		}
		p->pos += n;
		p->left -= n;
		if (p->left == 0) {
			p->in_payload = false;
			if (!p->skip_payload && p->fin && p->msg_active)
				msg_done(p, fn, user, false);
		}
	}
	return true;
}

ws_probe_result ws_probe(sv data, ws_check_fn check)
{
	rd r = rd_make(data);
	/* A few control frames may come first. */
	for (int i = 0; i < 4; i++) {
		ws_hdr h;
		hdr_rc rc = hdr_parse(rd_view(&r), &h);
		if (rc == HDR_BAD)
			return WS_PROBE_NO;
		if (rc == HDR_MORE)
			return WS_PROBE_MORE;
		if (h.opcode >= WS_OP_CLOSE) {
			if (!rd_skip(&r, h.hdr_len) || !rd_skip(&r, (size_t)h.len))
				return WS_PROBE_MORE;
			if (rd_left(&r) == 0)
				return WS_PROBE_MORE;
			continue;
		}
		if (h.opcode == WS_OP_CONT || h.rsv != 0 || h.len == 0)
			return WS_PROBE_NO;
		/* hdr_parse saw the whole header and n is at most what is
		 * left, so neither read fails; their results are checked all
		 * the same rather than assumed. */
		if (!rd_skip(&r, h.hdr_len))
			return WS_PROBE_MORE;
		size_t avail = rd_left(&r);
		size_t n = h.len < avail ? (size_t)h.len : avail;
		if (n > WS_PROBE_BYTES)
			n = WS_PROBE_BYTES;
		uint8_t head[WS_PROBE_BYTES];
		sv in;
		if (!rd_bytes(&r, n, &in))
			return WS_PROBE_MORE;
		if (h.masked)
			unmask(head, in.p, n, h.key, 0);
		else if (n)
			memcpy(head, in.p, n);
		bool whole = n == h.len;
		ws_probe_result res = check(sv_make(head, n), whole);
		if (res == WS_PROBE_MORE && (whole || n == WS_PROBE_BYTES))
			return WS_PROBE_NO;
		return res;
	}
	return WS_PROBE_NO;
}

/* ---- HTTP/1.1 upgrade ------------------------------------------------ */

static bool contains_ci(sv v, const char *needle)
{
	sv n = sv_from_cstr(needle);
	if (n.len > v.len)
		return false;
	for (size_t i = 0; i + n.len <= v.len; i++)
		if (sv_eq_ci(sv_sub(v, i, n.len), n))
			return true;
	return false;
}

static sv first_line(sv head)
{
	ptrdiff_t lf = sv_find_byte(head, '\n');
	return lf < 0 ? head : sv_head(head, (size_t)lf);
}

static bool is_http_version(sv v)
{
	/* "HTTP/1." DIGIT */
	return v.len == 8 && sv_starts_with(v, SV_LIT("HTTP/1.")) && sv_at(v, 7) >= '0' &&
	       sv_at(v, 7) <= '9';
}

bool ws_http_upgrade_request(sv head)
{
	sv line = sv_trim(first_line(head));
	if (!sv_starts_with(line, SV_LIT("GET ")) || line.len < 13)
		return false;
	if (!is_http_version(sv_skip(line, line.len - 8)) || sv_at(line, line.len - 9) != ' ')
		return false;
	/* Header lines after the request line. */
	sv rest = sv_skip(head, first_line(head).len + 1);
	while (rest.len > 0) {
		ptrdiff_t lf = sv_find_byte(rest, '\n');
		sv l = lf < 0 ? rest : sv_head(rest, (size_t)lf);
		rest = lf < 0 ? SV_NULL : sv_skip(rest, (size_t)lf + 1);
		if (!sv_starts_with_ci(l, SV_LIT("upgrade")))
			continue;
		sv v = sv_skip(l, 7);
		size_t i = 0;
		while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t'))
			i++;
		if (sv_at(v, i) != ':')
			continue;
		if (contains_ci(sv_skip(v, i + 1), "websocket"))
			return true;
	}
	return false;
}

bool ws_http_switching_response(sv head)
{
	sv line = first_line(head);
	return line.len >= 12 && is_http_version(sv_head(line, 8)) &&
	       sv_eq(sv_sub(line, 8, 4), SV_LIT(" 101")) &&
	       (line.len == 12 || sv_at(line, 12) == ' ' || sv_at(line, 12) == '\r');
}
