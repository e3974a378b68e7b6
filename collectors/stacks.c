// SPDX-License-Identifier: GPL-2.0
/*
 * The Stacks collector: on-CPU sampling of one process. stacks.bpf.c runs on a cpu-clock perf
 * event on every online CPU; each poll its stack source (stack_source.c, as Off-CPU's) drains
 * the counts map into stack_collect.c, and the target's threads are read from /proc
 * (stacks_proc.c) into struct stacks_model. With no target it counts samples by process, for
 * a picker, or, opened for a profile of the box (cfg->stacks_every_process), takes the stacks
 * of every process.
 */
#include "collectors/stacks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/perf_event.h>
#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/bpf_common.h"
#include "collectors/pid_filter.h"
#include "collectors/stack_collect.h"
#include "collectors/stack_source.h"
#include "collectors/ustack_reader.h"
#include "collectors/stacks_model.h"
#include "collectors/stacks_proc.h"
#include "util/clock.h"
#include "util/escape.h"
#include "util/xalloc.h"
#include "bpf/stacks.h"
#include "bpf/ustack.h"
#include "bpf/stacks.skel.h"

_Static_assert(STACKS_PIDS_MAX >= 1, "the BPF PID filter has no room for a target");
_Static_assert(STACKS_STACK_NONE == STACK_COLLECT_NONE, "stacks.h and stack_collect.h disagree");
_Static_assert(STACKS_GEN1 == STACK_COLLECT_GEN1, "stacks.h and stack_collect.h disagree");
_Static_assert(STACK_SOURCE_KEY_MATCHES(struct stacks_key),
	       "struct stacks_key is not laid out as struct stack_collect_key");

#define STACKS_ONLINE_PATH "/sys/devices/system/cpu/online"
#define STACKS_ONLINE_ENV  "KTOP_CPU_ONLINE" /* tests: read the online CPU list from this file */
#define STACKS_SLOW_ENV	   "KTOP_FAKE_SLOW_POLL" /* tests: a fake slow poll */
#define STACKS_HZ_DEFAULT  99
#define STACKS_HZ_MAX	   100000 /* the cpu-clock timer's shortest period is 10 us */
#define STACKS_TOP_MAX	   32	  /* processes offered to the picker */
#define STACKS_NSEC	   1000000000ULL

/* One CPU's sampling event. */
struct stacks_cpu {
	int fd; /* the perf event, -1 when none */
	struct bpf_link *link;
};

/* A drained per-process count, with no target. */
struct stacks_tgid_count {
	__u32 tgid;
	struct stacks_tgid_val val;
};

struct stacks_priv {
	struct stacks_bpf *skel;
	struct stack_source *src; /* the counts map into the model; DWARF unwinding */
	uint32_t ustack_kib;
	bool every;    /* with no target, every process's stacks (cfg->stacks_every_process) */
	bool visible;  /* the panel is shown, printed or recorded: picker names from /proc */
	bool can_copy; /* the kernel has what copying user stacks needs, and unwinding is built */
	struct stacks_cpu *cpus; /* by CPU number, ncpus of them */
	int ncpus;
	bool *online; /* scratch for the online list */
	uint32_t hz;
	long clk_tck;
	const char *online_path;

	/* Drain buffers of the per-process map (no target), as large as the map. */
	__u32 *tgids;
	struct stacks_tgid_val *tgid_vals;
	uint32_t tgid_cap;

	/* The target, the kernel's filter on it, and what the last poll read of its threads. */
	uint32_t target;
	struct pid_filter pids;
	uint64_t target_start; /* its main thread's starttime: a reused PID is another process */
	bool seen;	       /* the target was alive at least once */
	bool gone;	       /* its exit is in the model, which stays as it is */
	struct stacks_proc_task *prev;
	size_t nprev;
	double prev_s; /* CLOCK_MONOTONIC seconds when prev was read */
	size_t prev_cap;
	struct stacks_proc_task *cur;
	size_t cur_cap;
	uint32_t *tids;
	size_t tids_cap;

	struct stacks_model model;
};

/* Drop counters shown to the user; idx -1 is the program's recursion misses. */
static const struct bpf_common_drop stacks_drop_names[] = {
	{ "missed kernel stacks", STACKS_DROP_KSTACK },
	{ "missed user stacks", STACKS_DROP_USTACK },
	{ "stack collisions", STACKS_DROP_COLLISION },
	{ "counts map full", STACKS_DROP_COUNTS_FULL },
	{ "process map full", STACKS_DROP_PROCS_FULL },
	{ "stack copies over rate", STACKS_DROP_DWARF_RATE },
	{ "stack copies lost", STACKS_DROP_DWARF_RING },
	{ "recursion misses", -1 },
};

_Static_assert(sizeof(stacks_drop_names) / sizeof(stacks_drop_names[0]) <= COLLECTOR_MAX_DROPS,
	       "too many stacks drop counters");

/*
 * Parse a CPU list ("0-3,6\n") into online[0..n); CPUs past n are ignored. 0, or -EINVAL when
 * it is not one.
 */
static int stacks_parse_cpus(const char *s, bool *online, int n)
{
	char *end;

	memset(online, 0, (size_t)n * sizeof(*online));
	while (*s && *s != '\n') {
		unsigned long a = strtoul(s, &end, 10);
		unsigned long b = a;

		if (end == s)
			return -EINVAL;
		s = end;
		if (*s == '-') {
			b = strtoul(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return -EINVAL;
			s = end;
		}
		for (unsigned long c = a; c <= b && c < (unsigned long)n; c++)
			online[c] = true;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
	}
	return 0;
}

/* Read which CPUs are online into priv->online; 0 or -errno with why. */
static int stacks_read_online(struct stacks_priv *priv, char *why, size_t why_len)
{
	char buf[1024];
	ssize_t n;
	int err;
	int fd;

	fd = open(priv->online_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, why_len, "stacks: read %s: %s", priv->online_path, strerror(-err));
		return err;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (n >= 0) {
		buf[n] = '\0';
		err = stacks_parse_cpus(buf, priv->online, priv->ncpus);
	}
	if (err)
		snprintf(why, why_len, "stacks: read %s: %s", priv->online_path, strerror(-err));
	return err;
}

/* Stop sampling on one CPU. */
static void stacks_cpu_close(struct stacks_cpu *cpu)
{
	bpf_link__destroy(cpu->link);
	cpu->link = NULL;
	if (cpu->fd >= 0)
		close(cpu->fd);
	cpu->fd = -1;
}

/*
 * Sample CPU n with a cpu-clock event running the program. 0, -ENODEV when the CPU went
 * offline meanwhile, or -errno with why.
 */
static int stacks_cpu_open(struct stacks_priv *priv, int n, char *why, size_t why_len)
{
	struct stacks_cpu *cpu = &priv->cpus[n];
	struct perf_event_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	/* cpu-clock is a timer: a period in nanoseconds is exactly hz samples per second. */
	attr.sample_period = STACKS_NSEC / priv->hz;
	attr.disabled = 1;
	cpu->fd = (int)syscall(__NR_perf_event_open, &attr, -1, n, -1, PERF_FLAG_FD_CLOEXEC);
	if (cpu->fd < 0) {
		err = -errno;
		if (err == -ENODEV)
			return err;
		if (err == -EACCES || err == -EPERM)
			snprintf(
				why, why_len,
				"stacks: a cpu-clock perf event needs CAP_PERFMON or root (CPU %d)",
				n);
		else if (err == -ENOENT || err == -EOPNOTSUPP)
			snprintf(why, why_len, "stacks: the kernel has no cpu-clock perf event");
		else
			snprintf(why, why_len, "stacks: open a cpu-clock event on CPU %d: %s", n,
				 strerror(-err));
		return err;
	}
	cpu->link = bpf_program__attach_perf_event(priv->skel->progs.stacks_sample, cpu->fd);
	if (!cpu->link) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, why_len, "stacks: attach the sampler to CPU %d: %s", n,
			 strerror(-err));
		stacks_cpu_close(cpu);
		return err;
	}
	return 0;
}

/*
 * Sample every online CPU: open events on CPUs that came online, close those of CPUs that
 * went offline (their events would not come back with them). How many CPUs are sampled, or
 * -errno with why when a CPU could not be.
 */
static int stacks_cpus_refresh(struct stacks_priv *priv, char *why, size_t why_len)
{
	int sampled = 0;
	int err = 0;

	err = stacks_read_online(priv, why, why_len);
	if (err)
		return err;
	for (int n = 0; n < priv->ncpus; n++) {
		struct stacks_cpu *cpu = &priv->cpus[n];
		int e;

		if (!priv->online[n]) {
			stacks_cpu_close(cpu);
			continue;
		}
		if (cpu->fd < 0) {
			e = stacks_cpu_open(priv, n, why, why_len);
			if (e && e != -ENODEV && !err)
				err = e;
		}
		sampled += cpu->fd >= 0;
	}
	return err ? err : sampled;
}

/*
 * Whether vmlinux BTF has struct bpf_mem_alloc (v6.1): from then on a perf_event program may
 * use hash maps that are not preallocated; before, the verifier turns them away.
 */
static bool stacks_kernel_allocs_on_use(void)
{
	return bpf_common_btf_has("bpf_mem_alloc", BTF_KIND_STRUCT);
}

/* Add BPF_F_NO_PREALLOC to a map's flags before load. */
static int stacks_alloc_on_use(struct bpf_map *map, const char *what, char *why, size_t why_len)
{
	int err = bpf_map__set_map_flags(map, bpf_map__map_flags(map) | BPF_F_NO_PREALLOC);

	if (err)
		snprintf(why, why_len, "stacks: flag the %s map: %s", what, strerror(-err));
	return err;
}

/* Open the BPF object, size the stack maps (half of stacks each) and load. */
static int stacks_load(struct stacks_priv *priv, uint32_t stacks, char *why, size_t why_len)
{
	struct stacks_bpf *skel;
	int err;

	skel = stacks_bpf__open();
	priv->skel = skel;
	if (!skel) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, why_len, "stacks: open BPF object: %s", strerror(-err));
		return err;
	}
	/* Each holds one interval's stacks: together they take the memory one would. */
	err = bpf_map__set_max_entries(skel->maps.stacks_stacks0, stacks / 2);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.stacks_stacks1, stacks / 2);
	if (err) {
		snprintf(why, why_len, "stacks: size the stack map: %s", strerror(-err));
		return err;
	}
	/*
	 * The counts and process maps are emptied at every poll: where the kernel allows it,
	 * their entries are allocated as samples add them instead of all at load (2.5 MB).
	 */
	if (stacks_kernel_allocs_on_use()) {
		err = stacks_alloc_on_use(skel->maps.stacks_counts, "counts", why, why_len);
		if (!err)
			err = stacks_alloc_on_use(skel->maps.stacks_procs, "process", why, why_len);
		if (err)
			return err;
	}
	/* At most hz samples a second on each CPU are copied: the ring holds half a second. */
	err = bpf_map__set_max_entries(skel->maps.ustack_ring,
				       ustack_reader_ring_bytes(priv->ustack_kib, priv->hz,
								priv->ncpus));
	if (err) {
		snprintf(why, why_len, "stacks: size the stack copy ring: %s", strerror(-err));
		return err;
	}
	skel->rodata->ustack_pages = priv->ustack_kib * 1024 / USTACK_PAGE;
	skel->rodata->every_process = priv->every;
	priv->can_copy = ustack_reader_can_copy();
	skel->rodata->ustack_can_copy = priv->can_copy;
	err = stacks_bpf__load(skel);
	if (err) {
		snprintf(why, why_len, "stacks: load the perf_event program: %s", strerror(-err));
		return err;
	}
	pid_filter_init(&priv->pids, bpf_map__fd(skel->maps.stacks_pids), &skel->bss->filter_pids,
			"stacks");
	return 0;
}

/*
 * Move the per-process map into its drain buffers, each entry read and deleted at once: how
 * many processes were read, or -errno.
 */
static int stacks_drain_tgids(struct stacks_priv *priv, char *why, size_t why_len)
{
	return bpf_common_drain(bpf_map__fd(priv->skel->maps.stacks_procs), priv->tgids,
				sizeof(*priv->tgids), priv->tgid_vals, sizeof(*priv->tgid_vals),
				priv->tgid_cap, "stacks: drain the process map", why, why_len);
}

/* Forget the target's threads as last read. */
static void stacks_threads_forget(struct stacks_priv *priv)
{
	priv->nprev = 0;
}

/* Empty the model's thread and process lists and its sets. */
static void stacks_model_empty(struct stacks_model *m)
{
	free(m->threads);
	m->threads = NULL;
	m->nthreads = 0;
	free(m->top);
	m->top = NULL;
	m->ntop = 0;
	stack_set_clear(&m->oncpu_interval);
	stack_set_clear(&m->oncpu_cumulative);
}

/* Detach and free everything; c->why is kept, so a failed open() can still say why. */
static void stacks_close(struct collector *c)
{
	struct stacks_priv *priv = collector_closing(c);

	if (!priv)
		return;
	for (int n = 0; priv->cpus && n < priv->ncpus; n++)
		stacks_cpu_close(&priv->cpus[n]);
	stack_source_free(priv->src);
	stacks_bpf__destroy(priv->skel);
	free(priv->cpus);
	free(priv->online);
	free(priv->tgids);
	free(priv->tgid_vals);
	free(priv->prev);
	free(priv->cur);
	free(priv->tids);
	stacks_model_empty(&priv->model);
	free(priv);
	c->priv = NULL;
}

/* Load the sampler and start it on every online CPU; no target yet: every process counts. */
static int stacks_open(struct collector *c, const struct ktop_config *cfg)
{
	uint32_t stacks = cfg && cfg->stack_storage ? cfg->stack_storage : STACKS_STACKS_MAX;
	uint32_t hz = cfg && cfg->sample_hz ? cfg->sample_hz : STACKS_HZ_DEFAULT;
	struct stack_source_desc desc;
	struct stacks_priv *priv;
	int err;

	if (c->priv)
		stacks_close(c);
	c->why[0] = '\0';
	c->mode[0] = '\0';
	if (hz > STACKS_HZ_MAX) {
		snprintf(c->why, sizeof(c->why), "stacks: %u Hz is too fast (at most %u)", hz,
			 STACKS_HZ_MAX);
		return -EINVAL;
	}
	priv = xcalloc(1, sizeof(*priv));
	c->priv = priv;
	priv->hz = hz;
	priv->clk_tck = sysconf(_SC_CLK_TCK);
	if (priv->clk_tck <= 0)
		priv->clk_tck = 100;
	priv->online_path =
		getenv(STACKS_ONLINE_ENV) ? getenv(STACKS_ONLINE_ENV) : STACKS_ONLINE_PATH;
	priv->ustack_kib = ustack_reader_kib(cfg);
	priv->every = cfg && cfg->stacks_every_process;

	priv->ncpus = bpf_common_ncpus("stacks", c->why, sizeof(c->why));
	if (priv->ncpus < 0) {
		err = priv->ncpus;
		goto out_close;
	}
	priv->online = xcalloc((size_t)priv->ncpus, sizeof(*priv->online));
	priv->cpus = xcalloc((size_t)priv->ncpus, sizeof(*priv->cpus));
	for (int n = 0; n < priv->ncpus; n++)
		priv->cpus[n].fd = -1;

	err = stacks_load(priv, stacks, c->why, sizeof(c->why));
	if (err)
		goto out_close;
	err = stacks_cpus_refresh(priv, c->why, sizeof(c->why));
	if (err <= 0) {
		if (!err) {
			err = -ENODEV;
			snprintf(c->why, sizeof(c->why), "stacks: no online CPU to sample");
		}
		goto out_close;
	}
	snprintf(c->mode, sizeof(c->mode), "perf_event cpu-clock %u Hz", hz);

	desc = (struct stack_source_desc){
		.who = "stacks",
		.counts = priv->skel->maps.stacks_counts,
		.value = STACK_SOURCE_VALUE(struct stacks_val, samples, samples, comm),
		.stacks = priv->skel->maps.stacks_stacks0,
		.stacks1 = priv->skel->maps.stacks_stacks1,
		.gens = priv->skel->maps.stacks_gens,
		.gen = &priv->skel->bss->stack_gen,
		.depth = STACKS_STACK_DEPTH,
		/* Sums are samples; a sample stands for 1e6 / hz microseconds on the CPU. */
		.scale = { 1000000, hz },
		.drops = priv->skel->maps.stacks_drops,
		.names = stacks_drop_names,
		.nnames = sizeof(stacks_drop_names) / sizeof(stacks_drop_names[0]),
		.ncounters = STACKS_DROP_COUNT,
		.prog_fds = { bpf_program__fd(priv->skel->progs.stacks_sample) },
		.nprogs = 1,
		.ustack = priv->skel->maps.ustack_ring,
	};
	err = stack_source_new(&priv->src, &desc, cfg, &priv->model.oncpu_interval,
			       &priv->model.oncpu_cumulative, c);
	if (err)
		goto out_close;
	/* Every sample of the target is unwound, at any frequency: only the ring limits it. */
	priv->skel->data->ustack_rate_max = hz > USTACK_RATE_DEFAULT ? hz : USTACK_RATE_DEFAULT;

	priv->tgid_cap = bpf_map__max_entries(priv->skel->maps.stacks_procs);
	priv->tgids = xcalloc(priv->tgid_cap, sizeof(*priv->tgids));
	priv->tgid_vals = xcalloc(priv->tgid_cap, sizeof(*priv->tgid_vals));
	priv->model.hz = hz;
	c->is_open = true;
	return 0;

out_close:
	return collector_open_failed(c, err);
}

/* Find thread tid in a list ordered by tid. */
static struct stacks_proc_task *stacks_task_find(struct stacks_proc_task *t, size_t n, uint32_t tid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].tid == tid)
			return &t[mid];
		if (t[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Read every thread of the target into priv->cur, each once. How many were read, or -ESRCH
 * when the process is gone: no such PID, only zombies left, or the PID now names another
 * process (its main thread started at another time).
 */
static int stacks_threads_read(struct stacks_priv *priv)
{
	size_t alive = 0;
	size_t k = 0;
	int n;

	n = stacks_proc_list(priv->target, &priv->tids, &priv->tids_cap);
	if (n < 0)
		return n;
	if ((size_t)n > priv->cur_cap) {
		priv->cur_cap = (size_t)n;
		priv->cur = xreallocarray(priv->cur, priv->cur_cap, sizeof(*priv->cur));
	}
	for (int i = 0; i < n; i++) {
		struct stacks_proc_task *t = &priv->cur[k];

		/* A thread that left since the listing is not listed. */
		if (stacks_proc_read_task(priv->target, priv->tids[i], true, t))
			continue;
		if (t->tid == priv->target && priv->seen && t->start != priv->target_start)
			return -ESRCH;
		alive += t->state != 'Z' && t->state != 'X';
		k++;
	}
	return alive ? (int)k : -ESRCH;
}

/* A model row for thread t, its figures over interval_s against the last reading. */
static void stacks_thread_fill(const struct stacks_priv *priv, struct stacks_thread *row,
			       const struct stacks_proc_task *t, double interval_s)
{
	const struct stacks_proc_task *p;
	uint64_t ticks = t->ticks;

	p = stacks_task_find(priv->prev, priv->nprev, t->tid);
	if (p && p->start != t->start)
		p = NULL; /* the id was reused */
	memset(row, 0, sizeof(*row));
	row->tid = t->tid;
	memcpy(row->name, t->name, sizeof(row->name));
	row->state = t->state;
	/* A thread not seen before started within the interval: all it did is new. */
	ticks -= p && p->ticks <= ticks ? p->ticks : 0;
	row->voluntary = t->voluntary - (p && p->voluntary <= t->voluntary ? p->voluntary : 0);
	row->involuntary =
		t->involuntary - (p && p->involuntary <= t->involuntary ? p->involuntary : 0);
	/* Whole clock ticks: a thread on CPU throughout may read one over; no thread tops 100%. */
	if (interval_s > 0)
		row->cpu_pct = 100.0 * (double)ticks / (double)priv->clk_tck / interval_s;
	if (row->cpu_pct > 100.0)
		row->cpu_pct = 100.0;
	memcpy(row->wchan, t->wchan, sizeof(row->wchan));
	memcpy(row->kstack, t->kstack, sizeof(row->kstack));
}

/* Order model rows by tid. */
static int stacks_thread_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct stacks_thread *)a)->tid;
	uint32_t y = ((const struct stacks_thread *)b)->tid;

	return x < y ? -1 : x > y;
}

/* The model row of tid in rows ordered by tid, or NULL. */
static struct stacks_thread *stacks_row_find(struct stacks_thread *rows, size_t n, uint32_t tid)
{
	struct stacks_thread key = { .tid = tid };

	return bsearch(&key, rows, n, sizeof(*rows), stacks_thread_cmp);
}

/*
 * Add one thread's samples to its row; a thread no reading knows (it came and went within the
 * interval) gets a row of its own, marked exited. Rows past sorted are new, in arrival order.
 */
static void stacks_row_add(struct stacks_model *m, size_t *cap, size_t sorted, uint32_t tid,
			   const char *comm, size_t comm_len, uint64_t samples)
{
	struct stacks_thread *row = stacks_row_find(m->threads, sorted, tid);

	for (size_t j = sorted; !row && j < m->nthreads; j++)
		if (m->threads[j].tid == tid)
			row = &m->threads[j];
	if (!row) {
		if (m->nthreads == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			m->threads = xreallocarray(m->threads, *cap, sizeof(*m->threads));
		}
		row = &m->threads[m->nthreads++];
		memset(row, 0, sizeof(*row));
		row->tid = tid;
		escape_cstr(row->name, sizeof(row->name), comm, comm_len);
		row->state = 'X';
		row->exited = true;
	}
	row->oncpu_samples += samples;
}

/* Add the waiting entries' samples and the unwound ones to their threads' rows. */
static void stacks_rows_add_samples(struct stacks_priv *priv, size_t *cap)
{
	const struct ustack_reader *ur = stack_source_reader(priv->src);
	struct stacks_model *m = &priv->model;
	size_t n = stack_source_pending(priv->src);
	size_t sorted = m->nthreads;

	for (size_t i = 0; i < n; i++) {
		const struct stack_collect_key *k;
		const char *comm;
		size_t comm_len;
		uint64_t amount;

		k = stack_source_entry(priv->src, i, &comm, &comm_len, &amount);
		stacks_row_add(m, cap, sorted, k->tid, comm, comm_len, amount);
	}
	for (size_t i = 0; i < ustack_reader_count(ur); i++) {
		const struct stack_collect_key *k;
		const char *comm;
		uint64_t amount;

		k = ustack_reader_entry(ur, i, &comm, &amount);
		stacks_row_add(m, cap, sorted, k->tid, comm, USTACK_COMM_LEN, amount);
	}
	if (m->nthreads > sorted)
		qsort(m->threads, m->nthreads, sizeof(*m->threads), stacks_thread_cmp);
}

/* Rebuild the model's thread rows: threads read now, then those of the last reading now gone. */
static void stacks_rows_build(struct stacks_priv *priv, int nread, double interval_s)
{
	struct stacks_model *m = &priv->model;
	struct stacks_thread *rows;
	size_t cap = (size_t)nread + priv->nprev;
	size_t nrows = 0;

	rows = xcalloc(cap ? cap : 1, sizeof(*rows));
	for (int i = 0; i < nread; i++)
		stacks_thread_fill(priv, &rows[nrows++], &priv->cur[i], interval_s);
	for (size_t i = 0; i < priv->nprev; i++) {
		const struct stacks_proc_task *p = &priv->prev[i];
		struct stacks_thread *row;

		if (stacks_task_find(priv->cur, (size_t)nread, p->tid))
			continue;
		/* Shown once more, as exited; its samples stay in the cumulative set. */
		row = &rows[nrows++];
		row->tid = p->tid;
		memcpy(row->name, p->name, sizeof(row->name));
		row->state = 'X';
		row->exited = true;
	}
	qsort(rows, nrows, sizeof(*rows), stacks_thread_cmp);
	free(m->threads);
	m->threads = rows;
	m->nthreads = nrows;
}

/* Keep this poll's reading as the last one; the old buffer takes the next reading. */
static void stacks_threads_keep(struct stacks_priv *priv, int nread)
{
	struct stacks_proc_task *t = priv->prev;
	size_t cap = priv->prev_cap;

	priv->prev = priv->cur;
	priv->prev_cap = priv->cur_cap;
	priv->nprev = (size_t)nread;
	priv->cur = t;
	priv->cur_cap = cap;
}

/* Order drained per-process counts, busiest first. */
static int stacks_tgid_cmp(const void *a, const void *b)
{
	const struct stacks_tgid_count *x = a;
	const struct stacks_tgid_count *y = b;

	if (x->val.samples != y->val.samples)
		return x->val.samples > y->val.samples ? -1 : 1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

/*
 * The picker's processes by the name in /proc (a thread's name may differ), for those still
 * there; read only while the panel is shown: churn fills the list with processes gone by then.
 */
static void stacks_top_names(struct stacks_model *m)
{
	for (size_t i = 0; i < m->ntop; i++)
		stacks_proc_read_comm(m->top[i].pid, m->top[i].comm, sizeof(m->top[i].comm));
}

/* With no target: the busiest processes of the interval, for the picker. */
static int stacks_poll_top(struct collector *c)
{
	struct stacks_priv *priv = c->priv;
	struct stacks_model *m = &priv->model;
	struct stacks_tgid_count *all;
	size_t keep;
	int n;

	n = stacks_drain_tgids(priv, c->why, sizeof(c->why));
	if (n < 0)
		return n;
	all = xcalloc(n ? (size_t)n : 1, sizeof(*all));
	for (int i = 0; i < n; i++)
		all[i] = (struct stacks_tgid_count){ priv->tgids[i], priv->tgid_vals[i] };
	qsort(all, (size_t)n, sizeof(*all), stacks_tgid_cmp);
	keep = (size_t)n < STACKS_TOP_MAX ? (size_t)n : STACKS_TOP_MAX;
	free(m->top);
	m->top = keep ? xcalloc(keep, sizeof(*m->top)) : NULL;
	m->ntop = keep;
	for (size_t i = 0; i < keep; i++) {
		struct stacks_proc *p = &m->top[i];

		p->pid = all[i].tgid;
		escape_cstr(p->comm, sizeof(p->comm), all[i].val.comm, sizeof(all[i].val.comm));
		p->oncpu_us = all[i].val.samples * 1000000 / priv->hz;
	}
	free(all);
	if (priv->visible)
		stacks_top_names(m);
	return 0;
}

/* The panel shown: the picker's processes named from /proc from now on, the current ones too. */
static void stacks_set_visible(struct collector *c, bool visible)
{
	struct stacks_priv *priv = c->priv;

	if (!priv)
		return;
	priv->visible = visible;
	if (visible)
		stacks_top_names(&priv->model);
}

/*
 * Whether the target is a process to follow, its threads read into priv->cur: how many, or
 * -ESRCH with m->why (no such process, or a thread of another one).
 */
static int stacks_target_find(struct stacks_priv *priv)
{
	struct stacks_model *m = &priv->model;
	const struct stacks_proc_task *main_thread;
	int nread;

	nread = stacks_threads_read(priv);
	if (nread < 0) {
		snprintf(m->why, sizeof(m->why), "no process with PID %u", priv->target);
		return -ESRCH;
	}
	main_thread = stacks_task_find(priv->cur, (size_t)nread, priv->target);
	if (main_thread && main_thread->tgid && main_thread->tgid != priv->target) {
		snprintf(m->why, sizeof(m->why), "PID %u is a thread of process %u", priv->target,
			 main_thread->tgid);
		return -ESRCH;
	}
	priv->seen = true;
	priv->target_start = main_thread ? main_thread->start : 0;
	m->why[0] = '\0';
	if (main_thread)
		memcpy(m->comm, main_thread->name, sizeof(m->comm));
	/* While it lives, so its stacks can be named after it exits. */
	stack_source_note(priv->src, priv->target);
	return nread;
}

/*
 * Tests: KTOP_FAKE_SLOW_POLL=N:MS, poll N (from 1) names its stacks MS milliseconds slower, as
 * naming the stacks of a binary with large debug information does.
 */
static void stacks_fake_slow(const struct stacks_priv *priv)
{
	const char *spec = getenv(STACKS_SLOW_ENV);
	struct timespec ts;
	unsigned long n;
	char *end;
	long v;

	if (!spec)
		return;
	n = strtoul(spec, &end, 10);
	if (*end != ':' || n != priv->model.polls + 1)
		return;
	v = strtol(end + 1, NULL, 10);
	if (v <= 0 || v > 10000)
		return;
	ts.tv_sec = v / 1000;
	ts.tv_nsec = (v % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Read the target's threads from /proc, at *read_s; how many, or -ESRCH when it is gone. */
static int stacks_target_read(struct stacks_priv *priv, double *read_s)
{
	int nread = priv->seen ? stacks_threads_read(priv) : stacks_target_find(priv);

	*read_s = clock_seconds(CLOCK_MONOTONIC);
	return nread;
}

/*
 * With a target: the waiting entries into the sets and the threads /proc showed at read_s
 * (nread of them, or -ESRCH). When the process is gone the rows of the last poll stay, all
 * exited, and so do the sets unless the last samples arrived with this poll.
 */
static void stacks_poll_target(struct stacks_priv *priv, int nread, double read_s)
{
	struct stacks_model *m = &priv->model;
	const struct stacks_proc_task *main_thread;
	size_t cap;

	if (priv->gone)
		return;
	if (nread < 0 && !priv->seen)
		return;
	if (nread < 0) {
		m->exited = true;
		priv->gone = true;
		/* Stop sampling in the kernel: nothing else counts. */
		pid_filter_block(&priv->pids);
		for (size_t i = 0; i < m->nthreads; i++) {
			m->threads[i].exited = true;
			m->threads[i].state = 'X';
		}
		if (!stack_source_pending(priv->src))
			return;
		for (size_t i = 0; i < m->nthreads; i++)
			m->threads[i].oncpu_samples = 0;
	} else {
		/* A new name may be an exec: read the maps again. */
		main_thread = stacks_task_find(priv->cur, (size_t)nread, priv->target);
		if (main_thread && strcmp(main_thread->name, m->comm)) {
			memcpy(m->comm, main_thread->name, sizeof(m->comm));
			stack_source_exec(priv->src, priv->target);
			stack_source_note(priv->src, priv->target);
		}
		/* CPU time over the time between the two readings, whatever the poll took. */
		stacks_rows_build(priv, nread, read_s - priv->prev_s);
		stacks_threads_keep(priv, nread);
		priv->prev_s = read_s;
	}
	cap = m->nthreads;
	stacks_rows_add_samples(priv, &cap);
	stacks_fake_slow(priv);
	stack_source_collect(priv->src);
}

/*
 * Drain the samples into the sets and read the target's threads from /proc; with no target,
 * count the busiest processes. Once the target is gone, its last data stays.
 */
static int stacks_poll(struct collector *c)
{
	struct stacks_priv *priv = c->priv;
	struct stacks_model *m;
	double start, now, read_s = 0, interval_s, cumulative_s;
	bool was_gone;
	int nread = 0;
	int refresh;
	int flip;
	int err = 0;
	int n;

	if (!priv || !priv->skel)
		return collector_not_open(c);
	m = &priv->model;
	start = clock_seconds(CLOCK_MONOTONIC);
	c->why[0] = '\0';
	/* CPUs that came online since: a failure is said, and the rest of the poll goes on. */
	refresh = stacks_cpus_refresh(priv, c->why, sizeof(c->why));
	/*
	 * Samples from now on take their stacks in the other map; this one's are read below.
	 * The picker's samples take none: no flip, and no wait for the programs.
	 */
	flip = 0;
	if ((priv->target && !priv->gone) || priv->every)
		flip = stack_source_flip(priv->src, c->why, sizeof(c->why));
	/*
	 * The interval ends now, with the drain and the reading of the target's threads: reading
	 * the ring (it unwinds the copied stacks) and naming the stacks afterwards take none of
	 * it; stacks sent later wait.
	 */
	now = clock_seconds(CLOCK_MONOTONIC);
	n = stack_source_drain(priv->src, c->why, sizeof(c->why));
	if (n < 0)
		return n;
	was_gone = priv->gone;
	if (priv->target && !priv->gone)
		nread = stacks_target_read(priv, &read_s);
	ustack_reader_consume(stack_source_reader(priv->src));
	stack_source_interval_end(priv->src, now, &interval_s, &cumulative_s);
	if (priv->target)
		stacks_poll_target(priv, nread, read_s);
	else if (priv->every)
		stack_source_collect(priv->src);
	else
		err = stacks_poll_top(c);
	/* What was not collected (no target, or gone) goes, and the old map is emptied. */
	stack_source_skip(priv->src);
	stack_source_retire(priv->src);
	if (!was_gone) {
		m->interval_s = interval_s;
		m->cumulative_s = cumulative_s;
		m->polls++;
		m->poll_s = clock_seconds(CLOCK_MONOTONIC) - start;
	}
	if (!err)
		err = stack_source_drops(priv->src, c);
	return err ? err : flip ? flip : refresh < 0 ? refresh : 0;
}

/* Start the cumulative samples again; what was sampled already counts for the interval. */
static void stacks_reset(struct collector *c)
{
	struct stacks_priv *priv = c->priv;

	if (!priv || !priv->skel)
		return;
	/* Once the target is gone, nothing sampled since belongs to it. */
	stack_source_reset(priv->src, !priv->gone);
	priv->model.cumulative_s = 0;
}

/*
 * How the target's user stacks are walked: copied and unwound with DWARF unless frame
 * pointers are asked for (or this build cannot unwind); no target, no stacks.
 */
static void stacks_unwind_set(struct collector *c, uint32_t target, enum ktop_unwind mode)
{
	struct stacks_priv *priv = c->priv;
	struct ustack_reader *ur = stack_source_reader(priv->src);
	bool dwarf = mode != KTOP_UNWIND_FP && priv->can_copy;

	/* The ring is mapped the first time a target's stacks are to be copied. */
	if (dwarf && target && ustack_reader_start(ur, c->why, sizeof(c->why)))
		dwarf = false;
	priv->skel->bss->dwarf_mode = dwarf && ustack_reader_started(ur);
	if (!target)
		c->unwind[0] = '\0';
	else
		ustack_reader_describe(c->unwind, sizeof(c->unwind), dwarf, priv->ustack_kib,
				       mode == KTOP_UNWIND_AUTO);
}

/* The reader's ring buffer: records wait there when it fills. */
static int stacks_event_fd(struct collector *c)
{
	struct stacks_priv *priv = c->priv;

	return priv && priv->src ? ustack_reader_epoll_fd(stack_source_reader(priv->src)) : -1;
}

/* Unwind the stacks that wait, so the ring does not fill before the next poll. */
static int stacks_events(struct collector *c)
{
	struct stacks_priv *priv = c->priv;

	return priv && priv->src ? ustack_reader_consume(stack_source_reader(priv->src)) : 0;
}

/*
 * Follow the lowest PID of the filter (none: count every process for the picker). A new
 * target starts the model again; the other parts of the filter do not concern this collector.
 */
static int stacks_configure(struct collector *c, const struct filter *f, unsigned int changed)
{
	struct stacks_priv *priv = c->priv;
	uint32_t target = f->npids ? f->pids[0] : 0;
	struct stacks_model *m;
	char why[COLLECTOR_WHY_LEN];
	int err;
	int n;

	if (!priv || !priv->skel)
		return collector_not_open(c);
	m = &priv->model;
	if (changed & FILTER_CGROUP) {
		pid_filter_cgroup(&priv->skel->bss->cgroup_sel, &f->cgroup);
		collector_set_cgroup(c, &f->cgroup, true);
	}
	if (changed & (FILTER_PIDS | FILTER_UNWIND))
		stacks_unwind_set(c, target, f->unwind);
	if (!(changed & FILTER_PIDS))
		return 0;
	/* The same live target: nothing to do (one that is gone or never was is looked up again).
	 */
	if (target == priv->target && m->polls && (!target || (priv->seen && !priv->gone)))
		return 0;
	err = pid_filter_apply(&priv->pids, &target, target ? 1 : 0, c->why, sizeof(c->why));
	if (err) {
		/* Back to the picker rather than on the old target (emptying cannot fail). */
		pid_filter_apply(&priv->pids, NULL, 0, why, sizeof(why));
		target = 0;
	}

	/* What was sampled for the old target goes. */
	stack_source_restart(priv->src);
	stacks_drain_tgids(priv, why, sizeof(why));
	stacks_model_empty(m);
	stacks_threads_forget(priv);
	priv->target = target;
	priv->seen = false;
	priv->gone = false;
	priv->target_start = 0;
	m->pid = target;
	m->comm[0] = '\0';
	m->why[0] = '\0';
	m->exited = false;
	m->interval_s = 0;
	m->cumulative_s = 0;
	m->polls = 0;
	if (err || !target)
		return err;
	/* The base of the first interval's figures, or why there is nothing to follow. */
	n = stacks_target_find(priv);
	if (n < 0) {
		snprintf(c->why, sizeof(c->why), "%s", m->why);
		return n;
	}
	stacks_threads_keep(priv, n);
	priv->prev_s = clock_seconds(CLOCK_MONOTONIC);
	return 0;
}

COLLECTOR_MODEL_OPS(stacks)

const struct collector_ops stacks_collector_ops = {
	.name = "stacks",
	.open = stacks_open,
	.poll = stacks_poll,
	.configure = stacks_configure,
	.reset = stacks_reset,
	.snapshot = stacks_snapshot,
	.model_free = stacks_model_release,
	.event_fd = stacks_event_fd,
	.events = stacks_events,
	.set_visible = stacks_set_visible,
	.close = stacks_close,
};
