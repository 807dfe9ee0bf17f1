/*
 * sip_warning.c — the texts of the dissect/ warnings.
 *
 * Wire bytes are never used as a format string: they are appended escaped
 * (printable ASCII kept, backslash doubled, anything else as \xHH) and cut
 * after QUOTE_MAX bytes so one huge header cannot flood a report.
 */
#include "dissect/sip.h"
#include "dissect/sip_header.h"

enum { QUOTE_MAX = 80 };

void sip_warning_push(sip_warning *arr, unsigned *n, unsigned *dropped, unsigned cap,
	unsigned code, uint32_t a, uint32_t b, sv what)
{
	if (*n >= cap) {
		(*dropped)++;
		return;
	}
	arr[(*n)++] = (sip_warning){ (uint16_t)code, a, b, what };
}

static void append_escaped(GString *out, sv v)
{
	size_t n = v.len < QUOTE_MAX ? v.len : QUOTE_MAX;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = v.p[i];
		if (c == '\\')
			g_string_append(out, "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			g_string_append_c(out, (char)c);
		else
			g_string_append_printf(out, "\\x%02X", c);
	}
	if (v.len > n)
		g_string_append(out, "...");
}

static void quote(GString *out, sv v)
{
	g_string_append_c(out, '"');
	append_escaped(out, v);
	g_string_append_c(out, '"');
}

static const char *hdr(uint32_t id)
{
	const char *n = sip_hdr_name(id);
	return *n ? n : "header";
}

static const char *const codes[SIP_W__COUNT] = {
	[SIP_W_NONE] = "none",
	[SIP_W_EMPTY] = "empty",
	[SIP_W_NOT_SIP] = "not-sip",
	[SIP_W_BAD_VERSION] = "bad-version",
	[SIP_W_BAD_STATUS] = "bad-status",
	[SIP_W_STATUS_LINE] = "status-line",
	[SIP_W_BAD_METHOD] = "bad-method",
	[SIP_W_REQLINE_SPACES] = "start-line-spaces",
	[SIP_W_RURI_SPACE] = "ruri-space",
	[SIP_W_RURI_ANGLE] = "ruri-angle",
	[SIP_W_RURI_NO_SCHEME] = "ruri-no-scheme",
	[SIP_W_RURI_HEADERS] = "ruri-headers",
	[SIP_W_RURI_BAD] = "ruri-bad",
	[SIP_W_BARE_LF] = "bare-lf",
	[SIP_W_LONE_CR] = "lone-cr",
	[SIP_W_NUL] = "nul",
	[SIP_W_NO_COLON] = "no-colon",
	[SIP_W_BAD_HDR_NAME] = "bad-header-name",
	[SIP_W_EMPTY_HDR_NAME] = "empty-header-name",
	[SIP_W_FOLD_FIRST] = "fold-first",
	[SIP_W_TOO_MANY_HEADERS] = "too-many-headers",
	[SIP_W_NO_END_OF_HEADERS] = "no-end-of-headers",
	[SIP_W_MISSING_HDR] = "missing-header",
	[SIP_W_DUP_HDR] = "duplicate-header",
	[SIP_W_CSEQ_BAD] = "cseq-bad",
	[SIP_W_CSEQ_MISMATCH] = "cseq-mismatch",
	[SIP_W_MAXFWD_BAD] = "max-forwards-bad",
	[SIP_W_EXPIRES_BAD] = "expires-bad",
	[SIP_W_DATE_BAD] = "date-bad",
	[SIP_W_VIA_BAD] = "via-bad",
	[SIP_W_BRANCH_COOKIE_ONLY] = "branch-cookie-only",
	[SIP_W_ADDR_BAD] = "address-bad",
	[SIP_W_EMPTY_PARAM] = "empty-parameter",
	[SIP_W_CL_BAD] = "content-length-bad",
	[SIP_W_CL_EXCEEDS] = "content-length-exceeds",
	[SIP_W_CL_SHORT] = "content-length-short",
	[SIP_W_CL_MISSING_STREAM] = "content-length-missing",
	[SIP_W_SDP_EMPTY] = "sdp-empty",
	[SIP_W_SDP_BAD_LINE] = "sdp-bad-line",
	[SIP_W_SDP_NO_VERSION] = "sdp-no-version",
	[SIP_W_SDP_BAD_VERSION] = "sdp-bad-version",
	[SIP_W_SDP_BAD_ORIGIN] = "sdp-bad-origin",
	[SIP_W_SDP_BAD_CONN] = "sdp-bad-connection",
	[SIP_W_SDP_BAD_MEDIA] = "sdp-bad-media",
	[SIP_W_SDP_BAD_RTPMAP] = "sdp-bad-rtpmap",
	[SIP_W_SDP_BAD_ATTR] = "sdp-bad-attribute",
	[SIP_W_SDP_TOO_MANY_MEDIA] = "sdp-too-many-media",
	[SIP_W_SDP_TOO_MANY] = "sdp-too-many",
	[SIP_W_SDP_NO_CONN] = "sdp-no-connection",
	[SIP_W_MP_NO_BOUNDARY] = "multipart-no-boundary",
	[SIP_W_MP_BOUNDARY_MISSING] = "multipart-boundary-missing",
	[SIP_W_MP_NO_CLOSE] = "multipart-no-close",
	[SIP_W_MP_TOO_MANY_PARTS] = "multipart-too-many-parts",
	[SIP_W_MP_TOO_DEEP] = "multipart-too-deep",
	[SIP_W_MP_PART_HEADERS] = "multipart-part-headers",
};

const char *sip_warning_id(unsigned code)
{
	return code < SIP_W__COUNT && codes[code] ? codes[code] : "unknown";
}

void sip_warning_format(const sip_warning *w, GString *out)
{
	sv q = w->what;
	switch (w->code) {
	case SIP_W_EMPTY:
		g_string_append(out, "empty message (nothing but line ends)");
		break;
	case SIP_W_NOT_SIP:
		g_string_append(out, "not a SIP request or status line: ");
		quote(out, q);
		break;
	case SIP_W_BAD_VERSION:
		g_string_append(out, "SIP version ");
		quote(out, q);
		g_string_append(out, " is not SIP/2.0");
		break;
	case SIP_W_BAD_STATUS:
		g_string_append(out, "status code ");
		quote(out, q);
		g_string_append(out, " is not three digits from 100 to 699");
		break;
	case SIP_W_STATUS_LINE:
		g_string_append(out, "status line has no space after the status code");
		break;
	case SIP_W_BAD_METHOD:
		g_string_append(out, "method ");
		quote(out, q);
		g_string_append(out, " has characters not allowed in a token");
		break;
	case SIP_W_REQLINE_SPACES:
		g_string_append_printf(out, "start line has %u extra space%s (elements must be separated by one SP)",
			w->a, w->a == 1 ? "" : "s");
		break;
	case SIP_W_RURI_SPACE:
		g_string_append(out, "Request-URI contains whitespace: ");
		quote(out, q);
		break;
	case SIP_W_RURI_ANGLE:
		g_string_append(out, "Request-URI is enclosed in <>: ");
		quote(out, q);
		break;
	case SIP_W_RURI_NO_SCHEME:
		g_string_append(out, "Request-URI has no scheme: ");
		quote(out, q);
		break;
	case SIP_W_RURI_HEADERS:
		g_string_append(out, "Request-URI carries headers ('?...'), which a Request-URI must not: ");
		quote(out, q);
		break;
	case SIP_W_RURI_BAD:
		g_string_append(out, "Request-URI is malformed: ");
		quote(out, q);
		break;
	case SIP_W_BARE_LF:
		g_string_append_printf(out, "%u line%s end%s in a bare LF instead of CRLF",
			w->a, w->a == 1 ? "" : "s", w->a == 1 ? "s" : "");
		break;
	case SIP_W_LONE_CR:
		g_string_append(out, "start line ends in a CR without LF; the next line starts after it");
		break;
	case SIP_W_NUL:
		g_string_append_printf(out, "NUL byte in the header section at offset %u", w->a);
		break;
	case SIP_W_NO_COLON:
		g_string_append(out, "header line without a colon: ");
		quote(out, q);
		break;
	case SIP_W_BAD_HDR_NAME:
		g_string_append(out, "header name ");
		quote(out, q);
		g_string_append(out, " has characters not allowed in a token");
		break;
	case SIP_W_EMPTY_HDR_NAME:
		g_string_append(out, "header line with an empty name: ");
		quote(out, q);
		break;
	case SIP_W_FOLD_FIRST:
		g_string_append(out, "continuation line with no header field before it: ");
		quote(out, q);
		break;
	case SIP_W_TOO_MANY_HEADERS:
		g_string_append_printf(out, "%u header fields; only the first %u are indexed", w->a, w->b);
		break;
	case SIP_W_NO_END_OF_HEADERS:
		g_string_append(out, "header section not terminated by an empty line");
		break;
	case SIP_W_MISSING_HDR:
		g_string_append_printf(out, "mandatory header %s is missing", hdr(w->a));
		break;
	case SIP_W_DUP_HDR:
		g_string_append_printf(out, "%s appears %u times (it may appear once)", hdr(w->a), w->b);
		break;
	case SIP_W_CSEQ_BAD:
		g_string_append(out, "CSeq ");
		quote(out, q);
		g_string_append(out, " is not a number up to 4294967295 followed by a method");
		break;
	case SIP_W_CSEQ_MISMATCH:
		g_string_append(out, "CSeq method ");
		quote(out, q);
		g_string_append(out, " does not match the request method");
		break;
	case SIP_W_MAXFWD_BAD:
		g_string_append(out, "Max-Forwards ");
		quote(out, q);
		g_string_append(out, " is not a number from 0 to 255");
		break;
	case SIP_W_EXPIRES_BAD:
		g_string_append(out, "Expires ");
		quote(out, q);
		g_string_append(out, " is not a number of seconds up to 4294967295");
		break;
	case SIP_W_DATE_BAD:
		g_string_append(out, "Date ");
		quote(out, q);
		g_string_append(out, " is not of the form \"Sat, 13 Nov 2010 23:29:00 GMT\"");
		break;
	case SIP_W_VIA_BAD:
		g_string_append(out, "malformed Via value: ");
		quote(out, q);
		break;
	case SIP_W_BRANCH_COOKIE_ONLY:
		g_string_append(out, "top Via branch is only the magic cookie z9hG4bK (no transaction id)");
		break;
	case SIP_W_ADDR_BAD:
		g_string_append_printf(out, "%s: %s: ", hdr(w->a), sip_addr_flaw_text(w->b));
		quote(out, q);
		break;
	case SIP_W_EMPTY_PARAM:
		g_string_append_printf(out, "%s has an empty parameter (\";;\"): ", hdr(w->a));
		quote(out, q);
		break;
	case SIP_W_CL_BAD:
		g_string_append(out, "Content-Length ");
		quote(out, q);
		g_string_append(out, " is not a number up to 4294967295");
		break;
	case SIP_W_CL_EXCEEDS:
		g_string_append_printf(out, "Content-Length %u exceeds the %u bytes that follow", w->a, w->b);
		break;
	case SIP_W_CL_SHORT:
		g_string_append_printf(out, "%u bytes follow the %u-byte body declared by Content-Length",
			w->a, w->b);
		break;
	case SIP_W_CL_MISSING_STREAM:
		g_string_append(out, "Content-Length missing on a stream transport");
		break;
	case SIP_W_SDP_EMPTY:
		g_string_append(out, "SDP body is empty");
		break;
	case SIP_W_SDP_BAD_LINE:
		g_string_append_printf(out, "SDP line %u is not <letter>=<value>: ", w->a);
		quote(out, q);
		break;
	case SIP_W_SDP_NO_VERSION:
		g_string_append(out, "SDP does not start with v=");
		break;
	case SIP_W_SDP_BAD_VERSION:
		g_string_append(out, "SDP version ");
		quote(out, q);
		g_string_append(out, " is not 0");
		break;
	case SIP_W_SDP_BAD_ORIGIN:
		g_string_append_printf(out, "SDP line %u: malformed o= (origin): ", w->a);
		quote(out, q);
		break;
	case SIP_W_SDP_BAD_CONN:
		g_string_append_printf(out, "SDP line %u: malformed c= (connection): ", w->a);
		quote(out, q);
		break;
	case SIP_W_SDP_BAD_MEDIA:
		g_string_append_printf(out, "SDP line %u: malformed m= (media): ", w->a);
		quote(out, q);
		break;
	case SIP_W_SDP_BAD_RTPMAP:
		g_string_append_printf(out, "SDP line %u: malformed a=rtpmap: ", w->a);
		quote(out, q);
		break;
	case SIP_W_SDP_BAD_ATTR:
		g_string_append_printf(out, "SDP line %u: malformed attribute: ", w->a);
		quote(out, q);
		break;
	case SIP_W_SDP_TOO_MANY_MEDIA:
		g_string_append_printf(out, "SDP has more than %u media descriptions; the rest are not kept", w->a);
		break;
	case SIP_W_SDP_TOO_MANY:
		g_string_append_printf(out, "SDP has more than %u ", w->a);
		append_escaped(out, q);
		g_string_append(out, " entries in one place; the rest are not kept");
		break;
	case SIP_W_SDP_NO_CONN:
		g_string_append_printf(out, "SDP media %u has no connection address (c=) at media or session level", w->a);
		break;
	case SIP_W_MP_NO_BOUNDARY:
		g_string_append(out, "multipart body without a boundary parameter");
		break;
	case SIP_W_MP_BOUNDARY_MISSING:
		g_string_append(out, "multipart boundary ");
		quote(out, q);
		g_string_append(out, " does not occur in the body");
		break;
	case SIP_W_MP_NO_CLOSE:
		g_string_append(out, "multipart body has no close delimiter --");
		append_escaped(out, q);
		g_string_append(out, "--");
		break;
	case SIP_W_MP_TOO_MANY_PARTS:
		g_string_append_printf(out, "multipart body has more than %u parts; the rest are not kept", w->a);
		break;
	case SIP_W_MP_TOO_DEEP:
		g_string_append_printf(out, "multipart nesting deeper than %u levels is not split", w->a);
		break;
	case SIP_W_MP_PART_HEADERS:
		g_string_append_printf(out, "multipart part %u: headers not terminated by an empty line", w->a);
		break;
	default:
		g_string_append_printf(out, "warning %u", w->code);
		break;
	}
}

void sip_msg_format_warnings(const sip_msg *m, GString *out)
{
	for (unsigned i = 0; i < m->n_warnings; i++) {
		sip_warning_format(&m->warnings[i], out);
		g_string_append_c(out, '\n');
	}
	if (m->n_warnings_dropped)
		g_string_append_printf(out, "(%u more warnings not kept)\n", m->n_warnings_dropped);
}
