/*
 * fuzz_model.c — libFuzzer harness: the transaction / dialog / call /
 * registration engine (dissect/model.h) fed a sequence of SIP messages.
 *
 * Input: messages separated by MODEL_SEP; each chunk is
 *     u8 control | message bytes
 * where control bits 0-1 pick the source and bits 2-3 the destination among
 * four endpoints, bit 4 says the message came over TCP (else UDP), and bits
 * 5-7 the time since the previous message (model_delta_ns: from 0 to past
 * Timer B and Timer C).  Each message is parsed and added; then the model
 * is finished a random-ish time later, walked through every accessor (ids
 * must index the model's arrays, views must be readable), and every report
 * is written and checked as in fuzz_frame.c.
 *
 * One input in four (by its length) runs under tight limits
 * (sip_model_set_limits), another one in four forgetting finished calls
 * (forget_finished, as --stats on files): what each eviction lists must be
 * readable in the tap and gone (NULL) afterwards, everything not evicted
 * must still be there, and held plus evicted (or forgotten) must add up.
 * Forgetting without a bound on top (and without forget_registers) must
 * change nothing about the calls: a twin model that keeps every call is
 * fed the same messages, and each must land in the same call,
 * transaction and dialog, as the same retransmission or not (a call of
 * REGISTER sheds what is over in it there: what it sheds must be over,
 * and what it keeps must add up too).
 *
 * The findings detector (dissect/findings.h) listens to every model, as
 * the application attaches it: its findings must name ids the model
 * gave, their text must be printable, --check's report of them is
 * written and checked, and the twin's detector must find the same
 * things in the same order (where every call is kept, the detector lets
 * a call go at the point where the forgetting model forgets it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dissect/findings.h"
#include "dissect/model.h"
#include "dissect/sip.h"
#include "fuzz_util.h"
#include "output/check.h"
#include "output/message_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MODEL_SEP "\n%%\n"

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)
static const int64_t model_delta_ns[8] = {
	0, 1 * MS, 20 * MS, 500 * MS, 4 * SEC, 33 * SEC, 181 * SEC, 7200 * SEC,
};

static endpoint model_eps[4];

static void eps_init(void)
{
	static const uint8_t a[3][4] = { { 192, 0, 2, 10 }, { 198, 51, 100, 20 }, { 203, 0, 113, 5 } };
	for (int i = 0; i < 3; i++) {
		model_eps[i].family = EP_IPV4;
		memcpy(model_eps[i].addr, a[i], 4);
		model_eps[i].port = 5060;
	}
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	model_eps[3].family = EP_IPV6;
	memcpy(model_eps[3].addr, v6, 16);
	model_eps[3].port = 5061;
}

static void check_id(sip_id id, guint count, const char *what)
{
	if (id != SIP_ID_NONE && id >= count)
		fuzz_fail("%s id %u out of %u", what, id, count);
}

static void check_ids(const sip_ids *a, guint count, const char *what)
{
	if (!a)
		return;
	for (guint i = 0; i < a->len; i++) {
		sip_id id = g_array_index(a, sip_id, i);
		if (id >= count)
			fuzz_fail("%s id %u out of %u", what, id, count);
	}
}

/* Ids evicted so far (limits), by kind: a byte per id; GONE_SHED: the
 * messages of those that a call held shed (SIP_EV_SHED), which it still
 * lists. */
static GByteArray *gone[4];
enum { GONE_MSG, GONE_TXN, GONE_DLG, GONE_SHED };

static bool is_gone(int kind, sip_id id)
{
	return id < gone[kind]->len && gone[kind]->data[id];
}

static void mark_gone(int kind, const sip_ids *ids)
{
	for (guint i = 0; i < ids->len; i++) {
		sip_id id = ids->data[i];
		if (id >= gone[kind]->len) {
			guint old = gone[kind]->len;
			g_byte_array_set_size(gone[kind], id + 1);
			memset(gone[kind]->data + old, 0, id + 1 - old);
		}
		if (gone[kind]->data[id])
			fuzz_fail("id %u of kind %d evicted twice", id, kind);
		gone[kind]->data[id] = 1;
	}
}

static uint64_t gone_calls;

static void on_evict(void *user, const sip_model *m, sip_event ev, sip_id call)
{
	(void)user;
	(void)ev;
	const sip_ids *msgs, *txns, *dialogs;
	sip_model_evicting(m, &msgs, &txns, &dialogs);
	if (!msgs || !txns || !dialogs)
		fuzz_fail("eviction lists missing");
	if (call != SIP_ID_NONE) {
		const sip_call *c = sip_model_call(m, call);
		if (!c)
			fuzz_fail("evicted call %u unreadable in its tap", call);
		fuzz_touch(c->call_id);
		if (ev == SIP_EV_SHED) {
			if (dialogs->len || c->state != CALL_STATE_NOT_A_CALL)
				fuzz_fail("call %u shed a dialog or INVITE traffic", call);
			for (guint i = 0; i < txns->len; i++) {
				const sip_txn *t = sip_model_txn(m, txns->data[i]);
				if (t && (!t->over || t->call != call))
					fuzz_fail("txn %u shed by call %u not over, or not its", t->id, call);
			}
			mark_gone(GONE_SHED, msgs);
		} else {
			gone_calls++;
		}
	}
	for (guint i = 0; i < msgs->len; i++) {
		const sip_message *msg = sip_model_message(m, msgs->data[i]);
		if (!msg)
			fuzz_fail("evicted message unreadable in its tap");
		fuzz_touch(sip_message_raw(msg));
	}
	for (guint i = 0; i < txns->len; i++)
		if (!sip_model_txn(m, txns->data[i]))
			fuzz_fail("evicted transaction unreadable in its tap");
	for (guint i = 0; i < dialogs->len; i++)
		if (!sip_model_dialog(m, dialogs->data[i]))
			fuzz_fail("evicted dialog unreadable in its tap");
	mark_gone(GONE_MSG, msgs);
	mark_gone(GONE_TXN, txns);
	mark_gone(GONE_DLG, dialogs);
}

static void walk_model(const sip_model *m, guint added)
{
	guint nm = sip_model_message_count(m), nt = sip_model_txn_count(m),
	      nd = sip_model_dialog_count(m), nc = sip_model_call_count(m),
	      nr = sip_model_registration_count(m);
	if (nm != added)
		fuzz_fail("model holds %u messages, %u added", nm, added);
	for (sip_id i = 0; i < nm; i++) {
		const sip_message *msg = sip_model_message(m, i);
		if (is_gone(GONE_MSG, i)) {
			if (msg)
				fuzz_fail("message %u evicted yet readable", i);
			continue;
		}
		if (!msg || msg->id != i)
			fuzz_fail("message %u", i);
		check_id(msg->txn, nt, "message.txn");
		check_id(msg->dialog, nd, "message.dialog");
		check_id(msg->call, nc, "message.call");
		for (unsigned k = 0; k < SIP_FIELD__COUNT; k++) {
			sip_span s = sip_message_span(msg, (sip_field)k);
			if (s.off != UINT32_MAX && (s.off > sip_message_raw(msg).len || s.len > sip_message_raw(msg).len - s.off))
				fuzz_fail("message %u: span %u outside its bytes", i, k);
			fuzz_touch(sip_message_field(msg, (sip_field)k));
		}
	}
	for (sip_id i = 0; i < nt; i++) {
		const sip_txn *t = sip_model_txn(m, i);
		if (is_gone(GONE_TXN, i)) {
			if (t)
				fuzz_fail("txn %u evicted yet readable", i);
			continue;
		}
		if (!t || t->id != i)
			fuzz_fail("txn %u", i);
		check_id(t->call, nc, "txn.call");
		check_id(t->request, nm, "txn.request");
		check_id(t->first_provisional, nm, "txn.first_provisional");
		check_id(t->final, nm, "txn.final");
		check_id(t->ack, nm, "txn.ack");
		check_id(t->cancel, nt, "txn.cancel");
		check_id(t->parent, nt, "txn.parent");
		check_id(t->dialog, nd, "txn.dialog");
		if (t->state >= TXN_STATE__COUNT)
			fuzz_fail("txn state %d", t->state);
		fuzz_touch(sip_txn_method(t));
		fuzz_touch(sip_txn_branch(t));
		fuzz_touch(sip_txn_sent_by(m, t));
		fuzz_touch_str(txn_state_name(t->state));
		(void)sip_txn_final_delay(m, t);
		(void)sip_txn_provisional_delay(m, t);
	}
	for (sip_id i = 0; i < nd; i++) {
		const sip_dialog *d = sip_model_dialog(m, i);
		if (is_gone(GONE_DLG, i)) {
			if (d)
				fuzz_fail("dialog %u evicted yet readable", i);
			continue;
		}
		if (!d || d->id != i)
			fuzz_fail("dialog %u", i);
		check_id(d->call, nc, "dialog.call");
		check_id(d->creating_txn, nt, "dialog.creating_txn");
		check_id(d->terminating_msg, nm, "dialog.terminating_msg");
		check_id(d->route_msg, nm, "dialog.route_msg");
		const sv v[] = { sip_dialog_call_id(m, d), d->from_tag, d->to_tag, sip_dialog_created_by(d), d->route_set,
				 d->remote_target, d->local_target };
		for (size_t k = 0; k < G_N_ELEMENTS(v); k++)
			fuzz_touch(v[k]);
		fuzz_touch_str(dlg_state_name(d->state));
		fuzz_touch_str(sip_dialog_end_reason(d));
	}
	guint calls_held = 0;
	for (sip_id i = 0; i < nc; i++) {
		const sip_call *c = sip_model_call(m, i);
		if (!c && (sip_model_evictions(m)->calls || sip_model_forgotten(m)->calls))
			continue;   /* evicted or forgotten (counted below) */
		if (!c || c->id != i)
			fuzz_fail("call %u", i);
		calls_held++;
		for (guint k = 0; c->messages && k < c->messages->len; k++)
			if (is_gone(GONE_MSG, g_array_index(c->messages, sip_id, k)) &&
			    !is_gone(GONE_SHED, g_array_index(c->messages, sip_id, k)))
				fuzz_fail("call %u lists an evicted message", i);
		check_ids(c->messages, nm, "call.messages");
		check_ids(c->dialogs, nd, "call.dialogs");
		check_ids(c->txns, nt, "call.txns");
		check_id(c->initial_txn, nt, "call.initial_txn");
		check_id(c->cancel_msg, nm, "call.cancel_msg");
		fuzz_touch(c->call_id);
		fuzz_touch(c->first_method);
		fuzz_touch(c->from);
		fuzz_touch(c->to);
		if (c->state >= CALL_STATE__COUNT)
			fuzz_fail("call state %d", c->state);
		fuzz_touch_str(call_state_name(c->state));
		fuzz_touch_str(call_ender_name(c->ended_by));
		for (guint k = 0; c->related && k < c->related->len; k++)
			fuzz_touch_str(g_ptr_array_index(c->related, k));
		/* a call over for good is not found: a message of its Call-ID
		 * would start another */
		if (sip_model_call_find(m, c->call_id) == NULL &&
		    sip_model_call_rest(m, c->id) != SIP_CALL_OVER)
			fuzz_fail("call %u not found by its Call-ID", i);
	}
	const sip_evictions *e = sip_model_evictions(m), *fg = sip_model_forgotten(m);
	uint64_t gone_c = e->calls + fg->calls, gone_m = e->messages + fg->messages;
	if (calls_held + gone_c != nc || calls_held != sip_model_calls_held(m) || gone_c != gone_calls)
		fuzz_fail("calls: %u held + %" G_GUINT64_FORMAT " evicted or forgotten != %u",
			  calls_held, gone_c, nc);
	if (sip_model_messages_held(m) + gone_m != added)
		fuzz_fail("messages: %u held + %" G_GUINT64_FORMAT " evicted or forgotten != %u",
			  sip_model_messages_held(m), gone_m, added);
	for (sip_id i = 0; i < nr; i++) {
		const sip_registration *r = sip_model_registration(m, i);
		if (!r && e->registrations)
			continue;   /* evicted */
		if (!r || r->id != i)
			fuzz_fail("registration %u", i);
		fuzz_touch(r->aor);
		fuzz_touch_str(sip_registration_state(r));
		for (guint k = 0; r->bindings && k < r->bindings->len; k++) {
			const sip_binding *b = &g_array_index(r->bindings, sip_binding, k);
			fuzz_touch(b->contact);
			fuzz_touch(b->call_id);
			fuzz_touch_str(binding_state_name(b->state));
			check_id(b->register_txn, nt, "binding.register_txn");
		}
	}
}

static void check_id_array(const GArray *a, guint count, const char *what)
{
	for (guint i = 0; a && i < a->len; i++)
		if (g_array_index(a, sip_id, i) >= count)
			fuzz_fail("%s id %u out of %u", what, g_array_index(a, sip_id, i), count);
}

/* Every finding checked against m's ids, and written one to a line. */
static void walk_findings(const findings *fd, const sip_model *m, GString *out)
{
	g_string_truncate(out, 0);
	for (guint i = 0, n = findings_count(fd); i < n; i++) {
		const finding *x = findings_get(fd, i);
		if (!x)
			fuzz_fail("finding %u missing", i);
		check_id(x->call, sip_model_call_count(m), "finding.call");
		check_id_array(x->messages, sip_model_message_count(m), "finding.messages");
		check_id_array(x->txns, sip_model_txn_count(m), "finding.txns");
		check_id_array(x->dialogs, sip_model_dialog_count(m), "finding.dialogs");
		if (x->count < 1)
			fuzz_fail("finding %u counts %u", i, x->count);
		check_append_finding(out, x);
		g_string_append_c(out, '\n');
	}
	fuzz_check_text(out->str, out->len, true, "findings");
}

static unsigned tap_calls;

static void on_event(void *user, const sip_model *m, sip_event ev, sip_id id)
{
	tap_calls++;
	guint count = ev == SIP_EV_MESSAGE ? sip_model_message_count(m)
		    : ev == SIP_EV_TXN ? sip_model_txn_count(m)
		    : ev == SIP_EV_DIALOG ? sip_model_dialog_count(m)
		    : ev == SIP_EV_CALL ? sip_model_call_count(m)
		    : ev == SIP_EV_REGISTRATION ? sip_model_registration_count(m) : 0;
	if (id >= count)
		fuzz_fail("tap event %u for id %u of %u", ev, id, count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sip_msg *parsed;
	static fuzz_memsink json, text;
	if (!parsed) {
		parsed = g_new0(sip_msg, 1);
		eps_init();
		fuzz_memsink_init(&json, "fuzz-json");
		fuzz_memsink_init(&text, "fuzz-text");
	}
	sip_model *m = sip_model_new();
	sip_model *twin = NULL;
	for (int k = 0; k < 4; k++) {
		if (!gone[k])
			gone[k] = g_byte_array_new();
		g_byte_array_set_size(gone[k], 0);
	}
	gone_calls = 0;
	if (size % 4 == 1) {
		sip_limits lim = {
			.max_calls = 1 + (uint32_t)(size / 4 % 3),
			.max_messages = size / 16 % 2 ? 2 + (uint32_t)(size / 32 % 6) : 0,
		};
		if (!sip_model_set_limits(m, &lim))
			fuzz_fail("limits refused");
		sip_model_tap_add(m, SIP_EV_EVICT, on_evict, NULL);
	} else if (size % 4 == 3) {
		/* finished calls forgotten (--stats on files), with a bound now
		 * and then on top */
		sip_limits lim = { .forget_finished = true, .forget_registers = size / 4 % 2,
				   .max_calls = size / 4 % 5 == 0 ? 2 : 0 };
		if (!sip_model_set_limits(m, &lim))
			fuzz_fail("limits refused");
		if (!lim.forget_registers && !lim.max_calls)
			twin = sip_model_new();
		sip_model_tap_add(m, SIP_EV_EVICT | SIP_EV_SHED, on_evict, NULL);
	}
	sip_model_tap_add(m, SIP_EV_MESSAGE | SIP_EV_TXN | SIP_EV_DIALOG | SIP_EV_CALL |
			  SIP_EV_REGISTRATION, on_event, NULL);
	findings *fd = findings_new(m);
	findings *fd_twin = twin ? findings_new(twin) : NULL;
	fuzz_memsink_begin(&json);
	fuzz_memsink_begin(&text);

	int64_t ts = INT64_C(1700000000) * SEC;
	sv rest = sv_make(data, size);
	const sv sep = SV_LIT(MODEL_SEP);
	guint added = 0;
	uint64_t frame = 0;
	while (rest.len) {
		ptrdiff_t at = sv_find(rest, sep);
		sv chunk = at < 0 ? rest : sv_head(rest, (size_t)at);
		rest = at < 0 ? SV_NULL : sv_skip(rest, (size_t)at + sep.len);
		if (chunk.len < 1)
			continue;
		uint8_t ctl = chunk.p[0];
		sv msg = sv_skip(chunk, 1);
		bool tcp = ctl & 0x10;
		ts += model_delta_ns[ctl >> 5];
		sip_parse_message(msg, tcp, parsed);
		frame++;
		sip_msg_meta meta = {
			.frame = frame,
			.first_frame = frame,
			.ts_ns = ts,
			.transport = tcp ? "TCP" : "UDP",
			.src = model_eps[ctl & 3],
			.dst = model_eps[(ctl >> 2) & 3],
		};
		sip_id id = sip_model_add(m, &meta, parsed);
		added++;
		const sip_message *rec = sip_model_message(m, id);
		if (twin) {
			const sip_message *t = sip_model_message(twin, sip_model_add(twin, &meta, parsed));
			if (!rec || !t || t->id != rec->id || t->call != rec->call || t->txn != rec->txn ||
			    t->dialog != rec->dialog || t->retransmission != rec->retransmission)
				fuzz_fail("message %u: not placed as with every call kept", id);
		}
		if (rec) {
			sip_msg_meta back;
			sip_message_meta(rec, &back);
			if (back.frame != meta.frame || back.first_frame != meta.first_frame ||
			    back.ts_ns != meta.ts_ns || strcmp(back.transport, meta.transport) != 0 ||
			    back.index != meta.index || back.capture_flags != meta.capture_flags ||
			    !endpoint_eq(&back.src, &meta.src) || !endpoint_eq(&back.dst, &meta.dst))
				fuzz_fail("message %u: meta not kept as given", id);
		}
		msg_out mo = {
			.frame = meta.frame,
			.first_frame = meta.first_frame,
			.ts_ns = ts,
			.src = meta.src,
			.dst = meta.dst,
			.transport = meta.transport,
			.sip = parsed,
			.modelled = rec != NULL,
			.txn = rec ? rec->txn : SIP_ID_NONE,
			.dialog = rec ? rec->dialog : SIP_ID_NONE,
			.call = rec ? rec->call : SIP_ID_NONE,
			.retransmission = rec && rec->retransmission,
		};
		json_write_message(&json.s, &mo);
		text_write_message(&text.s, &mo);
	}
	/* The end of the capture: some time after the last message, from the
	 * last input byte. */
	int64_t end = ts + (size ? model_delta_ns[data[size - 1] & 7] : 0);
	sip_model_finish(m, end);
	findings_finish(fd);
	static GString *found, *found_twin;
	if (!found) {
		found = g_string_new(NULL);
		found_twin = g_string_new(NULL);
	}
	walk_findings(fd, m, found);
	if (twin) {
		sip_model_finish(twin, end);
		findings_finish(fd_twin);
		if (sip_model_call_count(twin) != sip_model_call_count(m))
			fuzz_fail("%u calls, %u with every call kept", sip_model_call_count(m),
				  sip_model_call_count(twin));
		walk_findings(fd_twin, twin, found_twin);
		if (!g_string_equal(found, found_twin))
			fuzz_fail("findings differ with every call kept:\n%s-- kept:\n%s", found->str,
				  found_twin->str);
		findings_free(fd_twin);
		sip_model_free(twin);
	}
	if (sip_model_clock(m) < ts)
		fuzz_fail("model clock went back");
	walk_model(m, added);
	if (fuzz_verbose())
		fprintf(stderr, "messages %u txns %u dialogs %u calls %u registrations %u\n", added,
			sip_model_txn_count(m), sip_model_dialog_count(m), sip_model_call_count(m),
			sip_model_registration_count(m));
	check_write(&text.s, m, fd);
	fuzz_write_model_outputs(m, end, &json, &text);
	findings_free(fd);
	sip_model_free(m);
	return 0;
}
