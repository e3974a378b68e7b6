/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the panel tests share: a panel's export as a string, its keys. Include after <cmocka.h>.
 */
#ifndef KTOP_PANEL_TEST_H
#define KTOP_PANEL_TEST_H

#include <stdio.h>

#include "core/export.h"
#include "ui/panel.h"

#define PANEL_TEST_LAST_KEY 0777 /* ncurses' KEY_MAX (its header's filter() clashes here) */

/* The panel exported in fmt at 100 columns, UTF-8, with a fixed header; the caller frees it. */
static inline char *export_to_string(struct panel *p, enum export_format fmt)
{
	struct status_info si = { .version = "test", .host = "h", .mode = "tp_btf" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(export_snapshot(f, fmt, p, &si, 100, true), 0);
	fclose(f);
	return buf;
}

/* Whether the panel used key (its table or its widget's had a row for it that applied). */
static inline bool key_used(struct panel *p, int key)
{
	return panel_key(p, key).what != KEY_DO_NOTHING;
}

/*
 * The panel uses exactly the keys of its tables: no other key code is used and, when
 * all_used (a state where each applies), every key they list is.
 */
static inline void assert_keys_are_the_tables(struct panel *p, bool all_used)
{
	for (int key = 1; key <= PANEL_TEST_LAST_KEY; key++) {
		bool listed = keymap_find(p->ops->keys, p->ops->nkeys, key) ||
			      keymap_find(p->ops->widget_keys, p->ops->nwidget_keys, key);

		if (!listed)
			assert_false(key_used(p, key));
		else if (all_used)
			assert_true(key_used(p, key));
	}
}

#endif
