/* SPDX-License-Identifier: GPL-2.0 */
/* The Trace panel: the article's trace (one line per probe hit) and vfsstat, live. */
#ifndef KTOP_TRACE_PANEL_H
#define KTOP_TRACE_PANEL_H

#include "ui/panel.h"

extern const struct panel_ops trace_panel_ops;

/* Set up a Trace panel's private state; 0 or -errno. */
int trace_panel_init(struct panel *p);

#endif
