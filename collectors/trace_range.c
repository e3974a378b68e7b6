// SPDX-License-Identifier: GPL-2.0
#include "collectors/trace_range.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Add src's interval counts to dst's: probes matched by id, VFS operations, time. */
static void add_counts(struct trace_model *dst, const struct trace_model *src)
{
	for (size_t i = 0; i < src->nprobes; i++)
		for (size_t k = 0; k < dst->nprobes; k++)
			if (dst->probes[k].id == src->probes[i].id)
				dst->probes[k].interval_events += src->probes[i].interval_events;
	for (int op = 0; op < TRACE_VFS_COUNT; op++)
		dst->vfs[op] += src->vfs[op];
	dst->interval_s += src->interval_s;
}

void trace_range_take(struct trace_model *dst, struct trace_model *src, bool counts)
{
	size_t n = dst->nevents + src->nevents, drop;

	if (counts)
		add_counts(dst, src);
	if (!src->nevents)
		return;
	dst->events = xreallocarray(dst->events, n, sizeof(*dst->events));
	memcpy(dst->events + dst->nevents, src->events, src->nevents * sizeof(*src->events));
	dst->nevents = n;
	free(src->events);
	src->events = NULL;
	src->nevents = 0;
	if (n <= TRACE_EVENTS_MAX)
		return;
	drop = n - TRACE_EVENTS_MAX;
	for (size_t i = 0; i < drop; i++)
		free(dst->events[i].message);
	memmove(dst->events, dst->events + drop, TRACE_EVENTS_MAX * sizeof(*dst->events));
	dst->nevents = TRACE_EVENTS_MAX;
}
