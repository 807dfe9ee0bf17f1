/*
 * fuzz_util.h — what the libFuzzer harnesses share: touching every byte of
 * a view (so AddressSanitizer sees any view that points outside its
 * buffer), containment checks, checks of what the writers produce (valid
 * JSON and UTF-8; terminal-safe text), and a sink backed by an in-memory
 * file so a harness can read back what the writers wrote.
 *
 * A failed check aborts with a message on standard error: libFuzzer then
 * saves the input as a crash.
 */
#ifndef SIPSCOPE_TESTS_FUZZ_UTIL_H
#define SIPSCOPE_TESTS_FUZZ_UTIL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "output/sink.h"

/* Reads every byte of v (nothing when v.len == 0). */
void fuzz_touch(sv v);
void fuzz_touch_str(const char *s);

/* Aborts unless v is absent (p == NULL, len == 0) or lies inside outer. */
void fuzz_check_within(sv v, sv outer, const char *what);

/* Aborts unless out holds only valid UTF-8 without NUL, and every line
 * (records end with '\n') is one valid JSON value. */
void fuzz_check_json_lines(const char *p, size_t n, const char *what);
/* Aborts unless p is exactly one valid JSON value. */
void fuzz_check_json_value(const char *p, size_t n, const char *what);
/* Aborts unless the text is safe for a terminal: valid UTF-8, no C0 byte
 * (but '\n' when allow_newline), no DEL, no C1 control (U+0080 to
 * U+009F). */
void fuzz_check_text(const char *p, size_t n, bool allow_newline, const char *what);

/* Aborts unless every byte is printable ASCII (0x20 to 0x7e). */
void fuzz_check_ascii(const char *p, size_t n, const char *what);

/* A sink writing to an in-memory file.  fuzz_memsink_begin starts a run
 * with an empty file; fuzz_memsink_end finishes the sink and returns
 * everything written (owned by the memsink, valid until the next begin). */
typedef struct fuzz_memsink {
	int fd;
	sink s;
	GString *got;
} fuzz_memsink;

void fuzz_memsink_init(fuzz_memsink *m, const char *name);
sink *fuzz_memsink_begin(fuzz_memsink *m);
const GString *fuzz_memsink_end(fuzz_memsink *m);

/* An in-memory file (memfd) holding bytes, reachable by a path that
 * cap_source_open accepts ("/proc/self/fd/N"). */
int fuzz_memfd_new(const char *name);
void fuzz_memfd_set(int fd, const uint8_t *data, size_t len);

/* Every report of the model (JSON records, --list, --stats, and the ladder
 * of all messages, per endpoint and per host) written to the two sinks,
 * then the JSON and text checks above on what they hold. */
struct sip_model;
void fuzz_write_model_outputs(const struct sip_model *m, int64_t end_ts, fuzz_memsink *json,
			      fuzz_memsink *text);

/* True when SIPSCOPE_FUZZ_VERBOSE is set: harnesses then print what each
 * input amounted to (frames, messages, calls...) on standard error, to
 * check that seeds reach deep. */
bool fuzz_verbose(void);

G_GNUC_NORETURN G_GNUC_PRINTF(1, 2) void fuzz_fail(const char *fmt, ...);

#endif
