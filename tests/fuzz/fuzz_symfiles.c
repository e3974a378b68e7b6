// SPDX-License-Identifier: GPL-2.0
/*
 * The symbol text files ktop reads: a kallsyms file and a JIT's perf map (/tmp/perf-PID.map,
 * written by any user's program). The first input byte says which. Every name a perf map
 * lookup returns is printable (any user writes those files); kallsyms names come from the
 * kernel and are taken as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/ksyms.h"
#include "symbols/perfmap.h"
#include "tests/fuzz/fuzz.h"
#include "util/escape.h"

/* Abort unless name is safe to print as it is. */
static void check_name(const char *name)
{
	if (!escape_is_clean(name, strlen(name)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t probes[] = { 0, 1, 0x1000, 0xffffffff81000000ull, ~0ull };
	const char *name, *module, *path;
	uint64_t start;
	char why[256];

	if (!size)
		return 0;
	path = fuzz_file(data + 1, size - 1);
	if (!path)
		return 0;
	if (data[0] & 1) {
		struct ksyms *ks;

		if (!ksyms_load(&ks, path, why, sizeof(why))) {
			for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
				ksyms_lookup(ks, probes[i], &name, &module, &start);
			ksyms_free(ks);
		}
	} else {
		struct perfmap *pm;

		if (!perfmap_load(&pm, path, getuid(), why, sizeof(why))) {
			for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
				if (perfmap_lookup(pm, probes[i], &name, &start))
					check_name(name);
			perfmap_free(pm);
		}
	}
	return 0;
}
