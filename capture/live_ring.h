/*
 * live_ring.h — the hand-over between one capture thread and the main
 * thread: a single-producer single-consumer ring of frame descriptors, and
 * the wake-up that lets the main thread sleep while every ring is empty.
 *
 * The producer (a capture thread) copies each frame's bytes into a buffer
 * of fixed size used circularly (a frame never wraps: it starts over at
 * the beginning) and publishes a descriptor; the consumer (the main
 * thread) takes descriptors in order.  A frame's bytes stay valid until
 * the consumer takes the next frame of the same ring: taking a frame frees
 * the one taken before.  Whoever keeps bytes longer copies them.  Memory
 * is therefore bounded by the buffer, whatever the capture's length.
 *
 * A full ring (no free slot, or not enough free bytes) never blocks the
 * producer: the frame is dropped and counted (cap_ring_dropped), and
 * nothing of it is copied.
 *
 * Lock-free: head is written only by the producer, tail only by the
 * consumer (release stores, acquire loads), each on its own cache line.
 * Only the wake-up takes a mutex, and only while the consumer sleeps.
 */
#ifndef SIPSCOPE_CAPTURE_LIVE_RING_H
#define SIPSCOPE_CAPTURE_LIVE_RING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One captured frame as the ring carries it. */
typedef struct cap_ring_slot {
	int64_t ts_ns;
	uint32_t caplen;
	uint32_t wirelen;
	const uint8_t *data; /* caplen bytes in the ring's buffer */
	uint64_t end;        /* ring position after the frame (what taking the next frees) */
} cap_ring_slot;

typedef struct cap_ring cap_ring;

/* slots is rounded up to a power of two (at least 2); bytes is the size
 * of the buffer for frames (0: 64 MiB).  A frame larger than the buffer
 * is always dropped. */
cap_ring *cap_ring_new(uint32_t slots, size_t bytes);
/* Consumer side, after the producer has stopped for good. */
void cap_ring_free(cap_ring *r);
uint32_t cap_ring_capacity(const cap_ring *r);

/* ---- producer (one thread) ----------------------------------------------- */

/* Copies the frame and publishes it; false (and counted) when the ring is
 * full.  data may be NULL when caplen is 0. */
bool cap_ring_push(cap_ring *r, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t wirelen);
/* Room for a frame of len bytes that the producer builds in place (the
 * HEP listener synthesises its frames there); publish it with
 * cap_ring_commit().  NULL (and counted as a drop) when the ring is full. */
uint8_t *cap_ring_reserve(cap_ring *r, uint32_t len);
void cap_ring_commit(cap_ring *r, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* ---- consumer (one thread) ----------------------------------------------- */

/* The oldest frame not yet taken, without taking it. */
bool cap_ring_peek(cap_ring *r, cap_ring_slot *out);
/* Takes the frame cap_ring_peek() showed; the frame taken before it (its
 * bytes) is given back to the producer. */
void cap_ring_pop(cap_ring *r);
bool cap_ring_empty(const cap_ring *r);

/* ---- counters (any thread) ----------------------------------------------- */

uint64_t cap_ring_pushed(const cap_ring *r);  /* frames published */
uint64_t cap_ring_dropped(const cap_ring *r); /* frames refused: ring full */
uint64_t cap_ring_bytes(const cap_ring *r);   /* size of the buffer for frames */

/* ---- wake-up ------------------------------------------------------------- */

/* One per consumer, shared by all the producers that feed it.  A producer
 * calls cap_wake_notify() after publishing a batch; it costs one atomic
 * load unless the consumer sleeps. */
typedef struct cap_wake {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	atomic_int waiting;
} cap_wake;

void cap_wake_init(cap_wake *w);
void cap_wake_destroy(cap_wake *w);
void cap_wake_notify(cap_wake *w);
/* Sleeps until a notify arrives or timeout_ms passes (negative: no
 * limit), unless ready(arg) is already true.  Returns ready(arg) as last
 * seen; it may return false early (a notify for something else, a
 * spurious wake-up), so callers loop on their own deadline.  No wake-up is
 * lost: a notify after the consumer decided to sleep ends the sleep. */
bool cap_wake_wait(cap_wake *w, bool (*ready)(void *arg), void *arg, int timeout_ms);

#endif
