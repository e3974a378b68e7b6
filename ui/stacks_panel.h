/* SPDX-License-Identifier: GPL-2.0 */
/* The Stacks panel: one process thread by thread, on-CPU, off-CPU or both (wall clock). */
#ifndef KTOP_STACKS_PANEL_H
#define KTOP_STACKS_PANEL_H

#include "ui/panel.h"

extern const struct panel_ops stacks_panel_ops;

/* Set up a Stacks panel's private state; 0 or -errno. */
int stacks_panel_init(struct panel *p);
/* Whether the panel shows the cumulative figures (its model's and aux model's cumulative sets). */
bool stacks_panel_is_cumulative(const struct panel *p);
/* Show the last interval (true) or the cumulative figures, as c flips them. */
void stacks_panel_set_interval(struct panel *p, bool interval);

#endif
