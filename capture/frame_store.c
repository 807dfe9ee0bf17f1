#include "frame_store.h"

#include <string.h>

enum {
	FRAME_PAGE_SHIFT = 10,
	FRAME_PAGE = 1 << FRAME_PAGE_SHIFT,   /* 24 KB */
	SLOT_PAGE_SHIFT = 12,
	SLOT_PAGE = 1 << SLOT_PAGE_SHIFT,     /* 32 KB */
	PAGE_SHAPES = 8,                      /* inputs (and link types) a page tells apart */
	SHAPE_WHOLE = UINT8_MAX,              /* kept_frame.shape: the frame is in whole[] */
};

/* A cap_frame in 24 bytes, against its page: the data pointer and the
 * frame number as distances from the page's first frame (the frames of
 * one page are a few hundred kilobytes of capture apart), the record
 * number as its distance back from the frame number (equal for one
 * input), link type and input as one of the page's shapes, the length
 * once (data.len == caplen) in 16 bits and the bytes not captured in 8.
 * The time stays whole, in two halves so that the record needs no
 * 8-byte alignment: inter-arrival times have no bound. */
typedef struct kept_frame {
	uint32_t ts_lo, ts_hi;
	int32_t data_delta;
	int32_t num_delta;
	uint32_t record_back;      /* num - record; SHAPE_WHOLE: index into whole */
	uint16_t caplen;
	uint8_t wire_extra;        /* wirelen - caplen */
	uint8_t shape;
} kept_frame;
G_STATIC_ASSERT(sizeof(kept_frame) == 24);

typedef struct frame_shape {
	uint32_t linktype, source;
} frame_shape;

typedef struct frame_page {
	uintptr_t base;            /* data pointer of the page's first compact frame */
	uint64_t base_num;         /* and its number */
	bool based;
	uint8_t n_shapes;
	frame_shape shapes[PAGE_SHAPES];
	kept_frame f[FRAME_PAGE];
} frame_page;

/* A message's frames: [start, start + count) of the kept frames. */
typedef struct msg_slot {
	uint32_t start, count;
} msg_slot;

struct frame_store {
	frame_page **fpages;
	guint n_fpages, cap_fpages;
	uint32_t n_frames;
	msg_slot **spages;
	guint n_spages, cap_spages;
	uint32_t n_slots;          /* ids below have a slot */
	GArray *whole;             /* cap_frame: the frames the compact form cannot hold */
};

frame_store *frame_store_new(void)
{
	frame_store *fs = g_new0(frame_store, 1);
	fs->whole = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	return fs;
}

void frame_store_free(frame_store *fs)
{
	if (!fs)
		return;
	for (guint i = 0; i < fs->n_fpages; i++)
		g_free(fs->fpages[i]);
	g_free(fs->fpages);
	for (guint i = 0; i < fs->n_spages; i++)
		g_free(fs->spages[i]);
	g_free(fs->spages);
	g_array_free(fs->whole, TRUE);
	g_free(fs);
}

/* A new page at the end of a directory (which doubles: one pointer per
 * page, its slack is small). */
static void page_add(void ***pages, guint *n, guint *cap, size_t page_bytes)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*pages = g_renew(void *, *pages, *cap);
	}
	(*pages)[(*n)++] = g_malloc0(page_bytes);
}

static msg_slot *slot_at(const frame_store *fs, uint32_t id)
{
	return &fs->spages[id >> SLOT_PAGE_SHIFT][id & (SLOT_PAGE - 1)];
}

static frame_page *page_of(const frame_store *fs, uint32_t i)
{
	return fs->fpages[i >> FRAME_PAGE_SHIFT];
}

/* The shape of linktype and source among the page's, added when there is
 * room; SHAPE_WHOLE when there is none. */
static uint8_t page_shape(frame_page *pg, uint32_t linktype, uint32_t source)
{
	for (uint8_t s = 0; s < pg->n_shapes; s++)
		if (pg->shapes[s].linktype == linktype && pg->shapes[s].source == source)
			return s;
	if (pg->n_shapes == PAGE_SHAPES)
		return SHAPE_WHOLE;
	pg->shapes[pg->n_shapes] = (frame_shape){ linktype, source };
	return pg->n_shapes++;
}

/* Whether v fits an int32_t. */
static bool fits32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

static void frame_pack(frame_store *fs, frame_page *pg, const cap_frame *f, kept_frame *k)
{
	uintptr_t data = (uintptr_t)f->data.p;
	if (f->data.p != NULL && f->data.len == f->caplen && f->caplen <= UINT16_MAX &&
	    f->wirelen >= f->caplen && f->wirelen - f->caplen <= UINT8_MAX &&
	    f->record <= f->num && f->num - f->record <= UINT32_MAX) {
		if (!pg->based) {
			pg->based = true;
			pg->base = data;
			pg->base_num = f->num;
		}
		/* distances as signed differences of unsigned values: a frame
		 * may lie before the page's first one (a stream's earlier
		 * segments) */
		int64_t dd = (int64_t)(data - pg->base);
		int64_t dn = (int64_t)(f->num - pg->base_num);
		uint8_t shape = fits32(dd) && fits32(dn) ? page_shape(pg, f->linktype, f->source)
							 : SHAPE_WHOLE;
		if (shape != SHAPE_WHOLE) {
			uint64_t ts = (uint64_t)f->ts_ns;
			*k = (kept_frame){ (uint32_t)ts, (uint32_t)(ts >> 32), (int32_t)dd, (int32_t)dn,
				(uint32_t)(f->num - f->record), (uint16_t)f->caplen,
				(uint8_t)(f->wirelen - f->caplen), shape };
			return;
		}
	}
	*k = (kept_frame){ .record_back = fs->whole->len, .shape = SHAPE_WHOLE };
	g_array_append_val(fs->whole, *f);
}

static cap_frame frame_unpack(const frame_store *fs, uint32_t i)
{
	const frame_page *pg = page_of(fs, i);
	const kept_frame *k = &pg->f[i & (FRAME_PAGE - 1)];
	if (k->shape == SHAPE_WHOLE)
		return g_array_index(fs->whole, cap_frame, k->record_back);
	uint64_t num = pg->base_num + (uint64_t)(int64_t)k->num_delta;
	const uint8_t *data = (const uint8_t *)(pg->base + (uintptr_t)(intptr_t)k->data_delta);
	return (cap_frame){
		.num = num, .ts_ns = (int64_t)((uint64_t)k->ts_hi << 32 | k->ts_lo),
		.linktype = pg->shapes[k->shape].linktype, .caplen = k->caplen,
		.wirelen = (uint32_t)k->caplen + k->wire_extra, .source = pg->shapes[k->shape].source,
		.record = num - k->record_back, .data = sv_make(data, k->caplen),
	};
}

void frame_store_add(frame_store *fs, uint32_t id, const cap_frame *frames, guint n)
{
	/* 2^32 frames would take 100 GB: the index stays 32 bits */
	if (id < fs->n_slots || id == UINT32_MAX || (uint64_t)fs->n_frames + n > UINT32_MAX)
		return;
	/* slots of the ids skipped read "no frames": pages come zeroed */
	while ((uint64_t)fs->n_spages << SLOT_PAGE_SHIFT <= id)
		page_add((void ***)&fs->spages, &fs->n_spages, &fs->cap_spages,
			SLOT_PAGE * sizeof(msg_slot));
	*slot_at(fs, id) = (msg_slot){ fs->n_frames, n };
	fs->n_slots = id + 1;
	for (guint i = 0; i < n; i++) {
		if (((uint64_t)fs->n_fpages << FRAME_PAGE_SHIFT) <= fs->n_frames)
			page_add((void ***)&fs->fpages, &fs->n_fpages, &fs->cap_fpages,
				sizeof(frame_page));
		frame_page *pg = page_of(fs, fs->n_frames);
		frame_pack(fs, pg, &frames[i], &pg->f[fs->n_frames & (FRAME_PAGE - 1)]);
		fs->n_frames++;
	}
}

void frame_store_get(const frame_store *fs, uint32_t id, GArray *out)
{
	if (id >= fs->n_slots)
		return;
	const msg_slot *s = slot_at(fs, id);
	for (uint32_t k = 0; k < s->count; k++) {
		cap_frame f = frame_unpack(fs, s->start + k);
		g_array_append_val(out, f);
	}
}

uint64_t frame_store_frames(const frame_store *fs)
{
	return fs->n_frames;
}

size_t frame_store_bytes(const frame_store *fs)
{
	return (size_t)fs->n_fpages * sizeof(frame_page) +
	       (size_t)fs->cap_fpages * sizeof(void *) +
	       (size_t)fs->n_spages * SLOT_PAGE * sizeof(msg_slot) +
	       (size_t)fs->cap_spages * sizeof(void *) + fs->whole->len * sizeof(cap_frame);
}
