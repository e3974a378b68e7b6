/* SPDX-License-Identifier: GPL-2.0 */
/* Internal to the bio collector: what its kernel maps held at one moment, and how to read them. */
#ifndef KTOP_BIO_READING_H
#define KTOP_BIO_READING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "collectors/bio_model.h"
#include "bpf/bio.h"

/* Programs whose recursion misses a reader sums: at most one per tracepoint. */
#define BIO_READER_MAX_PROGS 5
/* Names the exited processes are folded under; later names share "[other]". */
#define BIO_FOLD_NAMES_MAX 1024

/* An exited process's entry folded into the entry of its name, at the last reading. */
struct bio_fold {
	uint32_t pid;
	uint32_t dev;
	uint32_t fold_pid; /* BIO_PID_EXITED + its name's index */
	char comm[72];	   /* the name's */
};

/* One disk in a reading of the histogram map. */
struct bio_rdisk {
	uint32_t dev;
	struct bio_stats op[BIO_OP_COUNT];
};

/* Everything the kernel has counted since load, read at one moment. */
struct bio_reading {
	struct bio_rdisk *disks; /* sorted by dev */
	size_t ndisks;
	struct bio_proc *procs; /* sorted by pid, dev; kernel map plus pruned entries */
	size_t nprocs;
	uint64_t counters[BIO_DROP_COUNT];
	uint64_t recursion_misses;
	double at; /* CLOCK_MONOTONIC, seconds */
};

/* Where readings come from, and what they keep between polls. The collector fills the fds. */
struct bio_reader {
	int hists_fd;			    /* per-CPU histograms by (dev, op) */
	int procs_fd;			    /* figures by (tgid, dev) */
	int drops_fd;			    /* per-CPU drop and statistic counters */
	int prog_fds[BIO_READER_MAX_PROGS]; /* attached programs, for their recursion misses */
	size_t nprogs;
	int ncpus;
	struct bio_hist_val *pcpu; /* lookup buffer: one value per possible CPU */
	__u64 *pcpu_count;	   /* lookup buffer of the counter array */
	struct bio_proc_key *keys; /* batch read buffers of the process map (BIO_PROC_MAX) */
	struct bio_proc_val *vals;

	/*
	 * Figures of the exited processes pruned from the kernel map, folded by name: entries
	 * (BIO_PID_EXITED + name, dev), sorted by pid, dev.
	 */
	struct bio_proc *archive;
	size_t narchive;
	char (*names)[72]; /* the names folded under, by index */
	size_t nnames;
	struct bio_fold *folds; /* done by the last bio_read, to do to the older readings too */
	size_t nfolds;
	uint64_t folded; /* exited processes folded since open */
};

/* Size the lookup buffers for ncpus possible CPUs. */
void bio_reader_init(struct bio_reader *rd, int ncpus);
/* Free the buffers and the archive; the fds belong to the BPF object. */
void bio_reader_free(struct bio_reader *rd);
/*
 * Read every map into r. When prune_since (the previous reading) is given, processes that exited
 * and did no I/O since it are pruned from the kernel map; 0 or -errno with why.
 */
int bio_read(struct bio_reader *rd, struct bio_reading *r, const struct bio_reading *prune_since,
	     char *why, size_t why_len);
/*
 * Forget archived processes that are entirely behind the new baseline base, in the archive and
 * in the readings base, cur and prev, so the archive does not grow without bound.
 */
void bio_archive_forget(struct bio_reader *rd, struct bio_reading *base, struct bio_reading *cur,
			struct bio_reading *prev);

/*
 * Fold the (pid, dev) entry of r into the entry (fold_pid, dev) named comm, created if need be:
 * what bio_read did to the exited processes it pruned, done to an older reading, so that
 * differences of readings stay exact.
 */
void bio_reading_fold(struct bio_reading *r, uint32_t pid, uint32_t dev, uint32_t fold_pid,
		      const char *comm);
/* Do the last bio_read's folds to an older reading (the previous one, the baseline). */
void bio_reader_fold(const struct bio_reader *rd, struct bio_reading *r);

/* Free what a reading owns and zero it. */
void bio_reading_free(struct bio_reading *r);
/* dst := a deep copy of src (dst's old contents are freed). */
void bio_reading_copy(struct bio_reading *dst, const struct bio_reading *src);
/* The disk with this dev in a reading, or NULL. */
const struct bio_rdisk *bio_reading_disk(const struct bio_reading *r, uint32_t dev);

/* Order processes by pid, then dev. */
int bio_proc_key_cmp(const void *a, const void *b);
/* The (pid, dev) entry in a sorted process array, or NULL. */
struct bio_proc *bio_procs_find(struct bio_proc *procs, size_t n, uint32_t pid, uint32_t dev);

#endif
