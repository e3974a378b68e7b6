// SPDX-License-Identifier: GPL-2.0
/* The Trace panel's VFS counters: which syscalls count, attaching on demand, reading rates. */
#include "collectors/vfs_stat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <bpf/libbpf.h>

#include "collectors/bpf_common.h"
#include "util/xalloc.h"
#include "bpf/cgroup_filter.h"
#include "bpf/trace.h"
#include "bpf/trace.skel.h"

_Static_assert((int)TRACE_VFS_IDX_READ == (int)TRACE_VFS_READ &&
		       (int)TRACE_VFS_IDX_WRITE == (int)TRACE_VFS_WRITE &&
		       (int)TRACE_VFS_IDX_CREATE == (int)TRACE_VFS_CREATE &&
		       (int)TRACE_VFS_IDX_OPEN == (int)TRACE_VFS_OPEN &&
		       (int)TRACE_VFS_IDX_FSYNC == (int)TRACE_VFS_FSYNC &&
		       (int)TRACE_VFS_IDX_COUNT == (int)TRACE_VFS_COUNT,
	       "bpf/trace.h and trace_model.h disagree on VFS operations");

#define VFS_STAT_HIDDEN "counted while the panel is shown"

/* The syscalls the VFS counters count, with the argument that holds an open's flags. */
static const struct {
	long nr;
	__u8 sc;
} vfs_stat_syscalls[] = {
	{ SYS_read, TRACE_SC_READ },
	{ SYS_pread64, TRACE_SC_READ },
	{ SYS_readv, TRACE_SC_READ },
	{ SYS_preadv, TRACE_SC_READ },
#ifdef SYS_preadv2
	{ SYS_preadv2, TRACE_SC_READ },
#endif
	{ SYS_write, TRACE_SC_WRITE },
	{ SYS_pwrite64, TRACE_SC_WRITE },
	{ SYS_writev, TRACE_SC_WRITE },
	{ SYS_pwritev, TRACE_SC_WRITE },
#ifdef SYS_pwritev2
	{ SYS_pwritev2, TRACE_SC_WRITE },
#endif
#ifdef SYS_open
	{ SYS_open, TRACE_SC_OPEN | 2 << 4 },
#endif
	{ SYS_openat, TRACE_SC_OPEN | 3 << 4 },
#ifdef SYS_openat2
	{ SYS_openat2, TRACE_SC_OPENAT2 },
#endif
#ifdef SYS_creat
	{ SYS_creat, TRACE_SC_CREAT },
#endif
	{ SYS_fsync, TRACE_SC_FSYNC },
	{ SYS_fdatasync, TRACE_SC_FSYNC },
#ifdef SYS_sync_file_range
	{ SYS_sync_file_range, TRACE_SC_FSYNC },
#endif
#ifdef SYS_sync_file_range2
	{ SYS_sync_file_range2, TRACE_SC_FSYNC },
#endif
};

void vfs_stat_prepare(struct trace_bpf *skel, bool use_btf)
{
	skel->rodata->o_creat = O_CREAT;
	for (size_t i = 0; i < sizeof(vfs_stat_syscalls) / sizeof(vfs_stat_syscalls[0]); i++)
		if (vfs_stat_syscalls[i].nr >= 0 && vfs_stat_syscalls[i].nr < TRACE_SYSCALLS_MAX)
			skel->rodata->vfs_syscalls[vfs_stat_syscalls[i].nr] =
				vfs_stat_syscalls[i].sc;
	bpf_program__set_autoload(skel->progs.trace_vfs_btf, use_btf);
	bpf_program__set_autoload(skel->progs.trace_vfs_raw, !use_btf);
}

void vfs_stat_init(struct vfs_stat *v, struct trace_bpf *skel, bool use_btf, int ncpus,
		   struct trace_model *m)
{
	memset(v, 0, sizeof(*v));
	v->skel = skel;
	v->btf = use_btf;
	v->ncpus = ncpus;
	v->pcpu = xcalloc((size_t)ncpus, sizeof(*v->pcpu));
	m->vfs_active = false;
	snprintf(m->vfs_how, sizeof(m->vfs_how), VFS_STAT_HIDDEN);
}

/* The counters, summed over CPUs (a slot that cannot be read counts 0). */
static void vfs_stat_read(struct vfs_stat *v, uint64_t sums[TRACE_VFS_COUNT])
{
	int fd = bpf_map__fd(v->skel->maps.trace_vfs);

	for (__u32 op = 0; op < TRACE_VFS_COUNT; op++) {
		sums[op] = 0;
		bpf_common_pcpu_sum(fd, op, v->pcpu, v->ncpus, &sums[op]);
	}
}

void vfs_stat_set_active(struct vfs_stat *v, bool on, struct trace_model *m)
{
	struct bpf_program *prog;
	int err;

	if (on && !v->link) {
		prog = v->btf ? v->skel->progs.trace_vfs_btf : v->skel->progs.trace_vfs_raw;
		v->link = v->btf ? bpf_program__attach(prog)
				 : bpf_program__attach_raw_tracepoint(prog, "sys_enter");
		if (!v->link) {
			err = errno ? -errno : -EINVAL;
			snprintf(m->vfs_how, sizeof(m->vfs_how), "attach sys_enter: %s",
				 strerror(-err));
			return;
		}
		vfs_stat_read(v, v->sums);
		m->vfs_active = true;
		snprintf(m->vfs_how, sizeof(m->vfs_how), "syscall tracepoint (%s/sys_enter)",
			 v->btf ? "tp_btf" : "raw_tp");
	} else if (!on && v->link) {
		bpf_link__destroy(v->link);
		v->link = NULL;
		m->vfs_active = false;
		memset(m->vfs, 0, sizeof(m->vfs));
		snprintf(m->vfs_how, sizeof(m->vfs_how), VFS_STAT_HIDDEN);
	}
}

void vfs_stat_poll(struct vfs_stat *v, struct trace_model *m)
{
	uint64_t sums[TRACE_VFS_COUNT];

	if (!v->link)
		return;
	vfs_stat_read(v, sums);
	for (size_t op = 0; op < TRACE_VFS_COUNT; op++) {
		m->vfs[op] = sums[op] - v->sums[op];
		v->sums[op] = sums[op];
		memmove(&m->vfs_history[op][0], &m->vfs_history[op][1],
			(TRACE_VFS_HISTORY - 1) * sizeof(m->vfs_history[op][0]));
		m->vfs_history[op][TRACE_VFS_HISTORY - 1] =
			(uint64_t)((double)m->vfs[op] / m->interval_s + 0.5);
	}
}

void vfs_stat_rebase(struct vfs_stat *v)
{
	if (v->link)
		vfs_stat_read(v, v->sums);
}

void vfs_stat_close(struct vfs_stat *v)
{
	bpf_link__destroy(v->link);
	v->link = NULL;
	free(v->pcpu);
	v->pcpu = NULL;
}
