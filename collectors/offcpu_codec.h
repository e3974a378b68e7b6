/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Off-CPU model in binary, as a recording's model section holds it: a version, the
 * interval's figures and filter, then the interval's stack set (collectors/stack_codec.h).
 * The cumulative set is not written: a replay adds the intervals up over the range it shows.
 *
 *   varint version (OFFCPU_CODEC_VERSION), varint flags (1: runnable, 2: kthreads),
 *   f64 interval_s, f64 cumulative_s, varint min_block_us, max_block_us, polls, the set
 *
 * A reader refuses a version it does not know (the replay then shows the recorded text).
 */
#ifndef KTOP_OFFCPU_CODEC_H
#define KTOP_OFFCPU_CODEC_H

#include <stddef.h>

#include "collectors/model_codec.h"
#include "collectors/offcpu_model.h"
#include "collectors/stack_codec.h"

#define OFFCPU_CODEC_VERSION 2 /* 2: samples carry flags (stack_codec.h) */

/* Append the binary form of m (its interval) to out. */
void offcpu_model_encode(struct stack_codec *c, const struct offcpu_model *m,
			 struct codec_out *out);
/*
 * A model read from len bytes of data (its cumulative set empty); free it with
 * offcpu_model_free. 0, -EPROTO (a newer version) or -EBADMSG, with why.
 */
int offcpu_model_decode(const void *data, size_t len, struct offcpu_model **out, char *why,
			size_t why_len);

#endif
