/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The threads of one process as /proc shows them: /proc/PID/task/TID/{stat,status,wchan,stack},
 * each read once, bounded, and taken as "gone" when the thread exits mid-read. Used by the
 * Stacks collector; knows nothing of BPF.
 */
#ifndef KTOP_STACKS_PROC_H
#define KTOP_STACKS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What /proc says of one thread at one moment. */
struct stacks_proc_task {
	uint32_t tid;
	uint32_t tgid;	    /* its process, from status */
	char name[72];	    /* comm, escaped */
	char state;	    /* R, S, D, T, Z, ... */
	uint64_t ticks;	    /* utime + stime, in clock ticks */
	uint64_t start;	    /* starttime, in clock ticks after boot: tells a reused id apart */
	uint64_t voluntary; /* context switches since the thread started */
	uint64_t involuntary;
	char wchan[64];	  /* where it sleeps, "" when running or unknown */
	char kstack[512]; /* innermost first, "a <- b <- c"; "" when unreadable or empty */
};

/*
 * Parse the text of a stat file (len bytes) into t's name, state, ticks and start; false if it
 * is not one. The name may hold spaces and parentheses: it ends at the last ')'.
 */
bool stacks_proc_parse_stat(const char *buf, size_t len, struct stacks_proc_task *t);
/* Parse Tgid, voluntary_ctxt_switches and nonvoluntary_ctxt_switches from a status file. */
void stacks_proc_parse_status(const char *buf, size_t len, struct stacks_proc_task *t);
/* Turn a stack file's text ("[<0>] name+0x1/0x2" lines) into "a <- b <- c", escaped. */
void stacks_proc_format_kstack(const char *buf, size_t len, char *out, size_t out_len);

/*
 * The thread ids of process pid, ascending, into *tids (grown as needed, *cap its size; the
 * caller frees it). Their number, or -ESRCH when there is no such process, or -errno.
 */
int stacks_proc_list(uint32_t pid, uint32_t **tids, size_t *cap);

/*
 * Read thread tid of process pid into t (its kernel stack only when want_kstack). 0, or
 * -ESRCH when the thread is gone, even if it left mid-read.
 */
int stacks_proc_read_task(uint32_t pid, uint32_t tid, bool want_kstack, struct stacks_proc_task *t);

/* Read /proc/PID/comm, escaped into out; false when the process is gone. */
bool stacks_proc_read_comm(uint32_t pid, char *out, size_t out_len);

#endif
