// SPDX-License-Identifier: GPL-2.0
/* The setup screen: what its keys and clicks ask for, and what it draws. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "ui/setup_screen.h"

#define K_UP 0403    /* ncurses' KEY_UP, KEY_DOWN, KEY_LEFT, KEY_RIGHT (its header clashes) */
#define K_DOWN 0402
#define K_LEFT 0404
#define K_RIGHT 0405
#define K_F2 (0410 + 2)

static void test_keys(void **state)
{
	size_t sel = 0;

	(void)state;
	assert_int_equal(setup_screen_key(K_UP, 3, &sel), SETUP_MOVED);
	assert_int_equal(sel, 0); /* clamped at the top */
	assert_int_equal(setup_screen_key(K_DOWN, 3, &sel), SETUP_MOVED);
	assert_int_equal(setup_screen_key('j', 3, &sel), SETUP_MOVED);
	assert_int_equal(setup_screen_key(K_DOWN, 3, &sel), SETUP_MOVED);
	assert_int_equal(sel, 2); /* and at the bottom */
	assert_int_equal(setup_screen_key('\n', 3, &sel), SETUP_NEXT);
	assert_int_equal(setup_screen_key(K_RIGHT, 3, &sel), SETUP_NEXT);
	assert_int_equal(setup_screen_key(K_LEFT, 3, &sel), SETUP_PREV);
	assert_int_equal(setup_screen_key(27, 3, &sel), SETUP_LEAVE);
	assert_int_equal(setup_screen_key(K_F2, 3, &sel), SETUP_LEAVE);
	assert_int_equal(setup_screen_key('x', 3, &sel), SETUP_NONE);
	assert_int_equal(sel, 2);
}

static void test_clicks(void **state)
{
	size_t sel = 0;

	(void)state;
	assert_int_equal(setup_screen_click(0, 3, &sel), SETUP_NONE); /* the title */
	assert_int_equal(setup_screen_click(3, 3, &sel), SETUP_MOVED);
	assert_int_equal(sel, 1);
	assert_int_equal(setup_screen_click(3, 3, &sel), SETUP_NEXT); /* again: change it */
	assert_int_equal(setup_screen_click(9, 3, &sel), SETUP_NONE); /* below the rows */
	assert_int_equal(sel, 1);
}

static void test_draw(void **state)
{
	struct setup_row rows[2] = {
		{ .label = "Refresh interval (s)", .value = "2", .help = "how often" },
		{ .label = "Mouse", .value = "yes", .help = "clicks" },
	};
	struct canvas cv;
	char line[256];

	(void)state;
	canvas_init(&cv, 80, 10, true);
	setup_screen_draw(&cv, rows, 2, 1, "/home/u/.config/ktop/ktoprc");
	canvas_row_text(&cv, 2, line, sizeof(line));
	assert_non_null(strstr(line, "Refresh interval (s)"));
	assert_non_null(strstr(line, " 2"));
	canvas_row_text(&cv, 3, line, sizeof(line));
	assert_non_null(strstr(line, "Mouse"));
	assert_int_equal(cv.cells[3 * cv.width].role, THEME_SELECTION);
	assert_int_not_equal(cv.cells[2 * cv.width].role, THEME_SELECTION);
	canvas_row_text(&cv, 5, line, sizeof(line));
	assert_non_null(strstr(line, "clicks")); /* the selected row's help */
	canvas_row_text(&cv, 7, line, sizeof(line));
	assert_non_null(strstr(line, "/home/u/.config/ktop/ktoprc"));
	canvas_free(&cv);
}

/* The columns page: Space toggles, [ ] move, Esc or Left back; a second click toggles. */
static void test_columns_page(void **state)
{
	struct setup_column cols[2] = {
		{ .name = "pid", .title = "PID", .shown = true },
		{ .name = "cgroup", .title = "CGROUP", .shown = false },
	};
	struct canvas cv;
	char line[256];
	size_t sel = 0;

	(void)state;
	assert_int_equal(setup_columns_key(' ', 2, &sel), SETUP_COLUMNS_TOGGLE);
	assert_int_equal(setup_columns_key('\n', 2, &sel), SETUP_COLUMNS_TOGGLE);
	assert_int_equal(setup_columns_key('[', 2, &sel), SETUP_COLUMNS_LEFT);
	assert_int_equal(setup_columns_key(']', 2, &sel), SETUP_COLUMNS_RIGHT);
	assert_int_equal(setup_columns_key(K_LEFT, 2, &sel), SETUP_COLUMNS_BACK);
	assert_int_equal(setup_columns_key(27, 2, &sel), SETUP_COLUMNS_BACK);
	assert_int_equal(setup_columns_key(K_DOWN, 2, &sel), SETUP_COLUMNS_MOVED);
	assert_int_equal(sel, 1);
	assert_int_equal(setup_columns_key('x', 2, &sel), SETUP_COLUMNS_NONE);
	assert_int_equal(setup_columns_click(2, 2, &sel), SETUP_COLUMNS_MOVED);
	assert_int_equal(sel, 0);
	assert_int_equal(setup_columns_click(2, 2, &sel), SETUP_COLUMNS_TOGGLE);
	canvas_init(&cv, 80, 10, true);
	setup_columns_draw(&cv, "Overview: processes", cols, 2, 1);
	canvas_row_text(&cv, 0, line, sizeof(line));
	assert_non_null(strstr(line, "Columns of Overview: processes"));
	canvas_row_text(&cv, 2, line, sizeof(line));
	assert_non_null(strstr(line, "[x] PID"));
	canvas_row_text(&cv, 3, line, sizeof(line));
	assert_non_null(strstr(line, "[ ] CGROUP"));
	assert_int_equal(cv.cells[3 * cv.width].role, THEME_SELECTION);
	canvas_free(&cv);
	/* a short screen shows fewer rows; never none */
	assert_int_equal(setup_screen_page(24), 18);
	assert_int_equal(setup_screen_page(3), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_clicks),
		cmocka_unit_test(test_draw),
		cmocka_unit_test(test_columns_page),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
