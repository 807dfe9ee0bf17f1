/*
 * blocks: blocks of any size come aligned and distinct while held, each
 * goes back alone to the class it came from (reused by the next block of
 * that class), the large ones too, and blocks_clear leaves nothing
 * (LeakSanitizer checks that).
 */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "base/blocks.h"

/* Sizes across every class, their edges and past the largest. */
static const size_t sizes[] = {
	0, 1, 7, 8, 9, 23, 24, 25, 40, 56, 100, 120, 200, 240, 247, 248, 249, 300, 4096,
};

static void test_sizes_and_reuse(void)
{
	blocks b;
	blocks_init(&b);
	enum { N = G_N_ELEMENTS(sizes) * 3 };
	uint8_t *held[N];
	size_t len[N];
	for (unsigned i = 0; i < N; i++) {
		len[i] = sizes[i % G_N_ELEMENTS(sizes)];
		held[i] = blocks_alloc(&b, len[i]);
		g_assert_nonnull(held[i]);
		g_assert_cmpuint((uintptr_t)held[i] % 8, ==, 0);
		memset(held[i], (int)i, len[i]);   /* the whole block is writable */
	}
	g_assert_cmpuint(b.held, ==, N);
	for (unsigned i = 0; i < N; i++)
		for (size_t k = 0; k < len[i]; k++)
			g_assert_cmpuint(held[i][k], ==, (uint8_t)i);   /* none overlaps another */
	/* given back one at a time: a block of the same class is the next
	 * one taken (warm), whatever size within it */
	blocks_free(&b, held[5]);              /* 24 bytes: the 32-byte class */
	g_assert_true(blocks_alloc(&b, 17) == held[5]);
	blocks_free(&b, held[4]);              /* 23 bytes, same class */
	uint8_t *again = blocks_alloc(&b, 24);
	g_assert_true(again == held[4]);
	blocks_free(&b, NULL);
	for (unsigned i = 0; i < N; i++)
		blocks_free(&b, held[i]);
	g_assert_cmpuint(b.held, ==, 0);
	blocks_clear(&b);
	/* usable again after clearing */
	void *p = blocks_alloc(&b, 64);
	blocks_free(&b, p);
	blocks_clear(&b);
}

/* Many blocks of one size taken and given back in turns: the pools stay
 * as large as the most held at once (what a REGISTER Call-ID that sheds
 * its transactions relies on). */
static void test_steady_state(void)
{
	blocks b;
	blocks_init(&b);
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	void *pair[2] = { NULL, NULL };
	for (unsigned round = 0; round < 1000; round++) {
		blocks_free(&b, pair[round % 2]);
		pair[round % 2] = blocks_alloc(&b, 48 + round % 8);
		g_hash_table_add(seen, pair[round % 2]);
	}
	/* two held at once: two addresses ever */
	g_assert_cmpuint(g_hash_table_size(seen), ==, 2);
	blocks_free(&b, pair[0]);
	blocks_free(&b, pair[1]);
	g_hash_table_destroy(seen);
	blocks_clear(&b);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/blocks/sizes-and-reuse", test_sizes_and_reuse);
	g_test_add_func("/blocks/steady-state", test_steady_state);
	return g_test_run();
}
