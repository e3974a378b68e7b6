// SPDX-License-Identifier: GPL-2.0
/*
 * The Slow queries collector: finds MySQL, MariaDB and PostgreSQL servers (again at each scan),
 * attaches sql.bpf.c to each server binary once, and turns the slow queries the kernel sends
 * through its ring buffer into struct sql_model.
 */
#include "collectors/sql.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/bpf_common.h"
#include "collectors/pid_filter.h"
#include "collectors/sql_discover.h"
#include "collectors/sql_model.h"
#include "collectors/sql_rules.h"
#include "collectors/sql_stacks.h"
#include "collectors/ustack_reader.h"
#include "util/clock.h"
#include "util/escape.h"
#include "util/xalloc.h"
#include "bpf/sql.h"
#include "bpf/sql.skel.h"
#include "bpf/ustack.h"

_Static_assert(SQL_PIDS_MAX >= KTOP_MAX_PIDS, "the BPF PID filter is smaller than KTOP_MAX_PIDS");
_Static_assert((int)SQL_EV_MYSQL == (int)SQL_KIND_MYSQL && (int)SQL_EV_PG == (int)SQL_KIND_PG,
	       "bpf/sql.h and collectors/sql_model.h disagree on kinds");
_Static_assert(SQL_EVENT_HDR_SIZE == __builtin_offsetof(struct sql_event, text),
	       "SQL_EVENT_HDR_SIZE is not the offset of sql_event.text");

#define SQL_SCAN_S	 1.0 /* the least time between two /proc scans, for a --db path */
#define SQL_SCAN_IDLE_S	 5.0 /* otherwise: a server's exec, or its exit, scans at once */
#define SQL_TEXT_DEFAULT 1024 /* bytes of query text copied unless told */
#define SQL_TARGETS_MAX	 (sizeof(((struct ktop_config *)0)->db_targets) / sizeof(const char *))
#define SQL_PRUNE_MAX	 1024 /* stale map entries removed per scan */
/*
 * Blocked queries' user stacks copied a second per CPU (DWARF mode): each costs ktop an
 * unwinding, and every server of the box is followed. The others keep their frame pointers.
 */
#define SQL_COPY_RATE 25
/* A binary's links: a start and an end, and PostgreSQL's execute probes at each of their places */
/* query start and done, the places of the execute probes, transaction commit and abort */
#define SQL_LINKS_MAX (2 + 2 * SQL_USDT_LOCS_MAX + 2)

/* A server binary, attached once (for every process that runs it) whatever its servers. */
struct sql_binary {
	uint64_t dev;
	uint64_t ino;
	enum sql_kind kind;
	bool traced;
	bool pinned; /* a --db path: kept while no process runs it */
	bool used;   /* a server of the last scan runs it */
	char how[96];
	char why[160];
	struct bpf_link *links[SQL_LINKS_MAX];
};

struct sql_priv {
	struct sql_bpf *skel;
	struct ring_buffer *rb;	    /* exec notes, and slow queries once a server is traced */
	bool rb_queries;	    /* the slow-query ring is in rb */
	bool scan_now;		    /* a server was exec'd: find and attach it without waiting */
	struct bpf_link *exec_link; /* sched_process_exec, for the notes */
	/* sched_switch, block_bio_queue: the in-flight queries' waits */
	struct bpf_link *wait_links[2];
	char waits_why[96]; /* why queries' time is not split by class, "" when it is */

	struct sql_binary *bins;
	size_t nbins;
	struct sql_target targets[SQL_TARGETS_MAX];
	size_t ntargets;
	bool named_pids; /* --db named a PID: only the servers found are traced */
	double last_scan;

	int ncpus;
	__u64 *pcpu;			   /* one counter per CPU, for reading sql_drops */
	uint64_t counters[SQL_DROP_COUNT]; /* summed over CPUs, since open */
	uint64_t lost_base;		   /* counters[SQL_DROP_LOST] at the last reset */
	uint64_t repaired_base;		   /* counters[SQL_STAT_WAITS_REPAIRED] then */
	uint64_t not_copied_base;	   /* counters[SQL_STAT_NOT_COPIED] then */
	uint64_t unlisted_before;	   /* queries dropped from the list before the last reset */
	uint64_t next_from;		   /* model.seen at the last poll: the next interval's start */
	double wall_minus_mono;		   /* converts the kernel's timestamps */

	uint64_t slow_ms;
	struct pid_filter pids;

	struct sql_model model;
	struct sql_model_index *ix;
	struct sql_stack_namer *namer; /* the slow queries' blocked stacks */
	struct sql_rules rules[2];     /* on their user frames, by enum sql_kind */
	bool can_copy;		       /* user stacks can be copied (DWARF unwinding) */
	bool dwarf_wanted;	       /* and --unwind asks for it (on once a server is traced) */
	bool dwarf_auto;	       /* --unwind auto */
	uint32_t ustack_kib;	       /* and how much of each */
};

/* Loss counters shown to the user; the statistics (SQL_STAT_*) are not losses and stay out. */
static const struct bpf_common_drop sql_drop_names[] = {
	{ "lost queries", SQL_DROP_LOST },
	{ "parked map full", SQL_DROP_START_FULL },
	{ "no thread slot", SQL_DROP_THREAD_FULL },
	{ "unreadable query text", SQL_DROP_NO_TEXT },
	{ "prepared texts not kept", SQL_DROP_STMT_FULL },
	{ "statements prepared before start", SQL_DROP_STMT_UNKNOWN },
	{ "blocked query kernel stacks", SQL_DROP_KSTACK },
	{ "blocked query user stacks", SQL_DROP_USTACK },
	{ "blocked query stack collisions", SQL_DROP_STACK_COLLISION },
};

_Static_assert(sizeof(sql_drop_names) / sizeof(sql_drop_names[0]) < COLLECTOR_MAX_DROPS,
	       "too many sql drop counters");

/* A threshold in msecs as the kernel side's nanoseconds, saturating. */
static __u64 sql_slow_ns(uint64_t ms)
{
	return ms > UINT64_MAX / 1000000 ? UINT64_MAX : ms * 1000000;
}

/* Detach a binary's probes. */
static void sql_binary_detach(struct sql_binary *b)
{
	for (size_t i = 0; i < SQL_LINKS_MAX; i++) {
		bpf_link__destroy(b->links[i]);
		b->links[i] = NULL;
	}
	b->traced = false;
}

/* Attach a program pair to USDT provider:query__start/done of the binary at path. */
static int sql_attach_usdt(struct sql_priv *priv, struct sql_binary *b, const char *path,
			   const char *provider, enum sql_kind kind)
{
	LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = kind);
	int err;

	b->links[0] = bpf_program__attach_usdt(priv->skel->progs.sql_usdt_start, -1, path, provider,
					       "query__start", &opts);
	if (!b->links[0])
		goto out_err;
	b->links[1] = bpf_program__attach_usdt(priv->skel->progs.sql_usdt_done, -1, path, provider,
					       "query__done", &opts);
	if (!b->links[1])
		goto out_err;
	snprintf(b->how, sizeof(b->how), "USDT %s:query__start/done", provider);
	return 0;

out_err:
	err = errno ? -errno : -EINVAL;
	snprintf(b->why, sizeof(b->why), "attach USDT %s:query__%s: %s", provider,
		 b->links[0] ? "done" : "start", strerror(-err));
	sql_binary_detach(b);
	return err;
}

/*
 * Attach one program at each place of a PostgreSQL execute probe (links from slot at), as plain
 * uprobes holding its semaphore; start ones get the distance to debug_query_string as cookie,
 * done ones whether the transaction probes are attached (cookie). 0 or -errno.
 */
static int sql_attach_pg_places(struct bpf_program *prog, struct sql_binary *b, size_t at,
				const char *path, const struct sql_usdt_loc *locs, size_t n,
				uint64_t query_string, uint64_t cookie)
{
	for (size_t i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .ref_ctr_offset = locs[i].sema_offset,
			    .bpf_cookie = query_string ? query_string - locs[i].vaddr : cookie);

		b->links[at + i] =
			bpf_program__attach_uprobe_opts(prog, -1, path, locs[i].offset, &opts);
		if (!b->links[at + i])
			return errno ? -errno : -EINVAL;
	}
	return 0;
}

/*
 * Attach PostgreSQL's transaction__commit and __abort (the last two links): an extended-protocol
 * COMMIT is timed through its transaction's end. 0, or -errno with neither attached (a COMMIT
 * then ends with its execution).
 */
static int sql_attach_pg_xact(struct sql_priv *priv, struct sql_binary *b, const char *path)
{
	static const char *const probes[] = { "transaction__commit", "transaction__abort" };

	for (size_t i = 0; i < 2; i++) {
		size_t at = SQL_LINKS_MAX - 2 + i;

		b->links[at] = bpf_program__attach_usdt(priv->skel->progs.sql_pg_xact_end, -1, path,
							"postgresql", probes[i], NULL);
		if (!b->links[at]) {
			int err = errno ? -errno : -ENOENT;

			bpf_link__destroy(b->links[SQL_LINKS_MAX - 2]);
			b->links[SQL_LINKS_MAX - 2] = NULL;
			return err;
		}
	}
	return 0;
}

/*
 * Attach PostgreSQL's query__execute__start/done, which time extended-protocol queries (Parse,
 * Bind, Execute); the simple protocol's probes are attached already. Without them (no probes,
 * no debug_query_string to read the text from) only simple queries are traced, as b->how says.
 */
static void sql_attach_pg_execute(struct sql_priv *priv, struct sql_binary *b, const char *path,
				  const struct sql_elf_info *info)
{
	size_t at = 2 + SQL_USDT_LOCS_MAX;
	bool xact;
	int err;

	if (!info->npg_exec_start || !info->npg_exec_done || !info->pg_query_string) {
		snprintf(b->how, sizeof(b->how), "USDT postgresql:query__start/done, simple only");
		return;
	}
	/* first, so that the done probes' cookie can say whether a COMMIT waits for them */
	xact = !sql_attach_pg_xact(priv, b, path);
	err = sql_attach_pg_places(priv->skel->progs.sql_pg_execute_start, b, 2, path,
				   info->pg_exec_start, info->npg_exec_start,
				   info->pg_query_string, 0);
	if (!err)
		err = sql_attach_pg_places(priv->skel->progs.sql_pg_execute_done, b, at, path,
					   info->pg_exec_done, info->npg_exec_done, 0, xact);
	if (err) {
		for (size_t i = 2; i < SQL_LINKS_MAX; i++) {
			bpf_link__destroy(b->links[i]);
			b->links[i] = NULL;
		}
		snprintf(b->how, sizeof(b->how),
			 "USDT postgresql:query__start/done, simple only: %s", strerror(-err));
		return;
	}
	snprintf(b->how, sizeof(b->how), "USDT postgresql:query__start/done, query__execute__*%s",
		 xact ? ", transaction__*" : "");
}

/*
 * MariaDB's Prepared_statement methods that give an executed statement its text, and the
 * functions that name a connection's database and user.
 */
static const struct {
	const char *func; /* the mangled name */
	size_t prog;	  /* 0 prepare, 1 execute, 2 destructor, 3 change db, 4 login, 5 user */
} sql_stmt_funcs[] = {
	{ "_ZN18Prepared_statement7prepareEPKcj", 0 },
	{ "_ZN18Prepared_statement12execute_loopEP6StringbPhS2_", 1 },
	{ "_ZN18Prepared_statementD2Ev", 2 },
	{ "_Z15mysql_change_dbP3THDPK25st_mysql_const_lex_stringb", 3 },
	{ "_Z16login_connectionP3THD", 4 },
	{ "_Z17general_log_printP3THD19enum_server_commandPKcz", 5 },
};

_Static_assert(2 + sizeof(sql_stmt_funcs) / sizeof(sql_stmt_funcs[0]) <= SQL_LINKS_MAX,
	       "MariaDB's probes fit a binary's links");

/*
 * Attach the prepared statement probes (links 2-4) where the binary has MariaDB's methods, so
 * that executions show the prepared text, and the connection probes (links 5-7) that name the
 * connection's database and user; 0, or -errno with none attached (executions then show the
 * statement's number, and queries no database or user).
 */
static int sql_attach_mariadb(struct sql_priv *priv, struct sql_binary *b, const char *path)
{
	struct bpf_program *progs[] = { priv->skel->progs.sql_stmt_prepare,
					priv->skel->progs.sql_stmt_execute,
					priv->skel->progs.sql_stmt_free,
					priv->skel->progs.sql_change_db,
					priv->skel->progs.sql_login,
					priv->skel->progs.sql_login_user };
	size_t n = sizeof(sql_stmt_funcs) / sizeof(sql_stmt_funcs[0]);

	for (size_t i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = sql_stmt_funcs[i].func);

		b->links[2 + i] = bpf_program__attach_uprobe_opts(progs[sql_stmt_funcs[i].prog], -1,
								  path, 0, &opts);
		if (!b->links[2 + i]) {
			int err = errno ? -errno : -ENOENT;

			for (size_t k = 2; k < 2 + i; k++) {
				bpf_link__destroy(b->links[k]);
				b->links[k] = NULL;
			}
			return err;
		}
	}
	return 0;
}

/* Attach the uprobe and uretprobe of dispatch_command, the cookie saying its layout. */
static int sql_attach_dispatch(struct sql_priv *priv, struct sql_binary *b, const char *path,
			       const struct sql_elf_info *info)
{
	LIBBPF_OPTS(bpf_uprobe_opts, enter, .bpf_cookie = info->layout);
	LIBBPF_OPTS(bpf_uprobe_opts, ret, .bpf_cookie = info->layout, .retprobe = true);
	int err;

	b->links[0] = bpf_program__attach_uprobe_opts(priv->skel->progs.sql_dispatch_enter, -1,
						      path, info->dispatch_offset, &enter);
	if (!b->links[0])
		goto out_err;
	b->links[1] = bpf_program__attach_uprobe_opts(priv->skel->progs.sql_dispatch_exit, -1, path,
						      info->dispatch_offset, &ret);
	if (!b->links[1])
		goto out_err;
	snprintf(b->how, sizeof(b->how), "uprobe dispatch_command, %s arguments%s",
		 (info->layout & SQL_LAYOUT_MASK) == SQL_LAYOUT_MYSQL8 ? "MySQL 8" : "MariaDB",
		 sql_attach_mariadb(priv, b, path) ? "" : ", prepared texts, databases, users");
	return 0;

out_err:
	err = errno ? -errno : -EINVAL;
	snprintf(b->why, sizeof(b->why), "attach %s to dispatch_command: %s",
		 b->links[0] ? "uretprobe" : "uprobe", strerror(-err));
	sql_binary_detach(b);
	return err;
}

static int sql_ring_open(struct sql_priv *priv, char *why, size_t why_len);

/*
 * Read the binary at path (/proc/PID/exe, or a --db path), choose how to trace it and attach;
 * b->why says why not. The kind is known from the file name when it says one.
 */
static void sql_binary_attach(struct sql_priv *priv, struct sql_binary *b, const char *path,
			      const char *shown, bool kind_known, enum sql_kind kind)
{
	struct sql_elf_info info;

	if (sql_elf_inspect(path, &info, b->why, sizeof(b->why)) ||
	    sql_ring_open(priv, b->why, sizeof(b->why)))
		return;
	if (!kind_known) {
		kind_known = info.usdt_pg || info.usdt_mysql || info.has_dispatch;
		kind = info.usdt_pg ? SQL_KIND_PG : SQL_KIND_MYSQL;
	}
	b->kind = kind;
	if (!kind_known) {
		snprintf(b->why, sizeof(b->why),
			 "not a database server: no MySQL or PostgreSQL query probes (USDT or "
			 "dispatch_command) in %s",
			 shown);
	} else if (kind == SQL_KIND_PG) {
		if (info.usdt_pg) {
			b->traced = !sql_attach_usdt(priv, b, path, "postgresql", SQL_KIND_PG);
			if (b->traced)
				sql_attach_pg_execute(priv, b, path, &info);
		} else
			snprintf(b->why, sizeof(b->why),
				 "no USDT probes postgresql:query__start/done in %s "
				 "(built without --enable-dtrace)",
				 shown);
	} else if (info.usdt_mysql) {
		b->traced = !sql_attach_usdt(priv, b, path, "mysql", SQL_KIND_MYSQL);
	} else if (info.has_dispatch && info.layout) {
		b->traced = !sql_attach_dispatch(priv, b, path, &info);
	} else if (info.has_dispatch) {
		snprintf(b->why, sizeof(b->why), "unknown arguments: %s", info.signature);
	} else {
		snprintf(b->why, sizeof(b->why),
			 "no mysql USDT probes and no dispatch_command symbol in %s", shown);
	}
}

/* The binary with this device and inode, attached now when new (path names it to libbpf). */
static struct sql_binary *sql_binary_get(struct sql_priv *priv, uint64_t dev, uint64_t ino,
					 const char *path, const char *shown, bool kind_known,
					 enum sql_kind kind)
{
	struct sql_binary *b;

	for (size_t i = 0; i < priv->nbins; i++)
		if (priv->bins[i].dev == dev && priv->bins[i].ino == ino)
			return &priv->bins[i];
	priv->bins = xreallocarray(priv->bins, priv->nbins + 1, sizeof(*priv->bins));
	b = &priv->bins[priv->nbins++];
	memset(b, 0, sizeof(*b));
	b->dev = dev;
	b->ino = ino;
	sql_binary_attach(priv, b, path, shown, kind_known, kind);
	return b;
}

/* Detach and forget the binaries that no server runs and no --db path names. */
static void sql_binaries_sweep(struct sql_priv *priv)
{
	size_t n = 0;

	for (size_t i = 0; i < priv->nbins; i++) {
		if (!priv->bins[i].used && !priv->bins[i].pinned) {
			sql_binary_detach(&priv->bins[i]);
			continue;
		}
		priv->bins[n++] = priv->bins[i];
	}
	priv->nbins = n;
}

/* Add a server to the model. */
static void sql_server_add(struct sql_model *m, uint32_t pid, const char *exe,
			   const struct sql_binary *b, const char *why, enum sql_kind kind,
			   uint32_t named)
{
	struct sql_server *s;

	m->servers = xreallocarray(m->servers, m->nservers + 1, sizeof(*m->servers));
	s = &m->servers[m->nservers++];
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->kind = b ? b->kind : kind;
	escape_cstr(s->exe, sizeof(s->exe), exe, strlen(exe));
	if (b && named)
		snprintf(s->how, sizeof(s->how), "%s (for --db %u, a process it started)", b->how,
			 named);
	else if (b)
		snprintf(s->how, sizeof(s->how), "%s", b->how);
	snprintf(s->why, sizeof(s->why), "%s", why ? why : b ? b->why : "");
	s->traced = b && b->traced && !why;
}

/* Whether a server of the scan has this PID. */
static bool sql_procs_have(const struct sql_proc *procs, size_t n, uint32_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (procs[i].pid == pid && !procs[i].why[0])
			return true;
	return false;
}

/*
 * Make the kernel's --db server set the servers found: the gone ones leave first (the map is
 * small), then the new ones come in; those that stay are never out of it. 0 or -errno.
 */
static int sql_servers_update(struct sql_priv *priv, const struct sql_proc *procs, size_t n)
{
	int fd = bpf_map__fd(priv->skel->maps.sql_servers);
	__u32 keys[SQL_SERVERS_MAX];
	__u32 key, next;
	size_t nkeys = 0;
	__u8 one = 1;
	int err;

	for (err = bpf_map_get_next_key(fd, NULL, &next); !err && nkeys < SQL_SERVERS_MAX;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		if (!sql_procs_have(procs, n, key))
			keys[nkeys++] = key;
	}
	for (size_t i = 0; i < nkeys; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	for (size_t i = 0; i < n; i++) {
		if (procs[i].why[0])
			continue;
		err = bpf_map_update_elem(fd, &procs[i].pid, &one, BPF_ANY);
		if (err)
			return err;
	}
	return 0;
}

/* Remove the parked queries of processes that are gone (killed in the middle of a query). */
static void sql_prune_maps(struct sql_priv *priv)
{
	int sfd = bpf_map__fd(priv->skel->maps.sql_parked);
	struct sql_key skey, snext, *sgone;
	size_t ns = 0;
	int err;

	sgone = xreallocarray(NULL, SQL_PRUNE_MAX, sizeof(*sgone));
	for (err = bpf_map_get_next_key(sfd, NULL, &snext); !err && ns < SQL_PRUNE_MAX;
	     err = bpf_map_get_next_key(sfd, &skey, &snext)) {
		skey = snext;
		if (!sql_pid_is_alive(skey.pid))
			sgone[ns++] = skey;
	}
	for (size_t i = 0; i < ns; i++)
		bpf_map_delete_elem(sfd, &sgone[i]);
	free(sgone);
}

/*
 * DWARF unwinding of the blocked queries' user stacks, as asked, once a server is traced: its
 * ring is mapped only then, like the slow queries' one. 0, or -errno with c->why.
 */
static int sql_dwarf_apply(struct collector *c)
{
	struct sql_priv *priv = c->priv;
	bool dwarf = priv->dwarf_wanted;
	int err = 0;

	if (dwarf && priv->rb_queries)
		err = sql_stack_namer_dwarf(priv->namer, true, c->why, sizeof(c->why));
	else
		sql_stack_namer_dwarf(priv->namer, false, c->why, sizeof(c->why));
	priv->skel->bss->dwarf_mode = dwarf && priv->rb_queries && !err;
	ustack_reader_describe(c->unwind, sizeof(c->unwind), dwarf && !err, priv->ustack_kib,
			       priv->dwarf_auto);
	return err;
}

/* Say in c->mode which kinds of probes are in use. */
static void sql_mode_update(struct collector *c)
{
	struct sql_priv *priv = c->priv;
	bool usdt = false, uprobe = false;

	for (size_t i = 0; i < priv->nbins; i++) {
		if (!priv->bins[i].traced)
			continue;
		if (!strncmp(priv->bins[i].how, "USDT", 4))
			usdt = true;
		else
			uprobe = true;
	}
	snprintf(c->mode, sizeof(c->mode), "%s%s%s",
		 usdt && uprobe ? "uprobe+USDT"
		 : usdt		? "USDT"
		 : uprobe	? "uprobe"
				: "uprobe/USDT, no server yet",
		 priv->waits_why[0] ? ", no waits: " : ", waits by class", priv->waits_why);
}

/*
 * Find the servers again: attach binaries new to us, detach those no server runs any more,
 * list the servers in the model, and forget in-flight queries of processes that are gone.
 */
static int sql_refresh(struct collector *c)
{
	struct sql_priv *priv = c->priv;
	struct sql_proc *procs;
	size_t nprocs;
	int err;

	priv->last_scan = clock_seconds(CLOCK_MONOTONIC);
	priv->scan_now = false;
	err = sql_discover(priv->targets, priv->ntargets, &procs, &nprocs);
	if (err) {
		snprintf(c->why, sizeof(c->why), "sql: read /proc: %s", strerror(-err));
		return err;
	}
	for (size_t i = 0; i < priv->nbins; i++)
		priv->bins[i].used = priv->bins[i].pinned = false;
	for (size_t i = 0; i < priv->ntargets; i++) {
		struct sql_target *t = &priv->targets[i];
		enum sql_kind kind = SQL_KIND_MYSQL;
		bool known;

		if (t->pid)
			continue;
		sql_target_stat(t);
		if (!t->ino)
			continue;
		known = sql_exe_kind(t->real, &kind);
		sql_binary_get(priv, t->dev, t->ino, t->path, t->path, known, kind)->pinned = true;
	}
	free(priv->model.servers);
	priv->model.servers = NULL;
	priv->model.nservers = 0;
	for (size_t i = 0; i < nprocs; i++) {
		const struct sql_proc *p = &procs[i];
		char path[64];
		struct sql_binary *b;

		if (p->why[0]) {
			sql_server_add(&priv->model, p->pid, "", NULL, p->why, SQL_KIND_MYSQL, 0);
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%u/exe", p->pid);
		b = sql_binary_get(priv, p->dev, p->ino, path, p->exe, p->kind_known, p->kind);
		b->used = true;
		sql_server_add(&priv->model, p->pid, p->exe, b, NULL, p->kind, p->named);
	}
	/* A --db path that no process runs yet is listed as the binary, with PID 0. */
	for (size_t i = 0; i < priv->ntargets; i++) {
		const struct sql_target *t = &priv->targets[i];
		const struct sql_binary *b = NULL;

		if (t->pid)
			continue;
		for (size_t k = 0; k < priv->nbins; k++)
			if (t->ino && priv->bins[k].dev == t->dev && priv->bins[k].ino == t->ino)
				b = &priv->bins[k];
		if (!b)
			sql_server_add(&priv->model, 0, t->path, NULL, "no such file",
				       SQL_KIND_MYSQL, 0);
		else if (!b->used)
			sql_server_add(&priv->model, 0, t->path, b, NULL, b->kind, 0);
	}
	sql_binaries_sweep(priv);
	if (priv->named_pids) {
		err = sql_servers_update(priv, procs, nprocs);
		if (err) {
			snprintf(c->why, sizeof(c->why), "sql: update the server set: %s",
				 strerror(-err));
			free(procs);
			return err;
		}
	}
	free(procs);
	sql_prune_maps(priv);
	sql_mode_update(c);
	if (priv->dwarf_wanted && priv->rb_queries && !priv->skel->bss->dwarf_mode)
		return sql_dwarf_apply(c);
	return 0;
}

/* Which server a query ran in: its process, or a PostgreSQL backend's postmaster; 0 if neither. */
static uint32_t sql_server_of(const struct sql_model *m, uint32_t pid, uint32_t ppid)
{
	for (size_t i = 0; i < m->nservers; i++)
		if (m->servers[i].pid && m->servers[i].pid == pid)
			return pid;
	for (size_t i = 0; i < m->nservers; i++)
		if (m->servers[i].pid && m->servers[i].pid == ppid)
			return ppid;
	return 0;
}

/* One slow query from the ring buffer into the model. */
static int sql_on_event(void *ctx, void *data, size_t size)
{
	struct sql_priv *priv = ctx;
	const struct sql_event *ev = data;
	struct sql_query q = { 0 };
	const char *text;
	char label[64];
	size_t len;

	if (size < SQL_EVENT_HDR_SIZE)
		return 0;
	len = ev->text_len;
	if (len > size - SQL_EVENT_HDR_SIZE)
		len = size - SQL_EVENT_HDR_SIZE;
	q.start = (double)ev->start_ns / 1e9 + priv->wall_minus_mono;
	q.time = (double)ev->end_ns / 1e9 + priv->wall_minus_mono;
	q.pid = ev->pid;
	q.tid = ev->tid;
	q.kind = ev->kind == SQL_EV_PG ? SQL_KIND_PG : SQL_KIND_MYSQL;
	q.latency_us = ev->end_ns > ev->start_ns ? (ev->end_ns - ev->start_ns) / 1000 : 0;
	q.truncated = ev->flags & SQL_EV_TRUNCATED;
	q.prepared = ev->flags & SQL_EV_PREPARED;
	q.server_pid = sql_server_of(&priv->model, ev->pid, ev->ppid);
	for (int i = 0; i < SQL_WAIT_CLASSES; i++)
		q.waits.ns[i] = ev->waits.ns[i];
	q.waits.switches = ev->waits.switches;
	q.waits.io_count = ev->waits.io_count;
	q.waits.io_bytes = ev->waits.io_bytes;
	sql_stack_namer_name(priv->namer, &ev->stacks, &priv->rules[q.kind], &q);
	if (q.kind == SQL_KIND_MYSQL) {
		escape_cstr(q.database, sizeof(q.database), ev->names, SQL_DB_LEN);
		escape_cstr(q.user, sizeof(q.user), ev->names + SQL_DB_LEN,
			    sizeof(ev->names) - SQL_DB_LEN);
	} else
		sql_pg_title_names(ev->names, sizeof(ev->names), q.user, sizeof(q.user),
				   q.database, sizeof(q.database));
	text = ev->text;
	/* MySQL's packet can end in NULs; they are not part of the query. */
	while (len && !text[len - 1])
		len--;
	if (q.prepared && !len && (ev->flags & SQL_EV_STMT_UNKNOWN)) {
		len = (size_t)snprintf(label, sizeof(label), "[prepared before ktop started: id %llu]",
				       (unsigned long long)ev->stmt_id);
		text = label;
	} else if (q.prepared && !len) {
		len = (size_t)snprintf(label, sizeof(label), "[prepared statement %llu]",
				       (unsigned long long)ev->stmt_id);
		text = label;
	} else if (ev->flags & SQL_EV_NO_TEXT) {
		len = (size_t)snprintf(label, sizeof(label), "[query text unreadable]");
		text = label;
	}
	sql_model_add(&priv->model, priv->ix, &q, text, len);
	return 0;
}

/* A database server was exec'd: scan /proc at once. */
static int sql_on_note(void *ctx, void *data, size_t size)
{
	struct sql_priv *priv = ctx;

	/* the PID is new, or an old one ran exec: its stacks are named from its new files */
	if (size >= sizeof(__u32))
		sql_stack_namer_exec(priv->namer, *(const __u32 *)data);
	priv->scan_now = true;
	return 0;
}

/* Consume what waits in the ring buffer; 0 or -errno with c->why. */
static int sql_consume(struct collector *c)
{
	struct sql_priv *priv = c->priv;
	int n;

	priv->wall_minus_mono = clock_seconds(CLOCK_REALTIME) - clock_seconds(CLOCK_MONOTONIC);
	/* the copied user stacks first: a slow query comes after those it blocked in */
	sql_stack_namer_consume(priv->namer);
	n = ring_buffer__consume(priv->rb);
	if (n < 0 && n != -EINTR) {
		snprintf(c->why, sizeof(c->why), "sql: read the ring buffer: %s", strerror(-n));
		return n;
	}
	sql_model_trim(&priv->model);
	return 0;
}

/* Sum the per-CPU counters into c->drops and the model's lost count. */
static void sql_drops_update(struct collector *c)
{
	struct sql_priv *priv = c->priv;
	int fd = bpf_map__fd(priv->skel->maps.sql_drops);
	size_t n = sizeof(sql_drop_names) / sizeof(sql_drop_names[0]);

	/* a slot that cannot be read keeps its last sum */
	for (__u32 idx = 0; idx < SQL_DROP_COUNT; idx++)
		bpf_common_pcpu_sum(fd, idx, priv->pcpu, priv->ncpus, &priv->counters[idx]);
	bpf_common_drops_fill(c, sql_drop_names, n, priv->counters, 0);
	c->drops[c->ndrops].name = "queries past the list bound";
	c->drops[c->ndrops++].count = priv->unlisted_before + priv->model.unlisted;
	priv->model.lost = priv->counters[SQL_DROP_LOST] - priv->lost_base;
	priv->model.waits_repaired = priv->counters[SQL_STAT_WAITS_REPAIRED] - priv->repaired_base;
	priv->model.stacks_not_copied = priv->counters[SQL_STAT_NOT_COPIED] - priv->not_copied_base;
}

/* Detach and free everything; c->why is kept, so a failed open() can still say why. */
static void sql_close(struct collector *c)
{
	struct sql_priv *priv = collector_closing(c);

	if (!priv)
		return;
	ring_buffer__free(priv->rb);
	bpf_link__destroy(priv->exec_link);
	for (size_t i = 0; i < sizeof(priv->wait_links) / sizeof(priv->wait_links[0]); i++)
		bpf_link__destroy(priv->wait_links[i]);
	for (size_t i = 0; i < priv->nbins; i++)
		sql_binary_detach(&priv->bins[i]);
	free(priv->bins);
	sql_bpf__destroy(priv->skel);
	free(priv->pcpu);
	sql_model_clear(&priv->model);
	sql_model_index_free(priv->ix);
	sql_stack_namer_free(priv->namer);
	sql_rules_clear(&priv->rules[SQL_KIND_MYSQL]);
	sql_rules_clear(&priv->rules[SQL_KIND_PG]);
	free(priv);
	c->priv = NULL;
}

/*
 * Attach the programs that split in-flight queries' time by class. Without them (no tp_btf
 * sched_switch) queries are still timed: waits_why says why they are not split.
 */
static void sql_waits_attach(struct sql_priv *priv, bool switch_btf)
{
	struct bpf_program *progs[] = { priv->skel->progs.sql_switch,
					priv->skel->progs.sql_bio_queue };
	static const char *const names[] = { "sched_switch", "block_bio_queue" };

	if (!switch_btf) {
		snprintf(priv->waits_why, sizeof(priv->waits_why), "sched_switch has no tp_btf");
		return;
	}
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		priv->wait_links[i] = bpf_program__attach(progs[i]);
		if (!priv->wait_links[i]) {
			snprintf(priv->waits_why, sizeof(priv->waits_why), "attach %s: %s",
				 names[i], strerror(errno));
			return;
		}
	}
}

/* Open and load the BPF object with the text limit; the ring buffer reader on top. */
static int sql_load(struct sql_priv *priv, uint32_t text_limit, uint32_t ustack_kib, char *why,
		    size_t why_len)
{
	bool switch_btf = false;
	bool prev_state = false;
	bool use_btf;
	int err;

	priv->skel = sql_bpf__open();
	if (!priv->skel) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, why_len, "sql: open BPF object: %s", strerror(-err));
		return err;
	}
	priv->skel->rodata->text_limit = text_limit;
	priv->skel->rodata->ustack_pages = ustack_kib * 1024 / USTACK_PAGE;
	priv->can_copy = ustack_reader_can_copy();
	priv->skel->rodata->ustack_can_copy = priv->can_copy;
	priv->skel->data->ustack_rate_max = SQL_COPY_RATE;

	use_btf = bpf_common_btf_has("btf_trace_sched_process_exec", BTF_KIND_TYPEDEF);
	bpf_program__set_autoload(priv->skel->progs.sql_exec_btf, use_btf);
	bpf_program__set_autoload(priv->skel->progs.sql_exec_raw, !use_btf);
	err = bpf_common_switch_btf(&switch_btf, &prev_state, "sql", why, why_len);
	if (err)
		return err;
	priv->skel->rodata->sw_has_prev_state = prev_state;
	priv->skel->rodata->can_read_syscall = bpf_common_has_task_pt_regs();
	switch_btf = switch_btf &&
		     bpf_common_btf_has("btf_trace_block_bio_queue", BTF_KIND_TYPEDEF);
	bpf_program__set_autoload(priv->skel->progs.sql_switch, switch_btf);
	bpf_program__set_autoload(priv->skel->progs.sql_bio_queue, switch_btf);
	err = bpf_map__set_value_size(priv->skel->maps.sql_parked,
				      SQL_START_VALUE_SIZE(text_limit));
	if (!err)
		err = bpf_map__set_value_size(priv->skel->maps.sql_stmts,
					      SQL_START_VALUE_SIZE(text_limit));
	if (err) {
		snprintf(why, why_len, "sql: size the start map: %s", strerror(-err));
		return err;
	}
	err = sql_bpf__load(priv->skel);
	if (err) {
		bool perm = err == -EPERM || err == -EACCES;

		snprintf(why, why_len, "sql: load BPF programs: %s%s", strerror(-err),
			 perm ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "");
		return err;
	}
	pid_filter_init(&priv->pids, bpf_map__fd(priv->skel->maps.sql_pids),
			&priv->skel->bss->filter_pids, "sql");
	sql_waits_attach(priv, switch_btf);
	priv->exec_link = bpf_program__attach(use_btf ? priv->skel->progs.sql_exec_btf :
							priv->skel->progs.sql_exec_raw);
	if (!priv->exec_link) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, why_len, "sql: attach sched_process_exec: %s", strerror(-err));
		return err;
	}
	priv->rb = ring_buffer__new(bpf_map__fd(priv->skel->maps.sql_notes), sql_on_note, priv,
				    NULL);
	if (!priv->rb) {
		err = errno ? -errno : -ENOMEM;
		snprintf(why, why_len, "sql: open the exec notes ring: %s", strerror(-err));
		return err;
	}
	return 0;
}

/*
 * Map the ring buffer of slow queries: once, before the first server is attached. A box
 * without a database keeps it unmapped (the kernel maps all its pages, twice, into ktop).
 */
static int sql_ring_open(struct sql_priv *priv, char *why, size_t why_len)
{
	int err;

	if (priv->rb_queries)
		return 0;
	err = ring_buffer__add(priv->rb, bpf_map__fd(priv->skel->maps.sql_events), sql_on_event,
			       priv);
	if (err) {
		snprintf(why, why_len, "sql: open the ring buffer: %s", strerror(-err));
		return err;
	}
	priv->rb_queries = true;
	return 0;
}

/* Load the programs; servers are found and attached now and at each later scan. */
static int sql_open(struct collector *c, const struct ktop_config *cfg)
{
	uint32_t text_limit = SQL_TEXT_DEFAULT;
	struct sql_priv *priv;
	int err;

	if (c->priv)
		sql_close(c);
	c->why[0] = '\0';
	c->mode[0] = '\0';
	priv = xcalloc(1, sizeof(*priv));
	c->priv = priv;
	priv->ix = sql_model_index_new();

	if (cfg && cfg->text_limit)
		text_limit = cfg->text_limit < SQL_TEXT_MAX ? cfg->text_limit : SQL_TEXT_MAX;
	for (size_t i = 0; cfg && i < cfg->ndb_targets && i < SQL_TARGETS_MAX; i++) {
		struct sql_target *t = &priv->targets[priv->ntargets];

		err = sql_target_parse(t, cfg->db_targets[i], c->why, sizeof(c->why));
		if (err)
			goto out_close;
		priv->named_pids |= t->pid != 0;
		priv->ntargets++;
	}
	priv->ncpus = bpf_common_ncpus("sql", c->why, sizeof(c->why));
	if (priv->ncpus < 0) {
		err = priv->ncpus;
		goto out_close;
	}
	priv->pcpu = xcalloc((size_t)priv->ncpus, sizeof(*priv->pcpu));
	priv->ustack_kib = ustack_reader_kib(cfg);
	err = sql_load(priv, text_limit, priv->ustack_kib, c->why, sizeof(c->why));
	if (err)
		goto out_close;
	sql_rules_load(&priv->rules[SQL_KIND_MYSQL], "mariadb", NULL, NULL);
	sql_rules_load(&priv->rules[SQL_KIND_PG], "postgresql", NULL, NULL);
	for (int k = 0; k < 2; k++)
		snprintf(priv->model.rules_warning[k], sizeof(priv->model.rules_warning[k]), "%s",
			 priv->rules[k].warning);
	err = sql_stack_namer_new(&priv->namer, bpf_map__fd(priv->skel->maps.sql_stack_ids),
				  bpf_map__max_entries(priv->skel->maps.sql_stack_ids),
				  SQL_STACK_DEPTH, bpf_map__fd(priv->skel->maps.ustack_ring), cfg,
				  c->why, sizeof(c->why));
	if (err)
		goto out_close;

	priv->slow_ms = cfg ? cfg->slow_ms : 10;
	priv->skel->bss->slow_ns = sql_slow_ns(priv->slow_ms);
	priv->skel->bss->filter_servers = priv->named_pids;
	priv->model.threshold_ms = priv->slow_ms;
	priv->model.text_limit = text_limit;
	priv->model.list_max = cfg && cfg->max_queries ? cfg->max_queries : SQL_QUERIES_MAX;
	err = sql_refresh(c);
	if (err)
		goto out_close;
	sql_drops_update(c);
	c->is_open = true;
	return 0;

out_close:
	return collector_open_failed(c, err);
}

/* Take the waiting slow queries; a server that just started is attached before its first query. */
static int sql_take(struct collector *c)
{
	struct sql_priv *priv = c->priv;
	int err;

	if (!priv || !priv->skel)
		return collector_not_open(c);
	err = sql_consume(c);
	if (!err && priv->scan_now)
		err = sql_refresh(c);
	return err;
}

/*
 * Whether /proc is due for a scan. The kernel side notes each exec of a server's binary (by its
 * name), so new servers come at once; a server that exits is seen here. The scan on a timer is
 * for the rest: a --db path's binary may carry any name (each second), a server started some
 * other way (every few seconds).
 */
static bool sql_scan_due(const struct sql_priv *priv)
{
	double since = clock_seconds(CLOCK_MONOTONIC) - priv->last_scan;

	if (since >= SQL_SCAN_IDLE_S)
		return true;
	for (size_t i = 0; i < priv->ntargets; i++)
		if (!priv->targets[i].pid && since >= SQL_SCAN_S)
			return true;
	for (size_t i = 0; i < priv->model.nservers; i++)
		if (priv->model.servers[i].pid && !sql_pid_is_alive(priv->model.servers[i].pid))
			return true;
	return false;
}

/* Take the waiting slow queries, find servers again when a scan is due, count losses. */
static int sql_poll(struct collector *c)
{
	struct sql_priv *priv = c->priv;
	int err;

	err = sql_take(c);
	if (err)
		return err;
	/* The interval shown is what came since the last poll, events read between them too. */
	priv->model.interval_from = priv->next_from;
	priv->next_from = priv->model.seen;
	if (sql_scan_due(priv)) {
		err = sql_refresh(c);
		if (err)
			return err;
	}
	sql_drops_update(c);
	sql_model_advance(&priv->model, priv->ix, clock_seconds(CLOCK_REALTIME));
	priv->model.polls++;
	c->why[0] = '\0';
	return 0;
}

/* The ring buffer's epoll fd: readable when slow queries wait. */
static int sql_event_fd(struct collector *c)
{
	struct sql_priv *priv = c->priv;

	return priv && priv->rb ? ring_buffer__epoll_fd(priv->rb) : -1;
}

/* Take the waiting slow queries without blocking. */
static int sql_events(struct collector *c)
{
	return sql_take(c);
}

/*
 * Apply the PID set (a process, or a postmaster and its backends) and the threshold, live; the
 * queries already listed stay.
 */
static int sql_configure(struct collector *c, const struct filter *f, unsigned int changed)
{
	struct sql_priv *priv = c->priv;
	int err = 0;

	if (!priv || !priv->skel)
		return collector_not_open(c);
	if (changed & FILTER_PIDS)
		err = pid_filter_apply(&priv->pids, f->pids, f->npids, c->why, sizeof(c->why));
	if (changed & FILTER_UNWIND) {
		int derr;

		/* the servers are the processes followed: auto means DWARF, as with a PID filter */
		priv->dwarf_wanted = priv->can_copy && (f->unwind == KTOP_UNWIND_DWARF ||
							f->unwind == KTOP_UNWIND_AUTO);
		priv->dwarf_auto = f->unwind == KTOP_UNWIND_AUTO;
		derr = sql_dwarf_apply(c);
		err = err ? err : derr;
	}
	if (changed & FILTER_CGROUP) {
		pid_filter_cgroup(&priv->skel->bss->cgroup_sel, &f->cgroup);
		collector_set_cgroup(c, &f->cgroup, true);
	}
	if (changed & FILTER_SLOW_QUERY) {
		priv->slow_ms = f->slow_ms;
		priv->skel->bss->slow_ns = sql_slow_ns(priv->slow_ms);
		priv->model.threshold_ms = priv->slow_ms;
	}
	return err;
}

/* Start the list, the digest and the counts again from now. */
static void sql_reset(struct collector *c)
{
	struct sql_priv *priv = c->priv;

	if (!priv || !priv->skel)
		return;
	sql_drops_update(c);
	priv->lost_base = priv->counters[SQL_DROP_LOST];
	priv->repaired_base = priv->counters[SQL_STAT_WAITS_REPAIRED];
	priv->not_copied_base = priv->counters[SQL_STAT_NOT_COPIED];
	priv->unlisted_before += priv->model.unlisted;
	priv->next_from = 0;
	sql_model_reset(&priv->model, priv->ix);
	sql_stack_namer_reset(priv->namer);
}

COLLECTOR_MODEL_OPS(sql)

const struct collector_ops sql_collector_ops = {
	.name = "sql",
	.open = sql_open,
	.poll = sql_poll,
	.configure = sql_configure,
	.reset = sql_reset,
	.snapshot = sql_snapshot,
	.model_free = sql_model_release,
	.event_fd = sql_event_fd,
	.events = sql_events,
	.close = sql_close,
};
