// SPDX-License-Identifier: GPL-2.0
/* The live filter: its PID set kept sorted, and what a change touched. */
#include "collectors/filter.h"

#include <stdlib.h>
#include <string.h>

/* Order PIDs for qsort and bsearch. */
static int filter_pid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void filter_set_pids(struct filter *f, const uint32_t *pids, size_t n)
{
	size_t kept = 0;

	if (n > KTOP_MAX_PIDS)
		n = KTOP_MAX_PIDS;
	if (n) {
		/* pids may be NULL when n is 0, which memmove must not be given */
		memmove(f->pids, pids, n * sizeof(*pids));
		qsort(f->pids, n, sizeof(*f->pids), filter_pid_cmp);
	}
	for (size_t i = 0; i < n; i++)
		if (!kept || f->pids[kept - 1] != f->pids[i])
			f->pids[kept++] = f->pids[i];
	f->npids = kept;
}

bool filter_has_pid(const struct filter *f, uint32_t pid)
{
	return !f->npids || bsearch(&pid, f->pids, f->npids, sizeof(pid), filter_pid_cmp);
}

unsigned int filter_diff(const struct filter *a, const struct filter *b)
{
	unsigned int parts = 0;

	if (a->npids != b->npids || memcmp(a->pids, b->pids, a->npids * sizeof(*a->pids)))
		parts |= FILTER_PIDS;
	if (a->min_block_us != b->min_block_us || a->max_block_us != b->max_block_us)
		parts |= FILTER_OFFCPU_BLOCK;
	if (a->offcpu_runnable != b->offcpu_runnable || a->offcpu_kthreads != b->offcpu_kthreads)
		parts |= FILTER_OFFCPU_STATES;
	if (a->slow_ms != b->slow_ms)
		parts |= FILTER_SLOW_QUERY;
	if (a->bio_slow_us != b->bio_slow_us)
		parts |= FILTER_BIO_SLOW;
	if (a->unwind != b->unwind)
		parts |= FILTER_UNWIND;
	if (a->redact != b->redact)
		parts |= FILTER_REDACT;
	if (a->cgroup.id != b->cgroup.id || a->cgroup.subsys != b->cgroup.subsys ||
	    strcmp(a->cgroup.path, b->cgroup.path))
		parts |= FILTER_CGROUP;
	if (a->sched_groups != b->sched_groups)
		parts |= FILTER_SCHED_GROUPS;
	return parts;
}
