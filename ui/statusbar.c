// SPDX-License-Identifier: GPL-2.0
#include "ui/statusbar.h"

#include <stdio.h>
#include <string.h>

#include "ui/format.h"
#include "ui/keymap.h"

/* Draw "label value" pairs left to right; returns the next column. */
static int put_pair(struct canvas *cv, int row, int col, const char *label, const char *value,
		    enum theme_role value_role)
{
	if (label && label[0])
		col += canvas_put(cv, row, col, THEME_HEADER, label);
	col += canvas_put(cv, row, col, value_role, value);
	return col + 2;
}

void statusbar_draw_header(struct canvas *cv, const struct status_info *si)
{
	char buf[160], up[32];
	unsigned long up_s = (unsigned long)si->uptime_s;
	int col = 0;

	canvas_set_role(cv, 0, 0, -1, THEME_HEADER);
	canvas_set_role(cv, 1, 0, -1, THEME_HEADER);
	snprintf(buf, sizeof(buf), "ktop %s", si->version);
	col = put_pair(cv, 0, col, NULL, buf, THEME_HEADER_VALUE);
	col = put_pair(cv, 0, col, NULL, si->host, THEME_HEADER_VALUE);
	col = put_pair(cv, 0, col, NULL, si->kernel, THEME_HEADER);
	if (up_s >= 86400)
		snprintf(up, sizeof(up), "%lud %lu:%02lu", up_s / 86400, up_s / 3600 % 24,
			 up_s / 60 % 60);
	else
		snprintf(up, sizeof(up), "%lu:%02lu", up_s / 3600, up_s / 60 % 60);
	col = put_pair(cv, 0, col, "up ", up, THEME_HEADER_VALUE);
	snprintf(buf, sizeof(buf), "%.2f %.2f %.2f", si->load[0], si->load[1], si->load[2]);
	col = put_pair(cv, 0, col, "load ", buf, THEME_HEADER_VALUE);
	snprintf(buf, sizeof(buf), "%.1fs", si->delay_s);
	col = put_pair(cv, 0, col, "every ", buf, THEME_HEADER_VALUE);
	col = put_pair(cv, 0, col, NULL, si->clock, THEME_HEADER_VALUE);
	if (si->gap_s > 0) {
		snprintf(buf, sizeof(buf), "gap %.1f s", si->gap_s);
		col = put_pair(cv, 0, col, NULL, buf, THEME_WARN);
	}
	if (si->paused)
		canvas_put(cv, 0, col, THEME_PAUSED, "PAUSED");

	col = 0;
	col = put_pair(cv, 1, col, "pid: ", si->pids[0] ? si->pids : "all",
		       si->pids[0] ? THEME_WARN : THEME_HEADER_VALUE);
	if (si->cgroup[0])
		col = put_pair(cv, 1, col, "cgroup: ", si->cgroup, THEME_WARN);
	if (si->threshold[0])
		col = put_pair(cv, 1, col, NULL, si->threshold, THEME_HEADER_VALUE);
	col = put_pair(cv, 1, col, "since reset ", format_elapsed(up, sizeof(up), si->elapsed_s),
		       THEME_HEADER_VALUE);
	/*
	 * Drops before what does not change, so a narrow terminal cuts that first; those that do
	 * not fit are counted at the end of the row, and the help screen lists them all.
	 */
	for (size_t i = 0; i < si->ndrops; i++) {
		char more[32];
		int room = cv->width - col;

		snprintf(buf, sizeof(buf), "%s %llu", si->drops[i].name,
			 (unsigned long long)si->drops[i].count);
		snprintf(more, sizeof(more), "+%zu drops (h)", si->ndrops - i);
		if ((int)strlen(buf) > room - (i + 1 < si->ndrops ? (int)strlen(more) + 2 : 0)) {
			col = put_pair(cv, 1, col, NULL, more, THEME_WARN);
			break;
		}
		col = put_pair(cv, 1, col, NULL, buf, THEME_WARN);
	}
	if (si->mode[0])
		col = put_pair(cv, 1, col, "probes: ", si->mode, THEME_HEADER_VALUE);
	if (si->unwind[0])
		put_pair(cv, 1, col, "unwinding: ", si->unwind, THEME_HEADER_VALUE);
}

void statusbar_drops_text(const struct status_info *si, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < si->ndrops && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "drop: %s %llu\n", si->drops[i].name,
				      (unsigned long long)si->drops[i].count);
}

void statusbar_draw_message(struct canvas *cv, int row, const char *text, bool is_error)
{
	canvas_set_role(cv, row, 0, -1, is_error ? THEME_ERROR : THEME_PROMPT);
	canvas_put_fit(cv, row, 1, -1, is_error ? THEME_ERROR : THEME_PROMPT, text);
}

/* Lay out the tabs (cv NULL: only measure them); the index of the tab over column at, or -1. */
static int tabs(struct canvas *cv, int row, struct panel *const *panels, size_t n,
		size_t current, int at)
{
	int col = 1, hit = -1;

	for (size_t i = 0; i < n; i++) {
		enum theme_role role = i == current ? THEME_TAB_ACTIVE : THEME_TAB;
		char tab[64];
		int w = snprintf(tab, sizeof(tab), " %zu %s ", i + 1, panels[i]->ops->title);

		if (cv)
			w = canvas_put(cv, row, col, role, tab);
		if (at >= col && at < col + w)
			hit = (int)i;
		col += w + 2;
	}
	return hit;
}

void statusbar_draw_tabs(struct canvas *cv, int row, struct panel *const *panels, size_t n,
			 size_t current)
{
	canvas_set_role(cv, row, 0, -1, THEME_TAB);
	tabs(cv, row, panels, n, current, -1);
}

int statusbar_tab_at(int col, struct panel *const *panels, size_t n)
{
	return tabs(NULL, 0, panels, n, 0, col);
}

/*
 * Draw footer entries with labels from a key table (cv NULL: only lay them out); returns the
 * next column. *hit is set to the key whose entry covers column at, if any.
 */
static int footer_keys(struct canvas *cv, int row, int col, const struct keymap_entry *keys,
		       size_t n, const struct panel_ops *ops, int at, int *hit)
{
	for (size_t i = 0; i < n; i++) {
		int start = col;

		if (!keys[i].footer || !keymap_applies(&keys[i], ops))
			continue;
		if (cv) {
			col += canvas_put(cv, row, col, THEME_FOOTER_KEY, keys[i].key_name);
			col += canvas_put(cv, row, col, THEME_FOOTER_LABEL, " ");
			col += canvas_put(cv, row, col, THEME_FOOTER_LABEL, keys[i].footer);
			col += canvas_put(cv, row, col, THEME_FOOTER_LABEL, "  ");
		} else {
			col += (int)(strlen(keys[i].key_name) + 1 + strlen(keys[i].footer) + 2);
		}
		if (at >= start && at < col - 2)
			*hit = keys[i].key;
	}
	return col;
}

void statusbar_draw_footer(struct canvas *cv, int row, const struct keymap *global,
			   const struct panel_ops *ops)
{
	int col;

	int hit = -1;

	canvas_set_role(cv, row, 0, -1, THEME_FOOTER_LABEL);
	col = footer_keys(cv, row, 0, global->rows, global->n, ops, -1, &hit);
	if (ops)
		col = footer_keys(cv, row, col, ops->keys, ops->nkeys, ops, -1, &hit);
	if (ops && ops->nwidget_keys)
		footer_keys(cv, row, col, ops->widget_keys, ops->nwidget_keys, ops, -1, &hit);
}

int statusbar_footer_key_at(int col, const struct keymap *global, const struct panel_ops *ops)
{
	int x, hit = -1;

	x = footer_keys(NULL, 0, 0, global->rows, global->n, ops, col, &hit);
	if (ops)
		x = footer_keys(NULL, 0, x, ops->keys, ops->nkeys, ops, col, &hit);
	if (ops && ops->nwidget_keys)
		footer_keys(NULL, 0, x, ops->widget_keys, ops->nwidget_keys, ops, col, &hit);
	return hit;
}
