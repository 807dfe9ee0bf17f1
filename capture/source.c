/*
 * source.c — opening a capture, recognising its format, handing out frames.
 *
 * Messages name the input by its path ("standard input" for "-") and say
 * where reading stopped and how many records came before, so a user can
 * tell a cut-off capture from a useless one.
 */
#include "capture/source.h"

#include <stdarg.h>
#include <string.h>

#include "capture/source_impl.h"

G_DEFINE_QUARK(cap-error-quark, cap_error)

static const struct {
	uint8_t magic[4];
	cap_format format;
} cap_magics[] = {
	{ { 0xd4, 0xc3, 0xb2, 0xa1 }, CAP_FMT_PCAP },   /* µs, little-endian */
	{ { 0xa1, 0xb2, 0xc3, 0xd4 }, CAP_FMT_PCAP },   /* µs, big-endian */
	{ { 0x4d, 0x3c, 0xb2, 0xa1 }, CAP_FMT_PCAP },   /* ns */
	{ { 0xa1, 0xb2, 0x3c, 0x4d }, CAP_FMT_PCAP },
	{ { 0x34, 0xcd, 0xb2, 0xa1 }, CAP_FMT_PCAP },   /* "modified" pcap */
	{ { 0xa1, 0xb2, 0xcd, 0x34 }, CAP_FMT_PCAP },
	{ { 0x0a, 0x0d, 0x0d, 0x0a }, CAP_FMT_PCAPNG }, /* SHB block type */
};

void cap_source_damage(const cap_source *s, GError **err, cap_error_code code,
                       uint64_t at, const char *what, const char *detail_fmt, ...)
{
	va_list ap;
	va_start(ap, detail_fmt);
	char *detail = g_strdup_vprintf(detail_fmt, ap);
	va_end(ap);
	g_set_error(err, CAP_ERROR, code, "%s: %s %s at byte %" G_GUINT64_FORMAT " (%s); %" G_GUINT64_FORMAT " record%s read",
	            s->in.name, code == CAP_ERROR_TRUNCATED ? "truncated" : "corrupt", what, (guint64)at, detail,
	            (guint64)s->records, s->records == 1 ? "" : "s");
	g_free(detail);
}

void cap_hex(char *buf, size_t size, sv bytes)
{
	static const char digits[] = "0123456789abcdef";
	size_t pos = 0;
	for (size_t i = 0; i < bytes.len && pos + 3 < size; i++) {
		int b = sv_at(bytes, i);
		if (i)
			buf[pos++] = ' ';
		buf[pos++] = digits[b >> 4];
		buf[pos++] = digits[b & 15];
	}
	if (size)
		buf[pos < size ? pos : size - 1] = '\0';
}

/* Recognises the first bytes; sets *fmt or the error. */
static bool source_detect(cap_source *s, sv head, cap_format *fmt, GError **err)
{
	if (head.len == 0) {
		g_set_error(err, CAP_ERROR, CAP_ERROR_FORMAT, "%s: empty file", s->in.name);
		return false;
	}
	bool prefix = false;
	for (size_t i = 0; i < G_N_ELEMENTS(cap_magics); i++) {
		sv m = sv_make(cap_magics[i].magic, 4);
		if (head.len >= 4 && sv_eq(sv_head(head, 4), m)) {
			*fmt = cap_magics[i].format;
			return true;
		}
		if (head.len < 4 && sv_starts_with(m, head))
			prefix = true;
	}
	if (prefix) {
		g_set_error(err, CAP_ERROR, CAP_ERROR_TRUNCATED, "%s: truncated file header (%zu bytes)", s->in.name,
		            head.len);
		return false;
	}
	char hex[3 * 4 + 1];
	cap_hex(hex, sizeof(hex), sv_head(head, 4));
	const char *hint = "";
	if (sv_starts_with(head, SV_LIT("\x1f\x8b")))
		hint = ": gzip-compressed, decompress it first";
	else if (sv_starts_with(head, SV_LIT("\x28\xb5\x2f\xfd")))
		hint = ": zstd-compressed, decompress it first";
	else if (sv_starts_with(head, SV_LIT("\xfd" "7zXZ")))
		hint = ": xz-compressed, decompress it first";
	g_set_error(err, CAP_ERROR, CAP_ERROR_FORMAT, "%s: not a pcap or pcapng file (starts with %s%s)", s->in.name,
	            hex, hint);
	return false;
}

cap_source *cap_source_open(const char *path, GError **err)
{
	g_return_val_if_fail(path != NULL, NULL);
	cap_source *s = g_new0(cap_source, 1);
	s->path = g_strdup(path);
	if (!cap_input_open(&s->in, path, err))
		goto fail;
	sv head;
	if (!cap_input_peek(&s->in, 4, &head, err))
		goto fail;
	if (!source_detect(s, head, &s->format, err))
		goto fail;
	bool ok = s->format == CAP_FMT_PCAP ? cap_pcap_open(s, err) : cap_pcapng_open(s, err);
	if (!ok)
		goto fail;
	return s;
fail:
	cap_source_free(s);
	return NULL;
}

cap_next_rc cap_source_next(cap_source *s, cap_frame *out, GError **err)
{
	if (s->done)
		return CAP_NEXT_EOF;
	cap_next_rc rc = s->format == CAP_FMT_PCAP ? cap_pcap_next(s, out, err) : cap_pcapng_next(s, out, err);
	if (rc != CAP_NEXT_FRAME) {
		s->done = true;
		/* Nothing more will be read: give the scratch buffer back. */
		if (!s->in.mapped) {
			g_free(s->in.buf);
			s->in.buf = NULL;
			s->in.cap = s->in.start = s->in.end = 0;
		}
		return rc;
	}
	out->num = out->record;
	out->source = 0;
	return rc;
}

arena *cap_source_stream_arena(cap_source *s)
{
	return s->in.mapped ? NULL : &s->in.mem;
}

const char *cap_source_path(const cap_source *s)
{
	return s->path;
}

const char *cap_source_format(const cap_source *s)
{
	return s->format == CAP_FMT_PCAP ? "pcap" : "pcapng";
}

uint64_t cap_source_records(const cap_source *s)
{
	return s->records;
}

void cap_source_release_mapped(cap_source *s)
{
	cap_input_release_all(&s->in);
}

void cap_source_free(cap_source *s)
{
	if (!s)
		return;
	cap_pcapng_clear(s);
	cap_input_close(&s->in);
	g_free(s->path);
	g_free(s);
}
