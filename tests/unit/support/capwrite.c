/*
 * capwrite.c — building captures in memory for tests (see capwrite.h).
 */
#include "capwrite.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

enum { CAPW_MAX_IFS = 64 };

struct capw {
	GByteArray *buf;
	bool big_endian;     /* of the classic file or the current section */
	bool pcapng;
	/* classic pcap */
	bool nsec, modified;
	uint32_t snaplen;
	/* pcapng: interfaces of the current section */
	guint n_ifs;
	struct {
		int tsresol;
		int64_t tsoffset;
		uint32_t snaplen;
	} ifs[CAPW_MAX_IFS];
};

static void put8(capw *w, uint8_t v)
{
	g_byte_array_append(w->buf, &v, 1);
}

static void put16(capw *w, uint16_t v)
{
	uint8_t b[2];
	if (w->big_endian) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
	} else {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
	}
	g_byte_array_append(w->buf, b, 2);
}

static void put32(capw *w, uint32_t v)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++) {
		int shift = w->big_endian ? 24 - 8 * i : 8 * i;
		b[i] = (uint8_t)(v >> shift);
	}
	g_byte_array_append(w->buf, b, 4);
}

static void put64(capw *w, uint64_t v)
{
	if (w->big_endian) {
		put32(w, (uint32_t)(v >> 32));
		put32(w, (uint32_t)v);
	} else {
		put32(w, (uint32_t)v);
		put32(w, (uint32_t)(v >> 32));
	}
}

static void put_bytes(capw *w, const void *p, size_t len)
{
	if (len)
		g_byte_array_append(w->buf, p, (guint)len);
}

static void put_pad(capw *w, size_t len)
{
	static const uint8_t zero[4];
	put_bytes(w, zero, (4 - len % 4) % 4);
}

static void set32_at(capw *w, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		int shift = w->big_endian ? 24 - 8 * i : 8 * i;
		w->buf->data[at + (size_t)i] = (uint8_t)(v >> shift);
	}
}

static capw *capw_alloc(void)
{
	capw *w = g_new0(capw, 1);
	w->buf = g_byte_array_new();
	return w;
}

/* ---- classic pcap ----------------------------------------------------- */

capw *capw_pcap_new(uint32_t linktype, uint32_t snaplen, unsigned flags)
{
	capw *w = capw_alloc();
	w->big_endian = flags & CAPW_BE;
	w->nsec = flags & CAPW_NSEC;
	w->modified = flags & CAPW_MODIFIED;
	w->snaplen = snaplen ? snaplen : 262144;
	put32(w, w->modified ? 0xa1b2cd34 : w->nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(w, 2);
	put16(w, 4);
	put32(w, 0); /* thiszone */
	put32(w, 0); /* sigfigs */
	put32(w, w->snaplen);
	put32(w, linktype);
	return w;
}

void capw_pcap_add_raw(capw *w, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen,
                       const void *data, size_t len)
{
	put32(w, sec);
	put32(w, frac);
	put32(w, caplen);
	put32(w, wirelen);
	if (w->modified) {
		put32(w, 1);  /* ifindex */
		put16(w, 0x0800); /* protocol */
		put8(w, 0);   /* packet type */
		put8(w, 0);   /* padding */
	}
	put_bytes(w, data, len);
}

void capw_pcap_add(capw *w, int64_t ts_ns, const void *data, size_t len, uint32_t wirelen)
{
	uint32_t sec = (uint32_t)(ts_ns / 1000000000);
	uint32_t ns = (uint32_t)(ts_ns % 1000000000);
	capw_pcap_add_raw(w, sec, w->nsec ? ns : ns / 1000, (uint32_t)len, wirelen ? wirelen : (uint32_t)len, data,
	                  len);
}

/* ---- pcapng ----------------------------------------------------------- */

/* Starts a block; returns where its length goes. */
static size_t block_begin(capw *w, uint32_t type)
{
	size_t at = w->buf->len;
	put32(w, type);
	put32(w, 0);
	return at;
}

static void block_end(capw *w, size_t at)
{
	uint32_t len = (uint32_t)(w->buf->len - at + 4);
	put32(w, len);
	set32_at(w, at + 4, len);
}

static void put_option(capw *w, uint16_t code, const void *p, uint16_t len)
{
	put16(w, code);
	put16(w, len);
	put_bytes(w, p, len);
	put_pad(w, len);
}

void capw_pcapng_section(capw *w, unsigned flags)
{
	w->big_endian = flags & CAPW_BE;
	w->n_ifs = 0;
	size_t at = block_begin(w, 0x0A0D0D0A);
	put32(w, 0x1A2B3C4D);
	put16(w, 1);
	put16(w, 0);
	put64(w, UINT64_MAX); /* section length unknown */
	put_option(w, 4, "capwrite", 8); /* shb_userappl */
	put_option(w, 0, NULL, 0);
	block_end(w, at);
}

capw *capw_pcapng_new(unsigned flags)
{
	capw *w = capw_alloc();
	w->pcapng = true;
	capw_pcapng_section(w, flags);
	return w;
}

guint capw_pcapng_interface(capw *w, uint32_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
	g_assert(w->n_ifs < CAPW_MAX_IFS);
	guint id = w->n_ifs++;
	w->ifs[id].tsresol = tsresol;
	w->ifs[id].tsoffset = tsoffset;
	w->ifs[id].snaplen = snaplen;
	size_t at = block_begin(w, 1);
	put16(w, (uint16_t)linktype);
	put16(w, 0);
	put32(w, snaplen);
	char name[16];
	int n = g_snprintf(name, sizeof(name), "if%u", id);
	put_option(w, 2, name, (uint16_t)n); /* if_name */
	if (tsresol >= 0) {
		uint8_t r = (uint8_t)tsresol;
		put_option(w, 9, &r, 1);
	}
	if (tsoffset != 0) {
		put16(w, 14);
		put16(w, 8);
		put64(w, (uint64_t)tsoffset);
	}
	put_option(w, 0, NULL, 0);
	block_end(w, at);
	return id;
}

/* ns since the epoch to the units of an interface (tests use sane values:
 * non-negative, resolutions up to 10^-9 or 2^-30). */
static uint64_t ns_to_units(int tsresol, int64_t ts_ns)
{
	unsigned r = tsresol < 0 ? 6 : (unsigned)tsresol;
	unsigned n = r & 0x7f;
	uint64_t t = (uint64_t)ts_ns;
	if (!(r & 0x80)) {
		uint64_t div = 1;
		for (unsigned i = n; i < 9; i++)
			div *= 10;
		uint64_t mul = 1;
		for (unsigned i = 9; i < n; i++)
			mul *= 10;
		return t / div * mul;
	}
	uint64_t secs = t / 1000000000u, frac = t % 1000000000u;
	return (secs << n) + (frac << n) / 1000000000u;
}

static void packet_data(capw *w, const void *data, size_t len)
{
	put_bytes(w, data, len);
	put_pad(w, len);
}

void capw_pcapng_epb_raw(capw *w, guint iface, uint64_t ts_units, const void *data, size_t len,
                         uint32_t wirelen)
{
	size_t at = block_begin(w, 6);
	put32(w, iface);
	put32(w, (uint32_t)(ts_units >> 32));
	put32(w, (uint32_t)ts_units);
	put32(w, (uint32_t)len);
	put32(w, wirelen ? wirelen : (uint32_t)len);
	packet_data(w, data, len);
	block_end(w, at);
}

void capw_pcapng_epb(capw *w, guint iface, int64_t ts_ns, const void *data, size_t len, uint32_t wirelen)
{
	g_assert(iface < w->n_ifs);
	int64_t t = ts_ns - w->ifs[iface].tsoffset * 1000000000;
	capw_pcapng_epb_raw(w, iface, ns_to_units(w->ifs[iface].tsresol, t), data, len, wirelen);
}

void capw_pcapng_pb_raw(capw *w, guint iface, uint64_t ts_units, const void *data, size_t len,
                        uint32_t wirelen)
{
	size_t at = block_begin(w, 2);
	put16(w, (uint16_t)iface);
	put16(w, 0); /* drops */
	put32(w, (uint32_t)(ts_units >> 32));
	put32(w, (uint32_t)ts_units);
	put32(w, (uint32_t)len);
	put32(w, wirelen ? wirelen : (uint32_t)len);
	packet_data(w, data, len);
	block_end(w, at);
}

void capw_pcapng_spb(capw *w, const void *data, size_t len, uint32_t wirelen)
{
	if (!wirelen)
		wirelen = (uint32_t)len;
	size_t stored = len;
	if (w->n_ifs && w->ifs[0].snaplen && stored > w->ifs[0].snaplen)
		stored = w->ifs[0].snaplen;
	if (stored > wirelen)
		stored = wirelen;
	size_t at = block_begin(w, 3);
	put32(w, wirelen);
	packet_data(w, data, stored);
	block_end(w, at);
}

void capw_pcapng_block(capw *w, uint32_t type, const void *body, size_t len)
{
	size_t at = block_begin(w, type);
	put_bytes(w, body, len);
	put_pad(w, len);
	block_end(w, at);
}

/* ---- either ----------------------------------------------------------- */

void capw_append(capw *w, const void *p, size_t len)
{
	put_bytes(w, p, len);
}

sv capw_bytes(const capw *w)
{
	return sv_make(w->buf->data, w->buf->len);
}

uint8_t *capw_bytes_mut(capw *w, size_t *len)
{
	if (len)
		*len = w->buf->len;
	return w->buf->data;
}

size_t capw_size(const capw *w)
{
	return w->buf->len;
}

gboolean capw_write(const capw *w, const char *path, GError **err)
{
	return g_file_set_contents(path, (const char *)w->buf->data, (gssize)w->buf->len, err);
}

char *capw_temp_file(const void *p, size_t len)
{
	GError *err = NULL;
	char *path = NULL;
	int fd = g_file_open_tmp("sipscope-capw-XXXXXX", &path, &err);
	g_assert_no_error(err);
	const uint8_t *q = p;
	while (len) {
		ssize_t n = write(fd, q, len);
		g_assert_cmpint(n, >, 0);
		q += n;
		len -= (size_t)n;
	}
	close(fd);
	return path;
}

char *capw_write_temp(const capw *w)
{
	return capw_temp_file(w->buf->data, w->buf->len);
}

void capw_unlink_free(char *path)
{
	if (path)
		g_unlink(path);
	g_free(path);
}

void capw_free(capw *w)
{
	if (!w)
		return;
	g_byte_array_unref(w->buf);
	g_free(w);
}
