/*
 * ui.h — the interactive terminal UI, as the application starts it: a
 * loop that reads the capture in batches through the feed, keeps the
 * screens (call list, ladder, help) on a stack, and redraws them at a
 * bounded rate while loading and after every key.  A live capture is read
 * until every input has ended: its screen is redrawn when the counts
 * change (ten times a second at most), and not while nothing comes.
 *
 * The UI knows nothing of sources or frames: the feed (given by the
 * application) reads a batch, tells how far it got, and writes the
 * packets of messages to a file.  The model is read only through
 * dissect/model.h; the UI adds one tap to it (calls that changed) before
 * the first batch is read.
 *
 * The terminal is restored when ui_run returns, at exit, and on fatal
 * signals (ui/tty.h).  SIGINT, SIGTERM and SIGHUP end the loop.
 */
#ifndef SIPSCOPE_UI_UI_H
#define SIPSCOPE_UI_UI_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "dissect/findings.h"
#include "dissect/model.h"

typedef struct ui_feed_status {
	uint64_t frames;       /* frames read */
	uint64_t messages;     /* SIP messages */
	uint64_t bytes_read;   /* progress: bytes of the inputs read so far */
	uint64_t bytes_total;  /* 0 when the size is unknown (a pipe) */
	unsigned errors;       /* inputs damaged (files) or stopped by an error (live) */
	/* Live capture: */
	bool capturing;        /* some input is still capturing */
	uint64_t kernel_dropped, if_dropped, ring_dropped;
	/* The newest error met while capturing (NULL: none), one line; valid
	 * until the next step.  Not yet escaped. */
	const char *last_error;
} ui_feed_status;

typedef struct ui_feed {
	void *user;
	sip_model *model;
	/* The findings detector on the model (NULL: none); finished by the
	 * application once the input is read. */
	const findings *found;
	/* The settings read from the configuration file (NULL: the defaults). */
	const struct ui_config *config;
	const char *source_name;      /* shown in the status bar */
	/* Live capture (interfaces, HEP listeners): the status bar says
	 * "capturing" and the drop counts instead of the loading progress. */
	bool live;
	/* Reads one batch; returns false once everything has been read (the
	 * model is then finished). */
	bool (*step)(void *user);
	void (*status)(void *user, ui_feed_status *out);
	/* Writes the packets that carried these messages to path; *written:
	 * the packets written.  false with *err on failure.  NULL when saving
	 * packets is not possible. */
	bool (*save_packets)(void *user, const sip_id *msgs, size_t n, const char *path,
			     uint64_t *written, GError **err);
} ui_feed;

/* Sets up the terminal; false with *err when it cannot (then nothing was
 * changed and the caller may fall back to text output). */
bool ui_start(GError **err);
/* Gives the terminal back without running (the input could not be
 * opened). */
void ui_stop(void);
/* Runs until the user quits (or a signal); restores the terminal.
 * ui_start must have succeeded. */
void ui_run(const ui_feed *feed);

#endif
