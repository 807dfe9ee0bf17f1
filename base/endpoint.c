#include "endpoint.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/decimal.h"
#include "base/hashseed.h"

/* Decimal digits of v (below 100,000: an octet or a port) at p; returns
 * the end.  Fixed-size copies: a call of memcpy would cost more. */
static char *put_uint(char *p, unsigned v)
{
	if (v >= 10000) {
		*p++ = (char)('0' + v / 10000);
		v %= 10000;
		memcpy(p, dec_pairs + 2 * (v / 100), 2);
		memcpy(p + 2, dec_pairs + 2 * (v % 100), 2);
		return p + 4;
	}
	if (v >= 1000) {
		memcpy(p, dec_pairs + 2 * (v / 100), 2);
		memcpy(p + 2, dec_pairs + 2 * (v % 100), 2);
		return p + 4;
	}
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		v %= 100;
	} else if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	memcpy(p, dec_pairs + 2 * v, 2);
	return p + 2;
}

/* The dotted quad, optionally ":port": what inet_ntop and "%s:%u" write,
 * without the printf machinery (this runs for every message written). */
static void format_v4(const endpoint *e, bool port, char *buf, size_t n)
{
	/* "255.255.255.255:65535" and its NUL: 22 bytes, written in place
	 * when buf has room (it always has, at ENDPOINT_STRLEN) */
	char tmp[24];
	char *start = n >= sizeof(tmp) ? buf : tmp, *p = start;
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_uint(p, e->addr[i]);
	}
	if (port) {
		*p++ = ':';
		p = put_uint(p, e->port);
	}
	if (start == buf) {
		*p = '\0';
		return;
	}
	if (n == 0)
		return;
	size_t len = (size_t)(p - tmp);
	if (len > n - 1)
		len = n - 1;
	memcpy(buf, tmp, len);
	buf[len] = '\0';
}

char *endpoint_format_addr(const endpoint *e, char *buf, size_t n)
{
	if (e->family == EP_IPV4) {
		format_v4(e, false, buf, n);
		return buf;
	}
	char tmp[ENDPOINT_ADDRSTRLEN];
	if (e->family == EP_IPV6)
		inet_ntop(AF_INET6, e->addr, tmp, sizeof(tmp));
	else if (e->family == EP_IPV4)
		inet_ntop(AF_INET, e->addr, tmp, sizeof(tmp));
	else
		strcpy(tmp, "?");
	snprintf(buf, n, "%s", tmp);
	return buf;
}

char *endpoint_format(const endpoint *e, char *buf, size_t n)
{
	if (e->family == EP_IPV4) {
		format_v4(e, true, buf, n);
		return buf;
	}
	char a[ENDPOINT_ADDRSTRLEN];
	endpoint_format_addr(e, a, sizeof(a));
	if (e->family == EP_IPV6)
		snprintf(buf, n, "[%s]:%u", a, e->port);
	else
		snprintf(buf, n, "%s:%u", a, e->port);
	return buf;
}

bool endpoint_eq(const endpoint *a, const endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->addr, b->addr, a->family == EP_IPV6 ? 16 : 4) == 0;
}

uint32_t endpoint_hash(const endpoint *e)
{
	uint32_t h = hash_fnv_start() ^ e->family;
	size_t n = e->family == EP_IPV6 ? 16 : 4;
	for (size_t i = 0; i < n; i++) {
		h ^= e->addr[i];
		h *= 16777619u;
	}
	h ^= e->port;
	h *= 16777619u;
	return h;
}
