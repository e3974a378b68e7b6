// SPDX-License-Identifier: GPL-2.0
/* The Trace model: deep copies and clean-up. */
#include "collectors/trace_model.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

const char *trace_vfs_name(enum trace_vfs_op op)
{
	switch (op) {
	case TRACE_VFS_READ:
		return "read";
	case TRACE_VFS_WRITE:
		return "write";
	case TRACE_VFS_CREATE:
		return "create";
	case TRACE_VFS_OPEN:
		return "open";
	case TRACE_VFS_FSYNC:
		return "fsync";
	case TRACE_VFS_COUNT:
		break;
	}
	return "?";
}

struct trace_model *trace_model_dup(const struct trace_model *m)
{
	struct trace_model *d;

	if (!m)
		return NULL;
	d = xmalloc(sizeof(*d));
	*d = *m;
	d->probes = NULL;
	d->events = NULL;
	if (m->nprobes) {
		d->probes = xreallocarray(NULL, m->nprobes, sizeof(*d->probes));
		memcpy(d->probes, m->probes, m->nprobes * sizeof(*d->probes));
	}
	if (m->nevents) {
		d->events = xreallocarray(NULL, m->nevents, sizeof(*d->events));
		memcpy(d->events, m->events, m->nevents * sizeof(*d->events));
		for (size_t i = 0; i < m->nevents; i++)
			d->events[i].message =
				xstrdup(m->events[i].message ? m->events[i].message : "");
	}
	return d;
}

void trace_model_free(struct trace_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nevents; i++)
		free(m->events[i].message);
	free(m->events);
	free(m->probes);
	free(m);
}
