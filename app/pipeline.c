#include "pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "app/exit_status.h"
#include "app/frame_filter.h"
#include "capture/frame_store.h"
#include "app/privs.h"
#include "base/arena.h"
#include "base/hindex.h"
#include "base/idtab.h"
#include "base/prefetch.h"
#include "capture/live.h"
#include "capture/pcap_writer.h"
#include "capture/source.h"
#include "dissect/sip.h"

/* Bytes of a message's start kept to match an ICMP error's quote. */
enum { FLOW_PREFIX = 64 };

/* The last UDP message seen on each (src, dst) pair, so an ICMP error that
 * quotes a datagram can name the message it refers to.  One entry per flow:
 * ICMP errors answer recent datagrams.  (Until the first ICMP quote, the
 * recent messages wait in a ring of flow_seen instead, see pipeline.) */
typedef struct flow_last {
	endpoint src, dst;
	uint64_t frame;
	uint32_t index;
	size_t prefix_len;
	uint8_t prefix[FLOW_PREFIX];
} flow_last;

enum { ICMP_MATCH_MIN = 16 };

enum { FLOW_GEN_MAX = 1 << 15, FLOW_JOURNAL_MAX = 1 << 16 };

/* A message in the ring that stands for the flow table until the first
 * ICMP error (pipeline.flow_journal): its bytes are pointed at, not
 * copied, as they live as long as the run (outside the generational
 * mode, which has no ring). */
typedef struct flow_seen {
	endpoint src, dst;
	uint64_t frame;
	uint32_t index;
	uint32_t len;
	const uint8_t *data;
} flow_seen;
typedef struct flow_gen {
	GArray *flows;     /* flow_last */
	hindex by;         /* flow hash -> index in flows */
} flow_gen;

/* What flow tracking says about one message: for an ICMP-quoted copy,
 * the message it quotes when known.  Taken where messages are read (the
 * reading thread, when there is one), so the flows are that thread's. */
typedef struct flow_quote {
	bool known;
	uint64_t frame;
	uint32_t index;
} flow_quote;

/* Frames of a stream (TCP, SCTP) not yet known to belong to a message:
 * a message that spans segments takes its frames from here.  Bounded: a
 * stream that carries no SIP keeps at most PENDING_MAX frames. */
typedef struct stream_pending {
	endpoint src, dst;
	GArray *frames; /* cap_frame, oldest first */
} stream_pending;

enum {
	PENDING_MAX = 32,
	FRAGMENTS_MAX = 64,
	/* generational mode: bytes of the current arena before it is rotated
	 * (resident memory then swings by about twice this) */
	GEN_ROTATE_BYTES = 8 << 20,
};

/* Reading ahead (files only, see pipeline.h): a thread reads, decodes
 * and frames; the caller's thread takes the messages in order and runs
 * the model and the hooks.  One producer, one consumer, a ring of slots;
 * each side sleeps only when the ring is empty (full), and is woken when
 * READER_BATCH messages (free slots) are there for it, so that the threads
 * do not wake each other for every message.
 *
 * Parsing (and sip_model_prepare) depends on nothing but the message's
 * bytes, so either thread may do it, and the two share it by how far the
 * reading thread is ahead: it parses a message itself, before handing
 * it over, when at least PARSE_AHEAD messages are already waiting (the
 * model is the slower side), and otherwise hands it over unparsed for the
 * caller's thread to parse (the reading side is the slower one).  The
 * ring then settles around PARSE_AHEAD messages with the parsing split so
 * that both threads are busy; with a fixed split one of them would wait
 * for the other whenever the share of reading, parsing and modelling
 * changes with the traffic.  A slot is handed over whole (parsed or not)
 * by the release of head, so nothing is ever parsed twice or by both.
 *
 * Every line the reading thread writes and the caller's thread reads
 * moves between their cores, and where the two are far apart (different
 * chiplets or sockets, or virtual processors the host placed so) each
 * move costs several hundred nanoseconds: on a machine whose host moves
 * its two processors between a 120 ns and a 550 ns round trip, `--stats`
 * on the 100k-call benchmark file took 0.47 s in the first placement and
 * 0.76 s in the second.  So no line goes back: slots and their parses
 * are written by the reading thread only (a message left to the caller's
 * thread is parsed into the pipeline's own sip_msg), and the lines that
 * do cross are asked for a few messages before they are used, by the
 * reading thread to write (owned before its first store) and by the
 * caller's thread to read (readahead_prefetch).  That took the second
 * placement to 0.64 s and left the first as it was.
 *
 * PARSE_AHEAD is half the ring: with 32 the far placement took about 5 %
 * longer (the ring then runs shallower, and the caller's thread's
 * prefetches find fewer messages ahead), the near one the same; with 16
 * both were slower. */
enum { READER_SLOTS = 128, READER_BATCH = 32, PARSE_AHEAD = 64 };

typedef struct msg_slot {
	cap_sipmsg m;          /* m.frame points at frame */
	cap_frame frame;
	sip_msg *parsed;       /* readahead.parsed[slot]; not filled for ICMP-quoted copies */
	sip_prepared prep;     /* the model's part of the work done here too */
	bool needs_parse;      /* the caller's thread parses (into its own sip_msg) */
	flow_quote quote;
	GArray *frames;        /* keep_frames: the frames that carried the message */
	GString *pre;          /* hooks.message_pre's text, when has_pre */
	size_t pre_split;
	bool has_pre;
} msg_slot;

/* Each side writes its own cache line and reads the other's only when it
 * must: the caller's thread looks at head again when the messages it
 * last saw are used up, and publishes tail every TAKE_PUBLISH messages
 * (and before it sleeps); the reading thread looks at tail again every
 * TAIL_LOOK messages (for PARSE_AHEAD) and when the ring seems full.
 * Head and tail were next to each other and to the counters, stored
 * sequentially consistent for every message, so that one line moved
 * between the cores twice a message: `--stats` takes 1.4 % less CPU
 * without it. */
enum { TAKE_PUBLISH = 8, TAIL_LOOK = 8 };

/* Prefetch distances, in messages: the reading thread owns the lines of
 * the slot AHEAD_OWN after the one it fills; the caller's thread asks for
 * the slot AHEAD_SLOT after the one it takes, and for the bytes of the
 * keys of the one AHEAD_BYTES after it. */
enum { AHEAD_OWN = 4, AHEAD_SLOT = 6, AHEAD_BYTES = 3 };

typedef struct readahead {
	GThread *thread;
	/* Only the reading thread writes slots and their parses: a message
	 * left to the caller's thread is parsed into the pipeline's own
	 * sip_msg, so that no line goes back and forth between the cores. */
	msg_slot slots[READER_SLOTS];
	sip_msg *parsed;       /* READER_SLOTS of them, slots[i].parsed == parsed + i;
	                        * set at start, then only read */
	/* The reading thread's line.  head: slots filled, published with
	 * release after the slot is written.  put_tail: tail as the reading
	 * thread last read it (never ahead of tail). */
	alignas(64) atomic_uint head;
	unsigned put_tail;
	/* What the caller's thread may show while reading goes on (the UI's
	 * status bar): the reading thread's counters.  A line of their own:
	 * they are stored for every frame, and on head's line each store
	 * after the other thread read head waited for the line to come back. */
	alignas(64) atomic_uint_fast64_t frames_pub;
	atomic_uint_fast64_t filtered_pub, bytes_pub;
	atomic_int_fast64_t end_ts_pub;
	/* The caller's thread's line.  tail: slots taken, as published (never
	 * ahead of take_tail).  take_tail: slots taken; take_head: head as the
	 * caller's thread last read it. */
	alignas(64) atomic_uint tail;
	unsigned take_tail, take_head;
	/* Written rarely: at the start and end, and around sleeping. */
	alignas(64) atomic_bool done;      /* the reading thread has put its last message */
	atomic_bool stop;      /* read no more frames (what is read still comes) */
	atomic_bool abandon;   /* drop what is read: nobody takes it any more */
	atomic_bool consumer_waits, producer_waits;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* copies of the inputs' errors (under lock) */
	guint errors_seen;     /* reading thread: errors copied so far */
	GPtrArray *errors_pub; /* GError* copies, under lock */
} readahead;

struct pipeline {
	pipeline_hooks hooks;
	readahead *ra;         /* files on a machine with several cores; NULL: one thread */
	arena mem;
	frame_filter *filter;
	cap_merger *merger;
	cap_decoder *dec;
	cap_sipframer *framer;
	sip_msg *parsed; /* scratch, reused for every message */
	sip_model *model;
	/* The last message of each UDP flow, for ICMP quotes; used only where
	 * messages are read.  Two generations: once the current one holds
	 * FLOW_GEN_MAX flows, the older is dropped and a new one starts, so
	 * the table keeps the flows of recent traffic (an ICMP error follows
	 * its datagram within moments) in bounded memory, however many
	 * endpoints a live capture meets. */
	flow_gen flows[2];
	unsigned flow_cur;
	/* Until the first ICMP-quoted message, the UDP messages only go to
	 * a ring of the last FLOW_JOURNAL_MAX (written in order, one entry
	 * after the other), and the flows are indexed from it when that
	 * message comes: a lookup per message in a table of thousands of
	 * flows misses the cache twice, and most captures hold no ICMP
	 * error at all.  From then on, flows_indexed, every message goes to
	 * the table.  An ICMP error follows its datagram within moments, so
	 * the flows of older messages than the ring holds are not missed.
	 * The generational mode (whose bytes go as it rotates) has no ring:
	 * flows_indexed from the start. */
	bool flows_indexed;
	GArray *flow_journal;   /* flow_seen, the ring */
	guint flow_journal_next; /* once the ring is full: its oldest entry */
	pipeline_counters count;
	/* Once reading is over (in the UI, until pipeline_release_end): a
	 * thread that gives back the mapped files' pages every
	 * RELEASE_PERIOD_US (see releaser_main). */
	GThread *releaser;
	pthread_mutex_t rel_lock;
	pthread_cond_t rel_cond;
	bool rel_stop;
	pipeline_counters count_shown;  /* caller's copy while a reading thread runs */
	GPtrArray *errors_shown;        /* the same for the errors (GError*, owned) */
	GArray *frames_scratch;         /* keep_frames without a reading thread */
	bool more;
	bool finished;
	char *source_name;
	unsigned *record_overhead; /* per source: bytes of a record header */
	unsigned n_sources;
	/* keep_frames */
	bool keep_frames;
	frame_store *frames;   /* files: the frames of each message, by sip_id */
	GHashTable *pending;   /* stream_pending* set, by (src, dst) */
	GArray *fragments;     /* cap_frame: recent frames that were IP fragments */
	bool track_frames;     /* keep_frames or --write-sip-only: pending and fragments kept */
	bool model_owns_raw;   /* limits and no frame kept: the model copies message bytes */
	/* Live input with limits: the bytes kept for reassembly go to mem and,
	 * once it is large, whatever is still held in mem_old is copied
	 * forward, mem_old is freed and mem becomes it (arena_move), so a
	 * capture that runs for days keeps what it holds, not what it saw.
	 * The UI's frames for saving are then copied per message (msg_owned)
	 * and freed when the model evicts the message. */
	bool gen;
	GArray *streams;       /* stream_gen: stream inputs' record arenas (files, gen) */
	size_t rotate_bytes;   /* GEN_ROTATE_BYTES; SIPSCOPE_ROTATE_KB for tests */
	arena mem_old;
	idtab msg_owned;       /* sip_id -> owned_frames* */
	/* live input (-i, --hep-listen) instead of files */
	cap_live *live;
	bool live_stopping;
	int64_t deadline_ns;   /* --duration, monotonic; 0: none */
	uint64_t max_frames;   /* -c; 0: no limit */
	GPtrArray *live_errors; /* GError*, copies of cap_live's */
	/* -w */
	cap_writer *writer;
	bool write_sip_only;
	GHashTable *written;   /* --write-sip-only: recent frame numbers written */
	GQueue *written_order; /* the same, oldest first, to forget them */
	char *write_error;     /* the writer's error line, once it failed */
	bool writer_closed;    /* after pipeline_finish: the counts below */
	uint64_t written_frames, write_lost;
	guint write_files;
	const char *write_format;
	char *write_path;
};

enum { WRITTEN_REMEMBER = 8192 };

static uint32_t flow_hash(const endpoint *src, const endpoint *dst)
{
	return endpoint_hash(src) * 31u ^ endpoint_hash(dst);
}

static guint pending_hash(gconstpointer p)
{
	const stream_pending *f = p;
	return endpoint_hash(&f->src) * 31u ^ endpoint_hash(&f->dst);
}

static gboolean pending_equal(gconstpointer a, gconstpointer b)
{
	const stream_pending *x = a, *y = b;
	return endpoint_eq(&x->src, &y->src) && endpoint_eq(&x->dst, &y->dst);
}

static void pending_free(gpointer p)
{
	stream_pending *s = p;
	g_array_free(s->frames, TRUE);
	g_free(s);
}

static flow_last *flow_find_in(const flow_gen *g, const endpoint *src, const endpoint *dst,
	uint32_t hash)
{
	hindex_probe pr;
	uint32_t i;
	hindex_probe_start(&g->by, hash, &pr);
	while (hindex_probe_next(&g->by, &pr, &i)) {
		flow_last *f = &g_array_index(g->flows, flow_last, i);
		if (endpoint_eq(&f->src, src) && endpoint_eq(&f->dst, dst))
			return f;
	}
	return NULL;
}

/* The flow's entry, the current generation's first. */
static flow_last *flow_find(const pipeline *p, const cap_sipmsg *m, uint32_t hash)
{
	flow_last *f = flow_find_in(&p->flows[p->flow_cur], &m->src, &m->dst, hash);
	return f ? f : flow_find_in(&p->flows[p->flow_cur ^ 1], &m->src, &m->dst, hash);
}

static void flow_fill(flow_last *f, uint64_t frame, uint32_t index, sv data)
{
	f->frame = frame;
	f->index = index;
	f->prefix_len = MIN(data.len, sizeof(f->prefix));
	memcpy(f->prefix, data.p, f->prefix_len);
}

/* The table's entry for the flow from src to dst, added when missing;
 * hash: flow_hash of the two. */
static flow_last *flow_entry(pipeline *p, const endpoint *src, const endpoint *dst, uint32_t h)
{
	flow_gen *g = &p->flows[p->flow_cur];
	flow_last *f = flow_find_in(g, src, dst, h);
	if (f)
		return f;
	if (g->flows->len >= FLOW_GEN_MAX) {
		/* the older generation goes; this one becomes it */
		p->flow_cur ^= 1;
		g = &p->flows[p->flow_cur];
		g_array_set_size(g->flows, 0);
		hindex_clear(&g->by);
		hindex_init(&g->by);
	}
	/* a flow last seen in the older generation moves here: its entry
	 * there is never found first again */
	hindex_insert(&g->by, h, g->flows->len);
	g_array_set_size(g->flows, g->flows->len + 1);
	f = &g_array_index(g->flows, flow_last, g->flows->len - 1);
	f->src = *src;
	f->dst = *dst;
	return f;
}

static void flow_remember(pipeline *p, const cap_sipmsg *m)
{
	if (p->flows_indexed) {
		flow_fill(flow_entry(p, &m->src, &m->dst, flow_hash(&m->src, &m->dst)),
			m->frame->num, m->index, m->data);
		return;
	}
	GArray *j = p->flow_journal;
	flow_seen *e;
	if (j->len < FLOW_JOURNAL_MAX) {
		g_array_set_size(j, j->len + 1);
		e = &g_array_index(j, flow_seen, j->len - 1);
	} else {
		e = &g_array_index(j, flow_seen, p->flow_journal_next);
		p->flow_journal_next = (p->flow_journal_next + 1) % FLOW_JOURNAL_MAX;
	}
	*e = (flow_seen){ m->src, m->dst, m->frame->num, m->index,
		(uint32_t)MIN(m->data.len, FLOW_PREFIX), m->data.p };
}

/* The journal's messages into the table, oldest first, as if each had gone
 * there when it was read; from now on messages go to the table. */
static void flow_index_journal(pipeline *p)
{
	GArray *j = p->flow_journal;
	for (guint k = 0; k < j->len; k++) {
		const flow_seen *e = &g_array_index(j, flow_seen, (p->flow_journal_next + k) % j->len);
		flow_fill(flow_entry(p, &e->src, &e->dst, flow_hash(&e->src, &e->dst)),
			e->frame, e->index, sv_make(e->data, e->len));
	}
	g_array_set_size(j, 0);
	p->flow_journal_next = 0;
	p->flows_indexed = true;
}

static const flow_last *flow_match(pipeline *p, const cap_sipmsg *m)
{
	const flow_last *f = flow_find(p, m, flow_hash(&m->src, &m->dst));
	if (!f)
		return NULL;
	/* The quote is usually cut short: compare what both have, and ask for
	 * enough bytes that a different message on the same flow cannot pass. */
	size_t n = MIN(f->prefix_len, m->data.len);
	if (n < MIN((size_t)ICMP_MATCH_MIN, f->prefix_len) || !sv_eq(sv_head(m->data, n), sv_make(f->prefix, n)))
		return NULL;
	return f;
}

/* Flow tracking for one message, in reading order. */
static void flow_note(pipeline *p, const cap_sipmsg *m, flow_quote *q)
{
	*q = (flow_quote){ 0 };
	if (!p->flow_journal)
		return;   /* finished: no message is read any more */
	if (m->flags & CAP_SIPMSG_ICMP_QUOTED) {
		if (!p->flows_indexed)
			flow_index_journal(p);
		const flow_last *orig = flow_match(p, m);
		if (orig)
			*q = (flow_quote){ true, orig->frame, orig->index };
	} else if (m->transport == SIP_TRANSPORT_UDP) {
		flow_remember(p, m);
	}
}

static void add_note(msg_out *mo, const char *text)
{
	if (mo->n_notes < MSG_OUT_MAX_NOTES)
		mo->notes[mo->n_notes++] = text;
}

/* Frames [first, last) of `from` (oldest first), onto out. */
static void take_frames_between(const GArray *from, uint64_t first, uint64_t last, GArray *out)
{
	for (guint i = 0; i < from->len; i++) {
		const cap_frame *f = &g_array_index(from, cap_frame, i);
		if (f->num >= first && f->num < last)
			g_array_append_val(out, *f);
	}
}

/* Whether the frame's first bytes (link and IP headers) hold both
 * addresses of the message: how the earlier fragments of a reassembled
 * datagram are told from fragments of other traffic, without decoding the
 * frame again. */
static bool frame_has_addresses(const cap_frame *f, const cap_sipmsg *m)
{
	size_t alen = m->src.family == EP_IPV6 ? 16 : 4;
	sv head = sv_head(f->data, 128);
	return sv_find(head, sv_make(m->src.addr, alen)) >= 0 &&
	       sv_find(head, sv_make(m->dst.addr, alen)) >= 0;
}

/* The earlier fragments of a datagram put together from IP fragments: the
 * recent fragments between the same two addresses, taken out of the list
 * so each is saved with one message. */
static void take_fragments(pipeline *p, const cap_sipmsg *m, GArray *out)
{
	guint w = 0;
	for (guint i = 0; i < p->fragments->len; i++) {
		const cap_frame *f = &g_array_index(p->fragments, cap_frame, i);
		if (f->num < m->frame->num && frame_has_addresses(f, m))
			g_array_append_val(out, *f);
		else if (f->num != m->frame->num)
			g_array_index(p->fragments, cap_frame, w++) = *f;
	}
	g_array_set_size(p->fragments, w);
}

/* The stream's frames before this message's last one belong to no later
 * message (its last frame may also start the next). */
static void forget_stream_frames(pipeline *p, const cap_sipmsg *m)
{
	stream_pending key = { .src = m->src, .dst = m->dst };
	stream_pending *s = g_hash_table_lookup(p->pending, &key);
	if (s) {
		guint drop = 0;
		while (drop < s->frames->len && g_array_index(s->frames, cap_frame, drop).num < m->frame->num)
			drop++;
		if (drop)
			g_array_remove_range(s->frames, 0, drop);
	}
}

/* Where frames are read (the reading thread, when there is one): the
 * frames that carried m, onto out, taken from the stream's and the
 * fragments' lists, so that later messages do not claim them. */
static void collect_message_frames(pipeline *p, const cap_sipmsg *m, GArray *out)
{
	uint64_t last = m->frame->num;
	uint64_t first = m->first_frame ? m->first_frame : last;
	if (first < last) {
		stream_pending key = { .src = m->src, .dst = m->dst };
		stream_pending *s = g_hash_table_lookup(p->pending, &key);
		if (s)
			take_frames_between(s->frames, first, last, out);
	}
	if (m->flags & CAP_SIPMSG_IP_REASSEMBLED)
		take_fragments(p, m, out);
	g_array_append_val(out, *m->frame);
	forget_stream_frames(p, m);
}

/* A stream input's record arena and its older generation. */
typedef struct stream_gen {
	arena *cur;            /* the source's (cap_source_stream_arena) */
	arena old;
} stream_gen;

/* A message's frames with their bytes, in one block (generational mode). */
typedef struct owned_frames {
	uint32_t count;
	cap_frame f[];         /* then the bytes of each */
} owned_frames;

static void keep_message_frames_owned(pipeline *p, sip_id id, const GArray *frames)
{
	size_t bytes = 0;
	for (guint i = 0; i < frames->len; i++)
		bytes += g_array_index(frames, cap_frame, i).data.len;
	owned_frames *o = g_malloc(sizeof(*o) + frames->len * sizeof(cap_frame) + bytes);
	o->count = frames->len;
	uint8_t *b = (uint8_t *)&o->f[frames->len];
	for (guint i = 0; i < frames->len; i++) {
		o->f[i] = g_array_index(frames, cap_frame, i);
		if (o->f[i].data.len)
			memcpy(b, o->f[i].data.p, o->f[i].data.len);
		o->f[i].data.p = b;
		b += o->f[i].data.len;
	}
	/* ids come in order: the holes of messages without frames stay NULL */
	while (p->msg_owned.len < id)
		idtab_add(&p->msg_owned, NULL);
	idtab_add(&p->msg_owned, o);
}

static void on_model_evict(void *user, const sip_model *m, sip_event ev, sip_id call)
{
	pipeline *p = user;
	(void)ev;
	(void)call;
	const sip_ids *msgs, *txns, *dialogs;
	sip_model_evicting(m, &msgs, &txns, &dialogs);
	for (guint i = 0; i < msgs->len; i++) {
		sip_id id = msgs->data[i];
		g_free(idtab_get(&p->msg_owned, id));
		idtab_remove(&p->msg_owned, id);
	}
}

/* What the pipeline and the stages still hold in from moves to mem. */
static void relocate_from(pipeline *p, const arena *from)
{
	cap_decoder_relocate(p->dec, from, &p->mem);
	cap_sipframer_relocate(p->framer, from, &p->mem, p->track_frames);
	if (p->merger)
		cap_merger_relocate(p->merger, from, &p->mem);
	if (p->track_frames) {
		GHashTableIter it;
		gpointer k;
		g_hash_table_iter_init(&it, p->pending);
		while (g_hash_table_iter_next(&it, &k, NULL)) {
			stream_pending *sp = k;
			for (guint i = 0; i < sp->frames->len; i++) {
				cap_frame *f = &g_array_index(sp->frames, cap_frame, i);
				f->data.p = arena_move(from, &p->mem, f->data.p, f->data.len);
			}
		}
		for (guint i = 0; i < p->fragments->len; i++) {
			cap_frame *f = &g_array_index(p->fragments, cap_frame, i);
			f->data.p = arena_move(from, &p->mem, f->data.p, f->data.len);
		}
	}
}

/* Generational mode: what is still held in the older arenas (mem_old, and
 * the older records of each stream input) moves to mem, then they go and
 * the current ones become them. */
static void mem_rotate(pipeline *p)
{
	relocate_from(p, &p->mem_old);
	for (guint i = 0; i < p->streams->len; i++)
		relocate_from(p, &g_array_index(p->streams, stream_gen, i).old);
	arena_take(&p->mem_old, &p->mem);
	for (guint i = 0; i < p->streams->len; i++) {
		stream_gen *g = &g_array_index(p->streams, stream_gen, i);
		arena_take(&g->old, g->cur);
	}
	p->count.mem_rotations++;
}

static bool mem_rotate_due(const pipeline *p)
{
	size_t held = p->mem.bytes_reserved;
	for (guint i = 0; i < p->streams->len; i++)
		held += g_array_index(p->streams, stream_gen, i).cur->bytes_reserved;
	return held >= p->rotate_bytes;
}

/* Where the model runs: the frames collected for message id, kept. */
static void keep_message_frames(pipeline *p, sip_id id, const GArray *frames)
{
	if (p->gen) {
		keep_message_frames_owned(p, id, frames);
		return;
	}
	frame_store_add(p->frames, id, (const cap_frame *)(const void *)frames->data, frames->len);
}

/* --write-sip-only: a frame once, when the first message it carried is
 * complete. */
static void write_frame_once(pipeline *p, const cap_frame *f)
{
	gpointer key = GSIZE_TO_POINTER((gsize)f->num);
	if (g_hash_table_contains(p->written, key))
		return;
	cap_writer_write(p->writer, f);
	g_hash_table_add(p->written, key);
	g_queue_push_tail(p->written_order, key);
	if (g_queue_get_length(p->written_order) > WRITTEN_REMEMBER)
		g_hash_table_remove(p->written, g_queue_pop_head(p->written_order));
}

static void write_between(pipeline *p, const GArray *from, uint64_t first, uint64_t last)
{
	for (guint i = 0; i < from->len; i++) {
		const cap_frame *f = &g_array_index(from, cap_frame, i);
		if (f->num >= first && f->num < last)
			write_frame_once(p, f);
	}
}

/* The IP addresses of a frame on the common link types (Ethernet with
 * VLAN tags, Linux SLL and SLL2, raw IP, BSD loopback); false for anything
 * else (tunnels included). */
static bool frame_ip_addrs(const cap_frame *f, int *family, sv *src, sv *dst)
{
	rd r = rd_make(f->data);
	uint16_t et = 0;
	switch (f->linktype) {
	case LINKTYPE_ETHERNET:
		if (!rd_skip(&r, 12) || !rd_u16be(&r, &et))
			return false;
		while (et == 0x8100 || et == 0x88a8 || et == 0x9100)
			if (!rd_skip(&r, 2) || !rd_u16be(&r, &et))
				return false;
		break;
	case LINKTYPE_LINUX_SLL:
		if (!rd_skip(&r, 14) || !rd_u16be(&r, &et))
			return false;
		break;
	case LINKTYPE_LINUX_SLL2:
		if (!rd_u16be(&r, &et) || !rd_skip(&r, 18))
			return false;
		break;
	case LINKTYPE_NULL:
	case LINKTYPE_LOOP:
		if (!rd_skip(&r, 4))
			return false;
		/* fall through */
	case LINKTYPE_RAW:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
		et = (rd_peek(&r, 0) >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	default:
		return false;
	}
	sv ip = rd_view(&r);
	if (et == 0x0800 && (sv_at(ip, 0) >> 4) == 4 && ip.len >= 20) {
		*family = EP_IPV4;
		*src = sv_sub(ip, 12, 4);
		*dst = sv_sub(ip, 16, 4);
		return true;
	}
	if (et == 0x86dd && (sv_at(ip, 0) >> 4) == 6 && ip.len >= 40) {
		*family = EP_IPV6;
		*src = sv_sub(ip, 8, 16);
		*dst = sv_sub(ip, 24, 16);
		return true;
	}
	return false;
}

/* A message put together from IP fragments names only the frame of its
 * last fragment: the earlier fragments are the recent fragment frames
 * between the same addresses that were not written yet. */
static void write_fragments_of(pipeline *p, const cap_sipmsg *m)
{
	size_t alen = m->src.family == EP_IPV4 ? 4 : 16;
	for (guint i = 0; i < p->fragments->len; i++) {
		const cap_frame *f = &g_array_index(p->fragments, cap_frame, i);
		int fam;
		sv a, b;
		if (f->num >= m->frame->num || !frame_ip_addrs(f, &fam, &a, &b) || fam != m->src.family)
			continue;
		if (sv_eq(a, sv_make(m->src.addr, alen)) && sv_eq(b, sv_make(m->dst.addr, alen)))
			write_frame_once(p, f);
	}
}

/* The frames that carried m: for a message over a stream, every frame of
 * that stream since the previous message (segments that came out of
 * order arrived before the one that holds the message's first byte, and
 * retransmissions may hold part of it), then the last. */
static void write_message_frames(pipeline *p, const cap_sipmsg *m)
{
	if (m->transport != SIP_TRANSPORT_UDP) {
		stream_pending key = { .src = m->src, .dst = m->dst };
		stream_pending *s = g_hash_table_lookup(p->pending, &key);
		if (s)
			write_between(p, s->frames, 0, m->frame->num);
	}
	if (m->flags & CAP_SIPMSG_IP_REASSEMBLED)
		write_fragments_of(p, m);
	write_frame_once(p, m->frame);
}

/* The transport-level notes of a message, as its capture flags say. */
static const struct {
	unsigned flag;
	bool invalid_only;     /* only for a message that did not parse */
	const char *text;
} msg_notes[] = {
	{ CAP_SIPMSG_TRUNCATED, false,
	  "message incomplete: the stream or capture ended before all of it arrived" },
	{ CAP_SIPMSG_AFTER_GAP, false,
	  "bytes before this message were never captured (gap in the TCP stream)" },
	{ CAP_SIPMSG_SNAPLEN_CUT, false,
	  "frame cut short by the capture's snap length; the message may be incomplete" },
	{ CAP_SIPMSG_NO_CONTENT_LENGTH, true,
	  "no Content-Length on a stream transport; body assumed empty" },
	{ CAP_SIPMSG_BAD_CONTENT_LENGTH, false,
	  "unparsable Content-Length on a stream transport; body assumed empty" },
};

static bool msg_note_applies(unsigned k, const cap_sipmsg *m, const sip_msg *parsed)
{
	return (m->flags & msg_notes[k].flag) &&
	       (!msg_notes[k].invalid_only || parsed->kind == SIP_KIND_INVALID);
}

sip_msg_meta pipeline_message_meta(const cap_sipmsg *m)
{
	return (sip_msg_meta){
		.frame = m->frame->num,
		.first_frame = m->first_frame ? m->first_frame : m->frame->num,
		.index = m->index,
		.ts_ns = m->frame->ts_ns,
		.src = m->src,
		.dst = m->dst,
		.transport = sip_transport_name(m->transport),
		.capture_flags = m->flags,
	};
}

/* What the outputs print of m, parsed, before the model takes it: where
 * and how it was seen, as the model keeps it, and the notes its flags
 * call for. */
static void msg_out_init(msg_out *mo, const cap_sipmsg *m, const sip_msg *parsed)
{
	sip_msg_meta at = pipeline_message_meta(m);
	*mo = (msg_out){
		.frame = at.frame, .first_frame = at.first_frame, .index = at.index,
		.ts_ns = at.ts_ns, .src = at.src, .dst = at.dst, .transport = at.transport,
		.sip = parsed,
	};
	for (unsigned k = 0; k < G_N_ELEMENTS(msg_notes); k++)
		if (msg_note_applies(k, m, parsed))
			add_note(mo, msg_notes[k].text);
}

/* Whether m has a note of msg_out_init's, without filling a msg_out. */
static bool msg_has_notes(const cap_sipmsg *m, const sip_msg *parsed)
{
	for (unsigned k = 0; k < G_N_ELEMENTS(msg_notes); k++)
		if (msg_note_applies(k, m, parsed))
			return true;
	return false;
}

/* What follows the parse of a message: the model, the counters, the
 * hooks.  parsed holds m parsed and prep what sip_model_prepare took from
 * it (neither is filled for an ICMP-quoted copy); pre holds
 * hooks.message_pre's text for it (split at pre_split), or is NULL. */
static void deliver(pipeline *p, const cap_sipmsg *m, const sip_msg *parsed, const sip_prepared *prep,
	const flow_quote *quote, const GArray *frames, const GString *pre, size_t pre_split)
{
	if (m->flags & CAP_SIPMSG_ICMP_QUOTED) {
		p->count.icmp_notes++;
		pipeline_icmp ic = {
			.frame = m->frame->num,
			.type = m->icmp_type,
			.code = m->icmp_code,
			.src = m->src,
			.dst = m->dst,
			.quotes_known = quote->known,
			.quotes_frame = quote->frame,
			.quotes_index = quote->index,
		};
		if (p->hooks.icmp)
			p->hooks.icmp(p->hooks.user, &ic);
		return;
	}
	p->count.messages++;
	if (parsed->kind == SIP_KIND_INVALID)
		p->count.invalid++;
	if (parsed->n_warnings || (m->flags && msg_has_notes(m, parsed)))
		p->count.with_warnings++;

	sip_msg_meta meta = pipeline_message_meta(m);
	sip_id id = sip_model_add_prepared(p->model, &meta, parsed, prep);
	const sip_message *rec = sip_model_message(p->model, id);
	if (rec) {
		if (rec->retransmission)
			p->count.retransmissions++;
		if (p->keep_frames)
			keep_message_frames(p, id, frames);
	}
	if (!p->hooks.message)
		return;
	/* only where something prints it: --stats, --list and the UI have
	 * no use for it */
	msg_out mo;
	msg_out_init(&mo, m, parsed);
	if (pre) {
		mo.pre = pre->str;
		mo.pre_len = pre->len;
		mo.pre_split = pre_split;
	}
	if (rec) {
		mo.modelled = true;
		mo.txn = rec->txn;
		mo.dialog = rec->dialog;
		mo.call = rec->call;
		mo.retransmission = rec->retransmission;
	}
	p->hooks.message(p->hooks.user, &mo);
}

/* Frame bookkeeping for one message, where frames are read: with
 * --write-sip-only its frames are written; the UI collects them into out
 * (kept by deliver, where the model runs); either way the stream's list
 * forgets what the message used. */
static void frames_note(pipeline *p, const cap_sipmsg *m, GArray *out)
{
	if (!p->track_frames || (m->flags & CAP_SIPMSG_ICMP_QUOTED))
		return;
	if (p->writer && p->write_sip_only)
		write_message_frames(p, m);
	if (p->keep_frames)
		collect_message_frames(p, m, out);
	else
		forget_stream_frames(p, m);
}

/* ---- locks of the threads here ----------------------------------------- */

/* POSIX locks and conditions, which ThreadSanitizer knows: GLib's GMutex
 * is a futex of its own that it does not see, so it reported every access
 * the locks order as a race.  Conditions wait on CLOCK_MONOTONIC, the
 * clock of g_get_monotonic_time. */
static void sync_init(pthread_mutex_t *mu, pthread_cond_t *cv)
{
	pthread_condattr_t a;
	pthread_mutex_init(mu, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &a);
	pthread_condattr_destroy(&a);
}

static void sync_clear(pthread_mutex_t *mu, pthread_cond_t *cv)
{
	pthread_cond_destroy(cv);
	pthread_mutex_destroy(mu);
}

/* Waits on cv (mu held) until woken or until deadline_us of
 * g_get_monotonic_time; false once the deadline has passed. */
static bool cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t deadline_us)
{
	struct timespec ts = { (time_t)(deadline_us / G_USEC_PER_SEC),
		(long)(deadline_us % G_USEC_PER_SEC) * 1000 };
	return pthread_cond_timedwait(cv, mu, &ts) != ETIMEDOUT;
}

/* ---- reading ahead ------------------------------------------------------ */

static void readahead_wake(readahead *ra)
{
	pthread_mutex_lock(&ra->lock);
	pthread_cond_broadcast(&ra->cond);
	pthread_mutex_unlock(&ra->lock);
}

/* m parsed into out, and the model's part of the work into prep. */
static void parse_message(const cap_sipmsg *m, sip_msg *out, sip_prepared *prep)
{
	sip_parse_message(m->data, m->transport != SIP_TRANSPORT_UDP, out);
	sip_model_prepare(out, prep);
}

/* Reading thread: a message into the next slot, parsed there when the
 * caller's thread has enough to do (see PARSE_AHEAD). */
static void readahead_put(pipeline *p, const cap_sipmsg *m)
{
	readahead *ra = p->ra;
	unsigned head = atomic_load_explicit(&ra->head, memory_order_relaxed);
	if (head - ra->put_tail == READER_SLOTS)
		ra->put_tail = atomic_load_explicit(&ra->tail, memory_order_acquire);
	while (head - ra->put_tail == READER_SLOTS) {
		if (atomic_load(&ra->abandon))
			return;
		pthread_mutex_lock(&ra->lock);
		atomic_store(&ra->producer_waits, true);
		ra->put_tail = atomic_load(&ra->tail);
		if (head - ra->put_tail == READER_SLOTS && !atomic_load(&ra->abandon))
			pthread_cond_wait(&ra->cond, &ra->lock);
		atomic_store(&ra->producer_waits, false);
		pthread_mutex_unlock(&ra->lock);
		ra->put_tail = atomic_load_explicit(&ra->tail, memory_order_acquire);
	}
	unsigned later = (head + AHEAD_OWN) % READER_SLOTS;
	prefetch_write(&ra->slots[later], sizeof ra->slots[later]);
	prefetch_write(&ra->parsed[later], offsetof(sip_msg, hdr));
	msg_slot *s = &ra->slots[head % READER_SLOTS];
	s->frame = *m->frame;
	s->m = *m;
	s->m.frame = &s->frame;
	flow_note(p, m, &s->quote);
	g_array_set_size(s->frames, 0);
	frames_note(p, m, s->frames);
	s->needs_parse = false;
	if (head % TAIL_LOOK == 0)
		ra->put_tail = atomic_load_explicit(&ra->tail, memory_order_acquire);
	s->has_pre = false;
	if (!(m->flags & CAP_SIPMSG_ICMP_QUOTED)) {
		if (head - ra->put_tail >= PARSE_AHEAD) {
			parse_message(&s->m, s->parsed, &s->prep);
			if (p->hooks.message_pre) {
				msg_out mo;
				msg_out_init(&mo, &s->m, s->parsed);
				p->hooks.message_pre(&mo, s->pre, &s->pre_split);
				s->has_pre = true;
			}
		} else {
			s->needs_parse = true;
		}
	}
	atomic_store_explicit(&ra->head, head + 1, memory_order_release);
	/* a wake missed here (the flag read before the caller's store shows)
	 * is made good by the next message or by the end's wake */
	if (atomic_load_explicit(&ra->consumer_waits, memory_order_relaxed) &&
	    head + 1 - ra->put_tail >= READER_BATCH)
		readahead_wake(ra);
}

/* Caller's thread: the slots taken so far, for the reading thread to
 * fill again; wakes it when it waits for enough of them. */
static void readahead_publish_tail(readahead *ra)
{
	unsigned tail = ra->take_tail;
	atomic_store(&ra->tail, tail);
	if (atomic_load(&ra->producer_waits) &&
	    READER_SLOTS - (atomic_load(&ra->head) - tail) >= READER_BATCH)
		readahead_wake(ra);
}

/* Caller's thread: the next message, waiting for it; NULL once the
 * reading thread is done and every message was taken. */
static msg_slot *readahead_peek(readahead *ra, int64_t deadline_us, bool *timed_out)
{
	unsigned tail = ra->take_tail;
	if (ra->take_head != tail)
		return &ra->slots[tail % READER_SLOTS];
	ra->take_head = atomic_load_explicit(&ra->head, memory_order_acquire);
	if (ra->take_head != tail)
		return &ra->slots[tail % READER_SLOTS];
	readahead_publish_tail(ra);
	for (;;) {
		if ((ra->take_head = atomic_load(&ra->head)) != tail)
			return &ra->slots[tail % READER_SLOTS];
		if (atomic_load(&ra->done)) {
			ra->take_head = atomic_load(&ra->head);
			return ra->take_head != tail ? &ra->slots[tail % READER_SLOTS] : NULL;
		}
		if (deadline_us && g_get_monotonic_time() >= deadline_us) {
			*timed_out = true;
			return NULL;
		}
		pthread_mutex_lock(&ra->lock);
		atomic_store(&ra->consumer_waits, true);
		if (atomic_load(&ra->head) == tail && !atomic_load(&ra->done)) {
			if (deadline_us)
				cond_wait_until(&ra->cond, &ra->lock, deadline_us);
			else
				pthread_cond_wait(&ra->cond, &ra->lock);
		}
		atomic_store(&ra->consumer_waits, false);
		pthread_mutex_unlock(&ra->lock);
	}
}

static void readahead_take(readahead *ra)
{
	ra->take_tail++;
	if (ra->take_tail % TAKE_PUBLISH == 0)
		readahead_publish_tail(ra);
}

static void read_frame(pipeline *p, const cap_frame *fr);

/* Reading thread: what the caller's thread may show meanwhile. */
static void readahead_publish(pipeline *p)
{
	readahead *ra = p->ra;
	atomic_store_explicit(&ra->frames_pub, p->count.frames_read, memory_order_relaxed);
	atomic_store_explicit(&ra->filtered_pub, p->count.frames_filtered, memory_order_relaxed);
	atomic_store_explicit(&ra->bytes_pub, p->count.bytes_read, memory_order_relaxed);
	atomic_store_explicit(&ra->end_ts_pub, p->count.end_ts, memory_order_relaxed);
	const GPtrArray *errs = cap_merger_errors(p->merger);
	if (errs->len == ra->errors_seen)
		return;
	pthread_mutex_lock(&ra->lock);
	for (; ra->errors_seen < errs->len; ra->errors_seen++)
		g_ptr_array_add(ra->errors_pub, g_error_copy(g_ptr_array_index(errs, ra->errors_seen)));
	pthread_mutex_unlock(&ra->lock);
}

static gpointer readahead_main(gpointer data)
{
	pipeline *p = data;
	readahead *ra = p->ra;
	cap_frame fr;
	while (!atomic_load(&ra->stop)) {
		if (p->max_frames && p->count.frames_read - p->count.frames_filtered >= p->max_frames)
			break;
		if (cap_merger_next(p->merger, &fr) != CAP_NEXT_FRAME)
			break;
		read_frame(p, &fr);
		readahead_publish(p);
	}
	readahead_publish(p);
	/* as pipeline_finish does without a reading thread */
	cap_sipframer_flush(p->framer);
	atomic_store(&ra->done, true);
	readahead_wake(ra);
	return NULL;
}

static void readahead_start(pipeline *p)
{
	/* aligned for its cache lines (see readahead) */
	readahead *ra = g_aligned_alloc0(1, sizeof(readahead), alignof(readahead));
	ra->parsed = g_new0(sip_msg, READER_SLOTS);
	for (unsigned i = 0; i < READER_SLOTS; i++) {
		ra->slots[i].parsed = &ra->parsed[i];
		ra->slots[i].frames = g_array_new(FALSE, FALSE, sizeof(cap_frame));
		if (p->hooks.message_pre)
			ra->slots[i].pre = g_string_sized_new(512);
	}
	ra->errors_pub = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
	sync_init(&ra->lock, &ra->cond);
	p->ra = ra;
	ra->thread = g_thread_new("sipscope-read", readahead_main, p);
}

/* Waits for the reading thread; with abandon, what it still reads is
 * dropped rather than waited for. */
static void readahead_join(pipeline *p, bool abandon)
{
	readahead *ra = p->ra;
	if (!ra || !ra->thread)
		return;
	atomic_store(&ra->stop, true);
	if (abandon)
		atomic_store(&ra->abandon, true);
	readahead_wake(ra);
	g_thread_join(ra->thread);
	ra->thread = NULL;
}

/* The slots' parses and frame lists (2 MB), once the reading thread has
 * ended and the last message went through. */
static void readahead_free_slots(readahead *ra)
{
	g_free(ra->parsed);
	ra->parsed = NULL;
	for (unsigned i = 0; i < READER_SLOTS; i++) {
		ra->slots[i].parsed = NULL;
		if (ra->slots[i].frames)
			g_array_free(ra->slots[i].frames, TRUE);
		ra->slots[i].frames = NULL;
		if (ra->slots[i].pre)
			g_string_free(ra->slots[i].pre, TRUE);
		ra->slots[i].pre = NULL;
	}
}

static void readahead_free(pipeline *p)
{
	readahead *ra = p->ra;
	if (!ra)
		return;
	readahead_join(p, true);
	readahead_free_slots(ra);
	g_ptr_array_free(ra->errors_pub, TRUE);
	sync_clear(&ra->lock, &ra->cond);
	g_aligned_free(ra);
	p->ra = NULL;
}

/* Caller's thread: up to max messages through the model.  An
 * interactive caller (the UI keeps frames) waits at most UI_WAIT_US for
 * the reading thread, so that a stalled input never freezes the screen;
 * true then, as more is to come. */
enum { UI_WAIT_US = 50000 };

static void prefetch_span(const uint8_t *base, sip_span sp)
{
	if (sp.off != UINT32_MAX)
		prefetch_read(base + sp.off, sp.len < 2 * PREFETCH_LINE ? sp.len + 1 : 2 * PREFETCH_LINE);
}

/* Caller's thread: what the next messages will read, asked for while
 * this one is modelled: slots and parse summaries by address alone (a
 * load from them here would wait for them), then, nearer, the bytes of
 * the keys the model compares and copies, found from the slot. */
static void readahead_prefetch(const readahead *ra)
{
	unsigned tail = ra->take_tail, ahead = ra->take_head - tail;
	if (ahead > AHEAD_SLOT) {
		unsigned i = (tail + AHEAD_SLOT) % READER_SLOTS;
		prefetch_read(&ra->slots[i], sizeof ra->slots[i]);
		prefetch_read(&ra->parsed[i], offsetof(sip_msg, hdr));
	}
	if (ahead > AHEAD_BYTES) {
		const msg_slot *s = &ra->slots[(tail + AHEAD_BYTES) % READER_SLOTS];
		const uint8_t *raw = s->m.data.p;
		if (s->needs_parse) {
			prefetch_read(raw, 4 * PREFETCH_LINE);
		} else if (raw && !(s->m.flags & CAP_SIPMSG_ICMP_QUOTED)) {
			prefetch_span(raw, s->prep.spans[SIP_FIELD_CALL_ID]);
			prefetch_span(raw, s->prep.spans[SIP_FIELD_FROM_TAG]);
			prefetch_span(raw, s->prep.spans[SIP_FIELD_TO_TAG]);
			prefetch_span(raw, s->prep.spans[SIP_FIELD_BRANCH]);
		}
	}
}

static bool readahead_step(pipeline *p, uint64_t max)
{
	int64_t deadline = p->keep_frames ? g_get_monotonic_time() + UI_WAIT_US : 0;
	for (uint64_t i = 0; i < max; i++) {
		bool timed_out = false;
		msg_slot *s = readahead_peek(p->ra, deadline, &timed_out);
		if (!s)
			return timed_out;
		readahead_prefetch(p->ra);
		if (s->needs_parse) {
			sip_prepared prep;
			parse_message(&s->m, p->parsed, &prep);
			deliver(p, &s->m, p->parsed, &prep, &s->quote, s->frames, NULL, 0);
		} else {
			deliver(p, &s->m, s->parsed, &s->prep, &s->quote, s->frames,
				s->has_pre ? s->pre : NULL, s->pre_split);
		}
		readahead_take(p->ra);
	}
	return true;
}

static void on_sipmsg(void *user, const cap_sipmsg *m)
{
	pipeline *p = user;
	if (p->ra) {
		readahead_put(p, m);
		return;
	}
	sip_prepared prep = { 0 };
	flow_quote quote;
	flow_note(p, m, &quote);
	if (p->frames_scratch)
		g_array_set_size(p->frames_scratch, 0);
	frames_note(p, m, p->frames_scratch);
	if (!(m->flags & CAP_SIPMSG_ICMP_QUOTED))
		parse_message(m, p->parsed, &prep);
	deliver(p, m, p->parsed, &prep, &quote, p->frames_scratch, NULL, 0);
}

static void remember_stream_frame(pipeline *p, const cap_payload *pl)
{
	stream_pending key = { .src = pl->src, .dst = pl->dst };
	stream_pending *s = g_hash_table_lookup(p->pending, &key);
	if (!s) {
		s = g_new0(stream_pending, 1);
		s->src = pl->src;
		s->dst = pl->dst;
		s->frames = g_array_new(FALSE, FALSE, sizeof(cap_frame));
		g_hash_table_add(p->pending, s);
	}
	guint n = s->frames->len;
	if (n && g_array_index(s->frames, cap_frame, n - 1).num == pl->frame->num)
		return;
	if (n >= PENDING_MAX)
		g_array_remove_range(s->frames, 0, PENDING_MAX / 2);
	g_array_append_val(s->frames, *pl->frame);
}

static void on_payload(void *user, const cap_payload *pl)
{
	pipeline *p = user;
	/* a live frame the framer does not want was not copied: its bytes go
	 * back to the ring, so it must not be remembered */
	if (p->track_frames && pl->proto != CAP_PROTO_UDP && !pl->icmp_quoted && pl->data.len &&
	    (!p->live || cap_sipframer_wants(p->framer, pl)))
		remember_stream_frame(p, pl);
	cap_sipframer_feed(p->framer, pl);
}

/* Opens every -r file: the sources, their names and sizes. */
static bool open_files(const options *o, GPtrArray *srcs, GString *names, uint64_t *total, GError **err)
{
	bool sizes_known = true;
	*total = 0;
	for (char **f = o->read_files; f && *f; f++) {
		cap_source *s = cap_source_open(*f, err);
		if (!s)
			return false;
		g_ptr_array_add(srcs, s);
		if (names->len)
			g_string_append(names, ", ");
		g_string_append(names, strcmp(*f, "-") == 0 ? "standard input" : *f);
		struct stat sb;
		if (strcmp(*f, "-") != 0 && stat(*f, &sb) == 0 && S_ISREG(sb.st_mode))
			*total += (uint64_t)sb.st_size;
		else
			sizes_known = false;
	}
	if (!sizes_known)
		*total = 0;
	return true;
}

static cap_live *open_live(const options *o, GString *names, int *exit_status, GError **err)
{
	cap_live_config cfg = {
		.ifaces = o->ifaces,
		.hep_listen = o->hep_listen,
		.filter = o->filter,
		.snaplen = o->snaplen,
		.no_promisc = o->no_promisc,
		.buffer_mb = o->buffer_mb,
		.immediate = o->immediate,
	};
	cap_live *l = cap_live_open(&cfg, err);
	if (!l) {
		*exit_status = g_error_matches(*err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FILTER) ? EXIT_USAGE
											  : EXIT_NO_INPUT;
		return NULL;
	}
	for (guint i = 0; i < cap_live_input_count(l); i++) {
		if (names->len)
			g_string_append(names, ", ");
		g_string_append(names, cap_live_input_name(l, i));
	}
	return l;
}

/* -w: classic pcap when the live inputs share a link type; pcapng for
 * files (a pcapng input may mix link types, unknown before reading). */
static cap_writer *open_writer(const options *o, cap_live *live, GError **err)
{
	guint n = live ? cap_live_input_count(live) : g_strv_length(o->read_files);
	g_autofree cap_writer_iface *ifs = g_new0(cap_writer_iface, n ? n : 1);
	for (guint i = 0; i < n; i++) {
		if (live) {
			ifs[i].linktype = cap_live_input_linktype(live, i);
			ifs[i].snaplen = cap_live_input_snaplen(live, i);
			ifs[i].name = cap_live_input_name(live, i);
		} else {
			ifs[i].name = o->read_files[i];
		}
	}
	cap_writer_config cfg = {
		.path = o->write_file,
		.rotate_bytes = o->rotate_bytes,
		.rotate_secs = o->rotate_secs,
		.ifaces = ifs,
		.n_ifaces = n,
		.pcapng = !live,
	};
	return cap_writer_open(&cfg, err);
}

static int64_t mono_ns(void)
{
	return g_get_monotonic_time() * 1000;
}

pipeline *pipeline_open(const options *o, const pipeline_hooks *hooks, bool keep_frames,
			int *exit_status, GError **err)
{
	frame_filter *filter = NULL;
	bool live = options_live(o);
	/* Live: libpcap compiles the filter for each interface itself. */
	if (o->filter && !live) {
		filter = frame_filter_new(o->filter, err);
		if (!filter) {
			*exit_status = EXIT_USAGE;
			return NULL;
		}
	}
	g_autoptr(GPtrArray) srcs = g_ptr_array_new();
	g_autoptr(GString) names = g_string_new(NULL);
	uint64_t total = 0;
	cap_live *lv = NULL;
	cap_writer *writer = NULL;
	bool ok;
	if (live) {
		lv = open_live(o, names, exit_status, err);
		ok = lv != NULL;
	} else {
		ok = open_files(o, srcs, names, &total, err);
		if (!ok)
			*exit_status = EXIT_NO_INPUT;
	}
	/* Privileges go before anything is read or written. */
	if (ok && o->user && !privs_drop(o->user, err)) {
		*exit_status = EXIT_USAGE;
		ok = false;
	}
	if (ok && o->write_file) {
		writer = open_writer(o, lv, err);
		if (!writer) {
			*exit_status = EXIT_OUTPUT;
			ok = false;
		}
	}
	if (ok && lv && !cap_live_start(lv, err)) {
		*exit_status = EXIT_NO_INPUT;
		ok = false;
	}
	if (!ok) {
		for (guint i = 0; i < srcs->len; i++)
			cap_source_free(g_ptr_array_index(srcs, i));
		cap_live_free(lv);
		cap_writer_close(writer, NULL);
		frame_filter_free(filter);
		return NULL;
	}

	pipeline *p = g_new0(pipeline, 1);
	if (hooks)
		p->hooks = *hooks;
	p->filter = filter;
	p->source_name = g_string_free(g_steal_pointer(&names), FALSE);
	p->n_sources = lv ? cap_live_input_count(lv) : srcs->len;
	p->record_overhead = g_new0(unsigned, p->n_sources ? p->n_sources : 1);
	for (guint i = 0; i < p->n_sources; i++)
		p->record_overhead[i] = lv || strcmp(cap_source_format(g_ptr_array_index(srcs, i)), "pcapng") != 0 ? 16 : 32;
	p->count.bytes_total = total;
	arena_init(&p->mem, 0);
	p->dec = cap_decoder_new(&p->mem, on_payload, p);
	p->framer = cap_sipframer_new(&p->mem, on_sipmsg, p);
	p->parsed = g_new0(sip_msg, 1);
	p->model = sip_model_new();
	sip_timers timers = SIP_TIMERS_DEFAULT;
	if (o->t1_ms)
		timers.t1_ns = (int64_t)o->t1_ms * 1000000;
	if (o->t4_ms)
		timers.t4_ns = (int64_t)o->t4_ms * 1000000;
	if (o->timer_c_s)
		timers.timer_c_ns = (int64_t)o->timer_c_s * 1000000000;
	/* options_parse keeps every value within the model's bounds */
	if (!sip_model_set_timers(p->model, &timers))
		g_assert_not_reached();
	sip_limits limits = { .max_calls = o->max_calls, .max_messages = o->max_messages,
		.forget_finished = o->forget_finished, .forget_registers = o->forget_registers };
	if (!sip_model_set_limits(p->model, &limits))
		g_assert_not_reached();
	for (unsigned i = 0; i < 2; i++) {
		p->flows[i].flows = g_array_new(FALSE, TRUE, sizeof(flow_last));
		hindex_init(&p->flows[i].by);
	}
	p->flow_journal = g_array_new(FALSE, FALSE, sizeof(flow_seen));
	p->merger = cap_merger_new((cap_source **)srcs->pdata, srcs->len);
	p->more = true;
	p->keep_frames = keep_frames;
	p->live = lv;
	p->live_errors = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
	p->max_frames = o->count;
	if (lv && o->duration)
		p->deadline_ns = mono_ns() + (int64_t)o->duration * 1000000000;
	p->writer = writer;
	p->write_sip_only = writer && o->write_sip_only;
	if (p->write_sip_only) {
		p->written = g_hash_table_new(g_direct_hash, g_direct_equal);
		p->written_order = g_queue_new();
	}
	p->track_frames = keep_frames || p->write_sip_only;
	p->model_owns_raw = (o->max_calls || o->max_messages) && !p->track_frames;
	/* live input, or files read from a pipe (which may not end), under
	 * limits */
	p->streams = g_array_new(FALSE, FALSE, sizeof(stream_gen));
	for (guint i = 0; !lv && i < srcs->len; i++) {
		arena *a = cap_source_stream_arena(g_ptr_array_index(srcs, i));
		if (a) {
			stream_gen g = { .cur = a };
			arena_init(&g.old, 0);
			g_array_append_val(p->streams, g);
		}
	}
	p->gen = (lv || p->streams->len) && (o->max_calls || o->max_messages);
	/* the ring points at messages' bytes, which the generational mode
	 * frees as it goes: there, every message goes to the table */
	p->flows_indexed = p->gen;
	if (!p->gen)
		g_array_set_size(p->streams, 0);
	/* tests make rotations frequent to exercise the moves */
	const char *rot = g_getenv("SIPSCOPE_ROTATE_KB");
	p->rotate_bytes = rot && *rot ? (size_t)g_ascii_strtoull(rot, NULL, 10) << 10 : 0;
	if (!p->rotate_bytes)
		p->rotate_bytes = GEN_ROTATE_BYTES;
	arena_init(&p->mem_old, 0);
	idtab_init(&p->msg_owned);
	if (p->gen && keep_frames)
		sip_model_tap_add(p->model, SIP_EV_EVICT | SIP_EV_SHED, on_model_evict, p);
	if (keep_frames) {
		p->frames = frame_store_new();
		p->frames_scratch = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	}
	p->errors_shown = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
	if (p->track_frames) {
		p->pending = g_hash_table_new_full(pending_hash, pending_equal, pending_free, NULL);
		p->fragments = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	}
	/* Files, nothing to write: reading goes to a thread of its own, which
	 * shares the parsing, when there is a core for it (the UI's frame bookkeeping
	 * is done there too, and handed over with each message).  Not
	 * standard input: messages from a pipe that trickles in are handed
	 * on one by one, not in batches.  SIPSCOPE_THREADS=1
	 * keeps everything on one thread, =2 asks for the reading thread
	 * even on one core (tests compare the two). */
	const char *threads = g_getenv("SIPSCOPE_THREADS");
	bool from_stdin = false;
	for (char **f = o->read_files; f && *f; f++)
		from_stdin |= strcmp(*f, "-") == 0;
	bool want = threads && *threads ? strcmp(threads, "1") != 0 : g_get_num_processors() > 1;
	if (!lv && !writer && !from_stdin && want)
		readahead_start(p);
	return p;
}

/* Live: errors of the capture threads, copied when new ones came. */
static void live_errors_refresh(pipeline *p)
{
	if (!p->live || cap_live_error_count(p->live) == p->live_errors->len)
		return;
	g_ptr_array_set_size(p->live_errors, 0);
	cap_live_errors(p->live, p->live_errors);
}

/* Live: past --duration, stop capturing (what is captured still comes). */
static void live_check_deadline(pipeline *p)
{
	if (p->deadline_ns && !p->live_stopping && mono_ns() >= p->deadline_ns)
		pipeline_stop(p);
}

/* The next frame: 1, 0 at the end, -1 when none has come yet (live). */
static int next_frame(pipeline *p, cap_frame *fr, int wait_ms)
{
	if (!p->live)
		return cap_merger_next(p->merger, fr) == CAP_NEXT_FRAME ? 1 : 0;
	if (wait_ms > 0 && p->deadline_ns && !p->live_stopping) {
		int64_t left = (p->deadline_ns - mono_ns()) / 1000000 + 1;
		if (left < wait_ms)
			wait_ms = left > 0 ? (int)left : 0;
	}
	switch (cap_live_next(p->live, fr, wait_ms)) {
	case CAP_LIVE_FRAME:
		return 1;
	case CAP_LIVE_TIMEOUT:
		return -1;
	default:
		return 0;
	}
}

/* A frame read: counted, filtered, written (-w), decoded. */
static void read_frame(pipeline *p, const cap_frame *fr)
{
	p->count.frames_read++;
	p->count.bytes_read += fr->caplen +
		(fr->source < p->n_sources ? p->record_overhead[fr->source] : 16);
	if (p->count.frames_read == 1 || fr->ts_ns > p->count.end_ts)
		p->count.end_ts = fr->ts_ns;
	if (p->filter && !frame_filter_match(p->filter, fr)) {
		p->count.frames_filtered++;
		return;
	}
	if (p->writer && !p->write_sip_only)
		cap_writer_write(p->writer, fr);
	uint64_t frags = p->track_frames ? cap_decoder_stats(p->dec)->fragments : 0;
	cap_decoder_feed(p->dec, fr);
	if (p->track_frames && cap_decoder_stats(p->dec)->fragments != frags) {
		if (p->fragments->len >= FRAGMENTS_MAX)
			g_array_remove_range(p->fragments, 0, FRAGMENTS_MAX / 2);
		g_array_append_val(p->fragments, *fr);
	}
}

/* Live frames: a ring gives a frame's bytes back once the next one is
 * taken, so a frame that anything past the decoder may keep (a SIP
 * datagram, stream data, a fragment) is copied first; the rest (RTP and
 * whatever else the interface carries) is decoded where it lies and costs
 * no memory however long the capture runs. */
static bool live_payload_wanted(void *user, const cap_payload *pl)
{
	pipeline *p = user;
	/* With limits the model copies each message's bytes into what it can
	 * evict: a whole SIP datagram is then needed only while it is read,
	 * unless its frame is kept for saving or written once complete. */
	if (p->model_owns_raw && pl->proto == CAP_PROTO_UDP && !pl->ip_reassembled)
		return false;
	return cap_sipframer_wants(p->framer, pl);
}

static void read_live_frame(pipeline *p, const cap_frame *fr)
{
	if (!cap_decoder_classify(p->dec, fr, live_payload_wanted, p)) {
		read_frame(p, fr);
		return;
	}
	cap_frame kept = *fr;
	kept.data = sv_make(arena_copy(&p->mem, fr->data.p, fr->data.len), fr->data.len);
	p->count.frames_kept++;
	p->count.bytes_kept += fr->data.len;
	read_frame(p, &kept);
	if (p->gen && mem_rotate_due(p))
		mem_rotate(p);
}

bool pipeline_step_wait(pipeline *p, uint64_t max_frames, int wait_ms)
{
	if (p->ra) {
		/* max_frames counts messages here: the reading thread is ahead */
		if (p->finished)
			return false;
		return readahead_step(p, max_frames);
	}
	cap_frame fr;
	if (p->live) {
		live_check_deadline(p);
		live_errors_refresh(p);
	}
	for (uint64_t i = 0; i < max_frames && p->more && !p->finished; i++) {
		if (p->max_frames && p->count.frames_read - p->count.frames_filtered >= p->max_frames) {
			/* -c reached: what is still in the rings is not read. */
			p->more = false;
			if (p->live)
				cap_live_stop(p->live);
			break;
		}
		int got = next_frame(p, &fr, i == 0 ? wait_ms : 0);
		if (got < 0) {
			/* Idle: what was written reaches the file now. */
			if (p->writer)
				cap_writer_flush(p->writer);
			live_check_deadline(p);
			break;
		}
		if (got == 0) {
			p->more = false;
			break;
		}
		if (p->live) {
			read_live_frame(p, &fr);
		} else {
			read_frame(p, &fr);
			if (p->gen && mem_rotate_due(p))
				mem_rotate(p);
		}
	}
	if (p->live)
		live_errors_refresh(p);
	return p->more && !p->finished;
}

bool pipeline_step(pipeline *p, uint64_t max_frames)
{
	return pipeline_step_wait(p, max_frames, 0);
}

void pipeline_stop(pipeline *p)
{
	if (p->ra) {
		atomic_store(&p->ra->stop, true);
		return;
	}
	if (p->live) {
		p->live_stopping = true;
		cap_live_stop(p->live);
	} else {
		p->more = false;
	}
}

bool pipeline_is_live(const pipeline *p)
{
	return p->live != NULL;
}

const cap_live *pipeline_live(const pipeline *p)
{
	return p->live;
}

void pipeline_close_writer(pipeline *p)
{
	if (!p->writer)
		return;
	p->written_frames = cap_writer_frames(p->writer);
	p->write_lost = cap_writer_frames_lost(p->writer);
	p->write_files = cap_writer_files(p->writer);
	p->write_format = cap_writer_format(p->writer);
	g_free(p->write_path);
	p->write_path = g_strdup(cap_writer_path(p->writer));
	GError *e = NULL;
	if (!cap_writer_close(p->writer, &e) && !p->write_error)
		p->write_error = g_strdup(e->message);
	g_clear_error(&e);
	p->writer = NULL;
	p->writer_closed = true;
}

/* Reading gives the mapped files' pages back behind its cursor; what
 * comes after it (the findings' last checks, the records and reports
 * written at the end) reads message bytes all over the file again, page
 * by page, and a report that first measures every call (column widths)
 * touches them all before it writes a line.  So once reading is over, a
 * thread gives the pages back every RELEASE_PERIOD_US while the rest
 * runs: a page read again is read from the page cache, and memory stays
 * near what the model holds instead of growing to the file's size.  The
 * end of the capture (timers judged, the findings that only it tells,
 * bindings that expired) reads as fast: with REGISTER Call-IDs kept
 * whole, 50 ms let the 1M-call capture's --json take back 400 MB of the
 * file in between, 5 ms keeps that near the reading's own window.  A
 * release finds little to do, as most of the file is not mapped in. */
enum { RELEASE_PERIOD_US = 5000 };

static gpointer releaser_main(gpointer data)
{
	pipeline *p = data;
	pthread_mutex_lock(&p->rel_lock);
	while (!p->rel_stop) {
		gint64 until = g_get_monotonic_time() + RELEASE_PERIOD_US;
		while (!p->rel_stop && cond_wait_until(&p->rel_cond, &p->rel_lock, until))
			;
		if (p->rel_stop)
			break;
		/* under the lock: pipeline_release_mapped may give them back too */
		cap_merger_release_mapped(p->merger);
	}
	pthread_mutex_unlock(&p->rel_lock);
	return NULL;
}

static void releaser_stop(pipeline *p)
{
	if (!p->releaser)
		return;
	pthread_mutex_lock(&p->rel_lock);
	p->rel_stop = true;
	pthread_cond_signal(&p->rel_cond);
	pthread_mutex_unlock(&p->rel_lock);
	g_thread_join(p->releaser);
	p->releaser = NULL;
	sync_clear(&p->rel_lock, &p->rel_cond);
}

void pipeline_release_mapped(pipeline *p)
{
	/* the releaser runs once reading is over, for files, until
	 * pipeline_release_end (the UI, once its end pass is done: then the
	 * pages are read again as the user moves, and what the caller asks
	 * for is all that goes) */
	if (!p->releaser) {
		if (p->finished && !p->live && p->merger)
			cap_merger_release_mapped(p->merger);
		return;
	}
	pthread_mutex_lock(&p->rel_lock);
	cap_merger_release_mapped(p->merger);
	pthread_mutex_unlock(&p->rel_lock);
}

void pipeline_release_end(pipeline *p)
{
	releaser_stop(p);
	pipeline_release_mapped(p);
}

/* Once no message can come: the flows (and the journal) are of no more
 * use; a UI holding a capture's calls keeps them no longer. */
static void flows_free(pipeline *p)
{
	for (unsigned i = 0; i < 2; i++) {
		hindex_clear(&p->flows[i].by);
		if (p->flows[i].flows)
			g_array_free(p->flows[i].flows, TRUE);
		p->flows[i].flows = NULL;
	}
	if (p->flow_journal)
		g_array_free(p->flow_journal, TRUE);
	p->flow_journal = NULL;
}

void pipeline_finish(pipeline *p)
{
	if (p->finished)
		return;
	p->finished = true;
	if (p->live) {
		/* Capturing ends; frames still in the rings are not read. */
		cap_live_stop(p->live);
		live_errors_refresh(p);
	}
	if (p->ra) {
		/* Stopped early (a signal): the frames read still go through,
		 * and the reading thread flushes the framer. */
		atomic_store(&p->ra->stop, true);
		while (readahead_step(p, UINT64_MAX))
			;
		readahead_join(p, false);
		readahead_free_slots(p->ra);
	} else {
		cap_sipframer_flush(p->framer);
	}
	if (!p->live) {
		cap_merger_release_mapped(p->merger);
		sync_init(&p->rel_lock, &p->rel_cond);
		p->releaser = g_thread_new("sipscope-pages", releaser_main, p);
	}
	flows_free(p);
	/* no message comes any more: the frames that waited for one go */
	if (p->track_frames) {
		g_hash_table_remove_all(p->pending);
		g_array_free(p->fragments, TRUE);
		p->fragments = g_array_new(FALSE, FALSE, sizeof(cap_frame));
	}
	sip_model_finish(p->model, p->count.end_ts);
	pipeline_close_writer(p);
}

void pipeline_abandon(pipeline *p)
{
	if (p->ra)
		readahead_join(p, true);
}

const char *pipeline_write_error(pipeline *p)
{
	if (p->writer && !p->write_error && cap_writer_failed(p->writer))
		p->write_error = g_strdup(cap_writer_error(p->writer));
	return p->write_error;
}

bool pipeline_write_counts(const pipeline *p, pipeline_write_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!p->writer && !p->writer_closed)
		return false;
	if (p->writer) {
		out->frames = cap_writer_frames(p->writer);
		out->lost = cap_writer_frames_lost(p->writer);
		out->files = cap_writer_files(p->writer);
		out->format = cap_writer_format(p->writer);
		out->path = cap_writer_path(p->writer);
	} else {
		out->frames = p->written_frames;
		out->lost = p->write_lost;
		out->files = p->write_files;
		out->format = p->write_format;
		out->path = p->write_path;
	}
	return true;
}

bool pipeline_finished(const pipeline *p)
{
	return p->finished;
}

void pipeline_free(pipeline *p)
{
	if (!p)
		return;
	readahead_free(p);
	releaser_stop(p);
	cap_merger_free(p->merger);
	cap_sipframer_free(p->framer);
	cap_decoder_free(p->dec);
	flows_free(p);
	g_free(p->parsed);
	sip_model_free(p->model);
	arena_free(&p->mem);
	arena_free(&p->mem_old);
	for (guint i = 0; p->streams && i < p->streams->len; i++)
		arena_free(&g_array_index(p->streams, stream_gen, i).old);
	if (p->streams)
		g_array_free(p->streams, TRUE);
	for (guint i = 0; i < p->msg_owned.len; i++)
		g_free(idtab_get(&p->msg_owned, i));
	idtab_clear(&p->msg_owned);
	frame_filter_free(p->filter);
	g_free(p->source_name);
	g_free(p->record_overhead);
	/* The writer first (whole records, a closed file), then the threads
	 * and the frames they captured. */
	pipeline_close_writer(p);
	cap_live_free(p->live);
	g_ptr_array_free(p->errors_shown, TRUE);
	if (p->keep_frames) {
		frame_store_free(p->frames);
		g_array_free(p->frames_scratch, TRUE);
	}
	if (p->track_frames) {
		g_hash_table_destroy(p->pending);
		g_array_free(p->fragments, TRUE);
	}
	if (p->written) {
		g_hash_table_destroy(p->written);
		g_queue_free(p->written_order);
	}
	g_ptr_array_free(p->live_errors, TRUE);
	g_free(p->write_error);
	g_free(p->write_path);
	g_free(p);
}

sip_model *pipeline_model(const pipeline *p)
{
	return p->model;
}

/* While a reading thread runs, its counters are read from what it
 * published; the model's side is this thread's own. */
static bool reading_on_thread(const pipeline *p)
{
	return p->ra && p->ra->thread;
}

const pipeline_counters *pipeline_counters_get(const pipeline *p)
{
	if (!reading_on_thread(p))
		return &p->count;
	pipeline *w = (pipeline *)p;
	pipeline_counters *c = &w->count_shown;
	c->messages = p->count.messages;
	c->invalid = p->count.invalid;
	c->with_warnings = p->count.with_warnings;
	c->retransmissions = p->count.retransmissions;
	c->icmp_notes = p->count.icmp_notes;
	c->bytes_total = p->count.bytes_total;
	c->frames_read = atomic_load_explicit(&w->ra->frames_pub, memory_order_relaxed);
	c->frames_filtered = atomic_load_explicit(&w->ra->filtered_pub, memory_order_relaxed);
	c->bytes_read = atomic_load_explicit(&w->ra->bytes_pub, memory_order_relaxed);
	c->end_ts = atomic_load_explicit(&w->ra->end_ts_pub, memory_order_relaxed);
	return c;
}

const cap_decode_stats *pipeline_decode_stats(const pipeline *p)
{
	return cap_decoder_stats(p->dec);
}

const cap_sipframe_stats *pipeline_sipframe_stats(const pipeline *p)
{
	return cap_sipframer_stats(p->framer);
}

const GPtrArray *pipeline_errors(const pipeline *p)
{
	if (p->live)
		return p->live_errors;
	if (!reading_on_thread(p))
		return cap_merger_errors(p->merger);
	pipeline *w = (pipeline *)p;
	pthread_mutex_lock(&w->ra->lock);
	for (guint i = w->errors_shown->len; i < w->ra->errors_pub->len; i++)
		g_ptr_array_add(w->errors_shown, g_error_copy(g_ptr_array_index(w->ra->errors_pub, i)));
	pthread_mutex_unlock(&w->ra->lock);
	return w->errors_shown;
}

void pipeline_notices(const pipeline *p, GPtrArray *out)
{
	cap_decoder_notices(p->dec, out);
	const cap_sipframe_stats *fs = cap_sipframer_stats(p->framer);
	if (fs->tcp_evicted)
		g_ptr_array_add(out, g_strdup_printf("%" G_GUINT64_FORMAT " TCP stream directions "
			"forgotten to stay within %u held at once (the least recently active first); "
			"a message they were in the middle of is lost", fs->tcp_evicted,
			(unsigned)CAP_SIPFRAME_MAX_FLOWS));
	if (p->filter)
		frame_filter_notices(p->filter, out);
	if (p->live)
		cap_live_notices(p->live, out);
}

const char *pipeline_source_name(const pipeline *p)
{
	return p->source_name;
}

static gint frame_cmp(gconstpointer a, gconstpointer b)
{
	const cap_frame *x = a, *y = b;
	return x->num < y->num ? -1 : x->num > y->num;
}

void pipeline_frames_of_messages(const pipeline *p, const sip_id *msgs, size_t n, GArray *out)
{
	if (!p->keep_frames)
		return;
	guint base = out->len;
	for (size_t i = 0; i < n; i++) {
		if (p->gen) {
			const owned_frames *of = idtab_get(&p->msg_owned, msgs[i]);
			for (uint32_t k = 0; of && k < of->count; k++)
				g_array_append_val(out, of->f[k]);
			continue;
		}
		frame_store_get(p->frames, msgs[i], out);
	}
	if (out->len - base < 2)
		return;
	cap_frame *v = &g_array_index(out, cap_frame, base);
	size_t cnt = out->len - base;
	qsort(v, cnt, sizeof(cap_frame), frame_cmp);
	size_t w = 1;
	for (size_t r = 1; r < cnt; r++)
		if (v[r].num != v[w - 1].num)
			v[w++] = v[r];
	g_array_set_size(out, base + (guint)w);
}
