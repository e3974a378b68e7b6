/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parts several models' binary forms share, on top of collectors/model_codec.h: a text field
 * of a fixed size (cut to it when written; longer is damage when read, and text that is not
 * clean UTF-8 is escaped as live text is) and a log2 histogram (collectors/hist.h).
 *
 *   field: varint length, bytes (no NUL)
 *   hist:  varint nslots (up to the last non-empty slot), nslots varints, varint count, sum
 */
#ifndef KTOP_CODEC_FIELDS_H
#define KTOP_CODEC_FIELDS_H

#include <stddef.h>

#include "collectors/hist.h"
#include "collectors/model_codec.h"

/* s (NUL-terminated, or size bytes) cut to a field of size bytes. */
void codec_put_field(struct codec_out *out, const char *s, size_t size);
/* A field of size bytes into dst; the cursor turns bad when it is longer. */
void codec_get_field(struct codec_in *in, char *dst, size_t size);
void codec_put_hist(struct codec_out *out, const struct hist *h);
/* A histogram into h; the cursor turns bad on more slots than HIST_SLOTS. */
void codec_get_hist(struct codec_in *in, struct hist *h);

#endif
