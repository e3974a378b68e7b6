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
 * Queries in flight: struct sql_event values cut to the text limit in use (user space sets the
 * value size before load, hence sizes and no BTF types). Not preallocated: entries are large.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SQL_START_MAX);
	__uint(key_size, sizeof(struct sql_key));
	__uint(value_size, sizeof(struct sql_event));
} sql_starts SEC(".maps");

/* Thread ID -> the query its dispatch_command call runs, for the return probe. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SQL_START_MAX);
	__type(key, __u32);
	__type(value, struct sql_key);
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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SQL_DROP_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} sql_drops SEC(".maps");

/* Where a start is built: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sql_event);
} sql_scratch SEC(".maps");

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

/*
 * A query begins: record its start under key, with its text (a string, or len bytes when
 * bounded) or, for a prepared statement, its number. A query suspended by MariaDB's thread
 * pool keeps its first start when it resumes.
 */
static __always_inline void sql_start(const struct sql_key *key, __u16 kind, __u32 ppid,
				      const void *text, __u64 len, bool bounded, bool prepared,
				      __u64 stmt_id)
{
	struct sql_event *ev;
	__u32 zero = 0;
	__u64 id;

	ev = bpf_map_lookup_elem(&sql_starts, key);
	if (ev) {
		/* The same THD with the same packet: the query it suspended, resumed. */
		if ((ev->flags & SQL_EV_SUSPENDED) && ev->src == (__u64)text &&
		    ev->src_len == len) {
			ev->flags = (ev->flags & ~SQL_EV_SUSPENDED) | SQL_EV_RESUMED;
			sql_count(SQL_STAT_RESUMED);
			return;
		}
		sql_count(SQL_STAT_REPLACED);
	}
	ev = bpf_map_lookup_elem(&sql_scratch, &zero);
	if (!ev)
		return; /* cannot happen: a one-slot per-CPU array */
	id = bpf_get_current_pid_tgid();
	ev->start_ns = bpf_ktime_get_ns();
	ev->end_ns = 0;
	ev->stmt_id = stmt_id;
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->ppid = ppid;
	ev->kind = kind;
	ev->flags = 0;
	ev->text_len = 0;
	ev->src = (__u64)text;
	ev->src_len = len;
	if (prepared)
		ev->flags |= SQL_EV_PREPARED;
	else if (bounded)
		sql_copy_bounded(ev, text, len);
	else
		sql_copy_str(ev, text);
	if (ev->flags & SQL_EV_NO_TEXT)
		sql_count(SQL_DROP_NO_TEXT);
	if (bpf_map_update_elem(&sql_starts, key, ev, BPF_ANY))
		sql_count(SQL_DROP_START_FULL);
}

/* A query ends: send it if it took slow_ns or longer, and forget its start. */
static __always_inline void sql_end(const struct sql_key *key)
{
	struct sql_event *ev;
	__u64 len;
	__u64 now;

	ev = bpf_map_lookup_elem(&sql_starts, key);
	if (!ev)
		return; /* started before we attached, or filtered out at its start */
	now = bpf_ktime_get_ns();
	if (now - ev->start_ns < slow_ns) {
		bpf_map_delete_elem(&sql_starts, key);
		return;
	}
	ev->end_ns = now;
	len = ev->text_len;
	if (len > text_limit) /* the entry holds no more (SQL_START_VALUE_SIZE) */
		len = text_limit;
	if (bpf_ringbuf_output(&sql_events, ev, SQL_EVENT_HDR_SIZE + len, 0))
		sql_count(SQL_DROP_LOST);
	bpf_map_delete_elem(&sql_starts, key);
}

/* dispatch_command entry: a COM_QUERY or COM_STMT_EXECUTE begins (the cookie says the layout). */
SEC("uprobe")
int BPF_KPROBE(sql_dispatch_enter)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u64 id = bpf_get_current_pid_tgid();
	struct sql_com_query q = {};
	struct sql_key key = {};
	const void *text = NULL;
	__u64 stmt_id = 0;
	__u32 tid = (__u32)id;
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
	if (!sql_is_wanted(id >> 32, &ppid, false))
		return 0;
	key.id = thd;
	key.pid = id >> 32;
	if (bpf_map_update_elem(&sql_threads, &tid, &key, BPF_ANY)) {
		sql_count(SQL_DROP_THREAD_FULL);
		return 0;
	}
	sql_start(&key, SQL_EV_MYSQL, ppid, text, len, true, cmd == SQL_COM_STMT_EXECUTE, stmt_id);
	return 0;
}

/* dispatch_command return: the query ends, unless the thread pool will resume it. */
SEC("uretprobe")
int BPF_KRETPROBE(sql_dispatch_exit)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sql_event *ev;
	struct sql_key *k;
	struct sql_key key;

	k = bpf_map_lookup_elem(&sql_threads, &tid);
	if (!k)
		return 0; /* another command, or filtered out */
	key = *k;
	bpf_map_delete_elem(&sql_threads, &tid);
	if ((cookie & SQL_LAYOUT_ASYNC_RETURN) && (int)PT_REGS_RC(ctx) == SQL_DISPATCH_WOULDBLOCK) {
		ev = bpf_map_lookup_elem(&sql_starts, &key);
		if (ev)
			ev->flags |= SQL_EV_SUSPENDED;
		return 0;
	}
	sql_end(&key);
	return 0;
}

/* USDT query__start(const char *query, ...): mysql or postgresql, as the cookie says. */
SEC("usdt")
int BPF_USDT(sql_usdt_start, void *query)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sql_key key = {};
	__u32 ppid;

	if (!sql_is_wanted(id >> 32, &ppid, true))
		return 0;
	key.id = (__u32)id;
	key.pid = id >> 32;
	key.by_thread = 1;
	sql_start(&key, (__u16)bpf_usdt_cookie(ctx), ppid, query, 0, false, false, 0);
	return 0;
}

/* USDT query__done: the query of this thread ends. */
SEC("usdt")
int BPF_USDT(sql_usdt_done)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sql_key key = {};

	key.id = (__u32)id;
	key.pid = id >> 32;
	key.by_thread = 1;
	sql_end(&key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
