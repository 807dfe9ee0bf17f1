/*
 * sdp.c — RFC 4566 / RFC 8866 session descriptions, line by line.
 */
#include "dissect/sdp.h"

#include <stddef.h>
#include <string.h>

static void warn(sdp_session *s, unsigned code, uint32_t a, sv what)
{
	sip_warning_push(s->warnings, &s->n_warnings, &s->n_warnings_dropped, SDP_MAX_WARNINGS,
		code, a, 0, what);
}

static bool u32_of(sv v, uint32_t max, uint32_t *out)
{
	uint64_t n;
	if (!sv_to_u64(v, max, &n))
		return false;
	*out = (uint32_t)n;
	return true;
}

/* Next field separated by SP (runs of SP tolerated).  Every line of every
 * body goes through here (an origin line has six fields, an rtpmap four):
 * the end of a field is looked for eight bytes at a time. */
static bool next_field(sv *rest, sv *field)
{
	if (rest->len == 0)
		return false;
	const uint8_t *p = rest->p, *e = p + rest->len;
	while (p < e && *p == ' ')
		p++;
	if (p == e)
		return false;
	const uint8_t *start = p;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ull;
	for (; e - p >= 8; p += 8) {
		uint64_t x = sv_word_load(p) ^ (ones * ' ');
		uint64_t z = (x - ones) & ~x & (ones * 0x80);
		if (z) {   /* the lowest flagged byte is the first SP */
			p += __builtin_ctzll(z) >> 3;
			goto found;
		}
	}
#endif
	while (p < e && *p != ' ')
		p++;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
found:
#endif
	*field = (sv){ start, (size_t)(p - start) };
	*rest = (sv){ p, (size_t)(e - p) };
	return true;
}

bool sdp_fmt_next(sv *rest, sv *fmt)
{
	return next_field(rest, fmt);
}

const char *sdp_dir_name(sdp_dir d)
{
	switch (d) {
	case SDP_DIR_SENDRECV: return "sendrecv";
	case SDP_DIR_SENDONLY: return "sendonly";
	case SDP_DIR_RECVONLY: return "recvonly";
	case SDP_DIR_INACTIVE: return "inactive";
	default: return "";
	}
}

static sdp_dir dir_of(sv name)
{
	if (sv_eq_cstr(name, "sendrecv"))
		return SDP_DIR_SENDRECV;
	if (sv_eq_cstr(name, "sendonly"))
		return SDP_DIR_SENDONLY;
	if (sv_eq_cstr(name, "recvonly"))
		return SDP_DIR_RECVONLY;
	if (sv_eq_cstr(name, "inactive"))
		return SDP_DIR_INACTIVE;
	return SDP_DIR_NONE;
}

const char *sdp_static_encoding(unsigned pt, uint32_t *clock_rate)
{
	static const struct { uint8_t pt; const char *name; uint32_t clock; } t[] = {
		{ 0, "PCMU", 8000 }, { 3, "GSM", 8000 }, { 4, "G723", 8000 }, { 5, "DVI4", 8000 },
		{ 6, "DVI4", 16000 }, { 7, "LPC", 8000 }, { 8, "PCMA", 8000 }, { 9, "G722", 8000 },
		{ 10, "L16", 44100 }, { 11, "L16", 44100 }, { 12, "QCELP", 8000 }, { 13, "CN", 8000 },
		{ 14, "MPA", 90000 }, { 15, "G728", 8000 }, { 16, "DVI4", 11025 }, { 17, "DVI4", 22050 },
		{ 18, "G729", 8000 }, { 25, "CelB", 90000 }, { 26, "JPEG", 90000 }, { 28, "nv", 90000 },
		{ 31, "H261", 90000 }, { 32, "MPV", 90000 }, { 33, "MP2T", 90000 }, { 34, "H263", 90000 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		if (t[i].pt == pt) {
			if (clock_rate)
				*clock_rate = t[i].clock;
			return t[i].name;
		}
	}
	return NULL;
}

const sdp_rtpmap *sdp_media_rtpmap(const sdp_media *m, unsigned pt)
{
	for (unsigned i = 0; i < m->n_rtpmap; i++)
		if (m->rtpmap[i].pt == pt)
			return &m->rtpmap[i];
	return NULL;
}

static bool attr_find(const sdp_attr *attrs, unsigned n, const char *name, sv *value)
{
	for (unsigned i = 0; i < n; i++) {
		if (sv_eq_cstr(attrs[i].name, name)) {
			*value = attrs[i].value;
			return true;
		}
	}
	return false;
}

bool sdp_media_attr(const sdp_media *m, const char *name, sv *value)
{
	return attr_find(m->attrs, m->n_attrs, name, value);
}

bool sdp_session_attr(const sdp_session *s, const char *name, sv *value)
{
	return attr_find(s->attrs, s->n_attrs, name, value);
}

const sdp_conn *sdp_media_conn(const sdp_session *s, const sdp_media *m)
{
	if (m->conn.present)
		return &m->conn;
	return s->conn.present ? &s->conn : NULL;
}

/* ---- lines ------------------------------------------------------------------ */

/* c=<nettype> <addrtype> <connection-address>[/ttl][/count] */
static bool parse_conn(sv v, sdp_conn *c)
{
	sv rest = v, extra;
	memset(c, 0, sizeof(*c));
	c->ttl = c->count = SV_NULL;
	if (!next_field(&rest, &c->nettype) || !next_field(&rest, &c->addrtype) ||
	    !next_field(&rest, &c->address) || next_field(&rest, &extra))
		return false;
	ptrdiff_t slash = sv_find_byte(c->address, '/');
	if (slash >= 0) {
		sv suffix = sv_skip(c->address, (size_t)slash + 1);
		c->address = sv_head(c->address, (size_t)slash);
		ptrdiff_t s2 = sv_find_byte(suffix, '/');
		bool ip6 = sv_eq_ci_cstr(c->addrtype, "IP6");
		if (s2 >= 0) {
			c->ttl = sv_head(suffix, (size_t)s2);
			c->count = sv_skip(suffix, (size_t)s2 + 1);
		} else if (ip6) {
			c->count = suffix;
		} else {
			c->ttl = suffix;
		}
	}
	c->present = c->address.len > 0;
	return c->present;
}

static void add_bw(sdp_bandwidth *bw, unsigned *n, sv v)
{
	ptrdiff_t colon = sv_find_byte(v, ':');
	if (colon < 0 || *n >= SDP_MAX_BANDWIDTH)
		return;
	uint32_t k;
	if (!u32_of(sv_skip(v, (size_t)colon + 1), UINT32_MAX, &k))
		return;
	bw[(*n)++] = (sdp_bandwidth){ sv_head(v, (size_t)colon), k };
}

static void parse_origin(sdp_session *s, sv v, unsigned lineno)
{
	sdp_origin *o = &s->origin;
	sv rest = v, extra;
	memset(o, 0, sizeof(*o));
	if (!next_field(&rest, &o->username) || !next_field(&rest, &o->sess_id) ||
	    !next_field(&rest, &o->sess_version) || !next_field(&rest, &o->nettype) ||
	    !next_field(&rest, &o->addrtype) || !next_field(&rest, &o->address) ||
	    next_field(&rest, &extra)) {
		warn(s, SIP_W_SDP_BAD_ORIGIN, lineno, v);
		return;
	}
	o->present = true;
}

static sdp_media *new_media(sdp_session *s, sv v, unsigned lineno)
{
	if (s->n_media >= SDP_MAX_MEDIA) {
		if (s->n_media_dropped++ == 0)
			warn(s, SIP_W_SDP_TOO_MANY_MEDIA, SDP_MAX_MEDIA, SV_NULL);
		return NULL;
	}
	sdp_media *m = &s->media[s->n_media++];
	memset(m, 0, offsetof(sdp_media, bw));
	m->line = lineno;
	m->info = SV_NULL;
	m->rtcp = SV_NULL;
	m->port_count = 1;

	/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... */
	sv rest = v, port;
	bool ok = next_field(&rest, &m->media) && next_field(&rest, &port) &&
		next_field(&rest, &m->proto);
	if (ok) {
		ptrdiff_t slash = sv_find_byte(port, '/');
		uint32_t p, cnt = 1;
		sv ps = slash < 0 ? port : sv_head(port, (size_t)slash);
		ok = u32_of(ps, 65535, &p) &&
			(slash < 0 || u32_of(sv_skip(port, (size_t)slash + 1), 65535, &cnt));
		if (ok) {
			m->port = (uint16_t)p;
			m->port_count = (uint16_t)cnt;
		}
		size_t i = 0;
		while (i < rest.len && rest.p[i] == ' ')
			i++;
		m->fmts = sv_skip(rest, i);
		sv it = m->fmts, f;
		while (next_field(&it, &f))
			m->n_fmts++;
		if (m->n_fmts == 0)
			ok = false;
	}
	if (!ok)
		warn(s, SIP_W_SDP_BAD_MEDIA, lineno, v);
	return m;
}

/* a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] */
static void parse_rtpmap(sdp_session *s, sdp_media *m, sv v, unsigned lineno)
{
	sv rest = v, pts, enc;
	uint32_t pt, clock, ch = 0;
	if (!next_field(&rest, &pts) || !u32_of(pts, 127, &pt) || !next_field(&rest, &enc))
		goto bad;
	sv extra;
	if (next_field(&rest, &extra))
		goto bad;
	ptrdiff_t s1 = sv_find_byte(enc, '/');
	if (s1 <= 0)
		goto bad;
	sv name = sv_head(enc, (size_t)s1);
	sv after = sv_skip(enc, (size_t)s1 + 1);
	ptrdiff_t s2 = sv_find_byte(after, '/');
	sv cr = s2 < 0 ? after : sv_head(after, (size_t)s2);
	if (!u32_of(cr, UINT32_MAX, &clock))
		goto bad;
	if (s2 >= 0 && !u32_of(sv_skip(after, (size_t)s2 + 1), 255, &ch))
		goto bad;
	if (m->n_rtpmap >= SDP_MAX_RTPMAP) {
		if (m->n_rtpmap_dropped++ == 0)
			warn(s, SIP_W_SDP_TOO_MANY, SDP_MAX_RTPMAP, SV_LIT("rtpmap"));
		return;
	}
	m->rtpmap[m->n_rtpmap++] = (sdp_rtpmap){ (uint8_t)pt, name, clock, (uint8_t)ch };
	return;
bad:
	warn(s, SIP_W_SDP_BAD_RTPMAP, lineno, v);
}

static void parse_fmtp(sdp_session *s, sdp_media *m, sv v, unsigned lineno)
{
	sv rest = v, fmt;
	if (!next_field(&rest, &fmt)) {
		warn(s, SIP_W_SDP_BAD_ATTR, lineno, v);
		return;
	}
	size_t i = 0;
	while (i < rest.len && rest.p[i] == ' ')
		i++;
	if (m->n_fmtp >= SDP_MAX_FMTP) {
		if (m->n_fmtp_dropped++ == 0)
			warn(s, SIP_W_SDP_TOO_MANY, SDP_MAX_FMTP, SV_LIT("fmtp"));
		return;
	}
	m->fmtp[m->n_fmtp++] = (sdp_fmtp){ fmt, sv_skip(rest, i) };
}

static void media_attr(sdp_session *s, sdp_media *m, const sdp_attr *a, unsigned lineno)
{
	sdp_dir d = dir_of(a->name);
	if (d != SDP_DIR_NONE) {
		m->dir = d;
		m->dir_explicit = true;
	} else if (sv_eq_cstr(a->name, "rtpmap")) {
		parse_rtpmap(s, m, a->value, lineno);
	} else if (sv_eq_cstr(a->name, "fmtp")) {
		parse_fmtp(s, m, a->value, lineno);
	} else if (sv_eq_cstr(a->name, "rtcp")) {
		sv rest = a->value, port;
		uint32_t p;
		if (next_field(&rest, &port) && u32_of(port, 65535, &p)) {
			m->has_rtcp = true;
			m->rtcp_port = (uint16_t)p;
			m->rtcp = a->value;
		} else {
			warn(s, SIP_W_SDP_BAD_ATTR, lineno, a->value);
		}
	} else if (sv_eq_cstr(a->name, "ptime")) {
		uint32_t p;
		/* some senders write a fraction ("20.0"): keep the integer part */
		sv v = a->value;
		ptrdiff_t dot = sv_find_byte(v, '.');
		if (u32_of(dot < 0 ? v : sv_head(v, (size_t)dot), UINT32_MAX, &p)) {
			m->has_ptime = true;
			m->ptime = p;
		} else {
			warn(s, SIP_W_SDP_BAD_ATTR, lineno, a->value);
		}
	} else if (sv_eq_cstr(a->name, "crypto")) {
		m->n_crypto++;
	}
	if (m->n_attrs < SDP_MAX_ATTRS)
		m->attrs[m->n_attrs++] = *a;
	else if (m->n_attrs_dropped++ == 0)
		warn(s, SIP_W_SDP_TOO_MANY, SDP_MAX_ATTRS, SV_LIT("attribute"));
}

static void session_attr(sdp_session *s, const sdp_attr *a)
{
	sdp_dir d = dir_of(a->name);
	if (d != SDP_DIR_NONE)
		s->dir = d;
	if (s->n_attrs < SDP_MAX_ATTRS)
		s->attrs[s->n_attrs++] = *a;
	else if (s->n_attrs_dropped++ == 0)
		warn(s, SIP_W_SDP_TOO_MANY, SDP_MAX_ATTRS, SV_LIT("attribute"));
}

static bool line_ok(sv l)
{
	return l.len >= 2 && l.p[0] >= 'a' && l.p[0] <= 'z' && l.p[1] == '=';
}

void sdp_parse(sv body, sdp_session *s)
{
	memset(s, 0, offsetof(sdp_session, warnings));
	s->raw = body;
	s->version = s->name = s->info = s->uri = SV_NULL;
	s->time_start = s->time_stop = SV_NULL;

	sdp_media *cur = NULL;
	bool in_media = false;     /* after the first m= (even a dropped one) */
	bool seen_first = false;
	size_t off = 0;
	unsigned lineno = 0;
	while (off < body.len) {
		ptrdiff_t nl = sv_find_byte(sv_skip(body, off), '\n');
		size_t end = nl < 0 ? body.len : off + (size_t)nl;
		sv l = sv_sub(body, off, end - off);
		off = nl < 0 ? body.len : end + 1;
		lineno++;
		if (l.len && l.p[l.len - 1] == '\r')
			l.len--;
		if (l.len == 0)
			continue;
		s->n_lines++;
		if (!line_ok(l)) {
			warn(s, SIP_W_SDP_BAD_LINE, lineno, l);
			continue;
		}
		char type = (char)l.p[0];
		sv v = sv_skip(l, 2);
		if (!seen_first) {
			seen_first = true;
			if (type != 'v')
				warn(s, SIP_W_SDP_NO_VERSION, lineno, SV_NULL);
		}
		switch (type) {
		case 'v':
			s->version = v;
			if (!sv_eq_cstr(v, "0"))
				warn(s, SIP_W_SDP_BAD_VERSION, lineno, v);
			break;
		case 'o':
			parse_origin(s, v, lineno);
			break;
		case 's':
			s->name = v;
			break;
		case 'u':
			s->uri = v;
			break;
		case 'i':
			if (!in_media)
				s->info = v;
			else if (cur)
				cur->info = v;
			break;
		case 'c': {
			sdp_conn c;
			if (!parse_conn(v, &c)) {
				warn(s, SIP_W_SDP_BAD_CONN, lineno, v);
				break;
			}
			if (!in_media)
				s->conn = c;
			else if (cur)
				cur->conn = c;
			break;
		}
		case 'b':
			if (!in_media)
				add_bw(s->bw, &s->n_bw, v);
			else if (cur)
				add_bw(cur->bw, &cur->n_bw, v);
			break;
		case 't':
			if (!s->has_time) {
				sv rest = v;
				if (next_field(&rest, &s->time_start) && next_field(&rest, &s->time_stop))
					s->has_time = true;
			}
			break;
		case 'm':
			in_media = true;
			cur = new_media(s, v, lineno);
			break;
		case 'a': {
			sdp_attr a;
			ptrdiff_t colon = sv_find_byte(v, ':');
			a.has_value = colon >= 0;
			a.name = colon < 0 ? v : sv_head(v, (size_t)colon);
			a.value = colon < 0 ? sv_sub(v, v.len, 0) : sv_skip(v, (size_t)colon + 1);
			if (a.name.len == 0) {
				warn(s, SIP_W_SDP_BAD_LINE, lineno, l);
				break;
			}
			if (!in_media)
				session_attr(s, &a);
			else if (cur)
				media_attr(s, cur, &a, lineno);
			break;
		}
		default:
			/* e=, p=, z=, k=, r= and unknown letters: nothing to keep */
			break;
		}
	}
	if (s->n_lines == 0) {
		warn(s, SIP_W_SDP_EMPTY, 0, SV_NULL);
		return;
	}
	for (unsigned i = 0; i < s->n_media; i++) {
		sdp_media *m = &s->media[i];
		if (!m->dir_explicit)
			m->dir = s->dir != SDP_DIR_NONE ? s->dir : SDP_DIR_SENDRECV;
		if (!m->conn.present && !s->conn.present && m->port != 0)
			warn(s, SIP_W_SDP_NO_CONN, i + 1, SV_NULL);
	}
}
