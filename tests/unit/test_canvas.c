// SPDX-License-Identifier: GPL-2.0
/* The canvas: clipping, ellipsis, wide characters, bars, ASCII fallback and text output. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/canvas.h"

static char *row_text(const struct canvas *cv, int row)
{
	static char buf[1024];

	canvas_row_text(cv, row, buf, sizeof(buf));
	return buf;
}

static void test_put_and_clip(void **state)
{
	struct canvas cv;

	(void)state;
	canvas_init(&cv, 10, 3, true);
	assert_int_equal(canvas_put(&cv, 0, 2, THEME_DEFAULT, "hello world"), 8);
	assert_string_equal(row_text(&cv, 0), "  hello wo");
	/* rows past max_rows are ignored */
	assert_int_equal(canvas_put(&cv, 3, 0, THEME_DEFAULT, "x"), 0);
	assert_int_equal(cv.rows, 1);
	assert_false(canvas_has_row(&cv, 3));
	canvas_free(&cv);
}

static void test_fit_ellipsis(void **state)
{
	struct canvas cv;

	(void)state;
	canvas_init(&cv, 20, CANVAS_UNLIMITED, true);
	assert_int_equal(canvas_put_fit(&cv, 0, 0, 5, THEME_DEFAULT, "abcdefgh"), 5);
	assert_string_equal(row_text(&cv, 0), "abcd\xe2\x80\xa6");
	assert_int_equal(canvas_put_fit(&cv, 1, 0, 5, THEME_DEFAULT, "abcde"), 5);
	assert_string_equal(row_text(&cv, 1), "abcde");
	canvas_free(&cv);
}

static void test_controls_never_drawn(void **state)
{
	struct canvas cv;

	(void)state;
	canvas_init(&cv, 20, CANVAS_UNLIMITED, true);
	canvas_put(&cv, 0, 0, THEME_DEFAULT, "a\x1b[2Jb\x7f");
	assert_string_equal(row_text(&cv, 0), "a?[2Jb?");
	canvas_free(&cv);
}

static void test_wide_and_ascii(void **state)
{
	struct canvas cv;

	(void)state;
	canvas_init(&cv, 10, CANVAS_UNLIMITED, true);
	/* two CJK characters take four columns */
	assert_int_equal(canvas_put(&cv, 0, 0, THEME_DEFAULT, "\xe6\x95\xb0\xe6\x8d\xae!"), 5);
	assert_string_equal(row_text(&cv, 0), "\xe6\x95\xb0\xe6\x8d\xae!");
	canvas_free(&cv);
	canvas_init(&cv, 10, CANVAS_UNLIMITED, false);
	canvas_put(&cv, 0, 0, THEME_DEFAULT, "caf\xc3\xa9");
	assert_string_equal(row_text(&cv, 0), "caf?");
	assert_string_equal(canvas_glyph(&cv, "right"), ">");
	canvas_free(&cv);
}

static void test_bar(void **state)
{
	struct canvas cv;

	(void)state;
	canvas_init(&cv, 20, CANVAS_UNLIMITED, true);
	assert_int_equal(canvas_bar(&cv, 0, 0, 10, 1.0, THEME_BAR), 10);
	assert_int_equal(canvas_bar(&cv, 1, 0, 10, 0.5, THEME_BAR), 5);
	/* 0.55 of 10 cells is 5 full cells and a 4/8 block */
	assert_int_equal(canvas_bar(&cv, 2, 0, 10, 0.55, THEME_BAR), 6);
	assert_string_equal(row_text(&cv, 2), "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88"
					      "\xe2\x96\x88\xe2\x96\x8c");
	assert_int_equal(canvas_bar(&cv, 3, 0, 10, 0.0, THEME_BAR), 0);
	assert_int_equal(cv.cells[3 * 20].role, THEME_DEFAULT);
	assert_int_equal(cv.cells[0].role, THEME_BAR);
	canvas_free(&cv);
	canvas_init(&cv, 20, CANVAS_UNLIMITED, false);
	canvas_bar(&cv, 0, 0, 10, 0.3, THEME_BAR);
	assert_string_equal(row_text(&cv, 0), "###");
	canvas_free(&cv);
}

static void test_write_text(void **state)
{
	struct canvas cv;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	canvas_init(&cv, 12, CANVAS_UNLIMITED, true);
	canvas_put(&cv, 0, 0, THEME_TITLE, "title");
	canvas_set_role(&cv, 0, 0, -1, THEME_TITLE);
	canvas_put(&cv, 2, 3, THEME_DEFAULT, "x");
	assert_int_equal(canvas_write_text(&cv, f), 0);
	fclose(f);
	assert_string_equal(buf, "title\n\n   x\n");
	free(buf);
	canvas_free(&cv);
}

static void test_blit(void **state)
{
	struct canvas big, small;

	(void)state;
	canvas_init(&big, 10, 5, true);
	canvas_init(&small, 4, CANVAS_UNLIMITED, true);
	canvas_put(&small, 0, 0, THEME_WARN, "abcd");
	canvas_put(&small, 1, 0, THEME_WARN, "ef");
	canvas_blit(&big, 3, 6, &small);
	assert_string_equal(row_text(&big, 3), "      abcd");
	assert_string_equal(row_text(&big, 4), "      ef");
	assert_int_equal(big.cells[3 * 10 + 6].role, THEME_WARN);
	canvas_free(&big);
	canvas_free(&small);
}

/* Draw 5000 numbered rows, some blank and a long blank run among them. */
static void draw_many(struct canvas *cv)
{
	for (int r = 0; r < 5000; r++)
		if (r % 7 && (r < 1000 || r > 3100))
			canvas_printf(cv, r, r % 5, THEME_DEFAULT, "row %d", r);
}

static void test_stream(void **state)
{
	struct canvas whole, cv;
	char *want = NULL, *got = NULL;
	size_t want_len = 0, got_len = 0;
	FILE *f = open_memstream(&want, &want_len);
	FILE *g = open_memstream(&got, &got_len);
	int held;

	(void)state;
	canvas_init(&whole, 20, CANVAS_UNLIMITED, true);
	draw_many(&whole);
	assert_int_equal(canvas_write_text(&whole, f), 0);
	fclose(f);

	canvas_stream_init(&cv, 20, g, true);
	draw_many(&cv);
	canvas_put(&cv, 1, 0, THEME_DEFAULT, "late"); /* written long ago: counted, not drawn */
	held = cv.cap_rows;
	assert_int_equal(cv.late_rows, 1);
	assert_int_equal(canvas_stream_end(&cv), 0);
	fclose(g);
	/* the same text, with a few hundred rows held at most */
	assert_true(held <= 512);
	assert_int_equal(got_len, want_len);
	assert_string_equal(got, want);
	free(want);
	free(got);
	canvas_free(&whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_and_clip),
		cmocka_unit_test(test_fit_ellipsis),
		cmocka_unit_test(test_controls_never_drawn),
		cmocka_unit_test(test_wide_and_ascii),
		cmocka_unit_test(test_bar),
		cmocka_unit_test(test_write_text),
		cmocka_unit_test(test_blit),
		cmocka_unit_test(test_stream),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
