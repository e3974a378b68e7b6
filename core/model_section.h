/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The panels a recording holds as models (RECORD_SECTION_MODEL) beside their exports, so a
 * replay redraws the live panel, its tree to expand and search, instead of recorded text. Today
 * the Off-CPU, Stacks, Slow queries, Trace, Overview and Block I/O panels; the others replay
 * their text.
 */
#ifndef KTOP_MODEL_SECTION_H
#define KTOP_MODEL_SECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/model_codec.h"
#include "record/record_frame.h"
#include "record/record_reader.h"

struct stack_codec;

/* What the encoding keeps from one interval to the next: its tables and its buffer. */
struct model_section_enc {
	struct stack_codec *stacks;
	struct codec_out buf;
};

void model_section_enc_free(struct model_section_enc *e);
/* Whether the panel called name is recorded as a model. */
bool model_section_has_codec(const char *name);
/*
 * The model of panel name (a snapshot of its collector; NULL: none yet) as a model section of f;
 * 0 (nothing added for a panel without a codec or a model), or -errno.
 */
int model_section_add(struct model_section_enc *e, struct record_frame *f, const char *name,
		      const void *model);
/*
 * The model of panel name in the sections raw (len bytes): 1 with *model (free it with
 * model_section_free), 0 when the interval holds none, or -errno with why (a damaged or
 * newer section).
 */
int model_section_load(const uint8_t *raw, size_t len, const char *name, void **model,
		       char *why, size_t why_len);
/*
 * The model of panel name in interval i of the recording r, decoded (free it with
 * model_section_free); NULL with why when the interval cannot be read or holds none.
 */
void *model_section_read(struct record_reader *r, size_t i, const char *name, char *why,
			 size_t why_len);
/* Free a model model_section_load made for panel name. */
void model_section_free(const char *name, void *model);
/*
 * Whether the folded lines a batch recording (the interval shown) would hold for panel name are
 * written again from its model section, byte for byte, so the recording keeps the model only.
 */
bool model_section_has_folded(const char *name);
/*
 * The folded lines of panel name's model in the sections raw (len bytes) to out: 1 when
 * written, 0 when the interval holds no model, or -errno with why.
 */
int model_section_write_folded(const uint8_t *raw, size_t len, const char *name, FILE *out,
			       char *why, size_t why_len);

#endif
