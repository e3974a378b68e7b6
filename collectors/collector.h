/* SPDX-License-Identifier: GPL-2.0 */
/* The collector interface: one collector per panel, owning its BPF objects and its model. */
#ifndef KTOP_COLLECTOR_H
#define KTOP_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/filter.h"

#define COLLECTOR_WHY_LEN 256
#define COLLECTOR_MAX_DROPS 16

struct sym_cache;
struct unwind_cache;

/* What the user asked for on the command line, and what core lends; read at open(). */
struct ktop_config {
	double delay_s;         /* refresh interval */
	uint64_t min_block_us;  /* off-CPU: shortest block kept */
	uint64_t slow_ms;       /* slow queries threshold */
	uint64_t bio_slow_us;   /* block I/O: latency counted as slow */
	uint32_t stack_storage; /* stacks the kernel side can hold (--stack-storage) */
	uint32_t max_stacks;    /* stacks kept in user space since the reset (0: no bound) */
	uint32_t sample_hz;     /* on-CPU sampling frequency (-F, default 99) */
	uint32_t ustack_kib;    /* DWARF unwinding: KiB of user stack copied (0: 16) */
	/* stacks: with no target, the stacks of every process (a profile of the box), no picker */
	bool stacks_every_process;
	bool batch;
	/* slow queries: --db targets (a server binary's path or a PID); none: find every server */
	const char *db_targets[16];
	size_t ndb_targets;
	uint32_t text_limit;    /* slow queries: bytes of query text copied (0: 1024) */
	uint32_t max_queries;   /* slow queries: the most recent kept in the list (0: 1000) */
	/* trace: --trace specs, added at open */
	const char *trace_specs[64];
	size_t ntrace_specs;
	uint32_t string_limit;  /* trace: bytes of a string argument copied (0: 80) */
	/*
	 * Borrowed, made once by core: the symbol cache every collector that names addresses
	 * shares, so a process followed by several panels is read and parsed once (NULL: a
	 * collector makes its own).
	 */
	struct sym_cache *syms;
	/* Borrowed, made once by core over syms: the DWARF unwinder the stack collectors share. */
	struct unwind_cache *unwinder;
};

/* A named in-kernel or user-space loss counter, cumulative since open(). */
struct collector_drop {
	const char *name;
	uint64_t count;
};

struct collector;

struct collector_ops {
	const char *name;
	/* Load and attach; 0, or -errno with c->why saying what is missing. */
	int (*open)(struct collector *c, const struct ktop_config *cfg);
	/* Drain maps and ring buffers into the live model; 0 or -errno. */
	int (*poll)(struct collector *c);
	/*
	 * Apply the parts of f named by changed (FILTER_* bits), live; the first call after
	 * open() has FILTER_ALL. 0 or -errno with c->why.
	 */
	int (*configure)(struct collector *c, const struct filter *f, unsigned int changed);
	/* Start cumulative figures again from now. */
	void (*reset)(struct collector *c);
	/* A copy of the live model that the caller owns and frees with model_free. */
	void *(*snapshot)(const struct collector *c);
	void (*model_free)(void *model);
	/* A file descriptor that becomes readable when events wait (a ring buffer's epoll fd),
	 * or -1; NULL when the collector has none. */
	int (*event_fd)(struct collector *c);
	/* Consume waiting events without blocking; 0 or -errno. */
	int (*events)(struct collector *c);
	/* Add a user-given item (a probe spec); its id, or -errno with c->why. NULL: none. */
	int (*add)(struct collector *c, const char *spec);
	/* Remove the item with this id; 0 or -errno with c->why. NULL: none. */
	int (*remove)(struct collector *c, uint32_t id);
	/* Its panel became visible or hidden (costly probes attach only while visible). */
	void (*set_visible)(struct collector *c, bool visible);
	/* Detach and free; safe after a failed open and on a zeroed collector. */
	void (*close)(struct collector *c);
};

struct collector {
	const struct collector_ops *ops;
	void *priv;                  /* the collector's own state */
	bool is_open;                /* open() succeeded */
	char why[COLLECTOR_WHY_LEN]; /* why open() or the last poll() failed */
	char mode[32];               /* how it is attached, e.g. "tp_btf" or "raw_tp" */
	char unwind[32];             /* stack collectors: how user stacks are walked, e.g. "dwarf" */
	char cgroup[16];	     /* --cgroup: where it filters ("kernel"), "" when off */
	struct collector_drop drops[COLLECTOR_MAX_DROPS];
	size_t ndrops;
};

/* Note how the collector filters by cg (in the kernel or not); "" when cg is off. */
void collector_set_cgroup(struct collector *c, const struct filter_cgroup *cg, bool in_kernel);
/* The sum of the collector's drop counters. */
uint64_t collector_drops_total(const struct collector *c);
/* The start of every close(): the collector is no longer open and shows no drops; its priv. */
void *collector_closing(struct collector *c);
/* Refuse a call on a collector that is not open: -EBADF, c->why "NAME: not open". */
int collector_not_open(struct collector *c);
/*
 * The end of a failed open(): the collector closed again (its why kept) and no mode shown;
 * returns err.
 */
int collector_open_failed(struct collector *c, int err);

/*
 * The snapshot and model_free of a collector NAME whose struct NAME_priv holds its live model
 * in a member named model, copied by NAME_model_dup and freed by NAME_model_free: defines
 * NAME_snapshot and NAME_model_release for its ops.
 */
#define COLLECTOR_MODEL_OPS(NAME)                                                                \
	static void *NAME##_snapshot(const struct collector *c)                                  \
	{                                                                                        \
		const struct NAME##_priv *priv = c->priv;                                        \
                                                                                                 \
		return priv ? NAME##_model_dup(&priv->model) : NULL;                             \
	}                                                                                        \
	COLLECTOR_MODEL_FREE(NAME)

/* The model_free of a collector NAME whose snapshots NAME_model_free frees: NAME_model_release. */
#define COLLECTOR_MODEL_FREE(NAME)                                                               \
	static void NAME##_model_release(void *model)                                            \
	{                                                                                        \
		NAME##_model_free(model);                                                        \
	}

#endif
