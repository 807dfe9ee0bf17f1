/*
 * base/idtab: ids in order, holes read NULL, emptied pages are freed and
 * the page being filled is kept; full pages left with few records go
 * sparse.
 */
#include <glib.h>
#include <stdbool.h>

#include "base/idtab.h"

static int dummy[4 * IDTAB_PAGE];

static void test_add_get_remove(void)
{
	idtab t;
	idtab_init(&t);
	g_assert_null(idtab_get(&t, 0));
	for (uint32_t i = 0; i < 3 * IDTAB_PAGE + 5; i++)
		g_assert_cmpuint(idtab_add(&t, &dummy[i]), ==, i);
	g_assert_cmpuint(t.len, ==, 3 * IDTAB_PAGE + 5);
	g_assert_true(idtab_get(&t, 7) == &dummy[7]);
	g_assert_null(idtab_get(&t, t.len));
	g_assert_null(idtab_get(&t, UINT32_MAX));
	idtab_remove(&t, 7);
	g_assert_null(idtab_get(&t, 7));
	idtab_remove(&t, 7);            /* twice: nothing */
	idtab_remove(&t, UINT32_MAX);   /* out of range: nothing */
	g_assert_true(idtab_get(&t, 8) == &dummy[8]);

	/* empty the second page: it is freed, its neighbours are not */
	for (uint32_t i = IDTAB_PAGE; i < 2 * IDTAB_PAGE; i++)
		idtab_remove(&t, i);
	g_assert_null(t.pages[1]);
	g_assert_nonnull(t.pages[0]);
	g_assert_nonnull(t.pages[2]);
	g_assert_null(idtab_get(&t, IDTAB_PAGE + 3));
	g_assert_true(idtab_get(&t, 2 * IDTAB_PAGE) == &dummy[2 * IDTAB_PAGE]);

	/* the last page stays even when emptied: its next slots come next */
	for (uint32_t i = 3 * IDTAB_PAGE; i < t.len; i++)
		idtab_remove(&t, i);
	g_assert_nonnull(t.pages[3]);
	uint32_t next = idtab_add(&t, &dummy[0]);
	g_assert_cmpuint(next, ==, 3 * IDTAB_PAGE + 5);
	g_assert_true(idtab_get(&t, next) == &dummy[0]);
	idtab_clear(&t);
	g_assert_cmpuint(t.len, ==, 0);
}

/* A full page left with few records becomes sparse: they read the same,
 * removing them works, the last one frees it; the page being filled does
 * not, until it is full. */
static void test_sparse(void)
{
	idtab t;
	idtab_init(&t);
	for (uint32_t i = 0; i < 2 * IDTAB_PAGE + 3; i++)
		idtab_add(&t, &dummy[i]);
	/* the first page keeps every 8th record */
	for (uint32_t i = 0; i < IDTAB_PAGE; i++)
		if (i % 8)
			idtab_remove(&t, i);
	g_assert_true((uintptr_t)t.pages[0] & IDTAB_SPARSE_TAG);
	g_assert_cmpuint(t.live[0], ==, IDTAB_PAGE / 8);
	for (uint32_t i = 0; i < IDTAB_PAGE; i++) {
		if (i % 8)
			g_assert_null(idtab_get(&t, i));
		else
			g_assert_true(idtab_get(&t, i) == &dummy[i]);
	}
	idtab_remove(&t, 8);
	idtab_remove(&t, 8);            /* twice: nothing */
	idtab_remove(&t, 9);            /* removed before: nothing */
	g_assert_null(idtab_get(&t, 8));
	g_assert_true(idtab_get(&t, 16) == &dummy[16]);
	g_assert_cmpuint(t.live[0], ==, IDTAB_PAGE / 8 - 1);
	for (uint32_t i = 0; i < IDTAB_PAGE; i += 8)
		idtab_remove(&t, i);
	g_assert_null(t.pages[0]);
	g_assert_cmpuint(t.live[0], ==, 0);

	/* the page being filled stays a page however few it holds ... */
	for (uint32_t i = 2 * IDTAB_PAGE; i < t.len; i++)
		idtab_remove(&t, i);
	g_assert_nonnull(t.pages[2]);
	g_assert_false((uintptr_t)t.pages[2] & IDTAB_SPARSE_TAG);
	/* ... and once full, the next removal makes it sparse */
	while (t.len < 3 * IDTAB_PAGE + 1)
		idtab_add(&t, &dummy[t.len]);
	g_assert_cmpuint(t.live[2], ==, IDTAB_PAGE - 3);
	uint32_t last = 3 * IDTAB_PAGE - IDTAB_SPARSE_MAX - 1;   /* leaves IDTAB_SPARSE_MAX */
	for (uint32_t i = 2 * IDTAB_PAGE + 3; i < last; i++)
		idtab_remove(&t, i);
	g_assert_false((uintptr_t)t.pages[2] & IDTAB_SPARSE_TAG);
	idtab_remove(&t, last);
	g_assert_true((uintptr_t)t.pages[2] & IDTAB_SPARSE_TAG);
	g_assert_cmpuint(t.live[2], ==, IDTAB_SPARSE_MAX);
	g_assert_true(idtab_get(&t, 3 * IDTAB_PAGE - 1) == &dummy[3 * IDTAB_PAGE - 1]);
	g_assert_true(idtab_get(&t, last + 1) == &dummy[last + 1]);
	g_assert_null(idtab_get(&t, last));
	/* the second page, untouched, is a page; everything goes with clear */
	g_assert_false((uintptr_t)t.pages[1] & IDTAB_SPARSE_TAG);
	idtab_clear(&t);
}

/* Records kept at irregular places (the first and last slot of some
 * words, none in others, runs across a word's end): each reads its own
 * pointer, the others NULL, and removing one leaves the rest as they
 * were. */
static bool kept(uint32_t i)
{
	uint32_t w = i / 64, b = i % 64;
	if (w % 3 == 1)
		return false;                       /* whole words without any */
	return b == 0 || b == 63 || (w % 3 == 2 && (b >= 60 || b < 3)) || i % 37 == 5;
}

static void test_sparse_rank(void)
{
	idtab t;
	idtab_init(&t);
	for (uint32_t i = 0; i < IDTAB_PAGE + 1; i++)
		idtab_add(&t, &dummy[i]);
	uint32_t n = 0;
	for (uint32_t i = 0; i < IDTAB_PAGE; i++) {
		if (kept(i))
			n++;
		else
			idtab_remove(&t, i);
	}
	g_assert_cmpuint(n, <=, IDTAB_SPARSE_MAX);
	g_assert_true((uintptr_t)t.pages[0] & IDTAB_SPARSE_TAG);
	g_assert_cmpuint(t.live[0], ==, n);
	for (uint32_t i = 0; i < IDTAB_PAGE; i++)
		g_assert_true(idtab_get(&t, i) == (kept(i) ? &dummy[i] : NULL));
	/* remove every other kept one, from the end backwards */
	bool drop = true;
	for (uint32_t i = IDTAB_PAGE; i-- > 0;)
		if (kept(i)) {
			if (drop)
				idtab_remove(&t, i);
			drop = !drop;
		}
	drop = true;
	for (uint32_t i = IDTAB_PAGE; i-- > 0;)
		if (kept(i)) {
			g_assert_true(idtab_get(&t, i) == (drop ? NULL : &dummy[i]));
			drop = !drop;
		} else {
			g_assert_null(idtab_get(&t, i));
		}
	g_assert_true(idtab_get(&t, IDTAB_PAGE) == &dummy[IDTAB_PAGE]);
	idtab_clear(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/idtab/add-get-remove", test_add_get_remove);
	g_test_add_func("/idtab/sparse", test_sparse);
	g_test_add_func("/idtab/sparse-rank", test_sparse_rank);
	return g_test_run();
}
