// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF unwinding of copied user stacks with libdw. Each address-space layout (the executable
 * file mappings of a process, which the children a server forks share) gets one Dwfl, made at
 * the first sample of a process that has it: its mappings come from the symbol cache (one
 * reading of /proc/PID/maps serves names and unwinding), its files are reported as modules
 * (opened through /proc/PID/map_files, the load bias worked out from the PT_LOAD segments),
 * and a thread state is attached whose callbacks read registers and memory from the sample in
 * hand, never from a process. libdw caches each module's CFI, so later samples only walk
 * frames, and a new backend of a server costs one read of its maps.
 */
#include "symbols/unwind.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <signal.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "symbols/procmaps.h"
#include "symbols/srcinfo.h"
#include "symbols/symbols.h"
#include "util/pid_marks.h"
#include "util/xalloc.h"

#define UNWIND_LAYOUTS_MAX 32	/* layouts with modules loaded; the least recent goes first */
#define UNWIND_PIDS_MAX	   1024 /* processes whose layout is remembered */
#define UNWIND_RELOAD_NS   2000000000ULL /* a walk into unknown code rereads maps this often */

/* The modules and thread state of one layout of executable mappings. */
struct unwind_layout {
	uint64_t sig;  /* of the mappings (unwind_layout_sig) */
	Dwfl *dwfl;    /* NULL: the slot is free */
	uint64_t used; /* the cache's clock at the last sample */
};

/* Which layout a process has. */
struct unwind_pid {
	uint32_t pid; /* 0: the slot is free */
	uint64_t sig;
	uint64_t used;
	uint64_t gen; /* the symbol cache's reading of its maps that sig is of */
};

struct unwind_cache {
	struct sym_cache *sc;	     /* where processes' maps are read and kept */
	struct sym_cache *own_sc;    /* when none was lent */
	struct srcinfo_cache *src;   /* debug files read for inlined calls and lines */
	struct procmaps_entry *maps; /* scratch for a process's mappings */
	size_t maps_cap;
	struct unwind_layout layouts[UNWIND_LAYOUTS_MAX];
	struct unwind_pid pids[UNWIND_PIDS_MAX];
	struct pid_marks pid_marks; /* of the pids ever kept: most forgotten ones never were */
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

struct unwind_cache *unwind_cache_new(struct sym_cache *sc)
{
	struct unwind_cache *uc;
	char why[256];

	elf_version(EV_CURRENT);
	uc = xcalloc(1, sizeof(*uc));
	uc->sc = sc;
	/* Fails only with a libelf too old for the libdw this is built with. */
	if (!sc && !sym_cache_new(&uc->own_sc, why, sizeof(why)))
		uc->sc = uc->own_sc;
	uc->src = srcinfo_cache_new();
	return uc;
}

/* Free a layout's Dwfl and the files it holds. */
static void unwind_layout_drop(struct unwind_layout *l)
{
	if (l->dwfl)
		dwfl_end(l->dwfl);
	memset(l, 0, sizeof(*l));
}

void unwind_cache_free(struct unwind_cache *uc)
{
	if (!uc)
		return;
	for (size_t i = 0; i < UNWIND_LAYOUTS_MAX; i++)
		unwind_layout_drop(&uc->layouts[i]);
	srcinfo_cache_free(uc->src);
	sym_cache_free(uc->own_sc);
	free(uc->maps);
	free(uc);
}

/* The remembered layout of pid, or NULL. */
static struct unwind_pid *unwind_pid_find(struct unwind_cache *uc, uint32_t pid)
{
	for (size_t i = 0; i < UNWIND_PIDS_MAX; i++)
		if (uc->pids[i].pid == pid)
			return &uc->pids[i];
	return NULL;
}

void unwind_forget(struct unwind_cache *uc, uint32_t pid)
{
	struct unwind_pid *p = pid_marks_may(&uc->pid_marks, pid) ? unwind_pid_find(uc, pid) : NULL;

	/* Its new layout is read at its next sample; others may still share the old one. */
	if (p)
		memset(p, 0, sizeof(*p));
	if (uc->sc)
		sym_process_forget(uc->sc, pid);
}

void unwind_cache_stats(const struct unwind_cache *uc, struct unwind_stats *out)
{
	*out = uc->stats;
	out->layouts = 0;
	for (size_t i = 0; i < UNWIND_LAYOUTS_MAX; i++)
		out->layouts += uc->layouts[i].dwfl != NULL;
}

/* CLOCK_MONOTONIC in nanoseconds. */
static uint64_t unwind_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
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
	uint64_t off = addr - s->stack_base; /* meaningful when addr >= stack_base */

	(void)dwfl;
	for (size_t i = 0; i < s->nfix; i++) {
		if (s->fix_addr[i] == addr) {
			*result = s->fix_value[i];
			return true;
		}
	}
	/*
	 * In offsets from the copy's start, so that no bound wraps: a copy shorter than a word
	 * (empty, when the stack pointer was not readable) at an address below 8, or ending past
	 * 2^64, is read nowhere (the registers and the stack pointer are the traced program's).
	 */
	if (addr < s->stack_base || s->stack_len < sizeof(*result) ||
	    off > s->stack_len - sizeof(*result)) {
		/* Above the copy's start and past its end: the copy was too short. */
		if (s->stack_cut && addr >= s->stack_base)
			uc->ran_past_copy = true;
		return false;
	}
	memcpy(result, s->stack + off, sizeof(*result));
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

/* Report the executable files of pid's mappings v to dwfl as modules. 0, or -errno with why. */
static int unwind_report(Dwfl *dwfl, uint32_t pid, const struct procmaps_entry *v, size_t n,
			 char *why, size_t why_len)
{
	size_t reported = 0;

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
	if (!reported) {
		snprintf(why, why_len, "no unwindable files mapped by %u", pid);
		return -ENOENT;
	}
	return 0;
}

/* A hash of the executable file mappings: processes forked without exec share it. */
static uint64_t unwind_layout_sig(const struct procmaps_entry *v, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		uint64_t words[5] = { v[i].start, v[i].end, v[i].offset, v[i].dev, v[i].inode };

		if (v[i].kind != PROCMAPS_FILE)
			continue;
		for (size_t w = 0; w < 5; w++) {
			h ^= words[w];
			h *= 0x100000001b3ULL;
		}
	}
	return h ? h : 1;
}

/* The loaded layout with this signature, or NULL. */
static struct unwind_layout *unwind_layout_find(struct unwind_cache *uc, uint64_t sig)
{
	for (size_t i = 0; i < UNWIND_LAYOUTS_MAX; i++)
		if (uc->layouts[i].dwfl && uc->layouts[i].sig == sig)
			return &uc->layouts[i];
	return NULL;
}

/* Whether process pid still exists (a zombie, not reaped yet, does). */
static bool unwind_pid_is_alive(uint32_t pid)
{
	return !kill((pid_t)pid, 0) || errno != ESRCH;
}

/*
 * Free the layouts no live process has (servers restarted, commands that ran once), and the
 * remembered processes that are gone: each holds its files' CFI and debug data (megabytes
 * for a server with debug information), which the least recently used order alone would keep
 * for as long as the cache has room. Run before a new layout is loaded, when memory grows.
 */
static void unwind_drop_gone(struct unwind_cache *uc)
{
	bool live[UNWIND_LAYOUTS_MAX] = { false };

	for (size_t i = 0; i < UNWIND_PIDS_MAX; i++) {
		struct unwind_pid *p = &uc->pids[i];

		if (!p->pid)
			continue;
		if (!unwind_pid_is_alive(p->pid)) {
			memset(p, 0, sizeof(*p));
			continue;
		}
		for (size_t l = 0; l < UNWIND_LAYOUTS_MAX; l++)
			if (uc->layouts[l].dwfl && uc->layouts[l].sig == p->sig)
				live[l] = true;
	}
	for (size_t l = 0; l < UNWIND_LAYOUTS_MAX; l++) {
		if (uc->layouts[l].dwfl && !live[l]) {
			unwind_layout_drop(&uc->layouts[l]);
			uc->stats.layouts_dropped++;
		}
	}
}

/* A free layout slot, or the least recently used one emptied. */
static struct unwind_layout *unwind_layout_slot(struct unwind_cache *uc)
{
	struct unwind_layout *lru = &uc->layouts[0];

	unwind_drop_gone(uc);

	for (size_t i = 0; i < UNWIND_LAYOUTS_MAX; i++) {
		if (!uc->layouts[i].dwfl)
			return &uc->layouts[i];
		if (uc->layouts[i].used < lru->used)
			lru = &uc->layouts[i];
	}
	unwind_layout_drop(lru);
	return lru;
}

/* Load the modules of pid's mappings v as a new layout with signature sig; NULL with why. */
static struct unwind_layout *unwind_layout_load(struct unwind_cache *uc, uint32_t pid,
						const struct procmaps_entry *v, size_t n,
						uint64_t sig, char *why, size_t why_len)
{
	struct unwind_layout *l = unwind_layout_slot(uc);

	l->dwfl = dwfl_begin(&unwind_dwfl_callbacks);
	if (!l->dwfl) {
		snprintf(why, why_len, "libdw: %s", dwfl_errmsg(-1));
		return NULL;
	}
	l->sig = sig;
	if (unwind_report(l->dwfl, pid, v, n, why, why_len)) {
		unwind_layout_drop(l);
		return NULL;
	}
	/* The pid is only a name here: the callbacks read the sample, whichever process it is. */
	if (!dwfl_attach_state(l->dwfl, NULL, (pid_t)pid, &unwind_thread_callbacks, uc)) {
		snprintf(why, why_len, "libdw: %s", dwfl_errmsg(-1));
		unwind_layout_drop(l);
		return NULL;
	}
	return l;
}

/* Remember that pid has layout sig, of reading gen, in place of the least recently used. */
static void unwind_pid_keep(struct unwind_cache *uc, uint32_t pid, uint64_t sig, uint64_t gen)
{
	struct unwind_pid *p = unwind_pid_find(uc, pid);

	if (!p) {
		/* A free slot (used 0) or else the least recently used one. */
		p = &uc->pids[0];
		for (size_t i = 1; i < UNWIND_PIDS_MAX && p->pid; i++)
			if (uc->pids[i].used < p->used || !uc->pids[i].pid)
				p = &uc->pids[i];
	}
	*p = (struct unwind_pid){
		.pid = pid,
		.sig = sig,
		.used = uc->clock,
		.gen = gen,
	};
	pid_marks_add(&uc->pid_marks, pid);
}

/*
 * The layout of pid's n mappings in uc->maps (the symbol cache's reading gen), with signature
 * sig, its modules loaded if need be; NULL with why.
 */
static struct unwind_layout *unwind_layout_of(struct unwind_cache *uc, uint32_t pid, size_t n,
					      uint64_t sig, uint64_t gen, char *why, size_t why_len)
{
	struct unwind_layout *l = unwind_layout_find(uc, sig);

	if (!l)
		l = unwind_layout_load(uc, pid, uc->maps, n, sig, why, why_len);
	if (!l)
		return NULL;
	unwind_pid_keep(uc, pid, sig, gen);
	l->used = uc->clock;
	return l;
}

/* The loaded layout of pid, from the maps the symbol cache holds if need be; NULL with why. */
static struct unwind_layout *unwind_layout_get(struct unwind_cache *uc, uint32_t pid, char *why,
					       size_t why_len)
{
	struct unwind_pid *known = unwind_pid_find(uc, pid);
	struct unwind_layout *l = known ? unwind_layout_find(uc, known->sig) : NULL;
	uint64_t gen;
	int n;

	uc->clock++;
	if (l) {
		known->used = l->used = uc->clock;
		return l;
	}
	if (!uc->sc) {
		snprintf(why, why_len, "no symbol cache to read the maps of %u", pid);
		return NULL;
	}
	n = sym_process_maps(uc->sc, pid, 0, &uc->maps, &uc->maps_cap, &gen, why, why_len);
	if (n < 0)
		return NULL;
	return unwind_layout_of(uc, pid, (size_t)n, unwind_layout_sig(uc->maps, (size_t)n), gen,
				why, why_len);
}

/*
 * After a walk stopped outside every module: pid's layout from its maps read again (at most
 * every UNWIND_RELOAD_NS) or read by the symbol cache since, or NULL when they are the same.
 */
static struct unwind_layout *unwind_layout_reload(struct unwind_cache *uc, uint32_t pid)
{
	struct unwind_pid *known = unwind_pid_find(uc, pid);
	uint64_t gen = known ? known->gen : 0;
	char why[256];
	uint64_t sig;
	int n;

	if (!known || !uc->sc)
		return NULL;
	n = sym_process_maps(uc->sc, pid, UNWIND_RELOAD_NS, &uc->maps, &uc->maps_cap, &gen, why,
			     sizeof(why));
	if (n < 0 || gen == known->gen)
		return NULL;
	sig = unwind_layout_sig(uc->maps, (size_t)n);
	if (sig == known->sig) {
		known->gen = gen;
		return NULL;
	}
	return unwind_layout_of(uc, pid, (size_t)n, sig, gen, why, sizeof(why));
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

/* Walk the frames of s with l's modules. */
static int unwind_walk(struct unwind_cache *uc, struct unwind_layout *l,
		       const struct unwind_sample *s)
{
	uc->npcs = 0;
	uc->ran_past_copy = false;
	uc->full = false;
	return dwfl_getthread_frames(l->dwfl, (pid_t)s->tid, unwind_frame, uc);
}

/* Whether the walk stopped at an address no module covers, as after a dlopen. */
static bool unwind_stopped_outside(struct unwind_cache *uc, struct unwind_layout *l)
{
	uint64_t pc = uc->npcs ? uc->pcs[uc->npcs - 1] : uc->cur->regs[UNWIND_NREGS - 1];

	return !dwfl_addrmodule(l->dwfl, pc);
}

size_t unwind_stack(struct unwind_cache *uc, const struct unwind_sample *s, uint64_t *pcs,
		    size_t max, enum unwind_end *end, char *why, size_t why_len)
{
	struct unwind_layout *l;
	int rc;

	uc->stats.samples++;
	*end = UNWIND_END_ERROR;
	if (!unwind_supported()) {
		snprintf(why, why_len, "DWARF unwinding is not built for this architecture");
		return 0;
	}
	l = unwind_layout_get(uc, s->pid, why, why_len);
	if (!l)
		return 0;
	uc->cur = s;
	uc->pcs = pcs;
	uc->max = max;
	rc = unwind_walk(uc, l, s);
	if (rc && !uc->full && !uc->ran_past_copy && unwind_stopped_outside(uc, l)) {
		/* Code mapped since the maps were read: walk again with newer maps, once. */
		struct unwind_layout *newer = unwind_layout_reload(uc, s->pid);

		if (newer)
			rc = unwind_walk(uc, newer, s);
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
	struct unwind_layout *l;
	char why[128];

	l = unwind_layout_get(uc, pid, why, sizeof(why));
	if (l && uc->sc)
		srcinfo_cache_set_debug_root(uc->src, sym_cache_debug_root(uc->sc));
	return l ? srcinfo_at(uc->src, l->dwfl, pc, unwind_now_ns(), out, max) : 0;
}

void unwind_release(struct unwind_cache *uc, uint64_t idle_ns)
{
	srcinfo_cache_release(uc->src, unwind_now_ns(), idle_ns);
}

size_t unwind_source_files(const struct unwind_cache *uc)
{
	return srcinfo_cache_open_files(uc->src);
}
