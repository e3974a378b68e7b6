// SPDX-License-Identifier: GPL-2.0
/*
 * The header's drop counters: all of them when the row has room; on a narrow terminal the
 * ones that fit and how many did not ("+N drops (h)"), with every one listed for the help.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "ui/statusbar.h"

static const struct collector_drop drops[] = {
	{ "stack collisions", 3656 },
	{ "older stacks merged", 46322 },
	{ "missed user stacks", 12 },
};

/* A header's second row at this width. */
static const char *row1(int width, struct status_info *si)
{
	static char buf[1024];
	struct canvas cv;

	canvas_init(&cv, width, STATUS_HEADER_ROWS, true);
	statusbar_draw_header(&cv, si);
	canvas_row_text(&cv, 1, buf, sizeof(buf));
	canvas_free(&cv);
	return buf;
}

static void test_drops_fit_or_counted(void **state)
{
	struct status_info si = { .version = "0.1.0", .host = "vm", .kernel = "6.18" };
	char help[512];
	const char *r;

	(void)state;
	snprintf(si.mode, sizeof(si.mode), "tp_btf");
	memcpy(si.drops, drops, sizeof(drops));
	si.ndrops = 3;

	r = row1(200, &si);
	assert_non_null(strstr(r, "stack collisions 3656  older stacks merged 46322  "
				  "missed user stacks 12  probes: tp_btf"));
	assert_null(strstr(r, "drops (h)"));

	/* 80 columns: the first fits, the other two are counted, nothing is cut mid-name */
	r = row1(80, &si);
	assert_non_null(strstr(r, "stack collisions 3656  +2 drops (h)"));
	assert_null(strstr(r, "older"));
	assert_true(strlen(r) <= 80);

	statusbar_drops_text(&si, help, sizeof(help));
	assert_string_equal(help, "drop: stack collisions 3656\n"
				  "drop: older stacks merged 46322\n"
				  "drop: missed user stacks 12\n");
	si.ndrops = 0;
	statusbar_drops_text(&si, help, sizeof(help));
	assert_string_equal(help, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drops_fit_or_counted),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
