#include "sink.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

enum { SINK_FLUSH_AT = 256 * 1024 };

void sink_init(sink *s, int fd, const char *name)
{
	s->fd = fd;
	s->buf = g_string_sized_new(SINK_FLUSH_AT + 4096);
	s->record_end = 0;
	s->error = 0;
	s->written = 0;
	s->name = g_strdup(name);
}

static bool sink_write_all(sink *s, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			s->error = errno;
			return false;
		}
		p += w;
		n -= (size_t)w;
		s->written += (uint64_t)w;
	}
	return true;
}

bool sink_flush(sink *s)
{
	if (s->error) {
		s->record_end = 0;
		g_string_truncate(s->buf, 0);
		return false;
	}
	if (s->record_end > 0) {
		bool ok = sink_write_all(s, s->buf->str, s->record_end);
		g_string_erase(s->buf, 0, (gssize)s->record_end);
		s->record_end = 0;
		if (!ok) {
			g_string_truncate(s->buf, 0);
			return false;
		}
	}
	return true;
}

void sink_end_record(sink *s)
{
	s->record_end = s->buf->len;
	if (s->record_end >= SINK_FLUSH_AT)
		sink_flush(s);
}

bool sink_failed(const sink *s)
{
	return s->error != 0;
}

const char *sink_error(const sink *s)
{
	static char msg[512];
	g_snprintf(msg, sizeof(msg), "%s: %s", s->name, g_strerror(s->error));
	return msg;
}

bool sink_finish(sink *s)
{
	bool ok = sink_flush(s);
	g_string_free(s->buf, TRUE);
	s->buf = NULL;
	g_free(s->name);
	s->name = NULL;
	return ok;
}
