/* SPDX-License-Identifier: GPL-2.0 */
/* ktop's running state: collectors, panels, the filter, and the loops that drive them. */
#ifndef KTOP_APP_H
#define KTOP_APP_H

#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/collector.h"
#include "core/features.h"
#include "core/http_server.h"
#include "core/metrics.h"
#include "core/model_section.h"
#include "core/pprof_http.h"
#include "core/options.h"
#include "core/registry.h"
#include "core/settings.h"
#include "record/record_frame.h"
#include "themes/theme.h"
#include "ui/canvas.h"
#include "ui/keymap.h"
#include "ui/panel.h"
#include "ui/prompt.h"
#include "ui/screen.h"
#include "ui/statusbar.h"

#define APP_MAX_PANELS REGISTRY_MAX_PANELS

struct app {
	struct options opt;
	struct features feat;
	struct theme theme;
	struct ktop_config cfg;
	struct sym_cache *syms; /* lent to every collector as cfg.syms; freed after them */
	struct unwind_cache *unwinder; /* over syms, lent as cfg.unwinder */
	struct filter filter;  /* the live filter, as the panels and the header show it */
	struct filter applied; /* what the collectors were last given (apply_filter) */
	struct collector collectors[APP_MAX_PANELS];
	struct panel panels[APP_MAX_PANELS];
	struct panel *panel_list[APP_MAX_PANELS];
	void *shown[APP_MAX_PANELS]; /* the snapshot each panel shows, owned here */
	bool stale[APP_MAX_PANELS];  /* shown[i] was not taken at the last tick: nobody read it */
	const char *aux[APP_MAX_PANELS]; /* the panel whose model each panel also reads */
	const char *aux2[APP_MAX_PANELS]; /* and a second one */
	size_t npanels;
	size_t current;
	bool paused;
	bool help;
	bool setup;  /* the setup screen is shown */
	size_t setup_selected;
	size_t setup_top;    /* its first row shown (it scrolls on short screens) */
	bool setup_columns;  /* its columns page of a table is shown */
	size_t setup_column; /* the selected row on that page */
	size_t setup_column_top;
	bool quit;
	struct settings settings; /* as the setup screen shows them and quit saves them */
	struct settings saved;    /* as last read from or written to the file */
	char settings_path[PATH_MAX]; /* "" with --no-config or without a home */
	/* each table's own first sort: not saved while it holds */
	int sort0[APP_MAX_PANELS][PANEL_MAX_TABLES];
	bool sort0_reverse[APP_MAX_PANELS][PANEL_MAX_TABLES];
	struct keymap keys; /* the global keys, their panel numbers from the panels there are */
	struct prompt prompt;
	struct screen screen;
	struct canvas frame;
	struct canvas body;
	int sigfd;
	int timerfd;
	double start_s;  /* CLOCK_MONOTONIC at start */
	double reset_s;  /* at the last r */
	double tick_s;   /* at the last tick, 0 before the first */
	double tick_delay_s; /* the refresh then */
	double interval_s; /* what the last tick's snapshot covers */
	double gap_s;      /* of it, time the loop did not run (ktop stopped or starved) */
	double gaps_s;     /* the gaps since the last r */
	char message[192]; /* the last action's result, shown on the footer's row a while */
	bool message_is_error;
	double message_at;
	struct record_writer *rec;      /* -w: the recording, NULL when none or stopped */
	struct record_frame rec_frame;  /* the interval just recorded */
	struct model_section_enc rec_models; /* the encoder of the models recorded */
	struct flight *flight;          /* --trigger: the flight recorder, NULL when none */
	bool rec_stopped;               /* a write failed: the recording stopped */
	uint64_t rec_failed_exports;    /* panel exports that could not be recorded */
	double rec_cpu_s;               /* CPU time spent recording (exports, zstd, writes) */
	double rec_export_s;            /* of which in the panels' exports */
	double rec_model_s;             /* of which in encoding the models */
	bool warming_up;                /* the polls before the first interval: not recorded */
	struct metrics *metrics; /* --listen: the figures /metrics serves, fed each tick */
	struct http_server *http;
	struct pprof_http *pprof; /* --listen: /debug/pprof/ profiles */
	uint64_t renders; /* of the exposition, and the CPU time of the last ones, for the log */
	double render_s;
	uint64_t ticks; /* app_tick calls: the memory line of the log, the symbol release */
};

/*
* Create the recording (-w), set up panels and open collectors (batch: only the chosen panel's,
 * unless recording or serving --listen), the settings st (read from path, "" for none; warn:
 * their first warning, shown a while) given to the panels. 0 or -errno, said on stderr.
 */
int app_init(struct app *a, const struct options *opt, const struct features *feat,
	     const struct settings *st, const char *path, const char *warn);
/* Close every collector and free every snapshot; safe after a failed init. */
void app_fini(struct app *a);
/* The interactive screen until q or a signal; returns the exit code. */
int app_run_ui(struct app *a);
/* Batch mode: a snapshot each interval to stdout or -o; returns the exit code. */
int app_run_batch(struct app *a);

/* Shared by both loops (core/app.c). */
/*
 * Block the signals a main loop reads (the ways out, SIGWINCH, and SIGCHLD when chld) and
 * return a signalfd that reports them, or -errno.
 */
int app_loop_signalfd(bool chld);
int app_signals_open(struct app *a);
int app_timer_open(struct app *a);
/*
 * Read the refresh timer once poll(2) says it fired: true when a tick is due. A late tick
 * (by a tenth of the interval or more) puts the next one a whole interval after it.
 */
bool app_timer_take(struct app *a);
/* Fill fds with the collectors' event fds (POLLIN); returns how many. */
nfds_t app_event_fds(struct app *a, struct pollfd *fds);
/* Let collectors whose event fd is readable consume their events. */
void app_events(struct app *a, const struct pollfd *fds, nfds_t n);
/* Tell the collector of panel i that its panel is shown or hidden. */
void app_set_visible(struct app *a, size_t i, bool visible);
/* Poll every open collector; take new snapshots unless paused. */
void app_tick(struct app *a);
/* Point each panel at the models (one per panel) of the panels it reads beside its own. */
void app_models_link(struct app *a, void *const *models);
/* Take a fresh model for panel i and the panels it reads, those not taken at the last tick. */
void app_models_fresh(struct app *a, size_t i);
/* Fill the header's data for panel p. */
void app_status(const struct app *a, const struct panel *p, struct status_info *si);
/* Only the parts of it that differ from panel to panel (threshold, mode, unwinding). */
void app_status_panel(const struct app *a, const struct panel *p, struct status_info *si);
double app_now(void);
/*
 * Give each open collector the parts of a->filter that changed since they were last given
 * it (compared once, here; the PID set sorted first); a collector's failure is reported.
 */
void app_apply_filter(struct app *a);
/* Set the refresh timer to a->opt.delay_s (made when there is none); 0 or -errno. */
int app_timer_set(struct app *a);

/* The settings' side of the app (core/app_settings.c). */
/* Give the settings' preferences (sort, kernel threads, tree defaults) to every panel. */
void app_prefs_apply(struct app *a);
/* Apply setting i after the setup screen changed it: live where it can be. */
void app_setting_changed(struct app *a, enum settings_item i);
/*
 * Save the settings (with each table's sort as it is now) when they changed; 0, or -errno
 * with why (the settings stay as they are in memory).
 */
int app_settings_save(struct app *a, char *why, size_t why_len);

#endif
