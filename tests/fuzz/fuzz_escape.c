// SPDX-License-Identifier: GPL-2.0
/*
 * Escaping of text from traced processes, as properties: what escape_text writes is valid
 * UTF-8 holding no code point unsafe on a terminal, it fits its buffer, and when nothing was
 * cut, escape_undo gives back the input byte for byte.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "util/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size * 4 + 8, n, small;
	char *out = malloc(cap), *back = malloc(cap);
	char tiny[16];

	if (!out || !back)
		abort();
	n = escape_text(out, cap, (const char *)data, size);
	if (n >= cap || strlen(out) != n || !escape_is_clean(out, n))
		abort();
	if (escape_undo(back, out, n) != size || memcmp(back, data, size))
		abort();
	small = escape_text(tiny, sizeof(tiny), (const char *)data, size);
	if (small >= sizeof(tiny) || !escape_is_clean(tiny, small))
		abort();
	n = escape_cstr(out, cap, (const char *)data, size);
	if (n >= cap || !escape_is_clean(out, n))
		abort();
	free(out);
	free(back);
	return 0;
}
