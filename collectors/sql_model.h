/* SPDX-License-Identifier: GPL-2.0 */
/* The Slow queries model: database servers found, slow queries seen, and their digest. */
#ifndef KTOP_SQL_MODEL_H
#define KTOP_SQL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/hist.h"
#include "collectors/sched_model.h"
#include "collectors/stack.h"

#define SQL_HISTORY_S 60 /* seconds of slow-query counts kept for the sparkline */
#define SQL_QUERIES_MAX 1000 /* slow queries kept in the list by default: the most recent */
#define SQL_DIGESTS_MAX 4096 /* fingerprints kept; later new ones are counted under "[other]" */
#define SQL_OTHER_FINGERPRINT "[other]"
#define SQL_QUERY_STACKS_MAX 5 /* a query's heaviest blocked stacks, and "[other stacks]" */
#define SQL_STACK_CLASS_MIXED 0xff /* the stack_class of "[other stacks]": any class */

enum sql_kind {
	SQL_KIND_MYSQL, /* MySQL or MariaDB */
	SQL_KIND_PG,    /* PostgreSQL */
};

/* A server process found and how it is traced (or why not). */
struct sql_server {
	uint32_t pid;
	enum sql_kind kind;
	char exe[256];    /* escaped path of its binary */
	char how[96];     /* "uprobe dispatch_command", "USDT query__start/done" */
	char why[160];    /* why it is not traced, "" when it is */
	bool traced;
};

/*
 * Where a query's time went while in flight on its server thread: nanoseconds per thread-state
 * class (enum sched_model_class; they add up to its latency), the times its thread left a CPU,
 * and the block I/O the thread submitted. All zero when the kernel side could not split it.
 */
struct sql_query_waits {
	uint64_t ns[SCHED_NCLASSES];
	uint64_t switches;
	uint64_t io_count;
	uint64_t io_bytes;
};

/* A blocked stack of a query: its class, and how it was named and walked. */
struct sql_stack_info {
	uint8_t cls;	  /* its class (enum sched_model_class), or SQL_STACK_CLASS_MIXED */
	uint8_t kclass;	  /* the class the kernel gave its blocks, before a rule */
	bool dwarf;	  /* its user frames were unwound with DWARF, else frame pointers */
	const char *rule; /* "mariadb.rules:12: FRAME ... -> CLASS" that named it (interned
			   * in the stacks' store), or NULL: the kernel's class */
};

/* One slow query. */
struct sql_query {
	double time;          /* wall clock of its end, seconds since the epoch */
	double start;         /* wall clock of its start */
	uint32_t pid;
	uint32_t tid;
	enum sql_kind kind;
	uint64_t latency_us;
	char *text;           /* owned; escaped; NUL-terminated */
	bool truncated;       /* the text was cut at the copy limit */
	bool prepared;        /* a prepared statement's execution */
	const char *fingerprint; /* owned by the model's digest entry */
	uint32_t server_pid;  /* the server it ran in (a backend's postmaster), 0 if unknown */
	uint64_t seq;         /* its number among the queries seen since start or reset, from 1 */
	char database[96];    /* escaped; the database it ran in, "" if not known */
	char user[96];        /* escaped; the user that ran it, "" if not known */
	struct sql_query_waits waits;
	/*
	 * The heaviest stacks its thread blocked in, value in microseconds blocked, heaviest
	 * first (the samples share the collector's store), and what stack_info[i] says of
	 * samples[i].
	 */
	struct stack_set stacks;
	struct sql_stack_info stack_info[SQL_QUERY_STACKS_MAX];
};

/* Slow queries grouped by fingerprint (literals replaced by ?, whitespace and case folded). */
struct sql_digest {
	char *fingerprint;    /* owned */
	enum sql_kind kind;
	uint64_t count;
	uint64_t total_us;
	uint64_t max_us;
	double last_seen;     /* wall clock */
	struct hist lat_us;   /* for the estimated p95 */
	uint64_t waits_count; /* queries whose time was split by class */
	struct sql_query_waits waits; /* their sums: averages are these over waits_count */
};

struct sql_model {
	struct sql_server *servers; /* owned */
	size_t nservers;
	struct sql_query *queries;  /* owned; oldest first; at most the history limit */
	size_t nqueries;
	struct sql_digest *digests; /* owned; since start or reset */
	size_t ndigests;
	uint64_t per_second[SQL_HISTORY_S]; /* slow queries per second, oldest first */
	uint64_t seen;              /* slow queries received since start or reset */
	uint64_t interval_from;     /* seen when the shown interval began: its queries' seq is above */
	uint64_t unlisted;          /* queries dropped from the list past its bound */
	size_t list_max;            /* the list's bound (0: SQL_QUERIES_MAX) */
	uint64_t lost;              /* records the ring buffer dropped */
	/* in-flight spans whose switch or wakeup was not seen, split by the scheduler's clocks */
	uint64_t waits_repaired;
	/* blocked stacks whose user stack was not copied (DWARF mode): named by frame pointers */
	uint64_t stacks_not_copied;
	uint64_t threshold_ms;
	size_t text_limit;          /* bytes of query text copied */
	/* by enum sql_kind: the first bad line of its rules file, "FILE:LINE: why"; "" if none */
	char rules_warning[2][256];
	uint64_t polls;
};

/* A deep copy; free with sql_model_free. */
struct sql_model *sql_model_dup(const struct sql_model *m);
void sql_model_free(struct sql_model *m);
/* "mysql" or "pg". */
const char *sql_kind_name(enum sql_kind kind);
/* Whether the query's time was split by class (some class holds time). */
bool sql_waits_has(const struct sql_query_waits *w);
/*
 * The two largest classes with their share of the sum, "lock 91% cpu 6%" (one when it holds
 * it all), or "-" when the time was not split.
 */
void sql_waits_summary(const struct sql_query_waits *w, char *buf, size_t len);

/*
 * Filling a live model (collectors/sql.c; the unit tests). The index finds digests by
 * fingerprint and places counts in per_second; it belongs to the model it was used with.
 */
struct sql_model_index;

struct sql_model_index *sql_model_index_new(void);
void sql_model_index_free(struct sql_model_index *ix);
/*
 * Add one slow query: q's numbers are copied, its stacks moved in (text, fingerprint and seq
 * are ignored); raw is
 * its text as the server had it (len bytes, any bytes), escaped on the way in, and its
 * fingerprint is computed from it. The list keeps at most list_max after sql_model_trim.
 */
void sql_model_add(struct sql_model *m, struct sql_model_index *ix, const struct sql_query *q,
		   const char *raw, size_t len);
/* Drop the oldest queries beyond the list's bound, counted in unlisted. */
void sql_model_trim(struct sql_model *m);
/* Move per_second on to the wall-clock second of now (seconds since the epoch). */
void sql_model_advance(struct sql_model *m, struct sql_model_index *ix, double now);
/* The list's first query of the shown interval (nqueries if none is listed). */
size_t sql_model_interval_start(const struct sql_model *m);
/* Forget queries, digests and counts (servers, threshold and limits stay). */
void sql_model_reset(struct sql_model *m, struct sql_model_index *ix);
/* Free what m owns and zero it; m itself is the caller's. */
void sql_model_clear(struct sql_model *m);

#endif
