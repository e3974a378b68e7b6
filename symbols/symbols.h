/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The symbolizer: kernel and user addresses to function names, shared by every stack panel.
 * It knows nothing of BPF or the screen. Names it returns live as long as the cache (an
 * append-only string arena), so models can keep them across refreshes and pauses.
 */
#ifndef KTOP_SYMBOLS_H
#define KTOP_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sym_kind {
	SYM_KERNEL,  /* a kernel function (module in sym_frame.module, "" for vmlinux) */
	SYM_USER,    /* a user-space function */
	SYM_UNKNOWN, /* could not be named: name says why, e.g. "[unknown: libx.so has no symbols]" */
};

struct sym_frame {
	const char *name;   /* demangled function name, or the reason it has none */
	const char *module; /* kernel module, or the file's base name for user frames */
	uint64_t offset;    /* address - symbol start (0 when unknown) */
	enum sym_kind kind;
};

struct sym_stats {
	uint64_t processes;     /* processes whose maps are cached */
	uint64_t maps_reads;    /* times a process's maps were read, for names and unwinding */
	uint64_t files;         /* ELF files parsed and kept */
	uint64_t parses;        /* ELF files parsed since the cache was made */
	uint64_t addresses;     /* resolved addresses cached */
	uint64_t lookups;       /* sym_user/sym_kernel calls */
	uint64_t misses;        /* of those, not in the address cache */
	uint64_t arena_bytes;   /* bytes of names kept */
	uint64_t files_kept;    /* files known, parsed or not (unmapped ones stay while used) */
	uint64_t files_released;     /* files no process mapped, freed after an idle period */
	uint64_t processes_released; /* exited processes forgotten after an idle period */
};

struct sym_cache;

/*
 * A new symbolizer; /proc/kallsyms is loaded on the first kernel lookup. 0 or -errno with
 * why. The caller frees it with sym_cache_free.
 */
int sym_cache_new(struct sym_cache **out, char *why, size_t why_len);
void sym_cache_free(struct sym_cache *sc);

/* Name a kernel address. Never fails: unknown addresses get a SYM_UNKNOWN frame. */
void sym_kernel(struct sym_cache *sc, uint64_t addr, struct sym_frame *out);

/*
 * Name a user address of process pid (a tgid). The process's maps are read on first use and
 * cached, so a process that has exited since its maps were noted still resolves. Never
 * fails: what cannot be named gets a SYM_UNKNOWN frame saying why.
 */
void sym_user(struct sym_cache *sc, uint32_t pid, uint64_t addr, struct sym_frame *out);

/*
 * Note a process now: read /proc/PID/maps and open its mapped files (through
 * /proc/PID/map_files, so deleted binaries and containers work) so it can be symbolized
 * after it exits. Called when a new process shows up in collected data. 0 or -errno.
 */
int sym_process_note(struct sym_cache *sc, uint32_t pid);

/* The file mapped at a user address, as a profile's Mapping names it. */
struct sym_mapping {
	uint64_t start;	      /* of the executable mapping that holds the address */
	uint64_t end;	      /* exclusive */
	uint64_t offset;      /* the file offset mapped at start */
	const char *path;     /* the file's path in the process ("[vdso]" for the vDSO) */
	const char *build_id; /* the ELF build-id note in hex, "" when it has none */
};

/*
 * The mapping of pid that holds addr, from the cached maps (read now if the process has none
 * cached): false when no file or vDSO is mapped there. Its texts last as long as the cache.
 */
bool sym_user_mapping(struct sym_cache *sc, uint32_t pid, uint64_t addr, struct sym_mapping *out);

/* The process exec'd or its maps changed: read them again at the next use. */
void sym_process_forget(struct sym_cache *sc, uint32_t pid);

/*
 * The process's last thread exited: its cached maps still name its stacks, but are not read
 * again; sym_cache_release forgets it once idle without asking the kernel, and a note of a new
 * process of that PID reads the maps afresh.
 */
void sym_process_exited(struct sym_cache *sc, uint32_t pid);

void sym_cache_stats(const struct sym_cache *sc, struct sym_stats *out);

/*
 * Forget what no lookup used for idle_ns (timed from the calls that saw it used last: call it
 * regularly, e.g. once an interval): processes that have exited, and then the files that no
 * process left maps, with their symbols. Live processes and their files stay (a sleeper's
 * stack is named when it wakes), and so does a file while processes that map it come and go
 * (fork/exec churn parses a binary once). Heap pages freed are given back. How many processes
 * and files were forgotten.
 */
size_t sym_cache_release(struct sym_cache *sc, uint64_t now_ns, uint64_t idle_ns);

/* How long a process or file may go unused before sym_cache_release forgets it. */
#define SYM_IDLE_NS 60000000000ULL

struct procmaps_entry;
/*
 * The executable mappings of pid as the cache holds them, for the DWARF unwinder: the
 * process's maps are read once for both. Read now when the cache has none (or only a failed
 * reading), or again when they were last read max_age_ns ago or more (0: any age will do); a
 * reading that fails keeps the last one, so an exited process keeps its maps. Written in address order to *v (grown
 * as needed, *cap entries); the paths belong to the cache and last until the next call on
 * sc. *gen changes whenever the maps were read again. How many, or -errno with why.
 */
int sym_process_maps(struct sym_cache *sc, uint32_t pid, uint64_t max_age_ns,
		     struct procmaps_entry **v, size_t *cap, uint64_t *gen, char *why,
		     size_t why_len);

/*
 * Look for debug files under dir instead of /usr/lib/debug: dir/.build-id/xx/rest.debug and
 * dir/<file's directory>/<debuglink> (tests use their own directory). Affects files parsed
 * after the call.
 */
void sym_cache_set_debug_root(struct sym_cache *sc, const char *dir);

/* Where debug files are looked for (DEBUGINFO_ROOT unless set); it lasts as long as sc. */
const char *sym_cache_debug_root(const struct sym_cache *sc);

/* Read kernel symbols from path instead of /proc/kallsyms; call before the first sym_kernel. */
void sym_cache_set_kallsyms(struct sym_cache *sc, const char *path);

#endif
