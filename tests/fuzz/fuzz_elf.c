// SPDX-License-Identifier: GPL-2.0
/*
 * ELF files that traced processes map (any user's binary): symbol tables, PT_LOAD segments,
 * the build-id note and .gnu_debuglink, read and then used as the symbolizer uses them, and
 * every name demangled.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libelf.h>

#include "symbols/demangle.h"
#include "symbols/elf.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* libelf wants its version set once, as the symbolizer does at start. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	elf_version(EV_CURRENT);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_elf *e;
	char why[256], name[512];
	uint64_t vaddr;
	uint32_t crc;
	size_t n, len;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	if (!sym_elf_open(&e, fd, why, sizeof(why))) {
		n = sym_elf_count(e);
		for (size_t i = 0; i < n && i < 64; i++) {
			uint64_t start = sym_elf_start(e, (long)i);
			long at = sym_elf_find(e, start);

			if (at >= 0)
				sym_demangle(sym_elf_name(e, at), name, sizeof(name));
		}
		sym_elf_find(e, 0);
		sym_elf_find(e, ~0ull);
		sym_elf_build_id(e, &len);
		if (len > SYM_ELF_BUILD_ID_MAX)
			abort();
		sym_elf_debuglink(e, &crc);
		sym_elf_offset_to_vaddr(e, 0x1000, &vaddr);
		sym_elf_free(e);
	}
	close(fd);
	return 0;
}
