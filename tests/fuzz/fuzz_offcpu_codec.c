// SPDX-License-Identifier: GPL-2.0
/*
 * A libFuzzer target for the Off-CPU model's decoder (a recording's model section): the input
 * is the section's bytes. A model it accepts is built into a tree, both ways, and encoded
 * again, and that encoding decodes to the same figures; nothing may crash, leak or read out of
 * bounds (configure CC=clang --enable-fuzzing; test.sh's fuzz tier runs it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "collectors/offcpu_codec.h"
#include "collectors/stack_tree.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stack_tree_opts o = { .inverted = false };
	struct offcpu_model *m, *again;
	struct codec_out out = { 0 };
	struct stack_codec *c;
	char why[256];

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
