/*
 * pcap_write.h — frames written back to a capture file, as they were read
 * (link-layer bytes, timestamps, original lengths).  Classic pcap with
 * nanosecond timestamps when every frame has the same link type; pcapng
 * (one interface per link type, nanosecond resolution) when they differ.
 * Both are what tcpdump, tshark and sipscope itself read.
 */
#ifndef SIPSCOPE_APP_PCAP_WRITE_H
#define SIPSCOPE_APP_PCAP_WRITE_H

#include <glib.h>
#include <stdbool.h>

#include "capture/frame.h"

/* Writes frames[0..n) in the order given to path (replaced if it exists).
 * false with *err on failure (the file may then be incomplete). */
bool pcap_write_frames(const char *path, const cap_frame *frames, size_t n, GError **err);

#endif
