// SPDX-License-Identifier: GPL-2.0
/* The setup screen's steps: each setting's next and previous value, within what the file takes. */
#include "core/settings.h"

#include <string.h>

#include "core/registry.h"
#include "themes/builtin_themes.h"

/* The values the setup screen steps through. */
static const double delay_steps[] = { 0.5, 1, 2, 3, 5, 10, 30, 60 };
static const uint64_t slow_ms_steps[] = { 0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000 };
static const uint64_t slow_io_steps[] = { 100,	 500,	1000,	2000,	5000,
					  10000, 20000, 50000, 100000, 1000000 };

/* The index after (dir > 0) or before cur in a ring of n; cur == n: not in it. */
static size_t ring_step(size_t cur, size_t n, int dir)
{
	if (cur >= n)
		return dir > 0 ? 0 : n - 1;
	return dir > 0 ? (cur + 1) % n : (cur + n - 1) % n;
}

/* The next value of v among steps (sorted), or the previous one; wraps around. */
static uint64_t step_u64(uint64_t v, const uint64_t *steps, size_t n, int dir)
{
	size_t i;

	if (dir > 0) {
		for (i = 0; i < n && steps[i] <= v; i++)
			;
		return i < n ? steps[i] : steps[0];
	}
	for (i = n; i > 0 && steps[i - 1] >= v; i--)
		;
	return i > 0 ? steps[i - 1] : steps[n - 1];
}

/* The next or previous refresh interval among delay_steps. */
static double step_delay(double v, int dir)
{
	size_t n = sizeof(delay_steps) / sizeof(delay_steps[0]), i;

	if (dir > 0) {
		for (i = 0; i < n && delay_steps[i] <= v; i++)
			;
		return i < n ? delay_steps[i] : delay_steps[0];
	}
	for (i = n; i > 0 && delay_steps[i - 1] >= v; i--)
		;
	return i > 0 ? delay_steps[i - 1] : delay_steps[n - 1];
}

/* The next theme: the built-in ones in order, then the default again. */
static void step_theme(struct settings *s, int dir)
{
	size_t n = theme_nbuiltins + 1, cur = n; /* slot 0 is "" (the default) */

	if (!s->theme[0])
		cur = 0;
	for (size_t i = 0; i < theme_nbuiltins; i++)
		if (!strcmp(s->theme, theme_builtins[i].name))
			cur = i + 1;
	cur = ring_step(cur, n, dir);
	snprintf(s->theme, sizeof(s->theme), "%s", cur ? theme_builtins[cur - 1].name : "");
}

void settings_item_step(struct settings *s, enum settings_item i, int dir)
{
	size_t cur;

	switch (i) {
	case SETTINGS_PANEL:
		for (cur = 0; cur < registry_count; cur++)
			if (!strcmp(registry[cur].panel->name, s->panel))
				break;
		cur = ring_step(cur, registry_count, dir);
		snprintf(s->panel, sizeof(s->panel), "%s", registry[cur].panel->name);
		break;
	case SETTINGS_DELAY:
		s->delay_s = step_delay(s->delay_s, dir);
		break;
	case SETTINGS_THEME:
		step_theme(s, dir);
		break;
	case SETTINGS_UNWIND:
		s->unwind = (enum ktop_unwind)ring_step((size_t)s->unwind, 3, dir);
		break;
	case SETTINGS_USTACK:
		s->ustack_kib = 4 * (ring_step(s->ustack_kib / 4 - 1, 16, dir) + 1);
		break;
	case SETTINGS_SLOW_QUERY:
		s->slow_ms = step_u64(s->slow_ms, slow_ms_steps,
				      sizeof(slow_ms_steps) / sizeof(slow_ms_steps[0]), dir);
		break;
	case SETTINGS_SLOW_IO:
		s->slow_io_us = step_u64(s->slow_io_us, slow_io_steps,
					 sizeof(slow_io_steps) / sizeof(slow_io_steps[0]), dir);
		break;
	case SETTINGS_KTHREADS:
		s->kthreads = !s->kthreads;
		break;
	case SETTINGS_TREE_INVERT:
		s->tree_invert = !s->tree_invert;
		break;
	case SETTINGS_TREE_THREADS:
		s->tree_threads = !s->tree_threads;
		break;
	case SETTINGS_MOUSE:
		s->mouse = !s->mouse;
		break;
	case SETTINGS_NITEMS:
		break;
	}
}
