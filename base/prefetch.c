#include "base/prefetch.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>

#include "base/once.h"

/* PREFETCHW is announced by CPUID 0x80000001 ECX bit 8 (PRFCHW); older
 * processors without it are not guaranteed to take it as a no-op. */
static bool has_prefetchw;
static once_t probe_once = ONCE_INIT;

static void probe(void)
{
	unsigned a, b, c, d;
	if (__get_cpuid(0x80000001u, &a, &b, &c, &d))
		has_prefetchw = (c & (1u << 8)) != 0;
}

__attribute__((target("prfchw"))) static void lines_owned(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p, end = a + n;
	for (a -= a % PREFETCH_LINE; a < end; a += PREFETCH_LINE)
		__builtin_prefetch((const void *)a, 1, 3);
}

void prefetch_write(const void *p, size_t n)
{
	once_run(&probe_once, probe);
	if (has_prefetchw)
		lines_owned(p, n);
	else
		prefetch_read(p, n);
}
#else
void prefetch_write(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p, end = a + n;
	for (a -= a % PREFETCH_LINE; a < end; a += PREFETCH_LINE)
		__builtin_prefetch((const void *)a, 1, 3);
}
#endif
