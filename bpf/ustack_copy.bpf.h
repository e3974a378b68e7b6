/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copying a thread's user registers and user stack into a ring buffer record (bpf/ustack.h),
 * included by the BPF programs of the stack collectors. The current task must be the thread:
 * the copy reads its address space. Rate-limited per CPU; a record that cannot be sent says
 * why, so the caller can fall back to a frame-pointer stack and count it.
 */
#ifndef KTOP_BPF_USTACK_COPY_H
#define KTOP_BPF_USTACK_COPY_H

#include "ustack.h"

/* Set before load: pages copied above the stack pointer's page (--ustack-size). */
const volatile __u32 ustack_pages = USTACK_PAGES_DEFAULT;
/*
 * Set before load when the kernel has bpf_task_pt_regs (v5.15): without it the code that reads
 * user registers is dead, so the verifier never sees the helper and the programs still load.
 */
const volatile bool ustack_can_copy = false;
/* Written live through the mmapped .bss: records a second per CPU. */
__u32 ustack_rate_max = USTACK_RATE_DEFAULT;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, USTACK_RING_SIZE);
} ustack_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ustack_rate);
} ustack_rates SEC(".maps");

/* A frame-pointer stack id that stands in for a copy that failed for cause (USTACK_FB_*). */
static __always_inline __s32 ustack_fallback_id(__s32 id, __u32 cause)
{
	return id >= 0 ? id | (__s32)(cause << USTACK_FB_SHIFT) : id;
}

/* Why a record was not sent. */
enum ustack_fail {
	USTACK_SENT,
	USTACK_FAIL_RATE, /* over the rate limit on this CPU */
	USTACK_FAIL_RING, /* the ring buffer was full */
};

/*
 * Whether this CPU may send one more record in the current second: a record worth less than
 * a long block (USTACK_LONG_NS) only in the first half of the second's budget.
 */
static __always_inline bool ustack_rate_ok(bool is_long)
{
	struct ustack_rate *r;
	__u32 zero = 0;
	__u64 now;

	r = bpf_map_lookup_elem(&ustack_rates, &zero);
	if (!r)
		return false;
	now = bpf_ktime_get_ns();
	if (now - r->window_ns >= 1000000000ULL) {
		r->window_ns = now;
		r->sent = 0;
	}
	if (r->sent >= (is_long ? ustack_rate_max : ustack_rate_max / 2))
		return false;
	r->sent++;
	return true;
}

/* The user registers of regs in DWARF order. */
static __always_inline void ustack_regs(struct pt_regs *regs, __u64 *out)
{
#if defined(__TARGET_ARCH_x86)
	out[0] = BPF_CORE_READ(regs, ax);
	out[1] = BPF_CORE_READ(regs, dx);
	out[2] = BPF_CORE_READ(regs, cx);
	out[3] = BPF_CORE_READ(regs, bx);
	out[4] = BPF_CORE_READ(regs, si);
	out[5] = BPF_CORE_READ(regs, di);
	out[6] = BPF_CORE_READ(regs, bp);
	out[7] = BPF_CORE_READ(regs, sp);
	out[8] = BPF_CORE_READ(regs, r8);
	out[9] = BPF_CORE_READ(regs, r9);
	out[10] = BPF_CORE_READ(regs, r10);
	out[11] = BPF_CORE_READ(regs, r11);
	out[12] = BPF_CORE_READ(regs, r12);
	out[13] = BPF_CORE_READ(regs, r13);
	out[14] = BPF_CORE_READ(regs, r14);
	out[15] = BPF_CORE_READ(regs, r15);
	out[16] = BPF_CORE_READ(regs, ip);
#endif
}

/* The user stack pointer and instruction pointer of regs. */
static __always_inline void ustack_sp_ip(struct pt_regs *regs, __u64 *sp, __u64 *ip)
{
#if defined(__TARGET_ARCH_x86)
	*sp = BPF_CORE_READ(regs, sp);
	*ip = BPF_CORE_READ(regs, ip);
#else
	*sp = 0;
	*ip = 0;
#endif
}

/*
 * The return addresses that pending uretprobes replaced on task's stack (by any tracer: a
 * uretprobe on a function the thread is in puts its trampoline's address in the slot).
 */
static __always_inline void ustack_retprobes(struct task_struct *task, struct ustack_rec *r)
{
	struct return_instance *ri = NULL;
	struct uprobe_task *ut;
	__u32 i;

	r->nretprobes = 0;
	ut = BPF_CORE_READ(task, utask);
	if (ut)
		ri = BPF_CORE_READ(ut, return_instances);
	for (i = 0; i < USTACK_RETPROBES_MAX && ri; i++) {
		r->ret_slot[i] = BPF_CORE_READ(ri, stack);
		r->ret_addr[i] = BPF_CORE_READ(ri, orig_ret_vaddr);
		r->nretprobes = i + 1;
		ri = BPF_CORE_READ(ri, next);
	}
}

/*
 * Send the current thread's user registers and stack: tgid, tid, the kernel and frame-pointer
 * stack ids, what the record is worth and the thread's name are the caller's.
 */
static __always_inline enum ustack_fail ustack_send(__u32 tgid, __u32 tid, __s32 kstack,
						    __s32 ustack, __u64 amount, const char *comm,
						    bool is_long)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs;
	struct ustack_rec *r;
	__u64 base, flags;
	__u32 i;

	if (!ustack_can_copy || !ustack_rate_ok(is_long))
		return USTACK_FAIL_RATE;
	r = bpf_ringbuf_reserve(&ustack_ring,
				sizeof(*r) + (ustack_pages + 1) * (__u64)USTACK_PAGE, 0);
	if (!r)
		return USTACK_FAIL_RING;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	ustack_regs(regs, r->regs);
	ustack_retprobes(task, r);
	r->tgid = tgid;
	r->tid = tid;
	r->kstack = kstack;
	r->ustack = ustack;
	r->amount = amount;
	r->ts_ns = bpf_ktime_get_ns();
	__builtin_memcpy(r->comm, comm, USTACK_COMM_LEN);
	base = r->regs[7] & ~(__u64)(USTACK_PAGE - 1);
	r->base = base;
	r->size = ustack_pages * USTACK_PAGE;
	r->len = 0;
	r->flags = USTACK_F_CUT;
	for (i = 0; i <= USTACK_PAGES_MAX; i++) {
		if (i > ustack_pages)
			break;
		if (bpf_probe_read_user(r->data + i * USTACK_PAGE, USTACK_PAGE,
					(void *)(base + i * USTACK_PAGE))) {
			/* The end of the stack's mapping: what was copied is all there is. */
			r->flags = 0;
			break;
		}
		r->len += USTACK_PAGE;
	}
	/* Wake the reader only when the ring fills up; it also drains at every refresh. */
	flags = bpf_ringbuf_query(&ustack_ring, BPF_RB_AVAIL_DATA) >= USTACK_RING_SIZE / 4 ?
			BPF_RB_FORCE_WAKEUP :
			BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(r, flags);
	return USTACK_SENT;
}

#endif
