/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The thread-state classes of a context switch, shared by the programs that split a thread's
 * time by class (sched.bpf.c for every thread, sql.bpf.c for a query in flight): what a thread
 * leaves its CPU for, from its state and the system call it sleeps in. The including object
 * gets the two tunables below; user space sets them before load.
 */
#ifndef KTOP_BPF_SCHED_CLASS_BPF_H
#define KTOP_BPF_SCHED_CLASS_BPF_H

#include "sched.h"

#define SCHED_PF_KTHREAD	   0x00200000 /* PF_KTHREAD */
#define SCHED_TASK_INTERRUPTIBLE   0x0001
#define SCHED_TASK_UNINTERRUPTIBLE 0x0002
#define SCHED_TASK_DEAD		   0x0080 /* the last switch of an exiting task */
#define SCHED_TASK_NOLOAD	   0x0400 /* TASK_IDLE: uninterruptible but not a load */
#define SCHED_S_IFMT		   0170000
#define SCHED_S_IFSOCK		   0140000

/* futex(2)'s command without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME. */
#define SCHED_FUTEX_CMD_MASK 0x7f

/* sched_switch passes prev_state (v5.18+, fa2c3254d7cf); read from BTF by user space. */
const volatile bool sw_has_prev_state = true;
/* The kernel has bpf_task_pt_regs (v5.15): the system call in progress can be read. */
const volatile bool can_read_syscall = false;

/*
 * Before v5.14 a task's state was `volatile long state`, renamed to `unsigned int __state`
 * by 2f064a59a11f ("sched: Change task_struct::state").
 */
struct task_struct___x {
	long state;
} __attribute__((preserve_access_index));

/* The state prev leaves the CPU in, for kernels whose sched_switch does not pass it. */
static __always_inline __u32 sched_task_state(struct task_struct *t)
{
	struct task_struct___x *old = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (__u32)BPF_CORE_READ(old, state);
}

/* The scheduler's clocks of t: its CPU time and its run-queue wait so far (as schedstat). */
static __always_inline void sched_task_clocks(struct task_struct *t, __u64 *exec, __u64 *delay)
{
	*exec = BPF_CORE_READ(t, se.sum_exec_runtime);
	*delay = bpf_core_field_exists(t->sched_info.run_delay) ? BPF_CORE_READ(t, sched_info.run_delay)
							       : 0;
}

/*
 * The CPU time and run-queue wait of t in a span of span ns in which a switch or wakeup was not
 * seen, from the scheduler's clocks at the span's start (exec0, delay0): both within the span.
 */
static __always_inline void sched_span_split(struct task_struct *t, __u64 exec0, __u64 delay0,
					     __u64 span, __u64 *cpu, __u64 *runq)
{
	__u64 exec, delay;

	sched_task_clocks(t, &exec, &delay);
	*cpu = exec > exec0 ? exec - exec0 : 0;
	*cpu = *cpu < span ? *cpu : span;
	*runq = delay > delay0 ? delay - delay0 : 0;
	*runq = *runq < span - *cpu ? *runq : span - *cpu;
}

/* Whether file descriptor fd of task t is a socket. */
static __always_inline bool sched_fd_is_socket(struct task_struct *t, __u64 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds;
	struct file *f = NULL;
	__u32 mode;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return false;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return false;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	return (mode & SCHED_S_IFMT) == SCHED_S_IFSOCK;
}

/* The class of the system call prev sleeps in (x86_64 numbers), or SCHED_CLASS_COUNT. */
static __always_inline __u32 sched_syscall_class(struct task_struct *prev)
{
#if defined(__TARGET_ARCH_x86)
	struct task_struct *cur = bpf_get_current_task_btf();
	struct pt_regs *regs;
	long nr;

	if (!can_read_syscall)
		return SCHED_CLASS_COUNT;
	regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	nr = (long)BPF_CORE_READ(regs, orig_ax);
	switch (nr) {
	case 202: /* futex */
		switch (BPF_CORE_READ(regs, si) & SCHED_FUTEX_CMD_MASK) {
		case 0:	 /* FUTEX_WAIT: glibc's mutexes, most hand-made locks */
		case 6:	 /* FUTEX_LOCK_PI */
		case 13: /* FUTEX_LOCK_PI2 */
			return SCHED_CLASS_LOCK;
		case 9:	 /* FUTEX_WAIT_BITSET: glibc's condition variables, semaphores */
		case 11: /* FUTEX_WAIT_REQUEUE_PI: PI condition variables */
			return SCHED_CLASS_POLL;
		}
		return SCHED_CLASS_COUNT;
	case 449: /* futex_waitv */
	case 73:  /* flock */
		return SCHED_CLASS_LOCK;
	case 72: /* fcntl: F_SETLKW, F_OFD_SETLKW */
		nr = (long)BPF_CORE_READ(regs, si);
		return nr == 7 || nr == 38 ? SCHED_CLASS_LOCK : SCHED_CLASS_COUNT;
	case 35:  /* nanosleep */
	case 230: /* clock_nanosleep */
		return SCHED_CLASS_SLEEP;
	case 7:	  /* poll */
	case 23:  /* select */
	case 232: /* epoll_wait */
	case 270: /* pselect6 */
	case 271: /* ppoll */
	case 281: /* epoll_pwait */
	case 441: /* epoll_pwait2 */
		return SCHED_CLASS_POLL;
	case 42:  /* connect */
	case 43:  /* accept */
	case 44:  /* sendto */
	case 45:  /* recvfrom */
	case 46:  /* sendmsg */
	case 47:  /* recvmsg */
	case 288: /* accept4 */
	case 299: /* recvmmsg */
	case 307: /* sendmmsg */
		return SCHED_CLASS_NET;
	case 0:	 /* read */
	case 1:	 /* write */
	case 19: /* readv */
	case 20: /* writev */
		if (sched_fd_is_socket(prev, BPF_CORE_READ(regs, di)))
			return SCHED_CLASS_NET;
		return SCHED_CLASS_COUNT;
	}
#endif
	return SCHED_CLASS_COUNT;
}

/* The class of a block that begins: from the thread's state and its system call. */
static __always_inline __u32 sched_block_class(struct task_struct *prev, __u32 state, bool kthread)
{
	bool d = (state & SCHED_TASK_UNINTERRUPTIBLE) && !(state & SCHED_TASK_NOLOAD);
	__u32 cls;

	if (kthread)
		return d ? SCHED_CLASS_IO : SCHED_CLASS_POLL;
	cls = sched_syscall_class(prev);
	if (cls < SCHED_CLASS_COUNT)
		return cls;
	if (d || BPF_CORE_READ_BITFIELD_PROBED(prev, in_iowait))
		return SCHED_CLASS_IO;
	return SCHED_CLASS_OTHER;
}

/* The state prev leaves the CPU in: the 4th argument where sched_switch has one. */
static __always_inline __u32 sched_prev_state(__u64 *ctx, struct task_struct *prev)
{
	__u32 state;

	/* The barrier keeps clang from loading ctx[3] where the tracepoint has no 4th argument. */
	if (sw_has_prev_state) {
		state = (__u32)ctx[3];
		barrier_var(state);
		return state;
	}
	return sched_task_state(prev);
}

/* The class prev leaves its CPU for, from its state as it switches out. */
static __always_inline __u32 sched_out_class(__u64 *ctx, bool preempt, struct task_struct *prev,
					     bool kthread)
{
	__u32 state = sched_prev_state(ctx, prev);

	if (state & SCHED_TASK_DEAD)
		return SCHED_STATE_EXITED;
	if (preempt || !(state & 0xff))
		return SCHED_CLASS_RUNQ;
	return sched_block_class(prev, state, kthread);
}

#endif
