// SPDX-License-Identifier: GPL-2.0
/*
 * The command line (ktop runs through sudo for people allowed only that): the input, cut at
 * NUL bytes, is argv. Every refusal says why in one line.
 */
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char *argv[FUZZ_ARGS + 2] = { "ktop" };
	struct options o;
	char why[256] = "";
	int argc = 1;

	for (size_t i = 0; i < size && argc <= FUZZ_ARGS; argc++) {
		argv[argc] = text + i;
		i += strlen(text + i) + 1;
	}
	argv[argc] = NULL;
	if (options_parse(&o, argc, argv, why, sizeof(why)) && (!why[0] || strchr(why, '\n')))
		abort();
	free(text);
	return 0;
}
