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
#define WAIT_BAR_W  40 /* the detail's bars of the breakdown */
#define EXPORT_DEPTH 64 /* tree levels a text export of the detail writes */

/* The list's columns (each sorts it), in the order of the settings' names. */
enum query_col {
	Q_TIME,
	Q_PID,
	Q_TID,
	Q_WAITS,
	Q_SRV,
	Q_DB,
	Q_MS,
	Q_QUERY,
	Q_USER,
	Q_NCOLS,
};

static const struct table_col query_cols[Q_NCOLS] = {
	[Q_TIME] = { "time", "TIME", 8, true, false, false, false },
	[Q_PID] = { "pid", "PID", 7, true, true, false, false },
	[Q_TID] = { "tid", "TID", 7, true, true, false, false },
	[Q_WAITS] = { "waits", "WAITS", WAITS_W + 1, true, false, false, false },
	[Q_SRV] = { "srv", "SRV", 5, true, true, false, false },
	[Q_DB] = { "db", "DB", 10, true, true, false, false },
	[Q_MS] = { "ms", "MS", 9, false, false, false, false },
	[Q_QUERY] = { "query", "QUERY", 24, true, true, true, false },
	[Q_USER] = { "user", "USER", 10, true, true, false, false },
};

static const unsigned char query_order_default[] = { Q_TIME, Q_PID, Q_TID, Q_WAITS, Q_SRV,
						      Q_DB,   Q_MS,	 Q_QUERY };

static const struct table_def query_table = {
	.name = "sql_list",
	.title = "Slow queries: list",
	.cols = query_cols,
	.ncols = Q_NCOLS,
	.order = query_order_default,
	.norder = sizeof(query_order_default),
};

/* The digest's columns (each sorts it), in the order of the settings' names. */
enum digest_col {
	DIGEST_COUNT,
	DIGEST_TOTAL,
	DIGEST_AVG,
	DIGEST_P95,
	DIGEST_MAX,
	DIGEST_SRV,
	DIGEST_LAST,
	DIGEST_WAITS,
	DIGEST_FP,
	DIGEST_NCOLS,
};

static const struct table_col digest_cols[DIGEST_NCOLS] = {
	[DIGEST_COUNT] = { "count", "COUNT", 7, false, false, false, false },
	[DIGEST_TOTAL] = { "total", "TOTAL ms", 11, false, false, false, false },
	[DIGEST_AVG] = { "avg", "AVG ms", 9, false, false, false, false },
	[DIGEST_P95] = { "p95", "P95 ms*", 9, false, false, false, false },
	[DIGEST_MAX] = { "max", "MAX ms", 9, false, false, false, false },
	[DIGEST_SRV] = { "srv", "SRV", 5, true, true, false, false },
	[DIGEST_LAST] = { "last", "LAST", 9, true, false, false, false },
	[DIGEST_WAITS] = { "waits", "WAITS (AVG)", WAITS_W + 1, true, false, false, false },
	[DIGEST_FP] = { "fingerprint", "FINGERPRINT", 24, true, true, true, false },
};

static const struct table_def digest_table = {
	.name = "sql",
	.title = "Slow queries: digest",
	.cols = digest_cols,
	.ncols = DIGEST_NCOLS,
};

static const struct table_def *const sql_tables[] = { &query_table, &digest_table };

struct sql_panel {
	bool digest;	 /* the digest view instead of the list */
	bool detail;	 /* the selected query in full */
	size_t selected; /* row in the shown order */
	size_t top;	 /* first row on screen */
	int page;
	double selected_time; /* the selected query, found again after a refresh */
	uint32_t selected_tid;
	struct table list;   /* the list's columns and sort (o: newest or slowest first) */
	struct table dtable; /* the digest's */
	int title_row;  /* where the shown table's titles were last drawn (-1: not) */
	/* The detail's tree of the query's blocked stacks, built for one query of one model. */
	struct tree_view tv;
	struct stack_tree *tree;
	const void *tree_model;
	uint64_t tree_seq;
};

/* The nanoseconds a query waited off the CPU (the WAITS column's sort). */
static uint64_t waited_ns(const struct sql_query_waits *w)
{
	uint64_t sum = 0;

	for (int i = 0; i < SCHED_NCLASSES; i++)
		sum += i == SCHED_TIME_CPU ? 0 : w->ns[i];
	return sum;
}

/* Order two numbers, largest first. */
static int cmp_desc(double x, double y)
{
	return x == y ? 0 : x > y ? -1 : 1;
}

/* What query_cmp sorts by. */
struct query_sort {
	const struct sql_model *m;
	const struct table *t;
};

/*
 * Query indices by the list's sort column: time, latency and waits largest first, the others
 * in ascending order; ties newest first; reversed the other way.
 */
static int query_cmp(const void *a, const void *b, void *arg)
{
	const struct query_sort *qs = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	const struct sql_query *x = &qs->m->queries[ia], *y = &qs->m->queries[ib];
	int c = 0;

	switch (qs->t->sort) {
	case Q_PID:
		c = x->pid < y->pid ? -1 : x->pid > y->pid;
		break;
	case Q_TID:
		c = x->tid < y->tid ? -1 : x->tid > y->tid;
		break;
	case Q_WAITS:
		c = cmp_desc((double)waited_ns(&x->waits), (double)waited_ns(&y->waits));
		break;
	case Q_SRV:
		c = strcmp(sql_kind_name(x->kind), sql_kind_name(y->kind));
		break;
	case Q_DB:
		c = strcmp(x->database, y->database);
		break;
	case Q_USER:
		c = strcmp(x->user, y->user);
		break;
	case Q_MS:
		c = cmp_desc((double)x->latency_us, (double)y->latency_us);
		break;
	case Q_QUERY:
		c = strcmp(x->text, y->text);
		break;
	default:
		break;
	}
	if (!c) /* by time: the list is in the order of arrival */
		c = ia > ib ? -1 : ia < ib;
	return qs->t->reverse ? -c : c;
}

/* Order of the list by t's sort: indices into m->queries. */
static size_t *query_order(const struct sql_model *m, const struct table *t)
{
	size_t *idx = xreallocarray(NULL, m->nqueries ? m->nqueries : 1, sizeof(*idx));
	struct query_sort qs = { m, t };

	for (size_t i = 0; i < m->nqueries; i++)
		idx[i] = i;
	qsort_r(idx, m->nqueries, sizeof(*idx), query_cmp, &qs);
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
	case DIGEST_LAST:
		return d->last_seen;
	case DIGEST_WAITS:
		return (double)waited_ns(&d->waits) / (double)(d->waits_count ? d->waits_count : 1);
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

/* Digest indices by the sort column: figures largest first, names A to Z; reversed. */
static int digest_cmp(const void *a, const void *b, void *arg)
{
	const struct digest_sort *ds = arg;
	const struct sql_digest *x = &ds->m->digests[*(const size_t *)a];
	const struct sql_digest *y = &ds->m->digests[*(const size_t *)b];
	int c;

	if (ds->col == DIGEST_SRV)
		c = strcmp(sql_kind_name(x->kind), sql_kind_name(y->kind));
	else if (ds->col == DIGEST_FP)
		c = strcmp(x->fingerprint, y->fingerprint);
	else
		c = cmp_desc(digest_value(x, ds->col), digest_value(y, ds->col));
	if (!c)
		c = cmp_desc((double)x->total_us, (double)y->total_us);
	return ds->reverse ? -c : c;
}

/* The digests in the panel's sort order (sp NULL: by total time, largest first). */
static size_t *digest_order(const struct sql_model *m, const struct sql_panel *sp)
{
	size_t *idx = xreallocarray(NULL, m->ndigests ? m->ndigests : 1, sizeof(*idx));
	struct digest_sort ds = { m, sp ? sp->dtable.sort : DIGEST_TOTAL,
				  sp && sp->dtable.reverse };

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
	order = query_order(m, &sp->list);
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
	sp->list.sort = sp->list.sort == Q_MS && !sp->list.reverse ? Q_TIME : Q_MS;
	sp->list.reverse = false;
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
	order = query_order(m, &sp->list);
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

/* F6 or >: sort the shown table by its next column, < the previous one; I: the other way. */
static struct key_result sort_key(struct panel *p, int key)
{
	struct sql_panel *sp = p->priv;
	struct table *t = sp->digest ? &sp->dtable : &sp->list;

	if (sp->detail)
		return key_result(KEY_DO_NOTHING);
	if (key == 'I')
		t->reverse = !t->reverse;
	else
		table_sort_next(t, key == '<' ? -1 : 1);
	if (!sp->digest) {
		sp->selected = 0;
		sp->top = 0;
		remember_selection(p);
	}
	return key_result(KEY_DO_REDRAW);
}

static const struct keymap_entry sql_keys[] = {
	{ 'g', digest_key, "g", "Digest", "digest: queries grouped by shape", "Slow queries" },
	{ 'o', order_key, "o", "Order", "newest first or slowest first", "Slow queries" },
	{ KEY_F(6), sort_key, "F6", NULL, "sort by the next column (or click a title)",
	  "Slow queries" },
	{ '>', sort_key, "< >", "Sort", "sort by the next/previous column", "Slow queries" },
	{ '<', sort_key, "<", NULL, NULL, "Slow queries" },
	{ 'I', sort_key, "I", NULL, "sort the other way", "Slow queries" },
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

/* What the list's title row says of its order: "newest first", "by db reversed". */
static void order_text(const struct table *t, char *buf, size_t len)
{
	if (t->sort == Q_TIME)
		snprintf(buf, len, "%s first", t->reverse ? "oldest" : "newest");
	else if (t->sort == Q_MS)
		snprintf(buf, len, "%s first", t->reverse ? "fastest" : "slowest");
	else
		snprintf(buf, len, "by %s%s", query_cols[t->sort].name,
			 t->reverse ? " reversed" : "");
}

/* The text of a list's cell: column c of query q. */
static const char *query_cell(struct panel *p, const struct sql_query *q, int c, char *buf,
			      size_t len)
{
	switch (c) {
	case Q_TIME:
		format_clock(buf, len, q->time);
		break;
	case Q_PID:
		snprintf(buf, len, "%u", q->pid);
		break;
	case Q_TID:
		snprintf(buf, len, "%u", q->tid);
		break;
	case Q_WAITS:
		sql_waits_summary(&q->waits, buf, len);
		break;
	case Q_SRV:
		snprintf(buf, len, "%s", sql_kind_name(q->kind));
		break;
	case Q_DB:
		snprintf(buf, len, "%s", q->database[0] ? q->database : "-");
		break;
	case Q_USER:
		snprintf(buf, len, "%s", q->user[0] ? q->user : "-");
		break;
	case Q_MS:
		snprintf(buf, len, "%.1f", (double)q->latency_us / 1000.0);
		break;
	default:
		return query_text(p, q, buf, len);
	}
	return buf;
}

static void draw_list(struct panel *p, struct canvas *cv, int row, int height)
{
	const struct sql_model *m = p->model;
	struct sql_panel *sp = p->priv;
	size_t *order = query_order(m, &sp->list);
	char buf[4096], order_buf[48];
	int len;

	follow_selection(p, order);
	sp->title_row = row;
	table_place(&sp->list, 1, cv->width);
	table_draw_titles(&sp->list, cv, row, THEME_TITLE);
	order_text(&sp->list, order_buf, sizeof(order_buf));
	len = (int)strlen(order_buf);
	if (cv->width - len - 1 > 0)
		canvas_put(cv, row, cv->width - len - 1, THEME_TITLE, order_buf);
	row++;
	if (!m->nqueries)
		canvas_put(cv, row, 1, THEME_DIM, "no slow query yet");
	sp->page = height > 1 ? height - 1 : 1;
	list_nav_scroll(sp->selected, height < 0 ? -1 : sp->page, &sp->top);
	for (size_t i = height < 0 ? 0 : sp->top;
	     i < m->nqueries && (height < 0 || (int)(i - sp->top) < height - 1); i++, row++) {
		const struct sql_query *q = &m->queries[order[i]];

		for (size_t k = 0; k < sp->list.n; k++)
			table_cell(&sp->list, cv, row, k, THEME_DEFAULT,
				   query_cell(p, q, sp->list.col[k], buf, sizeof(buf)));
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
	order = query_order(m, &sp->list);
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

/* The text of a digest's cell: column c of digest d. */
static const char *digest_cell(const struct sql_digest *d, int c, char *buf, size_t len)
{
	switch (c) {
	case DIGEST_COUNT:
		snprintf(buf, len, "%llu", (unsigned long long)d->count);
		break;
	case DIGEST_SRV:
		snprintf(buf, len, "%s", sql_kind_name(d->kind));
		break;
	case DIGEST_LAST:
		format_clock(buf, len, d->last_seen);
		break;
	case DIGEST_WAITS:
		/* the shares of the summed classes are those of their averages */
		sql_waits_summary(&d->waits, buf, len);
		break;
	case DIGEST_FP:
		return d->fingerprint;
	case DIGEST_P95:
		snprintf(buf, len, "%.1f", digest_p95_ms(d));
		break;
	default: /* the times in us, shown in ms */
		snprintf(buf, len, "%.1f", digest_value(d, c) / 1000.0);
		break;
	}
	return buf;
}

static void draw_digest(struct panel *p, struct canvas *cv, int row, int height)
{
	const struct sql_model *m = p->model;
	struct sql_panel *sp = p->priv;
	size_t *order = digest_order(m, sp);
	char buf[64];

	sp->title_row = row;
	table_place(&sp->dtable, 1, cv->width);
	table_draw_titles(&sp->dtable, cv, row, THEME_TITLE);
	row++;
	if (!m->ndigests)
		canvas_put(cv, row, 1, THEME_DIM, "no slow query yet");
	sp->page = height > 1 ? height - 1 : 1;
	list_nav_scroll(sp->selected, height < 0 ? -1 : sp->page, &sp->top);
	for (size_t i = height < 0 ? 0 : sp->top;
	     i < m->ndigests && (height < 0 || (int)(i - sp->top) < height - 1); i++, row++) {
		const struct sql_digest *d = &m->digests[order[i]];

		for (size_t k = 0; k < sp->dtable.n; k++)
			table_cell(&sp->dtable, cv, row, k, THEME_DEFAULT,
				   digest_cell(d, sp->dtable.col[k], buf, sizeof(buf)));
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

/* A click on a title sorts by it (again: the other way); on a row selects it. */
static struct key_result sql_mouse(struct panel *p, enum panel_mouse what, int row, int col)
{
	struct sql_panel *sp = p->priv;
	const struct sql_model *m = p->model;
	size_t i, n;

	if (what != PANEL_CLICK || !m || sp->detail || sp->title_row < 0 || row < sp->title_row)
		return key_result(KEY_DO_NOTHING);
	if (row == sp->title_row) {
		struct table *t = sp->digest ? &sp->dtable : &sp->list;

		table_sort_click(t, table_col_at(t, col));
		if (!sp->digest)
			remember_selection(p);
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

static struct table *sql_table(struct panel *p, size_t i)
{
	struct sql_panel *sp = p->priv;

	return i == 0 ? &sp->list : i == 1 ? &sp->dtable : NULL;
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

	table_init(&sp->list, &query_table, Q_TIME);
	sp->list.unmarked = true; /* "newest first", "by db" at the end of its titles */
	table_init(&sp->dtable, &digest_table, DIGEST_TOTAL);
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
	.tables = sql_tables,
	.ntables = sizeof(sql_tables) / sizeof(sql_tables[0]),
	.table = sql_table,
	.mouse = sql_mouse,
	.free = sql_free,
};
