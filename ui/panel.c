// SPDX-License-Identifier: GPL-2.0
#include "ui/panel.h"

bool panel_draw_unavailable(const struct panel *p, struct canvas *cv)
{
	const struct collector *c = p->collector;

	if (c && !c->is_open) {
		canvas_printf(cv, 1, 1, THEME_ERROR, "%s unavailable: %s", p->ops->title,
			      c->why[0] ? c->why : "not started");
		return true;
	}
	if (!p->model) {
		canvas_put(cv, 1, 1, THEME_DIM, "no data yet: the first refresh is coming");
		return true;
	}
	return false;
}

struct key_result panel_key(struct panel *p, int key)
{
	struct key_result r = keymap_run(p->ops->keys, p->ops->nkeys, p, key);

	if (r.what == KEY_DO_NOTHING)
		r = keymap_run(p->ops->widget_keys, p->ops->nwidget_keys, p, key);
	return r;
}

struct key_result panel_unwind_key(struct panel *p, int key)
{
	(void)p;
	(void)key;
	return key_result(KEY_DO_UNWIND_NEXT);
}

struct key_result panel_folded_key(struct panel *p, int key)
{
	(void)p;
	(void)key;
	return key_result(KEY_DO_SAVE_FOLDED);
}

struct key_result panel_pprof_key(struct panel *p, int key)
{
	(void)p;
	(void)key;
	return key_result(KEY_DO_SAVE_PPROF);
}
