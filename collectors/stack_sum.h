/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stack sets added up: the samples of several sets (a replay's intervals over a range) into one
 * set where each distinct stack of a thread is one sample holding the sum of its values and
 * counts, its names interned in the sum's own store.
 */
#ifndef KTOP_STACK_SUM_H
#define KTOP_STACK_SUM_H

#include "collectors/stack.h"
#include "util/htab.h"

struct stack_sum {
	struct stack_set set; /* the sum; read it, do not change it */
	struct htab index;    /* sample numbers by the hash of their stack */
	struct stack_frame *scratch;
	uint32_t scratch_cap;
};

void stack_sum_init(struct stack_sum *sum);
/* Add every sample of s (its names copied). */
void stack_sum_add(struct stack_sum *sum, const struct stack_set *s);
/* Empty the sum (and free what it holds); it can be added to again. */
void stack_sum_clear(struct stack_sum *sum);

#endif
