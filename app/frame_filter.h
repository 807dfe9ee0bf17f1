/*
 * bpf.h — a BPF filter expression applied to frames of any link type.
 *
 * libpcap compiles the expression once per link type met (a pcapng file may
 * mix them) and pcap_offline_filter runs it on frames read by our own
 * readers.
 */
#ifndef SIPSCOPE_APP_FRAME_FILTER_H
#define SIPSCOPE_APP_FRAME_FILTER_H

#include <glib.h>
#include <stdbool.h>

#include "capture/frame.h"

typedef struct frame_filter frame_filter;

/* Checks that expr compiles (for Ethernet) so a bad filter is reported
 * before anything is read.  NULL + *err on failure. */
frame_filter *frame_filter_new(const char *expr, GError **err);
/* true when the frame passes.  A link type the expression cannot be compiled
 * for (e.g. "ether host" on raw IP) lets no frame of that type pass, and is
 * reported once through frame_filter_notices(). */
bool frame_filter_match(frame_filter *f, const cap_frame *fr);
void frame_filter_notices(const frame_filter *f, GPtrArray *out);
void frame_filter_free(frame_filter *f);

#endif
