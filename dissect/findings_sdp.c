/*
 * findings_sdp.c — session descriptions against the offer/answer model
 * (RFC 3264): an answer that picks codecs the offer did not have, an offer
 * refused with 488 / 606, hold (sendonly, inactive, c=0.0.0.0), and a
 * private media address sent from a public signalling address (a NAT that
 * nobody fixed up, so the media goes nowhere).
 *
 * The offer is the first SDP of a transaction's request, the answer the
 * first SDP of its responses; an INVITE without SDP gets the offer in its
 * 2xx and the answer in the ACK.
 */
#include <string.h>

#include "dissect/findings_internal.h"
#include "dissect/sip_header.h"

static const fnd_kind K_NO_COMMON_CODEC = { "no-common-codec", FINDING_WARNING, "RFC 3264 §6, RFC 3261 §21.4.26" };
static const fnd_kind K_ANSWER_CODEC = { "answer-codec-not-offered", FINDING_WARNING, "RFC 3264 §6.1" };
static const fnd_kind K_ANSWER_MEDIA = { "answer-media-mismatch", FINDING_WARNING, "RFC 3264 §6" };
static const fnd_kind K_HOLD = { "hold", FINDING_INFO, "RFC 3264 §8.4" };
static const fnd_kind K_PRIVATE = { "sdp-private-address", FINDING_WARNING, "RFC 3264 §5, RFC 4566 §5.7" };

enum { QUOTE_MAX = 60, CODECS_MAX = 8 };

static void ensure_scratch(findings *f)
{
	if (!f->sdp_a) {
		f->sdp_a = g_new0(sdp_session, 1);
		f->sdp_b = g_new0(sdp_session, 1);
		f->mp = g_new0(mp_body, 1);
	}
}

/* The SDP of a parsed message: the body itself, or the first
 * application/sdp part of a multipart body. */
static sv sdp_body(findings *f, const sip_msg *p)
{
	sv ctv = sip_msg_value(p, SIP_HDR_CONTENT_TYPE);
	sip_ctype ct;
	if (!ctv.p || !sip_ctype_parse(ctv, &ct))
		return SV_NULL;
	if (sip_ctype_is(&ct, "application", "sdp"))
		return p->body;
	if (!sip_ctype_is(&ct, "multipart", NULL))
		return SV_NULL;
	mp_parse(p->body, ctv, f->mp);
	for (unsigned i = 0; i < f->mp->n_parts && i < MP_MAX_PARTS; i++) {
		const mp_part *part = &f->mp->parts[i];
		sip_ctype pct;
		if (part->content_type.p && sip_ctype_parse(part->content_type, &pct) &&
		    sip_ctype_is(&pct, "application", "sdp"))
			return part->body;
	}
	return SV_NULL;
}

/* Parses the SDP of msg (already parsed as p) into s; false when none. */
static bool parse_sdp_of(findings *f, const sip_msg *p, sdp_session *s)
{
	sv body = sdp_body(f, p);
	if (!body.len)
		return false;
	sdp_parse(body, s);
	return s->n_media > 0;
}

/* ---- addresses ------------------------------------------------------------------ */

static bool ipv4_of(sv text, uint8_t out[4])
{
	unsigned part = 0;
	uint32_t v = 0;
	bool digit = false;
	for (size_t i = 0; i <= text.len; i++) {
		int c = i < text.len ? text.p[i] : '.';
		if (c >= '0' && c <= '9') {
			v = v * 10 + (uint32_t)(c - '0');
			if (v > 255)
				return false;
			digit = true;
		} else if (c == '.' && digit && part < 4) {
			out[part++] = (uint8_t)v;
			v = 0;
			digit = false;
		} else {
			return false;
		}
	}
	return part == 4;
}

static bool v4_private(const uint8_t a[4])
{
	return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
		(a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 169 && a[1] == 254);
}

static bool v4_local(const uint8_t a[4])
{
	return a[0] == 127 || a[0] == 0;
}

/* Private (RFC 1918, RFC 6598 shared, link-local, RFC 4193 ULA). */
static bool sdp_addr_private(const sdp_conn *c)
{
	uint8_t a[4];
	if (!c || !c->address.len)
		return false;
	if (sv_eq_ci_cstr(c->addrtype, "IP6")) {
		int c0 = sv_lower(sv_at(c->address, 0)), c1 = sv_lower(sv_at(c->address, 1));
		return (c0 == 'f' && (c1 == 'c' || c1 == 'd')) || sv_starts_with_ci(c->address, SV_LIT("fe80:"));
	}
	return ipv4_of(c->address, a) && v4_private(a);
}

static bool ep_public(const endpoint *e)
{
	if (e->family == EP_IPV4)
		return !v4_private(e->addr) && !v4_local(e->addr);
	if (e->family == EP_IPV6) {
		static const uint8_t zero[15] = { 0 };
		bool loop_or_any = memcmp(e->addr, zero, 15) == 0;
		bool ula = (e->addr[0] & 0xfe) == 0xfc;
		bool ll = e->addr[0] == 0xfe && (e->addr[1] & 0xc0) == 0x80;
		return !loop_or_any && !ula && !ll;
	}
	return false;
}

static bool conn_is_hold(const sdp_conn *c)
{
	return c && sv_eq_cstr(c->address, "0.0.0.0");
}

/* ---- codecs ------------------------------------------------------------------------ */

/* Encoding name and clock of a format of m; false when unknown. */
static bool fmt_codec(const sdp_media *m, sv fmt, sv *name, uint32_t *clock)
{
	uint64_t pt;
	if (!sv_to_u64(fmt, 127, &pt))
		return false;
	const sdp_rtpmap *rm = sdp_media_rtpmap(m, (unsigned)pt);
	if (rm) {
		*name = rm->encoding;
		*clock = rm->clock_rate;
		return true;
	}
	const char *st = sdp_static_encoding((unsigned)pt, clock);
	if (!st)
		return false;
	*name = sv_from_cstr(st);
	return true;
}

/* The key stands for the codec (an offer keeps nothing else of it), so
 * the name is hashed lower-cased exactly: sv_hash_ci's fold also merges
 * some bytes that differ. */
static uint32_t codec_key(sv name, uint32_t clock)
{
	uint8_t low[64];
	size_t off = 0, n = MIN(name.len, sizeof(low));
	uint32_t h = 0;
	for (;;) {
		for (size_t i = 0; i < n; i++)
			low[i] = (uint8_t)sv_lower(name.p[off + i]);
		h = h * 31u + sv_hash((sv){ low, n });
		off += n;
		if (off == name.len)
			break;
		n = MIN(name.len - off, sizeof(low));   /* a name longer than any codec's */
	}
	h = h * 31u + clock;
	return h ? h : 1;
}

/* Payload type (255: not a number) and codec key (0: unknown) of a format. */
static void fmt_info(const sdp_media *m, sv fmt, uint8_t *pt, uint32_t *key)
{
	uint64_t n;
	*pt = 255;
	*key = 0;
	if (!sv_to_u64(fmt, 127, &n))
		return;
	*pt = (uint8_t)n;
	sv name;
	uint32_t clock = 0;
	if (fmt_codec(m, fmt, &name, &clock))
		*key = codec_key(name, clock);
}

static offer_codecs *offer_keep(findings *f, const sdp_session *sd, sip_id msg)
{
	offer_codecs *o = pool_alloc0(&f->offer_pool);
	o->msg = msg;
	unsigned total = sd->n_media + sd->n_media_dropped;
	o->n_media = (uint8_t)(total > 255 ? 255 : total);
	for (unsigned i = 0; i < sd->n_media && i < OFFER_MEDIA_MAX; i++) {
		const sdp_media *m = &sd->media[i];
		o->port_zero[i] = m->port == 0;
		sv rest = m->fmts, fmt;
		while (sdp_fmt_next(&rest, &fmt)) {
			if (o->n_fmt[i] >= OFFER_FMT_MAX) {
				o->overflow[i] = true;
				break;
			}
			unsigned k = o->n_fmt[i]++;
			fmt_info(m, fmt, &o->pt[i][k], &o->key[i][k]);
		}
	}
	return o;
}

/* Was this format (of the answer's i-th m= line) in the offer's i-th?  By
 * encoding name and clock rate when both sides say them, else by payload
 * type number. */
static bool offered(const offer_codecs *o, unsigned i, uint8_t pt, uint32_t key)
{
	if (o->overflow[i] || pt == 255)
		return true;
	for (unsigned k = 0; k < o->n_fmt[i]; k++) {
		if (key && o->key[i][k] == key)
			return true;
		if ((!key || !o->key[i][k]) && o->pt[i][k] == pt)
			return true;
	}
	return false;
}

static void append_fmt(GString *s, const sdp_media *m, sv fmt)
{
	sv name;
	uint32_t clock;
	if (fmt_codec(m, fmt, &name, &clock))
		fnd_append_wire(s, name, QUOTE_MAX);
	else
		fnd_append_wire(s, fmt, QUOTE_MAX);
}

static void append_codecs(GString *s, const sdp_session *sd)
{
	for (unsigned i = 0; i < sd->n_media && i < SDP_MAX_MEDIA; i++) {
		const sdp_media *m = &sd->media[i];
		if (i)
			g_string_append(s, "; ");
		fnd_append_wire(s, m->media, QUOTE_MAX);
		g_string_append_c(s, ':');
		sv rest = m->fmts, fmt;
		unsigned n = 0;
		while (sdp_fmt_next(&rest, &fmt)) {
			if (n++ >= CODECS_MAX) {
				g_string_append(s, " ...");
				break;
			}
			g_string_append_c(s, ' ');
			append_fmt(s, m, fmt);
		}
	}
}

/* Loads the offer carried by offer_msg into sdp_b (through the second scratch). */
static bool load_offer(findings *f, const sip_message *offer_msg)
{
	fnd_parse(offer_msg, f->q);
	return parse_sdp_of(f, f->q, f->sdp_b);
}

/* The answer (sdp_a, carried by msg) against the offer. */
static void compare(findings *f, const sip_message *msg, const offer_codecs *o)
{
	const sdp_session *ans = f->sdp_a;
	GString *bad = NULL;
	unsigned nbad = 0;
	for (unsigned i = 0; i < ans->n_media && i < o->n_media && i < OFFER_MEDIA_MAX; i++) {
		const sdp_media *am = &ans->media[i];
		if (am->port == 0 || o->port_zero[i])
			continue;
		sv rest = am->fmts, fmt;
		while (sdp_fmt_next(&rest, &fmt)) {
			uint8_t pt;
			uint32_t key;
			fmt_info(am, fmt, &pt, &key);
			if (offered(o, i, pt, key))
				continue;
			if (!bad)
				bad = g_string_new(NULL);
			if (nbad++ < CODECS_MAX) {
				g_string_append(bad, nbad > 1 ? ", " : "");
				append_fmt(bad, am, fmt);
			}
		}
	}
	bool media_mismatch = ans->n_media + ans->n_media_dropped != o->n_media;
	if (!nbad && !media_mismatch)
		return;
	const sip_message *offer_msg = sip_model_message(f->m, o->msg);
	uint64_t fold = fnd_hash_sv(sip_message_field(msg, SIP_FIELD_CSEQ_METHOD)) ^ ((uint64_t)msg->cseq << 20);
	bool fresh;
	GString *s = f->s;
	if (nbad) {
		fnd_rec *r = fnd_add(f, &K_ANSWER_CODEC, msg->call, fold, msg->ts_ns, &fresh);
		fnd_add_msg(f, r, msg->id);
		fnd_add_msg(f, r, o->msg);
		fnd_add_txn(f, r, msg->txn);
		fnd_add_dialog(f, r, msg->dialog);
		if (fresh) {
			g_string_truncate(s, 0);
			fnd_append_what(s, msg);
			g_string_append(s, " from ");
			fnd_append_src(s, msg);
			g_string_append_printf(s, " answers with %s the offer did not have: %s",
				nbad == 1 ? "a codec" : "codecs", bad->str);
			if (nbad > CODECS_MAX)
				g_string_append(s, ", ...");
			/* the answer is parsed into sdp_a: the offer goes to sdp_b */
			if (offer_msg && load_offer(f, offer_msg)) {
				g_string_append(s, " (offered ");
				append_codecs(s, f->sdp_b);
				g_string_append_c(s, ')');
			}
			fnd_set_summary(f, r, s->str);
		}
	}
	if (media_mismatch) {
		fnd_rec *r = fnd_add(f, &K_ANSWER_MEDIA, msg->call, fold, msg->ts_ns, &fresh);
		fnd_add_msg(f, r, msg->id);
		fnd_add_msg(f, r, o->msg);
		if (fresh) {
			unsigned n = ans->n_media + ans->n_media_dropped;
			g_string_truncate(s, 0);
			fnd_append_what(s, msg);
			g_string_append(s, " from ");
			fnd_append_src(s, msg);
			g_string_append_printf(s, " answers with %u media line%s to an offer of %u: "
				"the answer must have one per offered m= line", n, n == 1 ? "" : "s",
				o->n_media);
			fnd_set_summary(f, r, s->str);
		}
	}
	if (bad)
		g_string_free(bad, TRUE);
}

/* The answer to dt's offer: compared once, then the offer is given back
 * (a later answer is not compared, and what it offered is not asked
 * again). */
static void answer(findings *f, const sip_message *msg, det_txn *dt)
{
	dt->answered = true;
	compare(f, msg, dt->offer);
	pool_free(&f->offer_pool, dt->offer);
	dt->offer = NULL;
}

static void check_media(findings *f, const sip_message *msg)
{
	const sdp_session *sd = f->sdp_a;
	bool hold = false, priv = false;
	const char *how = NULL;
	const sdp_conn *pc = NULL;
	for (unsigned i = 0; i < sd->n_media && i < SDP_MAX_MEDIA; i++) {
		const sdp_media *m = &sd->media[i];
		const sdp_conn *c = sdp_media_conn(sd, m);
		if (m->port == 0)
			continue;
		if (!hold && conn_is_hold(c)) {
			hold = true;
			how = "c=0.0.0.0";
		} else if (!hold && (m->dir == SDP_DIR_SENDONLY || m->dir == SDP_DIR_INACTIVE)) {
			hold = true;
			how = m->dir == SDP_DIR_SENDONLY ? "a=sendonly" : "a=inactive";
		}
		if (!priv && sdp_addr_private(c)) {
			priv = true;
			pc = c;
		}
	}
	bool fresh;
	GString *s = f->s;
	if (hold) {
		fnd_rec *r = fnd_add(f, &K_HOLD, msg->call, fnd_hash_src(msg), msg->ts_ns, &fresh);
		fnd_add_msg(f, r, msg->id);
		fnd_add_dialog(f, r, msg->dialog);
		if (fresh) {
			g_string_truncate(s, 0);
			fnd_append_what(s, msg);
			g_string_append(s, " from ");
			fnd_append_src(s, msg);
			g_string_append_printf(s, " puts the media on hold (%s)", how);
			fnd_set_summary(f, r, s->str);
		}
	}
	endpoint src = sip_message_src(msg);
	if (priv && ep_public(&src)) {
		fnd_rec *r = fnd_add(f, &K_PRIVATE, msg->call, fnd_hash_src(msg), msg->ts_ns, &fresh);
		fnd_add_msg(f, r, msg->id);
		fnd_add_txn(f, r, msg->txn);
		if (fresh) {
			g_string_truncate(s, 0);
			fnd_append_what(s, msg);
			g_string_append(s, " from the public address ");
			fnd_append_src(s, msg);
			g_string_append(s, " offers media at the private address ");
			fnd_append_wire(s, pc->address, QUOTE_MAX);
			g_string_append(s, ": a NAT nobody fixed up, so the far end's media will not arrive");
			fnd_set_summary(f, r, s->str);
		}
	}
}

void fnd_check_sdp(findings *f, const sip_message *msg, const sip_msg *p)
{
	ensure_scratch(f);
	if (!parse_sdp_of(f, p, f->sdp_a))
		return;
	check_media(f, msg);
	det_txn *dt = fnd_txn(f, msg->txn);
	if (!dt)
		return;
	if (msg->kind == SIP_KIND_REQUEST) {
		if (fnd_method_is(msg, SIP_METHOD_ACK)) {
			/* the answer to an offer made in a 2xx */
			const ack_wait *w = fnd_wait_for_ack(f, msg);
			det_txn *idt = w ? fnd_txn(f, w->txn) : NULL;
			if (idt && idt->offer && idt->offer_in_2xx && !idt->answered)
				answer(f, msg, idt);
			return;
		}
		if (!dt->offered) {
			dt->offer = offer_keep(f, f->sdp_a, msg->id);
			dt->offered = true;
		}
		return;
	}
	if (dt->offer && !dt->answered && !dt->offer_in_2xx) {
		answer(f, msg, dt);
		return;
	}
	if (!dt->offered && msg->status >= 200 && msg->status < 300 &&
	    fnd_cseq_method_is(msg, SIP_METHOD_INVITE)) {
		const sip_txn *t = sip_model_txn(f->m, msg->txn);
		if (t && t->request != SIP_ID_NONE) {
			dt->offer = offer_keep(f, f->sdp_a, msg->id);
			dt->offered = true;
			dt->offer_in_2xx = true;
		}
	}
}

void fnd_check_sdp_failure(findings *f, const sip_message *msg, const sip_msg *p)
{
	const sip_txn *t = sip_model_txn(f->m, msg->txn);
	if (!t)
		return;
	uint64_t fold = fnd_hash_sv(sip_message_field(msg, SIP_FIELD_CSEQ_METHOD)) ^ ((uint64_t)msg->cseq << 20);
	bool fresh;
	fnd_rec *r = fnd_add(f, &K_NO_COMMON_CODEC, msg->call, fold, msg->ts_ns, &fresh);
	fnd_add_txn_messages(f, r, t->id);
	fnd_add_dialog(f, r, msg->dialog);
	if (!fresh)
		return;
	sv warning = sip_msg_value(p, SIP_HDR_WARNING);
	const sip_message *req = sip_model_message(f->m, t->request);
	GString *s = g_string_new(NULL);
	fnd_append_what(s, msg);
	g_string_append(s, " from ");
	fnd_append_src(s, msg);
	ensure_scratch(f);
	if (req && req->has_sdp && load_offer(f, req)) {
		g_string_append(s, ": the offer (");
		append_codecs(s, f->sdp_b);
		g_string_append(s, ") had nothing the answerer accepts");
	} else if (req) {
		g_string_append(s, ": the request carried no offer the answerer could accept");
	} else {
		g_string_append(s, ": the offer was refused");
	}
	if (warning.p) {
		g_string_append(s, "; Warning: ");
		fnd_append_wire(s, warning, QUOTE_MAX);
	}
	fnd_set_summary(f, r, s->str);
	g_string_free(s, TRUE);
}
