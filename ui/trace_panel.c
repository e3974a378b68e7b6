// SPDX-License-Identifier: GPL-2.0
#include "ui/trace_panel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <ncurses.h>

#include "collectors/trace_model.h"
#include "ui/format.h"
#include "ui/list_nav.h"
#include "util/xalloc.h"

#define PROBE_ROWS_MAX 6
#define SPARK_CELLS    6

struct trace_panel {
	size_t probe;	 /* the selected probe (for d) */
	bool follow;	 /* keep the newest event in view */
	size_t selected; /* the selected event when not following */
	size_t top;
	int page;
	char search[128];
};

/* Find the next event (from the selection backwards, newest first) whose line matches. */
static bool find_event(struct panel *p, const char *text)
{
	const struct trace_model *m = p->model;
	struct trace_panel *tp = p->priv;
	size_t start;

	if (text != tp->search)
		snprintf(tp->search, sizeof(tp->search), "%s", text);
	if (!m || !m->nevents || !tp->search[0])
		return false;
	start = tp->follow ? m->nevents : tp->selected;
	for (size_t k = 1; k <= m->nevents; k++) {
		size_t i = (start + m->nevents * 2 - k) % m->nevents;
		const struct trace_event *e = &m->events[i];

		if (strcasestr(e->message, tp->search) || strcasestr(e->comm, tp->search)) {
			tp->follow = false;
			tp->selected = i;
			return true;
		}
	}
	return false;
}

/* a: prompt for a probe to add. */
static struct key_result add_key(struct panel *p, int key)
{
	(void)p;
	(void)key;
	return key_result(KEY_DO_ADD_PROMPT);
}

/* d: delete the selected probe. */
static struct key_result delete_key(struct panel *p, int key)
{
	const struct trace_model *m = p->model;
	struct trace_panel *tp = p->priv;

	(void)key;
	if (!m || tp->probe >= m->nprobes)
		return key_result(KEY_DO_REDRAW);
	return key_result_id(KEY_DO_REMOVE, m->probes[tp->probe].id);
}

/* < >: select the previous or next probe. */
static struct key_result probe_key(struct panel *p, int key)
{
	const struct trace_model *m = p->model;
	struct trace_panel *tp = p->priv;

	if (key == '>' && m && tp->probe + 1 < m->nprobes)
		tp->probe++;
	else if (key == '<' && tp->probe)
		tp->probe--;
	return key_result(KEY_DO_REDRAW);
}

/* n: the next event matching the search. */
static struct key_result next_match_key(struct panel *p, int key)
{
	struct trace_panel *tp = p->priv;

	(void)key;
	find_event(p, tp->search);
	return key_result(KEY_DO_REDRAW);
}

/* End: follow the newest events. */
static struct key_result follow_key(struct panel *p, int key)
{
	struct trace_panel *tp = p->priv;

	(void)key;
	tp->follow = true;
	return key_result(KEY_DO_REDRAW);
}

/* Enter: the stacks of the selected event's process. */
static struct key_result event_stacks_key(struct panel *p, int key)
{
	const struct trace_model *m = p->model;
	struct trace_panel *tp = p->priv;
	size_t n = m ? m->nevents : 0;

	(void)key;
	if (!n)
		return key_result(KEY_DO_REDRAW);
	/* fewer events than when it was selected: after a reset, or a replay's other interval */
	if (tp->selected >= n)
		tp->selected = n - 1;
	return key_result_id(KEY_DO_STACKS, m->events[tp->follow ? n - 1 : tp->selected].pid);
}

/* The movement keys: through the events, scrolling back from the newest. */
static struct key_result move_key(struct panel *p, int key)
{
	const struct trace_model *m = p->model;
	struct trace_panel *tp = p->priv;
	size_t n = m ? m->nevents : 0;

	if (tp->follow)
		tp->selected = n ? n - 1 : 0;
	if (!list_nav_key(key, n, tp->page, &tp->selected))
		return key_result(KEY_DO_NOTHING);
	/* at the newest event, moving on follows the new ones again */
	tp->follow = n && tp->selected == n - 1 && key != KEY_UP && key != 'k';
	return key_result(KEY_DO_REDRAW);
}

static const struct keymap_entry trace_keys[] = {
	{ 'a', add_key, "a", "Add",
	  "add a probe: [p:|r:]LIB:FUNC, U:LIB:PROV:NAME, "
	  "t:CAT:EVENT, then \"FORMAT\", ARGS",
	  "Trace" },
	{ 'd', delete_key, "d", "Delete", "delete the selected probe", "Trace" },
	{ '>', probe_key, "< >", NULL, "select the previous/next probe", "Trace" },
	{ '<', probe_key, "<", NULL, NULL, "Trace" },
	{ 'n', next_match_key, "n", NULL, "next event matching the search", "Trace" },
	/* before the movement rows, whose End it overrides */
	{ KEY_END, follow_key, "End", NULL, "follow the newest events (arrows scroll back)",
	  "Trace" },
	{ '\n', event_stacks_key, "Enter", NULL, "the selected event's process: its stacks",
	  "Trace" },
	{ '\r', event_stacks_key, "Enter", NULL, NULL, "Trace" },
	{ KEY_ENTER, event_stacks_key, "Enter", NULL, NULL, "Trace" },
	LIST_NAV_ROWS(move_key, NULL, "Trace"),
};

static bool trace_search(struct panel *p, const char *text)
{
	return find_event(p, text);
}

/* The VFS line: each operation's rate now and a sparkline of its recent rates. */
static int draw_vfs(struct panel *p, struct canvas *cv, int row)
{
	const struct trace_model *m = p->model;
	double secs = m->interval_s > 0 ? m->interval_s : 1;
	int col = 1;

	col += canvas_put(cv, row, col, THEME_TITLE, "VFS/s ");
	if (!m->vfs_active) {
		canvas_put_fit(cv, row, col, -1, THEME_WARN, m->vfs_how[0] ? m->vfs_how : "off");
		return row + 1;
	}
	for (int op = 0; op < TRACE_VFS_COUNT; op++) {
		unsigned long long spark[SPARK_CELLS];

		for (int i = 0; i < SPARK_CELLS; i++)
			spark[i] = m->vfs_history[op][TRACE_VFS_HISTORY - SPARK_CELLS + i];
		col += canvas_printf(cv, row, col, THEME_DEFAULT, " %s ", trace_vfs_name(op));
		col += canvas_printf(cv, row, col, THEME_HEADER_VALUE, "%.0f ",
				     (double)m->vfs[op] / secs);
		col += canvas_sparkline(cv, row, col, spark, SPARK_CELLS, THEME_BAR) + 1;
	}
	return row + 1;
}

/* One line per probe: its number, type, spec, counts; the selected one highlighted. */
static int draw_probes(struct panel *p, struct canvas *cv, int row)
{
	const struct trace_model *m = p->model;
	const struct trace_panel *tp = p->priv;
	double secs = m->interval_s > 0 ? m->interval_s : 1;

	if (!m->nprobes) {
		canvas_put(cv, row++, 1, THEME_DIM,
			   "no probes: a adds one, e.g.  c:malloc \"%d bytes\", arg1   or   "
			   "t:sched:sched_process_exec \"%s\", args->filename");
		return row;
	}
	for (size_t i = 0; i < m->nprobes && i < PROBE_ROWS_MAX; i++, row++) {
		const struct trace_probe_info *pr = &m->probes[i];
		char line[800];

		if (pr->attached)
			snprintf(line, sizeof(line),
				 "#%-2u %c %8llu events %7.1f/s  lost %-4llu %s", pr->id, pr->type,
				 (unsigned long long)pr->events, (double)pr->interval_events / secs,
				 (unsigned long long)pr->lost, pr->spec);
		else
			snprintf(line, sizeof(line), "#%-2u %c %s: not attached: %s", pr->id,
				 pr->type, pr->spec, pr->why);
		canvas_put(cv, row, 1, THEME_DIM, i == 0 ? "probes" : "");
		canvas_put_fit(cv, row, 8, cv->width - 9,
			       pr->attached ? THEME_DEFAULT : THEME_ERROR, line);
		if (i == tp->probe)
			canvas_set_role(cv, row, 8, -1, THEME_SELECTION);
	}
	if (m->nprobes > PROBE_ROWS_MAX)
		canvas_printf(cv, row++, 8, THEME_DIM, "+%zu more probes",
			      m->nprobes - PROBE_ROWS_MAX);
	return row;
}

static void draw_events(struct panel *p, struct canvas *cv, int row, int height)
{
	const struct trace_model *m = p->model;
	struct trace_panel *tp = p->priv;
	size_t first = 0, n = m->nevents;
	size_t sel;

	if (n && tp->selected >= n)
		tp->selected = n - 1;
	sel = tp->follow ? (n ? n - 1 : 0) : tp->selected;
	canvas_printf(cv, row, 1, THEME_TITLE, "%-12s %-7s %-7s %-15s %-5s %s", "TIME", "PID",
		      "TID", "COMM", "PROBE", "MESSAGE");
	canvas_set_role(cv, row, 0, -1, THEME_TITLE);
	row++;
	if (!n) {
		canvas_put(cv, row, 1, THEME_DIM, "no events yet");
		return;
	}
	if (height > 1) {
		size_t rows = (size_t)height - 1;

		tp->page = (int)rows;
		if (tp->follow)
			tp->top = n > rows ? n - rows : 0;
		if (sel < tp->top)
			tp->top = sel;
		if (sel >= tp->top + rows)
			tp->top = sel - rows + 1;
		first = tp->top;
	}
	for (size_t i = first; i < n && (height < 0 || (int)(i - first) < height - 1); i++, row++) {
		const struct trace_event *e = &m->events[i];
		char clock[16], head[80];

		snprintf(head, sizeof(head), "%s.%03d", format_clock(clock, sizeof(clock), e->time),
			 (int)((e->time - (double)(long)e->time) * 1000));
		canvas_printf(cv, row, 1, THEME_DEFAULT, "%-12s %-7u %-7u ", head, e->pid, e->tid);
		canvas_put_fit(cv, row, 30, 15, THEME_DEFAULT, e->comm);
		canvas_printf(cv, row, 46, THEME_DEFAULT, "#%-4u", e->probe_id);
		canvas_put_fit(cv, row, 52, cv->width - 53,
			       tp->search[0] && strcasestr(e->message, tp->search) ? THEME_WARN
										   : THEME_DEFAULT,
			       e->message);
		if (height >= 0 && !tp->follow && i == sel)
			canvas_set_role(cv, row, 0, -1, THEME_SELECTION);
	}
}

static void trace_draw(struct panel *p, struct canvas *cv)
{
	const struct trace_model *m;
	int row;

	if (panel_draw_unavailable(p, cv))
		return;
	m = p->model;
	row = draw_vfs(p, cv, 0);
	row = draw_probes(p, cv, row);
	if (m->lost)
		canvas_printf(cv, row++, 1, THEME_WARN,
			      "lost %llu events (the ring buffer was full)",
			      (unsigned long long)m->lost);
	row++;
	draw_events(p, cv, row, cv->max_rows == CANVAS_UNLIMITED ? -1 : cv->max_rows - row);
}

static int trace_json(struct panel *p, struct json_out *j)
{
	const struct trace_model *m = p->model;

	if (!m)
		return -ENODATA;
	json_key(j, "vfs");
	json_object_begin(j);
	for (int op = 0; op < TRACE_VFS_COUNT; op++)
		json_kv_u64(j, trace_vfs_name(op), m->vfs[op]);
	json_kv_double(j, "interval_s", m->interval_s, 3);
	json_kv_bool(j, "active", m->vfs_active);
	json_kv_str(j, "how", m->vfs_how);
	json_object_end(j);
	json_kv_u64(j, "lost", m->lost);
	json_key(j, "probes");
	json_array_begin(j);
	for (size_t i = 0; i < m->nprobes; i++) {
		const struct trace_probe_info *pr = &m->probes[i];
		char type[2] = { pr->type, '\0' };

		json_object_begin(j);
		json_kv_u64(j, "id", pr->id);
		json_kv_str(j, "type", type);
		json_kv_str(j, "spec", pr->spec);
		json_kv_str(j, "target", pr->target);
		json_kv_bool(j, "attached", pr->attached);
		json_kv_str(j, "why", pr->why);
		json_kv_u64(j, "events", pr->events);
		json_kv_u64(j, "interval_events", pr->interval_events);
		json_kv_u64(j, "lost", pr->lost);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "events");
	json_array_begin(j);
	for (size_t i = 0; i < m->nevents; i++) {
		const struct trace_event *e = &m->events[i];

		json_object_begin(j);
		json_kv_double(j, "time", e->time, 6);
		json_kv_u64(j, "pid", e->pid);
		json_kv_u64(j, "tid", e->tid);
		json_kv_str(j, "comm", e->comm);
		json_kv_u64(j, "probe", e->probe_id);
		json_kv_str(j, "message", e->message);
		json_key(j, "args");
		json_array_begin(j);
		for (uint32_t a = 0; a < e->nargs && a < TRACE_MAX_ARGS; a++)
			json_u64(j, e->args[a]);
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	return 0;
}

static void trace_free(struct panel *p)
{
	free(p->priv);
	p->priv = NULL;
}

int trace_panel_init(struct panel *p)
{
	struct trace_panel *tp = xcalloc(1, sizeof(*tp));

	tp->follow = true;
	p->priv = tp;
	return 0;
}

const struct panel_ops trace_panel_ops = {
	.name = "trace",
	.title = "Trace",
	.keys = trace_keys,
	.nkeys = sizeof(trace_keys) / sizeof(trace_keys[0]),
	.draw = trace_draw,
	.json = trace_json,
	.search = trace_search,
	.add_prompt = "probe (e.g. c:malloc \"%d bytes\", arg1)",
	.free = trace_free,
};
