#include "timefmt.h"

#include <stdbool.h>
#include <string.h>

#include "base/decimal.h"

/* Every call row and text line prints a time or two: the digits are
 * written here rather than by GDateTime and printf, which cost thousands
 * of instructions a time (a --list row spent more on its start time than
 * on everything else).  What they print is what GDateTime's "%Y-%m-%d
 * %H:%M:%S" and printf's "%06d" print, "?" for the date and time outside
 * GDateTime's years 1 to 9999. */

/* The seconds of 0001-01-01 00:00:00 and of 9999-12-31 23:59:59 UTC. */
#define FIRST_SEC INT64_C(-62135596800)
#define LAST_SEC INT64_C(253402300799)

/* |ns| without overflow for the most negative value. */
static uint64_t magnitude(int64_t ns)
{
	return ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
}

/* Splits ns since the epoch into whole seconds (floor) and microseconds,
 * rounding to the nearest microsecond first, so pre-1970 times and
 * negative values come out right too. */
static void split_us(int64_t ts_ns, int64_t *sec, int *usec)
{
	/* the magnitude unsigned: neither end of int64 overflows */
	int64_t us = (int64_t)((magnitude(ts_ns) + 500) / 1000);
	if (ts_ns < 0)
		us = -us;
	int64_t s = us / 1000000, r = us % 1000000;
	if (r < 0) {
		r += 1000000;
		s -= 1;
	}
	*sec = s;
	*usec = (int)r;
}

/* v in exactly width digits (zero-padded; v < 10^width). */
static char *put_padded(char *p, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* v's decimal digits, as few as it takes. */
static char *put_u64(char *p, uint64_t v)
{
	char d[DEC_MAX_DIGITS];
	char *s = dec_put(d + sizeof(d), v);
	size_t n = (size_t)(d + sizeof(d) - s);
	memcpy(p, s, n);
	return p + n;
}

/* The proleptic Gregorian date of a day counted from 1970-01-01
 * (H. Hinnant's days-to-civil: eras of 400 years of 146,097 days). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Date ("2023-11-14"), time of day ("22:13:20") or both with a space, for
 * whole seconds; "?" outside years 1 to 9999. */
static void append_sec(GString *out, int64_t sec, bool date, bool time)
{
	if (sec < FIRST_SEC || sec > LAST_SEC) {
		g_string_append_c(out, '?');
		return;
	}
	int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
	unsigned rem = (unsigned)(sec - days * 86400);
	char buf[32], *p = buf;
	if (date) {
		int64_t y;
		unsigned m, d;
		civil_from_days(days, &y, &m, &d);
		p = put_u64(p, (uint64_t)y);
		*p++ = '-';
		p = put_padded(p, m, 2);
		*p++ = '-';
		p = put_padded(p, d, 2);
		if (time)
			*p++ = ' ';
	}
	if (time) {
		p = put_padded(p, rem / 3600, 2);
		*p++ = ':';
		p = put_padded(p, rem / 60 % 60, 2);
		*p++ = ':';
		p = put_padded(p, rem % 60, 2);
	}
	g_string_append_len(out, buf, p - buf);
}

/* '.' and the first digits of the microseconds (6 or 3 of them). */
static void append_fraction(GString *out, int usec, int digits)
{
	char buf[8];
	buf[0] = '.';
	char *p = put_padded(buf + 1, digits == 6 ? (uint64_t)usec : (uint64_t)usec / 1000, digits);
	g_string_append_len(out, buf, p - buf);
}

bool text_append_clock_us(GString *out, int64_t us)
{
	int64_t sec = us / 1000000, r = us % 1000000;
	if (sec < FIRST_SEC || sec > LAST_SEC)
		return false;
	append_sec(out, sec, false, true);
	append_fraction(out, r < 0 ? 0 : (int)r, 6);
	return true;
}

void text_append_clock(GString *out, int64_t ts_ns)
{
	int64_t sec;
	int usec;
	split_us(ts_ns, &sec, &usec);
	append_sec(out, sec, false, true);
	append_fraction(out, usec, 6);
}

void text_append_datetime(GString *out, int64_t ts_ns, unsigned digits)
{
	int64_t sec;
	int usec;
	split_us(ts_ns, &sec, &usec);
	append_sec(out, sec, true, true);
	if (digits >= 6)
		append_fraction(out, usec, 6);
	else if (digits >= 3)
		append_fraction(out, usec, 3);
}

void text_append_date(GString *out, int64_t ts_ns)
{
	int64_t sec;
	int usec;
	split_us(ts_ns, &sec, &usec);
	append_sec(out, sec, true, false);
}

void text_append_delta(GString *out, int64_t ns)
{
	uint64_t us = (magnitude(ns) + 500) / 1000;
	char buf[40], *p = buf;
	*p++ = ns < 0 ? '-' : '+';
	p = put_u64(p, us / 1000000u);
	*p++ = '.';
	p = put_padded(p, us % 1000000u, 6);
	g_string_append_len(out, buf, p - buf);
}

void text_append_duration(GString *out, int64_t ns)
{
	uint64_t ms = (magnitude(ns) + 500000) / 1000000;
	uint64_t s = ms / 1000, h = s / 3600, m = (s / 60) % 60;
	char buf[48], *p = buf;
	if (ns < 0)
		*p++ = '-';
	if (h) {
		p = put_u64(p, h);
		*p++ = ':';
		p = put_padded(p, m, 2);
		*p++ = ':';
		p = put_padded(p, s % 60, 2);
	} else if (m) {
		p = put_u64(p, m);
		*p++ = ':';
		p = put_padded(p, s % 60, 2);
	} else {
		p = put_u64(p, s);
	}
	*p++ = '.';
	p = put_padded(p, ms % 1000, 3);
	g_string_append_len(out, buf, p - buf);
}

void text_append_ms(GString *out, int64_t ns)
{
	uint64_t us = (magnitude(ns) + 500) / 1000;
	char buf[40], *p = buf;
	if (ns < 0)
		*p++ = '-';
	p = put_u64(p, us / 1000u);
	*p++ = '.';
	p = put_padded(p, us % 1000u, 3);
	g_string_append_len(out, buf, p - buf);
}
