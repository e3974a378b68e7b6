/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Trace panel's VFS counters (the article's vfsstat): reads, writes, creates, opens and
 * fsyncs counted per CPU on the sys_enter tracepoint by trace.bpf.c's VFS program, for the
 * processes the PID filter keeps, turned into per-interval counts and per-second rates.
 */
#ifndef KTOP_VFS_STAT_H
#define KTOP_VFS_STAT_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/types.h>

#include "collectors/trace_model.h"

struct bpf_link;
struct trace_bpf;

struct vfs_stat {
	struct trace_bpf *skel; /* borrowed: the Trace collector's BPF object */
	bool btf;		/* tp_btf (else raw_tp) sys_enter is loaded */
	struct bpf_link *link;	/* attached while counting */
	int ncpus;
	__u64 *pcpu;			/* one counter per CPU, for reading the per-CPU map */
	uint64_t sums[TRACE_VFS_COUNT]; /* the counters at the last reading */
};

/* Between the BPF object's open and load: the syscall table, and only one flavour loaded. */
void vfs_stat_prepare(struct trace_bpf *skel, bool use_btf);
/* After load: counting is off and m says so. */
void vfs_stat_init(struct vfs_stat *v, struct trace_bpf *skel, bool use_btf, int ncpus,
		   struct trace_model *m);
/* Attach (on) or detach the counters; m says which, or why they could not attach. */
void vfs_stat_set_active(struct vfs_stat *v, bool on, struct trace_model *m);
/* The counts since the last poll, and their rates over interval_s, into m (when counting). */
void vfs_stat_poll(struct vfs_stat *v, struct trace_model *m);
/* Count the next interval from now (the PID filter changed). */
void vfs_stat_rebase(struct vfs_stat *v);
/* Detach and free; safe on a zeroed vfs_stat. */
void vfs_stat_close(struct vfs_stat *v);

#endif
