/*
 * options.h — the command line, parsed into plain values.  Nothing else
 * reads argv.
 */
#ifndef SIPSCOPE_APP_OPTIONS_H
#define SIPSCOPE_APP_OPTIONS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
	OUT_TEXT = 0, /* one line per message, or the interactive UI on a terminal */
	OUT_JSON,     /* JSON Lines */
	OUT_REPORT,   /* --list / --stats / --ladder / --check: reports at end of input */
} out_mode;

typedef struct options {
	char **read_files;   /* -r, NULL-terminated */
	out_mode mode;
	char *filter;        /* BPF expression from the trailing arguments */
	bool quiet;          /* -q: no summary on standard error */
	bool no_ui;          /* -N: per-message lines even on a terminal */
	/* OUT_REPORT: any combination, printed in this order. */
	bool list;           /* --list: the call list */
	bool stats;          /* --stats: the summary report */
	char **ladder;       /* --ladder: Call-IDs (or "all"), NULL-terminated; NULL when none */
	bool ladder_by_host; /* --ladder-by-host: one column per address */
	bool check;          /* --check: the findings; exit status 1 when one is an error */
	/* Live input (app/pipeline.h), instead of -r. */
	char **ifaces;       /* -i, NULL-terminated; NULL when none */
	char **hep_listen;   /* --hep-listen udp:ADDR:PORT, NULL-terminated */
	uint32_t snaplen;    /* -s; 0: the default */
	bool no_promisc;     /* -p */
	uint32_t buffer_mb;  /* -B; 0: the default */
	bool immediate;      /* --immediate-mode */
	uint32_t duration;   /* --duration SECONDS; 0: none */
	char *user;          /* -Z: drop privileges to this user */
	/* Any input. */
	uint64_t count;      /* -c: stop after this many frames; 0: no limit */
	char *write_file;    /* -w */
	uint64_t rotate_bytes; /* -C, in bytes */
	uint32_t rotate_secs;  /* -G */
	bool write_sip_only; /* --write-sip-only */
	char *config_file;   /* --config: the UI's settings (ui/ui_config.h); NULL: the default file */
	/* RFC 3261 timers the model judges by (dissect/model.h); 0: its default. */
	uint32_t t1_ms;      /* --t1 */
	uint32_t t4_ms;      /* --t4 */
	uint32_t timer_c_s;  /* --timer-c */
	/* State held at once (dissect/model.h sip_limits); 0: no limit.  Live
	 * input without --max-calls/--max-messages (nor --ladder) gets
	 * the LIVE_DEFAULT_* ones. */
	uint32_t max_calls;    /* --max-calls */
	uint32_t max_messages; /* --max-messages */
	/* Calls are forgotten once finished (sip_limits.forget_finished):
	 * --stats alone and --json, on files without limits, whose outputs
	 * are the same either way. */
	bool forget_finished;
	bool forget_registers; /* --stats: REGISTER Call-IDs too (it counts Call-IDs once) */
} options;

enum { LIVE_DEFAULT_MAX_CALLS = 20000, LIVE_DEFAULT_MAX_MESSAGES = 100000 };

/* Parses argv.  On a usage error prints one line to stderr and returns false
 * with *exit_status set; on --help/--version prints and returns false with
 * status 0. */
bool options_parse(int argc, char **argv, options *o, int *exit_status);
/* Live input: -i or --hep-listen. */
bool options_live(const options *o);
/* The interactive UI: OUT_TEXT without -N, standard output a terminal. */
bool options_want_ui(const options *o);
/* A --ladder name asking for every call ("all"; a Call-ID spelled so
 * names its call first). */
bool options_ladder_is_all(const char *name);
void options_clear(options *o);

#endif
