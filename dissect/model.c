/*
 * model.c — the model's front: stores each message's compact record, runs
 * it through transactions → dialogs → calls → registrations, and tells the
 * taps what changed.
 */
#include "dissect/model.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/call.h"
#include "dissect/dialog.h"
#include "dissect/multipart.h"
#include "dissect/registration.h"
#include "dissect/sip_header.h"
#include "dissect/txn.h"

/* Records are small and many: large chunks keep the arena's overhead low. */
enum {
	MODEL_ARENA_CHUNK = 256 * 1024,
	/* messages without Call-ID are owned in groups of this many */
	GROUP_MESSAGES = 256,
	GROUP_ARENA_CHUNK = 4096,
};

typedef struct model_tap {
	unsigned events;
	sip_tap_fn fn;
	void *user;
} model_tap;

struct sip_model {
	arena mem;
	idtab msgs;               /* sip_message* by id */
	/* of sip_message under limits, by its extension (bit 0: meta, bit 1:
	 * spans): a record goes back to the pool of its size */
	pool msg_pools[4];
	txn_table txns;
	dlg_table dialogs;
	call_table calls;
	reg_table regs;
	GArray *taps;             /* model_tap */
	unsigned tap_events;      /* every event some tap listens to */
	mdl_changes ch;
	GArray *ended;            /* sip_id scratch for sip_model_finish */
	GArray *expired;          /* sip_id scratch for txn_tick */
	const sip_msg *adding;    /* the parse of the message being added, during its taps */
	int64_t clock;
	sip_timers timers;        /* fixed once the first message went in; the tables point here */
	/* limits (sip_model_set_limits) */
	sip_limits limits;
	bool limited;             /* some bound or forget_finished: owners are tracked */
	/* Owners, least recently active first: those that may still change,
	 * and (forget_finished) those found quiet but not finished, which only
	 * a new message of theirs brings back. */
	mdl_owner_list active, parked;
	mdl_owner *group;         /* the group taking messages without Call-ID */
	guint calls_held, msgs_held;
	sip_evictions evicted;
	sip_evictions forgotten;  /* forget_finished */
	sip_call_keep_fn keep;    /* forget_finished: calls never forgotten (sip_model_set_keep) */
	void *keep_user;
	sip_ids shed_msgs, shed_txns; /* scratch for shed: what goes */
	const sip_ids *ev_msgs, *ev_txns, *ev_dialogs; /* during SIP_EV_EVICT */
	bool compacted;           /* sip_model_compact: the indexes by key are empty */
	/* In call_attach, before the message joins its call: nothing waits
	 * to be published, so call_gone may shed the call it finds quiet
	 * (not when a related Call-ID is looked up later in the message). */
	bool attaching;
	/* Without limits, every call stays; the indexes that match a new
	 * message to a call, transaction or dialog need hold only what a
	 * message can still reach.  heard: the messages in the order they
	 * came, as (call, message), from which the calls over for good are
	 * found oldest first (put_away_over); a pair whose message is no
	 * longer its call's newest is passed over. */
	GArray *heard;            /* model_heard */
	guint heard_head;
	/* Calls its Call-ID's next message found over for good (call_gone)
	 * while every call is kept: put away with the others once that
	 * message is told, as the forgetting modes forget them before the
	 * message after it (sip_id). */
	GArray *gone;
};

typedef struct model_heard {
	sip_id call, msg;
} model_heard;

/* The size model.h promises, and an extension right after a record is
 * aligned for its sip_msg_meta. */
G_STATIC_ASSERT(sizeof(sip_message) <= 88);
/* method codes fit the record's four bits */
G_STATIC_ASSERT(SIP_METHOD__COUNT <= 16);
G_STATIC_ASSERT(SIP_MSG_TRANSPORT__COUNT <= 8);
G_STATIC_ASSERT(sizeof(sip_message) % _Alignof(sip_msg_meta) == 0);

/* A message record with the extension it needs (model.h, sip_message). */
static size_t msg_size(bool wide_meta, bool wide_spans)
{
	return sizeof(sip_message) + (wide_meta ? sizeof(sip_msg_meta) : 0) +
		(wide_spans ? sizeof(sip_msg_ext_spans) : 0);
}

static unsigned msg_pool_of(bool wide_meta, bool wide_spans)
{
	return (wide_meta ? 1u : 0u) | (wide_spans ? 2u : 0u);
}

/* ---- names ------------------------------------------------------------------ */

const char *txn_state_name(txn_state s)
{
	static const char *const names[] = {
		[TXN_STATE_CALLING] = "calling", [TXN_STATE_TRYING] = "trying",
		[TXN_STATE_PROCEEDING] = "proceeding", [TXN_STATE_COMPLETED] = "completed",
		[TXN_STATE_CONFIRMED] = "confirmed", [TXN_STATE_TERMINATED] = "terminated",
	};
	return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "unknown";
}

const char *dlg_state_name(dlg_state s)
{
	static const char *const names[] = {
		[DLG_STATE_EARLY] = "early", [DLG_STATE_CONFIRMED] = "confirmed",
		[DLG_STATE_TERMINATED] = "terminated",
	};
	return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "unknown";
}

const char *dlg_end_name(dlg_end e)
{
	static const char *const names[] = {
		[DLG_END_NONE] = NULL, [DLG_END_BYE] = "BYE",
		[DLG_END_NON_2XX_FINAL] = "non-2xx final response", [DLG_END_481] = "481",
		[DLG_END_408] = "408", [DLG_END_SUBSCRIPTION_TERMINATED] = "subscription terminated",
		[DLG_END_OTHER_FORK] = "other fork answered", [DLG_END_NO_FINAL] = "no final response",
	};
	return (unsigned)e < G_N_ELEMENTS(names) ? names[e] : NULL;
}

const char *call_state_name(call_state s)
{
	static const char *const names[] = {
		[CALL_STATE_ACTIVE] = "active", [CALL_STATE_SETUP] = "setup",
		[CALL_STATE_ANSWERED] = "answered", [CALL_STATE_BUSY] = "busy",
		[CALL_STATE_CANCELLED] = "cancelled", [CALL_STATE_NO_ANSWER] = "no-answer",
		[CALL_STATE_FAILED] = "failed", [CALL_STATE_NOT_A_CALL] = "not-a-call",
	};
	return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "unknown";
}

const char *call_ender_name(call_ender e)
{
	switch (e) {
	case CALL_END_CALLER:
		return "caller";
	case CALL_END_CALLEE:
		return "callee";
	case CALL_END_OTHER:
		return "other";
	default:
		return NULL;
	}
}

const char *binding_state_name(binding_state s)
{
	static const char *const names[] = {
		[BINDING_ACTIVE] = "active", [BINDING_REFRESHED] = "refreshed",
		[BINDING_REMOVED] = "removed", [BINDING_EXPIRED] = "expired",
	};
	return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "unknown";
}

/* ---- life ------------------------------------------------------------------- */

static bool call_gone(void *user, call_rec *r);
static int64_t quiet_ns(const sip_model *m);

sip_model *sip_model_new(void)
{
	sip_model *m = g_new0(sip_model, 1);
	arena_init(&m->mem, MODEL_ARENA_CHUNK);
	idtab_init(&m->msgs);
	for (unsigned k = 0; k < G_N_ELEMENTS(m->msg_pools); k++)
		pool_init(&m->msg_pools[k], msg_size(k & 1, k & 2), 0);
	m->timers = SIP_TIMERS_DEFAULT;
	txn_table_init(&m->txns, &m->mem, &m->timers, &m->msgs);
	dlg_table_init(&m->dialogs, &m->mem);
	call_table_init(&m->calls, &m->mem);
	m->calls.gone = call_gone;
	m->calls.gone_user = m;
	m->calls.gone_quiet_ns = quiet_ns(m);
	reg_table_init(&m->regs, &m->mem);
	m->taps = g_array_new(FALSE, FALSE, sizeof(model_tap));
	m->ch.stamp = 1;
	m->ended = g_array_new(FALSE, FALSE, sizeof(sip_id));
	m->expired = g_array_new(FALSE, FALSE, sizeof(sip_id));
	m->heard = g_array_new(FALSE, FALSE, sizeof(model_heard));
	m->gone = g_array_new(FALSE, FALSE, sizeof(sip_id));
	return m;
}

static void owner_free_group(mdl_owner *o)
{
	mdl_ids_free(&o->msgs);
	mdl_ids_free(&o->txns);
	mdl_ids_free(&o->dialogs);
	arena_free(&o->keep);
	g_free(o);
}

void sip_model_free(sip_model *m)
{
	if (!m)
		return;
	mdl_owner_list *lists[] = { &m->active, &m->parked };
	for (size_t k = 0; k < G_N_ELEMENTS(lists); k++)
		for (mdl_owner *o = lists[k]->head, *next; o; o = next) {
			next = o->next;
			if (o->call == SIP_ID_NONE)
				owner_free_group(o);
		}
	/* records under limits came from pools: the tables clear theirs */
	for (unsigned k = 0; k < G_N_ELEMENTS(m->msg_pools); k++)
		pool_clear(&m->msg_pools[k]);
	reg_table_clear(&m->regs);
	call_table_clear(&m->calls);
	dlg_table_clear(&m->dialogs);
	txn_table_clear(&m->txns);
	for (unsigned i = 0; i < MDL_CH__COUNT; i++)
		mdl_ids_free(&m->ch.ids[i]);
	mdl_ids_free(&m->shed_msgs);
	mdl_ids_free(&m->shed_txns);
	g_array_free(m->ended, TRUE);
	g_array_free(m->expired, TRUE);
	g_array_free(m->heard, TRUE);
	g_array_free(m->gone, TRUE);
	g_array_free(m->taps, TRUE);
	idtab_clear(&m->msgs);
	arena_free(&m->mem);
	g_free(m);
}

bool sip_timers_valid(const sip_timers *t)
{
	return t->t1_ns >= 1 && t->t1_ns <= SIP_TIMER_MAX_NS &&
		t->t2_ns >= 1 && t->t2_ns <= SIP_TIMER_MAX_NS &&
		t->t4_ns >= 0 && t->t4_ns <= SIP_TIMER_MAX_NS &&
		t->timer_c_ns >= 1 && t->timer_c_ns <= SIP_TIMER_MAX_NS;
}

bool sip_model_set_timers(sip_model *m, const sip_timers *t)
{
	/* a transaction judged by one T1 and the next by another would make
	 * the run's answers depend on when the change happened */
	if (m->msgs.len > 0 || !sip_timers_valid(t))
		return false;
	m->timers = *t;
	m->calls.gone_quiet_ns = quiet_ns(m);
	return true;
}

const sip_timers *sip_model_timers(const sip_model *m)
{
	return &m->timers;
}

bool sip_model_set_limits(sip_model *m, const sip_limits *l)
{
	if (m->msgs.len > 0)
		return false;
	m->limits = *l;
	bool bounded = l->max_calls > 0 || l->max_messages > 0;
	m->limited = bounded || l->forget_finished;
	m->txns.heap = m->dialogs.heap = m->calls.heap = m->limited;
	/* Forgetting finished calls alone keeps the caller's bytes (a file's,
	 * there for the whole run) and every registration, so nothing needs
	 * copying; bounds may evict anything at any time. */
	m->calls.copy_raw = m->regs.copy = bounded;
	/* Calls shed (forget_quiet_run) only without bounds: a call that shed
	 * is never evicted then (it lasts, and only finished calls go), so
	 * eviction never meets the ids it shed in its lists.  What their
	 * transactions copy then goes beside each, to be freed with it;
	 * elsewhere the owner's arena holds it (freed with the owner, at
	 * once: --stats alone, which forgets REGISTER Call-IDs, and the
	 * bounds, which evict whole calls). */
	m->txns.side_on = l->forget_finished && !l->forget_registers && !bounded;
	return true;
}

bool sip_model_set_keep(sip_model *m, sip_call_keep_fn keep, void *user)
{
	if (m->msgs.len > 0)
		return false;
	m->keep = keep;
	m->keep_user = user;
	return true;
}

const sip_limits *sip_model_limits(const sip_model *m)
{
	return &m->limits;
}

const sip_evictions *sip_model_evictions(const sip_model *m)
{
	return &m->evicted;
}

const sip_evictions *sip_model_forgotten(const sip_model *m)
{
	return &m->forgotten;
}

guint sip_model_calls_held(const sip_model *m)
{
	return m->limited ? m->calls_held : m->calls.recs.len;
}

size_t sip_model_call_bytes(const sip_model *m, sip_id call)
{
	const call_rec *r = m->calls.heap ? call_get(&m->calls, call) : NULL;
	return r ? r->own.keep.bytes_used : 0;
}

guint sip_model_messages_held(const sip_model *m)
{
	return m->limited ? m->msgs_held : m->msgs.len;
}

void sip_model_evicting(const sip_model *m, const sip_ids **msgs, const sip_ids **txns,
	const sip_ids **dialogs)
{
	*msgs = m->ev_msgs;
	*txns = m->ev_txns;
	*dialogs = m->ev_dialogs;
}

void sip_model_tap_add(sip_model *m, unsigned events, sip_tap_fn fn, void *user)
{
	model_tap t = { events, fn, user };
	g_array_append_val(m->taps, t);
	m->tap_events |= events;
}

void mdl_ids_grow(sip_ids *a)
{
	/* most calls hold a few transactions and dialogs, and a dozen messages */
	guint cap = a->cap ? a->cap * 2 : 4;
	g_assert(cap > a->cap);
	a->data = g_renew(sip_id, a->data, cap);
	a->cap = cap;
}

void mdl_ids_free(sip_ids *a)
{
	g_free(a->data);
	*a = (sip_ids){ 0 };
}

/* ---- taps --------------------------------------------------------------------- */

static void publish(sip_model *m, sip_event ev, sip_id id)
{
	for (guint i = 0; i < m->taps->len; i++) {
		const model_tap *t = &g_array_index(m->taps, model_tap, i);
		if (t->events & ev)
			t->fn(t->user, m, ev, id);
	}
}

static void flush(sip_model *m, sip_id msg)
{
	static const sip_event kinds[MDL_CH__COUNT] = {
		[MDL_CH_TXN] = SIP_EV_TXN, [MDL_CH_DIALOG] = SIP_EV_DIALOG,
		[MDL_CH_CALL] = SIP_EV_CALL, [MDL_CH_REG] = SIP_EV_REGISTRATION,
	};
	/* only the events some tap listens to (--stats alone hears evictions) */
	if (msg != SIP_ID_NONE && (m->tap_events & SIP_EV_MESSAGE))
		publish(m, SIP_EV_MESSAGE, msg);
	for (unsigned k = 0; k < MDL_CH__COUNT; k++) {
		if (!(m->tap_events & kinds[k]))
			continue;
		const sip_ids *ids = &m->ch.ids[k];
		for (uint32_t i = 0; i < ids->len; i++)
			publish(m, kinds[k], ids->data[i]);
	}
	for (unsigned k = 0; k < MDL_CH__COUNT; k++)
		m->ch.ids[k].len = 0;
	if (++m->ch.stamp == 0)
		m->ch.stamp = 1;   /* 0 is what fresh records hold */
}

/* ---- messages ------------------------------------------------------------------- */

/* Where field lies in raw, whose pointer and length sip_model_prepare checked.
 * The offset as an unsigned difference: a view before raw wraps to a
 * value above raw.len, so one comparison covers both sides. */
static inline sip_span span_of(sv raw, sv field)
{
	uintptr_t off = (uintptr_t)field.p - (uintptr_t)raw.p;
	if (field.p == NULL || off > raw.len || field.len > raw.len - off)
		return (sip_span){ UINT32_MAX, 0 };
	return (sip_span){ (uint32_t)off, (uint32_t)field.len };
}

static bool body_has_sdp(const sip_msg *p)
{
	sv ctv = sip_msg_value(p, SIP_HDR_CONTENT_TYPE);
	sip_ctype ct;
	if (p->body.len == 0 || !ctv.p)
		return false;
	/* the usual value, which the parse below would take the same way */
	if (sv_eq_ci_cstr(ctv, "application/sdp"))
		return true;
	if (!sip_ctype_parse(ctv, &ct))
		return false;
	if (sip_ctype_is(&ct, "application", "sdp"))
		return true;
	if (!sip_ctype_is(&ct, "multipart", NULL))
		return false;
	mp_body mp;
	mp_parse(p->body, ctv, &mp);
	for (unsigned i = 0; i < mp.n_parts; i++) {
		sip_ctype pct;
		if (mp.parts[i].content_type.p && sip_ctype_parse(mp.parts[i].content_type, &pct) &&
		    sip_ctype_is(&pct, "application", "sdp"))
			return true;
	}
	return false;
}

void sip_model_prepare(const sip_msg *p, sip_prepared *out)
{
	out->call_id_hash = sv_hash(p->call_id);
	out->from_tag_hash = sv_hash_ci(p->from_tag);
	out->to_tag_hash = sv_hash_ci(p->to_tag);
	out->branch_hash = sv_hash_ci(p->branch);
	out->method_code = (uint8_t)sip_method_lookup(p->method);
	out->cseq_method_code = p->has_cseq ? (uint8_t)sip_method_lookup(p->cseq_method) : SIP_METHOD_OTHER;
	out->msg_method_code = p->kind == SIP_KIND_REQUEST ? out->method_code :
		p->has_cseq ? out->cseq_method_code : (uint8_t)sip_method_lookup(p->cseq_method);
	out->has_sdp = body_has_sdp(p);
	memset(&out->via, 0, sizeof(out->via));
	memset(&out->via2, 0, sizeof(out->via2));
	if (p->kind != SIP_KIND_INVALID)
		txn_prepare_via(p, p->branch, out->branch_hash, p->via_sent_by, p->via_transport,
			out->call_id_hash, out->from_tag_hash, &out->via);
	if (p->kind != SIP_KIND_INVALID && p->has_via2)
		txn_prepare_via(p, p->via2_branch, sv_hash_ci(p->via2_branch), p->via2_sent_by,
			p->via2_transport, out->call_id_hash, out->from_tag_hash, &out->via2);
	sv raw = p->raw;
	sip_span *sp = out->spans;
	if (raw.p == NULL || raw.len >= UINT32_MAX) {
		for (unsigned f = 0; f < SIP_FIELD__COUNT; f++)
			sp[f] = (sip_span){ UINT32_MAX, 0 };
		return;
	}
	sp[SIP_FIELD_METHOD] = span_of(raw, p->method);
	sp[SIP_FIELD_REQUEST_URI] = span_of(raw, p->request_uri);
	sp[SIP_FIELD_REASON] = span_of(raw, p->reason);
	sp[SIP_FIELD_CALL_ID] = span_of(raw, p->call_id);
	sp[SIP_FIELD_CSEQ_METHOD] = span_of(raw, p->has_cseq ? p->cseq_method : SV_NULL);
	sp[SIP_FIELD_FROM_TAG] = span_of(raw, p->from_tag);
	sp[SIP_FIELD_TO_TAG] = span_of(raw, p->to_tag);
	sp[SIP_FIELD_BRANCH] = span_of(raw, p->branch);
	sp[SIP_FIELD_VIA_SENT_BY] = span_of(raw, p->via_sent_by);
}

const char *const sip_msg_transport_names[SIP_MSG_TRANSPORT__COUNT] = {
	[SIP_MSG_TRANSPORT_NONE] = NULL, [SIP_MSG_TRANSPORT_UDP] = "UDP",
	[SIP_MSG_TRANSPORT_TCP] = "TCP", [SIP_MSG_TRANSPORT_SCTP] = "SCTP",
	[SIP_MSG_TRANSPORT_WS] = "WS",
};

/* The code of a transport name, by its bytes (a caller's own copy of
 * "TCP" is TCP); -1 for a name without one. */
static int transport_code(const char *t)
{
	int k;
	if (!t)
		return SIP_MSG_TRANSPORT_NONE;
	switch (t[0]) {
	case 'U':
		k = SIP_MSG_TRANSPORT_UDP;
		break;
	case 'T':
		k = SIP_MSG_TRANSPORT_TCP;
		break;
	case 'S':
		k = SIP_MSG_TRANSPORT_SCTP;
		break;
	case 'W':
		k = SIP_MSG_TRANSPORT_WS;
		break;
	default:
		return -1;
	}
	/* the linker merges equal string constants: usually the same pointer */
	return t == sip_msg_transport_names[k] || strcmp(t, sip_msg_transport_names[k]) == 0 ? k : -1;
}

static bool ep_is_v4(const endpoint *e)
{
	static const uint8_t zero[12];
	return e->family == EP_IPV4 && memcmp(e->addr + 4, zero, sizeof(zero)) == 0;
}

/* The transport's code when the record can hold meta inline
 * (sip_message), else -1. */
static int meta_inline(const sip_msg_meta *meta)
{
	if (!ep_is_v4(&meta->src) || !ep_is_v4(&meta->dst) || meta->first_frame > meta->frame ||
	    meta->frame - meta->first_frame > 15 || meta->index > 15 ||
	    meta->capture_flags > UINT8_MAX)
		return -1;
	return transport_code(meta->transport);
}

void sip_message_meta(const sip_message *msg, sip_msg_meta *out)
{
	const sip_msg_meta *x = sip_message_ext_meta(msg);
	if (x) {
		*out = *x;
		return;
	}
	*out = (sip_msg_meta){
		.frame = msg->frame,
		.first_frame = msg->frame - msg->first_frame_back,
		.ts_ns = msg->ts_ns,
		.transport = sip_msg_transport_names[msg->transport],
		.index = msg->index,
		.capture_flags = msg->capture_flags,
		.src = sip_message_src(msg),
		.dst = sip_message_dst(msg),
	};
}

/* Once a message, from one place: always inline (link-time optimisation
 * made it a call of its own whenever the model's path grew a little). */
G_ALWAYS_INLINE static inline sip_message *record(sip_model *m, const sip_msg_meta *meta,
	const sip_msg *p, const sip_prepared *prep)
{
	int transport = meta_inline(meta);
	bool wide_meta = transport < 0;
	/* every present span then has an offset and a length below UINT16_MAX,
	 * the Request-URI and the reason phrase can share their place, and so
	 * can the method and the CSeq method */
	const sip_span *sp = prep->spans;
	bool has_method = sp[SIP_FIELD_METHOD].off != UINT32_MAX;
	bool has_cseq_method = sp[SIP_FIELD_CSEQ_METHOD].off != UINT32_MAX;
	uint32_t lens = 0;   /* an absent span has 0 */
	for (unsigned f = 0; f < SIP_FIELD__COUNT; f++)
		lens |= sp[f].len;
	/* known method names compare by their codes (the same bytes) */
	bool same_methods = prep->method_code != SIP_METHOD_OTHER ?
		prep->method_code == prep->cseq_method_code :
		sv_eq(sip_span_sv(p->raw, sp[SIP_FIELD_METHOD]), sip_span_sv(p->raw, sp[SIP_FIELD_CSEQ_METHOD]));
	bool wide_spans = p->raw.len >= UINT16_MAX || lens > UINT8_MAX ||
		(sp[SIP_FIELD_REQUEST_URI].off != UINT32_MAX && sp[SIP_FIELD_REASON].off != UINT32_MAX) ||
		(has_method && has_cseq_method && !same_methods);
	sip_message *r = mdl_rec_alloc(&m->mem, &m->msg_pools[msg_pool_of(wide_meta, wide_spans)],
		m->limited);
	memset(r, 0, sizeof(*r));
	r->id = m->msgs.len;
	r->txn = r->dialog = r->call = SIP_ID_NONE;
	r->frame = meta->frame;
	r->ts_ns = meta->ts_ns;
	r->ext_meta = wide_meta;
	r->ext_spans = wide_spans;
	if (wide_meta) {
		memcpy(r + 1, meta, sizeof(*meta));
	} else {
		r->transport = (uint8_t)transport;
		r->capture_flags = (uint8_t)meta->capture_flags;
		r->index = (uint8_t)meta->index;
		r->first_frame_back = (uint8_t)(meta->frame - meta->first_frame);
		memcpy(r->src_addr, meta->src.addr, 4);
		memcpy(r->dst_addr, meta->dst.addr, 4);
		r->src_port = meta->src.port;
		r->dst_port = meta->dst.port;
	}
	if (wide_spans) {
		sip_msg_ext_spans *ext = (sip_msg_ext_spans *)(void *)((char *)(r + 1) +
			(wide_meta ? sizeof(*meta) : 0));
		memcpy(ext->spans, prep->spans, sizeof(prep->spans));
		/* a message is far shorter than 4 GiB: framing bounds it long before */
		ext->raw_len = (uint32_t)p->raw.len;
	} else {
		/* present spans lie inside raw, below UINT16_MAX, and are at
		 * most UINT8_MAX long; an absent one ({ UINT32_MAX, 0 }) becomes
		 * { UINT16_MAX, 0 } */
		r->raw_len16 = (uint16_t)p->raw.len;
		r->span_reason = sp[SIP_FIELD_REASON].off != UINT32_MAX;
		r->span_method = has_method;
		r->span_cseq_method = has_cseq_method;
		sip_span first = sp[has_method ? SIP_FIELD_METHOD : SIP_FIELD_CSEQ_METHOD];
		sip_span start = sp[r->span_reason ? SIP_FIELD_REASON : SIP_FIELD_REQUEST_URI];
		const sip_span in_order[SIP_SPAN16__COUNT] = {
			first, start, sp[SIP_FIELD_CALL_ID], sp[SIP_FIELD_FROM_TAG],
			sp[SIP_FIELD_TO_TAG], sp[SIP_FIELD_BRANCH], sp[SIP_FIELD_VIA_SENT_BY],
		};
		for (unsigned k = 0; k < SIP_SPAN16__COUNT; k++) {
			r->span_off[k] = (uint16_t)in_order[k].off;
			r->span_len[k] = (uint8_t)in_order[k].len;
		}
	}
	r->raw_p = p->raw.p;
	r->kind = (uint8_t)p->kind;
	r->has_cseq = p->has_cseq;
	r->has_sdp = prep->has_sdp;
	r->status = p->status;
	unsigned nw = p->n_warnings + p->n_warnings_dropped;
	r->n_warnings = nw > UINT16_MAX ? UINT16_MAX : (uint16_t)nw;
	r->cseq = p->cseq;
	r->method_code = prep->method_code;
	r->cseq_method_code = prep->cseq_method_code;
	idtab_add(&m->msgs, r);
	return r;
}

/* ---- owners and eviction ----------------------------------------------------------- */

static void owner_unlink(mdl_owner *o)
{
	mdl_owner_list *l = o->in;
	if (!l)
		return;
	if (o->prev)
		o->prev->next = o->next;
	else
		l->head = o->next;
	if (o->next)
		o->next->prev = o->prev;
	else
		l->tail = o->prev;
	o->prev = o->next = NULL;
	o->in = NULL;
}

static void owner_append(mdl_owner_list *l, mdl_owner *o)
{
	owner_unlink(o);
	o->prev = l->tail;
	o->next = NULL;
	if (l->tail)
		l->tail->next = o;
	else
		l->head = o;
	l->tail = o;
	o->in = l;
}

/* The owner becomes the most recently active (a parked one too). */
static void owner_touch(sip_model *m, mdl_owner *o)
{
	o->last_ts = m->clock;
	if (m->active.tail != o)
		owner_append(&m->active, o);
}

/* The least recently active owner: parked ones were all quiet before any
 * of the active ones. */
static mdl_owner *owner_oldest(const sip_model *m)
{
	return m->parked.head ? m->parked.head : m->active.head;
}

static mdl_owner *owner_of(sip_model *m, const sip_message *msg)
{
	if (msg->call != SIP_ID_NONE)
		return &call_get(&m->calls, msg->call)->own;
	if (!m->group || m->group->n_msgs >= GROUP_MESSAGES) {
		mdl_owner *g = g_new0(mdl_owner, 1);
		g->call = SIP_ID_NONE;
		arena_init(&g->keep, GROUP_ARENA_CHUNK);
		m->group = g;
	}
	return m->group;
}

static gint cmp_id(gconstpointer a, gconstpointer b)
{
	sip_id x = *(const sip_id *)a, y = *(const sip_id *)b;
	return x < y ? -1 : x > y;
}

/* Ascending ids: a call holds a few transactions, which insertion sorts
 * in fewer steps than a call of qsort takes to start. */
static void sort_ids(sip_ids *a)
{
	if (a->len > 16) {
		qsort(a->data, a->len, sizeof(sip_id), cmp_id);
		return;
	}
	sip_id *v = a->data;
	for (guint i = 1; i < a->len; i++) {
		sip_id x = v[i];
		guint j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The messages and transactions listed go (evict, shed), once the taps
 * heard of them. */
static void free_records(sip_model *m, const sip_ids *msgs, const sip_ids *txns)
{
	for (guint i = 0; i < msgs->len; i++) {
		sip_id id = msgs->data[i];
		sip_message *msg = mdl_msg(&m->msgs, id);
		if (!msg)
			continue;
		txn_forget_message(&m->txns, msg);
		idtab_remove(&m->msgs, id);
		mdl_rec_free(&m->msg_pools[msg_pool_of(msg->ext_meta, msg->ext_spans)], true, msg);
	}
	for (guint i = 0; i < txns->len; i++)
		txn_evict(&m->txns, txns->data[i]);
}

/* Frees an owner with everything it holds, after telling the taps;
 * finished: forgotten as finished (forget_finished), not to keep a bound. */
static void evict(sip_model *m, mdl_owner *o, bool finished)
{
	bool group = o->call == SIP_ID_NONE;
	call_rec *cr = group ? NULL : call_get(&m->calls, o->call);
	/* the taps read the owner's own lists: nothing changes them until
	 * they are freed with it below */
	const sip_ids *msgs = group ? &o->msgs : &cr->messages;
	const sip_ids *dialogs = group ? &o->dialogs : &cr->dialogs;
	sip_ids *txns = group ? &o->txns : &cr->txns;
	if (!group)
		/* a call lists its transactions in its own order: ascending for
		 * the taps (the order is of no more use) */
		sort_ids(txns);
	/* what the clock already tells about them is judged first, and the
	 * taps hear those changes as usual, so what is reported of them is
	 * what an observer knows now */
	g_array_set_size(m->ended, 0);
	for (guint i = 0; i < txns->len; i++)
		txn_settle(&m->txns, &m->ch, txns->data[i], m->clock);
	for (guint i = 0; i < dialogs->len; i++)
		dlg_settle(&m->dialogs, &m->txns, &m->ch, dialogs->data[i], m->clock, m->ended);
	if (cr)
		call_settle(&m->calls, &m->txns, &m->dialogs, &m->msgs, &m->ch, o->call, m->ended);
	flush(m, SIP_ID_NONE);

	m->ev_msgs = msgs;
	m->ev_txns = txns;
	m->ev_dialogs = dialogs;
	publish(m, SIP_EV_EVICT, o->call);
	m->ev_msgs = m->ev_txns = m->ev_dialogs = NULL;

	free_records(m, msgs, txns);
	for (guint i = 0; i < dialogs->len; i++)
		dlg_evict(&m->dialogs, dialogs->data[i]);
	sip_evictions *count = finished ? &m->forgotten : &m->evicted;
	count->messages += msgs->len;
	count->txns += txns->len;
	count->dialogs += dialogs->len;
	m->msgs_held -= o->n_msgs;
	owner_unlink(o);
	if (group) {
		count->groups++;
		if (m->group == o)
			m->group = NULL;
		owner_free_group(o);
	} else {
		count->calls++;
		m->calls_held--;
		call_evict(&m->calls, o->call);   /* frees o with the call */
	}
}

/* Methods whose state outlives their transactions: subscriptions, a
 * transfer's progress, and a registrar's bindings (those live in the
 * registrations, not in the call, so forget_registers lets REGISTER
 * go). */
static bool method_lasts(unsigned method_code, bool registers)
{
	switch (method_code) {
	case SIP_METHOD_REGISTER:
		return registers;
	case SIP_METHOD_SUBSCRIBE:
	case SIP_METHOD_NOTIFY:
	case SIP_METHOD_PUBLISH:
	case SIP_METHOD_REFER:
		return true;
	default:
		return false;
	}
}

/* Where a call's transactions held start in its list: after those it
 * shed (shed), all gone. */
static guint txns_held_from(const sip_model *m, const call_rec *r)
{
	return m->limited ? r->own.shed_txns_at : 0;
}

/* Whether nothing the call holds can change any more: every transaction
 * has its final response (an INVITE's non-2xx its ACK), every dialog is
 * terminated, and none of its methods keeps state beyond its
 * transactions.  forget_quiet asks once the call was quiet for longer
 * than any retransmission or late response of these transactions can
 * come, and than a UA takes to try again after a failure. */
static bool call_finished_from(const sip_model *m, const call_rec *cr, guint from,
	bool registers_last)
{
	if (cr->shed && registers_last)
		return false;
	const sip_ids *txns = cr->pub.txns, *dialogs = cr->pub.dialogs;
	for (guint i = from; i < txns->len; i++) {
		const txn_rec *t = txn_get(&m->txns, g_array_index(txns, sip_id, i));
		if (!t)
			continue;
		const sip_txn *x = &t->pub;
		/* the record's method code is sip_method_lookup of its method */
		if (method_lasts(x->method_code, registers_last))
			return false;
		bool ack = x->method_code == SIP_METHOD_ACK;
		if (!ack && x->final == SIP_ID_NONE)
			return false;
		if (x->is_invite && x->final_status >= 300 && x->ack == SIP_ID_NONE)
			return false;
	}
	for (guint i = 0; i < dialogs->len; i++) {
		const dlg_rec *d = dlg_get(&m->dialogs, g_array_index(dialogs, sip_id, i));
		if (d && d->pub.state != DLG_STATE_TERMINATED)
			return false;
	}
	return true;
}

static bool call_finished_as(const sip_model *m, sip_id call, bool registers_last)
{
	const call_rec *cr = call_get(&m->calls, call);
	return call_finished_from(m, cr, txns_held_from(m, cr), registers_last);
}

static bool call_finished(const sip_model *m, sip_id call)
{
	return call_finished_as(m, call, !m->limits.forget_registers);
}

/* Where a call's transactions not over for good start in its list: those
 * before were retired in order (retire_txns), each with its final then,
 * and one over never changes. */
static guint txns_open_from(const sip_model *m, const call_rec *r)
{
	guint held = txns_held_from(m, r);
	return r->retired_txns_at > held ? r->retired_txns_at : held;
}

/* A call that is not finished only because REGISTER lasts, with no
 * INVITE traffic: its transactions are over for good once it is quiet
 * (model.h, "Matching"). */
static bool call_rests(const sip_model *m, const call_rec *r)
{
	/* the retired ones passed when they were retired: a REGISTER Call-ID
	 * of days asks this at every refresh, and its list only grows */
	return !r->is_call && call_finished_from(m, r, txns_open_from(m, r), false);
}

/* Its transactions leave the index, marked over: where every call is
 * kept, as they go where finished calls are forgotten (shed). */
static void retire_txns(sip_model *m, call_rec *r)
{
	for (guint i = txns_open_from(m, r); i < r->txns.len; i++)
		txn_retire(&m->txns, r->txns.data[i]);
	r->retired_txns_at = r->txns.len;
}

/* How long a finished call stays before it is forgotten: longer than any
 * retransmission or late response of its transactions (64×T1 + T4), and
 * no less than FORGET_QUIET_MIN_NS, because a UA may go on in the same
 * Call-ID after a failure with no timer bounding when: an INVITE again
 * with credentials after 401/407, to a redirect target after 3xx, with a
 * longer interval after 422, after 491.  That takes seconds in practice;
 * five minutes cost little memory even on a busy link. */
#define FORGET_QUIET_MIN_NS (INT64_C(300) * 1000000000)

static int64_t quiet_ns(const sip_model *m)
{
	int64_t quiet = 64 * m->timers.t1_ns + m->timers.t4_ns;
	return quiet < FORGET_QUIET_MIN_NS ? FORGET_QUIET_MIN_NS : quiet;
}

/* A call found by its Call-ID (call_table.gone) is over for good when it
 * is finished and has been quiet for as long as forget_finished waits:
 * the Call-ID then starts a new call, in every mode.  So whether a
 * finished call was forgotten or is still held (every call kept, as the
 * UI does; a call --ladder names) changes nothing about the calls, their
 * ids and what they hold: a forgotten call is one that every later
 * message would find over (the clock only grows, and nothing but a
 * message of its own makes a finished call unfinished).  Its transactions
 * and dialogs need not leave their indexes: their keys hold the call's id,
 * which no later message has. */
static void shed(sip_model *m, mdl_owner *o);

static bool call_gone(void *user, call_rec *r)
{
	sip_model *m = user;
	/* asked only once r has been quiet for quiet_ns (gone_quiet_ns) */
	if (!call_finished(m, r->pub.id)) {
		/* the call goes on, its transactions do not (the same at any
		 * later ask: nothing of it changed since) */
		if (call_rests(m, r)) {
			retire_txns(m, r);
			/* Where calls shed, it sheds now, before the message
			 * that found it quiet joins it: forget_quiet would see
			 * it quiet only at a later message of another call, and
			 * a capture of one UA has none. */
			if (m->attaching && m->txns.side_on &&
			    !(m->keep && m->keep(m->keep_user, m, r->pub.id)))
				shed(m, &r->own);
		}
		return false;
	}
	call_close(&m->calls, r);
	/* Where every call is kept, the taps hear it as over with the calls
	 * put_away_over finds, after the message that starts the new call:
	 * where calls are forgotten it goes before the message after that
	 * one, its waits judged by the clock of this one. */
	if (!m->limited && !m->compacted)
		g_array_append_val(m->gone, r->pub.id);
	return true;
}

sip_call_rest sip_model_call_rest(const sip_model *m, sip_id call)
{
	const call_rec *r = call_get(&m->calls, call);
	if (!r || r->closed)
		return SIP_CALL_OVER;
	if (m->calls.clock - r->last_clock <= m->calls.gone_quiet_ns)
		return SIP_CALL_HEARD;
	return call_finished(m, call) ? SIP_CALL_OVER : SIP_CALL_QUIET_OPEN;
}

/* A call over for good leaves the indexes and the taps hear SIP_EV_OVER. */
static void put_away(sip_model *m, call_rec *r)
{
	for (guint i = 0; i < r->txns.len; i++)
		txn_unindex(&m->txns, r->txns.data[i]);
	for (guint i = 0; i < r->dialogs.len; i++)
		dlg_unindex(&m->dialogs, r->dialogs.data[i]);
	if (!r->closed)
		call_close(&m->calls, r);
	publish(m, SIP_EV_OVER, r->pub.id);
}

/* Without limits: the calls over for good leave the indexes (the Call-ID
 * one, as the call table's own rule would take them out at the next
 * message of their Call-ID, and their transactions' and dialogs', whose
 * keys hold the call id and so can never match again), and the taps hear
 * SIP_EV_OVER for each.  Their records stay; what is matched, and what
 * the taps keep about calls, costs the calls in progress, not every call
 * of the capture.  With limits eviction does that (and the queue would
 * hold the last five minutes of a live capture's messages). */
static void put_away_over(sip_model *m)
{
	for (guint i = 0; i < m->gone->len; i++) {
		call_rec *r = call_get(&m->calls, g_array_index(m->gone, sip_id, i));
		if (r)
			put_away(m, r);
	}
	g_array_set_size(m->gone, 0);
	GArray *q = m->heard;
	while (m->heard_head < q->len) {
		const model_heard *h = &g_array_index(q, model_heard, m->heard_head);
		call_rec *r = call_get(&m->calls, h->call);
		if (r && !r->closed && r->messages.len &&
		    r->messages.data[r->messages.len - 1] == h->msg) {
			sip_call_rest rest = sip_model_call_rest(m, h->call);
			if (rest == SIP_CALL_HEARD)
				break;
			if (rest == SIP_CALL_OVER)
				put_away(m, r);
		}
		m->heard_head++;
	}
	mdl_queue_trim(q, &m->heard_head);
}

/* A call that rests (call_rests), quiet for quiet_ns: its transactions
 * are over for good, and what no output reads of it any more goes
 * (SIP_EV_SHED in model.h).  What stays is what list and outcome read at
 * the end: the newest transaction of its list with a final status (with
 * the messages its record is written from) and the newest final
 * response among its messages; the newer ones it may get come after
 * them in its lists. */
static void shed(sip_model *m, mdl_owner *o)
{
	call_rec *cr = call_get(&m->calls, o->call);
	retire_txns(m, cr);
	/* both found near the ends of the lists: every transaction has its
	 * final (call_rests) */
	const txn_rec *kt = NULL;
	for (guint i = cr->txns.len; i > 0 && !kt; i--) {
		const txn_rec *t = txn_get(&m->txns, cr->txns.data[i - 1]);
		if (t && t->pub.final_status)
			kt = t;
	}
	sip_id kept_final = SIP_ID_NONE;
	for (guint i = cr->messages.len; i > 0 && kept_final == SIP_ID_NONE; i--) {
		const sip_message *x = mdl_msg(&m->msgs, cr->messages.data[i - 1]);
		if (x && x->kind == SIP_KIND_RESPONSE && x->status >= 200)
			kept_final = x->id;
	}
	sip_ids *msgs = &m->shed_msgs, *txns = &m->shed_txns;
	msgs->len = txns->len = 0;
	guint txns_at = cr->txns.len, msgs_at = cr->messages.len;
	for (guint i = o->shed_txns_at; i < cr->txns.len; i++) {
		sip_id id = cr->txns.data[i];
		if (!txn_get(&m->txns, id))
			continue;
		/* judged as the end would judge them, before the taps read them */
		txn_settle(&m->txns, &m->ch, id, m->clock);
		if (!kt || id != kt->pub.id)
			mdl_ids_push(txns, id);
		else
			txns_at = i;
	}
	for (guint i = o->shed_msgs_at; i < cr->messages.len; i++) {
		sip_id id = cr->messages.data[i];
		if (!mdl_msg(&m->msgs, id))
			continue;
		if (id == kept_final || (kt && (id == kt->pub.request ||
						 id == kt->pub.first_provisional ||
						 id == kt->pub.final))) {
			msgs_at = MIN(msgs_at, i);
			continue;
		}
		mdl_ids_push(msgs, id);
	}
	o->shed_txns_at = txns_at;
	o->shed_msgs_at = msgs_at;
	flush(m, SIP_ID_NONE);
	if (!msgs->len && !txns->len)
		return;
	cr->shed = true;
	static const sip_ids none;
	m->ev_msgs = msgs;
	m->ev_txns = txns;
	m->ev_dialogs = &none;
	publish(m, SIP_EV_SHED, o->call);
	m->ev_msgs = m->ev_txns = m->ev_dialogs = NULL;
	free_records(m, msgs, txns);
	m->forgotten.messages += msgs->len;
	m->forgotten.txns += txns->len;
	m->msgs_held -= msgs->len;
	o->n_msgs -= msgs->len;
}

/* forget_finished: the calls quiet for long enough go if finished, and
 * are parked otherwise (a new message of theirs makes them active again;
 * sip_model_finish judges the rest); those that rest shed what is over
 * in them first. */
static G_GNUC_NO_INLINE void forget_quiet_run(sip_model *m)
{
	int64_t quiet = quiet_ns(m);
	bool may_shed = m->txns.side_on;
	mdl_owner *o;
	while ((o = m->active.head) && m->clock - o->last_ts > quiet) {
		if (o->call != SIP_ID_NONE) {
			bool finished = call_finished(m, o->call);
			if ((finished || (may_shed && call_rests(m, call_get(&m->calls, o->call)))) &&
			    !(m->keep && m->keep(m->keep_user, m, o->call))) {
				if (finished) {
					evict(m, o, true);
					continue;
				}
				shed(m, o);
			}
		}
		owner_append(&m->parked, o);
	}
}

/* Before every message: mostly the oldest active call is not quiet yet,
 * which is all this asks inline. */
static inline void forget_quiet(sip_model *m)
{
	const mdl_owner *o = m->active.head;
	if (o && m->clock - o->last_ts > quiet_ns(m))
		forget_quiet_run(m);
}

static void evict_registration(sip_model *m, reg_rec *r)
{
	sip_id id = r->pub.id;
	if (reg_settle(&m->regs, id, m->clock)) {
		mdl_changed(&m->ch, MDL_CH_REG, &r->stamp, id);
		flush(m, SIP_ID_NONE);
	}
	publish(m, SIP_EV_EVICT_REGISTRATION, id);
	reg_evict(&m->regs, id);
	m->evicted.registrations++;
}

static void enforce_limits(sip_model *m)
{
	const sip_limits *l = &m->limits;
	if (l->forget_finished)
		forget_quiet(m);
	while (owner_oldest(m) &&
	       ((l->max_calls && m->calls_held > l->max_calls) ||
		(l->max_messages && m->msgs_held > l->max_messages)))
		evict(m, owner_oldest(m), false);
	while (l->max_calls && m->regs.held > l->max_calls && reg_oldest(&m->regs))
		evict_registration(m, reg_oldest(&m->regs));
}

sip_id sip_model_add(sip_model *m, const sip_msg_meta *meta, const sip_msg *parsed)
{
	sip_prepared prep;
	sip_model_prepare(parsed, &prep);
	return sip_model_add_prepared(m, meta, parsed, &prep);
}

sip_id sip_model_add_prepared(sip_model *m, const sip_msg_meta *meta, const sip_msg *parsed,
	const sip_prepared *prep)
{
	/* limits are judged before a message rather than after, so the
	 * message just added (and its call) can still be read by whoever
	 * added it */
	if (G_UNLIKELY(m->compacted)) {
		txn_index_rebuild(&m->txns);
		dlg_index_rebuild(&m->dialogs);
		m->compacted = false;
	}
	if (m->limited)
		enforce_limits(m);
	sip_message *msg = record(m, meta, parsed, prep);
	if (meta->ts_ns > m->clock)
		m->clock = meta->ts_ns;
	mdl_ctx c = { msg, parsed, prep, SV_NULL, meta->ts_ns, &m->ch, &m->msgs, &m->mem,
		m->txns.side_on ? &m->txns.side : NULL };
	m->calls.clock = m->clock;
	txn_result tr;
	dlg_result dr;

	guint calls_before = m->calls.recs.len;
	m->attaching = true;
	call_attach(&m->calls, &c);
	m->attaching = false;
	mdl_owner *own = NULL;
	if (m->limited) {
		own = owner_of(m, msg);
		if (msg->call == SIP_ID_NONE) {
			/* a call copied the bytes itself (call_attach) */
			c.keep = &own->keep;
			if (m->calls.copy_raw)
				mdl_own_raw(&c, c.keep);
		}
	}
	txn_process(&m->txns, &c, &tr);
	dlg_process(&m->dialogs, &m->txns, &c, &tr, &dr);
	call_process(&m->calls, &m->txns, &m->dialogs, &c, &tr, &dr);
	reg_process(&m->regs, &c, &tr);
	/* after the message: a final arriving late still counts as the final */
	g_array_set_size(m->expired, 0);
	txn_tick(&m->txns, &m->ch, m->clock, m->expired);
	if (m->expired->len)
		call_txns_expired(&m->calls, &m->txns, &m->msgs, &m->ch, m->expired);
	m->adding = parsed;
	flush(m, msg->id);
	m->adding = NULL;
	if (!m->limited && !m->compacted) {
		if (msg->call != SIP_ID_NONE) {
			model_heard h = { msg->call, msg->id };
			g_array_append_val(m->heard, h);
		}
		put_away_over(m);
	}
	if (own) {
		if (own->call == SIP_ID_NONE) {
			mdl_ids_push(&own->msgs, msg->id);
			if (tr.created && tr.txn)
				mdl_ids_push(&own->txns, tr.txn->pub.id);
			if (dr.created != SIP_ID_NONE)
				mdl_ids_push(&own->dialogs, dr.created);
		}
		own->n_msgs++;
		m->msgs_held++;
		m->calls_held += m->calls.recs.len - calls_before;
		owner_touch(m, own);
	}
	return msg->id;
}

void sip_model_finish(sip_model *m, int64_t end_ts)
{
	if (end_ts < m->clock)
		end_ts = m->clock;
	m->clock = end_ts;
	g_array_set_size(m->ended, 0);
	txn_finish(&m->txns, &m->ch, end_ts);
	dlg_finish(&m->dialogs, &m->txns, &m->ch, end_ts, m->ended);
	call_finish(&m->calls, &m->txns, &m->dialogs, &m->msgs, &m->ch, end_ts, m->ended);
	reg_finish(&m->regs, &m->ch, end_ts);
	flush(m, SIP_ID_NONE);
}

void sip_model_compact(sip_model *m)
{
	txn_index_drop(&m->txns);
	dlg_index_drop(&m->dialogs);
	m->compacted = true;
}

/* ---- accessors ------------------------------------------------------------------- */

guint sip_model_message_count(const sip_model *m)
{
	return m->msgs.len;
}

guint sip_model_txn_count(const sip_model *m)
{
	return m->txns.recs.len;
}

guint sip_model_dialog_count(const sip_model *m)
{
	return m->dialogs.recs.len;
}

guint sip_model_call_count(const sip_model *m)
{
	return m->calls.recs.len;
}

guint sip_model_registration_count(const sip_model *m)
{
	return m->regs.recs.len;
}

const sip_message *sip_model_message(const sip_model *m, sip_id id)
{
	return mdl_msg(&m->msgs, id);
}

sv sip_txn_sent_by(const sip_model *m, const sip_txn *t)
{
	const sip_message *x = mdl_msg(&m->msgs, sip_txn_first_message(t));
	return x ? sip_message_field(x, SIP_FIELD_VIA_SENT_BY) : SV_NULL;
}

sv sip_dialog_call_id(const sip_model *m, const sip_dialog *d)
{
	const sip_call *c = sip_model_call(m, d->call);
	return c ? c->call_id : SV_NULL;
}

int64_t sip_txn_state_ts(const sip_model *m, const sip_txn *t, txn_state s)
{
	return mdl_txn_state_ts(&m->msgs, t, s);
}

int64_t sip_model_message_ts(const sip_model *m, sip_id id)
{
	return mdl_msg_ts(&m->msgs, id);
}

const sip_txn *sip_model_txn(const sip_model *m, sip_id id)
{
	const txn_rec *r = txn_get(&m->txns, id);
	return r ? &r->pub : NULL;
}

const sip_dialog *sip_model_dialog(const sip_model *m, sip_id id)
{
	const dlg_rec *r = dlg_get(&m->dialogs, id);
	return r ? &r->pub : NULL;
}

const sip_call *sip_model_call(const sip_model *m, sip_id id)
{
	const call_rec *r = call_get(&m->calls, id);
	return r ? &r->pub : NULL;
}

const sip_registration *sip_model_registration(const sip_model *m, sip_id id)
{
	const reg_rec *r = reg_get(&m->regs, id);
	return r ? &r->pub : NULL;
}

const sip_call *sip_model_call_find(const sip_model *m, sv call_id)
{
	const call_rec *r = call_find(&m->calls, call_id);
	return r ? &r->pub : NULL;
}

int64_t sip_model_clock(const sip_model *m)
{
	return m->clock;
}

const sip_msg *sip_model_parse_of(const sip_model *m, sip_id id)
{
	if (!m->adding || id == SIP_ID_NONE || id + 1 != m->msgs.len)
		return NULL;
	return m->adding;
}
