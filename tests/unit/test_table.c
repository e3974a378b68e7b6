// SPDX-License-Identifier: GPL-2.0
/* A table's columns: the settings' text, showing, hiding, moving, places, titles, sort. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "ui/table.h"

enum { C_ID, C_NAME, C_SIZE, C_BAR, C_TEXT, C_NCOLS };

static const struct table_col cols[C_NCOLS] = {
	[C_ID] = { "id", "ID", 5, false, true, false, false },
	[C_NAME] = { "name", "NAME", 6, true, true, false, false },
	[C_SIZE] = { "size", "SIZE", 4, false, false, false, false },
	[C_BAR] = { "bar", "BAR", 3, true, false, false, true },
	[C_TEXT] = { "text", "TEXT", 8, true, true, true, false },
};

static const unsigned char order[] = { C_ID, C_NAME, C_SIZE, C_TEXT };

static const struct table_def def = {
	.name = "things",
	.title = "Things",
	.cols = cols,
	.ncols = C_NCOLS,
	.order = order,
	.norder = sizeof(order),
};

static char *row_text(const struct canvas *cv, int row)
{
	static char buf[256];

	canvas_row_text(cv, row, buf, sizeof(buf));
	return buf;
}

static void test_default_and_text(void **state)
{
	struct table t;
	char buf[64];

	(void)state;
	table_init(&t, &def, C_SIZE);
	table_text(&t, buf, sizeof(buf));
	assert_string_equal(buf, "id,name,size,text");
	assert_false(table_shows(&t, C_BAR));
	assert_int_equal(table_pos(&t, C_TEXT), 3);
	assert_int_equal(table_col_find(&def, "bar"), C_BAR);
	assert_int_equal(table_col_find(&def, "nosuch"), -1);
}

static void test_parse(void **state)
{
	struct table t;
	char why[128], buf[64];

	(void)state;
	table_init(&t, &def, C_SIZE);
	assert_int_equal(table_parse(&t, "text, bar,id", why, sizeof(why)), 0);
	table_text(&t, buf, sizeof(buf));
	assert_string_equal(buf, "text,bar,id");
	/* a bad list leaves the columns as they were */
	assert_int_equal(table_parse(&t, "id,nosuch", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "things has no column 'nosuch'");
	assert_int_equal(table_parse(&t, "id,name,id", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "column 'id' is listed twice");
	assert_int_equal(table_parse(&t, " , ", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "things: no column to show");
	table_text(&t, buf, sizeof(buf));
	assert_string_equal(buf, "text,bar,id");
}

static void test_toggle_and_move(void **state)
{
	struct table t;
	char buf[64];

	(void)state;
	table_init(&t, &def, C_SIZE);
	/* a column shown again goes before the one that takes the rest of the row */
	table_toggle(&t, C_BAR);
	table_text(&t, buf, sizeof(buf));
	assert_string_equal(buf, "id,name,size,bar,text");
	table_toggle(&t, C_NAME);
	table_text(&t, buf, sizeof(buf));
	assert_string_equal(buf, "id,size,bar,text");
	table_move(&t, 0, 1);
	table_move(&t, 3, 1); /* the last one cannot go further */
	table_move(&t, 0, -1);
	table_text(&t, buf, sizeof(buf));
	assert_string_equal(buf, "size,id,bar,text");
	/* the last shown column stays */
	assert_int_equal(table_parse(&t, "id", buf, sizeof(buf)), 0);
	table_toggle(&t, C_ID);
	assert_int_equal(t.n, 1);
	assert_true(table_shows(&t, C_ID));
}

static void test_place_titles_and_clicks(void **state)
{
	struct canvas cv;
	struct table t;

	(void)state;
	canvas_init(&cv, 40, 4, false); /* ASCII: the ellipsis is ~ */
	table_init(&t, &def, C_SIZE);
	assert_int_equal(table_place(&t, 1, 40), 40);
	assert_int_equal(t.x[0], 1);
	assert_int_equal(t.x[1], 7);
	assert_int_equal(t.x[2], 14);
	assert_int_equal(t.x[3], 19);
	assert_int_equal(t.w[3], 20); /* the text takes the rest */
	table_draw_titles(&t, &cv, 0, THEME_TITLE);
	/* figures largest first: v, the mark in the space before a full title */
	assert_string_equal(row_text(&cv, 0), "    ID NAME  vSIZE TEXT");
	table_cell(&t, &cv, 1, 0, THEME_DEFAULT, "42");
	table_cell(&t, &cv, 1, 1, THEME_DEFAULT, "a-long-name");
	table_cell(&t, &cv, 1, 2, THEME_DEFAULT, "7");
	assert_string_equal(row_text(&cv, 1), "    42 a-lon~    7");
	/* a click on a title, or the space before it, is that column's */
	assert_int_equal(table_col_at(&t, 3), C_ID);
	assert_int_equal(table_col_at(&t, 13), C_SIZE);
	assert_int_equal(table_col_at(&t, 30), C_TEXT);
	table_sort_click(&t, C_SIZE);
	assert_true(t.reverse);
	table_sort_click(&t, C_ID);
	assert_int_equal(t.sort, C_ID);
	assert_false(t.reverse);
	canvas_reset(&cv, 40, 4);
	table_draw_titles(&t, &cv, 0, THEME_TITLE);
	assert_string_equal(row_text(&cv, 0), "   ^ID NAME   SIZE TEXT");
	/* hidden, the column is gone from the row and the others move up */
	table_toggle(&t, C_NAME);
	table_place(&t, 1, 40);
	canvas_reset(&cv, 40, 4);
	table_draw_titles(&t, &cv, 0, THEME_TITLE);
	assert_string_equal(row_text(&cv, 0), "   ^ID SIZE TEXT");
	assert_int_equal(table_col_at(&t, 9), C_SIZE);
	canvas_free(&cv);
}

static void test_sort_next(void **state)
{
	struct table t;

	(void)state;
	table_init(&t, &def, C_SIZE);
	table_toggle(&t, C_BAR);
	/* the bar is skipped: not a sort of its own */
	table_sort_next(&t, 1);
	assert_int_equal(t.sort, C_TEXT);
	table_sort_next(&t, 1);
	assert_int_equal(t.sort, C_ID);
	table_sort_next(&t, -1);
	assert_int_equal(t.sort, C_TEXT);
	/* a hidden column is skipped too */
	table_toggle(&t, C_NAME);
	table_sort_next(&t, 1);
	table_sort_next(&t, 1);
	assert_int_equal(t.sort, C_SIZE);
	table_sort_click(&t, C_BAR);
	assert_int_equal(t.sort, C_SIZE);
	/* no sort yet: the first column is next */
	table_init(&t, &def, -1);
	table_sort_next(&t, 1);
	assert_int_equal(t.sort, C_ID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_and_text),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_toggle_and_move),
		cmocka_unit_test(test_place_titles_and_clicks),
		cmocka_unit_test(test_sort_next),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
