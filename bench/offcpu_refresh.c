// SPDX-License-Identifier: GPL-2.0
/*
 * The Off-CPU panel's refresh cost with NSTACKS (default 20000) distinct stacks, reported
 * (never asserted); bench/offcpu_refresh.sh builds and runs it, and its header says what
 * each figure means. Real names throughout: user frames are the middles of the functions of
 * this program (libktop is linked in) and of the libraries it maps, as symbol tables list
 * them; kernel frames are text symbols of /proc/kallsyms. Processes are real too: forks of
 * this program that sleep (same mappings, their own names), so the symbolizer reads each
 * one's maps as it would a traced process's.
 *
 * The poll runs ktop's own code (the aggregator the collector hands its records to:
 * collectors/stack_collect.c, or offcpu_stacks.c before it) on real BPF maps: a hash map of
 * ktop's counts key and value, drained as collectors/offcpu.c drains it, and an array map of
 * 127-frame values standing in for the stack trace map, which user space cannot fill.
 *
 * Usage: offcpu_refresh [NSTACKS [THREADS]]   (root: it creates BPF maps)
 * THREADS (default 1, at most 64) threads block in each distinct path: with 1, every record
 * is a path of its own (the largest tree); with 8, NSTACKS / 8 paths (thread pools).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <libelf.h>
#include <ncurses.h>

#include "collectors/bpf_common.h"
#include "collectors/offcpu_model.h"
#include "collectors/stack_tree.h"
#include "core/export.h"
#include "symbols/symbols.h"
#include "ui/canvas.h"
#include "ui/offcpu_panel.h"
#include "bpf/offcpu.h"

/*
 * The collector's aggregator, by the name the linked libktop.a has: offcpu_refresh.sh defines
 * KTOP_BENCH_STACK_COLLECT when the library holds stack_collect.o. agg_add adds drained
 * entries as collectors/offcpu.c does.
 */
#ifdef KTOP_BENCH_STACK_COLLECT
#include "collectors/stack_collect.h"

typedef struct stack_collect agg_t;

static agg_t *agg_new(struct sym_cache *sc, int fd, uint32_t nids, struct stack_set *interval,
		      struct stack_set *cumulative)
{
	struct stack_collect_map map = { .fd = fd, .nids = nids, .depth = OFFCPU_STACK_DEPTH };

	/* sums are nanoseconds; samples show microseconds */
	return stack_collect_new(sc, &map, (struct stack_collect_scale){ 1, 1000 }, interval,
				 cumulative);
}

static void agg_add(agg_t *st, const struct offcpu_key *keys, const struct offcpu_val *vals,
		    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct stack_collect_key k = {
			.tgid = keys[i].tgid,
			.tid = keys[i].tid,
			.kstack = keys[i].kstack,
			.ustack = keys[i].ustack,
		};

		stack_collect_add(st, &k, vals[i].comm, sizeof(vals[i].comm), vals[i].total_ns,
				  vals[i].count, true);
	}
}

#define agg_free  stack_collect_free
#define agg_note  stack_collect_note
#define agg_begin stack_collect_begin
#define agg_end	  stack_collect_end
#define agg_reset stack_collect_reset
#else
#include "collectors/offcpu_stacks.h"

typedef struct offcpu_stacks agg_t;

static agg_t *agg_new(struct sym_cache *sc, int fd, uint32_t nids, struct stack_set *interval,
		      struct stack_set *cumulative)
{
	return offcpu_stacks_new(sc, fd, nids, interval, cumulative);
}

static void agg_add(agg_t *st, const struct offcpu_key *keys, const struct offcpu_val *vals,
		    size_t n)
{
	offcpu_stacks_add(st, keys, vals, n, true);
}

#define agg_free  offcpu_stacks_free
#define agg_note  offcpu_stacks_note
#define agg_begin offcpu_stacks_begin
#define agg_end	  offcpu_stacks_end
#define agg_reset offcpu_stacks_reset
#endif

#define NPROGRAMS 8    /* distinct programs, each with its own call tree */
#define NPROCS	  64   /* processes: NPROGRAMS programs, NPROCS / NPROGRAMS each */
#define NKPATHS	  256  /* distinct kernel wait paths */
#define REPEAT	  5    /* runs of each repeatable step; the median is reported */
#define UPOOL_MAX 8000 /* user functions drawn from */
#define KPOOL_MAX 4000 /* kernel functions drawn from */
#define DRAW_COLS 120
#define DRAW_ROWS 40

struct addrs {
	uint64_t *a;
	size_t n, cap;
};

/* One synthesized record: a thread, its user stack id and kernel stack id. */
struct gen_key {
	uint32_t proc;
	uint32_t thread;
	uint32_t ustack;
	uint32_t kstack;
};

static pid_t children[NPROCS];

/*
 * This thread's CPU time (user and system) in ms: what a step costs, without the time other
 * load on the machine takes the CPU away.
 */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: a fixed sequence, so every run builds the same stacks. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void push(struct addrs *v, uint64_t a)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 1024;
		v->a = realloc(v->a, v->cap * sizeof(*v->a));
		if (!v->a)
			abort();
	}
	v->a[v->n++] = a;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Keep n of v's addresses, spread evenly over the sorted, deduplicated set. */
static void thin(struct addrs *v, size_t n)
{
	size_t k = 0;

	qsort(v->a, v->n, sizeof(*v->a), u64_cmp);
	for (size_t i = 0; i < v->n; i++)
		if (!k || v->a[k - 1] != v->a[i])
			v->a[k++] = v->a[i];
	v->n = k;
	if (v->n <= n)
		return;
	for (size_t i = 0; i < n; i++)
		v->a[i] = v->a[i * v->n / n];
	v->n = n;
}

/* The middle of every sized function in one ELF file loaded at bias. */
static void elf_functions(const char *path, uint64_t bias, struct addrs *out)
{
	Elf_Scn *scn = NULL, *use = NULL;
	GElf_Shdr sh;
	Elf *e;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	e = elf_begin(fd, ELF_C_READ, NULL);
	while (e && (scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB || (sh.sh_type == SHT_DYNSYM && !use))
			use = scn;
	}
	if (use && gelf_getshdr(use, &sh)) {
		Elf_Data *d = elf_getdata(use, NULL);
		size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;

		for (size_t i = 0; d && i < n; i++) {
			GElf_Sym s;

			if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    s.st_shndx == SHN_UNDEF || s.st_size < 4)
				continue;
			push(out, bias + s.st_value + s.st_size / 2);
		}
	}
	if (e)
		elf_end(e);
	close(fd);
}

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	char exe[4096];
	const char *path = info->dlpi_name;
	ssize_t n;

	(void)size;
	if (!path[0]) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			return 0;
		exe[n] = '\0';
		path = exe;
	}
	if (path[0] == '/')
		elf_functions(path, info->dlpi_addr, arg);
	return 0;
}

/* Kernel text symbols, each as an address inside it; the named ones by name into fixed[]. */
static void kernel_functions(struct addrs *out, const char *const *names, uint64_t *fixed,
			     size_t nfixed)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], name[256], type;
	unsigned long long a, prev = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &a, &type, name) != 3 || !a)
			continue;
		if (type != 't' && type != 'T')
			continue;
		for (size_t i = 0; i < nfixed; i++)
			if (!strcmp(name, names[i]))
				fixed[i] = a + 4;
		if (a != prev)
			push(out, a + 4);
		prev = a;
	}
	fclose(f);
}

/* Fork the processes the stacks belong to: asleep, named, gone when this program goes. */
static int fork_children(void)
{
	static const char *const progs[NPROGRAMS] = { "postgres",     "nginx", "java",	 "python3",
						      "redis-server", "node",  "mysqld", "sshd" };
	pid_t parent = getpid();

	for (int i = 0; i < NPROCS; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return -errno;
		if (!pid) {
			char name[16];

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			snprintf(name, sizeof(name), "%s", progs[i % NPROGRAMS]);
			prctl(PR_SET_NAME, name);
			for (;;)
				pause();
		}
		children[i] = pid;
	}
	return 0;
}

static void kill_children(void)
{
	for (int i = 0; i < NPROCS; i++)
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
			children[i] = 0;
		}
}

/* Resident and peak resident memory from /proc/self/status, in MB. */
static void rss(double *now, double *peak)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kb;

	*now = *peak = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			*now = kb / 1024.0;
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			*peak = kb / 1024.0;
	}
	if (f)
		fclose(f);
}

static void report_rss(const char *when)
{
	double now, peak;

	rss(&now, &peak);
	printf("  RSS %s: %.1f MB (peak so far %.1f MB)\n", when, now, peak);
}

/* Start VmHWM again from the current RSS, so that the next peak is that of the next steps. */
static void reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "we");

	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Print the median, min and max of n timings; returns the median. */
static double report_times(const char *what, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), dbl_cmp);
	printf("%-58s %8.2f ms  (min %.2f, max %.2f, %d runs)\n", what, t[n / 2], t[0], t[n - 1],
	       n);
	return t[n / 2];
}

/* Put the records into the counts map, as the kernel side would have. */
static int fill_counts(int fd, const struct offcpu_key *keys, const struct offcpu_val *vals,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int err = bpf_map_update_elem(fd, &keys[i], &vals[i], BPF_ANY);

		if (err)
			return err;
	}
	return 0;
}

/* One poll as collectors/offcpu.c does it, after filling the counts map: ms of drain, add, end. */
static int poll_once(agg_t *st, int counts_fd, const struct offcpu_key *keys,
		     const struct offcpu_val *vals, size_t n, struct offcpu_key *dkeys,
		     struct offcpu_val *dvals, double ms[3])
{
	double t0, t1, t2;
	char why[128];
	int got;

	if (fill_counts(counts_fd, keys, vals, n)) {
		fprintf(stderr, "offcpu_refresh: fill the counts map: %s\n", strerror(errno));
		return -1;
	}
	t0 = now_ms();
	/* As collectors/offcpu.c drains its counts map. */
	got = bpf_common_drain(counts_fd, dkeys, sizeof(*dkeys), dvals, sizeof(*dvals), (uint32_t)n,
			       "drain", why, sizeof(why));
	t1 = now_ms();
	if (got != (int)n) {
		fprintf(stderr, "offcpu_refresh: drained %d of %zu%s%s\n", got, n,
			got < 0 ? ": " : "", got < 0 ? why : "");
		return -1;
	}
	agg_begin(st);
	agg_add(st, dkeys, dvals, (size_t)got);
	t2 = now_ms();
	agg_end(st);
	ms[0] = t1 - t0;
	ms[1] = t2 - t1;
	ms[2] = now_ms() - t2;
	return 0;
}

/* Print a poll's figures; returns its total ms. */
static double report_poll(const char *what, const double ms[3])
{
	double total = ms[0] + ms[1] + ms[2];

	printf("%-58s %8.2f ms  (drain %.2f, add %.2f, end %.2f)\n", what, total, ms[0], ms[1],
	       ms[2]);
	return total;
}

/* Draw the panel into a fresh 120x40 canvas; returns its ms. */
static double draw_once(struct panel *p, struct canvas *cv)
{
	double t0 = now_ms();

	canvas_reset(cv, DRAW_COLS, DRAW_ROWS);
	p->ops->draw(p, cv);
	return now_ms() - t0;
}

/* One export of the panel to /dev/null; returns its ms. */
static double export_once(struct panel *p, enum export_format fmt, FILE *null)
{
	struct status_info si = { .version = "bench", .host = "h", .mode = "tp_btf" };
	double t0 = now_ms();

	if (export_snapshot(null, fmt, p, &si, DRAW_COLS, true))
		fprintf(stderr, "offcpu_refresh: export failed\n");
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	static const char *const kfixed_names[] = { "entry_SYSCALL_64_after_hwframe",
						    "do_syscall_64", "schedule", "__schedule" };
	uint64_t kfixed[4] = { 0 };
	size_t nstacks = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
	uint32_t nthreads = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 1;
	struct addrs upool = { 0 }, kpool = { 0 };
	struct gen_key *gk;
	struct offcpu_key *keys, *dkeys;
	struct offcpu_val *vals, *dvals;
	uint64_t kpaths[NKPATHS][12];
	uint32_t kdepth[NKPATHS];
	uint64_t *uhash;
	uint32_t nustacks = 0, map_entries, nids = 1;
	__u64 stack[OFFCPU_STACK_DEPTH];
	uint64_t *seen;
	size_t seen_cap, nframes = 0, nunknown = 0;
	struct sym_cache *sc = NULL, *sc2 = NULL;
	struct stack_set interval = { 0 }, cumulative = { 0 };
	agg_t *st;
	struct sym_stats ss;
	char why[256];
	double ms[3], t[REPEAT], t0, snap_ms = 0, draw_ms = 0, poll_cold, poll_warm, poll_newkeys,
				     rss_now, rss_peak;
	int stack_fd = -1, counts_fd = -1, rc = 1;
	FILE *null = fopen("/dev/null", "we");

	setlocale(LC_ALL, "C.UTF-8");
	if (!nstacks || nstacks > 1000000 || !nthreads || nthreads > 64 || !null) {
		fprintf(stderr, "usage: offcpu_refresh [NSTACKS [THREADS]]\n");
		return 2;
	}
	elf_version(EV_CURRENT);

	/* --- real functions to make stacks of ---------------------------------------------- */
	dl_iterate_phdr(phdr_cb, &upool);
	kernel_functions(&kpool, kfixed_names, kfixed, 4);
	printf("functions found: %zu user (this program and %s), %zu kernel text symbols\n",
	       upool.n, "the libraries it maps", kpool.n);
	thin(&upool, UPOOL_MAX);
	thin(&kpool, KPOOL_MAX);
	if (upool.n < 100 || kpool.n < 100 || !kfixed[0] || !kfixed[3]) {
		fprintf(stderr,
			"offcpu_refresh: too few functions (is /proc/kallsyms readable?)\n");
		return 1;
	}
	if (fork_children()) {
		perror("offcpu_refresh: fork");
		goto out;
	}

	/* Kernel wait paths: syscall entry, 2 to 6 functions, schedule, __schedule. */
	for (int k = 0; k < NKPATHS; k++) {
		uint32_t d = 0, m = 2 + (uint32_t)(rnd() % 5);

		kpaths[k][d++] = kfixed[0];
		kpaths[k][d++] = kfixed[1];
		for (uint32_t i = 0; i < m; i++)
			kpaths[k][d++] = kpool.a[rnd() % kpool.n];
		kpaths[k][d++] = kfixed[2];
		kpaths[k][d++] = kfixed[3];
		kdepth[k] = d;
	}

	/* --- maps: the stack map's stand-in and the counts map -------------------------------- */
	map_entries = (uint32_t)nstacks + NKPATHS;
	while (nids < map_entries)
		nids <<= 1;
	stack_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bench_stacks", sizeof(__u32), sizeof(stack),
				  nids, NULL);
	counts_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_counts", sizeof(struct offcpu_key),
				   sizeof(struct offcpu_val), (uint32_t)nstacks, NULL);
	if (stack_fd < 0 || counts_fd < 0) {
		fprintf(stderr, "offcpu_refresh: create BPF maps: %s\n",
			strerror(-(stack_fd < 0 ? stack_fd : counts_fd)));
		goto out;
	}
	for (uint32_t k = 0; k < NKPATHS; k++) {
		memset(stack, 0, sizeof(stack));
		for (uint32_t i = 0; i < kdepth[k];
		     i++) /* innermost first, as the kernel keeps them */
			stack[i] = kpaths[k][kdepth[k] - 1 - i];
		if (bpf_map_update_elem(stack_fd, &k, stack, BPF_ANY))
			goto out;
	}

	/*
	 * --- NSTACKS distinct records ------------------------------------------------------------
	 * A record is a thread of a process blocked in a user stack and a kernel wait path. Each
	 * path (process, user stack, kernel path) is new, and THREADS threads of the process
	 * block in it (a thread pool). The user stack is a walk down its program's call tree (1
	 * choice at the 2 outermost levels, then 2, 3, then 4), so stacks share their outer
	 * frames as real ones do.
	 */
	gk = calloc(nstacks, sizeof(*gk));
	keys = calloc(nstacks, sizeof(*keys));
	vals = calloc(nstacks, sizeof(*vals));
	dkeys = calloc(nstacks, sizeof(*dkeys));
	dvals = calloc(nstacks, sizeof(*dvals));
	seen_cap = 4;
	while (seen_cap < 4 * nstacks)
		seen_cap <<= 1;
	seen = calloc(seen_cap, sizeof(*seen));
	uhash = calloc(seen_cap, sizeof(*uhash) * 2);
	if (!gk || !keys || !vals || !dkeys || !dvals || !seen || !uhash)
		abort();
	for (size_t i = 0; i < nstacks;) {
		uint32_t proc = (uint32_t)(rnd() % NPROCS), prog = proc % NPROGRAMS;
		uint32_t kp = (uint32_t)(rnd() % NKPATHS);
		uint32_t depth = 10 + (uint32_t)(rnd() % 21), du, uid;
		uint64_t h = mix(prog + 1), uh, kh;
		uint64_t ua[30];
		size_t s;

		du = depth > kdepth[kp] + 2 ? depth - kdepth[kp] : 2;
		for (uint32_t j = 0; j < du; j++) {
			uint32_t branch = j < 2 ? 1 : j < 4 ? 2 : j < 8 ? 3 : 4;

			h = mix(h ^ ((rnd() % branch + 1) * 0x9e3779b97f4a7c15ULL) ^ j);
			ua[j] = upool.a[h % upool.n];
		}
		uh = mix(du);
		for (uint32_t j = 0; j < du; j++)
			uh = mix(uh ^ ua[j]);
		/* the path must be new: (process, user stack, kernel path) */
		kh = mix(uh ^ mix((uint64_t)proc << 32 | kp)) | 1;
		for (s = kh & (seen_cap - 1); seen[s] && seen[s] != kh;
		     s = (s + 1) & (seen_cap - 1))
			;
		if (seen[s])
			continue;
		seen[s] = kh;
		/* one id per distinct user stack, as the stack map gives */
		for (s = uh & (seen_cap - 1); uhash[2 * s] && uhash[2 * s] != (uh | 1);
		     s = (s + 1) & (seen_cap - 1))
			;
		if (!uhash[2 * s]) {
			uid = NKPATHS + nustacks++;
			uhash[2 * s] = uh | 1;
			uhash[2 * s + 1] = uid;
			memset(stack, 0, sizeof(stack));
			for (uint32_t j = 0; j < du; j++)
				stack[j] = ua[du - 1 - j];
			if (bpf_map_update_elem(stack_fd, &uid, stack, BPF_ANY))
				goto out;
		} else {
			uid = (uint32_t)uhash[2 * s + 1];
		}
		for (uint32_t thread = 0; thread < nthreads && i < nstacks; thread++, i++) {
			gk[i] = (struct gen_key){ proc, thread, uid, kp };
			keys[i] = (struct offcpu_key){
				.tgid = (__u32)children[proc],
				.tid = thread ? 4000000 + proc * 64 + thread
					      : (__u32)children[proc],
				.kstack = (__s32)kp,
				.ustack = (__s32)uid,
			};
			vals[i].count = 1 + rnd() % 50;
			vals[i].total_ns = vals[i].count * (1000 + rnd() % 5000000);
			snprintf(vals[i].comm, sizeof(vals[i].comm), "%s-%u",
				 thread ? "worker" : "main", thread);
			nframes += du + kdepth[kp];
		}
	}
	printf("records: %zu distinct (thread, user stack, kernel stack) over %d processes,"
	       " THREADS %u per path; %u distinct user stacks, %d kernel paths; %zu frames"
	       " (%.1f per stack)\n",
	       nstacks, NPROCS, nthreads, nustacks, NKPATHS, nframes,
	       (double)nframes / (double)nstacks);
	/* what only the generation needed: not part of what ktop would hold */
	free(seen);
	free(uhash);
	seen = uhash = NULL;
	report_rss("after generating the records");

	/*
	 * --- the poll, with ktop's aggregation code ----------------------------------------------
	 * Each process is noted first (ktop does it when the kernel announces one, between polls).
	 * A poll drains the counts map, adds the records (a new key: stack map lookups, names,
	 * an identity; a known key: a hash lookup) and ends (the interval set rebuilt, the
	 * cumulative one updated).
	 */
	if (sym_cache_new(&sc, why, sizeof(why))) {
		fprintf(stderr, "offcpu_refresh: %s\n", why);
		goto out;
	}
	st = agg_new(sc, stack_fd, nids, &interval, &cumulative);
	{
		struct sym_frame f;

		t0 = now_ms();
		sym_kernel(sc, kfixed[2], &f);
		printf("%-58s %8.2f ms\n", "load kallsyms (the first kernel lookup)",
		       now_ms() - t0);
	}
	t0 = now_ms();
	for (int i = 0; i < NPROCS; i++)
		agg_note(st, (uint32_t)children[i]);
	printf("%-58s %8.2f ms\n", "note 64 processes (read maps; ktop: between polls)",
	       now_ms() - t0);
	report_rss("with kallsyms and the 64 processes' maps read");
	if (poll_once(st, counts_fd, keys, vals, nstacks, dkeys, dvals, ms))
		goto out;
	poll_cold = report_poll("poll, every key new, no name cached yet", ms);
	if (poll_once(st, counts_fd, keys, vals, nstacks, dkeys, dvals, ms))
		goto out;
	poll_warm = report_poll("poll, the same keys again", ms);
	/* A reset (the r key) forgets every identity; names and kernel stacks stay cached. */
	agg_reset(st);
	if (poll_once(st, counts_fd, keys, vals, nstacks, dkeys, dvals, ms))
		goto out;
	poll_newkeys = report_poll("poll, every key new (after a reset), names cached", ms);
	printf("  %zu samples in the interval set, %zu in the cumulative set\n", interval.nsamples,
	       cumulative.nsamples);
	report_rss("after the polls (live model and symbolizer)");

	/* --- snapshot, tree, draw, exports on the cumulative set -------------------------------
	 */
	{
		struct offcpu_model live = { .interval = interval,
					     .cumulative = cumulative,
					     .interval_s = 1.0,
					     .cumulative_s = 60.0,
					     .min_block_us = 1,
					     .polls = 1 };
		struct collector col = { .is_open = true, .mode = "tp_btf" };
		struct filter flt = { 0 };
		struct panel p = { .ops = &offcpu_panel_ops, .collector = &col, .filter = &flt };
		struct offcpu_model *shown = NULL;
		struct stack_tree_opts inv = { .inverted = true }, thr = { .split_threads = true };
		struct stack_tree *tr;
		struct canvas cv;
		uint32_t nnodes = 0;

		for (int i = 0; i < REPEAT; i++) {
			offcpu_model_free(shown); /* core frees the old snapshot first */
			t0 = now_ms();
			shown = offcpu_model_dup(&live);
			t[i] = now_ms() - t0;
		}
		snap_ms = report_times("snapshot: offcpu_model_dup (samples copied, stacks shared)",
				       t, REPEAT);
		report_rss("with the shown snapshot");
		for (int i = 0; i < REPEAT; i++) {
			t0 = now_ms();
			tr = stack_tree_build(&cumulative, NULL);
			t[i] = now_ms() - t0;
			nnodes = tr->nnodes;
			stack_tree_free(tr);
		}
		report_times("stack_tree_build", t, REPEAT);
		printf("  %u nodes\n", nnodes);
		for (int i = 0; i < REPEAT; i++) {
			t0 = now_ms();
			tr = stack_tree_build(&cumulative, &inv);
			t[i] = now_ms() - t0;
			stack_tree_free(tr);
		}
		report_times("stack_tree_build, inverted", t, REPEAT);
		for (int i = 0; i < REPEAT; i++) {
			t0 = now_ms();
			tr = stack_tree_build(&cumulative, &thr);
			t[i] = now_ms() - t0;
			stack_tree_free(tr);
		}
		report_times("stack_tree_build, threads split", t, REPEAT);

		p.model = shown;
		offcpu_panel_init(&p);
		reset_peak(); /* the peaks below: the panel's own rebuilds, not the builds above */
		canvas_init(&cv, DRAW_COLS, DRAW_ROWS, true);
		for (int i = 0; i < REPEAT; i++) {
			shown->polls++; /* a new snapshot: the panel rebuilds its tree */
			t[i] = draw_once(&p, &cv);
		}
		draw_ms = report_times("draw 120x40 after a new snapshot (tree rebuilt + drawn)", t,
				       REPEAT);
		for (int i = 0; i < REPEAT; i++)
			t[i] = draw_once(&p, &cv);
		report_times("draw 120x40, same snapshot (tree kept)", t, REPEAT);
		panel_key(&p, KEY_DOWN);
		panel_key(&p, 'e');
		for (int i = 0; i < REPEAT; i++) {
			shown->polls++;
			t[i] = draw_once(&p, &cv);
		}
		report_times("draw 120x40, hottest path expanded, new snapshot", t, REPEAT);
		panel_key(&p, 'f');
		for (int i = 0; i < REPEAT; i++) {
			shown->polls++;
			t[i] = draw_once(&p, &cv);
		}
		report_times("draw 120x40, flame view, new snapshot", t, REPEAT);
		panel_key(&p, 'f');
		/* back to the tree view, whose tree is only as deep as the view (the flame's whole) */
		shown->polls++;
		draw_once(&p, &cv);
		report_rss("after the draws (the panel's tree kept; peak: since the first draw)");
		reset_peak();
		printf("%-58s %8.2f ms\n", "text export of the whole tree (s key, to /dev/null)",
		       export_once(&p, EXPORT_TEXT, null));
		report_rss("after the text export (peak: during it)");
		printf("%-58s %8.2f ms\n", "folded export (F key)",
		       export_once(&p, EXPORT_FOLDED, null));
		printf("%-58s %8.2f ms\n", "JSON export", export_once(&p, EXPORT_JSON, null));
		rss(&rss_now, &rss_peak);
		printf("\nrefresh, %zu stacks seen before: poll %.1f + snapshot %.1f + tree and "
		       "draw"
		       " %.1f = %.1f ms\n",
		       nstacks, poll_warm, snap_ms, draw_ms, poll_warm + snap_ms + draw_ms);
		printf("refresh, %zu new keys, names cached: poll %.1f + snapshot %.1f + tree and"
		       " draw %.1f = %.1f ms\n",
		       nstacks, poll_newkeys, snap_ms, draw_ms, poll_newkeys + snap_ms + draw_ms);
		printf("refresh, %zu new stacks, no name cached: poll %.1f + snapshot %.1f + tree"
		       " and draw %.1f = %.1f ms\n",
		       nstacks, poll_cold, snap_ms, draw_ms, poll_cold + snap_ms + draw_ms);
		canvas_free(&cv);
		p.ops->free(&p);
		offcpu_model_free(shown);
	}
	printf("max RSS (VmHWM) through the exports: %.1f MB\n\n", rss_peak);
	/*
	 * --- symbolizing every frame of every record, with a new cache: cold, then warm ---------
	 * Last, so that the peak RSS above is that of the pipeline alone.
	 */
	if (sym_cache_new(&sc2, why, sizeof(why))) {
		fprintf(stderr, "offcpu_refresh: %s\n", why);
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		t0 = now_ms();
		for (size_t i = 0; i < nstacks; i++) {
			struct sym_frame f;
			uint32_t id = (uint32_t)keys[i].ustack;

			bpf_map_lookup_elem(stack_fd, &id, stack);
			for (uint32_t j = 0; j < OFFCPU_STACK_DEPTH && stack[j]; j++) {
				sym_user(sc2, keys[i].tgid, stack[j] - (j > 0), &f);
				nunknown += !pass && f.kind == SYM_UNKNOWN;
			}
			for (uint32_t j = 0; j < kdepth[gk[i].kstack]; j++) {
				sym_kernel(sc2, kpaths[gk[i].kstack][j], &f);
				nunknown += !pass && f.kind == SYM_UNKNOWN;
			}
		}
		printf("%-58s %8.2f ms\n",
		       pass ? "symbolize all frames, warm (address caches)"
			    : "symbolize all frames, cold (kallsyms, maps, ELF)",
		       now_ms() - t0);
	}
	/*
	 * The warm figure's two halves apart: the stack map reads alone (one syscall per record,
	 * as the aggregator makes for a new key), then the names alone, from the same addresses
	 * read beforehand (the symbolizer's per-address path: the address caches).
	 */
	{
		uint64_t *ufr = calloc(nframes, sizeof(*ufr));
		size_t *uoff = calloc(nstacks + 1, sizeof(*uoff));
		size_t nufr = 0;

		if (!ufr || !uoff)
			abort();
		t0 = now_ms();
		for (size_t i = 0; i < nstacks; i++) {
			uint32_t id = (uint32_t)keys[i].ustack;

			uoff[i] = nufr;
			bpf_map_lookup_elem(stack_fd, &id, stack);
			for (uint32_t j = 0; j < OFFCPU_STACK_DEPTH && stack[j] && nufr < nframes;
			     j++)
				ufr[nufr++] = stack[j] - (j > 0);
		}
		uoff[nstacks] = nufr;
		printf("%-58s %8.2f ms\n", "stack map reads alone (one a record)", now_ms() - t0);
		t0 = now_ms();
		for (size_t i = 0; i < nstacks; i++) {
			struct sym_frame f;

			for (size_t u = uoff[i]; u < uoff[i + 1]; u++)
				sym_user(sc2, keys[i].tgid, ufr[u], &f);
			for (uint32_t j = 0; j < kdepth[gk[i].kstack]; j++)
				sym_kernel(sc2, kpaths[gk[i].kstack][j], &f);
		}
		printf("%-58s %8.2f ms\n", "names alone, warm (addresses read beforehand)",
		       now_ms() - t0);
		free(ufr);
		free(uoff);
	}
	sym_cache_stats(sc2, &ss);
	printf("  %zu frames could not be named; symbolizer: %llu processes, %llu files, %llu"
	       " addresses, %.0f KB of names\n",
	       nunknown, (unsigned long long)ss.processes, (unsigned long long)ss.files,
	       (unsigned long long)ss.addresses, (double)ss.arena_bytes / 1024);
	sym_cache_free(sc2);
	sc2 = NULL;

	agg_free(st);
	stack_set_clear(&interval);
	stack_set_clear(&cumulative);
	rc = 0;
out:
	kill_children();
	if (stack_fd >= 0)
		close(stack_fd);
	if (counts_fd >= 0)
		close(counts_fd);
	sym_cache_free(sc);
	sym_cache_free(sc2);
	fclose(null);
	return rc;
}
