/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replay source of the list panels (Slow queries, Trace): each recorded interval holds its
 * own queries or events, so the model shown is put together over a range, the interval alone
 * (lo == hi) or the cumulative view's (collectors/sql_range.h, trace_range.h).
 */
#ifndef KTOP_REPLAY_LISTS_H
#define KTOP_REPLAY_LISTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/record_reader.h"

struct replay_lists;

/* Whether panel is a list panel this source puts together. */
bool replay_lists_has(const char *panel);
/* A source of panel's models in r (borrowed); NULL when it is not a list panel. */
struct replay_lists *replay_lists_new(struct record_reader *r, const char *panel);
void replay_lists_free(struct replay_lists *rl);
/*
 * The model over intervals lo..hi, its polls count set to polls (free it with
 * model_section_free), or NULL with why when interval hi holds none (an older recording), or
 * it is damaged or newer. An earlier interval without a model adds nothing. The range last
 * given is kept: the next one, one interval longer, reads two intervals, not the whole range.
 */
void *replay_lists_range(struct replay_lists *rl, size_t lo, size_t hi, uint64_t polls,
			 char *why, size_t why_len);

#endif
