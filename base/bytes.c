#include "bytes.h"

bool sv_eq_ci(sv a, sv b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (sv_lower(a.p[i]) != sv_lower(b.p[i]))
			return false;
	return true;
}

bool sv_eq_ci_cstr(sv a, const char *s)
{
	return sv_eq_ci(a, sv_from_cstr(s));
}

bool sv_starts_with(sv v, sv prefix)
{
	return v.len >= prefix.len && sv_eq(sv_head(v, prefix.len), prefix);
}

bool sv_starts_with_ci(sv v, sv prefix)
{
	return v.len >= prefix.len && sv_eq_ci(sv_head(v, prefix.len), prefix);
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

static bool is_trim_byte(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

sv sv_trim(sv v)
{
	size_t b = 0, e = v.len;
	while (b < e && is_trim_byte(v.p[b]))
		b++;
	while (e > b && is_trim_byte(v.p[e - 1]))
		e--;
	return sv_sub(v, b, e - b);
}

bool sv_to_u64(sv v, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;
	if (v.len == 0)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		uint8_t c = v.p[i];
		if (c < '0' || c > '9')
			return false;
		uint64_t d = (uint64_t)(c - '0');
		if (n > (max - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

uint32_t sv_hash(sv v)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < v.len; i++) {
		h ^= v.p[i];
		h *= 16777619u;
	}
	return h;
}

uint32_t sv_hash_ci(sv v)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < v.len; i++) {
		h ^= (uint32_t)sv_lower(v.p[i]);
		h *= 16777619u;
	}
	return h;
}
