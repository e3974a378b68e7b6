// SPDX-License-Identifier: GPL-2.0
/*
 * Makes a seed of fuzz_unwind from this box (x86_64): a call chain of three functions built
 * without frame pointers, whose innermost takes its registers and copies 4 KiB of its stack;
 * addresses into this program's image are moved to FUZZ_UNWIND_IMAGE, and the program's own
 * ELF file follows. Not built by make; to remake tests/fuzz/corpus/unwind/chain-O1:
 *   cc -O1 -g -fomit-frame-pointer -fasynchronous-unwind-tables -I. \
 *      -o /tmp/unwind_seed tests/fuzz/unwind_seed.c && /tmp/unwind_seed >SEED
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_unwind.h"

#define SEED_STACK 4096

static struct fuzz_unwind_head head;
static unsigned char copy[SEED_STACK];

/* Where this program's image starts (its mapping at offset 0) and its file's size. */
static int image_of(unsigned long *base, long *len, char *path, size_t path_len)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], exe[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	unsigned long start, off;
	int found = 0;

	if (!f || n <= 0)
		return -1;
	exe[n] = '\0';
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%*x %*s %lx", &start, &off) == 2 && !off && strstr(line, exe))
			found = 1;
	fclose(f);
	f = fopen(exe, "r");
	if (!found || !f)
		return -1;
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	fclose(f);
	*base = start;
	snprintf(path, path_len, "%s", exe);
	return 0;
}

/* The innermost function: what BPF does at a sample. */
__attribute__((noinline)) static int leaf(int x)
{
	static const int order[FUZZ_UNWIND_NREGS] = {
		REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI, REG_RBP, REG_RSP, REG_R8,
		REG_R9,	 REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP,
	};
	ucontext_t uc;

	getcontext(&uc);
	for (int i = 0; i < FUZZ_UNWIND_NREGS; i++)
		head.regs[i] = (uint64_t)uc.uc_mcontext.gregs[order[i]];
	head.stack_base = head.regs[7];
	head.stack_len = SEED_STACK;
	memcpy(copy, (void *)head.stack_base, SEED_STACK);
	return x + 1;
}

__attribute__((noinline)) static int middle(int x)
{
	volatile int pad[7] = { x };

	return leaf(pad[0] * 3) + pad[6];
}

__attribute__((noinline)) static int outer(int x)
{
	volatile long pad[3] = { x };

	return middle((int)pad[0] + 1) + (int)pad[2];
}

int main(void)
{
	unsigned long base;
	long len;
	char path[256];
	FILE *f;
	int c;

	if (outer(1) < 0 || image_of(&base, &len, path, sizeof(path)))
		return 1;
	for (int i = 0; i < FUZZ_UNWIND_NREGS; i++)
		if (head.regs[i] >= base && head.regs[i] < base + (unsigned long)len)
			head.regs[i] = head.regs[i] - base + FUZZ_UNWIND_IMAGE;
	for (size_t i = 0; i + 8 <= SEED_STACK; i += 8) {
		uint64_t w;

		memcpy(&w, copy + i, 8);
		if (w >= base && w < base + (unsigned long)len)
			w = w - base + FUZZ_UNWIND_IMAGE;
		memcpy(copy + i, &w, 8);
	}
	fwrite(&head, sizeof(head), 1, stdout);
	fwrite(copy, SEED_STACK, 1, stdout);
	f = fopen(path, "r");
	if (!f)
		return 1;
	while ((c = getc(f)) != EOF)
		putchar(c);
	fclose(f);
	return 0;
}
