/* SPDX-License-Identifier: GPL-2.0 */
/* The input of fuzz_unwind, shared with the program that makes its seeds (unwind_seed.c). */
#ifndef KTOP_FUZZ_UNWIND_H
#define KTOP_FUZZ_UNWIND_H

#include <stdint.h>

/*
 * Where a seed's image lay: words of the registers and the stack copy in [FUZZ_UNWIND_IMAGE,
 * FUZZ_UNWIND_IMAGE + the ELF's size) point into the ELF, and are moved to where the target
 * maps it.
 */
#define FUZZ_UNWIND_IMAGE 0x400000000000ull
#define FUZZ_UNWIND_NREGS 17 /* x86_64 DWARF: rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip */

/* The input: this head, stack_len bytes of stack copy, then the ELF file to the end. */
struct fuzz_unwind_head {
	uint64_t regs[FUZZ_UNWIND_NREGS];
	uint64_t stack_base; /* the user address of the copy's first byte */
	uint32_t stack_len;
	uint32_t flags; /* bit 0: the copy was cut at its size limit */
};

#endif
