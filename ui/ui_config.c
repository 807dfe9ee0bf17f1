#include "ui_config.h"

#include <errno.h>
#include <string.h>

/* The file has no group header; GKeyFile wants one. */
#define GROUP "sipscope"

void ui_config_init(ui_config *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < CALL_COL__COUNT; i++)
		c->columns[c->n_columns++] = (ui_column){ (call_col)i, 0 };
}

char *ui_config_default_path(void)
{
	return g_build_filename(g_get_user_config_dir(), "sipscope", "config", NULL);
}

static void known_names(GString *out)
{
	for (int i = 0; i < CALL_COL__COUNT; i++) {
		if (i)
			g_string_append(out, ", ");
		g_string_append(out, call_col_name((call_col)i));
	}
}

bool ui_config_parse_columns(ui_config *c, const char *text, GError **err)
{
	ui_config out = { 0 };
	g_auto(GStrv) items = g_strsplit(text, ",", -1);
	for (char **p = items; *p; p++) {
		char *item = g_strstrip(*p);
		if (!*item) {
			g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "an empty column name in 'columns'");
			return false;
		}
		unsigned width = 0;
		char *colon = strchr(item, ':');
		if (colon) {
			*colon = '\0';
			g_strstrip(item);
			const char *w = g_strstrip(colon + 1);
			guint64 v = 0;
			if (!g_ascii_string_to_unsigned(w, 10, 1, UI_CONFIG_MAX_WIDTH, &v, NULL)) {
				g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
					    "the width of column '%s' must be a number from 1 to %d, not '%s'",
					    item, UI_CONFIG_MAX_WIDTH, w);
				return false;
			}
			width = (unsigned)v;
		}
		call_col col;
		if (!call_col_lookup(item, &col)) {
			g_autoptr(GString) known = g_string_new(NULL);
			known_names(known);
			g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "unknown column '%s' in 'columns' (known: %s)", item, known->str);
			return false;
		}
		for (unsigned i = 0; i < out.n_columns; i++) {
			if (out.columns[i].col == col) {
				g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
					    "column '%s' is listed twice in 'columns'", call_col_name(col));
				return false;
			}
		}
		out.columns[out.n_columns++] = (ui_column){ col, width };
	}
	if (out.n_columns == 0) {
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "'columns' lists no column");
		return false;
	}
	*c = out;
	return true;
}

static bool apply(ui_config *c, GKeyFile *kf, GError **err)
{
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g; g++) {
		if (strcmp(*g, GROUP) != 0) {
			g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
				    "unknown section [%s] (settings are plain 'key = value' lines)", *g);
			return false;
		}
	}
	ui_config next = *c;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, GROUP, NULL, NULL);
	for (char **k = keys; k && *k; k++) {
		if (strcmp(*k, "columns") != 0) {
			g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
				    "unknown setting '%s' (known: columns)", *k);
			return false;
		}
		g_autofree char *v = g_key_file_get_string(kf, GROUP, *k, err);
		if (!v || !ui_config_parse_columns(&next, v, err))
			return false;
	}
	*c = next;
	return true;
}

bool ui_config_load(ui_config *c, const char *path, bool must_exist, GError **err)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		if (!must_exist && g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_error_free(e);
			return true;
		}
		g_propagate_error(err, e);
		return false;
	}
	g_autofree char *whole = g_strconcat("[" GROUP "]\n", text, NULL);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	if (!g_key_file_load_from_data(kf, whole, (gsize)-1, G_KEY_FILE_NONE, &e) || !apply(c, kf, &e)) {
		g_set_error(err, e->domain, e->code, "%s: %s", path, e->message);
		g_error_free(e);
		return false;
	}
	return true;
}
