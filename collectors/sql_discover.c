// SPDX-License-Identifier: GPL-2.0
/* Finding database servers in /proc, and reading their binaries' USDT notes and symbols. */
#include "collectors/sql_discover.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include <linux/types.h>

#include "symbols/demangle.h"
#include "util/escape.h"
#include "symbols/elf.h"
#include "util/parse.h"
#include "util/xalloc.h"
#include "bpf/sql.h"

#define SQL_NT_STAPSDT	 3
#define SQL_DELETED	 " (deleted)"
#define SQL_DISPATCH	 "dispatch_command("
#define SQL_SIG_MARIADB	 "dispatch_command(enum_server_command, THD*, char*, unsigned int"
#define SQL_SIG_MARIADB6 "dispatch_command(enum_server_command, THD*, char*, unsigned int, bool)"
#define SQL_SIG_MYSQL8	 "dispatch_command(THD*, COM_DATA const*, enum_server_command)"

/* The argument layout a demangled dispatch_command signature implies; 0 if unknown. */
static uint32_t sql_layout_of(const char *sig)
{
	if (!strcmp(sig, SQL_SIG_MARIADB6))
		return SQL_LAYOUT_MARIADB | SQL_LAYOUT_ASYNC_RETURN;
	if (!strncmp(sig, SQL_SIG_MARIADB, strlen(SQL_SIG_MARIADB)))
		return SQL_LAYOUT_MARIADB;
	if (!strcmp(sig, SQL_SIG_MYSQL8))
		return SQL_LAYOUT_MYSQL8;
	return 0;
}

/* An address-sized field of a note. */
static uint64_t sql_note_addr(const char *p, size_t addr_size)
{
	uint32_t v32;
	uint64_t v64;

	if (addr_size == 4) {
		memcpy(&v32, p, sizeof(v32));
		return v32;
	}
	memcpy(&v64, p, sizeof(v64));
	return v64;
}

/* Keep one place of an execute probe: its address and its semaphore's, as the note has them. */
static void sql_loc_add(struct sql_usdt_loc *locs, size_t *n, const char *desc, size_t addr_size)
{
	if (*n >= SQL_USDT_LOCS_MAX)
		return;
	locs[*n].vaddr = sql_note_addr(desc, addr_size);
	locs[*n].offset = sql_note_addr(desc + addr_size, addr_size); /* the base, for now */
	locs[*n].sema_offset = sql_note_addr(desc + 2 * addr_size, addr_size);
	(*n)++;
}

/* Note the USDT probes of one .note.stapsdt section that ktop uses. */
static void sql_elf_notes(Elf *elf, Elf_Scn *scn, struct sql_elf_info *info)
{
	size_t addr_size = gelf_getclass(elf) == ELFCLASS32 ? 4 : 8;
	bool mysql_start = false, mysql_done = false, pg_start = false, pg_done = false;
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const char *desc = (const char *)data->d_buf + desc_off;
		const char *provider, *probe;
		size_t skip = 3 * addr_size; /* pc, base, semaphore */

		if (nh.n_type != SQL_NT_STAPSDT || nh.n_descsz <= skip ||
		    memchr(desc + skip, '\0', nh.n_descsz - skip) == NULL)
			continue;
		provider = desc + skip;
		probe = provider + strlen(provider) + 1;
		if (probe >= desc + nh.n_descsz || !memchr(probe, '\0', desc + nh.n_descsz - probe))
			continue;
		if (!strcmp(provider, "mysql")) {
			mysql_start |= !strcmp(probe, "query__start");
			mysql_done |= !strcmp(probe, "query__done");
		} else if (!strcmp(provider, "postgresql")) {
			pg_start |= !strcmp(probe, "query__start");
			pg_done |= !strcmp(probe, "query__done");
			if (!strcmp(probe, "query__execute__start"))
				sql_loc_add(info->pg_exec_start, &info->npg_exec_start, desc,
					    addr_size);
			else if (!strcmp(probe, "query__execute__done"))
				sql_loc_add(info->pg_exec_done, &info->npg_exec_done, desc,
					    addr_size);
		}
	}
	info->usdt_mysql |= mysql_start && mysql_done;
	info->usdt_pg |= pg_start && pg_done;
}

/* Find the function dispatch_command(...) in one symbol table, with its file offset. */
static void sql_elf_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct sql_elf_info *info)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	char sig[SQL_SIGNATURE_MAX];

	for (size_t i = 0; data && i < n && !info->has_dispatch; i++) {
		GElf_Shdr tsh;
		Elf_Scn *text;
		const char *name;
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE || !sym.st_value)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !strstr(name, "dispatch_command"))
			continue;
		sym_demangle(name, sig, sizeof(sig));
		if (strncmp(sig, SQL_DISPATCH, strlen(SQL_DISPATCH)))
			continue; /* e.g. Protocol::dispatch_command or a helper of it */
		text = elf_getscn(elf, sym.st_shndx);
		if (!text || !gelf_getshdr(text, &tsh) || sym.st_value < tsh.sh_addr)
			continue;
		info->has_dispatch = true;
		info->dispatch_offset = sym.st_value - tsh.sh_addr + tsh.sh_offset;
		info->layout = sql_layout_of(sig);
		snprintf(info->signature, sizeof(info->signature), "%s", sig);
	}
}

/* Find PostgreSQL's global debug_query_string in one symbol table. */
static void sql_elf_pg_global(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
			      struct sql_elf_info *info)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; data && i < n && !info->pg_query_string; i++) {
		const char *name;
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_OBJECT ||
		    sym.st_shndx == SHN_UNDEF || sym.st_size != 8)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (name && !strcmp(name, "debug_query_string"))
			info->pg_query_string = sym.st_value;
	}
}

/*
 * Turn the execute probes' note addresses into file offsets (moved as the note's base says, for
 * prelinked files); a place outside every loaded segment is dropped.
 */
static void sql_elf_locs(Elf *elf, uint64_t base_addr, struct sql_usdt_loc *locs, size_t *n)
{
	size_t kept = 0;

	for (size_t i = 0; i < *n; i++) {
		struct sql_usdt_loc l = locs[i];
		uint64_t shift = base_addr ? base_addr - l.offset : 0; /* offset holds the base */

		l.vaddr += shift;
		if (!sym_elf_vaddr_to_offset(elf, l.vaddr, &l.offset))
			continue;
		if (l.sema_offset &&
		    !sym_elf_vaddr_to_offset(elf, l.sema_offset + shift, &l.sema_offset))
			continue;
		locs[kept++] = l;
	}
	*n = kept;
}

int sql_elf_inspect(const char *path, struct sql_elf_info *info, char *why, size_t why_len)
{
	uint64_t base_addr = 0;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	int err = 0;
	int fd;

	memset(info, 0, sizeof(*info));
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(why, why_len, "libelf: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, why_len, "open %s: %s", path, strerror(-err));
		return err;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx)) {
		snprintf(why, why_len, "%s is not an ELF file", path);
		err = -ENOEXEC;
		goto out_close;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_NOTE && name && !strcmp(name, ".note.stapsdt")) {
			sql_elf_notes(elf, scn, info);
		} else if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
			sql_elf_symbols(elf, scn, &sh, info);
			sql_elf_pg_global(elf, scn, &sh, info);
		} else if (name && !strcmp(name, ".stapsdt.base")) {
			base_addr = sh.sh_addr;
		}
	}
	sql_elf_locs(elf, base_addr, info->pg_exec_start, &info->npg_exec_start);
	sql_elf_locs(elf, base_addr, info->pg_exec_done, &info->npg_exec_done);
out_close:
	elf_end(elf);
	close(fd);
	return err;
}

/* The file name of a path, without the " (deleted)" the kernel adds to replaced binaries. */
static void sql_base_name(const char *path, char *out, size_t out_len)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > strlen(SQL_DELETED) && !strcmp(base + n - strlen(SQL_DELETED), SQL_DELETED))
		n -= strlen(SQL_DELETED);
	snprintf(out, out_len, "%.*s", (int)n, base);
}

bool sql_exe_kind(const char *path, enum sql_kind *kind)
{
	char base[SQL_PATH_MAX];

	sql_base_name(path, base, sizeof(base));
	if (!strcmp(base, "mysqld") || !strcmp(base, "mariadbd")) {
		*kind = SQL_KIND_MYSQL;
		return true;
	}
	if (!strcmp(base, "postgres") || !strcmp(base, "postmaster")) {
		*kind = SQL_KIND_PG;
		return true;
	}
	return false;
}

int sql_target_parse(struct sql_target *t, const char *arg, char *why, size_t why_len)
{
	uint64_t pid;

	memset(t, 0, sizeof(*t));
	if (!arg || !*arg) {
		snprintf(why, why_len, "--db: empty target");
		return -EINVAL;
	}
	if (isdigit((unsigned char)arg[0])) {
		char reason[128];

		if (parse_u64(arg, 1, INT32_MAX, &pid, reason, sizeof(reason))) {
			snprintf(why, why_len, "--db: %s", reason);
			return -EINVAL;
		}
		t->pid = (uint32_t)pid;
		return 0;
	}
	if (strlen(arg) >= sizeof(t->path)) {
		snprintf(why, why_len, "--db: path too long: %.64s...", arg);
		return -ENAMETOOLONG;
	}
	snprintf(t->path, sizeof(t->path), "%s", arg);
	sql_target_stat(t);
	return 0;
}

void sql_target_stat(struct sql_target *t)
{
	char real[PATH_MAX];
	struct stat st;

	if (t->pid)
		return;
	t->dev = t->ino = 0;
	t->real[0] = '\0';
	if (stat(t->path, &st) || !realpath(t->path, real))
		return;
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	snprintf(t->real, sizeof(t->real), "%s", real);
}

bool sql_pid_is_alive(uint32_t pid)
{
	return !(kill((pid_t)pid, 0) == -1 && errno == ESRCH);
}

/* The parent of a process from /proc/PID/stat, or 0. */
static uint32_t sql_read_ppid(uint32_t pid)
{
	char path[64], buf[512];
	unsigned int ppid = 0;
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %u", &ppid) != 1)
		return 0;
	return ppid;
}

/* Whether two processes run the same binary file. */
static bool sql_same_exe(uint32_t a, uint32_t b)
{
	char path[64];
	struct stat sa, sb;

	snprintf(path, sizeof(path), "/proc/%u/exe", a);
	if (stat(path, &sa))
		return false;
	snprintf(path, sizeof(path), "/proc/%u/exe", b);
	if (stat(path, &sb))
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * The process above pid that runs its binary: a PostgreSQL backend's or auxiliary process's
 * postmaster (the server to trace, whose children are all its backends); pid itself otherwise.
 */
static uint32_t sql_pid_root(uint32_t pid)
{
	for (int depth = 0; depth < 8; depth++) {
		uint32_t ppid = sql_read_ppid(pid);

		if (ppid <= 1 || !sql_same_exe(pid, ppid))
			break;
		pid = ppid;
	}
	return pid;
}

/* Why a named PID is not a server to trace: not running, a kernel thread, or unreadable. */
static void sql_named_why(uint32_t pid, char *why, size_t why_len)
{
	char path[64], raw[64], comm[80] = "?", exe[16];
	ssize_t n;
	int fd;

	if (!sql_pid_is_alive(pid)) {
		snprintf(why, why_len, "process %u is not running", pid);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, raw, sizeof(raw) - 1);
		close(fd);
		raw[n > 0 ? n : 0] = '\0';
		escape_text(comm, sizeof(comm), raw, strcspn(raw, "\n"));
	}
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	if (readlink(path, exe, sizeof(exe)) >= 0)
		snprintf(why, why_len, "process %u (%s) is not a database server", pid, comm);
	else if (errno == ENOENT)
		snprintf(why, why_len, "process %u (%s) is a kernel thread, not a database server",
			 pid, comm);
	else
		snprintf(why, why_len, "process %u (%s): cannot read its binary (%s): %s", pid,
			 comm, path, strerror(errno));
}

/* Whether a process's binary is one of the targets (the same file, or the file it replaced). */
static bool sql_is_target_exe(const struct sql_target *targets, const uint32_t *roots,
			      size_t ntargets, const char *exe, uint32_t pid, const struct stat *st)
{
	size_t len = strlen(exe);

	for (size_t i = 0; i < ntargets; i++) {
		const struct sql_target *t = &targets[i];

		if (t->pid) {
			if (roots[i] == pid)
				return true;
			continue;
		}
		if (t->ino && st->st_dev == t->dev && st->st_ino == t->ino)
			return true;
		if (len > strlen(SQL_DELETED) && t->real[0] &&
		    !strncmp(exe, t->real, len - strlen(SQL_DELETED)) &&
		    !strcmp(exe + len - strlen(SQL_DELETED), SQL_DELETED) &&
		    strlen(t->real) == len - strlen(SQL_DELETED))
			return true;
	}
	return false;
}

/* Order processes by PID. */
static int sql_proc_cmp(const void *a, const void *b)
{
	const struct sql_proc *x = a;
	const struct sql_proc *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The process with this PID among n sorted ones, or NULL. */
static const struct sql_proc *sql_proc_find(const struct sql_proc *procs, size_t n, uint32_t pid)
{
	struct sql_proc key = { .pid = pid };

	return n ? bsearch(&key, procs, n, sizeof(*procs), sql_proc_cmp) : NULL;
}

/* The PID --db named that resolved to pid (itself, or a backend of it); 0 if none did. */
static uint32_t sql_named_pid(const struct sql_target *targets, const uint32_t *roots,
			      size_t ntargets, uint32_t pid)
{
	for (size_t i = 0; i < ntargets; i++)
		if (targets[i].pid && roots[i] == pid)
			return targets[i].pid;
	return 0;
}

/* Append p to the growing array *procs. */
static void sql_proc_push(struct sql_proc **procs, size_t *n, size_t *cap, const struct sql_proc *p)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*procs = xreallocarray(*procs, *cap, sizeof(**procs));
	}
	(*procs)[(*n)++] = *p;
}

int sql_discover(const struct sql_target *targets, size_t ntargets, struct sql_proc **out,
		 size_t *n)
{
	struct sql_proc *cand = NULL, *keep = NULL;
	size_t ncand = 0, cap = 0, nkeep = 0, kcap = 0;
	uint32_t *roots;
	struct dirent *de;
	DIR *dir;

	*out = NULL;
	*n = 0;
	dir = opendir("/proc");
	if (!dir)
		return -errno;
	/* A named backend or auxiliary process stands for its postmaster and all its backends. */
	roots = xcalloc(ntargets ? ntargets : 1, sizeof(*roots));
	for (size_t i = 0; i < ntargets; i++)
		roots[i] = targets[i].pid ? sql_pid_root(targets[i].pid) : 0;
	while ((de = readdir(dir))) {
		char link[64], exe[SQL_PATH_MAX];
		struct sql_proc p = { 0 };
		struct stat st;
		uint64_t pid;
		ssize_t len;

		if (!isdigit((unsigned char)de->d_name[0]) ||
		    parse_u64(de->d_name, 1, INT32_MAX, &pid, NULL, 0))
			continue;
		snprintf(link, sizeof(link), "/proc/%s/exe", de->d_name);
		len = readlink(link, exe, sizeof(exe) - 1);
		if (len <= 0)
			continue; /* a kernel thread, or gone */
		exe[len] = '\0';
		p.pid = (uint32_t)pid;
		p.kind_known = sql_exe_kind(exe, &p.kind);
		if (!ntargets && !p.kind_known)
			continue;
		if (stat(link, &st))
			continue;
		if (ntargets && !sql_is_target_exe(targets, roots, ntargets, exe, p.pid, &st))
			continue;
		p.dev = st.st_dev;
		p.ino = st.st_ino;
		p.ppid = sql_read_ppid(p.pid);
		snprintf(p.exe, sizeof(p.exe), "%s", exe);
		sql_proc_push(&cand, &ncand, &cap, &p);
	}
	closedir(dir);
	if (ncand)
		qsort(cand, ncand, sizeof(*cand), sql_proc_cmp);

	/* A child running the same binary as its parent is a PostgreSQL backend or helper. */
	for (size_t i = 0; i < ncand; i++) {
		const struct sql_proc *parent = sql_proc_find(cand, ncand, cand[i].ppid);

		uint32_t named = sql_named_pid(targets, roots, ntargets, cand[i].pid);

		if (parent && parent->dev == cand[i].dev && parent->ino == cand[i].ino && !named)
			continue;
		cand[i].named = named != cand[i].pid ? named : 0;
		sql_proc_push(&keep, &nkeep, &kcap, &cand[i]);
	}
	free(cand);

	/* A PID that was named but is not a server here is listed with the reason. */
	for (size_t i = 0; i < ntargets; i++) {
		struct sql_proc p = { 0 };

		if (!targets[i].pid || sql_proc_find(keep, nkeep, roots[i]))
			continue;
		p.pid = targets[i].pid;
		sql_named_why(p.pid, p.why, sizeof(p.why));
		sql_proc_push(&keep, &nkeep, &kcap, &p);
		qsort(keep, nkeep, sizeof(*keep), sql_proc_cmp);
	}
	free(roots);
	*out = keep;
	*n = nkeep;
	return 0;
}
