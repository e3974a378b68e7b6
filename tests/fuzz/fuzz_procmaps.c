// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/maps text, a line at a time, as the symbolizer reads it for every process. */
#include <stdlib.h>
#include <string.h>

#include "symbols/procmaps.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);

	for (char *line = text, *next; line; line = next) {
		struct procmaps_entry e;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (int only_exec = 0; only_exec < 2; only_exec++) {
			if (!procmaps_parse_line(line, only_exec, &e))
				continue;
			if (e.end < e.start)
				abort();
			free(e.path);
		}
	}
	free(text);
	return 0;
}
