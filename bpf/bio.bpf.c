// SPDX-License-Identifier: GPL-2.0
/* Block I/O: time each request from queueing and issue to completion, in log2 histograms. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bio.h"
#include "cgroup_filter.bpf.h"
#include "log2.bpf.h"

/* The low bits of request.cmd_flags hold the operation (REQ_OP_BITS is 8 since v4.10). */
#define BIO_REQ_OP_MASK 0xff
#define BIO_MINOR_BITS	20

/* Set before load: the tracepoint ABI of the running kernel. */
const volatile bool rq_single_arg = true; /* insert/issue/requeue take (rq), not (q, rq) */
const volatile bool has_io_start = false; /* block_io_start exists and is attached */
const volatile bool plain_adds = false;	  /* no program nests over itself (v6.1+): see bio_add */

/* Written live by user space through the mmapped .bss. */
__u64 slow_ns = 0;     /* total latency counted as slow; 0: off */
__u32 filter_pids = 0; /* nonzero: count only requests of the tgids in bio_pids */

/*
 * One entry per request structure, by address, kept from one use of the request to the next:
 * each event costs a lookup and writes in place, not an insertion and a deletion. The block
 * layer preallocates its requests, so the set is bounded; LRU makes room when it is not (a
 * removed disk's requests, more requests than entries), evicting the longest unused.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BIO_START_MAX);
	__type(key, __u64);
	__type(value, struct bio_start);
} bio_starts SEC(".maps");

/*
 * Per-CPU, so completions on different CPUs never bounce a shared cache line; not preallocated,
 * so memory goes only to the (disk, op) pairs that exist. See bio_add for how counters grow.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, BIO_HIST_MAX);
	__type(key, struct bio_hist_key);
	__type(value, struct bio_hist_val);
} bio_hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BIO_HIST_MAX);
	__type(key, __u32);
	__type(value, struct bio_disk_name);
} bio_disks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BIO_PROC_MAX);
	__type(key, struct bio_proc_key);
	__type(value, struct bio_proc_val);
} bio_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BIO_PIDS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} bio_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BIO_DROP_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} bio_drops SEC(".maps");

/* The value a new histogram entry starts from: too large for the BPF stack. */
const struct bio_hist_val bio_hist_zero = {};

/*
 * Before v5.17 a request named its disk itself: rq->rq_disk, removed by f3fa33acca9f
 * ("block: remove the ->rq_disk field in struct request").
 */
struct request___x {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

/* Count one loss or statistic; atomic because other programs can interrupt us on this CPU. */
static __always_inline void bio_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&bio_drops, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/*
 * Add to a per-CPU histogram counter, which only the completion program writes. Where a raw
 * tracepoint program cannot nest over itself on one CPU (plain_adds), nothing else can write
 * the counter meanwhile and a plain add is enough; before that, a completion in an interrupt
 * could nest over one in task context, so the add must be atomic.
 */
static __always_inline void bio_add(__u64 *counter, __u64 v)
{
	if (plain_adds)
		*counter += v;
	else
		__sync_fetch_and_add(counter, v);
}


/* The counted operation of a request's cmd_flags. */
static __always_inline __u32 bio_op_of(__u32 cmd_flags)
{
	switch (cmd_flags & BIO_REQ_OP_MASK) {
	case REQ_OP_READ:
		return BIO_RQ_READ;
	case REQ_OP_WRITE:
		return BIO_RQ_WRITE;
	case REQ_OP_FLUSH:
		return BIO_RQ_FLUSH;
	case REQ_OP_DISCARD:
		return BIO_RQ_DISCARD;
	default:
		return BIO_RQ_OTHER;
	}
}

/*
 * Reads of kernel memory: a tp_btf program (btf) loads through its BTF-typed pointers directly,
 * a raw_tp one needs a probe read per field. btf is a constant in each entry point, so the
 * compiler keeps one branch and the verifier of a raw_tp program never sees a direct load.
 */

/* The bytes a request still has to transfer. */
static __always_inline __u32 bio_rq_len(struct request *rq, bool btf)
{
	return btf ? rq->__data_len : BPF_CORE_READ(rq, __data_len);
}

/* The counted operation of a request. */
static __always_inline __u32 bio_rq_op(struct request *rq, bool btf)
{
	return bio_op_of(btf ? rq->cmd_flags : BPF_CORE_READ(rq, cmd_flags));
}

/* The disk a request goes to, or NULL. */
static __always_inline struct gendisk *bio_rq_disk(struct request *rq, bool btf)
{
	struct request___x *old = (void *)rq;

	if (bpf_core_field_exists(old->rq_disk))
		return btf ? old->rq_disk : BPF_CORE_READ(old, rq_disk);
	return btf ? rq->q->disk : BPF_CORE_READ(rq, q, disk);
}

/* The kernel dev_t of a disk (major << 20 | first minor), or 0 for none. */
static __always_inline __u32 bio_disk_dev(struct gendisk *disk, bool btf)
{
	if (!disk)
		return 0;
	if (btf)
		return (__u32)disk->major << BIO_MINOR_BITS | (__u32)disk->first_minor;
	return (__u32)BPF_CORE_READ(disk, major) << BIO_MINOR_BITS |
	       (__u32)BPF_CORE_READ(disk, first_minor);
}

/* Fill a start entry for a new use of its request, queued at now by the current process. */
static __always_inline void bio_start_fill(struct bio_start *s, __u64 now, bool btf)
{
	struct task_struct *task;
	__u64 *comm;

	s->queue_ns = now;
	s->issue_ns = 0;
	s->requeued = 0;
	s->tgid = bpf_get_current_pid_tgid() >> 32;
	/* --cgroup: a request whose submitter is unknown or elsewhere is not counted. */
	s->outside =
		cgroup_sel.id != KTOP_CGROUP_OFF && (!s->tgid || !ktop_cgroup_current_wanted());
	if (!s->tgid)
		return;
	/* The process's name (its leader's), as top shows it, not the thread's. */
	if (btf) {
		/* Two 8-byte loads instead of a string copy through a helper. */
		comm = (__u64 *)bpf_get_current_task_btf()->group_leader->comm;
		((__u64 *)s->comm)[0] = comm[0];
		((__u64 *)s->comm)[1] = comm[1];
		return;
	}
	task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ_STR_INTO(&s->comm, task, group_leader, comm) <= 0)
		bpf_get_current_comm(s->comm, sizeof(s->comm));
}

/* The first use of a request structure since load: its entry is created, here only. */
static __always_inline struct bio_start *bio_start_create(__u64 key, __u64 now, bool btf)
{
	struct bio_start n = {};

	bio_start_fill(&n, now, btf);
	if (bpf_map_update_elem(&bio_starts, &key, &n, BPF_ANY)) {
		bio_count(BIO_DROP_START_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&bio_starts, &key);
}

/* block_io_start / block_rq_insert: the request is queued by the current task. */
static __always_inline int bio_on_queue(struct request *rq, bool from_io_start, bool btf)
{
	__u64 key = (__u64)rq;
	struct bio_start *s;

	s = bpf_map_lookup_elem(&bio_starts, &key);
	if (!s) {
		bio_start_create(key, bpf_ktime_get_ns(), btf);
		return 0;
	}
	/*
	 * Where block_io_start exists it fires first, in the submitter's context: insert keeps
	 * that entry. Insert also keeps a requeued request's first queueing time and submitter.
	 * An entry already issued belongs to an earlier use of the request that never completed.
	 */
	if (!from_io_start && s->queue_ns && !s->issue_ns && (has_io_start || s->requeued))
		return 0;
	bio_start_fill(s, bpf_ktime_get_ns(), btf);
	return 0;
}

/* block_rq_issue: the driver got the request; a request never queued starts here. */
static __always_inline int bio_on_issue(struct request *rq, bool btf)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 key = (__u64)rq;
	struct bio_start *s;

	/*
	 * An entry already issued (issued twice without a requeue) is stale: the completion of
	 * an earlier use of this request was never seen. Start again from here.
	 */
	s = bpf_map_lookup_elem(&bio_starts, &key);
	if (!s)
		s = bio_start_create(key, now, btf);
	else if (!s->queue_ns || s->issue_ns)
		bio_start_fill(s, now, btf);
	if (!s)
		return 0;
	s->size = bio_rq_len(rq, btf);
	s->op = bio_rq_op(rq, btf);
	s->issue_ns = now;
	return 0;
}

/* block_rq_requeue: the request goes back to the queue and will be issued again. */
static __always_inline int bio_on_requeue(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct bio_start *s;

	s = bpf_map_lookup_elem(&bio_starts, &key);
	if (s && s->queue_ns) {
		s->issue_ns = 0;
		s->requeued = 1;
	}
	return 0;
}

/* Remember a disk's kernel name, once: user space may look after the disk is gone. */
static __always_inline void bio_disk_remember(struct gendisk *disk, __u32 dev)
{
	struct bio_disk_name n = {};

	if (!disk || bpf_map_lookup_elem(&bio_disks, &dev))
		return;
	bpf_core_read_str(n.name, sizeof(n.name), &disk->disk_name);
	/* A full map only costs the name: user space falls back to "MAJ:MIN". */
	bpf_map_update_elem(&bio_disks, &dev, &n, BPF_NOEXIST);
}

/* Add one completion to its (disk, op) histograms. */
static __always_inline void bio_hist_update(struct gendisk *disk, __u32 dev, __u32 op, __u64 size,
					    __u64 dev_us, __u64 total_us, bool slow)
{
	struct bio_hist_key hk = { .dev = dev, .op = op };
	struct bio_hist_val *h;

	h = bpf_map_lookup_elem(&bio_hists, &hk);
	if (!h) {
		bio_disk_remember(disk, dev);
		/* EEXIST: another CPU created it first; the lookup below finds ours. */
		bpf_map_update_elem(&bio_hists, &hk, &bio_hist_zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&bio_hists, &hk);
		if (!h) {
			bio_count(BIO_DROP_HIST_FULL);
			return;
		}
	}
	/* The mask only tells the verifier what ktop_log2_slot() already ensures. */
	bio_add(&h->lat_device[ktop_log2_slot(dev_us, BIO_SLOTS - 1) & (BIO_SLOTS - 1)], 1);
	bio_add(&h->lat_total[ktop_log2_slot(total_us, BIO_SLOTS - 1) & (BIO_SLOTS - 1)], 1);
	bio_add(&h->size[ktop_log2_slot(size, BIO_SLOTS - 1) & (BIO_SLOTS - 1)], 1);
	bio_add(&h->ios, 1);
	bio_add(&h->bytes, size);
	bio_add(&h->lat_device_us, dev_us);
	bio_add(&h->lat_total_us, total_us);
	if (slow)
		bio_add(&h->slow, 1);
}

/* Add one completion to its submitter's per-disk totals. */
static __always_inline void bio_proc_update(const struct bio_start *s, __u32 dev, __u64 size,
					    __u64 total_us)
{
	struct bio_proc_key pk = { .tgid = s->tgid, .dev = dev };
	struct bio_proc_val *p;
	struct bio_proc_val n = {};

	p = bpf_map_lookup_elem(&bio_procs, &pk);
	if (!p) {
		__builtin_memcpy(n.comm, s->comm, sizeof(n.comm));
		n.ios = 1;
		n.bytes = size;
		n.lat_us = total_us;
		if (!bpf_map_update_elem(&bio_procs, &pk, &n, BPF_NOEXIST))
			return;
		/* Lost a creation race with another CPU, or the map is full. */
		p = bpf_map_lookup_elem(&bio_procs, &pk);
		if (!p) {
			bio_count(BIO_DROP_PROC_FULL);
			return;
		}
	}
	/* The latest name, so a process that ran exec shows its new one. */
	__builtin_memcpy(p->comm, s->comm, sizeof(p->comm));
	__sync_fetch_and_add(&p->ios, 1);
	__sync_fetch_and_add(&p->bytes, size);
	__sync_fetch_and_add(&p->lat_us, total_us);
}

/* block_rq_complete: count a finished request and forget its start entry. */
static __always_inline int bio_on_complete(struct request *rq, unsigned int nr_bytes, bool btf)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 key = (__u64)rq;
	struct bio_start *sp;
	struct bio_start s;
	struct gendisk *disk;
	__u64 dev_us, total_us;
	__u32 dev;

	/* A partial completion: the rest of the request completes later. */
	if (nr_bytes < bio_rq_len(rq, btf))
		return 0;
	sp = bpf_map_lookup_elem(&bio_starts, &key);
	if (!sp || !sp->queue_ns) {
		bio_count(BIO_DROP_NO_START);
		return 0;
	}
	/* The entry stays for the next use of this request, marked unused. */
	s = *sp;
	sp->queue_ns = 0;
	if (!s.issue_ns) {
		bio_count(BIO_STAT_NOT_ISSUED);
		return 0;
	}

	disk = bio_rq_disk(rq, btf);
	dev = bio_disk_dev(disk, btf);
	dev_us = (now - s.issue_ns) / 1000;
	total_us = (now - s.queue_ns) / 1000;

	if (!s.tgid)
		bio_count(BIO_STAT_UNKNOWN_SUBMITTER);
	if (filter_pids && (!s.tgid || !bpf_map_lookup_elem(&bio_pids, &s.tgid)))
		return 0;
	if (s.outside)
		return 0;

	bio_hist_update(disk, dev, s.op, s.size, dev_us, total_us,
			slow_ns && now - s.queue_ns >= slow_ns);
	if (s.tgid)
		bio_proc_update(&s, dev, s.size, total_us);
	return 0;
}

/*
 * The request argument of insert/issue/requeue, which lost their queue argument in v5.11
 * (a54895fa057c, "block: remove the request_queue to argument request based tracepoints").
 */
static __always_inline struct request *bio_rq_arg(__u64 *ctx)
{
	struct request *rq;

	/* The barriers keep clang from turning this into a load at a variable ctx offset. */
	if (rq_single_arg) {
		rq = (struct request *)ctx[0];
		barrier_var(rq);
	} else {
		rq = (struct request *)ctx[1];
		barrier_var(rq);
	}
	return rq;
}

SEC("tp_btf/block_io_start")
int bio_iostart_btf(__u64 *ctx)
{
	return bio_on_queue((struct request *)ctx[0], true, true);
}

SEC("raw_tp/block_io_start")
int bio_iostart_raw(__u64 *ctx)
{
	return bio_on_queue((struct request *)ctx[0], true, false);
}

SEC("tp_btf/block_rq_insert")
int bio_insert_btf(__u64 *ctx)
{
	return bio_on_queue(bio_rq_arg(ctx), false, true);
}

SEC("raw_tp/block_rq_insert")
int bio_insert_raw(__u64 *ctx)
{
	return bio_on_queue(bio_rq_arg(ctx), false, false);
}

SEC("tp_btf/block_rq_issue")
int bio_issue_btf(__u64 *ctx)
{
	return bio_on_issue(bio_rq_arg(ctx), true);
}

SEC("raw_tp/block_rq_issue")
int bio_issue_raw(__u64 *ctx)
{
	return bio_on_issue(bio_rq_arg(ctx), false);
}

SEC("tp_btf/block_rq_requeue")
int bio_requeue_btf(__u64 *ctx)
{
	return bio_on_requeue(bio_rq_arg(ctx));
}

SEC("raw_tp/block_rq_requeue")
int bio_requeue_raw(__u64 *ctx)
{
	return bio_on_requeue(bio_rq_arg(ctx));
}

/* block_rq_complete is (rq, error, nr_bytes) on every kernel with BTF. */
SEC("tp_btf/block_rq_complete")
int bio_cmpl_btf(__u64 *ctx)
{
	return bio_on_complete((struct request *)ctx[0], (unsigned int)ctx[2], true);
}

SEC("raw_tp/block_rq_complete")
int bio_cmpl_raw(__u64 *ctx)
{
	return bio_on_complete((struct request *)ctx[0], (unsigned int)ctx[2], false);
}

char LICENSE[] SEC("license") = "GPL";
