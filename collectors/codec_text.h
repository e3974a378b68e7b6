/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the list models' sections (collectors/sql_codec.h, trace_codec.h): strings that go
 * on screen, escaped as live text is when a file holds anything else, as bounded copies (fields
 * of a fixed size are collectors/codec_fields.h's; flags, 32-bit numbers and counts are
 * collectors/model_codec.h's checked reads).
 * It turns the cursor bad on what a writer never makes, so a decoder checks once.
 */
#ifndef KTOP_CODEC_TEXT_H
#define KTOP_CODEC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/codec_fields.h"
#include "collectors/model_codec.h"

#define CODEC_TEXT_MAX (1u << 20) /* a longer string in a model is damage */

/* A string of at most CODEC_TEXT_MAX bytes as an owned copy, escaped when it is not clean. */
char *codec_get_text(struct codec_in *in);

#endif
