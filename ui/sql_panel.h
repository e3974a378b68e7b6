/* SPDX-License-Identifier: GPL-2.0 */
/* The Slow queries panel: a live list of slow queries, their detail, and a digest by shape. */
#ifndef KTOP_SQL_PANEL_H
#define KTOP_SQL_PANEL_H

#include "ui/panel.h"

extern const struct panel_ops sql_panel_ops;

/* Set up a Slow queries panel's private state; 0 or -errno. */
int sql_panel_init(struct panel *p);

#endif
