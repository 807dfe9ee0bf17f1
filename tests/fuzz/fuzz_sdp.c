/*
 * fuzz_sdp.c — libFuzzer harness: the SDP parser alone, then every
 * accessor of dissect/sdp.h over what it found.
 *
 * Checks beyond "no crash": counters within their capacities, views inside
 * the input, formatted warnings printable ASCII.
 */
#include <stddef.h>
#include <stdint.h>

#include "dissect/sdp.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sdp_session *sess;
static GString *text;

static void check_conn(const sdp_conn *c, sv raw)
{
	if (!c->present)
		return;
	fuzz_check_within(c->nettype, raw, "conn.nettype");
	fuzz_check_within(c->addrtype, raw, "conn.addrtype");
	fuzz_check_within(c->address, raw, "conn.address");
	fuzz_check_within(c->ttl, raw, "conn.ttl");
	fuzz_check_within(c->count, raw, "conn.count");
}

static void check_attrs(const sdp_attr *a, unsigned n, sv raw)
{
	if (n > SDP_MAX_ATTRS)
		fuzz_fail("n_attrs %u > %u", n, SDP_MAX_ATTRS);
	for (unsigned i = 0; i < n; i++) {
		fuzz_check_within(a[i].name, raw, "attr.name");
		fuzz_check_within(a[i].value, raw, "attr.value");
	}
}

static void check_media(const sdp_session *s, const sdp_media *m, sv raw)
{
	fuzz_check_within(m->media, raw, "media.media");
	fuzz_check_within(m->proto, raw, "media.proto");
	fuzz_check_within(m->fmts, raw, "media.fmts");
	fuzz_check_within(m->info, raw, "media.info");
	fuzz_check_within(m->rtcp, raw, "media.rtcp");
	check_conn(&m->conn, raw);
	check_attrs(m->attrs, m->n_attrs, raw);
	if (m->n_rtpmap > SDP_MAX_RTPMAP || m->n_fmtp > SDP_MAX_FMTP || m->n_bw > SDP_MAX_BANDWIDTH)
		fuzz_fail("media counters out of range");
	for (unsigned i = 0; i < m->n_rtpmap; i++)
		fuzz_check_within(m->rtpmap[i].encoding, raw, "rtpmap.encoding");
	for (unsigned i = 0; i < m->n_fmtp; i++) {
		fuzz_check_within(m->fmtp[i].fmt, raw, "fmtp.fmt");
		fuzz_check_within(m->fmtp[i].params, raw, "fmtp.params");
	}
	for (unsigned i = 0; i < m->n_bw; i++)
		fuzz_check_within(m->bw[i].type, raw, "bw.type");

	sv rest = m->fmts, fmt;
	unsigned n = 0;
	while (sdp_fmt_next(&rest, &fmt)) {
		fuzz_check_within(fmt, m->fmts, "fmt");
		uint64_t pt;
		if (sv_to_u64(fmt, 1000, &pt)) {
			const sdp_rtpmap *rm = sdp_media_rtpmap(m, (unsigned)pt);
			if (rm)
				fuzz_touch(rm->encoding);
			uint32_t rate;
			fuzz_touch_str(sdp_static_encoding((unsigned)pt, &rate));
		}
		if (++n > m->fmts.len + 1)
			fuzz_fail("sdp_fmt_next does not advance");
	}
	sv v;
	static const char *const names[] = { "rtpmap", "fmtp", "ptime", "rtcp", "crypto", "mid",
					      "sendrecv", "setup", "fingerprint" };
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (sdp_media_attr(m, names[i], &v))
			fuzz_touch(v);
	const sdp_conn *c = sdp_media_conn(s, m);
	if (c)
		fuzz_touch(c->address);
	fuzz_touch_str(sdp_dir_name(m->dir));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!sess) {
		sess = g_new0(sdp_session, 1);
		text = g_string_new(NULL);
	}
	sv raw = sv_make(data, size);
	sdp_parse(raw, sess);
	const sdp_session *s = sess;

	if (s->n_media > SDP_MAX_MEDIA || s->n_warnings > SDP_MAX_WARNINGS ||
	    s->n_bw > SDP_MAX_BANDWIDTH)
		fuzz_fail("session counters out of range");
	fuzz_check_within(s->version, raw, "version");
	fuzz_check_within(s->name, raw, "name");
	fuzz_check_within(s->info, raw, "info");
	fuzz_check_within(s->uri, raw, "uri");
	fuzz_check_within(s->time_start, raw, "time_start");
	fuzz_check_within(s->time_stop, raw, "time_stop");
	if (s->origin.present) {
		const sv o[] = { s->origin.username, s->origin.sess_id, s->origin.sess_version,
				 s->origin.nettype, s->origin.addrtype, s->origin.address };
		for (size_t i = 0; i < G_N_ELEMENTS(o); i++)
			fuzz_check_within(o[i], raw, "origin");
	}
	check_conn(&s->conn, raw);
	check_attrs(s->attrs, s->n_attrs, raw);
	for (unsigned i = 0; i < s->n_bw; i++)
		fuzz_check_within(s->bw[i].type, raw, "bw.type");
	for (unsigned i = 0; i < s->n_media; i++)
		check_media(s, &s->media[i], raw);
	sv v;
	if (sdp_session_attr(s, "group", &v))
		fuzz_touch(v);
	fuzz_touch_str(sdp_dir_name(s->dir));

	for (unsigned i = 0; i < s->n_warnings; i++) {
		const sip_warning *w = &s->warnings[i];
		/* Quoted wire bytes, but for the attribute kind of SDP_TOO_MANY. */
		if (w->code == SIP_W_SDP_TOO_MANY)
			fuzz_touch(w->what);
		else
			fuzz_check_within(w->what, raw, "warning.what");
		g_string_truncate(text, 0);
		sip_warning_format(w, text);
		fuzz_check_ascii(text->str, text->len, "sip_warning_format");
		fuzz_touch_str(sip_warning_id(w->code));
	}
	return 0;
}
