/*
 * test_pcap_writer.c — the -w writer: classic pcap for one link type,
 * pcapng for several, rotation by size and by time with names that sort,
 * and a write failure in the middle (the file must still end with whole
 * records and read back cleanly); and cap_writer_save (the UI's "save
 * packets"): nanosecond classic pcap, pcapng for mixed link types, an
 * empty file, the errors.  Every file is read back with the project's own
 * reader (cap_source_open).
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "capture/pcap_writer.h"
#include "capture/source.h"

#define T0 INT64_C(1700000000123456789)

static uint8_t *frame_bytes(guint i, uint32_t len)
{
	uint8_t *b = g_malloc(len ? len : 1);
	for (uint32_t k = 0; k < len; k++)
		b[k] = (uint8_t)(i * 7 + k);
	return b;
}

static cap_frame make_frame(guint i, uint32_t len, uint32_t linktype, uint32_t source, int64_t ts, uint8_t *bytes)
{
	cap_frame f = {
		.num = i + 1,
		.ts_ns = ts,
		.linktype = linktype,
		.caplen = len,
		.wirelen = len + 10,
		.source = source,
		.record = i + 1,
		.data = sv_make(bytes, len),
	};
	return f;
}

/* Reads path and checks frame i (from first) against what was written. */
static guint check_file(const char *path, guint first, const char *format, bool usec, uint32_t want_linktype_even,
			uint32_t want_linktype_odd, int64_t step_ns, const uint32_t *lens)
{
	g_autoptr(GError) err = NULL;
	cap_source *s = cap_source_open(path, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(cap_source_format(s), ==, format);
	cap_frame f;
	guint n = 0;
	cap_next_rc rc;
	while ((rc = cap_source_next(s, &f, &err)) == CAP_NEXT_FRAME) {
		guint i = first + n;
		uint32_t len = lens[i];
		g_assert_cmpuint(f.caplen, ==, len);
		g_assert_cmpuint(f.wirelen, ==, len + 10);
		g_assert_cmpuint(f.linktype, ==, i % 2 ? want_linktype_odd : want_linktype_even);
		int64_t ts = T0 + (int64_t)i * step_ns;
		if (usec)
			ts -= ts % 1000;
		g_assert_cmpint(f.ts_ns, ==, ts);
		g_autofree uint8_t *b = frame_bytes(i, len);
		g_assert_true(sv_eq(f.data, sv_make(b, len)));
		n++;
	}
	g_assert_no_error(err);
	g_assert_cmpint(rc, ==, CAP_NEXT_EOF);
	cap_source_free(s);
	return n;
}

static char *tmpdir(void)
{
	g_autoptr(GError) err = NULL;
	char *d = g_dir_make_tmp("sipscope-writer-XXXXXX", &err);
	g_assert_no_error(err);
	return d;
}

static void rm_rf(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, n, NULL);
		g_unlink(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

/* g_ptr_array_sort hands pointers to the elements. */
static gint cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the files in dir. */
static GPtrArray *list_dir(const char *dir)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	while ((n = g_dir_read_name(d)))
		g_ptr_array_add(a, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(a, cmp_names);
	return a;
}

static void write_n(cap_writer *w, guint n, const uint32_t *lens, bool mixed, int64_t step_ns)
{
	for (guint i = 0; i < n; i++) {
		g_autofree uint8_t *b = frame_bytes(i, lens[i]);
		uint32_t lt = mixed && i % 2 ? LINKTYPE_RAW : LINKTYPE_ETHERNET;
		cap_frame f = make_frame(i, lens[i], lt, mixed ? i % 2 : 0, T0 + (int64_t)i * step_ns, b);
		g_assert_true(cap_writer_write(w, &f));
	}
}

static void test_classic(void)
{
	g_autofree char *dir = tmpdir();
	g_autofree char *path = g_build_filename(dir, "out.pcap", NULL);
	cap_writer_iface ifc = { LINKTYPE_ETHERNET, 65535, "eth0" };
	cap_writer_config cfg = { .path = path, .ifaces = &ifc, .n_ifaces = 1 };
	g_autoptr(GError) err = NULL;
	cap_writer *w = cap_writer_open(&cfg, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(cap_writer_format(w), ==, "pcap");
	enum { N = 3000 };
	uint32_t lens[N];
	for (guint i = 0; i < N; i++)
		lens[i] = (i * 131) % 1600; /* includes 0 */
	write_n(w, N, lens, false, 1000123);
	/* Flushed at the buffer's size: part is on disk before the close. */
	g_assert_true(cap_writer_flush(w));
	g_assert_cmpuint(check_file(path, 0, "pcap", true, LINKTYPE_ETHERNET, LINKTYPE_ETHERNET, 1000123, lens), ==, N);
	g_assert_cmpuint(cap_writer_frames(w), ==, N);
	g_assert_true(cap_writer_close(w, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(check_file(path, 0, "pcap", true, LINKTYPE_ETHERNET, LINKTYPE_ETHERNET, 1000123, lens), ==, N);
	rm_rf(dir);
}

static void test_pcapng_mixed(void)
{
	g_autofree char *dir = tmpdir();
	g_autofree char *path = g_build_filename(dir, "out.pcapng", NULL);
	cap_writer_iface ifc[2] = { { LINKTYPE_ETHERNET, 262144, "lo" }, { LINKTYPE_RAW, 262144, "udp:127.0.0.1:9060" } };
	cap_writer_config cfg = { .path = path, .ifaces = ifc, .n_ifaces = 2 };
	g_autoptr(GError) err = NULL;
	cap_writer *w = cap_writer_open(&cfg, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(cap_writer_format(w), ==, "pcapng");
	enum { N = 500 };
	uint32_t lens[N];
	for (guint i = 0; i < N; i++)
		lens[i] = 20 + (i * 37) % 900;
	write_n(w, N, lens, true, 777);
	g_assert_true(cap_writer_close(w, &err));
	/* Nanoseconds kept; each frame with its own link type. */
	g_assert_cmpuint(check_file(path, 0, "pcapng", false, LINKTYPE_ETHERNET, LINKTYPE_RAW, 777, lens), ==, N);
	rm_rf(dir);
}

static void test_names(void)
{
	cap_writer_config cfg = { .path = "/x/calls.pcap", .rotate_bytes = 1000 };
	g_autofree char *a = cap_writer_file_name(&cfg, 0, T0);
	g_autofree char *b = cap_writer_file_name(&cfg, 12, T0);
	g_assert_cmpstr(a, ==, "/x/calls-00000.pcap");
	g_assert_cmpstr(b, ==, "/x/calls-00012.pcap");
	cap_writer_config nodot = { .path = "/x.d/calls", .rotate_secs = 5 };
	g_autofree char *c = cap_writer_file_name(&nodot, 3, T0);
	g_assert_cmpstr(c, ==, "/x.d/calls-00003");
	cap_writer_config plain = { .path = "calls-%H.pcap" };
	g_autofree char *d = cap_writer_file_name(&plain, 0, T0);
	g_assert_cmpstr(d, ==, "calls-%H.pcap");
	cap_writer_config pat = { .path = "calls-%Y.pcap", .rotate_secs = 60 };
	g_autofree char *e = cap_writer_file_name(&pat, 4, T0);
	g_assert_cmpstr(e, ==, "calls-2023.pcap");
	pat.rotate_bytes = 1000000;
	g_autofree char *f = cap_writer_file_name(&pat, 4, T0);
	g_assert_cmpstr(f, ==, "calls-2023-00004.pcap");
}

static void test_rotate_size(void)
{
	g_autofree char *dir = tmpdir();
	g_autofree char *path = g_build_filename(dir, "cap.pcap", NULL);
	cap_writer_iface ifc = { LINKTYPE_ETHERNET, 65535, NULL };
	enum { LIMIT = 10000, N = 400 };
	cap_writer_config cfg = { .path = path, .rotate_bytes = LIMIT, .ifaces = &ifc, .n_ifaces = 1 };
	g_autoptr(GError) err = NULL;
	cap_writer *w = cap_writer_open(&cfg, &err);
	g_assert_no_error(err);
	uint32_t lens[N];
	for (guint i = 0; i < N; i++)
		lens[i] = i == 100 ? 12000 : 50 + (i * 53) % 700; /* one larger than the limit */
	write_n(w, N, lens, false, 1000);
	guint files = cap_writer_files(w);
	g_assert_true(cap_writer_close(w, &err));
	g_autoptr(GPtrArray) names = list_dir(dir);
	g_assert_cmpuint(names->len, ==, files);
	g_assert_cmpuint(files, >, 10);
	guint total = 0;
	for (guint i = 0; i < names->len; i++) {
		char want[32];
		g_snprintf(want, sizeof(want), "cap-%05u.pcap", i);
		g_assert_cmpstr(g_ptr_array_index(names, i), ==, want);
		g_autofree char *p = g_build_filename(dir, want, NULL);
		GStatBuf st;
		g_assert_cmpint(g_stat(p, &st), ==, 0);
		guint n = check_file(p, total, "pcap", true, LINKTYPE_ETHERNET, LINKTYPE_ETHERNET, 1000, lens);
		g_assert_cmpuint(n, >, 0);
		/* Only a file holding the one oversized frame alone may pass. */
		if (!(n == 1 && lens[total] > LIMIT))
			g_assert_cmpint(st.st_size, <=, LIMIT);
		total += n;
	}
	g_assert_cmpuint(total, ==, N);
	rm_rf(dir);
}

static void test_rotate_time(void)
{
	g_autofree char *dir = tmpdir();
	g_autofree char *path = g_build_filename(dir, "t.pcap", NULL);
	cap_writer_iface ifc = { LINKTYPE_ETHERNET, 65535, NULL };
	cap_writer_config cfg = { .path = path, .rotate_secs = 3, .ifaces = &ifc, .n_ifaces = 1 };
	g_autoptr(GError) err = NULL;
	cap_writer *w = cap_writer_open(&cfg, &err);
	g_assert_no_error(err);
	enum { N = 10 };
	uint32_t lens[N];
	for (guint i = 0; i < N; i++)
		lens[i] = 100;
	/* One frame a second: files of 3, 3, 3 and 1 frames. */
	write_n(w, N, lens, false, 1000000000);
	g_assert_cmpuint(cap_writer_files(w), ==, 4);
	g_assert_true(cap_writer_close(w, &err));
	guint want_n[] = { 3, 3, 3, 1 };
	guint total = 0;
	for (guint i = 0; i < 4; i++) {
		g_autofree char *name = g_strdup_printf("t-%05u.pcap", i);
		g_autofree char *p = g_build_filename(dir, name, NULL);
		guint n = check_file(p, total, "pcap", true, LINKTYPE_ETHERNET, LINKTYPE_ETHERNET, 1000000000, lens);
		g_assert_cmpuint(n, ==, want_n[i]);
		total += n;
	}
	rm_rf(dir);
}

/* A pattern coarser than the rotation gives the same name twice: the
 * second file gets a counter instead of replacing the first. */
static void test_rotate_pattern_repeat(void)
{
	g_autofree char *dir = tmpdir();
	g_autofree char *path = g_build_filename(dir, "p-%Y.pcap", NULL);
	cap_writer_iface ifc = { LINKTYPE_ETHERNET, 65535, NULL };
	cap_writer_config cfg = { .path = path, .rotate_secs = 1, .ifaces = &ifc, .n_ifaces = 1 };
	g_autoptr(GError) err = NULL;
	cap_writer *w = cap_writer_open(&cfg, &err);
	g_assert_no_error(err);
	uint32_t lens[3] = { 60, 60, 60 };
	write_n(w, 3, lens, false, 2000000000);
	g_assert_true(cap_writer_close(w, &err));
	g_autoptr(GPtrArray) names = list_dir(dir);
	g_assert_cmpuint(names->len, ==, 3);
	rm_rf(dir);
}

static void test_open_error(void)
{
	cap_writer_iface ifc = { LINKTYPE_ETHERNET, 65535, NULL };
	cap_writer_config cfg = { .path = "/nonexistent-dir/x.pcap", .ifaces = &ifc, .n_ifaces = 1 };
	g_autoptr(GError) err = NULL;
	g_assert_null(cap_writer_open(&cfg, &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "cannot write /nonexistent-dir/x.pcap"));
	g_assert_null(strchr(err->message, '\n'));
}

/* A disk that fills in the middle (a file size limit stands in for it:
 * the same short write, then an error): one error line, writing stops,
 * frames are counted as lost, and the file still reads back cleanly with
 * exactly the frames said to be written. */
static void test_write_failure(void)
{
	g_autofree char *dir = tmpdir();
	g_autofree char *path = g_build_filename(dir, "full.pcap", NULL);
	cap_writer_iface ifc = { LINKTYPE_ETHERNET, 65535, NULL };
	cap_writer_config cfg = { .path = path, .ifaces = &ifc, .n_ifaces = 1 };
	g_autoptr(GError) err = NULL;
	cap_writer *w = cap_writer_open(&cfg, &err);
	g_assert_no_error(err);

	struct rlimit old, lim;
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 300000; /* bytes: cuts the second buffer write short */
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);

	enum { N = 4000 };
	uint32_t lens[N];
	for (guint i = 0; i < N; i++)
		lens[i] = 200;
	guint ok = 0;
	for (guint i = 0; i < N; i++) {
		g_autofree uint8_t *b = frame_bytes(i, lens[i]);
		cap_frame f = make_frame(i, lens[i], LINKTYPE_ETHERNET, 0, T0 + i, b);
		if (cap_writer_write(w, &f))
			ok++;
	}
	bool flushed = cap_writer_flush(w);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, prev);

	g_assert_false(flushed);
	g_assert_true(cap_writer_failed(w));
	const char *e = cap_writer_error(w);
	g_assert_nonnull(e);
	g_assert_nonnull(strstr(e, "cannot write"));
	g_assert_nonnull(strstr(e, "writing stopped after"));
	g_assert_null(strchr(e, '\n'));
	uint64_t written = cap_writer_frames(w);
	g_assert_cmpuint(written, >, 0);
	g_assert_cmpuint(written, <, N);
	g_assert_cmpuint(written + cap_writer_frames_lost(w), ==, N);
	g_assert_false(cap_writer_close(w, &err));
	g_assert_nonnull(err);
	/* Whole records only, exactly the frames counted as written. */
	g_assert_cmpuint(check_file(path, 0, "pcap", true, LINKTYPE_ETHERNET, LINKTYPE_ETHERNET, 1, lens), ==, written);
	GStatBuf st;
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_size, ==, 24 + (int64_t)written * (16 + 200));
	rm_rf(dir);
}

/* /dev/full: every write fails; nothing is said to be written. */
static void test_dev_full(void)
{
	if (access("/dev/full", W_OK) != 0) {
		g_test_skip("no /dev/full");
		return;
	}
	cap_writer_iface ifc = { LINKTYPE_ETHERNET, 65535, NULL };
	cap_writer_config cfg = { .path = "/dev/full", .ifaces = &ifc, .n_ifaces = 1 };
	g_autoptr(GError) err = NULL;
	cap_writer *w = cap_writer_open(&cfg, &err);
	g_assert_no_error(err);
	uint8_t b[100] = { 0 };
	cap_frame f = make_frame(0, sizeof(b), LINKTYPE_ETHERNET, 0, T0, b);
	g_assert_true(cap_writer_write(w, &f));
	g_assert_false(cap_writer_flush(w));
	g_assert_false(cap_writer_write(w, &f));
	g_assert_cmpuint(cap_writer_frames(w), ==, 0);
	g_assert_cmpuint(cap_writer_frames_lost(w), ==, 2);
	g_assert_nonnull(strstr(cap_writer_error(w), "No space left on device"));
	g_assert_false(cap_writer_close(w, &err));
}

/* The first n frames of write_n's kind, in one array (bytes freed by the
 * caller through *bytes). */
static cap_frame *save_frames(guint n, const uint32_t *lens, bool mixed, int64_t step_ns, GPtrArray *bytes)
{
	cap_frame *fr = g_new0(cap_frame, n ? n : 1);
	for (guint i = 0; i < n; i++) {
		uint8_t *b = frame_bytes(i, lens[i]);
		g_ptr_array_add(bytes, b);
		uint32_t lt = mixed && i % 2 ? LINKTYPE_RAW : LINKTYPE_ETHERNET;
		fr[i] = make_frame(i, lens[i], lt, i % 3, T0 + (int64_t)i * step_ns, b);
	}
	return fr;
}

static uint32_t file_magic(const char *path)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	g_assert_cmpuint(len, >=, 4);
	uint32_t m;
	memcpy(&m, data, 4);
	return m;
}

static void test_save(void)
{
	g_autofree char *dir = tmpdir();
	enum { N = 400 };
	uint32_t lens[N];
	for (guint i = 0; i < N; i++)
		lens[i] = (i * 53) % 1500;
	g_autoptr(GPtrArray) bytes = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) err = NULL;
	uint64_t written = 0;

	/* One link type (from several inputs): classic pcap, nanoseconds kept. */
	g_autofree char *one = g_build_filename(dir, "one.pcap", NULL);
	g_autofree cap_frame *fr = save_frames(N, lens, false, 1000123, bytes);
	g_assert_true(cap_writer_save(one, fr, N, &written, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(written, ==, N);
	g_assert_cmphex(file_magic(one), ==, 0xa1b23c4d);
	g_assert_cmpuint(check_file(one, 0, "pcap", false, LINKTYPE_ETHERNET, LINKTYPE_ETHERNET, 1000123, lens), ==, N);

	/* Mixed link types: pcapng, each frame with its own. */
	g_autofree char *mixed = g_build_filename(dir, "mixed.pcapng", NULL);
	g_autofree cap_frame *mfr = save_frames(N, lens, true, 777, bytes);
	g_assert_true(cap_writer_save(mixed, mfr, N, &written, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(written, ==, N);
	g_assert_cmpuint(check_file(mixed, 0, "pcapng", false, LINKTYPE_ETHERNET, LINKTYPE_RAW, 777, lens), ==, N);

	/* Nothing to save: a valid, empty Ethernet capture. */
	g_autofree char *empty = g_build_filename(dir, "empty.pcap", NULL);
	g_assert_true(cap_writer_save(empty, fr, 0, &written, &err));
	g_assert_cmpuint(written, ==, 0);
	g_assert_cmpuint(check_file(empty, 0, "pcap", false, LINKTYPE_ETHERNET, LINKTYPE_ETHERNET, 1, lens), ==, 0);
	g_autofree char *hdr = NULL;
	gsize hdr_len = 0;
	g_assert_true(g_file_get_contents(empty, &hdr, &hdr_len, NULL));
	g_assert_cmpuint(hdr_len, ==, 24);
	uint32_t linktype;
	memcpy(&linktype, hdr + 20, 4);
	g_assert_cmpuint(linktype, ==, LINKTYPE_ETHERNET);

	/* Errors: the one line, nothing counted as written. */
	g_assert_false(cap_writer_save("/nonexistent-dir/x.pcap", fr, N, &written, &err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_nonnull(strstr(err->message, "/nonexistent-dir/x.pcap"));
	g_assert_cmpuint(written, ==, 0);
	g_clear_error(&err);
	if (g_file_test("/dev/full", G_FILE_TEST_EXISTS)) {
		g_assert_false(cap_writer_save("/dev/full", fr, N, &written, &err));
		g_assert_nonnull(err);
		g_assert_nonnull(strstr(err->message, "No space left on device"));
		g_assert_cmpuint(written, ==, 0);
	}
	rm_rf(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pcap_writer/classic", test_classic);
	g_test_add_func("/pcap_writer/pcapng_mixed", test_pcapng_mixed);
	g_test_add_func("/pcap_writer/names", test_names);
	g_test_add_func("/pcap_writer/rotate_size", test_rotate_size);
	g_test_add_func("/pcap_writer/rotate_time", test_rotate_time);
	g_test_add_func("/pcap_writer/rotate_pattern_repeat", test_rotate_pattern_repeat);
	g_test_add_func("/pcap_writer/open_error", test_open_error);
	g_test_add_func("/pcap_writer/write_failure", test_write_failure);
	g_test_add_func("/pcap_writer/dev_full", test_dev_full);
	g_test_add_func("/pcap_writer/save", test_save);
	return g_test_run();
}
