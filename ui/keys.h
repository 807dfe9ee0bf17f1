/*
 * keys.h — key codes as the screens see them, free of curses: a Unicode
 * code point for a character typed (control characters included: Enter is
 * KEY_CODE_ENTER, Escape 27), or one of the codes below (above the Unicode
 * range) for keys that are not characters.  ui/tty.c translates curses'
 * codes into these.
 */
#ifndef SIPSCOPE_UI_KEYS_H
#define SIPSCOPE_UI_KEYS_H

enum {
	KEY_CODE_NONE = -1,      /* nothing pressed (timeout) */
	KEY_CODE_TAB = 9,
	KEY_CODE_ENTER = 10,
	KEY_CODE_ESC = 27,
	KEY_CODE_SPECIAL = 0x110000,
	KEY_CODE_UP = KEY_CODE_SPECIAL,
	KEY_CODE_DOWN,
	KEY_CODE_LEFT,
	KEY_CODE_RIGHT,
	KEY_CODE_PGUP,
	KEY_CODE_PGDN,
	KEY_CODE_HOME,
	KEY_CODE_END,
	KEY_CODE_BACKSPACE,
	KEY_CODE_DELETE,
	KEY_CODE_RESIZE,         /* the terminal changed size */
	KEY_CODE_F1,             /* F1..F12 follow in order */
	KEY_CODE_F2, KEY_CODE_F3, KEY_CODE_F4, KEY_CODE_F5, KEY_CODE_F6,
	KEY_CODE_F7, KEY_CODE_F8, KEY_CODE_F9, KEY_CODE_F10, KEY_CODE_F11, KEY_CODE_F12,
	KEY_CODE_BTAB,           /* Shift-Tab */
	KEY_CODE_OTHER,          /* a key of no use here */
};

/* Ctrl-letter as typed: KEY_CTRL('u') == 21. */
#define KEY_CTRL(c) ((c) & 0x1f)

#endif
