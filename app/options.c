#include "options.h"

#include <stdio.h>
#include <unistd.h>

#include "app/exit_status.h"
#include "base/bytes.h"

static const char summary_text[] =
	"Reads SIP traffic from capture files (pcap, pcapng; several are merged in\n"
	"time order; '-' is standard input), reassembles it (IP fragments, TCP,\n"
	"WebSocket, tunnels) and prints every SIP message, or with --list, --stats,\n"
	"--ladder and --check reports on the calls, transactions and registrations\n"
	"it rebuilt and on what went wrong in them.  Those four combine (printed in\n"
	"that order, a blank line apart) and replace the per-message lines; --json\n"
	"cannot be combined with them.\n"
	"\n"
	"On a terminal, without --json, --list, --stats, --ladder or -N, the\n"
	"interactive UI opens instead: the call list, ladder diagrams and messages\n"
	"(press ? there for its keys).\n"
	"\n"
	"FILTER is a BPF expression as tcpdump takes it, applied to every frame.\n"
	"\n"
	"Live capture: -i IFACE (repeatable, 'any' for all) captures on network\n"
	"interfaces (root or CAP_NET_RAW and CAP_NET_ADMIN needed; -Z USER gives\n"
	"up root once the handles are open) and --hep-listen udp:ADDR:PORT\n"
	"receives HEP from capture agents.  Without the UI, a live run ends at\n"
	"-c COUNT frames, --duration SECONDS, SIGINT or SIGTERM; the frames\n"
	"captured are processed, every output and -w file is closed with whole\n"
	"records, and the summary gives the frames dropped by the kernel, the\n"
	"interface and sipscope.  -w FILE writes the frames read (-C and -G\n"
	"rotate it; --write-sip-only keeps the frames that carried SIP).\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  --check found a finding of severity error\n"
	"  2  usage error: unknown option, missing argument, invalid filter,\n"
	"     options that cannot be combined, or a --ladder CALL-ID that matches\n"
	"     no call of the input; the UI's configuration file unreadable or wrong\n"
	"  3  an input could not be opened or is not a capture file; an\n"
	"     interface that does not exist, is down, or may not be captured on\n"
	"     (the line names the privilege missing); a HEP port that cannot be\n"
	"     bound\n"
	"  4  an input was truncated or damaged, or an interface went down\n"
	"     during capture; everything before was processed and printed\n"
	"  5  the output could not be written, or writing the -w file failed\n"
	"     (reported when it happened; the run went on)\n"
	"An unknown -Z user, or privileges that cannot be dropped, is status 2.";

/* A whole number in [min, max]; the text of a usage error otherwise (in a
 * static buffer). */
static const char *parse_uint(const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	static char msg[160];
	uint64_t v;
	if (!sv_to_u64(sv_from_cstr(text), max, &v) || v < min) {
		g_snprintf(msg, sizeof(msg), "%s wants a whole number from %" G_GUINT64_FORMAT " to %"
			   G_GUINT64_FORMAT ", not '%s'", opt, min, max, text);
		return msg;
	}
	*out = v;
	return NULL;
}

/* The numbers of the live and -w options; NULL or a usage error. */
static const char *live_options(options *o, const char *snaplen, const char *buffer, const char *count,
				const char *duration, const char *size, const char *secs)
{
	const char *bad = NULL;
	uint64_t v = 0;
	if (snaplen && !(bad = parse_uint("-s", snaplen, 1, 262144, &v)))
		o->snaplen = (uint32_t)v;
	if (!bad && buffer && !(bad = parse_uint("-B", buffer, 1, 2047, &v)))
		o->buffer_mb = (uint32_t)v;
	if (!bad && count && !(bad = parse_uint("-c", count, 1, UINT64_MAX, &v)))
		o->count = v;
	if (!bad && duration && !(bad = parse_uint("--duration", duration, 1, 31536000, &v)))
		o->duration = (uint32_t)v;
	if (!bad && secs && !(bad = parse_uint("-G", secs, 1, 31536000, &v)))
		o->rotate_secs = (uint32_t)v;
	if (!bad && size) {
		/* Millions of bytes, as tcpdump's -C; a fraction is fine. */
		char *end = NULL;
		double mb = g_ascii_strtod(size, &end);
		if (!end || *end || end == size || !(mb * 1e6 >= 1.0) || mb > 1e9)
			bad = "-C wants a size in millions of bytes (e.g. 100, or 0.5)";
		else
			o->rotate_bytes = (uint64_t)(mb * 1e6);
	}
	if (!bad) {
		for (char **p = o->ifaces; p && *p; p++)
			if (!**p)
				bad = "-i wants an interface name";
	}
	return bad;
}

/* The timers of --t1, --t4 and --timer-c; NULL or a usage error.  The
 * bounds keep them where a network can be: T1 and T4 up to a minute,
 * Timer C up to a day. */
static const char *timer_options(options *o, const char *t1, const char *t4, const char *timer_c)
{
	const char *bad = NULL;
	uint64_t v = 0;
	if (t1 && !(bad = parse_uint("--t1", t1, 1, 60000, &v)))
		o->t1_ms = (uint32_t)v;
	if (!bad && t4 && !(bad = parse_uint("--t4", t4, 1, 60000, &v)))
		o->t4_ms = (uint32_t)v;
	if (!bad && timer_c && !(bad = parse_uint("--timer-c", timer_c, 1, 86400, &v)))
		o->timer_c_s = (uint32_t)v;
	return bad;
}

bool options_parse(int argc, char **argv, options *o, int *exit_status)
{
	gboolean json = FALSE, version = FALSE, quiet = FALSE, list = FALSE, stats = FALSE,
		 by_host = FALSE, no_ui = FALSE, check = FALSE;
	gboolean no_promisc = FALSE, immediate = FALSE, sip_only = FALSE;
	g_autofree char *snaplen_s = NULL, *buffer_s = NULL, *count_s = NULL, *duration_s = NULL,
			*size_s = NULL, *secs_s = NULL, *t1_s = NULL, *t4_s = NULL, *timer_c_s = NULL,
			*max_calls_s = NULL, *max_msgs_s = NULL;
	char **ladder = NULL;
	char **rest = NULL;
	GOptionEntry entries[] = {
		{ "read", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->read_files,
		  "Read packets from FILE (pcap or pcapng; '-' for standard input); repeat to merge files",
		  "FILE" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
		  "Print JSON Lines: one record per SIP message, then transaction, dialog, call and "
		  "registration records, then a summary record", NULL },
		{ "list", 0, 0, G_OPTION_ARG_NONE, &list,
		  "Print the call list: one line per call (a Call-ID; calls, and REGISTER, OPTIONS, ... with their method)",
		  NULL },
		{ "stats", 0, 0, G_OPTION_ARG_NONE, &stats,
		  "Print statistics: messages per method and status, retransmissions, response times, "
		  "call and registration outcomes", NULL },
		{ "ladder", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &ladder,
		  "Print the ladder diagram of the calls with this Call-ID (or of the call with this ID from --list); "
		  "repeat to merge several calls in one diagram; 'all' for every message",
		  "CALL-ID" },
		{ "check", 0, 0, G_OPTION_ARG_NONE, &check,
		  "Print the findings (what went wrong, with the RFC rule it breaks), one line each, "
		  "grouped per call; exit status 1 when one is an error", NULL },
		{ "ladder-by-host", 0, 0, G_OPTION_ARG_NONE, &by_host,
		  "In ladder diagrams, one column per IP address instead of per address and port", NULL },
		{ "t1", 0, 0, G_OPTION_ARG_STRING, &t1_s,
		  "RFC 3261 T1, the round-trip estimate, in milliseconds (default 500): a transaction "
		  "waits 64*T1 for its final response, a 2xx 64*T1 for its ACK", "MS" },
		{ "t4", 0, 0, G_OPTION_ARG_STRING, &t4_s,
		  "RFC 3261 T4 in milliseconds (default 5000): how long a completed transaction over "
		  "UDP lingers (Timers I and K)", "MS" },
		{ "timer-c", 0, 0, G_OPTION_ARG_STRING, &timer_c_s,
		  "RFC 3261 Timer C in seconds (default 180): how long a ringing INVITE waits for its "
		  "final response", "SECONDS" },
		{ "max-calls", 0, 0, G_OPTION_ARG_STRING, &max_calls_s,
		  "Hold at most N calls (Call-IDs) at once: beyond, the least recently active call is "
		  "reported and forgotten (evicted); 0 for no limit (the default for files; 20000 for "
		  "live input)", "N" },
		{ "max-messages", 0, 0, G_OPTION_ARG_STRING, &max_msgs_s,
		  "Hold at most N SIP messages at once, evicting the least recently active calls "
		  "beyond; 0 for no limit (the default for files; 100000 for live input)", "N" },
		{ "config", 0, 0, G_OPTION_ARG_FILENAME, &o->config_file,
		  "Read the interactive UI's settings from FILE instead of "
		  "$XDG_CONFIG_HOME/sipscope/config", "FILE" },
		{ "no-ui", 'N', 0, G_OPTION_ARG_NONE, &no_ui,
		  "Print one line per message even when standard output is a terminal "
		  "(no interactive UI)", NULL },
		{ "interface", 'i', 0, G_OPTION_ARG_STRING_ARRAY, &o->ifaces,
		  "Capture live on IFACE; repeat for several; 'any' for every interface", "IFACE" },
		{ "snapshot-length", 's', 0, G_OPTION_ARG_STRING, &snaplen_s,
		  "With -i: bytes kept of each frame (default 262144)", "SNAPLEN" },
		{ "no-promiscuous-mode", 'p', 0, G_OPTION_ARG_NONE, &no_promisc,
		  "With -i: do not put the interface into promiscuous mode", NULL },
		{ "buffer-size", 'B', 0, G_OPTION_ARG_STRING, &buffer_s,
		  "With -i: kernel capture buffer of each interface in MiB (default 32)", "MIB" },
		{ "immediate-mode", 0, 0, G_OPTION_ARG_NONE, &immediate,
		  "With -i: libpcap's immediate mode (frame by frame; the buffer then holds far fewer "
		  "frames)", NULL },
		{ "hep-listen", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->hep_listen,
		  "Receive HEP (v1, v2, v3) from capture agents on this UDP address; repeatable",
		  "udp:ADDR:PORT" },
		{ "count", 'c', 0, G_OPTION_ARG_STRING, &count_s, "Stop after COUNT frames", "COUNT" },
		{ "duration", 0, 0, G_OPTION_ARG_STRING, &duration_s,
		  "With -i or --hep-listen: stop capturing after SECONDS", "SECONDS" },
		{ "relinquish-privileges", 'Z', 0, G_OPTION_ARG_STRING, &o->user,
		  "Switch to USER once the capture handles are open (the -w file is created as USER)",
		  "USER" },
		{ "write", 'w', 0, G_OPTION_ARG_FILENAME, &o->write_file,
		  "Write the frames read to FILE as they arrive (pcap; pcapng when link types differ "
		  "and with -r)", "FILE" },
		{ "file-size", 'C', 0, G_OPTION_ARG_STRING, &size_s,
		  "With -w: start a new file before one passes MB million bytes", "MB" },
		{ "rotate-seconds", 'G', 0, G_OPTION_ARG_STRING, &secs_s,
		  "With -w: start a new file every SECONDS of capture time", "SECONDS" },
		{ "write-sip-only", 0, 0, G_OPTION_ARG_NONE, &sip_only,
		  "With -w: write only the frames that carried SIP", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "Do not print the summary on standard error", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "[FILTER...]" },
		G_OPTION_ENTRY_NULL
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[FILTER...]");
	g_option_context_set_summary(ctx, "sipscope - a SIP analyzer for captures and live traffic");
	g_option_context_set_description(ctx, summary_text);
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_help_enabled(ctx, TRUE);

	memset(o, 0, sizeof(*o));
	o->read_files = NULL;
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "sipscope: %s (see --help)\n", err->message);
		*exit_status = EXIT_USAGE;
		g_strfreev(rest);
		g_strfreev(ladder);
		options_clear(o);
		return false;
	}
	if (version) {
		printf("sipscope %s\n", SIPSCOPE_VERSION);
		*exit_status = EXIT_OK;
		g_strfreev(rest);
		g_strfreev(ladder);
		options_clear(o);
		return false;
	}
	/* From here on everything parsed is in *o, and options_clear() frees it
	 * on the error paths. */
	o->ladder = ladder;
	bool report = list || stats || check || (ladder && ladder[0]);
	if (json && report) {
		fprintf(stderr, "sipscope: --json cannot be combined with --list, --stats, --ladder or --check "
			"(see --help)\n");
		*exit_status = EXIT_USAGE;
		g_strfreev(rest);
		options_clear(o);
		return false;
	}
	if (by_host && !(ladder && ladder[0])) {
		fprintf(stderr, "sipscope: --ladder-by-host needs --ladder (see --help)\n");
		*exit_status = EXIT_USAGE;
		g_strfreev(rest);
		options_clear(o);
		return false;
	}
	o->mode = json ? OUT_JSON : report ? OUT_REPORT : OUT_TEXT;
	o->quiet = quiet;
	o->no_ui = no_ui;
	o->list = list;
	o->stats = stats;
	o->ladder_by_host = by_host;
	o->check = check;
	if (rest && rest[0]) {
		for (char **p = rest; *p; p++) {
			if ((*p)[0] == '-' && (*p)[1] != '\0') {
				fprintf(stderr, "sipscope: unknown option %s (see --help)\n", *p);
				*exit_status = EXIT_USAGE;
				g_strfreev(rest);
				options_clear(o);
				return false;
			}
		}
		o->filter = g_strjoinv(" ", rest);
	}
	g_strfreev(rest);
	const char *bad = live_options(o, snaplen_s, buffer_s, count_s, duration_s, size_s, secs_s);
	if (!bad)
		bad = timer_options(o, t1_s, t4_s, timer_c_s);
	uint64_t lim = 0;
	if (!bad && max_calls_s && !(bad = parse_uint("--max-calls", max_calls_s, 0, UINT32_MAX, &lim)))
		o->max_calls = (uint32_t)lim;
	if (!bad && max_msgs_s &&
	    !(bad = parse_uint("--max-messages", max_msgs_s, 0, UINT32_MAX, &lim)))
		o->max_messages = (uint32_t)lim;
	/* A live capture may run for days: bounded by default, sized for a
	 * small machine (about 150 MB held).  A file bounds itself, and its
	 * reports should cover all of it.  --ladder needs every call. */
	if (!bad && options_live(o) && !(ladder && ladder[0]) && !max_calls_s && !max_msgs_s) {
		o->max_calls = LIVE_DEFAULT_MAX_CALLS;
		o->max_messages = LIVE_DEFAULT_MAX_MESSAGES;
	}
	if (!bad) {
		o->no_promisc = no_promisc;
		o->immediate = immediate;
		o->write_sip_only = sip_only;
		bool have_files = o->read_files && o->read_files[0];
		bool limited = (max_calls_s && o->max_calls) || (max_msgs_s && o->max_messages);
		bool live = options_live(o);
		if (have_files && live)
			bad = "-r cannot be combined with -i or --hep-listen";
		else if (!have_files && !live)
			bad = "nothing to read: give a capture file with -r FILE, an interface with -i IFACE, "
			      "or --hep-listen udp:ADDR:PORT";
		else if (limited && ladder && ladder[0])
			bad = "--ladder draws calls from the whole input: it cannot be combined with "
			      "--max-calls or --max-messages";
		else if (!(o->ifaces && o->ifaces[0]) && (snaplen_s || buffer_s || no_promisc || immediate))
			bad = "-s, -B, -p and --immediate-mode need -i";
		else if (!live && duration_s)
			bad = "--duration needs -i or --hep-listen";
		else if (!o->write_file && (size_s || secs_s || sip_only))
			bad = "-C, -G and --write-sip-only need -w";
	}
	/* The reports and the records of --json are the same whether
	 * finished calls stay or go (what a forgotten call has to say is kept
	 * aside for its place; --ladder keeps the calls it names), except
	 * --ladder all, which draws every call.  SIPSCOPE_KEEP_FINISHED=1
	 * keeps them anyway (tests compare). */
	bool stats_alone = o->mode == OUT_REPORT && o->stats && !o->list && !o->check &&
		!(o->ladder && o->ladder[0]);
	bool ladder_all = false;
	for (char **p = o->ladder; p && *p; p++)
		ladder_all |= options_ladder_is_all(*p);
	bool report_aside = o->mode == OUT_REPORT && !ladder_all;
	if (!bad && (report_aside || o->mode == OUT_JSON) && !options_live(o) && !o->max_calls &&
	    !o->max_messages) {
		const char *keep = g_getenv("SIPSCOPE_KEEP_FINISHED");
		o->forget_finished = !(keep && strcmp(keep, "1") == 0);
		/* --json names each message's call, --list and --check give a
		 * Call-ID one row or group: a REGISTER Call-ID must stay one
		 * call there */
		o->forget_registers = o->forget_finished && stats_alone;
	}
	if (bad) {
		fprintf(stderr, "sipscope: %s (see --help)\n", bad);
		*exit_status = EXIT_USAGE;
		options_clear(o);
		return false;
	}
	return true;
}

bool options_ladder_is_all(const char *name)
{
	return strcmp(name, "all") == 0;
}

bool options_live(const options *o)
{
	return (o->ifaces && o->ifaces[0]) || (o->hep_listen && o->hep_listen[0]);
}

bool options_want_ui(const options *o)
{
	return o->mode == OUT_TEXT && !o->no_ui && isatty(STDOUT_FILENO);
}

void options_clear(options *o)
{
	g_strfreev(o->read_files);
	g_strfreev(o->ladder);
	g_free(o->filter);
	g_strfreev(o->ifaces);
	g_strfreev(o->hep_listen);
	g_free(o->user);
	g_free(o->write_file);
	g_free(o->config_file);
	memset(o, 0, sizeof(*o));
}
