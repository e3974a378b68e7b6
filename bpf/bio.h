/* SPDX-License-Identifier: GPL-2.0 */
/* What bio.bpf.c and collectors/bio.c share: map keys and values, limits, counter indexes. */
#ifndef KTOP_BPF_BIO_H
#define KTOP_BPF_BIO_H

/* Log2 slots per histogram; collectors/bio.c checks that it equals HIST_SLOTS. */
#define BIO_SLOTS	  32
#define BIO_COMM_LEN	  16
#define BIO_DISK_NAME_LEN 32 /* DISK_NAME_LEN */

/* Default map sizes; the start map is resized from user space before load. */
#define BIO_START_MAX 10240 /* request structures, at least (collectors/bio.c sizes it) */
#define BIO_HIST_MAX  4096  /* (disk, op) pairs */
#define BIO_PROC_MAX  10240 /* (process, disk) pairs */
#define BIO_PIDS_MAX  64    /* PIDs in the filter */

/* Request operations as counted; the same numbers as enum bio_op in collectors/bio_model.h. */
enum bio_rq_op {
	BIO_RQ_READ = 0,
	BIO_RQ_WRITE = 1,
	BIO_RQ_FLUSH = 2,
	BIO_RQ_DISCARD = 3,
	BIO_RQ_OTHER = 4,
	BIO_RQ_NOPS,
};

/* Indexes of the per-CPU counter array: losses first, then plain statistics. */
enum bio_drop {
	/* A start entry could not be created at io_start/insert/issue: the request is not timed. */
	BIO_DROP_START_FULL,
	/* The histogram map was full: the completion is not counted. */
	BIO_DROP_HIST_FULL,
	/* The process map was full: the completion is counted but not attributed. */
	BIO_DROP_PROC_FULL,
	/* Completion of a request never seen before (e.g. issued before attach): not timed. */
	BIO_DROP_NO_START,
	/*
	 * Completed without reaching the driver (an empty flush finished by the flush machinery,
	 * an early error): no device time, so not in the histograms. Not a loss.
	 */
	BIO_STAT_NOT_ISSUED,
	/* A counted completion whose submitting task was not seen. */
	BIO_STAT_UNKNOWN_SUBMITTER,
	BIO_DROP_COUNT,
};

/* Start map value, keyed by the struct request address (__u64); kept between uses. */
struct bio_start {
	__u64 queue_ns; /* io_start/insert time, or the issue time if never queued; 0: unused */
	__u64 issue_ns; /* 0 until issued, and again after a requeue */
	__u32 tgid;	/* submitting process, 0 if unknown */
	__u32 size;	/* bytes, read at issue */
	__u32 op;	/* enum bio_rq_op, read at issue */
	__u32 requeued; /* put back by the driver: the next insert keeps this entry */
	__u32 outside;	/* --cgroup: submitted outside the cgroup (not counted) */
	char comm[BIO_COMM_LEN]; /* submitting process's name */
};

/* Histogram map key. */
struct bio_hist_key {
	__u32 dev; /* kernel dev_t of the disk: major << 20 | minor */
	__u32 op;  /* enum bio_rq_op */
};

/* Histogram map value (per CPU); cumulative since load, never deleted by the kernel. */
struct bio_hist_val {
	__u64 lat_device[BIO_SLOTS]; /* usecs from issue to completion */
	__u64 lat_total[BIO_SLOTS];  /* usecs from queueing to completion */
	__u64 size[BIO_SLOTS];	     /* bytes per request */
	__u64 ios;
	__u64 bytes;
	__u64 slow;	     /* total latency >= slow_ns */
	__u64 lat_device_us; /* sum of the device latencies */
	__u64 lat_total_us;  /* sum of the total latencies */
};

/* Disk name map value, keyed by dev: the kernel's name, for disks gone before user space looks. */
struct bio_disk_name {
	char name[BIO_DISK_NAME_LEN];
};

/* Process map key and value. */
struct bio_proc_key {
	__u32 tgid;
	__u32 dev;
};

struct bio_proc_val {
	char comm[BIO_COMM_LEN];
	__u64 ios;
	__u64 bytes;
	__u64 lat_us; /* total latency summed */
};

#endif
