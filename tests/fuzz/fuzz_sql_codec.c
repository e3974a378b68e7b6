// SPDX-License-Identifier: GPL-2.0
/*
 * A libFuzzer target for the Slow queries model's decoder (a recording's model section): a
 * model it accepts is put together with itself as a replay's range is, drawn into the figures
 * the panel reads, and encoded again, and that encoding decodes to the same queries and digest;
 * nothing may crash, leak or read out of bounds (configure CC=clang --enable-fuzzing).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sql_codec.h"
#include "collectors/sql_range.h"
#include "tests/fuzz/fuzz.h"

/* The model encoded and decoded again: the same queries and digest rows. */
static void again_same(const struct sql_model *m)
{
	struct stack_codec *c = stack_codec_new();
	struct codec_out out = { 0 };
	struct sql_model *again;
	char why[256];

	sql_model_encode(c, m, &out);
	if (sql_model_decode(out.data, out.len, &again, why, sizeof(why)) ||
	    again->ndigests != m->ndigests || again->nservers != m->nservers)
		abort();
	for (size_t i = 0; i < m->ndigests; i++)
		if (strcmp(again->digests[i].fingerprint, m->digests[i].fingerprint) ||
		    again->digests[i].count != m->digests[i].count)
			abort();
	sql_model_free(again);
	stack_codec_free(c);
	codec_out_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sql_model *m, *before;
	char buf[64], why[256];

	if (sql_model_decode(data, size, &m, why, sizeof(why)))
		return 0;
	for (size_t i = 0; i < m->nqueries; i++)
		sql_waits_summary(&m->queries[i].waits, buf, sizeof(buf));
	again_same(m);
	/* a range: the model's queries taken by a copy of it, the digest less itself */
	if (!sql_model_decode(data, size, &before, why, sizeof(why))) {
		sql_range_take(m, before);
		sql_range_digest_since(m, before);
		sql_model_free(before);
	}
	sql_model_free(m);
	return 0;
}
