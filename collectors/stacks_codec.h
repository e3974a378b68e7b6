/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Stacks model in binary, as a recording's model section holds it: a version, the target
 * process, its threads as /proc showed them, the busiest processes (the picker's), then the
 * interval's on-CPU stack set (collectors/stack_codec.h). The cumulative set is not written: a
 * replay adds the intervals up over the range it shows.
 *
 *   varint version (STACKS_CODEC_VERSION), varint pid, str comm, u8 exited, str why,
 *   varint hz, f64 interval_s, f64 cumulative_s, varint polls, f64 poll_s,
 *   varint nthreads, then each: varint tid, str name, u8 state, f64 cpu_pct,
 *     varint oncpu_samples, voluntary, involuntary, str wchan, str kstack, u8 exited
 *   varint ntop, then each: varint pid, str comm, varint oncpu_us
 *   the set
 *
 * Strings longer than the model's field, or not clean UTF-8, are refused or escaped as live
 * text is. A reader refuses a version it does not know (the replay then shows the text).
 */
#ifndef KTOP_STACKS_CODEC_H
#define KTOP_STACKS_CODEC_H

#include <stddef.h>

#include "collectors/model_codec.h"
#include "collectors/stack_codec.h"
#include "collectors/stacks_model.h"

#define STACKS_CODEC_VERSION 2 /* 2: samples carry flags (stack_codec.h) */

/* Append the binary form of m (its interval) to out. */
void stacks_model_encode(struct stack_codec *c, const struct stacks_model *m,
			 struct codec_out *out);
/*
 * A model read from len bytes of data (its cumulative set empty); free it with
 * stacks_model_free. 0, -EPROTO (a newer version) or -EBADMSG, with why.
 */
int stacks_model_decode(const void *data, size_t len, struct stacks_model **out, char *why,
			size_t why_len);

#endif
