// SPDX-License-Identifier: GPL-2.0
/*
 * The sched collector: loads sched.bpf.c, which keeps one entry per thread with the class it
 * is in and the time each class has had; at each poll every entry is read (not deleted), the
 * span in progress is added up to now, and the difference from the last poll is the interval's
 * time, per thread and per process, with the system's figures from /proc (sched_proc.c).
 */
#include "collectors/sched.h"

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
#include "collectors/cgroup_path.h"
#include "collectors/filter.h"
#include "collectors/pid_filter.h"
#include "collectors/sched_model.h"
#include "collectors/sched_proc.h"
#include "util/escape.h"
#include "util/xalloc.h"
#include "bpf/sched.h"
#include "bpf/sched.skel.h"

_Static_assert((int)SCHED_CLASS_COUNT == (int)SCHED_NCLASSES,
	       "bpf/sched.h and sched_model.h disagree");
_Static_assert(SCHED_SLOTS == HIST_SLOTS, "bpf/sched.h and hist.h disagree");

#define SCHED_NPROGS	  3
#define SCHED_FORCE_RAW	  "KTOP_FORCE_RAW_TP" /* set (tests): use the raw_tp fallback */
#define SCHED_SWEEP_POLLS 16 /* entries of threads gone unseen are looked for this often */

/* A thread's figures at the last poll. */
struct sched_prev {
	uint32_t tid;
	uint32_t tgid;
	uint64_t total[SCHED_NCLASSES];
};

/* A group's cumulative throttling at the last poll. */
struct sched_group_prev {
	char cgroup[SCHED_CGROUP_LEN];
	bool has;
	uint64_t nr, us;
};

struct sched_priv {
	struct sched_bpf *skel;
	struct bpf_link *links[SCHED_NPROGS];
	struct bpf_program *progs[SCHED_NPROGS];
	size_t nlinks;
	struct sched_proc *proc;
	int ncpus;
	__u64 *pcpu;
	uint32_t cap;
	__u32 *keys;
	struct sched_thread *vals;
	struct sched_cpu_now *cpu_now; /* per CPU */
	struct sched_prev *prev;       /* sorted by tid */
	size_t nprev;
	uint64_t hist_prev[SCHED_SLOTS];
	struct filter filter; /* its PID set (the rows shown) and cgroup (the kernel's filter) */
	uint32_t seed_pid;    /* the last process the seeding asked the cgroup filter about */
	bool seed_ok;	      /* and whether it is in the cgroup */
	uint32_t self;
	uint64_t read_ns; /* when the threads were last read: the interval's bounds */
	uint64_t seeded;
	struct sched_group_prev *gprev; /* sorted by name */
	size_t ngprev;
	struct sched_model model;
};

static const struct bpf_common_drop sched_drop_names[] = {
	{ "thread map full", SCHED_DROP_THREADS_FULL },
	{ "recursion misses", -1 },
};

/* Open the BPF object, keep one flavour and load. */
static int sched_load(struct sched_priv *priv, bool use_btf, bool prev_state, char *why,
		      size_t why_len)
{
	struct sched_bpf *skel = sched_bpf__open();
	int err;

	priv->skel = skel;
	if (!skel) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, why_len, "sched: open BPF object: %s", strerror(-err));
		return err;
	}
	skel->rodata->sw_has_prev_state = prev_state;
	/*
	 * Where the kernel allows tracing programs to add to such maps (v6.1, struct
	 * bpf_mem_alloc), thread entries take kernel memory as threads appear, not 4.7 MB at load.
	 */
	if (bpf_common_btf_has("bpf_mem_alloc", BTF_KIND_STRUCT)) {
		struct bpf_map *threads = skel->maps.sched_threads;

		err = bpf_map__set_map_flags(threads,
					     bpf_map__map_flags(threads) | BPF_F_NO_PREALLOC);
		if (err) {
			snprintf(why, why_len, "sched: flag the thread map: %s", strerror(-err));
			return err;
		}
	}
	skel->rodata->can_read_syscall = bpf_common_has_task_pt_regs();
	bpf_program__set_autoload(skel->progs.sched_sw_btf, use_btf);
	bpf_program__set_autoload(skel->progs.sched_wakeup_btf, use_btf);
	bpf_program__set_autoload(skel->progs.sched_wakeup_new_btf, use_btf);
	bpf_program__set_autoload(skel->progs.sched_sw_raw, !use_btf);
	bpf_program__set_autoload(skel->progs.sched_wakeup_raw, !use_btf);
	bpf_program__set_autoload(skel->progs.sched_wakeup_new_raw, !use_btf);
	err = sched_bpf__load(skel);
	if (err) {
		snprintf(why, why_len, "sched: load BPF programs (%s): %s",
			 use_btf ? "tp_btf" : "raw_tp", strerror(-err));
		return err;
	}
	return 0;
}

/* Attach the three loaded programs, naming the tracepoint that failed. */
static int sched_attach(struct sched_priv *priv, bool use_btf, char *why, size_t why_len)
{
	struct sched_bpf *skel = priv->skel;
	const struct bpf_common_tp progs[SCHED_NPROGS] = {
		{ "sched_switch", use_btf ? skel->progs.sched_sw_btf : skel->progs.sched_sw_raw },
		{ "sched_wakeup",
		  use_btf ? skel->progs.sched_wakeup_btf : skel->progs.sched_wakeup_raw },
		{ "sched_wakeup_new",
		  use_btf ? skel->progs.sched_wakeup_new_btf : skel->progs.sched_wakeup_new_raw },
	};

	return bpf_common_attach(progs, SCHED_NPROGS, priv->links, priv->progs, &priv->nlinks,
				 "sched", why, why_len);
}

/* CLOCK_MONOTONIC in nanoseconds: bpf_ktime_get_ns()'s clock. */
static uint64_t sched_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A thread found at open: its entry starts now in the class /proc gives, unless it has one. */
static void sched_seed_one(void *arg, const struct sched_proc_thread *t)
{
	struct sched_priv *priv = arg;
	struct sched_thread e = {
		.since_ns = sched_now_ns(),
		.tgid = t->pid,
		.state = (__u32)t->cls,
		.flags = SCHED_THREAD_SEEDED | (t->kthread ? SCHED_THREAD_KTHREAD : 0),
	};
	__u32 tid = t->tid;

	if (t->pid != priv->seed_pid) {
		priv->seed_pid = t->pid;
		priv->seed_ok = cgroup_path_has_pid(&priv->filter.cgroup, t->pid);
	}
	if (!priv->seed_ok)
		return;
	memcpy(e.comm, t->comm, sizeof(e.comm));
	if (!bpf_map_update_elem(bpf_map__fd(priv->skel->maps.sched_threads), &tid, &e,
				 BPF_NOEXIST))
		priv->seeded++;
}

/* Read every thread entry into keys/vals (nothing deleted); how many, or -errno. */
static int sched_read_all(struct sched_priv *priv, char *why, size_t why_len)
{
	return bpf_common_read_all(bpf_map__fd(priv->skel->maps.sched_threads), priv->keys,
				   sizeof(*priv->keys), priv->vals, sizeof(*priv->vals), priv->cap,
				   "sched: read the thread map", why, why_len);
}

/*
 * Whether tid is running on a CPU now. A thread whose entry says it runs but that is on no
 * CPU left it without the kernel telling us (an event we did not see).
 */
static bool sched_is_running(const struct sched_priv *priv, int ncpu, uint32_t tid)
{
	for (int i = 0; i < ncpu; i++)
		if (priv->cpu_now[i].tid == tid)
			return true;
	return false;
}

/* Order baselines by TID (for qsort and bsearch). */
static int prev_cmp(const void *a, const void *b)
{
	const struct sched_prev *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Whether the PID filter lets pid through. */
static bool sched_pid_wanted(const struct sched_priv *priv, uint32_t pid)
{
	return filter_has_pid(&priv->filter, pid);
}

/* The row's cgroup from the kernel's name of its last part ("": the root). */
static void sched_row_cgroup(struct sched_row *r, const char *leaf)
{
	char raw[SCHED_CGROUP_NAME + 2], cut[SCHED_CGROUP_NAME + 2];

	snprintf(raw, sizeof(raw), "/%.*s", SCHED_CGROUP_NAME, leaf);
	sched_proc_cgroup_short(raw, cut, sizeof(cut));
	escape_cstr(r->cgroup, sizeof(r->cgroup), cut, sizeof(cut));
}

/* R when running or runnable, D in I/O, X exited, S otherwise. */
static char sched_state_letter(uint32_t state)
{
	if (state == SCHED_CLASS_CPU || state == SCHED_CLASS_RUNQ)
		return 'R';
	if (state == SCHED_CLASS_IO)
		return 'D';
	return state == SCHED_STATE_EXITED ? 'X' : 'S';
}

/*
 * The process rows summed from the threads, each named from /proc while it lives (else as the
 * kernel side noted it), its threads alike.
 */
static void sched_build_procs(struct sched_priv *priv, struct sched_model *m)
{
	size_t t = 0;

	sched_model_build_procs(m);
	for (size_t i = 0; i < m->nprocs; i++) {
		struct sched_row *p = &m->procs[i];
		const struct sched_proc_info *info =
			sched_proc_info(priv->proc, p->pid, p->state == 'X');

		if (info->named) {
			p->uid = info->uid;
			snprintf(p->user, sizeof(p->user), "%s", info->user);
			snprintf(p->cgroup, sizeof(p->cgroup), "%s", info->cgroup);
		} else {
			snprintf(p->user, sizeof(p->user), "%s",
				 sched_proc_user_name(priv->proc, p->uid));
		}
		for (; t < m->nthreads && m->threads[t].pid == p->pid; t++) {
			m->threads[t].uid = p->uid;
			memcpy(m->threads[t].user, p->user, sizeof(p->user));
			memcpy(m->threads[t].cgroup, p->cgroup, sizeof(p->cgroup));
		}
	}
}

/* Delete the entries of exited threads, and (now and then) of threads that are gone. */
static void sched_forget(struct sched_priv *priv, size_t n, bool sweep)
{
	size_t gone = 0;

	/* the keys to delete, gathered at the front: the keys are not read after this */
	for (size_t i = 0; i < n; i++)
		if (priv->vals[i].state == SCHED_STATE_EXITED ||
		    (sweep && !sched_proc_thread_alive(priv->proc, priv->keys[i])))
			priv->keys[gone++] = priv->keys[i];
	bpf_common_delete_keys(bpf_map__fd(priv->skel->maps.sched_threads), priv->keys,
			       sizeof(*priv->keys), (uint32_t)gone);
}

/*
 * Read every thread, and turn what each class had since the last read into the model's
 * thread and process rows (when build). The totals become the next read's baseline.
 */
static int sched_collect(struct sched_priv *priv, bool build, char *why, size_t why_len)
{
	struct sched_model *m = &priv->model;
	struct sched_prev *next;
	size_t nnext = 0;
	uint64_t now;
	int ncpu;
	int n;

	n = sched_read_all(priv, why, why_len);
	if (n < 0)
		return n;
	now = sched_now_ns();
	{
		__u32 zero = 0;

		ncpu = bpf_map_lookup_elem(bpf_map__fd(priv->skel->maps.sched_cpu_in), &zero,
					   priv->cpu_now)
			       ? 0
			       : priv->ncpus;
	}
	next = n ? xreallocarray(NULL, (size_t)n, sizeof(*next)) : NULL;
	sched_model_clear(m);
	if (build && n)
		m->threads = xreallocarray(NULL, (size_t)n, sizeof(*m->threads));
	for (int i = 0; i < n; i++) {
		const struct sched_thread *e = &priv->vals[i];
		struct sched_prev cur = { .tid = priv->keys[i], .tgid = e->tgid };
		const struct sched_prev *old;
		struct sched_row *r;
		uint64_t sum = 0;

		memcpy(cur.total, e->ns, sizeof(cur.total));
		if (e->state == SCHED_CLASS_CPU && ncpu && now > e->since_ns &&
		    !sched_is_running(priv, ncpu, cur.tid))
			cur.total[SCHED_CLASS_OTHER] += now - e->since_ns;
		else if (e->state < SCHED_CLASS_COUNT && now > e->since_ns)
			cur.total[e->state] += now - e->since_ns;
		old = priv->nprev ? bsearch(&cur, priv->prev, priv->nprev, sizeof(cur), prev_cmp)
				  : NULL;
		if (old && old->tgid != cur.tgid)
			old = NULL; /* a reused TID */
		if (e->state != SCHED_STATE_EXITED)
			next[nnext++] = cur;
		if (!build || !sched_pid_wanted(priv, e->tgid))
			continue;
		r = &m->threads[m->nthreads];
		memset(r, 0, sizeof(*r));
		for (int c = 0; c < SCHED_NCLASSES; c++) {
			uint64_t before = old ? old->total[c] : 0;

			r->ns[c] = cur.total[c] > before ? cur.total[c] - before : 0;
			sum += r->ns[c];
		}
		if (!sum && e->state == SCHED_STATE_EXITED)
			continue;
		r->pid = e->tgid;
		r->tid = cur.tid;
		r->threads = 1;
		r->state = sched_state_letter(e->state);
		r->kthread = e->flags & SCHED_THREAD_KTHREAD;
		r->self = e->tgid == priv->self;
		r->uid = e->uid;
		sched_row_cgroup(r, e->cgroup);
		escape_text(r->comm, sizeof(r->comm), e->comm, strnlen(e->comm, sizeof(e->comm)));
		m->nthreads++;
	}
	if (nnext > 1)
		qsort(next, nnext, sizeof(*next), prev_cmp);
	free(priv->prev);
	priv->prev = next;
	priv->nprev = nnext;
	if (build)
		m->interval_s = (double)(now - priv->read_ns) / 1e9;
	priv->read_ns = now;
	if (build) {
		sched_build_procs(priv, m);
		sched_rows_sort(m->procs, m->nprocs, SCHED_NCLASSES);
		sched_rows_sort(m->threads, m->nthreads, SCHED_NCLASSES);
		sched_proc_sweep(priv->proc);
	}
	sched_forget(priv, (size_t)n, build && m->polls % SCHED_SWEEP_POLLS == 0);
	return 0;
}

/* A process row's group and PID, to find each group's first process. */
struct sched_member {
	const char *cgroup;
	uint32_t pid;
};

/* Order members by group name. */
static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sched_member *)a)->cgroup,
		      ((const struct sched_member *)b)->cgroup);
}

/* Find a group's counters at the last poll by name. */
static int gprev_cmp(const void *key, const void *p)
{
	return strcmp(key, ((const struct sched_group_prev *)p)->cgroup);
}

/*
 * One group per cgroup name among the process rows, read through its first process: its
 * throttling since the last poll and its pressure now. Its counters are the next baseline.
 */
static void sched_groups_build(struct sched_priv *priv, struct sched_model *m)
{
	struct sched_group_prev *next;
	struct sched_member *members;
	size_t n = 0;

	if (!m->nprocs)
		return;
	members = xreallocarray(NULL, m->nprocs, sizeof(*members));
	for (size_t i = 0; i < m->nprocs; i++)
		members[i] = (struct sched_member){ m->procs[i].cgroup, m->procs[i].pid };
	qsort(members, m->nprocs, sizeof(*members), member_cmp);
	for (size_t i = 0; i < m->nprocs; i++)
		if (!n || strcmp(members[n - 1].cgroup, members[i].cgroup))
			members[n++] = members[i];
	m->groups = xcalloc(n, sizeof(*m->groups));
	m->ngroups = n;
	next = xreallocarray(NULL, n, sizeof(*next));
	for (size_t i = 0; i < n; i++) {
		struct sched_group *g = &m->groups[i];
		const struct sched_group_prev *old;
		struct sched_proc_group raw;

		snprintf(g->cgroup, sizeof(g->cgroup), "%s", members[i].cgroup);
		memset(&next[i], 0, sizeof(next[i]));
		memcpy(next[i].cgroup, g->cgroup, sizeof(next[i].cgroup));
		if (!sched_proc_group(priv->proc, members[i].pid, &raw))
			continue;
		g->psi = raw.psi;
		g->v1 = raw.v1;
		next[i] = (struct sched_group_prev){ .has = raw.has_throttle,
						     .nr = raw.nr_throttled,
						     .us = raw.throttled_us };
		memcpy(next[i].cgroup, g->cgroup, sizeof(next[i].cgroup));
		old = priv->ngprev ? bsearch(g->cgroup, priv->gprev, priv->ngprev,
					     sizeof(*priv->gprev), gprev_cmp)
				   : NULL;
		if (!raw.has_throttle || !old || !old->has)
			continue;
		g->has_throttle = true;
		g->nr_throttled = raw.nr_throttled > old->nr ? raw.nr_throttled - old->nr : 0;
		g->throttled_us = raw.throttled_us > old->us ? raw.throttled_us - old->us : 0;
	}
	free(members);
	free(priv->gprev);
	priv->gprev = next;
	priv->ngprev = n;
}

/* The run-queue histogram since the last read, into h (microseconds). */
static int sched_runq_read(struct sched_priv *priv, struct hist *h, char *why, size_t why_len)
{
	uint64_t now[SCHED_SLOTS];
	int err;

	err = bpf_common_counters_read(bpf_map__fd(priv->skel->maps.sched_runq_hist), priv->pcpu,
				       priv->ncpus, now, SCHED_SLOTS, "sched", why, why_len);
	if (err)
		return err;
	memset(h, 0, sizeof(*h));
	for (int i = 0; i < SCHED_SLOTS; i++) {
		h->slots[i] = now[i] > priv->hist_prev[i] ? now[i] - priv->hist_prev[i] : 0;
		h->count += h->slots[i];
		priv->hist_prev[i] = now[i];
	}
	return 0;
}

/*
 * Sum the drop counters into c->drops. A process gone before /proc was read loses nothing:
 * its row keeps the name, user and cgroup the kernel side noted. Repaired spans are no loss:
 * their count goes to the model, not to the drops every header shows.
 */
static int sched_drops_update(struct collector *c)
{
	struct sched_priv *priv = c->priv;
	uint64_t counters[SCHED_DROP_COUNT];
	uint64_t recursion = 0;
	int err;

	err = bpf_common_counters_read(bpf_map__fd(priv->skel->maps.sched_drops), priv->pcpu,
				       priv->ncpus, counters, SCHED_DROP_COUNT, "sched", c->why,
				       sizeof(c->why));
	if (err)
		return err;
	priv->model.sys.switches_repaired = counters[SCHED_DROP_MISSED];
	for (size_t i = 0; i < priv->nlinks; i++)
		recursion += bpf_common_recursion_misses(bpf_program__fd(priv->progs[i]));
	bpf_common_drops_fill(c, sched_drop_names,
			      sizeof(sched_drop_names) / sizeof(sched_drop_names[0]), counters,
			      recursion);
	return 0;
}

/* Detach and free everything; c->why is kept. */
static void sched_close(struct collector *c)
{
	struct sched_priv *priv = collector_closing(c);

	if (!priv)
		return;
	bpf_common_detach(priv->links, &priv->nlinks);
	sched_bpf__destroy(priv->skel);
	sched_proc_free(priv->proc);
	sched_model_clear(&priv->model);
	free(priv->pcpu);
	free(priv->cpu_now);
	free(priv->keys);
	free(priv->vals);
	free(priv->prev);
	free(priv->gprev);
	free(priv);
	c->priv = NULL;
}

/* Probe, load, attach, then note every thread that already exists from /proc. */
static int sched_open(struct collector *c, const struct ktop_config *cfg)
{
	struct sched_priv *priv;
	bool tp_btf = false, prev_state = false, use_btf;
	struct hist h;
	int err;

	(void)cfg;
	if (c->priv)
		sched_close(c);
	c->why[0] = '\0';
	c->mode[0] = '\0';
	err = bpf_common_btf_check("sched", c->why, sizeof(c->why));
	if (err)
		return err;
	priv = xcalloc(1, sizeof(*priv));
	c->priv = priv;
	priv->self = (uint32_t)getpid();
	priv->proc = sched_proc_new(NULL);
	err = bpf_common_switch_btf(&tp_btf, &prev_state, "sched", c->why, sizeof(c->why));
	if (err)
		goto out_close;
	priv->ncpus = bpf_common_ncpus("sched", c->why, sizeof(c->why));
	if (priv->ncpus < 0) {
		err = priv->ncpus;
		goto out_close;
	}
	priv->pcpu = xcalloc((size_t)priv->ncpus, sizeof(*priv->pcpu));
	priv->cpu_now = xcalloc((size_t)priv->ncpus, sizeof(*priv->cpu_now));
	use_btf = tp_btf && !getenv(SCHED_FORCE_RAW);
	err = sched_load(priv, use_btf, prev_state, c->why, sizeof(c->why));
	if (err && use_btf && err != -EPERM && err != -EACCES) {
		sched_bpf__destroy(priv->skel);
		priv->skel = NULL;
		use_btf = false;
		err = sched_load(priv, use_btf, prev_state, c->why, sizeof(c->why));
	}
	if (err)
		goto out_close;
	err = sched_attach(priv, use_btf, c->why, sizeof(c->why));
	if (err)
		goto out_close;
	snprintf(c->mode, sizeof(c->mode), "%s", use_btf ? "tp_btf" : "raw_tp");
	priv->cap = bpf_map__max_entries(priv->skel->maps.sched_threads);
	priv->keys = xcalloc(priv->cap, sizeof(*priv->keys));
	priv->vals = xcalloc(priv->cap, sizeof(*priv->vals));
	/* Threads that have not switched since the attach: what /proc says they do now. */
	sched_proc_scan(priv->proc, sched_seed_one, priv);
	/* Baselines: the first interval starts here. */
	sched_proc_system(priv->proc, &priv->model.sys);
	err = sched_runq_read(priv, &h, c->why, sizeof(c->why));
	if (!err)
		err = sched_collect(priv, false, c->why, sizeof(c->why));
	if (!err)
		err = sched_drops_update(c);
	if (err)
		goto out_close;
	c->is_open = true;
	return 0;

out_close:
	return collector_open_failed(c, err);
}

/* One interval: the threads' time by class, the run-queue histogram, the system's figures. */
static int sched_poll(struct collector *c)
{
	struct sched_priv *priv = c->priv;
	struct sched_model *m;
	int err;

	if (!priv || !priv->skel)
		return collector_not_open(c);
	m = &priv->model;
	m->polls++;
	err = sched_collect(priv, true, c->why, sizeof(c->why));
	if (err)
		return err;
	err = sched_runq_read(priv, &m->sys.runq, c->why, sizeof(c->why));
	if (err)
		return err;
	sched_proc_system(priv->proc, &m->sys);
	m->filtered = priv->filter.npids > 0;
	if (priv->filter.sched_groups)
		sched_groups_build(priv, m);
	c->why[0] = '\0';
	return sched_drops_update(c);
}

/*
 * A new --cgroup: the kernel side follows only its threads from now; entries of processes
 * outside it go, its threads without one are seeded from /proc, and the baselines start
 * again here.
 */
static int sched_set_cgroup(struct sched_priv *priv, const struct filter_cgroup *cg, char *why,
			    size_t why_len)
{
	int fd = bpf_map__fd(priv->skel->maps.sched_threads);
	uint32_t last = 0;
	bool keep = true;
	int n;

	priv->filter.cgroup = *cg;
	pid_filter_cgroup(&priv->skel->bss->cgroup_sel, cg);
	n = sched_read_all(priv, why, why_len);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		if (!i || priv->vals[i].tgid != last) {
			last = priv->vals[i].tgid;
			keep = cgroup_path_has_pid(cg, last);
		}
		if (!keep)
			bpf_map_delete_elem(fd, &priv->keys[i]);
	}
	priv->seed_pid = 0;
	sched_proc_scan(priv->proc, sched_seed_one, priv);
	free(priv->prev);
	priv->prev = NULL;
	priv->nprev = 0;
	return sched_collect(priv, false, why, why_len);
}

/* The PID set filters the rows; the cgroup filters in the kernel. */
static int sched_configure(struct collector *c, const struct filter *f, unsigned int parts)
{
	struct sched_priv *priv = c->priv;

	if (!priv)
		return collector_not_open(c);
	if (parts & FILTER_PIDS)
		filter_set_pids(&priv->filter, f->pids, f->npids);
	priv->filter.sched_groups = f->sched_groups;
	if (parts & FILTER_CGROUP) {
		if (!f->cgroup.id && !priv->filter.cgroup.id)
			return 0;
		collector_set_cgroup(c, &f->cgroup, true);
		return sched_set_cgroup(priv, &f->cgroup, c->why, sizeof(c->why));
	}
	return 0;
}

/* Every figure is per interval: nothing cumulative to start again. */
static void sched_reset(struct collector *c)
{
	(void)c;
}

COLLECTOR_MODEL_OPS(sched)

const struct collector_ops sched_collector_ops = {
	.name = "sched",
	.open = sched_open,
	.poll = sched_poll,
	.configure = sched_configure,
	.reset = sched_reset,
	.snapshot = sched_snapshot,
	.model_free = sched_model_release,
	.close = sched_close,
};
