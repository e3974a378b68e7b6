/* SPDX-License-Identifier: GPL-2.0 */
/* The Block I/O panel: latency and size histograms per disk and operation, top submitters. */
#ifndef KTOP_BIO_PANEL_H
#define KTOP_BIO_PANEL_H

#include <stdbool.h>

#include "ui/panel.h"

extern const struct panel_ops bio_panel_ops;

/* Set up a Block I/O panel's private state; 0 or -errno. */
int bio_panel_init(struct panel *p);
/* Whether the panel shows the cumulative span (the c key), not the last interval. */
bool bio_panel_is_cumulative(const struct panel *p);

#endif
