// SPDX-License-Identifier: GPL-2.0
/*
 * Keys as rows that carry their handlers: every panel of the registry uses exactly the keys its
 * tables list, each row has a handler; the global keys number the registry's panels and name
 * them from their titles; the footer and the help are drawn from the same rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <ncurses.h>

#include "core/registry.h"
#include "tests/unit/panel_test.h"
#include "ui/help.h"
#include "ui/list_nav.h"
#include "ui/statusbar.h"

/* The global keys for the registry's panels. */
static void registry_keys(struct keymap *km)
{
	const char *titles[REGISTRY_MAX_PANELS] = { NULL };

	for (size_t i = 0; i < registry_count; i++)
		titles[i] = registry[i].panel->title;
	keymap_global_init(km, titles, registry_count);
}

/* Every row of a table names its key, has a group and a handler. */
static void assert_rows_complete(const struct keymap_entry *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_non_null(keys[i].key_name);
		assert_non_null(keys[i].group);
		assert_non_null(keys[i].fn);
		assert_true(keys[i].key != 0);
		/* a footer label is for a key the help explains */
		if (keys[i].footer)
			assert_non_null(keys[i].help);
	}
}

static void test_rows_have_handlers(void **state)
{
	struct keymap km;

	(void)state;
	assert_true(registry_count >= 1 && registry_count <= REGISTRY_MAX_PANELS);
	for (size_t i = 0; i < registry_count; i++) {
		const struct panel_ops *ops = registry[i].panel;

		assert_true(ops->nkeys > 0);
		assert_rows_complete(ops->keys, ops->nkeys);
		assert_rows_complete(ops->widget_keys, ops->nwidget_keys);
		/* widget keys act on the panel's widget */
		assert_true(!ops->nwidget_keys || ops->widget);
	}
	registry_keys(&km);
	assert_rows_complete(km.rows, km.n);
}

/* With no data yet, each panel of the registry uses no key its tables do not list. */
static void test_panels_use_only_their_rows(void **state)
{
	struct filter f = { .min_block_us = 1 };

	(void)state;
	for (size_t i = 0; i < registry_count; i++) {
		struct panel p = { .ops = registry[i].panel, .filter = &f };

		assert_int_equal(registry[i].panel_init(&p), 0);
		assert_keys_are_the_tables(&p, false);
		p.ops->free(&p);
	}
}

/* The shared movement rows are exactly the keys list_nav_key moves with. */
static void test_list_nav_rows(void **state)
{
	static const struct keymap_entry rows[] = { LIST_NAV_ROWS(NULL, "move", "List") };
	size_t n = sizeof(rows) / sizeof(rows[0]);

	(void)state;
	for (int key = 1; key <= KEY_MAX; key++) {
		size_t sel = 1;

		assert_int_equal(list_nav_key(key, 3, 1, &sel), keymap_find(rows, n, key) != NULL);
	}
}

/* The panel keys 1-N come from the registry, in its order, named after the titles. */
static void test_panel_numbers_from_registry(void **state)
{
	static const char *const nine[] = { "A", "B", "C", "D", "E", "F", "G", "H", "I" };
	const struct keymap_entry *k;
	struct keymap km;
	struct key_result r;
	char help[64];

	(void)state;
	registry_keys(&km);
	for (size_t i = 0; i < registry_count; i++) {
		k = keymap_find(km.rows, km.n, '1' + (int)i);
		assert_non_null(k);
		snprintf(help, sizeof(help), "%s panel", registry[i].panel->title);
		assert_string_equal(k->help, help);
		assert_string_equal(k->group, "Panels");
		r = keymap_run(km.rows, km.n, NULL, '1' + (int)i);
		assert_int_equal(r.what, KEY_DO_PANEL);
		assert_int_equal(r.id, i);
	}
	assert_null(keymap_find(km.rows, km.n, '1' + (int)registry_count));

	/* nine panels: keys 1-9, the last one's row after the eighth's */
	keymap_global_init(&km, nine, 9);
	k = keymap_find(km.rows, km.n, '9');
	assert_non_null(k);
	assert_string_equal(k->key_name, "9");
	assert_string_equal(k->help, "I panel");
	assert_ptr_equal(k - 1, keymap_find(km.rows, km.n, '8'));
	assert_int_equal(keymap_run(km.rows, km.n, NULL, '9').id, 8);
	assert_int_equal(keymap_run(km.rows, km.n, NULL, '0').what, KEY_DO_NOTHING);
}

/* Each global key asks core for its one thing. */
static void test_global_results(void **state)
{
	static const struct {
		int key;
		enum key_do what;
	} want[] = {
		{ 'q', KEY_DO_QUIT },
		{ 'h', KEY_DO_HELP },
		{ '?', KEY_DO_HELP },
		{ KEY_F(1), KEY_DO_HELP },
		{ ' ', KEY_DO_PAUSE },
		{ '\t', KEY_DO_PANEL_NEXT },
		{ KEY_BTAB, KEY_DO_PANEL_PREV },
		{ 'p', KEY_DO_PID_PROMPT },
		{ 't', KEY_DO_THRESHOLD_PROMPT },
		{ '/', KEY_DO_SEARCH_PROMPT },
		{ 'r', KEY_DO_RESET },
		{ 's', KEY_DO_SAVE },
		{ 'W', KEY_DO_SAVE_RECORDING },
		{ 'l' & 0x1f, KEY_DO_REPAINT },
		{ 'x', KEY_DO_NOTHING },
	};
	struct keymap km;

	(void)state;
	registry_keys(&km);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(keymap_run(km.rows, km.n, NULL, want[i].key).what, want[i].what);
}

_Static_assert(KEY_MAX == PANEL_TEST_LAST_KEY, "panel_test.h's last key");

/* The rows of a canvas as text, one line each. */
static void canvas_text(const struct canvas *cv, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (int row = 0; row < cv->rows && n + 1 < len; row++) {
		n += canvas_row_text(cv, row, out + n, len - n - 1);
		out[n++] = '\n';
		out[n] = '\0';
	}
}

/* The footer: global rows that apply to the panel, then its own, then its widget's. */
static void test_footer_from_rows(void **state)
{
	const struct registry_entry *bio = registry_find_panel("bio");
	const struct registry_entry *offcpu = registry_find_panel("offcpu");
	struct keymap km;
	struct canvas cv;
	char row[512];

	(void)state;
	registry_keys(&km);
	canvas_init(&cv, 160, 1, true);
	statusbar_draw_footer(&cv, 0, &km, bio->panel);
	canvas_row_text(&cv, 0, row, sizeof(row));
	assert_non_null(strstr(row, "F1 Help  F2 Setup  Space Pause  q Quit  p PID  t Limit  s Save  "
				    "< > Disk  o Ops  w Queue  c Cumul  b Size"));
	canvas_reset(&cv, 160, 1);
	statusbar_draw_footer(&cv, 0, &km, offcpu->panel);
	canvas_row_text(&cv, 0, row, sizeof(row));
	assert_non_null(strstr(row, "F1 Help  F2 Setup  Space Pause  q Quit  p PID  t Limit  / Search  "
				    "s Save  i Invert  f Flame  P pprof  e Hot  z Zoom"));
	canvas_free(&cv);
}

/* The help: the panel names from the registry, the panel's rows and its widget's. */
static void test_help_from_rows(void **state)
{
	const struct registry_entry *offcpu = registry_find_panel("offcpu");
	struct keymap km;
	struct canvas cv;
	static char text[16384];
	char line[64];

	(void)state;
	registry_keys(&km);
	canvas_init(&cv, 160, 60, true);
	help_draw(&cv, &km, offcpu->panel, "", "");
	canvas_text(&cv, text, sizeof(text));
	for (size_t i = 0; i < registry_count; i++) {
		snprintf(line, sizeof(line), "%zu       %s panel", i + 1, registry[i].panel->title);
		assert_non_null(strstr(text, line));
	}
	assert_non_null(strstr(text, "invert: innermost frames first"));
	assert_non_null(strstr(text, "zoom into the selected subtree"));
	/* the three rows of Backspace share one help line */
	assert_non_null(strstr(text, "zoom out"));
	assert_null(strstr(strstr(text, "zoom out") + 1, "zoom out"));
	canvas_free(&cv);
}

/* A click on a footer entry is its key: the columns are those the footer was drawn in. */
static void test_footer_click(void **state)
{
	const struct registry_entry *bio = registry_find_panel("bio");
	struct keymap km;
	struct canvas cv;
	char row[512];
	const char *at;

	(void)state;
	registry_keys(&km);
	canvas_init(&cv, 160, 1, true);
	statusbar_draw_footer(&cv, 0, &km, bio->panel);
	canvas_row_text(&cv, 0, row, sizeof(row));
	at = strstr(row, "F2 Setup");
	assert_non_null(at);
	assert_int_equal(statusbar_footer_key_at((int)(at - row), &km, bio->panel), KEY_F(2));
	assert_int_equal(statusbar_footer_key_at((int)(at - row) + 7, &km, bio->panel), KEY_F(2));
	at = strstr(row, "q Quit");
	assert_int_equal(statusbar_footer_key_at((int)(at - row) + 3, &km, bio->panel), 'q');
	at = strstr(row, "b Size");
	assert_int_equal(statusbar_footer_key_at((int)(at - row), &km, bio->panel), 'b');
	/* the gap between two entries and the empty end of the row are no key */
	assert_int_equal(statusbar_footer_key_at((int)(at - row) - 1, &km, bio->panel), -1);
	assert_int_equal(statusbar_footer_key_at(159, &km, bio->panel), -1);
	canvas_free(&cv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_have_handlers),
		cmocka_unit_test(test_panels_use_only_their_rows),
		cmocka_unit_test(test_list_nav_rows),
		cmocka_unit_test(test_panel_numbers_from_registry),
		cmocka_unit_test(test_global_results),
		cmocka_unit_test(test_footer_from_rows),
		cmocka_unit_test(test_footer_click),
		cmocka_unit_test(test_help_from_rows),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
