// SPDX-License-Identifier: GPL-2.0
/*
 * A libFuzzer target for the Block I/O model's decoder (a recording's "bio" model section): a
 * model it accepts is added into a range's sum twice, its percentiles estimated, and encoded
 * again, and that encoding decodes to the same disks and processes; nothing may crash, leak
 * or read out of bounds (configure CC=clang --enable-fuzzing; test.sh's fuzz tier runs it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/bio_codec.h"
#include "collectors/bio_sum.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bio_model *m, *again;
	struct codec_out out = { 0 };
	struct bio_span sum = { 0 };
	struct bio_stats all;
	char why[256];

	if (bio_model_decode(data, size, &m, why, sizeof(why)))
		return 0;
	bio_model_encode(m, &out);
	if (bio_model_decode(out.data, out.len, &again, why, sizeof(why)) ||
	    again->interval.ndisks != m->interval.ndisks ||
	    again->interval.nprocs != m->interval.nprocs)
		abort();
	for (size_t i = 0; i < m->interval.ndisks; i++)
		if (memcmp(again->interval.disks[i].op, m->interval.disks[i].op,
			   sizeof(m->interval.disks[i].op)))
			abort();
	bio_span_add(&sum, &m->interval);
	bio_span_add(&sum, &again->interval);
	bio_span_sum(&sum, NULL, (1u << BIO_OP_COUNT) - 1, &all);
	hist_percentile(&all.lat_total, 99);
	hist_mean(&all.size);
	bio_span_clear(&sum);
	bio_model_free(again);
	bio_model_free(m);
	codec_out_free(&out);
	return 0;
}
