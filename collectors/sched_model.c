// SPDX-License-Identifier: GPL-2.0
#include "collectors/sched_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Thresholds of the verdict line. */
#define VERDICT_CPU_BUSY     0.90 /* CPUs this busy ... */
#define VERDICT_RUNQ_P99_US  2000 /* ... with a run-queue p99 this long, */
#define VERDICT_CPU_PSI	     20.0 /* or cpu pressure this high: CPU saturated */
#define VERDICT_IO_PSI	     20.0 /* io pressure: I/O bound */
#define VERDICT_IO_THREADS   1.0  /* or this many threads in D-state on average, */
#define VERDICT_IO_SHARE     0.5  /* making this much of all non-idle time */
#define VERDICT_MEM_PSI	     10.0 /* memory pressure */
#define VERDICT_LOCK_SHARE   0.5  /* lock waits of the busiest processes */
#define VERDICT_LOCK_THREADS 1.0
#define VERDICT_TOP	     5 /* processes looked at for lock contention */

static const char *const class_names[SCHED_NCLASSES] = {
	"cpu", "runq", "io", "lock", "net", "sleep", "poll", "other",
};

const char *sched_class_name(int cls)
{
	return cls >= 0 && cls < SCHED_NCLASSES ? class_names[cls] : "busy";
}

uint64_t sched_row_busy_ns(const struct sched_row *r)
{
	return r->ns[SCHED_TIME_CPU] + r->ns[SCHED_TIME_RUNQ] + r->ns[SCHED_TIME_IO] +
	       r->ns[SCHED_TIME_LOCK];
}

double sched_system_cpu_busy(const struct sched_system *s)
{
	double sum = 0;

	for (int i = 0; i < s->ncpus; i++)
		sum += s->cpus[i].user + s->cpus[i].system + s->cpus[i].irq + s->cpus[i].steal;
	return s->ncpus ? sum / s->ncpus : 0;
}

/* Append formatted text to buf. */
static void append(char *buf, size_t len, const char *fmt, const char *a, double x)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, fmt, a, x);
}

/* The busiest process by lock time among the top ones, with its lock share; NULL: none. */
static const struct sched_row *lock_bound(const struct sched_model *m, double *share)
{
	const struct sched_row *best = NULL;
	uint64_t lock = 0, busy = 0;

	for (size_t i = 0; i < m->nprocs && i < VERDICT_TOP; i++) {
		const struct sched_row *r = &m->procs[i];

		lock += r->ns[SCHED_TIME_LOCK];
		busy += sched_row_busy_ns(r);
		if (!best || r->ns[SCHED_TIME_LOCK] > best->ns[SCHED_TIME_LOCK])
			best = r;
	}
	if (!best || !busy || m->interval_s <= 0)
		return NULL;
	if ((double)lock / (double)busy < VERDICT_LOCK_SHARE ||
	    (double)lock / 1e9 / m->interval_s < VERDICT_LOCK_THREADS)
		return NULL;
	busy = sched_row_busy_ns(best) + best->ns[SCHED_TIME_NET] + best->ns[SCHED_TIME_SLEEP] +
	       best->ns[SCHED_TIME_POLL] + best->ns[SCHED_TIME_OTHER];
	*share = busy ? (double)best->ns[SCHED_TIME_LOCK] / (double)busy : 0;
	return best;
}

void sched_model_verdict(const struct sched_model *m, char *buf, size_t len)
{
	const struct sched_system *s = &m->sys;
	double busy = sched_system_cpu_busy(s);
	double p99 = hist_percentile(&s->runq, 99);
	uint64_t io = 0, all = 0;
	const struct sched_row *lk;
	double share = 0;
	size_t n;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < m->nprocs; i++) {
		io += m->procs[i].ns[SCHED_TIME_IO];
		all += sched_row_busy_ns(&m->procs[i]);
	}
	if ((busy >= VERDICT_CPU_BUSY && p99 >= VERDICT_RUNQ_P99_US) ||
	    (s->psi.has_cpu && s->psi.cpu_some >= VERDICT_CPU_PSI && busy >= VERDICT_CPU_BUSY)) {
		append(buf, len, "%sCPU saturated: CPUs %.0f%% busy", "", busy * 100);
		if (p99 >= 0)
			append(buf, len, "%s, run-queue p99 %.1f ms", "", p99 / 1000);
		if (s->psi.has_cpu)
			append(buf, len, "%s, cpu pressure %.0f%%", "", s->psi.cpu_some);
	}
	if ((s->psi.has_io && s->psi.io_some >= VERDICT_IO_PSI) ||
	    (m->interval_s > 0 && (double)io / 1e9 / m->interval_s >= VERDICT_IO_THREADS && all &&
	     (double)io / (double)all >= VERDICT_IO_SHARE)) {
		append(buf, len, "%sI/O bound: D-state %.2f threads", buf[0] ? "; " : "",
		       m->interval_s > 0 ? (double)io / 1e9 / m->interval_s : 0);
		if (s->psi.has_io)
			append(buf, len, "%s, io pressure %.0f%%", "", s->psi.io_some);
		if (s->ndisks)
			append(buf, len, ", %s util %.0f%%", s->disks[0].name,
			       s->disks[0].util * 100);
	}
	if (s->psi.has_mem && s->psi.mem_some >= VERDICT_MEM_PSI)
		append(buf, len, "%smemory pressure %.0f%%", buf[0] ? "; " : "", s->psi.mem_some);
	lk = lock_bound(m, &share);
	if (lk) {
		append(buf, len, "%slock contention: ", buf[0] ? "; " : "", 0);
		n = strlen(buf);
		if (n < len)
			snprintf(buf + n, len - n, "%s (%u) waits on locks %.0f%% of its time",
				 lk->comm, lk->pid, share * 100);
	}
	if (buf[0])
		return;
	snprintf(buf, len, "nothing stands out: CPUs %.0f%% busy", busy * 100);
	if (p99 >= 0)
		append(buf, len, "%s, run-queue p99 %.1f ms", "", p99 / 1000);
	if (s->psi.has_cpu || s->psi.has_io)
		append(buf, len, "%s, pressure cpu %.0f%%", "", s->psi.cpu_some);
	if (s->psi.has_io)
		append(buf, len, "%s io %.0f%%", "", s->psi.io_some);
}

/* Larger first by the sort class (*arg), then by PID and TID. */
static int row_cmp(const void *a, const void *b, void *arg)
{
	const struct sched_row *x = a, *y = b;
	int sort_cls = *(const int *)arg;
	uint64_t vx = sort_cls < SCHED_NCLASSES ? x->ns[sort_cls] : sched_row_busy_ns(x);
	uint64_t vy = sort_cls < SCHED_NCLASSES ? y->ns[sort_cls] : sched_row_busy_ns(y);

	if (vx != vy)
		return vx > vy ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

void sched_rows_sort(struct sched_row *rows, size_t n, int cls)
{
	if (n > 1)
		qsort_r(rows, n, sizeof(*rows), row_cmp, &cls);
}

/* Which state letter says more: R over D over S over X. */
static int state_rank(char s)
{
	return s == 'R' ? 3 : s == 'D' ? 2 : s == 'S' ? 1 : 0;
}

/* Order thread rows by process, its main thread first, then by TID. */
static int row_pid_cmp(const void *a, const void *b)
{
	const struct sched_row *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if ((x->tid == x->pid) != (y->tid == y->pid))
		return x->tid == x->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

void sched_model_build_procs(struct sched_model *m)
{
	size_t i = 0;

	if (m->nthreads > 1)
		qsort(m->threads, m->nthreads, sizeof(*m->threads), row_pid_cmp);
	free(m->procs);
	m->procs = m->nthreads ? xreallocarray(NULL, m->nthreads, sizeof(*m->procs)) : NULL;
	m->nprocs = 0;
	while (i < m->nthreads) {
		struct sched_row *p = &m->procs[m->nprocs++];

		*p = m->threads[i];
		p->tid = 0;
		p->threads = 0;
		memset(p->ns, 0, sizeof(p->ns));
		for (; i < m->nthreads && m->threads[i].pid == p->pid; i++) {
			const struct sched_row *t = &m->threads[i];

			for (int c = 0; c < SCHED_NCLASSES; c++)
				p->ns[c] += t->ns[c];
			if (t->state != 'X')
				p->threads++;
			if (state_rank(t->state) > state_rank(p->state))
				p->state = t->state;
		}
	}
}

/* A copy of n rows, or NULL when there are none. */
static struct sched_row *rows_dup(const struct sched_row *rows, size_t n)
{
	struct sched_row *c;

	if (!n)
		return NULL;
	c = xreallocarray(NULL, n, sizeof(*c));
	memcpy(c, rows, n * sizeof(*c));
	return c;
}

/* Order groups by name (for bsearch). */
static int group_name_cmp(const void *key, const void *g)
{
	return strcmp(key, ((const struct sched_group *)g)->cgroup);
}

const struct sched_group *sched_model_group(const struct sched_model *m, const char *cgroup)
{
	if (!m->ngroups)
		return NULL;
	return bsearch(cgroup, m->groups, m->ngroups, sizeof(*m->groups), group_name_cmp);
}

struct sched_model *sched_model_dup(const struct sched_model *m)
{
	struct sched_model *c;

	if (!m)
		return NULL;
	c = xmalloc(sizeof(*c));
	*c = *m;
	c->procs = rows_dup(m->procs, m->nprocs);
	c->threads = rows_dup(m->threads, m->nthreads);
	c->groups = NULL;
	if (m->ngroups) {
		c->groups = xreallocarray(NULL, m->ngroups, sizeof(*c->groups));
		memcpy(c->groups, m->groups, m->ngroups * sizeof(*c->groups));
	}
	return c;
}

void sched_model_clear(struct sched_model *m)
{
	free(m->procs);
	free(m->threads);
	free(m->groups);
	m->procs = m->threads = NULL;
	m->groups = NULL;
	m->nprocs = m->nthreads = m->ngroups = 0;
}

void sched_model_free(struct sched_model *m)
{
	if (!m)
		return;
	sched_model_clear(m);
	free(m);
}
