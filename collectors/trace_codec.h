/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Trace model in binary, as a recording's model section holds it: the interval's figures,
 * the probes with their counts, the VFS counters and their history, and the interval's events
 * only (the newest of the kept ones, as many as the probes counted this interval); a replay
 * puts the events of a range back together, bounded as live.
 *
 *   varint version (TRACE_CODEC_VERSION), f64 interval_s, varint lost, polls,
 *   u8 vfs_active, str vfs_how, TRACE_VFS_COUNT varints vfs, then each op's
 *     TRACE_VFS_HISTORY varints of history,
 *   varint nprobes, then each: varint id, u8 type, str spec, target, u8 attached, str why,
 *     varint events, interval_events, lost
 *   varint nevents, then each: f64 time, varint pid, tid, str comm, varint probe_id,
 *     str message, varint nargs, then each arg as a varint
 *
 * Text that is not clean UTF-8 comes back escaped as live text is. A reader refuses a version
 * it does not know (the replay then shows the recorded text).
 */
#ifndef KTOP_TRACE_CODEC_H
#define KTOP_TRACE_CODEC_H

#include <stddef.h>

#include "collectors/model_codec.h"
#include "collectors/trace_model.h"

#define TRACE_CODEC_VERSION 1

/* The number of m's events that are its interval's: the newest ones. */
size_t trace_model_interval_events(const struct trace_model *m);
/* Append the binary form of m (its interval's events) to out. */
void trace_model_encode(const struct trace_model *m, struct codec_out *out);
/*
 * A model read from len bytes of data (its events those of the interval); free it with
 * trace_model_free. 0, -EPROTO (a newer version) or -EBADMSG, with why.
 */
int trace_model_decode(const void *data, size_t len, struct trace_model **out, char *why,
		       size_t why_len);

#endif
