#include "frame_store.h"

#include <string.h>

enum {
	BLOCK_FRAMES = 32,                    /* frames coded against the one before */
	CODE_PAGE = 64 * 1024,                /* bytes of code a page */
	/* the longest code of one frame: the head and the number (two 64-bit
	 * varints), the time and where its bytes are (two more), its length
	 * (32 bits), then the rare part (its byte, two 32-bit and three 64-bit
	 * varints) */
	FRAME_CODE_MAX = 2 * 10 + 2 * 10 + 5 + 1 + 2 * 5 + 3 * 10,
	SLOT_PAGE_SHIFT = 12,
	SLOT_PAGE = 1 << SLOT_PAGE_SHIFT,     /* 16 KB */
	INDEX_PAGE_SHIFT = 10,
	INDEX_PAGE = 1 << INDEX_PAGE_SHIFT,   /* 8 KB, 32,768 frames */
};

/* The three low bits of a frame's first varint (the difference of frame
 * numbers above them). */
enum {
	HEAD_TS_NS = 1,     /* the time's difference is in nanoseconds, not microseconds */
	HEAD_RARE = 2,      /* a byte of the rare flags below follows, then their fields */
	HEAD_BIG_NUM = 4,   /* the number's difference is too large to share the varint: it
	                       follows as one of its own (0 above the flags) */
	HEAD_SHIFT = 3,
};

/* Which of the rare fields follow. */
enum {
	RARE_SHAPE = 1,     /* linktype and source differ from the frame before */
	RARE_WIRE = 2,      /* wirelen is not caplen */
	RARE_RECORD = 4,    /* the record number is not the frame number */
	RARE_DATA_LEN = 8,  /* data.len is not caplen */
};

/* What a frame is coded against: the frame before it in its block, or
 * zeros for a block's first. */
typedef struct code_state {
	uint64_t num, ts, data;
	uint32_t caplen, linktype, source;
} code_state;

struct frame_store {
	uint8_t **code;            /* pages of CODE_PAGE bytes */
	guint n_code, cap_code;
	uint32_t code_used;        /* bytes used in the last page */
	uint64_t **index;          /* pages of INDEX_PAGE block starts: page << 32 | offset */
	guint n_index, cap_index;
	uint32_t n_frames;
	code_state last;           /* the last frame added */
	uint32_t **slots;          /* pages of SLOT_PAGE: each id's first frame */
	guint n_spages, cap_spages;
	uint32_t n_slots;          /* ids below have a slot */
};

frame_store *frame_store_new(void)
{
	return g_new0(frame_store, 1);
}

static void pages_free(void **pages, guint n)
{
	for (guint i = 0; i < n; i++)
		g_free(pages[i]);
	g_free(pages);
}

void frame_store_free(frame_store *fs)
{
	if (!fs)
		return;
	pages_free((void **)fs->code, fs->n_code);
	pages_free((void **)fs->index, fs->n_index);
	pages_free((void **)fs->slots, fs->n_spages);
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

static uint32_t *slot_at(const frame_store *fs, uint32_t id)
{
	return &fs->slots[id >> SLOT_PAGE_SHIFT][id & (SLOT_PAGE - 1)];
}

static uint64_t *block_start(const frame_store *fs, uint32_t block)
{
	return &fs->index[block >> INDEX_PAGE_SHIFT][block & (INDEX_PAGE - 1)];
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static uint8_t *put_varint(uint8_t *o, uint64_t v)
{
	while (v >= 0x80) {
		*o++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*o++ = (uint8_t)v;
	return o;
}

/* The code was written by put_varint into the store's own pages: it is
 * well formed and ends within its page. */
static const uint8_t *get_varint(const uint8_t *i, uint64_t *v)
{
	uint64_t r = 0;
	for (unsigned shift = 0;; shift += 7) {
		uint8_t b = *i++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
	}
	*v = r;
	return i;
}

/* The differences to the frame before are small for frames in capture
 * order: the next number, a few microseconds to seconds later, in the
 * file right after it or a few frames further.  So a frame is its number's
 * difference with two flags in one varint, the time's difference (in
 * microseconds when it is a whole number of them, as in every capture
 * of microsecond resolution), where its bytes start against where the
 * frame before ended (a record header further for frames one after the
 * other), and its length: 6 or 7 bytes where a whole cap_frame takes 64.
 * The rare fields (another link type or input, a frame shorter on the
 * wire than captured, a record number of a merged input) cost more bytes
 * only where they occur; nothing is out of reach. */
static uint8_t *frame_code(uint8_t *o, const code_state *prev, const cap_frame *f)
{
	int64_t dts = (int64_t)((uint64_t)f->ts_ns - prev->ts);
	uint8_t rare = 0;
	if (f->linktype != prev->linktype || f->source != prev->source)
		rare |= RARE_SHAPE;
	if (f->wirelen != f->caplen)
		rare |= RARE_WIRE;
	if (f->record != f->num)
		rare |= RARE_RECORD;
	if (f->data.len != f->caplen)
		rare |= RARE_DATA_LEN;
	bool ns = dts % 1000 != 0;
	uint64_t dnum = zigzag((int64_t)(f->num - prev->num));
	bool big = dnum >> (64 - HEAD_SHIFT) != 0;
	unsigned h = (rare ? HEAD_RARE : 0) | (ns ? HEAD_TS_NS : 0) | (big ? HEAD_BIG_NUM : 0);
	o = put_varint(o, (big ? 0 : dnum << HEAD_SHIFT) | h);
	if (big)
		o = put_varint(o, dnum);
	o = put_varint(o, zigzag(ns ? dts : dts / 1000));
	o = put_varint(o, zigzag((int64_t)((uint64_t)(uintptr_t)f->data.p - (prev->data + prev->caplen))));
	o = put_varint(o, f->caplen);
	if (rare) {
		*o++ = rare;
		if (rare & RARE_SHAPE) {
			o = put_varint(o, f->linktype);
			o = put_varint(o, f->source);
		}
		if (rare & RARE_WIRE)
			o = put_varint(o, f->wirelen);
		if (rare & RARE_RECORD)
			o = put_varint(o, f->record);
		if (rare & RARE_DATA_LEN)
			o = put_varint(o, f->data.len);
	}
	return o;
}

static const uint8_t *frame_decode(const uint8_t *i, code_state *st, cap_frame *f)
{
	uint64_t v, head;
	i = get_varint(i, &head);
	uint64_t dnum = head >> HEAD_SHIFT;
	if (head & HEAD_BIG_NUM)
		i = get_varint(i, &dnum);
	st->num += (uint64_t)unzigzag(dnum);
	i = get_varint(i, &v);
	int64_t dts = unzigzag(v);
	st->ts += head & HEAD_TS_NS ? (uint64_t)dts : (uint64_t)dts * 1000u;
	i = get_varint(i, &v);
	st->data += st->caplen + (uint64_t)unzigzag(v);
	i = get_varint(i, &v);
	uint32_t caplen = (uint32_t)v;
	st->caplen = caplen;
	uint8_t rare = head & HEAD_RARE ? *i++ : 0;
	if (rare & RARE_SHAPE) {
		i = get_varint(i, &v);
		st->linktype = (uint32_t)v;
		i = get_varint(i, &v);
		st->source = (uint32_t)v;
	}
	*f = (cap_frame){
		.num = st->num, .ts_ns = (int64_t)st->ts, .linktype = st->linktype,
		.caplen = caplen, .wirelen = caplen, .source = st->source, .record = st->num,
		.data = sv_make((const uint8_t *)(uintptr_t)st->data, caplen),
	};
	if (rare & RARE_WIRE) {
		i = get_varint(i, &v);
		f->wirelen = (uint32_t)v;
	}
	if (rare & RARE_RECORD) {
		i = get_varint(i, &v);
		f->record = v;
	}
	if (rare & RARE_DATA_LEN) {
		i = get_varint(i, &v);
		f->data.len = (size_t)v;
	}
	return i;
}

static void frame_add(frame_store *fs, const cap_frame *f)
{
	uint32_t k = fs->n_frames;
	if (k % BLOCK_FRAMES == 0) {
		/* a block starts with the zero state, in a page with room for
		 * all its frames */
		if (!fs->n_code || fs->code_used > CODE_PAGE - BLOCK_FRAMES * FRAME_CODE_MAX) {
			page_add((void ***)&fs->code, &fs->n_code, &fs->cap_code, CODE_PAGE);
			fs->code_used = 0;
		}
		uint32_t block = k / BLOCK_FRAMES;
		if ((uint64_t)fs->n_index << INDEX_PAGE_SHIFT <= block)
			page_add((void ***)&fs->index, &fs->n_index, &fs->cap_index,
				INDEX_PAGE * sizeof(uint64_t));
		*block_start(fs, block) = (uint64_t)(fs->n_code - 1) << 32 | fs->code_used;
		fs->last = (code_state){ 0 };
	}
	uint8_t *o = fs->code[fs->n_code - 1] + fs->code_used;
	uint8_t *end = frame_code(o, &fs->last, f);
	fs->code_used += (uint32_t)(end - o);
	fs->last = (code_state){ f->num, (uint64_t)f->ts_ns, (uint64_t)(uintptr_t)f->data.p,
		f->caplen, f->linktype, f->source };
	fs->n_frames++;
}

void frame_store_add(frame_store *fs, uint32_t id, const cap_frame *frames, guint n)
{
	/* 2^32 frames would take 40 GB: the index stays 32 bits */
	if (id < fs->n_slots || id >= UINT32_MAX - 1 || (uint64_t)fs->n_frames + n >= UINT32_MAX)
		return;
	/* the ids skipped start where this one does: none of their own;
	 * id + 1 gets a slot too, as the end of this one's frames */
	while ((uint64_t)fs->n_spages << SLOT_PAGE_SHIFT <= (uint64_t)id + 1)
		page_add((void ***)&fs->slots, &fs->n_spages, &fs->cap_spages,
			SLOT_PAGE * sizeof(uint32_t));
	for (uint32_t i = fs->n_slots; i <= id; i++)
		*slot_at(fs, i) = fs->n_frames;
	for (guint i = 0; i < n; i++)
		frame_add(fs, &frames[i]);
	fs->n_slots = id + 1;
	*slot_at(fs, id + 1) = fs->n_frames;
}

void frame_store_get(const frame_store *fs, uint32_t id, GArray *out)
{
	if (id >= fs->n_slots)
		return;
	uint32_t first = *slot_at(fs, id), end = *slot_at(fs, id + 1);
	if (first == end)
		return;
	const uint8_t *i = NULL;
	code_state st = { 0 };
	/* from the start of first's block: each frame is coded against the
	 * one before */
	for (uint32_t k = first - first % BLOCK_FRAMES; k < end; k++) {
		if (k % BLOCK_FRAMES == 0) {
			uint64_t at = *block_start(fs, k / BLOCK_FRAMES);
			i = fs->code[at >> 32] + (uint32_t)at;
			st = (code_state){ 0 };
		}
		cap_frame f;
		i = frame_decode(i, &st, &f);
		if (k >= first)
			g_array_append_val(out, f);
	}
}

uint64_t frame_store_frames(const frame_store *fs)
{
	return fs->n_frames;
}

size_t frame_store_bytes(const frame_store *fs)
{
	return (size_t)fs->n_code * CODE_PAGE + (size_t)fs->cap_code * sizeof(void *) +
	       (size_t)fs->n_index * INDEX_PAGE * sizeof(uint64_t) +
	       (size_t)fs->cap_index * sizeof(void *) +
	       (size_t)fs->n_spages * SLOT_PAGE * sizeof(uint32_t) +
	       (size_t)fs->cap_spages * sizeof(void *);
}
