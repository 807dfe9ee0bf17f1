/*
 * live.h — live input: capture on network interfaces with libpcap, and HEP
 * listeners (capture/hep.h), each drained by a thread of its own into a
 * ring (capture/live_ring.h) that the main thread reads with
 * cap_live_next().
 *
 * Interfaces: pcap_create + snaplen, promiscuous mode (on unless
 * no_promisc), kernel buffer size, nanosecond timestamps where the system
 * has them, and the BPF filter compiled by libpcap for the interface's
 * link type (pcap_setfilter: the kernel drops what does not match).
 * Delivery: a frame reaches the capture thread at most 50 ms after it
 * arrived (libpcap's timeout; on Linux the kernel hands over a block of
 * frames when it fills or when the timeout passes), so a live view never
 * waits for a buffer to fill.  libpcap's immediate mode (frame by frame)
 * is there on request: on Linux it uses fixed-size slots as large as the
 * snap length or the MTU, which on lo or "any" fit only a few hundred
 * frames in the buffer, so bursts are dropped; packed blocks fit tens of
 * thousands.  "any" captures on every interface (Linux SLL link type).  HEP
 * frames are raw IP and pass through the same filter in the listener's
 * thread (pcap_offline_filter).
 *
 * Threads: a capture thread only drains its handle (pcap_dispatch) or its
 * socket, copies each frame into its ring's buffer and wakes the main
 * thread; it never blocks on the main thread — a full ring drops the frame
 * and counts it.  A frame handed out stays valid until the next frame of
 * the same input is handed out (at least until the next cap_live_next()
 * call): the caller copies what it keeps longer, so memory stays bounded
 * on a capture that runs for days.
 * Signals are blocked in the capture threads, so SIGINT and SIGTERM reach
 * the main thread.
 *
 * Life: cap_live_open() opens and activates every handle and socket (the
 * part that needs privileges); the caller may then drop privileges;
 * cap_live_start() starts the threads; cap_live_next() hands out frames;
 * cap_live_stop() ends capturing (pcap_breakloop) — frames already in the
 * rings are still handed out, then cap_live_next() says EOF;
 * cap_live_free() joins the threads and frees everything.
 *
 * Faults while capturing (an interface that went down or disappeared, a
 * socket error) end that input only; what it captured before stays in its
 * ring, and the error is kept (cap_live_errors).  libpcap itself keeps
 * waiting on an interface that was taken down, so each capture thread
 * looks at the interface's flags about twice a second (and drains what
 * the kernel still holds before it stops).
 *
 * Counters (cap_live_get_stats): frames received from libpcap or the
 * socket, frames dropped by the kernel (pcap_stats ps_drop, or the HEP
 * socket's overflow count), by the interface (ps_ifdrop), and by the
 * program (ring full), and frames filtered out.  pcap_stats is called from
 * the capture threads (about twice a second and when they end), since a
 * pcap_t is not to be used from two threads.
 */
#ifndef SIPSCOPE_CAPTURE_LIVE_H
#define SIPSCOPE_CAPTURE_LIVE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/frame.h"

#define CAP_LIVE_ERROR (cap_live_error_quark())
GQuark cap_live_error_quark(void);

typedef enum {
	CAP_LIVE_ERROR_NO_DEVICE,  /* no such interface */
	CAP_LIVE_ERROR_PERMISSION, /* not allowed to capture (privileges) */
	CAP_LIVE_ERROR_FILTER,     /* the BPF filter does not compile */
	CAP_LIVE_ERROR_IFACE_DOWN, /* the interface is down, or went down */
	CAP_LIVE_ERROR_LISTEN,     /* a HEP listener could not be opened */
	CAP_LIVE_ERROR_FAILED,     /* anything else libpcap or the system refused */
} cap_live_error_code;

typedef enum {
	CAP_LIVE_FRAME = 1,   /* *out holds a frame */
	CAP_LIVE_TIMEOUT = 2, /* nothing within the time given */
	CAP_LIVE_EOF = 0,     /* every input has ended and every frame was handed out */
} cap_live_rc;

typedef struct cap_live_config {
	char **ifaces;       /* interface names, NULL-terminated; may be NULL */
	char **hep_listen;   /* HEP listener specs ("udp:ADDR:PORT"); may be NULL */
	const char *filter;  /* BPF expression or NULL */
	uint32_t snaplen;    /* 0: 262144 */
	bool no_promisc;     /* -p */
	uint32_t buffer_mb;  /* kernel buffer per interface, MiB; 0: 32 */
	bool immediate;      /* libpcap's immediate mode (see above) */
	uint32_t ring_slots; /* frames each ring holds; 0: 131072 */
	size_t ring_bytes;   /* bytes of frames each ring holds; 0: twice buffer_mb */
	/* For tests: capture files read through libpcap by the same threads
	 * and rings, as if they were interfaces (NULL-terminated). */
	char **test_files;
} cap_live_config;

typedef struct cap_live cap_live;

/* Opens every input.  NULL + *err (CAP_LIVE_ERROR) with one line that
 * names the interface and the reason on the first that fails; nothing is
 * left open then.  Warnings (promiscuous mode not supported, ...) are kept
 * as notices. */
cap_live *cap_live_open(const cap_live_config *cfg, GError **err);
/* Starts the capture threads.  False + *err when a thread cannot start. */
bool cap_live_start(cap_live *l, GError **err);
/* The next frame, in arrival order within each input and oldest first
 * across inputs; waits up to timeout_ms (0: do not wait; negative: until
 * a frame or the end).  out->num counts frames handed out (1..);
 * out->source is the input's index (interfaces first, then HEP
 * listeners); out->record counts within the input. */
cap_live_rc cap_live_next(cap_live *l, cap_frame *out, int timeout_ms);
/* Asks every thread to stop (safe to call more than once).  Frames
 * already captured are still handed out by cap_live_next(). */
void cap_live_stop(cap_live *l);
/* Stops, joins the threads, closes every handle, frees every frame. */
void cap_live_free(cap_live *l);

/* ---- inputs ------------------------------------------------------------- */

guint cap_live_input_count(const cap_live *l);
/* "eth0", "any", "udp:127.0.0.1:9060" */
const char *cap_live_input_name(const cap_live *l, guint i);
/* LINKTYPE_* of the input (LINKTYPE_RAW for HEP). */
uint32_t cap_live_input_linktype(const cap_live *l, guint i);
uint32_t cap_live_input_snaplen(const cap_live *l, guint i);
/* Inputs still capturing. */
guint cap_live_running(const cap_live *l);

/* ---- counters and errors ------------------------------------------------- */

typedef struct cap_live_stats {
	uint64_t received;       /* frames that reached the capture threads */
	uint64_t delivered;      /* frames handed out by cap_live_next */
	uint64_t kernel_dropped; /* dropped by the kernel (buffer full) */
	uint64_t if_dropped;     /* dropped by the interface or its driver */
	uint64_t ring_dropped;   /* dropped by the program: the ring was full */
	uint64_t filtered;       /* HEP frames the filter did not pass */
	uint64_t bytes_held;     /* memory of the rings that hand frames over */
	/* HEP listeners */
	uint64_t hep_packets, hep_not_sip, hep_bad;
} cap_live_stats;

/* Totals over the inputs (input < 0) or one input's. */
void cap_live_get_stats(const cap_live *l, int input, cap_live_stats *out);

/* Errors met while capturing, oldest first: appends copies (GError*) to
 * out, which should free them (g_error_free). */
void cap_live_errors(const cap_live *l, GPtrArray *out);
/* How many errors so far: a cheap way to see that a new one came. */
guint cap_live_error_count(const cap_live *l);
/* Warnings from opening: appends newly allocated strings. */
void cap_live_notices(const cap_live *l, GPtrArray *out);

/* The one line for an error of opening: which privilege is missing, e.g.
 * "cannot capture on eth0: permission denied: this process lacks the
 * CAP_NET_RAW capability (run as root, or grant it: setcap
 * cap_net_raw,cap_net_admin=eip /usr/bin/sipscope)".  Exposed for tests. */
char *cap_live_permission_message(const char *iface, bool promisc_only, const char *pcap_msg);

#endif
