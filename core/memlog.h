/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A debug line of ktop's memory every minute of ticks, to $KTOP_LOG only: resident size, the
 * heap (in use, free, mapped) and the shared symbol cache's and unwinder's sizes, so a soak's
 * growth can be put on a cache, a model or fragmentation.
 */
#ifndef KTOP_CORE_MEMLOG_H
#define KTOP_CORE_MEMLOG_H

#include <stdint.h>

struct sym_cache;
struct unwind_cache;

/* Log the line when the log is open and tick is a multiple of every (0: never). */
void memlog_tick(uint64_t tick, uint64_t every, const struct sym_cache *sc,
		 const struct unwind_cache *uc);

#endif
