// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF unwinding of a copied user stack, as ktop does for every sample of a process built
 * without frame pointers: registers, a stack copy and the ELF file the process maps, all from
 * the input (fuzz_unwind.h). The ELF is written to a new file and mapped into this process,
 * so the unwinder finds it in /proc/self/maps like any traced process's file and reads its
 * .eh_frame and .debug_frame (CFI) as they come; its pointers into the copy are the input's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symbols/unwind.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_unwind.h"

#define FUZZ_UNWIND_MAX_STACK  (64 * 1024)
#define FUZZ_UNWIND_MAX_FRAMES 128

_Static_assert(FUZZ_UNWIND_NREGS == UNWIND_NREGS, "the seed's registers are the unwinder's");

static struct unwind_cache *uc; /* kept: as in ktop, layouts are cached between samples */

/* Move a word that points into the seed's image to where the image is mapped now. */
static uint64_t fuzz_unwind_rebase(uint64_t w, uint64_t map, size_t len)
{
	if (w >= FUZZ_UNWIND_IMAGE && w - FUZZ_UNWIND_IMAGE < len)
		return map + (w - FUZZ_UNWIND_IMAGE);
	return w;
}

/* The ELF as a new file (a new inode: nothing cached of an earlier input applies), mapped. */
static void *fuzz_unwind_map(const uint8_t *elf, size_t len, char *path, size_t path_len)
{
	void *map;
	int fd;

	snprintf(path, path_len, "/tmp/ktop-fuzz-unwind-%d.XXXXXX", (int)getpid());
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, elf, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return NULL;
	}
	map = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		unlink(path);
		return NULL;
	}
	return map;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_unwind_head h;
	struct unwind_sample s = { 0 };
	uint64_t regs[UNWIND_NREGS], pcs[FUZZ_UNWIND_MAX_FRAMES];
	enum unwind_end end;
	char why[256], path[64];
	const uint8_t *elf;
	uint8_t *stack;
	size_t elf_len, n;
	void *map;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	data += sizeof(h);
	size -= sizeof(h);
	if (h.stack_len > size || h.stack_len > FUZZ_UNWIND_MAX_STACK)
		return 0;
	elf = data + h.stack_len;
	elf_len = size - h.stack_len;
	if (!elf_len)
		return 0;
	map = fuzz_unwind_map(elf, elf_len, path, sizeof(path));
	if (!map)
		return 0;
	stack = malloc(h.stack_len + 8);
	for (size_t i = 0; i + 8 <= h.stack_len; i += 8) {
		uint64_t w;

		memcpy(&w, data + i, 8);
		w = fuzz_unwind_rebase(w, (uint64_t)map, elf_len);
		memcpy(stack + i, &w, 8);
	}
	memcpy(stack + (h.stack_len & ~7u), data + (h.stack_len & ~7u), h.stack_len & 7u);
	for (size_t i = 0; i < UNWIND_NREGS; i++)
		regs[i] = fuzz_unwind_rebase(h.regs[i], (uint64_t)map, elf_len);
	if (!uc)
		uc = unwind_cache_new(NULL);
	unwind_forget(uc, (uint32_t)getpid()); /* the maps changed: a new file is mapped */
	s.pid = (uint32_t)getpid();
	s.tid = s.pid;
	s.regs = regs;
	s.stack_base = h.stack_base;
	s.stack = stack;
	s.stack_len = h.stack_len;
	s.stack_cut = h.flags & 1;
	n = unwind_stack(uc, &s, pcs, FUZZ_UNWIND_MAX_FRAMES, &end, why, sizeof(why));
	if (n > FUZZ_UNWIND_MAX_FRAMES || (unsigned)end > UNWIND_END_ERROR)
		abort();
	if (end == UNWIND_END_ERROR && !memchr(why, '\0', sizeof(why)))
		abort();
	if (getenv("FUZZ_UNWIND_SHOW")) { /* to check a seed: its frames, as image offsets */
		fprintf(stderr, "%zu frames, end %d%s%s:", n, (int)end, end ? ", " : "",
			end ? why : "");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %#llx", (unsigned long long)(pcs[i] - (uint64_t)map));
		fputc('\n', stderr);
	}
	free(stack);
	munmap(map, elf_len);
	unlink(path);
	return 0;
}
