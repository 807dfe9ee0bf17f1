#define _GNU_SOURCE 1 /* memfd_create */

#include "fuzz_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fuzz check failed: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* libFuzzer calls this once before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* GErrors and other GLib records come from GSlice, which hides
	 * double frees and overflows from AddressSanitizer unless it uses
	 * malloc.  GLib reads G_SLICE before main: start again with it set. */
	if (!getenv("G_SLICE")) {
		setenv("G_SLICE", "always-malloc", 1);
		execv("/proc/self/exe", *argv);
		/* Still here: go on without. */
	}
	return 0;
}

bool fuzz_verbose(void)
{
	static int v = -1;
	if (v < 0)
		v = getenv("SIPSCOPE_FUZZ_VERBOSE") != NULL;
	return v;
}

/* Written so the compiler cannot drop the reads. */
static volatile uint8_t touch_sink;

void fuzz_touch(sv v)
{
	uint8_t acc = 0;
	if (v.len && !v.p)
		fuzz_fail("view with NULL data and length %zu", v.len);
	for (size_t i = 0; i < v.len; i++)
		acc ^= v.p[i];
	touch_sink ^= acc;
}

void fuzz_touch_str(const char *s)
{
	if (s)
		fuzz_touch(sv_from_cstr(s));
}

void fuzz_check_within(sv v, sv outer, const char *what)
{
	if (!v.p) {
		if (v.len)
			fuzz_fail("%s: absent view with length %zu", what, v.len);
		return;
	}
	uintptr_t a = (uintptr_t)v.p, lo = (uintptr_t)outer.p, hi = lo + outer.len;
	if (!outer.p || a < lo || a > hi || v.len > hi - a)
		fuzz_fail("%s: view [%p, +%zu) outside [%p, +%zu)", what, (const void *)v.p, v.len,
			  (const void *)outer.p, outer.len);
	fuzz_touch(v);
}

/* ---- JSON ---------------------------------------------------------------- */

typedef struct jp {
	const uint8_t *p;
	size_t n, i;
	unsigned depth;
} jp;

enum { JSON_MAX_DEPTH = 64 };

static void jp_ws(jp *j)
{
	while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\n' ||
			       j->p[j->i] == '\r'))
		j->i++;
}

static bool jp_lit(jp *j, const char *lit)
{
	size_t l = strlen(lit);
	if (j->n - j->i < l || memcmp(j->p + j->i, lit, l) != 0)
		return false;
	j->i += l;
	return true;
}

static bool jp_hex4(jp *j, unsigned *out)
{
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		if (j->i >= j->n || !g_ascii_isxdigit(j->p[j->i]))
			return false;
		v = v * 16 + (unsigned)g_ascii_xdigit_value(j->p[j->i++]);
	}
	*out = v;
	return true;
}

static bool jp_string(jp *j)
{
	if (j->i >= j->n || j->p[j->i] != '"')
		return false;
	j->i++;
	while (j->i < j->n) {
		uint8_t c = j->p[j->i];
		if (c == '"') {
			j->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c != '\\') {
			j->i++;
			continue;
		}
		j->i++;
		if (j->i >= j->n)
			return false;
		c = j->p[j->i++];
		if (c == 'u') {
			unsigned u;
			if (!jp_hex4(j, &u))
				return false;
			/* A lone surrogate is legal JSON text but no string of
			 * Unicode characters: the writers must never produce one. */
			if (u >= 0xdc00 && u <= 0xdfff)
				return false;
			if (u >= 0xd800 && u <= 0xdbff) {
				unsigned lo;
				if (!jp_lit(j, "\\u") || !jp_hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return false;
			}
		} else if (!strchr("\"\\/bfnrt", c) || c == 0) {
			return false;
		}
	}
	return false;
}

static bool jp_digits(jp *j)
{
	size_t s = j->i;
	while (j->i < j->n && g_ascii_isdigit(j->p[j->i]))
		j->i++;
	return j->i > s;
}

static bool jp_number(jp *j)
{
	if (j->i < j->n && j->p[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->p[j->i] == '0')
		j->i++;
	else if (!jp_digits(j))
		return false;
	if (j->i < j->n && j->p[j->i] == '.') {
		j->i++;
		if (!jp_digits(j))
			return false;
	}
	if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-'))
			j->i++;
		if (!jp_digits(j))
			return false;
	}
	return true;
}

static bool jp_value(jp *j);

static bool jp_container(jp *j, uint8_t close, bool object)
{
	if (++j->depth > JSON_MAX_DEPTH)
		return false;
	j->i++;
	jp_ws(j);
	if (j->i < j->n && j->p[j->i] == close) {
		j->i++;
		j->depth--;
		return true;
	}
	for (;;) {
		jp_ws(j);
		if (object) {
			if (!jp_string(j))
				return false;
			jp_ws(j);
			if (j->i >= j->n || j->p[j->i] != ':')
				return false;
			j->i++;
		}
		if (!jp_value(j))
			return false;
		jp_ws(j);
		if (j->i >= j->n)
			return false;
		if (j->p[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->p[j->i] != close)
			return false;
		j->i++;
		j->depth--;
		return true;
	}
}

static bool jp_value(jp *j)
{
	jp_ws(j);
	if (j->i >= j->n)
		return false;
	switch (j->p[j->i]) {
	case '{': return jp_container(j, '}', true);
	case '[': return jp_container(j, ']', false);
	case '"': return jp_string(j);
	case 't': return jp_lit(j, "true");
	case 'f': return jp_lit(j, "false");
	case 'n': return jp_lit(j, "null");
	default: return jp_number(j);
	}
}

static void check_utf8(const char *p, size_t n, const char *what)
{
	const gchar *end = NULL;
	if (n && !g_utf8_validate(p, (gssize)n, &end))
		fuzz_fail("%s: invalid UTF-8 (or NUL) at offset %td of %zu", what, end - p, n);
}

void fuzz_check_json_value(const char *p, size_t n, const char *what)
{
	check_utf8(p, n, what);
	jp j = { (const uint8_t *)p, n, 0, 0 };
	bool ok = jp_value(&j);
	jp_ws(&j);
	if (!ok || j.i != n)
		fuzz_fail("%s: not one JSON value (stopped at offset %zu of %zu): %.*s", what, j.i, n,
			  (int)MIN(n, 2000), p);
}

void fuzz_check_json_lines(const char *p, size_t n, const char *what)
{
	check_utf8(p, n, what);
	size_t start = 0;
	while (start < n) {
		const char *nl = memchr(p + start, '\n', n - start);
		size_t end = nl ? (size_t)(nl - p) : n;
		if (end > start)
			fuzz_check_json_value(p + start, end - start, what);
		start = end + 1;
	}
}

void fuzz_check_text(const char *p, size_t n, bool allow_newline, const char *what)
{
	check_utf8(p, n, what);
	const uint8_t *u = (const uint8_t *)p;
	for (size_t i = 0; i < n; i++) {
		if ((u[i] < 0x20 && !(allow_newline && u[i] == '\n')) || u[i] == 0x7f)
			fuzz_fail("%s: control byte 0x%02x at offset %zu: %.*s", what, u[i], i,
				  (int)MIN(n, 2000), p);
		/* U+0080..U+009F are C2 80..C2 9F in UTF-8. */
		if (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			fuzz_fail("%s: C1 control U+%04X at offset %zu", what, u[i + 1], i);
	}
}

void fuzz_check_ascii(const char *p, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if ((uint8_t)p[i] < 0x20 || (uint8_t)p[i] > 0x7e)
			fuzz_fail("%s: byte 0x%02x at offset %zu is not printable ASCII: %.*s", what,
				  (uint8_t)p[i], i, (int)MIN(n, 2000), p);
}

/* ---- in-memory files --------------------------------------------------------- */

int fuzz_memfd_new(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		fuzz_fail("memfd_create: %s", g_strerror(errno));
	return fd;
}

void fuzz_memfd_set(int fd, const uint8_t *data, size_t len)
{
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		fuzz_fail("memfd reset: %s", g_strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t w = pwrite(fd, data + off, len - off, (off_t)off);
		if (w <= 0)
			fuzz_fail("memfd write: %s", g_strerror(errno));
		off += (size_t)w;
	}
}

void fuzz_memsink_init(fuzz_memsink *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->fd = fuzz_memfd_new(name);
	m->got = g_string_new(NULL);
}

sink *fuzz_memsink_begin(fuzz_memsink *m)
{
	fuzz_memfd_set(m->fd, NULL, 0);
	g_string_truncate(m->got, 0);
	sink_init(&m->s, m->fd, "fuzz sink");
	return &m->s;
}

const GString *fuzz_memsink_end(fuzz_memsink *m)
{
	if (!sink_finish(&m->s))
		fuzz_fail("sink write failed");
	struct stat st;
	if (fstat(m->fd, &st) != 0)
		fuzz_fail("memfd stat: %s", g_strerror(errno));
	g_string_set_size(m->got, (gsize)st.st_size);
	size_t off = 0;
	while (off < (size_t)st.st_size) {
		ssize_t r = pread(m->fd, m->got->str + off, (size_t)st.st_size - off, (off_t)off);
		if (r <= 0)
			fuzz_fail("memfd read: %s", g_strerror(errno));
		off += (size_t)r;
	}
	return m->got;
}
