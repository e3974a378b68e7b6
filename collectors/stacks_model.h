/* SPDX-License-Identifier: GPL-2.0 */
/* The Stacks model: one process, thread by thread, on-CPU samples and what /proc says. */
#ifndef KTOP_STACKS_MODEL_H
#define KTOP_STACKS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/stack.h"

/* One thread of the target process, as /proc shows it plus its samples. */
struct stacks_thread {
	uint32_t tid;
	char name[72];          /* escaped comm */
	char state;             /* R, S, D, T, Z, ... from /proc/PID/task/TID/stat */
	double cpu_pct;         /* of one CPU over the last interval, from /proc utime+stime */
	uint64_t oncpu_samples; /* samples in the last interval */
	uint64_t voluntary;     /* context switches in the last interval */
	uint64_t involuntary;
	char wchan[64];         /* where it sleeps in the kernel, "" when running or unknown */
	char kstack[512];       /* its kernel stack now, innermost first, "a <- b <- c"; "" if none */
	bool exited;            /* gone since the last interval (its samples stay) */
};

/* A process for the picker, when no target is chosen. */
struct stacks_proc {
	uint32_t pid;
	char comm[72];
	uint64_t oncpu_us; /* sampled on-CPU time in the last interval */
};

struct stacks_model {
	uint32_t pid;            /* the target (the first PID of the filter), 0: none */
	char comm[72];
	bool exited;             /* the target is gone: the last data stays */
	char why[160];           /* why there is nothing to show, e.g. "no process with PID 9" */
	struct stacks_thread *threads; /* owned, by tid */
	size_t nthreads;
	struct stack_set oncpu_interval;   /* value: usecs (samples x period), count: samples */
	struct stack_set oncpu_cumulative;
	struct stacks_proc *top; /* owned; busiest processes on CPU in the last interval */
	size_t ntop;
	uint32_t hz;             /* sampling frequency */
	double interval_s;
	double cumulative_s;
	uint64_t polls;
	double poll_s;           /* how long the last poll took (reading /proc included) */
};

/* A deep copy; free with stacks_model_free. */
struct stacks_model *stacks_model_dup(const struct stacks_model *m);
void stacks_model_free(struct stacks_model *m);

#endif
