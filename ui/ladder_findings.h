/*
 * ladder_findings.h — the findings shown with a ladder diagram, numbered
 * the same way by the text ladder (--ladder) and the curses screen: every
 * finding of severity warning or error that names a drawn message, in the
 * order of the rows, then those of the drawn calls that name none of them,
 * gets a number from 1; a row is marked with the numbers of its message's
 * findings ("  !1 !3").  Info findings are left out: the ladder shows what
 * went wrong.
 */
#ifndef SIPSCOPE_UI_LADDER_FINDINGS_H
#define SIPSCOPE_UI_LADDER_FINDINGS_H

#include <glib.h>

#include "dissect/findings.h"
#include "ui/ladder_layout.h"

typedef struct ladder_findings {
	const findings *f;
	GArray *shown;        /* sip_id of findings, numbered from 1 */
	GHashTable *number;   /* finding id + 1 -> number */
} ladder_findings;

/* The findings of f shown with layout l (f must not be NULL). */
ladder_findings *ladder_findings_new(const ladder_layout *l, const findings *f);
void ladder_findings_free(ladder_findings *lf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ladder_findings, ladder_findings_free)

/* The finding numbered n (1-based), or NULL. */
const finding *ladder_findings_at(const ladder_findings *lf, guint n);
/* Appends the marks of a row's message: "  !1 !3" (nothing when none). */
void ladder_findings_append_marks(GString *out, const ladder_findings *lf, sip_id msg);
/* The worst severity among the shown findings of a message, or -1. */
int ladder_findings_severity(const ladder_findings *lf, sip_id msg);

#endif
