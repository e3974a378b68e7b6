// SPDX-License-Identifier: GPL-2.0
#include "core/registry.h"

#include <string.h>

#include "collectors/bio.h"
#include "collectors/offcpu.h"
#include "collectors/sql.h"
#include "collectors/trace.h"
#include "ui/bio_panel.h"
#include "ui/offcpu_panel.h"
#include "ui/sql_panel.h"
#include "ui/trace_panel.h"

/* In the order of their keys: the first is the default panel. */
const struct registry_entry registry[] = {
	{ &offcpu_panel_ops, &offcpu_collector_ops, offcpu_panel_init },
	{ &bio_panel_ops, &bio_collector_ops, bio_panel_init },
	{ &sql_panel_ops, &sql_collector_ops, sql_panel_init },
	{ &trace_panel_ops, &trace_collector_ops, trace_panel_init },
};

const size_t registry_count = sizeof(registry) / sizeof(registry[0]);

/* Panels DESIGN.md plans that this version does not have yet. */
static const char *const planned[] = { "stacks" };

const struct registry_entry *registry_find_panel(const char *name)
{
	for (size_t i = 0; i < registry_count; i++)
		if (!strcmp(registry[i].panel->name, name))
			return &registry[i];
	return NULL;
}

const char *registry_panel_reason(const char *name, char *buf, size_t len)
{
	const char *fmt = "unknown panel '%s' (panels: %s)";
	char names[128] = "";

	for (size_t i = 0; i < sizeof(planned) / sizeof(planned[0]); i++)
		if (!strcmp(planned[i], name))
			fmt = "panel '%s' is not built yet in this version (panels: %s)";
	for (size_t i = 0; i < registry_count; i++) {
		if (i)
			strncat(names, ", ", sizeof(names) - strlen(names) - 1);
		strncat(names, registry[i].panel->name, sizeof(names) - strlen(names) - 1);
	}
	snprintf(buf, len, fmt, name, names);
	return buf;
}

void registry_list_panels(FILE *out)
{
	for (size_t i = 0; i < registry_count; i++)
		fprintf(out, "%s%s", i ? " | " : "", registry[i].panel->name);
}
