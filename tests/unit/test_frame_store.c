/*
 * capture/frame_store.h: every frame comes back as it was added, with
 * any value in any field, across blocks and pages of frames and of
 * message slots; skipped and unknown ids have none.
 */
#include <glib.h>
#include <string.h>

#include "capture/frame_store.h"

static uint8_t bytes[4096];

static cap_frame frame(uint64_t num, uint32_t len)
{
	return (cap_frame){
		.num = num, .ts_ns = INT64_C(1700000000000000000) + (int64_t)num * 1000,
		.linktype = 1, .caplen = len, .wirelen = len + 4, .source = (uint32_t)(num % 3),
		.record = num - num % 7, .data = sv_make(bytes + num % 1000, len),
	};
}

static void assert_frame_eq(const cap_frame *a, const cap_frame *b)
{
	g_assert_cmpuint(a->num, ==, b->num);
	g_assert_cmpint(a->ts_ns, ==, b->ts_ns);
	g_assert_cmpuint(a->linktype, ==, b->linktype);
	g_assert_cmpuint(a->caplen, ==, b->caplen);
	g_assert_cmpuint(a->wirelen, ==, b->wirelen);
	g_assert_cmpuint(a->source, ==, b->source);
	g_assert_cmpuint(a->record, ==, b->record);
	g_assert_true(a->data.p == b->data.p);
	g_assert_cmpuint(a->data.len, ==, b->data.len);
}

static void test_round_trip(void)
{
	frame_store *fs = frame_store_new();
	GArray *want = g_array_new(FALSE, FALSE, sizeof(GArray *));
	uint64_t num = 1;
	/* ids with gaps, up past a page of slots (4096); one message with
	 * more frames than a page of frames (1024) */
	const uint32_t ids[] = { 0, 2, 3, 4095, 4096, 4097, 9000, 9001 };
	for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
		guint n = ids[i] == 4096 ? 2500 : 1 + i % 3;
		GArray *fr = g_array_new(FALSE, FALSE, sizeof(cap_frame));
		for (guint k = 0; k < n; k++) {
			cap_frame f = frame(num++, 60 + k % 900);
			g_array_append_val(fr, f);
		}
		if (ids[i] == 9000) {
			/* fields far from the frames around them */
			cap_frame *f = &g_array_index(fr, cap_frame, 0);
			f->linktype = 70000;
			if (fr->len > 1) {
				cap_frame *g = &g_array_index(fr, cap_frame, 1);
				g->num = UINT64_C(1) << 40;
				g->record = 1;
			}
		}
		if (ids[i] == 9001) {
			g_array_index(fr, cap_frame, 0).source = 65535;
			g_array_index(fr, cap_frame, 0).data.len = 10;   /* less than caplen */
		}
		frame_store_add(fs, ids[i], (const cap_frame *)(const void *)fr->data, fr->len);
		g_array_append_val(want, fr);
	}
	/* an id already passed is not taken */
	cap_frame late = frame(99, 60);
	frame_store_add(fs, 3, &late, 1);

	g_autoptr(GArray) got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
		g_array_set_size(got, 0);
		frame_store_get(fs, ids[i], got);
		GArray *w = g_array_index(want, GArray *, i);
		g_assert_cmpuint(got->len, ==, w->len);
		for (guint k = 0; k < w->len; k++)
			assert_frame_eq(&g_array_index(got, cap_frame, k), &g_array_index(w, cap_frame, k));
	}
	const uint32_t none[] = { 1, 5, 4094, 4098, 8999, 9002, 100000 };
	for (guint i = 0; i < G_N_ELEMENTS(none); i++) {
		g_array_set_size(got, 0);
		frame_store_get(fs, none[i], got);
		g_assert_cmpuint(got->len, ==, 0);
	}
	g_assert_cmpuint(frame_store_frames(fs), ==, num - 1);
	for (guint i = 0; i < want->len; i++)
		g_array_free(g_array_index(want, GArray *, i), TRUE);
	g_array_free(want, TRUE);
	frame_store_free(fs);
}

/* A pointer that is never read: only its value is kept and given back. */
static const uint8_t *far_ptr(const uint8_t *p, int64_t by)
{
	return (const uint8_t *)(uintptr_t)((uintptr_t)p + (uintptr_t)by);
}

/* A message a frame, as UDP gives them from a file of microsecond
 * resolution: the next frame number, up to a few tens of milliseconds
 * later, the next record in the mapping (a 16-byte record header after
 * the frame before), one input: 4 bytes a message and 6 or 7 a frame
 * (a block's first, coded against nothing, takes more: at most 8 on
 * average), with no more slack than a page of each kind.  Frames of nanosecond
 * resolution, and others further apart in the file, take a few more
 * bytes (test_round_trip). */
static void test_compact(void)
{
	frame_store *fs = frame_store_new();
	enum { N = 100000 };
	g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	static const uint8_t file[1];
	int64_t ts = INT64_C(1700000000000000000), at = 24;
	for (uint32_t id = 0; id < N; id++) {
		uint32_t len = 400 + (id * 7919) % 1100;
		ts += 1000 * (1 + (int64_t)((id * 104729) % 40000));
		at += 16;
		cap_frame f = {
			.num = id + 1, .ts_ns = ts, .linktype = 1, .caplen = len, .wirelen = len,
			.record = id + 1, .data = sv_make(far_ptr(file, at), len),
		};
		at += len;
		frame_store_add(fs, id, &f, 1);
		g_array_append_val(all, f);
	}
	size_t b = frame_store_bytes(fs);
	g_assert_cmpuint(b, <=, (size_t)N * (4 + 8) + 64 * 1024 + 8 * 1024 + 16 * 1024 + 3 * 256);
	g_autoptr(GArray) got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	for (uint32_t id = 0; id < N; id++) {
		g_array_set_size(got, 0);
		frame_store_get(fs, id, got);
		g_assert_cmpuint(got->len, ==, 1);
		assert_frame_eq(&g_array_index(got, cap_frame, 0), &g_array_index(all, cap_frame, id));
	}
	frame_store_free(fs);
}

/* Every field at its extremes, against ordinary frames before and after
 * it, in one block and across blocks, one message a frame and several:
 * each comes back as it was added. */
static void test_extremes(void)
{
	frame_store *fs = frame_store_new();
	GArray *all = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	uint64_t num = 1000;
	cap_frame f0 = frame(num, 100);
	cap_frame f;
	const int64_t far[] = { INT64_MAX, INT64_MIN, -1, (int64_t)INT32_MAX + 1, 1 };
	for (guint i = 0; i < G_N_ELEMENTS(far); i++) {
		f = frame(num++, 100);
		f.data.p = far_ptr(f0.data.p, far[i]);
		g_array_append_val(all, f);
	}
	const uint64_t nums[] = { UINT64_MAX, 0, 1, UINT64_C(1) << 63, 5 };
	for (guint i = 0; i < G_N_ELEMENTS(nums); i++) {
		f = frame(num, 100);
		f.num = nums[i];
		g_array_append_val(all, f);
	}
	const int64_t times[] = { INT64_MIN, INT64_MAX, -1, 0, INT64_MAX, INT64_MIN };
	for (guint i = 0; i < G_N_ELEMENTS(times); i++) {
		f = frame(num++, 100);
		f.ts_ns = times[i];
		g_array_append_val(all, f);
	}
	/* lengths: the largest, a wire length below the captured one, none
	 * on the wire, data shorter than captured, no data at all */
	f = frame(num++, 100);
	f.caplen = UINT32_MAX;
	f.wirelen = UINT32_MAX;
	g_array_append_val(all, f);
	f = frame(num++, 100);
	f.wirelen = 99;
	g_array_append_val(all, f);
	f = frame(num++, 100);
	f.wirelen = 0;
	g_array_append_val(all, f);
	f = frame(num++, 100);
	f.data.len = 7;
	g_array_append_val(all, f);
	f = frame(num++, 0);
	f.data = SV_NULL;
	g_array_append_val(all, f);
	/* record numbers: none, ahead of the frame number, the largest */
	const uint64_t records[] = { 0, UINT64_MAX, num + 10 };
	for (guint i = 0; i < G_N_ELEMENTS(records); i++) {
		f = frame(num++, 100);
		f.record = records[i];
		g_array_append_val(all, f);
	}
	/* inputs and link types, the largest too, changing and back */
	const uint32_t shapes[][2] = { { 113, 0 }, { 113, 0 }, { 1, UINT32_MAX },
		{ UINT32_MAX, 5 }, { 0, 0 }, { 1, 0 } };
	for (guint i = 0; i < G_N_ELEMENTS(shapes); i++) {
		f = frame(num++, 80);
		f.linktype = shapes[i][0];
		f.source = shapes[i][1];
		g_array_append_val(all, f);
	}
	/* twice over, so that they fall on other places of the blocks, with
	 * ordinary frames between */
	guint n = all->len;
	for (guint i = 0; i < n; i++) {
		f = frame(num++, 300);
		g_array_append_val(all, f);
		cap_frame again = g_array_index(all, cap_frame, i);
		g_array_append_val(all, again);
	}
	guint id = 0;
	for (guint i = 0; i < all->len; i++)
		frame_store_add(fs, id++, &g_array_index(all, cap_frame, i), 1);
	/* and as messages of 1 to 40 frames */
	guint first_multi = id;
	g_autoptr(GArray) sizes = g_array_new(FALSE, FALSE, sizeof(guint));
	for (guint i = 0, k = 1; i < all->len; i += k, k = k % 40 + 1) {
		guint m = MIN(k, all->len - i);
		frame_store_add(fs, id++, &g_array_index(all, cap_frame, i), m);
		g_array_append_val(sizes, m);
	}
	g_autoptr(GArray) got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	for (guint i = 0; i < all->len; i++) {
		g_array_set_size(got, 0);
		frame_store_get(fs, i, got);
		g_assert_cmpuint(got->len, ==, 1);
		assert_frame_eq(&g_array_index(got, cap_frame, 0), &g_array_index(all, cap_frame, i));
	}
	for (guint s = 0, i = 0; s < sizes->len; s++) {
		guint m = g_array_index(sizes, guint, s);
		g_array_set_size(got, 0);
		frame_store_get(fs, first_multi + s, got);
		g_assert_cmpuint(got->len, ==, m);
		for (guint k = 0; k < m; k++)
			assert_frame_eq(&g_array_index(got, cap_frame, k),
				&g_array_index(all, cap_frame, i + k));
		i += m;
	}
	g_assert_cmpuint(frame_store_frames(fs), ==, 2 * all->len);
	g_array_free(all, TRUE);
	frame_store_free(fs);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/frame-store/round-trip", test_round_trip);
	g_test_add_func("/frame-store/compact", test_compact);
	g_test_add_func("/frame-store/extremes", test_extremes);
	return g_test_run();
}
