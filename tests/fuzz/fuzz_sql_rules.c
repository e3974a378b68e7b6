// SPDX-License-Identifier: GPL-2.0
/*
 * Slow queries' rules files (the user's ~/.config/ktop/rules): any text parses into rules and
 * skipped lines, a skipped line always says where and why, and every rule names a class.
 */
#include <stdlib.h>

#include "collectors/sched_model.h"
#include "collectors/sql_rules.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct sql_rules rs = { 0 };

	sql_rules_parse(&rs, text, "fuzz.rules", "/fuzz.rules");
	if (rs.bad && !rs.warning[0])
		abort(); /* a skipped line always says where and why */
	for (size_t i = 0; i < rs.n; i++)
		if (rs.rules[i].cls < 0 || rs.rules[i].cls >= SCHED_NCLASSES || !rs.rules[i].frame[0])
			abort();
	sql_rules_clear(&rs);
	free(text);
	return 0;
}
