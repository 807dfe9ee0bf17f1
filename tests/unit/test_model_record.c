/*
 * Model: the message record — what the compact record keeps inline and
 * what goes to its extension (model.h, sip_message) reads back exactly as
 * it was given: the meta of every shape (IPv6, odd transports, first
 * frames far back, large indexes and flags), and the fields of messages
 * longer than 64 KiB, with and without limits (records from pools).
 */
#include <glib.h>
#include <string.h>

#include "dissect/model.h"
#include "dissect/sip.h"

#include "support/model_flow.h"

/* A model (as the other model tests make it) with these limits. */
static flow *fix_new(const sip_limits *limits)
{
	flow *f = flow_new();
	if (limits)
		g_assert_true(sip_model_set_limits(f->m, limits));
	return f;
}

static endpoint ep4(uint8_t last, uint16_t port)
{
	endpoint e;
	memset(&e, 0, sizeof(e));
	e.family = EP_IPV4;
	e.addr[0] = 192;
	e.addr[1] = 0;
	e.addr[2] = 2;
	e.addr[3] = last;
	e.port = port;
	return e;
}

static endpoint ep6(uint8_t last, uint16_t port)
{
	endpoint e;
	memset(&e, 0, sizeof(e));
	e.family = EP_IPV6;
	e.addr[0] = 0x20;
	e.addr[1] = 0x01;
	e.addr[2] = 0x0d;
	e.addr[3] = 0xb8;
	e.addr[15] = last;
	e.port = port;
	return e;
}

/* A message with its own bytes (kept until flow_free). */
static sip_id add_text(flow *f, const sip_msg_meta *meta, GString *text)
{
	size_t len = text->len;
	uint8_t *buf = g_malloc(len);
	memcpy(buf, text->str, len);
	g_ptr_array_add(f->bufs, buf);
	sip_parse_message(sv_make(buf, len), meta->transport && strcmp(meta->transport, "UDP") != 0,
		f->p);
	sip_id id = sip_model_add(f->m, meta, f->p);
	memset(f->p, 0xA5, sizeof(*f->p));   /* the model must not keep the parse */
	return id;
}

/* An INVITE of Call-ID call_id, with pad bytes of an X-Pad header before
 * the fields the record locates (so they lie past 64 KiB when pad is
 * large) and to_tag (may be NULL) as long as it comes. */
static GString *invite_text(const char *call_id, size_t pad, const char *to_tag)
{
	GString *s = g_string_new("INVITE sip:bob@b.example SIP/2.0\r\n");
	if (pad) {
		g_string_append(s, "X-Pad: ");
		for (size_t i = 0; i < pad; i++)
			g_string_append_c(s, (char)('a' + i % 26));
		g_string_append(s, "\r\n");
	}
	g_string_append(s, "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKlong\r\n"
			   "From: <sip:alice@a.example>;tag=atag\r\n");
	if (to_tag)
		g_string_append_printf(s, "To: <sip:bob@b.example>;tag=%s\r\n", to_tag);
	else
		g_string_append(s, "To: <sip:bob@b.example>\r\n");
	g_string_append_printf(s, "Call-ID: %s\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		call_id);
	return s;
}

static void assert_meta_eq(const sip_msg_meta *got, const sip_msg_meta *want)
{
	g_assert_cmpuint(got->frame, ==, want->frame);
	g_assert_cmpuint(got->first_frame, ==, want->first_frame);
	g_assert_cmpint(got->ts_ns, ==, want->ts_ns);
	g_assert_cmpstr(got->transport, ==, want->transport);
	g_assert_cmpuint(got->index, ==, want->index);
	g_assert_cmpuint(got->capture_flags, ==, want->capture_flags);
	g_assert_cmpuint(got->src.family, ==, want->src.family);
	g_assert_cmpmem(got->src.addr, 16, want->src.addr, 16);
	g_assert_cmpuint(got->src.port, ==, want->src.port);
	g_assert_cmpuint(got->dst.family, ==, want->dst.family);
	g_assert_cmpmem(got->dst.addr, 16, want->dst.addr, 16);
	g_assert_cmpuint(got->dst.port, ==, want->dst.port);
}

static void assert_sv_is(sv v, const char *want)
{
	if (!want) {
		g_assert_null(v.p);
		return;
	}
	g_assert_nonnull(v.p);
	g_assert_cmpmem(v.p, v.len, want, strlen(want));
}

/* The record of msg reads back meta and the fields of invite_text. */
static void assert_record(const sip_model *m, sip_id id, const sip_msg_meta *meta,
	const char *call_id, const char *to_tag)
{
	const sip_message *msg = sip_model_message(m, id);
	g_assert_nonnull(msg);
	sip_msg_meta back;
	sip_message_meta(msg, &back);
	assert_meta_eq(&back, meta);
	g_assert_cmpuint(msg->frame, ==, meta->frame);
	g_assert_cmpint(msg->ts_ns, ==, meta->ts_ns);
	g_assert_cmpstr(sip_message_transport(msg), ==, meta->transport);
	endpoint src = sip_message_src(msg), dst = sip_message_dst(msg);
	g_assert_true(endpoint_eq(&src, &meta->src));
	g_assert_true(endpoint_eq(&dst, &meta->dst));

	g_assert_cmpint(msg->kind, ==, SIP_KIND_REQUEST);
	assert_sv_is(sip_message_field(msg, SIP_FIELD_METHOD), "INVITE");
	assert_sv_is(sip_message_field(msg, SIP_FIELD_REQUEST_URI), "sip:bob@b.example");
	assert_sv_is(sip_message_field(msg, SIP_FIELD_REASON), NULL);
	assert_sv_is(sip_message_field(msg, SIP_FIELD_CALL_ID), call_id);
	assert_sv_is(sip_message_field(msg, SIP_FIELD_CSEQ_METHOD), "INVITE");
	assert_sv_is(sip_message_field(msg, SIP_FIELD_FROM_TAG), "atag");
	assert_sv_is(sip_message_field(msg, SIP_FIELD_TO_TAG), to_tag);
	assert_sv_is(sip_message_field(msg, SIP_FIELD_BRANCH), "z9hG4bKlong");
	assert_sv_is(sip_message_field(msg, SIP_FIELD_VIA_SENT_BY), "192.0.2.1:5060");
	g_assert_cmpuint(sip_message_span(msg, SIP_FIELD_REASON).off, ==, UINT32_MAX);
	const sip_call *c = sip_model_call(m, msg->call);
	g_assert_nonnull(c);
	assert_sv_is(c->call_id, call_id);
}

/* Every shape of meta the record keeps inline, and every one it cannot. */
static const sip_msg_meta *metas(size_t *n)
{
	static sip_msg_meta v[26];
	static bool done;
	*n = G_N_ELEMENTS(v);
	if (done)
		return v;
	static char tcp_copy[] = "TCP";   /* not the static name: kept by its bytes */
	int64_t ts = INT64_C(1700000000) * 1000000000;
	sip_msg_meta base = {
		.frame = 10, .first_frame = 10, .ts_ns = ts, .transport = "UDP",
		.src = ep4(1, 5060), .dst = ep4(2, 5080),
	};
	size_t k = 0;
	v[k++] = base;
	v[k] = base, v[k].transport = NULL, k++;
	v[k] = base, v[k].transport = "TCP", k++;
	v[k] = base, v[k].transport = "SCTP", k++;
	v[k] = base, v[k].transport = "WS", k++;
	v[k] = base, v[k].transport = tcp_copy, k++;
	v[k] = base, v[k].transport = "?", k++;
	v[k] = base, v[k].src = ep6(1, 5060), k++;
	v[k] = base, v[k].dst = ep6(2, 0), k++;
	v[k] = base, v[k].src.addr[9] = 1, k++;          /* not the IPv4 form */
	v[k] = base, v[k].dst.family = EP_NONE, k++;
	v[k] = base, v[k].frame = UINT64_C(1) << 40, v[k].first_frame = (UINT64_C(1) << 40) - UINT32_MAX, k++;
	v[k] = base, v[k].frame = UINT64_C(1) << 40, v[k].first_frame = (UINT64_C(1) << 40) - UINT32_MAX - 1, k++;
	v[k] = base, v[k].first_frame = 11, k++;         /* after frame */
	v[k] = base, v[k].first_frame = 0, v[k].frame = UINT64_MAX, k++;
	v[k] = base, v[k].index = 15, k++;
	v[k] = base, v[k].index = 16, k++;
	v[k] = base, v[k].index = UINT8_MAX + 1u, k++;
	v[k] = base, v[k].index = UINT16_MAX + 1u, k++;
	v[k] = base, v[k].frame = 100000, v[k].first_frame = 100000 - 15, k++;
	v[k] = base, v[k].frame = 100000, v[k].first_frame = 100000 - 16, k++;
	v[k] = base, v[k].frame = 100000, v[k].first_frame = 100000 - UINT8_MAX - 1, k++;
	v[k] = base, v[k].first_frame = 0, k++;
	v[k] = base, v[k].capture_flags = UINT8_MAX, k++;
	v[k] = base, v[k].capture_flags = 0x100, k++;
	v[k] = base, v[k].src = ep6(3, 1), v[k].dst = ep6(4, 2), v[k].index = UINT32_MAX,
		v[k].capture_flags = UINT32_MAX, v[k].transport = "?", v[k].ts_ns = -1, k++;
	g_assert_cmpuint(k, ==, G_N_ELEMENTS(v));
	done = true;
	return v;
}

static void check_metas(const sip_limits *limits, size_t pad)
{
	flow *f = fix_new(limits);
	size_t n;
	const sip_msg_meta *v = metas(&n);
	sip_id *ids = g_new(sip_id, n);
	for (size_t i = 0; i < n; i++) {
		g_autofree char *cid = g_strdup_printf("meta-%zu@a.example", i);
		GString *text = invite_text(cid, pad, NULL);
		ids[i] = add_text(f, &v[i], text);
		g_string_free(text, TRUE);
	}
	for (size_t i = 0; i < n; i++) {
		g_autofree char *cid = g_strdup_printf("meta-%zu@a.example", i);
		assert_record(f->m, ids[i], &v[i], cid, NULL);
	}
	g_free(ids);
	flow_free(f);
}

static void test_meta(void)
{
	check_metas(NULL, 0);
}

static void test_meta_limits(void)
{
	check_metas(&(sip_limits){ .max_messages = 1000, .max_calls = 1000 }, 0);
}

/* Fields past 64 KiB, a field longer than 64 KiB, and the lengths around
 * the edge where the record stops holding them inline. */
static void check_long(const sip_limits *limits)
{
	flow *f = fix_new(limits);
	sip_msg_meta meta = {
		.frame = 1, .first_frame = 1, .ts_ns = INT64_C(1700000000) * 1000000000,
		.transport = "TCP", .src = ep4(1, 5060), .dst = ep4(2, 5060),
	};
	/* the fields start past 64 KiB */
	GString *far = invite_text("far@a.example", 70000, "farbtag");
	g_assert_cmpuint(far->len, >, 70000);
	sip_id id_far = add_text(f, &meta, far);
	g_string_free(far, TRUE);

	/* a To tag of 66,000 bytes */
	GString *tag = g_string_new(NULL);
	for (int i = 0; i < 66000; i++)
		g_string_append_c(tag, (char)('a' + i % 26));
	GString *big = invite_text("big@a.example", 0, tag->str);
	meta.frame = meta.first_frame = 2;
	meta.src = ep6(1, 5060);   /* both parts of the extension */
	sip_id id_big = add_text(f, &meta, big);
	g_string_free(big, TRUE);
	sip_msg_meta meta_big = meta;

	/* a message of 65,534 bytes (inline) and one of 65,535 (extension),
	 * with the Call-ID at its end */
	GString *probe = invite_text("edge-0@a.example", 1000, NULL);
	size_t base_len = probe->len;
	g_string_free(probe, TRUE);
	sip_id id_edge[2];
	meta.src = ep4(1, 5060);
	for (int k = 0; k < 2; k++) {
		g_autofree char *cid = g_strdup_printf("edge-%d@a.example", k);
		GString *text = invite_text(cid, 1000 + (65534 + (size_t)k - base_len), NULL);
		g_assert_cmpuint(text->len, ==, 65534 + (size_t)k);
		meta.frame = meta.first_frame = 3 + (uint64_t)k;
		id_edge[k] = add_text(f, &meta, text);
		g_string_free(text, TRUE);
	}

	meta.frame = meta.first_frame = 1;
	assert_record(f->m, id_far, &meta, "far@a.example", "farbtag");
	const sip_message *m_far = sip_model_message(f->m, id_far);
	g_assert_cmpuint(sip_message_span(m_far, SIP_FIELD_CALL_ID).off, >, 70000);
	assert_record(f->m, id_big, &meta_big, "big@a.example", tag->str);
	const sip_message *m_big = sip_model_message(f->m, id_big);
	g_assert_cmpuint(sip_message_span(m_big, SIP_FIELD_TO_TAG).len, ==, 66000);
	for (int k = 0; k < 2; k++) {
		g_autofree char *cid = g_strdup_printf("edge-%d@a.example", k);
		meta.frame = meta.first_frame = 3 + (uint64_t)k;
		assert_record(f->m, id_edge[k], &meta, cid, NULL);
		const sip_message *msg = sip_model_message(f->m, id_edge[k]);
		g_assert_cmpuint(sip_message_raw(msg).len, ==, 65534 + (size_t)k);
		sip_span s = sip_message_span(msg, SIP_FIELD_CALL_ID);
		g_assert_cmpuint(s.off + s.len, >, 65400);
	}
	g_string_free(tag, TRUE);
	flow_free(f);
}

static void test_long(void)
{
	check_long(NULL);
}

static void test_long_limits(void)
{
	check_long(&(sip_limits){ .max_messages = 100, .max_calls = 100 });
}

/* Under limits records of every size go back to their pools and are taken
 * again: what is read after many evictions is still what was given. */
static void test_pools_churn(void)
{
	flow *f = fix_new(&(sip_limits){ .max_calls = 3 });
	size_t n;
	const sip_msg_meta *v = metas(&n);
	for (unsigned round = 0; round < 40; round++) {
		size_t i = round % n;
		size_t pad = round % 3 == 0 ? 66000 : 0;
		g_autofree char *cid = g_strdup_printf("churn-%u@a.example", round);
		GString *text = invite_text(cid, pad, round % 2 ? "t" : NULL);
		sip_id id = add_text(f, &v[i], text);
		g_string_free(text, TRUE);
		assert_record(f->m, id, &v[i], cid, round % 2 ? "t" : NULL);
		/* limits are judged before each message: four calls are held */
		if (round >= 4)
			g_assert_null(sip_model_message(f->m, id - 4));
	}
	g_assert_cmpuint(sip_model_evictions(f->m)->calls, ==, 36);
	flow_free(f);
}

/* A message added with its parse changed by change (may be NULL)
 * before the model sees it. */
static sip_id add_changed(flow *f, const sip_msg_meta *meta, const char *text,
	void (*change)(sip_msg *p))
{
	size_t len = strlen(text);
	uint8_t *buf = g_malloc(len);
	memcpy(buf, text, len);
	g_ptr_array_add(f->bufs, buf);
	sip_parse_message(sv_make(buf, len), false, f->p);
	if (change)
		change(f->p);
	sip_id id = sip_model_add(f->m, meta, f->p);
	memset(f->p, 0xA5, sizeof(*f->p));
	return id;
}

/* A reason phrase on a request's parse: no parse gives both, but the
 * record must keep whatever it is given. */
static void give_reason(sip_msg *p)
{
	g_assert_nonnull(p->request_uri.p);
	p->reason = sv_make(p->request_uri.p + 4, 3);   /* "bob" */
}

/* The start line's fields: the Request-URI and the reason phrase share a
 * place in the record; each reads back only for its kind, and a start
 * line with both keeps them in the extension. */
static void check_start_line(const sip_limits *limits)
{
	flow *f = fix_new(limits);
	sip_msg_meta meta = {
		.frame = 1, .first_frame = 1, .ts_ns = INT64_C(1700000000) * 1000000000,
		.transport = "UDP", .src = ep4(1, 5060), .dst = ep4(2, 5060),
	};
	const char *rsp = "SIP/2.0 180 Ringing\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsl\r\n"
		"From: <sip:alice@a.example>;tag=atag\r\nTo: <sip:bob@b.example>;tag=bt\r\n"
		"Call-ID: sl@a.example\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	const char *rsp_empty = "SIP/2.0 183 \r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsl\r\n"
		"From: <sip:alice@a.example>;tag=atag\r\nTo: <sip:bob@b.example>;tag=bt\r\n"
		"Call-ID: sl@a.example\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	const char *req = "INVITE sip:bob@b.example SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsl2\r\n"
		"From: <sip:alice@a.example>;tag=atag\r\nTo: <sip:bob@b.example>\r\n"
		"Call-ID: sl@a.example\r\nCSeq: 2 INVITE\r\nContent-Length: 0\r\n\r\n";
	sip_id r1 = add_changed(f, &meta, rsp, NULL);
	meta.frame = meta.first_frame = 2;
	sip_id r2 = add_changed(f, &meta, rsp_empty, NULL);
	meta.frame = meta.first_frame = 3;
	sip_id q1 = add_changed(f, &meta, req, NULL);
	meta.frame = meta.first_frame = 4;
	sip_id q2 = add_changed(f, &meta, req, give_reason);
	/* the CSeq method shares the method's place only with its bytes */
	const char *req_other = "INVITE sip:bob@b.example SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsl3\r\n"
		"From: <sip:alice@a.example>;tag=atag\r\nTo: <sip:bob@b.example>\r\n"
		"Call-ID: sl@a.example\r\nCSeq: 3 INVITe\r\nContent-Length: 0\r\n\r\n";
	const char *req_nocseq = "OPTIONS sip:bob@b.example SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsl4\r\n"
		"From: <sip:alice@a.example>;tag=atag\r\nTo: <sip:bob@b.example>\r\n"
		"Call-ID: sl@a.example\r\nContent-Length: 0\r\n\r\n";
	meta.frame = meta.first_frame = 5;
	sip_id q3 = add_changed(f, &meta, req_other, NULL);
	meta.frame = meta.first_frame = 6;
	sip_id q4 = add_changed(f, &meta, req_nocseq, NULL);

	const sip_message *m = sip_model_message(f->m, r1);
	g_assert_cmpint(m->kind, ==, SIP_KIND_RESPONSE);
	g_assert_cmpuint(m->status, ==, 180);
	assert_sv_is(sip_message_field(m, SIP_FIELD_REASON), "Ringing");
	assert_sv_is(sip_message_field(m, SIP_FIELD_REQUEST_URI), NULL);
	assert_sv_is(sip_message_field(m, SIP_FIELD_METHOD), NULL);
	assert_sv_is(sip_message_field(m, SIP_FIELD_CALL_ID), "sl@a.example");
	assert_sv_is(sip_message_field(m, SIP_FIELD_CSEQ_METHOD), "INVITE");
	assert_sv_is(sip_message_field(m, SIP_FIELD_FROM_TAG), "atag");
	assert_sv_is(sip_message_field(m, SIP_FIELD_TO_TAG), "bt");
	assert_sv_is(sip_message_field(m, SIP_FIELD_BRANCH), "z9hG4bKsl");
	assert_sv_is(sip_message_field(m, SIP_FIELD_VIA_SENT_BY), "192.0.2.1:5060");
	g_assert_null(sip_message_ext_spans(m));

	m = sip_model_message(f->m, r2);
	sv reason = sip_message_field(m, SIP_FIELD_REASON);
	g_assert_nonnull(reason.p);
	g_assert_cmpuint(sv_trim(reason).len, ==, 0);
	assert_sv_is(sip_message_field(m, SIP_FIELD_REQUEST_URI), NULL);

	m = sip_model_message(f->m, q1);
	assert_sv_is(sip_message_field(m, SIP_FIELD_REQUEST_URI), "sip:bob@b.example");
	assert_sv_is(sip_message_field(m, SIP_FIELD_REASON), NULL);
	assert_sv_is(sip_message_field(m, SIP_FIELD_METHOD), "INVITE");
	assert_sv_is(sip_message_field(m, SIP_FIELD_CALL_ID), "sl@a.example");
	g_assert_null(sip_message_ext_spans(m));

	m = sip_model_message(f->m, q2);
	g_assert_nonnull(sip_message_ext_spans(m));
	assert_sv_is(sip_message_field(m, SIP_FIELD_REQUEST_URI), "sip:bob@b.example");
	assert_sv_is(sip_message_field(m, SIP_FIELD_REASON), "bob");
	assert_sv_is(sip_message_field(m, SIP_FIELD_METHOD), "INVITE");
	assert_sv_is(sip_message_field(m, SIP_FIELD_VIA_SENT_BY), "192.0.2.1:5060");
	meta.frame = meta.first_frame = 4;
	sip_msg_meta back;
	sip_message_meta(m, &back);
	assert_meta_eq(&back, &meta);

	m = sip_model_message(f->m, q3);
	g_assert_nonnull(sip_message_ext_spans(m));
	assert_sv_is(sip_message_field(m, SIP_FIELD_METHOD), "INVITE");
	assert_sv_is(sip_message_field(m, SIP_FIELD_CSEQ_METHOD), "INVITe");
	assert_sv_is(sip_message_field(m, SIP_FIELD_BRANCH), "z9hG4bKsl3");
	g_assert_cmpuint(sip_message_raw(m).len, ==, strlen(req_other));

	m = sip_model_message(f->m, q4);
	g_assert_null(sip_message_ext_spans(m));
	assert_sv_is(sip_message_field(m, SIP_FIELD_METHOD), "OPTIONS");
	assert_sv_is(sip_message_field(m, SIP_FIELD_CSEQ_METHOD), NULL);
	assert_sv_is(sip_message_field(m, SIP_FIELD_REQUEST_URI), "sip:bob@b.example");
	g_assert_cmpuint(sip_message_raw(m).len, ==, strlen(req_nocseq));

	/* a request whose CSeq names its method: one place for both */
	m = sip_model_message(f->m, q1);
	assert_sv_is(sip_message_field(m, SIP_FIELD_CSEQ_METHOD), "INVITE");
	g_assert_cmpuint(sip_message_raw(m).len, ==, strlen(req));
	flow_free(f);
}

static void test_start_line(void)
{
	check_start_line(NULL);
}

static void test_start_line_limits(void)
{
	check_start_line(&(sip_limits){ .max_messages = 100, .max_calls = 100 });
}

/* Fields of 255 bytes are kept inline, longer ones (a field may be up to
 * the whole message) in the extension, whichever field it is. */
static void check_field_lengths(const sip_limits *limits)
{
	flow *f = fix_new(limits);
	sip_msg_meta meta = {
		.frame = 1, .first_frame = 1, .ts_ns = INT64_C(1700000000) * 1000000000,
		.transport = "UDP", .src = ep4(1, 5060), .dst = ep4(2, 5060),
	};
	for (size_t n = 254; n <= 257; n++) {
		GString *tag = g_string_new(NULL);
		for (size_t i = 0; i < n; i++)
			g_string_append_c(tag, (char)('a' + i % 26));
		g_autofree char *cid = g_strdup_printf("%s@a.example", tag->str + 11);
		GString *text = invite_text(cid, 0, tag->str);
		meta.frame = meta.first_frame = n;
		sip_id id = add_text(f, &meta, text);
		g_string_free(text, TRUE);
		assert_record(f->m, id, &meta, cid, tag->str);
		const sip_message *msg = sip_model_message(f->m, id);
		/* the To tag is n bytes, the Call-ID n - 1 */
		if (n <= 255)
			g_assert_null(sip_message_ext_spans(msg));
		else
			g_assert_nonnull(sip_message_ext_spans(msg));
		g_string_free(tag, TRUE);
	}
	flow_free(f);
}

static void test_field_lengths(void)
{
	check_field_lengths(NULL);
}

static void test_field_lengths_limits(void)
{
	check_field_lengths(&(sip_limits){ .max_messages = 100, .max_calls = 100 });
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/model/record/meta", test_meta);
	g_test_add_func("/model/record/meta-limits", test_meta_limits);
	g_test_add_func("/model/record/long", test_long);
	g_test_add_func("/model/record/long-limits", test_long_limits);
	g_test_add_func("/model/record/pools-churn", test_pools_churn);
	g_test_add_func("/model/record/start-line", test_start_line);
	g_test_add_func("/model/record/start-line-limits", test_start_line_limits);
	g_test_add_func("/model/record/field-lengths", test_field_lengths);
	g_test_add_func("/model/record/field-lengths-limits", test_field_lengths_limits);
	return g_test_run();
}
