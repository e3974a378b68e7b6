// SPDX-License-Identifier: GPL-2.0
/*
 * Query text from a database server's memory: fingerprinting (the digest's key) and redaction
 * (--redact), into buffers of the sizes ktop uses and into tiny ones. A fingerprint is never
 * longer than its buffer and always NUL-terminated.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "util/fingerprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 1, 2, 7, 64, 1024, 4096 };
	char *sql = fuzz_cstr(data, size);
	char out[4096];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = fingerprint_sql(sql, out, sizes[i]);

		if (n >= sizes[i] || strlen(out) != n)
			abort();
		n = fingerprint_redact(sql, out, sizes[i]);
		if (n >= sizes[i] || strlen(out) != n)
			abort();
	}
	free(sql);
	return 0;
}
