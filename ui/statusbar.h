/* SPDX-License-Identifier: GPL-2.0 */
/* The header (system, filters, drops), the tab row and the footer, drawn from plain data. */
#ifndef KTOP_STATUSBAR_H
#define KTOP_STATUSBAR_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/collector.h"
#include "ui/canvas.h"
#include "ui/panel.h"

#define STATUS_MAX_DROPS 16

/* What the header shows; core fills it each refresh. */
struct status_info {
	char version[16];
	char host[64];
	char kernel[64];
	double uptime_s;
	double load[3];
	double delay_s;
	double elapsed_s;       /* since start or the last reset */
	double interval_s;      /* what this snapshot covers (0 before the first interval) */
	double gap_s;           /* of it, time ktop did not run (stopped, starved) */
	double gaps_s;          /* every gap since start or the last reset */
	char clock[32];         /* wall clock of the snapshot: "14:02:11" */
	bool paused;
	char pids[128];         /* the PID filter as text, "" for all */
	char cgroup[200];	/* --cgroup and the panels filtering in the kernel, "" for none */
	char threshold[64];     /* the visible panel's threshold, "" if none */
	char mode[48];          /* how the visible panel's collector is attached */
	char unwind[32];        /* how its user stacks are walked, "" when it takes none */
	struct collector_drop drops[STATUS_MAX_DROPS]; /* non-zero counters of every collector */
	size_t ndrops;
};

/* Rows the header takes. */
#define STATUS_HEADER_ROWS 2

/* Draw the header into rows 0 and 1 (drops that do not fit: "+N drops (h)"). */
void statusbar_draw_header(struct canvas *cv, const struct status_info *si);
/* Every drop counter of si, a line each ("drop: name N\n"; "" when none), for help. */
void statusbar_drops_text(const struct status_info *si, char *out, size_t len);
/* Draw the result of the last action (a saved file, an error) on the footer's row. */
void statusbar_draw_message(struct canvas *cv, int row, const char *text, bool is_error);
/* Draw the tab row: one tab per panel, numbered from 1, the current one highlighted. */
void statusbar_draw_tabs(struct canvas *cv, int row, struct panel *const *panels, size_t n,
			 size_t current);
/* The index of the tab drawn over column col (a click on it), or -1. */
int statusbar_tab_at(int col, struct panel *const *panels, size_t n);
/* Draw the footer: the global keys and the panel's own keys that have a footer label. */
void statusbar_draw_footer(struct canvas *cv, int row, const struct keymap *global,
			   const struct panel_ops *ops);
/* The key of the footer entry drawn over column col (a click on it), or -1. */
int statusbar_footer_key_at(int col, const struct keymap *global, const struct panel_ops *ops);

#endif
