/*
 * The small text helpers of the reports: cell widths and cutting
 * (output/textwidth.h), times and durations (output/timefmt.h),
 * percentiles and reason phrases (output/stats.h).
 */
#include <glib.h>
#include <string.h>

#include "dissect/sip.h"
#include "output/message_out.h"
#include "output/stats.h"
#include "output/textwidth.h"
#include "output/timefmt.h"

#define S(x) ((int64_t)(x) * 1000000000)

static void test_width(void)
{
	g_assert_cmpuint(text_width("abc", 3), ==, 3);
	g_assert_cmpuint(text_width("", 0), ==, 0);
	/* é is one cell in two bytes, 日本 two wide characters. */
	g_assert_cmpuint(text_width("caf\xc3\xa9", 5), ==, 4);
	g_assert_cmpuint(text_width("\xe6\x97\xa5\xe6\x9c\xac", 6), ==, 4);
	/* A combining acute accent takes no cell. */
	g_assert_cmpuint(text_width("e\xcc\x81", 3), ==, 1);
	/* A stray invalid byte still counts one. */
	g_assert_cmpuint(text_width("a\xff" "b", 3), ==, 3);
}

static void test_fit(void)
{
	g_autoptr(GString) s = g_string_new("sip:alice@atlanta.example.com");
	g_assert_cmpuint(text_fit(s, 100), ==, 29);
	g_assert_cmpstr(s->str, ==, "sip:alice@atlanta.example.com");
	g_assert_cmpuint(text_fit(s, 12), ==, 12);
	g_assert_cmpstr(s->str, ==, "sip:alice...");
	g_string_assign(s, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x96\x87");
	/* 8 cells into 7: two wide characters and the dots; into 6, one. */
	g_assert_cmpuint(text_fit(s, 7), ==, 7);
	g_assert_cmpstr(s->str, ==, "\xe6\x97\xa5\xe6\x9c\xac...");
	g_assert_cmpuint(text_fit(s, 6), ==, 5);
	g_assert_cmpstr(s->str, ==, "\xe6\x97\xa5...");
	g_string_assign(s, "abcdef");
	g_assert_cmpuint(text_fit(s, 3), ==, 3);
	g_assert_cmpstr(s->str, ==, "abc");

	g_autoptr(GString) o = g_string_new(NULL);
	text_append_padded(o, "ab", 4);
	text_append_right(o, "cd", 4);
	text_append_padded(o, "toolong", 2);
	g_assert_cmpstr(o->str, ==, "ab    cdtoolong");
}

static void test_times(void)
{
	g_autoptr(GString) o = g_string_new(NULL);
	text_append_clock(o, S(1700000000) + 123456789);
	g_assert_cmpstr(o->str, ==, "22:13:20.123457");
	g_string_truncate(o, 0);
	text_append_datetime(o, S(1700000000) + 123456789, 3);
	g_assert_cmpstr(o->str, ==, "2023-11-14 22:13:20.123");
	g_string_truncate(o, 0);
	text_append_datetime(o, S(1700000000) + 999999999, 6);
	g_assert_cmpstr(o->str, ==, "2023-11-14 22:13:21.000000");
	g_string_truncate(o, 0);
	/* Before 1970: the fraction counts forward from the earlier second. */
	text_append_datetime(o, -500000000, 6);
	g_assert_cmpstr(o->str, ==, "1969-12-31 23:59:59.500000");
	g_string_truncate(o, 0);
	text_append_date(o, S(1700000000));
	g_assert_cmpstr(o->str, ==, "2023-11-14");

	g_string_truncate(o, 0);
	text_append_delta(o, 21000000);
	g_string_append_c(o, ' ');
	text_append_delta(o, 0);
	g_string_append_c(o, ' ');
	text_append_delta(o, -1500000000);
	g_string_append_c(o, ' ');
	text_append_delta(o, S(3600));
	g_assert_cmpstr(o->str, ==, "+0.021000 +0.000000 -1.500000 +3600.000000");

	g_string_truncate(o, 0);
	text_append_duration(o, 126000000);
	g_string_append_c(o, ' ');
	text_append_duration(o, S(59) + 999400000);
	g_string_append_c(o, ' ');
	text_append_duration(o, S(62) + 500000000);
	g_string_append_c(o, ' ');
	text_append_duration(o, S(7384));
	g_string_append_c(o, ' ');
	text_append_duration(o, -S(2));
	g_assert_cmpstr(o->str, ==, "0.126 59.999 1:02.500 2:03:04.000 -2.000");

	g_string_truncate(o, 0);
	text_append_ms(o, 21000000);
	g_string_append_c(o, ' ');
	text_append_ms(o, 1234);
	g_string_append_c(o, ' ');
	text_append_ms(o, S(41) + 776392000);
	g_assert_cmpstr(o->str, ==, "21.000 0.001 41776.392");
}

/* The times as GDateTime and printf write them (what the helpers wrote
 * before they wrote the digits themselves). */
static void ref_split(int64_t ts_ns, int64_t *sec, int *usec)
{
	/* in 128 bits, rounded half away from zero, then floored */
	__int128 ns = ts_ns;
	__int128 us = ns >= 0 ? (ns + 500) / 1000 : -((-ns + 500) / 1000);
	__int128 s = us / 1000000, r = us % 1000000;
	if (r < 0) {
		r += 1000000;
		s -= 1;
	}
	*sec = (int64_t)s;
	*usec = (int)r;
}

static void ref_fmt(GString *out, int64_t sec, const char *fmt)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(sec);
	g_autofree char *t = dt ? g_date_time_format(dt, fmt) : NULL;
	g_string_append(out, t ? t : "?");
}

static uint64_t ref_mag(int64_t ns)
{
	return ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
}

/* The per-message lines' clock: the seconds toward zero, a negative
 * remainder as .000000, nothing without a date GDateTime can hold ("?"
 * here). */
static void check_clock_us(int64_t us)
{
	g_autoptr(GString) got = g_string_new(NULL);
	g_autoptr(GString) want = g_string_new(NULL);
	if (!text_append_clock_us(got, us))
		g_string_append_c(got, '?');
	int64_t sec = us / 1000000, r = us % 1000000;
	ref_fmt(want, sec, "%H:%M:%S");
	if (strcmp(want->str, "?") != 0)
		g_string_append_printf(want, ".%06d", (int)(r < 0 ? 0 : r));
	g_assert_cmpstr(got->str, ==, want->str);
}

static void check_time(int64_t ns)
{
	g_autoptr(GString) got = g_string_new(NULL);
	g_autoptr(GString) want = g_string_new(NULL);
	int64_t sec;
	int usec;
	ref_split(ns, &sec, &usec);
	for (unsigned digits = 0; digits <= 6; digits += 3) {
		g_string_truncate(got, 0);
		g_string_truncate(want, 0);
		text_append_datetime(got, ns, digits);
		ref_fmt(want, sec, "%Y-%m-%d %H:%M:%S");
		if (digits == 6)
			g_string_append_printf(want, ".%06d", usec);
		else if (digits == 3)
			g_string_append_printf(want, ".%03d", usec / 1000);
		g_assert_cmpstr(got->str, ==, want->str);
	}
	g_string_truncate(got, 0);
	g_string_truncate(want, 0);
	text_append_clock(got, ns);
	ref_fmt(want, sec, "%H:%M:%S");
	g_string_append_printf(want, ".%06d", usec);
	g_assert_cmpstr(got->str, ==, want->str);
	check_clock_us(ns / 1000);
	g_string_truncate(got, 0);
	g_string_truncate(want, 0);
	text_append_date(got, ns);
	ref_fmt(want, sec, "%Y-%m-%d");
	g_assert_cmpstr(got->str, ==, want->str);

	uint64_t a = ref_mag(ns), us = (a + 500) / 1000, ms = (a + 500000) / 1000000;
	g_string_truncate(got, 0);
	text_append_delta(got, ns);
	g_autofree char *delta = g_strdup_printf("%c%" G_GUINT64_FORMAT ".%06u", ns < 0 ? '-' : '+',
						 us / 1000000u, (unsigned)(us % 1000000u));
	g_assert_cmpstr(got->str, ==, delta);
	g_string_truncate(got, 0);
	text_append_ms(got, ns);
	g_autofree char *msec = g_strdup_printf("%s%" G_GUINT64_FORMAT ".%03u", ns < 0 ? "-" : "",
						us / 1000u, (unsigned)(us % 1000u));
	g_assert_cmpstr(got->str, ==, msec);
	uint64_t s = ms / 1000, h = s / 3600, m = (s / 60) % 60;
	g_autofree char *dur = h ? g_strdup_printf("%s%" G_GUINT64_FORMAT ":%02u:%02u.%03u",
						   ns < 0 ? "-" : "", h, (unsigned)m,
						   (unsigned)(s % 60), (unsigned)(ms % 1000))
			     : m ? g_strdup_printf("%s%u:%02u.%03u", ns < 0 ? "-" : "", (unsigned)m,
						   (unsigned)(s % 60), (unsigned)(ms % 1000))
				 : g_strdup_printf("%s%u.%03u", ns < 0 ? "-" : "", (unsigned)s,
						   (unsigned)(ms % 1000));
	g_string_truncate(got, 0);
	text_append_duration(got, ns);
	g_assert_cmpstr(got->str, ==, dur);
}

/* Against GDateTime and printf: every day that nanoseconds in 64 bits
 * reach (1677 to 2262: leap years, 1700, 1800, 1900 and 2100 without a
 * 29 February, 2000 with one), times of day, microseconds rounding over
 * a second, both signs, the ends of int64. */
static void test_times_reference(void)
{
	const int64_t lim = INT64_MAX / 1000000000 - 1;
	for (int64_t sec = -lim; sec <= lim; sec += 86400 - 7)
		check_time(sec * 1000000000 + (sec & 1 ? 999999500 : 123456789));
	for (int64_t sec = -90000; sec <= 90000; sec += 61)
		check_time(sec * 1000000000 + 499);
	static const int64_t edges[] = { 0, 1, -1, 499, 500, -500, 999999499, 999999500,
		-999999500, INT64_C(1700000000999999999), INT64_MAX, INT64_MIN, INT64_MIN + 1 };
	for (size_t i = 0; i < G_N_ELEMENTS(edges); i++)
		check_time(edges[i]);
	/* whole seconds beyond what nanoseconds reach: years 1 and 9999 and
	 * either side of them */
	static const int64_t secs[] = { INT64_C(-62135596801), INT64_C(-62135596800),
		INT64_C(-62135596799), INT64_C(253402300799), INT64_C(253402300800) };
	for (size_t i = 0; i < G_N_ELEMENTS(secs); i++) {
		check_clock_us(secs[i] * 1000000);
		check_clock_us(secs[i] * 1000000 + (secs[i] < 0 ? -654321 : 654321));
	}
	check_clock_us(INT64_MIN);
	check_clock_us(INT64_MAX);
}

/* Numbers as printf's "%*" G_GUINT64_FORMAT writes them. */
static void test_uint(void)
{
	static const uint64_t vals[] = { 0, 7, 10, 99, 100, 123456, 999999, 1000000, UINT32_MAX,
					 UINT64_MAX };
	for (size_t i = 0; i < G_N_ELEMENTS(vals); i++) {
		for (size_t w = 0; w <= 30; w += 3) {
			g_autoptr(GString) got = g_string_new("x");
			text_append_uint(got, vals[i], w);
			g_autofree char *want = g_strdup_printf("x%*" G_GUINT64_FORMAT, (int)w, vals[i]);
			g_assert_cmpstr(got->str, ==, want);
		}
	}
}

static void test_percentiles(void)
{
	int64_t v[10];
	for (int i = 0; i < 10; i++)
		v[i] = (i + 1) * 10;
	g_assert_cmpint(stats_percentile(v, 10, 50), ==, 50);
	g_assert_cmpint(stats_percentile(v, 10, 90), ==, 90);
	g_assert_cmpint(stats_percentile(v, 10, 99), ==, 100);
	g_assert_cmpint(stats_percentile(v, 10, 100), ==, 100);
	g_assert_cmpint(stats_percentile(v, 1, 50), ==, 10);
	g_assert_cmpint(stats_percentile(v, 3, 50), ==, 20);
	g_assert_cmpint(stats_percentile(v, 0, 50), ==, 0);
	int64_t w[200];
	for (int i = 0; i < 200; i++)
		w[i] = i;
	/* Nearest rank: ceil(0.99 * 200) = 198th value. */
	g_assert_cmpint(stats_percentile(w, 200, 99), ==, 197);
}

static void test_reasons(void)
{
	g_assert_cmpstr(stats_reason_phrase(180), ==, "Ringing");
	g_assert_cmpstr(stats_reason_phrase(487), ==, "Request Terminated");
	g_assert_cmpstr(stats_reason_phrase(603), ==, "Decline");
	g_assert_null(stats_reason_phrase(299));
	g_assert_null(stats_reason_phrase(0));
}

/* A message record written in two parts (json_message_pre before the
 * model, the model's part after) reads as when written at once, for
 * requests, responses, invalid messages, notes and warnings, modelled or
 * not; the same for the text line. */
static char *record_of(void (*write)(sink *, const msg_out *), const msg_out *mo)
{
	sink s;
	sink_init(&s, -1, "test");
	write(&s, mo);
	char *out = g_strndup(s.buf->str, s.buf->len);
	g_string_truncate(s.buf, 0);
	s.record_end = 0;
	sink_finish(&s);
	return out;
}

static void test_message_pre(void)
{
	static const char *const msgs[] = {
		"INVITE sip:bob@b.example SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
		"Max-Forwards: 70\r\nFrom: <sip:a@a.example>;tag=1\r\nTo: <sip:bob@b.example>\r\n"
		"Call-ID: c1@a\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		"SIP/2.0 486 Busy \"Here\"\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
		"From: <sip:a@a.example>;tag=1\r\nTo: <sip:bob@b.example>;tag=2\r\n"
		"Call-ID: c1@a\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		/* no Max-Forwards, a bad CSeq: warnings */
		"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nCall-ID: \x01\r\nCSeq: x\r\n\r\n",
		"not SIP at all\r\n\r\n",
	};
	static const char *const notes[] = { "a note", "another \"note\"" };
	g_autoptr(GString) pre = g_string_new(NULL);
	sip_msg *p = g_new0(sip_msg, 1);
	for (size_t i = 0; i < G_N_ELEMENTS(msgs); i++) {
		sip_parse_message(sv_from_cstr(msgs[i]), false, p);
		for (unsigned variant = 0; variant < 8; variant++) {
			msg_out mo = {
				.frame = 7 + variant, .first_frame = variant & 1 ? 5 : 7 + variant,
				.index = variant, .ts_ns = INT64_C(1700000000123456789) - variant,
				.transport = variant & 2 ? "TCP" : "UDP", .sip = p,
				.modelled = variant & 4, .txn = variant, .dialog = SIP_ID_NONE,
				.call = 3, .retransmission = variant & 2,
			};
			mo.src.family = mo.dst.family = EP_IPV4;
			mo.src.addr[0] = 10;
			mo.dst.addr[3] = 2;
			mo.src.port = 5060;
			if (variant & 1) {
				mo.n_notes = 2;
				mo.notes[0] = notes[0];
				mo.notes[1] = notes[1];
			}
			void (*writers[])(sink *, const msg_out *) = { json_write_message, text_write_message };
			void (*pres[])(const msg_out *, GString *, size_t *) = { json_message_pre, text_message_pre };
			for (int w = 0; w < 2; w++) {
				g_autofree char *whole = record_of(writers[w], &mo);
				msg_out with = mo;
				pres[w](&mo, pre, &with.pre_split);
				with.pre = pre->str;
				with.pre_len = pre->len;
				g_autofree char *split = record_of(writers[w], &with);
				g_assert_cmpstr(split, ==, whole);
				g_assert_true(g_str_has_suffix(whole, "\n"));
			}
		}
	}
	g_free(p);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/report-text/width", test_width);
	g_test_add_func("/report-text/fit", test_fit);
	g_test_add_func("/report-text/uint", test_uint);
	g_test_add_func("/report-text/times", test_times);
	g_test_add_func("/report-text/times-reference", test_times_reference);
	g_test_add_func("/report-text/percentiles", test_percentiles);
	g_test_add_func("/report-text/reasons", test_reasons);
	g_test_add_func("/report-text/message-pre", test_message_pre);
	return g_test_run();
}
