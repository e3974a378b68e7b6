/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks every model codec's test makes of its decoder (include after cmocka.h): every cut of
 * an encoding is refused with a reason, so is a byte added at the end, and so is a newer
 * version. decode wraps the codec's decoder: it returns its result and frees what it made.
 */
#ifndef KTOP_TEST_CODEC_TEST_H
#define KTOP_TEST_CODEC_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/model_codec.h"

typedef int (*codec_test_decode)(const void *data, size_t len, char *why, size_t why_len);

/* Every cut of out (an encoding) refused with a reason; out with a byte added, "left over". */
static inline void codec_test_cuts(struct codec_out *out, codec_test_decode decode)
{
	char why[256];

	for (size_t n = 0; n < out->len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, out->data, n);
		why[0] = '\0';
		assert_int_equal(decode(copy, n, why, sizeof(why)), -EBADMSG);
		assert_true(why[0] != '\0');
		free(copy);
	}
	codec_put_bytes(out, "x", 1);
	assert_int_equal(decode(out->data, out->len, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "left over"));
}

/* A model of version (one past the codec's) refused, naming the version. */
static inline void codec_test_newer(uint64_t version, codec_test_decode decode)
{
	struct codec_out out = { 0 };
	char why[256];

	codec_put_varint(&out, version);
	codec_put_bytes(&out, "whatever comes next", 19);
	assert_int_equal(decode(out.data, out.len, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "version"));
	codec_out_free(&out);
}

#endif
