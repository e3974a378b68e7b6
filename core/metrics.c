// SPDX-License-Identifier: GPL-2.0
#include "core/metrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/bio.h"
#include "collectors/bio_model.h"
#include "collectors/offcpu.h"
#include "collectors/offcpu_model.h"
#include "collectors/sched.h"
#include "collectors/sched_model.h"
#include "collectors/sql.h"
#include "collectors/sql_model.h"
#include "collectors/trace.h"
#include "collectors/trace_model.h"
#include "util/hash.h"
#include "util/htab.h"
#include "util/xalloc.h"

#define OTHER "[other]"

/* A counter followed from a source that may start again from zero (a reset, a re-added probe). */
struct followed {
	uint64_t last;
	uint64_t total;
};

/* One process's time since start. */
struct mproc {
	uint32_t pid;
	char comm[SCHED_NAME_LEN];
	uint64_t ns[SCHED_NCLASSES]; /* Overview: time per class */
	uint64_t offcpu_us;	     /* Off-CPU: time blocked */
	double seen_s;		     /* when it last had time */
};

struct mdisk {
	char name[32];
	struct bio_stats op[BIO_OP_COUNT];
};

/* Slow queries of one server. */
struct mserver {
	uint32_t pid;
	enum sql_kind kind;
	struct hist lat_us;
	uint64_t count;
	uint64_t total_us;
};

/* Slow queries of one fingerprint in one server. */
struct mfinger {
	uint32_t server;
	enum sql_kind kind;
	char text[METRICS_FINGERPRINT_LEN + 4];
	uint64_t rank_us; /* all its time, to rank it */
	bool labeled;	  /* has series of its own: counts from then on */
	bool other;	  /* the server's "[other]" */
	uint64_t count;
	uint64_t total_us;
};

struct mprobe {
	uint32_t id;
	char spec[128];
	struct followed events;
	struct followed lost;
};

/* A published exposition, shared by the scrapes that send it. */
struct metrics_text {
	atomic_uint refs;
	size_t len;
	char *data;
};

struct metrics {
	uint64_t intervals[METRICS_MAX_COLLECTORS];
	struct followed drops[METRICS_MAX_COLLECTORS][COLLECTOR_MAX_DROPS];
	const char *drop_names[METRICS_MAX_COLLECTORS][COLLECTOR_MAX_DROPS];
	struct htab procs; /* struct mproc by pid */
	struct mproc other_proc;
	uint64_t procs_folded; /* processes whose figures went under "[other]" */
	struct mdisk disks[METRICS_MAX_DISKS];
	size_t ndisks;
	struct hist runq_us;
	struct mserver *servers;
	size_t nservers;
	struct mfinger *fingers;
	size_t nfingers;
	size_t nlabeled;
	struct mprobe probes[METRICS_MAX_PROBES];
	size_t nprobes;
	struct followed trace_lost;
	uint64_t vfs[TRACE_VFS_COUNT];
	uint64_t sql_missed;	   /* slow queries gone from the list before they were counted */
	uint64_t probes_missed;	   /* probes past METRICS_MAX_PROBES, not followed */
	pthread_mutex_t lock;	   /* guards text, the published exposition */
	struct metrics_text *text; /* one reference is the published one */
};

struct metrics *metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));

	htab_init(&m->procs, sizeof(struct mproc), _Alignof(struct mproc));
	snprintf(m->other_proc.comm, sizeof(m->other_proc.comm), OTHER);
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	htab_fini(&m->procs);
	free(m->servers);
	free(m->fingers);
	pthread_mutex_destroy(&m->lock);
	metrics_text_put(m->text);
	free(m);
}

/* Add what the source counts now beyond its last reading; a smaller reading started again. */
static void follow(struct followed *f, uint64_t now)
{
	f->total += now >= f->last ? now - f->last : now;
	f->last = now;
}

static bool proc_eq(const void *entry, const void *key)
{
	return ((const struct mproc *)entry)->pid == *(const uint32_t *)key;
}

/* Fold processes quiet for METRICS_PROC_IDLE_S into "[other]"; how many went. */
static size_t procs_evict(struct metrics *m, double now)
{
	uint32_t *gone = xreallocarray(NULL, htab_len(&m->procs) + 1, sizeof(*gone));
	size_t n = 0, pos = 0;
	struct mproc *p;

	while ((p = htab_next(&m->procs, &pos))) {
		if (now - p->seen_s < METRICS_PROC_IDLE_S)
			continue;
		for (int k = 0; k < SCHED_NCLASSES; k++)
			m->other_proc.ns[k] += p->ns[k];
		m->other_proc.offcpu_us += p->offcpu_us;
		gone[n++] = p->pid;
	}
	for (size_t i = 0; i < n; i++)
		htab_delete(&m->procs, hash_mix64(gone[i]), &gone[i], proc_eq);
	m->procs_folded += n;
	free(gone);
	return n;
}

/* The process's entry, added when there is room (else "[other]"); its name kept current. */
static struct mproc *proc_get(struct metrics *m, uint32_t pid, const char *comm, double now)
{
	uint64_t h = hash_mix64(pid);
	struct mproc *p = htab_find(&m->procs, h, &pid, proc_eq);
	bool added;

	if (!p && htab_len(&m->procs) >= METRICS_MAX_PROCS && !procs_evict(m, now)) {
		m->procs_folded++;
		return &m->other_proc;
	}
	if (!p) {
		p = htab_insert(&m->procs, h, &pid, proc_eq, &added);
		p->pid = pid;
	}
	if (strcmp(p->comm, comm))
		snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->seen_s = now;
	return p;
}

/* Overview: each process's time per class and the run-queue latency histogram. */
static void feed_sched(struct metrics *m, const struct sched_model *sm, double now)
{
	struct hist runq = sm->sys.runq;

	/* the kernel keeps slots only: the sum is estimated from each slot's middle */
	if (!runq.sum)
		for (unsigned int k = 0; k < HIST_SLOTS; k++)
			runq.sum += runq.slots[k] * ((hist_slot_low(k) + hist_slot_high(k)) / 2);
	hist_add(&m->runq_us, &runq);
	for (size_t i = 0; i < sm->nprocs; i++) {
		const struct sched_row *r = &sm->procs[i];
		struct mproc *p;
		bool any = false;

		for (int k = 0; k < SCHED_NCLASSES; k++)
			any |= r->ns[k] != 0;
		if (!any)
			continue;
		p = proc_get(m, r->pid, r->comm, now);
		for (int k = 0; k < SCHED_NCLASSES; k++)
			p->ns[k] += r->ns[k];
	}
}

/* Off-CPU: the interval's blocked time by process. */
static void feed_offcpu(struct metrics *m, const struct offcpu_model *om, double now)
{
	for (size_t i = 0; i < om->interval.nsamples; i++) {
		const struct stack_sample *s = &om->interval.samples[i];

		if (!s->value)
			continue;
		proc_get(m, s->pid,
			 s->pcomm  ? s->pcomm
			 : s->comm ? s->comm
				   : "",
			 now)
			->offcpu_us += s->value;
	}
}

/* Block I/O: the interval's requests per disk and operation. */
static void feed_bio(struct metrics *m, const struct bio_model *bm)
{
	for (size_t i = 0; i < bm->interval.ndisks; i++) {
		const struct bio_disk *d = &bm->interval.disks[i];
		struct mdisk *md = NULL;

		for (size_t k = 0; k < m->ndisks && !md; k++)
			if (!strcmp(m->disks[k].name, d->name))
				md = &m->disks[k];
		if (!md && m->ndisks < METRICS_MAX_DISKS - 1) {
			md = &m->disks[m->ndisks++];
			snprintf(md->name, sizeof(md->name), "%s", d->name);
		}
		if (!md) {
			md = &m->disks[METRICS_MAX_DISKS - 1];
			snprintf(md->name, sizeof(md->name), OTHER);
			m->ndisks = METRICS_MAX_DISKS;
		}
		for (int op = 0; op < BIO_OP_COUNT; op++)
			bio_stats_add(&md->op[op], &d->op[op]);
	}
}

/* A fingerprint cut to the label's length, not inside a UTF-8 character. */
static void cut_fingerprint(char *dst, size_t len, const char *fp)
{
	size_t n = strlen(fp);

	if (n < METRICS_FINGERPRINT_LEN) {
		snprintf(dst, len, "%s", fp);
		return;
	}
	n = METRICS_FINGERPRINT_LEN;
	while (n > 0 && ((unsigned char)fp[n] & 0xc0) == 0x80)
		n--;
	snprintf(dst, len, "%.*s...", (int)n, fp);
}

/* The entry of (server, fingerprint text), added when there is room; NULL when there is not. */
static struct mfinger *finger_get(struct metrics *m, uint32_t server, enum sql_kind kind,
				  const char *text, bool other)
{
	struct mfinger *f;

	for (size_t i = 0; i < m->nfingers; i++) {
		f = &m->fingers[i];
		if (f->server == server && f->kind == kind && f->other == other &&
		    !strcmp(f->text, text))
			return f;
	}
	if (m->nfingers >= METRICS_MAX_FINGERPRINTS && !other)
		return NULL;
	m->fingers = xreallocarray(m->fingers, m->nfingers + 1, sizeof(*m->fingers));
	f = &m->fingers[m->nfingers++];
	memset(f, 0, sizeof(*f));
	f->server = server;
	f->kind = kind;
	f->other = other;
	f->labeled = other;
	snprintf(f->text, sizeof(f->text), "%s", text);
	return f;
}

/* One slow query: its server's histogram, and its fingerprint's (or "[other]"'s) counts. */
static void add_query(struct metrics *m, const struct sql_query *q)
{
	char text[METRICS_FINGERPRINT_LEN + 4];
	struct mserver *s = NULL;
	struct mfinger *f;

	for (size_t i = 0; i < m->nservers && !s; i++)
		if (m->servers[i].pid == q->server_pid && m->servers[i].kind == q->kind)
			s = &m->servers[i];
	if (!s) {
		m->servers = xreallocarray(m->servers, m->nservers + 1, sizeof(*m->servers));
		s = &m->servers[m->nservers++];
		memset(s, 0, sizeof(*s));
		s->pid = q->server_pid;
		s->kind = q->kind;
	}
	hist_record(&s->lat_us, q->latency_us);
	s->count++;
	s->total_us += q->latency_us;

	cut_fingerprint(text, sizeof(text), q->fingerprint ? q->fingerprint : "");
	f = finger_get(m, q->server_pid, q->kind, text, false);
	if (f)
		f->rank_us += q->latency_us;
	if (!f || !f->labeled)
		f = finger_get(m, q->server_pid, q->kind, OTHER, true);
	f->count++;
	f->total_us += q->latency_us;
}

/* Slow queries: those that arrived since the last poll. */
static void feed_sql(struct metrics *m, const struct sql_model *sm)
{
	size_t start = sql_model_interval_start(sm);
	uint64_t arrived = sm->seen >= sm->interval_from ? sm->seen - sm->interval_from : 0;

	for (size_t i = start; i < sm->nqueries; i++)
		add_query(m, &sm->queries[i]);
	/* more than the list holds in one interval: the oldest of them are gone, counted */
	if (arrived > sm->nqueries - start)
		m->sql_missed += arrived - (sm->nqueries - start);
}

/* Trace: each probe's events and losses, the ring's losses, and the VFS counts. */
static void feed_trace(struct metrics *m, const struct trace_model *tm)
{
	for (size_t i = 0; i < tm->nprobes; i++) {
		const struct trace_probe_info *pi = &tm->probes[i];
		struct mprobe *p = NULL;

		for (size_t k = 0; k < m->nprobes && !p; k++)
			if (m->probes[k].id == pi->id &&
			    !strncmp(m->probes[k].spec, pi->spec, sizeof(m->probes[k].spec) - 1))
				p = &m->probes[k];
		if (!p && m->nprobes == METRICS_MAX_PROBES) {
			m->probes_missed++;
			continue;
		}
		if (!p) {
			p = &m->probes[m->nprobes++];
			p->id = pi->id;
			snprintf(p->spec, sizeof(p->spec), "%s", pi->spec);
		}
		follow(&p->events, pi->events);
		follow(&p->lost, pi->lost);
	}
	follow(&m->trace_lost, tm->lost);
	if (tm->vfs_active)
		for (int op = 0; op < TRACE_VFS_COUNT; op++)
			m->vfs[op] += tm->vfs[op];
}

void metrics_feed(struct metrics *m, size_t idx, const struct collector *c, const void *model,
		  double now)
{
	if (idx >= METRICS_MAX_COLLECTORS)
		return;
	for (size_t d = 0; d < c->ndrops && d < COLLECTOR_MAX_DROPS; d++) {
		m->drop_names[idx][d] = c->drops[d].name;
		follow(&m->drops[idx][d], c->drops[d].count);
	}
	if (!model)
		return;
	m->intervals[idx]++;
	if (c->ops == &sched_collector_ops)
		feed_sched(m, model, now);
	else if (c->ops == &offcpu_collector_ops)
		feed_offcpu(m, model, now);
	else if (c->ops == &bio_collector_ops)
		feed_bio(m, model);
	else if (c->ops == &sql_collector_ops)
		feed_sql(m, model);
	else if (c->ops == &trace_collector_ops)
		feed_trace(m, model);
}

/* Which collectors run, how many intervals each fed, and every drop counter. */
static void render_collectors(const struct metrics *m, const struct collector *cs, size_t n,
			      struct prom_buf *b)
{
	struct prom_label l[2];

	prom_family(b, "ktop_collector_up", "gauge",
		    "Whether the collector runs (1) or could not start (0).");
	for (size_t i = 0; i < n; i++) {
		l[0] = (struct prom_label){ "collector", cs[i].ops->name };
		prom_sample_u64(b, "ktop_collector_up", l, 1, cs[i].is_open);
	}
	prom_family(b, "ktop_collector_intervals_total", "counter",
		    "Intervals the collector's figures were added from.");
	for (size_t i = 0; i < n && i < METRICS_MAX_COLLECTORS; i++) {
		l[0] = (struct prom_label){ "collector", cs[i].ops->name };
		prom_sample_u64(b, "ktop_collector_intervals_total", l, 1, m->intervals[i]);
	}
	prom_family(b, "ktop_drops_total", "counter",
		    "Events a collector lost, by its loss counter (maps, ring buffers, bounds).");
	for (size_t i = 0; i < n && i < METRICS_MAX_COLLECTORS; i++) {
		for (size_t d = 0; d < COLLECTOR_MAX_DROPS && m->drop_names[i][d]; d++) {
			l[0] = (struct prom_label){ "collector", cs[i].ops->name };
			l[1] = (struct prom_label){ "counter", m->drop_names[i][d] };
			prom_sample_u64(b, "ktop_drops_total", l, 2, m->drops[i][d].total);
		}
	}
	prom_family(b, "ktop_metrics_processes_folded_total", "counter",
		    "Processes whose figures went under comm=\"[other]\" past the series bound.");
	prom_sample_u64(b, "ktop_metrics_processes_folded_total", NULL, 0, m->procs_folded);
	prom_family(b, "ktop_metrics_lost_total", "counter",
		    "What /metrics could not count: slow queries of an interval past the list's "
		    "bound, probe readings past the bound of probes followed.");
	l[0] = (struct prom_label){ "what", "slow queries past the list" };
	prom_sample_u64(b, "ktop_metrics_lost_total", l, 1, m->sql_missed);
	l[0] = (struct prom_label){ "what", "probes past the bound" };
	prom_sample_u64(b, "ktop_metrics_lost_total", l, 1, m->probes_missed);
}

/* The labels of one process. */
static void proc_labels(const struct mproc *p, char *pid, size_t len, struct prom_label *l)
{
	if (p->pid)
		snprintf(pid, len, "%" PRIu32, p->pid);
	else
		pid[0] = '\0';
	l[0] = (struct prom_label){ "pid", pid };
	l[1] = (struct prom_label){ "comm", p->comm };
}

/* One process's time per class. */
static void proc_time_samples(struct prom_buf *b, const struct mproc *p)
{
	struct prom_label l[3];
	char pid[16];

	proc_labels(p, pid, sizeof(pid), l);
	for (int k = 0; k < SCHED_NCLASSES; k++) {
		if (!p->ns[k])
			continue;
		l[2] = (struct prom_label){ "class", sched_class_name(k) };
		prom_sample_f64(b, "ktop_process_time_seconds_total", l, 3, (double)p->ns[k] / 1e9);
	}
}

/* One process's off-CPU time. */
static void proc_offcpu_sample(struct prom_buf *b, const struct mproc *p)
{
	struct prom_label l[2];
	char pid[16];

	if (!p->offcpu_us)
		return;
	proc_labels(p, pid, sizeof(pid), l);
	prom_sample_f64(b, "ktop_offcpu_seconds_total", l, 2, (double)p->offcpu_us / 1e6);
}

/* Overview and Off-CPU: time by process, and the run-queue latency histogram. */
static void render_procs(const struct metrics *m, struct prom_buf *b)
{
	const struct mproc *p;
	size_t pos = 0;

	prom_family(b, "ktop_process_time_seconds_total", "counter",
		    "Time of a process's threads by class (cpu, runq, io, lock, net, sleep, poll, "
		    "other), as the Overview counts it.");
	while ((p = htab_next(&m->procs, &pos)))
		proc_time_samples(b, p);
	proc_time_samples(b, &m->other_proc);
	prom_family(b, "ktop_offcpu_seconds_total", "counter",
		    "Time a process's threads spent blocked off-CPU (the Off-CPU panel's filter).");
	pos = 0;
	while ((p = htab_next(&m->procs, &pos)))
		proc_offcpu_sample(b, p);
	proc_offcpu_sample(b, &m->other_proc);
	prom_family(b, "ktop_runqueue_latency_seconds", "histogram",
		    "Time threads waited on a run queue before they ran (_sum estimated from "
		    "the middle of each bucket: the kernel side keeps no sum).");
	prom_hist(b, "ktop_runqueue_latency_seconds", NULL, 0, &m->runq_us, PROM_HIST_USECS);
}

/* Block I/O per disk and operation. */
static void render_bio(const struct metrics *m, struct prom_buf *b)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
		{ "ktop_bio_requests_total", "counter", "Block I/O requests completed." },
		{ "ktop_bio_bytes_total", "counter", "Bytes of the block I/O requests completed." },
		{ "ktop_bio_slow_requests_total", "counter",
		  "Requests whose queue and device time passed the slow threshold." },
		{ "ktop_bio_latency_seconds", "histogram",
		  "Block I/O latency from insertion in the queue (or issue) to completion." },
		{ "ktop_bio_device_latency_seconds", "histogram",
		  "Block I/O latency from issue to the device to completion." },
		{ "ktop_bio_size_bytes", "histogram", "Block I/O request sizes." },
	};
	struct prom_label l[2];

	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		prom_family(b, fam[f].name, fam[f].type, fam[f].help);
		for (size_t i = 0; i < m->ndisks; i++) {
			for (int op = 0; op < BIO_OP_COUNT; op++) {
				const struct bio_stats *s = &m->disks[i].op[op];

				if (!s->ios)
					continue;
				l[0] = (struct prom_label){ "disk", m->disks[i].name };
				l[1] = (struct prom_label){ "op", bio_op_name(op) };
				if (f == 0)
					prom_sample_u64(b, fam[f].name, l, 2, s->ios);
				else if (f == 1)
					prom_sample_u64(b, fam[f].name, l, 2, s->bytes);
				else if (f == 2)
					prom_sample_u64(b, fam[f].name, l, 2, s->slow);
				else if (f == 3)
					prom_hist(b, fam[f].name, l, 2, &s->lat_total,
						  PROM_HIST_USECS);
				else if (f == 4)
					prom_hist(b, fam[f].name, l, 2, &s->lat_device,
						  PROM_HIST_USECS);
				else
					prom_hist(b, fam[f].name, l, 2, &s->size, PROM_HIST_BYTES);
			}
		}
	}
}

/* Give series of their own to the fingerprints with the most time, up to the bound. */
static void promote_fingerprints(struct metrics *m)
{
	while (m->nlabeled < METRICS_TOP_FINGERPRINTS) {
		struct mfinger *best = NULL;

		for (size_t i = 0; i < m->nfingers; i++) {
			struct mfinger *f = &m->fingers[i];

			if (!f->labeled && (!best || f->rank_us > best->rank_us))
				best = f;
		}
		if (!best)
			return;
		best->labeled = true;
		m->nlabeled++;
	}
}

/* Slow queries by server, and by fingerprint (the top ones, the rest as "[other]"). */
static void render_sql(const struct metrics *m, struct prom_buf *b)
{
	struct prom_label l[3];
	char server[16];

	prom_family(b, "ktop_sql_slow_query_latency_seconds", "histogram",
		    "Latency of the queries over the slow threshold, by server.");
	for (size_t i = 0; i < m->nservers; i++) {
		snprintf(server, sizeof(server), "%" PRIu32, m->servers[i].pid);
		l[0] = (struct prom_label){ "server", server };
		l[1] = (struct prom_label){ "kind", sql_kind_name(m->servers[i].kind) };
		prom_hist(b, "ktop_sql_slow_query_latency_seconds", l, 2, &m->servers[i].lat_us,
			  PROM_HIST_USECS);
	}
	prom_family(b, "ktop_sql_slow_queries_total", "counter",
		    "Queries over the slow threshold, by server and fingerprint (the top ones by "
		    "time; the rest under \"[other]\").");
	for (int pass = 0; pass < 2; pass++) {
		const char *name =
			pass ? "ktop_sql_slow_query_seconds_total" : "ktop_sql_slow_queries_total";

		if (pass)
			prom_family(b, name, "counter",
				    "Time of the queries over the slow threshold, by server and "
				    "fingerprint.");
		for (size_t i = 0; i < m->nfingers; i++) {
			const struct mfinger *f = &m->fingers[i];

			if (!f->labeled || (!f->count && !f->other))
				continue;
			snprintf(server, sizeof(server), "%" PRIu32, f->server);
			l[0] = (struct prom_label){ "server", server };
			l[1] = (struct prom_label){ "kind", sql_kind_name(f->kind) };
			l[2] = (struct prom_label){ "fingerprint", f->text };
			if (pass)
				prom_sample_f64(b, name, l, 3, (double)f->total_us / 1e6);
			else
				prom_sample_u64(b, name, l, 3, f->count);
		}
	}
}

/* Trace probes and the VFS counters. */
static void render_trace(const struct metrics *m, struct prom_buf *b)
{
	struct prom_label l[2];
	char id[16];

	prom_family(b, "ktop_trace_probe_events_total", "counter", "Events of a Trace probe.");
	for (size_t i = 0; i < m->nprobes; i++) {
		snprintf(id, sizeof(id), "%" PRIu32, m->probes[i].id);
		l[0] = (struct prom_label){ "probe", id };
		l[1] = (struct prom_label){ "spec", m->probes[i].spec };
		prom_sample_u64(b, "ktop_trace_probe_events_total", l, 2,
				m->probes[i].events.total);
	}
	prom_family(b, "ktop_trace_probe_lost_total", "counter",
		    "Events of a Trace probe that the ring buffer dropped.");
	for (size_t i = 0; i < m->nprobes; i++) {
		snprintf(id, sizeof(id), "%" PRIu32, m->probes[i].id);
		l[0] = (struct prom_label){ "probe", id };
		l[1] = (struct prom_label){ "spec", m->probes[i].spec };
		prom_sample_u64(b, "ktop_trace_probe_lost_total", l, 2, m->probes[i].lost.total);
	}
	prom_family(b, "ktop_trace_lost_total", "counter",
		    "Trace events the ring buffer dropped, all probes.");
	prom_sample_u64(b, "ktop_trace_lost_total", NULL, 0, m->trace_lost.total);
	prom_family(b, "ktop_vfs_operations_total", "counter",
		    "VFS operations by kind, counted while the VFS counters are attached "
		    "(the Trace panel shown).");
	for (int op = 0; op < TRACE_VFS_COUNT; op++) {
		l[0] = (struct prom_label){ "op", trace_vfs_name(op) };
		prom_sample_u64(b, "ktop_vfs_operations_total", l, 1, m->vfs[op]);
	}
}

void metrics_render(struct metrics *m, const struct collector *cs, size_t n, struct prom_buf *out)
{
	promote_fingerprints(m);
	render_collectors(m, cs, n, out);
	render_procs(m, out);
	render_bio(m, out);
	render_sql(m, out);
	render_trace(m, out);
}

void metrics_publish(struct metrics *m, char *text, size_t len)
{
	struct metrics_text *t = xmalloc(sizeof(*t));
	struct metrics_text *old;

	atomic_init(&t->refs, 1);
	t->len = len;
	t->data = text;
	pthread_mutex_lock(&m->lock);
	old = m->text;
	m->text = t;
	pthread_mutex_unlock(&m->lock);
	metrics_text_put(old);
}

const char *metrics_text_get(struct metrics *m, size_t *len, struct metrics_text **ref)
{
	struct metrics_text *t;

	pthread_mutex_lock(&m->lock);
	t = m->text;
	if (t)
		atomic_fetch_add(&t->refs, 1);
	pthread_mutex_unlock(&m->lock);
	*ref = t;
	*len = t ? t->len : 0;
	return t ? t->data : NULL;
}

void metrics_text_put(struct metrics_text *t)
{
	if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	free(t->data);
	free(t);
}
