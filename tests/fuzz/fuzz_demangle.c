// SPDX-License-Identifier: GPL-2.0
/* Symbol names (C++, Rust, versioned) demangled into buffers large and tiny. */
#include <stdlib.h>
#include <string.h>

#include "symbols/demangle.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 1, 5, 64, 4096 };
	char *raw = fuzz_cstr(data, size);
	char out[4096];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sym_demangle(raw, out, sizes[i]);

		if (n >= sizes[i] || strlen(out) != n)
			abort();
	}
	free(raw);
	return 0;
}
