/*
 * capture/frame_store.h: every frame comes back as it was added, the
 * compact ones and those kept whole alike, across pages of frames and of
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
			/* what the compact form cannot hold */
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

/* A message a frame, as UDP gives them: 24 bytes a frame and 8 a
 * message, with no more slack than a page of each. */
static void test_compact(void)
{
	frame_store *fs = frame_store_new();
	enum { N = 100000 };
	for (uint32_t id = 0; id < N; id++) {
		cap_frame f = frame(id + 1, 200);
		frame_store_add(fs, id, &f, 1);
	}
	size_t b = frame_store_bytes(fs);
	g_assert_cmpuint(b, >=, (size_t)N * 32);
	g_assert_cmpuint(b, <=, (size_t)N * 32 + 24 * 1024 + 256 + 32 * 1024 + 4096);
	g_autoptr(GArray) got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	frame_store_get(fs, N - 1, got);
	cap_frame w = frame(N, 200);
	g_assert_cmpuint(got->len, ==, 1);
	assert_frame_eq(&g_array_index(got, cap_frame, 0), &w);
	frame_store_free(fs);
}

/* A pointer that is never read: only its value is kept and given back. */
static const uint8_t *far_ptr(const uint8_t *p, int64_t by)
{
	return (const uint8_t *)(uintptr_t)((uintptr_t)p + (uintptr_t)by);
}

/* Each limit of the compact form, on both sides: what fits is packed,
 * what does not is kept whole (the store's size tells how many), and
 * every frame comes back as it was added, in a page shared with
 * ordinary frames. */
static void test_limits(void)
{
	frame_store *fs = frame_store_new();
	GArray *all = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	uint64_t num = 1000;
	cap_frame f0 = frame(num++, 100);
	g_array_append_val(all, f0);   /* the page's first frame: its base */
	cap_frame f;
	/* data 2 GB - 1 after the base and 2 GB before it fit; a byte more does not */
	f = frame(num++, 100);
	f.data.p = far_ptr(f0.data.p, INT32_MAX);
	g_array_append_val(all, f);
	f = frame(num++, 100);
	f.data.p = far_ptr(f0.data.p, INT32_MIN);
	g_array_append_val(all, f);
	f = frame(num++, 100);
	f.data.p = far_ptr(f0.data.p, (int64_t)INT32_MAX + 1);
	g_array_append_val(all, f);
	f = frame(num++, 100);
	f.data.p = far_ptr(f0.data.p, (int64_t)INT32_MIN - 1);
	g_array_append_val(all, f);
	/* frame numbers: 2^31 - 1 after fits, 2^31 after does not; an
	 * earlier one (a stream's first segment) fits */
	f = frame(f0.num + INT32_MAX, 100);
	f.record = f.num;
	g_array_append_val(all, f);
	f = frame(f0.num - 3, 100);
	g_array_append_val(all, f);
	f = frame(f0.num + (uint64_t)INT32_MAX + 1, 100);
	f.record = f.num;
	g_array_append_val(all, f);
	/* lengths: 65,535 fits, 65,536 does not; 255 bytes not captured
	 * fit, 256 do not, nor a wire length below the captured one */
	f = frame(num++, 65535);
	f.wirelen = 65535;
	g_array_append_val(all, f);
	f = frame(num++, 65535);
	f.caplen = 65536;
	f.data.len = 65536;
	f.wirelen = 65536;
	g_array_append_val(all, f);
	f = frame(num++, 100);
	f.wirelen = 100 + 255;
	g_array_append_val(all, f);
	f = frame(num++, 100);
	f.wirelen = 100 + 256;
	g_array_append_val(all, f);
	f = frame(num++, 100);
	f.wirelen = 99;
	g_array_append_val(all, f);
	/* times of any size, before the epoch too */
	const int64_t times[] = { INT64_MIN, INT64_MAX, -1, 0 };
	for (guint i = 0; i < G_N_ELEMENTS(times); i++) {
		f = frame(num++, 100);
		f.ts_ns = times[i];
		g_array_append_val(all, f);
	}
	/* no data at all */
	f = frame(num++, 0);
	f.data = SV_NULL;
	g_array_append_val(all, f);
	/* nine more inputs in the page: five take its last shapes, four are
	 * kept whole, and the first of them again packed */
	for (uint32_t src = 10; src < 19; src++) {
		f = frame(num++, 80);
		f.source = src;
		f.linktype = 113;
		g_array_append_val(all, f);
	}
	f = frame(num++, 80);
	f.source = 10;
	f.linktype = 113;
	g_array_append_val(all, f);
	for (guint i = 0; i < all->len; i++)
		frame_store_add(fs, i, &g_array_index(all, cap_frame, i), 1);
	g_autoptr(GArray) got = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	for (guint i = 0; i < all->len; i++) {
		g_array_set_size(got, 0);
		frame_store_get(fs, i, got);
		g_assert_cmpuint(got->len, ==, 1);
		assert_frame_eq(&g_array_index(got, cap_frame, 0), &g_array_index(all, cap_frame, i));
	}
	/* the frames kept whole, from the size beyond that of a store of one
	 * packed frame (the same pages): 2 data, 1 number, 1 length, 2 wire
	 * lengths, 1 without data, and 4 inputs beyond the page's eight
	 * shapes (frame() gave the first frames sources 0, 1 and 2) */
	frame_store *one = frame_store_new();
	frame_store_add(one, 0, &f0, 1);
	g_assert_cmpuint(frame_store_bytes(fs) - frame_store_bytes(one), ==, 11 * sizeof(cap_frame));
	frame_store_free(one);
	g_array_free(all, TRUE);
	frame_store_free(fs);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/frame-store/round-trip", test_round_trip);
	g_test_add_func("/frame-store/compact", test_compact);
	g_test_add_func("/frame-store/limits", test_limits);
	return g_test_run();
}
