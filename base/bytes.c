#include "bytes.h"

#include "base/hashseed.h"

bool sv_mem_eq_lower(const uint8_t *a, const uint8_t *lower, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		if (sv_word_lower(sv_word_load(a + i)) != sv_word_load(lower + i))
			return false;
	return i == n || sv_word_lower(sv_word_load_tail(a + i, n - i)) == sv_word_load_tail(lower + i, n - i);
}

bool sv_mem_eq_ci(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x = sv_word_load(a + i), y = sv_word_load(b + i);
		if (x != y && sv_word_lower(x) != sv_word_lower(y))
			return false;
	}
	if (i < n) {
		uint64_t x = sv_word_load_tail(a + i, n - i), y = sv_word_load_tail(b + i, n - i);
		if (x != y && sv_word_lower(x) != sv_word_lower(y))
			return false;
	}
	return true;
}

bool sv_starts_with(sv v, sv prefix)
{
	return v.len >= prefix.len && sv_eq(sv_head(v, prefix.len), prefix);
}

ptrdiff_t sv_find(sv v, sv needle)
{
	if (needle.len == 0)
		return 0;
	if (needle.len > v.len)
		return -1;
	size_t last = v.len - needle.len;
	size_t i = 0;
	while (i <= last) {
		const uint8_t *q = memchr(v.p + i, needle.p[0], last - i + 1);
		if (!q)
			return -1;
		i = (size_t)(q - v.p);
		if (memcmp(q, needle.p, needle.len) == 0)
			return (ptrdiff_t)i;
		i++;
	}
	return -1;
}

bool sv_to_u64(sv v, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;
	if (v.len == 0)
		return false;
	/* n * 10 + d <= max, without a division per digit */
	const uint64_t q = max / 10, r = max % 10;
	for (size_t i = 0; i < v.len; i++) {
		uint8_t c = v.p[i];
		if (c < '0' || c > '9')
			return false;
		uint64_t d = (uint64_t)(c - '0');
		if (n > q || (n == q && d > r))
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

static inline uint64_t hash_mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

static inline uint32_t hash_final(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	return (uint32_t)(h ^ (h >> 32));
}

/* One body for both hashes; inlined with a constant fold, the test goes.
 * The case-insensitive one hashes every byte with bit 5 set: an ASCII
 * letter's two cases become one byte, as sv_word_lower would make them,
 * in one operation instead of seven.  It also merges a few pairs that
 * sv_eq_ci tells apart ('@' and '`', '[' and '{', NUL and SP, ...): those
 * only share a hash, which the tables' comparisons sort out. */
static inline uint32_t hash_words(sv v, bool fold)
{
	const uint64_t bit5 = fold ? 0x2020202020202020ull : 0;
	uint64_t h = 0xcbf29ce484222325ull ^ hash_seed ^ v.len;
	size_t i = 0;
	for (; i + 8 <= v.len; i += 8)
		h = hash_mix(h, sv_word_load(v.p + i) | bit5);
	/* the tail word's bytes are all data from 4 bytes on, three below
	 * (sv_word_load_tail); its zeros stay zero, so bytes that all have
	 * bit 5 set (lower-case letters, digits, '-', '.') hash as under sv_hash */
	if (i < v.len)
		h = hash_mix(h, sv_word_load_tail(v.p + i, v.len - i) |
			(v.len - i >= 4 ? bit5 : bit5 & 0xffffff));
	return hash_final(h);
}

uint32_t sv_hash(sv v)
{
	return hash_words(v, false);
}

uint32_t sv_hash_ci(sv v)
{
	return hash_words(v, true);
}
