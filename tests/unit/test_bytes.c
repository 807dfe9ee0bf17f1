#include <glib.h>

#include "base/arena.h"
#include "base/bytes.h"
#include "base/endpoint.h"
#include "base/hashseed.h"
#include "base/hindex.h"

static void test_reader_bounds(void)
{
	const uint8_t buf[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
	rd r = rd_make(sv_make(buf, sizeof(buf)));
	uint16_t a;
	uint32_t b;
	g_assert_true(rd_u16be(&r, &a));
	g_assert_cmphex(a, ==, 0x1234);
	g_assert_false(rd_u32be(&r, &b)); /* only 3 left */
	g_assert_cmpuint(rd_left(&r), ==, 3);
	g_assert_true(rd_u16le(&r, &a));
	g_assert_cmphex(a, ==, 0x7856);
	g_assert_cmpint(rd_peek(&r, 0), ==, 0x9a);
	g_assert_cmpint(rd_peek(&r, 1), ==, -1);
	sv rest = rd_rest(&r);
	g_assert_cmpuint(rest.len, ==, 1);
	g_assert_false(rd_skip(&r, 1));
}

/* The bytes sv_trim strips, one by one, and at either end only: the
 * test of the first and last byte that passes most views as they are
 * must agree with the loops. */
static void test_trim_bytes(void)
{
	for (unsigned c = 0; c < 256; c++) {
		bool strip = c == ' ' || c == '\t' || c == '\r' || c == '\n';
		g_assert_cmpint(sv_is_trim_byte((uint8_t)c), ==, strip);
		uint8_t buf[5] = { (uint8_t)c, 'a', (uint8_t)c, 'b', (uint8_t)c };
		sv t = sv_trim(sv_make(buf, sizeof(buf)));
		g_assert_cmpuint(t.len, ==, strip ? 3 : 5);
		g_assert_true(t.p == buf + (strip ? 1 : 0));
		t = sv_trim(sv_make(buf, 1));
		g_assert_cmpuint(t.len, ==, strip ? 0 : 1);
		t = sv_trim(sv_make(buf + 1, 2));   /* "a" and c: only the end */
		g_assert_cmpuint(t.len, ==, strip ? 1 : 2);
		g_assert_true(t.p == buf + 1);
	}
	g_assert_cmpuint(sv_trim(SV_LIT(" \t\r\n")).len, ==, 0);
	g_assert_cmpuint(sv_trim(SV_NULL).len, ==, 0);
	g_assert_null(sv_trim(SV_NULL).p);
}

static void test_sv_ops(void)
{
	sv v = SV_LIT("  Call-ID: abc \r\n");
	sv t = sv_trim(v);
	g_assert_true(sv_eq_cstr(t, "Call-ID: abc"));
	g_assert_true(sv_eq_ci_cstr(sv_head(t, 7), "call-id"));
	g_assert_cmpint(sv_find(t, SV_LIT("abc")), ==, 9);
	g_assert_cmpint(sv_find(t, SV_LIT("abd")), ==, -1);
	g_assert_cmpuint(sv_sub(t, 100, 5).len, ==, 0);
	g_assert_cmpuint(sv_sub(t, 10, 500).len, ==, 2);
	uint64_t n;
	g_assert_true(sv_to_u64(SV_LIT("4294967295"), UINT32_MAX, &n));
	g_assert_cmpuint(n, ==, 4294967295u);
	g_assert_false(sv_to_u64(SV_LIT("4294967296"), UINT32_MAX, &n));
	g_assert_false(sv_to_u64(SV_LIT("12a"), UINT32_MAX, &n));
	g_assert_false(sv_to_u64(SV_NULL, UINT32_MAX, &n));
	g_assert_cmpuint(sv_hash_ci(SV_LIT("ABC")), ==, sv_hash(SV_LIT("abc")));
}

/* The index slot (of 256) a hash lands in, as hindex places it. */
static unsigned home_slot(uint32_t h)
{
	return hindex_mix(h) & 0xff;
}

enum { AIMED = 64 };

/* Names aimed at slot 0 of a 256-slot index under the seed in force, as
 * anyone knowing the hash could find them (a few hundred tries each). */
static void aimed_names(char names[AIMED][32], bool ci)
{
	unsigned found = 0;
	for (unsigned i = 0; found < AIMED; i++) {
		g_snprintf(names[found], 32, "flood%u@192.0.2.9", i);
		sv v = sv_from_cstr(names[found]);
		if (home_slot(ci ? sv_hash_ci(v) : sv_hash(v)) == 0)
			found++;
	}
}

/* Distinct home slots among AIMED hashes. */
static unsigned slots_taken(const uint32_t h[AIMED])
{
	bool seen[256] = { false };
	unsigned n = 0;
	for (unsigned i = 0; i < AIMED; i++) {
		unsigned s = home_slot(h[i]);
		n += !seen[s];
		seen[s] = true;
	}
	return n;
}

static void name_hashes(char names[AIMED][32], bool ci, uint32_t h[AIMED])
{
	for (unsigned i = 0; i < AIMED; i++) {
		sv v = sv_from_cstr(names[i]);
		h[i] = ci ? sv_hash_ci(v) : sv_hash(v);
	}
}

/* Keys chosen to collide under one seed spread out under another: the
 * hashes of wire bytes (Call-IDs, tags, branches, hosts; addresses and
 * ports) start from the seed, so a capture cannot be made to collide
 * without knowing it.  With a seed the hashes ignored, the aimed keys
 * would all still share one slot. */
static void test_hash_seed(void)
{
	uint64_t saved = hash_seed;
	uint32_t h[AIMED];
	for (int ci = 0; ci < 2; ci++) {
		char names[AIMED][32];
		hash_seed = 0;
		aimed_names(names, ci);
		name_hashes(names, ci, h);
		g_assert_cmpuint(slots_taken(h), ==, 1);
		hash_seed = 0x9e3779b97f4a7c15ull;
		name_hashes(names, ci, h);
		/* 64 keys in 256 slots at random: about 56 distinct */
		g_assert_cmpuint(slots_taken(h), >, 40);
	}
	/* endpoints: ports aimed at one slot */
	hash_seed = 0;
	endpoint aimed[AIMED];
	unsigned found = 0;
	for (uint32_t port = 1; port < 65536 && found < AIMED; port++) {
		endpoint e = { .family = EP_IPV4, .addr = { 192, 0, 2, 7 }, .port = (uint16_t)port };
		if (home_slot(endpoint_hash(&e)) == 0)
			aimed[found++] = e;
	}
	g_assert_cmpuint(found, ==, AIMED);
	hash_seed = 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < AIMED; i++)
		h[i] = endpoint_hash(&aimed[i]);
	g_assert_cmpuint(slots_taken(h), >, 40);
	hash_seed = saved;
	/* equal keys hash alike under any seed */
	g_assert_cmpuint(sv_hash_ci(SV_LIT("Z9HG4BK1")), ==, sv_hash_ci(SV_LIT("z9hg4bk1")));
}

/* Views equal but for ASCII case hash alike under sv_hash_ci at every
 * length (the tail word is laid out differently below 4 bytes, from 4 to
 * 7, and at whole words), and a view of lower-case letters and digits
 * hashes as under sv_hash; views that differ in a letter do not. */
static void test_hash_ci(void)
{
	const char mixed[] = "Z9hG4bK-Sip.ExAmPlE.ComAbCdEfGh";
	for (size_t n = 0; n < sizeof(mixed); n++) {
		char low[sizeof(mixed)], up[sizeof(mixed)];
		for (size_t i = 0; i < n; i++) {
			low[i] = g_ascii_tolower(mixed[i]);
			up[i] = g_ascii_toupper(mixed[i]);
		}
		sv m = { (const uint8_t *)mixed, n }, l = { (const uint8_t *)low, n };
		sv u = { (const uint8_t *)up, n };
		g_assert_cmpuint(sv_hash_ci(m), ==, sv_hash_ci(l));
		g_assert_cmpuint(sv_hash_ci(u), ==, sv_hash_ci(l));
		g_assert_cmpuint(sv_hash_ci(l), ==, sv_hash(l));
		if (n > 0) {
			low[n - 1] = low[n - 1] == 'q' ? 'r' : 'q';
			g_assert_cmpuint(sv_hash_ci(m), !=, sv_hash_ci(l));
		}
	}
}

static void test_arena(void)
{
	arena a;
	arena_init(&a, 64);
	uint8_t *p = arena_copy(&a, "hello", 5);
	uint8_t *big = arena_alloc(&a, 1000); /* larger than a chunk */
	memset(big, 1, 1000);
	uint8_t *q = arena_copy(&a, "world", 5);
	g_assert_cmpmem(p, 5, "hello", 5);
	g_assert_cmpmem(q, 5, "world", 5);
	g_assert_cmpuint((uintptr_t)big % 8, ==, 0);
	arena_free(&a);
}

/* A growing arena: chunks of the first size, then as large as all before
 * them together, up to its chunk size; an allocation larger than that
 * gets its own chunk; views stay valid throughout. */
static void test_arena_growing(void)
{
	arena a;
	arena_init_growing(&a, 64, 512);
	uint8_t *first = arena_copy(&a, "first", 5);
	g_assert_cmpuint(a.bytes_reserved, ==, 64);
	arena_alloc(&a, 56);                      /* fills the first chunk */
	g_assert_cmpuint(a.bytes_reserved, ==, 64);
	arena_alloc(&a, 8);
	g_assert_cmpuint(a.bytes_reserved, ==, 128);
	arena_alloc(&a, 100);                     /* 128 so far: a chunk of 128 */
	g_assert_cmpuint(a.bytes_reserved, ==, 256);
	arena_alloc(&a, 300);                     /* 256 so far, 300 needs 512 */
	g_assert_cmpuint(a.bytes_reserved, ==, 768);
	arena_alloc(&a, 300);                     /* never more than 512 */
	g_assert_cmpuint(a.bytes_reserved, ==, 1280);
	uint8_t *big = arena_alloc(&a, 2000);     /* larger than any chunk */
	memset(big, 1, 2000);
	g_assert_cmpuint(a.bytes_reserved, ==, 3280);
	uint8_t *q = arena_copy(&a, "world", 5);  /* the current chunk keeps filling */
	g_assert_cmpuint(a.bytes_reserved, ==, 3280);
	g_assert_cmpmem(first, 5, "first", 5);
	g_assert_cmpmem(q, 5, "world", 5);
	/* arena_take leaves the source growing from its first size again */
	arena b;
	arena_init(&b, 0);
	arena_take(&b, &a);
	g_assert_cmpuint(a.bytes_reserved, ==, 0);
	arena_copy(&a, "again", 5);
	g_assert_cmpuint(a.bytes_reserved, ==, 64);
	g_assert_cmpmem(first, 5, "first", 5);
	arena_free(&a);
	arena_free(&b);

	/* without growing: every chunk its full size, as before */
	arena_init(&a, 256);
	arena_copy(&a, "x", 1);
	g_assert_cmpuint(a.bytes_reserved, ==, 256);
	arena_free(&a);
}

static void test_endpoint(void)
{
	endpoint e = { .family = EP_IPV6, .port = 5060 };
	e.addr[0] = 0x20;
	e.addr[1] = 0x01;
	e.addr[2] = 0x0d;
	e.addr[3] = 0xb8;
	e.addr[15] = 1;
	char buf[ENDPOINT_STRLEN];
	g_assert_cmpstr(endpoint_format(&e, buf, sizeof(buf)), ==, "[2001:db8::1]:5060");
	endpoint f = { .family = EP_IPV4, .addr = { 192, 0, 2, 1 }, .port = 5061 };
	g_assert_cmpstr(endpoint_format(&f, buf, sizeof(buf)), ==, "192.0.2.1:5061");
	g_assert_false(endpoint_eq(&e, &f));
	/* every octet and every number of digits of a port, as printf writes them */
	for (unsigned v = 0; v < 65536; v++) {
		endpoint g = { .family = EP_IPV4, .port = (uint16_t)v };
		for (int k = 0; k < 4; k++)
			g.addr[k] = (uint8_t)(v + 85u * (unsigned)k);
		char want[ENDPOINT_STRLEN];
		g_snprintf(want, sizeof(want), "%u.%u.%u.%u:%u", g.addr[0], g.addr[1], g.addr[2],
			   g.addr[3], v);
		g_assert_cmpstr(endpoint_format(&g, buf, sizeof(buf)), ==, want);
		g_snprintf(want, sizeof(want), "%u.%u.%u.%u", g.addr[0], g.addr[1], g.addr[2], g.addr[3]);
		g_assert_cmpstr(endpoint_format_addr(&g, buf, sizeof(buf)), ==, want);
	}
	/* a short buffer gets what fits */
	endpoint h = { .family = EP_IPV4, .addr = { 255, 255, 255, 255 }, .port = 65535 };
	char small[10];
	g_assert_cmpstr(endpoint_format(&h, small, sizeof(small)), ==, "255.255.2");
	g_assert_cmpstr(endpoint_format(&h, buf, sizeof(buf)), ==, "255.255.255.255:65535");
}

static void test_rebase(void)
{
	static const char a[] = "INVITE sip:b@x SIP/2.0", b[] = "INVITE sip:b@x SIP/2.0";
	sv from = sv_make(a, sizeof(a) - 1), to = sv_make(b, sizeof(b) - 1);
	sv uri = sv_make(a + 7, 7);
	sv r = sv_rebase(from, to, uri);
	g_assert_true(r.p == (const uint8_t *)b + 7 && r.len == 7);
	/* at the end, empty: still inside */
	r = sv_rebase(from, to, sv_make(a + from.len, 0));
	g_assert_true(r.p == (const uint8_t *)b + to.len && r.len == 0);
	/* not within from, past its end, absent, same bytes, other length: unchanged */
	sv out = sv_make(b, 3);
	g_assert_true(sv_rebase(from, to, out).p == out.p);
	sv past = sv_make(a + 20, 5);
	g_assert_true(sv_rebase(from, to, past).p == past.p);
	g_assert_null(sv_rebase(from, to, SV_NULL).p);
	g_assert_true(sv_rebase(from, from, uri).p == uri.p);
	g_assert_true(sv_rebase(from, sv_make(b, 5), uri).p == uri.p);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bytes/reader-bounds", test_reader_bounds);
	g_test_add_func("/bytes/sv-ops", test_sv_ops);
	g_test_add_func("/bytes/hash-seed", test_hash_seed);
	g_test_add_func("/bytes/hash-ci", test_hash_ci);
	g_test_add_func("/bytes/arena", test_arena);
	g_test_add_func("/bytes/arena-growing", test_arena_growing);
	g_test_add_func("/bytes/endpoint", test_endpoint);
	g_test_add_func("/bytes/trim-bytes", test_trim_bytes);
	g_test_add_func("/bytes/rebase", test_rebase);
	return g_test_run();
}
