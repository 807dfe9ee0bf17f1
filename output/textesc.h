/*
 * textesc.h — bytes from the wire made safe for a terminal.
 *
 * Nothing that came from a packet reaches the terminal unescaped: control
 * characters (C0, DEL, and the C1 range when encoded in UTF-8) become \xHH,
 * backslash becomes \\, and bytes of invalid UTF-8 become \xHH, so an escape
 * sequence hidden in a header can never move the cursor or change colours.
 */
#ifndef SIPSCOPE_OUTPUT_TEXTESC_H
#define SIPSCOPE_OUTPUT_TEXTESC_H

#include <glib.h>

#include "base/bytes.h"

/* Appends v escaped as above; "-" for an absent view (v.p == NULL). */
void text_append_sv(GString *out, sv v);

#endif
