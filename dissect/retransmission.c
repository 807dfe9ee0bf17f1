/*
 * retransmission.c — which earlier message a retransmission repeats, by
 * the same rules that called it one (model.h, "Retransmissions"): a
 * request repeats its transaction's request (an ACK joined to an INVITE
 * transaction, that transaction's ACK); a response repeats the first
 * response of its transaction with the same status and To tag.
 */
#include "dissect/model.h"

/* Same status and To tag (tags compare case-insensitively, §19.3). */
static bool same_response(const sip_message *a, const sip_message *b)
{
	if (a->kind != SIP_KIND_RESPONSE || a->txn != b->txn || a->status != b->status)
		return false;
	sv ta = sip_message_field(a, SIP_FIELD_TO_TAG), tb = sip_message_field(b, SIP_FIELD_TO_TAG);
	if (!ta.p || !tb.p)
		return !ta.p && !tb.p;
	return sv_eq_ci(ta, tb);
}

static sip_id first_response_like(const sip_model *m, const sip_message *msg)
{
	const sip_call *c = msg->call != SIP_ID_NONE ? sip_model_call(m, msg->call) : NULL;
	if (c && c->messages) {
		for (guint i = 0; i < c->messages->len; i++) {
			sip_id id = g_array_index(c->messages, sip_id, i);
			if (id >= msg->id)
				break;
			const sip_message *o = sip_model_message(m, id);
			if (o && same_response(o, msg))
				return id;
		}
		return SIP_ID_NONE;
	}
	/* Without a Call-ID the message belongs to no call: look through
	 * every earlier message. */
	for (sip_id id = 0; id < msg->id; id++) {
		const sip_message *o = sip_model_message(m, id);
		if (o && same_response(o, msg))
			return id;
	}
	return SIP_ID_NONE;
}

sip_id sip_model_original(const sip_model *m, sip_id msg_id)
{
	const sip_message *msg = sip_model_message(m, msg_id);
	if (!msg || !msg->retransmission || msg->txn == SIP_ID_NONE)
		return SIP_ID_NONE;
	const sip_txn *t = sip_model_txn(m, msg->txn);
	if (!t)
		return SIP_ID_NONE;
	sip_id orig = SIP_ID_NONE;
	if (msg->kind == SIP_KIND_REQUEST)
		orig = msg->method_code == SIP_METHOD_ACK && t->is_invite ? t->ack : t->request;
	else if (msg->kind == SIP_KIND_RESPONSE)
		orig = first_response_like(m, msg);
	return orig != msg_id ? orig : SIP_ID_NONE;
}
