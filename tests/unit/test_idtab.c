/*
 * base/idtab: ids in order, holes read NULL, emptied pages are freed and
 * the page being filled is kept.
 */
#include <glib.h>

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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/idtab/add-get-remove", test_add_get_remove);
	return g_test_run();
}
