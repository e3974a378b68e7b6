// SPDX-License-Identifier: GPL-2.0
#include "ui/sql_panel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ncurses.h>

#include "collectors/sql_model.h"
#include "collectors/stack_tree.h"
#include "ui/format.h"
#include "ui/list_nav.h"
#include "ui/tree_view.h"
#include "util/fingerprint.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define SPARK_CELLS 30 /* seconds of the slow/s sparkline */
#define WAITS_W	    18 /* the list's and digest's breakdown column: "lock 91% cpu 6%" */
#define TEXT_COL    (54 + WAITS_W + 2) /* where the query text starts in the list */
#define FP_COL	    (67 + WAITS_W + 2) /* where the fingerprint starts in the digest */
#define WAIT_BAR_W  40 /* the detail's bars of the breakdown */
#define EXPORT_DEPTH 64 /* tree levels a text export of the detail writes */

struct sql_panel {
	bool digest;	 /* the digest view instead of the list */
	bool slowest;	 /* slowest first instead of newest first */
	bool detail;	 /* the selected query in full */
	size_t selected; /* row in the shown order */
	size_t top;	 /* first row on screen */
	int page;
	double selected_time; /* the selected query, found again after a refresh */
	uint32_t selected_tid;
	int dsort;      /* the digest's sort column (enum digest_col) */
	bool dreverse;  /* I: the other way */
	int title_row;  /* where the shown table's titles were last drawn (-1: not) */
	/* The detail's tree of the query's blocked stacks, built for one query of one model. */
	struct tree_view tv;
	struct stack_tree *tree;
	const void *tree_model;
	uint64_t tree_seq;
};

/* The digest's sortable columns, in order on screen. */
enum digest_col { DIGEST_COUNT, DIGEST_TOTAL, DIGEST_AVG, DIGEST_P95, DIGEST_MAX, DIGEST_NCOLS };

static const char *const digest_sort_columns[DIGEST_NCOLS] = {
	"count", "total", "avg", "p95", "max",
};

/* Where each digest column starts, and where the next begins. */
static const int digest_col_x[DIGEST_NCOLS + 1] = { 1, 9, 21, 31, 41, 51 };

/* Order of the list: indices into m->queries. */
static size_t *query_order(const struct sql_model *m, bool slowest)
{
	size_t *idx = xreallocarray(NULL, m->nqueries ? m->nqueries : 1, sizeof(*idx));

	for (size_t i = 0; i < m->nqueries; i++)
		idx[i] = m->nqueries - 1 - i; /* newest first */
	if (slowest) {
		/* insertion sort keeps newest-first among equals; lists are at most 1000 */
		for (size_t i = 1; i < m->nqueries; i++) {
			size_t v = idx[i], j = i;

			while (j && m->queries[idx[j - 1]].latency_us < m->queries[v].latency_us) {
				idx[j] = idx[j - 1];
				j--;
			}
			idx[j] = v;
		}
	}
	return idx;
}

/* The estimated p95 of a digest, never above the largest latency seen. */
static double digest_p95_ms(const struct sql_digest *d)
{
	double p95 = hist_percentile(&d->lat_us, 95);

	return (p95 > (double)d->max_us ? (double)d->max_us : p95) / 1000.0;
}

/* A digest's figure in column c. */
static double digest_value(const struct sql_digest *d, int c)
{
	switch (c) {
	case DIGEST_COUNT:
		return (double)d->count;
	case DIGEST_AVG:
		return (double)d->total_us / (double)(d->count ? d->count : 1);
	case DIGEST_P95:
		return digest_p95_ms(d);
	case DIGEST_MAX:
		return (double)d->max_us;
	default:
		return (double)d->total_us;
	}
}

/* What digest_cmp sorts by. */
struct digest_sort {
	const struct sql_model *m;
	int col;
	bool reverse;
};

/* Digest indices by the sort column, largest first (reversed: smallest first). */
static int digest_cmp(const void *a, const void *b, void *arg)
{
	const struct digest_sort *ds = arg;
	double x = digest_value(&ds->m->digests[*(const size_t *)a], ds->col);
	double y = digest_value(&ds->m->digests[*(const size_t *)b], ds->col);
	int c = x == y ? 0 : x > y ? -1 : 1;

	return ds->reverse ? -c : c;
}

/* The digests in the panel's sort order (sp NULL: by total time, largest first). */
static size_t *digest_order(const struct sql_model *m, const struct sql_panel *sp)
{
	size_t *idx = xreallocarray(NULL, m->ndigests ? m->ndigests : 1, sizeof(*idx));
	struct digest_sort ds = { m, sp ? sp->dsort : DIGEST_TOTAL, sp && sp->dreverse };

	for (size_t i = 0; i < m->ndigests; i++)
		idx[i] = i;
	qsort_r(idx, m->ndigests, sizeof(*idx), digest_cmp, &ds);
	return idx;
}

/* The text to show for a query: as it was, or with its literals hidden. */
static const char *query_text(const struct panel *p, const struct sql_query *q, char *buf,
			      size_t len)
{
	if (!p->filter || !p->filter->redact)
		return q->text;
	fingerprint_redact(q->text, buf, len);
	return buf;
}

static size_t rows_shown(const struct panel *p)
{
	const struct sql_model *m = p->model;
	const struct sql_panel *sp = p->priv;

	return sp->digest ? m->ndigests : m->nqueries;
}

/* Keep the selection on the same query after a refresh. */
static void follow_selection(struct panel *p, const size_t *order)
{
	const struct sql_model *m = p->model;
	struct sql_panel *sp = p->priv;

	if (sp->digest || !m->nqueries)
		return;
	for (size_t i = 0; i < m->nqueries; i++) {
		const struct sql_query *q = &m->queries[order[i]];

		if (q->time == sp->selected_time && q->tid == sp->selected_tid) {
			sp->selected = i;
			return;
		}
	}
	if (sp->selected >= m->nqueries)
		sp->selected = m->nqueries - 1;
}

static void remember_selection(struct panel *p)
{
	const struct sql_model *m = p->model;
	struct sql_panel *sp = p->priv;
	size_t *order;

	if (!m || sp->digest || !m->nqueries)
		return;
	order = query_order(m, sp->slowest);
	if (sp->selected < m->nqueries) {
		sp->selected_time = m->queries[order[sp->selected]].time;
		sp->selected_tid = m->queries[order[sp->selected]].tid;
	}
	free(order);
}

/* g: the digest, or the list. */
static struct key_result digest_key(struct panel *p, int key)
{
	struct sql_panel *sp = p->priv;

	(void)key;
	sp->digest = !sp->digest;
	sp->detail = false;
	sp->selected = 0;
	sp->top = 0;
	return key_result(KEY_DO_REDRAW);
}

/* o: slowest first, or newest first. */
static struct key_result order_key(struct panel *p, int key)
{
	struct sql_panel *sp = p->priv;

	(void)key;
	sp->slowest = !sp->slowest;
	sp->selected = 0;
	sp->top = 0;
	remember_selection(p);
	return key_result(KEY_DO_REDRAW);
}

/* x: the filter with query literals hidden, or shown. */
static struct key_result redact_key(struct panel *p, int key)
{
	struct key_result r = key_result(KEY_DO_FILTER);

	(void)key;
	r.filter = *p->filter;
	r.filter.redact = !p->filter->redact;
	return r;
}

/* Enter: the selected query in full; again: the stacks of the server process that ran it. */
static struct key_result detail_key(struct panel *p, int key)
{
	struct sql_panel *sp = p->priv;
	size_t n = p->model ? rows_shown(p) : 0;
	const struct sql_model *m = p->model;
	size_t *order;
	uint32_t pid;

	(void)key;
	if (sp->digest || !n)
		return key_result(KEY_DO_REDRAW);
	if (!sp->detail) {
		sp->detail = true;
		return key_result(KEY_DO_REDRAW);
	}
	order = query_order(m, sp->slowest);
	pid = m->queries[order[sp->selected < n ? sp->selected : 0]].pid;
	free(order);
	return key_result_id(KEY_DO_STACKS, pid);
}

/* Esc: from the detail back to the list. */
static struct key_result back_key(struct panel *p, int key)
{
	struct sql_panel *sp = p->priv;

	(void)key;
	if (!sp->detail)
		return key_result(KEY_DO_NOTHING);
	sp->detail = false;
	return key_result(KEY_DO_REDRAW);
}

/* The movement keys: through the list or the digest (the detail's tree has its own). */
static struct key_result move_key(struct panel *p, int key)
{
	struct sql_panel *sp = p->priv;
	size_t n = p->model ? rows_shown(p) : 0;

	if (sp->detail && !sp->digest)
		return key_result(KEY_DO_NOTHING);

	if (!list_nav_key(key, n, sp->page, &sp->selected))
		return key_result(KEY_DO_NOTHING);
	remember_selection(p);
	return key_result(KEY_DO_REDRAW);
}

/* F6: sort the digest by its next column; I: the other way. */
static struct key_result digest_sort_key(struct panel *p, int key)
{
	struct sql_panel *sp = p->priv;

	if (!sp->digest)
		return key_result(KEY_DO_NOTHING);
	if (key == 'I')
		sp->dreverse = !sp->dreverse;
	else
		sp->dsort = (sp->dsort + 1) % DIGEST_NCOLS;
	return key_result(KEY_DO_REDRAW);
}

static const struct keymap_entry sql_keys[] = {
	{ 'g', digest_key, "g", "Digest", "digest: queries grouped by shape", "Slow queries" },
	{ 'o', order_key, "o", "Order", "newest first or slowest first", "Slow queries" },
	{ KEY_F(6), digest_sort_key, "F6", NULL, "digest: sort by the next column (or click a title)",
	  "Slow queries" },
	{ 'I', digest_sort_key, "I", NULL, "digest: sort the other way", "Slow queries" },
	{ '\n', detail_key, "Enter", "Detail",
	  "the selected query in full (Esc: back); again: its process's stacks", "Slow queries" },
	{ '\r', detail_key, "Enter", NULL, NULL, "Slow queries" },
	{ KEY_ENTER, detail_key, "Enter", NULL, NULL, "Slow queries" },
	{ 27, back_key, "Esc", NULL, NULL, "Slow queries" },
	{ 'x', redact_key, "x", "Redact", "hide literals (passwords, personal data)",
	  "Slow queries" },
	LIST_NAV_ROWS(move_key, "move (arrows, PgUp, PgDn, Home, End too)", "Slow queries"),
};

/* The servers line and the sparkline line. Returns the next row. */
static int draw_servers(struct panel *p, struct canvas *cv, int row)
{
	const struct sql_model *m = p->model;
	unsigned long long spark[SPARK_CELLS];
	int col = 1;

	col += canvas_put(cv, row, col, THEME_DIM, "servers: ");
	if (!m->nservers)
		canvas_put_fit(cv, row, col, -1, THEME_WARN,
			       "none found (mysqld, mariadbd, postgres); --db PATH|PID names one");
	for (size_t i = 0; i < m->nservers && col < cv->width; i++) {
		const struct sql_server *s = &m->servers[i];
		const char *base = strrchr(s->exe, '/') ? strrchr(s->exe, '/') + 1 : s->exe;
		char buf[512];

		if (s->traced)
			snprintf(buf, sizeof(buf), "%s %u (%s)", base, s->pid, s->how);
		else
			snprintf(buf, sizeof(buf), "%s %u: not traced: %s", base, s->pid, s->why);
		col += canvas_put_fit(cv, row, col, cv->width - col - 1,
				      s->traced ? THEME_HEADER_VALUE : THEME_ERROR, buf);
		col += 2;
	}
	row++;
	/* the last SPARK_CELLS seconds */
	for (int i = 0; i < SPARK_CELLS; i++)
		spark[i] = m->per_second[SQL_HISTORY_S - SPARK_CELLS + i];
	col = 1 + canvas_put(cv, row, 1, THEME_DIM, "slow/s ");
	col += canvas_sparkline(cv, row, col, spark, SPARK_CELLS, THEME_BAR);
	canvas_printf(cv, row, col + 2, m->lost ? THEME_WARN : THEME_DIM,
		      "last %llu/s  seen %llu  lost %llu  waits est. %llu  fp stacks %llu  threshold %llums%s",
		      (unsigned long long)m->per_second[SQL_HISTORY_S - 1],
		      (unsigned long long)m->seen, (unsigned long long)m->lost,
		      (unsigned long long)m->waits_repaired,
		      (unsigned long long)m->stacks_not_copied, (unsigned long long)m->threshold_ms,
		      p->filter && p->filter->redact ? "  redacted" : "");
	/* a rules file with a bad line: said here until ktop restarts */
	for (int k = 0; k < 2; k++) {
		char buf[300];

		if (!m->rules_warning[k][0])
			continue;
		snprintf(buf, sizeof(buf), "rules: %s", m->rules_warning[k]);
		canvas_put_fit(cv, ++row, 1, cv->width - 2, THEME_WARN, buf);
	}
	return row + 1;
}

static void draw_list(struct panel *p, struct canvas *cv, int row, int height)
{
	const struct sql_model *m = p->model;
	struct sql_panel *sp = p->priv;
	size_t *order = query_order(m, sp->slowest);
	char buf[4096];

	follow_selection(p, order);
	sp->title_row = row;
	canvas_printf(cv, row, 1, THEME_TITLE, "%-8s %-7s %-7s %-*s  %-5s %-10s %9s  QUERY%*s",
		      "TIME", "PID", "TID", WAITS_W, "WAITS", "SRV", "DB", "MS",
		      cv->width - TEXT_COL - 7, sp->slowest ? "slowest first" : "newest first");
	canvas_set_role(cv, row, 0, -1, THEME_TITLE);
	row++;
	if (!m->nqueries)
		canvas_put(cv, row, 1, THEME_DIM, "no slow query yet");
	sp->page = height > 1 ? height - 1 : 1;
	list_nav_scroll(sp->selected, height < 0 ? -1 : sp->page, &sp->top);
	for (size_t i = height < 0 ? 0 : sp->top;
	     i < m->nqueries && (height < 0 || (int)(i - sp->top) < height - 1); i++, row++) {
		const struct sql_query *q = &m->queries[order[i]];
		char clock[16], waits[32];

		format_clock(clock, sizeof(clock), q->time);
		sql_waits_summary(&q->waits, waits, sizeof(waits));
		canvas_printf(cv, row, 1, THEME_DEFAULT,
			      "%-8s %-7u %-7u %-*.*s  %-5s %-10.10s %9.1f  ", clock, q->pid, q->tid,
			      WAITS_W, WAITS_W, waits, sql_kind_name(q->kind),
			      q->database[0] ? q->database : "-", (double)q->latency_us / 1000.0);
		canvas_put_fit(cv, row, TEXT_COL, cv->width - TEXT_COL - 1, THEME_DEFAULT,
			       query_text(p, q, buf, sizeof(buf)));
		if (height >= 0 && i == sp->selected)
			canvas_set_role(cv, row, 0, -1, THEME_SELECTION);
	}
	free(order);
}

/* The query the detail shows, or NULL when there is none. */
static const struct sql_query *detail_query(struct panel *p)
{
	const struct sql_model *m = p->model;
	struct sql_panel *sp = p->priv;
	const struct sql_query *q;
	size_t *order;

	if (!m || !m->nqueries || !sp->detail || sp->digest)
		return NULL;
	order = query_order(m, sp->slowest);
	follow_selection(p, order);
	q = &m->queries[order[sp->selected < m->nqueries ? sp->selected : 0]];
	free(order);
	return q;
}

/*
 * The tree of q's blocked stacks, rebuilt for a new model or query; a query seen for the first
 * time opens every level (a few stacks).
 */
static void detail_tree(struct panel *p, const struct sql_query *q)
{
	struct sql_panel *sp = p->priv;
	struct stack_tree_opts o = { 0 };
	bool new_query = sp->tree_seq != q->seq;

	if (sp->tree && sp->tree_model == p->model && !new_query)
		return;
	sp->tree = stack_tree_rebuild(sp->tree, &q->stacks, &o);
	sp->tree_model = p->model;
	sp->tree_seq = q->seq;
	tree_view_set_tree(&sp->tv, sp->tree);
	if (new_query)
		tree_view_expand_to_depth(&sp->tv, EXPORT_DEPTH);
}

/* The detail's tree view for the tree keys, its tree made current; NULL outside the detail. */
static struct tree_view *sql_widget(struct panel *p)
{
	struct sql_panel *sp = p->priv;
	const struct sql_query *q = detail_query(p);

	if (!q || !q->stacks.nsamples)
		return NULL;
	detail_tree(p, q);
	return &sp->tv;
}

/* The name of a stack's class: the kernel's, or "mixed" for the other stacks together. */
static const char *stack_class_name(uint8_t cls)
{
	return cls < SCHED_NCLASSES ? sched_class_name(cls) : "mixed";
}

/*
 * Which rule named each class of a query: a line per stack a rule renamed, with its time and
 * the kernel's class. Returns the next row.
 */
static int draw_rules(struct canvas *cv, int row, const struct sql_query *q)
{
	for (size_t i = 0; i < q->stacks.nsamples && canvas_has_row(cv, row); i++) {
		const struct sql_stack_info *in = &q->stack_info[i];

		if (!in->rule)
			continue;
		canvas_printf(cv, row++, 3, THEME_DIM, "%-6s %10.1f ms  (kernel: %s) by rule %s",
			      stack_class_name(in->cls), (double)q->stacks.samples[i].value / 1000.0,
			      stack_class_name(in->kclass), in->rule);
	}
	return row;
}

/*
 * The query's blocked stacks as a tree (Right expands, Left collapses), from row on; a text
 * export writes every level. Returns the next row.
 */
static int draw_stacks(struct panel *p, struct canvas *cv, int row, const struct sql_query *q)
{
	struct sql_panel *sp = p->priv;
	bool unlimited = cv->max_rows == CANVAS_UNLIMITED;
	bool dwarf = false;
	int height;

	if (!q->stacks.nsamples) {
		canvas_put(cv, row++, 1, THEME_DIM, "blocked stacks: none (it did not block)");
		return row;
	}
	for (size_t i = 0; i < q->stacks.nsamples; i++)
		dwarf |= q->stack_info[i].dwarf;
	detail_tree(p, q);
	canvas_printf(cv, row++, 1, THEME_TITLE,
		      "where it blocked: %zu stack%s, time blocked, user frames by %s",
		      q->stacks.nsamples, q->stacks.nsamples == 1 ? "" : "s",
		      dwarf ? "DWARF" : "frame pointers");
	if (unlimited) {
		tree_view_draw(&sp->tv, cv, row, -1, EXPORT_DEPTH);
		return row + (int)sp->tv.nrows;
	}
	height = cv->max_rows - row - 1;
	if (height < 1)
		return row;
	tree_view_draw(&sp->tv, cv, row, height, 0);
	tree_view_draw_detail(&sp->tv, cv, cv->max_rows - 1);
	return cv->max_rows;
}

/*
 * Where the query's time went: a bar per class that holds any, then its context switches and
 * block I/O. Returns the next row.
 */
static int draw_waits(struct canvas *cv, int row, const struct sql_query_waits *w)
{
	uint64_t sum = 0;

	for (int i = 0; i < SCHED_NCLASSES; i++)
		sum += w->ns[i];
	if (!sum) {
		canvas_put(cv, row++, 1, THEME_DIM,
			   "where the time went: not split (see the mode line)");
		return row;
	}
	canvas_put(cv, row++, 1, THEME_TITLE, "where the time went");
	for (int i = 0; i < SCHED_NCLASSES && canvas_has_row(cv, row); i++) {
		double share = (double)w->ns[i] / (double)sum;

		if (!w->ns[i])
			continue;
		canvas_printf(cv, row, 3, THEME_DEFAULT, "%-6s %10.1f ms %5.1f%%  ",
			      sched_class_name(i), (double)w->ns[i] / 1e6, 100.0 * share);
		canvas_bar(cv, row, 31, WAIT_BAR_W, share, THEME_BAR);
		row++;
	}
	canvas_printf(cv, row++, 3, THEME_DIM,
		      "%llu context switches, %llu block I/O submitted (%.1f KiB)",
		      (unsigned long long)w->switches, (unsigned long long)w->io_count,
		      (double)w->io_bytes / 1024.0);
	return row;
}

/*
 * The selected query in full: who, when, how long, where the time went and which rules said
 * so, its text wrapped, and the stacks it blocked in.
 */
static void draw_detail(struct panel *p, struct canvas *cv, int row)
{
	const struct sql_query *q = detail_query(p);
	char buf[8192], start[32], end[32];
	const char *text;
	size_t len, width = (size_t)(cv->width - 2);

	format_clock(start, sizeof(start), q->start);
	format_clock(end, sizeof(end), q->time);
	canvas_printf(cv, row++, 1, THEME_HEADER_VALUE,
		      "%s  pid %u  tid %u  db %s  user %s  started %s.%03d  ended %s.%03d  %.1f ms%s%s",
		      sql_kind_name(q->kind), q->pid, q->tid, q->database[0] ? q->database : "?",
		      q->user[0] ? q->user : "?", start,
		      (int)((q->start - (double)(long)q->start) * 1000), end,
		      (int)((q->time - (double)(long)q->time) * 1000),
		      (double)q->latency_us / 1000.0, q->prepared ? "  prepared statement" : "",
		      q->truncated ? "  (text cut at the copy limit)" : "");
	row++;
	row = draw_waits(cv, row, &q->waits);
	row = draw_rules(cv, row, q) + 1;
	text = query_text(p, q, buf, sizeof(buf));
	len = strlen(text);
	/* wrap at the width; the text is already escaped, so bytes are printable */
	for (size_t off = 0; off < len && canvas_has_row(cv, row); row++) {
		char line[1024];
		size_t n = len - off < width ? len - off : width;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		/* do not cut a UTF-8 character */
		while (n && off + n < len && ((unsigned char)text[off + n] & 0xc0) == 0x80)
			n--;
		memcpy(line, text + off, n);
		line[n] = '\0';
		canvas_put(cv, row, 1, THEME_DEFAULT, line);
		off += n;
	}
	if (canvas_has_row(cv, row + 1))
		draw_stacks(p, cv, row + 1, q);
}

static void draw_digest(struct panel *p, struct canvas *cv, int row, int height)
{
	const struct sql_model *m = p->model;
	struct sql_panel *sp = p->priv;
	size_t *order = digest_order(m, sp);

	static const char *const titles[DIGEST_NCOLS] = { "COUNT", "TOTAL ms", "AVG ms",
							  "P95 ms*", "MAX ms" };

	sp->title_row = row;
	for (int c = 0; c < DIGEST_NCOLS; c++) {
		char t[16];

		snprintf(t, sizeof(t), "%s%s", c == sp->dsort ? (sp->dreverse ? "^" : "v") : "",
			 titles[c]);
		canvas_printf(cv, row, digest_col_x[c], THEME_TITLE, "%*s",
			      digest_col_x[c + 1] - digest_col_x[c] - 1, t);
	}
	canvas_printf(cv, row, digest_col_x[DIGEST_NCOLS], THEME_TITLE,
		      "%-5s %-8s  %-*s  FINGERPRINT", "SRV", "LAST", WAITS_W, "WAITS (AVG)");
	canvas_set_role(cv, row, 0, -1, THEME_TITLE);
	row++;
	if (!m->ndigests)
		canvas_put(cv, row, 1, THEME_DIM, "no slow query yet");
	sp->page = height > 1 ? height - 1 : 1;
	list_nav_scroll(sp->selected, height < 0 ? -1 : sp->page, &sp->top);
	for (size_t i = height < 0 ? 0 : sp->top;
	     i < m->ndigests && (height < 0 || (int)(i - sp->top) < height - 1); i++, row++) {
		const struct sql_digest *d = &m->digests[order[i]];
		char clock[16], waits[32];

		format_clock(clock, sizeof(clock), d->last_seen);
		/* the shares of the summed classes are those of their averages */
		sql_waits_summary(&d->waits, waits, sizeof(waits));
		canvas_printf(cv, row, 1, THEME_DEFAULT,
			      "%7llu %11.1f %9.1f %9.1f %9.1f %-5s %-8s  %-*.*s  ",
			      (unsigned long long)d->count, (double)d->total_us / 1000.0,
			      (double)d->total_us / 1000.0 / (double)(d->count ? d->count : 1),
			      digest_p95_ms(d), (double)d->max_us / 1000.0, sql_kind_name(d->kind),
			      clock, WAITS_W, WAITS_W, waits);
		canvas_put_fit(cv, row, FP_COL, cv->width - FP_COL - 1, THEME_DEFAULT,
			       d->fingerprint);
		if (height >= 0 && i == sp->selected)
			canvas_set_role(cv, row, 0, -1, THEME_SELECTION);
	}
	free(order);
}

static void sql_draw(struct panel *p, struct canvas *cv)
{
	struct sql_panel *sp = p->priv;
	bool unlimited = cv->max_rows == CANVAS_UNLIMITED;
	int row, height;

	if (panel_draw_unavailable(p, cv))
		return;
	row = draw_servers(p, cv, 0) + 1;
	height = unlimited ? -1 : cv->max_rows - row;
	if (sp->digest)
		draw_digest(p, cv, row, height);
	else if (sp->detail && !p->batch && ((const struct sql_model *)p->model)->nqueries)
		draw_detail(p, cv, row); /* s and the text export write it too, all its tree */
	else
		draw_list(p, cv, row, height);
}

/* A query's waits, or a digest's average ones over n queries, as "waits_ms": {...}. */
static void waits_json(struct json_out *j, const char *key, const struct sql_query_waits *w,
		       uint64_t n, bool counts)
{
	json_key(j, key);
	json_object_begin(j);
	for (int i = 0; i < SCHED_NCLASSES; i++)
		json_kv_double(j, sched_class_name(i), (double)w->ns[i] / 1e6 / (double)(n ? n : 1),
			       3);
	if (counts) {
		json_kv_u64(j, "switches", w->switches);
		json_kv_u64(j, "io_count", w->io_count);
		json_kv_u64(j, "io_bytes", w->io_bytes);
	}
	json_object_end(j);
}

/*
 * A query's heaviest blocked stacks as "stacks": [{class, [kernel_class, rule,] blocked_ms,
 * blocks, user_frames (how they were walked), frames}], frames outermost first.
 */
static void stacks_json(struct json_out *j, const struct sql_query *q)
{
	json_key(j, "stacks");
	json_array_begin(j);
	for (size_t i = 0; i < q->stacks.nsamples; i++) {
		const struct stack_sample *s = &q->stacks.samples[i];

		json_object_begin(j);
		const struct sql_stack_info *in = &q->stack_info[i];

		json_kv_str(j, "class", stack_class_name(in->cls));
		if (in->rule) {
			json_kv_str(j, "kernel_class", stack_class_name(in->kclass));
			json_kv_str(j, "rule", in->rule);
		}
		json_kv_double(j, "blocked_ms", (double)s->value / 1000.0, 3);
		json_kv_u64(j, "blocks", s->count);
		json_kv_str(j, "user_frames", in->dwarf ? "dwarf" : "frame pointers");
		json_key(j, "frames");
		json_array_begin(j);
		for (uint32_t f = 0; f < s->nframes; f++) {
			json_object_begin(j);
			json_kv_str(j, "name", s->frames[f].name);
			json_kv_str(j, "kind", stack_frame_kind_name(s->frames[f].kind));
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}

/*
 * The snapshot as JSON. Batch output lists the interval's queries (each once over a run), the
 * UI's export the whole list; interval_unlisted counts the interval's queries the list's bound
 * dropped before they could be printed.
 */
static int sql_json(struct panel *p, struct json_out *j)
{
	const struct sql_model *m = p->model;
	size_t first, start;
	size_t *order;
	char buf[8192];

	if (!m)
		return -ENODATA;
	start = sql_model_interval_start(m);
	first = p->batch ? start : 0;
	json_kv_u64(j, "threshold_ms", m->threshold_ms);
	json_kv_u64(j, "lost", m->lost);
	json_kv_u64(j, "waits_repaired", m->waits_repaired);
	json_kv_u64(j, "stacks_not_copied", m->stacks_not_copied);
	json_kv_u64(j, "seen", m->seen);
	json_kv_u64(j, "interval_seen", m->seen - m->interval_from);
	json_kv_u64(j, "interval_unlisted", m->seen - m->interval_from - (m->nqueries - start));
	json_kv_u64(j, "list_max", m->list_max);
	json_kv_bool(j, "redacted", p->filter && p->filter->redact);
	json_key(j, "rules_warnings");
	json_array_begin(j);
	for (int k = 0; k < 2; k++)
		if (m->rules_warning[k][0])
			json_str(j, m->rules_warning[k]);
	json_array_end(j);
	json_key(j, "servers");
	json_array_begin(j);
	for (size_t i = 0; i < m->nservers; i++) {
		const struct sql_server *s = &m->servers[i];

		json_object_begin(j);
		json_kv_u64(j, "pid", s->pid);
		json_kv_str(j, "kind", sql_kind_name(s->kind));
		json_kv_str(j, "exe", s->exe);
		json_kv_str(j, "how", s->how);
		json_kv_bool(j, "traced", s->traced);
		json_kv_str(j, "why", s->why);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "queries");
	json_array_begin(j);
	for (size_t i = first; i < m->nqueries; i++) {
		const struct sql_query *q = &m->queries[i];

		json_object_begin(j);
		json_kv_u64(j, "seq", q->seq);
		json_kv_double(j, "time", q->time, 3);
		json_kv_u64(j, "pid", q->pid);
		json_kv_u64(j, "tid", q->tid);
		json_kv_str(j, "server", sql_kind_name(q->kind));
		json_kv_u64(j, "server_pid", q->server_pid);
		json_kv_str(j, "database", q->database);
		json_kv_str(j, "user", q->user);
		json_kv_double(j, "latency_ms", (double)q->latency_us / 1000.0, 3);
		json_kv_str(j, "text", query_text(p, q, buf, sizeof(buf)));
		json_kv_bool(j, "truncated", q->truncated);
		json_kv_bool(j, "prepared", q->prepared);
		if (sql_waits_has(&q->waits))
			waits_json(j, "waits_ms", &q->waits, 1, true);
		if (q->stacks.nsamples)
			stacks_json(j, q);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "digest");
	json_array_begin(j);
	order = digest_order(m, NULL); /* by total time, whatever the view's sort */
	for (size_t i = 0; i < m->ndigests; i++) {
		const struct sql_digest *d = &m->digests[order[i]];

		json_object_begin(j);
		json_kv_str(j, "fingerprint", d->fingerprint);
		json_kv_str(j, "server", sql_kind_name(d->kind));
		json_kv_u64(j, "count", d->count);
		json_kv_double(j, "total_ms", (double)d->total_us / 1000.0, 3);
		json_kv_double(j, "avg_ms",
			       (double)d->total_us / 1000.0 / (double)(d->count ? d->count : 1), 3);
		json_kv_double(j, "p95_ms", digest_p95_ms(d), 3);
		json_kv_double(j, "max_ms", (double)d->max_us / 1000.0, 3);
		json_kv_double(j, "last_seen", d->last_seen, 3);
		if (d->waits_count) {
			/* the averages over the queries whose time was split */
			json_kv_u64(j, "waits_count", d->waits_count);
			waits_json(j, "waits_avg_ms", &d->waits, d->waits_count, false);
		}
		json_object_end(j);
	}
	free(order);
	json_array_end(j);
	return 0;
}

static void sql_threshold_text(const struct panel *p, const struct filter *f, char *buf, size_t len)
{
	(void)p;
	snprintf(buf, len, "slow query > %llums", (unsigned long long)f->slow_ms);
}

static int sql_set_threshold(struct panel *p, const char *text, struct filter *f, char *why,
			     size_t why_len)
{
	uint64_t ms = 10;
	int err;

	(void)p;
	if (text[0]) {
		err = parse_u64(text, 0, 3600ULL * 1000, &ms, why, why_len);
		if (err)
			return err;
	}
	f->slow_ms = ms;
	return 0;
}

/* A click on a digest title sorts by it (again: the other way); on a row selects it. */
static struct key_result sql_mouse(struct panel *p, enum panel_mouse what, int row, int col)
{
	struct sql_panel *sp = p->priv;
	const struct sql_model *m = p->model;
	size_t i, n;

	if (what != PANEL_CLICK || !m || sp->detail || sp->title_row < 0 || row < sp->title_row)
		return key_result(KEY_DO_NOTHING);
	if (row == sp->title_row) {
		for (int c = 0; sp->digest && c < DIGEST_NCOLS; c++) {
			if (col < digest_col_x[c] || col >= digest_col_x[c + 1])
				continue;
			sp->dreverse = c == sp->dsort ? !sp->dreverse : false;
			sp->dsort = c;
		}
		return key_result(KEY_DO_REDRAW);
	}
	n = sp->digest ? m->ndigests : m->nqueries;
	i = sp->top + (size_t)(row - sp->title_row - 1);
	if (i < n) {
		sp->selected = i;
		remember_selection(p);
	}
	return key_result(KEY_DO_REDRAW);
}

static void sql_set_prefs(struct panel *p, const struct panel_prefs *pp)
{
	struct sql_panel *sp = p->priv;

	if (pp->sort >= 0 && pp->sort < DIGEST_NCOLS) {
		sp->dsort = pp->sort;
		sp->dreverse = pp->sort_reverse;
	}
}

static void sql_get_sort(const struct panel *p, int *column, bool *reverse)
{
	const struct sql_panel *sp = p->priv;

	*column = sp->dsort;
	*reverse = sp->dreverse;
}

static void sql_free(struct panel *p)
{
	struct sql_panel *sp = p->priv;

	tree_view_free(&sp->tv);
	stack_tree_free(sp->tree);
	free(p->priv);
	p->priv = NULL;
}

int sql_panel_init(struct panel *p)
{
	struct sql_panel *sp = xcalloc(1, sizeof(*sp));

	sp->dsort = DIGEST_TOTAL;
	sp->title_row = -1;
	tree_view_init(&sp->tv, format_usecs);
	p->priv = sp;
	return 0;
}

const struct panel_ops sql_panel_ops = {
	.name = "sql",
	.title = "Slow queries",
	.keys = sql_keys,
	.nkeys = sizeof(sql_keys) / sizeof(sql_keys[0]),
	.widget_keys = tree_view_keys,
	.nwidget_keys = TREE_VIEW_NKEYS,
	.widget = sql_widget,
	.draw = sql_draw,
	.json = sql_json,
	.threshold_prompt = "slow query threshold in ms (empty: 10)",
	.threshold_text = sql_threshold_text,
	.set_threshold = sql_set_threshold,
	.sort_columns = digest_sort_columns,
	.nsort_columns = DIGEST_NCOLS,
	.set_prefs = sql_set_prefs,
	.get_sort = sql_get_sort,
	.mouse = sql_mouse,
	.free = sql_free,
};
