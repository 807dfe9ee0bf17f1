/*
 * options.h — the command line, parsed into plain values.  Nothing else
 * reads argv.
 */
#ifndef SIPSCOPE_APP_OPTIONS_H
#define SIPSCOPE_APP_OPTIONS_H

#include <glib.h>
#include <stdbool.h>

typedef enum {
	OUT_TEXT = 0, /* one line per message (until the curses UI exists) */
	OUT_JSON,     /* JSON Lines */
	OUT_REPORT,   /* --list / --stats / --ladder: reports at end of input */
} out_mode;

typedef struct options {
	char **read_files;   /* -r, NULL-terminated */
	out_mode mode;
	char *filter;        /* BPF expression from the trailing arguments */
	bool quiet;          /* -q: no summary on standard error */
	/* OUT_REPORT: any combination, printed in this order. */
	bool list;           /* --list: the call list */
	bool stats;          /* --stats: the summary report */
	char **ladder;       /* --ladder: Call-IDs (or "all"), NULL-terminated; NULL when none */
	bool ladder_by_host; /* --ladder-by-host: one column per address */
} options;

/* Parses argv.  On a usage error prints one line to stderr and returns false
 * with *exit_status set; on --help/--version prints and returns false with
 * status 0. */
bool options_parse(int argc, char **argv, options *o, int *exit_status);
void options_clear(options *o);

#endif
