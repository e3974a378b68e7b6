/* SPDX-License-Identifier: GPL-2.0 */
/* The Off-CPU panel: where threads wait, as a flame tree, inverted tree or text flame graph. */
#ifndef KTOP_OFFCPU_PANEL_H
#define KTOP_OFFCPU_PANEL_H

#include "ui/panel.h"

extern const struct panel_ops offcpu_panel_ops;

/* Set up an Off-CPU panel's private state; 0 or -errno. */
int offcpu_panel_init(struct panel *p);

#endif
