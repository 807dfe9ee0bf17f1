/*
 * run.h — one non-interactive run over capture files: the pipeline
 * (app/pipeline.h: sources → filter → decoder → framer → parser → model)
 * read to the end, with the outputs (per-message text or JSON lines as
 * messages arrive; the model's records, --list, --stats and --ladder at end
 * of input), then reports on standard error.  The interactive run is
 * app/run_ui.h.
 */
#ifndef SIPSCOPE_APP_RUN_H
#define SIPSCOPE_APP_RUN_H

#include "app/options.h"
#include "app/pipeline.h"

/* Returns the process exit status (app/exit_status.h). */
int run_offline(const options *o);

/* On standard error: what each live input received and dropped (kernel,
 * interface, sipscope), and what -w wrote.  Nothing for files without
 * -w. */
void run_print_capture_counts(const pipeline *p);

#endif
