// SPDX-License-Identifier: GPL-2.0
/*
 * Slow queries: time each MySQL/MariaDB and PostgreSQL query from its start to its end, and
 * send only those over the threshold (with their text) to user space through a ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include "sql.h"

_Static_assert(__builtin_offsetof(struct sql_event, text) == SQL_EVENT_HDR_SIZE,
	       "SQL_EVENT_HDR_SIZE is not the offset of sql_event.text");

/* Set before load: bytes of query text copied (at most SQL_TEXT_MAX). */
const volatile __u32 text_limit = 1024;

/* Written live by user space through the mmapped .bss. */
__u64 slow_ns = 0;	  /* queries shorter than this are not sent */
__u32 filter_pids = 0;	  /* nonzero: only processes (or children of processes) in sql_pids */
__u32 filter_servers = 0; /* nonzero: only processes (or children of processes) in sql_servers */

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

/* Room to copy a prepared statement's text before it goes into sql_stmts. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sql_event);
} sql_scratch SEC(".maps");

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
	struct sql_event ev;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sql_thread);
} sql_threads SEC(".maps");

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
	return true;
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
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->ppid = ppid;
	ev->kind = kind;
	ev->flags = 0;
	ev->text_len = 0;
	ev->src = (__u64)src;
	ev->src_len = src_len;
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

/* Send a query that ended now if it took slow_ns or longer, its text read first if asked. */
static __always_inline void sql_finish(struct sql_event *ev, bool read_text, const void *text)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 len;

	if (now - ev->start_ns < slow_ns)
		return;
	ev->end_ns = now;
	if (read_text)
		sql_copy_str(ev, text);
	if (ev->stmt)
		sql_stmt_text(ev);
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
 * one is gone, and the call is a new query. Whether it resumed.
 */
static __always_inline bool sql_resume(struct sql_thread *th, const struct sql_key *key,
				       const void *text, __u64 len)
{
	struct sql_event *ev = bpf_map_lookup_elem(&sql_parked, key);

	if (!ev)
		return false;
	if ((ev->flags & SQL_EV_SUSPENDED) && ev->src == (__u64)text && ev->src_len == len) {
		ev->flags = (ev->flags & ~SQL_EV_SUSPENDED) | SQL_EV_RESUMED;
		if (th->state != SQL_THREAD_IDLE)
			sql_count(SQL_STAT_REPLACED);
		th->state = SQL_THREAD_RESUMED;
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
	if (cmd == SQL_COM_STMT_EXECUTE) {
		th->ev.flags |= SQL_EV_PREPARED;
		th->ev.stmt_id = stmt_id;
	} else {
		/* now: the server writes its answer over the packet */
		sql_copy_bounded(&th->ev, text, len);
	}
	th->state = SQL_THREAD_DISPATCH;
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

	th = sql_thread_get(false);
	if (!th)
		return 0; /* this thread never ran a traced query */
	state = th->state;
	if (state != SQL_THREAD_DISPATCH && state != SQL_THREAD_RESUMED)
		return 0; /* another command, or filtered out */
	th->state = SQL_THREAD_IDLE;
	key.id = th->thd;
	key.pid = th->pid;
	if ((cookie & SQL_LAYOUT_ASYNC_RETURN) && (int)PT_REGS_RC(ctx) == SQL_DISPATCH_WOULDBLOCK) {
		/* parked: kept by THD, for whichever thread resumes it */
		if (state == SQL_THREAD_RESUMED) {
			ev = bpf_map_lookup_elem(&sql_parked, &key);
			if (ev)
				ev->flags |= SQL_EV_SUSPENDED;
			return 0;
		}
		th->ev.flags |= SQL_EV_SUSPENDED;
		if (bpf_map_update_elem(&sql_parked, &key, &th->ev, BPF_ANY))
			sql_count(SQL_DROP_START_FULL);
		return 0;
	}
	if (state == SQL_THREAD_DISPATCH) {
		sql_finish(&th->ev, false, NULL);
		return 0;
	}
	ev = bpf_map_lookup_elem(&sql_parked, &key);
	if (!ev)
		return 0; /* removed as stale by user space */
	sql_finish(ev, false, NULL);
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
	th->state = SQL_THREAD_QUERY;
	return 0;
}

/* USDT query__done: the query of this thread ends (PostgreSQL's passes its text, MySQL's not). */
SEC("usdt")
int BPF_USDT(sql_usdt_done, void *query)
{
	struct sql_thread *th = sql_thread_get(false);

	if (!th || th->state != SQL_THREAD_QUERY)
		return 0;
	th->state = SQL_THREAD_IDLE;
	sql_finish(&th->ev, th->ev.kind == SQL_EV_PG, query);
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
	th->state = SQL_THREAD_EXECUTE;
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

	if (!th || th->state != SQL_THREAD_EXECUTE || PT_REGS_SP(ctx) + SQL_PG_NEST_GAP < th->sp)
		return 0;
	th->state = SQL_THREAD_IDLE;
	if (bpf_get_attach_cookie(ctx) && sql_pg_is_commit((const void *)th->ev.src)) {
		sql_copy_str(&th->ev, (const void *)th->ev.src);
		th->state = SQL_THREAD_COMMIT;
		return 0;
	}
	sql_finish(&th->ev, true, (const void *)th->ev.src);
	return 0;
}

/* postgresql:transaction__commit and transaction__abort: a COMMIT executed ends now. */
SEC("usdt")
int BPF_USDT(sql_pg_xact_end)
{
	struct sql_thread *th = sql_thread_get(false);

	if (!th || th->state != SQL_THREAD_COMMIT)
		return 0;
	th->state = SQL_THREAD_IDLE;
	sql_finish(&th->ev, false, NULL);
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
