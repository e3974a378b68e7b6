/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A replay source: a panel's recorded models (RECORD_SECTION_MODEL), handed to the live panel
 * instead of a collector's snapshots. The model of the interval shown, and for the cumulative
 * view the intervals of a range added up (kept, and added to as the replay steps on).
 * Today the Off-CPU panel's models (struct offcpu_model) and the Stacks panel's (struct
 * stacks_model, its on-CPU stacks added up), the Overview's (struct sched_model, each
 * process's and thread's time per class added up, collectors/sched_sum.h), the Block I/O
 * panel's (struct bio_model, its histograms and counters added up, collectors/bio_sum.h), and
 * the list panels' (struct sql_model, struct trace_model) through core/replay_lists.h.
 */
#ifndef KTOP_REPLAY_MODEL_H
#define KTOP_REPLAY_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "record/record_reader.h"

struct replay_model;

/* A source of panel's models in r (borrowed); NULL when the panel is not recorded as a model. */
struct replay_model *replay_model_new(struct record_reader *r, const char *panel);
void replay_model_free(struct replay_model *rm);
/*
 * The model of interval i, its cumulative figures over intervals from..i (or i..from) when
 * cumulative; owned by rm, good until the next call (a new model each time what it holds
 * changes: its polls count is new too). NULL when the interval holds no model (a recording of
 * an older ktop), or it is damaged or of a newer version: why says so.
 */
const void *replay_model_get(struct replay_model *rm, size_t i, bool cumulative, size_t from,
			     char *why, size_t why_len);

#endif
