/* SPDX-License-Identifier: GPL-2.0 */
/* The Off-CPU panel: where threads wait, as a flame tree, inverted tree or text flame graph. */
#ifndef KTOP_OFFCPU_PANEL_H
#define KTOP_OFFCPU_PANEL_H

#include <stdbool.h>

#include "ui/panel.h"

extern const struct panel_ops offcpu_panel_ops;

/* Set up an Off-CPU panel's private state; 0 or -errno. */
int offcpu_panel_init(struct panel *p);
/* Whether the panel shows the cumulative figures (the c key), not the last interval. */
bool offcpu_panel_is_cumulative(const struct panel *p);
/* Show the last interval (true) or the cumulative figures, as the c key would. */
void offcpu_panel_set_interval(struct panel *p, bool interval);

#endif
