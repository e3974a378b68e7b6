/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the panel tests share: a panel's export as a string, its keys. Include after <cmocka.h>.
 */
#ifndef KTOP_PANEL_TEST_H
#define KTOP_PANEL_TEST_H

#include <stdio.h>

#include "core/export.h"
#include "ui/panel.h"

/* The panel exported in fmt at 100 columns, UTF-8, with a fixed header; the caller frees it. */
static char *export_to_string(struct panel *p, enum export_format fmt)
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
static bool key_used(struct panel *p, int key)
{
	return panel_key(p, key).what != KEY_DO_NOTHING;
}

#endif
