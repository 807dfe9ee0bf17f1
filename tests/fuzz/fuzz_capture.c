/*
 * fuzz_capture.c — libFuzzer harness: the capture readers
 * (capture/source.h) on arbitrary file contents.
 *
 * The input becomes an in-memory file, read through its path (the mapped
 * file path of the reader), then through a pipe on standard input (the
 * stream path, record by record into the source's arena), then both at
 * once through the merger.  Every frame's bytes are read.  Checks: a frame's
 * caplen is its data length; both paths hand out the same frames and stop
 * the same way; the merger returns every frame of both and numbers them
 * 1, 2, ...
 */
#define _GNU_SOURCE 1 /* F_SETPIPE_SZ */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "capture/source.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct readout {
	bool opened;
	int code;          /* error domain code of open or of the end; -1 none */
	uint64_t frames;
	uint32_t crc;      /* over lengths, link types, timestamps and bytes */
} readout;

static uint32_t mix(uint32_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (uint8_t)(v >> (8 * i));
		h *= 16777619u;
	}
	return h;
}

static uint32_t frame_hash(uint32_t h, const cap_frame *f)
{
	h = mix(h, f->caplen);
	h = mix(h, f->wirelen);
	h = mix(h, f->linktype);
	h = mix(h, (uint64_t)f->ts_ns);
	h = mix(h, sv_hash(f->data));
	return h;
}

static void check_frame(const cap_frame *f)
{
	if (f->caplen != f->data.len)
		fuzz_fail("caplen %u but %zu bytes", f->caplen, f->data.len);
	fuzz_touch(f->data);
}

static readout read_all(const char *path)
{
	readout r = { .code = -1, .crc = 2166136261u };
	GError *err = NULL;
	cap_source *s = cap_source_open(path, &err);
	if (!s) {
		if (!err)
			fuzz_fail("cap_source_open failed without an error");
		r.code = err->code;
		fuzz_check_text(err->message, strlen(err->message), false, "open error");
		g_error_free(err);
		return r;
	}
	r.opened = true;
	fuzz_touch_str(cap_source_path(s));
	fuzz_touch_str(cap_source_format(s));
	cap_frame f;
	cap_next_rc rc;
	while ((rc = cap_source_next(s, &f, &err)) == CAP_NEXT_FRAME) {
		check_frame(&f);
		r.frames++;
		if (f.record != r.frames || f.num != f.record)
			fuzz_fail("record %" G_GUINT64_FORMAT " numbered %" G_GUINT64_FORMAT, r.frames,
				  f.record);
		r.crc = frame_hash(r.crc, &f);
	}
	if (rc == CAP_NEXT_ERROR) {
		if (!err)
			fuzz_fail("CAP_NEXT_ERROR without an error");
		r.code = err->code;
		fuzz_check_text(err->message, strlen(err->message), false, "read error");
		g_clear_error(&err);
		/* A finished source stays finished. */
		if (cap_source_next(s, &f, &err) == CAP_NEXT_FRAME)
			fuzz_fail("frame after the source's error");
		g_clear_error(&err);
	} else if (rc != CAP_NEXT_EOF) {
		fuzz_fail("cap_source_next returned %d", rc);
	}
	if (cap_source_records(s) != r.frames)
		fuzz_fail("cap_source_records %" G_GUINT64_FORMAT " != %" G_GUINT64_FORMAT,
			  cap_source_records(s), r.frames);
	cap_source_free(s);
	return r;
}

/* The input in a pipe on standard input; false when it does not fit the
 * pipe (then the stream path is skipped). */
static bool stdin_pipe(const uint8_t *data, size_t size)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		fuzz_fail("pipe: %s", g_strerror(errno));
	int cap = fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	if (cap < 0)
		cap = fcntl(p[1], F_GETPIPE_SZ);
	if (cap < 0 || (size_t)cap < size) {
		close(p[0]);
		close(p[1]);
		return false;
	}
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(p[1], data + off, size - off);
		if (w <= 0)
			fuzz_fail("pipe write: %s", g_strerror(errno));
		off += (size_t)w;
	}
	close(p[1]);
	if (dup2(p[0], STDIN_FILENO) < 0)
		fuzz_fail("dup2: %s", g_strerror(errno));
	close(p[0]);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1, saved_stdin = -1;
	static char path[64];
	if (fd < 0) {
		fd = fuzz_memfd_new("fuzz-capture");
		g_snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		saved_stdin = dup(STDIN_FILENO);
	}
	fuzz_memfd_set(fd, data, size);

	readout mapped = read_all(path);
	if (fuzz_verbose())
		fprintf(stderr, "opened %d frames %" G_GUINT64_FORMAT " end %d\n", mapped.opened,
			mapped.frames, mapped.code);

	if (stdin_pipe(data, size)) {
		readout streamed = read_all("-");
		if (mapped.opened != streamed.opened || mapped.frames != streamed.frames ||
		    mapped.crc != streamed.crc || mapped.code != streamed.code)
			fuzz_fail("file and pipe differ: opened %d/%d, frames %" G_GUINT64_FORMAT
				  "/%" G_GUINT64_FORMAT ", end %d/%d, same bytes %d",
				  mapped.opened, streamed.opened, mapped.frames, streamed.frames,
				  mapped.code, streamed.code, mapped.crc == streamed.crc);
	}

	/* Two sources merged: the file twice. */
	if (mapped.opened) {
		cap_source *s[2];
		for (int i = 0; i < 2; i++) {
			GError *err = NULL;
			s[i] = cap_source_open(path, &err);
			if (!s[i])
				fuzz_fail("second open failed: %s", err ? err->message : "?");
		}
		cap_merger *mg = cap_merger_new(s, 2);
		cap_frame f;
		uint64_t n = 0;
		int64_t last = INT64_MIN;
		bool backwards = false;
		while (cap_merger_next(mg, &f) == CAP_NEXT_FRAME) {
			check_frame(&f);
			if (f.num != ++n)
				fuzz_fail("merged frame %" G_GUINT64_FORMAT " numbered %" G_GUINT64_FORMAT,
					  n, f.num);
			if (f.source > 1)
				fuzz_fail("source index %u", f.source);
			backwards |= f.ts_ns < last;
			last = f.ts_ns;
		}
		(void)backwards; /* a source whose clock goes back is followed as it is */
		if (n != 2 * mapped.frames)
			fuzz_fail("merger returned %" G_GUINT64_FORMAT " frames of 2 x %" G_GUINT64_FORMAT,
				  n, mapped.frames);
		const GPtrArray *errs = cap_merger_errors(mg);
		if (errs->len != (mapped.code >= 0 ? 2u : 0u))
			fuzz_fail("merger kept %u errors", errs->len);
		cap_merger_free(mg);
	}

	if (dup2(saved_stdin, STDIN_FILENO) < 0)
		fuzz_fail("restoring standard input: %s", g_strerror(errno));
	return 0;
}
