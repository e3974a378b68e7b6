/* SPDX-License-Identifier: GPL-2.0 */
/* What stacks.bpf.c and collectors/stacks.c share: map keys and values, limits, counter indexes. */
#ifndef KTOP_BPF_STACKS_H
#define KTOP_BPF_STACKS_H

#define STACKS_COMM_LEN	   16
#define STACKS_STACK_DEPTH 127 /* frames per stack: the kernel's default perf_event_max_stack */

/* Default map sizes; the stack map is resized from user space before load. */
#define STACKS_STACKS_MAX 16384 /* distinct stacks of both stack maps (--stack-storage) */
#define STACKS_COUNTS_MAX 16384 /* (thread, stacks) pairs sampled between two polls */
#define STACKS_PROCS_MAX  8192	/* processes sampled between two polls, with no target */
#define STACKS_PIDS_MAX	  64	/* PIDs in the filter */

/*
 * A stack id that was not asked for or is empty by nature: no user space (a kernel thread, or
 * a process past exit_mm()), or no kernel stack (the sample hit user mode). Outside the -errno
 * range, so never a bpf_get_stackid() result.
 */
#define STACKS_STACK_NONE (-4096)

/*
 * Samples take their stacks in one of two stack maps, the one stack_gen names, and user space
 * flips stack_gen at each poll, reads what refers to the other map, then empties it: ids do not
 * pile up over a long run. An id of the second map has this bit set (ids are below 2^28).
 */
#define STACKS_GEN1 (1 << 30)

/* Indexes of the per-CPU drop counter array. */
enum stacks_drop {
	/* bpf_get_stackid() failed on the kernel stack of a kernel-mode sample: kept without. */
	STACKS_DROP_KSTACK,
	/* bpf_get_stackid() failed on the user stack of a user thread: kept without it. */
	STACKS_DROP_USTACK,
	/* A different stack already held the hash bucket (-EEXIST): kept without that stack. */
	STACKS_DROP_COLLISION,
	/* The counts map was full: the sample is lost. */
	STACKS_DROP_COUNTS_FULL,
	/* The per-process map (no target) was full: the sample is lost. */
	STACKS_DROP_PROCS_FULL,
	/* DWARF mode, over the per-CPU rate of stack copies: frame pointers were used instead. */
	STACKS_DROP_DWARF_RATE,
	/* DWARF mode, the stack copy ring buffer was full: frame pointers were used instead. */
	STACKS_DROP_DWARF_RING,
	STACKS_DROP_COUNT,
};

/* Counts map key: one thread sampled in one pair of stacks. */
struct stacks_key {
	__u32 tgid;
	__u32 tid;
	__s32 kstack; /* stack map id, or a negative error / STACKS_STACK_NONE */
	__s32 ustack;
};

/* Counts map value; user space reads and deletes it at each poll. */
struct stacks_val {
	__u64 samples;
	char comm[STACKS_COMM_LEN]; /* the thread's name at its first sample */
};

/* Per-process map value, with no target: how busy each process was. Key: the tgid. */
struct stacks_tgid_val {
	__u64 samples;
	char comm[STACKS_COMM_LEN]; /* the name of the first thread sampled */
};

#endif
