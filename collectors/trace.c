// SPDX-License-Identifier: GPL-2.0
/*
 * The Trace collector: probes the user adds (uprobe, uretprobe, USDT, tracepoint), each one
 * attachment of trace.bpf.c's generic program for its type with the probe's slot as cookie,
 * their events formatted from the ring buffer into struct trace_model. The VFS counters of the
 * same BPF object are collectors/vfs_stat.c's, attached here only while the panel is visible
 * or in batch mode.
 */
#include "collectors/trace.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/bpf_common.h"
#include "collectors/pid_filter.h"
#include "collectors/trace_format.h"
#include "collectors/trace_model.h"
#include "collectors/trace_resolve.h"
#include "collectors/trace_spec.h"
#include "collectors/vfs_stat.h"
#include "util/clock.h"
#include "util/escape.h"
#include "util/xalloc.h"
#include "bpf/trace.h"
#include "bpf/trace.skel.h"

_Static_assert(TRACE_PROBES_MAX == TRACE_MAX_PROBES, "bpf/trace.h and trace_model.h disagree");
_Static_assert(TRACE_ARGS_MAX == TRACE_MAX_ARGS, "bpf/trace.h and trace_model.h disagree");
_Static_assert(TRACE_PIDS_MAX >= KTOP_MAX_PIDS, "the BPF PID filter is smaller than KTOP_MAX_PIDS");
_Static_assert(TRACE_REC_HDR_SIZE == __builtin_offsetof(struct trace_rec, data),
	       "TRACE_REC_HDR_SIZE is not the offset of trace_rec.data");

#define TRACE_STRING_DEFAULT 80 /* bytes of a string argument copied unless told */
/* A message: every string escaped (at most 4 bytes a byte) and the format's text. */
#define TRACE_MSG_MAX	(TRACE_ARGS_MAX * (TRACE_STRING_MAX * 4 + 4) + 4 * TRACE_SPEC_FORMAT_LEN)
#define TRACE_SPECS_MAX (sizeof(((struct ktop_config *)0)->trace_specs) / sizeof(const char *))
#define TRACE_FORCE_RAW "KTOP_FORCE_RAW_TP" /* set (tests): use the raw_tp fallback */

/* One probe the user added. */
struct trace_probe {
	struct trace_spec spec;
	struct trace_probe_info info;
	uint32_t slot; /* its cookie and description map index */
	struct bpf_link *link;
	uint64_t interval;  /* events since the last poll */
	uint64_t lost;	    /* the kernel's count for its slot, since it was added */
	uint64_t lost_base; /* lost at the last reset */
};

struct trace_priv {
	struct trace_bpf *skel;
	struct ring_buffer *rb;

	struct trace_probe *slots[TRACE_PROBES_MAX];
	size_t nprobes;
	uint32_t next_id;

	bool batch;
	bool visible;
	struct vfs_stat vfs;

	struct trace_event ring[TRACE_EVENTS_MAX]; /* the latest events, a circular buffer */
	size_t ring_head;			   /* where the next one goes */
	size_t ring_n;

	int ncpus;
	__u64 *pcpu;			     /* one counter per CPU, for reading per-CPU maps */
	uint64_t counters[TRACE_DROP_COUNT]; /* summed over CPUs, since open */
	uint64_t lost_base;		     /* counters[TRACE_DROP_LOST] at the last reset */
	double wall_minus_mono;		     /* converts the kernel's timestamps */
	double last_poll;		     /* CLOCK_MONOTONIC */

	struct pid_filter pids;

	struct trace_model model; /* the figures; probes and events are built at snapshot */
	char msg[TRACE_MSG_MAX];
};

/* Loss counters shown to the user; TRACE_STAT_* are not losses and stay out. */
static const struct bpf_common_drop trace_drop_names[] = {
	{ "lost events", TRACE_DROP_LOST },
	{ "events of removed probes", TRACE_DROP_NO_DESC },
	{ "unreadable arguments", TRACE_DROP_UNREADABLE },
	{ "unreadable openat2 flags", TRACE_DROP_VFS_HOW },
};

_Static_assert(sizeof(trace_drop_names) / sizeof(trace_drop_names[0]) <= COLLECTOR_MAX_DROPS,
	       "too many trace drop counters");

/* Whether vmlinux BTF has raw_syscalls' sys_enter, so tp_btf can attach to it. */
static bool trace_has_tp_btf(void)
{
	return bpf_common_btf_has("btf_trace_sys_enter", BTF_KIND_TYPEDEF);
}

/* Open the BPF object, set its tunables and the VFS counters' syscall table, load. */
static int trace_load(struct trace_priv *priv, bool use_btf, uint32_t string_limit, char *why,
		      size_t why_len)
{
	struct trace_bpf *skel;
	int err;

	skel = trace_bpf__open();
	priv->skel = skel;
	if (!skel) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, why_len, "trace: open BPF object: %s", strerror(-err));
		return err;
	}
	skel->rodata->string_limit = string_limit;
	vfs_stat_prepare(skel, use_btf);
	err = trace_bpf__load(skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			snprintf(why, why_len,
				 "trace: load BPF programs: %s (needs root, or CAP_BPF and "
				 "CAP_PERFMON)",
				 strerror(-err));
		else
			snprintf(why, why_len, "trace: load BPF programs (%s): %s",
				 use_btf ? "tp_btf" : "raw_tp", strerror(-err));
		return err;
	}
	pid_filter_init(&priv->pids, bpf_map__fd(skel->maps.trace_pids), &skel->bss->filter_pids,
			"trace");
	return 0;
}

/* Sum a per-CPU map's slot; 0 when it cannot be read. */
static uint64_t trace_pcpu_sum(struct trace_priv *priv, int fd, __u32 idx)
{
	uint64_t sum = 0;

	bpf_common_pcpu_sum(fd, idx, priv->pcpu, priv->ncpus, &sum);
	return sum;
}

/* Store one event in the circular buffer, replacing the oldest when full. */
static void trace_ring_push(struct trace_priv *priv, const struct trace_event *ev)
{
	struct trace_event *slot = &priv->ring[priv->ring_head];

	if (priv->ring_n == TRACE_EVENTS_MAX)
		free(slot->message);
	else
		priv->ring_n++;
	*slot = *ev;
	priv->ring_head = (priv->ring_head + 1) % TRACE_EVENTS_MAX;
}

/* Forget every event kept. */
static void trace_ring_clear(struct trace_priv *priv)
{
	for (size_t i = 0; i < TRACE_EVENTS_MAX; i++) {
		free(priv->ring[i].message);
		priv->ring[i].message = NULL;
	}
	priv->ring_head = 0;
	priv->ring_n = 0;
}

/* One event from the ring buffer: formatted with its probe's spec into the kept events. */
static int trace_on_event(void *ctx, void *data, size_t size)
{
	struct trace_priv *priv = ctx;
	const struct trace_rec *rec = data;
	struct trace_value vals[TRACE_ARGS_MAX];
	struct trace_event ev = { 0 };
	struct trace_probe *p;
	size_t data_len;

	if (size < TRACE_REC_HDR_SIZE || rec->slot >= TRACE_PROBES_MAX)
		return 0;
	p = priv->slots[rec->slot];
	if (!p || p->info.id != rec->probe_id)
		return 0; /* sent before its probe was removed */
	data_len = rec->data_len;
	if (data_len > size - TRACE_REC_HDR_SIZE)
		data_len = size - TRACE_REC_HDR_SIZE;
	memset(vals, 0, sizeof(vals));
	for (size_t i = 0; i < p->spec.nargs && i < TRACE_ARGS_MAX; i++) {
		vals[i].raw = rec->values[i];
		vals[i].unreadable = rec->unreadable & (1u << i);
		vals[i].truncated = rec->truncated & (1u << i);
		if (p->spec.convs[i] == TRACE_CONV_S && !vals[i].unreadable &&
		    (size_t)rec->str_off[i] + rec->str_len[i] <= data_len) {
			vals[i].str = rec->data + rec->str_off[i];
			vals[i].str_len = rec->str_len[i];
		}
		ev.args[i] = rec->values[i];
	}
	ev.nargs = (uint32_t)p->spec.nargs;
	ev.time = (double)rec->ts_ns / 1e9 + priv->wall_minus_mono;
	ev.pid = rec->pid;
	ev.tid = rec->tid;
	ev.probe_id = rec->probe_id;
	escape_cstr(ev.comm, sizeof(ev.comm), rec->comm, sizeof(rec->comm));
	trace_format_message(&p->spec, vals, p->spec.nargs, priv->msg, sizeof(priv->msg));
	ev.message = xstrdup(priv->msg);
	trace_ring_push(priv, &ev);
	p->info.events++;
	p->interval++;
	return 0;
}

/* Consume what waits in the ring buffer; 0 or -errno with why. */
static int trace_consume(struct trace_priv *priv, char *why, size_t why_len)
{
	int n;

	priv->wall_minus_mono = clock_seconds(CLOCK_REALTIME) - clock_seconds(CLOCK_MONOTONIC);
	n = priv->rb ? ring_buffer__consume(priv->rb) : 0; /* none before the first probe */
	if (n < 0 && n != -EINTR) {
		snprintf(why, why_len, "trace: read the ring buffer: %s", strerror(-n));
		return n;
	}
	return 0;
}

/* Sum the per-CPU loss counters into c->drops, the model and each probe. */
static void trace_drops_update(struct collector *c)
{
	struct trace_priv *priv = c->priv;
	int fd = bpf_map__fd(priv->skel->maps.trace_drops);
	int lost_fd = bpf_map__fd(priv->skel->maps.trace_lost);
	size_t n = sizeof(trace_drop_names) / sizeof(trace_drop_names[0]);

	for (__u32 idx = 0; idx < TRACE_DROP_COUNT; idx++)
		priv->counters[idx] = trace_pcpu_sum(priv, fd, idx);
	bpf_common_drops_fill(c, trace_drop_names, n, priv->counters, 0);
	priv->model.lost = priv->counters[TRACE_DROP_LOST] - priv->lost_base;
	for (__u32 s = 0; s < TRACE_PROBES_MAX; s++) {
		struct trace_probe *p = priv->slots[s];

		if (!p)
			continue;
		p->lost = trace_pcpu_sum(priv, lost_fd, s);
		p->info.lost = p->lost - p->lost_base;
	}
}

/* The first free probe slot, or -1. */
static int trace_free_slot(const struct trace_priv *priv)
{
	for (int s = 0; s < TRACE_PROBES_MAX; s++)
		if (!priv->slots[s])
			return s;
	return -1;
}

/* Clear a slot's description and its lost counter (a new probe starts from zero). */
static int trace_slot_reset(struct trace_priv *priv, __u32 slot, const struct trace_probe_desc *d)
{
	struct trace_probe_desc none = { 0 };
	int err;

	memset(priv->pcpu, 0, (size_t)priv->ncpus * sizeof(*priv->pcpu));
	err = bpf_map_update_elem(bpf_map__fd(priv->skel->maps.trace_lost), &slot, priv->pcpu,
				  BPF_ANY);
	if (err)
		return err;
	return bpf_map_update_elem(bpf_map__fd(priv->skel->maps.trace_probes), &slot, d ? d : &none,
				   BPF_ANY);
}

/*
 * Find what the spec names and fill the kernel side's description; 0 or -errno with why. The
 * target it resolved to goes to p->info.target, escaped (it holds a path the user gave).
 */
static int trace_probe_resolve(struct trace_probe *p, uint32_t id, char *path, size_t path_len,
			       uint64_t *offset, struct trace_probe_desc *desc, char *why,
			       size_t why_len)
{
	const struct trace_spec *s = &p->spec;
	struct trace_tp_format *tp = NULL;
	char target[PATH_MAX + 512];
	char sym[256];
	int usdt_nargs = -1;
	int err;

	if (s->type == 't') {
		tp = xmalloc(sizeof(*tp));
		err = trace_resolve_tracepoint(s->target, s->func, tp, why, why_len);
		snprintf(target, sizeof(target), "%s:%s", s->target, s->func);
	} else {
		err = trace_resolve_target(s->target, path, path_len, why, why_len);
		if (!err && s->type == 'U') {
			err = trace_resolve_usdt(path, s->provider, s->func, &usdt_nargs, why,
						 why_len);
			snprintf(target, sizeof(target), "%s:%s:%s", path, s->provider, s->func);
		} else if (!err) {
			err = trace_resolve_func(path, s->func, offset, sym, sizeof(sym), why,
						 why_len);
			snprintf(target, sizeof(target), "%s:%s", path, sym);
		}
	}
	if (!err)
		err = trace_spec_bind(s, tp, usdt_nargs, id, desc, why, why_len);
	if (!err)
		escape_cstr(p->info.target, sizeof(p->info.target), target, strlen(target));
	free(tp);
	return err;
}

/* Attach the generic program of the probe's type with its slot as cookie. */
static int trace_probe_attach(struct trace_priv *priv, struct trace_probe *p, const char *path,
			      uint64_t offset, char *why, size_t why_len)
{
	const struct trace_spec *s = &p->spec;
	int err;

	if (s->type == 'p' || s->type == 'r') {
		LIBBPF_OPTS(bpf_uprobe_opts, o, .bpf_cookie = p->slot, .retprobe = s->type == 'r');

		p->link = bpf_program__attach_uprobe_opts(
			s->type == 'r' ? priv->skel->progs.trace_uretprobe
				       : priv->skel->progs.trace_uprobe,
			-1, path, offset, &o);
	} else if (s->type == 'U') {
		LIBBPF_OPTS(bpf_usdt_opts, o, .usdt_cookie = p->slot);

		p->link = bpf_program__attach_usdt(priv->skel->progs.trace_usdt, -1, path,
						   s->provider, s->func, &o);
	} else {
		LIBBPF_OPTS(bpf_tracepoint_opts, o, .bpf_cookie = p->slot);

		p->link = bpf_program__attach_tracepoint_opts(priv->skel->progs.trace_tp, s->target,
							      s->func, &o);
	}
	if (p->link)
		return 0;
	err = errno ? -errno : -EINVAL;
	snprintf(why, why_len, "attach %s: %s",
		 s->type == 'p'	  ? "uprobe"
		 : s->type == 'r' ? "uretprobe"
		 : s->type == 'U' ? "USDT probe"
				  : "tracepoint",
		 strerror(-err));
	return err;
}

/*
 * Map the ring buffer of probe events: once, before the first probe. Without --trace or a
 * probe added it stays unmapped (the kernel maps all its pages, twice, into ktop).
 */
static int trace_ring_open(struct trace_priv *priv, char *why, size_t why_len)
{
	int err;

	if (priv->rb)
		return 0;
	priv->rb = ring_buffer__new(bpf_map__fd(priv->skel->maps.trace_events), trace_on_event,
				    priv, NULL);
	if (!priv->rb) {
		err = errno ? -errno : -ENOMEM;
		snprintf(why, why_len, "trace: open the ring buffer: %s", strerror(-err));
		return err;
	}
	return 0;
}

/* Parse, resolve, describe and attach a probe; its id, or -errno with why. */
static int trace_probe_add(struct trace_priv *priv, const char *text, char *why, size_t why_len)
{
	struct trace_probe_desc desc;
	struct trace_probe *p;
	char path[PATH_MAX];
	uint64_t offset = 0;
	int slot, err;

	slot = trace_free_slot(priv);
	if (slot < 0) {
		snprintf(why, why_len, "too many probes (at most %d)", TRACE_PROBES_MAX);
		return -ENOSPC;
	}
	err = trace_ring_open(priv, why, why_len);
	if (err)
		return err;
	p = xcalloc(1, sizeof(*p));
	p->slot = (uint32_t)slot;
	err = trace_spec_parse(text, &p->spec, why, why_len);
	if (err)
		goto out_free;
	err = trace_probe_resolve(p, priv->next_id, path, sizeof(path), &offset, &desc, why,
				  why_len);
	if (err)
		goto out_free;
	err = trace_slot_reset(priv, p->slot, &desc);
	if (err) {
		snprintf(why, why_len, "store the probe's description: %s", strerror(-err));
		goto out_free;
	}
	err = trace_probe_attach(priv, p, path, offset, why, why_len);
	if (err)
		goto out_clear;
	p->info.id = priv->next_id++;
	p->info.type = p->spec.type;
	p->info.attached = true;
	escape_cstr(p->info.spec, sizeof(p->info.spec), text, strlen(text));
	priv->slots[slot] = p;
	priv->nprobes++;
	return (int)p->info.id;

out_clear:
	trace_slot_reset(priv, p->slot, NULL);
out_free:
	free(p);
	return err;
}

/* Detach and free a probe; its slot is free again. */
static void trace_probe_free(struct trace_priv *priv, struct trace_probe *p)
{
	bpf_link__destroy(p->link);
	if (priv->skel)
		trace_slot_reset(priv, p->slot, NULL);
	priv->slots[p->slot] = NULL;
	priv->nprobes--;
	free(p);
}

/* Detach and free everything; c->why is kept, so a failed open() can still say why. */
static void trace_close(struct collector *c)
{
	struct trace_priv *priv = collector_closing(c);

	if (!priv)
		return;
	ring_buffer__free(priv->rb);
	for (size_t s = 0; s < TRACE_PROBES_MAX; s++)
		if (priv->slots[s])
			trace_probe_free(priv, priv->slots[s]);
	vfs_stat_close(&priv->vfs);
	trace_bpf__destroy(priv->skel);
	trace_ring_clear(priv);
	free(priv->pcpu);
	free(priv);
	c->priv = NULL;
}

/* Load the programs, add the --trace probes, attach the VFS counters in batch mode. */
static int trace_open(struct collector *c, const struct ktop_config *cfg)
{
	uint32_t string_limit = TRACE_STRING_DEFAULT;
	char why[COLLECTOR_WHY_LEN];
	struct trace_priv *priv;
	bool use_btf;
	int err;

	if (c->priv)
		trace_close(c);
	c->why[0] = '\0';
	c->mode[0] = '\0';
	priv = xcalloc(1, sizeof(*priv));
	c->priv = priv;
	priv->next_id = 1;
	priv->batch = cfg && cfg->batch;
	if (cfg && cfg->string_limit)
		string_limit =
			cfg->string_limit < TRACE_STRING_MAX ? cfg->string_limit : TRACE_STRING_MAX;
	priv->ncpus = bpf_common_ncpus("trace", c->why, sizeof(c->why));
	if (priv->ncpus < 0) {
		err = priv->ncpus;
		goto out_close;
	}
	priv->pcpu = xcalloc((size_t)priv->ncpus, sizeof(*priv->pcpu));
	use_btf = trace_has_tp_btf() && !getenv(TRACE_FORCE_RAW);
	err = trace_load(priv, use_btf, string_limit, c->why, sizeof(c->why));
	if (err && use_btf && err != -EPERM && err != -EACCES) {
		/* tp_btf can still be refused where raw_tp works. */
		trace_bpf__destroy(priv->skel);
		use_btf = false;
		err = trace_load(priv, use_btf, string_limit, c->why, sizeof(c->why));
	}
	if (err)
		goto out_close;
	vfs_stat_init(&priv->vfs, priv->skel, use_btf, priv->ncpus, &priv->model);
	for (size_t i = 0; cfg && i < cfg->ntrace_specs && i < TRACE_SPECS_MAX; i++) {
		char shown[128];

		err = trace_probe_add(priv, cfg->trace_specs[i], why, sizeof(why));
		if (err < 0) {
			escape_cstr(shown, sizeof(shown), cfg->trace_specs[i],
				    strlen(cfg->trace_specs[i]));
			snprintf(c->why, sizeof(c->why), "--trace '%s': %s", shown, why);
			goto out_close;
		}
	}
	vfs_stat_set_active(&priv->vfs, priv->batch, &priv->model);
	priv->last_poll = clock_seconds(CLOCK_MONOTONIC);
	priv->model.interval_s = cfg && cfg->delay_s > 0 ? cfg->delay_s : 1.0;
	trace_drops_update(c);
	snprintf(c->mode, sizeof(c->mode), "probes, VFS %s", use_btf ? "tp_btf" : "raw_tp");
	c->is_open = true;
	return 0;

out_close:
	return collector_open_failed(c, err < 0 ? err : -EINVAL);
}

/* Whether the collector is open; says why not in c->why otherwise. */
static bool trace_is_ready(struct collector *c)
{
	struct trace_priv *priv = c->priv;

	if (priv && priv->skel)
		return true;
	collector_not_open(c);
	return false;
}

/* Take the waiting events, count losses, and turn the VFS counters into this interval's rates. */
static int trace_poll(struct collector *c)
{
	struct trace_priv *priv = c->priv;
	struct trace_model *m;
	double now, interval;
	int err;

	if (!trace_is_ready(c))
		return -EBADF;
	m = &priv->model;
	err = trace_consume(priv, c->why, sizeof(c->why));
	if (err)
		return err;
	trace_drops_update(c);
	now = clock_seconds(CLOCK_MONOTONIC);
	interval = now - priv->last_poll;
	priv->last_poll = now;
	if (interval > 0)
		m->interval_s = interval;
	vfs_stat_poll(&priv->vfs, m);
	for (size_t s = 0; s < TRACE_PROBES_MAX; s++) {
		struct trace_probe *p = priv->slots[s];

		if (!p)
			continue;
		p->info.interval_events = p->interval;
		p->interval = 0;
	}
	m->polls++;
	c->why[0] = '\0';
	return 0;
}

/* The ring buffer's epoll fd: readable once many events wait (they are also read each poll). */
static int trace_event_fd(struct collector *c)
{
	struct trace_priv *priv = c->priv;

	return priv && priv->rb ? ring_buffer__epoll_fd(priv->rb) : -1;
}

/* Take the waiting events without blocking. */
static int trace_events(struct collector *c)
{
	if (!trace_is_ready(c))
		return -EBADF;
	return trace_consume(c->priv, c->why, sizeof(c->why));
}

/* Add a probe typed by the user; its id, or -errno with the reason in c->why. */
static int trace_add(struct collector *c, const char *spec)
{
	int id;

	if (!trace_is_ready(c))
		return -EBADF;
	id = trace_probe_add(c->priv, spec, c->why, sizeof(c->why));
	if (id > 0)
		c->why[0] = '\0';
	return id;
}

/* Remove probe #id: detached at once, its events already kept stay. */
static int trace_remove(struct collector *c, uint32_t id)
{
	struct trace_priv *priv = c->priv;

	if (!trace_is_ready(c))
		return -EBADF;
	for (size_t s = 0; s < TRACE_PROBES_MAX; s++) {
		if (priv->slots[s] && priv->slots[s]->info.id == id) {
			trace_probe_free(priv, priv->slots[s]);
			c->why[0] = '\0';
			return 0;
		}
	}
	snprintf(c->why, sizeof(c->why), "no probe #%u", id);
	return -ENOENT;
}

/* The VFS counters follow the panel's visibility (they cost every syscall something). */
static void trace_set_visible(struct collector *c, bool visible)
{
	struct trace_priv *priv = c->priv;

	if (!priv || !priv->skel)
		return;
	priv->visible = visible;
	vfs_stat_set_active(&priv->vfs, priv->batch || visible, &priv->model);
}

/* Apply the PID set, in the kernel, to the probes and the VFS counters alike, live. */
static int trace_configure(struct collector *c, const struct filter *f, unsigned int changed)
{
	struct trace_priv *priv = c->priv;
	int err;

	if (!trace_is_ready(c))
		return -EBADF;
	if (!(changed & (FILTER_PIDS | FILTER_CGROUP)))
		return 0;
	if (changed & FILTER_CGROUP) {
		pid_filter_cgroup(&priv->skel->bss->cgroup_sel, &f->cgroup);
		collector_set_cgroup(c, &f->cgroup, true);
	}
	err = pid_filter_apply(&priv->pids, f->pids, f->npids, c->why, sizeof(c->why));
	if (err)
		return err;
	/* The interval's VFS counts start again under the new filter. */
	vfs_stat_rebase(&priv->vfs);
	return 0;
}

/* Start the event list and the counts again from now; the probes stay. */
static void trace_reset(struct collector *c)
{
	struct trace_priv *priv = c->priv;

	if (!priv || !priv->skel)
		return;
	trace_drops_update(c);
	priv->lost_base = priv->counters[TRACE_DROP_LOST];
	priv->model.lost = 0;
	trace_ring_clear(priv);
	for (size_t s = 0; s < TRACE_PROBES_MAX; s++) {
		struct trace_probe *p = priv->slots[s];

		if (!p)
			continue;
		p->info.events = 0;
		p->info.interval_events = 0;
		p->interval = 0;
		p->lost_base = p->lost;
		p->info.lost = 0;
	}
}

/* A copy of the model for the caller: probes by id, events oldest first. */
static void *trace_snapshot(const struct collector *c)
{
	const struct trace_priv *priv = c->priv;
	struct trace_model *m;
	size_t start;

	if (!priv)
		return NULL;
	m = xmalloc(sizeof(*m));
	*m = priv->model;
	m->probes = NULL;
	m->events = NULL;
	m->nprobes = 0;
	m->nevents = 0;
	if (priv->nprobes) {
		m->probes = xreallocarray(NULL, priv->nprobes, sizeof(*m->probes));
		for (size_t s = 0; s < TRACE_PROBES_MAX; s++) {
			size_t k;

			if (!priv->slots[s])
				continue;
			/* Insert in id order. */
			for (k = m->nprobes; k > 0 && m->probes[k - 1].id > priv->slots[s]->info.id;
			     k--)
				m->probes[k] = m->probes[k - 1];
			m->probes[k] = priv->slots[s]->info;
			m->nprobes++;
		}
	}
	if (priv->ring_n) {
		m->events = xreallocarray(NULL, priv->ring_n, sizeof(*m->events));
		start = (priv->ring_head + TRACE_EVENTS_MAX - priv->ring_n) % TRACE_EVENTS_MAX;
		for (size_t i = 0; i < priv->ring_n; i++) {
			const struct trace_event *e = &priv->ring[(start + i) % TRACE_EVENTS_MAX];

			m->events[i] = *e;
			m->events[i].message = xstrdup(e->message ? e->message : "");
		}
		m->nevents = priv->ring_n;
	}
	return m;
}

COLLECTOR_MODEL_FREE(trace)

const struct collector_ops trace_collector_ops = {
	.name = "trace",
	.open = trace_open,
	.poll = trace_poll,
	.configure = trace_configure,
	.reset = trace_reset,
	.snapshot = trace_snapshot,
	.model_free = trace_model_release,
	.event_fd = trace_event_fd,
	.events = trace_events,
	.add = trace_add,
	.remove = trace_remove,
	.set_visible = trace_set_visible,
	.close = trace_close,
};
