/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stack collectors' BPF programs (offcpu, stacks) and collectors/ustack_reader.c
 * share for DWARF unwinding: a record holding a thread's user registers and a copy of its user
 * stack, sent through a ring buffer for user space to unwind.
 */
#ifndef KTOP_BPF_USTACK_H
#define KTOP_BPF_USTACK_H

#define USTACK_NREGS	     17	  /* DWARF-numbered registers (x86_64: 0-15 and 16 = ip) */
#define USTACK_PAGE	     4096 /* the copy is made a page at a time */
#define USTACK_PAGES_DEFAULT 4	  /* 16 KiB above the stack pointer */
#define USTACK_PAGES_MAX     16	  /* 64 KiB: the most --ustack-size takes */
#define USTACK_RING_SIZE     (4 * 1024 * 1024) /* about 200 copies of 16 KiB */
#define USTACK_RATE_DEFAULT                                                  \
	500 /* records a second on one CPU; more fall back to frame pointers \
	     */
/*
 * Off-CPU blocks shorter than this may use only the first half of a second's copies: a burst
 * of short blocks cannot take every copy from the long ones, which hold most of the time.
 */
#define USTACK_LONG_NS	     1000000ULL
#define USTACK_COMM_LEN	     16
#define USTACK_RETPROBES_MAX 8 /* pending uretprobes whose return addresses are restored */

/*
 * A block or sample whose user stack could not be copied is counted under its frame-pointer
 * stack id with the cause in these bits (ids are below 2^28): user space labels the stack as
 * a fallback, or takes the DWARF stack last unwound for the same thread and frame-pointer
 * stack.
 */
#define USTACK_FB_SHIFT 28
#define USTACK_FB_RATE	1 /* over the copy rate */
#define USTACK_FB_RING	2 /* the ring buffer was full */
#define USTACK_FB_MOVED 3 /* the thread did not go back to user space where it blocked */

/* ustack_rec.flags */
#define USTACK_F_CUT 0x1 /* every page asked for was copied: the stack may go on above the copy */

/*
 * One copied stack. The copy starts at the stack pointer's page, so it holds the whole
 * requested size above the stack pointer and nothing is lost at a page end; len is what was
 * readable (the copy stops at the first page that is not).
 */
struct ustack_rec {
	__u32 tgid;
	__u32 tid;
	__s32 kstack; /* the collector's kernel stack id, or a negative error / its NONE */
	__u32 flags;  /* USTACK_F_* */
	__u64 amount; /* off-CPU nanoseconds, or 1 sample */
	__u64 ts_ns;  /* when it was sent (bpf_ktime_get_ns): the interval it belongs to */
	__u64 base;   /* user address of data[0] */
	__u32 len;    /* bytes of data copied */
	__u32 size;   /* bytes of data asked for above the stack pointer */
	char comm[USTACK_COMM_LEN];
	__u64 regs[USTACK_NREGS];
	/*
	 * A uretprobe on a function this thread is in has replaced its return address on the
	 * stack with the trampoline's: where (ret_slot) and what it was (ret_addr), innermost
	 * first, for user space to put back before unwinding.
	 */
	__u32 nretprobes;
	__s32 ustack; /* the block's frame-pointer stack id, or a negative error / NONE */
	__u64 ret_slot[USTACK_RETPROBES_MAX];
	__u64 ret_addr[USTACK_RETPROBES_MAX];
	__u8 data[]; /* (pages + 1) * USTACK_PAGE bytes reserved */
};

/* Per-CPU rate limit state. */
struct ustack_rate {
	__u64 window_ns; /* when the current second began */
	__u64 sent;	 /* records sent in it */
};

#endif
