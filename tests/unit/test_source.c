/*
 * test_source.c — capture sources: classic pcap in every flavour, pcapng
 * with mixed interfaces and sections, damage at every byte, errors, streams
 * and the merger.  Inputs are written by support/capwrite.
 *
 * Most checks run twice: once on a temporary file (memory-mapped) and once
 * through a pipe (the streamed reader), which must agree byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "capture/source.h"
#include "support/capwrite.h"

/* ---- helpers ----------------------------------------------------------- */

/* Three frames of different sizes (one not a multiple of 4). */
static const uint8_t f1[] = { 0x01, 0x02, 0x03, 0x04, 0x05 };
static uint8_t f2[60];
static uint8_t f3[17];

static void frames_init(void)
{
	for (size_t i = 0; i < sizeof(f2); i++)
		f2[i] = (uint8_t)(0x20 + i);
	for (size_t i = 0; i < sizeof(f3); i++)
		f3[i] = (uint8_t)(0xf0 - i);
}

#define T0 INT64_C(1700000000123456789)

typedef struct {
	int64_t ts_ns;
	uint32_t linktype;
	sv data;
	uint32_t wirelen;
} want;

/* A pipe whose write end is fed by a thread; the reader opens
 * /dev/fd/N, which goes through the stream path like standard input. */
typedef struct {
	int fds[2];
	GBytes *bytes;
	GThread *thread;
	char path[64];
	gsize chunk; /* bytes per write (0: all at once) */
} feeder;

static gpointer feeder_run(gpointer p)
{
	feeder *f = p;
	gsize len;
	const uint8_t *d = g_bytes_get_data(f->bytes, &len);
	gsize off = 0;
	while (off < len) {
		gsize n = f->chunk ? MIN(f->chunk, len - off) : len - off;
		ssize_t w = write(f->fds[1], d + off, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* reader gone */
		off += (gsize)w;
	}
	close(f->fds[1]);
	return NULL;
}

static feeder *feeder_new(sv bytes, gsize chunk)
{
	feeder *f = g_new0(feeder, 1);
	g_assert_cmpint(pipe(f->fds), ==, 0);
	f->bytes = g_bytes_new(bytes.p, bytes.len);
	f->chunk = chunk;
	g_snprintf(f->path, sizeof(f->path), "/dev/fd/%d", f->fds[0]);
	f->thread = g_thread_new("feeder", feeder_run, f);
	return f;
}

/* Call after the source is freed. */
static void feeder_free(feeder *f)
{
	close(f->fds[0]);
	g_thread_join(f->thread);
	g_bytes_unref(f->bytes);
	g_free(f);
}

enum { VIA_FILE, VIA_PIPE, VIA_N };

/* An input given to a source one way or the other. */
typedef struct {
	char *path;
	feeder *feed;
} input;

static const char *input_open(input *in, sv bytes, int via)
{
	memset(in, 0, sizeof(*in));
	if (via == VIA_FILE) {
		in->path = capw_temp_file(bytes.p, bytes.len);
		return in->path;
	}
	in->feed = feeder_new(bytes, 0);
	return in->feed->path;
}

static void input_close(input *in)
{
	capw_unlink_free(in->path);
	if (in->feed)
		feeder_free(in->feed);
}

/* Reads every frame; returns the final rc, frames in *out. */
static cap_next_rc read_all(cap_source *s, GArray *out, GError **err)
{
	for (;;) {
		cap_frame f;
		memset(&f, 0xaa, sizeof(f));
		cap_next_rc rc = cap_source_next(s, &f, err);
		if (rc != CAP_NEXT_FRAME)
			return rc;
		g_array_append_val(out, f);
	}
}

static void check_frames(GArray *got, const want *w, size_t n)
{
	g_assert_cmpuint(got->len, ==, n);
	for (size_t i = 0; i < n; i++) {
		const cap_frame *f = &g_array_index(got, cap_frame, i);
		g_assert_cmpuint(f->record, ==, i + 1);
		g_assert_cmpuint(f->num, ==, i + 1);
		g_assert_cmpuint(f->source, ==, 0);
		g_assert_cmpint(f->ts_ns, ==, w[i].ts_ns);
		g_assert_cmpuint(f->linktype, ==, w[i].linktype);
		g_assert_cmpuint(f->caplen, ==, w[i].data.len);
		g_assert_cmpuint(f->wirelen, ==, w[i].wirelen ? w[i].wirelen : w[i].data.len);
		g_assert_cmpmem(f->data.p, f->data.len, w[i].data.p, w[i].data.len);
	}
}

/* Opens bytes both ways and expects exactly these frames and a clean end. */
static void expect_capture(sv bytes, const char *format, const want *w, size_t n)
{
	for (int via = 0; via < VIA_N; via++) {
		input in;
		GError *err = NULL;
		cap_source *s = cap_source_open(input_open(&in, bytes, via), &err);
		g_assert_no_error(err);
		g_assert_nonnull(s);
		g_assert_cmpstr(cap_source_format(s), ==, format);
		GArray *got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
		g_assert_cmpint(read_all(s, got, &err), ==, CAP_NEXT_EOF);
		g_assert_no_error(err);
		/* Views stay valid after reading on (streams copy records). */
		check_frames(got, w, n);
		g_assert_cmpuint(cap_source_records(s), ==, n);
		cap_frame f;
		g_assert_cmpint(cap_source_next(s, &f, &err), ==, CAP_NEXT_EOF);
		g_array_unref(got);
		cap_source_free(s);
		input_close(&in);
	}
}

/* Opening must fail with this code and a message starting with "prefix". */
static void expect_open_error(const char *path, int code, const char *msg)
{
	GError *err = NULL;
	cap_source *s = cap_source_open(path, &err);
	g_assert_null(s);
	g_assert_error(err, CAP_ERROR, code);
	if (msg)
		g_assert_cmpstr(err->message, ==, msg);
	g_error_free(err);
}

/* ---- classic pcap ------------------------------------------------------ */

static void test_pcap_flavours(void)
{
	const unsigned flavours[] = { 0, CAPW_BE, CAPW_NSEC, CAPW_NSEC | CAPW_BE, CAPW_MODIFIED,
		                      CAPW_MODIFIED | CAPW_BE };
	for (size_t i = 0; i < G_N_ELEMENTS(flavours); i++) {
		unsigned fl = flavours[i];
		g_autoptr(capw) w = capw_pcap_new(LINKTYPE_ETHERNET, 65535, fl);
		capw_pcap_add(w, T0, f1, sizeof(f1), 1500);
		capw_pcap_add(w, T0 + 1001, f2, sizeof(f2), 0);
		capw_pcap_add(w, T0 - 5000000000, f3, sizeof(f3), 0); /* backwards: kept */
		/* µs files lose the nanoseconds */
		int64_t q = (fl & CAPW_NSEC) ? 1 : 1000;
		want exp[] = {
			{ T0 / q * q, LINKTYPE_ETHERNET, sv_make(f1, sizeof(f1)), 1500 },
			{ (T0 + 1001) / q * q, LINKTYPE_ETHERNET, sv_make(f2, sizeof(f2)), 0 },
			{ (T0 - 5000000000) / q * q, LINKTYPE_ETHERNET, sv_make(f3, sizeof(f3)), 0 },
		};
		expect_capture(capw_bytes(w), "pcap", exp, 3);
	}
}

static void test_pcap_exact_timestamps(void)
{
	/* sec = 0xFFFFFFFF must not wrap; µs field times 1000. */
	g_autoptr(capw) w = capw_pcap_new(LINKTYPE_RAW, 0, 0);
	capw_pcap_add_raw(w, 0xFFFFFFFFu, 999999, sizeof(f1), sizeof(f1), f1, sizeof(f1));
	capw_pcap_add_raw(w, 1, 2, sizeof(f1), sizeof(f1), f1, sizeof(f1));
	want exp[] = {
		{ INT64_C(4294967295) * 1000000000 + 999999000, LINKTYPE_RAW, sv_make(f1, sizeof(f1)), 0 },
		{ 1000002000, LINKTYPE_RAW, sv_make(f1, sizeof(f1)), 0 },
	};
	expect_capture(capw_bytes(w), "pcap", exp, 2);

	g_autoptr(capw) n = capw_pcap_new(LINKTYPE_RAW, 0, CAPW_NSEC | CAPW_BE);
	capw_pcap_add_raw(n, 1, 999999999, sizeof(f1), sizeof(f1), f1, sizeof(f1));
	want expn[] = { { 1999999999, LINKTYPE_RAW, sv_make(f1, sizeof(f1)), 0 } };
	expect_capture(capw_bytes(n), "pcap", expn, 1);
}

static void test_pcap_linktype_field(void)
{
	/* Upper bits (FCS information) are not part of the link type. */
	g_autoptr(capw) w = capw_pcap_new(0x14000000u | LINKTYPE_ETHERNET, 0, 0);
	capw_pcap_add(w, T0, f2, sizeof(f2), 0);
	want exp[] = { { T0 / 1000 * 1000, LINKTYPE_ETHERNET, sv_make(f2, sizeof(f2)), 0 } };
	expect_capture(capw_bytes(w), "pcap", exp, 1);

	/* DLT_RAW written as 12 by old tools means raw IP. */
	g_autoptr(capw) r = capw_pcap_new(12, 0, CAPW_BE);
	capw_pcap_add(r, T0, f2, sizeof(f2), 0);
	want expr[] = { { T0 / 1000 * 1000, LINKTYPE_RAW, sv_make(f2, sizeof(f2)), 0 } };
	expect_capture(capw_bytes(r), "pcap", expr, 1);
}

static void test_pcap_lengths_tolerated(void)
{
	/* caplen > wirelen is kept as it is; caplen > snaplen below 256 KiB
	 * too (libpcap reads those); an empty record is fine. */
	static uint8_t big[70000];
	memset(big, 0x5a, sizeof(big));
	g_autoptr(capw) w = capw_pcap_new(LINKTYPE_ETHERNET, 1500, 0);
	capw_pcap_add_raw(w, 1, 0, sizeof(f2), 10, f2, sizeof(f2));
	capw_pcap_add_raw(w, 2, 0, sizeof(big), sizeof(big), big, sizeof(big));
	capw_pcap_add_raw(w, 3, 0, 0, 0, NULL, 0);
	want exp[] = {
		{ 1000000000, LINKTYPE_ETHERNET, sv_make(f2, sizeof(f2)), 10 },
		{ 2000000000, LINKTYPE_ETHERNET, sv_make(big, sizeof(big)), 0 },
		{ 3000000000, LINKTYPE_ETHERNET, SV_NULL, 0 },
	};
	expect_capture(capw_bytes(w), "pcap", exp, 3);
}

/* ---- pcapng ------------------------------------------------------------ */

static void test_pcapng_mixed_interfaces(void)
{
	for (int be = 0; be < 2; be++) {
		g_autoptr(capw) w = capw_pcapng_new(be ? CAPW_BE : 0);
		guint eth = capw_pcapng_interface(w, LINKTYPE_ETHERNET, 262144, CAPW_TSRESOL_NONE, 0);
		guint sll = capw_pcapng_interface(w, LINKTYPE_LINUX_SLL, 65535, 9, 0);
		guint raw = capw_pcapng_interface(w, LINKTYPE_RAW, 0, 3, 0);
		guint bin = capw_pcapng_interface(w, LINKTYPE_IPV4, 0, 0x80 | 10, 0);
		guint off = capw_pcapng_interface(w, LINKTYPE_IPV6, 0, 6, 1000000000);
		guint sll2 = capw_pcapng_interface(w, LINKTYPE_LINUX_SLL2, 0, 0x80 | 40, 0);
		capw_pcapng_epb_raw(w, eth, UINT64_C(1700000000123456), f1, sizeof(f1), 64);
		capw_pcapng_epb_raw(w, sll, UINT64_C(1700000000123456789), f2, sizeof(f2), 0);
		capw_pcapng_epb_raw(w, raw, UINT64_C(1700000000123), f3, sizeof(f3), 0);
		capw_pcapng_epb_raw(w, bin, (UINT64_C(1700000000) << 10) + 512 + 1, f1, sizeof(f1), 0);
		capw_pcapng_epb_raw(w, off, UINT64_C(700000000123456), f2, sizeof(f2), 0);
		capw_pcapng_epb_raw(w, sll2, UINT64_C(3) << 39, f3, sizeof(f3), 0);
		capw_pcapng_epb(w, sll, T0, f1, sizeof(f1), 0);
		capw_pcapng_epb(w, off, T0, f1, sizeof(f1), 0);
		want exp[] = {
			{ INT64_C(1700000000123456000), LINKTYPE_ETHERNET, sv_make(f1, sizeof(f1)), 64 },
			{ INT64_C(1700000000123456789), LINKTYPE_LINUX_SLL, sv_make(f2, sizeof(f2)), 0 },
			{ INT64_C(1700000000123000000), LINKTYPE_RAW, sv_make(f3, sizeof(f3)), 0 },
			/* 512.5 + 1/1024 s: 976562.5 ns truncated */
			{ INT64_C(1700000000500976562), LINKTYPE_IPV4, sv_make(f1, sizeof(f1)), 0 },
			{ INT64_C(1700000000123456000), LINKTYPE_IPV6, sv_make(f2, sizeof(f2)), 0 },
			{ INT64_C(1500000000), LINKTYPE_LINUX_SLL2, sv_make(f3, sizeof(f3)), 0 },
			{ T0, LINKTYPE_LINUX_SLL, sv_make(f1, sizeof(f1)), 0 },
			{ T0 / 1000 * 1000, LINKTYPE_IPV6, sv_make(f1, sizeof(f1)), 0 },
		};
		expect_capture(capw_bytes(w), "pcapng", exp, G_N_ELEMENTS(exp));
	}
}

static void test_pcapng_timestamp_extremes(void)
{
	g_autoptr(capw) w = capw_pcapng_new(0);
	guint sec = capw_pcapng_interface(w, LINKTYPE_RAW, 0, 0, 0);          /* 1 s */
	guint pico = capw_pcapng_interface(w, LINKTYPE_RAW, 0, 12, 0);        /* 10^-12 */
	guint fine = capw_pcapng_interface(w, LINKTYPE_RAW, 0, 127, 0);       /* 10^-127 */
	guint b127 = capw_pcapng_interface(w, LINKTYPE_RAW, 0, 0xff, 0);      /* 2^-127 */
	guint neg = capw_pcapng_interface(w, LINKTYPE_RAW, 0, 9, -1000);      /* offset back */
	guint hugeoff = capw_pcapng_interface(w, LINKTYPE_RAW, 0, 9, INT64_MAX);
	guint b0 = capw_pcapng_interface(w, LINKTYPE_RAW, 0, 0x80, 0);        /* 2^0 = 1 s */
	capw_pcapng_epb_raw(w, sec, UINT64_MAX, f1, sizeof(f1), 0);
	capw_pcapng_epb_raw(w, sec, 1700000000, f1, sizeof(f1), 0);
	capw_pcapng_epb_raw(w, pico, UINT64_C(1234567891234), f1, sizeof(f1), 0);
	capw_pcapng_epb_raw(w, fine, UINT64_MAX, f1, sizeof(f1), 0);
	capw_pcapng_epb_raw(w, b127, UINT64_MAX, f1, sizeof(f1), 0);
	capw_pcapng_epb_raw(w, neg, 5, f1, sizeof(f1), 0);
	capw_pcapng_epb_raw(w, hugeoff, 5, f1, sizeof(f1), 0);
	capw_pcapng_epb_raw(w, b0, 7, f1, sizeof(f1), 0);
	sv d = sv_make(f1, sizeof(f1));
	want exp[] = {
		{ INT64_MAX, LINKTYPE_RAW, d, 0 },
		{ INT64_C(1700000000000000000), LINKTYPE_RAW, d, 0 },
		{ INT64_C(1234567891), LINKTYPE_RAW, d, 0 },
		{ 0, LINKTYPE_RAW, d, 0 },
		{ 0, LINKTYPE_RAW, d, 0 },
		{ INT64_C(-1000) * 1000000000 + 5, LINKTYPE_RAW, d, 0 },
		{ INT64_MAX, LINKTYPE_RAW, d, 0 },
		{ INT64_C(7000000000), LINKTYPE_RAW, d, 0 },
	};
	expect_capture(capw_bytes(w), "pcapng", exp, G_N_ELEMENTS(exp));
}

static void test_pcapng_packet_blocks(void)
{
	static const uint8_t nrb[] = { 1, 0, 8, 0, 10, 0, 0, 1, 'a', '.', 'b', 0, 0, 0, 0, 0 };
	static const uint8_t isb[28] = { 0 };
	static const uint8_t junk[] = { 'x', 'y', 'z' };
	g_autoptr(capw) w = capw_pcapng_new(0);
	capw_pcapng_block(w, 0x12345678, junk, sizeof(junk)); /* unknown, before any IDB */
	guint eth = capw_pcapng_interface(w, LINKTYPE_ETHERNET, 40, 9, 0);
	guint sll = capw_pcapng_interface(w, LINKTYPE_LINUX_SLL, 0, CAPW_TSRESOL_NONE, 0);
	capw_pcapng_block(w, 4, nrb, sizeof(nrb));
	capw_pcapng_spb(w, f1, sizeof(f1), 0); /* no timestamp yet: 0 */
	capw_pcapng_epb(w, eth, T0, f3, sizeof(f3), 0);
	capw_pcapng_block(w, 0x00000BAD, junk, sizeof(junk)); /* custom */
	capw_pcapng_spb(w, f2, sizeof(f2), 0);                /* cut at snaplen 40 */
	capw_pcapng_block(w, 0x0000000A, junk, sizeof(junk)); /* DSB */
	capw_pcapng_pb_raw(w, sll, UINT64_C(1700000000654321), f3, sizeof(f3), 99);
	capw_pcapng_block(w, 0x80000001, NULL, 0); /* local use, empty body */
	capw_pcapng_spb(w, f3, sizeof(f3), 0);
	capw_pcapng_block(w, 5, isb, sizeof(isb));
	want exp[] = {
		{ 0, LINKTYPE_ETHERNET, sv_make(f1, sizeof(f1)), 0 },
		{ T0, LINKTYPE_ETHERNET, sv_make(f3, sizeof(f3)), 0 },
		{ T0, LINKTYPE_ETHERNET, sv_make(f2, 40), sizeof(f2) },
		{ INT64_C(1700000000654321000), LINKTYPE_LINUX_SLL, sv_make(f3, sizeof(f3)), 99 },
		{ INT64_C(1700000000654321000), LINKTYPE_ETHERNET, sv_make(f3, sizeof(f3)), 0 },
	};
	expect_capture(capw_bytes(w), "pcapng", exp, G_N_ELEMENTS(exp));
}

static void test_pcapng_sections(void)
{
	g_autoptr(capw) w = capw_pcapng_new(0);
	guint a0 = capw_pcapng_interface(w, LINKTYPE_ETHERNET, 0, 6, 0);
	guint a1 = capw_pcapng_interface(w, LINKTYPE_RAW, 0, 9, 0);
	capw_pcapng_epb(w, a1, T0, f1, sizeof(f1), 0);
	capw_pcapng_epb(w, a0, T0, f2, sizeof(f2), 0);
	/* Second section, other byte order: ids start again at 0. */
	capw_pcapng_section(w, CAPW_BE);
	guint b0 = capw_pcapng_interface(w, LINKTYPE_LINUX_SLL, 0, 3, 0);
	g_assert_cmpuint(b0, ==, 0);
	capw_pcapng_epb(w, b0, T0, f3, sizeof(f3), 0);
	capw_pcapng_section(w, 0);
	guint c0 = capw_pcapng_interface(w, LINKTYPE_IPV6, 0, 9, 0);
	capw_pcapng_spb(w, f1, sizeof(f1), 0);
	capw_pcapng_epb(w, c0, T0 + 1, f2, sizeof(f2), 0);
	want exp[] = {
		{ T0, LINKTYPE_RAW, sv_make(f1, sizeof(f1)), 0 },
		{ T0 / 1000 * 1000, LINKTYPE_ETHERNET, sv_make(f2, sizeof(f2)), 0 },
		{ T0 / 1000000 * 1000000, LINKTYPE_LINUX_SLL, sv_make(f3, sizeof(f3)), 0 },
		{ T0 / 1000000 * 1000000, LINKTYPE_IPV6, sv_make(f1, sizeof(f1)), 0 },
		{ T0 + 1, LINKTYPE_IPV6, sv_make(f2, sizeof(f2)), 0 },
	};
	expect_capture(capw_bytes(w), "pcapng", exp, G_N_ELEMENTS(exp));
}

/* ---- damage ------------------------------------------------------------ */

/* Reads a source expected to stop with an error after n_ok frames.
 * Returns the error (caller frees). */
static GError *expect_damage(sv bytes, int via, guint n_ok, int code)
{
	input in;
	GError *err = NULL;
	cap_source *s = cap_source_open(input_open(&in, bytes, via), &err);
	g_assert_no_error(err);
	GArray *got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	g_assert_cmpint(read_all(s, got, &err), ==, CAP_NEXT_ERROR);
	g_assert_error(err, CAP_ERROR, code);
	g_assert_cmpuint(got->len, ==, n_ok);
	g_assert_cmpuint(cap_source_records(s), ==, n_ok);
	/* Exactly one error, then a clean end. */
	cap_frame f;
	GError *again = NULL;
	g_assert_cmpint(cap_source_next(s, &f, &again), ==, CAP_NEXT_EOF);
	g_assert_no_error(again);
	g_assert_cmpint(cap_source_next(s, &f, &again), ==, CAP_NEXT_EOF);
	g_array_unref(got);
	cap_source_free(s);
	input_close(&in);
	return err;
}

/* Cuts `full` at every byte.  starts[] are the offsets of the records or
 * blocks after the file header (starts[n] = full length); packet[i] says
 * whether block i is a packet record. */
static void cut_everywhere(sv full, size_t hdr_len, const size_t *starts, const bool *packet, size_t n,
                           const char *what)
{
	for (size_t cut = 0; cut < full.len; cut++) {
		sv part = sv_head(full, cut);
		for (int via = 0; via < VIA_N; via++) {
			if (cut == 0) {
				if (via == VIA_FILE) {
					char *p = capw_temp_file(NULL, 0);
					char *msg = g_strdup_printf("%s: empty file", p);
					expect_open_error(p, CAP_ERROR_FORMAT, msg);
					g_free(msg);
					capw_unlink_free(p);
				}
				continue;
			}
			if (cut < hdr_len) {
				input in;
				expect_open_error(input_open(&in, part, via), CAP_ERROR_TRUNCATED, NULL);
				input_close(&in);
				continue;
			}
			/* Frames wholly before the cut come out, then one error
			 * naming where the cut block starts (or a clean end at
			 * a block boundary). */
			guint n_ok = 0;
			size_t damaged = SIZE_MAX;
			for (size_t i = 0; i < n; i++) {
				if (starts[i + 1] <= cut)
					n_ok += packet[i];
				else if (starts[i] < cut)
					damaged = starts[i];
			}
			bool boundary = cut == hdr_len;
			for (size_t i = 0; i <= n; i++)
				boundary = boundary || starts[i] == cut;
			input in;
			GError *err = NULL;
			cap_source *s = cap_source_open(input_open(&in, part, via), &err);
			g_assert_no_error(err);
			GArray *got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
			cap_next_rc rc = read_all(s, got, &err);
			g_assert_cmpuint(got->len, ==, n_ok);
			if (boundary) {
				g_assert_cmpint(rc, ==, CAP_NEXT_EOF);
				g_assert_no_error(err);
			} else {
				g_assert_cmpint(rc, ==, CAP_NEXT_ERROR);
				g_assert_error(err, CAP_ERROR, CAP_ERROR_TRUNCATED);
				char *needle = g_strdup_printf(": truncated %s at byte %zu (", what, damaged);
				if (!strstr(err->message, needle))
					g_error("cut %zu: \"%s\" lacks \"%s\"", cut, err->message, needle);
				char *tail = g_strdup_printf("); %u record%s read", n_ok, n_ok == 1 ? "" : "s");
				g_assert_true(g_str_has_suffix(err->message, tail));
				g_free(tail);
				g_free(needle);
				g_clear_error(&err);
				cap_frame f;
				g_assert_cmpint(cap_source_next(s, &f, &err), ==, CAP_NEXT_EOF);
				g_assert_no_error(err);
			}
			g_array_unref(got);
			cap_source_free(s);
			input_close(&in);
		}
	}
}

static void test_pcap_truncated_everywhere(void)
{
	const unsigned flavours[] = { 0, CAPW_NSEC | CAPW_BE, CAPW_MODIFIED };
	for (size_t k = 0; k < G_N_ELEMENTS(flavours); k++) {
		g_autoptr(capw) w = capw_pcap_new(LINKTYPE_ETHERNET, 0, flavours[k]);
		size_t starts[4];
		bool packet[3] = { true, true, true };
		starts[0] = capw_size(w);
		capw_pcap_add(w, T0, f1, sizeof(f1), 0);
		starts[1] = capw_size(w);
		capw_pcap_add(w, T0, f2, sizeof(f2), 0);
		starts[2] = capw_size(w);
		capw_pcap_add(w, T0, f3, sizeof(f3), 0);
		starts[3] = capw_size(w);
		cut_everywhere(capw_bytes(w), 24, starts, packet, 3, "record");
	}
}

static void test_pcapng_truncated_everywhere(void)
{
	static const uint8_t junk[] = { 'j', 'u', 'n', 'k', '!' };
	g_autoptr(capw) w = capw_pcapng_new(0);
	size_t hdr = capw_size(w);
	size_t starts[8];
	const bool packet[7] = { false, false, true, false, true, false, false };
	size_t n = 0;
	starts[n++] = capw_size(w);
	capw_pcapng_interface(w, LINKTYPE_ETHERNET, 0, 9, 0);
	starts[n++] = capw_size(w);
	capw_pcapng_interface(w, LINKTYPE_RAW, 0, CAPW_TSRESOL_NONE, 0);
	starts[n++] = capw_size(w);
	capw_pcapng_epb(w, 0, T0, f1, sizeof(f1), 0);
	starts[n++] = capw_size(w);
	capw_pcapng_block(w, 0x0BAD, junk, sizeof(junk));
	starts[n++] = capw_size(w);
	capw_pcapng_spb(w, f2, sizeof(f2), 0);
	starts[n++] = capw_size(w);
	capw_pcapng_section(w, CAPW_BE); /* a second section, other byte order */
	starts[n++] = capw_size(w);
	capw_pcapng_block(w, 0x77, junk, sizeof(junk));
	starts[n] = capw_size(w);
	g_assert_cmpuint(n, ==, 7);
	cut_everywhere(capw_bytes(w), hdr, starts, packet, n, "block");

	/* A three-packet file in big-endian, as the task states it. */
	g_autoptr(capw) b = capw_pcapng_new(CAPW_BE);
	size_t bh = capw_size(b);
	size_t bs[5];
	bool bp[4] = { false, true, true, true };
	bs[0] = capw_size(b);
	capw_pcapng_interface(b, LINKTYPE_LINUX_SLL, 0, 9, 0);
	bs[1] = capw_size(b);
	capw_pcapng_epb(b, 0, T0, f1, sizeof(f1), 0);
	bs[2] = capw_size(b);
	capw_pcapng_pb_raw(b, 0, 1, f2, sizeof(f2), 0);
	bs[3] = capw_size(b);
	capw_pcapng_epb(b, 0, T0, f3, sizeof(f3), 0);
	bs[4] = capw_size(b);
	cut_everywhere(capw_bytes(b), bh, bs, bp, 4, "block");
}

static void test_pcap_corrupt(void)
{
	for (int via = 0; via < VIA_N; via++) {
		/* captured length beyond max(snaplen, 256 KiB) */
		g_autoptr(capw) w = capw_pcap_new(LINKTYPE_ETHERNET, 65535, 0);
		capw_pcap_add(w, T0, f1, sizeof(f1), 0);
		size_t at = capw_size(w);
		capw_pcap_add_raw(w, 1, 0, 300000, 300000, f2, sizeof(f2));
		GError *e = expect_damage(capw_bytes(w), via, 1, CAP_ERROR_CORRUPT);
		char *needle = g_strdup_printf(": corrupt record at byte %zu (record 2: captured length 300000", at);
		g_assert_nonnull(strstr(e->message, needle));
		g_assert_true(g_str_has_suffix(e->message, "; 1 record read"));
		g_free(needle);
		g_error_free(e);

		/* ...but a snaplen that says so raises the limit (then the
		 * record is merely truncated here). */
		g_autoptr(capw) s = capw_pcap_new(LINKTYPE_ETHERNET, 400000, 0);
		capw_pcap_add_raw(s, 1, 0, 300000, 300000, f2, sizeof(f2));
		e = expect_damage(capw_bytes(s), via, 0, CAP_ERROR_TRUNCATED);
		g_error_free(e);
	}
}

/* Builds a pcapng with one good packet then `bad` appended. */
static capw *ng_with_good_packet(void)
{
	capw *w = capw_pcapng_new(0);
	capw_pcapng_interface(w, LINKTYPE_ETHERNET, 0, 6, 0);
	capw_pcapng_epb(w, 0, T0, f1, sizeof(f1), 0);
	return w;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void expect_ng_corrupt(capw *w, size_t at, const char *why)
{
	for (int via = 0; via < VIA_N; via++) {
		GError *e = expect_damage(capw_bytes(w), via, 1, CAP_ERROR_CORRUPT);
		char *needle = g_strdup_printf(": corrupt block at byte %zu (", at);
		if (!strstr(e->message, needle) || !strstr(e->message, why))
			g_error("\"%s\" lacks \"%s\" or \"%s\"", e->message, needle, why);
		g_free(needle);
		g_error_free(e);
	}
}

static void test_pcapng_corrupt(void)
{
	uint8_t raw[64];
	memset(raw, 0, sizeof(raw));

	/* length not a multiple of 4 */
	{
		g_autoptr(capw) w = ng_with_good_packet();
		size_t at = capw_size(w);
		put_le32(raw, 0x99);
		put_le32(raw + 4, 14);
		capw_append(w, raw, 24);
		expect_ng_corrupt(w, at, "block length 14 is not a multiple of 4");
	}
	/* length below 12 */
	{
		g_autoptr(capw) w = ng_with_good_packet();
		size_t at = capw_size(w);
		put_le32(raw, 6);
		put_le32(raw + 4, 8);
		capw_append(w, raw, 24);
		expect_ng_corrupt(w, at, "block length 8 is below 12");
	}
	/* lengths differ at both ends */
	{
		g_autoptr(capw) w = ng_with_good_packet();
		size_t at = capw_size(w);
		capw_pcapng_block(w, 0x99, "abcd", 4);
		size_t len;
		uint8_t *p = capw_bytes_mut(w, &len);
		put_le32(p + len - 4, 20);
		expect_ng_corrupt(w, at, "block length 16 at the start, 20 at the end");
	}
	/* huge length */
	{
		g_autoptr(capw) w = ng_with_good_packet();
		size_t at = capw_size(w);
		put_le32(raw, 6);
		put_le32(raw + 4, 0xFFFFFFF0u);
		capw_append(w, raw, 24);
		expect_ng_corrupt(w, at, "too large");
	}
	/* EPB captured length beyond the block */
	{
		g_autoptr(capw) w = ng_with_good_packet();
		size_t at = capw_size(w);
		capw_pcapng_epb(w, 0, T0, f2, sizeof(f2), 0);
		size_t len;
		uint8_t *p = capw_bytes_mut(w, &len);
		put_le32(p + at + 20, 200); /* caplen field */
		expect_ng_corrupt(w, at, "enhanced packet block, record 2: captured length 200 exceeds the block");
	}
	/* EPB too short for its fixed fields */
	{
		g_autoptr(capw) w = ng_with_good_packet();
		size_t at = capw_size(w);
		capw_pcapng_block(w, 6, "abcdefgh", 8);
		expect_ng_corrupt(w, at, "enhanced packet block, record 2: too short");
	}
	/* interface that does not exist */
	{
		g_autoptr(capw) w = ng_with_good_packet();
		size_t at = capw_size(w);
		capw_pcapng_epb_raw(w, 1, 0, f2, sizeof(f2), 0);
		expect_ng_corrupt(w, at, "interface 1 does not exist (the section has 1)");
	}
	/* interfaces do not carry over into a new section */
	{
		g_autoptr(capw) w = ng_with_good_packet();
		capw_pcapng_section(w, 0);
		size_t at = capw_size(w);
		capw_pcapng_spb(w, f2, sizeof(f2), 0);
		expect_ng_corrupt(w, at, "simple packet block, record 2: interface 0 does not exist");
	}
	/* SHB with a bad byte-order magic in the middle */
	{
		g_autoptr(capw) w = ng_with_good_packet();
		size_t at = capw_size(w);
		capw_pcapng_section(w, 0);
		size_t len;
		uint8_t *p = capw_bytes_mut(w, &len);
		put_le32(p + at + 8, 0x11223344);
		expect_ng_corrupt(w, at, "section header block: unknown byte-order magic 0x11223344");
	}
	/* SHB of an unsupported version */
	{
		g_autoptr(capw) w = ng_with_good_packet();
		size_t at = capw_size(w);
		capw_pcapng_section(w, 0);
		size_t len;
		uint8_t *p = capw_bytes_mut(w, &len);
		p[at + 12] = 2;
		expect_ng_corrupt(w, at, "unsupported version 2.0");
	}
	/* a corrupt IDB option list only loses the options */
	{
		g_autoptr(capw) w = capw_pcapng_new(0);
		size_t at = capw_size(w);
		capw_pcapng_interface(w, LINKTYPE_RAW, 0, 9, 0);
		size_t len;
		uint8_t *p = capw_bytes_mut(w, &len);
		p[at + 16 + 2] = 0xff; /* first option's length: far too long */
		capw_pcapng_epb_raw(w, 0, 1234567, f1, sizeof(f1), 0);
		want exp[] = { { 1234567000, LINKTYPE_RAW, sv_make(f1, sizeof(f1)), 0 } };
		expect_capture(capw_bytes(w), "pcapng", exp, 1);
	}
}

/* ---- opening ----------------------------------------------------------- */

static void test_open_errors(void)
{
	char *dir = g_dir_make_tmp("sipscope-src-XXXXXX", NULL);
	g_assert_nonnull(dir);

	char *missing = g_build_filename(dir, "x.pcap", NULL);
	char *msg = g_strdup_printf("%s: No such file or directory", missing);
	expect_open_error(missing, CAP_ERROR_OPEN, msg);
	g_free(msg);

	msg = g_strdup_printf("%s: is a directory", dir);
	expect_open_error(dir, CAP_ERROR_OPEN, msg);
	g_free(msg);

	char *html = g_build_filename(dir, "x.html", NULL);
	g_assert_true(g_file_set_contents(html, "<!DOCTYPE html>\n", -1, NULL));
	msg = g_strdup_printf("%s: not a pcap or pcapng file (starts with 3c 21 44 4f)", html);
	expect_open_error(html, CAP_ERROR_FORMAT, msg);
	g_free(msg);

	g_assert_true(g_file_set_contents(html, "ab", -1, NULL));
	msg = g_strdup_printf("%s: not a pcap or pcapng file (starts with 61 62)", html);
	expect_open_error(html, CAP_ERROR_FORMAT, msg);
	g_free(msg);

	g_assert_true(g_file_set_contents(html, "\x1f\x8b\x08\x00rest", 8, NULL));
	msg = g_strdup_printf("%s: not a pcap or pcapng file (starts with 1f 8b 08 00: gzip-compressed, "
	                      "decompress it first)", html);
	expect_open_error(html, CAP_ERROR_FORMAT, msg);
	g_free(msg);

	/* Something that starts like an SHB but is text with CRLFs. */
	g_assert_true(g_file_set_contents(html, "\n\r\r\nhello world, this is text", -1, NULL));
	expect_open_error(html, CAP_ERROR_FORMAT, NULL);

	g_assert_true(g_file_set_contents(html, "", 0, NULL));
	msg = g_strdup_printf("%s: empty file", html);
	expect_open_error(html, CAP_ERROR_FORMAT, msg);
	g_free(msg);

	g_assert_true(g_file_set_contents(html, "\xd4\xc3\xb2\xa1\x02\x00", 6, NULL));
	msg = g_strdup_printf("%s: truncated file header (6 of 24 bytes)", html);
	expect_open_error(html, CAP_ERROR_TRUNCATED, msg);
	g_free(msg);

	g_assert_true(g_file_set_contents(html, "\xa1\xb2", 2, NULL));
	msg = g_strdup_printf("%s: truncated file header (2 bytes)", html);
	expect_open_error(html, CAP_ERROR_TRUNCATED, msg);
	g_free(msg);

	/* An empty stream. */
	{
		input in;
		expect_open_error(input_open(&in, SV_NULL, VIA_PIPE), CAP_ERROR_FORMAT, NULL);
		input_close(&in);
	}

	/* A file without read permission (skipped when running as root). */
	if (geteuid() != 0) {
		g_assert_true(g_file_set_contents(html, "x", 1, NULL));
		g_chmod(html, 0);
		expect_open_error(html, CAP_ERROR_OPEN, NULL);
	}

	g_unlink(html);
	g_free(html);
	g_free(missing);
	g_rmdir(dir);
	g_free(dir);
}

/* ---- standard input ---------------------------------------------------- */

typedef struct {
	int wfd;
	sv bytes;
	size_t first; /* bytes up to the end of record 1 */
	GMutex lock;
	GCond cond;
	bool got_first;
} slow_writer;

static gpointer slow_writer_run(gpointer p)
{
	slow_writer *sw = p;
	g_assert_cmpint(write(sw->wfd, sw->bytes.p, sw->first), ==, (ssize_t)sw->first);
	/* Nothing more until the reader has seen frame 1: a reader that
	 * waited for the whole input would hang here. */
	g_mutex_lock(&sw->lock);
	while (!sw->got_first)
		g_cond_wait(&sw->cond, &sw->lock);
	g_mutex_unlock(&sw->lock);
	/* The rest in dribbles of 3 bytes. */
	for (size_t off = sw->first; off < sw->bytes.len; off += 3) {
		size_t n = MIN(3, sw->bytes.len - off);
		g_assert_cmpint(write(sw->wfd, sw->bytes.p + off, n), ==, (ssize_t)n);
		if (off % 30 == 0)
			g_usleep(200);
	}
	close(sw->wfd);
	return NULL;
}

static void test_stdin_pipe(void)
{
	g_autoptr(capw) w = capw_pcapng_new(0);
	capw_pcapng_interface(w, LINKTYPE_ETHERNET, 0, 9, 0);
	capw_pcapng_epb(w, 0, T0, f1, sizeof(f1), 0);
	size_t first = capw_size(w);
	capw_pcapng_epb(w, 0, T0 + 1, f2, sizeof(f2), 0);
	capw_pcapng_epb(w, 0, T0 + 2, f3, sizeof(f3), 0);

	int fds[2];
	g_assert_cmpint(pipe(fds), ==, 0);
	int saved = dup(STDIN_FILENO);
	g_assert_cmpint(dup2(fds[0], STDIN_FILENO), ==, STDIN_FILENO);
	close(fds[0]);

	slow_writer sw = { .wfd = fds[1], .bytes = capw_bytes(w), .first = first };
	g_mutex_init(&sw.lock);
	g_cond_init(&sw.cond);
	GThread *th = g_thread_new("slow", slow_writer_run, &sw);

	GError *err = NULL;
	cap_source *s = cap_source_open("-", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(cap_source_path(s), ==, "-");
	cap_frame f;
	g_assert_cmpint(cap_source_next(s, &f, &err), ==, CAP_NEXT_FRAME);
	g_assert_cmpmem(f.data.p, f.data.len, f1, sizeof(f1));
	g_mutex_lock(&sw.lock);
	sw.got_first = true;
	g_cond_signal(&sw.cond);
	g_mutex_unlock(&sw.lock);

	GArray *got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	g_array_append_val(got, f);
	g_assert_cmpint(read_all(s, got, &err), ==, CAP_NEXT_EOF);
	g_assert_no_error(err);
	want exp[] = {
		{ T0, LINKTYPE_ETHERNET, sv_make(f1, sizeof(f1)), 0 },
		{ T0 + 1, LINKTYPE_ETHERNET, sv_make(f2, sizeof(f2)), 0 },
		{ T0 + 2, LINKTYPE_ETHERNET, sv_make(f3, sizeof(f3)), 0 },
	};
	check_frames(got, exp, 3);
	g_array_unref(got);
	cap_source_free(s);
	g_thread_join(th);
	g_mutex_clear(&sw.lock);
	g_cond_clear(&sw.cond);

	g_assert_cmpint(dup2(saved, STDIN_FILENO), ==, STDIN_FILENO);
	close(saved);
}

static void test_stdin_regular_file(void)
{
	/* `sipscope -r - < file` after something consumed 7 bytes of it:
	 * reading starts where standard input stands. */
	g_autoptr(capw) w = capw_pcap_new(LINKTYPE_ETHERNET, 0, 0);
	capw_pcap_add(w, T0, f2, sizeof(f2), 0);
	sv b = capw_bytes(w);
	uint8_t *buf = g_malloc(b.len + 7);
	memcpy(buf, "garbage", 7);
	memcpy(buf + 7, b.p, b.len);
	char *path = capw_temp_file(buf, b.len + 7);
	g_free(buf);

	int fd = open(path, O_RDONLY);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(lseek(fd, 7, SEEK_SET), ==, 7);
	int saved = dup(STDIN_FILENO);
	g_assert_cmpint(dup2(fd, STDIN_FILENO), ==, STDIN_FILENO);
	close(fd);

	GError *err = NULL;
	cap_source *s = cap_source_open("-", &err);
	g_assert_no_error(err);
	GArray *got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	g_assert_cmpint(read_all(s, got, &err), ==, CAP_NEXT_EOF);
	want exp[] = { { T0 / 1000 * 1000, LINKTYPE_ETHERNET, sv_make(f2, sizeof(f2)), 0 } };
	check_frames(got, exp, 1);
	g_array_unref(got);
	cap_source_free(s);

	g_assert_cmpint(dup2(saved, STDIN_FILENO), ==, STDIN_FILENO);
	close(saved);
	capw_unlink_free(path);
}

static void test_stream_large(void)
{
	/* Records larger than the stream buffer and records straddling its
	 * refills, fed in odd-sized writes. */
	enum { N = 40 };
	g_autoptr(capw) w = capw_pcap_new(LINKTYPE_RAW, 4u << 20, CAPW_NSEC);
	GPtrArray *datas = g_ptr_array_new_with_free_func(g_free);
	want exp[N];
	for (int i = 0; i < N; i++) {
		size_t len = (i % 7 == 3) ? (size_t)(1500000 + i) : (size_t)(100 + 37 * i * i);
		uint8_t *d = g_malloc(len);
		for (size_t j = 0; j < len; j++)
			d[j] = (uint8_t)(i * 31 + j);
		g_ptr_array_add(datas, d);
		capw_pcap_add(w, T0 + i, d, len, 0);
		exp[i] = (want){ T0 + i, LINKTYPE_RAW, sv_make(d, len), 0 };
	}
	feeder *f = feeder_new(capw_bytes(w), 65521);
	GError *err = NULL;
	cap_source *s = cap_source_open(f->path, &err);
	g_assert_no_error(err);
	GArray *got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	g_assert_cmpint(read_all(s, got, &err), ==, CAP_NEXT_EOF);
	g_assert_no_error(err);
	check_frames(got, exp, N);
	g_array_unref(got);
	cap_source_free(s);
	feeder_free(f);
	g_ptr_array_unref(datas);
}

/* ---- merging ----------------------------------------------------------- */

static char *pcap_with_times(const int64_t *ts, size_t n, uint32_t linktype, size_t cut_tail)
{
	g_autoptr(capw) w = capw_pcap_new(linktype, 0, CAPW_NSEC);
	for (size_t i = 0; i < n; i++) {
		uint8_t d[8];
		for (int j = 0; j < 8; j++)
			d[j] = (uint8_t)(i + (linktype == LINKTYPE_ETHERNET ? 0x10 : 0x80));
		capw_pcap_add(w, ts[i], d, sizeof(d), 0);
	}
	sv b = capw_bytes(w);
	return capw_temp_file(b.p, b.len - cut_tail);
}

typedef struct {
	uint32_t source;
	uint64_t record;
	int64_t ts;
} merged;

static void expect_merge(cap_merger *m, const merged *exp, size_t n)
{
	cap_frame f;
	for (size_t i = 0; i < n; i++) {
		g_assert_cmpint(cap_merger_next(m, &f), ==, CAP_NEXT_FRAME);
		g_assert_cmpuint(f.num, ==, i + 1);
		g_assert_cmpuint(f.source, ==, exp[i].source);
		g_assert_cmpuint(f.record, ==, exp[i].record);
		g_assert_cmpint(f.ts_ns, ==, exp[i].ts);
		/* the data says which source and record it came from */
		g_assert_cmpuint(f.data.len, ==, 8);
		g_assert_cmpuint(f.data.p[0], ==, (exp[i].record - 1) + (exp[i].source == 0 ? 0x10 : 0x80));
	}
	g_assert_cmpint(cap_merger_next(m, &f), ==, CAP_NEXT_EOF);
	g_assert_cmpint(cap_merger_next(m, &f), ==, CAP_NEXT_EOF);
}

static void test_merge_interleaved(void)
{
	const int64_t a[] = { 10, 30, 50, 70, 70 };
	const int64_t b[] = { 20, 30, 40, 80, 5 }; /* last goes backwards */
	char *pa = pcap_with_times(a, G_N_ELEMENTS(a), LINKTYPE_ETHERNET, 0);
	char *pb = pcap_with_times(b, G_N_ELEMENTS(b), LINKTYPE_RAW, 0);
	cap_source *src[2];
	src[0] = cap_source_open(pa, NULL);
	src[1] = cap_source_open(pb, NULL);
	g_assert_nonnull(src[0]);
	g_assert_nonnull(src[1]);
	cap_merger *m = cap_merger_new(src, 2);
	const merged exp[] = {
		{ 0, 1, 10 }, { 1, 1, 20 }, { 0, 2, 30 }, { 1, 2, 30 }, { 1, 3, 40 },
		{ 0, 3, 50 }, { 0, 4, 70 }, { 0, 5, 70 }, { 1, 4, 80 }, { 1, 5, 5 },
	};
	expect_merge(m, exp, G_N_ELEMENTS(exp));
	g_assert_cmpuint(cap_merger_errors(m)->len, ==, 0);
	cap_merger_free(m);
	capw_unlink_free(pa);
	capw_unlink_free(pb);

	/* No sources at all. */
	cap_merger *e = cap_merger_new(NULL, 0);
	cap_frame f;
	g_assert_cmpint(cap_merger_next(e, &f), ==, CAP_NEXT_EOF);
	cap_merger_free(e);
}

static void test_merge_truncated(void)
{
	const int64_t a[] = { 10, 20, 30, 40 };
	const int64_t b[] = { 15, 25, 35, 45 };
	char *pa = pcap_with_times(a, G_N_ELEMENTS(a), LINKTYPE_ETHERNET, 0);
	char *pb = pcap_with_times(b, G_N_ELEMENTS(b), LINKTYPE_RAW, 13); /* cuts record 4 */
	cap_source *src[2] = { cap_source_open(pa, NULL), cap_source_open(pb, NULL) };
	cap_merger *m = cap_merger_new(src, 2);
	const merged exp[] = {
		{ 0, 1, 10 }, { 1, 1, 15 }, { 0, 2, 20 }, { 1, 2, 25 },
		{ 0, 3, 30 }, { 1, 3, 35 }, { 0, 4, 40 },
	};
	expect_merge(m, exp, G_N_ELEMENTS(exp));
	const GPtrArray *errs = cap_merger_errors(m);
	g_assert_cmpuint(errs->len, ==, 1);
	const GError *e = g_ptr_array_index(errs, 0);
	g_assert_error((GError *)e, CAP_ERROR, CAP_ERROR_TRUNCATED);
	char *msg = g_strdup_printf("%s: truncated record at byte %d (record 4); 3 records read", pb, 24 + 3 * 24);
	g_assert_cmpstr(e->message, ==, msg);
	g_free(msg);
	cap_merger_free(m);
	capw_unlink_free(pa);
	capw_unlink_free(pb);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	signal(SIGPIPE, SIG_IGN);
	frames_init();
	g_test_add_func("/source/pcap/flavours", test_pcap_flavours);
	g_test_add_func("/source/pcap/exact-timestamps", test_pcap_exact_timestamps);
	g_test_add_func("/source/pcap/linktype-field", test_pcap_linktype_field);
	g_test_add_func("/source/pcap/lengths-tolerated", test_pcap_lengths_tolerated);
	g_test_add_func("/source/pcap/truncated-everywhere", test_pcap_truncated_everywhere);
	g_test_add_func("/source/pcap/corrupt", test_pcap_corrupt);
	g_test_add_func("/source/pcapng/mixed-interfaces", test_pcapng_mixed_interfaces);
	g_test_add_func("/source/pcapng/timestamp-extremes", test_pcapng_timestamp_extremes);
	g_test_add_func("/source/pcapng/packet-blocks", test_pcapng_packet_blocks);
	g_test_add_func("/source/pcapng/sections", test_pcapng_sections);
	g_test_add_func("/source/pcapng/truncated-everywhere", test_pcapng_truncated_everywhere);
	g_test_add_func("/source/pcapng/corrupt", test_pcapng_corrupt);
	g_test_add_func("/source/open-errors", test_open_errors);
	g_test_add_func("/source/stdin/pipe", test_stdin_pipe);
	g_test_add_func("/source/stdin/regular-file", test_stdin_regular_file);
	g_test_add_func("/source/stream/large", test_stream_large);
	g_test_add_func("/source/merge/interleaved", test_merge_interleaved);
	g_test_add_func("/source/merge/truncated", test_merge_truncated);
	return g_test_run();
}
