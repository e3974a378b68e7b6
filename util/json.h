/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON writer: commas, nesting and string escaping handled for the caller. */
#ifndef KTOP_JSON_H
#define KTOP_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_out {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json_out *j, FILE *f);
void json_object_begin(struct json_out *j);
void json_object_end(struct json_out *j);
void json_array_begin(struct json_out *j);
void json_array_end(struct json_out *j);
/* The key of the next value in the current object. */
void json_key(struct json_out *j, const char *key);
/*
 * A string value. s is text as ktop's models hold it, escaped by util/escape.h ("\\xNN",
 * "\\\\"): the JSON carries the bytes it stands for, with JSON's own escapes (controls as
 * \\uXXXX); bytes that are not valid UTF-8 become U+FFFD.
 */
void json_str(struct json_out *j, const char *s);
void json_u64(struct json_out *j, uint64_t v);
void json_i64(struct json_out *j, int64_t v);
/* A number with this many decimals; NaN and infinities become null. */
void json_double(struct json_out *j, double v, int decimals);
void json_bool(struct json_out *j, bool v);
void json_null(struct json_out *j);
/* key + value in one call. */
void json_kv_str(struct json_out *j, const char *key, const char *s);
void json_kv_u64(struct json_out *j, const char *key, uint64_t v);
void json_kv_double(struct json_out *j, const char *key, double v, int decimals);
void json_kv_bool(struct json_out *j, const char *key, bool v);

#endif
