/*
 * pool: records come aligned, distinct while held, reused once given
 * back, and pool_clear leaves a pool ready for use (LeakSanitizer checks
 * that the slabs go back).
 */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/pool.h"

static void test_alloc_free(void)
{
	pool p;
	pool_init(&p, 20, 4);   /* rounded up to 24; four per slab */
	g_assert_cmpuint(p.size, ==, 24);
	GHashTable *held = g_hash_table_new(g_direct_hash, g_direct_equal);
	void *recs[50];
	for (int i = 0; i < 50; i++) {
		recs[i] = pool_alloc(&p);
		g_assert_nonnull(recs[i]);
		g_assert_cmpuint((uintptr_t)recs[i] % 8, ==, 0);
		g_assert_false(g_hash_table_contains(held, recs[i]));
		g_hash_table_add(held, recs[i]);
		memset(recs[i], i, 24);   /* whole records are writable */
	}
	for (int i = 0; i < 50; i++) {
		const uint8_t *b = recs[i];
		for (int k = 0; k < 24; k++)
			g_assert_cmpuint(b[k], ==, (uint8_t)i);   /* no record overlaps another */
	}
	/* given back in any order, taken again: still distinct */
	for (int i = 0; i < 50; i += 2) {
		g_hash_table_remove(held, recs[i]);
		pool_free(&p, recs[i]);
	}
	pool_free(&p, NULL);
	for (int i = 0; i < 50; i += 2) {
		recs[i] = pool_alloc(&p);
		g_assert_false(g_hash_table_contains(held, recs[i]));
		g_hash_table_add(held, recs[i]);
	}
	g_assert_cmpuint(g_hash_table_size(held), ==, 50);
	for (int i = 0; i < 50; i++)
		pool_free(&p, recs[i]);
	g_hash_table_destroy(held);
	pool_clear(&p);
	/* usable again after clearing */
	void *r = pool_alloc(&p);
	g_assert_nonnull(r);
	pool_free(&p, r);
	pool_clear(&p);
}

static void test_small_and_default(void)
{
	pool p;
	pool_init(&p, 1, 0);   /* at least a pointer */
	g_assert_cmpuint(p.size, >=, sizeof(void *));
	g_assert_cmpuint(p.per_slab, >, 1000);
	void *a = pool_alloc(&p), *b = pool_alloc(&p);
	g_assert_true(a != b);
	pool_free(&p, a);
	pool_free(&p, b);
	pool_clear(&p);
}

/* Whether every page of [p, p + n) is mapped: mincore fails with ENOMEM
 * on a range with a page that is not. */
static bool range_mapped(void *p, size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char vec[256];
	g_assert_cmpuint(n / (size_t)page, <=, sizeof(vec));
	void *base = (void *)((uintptr_t)p & ~(uintptr_t)(page - 1));
	int rc = mincore(base, n, vec);
	g_assert_true(rc == 0 || errno == ENOMEM);
	return rc == 0;
}

/* A mapped pool: slabs are whole pages of their own, filled with records,
 * and pool_clear unmaps them. */
static void test_mapped(void)
{
	pool p;
	pool_init_mapped(&p, 100, 3 * 4096);   /* rounded up to 104 */
	g_assert_true(p.mapped);
	g_assert_cmpuint(p.size, ==, 104);
	long page = sysconf(_SC_PAGESIZE);
	g_assert_cmpuint(p.per_slab * p.size, >, (size_t)(3 * 4096 - page));   /* the slab is filled */
	GHashTable *held = g_hash_table_new(g_direct_hash, g_direct_equal);
	size_t n = 3 * p.per_slab + 1;   /* four slabs' worth */
	void **recs = g_new(void *, n);
	for (size_t i = 0; i < n; i++) {
		recs[i] = pool_alloc(&p);
		g_assert_cmpuint((uintptr_t)recs[i] % 8, ==, 0);
		g_assert_false(g_hash_table_contains(held, recs[i]));
		g_hash_table_add(held, recs[i]);
		memset(recs[i], (int)i, p.size);
	}
	for (size_t i = 0; i < n; i++)
		g_assert_cmpuint(((const uint8_t *)recs[i])[p.size - 1], ==, (uint8_t)i);
	g_assert_cmpuint((uintptr_t)p.slabs % (uintptr_t)page, ==, 0);   /* a mapping's start */
	/* given back and taken again: the same records */
	pool_free(&p, recs[5]);
	g_assert_true(pool_alloc(&p) == recs[5]);
	void *first = p.slabs;
	size_t len = 3 * 4096;
	g_assert_true(range_mapped(first, len));
	pool_clear(&p);
	g_assert_null(p.slabs);
	g_assert_false(range_mapped(first, len));
	/* usable again */
	void *r = pool_alloc(&p);
	g_assert_nonnull(r);
	pool_clear(&p);
	g_free(recs);
	g_hash_table_destroy(held);
}

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
/* A record given back is poisoned until it is taken again. */
static void test_poisoned(void)
{
	pool p;
	pool_init(&p, 32, 8);
	void *a = pool_alloc(&p), *b = pool_alloc(&p);
	g_assert_false(__asan_address_is_poisoned(a));
	g_assert_true(__asan_address_is_poisoned((uint8_t *)b + 32));   /* not handed out yet */
	pool_free(&p, a);
	g_assert_true(__asan_address_is_poisoned(a));
	g_assert_true(__asan_address_is_poisoned((uint8_t *)a + 31));
	void *c = pool_alloc(&p);
	g_assert_true(c == a);
	g_assert_false(__asan_address_is_poisoned((uint8_t *)c + 31));
	pool_free(&p, b);
	pool_free(&p, c);
	pool_clear(&p);
}
#endif

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pool/alloc-free", test_alloc_free);
	g_test_add_func("/pool/small-and-default", test_small_and_default);
	g_test_add_func("/pool/mapped", test_mapped);
#if defined(__SANITIZE_ADDRESS__)
	g_test_add_func("/pool/poisoned", test_poisoned);
#endif
	return g_test_run();
}
