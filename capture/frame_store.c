#include "frame_store.h"

#include <string.h>

enum {
	FRAME_PAGE_SHIFT = 10,
	FRAME_PAGE = 1 << FRAME_PAGE_SHIFT,   /* 40 KB */
	SLOT_PAGE_SHIFT = 12,
	SLOT_PAGE = 1 << SLOT_PAGE_SHIFT,     /* 32 KB */
	SOURCE_WHOLE = UINT16_MAX,            /* kept_frame.source: the frame is in whole[] */
};

/* A cap_frame in 40 bytes: the record number as its distance back from
 * the frame number (equal for one input), link type and input number in
 * 16 bits each, the length once (data.len == caplen). */
typedef struct kept_frame {
	const uint8_t *data;
	uint64_t num;
	int64_t ts_ns;
	uint32_t caplen, wirelen;
	uint32_t record_back;      /* num - record; SOURCE_WHOLE: index into whole */
	uint16_t linktype, source;
} kept_frame;
G_STATIC_ASSERT(sizeof(kept_frame) == 40);

/* A message's frames: [start, start + count) of the kept frames. */
typedef struct msg_slot {
	uint32_t start, count;
} msg_slot;

struct frame_store {
	kept_frame **fpages;
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

static kept_frame *frame_at(const frame_store *fs, uint32_t i)
{
	return &fs->fpages[i >> FRAME_PAGE_SHIFT][i & (FRAME_PAGE - 1)];
}

static void frame_pack(frame_store *fs, const cap_frame *f, kept_frame *k)
{
	if (f->linktype < SOURCE_WHOLE && f->source < SOURCE_WHOLE && f->record <= f->num &&
	    f->num - f->record <= UINT32_MAX && f->data.len == f->caplen) {
		*k = (kept_frame){ f->data.p, f->num, f->ts_ns, f->caplen, f->wirelen,
			(uint32_t)(f->num - f->record), (uint16_t)f->linktype, (uint16_t)f->source };
		return;
	}
	*k = (kept_frame){ .record_back = fs->whole->len, .source = SOURCE_WHOLE };
	g_array_append_val(fs->whole, *f);
}

static cap_frame frame_unpack(const frame_store *fs, const kept_frame *k)
{
	if (k->source == SOURCE_WHOLE)
		return g_array_index(fs->whole, cap_frame, k->record_back);
	return (cap_frame){
		.num = k->num, .ts_ns = k->ts_ns, .linktype = k->linktype, .caplen = k->caplen,
		.wirelen = k->wirelen, .source = k->source, .record = k->num - k->record_back,
		.data = sv_make(k->data, k->caplen),
	};
}

void frame_store_add(frame_store *fs, uint32_t id, const cap_frame *frames, guint n)
{
	/* 2^32 frames would take 160 GB: the index stays 32 bits */
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
				FRAME_PAGE * sizeof(kept_frame));
		frame_pack(fs, &frames[i], frame_at(fs, fs->n_frames));
		fs->n_frames++;
	}
}

void frame_store_get(const frame_store *fs, uint32_t id, GArray *out)
{
	if (id >= fs->n_slots)
		return;
	const msg_slot *s = slot_at(fs, id);
	for (uint32_t k = 0; k < s->count; k++) {
		cap_frame f = frame_unpack(fs, frame_at(fs, s->start + k));
		g_array_append_val(out, f);
	}
}

uint64_t frame_store_frames(const frame_store *fs)
{
	return fs->n_frames;
}

size_t frame_store_bytes(const frame_store *fs)
{
	return (size_t)fs->n_fpages * FRAME_PAGE * sizeof(kept_frame) +
	       (size_t)fs->cap_fpages * sizeof(void *) +
	       (size_t)fs->n_spages * SLOT_PAGE * sizeof(msg_slot) +
	       (size_t)fs->cap_spages * sizeof(void *) + fs->whole->len * sizeof(cap_frame);
}
