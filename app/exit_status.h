/*
 * exit_status.h — the documented exit statuses of sipscope (also in
 * --help, README.md and the man page).  Fixed: scripts depend on them.
 */
#ifndef SIPSCOPE_APP_EXIT_STATUS_H
#define SIPSCOPE_APP_EXIT_STATUS_H

enum {
	EXIT_OK = 0,           /* everything was read and written */
	EXIT_FINDINGS = 1,     /* --check found a finding of severity error */
	EXIT_USAGE = 2,        /* bad options or filter; -Z could not drop privileges */
	EXIT_NO_INPUT = 3,     /* an input could not be opened or is not a capture;
				* live: no such interface, down, no permission, a HEP
				* port that cannot be bound */
	EXIT_PARTIAL = 4,      /* an input was damaged (read up to the damage), or an
				* interface went down during capture */
	EXIT_OUTPUT = 5,       /* output could not be written, the -w file included */
};

#endif
