// SPDX-License-Identifier: GPL-2.0
/* The interactive loop: one thread, poll(2) on the terminal, a timerfd and a signalfd. */
#include "core/app.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <ncurses.h>

#include "collectors/cgroup_path.h"
#include "core/event_wait.h"
#include "core/export.h"
#include "core/recording.h"
#include "ui/help.h"
#include "ui/keymap.h"
#include "ui/list_nav.h"
#include "ui/setup_screen.h"
#include "util/parse.h"

#define MESSAGE_SECONDS 5

enum prompt_purpose {
	PROMPT_PID = 1,
	PROMPT_THRESHOLD,
	PROMPT_SEARCH,
	PROMPT_ADD,
	PROMPT_SETTING,
	PROMPT_CGROUP,
};

static struct panel *current_panel(struct app *a)
{
	return a->panel_list[a->current];
}

static void set_message(struct app *a, bool is_error, const char *text)
{
	snprintf(a->message, sizeof(a->message), "%s", text);
	a->message_is_error = is_error;
	a->message_at = app_now();
}

void app_apply_filter(struct app *a)
{
	unsigned int changed;

	filter_set_pids(&a->filter, a->filter.pids, a->filter.npids);
	changed = filter_diff(&a->applied, &a->filter);
	a->applied = a->filter;
	for (size_t i = 0; changed && i < a->npanels; i++) {
		struct collector *c = &a->collectors[i];
		char msg[COLLECTOR_WHY_LEN + 32];

		if (!c->is_open || !c->ops->configure(c, &a->filter, changed))
			continue;
		snprintf(msg, sizeof(msg), "%s: %s", c->ops->name, c->why);
		set_message(a, true, msg);
	}
}

/* Apply what was typed at a prompt; false (and the reason shown) when refused. */
static bool submit_prompt(struct app *a)
{
	struct prompt *pr = &a->prompt;
	struct panel *p = current_panel(a);
	char why[160];
	int err = 0;

	if (pr->purpose == PROMPT_PID) {
		uint32_t pids[KTOP_MAX_PIDS];
		size_t n = 0;

		if (pr->text[0])
			err = parse_pid_list(pr->text, pids, KTOP_MAX_PIDS, &n, why, sizeof(why));
		if (!err) {
			memcpy(a->filter.pids, pids, n * sizeof(pids[0]));
			a->filter.npids = n;
			set_message(a, false, n ? "PID filter set" : "PID filter cleared");
		}
	} else if (pr->purpose == PROMPT_CGROUP) {
		struct filter_cgroup cg = { .subsys = -1 };

		if (pr->text[0])
			err = cgroup_path_resolve(pr->text, NULL, &cg, why, sizeof(why));
		if (!err) {
			a->filter.cgroup = cg;
			set_message(a, false,
				    cg.id ? "cgroup filter set" : "cgroup filter cleared");
		}
	} else if (pr->purpose == PROMPT_ADD) {
		struct collector *c = &a->collectors[a->current];
		int id = c->is_open && c->ops->add ? c->ops->add(c, pr->text) : -EOPNOTSUPP;

		if (id < 0) {
			snprintf(why, sizeof(why), "%s", c->why[0] ? c->why : strerror(-id));
			err = id;
		} else {
			snprintf(why, sizeof(why), "added #%d", id);
			set_message(a, false, why);
			prompt_close(pr);
			return true;
		}
	} else if (pr->purpose == PROMPT_SEARCH) {
		if (!p->ops->search(p, pr->text)) {
			snprintf(why, sizeof(why), "no frame matches '%.60s'", pr->text);
			err = -ENOENT;
		} else {
			prompt_close(pr);
			return true;
		}
	} else if (pr->purpose == PROMPT_SETTING) {
		enum settings_item i = (enum settings_item)a->setup_selected;
		struct settings s = a->settings;

		err = settings_set(&s, settings_item_key(i), pr->text, why, sizeof(why));
		/* a theme is checked as --theme is: it must load */
		if (!err && i == SETTINGS_THEME && s.theme[0]) {
			struct theme t;
			char reason[128];

			err = theme_load(&t, s.theme, reason, sizeof(reason));
			if (err)
				snprintf(why, sizeof(why), "theme: %s", reason);
		}
		if (!err) {
			a->settings = s;
			app_setting_changed(a, i);
			prompt_close(pr);
			return true;
		}
	} else if (pr->purpose == PROMPT_THRESHOLD && p->ops->set_threshold) {
		struct filter f = a->filter;

		err = p->ops->set_threshold(p, pr->text, &f, why, sizeof(why));
		if (!err) {
			a->filter = f;
			set_message(a, false, "threshold set");
		}
	}
	if (err) {
		prompt_fail(pr, why);
		return false;
	}
	app_apply_filter(a);
	prompt_close(pr);
	return true;
}

static void switch_panel(struct app *a, size_t index)
{
	if (index >= a->npanels || index == a->current)
		return;
	app_set_visible(a, a->current, false);
	a->current = index;
	app_set_visible(a, a->current, true);
	app_models_fresh(a, a->current);
}

static void save_snapshot(struct app *a, enum export_format fmt)
{
	struct status_info si;
	char path[512], why[512], msg[600];
	struct panel *p = current_panel(a);

	app_status(a, p, &si);
	if (export_save(p, fmt, &si, a->screen.cols > 0 ? a->screen.cols : 100, a->screen.utf8,
			a->syms, path, sizeof(path), why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "save failed: %s", why);
		set_message(a, true, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "saved %s", path);
	set_message(a, false, msg);
}

/* W: the moment shown, every panel, as a one-interval recording that ktop -r opens. */
static void save_recording(struct app *a)
{
	char path[4096], why[512], msg[600];

	if (recording_save_moment(a, path, sizeof(path), why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "save failed: %s", why);
		set_message(a, true, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "saved %s (ktop -r opens it)", path);
	set_message(a, false, msg);
}

/* Filter to one process and show its stacks (the Stacks panel). */
static void show_stacks(struct app *a, uint32_t pid)
{
	for (size_t i = 0; i < a->npanels; i++) {
		if (strcmp(a->panel_list[i]->ops->name, "stacks"))
			continue;
		a->filter.pids[0] = pid;
		a->filter.npids = 1;
		app_apply_filter(a);
		switch_panel(a, i);
		return;
	}
}

/* The way of walking user stacks after u: auto, dwarf, fp, then auto again. */
static enum ktop_unwind next_unwind(enum ktop_unwind u)
{
	switch (u) {
	case KTOP_UNWIND_AUTO:
		return KTOP_UNWIND_DWARF;
	case KTOP_UNWIND_DWARF:
		return KTOP_UNWIND_FP;
	default:
		return KTOP_UNWIND_AUTO;
	}
}

/* Remove item id (a probe) from the shown panel's collector and say how it went. */
static void remove_item(struct app *a, uint32_t id)
{
	struct collector *c = &a->collectors[a->current];
	char msg[COLLECTOR_WHY_LEN + 32];

	if (c->is_open && c->ops->remove && !c->ops->remove(c, id)) {
		snprintf(msg, sizeof(msg), "removed #%u", id);
		set_message(a, false, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "cannot remove #%u: %s", id,
		 c->why[0] ? c->why : "not supported");
	set_message(a, true, msg);
}

/* Reset the cumulative figures of every open collector. */
static void reset_counters(struct app *a)
{
	for (size_t i = 0; i < a->npanels; i++)
		if (a->collectors[i].is_open)
			a->collectors[i].ops->reset(&a->collectors[i]);
	a->reset_s = app_now();
	a->gaps_s = 0;
	set_message(a, false, "counters reset");
}

/* Do what a key's handler asked for. */
static void key_act(struct app *a, const struct key_result *r)
{
	struct panel *p = current_panel(a);

	switch (r->what) {
	case KEY_DO_NOTHING:
	case KEY_DO_REDRAW:
		break;
	case KEY_DO_FILTER:
		a->filter = r->filter;
		app_apply_filter(a);
		break;
	case KEY_DO_UNWIND_NEXT:
		a->filter.unwind = next_unwind(a->filter.unwind);
		app_apply_filter(a);
		break;
	case KEY_DO_STACKS:
		show_stacks(a, r->id);
		break;
	case KEY_DO_SAVE_FOLDED:
		save_snapshot(a, EXPORT_FOLDED);
		break;
	case KEY_DO_SAVE_PPROF:
		save_snapshot(a, EXPORT_PPROF);
		break;
	case KEY_DO_ADD_PROMPT:
		if (p->ops->add_prompt)
			prompt_open(&a->prompt, PROMPT_ADD, p->ops->add_prompt, "");
		break;
	case KEY_DO_REMOVE:
		remove_item(a, r->id);
		break;
	case KEY_DO_QUIT:
		a->quit = true;
		break;
	case KEY_DO_HELP:
		a->help = true;
		break;
	case KEY_DO_PAUSE:
		a->paused = !a->paused;
		set_message(a, false, a->paused ? "paused: the view is frozen, collection goes on"
						: "resumed");
		break;
	case KEY_DO_PANEL:
		switch_panel(a, r->id);
		break;
	case KEY_DO_PANEL_NEXT:
		switch_panel(a, (a->current + 1) % a->npanels);
		break;
	case KEY_DO_PANEL_PREV:
		switch_panel(a, (a->current + a->npanels - 1) % a->npanels);
		break;
	case KEY_DO_PID_PROMPT:
		prompt_open(&a->prompt, PROMPT_PID, "PID filter (comma-separated, empty: all)", "");
		break;
	case KEY_DO_CGROUP_PROMPT:
		prompt_open(&a->prompt, PROMPT_CGROUP, "cgroup directory (empty: all)",
			    a->filter.cgroup.path);
		break;
	case KEY_DO_THRESHOLD_PROMPT:
		if (!p->ops->set_threshold)
			set_message(a, true, "this panel has no threshold");
		else
			prompt_open(&a->prompt, PROMPT_THRESHOLD, p->ops->threshold_prompt, "");
		break;
	case KEY_DO_SEARCH_PROMPT:
		if (!p->ops->search)
			set_message(a, true, "this panel has no search");
		else
			prompt_open(&a->prompt, PROMPT_SEARCH, "search (n: next, N: previous)", "");
		break;
	case KEY_DO_SAVE:
		save_snapshot(a, EXPORT_TEXT);
		break;
	case KEY_DO_SAVE_RECORDING:
		save_recording(a);
		break;
	case KEY_DO_RESET:
		reset_counters(a);
		break;
	case KEY_DO_REPAINT:
		screen_invalidate(&a->screen);
		break;
	case KEY_DO_SETUP:
		a->setup = true;
		break;
	}
}

/* The setup screen's rows: the settings, then one a table (its columns). */
static size_t setup_rows(const struct app *a)
{
	size_t n = SETTINGS_NITEMS;

	for (size_t i = 0; i < a->npanels; i++)
		n += a->panel_list[i]->ops->table ? a->panel_list[i]->ops->ntables : 0;
	return n;
}

/* The table of setup row row (past the settings' rows), or NULL. */
static struct table *setup_table(struct app *a, size_t row)
{
	if (row < SETTINGS_NITEMS)
		return NULL;
	row -= SETTINGS_NITEMS;
	for (size_t i = 0; i < a->npanels; i++) {
		struct panel *p = a->panel_list[i];
		size_t n = p->ops->table ? p->ops->ntables : 0;

		if (row < n)
			return p->ops->table(p, row);
		row -= n;
	}
	return NULL;
}

/* The columns page's rows: t's shown columns in order, then the hidden ones; how many. */
static size_t column_rows(const struct table *t, struct setup_column *rows, int *cols)
{
	size_t n = 0;

	for (size_t k = 0; k < t->n; k++)
		cols[n++] = t->col[k];
	for (size_t c = 0; c < t->def->ncols && n < TABLE_MAX_COLS; c++)
		if (!table_shows(t, (int)c))
			cols[n++] = (int)c;
	for (size_t i = 0; rows && i < n; i++) {
		rows[i].name = t->def->cols[cols[i]].name;
		rows[i].title = t->def->cols[cols[i]].title;
		rows[i].shown = table_shows(t, cols[i]);
	}
	return n;
}

/* Do what a key or a click on a table's columns page asked for: live, kept in the settings. */
static void columns_act(struct app *a, enum setup_columns_action act)
{
	struct table *t = setup_table(a, a->setup_selected);
	int cols[TABLE_MAX_COLS], col;
	char text[SETTINGS_COLUMNS_MAX];
	size_t n;

	if (!t || act == SETUP_COLUMNS_BACK) {
		a->setup_columns = false;
		return;
	}
	n = column_rows(t, NULL, cols);
	if (a->setup_column >= n)
		a->setup_column = n ? n - 1 : 0;
	col = cols[a->setup_column];
	switch (act) {
	case SETUP_COLUMNS_TOGGLE:
		table_toggle(t, col);
		break;
	case SETUP_COLUMNS_LEFT:
	case SETUP_COLUMNS_RIGHT:
		if (table_pos(t, col) >= 0)
			table_move(t, (size_t)table_pos(t, col),
				   act == SETUP_COLUMNS_LEFT ? -1 : 1);
		break;
	default:
		return;
	}
	/* the selection follows the column */
	n = column_rows(t, NULL, cols);
	for (size_t i = 0; i < n; i++)
		if (cols[i] == col)
			a->setup_column = i;
	table_text(t, text, sizeof(text));
	settings_columns_put(&a->settings, t->def->name, text);
}

/* Leave the setup screen: the settings saved, and said so. */
static void leave_setup(struct app *a)
{
	char why[512], msg[600];

	a->setup = false;
	a->setup_columns = false;
	if (!a->settings_path[0]) {
		set_message(a, false, "settings applied (not saved: --no-config)");
		return;
	}
	if (app_settings_save(a, why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "settings not saved: %s", why);
		set_message(a, true, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "settings saved in %s", a->settings_path);
	set_message(a, false, msg);
}

/* Do what a key or a click on the setup screen asked for. */
static void setup_act(struct app *a, enum setup_action act)
{
	enum settings_item i = (enum settings_item)a->setup_selected;

	switch (act) {
	case SETUP_NEXT:
	case SETUP_PREV:
		if (setup_table(a, a->setup_selected)) {
			a->setup_columns = act == SETUP_NEXT;
			a->setup_column = 0;
			a->setup_column_top = 0;
			break;
		}
		settings_item_step(&a->settings, i, act == SETUP_NEXT ? 1 : -1);
		app_setting_changed(a, i);
		break;
	case SETUP_LEAVE:
		leave_setup(a);
		break;
	case SETUP_NONE:
	case SETUP_MOVED:
		break;
	}
}

/* A key on the setup screen: Enter on a typed setting opens a prompt with its value. */
static void setup_key(struct app *a, int key)
{
	enum settings_item i = (enum settings_item)a->setup_selected;
	char value[96];

	if (a->setup_columns) {
		struct table *t = setup_table(a, a->setup_selected);
		int cols[TABLE_MAX_COLS];

		columns_act(a, setup_columns_key(key, t ? column_rows(t, NULL, cols) : 0,
						 &a->setup_column));
		return;
	}
	if ((key == '\n' || key == '\r' || key == KEY_ENTER) &&
	    a->setup_selected < SETTINGS_NITEMS && settings_item_is_typed(i)) {
		settings_item_value(&a->settings, i, value, sizeof(value));
		if (i == SETTINGS_THEME && !a->settings.theme[0])
			value[0] = '\0';
		else if (i == SETTINGS_SLOW_QUERY)
			snprintf(value, sizeof(value), "%llu",
				 (unsigned long long)a->settings.slow_ms);
		prompt_open(&a->prompt, PROMPT_SETTING, settings_item_label(i), value);
		return;
	}
	setup_act(a, setup_screen_key(key, setup_rows(a), &a->setup_selected));
}

static void handle_key(struct app *a, int key);

/* A mouse report: a tab, the setup screen's rows, or the panel's body (wheel: scrolling). */
static void handle_mouse(struct app *a)
{
	struct panel *p = current_panel(a);
	int row, col, body_row, tab;
	enum screen_mouse_what what = screen_mouse(&a->screen, &row, &col);
	struct key_result r = key_result(KEY_DO_NOTHING);

	if (what == SCREEN_MOUSE_NONE || a->prompt.active)
		return;
	if (a->help) {
		a->help = false;
		return;
	}
	body_row = row - (STATUS_HEADER_ROWS + 1);
	if (a->setup && a->setup_columns) {
		struct table *t = setup_table(a, a->setup_selected);
		int cols[TABLE_MAX_COLS];
		size_t n = t ? column_rows(t, NULL, cols) : 0;

		if (what == SCREEN_MOUSE_CLICK) {
			size_t top = a->setup_column_top < n ? a->setup_column_top : 0;
			size_t rel = a->setup_column - top;
			enum setup_columns_action act = setup_columns_click(body_row, n - top, &rel);

			a->setup_column = rel + top;
			columns_act(a, act);
		} else
			setup_screen_key(what == SCREEN_MOUSE_WHEEL_UP ? KEY_UP : KEY_DOWN, n,
					 &a->setup_column);
		return;
	}
	if (a->setup) {
		if (what == SCREEN_MOUSE_CLICK) {
			size_t n = setup_rows(a), top = a->setup_top < n ? a->setup_top : 0;
			size_t rel = a->setup_selected - top;
			enum setup_action act = setup_screen_click(body_row, n - top, &rel);

			a->setup_selected = rel + top;
			setup_act(a, act);
		} else
			setup_screen_key(what == SCREEN_MOUSE_WHEEL_UP ? KEY_UP : KEY_DOWN,
					 setup_rows(a), &a->setup_selected);
		return;
	}
	if (row == STATUS_HEADER_ROWS && what == SCREEN_MOUSE_CLICK) {
		tab = statusbar_tab_at(col, a->panel_list, a->npanels);
		if (tab >= 0)
			switch_panel(a, (size_t)tab);
		return;
	}
	if (row == a->screen.rows - 1 && what == SCREEN_MOUSE_CLICK) {
		int key = statusbar_footer_key_at(col, &a->keys, p->ops);

		if (key >= 0)
			handle_key(a, key);
		return;
	}
	if (body_row < 0 || row >= a->screen.rows - 1)
		return;
	if (p->ops->mouse)
		r = p->ops->mouse(p,
				  what == SCREEN_MOUSE_CLICK      ? PANEL_CLICK :
				  what == SCREEN_MOUSE_WHEEL_UP ? PANEL_WHEEL_UP :
								  PANEL_WHEEL_DOWN,
				  body_row, col);
	if (r.what != KEY_DO_NOTHING) {
		key_act(a, &r);
		return;
	}
	/* the wheel moves the selection three rows, as the arrow keys would */
	for (int k = 0; what != SCREEN_MOUSE_CLICK && k < 3; k++)
		handle_key(a, what == SCREEN_MOUSE_WHEEL_UP ? KEY_UP : KEY_DOWN);
}

/* A key goes to the open prompt, else the help screen, else the panel, else the global keys. */
static void handle_key(struct app *a, int key)
{
	struct panel *p = current_panel(a);
	struct key_result r;

	if (a->prompt.active) {
		enum prompt_result pr = prompt_key(&a->prompt, key);

		if (pr == PROMPT_SUBMIT)
			submit_prompt(a);
		return;
	}
	if (key == KEY_MOUSE) {
		handle_mouse(a);
		return;
	}
	if (a->help) {
		a->help = false;
		if (key == 'q')
			a->quit = true;
		return;
	}
	if (a->setup) {
		setup_key(a, key);
		return;
	}
	r = panel_key(p, key);
	if (r.what == KEY_DO_NOTHING)
		r = keymap_run(a->keys.rows, a->keys.n, p, key);
	key_act(a, &r);
}

/* The global keys, a number key for each panel there is. */
static void init_keys(struct app *a)
{
	const char *titles[APP_MAX_PANELS];

	for (size_t i = 0; i < a->npanels; i++)
		titles[i] = a->panel_list[i]->ops->title;
	keymap_global_init(&a->keys, titles, a->npanels);
}

/* The setup screen: the settings, then the tables' columns. */
static void draw_setup(struct app *a)
{
	struct setup_row rows[SETTINGS_NITEMS + APP_MAX_PANELS * PANEL_MAX_TABLES];
	size_t n = setup_rows(a);

	for (size_t i = 0; i < n && i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct table *t = setup_table(a, i);
		size_t used = 0;

		if (!t) {
			rows[i].label = settings_item_label((enum settings_item)i);
			rows[i].help = settings_item_help((enum settings_item)i);
			settings_item_value(&a->settings, (enum settings_item)i, rows[i].value,
					    sizeof(rows[i].value));
			continue;
		}
		rows[i].label = t->def->title;
		rows[i].help = "the table's columns: Enter chooses which are shown and their order";
		rows[i].value[0] = '\0';
		for (size_t k = 0; k < t->n && used < sizeof(rows[i].value); k++) {
			int w = snprintf(rows[i].value + used, sizeof(rows[i].value) - used, "%s%s",
					 k ? "," : "", t->def->cols[t->col[k]].name);

			used += w > 0 ? (size_t)w : 0;
		}
	}
	/* the rows shown scroll with the selection */
	list_nav_scroll(a->setup_selected, setup_screen_page(a->body.max_rows), &a->setup_top);
	setup_screen_draw(&a->body, rows + a->setup_top, n - a->setup_top,
			  a->setup_selected - a->setup_top, a->settings_path);
}

/* Compose the whole screen in a canvas and paint it. */
static void redraw(struct app *a)
{
	struct screen *s = &a->screen;
	struct panel *p = current_panel(a);
	struct status_info si;
	int body_rows = s->rows - STATUS_HEADER_ROWS - 2;

	if (!screen_is_big_enough(s)) {
		screen_present(s, &a->frame);
		return;
	}
	canvas_reset(&a->frame, s->cols, s->rows);
	canvas_reset(&a->body, s->cols, body_rows);
	app_status(a, p, &si);
	statusbar_draw_header(&a->frame, &si);
	statusbar_draw_tabs(&a->frame, STATUS_HEADER_ROWS, a->panel_list, a->npanels, a->current);
	if (a->help) {
		char sys[1024], drops[1024];
		size_t n;

		statusbar_drops_text(&si, drops, sizeof(drops));
		features_describe(&a->feat, sys, sizeof(sys));
		for (size_t i = 0; i < a->npanels; i++) {
			const struct collector *c = &a->collectors[i];

			n = strlen(sys);
			snprintf(sys + n, sizeof(sys) - n, "%s: %s\n", c->ops->name,
				 c->is_open ? c->mode : c->why);
		}
		help_draw(&a->body, &a->keys, p->ops, drops, sys);
	} else if (a->setup && a->setup_columns) {
		const struct table *t = setup_table(a, a->setup_selected);
		struct setup_column rows[TABLE_MAX_COLS];
		int cols[TABLE_MAX_COLS];

		if (t) {
			size_t n = column_rows(t, rows, cols);

			list_nav_scroll(a->setup_column, setup_screen_page(a->body.max_rows),
					&a->setup_column_top);
			setup_columns_draw(&a->body, t->def->title, rows + a->setup_column_top,
					   n - a->setup_column_top,
					   a->setup_column - a->setup_column_top);
		}
	} else if (a->setup) {
		draw_setup(a);
	} else {
		p->ops->draw(p, &a->body);
	}
	canvas_blit(&a->frame, STATUS_HEADER_ROWS + 1, 0, &a->body);
	if (a->prompt.active)
		prompt_draw(&a->prompt, &a->frame, s->rows - 1);
	else if (a->message[0] && app_now() - a->message_at < MESSAGE_SECONDS)
		statusbar_draw_message(&a->frame, s->rows - 1, a->message, a->message_is_error);
	else
		statusbar_draw_footer(&a->frame, s->rows - 1, &a->keys, p->ops);
	screen_present(s, &a->frame);
}

/* Drain the signalfd; returns the exit code to leave with, or -1 to go on. */
static int handle_signals(struct app *a)
{
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGWINCH:
			screen_resize(&a->screen);
			break;
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
		case SIGQUIT:
			return 128 + (int)si.ssi_signo;
		default:
			break;
		}
	}
	return -1;
}

int app_run_ui(struct app *a)
{
	struct event_wait ew;
	char why[256];
	int rc = 0;

	if (app_signals_open(a)) {
		fprintf(stderr, "ktop: cannot set up the event loop: %s\n", strerror(errno));
		return 1;
	}
	if (screen_open(&a->screen, &a->theme, why, sizeof(why))) {
		fprintf(stderr, "ktop: %s\n", why);
		return 2;
	}
	screen_set_mouse(&a->screen, a->opt.mouse);
	init_keys(a);
	canvas_init(&a->frame, a->screen.cols, a->screen.rows, a->screen.utf8);
	canvas_init(&a->body, a->screen.cols, a->screen.rows, a->screen.utf8);
	app_set_visible(a, a->current, true);
	/*
	 * As batch mode: the first tick names what was sampled since start-up (slow when it is
	 * new to the symbol cache), the second starts every collector's interval with the timer,
	 * so that the next one, the first recorded, is a whole interval.
	 */
	a->warming_up = true;
	app_tick(a);
	if (app_timer_open(a)) {
		screen_close(&a->screen);
		fprintf(stderr, "ktop: cannot set up the event loop: %s\n", strerror(errno));
		return 1;
	}
	app_tick(a);
	a->warming_up = false;
	redraw(a);
	event_wait_init(&ew);
	while (!a->quit) {
		struct pollfd fds[3 + APP_MAX_PANELS] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = a->timerfd, .events = POLLIN },
			{ .fd = a->sigfd, .events = POLLIN },
		};
		nfds_t nfds = 3 + app_event_fds(a, fds + 3);
		int key, sig;
		bool dirty;

		if (event_wait(&ew, fds, nfds) < 0) {
			if (errno == EINTR)
				continue;
			rc = 1;
			break;
		}
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			rc = 129; /* the terminal went away, as with SIGHUP */
			break;
		}
		if (fds[2].revents & POLLIN) {
			sig = handle_signals(a);
			if (sig >= 0) {
				rc = sig;
				break;
			}
		}
		app_events(a, fds + 3, nfds - 3);
		/* only a tick, a key or a signal changes the screen, not a collector's event */
		dirty = (fds[0].revents | fds[1].revents | fds[2].revents) != 0;
		if ((fds[1].revents & POLLIN) && app_timer_take(a))
			app_tick(a);
		/* keys only when the terminal has some: each try costs a wakeup a system call */
		while ((fds[0].revents & POLLIN) && (key = screen_key(&a->screen)) >= 0 && !a->quit)
			handle_key(a, key);
		if (dirty) {
			/* a tick or a key may have opened a collector again, or started a reader */
			event_wait_stale(&ew);
			redraw(a);
		}
	}
	event_wait_close(&ew);
	screen_close(&a->screen);
	if (app_settings_save(a, why, sizeof(why)))
		fprintf(stderr, "ktop: settings not saved: %s\n", why);
	return rc;
}
