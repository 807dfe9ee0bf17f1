/*
 * textwidth.h — how many terminal cells escaped text takes, and cutting it
 * to fit a column.  Works on what text_append_sv() produced (printable
 * ASCII and valid UTF-8 without controls): wide (East Asian) characters
 * count two cells, combining marks none.
 */
#ifndef SIPSCOPE_OUTPUT_TEXTWIDTH_H
#define SIPSCOPE_OUTPUT_TEXTWIDTH_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* Cells taken by the UTF-8 text s[0..len). */
size_t text_width(const char *s, size_t len);
/* Cuts the GString so it takes at most max cells; text that had to be cut
 * ends in "..." (within the max).  Returns the resulting width. */
size_t text_fit(GString *s, size_t max);
/* Appends s and then spaces up to width cells (nothing more when s is
 * already as wide). */
void text_append_padded(GString *out, const char *s, size_t width);
/* Spaces first, then s: right-aligned in width cells. */
void text_append_right(GString *out, const char *s, size_t width);
/* v in decimal, right-aligned in at least width cells (0: as it is), as
 * printf's "%*u" writes it; without printf, which costs more than a row's
 * other cells. */
void text_append_uint(GString *out, uint64_t v, size_t width);

#endif
