/*
 * The curses-free parts of the UI: the filter (ui/filter.c: substrings of
 * fields and header values, regular expressions over raw messages), the
 * call list it drives (ui/call_list.c: incremental filtering, hiding
 * non-INVITE Call-IDs, sorting, marks, cells), the prompt's line editor
 * (ui/line_edit.c) and the message pane's lines (ui/message_text.c).
 */
#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

#include "dissect/model.h"
#include "dissect/sip.h"
#include "ui/call_list.h"
#include "ui/filter.h"
#include "ui/keys.h"
#include "ui/line_edit.h"
#include "ui/message_text.h"

#define T0 INT64_C(1700000000000000000)

typedef struct fixture {
	sip_model *m;
	sip_msg *parsed;
	GPtrArray *bufs; /* message bytes: must outlive the model */
	uint64_t frame;
} fixture;

static void fx_init(fixture *f)
{
	f->m = sip_model_new();
	f->parsed = g_new0(sip_msg, 1);
	f->bufs = g_ptr_array_new_with_free_func(g_free);
	f->frame = 0;
}

static void fx_clear(fixture *f)
{
	sip_model_free(f->m);
	g_free(f->parsed);
	g_ptr_array_free(f->bufs, TRUE);
}

static endpoint ep(const char *addr, uint16_t port)
{
	endpoint e = { .family = EP_IPV4, .port = port };
	g_assert_cmpint(inet_pton(AF_INET, addr, e.addr), ==, 1);
	return e;
}

/* One message from text with "\n" line ends (made CRLF). */
static sip_id add(fixture *f, const char *src, const char *dst, int64_t ms, const char *text)
{
	GString *t = g_string_new(NULL);
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			g_string_append(t, "\r\n");
		else
			g_string_append_c(t, *p);
	}
	g_string_append(t, "Content-Length: 0\r\n\r\n");
	size_t len = t->len;
	char *buf = g_string_free(t, FALSE);
	g_ptr_array_add(f->bufs, buf);
	sip_parse_message(sv_make(buf, len), false, f->parsed);
	f->frame++;
	sip_msg_meta meta = {
		.frame = f->frame,
		.first_frame = f->frame,
		.ts_ns = T0 + ms * INT64_C(1000000),
		.transport = "UDP",
		.src = ep(src, 5060),
		.dst = ep(dst, 5060),
	};
	return sip_model_add(f->m, &meta, f->parsed);
}

static void invite(fixture *f, const char *cid, const char *from, const char *to, const char *extra,
		   int64_t ms)
{
	g_autofree char *t = g_strdup_printf(
		"INVITE sip:%s SIP/2.0\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-%s\n"
		"From: <sip:%s>;tag=f-%s\n"
		"To: <sip:%s>\n"
		"Call-ID: %s\n"
		"CSeq: 1 INVITE\n"
		"%s",
		to, cid, from, cid, to, cid, extra ? extra : "");
	add(f, "192.0.2.1", "192.0.2.2", ms, t);
}

static void response(fixture *f, const char *cid, const char *from, const char *to, int status,
		     const char *reason, int64_t ms)
{
	g_autofree char *t = g_strdup_printf(
		"SIP/2.0 %d %s\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-%s\n"
		"From: <sip:%s>;tag=f-%s\n"
		"To: <sip:%s>;tag=t-%s\n"
		"Call-ID: %s\n"
		"CSeq: 1 INVITE\n",
		status, reason, cid, from, cid, to, cid, cid);
	add(f, "192.0.2.2", "192.0.2.1", ms, t);
}

static void options_ping(fixture *f, const char *cid, int64_t ms)
{
	g_autofree char *t = g_strdup_printf(
		"OPTIONS sip:proxy.example SIP/2.0\n"
		"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-%s\n"
		"From: <sip:monitor@example.org>;tag=m-%s\n"
		"To: <sip:proxy.example>\n"
		"Call-ID: %s\n"
		"CSeq: 7 OPTIONS\n",
		cid, cid, cid);
	add(f, "192.0.2.9", "192.0.2.2", ms, t);
}

/* Three Call-IDs: a busy call, an answered call with a custom header, an
 * OPTIONS ping. */
static void three(fixture *f)
{
	invite(f, "c1", "alice@a.example", "bob@b.example", NULL, 0);
	response(f, "c1", "alice@a.example", "bob@b.example", 486, "Busy Here", 10);
	invite(f, "c2", "carol@a.example", "dave@b.example", "X-Tenant: Zebra-Corp\nSubject: \x1b]0;evil\x07\n", 20);
	response(f, "c2", "carol@a.example", "dave@b.example", 200, "OK", 30);
	options_ping(f, "c3", 40);
}

static bool match(fixture *f, const char *text, const char *cid)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(ui_filter) flt = ui_filter_new(text, &err);
	g_assert_no_error(err);
	g_assert_nonnull(flt);
	const sip_call *c = sip_model_call_find(f->m, sv_from_cstr(cid));
	g_assert_nonnull(c);
	return ui_filter_match_call(flt, f->m, c);
}

static void test_filter_fields(void)
{
	fixture f;
	fx_init(&f);
	three(&f);
	/* Method, state, From, To, Call-ID; case does not matter. */
	g_assert_true(match(&f, "invite", "c1"));
	g_assert_false(match(&f, "OPTIONS", "c1"));
	g_assert_true(match(&f, "options", "c3"));
	g_assert_true(match(&f, "busy", "c1"));
	g_assert_true(match(&f, "busy 486", "c1"));
	g_assert_false(match(&f, "busy", "c2"));
	g_assert_true(match(&f, "ALICE", "c1"));
	g_assert_false(match(&f, "alice", "c2"));
	g_assert_true(match(&f, "dave@b", "c2"));
	g_assert_true(match(&f, "c2", "c2"));
	g_assert_true(match(&f, "  carol  ", "c2")); /* spaces around are ignored */
	fx_clear(&f);
}

static void test_filter_headers(void)
{
	fixture f;
	fx_init(&f);
	three(&f);
	/* Any header value, not the names; the start line too. */
	g_assert_true(match(&f, "zebra-corp", "c2"));
	g_assert_false(match(&f, "zebra", "c1"));
	g_assert_false(match(&f, "x-tenant", "c2"));
	g_assert_true(match(&f, "Busy Here", "c1"));
	g_assert_true(match(&f, "sip:proxy.example SIP/2.0", "c3"));
	g_assert_true(match(&f, "z9hG4bK-c3", "c3"));
	/* Control bytes in a value are compared as bytes. */
	g_assert_true(match(&f, "\x1b]0;evil", "c2"));
	fx_clear(&f);
}

static void test_filter_regex(void)
{
	fixture f;
	fx_init(&f);
	three(&f);
	g_assert_true(match(&f, "~^X-Tenant: Z", "c2"));     /* ^ at each line */
	g_assert_true(match(&f, "~Corp$", "c2"));            /* $ before CRLF */
	g_assert_false(match(&f, "~^x-tenant", "c2"));      /* case-sensitive */
	g_assert_true(match(&f, "~(?i)^x-tenant", "c2"));
	g_assert_true(match(&f, "~CSeq: 7 OPTIONS", "c3"));
	g_assert_false(match(&f, "~CSeq: 7 OPTIONS", "c1"));
	g_assert_true(match(&f, "~^busy [0-9]+$", "c1"));    /* the state, a field */
	g_assert_true(match(&f, "~\\x1b\\]0;", "c2"));        /* raw bytes */

	g_autoptr(GError) err = NULL;
	ui_filter *bad = ui_filter_new("~(unclosed", &err);
	g_assert_null(bad);
	g_assert_nonnull(err);

	g_autoptr(ui_filter) re = ui_filter_new("~a.c", NULL);
	g_assert_true(ui_filter_is_regex(re));
	g_assert_cmpstr(ui_filter_text(re), ==, "~a.c");
	g_autoptr(ui_filter) plain = ui_filter_new(" abc ", NULL);
	g_assert_false(ui_filter_is_regex(plain));
	g_assert_cmpstr(ui_filter_text(plain), ==, "abc");

	g_autoptr(GError) none = NULL;
	g_assert_null(ui_filter_new("   ", &none));
	g_assert_no_error(none);
	g_assert_null(ui_filter_new(NULL, &none));
	g_assert_no_error(none);
	fx_clear(&f);
}

/* The plain-text test of a message as it was first written, line by line:
 * the oracle of the differential test below. */
static bool oracle_line(sv raw, size_t *off, sv *line)
{
	if (*off >= raw.len)
		return false;
	sv rest = sv_skip(raw, *off);
	ptrdiff_t nl = sv_find_byte(rest, '\n');
	size_t len = nl < 0 ? rest.len : (size_t)nl;
	*off += nl < 0 ? rest.len : (size_t)nl + 1;
	sv l = sv_head(rest, len);
	if (l.len && l.p[l.len - 1] == '\r')
		l = sv_head(l, l.len - 1);
	*line = l;
	return true;
}

static bool oracle_contains(sv v, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= v.len; i++) {
		size_t k = 0;
		while (k < n && sv_lower(v.p[i + k]) == (unsigned char)needle[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

static bool oracle_match(sv raw, const char *needle)
{
	size_t off = 0;
	sv line;
	bool first = true;
	while (oracle_line(raw, &off, &line)) {
		if (first) {
			first = false;
			if (oracle_contains(line, needle))
				return true;
			continue;
		}
		if (line.len == 0)
			break;
		int c0 = sv_at(line, 0);
		ptrdiff_t colon = sv_find_byte(line, ':');
		sv value = (c0 == ' ' || c0 == '\t') ? line
			   : colon < 0 ? SV_NULL : sv_skip(line, (size_t)colon + 1);
		if (value.p && oracle_contains(sv_trim(value), needle))
			return true;
	}
	return false;
}

/* The message test finds the needle in the whole message at once and then
 * places it among the lines: on random messages made of the pieces that
 * matter (names, colons, blanks, folded lines, CR/LF and bare LF, the
 * empty line and a body, case), with needles cut from the message itself
 * and random ones, it answers as the line-by-line scan does. */
static void test_filter_plain_differential(void)
{
	static const char *const pieces[] = {
		"INVITE sip:a@b SIP/2.0", "Via", "To", "X-Tenant", ":", ": ", "  ", "\t", "\r\n", "\n",
		"\r\n\r\n", "\r", "Zebra", "zebra-CORP", "busy", "BUSY here", "a", "A", "ab", "::",
		" x", "q:", "@", "`", "\x1b]0;", "\xc3\xa9", "0123456789abcdef", "Contact: <sip:x>",
	};
	GRand *r = g_rand_new_with_seed(20261126);
	GString *msg = g_string_new(NULL);
	GString *needle = g_string_new(NULL);
	unsigned matched = 0, total = 0;
	for (int iter = 0; iter < 4000; iter++) {
		g_string_truncate(msg, 0);
		int parts = g_rand_int_range(r, 1, 40);
		for (int k = 0; k < parts; k++)
			g_string_append(msg, pieces[g_rand_int_range(r, 0, G_N_ELEMENTS(pieces))]);
		sv raw = sv_make((const uint8_t *)msg->str, msg->len);
		for (int q = 0; q < 12; q++) {
			g_string_truncate(needle, 0);
			if (q < 8 && msg->len) {
				/* a cut of the message, its case changed here and there */
				gsize a = (gsize)g_rand_int_range(r, 0, (gint32)msg->len);
				gsize len = (gsize)g_rand_int_range(r, 1, 24);
				for (gsize i = a; i < msg->len && i < a + len; i++) {
					char c = msg->str[i];
					g_string_append_c(needle, g_rand_boolean(r) ? g_ascii_toupper(c) : c);
				}
			} else {
				int len = g_rand_int_range(r, 1, 4);
				for (int i = 0; i < len; i++)
					g_string_append_c(needle, "aAbZ: \t\r\nx-"[g_rand_int_range(r, 0, 12)]);
			}
			g_autoptr(ui_filter) flt = ui_filter_new(needle->str, NULL);
			if (!flt)
				continue;   /* blanks only */
			g_autofree char *lower = g_ascii_strdown(ui_filter_text(flt), -1);
			bool want = oracle_match(raw, lower);
			g_assert_cmpint(ui_filter_match_raw(flt, raw), ==, want);
			matched += want;
			total++;
		}
	}
	/* both answers were put to the test often */
	g_assert_cmpuint(matched, >, total / 10);
	g_assert_cmpuint(matched, <, total - total / 10);
	g_string_free(needle, TRUE);
	g_string_free(msg, TRUE);
	g_rand_free(r);
}

/* Scanning in slices gives the same answer as all at once. */
static void test_filter_scan_resumes(void)
{
	fixture f;
	fx_init(&f);
	three(&f);
	g_autoptr(ui_filter) flt = ui_filter_new("OK", NULL);
	const sip_call *c = sip_model_call_find(f.m, sv_from_cstr("c2"));
	guint scanned = 0;
	g_assert_false(ui_filter_scan(flt, f.m, c, &scanned, 1)); /* the INVITE */
	g_assert_cmpuint(scanned, ==, 1);
	g_assert_true(ui_filter_scan(flt, f.m, c, &scanned, 1));  /* "200 OK" */
	g_assert_cmpuint(scanned, ==, 2);
	g_assert_false(ui_filter_scan(flt, f.m, c, &scanned, 5));
	fx_clear(&f);
}

static GPtrArray *ids_of(call_list *cl)
{
	GPtrArray *out = g_ptr_array_new();
	for (guint i = 0; i < call_list_len(cl); i++)
		g_ptr_array_add(out, GUINT_TO_POINTER(call_list_at(cl, i)));
	return out;
}

static void assert_rows(call_list *cl, const char *want)
{
	g_autoptr(GString) got = g_string_new(NULL);
	for (guint i = 0; i < call_list_len(cl); i++)
		g_string_append_printf(got, "%s%u", i ? "," : "", call_list_at(cl, i));
	g_assert_cmpstr(got->str, ==, want);
}

static void test_call_list_filter_incremental(void)
{
	fixture f;
	fx_init(&f);
	call_list *cl = call_list_new(f.m);
	sip_model_tap_add(f.m, SIP_EV_CALL, call_list_tap, cl);
	three(&f);
	call_list_update(cl, 100, false);
	assert_rows(cl, "0,1,2");

	/* A filter pass a call at a time: calls not yet checked do not show. */
	call_list_set_filter(cl, ui_filter_new("example", NULL));
	call_list_update(cl, 1, false);
	guint done = 0, total = 0;
	g_assert_true(call_list_filtering(cl, &done, &total));
	g_assert_cmpuint(done, ==, 1);
	g_assert_cmpuint(total, ==, 3);
	assert_rows(cl, "0");
	call_list_update(cl, 1, false);
	call_list_update(cl, 1, false);
	g_assert_false(call_list_filtering(cl, &done, &total));
	assert_rows(cl, "0,1,2");

	/* A call that changes is checked again: its new message matches. */
	call_list_set_filter(cl, ui_filter_new("late-header", NULL));
	call_list_update(cl, 100, false);
	assert_rows(cl, "");
	add(&f, "192.0.2.1", "192.0.2.2", 50,
	    "ACK sip:bob@b.example SIP/2.0\n"
	    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-ack\n"
	    "From: <sip:carol@a.example>;tag=f-c2\n"
	    "To: <sip:dave@b.example>;tag=t-c2\n"
	    "Call-ID: c2\n"
	    "CSeq: 1 ACK\n"
	    "X-Note: late-header\n");
	call_list_update(cl, 100, false);
	assert_rows(cl, "1");

	/* A new Call-ID after the pass is checked too. */
	invite(&f, "c4", "eve@a.example", "late-header@b.example", NULL, 60);
	call_list_update(cl, 100, false);
	assert_rows(cl, "1,3");

	/* No filter: everything again. */
	call_list_set_filter(cl, NULL);
	call_list_update(cl, 100, false);
	assert_rows(cl, "0,1,2,3");
	call_list_free(cl);
	fx_clear(&f);
}

static void test_filter_narrows(void)
{
	g_autoptr(ui_filter) b = ui_filter_new("b", NULL);
	g_autoptr(ui_filter) bus = ui_filter_new(" BuS ", NULL);
	g_autoptr(ui_filter) us = ui_filter_new("us", NULL);
	g_autoptr(ui_filter) re = ui_filter_new("~bus", NULL);
	g_assert_true(ui_filter_narrows(bus, b));
	g_assert_true(ui_filter_narrows(bus, us));
	g_assert_true(ui_filter_narrows(bus, bus));
	g_assert_false(ui_filter_narrows(b, bus));
	g_assert_false(ui_filter_narrows(us, b));
	g_assert_false(ui_filter_narrows(re, b));
	g_assert_false(ui_filter_narrows(bus, re));
	g_assert_false(ui_filter_narrows(bus, NULL));
	g_assert_false(ui_filter_narrows(NULL, b));
}

/* Filters typed character by character (and edited back, and switched to
 * a regular expression) with passes cut short and messages arriving
 * between keystrokes: once a pass is done, the rows are those a fresh
 * list shows for the same text.  Fails when a narrowed filter keeps what
 * a call scanned under a filter it does not narrow, or keeps a call's
 * scan after it matched. */
static void test_call_list_narrowing(void)
{
	static const char *const words[] = { "bus", "busy", "bust", "robust", "abus", "sub", "us",
					     "ustbus", "b" };
	static const char *const texts[] = { "b", "bu", "bus", "busy", "bus", "bust", "bu", "u",
					     "us", "ust", "~bus", "bus", "BUS", "busy", "sub", "subs",
					     "s", "st", "bust", "robust" };
	fixture f;
	fx_init(&f);
	GRand *r = g_rand_new_with_seed(11);
	call_list *cl = call_list_new(f.m);
	sip_model_tap_add(f.m, SIP_EV_CALL, call_list_tap, cl);
	enum { CALLS = 40 };
	int64_t ms = 0;
	for (int i = 0; i < CALLS; i++) {
		g_autofree char *cid = g_strdup_printf("n%d", i);
		g_autofree char *x = g_strdup_printf("X-Word: %s\n",
			words[g_rand_int_range(r, 0, G_N_ELEMENTS(words))]);
		invite(&f, cid, "alice@a.example", "carol@b.example", g_rand_boolean(r) ? x : NULL, ms++);
	}
	for (int round = 0; round < 6; round++) {
		for (size_t t = 0; t < G_N_ELEMENTS(texts); t++) {
			call_list_set_filter(cl, ui_filter_new(texts[t], NULL));
			call_list_update(cl, (guint)g_rand_int_range(r, 0, CALLS), false);
			if (g_rand_int_range(r, 0, 3) == 0) {
				/* a message of a call already scanned, holding a word */
				int c = g_rand_int_range(r, 0, CALLS);
				g_autofree char *cid = g_strdup_printf("n%d", c);
				g_autofree char *x = g_strdup_printf("X-Late: %s\n",
					words[g_rand_int_range(r, 0, G_N_ELEMENTS(words))]);
				invite(&f, cid, "alice@a.example", "carol@b.example", x, ms++);
			}
			if (g_rand_int_range(r, 0, 2) == 0)
				continue;   /* the next keystroke before the pass is done */
			call_list_update(cl, G_MAXUINT, false);
			call_list *fresh = call_list_new(f.m);
			call_list_set_filter(fresh, ui_filter_new(texts[t], NULL));
			call_list_update(fresh, G_MAXUINT, false);
			g_autoptr(GPtrArray) got = ids_of(cl), want = ids_of(fresh);
			g_assert_cmpuint(got->len, ==, want->len);
			for (guint i = 0; i < got->len; i++)
				g_assert_true(got->pdata[i] == want->pdata[i]);
			call_list_free(fresh);
		}
	}
	g_rand_free(r);
	call_list_free(cl);
	fx_clear(&f);
}

static void test_call_list_hide_sort_marks(void)
{
	fixture f;
	fx_init(&f);
	call_list *cl = call_list_new(f.m);
	three(&f);
	invite(&f, "c0", "aaron@a.example", "zed@b.example", NULL, 60);
	call_list_update(cl, 100, false);
	assert_rows(cl, "0,1,2,3");

	call_list_set_hide_non_calls(cl, true);
	call_list_update(cl, 100, false);
	assert_rows(cl, "0,1,3");
	g_assert_cmpint(call_list_find(cl, 2), ==, -1);
	g_assert_cmpint(call_list_find(cl, 3), ==, 2);
	call_list_set_hide_non_calls(cl, false);

	call_list_set_sort(cl, CALL_COL_FROM, false);
	call_list_update(cl, 100, false);
	assert_rows(cl, "3,0,1,2"); /* aaron, alice, carol, monitor */
	call_list_set_sort(cl, CALL_COL_FROM, true);
	call_list_update(cl, 100, false);
	assert_rows(cl, "2,1,0,3");
	call_list_set_sort(cl, CALL_COL_STATE, false);
	call_list_update(cl, 100, false);
	/* In the order of call_state: active, setup, busy, not a call. */
	assert_rows(cl, "1,3,0,2");
	call_list_set_sort(cl, CALL_COL_MSGS, true);
	call_list_update(cl, 100, false);
	assert_rows(cl, "1,0,3,2"); /* 2, 2, 1, 1 messages; ties by id, reversed with it */
	g_autoptr(GPtrArray) before = ids_of(cl);
	g_assert_cmpuint(before->len, ==, 4);

	call_list_mark_toggle(cl, 2);
	call_list_mark_toggle(cl, 0);
	call_list_mark_toggle(cl, 1);
	call_list_mark_toggle(cl, 1);
	g_assert_cmpuint(call_list_marked_count(cl), ==, 2);
	g_assert_true(call_list_marked(cl, 2));
	g_assert_false(call_list_marked(cl, 1));
	g_autoptr(GArray) marked = call_list_marked_ids(cl);
	g_assert_cmpuint(marked->len, ==, 2);
	g_assert_cmpuint(g_array_index(marked, sip_id, 0), ==, 0);
	g_assert_cmpuint(g_array_index(marked, sip_id, 1), ==, 2);
	call_list_mark_clear(cl);
	g_assert_cmpuint(call_list_marked_count(cl), ==, 0);
	g_assert_false(call_list_marked(cl, 12345));
	call_list_free(cl);
	fx_clear(&f);
}

/* The rows of a fresh list with cl's sort, after a full update. */
static GPtrArray *fresh_ids(const fixture *f, const call_list *cl)
{
	call_list *fresh = call_list_new(f->m);
	call_list_set_sort(fresh, call_list_sort_col(cl), call_list_sort_reverse(cl));
	call_list_set_hide_non_calls(fresh, call_list_hide_non_calls(cl));
	call_list_update(fresh, G_MAXUINT, false);
	GPtrArray *ids = ids_of(fresh);
	call_list_free(fresh);
	return ids;
}

static void assert_same_ids(GPtrArray *got, GPtrArray *want)
{
	g_assert_cmpuint(got->len, ==, want->len);
	for (guint i = 0; i < got->len; i++)
		g_assert_true(got->pdata[i] == want->pdata[i]);
	g_ptr_array_unref(got);
	g_ptr_array_unref(want);
}

/* While the model grows (busy updates): in call id order the new calls
 * are rows at once; a change of sort or of the calls shown is never left
 * waiting; and the first update once nothing more comes shows what a
 * fresh list shows. */
static void test_call_list_busy(void)
{
	fixture f;
	fx_init(&f);
	call_list *cl = call_list_new(f.m);
	sip_model_tap_add(f.m, SIP_EV_CALL, call_list_tap, cl);
	static const char *const froms[] = { "mia@a.example", "bob@a.example", "zoe@a.example",
					     "amy@a.example" };
	int64_t ms = 0;
	for (int i = 0; i < 12; i++) {
		g_autofree char *cid = g_strdup_printf("b%d", i);
		invite(&f, cid, froms[i % 4], "carol@b.example", NULL, ms++);
		call_list_update(cl, 0, true);
		assert_same_ids(ids_of(cl), fresh_ids(&f, cl));
		g_assert_cmpuint(call_list_len(cl), ==, (guint)i + 1);
	}
	call_list_set_sort(cl, CALL_COL_FROM, false);
	call_list_update(cl, 0, true);
	assert_same_ids(ids_of(cl), fresh_ids(&f, cl));
	g_assert_cmpuint(call_list_at(cl, 0), ==, 3);   /* amy */
	for (int i = 12; i < 20; i++) {
		g_autofree char *cid = g_strdup_printf("b%d", i);
		invite(&f, cid, froms[i % 4], "carol@b.example", NULL, ms++);
		call_list_update(cl, 0, true);
		/* maybe waiting: never more rows than calls, nor a row twice */
		g_assert_cmpuint(call_list_len(cl), <=, (guint)i + 1);
	}
	add(&f, "192.0.2.1", "192.0.2.2", ms++,
	    "OPTIONS sip:carol@b.example SIP/2.0\n"
	    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-o1\n"
	    "From: <sip:aaa@a.example>;tag=o1\nTo: <sip:carol@b.example>\n"
	    "Call-ID: opt1\nCSeq: 1 OPTIONS\n");
	call_list_set_hide_non_calls(cl, true);
	call_list_update(cl, 0, true);
	assert_same_ids(ids_of(cl), fresh_ids(&f, cl));
	g_assert_cmpuint(call_list_len(cl), ==, 20);
	call_list_set_hide_non_calls(cl, false);
	call_list_update(cl, 0, false);
	assert_same_ids(ids_of(cl), fresh_ids(&f, cl));
	g_assert_cmpuint(call_list_at(cl, 0), ==, 20);   /* aaa, the OPTIONS */
	call_list_free(cl);
	fx_clear(&f);
}

static char *cell(call_list *cl, const sip_model *m, const char *cid, call_col col, bool long_form)
{
	GString *o = g_string_new(NULL);
	call_list_cell(cl, sip_model_call_find(m, sv_from_cstr(cid)), col, long_form, o);
	return g_string_free(o, FALSE);
}

static void test_call_list_cells(void)
{
	fixture f;
	fx_init(&f);
	call_list *cl = call_list_new(f.m);
	three(&f);
	sip_model_finish(f.m, T0 + INT64_C(2000000000));
	struct {
		const char *cid;
		call_col col;
		bool long_form;
		const char *want;
	} cases[] = {
		{ "c1", CALL_COL_INDEX, false, "0" },
		{ "c1", CALL_COL_START, false, "22:13:20.000" },
		{ "c1", CALL_COL_START, true, "2023-11-14 22:13:20.000" },
		{ "c1", CALL_COL_METHOD, false, "INVITE" },
		{ "c1", CALL_COL_FROM, false, "sip:alice@a.example" },
		{ "c1", CALL_COL_TO, false, "sip:bob@b.example" },
		{ "c1", CALL_COL_SRC, false, "192.0.2.1:5060" },
		{ "c1", CALL_COL_DST, false, "192.0.2.2:5060" },
		{ "c1", CALL_COL_MSGS, false, "2" },
		{ "c1", CALL_COL_STATE, false, "busy 486" },
		{ "c1", CALL_COL_DURATION, false, "-" },
		{ "c2", CALL_COL_STATE, false, "active" },
		{ "c2", CALL_COL_DURATION, false, ">1.970" },
		{ "c3", CALL_COL_METHOD, false, "OPTIONS" },
		{ "c3", CALL_COL_STATE, false, "no response" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = cell(cl, f.m, cases[i].cid, cases[i].col, cases[i].long_form);
		g_assert_cmpstr(got, ==, cases[i].want);
	}
	for (int c = 0; c < CALL_COL__COUNT; c++)
		g_assert_cmpstr(call_col_title((call_col)c), !=, "");
	call_list_free(cl);
	fx_clear(&f);
}

static void type(line_edit *le, const char *s)
{
	for (const char *p = s; *p; p = g_utf8_next_char(p))
		line_edit_key(le, (int)g_utf8_get_char(p));
}

static void test_line_edit(void)
{
	line_edit le;
	line_edit_init(&le, "ab");
	g_assert_cmpuint(le.cursor, ==, 2);
	type(&le, "c\xc3\xa9"); /* "cé" */
	g_assert_cmpstr(le.text->str, ==, "abc\xc3\xa9");
	g_assert_cmpuint(line_edit_cursor_cells(&le), ==, 4);
	g_assert_cmpint(line_edit_key(&le, KEY_CODE_BACKSPACE), ==, LINE_EDIT_CHANGED);
	g_assert_cmpstr(le.text->str, ==, "abc");
	line_edit_key(&le, KEY_CODE_LEFT);
	line_edit_key(&le, KEY_CODE_LEFT);
	type(&le, "X");
	g_assert_cmpstr(le.text->str, ==, "aXbc");
	line_edit_key(&le, KEY_CODE_DELETE);
	g_assert_cmpstr(le.text->str, ==, "aXc");
	line_edit_key(&le, KEY_CODE_HOME);
	g_assert_cmpuint(le.cursor, ==, 0);
	g_assert_cmpint(line_edit_key(&le, KEY_CODE_BACKSPACE), ==, LINE_EDIT_MOVED);
	line_edit_key(&le, KEY_CODE_END);
	type(&le, " word");
	line_edit_key(&le, KEY_CTRL('w'));
	g_assert_cmpstr(le.text->str, ==, "aXc ");
	/* Control characters and keys of no use are refused. */
	g_assert_cmpint(line_edit_key(&le, 0x1b5), ==, LINE_EDIT_CHANGED);
	g_assert_cmpint(line_edit_key(&le, 7), ==, LINE_EDIT_NONE);
	g_assert_cmpint(line_edit_key(&le, 0x9b), ==, LINE_EDIT_NONE);
	g_assert_cmpint(line_edit_key(&le, KEY_CODE_F5), ==, LINE_EDIT_NONE);
	line_edit_key(&le, KEY_CTRL('u'));
	g_assert_cmpstr(le.text->str, ==, "");
	g_assert_cmpint(line_edit_key(&le, KEY_CODE_ENTER), ==, LINE_EDIT_ACCEPT);
	g_assert_cmpint(line_edit_key(&le, KEY_CODE_ESC), ==, LINE_EDIT_CANCEL);
	line_edit_clear(&le);
}

static void test_message_text(void)
{
	fixture f;
	fx_init(&f);
	three(&f);
	const sip_call *c = sip_model_call_find(f.m, sv_from_cstr("c2"));
	const sip_message *msg = sip_model_message(f.m, g_array_index(c->messages, sip_id, 0));
	GArray *lines = message_text_new(f.m, msg);
	g_assert_cmpuint(lines->len, >=, 9);
	const msg_line *l0 = &g_array_index(lines, msg_line, 0);
	g_assert_cmpint(l0->kind, ==, MSG_LINE_INFO);
	g_assert_true(g_str_has_prefix(l0->text, "frame 3  2023-11-14 22:13:20.020000 UTC  192.0.2.1:5060 -> 192.0.2.2:5060  UDP"));
	const msg_line *l1 = &g_array_index(lines, msg_line, 1);
	g_assert_cmpint(l1->kind, ==, MSG_LINE_START);
	g_assert_cmpstr(l1->text, ==, "INVITE sip:dave@b.example SIP/2.0");
	bool seen_subject = false;
	for (guint i = 2; i < lines->len; i++) {
		const msg_line *l = &g_array_index(lines, msg_line, i);
		for (size_t k = 0; k < l->len; k++)
			g_assert_true((unsigned char)l->text[k] >= 0x20 && l->text[k] != 0x7f);
		if (g_str_has_prefix(l->text, "Subject:")) {
			seen_subject = true;
			g_assert_cmpint(l->kind, ==, MSG_LINE_HEADER);
			g_assert_cmpuint(l->name_len, ==, 8);
			g_assert_cmpstr(l->text, ==, "Subject: \\x1b]0;evil\\x07");
		}
	}
	g_assert_true(seen_subject);
	const msg_line *last = &g_array_index(lines, msg_line, lines->len - 1);
	g_assert_cmpint(last->kind, ==, MSG_LINE_BODY);
	message_text_free(lines);
	fx_clear(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ui_filter/fields", test_filter_fields);
	g_test_add_func("/ui_filter/headers", test_filter_headers);
	g_test_add_func("/ui_filter/regex", test_filter_regex);
	g_test_add_func("/ui_filter/plain_differential", test_filter_plain_differential);
	g_test_add_func("/ui_filter/scan_resumes", test_filter_scan_resumes);
	g_test_add_func("/ui_filter/call_list_incremental", test_call_list_filter_incremental);
	g_test_add_func("/ui_filter/narrows", test_filter_narrows);
	g_test_add_func("/ui_filter/call_list_narrowing", test_call_list_narrowing);
	g_test_add_func("/ui_filter/call_list_hide_sort_marks", test_call_list_hide_sort_marks);
	g_test_add_func("/ui_filter/call_list_busy", test_call_list_busy);
	g_test_add_func("/ui_filter/call_list_cells", test_call_list_cells);
	g_test_add_func("/ui_filter/line_edit", test_line_edit);
	g_test_add_func("/ui_filter/message_text", test_message_text);
	return g_test_run();
}
