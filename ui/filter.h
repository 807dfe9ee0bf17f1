/*
 * filter.h — the call list's filter line, as a predicate over the model's
 * calls.  Free of curses and of any screen state, so it is tested alone.
 *
 * Two kinds of filter text:
 *  - plain text: a substring, compared ignoring ASCII case, of the call's
 *    method, its state as the call list shows it ("answered", "busy 486"),
 *    its From and To URIs, its Call-ID, or of the start line or any header
 *    value of any of its messages;
 *  - "~" then a regular expression (GRegex, Perl syntax, case-sensitive
 *    unless it says (?i); ^ and $ match at the start and end of each
 *    line): it must match the raw bytes of one of the call's messages
 *    (start line, headers and body), or one of the call's fields above.
 * Leading and trailing spaces of the text are ignored; an empty text is no
 * filter (ui_filter_new returns NULL without error).
 *
 * Cost: the call's own fields are cheap and re-checked each time (a state
 * changes while the capture loads); the messages are scanned once each,
 * so a caller that applies the filter while messages keep arriving passes
 * the count already scanned and gets it back advanced (ui_filter_scan).
 * A regular expression runs under PCRE2 match and heap limits, so a
 * pattern that backtracks badly costs milliseconds per message, not
 * seconds; a message on which it hits a limit does not match.
 *
 * A filter is for one thread: the tests of the call's fields share a
 * buffer of the filter's.
 */
#ifndef SIPSCOPE_UI_FILTER_H
#define SIPSCOPE_UI_FILTER_H

#include <glib.h>
#include <stdbool.h>

#include "dissect/model.h"

typedef struct ui_filter ui_filter;

/* NULL without *err for an empty text; NULL with *err for a regular
 * expression that does not compile. */
ui_filter *ui_filter_new(const char *text, GError **err);
void ui_filter_free(ui_filter *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ui_filter, ui_filter_free)

/* The text as typed (trimmed), "~" included. */
const char *ui_filter_text(const ui_filter *f);
bool ui_filter_is_regex(const ui_filter *f);
/* Whether no message matches next unless it matches prev: both plain
 * text, prev's a part of next's (as when a character is typed after
 * it).  A message that holds next's text in a line holds prev's there
 * too, so what was scanned without a match under prev needs no scan
 * under next.  (The call's fields are not covered: they are tested
 * again anyway.) */
bool ui_filter_narrows(const ui_filter *next, const ui_filter *prev);

/* The call's own fields: method, state, From, To, Call-ID. */
bool ui_filter_match_fields(const ui_filter *f, const sip_model *m, const sip_call *c);
/* One message: start line and header values (plain text), or the raw
 * message (regular expression). */
bool ui_filter_match_message(const ui_filter *f, const sip_message *msg);
/* The same test on a message's bytes. */
bool ui_filter_match_raw(const ui_filter *f, sv raw);

/* Scans the call's messages from *scanned on, at most max_messages of
 * them; true as soon as one matches.  *scanned advances past what was
 * scanned (a match stops the scan after the matching message). */
bool ui_filter_scan(const ui_filter *f, const sip_model *m, const sip_call *c, guint *scanned,
		    guint max_messages);
/* Fields or any message: the whole test at once. */
bool ui_filter_match_call(const ui_filter *f, const sip_model *m, const sip_call *c);

#endif
