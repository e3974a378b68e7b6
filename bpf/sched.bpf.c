// SPDX-License-Identifier: GPL-2.0
/*
 * Where every thread's time goes: at each sched_switch and wakeup the thread's current span
 * is closed into its per-class total and the next span opens, in one hash entry per thread
 * that user space reads (without deleting) at each poll. Nothing is sent per event. The
 * run-queue latency of the whole box goes to a per-CPU log2 histogram.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sched.h"
#include "log2.bpf.h"

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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCHED_THREADS_MAX);
	__type(key, __u32);
	__type(value, struct sched_thread);
} sched_threads SEC(".maps");

/* Run-queue latency in microseconds, log2 slots, cumulative since load. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCHED_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} sched_runq_hist SEC(".maps");

/*
 * The task now on each CPU and when it came in: the start of a first-seen thread's CPU span,
 * and for user space, which threads really are on a CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sched_cpu_now);
} sched_cpu_in SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCHED_DROP_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} sched_drops SEC(".maps");

/*
 * Before v5.14 a task's state was `volatile long state`, renamed to `unsigned int __state`
 * by 2f064a59a11f ("sched: Change task_struct::state").
 */
struct task_struct___x {
	long state;
} __attribute__((preserve_access_index));

/* Count one loss; atomic because an interrupt's program may count on this CPU meanwhile. */
static __always_inline void sched_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&sched_drops, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}


/* The state prev leaves the CPU in, for kernels whose sched_switch does not pass it. */
static __always_inline __u32 sched_task_state(struct task_struct *t)
{
	struct task_struct___x *old = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (__u32)BPF_CORE_READ(old, state);
}

/*
 * The last part of t's cgroup path: of cgroup v2, else of the v1 hierarchy with the cpu
 * controller. For processes gone before user space could read /proc.
 */
static __always_inline void sched_cgroup_name(struct task_struct *t, char *out)
{
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	const char *name = BPF_CORE_READ(cs, dfl_cgrp, kn, name);
	int id;

	if (name)
		bpf_probe_read_kernel_str(out, SCHED_CGROUP_NAME, name);
	if (out[0] || !bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		return;
	id = bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id);
	bpf_probe_read_kernel(&css, sizeof(css),
			      (char *)cs + bpf_core_field_offset(struct css_set, subsys) +
				      (id & 15) * sizeof(css));
	name = BPF_CORE_READ(css, cgroup, kn, name);
	if (name)
		bpf_probe_read_kernel_str(out, SCHED_CGROUP_NAME, name);
}

/* The scheduler's clocks of t: its CPU time and its run-queue wait so far (as schedstat). */
static __always_inline void sched_task_clocks(struct task_struct *t, __u64 *exec, __u64 *delay)
{
	*exec = BPF_CORE_READ(t, se.sum_exec_runtime);
	*delay = bpf_core_field_exists(t->sched_info.run_delay) ? BPF_CORE_READ(t, sched_info.run_delay)
							       : 0;
}

/*
 * The thread's entry, made when missing with the span starting at since (*made then says
 * so); NULL if full.
 */
static __always_inline struct sched_thread *sched_entry(struct task_struct *t, __u32 tid,
							__u32 state, __u64 since, bool *made)
{
	struct sched_thread *e;
	struct sched_thread n = {
		.since_ns = since,
		.state = state,
	};

	*made = false;
	e = bpf_map_lookup_elem(&sched_threads, &tid);
	/* An entry of an exited thread whose TID is taken again before user space read it. */
	if (e && e->state == SCHED_STATE_EXITED && e->tgid != BPF_CORE_READ(t, tgid)) {
		bpf_map_delete_elem(&sched_threads, &tid);
		e = NULL;
	}
	if (e)
		return e;
	n.tgid = BPF_CORE_READ(t, tgid);
	n.uid = BPF_CORE_READ(t, cred, euid.val);
	sched_task_clocks(t, &n.exec_ns, &n.delay_ns);
	sched_cgroup_name(t, n.cgroup);
	if (BPF_CORE_READ(t, flags) & SCHED_PF_KTHREAD)
		n.flags = SCHED_THREAD_KTHREAD;
	BPF_CORE_READ_STR_INTO(&n.comm, t, comm);
	bpf_map_update_elem(&sched_threads, &tid, &n, BPF_NOEXIST);
	e = bpf_map_lookup_elem(&sched_threads, &tid);
	if (!e)
		sched_count(SCHED_DROP_THREADS_FULL);
	*made = e != NULL;
	return e;
}

/* Close t's current span at now and open one of class state. */
static __always_inline void sched_move(struct sched_thread *e, struct task_struct *t, __u32 state,
				       __u64 now)
{
	__u32 cur = e->state;

	if (cur < SCHED_CLASS_COUNT && now > e->since_ns)
		e->ns[cur & (SCHED_CLASS_COUNT - 1)] += now - e->since_ns;
	e->state = state;
	e->since_ns = now;
	sched_task_clocks(t, &e->exec_ns, &e->delay_ns);
	e->flags &= ~SCHED_THREAD_SEEDED;
}

/*
 * Close t's current span at now when an event in it was not seen (it ran, or waited for a
 * CPU, where the entry says otherwise): the scheduler's clocks tell its CPU time and its
 * run-queue wait, the rest is rest. Then open one of class state. A seeded entry has no
 * clocks to compare: its span closes as it is.
 */
static __always_inline void sched_repair(struct sched_thread *e, struct task_struct *t,
					 __u32 rest, __u32 state, __u64 now)
{
	__u64 exec, delay, span, cpu, runq;

	if (e->flags & SCHED_THREAD_SEEDED || now <= e->since_ns) {
		sched_move(e, t, state, now);
		return;
	}
	sched_task_clocks(t, &exec, &delay);
	span = now - e->since_ns;
	cpu = exec > e->exec_ns ? exec - e->exec_ns : 0;
	cpu = cpu < span ? cpu : span;
	runq = delay > e->delay_ns ? delay - e->delay_ns : 0;
	runq = runq < span - cpu ? runq : span - cpu;
	e->ns[SCHED_CLASS_CPU] += cpu;
	e->ns[SCHED_CLASS_RUNQ] += runq;
	e->ns[rest & (SCHED_CLASS_COUNT - 1)] += span - cpu - runq;
	e->since_ns = now;
	sched_count(SCHED_DROP_MISSED);
	sched_move(e, t, state, now);
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
					     const struct sched_thread *e)
{
	__u32 state = sched_prev_state(ctx, prev);

	if (state & SCHED_TASK_DEAD)
		return SCHED_STATE_EXITED;
	if (preempt || !(state & 0xff))
		return SCHED_CLASS_RUNQ;
	return sched_block_class(prev, state, e->flags & SCHED_THREAD_KTHREAD);
}

/* One context switch: prev's CPU span ends and its next class begins; next starts running. */
static __always_inline void sched_on_switch(__u64 *ctx, bool preempt, struct task_struct *prev,
					    struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	struct sched_cpu_now *cpu_in;
	struct sched_thread *e;
	__u32 zero = 0;
	__u64 since;
	bool made;
	__u32 tid;

	cpu_in = bpf_map_lookup_elem(&sched_cpu_in, &zero);
	if (!cpu_in)
		return;
	tid = BPF_CORE_READ(prev, pid);
	if (tid) {
		/* First seen leaving: it has run since this CPU last switched (if we saw that). */
		since = cpu_in->in_ns && cpu_in->in_ns <= now ? cpu_in->in_ns : now;
		e = sched_entry(prev, tid, SCHED_CLASS_CPU, since, &made);
		if (e) {
			__u32 out = sched_out_class(ctx, preempt, prev, e);

			/* Leaving a CPU we never saw it come onto: it was waiting, then ran. */
			if (e->state != SCHED_CLASS_CPU && e->state != SCHED_STATE_EXITED)
				sched_repair(e, prev, e->state, out, now);
			else
				sched_move(e, prev, out, now);
			e->switches++;
			/* prev is current: its name now, as exec and prctl may have changed it */
			bpf_get_current_comm(e->comm, sizeof(e->comm));
		}
	}
	tid = BPF_CORE_READ(next, pid);
	cpu_in->in_ns = now;
	cpu_in->tid = tid;
	if (!tid)
		return;
	e = sched_entry(next, tid, SCHED_CLASS_CPU, now, &made);
	if (!e || made || e->state == SCHED_STATE_EXITED)
		return;
	/* Coming onto a CPU we never saw it leave: it ran, then was away for a reason unseen. */
	if (e->state == SCHED_CLASS_CPU) {
		sched_repair(e, next, SCHED_CLASS_OTHER, SCHED_CLASS_CPU, now);
		return;
	}
	if (e->state == SCHED_CLASS_RUNQ && now > e->since_ns) {
		__u32 slot = ktop_log2_slot((now - e->since_ns) / 1000, SCHED_SLOTS - 1);
		__u64 *v = bpf_map_lookup_elem(&sched_runq_hist, &slot);

		if (v)
			*v += 1;
	}
	sched_move(e, next, SCHED_CLASS_CPU, now);
}

/* A thread is woken: its block ends and it waits for a CPU. */
static __always_inline void sched_on_wakeup(struct task_struct *p)
{
	__u64 now = bpf_ktime_get_ns();
	struct sched_thread *e;
	bool made;
	__u32 tid;

	tid = BPF_CORE_READ(p, pid);
	if (!tid)
		return;
	e = sched_entry(p, tid, SCHED_CLASS_RUNQ, now, &made);
	if (!e || made || e->state == SCHED_CLASS_RUNQ || e->state == SCHED_STATE_EXITED)
		return;
	if (e->state == SCHED_CLASS_CPU) {
		/* Woken before it switched out: still on its CPU, nothing changes. */
		if (BPF_CORE_READ(p, on_cpu))
			return;
		/* Off its CPU, though we never saw it leave. */
		sched_repair(e, p, SCHED_CLASS_OTHER, SCHED_CLASS_RUNQ, now);
		return;
	}
	sched_move(e, p, SCHED_CLASS_RUNQ, now);
}

SEC("tp_btf/sched_switch")
int sched_sw_btf(__u64 *ctx)
{
	sched_on_switch(ctx, ctx[0] & 1, (struct task_struct *)ctx[1],
			(struct task_struct *)ctx[2]);
	return 0;
}

SEC("raw_tp/sched_switch")
int sched_sw_raw(__u64 *ctx)
{
	sched_on_switch(ctx, ctx[0] & 1, (struct task_struct *)ctx[1],
			(struct task_struct *)ctx[2]);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int sched_wakeup_btf(__u64 *ctx)
{
	sched_on_wakeup((struct task_struct *)ctx[0]);
	return 0;
}

SEC("raw_tp/sched_wakeup")
int sched_wakeup_raw(__u64 *ctx)
{
	sched_on_wakeup((struct task_struct *)ctx[0]);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int sched_wakeup_new_btf(__u64 *ctx)
{
	sched_on_wakeup((struct task_struct *)ctx[0]);
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int sched_wakeup_new_raw(__u64 *ctx)
{
	sched_on_wakeup((struct task_struct *)ctx[0]);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
