/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Block I/O model in binary, as a recording's model section holds it: a version, the
 * threshold and filter, then the interval's span (every disk's histograms and counters per
 * operation, the submitting processes). The cumulative span is not written: a replay adds
 * the intervals up over the range it shows (collectors/bio_sum.h).
 *
 *   varint version (BIO_CODEC_VERSION), varint flags (1: PID filtered), varint slow_us,
 *   varint polls, f64 seconds, varint unknown_submitter,
 *   varint ndisks, then each: varint dev, field name, u8 gone, then for each operation
 *     (BIO_OP_COUNT): hist lat_device, lat_total, size, varint ios, bytes, slow
 *   varint nprocs, then each: varint pid, dev, field comm, varint ios, bytes, lat_us_sum
 *
 * Fields and histograms as collectors/codec_fields.h writes them. A reader refuses a version
 * it does not know (the replay then shows the recorded text).
 */
#ifndef KTOP_BIO_CODEC_H
#define KTOP_BIO_CODEC_H

#include <stddef.h>

#include "collectors/bio_model.h"
#include "collectors/model_codec.h"

#define BIO_CODEC_VERSION 1

/* Append the binary form of m (its interval) to out. */
void bio_model_encode(const struct bio_model *m, struct codec_out *out);
/*
 * A model read from len bytes of data (its cumulative span empty); free it with
 * bio_model_free. 0, -EPROTO (a newer version) or -EBADMSG, with why.
 */
int bio_model_decode(const void *data, size_t len, struct bio_model **out, char *why,
		     size_t why_len);

#endif
