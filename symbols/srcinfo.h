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
 * The debug files srcinfo_at reads, opened by ktop (found under debug_root by build-id or
 * .gnu_debuglink) with only the sections names and lines need decompressed, so that they can
 * be closed when idle: a module whose DWARF lives in its own file, or whose debug file is not
 * found that way, is read through its Dwfl as before.
 */
struct srcinfo_cache;

/* A new cache looking for debug files under DEBUGINFO_ROOT. */
struct srcinfo_cache *srcinfo_cache_new(void);
void srcinfo_cache_free(struct srcinfo_cache *c);
/* Look for debug files not opened yet under dir (copied) from now on. */
void srcinfo_cache_set_debug_root(struct srcinfo_cache *c, const char *dir);

/*
 * Close the debug files not read for idle_ns or more (now_ns: CLOCK_MONOTONIC) and give the
 * memory back. How many were closed.
 */
size_t srcinfo_cache_release(struct srcinfo_cache *c, uint64_t now_ns, uint64_t idle_ns);
/* Debug files open now. */
size_t srcinfo_cache_open_files(const struct srcinfo_cache *c);

/*
 * The levels at pc in dwfl's modules, innermost first: each function inlined at pc with the
 * line executing in it, then the function that holds them with the line of the outermost
 * inlined call (or of pc). How many were written (at most max); 0 without debug information.
 * now_ns stamps the debug file read.
 */
size_t srcinfo_at(struct srcinfo_cache *c, struct Dwfl *dwfl, uint64_t pc, uint64_t now_ns,
		  struct srcinfo_level *out, size_t max);

#endif
