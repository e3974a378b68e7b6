/* SPDX-License-Identifier: GPL-2.0 */
/* What sql.bpf.c and collectors/sql.c share: the query record, attach cookies, limits, counters. */
#ifndef KTOP_BPF_SQL_H
#define KTOP_BPF_SQL_H

/* Longest query text the kernel side can copy; the limit in use (text_limit) is at most this. */
#define SQL_TEXT_MAX 4096
/* The text buffer: the limit, one byte to see that the text went on, and the NUL. */
#define SQL_TEXT_BUF (SQL_TEXT_MAX + 8)

#define SQL_START_MAX	 16384 /* queries parked by thread pools, all servers together */
#define SQL_STMTS_MAX	 16384 /* prepared statements' texts kept, all servers together */
#define SQL_DBS_MAX	 4096  /* MariaDB connections whose database and user are kept */
#define SQL_DB_LEN	 64    /* bytes of a database name kept, with its NUL */
#define SQL_USER_LEN	 64    /* bytes of a MariaDB user name kept, with its NUL */
#define SQL_NAMES_LEN	 128   /* bytes of a query's user and database names, with the NUL */
#define SQL_PIDS_MAX	 64    /* PIDs in the user's filter */
#define SQL_SERVERS_MAX	 64    /* server PIDs named with --db */
#define SQL_RINGBUF_SIZE (1024 * 1024) /* bytes of slow queries waiting for user space */
#define SQL_NOTES_SIZE	 4096 /* bytes of exec notes (a server starting) waiting */

/* Who ran the query: the same numbers as enum sql_kind in collectors/sql_model.h. */
enum sql_ev_kind {
	SQL_EV_MYSQL = 0,
	SQL_EV_PG = 1,
};

/* MySQL command numbers (enum_server_command) that are traced. */
#define SQL_COM_QUERY	     3
#define SQL_COM_STMT_EXECUTE 23

/*
 * The cookie of a dispatch_command uprobe and uretprobe: the argument layout in the low byte,
 * flags above it.
 */
enum sql_layout {
	/* dispatch_command(enum_server_command, THD *, char *packet, unsigned int length, ...):
	 * MariaDB 10.x and MySQL up to 5.6. */
	SQL_LAYOUT_MARIADB = 1,
	/* dispatch_command(THD *, const COM_DATA *, enum_server_command): MySQL 5.7 and 8.x. */
	SQL_LAYOUT_MYSQL8 = 2,
};
/* The function returns enum dispatch_command_return, where 2 means "resumed later on" (the
 * MariaDB 10.6+ thread pool): the query goes on, so its start is kept. */
#define SQL_LAYOUT_ASYNC_RETURN 0x100
#define SQL_LAYOUT_MASK		0xff
#define SQL_DISPATCH_WOULDBLOCK 2

/* Event flags. */
#define SQL_EV_TRUNCATED 0x1  /* the text was cut at text_limit */
#define SQL_EV_PREPARED	 0x2  /* a prepared statement's execution; stmt_id names it */
#define SQL_EV_NO_TEXT	 0x4  /* the text could not be read */
#define SQL_EV_SUSPENDED 0x8  /* in the parked map only: waiting for its thread-pool resumption */
#define SQL_EV_RESUMED	 0x10 /* the query was suspended and resumed at least once */
#define SQL_EV_STMT_UNKNOWN 0x20 /* a prepared statement whose prepare ran before tracing began */

/* Classes of a query's time: the same as enum sched_time_class in sched.h, in that order. */
#define SQL_WAIT_CLASSES 8

#define SQL_QUERY_STACKS  4	/* the heaviest blocked stacks kept with a query in flight */
#define SQL_STACK_DEPTH	  127	/* frames per stack: perf_event_max_stack by default */
#define SQL_STACK_IDS_MAX 16384 /* distinct kernel and user stacks of blocked queries */
/* A stack id that was not asked for (no user space): the number stack_collect.h uses. */
#define SQL_STACK_NONE (-4096)

/*
 * Where a query's time went while it was in flight on a server thread: nanoseconds per thread
 * state class (they add up to its latency), the times its thread left a CPU, and the block I/O
 * its thread submitted.
 */
struct sql_waits {
	__u64 ns[SQL_WAIT_CLASSES];
	__u64 switches;
	__u64 io_count;
	__u64 io_bytes;
};

/* One stack a query's thread blocked in: its ids in sql_stack_ids, class, blocks and time. */
struct sql_stack {
	__s32 kstack; /* stack map id, or a negative error */
	__s32 ustack; /* the same, or SQL_STACK_NONE; user frames walked by frame pointers */
	__u32 cls;    /* the class the kernel gave its blocks */
	__u32 count;  /* blocks; 0: a free slot */
	__u64 ns;     /* time blocked (from the switch out, less CPU and run-queue time) */
};

/* The heaviest stacks a query blocked in, and the blocked time of the others. */
struct sql_stacks {
	struct sql_stack s[SQL_QUERY_STACKS];
	__u64 other_ns;
	__u64 other_count;
};

/*
 * A query in flight (the start map's value) and, once it ends over the threshold, the ring buffer
 * record: the header, then text_len bytes of text (not NUL-terminated in the record).
 */
struct sql_event {
	__u64 start_ns; /* CLOCK_MONOTONIC at its start */
	__u64 end_ns;	/* and at its end (in the parked map: when it was parked) */
	__u64 stmt_id;	/* prepared statement number (SQL_EV_PREPARED) */
	__u64 stmt;	/* the server's prepared statement object executed, 0 if none seen */
	__u64 thd;	/* MySQL/MariaDB: the connection's THD, 0 for PostgreSQL */
	/* MariaDB: the connection's database (SQL_DB_LEN bytes), then its user; PostgreSQL: the
	 * backend's process title, which names its user and database ("postgres: USER DB HOST
	 * ACTIVITY"); "" if not known */
	char names[SQL_NAMES_LEN];
	__u32 pid;	/* process (tgid) that ran it */
	__u32 tid;	/* thread that started it */
	__u32 ppid;	/* the process's parent: a PostgreSQL backend's postmaster */
	__u16 kind;	/* enum sql_ev_kind */
	__u16 flags;	/* SQL_EV_* */
	__u32 text_len; /* bytes of text */
	__u32 src_len;	/* the query's length in the server (dispatch_command) */
	__u64 src;	/* and its address: a thread-pool resumption passes the same */
	struct sql_waits waits;
	struct sql_stacks stacks;
	char text[SQL_TEXT_BUF];
};

/* The header's size: a record is this plus text_len bytes. */
#define SQL_EVENT_HDR_SIZE 400
/* The parked map's value size for a text limit: the header, the text, the byte after it. */
#define SQL_START_VALUE_SIZE(limit) ((SQL_EVENT_HDR_SIZE + (limit) + 2 + 7) / 8 * 8)

/*
 * Parked map key: a MySQL or MariaDB query the thread pool suspended is kept by its THD, since
 * it can resume on another thread. The process is part of the key, since two servers can have
 * objects at the same address. (Queries running are kept with their thread, in task storage.)
 * The same key, with a Prepared_statement's address, finds that statement's text.
 */
struct sql_key {
	__u64 id;  /* THD or Prepared_statement address */
	__u32 pid; /* tgid */
	__u32 pad;
};

/* Indexes of the per-CPU counter array: losses first, then plain statistics. */
enum sql_drop {
	/* The ring buffer was full: a slow query was not sent. */
	SQL_DROP_LOST,
	/* The parked map was full: a query the thread pool suspended was not timed. */
	SQL_DROP_START_FULL,
	/* No task storage could be made for a thread: its query was not timed. */
	SQL_DROP_THREAD_FULL,
	/* The query text could not be read: the query was sent without it. */
	SQL_DROP_NO_TEXT,
	/* The statements map was full: a prepared statement's text was not kept. */
	SQL_DROP_STMT_FULL,
	/* A prepared statement executed whose prepare ran before tracing began: no text. */
	SQL_DROP_STMT_UNKNOWN,
	/* bpf_get_stackid() failed on a blocked query's kernel stack: its time kept without it. */
	SQL_DROP_KSTACK,
	/* The same on its user stack. */
	SQL_DROP_USTACK,
	/* A different stack already held the stack map's bucket (-EEXIST): kept without it. */
	SQL_DROP_STACK_COLLISION,
	/* A start without an end (an error unwound past the probe) replaced by the next start. */
	SQL_STAT_REPLACED,
	/* Thread-pool resumptions folded into the query they continue. */
	SQL_STAT_RESUMED,
	/*
	 * A block of a thread with a query in flight was not seen (its program could not run,
	 * or found no task storage): no time is lost, that span is split by the scheduler's
	 * clocks as any other and its blocked part counted as "other".
	 */
	SQL_STAT_WAITS_REPAIRED,
	/*
	 * DWARF mode: a blocked query's user stack was not copied (over the rate, ring full): no
	 * time is lost, that stack is named with frame pointers (or the thread's last unwinding
	 * of the same ids) and says so.
	 */
	SQL_STAT_NOT_COPIED,
	SQL_DROP_COUNT,
};

#endif
