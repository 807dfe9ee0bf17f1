#include "live.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "capture/hep.h"
#include "capture/live_ring.h"

G_DEFINE_QUARK(sipscope-live-error-quark, cap_live_error)

enum {
	DEFAULT_SNAPLEN = 262144,
	DEFAULT_BUFFER_MB = 32,
	DEFAULT_RING_SLOTS = 131072,
	READ_TIMEOUT_MS = 50,    /* libpcap's timeout: the longest a frame waits in a kernel block */
	STATS_EVERY_MS = 500,    /* pcap_stats from the capture thread */
	HEP_DRAIN_MAX = 256,     /* datagrams per wake-up */
};

typedef enum { IN_PCAP, IN_HEP } input_kind;

typedef struct live_input {
	cap_live *owner;
	guint index;
	input_kind kind;
	char *name;
	uint32_t linktype;
	uint32_t snaplen;
	cap_ring *ring;
	/* IN_PCAP */
	pcap_t *pcap;
	bool nsec;
	bool offline;        /* a test file read through libpcap */
	int ctl_fd;          /* for SIOCGIFFLAGS; -1 when not used */
	/* IN_HEP */
	cap_hep_listener *hep;
	struct bpf_program hep_prog;
	bool hep_filter;
	/* the thread */
	pthread_t thread;
	bool started;
	uint64_t rx;         /* thread-local count, published below */
	int64_t next_stats_ns;
	atomic_uint_fast64_t received, kdrop, ifdrop, filtered;
	atomic_uint_fast64_t hep_packets, hep_not_sip, hep_bad;
	/* the consumer */
	uint64_t record;
} live_input;

struct cap_live {
	live_input *in;
	guint n;
	cap_wake wake;
	atomic_bool stop;
	atomic_uint running;
	int stop_pipe[2];    /* wakes the HEP threads' poll() */
	pthread_mutex_t err_mu;
	GPtrArray *errors;   /* GError*, under err_mu */
	atomic_uint n_errors;
	GPtrArray *notices;  /* char*, written before the threads start */
	uint64_t num;
	bool started;
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* pcap_datalink() gives DLT_ values; frames carry LINKTYPE_ ones. */
static uint32_t dlt_to_linktype(int dlt)
{
	/* DLT_RAW is 12 on most systems, 14 on OpenBSD. */
	if (dlt == DLT_RAW || dlt == 12 || dlt == 14)
		return LINKTYPE_RAW;
	return dlt < 0 ? 0 : (uint32_t)dlt;
}

static void add_error(cap_live *l, cap_live_error_code code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void add_error(cap_live *l, cap_live_error_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	GError *e = g_error_new_literal(CAP_LIVE_ERROR, code, msg);
	g_free(msg);
	pthread_mutex_lock(&l->err_mu);
	g_ptr_array_add(l->errors, e);
	pthread_mutex_unlock(&l->err_mu);
	atomic_fetch_add(&l->n_errors, 1);
}

/* ---- privileges --------------------------------------------------------- */

/* 1 when the effective capability set holds bit, 0 when not, -1 when it
 * cannot be told (not Linux). */
static int has_capability(int bit)
{
	gchar *text = NULL;
	if (!g_file_get_contents("/proc/self/status", &text, NULL, NULL))
		return -1;
	int r = -1;
	const char *p = strstr(text, "\nCapEff:");
	if (p) {
		guint64 v = g_ascii_strtoull(p + 8, NULL, 16);
		r = (v >> bit) & 1 ? 1 : 0;
	}
	g_free(text);
	return r;
}

enum { CAPBIT_NET_ADMIN = 12, CAPBIT_NET_RAW = 13 };

char *cap_live_permission_message(const char *iface, bool promisc_only, const char *pcap_msg)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	const char *path = exe ? exe : "sipscope";
	if (promisc_only)
		return g_strdup_printf("cannot capture on %s: permission denied for promiscuous mode: it needs "
				       "root or the CAP_NET_ADMIN capability%s (or capture without it: -p)",
				       iface, has_capability(CAPBIT_NET_ADMIN) == 0 ? ", which this process lacks" : "");
	int raw = has_capability(CAPBIT_NET_RAW);
	int admin = has_capability(CAPBIT_NET_ADMIN);
	const char *lacks;
	if (raw == 0 && admin == 0)
		lacks = "the CAP_NET_RAW and CAP_NET_ADMIN capabilities, which this process lacks";
	else if (raw == 0)
		lacks = "the CAP_NET_RAW capability, which this process lacks";
	else if (admin == 0)
		lacks = "the CAP_NET_RAW and CAP_NET_ADMIN capabilities; this process lacks CAP_NET_ADMIN";
	else
		lacks = "the CAP_NET_RAW and CAP_NET_ADMIN capabilities";
	return g_strdup_printf("cannot capture on %s: permission denied: capturing needs root or %s "
			       "(run as root, or grant them: setcap cap_net_raw,cap_net_admin=eip %s)%s%s%s",
			       iface, lacks, path,
			       pcap_msg && *pcap_msg ? " [libpcap: " : "",
			       pcap_msg && *pcap_msg ? pcap_msg : "",
			       pcap_msg && *pcap_msg ? "]" : "");
}

/* ---- opening ------------------------------------------------------------ */

static bool set_filter(live_input *in, const char *filter, GError **err)
{
	bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
	char errbuf[PCAP_ERRBUF_SIZE];
	if (!in->offline && pcap_lookupnet(in->name, &net, &mask, errbuf) != 0)
		mask = PCAP_NETMASK_UNKNOWN;
	struct bpf_program prog;
	if (pcap_compile(in->pcap, &prog, filter, 1, mask) != 0) {
		g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FILTER, "invalid filter '%s' on %s: %s",
			    filter, in->name, pcap_geterr(in->pcap));
		return false;
	}
	int rc = pcap_setfilter(in->pcap, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED, "cannot set the filter on %s: %s",
			    in->name, pcap_geterr(in->pcap));
		return false;
	}
	return true;
}

static bool open_test_file(live_input *in, const char *filter, GError **err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	in->pcap = pcap_open_offline_with_tstamp_precision(in->name, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!in->pcap) {
		g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_NO_DEVICE, "cannot read %s: %s", in->name, errbuf);
		return false;
	}
	in->offline = true;
	in->nsec = true;
	in->linktype = dlt_to_linktype(pcap_datalink(in->pcap));
	in->snaplen = (uint32_t)pcap_snapshot(in->pcap);
	return !filter || set_filter(in, filter, err);
}

static bool open_iface(cap_live *l, live_input *in, const cap_live_config *cfg, GError **err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(in->name, errbuf);
	if (!p) {
		g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED, "cannot capture on %s: %s", in->name, errbuf);
		return false;
	}
	in->pcap = p;
	uint32_t mb = cfg->buffer_mb ? cfg->buffer_mb : DEFAULT_BUFFER_MB;
	if (mb > 2047)
		mb = 2047;
	pcap_set_snaplen(p, (int)(cfg->snaplen ? cfg->snaplen : DEFAULT_SNAPLEN));
	pcap_set_promisc(p, !cfg->no_promisc);
	pcap_set_timeout(p, READ_TIMEOUT_MS);
	pcap_set_buffer_size(p, (int)(mb << 20));
	/* Without immediate mode Linux uses TPACKET_V3: frames packed in
	 * blocks that the kernel hands over when full or READ_TIMEOUT_MS after
	 * their first frame, so nothing waits longer than that.  Immediate
	 * mode falls back to TPACKET_V2, whose fixed slots are as large as the
	 * snap length or the MTU: on lo or "any" a 32 MiB buffer then holds a
	 * few hundred frames, and a burst is dropped by the kernel. */
	pcap_set_immediate_mode(p, cfg->immediate ? 1 : 0);
	/* Nanoseconds where the system has them; microseconds otherwise. */
	(void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(p);
	const char *msg = pcap_geterr(p);
	if (rc < 0) {
		switch (rc) {
		case PCAP_ERROR_NO_SUCH_DEVICE:
			g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_NO_DEVICE,
				    "cannot capture on %s: no such interface (`ip link` lists them; 'any' captures on all)",
				    in->name);
			break;
		case PCAP_ERROR_PERM_DENIED:
		case PCAP_ERROR_PROMISC_PERM_DENIED: {
			char *m = cap_live_permission_message(in->name, rc == PCAP_ERROR_PROMISC_PERM_DENIED, msg);
			g_set_error_literal(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_PERMISSION, m);
			g_free(m);
			break;
		}
		case PCAP_ERROR_IFACE_NOT_UP:
			g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_IFACE_DOWN,
				    "cannot capture on %s: the interface is down", in->name);
			break;
		default:
			g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED, "cannot capture on %s: %s%s%s",
				    in->name, pcap_statustostr(rc), msg && *msg ? ": " : "", msg ? msg : "");
			break;
		}
		return false;
	}
	if (rc > 0)
		g_ptr_array_add(l->notices, g_strdup_printf("%s: %s%s%s", in->name, pcap_statustostr(rc),
							     msg && *msg ? ": " : "", msg ? msg : ""));
	in->nsec = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	in->linktype = dlt_to_linktype(pcap_datalink(p));
	in->snaplen = (uint32_t)pcap_snapshot(p);
	if (pcap_setnonblock(p, 1, errbuf) != 0) {
		g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED, "cannot capture on %s: %s", in->name, errbuf);
		return false;
	}
	if (strcmp(in->name, "any") != 0)
		in->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return !cfg->filter || set_filter(in, cfg->filter, err);
}

static bool open_hep(live_input *in, const cap_live_config *cfg, GError **err)
{
	GError *e = NULL;
	in->hep = cap_hep_listen(in->name, &e);
	if (!in->hep) {
		g_set_error_literal(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_LISTEN, e->message);
		g_error_free(e);
		return false;
	}
	in->linktype = LINKTYPE_RAW;
	in->snaplen = DEFAULT_SNAPLEN;
	if (cfg->filter) {
		pcap_t *dead = pcap_open_dead(DLT_RAW, DEFAULT_SNAPLEN);
		if (!dead) {
			g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED, "%s: cannot set up the filter compiler",
				    in->name);
			return false;
		}
		if (pcap_compile(dead, &in->hep_prog, cfg->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FILTER, "invalid filter '%s' on %s: %s",
				    cfg->filter, in->name, pcap_geterr(dead));
			pcap_close(dead);
			return false;
		}
		pcap_close(dead);
		in->hep_filter = true;
	}
	return true;
}

cap_live *cap_live_open(const cap_live_config *cfg, GError **err)
{
	guint n = 0;
	for (char **p = cfg->ifaces; p && *p; p++)
		n++;
	for (char **p = cfg->test_files; p && *p; p++)
		n++;
	for (char **p = cfg->hep_listen; p && *p; p++)
		n++;
	cap_live *l = g_new0(cap_live, 1);
	l->in = g_new0(live_input, n ? n : 1);
	l->errors = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
	l->notices = g_ptr_array_new_with_free_func(g_free);
	pthread_mutex_init(&l->err_mu, NULL);
	cap_wake_init(&l->wake);
	atomic_init(&l->stop, false);
	atomic_init(&l->running, 0);
	atomic_init(&l->n_errors, 0);
	l->stop_pipe[0] = l->stop_pipe[1] = -1;
	if (pipe(l->stop_pipe) == 0) {
		for (int i = 0; i < 2; i++)
			fcntl(l->stop_pipe[i], F_SETFD, FD_CLOEXEC);
		fcntl(l->stop_pipe[1], F_SETFL, O_NONBLOCK);
	}

	uint32_t slots = cfg->ring_slots ? cfg->ring_slots : DEFAULT_RING_SLOTS;
	/* The program's ring holds twice what the kernel's buffer does: -B
	 * sizes both, and the ring absorbs what the kernel hands over in a
	 * burst while the main thread is busy. */
	size_t ring_bytes = cfg->ring_bytes ? cfg->ring_bytes :
		(size_t)2 * MIN(cfg->buffer_mb ? cfg->buffer_mb : DEFAULT_BUFFER_MB, 2047u) << 20;
	bool ok = true;
	guint i = 0;
	for (int pass = 0; pass < 3 && ok; pass++) {
		char **names = pass == 0 ? cfg->ifaces : pass == 1 ? cfg->test_files : cfg->hep_listen;
		for (char **p = names; p && *p && ok; p++, i++) {
			live_input *in = &l->in[i];
			in->owner = l;
			in->index = i;
			in->name = g_strdup(*p);
			in->kind = pass == 2 ? IN_HEP : IN_PCAP;
			in->ctl_fd = -1;
			in->ring = cap_ring_new(slots, ring_bytes);
			l->n = i + 1;
			if (pass == 0)
				ok = open_iface(l, in, cfg, err);
			else if (pass == 1)
				ok = open_test_file(in, cfg->filter, err);
			else
				ok = open_hep(in, cfg, err);
		}
	}
	if (!ok) {
		cap_live_free(l);
		return NULL;
	}
	return l;
}

/* ---- the capture threads ------------------------------------------------ */

static void input_done(live_input *in)
{
	cap_live *l = in->owner;
	atomic_store(&in->received, in->rx);
	atomic_fetch_sub(&l->running, 1);
	cap_wake_notify(&l->wake);
}

static void pcap_read_stats(live_input *in)
{
	struct pcap_stat ps;
	if (in->offline || pcap_stats(in->pcap, &ps) != 0)
		return;
	atomic_store(&in->kdrop, ps.ps_drop);
	atomic_store(&in->ifdrop, ps.ps_ifdrop);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	live_input *in = (live_input *)user;
	in->rx++;
	int64_t frac = in->nsec ? (int64_t)h->ts.tv_usec : (int64_t)h->ts.tv_usec * 1000;
	int64_t ts = (int64_t)h->ts.tv_sec * 1000000000 + frac;
	cap_ring_push(in->ring, ts, bytes, h->caplen, h->len);
}

/* Why a capture that was running stopped, in one line. */
static void pcap_failed(live_input *in, int rc)
{
	const char *msg = pcap_geterr(in->pcap);
	bool down = rc == PCAP_ERROR_IFACE_NOT_UP || strstr(msg, "went down") || strstr(msg, "disappeared") ||
		    strstr(msg, g_strerror(ENETDOWN)) || strstr(msg, g_strerror(ENXIO)) ||
		    strstr(msg, g_strerror(ENODEV));
	if (down)
		add_error(in->owner, CAP_LIVE_ERROR_IFACE_DOWN,
			  "capture on %s stopped: the interface went down or disappeared (%s); "
			  "the frames captured before are kept", in->name, msg);
	else
		add_error(in->owner, CAP_LIVE_ERROR_FAILED,
			  "capture on %s stopped: %s; the frames captured before are kept", in->name,
			  *msg ? msg : pcap_statustostr(rc));
}

/* Is the interface still up?  libpcap keeps waiting on an interface that
 * was taken down (it may come back), which would leave a capture silently
 * empty: the flags are looked at with the counters instead. */
static bool iface_gone(live_input *in, const char **why)
{
	if (in->offline || in->ctl_fd < 0)
		return false;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	g_strlcpy(ifr.ifr_name, in->name, sizeof(ifr.ifr_name));
	if (ioctl(in->ctl_fd, SIOCGIFFLAGS, &ifr) != 0) {
		if (errno == ENODEV || errno == ENXIO) {
			*why = "the interface disappeared";
			return true;
		}
		return false;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		*why = "the interface went down";
		return true;
	}
	return false;
}

static void *pcap_thread(void *arg)
{
	live_input *in = arg;
	cap_live *l = in->owner;
	in->next_stats_ns = mono_ns() + STATS_EVERY_MS * 1000000LL;
	/* Live handles are non-blocking and waited on here, with the stop
	 * pipe, so the thread also wakes to refresh the counters and look at
	 * the interface when no traffic comes. */
	int fd = in->offline ? -1 : pcap_get_selectable_fd(in->pcap);
	while (!atomic_load_explicit(&l->stop, memory_order_relaxed)) {
		if (fd >= 0) {
			struct pollfd pfd[2] = {
				{ .fd = fd, .events = POLLIN },
				{ .fd = l->stop_pipe[0], .events = POLLIN },
			};
			int r = poll(pfd, pfd[1].fd >= 0 ? 2 : 1, STATS_EVERY_MS);
			if (r < 0 && errno != EINTR) {
				add_error(l, CAP_LIVE_ERROR_FAILED, "capture on %s stopped: %s; the frames captured before are kept",
					  in->name, g_strerror(errno));
				break;
			}
		}
		int n = pcap_dispatch(in->pcap, -1, on_packet, (u_char *)in);
		atomic_store_explicit(&in->received, in->rx, memory_order_relaxed);
		if (n > 0)
			cap_wake_notify(&l->wake);
		if (n == PCAP_ERROR_BREAK)
			break;
		if (n < 0) {
			pcap_failed(in, n);
			break;
		}
		if (n == 0 && in->offline)
			break;
		int64_t now = mono_ns();
		if (now >= in->next_stats_ns) {
			pcap_read_stats(in);
			in->next_stats_ns = now + STATS_EVERY_MS * 1000000LL;
			const char *why = NULL;
			if (iface_gone(in, &why)) {
				/* What is still in the kernel's buffer is taken first. */
				while (pcap_dispatch(in->pcap, -1, on_packet, (u_char *)in) > 0)
					;
				atomic_store_explicit(&in->received, in->rx, memory_order_relaxed);
				add_error(l, CAP_LIVE_ERROR_IFACE_DOWN,
					  "capture on %s stopped: %s; the frames captured before are kept", in->name, why);
				break;
			}
		}
	}
	pcap_read_stats(in);
	input_done(in);
	return NULL;
}

static void on_hep_frame(void *user, int64_t ts_ns, sv frame)
{
	live_input *in = user;
	in->rx++;
	if (in->hep_filter) {
		struct pcap_pkthdr h = { .caplen = (bpf_u_int32)frame.len, .len = (bpf_u_int32)frame.len };
		if (!pcap_offline_filter(&in->hep_prog, &h, frame.p)) {
			atomic_fetch_add_explicit(&in->filtered, 1, memory_order_relaxed);
			return;
		}
	}
	cap_ring_push(in->ring, ts_ns, frame.p, (uint32_t)frame.len, (uint32_t)frame.len);
}

static void hep_publish_stats(live_input *in)
{
	const cap_hep_stats *s = cap_hep_listener_stats(in->hep);
	atomic_store(&in->received, in->rx);
	atomic_store(&in->kdrop, s->socket_drops);
	atomic_store(&in->hep_packets, s->packets);
	atomic_store(&in->hep_not_sip, s->other_types + s->compressed);
	atomic_store(&in->hep_bad, s->not_hep + s->malformed + s->too_large);
}

static void *hep_thread(void *arg)
{
	live_input *in = arg;
	cap_live *l = in->owner;
	struct pollfd pfd[2] = {
		{ .fd = cap_hep_listener_fd(in->hep), .events = POLLIN },
		{ .fd = l->stop_pipe[0], .events = POLLIN },
	};
	while (!atomic_load_explicit(&l->stop, memory_order_relaxed)) {
		int r = poll(pfd, pfd[1].fd >= 0 ? 2 : 1, READ_TIMEOUT_MS);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			add_error(l, CAP_LIVE_ERROR_FAILED, "HEP listener %s stopped: %s", in->name, g_strerror(errno));
			break;
		}
		if (r == 0 || !(pfd[0].revents & (POLLIN | POLLERR)))
			continue;
		int n = cap_hep_listener_drain(in->hep, HEP_DRAIN_MAX, on_hep_frame, in);
		if (n < 0) {
			int e = errno;
			/* ICMP errors reported on the socket are not the end. */
			if (e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH)
				continue;
			add_error(l, CAP_LIVE_ERROR_FAILED, "HEP listener %s stopped: %s", in->name, g_strerror(e));
			break;
		}
		hep_publish_stats(in);
		if (n > 0)
			cap_wake_notify(&l->wake);
	}
	hep_publish_stats(in);
	input_done(in);
	return NULL;
}

bool cap_live_start(cap_live *l, GError **err)
{
	if (l->started)
		return true;
	l->started = true;
	/* The threads inherit this mask: signals go to the main thread. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	bool ok = true;
	atomic_store(&l->running, l->n);
	for (guint i = 0; i < l->n; i++) {
		live_input *in = &l->in[i];
		int rc = pthread_create(&in->thread, NULL, in->kind == IN_HEP ? hep_thread : pcap_thread, in);
		if (rc != 0) {
			g_set_error(err, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED, "cannot start the capture thread for %s: %s",
				    in->name, g_strerror(rc));
			atomic_fetch_sub(&l->running, l->n - i);
			ok = false;
			break;
		}
		in->started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ok)
		cap_live_stop(l);
	return ok;
}

/* ---- the consumer ------------------------------------------------------- */

static bool live_ready(void *arg)
{
	cap_live *l = arg;
	for (guint i = 0; i < l->n; i++)
		if (!cap_ring_empty(l->in[i].ring))
			return true;
	return atomic_load(&l->running) == 0;
}

cap_live_rc cap_live_next(cap_live *l, cap_frame *out, int timeout_ms)
{
	int64_t deadline = timeout_ms > 0 ? mono_ns() + (int64_t)timeout_ms * 1000000 : 0;
	for (;;) {
		int best = -1;
		cap_ring_slot bs = { 0 };
		for (guint i = 0; i < l->n; i++) {
			cap_ring_slot s;
			if (cap_ring_peek(l->in[i].ring, &s) && (best < 0 || s.ts_ns < bs.ts_ns)) {
				best = (int)i;
				bs = s;
			}
		}
		if (best >= 0) {
			live_input *in = &l->in[best];
			cap_ring_pop(in->ring);
			memset(out, 0, sizeof(*out));
			out->num = ++l->num;
			out->ts_ns = bs.ts_ns;
			out->linktype = in->linktype;
			out->caplen = bs.caplen;
			out->wirelen = bs.wirelen;
			out->source = in->index;
			out->record = ++in->record;
			out->data = sv_make(bs.data, bs.caplen);
			return CAP_LIVE_FRAME;
		}
		/* Every producer has ended: what they pushed before ending is
		 * visible now (the count drops after their last push). */
		if (atomic_load(&l->running) == 0) {
			bool empty = true;
			for (guint i = 0; i < l->n && empty; i++)
				empty = cap_ring_empty(l->in[i].ring);
			if (empty)
				return CAP_LIVE_EOF;
			continue;
		}
		int wait_ms = -1;
		if (timeout_ms == 0)
			return CAP_LIVE_TIMEOUT;
		if (timeout_ms > 0) {
			int64_t left = deadline - mono_ns();
			if (left <= 0)
				return CAP_LIVE_TIMEOUT;
			wait_ms = (int)((left + 999999) / 1000000);
		}
		cap_wake_wait(&l->wake, live_ready, l, wait_ms);
	}
}

void cap_live_stop(cap_live *l)
{
	if (atomic_exchange(&l->stop, true))
		return;
	for (guint i = 0; i < l->n; i++)
		if (l->in[i].pcap)
			pcap_breakloop(l->in[i].pcap);
	if (l->stop_pipe[1] >= 0) {
		char c = 1;
		ssize_t w = write(l->stop_pipe[1], &c, 1);
		(void)w;
	}
}

void cap_live_free(cap_live *l)
{
	if (!l)
		return;
	cap_live_stop(l);
	for (guint i = 0; i < l->n; i++)
		if (l->in[i].started)
			pthread_join(l->in[i].thread, NULL);
	for (guint i = 0; i < l->n; i++) {
		live_input *in = &l->in[i];
		if (in->pcap)
			pcap_close(in->pcap);
		if (in->ctl_fd >= 0)
			close(in->ctl_fd);
		if (in->hep_filter)
			pcap_freecode(&in->hep_prog);
		cap_hep_listener_free(in->hep);
		cap_ring_free(in->ring);
		g_free(in->name);
	}
	for (int i = 0; i < 2; i++)
		if (l->stop_pipe[i] >= 0)
			close(l->stop_pipe[i]);
	g_free(l->in);
	g_ptr_array_free(l->errors, TRUE);
	g_ptr_array_free(l->notices, TRUE);
	pthread_mutex_destroy(&l->err_mu);
	cap_wake_destroy(&l->wake);
	g_free(l);
}

/* ---- inputs, counters, errors ------------------------------------------- */

guint cap_live_input_count(const cap_live *l)
{
	return l->n;
}

const char *cap_live_input_name(const cap_live *l, guint i)
{
	return i < l->n ? l->in[i].name : NULL;
}

uint32_t cap_live_input_linktype(const cap_live *l, guint i)
{
	return i < l->n ? l->in[i].linktype : 0;
}

uint32_t cap_live_input_snaplen(const cap_live *l, guint i)
{
	return i < l->n ? l->in[i].snaplen : 0;
}

guint cap_live_running(const cap_live *l)
{
	return atomic_load(&((cap_live *)l)->running);
}

void cap_live_get_stats(const cap_live *cl, int input, cap_live_stats *out)
{
	cap_live *l = (cap_live *)cl;
	memset(out, 0, sizeof(*out));
	for (guint i = 0; i < l->n; i++) {
		if (input >= 0 && (guint)input != i)
			continue;
		live_input *in = &l->in[i];
		out->received += atomic_load(&in->received);
		out->delivered += in->record;
		out->kernel_dropped += atomic_load(&in->kdrop);
		out->if_dropped += atomic_load(&in->ifdrop);
		out->ring_dropped += cap_ring_dropped(in->ring);
		out->filtered += atomic_load(&in->filtered);
		out->bytes_held += cap_ring_bytes(in->ring);
		out->hep_packets += atomic_load(&in->hep_packets);
		out->hep_not_sip += atomic_load(&in->hep_not_sip);
		out->hep_bad += atomic_load(&in->hep_bad);
	}
}

void cap_live_errors(const cap_live *cl, GPtrArray *out)
{
	cap_live *l = (cap_live *)cl;
	pthread_mutex_lock(&l->err_mu);
	for (guint i = 0; i < l->errors->len; i++)
		g_ptr_array_add(out, g_error_copy(g_ptr_array_index(l->errors, i)));
	pthread_mutex_unlock(&l->err_mu);
}

guint cap_live_error_count(const cap_live *l)
{
	return atomic_load(&((cap_live *)l)->n_errors);
}

void cap_live_notices(const cap_live *l, GPtrArray *out)
{
	for (guint i = 0; i < l->notices->len; i++)
		g_ptr_array_add(out, g_strdup(g_ptr_array_index(l->notices, i)));
}
