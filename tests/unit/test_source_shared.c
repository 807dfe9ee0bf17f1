/*
 * test_source_shared.c — every real capture of the shared collection reads
 * in full with the frame count of its expected.tsv, mapped and streamed
 * alike, and all of them merged at once.
 *
 * The collection lives outside the project: SIPSCOPE_SHARED_PCAPS names
 * it, by default <tests>/../../shared/pcaps.  Without it the tests skip.
 */
#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "capture/source.h"

typedef struct {
	char *path;
	char *name;
	guint64 frames;
} entry;

static char *shared_dir(void)
{
	const char *env = g_getenv("SIPSCOPE_SHARED_PCAPS");
	if (env && *env)
		return g_strdup(env);
	return g_build_filename(SIPSCOPE_TEST_DATA, "..", "..", "shared", "pcaps", NULL);
}

static void entry_clear(gpointer p)
{
	entry *e = p;
	g_free(e->path);
	g_free(e->name);
}

/* The entries of expected.tsv, or NULL (test skipped) when absent. */
static GArray *load_expected(void)
{
	char *dir = shared_dir();
	char *tsv = g_build_filename(dir, "expected.tsv", NULL);
	char *text = NULL;
	GArray *out = NULL;
	if (!g_file_get_contents(tsv, &text, NULL, NULL)) {
		char *why = g_strdup_printf("no shared captures at %s", dir);
		g_test_skip(why);
		g_free(why);
		goto done;
	}
	out = g_array_new(FALSE, TRUE, sizeof(entry));
	g_array_set_clear_func(out, entry_clear);
	char **lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		char **cols = g_strsplit(*l, "\t", -1);
		if (g_strv_length(cols) >= 2 && strcmp(cols[0], "file") != 0) {
			entry e = {
				.path = g_build_filename(dir, cols[0], NULL),
				.name = g_strdup(cols[0]),
				.frames = g_ascii_strtoull(cols[1], NULL, 10),
			};
			g_array_append_val(out, e);
		}
		g_strfreev(cols);
	}
	g_strfreev(lines);
	g_assert_cmpuint(out->len, >, 0);
done:
	g_free(text);
	g_free(tsv);
	g_free(dir);
	return out;
}

/* Counts frames and sums a cheap digest of their bytes and times. */
static guint64 read_source(cap_source *s, guint64 *digest)
{
	guint64 n = 0, d = 0;
	cap_frame f;
	GError *err = NULL;
	cap_next_rc rc;
	while ((rc = cap_source_next(s, &f, &err)) == CAP_NEXT_FRAME) {
		n++;
		g_assert_cmpuint(f.record, ==, n);
		g_assert_cmpuint(f.caplen, ==, f.data.len);
		d = d * 31 + (guint64)f.ts_ns + f.linktype + f.wirelen;
		for (size_t i = 0; i < f.data.len; i++)
			d = d * 131 + f.data.p[i];
	}
	g_assert_no_error(err);
	g_assert_cmpint(rc, ==, CAP_NEXT_EOF);
	*digest = d;
	return n;
}

static void test_shared_mapped(void)
{
	GArray *list = load_expected();
	if (!list)
		return;
	for (guint i = 0; i < list->len; i++) {
		const entry *e = &g_array_index(list, entry, i);
		GError *err = NULL;
		cap_source *s = cap_source_open(e->path, &err);
		g_assert_no_error(err);
		guint64 digest;
		guint64 n = read_source(s, &digest);
		if (n != e->frames)
			g_error("%s: %" G_GUINT64_FORMAT " frames, expected %" G_GUINT64_FORMAT, e->name, n, e->frames);
		g_assert_cmpuint(cap_source_records(s), ==, n);
		const char *fmt = g_str_has_suffix(e->name, "ng") ? "pcapng" : "pcap";
		g_assert_cmpstr(cap_source_format(s), ==, fmt);
		cap_source_free(s);
	}
	g_array_unref(list);
}

typedef struct {
	int fd;
	char *data;
	gsize len;
} pipe_feed;

static gpointer feed_run(gpointer p)
{
	pipe_feed *f = p;
	gsize off = 0;
	while (off < f->len) {
		ssize_t w = write(f->fd, f->data + off, MIN(f->len - off, 40000));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (gsize)w;
	}
	close(f->fd);
	return NULL;
}

static void test_shared_streamed(void)
{
	GArray *list = load_expected();
	if (!list)
		return;
	for (guint i = 0; i < list->len; i++) {
		const entry *e = &g_array_index(list, entry, i);
		GError *err = NULL;
		cap_source *m = cap_source_open(e->path, &err);
		g_assert_no_error(err);
		guint64 dm;
		guint64 nm = read_source(m, &dm);
		cap_source_free(m);

		int fds[2];
		g_assert_cmpint(pipe(fds), ==, 0);
		pipe_feed feed = { .fd = fds[1] };
		g_assert_true(g_file_get_contents(e->path, &feed.data, &feed.len, NULL));
		GThread *th = g_thread_new("feed", feed_run, &feed);
		char path[64];
		g_snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
		cap_source *s = cap_source_open(path, &err);
		g_assert_no_error(err);
		guint64 ds;
		guint64 ns = read_source(s, &ds);
		cap_source_free(s);
		close(fds[0]);
		g_thread_join(th);
		g_free(feed.data);
		if (ns != nm || ds != dm)
			g_error("%s: streamed %" G_GUINT64_FORMAT " frames differ from mapped %" G_GUINT64_FORMAT,
			        e->name, ns, nm);
	}
	g_array_unref(list);
}

static void test_shared_merged(void)
{
	GArray *list = load_expected();
	if (!list)
		return;
	cap_source **src = g_new0(cap_source *, list->len);
	guint64 total = 0;
	for (guint i = 0; i < list->len; i++) {
		const entry *e = &g_array_index(list, entry, i);
		src[i] = cap_source_open(e->path, NULL);
		g_assert_nonnull(src[i]);
		total += e->frames;
	}
	cap_merger *m = cap_merger_new(src, list->len);
	guint64 *per = g_new0(guint64, list->len);
	cap_frame f;
	guint64 n = 0;
	int64_t last = INT64_MIN;
	guint64 backwards = 0;
	while (cap_merger_next(m, &f) == CAP_NEXT_FRAME) {
		g_assert_cmpuint(f.num, ==, ++n);
		g_assert_cmpuint(f.source, <, list->len);
		g_assert_cmpuint(f.record, ==, ++per[f.source]);
		backwards += f.ts_ns < last;
		last = f.ts_ns;
	}
	g_assert_cmpuint(n, ==, total);
	g_assert_cmpuint(cap_merger_errors(m)->len, ==, 0);
	g_test_message("%" G_GUINT64_FORMAT " frames merged, %" G_GUINT64_FORMAT " steps back in time", n, backwards);
	cap_merger_free(m);
	g_free(per);
	g_free(src);
	g_array_unref(list);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	signal(SIGPIPE, SIG_IGN);
	g_test_add_func("/source-shared/mapped", test_shared_mapped);
	g_test_add_func("/source-shared/streamed", test_shared_streamed);
	g_test_add_func("/source-shared/merged", test_shared_merged);
	return g_test_run();
}
