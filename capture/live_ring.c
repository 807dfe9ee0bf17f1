#include "live_ring.h"

#include <glib.h>
#include <string.h>
#include <time.h>


enum { CACHE_LINE = 64 };
#define RING_DEFAULT_BYTES ((size_t)64 << 20)

/* Producer and consumer fields sit on separate cache lines (padding rather
 * than _Alignas: the ring comes from g_malloc, which promises less).
 * Byte positions (wpos, rpos, slot ends) count every byte ever reserved,
 * the skipped end of the buffer at each wrap included; a position's place
 * in the buffer is position % size. */
struct cap_ring {
	atomic_uint_fast64_t head;          /* next slot to fill; producer writes */
	char pad0[CACHE_LINE - sizeof(atomic_uint_fast64_t)];
	atomic_uint_fast64_t tail;          /* next slot to take; consumer writes */
	atomic_uint_fast64_t rpos;          /* bytes before it are free again; consumer writes */
	char pad1[CACHE_LINE - 2 * sizeof(atomic_uint_fast64_t)];
	/* producer only */
	uint64_t tail_seen;                 /* last tail read: saves a load per push */
	uint64_t rpos_seen;                 /* last rpos read */
	uint64_t wpos;                      /* end of the last frame committed */
	uint64_t res_end;                   /* end of the frame reserved, not yet committed */
	atomic_uint_fast64_t dropped;
	char pad2[CACHE_LINE];
	/* consumer only */
	uint64_t taken_end;                 /* end of the frame last taken: freed at the next take */
	/* fixed */
	uint32_t mask;
	cap_ring_slot *slots;
	uint8_t *buf;
	size_t size;
};

cap_ring *cap_ring_new(uint32_t slots, size_t bytes)
{
	uint32_t n = 2;
	while (n < slots && n < (1u << 30))
		n <<= 1;
	cap_ring *r = g_new0(cap_ring, 1);
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->rpos, 0);
	atomic_init(&r->dropped, 0);
	r->mask = n - 1;
	r->slots = g_new0(cap_ring_slot, n);
	r->size = bytes ? bytes : RING_DEFAULT_BYTES;
	/* not zeroed: pages become resident as frames first reach them */
	r->buf = g_malloc(r->size);
	return r;
}

void cap_ring_free(cap_ring *r)
{
	if (!r)
		return;
	g_free(r->buf);
	g_free(r->slots);
	g_free(r);
}

uint32_t cap_ring_capacity(const cap_ring *r)
{
	return r->mask + 1;
}

/* Producer: is there a free slot?  Reads the consumer's tail only when the
 * last value seen says the ring is full. */
static bool ring_has_room(cap_ring *r, uint64_t head)
{
	if (head - r->tail_seen <= r->mask)
		return true;
	r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
	return head - r->tail_seen <= r->mask;
}

/* Producer: are the bytes up to end free?  Same economy with rpos. */
static bool ring_has_bytes(cap_ring *r, uint64_t end)
{
	if (end - r->rpos_seen <= r->size)
		return true;
	r->rpos_seen = atomic_load_explicit(&r->rpos, memory_order_acquire);
	return end - r->rpos_seen <= r->size;
}

uint8_t *cap_ring_reserve(cap_ring *r, uint32_t len)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t start = r->wpos;
	size_t off = (size_t)(start % r->size);
	/* a frame never wraps: it starts over at the beginning of the buffer */
	if (len > r->size - off)
		start += r->size - off;
	uint64_t end = start + len;
	if (len > r->size || !ring_has_room(r, head) || !ring_has_bytes(r, end)) {
		atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
		return NULL;
	}
	r->res_end = end;
	return r->buf + (size_t)(start % r->size);
}

void cap_ring_commit(cap_ring *r, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	cap_ring_slot *s = &r->slots[head & r->mask];
	s->ts_ns = ts_ns;
	s->caplen = caplen;
	s->wirelen = wirelen;
	s->data = data;
	s->end = r->res_end;
	r->wpos = r->res_end;
	/* Publishes the slot and the bytes it points to. */
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

bool cap_ring_push(cap_ring *r, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	uint8_t *p = cap_ring_reserve(r, caplen);
	if (!p)
		return false;
	if (caplen)
		memcpy(p, data, caplen);
	cap_ring_commit(r, ts_ns, p, caplen, wirelen);
	return true;
}

bool cap_ring_peek(cap_ring *r, cap_ring_slot *out)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	if (tail == head)
		return false;
	*out = r->slots[tail & r->mask];
	return true;
}

void cap_ring_pop(cap_ring *r)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t end = r->slots[tail & r->mask].end;
	/* The slot may be reused by the producer from here on; the frame
	 * taken before this one is done with, so its bytes may be too. */
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	atomic_store_explicit(&r->rpos, r->taken_end, memory_order_release);
	r->taken_end = end;
}

bool cap_ring_empty(const cap_ring *r)
{
	cap_ring *m = (cap_ring *)r;
	return atomic_load_explicit(&m->tail, memory_order_relaxed) ==
	       atomic_load_explicit(&m->head, memory_order_acquire);
}

uint64_t cap_ring_pushed(const cap_ring *r)
{
	return atomic_load_explicit(&((cap_ring *)r)->head, memory_order_relaxed);
}

uint64_t cap_ring_dropped(const cap_ring *r)
{
	return atomic_load_explicit(&((cap_ring *)r)->dropped, memory_order_relaxed);
}

uint64_t cap_ring_bytes(const cap_ring *r)
{
	return r->size;
}

/* ---- wake-up ------------------------------------------------------------- */

void cap_wake_init(cap_wake *w)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&w->mu, NULL);
	atomic_init(&w->waiting, 0);
}

void cap_wake_destroy(cap_wake *w)
{
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
}

void cap_wake_notify(cap_wake *w)
{
	/* Pairs with the fence in cap_wake_wait: either the consumer sees
	 * what was published before this call, or this load sees it waiting. */
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&w->waiting, memory_order_relaxed))
		return;
	pthread_mutex_lock(&w->mu);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->mu);
}

bool cap_wake_wait(cap_wake *w, bool (*ready)(void *arg), void *arg, int timeout_ms)
{
	if (ready(arg))
		return true;
	if (timeout_ms == 0)
		return false;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timeout_ms > 0) {
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&w->mu);
	atomic_store_explicit(&w->waiting, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	/* One sleep: a notify that did not make us ready means something
	 * else changed (a producer ended), which the caller wants to see; it
	 * calls again with what is left of its time. */
	bool ok = ready(arg);
	if (!ok) {
		if (timeout_ms < 0)
			pthread_cond_wait(&w->cond, &w->mu);
		else
			pthread_cond_timedwait(&w->cond, &w->mu, &deadline);
		ok = ready(arg);
	}
	atomic_store_explicit(&w->waiting, 0, memory_order_relaxed);
	pthread_mutex_unlock(&w->mu);
	return ok;
}
