/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Overview models added up over a range of intervals (a replay's cumulative view): each
 * process's and thread's time per class summed by identity (pid, tid), its other fields (name,
 * state, threads, user, cgroup) from the latest interval that has it, and the time covered.
 */
#ifndef KTOP_SCHED_SUM_H
#define KTOP_SCHED_SUM_H

#include <stddef.h>

#include "collectors/sched_model.h"

struct sched_sum {
	struct sched_row *procs; /* owned, by pid */
	size_t nprocs;
	struct sched_row *threads; /* owned, by pid then tid */
	size_t nthreads;
	double seconds;
};

/* Empty the sum, freeing what it holds. */
void sched_sum_clear(struct sched_sum *s);
/* Add one interval's rows and time (m's later than those added before). */
void sched_sum_add(struct sched_sum *s, const struct sched_model *m);
/* Give m the sum's rows (copies) and time instead of its own; its system figures stay. */
void sched_sum_apply(const struct sched_sum *s, struct sched_model *m);

#endif
