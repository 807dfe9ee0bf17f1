#include "pcap_write.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "output/sink.h"

enum { SNAPLEN = 262144 };

static void put_u16(GString *o, uint16_t v)
{
	g_string_append_len(o, (const char *)&v, 2);
}

static void put_u32(GString *o, uint32_t v)
{
	g_string_append_len(o, (const char *)&v, 4);
}

static void pad4(GString *o)
{
	while (o->len % 4)
		g_string_append_c(o, '\0');
}

/* Host byte order throughout: both formats say which through their magic
 * numbers. */
static void classic_header(GString *o, uint32_t linktype)
{
	put_u32(o, 0xa1b23c4d); /* nanosecond timestamps */
	put_u16(o, 2);
	put_u16(o, 4);
	put_u32(o, 0);
	put_u32(o, 0);
	put_u32(o, SNAPLEN);
	put_u32(o, linktype);
}

static void classic_record(GString *o, const cap_frame *f)
{
	int64_t ts = f->ts_ns < 0 ? 0 : f->ts_ns;
	put_u32(o, (uint32_t)(ts / 1000000000));
	put_u32(o, (uint32_t)(ts % 1000000000));
	put_u32(o, (uint32_t)f->data.len);
	put_u32(o, f->wirelen > f->data.len ? f->wirelen : (uint32_t)f->data.len);
	g_string_append_len(o, (const char *)f->data.p, (gssize)f->data.len);
}

/* pcapng blocks: type, total length, body, total length. */
static void ng_block(GString *o, uint32_t type, const GString *body)
{
	uint32_t total = (uint32_t)(12 + body->len);
	put_u32(o, type);
	put_u32(o, total);
	g_string_append_len(o, body->str, (gssize)body->len);
	put_u32(o, total);
}

static void ng_section(GString *o)
{
	g_autoptr(GString) b = g_string_new(NULL);
	put_u32(b, 0x1a2b3c4d);
	put_u16(b, 1);
	put_u16(b, 0);
	put_u32(b, 0xffffffff); /* section length unknown */
	put_u32(b, 0xffffffff);
	ng_block(o, 0x0a0d0d0a, b);
}

static void ng_interface(GString *o, uint32_t linktype)
{
	g_autoptr(GString) b = g_string_new(NULL);
	put_u16(b, (uint16_t)linktype);
	put_u16(b, 0);
	put_u32(b, SNAPLEN);
	put_u16(b, 9);  /* if_tsresol */
	put_u16(b, 1);
	g_string_append_c(b, 9); /* 10^-9 */
	pad4(b);
	put_u16(b, 0);  /* opt_endofopt */
	put_u16(b, 0);
	ng_block(o, 1, b);
}

static void ng_packet(GString *o, uint32_t iface, const cap_frame *f)
{
	g_autoptr(GString) b = g_string_new(NULL);
	uint64_t ts = f->ts_ns < 0 ? 0 : (uint64_t)f->ts_ns;
	put_u32(b, iface);
	put_u32(b, (uint32_t)(ts >> 32));
	put_u32(b, (uint32_t)ts);
	put_u32(b, (uint32_t)f->data.len);
	put_u32(b, f->wirelen > f->data.len ? f->wirelen : (uint32_t)f->data.len);
	g_string_append_len(b, (const char *)f->data.p, (gssize)f->data.len);
	pad4(b);
	ng_block(o, 6, b);
}

bool pcap_write_frames(const char *path, const cap_frame *frames, size_t n, GError **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s", path, g_strerror(e));
		return false;
	}
	bool mixed = false;
	for (size_t i = 1; i < n; i++)
		if (frames[i].linktype != frames[0].linktype)
			mixed = true;
	uint32_t first_lt = n ? frames[0].linktype : 1; /* an empty file says Ethernet */

	sink out;
	sink_init(&out, fd, path);
	GString *o = out.buf;
	/* Interface per link type, numbered in order of first use. */
	g_autoptr(GArray) ifaces = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	if (mixed)
		ng_section(o);
	else
		classic_header(o, first_lt);
	sink_end_record(&out);
	for (size_t i = 0; i < n && !sink_failed(&out); i++) {
		const cap_frame *f = &frames[i];
		if (!mixed) {
			classic_record(o, f);
		} else {
			guint k = 0;
			while (k < ifaces->len && g_array_index(ifaces, uint32_t, k) != f->linktype)
				k++;
			if (k == ifaces->len) {
				g_array_append_val(ifaces, f->linktype);
				ng_interface(o, f->linktype);
			}
			ng_packet(o, k, f);
		}
		sink_end_record(&out);
	}
	bool ok = sink_flush(&out);
	if (!ok)
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO, "%s", sink_error(&out));
	sink_finish(&out);
	if (close(fd) != 0 && ok) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s", path, g_strerror(e));
		ok = false;
	}
	return ok;
}
