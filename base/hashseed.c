#include "base/hashseed.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t hash_seed;

/* Before main (and when the Wireshark plugin is loaded), so that every
 * hash of a process starts from the same value: the tables are filled
 * and read in any thread. */
__attribute__((constructor)) static void hash_seed_init(void)
{
	const char *fixed = getenv("SIPSCOPE_HASH_SEED");
	if (fixed && *fixed) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(fixed, &end, 0);
		if (errno == 0 && *end == '\0') {
			hash_seed = (uint64_t)v;
			return;
		}
	}
	uint64_t s;
	if (getrandom(&s, sizeof s, GRND_NONBLOCK) == (ssize_t)sizeof s) {
		hash_seed = s;
		return;
	}
	/* no entropy yet (early boot): what differs between runs */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	hash_seed = ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^
		((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)&s;
}
