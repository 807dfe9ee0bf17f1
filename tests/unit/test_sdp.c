/*
 * SDP (RFC 4566 / 8866): offer/answer samples, several media, direction
 * inheritance, capacities, malformed lines.
 */
#include <glib.h>
#include <string.h>

#include "dissect/sdp.h"

static sdp_session sdp;   /* large: keep it off the stack */

static void assert_sv(sv v, const char *want)
{
	if (want == NULL) {
		g_assert_null(v.p);
		return;
	}
	g_assert_nonnull(v.p);
	g_assert_cmpmem(v.p, v.len, want, strlen(want));
}

static void parse(const char *text)
{
	sdp_parse(sv_from_cstr(text), &sdp);
}

static bool has_warning(unsigned code)
{
	for (unsigned i = 0; i < sdp.n_warnings; i++)
		if (sdp.warnings[i].code == code)
			return true;
	return false;
}

static void assert_clean(void)
{
	if (sdp.n_warnings == 0)
		return;
	GString *s = g_string_new(NULL);
	for (unsigned i = 0; i < sdp.n_warnings; i++) {
		sip_warning_format(&sdp.warnings[i], s);
		g_string_append_c(s, '\n');
	}
	g_error("unexpected warnings:\n%s", s->str);
}

static void test_offer_answer(void)
{
	parse("v=0\r\n"
		"o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\n"
		"s=Call\r\n"
		"i=A call\r\n"
		"c=IN IP4 192.0.2.101\r\n"
		"b=AS:128\r\n"
		"t=0 0\r\n"
		"a=tool:example\r\n"
		"m=audio 49170 RTP/AVP 0 8 97 101\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:8 PCMA/8000\r\n"
		"a=rtpmap:97 opus/48000/2\r\n"
		"a=fmtp:97 useinbandfec=1; stereo=1\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=fmtp:101 0-16\r\n"
		"a=ptime:20\r\n"
		"a=rtcp:49171 IN IP4 192.0.2.101\r\n"
		"a=sendrecv\r\n");
	assert_clean();
	assert_sv(sdp.version, "0");
	g_assert_true(sdp.origin.present);
	assert_sv(sdp.origin.username, "alice");
	assert_sv(sdp.origin.sess_id, "2890844526");
	assert_sv(sdp.origin.sess_version, "2890844527");
	assert_sv(sdp.origin.nettype, "IN");
	assert_sv(sdp.origin.addrtype, "IP4");
	assert_sv(sdp.origin.address, "host.atlanta.example.com");
	assert_sv(sdp.name, "Call");
	assert_sv(sdp.info, "A call");
	g_assert_true(sdp.conn.present);
	assert_sv(sdp.conn.address, "192.0.2.101");
	g_assert_null(sdp.conn.ttl.p);
	g_assert_cmpuint(sdp.n_bw, ==, 1);
	assert_sv(sdp.bw[0].type, "AS");
	g_assert_cmpuint(sdp.bw[0].kbps, ==, 128);
	g_assert_true(sdp.has_time);
	assert_sv(sdp.time_start, "0");
	assert_sv(sdp.time_stop, "0");
	sv tool;
	g_assert_true(sdp_session_attr(&sdp, "tool", &tool));
	assert_sv(tool, "example");

	g_assert_cmpuint(sdp.n_media, ==, 1);
	const sdp_media *m = &sdp.media[0];
	assert_sv(m->media, "audio");
	g_assert_cmpuint(m->port, ==, 49170);
	g_assert_cmpuint(m->port_count, ==, 1);
	assert_sv(m->proto, "RTP/AVP");
	assert_sv(m->fmts, "0 8 97 101");
	g_assert_cmpuint(m->n_fmts, ==, 4);
	g_assert_cmpuint(m->n_rtpmap, ==, 4);
	const sdp_rtpmap *r = sdp_media_rtpmap(m, 97);
	g_assert_nonnull(r);
	assert_sv(r->encoding, "opus");
	g_assert_cmpuint(r->clock_rate, ==, 48000);
	g_assert_cmpuint(r->channels, ==, 2);
	g_assert_cmpuint(sdp_media_rtpmap(m, 0)->channels, ==, 0);
	g_assert_null(sdp_media_rtpmap(m, 18));
	g_assert_cmpuint(m->n_fmtp, ==, 2);
	assert_sv(m->fmtp[0].fmt, "97");
	assert_sv(m->fmtp[0].params, "useinbandfec=1; stereo=1");
	g_assert_true(m->has_ptime);
	g_assert_cmpuint(m->ptime, ==, 20);
	g_assert_true(m->has_rtcp);
	g_assert_cmpuint(m->rtcp_port, ==, 49171);
	g_assert_cmpint(m->dir, ==, SDP_DIR_SENDRECV);
	g_assert_true(m->dir_explicit);
	g_assert_cmpuint(m->n_crypto, ==, 0);
	g_assert_true(sdp_media_conn(&sdp, m) == &sdp.conn);

	sv fmts = m->fmts, f;
	const char *want[] = { "0", "8", "97", "101" };
	unsigned n = 0;
	while (sdp_fmt_next(&fmts, &f))
		assert_sv(f, want[n++]);
	g_assert_cmpuint(n, ==, 4);

	/* the answer: hold (sendonly at session level), one media rejected */
	parse("v=0\n"
		"o=bob 2808844564 2808844565 IN IP6 2001:db8::2\n"
		"s= \n"
		"c=IN IP6 2001:db8::2\n"
		"t=0 0\n"
		"a=sendonly\n"
		"m=audio 49174 RTP/SAVP 0\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32\n"
		"m=video 0 RTP/AVP 31\n"
		"m=audio 49180 RTP/AVP 0\n"
		"a=recvonly\n"
		"m=application 5000 UDP/BFCP *\n"
		"a=inactive\n");
	assert_clean();
	assert_sv(sdp.conn.addrtype, "IP6");
	assert_sv(sdp.conn.address, "2001:db8::2");
	g_assert_cmpint(sdp.dir, ==, SDP_DIR_SENDONLY);
	g_assert_cmpuint(sdp.n_media, ==, 4);
	g_assert_cmpuint(sdp.media[0].n_crypto, ==, 2);
	g_assert_cmpint(sdp.media[0].dir, ==, SDP_DIR_SENDONLY);     /* inherited */
	g_assert_false(sdp.media[0].dir_explicit);
	g_assert_cmpuint(sdp.media[1].port, ==, 0);
	g_assert_cmpint(sdp.media[1].dir, ==, SDP_DIR_SENDONLY);
	g_assert_cmpint(sdp.media[2].dir, ==, SDP_DIR_RECVONLY);     /* its own */
	g_assert_cmpint(sdp.media[3].dir, ==, SDP_DIR_INACTIVE);
	assert_sv(sdp.media[3].fmts, "*");
	g_assert_cmpstr(sdp_dir_name(sdp.media[3].dir), ==, "inactive");
	g_assert_cmpstr(sdp_dir_name(SDP_DIR_NONE), ==, "");
}

static void test_media_levels(void)
{
	parse("v=0\r\n"
		"o=- 0 0 IN IP4 0.0.0.0\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"m=audio 30000/2 RTP/AVP 0\r\n"
		"c=IN IP4 224.2.1.1/127/3\r\n"
		"i=first\r\n"
		"b=TIAS:64000\r\n"
		"m=video 30002 RTP/AVP 96\r\n"
		"c=IN IP6 ff15::101/3\r\n"
		"a=rtpmap:96 H264/90000\r\n"
		"a=fmtp:96 profile-level-id=42e01f;packetization-mode=1\r\n"
		"a=ptime:20.5\r\n");
	assert_clean();
	g_assert_false(sdp.conn.present);
	g_assert_cmpuint(sdp.n_media, ==, 2);
	const sdp_media *a = &sdp.media[0];
	g_assert_cmpuint(a->port_count, ==, 2);
	assert_sv(a->conn.address, "224.2.1.1");
	assert_sv(a->conn.ttl, "127");
	assert_sv(a->conn.count, "3");
	assert_sv(a->info, "first");
	g_assert_cmpuint(a->n_bw, ==, 1);
	g_assert_cmpuint(a->bw[0].kbps, ==, 64000);
	g_assert_cmpint(a->dir, ==, SDP_DIR_SENDRECV);  /* the default */
	g_assert_true(sdp_media_conn(&sdp, a) == &a->conn);
	const sdp_media *v = &sdp.media[1];
	assert_sv(v->conn.address, "ff15::101");
	g_assert_null(v->conn.ttl.p);
	assert_sv(v->conn.count, "3");
	g_assert_cmpuint(v->ptime, ==, 20);
	g_assert_cmpuint(v->line, ==, 9);
	sv val;
	g_assert_true(sdp_media_attr(v, "fmtp", &val));
	g_assert_false(sdp_media_attr(v, "FMTP", &val));
}

static void test_malformed(void)
{
	parse("o=x\r\n"
		"garbage line\r\n"
		"v=1\r\n"
		"c=IN IP4\r\n"
		"m=audio notaport RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU\r\n"
		"a=rtpmap:200 X/8000\r\n"
		"a=rtpmap:1 X/abc\r\n"
		"a=rtpmap:2 X/8000/2/3\r\n"
		"a=rtcp:abc\r\n"
		"a=ptime:x\r\n"
		"a=fmtp:\r\n"
		"a=:novalue\r\n"
		"m =video 3227 RTP/AVP 31\r\n"
		"=x\r\n"
		"X=upper\r\n"
		"m=audio 1 RTP/AVP\r\n");
	g_assert_true(has_warning(SIP_W_SDP_NO_VERSION));
	g_assert_true(has_warning(SIP_W_SDP_BAD_ORIGIN));
	g_assert_true(has_warning(SIP_W_SDP_BAD_LINE));
	g_assert_true(has_warning(SIP_W_SDP_BAD_VERSION));
	g_assert_true(has_warning(SIP_W_SDP_BAD_CONN));
	g_assert_true(has_warning(SIP_W_SDP_BAD_MEDIA));
	g_assert_true(has_warning(SIP_W_SDP_BAD_RTPMAP));
	g_assert_true(has_warning(SIP_W_SDP_BAD_ATTR));
	g_assert_cmpuint(sdp.n_warnings + sdp.n_warnings_dropped, >=, 14);
	g_assert_cmpuint(sdp.n_media, ==, 2);
	g_assert_cmpuint(sdp.media[0].n_rtpmap, ==, 0);
	g_assert_false(sdp.media[0].has_rtcp);
	g_assert_false(sdp.media[0].has_ptime);
	for (unsigned i = 0; i < sdp.n_warnings; i++) {
		GString *s = g_string_new(NULL);
		sip_warning_format(&sdp.warnings[i], s);
		g_test_message("%s", s->str);
		g_string_free(s, TRUE);
	}

	/* empty and whitespace-only bodies */
	parse("");
	g_assert_true(has_warning(SIP_W_SDP_EMPTY));
	g_assert_cmpuint(sdp.n_media, ==, 0);
	parse("\r\n\n");
	g_assert_true(has_warning(SIP_W_SDP_EMPTY));
	sdp_parse(SV_NULL, &sdp);
	g_assert_true(has_warning(SIP_W_SDP_EMPTY));

	/* media without any connection address */
	parse("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nm=audio 0 RTP/AVP 0\r\n");
	g_assert_cmpuint(sdp.n_warnings, ==, 1);
	g_assert_cmpuint(sdp.warnings[0].code, ==, SIP_W_SDP_NO_CONN);
	g_assert_cmpuint(sdp.warnings[0].a, ==, 1);
}

static void test_capacity(void)
{
	GString *s = g_string_new("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n");
	for (int i = 0; i < 40; i++)
		g_string_append_printf(s, "a=x%d\r\n", i);
	g_string_append(s, "m=audio 4000 RTP/AVP");
	for (int pt = 96; pt < 136 && pt < 128; pt++)
		g_string_append_printf(s, " %d", pt);
	g_string_append(s, "\r\n");
	for (int pt = 96; pt < 128; pt++)
		g_string_append_printf(s, "a=rtpmap:%d X%d/8000\r\na=fmtp:%d a=b\r\n", pt, pt, pt);
	for (int pt = 0; pt < 8; pt++)
		g_string_append_printf(s, "a=rtpmap:%d Y/8000\r\na=fmtp:%d c=d\r\n", pt, pt);
	for (int i = 0; i < 20; i++)
		g_string_append_printf(s, "m=video %d RTP/AVP 31\r\na=sendonly\r\n", 5000 + i);
	sdp_parse(sv_make(s->str, s->len), &sdp);
	g_assert_cmpuint(sdp.n_attrs, ==, SDP_MAX_ATTRS);
	g_assert_cmpuint(sdp.n_attrs_dropped, ==, 40 - SDP_MAX_ATTRS);
	g_assert_cmpuint(sdp.n_media, ==, SDP_MAX_MEDIA);
	g_assert_cmpuint(sdp.n_media_dropped, ==, 21 - SDP_MAX_MEDIA);
	g_assert_cmpuint(sdp.media[0].n_rtpmap, ==, SDP_MAX_RTPMAP);
	g_assert_cmpuint(sdp.media[0].n_rtpmap_dropped, ==, 8);
	g_assert_cmpuint(sdp.media[0].n_fmtp, ==, SDP_MAX_FMTP);
	g_assert_cmpuint(sdp.media[0].n_attrs, ==, SDP_MAX_ATTRS);
	/* attributes after a dropped m= do not land on the last kept media */
	g_assert_cmpint(sdp.media[SDP_MAX_MEDIA - 1].dir, ==, SDP_DIR_SENDONLY);
	g_assert_cmpuint(sdp.media[SDP_MAX_MEDIA - 1].n_attrs, ==, 1);
	g_assert_true(has_warning(SIP_W_SDP_TOO_MANY_MEDIA));
	g_assert_true(has_warning(SIP_W_SDP_TOO_MANY));
	g_string_free(s, TRUE);
}

static void test_static_payloads(void)
{
	uint32_t clock = 0;
	g_assert_cmpstr(sdp_static_encoding(0, &clock), ==, "PCMU");
	g_assert_cmpuint(clock, ==, 8000);
	g_assert_cmpstr(sdp_static_encoding(8, NULL), ==, "PCMA");
	g_assert_cmpstr(sdp_static_encoding(18, &clock), ==, "G729");
	g_assert_cmpstr(sdp_static_encoding(34, &clock), ==, "H263");
	g_assert_cmpuint(clock, ==, 90000);
	g_assert_null(sdp_static_encoding(96, &clock));
	g_assert_null(sdp_static_encoding(2, &clock));
}

static void test_truncated(void)
{
	static const char text[] =
		"v=0\r\no=alice 1 2 IN IP4 h\r\ns=-\r\nc=IN IP4 192.0.2.1/5\r\nt=0 0\r\n"
		"m=audio 49170/2 RTP/AVP 0 97\r\na=rtpmap:97 opus/48000/2\r\na=fmtp:97 x=1\r\n"
		"a=rtcp:49171\r\na=ptime:20\r\na=crypto:1 x\r\na=recvonly\r\n";
	for (size_t len = 0; len <= sizeof(text) - 1; len++) {
		char *p = g_malloc(len ? len : 1);
		memcpy(p, text, len);
		sdp_parse(sv_make(p, len), &sdp);
		g_free(p);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sdp/offer-answer", test_offer_answer);
	g_test_add_func("/sdp/media-levels", test_media_levels);
	g_test_add_func("/sdp/malformed", test_malformed);
	g_test_add_func("/sdp/capacity", test_capacity);
	g_test_add_func("/sdp/static-payloads", test_static_payloads);
	g_test_add_func("/sdp/truncated", test_truncated);
	return g_test_run();
}
