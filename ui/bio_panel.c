// SPDX-License-Identifier: GPL-2.0
#include "ui/bio_panel.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncurses.h>

#include "collectors/bio_model.h"
#include "ui/format.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define ALL_OPS ((1u << BIO_OP_COUNT) - 1)
#define TOP_DISKS 5
#define TOP_PROCS 8

struct bio_panel {
	uint32_t disk_dev; /* the chosen disk, 0 for all disks */
	bool split_ops;    /* one histogram per operation */
	bool device_only;  /* device time instead of queue + device */
	bool cumulative;   /* since start/reset instead of the last interval */
	bool size_hist;    /* I/O size instead of latency */
	struct table disks; /* the disks table's columns and sort (enum disk_col) */
	struct table procs; /* the processes table's (enum proc_col) */
	bool sort_procs;    /* T: F6 and I sort the processes table, not the disks */
	int disks_row;     /* where the disks table's titles were last drawn (-1: not) */
	int procs_row;     /* and the processes table's */
	uint32_t shown_devs[64]; /* the disks of its rows, in order */
	int nshown;
};

/* The disks table's columns, in order on screen; each sorts the table. */
enum disk_col {
	DISK_NAME,
	DISK_IOPS,
	DISK_MBS,
	DISK_READS,
	DISK_WRITES,
	DISK_AVG,
	DISK_P95,
	DISK_SLOW,
	DISK_NCOLS,
};

static const struct table_col disk_cols[DISK_NCOLS] = {
	[DISK_NAME] = { "disk", "DISK", 12, true, true, false, false },
	[DISK_IOPS] = { "iops", "IOPS", 8, false, false, false, false },
	[DISK_MBS] = { "mbs", "MB/s", 8, false, false, false, false },
	[DISK_READS] = { "reads", "READ/s", 8, false, false, false, false },
	[DISK_WRITES] = { "writes", "WRITE/s", 8, false, false, false, false },
	[DISK_AVG] = { "avg", "avg", 9, false, false, false, false },
	[DISK_P95] = { "p95", "p95*", 9, false, false, false, false },
	[DISK_SLOW] = { "slow", "slow", 8, false, false, false, false },
};

static const struct table_def disks_table = {
	.name = "bio",
	.title = "Block I/O: disks",
	.cols = disk_cols,
	.ncols = DISK_NCOLS,
};

/* The processes table's columns; each sorts it. */
enum proc_col { PROC_PID, PROC_COMM, PROC_DISK, PROC_IOPS, PROC_MBS, PROC_AVG, PROC_NCOLS };

static const struct table_col proc_cols[PROC_NCOLS] = {
	[PROC_PID] = { "pid", "PID", 8, true, true, false, false },
	[PROC_COMM] = { "comm", "COMM", 16, true, true, false, false },
	[PROC_DISK] = { "disk", "DISK", 12, true, true, false, false },
	[PROC_IOPS] = { "iops", "IOPS", 8, false, false, false, false },
	[PROC_MBS] = { "mbs", "MB/s", 8, false, false, false, false },
	[PROC_AVG] = { "avg", "avg", 9, false, false, false, false },
};

static const struct table_def procs_table = {
	.name = "bio_procs",
	.title = "Block I/O: processes",
	.cols = proc_cols,
	.ncols = PROC_NCOLS,
};

static const struct table_def *const bio_tables[] = { &disks_table, &procs_table };

/* One row of the disks table, its figures worked out once for sorting and drawing. */
struct disk_row {
	const struct bio_disk *d;
	double v[DISK_NCOLS]; /* DISK_NAME unused */
};

static const struct bio_span *shown_span(const struct panel *p)
{
	const struct bio_model *m = p->model;
	const struct bio_panel *bp = p->priv;

	return bp->cumulative && !p->batch ? &m->cumulative : &m->interval;
}

/* The chosen disk in span s, or NULL for all disks (or when it has no I/O there). */
static const struct bio_disk *chosen_disk(const struct panel *p, const struct bio_span *s)
{
	const struct bio_panel *bp = p->priv;

	return bp->disk_dev ? bio_span_disk(s, bp->disk_dev) : NULL;
}

/* The disk name for dev in the cumulative span (which knows every disk seen). */
static const char *disk_name(const struct bio_model *m, uint32_t dev, char *buf, size_t len)
{
	const struct bio_disk *d = bio_span_disk(&m->cumulative, dev);

	if (!d)
		d = bio_span_disk(&m->interval, dev);
	if (d)
		return d->name;
	snprintf(buf, len, "%u:%u", dev >> 20, dev & 0xfffff);
	return buf;
}

static const struct hist *stats_hist(const struct bio_panel *bp, const struct bio_stats *st)
{
	if (bp->size_hist)
		return &st->size;
	return bp->device_only ? &st->lat_device : &st->lat_total;
}

/* Move the disk choice by step through "all" and the disks that had I/O since start. */
static void cycle_disk(struct panel *p, int step)
{
	const struct bio_model *m = p->model;
	struct bio_panel *bp = p->priv;
	size_t n = 0, cur = 0, i;
	uint32_t devs[256];

	if (!m)
		return;
	devs[n++] = 0;
	for (i = 0; i < m->cumulative.ndisks && n < 256; i++) {
		const struct bio_disk *d = &m->cumulative.disks[i];
		struct bio_stats sum;

		bio_span_sum(&m->cumulative, d, ALL_OPS, &sum);
		if (sum.ios || d->dev == bp->disk_dev)
			devs[n++] = d->dev;
	}
	for (i = 0; i < n; i++)
		if (devs[i] == bp->disk_dev)
			cur = i;
	bp->disk_dev = devs[(cur + n + (size_t)(step + (int)n)) % n];
}

/* < > and Left Right: the previous or next disk, "all" among them. */
static struct key_result disk_key(struct panel *p, int key)
{
	cycle_disk(p, key == '>' || key == KEY_RIGHT ? 1 : -1);
	return key_result(KEY_DO_REDRAW);
}

/* o: one histogram per operation, or one for all. */
static struct key_result ops_key(struct panel *p, int key)
{
	struct bio_panel *bp = p->priv;

	(void)key;
	bp->split_ops = !bp->split_ops;
	return key_result(KEY_DO_REDRAW);
}

/* w: device time only, or queue + device. */
static struct key_result queue_key(struct panel *p, int key)
{
	struct bio_panel *bp = p->priv;

	(void)key;
	bp->device_only = !bp->device_only;
	return key_result(KEY_DO_REDRAW);
}

/* c: cumulative, or the last interval. */
static struct key_result cumulative_key(struct panel *p, int key)
{
	struct bio_panel *bp = p->priv;

	(void)key;
	bp->cumulative = !bp->cumulative;
	return key_result(KEY_DO_REDRAW);
}

/* b: the I/O size histogram, or latency. */
static struct key_result size_key(struct panel *p, int key)
{
	struct bio_panel *bp = p->priv;

	(void)key;
	bp->size_hist = !bp->size_hist;
	return key_result(KEY_DO_REDRAW);
}

/* F6: sort the disks (or the processes, after T) by the next column; I: the other way. */
static struct key_result sort_key(struct panel *p, int key)
{
	struct bio_panel *bp = p->priv;
	struct table *t = bp->sort_procs ? &bp->procs : &bp->disks;

	if (key == 'T')
		bp->sort_procs = !bp->sort_procs;
	else if (key == 'I')
		t->reverse = !t->reverse;
	else
		table_sort_next(t, 1);
	return key_result(KEY_DO_REDRAW);
}

static const struct keymap_entry bio_keys[] = {
	{ '>', disk_key, "< >", "Disk", "previous/next disk (also Left/Right)", "Block I/O" },
	{ '<', disk_key, "<", NULL, NULL, "Block I/O" },
	{ KEY_RIGHT, disk_key, "Right", NULL, NULL, "Block I/O" },
	{ KEY_LEFT, disk_key, "Left", NULL, NULL, "Block I/O" },
	{ 'o', ops_key, "o", "Ops", "one histogram per read/write/flush/discard", "Block I/O" },
	{ 'w', queue_key, "w", "Queue", "queue+device time or device time only", "Block I/O" },
	{ 'c', cumulative_key, "c", "Cumul", "last interval or cumulative (r resets)",
	  "Block I/O" },
	{ 'b', size_key, "b", "Size", "latency or I/O size histogram", "Block I/O" },
	{ KEY_F(6), sort_key, "F6", NULL, "sort the disks by the next column (or click a title)",
	  "Block I/O" },
	{ 'I', sort_key, "I", NULL, "sort the disks the other way", "Block I/O" },
	{ 'T', sort_key, "T", NULL, "F6 and I sort the processes table, or the disks again",
	  "Block I/O" },
};

/* The range label of slots first..last: "256 -> 511" for latency, "4K -> 8K" for sizes. */
static void slots_label(const struct bio_panel *bp, unsigned int first, unsigned int last,
			char *buf, size_t len)
{
	char lo[16], hi[16];

	if (bp->size_hist) {
		format_bytes(lo, sizeof(lo), hist_slot_low(first));
		if (last == HIST_SLOTS - 1)
			snprintf(hi, sizeof(hi), "...");
		else
			format_bytes(hi, sizeof(hi), hist_slot_high(last) + 1);
		snprintf(buf, len, "%7s -> %-7s", lo, hi);
	} else {
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)hist_slot_low(first));
		if (last == HIST_SLOTS - 1)
			snprintf(hi, sizeof(hi), "...");
		else
			snprintf(hi, sizeof(hi), "%llu", (unsigned long long)hist_slot_high(last));
		snprintf(buf, len, "%9s -> %-9s", lo, hi);
	}
}

/*
 * Draw one histogram from row; returns the next free row. When its slots do not fit in
 * max_rows, neighbouring slots are merged (2, 3, ... per row) so the whole shape stays visible.
 */
static int draw_hist(struct panel *p, struct canvas *cv, int row, const struct hist *h,
		     int max_rows)
{
	const struct bio_model *m = p->model;
	const struct bio_panel *bp = p->priv;
	unsigned int first, last, s, per_row = 1, nrows;
	uint64_t counts[HIST_SLOTS], top = 0;
	int bar_col = 36, bar_w = cv->width - bar_col - 1;

	if (!hist_range(h, &first, &last)) {
		canvas_printf(cv, row, 1, THEME_TITLE, "%12s%10s %10s", bp->size_hist ? "bytes" : "usecs",
			      "", "count");
		canvas_set_role(cv, row, 0, -1, THEME_TITLE);
		canvas_put(cv, row + 1, 1, THEME_DIM, "no I/O completed");
		return row + 2;
	}
	if (max_rows > 0)
		per_row = (last - first + (unsigned int)max_rows) / (unsigned int)max_rows;
	nrows = (last - first) / per_row + 1;
	for (unsigned int r = 0; r < nrows; r++) {
		counts[r] = 0;
		for (s = first + r * per_row; s <= last && s < first + (r + 1) * per_row; s++)
			counts[r] += h->slots[s];
		if (counts[r] > top)
			top = counts[r];
	}
	canvas_printf(cv, row, 1, THEME_TITLE, "%12s%10s %10s  %-*s", bp->size_hist ? "bytes" : "usecs",
		      "", "count", bar_w > 0 ? bar_w : 0,
		      per_row > 1 ? "distribution (slots merged to fit)" : "distribution");
	canvas_set_role(cv, row, 0, -1, THEME_TITLE);
	row++;
	for (unsigned int r = 0; r < nrows; r++, row++) {
		unsigned int lo = first + r * per_row;
		unsigned int hi = lo + per_row - 1 < last ? lo + per_row - 1 : last;
		bool slow = !bp->size_hist && m->slow_us && hist_slot_low(lo) >= m->slow_us;
		char label[40];

		slots_label(bp, lo, hi, label, sizeof(label));
		canvas_printf(cv, row, 1, slow ? THEME_WARN : THEME_DEFAULT, "%-22s %10llu", label,
			      (unsigned long long)counts[r]);
		if (bar_w > 0 && counts[r])
			canvas_bar(cv, row, bar_col, bar_w, (double)counts[r] / (double)top,
				   slow ? THEME_BAR_SLOW : THEME_BAR);
	}
	return row;
}

/* "p50 0.31ms  p95 1.10ms  p99 2.00ms" for a latency histogram. */
static void percentiles_text(const struct hist *h, char *buf, size_t len)
{
	char a[16], b[16], c[16];

	snprintf(buf, len, "p50 %s  p95 %s  p99 %s", format_usecs(a, sizeof(a), hist_percentile(h, 50)),
		 format_usecs(b, sizeof(b), hist_percentile(h, 95)),
		 format_usecs(c, sizeof(c), hist_percentile(h, 99)));
}

static double avg_usecs(const struct bio_stats *st, bool device_only)
{
	const struct hist *h = device_only ? &st->lat_device : &st->lat_total;

	return h->count ? (double)h->sum / (double)h->count : -1;
}

/* The top line: what is shown and the summary figures. */
static int draw_summary(struct panel *p, struct canvas *cv, int row, const struct bio_span *s,
			const struct bio_stats *sum)
{
	const struct bio_model *m = p->model;
	const struct bio_panel *bp = p->priv;
	char name[32], span[48], avg[16], el[16];
	double secs = s->seconds > 0 ? s->seconds : 1;
	int col = 1;

	col += canvas_put(cv, row, col, THEME_DIM, "disk ");
	col += canvas_put(cv, row, col, THEME_HEADER_VALUE,
			  bp->disk_dev ? disk_name(m, bp->disk_dev, name, sizeof(name)) : "all");
	if (!p->batch) {
		col += canvas_put(cv, row, col, THEME_DIM, " ");
		col += canvas_put(cv, row, col, THEME_DIM, canvas_glyph(cv, "left"));
		col += canvas_put(cv, row, col, THEME_DIM, canvas_glyph(cv, "right"));
	}
	col += canvas_put(cv, row, col, THEME_DIM, "  ops ");
	col += canvas_put(cv, row, col, THEME_HEADER_VALUE, bp->split_ops ? "split" : "all");
	col += canvas_put(cv, row, col, THEME_DIM, "  time ");
	col += canvas_put(cv, row, col, THEME_HEADER_VALUE,
			  bp->device_only ? "device" : "queue+device");
	if (bp->cumulative && !p->batch)
		snprintf(span, sizeof(span), "cumulative %s",
			 format_elapsed(el, sizeof(el), s->seconds));
	else
		snprintf(span, sizeof(span), "interval %.1fs", s->seconds);
	col += canvas_put(cv, row, col, THEME_DIM, "  ");
	col += canvas_put(cv, row, col, THEME_HEADER_VALUE, span);
	canvas_printf(cv, row, col + 3, THEME_HEADER_VALUE, "IOPS %.0f  MB/s %.1f  avg %s",
		      (double)sum->ios / secs, (double)sum->bytes / 1e6 / secs,
		      format_usecs(avg, sizeof(avg), avg_usecs(sum, bp->device_only)));
	return row + 1;
}

/* The second line: slow I/O, percentiles, and what the PID filter does here. */
static int draw_latency_line(struct panel *p, struct canvas *cv, int row, const struct bio_span *s,
			     const struct bio_stats *sum)
{
	const struct bio_model *m = p->model;
	const struct bio_panel *bp = p->priv;
	char pct[80], thr[16];
	int col = 1;

	if (m->slow_us) {
		format_usecs(thr, sizeof(thr), (double)m->slow_us);
		col += canvas_printf(cv, row, col, sum->slow ? THEME_WARN : THEME_DEFAULT,
				     "slow > %s: %llu (%.1f%%)", thr, (unsigned long long)sum->slow,
				     sum->ios ? 100.0 * (double)sum->slow / (double)sum->ios : 0.0);
		col += 3;
	}
	percentiles_text(bp->device_only ? &sum->lat_device : &sum->lat_total, pct, sizeof(pct));
	col += canvas_put(cv, row, col, THEME_DEFAULT, pct);
	canvas_put(cv, row, col, THEME_WARN, "*");
	col += 3;
	canvas_put(cv, row, col, THEME_DIM, "* estimated from log2 buckets");
	row++;
	if (p->filter && p->filter->npids) {
		canvas_printf(cv, row, 1, THEME_WARN,
			      "PID filter: histograms and processes count only I/O submitted by "
			      "the filtered PIDs (%llu I/Os with an unknown submitter left out)",
			      (unsigned long long)s->unknown_submitter);
		row++;
	}
	return row;
}

/* Disk rows by the panel's sort column: figures largest first, names A to Z; I reverses. */
static int disk_row_cmp(const void *a, const void *b, void *arg)
{
	const struct disk_row *x = a, *y = b;
	const struct bio_panel *bp = arg;
	int sort = bp->disks.sort, c;

	if (sort == DISK_NAME)
		c = strcmp(x->d->name, y->d->name);
	else
		c = x->v[sort] > y->v[sort] ? -1 : x->v[sort] < y->v[sort];
	if (!c)
		c = x->d->dev < y->d->dev ? -1 : x->d->dev > y->d->dev;
	return bp->disks.reverse ? -c : c;
}

/* The disks with I/O in span s, their figures worked out, sorted; how many. */
static size_t disk_rows(const struct bio_panel *bp, const struct bio_span *s,
			struct disk_row *rows, size_t max)
{
	double secs = s->seconds > 0 ? s->seconds : 1;
	size_t n = 0;

	for (size_t i = 0; i < s->ndisks && n < max; i++) {
		const struct bio_disk *d = &s->disks[i];
		struct disk_row *r = &rows[n];
		struct bio_stats sum;

		bio_span_sum(s, d, ALL_OPS, &sum);
		if (!sum.ios)
			continue;
		r->d = d;
		r->v[DISK_IOPS] = (double)sum.ios / secs;
		r->v[DISK_MBS] = (double)sum.bytes / 1e6 / secs;
		r->v[DISK_READS] = (double)d->op[BIO_OP_READ].ios / secs;
		r->v[DISK_WRITES] = (double)d->op[BIO_OP_WRITE].ios / secs;
		r->v[DISK_AVG] = avg_usecs(&sum, bp->device_only);
		r->v[DISK_P95] =
			hist_percentile(bp->device_only ? &sum.lat_device : &sum.lat_total, 95);
		r->v[DISK_SLOW] = (double)sum.slow;
		n++;
	}
	qsort_r(rows, n, sizeof(*rows), disk_row_cmp, (void *)bp);
	return n;
}

/* The text of a disks table's cell: column c of row r. */
static const char *disk_cell(const struct disk_row *r, int c, char *buf, size_t len)
{
	switch (c) {
	case DISK_NAME:
		snprintf(buf, len, "%s%s", r->d->name, r->d->gone ? " (gone)" : "");
		break;
	case DISK_MBS:
		snprintf(buf, len, "%.1f", r->v[c]);
		break;
	case DISK_AVG:
	case DISK_P95:
		format_usecs(buf, len, r->v[c]);
		break;
	default:
		snprintf(buf, len, "%.0f", r->v[c]);
		break;
	}
	return buf;
}

/* A table of the disks, sorted (the busiest first), when all disks are shown. The next row. */
static int draw_disks(struct panel *p, struct canvas *cv, int row, const struct bio_span *s,
		      int max_rows)
{
	struct bio_panel *bp = p->priv;
	struct disk_row rows[64];
	size_t n = disk_rows(bp, s, rows, sizeof(rows) / sizeof(rows[0]));
	char buf[64];

	bp->disks_row = p->batch ? -1 : row;
	bp->nshown = 0;
	table_place(&bp->disks, 1, cv->width);
	table_draw_titles(&bp->disks, cv, row, THEME_TITLE);
	row++;
	for (size_t i = 0; i < n && (max_rows < 0 || (int)i < max_rows); i++) {
		const struct disk_row *r = &rows[i];
		enum theme_role role =
			r->d->dev == bp->disk_dev ? THEME_HEADER_VALUE : THEME_DEFAULT;

		bp->shown_devs[bp->nshown++] = r->d->dev;
		for (size_t k = 0; k < bp->disks.n; k++)
			table_cell(&bp->disks, cv, row, k, role,
				   disk_cell(r, bp->disks.col[k], buf, sizeof(buf)));
		row++;
	}
	return row;
}

/* A click on a title of a table sorts by it (again: the other way); on a disk shows it. */
static struct key_result bio_mouse(struct panel *p, enum panel_mouse what, int row, int col)
{
	struct bio_panel *bp = p->priv;

	if (what != PANEL_CLICK)
		return key_result(KEY_DO_NOTHING);
	if (bp->procs_row >= 0 && row == bp->procs_row) {
		table_sort_click(&bp->procs, table_col_at(&bp->procs, col));
		bp->sort_procs = true;
		return key_result(KEY_DO_REDRAW);
	}
	if (bp->disks_row < 0 || row < bp->disks_row)
		return key_result(KEY_DO_NOTHING);
	if (row == bp->disks_row) {
		table_sort_click(&bp->disks, table_col_at(&bp->disks, col));
		bp->sort_procs = false;
		return key_result(KEY_DO_REDRAW);
	}
	if (row - bp->disks_row - 1 < bp->nshown)
		bp->disk_dev = bp->shown_devs[row - bp->disks_row - 1];
	return key_result(KEY_DO_REDRAW);
}

static struct table *bio_table(struct panel *p, size_t i)
{
	struct bio_panel *bp = p->priv;

	return i == 0 ? &bp->disks : i == 1 ? &bp->procs : NULL;
}

/* What proc_cmp sorts by. */
struct proc_sort {
	const struct bio_model *m;
	const struct table *t;
};

/* A process's figure in column c over secs seconds. */
static double proc_value(const struct bio_proc *pr, int c, double secs)
{
	switch (c) {
	case PROC_MBS:
		return (double)pr->bytes / 1e6 / secs;
	case PROC_AVG:
		return pr->ios ? (double)pr->lat_us_sum / (double)pr->ios : 0;
	default:
		return (double)pr->ios / secs;
	}
}

/* Processes by the table's sort: figures largest first, ids and names ascending; reversed. */
static int proc_cmp(const void *a, const void *b, void *arg)
{
	const struct bio_proc *x = *(const struct bio_proc *const *)a;
	const struct bio_proc *y = *(const struct bio_proc *const *)b;
	const struct proc_sort *ps = arg;
	char nx[32], ny[32];
	double vx, vy;
	int c = 0;

	switch (ps->t->sort) {
	case PROC_PID:
		break;
	case PROC_COMM:
		c = strcmp(x->comm, y->comm);
		break;
	case PROC_DISK:
		c = strcmp(disk_name(ps->m, x->dev, nx, sizeof(nx)),
			   disk_name(ps->m, y->dev, ny, sizeof(ny)));
		break;
	default:
		vx = proc_value(x, ps->t->sort, 1);
		vy = proc_value(y, ps->t->sort, 1);
		c = vx > vy ? -1 : vx < vy;
		break;
	}
	if (!c)
		c = x->pid < y->pid ? -1 : x->pid > y->pid;
	if (!c)
		c = x->dev < y->dev ? -1 : x->dev > y->dev;
	return ps->t->reverse ? -c : c;
}

/* The text of a processes table's cell: column c of process pr. */
static const char *proc_cell(const struct bio_model *m, const struct bio_proc *pr, int c,
			     double secs, char *buf, size_t len)
{
	switch (c) {
	case PROC_PID:
		if (pr->pid >= BIO_PID_EXITED)
			return "exited";
		snprintf(buf, len, "%u", pr->pid);
		break;
	case PROC_COMM:
		return pr->comm;
	case PROC_DISK:
		return disk_name(m, pr->dev, buf, len);
	case PROC_IOPS:
		snprintf(buf, len, "%.0f", proc_value(pr, c, secs));
		break;
	case PROC_MBS:
		snprintf(buf, len, "%.1f", proc_value(pr, c, secs));
		break;
	default:
		format_usecs(buf, len, proc_value(pr, c, secs));
		break;
	}
	return buf;
}

/* The processes that submitted I/O (to the chosen disk), sorted. Returns the next row. */
static int draw_procs(struct panel *p, struct canvas *cv, int row, const struct bio_span *s,
		      int max_rows)
{
	const struct bio_model *m = p->model;
	struct bio_panel *bp = p->priv;
	double secs = s->seconds > 0 ? s->seconds : 1;
	const struct bio_proc **order = xreallocarray(NULL, s->nprocs ? s->nprocs : 1,
						      sizeof(*order));
	struct proc_sort ps = { m, &bp->procs };
	size_t n = 0;
	char buf[64];

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct bio_proc *pr = &s->procs[i];

		if ((!bp->disk_dev || pr->dev == bp->disk_dev) && pr->ios)
			order[n++] = pr;
	}
	qsort_r(order, n, sizeof(*order), proc_cmp, &ps);
	bp->procs_row = p->batch ? -1 : row;
	table_place(&bp->procs, 1, cv->width);
	table_draw_titles(&bp->procs, cv, row, THEME_TITLE);
	row++;
	for (size_t i = 0; i < n && (max_rows < 0 || (int)i < max_rows); i++, row++)
		for (size_t k = 0; k < bp->procs.n; k++)
			table_cell(&bp->procs, cv, row, k, THEME_DEFAULT,
				   proc_cell(m, order[i], bp->procs.col[k], secs, buf,
					     sizeof(buf)));
	if (!n)
		canvas_put(cv, row++, 1, THEME_DIM, "no process submitted I/O here");
	free(order);
	return row;
}

/* How many processes submitted I/O in the span (to the chosen disk). */
static size_t busy_procs(const struct panel *p, const struct bio_span *s)
{
	const struct bio_panel *bp = p->priv;
	size_t n = 0;

	for (size_t i = 0; i < s->nprocs; i++)
		n += s->procs[i].ios && (!bp->disk_dev || s->procs[i].dev == bp->disk_dev);
	return n;
}

/* How many disks completed I/O in the span. */
static size_t busy_disks(const struct bio_span *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ndisks; i++) {
		struct bio_stats sum;

		bio_span_sum(s, &s->disks[i], ALL_OPS, &sum);
		n += sum.ios > 0;
	}
	return n;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* One histogram to draw, with the line that names it in the per-operation view. */
struct shown_hist {
	struct bio_stats stats;
	int op; /* -1: all operations together */
};

/* The histograms the view shows: one for all ops, or one per op that had I/O. */
static size_t shown_hists(const struct panel *p, const struct bio_span *s,
			  const struct bio_disk *disk, struct shown_hist *out)
{
	const struct bio_panel *bp = p->priv;
	size_t n = 0;

	if (!bp->split_ops) {
		bio_span_sum(s, disk, ALL_OPS, &out[0].stats);
		out[0].op = -1;
		return 1;
	}
	for (int op = 0; op < BIO_OP_COUNT; op++) {
		bio_span_sum(s, disk, 1u << op, &out[n].stats);
		out[n].op = op;
		n += out[n].stats.ios > 0;
	}
	return n;
}

/* Rows a histogram needs unmerged: its title and its slots from the first used to the last. */
static int hist_rows_needed(const struct hist *h)
{
	unsigned int first, last;

	return 1 + (hist_range(h, &first, &last) ? (int)(last - first + 1) : 1);
}

static void bio_draw(struct panel *p, struct canvas *cv)
{
	struct bio_panel *bp = p->priv;
	const struct bio_span *s;
	const struct bio_disk *disk;
	struct shown_hist hists[BIO_OP_COUNT];
	struct bio_span empty = { 0 };
	struct bio_stats sum;
	bool unlimited = cv->max_rows == CANVAS_UNLIMITED;
	int row, need = 0, avail, per_hist = -1, proc_rows, disk_rows;
	size_t nh;

	bp->disks_row = -1;
	bp->procs_row = -1;
	if (panel_draw_unavailable(p, cv))
		return;
	s = shown_span(p);
	disk = chosen_disk(p, s);
	if (bp->disk_dev && !disk) {
		/* the chosen disk did nothing in this span */
		empty.seconds = s->seconds;
		s = &empty;
	}
	bio_span_sum(s, disk, ALL_OPS, &sum);
	row = draw_summary(p, cv, 0, s, &sum);
	row = draw_latency_line(p, cv, row, s, &sum);
	nh = shown_hists(p, s, disk, hists);

	disk_rows = !bp->disk_dev && busy_disks(s) > 1 ? (int)busy_disks(s) : 0;
	proc_rows = (int)busy_procs(p, s);
	if (!unlimited) {
		/* everything if it fits; else short tables, and histograms merge slots to fit */
		int titles = 0, tables;

		for (size_t i = 0; i < nh; i++) {
			need += hist_rows_needed(stats_hist(bp, &hists[i].stats)) +
				(hists[i].op >= 0);
			titles += 1 + (hists[i].op >= 0);
		}
		/* blank lines around the histograms, the tables' titles and the blank between */
		avail = cv->max_rows - row - 2 - (disk_rows ? 2 : 0) - 1;
		disk_rows = disk_rows > TOP_DISKS ? TOP_DISKS : disk_rows;
		proc_rows = proc_rows > TOP_PROCS ? TOP_PROCS : proc_rows < 1 ? 1 : proc_rows;
		if (need + disk_rows + proc_rows > avail) {
			disk_rows = disk_rows > 3 ? 3 : disk_rows;
			proc_rows = proc_rows > 3 ? 3 : proc_rows;
		}
		/* a histogram split over rows is worse than a shorter table */
		if (need > avail - disk_rows - proc_rows)
			proc_rows = max_int(1, avail - need - disk_rows);
		if (disk_rows && need > avail - disk_rows - proc_rows)
			disk_rows = max_int(1, avail - need - proc_rows);
		tables = disk_rows + proc_rows;
		if (need > avail - tables && nh)
			per_hist = (avail - tables - titles) / (int)nh;
		if (per_hist >= 0 && per_hist < 3)
			per_hist = 3;
		if (need < avail - tables)
			proc_rows += avail - tables - need;
	}

	row++;
	for (size_t i = 0; i < nh && canvas_has_row(cv, row); i++) {
		const struct bio_stats *st = &hists[i].stats;
		char pct[80], avg[16];

		if (hists[i].op >= 0) {
			percentiles_text(bp->device_only ? &st->lat_device : &st->lat_total, pct,
					 sizeof(pct));
			canvas_printf(cv, row++, 1, THEME_HEADER_VALUE, "%s: %llu I/Os  avg %s  %s",
				      bio_op_name(hists[i].op), (unsigned long long)st->ios,
				      format_usecs(avg, sizeof(avg), avg_usecs(st, bp->device_only)),
				      pct);
		}
		row = draw_hist(p, cv, row, stats_hist(bp, st), per_hist);
	}
	if (!nh)
		canvas_put(cv, row++, 1, THEME_DIM, "no I/O completed");
	row++;
	if (disk_rows && canvas_has_row(cv, row + 1)) {
		row = draw_disks(p, cv, row, s, unlimited ? -1 : disk_rows);
		row++;
	}
	if (canvas_has_row(cv, row + 1))
		draw_procs(p, cv, row, s, unlimited ? -1 : proc_rows);
}

/* One histogram as a JSON array of its non-empty slots. */
static void json_hist(struct json_out *j, const char *key, const struct hist *h)
{
	json_key(j, key);
	json_array_begin(j);
	for (unsigned int s = 0; s < HIST_SLOTS; s++) {
		if (!h->slots[s])
			continue;
		json_object_begin(j);
		json_kv_u64(j, "low", hist_slot_low(s));
		json_kv_u64(j, "high", hist_slot_high(s));
		json_kv_u64(j, "count", h->slots[s]);
		json_object_end(j);
	}
	json_array_end(j);
}

/* The figures of one bio_stats as JSON keys. */
static void json_stats(struct json_out *j, const struct bio_stats *st, double secs)
{
	json_kv_u64(j, "ios", st->ios);
	json_kv_u64(j, "bytes", st->bytes);
	json_kv_double(j, "iops", (double)st->ios / secs, 1);
	json_kv_double(j, "mb_s", (double)st->bytes / 1e6 / secs, 3);
	json_kv_u64(j, "slow", st->slow);
	json_kv_double(j, "avg_us", st->lat_total.count ? hist_mean(&st->lat_total) : NAN, 1);
	json_kv_double(j, "avg_device_us", st->lat_device.count ? hist_mean(&st->lat_device) : NAN,
		       1);
	json_kv_double(j, "p50_us", st->ios ? hist_percentile(&st->lat_total, 50) : NAN, 1);
	json_kv_double(j, "p95_us", st->ios ? hist_percentile(&st->lat_total, 95) : NAN, 1);
	json_kv_double(j, "p99_us", st->ios ? hist_percentile(&st->lat_total, 99) : NAN, 1);
	json_hist(j, "lat_total_us", &st->lat_total);
	json_hist(j, "lat_device_us", &st->lat_device);
	json_hist(j, "size_bytes", &st->size);
}

static int bio_json(struct panel *p, struct json_out *j)
{
	const struct bio_model *m = p->model;
	const struct bio_span *s;
	double secs;

	if (!m)
		return -ENODATA;
	s = shown_span(p);
	secs = s->seconds > 0 ? s->seconds : 1;
	json_kv_double(j, "interval_s", s->seconds, 3);
	json_kv_str(j, "span", s == &m->cumulative ? "cumulative" : "interval");
	json_kv_u64(j, "slow_us", m->slow_us);
	json_kv_bool(j, "percentiles_estimated", true);
	json_kv_bool(j, "pid_filtered_histograms", m->pid_filtered);
	json_kv_u64(j, "unknown_submitter", s->unknown_submitter);
	json_key(j, "disks");
	json_array_begin(j);
	for (size_t i = 0; i < s->ndisks; i++) {
		const struct bio_disk *d = &s->disks[i];
		struct bio_stats sum;
		char dev[24];

		bio_span_sum(s, d, ALL_OPS, &sum);
		snprintf(dev, sizeof(dev), "%u:%u", d->dev >> 20, d->dev & 0xfffff);
		json_object_begin(j);
		json_kv_str(j, "name", d->name);
		json_kv_str(j, "dev", dev);
		json_kv_bool(j, "gone", d->gone);
		json_stats(j, &sum, secs);
		json_key(j, "ops");
		json_object_begin(j);
		for (int op = 0; op < BIO_OP_COUNT; op++) {
			if (!d->op[op].ios)
				continue;
			json_key(j, bio_op_name(op));
			json_object_begin(j);
			json_stats(j, &d->op[op], secs);
			json_object_end(j);
		}
		json_object_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "processes");
	json_array_begin(j);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct bio_proc *pr = &s->procs[i];
		char name[32];

		if (!pr->ios)
			continue;
		json_object_begin(j);
		/* the exited processes of one name: pid 0 */
		json_kv_u64(j, "pid", pr->pid >= BIO_PID_EXITED ? 0 : pr->pid);
		json_kv_bool(j, "exited", pr->pid >= BIO_PID_EXITED);
		json_kv_str(j, "comm", pr->comm);
		json_kv_str(j, "disk", disk_name(m, pr->dev, name, sizeof(name)));
		json_kv_u64(j, "ios", pr->ios);
		json_kv_u64(j, "bytes", pr->bytes);
		json_kv_double(j, "avg_us", (double)pr->lat_us_sum / (double)pr->ios, 1);
		json_object_end(j);
	}
	json_array_end(j);
	return 0;
}

static void bio_threshold_text(const struct panel *p, const struct filter *f, char *buf,
			       size_t len)
{
	char us[16];

	(void)p;
	if (f->bio_slow_us)
		snprintf(buf, len, "slow I/O > %s", format_usecs(us, sizeof(us),
								 (double)f->bio_slow_us));
	else
		snprintf(buf, len, "slow I/O: off");
}

static int bio_set_threshold(struct panel *p, const char *text, struct filter *f, char *why,
			     size_t why_len)
{
	double ms;
	int err;

	(void)p;
	if (!text[0]) {
		f->bio_slow_us = 0;
		return 0;
	}
	err = parse_seconds(text, 0, 600000, &ms, why, why_len);
	if (err)
		return err;
	f->bio_slow_us = (uint64_t)(ms * 1000 + 0.5);
	return 0;
}

static void bio_free(struct panel *p)
{
	free(p->priv);
	p->priv = NULL;
}

bool bio_panel_is_cumulative(const struct panel *p)
{
	const struct bio_panel *bp = p->priv;

	return bp && bp->cumulative;
}

int bio_panel_init(struct panel *p)
{
	struct bio_panel *bp = xcalloc(1, sizeof(*bp));

	table_init(&bp->disks, &disks_table, DISK_IOPS);
	table_init(&bp->procs, &procs_table, PROC_IOPS);
	bp->disks_row = -1;
	bp->procs_row = -1;
	p->priv = bp;
	return 0;
}

const struct panel_ops bio_panel_ops = {
	.name = "bio",
	.title = "Block I/O",
	.keys = bio_keys,
	.nkeys = sizeof(bio_keys) / sizeof(bio_keys[0]),
	.draw = bio_draw,
	.json = bio_json,
	.threshold_prompt = "slow I/O threshold in ms (e.g. 10 or 0.5; empty: off)",
	.threshold_text = bio_threshold_text,
	.set_threshold = bio_set_threshold,
	.tables = bio_tables,
	.ntables = sizeof(bio_tables) / sizeof(bio_tables[0]),
	.table = bio_table,
	.mouse = bio_mouse,
	.free = bio_free,
};
