// SPDX-License-Identifier: GPL-2.0
#include "core/memlog.h"

#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <unistd.h>

#include "core/log.h"
#include "symbols/symbols.h"
#include "symbols/unwind.h"

/* Resident KiB of this process from /proc/self/statm, 0 if unreadable. */
static uint64_t memlog_rss_kib(void)
{
	unsigned long long size, resident;
	FILE *f = fopen("/proc/self/statm", "re");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	return n == 2 ? resident * (uint64_t)sysconf(_SC_PAGESIZE) / 1024 : 0;
}

void memlog_tick(uint64_t tick, uint64_t every, const struct sym_cache *sc,
		 const struct unwind_cache *uc)
{
	struct mallinfo2 mi;
	struct unwind_stats us = { 0 };
	struct sym_stats ss = { 0 };
	size_t src = 0;

	if (!every || tick % every || !log_enabled())
		return;
	mi = mallinfo2();
	if (sc)
		sym_cache_stats(sc, &ss);
	if (uc) {
		unwind_cache_stats(uc, &us);
		src = unwind_source_files(uc);
	}
	log_msg("memory: tick %" PRIu64 ", rss %" PRIu64 " KiB; heap %zu KiB in use, %zu KiB free "
		"(%zu KiB releasable at the top), %zu KiB in %zu mmaps; symbols: %" PRIu64
		" processes (%" PRIu64 " exited forgotten), %" PRIu64 " files parsed of %" PRIu64
		" (%" PRIu64 " forgotten), %" PRIu64 " addresses, %" PRIu64
		" bytes of names; unwinder: %" PRIu64 " layouts, %zu debug files open",
		tick, memlog_rss_kib(), mi.uordblks / 1024, mi.fordblks / 1024, mi.keepcost / 1024,
		mi.hblkhd / 1024, mi.hblks, ss.processes, ss.processes_released, ss.files,
		ss.files_kept, ss.files_released, ss.addresses, ss.arena_bytes,
		us.layouts, src);
}
