// SPDX-License-Identifier: GPL-2.0
/*
 * A libFuzzer target for the Trace model's decoder (a recording's model section): a model it
 * accepts is put together with itself as a replay's range is, and encoded again, and that
 * encoding decodes to the same probes and events; nothing may crash, leak or read out of
 * bounds (configure CC=clang --enable-fuzzing).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/trace_codec.h"
#include "collectors/trace_range.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_model *m, *other, *again;
	struct codec_out out = { 0 };
	char why[256];

	if (trace_model_decode(data, size, &m, why, sizeof(why)))
		return 0;
	trace_model_encode(m, &out);
	if (trace_model_decode(out.data, out.len, &again, why, sizeof(why)) ||
	    again->nprobes != m->nprobes || again->nevents > m->nevents)
		abort();
	for (size_t i = 0; i < again->nevents; i++)
		if (strcmp(again->events[i].message,
			   m->events[m->nevents - again->nevents + i].message))
			abort();
	trace_model_free(again);
	codec_out_free(&out);
	if (!trace_model_decode(data, size, &other, why, sizeof(why))) {
		trace_range_take(m, other, true);
		trace_model_free(other);
	}
	trace_model_free(m);
	return 0;
}
