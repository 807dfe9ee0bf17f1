/*
 * timefmt.h — times and durations as the text outputs print them (--list,
 * --stats, --ladder).  Always UTC, so a report reads the same wherever it
 * is produced; the JSON records print epoch seconds instead (json.h).
 */
#ifndef SIPSCOPE_OUTPUT_TIMEFMT_H
#define SIPSCOPE_OUTPUT_TIMEFMT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* "22:13:20.123456" for microseconds since the epoch, cut rather than
 * rounded (the seconds toward zero, a negative remainder as .000000: the
 * per-message lines' own reading); false, and nothing written, outside
 * years 1 to 9999. */
bool text_append_clock_us(GString *out, int64_t us);
/* "22:13:20.000000" (time of day, microseconds). */
void text_append_clock(GString *out, int64_t ts_ns);
/* "2023-11-14 22:13:20.000000" (digits: 0, 3 or 6 fractional digits). */
void text_append_datetime(GString *out, int64_t ts_ns, unsigned digits);
/* "2023-11-14" */
void text_append_date(GString *out, int64_t ts_ns);
/* Signed seconds with microseconds: "+0.021000", "-1.500000" (sign always). */
void text_append_delta(GString *out, int64_t ns);
/* A length of time for people: "0.126", "59.999", "1:02.500", "2:03:04.000"
 * (seconds with milliseconds; minutes and hours only when needed). */
void text_append_duration(GString *out, int64_t ns);
/* Milliseconds with three decimals: "21.000". */
void text_append_ms(GString *out, int64_t ns);

#endif
