// SPDX-License-Identifier: GPL-2.0
/*
 * -r FILE without -b: the recording on the screen. A panel recorded as a model (Off-CPU,
 * Stacks, Overview, Block I/O, Slow queries, Trace) is the live panel fed the recorded models:
 * its tree expands, collapses and is searched, its rows sorted, as live; its cumulative view
 * adds up the intervals of a range (a list panel's: its queries or events over the range). The
 * others show the text they exported at that interval (the panel as it was, at 100 columns).
 * The header names the recorded host, kernel and moment, with a timeline of the recording;
 * keys step one interval or ten, jump to a time, and play at the recorded pace.
 */
#include "core/replay.h"

#include <errno.h>
#include <ncurses.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "core/app.h"
#include "core/export.h"
#include "core/model_section.h"
#include "core/registry.h"
#include "core/replay_lists.h"
#include "core/replay_model.h"
#include "record/record_frame.h"
#include "record/record_reader.h"
#include "record/record_time.h"
#include "record/record_writer.h"
#include "themes/theme.h"
#include "ui/bio_panel.h"
#include "ui/canvas.h"
#include "ui/offcpu_panel.h"
#include "ui/prompt.h"
#include "ui/stacks_panel.h"
#include "ui/screen.h"
#include "util/escape.h"
#include "util/parse.h"

#define REPLAY_TOP_ROWS 3     /* header, timeline, tabs */
#define REPLAY_MAX_STEP_S 10  /* playing: the longest wait between two intervals */
#define REPLAY_LINE_MAX 4096

enum replay_prompt {
	REPLAY_PROMPT_JUMP = 1,
	REPLAY_PROMPT_SEARCH,
	REPLAY_PROMPT_THRESHOLD,
	REPLAY_PROMPT_PID,
};

struct replay_ui {
	struct record_reader *r;
	const char *path;
	size_t n;
	size_t at;          /* the interval shown */
	size_t panel;       /* its registry index */
	int scroll;         /* the first text row shown */
	bool playing;
	bool quit;
	uint8_t *raw;       /* the interval's sections, loaded */
	size_t raw_len;
	size_t raw_at;      /* which interval raw holds (n: none) */
	char error[320];    /* why the interval cannot be shown */
	char message[600];  /* the last action's result, on the footer's row until a key */
	bool message_is_error;
	struct screen screen;
	struct canvas cv;
	struct canvas body;  /* a live panel's drawing, below the replay's rows */
	struct prompt prompt;
	/* each panel recorded as a model: the live panel, fed by its replay source */
	struct panel live[REGISTRY_MAX_PANELS];
	struct replay_model *source[REGISTRY_MAX_PANELS];
	struct replay_model *aux_source[REGISTRY_MAX_PANELS]; /* its aux panel's models */
	struct replay_model *aux2_source[REGISTRY_MAX_PANELS]; /* and its aux2 panel's */
	bool cumulative[REGISTRY_MAX_PANELS]; /* c on a panel that has no c of its own */
	bool live_shown;     /* the shown panel was drawn from its model */
	struct filter filter; /* what the live panels' keys read: a recording's is fixed */
	struct filter rows_filter; /* the Overview's: p and G choose its rows as live */
	size_t mark;         /* the other end of the cumulative view's range (m) */
	int timerfd;
	int sigfd;
};

/* "HH:MM:SS" of a recorded time. */
static const char *clock_text(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
	return buf;
}

/* The filter live panel i reads (the Overview's own, whose p and G act on its rows). */
static struct filter *panel_filter(struct replay_ui *u, size_t i)
{
	return !strcmp(registry[i].panel->name, "overview") ? &u->rows_filter : &u->filter;
}

/* Whether live panel i shows cumulative figures (its c, or the replay's for a panel without). */
static bool is_cumulative(const struct replay_ui *u, size_t i)
{
	const struct panel *p = &u->live[i];

	if (!strcmp(p->ops->name, "stacks"))
		return stacks_panel_is_cumulative(p);
	if (!strcmp(p->ops->name, "offcpu"))
		return offcpu_panel_is_cumulative(p);
	if (!strcmp(p->ops->name, "bio"))
		return bio_panel_is_cumulative(p);
	return u->cumulative[i];
}

/*
 * The models of interval at for the live panel i, cumulative or not, into p->model and
 * p->aux_model (the aux one NULL when not recorded); false when there is no model.
 */
static bool fetch_models(struct replay_ui *u, size_t i, bool cumulative, char *why,
			 size_t why_len)
{
	struct panel *p = &u->live[i];
	char aux_why[160];

	p->model = replay_model_get(u->source[i], u->at, cumulative, u->mark, why, why_len);
	p->aux_model = u->aux_source[i] ? replay_model_get(u->aux_source[i], u->at, cumulative,
							   u->mark, aux_why, sizeof(aux_why))
					: NULL;
	p->aux_model2 = u->aux2_source[i] ? replay_model_get(u->aux2_source[i], u->at,
							     cumulative, u->mark, aux_why,
							     sizeof(aux_why))
					  : NULL;
	return p->model != NULL;
}

/* Load the interval shown, unless it is loaded; a damaged frame's reason goes to error. */
static void load(struct replay_ui *u)
{
	if (u->raw_at == u->at)
		return;
	free(u->raw);
	u->raw = NULL;
	u->error[0] = '\0';
	u->raw_at = u->at;
	if (record_reader_load(u->r, u->at, &u->raw, &u->raw_len, u->error, sizeof(u->error)))
		u->raw_len = 0;
}

/* Arm the play timer for the recorded gap to the next interval, or disarm it. */
static void arm(struct replay_ui *u)
{
	struct itimerspec its = { 0 };

	if (u->playing && u->at + 1 < u->n) {
		uint64_t gap = record_reader_time(u->r, u->at + 1) -
			       record_reader_time(u->r, u->at);

		if (gap > REPLAY_MAX_STEP_S * 1000000000ull)
			gap = REPLAY_MAX_STEP_S * 1000000000ull;
		if (!gap)
			gap = 1;
		its.it_value.tv_sec = (time_t)(gap / 1000000000ull);
		its.it_value.tv_nsec = (long)(gap % 1000000000ull);
	} else {
		u->playing = false;
	}
	timerfd_settime(u->timerfd, 0, &its, NULL);
}

/* Show interval i (clamped), keeping the scroll. */
static void go(struct replay_ui *u, long long i)
{
	if (i < 0)
		i = 0;
	if (i >= (long long)u->n)
		i = (long long)u->n - 1;
	u->at = (size_t)i;
	arm(u);
}

/* The header and the timeline: the recorded host, kernel and moment, and where it is. */
static void draw_top(struct replay_ui *u)
{
	const struct record_header *h = record_reader_header(u->r);
	char host[sizeof(h->host) * 4], kernel[sizeof(h->kernel) * 4], t[16], a[16], b[16];
	int w = u->cv.width, bar, mark, col;

	escape_cstr(host, sizeof(host), h->host, sizeof(h->host));
	escape_cstr(kernel, sizeof(kernel), h->kernel, sizeof(h->kernel));
	canvas_set_role(&u->cv, 0, 0, -1, THEME_HEADER);
	col = canvas_printf(&u->cv, 0, 0, THEME_HEADER,
			    "ktop replay  %s  %s  %s  interval %zu of %zu", host, kernel,
			    clock_text(record_reader_time(u->r, u->at), t, sizeof(t)), u->at + 1,
			    u->n);
	if (u->live_shown && is_cumulative(u, u->panel)) {
		size_t lo = u->mark < u->at ? u->mark : u->at;
		size_t hi = u->mark < u->at ? u->at : u->mark;
		char x[16], y[16];

		canvas_printf(&u->cv, 0, col + 2, THEME_HEADER,
			      "cumulative %s-%s (intervals %zu-%zu)",
			      clock_text(record_reader_time(u->r, lo), x, sizeof(x)),
			      clock_text(record_reader_time(u->r, hi), y, sizeof(y)), lo + 1,
			      hi + 1);
	}
	if (u->playing)
		canvas_put(&u->cv, 0, w - 8, THEME_PAUSED, "PLAYING");
	clock_text(record_reader_time(u->r, 0), a, sizeof(a));
	clock_text(record_reader_time(u->r, u->n - 1), b, sizeof(b));
	bar = w - 2 * 9 - 2;
	if (bar < 10)
		return;
	canvas_put(&u->cv, 1, 0, THEME_DIM, a);
	mark = u->n > 1 ? (int)((double)u->at * (bar - 1) / (double)(u->n - 1)) : 0;
	for (int i = 0; i < bar; i++)
		canvas_put(&u->cv, 1, 9 + i, i == mark ? THEME_SELECTION : THEME_BAR,
			   i == mark ? "|" : canvas_glyph(&u->cv, "hbar"));
	canvas_put(&u->cv, 1, 10 + bar, THEME_DIM, b);
}

/* The panel tabs, the shown one marked. */
static void draw_tabs(struct replay_ui *u)
{
	int col = 1;

	for (size_t i = 0; i < registry_count; i++) {
		char tab[64];

		snprintf(tab, sizeof(tab), " %zu %s ", i + 1, registry[i].panel->title);
		col += canvas_put(&u->cv, 2, col, i == u->panel ? THEME_TAB_ACTIVE : THEME_TAB,
				  tab);
		col += 2;
	}
}

/*
 * The shown panel drawn live from its recorded model; false when it has no replay source or
 * the interval holds no model (then its recorded text is shown).
 */
static bool draw_live(struct replay_ui *u, int rows)
{
	struct panel *p = &u->live[u->panel];
	struct replay_model *src = u->source[u->panel];
	char why[256];

	p->model = NULL;
	p->aux_model = NULL;
	p->aux_model2 = NULL;
	if (!src || !fetch_models(u, u->panel, is_cumulative(u, u->panel), why, sizeof(why)))
		return false;
	canvas_reset(&u->body, u->screen.cols, rows);
	p->ops->draw(p, &u->body);
	canvas_blit(&u->cv, REPLAY_TOP_ROWS, 0, &u->body);
	return true;
}

/* The recorded text of the shown panel, from the scroll row; lines escaped as live text is. */
static void draw_text(struct replay_ui *u, int rows)
{
	const char *name = registry[u->panel].panel->name;
	struct record_section s;
	char why[160], line[REPLAY_LINE_MAX];
	int row = 0, shown = 0;
	size_t p = 0;

	load(u);
	if (u->error[0]) {
		canvas_put(&u->cv, REPLAY_TOP_ROWS, 1, THEME_ERROR, u->error);
		return;
	}
	if (record_frame_find(u->raw, u->raw_len, RECORD_SECTION_TEXT, name, &s, why,
			      sizeof(why)) != 1) {
		const struct record_header *h = record_reader_header(u->r);
		char list[128];

		replay_panels_text(h, list, sizeof(list));
		if (!replay_has_panel(h, name))
			canvas_printf(&u->cv, REPLAY_TOP_ROWS, 1, THEME_DIM,
				      "the %s panel was not recorded (--record %s)", name, list);
		else
			canvas_printf(&u->cv, REPLAY_TOP_ROWS, 1, THEME_DIM,
				      "this interval holds no %s panel", name);
		return;
	}
	if (u->scroll < 0)
		u->scroll = 0;
	while (p < s.len && shown < rows) {
		const uint8_t *nl = memchr(s.data + p, '\n', s.len - p);
		size_t len = nl ? (size_t)(nl - (s.data + p)) : s.len - p;

		if (row++ >= u->scroll) {
			replay_escape(line, sizeof(line), s.data + p, len);
			canvas_put(&u->cv, REPLAY_TOP_ROWS + shown++, 0, THEME_DEFAULT, line);
		}
		p += len + 1;
	}
	if (!shown && u->scroll > 0)
		u->scroll = row > 0 ? row - 1 : 0;
}

static void redraw(struct replay_ui *u)
{
	int rows = u->screen.rows, text_rows = rows - REPLAY_TOP_ROWS - 1;

	canvas_reset(&u->cv, u->screen.cols, rows);
	/* the panel first: the header says whether it shows a cumulative range */
	u->live_shown = draw_live(u, text_rows);
	if (!u->live_shown)
		draw_text(u, text_rows);
	draw_top(u);
	draw_tabs(u);
	if (u->prompt.active)
		prompt_draw(&u->prompt, &u->cv, rows - 1);
	else if (u->message[0])
		canvas_put(&u->cv, rows - 1, 0, u->message_is_error ? THEME_ERROR : THEME_DEFAULT,
			   u->message);
	else if (u->live_shown && !strcmp(registry[u->panel].panel->name, "sql"))
		/* its g is the digest, as live: the time is gone to from another panel */
		canvas_put(&u->cv, rows - 1, 0, THEME_FOOTER_LABEL,
			   ",/. interval  -/+ ten  Space play  g digest  Enter detail  c cumulative  "
			   "m range  Tab panel  W save  q quit");
	else if (u->live_shown)
		canvas_put(&u->cv, rows - 1, 0, THEME_FOOTER_LABEL,
			   ",/. interval  -/+ ten  Space play  g go to  / search  c cumulative  "
			   "m range  Tab panel  W save  q quit");
	else
		canvas_put(&u->cv, rows - 1, 0, THEME_FOOTER_LABEL,
			   "Left/Right ,/. interval  -/+ ten  Space play  g go to  "
			   "Up/Down/PgUp/PgDn scroll  1-6 Tab panel  W save  q quit");
	screen_present(&u->screen, &u->cv);
}

/*
 * W: the interval shown, every panel recorded, as a recording of its own (the recorded host,
 * kernel and time kept) in $KTOP_EXPORT_DIR (else .), created new with mode 0600.
 */
static void save_interval(struct replay_ui *u)
{
	const char *dir = getenv("KTOP_EXPORT_DIR");
	struct record_header h = *record_reader_header(u->r);
	struct record_frame f = { 0 };
	uint64_t t = record_reader_time(u->r, u->at);
	time_t sec = (time_t)(t / 1000000000ull);
	char stem[64], path[4096], why[512];
	struct tm tm;
	int err;

	load(u);
	u->message_is_error = true;
	if (u->error[0]) {
		snprintf(u->message, sizeof(u->message), "save failed: %s", u->error);
		return;
	}
	localtime_r(&sec, &tm);
	strftime(stem, sizeof(stem), "ktop-%Y%m%d-%H%M%S", &tm);
	h.start_ns = 0;      /* the writer's: this file's own start and id */
	h.recording_id = 0;
	h.keep_s = 0;
	err = record_frame_set_raw(&f, u->raw, u->raw_len);
	if (!err)
		err = record_save_one(dir && dir[0] ? dir : ".", stem, &h, &f, t, path,
				      sizeof(path), why, sizeof(why));
	else
		snprintf(why, sizeof(why), "%s", strerror(-err));
	record_frame_free(&f);
	if (err) {
		snprintf(u->message, sizeof(u->message), "save failed: %s", why);
		return;
	}
	snprintf(u->message, sizeof(u->message), "saved %s (ktop -r opens it)", path);
	u->message_is_error = false;
}

/* The g prompt's answer: a time of day or +DURATION; false with the reason shown. */
static bool jump(struct replay_ui *u, const char *text)
{
	struct record_time t;
	char why[160];
	size_t i;

	if (record_time_parse(text, &t, why, sizeof(why))) {
		prompt_fail(&u->prompt, why);
		return false;
	}
	i = record_reader_find(u->r, record_time_resolve(&t, record_reader_time(u->r, 0)));
	go(u, (long long)(i < u->n ? i : u->n - 1));
	return true;
}

/* The / prompt's answer: the live panel's search; false with the reason shown. */
static bool search(struct replay_ui *u, const char *text)
{
	struct panel *p = &u->live[u->panel];
	char why[160];

	if (u->live_shown && p->ops->search(p, text))
		return true;
	snprintf(why, sizeof(why), "no frame matches '%.60s'", text);
	prompt_fail(&u->prompt, why);
	return false;
}

/*
 * F and P: the stacks the live panel shows (the interval, or the range added up) saved as
 * live saves them, folded or as a pprof profile, in $KTOP_EXPORT_DIR (else .), written whole
 * to an unnamed file and then named, never over a file or through a symlink.
 */
static void save_stacks(struct replay_ui *u, enum export_format fmt)
{
	struct status_info si = { 0 };
	char path[512], why[512];

	u->message_is_error = true;
	if (export_save(&u->live[u->panel], fmt, &si, u->screen.cols, u->screen.utf8, NULL, path,
			sizeof(path), why, sizeof(why))) {
		snprintf(u->message, sizeof(u->message), "save failed: %s", why);
		return;
	}
	snprintf(u->message, sizeof(u->message), "saved %s", path);
	u->message_is_error = false;
}

/*
 * The t prompt's answer: the live panel's own threshold (the Overview's minimum busy time);
 * one that would change what was recorded (a collector's) is refused. False with the reason.
 */
static bool threshold(struct replay_ui *u, const char *text)
{
	struct panel *p = &u->live[u->panel];
	struct filter f = u->filter;
	char why[160];

	if (p->ops->set_threshold(p, text, &f, why, sizeof(why))) {
		prompt_fail(&u->prompt, why);
		return false;
	}
	if (memcmp(&f, &u->filter, sizeof(f))) {
		prompt_fail(&u->prompt, "not in a replay: this threshold is as recorded");
		return false;
	}
	return true;
}

/*
 * The p prompt's answer: the Overview's rows of these processes only (empty: all), as live; the
 * recording's own filter stays. False with the reason shown.
 */
static bool pid_filter(struct replay_ui *u, const char *text)
{
	uint32_t pids[KTOP_MAX_PIDS];
	char why[160];
	size_t n = 0;

	if (text[0] && parse_pid_list(text, pids, KTOP_MAX_PIDS, &n, why, sizeof(why))) {
		prompt_fail(&u->prompt, why);
		return false;
	}
	filter_set_pids(&u->rows_filter, pids, n);
	snprintf(u->message, sizeof(u->message), n ? "PID filter set" : "PID filter cleared");
	u->message_is_error = false;
	return true;
}

/*
 * A key for the live panel shown (its own keys, then its tree's), as live; true when used.
 * What would change the recording (filters, unwinding) or leave it is refused in words.
 */
static bool live_key(struct replay_ui *u, int key)
{
	struct panel *p = &u->live[u->panel];
	struct key_result r;
	char why[256];

	if (!u->live_shown)
		return false;
	/*
	 * c flips the view: the models get the figures of the other view first, so the tree the
	 * panel rebuilds at once holds the selected node and the selection stays
	 */
	if (key == 'c')
		fetch_models(u, u->panel, !is_cumulative(u, u->panel), why, sizeof(why));
	/* a panel with no c of its own (the Overview, list panels): the replay adds intervals up */
	if (key == 'c' && !keymap_find(p->ops->keys, p->ops->nkeys, 'c')) {
		u->cumulative[u->panel] = !u->cumulative[u->panel];
		return true;
	}
	r = panel_key(p, key);
	switch (r.what) {
	case KEY_DO_NOTHING:
		return false;
	case KEY_DO_REDRAW:
		return true;
	case KEY_DO_SAVE_FOLDED:
	case KEY_DO_SAVE_PPROF:
		save_stacks(u, r.what == KEY_DO_SAVE_PPROF ? EXPORT_PPROF : EXPORT_FOLDED);
		return true;
	case KEY_DO_FILTER:
		/*
		 * the Overview's G groups the rows as live (the groups' figures are as recorded),
		 * x hides the literals of the recorded queries as live; other filters are fixed
		 */
		if (r.filter.sched_groups != panel_filter(u, u->panel)->sched_groups) {
			panel_filter(u, u->panel)->sched_groups = r.filter.sched_groups;
			return true;
		}
		if (r.filter.redact != panel_filter(u, u->panel)->redact) {
			panel_filter(u, u->panel)->redact = r.filter.redact;
			return true;
		}
		snprintf(u->message, sizeof(u->message),
			 "not in a replay: the recording's filters and stacks are as recorded");
		u->message_is_error = true;
		return true;
	case KEY_DO_STACKS:
		/*
		 * the Stacks panel's picker, the Overview's Enter, a query's or an event's process:
		 * a recording holds the stacks of its -p process only
		 */
		if (!strcmp(p->ops->name, "stacks") || !p->ops->nwidget_keys ||
		    replay_lists_has(p->ops->name)) {
			snprintf(u->message, sizeof(u->message),
				 "not in a replay: the stacks recorded are those of -p PID");
			u->message_is_error = true;
			return true;
		}
		/* live, Enter on a process opens its stacks; a replay has none: it expands */
		keymap_run(p->ops->widget_keys, p->ops->nwidget_keys, p, KEY_RIGHT);
		return true;
	default:
		break;
	}
	snprintf(u->message, sizeof(u->message),
		 "not in a replay: the recording's filters, probes and stacks are as recorded");
	u->message_is_error = true;
	return true;
}

static void handle_key(struct replay_ui *u, int key)
{
	int page = u->screen.rows - REPLAY_TOP_ROWS - 2;
	char t[16];

	u->message[0] = '\0';
	if (u->prompt.active) {
		enum prompt_result pr = prompt_key(&u->prompt, key);

		if (pr == PROMPT_CANCEL ||
		    (pr == PROMPT_SUBMIT &&
		     (u->prompt.purpose == REPLAY_PROMPT_SEARCH	     ? search(u, u->prompt.text)
		      : u->prompt.purpose == REPLAY_PROMPT_THRESHOLD ? threshold(u, u->prompt.text)
		      : u->prompt.purpose == REPLAY_PROMPT_PID	     ? pid_filter(u, u->prompt.text)
								     : jump(u, u->prompt.text))))
			prompt_close(&u->prompt);
		return;
	}
	switch (key) {
	case 'q':
		u->quit = true;
		return;
	case ',':
	case '.':
	case '+':
	case '-':
		go(u, (long long)u->at +
			      (key == '.' ? 1 : key == ',' ? -1 : key == '+' ? 10 : -10));
		return;
	case '/':
		if (u->live_shown && !u->live[u->panel].ops->search)
			snprintf(u->message, sizeof(u->message), "this panel has no search");
		else if (u->live_shown)
			prompt_open(&u->prompt, REPLAY_PROMPT_SEARCH,
				    "search (n: next, N: previous)", "");
		else
			snprintf(u->message, sizeof(u->message),
				 "this panel is its recorded text: no search");
		return;
	case 't':
		if (u->live_shown && u->live[u->panel].ops->set_threshold) {
			prompt_open(&u->prompt, REPLAY_PROMPT_THRESHOLD,
				    u->live[u->panel].ops->threshold_prompt, "");
			return;
		}
		break;
	case 'p':
		/* the Overview filters its rows itself; the other panels' filters are as recorded */
		if (u->live_shown && !strcmp(u->live[u->panel].ops->name, "overview")) {
			prompt_open(&u->prompt, REPLAY_PROMPT_PID,
				    "PID filter (comma-separated, empty: all)", "");
			return;
		}
		break;
	case 'm':
		u->mark = u->at;
		snprintf(u->message, sizeof(u->message),
			 "the cumulative view (c) adds up the intervals from %s (interval %zu)",
			 clock_text(record_reader_time(u->r, u->at), t, sizeof(t)), u->at + 1);
		u->message_is_error = false;
		return;
	default:
		break;
	}
	if (live_key(u, key))
		return;
	switch (key) {
	case KEY_RIGHT:
	case KEY_LEFT:
		go(u, (long long)u->at + (key == KEY_RIGHT ? 1 : -1));
		break;
	case ' ':
		u->playing = !u->playing;
		arm(u);
		break;
	case 'W':
		save_interval(u);
		break;
	case 'g':
		prompt_open(&u->prompt, REPLAY_PROMPT_JUMP,
			    "go to (HH:MM:SS, or +DURATION from the start)", "");
		break;
	case KEY_UP:
	case 'k':
		u->scroll--;
		break;
	case KEY_DOWN:
	case 'j':
		u->scroll++;
		break;
	case KEY_PPAGE:
		u->scroll -= page;
		break;
	case KEY_NPAGE:
		u->scroll += page;
		break;
	case KEY_HOME:
		u->scroll = 0;
		break;
	case '\t':
	case KEY_BTAB:
		u->panel = (u->panel + (key == '\t' ? 1 : registry_count - 1)) % registry_count;
		break;
	default:
		if (key >= '1' && key < '1' + (int)registry_count)
			u->panel = (size_t)(key - '1');
		break;
	}
}

/* Block the signals the loop reads from a signalfd; 0 or -errno. */
static int signals_open(struct replay_ui *u)
{
	int fd = app_loop_signalfd(false);

	u->sigfd = fd < 0 ? -1 : fd;
	return fd < 0 ? fd : 0;
}

/* Signals: a resize, or the way out (the exit code, or -1 to go on). */
static int handle_signals(struct replay_ui *u)
{
	struct signalfd_siginfo si;

	while (read(u->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH)
			screen_resize(&u->screen);
		else
			return 128 + (int)si.ssi_signo;
	}
	return -1;
}

/* The loop: keys, the play timer and signals, until q. */
static int run(struct replay_ui *u)
{
	int rc = 0;

	redraw(u);
	while (!u->quit) {
		struct pollfd fds[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = u->timerfd, .events = POLLIN },
			{ .fd = u->sigfd, .events = POLLIN },
		};
		uint64_t expirations;
		int key;

		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			return 129;
		if (fds[2].revents & POLLIN) {
			rc = handle_signals(u);
			if (rc >= 0)
				return rc;
			rc = 0;
		}
		if ((fds[1].revents & POLLIN) &&
		    read(u->timerfd, &expirations, sizeof(expirations)) > 0 && u->playing)
			go(u, (long long)u->at + 1);
		while ((key = screen_key(&u->screen)) >= 0 && !u->quit)
			handle_key(u, key);
		redraw(u);
	}
	return rc;
}

/*
 * A live panel and its replay source for each panel recorded as a model (and one for the panel
 * it also reads, the Stacks panel's Off-CPU stacks); each starts on the interval view (c:
 * cumulative over a range).
 */
static void live_open(struct replay_ui *u)
{
	for (size_t i = 0; i < registry_count && i < REGISTRY_MAX_PANELS; i++) {
		struct panel *p = &u->live[i];

		u->source[i] = replay_model_new(u->r, registry[i].panel->name);
		if (!u->source[i])
			continue;
		p->ops = registry[i].panel;
		p->filter = panel_filter(u, i);
		if (registry[i].panel_init(p)) {
			replay_model_free(u->source[i]);
			u->source[i] = NULL;
			memset(p, 0, sizeof(*p));
			continue;
		}
		if (!strcmp(p->ops->name, "offcpu"))
			offcpu_panel_set_interval(p, true);
		else if (!strcmp(p->ops->name, "stacks"))
			stacks_panel_set_interval(p, true);
		if (registry[i].aux)
			u->aux_source[i] = replay_model_new(u->r, registry[i].aux);
		if (registry[i].aux2)
			u->aux2_source[i] = replay_model_new(u->r, registry[i].aux2);
	}
}

static void live_close(struct replay_ui *u)
{
	for (size_t i = 0; i < REGISTRY_MAX_PANELS; i++) {
		if (!u->source[i])
			continue;
		u->live[i].model = NULL;
		u->live[i].aux_model = NULL;
		u->live[i].aux_model2 = NULL;
		u->live[i].ops->free(&u->live[i]);
		replay_model_free(u->source[i]);
		replay_model_free(u->aux_source[i]);
		replay_model_free(u->aux2_source[i]);
	}
}

int replay_run_ui(const struct options *o, const struct theme *theme)
{
	struct replay_ui u = { .path = o->read, .timerfd = -1, .sigfd = -1 };
	const struct registry_entry *e = o->panel ? registry_find_panel(o->panel) : &registry[0];
	char why[512];
	int rc;

	if (record_reader_open(&u.r, o->read, why, sizeof(why))) {
		fprintf(stderr, "ktop: -r %s\n", why);
		return 2;
	}
	u.n = record_reader_count(u.r);
	if (!u.n) {
		fprintf(stderr, "ktop: -r %s: no interval to replay\n", o->read);
		record_reader_close(u.r);
		return 1;
	}
	u.panel = (size_t)(e - registry);
	u.raw_at = u.n;
	u.at = replay_first(o, u.r);
	if (u.at >= u.n)
		u.at = u.n - 1;
	live_open(&u);
	u.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (u.timerfd < 0 || signals_open(&u)) {
		fprintf(stderr, "ktop: cannot set up the event loop: %s\n", strerror(errno));
		rc = 1;
		goto out;
	}
	if (screen_open(&u.screen, theme, why, sizeof(why))) {
		fprintf(stderr, "ktop: %s\n", why);
		rc = 2;
		goto out;
	}
	canvas_init(&u.cv, u.screen.cols, u.screen.rows, u.screen.utf8);
	canvas_init(&u.body, u.screen.cols, u.screen.rows, u.screen.utf8);
	rc = run(&u);
	screen_close(&u.screen);
	canvas_free(&u.cv);
	canvas_free(&u.body);
	/* said after the screen is gone: the listing stopped at damage */
	if (record_reader_is_damaged(u.r, why, sizeof(why)))
		fprintf(stderr, "ktop: -r %s\n", why);
out:
	if (u.timerfd >= 0)
		close(u.timerfd);
	if (u.sigfd >= 0)
		close(u.sigfd);
	free(u.raw);
	live_close(&u);
	record_reader_close(u.r);
	return rc;
}
