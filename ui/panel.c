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

void panel_request_unwind_next(struct panel *p)
{
	p->filter_request = *p->filter;
	switch (p->filter->unwind) {
	case KTOP_UNWIND_AUTO:
		p->filter_request.unwind = KTOP_UNWIND_DWARF;
		break;
	case KTOP_UNWIND_DWARF:
		p->filter_request.unwind = KTOP_UNWIND_FP;
		break;
	default:
		p->filter_request.unwind = KTOP_UNWIND_AUTO;
		break;
	}
	p->requests |= PANEL_REQUEST_FILTER;
}
