// SPDX-License-Identifier: GPL-2.0
/*
 * The Off-CPU panel on a model built here: the tree as text, folded and JSON exports, the
 * flame view, and the tree view's keys (expand, collapse, hottest path, zoom, search, invert).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ncurses.h>

#include "collectors/offcpu_model.h"
#include "core/export.h"
#include "tests/unit/frame_test.h"
#include "tests/unit/panel_test.h"
#include "ui/offcpu_panel.h"

static struct stack_frame f_sleep[] = {U("main"), U("a"), U("b"), K("do_nanosleep"), K("schedule")};
static struct stack_frame f_read[] = {U("main"), U("a"), U("reader;x"), K("ksys_read"),
				      K("schedule")};
static struct stack_frame f_wait[] = {U("start_thread"), U("worker"), K("futex_wait"),
				      K("schedule")};

static struct offcpu_model model;
static struct filter flt;
static struct collector collector = {.is_open = true, .mode = "tp_btf"};

static void build_model(void)
{
	struct stack_sample x = {.pid = 10, .tid = 10, .comm = "app", .pcomm = "app"};

	memset(&model, 0, sizeof(model));
	x.frames = f_sleep;
	x.nframes = 5;
	x.value = 300000;
	x.count = 3;
	stack_set_add(&model.cumulative, &x);
	x.tid = 11;
	x.comm = "app io";
	x.frames = f_read;
	x.value = 100000;
	stack_set_add(&model.cumulative, &x);
	x = (struct stack_sample){.pid = 20,
				  .tid = 21,
				  .comm = "db",
				  .pcomm = "db",
				  .frames = f_wait,
				  .nframes = 4,
				  .value = 50000,
				  .count = 5};
	stack_set_add(&model.cumulative, &x);
	stack_set_copy(&model.interval, &model.cumulative);
	model.interval_s = 1.0;
	model.cumulative_s = 42;
	model.min_block_us = 1;
	model.polls = 1;
}

static int setup(void **state)
{
	struct panel *p = calloc(1, sizeof(*p));

	build_model();
	p->ops = &offcpu_panel_ops;
	p->collector = &collector;
	p->model = &model;
	p->filter = &flt;
	offcpu_panel_init(p);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct panel *p = *state;

	p->ops->free(p);
	free(p);
	stack_set_clear(&model.interval);
	stack_set_clear(&model.cumulative);
	return 0;
}

/* What the panel draws on a screen of this height, as text. */
static char *draw_to_string(struct panel *p, int rows)
{
	struct canvas cv;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	canvas_init(&cv, 100, rows, true);
	p->ops->draw(p, &cv);
	canvas_write_text(&cv, f);
	fclose(f);
	canvas_free(&cv);
	return buf;
}

static void test_text_tree_fully_expanded(void **state)
{
	char *t = export_to_string(*state, EXPORT_TEXT);

	assert_non_null(strstr(t, "all"));
	assert_non_null(strstr(t, "app (10)"));
	assert_non_null(strstr(t, "db (20)"));
	/* the export shows everything expanded, kernel frames marked */
	assert_non_null(strstr(t, "do_nanosleep_[k]"));
	assert_non_null(strstr(t, "futex_wait_[k]"));
	assert_non_null(strstr(t, " 450.0ms  100.0%"));
	assert_non_null(strstr(t, " 300.0ms   66.7%"));
	free(t);
}

static void test_screen_starts_collapsed(void **state)
{
	char *t = draw_to_string(*state, 20);

	assert_non_null(strstr(t, "app (10)"));
	assert_null(strstr(t, "do_nanosleep"));
	free(t);
}

static void test_folded(void **state)
{
	char *t = export_to_string(*state, EXPORT_FOLDED);

	assert_non_null(strstr(t, "app;main;a;b;do_nanosleep_[k];schedule_[k] 300000\n"));
	/* a ';' inside a name or a space in comm would break the format */
	assert_non_null(strstr(t, "app_io;main;a;reader:x;ksys_read_[k];schedule_[k] 100000\n"));
	assert_non_null(strstr(t, "db;start_thread;worker;futex_wait_[k];schedule_[k] 50000\n"));
	free(t);
}

static void test_json(void **state)
{
	char *json = export_to_string(*state, EXPORT_JSON);
	char path[] = "/tmp/ktop-test-offcpu.XXXXXX", cmd[600];
	FILE *f = fdopen(mkstemp(path), "w");

	fputs(json, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json; d=json.load(open(\"%s\")); s=d[\"stacks\"]; "
		 "assert d[\"panel\"]==\"offcpu\" and d[\"total_us\"]==450000, d; "
		 "assert len(s)==3 and s[0][\"pid\"]==10 and s[0][\"off_cpu_us\"]==300000; "
		 "assert [x[\"name\"] for x in s[0][\"frames\"]][-1]==\"schedule\"; "
		 "assert s[0][\"frames\"][0][\"kind\"]==\"user\" and "
		 "s[0][\"frames\"][-1][\"kind\"]==\"kernel\"'",
		 path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
	free(json);
}

static void test_keys_expand_zoom_invert(void **state)
{
	struct panel *p = *state;
	char *t;

	/* the cursor starts on "all"; down to app, expand the hottest path */
	assert_true(key_used(p, KEY_DOWN));
	assert_true(key_used(p, 'e'));
	t = draw_to_string(p, 20);
	assert_non_null(strstr(t, "do_nanosleep_[k]"));
	assert_null(strstr(t, "ksys_read"));
	free(t);
	/* zoom into app: db is gone from the view; Backspace brings it back */
	assert_true(key_used(p, 'z'));
	t = draw_to_string(p, 20);
	assert_null(strstr(t, "db (20)"));
	free(t);
	assert_true(key_used(p, KEY_BACKSPACE));
	t = draw_to_string(p, 20);
	assert_non_null(strstr(t, "db (20)"));
	free(t);
	/* collapse app again with Left */
	assert_true(key_used(p, KEY_HOME));
	assert_true(key_used(p, KEY_DOWN));
	assert_true(key_used(p, KEY_LEFT));
	t = draw_to_string(p, 20);
	assert_null(strstr(t, "do_nanosleep"));
	free(t);
	/* inverted: schedule first under all */
	assert_true(key_used(p, 'i'));
	t = draw_to_string(p, 20);
	assert_non_null(strstr(t, "innermost first"));
	assert_non_null(strstr(t, "schedule_[k]"));
	free(t);
}

/* With data, every key of the panel's and the tree's rows is used, and no other key. */
static void test_keys_are_the_tables(void **state)
{
	assert_keys_are_the_tables(*state, true);
}

static void test_search_reveals(void **state)
{
	struct panel *p = *state;
	char *t;

	assert_true(p->ops->search(p, "futex"));
	t = draw_to_string(p, 20);
	assert_non_null(strstr(t, "futex_wait_[k]"));
	free(t);
	assert_false(p->ops->search(p, "no-such-frame"));
}

static void test_flame(void **state)
{
	struct panel *p = *state;
	char *t;

	assert_true(key_used(p, 'f'));
	t = draw_to_string(p, 12);
	/* the root at the bottom, the processes above it, app wider than db */
	assert_non_null(strstr(t, "\xe2\x94\x82"
				  "all"));
	assert_non_null(strstr(t, "\xe2\x94\x82"
				  "app (10)"));
	assert_true(strstr(t, "app (10)") < strstr(t, "all"));
	free(t);
}

static void test_threshold(void **state)
{
	struct panel *p = *state;
	struct filter f = {0};
	char why[128], text[64];

	assert_int_equal(p->ops->set_threshold(p, "1000-50000", &f, why, sizeof(why)), 0);
	assert_int_equal(f.min_block_us, 1000);
	assert_int_equal(f.max_block_us, 50000);
	p->ops->threshold_text(p, &f, text, sizeof(text));
	assert_string_equal(text, "block 1.00ms-50.0ms");
	assert_int_not_equal(p->ops->set_threshold(p, "500-10", &f, why, sizeof(why)), 0);
	assert_int_not_equal(p->ops->set_threshold(p, "x", &f, why, sizeof(why)), 0);
	assert_int_equal(p->ops->set_threshold(p, "", &f, why, sizeof(why)), 0);
	assert_int_equal(f.min_block_us, 1);
	assert_int_equal(f.max_block_us, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_tree_fully_expanded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_screen_starts_collapsed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_expand_zoom_invert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_are_the_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_reveals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threshold, setup, teardown),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
