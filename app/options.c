#include "options.h"

#include <stdio.h>

#include "app/exit_status.h"

static const char summary_text[] =
	"Reads SIP traffic from capture files (pcap, pcapng; several are merged in\n"
	"time order; '-' is standard input), reassembles it (IP fragments, TCP,\n"
	"WebSocket, tunnels) and prints every SIP message, or with --list, --stats\n"
	"and --ladder reports on the calls, transactions and registrations it\n"
	"rebuilt.  Those three combine (printed in that order, a blank line\n"
	"apart) and replace the per-message lines; --json cannot be combined with\n"
	"them.\n"
	"\n"
	"FILTER is a BPF expression as tcpdump takes it, applied to every frame.\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  reserved (findings reported with --check)\n"
	"  2  usage error: unknown option, missing argument, invalid filter,\n"
	"     options that cannot be combined, or a --ladder CALL-ID that matches\n"
	"     no call of the input\n"
	"  3  an input could not be opened or is not a capture file\n"
	"  4  an input was truncated or damaged; everything before the damage\n"
	"     was processed and printed\n"
	"  5  the output could not be written";

bool options_parse(int argc, char **argv, options *o, int *exit_status)
{
	gboolean json = FALSE, version = FALSE, quiet = FALSE, list = FALSE, stats = FALSE,
		 by_host = FALSE;
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
		  "Print the call list: one line per Call-ID (calls, and REGISTER, OPTIONS, ... with their method)",
		  NULL },
		{ "stats", 0, 0, G_OPTION_ARG_NONE, &stats,
		  "Print statistics: messages per method and status, retransmissions, response times, "
		  "call and registration outcomes", NULL },
		{ "ladder", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &ladder,
		  "Print the ladder diagram of the call with this Call-ID (or with this ID from --list); "
		  "repeat to merge several calls in one diagram; 'all' for every message",
		  "CALL-ID" },
		{ "ladder-by-host", 0, 0, G_OPTION_ARG_NONE, &by_host,
		  "In ladder diagrams, one column per IP address instead of per address and port", NULL },
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
		return false;
	}
	if (version) {
		printf("sipscope %s\n", SIPSCOPE_VERSION);
		*exit_status = EXIT_OK;
		g_strfreev(rest);
		g_strfreev(ladder);
		return false;
	}
	/* From here on everything parsed is in *o, and options_clear() frees it
	 * on the error paths. */
	o->ladder = ladder;
	bool report = list || stats || (ladder && ladder[0]);
	if (json && report) {
		fprintf(stderr, "sipscope: --json cannot be combined with --list, --stats or --ladder (see --help)\n");
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
	o->list = list;
	o->stats = stats;
	o->ladder_by_host = by_host;
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
	if (!o->read_files || !o->read_files[0]) {
		fprintf(stderr, "sipscope: nothing to read: give a capture file with -r FILE (see --help)\n");
		*exit_status = EXIT_USAGE;
		options_clear(o);
		return false;
	}
	return true;
}

void options_clear(options *o)
{
	g_strfreev(o->read_files);
	g_strfreev(o->ladder);
	g_free(o->filter);
	memset(o, 0, sizeof(*o));
}
