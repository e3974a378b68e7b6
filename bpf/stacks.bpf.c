// SPDX-License-Identifier: GPL-2.0
/*
 * On-CPU sampling: a cpu-clock perf event on every CPU runs stacks_sample at the chosen
 * frequency, on the registers of whatever it interrupted. With a target, the sample adds one
 * to its (thread, kernel stack, user stack) entry in the counts map; with none, to its
 * process's entry in the per-process map, for the picker. User space drains both each poll.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "stacks.h"
#include "cgroup_filter.bpf.h"
#include "ustack_copy.bpf.h"

#define STACKS_EEXIST	  17	     /* EEXIST */
#define STACKS_EFAULT	  14	     /* EFAULT */
#define STACKS_ENOENT	  2	     /* ENOENT */
#define STACKS_PF_KTHREAD 0x00200000 /* PF_KTHREAD */

/*
 * Written live by user space through the mmapped .bss (collectors/pid_filter.c): filter_pids
 * nonzero, only the tgids in stacks_pids are sampled; zero, no target: per-process counts.
 */
__u32 filter_pids = 0;
/* Nonzero: the target's user stacks are copied for DWARF unwinding in user space. */
__u32 dwarf_mode = 0;
/* Set before load: with no target, every process's stacks are counted (no per-process counts). */
const volatile __u32 every_process = 0;

/* Written live by user space at each poll: the stack map samples write into, 0 or 1. */
__u32 stack_gen = 0;

/*
 * Two stack maps, one interval each in turn: user space empties a map once it has read what
 * refers to it, so ids are taken in a map that holds only the stacks of one interval.
 */
struct stacks_stack_map {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, STACKS_STACKS_MAX / 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, STACKS_STACK_DEPTH * sizeof(__u64));
};

struct stacks_stack_map stacks_stacks0 SEC(".maps");
struct stacks_stack_map stacks_stacks1 SEC(".maps");

/*
 * The two by generation. User space writes a slot after a flip: the update returns once every
 * program that may have read the old generation has finished.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct stacks_stack_map);
} stacks_gens SEC(".maps") = {
	.values = { &stacks_stacks0, &stacks_stacks1 },
};

/* Emptied every poll: collectors/stacks.c makes it BPF_F_NO_PREALLOC where the kernel allows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, STACKS_COUNTS_MAX);
	__type(key, struct stacks_key);
	__type(value, struct stacks_val);
} stacks_counts SEC(".maps");

/* Emptied every poll: collectors/stacks.c makes it BPF_F_NO_PREALLOC where the kernel allows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, STACKS_PROCS_MAX);
	__type(key, __u32);
	__type(value, struct stacks_tgid_val);
} stacks_procs SEC(".maps");

/* Room for an old and a new set at once: user space adds the new PIDs first. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * STACKS_PIDS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} stacks_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STACKS_DROP_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stacks_drops SEC(".maps");

/* Count one loss, per CPU; atomic in case another program ever counts on this CPU meanwhile. */
static __always_inline void stacks_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stacks_drops, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/*
 * Whether the sample interrupted user mode, where there is no kernel stack to take: 1 yes,
 * 0 no, -1 unknown on this architecture (then an empty kernel stack says it).
 */
static __always_inline int stacks_in_user(struct bpf_perf_event_data *ctx)
{
#if defined(__TARGET_ARCH_x86)
	/* The context's registers are read 8 bytes at a time: cs is the low half of its word. */
	return (*(__u64 *)&ctx->regs.cs & 3) != 0;
#elif defined(__TARGET_ARCH_arm64)
	return (ctx->regs.pstate & 0xf) == 0; /* PSR_MODE_EL0t */
#else
	return -1;
#endif
}

/*
 * A stack id as kept, in the map of this generation (STACKS_GEN1 set for the second): failures
 * are counted (-EEXIST as a collision) and stay in the key.
 */
static __always_inline __s32 stacks_stackid(void *ctx, __u64 flags, __u32 drop, bool empty_ok)
{
	__u32 gen = stack_gen & 1;
	void *map = bpf_map_lookup_elem(&stacks_gens, &gen);
	long id;

	if (!map) {
		stacks_count(drop);
		return -STACKS_ENOENT;
	}
	id = bpf_get_stackid(ctx, map, flags);
	if (id >= 0)
		return (__s32)id | (gen ? STACKS_GEN1 : 0);
	/* Only where the mode is unknown: an empty kernel stack is a user-mode sample. */
	if (empty_ok && id == -STACKS_EFAULT)
		return STACKS_STACK_NONE;
	stacks_count(id == -STACKS_EEXIST ? STACKS_DROP_COLLISION : drop);
	return (__s32)id;
}

/* With no target: one more sample for the process, by tgid. */
static __always_inline void stacks_count_proc(__u32 tgid)
{
	struct stacks_tgid_val n = { .samples = 1 };
	struct stacks_tgid_val *v;

	v = bpf_map_lookup_elem(&stacks_procs, &tgid);
	if (!v) {
		bpf_get_current_comm(n.comm, sizeof(n.comm));
		if (!bpf_map_update_elem(&stacks_procs, &tgid, &n, BPF_NOEXIST))
			return;
		/* Another CPU created it first, or the map is full. */
		v = bpf_map_lookup_elem(&stacks_procs, &tgid);
		if (!v) {
			stacks_count(STACKS_DROP_PROCS_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&v->samples, 1);
}

/* Whether the PID filter lets tgid through (it is on). */
static __always_inline bool stacks_pid_wanted(__u32 tgid)
{
	return bpf_map_lookup_elem(&stacks_pids, &tgid) != NULL;
}

/* One more sample for the (thread, stacks) entry of k. */
static __always_inline void stacks_count_stack(struct stacks_key *k)
{
	struct stacks_val n = { .samples = 1 };
	struct stacks_val *v;

	v = bpf_map_lookup_elem(&stacks_counts, k);
	if (!v) {
		bpf_get_current_comm(n.comm, sizeof(n.comm));
		if (!bpf_map_update_elem(&stacks_counts, k, &n, BPF_NOEXIST))
			return;
		v = bpf_map_lookup_elem(&stacks_counts, k);
		if (!v) {
			stacks_count(STACKS_DROP_COUNTS_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&v->samples, 1);
}

/*
 * Send the sample's user stack to be unwound in user space; the sample is then counted
 * there. False, with the reason counted, when it cannot be sent: the caller falls back.
 */
static __always_inline enum ustack_fail stacks_send_ustack(struct stacks_key *k)
{
	char comm[USTACK_COMM_LEN];
	enum ustack_fail err;

	bpf_get_current_comm(comm, sizeof(comm));
	/* Every sample is worth the same: the whole budget is theirs. */
	err = ustack_send(k->tgid, k->tid, k->kstack, STACKS_STACK_NONE, 1, comm, true);
	if (err == USTACK_SENT)
		return err;
	stacks_count(err == USTACK_FAIL_RATE ? STACKS_DROP_DWARF_RATE : STACKS_DROP_DWARF_RING);
	return err;
}

SEC("perf_event")
int stacks_sample(struct bpf_perf_event_data *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();
	struct stacks_key k = { .tgid = id >> 32, .tid = (__u32)id };
	enum ustack_fail err = USTACK_SENT;
	int in_user;

	/* The idle task is no process. */
	if (!k.tid || !ktop_cgroup_current_wanted())
		return 0;
	if (!filter_pids && !every_process) {
		stacks_count_proc(k.tgid);
		return 0;
	}
	if (filter_pids && !stacks_pid_wanted(k.tgid))
		return 0;

	in_user = stacks_in_user(ctx);
	if (in_user > 0)
		k.kstack = STACKS_STACK_NONE;
	else
		k.kstack = stacks_stackid(ctx, 0, STACKS_DROP_KSTACK, in_user < 0);
	if ((task->flags & STACKS_PF_KTHREAD) || !task->mm)
		k.ustack = STACKS_STACK_NONE;
	else if (dwarf_mode && (err = stacks_send_ustack(&k)) == USTACK_SENT)
		return 0;
	else
		k.ustack = stacks_stackid(ctx, BPF_F_USER_STACK, STACKS_DROP_USTACK, false);
	/* A copy that failed: the frame-pointer stack says so. */
	if (err != USTACK_SENT)
		k.ustack = ustack_fallback_id(k.ustack, err == USTACK_FAIL_RATE ? USTACK_FB_RATE :
										 USTACK_FB_RING);
	stacks_count_stack(&k);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
