#include "message_diff.h"

#include <string.h>

#include "ui/message_text.h"

static const msg_line *line_at(const GArray *l, guint i)
{
	return &g_array_index(l, msg_line, i);
}

static bool lines_equal(const msg_line *x, const msg_line *y)
{
	return x->kind == y->kind && x->len == y->len && memcmp(x->text, y->text, x->len) == 0;
}

/* Lines that are "the same thing" and may pair as changed: the start
 * lines, headers of one name, continuation lines, body lines. */
static bool same_key(const msg_line *x, const msg_line *y)
{
	if (x->kind != y->kind)
		return false;
	if (x->kind != MSG_LINE_HEADER)
		return true;
	return x->name_len == y->name_len && g_ascii_strncasecmp(x->text, y->text, x->name_len) == 0;
}

static void add(message_diff *d, diff_kind k, int a, int b)
{
	diff_row r = { k, a, b };
	g_array_append_val(d->rows, r);
	if (k == DIFF_CHANGED)
		d->changed++;
	else if (k == DIFF_ONLY_A)
		d->only_a++;
	else if (k == DIFF_ONLY_B)
		d->only_b++;
}

/* The lines of a gap between two equal lines: same-key lines pair up as
 * changed; a left line whose key comes later on the right waits for it. */
static void gap(message_diff *d, const GArray *a, guint i, guint i1, const GArray *b, guint j,
		guint j1)
{
	while (i < i1 || j < j1) {
		if (i < i1 && j < j1 && same_key(line_at(a, i), line_at(b, j))) {
			add(d, DIFF_CHANGED, (int)i++, (int)j++);
			continue;
		}
		bool later = false;
		for (guint k = j; i < i1 && k < j1 && !later; k++)
			later = same_key(line_at(a, i), line_at(b, k));
		if (i < i1 && !later)
			add(d, DIFF_ONLY_A, (int)i++, -1);
		else
			add(d, DIFF_ONLY_B, -1, (int)j++);
	}
}

message_diff *message_diff_new(const GArray *a, const GArray *b)
{
	message_diff *d = g_new0(message_diff, 1);
	d->rows = g_array_new(FALSE, FALSE, sizeof(diff_row));
	guint n = a->len > 0 ? a->len - 1 : 0, m = b->len > 0 ? b->len - 1 : 0;
	if ((guint64)(n + 1) * (m + 1) > MESSAGE_DIFF_MAX_CELLS) {
		gap(d, a, 1, n + 1, b, 1, m + 1);
		return d;
	}
	/* len[i][j]: the longest common sequence of a[i..] and b[j..] (1-based
	 * lines, line 0 being the info line). */
	guint w = m + 2;
	guint32 *len = g_new0(guint32, (gsize)(n + 2) * w);
	for (guint i = n; i >= 1; i--)
		for (guint j = m; j >= 1; j--)
			len[i * w + j] = lines_equal(line_at(a, i), line_at(b, j))
				? len[(i + 1) * w + j + 1] + 1
				: MAX(len[(i + 1) * w + j], len[i * w + j + 1]);
	guint i = 1, j = 1, gi = 1, gj = 1;
	while (i <= n && j <= m) {
		if (lines_equal(line_at(a, i), line_at(b, j))) {
			gap(d, a, gi, i, b, gj, j);
			add(d, DIFF_SAME, (int)i++, (int)j++);
			gi = i;
			gj = j;
		} else if (len[(i + 1) * w + j] >= len[i * w + j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	gap(d, a, gi, n + 1, b, gj, m + 1);
	g_free(len);
	return d;
}

void message_diff_free(message_diff *d)
{
	if (!d)
		return;
	g_array_free(d->rows, TRUE);
	g_free(d);
}
