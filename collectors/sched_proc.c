// SPDX-License-Identifier: GPL-2.0
#include "collectors/sched_proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/escape.h"
#include "util/xalloc.h"

#define PROC_PF_KTHREAD 0x00200000u
#define PROC_MAX_DISKS	64
#define PROC_MAX_USERS	64

/* The counters of /proc/stat's cpuN line the last time. */
struct cpu_ticks {
	uint64_t user, system, irq, steal, total;
	bool seen;
};

struct disk_ticks {
	char name[32];
	uint64_t ios, ticks_ms, io_ms;
};

struct user_name {
	uint32_t uid;
	char name[16];
};

struct info_slot {
	struct sched_proc_info info;
	uint64_t gen; /* the sweep it was last asked for in; 0: empty slot */
};

struct sched_proc {
	char root[64]; /* "/proc" */
	struct cpu_ticks cpus[SCHED_MAX_CPUS];
	struct disk_ticks disks[PROC_MAX_DISKS];
	size_t ndisks;
	double last_disk_s;
	struct user_name users[PROC_MAX_USERS];
	size_t nusers;
	struct info_slot *slots; /* open addressing by pid, a power of two */
	size_t cap;
	size_t used;
	uint64_t gen;
	uint64_t unnamed;
	char v2_mnt[128];  /* where cgroup v2 is mounted, "" if not */
	char cpu_mnt[128]; /* where the v1 hierarchy with the cpu controller is, "" if none */
	bool v2_cpu;	   /* the cpu controller is on the v2 hierarchy */
};

/* Read a small file whole into buf (NUL-terminated); its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Whether a list of words (separated by commas, spaces or a newline) has "cpu". */
static bool cgroup_opts_have_cpu(const char *list)
{
	for (const char *s = list; (s = strstr(s, "cpu")); s += 3)
		if ((s == list || strchr(", \n", s[-1])) && (!s[3] || strchr(", \n", s[3])))
			return true;
	return false;
}

/* Where cgroup v2 and the v1 cpu controller are mounted, and which one has the controller. */
static void find_cgroup_mounts(struct sched_proc *sp)
{
	char path[96], line[1024], buf[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/mounts", sp->root);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char dev[64], mnt[128], type[32], opts[512];

		if (sscanf(line, "%63s %127s %31s %511s", dev, mnt, type, opts) != 4)
			continue;
		if (!strcmp(type, "cgroup2") && !sp->v2_mnt[0])
			snprintf(sp->v2_mnt, sizeof(sp->v2_mnt), "%s", mnt);
		else if (!strcmp(type, "cgroup") && !sp->cpu_mnt[0] && cgroup_opts_have_cpu(opts))
			snprintf(sp->cpu_mnt, sizeof(sp->cpu_mnt), "%s", mnt);
	}
	fclose(f);
	if (!sp->v2_mnt[0])
		return;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", sp->v2_mnt);
	if (read_small(path, buf, sizeof(buf)) > 0)
		sp->v2_cpu = cgroup_opts_have_cpu(buf);
}

struct sched_proc *sched_proc_new(const char *proc_root)
{
	struct sched_proc *sp = xcalloc(1, sizeof(*sp));

	snprintf(sp->root, sizeof(sp->root), "%s", proc_root ? proc_root : "/proc");
	sp->cap = 1024;
	sp->slots = xcalloc(sp->cap, sizeof(*sp->slots));
	sp->gen = 1;
	find_cgroup_mounts(sp);
	return sp;
}

void sched_proc_free(struct sched_proc *sp)
{
	if (!sp)
		return;
	free(sp->slots);
	free(sp);
}

/* CPU use per CPU from /proc/stat, as fractions of the ticks since the last read. */
static void read_cpus(struct sched_proc *sp, struct sched_system *s)
{
	char path[96], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/stat", sp->root);
	f = fopen(path, "re");
	s->ncpus = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[10] = { 0 };
		struct cpu_ticks now, *old;
		unsigned int cpu;
		double d;

		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		if (sscanf(line + 3, "%u %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 9 ||
		    cpu >= SCHED_MAX_CPUS)
			continue;
		now = (struct cpu_ticks){
			.user = v[0] + v[1],
			.system = v[2],
			.irq = v[5] + v[6],
			.steal = v[7],
			.total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7],
			.seen = true,
		};
		old = &sp->cpus[cpu];
		d = old->seen && now.total > old->total ? (double)(now.total - old->total) : 0;
		if (d > 0)
			s->cpus[cpu] = (struct sched_cpu){
				.user = (double)(now.user - old->user) / d,
				.system = (double)(now.system - old->system) / d,
				.irq = (double)(now.irq - old->irq) / d,
				.steal = (double)(now.steal - old->steal) / d,
			};
		*old = now;
		if ((int)cpu + 1 > s->ncpus)
			s->ncpus = (int)cpu + 1;
	}
	fclose(f);
}

/* MemTotal, MemAvailable, SwapTotal, SwapFree from /proc/meminfo. */
static void read_memory(struct sched_proc *sp, struct sched_system *s)
{
	char path[96], line[256];
	unsigned long long kb;
	FILE *f;

	snprintf(path, sizeof(path), "%s/meminfo", sp->root);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu", &kb) == 1)
			s->mem_total_kb = kb;
		else if (sscanf(line, "MemAvailable: %llu", &kb) == 1)
			s->mem_avail_kb = kb;
		else if (sscanf(line, "SwapTotal: %llu", &kb) == 1)
			s->swap_total_kb = kb;
		else if (sscanf(line, "SwapFree: %llu", &kb) == 1)
			s->swap_free_kb = kb;
	}
	fclose(f);
}

/* The some and full avg10 of the pressure file at path; false when it is missing. */
static bool psi_file(const char *path, double *some, double *full)
{
	char buf[512];
	const char *p;

	if (read_small(path, buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "some avg10=");
	*some = p ? strtod(p + 11, NULL) : 0;
	p = strstr(buf, "full avg10=");
	*full = p ? strtod(p + 11, NULL) : 0;
	return true;
}

/* The some and full avg10 of one /proc/pressure file; false when it is missing. */
static bool read_psi(struct sched_proc *sp, const char *what, double *some, double *full)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/pressure/%s", sp->root, what);
	return psi_file(path, some, full);
}

/* The previous counters of a disk, added when new. */
static struct disk_ticks *disk_slot(struct sched_proc *sp, const char *name)
{
	for (size_t i = 0; i < sp->ndisks; i++)
		if (!strcmp(sp->disks[i].name, name))
			return &sp->disks[i];
	if (sp->ndisks == PROC_MAX_DISKS)
		return NULL;
	snprintf(sp->disks[sp->ndisks].name, sizeof(sp->disks[0].name), "%s", name);
	return &sp->disks[sp->ndisks++];
}

/* Busiest first. */
static int disk_cmp(const void *a, const void *b)
{
	const struct sched_disk *x = a, *y = b;

	if (x->util != y->util)
		return x->util > y->util ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Whole disks from /proc/diskstats: utilisation, IOPS and average time per request. */
static void read_disks(struct sched_proc *sp, struct sched_system *s)
{
	struct sched_disk found[PROC_MAX_DISKS];
	char path[128], line[512], name[32];
	double now = clock_seconds(CLOCK_MONOTONIC);
	double dt = sp->last_disk_s > 0 ? now - sp->last_disk_s : 0;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/diskstats", sp->root);
	f = fopen(path, "re");
	s->ndisks = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long rd, rd_ms, wr, wr_ms, io_ms, x;
		struct disk_ticks *old;
		uint64_t ios, ticks;
		bool virt;

		if (sscanf(line, " %*u %*u %31s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   name, &rd, &x, &x, &rd_ms, &wr, &x, &x, &wr_ms, &x, &io_ms) != 11)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s", name);
		if (access(path, F_OK))
			continue; /* a partition */
		virt = !strncmp(name, "loop", 4) || !strncmp(name, "ram", 3) ||
		       !strncmp(name, "zram", 4);
		old = disk_slot(sp, name);
		if (!old)
			continue;
		ios = rd + wr;
		ticks = rd_ms + wr_ms;
		if (dt > 0 && ios >= old->ios && n < PROC_MAX_DISKS && (!virt || ios > old->ios)) {
			struct sched_disk *d = &found[n++];
			uint64_t dios = ios - old->ios;

			snprintf(d->name, sizeof(d->name), "%s", name);
			d->util = (double)(io_ms - old->io_ms) / (dt * 1000);
			if (d->util > 1)
				d->util = 1;
			d->iops = (double)dios / dt;
			d->avg_ms = dios ? (double)(ticks - old->ticks_ms) / (double)dios : 0;
		}
		old->ios = ios;
		old->ticks_ms = ticks;
		old->io_ms = io_ms;
	}
	fclose(f);
	sp->last_disk_s = now;
	qsort(found, n, sizeof(found[0]), disk_cmp);
	s->ndisks = n < SCHED_MAX_DISKS ? n : SCHED_MAX_DISKS;
	memcpy(s->disks, found, s->ndisks * sizeof(found[0]));
}

void sched_proc_system(struct sched_proc *sp, struct sched_system *s)
{
	char path[96], buf[128];
	struct sched_psi *p = &s->psi;
	double unused;

	read_cpus(sp, s);
	read_memory(sp, s);
	snprintf(path, sizeof(path), "%s/loadavg", sp->root);
	if (read_small(path, buf, sizeof(buf)) > 0)
		sscanf(buf, "%lf %lf %lf", &s->load[0], &s->load[1], &s->load[2]);
	p->has_cpu = read_psi(sp, "cpu", &p->cpu_some, &unused);
	p->has_io = read_psi(sp, "io", &p->io_some, &p->io_full);
	p->has_mem = read_psi(sp, "memory", &p->mem_some, &p->mem_full);
	read_disks(sp, s);
}

/* The value of "key N" in the text of a cgroup's cpu.stat; false when it has none. */
static bool stat_value(const char *text, const char *key, uint64_t *v)
{
	size_t n = strlen(key);

	for (const char *s = text; (s = strstr(s, key)); s += n)
		if ((s == text || s[-1] == '\n') && s[n] == ' ') {
			*v = strtoull(s + n + 1, NULL, 10);
			return true;
		}
	return false;
}

/* Read one cgroup's throttling counters (v1: throttled_time in ns) from dir/cpu.stat. */
static bool read_throttle(const char *dir, bool v1, struct sched_proc_group *g)
{
	char path[512], buf[1024];

	snprintf(path, sizeof(path), "%s/cpu.stat", dir);
	if (read_small(path, buf, sizeof(buf)) < 0 ||
	    !stat_value(buf, "nr_throttled", &g->nr_throttled))
		return false;
	if (v1 && stat_value(buf, "throttled_time", &g->throttled_us))
		g->throttled_us /= 1000;
	else if (!v1 && !stat_value(buf, "throttled_usec", &g->throttled_us))
		return false;
	g->has_throttle = true;
	g->v1 = v1;
	return true;
}

bool sched_proc_group(struct sched_proc *sp, uint32_t pid, struct sched_proc_group *g)
{
	char path[512], buf[2048], v2[256] = "", cpu[256] = "", *save = NULL;
	struct sched_psi *p = &g->psi;
	double unused;

	memset(g, 0, sizeof(*g));
	snprintf(path, sizeof(path), "%s/%u/cgroup", sp->root, pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return false;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c2 = '\0';
		if (!strcmp(line, "0:") && c2 == c1 + 1)
			snprintf(v2, sizeof(v2), "%s", c2 + 1);
		else if (cgroup_opts_have_cpu(c1 + 1))
			snprintf(cpu, sizeof(cpu), "%s", c2 + 1);
	}
	if (sp->v2_mnt[0] && v2[0]) {
		char dir[400];

		snprintf(dir, sizeof(dir), "%s%s", sp->v2_mnt, strcmp(v2, "/") ? v2 : "");
		snprintf(path, sizeof(path), "%s/cpu.pressure", dir);
		p->has_cpu = psi_file(path, &p->cpu_some, &unused);
		snprintf(path, sizeof(path), "%s/io.pressure", dir);
		p->has_io = psi_file(path, &p->io_some, &p->io_full);
		snprintf(path, sizeof(path), "%s/memory.pressure", dir);
		p->has_mem = psi_file(path, &p->mem_some, &p->mem_full);
		if (sp->v2_cpu)
			read_throttle(dir, false, g);
	}
	if (!g->has_throttle && sp->cpu_mnt[0] && cpu[0]) {
		char dir[400];

		snprintf(dir, sizeof(dir), "%s%s", sp->cpu_mnt, strcmp(cpu, "/") ? cpu : "");
		read_throttle(dir, true, g);
	}
	return true;
}

void sched_proc_cgroup_short(const char *path, char *out, size_t len)
{
	static const char *const prefixes[][2] = {
		{ "docker-", "docker:" },
		{ "cri-containerd-", "ctr:" },
		{ "crio-", "crio:" },
		{ "libpod-", "podman:" },
	};
	const char *end = path + strlen(path);
	const char *seg_end = end;

	while (seg_end > path && seg_end[-1] == '/')
		seg_end--;
	if (seg_end == path) {
		snprintf(out, len, "/");
		return;
	}
	/* From the innermost part out: a container id, else the innermost unit. */
	while (seg_end > path) {
		const char *seg = seg_end;
		int n;

		while (seg > path && seg[-1] != '/')
			seg--;
		n = (int)(seg_end - seg);
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t pl = strlen(prefixes[i][0]);

			if ((size_t)n > pl && !strncmp(seg, prefixes[i][0], pl)) {
				snprintf(out, len, "%s%.12s", prefixes[i][1], seg + pl);
				return;
			}
		}
		/* /docker/<64 hex> (cgroup v1, or the cgroupfs driver) */
		if (n == 64 && seg - path >= 8 && !strncmp(seg - 8, "/docker/", 8)) {
			snprintf(out, len, "docker:%.12s", seg);
			return;
		}
		if ((n > 8 && !strncmp(seg_end - 8, ".service", 8)) ||
		    (n > 6 && !strncmp(seg_end - 6, ".scope", 6))) {
			snprintf(out, len, "%.*s", n, seg);
			return;
		}
		seg_end = seg > path ? seg - 1 : path;
	}
	/* No unit: the innermost part. */
	seg_end = end;
	while (seg_end > path && seg_end[-1] == '/')
		seg_end--;
	{
		const char *seg = seg_end;

		while (seg > path && seg[-1] != '/')
			seg--;
		snprintf(out, len, "%.*s", (int)(seg_end - seg), seg);
	}
}

const char *sched_proc_user_name(struct sched_proc *sp, uint32_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	struct user_name *u;

	for (size_t i = 0; i < sp->nusers; i++)
		if (sp->users[i].uid == uid)
			return sp->users[i].name;
	u = &sp->users[sp->nusers < PROC_MAX_USERS ? sp->nusers++ : PROC_MAX_USERS - 1];
	u->uid = uid;
	if (!getpwuid_r(uid, &pw, buf, sizeof(buf), &res) && res)
		escape_cstr(u->name, sizeof(u->name), res->pw_name, 64);
	else
		snprintf(u->name, sizeof(u->name), "%u", uid);
	return u->name;
}

/* Read what pid is into info; false when it is gone. */
static bool info_read(struct sched_proc *sp, uint32_t pid, struct sched_proc_info *info)
{
	char path[128], buf[1024], raw[512];
	const char *cg = NULL;
	struct stat st;
	char *line;

	snprintf(path, sizeof(path), "%s/%u", sp->root, pid);
	if (stat(path, &st))
		return false;
	info->uid = st.st_uid;
	snprintf(info->user, sizeof(info->user), "%s", sched_proc_user_name(sp, st.st_uid));
	snprintf(path, sizeof(path), "%s/%u/cgroup", sp->root, pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return false;
	/* "0::/path" (v2), else the v1 hierarchy that holds the cpu controller */
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		if (!strncmp(line, "0::", 3)) {
			cg = c2 + 1;
			break;
		}
		*c2 = '\0';
		if (strstr(c1 + 1, "cpu") && !cg)
			cg = c2 + 1;
	}
	sched_proc_cgroup_short(cg ? cg : "/", raw, sizeof(raw));
	escape_cstr(info->cgroup, sizeof(info->cgroup), raw, sizeof(raw));
	return true;
}

/* Grow the table and put back the entries asked for since the last sweep (all when keep_all). */
static void table_rebuild(struct sched_proc *sp, size_t cap, bool keep_all)
{
	struct info_slot *old = sp->slots;
	size_t old_cap = sp->cap;

	sp->slots = xcalloc(cap, sizeof(*sp->slots));
	sp->cap = cap;
	sp->used = 0;
	for (size_t i = 0; i < old_cap; i++) {
		size_t h;

		if (!old[i].gen || (!keep_all && old[i].gen != sp->gen))
			continue;
		for (h = old[i].info.pid & (cap - 1); sp->slots[h].gen; h = (h + 1) & (cap - 1))
			;
		sp->slots[h] = old[i];
		sp->used++;
	}
	free(old);
}

const struct sched_proc_info *sched_proc_info(struct sched_proc *sp, uint32_t pid, bool gone)
{
	struct info_slot *s;
	size_t h;

	if (2 * (sp->used + 1) > sp->cap)
		table_rebuild(sp, sp->cap * 2, true);
	for (h = pid & (sp->cap - 1); sp->slots[h].gen; h = (h + 1) & (sp->cap - 1)) {
		if (sp->slots[h].info.pid == pid) {
			sp->slots[h].gen = sp->gen;
			return &sp->slots[h].info;
		}
	}
	s = &sp->slots[h];
	memset(s, 0, sizeof(*s));
	s->gen = sp->gen;
	s->info.pid = pid;
	s->info.named = !gone && info_read(sp, pid, &s->info);
	if (!s->info.named)
		sp->unnamed++;
	sp->used++;
	return &s->info;
}

void sched_proc_sweep(struct sched_proc *sp)
{
	table_rebuild(sp, sp->cap, false);
	sp->gen++;
}

uint64_t sched_proc_unnamed(const struct sched_proc *sp)
{
	return sp->unnamed;
}

bool sched_proc_thread_alive(const struct sched_proc *sp, uint32_t tid)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%u", sp->root, tid);
	return !access(path, F_OK);
}

int sched_proc_class(char state, bool kthread, const char *syscall_text,
		     bool (*fd_is_socket)(void *arg, unsigned long fd), void *arg)
{
	unsigned long a1 = 0, a2 = 0;
	long nr = -1;

	if (state == 'R')
		return SCHED_TIME_CPU;
	if (kthread)
		return state == 'D' ? SCHED_TIME_IO : SCHED_TIME_POLL;
	if (syscall_text && sscanf(syscall_text, "%ld %lx %lx", &nr, &a1, &a2) < 1)
		nr = -1;
#if defined(__x86_64__)
	switch (nr) {
	case 202: /* futex: as sched.bpf.c tells its commands apart */
		switch (a2 & 0x7f) {
		case 0:
		case 6:
		case 13:
			return SCHED_TIME_LOCK;
		case 9:
		case 11:
			return SCHED_TIME_POLL;
		}
		break;
	case 449:
	case 73:
		return SCHED_TIME_LOCK;
	case 72:
		if (a2 == 7 || a2 == 38)
			return SCHED_TIME_LOCK;
		break;
	case 35:
	case 230:
		return SCHED_TIME_SLEEP;
	case 7:
	case 23:
	case 232:
	case 270:
	case 271:
	case 281:
	case 441:
		return SCHED_TIME_POLL;
	case 42:
	case 43:
	case 44:
	case 45:
	case 46:
	case 47:
	case 288:
	case 299:
	case 307:
		return SCHED_TIME_NET;
	case 0:
	case 1:
	case 19:
	case 20:
		if (fd_is_socket && fd_is_socket(arg, a1))
			return SCHED_TIME_NET;
		break;
	}
#endif
	return state == 'D' ? SCHED_TIME_IO : SCHED_TIME_OTHER;
}

struct scan_ctx {
	const struct sched_proc *sp;
	uint32_t pid;
};

/* Whether fd of the scanned process is a socket: its /proc link says "socket:[...]". */
static bool scan_fd_is_socket(void *arg, unsigned long fd)
{
	const struct scan_ctx *sc = arg;
	char path[128], target[32];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/fd/%lu", sc->sp->root, sc->pid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	return n > 7 && !strncmp(target, "socket:", 7);
}

/* Read one thread's stat and syscall files into t; false when it is gone. */
static bool scan_thread(struct sched_proc *sp, uint32_t pid, uint32_t tid,
			struct sched_proc_thread *t)
{
	char path[128], buf[1024], sys[256];
	struct scan_ctx sc = { sp, pid };
	unsigned long flags = 0;
	char *open_paren, *close_paren;
	char state;

	snprintf(path, sizeof(path), "%s/%u/task/%u/stat", sp->root, pid, tid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return false;
	if (sscanf(close_paren + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2)
		return false;
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	t->kthread = flags & PROC_PF_KTHREAD;
	snprintf(t->comm, sizeof(t->comm), "%.*s", (int)(close_paren - open_paren - 1),
		 open_paren + 1);
	sys[0] = '\0';
	if (state != 'R' && !t->kthread) {
		snprintf(path, sizeof(path), "%s/%u/task/%u/syscall", sp->root, pid, tid);
		if (read_small(path, sys, sizeof(sys)) < 0)
			sys[0] = '\0';
	}
	t->cls = sched_proc_class(state, t->kthread, sys, scan_fd_is_socket, &sc);
	return true;
}

/* A decimal directory name as a number; 0 when it is not one. */
static uint32_t dir_number(const char *name)
{
	char *end;
	unsigned long v = strtoul(name, &end, 10);

	return *name && !*end && v <= UINT32_MAX ? (uint32_t)v : 0;
}

void sched_proc_scan(struct sched_proc *sp,
		     void (*fn)(void *arg, const struct sched_proc_thread *t), void *arg)
{
	DIR *procs = opendir(sp->root);
	struct dirent *pe;

	if (!procs)
		return;
	while ((pe = readdir(procs))) {
		uint32_t pid = dir_number(pe->d_name);
		struct sched_proc_thread t;
		char path[96];
		struct dirent *te;
		DIR *tasks;

		if (!pid)
			continue;
		snprintf(path, sizeof(path), "%s/%u/task", sp->root, pid);
		tasks = opendir(path);
		if (!tasks)
			continue;
		while ((te = readdir(tasks))) {
			uint32_t tid = dir_number(te->d_name);

			if (tid && scan_thread(sp, pid, tid, &t))
				fn(arg, &t);
		}
		closedir(tasks);
	}
	closedir(procs);
}
