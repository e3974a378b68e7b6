/* SPDX-License-Identifier: GPL-2.0 */
/* The Overview panel: the system's figures, a verdict, and where each process's time goes. */
#ifndef KTOP_OVERVIEW_PANEL_H
#define KTOP_OVERVIEW_PANEL_H

#include "ui/panel.h"

extern const struct panel_ops overview_panel_ops;

/* Set up an Overview panel's private state; 0 or -errno. */
int overview_panel_init(struct panel *p);

#endif
