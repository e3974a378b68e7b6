/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel text symbols from /proc/kallsyms: read once, sorted by address, found by binary
 * search. Only text symbols (t, T, w, W) are names; other symbols bound the one before them.
 */
#ifndef KTOP_SYMBOLS_KSYMS_H
#define KTOP_SYMBOLS_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksyms;

/*
 * Read a kallsyms file (path, normally "/proc/kallsyms"). 0 or -errno with why; a file whose
 * addresses are all zero (kptr_restrict, no privilege) is -EPERM.
 */
int ksyms_load(struct ksyms **out, const char *path, char *why, size_t why_len);
void ksyms_free(struct ksyms *ks);

/*
 * The text symbol holding addr: its name, its module ("" for vmlinux) and start address.
 * False below the first symbol, in a gap after a non-text symbol, or past the last one.
 * The strings live as long as ks.
 */
bool ksyms_lookup(const struct ksyms *ks, uint64_t addr, const char **name, const char **module,
		  uint64_t *start);

/* Text symbols kept. */
size_t ksyms_count(const struct ksyms *ks);
/* Bytes the table holds: its sorted array and its names. */
size_t ksyms_bytes(const struct ksyms *ks);

#endif
