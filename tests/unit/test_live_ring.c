/*
 * test_live_ring.c — the hand-over from capture threads to the main
 * thread: ring order, drops when full (counted, never blocking), frame
 * bytes that stay put, the wake-up, and cap_live end to end (capture files
 * read through libpcap by the same threads and rings; the loopback
 * interface when run as root).
 */
#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/live.h"
#include "capture/live_ring.h"
#include "support/capwrite.h"

/* ---- the ring ----------------------------------------------------------- */

static void test_ring_order_and_drops(void)
{
	cap_ring *r = cap_ring_new(3, 0); /* rounds up to 4 */
	g_assert_cmpuint(cap_ring_capacity(r), ==, 4);
	g_assert_true(cap_ring_empty(r));
	uint8_t b[8];
	for (int i = 0; i < 4; i++) {
		memset(b, 'a' + i, sizeof(b));
		g_assert_true(cap_ring_push(r, 100 + i, b, (uint32_t)(i + 1), 60));
	}
	/* Full: refused at once, counted, nothing copied. */
	uint64_t bytes = cap_ring_bytes(r);
	g_assert_false(cap_ring_push(r, 200, b, 8, 8));
	g_assert_false(cap_ring_push(r, 201, b, 8, 8));
	g_assert_null(cap_ring_reserve(r, 8));
	g_assert_cmpuint(cap_ring_dropped(r), ==, 3);
	g_assert_cmpuint(cap_ring_pushed(r), ==, 4);
	g_assert_cmpuint(cap_ring_bytes(r), ==, bytes);

	cap_ring_slot s;
	g_assert_true(cap_ring_peek(r, &s));
	g_assert_cmpint(s.ts_ns, ==, 100);
	g_assert_cmpuint(s.caplen, ==, 1);
	g_assert_cmpuint(s.wirelen, ==, 60);
	g_assert_cmpint(s.data[0], ==, 'a');
	cap_ring_pop(r);
	/* Room for one more. */
	memset(b, 'z', sizeof(b));
	g_assert_true(cap_ring_push(r, 300, b, 8, 8));
	int64_t want_ts[] = { 101, 102, 103, 300 };
	int want_c[] = { 'b', 'c', 'd', 'z' };
	for (int i = 0; i < 4; i++) {
		g_assert_true(cap_ring_peek(r, &s));
		g_assert_cmpint(s.ts_ns, ==, want_ts[i]);
		g_assert_cmpint(s.data[0], ==, want_c[i]);
		cap_ring_pop(r);
	}
	g_assert_false(cap_ring_peek(r, &s));
	g_assert_true(cap_ring_empty(r));
	cap_ring_free(r);
}

/* Bytes handed out stay intact until the next frame is taken, however
 * full the producer makes the ring meanwhile; then they are reused, so the
 * memory is the buffer's size whatever went through.  Frames are built in
 * place now and then, as the HEP listener does. */
static bool ring_put(cap_ring *r, uint64_t i, uint32_t len)
{
	uint8_t b[1500];
	memset(b, (int)(i & 0xff), len);
	if (i % 97 == 0) {
		uint8_t *p = cap_ring_reserve(r, len);
		if (!p)
			return false;
		memcpy(p, b, len);
		cap_ring_commit(r, (int64_t)i, p, len, len);
		return true;
	}
	return cap_ring_push(r, (int64_t)i, b, len, len);
}

static uint32_t ring_len(uint64_t i)
{
	return (uint32_t)(i * 7919 % 1500) + 1;
}

static void test_ring_bytes_reused(void)
{
	cap_ring *r = cap_ring_new(8, 4096);
	uint64_t pushed = 0, taken = 0, refused = 0;
	const uint8_t *held = NULL;
	uint32_t held_len = 0;
	int held_val = 0;
	for (int round = 0; round < 5000; round++) {
		while (ring_put(r, pushed, ring_len(pushed)))
			pushed++;
		refused++;
		for (uint32_t k = 0; k < held_len; k++)
			g_assert_cmpint(held[k], ==, held_val);
		cap_ring_slot s;
		g_assert_true(cap_ring_peek(r, &s));
		g_assert_cmpint(s.ts_ns, ==, (int64_t)taken);
		g_assert_cmpuint(s.caplen, ==, ring_len(taken));
		for (uint32_t k = 0; k < s.caplen; k++)
			g_assert_cmpint(s.data[k], ==, (int)(taken & 0xff));
		cap_ring_pop(r);
		held = s.data;
		held_len = s.caplen;
		held_val = (int)(taken & 0xff);
		taken++;
	}
	/* the buffer went round many times over */
	g_assert_cmpuint(pushed, >, 5000);
	g_assert_cmpuint(cap_ring_bytes(r), ==, 4096);
	g_assert_cmpuint(cap_ring_dropped(r), ==, refused);
	cap_ring_free(r);

	/* a frame larger than the buffer never fits */
	cap_ring *small = cap_ring_new(8, 1000);
	g_assert_false(ring_put(small, 1, 1001));
	g_assert_true(ring_put(small, 2, 1000));
	g_assert_cmpuint(cap_ring_dropped(small), ==, 1);
	cap_ring_free(small);
}

typedef struct {
	cap_ring *r;
	cap_wake *w;
	uint32_t n;
	atomic_bool done;
	guint pause_every; /* let the consumer fall behind now and then */
} producer_arg;

static gpointer producer_run(gpointer p)
{
	producer_arg *a = p;
	for (uint32_t i = 0; i < a->n; i++) {
		uint8_t b[12];
		memcpy(b, &i, 4);
		memset(b + 4, (int)(i & 0xff), 8);
		cap_ring_push(a->r, i, b, sizeof(b), sizeof(b));
		if (i % 64 == 63)
			cap_wake_notify(a->w);
	}
	atomic_store(&a->done, true);
	cap_wake_notify(a->w);
	return NULL;
}

typedef struct {
	cap_ring *r;
	producer_arg *a;
} ready_arg;

static bool ring_ready(void *p)
{
	ready_arg *ra = p;
	return !cap_ring_empty(ra->r) || atomic_load(&ra->a->done);
}

/* One producer thread, one consumer: every frame arrives once, in order,
 * whole; what the ring could not take is counted; received + dropped is
 * what was sent. */
static void run_threads(uint32_t slots, bool slow_consumer)
{
	cap_wake w;
	cap_wake_init(&w);
	producer_arg a = { .r = cap_ring_new(slots, 0), .w = &w, .n = 200000 };
	atomic_init(&a.done, false);
	ready_arg ra = { a.r, &a };
	GThread *t = g_thread_new("producer", producer_run, &a);
	uint64_t got = 0;
	int64_t last = -1;
	for (;;) {
		cap_ring_slot s;
		if (cap_ring_peek(a.r, &s)) {
			g_assert_cmpint(s.ts_ns, >, last);
			last = s.ts_ns;
			uint32_t i;
			g_assert_cmpuint(s.caplen, ==, 12);
			memcpy(&i, s.data, 4);
			g_assert_cmpint((int64_t)i, ==, s.ts_ns);
			for (int k = 4; k < 12; k++)
				g_assert_cmpint(s.data[k], ==, (int)(i & 0xff));
			cap_ring_pop(a.r);
			got++;
			if (slow_consumer && got % 1000 == 0)
				g_usleep(200);
			continue;
		}
		if (atomic_load(&a.done) && cap_ring_empty(a.r))
			break;
		cap_wake_wait(&w, ring_ready, &ra, 100);
	}
	g_thread_join(t);
	g_assert_cmpuint(got + cap_ring_dropped(a.r), ==, a.n);
	g_assert_cmpuint(cap_ring_pushed(a.r), ==, got);
	if (slow_consumer)
		g_assert_cmpuint(cap_ring_dropped(a.r), >, 0);
	cap_ring_free(a.r);
	cap_wake_destroy(&w);
}

static void test_ring_threads(void)
{
	run_threads(1u << 18, false);
}

static void test_ring_threads_overflow(void)
{
	/* A tiny ring and a consumer that naps: drops happen and are
	 * counted, and the producer never waits. */
	run_threads(16, true);
}

static bool never(void *p)
{
	(void)p;
	return false;
}

static void test_wake_timeout(void)
{
	cap_wake w;
	cap_wake_init(&w);
	gint64 t0 = g_get_monotonic_time();
	g_assert_false(cap_wake_wait(&w, never, NULL, 50));
	gint64 el = g_get_monotonic_time() - t0;
	g_assert_cmpint(el, >=, 45000);
	g_assert_cmpint(el, <, 2000000);
	/* Zero: no sleep at all. */
	g_assert_false(cap_wake_wait(&w, never, NULL, 0));
	cap_wake_destroy(&w);
}

/* ---- cap_live over capture files ---------------------------------------- */

static char *write_udp_pcap(guint n, uint16_t port_a, uint16_t port_b)
{
	g_autoptr(capw) w = capw_pcap_new(LINKTYPE_RAW, 0, CAPW_NSEC);
	for (guint i = 0; i < n; i++) {
		uint8_t pkt[28 + 16];
		memset(pkt, 0, sizeof(pkt));
		pkt[0] = 0x45;
		pkt[3] = sizeof(pkt);
		pkt[8] = 64;
		pkt[9] = 17;
		pkt[12] = 10, pkt[15] = 1;
		pkt[16] = 10, pkt[19] = 2;
		uint16_t sport = (i % 2) ? port_b : port_a;
		pkt[20] = (uint8_t)(sport >> 8), pkt[21] = (uint8_t)sport;
		pkt[22] = 0x13, pkt[23] = 0xc4;
		pkt[25] = 8 + 16;
		memset(pkt + 28, (int)i, 16);
		capw_pcap_add(w, INT64_C(1700000000000000000) + (int64_t)i * 1000, pkt, sizeof(pkt), 0);
	}
	return capw_write_temp(w);
}

static void test_live_files(void)
{
	char *path = write_udp_pcap(100, 5060, 5070);
	char *files[] = { path, NULL };
	cap_live_config cfg = { .test_files = files };
	g_autoptr(GError) err = NULL;
	cap_live *l = cap_live_open(&cfg, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(cap_live_input_count(l), ==, 1);
	g_assert_cmpuint(cap_live_input_linktype(l, 0), ==, LINKTYPE_RAW);
	g_assert_true(cap_live_start(l, &err));
	cap_frame f;
	uint64_t n = 0;
	cap_live_rc rc;
	while ((rc = cap_live_next(l, &f, 5000)) == CAP_LIVE_FRAME) {
		g_assert_cmpuint(f.num, ==, n + 1);
		g_assert_cmpuint(f.record, ==, n + 1);
		g_assert_cmpuint(f.source, ==, 0);
		g_assert_cmpint(f.ts_ns, ==, INT64_C(1700000000000000000) + (int64_t)n * 1000);
		g_assert_cmpuint(f.caplen, ==, 44);
		g_assert_cmpuint(f.data.len, ==, 44);
		g_assert_cmpint(f.data.p[43], ==, (int)(n & 0xff));
		n++;
	}
	g_assert_cmpint(rc, ==, CAP_LIVE_EOF);
	g_assert_cmpuint(n, ==, 100);
	cap_live_stats st;
	cap_live_get_stats(l, -1, &st);
	g_assert_cmpuint(st.received, ==, 100);
	g_assert_cmpuint(st.delivered, ==, 100);
	g_assert_cmpuint(st.ring_dropped, ==, 0);
	g_assert_cmpuint(cap_live_error_count(l), ==, 0);
	cap_live_free(l);
	capw_unlink_free(path);
}

/* Two inputs are merged oldest first; the BPF filter applies. */
static void test_live_files_filter_merge(void)
{
	char *a = write_udp_pcap(50, 5060, 5070);
	char *b = write_udp_pcap(50, 5060, 5080);
	char *files[] = { a, b, NULL };
	cap_live_config cfg = { .test_files = files, .filter = "udp src port 5060" };
	g_autoptr(GError) err = NULL;
	cap_live *l = cap_live_open(&cfg, &err);
	g_assert_no_error(err);
	g_assert_true(cap_live_start(l, &err));
	/* Let both threads finish, so both rings are full before reading. */
	while (cap_live_running(l))
		g_usleep(1000);
	cap_frame f;
	uint64_t n = 0;
	int64_t last = 0;
	while (cap_live_next(l, &f, 5000) == CAP_LIVE_FRAME) {
		g_assert_cmpint(f.ts_ns, >=, last);
		last = f.ts_ns;
		g_assert_cmpint(f.data.p[21], ==, 0xc4); /* source port 5060 */
		n++;
	}
	g_assert_cmpuint(n, ==, 50);
	cap_live_free(l);
	capw_unlink_free(a);
	capw_unlink_free(b);
}

/* A consumer that does not keep up: the ring drops, counts, and the
 * capture thread still reads everything. */
static void test_live_files_ring_full(void)
{
	char *path = write_udp_pcap(1000, 5060, 5070);
	char *files[] = { path, NULL };
	cap_live_config cfg = { .test_files = files, .ring_slots = 16 };
	g_autoptr(GError) err = NULL;
	cap_live *l = cap_live_open(&cfg, &err);
	g_assert_no_error(err);
	g_assert_true(cap_live_start(l, &err));
	while (cap_live_running(l))
		g_usleep(1000);
	cap_frame f;
	uint64_t n = 0;
	while (cap_live_next(l, &f, 1000) == CAP_LIVE_FRAME)
		n++;
	cap_live_stats st;
	cap_live_get_stats(l, 0, &st);
	g_assert_cmpuint(n, ==, 16);
	g_assert_cmpuint(st.received, ==, 1000);
	g_assert_cmpuint(st.ring_dropped, ==, 984);
	g_assert_cmpuint(st.delivered, ==, 16);
	cap_live_free(l);
	capw_unlink_free(path);
}

static void test_live_bad_filter(void)
{
	char *path = write_udp_pcap(1, 5060, 5070);
	char *files[] = { path, NULL };
	cap_live_config cfg = { .test_files = files, .filter = "udp port" };
	g_autoptr(GError) err = NULL;
	cap_live *l = cap_live_open(&cfg, &err);
	g_assert_null(l);
	g_assert_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FILTER);
	g_assert_nonnull(strstr(err->message, "invalid filter 'udp port'"));
	g_assert_null(strchr(err->message, '\n'));
	capw_unlink_free(path);
}

/* Stop while nothing arrives: the next call says EOF soon. */
static void test_live_stop_idle(void)
{
	if (geteuid() != 0) {
		g_test_skip("needs root to capture on lo");
		return;
	}
	char *ifs[] = { "lo", NULL };
	cap_live_config cfg = { .ifaces = ifs, .filter = "udp port 9 and host 127.0.0.77" };
	g_autoptr(GError) err = NULL;
	cap_live *l = cap_live_open(&cfg, &err);
	g_assert_no_error(err);
	g_assert_true(cap_live_start(l, &err));
	cap_frame f;
	g_assert_cmpint(cap_live_next(l, &f, 50), ==, CAP_LIVE_TIMEOUT);
	gint64 t0 = g_get_monotonic_time();
	cap_live_stop(l);
	cap_live_rc rc;
	while ((rc = cap_live_next(l, &f, 2000)) == CAP_LIVE_FRAME)
		;
	g_assert_cmpint(rc, ==, CAP_LIVE_EOF);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 1000000);
	cap_live_free(l);
}

/* ---- cap_live on the loopback interface (root) -------------------------- */

static void test_live_loopback(void)
{
	if (geteuid() != 0) {
		g_test_skip("needs root to capture on lo");
		return;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	g_assert_cmpint(fd, >=, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	/* A port nobody listens on: the datagrams are still on lo. */
	uint16_t port = (uint16_t)(40000 + getpid() % 20000);
	to.sin_port = htons(port);
	char filter[64];
	g_snprintf(filter, sizeof(filter), "udp dst port %u", port);
	char *ifs[] = { "lo", NULL };
	cap_live_config cfg = { .ifaces = ifs, .filter = filter, .buffer_mb = 4 };
	g_autoptr(GError) err = NULL;
	cap_live *l = cap_live_open(&cfg, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(cap_live_input_linktype(l, 0), ==, LINKTYPE_ETHERNET);
	g_assert_true(cap_live_start(l, &err));
	enum { N = 50 };
	for (int i = 0; i < N; i++) {
		char msg[64];
		int len = g_snprintf(msg, sizeof(msg), "OPTIONS sip:%d@127.0.0.1 SIP/2.0\r\n", i);
		g_assert_cmpint(sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to)), ==, len);
	}
	close(fd);
	cap_frame f;
	int n = 0;
	gint64 until = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	while (n < N && g_get_monotonic_time() < until) {
		if (cap_live_next(l, &f, 200) != CAP_LIVE_FRAME)
			continue;
		g_assert_cmpuint(f.linktype, ==, LINKTYPE_ETHERNET);
		g_assert_cmpuint(f.data.len, >, 14 + 20 + 8);
		n++;
	}
	g_assert_cmpint(n, ==, N);
	cap_live_stop(l);
	while (cap_live_next(l, &f, 1000) == CAP_LIVE_FRAME)
		n++;
	g_assert_cmpint(n, ==, N);
	cap_live_stats st;
	cap_live_get_stats(l, -1, &st);
	g_assert_cmpuint(st.received, ==, N);
	g_assert_cmpuint(st.ring_dropped, ==, 0);
	cap_live_free(l);
}

static void test_live_no_such_device(void)
{
	if (geteuid() != 0) {
		g_test_skip("needs root (without it, permission is refused first)");
		return;
	}
	char *ifs[] = { "nosuchdev0", NULL };
	cap_live_config cfg = { .ifaces = ifs };
	g_autoptr(GError) err = NULL;
	g_assert_null(cap_live_open(&cfg, &err));
	g_assert_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_NO_DEVICE);
	g_assert_nonnull(strstr(err->message, "nosuchdev0"));
	g_assert_nonnull(strstr(err->message, "no such interface"));
}

static void test_permission_message(void)
{
	char *m = cap_live_permission_message("eth0", false, "socket: Operation not permitted");
	g_assert_nonnull(strstr(m, "cannot capture on eth0: permission denied"));
	g_assert_nonnull(strstr(m, "CAP_NET_RAW"));
	g_assert_nonnull(strstr(m, "root"));
	g_assert_null(strchr(m, '\n'));
	g_free(m);
	m = cap_live_permission_message("eth0", true, "");
	g_assert_nonnull(strstr(m, "CAP_NET_ADMIN"));
	g_assert_nonnull(strstr(m, "-p"));
	g_free(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/live_ring/order_and_drops", test_ring_order_and_drops);
	g_test_add_func("/live_ring/bytes_reused", test_ring_bytes_reused);
	g_test_add_func("/live_ring/threads", test_ring_threads);
	g_test_add_func("/live_ring/threads_overflow", test_ring_threads_overflow);
	g_test_add_func("/live_ring/wake_timeout", test_wake_timeout);
	g_test_add_func("/live/files", test_live_files);
	g_test_add_func("/live/files_filter_merge", test_live_files_filter_merge);
	g_test_add_func("/live/files_ring_full", test_live_files_ring_full);
	g_test_add_func("/live/bad_filter", test_live_bad_filter);
	g_test_add_func("/live/stop_idle", test_live_stop_idle);
	g_test_add_func("/live/loopback", test_live_loopback);
	g_test_add_func("/live/no_such_device", test_live_no_such_device);
	g_test_add_func("/live/permission_message", test_permission_message);
	return g_test_run();
}
