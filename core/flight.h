/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flight recorder (--trigger): the last BEFORE seconds of intervals kept in memory (their
 * sections, as -w records them, each compressed alone); when a condition holds, a window file gets those and the
 * next AFTER seconds of intervals, a recording of its own that ktop -r replays. Each trigger
 * fires at most once per BEFORE + AFTER; firings inside that span are counted as suppressed.
 */
#ifndef KTOP_FLIGHT_H
#define KTOP_FLIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "core/trigger.h"
#include "record/record_file.h"
#include "record/record_frame.h"

struct flight;

struct flight_config {
	const struct trigger_spec *specs;
	size_t nspecs;
	double before_s;
	double after_s;
	double delay_s;
	const char *dir;    /* where window files go */
	const char *base;   /* their names' start: DIR/BASE-trigger-YYYYmmdd-HHMMSS.ktop */
	struct record_header header; /* host, kernel, interval, panels of every window file */
	void (*say)(void *arg, const char *line); /* each firing, file written, suppression */
	void *say_arg;
};

/* Start the triggers (pressure poll triggers opened); 0 or -errno with why. */
int flight_open(struct flight **out, const struct flight_config *cfg, char *why, size_t why_len);
/* Look at this interval's models: a trigger that holds fires with the next flight_push. */
void flight_check(struct flight *fl, const struct trigger_inputs *in);
/*
 * This interval's frame (its raw sections) at time_ns: kept in the ring, appended to the open
 * windows; a trigger that fired opens its window file with the ring; a window past its end
 * is closed and said.
 */
void flight_push(struct flight *fl, struct record_frame *f, uint64_t time_ns);
/* Firings and suppressed firings so far. */
void flight_counts(const struct flight *fl, uint64_t *fired, uint64_t *suppressed);
/* Close the open windows (each said with what it holds) and free everything. */
void flight_close(struct flight *fl);

#endif
