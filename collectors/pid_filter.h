/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way a BPF collector's PID filter changes: its programs keep a hash map of the
 * wanted tgids and a flag in their .bss (nonzero: only the map's tgids pass), and
 * pid_filter_apply() moves both from the old set to the new one without ever letting a
 * process outside both sets through.
 */
#ifndef KTOP_PID_FILTER_H
#define KTOP_PID_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "collectors/filter.h"
#include "bpf/cgroup_filter.h"

/* One collector's kernel-side PID filter and the set it holds now. */
struct pid_filter {
	int map_fd;		      /* BPF hash map: __u32 tgid -> __u8 */
	__u32 *on;		      /* the programs' flag, in their mmapped .bss */
	const char *who;	      /* the collector's name, for reasons */
	uint32_t pids[KTOP_MAX_PIDS]; /* what the map holds, sorted */
	size_t npids;
};

/* Describe a collector's map (empty) and flag (off). */
void pid_filter_init(struct pid_filter *pf, int map_fd, __u32 *on, const char *who);
/*
 * Filter on pids (sorted, no duplicates; none: every process). New PIDs are added before old
 * ones are deleted, and the flag is turned on only once the map is filled and off before it
 * is emptied, so a change from one set to another never lets every process through. 0, or
 * -errno with why; the old set then stays in force.
 */
int pid_filter_apply(struct pid_filter *pf, const uint32_t *pids, size_t n, char *why,
		     size_t why_len);
/* Let no process through (the process followed has exited): the flag on, the map emptied. */
void pid_filter_block(struct pid_filter *pf);
/*
 * Point a program's cgroup selector (bpf/cgroup_filter.h, in its mmapped .bss) at cg, or
 * turn it off (cg->id 0). While it changes nothing passes, so a change from one cgroup to
 * another never lets a task of neither through.
 */
void pid_filter_cgroup(struct ktop_cgroup_sel *sel, const struct filter_cgroup *cg);
/*
 * The change from the sorted set old to the sorted set new: the PIDs to add (in new only) and
 * to delete (in old only), each sorted. add and del hold nnew and nold entries at most.
 */
void pid_filter_diff(const uint32_t *old, size_t nold, const uint32_t *new, size_t nnew,
		     uint32_t *add, size_t *nadd, uint32_t *del, size_t *ndel);

#endif
