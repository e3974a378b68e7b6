// SPDX-License-Identifier: GPL-2.0
#include "collectors/sched_codec.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/codec_fields.h"
#include "util/xalloc.h"

#define SCHED_FLAG_FILTERED 1u
#define ROW_FLAG_KTHREAD    1u
#define ROW_FLAG_SELF	    2u
#define GROUP_FLAG_THROTTLE 1u
#define GROUP_FLAG_V1	    2u
#define PSI_FLAG_CPU	    1u
#define PSI_FLAG_IO	    2u
#define PSI_FLAG_MEM	    4u

/* A row is at least 4 varints, its state, flags, 3 empty fields and the classes. */
#define ROW_MIN_BYTES	(4 + 1 + 1 + 3 + SCHED_NCLASSES)
#define GROUP_MIN_BYTES (1 + 3 + 1 + 5 * 8)
#define VALUE_MAX	1e15 /* a figure beyond this is damage */
#define FRACTION_MAX	4.0  /* a CPU's share of its time, with room for rounding */

static void put_psi(struct codec_out *out, const struct sched_psi *psi)
{
	codec_put_varint(out, (psi->has_cpu ? PSI_FLAG_CPU : 0) | (psi->has_io ? PSI_FLAG_IO : 0) |
				      (psi->has_mem ? PSI_FLAG_MEM : 0));
	codec_put_double(out, psi->cpu_some);
	codec_put_double(out, psi->io_some);
	codec_put_double(out, psi->io_full);
	codec_put_double(out, psi->mem_some);
	codec_put_double(out, psi->mem_full);
}

static void put_system(struct codec_out *out, const struct sched_system *s)
{
	codec_put_varint(out, (uint64_t)(s->ncpus > 0 ? s->ncpus : 0));
	for (int i = 0; i < s->ncpus && i < SCHED_MAX_CPUS; i++) {
		codec_put_double(out, s->cpus[i].user);
		codec_put_double(out, s->cpus[i].system);
		codec_put_double(out, s->cpus[i].irq);
		codec_put_double(out, s->cpus[i].steal);
	}
	for (int i = 0; i < 3; i++)
		codec_put_double(out, s->load[i]);
	codec_put_varint(out, s->mem_total_kb);
	codec_put_varint(out, s->mem_avail_kb);
	codec_put_varint(out, s->swap_total_kb);
	codec_put_varint(out, s->swap_free_kb);
	codec_put_hist(out, &s->runq);
	put_psi(out, &s->psi);
	codec_put_varint(out, s->ndisks);
	for (size_t i = 0; i < s->ndisks; i++) {
		codec_put_field(out, s->disks[i].name, sizeof(s->disks[i].name));
		codec_put_double(out, s->disks[i].util);
		codec_put_double(out, s->disks[i].iops);
		codec_put_double(out, s->disks[i].avg_ms);
	}
	codec_put_varint(out, s->switches_repaired);
}

static void put_rows(struct codec_out *out, const struct sched_row *rows, size_t n)
{
	codec_put_varint(out, n);
	for (size_t i = 0; i < n; i++) {
		const struct sched_row *r = &rows[i];

		codec_put_varint(out, r->pid);
		codec_put_varint(out, r->tid);
		codec_put_varint(out, r->uid);
		codec_put_varint(out, r->threads);
		codec_put_bytes(out, &r->state, 1);
		codec_put_varint(out, (r->kthread ? ROW_FLAG_KTHREAD : 0) |
					      (r->self ? ROW_FLAG_SELF : 0));
		codec_put_field(out, r->user, sizeof(r->user));
		codec_put_field(out, r->comm, sizeof(r->comm));
		codec_put_field(out, r->cgroup, sizeof(r->cgroup));
		for (int c = 0; c < SCHED_NCLASSES; c++)
			codec_put_varint(out, r->ns[c]);
	}
}

void sched_model_encode(const struct sched_model *m, struct codec_out *out)
{
	codec_put_varint(out, SCHED_CODEC_VERSION);
	codec_put_varint(out, m->filtered ? SCHED_FLAG_FILTERED : 0);
	codec_put_double(out, m->interval_s);
	codec_put_varint(out, m->polls);
	put_system(out, &m->sys);
	/* the process rows are the threads' added up: the reader sums them again */
	put_rows(out, m->threads, m->nthreads);
	codec_put_varint(out, m->ngroups);
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct sched_group *g = &m->groups[i];

		codec_put_field(out, g->cgroup, sizeof(g->cgroup));
		codec_put_varint(out, (g->has_throttle ? GROUP_FLAG_THROTTLE : 0) |
					      (g->v1 ? GROUP_FLAG_V1 : 0));
		codec_put_varint(out, g->nr_throttled);
		codec_put_varint(out, g->throttled_us);
		put_psi(out, &g->psi);
	}
}

/* A figure within lo..hi; the cursor turns bad on anything else (NaN, infinities). */
static double get_value(struct codec_in *in, double lo, double hi)
{
	double v = codec_get_double(in);

	if (!isfinite(v) || v < lo || v > hi) {
		in->bad = true;
		return 0;
	}
	return v;
}

static void get_psi(struct codec_in *in, struct sched_psi *psi)
{
	uint64_t flags = codec_get_varint(in);

	psi->has_cpu = flags & PSI_FLAG_CPU;
	psi->has_io = flags & PSI_FLAG_IO;
	psi->has_mem = flags & PSI_FLAG_MEM;
	psi->cpu_some = get_value(in, 0, VALUE_MAX);
	psi->io_some = get_value(in, 0, VALUE_MAX);
	psi->io_full = get_value(in, 0, VALUE_MAX);
	psi->mem_some = get_value(in, 0, VALUE_MAX);
	psi->mem_full = get_value(in, 0, VALUE_MAX);
}

static void get_system(struct codec_in *in, struct sched_system *s)
{
	uint64_t ncpus = codec_get_varint(in), ndisks;

	if (ncpus > SCHED_MAX_CPUS) {
		in->bad = true;
		return;
	}
	s->ncpus = (int)ncpus;
	for (int i = 0; i < s->ncpus; i++) {
		s->cpus[i].user = get_value(in, 0, FRACTION_MAX);
		s->cpus[i].system = get_value(in, 0, FRACTION_MAX);
		s->cpus[i].irq = get_value(in, 0, FRACTION_MAX);
		s->cpus[i].steal = get_value(in, 0, FRACTION_MAX);
	}
	for (int i = 0; i < 3; i++)
		s->load[i] = get_value(in, 0, VALUE_MAX);
	s->mem_total_kb = codec_get_varint(in);
	s->mem_avail_kb = codec_get_varint(in);
	s->swap_total_kb = codec_get_varint(in);
	s->swap_free_kb = codec_get_varint(in);
	codec_get_hist(in, &s->runq);
	get_psi(in, &s->psi);
	ndisks = codec_get_varint(in);
	if (ndisks > SCHED_MAX_DISKS) {
		in->bad = true;
		return;
	}
	s->ndisks = ndisks;
	for (size_t i = 0; i < s->ndisks; i++) {
		codec_get_field(in, s->disks[i].name, sizeof(s->disks[i].name));
		s->disks[i].util = get_value(in, 0, VALUE_MAX);
		s->disks[i].iops = get_value(in, 0, VALUE_MAX);
		s->disks[i].avg_ms = get_value(in, 0, VALUE_MAX);
	}
	s->switches_repaired = codec_get_varint(in);
}

/* The rows into *rows (owned), n of them. */
static void get_rows(struct codec_in *in, struct sched_row **rows, size_t *n)
{
	*n = codec_get_count(in, ROW_MIN_BYTES, SIZE_MAX);
	*rows = *n ? xcalloc(*n, sizeof(**rows)) : NULL;
	for (size_t i = 0; i < *n && !in->bad; i++) {
		struct sched_row *r = &(*rows)[i];
		uint64_t flags;

		r->pid = codec_get_u32(in);
		r->tid = codec_get_u32(in);
		r->uid = codec_get_u32(in);
		r->threads = codec_get_u32(in);
		r->state = (char)codec_get_u8(in);
		/* the state is drawn and sorted as a letter: anything else is damage */
		if (r->state < 'A' || r->state > 'Z' || r->tid == 0)
			in->bad = true;
		flags = codec_get_varint(in);
		r->kthread = flags & ROW_FLAG_KTHREAD;
		r->self = flags & ROW_FLAG_SELF;
		codec_get_field(in, r->user, sizeof(r->user));
		codec_get_field(in, r->comm, sizeof(r->comm));
		codec_get_field(in, r->cgroup, sizeof(r->cgroup));
		for (int c = 0; c < SCHED_NCLASSES; c++)
			r->ns[c] = codec_get_varint(in);
	}
}

/* Order groups by name, as sched_model_group looks them up. */
static int group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sched_group *)a)->cgroup,
		      ((const struct sched_group *)b)->cgroup);
}

int sched_model_decode(const void *data, size_t len, struct sched_model **out, char *why,
		       size_t why_len)
{
	struct sched_model *m = xcalloc(1, sizeof(*m));
	struct codec_in in;
	uint64_t version;

	*out = NULL;
	if (codec_in_begin(&in, data, len, SCHED_CODEC_VERSION, "overview", &version, why,
			   why_len)) {
		sched_model_free(m);
		return -EPROTO;
	}
	m->filtered = codec_get_varint(&in) & SCHED_FLAG_FILTERED;
	m->interval_s = get_value(&in, 0, 1e7);
	/* a per-second figure over a shorter interval would be damage, not a measurement */
	if (m->interval_s > 0 && m->interval_s < 1e-3)
		in.bad = true;
	m->polls = codec_get_varint(&in);
	get_system(&in, &m->sys);
	if (!in.bad)
		get_rows(&in, &m->threads, &m->nthreads);
	if (!in.bad) {
		m->ngroups = codec_get_count(&in, GROUP_MIN_BYTES, SIZE_MAX);
		m->groups = m->ngroups ? xcalloc(m->ngroups, sizeof(*m->groups)) : NULL;
	}
	for (size_t i = 0; i < m->ngroups && !in.bad; i++) {
		struct sched_group *g = &m->groups[i];
		uint64_t flags;

		codec_get_field(&in, g->cgroup, sizeof(g->cgroup));
		flags = codec_get_varint(&in);
		g->has_throttle = flags & GROUP_FLAG_THROTTLE;
		g->v1 = flags & GROUP_FLAG_V1;
		g->nr_throttled = codec_get_varint(&in);
		g->throttled_us = codec_get_varint(&in);
		get_psi(&in, &g->psi);
	}
	if (in.bad || version == 0) {
		snprintf(why, why_len, "overview model: damaged at byte %zu", in.pos);
		sched_model_free(m);
		return -EBADMSG;
	}
	if (codec_in_left(&in)) {
		snprintf(why, why_len, "overview model: %zu bytes left over at byte %zu",
			 codec_in_left(&in), in.pos);
		sched_model_free(m);
		return -EBADMSG;
	}
	if (m->ngroups > 1)
		qsort(m->groups, m->ngroups, sizeof(*m->groups), group_cmp);
	/* as the collector leaves them: processes summed from their threads, busiest first */
	sched_model_build_procs(m);
	/* now by process and thread: a thread listed twice is damage */
	for (size_t i = 1; i < m->nthreads; i++) {
		if (m->threads[i].pid == m->threads[i - 1].pid &&
		    m->threads[i].tid == m->threads[i - 1].tid) {
			snprintf(why, why_len, "overview model: thread %u of %u listed twice",
				 m->threads[i].tid, m->threads[i].pid);
			sched_model_free(m);
			return -EBADMSG;
		}
	}
	sched_rows_sort(m->procs, m->nprocs, SCHED_NCLASSES);
	sched_rows_sort(m->threads, m->nthreads, SCHED_NCLASSES);
	*out = m;
	return 0;
}
