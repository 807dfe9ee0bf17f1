#include "sdp_text.h"

#include "dissect/sip_header.h"
#include "output/textesc.h"

sv sdp_text_body(const sip_msg *pm, mp_body *mp)
{
	sv ctv = sip_msg_value(pm, SIP_HDR_CONTENT_TYPE);
	sip_ctype ct;
	if (!ctv.p || !sip_ctype_parse(ctv, &ct))
		return sv_starts_with(pm->body, SV_LIT("v=")) ? pm->body : SV_NULL;
	if (sip_ctype_is(&ct, "application", "sdp"))
		return pm->body;
	if (!sip_ctype_is(&ct, "multipart", NULL))
		return SV_NULL;
	mp_parse(pm->body, ctv, mp);
	for (unsigned i = 0; i < mp->n_parts && i < MP_MAX_PARTS; i++) {
		const mp_part *p = &mp->parts[i];
		sip_ctype pct;
		if (p->content_type.p && sip_ctype_parse(p->content_type, &pct) &&
		    sip_ctype_is(&pct, "application", "sdp"))
			return p->body;
	}
	return SV_NULL;
}

void sdp_text_append_media(GString *out, const sdp_session *s, const sdp_media *md)
{
	text_append_sv(out, md->media);
	g_string_append_c(out, ' ');
	const sdp_conn *c = sdp_media_conn(s, md);
	if (c && c->address.p) {
		bool v6 = sv_eq_ci_cstr(c->addrtype, "IP6");
		if (v6)
			g_string_append_c(out, '[');
		text_append_sv(out, c->address);
		if (v6)
			g_string_append_c(out, ']');
	} else {
		g_string_append_c(out, '?');
	}
	g_string_append_printf(out, ":%u", md->port);

	sv rest = md->fmts, fmt;
	bool first = true;
	while (sdp_fmt_next(&rest, &fmt)) {
		g_string_append_c(out, first ? ' ' : ',');
		first = false;
		uint64_t pt;
		const sdp_rtpmap *rm = NULL;
		const char *stat = NULL;
		if (sv_to_u64(fmt, 127, &pt)) {
			rm = sdp_media_rtpmap(md, (unsigned)pt);
			if (!rm) {
				uint32_t rate;
				stat = sdp_static_encoding((unsigned)pt, &rate);
			}
		}
		if (rm && rm->encoding.len)
			text_append_sv(out, rm->encoding);
		else if (stat)
			g_string_append(out, stat);
		else
			text_append_sv(out, fmt);
	}
	if (md->dir != SDP_DIR_SENDRECV && md->dir != SDP_DIR_NONE)
		g_string_append_printf(out, " %s", sdp_dir_name(md->dir));
}
