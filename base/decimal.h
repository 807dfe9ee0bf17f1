/*
 * decimal.h — numbers in decimal without printf, two digits a step: every
 * output writes several a record (ids, frame numbers, ports, times), and
 * printf costs more than the rest of the record's piece.
 */
#ifndef SIPSCOPE_BASE_DECIMAL_H
#define SIPSCOPE_BASE_DECIMAL_H

#include <stdint.h>
#include <string.h>

/* "00" to "99". */
extern const char dec_pairs[201];

enum { DEC_MAX_DIGITS = 20 };   /* of a uint64_t */

/* v's digits ending just before end, as few as it takes; returns where
 * they start.  Below 2^32 (ids, frame numbers, statuses, seconds until
 * 2106) in 32-bit steps, which cost less than 64-bit ones. */
static inline char *dec_put(char *end, uint64_t v)
{
	while (v > UINT32_MAX) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		end -= 2;
		memcpy(end, dec_pairs + 2 * r, 2);
	}
	uint32_t x = (uint32_t)v;
	while (x >= 100) {
		unsigned r = x % 100;
		x /= 100;
		end -= 2;
		memcpy(end, dec_pairs + 2 * r, 2);
	}
	if (x >= 10) {
		end -= 2;
		memcpy(end, dec_pairs + 2 * x, 2);
	} else {
		*--end = (char)('0' + x);
	}
	return end;
}

#endif
