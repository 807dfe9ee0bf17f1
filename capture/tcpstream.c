/*
 * tcpstream.c — sequence-order reassembly of one TCP direction (see
 * tcpstream.h).
 */
#include "capture/tcpstream.h"

#include "capture/decode.h"

/* A segment that arrived ahead of the expected sequence number. */
typedef struct tcp_held {
	uint32_t seq;
	bool cut;
	sv data;          /* view into the frame's bytes */
	cap_frame frame;  /* copy: the caller's frame struct does not outlive the call */
} tcp_held;

/* a - b in sequence space, as a signed distance. */
static int64_t seq_diff(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;
	return d <= INT32_MAX ? (int64_t)d : (int64_t)d - ((int64_t)1 << 32);
}

void tcp_stream_init(tcp_stream *s)
{
	memset(s, 0, sizeof(*s));
}

void tcp_stream_relocate(tcp_stream *s, const arena *from, arena *to, bool frames)
{
	for (guint i = 0; s->held && i < s->held->len; i++) {
		tcp_held *h = &g_array_index(s->held, tcp_held, i);
		h->data.p = arena_move(from, to, h->data.p, h->data.len);
		if (frames)
			h->frame.data.p = arena_move(from, to, h->frame.data.p, h->frame.data.len);
		else if (h->frame.data.p && arena_contains(from, h->frame.data.p))
			h->frame.data = SV_NULL;
	}
}

void tcp_stream_clear(tcp_stream *s, tcp_shared *sh)
{
	if (s->held) {
		sh->held_segments -= s->held->len;
		g_array_free(s->held, TRUE);
	}
	memset(s, 0, sizeof(*s));
}

bool tcp_stream_is_restart(const tcp_stream *s, const tcp_segment *seg)
{
	if (!(seg->flags & CAP_TCP_SYN) || !s->have_seq)
		return false;
	if (!s->syn_seen)
		return seg->seq + 1 != s->first_seq; /* else a SYN captured late */
	return seg->seq != s->isn;
}

bool tcp_stream_ended(const tcp_stream *s)
{
	return s->have_seq && s->fin_seen && seq_diff(s->next_seq, s->fin_seq) >= 0;
}

size_t tcp_stream_held(const tcp_stream *s)
{
	return s->held ? s->held->len : 0;
}

static void stream_deliver(tcp_stream *s, sv data, uint64_t frame_num,
			   const cap_frame *credit, bool cut, tcp_chunk_fn fn, void *user)
{
	tcp_chunk c = {
		.data = data,
		.frame_num = frame_num,
		.frame = credit,
		.gap = s->gap_pending,
		.cut = cut,
	};
	s->gap_pending = false;
	s->cut_pending = cut;
	s->next_seq += (uint32_t)data.len;
	fn(user, &c);
}

/* Hands on the held segments that are now in order (a cut segment makes the
 * jump to the next one a gap: its missing tail never comes). */
static void stream_release(tcp_stream *s, tcp_shared *sh, const cap_frame *credit,
			   tcp_chunk_fn fn, void *user)
{
	if (!s->held)
		return;
	guint done = 0;
	while (done < s->held->len) {
		tcp_held *h = &g_array_index(s->held, tcp_held, done);
		int64_t rel = seq_diff(h->seq, s->next_seq);
		if (rel > 0) {
			if (!s->cut_pending)
				break;
			sh->gaps++;
			s->next_seq = h->seq;
			s->gap_pending = true;
			rel = 0;
		}
		done++;
		s->held_bytes -= h->data.len;
		sh->held_segments--;
		int64_t end = rel + (int64_t)h->data.len;
		if (end <= 0) {
			sh->retransmitted_bytes += h->data.len;
			continue;
		}
		sv data = h->data;
		if (rel < 0) {
			sh->retransmitted_bytes += (uint64_t)-rel;
			data = sv_skip(data, (size_t)-rel);
		}
		/* The array is not touched by the callback, so h stays valid. */
		stream_deliver(s, data, h->frame.num, credit ? credit : &h->frame, h->cut,
			       fn, user);
	}
	if (done)
		g_array_remove_range(s->held, 0, done);
}

/* Skips the first gap; false when nothing is held. */
static bool stream_skip_gap(tcp_stream *s, tcp_shared *sh, const cap_frame *credit,
			    tcp_chunk_fn fn, void *user)
{
	if (!s->held || s->held->len == 0)
		return false;
	const tcp_held *h = &g_array_index(s->held, tcp_held, 0);
	sh->gaps++;
	s->next_seq = h->seq;
	s->gap_pending = true;
	stream_release(s, sh, credit, fn, user);
	return true;
}

void tcp_stream_drain(tcp_stream *s, tcp_shared *sh, const cap_frame *frame,
		      tcp_chunk_fn fn, void *user)
{
	while (stream_skip_gap(s, sh, frame, fn, user))
		;
}

/* Holds a segment ahead of the expected seq; false when a bound is hit. */
static bool stream_hold(tcp_stream *s, tcp_shared *sh, uint32_t seq, sv data, bool cut,
			const cap_frame *own)
{
	if (s->held_bytes + data.len > TCP_HOLD_BYTES || sh->held_segments >= TCP_HOLD_SEGMENTS ||
	    (s->held && s->held->len >= TCP_HOLD_STREAM_SEGMENTS))
		return false;
	if (!s->held)
		s->held = g_array_new(FALSE, FALSE, sizeof(tcp_held));
	int64_t rel = seq_diff(seq, s->next_seq);
	guint lo = 0, hi = s->held->len;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		const tcp_held *m = &g_array_index(s->held, tcp_held, mid);
		if (seq_diff(m->seq, s->next_seq) < rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->held->len) {
		const tcp_held *m = &g_array_index(s->held, tcp_held, lo);
		if (m->seq == seq && m->data.len >= data.len) {
			sh->retransmitted_bytes += data.len;
			return true;
		}
	}
	tcp_held h = { .seq = seq, .cut = cut, .data = data, .frame = *own };
	g_array_insert_val(s->held, lo, h);
	s->held_bytes += data.len;
	sh->held_segments++;
	return true;
}

void tcp_stream_segment(tcp_stream *s, tcp_shared *sh, const tcp_segment *seg,
			tcp_chunk_fn fn, void *user)
{
	uint32_t seq = seg->seq;
	sv data = seg->data;
	if (seg->flags & CAP_TCP_SYN) {
		if (!s->syn_seen) {
			s->syn_seen = true;
			s->isn = seq;
			if (!s->have_seq) {
				s->have_seq = true;
				s->next_seq = seq + 1;
			}
		}
		seq += 1;
	}
	if (seg->flags & CAP_TCP_FIN) {
		s->fin_seen = true;
		s->fin_seq = seq + (uint32_t)data.len;
	}
	if (data.len == 0)
		return;
	if (!s->have_seq) {
		s->have_seq = true;
		s->next_seq = seq;
		s->first_seq = seq;
	}
	for (;;) {
		int64_t rel = seq_diff(seq, s->next_seq);
		if (rel > TCP_RESYNC_DISTANCE || rel < -(int64_t)TCP_RESYNC_DISTANCE) {
			/* Another sequence space (a connection we saw no SYN
			 * of, or garbage): what is held belongs to the old one. */
			tcp_stream_drain(s, sh, seg->frame, fn, user);
			sh->gaps++;
			s->next_seq = seq;
			s->gap_pending = true;
			continue;
		}
		int64_t end = rel + (int64_t)data.len;
		if (end <= 0) {
			sh->retransmitted_bytes += data.len;
			return;
		}
		if (rel < 0) {
			sh->retransmitted_bytes += (uint64_t)-rel;
			data = sv_skip(data, (size_t)-rel);
			seq = s->next_seq;
			rel = 0;
		}
		if (rel == 0) {
			stream_deliver(s, data, seg->frame->num, seg->frame, seg->cut, fn, user);
			stream_release(s, sh, seg->frame, fn, user);
			return;
		}
		if (s->cut_pending) {
			/* The previous segment lost its tail to the snap
			 * length: those bytes will never come. */
			sh->gaps++;
			s->next_seq = seq;
			s->gap_pending = true;
			continue;
		}
		if (stream_hold(s, sh, seq, data, seg->cut, seg->frame))
			return;
		if (!stream_skip_gap(s, sh, seg->frame, fn, user)) {
			/* Nothing of ours is held: others filled the shared
			 * bound.  Take this segment after a gap. */
			sh->gaps++;
			s->next_seq = seq;
			s->gap_pending = true;
		}
	}
}
