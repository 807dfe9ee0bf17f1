/*
 * endpoint.h — a transport endpoint (IPv4 or IPv6 address and port) as the
 * pipeline passes it from capture to the views.  Plain value type.
 */
#ifndef SIPSCOPE_BASE_ENDPOINT_H
#define SIPSCOPE_BASE_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { EP_NONE = 0, EP_IPV4 = 4, EP_IPV6 = 6 };

typedef struct endpoint {
	uint8_t family;    /* EP_IPV4 or EP_IPV6 */
	uint8_t addr[16];  /* IPv4 in the first 4 bytes, rest zero */
	uint16_t port;
} endpoint;

/* Longest text form: "[" + 45 + "]:" + 5 + NUL. */
enum { ENDPOINT_STRLEN = 56, ENDPOINT_ADDRSTRLEN = 46 };

/* "192.0.2.1:5060" or "[2001:db8::1]:5060"; returns buf. */
char *endpoint_format(const endpoint *e, char *buf, size_t n);
/* Address only, without brackets or port. */
char *endpoint_format_addr(const endpoint *e, char *buf, size_t n);
bool endpoint_eq(const endpoint *a, const endpoint *b);
uint32_t endpoint_hash(const endpoint *e);

#endif
