/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Source lines and inlined calls at an address, from a module's DWARF debug information
 * (libdw): what a frame was doing in the source, where the symbol table only names its
 * function.
 */
#ifndef KTOP_SYMBOLS_SRCINFO_H
#define KTOP_SYMBOLS_SRCINFO_H

#include <stddef.h>
#include <stdint.h>

struct Dwfl;

#define SRCINFO_FILE_LEN 64
#define SRCINFO_NAME_LEN 96

/* One level at an address: a function inlined there, or (last) the function that holds it. */
struct srcinfo_level {
	char inlined[SRCINFO_NAME_LEN]; /* the inlined function's name; "" for the last level */
	char file[SRCINFO_FILE_LEN];	/* the source file's base name, "" when unknown */
	uint32_t line;			/* 0 when unknown */
};

/*
 * The levels at pc in dwfl's modules, innermost first: each function inlined at pc with the
 * line executing in it, then the function that holds them with the line of the outermost
 * inlined call (or of pc). How many were written (at most max); 0 without debug information.
 */
size_t srcinfo_at(struct Dwfl *dwfl, uint64_t pc, struct srcinfo_level *out, size_t max);

#endif
