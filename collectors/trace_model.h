/* SPDX-License-Identifier: GPL-2.0 */
/* The Trace model: user probes and their formatted events, and VFS operation rates. */
#ifndef KTOP_TRACE_MODEL_H
#define KTOP_TRACE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_MAX_PROBES 64
#define TRACE_MAX_ARGS 6
#define TRACE_EVENTS_MAX 1000 /* events kept: the most recent */
#define TRACE_VFS_HISTORY 60  /* intervals of VFS rates kept for the sparklines */

enum trace_vfs_op {
	TRACE_VFS_READ,
	TRACE_VFS_WRITE,
	TRACE_VFS_CREATE,
	TRACE_VFS_OPEN,
	TRACE_VFS_FSYNC,
	TRACE_VFS_COUNT,
};

/* One probe the user added. */
struct trace_probe_info {
	uint32_t id;        /* #1, #2, ... as shown */
	char type;          /* 'p' uprobe, 'r' uretprobe, 'U' USDT, 't' tracepoint */
	char spec[512];     /* as the user gave it, escaped */
	char target[256];   /* what it resolved to, e.g. "/usr/lib/x86_64-linux-gnu/libpam.so.0:pam_start" */
	bool attached;
	char why[160];      /* why not attached */
	uint64_t events;    /* since it was added */
	uint64_t interval_events;
	uint64_t lost;      /* its events the ring buffer dropped */
};

/* One event, formatted. */
struct trace_event {
	double time;        /* wall clock, seconds since the epoch */
	uint32_t pid;
	uint32_t tid;
	char comm[72];      /* escaped */
	uint32_t probe_id;
	char *message;      /* owned; formatted and escaped */
	uint64_t args[TRACE_MAX_ARGS]; /* the raw integer values (strings: their address or 0) */
	uint32_t nargs;
};

struct trace_model {
	struct trace_probe_info *probes; /* owned */
	size_t nprobes;
	struct trace_event *events;      /* owned; oldest first */
	size_t nevents;
	uint64_t vfs[TRACE_VFS_COUNT];   /* operations in the last interval */
	uint64_t vfs_history[TRACE_VFS_COUNT][TRACE_VFS_HISTORY]; /* per-second rates, oldest first */
	bool vfs_active;                 /* the VFS counters are attached */
	char vfs_how[64];                /* "syscall tracepoints" or why not */
	double interval_s;
	uint64_t lost;                   /* events the ring buffer dropped, all probes */
	uint64_t polls;
};

/* A deep copy; free with trace_model_free. */
struct trace_model *trace_model_dup(const struct trace_model *m);
void trace_model_free(struct trace_model *m);
/* "read", "write", "create", "open", "fsync". */
const char *trace_vfs_name(enum trace_vfs_op op);

#endif
