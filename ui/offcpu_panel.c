// SPDX-License-Identifier: GPL-2.0
#include "ui/offcpu_panel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncurses.h>

#include "collectors/offcpu_model.h"
#include "collectors/stack_tree.h"
#include "ui/flame.h"
#include "ui/format.h"
#include "ui/tree_view.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define EXPORT_DEPTH 64

struct offcpu_panel {
	struct tree_view tv;
	struct stack_tree *tree; /* built from the shown model with the options below */
	const void *tree_model;	 /* the model the tree was built from */
	uint64_t tree_polls;	 /* its poll count: a new model may reuse the address */
	struct stack_tree_opts built_opts;
	bool built_cumulative;
	bool built_full;    /* every node, not only as deep as the view */
	uint64_t built_gen; /* the view's open_gen the tree was built for */
	struct stack_tree_opts opts;
	bool interval; /* the last interval instead of cumulative */
	bool flame;    /* the flame view instead of the tree */
};

static const struct stack_set *shown_set(const struct panel *p)
{
	const struct offcpu_model *m = p->model;
	const struct offcpu_panel *op = p->priv;

	return op->interval || p->batch ? &m->interval : &m->cumulative;
}

/*
 * Rebuild the tree when the model, the tree options or, for a tree only as deep as the view,
 * what the view expanded changed. Only the flame view, a search and an export (full) need
 * every node: the tree of a view of collapsed processes is a node a process, however many
 * stacks are below.
 */
static void refresh_tree_for(struct panel *p, bool full)
{
	struct offcpu_panel *op = p->priv;
	const struct offcpu_model *m = p->model;
	bool cumulative = !(op->interval || p->batch);
	struct stack_tree_opts o = op->opts;

	full = full || op->flame || op->tv.search[0];
	if (op->tree && op->tree_model == p->model && m && op->tree_polls == m->polls &&
	    !memcmp(&op->built_opts, &op->opts, sizeof(op->opts)) &&
	    op->built_cumulative == cumulative && op->built_full == full &&
	    (full || op->built_gen == op->tv.open_gen))
		return;
	if (!full) {
		o.open = tree_view_is_open;
		o.open_ctx = &op->tv;
	}
	if (p->model) {
		op->tree = stack_tree_rebuild(op->tree, shown_set(p), &o);
	} else {
		stack_tree_free(op->tree);
		op->tree = NULL;
	}
	op->tree_model = p->model;
	op->tree_polls = m ? m->polls : 0;
	op->built_opts = op->opts;
	op->built_cumulative = cumulative;
	op->built_full = full;
	tree_view_set_tree(&op->tv, op->tree);
	op->built_gen = op->tv.open_gen; /* the root, expanded there, is always built */
}

/* The tree the view needs now (only as deep as it, unless flame, search or export). */
static void refresh_tree(struct panel *p)
{
	refresh_tree_for(p, false);
}

/* The tree view for the tree keys, its tree made current; NULL before the first data. */
static struct tree_view *offcpu_widget(struct panel *p)
{
	struct offcpu_panel *op = p->priv;

	if (!p->model)
		return NULL;
	refresh_tree(p);
	return &op->tv;
}

/* i: innermost frames first. */
static struct key_result invert_key(struct panel *p, int key)
{
	struct offcpu_panel *op = p->priv;

	(void)key;
	op->opts.inverted = !op->opts.inverted;
	refresh_tree(p);
	return key_result(KEY_DO_REDRAW);
}

/* f: the flame view of the zoomed subtree, or the tree. */
static struct key_result flame_key(struct panel *p, int key)
{
	struct offcpu_panel *op = p->priv;

	(void)key;
	op->flame = !op->flame;
	return key_result(KEY_DO_REDRAW);
}

/* T: threads merged, or a node per thread. */
static struct key_result threads_key(struct panel *p, int key)
{
	struct offcpu_panel *op = p->priv;

	(void)key;
	op->opts.split_threads = !op->opts.split_threads;
	refresh_tree(p);
	return key_result(KEY_DO_REDRAW);
}

/* c: the last interval, or cumulative since start. */
static struct key_result interval_key(struct panel *p, int key)
{
	struct offcpu_panel *op = p->priv;

	(void)key;
	op->interval = !op->interval;
	refresh_tree(p);
	return key_result(KEY_DO_REDRAW);
}

/* R and K: the filter with preempted time, or kernel threads, flipped. */
static struct key_result filter_flip_key(struct panel *p, int key)
{
	struct key_result r = key_result(KEY_DO_FILTER);

	r.filter = *p->filter;
	if (key == 'R')
		r.filter.offcpu_runnable = !p->filter->offcpu_runnable;
	else
		r.filter.offcpu_kthreads = !p->filter->offcpu_kthreads;
	return r;
}

/* Enter on a process: its stacks; on any other node the tree's Enter (expand). */
static struct key_result process_key(struct panel *p, int key)
{
	struct tree_view *tv = offcpu_widget(p);
	struct offcpu_panel *op = p->priv;
	uint32_t n = tv ? tree_view_selected(tv) : STACK_TREE_NONE;

	(void)key;
	if (n == STACK_TREE_NONE || !op->tree->nodes[n].pid ||
	    op->tree->nodes[n].kind == STACK_NODE_FRAME)
		return key_result(KEY_DO_NOTHING);
	return key_result_id(KEY_DO_STACKS, op->tree->nodes[n].pid);
}

static const struct keymap_entry offcpu_keys[] = {
	{ 'i', invert_key, "i", "Invert", "invert: innermost frames first (what blocks)",
	  "Off-CPU" },
	{ 'f', flame_key, "f", "Flame", "flame view of the zoomed subtree", "Off-CPU" },
	{ 'T', threads_key, "T", NULL, "threads merged or one node per thread", "Off-CPU" },
	{ 'c', interval_key, "c", NULL, "cumulative since start (r resets) or last interval",
	  "Off-CPU" },
	{ 'R', filter_flip_key, "R", NULL, "sleeping only, or preempted (runnable) time too",
	  "Off-CPU" },
	{ 'K', filter_flip_key, "K", NULL, "include kernel threads", "Off-CPU" },
	{ 'u', panel_unwind_key, "u", NULL,
	  "user stacks: auto (DWARF with a PID filter), dwarf, fp", "Off-CPU" },
	{ 'F', panel_folded_key, "F", NULL, "save folded stacks (flamegraph.pl, speedscope)",
	  "Off-CPU" },
	{ 'P', panel_pprof_key, "P", "pprof", "save a pprof profile (go tool pprof)", "Off-CPU" },
	{ '\n', process_key, "Enter", NULL, "on a process: its stacks (Right expands)",
	  "Off-CPU" },
	{ '\r', process_key, "Enter", NULL, NULL, "Off-CPU" },
	{ KEY_ENTER, process_key, "Enter", NULL, NULL, "Off-CPU" },
};

static bool offcpu_search(struct panel *p, const char *text)
{
	struct offcpu_panel *op = p->priv;

	if (!p->model)
		return false;
	/* a search looks through every node: the tree is made whole while one is set */
	snprintf(op->tv.search, sizeof(op->tv.search), "%s", text);
	refresh_tree(p);
	return tree_view_search(&op->tv, op->tv.search, 1);
}

/* The panel's first line: what is shown and how it was filtered. */
static void draw_status(struct panel *p, struct canvas *cv, int row)
{
	const struct offcpu_model *m = p->model;
	const struct offcpu_panel *op = p->priv;
	const struct stack_set *s = shown_set(p);
	char total[16], span[48], el[16];
	int col = 1;

	if (op->interval || p->batch)
		snprintf(span, sizeof(span), "interval %.1fs", m->interval_s);
	else
		snprintf(span, sizeof(span), "cumulative %s",
			 format_elapsed(el, sizeof(el), m->cumulative_s));
	col += canvas_printf(cv, row, col, THEME_DIM, "off-CPU ");
	col += canvas_put(cv, row, col, THEME_HEADER_VALUE,
			  format_usecs(total, sizeof(total), (double)s->total));
	col += canvas_printf(cv, row, col, THEME_DIM, "  view ");
	col += canvas_put(cv, row, col, THEME_HEADER_VALUE,
			  op->flame	      ? "flame"
			  : op->opts.inverted ? "inverted"
					      : "tree");
	col += canvas_printf(cv, row, col, THEME_DIM, "  threads ");
	col += canvas_put(cv, row, col, THEME_HEADER_VALUE,
			  op->opts.split_threads ? "split" : "merged");
	col += canvas_printf(cv, row, col, THEME_DIM, "  state ");
	col += canvas_put(cv, row, col, THEME_HEADER_VALUE,
			  m->runnable ? "sleeping+runnable" : "sleeping");
	col += canvas_printf(cv, row, col, THEME_DIM, "  kthreads ");
	col += canvas_put(cv, row, col, THEME_HEADER_VALUE, m->kthreads ? "yes" : "no");
	col += canvas_put(cv, row, col, THEME_DIM, "  ");
	canvas_put(cv, row, col, THEME_HEADER_VALUE, span);
}

static void offcpu_draw(struct panel *p, struct canvas *cv)
{
	struct offcpu_panel *op = p->priv;
	bool unlimited = cv->max_rows == CANVAS_UNLIMITED;
	int height;

	if (panel_draw_unavailable(p, cv))
		return;
	refresh_tree_for(p, unlimited);
	draw_status(p, cv, 0);
	if (!shown_set(p)->nsamples) {
		canvas_put(cv, 2, 1, THEME_DIM,
			   op->interval || p->batch
				   ? "no thread blocked long enough in this interval"
				   : "no thread blocked long enough yet");
		return;
	}
	if (op->flame && !unlimited) {
		height = cv->max_rows - 3;
		flame_draw(op->tree, tree_view_root(&op->tv), tree_view_selected(&op->tv), cv, 1,
			   height);
		tree_view_draw_detail(&op->tv, cv, cv->max_rows - 1);
		return;
	}
	canvas_printf(cv, 1, 0, THEME_TITLE, "%8s %7s %8s  %s", "Total", "%", "Self",
		      op->opts.inverted ? "Frame (innermost first: what blocks)"
					: "Frame (outermost caller first)");
	canvas_set_role(cv, 1, 0, -1, THEME_TITLE);
	tree_view_draw(&op->tv, cv, 2, unlimited ? -1 : cv->max_rows - 3,
		       unlimited ? EXPORT_DEPTH : 0);
	if (!unlimited)
		tree_view_draw_detail(&op->tv, cv, cv->max_rows - 1);
}

static int offcpu_folded(struct panel *p, FILE *out)
{
	return p->model ? stack_set_write_folded(shown_set(p), out) : -ENODATA;
}

/* The shown (or the cumulative) off-CPU stacks, for a pprof profile. */
static int offcpu_profile(struct panel *p, bool cumulative, struct panel_profile *out)
{
	const struct offcpu_model *m = p->model;
	const struct stack_set *s;

	if (!m || !m->polls)
		return -ENODATA;
	s = cumulative ? &m->cumulative : shown_set(p);
	*out = (struct panel_profile){
		.set = s,
		.span_s = s == &m->interval ? m->interval_s : m->cumulative_s,
	};
	return 0;
}

static int offcpu_json(struct panel *p, struct json_out *j)
{
	const struct offcpu_model *m = p->model;
	const struct stack_set *s;

	if (!m)
		return -ENODATA;
	s = shown_set(p);
	json_kv_double(j, "interval_s", s == &m->interval ? m->interval_s : m->cumulative_s, 3);
	json_kv_str(j, "span", s == &m->interval ? "interval" : "cumulative");
	json_kv_u64(j, "min_block_us", m->min_block_us);
	json_kv_u64(j, "max_block_us", m->max_block_us);
	json_kv_bool(j, "runnable", m->runnable);
	json_kv_bool(j, "kthreads", m->kthreads);
	json_kv_u64(j, "total_us", s->total);
	stack_set_write_json(s, j, "stacks", 0, "off_cpu_us");
	return 0;
}

static void offcpu_threshold_text(const struct panel *p, const struct filter *f, char *buf,
				  size_t len)
{
	char lo[16], hi[16];

	(void)p;
	format_usecs(lo, sizeof(lo), (double)f->min_block_us);
	if (f->max_block_us)
		snprintf(buf, len, "block %s-%s", lo,
			 format_usecs(hi, sizeof(hi), (double)f->max_block_us));
	else
		snprintf(buf, len, "min block %s", lo);
}

/* "MIN" or "MIN-MAX" in microseconds; empty: 1 us and no maximum. */
static int offcpu_set_threshold(struct panel *p, const char *text, struct filter *f, char *why,
				size_t why_len)
{
	uint64_t lo = 1, hi = 0;
	char buf[64];
	char *dash;
	int err;

	(void)p;
	if (text[0]) {
		snprintf(buf, sizeof(buf), "%s", text);
		dash = strchr(buf, '-');
		if (dash)
			*dash = '\0';
		err = parse_u64(buf, 0, 3600ULL * 1000000, &lo, why, why_len);
		if (!err && dash)
			err = parse_u64(dash + 1, 1, 3600ULL * 1000000, &hi, why, why_len);
		if (err)
			return err;
		if (hi && hi < lo) {
			snprintf(why, why_len, "the maximum is below the minimum");
			return -EINVAL;
		}
	}
	f->min_block_us = lo;
	f->max_block_us = hi;
	return 0;
}

static void offcpu_free(struct panel *p)
{
	struct offcpu_panel *op = p->priv;

	if (!op)
		return;
	tree_view_free(&op->tv);
	stack_tree_free(op->tree);
	free(op);
	p->priv = NULL;
}

/* The settings' tree defaults: inverted, one node per thread. */
static void offcpu_set_prefs(struct panel *p, const struct panel_prefs *pp)
{
	struct offcpu_panel *op = p->priv;

	op->opts.inverted = pp->tree_invert;
	op->opts.split_threads = pp->tree_threads;
}

int offcpu_panel_init(struct panel *p)
{
	struct offcpu_panel *op = xcalloc(1, sizeof(*op));

	tree_view_init(&op->tv, format_usecs);
	p->priv = op;
	return 0;
}

bool offcpu_panel_is_cumulative(const struct panel *p)
{
	const struct offcpu_panel *op = p->priv;

	return !(op->interval || p->batch);
}

void offcpu_panel_set_interval(struct panel *p, bool interval)
{
	struct offcpu_panel *op = p->priv;

	op->interval = interval;
}

const struct panel_ops offcpu_panel_ops = {
	.name = "offcpu",
	.title = "Off-CPU",
	.keys = offcpu_keys,
	.nkeys = sizeof(offcpu_keys) / sizeof(offcpu_keys[0]),
	.widget_keys = tree_view_keys,
	.nwidget_keys = TREE_VIEW_NKEYS,
	.widget = offcpu_widget,
	.draw = offcpu_draw,
	.json = offcpu_json,
	.folded = offcpu_folded,
	.profile = offcpu_profile,
	.search = offcpu_search,
	.threshold_prompt = "off-CPU block time in us: MIN or MIN-MAX (empty: 1)",
	.threshold_text = offcpu_threshold_text,
	.set_threshold = offcpu_set_threshold,
	.set_prefs = offcpu_set_prefs,
	.mouse = tree_view_mouse,
	.free = offcpu_free,
};
