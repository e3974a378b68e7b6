// SPDX-License-Identifier: GPL-2.0
/* The settings in the running app: given to the panels, applied live, saved when changed. */
#include "core/app.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Give table t the settings' sort and columns for it, those the file has. */
static void table_from_settings(const struct settings *s, struct table *t)
{
	const struct settings_sort *st = settings_sort_find(s, t->def->name);
	const char *cols = settings_columns_find(s, t->def->name);
	char why[160];

	if (st) {
		int c = st->column[0] ? table_col_find(t->def, st->column) : t->sort;

		if (c >= 0) {
			t->sort = c;
			t->reverse = st->reverse;
		}
	}
	if (cols)
		table_parse(t, cols, why, sizeof(why)); /* checked when read: cannot fail */
}

void app_prefs_apply(struct app *a)
{
	for (size_t i = 0; i < a->npanels; i++) {
		struct panel *p = a->panel_list[i];
		struct panel_prefs pp = {
			.kthreads = a->settings.kthreads,
			.tree_invert = a->settings.tree_invert,
			.tree_threads = a->settings.tree_threads,
		};

		for (size_t t = 0; p->ops->table && t < p->ops->ntables; t++)
			table_from_settings(&a->settings, p->ops->table(p, t));
		if (p->ops->set_prefs)
			p->ops->set_prefs(p, &pp);
	}
}

/*
 * Keep each table's sort as it is now in a->settings: one the settings already have, or one
 * the user changed from the table's own (so an untouched ktop writes no file on quit).
 */
static void collect_sorts(struct app *a)
{
	for (size_t i = 0; i < a->npanels; i++) {
		struct panel *p = a->panel_list[i];

		for (size_t n = 0; p->ops->table && n < p->ops->ntables && n < PANEL_MAX_TABLES;
		     n++) {
			const struct table *t = p->ops->table(p, n);

			if (t->sort < 0 || (size_t)t->sort >= t->def->ncols)
				continue;
			if (!settings_sort_find(&a->settings, t->def->name) &&
			    t->sort == a->sort0[i][n] && t->reverse == a->sort0_reverse[i][n])
				continue;
			settings_sort_put(&a->settings, t->def->name, t->def->cols[t->sort].name,
					  t->reverse);
		}
	}
}

/* Load the settings' theme (the default one for ""), and paint with it. */
static void apply_theme(struct app *a)
{
	const char *name = a->settings.theme[0] ? a->settings.theme : "default";
	struct theme t;
	char why[256];

	if (theme_load(&t, name, why, sizeof(why))) {
		snprintf(a->message, sizeof(a->message), "theme: %s", why);
		a->message_is_error = true;
		a->message_at = app_now();
		return;
	}
	a->theme = t;
	screen_set_theme(&a->screen, &a->theme);
}

void app_setting_changed(struct app *a, enum settings_item i)
{
	const struct settings *s = &a->settings;

	switch (i) {
	case SETTINGS_DELAY:
		a->opt.delay_s = s->delay_s;
		a->cfg.delay_s = s->delay_s;
		app_timer_set(a);
		break;
	case SETTINGS_THEME:
		apply_theme(a);
		break;
	case SETTINGS_UNWIND:
		a->filter.unwind = s->unwind;
		app_apply_filter(a);
		break;
	case SETTINGS_SLOW_QUERY:
		a->filter.slow_ms = s->slow_ms;
		app_apply_filter(a);
		break;
	case SETTINGS_SLOW_IO:
		a->filter.bio_slow_us = s->slow_io_us;
		app_apply_filter(a);
		break;
	case SETTINGS_KTHREADS:
		a->filter.offcpu_kthreads = s->kthreads;
		app_apply_filter(a);
		collect_sorts(a); /* so that the panels keep theirs */
		app_prefs_apply(a);
		break;
	case SETTINGS_TREE_INVERT:
	case SETTINGS_TREE_THREADS:
		collect_sorts(a);
		app_prefs_apply(a);
		break;
	case SETTINGS_MOUSE:
		screen_set_mouse(&a->screen, s->mouse);
		break;
	case SETTINGS_PANEL:
	case SETTINGS_USTACK:
	case SETTINGS_NITEMS:
		break; /* at the next start */
	}
}

int app_settings_save(struct app *a, char *why, size_t why_len)
{
	int err;

	if (!a->settings_path[0])
		return 0;
	collect_sorts(a);
	if (settings_equal(&a->settings, &a->saved))
		return 0;
	err = settings_save(&a->settings, a->settings_path, why, why_len);
	if (!err)
		a->saved = a->settings;
	return err;
}
