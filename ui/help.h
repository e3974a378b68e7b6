/* SPDX-License-Identifier: GPL-2.0 */
/* The help screen, built from the key tables so it cannot drift from the bindings. */
#ifndef KTOP_HELP_H
#define KTOP_HELP_H

#include "ui/canvas.h"
#include "ui/panel.h"

/*
 * Draw the lines of drops_text (every non-zero drop counter), every key (the global ones, the
 * panel's and its widget's), grouped, then the lines of system text (features found at start).
 */
void help_draw(struct canvas *cv, const struct keymap *global, const struct panel_ops *ops,
	       const char *drops_text, const char *system_text);

#endif
