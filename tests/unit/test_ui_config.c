/* The UI's configuration file (ui/ui_config.h): the columns of the call
 * list, and every mistake refused with one line. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ui/ui_config.h"

static void test_defaults(void)
{
	ui_config c;
	ui_config_init(&c);
	g_assert_cmpuint(c.n_columns, ==, CALL_COL__COUNT);
	for (unsigned i = 0; i < c.n_columns; i++) {
		g_assert_cmpint(c.columns[i].col, ==, (call_col)i);
		g_assert_cmpuint(c.columns[i].width, ==, 0);
	}
}

static void test_columns(void)
{
	ui_config c;
	ui_config_init(&c);
	g_autoptr(GError) err = NULL;
	g_assert_true(ui_config_parse_columns(&c, " findings , FROM:24,index ", &err));
	g_assert_no_error(err);
	g_assert_cmpuint(c.n_columns, ==, 3);
	g_assert_cmpint(c.columns[0].col, ==, CALL_COL_FINDINGS);
	g_assert_cmpint(c.columns[1].col, ==, CALL_COL_FROM);
	g_assert_cmpuint(c.columns[1].width, ==, 24);
	g_assert_cmpint(c.columns[2].col, ==, CALL_COL_INDEX);
}

static void refused(const char *text, const char *says)
{
	ui_config c;
	ui_config_init(&c);
	g_autoptr(GError) err = NULL;
	g_assert_false(ui_config_parse_columns(&c, text, &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, says));
	g_assert_null(strchr(err->message, '\n'));
	/* unchanged */
	g_assert_cmpuint(c.n_columns, ==, CALL_COL__COUNT);
}

static void test_mistakes(void)
{
	refused("index,fromm", "unknown column 'fromm'");
	refused("index,,to", "empty column name");
	refused("to,to", "listed twice");
	refused("from:0", "from 1 to 200");
	refused("from:201", "from 1 to 200");
	refused("from:x", "not 'x'");
	refused("", "lists no column");
}

static void test_file(void)
{
	g_autofree char *dir = g_dir_make_tmp("sipscope-config-XXXXXX", NULL);
	g_assert_nonnull(dir);
	g_autofree char *path = g_build_filename(dir, "config", NULL);
	ui_config c;
	ui_config_init(&c);
	g_autoptr(GError) err = NULL;

	/* A missing default file is fine; a missing --config file is not. */
	g_assert_true(ui_config_load(&c, path, false, &err));
	g_assert_cmpuint(c.n_columns, ==, CALL_COL__COUNT);
	g_assert_false(ui_config_load(&c, path, true, &err));
	g_clear_error(&err);

	g_assert_true(g_file_set_contents(path, "# comment\n\ncolumns = msgs, state:10\n", -1, NULL));
	g_assert_true(ui_config_load(&c, path, true, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(c.n_columns, ==, 2);
	g_assert_cmpuint(c.columns[1].width, ==, 10);

	g_assert_true(g_file_set_contents(path, "colour = red\n", -1, NULL));
	g_assert_false(ui_config_load(&c, path, true, &err));
	g_assert_nonnull(strstr(err->message, "unknown setting 'colour'"));
	g_assert_nonnull(strstr(err->message, path));
	g_clear_error(&err);
	g_assert_cmpuint(c.n_columns, ==, 2);

	g_assert_true(g_file_set_contents(path, "[ui]\ncolumns = index\n", -1, NULL));
	g_assert_false(ui_config_load(&c, path, true, &err));
	g_assert_nonnull(strstr(err->message, "unknown section [ui]"));
	g_clear_error(&err);

	g_assert_true(g_file_set_contents(path, "just words\n", -1, NULL));
	g_assert_false(ui_config_load(&c, path, true, &err));
	g_clear_error(&err);

	g_unlink(path);
	g_rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ui_config/defaults", test_defaults);
	g_test_add_func("/ui_config/columns", test_columns);
	g_test_add_func("/ui_config/mistakes", test_mistakes);
	g_test_add_func("/ui_config/file", test_file);
	return g_test_run();
}
