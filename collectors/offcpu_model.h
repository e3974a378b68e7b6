/* SPDX-License-Identifier: GPL-2.0 */
/* The Off-CPU model: where threads waited, by full stack, over the last interval and overall. */
#ifndef KTOP_OFFCPU_MODEL_H
#define KTOP_OFFCPU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "collectors/stack.h"

struct offcpu_model {
	struct stack_set interval;   /* blocks that ended in the last interval; value in usecs */
	struct stack_set cumulative; /* since start or the last reset */
	double interval_s;
	double cumulative_s;
	uint64_t min_block_us;       /* the filter in force */
	uint64_t max_block_us;       /* 0: no limit */
	bool runnable;               /* preempted (runnable) time counted too */
	bool kthreads;               /* kernel threads included */
	uint64_t polls;              /* 0: no data yet */
};

/* A deep copy; free with offcpu_model_free. */
struct offcpu_model *offcpu_model_dup(const struct offcpu_model *m);
void offcpu_model_free(struct offcpu_model *m);

#endif
