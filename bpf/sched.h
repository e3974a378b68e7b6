/* SPDX-License-Identifier: GPL-2.0 */
/* What sched.bpf.c and collectors/sched.c share: the per-thread entry, classes, limits. */
#ifndef KTOP_BPF_SCHED_H
#define KTOP_BPF_SCHED_H

#define SCHED_COMM_LEN	  16
#define SCHED_CGROUP_NAME 32	/* the last part of a cgroup's path, as the kernel names it */
#define SCHED_THREADS_MAX 32768 /* threads followed at once (entries of exited ones go) */
#define SCHED_SLOTS	  32	/* run-queue latency log2 slots, in microseconds */

/* Where a thread's time goes; the order is the order of the columns. */
enum sched_time_class {
	SCHED_CLASS_CPU,   /* running */
	SCHED_CLASS_RUNQ,  /* runnable, waiting for a CPU */
	SCHED_CLASS_IO,	   /* uninterruptible: disk I/O, page faults that read, D waits */
	SCHED_CLASS_LOCK,  /* futex lock waits, flock, fcntl(F_SETLKW) */
	SCHED_CLASS_NET,   /* a socket system call, or read/write on a socket */
	SCHED_CLASS_SLEEP, /* nanosleep, clock_nanosleep */
	SCHED_CLASS_POLL,  /* poll, select, epoll, condition variables; idle kernel threads */
	SCHED_CLASS_OTHER, /* any other wait */
	SCHED_CLASS_COUNT,
};

/* sched_thread.state beyond the classes: the thread exited, its entry waits to be read. */
#define SCHED_STATE_EXITED SCHED_CLASS_COUNT

/* sched_thread.flags */
#define SCHED_THREAD_KTHREAD 0x1 /* a kernel thread */
#define SCHED_THREAD_SEEDED  0x2 /* made by user space at open from /proc, not seen yet */

/*
 * One thread, keyed by its TID: the class it is in now and since when, and the time of the
 * spans that ended, per class. User space reads every entry at each poll and deletes only
 * those of exited threads.
 */
struct sched_thread {
	__u64 since_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) when the current span began */
	__u64 ns[SCHED_CLASS_COUNT];
	__u64 switches; /* times it left a CPU */
	/* The scheduler's own clocks of the task when the current span began (both 0 when
	 * seeded): se.sum_exec_runtime and sched_info.run_delay, to split a span in which a
	 * switch or wakeup was not seen. */
	__u64 exec_ns;
	__u64 delay_ns;
	__u32 tgid;
	__u32 state; /* enum sched_time_class, or SCHED_STATE_EXITED */
	__u32 flags; /* SCHED_THREAD_* */
	__u32 uid;   /* effective, when the entry was made */
	char comm[SCHED_COMM_LEN];
	/* the cgroup v2 leaf (else the cpu controller's) when the entry was made; "": the root */
	char cgroup[SCHED_CGROUP_NAME];
};

/* Per CPU: the thread now running there and since when (tid 0: idle). */
struct sched_cpu_now {
	__u64 in_ns;
	__u32 tid;
	__u32 pad;
};

/* Indexes of the per-CPU drop counter array. */
enum sched_drop {
	/* The thread map was full: a thread's time is not followed. */
	SCHED_DROP_THREADS_FULL,
	/*
	 * A switch or wakeup of a thread was not seen (the tracepoint's program did not run
	 * for it): the span is split by the scheduler's clocks, its blocked part is "other".
	 */
	SCHED_DROP_MISSED,
	SCHED_DROP_COUNT,
};

#endif
