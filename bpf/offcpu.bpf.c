// SPDX-License-Identifier: GPL-2.0
/*
 * Off-CPU time by stack: at sched_switch, the thread leaving the CPU gets a timestamp and its
 * kernel and user stack ids in task storage; the thread coming back adds the time it was away
 * to its (thread, stacks) entry in the counts map, which user space drains at each poll.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "offcpu.h"
#include "cgroup_filter.bpf.h"
#include "ustack_copy.bpf.h"

#define OFFCPU_EEXIST	  17	     /* EEXIST */
#define OFFCPU_ENOENT	  2	     /* ENOENT */
#define OFFCPU_PF_KTHREAD 0x00200000 /* PF_KTHREAD */
#define OFFCPU_PF_EXITING 0x00000004 /* PF_EXITING: in do_exit */
#define OFFCPU_TASK_DEAD  0x00000080 /* TASK_DEAD: the last switch of an exiting task */

/* sched_switch passes prev_state (v5.18+, fa2c3254d7cf); read from BTF by user space. */
const volatile bool sw_has_prev_state = true;

/* Written live by user space through the mmapped .bss. */
__u32 filter_pids = 0;	  /* nonzero: only the tgids in offcpu_pids */
__u32 count_runnable = 0; /* nonzero: preempted (still runnable) time counts too */
__u32 count_kthreads = 0; /* nonzero: kernel threads too */
__u64 min_block_ns = 0;	  /* shorter blocks are not counted */
__u64 max_block_ns = 0;	  /* longer blocks are not counted; 0: no limit */
__u32 dwarf_mode = 0;	  /* nonzero: user stacks of blocks that count are copied */

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct offcpu_start);
} offcpu_starts SEC(".maps");

/* Written live by user space at each poll: the stack map blocks take their stacks in, 0 or 1. */
__u32 stack_gen = 0;
/* Set before load: ids of one stack map are below this (its size rounded up to a power of 2). */
const volatile __u32 stack_nids = OFFCPU_STACKS_MAX / 2;

/*
 * Two stack maps used in turn (OFFCPU_GEN1): an id stays in its map while a block holds it,
 * however long it lasts, and user space deletes the others once read.
 */
struct offcpu_stack_map {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, OFFCPU_STACKS_MAX / 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, OFFCPU_STACK_DEPTH * sizeof(__u64));
};

struct offcpu_stack_map offcpu_stacks0 SEC(".maps");
struct offcpu_stack_map offcpu_stacks1 SEC(".maps");

/*
 * The two by generation. User space writes a slot after a flip: the update returns once every
 * program that may have read the old generation has finished.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct offcpu_stack_map);
} offcpu_gens SEC(".maps") = {
	.values = { &offcpu_stacks0, &offcpu_stacks1 },
};

/*
 * Holders of each id: the first map's ids, then the second's (stack_nids each; resized before
 * load). A block holds its ids from its switch-out until it is counted; user space, which maps
 * the array, deletes an id of the map it retires only when nothing holds it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, OFFCPU_STACKS_MAX);
	__type(key, __u32);
	__type(value, __u64); /* an array's values are 8 bytes apart: what user space maps */
} offcpu_refs SEC(".maps");

/*
 * Each id taken since user space last emptied its map (1), laid out as offcpu_refs: user space,
 * which maps the array, finds the ids to delete here instead of walking the stack map.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, OFFCPU_STACKS_MAX);
	__type(key, __u32);
	__type(value, __u64);
} offcpu_taken SEC(".maps");

/* Emptied every poll: collectors/offcpu.c makes it BPF_F_NO_PREALLOC where the kernel allows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OFFCPU_COUNTS_MAX);
	__type(key, struct offcpu_key);
	__type(value, struct offcpu_val);
} offcpu_counts SEC(".maps");

/* Room for an old and a new set at once: user space adds the new PIDs first. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * OFFCPU_PIDS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} offcpu_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, OFFCPU_SEEN_MAX);
	__type(key, __u32);
	__type(value, __u8);
} offcpu_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, OFFCPU_NOTES_SIZE);
} offcpu_notes SEC(".maps");

/* raw_tp flavour: when the current task of each CPU came in. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct offcpu_oncpu);
} offcpu_oncpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, OFFCPU_DROP_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} offcpu_drops SEC(".maps");

/*
 * Before v5.14 a task's state was `volatile long state`, renamed to `unsigned int __state`
 * by 2f064a59a11f ("sched: Change task_struct::state").
 */
struct task_struct___x {
	long state;
} __attribute__((preserve_access_index));

/* Count one loss; atomic because an interrupt's program may count on this CPU meanwhile. */
static __always_inline void offcpu_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&offcpu_drops, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* The state prev leaves the CPU in, for kernels whose sched_switch does not pass it. */
static __always_inline __u32 offcpu_task_state(struct task_struct *t)
{
	struct task_struct___x *old = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (__u32)BPF_CORE_READ(old, state);
}

/* The slot of a stack id (>= 0, its generation in OFFCPU_GEN1) in offcpu_refs and offcpu_taken. */
static __always_inline __u32 offcpu_id_slot(__s32 id)
{
	return (id & OFFCPU_GEN1 ? stack_nids : 0) + (id & (OFFCPU_GEN1 - 1));
}

/* Add delta to the holders of stack id (nothing for an error or OFFCPU_STACK_NONE). */
static __always_inline void offcpu_ref(__s32 id, int delta)
{
	__u32 idx;
	__u64 *n;

	if (id < 0)
		return;
	idx = offcpu_id_slot(id);
	n = bpf_map_lookup_elem(&offcpu_refs, &idx);
	if (n)
		__sync_fetch_and_add(n, (__s64)delta);
}

/* The block's ids are counted or dropped: it no longer holds them. */
static __always_inline void offcpu_release(struct offcpu_start *s)
{
	if (!(s->flags & OFFCPU_START_HELD))
		return;
	s->flags &= ~OFFCPU_START_HELD;
	offcpu_ref(s->kstack, -1);
	offcpu_ref(s->ustack, -1);
}

/*
 * A stack id as kept, taken in map (generation gen: OFFCPU_GEN1 set for the second) and held:
 * -EEXIST and other failures are counted, and stay in the key.
 */
static __always_inline __s32 offcpu_stackid(void *ctx, void *map, __u32 gen, __u64 flags,
					    __u32 drop)
{
	long id;

	if (!map) {
		offcpu_count(drop);
		return -OFFCPU_ENOENT;
	}
	id = bpf_get_stackid(ctx, map, flags);
	if (id >= 0) {
		__u32 idx;
		__u64 *taken;

		id |= gen ? OFFCPU_GEN1 : 0;
		offcpu_ref((__s32)id, 1);
		idx = offcpu_id_slot((__s32)id);
		taken = bpf_map_lookup_elem(&offcpu_taken, &idx);
		if (taken)
			*taken = 1;
		return (__s32)id;
	}
	offcpu_count(id == -OFFCPU_EEXIST ? OFFCPU_DROP_COLLISION : drop);
	return (__s32)id;
}

/* Tell user space that a process has stacks to symbolize (once), ran exec or exited. */
static __always_inline void offcpu_note(__u32 tgid, __u32 kind)
{
	struct offcpu_note *n;
	__u8 one = 1;

	n = bpf_ringbuf_reserve(&offcpu_notes, sizeof(*n), 0);
	if (!n) {
		offcpu_count(OFFCPU_DROP_NOTE);
		return;
	}
	n->tgid = tgid;
	n->kind = kind;
	/*
	 * An exec wakes no one: the note that its first block after the exec sends comes after
	 * it in the ring and wakes user space, which then reads the new maps (a process that
	 * never blocks again has nothing to name). One wakeup per exec'd process, not two. That
	 * wakeup is forced: the ring wakes on its own only for a record with none unread before
	 * it, and an exec note may be. An exit wakes no one either: it waits for the next poll.
	 */
	bpf_ringbuf_submit(n, kind == OFFCPU_NOTE_NEW ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	if (kind == OFFCPU_NOTE_NEW)
		bpf_map_update_elem(&offcpu_seen, &tgid, &one, BPF_ANY);
}

/* Whether the PID filter lets tgid through. */
static __always_inline bool offcpu_pid_wanted(__u32 tgid)
{
	return !filter_pids || bpf_map_lookup_elem(&offcpu_pids, &tgid);
}

/* Add one block to its (thread, stacks) entry, under user stack id ustack. */
static __always_inline void offcpu_account_as(struct offcpu_start *s, __u32 tid, __u64 delta,
					      __s32 ustack)
{
	struct offcpu_key k = {
		.tgid = s->tgid,
		.tid = tid,
		.kstack = s->kstack,
		.ustack = ustack,
	};
	struct offcpu_val n = {.total_ns = delta, .count = 1};
	struct offcpu_val *v;

	v = bpf_map_lookup_elem(&offcpu_counts, &k);
	if (!v) {
		__builtin_memcpy(n.comm, s->comm, sizeof(n.comm));
		if (!bpf_map_update_elem(&offcpu_counts, &k, &n, BPF_NOEXIST))
			return;
		/* Another CPU created it first, or the map is full. */
		v = bpf_map_lookup_elem(&offcpu_counts, &k);
		if (!v) {
			offcpu_count(OFFCPU_DROP_COUNTS_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&v->total_ns, delta);
	__sync_fetch_and_add(&v->count, 1);
}

/* Add one block to its (thread, stacks) entry. */
static __always_inline void offcpu_account(struct offcpu_start *s, __u32 tid, __u64 delta)
{
	offcpu_account_as(s, tid, delta, s->ustack);
}

/*
 * A block waiting for its stack copy will not get one: count it with frame pointers, its id
 * marked with the cause (USTACK_FB_*) so that user space can say so.
 */
static __always_inline void offcpu_pending_fall_back(struct offcpu_start *s, __u32 drop,
						     __u32 cause)
{
	offcpu_count(drop);
	offcpu_account_as(s, s->pending_tid, s->pending_ns, ustack_fallback_id(s->ustack, cause));
	s->pending_ns = 0;
	offcpu_release(s);
}

/* prev leaves the CPU: if it is one we follow, remember when and where. */
static __always_inline void offcpu_switch_out(void *ctx, struct task_struct *prev, bool preempt,
					      __u32 state)
{
	struct offcpu_start *s;
	bool runnable;
	bool kthread;
	__u32 flags;
	void *map;
	__u32 tgid;
	__u32 gen;

	if (!BPF_CORE_READ(prev, pid))
		return;
	if (state & OFFCPU_TASK_DEAD) {
		s = bpf_task_storage_get(&offcpu_starts, prev, 0, 0);
		if (s && s->pending_ns)
			offcpu_pending_fall_back(s, OFFCPU_DROP_DWARF_MOVED, USTACK_FB_MOVED);
		/* Its storage goes with it: nothing may stay held (a block whose end was missed). */
		if (s)
			offcpu_release(s);
		return;
	}
	tgid = BPF_CORE_READ(prev, tgid);
	if (!offcpu_pid_wanted(tgid) || !ktop_cgroup_wanted(prev))
		return;
	flags = BPF_CORE_READ(prev, flags);
	kthread = flags & OFFCPU_PF_KTHREAD;
	if (kthread && !count_kthreads)
		return;
	/* A preempted task stays runnable whatever its state says. */
	runnable = preempt || !state;
	if (runnable && !count_runnable)
		return;

	s = bpf_task_storage_get(&offcpu_starts, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s) {
		offcpu_count(OFFCPU_DROP_STORAGE);
		return;
	}
	/* It blocks again without having gone back to user space since its last block. */
	if (s->pending_ns)
		offcpu_pending_fall_back(s, OFFCPU_DROP_DWARF_MOVED, USTACK_FB_MOVED);
	/* A block whose end was not seen (a missed run): its ids go before new ones are taken. */
	offcpu_release(s);
	s->tgid = tgid;
	s->flags = (kthread ? OFFCPU_START_KTHREAD : 0) | (runnable ? OFFCPU_START_RUNNABLE : 0) |
		   OFFCPU_START_HELD;
	/* prev is current: the stacks are its own, and so is the comm. */
	gen = stack_gen & 1;
	map = bpf_map_lookup_elem(&offcpu_gens, &gen);
	s->kstack = offcpu_stackid(ctx, map, gen, 0, OFFCPU_DROP_KSTACK);
	if (kthread || !BPF_CORE_READ(prev, mm))
		s->ustack = OFFCPU_STACK_NONE;
	else
		s->ustack = offcpu_stackid(ctx, map, gen, BPF_F_USER_STACK, OFFCPU_DROP_USTACK);
	/*
	 * Where in user space it blocks, even before DWARF is turned on: a block that began
	 * then and ends after can still be copied on its way back.
	 */
	s->usp = 0;
	if (ustack_can_copy && s->ustack != OFFCPU_STACK_NONE)
		ustack_sp_ip((struct pt_regs *)bpf_task_pt_regs(prev), &s->usp, &s->uip);
	/*
	 * Now, while it surely lives: user space reads its maps during the block. Not for a
	 * thread in its exit: the maps are going, the user stack is the exit call, and where
	 * sched_process_exit comes first (6.16+) the exit note has already told user space; the
	 * wakeup each dying process would cost is saved.
	 */
	if (s->ustack != OFFCPU_STACK_NONE && !(flags & OFFCPU_PF_EXITING) &&
	    !bpf_map_lookup_elem(&offcpu_seen, &tgid))
		offcpu_note(tgid, OFFCPU_NOTE_NEW);
	bpf_get_current_comm(s->comm, sizeof(s->comm));
	s->ts_ns = bpf_ktime_get_ns();
}

/*
 * A thread's block ended at in_ns: count it if it passes the thresholds and the filters,
 * which may have changed since it began. In DWARF mode the count waits for the thread's
 * return to user space, where its stack is copied (offcpu_sys_exit).
 */
static __always_inline void offcpu_block_end(struct offcpu_start *s, struct task_struct *t,
					     __u32 tid, __u64 in_ns)
{
	__u64 delta = in_ns - s->ts_ns;

	s->ts_ns = 0;
	if (delta < min_block_ns || (max_block_ns && delta > max_block_ns) ||
	    ((s->flags & OFFCPU_START_KTHREAD) && !count_kthreads) ||
	    ((s->flags & OFFCPU_START_RUNNABLE) && !count_runnable) ||
	    !offcpu_pid_wanted(s->tgid) || !ktop_cgroup_wanted(t)) {
		offcpu_release(s);
		return;
	}
	/* The ids stay held until the copy is sent or the block falls back. */
	if (dwarf_mode && s->usp) {
		s->pending_ns = delta;
		s->pending_tid = tid;
		return;
	}
	/* Counted first, then released: user space drains the key before it deletes an id. */
	offcpu_account(s, tid, delta);
	offcpu_release(s);
}

/* next comes back to a CPU: its block ends now. */
static __always_inline void offcpu_switch_in(struct task_struct *next)
{
	struct offcpu_start *s;
	__u32 tid;

	tid = BPF_CORE_READ(next, pid);
	if (!tid)
		return;
	s = bpf_task_storage_get(&offcpu_starts, next, 0, 0);
	if (s && s->ts_ns)
		offcpu_block_end(s, next, tid, bpf_ktime_get_ns());
}

/* The state prev leaves the CPU in: the 4th argument where sched_switch has one. */
static __always_inline __u32 offcpu_prev_state(__u64 *ctx, struct task_struct *prev)
{
	__u32 state;

	/* The barrier keeps clang from loading ctx[3] where the tracepoint has no 4th argument. */
	if (sw_has_prev_state) {
		state = (__u32)ctx[3];
		barrier_var(state);
		return state;
	}
	return offcpu_task_state(prev);
}

/* tp_btf: prev and next are task pointers that task storage takes. */
SEC("tp_btf/sched_switch")
int offcpu_sw_btf(__u64 *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx[1];

	offcpu_switch_out(ctx, prev, ctx[0] & 1, offcpu_prev_state(ctx, prev));
	offcpu_switch_in((struct task_struct *)ctx[2]);
	return 0;
}

/*
 * raw_tp: the arguments are plain numbers, which task storage does not take, and only prev
 * (current) can be had as a task pointer. So each CPU remembers when its current task came
 * in, and a block is counted when its thread leaves the CPU again: later, with the same time.
 */
SEC("raw_tp/sched_switch")
int offcpu_sw_raw(__u64 *ctx)
{
	struct task_struct *prev = bpf_get_current_task_btf();
	struct offcpu_start *s;
	struct offcpu_oncpu *oc;
	__u32 zero = 0;
	__u32 tid;

	oc = bpf_map_lookup_elem(&offcpu_oncpu, &zero);
	if (!oc)
		return 0;
	tid = BPF_CORE_READ(prev, pid);
	if (tid && oc->task == (__u64)prev) {
		s = bpf_task_storage_get(&offcpu_starts, prev, 0, 0);
		if (s && s->ts_ns && oc->in_ns >= s->ts_ns)
			offcpu_block_end(s, prev, tid, oc->in_ns);
	}
	offcpu_switch_out(ctx, prev, ctx[0] & 1, offcpu_prev_state(ctx, prev));
	oc->task = ctx[2];
	oc->in_ns = bpf_ktime_get_ns();
	return 0;
}

/*
 * DWARF mode: the thread returns to user space from a system call. If a block of it passed
 * and it is back where it blocked, its user stack is the one it blocked in: copy it.
 */
static __always_inline int offcpu_on_sys_exit(void)
{
	struct task_struct *task;
	struct offcpu_start *s;
	enum ustack_fail err;
	__u64 sp, ip;

	if (!ustack_can_copy || !dwarf_mode)
		return 0;
	task = bpf_get_current_task_btf();
	s = bpf_task_storage_get(&offcpu_starts, task, 0, 0);
	if (!s || !s->pending_ns)
		return 0;
	ustack_sp_ip((struct pt_regs *)bpf_task_pt_regs(task), &sp, &ip);
	if (sp != s->usp || ip != s->uip) {
		offcpu_pending_fall_back(s, OFFCPU_DROP_DWARF_MOVED, USTACK_FB_MOVED);
		return 0;
	}
	err = ustack_send(s->tgid, s->pending_tid, s->kstack, s->ustack, s->pending_ns, s->comm,
			  s->pending_ns >= USTACK_LONG_NS);
	if (err == USTACK_FAIL_RATE)
		offcpu_pending_fall_back(s, OFFCPU_DROP_DWARF_RATE, USTACK_FB_RATE);
	else if (err != USTACK_SENT)
		offcpu_pending_fall_back(s, OFFCPU_DROP_DWARF_RING, USTACK_FB_RING);
	if (err != USTACK_SENT)
		return 0;
	s->pending_ns = 0;
	/* The record holds the ids now: user space reads it before it deletes them. */
	offcpu_release(s);
	return 0;
}

SEC("tp_btf/sys_exit")
int offcpu_sys_exit_btf(__u64 *ctx)
{
	return offcpu_on_sys_exit();
}

SEC("raw_tp/sys_exit")
int offcpu_sys_exit_raw(__u64 *ctx)
{
	return offcpu_on_sys_exit();
}

/* A process ran exec: user space must read its new maps, and announce it again. */
static __always_inline int offcpu_on_exec(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!offcpu_pid_wanted(tgid) || !ktop_cgroup_current_wanted())
		return 0;
	bpf_map_delete_elem(&offcpu_seen, &tgid);
	offcpu_note(tgid, OFFCPU_NOTE_EXEC);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int offcpu_exec_btf(__u64 *ctx)
{
	return offcpu_on_exec();
}

SEC("raw_tp/sched_process_exec")
int offcpu_exec_raw(__u64 *ctx)
{
	return offcpu_on_exec();
}

/*
 * A thread exited: when it was its process's last (signal->live has dropped to 0 before this
 * tracepoint on every kernel), tell user space, without a wakeup: the note waits for the next
 * poll, which folds the process's stacks once the blocks it ended are drained.
 */
static __always_inline int offcpu_on_exit(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (BPF_CORE_READ(t, signal, live.counter) > 0)
		return 0;
	if (!offcpu_pid_wanted(tgid) || !ktop_cgroup_current_wanted())
		return 0;
	bpf_map_delete_elem(&offcpu_seen, &tgid);
	offcpu_note(tgid, OFFCPU_NOTE_EXIT);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int offcpu_exit_btf(__u64 *ctx)
{
	return offcpu_on_exit();
}

SEC("raw_tp/sched_process_exit")
int offcpu_exit_raw(__u64 *ctx)
{
	return offcpu_on_exit();
}

char LICENSE[] SEC("license") = "GPL";
