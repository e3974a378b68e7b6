/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the user may change while ktop runs (the p and t keys, the panels' toggles), and which
 * parts a change touched: core compares the old filter with the new one once, and each
 * collector applies only the parts it uses. A new kind of filter is a field here and a part.
 */
#ifndef KTOP_FILTER_H
#define KTOP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KTOP_MAX_PIDS 64

/* How the stack collectors walk user stacks (--unwind, the u key). */
enum ktop_unwind {
	KTOP_UNWIND_AUTO,  /* DWARF for the processes a PID filter or the Stacks panel names */
	KTOP_UNWIND_DWARF, /* DWARF, from copied user stacks, wherever stacks are taken */
	KTOP_UNWIND_FP,	   /* frame pointers only */
};

#define KTOP_CGROUP_PATH 256

/* The --cgroup filter: a cgroup (v2, or a v1 controller's hierarchy) and its children. */
struct filter_cgroup {
	char path[KTOP_CGROUP_PATH]; /* the directory as given; "" when off */
	char rel[KTOP_CGROUP_PATH];  /* its path inside the hierarchy: "/", "/a/b" */
	char controller[32];	     /* v1: the hierarchy's controller; "" for v2 */
	uint64_t id;		     /* the kernel's cgroup id (the directory's inode); 0: off */
	uint32_t level;		     /* depth below the hierarchy's root */
	int32_t subsys;		     /* v2: -1; v1: the controller's enum cgroup_subsys_id */
};

/* The live filter. An empty PID set means every process. */
struct filter {
	uint32_t pids[KTOP_MAX_PIDS]; /* sorted, no duplicates (filter_set_pids) */
	size_t npids;
	uint64_t min_block_us;
	uint64_t slow_ms;
	uint64_t bio_slow_us;
	uint64_t max_block_us;	 /* off-CPU: longest block kept (0: no limit) */
	bool offcpu_runnable;	 /* off-CPU: count preempted (runnable) time too */
	bool offcpu_kthreads;	 /* off-CPU: include kernel threads */
	bool redact;		 /* show and export query text with literals replaced by ? */
	enum ktop_unwind unwind; /* stack panels: how user stacks are walked */
	struct filter_cgroup cgroup; /* --cgroup, the C key */
	bool sched_groups; /* overview: each cgroup's throttling and pressure (G, batch) */
};

/* The parts of struct filter a change can touch, as bits of an unsigned int. */
enum filter_part {
	FILTER_PIDS = 1u << 0,		/* pids, npids */
	FILTER_OFFCPU_BLOCK = 1u << 1,	/* min_block_us, max_block_us */
	FILTER_OFFCPU_STATES = 1u << 2, /* offcpu_runnable, offcpu_kthreads */
	FILTER_SLOW_QUERY = 1u << 3,	/* slow_ms */
	FILTER_BIO_SLOW = 1u << 4,	/* bio_slow_us */
	FILTER_UNWIND = 1u << 5,	/* unwind */
	FILTER_REDACT = 1u << 6,	/* redact */
	FILTER_CGROUP = 1u << 7,	/* cgroup */
	FILTER_SCHED_GROUPS = 1u << 8,	/* sched_groups */
	FILTER_ALL = (1u << 9) - 1,	/* a collector's first configure */
};

/* Set f's PID set from n PIDs (at most KTOP_MAX_PIDS kept): sorted, duplicates dropped. */
void filter_set_pids(struct filter *f, const uint32_t *pids, size_t n);
/* Whether f's PID set lets pid through (an empty set lets every process through). */
bool filter_has_pid(const struct filter *f, uint32_t pid);
/* The FILTER_* parts in which a and b differ; 0 when they are the same. */
unsigned int filter_diff(const struct filter *a, const struct filter *b);

#endif
