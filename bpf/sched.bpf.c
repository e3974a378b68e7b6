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
#include "cgroup_filter.bpf.h"
#include "sched_class.bpf.h"
#include "log2.bpf.h"

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

/* Count one loss; atomic because an interrupt's program may count on this CPU meanwhile. */
static __always_inline void sched_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&sched_drops, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
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
 * The thread's entry, made when missing with the span starting at since (*made then says
 * so); NULL if full, or when the thread is outside the --cgroup cgroup: an entry it had ends
 * as if it exited (it moved out), and user space deletes it.
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
	if (!ktop_cgroup_wanted(t)) {
		if (e && e->state != SCHED_STATE_EXITED)
			sched_move(e, t, SCHED_STATE_EXITED, bpf_ktime_get_ns());
		return NULL;
	}
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

/*
 * Close t's current span at now when an event in it was not seen (it ran, or waited for a
 * CPU, where the entry says otherwise): the scheduler's clocks tell its CPU time and its
 * run-queue wait, the rest is rest. Then open one of class state. A seeded entry has no
 * clocks to compare: its span closes as it is.
 */
static __always_inline void sched_repair(struct sched_thread *e, struct task_struct *t,
					 __u32 rest, __u32 state, __u64 now)
{
	__u64 span, cpu, runq;

	if (e->flags & SCHED_THREAD_SEEDED || now <= e->since_ns) {
		sched_move(e, t, state, now);
		return;
	}
	span = now - e->since_ns;
	sched_span_split(t, e->exec_ns, e->delay_ns, span, &cpu, &runq);
	e->ns[SCHED_CLASS_CPU] += cpu;
	e->ns[SCHED_CLASS_RUNQ] += runq;
	e->ns[rest & (SCHED_CLASS_COUNT - 1)] += span - cpu - runq;
	e->since_ns = now;
	sched_count(SCHED_DROP_MISSED);
	sched_move(e, t, state, now);
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
			__u32 out = sched_out_class(ctx, preempt, prev,
						    e->flags & SCHED_THREAD_KTHREAD);

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
