/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An append-only string arena with interning: every string added stays at the same address
 * until the arena is freed, and equal strings share one copy, so the names a stack panel keeps
 * cost their bytes once however often they are resolved.
 */
#ifndef KTOP_SYMBOLS_ARENA_H
#define KTOP_SYMBOLS_ARENA_H

#include <stddef.h>

struct sym_arena;

struct sym_arena *sym_arena_new(void);
void sym_arena_free(struct sym_arena *a);

/* The arena's copy of the len bytes at s (NUL-terminated); equal strings get the same copy. */
const char *sym_arena_intern(struct sym_arena *a, const char *s, size_t len);
/* sym_arena_intern for a NUL-terminated string. */
const char *sym_arena_intern_str(struct sym_arena *a, const char *s);

/* Bytes of strings kept, terminators included. */
size_t sym_arena_bytes(const struct sym_arena *a);
/* Distinct strings kept. */
size_t sym_arena_count(const struct sym_arena *a);

#endif
