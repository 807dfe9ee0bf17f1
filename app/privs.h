/*
 * privs.h — giving up root after the capture handles are open (-Z USER),
 * as tcpdump does: supplementary groups, then the group, then the user.
 * Nothing is read from the network before this has succeeded, and a
 * failure stops the program: it never goes on with privileges it was
 * asked to give up.
 */
#ifndef SIPSCOPE_APP_PRIVS_H
#define SIPSCOPE_APP_PRIVS_H

#include <glib.h>
#include <stdbool.h>

/* Switches to user (a name or a number): setgroups/initgroups, setgid,
 * setuid, then checks that root cannot be taken back.  False + *err with
 * one line ("-Z nobody: ...") on any failure. */
bool privs_drop(const char *user, GError **err);

#endif
