/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A replay's Trace model over a range of recorded intervals, from their decoded models
 * (collectors/trace_codec.h, each holding its interval's events): the model of the range's
 * last interval takes the events of the earlier ones, oldest first, bounded as live, and its
 * probes' and VFS counts of the interval become the range's.
 */
#ifndef KTOP_TRACE_RANGE_H
#define KTOP_TRACE_RANGE_H

#include <stdbool.h>

#include "collectors/trace_model.h"

/*
 * Move src's events after dst's (they are newer), keeping the newest TRACE_EVENTS_MAX; with
 * counts, src's interval (its probes' events by probe id, its VFS operations and its time) is
 * added to dst's. src is left without events.
 */
void trace_range_take(struct trace_model *dst, struct trace_model *src, bool counts);

#endif
