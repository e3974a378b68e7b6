/* SPDX-License-Identifier: GPL-2.0 */
/* What offcpu.bpf.c and collectors/offcpu.c share: map keys and values, limits, counter indexes. */
#ifndef KTOP_BPF_OFFCPU_H
#define KTOP_BPF_OFFCPU_H

#define OFFCPU_COMM_LEN	   16
#define OFFCPU_STACK_DEPTH 127 /* frames per stack: the kernel's default perf_event_max_stack */

/* Default map sizes; the stack maps are resized from user space before load. */
#define OFFCPU_STACKS_MAX 16384	      /* kernel and user stacks, both maps (--stack-storage) */
#define OFFCPU_COUNTS_MAX 16384	      /* (thread, stacks) pairs between two polls */
#define OFFCPU_PIDS_MAX	  64	      /* PIDs in the filter */
#define OFFCPU_SEEN_MAX	  8192	      /* processes already announced to user space */
#define OFFCPU_NOTES_SIZE (64 * 1024) /* bytes of the process note ring buffer */

/*
 * A stack id that was not asked for: the thread has no user space (a kernel thread, or a
 * process past exit_mm()). Outside the -errno range, so never a bpf_get_stackid() result.
 */
#define OFFCPU_STACK_NONE (-4096)

/*
 * Blocks take their stacks in one of two stack maps, the one stack_gen names; user space flips
 * stack_gen at each poll and, once it has read what refers to the other map, deletes from it
 * the ids no block holds any more (offcpu_refs counts the holders). An id of the second map has
 * this bit set (ids are below 2^28; bits 28-29 may hold a fallback's cause).
 */
#define OFFCPU_GEN1 (1 << 30)

/* Indexes of the per-CPU drop counter array. */
enum offcpu_drop {
	/* bpf_get_stackid() failed on the kernel stack: the block is kept without it. */
	OFFCPU_DROP_KSTACK,
	/* bpf_get_stackid() failed on the user stack of a user thread: kept without it. */
	OFFCPU_DROP_USTACK,
	/* A different stack already held the hash bucket (-EEXIST): kept without that stack. */
	OFFCPU_DROP_COLLISION,
	/* The counts map was full at switch-in: the block is lost. */
	OFFCPU_DROP_COUNTS_FULL,
	/* No task storage for the thread (allocation failed, or busy): the block is lost. */
	OFFCPU_DROP_STORAGE,
	/* The process note ring buffer was full: the process may not be symbolized. */
	OFFCPU_DROP_NOTE,
	/* DWARF mode, over the per-CPU rate of stack copies: frame pointers were used instead. */
	OFFCPU_DROP_DWARF_RATE,
	/* DWARF mode, the stack copy ring buffer was full: frame pointers were used instead. */
	OFFCPU_DROP_DWARF_RING,
	/*
	 * DWARF mode, the thread did not return to user space where it blocked (a page fault, a
	 * preemption, an exit) before it was next seen: frame pointers were used instead.
	 */
	OFFCPU_DROP_DWARF_MOVED,
	OFFCPU_DROP_COUNT,
};

/* Per-thread state in task storage, written at switch-out. */
struct offcpu_start {
	__u64 ts_ns; /* when the thread went off the CPU; 0: nothing pending */
	__u32 tgid;
	__s32 kstack; /* stack map id, or a negative error / OFFCPU_STACK_NONE */
	__s32 ustack;
	__u32 flags;		    /* OFFCPU_START_* */
	char comm[OFFCPU_COMM_LEN]; /* the thread's name at switch-out */
	/* DWARF mode: where in user space the thread was, and a block waiting for its copy. */
	__u64 usp;
	__u64 uip;
	__u64 pending_ns; /* a block that passed, to send at the return to user space; 0: none */
	__u32 pending_tid;
	__u32 pad;
};

/* offcpu_start.flags: what the block was, so settings changed meanwhile still apply. */
#define OFFCPU_START_KTHREAD  0x1 /* a kernel thread */
#define OFFCPU_START_RUNNABLE 0x2 /* preempted, not sleeping */
/* kstack and ustack hold a reference each (those that are ids) in offcpu_refs */
#define OFFCPU_START_HELD 0x4

/* Per-CPU, raw_tp flavour only: when the task now on this CPU came in. */
struct offcpu_oncpu {
	__u64 task; /* its task_struct address */
	__u64 in_ns;
};

/* Counts map key: one thread blocked in one pair of stacks. */
struct offcpu_key {
	__u32 tgid;
	__u32 tid;
	__s32 kstack; /* stack map id, or a negative error / OFFCPU_STACK_NONE */
	__s32 ustack;
};

/* Counts map value; user space reads and deletes it at each poll. */
struct offcpu_val {
	__u64 total_ns; /* off-CPU time of the blocks that ended since the entry was created */
	__u64 count;	/* blocks */
	char comm[OFFCPU_COMM_LEN];
};

/* What a process note says. */
enum offcpu_note_kind {
	OFFCPU_NOTE_NEW = 1,  /* a process got its first stack: read its maps while it lives */
	OFFCPU_NOTE_EXEC = 2, /* a process ran exec: its maps are new */
	OFFCPU_NOTE_EXIT = 3, /* a process's last thread exited: its stacks can be folded */
};

/* Ring buffer record. */
struct offcpu_note {
	__u32 tgid;
	__u32 kind; /* enum offcpu_note_kind */
};

#endif
