/*
 * input.c — mapping regular files, reading streams.
 *
 * Standard input that is a regular file (`sipscope -r - < x.pcap`) is
 * mapped too, from its current offset on.  A regular file that cannot be
 * mapped (some network or FUSE file systems) falls back to reading.
 */
#include "capture/input.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/source.h"

enum {
	/* Large reads keep the syscall count low on big pipes; a read returns
	 * whatever is there, so a large buffer never delays a slow writer. */
	INPUT_BUF_SIZE = 1u << 20,
};

static void input_init_stream(cap_input *in)
{
	in->mapped = false;
	in->cap = INPUT_BUF_SIZE;
	in->buf = g_malloc(in->cap);
	in->start = in->end = 0;
	in->eof = false;
}

/* Maps fd from offset `from` to its end; false when the mapping is refused
 * (the caller then reads it as a stream). */
static bool input_map(cap_input *in, const struct stat *st, off_t from)
{
	if (st->st_size <= from) {
		in->mapped = true;
		in->map = SV_NULL;
		return true;
	}
	if ((uintmax_t)st->st_size > SIZE_MAX)
		return false;
	size_t len = (size_t)st->st_size;
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, in->fd, 0);
	if (p == MAP_FAILED)
		return false;
	(void)madvise(p, len, MADV_SEQUENTIAL);
	in->mapped = true;
	in->map_base = p;
	in->map_len = len;
	in->map = sv_make((const uint8_t *)p + from, len - (size_t)from);
	in->release_at = CAP_INPUT_RELEASE_STEP;
	return true;
}

bool cap_input_open(cap_input *in, const char *path, GError **err)
{
	memset(in, 0, sizeof(*in));
	in->fd = -1;
	arena_init(&in->mem, 0);

	bool is_stdin = strcmp(path, "-") == 0;
	in->name = g_strdup(is_stdin ? "standard input" : path);
	if (is_stdin) {
		in->fd = STDIN_FILENO;
		in->own_fd = false;
	} else {
		do
			in->fd = open(path, O_RDONLY | O_CLOEXEC);
		while (in->fd < 0 && errno == EINTR);
		if (in->fd < 0) {
			int e = errno;
			g_set_error(err, CAP_ERROR, CAP_ERROR_OPEN, "%s: %s", in->name, g_strerror(e));
			return false;
		}
		in->own_fd = true;
	}

	struct stat st;
	if (fstat(in->fd, &st) != 0) {
		int e = errno;
		g_set_error(err, CAP_ERROR, CAP_ERROR_OPEN, "%s: %s", in->name, g_strerror(e));
		return false;
	}
	if (S_ISDIR(st.st_mode)) {
		g_set_error(err, CAP_ERROR, CAP_ERROR_OPEN, "%s: is a directory", in->name);
		return false;
	}
	if (S_ISREG(st.st_mode)) {
		off_t from = 0;
		if (is_stdin) {
			from = lseek(in->fd, 0, SEEK_CUR);
			if (from < 0)
				from = 0;
		}
		if (input_map(in, &st, from)) {
			/* The mapping holds the file; the descriptor is not
			 * needed any more (standard input stays open). */
			if (in->own_fd)
				close(in->fd);
			in->fd = -1;
			return true;
		}
		/* Not mappable: read it (standard input from where the
		 * shell left it). */
	}
	input_init_stream(in);
	return true;
}

void cap_input_release(cap_input *in)
{
	/* offsets of in->off are relative to in->map, which starts at
	 * map_base + (map_len - map.len) */
	in->release_at = in->off + CAP_INPUT_RELEASE_STEP;
	if (!in->map_base)
		return;
	uint64_t upto = in->off + (in->map_len - in->map.len);
	long page = sysconf(_SC_PAGESIZE);
	uint64_t ps = page > 0 ? (uint64_t)page : 4096;
	upto -= upto % ps;
	/* From the start, not from where the last call stopped: what the
	 * model's side read again behind the cursor (the findings look back
	 * at a transaction's request, a call's first message) is given back
	 * too; pages the reader passed a moment ago stay, as they are what is
	 * read again most. */
	if (upto > CAP_INPUT_RELEASE_STEP && upto <= in->map_len) {
		upto -= CAP_INPUT_RELEASE_STEP;
		(void)madvise(in->map_base, (size_t)upto, MADV_DONTNEED);
		in->given_back = (size_t)upto;
	}
}

void cap_input_release_all(cap_input *in)
{
	if (!in->map_base)
		return;
	(void)madvise(in->map_base, in->map_len, MADV_DONTNEED);
	in->given_back = in->map_len;
}

void cap_input_close(cap_input *in)
{
	if (in->map_base)
		munmap(in->map_base, in->map_len);
	if (in->fd >= 0 && in->own_fd)
		close(in->fd);
	g_free(in->buf);
	g_free(in->name);
	arena_free(&in->mem);
	memset(in, 0, sizeof(*in));
	in->fd = -1;
}

/* Waits until a non-blocking descriptor has something to read. */
static void input_wait(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
}

bool cap_input_fill(cap_input *in, size_t n, sv *out, GError **err)
{
	size_t have = in->end - in->start;
	if (in->cap - in->start < n) {
		/* Make room: move what is left to the front, grow if one
		 * block is larger than the whole buffer. */
		if (have)
			memmove(in->buf, in->buf + in->start, have);
		in->start = 0;
		in->end = have;
		if (in->cap < n) {
			size_t cap = in->cap;
			while (cap < n)
				cap = cap > SIZE_MAX / 2 ? n : cap * 2;
			in->buf = g_realloc(in->buf, cap);
			in->cap = cap;
		}
	}
	while (!in->eof && in->end - in->start < n) {
		ssize_t got = read(in->fd, in->buf + in->end, in->cap - in->end);
		if (got > 0) {
			in->end += (size_t)got;
		} else if (got == 0) {
			in->eof = true;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			input_wait(in->fd);
		} else {
			int e = errno;
			g_set_error(err, CAP_ERROR, CAP_ERROR_READ, "%s: read error at byte %" G_GUINT64_FORMAT ": %s",
			            in->name, (guint64)(in->off + (in->end - in->start)), g_strerror(e));
			return false;
		}
	}
	have = in->end - in->start;
	*out = sv_make(in->buf + in->start, have < n ? have : n);
	return true;
}
