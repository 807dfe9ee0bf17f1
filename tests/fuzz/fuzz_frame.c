/*
 * fuzz_frame.c — libFuzzer harness: whole frames through the pipeline, as
 * the application wires it (app/pipeline.c): decoder → SIP framer → parser
 * → model, then the writers.
 *
 * Input: a sequence of frames, each
 *     u16 length (big-endian) | u8 selector | length bytes
 * (the last frame takes what is left when the input is shorter).  The
 * selector's bits 0-2 pick the link type, bit 3 marks the frame cut by the
 * snap length (wire length larger), bits 4-7 the time since the previous
 * frame (FRAME_DELTA_NS).  One decoder and one framer see all the frames
 * of an input, so TCP reassembly, IP fragments, SCTP and WebSocket state
 * carry across frames.  tests/fuzz/make_seeds.py converts captures to this
 * format.
 *
 * Every message is parsed, added to a model and written as a JSON record
 * and a text line; at the end the framer is flushed, the model finished and
 * every report written.  Checks: the JSON output is valid JSON and UTF-8,
 * the text output has no control byte but '\n' (see fuzz_util.h), and the
 * messages' bytes can all be read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "capture/decode.h"
#include "capture/sipframe.h"
#include "dissect/model.h"
#include "dissect/sip.h"
#include "fuzz_util.h"
#include "output/json.h"
#include "output/message_out.h"
#include "output/textesc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t frame_links[8] = {
	LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
	LINKTYPE_NULL, LINKTYPE_LOOP, LINKTYPE_IPV4, LINKTYPE_IPV6,
};

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)
/* Includes a step back in time: captures merged from several points do that. */
static const int64_t frame_delta_ns[16] = {
	0, 1000, 1 * MS, 10 * MS, 100 * MS, 500 * MS, 1 * SEC, 2 * SEC,
	4 * SEC, 8 * SEC, 16 * SEC, 32 * SEC, 33 * SEC, 64 * SEC, 3600 * SEC, -1 * SEC,
};

typedef struct run {
	sip_model *model;
	cap_sipframer *framer;
	sip_msg *parsed;
	fuzz_memsink *json, *text;
	GString *scratch;
	uint64_t messages;
	uint64_t invalid;      /* not valid SIP, or quoted in ICMP */
} run;

static void on_sipmsg(void *user, const cap_sipmsg *m)
{
	run *r = user;
	fuzz_touch(m->data);
	if (!m->frame)
		fuzz_fail("message without frame");
	if (m->transport < SIP_TRANSPORT_UDP || m->transport > SIP_TRANSPORT_WS)
		fuzz_fail("transport %u", m->transport);
	bool stream = m->transport != SIP_TRANSPORT_UDP;
	sip_parse_message(m->data, stream, r->parsed);
	r->messages++;
	if (r->parsed->kind == SIP_KIND_INVALID || (m->flags & CAP_SIPMSG_ICMP_QUOTED))
		r->invalid++;

	msg_out mo = {
		.frame = m->frame->num,
		.first_frame = m->first_frame ? m->first_frame : m->frame->num,
		.index = m->index,
		.ts_ns = m->frame->ts_ns,
		.src = m->src,
		.dst = m->dst,
		.transport = sip_transport_name(m->transport),
		.sip = r->parsed,
	};
	if (m->flags & CAP_SIPMSG_TRUNCATED)
		mo.notes[mo.n_notes++] = "message incomplete";
	if (m->flags & CAP_SIPMSG_AFTER_GAP)
		mo.notes[mo.n_notes++] = "bytes missing before this message";
	if (!(m->flags & CAP_SIPMSG_ICMP_QUOTED)) {
		sip_msg_meta meta = {
			.frame = mo.frame,
			.first_frame = mo.first_frame,
			.index = mo.index,
			.ts_ns = mo.ts_ns,
			.src = mo.src,
			.dst = mo.dst,
			.transport = mo.transport,
			.capture_flags = m->flags,
		};
		sip_id id = sip_model_add(r->model, &meta, r->parsed);
		const sip_message *rec = sip_model_message(r->model, id);
		if (rec) {
			mo.modelled = true;
			mo.txn = rec->txn;
			mo.dialog = rec->dialog;
			mo.call = rec->call;
			mo.retransmission = rec->retransmission;
		}
	}
	json_write_message(&r->json->s, &mo);
	text_write_message(&r->text->s, &mo);

	g_string_truncate(r->scratch, 0);
	json_append_sv(r->scratch, r->parsed->call_id);
	fuzz_check_json_value(r->scratch->str, r->scratch->len, "json_append_sv");
	g_string_truncate(r->scratch, 0);
	text_append_sv(r->scratch, r->parsed->start_line);
	fuzz_check_text(r->scratch->str, r->scratch->len, false, "text_append_sv");
}

static void on_payload(void *user, const cap_payload *pl)
{
	run *r = user;
	fuzz_touch(pl->data);
	cap_sipframer_feed(r->framer, pl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fuzz_memsink json, text;
	static sip_msg *parsed;
	static GString *scratch;
	if (!parsed) {
		parsed = g_new0(sip_msg, 1);
		scratch = g_string_new(NULL);
		fuzz_memsink_init(&json, "fuzz-json");
		fuzz_memsink_init(&text, "fuzz-text");
	}

	/* Frames first: the framer keeps pointers to them until the flush. */
	size_t nframes = 0;
	for (rd c = rd_make(sv_make(data, size)); rd_left(&c) >= 3; nframes++) {
		uint16_t len;
		rd_u16be(&c, &len);
		rd_skip(&c, 1);
		if (!rd_skip(&c, len))
			c.off = c.len;
	}
	cap_frame *frames = g_new0(cap_frame, nframes ? nframes : 1);
	int64_t ts = INT64_C(1700000000) * SEC;
	rd c = rd_make(sv_make(data, size));
	for (size_t i = 0; i < nframes; i++) {
		uint16_t len;
		uint8_t sel;
		rd_u16be(&c, &len);
		rd_u8(&c, &sel);
		sv bytes;
		if (!rd_bytes(&c, len, &bytes))
			bytes = rd_rest(&c);
		ts += frame_delta_ns[sel >> 4];
		frames[i] = (cap_frame){
			.num = i + 1,
			.ts_ns = ts,
			.linktype = frame_links[sel & 7],
			.caplen = (uint32_t)bytes.len,
			.wirelen = (uint32_t)bytes.len + ((sel & 8) ? 100 : 0),
			.record = i + 1,
			.data = bytes,
		};
	}

	arena mem;
	arena_init(&mem, 64 * 1024);
	run r = {
		.model = sip_model_new(),
		.parsed = parsed,
		.json = &json,
		.text = &text,
		.scratch = scratch,
	};
	fuzz_memsink_begin(&json);
	fuzz_memsink_begin(&text);
	cap_decoder *dec = cap_decoder_new(&mem, on_payload, &r);
	r.framer = cap_sipframer_new(&mem, on_sipmsg, &r);

	/* One input in four (by its length) runs as a live capture under limits
	 * does: each frame copied into the arena, the model copying what it
	 * keeps, and after every frame what is held moved to a fresh arena and
	 * the old one freed, so that a view left behind is a use after free. */
	bool rotate = size % 4 == 1;
	arena old;
	arena_init(&old, 64 * 1024);
	if (rotate) {
		sip_limits lim = { .max_calls = 1 + (uint32_t)(size / 4 % 3), .max_messages = 64 };
		if (!sip_model_set_limits(r.model, &lim))
			fuzz_fail("limits refused");
	}
	for (size_t i = 0; i < nframes; i++) {
		if (!rotate) {
			cap_decoder_feed(dec, &frames[i]);
			continue;
		}
		cap_frame f = frames[i];
		f.data = sv_make(arena_copy(&mem, f.data.p, f.data.len), f.data.len);
		cap_decoder_feed(dec, &f);
		cap_decoder_relocate(dec, &old, &mem);
		cap_sipframer_relocate(r.framer, &old, &mem, (data[size - 1] & 1) != 0);
		arena_take(&old, &mem);
	}
	cap_sipframer_flush(r.framer);
	sip_model_finish(r.model, ts);

	const cap_decode_stats *ds = cap_decoder_stats(dec);
	if (ds->frames != nframes)
		fuzz_fail("decoder counted %" G_GUINT64_FORMAT " frames of %zu", ds->frames, nframes);
	const cap_sipframe_stats *fs = cap_sipframer_stats(r.framer);
	if (fs->messages + fs->icmp_quoted != r.messages)
		fuzz_fail("framer counted %" G_GUINT64_FORMAT " messages, handed %" G_GUINT64_FORMAT,
			  fs->messages, r.messages);
	g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func(g_free);
	cap_decoder_notices(dec, notices);
	for (guint i = 0; i < notices->len; i++) {
		const char *n = g_ptr_array_index(notices, i);
		fuzz_check_text(n, strlen(n), false, "decoder notice");
	}

	fuzz_write_model_outputs(r.model, ts, &json, &text);
	if (fuzz_verbose())
		fprintf(stderr, "frames %zu payloads %" G_GUINT64_FORMAT " messages %" G_GUINT64_FORMAT
			" invalid-or-quoted %" G_GUINT64_FORMAT " txns %u calls %u\n", nframes,
			ds->payloads, r.messages, r.invalid, sip_model_txn_count(r.model),
			sip_model_call_count(r.model));

	cap_sipframer_free(r.framer);
	cap_decoder_free(dec);
	sip_model_free(r.model);
	arena_free(&mem);
	arena_free(&old);
	g_free(frames);
	return 0;
}
