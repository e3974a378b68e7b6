// SPDX-License-Identifier: GPL-2.0
/*
 * Trace probe specs (--trace, the a prompt) and tracepoint format files: the input is a spec,
 * a NUL, and a format file's text. What parses is bound, and its message formatted with
 * values of every kind, as the Trace collector does with what the kernel sends.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "bpf/trace.h"
#include "collectors/trace_format.h"
#include "collectors/trace_spec.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace_tp_format fmt;
	struct trace_value vals[TRACE_SPEC_ARGS];
	struct trace_probe_desc desc;
	struct trace_spec spec;
	char *text, *format;
	char why[256], msg[1024];
	bool have_fmt;

	fuzz_split(data, size, &text, &format);
	have_fmt = !trace_tp_format_parse(format, &fmt, why, sizeof(why));
	if (!trace_spec_parse(text, &spec, why, sizeof(why))) {
		if (have_fmt)
			trace_spec_bind(&spec, &fmt, -1, 1, &desc, why, sizeof(why));
		trace_spec_bind(&spec, NULL, 3, 1, &desc, why, sizeof(why));
		for (size_t i = 0; i < TRACE_SPEC_ARGS; i++) {
			vals[i] = (struct trace_value){
				.raw = (uint64_t)-1 - i,
				.str = i % 2 ? format : NULL,
				.str_len = i % 2 ? strlen(format) : 0,
				.truncated = i == 3,
				.unreadable = i == 5,
			};
		}
		trace_format_message(&spec, vals, TRACE_SPEC_ARGS, msg, sizeof(msg));
		trace_format_message(&spec, vals, 1, msg, 8);
	}
	free(text);
	free(format);
	return 0;
}
