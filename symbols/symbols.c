// SPDX-License-Identifier: GPL-2.0
/*
 * The symbol cache. Processes (by pid) hold their executable mappings; mappings point to files
 * shared by (dev, inode), whose ELF symbols are read on the first lookup that needs them.
 * Named addresses are cached where their name comes from: a file's by file offset, shared by
 * every process that maps it (forks, libc), and the rest (JIT code, unreadable files, no
 * mapping) by address in their process. Every name lives in one interned arena.
 */
#include "symbols/symbols.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libelf.h>

#include "symbols/arena.h"
#include "symbols/debuginfo.h"
#include "symbols/demangle.h"
#include "symbols/elf.h"
#include "symbols/ksyms.h"
#include "symbols/perfmap.h"
#include "symbols/procmaps.h"
#include "util/escape.h"
#include "util/hash.h"
#include "util/htab.h"
#include "util/xalloc.h"

#define SYM_PROC_MAX	       4096	 /* processes kept; the least recently used goes first */
#define SYM_ADDR_MAX	       (1 << 20) /* named addresses kept, all tables together */
#define SYM_FD_MAX	       256	 /* files kept open until their first lookup */
#define SYM_NAME_MAX	       1024	 /* longest name kept (longer ones end in "...") */
#define SYM_MAPS_RECHECK_NS    5000000000ULL /* how often a miss may reread a process's maps */
#define SYM_PERFMAP_RECHECK_NS 1000000000ULL /* how often a miss may look at a perf map again */
#define SYM_FILE_BUCKETS       1024
#define SYM_TRIM_BYTES	       (1 << 20) /* symbols freed at once worth a malloc_trim */
#define SYM_PROC_BUCKETS       1024

/* A named address. */
struct addr_slot {
	uint64_t addr;
	struct sym_frame frame;
};

/* Named addresses (struct addr_slot) by address. */
struct addr_table {
	struct htab t;
};

/* A mapped ELF file, shared by every process that maps it. */
struct sym_file {
	struct sym_file *next; /* hash chain */
	uint64_t dev;
	uint64_t inode;
	unsigned int refs; /* mappings pointing here; at 0 it stays until idle (a churned binary) */
	uint64_t used_epoch; /* sc->epoch of its last lookup */
	uint64_t used_ns;    /* when sym_cache_release last saw it used */
	int fd;		   /* kept from noting to parsing; -1 after, or if over SYM_FD_MAX */
	uint32_t pid;	   /* the process it was found through: reopening, debuglink root */
	struct procmaps_entry where; /* its mapping there (where.path is the file's path) */
	const char *base;	     /* arena: the base name, the frames' module */
	bool parsed;
	struct sym_elf *elf;
	const char *error;	   /* arena: the frame name when the file cannot be used */
	const char *build_id;	   /* arena: hex, once asked for ("" when none) */
	const char *path_text;	   /* arena: where.path, once asked for */
	const char **names;	   /* arena: display names by symbol index, filled on use */
	struct addr_table offsets; /* named file offsets */
};

struct sym_map {
	uint64_t start;
	uint64_t end;
	uint64_t offset;
	enum procmaps_kind kind;
	bool deleted;	       /* the mapped file was deleted */
	struct sym_file *file; /* for PROCMAPS_FILE, NULL if it could not be opened */
	const char *error;     /* arena: why file is NULL */
	const char *base;      /* arena: the mapped file's base name, "" if anonymous */
};

struct sym_proc {
	struct sym_proc *next; /* hash chain */
	uint32_t pid;
	uint32_t nspid; /* its PID in its own namespace, and its owner: for the perf map */
	uid_t uid;
	bool status_due; /* nspid and uid not read yet: the perf map was never needed */
	bool exited;	 /* its last thread exited: its maps are not read again */
	int err;
	const char *error; /* arena: set when the maps could not be read */
	struct sym_map *maps;
	size_t nmaps;
	uint64_t maps_ns;	 /* when the maps were last read, or tried to be */
	uint64_t maps_gen;	 /* of that reading (sc->maps_gen) */
	size_t last_map;	 /* index of the mapping that held the last address (a hint) */
	struct addr_table addrs; /* named addresses that are not a readable file's */
	uint64_t used;		 /* sc->tick of the last lookup */
	uint64_t used_epoch;	 /* sc->epoch of the last lookup */
	uint64_t used_ns;	 /* when sym_cache_release last saw it used */
	struct perfmap *perfmap;
	int perfmap_err;
	uint64_t perfmap_ns; /* when the perf map was last looked for */
	char perfmap_path[32]; /* not in the arena: it would keep a string per process */
};

struct sym_cache {
	struct sym_arena *arena;
	char *debug_root;
	char *kallsyms_path;
	struct ksyms *ksyms;
	bool ksyms_tried;
	const char *ksyms_error;
	struct addr_table kaddrs;
	struct sym_file *files[SYM_FILE_BUCKETS];
	size_t nfiles;
	size_t nparsed;
	uint64_t parses; /* ELF files parsed, ever */
	size_t nfds;
	struct sym_proc *procs[SYM_PROC_BUCKETS];
	size_t nprocs;
	struct sym_proc *last_proc; /* the last one looked up: a stack's frames come in a row */
	size_t naddrs;
	uint64_t tick;
	uint64_t lookups;
	uint64_t misses;
	uint64_t maps_reads; /* procmaps_read calls */
	uint64_t maps_gen;   /* readings that succeeded */
	uint64_t epoch;	     /* sym_cache_release calls; lookups mark what they use */
	uint64_t files_released; /* files whose symbols an idle period freed */
	uint64_t procs_released; /* processes an idle period forgot */
};

/* Monotonic nanoseconds. */
static uint64_t sym_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The arena's escaped copy of a formatted string: reasons quote paths from processes. */
static const char *__attribute__((format(printf, 2, 3)))
sym_text(struct sym_cache *sc, const char *fmt, ...)
{
	char raw[SYM_NAME_MAX];
	char safe[SYM_NAME_MAX];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	n = escape_cstr(safe, sizeof(safe), raw, sizeof(raw));
	return sym_arena_intern(sc->arena, safe, n);
}

/* The display name of a raw ELF symbol name: demangled, escaped, interned. */
static const char *sym_display_name(struct sym_cache *sc, const char *raw)
{
	char plain[SYM_NAME_MAX * 4];
	char safe[SYM_NAME_MAX];
	size_t n;

	n = sym_demangle(raw, plain, sizeof(plain));
	n = escape_text(safe, sizeof(safe), plain, n);
	return sym_arena_intern(sc->arena, safe, n);
}

/* Fill an unknown frame. */
static void sym_unknown(struct sym_frame *out, const char *why, const char *module)
{
	*out = (struct sym_frame){
		.name = why, .module = module, .offset = 0, .kind = SYM_UNKNOWN
	};
}

static bool addr_slot_eq(const void *entry, const void *key)
{
	return ((const struct addr_slot *)entry)->addr == *(const uint64_t *)key;
}

/* The cached frame of addr, if any. */
static bool addr_table_find(const struct addr_table *t, uint64_t addr, struct sym_frame *out)
{
	const struct addr_slot *s =
		htab_find_as(&t->t, struct addr_slot, hash_mul64(addr), &addr, addr_slot_eq);

	if (s)
		*out = s->frame;
	return s;
}

/* Forget every address of a table (the names stay in the arena). */
static void addr_table_clear(struct sym_cache *sc, struct addr_table *t)
{
	sc->naddrs -= htab_len(&t->t);
	htab_fini(&t->t);
}

/* Empty every address table: the bound on cached addresses was reached. */
static void sym_flush_addresses(struct sym_cache *sc)
{
	addr_table_clear(sc, &sc->kaddrs);
	for (size_t b = 0; b < SYM_PROC_BUCKETS; b++)
		for (struct sym_proc *p = sc->procs[b]; p; p = p->next)
			addr_table_clear(sc, &p->addrs);
	for (size_t b = 0; b < SYM_FILE_BUCKETS; b++)
		for (struct sym_file *f = sc->files[b]; f; f = f->next)
			addr_table_clear(sc, &f->offsets);
}

/* Remember a resolved address (not kept yet). */
static void sym_remember(struct sym_cache *sc, struct addr_table *t, uint64_t addr,
			 const struct sym_frame *frame)
{
	if (sc->naddrs >= SYM_ADDR_MAX)
		sym_flush_addresses(sc);
	*(struct addr_slot *)htab_add(&t->t, hash_mul64(addr)) =
		(struct addr_slot){ .addr = addr, .frame = *frame };
	sc->naddrs++;
}

int sym_cache_new(struct sym_cache **out, char *why, size_t why_len)
{
	struct sym_cache *sc;

	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(why, why_len, "libelf is too old: %s", elf_errmsg(-1));
		return -ENOTSUP;
	}
	sc = xcalloc(1, sizeof(*sc));
	htab_init(&sc->kaddrs.t, sizeof(struct addr_slot), _Alignof(struct addr_slot));
	sc->arena = sym_arena_new();
	sc->debug_root = xstrdup(DEBUGINFO_ROOT);
	sc->kallsyms_path = xstrdup("/proc/kallsyms");
	*out = sc;
	return 0;
}

const char *sym_cache_debug_root(const struct sym_cache *sc)
{
	return sc->debug_root;
}

void sym_cache_set_debug_root(struct sym_cache *sc, const char *dir)
{
	free(sc->debug_root);
	sc->debug_root = xstrdup(dir);
}

void sym_cache_set_kallsyms(struct sym_cache *sc, const char *path)
{
	free(sc->kallsyms_path);
	sc->kallsyms_path = xstrdup(path);
}

/* Kernel side */

/* Name a kernel address from kallsyms, loading it on first use. */
static void sym_resolve_kernel(struct sym_cache *sc, uint64_t addr, struct sym_frame *out)
{
	const char *name;
	const char *module;
	uint64_t start;

	if (!sc->ksyms_tried) {
		char why[256];

		sc->ksyms_tried = true;
		if (ksyms_load(&sc->ksyms, sc->kallsyms_path, why, sizeof(why)))
			sc->ksyms_error = sym_text(sc, "[unknown: %s]", why);
	}
	if (!sc->ksyms) {
		sym_unknown(out, sc->ksyms_error, "");
		return;
	}
	if (!ksyms_lookup(sc->ksyms, addr, &name, &module, &start)) {
		sym_unknown(out, sym_text(sc, "[unknown: no kernel function at this address]"), "");
		return;
	}
	*out = (struct sym_frame){
		.name = name,
		.module = module,
		.offset = addr - start,
		.kind = SYM_KERNEL,
	};
}

void sym_kernel(struct sym_cache *sc, uint64_t addr, struct sym_frame *out)
{
	sc->lookups++;
	if (addr_table_find(&sc->kaddrs, addr, out))
		return;
	sc->misses++;
	sym_resolve_kernel(sc, addr, out);
	sym_remember(sc, &sc->kaddrs, addr, out);
}

/* Files */

/* The hash bucket of a (dev, inode) pair. */
static size_t sym_file_bucket(uint64_t dev, uint64_t inode)
{
	uint64_t h = (inode ^ (dev * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;

	return (size_t)(h >> 32) & (SYM_FILE_BUCKETS - 1);
}

/* The base name of a path, escaped, from the arena. */
static const char *sym_base_name(struct sym_cache *sc, const char *path)
{
	const char *slash = strrchr(path, '/');

	return sym_text(sc, "%s", slash ? slash + 1 : path);
}

/*
 * The shared file behind a file mapping of pid, opened now so it can be read after the
 * process exits. NULL with *error set when it cannot be opened.
 */
static struct sym_file *sym_file_get(struct sym_cache *sc, uint32_t pid,
				     const struct procmaps_entry *e, const char **error)
{
	size_t b = sym_file_bucket(e->dev, e->inode);
	struct sym_file *f;
	char why[256];
	int fd = -1;

	/* The path too: once a deleted file is closed everywhere, its inode number is reused. */
	for (f = sc->files[b]; f; f = f->next) {
		if (f->dev != e->dev || f->inode != e->inode || strcmp(f->where.path, e->path))
			continue;
		f->refs++;
		f->used_epoch = sc->epoch;
		if (!f->parsed && f->fd < 0) {
			/* Not opened yet: reopen it through the newest process that maps it. */
			f->pid = pid;
			f->where.start = e->start;
			f->where.end = e->end;
			f->where.deleted = e->deleted;
		}
		return f;
	}
	if (sc->nfds < SYM_FD_MAX) {
		fd = procmaps_open(pid, e, why, sizeof(why));
		if (fd < 0) {
			*error = sym_text(sc, "[unknown: %s: %s]", sym_base_name(sc, e->path), why);
			return NULL;
		}
		sc->nfds++;
	}
	f = xcalloc(1, sizeof(*f));
	htab_init(&f->offsets.t, sizeof(struct addr_slot), _Alignof(struct addr_slot));
	f->dev = e->dev;
	f->inode = e->inode;
	f->refs = 1;
	f->fd = fd;
	f->pid = pid;
	f->where = *e;
	f->where.path = xstrdup(e->path);
	f->base = sym_base_name(sc, e->path);
	f->next = sc->files[b];
	sc->files[b] = f;
	sc->nfiles++;
	return f;
}

/* Close a file's kept fd, if any. */
static void sym_file_close_fd(struct sym_cache *sc, struct sym_file *f)
{
	if (f->fd < 0)
		return;
	close(f->fd);
	f->fd = -1;
	sc->nfds--;
}

/* Unlink a file from the cache and free it. */
static void sym_file_free(struct sym_cache *sc, struct sym_file *f)
{
	struct sym_file **pp;

	for (pp = &sc->files[sym_file_bucket(f->dev, f->inode)]; *pp != f; pp = &(*pp)->next)
		;
	*pp = f->next;
	sc->nfiles--;
	if (f->parsed && f->elf)
		sc->nparsed--;
	sym_file_close_fd(sc, f);
	addr_table_clear(sc, &f->offsets);
	sym_elf_free(f->elf);
	free(f->names);
	free(f->where.path);
	free(f);
}

/*
 * Drop one reference. The file stays at none, parsed, until sym_cache_release finds it idle:
 * a binary started again and again (fork/exec churn) is parsed once, not at every start.
 */
static void sym_file_put(struct sym_cache *sc, struct sym_file *f)
{
	(void)sc;
	if (f)
		f->refs--;
}

/* Take the symbols of f's debug file if there is one with a full symbol table. */
static void sym_file_find_debug(struct sym_cache *sc, struct sym_file *f)
{
	struct debuginfo_query q = { .debug_root = sc->debug_root, .path = f->where.path };
	struct sym_elf *debug = NULL;
	const uint8_t *debug_id;
	size_t debug_id_len;
	char prefix[64];
	char found[4096];
	char why[256];
	int fd;

	snprintf(prefix, sizeof(prefix), "/proc/%" PRIu32 "/root", f->pid);
	q.prefix = prefix;
	q.build_id = sym_elf_build_id(f->elf, &q.build_id_len);
	if (!q.build_id_len)
		q.build_id = NULL;
	q.debuglink = sym_elf_debuglink(f->elf, &q.debuglink_crc);
	if (!q.build_id && !q.debuglink)
		return;
	fd = debuginfo_open(&q, found, sizeof(found));
	if (fd < 0)
		return;
	if (sym_elf_open(&debug, fd, why, sizeof(why)))
		goto out_close;
	debug_id = sym_elf_build_id(debug, &debug_id_len);
	/* A debug file of another build would name the wrong functions. */
	if (q.build_id && debug_id_len &&
	    (debug_id_len != q.build_id_len || memcmp(debug_id, q.build_id, debug_id_len)))
		goto out_free;
	if (sym_elf_table(debug) == SYM_ELF_SYMTAB)
		sym_elf_take_symbols(f->elf, debug);
out_free:
	sym_elf_free(debug);
out_close:
	close(fd);
}

/* Read f's symbols (and its debug file's) on first use; on failure f->error says why. */
static void sym_file_parse(struct sym_cache *sc, struct sym_file *f)
{
	char why[256];
	int fd = f->fd;
	int err;

	if (f->parsed)
		return;
	f->parsed = true;
	if (fd < 0) {
		fd = procmaps_open(f->pid, &f->where, why, sizeof(why));
		if (fd < 0) {
			f->error = sym_text(sc, "[unknown: %s: %s]", f->base, why);
			return;
		}
	}
	err = sym_elf_open(&f->elf, fd, why, sizeof(why));
	if (fd == f->fd)
		sym_file_close_fd(sc, f);
	else
		close(fd);
	if (err) {
		f->error = sym_text(sc, "[unknown: %s: %s]", f->base, why);
		return;
	}
	sc->nparsed++;
	sc->parses++;
	if (sym_elf_table(f->elf) != SYM_ELF_SYMTAB)
		sym_file_find_debug(sc, f);
	if (sym_elf_table(f->elf) == SYM_ELF_NONE) {
		f->error = sym_text(sc, "[unknown: %s has no symbols]", f->base);
		return;
	}
	f->names = xcalloc(sym_elf_count(f->elf), sizeof(*f->names));
}

/* Name an offset in a parsed file that has symbols. */
static void sym_resolve_file(struct sym_cache *sc, struct sym_file *f, uint64_t file_offset,
			     struct sym_frame *out)
{
	uint64_t vaddr;
	long idx;

	if (!sym_elf_offset_to_vaddr(f->elf, file_offset, &vaddr)) {
		sym_unknown(out, sym_text(sc, "[unknown: %s maps no code here]", f->base), f->base);
		return;
	}
	idx = sym_elf_find(f->elf, vaddr);
	if (idx < 0) {
		if (sym_elf_table(f->elf) == SYM_ELF_DYNSYM)
			sym_unknown(out,
				    sym_text(sc, "[unknown: %s is stripped and has no debug file]",
					     f->base),
				    f->base);
		else
			sym_unknown(out, sym_text(sc, "[unknown: no symbol here in %s]", f->base),
				    f->base);
		return;
	}
	if (!f->names[idx])
		f->names[idx] = sym_display_name(sc, sym_elf_name(f->elf, idx));
	*out = (struct sym_frame){
		.name = f->names[idx],
		.module = f->base,
		.offset = vaddr - sym_elf_start(f->elf, idx),
		.kind = SYM_USER,
	};
}

/* Processes */

/* Release a process's mappings and their files. */
static void sym_proc_clear_maps(struct sym_cache *sc, struct sym_proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		sym_file_put(sc, p->maps[i].file);
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
}

/*
 * Read p's maps and open their files: the one place a process's maps are read, for names and
 * for unwinding. 0, or -errno (then the maps held stay).
 */
static int sym_proc_read_maps(struct sym_cache *sc, struct sym_proc *p)
{
	struct procmaps_entry *v;
	struct sym_map *maps;
	char why[256];
	size_t n;
	int err;

	sc->maps_reads++;
	p->maps_ns = sym_now_ns();
	err = procmaps_read(p->pid, &v, &n, why, sizeof(why));
	if (err)
		return err;
	maps = xcalloc(n, sizeof(*maps));
	for (size_t i = 0; i < n; i++) {
		struct sym_map *m = &maps[i];

		m->start = v[i].start;
		m->end = v[i].end;
		m->offset = v[i].offset;
		m->kind = v[i].kind;
		m->deleted = v[i].deleted;
		m->base = "";
		if (m->kind == PROCMAPS_FILE) {
			m->file = sym_file_get(sc, p->pid, &v[i], &m->error);
			/* the file's, of the same path: not formatted again for each process */
			m->base = m->file ? m->file->base : sym_base_name(sc, v[i].path);
		}
	}
	procmaps_free(v, n);
	sym_proc_clear_maps(sc, p);
	p->maps = maps;
	p->nmaps = n;
	p->last_map = 0;
	p->maps_gen = ++sc->maps_gen;
	return 0;
}

/* Whether p maps executable memory that no file backs (a JIT's code). */
static bool sym_proc_has_anon_code(const struct sym_proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		if (p->maps[i].kind == PROCMAPS_ANON)
			return true;
	return false;
}

/* A new process entry with its maps read (or the reason they could not be). */
static struct sym_proc *sym_proc_load(struct sym_cache *sc, uint32_t pid)
{
	struct sym_proc *p = xcalloc(1, sizeof(*p));
	int err;

	htab_init(&p->addrs.t, sizeof(struct addr_slot), _Alignof(struct addr_slot));
	p->pid = pid;
	p->nspid = pid;
	p->uid = 0;
	p->perfmap_err = -ENOENT;
	snprintf(p->perfmap_path, sizeof(p->perfmap_path), "/tmp/perf-%" PRIu32 ".map", pid);
	err = sym_proc_read_maps(sc, p);
	/*
	 * A JIT's owner now, while it surely lives: its perf map names code that no file holds.
	 * Another process reads it only if ever it needs its perf map (one /proc file less for
	 * each process that fork/exec churn starts).
	 */
	if (!err && sym_proc_has_anon_code(p))
		procmaps_status(pid, &p->nspid, &p->uid);
	else
		p->status_due = true;
	if (err == -ENOENT || err == -ESRCH) {
		p->err = err;
		p->error = sym_text(sc, "[unknown: exited before its maps were read]");
	} else if (err == -ENODATA) {
		p->err = err;
		p->error = sym_text(
			sc, "[unknown: no executable mappings (exited, or a kernel thread)]");
	} else if (err) {
		p->err = err;
		p->error = sym_text(sc, "[unknown: maps unreadable: %s]", strerror(-err));
	}
	return p;
}

/* The cached process, or NULL. */
static struct sym_proc *sym_proc_find(struct sym_cache *sc, uint32_t pid)
{
	struct sym_proc *p;

	if (sc->last_proc && sc->last_proc->pid == pid)
		return sc->last_proc;
	for (p = sc->procs[pid % SYM_PROC_BUCKETS]; p; p = p->next)
		if (p->pid == pid)
			return sc->last_proc = p;
	return NULL;
}

/* Remove a process from the cache and free it. */
static void sym_proc_drop(struct sym_cache *sc, struct sym_proc *p)
{
	struct sym_proc **pp;

	for (pp = &sc->procs[p->pid % SYM_PROC_BUCKETS]; *pp != p; pp = &(*pp)->next)
		;
	*pp = p->next;
	sc->nprocs--;
	if (sc->last_proc == p)
		sc->last_proc = NULL;
	sym_proc_clear_maps(sc, p);
	addr_table_clear(sc, &p->addrs);
	perfmap_free(p->perfmap);
	free(p);
}

/* Order two ticks, oldest first. */
static int tick_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Drop the least recently used eighth of the processes: one pass over them all for many
 * evictions, since a fork storm brings a new process at every note once the cache is full.
 */
static void sym_proc_evict(struct sym_cache *sc)
{
	uint64_t *ticks = xcalloc(sc->nprocs + 1, sizeof(*ticks));
	size_t n = 0, drop = sc->nprocs / 8 + 1;
	uint64_t oldest;

	for (size_t b = 0; b < SYM_PROC_BUCKETS; b++)
		for (struct sym_proc *p = sc->procs[b]; p; p = p->next)
			ticks[n++] = p->used;
	if (drop > n)
		drop = n;
	qsort(ticks, n, sizeof(*ticks), tick_cmp);
	oldest = drop ? ticks[drop - 1] : 0;
	free(ticks);
	for (size_t b = 0; b < SYM_PROC_BUCKETS && drop; b++) {
		struct sym_proc *p = sc->procs[b], *next;

		for (; p && drop; p = next) {
			next = p->next;
			if (p->used <= oldest) {
				sym_proc_drop(sc, p);
				drop--;
			}
		}
	}
}

/* The cached process, loading it on first use. */
static struct sym_proc *sym_proc_get(struct sym_cache *sc, uint32_t pid)
{
	struct sym_proc *p = sym_proc_find(sc, pid);
	size_t b = pid % SYM_PROC_BUCKETS;

	if (p)
		return p;
	if (sc->nprocs >= SYM_PROC_MAX)
		sym_proc_evict(sc);
	p = sym_proc_load(sc, pid);
	p->used = sc->tick;
	p->used_epoch = sc->epoch;
	p->next = sc->procs[b];
	sc->procs[b] = p;
	sc->nprocs++;
	return p;
}

/* The mapping holding addr, by binary search (maps are in address order). */
static const struct sym_map *sym_proc_map(const struct sym_proc *p, uint64_t addr)
{
	size_t lo = 0;
	size_t hi = p->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr >= p->maps[lo - 1].end)
		return NULL;
	return &p->maps[lo - 1];
}

/* The mapping holding addr: the last one that held an address, or found by search. */
static const struct sym_map *sym_proc_map_hinted(struct sym_proc *p, uint64_t addr)
{
	const struct sym_map *m;

	if (p->last_map < p->nmaps) {
		m = &p->maps[p->last_map];
		if (addr >= m->start && addr < m->end)
			return m;
	}
	m = sym_proc_map(p, addr);
	if (m)
		p->last_map = (size_t)(m - p->maps);
	return m;
}

/*
 * Read p's maps again if they were last read min_ns ago or more (a library loaded since).
 * Whether they were: then what was named by address in p may have moved.
 */
static bool sym_proc_refresh_maps(struct sym_cache *sc, struct sym_proc *p, uint64_t min_ns)
{
	if (p->exited || sym_now_ns() - p->maps_ns < min_ns)
		return false;
	if (sym_proc_read_maps(sc, p))
		return false; /* gone: keep what we had */
	addr_table_clear(sc, &p->addrs);
	/* A process whose first reading failed has maps now. */
	p->err = 0;
	p->error = NULL;
	return true;
}

/* Load or reload p's perf map when it is new or has grown, at most once a second. */
static void sym_proc_refresh_perfmap(struct sym_cache *sc, struct sym_proc *p)
{
	const char *path = p->perfmap_path;
	char ns_path[128];
	struct perfmap *pm;
	struct stat st;
	char why[256];
	uint64_t now = sym_now_ns();
	int err;

	if (p->perfmap_ns && now - p->perfmap_ns < SYM_PERFMAP_RECHECK_NS)
		return;
	p->perfmap_ns = now;
	if (p->status_due) {
		/* gone: uid stays 0, and only a map that root owns is read */
		procmaps_status(p->pid, &p->nspid, &p->uid);
		p->status_due = false;
	}
	err = stat(path, &st) ? -errno : 0;
	if (err == -ENOENT && p->nspid != p->pid) {
		/* A JIT in a container writes the map in its own /tmp under its own pid. */
		snprintf(ns_path, sizeof(ns_path),
			 "/proc/%" PRIu32 "/root/tmp/perf-%" PRIu32 ".map", p->pid, p->nspid);
		path = ns_path;
		err = stat(path, &st) ? -errno : 0;
	}
	if (!err && p->perfmap && (uint64_t)st.st_size == perfmap_file_size(p->perfmap))
		return; /* unchanged */
	if (!err)
		err = perfmap_load(&pm, path, p->uid, why, sizeof(why));
	if (err) {
		if (!p->perfmap)
			p->perfmap_err = err;
		return;
	}
	perfmap_free(p->perfmap);
	p->perfmap = pm;
	p->perfmap_err = 0;
	/* Addresses that were unknown may be named now. */
	addr_table_clear(sc, &p->addrs);
}

/* Name addr from p's perf map; false if it has none or addr is not in it. */
static bool sym_resolve_perfmap(struct sym_cache *sc, struct sym_proc *p, uint64_t addr,
				struct sym_frame *out)
{
	const char *name;
	uint64_t start;

	sym_proc_refresh_perfmap(sc, p);
	if (!p->perfmap || !perfmap_lookup(p->perfmap, addr, &name, &start))
		return false;
	*out = (struct sym_frame){
		.name = sym_arena_intern_str(sc->arena, name),
		.module = sym_base_name(sc, p->perfmap_path),
		.offset = addr - start,
		.kind = SYM_USER,
	};
	return true;
}

/* Name addr in anonymous executable memory: JIT code, known only from a perf map. */
static void sym_resolve_anon(struct sym_cache *sc, struct sym_proc *p, uint64_t addr,
			     struct sym_frame *out)
{
	if (sym_resolve_perfmap(sc, p, addr, out))
		return;
	if (p->perfmap_err == -ENOENT)
		sym_unknown(out, sym_text(sc, "[anon JIT: no %s]", p->perfmap_path), "");
	else if (p->perfmap_err)
		sym_unknown(out,
			    sym_text(sc, "[anon JIT: %s: %s]", p->perfmap_path,
				     strerror(-p->perfmap_err)),
			    "");
	else
		sym_unknown(out, sym_text(sc, "[anon JIT: not in %s]", p->perfmap_path), "");
}

/* Name a user address of a cached process. */
static void sym_resolve_user(struct sym_cache *sc, struct sym_proc *p, uint64_t addr,
			     struct sym_frame *out)
{
	const struct sym_map *m;

	if (p->error) {
		sym_unknown(out, p->error, "");
		return;
	}
	m = sym_proc_map(p, addr);
	if (!m && sym_proc_refresh_maps(sc, p, SYM_MAPS_RECHECK_NS))
		m = sym_proc_map(p, addr);
	if (!m) {
		if (!sym_resolve_perfmap(sc, p, addr, out))
			sym_unknown(
				out,
				sym_text(sc, "[unknown: no mapping here]"),
				"");
		return;
	}
	switch (m->kind) {
	case PROCMAPS_FILE:
		/* Only after the maps were read again: sym_user tries the file's cache first. */
		if (m->file) {
			m->file->used_epoch = sc->epoch;
			sym_file_parse(sc, m->file);
			if (!m->file->error) {
				sym_resolve_file(sc, m->file, addr - m->start + m->offset, out);
				return;
			}
		}
		/* A file that cannot be read (a JIT's memfd, say): its perf map may name it. */
		if (sym_resolve_perfmap(sc, p, addr, out))
			return;
		if (m->file)
			sym_unknown(out, m->file->error, m->file->base);
		else
			sym_unknown(out, m->error, m->base);
		return;
	case PROCMAPS_VDSO:
		sym_unknown(out, sym_text(sc, "[vdso]"), sym_text(sc, "[vdso]"));
		return;
	case PROCMAPS_VSYSCALL:
		sym_unknown(out, sym_text(sc, "[vsyscall]"), sym_text(sc, "[vsyscall]"));
		return;
	case PROCMAPS_ANON:
		sym_resolve_anon(sc, p, addr, out);
		return;
	}
}

/*
 * Name addr from the file m maps, through the file's cache of named offsets; false if the
 * file cannot be read or has no symbols (the process's own path then says why).
 */
static bool sym_user_file(struct sym_cache *sc, const struct sym_map *m, uint64_t addr,
			  struct sym_frame *out)
{
	struct sym_file *f = m->file;
	uint64_t file_offset = addr - m->start + m->offset;

	f->used_epoch = sc->epoch;
	if (addr_table_find(&f->offsets, file_offset, out))
		return true;
	sym_file_parse(sc, f);
	if (f->error)
		return false;
	sc->misses++;
	sym_resolve_file(sc, f, file_offset, out);
	sym_remember(sc, &f->offsets, file_offset, out);
	return true;
}

void sym_user(struct sym_cache *sc, uint32_t pid, uint64_t addr, struct sym_frame *out)
{
	const struct sym_map *m = NULL;
	struct sym_proc *p;

	sc->lookups++;
	p = sym_proc_get(sc, pid);
	p->used = ++sc->tick;
	p->used_epoch = sc->epoch;
	if (!p->error)
		m = sym_proc_map_hinted(p, addr);
	if (m && m->kind == PROCMAPS_FILE && m->file && sym_user_file(sc, m, addr, out))
		return;
	if (addr_table_find(&p->addrs, addr, out))
		return;
	sc->misses++;
	sym_resolve_user(sc, p, addr, out);
	sym_remember(sc, &p->addrs, addr, out);
}

/* A file's build id in hex, read on first use ("" when it has none or cannot be read). */
static const char *sym_file_build_id(struct sym_cache *sc, struct sym_file *f)
{
	char hex[2 * SYM_ELF_BUILD_ID_MAX + 1];
	const uint8_t *id = NULL;
	size_t len = 0;

	if (f->build_id)
		return f->build_id;
	sym_file_parse(sc, f);
	if (f->elf)
		id = sym_elf_build_id(f->elf, &len);
	if (len > SYM_ELF_BUILD_ID_MAX)
		len = SYM_ELF_BUILD_ID_MAX;
	for (size_t i = 0; id && i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	hex[id ? 2 * len : 0] = '\0';
	f->build_id = sym_text(sc, "%s", hex);
	return f->build_id;
}

bool sym_user_mapping(struct sym_cache *sc, uint32_t pid, uint64_t addr, struct sym_mapping *out)
{
	struct sym_proc *p = sym_proc_get(sc, pid);
	const struct sym_map *m = p->error ? NULL : sym_proc_map(p, addr);

	if (!m || (m->kind != PROCMAPS_FILE && m->kind != PROCMAPS_VDSO))
		return false;
	*out = (struct sym_mapping){ .start = m->start, .end = m->end, .offset = m->offset };
	if (m->kind == PROCMAPS_VDSO) {
		out->path = "[vdso]";
		out->build_id = "";
	} else if (m->file) {
		m->file->used_epoch = sc->epoch;
		if (!m->file->path_text)
			m->file->path_text = sym_text(sc, "%s", m->file->where.path);
		out->path = m->file->path_text;
		out->build_id = sym_file_build_id(sc, m->file);
	} else {
		out->path = m->base;
		out->build_id = "";
	}
	return true;
}

int sym_process_note(struct sym_cache *sc, uint32_t pid)
{
	struct sym_proc *p = sym_proc_find(sc, pid);

	if (p && !p->err && !p->exited)
		return 0;
	if (p)
		sym_proc_drop(sc, p); /* try again: it may have been a race, or the PID is reused */
	p = sym_proc_get(sc, pid);
	p->used = ++sc->tick;
	p->used_epoch = sc->epoch;
	return p->err;
}

void sym_process_exited(struct sym_cache *sc, uint32_t pid)
{
	struct sym_proc *p = sym_proc_find(sc, pid);

	if (p)
		p->exited = true;
}

void sym_process_forget(struct sym_cache *sc, uint32_t pid)
{
	struct sym_proc *p = sym_proc_find(sc, pid);

	if (p)
		sym_proc_drop(sc, p);
}

int sym_process_maps(struct sym_cache *sc, uint32_t pid, uint64_t max_age_ns,
		     struct procmaps_entry **v, size_t *cap, uint64_t *gen, char *why,
		     size_t why_len)
{
	struct sym_proc *p = sym_proc_get(sc, pid);

	p->used = ++sc->tick;
	p->used_epoch = sc->epoch;
	/* A first reading that failed may have met the process mid-exec: try again. */
	if (p->err || max_age_ns)
		sym_proc_refresh_maps(sc, p, p->err ? 0 : max_age_ns);
	if (p->err) {
		snprintf(why, why_len, "the maps of PID %" PRIu32 ": %s", pid, strerror(-p->err));
		return p->err;
	}
	if (p->nmaps > *cap) {
		*cap = p->nmaps;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	for (size_t i = 0; i < p->nmaps; i++) {
		const struct sym_map *m = &p->maps[i];
		struct procmaps_entry *e = &(*v)[i];

		*e = (struct procmaps_entry){
			.start = m->start,
			.end = m->end,
			.offset = m->offset,
			.deleted = m->deleted,
			.kind = m->kind,
		};
		/* A file that could not be opened here cannot be by the unwinder either. */
		if (m->file) {
			e->dev = m->file->dev;
			e->inode = m->file->inode;
			e->path = m->file->where.path;
		}
	}
	*gen = p->maps_gen;
	return (int)p->nmaps;
}

void sym_cache_stats(const struct sym_cache *sc, struct sym_stats *out)
{
	*out = (struct sym_stats){
		.processes = sc->nprocs,
		.maps_reads = sc->maps_reads,
		.files = sc->nparsed,
		.parses = sc->parses,
		.addresses = sc->naddrs,
		.lookups = sc->lookups,
		.misses = sc->misses,
		.arena_bytes = sym_arena_bytes(sc->arena),
		.files_kept = sc->nfiles,
		.files_released = sc->files_released,
		.processes_released = sc->procs_released,
	};
}

/* Whether something marked with epoch at its last use has been idle idle_ns at now_ns. */
static bool sym_idle(const struct sym_cache *sc, uint64_t epoch, uint64_t *used_ns,
		     uint64_t now_ns, uint64_t idle_ns)
{
	if (epoch == sc->epoch || !*used_ns) {
		*used_ns = now_ns;
		return false;
	}
	return now_ns - *used_ns >= idle_ns;
}

size_t sym_cache_release(struct sym_cache *sc, uint64_t now_ns, uint64_t idle_ns)
{
	size_t released = 0;
	uint64_t freed = 0;

	for (size_t b = 0; b < SYM_PROC_BUCKETS; b++) {
		struct sym_proc *p = sc->procs[b], *next;

		for (; p; p = next) {
			next = p->next;
			if (!sym_idle(sc, p->used_epoch, &p->used_ns, now_ns, idle_ns))
				continue;
			/* A live one keeps its maps: a sleeper's stack is named when it wakes. */
			if (!p->exited && (kill((pid_t)p->pid, 0) == 0 || errno != ESRCH)) {
				p->used_ns = now_ns;
				continue;
			}
			sym_proc_drop(sc, p);
			sc->procs_released++;
			released++;
		}
	}
	for (size_t b = 0; b < SYM_FILE_BUCKETS; b++) {
		struct sym_file *f = sc->files[b], *next;

		for (; f; f = next) {
			next = f->next;
			if (!sym_idle(sc, f->used_epoch, &f->used_ns, now_ns, idle_ns) || f->refs)
				continue;
			freed += f->elf ? sym_elf_bytes(f->elf) : 0;
			sym_file_free(sc, f);
			sc->files_released++;
			released++;
		}
	}
	sc->epoch++;
	/* Symbol tables were many blocks: give the pages back rather than keep them free. */
	if (freed >= SYM_TRIM_BYTES)
		malloc_trim(0);
	return released;
}

void sym_cache_free(struct sym_cache *sc)
{
	if (!sc)
		return;
	for (size_t b = 0; b < SYM_PROC_BUCKETS; b++)
		while (sc->procs[b])
			sym_proc_drop(sc, sc->procs[b]);
	for (size_t b = 0; b < SYM_FILE_BUCKETS; b++)
		while (sc->files[b])
			sym_file_free(sc, sc->files[b]);
	addr_table_clear(sc, &sc->kaddrs);
	ksyms_free(sc->ksyms);
	sym_arena_free(sc->arena);
	free(sc->debug_root);
	free(sc->kallsyms_path);
	free(sc);
}
