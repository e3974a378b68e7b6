// SPDX-License-Identifier: GPL-2.0
/*
 * The Off-CPU collector: loads offcpu.bpf.c; at each poll its stack source (stack_source.c)
 * moves the blocks to the other of two stack maps, drains the counts map into stack_collect.c,
 * which symbolizes the records into struct offcpu_model, then deletes from the old map the
 * stack ids no block holds.
 */
#include "collectors/offcpu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/bpf_common.h"
#include "collectors/offcpu_model.h"
#include "collectors/pid_filter.h"
#include "collectors/stack_collect.h"
#include "collectors/stack_source.h"
#include "collectors/ustack_reader.h"
#include "util/clock.h"
#include "util/xalloc.h"
#include "bpf/offcpu.h"
#include "bpf/ustack.h"
#include "bpf/offcpu.skel.h"

_Static_assert(OFFCPU_PIDS_MAX >= KTOP_MAX_PIDS,
	       "the BPF PID filter is smaller than KTOP_MAX_PIDS");
_Static_assert(OFFCPU_STACK_NONE == STACK_COLLECT_NONE, "offcpu.h and stack_collect.h disagree");
_Static_assert(OFFCPU_GEN1 == STACK_COLLECT_GEN1, "offcpu.h and stack_collect.h disagree");
_Static_assert(STACK_SOURCE_KEY_MATCHES(struct offcpu_key),
	       "struct offcpu_key is not laid out as struct stack_collect_key");

#define OFFCPU_NPROGS	 3
#define OFFCPU_FORCE_RAW "KTOP_FORCE_RAW_TP" /* set (tests): use the raw_tp fallback */

/* What vmlinux BTF says about the running kernel. */
struct offcpu_probe {
	bool tp_btf;	 /* btf_trace_sched_switch exists, so tp_btf can attach */
	bool prev_state; /* sched_switch(preempt, prev, next, prev_state), v5.18+ */
	/*
	 * struct bpf_mem_alloc exists (v6.1): tracing programs may use hash maps that are not
	 * preallocated, whose entries the kernel allocates when they are added.
	 */
	bool alloc_on_use;
};

struct offcpu_priv {
	struct offcpu_bpf *skel;
	struct bpf_link *links[OFFCPU_NPROGS];
	struct bpf_program *progs[OFFCPU_NPROGS];
	size_t nlinks;
	struct ring_buffer *notes; /* process notes, and the copied user stacks */
	struct stack_source *src;  /* the counts map into the model; DWARF unwinding */
	struct bpf_link *sys_exit; /* attached while DWARF unwinding is on (and only then) */
	struct bpf_program *sys_exit_prog;
	uint32_t ustack_kib;
	bool use_btf;  /* tp_btf: a block ends at switch-in, before the thread's return to user */
	bool can_copy; /* the kernel has what copying user stacks needs, and unwinding is built */

	struct pid_filter pids;

	struct offcpu_model model;
};

/* Drop counters shown to the user; idx -1 is the programs' recursion misses. */
static const struct bpf_common_drop offcpu_drop_names[] = {
	{ "missed kernel stacks", OFFCPU_DROP_KSTACK },
	{ "missed user stacks", OFFCPU_DROP_USTACK },
	{ "stack collisions", OFFCPU_DROP_COLLISION },
	{ "counts map full", OFFCPU_DROP_COUNTS_FULL },
	{ "task storage failures", OFFCPU_DROP_STORAGE },
	{ "lost process notes", OFFCPU_DROP_NOTE },
	{ "stack copies over rate", OFFCPU_DROP_DWARF_RATE },
	{ "stack copies lost", OFFCPU_DROP_DWARF_RING },
	{ "blocks left elsewhere", OFFCPU_DROP_DWARF_MOVED },
	{ "recursion misses", -1 },
};

_Static_assert(sizeof(offcpu_drop_names) / sizeof(offcpu_drop_names[0]) <= COLLECTOR_MAX_DROPS,
	       "too many offcpu drop counters");

/* Read from vmlinux BTF how sched_switch can be attached and what it passes. */
static int offcpu_probe_btf(struct offcpu_probe *p, char *why, size_t why_len)
{
	struct btf *btf;
	int err;
	int n;

	err = bpf_common_btf_load(&btf, "offcpu", why, why_len);
	if (err)
		return err;
	p->alloc_on_use = btf__find_by_name_kind(btf, "bpf_mem_alloc", BTF_KIND_STRUCT) > 0;
	n = bpf_common_tp_btf_args(btf, "sched_switch");
	p->tp_btf = n >= 0;
	/* (ctx, preempt, prev, next[, prev_state]); unknown: read prev's state from the task */
	p->prev_state = n >= 5;
	btf__free(btf);
	return 0;
}

/* Open the BPF object, keep one flavour, size the stack map and load. */
static int offcpu_load(struct offcpu_priv *priv, const struct offcpu_probe *probe, bool use_btf,
		       uint32_t stacks, char *why, size_t why_len)
{
	const char *flavour = use_btf ? "tp_btf" : "raw_tp";
	struct offcpu_bpf *skel;
	uint32_t nids = 1;
	uint32_t half;
	int err;

	skel = offcpu_bpf__open();
	priv->skel = skel;
	if (!skel) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, why_len, "offcpu: open BPF object: %s", strerror(-err));
		return err;
	}
	skel->rodata->sw_has_prev_state = probe->prev_state;
	/* Each map holds an interval's stacks and those long blocks hold: half of stacks each. */
	half = stacks / 2 ? stacks / 2 : 1;
	while (nids < half)
		nids <<= 1;
	skel->rodata->stack_nids = nids;
	err = bpf_map__set_max_entries(skel->maps.offcpu_stacks0, half);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.offcpu_stacks1, half);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.offcpu_refs, 2 * nids);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.offcpu_taken, 2 * nids);
	if (err) {
		snprintf(why, why_len, "offcpu: size the stack maps: %s", strerror(-err));
		return err;
	}
	/*
	 * The counts map is emptied at every poll: where the kernel allows it, its entries are
	 * allocated as blocks add them instead of all at load (1.8 MB of kernel memory).
	 */
	if (probe->alloc_on_use) {
		struct bpf_map *counts = skel->maps.offcpu_counts;

		err = bpf_map__set_map_flags(counts,
					     bpf_map__map_flags(counts) | BPF_F_NO_PREALLOC);
		if (err) {
			snprintf(why, why_len, "offcpu: flag the counts map: %s", strerror(-err));
			return err;
		}
	}
	bpf_program__set_autoload(skel->progs.offcpu_sw_btf, use_btf);
	bpf_program__set_autoload(skel->progs.offcpu_exec_btf, use_btf);
	bpf_program__set_autoload(skel->progs.offcpu_sw_raw, !use_btf);
	bpf_program__set_autoload(skel->progs.offcpu_exec_raw, !use_btf);
	bpf_program__set_autoload(skel->progs.offcpu_exit_btf, use_btf);
	bpf_program__set_autoload(skel->progs.offcpu_exit_raw, !use_btf);
	bpf_program__set_autoload(skel->progs.offcpu_sys_exit_btf, use_btf);
	bpf_program__set_autoload(skel->progs.offcpu_sys_exit_raw, !use_btf);
	skel->rodata->ustack_pages = priv->ustack_kib * 1024 / USTACK_PAGE;
	priv->can_copy = ustack_reader_can_copy();
	skel->rodata->ustack_can_copy = priv->can_copy;
	priv->sys_exit_prog =
		use_btf ? skel->progs.offcpu_sys_exit_btf : skel->progs.offcpu_sys_exit_raw;
	err = offcpu_bpf__load(skel);
	if (err) {
		snprintf(why, why_len, "offcpu: load BPF programs (%s): %s", flavour,
			 strerror(-err));
		return err;
	}
	pid_filter_init(&priv->pids, bpf_map__fd(skel->maps.offcpu_pids), &skel->bss->filter_pids,
			"offcpu");
	return 0;
}

/* Attach the three loaded programs, naming the tracepoint that failed. */
static int offcpu_attach(struct offcpu_priv *priv, bool use_btf, char *why, size_t why_len)
{
	struct offcpu_bpf *skel = priv->skel;
	const struct bpf_common_tp progs[OFFCPU_NPROGS] = {
		{ "sched_switch", use_btf ? skel->progs.offcpu_sw_btf : skel->progs.offcpu_sw_raw },
		{ "sched_process_exec",
		  use_btf ? skel->progs.offcpu_exec_btf : skel->progs.offcpu_exec_raw },
		{ "sched_process_exit",
		  use_btf ? skel->progs.offcpu_exit_btf : skel->progs.offcpu_exit_raw },
	};

	return bpf_common_attach(progs, OFFCPU_NPROGS, priv->links, priv->progs, &priv->nlinks,
				 "offcpu", why, why_len);
}

/* One process note from the kernel: a process to symbolize, one that ran exec or exited. */
static int offcpu_on_note(void *ctx, void *data, size_t size)
{
	struct offcpu_priv *priv = ctx;
	const struct offcpu_note *n = data;

	if (size < sizeof(*n))
		return 0;
	if (!priv->src)
		return 0;
	if (n->kind == OFFCPU_NOTE_EXEC)
		stack_source_exec(priv->src, n->tgid);
	else if (n->kind == OFFCPU_NOTE_EXIT)
		stack_source_exit(priv->src, n->tgid);
	else
		stack_source_note(priv->src, n->tgid);
	return 0;
}

/* Detach and free everything; c->why is kept, so a failed open() can still say why. */
static void offcpu_close(struct collector *c)
{
	struct offcpu_priv *priv = collector_closing(c);

	if (!priv)
		return;
	bpf_link__destroy(priv->sys_exit);
	/* The source's reader reads through the notes ring buffer: it goes first. */
	stack_source_free(priv->src);
	ring_buffer__free(priv->notes);
	bpf_common_detach(priv->links, &priv->nlinks);
	offcpu_bpf__destroy(priv->skel);
	stack_set_clear(&priv->model.interval);
	stack_set_clear(&priv->model.cumulative);
	free(priv);
	c->priv = NULL;
}

/* Probe the kernel, load and attach sched_switch and sched_process_exec. */
static int offcpu_open(struct collector *c, const struct ktop_config *cfg)
{
	uint32_t stacks = cfg && cfg->stack_storage ? cfg->stack_storage : OFFCPU_STACKS_MAX;
	struct offcpu_probe probe = { 0 };
	struct stack_source_desc desc;
	struct offcpu_priv *priv;
	bool use_btf;
	int err;

	if (c->priv)
		offcpu_close(c);
	c->why[0] = '\0';
	c->mode[0] = '\0';
	err = bpf_common_btf_check("offcpu", c->why, sizeof(c->why));
	if (err)
		return err;
	priv = xcalloc(1, sizeof(*priv));
	c->priv = priv;
	priv->ustack_kib = ustack_reader_kib(cfg);

	err = offcpu_probe_btf(&probe, c->why, sizeof(c->why));
	if (err)
		goto out_close;

	use_btf = probe.tp_btf && !getenv(OFFCPU_FORCE_RAW);
	err = offcpu_load(priv, &probe, use_btf, stacks, c->why, sizeof(c->why));
	if (err && use_btf && err != -EPERM && err != -EACCES) {
		/* tp_btf can still be refused where raw_tp works. */
		offcpu_bpf__destroy(priv->skel);
		priv->skel = NULL;
		use_btf = false;
		err = offcpu_load(priv, &probe, use_btf, stacks, c->why, sizeof(c->why));
	}
	if (err)
		goto out_close;

	/* Live settings, before the programs run. */
	priv->model.min_block_us = cfg ? cfg->min_block_us : 0;
	priv->skel->bss->min_block_ns = bpf_common_us_to_ns(priv->model.min_block_us);

	err = offcpu_attach(priv, use_btf, c->why, sizeof(c->why));
	if (err)
		goto out_close;
	snprintf(c->mode, sizeof(c->mode), "%s", use_btf ? "tp_btf" : "raw_tp");
	priv->use_btf = use_btf;

	priv->notes = ring_buffer__new(bpf_map__fd(priv->skel->maps.offcpu_notes), offcpu_on_note,
				       priv, NULL);
	if (!priv->notes) {
		err = errno ? -errno : -EINVAL;
		snprintf(c->why, sizeof(c->why), "offcpu: open the process note ring buffer: %s",
			 strerror(-err));
		goto out_close;
	}
	desc = (struct stack_source_desc){
		.who = "offcpu",
		.counts = priv->skel->maps.offcpu_counts,
		.value = STACK_SOURCE_VALUE(struct offcpu_val, total_ns, count, comm),
		.stacks = priv->skel->maps.offcpu_stacks0,
		.stacks1 = priv->skel->maps.offcpu_stacks1,
		.gens = priv->skel->maps.offcpu_gens,
		.gen = &priv->skel->bss->stack_gen,
		.refs = priv->skel->maps.offcpu_refs,
		.taken = priv->skel->maps.offcpu_taken,
		.depth = OFFCPU_STACK_DEPTH,
		/* Sums are nanoseconds; samples show microseconds. */
		.scale = { 1, 1000 },
		.drops = priv->skel->maps.offcpu_drops,
		.names = offcpu_drop_names,
		.nnames = sizeof(offcpu_drop_names) / sizeof(offcpu_drop_names[0]),
		.ncounters = OFFCPU_DROP_COUNT,
		.ustack = priv->skel->maps.ustack_ring,
		.ustack_rb = priv->notes,
	};
	for (size_t i = 0; i < priv->nlinks && i < STACK_SOURCE_PROGS_MAX; i++)
		desc.prog_fds[desc.nprogs++] = bpf_program__fd(priv->progs[i]);
	err = stack_source_new(&priv->src, &desc, cfg, &priv->model.interval,
			       &priv->model.cumulative, c);
	if (err)
		goto out_close;
	ustack_reader_describe(c->unwind, sizeof(c->unwind), false, priv->ustack_kib, true);
	c->is_open = true;
	return 0;

out_close:
	return collector_open_failed(c, err);
}

/* Drain the kernel's counts into this interval's samples and the cumulative ones. */
static int offcpu_poll(struct collector *c)
{
	struct offcpu_priv *priv = c->priv;
	struct offcpu_model *m;
	double now;
	int flip;
	int n;

	if (!priv || !priv->skel)
		return collector_not_open(c);
	m = &priv->model;
	/*
	 * Blocks take their stacks in the other map from now on; this one's ids that no block
	 * holds now are deleted once read, below. Before the interval's end: a stack copy sent
	 * before the flip is read in this interval, before the ids it names can go.
	 */
	flip = stack_source_flip(priv->src, c->why, sizeof(c->why));
	/*
	 * The interval ends now, with the drain, before the slow part: reading the ring unwinds
	 * the copied stacks (those sent later wait for the next interval). Processes announced
	 * since the last look come in the same ring: their maps are read before naming anything.
	 */
	now = clock_seconds(CLOCK_MONOTONIC);
	n = stack_source_drain(priv->src, c->why, sizeof(c->why));
	if (n < 0)
		return n;
	ring_buffer__consume(priv->notes);
	stack_source_interval_end(priv->src, now, &m->interval_s, &m->cumulative_s);
	stack_source_collect(priv->src);
	stack_source_retire(priv->src);
	m->polls++;
	c->why[0] = '\0';
	n = stack_source_drops(priv->src, c);
	if (!n && flip)
		snprintf(c->why, sizeof(c->why), "offcpu: switch stack maps: %s", strerror(-flip));
	return n ? n : flip;
}

/* Start the cumulative samples again; what already ended still counts for the interval. */
static void offcpu_reset(struct collector *c)
{
	struct offcpu_priv *priv = c->priv;

	if (!priv || !priv->skel)
		return;
	stack_source_reset(priv->src, true);
	priv->model.cumulative_s = 0;
}

/*
 * Turn DWARF unwinding on or off: on, the thread's return to user space after a block that
 * counts is traced, to copy its stack there. 0, or -errno with why (then it stays off).
 */
static int offcpu_dwarf_set(struct collector *c, bool on, bool automatic)
{
	struct offcpu_priv *priv = c->priv;
	int err = 0;

	/* The ring is mapped the first time it is needed. */
	if (on)
		err = ustack_reader_start(stack_source_reader(priv->src), c->why, sizeof(c->why));
	if (err)
		on = false;
	if (on && !priv->sys_exit) {
		priv->sys_exit = bpf_program__attach(priv->sys_exit_prog);
		if (!priv->sys_exit) {
			err = errno ? -errno : -EINVAL;
			snprintf(c->why, sizeof(c->why), "offcpu: attach sys_exit: %s",
				 strerror(-err));
			on = false;
		}
	}
	priv->skel->bss->dwarf_mode = on;
	if (!on && priv->sys_exit) {
		bpf_link__destroy(priv->sys_exit);
		priv->sys_exit = NULL;
	}
	ustack_reader_describe(c->unwind, sizeof(c->unwind), on, priv->ustack_kib, automatic);
	return err;
}

/*
 * Apply the PID set, thresholds and what counts, live. A change starts the interval and the
 * cumulative samples again, since blocks counted under other settings cannot be told apart.
 */
static int offcpu_configure(struct collector *c, const struct filter *f, unsigned int changed)
{
	struct offcpu_priv *priv = c->priv;
	struct offcpu_model *m;
	bool restart;
	bool dwarf;
	int err = 0;

	if (!priv || !priv->skel)
		return collector_not_open(c);
	m = &priv->model;
	if (changed & FILTER_PIDS)
		err = pid_filter_apply(&priv->pids, f->pids, f->npids, c->why, sizeof(c->why));
	if (changed & FILTER_CGROUP) {
		pid_filter_cgroup(&priv->skel->bss->cgroup_sel, &f->cgroup);
		collector_set_cgroup(c, &f->cgroup, true);
	}
	if (changed & FILTER_OFFCPU_BLOCK) {
		m->min_block_us = f->min_block_us;
		m->max_block_us = f->max_block_us;
		priv->skel->bss->min_block_ns = bpf_common_us_to_ns(m->min_block_us);
		priv->skel->bss->max_block_ns = bpf_common_us_to_ns(m->max_block_us);
	}
	if (changed & FILTER_OFFCPU_STATES) {
		m->runnable = f->offcpu_runnable;
		m->kthreads = f->offcpu_kthreads;
		priv->skel->bss->count_runnable = m->runnable;
		priv->skel->bss->count_kthreads = m->kthreads;
	}
	restart = changed &
		  (FILTER_PIDS | FILTER_OFFCPU_BLOCK | FILTER_OFFCPU_STATES | FILTER_CGROUP);
	/*
	 * raw_tp sees a block end only when its thread leaves the CPU again, after it went back
	 * to user space: too late to copy the stack it blocked with.
	 */
	dwarf = priv->can_copy && priv->use_btf &&
		(f->unwind == KTOP_UNWIND_DWARF ||
		 (f->unwind == KTOP_UNWIND_AUTO && priv->pids.npids));
	if ((changed & (FILTER_PIDS | FILTER_UNWIND)) && dwarf != (priv->sys_exit != NULL)) {
		int derr = offcpu_dwarf_set(c, dwarf, f->unwind == KTOP_UNWIND_AUTO);

		err = err ? err : derr;
		restart = true;
	} else if (changed & (FILTER_PIDS | FILTER_UNWIND)) {
		/* The same walk, chosen another way (auto, or by name): only the header changes. */
		ustack_reader_describe(c->unwind, sizeof(c->unwind), dwarf, priv->ustack_kib,
				       f->unwind == KTOP_UNWIND_AUTO);
	}
	if (restart) {
		/* What the kernel summed under the old settings goes. */
		ring_buffer__consume(priv->notes);
		stack_source_restart(priv->src);
		stack_set_clear(&m->interval);
		m->interval_s = 0;
		m->cumulative_s = 0;
	}
	return err;
}

COLLECTOR_MODEL_OPS(offcpu)

/* The process note ring buffer's epoll fd. */
static int offcpu_event_fd(struct collector *c)
{
	struct offcpu_priv *priv = c->priv;

	return priv && priv->notes ? ring_buffer__epoll_fd(priv->notes) : -1;
}

/* Hand waiting process notes to the symbolizer. */
static int offcpu_events(struct collector *c)
{
	struct offcpu_priv *priv = c->priv;
	int n;

	if (!priv || !priv->notes)
		return 0;
	n = ring_buffer__consume(priv->notes);
	if (n < 0) {
		snprintf(c->why, sizeof(c->why), "offcpu: read process notes: %s", strerror(-n));
		return n;
	}
	return 0;
}

const struct collector_ops offcpu_collector_ops = {
	.name = "offcpu",
	.open = offcpu_open,
	.poll = offcpu_poll,
	.configure = offcpu_configure,
	.reset = offcpu_reset,
	.snapshot = offcpu_snapshot,
	.model_free = offcpu_model_release,
	.event_fd = offcpu_event_fd,
	.events = offcpu_events,
	.close = offcpu_close,
};
