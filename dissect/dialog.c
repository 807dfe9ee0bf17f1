/*
 * dialog.c — dialogs rebuilt from the wire (RFC 3261 §12, RFC 6665 for
 * subscriptions): creation by 1xx / 2xx with a To tag, forking, in-dialog
 * requests either way, termination.
 */
#include "dissect/dialog.h"

#include <string.h>

#include "dissect/sip_header.h"

/* one per dialog is kept: what the layout in dialog.h is for */
G_STATIC_ASSERT(sizeof(dlg_rec) <= 184);

/* Every key here is made of the message's Call-ID and tags, so the hash
 * comes from the hashes sip_model_prepare took; the sum keeps it
 * independent of the tags' order. */
static uint32_t msg_key_hash(const sip_prepared *h)
{
	return h->call_id_hash ^ ((h->from_tag_hash + h->to_tag_hash) * 2654435761u);
}

/* A dialog's key is its Call-ID and tags, which never change once it is
 * created: the record compares them in place rather than keep a copy. */
static bool key_equal(const sip_dialog *x, const dlg_key *y)
{
	if (x->call != y->call)
		return false;
	return (sv_eq_ci(x->from_tag, y->tag_a) && sv_eq_ci(x->to_tag, y->tag_b)) ||
		(sv_eq_ci(x->from_tag, y->tag_b) && sv_eq_ci(x->to_tag, y->tag_a));
}

static dlg_rec *dlg_lookup(const dlg_table *d, const dlg_key *k, uint32_t hash)
{
	hindex_probe pr;
	uint32_t id;
	hindex_probe_start(&d->by_key, hash, &pr);
	while (hindex_probe_next(&d->by_key, &pr, &id)) {
		dlg_rec *r = idtab_get(&d->recs, id);
		if (key_equal(&r->pub, k))
			return r;
	}
	return NULL;
}

void dlg_table_init(dlg_table *d, arena *mem)
{
	d->mem = mem;
	idtab_init(&d->recs);
	hindex_init(&d->by_key);
	pool_init(&d->pool, sizeof(dlg_rec), 0);
}

void dlg_index_drop(dlg_table *d)
{
	hindex_clear(&d->by_key);
	hindex_init(&d->by_key);
}

void dlg_index_rebuild(dlg_table *d)
{
	dlg_index_drop(d);
	for (guint i = 0; i < d->recs.len; i++) {
		const dlg_rec *r = idtab_get(&d->recs, i);
		if (r)
			hindex_insert(&d->by_key, r->index_hash, r->pub.id);
	}
}

void dlg_table_clear(dlg_table *d)
{
	hindex_clear(&d->by_key);
	idtab_clear(&d->recs);
	pool_clear(&d->pool);   /* every record held, at once */
	memset(d, 0, sizeof(*d));
}


/* Record-Route (first value) and Contact URI of a response. */
static void set_targets(dlg_rec *r, const mdl_ctx *c)
{
	const sip_msg *p = c->parsed;
	sv rest = sip_msg_value(p, SIP_HDR_RECORD_ROUTE), item;
	r->pub.route_set = SV_NULL;
	if (rest.p && sip_list_split(&rest, &item))
		r->pub.route_set = mdl_view(c, item);
	r->pub.route_msg = c->msg->id;
	/* the URI alone: its q and expires do not matter here */
	sip_addr ct;
	rest = sip_msg_value(p, SIP_HDR_CONTACT);
	if (rest.p && sip_list_split(&rest, &item) && sip_msg_contact_item(p, item, &ct) && !ct.star)
		r->pub.remote_target = mdl_view(c, ct.uri);
}

static void attach(dlg_rec *r, mdl_ctx *c, dlg_result *out)
{
	c->msg->dialog = r->pub.id;
	r->pub.messages++;
	out->dialog = r;
	mdl_changed(c->ch, MDL_CH_DIALOG, &r->stamp, r->pub.id);
}

/* created_by: the method of the creating request (its code cb_code),
 * SV_NULL for a dialog met midway */
static dlg_rec *dlg_new(dlg_table *d, txn_table *t, mdl_ctx *c, txn_rec *tx, sv from_tag, sv to_tag,
	dlg_state st, sv created_by, unsigned cb_code, bool chain, dlg_result *out)
{
	dlg_rec *r = mdl_rec_alloc(d->mem, &d->pool, d->heap);
	memset(r, 0, sizeof(*r));
	sip_dialog *x = &r->pub;
	x->id = d->recs.len;
	x->call = c->msg->call;
	x->creating_txn = tx->pub.id;
	x->terminating_msg = SIP_ID_NONE;
	x->from_tag = mdl_keep(c->keep, from_tag);
	x->to_tag = mdl_keep(c->keep, to_tag);
	x->created_by_code = (uint8_t)cb_code;
	x->state = st;
	if (st == DLG_STATE_EARLY)
		x->early_ts = c->ts;
	else
		x->confirmed_ts = c->ts;
	x->route_set = x->remote_target = x->local_target = SV_NULL;
	x->route_msg = SIP_ID_NONE;
	set_targets(r, c);
	x->local_target = txn_contact(tx);
	x->midway = created_by.p == NULL;
	x->session = x->midway || cb_code == SIP_METHOD_INVITE;
	r->next_in_root = SIP_ID_NONE;
	r->bye_txn = SIP_ID_NONE;
	if (chain) {
		txn_rec *root = txn_root(t, tx);
		r->next_in_root = root->first_dialog;
		root->first_dialog = x->id;
	}
	idtab_add(&d->recs, r);
	/* created only when no dialog has an equal key: ids stay unique */
	r->index_hash = msg_key_hash(c->prep);
	hindex_insert(&d->by_key, r->index_hash, x->id);
	attach(r, c, out);
	out->created = x->id;
	if (st == DLG_STATE_CONFIRMED)
		out->confirmed = x->id;
	return r;
}

static void terminate(dlg_rec *r, dlg_end reason, sip_id msg, int64_t ts, mdl_changes *ch,
	dlg_result *out)
{
	if (r->pub.state == DLG_STATE_TERMINATED)
		return;
	bool was_confirmed = r->pub.state == DLG_STATE_CONFIRMED;
	r->pub.state = DLG_STATE_TERMINATED;
	r->pub.terminated_ts = ts;
	r->pub.terminating_msg = msg;
	r->pub.end = (uint8_t)reason;
	mdl_changed(ch, MDL_CH_DIALOG, &r->stamp, r->pub.id);
	if (was_confirmed && out)
		out->terminated = r->pub.id;
}

/* A 300-699 final to the creating request ends the early dialogs it
 * created, here or on the hops it was forked to. */
static void end_early(dlg_table *d, txn_table *t, mdl_ctx *c, txn_rec *tx)
{
	txn_rec *root = txn_root(t, tx);
	for (sip_id id = root->first_dialog; id != SIP_ID_NONE;) {
		dlg_rec *r = dlg_get(d, id);
		if (!r)
			break;
		id = r->next_in_root;
		if (r->pub.state != DLG_STATE_EARLY)
			continue;
		if (txn_descends(t, txn_get(t, r->pub.creating_txn), tx))
			terminate(r, DLG_END_NON_2XX_FINAL, c->msg->id, c->ts, c->ch, NULL);
	}
}

/* A 2xx to a request that was inside a dialog we never saw begin: the
 * request carried a To tag, or (request not captured) its method only
 * lives inside dialogs. */
static bool midway_evidence(const txn_rec *tx, unsigned cm)
{
	if (cm == SIP_METHOD_ACK)
		return false;
	if (tx->pub.request != SIP_ID_NONE)
		return tx->req_to_tag;
	return cm == SIP_METHOD_BYE || cm == SIP_METHOD_INFO || cm == SIP_METHOD_UPDATE ||
		cm == SIP_METHOD_PRACK;
}

void dlg_process(dlg_table *d, txn_table *t, mdl_ctx *c, const txn_result *tr, dlg_result *out)
{
	out->dialog = NULL;
	out->created = out->confirmed = out->terminated = SIP_ID_NONE;
	const sip_msg *p = c->parsed;
	txn_rec *tx = tr->txn;
	sv cm = mdl_method(p);
	unsigned cmc = mdl_method_code(c);
	/* a CANCEL is hop by hop: neither it nor its responses are in a dialog */
	if (!tx || p->call_id.p == NULL || p->call_id.len == 0 || cmc == SIP_METHOD_CANCEL)
		return;
	bool response = p->kind == SIP_KIND_RESPONSE;
	uint16_t st = p->status;
	bool creating = response && !tx->req_to_tag &&
		(cmc == SIP_METHOD_INVITE || cmc == SIP_METHOD_SUBSCRIBE || cmc == SIP_METHOD_REFER);
	bool ends_early = creating && tr->first_final && st >= 300;

	if (!mdl_tag_present(p->to_tag)) {
		if (ends_early)
			end_early(d, t, c, tx);
		return;
	}
	dlg_key k = { c->msg->call, p->from_tag, p->to_tag };
	dlg_rec *r = dlg_lookup(d, &k, msg_key_hash(c->prep));

	if (!response) {
		if (!r)
			return;   /* no dialog comes from a request alone */
		attach(r, c, out);
		if (!tr->retransmission && tx->pub.request == c->msg->id) {
			if (tx->pub.dialog == SIP_ID_NONE)
				tx->pub.dialog = r->pub.id;
			if (c->prep->method_code == SIP_METHOD_BYE)
				r->bye_txn = tx->pub.id;
		}
		return;
	}

	if (r) {
		attach(r, c, out);
		if (!creating && tx->pub.dialog == SIP_ID_NONE)
			tx->pub.dialog = r->pub.id;
		if (tr->retransmission)
			return;
		if (creating && st >= 200 && st < 300 && r->pub.state == DLG_STATE_EARLY) {
			r->pub.state = DLG_STATE_CONFIRMED;
			r->pub.confirmed_ts = c->ts;
			set_targets(r, c);
			out->confirmed = r->pub.id;
		}
	} else if (!tr->retransmission) {
		if (cmc == SIP_METHOD_NOTIFY) {
			/* RFC 6665 §4.1.2.4: the subscriber is the NOTIFY's To side */
			if (st >= 200 && st < 300) {
				r = dlg_new(d, t, c, tx, p->to_tag, p->from_tag, DLG_STATE_CONFIRMED,
					cm, cmc, false, out);
				sv notifier = r->pub.local_target;
				r->pub.local_target = r->pub.remote_target;
				r->pub.remote_target = notifier;
			}
		} else if (creating) {
			if (st >= 101 && st < 200)
				r = dlg_new(d, t, c, tx, p->from_tag, p->to_tag, DLG_STATE_EARLY, cm,
					cmc, true, out);
			else if (st >= 200 && st < 300)
				r = dlg_new(d, t, c, tx, p->from_tag, p->to_tag, DLG_STATE_CONFIRMED, cm,
					cmc, true, out);
		} else if (st >= 200 && st < 300 && midway_evidence(tx, cmc)) {
			r = dlg_new(d, t, c, tx, p->from_tag, p->to_tag, DLG_STATE_CONFIRMED, SV_NULL,
				SIP_METHOD_OTHER, false, out);
		}
		if (r && !creating && tx->pub.dialog == SIP_ID_NONE)
			tx->pub.dialog = r->pub.id;
	}
	if (tr->retransmission)
		return;

	if (r) {
		if (st >= 200 && st < 300 && cmc == SIP_METHOD_BYE) {
			terminate(r, DLG_END_BYE, c->msg->id, c->ts, c->ch, out);
		} else if ((st == 481 || st == 408) && !creating && cmc != SIP_METHOD_ACK) {
			terminate(r, st == 481 ? DLG_END_481 : DLG_END_408, c->msg->id, c->ts, c->ch, out);
		} else if (st >= 200 && st < 300 && cmc == SIP_METHOD_NOTIFY && tx->notify_terminated &&
			   !r->pub.session) {
			terminate(r, DLG_END_SUBSCRIPTION_TERMINATED, c->msg->id, c->ts, c->ch, out);
		}
	}
	if (ends_early)
		end_early(d, t, c, tx);
}

/* What the clock tells by end_ts; at_end: the capture ends there (a
 * BYE left without 2xx ends its dialog whether or not it timed out). */
static void settle(dlg_rec *r, const txn_table *t, mdl_changes *ch, int64_t end_ts, GArray *ended,
	bool at_end)
{
	{
		sip_dialog *x = &r->pub;
		if (x->state == DLG_STATE_EARLY) {
			txn_rec *tx = txn_get(t, x->creating_txn);
			txn_rec *root = tx ? txn_root(t, tx) : NULL;
			int64_t first_2xx = root ? root->first_2xx_ts : 0;
			int64_t wait = sip_timers_64t1(t->settings);
			if (first_2xx && end_ts >= first_2xx + wait)
				terminate(r, DLG_END_OTHER_FORK, SIP_ID_NONE,
					first_2xx + wait, ch, NULL);
			else if (tx && tx->pub.end == TXN_END_NO_FINAL)
				terminate(r, DLG_END_NO_FINAL, SIP_ID_NONE,
					tx->pub.terminated_ts, ch, NULL);
		} else if (x->state == DLG_STATE_CONFIRMED && r->bye_txn != SIP_ID_NONE) {
			const txn_rec *bye = txn_get(t, r->bye_txn);
			if (bye && bye->pub.request != SIP_ID_NONE &&
			    (at_end || bye->pub.end == TXN_END_NO_FINAL)) {
				terminate(r, DLG_END_BYE, bye->pub.request,
					mdl_msg_ts(t->msgs, bye->pub.request), ch, NULL);
				g_array_append_val(ended, x->id);
			}
		}
	}
}

void dlg_finish(dlg_table *d, const txn_table *t, mdl_changes *ch, int64_t end_ts, GArray *ended)
{
	for (guint i = 0; i < d->recs.len; i++) {
		dlg_rec *r = idtab_get(&d->recs, i);
		if (r)
			settle(r, t, ch, end_ts, ended, true);
	}
}

void dlg_settle(dlg_table *d, const txn_table *t, mdl_changes *ch, sip_id id, int64_t now,
	GArray *ended)
{
	dlg_rec *r = dlg_get(d, id);
	if (r)
		settle(r, t, ch, now, ended, false);
}

void dlg_unindex(dlg_table *d, sip_id id)
{
	const dlg_rec *r = dlg_get(d, id);
	if (r)
		hindex_remove(&d->by_key, r->index_hash, id);
}

void dlg_evict(dlg_table *d, sip_id id)
{
	dlg_rec *r = dlg_get(d, id);
	if (!r)
		return;
	dlg_unindex(d, id);
	idtab_remove(&d->recs, id);
	mdl_rec_free(&d->pool, d->heap, r);
}
