// SPDX-License-Identifier: GPL-2.0
#include "core/registry.h"

#include <string.h>

#include "collectors/bio.h"
#include "collectors/offcpu.h"
#include "collectors/sched.h"
#include "collectors/sql.h"
#include "collectors/stacks.h"
#include "collectors/trace.h"
#include "ui/bio_panel.h"
#include "ui/offcpu_panel.h"
#include "ui/overview_panel.h"
#include "ui/sql_panel.h"
#include "ui/stacks_panel.h"
#include "ui/trace_panel.h"

/* In the order of their number keys (1, 2, ...): the first is the default panel. */
const struct registry_entry registry[] = {
	/*
	 * The Overview's I/O columns come from the Block I/O model (its collector runs with it in
	 * batch too), its slow queries from the SQL model where that collector runs (the screen,
	 * -w, --listen: its /proc scans would double the cost of a batch Overview).
	 */
	{ &overview_panel_ops, &sched_collector_ops, overview_panel_init, "bio", "sql" },
	{ &offcpu_panel_ops, &offcpu_collector_ops, offcpu_panel_init },
	{ &bio_panel_ops, &bio_collector_ops, bio_panel_init },
	{ &sql_panel_ops, &sql_collector_ops, sql_panel_init },
	{ &stacks_panel_ops, &stacks_collector_ops, stacks_panel_init, "offcpu" },
	{ &trace_panel_ops, &trace_collector_ops, trace_panel_init },
};

const size_t registry_count = sizeof(registry) / sizeof(registry[0]);
_Static_assert(sizeof(registry) / sizeof(registry[0]) <= REGISTRY_MAX_PANELS,
	       "a panel has no number key left");

const struct registry_entry *registry_find_panel(const char *name)
{
	for (size_t i = 0; i < registry_count; i++)
		if (!strcmp(registry[i].panel->name, name))
			return &registry[i];
	return NULL;
}

const struct table_def *registry_find_table(const char *name)
{
	for (size_t i = 0; i < registry_count; i++)
		for (size_t t = 0; t < registry[i].panel->ntables; t++)
			if (!strcmp(registry[i].panel->tables[t]->name, name))
				return registry[i].panel->tables[t];
	return NULL;
}

const char *registry_panel_reason(const char *name, char *buf, size_t len)
{
	char names[128] = "";

	for (size_t i = 0; i < registry_count; i++) {
		if (i)
			strncat(names, ", ", sizeof(names) - strlen(names) - 1);
		strncat(names, registry[i].panel->name, sizeof(names) - strlen(names) - 1);
	}
	snprintf(buf, len, "unknown panel '%s' (panels: %s)", name, names);
	return buf;
}

void registry_list_panels(FILE *out)
{
	for (size_t i = 0; i < registry_count; i++)
		fprintf(out, "%s%s", i ? " | " : "", registry[i].panel->name);
}
