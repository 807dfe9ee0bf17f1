#include "model_flow.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>


flow *flow_new(void)
{
	flow *f = g_new0(flow, 1);
	f->m = sip_model_new();
	f->p = g_new0(sip_msg, 1);
	f->bufs = g_ptr_array_new_with_free_func(g_free);
	f->t0 = INT64_C(1700000000) * 1000000000;
	f->transport = "UDP";
	return f;
}

void flow_free(flow *f)
{
	sip_model_free(f->m);
	g_ptr_array_free(f->bufs, TRUE);
	g_free(f->p);
	g_free(f);
}

int64_t at(const flow *f, int64_t ms)
{
	return f->t0 + ms * 1000000;
}

endpoint ep(const char *s)
{
	endpoint e;
	unsigned a, b, c, d, port;
	memset(&e, 0, sizeof(e));
	g_assert_cmpint(sscanf(s, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port), ==, 5);
	e.family = EP_IPV4;
	e.addr[0] = (uint8_t)a;
	e.addr[1] = (uint8_t)b;
	e.addr[2] = (uint8_t)c;
	e.addr[3] = (uint8_t)d;
	e.port = (uint16_t)port;
	return e;
}

/* text: start line and header fields separated by '\n' (sent as CRLF),
 * without Content-Length, which is added. */
sip_id feed_body(flow *f, int64_t ms, const char *src, const char *dst,
	const char *text, const char *body)
{
	GString *s = g_string_new(NULL);
	for (const char *q = text; *q; q++) {
		if (*q == '\n')
			g_string_append(s, "\r\n");
		else
			g_string_append_c(s, *q);
	}
	if (s->len < 2 || strcmp(s->str + s->len - 2, "\r\n") != 0)
		g_string_append(s, "\r\n");
	g_string_append_printf(s, "Content-Length: %zu\r\n\r\n%s", body ? strlen(body) : 0,
		body ? body : "");
	size_t len = s->len;
	uint8_t *buf = g_malloc(len);
	memcpy(buf, s->str, len);
	g_string_free(s, TRUE);
	g_ptr_array_add(f->bufs, buf);
	sip_parse_message(sv_make(buf, len), strcmp(f->transport, "UDP") != 0, f->p);
	f->frames++;
	sip_msg_meta meta = {
		.frame = f->frames, .first_frame = f->frames, .ts_ns = at(f, ms),
		.transport = f->transport, .src = ep(src), .dst = ep(dst),
	};
	sip_id id = sip_model_add(f->m, &meta, f->p);
	memset(f->p, 0xA5, sizeof(*f->p));   /* the model must not keep the parse */
	return id;
}

sip_id feed(flow *f, int64_t ms, const char *src, const char *dst,
	const char *text)
{
	return feed_body(f, ms, src, dst, text, NULL);
}

sip_id feedf(flow *f, int64_t ms, const char *src,
	const char *dst, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return feed(f, ms, src, dst, text);
}


const char *reason_of(int status)
{
	switch (status) {
	case 100: return "Trying";
	case 180: return "Ringing";
	case 183: return "Session Progress";
	case 200: return "OK";
	case 401: return "Unauthorized";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 480: return "Temporarily Unavailable";
	case 481: return "Call/Transaction Does Not Exist";
	case 486: return "Busy Here";
	case 487: return "Request Terminated";
	case 491: return "Request Pending";
	case 501: return "Not Implemented";
	case 600: return "Busy Everywhere";
	case 603: return "Decline";
	default: return "Whatever";
	}
}

/* A request from A (from_a) or from B; b_tag: B's tag (NULL: none yet);
 * extra: more header lines, each ending in '\n' (or NULL). */
sip_id req_x(ua_call *c, int64_t ms, bool from_a, const char *method,
	unsigned cseq, const char *branch, const char *b_tag, const char *extra)
{
	g_autofree char *btag = b_tag ? g_strdup_printf(";tag=%s", b_tag) : g_strdup("");
	const char *src = from_a ? c->a : c->b, *dst = from_a ? c->b : c->a;
	g_autofree char *from = from_a ? g_strdup_printf("<sip:alice@a.example>;tag=%s", c->a_tag)
		: g_strdup_printf("<sip:bob@b.example>%s", btag);
	g_autofree char *to = from_a ? g_strdup_printf("<sip:bob@b.example>%s", btag)
		: g_strdup_printf("<sip:alice@a.example>;tag=%s", c->a_tag);
	return feedf(c->f, ms, src, dst,
		"%s sip:%s@%s SIP/2.0\n"
		"Via: SIP/2.0/UDP %s;branch=%s\n"
		"Max-Forwards: 70\n"
		"From: %s\n"
		"To: %s\n"
		"Call-ID: %s\n"
		"CSeq: %u %s\n"
		"Contact: <sip:%s@%s>\n"
		"%s",
		method, from_a ? "bob" : "alice", dst, src, branch, from, to, c->call_id, cseq, method,
		from_a ? "alice" : "bob", src, extra ? extra : "");
}

sip_id req(ua_call *c, int64_t ms, bool from_a, const char *method,
	unsigned cseq, const char *branch, const char *b_tag)
{
	return req_x(c, ms, from_a, method, cseq, branch, b_tag, NULL);
}

/* The response to a request of A (to_a) or of B. */
sip_id rsp_x(ua_call *c, int64_t ms, bool to_a, int status, const char *method,
	unsigned cseq, const char *branch, const char *b_tag, const char *extra)
{
	g_autofree char *btag = b_tag ? g_strdup_printf(";tag=%s", b_tag) : g_strdup("");
	const char *src = to_a ? c->b : c->a, *dst = to_a ? c->a : c->b;
	g_autofree char *from = to_a ? g_strdup_printf("<sip:alice@a.example>;tag=%s", c->a_tag)
		: g_strdup_printf("<sip:bob@b.example>%s", btag);
	g_autofree char *to = to_a ? g_strdup_printf("<sip:bob@b.example>%s", btag)
		: g_strdup_printf("<sip:alice@a.example>;tag=%s", c->a_tag);
	g_autofree char *contact = status > 100 && status < 300
		? g_strdup_printf("Contact: <sip:%s@%s>\n", to_a ? "bob" : "alice", src) : g_strdup("");
	return feedf(c->f, ms, src, dst,
		"SIP/2.0 %d %s\n"
		"Via: SIP/2.0/UDP %s;branch=%s\n"
		"From: %s\n"
		"To: %s\n"
		"Call-ID: %s\n"
		"CSeq: %u %s\n"
		"%s%s",
		status, reason_of(status), dst, branch, from, to, c->call_id, cseq, method, contact,
		extra ? extra : "");
}

sip_id rsp(ua_call *c, int64_t ms, bool to_a, int status, const char *method,
	unsigned cseq, const char *branch, const char *b_tag)
{
	return rsp_x(c, ms, to_a, status, method, cseq, branch, b_tag, NULL);
}

ua_call ua_call_make(flow *f, const char *call_id)
{
	return (ua_call){ f, call_id, "10.0.0.1:5060", "10.0.0.2:5060", "atag" };
}

const sip_message *msg_of(flow *f, sip_id id)
{
	const sip_message *m = sip_model_message(f->m, id);
	g_assert_nonnull(m);
	return m;
}

const sip_txn *txn_of(flow *f, sip_id msg)
{
	const sip_txn *t = sip_model_txn(f->m, msg_of(f, msg)->txn);
	g_assert_nonnull(t);
	return t;
}

const sip_call *call_named(flow *f, const char *call_id)
{
	const sip_call *c = sip_model_call_find(f->m, sv_from_cstr(call_id));
	g_assert_nonnull(c);
	return c;
}

void assert_sv_eq(sv v, const char *want)
{
	if (want == NULL) {
		g_assert_null(v.p);
		return;
	}
	g_assert_nonnull(v.p);
	g_assert_cmpmem(v.p, v.len, want, strlen(want));
}
