/* The hash -> id index: every id inserted is found under its hash and
 * only there, through growth, collisions and removals, checked against a
 * plain list of what should be in it. */
#include <glib.h>

#include "base/hindex.h"

static GArray *ids_under(const hindex *h, uint32_t hash)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	hindex_probe pr;
	uint32_t id;
	hindex_probe_start(h, hash, &pr);
	while (hindex_probe_next(h, &pr, &id))
		g_array_append_val(out, id);
	return out;
}

static void test_empty(void)
{
	hindex h;
	hindex_init(&h);
	g_autoptr(GArray) got = ids_under(&h, 42);
	g_assert_cmpuint(got->len, ==, 0);
	g_assert_cmpuint(h.count, ==, 0);
	hindex_clear(&h);
}

static void test_same_hash_oldest_first(void)
{
	hindex h;
	hindex_init(&h);
	hindex_insert(&h, 7, 3);
	hindex_insert(&h, 9, 4);
	hindex_insert(&h, 7, 1);
	hindex_insert(&h, 7, 0);
	g_autoptr(GArray) got = ids_under(&h, 7);
	g_assert_cmpuint(got->len, ==, 3);
	g_assert_cmpuint(g_array_index(got, uint32_t, 0), ==, 3);
	g_assert_cmpuint(g_array_index(got, uint32_t, 1), ==, 1);
	g_assert_cmpuint(g_array_index(got, uint32_t, 2), ==, 0);
	g_autoptr(GArray) nine = ids_under(&h, 9);
	g_assert_cmpuint(nine->len, ==, 1);
	g_assert_cmpuint(g_array_index(nine, uint32_t, 0), ==, 4);
	hindex_clear(&h);
}

static void test_probe_set(void)
{
	hindex h;
	hindex_init(&h);
	hindex_insert(&h, 5, 10);
	hindex_probe pr;
	uint32_t id;
	hindex_probe_start(&h, 5, &pr);
	g_assert_true(hindex_probe_next(&h, &pr, &id));
	hindex_probe_set(&h, &pr, 11);
	g_autoptr(GArray) got = ids_under(&h, 5);
	g_assert_cmpuint(got->len, ==, 1);
	g_assert_cmpuint(g_array_index(got, uint32_t, 0), ==, 11);
	hindex_clear(&h);
}

/* Many ids on few hashes (long runs that wrap around the end of the
 * slots), half of them removed in a scrambled order, then more inserted:
 * after each step every id is found under its own hash exactly once. */
static void test_against_list(void)
{
	enum { N = 5000, HASHES = 97 };
	hindex h;
	hindex_init(&h);
	g_autofree uint32_t *hash_of = g_new(uint32_t, N);
	g_autofree gboolean *present = g_new0(gboolean, N);
	GRand *rnd = g_rand_new_with_seed(3261);
	for (uint32_t i = 0; i < N; i++) {
		/* a few hashes that land in the last slots, to wrap probes */
		hash_of[i] = i % 10 == 0 ? UINT32_MAX - (i % 3) : (uint32_t)g_rand_int_range(rnd, 0, HASHES);
		if (i < N / 2) {
			hindex_insert(&h, hash_of[i], i);
			present[i] = TRUE;
		}
	}
	for (uint32_t k = 0; k < N / 4; k++) {
		uint32_t i = (uint32_t)g_rand_int_range(rnd, 0, N / 2);
		if (!present[i])
			continue;
		hindex_probe pr;
		uint32_t id;
		bool found = false;
		hindex_probe_start(&h, hash_of[i], &pr);
		while (hindex_probe_next(&h, &pr, &id)) {
			if (id == i) {
				hindex_remove_at(&h, &pr);
				found = true;
				break;
			}
		}
		g_assert_true(found);
		present[i] = FALSE;
	}
	for (uint32_t i = N / 2; i < N; i++) {
		hindex_insert(&h, hash_of[i], i);
		present[i] = TRUE;
	}
	uint32_t expect = 0;
	for (uint32_t i = 0; i < N; i++)
		expect += present[i] ? 1 : 0;
	g_assert_cmpuint(h.count, ==, expect);
	for (uint32_t i = 0; i < N; i++) {
		g_autoptr(GArray) got = ids_under(&h, hash_of[i]);
		unsigned seen = 0;
		for (guint k = 0; k < got->len; k++) {
			uint32_t id = g_array_index(got, uint32_t, k);
			g_assert_cmpuint(hash_of[id], ==, hash_of[i]);
			g_assert_true(present[id]);
			seen += id == i;
		}
		g_assert_cmpuint(seen, ==, present[i] ? 1 : 0);
	}
	g_rand_free(rnd);
	hindex_clear(&h);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hindex/empty", test_empty);
	g_test_add_func("/hindex/same-hash-oldest-first", test_same_hash_oldest_first);
	g_test_add_func("/hindex/probe-set", test_probe_set);
	g_test_add_func("/hindex/against-list", test_against_list);
	return g_test_run();
}
