/*
 * once.h — a table built once, by whichever thread needs it first (the
 * parser's lookup tables: the reading thread and the caller's both
 * parse).
 *
 * Why not g_once_init_enter: its release happens inside GLib, where
 * ThreadSanitizer does not see it, so every later read of the table by
 * another thread is reported as a race.  Here the flag's release and
 * acquire are in our code, and pthread_once is known to it; the cost on
 * the path taken every time is the same single load.
 *
 * Use: static once_t o = ONCE_INIT; once_run(&o, build);
 */
#ifndef SIPSCOPE_BASE_ONCE_H
#define SIPSCOPE_BASE_ONCE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct once_t {
	atomic_bool done;
	pthread_once_t once;
} once_t;

#define ONCE_INIT { false, PTHREAD_ONCE_INIT }

static inline void once_run(once_t *o, void (*fn)(void))
{
	if (atomic_load_explicit(&o->done, memory_order_acquire))
		return;
	pthread_once(&o->once, fn);
	atomic_store_explicit(&o->done, true, memory_order_release);
}

#endif
