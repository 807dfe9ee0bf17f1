/*
 * sink.h — buffered output to a file descriptor that only ever writes whole
 * records.  Writers append one complete line (a JSON record, a table row)
 * to the sink's buffer and call sink_end_record(); the buffer goes to the
 * descriptor when it fills, at sink_flush() and at sink_close().  Because the
 * buffer is cut only at record ends, an interrupted run never leaves half a
 * JSON line behind.
 *
 * A write error (a closed pipe, a full disk) is kept: the sink stops writing,
 * sink_failed() turns true and sink_error() tells why, so the caller can stop
 * reading input and exit with the documented status.
 */
#ifndef SIPSCOPE_OUTPUT_SINK_H
#define SIPSCOPE_OUTPUT_SINK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct sink {
	int fd;
	GString *buf;       /* pending output; writers append to it */
	size_t record_end;  /* length of buf up to the last complete record */
	int error;          /* errno of the first failed write, 0 if none */
	uint64_t written;   /* bytes written to fd so far */
	char *name;         /* for messages: "standard output" or a path */
} sink;

void sink_init(sink *s, int fd, const char *name);
/* Marks everything appended so far as complete; writes when the buffer is
 * large. */
void sink_end_record(sink *s);
/* Writes every complete record.  Returns false on a write error. */
bool sink_flush(sink *s);
bool sink_failed(const sink *s);
/* "standard output: No space left on device" (static within the sink). */
const char *sink_error(const sink *s);
/* Flushes complete records, drops an incomplete one, frees the buffer; the
 * descriptor is not closed. */
bool sink_finish(sink *s);

#endif
