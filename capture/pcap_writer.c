#include "pcap_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	FLUSH_AT = 256 * 1024, /* buffered bytes that trigger a write */
	PCAP_MAGIC_USEC = 0xa1b2c3d4u,
	PCAP_MAGIC_NSEC = 0xa1b23c4du,
	DEFAULT_SNAPLEN = 262144,
	PCAPNG_SHB = 0x0a0d0d0au,
	PCAPNG_IDB = 1,
	PCAPNG_EPB = 6,
	PCAPNG_BOM = 0x1a2b3c4du,
};

struct cap_writer {
	cap_writer_config cfg;   /* ifaces and path copied below */
	cap_writer_iface *ifaces;
	char *path_pattern;
	bool pcapng;
	uint32_t linktype;       /* classic pcap */
	uint32_t snaplen;        /* classic pcap header */
	int fd;
	char *cur_path;
	guint files;
	GByteArray *buf;         /* whole records not yet written */
	uint64_t buf_frames;
	uint64_t on_disk;        /* bytes of the current file written */
	uint64_t file_bytes;     /* on_disk + buffered */
	uint64_t file_frames;
	int64_t file_start_ts;
	GHashTable *idb;         /* pcapng: (source << 32 | linktype) + 1 -> IDB id + 1 */
	guint n_idb;
	uint64_t frames;         /* written (or buffered) */
	uint64_t lost;
	char *error;
};

/* ---- names -------------------------------------------------------------- */

static bool has_pattern(const cap_writer_config *cfg)
{
	return cfg->rotate_secs && strchr(cfg->path, '%') != NULL;
}

static char *expand_time(const char *pattern, int64_t ts_ns)
{
	time_t t = (time_t)(ts_ns > 0 ? ts_ns / 1000000000 : 0);
	struct tm tm;
	localtime_r(&t, &tm);
	char out[4096];
	/* The pattern is the user's -w name, an strftime pattern on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	size_t n = strftime(out, sizeof(out), pattern, &tm);
#pragma GCC diagnostic pop
	if (n == 0)
		return g_strdup(pattern);
	return g_strndup(out, n);
}

/* "dir/calls.pcap" + 3 -> "dir/calls-00003.pcap" */
static char *with_counter(const char *name, guint index)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base)
		return g_strdup_printf("%s-%05u", name, index);
	return g_strdup_printf("%.*s-%05u%s", (int)(dot - name), name, index, dot);
}

static char *file_name(const cap_writer_config *cfg, guint index, int64_t ts_ns, bool force_counter)
{
	if (!cfg->rotate_bytes && !cfg->rotate_secs)
		return g_strdup(cfg->path);
	if (!has_pattern(cfg))
		return with_counter(cfg->path, index);
	g_autofree char *name = expand_time(cfg->path, ts_ns);
	if (cfg->rotate_bytes || force_counter)
		return with_counter(name, index);
	return g_steal_pointer(&name);
}

char *cap_writer_file_name(const cap_writer_config *cfg, guint index, int64_t ts_ns)
{
	return file_name(cfg, index, ts_ns, false);
}

/* ---- bytes -------------------------------------------------------------- */

static void put_u16(GByteArray *b, uint16_t v)
{
	g_byte_array_append(b, (const guint8 *)&v, 2);
}

static void put_u32(GByteArray *b, uint32_t v)
{
	g_byte_array_append(b, (const guint8 *)&v, 4);
}

static void put_pad(GByteArray *b, size_t n)
{
	static const guint8 zero[4] = { 0 };
	g_byte_array_append(b, zero, (guint)((4 - n % 4) % 4));
}

static void file_header(cap_writer *w)
{
	GByteArray *b = w->buf;
	if (!w->pcapng) {
		put_u32(b, w->cfg.nsec ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC);
		put_u16(b, 2);
		put_u16(b, 4);
		put_u32(b, 0); /* thiszone */
		put_u32(b, 0); /* sigfigs */
		put_u32(b, w->snaplen);
		put_u32(b, w->linktype);
		return;
	}
	put_u32(b, PCAPNG_SHB);
	put_u32(b, 28);
	put_u32(b, PCAPNG_BOM);
	put_u16(b, 1);
	put_u16(b, 0);
	put_u32(b, 0xffffffffu); /* section length unknown */
	put_u32(b, 0xffffffffu);
	put_u32(b, 28);
	g_hash_table_remove_all(w->idb);
	w->n_idb = 0;
}

/* pcapng: the interface block for this source and link type, written the
 * first time they appear in the file. */
static guint pcapng_iface(cap_writer *w, const cap_frame *f)
{
	guint64 key = ((guint64)f->source << 32 | f->linktype) + 1;
	gpointer v = g_hash_table_lookup(w->idb, &key);
	if (v)
		return GPOINTER_TO_UINT(v) - 1;
	const cap_writer_iface *ifc = f->source < w->cfg.n_ifaces ? &w->ifaces[f->source] : NULL;
	const char *name = ifc && ifc->name ? ifc->name : NULL;
	uint32_t snaplen = ifc && ifc->snaplen ? ifc->snaplen : DEFAULT_SNAPLEN;
	size_t name_len = name ? strlen(name) : 0;
	if (name_len > 65000)
		name_len = 65000;
	size_t opts = (name ? 4 + name_len + (4 - name_len % 4) % 4 : 0) + 4 + 4 + 4;
	uint32_t len = (uint32_t)(8 + 8 + opts + 4);
	GByteArray *b = w->buf;
	put_u32(b, PCAPNG_IDB);
	put_u32(b, len);
	put_u16(b, (uint16_t)f->linktype);
	put_u16(b, 0);
	put_u32(b, snaplen);
	if (name) {
		put_u16(b, 2); /* if_name */
		put_u16(b, (uint16_t)name_len);
		g_byte_array_append(b, (const guint8 *)name, (guint)name_len);
		put_pad(b, name_len);
	}
	put_u16(b, 9); /* if_tsresol: 10^-9 */
	put_u16(b, 1);
	static const guint8 nine[4] = { 9, 0, 0, 0 };
	g_byte_array_append(b, nine, 4);
	put_u16(b, 0); /* opt_endofopt */
	put_u16(b, 0);
	put_u32(b, len);
	guint64 *k = g_new(guint64, 1);
	*k = key;
	guint id = w->n_idb++;
	g_hash_table_insert(w->idb, k, GUINT_TO_POINTER(id + 1));
	w->file_bytes += len;
	return id;
}

static size_t record_size(const cap_writer *w, const cap_frame *f)
{
	if (!w->pcapng)
		return 16 + (size_t)f->caplen;
	return 32 + (size_t)f->caplen + (4 - f->caplen % 4) % 4;
}

static void add_record(cap_writer *w, const cap_frame *f)
{
	GByteArray *b = w->buf;
	uint64_t ts = f->ts_ns > 0 ? (uint64_t)f->ts_ns : 0;
	uint32_t caplen = (uint32_t)f->data.len;
	uint32_t wirelen = f->wirelen >= caplen ? f->wirelen : caplen;
	if (!w->pcapng) {
		uint64_t sec = ts / 1000000000u;
		put_u32(b, sec > UINT32_MAX ? UINT32_MAX : (uint32_t)sec);
		put_u32(b, (uint32_t)(w->cfg.nsec ? ts % 1000000000u : ts % 1000000000u / 1000u));
		put_u32(b, caplen);
		put_u32(b, wirelen);
		g_byte_array_append(b, f->data.p, caplen);
		w->file_bytes += 16 + (uint64_t)caplen;
		return;
	}
	guint id = pcapng_iface(w, f);
	uint32_t len = (uint32_t)(32 + caplen + (4 - caplen % 4) % 4);
	put_u32(b, PCAPNG_EPB);
	put_u32(b, len);
	put_u32(b, id);
	put_u32(b, (uint32_t)(ts >> 32));
	put_u32(b, (uint32_t)ts);
	put_u32(b, caplen);
	put_u32(b, wirelen);
	g_byte_array_append(b, f->data.p, caplen);
	put_pad(b, caplen);
	put_u32(b, len);
	w->file_bytes += len;
}

/* ---- files -------------------------------------------------------------- */

static void fail(cap_writer *w, int e, const char *what)
{
	if (w->error)
		return;
	w->error = g_strdup_printf("cannot %s %s: %s; writing stopped after %" G_GUINT64_FORMAT
				   " frames (the file ends with whole records)",
				   what, w->cur_path ? w->cur_path : w->cfg.path, g_strerror(e),
				   w->frames);
}

/* Writes the buffer whole, or cuts the file back to where it was. */
static bool write_out(cap_writer *w)
{
	if (w->error)
		return false;
	if (w->fd < 0 || w->buf->len == 0)
		return true;
	size_t done = 0;
	while (done < w->buf->len) {
		ssize_t n = write(w->fd, w->buf->data + done, w->buf->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;
			/* Frames in the buffer are not in the file. */
			w->frames -= w->buf_frames;
			w->lost += w->buf_frames;
			if (done && ftruncate(w->fd, (off_t)w->on_disk) != 0) {
				w->error = g_strdup_printf("cannot write %s: %s; writing stopped after %" G_GUINT64_FORMAT
							   " frames, and the last record may be cut short",
							   w->cur_path, g_strerror(e), w->frames);
			}
			fail(w, e, "write");
			g_byte_array_set_size(w->buf, 0);
			w->buf_frames = 0;
			return false;
		}
		done += (size_t)n;
	}
	w->on_disk += w->buf->len;
	g_byte_array_set_size(w->buf, 0);
	w->buf_frames = 0;
	return true;
}

static bool close_file(cap_writer *w)
{
	bool ok = write_out(w);
	if (w->fd >= 0) {
		if (close(w->fd) != 0 && ok) {
			fail(w, errno, "close");
			ok = false;
		}
		w->fd = -1;
	}
	return ok;
}

static bool open_file(cap_writer *w, int64_t ts_ns, GError **err)
{
	char *name = file_name(&w->cfg, w->files, ts_ns, false);
	if (w->cur_path && strcmp(name, w->cur_path) == 0) {
		/* The pattern gave the same name again: never overwrite. */
		g_free(name);
		name = file_name(&w->cfg, w->files, ts_ns, true);
	}
	g_free(w->cur_path);
	w->cur_path = name;
	w->fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		int e = errno;
		if (err)
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot write %s: %s", name,
				    g_strerror(e));
		else
			fail(w, e, "create");
		return false;
	}
	w->files++;
	w->on_disk = 0;
	w->file_bytes = 0;
	w->file_frames = 0;
	w->file_start_ts = ts_ns;
	file_header(w);
	w->file_bytes = w->buf->len;
	return true;
}

cap_writer *cap_writer_open(const cap_writer_config *cfg, GError **err)
{
	cap_writer *w = g_new0(cap_writer, 1);
	w->cfg = *cfg;
	w->path_pattern = g_strdup(cfg->path);
	w->cfg.path = w->path_pattern;
	w->ifaces = g_new0(cap_writer_iface, cfg->n_ifaces ? cfg->n_ifaces : 1);
	for (guint i = 0; i < cfg->n_ifaces; i++) {
		w->ifaces[i] = cfg->ifaces[i];
		w->ifaces[i].name = g_strdup(cfg->ifaces[i].name);
	}
	w->cfg.ifaces = w->ifaces;
	w->linktype = cfg->n_ifaces ? cfg->ifaces[0].linktype : LINKTYPE_ETHERNET;
	w->pcapng = cfg->pcapng;
	for (guint i = 0; i < cfg->n_ifaces; i++) {
		if (cfg->ifaces[i].linktype != w->linktype)
			w->pcapng = true;
		if (cfg->ifaces[i].snaplen > w->snaplen)
			w->snaplen = cfg->ifaces[i].snaplen;
	}
	if (!w->snaplen)
		w->snaplen = DEFAULT_SNAPLEN;
	w->idb = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	w->buf = g_byte_array_sized_new(FLUSH_AT + 65536);
	w->fd = -1;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (!open_file(w, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec, err)) {
		cap_writer_close(w, NULL);
		return NULL;
	}
	/* Time rotation counts from the first frame, not from opening. */
	w->file_start_ts = INT64_MIN;
	return w;
}

static bool rotate_due(const cap_writer *w, const cap_frame *f)
{
	if (w->file_frames == 0)
		return false;
	if (w->cfg.rotate_bytes && w->file_bytes + record_size(w, f) > w->cfg.rotate_bytes)
		return true;
	if (w->cfg.rotate_secs && w->file_start_ts != INT64_MIN &&
	    f->ts_ns - w->file_start_ts >= (int64_t)w->cfg.rotate_secs * 1000000000)
		return true;
	return false;
}

bool cap_writer_write(cap_writer *w, const cap_frame *f)
{
	if (w->error) {
		w->lost++;
		return false;
	}
	if (!w->pcapng && f->linktype != w->linktype) {
		/* Cannot be told apart in a classic file; the inputs given at
		 * open never produce it. */
		w->lost++;
		return true;
	}
	if (rotate_due(w, f)) {
		if (!close_file(w) || !open_file(w, f->ts_ns, NULL)) {
			w->lost++;
			return false;
		}
	}
	if (w->file_start_ts == INT64_MIN || w->file_frames == 0)
		w->file_start_ts = f->ts_ns;
	add_record(w, f);
	w->file_frames++;
	w->frames++;
	w->buf_frames++;
	if (w->buf->len >= FLUSH_AT)
		return write_out(w);
	return true;
}

bool cap_writer_flush(cap_writer *w)
{
	return write_out(w);
}

bool cap_writer_close(cap_writer *w, GError **err)
{
	if (!w)
		return true;
	close_file(w);
	bool ok = w->error == NULL;
	if (!ok && err)
		g_set_error_literal(err, G_FILE_ERROR, G_FILE_ERROR_IO, w->error);
	for (guint i = 0; i < w->cfg.n_ifaces; i++)
		g_free((char *)w->ifaces[i].name);
	g_free(w->ifaces);
	g_free(w->path_pattern);
	g_free(w->cur_path);
	g_free(w->error);
	g_hash_table_destroy(w->idb);
	g_byte_array_free(w->buf, TRUE);
	g_free(w);
	return ok;
}

bool cap_writer_failed(const cap_writer *w)
{
	return w->error != NULL;
}

const char *cap_writer_error(const cap_writer *w)
{
	return w->error;
}

const char *cap_writer_format(const cap_writer *w)
{
	return w->pcapng ? "pcapng" : "pcap";
}

uint64_t cap_writer_frames(const cap_writer *w)
{
	return w->frames;
}

uint64_t cap_writer_frames_lost(const cap_writer *w)
{
	return w->lost;
}

guint cap_writer_files(const cap_writer *w)
{
	return w->files;
}

const char *cap_writer_path(const cap_writer *w)
{
	return w->cur_path;
}

bool cap_writer_save(const char *path, const cap_frame *frames, size_t n, uint64_t *written,
		     GError **err)
{
	cap_writer_iface one = { .linktype = n ? frames[0].linktype : LINKTYPE_ETHERNET };
	bool mixed = false;
	for (size_t i = 1; i < n && !mixed; i++)
		mixed = frames[i].linktype != one.linktype;
	/* Mixed link types: no inputs to describe, pcapng says them per frame. */
	cap_writer_config cfg = {
		.path = path,
		.ifaces = mixed ? NULL : &one,
		.n_ifaces = mixed ? 0 : 1,
		.pcapng = mixed,
		.nsec = true,
	};
	*written = 0;
	cap_writer *w = cap_writer_open(&cfg, err);
	if (!w)
		return false;
	for (size_t i = 0; i < n && cap_writer_write(w, &frames[i]); i++)
		;
	*written = cap_writer_frames(w);
	return cap_writer_close(w, err);
}
