/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stack set in binary, for a recording's model sections: its names once each (a table of
 * strings), then its samples, each frame a reference into that table, so a replay rebuilds
 * the same set, symbolized, on a machine without the traced binaries.
 *
 *   varint nstrings, then each string: varint length, bytes
 *   varint nsamples, then each sample: varint pid, tid, comm, pcomm (string numbers), value,
 *     count, flags (1: the processes of that name that exited, folded; not in sets of
 *     STACK_CODEC_FLAGS_SINCE's models before), nframes, then each frame: varint name, u8
 *     kind, varint src (0: none, else its string number + 1), varint addr
 */
#ifndef KTOP_STACK_CODEC_H
#define KTOP_STACK_CODEC_H

#include <stddef.h>

#include "collectors/model_codec.h"
#include "collectors/stack.h"

struct stack_codec;

/* The version of the Off-CPU and Stacks models from which a sample carries its flags. */
#define STACK_CODEC_FLAGS_SINCE 2
#define STACK_SAMPLE_EXITED 1

/* An encoder whose tables are kept from one interval to the next. */
struct stack_codec *stack_codec_new(void);
void stack_codec_free(struct stack_codec *c);
/* Append the binary form of s to out. */
void stack_set_encode(struct stack_codec *c, const struct stack_set *s, struct codec_out *out);
/*
 * Read a set written by stack_set_encode from in into out (emptied first; its names in a store
 * of its own, text that is not clean UTF-8 escaped as live text is); version is the model's,
 * which says whether samples carry flags. 0, or -EBADMSG with why naming the byte where it
 * went wrong (out is then empty).
 */
int stack_set_decode(struct codec_in *in, uint64_t version, struct stack_set *out, char *why,
		     size_t why_len);

#endif
