/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The byte level of the models' binary form (a recording's model sections): unsigned LEB128
 * varints, fixed little-endian words and length-prefixed strings, written into a growing
 * buffer and read back through a bounds-checked cursor that turns bad after the first read
 * past its end (later reads give zeros), so a decoder checks once, at the end of a part.
 */
#ifndef KTOP_MODEL_CODEC_H
#define KTOP_MODEL_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing output buffer; owns data. */
struct codec_out {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* A cursor over len bytes (borrowed). */
struct codec_in {
	const uint8_t *data;
	size_t len;
	size_t pos;
	bool bad; /* a read ran past the end or a varint was too long */
};

/* Empty the buffer, keeping its memory. */
void codec_out_clear(struct codec_out *o);
void codec_out_free(struct codec_out *o);
void codec_put_bytes(struct codec_out *o, const void *p, size_t n);
void codec_put_varint(struct codec_out *o, uint64_t v);
void codec_put_u64(struct codec_out *o, uint64_t v);
void codec_put_double(struct codec_out *o, double v);
/* A string: its length as a varint, then its bytes (no NUL). */
void codec_put_str(struct codec_out *o, const char *s);

void codec_in_init(struct codec_in *in, const void *data, size_t len);
/*
 * Start reading a model's encoding: its version into *version; -EPROTO, with why naming what
 * (the model), when it is newer than max, which this ktop reads.
 */
int codec_in_begin(struct codec_in *in, const void *data, size_t len, uint64_t max,
		   const char *what, uint64_t *version, char *why, size_t why_len);
uint64_t codec_get_varint(struct codec_in *in);
uint64_t codec_get_u64(struct codec_in *in);
double codec_get_double(struct codec_in *in);
uint8_t codec_get_u8(struct codec_in *in);
/* n bytes in place (NULL, and the cursor bad, when fewer are left). */
const uint8_t *codec_get_bytes(struct codec_in *in, size_t n);
/* Bytes not read yet. */
size_t codec_in_left(const struct codec_in *in);

/* Checked reads: each turns the cursor bad on what a writer never makes. */
/* A byte that is 0 or 1. */
bool codec_get_flag(struct codec_in *in);
/* A varint that fits 32 bits. */
uint32_t codec_get_u32(struct codec_in *in);
/* A finite double. */
double codec_get_finite(struct codec_in *in);
/* A count of at most max items of at least min bytes each that the bytes left can hold. */
size_t codec_get_count(struct codec_in *in, size_t min, size_t max);

#endif
