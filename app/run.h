/*
 * run.h — wires the stages for one run over capture files: sources →
 * (filter) → decoder → framer → parser → model → outputs (per-message text
 * or JSON lines as messages arrive; the model's records, --list, --stats
 * and --ladder at end of input), then reports.  The only code that knows
 * every stage.
 */
#ifndef SIPSCOPE_APP_RUN_H
#define SIPSCOPE_APP_RUN_H

#include "app/options.h"

/* Returns the process exit status (app/exit_status.h). */
int run_offline(const options *o);

#endif
