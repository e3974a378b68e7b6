// SPDX-License-Identifier: GPL-2.0
/*
 * A libFuzzer target for the model decoders of a recording's model sections, the Off-CPU
 * model's and the Stacks model's: the input is a section's bytes, read as each. A model either
 * accepts is built into a tree, both ways, and encoded again, and that encoding decodes to the
 * same figures; nothing may crash, leak or read out of bounds (configure CC=clang
 * --enable-fuzzing; test.sh's fuzz tier runs it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/offcpu_codec.h"
#include "collectors/stack_tree.h"
#include "collectors/stacks_codec.h"
#include "tests/fuzz/fuzz.h"

/* The input as a Stacks model: its stacks built, and encoded and decoded again the same. */
static void fuzz_stacks(const uint8_t *data, size_t size)
{
	struct stack_tree_opts o = { .split_threads = true };
	struct stacks_model *m, *again;
	struct codec_out out = { 0 };
	struct stack_codec *c;
	char why[256];

	if (stacks_model_decode(data, size, &m, why, sizeof(why)))
		return;
	stack_tree_free(stack_tree_build(&m->oncpu_interval, &o));
	c = stack_codec_new();
	stacks_model_encode(c, m, &out);
	if (stacks_model_decode(out.data, out.len, &again, why, sizeof(why)) ||
	    again->nthreads != m->nthreads || again->ntop != m->ntop ||
	    again->oncpu_interval.nsamples != m->oncpu_interval.nsamples ||
	    again->oncpu_interval.total != m->oncpu_interval.total)
		abort();
	for (size_t i = 0; i < m->nthreads; i++)
		if (strcmp(again->threads[i].name, m->threads[i].name) ||
		    strcmp(again->threads[i].kstack, m->threads[i].kstack))
			abort();
	stacks_model_free(again);
	stack_codec_free(c);
	codec_out_free(&out);
	stacks_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stack_tree_opts o = { .inverted = false };
	struct offcpu_model *m, *again;
	struct codec_out out = { 0 };
	struct stack_codec *c;
	char why[256];

	fuzz_stacks(data, size);
	if (offcpu_model_decode(data, size, &m, why, sizeof(why)))
		return 0;
	stack_tree_free(stack_tree_build(&m->interval, &o));
	o.inverted = true;
	o.split_threads = true;
	stack_tree_free(stack_tree_build(&m->interval, &o));
	c = stack_codec_new();
	offcpu_model_encode(c, m, &out);
	if (offcpu_model_decode(out.data, out.len, &again, why, sizeof(why)) ||
	    again->interval.nsamples != m->interval.nsamples ||
	    again->interval.total != m->interval.total)
		abort();
	offcpu_model_free(again);
	stack_codec_free(c);
	codec_out_free(&out);
	offcpu_model_free(m);
	return 0;
}
