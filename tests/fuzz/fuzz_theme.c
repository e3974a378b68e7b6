// SPDX-License-Identifier: GPL-2.0
/* Theme files (--theme PATH, KTOP_THEME_DIR): any text parses or is refused with a reason. */
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"
#include "themes/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct theme t;
	char why[256];

	if (theme_parse(&t, "fuzz", text, why, sizeof(why)) && !why[0])
		abort(); /* a refusal always says why */
	free(text);
	return 0;
}
