/*
 * run_ui.h — the interactive run: the pipeline (app/pipeline.h) read in
 * batches by the UI (ui/ui.h) between key presses and redraws, with the
 * frames of every SIP message kept so calls can be saved as pcap.
 */
#ifndef SIPSCOPE_APP_RUN_UI_H
#define SIPSCOPE_APP_RUN_UI_H

#include <stdbool.h>

#include "app/options.h"

/* Returns the exit status (app/exit_status.h).  *started is false when the
 * terminal could not show the UI: nothing was read, and the caller may run
 * without it.  A configuration file that cannot be read or says something
 * wrong (ui/ui_config.h) ends the run with a line on standard error and
 * EXIT_USAGE, *started true. */
int run_ui(const options *o, bool *started);

#endif
