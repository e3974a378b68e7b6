/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one list of panels and the collector behind each: their order is their numbers (the
 * keys 1-9 and the tabs), their titles name them in the help.
 */
#ifndef KTOP_REGISTRY_H
#define KTOP_REGISTRY_H

#include <stddef.h>
#include <stdio.h>

#include "collectors/collector.h"
#include "ui/keymap.h"
#include "ui/panel.h"

#define REGISTRY_MAX_PANELS KEYMAP_MAX_PANELS /* one key each, 1-9 */

struct registry_entry {
	const struct panel_ops *panel;
	const struct collector_ops *collector;
	int (*panel_init)(struct panel *p);
	const char *aux;  /* the panel also reads this panel's collector's model, or NULL */
	const char *aux2; /* and this one's where it runs (batch does not start it), or NULL */
};

extern const struct registry_entry registry[];
extern const size_t registry_count;

/* The entry whose panel is called name, or NULL. */
const struct registry_entry *registry_find_panel(const char *name);
/* The kind of table called name (its columns), among every panel's, or NULL. */
const struct table_def *registry_find_table(const char *name);
/* Why name is not a panel: "unknown panel 'x' (panels: ...)". */
const char *registry_panel_reason(const char *name, char *buf, size_t len);
/* Print the panel names, separated by " | ". */
void registry_list_panels(FILE *out);

#endif
