// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF unwinding of copied user stacks with libdw. Each process gets one Dwfl, made at its
 * first sample: its executable file mappings are reported as modules (opened through
 * /proc/PID/map_files, the load bias worked out from the PT_LOAD segments), and a thread
 * state is attached whose callbacks read registers and memory from the sample in hand, never
 * from the process. libdw caches each module's CFI, so later samples only walk frames.
 */
#include "symbols/unwind.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "symbols/procmaps.h"
#include "symbols/srcinfo.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define UNWIND_PROCS_MAX   32  /* processes with modules loaded; the least recent goes first */
#define UNWIND_RELOAD_SECS 2.0 /* a stack into an unknown address reloads maps this often */

/* One process's modules and thread state. */
struct unwind_proc {
	uint32_t pid;
	Dwfl *dwfl;	  /* NULL: the slot is free */
	double loaded_at; /* monotonic seconds */
	uint64_t used;	  /* the cache's clock at the last sample */
	bool attached;	  /* dwfl_attach_state succeeded */
};

struct unwind_cache {
	struct unwind_proc procs[UNWIND_PROCS_MAX];
	uint64_t clock;
	struct unwind_stats stats;
	/* The sample being unwound and what the walk found; read by the libdw callbacks. */
	const struct unwind_sample *cur;
	uint64_t *pcs;
	size_t npcs;
	size_t max;
	bool ran_past_copy;
	bool full;
};

static const Dwfl_Callbacks unwind_dwfl_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

bool unwind_supported(void)
{
#if defined(__x86_64__)
	return true;
#else
	return false;
#endif
}

struct unwind_cache *unwind_cache_new(void)
{
	elf_version(EV_CURRENT);
	return xcalloc(1, sizeof(struct unwind_cache));
}

/* Free a process's Dwfl and the files it holds. */
static void unwind_proc_drop(struct unwind_proc *p)
{
	if (p->dwfl)
		dwfl_end(p->dwfl);
	memset(p, 0, sizeof(*p));
}

void unwind_cache_free(struct unwind_cache *uc)
{
	if (!uc)
		return;
	for (size_t i = 0; i < UNWIND_PROCS_MAX; i++)
		unwind_proc_drop(&uc->procs[i]);
	free(uc);
}

void unwind_forget(struct unwind_cache *uc, uint32_t pid)
{
	for (size_t i = 0; i < UNWIND_PROCS_MAX; i++)
		if (uc->procs[i].dwfl && uc->procs[i].pid == pid)
			unwind_proc_drop(&uc->procs[i]);
}

void unwind_cache_stats(const struct unwind_cache *uc, struct unwind_stats *out)
{
	*out = uc->stats;
	out->processes = 0;
	for (size_t i = 0; i < UNWIND_PROCS_MAX; i++)
		out->processes += uc->procs[i].dwfl != NULL;
}

/* libdw asks for threads to walk one by one; every sample names its own, so there are none. */
static pid_t unwind_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)arg;
	(void)thread_argp;
	return 0;
}

/* The thread of the sample in hand: any tid asked for is that one. */
static bool unwind_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)tid;
	*thread_argp = arg;
	return true;
}

/* Read a word of the copied stack; anything outside the copy is unknown. */
static bool unwind_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct unwind_cache *uc = arg;
	const struct unwind_sample *s = uc->cur;
	uint64_t end = s->stack_base + s->stack_len;

	(void)dwfl;
	for (size_t i = 0; i < s->nfix; i++) {
		if (s->fix_addr[i] == addr) {
			*result = s->fix_value[i];
			return true;
		}
	}
	if (addr < s->stack_base || addr > end - sizeof(*result)) {
		/* Just above the copy, where the stack went on: the copy was too short. */
		if (s->stack_cut && addr >= end - sizeof(*result))
			uc->ran_past_copy = true;
		return false;
	}
	memcpy(result, s->stack + (addr - s->stack_base), sizeof(*result));
	return true;
}

/* The registers the sample was taken with. */
static bool unwind_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct unwind_cache *uc = arg;
	Dwarf_Word regs[UNWIND_NREGS];

	for (size_t i = 0; i < UNWIND_NREGS; i++)
		regs[i] = uc->cur->regs[i];
	return dwfl_thread_state_registers(thread, 0, UNWIND_NREGS, regs);
}

static const Dwfl_Thread_Callbacks unwind_thread_callbacks = {
	.next_thread = unwind_next_thread,
	.get_thread = unwind_get_thread,
	.memory_read = unwind_memory_read,
	.set_initial_registers = unwind_set_initial_registers,
};

/*
 * Where the file of mapping e is loaded: the bias added to its virtual addresses, found from
 * the PT_LOAD segment that the mapping holds. False when the file is no ELF or no segment fits.
 */
static bool unwind_file_bias(int fd, const struct procmaps_entry *e, GElf_Addr *bias)
{
	GElf_Ehdr eh;
	size_t nph;
	bool found = false;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);

	if (!elf)
		return false;
	if (!gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &nph))
		goto out;
	if (eh.e_type == ET_EXEC) {
		*bias = 0;
		found = true;
		goto out;
	}
	for (size_t i = 0; i < nph && !found; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (ph.p_offset < e->offset || ph.p_offset >= e->offset + (e->end - e->start))
			continue;
		*bias = e->start + ph.p_offset - e->offset - ph.p_vaddr;
		found = true;
	}
out:
	elf_end(elf);
	return found;
}

/* Whether mapping i repeats the file of an earlier one (a file is reported once). */
static bool unwind_file_seen(const struct procmaps_entry *v, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (v[j].kind == PROCMAPS_FILE && v[j].dev == v[i].dev && v[j].inode == v[i].inode)
			return true;
	return false;
}

/* Report pid's executable files to dwfl as modules. 0, or -errno with why. */
static int unwind_report(Dwfl *dwfl, uint32_t pid, char *why, size_t why_len)
{
	struct procmaps_entry *v;
	size_t n, reported = 0;
	int err;

	err = procmaps_read(pid, &v, &n, why, why_len);
	if (err)
		return err;
	dwfl_report_begin(dwfl);
	for (size_t i = 0; i < n; i++) {
		const struct procmaps_entry *e = &v[i];
		GElf_Addr bias;
		const char *base;
		char fwhy[128];
		int fd;

		if (e->kind != PROCMAPS_FILE || unwind_file_seen(v, i))
			continue;
		fd = procmaps_open(pid, e, fwhy, sizeof(fwhy));
		if (fd < 0)
			continue;
		if (!unwind_file_bias(fd, e, &bias)) {
			close(fd);
			continue;
		}
		base = strrchr(e->path, '/');
		/* On success the fd belongs to libdw. */
		if (dwfl_report_elf(dwfl, base ? base + 1 : e->path, e->path, fd, bias, false))
			reported++;
		else
			close(fd);
	}
	dwfl_report_end(dwfl, NULL, NULL);
	procmaps_free(v, n);
	if (!reported) {
		snprintf(why, why_len, "no unwindable files mapped by %u", pid);
		return -ENOENT;
	}
	return 0;
}

/* The slot for pid: its own, a free one, or the least recently used. */
static struct unwind_proc *unwind_slot(struct unwind_cache *uc, uint32_t pid)
{
	struct unwind_proc *lru = &uc->procs[0];

	for (size_t i = 0; i < UNWIND_PROCS_MAX; i++) {
		struct unwind_proc *p = &uc->procs[i];

		if (p->dwfl && p->pid == pid)
			return p;
	}
	for (size_t i = 0; i < UNWIND_PROCS_MAX; i++) {
		struct unwind_proc *p = &uc->procs[i];

		if (!p->dwfl)
			return p;
		if (p->used < lru->used)
			lru = p;
	}
	unwind_proc_drop(lru);
	return lru;
}

/* pid's loaded modules and thread state, made now if need be; NULL with why. */
static struct unwind_proc *unwind_proc_get(struct unwind_cache *uc, uint32_t pid, char *why,
					   size_t why_len)
{
	struct unwind_proc *p = unwind_slot(uc, pid);

	p->used = ++uc->clock;
	if (p->dwfl)
		return p;
	p->pid = pid;
	p->dwfl = dwfl_begin(&unwind_dwfl_callbacks);
	if (!p->dwfl) {
		snprintf(why, why_len, "libdw: %s", dwfl_errmsg(-1));
		return NULL;
	}
	p->loaded_at = clock_seconds(CLOCK_MONOTONIC);
	if (unwind_report(p->dwfl, pid, why, why_len)) {
		unwind_proc_drop(p);
		return NULL;
	}
	if (!dwfl_attach_state(p->dwfl, NULL, (pid_t)pid, &unwind_thread_callbacks, uc)) {
		snprintf(why, why_len, "libdw: %s", dwfl_errmsg(-1));
		unwind_proc_drop(p);
		return NULL;
	}
	p->attached = true;
	return p;
}

/* One frame of the walk: its pc, made the address of the call for a return address. */
static int unwind_frame(Dwfl_Frame *state, void *arg)
{
	struct unwind_cache *uc = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (uc->npcs == uc->max) {
		uc->full = true;
		return DWARF_CB_ABORT;
	}
	uc->pcs[uc->npcs++] = activation ? pc : pc - 1;
	return DWARF_CB_OK;
}

/* Walk the frames of s with p's modules. */
static int unwind_walk(struct unwind_cache *uc, struct unwind_proc *p,
		       const struct unwind_sample *s)
{
	uc->npcs = 0;
	uc->ran_past_copy = false;
	uc->full = false;
	return dwfl_getthread_frames(p->dwfl, (pid_t)s->tid, unwind_frame, uc);
}

/* Whether the walk stopped at an address no module covers, as after a dlopen since loading. */
static bool unwind_stopped_outside(struct unwind_cache *uc, struct unwind_proc *p)
{
	uint64_t pc = uc->npcs ? uc->pcs[uc->npcs - 1] : uc->cur->regs[UNWIND_NREGS - 1];

	return !dwfl_addrmodule(p->dwfl, pc) &&
	       clock_seconds(CLOCK_MONOTONIC) - p->loaded_at >= UNWIND_RELOAD_SECS;
}

size_t unwind_stack(struct unwind_cache *uc, const struct unwind_sample *s, uint64_t *pcs,
		    size_t max, enum unwind_end *end, char *why, size_t why_len)
{
	struct unwind_proc *p;
	int rc;

	uc->stats.samples++;
	*end = UNWIND_END_ERROR;
	if (!unwind_supported()) {
		snprintf(why, why_len, "DWARF unwinding is not built for this architecture");
		return 0;
	}
	p = unwind_proc_get(uc, s->pid, why, why_len);
	if (!p)
		return 0;
	uc->cur = s;
	uc->pcs = pcs;
	uc->max = max;
	rc = unwind_walk(uc, p, s);
	if (rc && !uc->full && !uc->ran_past_copy && unwind_stopped_outside(uc, p)) {
		/* New code was mapped since the modules were loaded: load them again, once. */
		unwind_proc_drop(p);
		p = unwind_proc_get(uc, s->pid, why, why_len);
		if (!p)
			return 0;
		rc = unwind_walk(uc, p, s);
	}
	uc->stats.frames += uc->npcs;
	if (uc->full)
		*end = UNWIND_END_DEPTH;
	else if (uc->ran_past_copy)
		*end = UNWIND_END_CUT;
	else if (!rc)
		*end = UNWIND_END_OUTERMOST;
	else
		snprintf(why, why_len, "%s", dwfl_errmsg(-1));
	if (*end == UNWIND_END_ERROR && uc->npcs > 1)
		uc->stats.errors++;
	uc->cur = NULL;
	return uc->npcs;
}

size_t unwind_source(struct unwind_cache *uc, uint32_t pid, uint64_t pc, struct srcinfo_level *out,
		     size_t max)
{
	struct unwind_proc *p;
	char why[128];

	p = unwind_proc_get(uc, pid, why, sizeof(why));
	return p ? srcinfo_at(p->dwfl, pc, out, max) : 0;
}
