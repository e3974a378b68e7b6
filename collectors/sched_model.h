/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Overview model: the system's figures (CPUs, memory, run-queue latency, pressure, disks)
 * and each process's (and thread's) time over the interval split into classes. Plain C.
 */
#ifndef KTOP_SCHED_MODEL_H
#define KTOP_SCHED_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/hist.h"

/* The classes, in column order (the same as bpf/sched.h's). */
enum sched_model_class {
	SCHED_TIME_CPU,
	SCHED_TIME_RUNQ,
	SCHED_TIME_IO,
	SCHED_TIME_LOCK,
	SCHED_TIME_NET,
	SCHED_TIME_SLEEP,
	SCHED_TIME_POLL,
	SCHED_TIME_OTHER,
	SCHED_NCLASSES,
};

#define SCHED_MAX_CPUS	 256
#define SCHED_MAX_DISKS	 8
#define SCHED_NAME_LEN	 72 /* escaped comm or thread name */
#define SCHED_CGROUP_LEN 48 /* escaped short cgroup name */

/* One CPU's use over the interval, as fractions of its time. */
struct sched_cpu {
	double user; /* user and nice */
	double system;
	double irq; /* irq and softirq */
	double steal;
};

/* Pressure stall information, avg10 percentages; has_* false where the file is missing. */
struct sched_psi {
	bool has_cpu, has_io, has_mem;
	double cpu_some, io_some, io_full, mem_some, mem_full;
};

/* One whole disk over the interval, from /proc/diskstats. */
struct sched_disk {
	char name[32];
	double util; /* fraction of the interval with I/O in flight */
	double iops;
	double avg_ms; /* average time per completed request */
};

struct sched_system {
	int ncpus;
	struct sched_cpu cpus[SCHED_MAX_CPUS];
	double load[3];
	uint64_t mem_total_kb, mem_avail_kb, swap_total_kb, swap_free_kb;
	struct hist runq; /* run-queue latency over the interval, microseconds */
	struct sched_psi psi;
	struct sched_disk disks[SCHED_MAX_DISKS];
	size_t ndisks;
	/*
	 * Switches and wakeups the tracepoint did not report, since start (some kernels' threads
	 * leave a CPU unseen): not a loss, each span was split by the scheduler's own clocks.
	 */
	uint64_t switches_repaired;
};

/* A process, or one thread of it (tid != 0). */
struct sched_row {
	uint32_t pid;
	uint32_t tid; /* 0: the whole process */
	uint32_t uid;
	uint32_t threads; /* live threads (1 for a thread row) */
	char state;	  /* R running or runnable, D in I/O, S waiting, X exited */
	bool kthread;
	bool self; /* ktop itself */
	char user[16];
	char comm[SCHED_NAME_LEN];
	char cgroup[SCHED_CGROUP_LEN];
	uint64_t ns[SCHED_NCLASSES]; /* the interval's time, summed over its threads */
};

/*
 * A cgroup of the grouped view (G): its CPU throttling over the interval, from its cpu
 * controller's cpu.stat (v2, or the v1 cpu hierarchy), and its own pressure files.
 */
struct sched_group {
	char cgroup[SCHED_CGROUP_LEN]; /* the short name the rows have */
	bool has_throttle;	       /* cpu.stat was read at this poll and the last */
	bool v1;		       /* read from the v1 cpu hierarchy */
	uint64_t nr_throttled;	       /* periods throttled in the interval */
	uint64_t throttled_us;	       /* time throttled in the interval */
	struct sched_psi psi;	       /* avg10; has_* false where the file is missing */
};

struct sched_model {
	double interval_s;
	uint64_t polls;
	struct sched_system sys;
	struct sched_row *procs; /* owned, by non-idle time, busiest first */
	size_t nprocs;
	struct sched_row *threads; /* owned, grouped by pid, busiest first within one */
	size_t nthreads;
	bool filtered; /* a PID filter is on */
	struct sched_group *groups; /* owned, by name; only while grouped (filter.sched_groups) */
	size_t ngroups;
};

/* The class's name as in columns and JSON: "cpu", "runq", ... */
const char *sched_class_name(int cls);
/* Time that is not idle: cpu + runq + io + lock. */
uint64_t sched_row_busy_ns(const struct sched_row *r);
/* The whole CPU use of the box (0-1) over the interval. */
double sched_system_cpu_busy(const struct sched_system *s);
/* One line naming what the box is short of, with the figures it used (USE method). */
void sched_model_verdict(const struct sched_model *m, char *buf, size_t len);
/* Order rows by class cls (SCHED_NCLASSES: non-idle time), largest first, then by pid. */
void sched_rows_sort(struct sched_row *rows, size_t n, int cls);
/*
 * The process rows (m->procs, replaced) summed from the thread rows, which are left ordered by
 * process, the main thread first, then by TID: each the first thread's row (its name, user,
 * cgroup) with the threads' time added, its live threads counted and its most telling state
 * (R over D over S over X). Unsorted by time.
 */
void sched_model_build_procs(struct sched_model *m);
/* The group of that short cgroup name, or NULL. */
const struct sched_group *sched_model_group(const struct sched_model *m, const char *cgroup);
/* A deep copy; NULL-tolerant. */
struct sched_model *sched_model_dup(const struct sched_model *m);
/* Free what the model owns (not the model itself). */
void sched_model_clear(struct sched_model *m);
/* Free a copy made by sched_model_dup. */
void sched_model_free(struct sched_model *m);

#endif
