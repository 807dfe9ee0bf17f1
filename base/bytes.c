#include "bytes.h"

/* Eight bytes at a time: little SWAR helpers.  The loads go through
 * memcpy (no alignment or aliasing assumptions); the tail is read as a
 * smaller zero-padded word so nothing past n is touched. */
static inline uint64_t word_load(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

/* 1 <= n < 8 bytes as one word.  Not a zero-padded copy (that would
 * cost a memcpy call): overlapping loads that together cover every byte,
 * so two tails of the same length are equal exactly when their bytes are. */
static inline uint64_t word_load_tail(const uint8_t *p, size_t n)
{
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		return lo | (uint64_t)hi << 32;
	}
	return p[0] | (uint64_t)p[n >> 1] << 8 | (uint64_t)p[n - 1] << 16;
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* A-Z to a-z in every byte; other bytes (and those >= 0x80) unchanged. */
static inline uint64_t word_lower(uint64_t w)
{
	uint64_t h = w & ~HIGHS;
	uint64_t ge_a = h + ONES * (0x80 - 'A');       /* high bit: byte >= 'A' */
	uint64_t gt_z = h + ONES * (0x80 - 'Z' - 1);   /* high bit: byte > 'Z' */
	uint64_t upper = (ge_a & ~gt_z) & ~w & HIGHS;
	return w | (upper >> 2);
}

bool sv_mem_eq_lower(const uint8_t *a, const uint8_t *lower, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		if (word_lower(word_load(a + i)) != word_load(lower + i))
			return false;
	return i == n || word_lower(word_load_tail(a + i, n - i)) == word_load_tail(lower + i, n - i);
}

bool sv_mem_eq_ci(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x = word_load(a + i), y = word_load(b + i);
		if (x != y && word_lower(x) != word_lower(y))
			return false;
	}
	if (i < n) {
		uint64_t x = word_load_tail(a + i, n - i), y = word_load_tail(b + i, n - i);
		if (x != y && word_lower(x) != word_lower(y))
			return false;
	}
	return true;
}

bool sv_starts_with(sv v, sv prefix)
{
	return v.len >= prefix.len && sv_eq(sv_head(v, prefix.len), prefix);
}

ptrdiff_t sv_find_byte(sv v, uint8_t c)
{
	if (v.len == 0)
		return -1;
	const uint8_t *q = memchr(v.p, c, v.len);
	return q ? q - v.p : -1;
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

/* One body for both hashes; inlined with a constant lower, the test goes. */
static inline uint32_t hash_words(sv v, bool lower)
{
	uint64_t h = 0xcbf29ce484222325ull ^ v.len;
	size_t i = 0;
	for (; i + 8 <= v.len; i += 8) {
		uint64_t w = word_load(v.p + i);
		h = hash_mix(h, lower ? word_lower(w) : w);
	}
	if (i < v.len) {
		uint64_t w = word_load_tail(v.p + i, v.len - i);
		h = hash_mix(h, lower ? word_lower(w) : w);
	}
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
