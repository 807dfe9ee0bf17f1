#include "timefmt.h"

#include <stdbool.h>

/* Splits ns since the epoch into whole seconds (floor) and microseconds,
 * rounding to the nearest microsecond first, so pre-1970 times and
 * negative values come out right too. */
static void split_us(int64_t ts_ns, int64_t *sec, int *usec)
{
	int64_t us = ts_ns >= 0 ? (ts_ns + 500) / 1000 : -((-ts_ns + 500) / 1000);
	int64_t s = us / 1000000, r = us % 1000000;
	if (r < 0) {
		r += 1000000;
		s -= 1;
	}
	*sec = s;
	*usec = (int)r;
}

static void append_fmt(GString *out, int64_t sec, const char *fmt)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(sec);
	if (!dt) {
		g_string_append(out, "?");
		return;
	}
	g_autofree char *t = g_date_time_format(dt, fmt);
	g_string_append(out, t ? t : "?");
}

void text_append_clock(GString *out, int64_t ts_ns)
{
	int64_t sec;
	int usec;
	split_us(ts_ns, &sec, &usec);
	append_fmt(out, sec, "%H:%M:%S");
	g_string_append_printf(out, ".%06d", usec);
}

void text_append_datetime(GString *out, int64_t ts_ns, unsigned digits)
{
	int64_t sec;
	int usec;
	split_us(ts_ns, &sec, &usec);
	append_fmt(out, sec, "%Y-%m-%d %H:%M:%S");
	if (digits >= 6)
		g_string_append_printf(out, ".%06d", usec);
	else if (digits >= 3)
		g_string_append_printf(out, ".%03d", usec / 1000);
}

void text_append_date(GString *out, int64_t ts_ns)
{
	int64_t sec;
	int usec;
	split_us(ts_ns, &sec, &usec);
	append_fmt(out, sec, "%Y-%m-%d");
}

void text_append_delta(GString *out, int64_t ns)
{
	bool neg = ns < 0;
	uint64_t a = neg ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
	uint64_t us = (a + 500) / 1000;
	g_string_append_printf(out, "%c%" G_GUINT64_FORMAT ".%06u", neg ? '-' : '+',
			       us / 1000000u, (unsigned)(us % 1000000u));
}

void text_append_duration(GString *out, int64_t ns)
{
	bool neg = ns < 0;
	uint64_t a = neg ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
	uint64_t ms = (a + 500000) / 1000000;
	uint64_t s = ms / 1000, h = s / 3600, m = (s / 60) % 60;
	if (neg)
		g_string_append_c(out, '-');
	if (h)
		g_string_append_printf(out, "%" G_GUINT64_FORMAT ":%02u:%02u.%03u", h, (unsigned)m,
				       (unsigned)(s % 60), (unsigned)(ms % 1000));
	else if (m)
		g_string_append_printf(out, "%u:%02u.%03u", (unsigned)m, (unsigned)(s % 60),
				       (unsigned)(ms % 1000));
	else
		g_string_append_printf(out, "%u.%03u", (unsigned)s, (unsigned)(ms % 1000));
}

void text_append_ms(GString *out, int64_t ns)
{
	bool neg = ns < 0;
	uint64_t a = neg ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
	uint64_t us = (a + 500) / 1000;
	g_string_append_printf(out, "%s%" G_GUINT64_FORMAT ".%03u", neg ? "-" : "", us / 1000u,
			       (unsigned)(us % 1000u));
}
