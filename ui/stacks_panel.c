// SPDX-License-Identifier: GPL-2.0
#include "ui/stacks_panel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncurses.h>

#include "collectors/offcpu_model.h"
#include "collectors/stack_tree.h"
#include "collectors/stacks_model.h"
#include "ui/format.h"
#include "ui/tree_view.h"
#include "util/xalloc.h"

#define THREAD_ROWS  8
#define EXPORT_DEPTH 64

enum stacks_view {
	STACKS_VIEW_BOTH, /* wall clock: running and waiting */
	STACKS_VIEW_ON,
	STACKS_VIEW_OFF,
};

struct stacks_panel {
	struct tree_view tv;
	struct stack_tree *tree;
	struct stack_set set;	 /* what the tree was built from */
	const void *built_model; /* the models and choices the tree was built from */
	const void *built_aux;
	uint64_t built_polls;
	uint32_t built_tid;
	int built_view;
	bool built_cumulative;
	bool opened; /* the first tree was opened down to its [on-CPU]/[off-CPU] marks */
	enum stacks_view view;
	uint32_t tid; /* the chosen thread, 0 for all threads */
	bool cumulative;
	size_t thread_top;
	size_t pick; /* the picker's selection */
	struct table threads; /* the thread table's columns and sort (-1: as sampled) */
	int threads_row; /* where the thread table's titles were last drawn (-1: not) */
	uint32_t shown_tids[64]; /* the threads of its rows, in order */
	int nshown;
};

/* The thread table's columns, in order on screen; each sorts it. */
enum thread_col {
	THR_TID,
	THR_NAME,
	THR_STATE,
	THR_CPU,
	THR_OFF,
	THR_VCSW,
	THR_ICSW,
	THR_FRAME,
	THR_NCOLS,
};

static const struct table_col thread_cols[THR_NCOLS] = {
	[THR_TID] = { "tid", "TID", 8, true, true, false, false },
	[THR_NAME] = { "name", "NAME", 16, true, true, false, false },
	[THR_STATE] = { "state", "STATE", 5, true, true, false, false },
	[THR_CPU] = { "cpu", "CPU%", 6, false, false, false, false },
	[THR_OFF] = { "offcpu", "OFF-CPU", 9, false, false, false, false },
	[THR_VCSW] = { "vcsw", "VCSW", 7, false, false, false, false },
	[THR_ICSW] = { "icsw", "ICSW", 7, false, false, false, false },
	[THR_FRAME] = { "frame", "TOP FRAME", 24, true, true, true, true },
};

static const struct table_def threads_table = {
	.name = "stacks",
	.title = "Stacks: threads",
	.cols = thread_cols,
	.ncols = THR_NCOLS,
};

static const struct table_def *const stacks_tables[] = { &threads_table };

/* One row of the thread table with the figure it sorts by. */
struct thread_row {
	const struct stacks_thread *t;
	double off_us;
};

static const char *const view_names[] = { "both (wall clock)", "on-CPU", "off-CPU" };

static const struct stack_set *oncpu_set(const struct panel *p)
{
	const struct stacks_model *m = p->model;
	const struct stacks_panel *sp = p->priv;

	return sp->cumulative && !p->batch ? &m->oncpu_cumulative : &m->oncpu_interval;
}

static const struct stack_set *offcpu_set(const struct panel *p)
{
	const struct offcpu_model *o = p->aux_model;
	const struct stacks_panel *sp = p->priv;

	if (!o)
		return NULL;
	return sp->cumulative && !p->batch ? &o->cumulative : &o->interval;
}

/* Add the samples of set for pid (and tid, when not 0) to out, under a mark frame. */
static void add_marked(struct stack_set *out, const struct stack_set *set, uint32_t pid,
		       uint32_t tid, const char *mark)
{
	for (size_t i = 0; set && i < set->nsamples; i++) {
		const struct stack_sample *s = &set->samples[i];
		struct stack_sample x = *s;
		struct stack_frame frames[256];

		if (s->pid != pid || (tid && s->tid != tid))
			continue;
		frames[0] = (struct stack_frame){ .name = mark, .kind = STACK_FRAME_MARK };
		x.nframes = s->nframes < 255 ? s->nframes : 255;
		memcpy(frames + 1, s->frames, x.nframes * sizeof(frames[0]));
		x.nframes++;
		x.frames = frames;
		stack_set_add(out, &x);
	}
}

/* Rebuild the combined set and its tree when the models or the choices changed. */
static void refresh_tree(struct panel *p)
{
	const struct stacks_model *m = p->model;
	struct stacks_panel *sp = p->priv;
	bool cumulative = sp->cumulative && !p->batch;

	if (sp->tree && sp->built_model == p->model && sp->built_aux == p->aux_model && m &&
	    sp->built_polls == m->polls && sp->built_tid == sp->tid &&
	    sp->built_view == (int)sp->view && sp->built_cumulative == cumulative)
		return;
	stack_set_clear(&sp->set);
	if (m && m->pid) {
		if (sp->view != STACKS_VIEW_OFF)
			add_marked(&sp->set, oncpu_set(p), m->pid, sp->tid, "[on-CPU]");
		if (sp->view != STACKS_VIEW_ON)
			add_marked(&sp->set, offcpu_set(p), m->pid, sp->tid, "[off-CPU]");
		sp->tree = stack_tree_rebuild(
			sp->tree, &sp->set, &(struct stack_tree_opts){ .split_threads = !sp->tid });
	} else {
		stack_tree_free(sp->tree);
		sp->tree = NULL;
	}
	sp->built_model = p->model;
	sp->built_aux = p->aux_model;
	sp->built_polls = m ? m->polls : 0;
	sp->built_tid = sp->tid;
	sp->built_view = (int)sp->view;
	sp->built_cumulative = cumulative;
	tree_view_set_tree(&sp->tv, sp->tree);
	/* all, the process and its threads open: what the process does shows at once */
	if (!sp->opened && sp->tree && sp->tree->nnodes > 1) {
		tree_view_expand_to_depth(&sp->tv, 3);
		sp->opened = true;
	}
}

/* Off-CPU time of one thread (tid 0: all) of pid in the shown off-CPU set. */
static uint64_t offcpu_us(const struct panel *p, uint32_t pid, uint32_t tid)
{
	const struct stack_set *set = offcpu_set(p);
	uint64_t sum = 0;

	for (size_t i = 0; set && i < set->nsamples; i++)
		if (set->samples[i].pid == pid && (!tid || set->samples[i].tid == tid))
			sum += set->samples[i].value;
	return sum;
}

/* The innermost frame of the thread's biggest stack, on or off CPU. */
static const char *top_frame(const struct panel *p, uint32_t pid, uint32_t tid)
{
	const struct stack_set *sets[2] = { oncpu_set(p), offcpu_set(p) };
	const struct stack_sample *best = NULL;

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; sets[k] && i < sets[k]->nsamples; i++) {
			const struct stack_sample *s = &sets[k]->samples[i];

			if (s->pid == pid && s->tid == tid && s->nframes &&
			    (!best || s->value > best->value))
				best = s;
		}
	return best ? best->frames[best->nframes - 1].name : "";
}

/* Move the thread choice by step through "all" and the threads. */
static void cycle_thread(struct panel *p, int step)
{
	const struct stacks_model *m = p->model;
	struct stacks_panel *sp = p->priv;
	long cur = -1, n;

	if (!m)
		return;
	n = (long)m->nthreads;
	for (size_t i = 0; i < m->nthreads; i++)
		if (m->threads[i].tid == sp->tid)
			cur = (long)i;
	cur += step;
	if (cur < -1)
		cur = n - 1;
	if (cur >= n)
		cur = -1;
	sp->tid = cur < 0 ? 0 : m->threads[cur].tid;
	if (cur >= (long)sp->thread_top + THREAD_ROWS)
		sp->thread_top = (size_t)cur - THREAD_ROWS + 1;
	if (cur >= 0 && (size_t)cur < sp->thread_top)
		sp->thread_top = (size_t)cur;
}

/* Whether the panel shows the picker: data, but no process chosen yet. */
static bool is_picking(const struct panel *p)
{
	const struct stacks_model *m = p->model;

	return m && !m->pid;
}

/* The tree view for the tree keys, its tree made current; NULL in the picker or without data. */
static struct tree_view *stacks_widget(struct panel *p)
{
	struct stacks_panel *sp = p->priv;

	if (!p->model)
		return NULL;
	refresh_tree(p);
	return sp->tree ? &sp->tv : NULL;
}

/* v: both (wall clock), on-CPU, off-CPU. */
static struct key_result view_key(struct panel *p, int key)
{
	struct stacks_panel *sp = p->priv;

	(void)key;
	if (is_picking(p))
		return key_result(KEY_DO_NOTHING);
	sp->view = (sp->view + 1) % 3;
	refresh_tree(p);
	return key_result(KEY_DO_REDRAW);
}

/* < >: the previous or next thread, all threads first. */
static struct key_result thread_key(struct panel *p, int key)
{
	if (is_picking(p))
		return key_result(KEY_DO_NOTHING);
	cycle_thread(p, key == '>' ? 1 : -1);
	refresh_tree(p);
	return key_result(KEY_DO_REDRAW);
}

/* c: the last interval, or cumulative since start. */
static struct key_result cumulative_key(struct panel *p, int key)
{
	struct stacks_panel *sp = p->priv;

	(void)key;
	if (is_picking(p))
		return key_result(KEY_DO_NOTHING);
	sp->cumulative = !sp->cumulative;
	refresh_tree(p);
	return key_result(KEY_DO_REDRAW);
}

/* u, F and P, which mean nothing in the picker. */
static struct key_result unwind_folded_key(struct panel *p, int key)
{
	if (is_picking(p))
		return key_result(KEY_DO_NOTHING);
	if (key == 'P')
		return panel_pprof_key(p, key);
	return key == 'u' ? panel_unwind_key(p, key) : panel_folded_key(p, key);
}

/* F6: sort the threads by the next column; I: the other way. */
static struct key_result thread_sort_key(struct panel *p, int key)
{
	struct stacks_panel *sp = p->priv;

	if (is_picking(p))
		return key_result(KEY_DO_NOTHING);
	if (key == 'I')
		sp->threads.reverse = !sp->threads.reverse;
	else
		table_sort_next(&sp->threads, 1);
	return key_result(KEY_DO_REDRAW);
}

/* Up, Down, j, k in the picker (elsewhere the tree's). */
static struct key_result pick_move_key(struct panel *p, int key)
{
	const struct stacks_model *m = p->model;
	struct stacks_panel *sp = p->priv;

	if (!is_picking(p))
		return key_result(KEY_DO_NOTHING);
	if ((key == KEY_UP || key == 'k') && sp->pick)
		sp->pick--;
	else if ((key == KEY_DOWN || key == 'j') && sp->pick + 1 < m->ntop)
		sp->pick++;
	return key_result(KEY_DO_REDRAW);
}

/* Enter in the picker: the stacks of that process (elsewhere the tree's Enter). */
static struct key_result pick_key(struct panel *p, int key)
{
	const struct stacks_model *m = p->model;
	struct stacks_panel *sp = p->priv;

	(void)key;
	if (!is_picking(p))
		return key_result(KEY_DO_NOTHING);
	if (sp->pick < m->ntop)
		return key_result_id(KEY_DO_STACKS, m->top[sp->pick].pid);
	return key_result(KEY_DO_REDRAW);
}

static const struct keymap_entry stacks_keys[] = {
	{ 'v', view_key, "v", "View", "view: both (wall clock), on-CPU, off-CPU", "Stacks" },
	{ '>', thread_key, "< >", "Thread", "previous/next thread (all threads first)",
	  "Stacks" },
	{ '<', thread_key, "<", NULL, NULL, "Stacks" },
	{ 'c', cumulative_key, "c", NULL, "last interval or cumulative since start (r resets)",
	  "Stacks" },
	{ 'F', unwind_folded_key, "F", NULL, "save folded stacks of the view", "Stacks" },
	{ 'P', unwind_folded_key, "P", "pprof", "save a pprof profile of the on-CPU stacks",
	  "Stacks" },
	{ 'u', unwind_folded_key, "u", NULL, "user stacks: auto (DWARF), dwarf, fp", "Stacks" },
	{ KEY_F(6), thread_sort_key, "F6", NULL, "sort the threads by the next column (or click)",
	  "Stacks" },
	{ 'I', thread_sort_key, "I", NULL, "sort the threads the other way", "Stacks" },
	{ '\n', pick_key, "Enter", NULL, "in the picker: show that process", "Stacks" },
	{ '\r', pick_key, "Enter", NULL, NULL, "Stacks" },
	{ KEY_ENTER, pick_key, "Enter", NULL, NULL, "Stacks" },
	{ KEY_UP, pick_move_key, "Up", NULL, NULL, "Stacks" },
	{ 'k', pick_move_key, "k", NULL, NULL, "Stacks" },
	{ KEY_DOWN, pick_move_key, "Down", NULL, NULL, "Stacks" },
	{ 'j', pick_move_key, "j", NULL, NULL, "Stacks" },
};

static bool stacks_search(struct panel *p, const char *text)
{
	struct stacks_panel *sp = p->priv;

	refresh_tree(p);
	return sp->tree && tree_view_search(&sp->tv, text, 1);
}

/* With no process chosen: the busiest processes, to pick one with Enter. */
static void draw_picker(struct panel *p, struct canvas *cv)
{
	const struct stacks_model *m = p->model;
	struct stacks_panel *sp = p->priv;
	int row = 2;

	canvas_put(cv, 0, 1, THEME_HEADER_VALUE,
		   "no process chosen: pick one with Enter, or filter one with p");
	canvas_printf(cv, 1, 1, THEME_TITLE, "%-8s %-20s %10s %10s", "PID", "COMM", "ON-CPU",
		      "OFF-CPU");
	canvas_set_role(cv, 1, 0, -1, THEME_TITLE);
	if (!m->ntop)
		canvas_put(cv, row, 1, THEME_DIM, "no process sampled on CPU in the last interval");
	for (size_t i = 0; i < m->ntop && canvas_has_row(cv, row); i++, row++) {
		char on[16], off[16];

		canvas_printf(cv, row, 1, THEME_DEFAULT, "%-8u ", m->top[i].pid);
		canvas_put_fit(cv, row, 10, 20, THEME_DEFAULT, m->top[i].comm);
		canvas_printf(
			cv, row, 31, THEME_DEFAULT, "%10s %10s",
			format_usecs(on, sizeof(on), (double)m->top[i].oncpu_us),
			format_usecs(off, sizeof(off), (double)offcpu_us(p, m->top[i].pid, 0)));
		if (i == sp->pick)
			canvas_set_role(cv, row, 0, -1, THEME_SELECTION);
	}
}

/*
 * Thread rows by the sort column: figures largest first, TIDs, names and states in ascending
 * order; reversed the other way. Ties by TID.
 */
static int thread_row_cmp(const void *a, const void *b, void *arg)
{
	const struct thread_row *x = a, *y = b;
	const struct stacks_panel *sp = arg;
	double vx = 0, vy = 0;
	int c = 0;

	switch (sp->threads.sort) {
	case THR_NAME:
		c = strcmp(x->t->name, y->t->name);
		break;
	case THR_STATE:
		c = (x->t->state > y->t->state) - (x->t->state < y->t->state);
		break;
	case THR_CPU:
		vx = x->t->cpu_pct, vy = y->t->cpu_pct;
		break;
	case THR_OFF:
		vx = x->off_us, vy = y->off_us;
		break;
	case THR_VCSW:
		vx = (double)x->t->voluntary, vy = (double)y->t->voluntary;
		break;
	case THR_ICSW:
		vx = (double)x->t->involuntary, vy = (double)y->t->involuntary;
		break;
	default:
		break;
	}
	if (!c)
		c = vx > vy ? -1 : vx < vy;
	if (!c)
		c = x->t->tid < y->t->tid ? -1 : x->t->tid > y->t->tid;
	return sp->threads.reverse ? -c : c;
}

/* The threads in the table's order (as sampled when no sort is chosen); the caller frees. */
static struct thread_row *thread_rows(struct panel *p)
{
	const struct stacks_model *m = p->model;
	struct stacks_panel *sp = p->priv;
	struct thread_row *rows = xreallocarray(NULL, m->nthreads ? m->nthreads : 1,
						sizeof(*rows));

	for (size_t i = 0; i < m->nthreads; i++) {
		rows[i].t = &m->threads[i];
		rows[i].off_us = sp->threads.sort == THR_OFF
					 ? (double)offcpu_us(p, m->pid, m->threads[i].tid)
					 : 0;
	}
	if (sp->threads.sort >= 0)
		qsort_r(rows, m->nthreads, sizeof(*rows), thread_row_cmp, sp);
	return rows;
}

/* The text of a thread table's cell: column c of thread t. */
static const char *thread_cell(struct panel *p, const struct stacks_thread *t, int c, char *buf,
			       size_t len)
{
	const struct stacks_model *m = p->model;

	switch (c) {
	case THR_TID:
		snprintf(buf, len, "%u", t->tid);
		break;
	case THR_NAME:
		return t->name;
	case THR_STATE:
		snprintf(buf, len, "%c", t->exited ? 'X' : t->state);
		break;
	case THR_CPU:
		snprintf(buf, len, "%.1f", t->cpu_pct);
		break;
	case THR_OFF:
		format_usecs(buf, len, (double)offcpu_us(p, m->pid, t->tid));
		break;
	case THR_VCSW:
		snprintf(buf, len, "%llu", (unsigned long long)t->voluntary);
		break;
	case THR_ICSW:
		snprintf(buf, len, "%llu", (unsigned long long)t->involuntary);
		break;
	default:
		return t->wchan[0] && t->state != 'R' ? t->wchan : top_frame(p, m->pid, t->tid);
	}
	return buf;
}

/* The thread table; returns the next row. */
static int draw_threads(struct panel *p, struct canvas *cv, int row, bool all)
{
	const struct stacks_model *m = p->model;
	struct stacks_panel *sp = p->priv;
	size_t n = all ? m->nthreads : (m->nthreads < THREAD_ROWS ? m->nthreads : THREAD_ROWS);
	struct thread_row *rows = thread_rows(p);

	table_place(&sp->threads, 1, cv->width);
	table_draw_titles(&sp->threads, cv, row, THEME_TITLE);
	sp->threads_row = p->batch ? -1 : row;
	sp->nshown = 0;
	row++;
	if (sp->thread_top + n > m->nthreads)
		sp->thread_top = m->nthreads > n ? m->nthreads - n : 0;
	for (size_t i = all ? 0 : sp->thread_top; i < m->nthreads && n; i++, n--, row++) {
		const struct stacks_thread *t = rows[i].t;
		char buf[512];

		if (sp->nshown < (int)(sizeof(sp->shown_tids) / sizeof(sp->shown_tids[0])))
			sp->shown_tids[sp->nshown++] = t->tid;
		for (size_t k = 0; k < sp->threads.n; k++)
			table_cell(&sp->threads, cv, row, k,
				   t->exited && sp->threads.col[k] != THR_FRAME ? THEME_DIM
										: THEME_DEFAULT,
				   thread_cell(p, t, sp->threads.col[k], buf, sizeof(buf)));
		if (t->tid == sp->tid)
			canvas_set_role(cv, row, 0, -1, THEME_SELECTION);
	}
	free(rows);
	return row;
}

static void stacks_draw(struct panel *p, struct canvas *cv)
{
	const struct stacks_model *m;
	struct stacks_panel *sp = p->priv;
	bool unlimited = cv->max_rows == CANVAS_UNLIMITED;
	char thread[96];
	int row;

	if (panel_draw_unavailable(p, cv))
		return;
	m = p->model;
	if (!m->pid && !m->why[0]) {
		draw_picker(p, cv);
		return;
	}
	if (m->why[0] && !m->nthreads) {
		canvas_put_fit(cv, 1, 1, -1, THEME_ERROR, m->why);
		return;
	}
	refresh_tree(p);
	if (sp->tid)
		snprintf(thread, sizeof(thread), "thread %u", sp->tid);
	else
		snprintf(thread, sizeof(thread), "all threads");
	canvas_printf(cv, 0, 1, THEME_HEADER_VALUE,
		      "pid %u %s%s   threads %zu   view %s   %s   on-CPU %u Hz   %s", m->pid,
		      m->comm, m->exited ? " (exited)" : "", m->nthreads, view_names[sp->view],
		      thread, m->hz, sp->cumulative && !p->batch ? "cumulative" : "interval");
	row = draw_threads(p, cv, 1, unlimited) + 1;
	if (!sp->tree || !sp->set.nsamples) {
		canvas_put(cv, row, 1, THEME_DIM, "no stacks for this view yet");
		return;
	}
	canvas_printf(cv, row, 0, THEME_TITLE, "%8s %7s %8s  %s", "Total", "%", "Self",
		      "Frame (outermost caller first)");
	canvas_set_role(cv, row, 0, -1, THEME_TITLE);
	row++;
	tree_view_draw(&sp->tv, cv, row, unlimited ? -1 : cv->max_rows - row - 1,
		       unlimited ? EXPORT_DEPTH : 0);
	if (!unlimited)
		tree_view_draw_detail(&sp->tv, cv, cv->max_rows - 1);
}

static int stacks_folded(struct panel *p, FILE *out)
{
	struct stacks_panel *sp = p->priv;

	if (!p->model)
		return -ENODATA;
	refresh_tree(p);
	return stack_set_write_folded(&sp->set, out);
}

/* The target's on-CPU stacks (the chosen thread's), shown or cumulative, for pprof. */
static int stacks_profile(struct panel *p, bool cumulative, struct panel_profile *out)
{
	const struct stacks_model *m = p->model;
	const struct stacks_panel *sp = p->priv;
	bool whole = cumulative || (sp->cumulative && !p->batch);

	if (m && !m->pid)
		out->why = m->why[0] ? m->why : "no process chosen (-p PID)";
	if (!m || !m->pid || !m->polls)
		return -ENODATA;
	*out = (struct panel_profile){
		.set = whole ? &m->oncpu_cumulative : &m->oncpu_interval,
		.on_cpu = true,
		.pid = m->pid,
		.tid = sp->tid,
		.hz = m->hz,
		.span_s = whole ? m->cumulative_s : m->interval_s,
	};
	return 0;
}

static int stacks_json(struct panel *p, struct json_out *j)
{
	const struct stacks_model *m = p->model;

	if (!m)
		return -ENODATA;
	json_kv_u64(j, "pid", m->pid);
	json_kv_str(j, "comm", m->comm);
	json_kv_bool(j, "exited", m->exited);
	json_kv_str(j, "why", m->why);
	json_kv_u64(j, "hz", m->hz);
	json_kv_double(j, "interval_s", m->interval_s, 3);
	json_kv_double(j, "poll_ms", m->poll_s * 1000.0, 3);
	json_key(j, "threads");
	json_array_begin(j);
	for (size_t i = 0; i < m->nthreads; i++) {
		const struct stacks_thread *t = &m->threads[i];
		char state[2] = { t->state, '\0' };

		json_object_begin(j);
		json_kv_u64(j, "tid", t->tid);
		json_kv_str(j, "name", t->name);
		json_kv_str(j, "state", state);
		json_kv_double(j, "cpu_pct", t->cpu_pct, 1);
		json_kv_u64(j, "oncpu_samples", t->oncpu_samples);
		json_kv_u64(j, "off_cpu_us", offcpu_us(p, m->pid, t->tid));
		json_kv_u64(j, "voluntary", t->voluntary);
		json_kv_u64(j, "involuntary", t->involuntary);
		json_kv_str(j, "wchan", t->wchan);
		json_kv_str(j, "kstack", t->kstack);
		json_kv_bool(j, "exited", t->exited);
		json_object_end(j);
	}
	json_array_end(j);
	stack_set_write_json(oncpu_set(p), j, "oncpu", m->pid ? m->pid : UINT32_MAX, "on_cpu_us");
	stack_set_write_json(offcpu_set(p), j, "offcpu", m->pid ? m->pid : UINT32_MAX,
			     "off_cpu_us");
	json_key(j, "top");
	json_array_begin(j);
	for (size_t i = 0; i < m->ntop; i++) {
		json_object_begin(j);
		json_kv_u64(j, "pid", m->top[i].pid);
		json_kv_str(j, "comm", m->top[i].comm);
		json_kv_u64(j, "on_cpu_us", m->top[i].oncpu_us);
		json_object_end(j);
	}
	json_array_end(j);
	return 0;
}

static void stacks_free(struct panel *p)
{
	struct stacks_panel *sp = p->priv;

	if (!sp)
		return;
	tree_view_free(&sp->tv);
	stack_tree_free(sp->tree);
	stack_set_clear(&sp->set);
	free(sp);
	p->priv = NULL;
}

/* A click on a title of the thread table sorts by it, on a thread shows it; else the tree's. */
static struct key_result stacks_mouse(struct panel *p, enum panel_mouse what, int row, int col)
{
	struct stacks_panel *sp = p->priv;
	int i = row - sp->threads_row - 1;

	if (what != PANEL_CLICK || is_picking(p) || sp->threads_row < 0 || row < sp->threads_row)
		return tree_view_mouse(p, what, row, col);
	if (row == sp->threads_row) {
		table_sort_click(&sp->threads, table_col_at(&sp->threads, col));
		return key_result(KEY_DO_REDRAW);
	}
	if (i < sp->nshown) {
		sp->tid = sp->tid == sp->shown_tids[i] ? 0 : sp->shown_tids[i];
		return key_result(KEY_DO_REDRAW);
	}
	return tree_view_mouse(p, what, row, col);
}

static struct table *stacks_table(struct panel *p, size_t i)
{
	struct stacks_panel *sp = p->priv;

	return i == 0 ? &sp->threads : NULL;
}

int stacks_panel_init(struct panel *p)
{
	struct stacks_panel *sp = xcalloc(1, sizeof(*sp));

	table_init(&sp->threads, &threads_table, -1);
	sp->threads_row = -1;
	tree_view_init(&sp->tv, format_usecs);
	sp->cumulative = true;
	p->priv = sp;
	return 0;
}

bool stacks_panel_is_cumulative(const struct panel *p)
{
	const struct stacks_panel *sp = p->priv;

	return sp->cumulative && !p->batch;
}

void stacks_panel_set_interval(struct panel *p, bool interval)
{
	struct stacks_panel *sp = p->priv;

	sp->cumulative = !interval;
}

const struct panel_ops stacks_panel_ops = {
	.name = "stacks",
	.title = "Stacks",
	.keys = stacks_keys,
	.nkeys = sizeof(stacks_keys) / sizeof(stacks_keys[0]),
	.widget_keys = tree_view_keys,
	.nwidget_keys = TREE_VIEW_NKEYS,
	.widget = stacks_widget,
	.draw = stacks_draw,
	.json = stacks_json,
	.folded = stacks_folded,
	.profile = stacks_profile,
	.search = stacks_search,
	.tables = stacks_tables,
	.ntables = 1,
	.table = stacks_table,
	.mouse = stacks_mouse,
	.free = stacks_free,
};
