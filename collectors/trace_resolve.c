// SPDX-License-Identifier: GPL-2.0
/*
 * Trace targets on this system: libraries found as the dynamic linker finds them (its cache),
 * functions found in ELF symbol tables by raw or demangled name, USDT notes, tracepoint formats.
 */
#include "collectors/trace_resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "symbols/demangle.h"
#include "symbols/elf.h"
#include "util/xalloc.h"

#define TRACE_LDCACHE	   "/etc/ld.so.cache"
#define TRACE_LDCACHE_OLD  "ld.so-1.7.0"
#define TRACE_LDCACHE_NEW  "glibc-ld.so.cache1.1"
#define TRACE_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define TRACE_FORMAT_MAX   (64 * 1024) /* bytes of a tracepoint format description read */
#define TRACE_SYM_MAX	   1024	       /* a demangled name's room */
#define TRACE_STAPSDT_TYPE 3	       /* NT_STAPSDT */

/* The header of the ld.so.cache format glibc writes since 2.32 (alone) or after the old one. */
struct trace_ldcache_hdr {
	char magic[20]; /* "glibc-ld.so.cache" "1.1" */
	uint32_t nlibs;
	uint32_t len_strings;
	uint8_t flags;
	uint8_t pad[3];
	uint32_t extension_offset;
	uint32_t unused[3];
};

struct trace_ldcache_entry {
	int32_t flags;
	uint32_t key;	/* the library's name, an offset from the header */
	uint32_t value; /* its path, likewise */
	uint32_t osversion;
	uint64_t hwcap;
};

/* A match of a function name, and how good it is (lower is better). */
struct trace_sym_match {
	int rank; /* 0 raw name, 1 readable name, 2 readable name without parameters */
	uint64_t vaddr;
	bool ifunc;
	char name[TRACE_SYM_MAX];
	char other[TRACE_SYM_MAX]; /* a different function with the same rank: ambiguous */
};

/* Whether an ld.so.cache name (libpam.so.0) is the library the user named (pam, libpam.so.0). */
static bool trace_lib_is(const char *key, const char *name)
{
	size_t n = strlen(name);
	const char *rest;

	if (!strncmp(name, "lib", 3) && strstr(name, ".so"))
		return !strcmp(key, name);
	if (strncmp(key, "lib", 3) || strncmp(key + 3, name, n) || strncmp(key + 3 + n, ".so", 3))
		return false;
	rest = key + 3 + n + 3;
	return *rest == '\0' || *rest == '.';
}

/* Whether a NUL ends the string at off in data (size bytes). */
static bool trace_str_in(const char *data, size_t size, size_t off)
{
	return off < size && memchr(data + off, '\0', size - off);
}

int trace_ldcache_lookup(const void *data, size_t size, const char *name,
			 int (*is_ok)(const char *path), char *path, size_t path_len)
{
	const char *base = data;
	const struct trace_ldcache_hdr *h;
	size_t off = 0;

	if (size >= strlen(TRACE_LDCACHE_OLD) + 5 &&
	    !memcmp(base, TRACE_LDCACHE_OLD, strlen(TRACE_LDCACHE_OLD))) {
		uint32_t nold;

		memcpy(&nold, base + 12, sizeof(nold));
		off = 16 + (size_t)nold * 12;
		off = (off + 7) & ~(size_t)7;
	}
	if (off + sizeof(*h) > size || memcmp(base + off, TRACE_LDCACHE_NEW, 20))
		return -EINVAL;
	h = (const void *)(base + off);
	base += off;
	size -= off;
	if (h->nlibs > (size - sizeof(*h)) / sizeof(struct trace_ldcache_entry))
		return -EINVAL;
	for (uint32_t i = 0; i < h->nlibs; i++) {
		struct trace_ldcache_entry e;

		memcpy(&e, base + sizeof(*h) + (size_t)i * sizeof(e), sizeof(e));
		if (!trace_str_in(base, size, e.key) || !trace_str_in(base, size, e.value))
			return -EINVAL;
		if (!trace_lib_is(base + e.key, name))
			continue;
		if (is_ok && !is_ok(base + e.value))
			continue;
		if (strlen(base + e.value) >= path_len)
			continue;
		strcpy(path, base + e.value);
		return 0;
	}
	return -ENOENT;
}

/* The ELF class and machine of the file at path; false if it is not a readable ELF file. */
static bool trace_elf_ident(const char *path, unsigned char *cls, uint16_t *machine)
{
	unsigned char hdr[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, hdr, sizeof(hdr));
	close(fd);
	if (n != (ssize_t)sizeof(hdr) || memcmp(hdr, ELFMAG, SELFMAG))
		return false;
	*cls = hdr[EI_CLASS];
	memcpy(machine, hdr + 18, sizeof(*machine)); /* e_machine, in our byte order */
	return true;
}

/* Whether the ELF file at path can be loaded by ktop's own kind of process. */
static int trace_elf_is_native(const char *path)
{
	unsigned char cls, self_cls;
	uint16_t machine, self_machine;

	if (!trace_elf_ident("/proc/self/exe", &self_cls, &self_machine))
		return access(path, R_OK) == 0;
	return trace_elf_ident(path, &cls, &machine) && cls == self_cls && machine == self_machine;
}

/* Look name up in /etc/ld.so.cache; -EINVAL when the cache cannot be read. */
static int trace_ldcache_file(const char *name, char *path, size_t path_len)
{
	struct stat st;
	void *map;
	int fd, err;

	fd = open(TRACE_LDCACHE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -EINVAL;
	if (fstat(fd, &st) || st.st_size <= 0) {
		close(fd);
		return -EINVAL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -EINVAL;
	err = trace_ldcache_lookup(map, (size_t)st.st_size, name, trace_elf_is_native, path,
				   path_len);
	munmap(map, (size_t)st.st_size);
	return err;
}

/* Look name up in what `ldconfig -p` prints, for a cache format we do not read. */
static int trace_ldconfig(const char *name, char *path, size_t path_len)
{
	char line[PATH_MAX + 256];
	int err = -ENOENT;
	FILE *f;

	f = popen("PATH=/sbin:/usr/sbin:/bin:/usr/bin ldconfig -p 2>/dev/null", "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char *key = line, *arrow, *end;

		while (*key == ' ' || *key == '\t')
			key++;
		end = strchr(key, ' ');
		arrow = strstr(key, " => ");
		if (!end || !arrow)
			continue;
		*end = '\0';
		arrow += 4;
		arrow[strcspn(arrow, "\n")] = '\0';
		if (err && trace_lib_is(key, name) && trace_elf_is_native(arrow) &&
		    strlen(arrow) < path_len) {
			strcpy(path, arrow);
			err = 0;
		}
	}
	pclose(f);
	return err;
}

/* Find program name in $PATH. */
static int trace_which(const char *name, char *path, size_t path_len)
{
	const char *env = getenv("PATH");
	char *dirs = xstrdup(env && *env ? env : TRACE_DEFAULT_PATH);
	char *save = NULL;
	int err = -ENOENT;

	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		struct stat st;
		int n = snprintf(path, path_len, "%s/%s", d, name);

		if (n < 0 || (size_t)n >= path_len)
			continue;
		if (!stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK)) {
			err = 0;
			break;
		}
	}
	free(dirs);
	return err;
}

int trace_resolve_target(const char *name, char *path, size_t path_len, char *why, size_t why_len)
{
	struct stat st;
	char real[PATH_MAX];
	int err;

	if (strchr(name, '/')) {
		if (stat(name, &st)) {
			err = -errno;
			snprintf(why, why_len, "no file %s: %s", name, strerror(errno));
			return err;
		}
		if (!S_ISREG(st.st_mode)) {
			snprintf(why, why_len, "%s is not a regular file", name);
			return -EINVAL;
		}
		if (!realpath(name, real) || strlen(real) >= path_len) {
			snprintf(why, why_len, "%s: path too long", name);
			return -ENAMETOOLONG;
		}
		strcpy(path, real);
		return 0;
	}
	err = trace_ldcache_file(name, path, path_len);
	if (err == -EINVAL)
		err = trace_ldconfig(name, path, path_len);
	if (err)
		err = trace_which(name, path, path_len);
	if (err)
		snprintf(why, why_len,
			 "no library or program '%s' (not in " TRACE_LDCACHE " nor in $PATH)",
			 name);
	return err;
}

/* Open path as an ELF file; fd and elf to release with trace_elf_close. */
static int trace_elf_open(const char *path, int *fd, Elf **elf, char *why, size_t why_len)
{
	int err;

	*elf = NULL;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		err = -errno;
		snprintf(why, why_len, "open %s: %s", path, strerror(errno));
		return err;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(why, why_len, "libelf: %s", elf_errmsg(-1));
		close(*fd);
		return -EINVAL;
	}
	*elf = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (!*elf || elf_kind(*elf) != ELF_K_ELF) {
		snprintf(why, why_len, "%s is not an ELF file", path);
		elf_end(*elf);
		close(*fd);
		return -ENOEXEC;
	}
	return 0;
}

/* Release what trace_elf_open opened. */
static void trace_elf_close(int fd, Elf *elf)
{
	elf_end(elf);
	close(fd);
}

/* Cut a readable C++ name's parameter list (and qualifiers): "ns::f(int) const" -> "ns::f". */
static void trace_cut_params(char *name)
{
	size_t n = strlen(name);
	int depth = 0;

	while (n && name[n - 1] != ')') {
		if (name[n - 1] == '(' || name[n - 1] == '>')
			return; /* not a parameter list */
		n--;
	}
	while (n--) {
		if (name[n] == ')')
			depth++;
		else if (name[n] == '(' && --depth == 0) {
			name[n] = '\0';
			return;
		}
	}
}

/*
 * The longest name component of func outside parameter and template lists ("Cart" in
 * "shop::Cart::add(int)"): a mangled name that can match func holds it as it is, so the
 * others need no demangling. "" when there is none to rely on (operators).
 */
static void trace_name_key(const char *func, char *key, size_t len)
{
	size_t best = 0, run = 0;
	int depth = 0;

	key[0] = '\0';
	for (const char *p = func;; p++) {
		bool ident = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '_';

		if (ident && depth == 0) {
			run++;
			continue;
		}
		if (run > best && run < len) {
			best = run;
			memcpy(key, p - run, run);
			key[run] = '\0';
		}
		run = 0;
		if (!*p)
			break;
		if (*p == '(' || *p == '<')
			depth++;
		else if ((*p == ')' || *p == '>') && depth > 0)
			depth--;
	}
	if (!strcmp(key, "operator"))
		key[0] = '\0';
}

/*
 * How well a symbol's raw name matches func: its rank, or -1; readable gets its readable form.
 * key (see trace_name_key) spares demangling names that cannot match.
 */
static int trace_sym_rank(const char *raw, const char *func, const char *key, char *readable,
			  size_t len)
{
	bool mangled = raw[0] == '_' && raw[1] == 'Z';

	if (!strcmp(raw, func)) {
		sym_demangle(raw, readable, len);
		return 0;
	}
	if (mangled && *key && !strstr(raw, key))
		return -1;
	sym_demangle(raw, readable, len);
	if (!strcmp(readable, func))
		return 1;
	if (mangled) {
		char cut[TRACE_SYM_MAX];

		snprintf(cut, sizeof(cut), "%s", readable);
		trace_cut_params(cut);
		if (!strcmp(cut, func))
			return 2;
	}
	return -1;
}

/* Look func up in one symbol table section; *undef says whether it was seen as an import. */
static void trace_scan_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *func,
			       struct trace_sym_match *m, bool *undef)
{
	char readable[TRACE_SYM_MAX];
	Elf_Data *data = elf_getdata(scn, NULL);
	char key[TRACE_SYM_MAX];
	size_t n;

	if (!data || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	trace_name_key(func, key, sizeof(key));
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int type, rank;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (sym.st_shndx == SHN_UNDEF) {
			if (!strcmp(name, func))
				*undef = true;
			continue;
		}
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || !sym.st_value)
			continue;
		rank = trace_sym_rank(name, func, key, readable, sizeof(readable));
		if (rank < 0 || rank > m->rank)
			continue;
		if (rank == m->rank && sym.st_value != m->vaddr) {
			if (!m->other[0])
				snprintf(m->other, sizeof(m->other), "%s", readable);
			continue;
		}
		if (rank < m->rank)
			m->other[0] = '\0';
		m->rank = rank;
		m->vaddr = sym.st_value;
		m->ifunc = type == STT_GNU_IFUNC;
		snprintf(m->name, sizeof(m->name), "%s", readable);
	}
}

int trace_resolve_func(const char *path, const char *func, uint64_t *offset, char *sym,
		       size_t sym_len, char *why, size_t why_len)
{
	struct trace_sym_match *m;
	Elf_Scn *scn = NULL;
	bool undef = false;
	Elf *elf;
	int fd, err;

	err = trace_elf_open(path, &fd, &elf, why, why_len);
	if (err)
		return err;
	m = xcalloc(1, sizeof(*m));
	m->rank = 3;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) &&
		    (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM))
			trace_scan_symbols(elf, scn, &sh, func, m, &undef);
	}
	err = -EINVAL;
	if (m->rank == 3) {
		err = -ENOENT;
		if (undef)
			snprintf(why, why_len,
				 "%s only imports %s: probe the library that defines it", path,
				 func);
		else
			snprintf(why, why_len, "no function %s in %s", func, path);
	} else if (m->other[0]) {
		snprintf(why, why_len, "%s is ambiguous in %s: %s or %s (give the full name)", func,
			 path, m->name, m->other);
	} else if (m->ifunc) {
		snprintf(why, why_len,
			 "%s is an IFUNC in %s: its implementation is chosen at run time (probe "
			 "that one)",
			 func, path);
	} else if (!sym_elf_vaddr_to_offset(elf, m->vaddr, offset)) {
		snprintf(why, why_len, "%s: no loadable segment holds %s", path, func);
	} else {
		err = 0;
	}
	if (!err)
		snprintf(sym, sym_len, "%s", m->name);
	free(m);
	trace_elf_close(fd, elf);
	return err;
}

/* The arguments of a USDT note's argument string: one per space-separated operand. */
static int trace_usdt_count(const char *args, size_t n)
{
	int count = 0;
	bool in = false;

	for (size_t i = 0; i < n && args[i]; i++) {
		if (args[i] == ' ') {
			in = false;
		} else if (!in) {
			in = true;
			count++;
		}
	}
	return count;
}

/* Search one note section for provider:name; -ENOENT when absent. */
static int trace_usdt_scan(Elf *elf, Elf_Scn *scn, const char *provider, const char *name,
			   int *nargs, char *seen, size_t seen_len)
{
	size_t addr = gelf_getclass(elf) == ELFCLASS32 ? 4 : 8;
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	if (!data)
		return -ENOENT;
	while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const char *desc = (const char *)data->d_buf + desc_off;
		const char *prov, *probe, *args;
		size_t len = nh.n_descsz, p;

		if (nh.n_type != TRACE_STAPSDT_TYPE || nh.n_namesz != 8 ||
		    memcmp((const char *)data->d_buf + name_off, "stapsdt", 8) || len < 3 * addr)
			continue;
		p = 3 * addr;
		prov = desc + p;
		p += strnlen(prov, len - p) + 1;
		if (p >= len)
			continue;
		probe = desc + p;
		p += strnlen(probe, len - p) + 1;
		args = p < len ? desc + p : "";
		if (!strcmp(prov, provider) && !strcmp(probe, name)) {
			*nargs = trace_usdt_count(args, p < len ? len - p : 0);
			return 0;
		}
		if (strlen(seen) + strlen(prov) + strlen(probe) + 4 < seen_len)
			snprintf(seen + strlen(seen), seen_len - strlen(seen), "%s%s:%s",
				 seen[0] ? ", " : "", prov, probe);
	}
	return -ENOENT;
}

int trace_resolve_usdt(const char *path, const char *provider, const char *name, int *nargs,
		       char *why, size_t why_len)
{
	Elf_Scn *scn = NULL;
	char seen[96] = "";
	size_t shstrndx;
	int fd, err;
	Elf *elf;

	err = trace_elf_open(path, &fd, &elf, why, why_len);
	if (err)
		return err;
	err = -ENOENT;
	if (elf_getshdrstrndx(elf, &shstrndx))
		shstrndx = 0;
	while (err && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *sname;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (sname && !strcmp(sname, ".note.stapsdt"))
			err = trace_usdt_scan(elf, scn, provider, name, nargs, seen, sizeof(seen));
	}
	trace_elf_close(fd, elf);
	if (err)
		snprintf(why, why_len, "no USDT probe %s:%s in %s (%s%s)", provider, name, path,
			 seen[0] ? "it has " : "it has no USDT probes", seen);
	return err;
}

/* Mount tracefs where libbpf and perf look for it, unless it is there already. */
static int trace_tracefs_mount(char *why, size_t why_len)
{
	int err;

	if (!access(TRACE_TRACEFS "/events", F_OK))
		return 0;
	if (!mount("nodev", TRACE_TRACEFS, "tracefs", 0, NULL) || errno == EBUSY)
		return 0;
	err = -errno;
	snprintf(why, why_len,
		 "tracepoints need tracefs, which is not on " TRACE_TRACEFS
		 " and could not be mounted there: %s",
		 strerror(-err));
	return err;
}

int trace_resolve_tracepoint(const char *cat, const char *event, struct trace_tp_format *fmt,
			     char *why, size_t why_len)
{
	char path[PATH_MAX];
	ssize_t n = 0;
	size_t len;
	char *text;
	int fd, err;

	err = trace_tracefs_mount(why, why_len);
	if (err)
		return err;
	snprintf(path, sizeof(path), TRACE_TRACEFS "/events/%s", cat);
	if (access(path, F_OK)) {
		snprintf(why, why_len, "no tracepoint category '%s' (no %s)", cat, path);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), TRACE_TRACEFS "/events/%s/%s/format", cat, event);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			snprintf(why, why_len, "no tracepoint %s:%s (no %s)", cat, event, path);
		else
			snprintf(why, why_len, "read %s: %s", path, strerror(-err));
		return err;
	}
	text = xmalloc(TRACE_FORMAT_MAX);
	len = 0;
	/* tracefs hands a format out a page at a time. */
	while (len < TRACE_FORMAT_MAX - 1 &&
	       (n = read(fd, text + len, TRACE_FORMAT_MAX - 1 - len)) > 0)
		len += (size_t)n;
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err) {
		snprintf(why, why_len, "read %s: %s", path, strerror(-err));
		free(text);
		return err;
	}
	text[len] = '\0';
	err = trace_tp_format_parse(text, fmt, why, why_len);
	free(text);
	return err;
}
