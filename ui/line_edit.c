#include "line_edit.h"

#include "output/textwidth.h"
#include "ui/keys.h"

void line_edit_init(line_edit *le, const char *initial)
{
	le->text = g_string_new(initial ? initial : "");
	le->cursor = le->text->len;
}

void line_edit_clear(line_edit *le)
{
	if (le->text)
		g_string_free(le->text, TRUE);
	le->text = NULL;
	le->cursor = 0;
}

static size_t prev_char(const line_edit *le, size_t at)
{
	if (at == 0)
		return 0;
	const char *p = g_utf8_find_prev_char(le->text->str, le->text->str + at);
	return p ? (size_t)(p - le->text->str) : 0;
}

static size_t next_char(const line_edit *le, size_t at)
{
	if (at >= le->text->len)
		return le->text->len;
	const char *p = g_utf8_find_next_char(le->text->str + at, le->text->str + le->text->len);
	return p ? (size_t)(p - le->text->str) : le->text->len;
}

line_edit_result line_edit_key(line_edit *le, int key)
{
	size_t at;
	switch (key) {
	case KEY_CODE_ENTER:
		return LINE_EDIT_ACCEPT;
	case KEY_CODE_ESC:
		return LINE_EDIT_CANCEL;
	case KEY_CODE_LEFT:
		le->cursor = prev_char(le, le->cursor);
		return LINE_EDIT_MOVED;
	case KEY_CODE_RIGHT:
		le->cursor = next_char(le, le->cursor);
		return LINE_EDIT_MOVED;
	case KEY_CODE_HOME:
	case KEY_CTRL('a'):
		le->cursor = 0;
		return LINE_EDIT_MOVED;
	case KEY_CODE_END:
	case KEY_CTRL('e'):
		le->cursor = le->text->len;
		return LINE_EDIT_MOVED;
	case KEY_CODE_BACKSPACE:
		if (le->cursor == 0)
			return LINE_EDIT_MOVED;
		at = prev_char(le, le->cursor);
		g_string_erase(le->text, (gssize)at, (gssize)(le->cursor - at));
		le->cursor = at;
		return LINE_EDIT_CHANGED;
	case KEY_CODE_DELETE:
		if (le->cursor >= le->text->len)
			return LINE_EDIT_MOVED;
		at = next_char(le, le->cursor);
		g_string_erase(le->text, (gssize)le->cursor, (gssize)(at - le->cursor));
		return LINE_EDIT_CHANGED;
	case KEY_CTRL('u'):
		g_string_erase(le->text, 0, (gssize)le->cursor);
		le->cursor = 0;
		return LINE_EDIT_CHANGED;
	case KEY_CTRL('k'):
		g_string_truncate(le->text, le->cursor);
		return LINE_EDIT_CHANGED;
	case KEY_CTRL('w'):
		at = le->cursor;
		while (at > 0 && le->text->str[at - 1] == ' ')
			at--;
		while (at > 0 && le->text->str[at - 1] != ' ')
			at--;
		g_string_erase(le->text, (gssize)at, (gssize)(le->cursor - at));
		le->cursor = at;
		return LINE_EDIT_CHANGED;
	default:
		break;
	}
	if (key < 0x20 || key == 0x7f || key >= KEY_CODE_SPECIAL || (key >= 0x80 && key < 0xa0) ||
	    !g_unichar_validate((gunichar)key))
		return LINE_EDIT_NONE;
	char buf[8];
	int n = g_unichar_to_utf8((gunichar)key, buf);
	g_string_insert_len(le->text, (gssize)le->cursor, buf, n);
	le->cursor += (size_t)n;
	return LINE_EDIT_CHANGED;
}

size_t line_edit_cursor_cells(const line_edit *le)
{
	return text_width(le->text->str, le->cursor);
}
