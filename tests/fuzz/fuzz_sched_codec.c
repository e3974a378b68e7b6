// SPDX-License-Identifier: GPL-2.0
/*
 * A libFuzzer target for the Overview model's decoder (a recording's "overview" model
 * section): a model it accepts is added into a cumulative sum twice and given the sum, and
 * encoded again, and that encoding decodes to the same rows; nothing may crash, leak or read
 * out of bounds (configure CC=clang --enable-fuzzing; test.sh's fuzz tier runs it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sched_codec.h"
#include "collectors/sched_sum.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sched_model *m, *again;
	struct codec_out out = { 0 };
	struct sched_sum sum = { 0 };
	char why[256];

	if (sched_model_decode(data, size, &m, why, sizeof(why)))
		return 0;
	sched_model_encode(m, &out);
	if (sched_model_decode(out.data, out.len, &again, why, sizeof(why)) ||
	    again->nprocs != m->nprocs || again->nthreads != m->nthreads ||
	    again->ngroups != m->ngroups || again->sys.ncpus != m->sys.ncpus)
		abort();
	for (size_t i = 0; i < m->nprocs; i++)
		if (strcmp(again->procs[i].comm, m->procs[i].comm) ||
		    memcmp(again->procs[i].ns, m->procs[i].ns, sizeof(m->procs[i].ns)))
			abort();
	sched_sum_add(&sum, m);
	sched_sum_add(&sum, again);
	sched_sum_apply(&sum, m);
	sched_sum_clear(&sum);
	sched_model_free(again);
	sched_model_free(m);
	codec_out_free(&out);
	return 0;
}
