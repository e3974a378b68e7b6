/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the Overview reads from /proc: the system's figures each interval, the user and cgroup
 * of each process once (cached while it lives), and the state of every thread at open.
 */
#ifndef KTOP_SCHED_PROC_H
#define KTOP_SCHED_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/sched_model.h"

struct sched_proc;

/* What a process is, read once. */
struct sched_proc_info {
	uint32_t pid;
	uint32_t uid;
	bool named; /* false: it was gone before it could be read (user, cgroup empty) */
	char user[16];
	char cgroup[SCHED_CGROUP_LEN];
};

/* A thread found by the scan at open, with the class of what it is doing now. */
struct sched_proc_thread {
	uint32_t pid;
	uint32_t tid;
	int cls; /* enum sched_model_class */
	bool kthread;
	char comm[16];
};

/* A cgroup's cumulative CPU throttling and its own pressure, as read now. */
struct sched_proc_group {
	bool has_throttle; /* its cpu controller's cpu.stat was read */
	bool v1;	   /* from the v1 cpu hierarchy (else v2) */
	uint64_t nr_throttled;
	uint64_t throttled_us;
	struct sched_psi psi; /* its cpu, io and memory.pressure (v2), where present */
};

struct sched_proc *sched_proc_new(const char *proc_root);
void sched_proc_free(struct sched_proc *sp);
/* Read CPUs, load, memory, pressure and disks into s (rates over the time since the last call). */
void sched_proc_system(struct sched_proc *sp, struct sched_system *s);
/* The user and cgroup of pid, read from /proc the first time it is asked for (not when gone). */
const struct sched_proc_info *sched_proc_info(struct sched_proc *sp, uint32_t pid, bool gone);
/* The name of a user, looked up once per uid. */
const char *sched_proc_user_name(struct sched_proc *sp, uint32_t uid);
/*
 * The throttling and pressure of pid's cgroup: cpu.stat of its v2 cgroup where v2 has the cpu
 * controller, else of its cgroup in the v1 cpu hierarchy; the pressure files of its v2
 * cgroup. false when pid is gone.
 */
bool sched_proc_group(struct sched_proc *sp, uint32_t pid, struct sched_proc_group *g);
/* Forget the processes not asked for since the last sweep. */
void sched_proc_sweep(struct sched_proc *sp);
/* Processes that exited before their user and cgroup could be read. */
uint64_t sched_proc_unnamed(const struct sched_proc *sp);
/* Call fn for every thread of every process, with the class /proc gives for it now. */
void sched_proc_scan(struct sched_proc *sp,
		     void (*fn)(void *arg, const struct sched_proc_thread *t), void *arg);
/* Whether /proc/TID still exists (a thread of any process). */
bool sched_proc_thread_alive(const struct sched_proc *sp, uint32_t tid);
/*
 * The short form of a cgroup v2 path (or the v1 cpu hierarchy's): the container
 * ("docker:0123456789ab"), the systemd unit ("nginx.service"), or the last part ("/").
 */
void sched_proc_cgroup_short(const char *path, char *out, size_t len);
/*
 * The class of a thread from its /proc state letter and its syscall file's text
 * ("202 0x7f.. 0x80 ..."; "running"); fd_is_socket says whether an fd is a socket.
 */
int sched_proc_class(char state, bool kthread, const char *syscall_text,
		     bool (*fd_is_socket)(void *arg, unsigned long fd), void *arg);

#endif
