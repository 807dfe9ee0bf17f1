#include "endpoint.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

char *endpoint_format_addr(const endpoint *e, char *buf, size_t n)
{
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
	uint32_t h = 2166136261u ^ e->family;
	size_t n = e->family == EP_IPV6 ? 16 : 4;
	for (size_t i = 0; i < n; i++) {
		h ^= e->addr[i];
		h *= 16777619u;
	}
	h ^= e->port;
	h *= 16777619u;
	return h;
}
