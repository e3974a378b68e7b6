// SPDX-License-Identifier: GPL-2.0
#include "ui/overview_panel.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ncurses.h>

#include "collectors/bio_model.h"
#include "collectors/sched_model.h"
#include "collectors/sql_model.h"
#include "ui/format.h"
#include "ui/list_nav.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define SORT_BUSY   SCHED_NCLASSES /* the sort "column" of non-idle time */
#define SORT_PID    (SORT_BUSY + 1) /* then the columns that are not times */
#define SORT_USER   (SORT_BUSY + 2)
#define SORT_THR    (SORT_BUSY + 3)
#define SORT_COMM   (SORT_BUSY + 4)
#define SORT_CGROUP (SORT_BUSY + 5)
#define SORT_STATE  (SORT_BUSY + 6)
#define COL_BAR	    (SORT_BUSY + 7) /* the stacked bar: sorts as busy */
#define SORT_IOPS   (SORT_BUSY + 8) /* then a process's disk I/O and slow queries per second */
#define SORT_MBS    (SORT_BUSY + 9)
#define SORT_SQS    (SORT_BUSY + 10)
#define SORT_NCOLS  (SORT_BUSY + 11)
#define COMM_COLS   12 /* the command keeps at least this much, else the bar goes */
#define CPU_ROWS  8 /* at most this many rows of CPU bars */
#define COMM_MIN  12

/* A process's disk I/O (Block I/O model) and slow queries (SQL model) over the interval. */
struct ov_extra {
	uint32_t pid;
	uint64_t ios;
	uint64_t bytes;
	uint64_t queries;
};

/* One line of the table: a process or thread row, or a cgroup group's header. */
struct ov_item {
	const struct sched_row *row; /* NULL: a group header */
	struct sched_row group;	     /* the group's sums (row == NULL) */
};

struct overview_panel {
	struct table table; /* columns and sort: enum sched_model_class, SORT_BUSY, SORT_* */
	struct table drawn; /* the columns as last drawn (the bar gives way on narrow screens) */
	bool threads;	 /* H: one row a thread */
	bool kthreads;	 /* K: kernel threads shown */
	bool group;	 /* G: rows grouped by cgroup */
	double min_busy; /* t: rows with less non-idle time (s/s) are hidden */
	/* the table as last built, and the model and choices it was built from */
	struct sched_row *rows;
	size_t nrows;
	struct ov_item *items;
	size_t nitems;
	size_t cap;
	const void *built_model; /* with its polls: a new snapshot may reuse an old one's address */
	uint64_t built_polls;
	int built_sort;
	bool built_reverse;
	bool built_threads, built_kthreads, built_group;
	double built_min;
	uint32_t built_pids[KTOP_MAX_PIDS]; /* the PID filter the rows were built with */
	size_t built_npids;
	size_t selected;
	size_t top;
	uint32_t sel_pid, sel_tid; /* the selected row, kept across refreshes */
	int page;
	int title_row; /* where the table's titles and first row were last drawn (-1: not) */
	int first_row;
	/* per process I/O and slow queries, by pid, from the models they were built from */
	struct ov_extra *extra;
	size_t nextra;
	const void *extra_bio, *extra_sql;
	uint64_t extra_bio_polls, extra_sql_polls;
};


/* The columns, in the order of the sort's index (the classes, busy, then the others). */
static const struct table_col overview_cols[SORT_NCOLS] = {
	[SCHED_TIME_CPU] = { "cpu", "CPU", 4, false, false, false, false },
	[SCHED_TIME_RUNQ] = { "runq", "RUNQ", 4, false, false, false, false },
	[SCHED_TIME_IO] = { "io", "IO", 4, false, false, false, false },
	[SCHED_TIME_LOCK] = { "lock", "LOCK", 4, false, false, false, false },
	[SCHED_TIME_NET] = { "net", "NET", 4, false, false, false, false },
	[SCHED_TIME_SLEEP] = { "sleep", "SLP", 4, false, false, false, false },
	[SCHED_TIME_POLL] = { "poll", "POLL", 4, false, false, false, false },
	[SCHED_TIME_OTHER] = { "other", "OTH", 4, false, false, false, false },
	[SORT_BUSY] = { "busy", "BUSY", 5, false, false, false, false },
	[SORT_PID] = { "pid", "PID", 7, false, true, false, false },
	[SORT_USER] = { "user", "USER", 8, true, true, false, false },
	[SORT_THR] = { "threads", "THR", 3, false, false, false, false },
	[SORT_COMM] = { "command", "COMMAND", COMM_COLS, true, true, true, false },
	[SORT_CGROUP] = { "cgroup", "CGROUP", 12, true, true, false, false },
	[SORT_STATE] = { "state", "S", 1, false, true, false, false },
	[COL_BAR] = { "bar", "time/s", 12, true, false, false, true },
	[SORT_IOPS] = { "iops", "IOPS", 5, false, false, false, false },
	[SORT_MBS] = { "mbs", "MB/s", 5, false, false, false, false },
	[SORT_SQS] = { "sqs", "SQ/s", 5, false, false, false, false },
};

/* The columns shown by default, in order on screen. */
static const unsigned char overview_order[] = {
	SORT_PID,	     SORT_USER,	       SORT_CGROUP,	 SORT_THR,	 SORT_STATE,
	SCHED_TIME_CPU,	     SCHED_TIME_RUNQ,  SCHED_TIME_IO,	 SCHED_TIME_LOCK, SCHED_TIME_NET,
	SCHED_TIME_SLEEP,    SCHED_TIME_POLL,  SCHED_TIME_OTHER, SORT_BUSY,	 SORT_IOPS,
	SORT_MBS,	     SORT_SQS,	       COL_BAR,		 SORT_COMM,
};

static const struct table_def overview_table = {
	.name = "overview",
	.title = "Overview: processes",
	.cols = overview_cols,
	.ncols = SORT_NCOLS,
	.order = overview_order,
	.norder = sizeof(overview_order),
};

static const struct table_def *const overview_tables[] = { &overview_table };

/* The theme role of each non-idle class in the stacked bar. */
static const enum theme_role class_roles[4] = {
	THEME_BAR,
	THEME_WARN,
	THEME_KERNEL_FRAME,
	THEME_ERROR,
};

/* ns over the interval as thread-seconds per second. */
static double per_s(const struct sched_model *m, uint64_t ns)
{
	return m->interval_s > 0 ? (double)ns / 1e9 / m->interval_s : 0;
}

/* Room for n table items. */
static void ov_reserve(struct overview_panel *op, size_t n)
{
	if (n <= op->cap)
		return;
	op->cap = n * 2;
	op->items = xreallocarray(op->items, op->cap, sizeof(*op->items));
}

/* The id a row shows: its thread's in thread rows, else its process's. */
static uint32_t row_id(const struct sched_row *r)
{
	return r->tid ? r->tid : r->pid;
}

/* Order extras by pid. */
static int extra_cmp(const void *a, const void *b)
{
	const struct ov_extra *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The extra of pid, added (zero) when missing from the first n (kept sorted at the end). */
static struct ov_extra *extra_add(struct ov_extra **v, size_t *n, size_t *cap, uint32_t pid)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].pid == pid)
			return &(*v)[i];
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[*n] = (struct ov_extra){ .pid = pid };
	return &(*v)[(*n)++];
}

/*
 * Sum the interval's I/O of each process over its disks (Block I/O model) and count its slow
 * queries that ended in the interval (SQL model), when either model is new. Whether it did.
 */
static bool ov_extra_build(struct panel *p)
{
	const struct bio_model *b = p->aux_model;
	const struct sql_model *q = p->aux_model2;
	struct overview_panel *op = p->priv;
	size_t n = 0, cap = 0;
	struct ov_extra *v = NULL;

	if (op->extra_bio == b && op->extra_sql == q && (!b || op->extra_bio_polls == b->polls) &&
	    (!q || op->extra_sql_polls == q->polls))
		return false;
	op->extra_bio = b;
	op->extra_sql = q;
	op->extra_bio_polls = b ? b->polls : 0;
	op->extra_sql_polls = q ? q->polls : 0;
	for (size_t i = 0; b && i < b->interval.nprocs; i++) {
		const struct bio_proc *bp = &b->interval.procs[i];
		struct ov_extra *e = extra_add(&v, &n, &cap, bp->pid);

		e->ios += bp->ios;
		e->bytes += bp->bytes;
	}
	for (size_t i = 0; q && i < q->nqueries; i++)
		if (q->queries[i].seq > q->interval_from)
			extra_add(&v, &n, &cap, q->queries[i].pid)->queries++;
	if (n > 1)
		qsort(v, n, sizeof(*v), extra_cmp);
	free(op->extra);
	op->extra = v;
	op->nextra = n;
	return true;
}

/* The extra of pid, or NULL when it did no I/O and had no slow query. */
static const struct ov_extra *ov_extra_of(const struct overview_panel *op, uint32_t pid)
{
	struct ov_extra key = { .pid = pid };

	return op->nextra ? bsearch(&key, op->extra, op->nextra, sizeof(key), extra_cmp) : NULL;
}

/* The figure of column c (SORT_IOPS, _MBS, _SQS) in a process's extra, 0 if it has none. */
static uint64_t extra_value(const struct overview_panel *op, int c, const struct sched_row *r)
{
	const struct ov_extra *e = r->tid ? NULL : ov_extra_of(op, r->pid);

	if (!e)
		return 0;
	return c == SORT_IOPS ? e->ios : c == SORT_MBS ? e->bytes : e->queries;
}

/* Rows by an extra column, largest first (all of the interval: counts order as rates). */
static int extra_cmp_by(const struct overview_panel *op, int c, const struct sched_row *x,
			const struct sched_row *y)
{
	uint64_t vx = extra_value(op, c, x), vy = extra_value(op, c, y);

	return vx > vy ? -1 : vx < vy;
}

/*
 * Rows by the sort column: times and thread counts largest first, PIDs, users and commands
 * in ascending order; reversed the other way. Ties by id.
 */
static int row_cmp(const void *a, const void *b, void *arg)
{
	const struct sched_row *x = a, *y = b;
	const struct overview_panel *op = arg;
	int sort = op->table.sort == COL_BAR ? SORT_BUSY : op->table.sort, c = 0;
	uint64_t vx, vy;

	if (sort == SORT_USER)
		c = strcmp(x->user, y->user);
	else if (sort == SORT_CGROUP)
		c = strcmp(x->cgroup, y->cgroup);
	else if (sort == SORT_STATE)
		c = (x->state > y->state) - (x->state < y->state);
	else if (sort == SORT_COMM)
		c = strcmp(x->comm, y->comm);
	else if (sort == SORT_THR)
		c = x->threads > y->threads ? -1 : x->threads < y->threads;
	else if (sort == SORT_IOPS || sort == SORT_MBS || sort == SORT_SQS)
		c = extra_cmp_by(op, sort, x, y);
	else if (sort != SORT_PID) {
		vx = sort < SCHED_NCLASSES ? x->ns[sort] : sched_row_busy_ns(x);
		vy = sort < SCHED_NCLASSES ? y->ns[sort] : sched_row_busy_ns(y);
		c = vx > vy ? -1 : vx < vy;
	}
	if (!c)
		c = row_id(x) < row_id(y) ? -1 : row_id(x) > row_id(y);
	return op->table.reverse ? -c : c;
}

/* Groups by cgroup name, then by the sort column within one. */
static int group_cmp(const void *a, const void *b, void *arg)
{
	const struct sched_row *x = a, *y = b;
	int c = strcmp(x->cgroup, y->cgroup);

	return c ? c : row_cmp(a, b, arg);
}

/* Rebuild the rows shown from the model when it or a choice changed. */
static void ov_refresh(struct panel *p)
{
	const struct sched_model *m = p->model;
	struct overview_panel *op = p->priv;
	const struct sched_row *src;
	bool extra_new = ov_extra_build(p);
	const struct filter *f = p->filter;
	size_t n, npids = f ? f->npids : 0;

	if (!(extra_new && op->table.sort >= SORT_IOPS) && op->built_model == p->model &&
	    op->built_npids == npids &&
	    (!npids || !memcmp(op->built_pids, f->pids, npids * sizeof(f->pids[0]))) &&
	    (!m || op->built_polls == m->polls) &&
	    op->built_sort == op->table.sort && op->built_reverse == op->table.reverse &&
	    op->built_threads == op->threads &&
	    op->built_kthreads == op->kthreads && op->built_group == op->group &&
	    op->built_min == op->min_busy)
		return;
	op->built_model = p->model;
	op->built_polls = m ? m->polls : 0;
	op->built_sort = op->table.sort;
	op->built_reverse = op->table.reverse;
	op->built_threads = op->threads;
	op->built_kthreads = op->kthreads;
	op->built_group = op->group;
	op->built_min = op->min_busy;
	op->built_npids = npids;
	if (npids)
		memcpy(op->built_pids, f->pids, npids * sizeof(f->pids[0]));
	op->nrows = op->nitems = 0;
	if (!m)
		return;
	src = op->threads ? m->threads : m->procs;
	n = op->threads ? m->nthreads : m->nprocs;
	op->rows = xreallocarray(op->rows, n ? n : 1, sizeof(*op->rows));
	for (size_t i = 0; i < n; i++) {
		if (src[i].kthread && !op->kthreads)
			continue;
		/* the collector keeps only these; a snapshot taken before (or a replay) has more */
		if (npids && !filter_has_pid(f, src[i].pid))
			continue;
		if (op->min_busy > 0 && per_s(m, sched_row_busy_ns(&src[i])) < op->min_busy)
			continue;
		op->rows[op->nrows++] = src[i];
	}
	if (op->group)
		qsort_r(op->rows, op->nrows, sizeof(*op->rows), group_cmp, op);
	else
		qsort_r(op->rows, op->nrows, sizeof(*op->rows), row_cmp, op);
	ov_reserve(op, 2 * op->nrows + 1);
	for (size_t i = 0, g = 0; i < op->nrows; i++) {
		const struct sched_row *r = &op->rows[i];

		if (op->group && (!i || strcmp(r->cgroup, op->rows[i - 1].cgroup))) {
			g = op->nitems++;
			memset(&op->items[g], 0, sizeof(op->items[g]));
			snprintf(op->items[g].group.cgroup, sizeof(op->items[g].group.cgroup), "%s",
				 r->cgroup);
		}
		if (op->group) {
			struct sched_row *gs = &op->items[g].group;

			for (int c = 0; c < SCHED_NCLASSES; c++)
				gs->ns[c] += r->ns[c];
			gs->threads += r->threads;
			gs->pid++; /* processes in the group */
		}
		op->items[op->nitems++] = (struct ov_item){ .row = r };
	}
	/* keep the selection on the same process or thread */
	op->selected = 0;
	for (size_t i = 0; i < op->nitems; i++) {
		const struct sched_row *r = op->items[i].row;

		if (r && r->pid == op->sel_pid && r->tid == op->sel_tid) {
			op->selected = i;
			break;
		}
	}
}

/* Remember which row is selected, by identity. */
static void ov_note_selection(struct overview_panel *op)
{
	const struct sched_row *r = op->selected < op->nitems ? op->items[op->selected].row : NULL;

	op->sel_pid = r ? r->pid : 0;
	op->sel_tid = r ? r->tid : 0;
}

/* A CPU bar: [user system irq steal  NN%] in width columns. */
static void draw_cpu(struct canvas *cv, int row, int col, int width, int cpu,
		     const struct sched_cpu *c)
{
	const char *full = cv->utf8 ? "|" : "|";
	double parts[4] = { c->user, c->system, c->irq, c->steal };
	enum theme_role roles[4] = { THEME_BAR, THEME_BAR_SLOW, THEME_WARN, THEME_ERROR };
	double total = c->user + c->system + c->irq + c->steal;
	int inner, x, used = 0;
	char pct[8];

	x = col + canvas_printf(cv, row, col, THEME_HEADER, "%3d[", cpu);
	inner = width - (x - col) - 1;
	if (inner < 6)
		return;
	snprintf(pct, sizeof(pct), "%3.0f%%", total * 100);
	for (int k = 0; k < 4; k++) {
		int cells = (int)(parts[k] * (inner - 5) + 0.5);

		for (int i = 0; i < cells && used < inner - 5; i++, used++)
			canvas_put(cv, row, x + used, roles[k], full);
	}
	canvas_put(cv, row, x + inner - 4, THEME_HEADER_VALUE, pct);
	canvas_put(cv, row, x + inner, THEME_HEADER, "]");
}

/* Kilobytes as "11.2G". */
static char *kb_text(char *buf, size_t len, uint64_t kb)
{
	return format_bytes(buf, len, kb * 1024);
}

/* The run-queue line: p50, p99 and the histogram as a sparkline. */
static int draw_runq(struct canvas *cv, int row, int col, const struct sched_system *s)
{
	unsigned long long v[HIST_SLOTS];
	unsigned int first, last;
	char p50[16], p99[16];
	int x = col;

	if (!s->runq.count)
		return canvas_put(cv, row, col, THEME_HEADER, "runq  no wakeups this interval");
	x += canvas_printf(cv, row, x, THEME_HEADER, "runq p50 ");
	x += canvas_put(cv, row, x, THEME_HEADER_VALUE,
			format_usecs(p50, sizeof(p50), hist_percentile(&s->runq, 50)));
	x += canvas_put(cv, row, x, THEME_HEADER, "  p99 ");
	x += canvas_put(cv, row, x, THEME_HEADER_VALUE,
			format_usecs(p99, sizeof(p99), hist_percentile(&s->runq, 99)));
	x += canvas_put(cv, row, x, THEME_HEADER, " ");
	if (hist_range(&s->runq, &first, &last)) {
		int n = 0;

		for (unsigned int i = first; i <= last && n < HIST_SLOTS; i++)
			v[n++] = s->runq.slots[i];
		x += canvas_sparkline(cv, row, x, v, n, THEME_BAR);
	}
	return x - col;
}

/* The system area: CPU bars on the left, memory, run queue, load, PSI, disks on the right. */
static int draw_system(struct panel *p, struct canvas *cv)
{
	const struct sched_model *m = p->model;
	const struct sched_system *s = &m->sys;
	int ncpus = s->ncpus > 0 ? s->ncpus : 1;
	int per_row = (ncpus + CPU_ROWS - 1) / CPU_ROWS;
	int cpu_rows = (ncpus + per_row - 1) / per_row;
	int left = cv->width / 2 > 30 ? cv->width / 2 : 30;
	int rows = cpu_rows > 4 ? cpu_rows : 4;
	int right = left + 2, r = 0, n;
	char a[16], b[16], c[16], d[16], e[16];

	for (int i = 0; i < s->ncpus; i++)
		draw_cpu(cv, i / per_row, 1 + (i % per_row) * (left / per_row), left / per_row - 1,
			 i, &s->cpus[i]);
	canvas_printf(cv, r++, right, THEME_HEADER, "mem %s/%s  avail %s  swap %s/%s",
		      kb_text(a, sizeof(a), s->mem_total_kb - s->mem_avail_kb),
		      kb_text(b, sizeof(b), s->mem_total_kb),
		      kb_text(c, sizeof(c), s->mem_avail_kb),
		      kb_text(d, sizeof(d), s->swap_total_kb - s->swap_free_kb),
		      kb_text(e, sizeof(e), s->swap_total_kb));
	draw_runq(cv, r++, right, s);
	n = canvas_printf(cv, r, right, THEME_HEADER, "load %.2f %.2f %.2f  CPUs %d", s->load[0],
			  s->load[1], s->load[2], s->ncpus);
	if (s->switches_repaired)
		canvas_printf(cv, r, right + n + 2, THEME_DIM, "unseen switches %llu",
			      (unsigned long long)s->switches_repaired);
	r++;
	if (s->psi.has_cpu || s->psi.has_io || s->psi.has_mem)
		canvas_printf(cv, r++, right, THEME_HEADER,
			      "PSI cpu %.0f%%  io %.0f%%/%.0f%%  mem %.0f%%/%.0f%% (some/full)",
			      s->psi.cpu_some, s->psi.io_some, s->psi.io_full, s->psi.mem_some,
			      s->psi.mem_full);
	else
		canvas_put(cv, r++, right, THEME_DIM, "PSI: not in this kernel");
	for (size_t i = 0; i < s->ndisks && r < rows + 1; i++) {
		canvas_printf(cv, r++, right, THEME_HEADER,
			      "%-8s util %3.0f%%  %6.0f IOPS  avg %.2fms", s->disks[i].name,
			      s->disks[i].util * 100, s->disks[i].iops, s->disks[i].avg_ms);
	}
	return (r > rows ? r : rows);
}

/* The non-idle classes as a stacked bar of width cells, full at scale s/s. */
static void draw_stack_bar(struct canvas *cv, int row, int col, int width,
			   const struct sched_model *m, const struct sched_row *r, double scale)
{
	double acc = 0;
	int used = 0;

	for (int c = 0; c < 4; c++) {
		double v = per_s(m, r->ns[c]);
		int end;

		acc += v;
		end = (int)(acc / scale * width + 0.5);
		if (end > width)
			end = width;
		if (end > used) {
			canvas_bar(cv, row, col + used, end - used, 1.0, class_roles[c]);
			used = end;
		}
	}
}

/* A rate in thread-seconds per second in 4 columns: "0.42", "12.5", " 140". */
static char *rate_text(char *buf, size_t len, double v)
{
	if (v < 9.995)
		snprintf(buf, len, "%4.2f", v);
	else if (v < 99.95)
		snprintf(buf, len, "%4.1f", v);
	else
		snprintf(buf, len, "%4.0f", v);
	return buf;
}

/* The text of column c of row r (a group's header when group). */
static const char *item_cell(const struct sched_model *m, const struct sched_row *r, bool group,
			     int c, char *buf, size_t len)
{
	if (c < SCHED_NCLASSES)
		return rate_text(buf, len, per_s(m, r->ns[c]));
	switch (c) {
	case SORT_BUSY:
		return rate_text(buf, len, per_s(m, sched_row_busy_ns(r)));
	case SORT_PID:
		if (group)
			return "group";
		snprintf(buf, len, "%u", row_id(r));
		return buf;
	case SORT_USER:
		return group ? "" : r->user;
	case SORT_THR:
		snprintf(buf, len, "%u", r->threads);
		return buf;
	case SORT_CGROUP:
		return r->cgroup;
	case SORT_STATE:
		snprintf(buf, len, "%c", group ? ' ' : r->state);
		return buf;
	case SORT_COMM:
		if (group)
			snprintf(buf, len, "%u processes", r->pid);
		else
			snprintf(buf, len, "%s", r->comm);
		return buf;
	default:
		return "";
	}
}

/*
 * A group header's note: its processes, then its CPU throttling over the interval (periods
 * throttled, time throttled per second) and its own pressure, where the collector read them.
 */
static void draw_group_note(struct canvas *cv, int row, int col, const struct sched_model *m,
			    const struct sched_row *r)
{
	const struct sched_group *g = sched_model_group(m, r->cgroup);
	char note[160];
	size_t n;

	n = (size_t)snprintf(note, sizeof(note), "%u processes", r->pid);
	if (g && g->has_throttle && n < sizeof(note))
		n += (size_t)snprintf(note + n, sizeof(note) - n,
				      "  throttled %" PRIu64 "x %.0fms/s (%s)", g->nr_throttled,
				      m->interval_s > 0 ? g->throttled_us / 1e3 / m->interval_s : 0,
				      g->v1 ? "v1 cpu" : "v2");
	if (g && g->psi.has_cpu && n < sizeof(note))
		n += (size_t)snprintf(note + n, sizeof(note) - n, "  psi cpu %.0f%%",
				      g->psi.cpu_some);
	if (g && g->psi.has_io && n < sizeof(note))
		n += (size_t)snprintf(note + n, sizeof(note) - n, " io %.0f%%", g->psi.io_some);
	if (g && g->psi.has_mem && n < sizeof(note))
		snprintf(note + n, sizeof(note) - n, " mem %.0f%%", g->psi.mem_some);
	canvas_put_fit(cv, row, col, cv->width - col,
		       g && g->has_throttle && g->nr_throttled ? THEME_WARN : THEME_HEADER_VALUE,
		       note);
}

/* The I/O per second of a process's extra (ios or bytes), over the Block I/O interval. */
static double extra_rate(const struct bio_model *b, uint64_t v)
{
	return b && b->interval.seconds > 0 ? (double)v / b->interval.seconds : 0;
}

/* A process's IOPS, MB/s or slow queries per second (column c), "-" where the model is missing. */
static const char *extra_cell(struct panel *p, uint32_t pid, int c, char *buf, size_t len)
{
	const struct overview_panel *op = p->priv;
	const struct bio_model *b = p->aux_model;
	const struct sched_model *m = p->model;
	const struct ov_extra *e = ov_extra_of(op, pid);

	if (c == SORT_SQS && p->aux_model2)
		snprintf(buf, len, "%.1f",
			 e && m->interval_s > 0 ? (double)e->queries / m->interval_s : 0);
	else if (c == SORT_IOPS && b)
		snprintf(buf, len, "%.0f", e ? extra_rate(b, e->ios) : 0);
	else if (c == SORT_MBS && b)
		snprintf(buf, len, "%.1f", e ? extra_rate(b, e->bytes) / 1e6 : 0);
	else
		return "-";
	return buf;
}

/* Whether the table, placed on a row of width cells, leaves its command less than COMM_COLS. */
static bool comm_narrow(const struct table *t, int width)
{
	int k = table_pos(t, SORT_COMM);

	return k >= 0 && t->x[k] + COMM_COLS >= width;
}

/* One table row: a process, a thread or a group's header. */
static void draw_item(struct panel *p, struct canvas *cv, int row, const struct ov_item *it,
		      double scale, bool selected)
{
	const struct sched_model *m = p->model;
	const struct overview_panel *op = p->priv;
	const struct table *t = &op->drawn;
	const struct sched_row *r = it->row ? it->row : &it->group;
	enum theme_role role = !it->row ? THEME_HEADER_VALUE :
			       r->state == 'X' ? THEME_DIM : THEME_DEFAULT;
	char v[512];

	if (it->row && r->self)
		canvas_put(cv, row, 0, role, "*");
	for (size_t k = 0; k < t->n; k++) {
		int c = t->col[k];

		if (c == COL_BAR) {
			draw_stack_bar(cv, row, t->x[k], t->w[k], m, r, scale);
			continue;
		}
		if (c == SORT_COMM && !it->row) {
			draw_group_note(cv, row, t->x[k], m, r);
			continue;
		}
		if (c == SORT_IOPS || c == SORT_MBS || c == SORT_SQS) {
			table_cell(t, cv, row, k, role,
				   it->row && !r->tid ? extra_cell(p, r->pid, c, v, sizeof(v)) : "");
			continue;
		}
		if (c == SORT_COMM && it->row && r->self) {
			int used = canvas_put_fit(cv, row, t->x[k], t->w[k], role, r->comm);

			if (used + 1 < t->w[k])
				canvas_put_fit(cv, row, t->x[k] + used + 1, t->w[k] - used - 1,
					       THEME_DIM, "(this ktop)");
			continue;
		}
		table_cell(t, cv, row, k, role, item_cell(m, r, !it->row, c, v, sizeof(v)));
	}
	if (selected)
		canvas_set_role(cv, row, 0, -1, THEME_SELECTION);
}

/* The system area, the verdict, the status line and the table, as far as the rows go. */
static void overview_draw(struct panel *p, struct canvas *cv)
{
	const struct sched_model *m;
	struct overview_panel *op = p->priv;
	bool unlimited = cv->max_rows == CANVAS_UNLIMITED;
	int row, page;
	char verdict[256];
	double scale = 1.0;
	char sort_text[32];

	op->title_row = -1;
	if (panel_draw_unavailable(p, cv))
		return;
	m = p->model;
	ov_refresh(p);
	snprintf(sort_text, sizeof(sort_text), "%s%s", overview_cols[op->table.sort].name,
		 op->table.reverse ? " (reversed)" : "");
	row = draw_system(p, cv);
	sched_model_verdict(m, verdict, sizeof(verdict));
	canvas_printf(cv, row++, 1, strncmp(verdict, "nothing", 7) ? THEME_WARN : THEME_DIM,
		      "%s %s", canvas_glyph(cv, "right"), verdict);
	canvas_printf(cv, row++, 1, THEME_DIM,
		      "%zu %s  sort %s  kernel threads %s%s  min busy %.2f s/s  interval %.1fs",
		      op->nrows, op->threads ? "threads" : "processes", sort_text,
		      op->kthreads ? "shown" : "hidden", op->group ? "  grouped by cgroup" : "",
		      op->min_busy, m->interval_s);
	/* the I/O columns, then the bar, give way to the command on narrow screens */
	op->drawn = op->table;
	table_place(&op->drawn, 1, cv->width);
	if (comm_narrow(&op->drawn, cv->width)) {
		for (int c = SORT_IOPS; c <= SORT_SQS; c++)
			if (table_shows(&op->drawn, c))
				table_toggle(&op->drawn, c);
		table_place(&op->drawn, 1, cv->width);
	}
	if (comm_narrow(&op->drawn, cv->width) && table_shows(&op->drawn, COL_BAR)) {
		table_toggle(&op->drawn, COL_BAR);
		table_place(&op->drawn, 1, cv->width);
	}
	op->title_row = row;
	op->first_row = row + 1;
	table_draw_titles(&op->drawn, cv, row++, THEME_TITLE);
	for (size_t i = 0; i < op->nitems; i++) {
		const struct sched_row *r =
			op->items[i].row ? op->items[i].row : &op->items[i].group;
		double busy = per_s(m, sched_row_busy_ns(r));

		if (op->items[i].row && busy > scale)
			scale = busy;
	}
	page = unlimited ? -1 : cv->max_rows - row;
	op->page = page > 0 ? page : 1;
	if (op->selected >= op->nitems)
		op->selected = op->nitems ? op->nitems - 1 : 0;
	list_nav_scroll(op->selected, page, &op->top);
	if (!op->nitems)
		canvas_put(cv, row, 1, THEME_DIM,
			   op->min_busy > 0 ? "no process over the minimum busy time"
					    : "no process in this interval");
	for (size_t i = unlimited ? 0 : op->top; i < op->nitems && canvas_has_row(cv, row);
	     i++, row++)
		draw_item(p, cv, row, &op->items[i], scale,
			  !p->batch && !unlimited && i == op->selected);
}

/* < and >: sort by the previous or the next shown time column (cpu ... busy). */
static struct key_result sort_key(struct panel *p, int key)
{
	struct overview_panel *op = p->priv;
	int n = SORT_BUSY + 1;
	int cur = op->table.sort < n ? op->table.sort : (key == '>' ? n - 1 : 0);

	/* the next shown one (a hidden time column is passed over) */
	for (int i = 1; i <= n; i++) {
		int c = key == '>' ? (cur + i) % n : (cur + n - i) % n;

		if (table_shows(&op->table, c)) {
			op->table.sort = c;
			break;
		}
	}
	ov_refresh(p);
	return key_result(KEY_DO_REDRAW);
}

/* F6: the next sort column, any column; I: the other direction. */
static struct key_result sort_more_key(struct panel *p, int key)
{
	struct overview_panel *op = p->priv;

	if (key == 'I')
		op->table.reverse = !op->table.reverse;
	else
		table_sort_next(&op->table, 1);
	ov_refresh(p);
	return key_result(KEY_DO_REDRAW);
}

/*
 * H, K, G: threads as rows, kernel threads shown, rows grouped by cgroup, each on or off.
 * Grouped, the collector reads each group's throttling and pressure: G asks for it.
 */
static struct key_result toggle_key(struct panel *p, int key)
{
	struct overview_panel *op = p->priv;
	struct key_result r;

	if (key == 'H')
		op->threads = !op->threads;
	else if (key == 'K')
		op->kthreads = !op->kthreads;
	else
		op->group = !op->group;
	ov_refresh(p);
	if (key != 'G' || !p->filter)
		return key_result(KEY_DO_REDRAW);
	r = key_result(KEY_DO_FILTER);
	r.filter = *p->filter;
	r.filter.sched_groups = op->group;
	return r;
}

/* Enter: the Stacks panel of the selected process. */
static struct key_result stacks_key(struct panel *p, int key)
{
	struct overview_panel *op = p->priv;

	(void)key;
	ov_refresh(p);
	if (op->selected >= op->nitems || !op->items[op->selected].row)
		return key_result(KEY_DO_REDRAW);
	return key_result_id(KEY_DO_STACKS, op->items[op->selected].row->pid);
}

/* The movement keys, through the rows. */
static struct key_result move_key(struct panel *p, int key)
{
	struct overview_panel *op = p->priv;

	ov_refresh(p);
	if (!list_nav_key(key, op->nitems, op->page, &op->selected))
		return key_result(KEY_DO_NOTHING);
	ov_note_selection(op);
	return key_result(KEY_DO_REDRAW);
}

static const struct keymap_entry overview_keys[] = {
	{ '\n', stacks_key, "Enter", "Stacks", "the selected process's Stacks panel", "Overview" },
	{ '\r', stacks_key, "Enter", NULL, NULL, "Overview" },
	{ KEY_ENTER, stacks_key, "Enter", NULL, NULL, "Overview" },
	{ '>', sort_key, "< >", "Sort", "sort by the next/previous time column", "Overview" },
	{ '<', sort_key, "<", NULL, NULL, "Overview" },
	{ KEY_F(6), sort_more_key, "F6", NULL, "sort by the next column, any (or click a title)",
	  "Overview" },
	{ 'I', sort_more_key, "I", NULL, "sort the other way (reversed)",
	  "Overview" },
	{ 'H', toggle_key, "H", "Threads", "one row a thread, or a process", "Overview" },
	{ 'K', toggle_key, "K", "Kthreads", "show or hide kernel threads", "Overview" },
	{ 'G', toggle_key, "G", "Group", "group the rows by cgroup", "Overview" },
	LIST_NAV_ROWS(move_key, "move (arrows, PgUp, PgDn, Home, End too)", "Overview"),
};

/* Select the next row whose command holds text (case-insensitive), after the selection. */
static bool overview_search(struct panel *p, const char *text)
{
	struct overview_panel *op = p->priv;

	ov_refresh(p);
	for (size_t k = 1; k <= op->nitems; k++) {
		size_t i = (op->selected + k) % op->nitems;
		const struct sched_row *r = op->items[i].row;

		if (r && strcasestr(r->comm, text)) {
			op->selected = i;
			ov_note_selection(op);
			return true;
		}
	}
	return false;
}

/* The pressure figures psi has (avg10, percent), each key after prefix: "psi_cpu_some". */
static void json_psi(struct json_out *j, const struct sched_psi *psi, const char *prefix)
{
	static const char *const keys[] = { "cpu_some",	   "io_some",	   "io_full",
					    "memory_some", "memory_full" };
	const bool has[] = { psi->has_cpu, psi->has_io, psi->has_io, psi->has_mem, psi->has_mem };
	const double v[] = { psi->cpu_some, psi->io_some, psi->io_full, psi->mem_some,
			     psi->mem_full };
	char key[32];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!has[i])
			continue;
		snprintf(key, sizeof(key), "%s%s", prefix, keys[i]);
		json_kv_double(j, key, v[i], 2);
	}
}

/* The system's figures as JSON. */
static void json_system(struct json_out *j, const struct sched_system *s)
{
	json_key(j, "system");
	json_object_begin(j);
	json_kv_u64(j, "ncpus", (uint64_t)s->ncpus);
	json_kv_double(j, "cpu_busy_pct", sched_system_cpu_busy(s) * 100, 1);
	json_key(j, "cpus");
	json_array_begin(j);
	for (int i = 0; i < s->ncpus; i++) {
		json_object_begin(j);
		json_kv_double(j, "user_pct", s->cpus[i].user * 100, 1);
		json_kv_double(j, "system_pct", s->cpus[i].system * 100, 1);
		json_kv_double(j, "irq_pct", s->cpus[i].irq * 100, 1);
		json_kv_double(j, "steal_pct", s->cpus[i].steal * 100, 1);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "load");
	json_array_begin(j);
	for (int i = 0; i < 3; i++)
		json_double(j, s->load[i], 2);
	json_array_end(j);
	json_kv_u64(j, "mem_total_kb", s->mem_total_kb);
	json_kv_u64(j, "mem_available_kb", s->mem_avail_kb);
	json_kv_u64(j, "swap_total_kb", s->swap_total_kb);
	json_kv_u64(j, "swap_free_kb", s->swap_free_kb);
	json_kv_u64(j, "switches_repaired", s->switches_repaired);
	json_kv_u64(j, "runq_count", s->runq.count);
	json_kv_double(j, "runq_p50_us", hist_percentile(&s->runq, 50), 1);
	json_kv_double(j, "runq_p99_us", hist_percentile(&s->runq, 99), 1);
	json_key(j, "runq_hist");
	json_array_begin(j);
	for (unsigned int i = 0; i < HIST_SLOTS; i++) {
		if (!s->runq.slots[i])
			continue;
		json_object_begin(j);
		json_kv_u64(j, "low_us", hist_slot_low(i));
		json_kv_u64(j, "high_us", hist_slot_high(i));
		json_kv_u64(j, "count", s->runq.slots[i]);
		json_object_end(j);
	}
	json_array_end(j);
	if (s->psi.has_cpu || s->psi.has_io || s->psi.has_mem) {
		json_key(j, "psi");
		json_object_begin(j);
		json_psi(j, &s->psi, "");
		json_object_end(j);
	}
	json_key(j, "disks");
	json_array_begin(j);
	for (size_t i = 0; i < s->ndisks; i++) {
		json_object_begin(j);
		json_kv_str(j, "name", s->disks[i].name);
		json_kv_double(j, "util_pct", s->disks[i].util * 100, 1);
		json_kv_double(j, "iops", s->disks[i].iops, 1);
		json_kv_double(j, "avg_ms", s->disks[i].avg_ms, 3);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

/* A process's I/O and slow queries per second where their models are there. */
static void json_extra(struct panel *p, struct json_out *j, uint32_t pid)
{
	const struct ov_extra *e = ov_extra_of(p->priv, pid);
	const struct sched_model *m = p->model;
	const struct bio_model *b = p->aux_model;

	if (b) {
		json_kv_double(j, "iops", e ? extra_rate(b, e->ios) : 0, 1);
		json_kv_double(j, "io_mb_s", e ? extra_rate(b, e->bytes) / 1e6 : 0, 3);
	}
	if (p->aux_model2)
		json_kv_double(j, "slow_queries_s",
			       e && m->interval_s > 0 ? (double)e->queries / m->interval_s : 0, 2);
}

/* One process or thread as JSON. */
static void json_row(struct panel *p, struct json_out *j, const struct sched_row *r)
{
	char state[2] = { r->state, '\0' };
	uint64_t busy = sched_row_busy_ns(r);

	json_object_begin(j);
	json_kv_u64(j, "pid", r->pid);
	if (r->tid)
		json_kv_u64(j, "tid", r->tid);
	json_kv_str(j, "comm", r->comm);
	json_kv_str(j, "user", r->user);
	json_kv_str(j, "cgroup", r->cgroup);
	json_kv_u64(j, "threads", r->threads);
	json_kv_str(j, "state", state);
	json_kv_bool(j, "kthread", r->kthread);
	if (r->self)
		json_kv_bool(j, "self", true);
	json_kv_double(j, "busy_ms", (double)busy / 1e6, 3);
	json_key(j, "states_ms");
	json_object_begin(j);
	for (int c = 0; c < SCHED_NCLASSES; c++)
		json_kv_double(j, sched_class_name(c), (double)r->ns[c] / 1e6, 3);
	json_object_end(j);
	if (!r->tid)
		json_extra(p, j, r->pid);
	json_object_end(j);
}

/* Each cgroup's throttling over the interval and its own pressure (while grouped, and batch). */
static void json_groups(struct json_out *j, const struct sched_model *m)
{
	json_key(j, "groups");
	json_array_begin(j);
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct sched_group *g = &m->groups[i];

		json_object_begin(j);
		json_kv_str(j, "cgroup", g->cgroup);
		if (g->has_throttle) {
			json_kv_u64(j, "nr_throttled", g->nr_throttled);
			json_kv_double(j, "throttled_ms", g->throttled_us / 1e3, 3);
			json_kv_str(j, "cpu_stat", g->v1 ? "v1" : "v2");
		}
		json_psi(j, &g->psi, "psi_");
		json_object_end(j);
	}
	json_array_end(j);
}

/* Every process (kernel threads too, flagged), and threads when H is on. */
static int overview_json(struct panel *p, struct json_out *j)
{
	const struct sched_model *m = p->model;
	const struct overview_panel *op = p->priv;
	char verdict[256];

	if (!m)
		return -ENODATA;
	json_kv_double(j, "interval_s", m->interval_s, 3);
	json_system(j, &m->sys);
	sched_model_verdict(m, verdict, sizeof(verdict));
	json_kv_str(j, "verdict", verdict);
	json_key(j, "processes");
	json_array_begin(j);
	ov_extra_build(p);
	for (size_t i = 0; i < m->nprocs; i++)
		json_row(p, j, &m->procs[i]);
	json_array_end(j);
	if (m->ngroups)
		json_groups(j, m);
	if (op->threads) {
		json_key(j, "threads");
		json_array_begin(j);
		for (size_t i = 0; i < m->nthreads; i++)
			json_row(p, j, &m->threads[i]);
		json_array_end(j);
	}
	return 0;
}

/* The header's word on the t threshold. */
static void overview_threshold_text(const struct panel *p, const struct filter *f, char *buf,
				    size_t len)
{
	const struct overview_panel *op = p->priv;

	(void)f;
	if (op->min_busy > 0)
		snprintf(buf, len, "busy >= %.2f s/s", op->min_busy);
	else
		snprintf(buf, len, "busy: all");
}

/* The minimum non-idle time of a row, in thread-seconds per second (the panel keeps it). */
static int overview_set_threshold(struct panel *p, const char *text, struct filter *f, char *why,
				  size_t why_len)
{
	struct overview_panel *op = p->priv;
	double v = 0;
	int err;

	(void)f;
	if (text[0]) {
		err = parse_seconds(text, 0, 100000, &v, why, why_len);
		if (err)
			return err;
	}
	op->min_busy = v;
	return 0;
}

/* The settings' kernel threads. */
static void overview_set_prefs(struct panel *p, const struct panel_prefs *pp)
{
	struct overview_panel *op = p->priv;

	op->kthreads = pp->kthreads;
}

static struct table *overview_table_of(struct panel *p, size_t i)
{
	struct overview_panel *op = p->priv;

	return i == 0 ? &op->table : NULL;
}

/* A click on a column title sorts by it (again: the other way); on a row selects it. */
static struct key_result overview_mouse(struct panel *p, enum panel_mouse what, int row, int col)
{
	struct overview_panel *op = p->priv;
	size_t i;

	if (what != PANEL_CLICK || op->title_row < 0)
		return key_result(KEY_DO_NOTHING);
	if (row == op->title_row) {
		int c = table_col_at(&op->drawn, col);

		if (c == COL_BAR)
			c = SORT_BUSY;
		table_sort_click(&op->table, c);
		ov_refresh(p);
		return key_result(KEY_DO_REDRAW);
	}
	if (row < op->first_row)
		return key_result(KEY_DO_NOTHING);
	ov_refresh(p);
	i = op->top + (size_t)(row - op->first_row);
	if (i < op->nitems) {
		op->selected = i;
		ov_note_selection(op);
	}
	return key_result(KEY_DO_REDRAW);
}

/* Free the panel's rows and items. */
static void overview_free(struct panel *p)
{
	struct overview_panel *op = p->priv;

	if (!op)
		return;
	free(op->rows);
	free(op->items);
	free(op->extra);
	free(op);
	p->priv = NULL;
}

int overview_panel_init(struct panel *p)
{
	struct overview_panel *op = xcalloc(1, sizeof(*op));

	table_init(&op->table, &overview_table, SORT_BUSY);
	op->drawn = op->table;
	op->built_sort = -1;
	op->page = 1;
	op->title_row = -1;
	p->priv = op;
	return 0;
}

const struct panel_ops overview_panel_ops = {
	.name = "overview",
	.title = "Overview",
	.keys = overview_keys,
	.nkeys = sizeof(overview_keys) / sizeof(overview_keys[0]),
	.draw = overview_draw,
	.json = overview_json,
	.search = overview_search,
	.threshold_prompt = "minimum busy time of a row, thread-seconds per second (empty: all)",
	.threshold_text = overview_threshold_text,
	.set_threshold = overview_set_threshold,
	.tables = overview_tables,
	.ntables = 1,
	.table = overview_table_of,
	.set_prefs = overview_set_prefs,
	.mouse = overview_mouse,
	.free = overview_free,
};
