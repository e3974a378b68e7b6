/* SPDX-License-Identifier: GPL-2.0 */
/* The Block I/O model: per-disk, per-operation latency and size histograms, and who issued them. */
#ifndef KTOP_BIO_MODEL_H
#define KTOP_BIO_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/hist.h"

enum bio_op {
	BIO_OP_READ,
	BIO_OP_WRITE,
	BIO_OP_FLUSH,
	BIO_OP_DISCARD,
	BIO_OP_OTHER,
	BIO_OP_COUNT,
};

/* Completed requests of one operation on one disk over a span of time. */
struct bio_stats {
	struct hist lat_device; /* usecs from issue to completion */
	struct hist lat_total;  /* usecs from insert (or issue, if never queued) to completion */
	struct hist size;       /* bytes per request */
	uint64_t ios;           /* completed requests */
	uint64_t bytes;         /* bytes transferred */
	uint64_t slow;          /* requests whose total latency exceeded the slow threshold */
};

struct bio_disk {
	uint32_t dev;  /* kernel dev_t: major << 20 | minor */
	char name[32]; /* from /sys/dev/block, or "MAJ:MIN" */
	bool gone;     /* no longer in /sys/dev/block */
	struct bio_stats op[BIO_OP_COUNT];
};

/* I/O submitted by one process to one disk. */
/*
 * From this pid on, an entry stands for the exited processes of one name (comm), folded:
 * processes that come and go (fork/exec churn) do not grow the figures kept since start.
 */
#define BIO_PID_EXITED 0x80000000u

struct bio_proc {
	uint32_t pid; /* or BIO_PID_EXITED + n: the exited processes named comm */
	uint32_t dev;
	char comm[72]; /* escaped, may be longer than the kernel's 16 bytes */
	uint64_t ios;
	uint64_t bytes;
	uint64_t lat_us_sum; /* total latency summed, for the average */
};

/* Everything that happened over one span (an interval, or since start/reset). */
struct bio_span {
	double seconds;
	struct bio_disk *disks; /* owned, sorted by name */
	size_t ndisks;
	struct bio_proc *procs; /* owned, sorted by ios descending */
	size_t nprocs;
	uint64_t unknown_submitter; /* completions whose submitting task was not seen */
};

struct bio_model {
	struct bio_span interval;   /* the last refresh interval */
	struct bio_span cumulative; /* since start or the last reset */
	uint64_t slow_us;           /* the threshold behind bio_stats.slow */
	bool pid_filtered;          /* histograms hold only the filtered PIDs' I/O */
	uint64_t polls;             /* how many polls fed this model (0: no data yet) */
};

/* Names of the operations, lower case ("read", "write", ...). */
const char *bio_op_name(enum bio_op op);
/* A deep copy; free with bio_model_free. */
struct bio_model *bio_model_dup(const struct bio_model *m);
void bio_model_free(struct bio_model *m);
/* Free what a span owns and zero it. */
void bio_span_clear(struct bio_span *s);
/* The disk with this dev in a span, or NULL. */
const struct bio_disk *bio_span_disk(const struct bio_span *s, uint32_t dev);
/* Sum the ops selected by op_mask (bit per enum bio_op) of one disk, or of all when disk is NULL. */
void bio_span_sum(const struct bio_span *s, const struct bio_disk *disk, unsigned int op_mask,
		  struct bio_stats *out);
/* out += in. */
void bio_stats_add(struct bio_stats *out, const struct bio_stats *in);

#endif
