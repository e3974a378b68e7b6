// SPDX-License-Identifier: GPL-2.0
/*
 * Trace: one generic program per probe type (uprobe, uretprobe, USDT, tracepoint), attached
 * once per user probe with a cookie that indexes the probe's description; each call that passes
 * the PID filter and the probe's own filter sends its arguments through a ring buffer. Beside
 * them, the VFS counters: read, write, create, open and fsync syscalls counted per CPU.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include "trace.h"
#include "cgroup_filter.bpf.h"

_Static_assert(__builtin_offsetof(struct trace_rec, data) == TRACE_REC_HDR_SIZE,
	       "TRACE_REC_HDR_SIZE is not the offset of trace_rec.data");

/* The sixth argument's register: libbpf's PT_REGS_PARM macros stop at the fifth. */
#if defined(__TARGET_ARCH_x86)
#define TRACE_PARM6(x) (((const struct pt_regs *)(x))->r9)
#elif defined(__TARGET_ARCH_arm64)
#define TRACE_PARM6(x) (((const struct user_pt_regs *)(x))->regs[5])
#endif

/* How the shared handler was entered: decides at compile time which reads each program has. */
enum trace_kind {
	TRACE_KIND_UPROBE,
	TRACE_KIND_URETPROBE,
	TRACE_KIND_USDT,
	TRACE_KIND_TP,
};

/* Set before load. */
const volatile __u32 string_limit = 80;		/* bytes of a string copied (<= TRACE_STRING_MAX) */
const volatile __u32 wakeup_bytes = 256 * 1024; /* wake the reader once this much waits */
const volatile __u32 o_creat = 0100;		/* O_CREAT of this architecture */
/* enum trace_sc (and the flags argument) per syscall number; 0: not a VFS operation. */
const volatile __u8 vfs_syscalls[TRACE_SYSCALLS_MAX] = {};

/* Written live by user space through the mmapped .bss. */
__u32 filter_pids = 0; /* nonzero: only processes in trace_pids */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TRACE_PROBES_MAX);
	__type(key, __u32);
	__type(value, struct trace_probe_desc);
} trace_probes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TRACE_PIDS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} trace_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TRACE_RINGBUF_SIZE);
} trace_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TRACE_DROP_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} trace_drops SEC(".maps");

/* Events lost per probe slot (the ring buffer was full). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TRACE_PROBES_MAX);
	__type(key, __u32);
	__type(value, __u64);
} trace_lost SEC(".maps");

/* Where an event is built: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct trace_rec);
} trace_scratch SEC(".maps");

/* VFS operations per enum trace_vfs_idx. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TRACE_VFS_IDX_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} trace_vfs SEC(".maps");

/* Add one to slot idx of a per-CPU array; atomic, as a preempted program may share the CPU. */
static __always_inline void trace_inc(void *map, __u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(map, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* Whether the current process passes the user's PID filter. */
static __always_inline bool trace_pid_is_wanted(__u32 tgid)
{
	if (filter_pids && !bpf_map_lookup_elem(&trace_pids, &tgid))
		return false;
	return ktop_cgroup_current_wanted();
}

/*
 * A uprobe's argument number i + 1 from its registers. All are loaded first, each behind a
 * barrier: the verifier wants constant offsets into the context, and clang would otherwise fold
 * the switch into one load at a computed offset.
 */
static __always_inline __u64 trace_reg(struct pt_regs *regs, __u32 i, bool *ok)
{
	__u64 r0 = PT_REGS_PARM1(regs);
	__u64 r1 = PT_REGS_PARM2(regs);
	__u64 r2 = PT_REGS_PARM3(regs);
	__u64 r3 = PT_REGS_PARM4(regs);
	__u64 r4 = PT_REGS_PARM5(regs);
#ifdef TRACE_PARM6
	__u64 r5 = TRACE_PARM6(regs);
#else
	__u64 r5 = 0;

	if (i == 5)
		*ok = false;
#endif

	barrier_var(r0);
	barrier_var(r1);
	barrier_var(r2);
	barrier_var(r3);
	barrier_var(r4);
	barrier_var(r5);
	switch (i) {
	case 0:
		return r0;
	case 1:
		return r1;
	case 2:
		return r2;
	case 3:
		return r3;
	case 4:
		return r4;
	case 5:
		return r5;
	}
	*ok = false;
	return 0;
}

/* An integer field of a tracepoint record, widened as its sign says. */
static __always_inline __u64 trace_field(void *ctx, const struct trace_arg_desc *a, bool *ok)
{
	const void *p = ctx + a->offset;
	long err = -1;
	__u64 v = 0;

	switch (a->size) {
	case 1: {
		__u8 x;

		err = bpf_probe_read_kernel(&x, sizeof(x), p);
		v = a->is_signed ? (__u64)(__s64)(__s8)x : x;
		break;
	}
	case 2: {
		__u16 x;

		err = bpf_probe_read_kernel(&x, sizeof(x), p);
		v = a->is_signed ? (__u64)(__s64)(__s16)x : x;
		break;
	}
	case 4: {
		__u32 x;

		err = bpf_probe_read_kernel(&x, sizeof(x), p);
		v = a->is_signed ? (__u64)(__s64)(__s32)x : x;
		break;
	}
	case 8:
		err = bpf_probe_read_kernel(&v, sizeof(v), p);
		break;
	}
	if (err)
		*ok = false;
	return v;
}

/* Argument a as an integer (a pointer, for a string); *ok false when it could not be read. */
static __always_inline __u64 trace_int(void *ctx, const struct trace_arg_desc *a, const int kind,
				       bool *ok)
{
	long v = 0;

	if (kind == TRACE_KIND_UPROBE && a->src == TRACE_SRC_REG)
		return trace_reg(ctx, a->index, ok);
	if (kind == TRACE_KIND_URETPROBE && a->src == TRACE_SRC_RET)
		return PT_REGS_RC((struct pt_regs *)ctx);
	if (kind == TRACE_KIND_USDT && a->src == TRACE_SRC_USDT) {
		if (bpf_usdt_arg(ctx, a->index, &v))
			*ok = false;
		return v;
	}
	if (kind == TRACE_KIND_TP && a->src == TRACE_SRC_FIELD)
		return trace_field(ctx, a, ok);
	*ok = false;
	return 0;
}

/* The bytes of a string read: the limit, one more to see a longer string, and the NUL. */
static __always_inline __u32 trace_str_size(void)
{
	__u32 n = string_limit + 2;

	return n > TRACE_STR_BUF ? TRACE_STR_BUF : n;
}

/*
 * Append argument i's string to ev->data: from user memory (a pointer argument, or a pointer
 * field, which may also be a kernel one), or from the tracepoint record itself.
 */
static __always_inline void trace_str(void *ctx, struct trace_rec *ev, __u32 i,
				      const struct trace_arg_desc *a, const int kind, bool *ok)
{
	__u32 off = ev->data_len;
	__u32 size = trace_str_size();
	const void *src = NULL;
	bool user = false;
	__u32 loc = 0;
	long n = -1;

	if (off > TRACE_DATA_MAX - TRACE_STR_BUF) {
		*ok = false;
		return;
	}
	if (kind == TRACE_KIND_TP &&
	    (a->src == TRACE_SRC_DATA_LOC || a->src == TRACE_SRC_REL_LOC)) {
		if (bpf_probe_read_kernel(&loc, sizeof(loc), ctx + a->offset)) {
			*ok = false;
			return;
		}
		src = ctx + (loc & 0xffff);
		if (a->src == TRACE_SRC_REL_LOC)
			src += a->offset + sizeof(loc);
	} else if (kind == TRACE_KIND_TP && a->val == TRACE_VAL_ARRAY) {
		src = ctx + a->offset;
		if (size > a->size)
			size = a->size; /* the array cannot go on past its own bytes */
	} else {
		src = (const void *)trace_int(ctx, a, kind, ok);
		if (!*ok)
			return;
		ev->values[i] = (__u64)src;
		user = true;
	}
	if (size > TRACE_STR_BUF)
		size = TRACE_STR_BUF;
	if (user) {
		n = bpf_probe_read_user_str(&ev->data[off], size, src);
		/* A tracepoint's char * field may point into the kernel. */
		if (n < 0 && kind == TRACE_KIND_TP)
			n = bpf_probe_read_kernel_str(&ev->data[off], size, src);
	} else {
		n = bpf_probe_read_kernel_str(&ev->data[off], size, src);
	}
	if (n <= 0) {
		*ok = false;
		return;
	}
	n--; /* the NUL */
	if (n > string_limit) {
		n = string_limit;
		ev->truncated |= 1 << i;
	}
	ev->str_off[i] = off;
	ev->str_len[i] = n;
	ev->data_len = off + n;
}

/* Read argument i of the description into the event. */
static __always_inline void trace_arg(void *ctx, struct trace_rec *ev, __u32 i,
				      const struct trace_arg_desc *a, const int kind)
{
	bool ok = true;

	if (a->val == TRACE_VAL_INT)
		ev->values[i] = trace_int(ctx, a, kind, &ok);
	else
		trace_str(ctx, ev, i, a, kind, &ok);
	if (!ok) {
		ev->unreadable |= 1 << i;
		trace_inc(&trace_drops, TRACE_DROP_UNREADABLE);
	}
}

/* Whether the call passes the probe's filter: one integer compared with a constant. */
static __always_inline bool trace_filter_passes(void *ctx, const struct trace_probe_desc *d,
						const int kind)
{
	bool ok = true;
	__u64 v = trace_int(ctx, &d->filter_arg, kind, &ok);
	__u64 c = (__u64)d->filter_value;
	bool sgn = d->filter_signed;
	int cmp;

	if (!ok) {
		trace_inc(&trace_drops, TRACE_DROP_UNREADABLE);
		return false;
	}
	switch (d->filter_size) {
	case 1:
		v = sgn ? (__u64)(__s64)(__s8)v : (__u8)v;
		break;
	case 2:
		v = sgn ? (__u64)(__s64)(__s16)v : (__u16)v;
		break;
	case 4:
		v = sgn ? (__u64)(__s64)(__s32)v : (__u32)v;
		break;
	}
	if (sgn)
		cmp = (__s64)v < (__s64)c ? -1 : (__s64)v > (__s64)c;
	else
		cmp = v < c ? -1 : v > c;
	switch (d->filter_op) {
	case TRACE_CMP_EQ:
		return cmp == 0;
	case TRACE_CMP_NE:
		return cmp != 0;
	case TRACE_CMP_LT:
		return cmp < 0;
	case TRACE_CMP_LE:
		return cmp <= 0;
	case TRACE_CMP_GT:
		return cmp > 0;
	case TRACE_CMP_GE:
		return cmp >= 0;
	}
	return true;
}

/*
 * The handler every probe type shares: find the probe's description at its slot, filter,
 * read the arguments and send the event. The ring buffer wakes its reader only once
 * wakeup_bytes wait (user space also drains it at every refresh), so a busy probe does not
 * pay a wake-up per call.
 */
static __always_inline int trace_handle(void *ctx, __u32 slot, const int kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	const struct trace_probe_desc *d;
	struct trace_rec *ev;
	__u32 zero = 0;
	__u64 flags;
	__u32 size;

	if (!trace_pid_is_wanted(id >> 32))
		return 0;
	d = bpf_map_lookup_elem(&trace_probes, &slot);
	if (!d || !d->id) {
		trace_inc(&trace_drops, TRACE_DROP_NO_DESC);
		return 0;
	}
	if (d->filter_op != TRACE_CMP_NONE && !trace_filter_passes(ctx, d, kind)) {
		trace_inc(&trace_drops, TRACE_STAT_FILTERED);
		return 0;
	}
	ev = bpf_map_lookup_elem(&trace_scratch, &zero);
	if (!ev) {
		trace_inc(&trace_drops, TRACE_DROP_LOST); /* cannot happen: a one-slot array */
		return 0;
	}
	ev->ts_ns = bpf_ktime_get_ns();
	ev->probe_id = d->id;
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->slot = slot;
	ev->data_len = 0;
	ev->truncated = 0;
	ev->unreadable = 0;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	for (__u32 i = 0; i < TRACE_ARGS_MAX; i++) {
		ev->values[i] = 0;
		ev->str_off[i] = 0;
		ev->str_len[i] = 0;
		if (i < d->nargs)
			trace_arg(ctx, ev, i, &d->args[i], kind);
	}
	size = ev->data_len;
	if (size > TRACE_DATA_MAX)
		size = TRACE_DATA_MAX;
	flags = bpf_ringbuf_query(&trace_events, BPF_RB_AVAIL_DATA) >= wakeup_bytes
			? BPF_RB_FORCE_WAKEUP
			: BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&trace_events, ev, TRACE_REC_HDR_SIZE + size, flags)) {
		trace_inc(&trace_drops, TRACE_DROP_LOST);
		trace_inc(&trace_lost, slot);
	}
	return 0;
}

SEC("uprobe")
int trace_uprobe(struct pt_regs *ctx)
{
	return trace_handle(ctx, (__u32)bpf_get_attach_cookie(ctx), TRACE_KIND_UPROBE);
}

SEC("uretprobe")
int trace_uretprobe(struct pt_regs *ctx)
{
	return trace_handle(ctx, (__u32)bpf_get_attach_cookie(ctx), TRACE_KIND_URETPROBE);
}

SEC("usdt")
int trace_usdt(struct pt_regs *ctx)
{
	return trace_handle(ctx, (__u32)bpf_usdt_cookie(ctx), TRACE_KIND_USDT);
}

SEC("tracepoint")
int trace_tp(void *ctx)
{
	return trace_handle(ctx, (__u32)bpf_get_attach_cookie(ctx), TRACE_KIND_TP);
}

/* Count the VFS operation of syscall nr, if it is one, for a process the filter keeps. */
static __always_inline int trace_vfs_count(struct pt_regs *regs, long nr)
{
	__u64 flags = 0;
	const void *how;
	__u32 k;

	if (nr < 0 || nr >= TRACE_SYSCALLS_MAX)
		return 0;
	k = vfs_syscalls[nr];
	if (!k)
		return 0;
	if (!trace_pid_is_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	switch (k & 0xf) {
	case TRACE_SC_READ:
		trace_inc(&trace_vfs, TRACE_VFS_IDX_READ);
		break;
	case TRACE_SC_WRITE:
		trace_inc(&trace_vfs, TRACE_VFS_IDX_WRITE);
		break;
	case TRACE_SC_FSYNC:
		trace_inc(&trace_vfs, TRACE_VFS_IDX_FSYNC);
		break;
	case TRACE_SC_CREAT:
		trace_inc(&trace_vfs, TRACE_VFS_IDX_OPEN);
		trace_inc(&trace_vfs, TRACE_VFS_IDX_CREATE);
		break;
	case TRACE_SC_OPEN:
		trace_inc(&trace_vfs, TRACE_VFS_IDX_OPEN);
		if ((k >> 4) == 2)
			flags = PT_REGS_PARM2_CORE_SYSCALL(regs);
		else if ((k >> 4) == 3)
			flags = PT_REGS_PARM3_CORE_SYSCALL(regs);
		if (flags & o_creat)
			trace_inc(&trace_vfs, TRACE_VFS_IDX_CREATE);
		break;
	case TRACE_SC_OPENAT2:
		trace_inc(&trace_vfs, TRACE_VFS_IDX_OPEN);
		how = (const void *)PT_REGS_PARM3_CORE_SYSCALL(regs);
		/* struct open_how begins with its u64 flags */
		if (bpf_probe_read_user(&flags, sizeof(flags), how))
			trace_inc(&trace_drops, TRACE_DROP_VFS_HOW);
		else if (flags & o_creat)
			trace_inc(&trace_vfs, TRACE_VFS_IDX_CREATE);
		break;
	}
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(trace_vfs_btf, struct pt_regs *regs, long nr)
{
	return trace_vfs_count(regs, nr);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(trace_vfs_raw, struct pt_regs *regs, long nr)
{
	return trace_vfs_count(regs, nr);
}

char LICENSE[] SEC("license") = "GPL";
