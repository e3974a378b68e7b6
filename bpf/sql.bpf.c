// SPDX-License-Identifier: GPL-2.0
/*
 * Slow queries: time each MySQL/MariaDB and PostgreSQL query from its start to its end, and
 * send only those over the threshold (with their text) to user space through a ring buffer.
 * While a query is in flight, the scheduler's own counters of its thread split its time into CPU,
 * run-queue wait and blocked time, and the thread's switches out to block name the class of
 * each block (sched_class.bpf.h), into the query's own sums, which travel with it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include "sql.h"
#include "cgroup_filter.bpf.h"
#include "sched_class.bpf.h"
#include "ustack_copy.bpf.h"

_Static_assert(__builtin_offsetof(struct sql_event, text) == SQL_EVENT_HDR_SIZE,
	       "SQL_EVENT_HDR_SIZE is not the offset of sql_event.text");
_Static_assert(SQL_WAIT_CLASSES == SCHED_CLASS_COUNT, "sql_waits has a slot per class");
_Static_assert((SQL_QUERY_STACKS & (SQL_QUERY_STACKS - 1)) == 0, "slots are masked by index");

/* Set before load: bytes of query text copied (at most SQL_TEXT_MAX). */
const volatile __u32 text_limit = 1024;

/* Written live by user space through the mmapped .bss. */
__u64 slow_ns = 0;	  /* queries shorter than this are not sent */
__u32 filter_pids = 0;	  /* nonzero: only processes (or children of processes) in sql_pids */
__u32 filter_servers = 0; /* nonzero: only processes (or children of processes) in sql_servers */
__u32 dwarf_mode = 0;	  /* nonzero: a blocked query's user stack is copied (once a pair of ids) */

/*
 * Threads with a query in flight, all servers together, counted by thread id modulo the buckets
 * (a power of two): the programs on every switch and bio of the box test the thread's bucket
 * first, so a thread whose bucket is empty, nearly every thread, costs them two loads. A thread
 * sharing a bucket with one in flight costs them a task-storage lookup more.
 */
#define SQL_FLIGHT_BUCKETS 1024
__u32 sql_flight[SQL_FLIGHT_BUCKETS];

/*
 * MySQL/MariaDB queries parked by the thread pool (dispatch_command returned "would block"),
 * by THD until they resume, maybe on another thread: struct sql_event values cut to the text
 * limit in use (user space sets the value size before load, hence sizes and no BTF types).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SQL_START_MAX);
	__uint(key_size, sizeof(struct sql_key));
	__uint(value_size, sizeof(struct sql_event));
} sql_parked SEC(".maps");

/*
 * MariaDB's prepared statements' texts, by (process, Prepared_statement address), from their
 * prepare until the object is destroyed: struct sql_event values cut like sql_parked's.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SQL_STMTS_MAX);
	__uint(key_size, sizeof(struct sql_key));
	__uint(value_size, sizeof(struct sql_event));
} sql_stmts SEC(".maps");

/*
 * A MariaDB connection's current database (from mysql_change_db) and its user (from the log
 * line of its login), by (process, THD); laid out as a slow query's names.
 */
struct sql_db {
	char name[SQL_DB_LEN];
	char user[SQL_USER_LEN];
};

_Static_assert(sizeof(struct sql_db) == SQL_NAMES_LEN, "a connection's names fill ev->names");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SQL_DBS_MAX);
	__type(key, struct sql_key);
	__type(value, struct sql_db);
} sql_dbs SEC(".maps");

/* Room to copy a prepared statement's text before it goes into sql_stmts. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sql_event);
} sql_scratch SEC(".maps");

#define SQL_EEXIST 17 /* EEXIST */

/* Bytes of stack that set an execution nested in another apart from the same one's other end. */
#define SQL_PG_NEST_GAP 64

/* What a thread is timing: nothing, a query, or (PostgreSQL) an extended-protocol execution. */
enum sql_thread_state {
	SQL_THREAD_IDLE,
	SQL_THREAD_DISPATCH, /* in dispatch_command, the query in ev */
	SQL_THREAD_RESUMED,  /* in dispatch_command, resuming the query parked under thd */
	SQL_THREAD_QUERY,    /* between USDT query__start and query__done */
	SQL_THREAD_EXECUTE,  /* between an outermost query__execute__start and its done */
	SQL_THREAD_COMMIT,   /* an extended-protocol COMMIT executed: its transaction ends next */
};

/*
 * The query a thread runs, kept with the thread (task storage): a query costs no map update,
 * and the entry goes away with the thread.
 */
struct sql_thread {
	__u64 thd;   /* dispatch_command's THD: the key the query is parked under */
	__u64 sp;    /* the stack pointer at an execution's start: nested ones run deeper */
	__u32 state; /* enum sql_thread_state */
	__u32 pid;   /* the process, with thd the key of a parked query */
	/*
	 * While a query is in flight, the thread's current span, from the query's start or the
	 * thread's last block to its next block or the query's end: when it began, the class of
	 * that block (cpu at the query's start), and the scheduler's counters then: CPU time,
	 * run-queue wait, voluntary and involuntary context switches. Its time goes into
	 * ev.waits.
	 */
	__u64 span_ns;
	__u64 span_exec_ns;
	__u64 span_delay_ns;
	__u64 span_nvcsw;
	__u64 span_nivcsw;
	__u32 span_class;
	/* The current span began with a block whose stacks are these. */
	__u32 span_blocked;
	__s32 span_kstack;
	__s32 span_ustack;
	/*
	 * DWARF mode: the frame-pointer and kernel stack ids of the last user stack copied for
	 * the query in flight (+1; 0: none yet). Blocking there again needs no copy: user space
	 * names the ids with the stack it last unwound for the thread, which is that copy.
	 */
	__s32 copied_ustack;
	__s32 copied_kstack;
	struct sql_event ev;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sql_thread);
} sql_threads SEC(".maps");

/* The stacks blocked queries' threads left their CPUs in; ids are never deleted. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, SQL_STACK_IDS_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SQL_STACK_DEPTH * sizeof(__u64));
} sql_stack_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SQL_PIDS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} sql_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SQL_SERVERS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} sql_servers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SQL_RINGBUF_SIZE);
} sql_events SEC(".maps");

/* A database server's binary was just exec'd: its PID, so user space attaches at once. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SQL_NOTES_SIZE);
} sql_notes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SQL_DROP_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} sql_drops SEC(".maps");

/* COM_DATA's member for COM_QUERY in MySQL 5.7 and 8.x. */
struct sql_com_query {
	__u64 query; /* const char * */
	__u32 length;
};

/* Count one loss or statistic; atomic because another program can interrupt us on this CPU. */
static __always_inline void sql_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&sql_drops, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* Whether the process or its parent is in a PID set. */
static __always_inline bool sql_pid_in(void *set, __u32 tgid, __u32 ppid)
{
	return bpf_map_lookup_elem(set, &tgid) || bpf_map_lookup_elem(set, &ppid);
}

/* The parent process of the current task. */
static __always_inline __u32 sql_ppid(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(task, real_parent, tgid);
}

/*
 * Whether the current process passes the user's PID filter and the --db server set. The parent
 * is read when a filter needs it or when asked (it names a PostgreSQL backend's server).
 */
static __always_inline bool sql_is_wanted(__u32 tgid, __u32 *ppid, bool need_ppid)
{
	*ppid = 0;
	if (need_ppid || filter_pids || filter_servers)
		*ppid = sql_ppid();
	if (filter_pids && !sql_pid_in(&sql_pids, tgid, *ppid))
		return false;
	if (filter_servers && !sql_pid_in(&sql_servers, tgid, *ppid))
		return false;
	return ktop_cgroup_current_wanted();
}

/* Copy the text of a query whose length is known, cut at text_limit. */
static __always_inline void sql_copy_bounded(struct sql_event *ev, const void *text, __u64 len)
{
	__u64 n = len; /* 64-bit, so the bounds checked are those of the register passed on */

	if (n > text_limit) {
		n = text_limit;
		ev->flags |= SQL_EV_TRUNCATED;
	}
	if (n > SQL_TEXT_MAX)
		n = SQL_TEXT_MAX;
	if (bpf_probe_read_user(ev->text, n, text)) {
		ev->flags |= SQL_EV_NO_TEXT;
		return;
	}
	ev->text_len = n;
}

/* Copy a NUL-terminated query text, cut at text_limit. */
static __always_inline void sql_copy_str(struct sql_event *ev, const void *text)
{
	__u32 size = text_limit + 2; /* one byte more than the limit, to see the text go on */
	long n;

	if (size > SQL_TEXT_BUF)
		size = SQL_TEXT_BUF;
	n = bpf_probe_read_user_str(ev->text, size, text);
	if (n <= 0) {
		ev->flags |= SQL_EV_NO_TEXT;
		return;
	}
	n--; /* the NUL */
	if (n > text_limit) {
		n = text_limit;
		ev->flags |= SQL_EV_TRUNCATED;
	}
	ev->text_len = n;
}

/*
 * Add ns blocked in a pair of stacks of class cls to a query's heaviest stacks: into its slot,
 * a free one, or in place of the lightest when heavier (the lightest's time goes to the rest).
 */
static __always_inline void sql_stack_add(struct sql_stacks *st, __s32 kstack, __s32 ustack,
					  __u32 cls, __u64 ns, __u32 count)
{
	int free_at = -1;
	int min_at = 0;

	for (int i = 0; i < SQL_QUERY_STACKS; i++) {
		struct sql_stack *s = &st->s[i];

		if (!s->count) {
			if (free_at < 0)
				free_at = i;
			continue;
		}
		if (s->kstack == kstack && s->ustack == ustack && s->cls == cls) {
			s->ns += ns;
			s->count += count;
			return;
		}
		if (s->ns < st->s[min_at & (SQL_QUERY_STACKS - 1)].ns)
			min_at = i;
	}
	if (free_at < 0) {
		struct sql_stack *m = &st->s[min_at & (SQL_QUERY_STACKS - 1)];

		if (ns <= m->ns) {
			st->other_ns += ns;
			st->other_count += count;
			return;
		}
		st->other_ns += m->ns;
		st->other_count += m->count;
		free_at = min_at;
	}
	st->s[free_at & (SQL_QUERY_STACKS - 1)] = (struct sql_stack){
		.kstack = kstack, .ustack = ustack, .cls = cls, .count = count, .ns = ns
	};
}

/* The scheduler's counters of a thread, read directly from its task (a trusted pointer). */
struct sql_counters {
	__u64 exec;   /* CPU time (se.sum_exec_runtime) */
	__u64 delay;  /* run-queue wait (sched_info.run_delay) */
	__u64 nvcsw;  /* voluntary context switches: blocks */
	__u64 nivcsw; /* involuntary ones: preemptions */
};

/* Read the scheduler's counters of t. */
static __always_inline void sql_task_counters(struct task_struct *t, struct sql_counters *c)
{
	c->exec = t->se.sum_exec_runtime;
	c->delay = bpf_core_field_exists(t->sched_info.run_delay) ? t->sched_info.run_delay : 0;
	c->nvcsw = t->nvcsw;
	c->nivcsw = t->nivcsw;
}

/* The thread's current span opens at now, after a block of class cls, with its counters then. */
static __always_inline void sql_span_open(struct sql_thread *th, __u64 now, __u32 cls,
					  const struct sql_counters *c)
{
	th->span_ns = now;
	th->span_exec_ns = c->exec;
	th->span_delay_ns = c->delay;
	th->span_nvcsw = c->nvcsw;
	th->span_nivcsw = c->nivcsw;
	th->span_class = cls;
	th->span_blocked = 0;
}

/* The query in flight on this thread opens its first span: the thread runs, since now. */
static __always_inline void sql_waits_begin(struct sql_thread *th, struct task_struct *t, __u64 now)
{
	struct sql_counters c;

	__builtin_memset(&th->ev.waits, 0, sizeof(th->ev.waits));
	__builtin_memset(&th->ev.stacks, 0, sizeof(th->ev.stacks));
	th->copied_ustack = 0;
	th->copied_kstack = 0;
	sql_task_counters(t, &c);
	sql_span_open(th, now, SCHED_CLASS_CPU, &c);
}

/*
 * Close the thread's current span at now into its query's waits and stacks; t is the thread,
 * switching out to block (seen = 1: that switch is counted already) or on its CPU at its
 * query's end (seen = 0). The scheduler's counters give the span's CPU time and run-queue wait
 * (preemptions cost no program run); the rest is the block that opened the span, in its class
 * (at the query's start: none, the rest is CPU time not yet counted). A block not seen (a
 * program that could not run) makes the rest other, counted as an estimate. Then a span after
 * a block of class cls opens.
 */
static __always_inline void sql_span_close(struct sql_thread *th, struct task_struct *t, __u64 now,
					   __u64 seen, __u32 cls)
{
	struct sql_waits *w = &th->ev.waits;
	__u32 rest_class = th->span_class;
	__u64 span, cpu, runq, rest;
	struct sql_counters c;

	sql_task_counters(t, &c);
	span = now > th->span_ns ? now - th->span_ns : 0;
	cpu = c.exec > th->span_exec_ns ? c.exec - th->span_exec_ns : 0;
	cpu = cpu < span ? cpu : span;
	runq = c.delay > th->span_delay_ns ? c.delay - th->span_delay_ns : 0;
	runq = runq < span - cpu ? runq : span - cpu;
	rest = span - cpu - runq;
	if (c.nvcsw - th->span_nvcsw != seen) {
		rest_class = SCHED_CLASS_OTHER;
		sql_count(SQL_STAT_WAITS_REPAIRED);
	}
	w->ns[SCHED_CLASS_CPU] += cpu;
	w->ns[SCHED_CLASS_RUNQ] += runq;
	w->ns[rest_class & (SQL_WAIT_CLASSES - 1)] += rest;
	w->switches += c.nvcsw - th->span_nvcsw + c.nivcsw - th->span_nivcsw;
	if (th->span_blocked && rest_class == th->span_class)
		sql_stack_add(&th->ev.stacks, th->span_kstack, th->span_ustack, rest_class, rest, 1);
	sql_span_open(th, now, cls, &c);
}

/* The query in flight on this thread ends or parks now, in a probe on its CPU: its last span. */
static __always_inline void sql_waits_end(struct sql_thread *th, __u64 now)
{
	sql_span_close(th, bpf_get_current_task_btf(), now, 0, SCHED_CLASS_CPU);
}

/* Add one part of a query's waits and stacks (a thread-pool turn) to its parked whole. */
static __always_inline void sql_waits_add(struct sql_event *to, const struct sql_event *from)
{
	for (int i = 0; i < SQL_WAIT_CLASSES; i++)
		to->waits.ns[i] += from->waits.ns[i];
	to->waits.switches += from->waits.switches;
	to->waits.io_count += from->waits.io_count;
	to->waits.io_bytes += from->waits.io_bytes;
	for (int i = 0; i < SQL_QUERY_STACKS; i++) {
		const struct sql_stack *s = &from->stacks.s[i];

		if (s->count)
			sql_stack_add(&to->stacks, s->kstack, s->ustack, s->cls, s->ns, s->count);
	}
	to->stacks.other_ns += from->stacks.other_ns;
	to->stacks.other_count += from->stacks.other_count;
}

/* Whether a query may be in flight on thread tid: its bucket counts one. */
static __always_inline bool sql_may_fly(__u32 tid)
{
	return sql_flight[tid & (SQL_FLIGHT_BUCKETS - 1)] != 0;
}

/*
 * The current thread's state changes (in a probe on it, or its last switch out); its bucket's
 * count of threads with a query in flight follows.
 */
static __always_inline void sql_set_state(struct sql_thread *th, __u32 state)
{
	__u32 b = (__u32)bpf_get_current_pid_tgid() & (SQL_FLIGHT_BUCKETS - 1);
	bool was = th->state != SQL_THREAD_IDLE;
	bool is = state != SQL_THREAD_IDLE;

	th->state = state;
	if (is && !was)
		__sync_fetch_and_add(&sql_flight[b], 1);
	else if (was && !is)
		__sync_fetch_and_add(&sql_flight[b], -1);
}

/* This thread's slot (made on first use when create); NULL is counted when it was wanted. */
static __always_inline struct sql_thread *sql_thread_get(bool create)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct sql_thread *th;

	th = bpf_task_storage_get(&sql_threads, task, 0,
				  create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!th && create)
		sql_count(SQL_DROP_THREAD_FULL);
	return th;
}

/* This thread's slot, made if need be, when the process passes the filters; else NULL. */
static __always_inline struct sql_thread *sql_wanted_thread(__u32 tgid, __u32 *ppid, bool need_ppid)
{
	return sql_is_wanted(tgid, ppid, need_ppid) ? sql_thread_get(true) : NULL;
}

/* A query of this kind begins on this thread, now: its record's header, with no text yet. */
static __always_inline void sql_begin(struct sql_thread *th, __u16 kind, __u32 ppid,
				      const void *src, __u64 src_len)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sql_event *ev = &th->ev;

	if (th->state != SQL_THREAD_IDLE)
		sql_count(SQL_STAT_REPLACED);
	ev->start_ns = bpf_ktime_get_ns();
	ev->end_ns = 0;
	ev->stmt_id = 0;
	ev->stmt = 0;
	ev->thd = 0;
	ev->names[0] = '\0';
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->ppid = ppid;
	ev->kind = kind;
	ev->flags = 0;
	ev->text_len = 0;
	ev->src = (__u64)src;
	ev->src_len = src_len;
	sql_waits_begin(th, bpf_get_current_task_btf(), ev->start_ns);
}

/*
 * A slow query that executed a prepared statement takes that statement's text; one whose prepare
 * was not seen keeps what it has (an SQL EXECUTE's own text) and is marked and counted.
 */
static __always_inline void sql_stmt_text(struct sql_event *ev)
{
	struct sql_key key = { .id = ev->stmt, .pid = ev->pid };
	struct sql_event *st;
	__u64 n;

	st = bpf_map_lookup_elem(&sql_stmts, &key);
	if (!st) {
		ev->flags |= SQL_EV_STMT_UNKNOWN;
		sql_count(SQL_DROP_STMT_UNKNOWN);
		return;
	}
	n = st->text_len;
	if (n > text_limit)
		n = text_limit;
	if (n > SQL_TEXT_MAX)
		n = SQL_TEXT_MAX;
	if (bpf_probe_read_kernel(ev->text, n, st->text))
		return;
	ev->text_len = n;
	ev->flags = (ev->flags & ~(SQL_EV_NO_TEXT | SQL_EV_TRUNCATED)) | SQL_EV_PREPARED |
		    (st->flags & SQL_EV_TRUNCATED);
}

/* A slow MariaDB query takes the database its connection was in, and its user. */
static __always_inline void sql_db_name(struct sql_event *ev)
{
	struct sql_key key = { .id = ev->thd, .pid = ev->pid };
	struct sql_db *db = bpf_map_lookup_elem(&sql_dbs, &key);

	if (db)
		__builtin_memcpy(ev->names, db, sizeof(*db));
}

/*
 * A slow PostgreSQL query takes its backend's process title, read where the backend writes it
 * (over its arguments): the user and database it is connected as. Read now, in the backend,
 * since a short connection is gone before user space could read /proc.
 */
static __always_inline void sql_pg_title(struct sql_event *ev)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 arg = BPF_CORE_READ(task, mm, arg_start);

	if (bpf_probe_read_user_str(ev->names, sizeof(ev->names), (void *)arg) <= 0)
		ev->names[0] = '\0';
}

/* Send a query that ended at now if it took slow_ns or longer, its text read first if asked. */
static __always_inline void sql_finish(struct sql_event *ev, __u64 now, bool read_text,
				       const void *text)
{
	__u64 len;

	if (now - ev->start_ns < slow_ns)
		return;
	ev->end_ns = now;
	if (read_text)
		sql_copy_str(ev, text);
	if (ev->stmt)
		sql_stmt_text(ev);
	if (ev->thd)
		sql_db_name(ev);
	else if (ev->kind == SQL_EV_PG)
		sql_pg_title(ev);
	if (ev->flags & SQL_EV_NO_TEXT)
		sql_count(SQL_DROP_NO_TEXT);
	len = ev->text_len;
	if (len > text_limit) /* a parked entry holds no more (SQL_START_VALUE_SIZE) */
		len = text_limit;
	if (bpf_ringbuf_output(&sql_events, ev, SQL_EVENT_HDR_SIZE + len, 0))
		sql_count(SQL_DROP_LOST);
}

/*
 * A dispatch_command call for the THD of a query the thread pool parked: the same packet means
 * the query resumes (it stays where it is and is timed once); another packet means the parked
 * one is gone, and the call is a new query. Whether it resumed. The pool parks a statement
 * while its commit waits for the redo log: the time parked is counted as io.
 */
static __always_inline bool sql_resume(struct sql_thread *th, const struct sql_key *key,
				       const void *text, __u64 len)
{
	struct sql_event *ev = bpf_map_lookup_elem(&sql_parked, key);

	if (!ev)
		return false;
	if ((ev->flags & SQL_EV_SUSPENDED) && ev->src == (__u64)text && ev->src_len == len) {
		__u64 now = bpf_ktime_get_ns();

		ev->flags = (ev->flags & ~SQL_EV_SUSPENDED) | SQL_EV_RESUMED;
		if (ev->end_ns && now > ev->end_ns)
			ev->waits.ns[SCHED_CLASS_IO] += now - ev->end_ns;
		ev->end_ns = 0;
		sql_waits_begin(th, bpf_get_current_task_btf(), now);
		if (th->state != SQL_THREAD_IDLE)
			sql_count(SQL_STAT_REPLACED);
		sql_set_state(th, SQL_THREAD_RESUMED);
		sql_count(SQL_STAT_RESUMED);
		return true;
	}
	bpf_map_delete_elem(&sql_parked, key);
	sql_count(SQL_STAT_REPLACED);
	return false;
}

/* dispatch_command entry: a COM_QUERY or COM_STMT_EXECUTE begins (the cookie says the layout). */
SEC("uprobe")
int BPF_KPROBE(sql_dispatch_enter)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u64 id = bpf_get_current_pid_tgid();
	struct sql_com_query q = {};
	struct sql_key key = {};
	struct sql_thread *th;
	const void *text = NULL;
	__u64 stmt_id = 0;
	__u64 len = 0;
	__u32 cmd;
	__u32 ppid;
	__u64 thd;

	if ((cookie & SQL_LAYOUT_MASK) == SQL_LAYOUT_MYSQL8) {
		thd = PT_REGS_PARM1(ctx);
		cmd = (__u32)PT_REGS_PARM3(ctx);
		if (cmd == SQL_COM_QUERY) {
			if (bpf_probe_read_user(&q, sizeof(q), (void *)PT_REGS_PARM2(ctx)))
				q.query = 0;
			text = (const void *)q.query;
			len = q.length;
		} else if (cmd == SQL_COM_STMT_EXECUTE) {
			bpf_probe_read_user(&stmt_id, sizeof(stmt_id), (void *)PT_REGS_PARM2(ctx));
		}
	} else {
		cmd = (__u32)PT_REGS_PARM1(ctx);
		thd = PT_REGS_PARM2(ctx);
		text = (const void *)PT_REGS_PARM3(ctx);
		len = (__u32)PT_REGS_PARM4(ctx);
		if (cmd == SQL_COM_STMT_EXECUTE) {
			__u32 n = 0; /* the packet starts with the 4-byte statement number */

			bpf_probe_read_user(&n, sizeof(n), text);
			stmt_id = n;
		}
	}
	if (cmd != SQL_COM_QUERY && cmd != SQL_COM_STMT_EXECUTE)
		return 0;
	th = sql_wanted_thread(id >> 32, &ppid, false);
	if (!th)
		return 0;
	th->thd = thd;
	th->pid = id >> 32;
	if (cookie & SQL_LAYOUT_ASYNC_RETURN) {
		key.id = thd;
		key.pid = id >> 32;
		if (sql_resume(th, &key, text, len))
			return 0;
	}
	sql_begin(th, SQL_EV_MYSQL, ppid, text, len);
	th->ev.thd = thd;
	if (cmd == SQL_COM_STMT_EXECUTE) {
		th->ev.flags |= SQL_EV_PREPARED;
		th->ev.stmt_id = stmt_id;
	} else {
		/* now: the server writes its answer over the packet */
		sql_copy_bounded(&th->ev, text, len);
	}
	sql_set_state(th, SQL_THREAD_DISPATCH);
	return 0;
}

/* dispatch_command return: the query ends, unless the thread pool will resume it. */
SEC("uretprobe")
int BPF_KRETPROBE(sql_dispatch_exit)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	struct sql_key key = {};
	struct sql_thread *th;
	struct sql_event *ev;
	__u32 state;
	__u64 now;

	th = sql_thread_get(false);
	if (!th)
		return 0; /* this thread never ran a traced query */
	state = th->state;
	if (state != SQL_THREAD_DISPATCH && state != SQL_THREAD_RESUMED)
		return 0; /* another command, or filtered out */
	now = bpf_ktime_get_ns();
	sql_waits_end(th, now);
	sql_set_state(th, SQL_THREAD_IDLE);
	key.id = th->thd;
	key.pid = th->pid;
	if ((cookie & SQL_LAYOUT_ASYNC_RETURN) && (int)PT_REGS_RC(ctx) == SQL_DISPATCH_WOULDBLOCK) {
		/* parked: kept by THD, for whichever thread resumes it, with when (end_ns) */
		if (state == SQL_THREAD_RESUMED) {
			ev = bpf_map_lookup_elem(&sql_parked, &key);
			if (ev) {
				sql_waits_add(ev, &th->ev);
				ev->end_ns = now;
				ev->flags |= SQL_EV_SUSPENDED;
			}
			return 0;
		}
		th->ev.flags |= SQL_EV_SUSPENDED;
		th->ev.end_ns = now;
		if (bpf_map_update_elem(&sql_parked, &key, &th->ev, BPF_ANY))
			sql_count(SQL_DROP_START_FULL);
		return 0;
	}
	if (state == SQL_THREAD_DISPATCH) {
		sql_finish(&th->ev, now, false, NULL);
		return 0;
	}
	ev = bpf_map_lookup_elem(&sql_parked, &key);
	if (!ev)
		return 0; /* removed as stale by user space */
	sql_waits_add(ev, &th->ev);
	sql_finish(ev, now, false, NULL);
	bpf_map_delete_elem(&sql_parked, &key);
	return 0;
}

/*
 * MariaDB's Prepared_statement::prepare(const char *packet, unsigned int length), for the binary
 * protocol's COM_STMT_PREPARE and SQL PREPARE alike: keep the statement's text by its object.
 */
SEC("uprobe")
int BPF_KPROBE(sql_stmt_prepare)
{
	struct sql_key key = { .id = PT_REGS_PARM1(ctx), .pid = bpf_get_current_pid_tgid() >> 32 };
	const void *text = (const void *)PT_REGS_PARM2(ctx);
	__u64 len = (__u32)PT_REGS_PARM3(ctx);
	struct sql_event *ev;
	__u32 zero = 0;
	__u32 ppid;

	if (!sql_is_wanted(key.pid, &ppid, false))
		return 0;
	ev = bpf_map_lookup_elem(&sql_scratch, &zero);
	if (!ev)
		return 0;
	ev->flags = 0;
	ev->text_len = 0;
	sql_copy_bounded(ev, text, len);
	if (bpf_map_update_elem(&sql_stmts, &key, ev, BPF_ANY))
		sql_count(SQL_DROP_STMT_FULL);
	return 0;
}

/* Prepared_statement::execute_loop(...): the query this thread runs executes that statement. */
SEC("uprobe")
int BPF_KPROBE(sql_stmt_execute, void *stmt)
{
	struct sql_thread *th = sql_thread_get(false);

	if (th && th->state == SQL_THREAD_DISPATCH)
		th->ev.stmt = (__u64)stmt;
	return 0;
}

/* Prepared_statement's destructor: its text goes. */
SEC("uprobe")
int BPF_KPROBE(sql_stmt_free, void *stmt)
{
	struct sql_key key = { .id = (__u64)stmt, .pid = bpf_get_current_pid_tgid() >> 32 };

	bpf_map_delete_elem(&sql_stmts, &key);
	return 0;
}

/* The names kept for a MariaDB connection, empty when new; NULL if the map is full. */
static __always_inline struct sql_db *sql_conn_names(void *thd)
{
	struct sql_key key = { .id = (__u64)thd, .pid = bpf_get_current_pid_tgid() >> 32 };
	static const struct sql_db empty;
	struct sql_db *db = bpf_map_lookup_elem(&sql_dbs, &key);

	if (db)
		return db;
	bpf_map_update_elem(&sql_dbs, &key, &empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(&sql_dbs, &key);
}

/* MariaDB's mysql_change_db(THD *, const LEX_CSTRING *new_db, bool): USE, or a login's db. */
SEC("uprobe")
int BPF_KPROBE(sql_change_db, void *thd, void *name)
{
	struct sql_db *db;
	__u64 str = 0;

	if (bpf_probe_read_user(&str, sizeof(str), name))
		return 0;
	db = sql_conn_names(thd);
	if (db && bpf_probe_read_user_str(db->name, sizeof(db->name), (void *)str) <= 0)
		db->name[0] = '\0';
	return 0;
}

/* The commands of MariaDB's enum_server_command whose log line names a login's user. */
#define SQL_COM_CONNECT	    11
#define SQL_COM_CHANGE_USER 17

/*
 * MariaDB's general_log_print(THD *, enum_server_command, const char *format, ...), which a
 * login calls (whether or not the general log is on) with "%s@%s on %s using %s", the user
 * first: the connection's user. A COM_CHANGE_USER forgets the database too (the new login's
 * is set after this line). Any other command or format is not a login.
 */
SEC("uprobe")
int BPF_KPROBE(sql_login_user, void *thd, int command, const char *format, const char *user)
{
	struct sql_db *db;
	char head[6];

	if (command != SQL_COM_CONNECT && command != SQL_COM_CHANGE_USER)
		return 0;
	if (bpf_probe_read_user(head, sizeof(head), format) || head[0] != '%' ||
	    head[1] != 's' || head[2] != '@' || head[3] != '%' || head[4] != 's')
		return 0;
	db = sql_conn_names(thd);
	if (!db)
		return 0;
	if (command == SQL_COM_CHANGE_USER)
		db->name[0] = '\0';
	if (bpf_probe_read_user_str(db->user, sizeof(db->user), user) <= 0)
		db->user[0] = '\0';
	return 0;
}

/* MariaDB's login_connection(THD *): a new connection, which may reuse a THD's memory. */
SEC("uprobe")
int BPF_KPROBE(sql_login, void *thd)
{
	struct sql_key key = { .id = (__u64)thd, .pid = bpf_get_current_pid_tgid() >> 32 };

	bpf_map_delete_elem(&sql_dbs, &key);
	return 0;
}

/* USDT query__start(const char *query, ...): mysql or postgresql, as the cookie says. */
SEC("usdt")
int BPF_USDT(sql_usdt_start, void *query)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sql_thread *th;
	__u16 kind;
	__u32 ppid;

	th = sql_wanted_thread(id >> 32, &ppid, true);
	if (!th)
		return 0;
	kind = (__u16)bpf_usdt_cookie(ctx);
	sql_begin(th, kind, ppid, query, 0);
	/* PostgreSQL's query__done passes the text again: it is read there, if the query was slow
	 */
	if (kind != SQL_EV_PG)
		sql_copy_str(&th->ev, query);
	sql_set_state(th, SQL_THREAD_QUERY);
	return 0;
}

/* USDT query__done: the query of this thread ends (PostgreSQL's passes its text, MySQL's not). */
SEC("usdt")
int BPF_USDT(sql_usdt_done, void *query)
{
	struct sql_thread *th = sql_thread_get(false);

	__u64 now = bpf_ktime_get_ns();

	if (!th || th->state != SQL_THREAD_QUERY)
		return 0;
	sql_waits_end(th, now);
	sql_set_state(th, SQL_THREAD_IDLE);
	sql_finish(&th->ev, now, th->ev.kind == SQL_EV_PG, query);
	return 0;
}

/*
 * postgresql:query__execute__start, as a uprobe whose cookie is the distance from the probe to
 * the server's global debug_query_string (the text being executed). An outermost execution
 * outside a simple query is an extended-protocol Execute: it is timed. One inside a simple
 * query runs that query's text; one nested in an execution runs its text deeper in the stack.
 * Anything else means the query or execution the thread held was unwound by an error.
 */
SEC("uprobe")
int BPF_KPROBE(sql_pg_execute_start)
{
	__u64 at = PT_REGS_IP(ctx) + bpf_get_attach_cookie(ctx);
	__u64 id = bpf_get_current_pid_tgid();
	__u64 sp = PT_REGS_SP(ctx);
	struct sql_thread *th;
	__u64 text = 0;
	__u32 ppid;

	th = sql_wanted_thread(id >> 32, &ppid, true);
	if (!th)
		return 0;
	if (bpf_probe_read_user(&text, sizeof(text), (void *)at))
		text = 0;
	if (th->state == SQL_THREAD_QUERY && text == th->ev.src)
		return 0;
	if (th->state == SQL_THREAD_EXECUTE && text == th->ev.src && sp + SQL_PG_NEST_GAP < th->sp)
		return 0;
	sql_begin(th, SQL_EV_PG, ppid, (const void *)text, 0);
	th->sp = sp;
	sql_set_state(th, SQL_THREAD_EXECUTE);
	return 0;
}

/* Whether a letter is c, either case. */
static __always_inline bool sql_is_letter(char got, char c)
{
	return (got | 0x20) == c;
}

/*
 * Whether a PostgreSQL statement is COMMIT or END: run through the extended protocol, its
 * transaction (deferred triggers, the commit record's flush) ends after the execution does,
 * still inside the Execute message the client waits for and the server's log times.
 */
static __always_inline bool sql_pg_is_commit(const void *text)
{
	char b[8] = {};

	if (bpf_probe_read_user(b, sizeof(b), text))
		return false;
	if (sql_is_letter(b[0], 'e') && sql_is_letter(b[1], 'n') && sql_is_letter(b[2], 'd'))
		return !((b[3] | 0x20) >= 'a' && (b[3] | 0x20) <= 'z');
	return sql_is_letter(b[0], 'c') && sql_is_letter(b[1], 'o') && sql_is_letter(b[2], 'm') &&
	       sql_is_letter(b[3], 'm') && sql_is_letter(b[4], 'i') && sql_is_letter(b[5], 't') &&
	       !((b[6] | 0x20) >= 'a' && (b[6] | 0x20) <= 'z');
}

/*
 * postgresql:query__execute__done: an outermost execution ends (a nested one runs deeper); a
 * COMMIT's ends with its transaction, its text kept until then, when the cookie says that
 * transaction__commit and __abort are traced.
 */
SEC("uprobe")
int BPF_KPROBE(sql_pg_execute_done)
{
	struct sql_thread *th = sql_thread_get(false);

	__u64 now;

	if (!th || th->state != SQL_THREAD_EXECUTE || PT_REGS_SP(ctx) + SQL_PG_NEST_GAP < th->sp)
		return 0;
	if (bpf_get_attach_cookie(ctx) && sql_pg_is_commit((const void *)th->ev.src)) {
		sql_copy_str(&th->ev, (const void *)th->ev.src);
		sql_set_state(th, SQL_THREAD_COMMIT);
		return 0;
	}
	now = bpf_ktime_get_ns();
	sql_waits_end(th, now);
	sql_set_state(th, SQL_THREAD_IDLE);
	sql_finish(&th->ev, now, true, (const void *)th->ev.src);
	return 0;
}

/* postgresql:transaction__commit and transaction__abort: a COMMIT executed ends now. */
SEC("usdt")
int BPF_USDT(sql_pg_xact_end)
{
	struct sql_thread *th = sql_thread_get(false);

	__u64 now = bpf_ktime_get_ns();

	if (!th || th->state != SQL_THREAD_COMMIT)
		return 0;
	sql_waits_end(th, now);
	sql_set_state(th, SQL_THREAD_IDLE);
	sql_finish(&th->ev, now, false, NULL);
	return 0;
}

/* A stack id as kept: failures are counted, and stay in the slot (user space names them). */
static __always_inline __s32 sql_stackid(void *ctx, __u64 flags, __u32 drop)
{
	long id = bpf_get_stackid(ctx, &sql_stack_ids, flags);

	if (id >= 0)
		return (__s32)id;
	sql_count(id == -SQL_EEXIST ? SQL_DROP_STACK_COLLISION : drop);
	return (__s32)id;
}

/*
 * prev, the current task, blocks with a query in flight: the stacks it blocks in. In DWARF
 * mode its user stack is copied too, unless the query's last copy was of the same pair of
 * stack ids: user space unwinds it and names the pair with it.
 */
static __always_inline void sql_block_stacks(__u64 *ctx, struct sql_thread *th,
					     struct task_struct *prev)
{
	__u64 id = bpf_get_current_pid_tgid();
	char comm[USTACK_COMM_LEN];

	th->span_kstack = sql_stackid(ctx, 0, SQL_DROP_KSTACK);
	if (BPF_CORE_READ(prev, mm))
		th->span_ustack = sql_stackid(ctx, BPF_F_USER_STACK, SQL_DROP_USTACK);
	else
		th->span_ustack = SQL_STACK_NONE;
	th->span_blocked = 1;
	if (!dwarf_mode || !ustack_can_copy || th->span_ustack < 0)
		return;
	if (th->span_ustack + 1 == th->copied_ustack && th->span_kstack + 1 == th->copied_kstack)
		return;
	bpf_get_current_comm(comm, sizeof(comm));
	if (ustack_send(id >> 32, (__u32)id, th->span_kstack, th->span_ustack, 0, comm, true) !=
	    USTACK_SENT) {
		sql_count(SQL_STAT_NOT_COPIED);
		return;
	}
	th->copied_ustack = th->span_ustack + 1;
	th->copied_kstack = th->span_kstack + 1;
}

/*
 * prev, a thread with a query in flight, leaves its CPU now to block: its span closes, and one
 * after a block of that class opens, with the stacks it blocks in. Leaving for good (exiting),
 * its query never ends: the thread stops being in flight.
 */
static __always_inline void sql_switch_out(__u64 *ctx, struct task_struct *prev, __u32 state)
{
	struct sql_thread *th = bpf_task_storage_get(&sql_threads, prev, 0, 0);
	__u64 now;
	__u32 cls;

	if (!th || th->state == SQL_THREAD_IDLE)
		return;
	now = bpf_ktime_get_ns();
	if (state & SCHED_TASK_DEAD) { /* exiting with its query in flight */
		sql_span_close(th, prev, now, 1, SCHED_CLASS_OTHER);
		sql_set_state(th, SQL_THREAD_IDLE);
		return;
	}
	cls = sched_block_class(prev, state, false);
	sql_span_close(th, prev, now, 1, cls);
	sql_block_stacks(ctx, th, prev);
}

/*
 * A context switch. Nearly every one is of a thread whose bucket is empty, and costs that test;
 * a thread with a query in flight that is preempted (or yields) costs two tests more, as its
 * time in the run queue is the scheduler's own counter; only a block of such a thread is work.
 * Task storage needs the tasks as BTF pointers, hence tp_btf only (a kernel with task storage,
 * v5.11, has tp_btf). Attached with the collector, dropped when it closes.
 */
SEC("tp_btf/sched_switch")
int sql_switch(__u64 *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx[1];
	__u32 state;

	if (!sql_may_fly(prev->pid) || (ctx[0] & 1))
		return 0;
	state = sched_prev_state(ctx, prev);
	if (state & 0xff)
		sql_switch_out(ctx, prev, state);
	return 0;
}

/* A bio submitted by a thread with a query in flight: the query's block I/O. */
SEC("tp_btf/block_bio_queue")
int sql_bio_queue(__u64 *ctx)
{
	struct bio *bio = (struct bio *)ctx[0];
	struct sql_thread *th;

	if (!sql_may_fly((__u32)bpf_get_current_pid_tgid()))
		return 0;
	th = sql_thread_get(false);
	if (!th || th->state == SQL_THREAD_IDLE)
		return 0;
	th->ev.waits.io_count++;
	th->ev.waits.io_bytes += BPF_CORE_READ(bio, bi_iter.bi_size);
	return 0;
}

/* Whether the name is the first len bytes of comm, and comm ends there. */
static __always_inline bool sql_comm_is(const char *comm, const char *name, int len)
{
	for (int i = 0; i < len; i++)
		if (comm[i] != name[i])
			return false;
	return comm[len] == '\0';
}

/*
 * A process ran exec: when it is a database server by name, wake user space to find and attach
 * it now, before it accepts a connection, rather than at the next scan of /proc.
 */
static __always_inline int sql_on_exec(void)
{
	char comm[16] = {};
	__u32 pid;

	bpf_get_current_comm(comm, sizeof(comm));
	if (!sql_comm_is(comm, "mariadbd", 8) && !sql_comm_is(comm, "mysqld", 6) &&
	    !sql_comm_is(comm, "postgres", 8) && !sql_comm_is(comm, "postmaster", 10))
		return 0;
	pid = bpf_get_current_pid_tgid() >> 32;
	bpf_ringbuf_output(&sql_notes, &pid, sizeof(pid), BPF_RB_FORCE_WAKEUP);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int sql_exec_btf(__u64 *ctx)
{
	return sql_on_exec();
}

SEC("raw_tp/sched_process_exec")
int sql_exec_raw(__u64 *ctx)
{
	return sql_on_exec();
}

char LICENSE[] SEC("license") = "GPL";
