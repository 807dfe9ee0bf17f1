/*
 * prefetch.h — hints that ask for memory before it is used, for data
 * handed from one thread to another (app/pipeline.c's read-ahead ring).
 *
 * Why: a line written by one core and read by another moves between
 * their caches, and where the two cores are far apart (different
 * chiplets or sockets; on virtual machines the host decides, and it may
 * change while the program runs) each move takes several hundred
 * nanoseconds.  Asked for a few messages ahead, the moves overlap with
 * the work instead of stalling it.
 *
 * Hints only: they never fault (an address that is not mapped is
 * ignored by the processor) and never change what the program computes.
 * The ranges may be any length and alignment; every cache line they
 * touch is asked for.
 */
#ifndef SIPSCOPE_BASE_PREFETCH_H
#define SIPSCOPE_BASE_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

enum { PREFETCH_LINE = 64 };

/* The lines of [p, p + n) into the cache, to be read. */
static inline void prefetch_read(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p, end = a + n;
	for (a -= a % PREFETCH_LINE; a < end; a += PREFETCH_LINE)
		__builtin_prefetch((const void *)a, 0, 3);
}

/* The lines of [p, p + n) into the cache, owned, to be written: other
 * cores' copies are dropped now rather than when the first store
 * reaches the line.  Where the processor has no such hint, a read hint. */
void prefetch_write(const void *p, size_t n);

#endif
