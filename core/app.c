// SPDX-License-Identifier: GPL-2.0
#include "core/app.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "core/log.h"
#include "core/memlog.h"
#include "core/recording.h"
#include "core/registry.h"
#include "symbols/symbols.h"
#include "symbols/unwind.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define APP_MEMLOG_TICKS 10 /* ticks between two memory lines of $KTOP_LOG */
#define APP_SYM_RELEASE_TICKS 10 /* ticks between two looks for symbols to forget */
#define APP_TRIM_TICKS	      60 /* ticks between two returns of the heap's free pages */

double app_now(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

/* Add a panel and its collector; open the collector when open_it. */
static void add_panel(struct app *a, const struct registry_entry *e, bool open_it)
{
	size_t i = a->npanels++;
	struct collector *c = &a->collectors[i];
	struct panel *p = &a->panels[i];

	c->ops = e->collector;
	p->ops = e->panel;
	p->collector = c;
	p->filter = &a->filter;
	p->batch = a->opt.batch;
	a->aux[i] = e->aux;
	a->aux2[i] = e->aux2;
	e->panel_init(p);
	for (size_t t = 0; p->ops->table && t < p->ops->ntables && t < PANEL_MAX_TABLES; t++) {
		a->sort0[i][t] = p->ops->table(p, t)->sort;
		a->sort0_reverse[i][t] = p->ops->table(p, t)->reverse;
	}
	a->panel_list[i] = p;
	if (!open_it) {
		snprintf(c->why, sizeof(c->why), "not started");
		return;
	}
	if (c->ops->open(c, &a->cfg)) {
		c->ops->close(c);
		return;
	}
	c->is_open = true;
	if (!c->ops->configure(c, &a->filter, FILTER_ALL))
		return;
	if (a->opt.batch) {
		/* batch has no prompt to fix it: the collector cannot run (e.g. no such PID) */
		char why[COLLECTOR_WHY_LEN];

		snprintf(why, sizeof(why), "%s", c->why);
		c->ops->close(c);
		c->is_open = false;
		snprintf(c->why, sizeof(c->why), "%s", why);
		return;
	}
	snprintf(a->message, sizeof(a->message), "%s: %s", c->ops->name, c->why);
	a->message_is_error = true;
	a->message_at = app_now();
}

/*
 * The symbol cache and the DWARF unwinder every collector borrows, so a process followed by
 * several panels has its maps read and its files parsed once. Without them each collector
 * makes its own.
 */
static void app_syms_new(struct app *a)
{
	char why[COLLECTOR_WHY_LEN];

	if (sym_cache_new(&a->syms, why, sizeof(why))) {
		log_msg("symbols: no shared cache: %s", why);
		return;
	}
	a->unwinder = unwind_cache_new(a->syms);
	a->cfg.syms = a->syms;
	a->cfg.unwinder = a->unwinder;
}

/* Free the shared unwinder and symbol cache once no collector holds them; log what they did. */
static void app_syms_free(struct app *a)
{
	struct unwind_stats us;
	struct sym_stats st;

	if (a->unwinder) {
		unwind_cache_stats(a->unwinder, &us);
		log_msg("unwinder: samples %" PRIu64 ", layouts loaded %" PRIu64
			", layouts of exited processes freed %" PRIu64,
			us.samples, us.layouts, us.layouts_dropped);
	}
	unwind_cache_free(a->unwinder);
	a->unwinder = NULL;
	a->cfg.unwinder = NULL;
	if (!a->syms)
		return;
	sym_cache_stats(a->syms, &st);
	log_msg("symbols: processes %" PRIu64 ", maps reads %" PRIu64 ", ELF parses %" PRIu64,
		st.processes, st.maps_reads, st.parses);
	sym_cache_free(a->syms);
	a->syms = NULL;
	a->cfg.syms = NULL;
}

/* The --cgroup path and the panels whose collectors filter by it in the kernel. */
static void app_cgroup_text(const struct app *a, char *buf, size_t len)
{
	size_t n, kernel = 0;

	n = (size_t)snprintf(buf, len, "%s (in the kernel: ", a->filter.cgroup.path);
	for (size_t i = 0; i < a->npanels && n < len; i++) {
		const struct collector *c = &a->collectors[i];

		if (!c->is_open)
			continue;
		if (strcmp(c->cgroup, "kernel"))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", kernel++ ? "," : "",
				      a->panels[i].ops->name);
	}
	if (n < len)
		snprintf(buf + n, len - n, "%s)", !kernel ? "none" : "");
}

/* Drop the reference a /metrics reply held on the exposition it sent. */
static void release_metrics(void *arg)
{
	metrics_text_put(arg);
}

/* /metrics: the exposition the main loop published last, shared with the other scrapes. */
static void serve_metrics(void *arg, const struct http_request *req, struct http_reply *rep)
{
	struct metrics_text *ref;
	const char *text;

	(void)req;
	text = metrics_text_get(arg, &rep->len, &ref);
	if (!text) {
		rep->status = 503;
		rep->content_type = "text/plain";
		rep->body = xstrdup("no interval collected yet\n");
		rep->len = strlen(rep->body);
		return;
	}
	rep->content_type = PROM_CONTENT_TYPE;
	rep->body = (char *)text; /* only read: libmicrohttpd sends it */
	rep->release = release_metrics;
	rep->release_arg = ref;
}

/* --listen: the HTTP server and what it serves; 0, or -errno after one line on stderr. */
static int app_listen(struct app *a)
{
	char why[256];
	int err;

	a->metrics = metrics_new();
	a->pprof = pprof_http_new(&a->cfg);
	a->http = http_server_new();
	http_server_route(a->http, "/metrics", serve_metrics, a->metrics);
	pprof_http_route(a->pprof, a->http);
	err = http_server_start(a->http, a->opt.listen, why, sizeof(why));
	if (err) {
		fprintf(stderr, "ktop: --listen %s\n", why);
		return err;
	}
	log_msg("http: serving /metrics and /debug/pprof/ on %s", http_server_address(a->http));
	return 0;
}

/*
 * Render the accumulated figures and publish them for the next scrapes; every 10th time, log
 * how long the renders took (the CPU that --listen costs beyond its collectors).
 */
static void app_publish_metrics(struct app *a)
{
	double t0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
	struct prom_buf b;
	char *text;
	size_t len;

	prom_buf_init(&b);
	metrics_render(a->metrics, a->collectors, a->npanels, &b);
	pprof_http_render(a->pprof, &b);
	text = prom_buf_take(&b, &len);
	metrics_publish(a->metrics, text, len);
	a->render_s += clock_seconds(CLOCK_THREAD_CPUTIME_ID) - t0;
	if (++a->renders % 10)
		return;
	log_msg("metrics: 10 renders, the last of %zu bytes, took %.3f ms of CPU on average", len,
		a->render_s * 1000 / 10);
	a->render_s = 0;
}

/* Whether a recording (-w, --record, --trigger) keeps panel name running. */
static bool recording_keeps(const struct options *o, const char *name)
{
	if (options_records_panel(o, name))
		return true;
	for (size_t i = 0; i < o->ntriggers; i++) {
		const char *p = trigger_panel(&o->triggers[i]);

		if (p && !strcmp(p, name))
			return true;
	}
	return false;
}

/*
 * Batch mode opens the chosen panel (else the first), the one whose model it also reads, and
 * those a recording keeps, with the panels their models read.
 */
static bool batch_needs(const struct options *o, const struct registry_entry *chosen,
			const struct registry_entry *e, size_t i)
{
	const char *name = e->panel->name;

	if (chosen ? e == chosen : i == 0)
		return true;
	if (chosen && chosen->aux && !strcmp(chosen->aux, name))
		return true;
	if (recording_keeps(o, name))
		return true;
	for (size_t k = 0; k < registry_count; k++)
		if (registry[k].aux && !strcmp(registry[k].aux, name) &&
		    recording_keeps(o, registry[k].panel->name))
			return true;
	return false;
}

int app_init(struct app *a, const struct options *opt, const struct features *feat,
	     const struct settings *st, const char *path, const char *warn)
{
	const struct registry_entry *chosen;
	struct theme theme = a->theme;

	memset(a, 0, sizeof(*a));
	a->theme = theme;
	a->sigfd = -1;
	a->timerfd = -1;
	a->opt = *opt;
	a->feat = *feat;
	a->settings = a->saved = *st;
	snprintf(a->settings_path, sizeof(a->settings_path), "%s", path);
	options_startup(opt, &a->cfg, &a->filter);
	a->filter.offcpu_kthreads = st->kthreads;
	a->applied = a->filter;
	a->start_s = a->reset_s = app_now();
	if (opt->write || opt->ntriggers) {
		char why[320];
		int err = recording_open(a, why, sizeof(why));

		if (err) {
			fprintf(stderr, "ktop: %s %s\n", a->rec || !opt->write ? "--trigger" : "-w",
				why);
			return err;
		}
	}
	app_syms_new(a);
	if (opt->listen) {
		int err = app_listen(a);

		if (err)
			return err;
	}

	chosen = opt->panel ? registry_find_panel(opt->panel) : NULL;
	for (size_t i = 0; i < registry_count && i < APP_MAX_PANELS; i++) {
		const struct registry_entry *e = &registry[i];

		/* batch: only the chosen panel, and the one whose model it also reads (all of
		 * them with --listen, for /metrics; those recorded or watched by a trigger) */
		if (opt->batch && !opt->listen && !batch_needs(opt, chosen, e, i))
			continue;
		if (e == chosen || (!chosen && i == 0))
			a->current = a->npanels;
		add_panel(a, e, true);
	}
	app_prefs_apply(a);
	if (warn && warn[0] && !a->message[0]) {
		snprintf(a->message, sizeof(a->message), "%s", warn);
		a->message_is_error = true;
		a->message_at = app_now();
	}
	/* a recording holds its panels whatever is shown: their costly probes stay attached */
	for (size_t i = 0; i < a->npanels; i++)
		if (recording_keeps(opt, a->panels[i].ops->name))
			app_set_visible(a, i, true);
	/* said once the collectors are open (which takes a while), unless one failed */
	if (a->http && !a->message[0]) {
		snprintf(a->message, sizeof(a->message), "serving http://%s/metrics",
			 http_server_address(a->http));
		a->message_at = app_now();
	}
	return 0;
}

void app_fini(struct app *a)
{
	/* the server's threads first (the profiles they take end now): nothing serves while the
	 * rest goes */
	pprof_http_stop(a->pprof);
	http_server_free(a->http);
	a->http = NULL;
	pprof_http_free(a->pprof);
	a->pprof = NULL;
	metrics_free(a->metrics);
	a->metrics = NULL;
	recording_close(a);
	for (size_t i = 0; i < a->npanels; i++) {
		struct collector *c = &a->collectors[i];
		struct panel *p = &a->panels[i];

		if (a->shown[i])
			c->ops->model_free(a->shown[i]);
		a->shown[i] = NULL;
		p->model = NULL;
		c->ops->close(c);
		c->is_open = false;
		if (p->ops->free)
			p->ops->free(p);
	}
	a->npanels = 0;
	app_syms_free(a);
	if (a->sigfd >= 0)
		close(a->sigfd);
	if (a->timerfd >= 0)
		close(a->timerfd);
	a->sigfd = a->timerfd = -1;
	canvas_free(&a->frame);
	canvas_free(&a->body);
}

int app_loop_signalfd(bool chld)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGWINCH);
	if (chld)
		sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

int app_signals_open(struct app *a)
{
	int fd = app_loop_signalfd(true);

	a->sigfd = fd < 0 ? -1 : fd;
	return fd < 0 ? fd : 0;
}

int app_timer_open(struct app *a)
{
	a->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (a->timerfd < 0)
		return -errno;
	return app_timer_set(a);
}

int app_timer_set(struct app *a)
{
	struct itimerspec its;
	long long ns = (long long)(a->opt.delay_s * 1e9);

	if (a->timerfd < 0)
		return app_timer_open(a);
	its.it_interval.tv_sec = ns / 1000000000LL;
	its.it_interval.tv_nsec = ns % 1000000000LL;
	its.it_value = its.it_interval;
	if (timerfd_settime(a->timerfd, 0, &its, NULL))
		return -errno;
	return 0;
}

/*
 * Read the timer poll(2) said is readable; true when a tick is due. A tick taken late by a
 * tenth of an interval or more (the last tick and redraw overran it, the machine is busy)
 * moves the schedule: the next tick is a whole interval from now, never a catch-up shorter
 * than the interval by as much. Both loops take their ticks here.
 */
bool app_timer_take(struct app *a)
{
	struct itimerspec its;
	uint64_t expirations;
	double left;

	if (read(a->timerfd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return false;
	if (timerfd_gettime(a->timerfd, &its))
		return true;
	left = (double)its.it_value.tv_sec + (double)its.it_value.tv_nsec / 1e9;
	if (expirations == 1 && left > 0.9 * a->opt.delay_s)
		return true;
	its.it_value = its.it_interval;
	timerfd_settime(a->timerfd, 0, &its, NULL);
	return true;
}

nfds_t app_event_fds(struct app *a, struct pollfd *fds)
{
	nfds_t n = 0;

	for (size_t i = 0; i < a->npanels; i++) {
		struct collector *c = &a->collectors[i];
		int fd = c->is_open && c->ops->event_fd ? c->ops->event_fd(c) : -1;

		if (fd < 0)
			continue;
		fds[n].fd = fd;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

void app_events(struct app *a, const struct pollfd *fds, nfds_t n)
{
	for (size_t i = 0; i < a->npanels; i++) {
		struct collector *c = &a->collectors[i];
		int fd = c->is_open && c->ops->event_fd ? c->ops->event_fd(c) : -1;

		for (nfds_t k = 0; fd >= 0 && k < n; k++)
			if (fds[k].fd == fd && (fds[k].revents & POLLIN))
				c->ops->events(c);
	}
}

void app_set_visible(struct app *a, size_t i, bool visible)
{
	struct collector *c = &a->collectors[i];

	if (!visible && i < a->npanels && recording_keeps(&a->opt, a->panels[i].ops->name))
		return; /* recorded: kept as if shown */
	if (i < a->npanels && c->is_open && c->ops->set_visible)
		c->ops->set_visible(c, visible);
}

/*
 * Time the interval that ends now. One past half again the refresh (ktop was stopped with
 * SIGSTOP, or starved) has a gap: the time beyond one interval, counted and said, since the
 * snapshot folds it in.
 */
static void app_time_interval(struct app *a)
{
	double now = app_now();
	/* the setup screen may have changed the refresh within the interval: the longer one */
	double delay = a->opt.delay_s > a->tick_delay_s ? a->opt.delay_s : a->tick_delay_s;

	a->interval_s = a->tick_s ? now - a->tick_s : 0;
	a->gap_s = a->interval_s > 1.5 * delay ? a->interval_s - delay : 0;
	a->tick_s = now;
	a->tick_delay_s = a->opt.delay_s;
	if (a->gap_s <= 0 || a->warming_up)
		return;
	a->gaps_s += a->gap_s;
	snprintf(a->message, sizeof(a->message),
		 "ktop did not run for %.1f s (stopped or starved): a gap in this interval",
		 a->gap_s);
	a->message_is_error = true;
	a->message_at = now;
}

/* Whether panel i names panel k as a model it reads beside its own. */
static bool app_reads_aux(const struct app *a, size_t i, size_t k)
{
	const char *name = a->panels[k].ops->name;

	return i < a->npanels && ((a->aux[i] && !strcmp(a->aux[i], name)) ||
				  (a->aux2[i] && !strcmp(a->aux2[i], name)));
}

/*
 * Whether panel i's model is read before the next tick: by the panel shown or the one that
 * reads it beside its own, or by batch output, /metrics or a recording. A copy nobody reads
 * is not taken (the Slow queries list is most of a tick's work); app_models_fresh() takes one
 * when its panel is shown.
 */
static bool app_model_read(const struct app *a, size_t i)
{
	if (a->opt.batch || a->metrics || a->rec || a->flight || i == a->current)
		return true;
	return app_reads_aux(a, a->current, i);
}

/* Panel i's model, snapshot now. */
static void app_model_take(struct app *a, size_t i)
{
	struct collector *c = &a->collectors[i];

	if (a->shown[i])
		c->ops->model_free(a->shown[i]);
	a->shown[i] = c->ops->snapshot(c);
	a->panels[i].model = a->shown[i];
	a->stale[i] = false;
}

void app_models_link(struct app *a, void *const *models)
{
	for (size_t i = 0; i < a->npanels; i++)
		for (size_t k = 0; k < a->npanels; k++) {
			if (a->aux[i] && !strcmp(a->panels[k].ops->name, a->aux[i]))
				a->panels[i].aux_model = models[k];
			if (a->aux2[i] && !strcmp(a->panels[k].ops->name, a->aux2[i]))
				a->panels[i].aux_model2 = models[k];
		}
}

void app_models_fresh(struct app *a, size_t i)
{
	bool taken = false;

	for (size_t k = 0; k < a->npanels; k++)
		if ((k == i || app_reads_aux(a, i, k)) && a->stale[k] && a->collectors[k].is_open) {
			app_model_take(a, k);
			taken = true;
		}
	if (taken)
		app_models_link(a, a->shown);
}

void app_tick(struct app *a)
{
	app_time_interval(a);
	for (size_t i = 0; i < a->npanels; i++) {
		struct collector *c = &a->collectors[i];

		if (!c->is_open)
			continue;
		if (c->ops->poll(c)) {
			snprintf(a->message, sizeof(a->message), "%s: %s", c->ops->name, c->why);
			a->message_is_error = true;
			a->message_at = app_now();
			continue;
		}
		if (a->paused) {
			/* /metrics counts on while the screen holds still */
			if (a->metrics) {
				void *snap = c->ops->snapshot(c);

				metrics_feed(a->metrics, i, c, snap, app_now());
				if (snap)
					c->ops->model_free(snap);
			}
			continue;
		}
		if (a->shown[i] && !app_model_read(a, i)) {
			a->stale[i] = true;
			continue;
		}
		app_model_take(a, i);
		if (a->metrics)
			metrics_feed(a->metrics, i, c, a->shown[i], app_now());
	}
	if (a->metrics)
		app_publish_metrics(a);
	app_models_link(a, a->shown);
	recording_tick(a);
	/*
	 * Exited processes and the files only they mapped, once unused for a while: a walk of
	 * the whole cache, so not at every tick.
	 */
	a->ticks++;
	if (a->syms && a->ticks % APP_SYM_RELEASE_TICKS == 0)
		sym_cache_release(a->syms, (uint64_t)(app_now() * 1e9), SYM_IDLE_NS);
	/*
	 * What the churn of processes, stacks and queries freed lies in holes of the heap that
	 * malloc keeps resident: give those pages back now and then, so the RSS is what is used.
	 */
	if (a->ticks % APP_TRIM_TICKS == 0)
		malloc_trim(0);
	memlog_tick(a->ticks, APP_MEMLOG_TICKS, a->syms, a->unwinder);
}

/* The first line of a small /proc file into buf; false if unreadable. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	return ok;
}

void app_status_panel(const struct app *a, const struct panel *p, struct status_info *si)
{
	si->threshold[0] = si->mode[0] = si->unwind[0] = '\0';
	if (p->ops->threshold_text)
		p->ops->threshold_text(p, &a->filter, si->threshold, sizeof(si->threshold));
	if (p->collector) {
		snprintf(si->mode, sizeof(si->mode), "%s", p->collector->mode);
		snprintf(si->unwind, sizeof(si->unwind), "%s", p->collector->unwind);
	}
}

void app_status(const struct app *a, const struct panel *p, struct status_info *si)
{
	struct utsname un;
	char line[128];
	time_t now = time(NULL);
	struct tm tm;

	memset(si, 0, sizeof(*si));
	snprintf(si->version, sizeof(si->version), "%s", PACKAGE_VERSION);
	if (!uname(&un)) {
		snprintf(si->host, sizeof(si->host), "%s", un.nodename);
		snprintf(si->kernel, sizeof(si->kernel), "%s", un.release);
	}
	if (read_line("/proc/uptime", line, sizeof(line)))
		si->uptime_s = strtod(line, NULL);
	if (getloadavg(si->load, 3) < 0)
		memset(si->load, 0, sizeof(si->load));
	localtime_r(&now, &tm);
	strftime(si->clock, sizeof(si->clock), "%H:%M:%S", &tm);
	si->delay_s = a->opt.delay_s;
	si->elapsed_s = app_now() - a->reset_s;
	si->interval_s = a->interval_s;
	si->gap_s = a->gap_s;
	si->gaps_s = a->gaps_s;
	si->paused = a->paused;
	for (size_t i = 0; i < a->filter.npids; i++) {
		size_t n = strlen(si->pids);

		snprintf(si->pids + n, sizeof(si->pids) - n, "%s%u", i ? "," : "", a->filter.pids[i]);
	}
	if (a->filter.cgroup.id)
		app_cgroup_text(a, si->cgroup, sizeof(si->cgroup));
	app_status_panel(a, p, si);
	for (size_t i = 0; i < a->npanels; i++) {
		const struct collector *c = &a->collectors[i];

		for (size_t d = 0; d < c->ndrops && si->ndrops < STATUS_MAX_DROPS; d++)
			if (c->drops[d].count)
				si->drops[si->ndrops++] = c->drops[d];
	}
}
