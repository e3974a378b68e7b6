/* SPDX-License-Identifier: GPL-2.0 */
/* The Slow queries model: database servers found, slow queries seen, and their digest. */
#ifndef KTOP_SQL_MODEL_H
#define KTOP_SQL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/hist.h"

#define SQL_HISTORY_S 60 /* seconds of slow-query counts kept for the sparkline */

enum sql_kind {
	SQL_KIND_MYSQL, /* MySQL or MariaDB */
	SQL_KIND_PG,    /* PostgreSQL */
};

/* A server process found and how it is traced (or why not). */
struct sql_server {
	uint32_t pid;
	enum sql_kind kind;
	char exe[256];    /* escaped path of its binary */
	char how[64];     /* "uprobe dispatch_command", "USDT query__start/done" */
	char why[160];    /* why it is not traced, "" when it is */
	bool traced;
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
	uint64_t lost;              /* records the ring buffer dropped */
	uint64_t threshold_ms;
	size_t text_limit;          /* bytes of query text copied */
	uint64_t polls;
};

/* A deep copy; free with sql_model_free. */
struct sql_model *sql_model_dup(const struct sql_model *m);
void sql_model_free(struct sql_model *m);
/* "mysql" or "pg". */
const char *sql_kind_name(enum sql_kind kind);

#endif
