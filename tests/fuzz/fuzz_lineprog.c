// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF line programs as srcinfo.c runs them from a debug file's .debug_line: the input is
 * the section (and its string sections), read at offset 0 and at the unit after it, and asked
 * for the row of a few addresses.
 */
#include <stdlib.h>
#include <string.h>

#include "symbols/lineprog.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of its own size, so that a read past the end is caught. */
	uint8_t *sec = malloc(size ? size : 1);
	struct lineprog_sections s;
	struct lineprog lp;
	uint64_t file, off = 0;
	uint32_t line;

	memcpy(sec, data, size);
	s = (struct lineprog_sections){ sec, size, sec, size, sec, size };
	lineprog_init(&lp);
	for (int unit = 0; unit < 2 && !lineprog_read(&lp, &s, off); unit++) {
		static const uint64_t addrs[] = { 0, 0x1000, 0x1008, 0x401000, UINT64_MAX };

		for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
			if (lineprog_find(&lp, addrs[i], &file, &line) && lineprog_file(&lp, file))
				(void)strlen(lineprog_file(&lp, file));
		}
		off = (uint64_t)(lp.end - sec);
	}
	lineprog_fini(&lp);
	free(sec);
	return 0;
}
