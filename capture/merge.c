/*
 * merge.c — interleaving several sources in timestamp order.
 *
 * Each live source has exactly one frame waiting in a binary min-heap keyed
 * by (ts_ns, source index, record); the smallest is handed out and its
 * source refilled.  A source that goes backwards in time is followed as it
 * is (its next frame simply sorts where it sorts), which is what a user
 * merging captures of clocks that jumped expects to see.
 *
 * Sources are read lazily: the first call to cap_merger_next reads one
 * frame of each, so errors of damaged sources surface there.
 */
#include "capture/source.h"

typedef struct merge_slot {
	cap_frame frame; /* the waiting frame; .source is the index */
} merge_slot;

struct cap_merger {
	cap_source **sources;
	guint n;
	merge_slot *heap; /* n entries at most */
	guint heap_len;
	bool primed;
	uint64_t count;
	GPtrArray *errors;
};

cap_merger *cap_merger_new(cap_source **sources, guint n)
{
	cap_merger *m = g_new0(cap_merger, 1);
	m->n = n;
	m->sources = g_new0(cap_source *, n ? n : 1);
	for (guint i = 0; i < n; i++)
		m->sources[i] = sources[i];
	m->heap = g_new0(merge_slot, n ? n : 1);
	m->errors = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
	return m;
}

static bool slot_less(const merge_slot *a, const merge_slot *b)
{
	if (a->frame.ts_ns != b->frame.ts_ns)
		return a->frame.ts_ns < b->frame.ts_ns;
	if (a->frame.source != b->frame.source)
		return a->frame.source < b->frame.source;
	return a->frame.record < b->frame.record;
}

static void heap_down(cap_merger *m, guint i)
{
	merge_slot *h = m->heap;
	for (;;) {
		guint l = 2 * i + 1, r = l + 1, min = i;
		if (l < m->heap_len && slot_less(&h[l], &h[min]))
			min = l;
		if (r < m->heap_len && slot_less(&h[r], &h[min]))
			min = r;
		if (min == i)
			return;
		merge_slot t = h[i];
		h[i] = h[min];
		h[min] = t;
		i = min;
	}
}

static void heap_up(cap_merger *m, guint i)
{
	merge_slot *h = m->heap;
	while (i > 0) {
		guint p = (i - 1) / 2;
		if (!slot_less(&h[i], &h[p]))
			return;
		merge_slot t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

/* Reads source i's next frame into *slot; false when the source is done
 * (its error, if any, kept). */
static bool merge_read(cap_merger *m, guint i, merge_slot *slot)
{
	GError *e = NULL;
	cap_next_rc rc = cap_source_next(m->sources[i], &slot->frame, &e);
	if (rc == CAP_NEXT_FRAME) {
		slot->frame.source = i;
		return true;
	}
	if (e)
		g_ptr_array_add(m->errors, e);
	return false;
}

cap_next_rc cap_merger_next(cap_merger *m, cap_frame *out)
{
	if (!m->primed) {
		m->primed = true;
		for (guint i = 0; i < m->n; i++) {
			if (merge_read(m, i, &m->heap[m->heap_len])) {
				m->heap_len++;
				heap_up(m, m->heap_len - 1);
			}
		}
	}
	if (m->heap_len == 0)
		return CAP_NEXT_EOF;
	*out = m->heap[0].frame;
	out->num = ++m->count;
	if (merge_read(m, out->source, &m->heap[0])) {
		heap_down(m, 0);
	} else {
		m->heap[0] = m->heap[--m->heap_len];
		heap_down(m, 0);
	}
	return CAP_NEXT_FRAME;
}

const GPtrArray *cap_merger_errors(const cap_merger *m)
{
	return m->errors;
}

void cap_merger_release_mapped(cap_merger *m)
{
	for (guint i = 0; i < m->n; i++)
		cap_source_release_mapped(m->sources[i]);
}

void cap_merger_free(cap_merger *m)
{
	if (!m)
		return;
	for (guint i = 0; i < m->n; i++)
		cap_source_free(m->sources[i]);
	g_free(m->sources);
	g_free(m->heap);
	g_ptr_array_unref(m->errors);
	g_free(m);
}

void cap_merger_relocate(cap_merger *m, const arena *from, arena *to)
{
	for (guint i = 0; i < m->heap_len; i++) {
		cap_frame *f = &m->heap[i].frame;
		f->data.p = arena_move(from, to, f->data.p, f->data.len);
	}
}
