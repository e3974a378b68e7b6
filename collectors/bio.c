// SPDX-License-Identifier: GPL-2.0
/* The Block I/O collector: loads bio.bpf.c and turns its cumulative maps into struct bio_model. */
#include "collectors/bio.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/bio_disk_names.h"
#include "collectors/bpf_common.h"
#include "collectors/bio_model.h"
#include "collectors/bio_reading.h"
#include "collectors/bio_spans.h"
#include "collectors/pid_filter.h"
#include "util/xalloc.h"
#include "bpf/bio.h"
#include "bpf/bio.skel.h"

_Static_assert(BIO_PIDS_MAX >= KTOP_MAX_PIDS, "the BPF PID filter is smaller than KTOP_MAX_PIDS");

#define BIO_NTPS	5
#define BIO_FORCE_RAW	"KTOP_FORCE_RAW_TP" /* set (tests): use the raw_tp fallback */
#define BIO_START_CAP	262144		    /* start map entries at most (about 25 MiB) */
#define BIO_SYSFS_BLOCK "/sys/block"

_Static_assert(BIO_NTPS <= BIO_READER_MAX_PROGS, "a bio reader cannot sum every program");

/* One tracepoint and its two program flavours in the skeleton. */
struct bio_tp {
	const char *name;
	struct bpf_program *btf;
	struct bpf_program *raw;
	bool needs_io_start; /* only on kernels that have block_io_start (v6.5+) */
};

/* What vmlinux BTF and the kernel release say about the running kernel. */
struct bio_probe {
	bool tp_btf;	  /* btf_trace_block_rq_issue exists, so tp_btf can attach */
	bool io_start;	  /* block_io_start exists */
	bool single_arg;  /* block_rq_issue(rq), not the pre-v5.11 (q, rq) */
	bool no_nesting;  /* a raw tracepoint program never nests over itself on one CPU */
	size_t start_max; /* entries for the start map */
};

struct bio_priv {
	struct bio_bpf *skel;
	struct bpf_link *links[BIO_NTPS];
	size_t nlinks;

	struct bio_reader reader; /* map fds, lookup buffers, the archive of pruned processes */
	struct bio_reading base;  /* start of the cumulative span */
	struct bio_reading prev;  /* start of the interval span */
	struct bio_reading cur;	  /* the last poll */

	struct bio_name_cache names;

	uint64_t slow_us;
	struct pid_filter pids;

	struct bio_model model;
};

/*
 * Drop counters shown to the user; idx -1 is the programs' recursion misses. The statistics
 * (BIO_STAT_*) are not losses and stay out.
 */
static const struct bpf_common_drop bio_drop_names[] = {
	{ "start map full", BIO_DROP_START_FULL },
	{ "histogram map full", BIO_DROP_HIST_FULL },
	{ "process map full", BIO_DROP_PROC_FULL },
	{ "completion without start", BIO_DROP_NO_START },
	{ "recursion misses", -1 },
};

_Static_assert(sizeof(bio_drop_names) / sizeof(bio_drop_names[0]) <= COLLECTOR_MAX_DROPS,
	       "too many bio drop counters");

/*
 * Whether the running kernel's release is major.minor or later. Raw tracepoint programs stopped
 * nesting over themselves on one CPU in v6.1 (05b24ff9b2cf, "bpf: Prevent bpf program recursion
 * for raw tracepoint probes"); a stable kernel with the backport is taken for an older one,
 * which only costs speed.
 */
static bool bio_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/* The number in a small sysfs file, or 0. */
static unsigned long bio_sysfs_number(const char *path)
{
	unsigned long n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

/*
 * Entries for the start map, which keeps one per request structure: twice the requests the
 * disks have now (driver tags of each hardware queue, plus scheduler requests where a scheduler
 * is set), for disks added later, within [BIO_START_MAX, BIO_START_CAP].
 */
static size_t bio_start_entries(void)
{
	char path[PATH_MAX];
	size_t requests = 0;
	glob_t hctxs;

	if (glob(BIO_SYSFS_BLOCK "/*/mq/*/nr_tags", 0, NULL, &hctxs))
		return BIO_START_MAX;
	for (size_t i = 0; i < hctxs.gl_pathc; i++) {
		char *disk_end = strstr(hctxs.gl_pathv[i] + strlen(BIO_SYSFS_BLOCK "/"), "/mq/");
		FILE *f;
		char sched[128] = "";

		requests += bio_sysfs_number(hctxs.gl_pathv[i]);
		if (!disk_end)
			continue;
		/* The scheduler line lists them all and brackets the one in use: "[none] ...". */
		snprintf(path, sizeof(path), "%.*s/queue/scheduler",
			 (int)(disk_end - hctxs.gl_pathv[i]), hctxs.gl_pathv[i]);
		f = fopen(path, "r");
		if (f && fgets(sched, sizeof(sched), f) && !strstr(sched, "[none]")) {
			snprintf(path, sizeof(path), "%.*s/queue/nr_requests",
				 (int)(disk_end - hctxs.gl_pathv[i]), hctxs.gl_pathv[i]);
			requests += bio_sysfs_number(path);
		}
		if (f)
			fclose(f);
	}
	globfree(&hctxs);
	requests *= 2;
	if (requests < BIO_START_MAX)
		return BIO_START_MAX;
	return requests < BIO_START_CAP ? requests : BIO_START_CAP;
}

/* Read from vmlinux BTF which tracepoints exist and which argument form they take. */
static int bio_probe_btf(struct bio_probe *p, char *why, size_t why_len)
{
	struct btf *btf;
	int err;
	int n;

	err = bpf_common_btf_load(&btf, "bio", why, why_len);
	if (err)
		return err;
	n = bpf_common_tp_btf_args(btf, "block_rq_issue");
	p->tp_btf = n >= 0;
	/* (ctx, [struct request_queue *q,] rq); unknown: the single argument of v5.11+ */
	p->single_arg = n != 3;
	p->io_start = bpf_common_tp_btf_args(btf, "block_io_start") >= 0;
	btf__free(btf);
	p->no_nesting = bio_kernel_at_least(6, 1);
	p->start_max = bio_start_entries();
	return 0;
}

/* The skeleton's programs, tracepoint by tracepoint. */
static void bio_tps(struct bio_bpf *skel, struct bio_tp tps[BIO_NTPS])
{
	const struct bio_tp all[BIO_NTPS] = {
		{
			.name = "block_io_start",
			.btf = skel->progs.bio_iostart_btf,
			.raw = skel->progs.bio_iostart_raw,
			.needs_io_start = true,
		},
		{
			.name = "block_rq_insert",
			.btf = skel->progs.bio_insert_btf,
			.raw = skel->progs.bio_insert_raw,
		},
		{
			.name = "block_rq_issue",
			.btf = skel->progs.bio_issue_btf,
			.raw = skel->progs.bio_issue_raw,
		},
		{
			.name = "block_rq_requeue",
			.btf = skel->progs.bio_requeue_btf,
			.raw = skel->progs.bio_requeue_raw,
		},
		{
			.name = "block_rq_complete",
			.btf = skel->progs.bio_cmpl_btf,
			.raw = skel->progs.bio_cmpl_raw,
		},
	};

	memcpy(tps, all, sizeof(all));
}

/* Open the BPF object, keep one flavour per tracepoint, size the maps, load, share map fds. */
static int bio_load(struct bio_priv *priv, const struct bio_probe *probe, bool use_btf, char *why,
		    size_t why_len)
{
	const char *flavour = use_btf ? "tp_btf" : "raw_tp";
	struct bio_tp tps[BIO_NTPS];
	int err;

	priv->skel = bio_bpf__open();
	if (!priv->skel) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, why_len, "bio: open BPF object: %s", strerror(-err));
		return err;
	}
	priv->skel->rodata->rq_single_arg = probe->single_arg;
	priv->skel->rodata->has_io_start = probe->io_start;
	priv->skel->rodata->plain_adds = probe->no_nesting;
	err = bpf_map__set_max_entries(priv->skel->maps.bio_starts, probe->start_max);
	if (err) {
		snprintf(why, why_len, "bio: size the start map: %s", strerror(-err));
		return err;
	}
	bio_tps(priv->skel, tps);
	for (size_t i = 0; i < BIO_NTPS; i++) {
		bool wanted = !tps[i].needs_io_start || probe->io_start;

		bpf_program__set_autoload(tps[i].btf, wanted && use_btf);
		bpf_program__set_autoload(tps[i].raw, wanted && !use_btf);
	}
	err = bio_bpf__load(priv->skel);
	if (err) {
		snprintf(why, why_len, "bio: load BPF programs (%s): %s", flavour, strerror(-err));
		return err;
	}
	priv->reader.hists_fd = bpf_map__fd(priv->skel->maps.bio_hists);
	priv->reader.procs_fd = bpf_map__fd(priv->skel->maps.bio_procs);
	priv->reader.drops_fd = bpf_map__fd(priv->skel->maps.bio_drops);
	priv->names.disks_fd = bpf_map__fd(priv->skel->maps.bio_disks);
	pid_filter_init(&priv->pids, bpf_map__fd(priv->skel->maps.bio_pids),
			&priv->skel->bss->filter_pids, "bio");
	return 0;
}

/* Attach each loaded program, naming the tracepoint that failed. */
static int bio_attach(struct bio_priv *priv, bool use_btf, char *why, size_t why_len)
{
	struct bio_tp tps[BIO_NTPS];
	int err;

	bio_tps(priv->skel, tps);
	for (size_t i = 0; i < BIO_NTPS; i++) {
		struct bpf_program *prog = use_btf ? tps[i].btf : tps[i].raw;
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			err = errno ? -errno : -EINVAL;
			snprintf(why, why_len, "bio: attach %s: %s", tps[i].name, strerror(-err));
			return err;
		}
		priv->links[priv->nlinks++] = link;
		priv->reader.prog_fds[priv->reader.nprogs++] = bpf_program__fd(prog);
	}
	return 0;
}

/* Copy the cumulative counters of the last reading into c->drops. */
static void bio_drops_update(struct collector *c)
{
	struct bio_priv *priv = c->priv;
	size_t n = sizeof(bio_drop_names) / sizeof(bio_drop_names[0]);

	bpf_common_drops_fill(c, bio_drop_names, n, priv->cur.counters, priv->cur.recursion_misses);
}

/*
 * Start the cumulative span (and, when asked, the interval) from a fresh reading. Archived
 * processes that are entirely behind the new baseline are forgotten everywhere, so the archive
 * does not grow without bound.
 */
static void bio_rebase(struct bio_priv *priv, bool interval_too)
{
	struct bio_reading now;
	char why[COLLECTOR_WHY_LEN];

	if (bio_read(&priv->reader, &now, NULL, why, sizeof(why)))
		bio_reading_copy(&now, &priv->cur);
	bio_archive_forget(&priv->reader, &now, &priv->cur, &priv->prev);

	if (interval_too) {
		/* the next poll measures from now: poll moves cur to prev */
		bio_reading_copy(&priv->cur, &now);
		bio_reading_copy(&priv->prev, &now);
		bio_span_build(&priv->names, &priv->model.interval, &now, &now);
	}
	bio_reading_free(&priv->base);
	priv->base = now;
	bio_span_build(&priv->names, &priv->model.cumulative, &priv->base, &priv->base);
}

/* Detach and free everything; c->why is kept, so a failed open() can still say why. */
static void bio_close(struct collector *c)
{
	struct bio_priv *priv = collector_closing(c);

	if (!priv)
		return;
	bpf_common_detach(priv->links, &priv->nlinks);
	bio_bpf__destroy(priv->skel);
	bio_reader_free(&priv->reader);
	bio_reading_free(&priv->base);
	bio_reading_free(&priv->prev);
	bio_reading_free(&priv->cur);
	bio_names_free(&priv->names);
	bio_span_clear(&priv->model.interval);
	bio_span_clear(&priv->model.cumulative);
	free(priv);
	c->priv = NULL;
}

/* Probe the kernel, load and attach the block tracepoints, and take the first reading. */
static int bio_open(struct collector *c, const struct ktop_config *cfg)
{
	struct bio_probe probe = { 0 };
	struct bio_priv *priv;
	bool use_btf;
	int ncpus;
	int err;

	if (c->priv)
		bio_close(c);
	c->why[0] = '\0';
	c->mode[0] = '\0';
	err = bpf_common_btf_check("bio", c->why, sizeof(c->why));
	if (err)
		return err;
	priv = xcalloc(1, sizeof(*priv));
	c->priv = priv;

	err = bio_probe_btf(&probe, c->why, sizeof(c->why));
	if (err)
		goto out_close;
	ncpus = bpf_common_ncpus("bio", c->why, sizeof(c->why));
	if (ncpus < 0) {
		err = ncpus;
		goto out_close;
	}
	bio_reader_init(&priv->reader, ncpus);

	use_btf = probe.tp_btf && !getenv(BIO_FORCE_RAW);
	err = bio_load(priv, &probe, use_btf, c->why, sizeof(c->why));
	if (err && use_btf && err != -EPERM && err != -EACCES) {
		/* tp_btf can still be refused where raw_tp works (no BTF-typed attach). */
		bio_bpf__destroy(priv->skel);
		priv->skel = NULL;
		use_btf = false;
		err = bio_load(priv, &probe, use_btf, c->why, sizeof(c->why));
	}
	if (err)
		goto out_close;
	err = bio_attach(priv, use_btf, c->why, sizeof(c->why));
	if (err)
		goto out_close;
	snprintf(c->mode, sizeof(c->mode), "%s", use_btf ? "tp_btf" : "raw_tp");

	priv->slow_us = cfg ? cfg->bio_slow_us : 0;
	priv->skel->bss->slow_ns = bpf_common_us_to_ns(priv->slow_us);
	priv->model.slow_us = priv->slow_us;

	err = bio_read(&priv->reader, &priv->cur, NULL, c->why, sizeof(c->why));
	if (err)
		goto out_close;
	bio_reading_copy(&priv->prev, &priv->cur);
	bio_reading_copy(&priv->base, &priv->cur);
	bio_names_refresh(&priv->names, &priv->cur);
	bio_span_build(&priv->names, &priv->model.interval, &priv->cur, &priv->prev);
	bio_span_build(&priv->names, &priv->model.cumulative, &priv->cur, &priv->base);
	bio_drops_update(c);
	c->is_open = true;
	return 0;

out_close:
	return collector_open_failed(c, err);
}

/* Read the maps and turn this interval and the time since open/reset into the model. */
static int bio_poll(struct collector *c)
{
	struct bio_priv *priv = c->priv;
	struct bio_reading now;
	int err;

	if (!priv || !priv->skel)
		return collector_not_open(c);
	err = bio_read(&priv->reader, &now, &priv->cur, c->why, sizeof(c->why));
	if (err)
		return err;
	/* The exited processes now folded by name: fold them in the older readings too. */
	bio_reader_fold(&priv->reader, &priv->cur);
	bio_reader_fold(&priv->reader, &priv->base);
	bio_reading_free(&priv->prev);
	priv->prev = priv->cur;
	priv->cur = now;
	bio_names_refresh(&priv->names, &priv->cur);
	bio_span_build(&priv->names, &priv->model.interval, &priv->cur, &priv->prev);
	bio_span_build(&priv->names, &priv->model.cumulative, &priv->cur, &priv->base);
	priv->model.polls++;
	bio_drops_update(c);
	c->why[0] = '\0';
	return 0;
}

/*
 * Apply the PID set and the slow threshold live. A change starts the spans again, since
 * figures counted under different settings cannot be told apart.
 */
static int bio_configure(struct collector *c, const struct filter *f, unsigned int changed)
{
	struct bio_priv *priv = c->priv;
	int err = 0;

	if (!priv || !priv->skel)
		return collector_not_open(c);
	changed &= FILTER_PIDS | FILTER_BIO_SLOW | FILTER_CGROUP;
	if (changed & FILTER_PIDS)
		err = pid_filter_apply(&priv->pids, f->pids, f->npids, c->why, sizeof(c->why));
	if (changed & FILTER_CGROUP) {
		pid_filter_cgroup(&priv->skel->bss->cgroup_sel, &f->cgroup);
		collector_set_cgroup(c, &f->cgroup, true);
	}
	if (changed & FILTER_BIO_SLOW) {
		priv->slow_us = f->bio_slow_us;
		priv->skel->bss->slow_ns = bpf_common_us_to_ns(priv->slow_us);
	}
	priv->model.pid_filtered = priv->pids.npids > 0;
	priv->model.slow_us = priv->slow_us;
	if (changed)
		bio_rebase(priv, true);
	return err;
}

/* Start the cumulative figures again from now. */
static void bio_reset(struct collector *c)
{
	struct bio_priv *priv = c->priv;

	if (priv && priv->skel)
		bio_rebase(priv, false);
}

COLLECTOR_MODEL_OPS(bio)

const struct collector_ops bio_collector_ops = {
	.name = "bio",
	.open = bio_open,
	.poll = bio_poll,
	.configure = bio_configure,
	.reset = bio_reset,
	.snapshot = bio_snapshot,
	.model_free = bio_model_release,
	.close = bio_close,
};
