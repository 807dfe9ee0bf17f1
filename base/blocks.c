/*
 * blocks.c — varying sizes over pools of fixed ones (see blocks.h).
 */
#include "base/blocks.h"

#include <glib.h>
#include <stdint.h>

/* The header's class of a block from g_malloc. */
#define BLOCKS_BIG UINT64_MAX

void blocks_init(blocks *b)
{
	for (unsigned i = 0; i < BLOCKS_CLASSES; i++)
		pool_init(&b->cls[i], (size_t)(i + 1) * BLOCKS_STEP, 0);
	b->held = 0;
}

void blocks_clear(blocks *b)
{
	for (unsigned i = 0; i < BLOCKS_CLASSES; i++)
		pool_clear(&b->cls[i]);
	b->held = 0;
}

void *blocks_alloc(blocks *b, size_t n)
{
	uint64_t *h;
	if (n <= BLOCKS_MAX) {
		size_t k = (n + BLOCKS_HEADER + BLOCKS_STEP - 1) / BLOCKS_STEP - 1;
		h = pool_alloc(&b->cls[k]);
		*h = k;
	} else {
		h = g_malloc(n + BLOCKS_HEADER);
		*h = BLOCKS_BIG;
	}
	b->held++;
	return (uint8_t *)h + BLOCKS_HEADER;
}

void blocks_free(blocks *b, void *p)
{
	if (!p)
		return;
	uint64_t *h = (uint64_t *)(void *)((uint8_t *)p - BLOCKS_HEADER);
	uint64_t k = *h;
	g_assert(k == BLOCKS_BIG || k < BLOCKS_CLASSES);
	if (k == BLOCKS_BIG)
		g_free(h);
	else
		pool_free(&b->cls[k], h);
	b->held--;
}
