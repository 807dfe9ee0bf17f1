/*
 * hashseed.h — the secret every hash of bytes from the wire starts from.
 *
 * The tables keyed by what the wire carries (Call-IDs, tags, branches,
 * hosts, addresses and ports, fragment, SCTP and HEP stream keys) are open-
 * addressed: keys whose hashes share their low bits probe the same run of
 * slots.  With a hash anyone can compute, such keys are found offline by
 * trying names (a few milliseconds each), and a capture or a stream of
 * packets made of them turns every lookup into a walk over all of them:
 * 20,000 INVITEs whose Call-IDs were chosen so took twelve times as long
 * as ordinary ones (10,000 of them three times): the cost grows with the
 * square of their number.  Hashes that start from a value drawn when the
 * process starts cannot be aimed at that way.
 *
 * Nothing the program writes depends on hash values (tables are read by
 * key, and listed in the order of ids), so the output is the same
 * whatever the seed; SIPSCOPE_HASH_SEED=N in the environment fixes it, to
 * repeat a run exactly (tests run with several to show the output does
 * not change).
 *
 * Owns: hash_seed, set before main by hashseed.c and never written again.
 */
#ifndef SIPSCOPE_BASE_HASHSEED_H
#define SIPSCOPE_BASE_HASHSEED_H

#include <stdint.h>

extern uint64_t hash_seed;

/* Where a 32-bit FNV-1a walk over wire bytes starts. */
static inline uint32_t hash_fnv_start(void)
{
	return 2166136261u ^ (uint32_t)hash_seed;
}

#endif
