/* SPDX-License-Identifier: GPL-2.0 */
/* The message of a trace event: the probe's format filled with the values the kernel sent. */
#ifndef KTOP_TRACE_FORMAT_H
#define KTOP_TRACE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/trace_spec.h"

/* One argument's value as the kernel sent it. */
struct trace_value {
	uint64_t raw;	 /* the integer; a string's address (0 for one in a tracepoint record) */
	const char *str; /* a string's bytes, not NUL-terminated; NULL for an integer */
	size_t str_len;
	bool truncated;	 /* the string was cut at the limit */
	bool unreadable; /* the kernel could not read the value */
};

/*
 * Write the message of an event of probe s into buf (always NUL-terminated): its format with
 * each conversion replaced by its value, strings and the format's own text escaped (see
 * util/escape.h), a cut string ending in "...", an unreadable value shown as "?" (a string:
 * "(null)" for a NULL pointer, else "(unreadable)"). A probe without a format gives "".
 * Returns the length written.
 */
size_t trace_format_message(const struct trace_spec *s, const struct trace_value *vals,
			    size_t nvals, char *buf, size_t len);

#endif
