// SPDX-License-Identifier: GPL-2.0
/*
 * Tests symbols/: kallsyms parsing and kernel lookups, maps lines, demangling, perf maps, and
 * user lookups in the fixture programs of tests/fixtures (PIE, non-PIE, shared library,
 * stripped with debug files found by debuglink and build-id, C++, deleted library, JIT),
 * before and after the process exits, and what unknown frames say.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "symbols/debuginfo.h"
#include "symbols/demangle.h"
#include "symbols/ksyms.h"
#include "symbols/lineprog.h"
#include "symbols/srcinfo.h"
#include "symbols/unwind.h"
#include "symbols/perfmap.h"
#include "symbols/procmaps.h"
#include "symbols/symbols.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name the built tests/fixtures directory"
#endif
#define FX(name)     FIXTURE_DIR "/" name
#define FX_DEBUGROOT FX("debugroot")

/* A running fixture program and the addresses it reported. */
struct child {
	pid_t pid;
	int to_child; /* its stdin: closing it ends the program */
	struct {
		char name[32];
		uint64_t addr;
	} syms[16];
	int nsyms;
};

/* Files a failed test may leave behind; removed by teardown_files after each test. */
static char tmp_perfmap[64];
static char tmp_dir[64];
static char tmp_file[128];
static char tmp_kallsyms[64];
static char tmp_data[64];

/* Start a fixture program (with an optional argument) and read its report up to "ready". */
static void child_start(struct child *c, const char *path, const char *arg)
{
	char line[512];
	bool ready = false;
	int in[2];
	int out[2];
	FILE *f;

	memset(c, 0, sizeof(*c));
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (!c->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(path, path, arg, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->to_child = in[1];
	f = fdopen(out[0], "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char name[32];

		if (!strcmp(line, "ready\n")) {
			ready = true;
			break;
		}
		if (!strncmp(line, "error", 5))
			fail_msg("%s: %s", path, line);
		if (sscanf(line, "%31s %llx", name, &addr) == 2 && c->nsyms < 16) {
			snprintf(c->syms[c->nsyms].name, sizeof(c->syms[0].name), "%s", name);
			c->syms[c->nsyms++].addr = addr;
		}
	}
	fclose(f);
	if (!ready)
		fail_msg("%s did not get ready", path);
}

/* The address the program reported under name. */
static uint64_t child_addr(const struct child *c, const char *name)
{
	for (int i = 0; i < c->nsyms; i++)
		if (!strcmp(c->syms[i].name, name))
			return c->syms[i].addr;
	fail_msg("the fixture reported no %s", name);
	return 0;
}

/* End the program and reap it. */
static void child_stop(struct child *c)
{
	int status;

	close(c->to_child);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static struct sym_cache *cache_new(void)
{
	struct sym_cache *sc;
	char why[256];

	assert_int_equal(sym_cache_new(&sc, why, sizeof(why)), 0);
	return sc;
}

/* sym_user names addr as name+offset in module. */
static void expect_user(struct sym_cache *sc, pid_t pid, uint64_t addr, const char *name,
			const char *module, uint64_t offset)
{
	struct sym_frame f;

	sym_user(sc, (uint32_t)pid, addr, &f);
	assert_string_equal(f.name, name);
	assert_string_equal(f.module, module);
	assert_int_equal(f.offset, offset);
	assert_int_equal(f.kind, SYM_USER);
}

/* sym_user cannot name addr and says so (why), with the module it was in. */
static void expect_unknown(struct sym_cache *sc, pid_t pid, uint64_t addr, const char *why,
			   const char *module)
{
	struct sym_frame f;

	sym_user(sc, (uint32_t)pid, addr, &f);
	assert_string_equal(f.name, why);
	assert_string_equal(f.module, module);
	assert_int_equal(f.offset, 0);
	assert_int_equal(f.kind, SYM_UNKNOWN);
}

/* The functions every C fixture program holds, named with offsets inside them. */
static void expect_program(struct sym_cache *sc, const struct child *c, const char *module)
{
	expect_user(sc, c->pid, child_addr(c, "alpha"), "fx_alpha", module, 0);
	expect_user(sc, c->pid, child_addr(c, "alpha") + 3, "fx_alpha", module, 3);
	expect_user(sc, c->pid, child_addr(c, "local"), "fx_local", module, 0);
	/* fx_zero has no size: it reaches to fx_zero_next. */
	expect_user(sc, c->pid, child_addr(c, "zero") + 8, "fx_zero", module, 8);
	expect_user(sc, c->pid, child_addr(c, "zero_next") - 1, "fx_zero", module,
		    child_addr(c, "zero_next") - 1 - child_addr(c, "zero"));
	expect_user(sc, c->pid, child_addr(c, "zero_next"), "fx_zero_next", module, 0);
}

/* Write text to path. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A made-up kallsyms file, out of order, with modules, data and aliases. */
static const char fake_kallsyms[] = "0000000000002000 t mod_func\t[mymod]\n"
				    "0000000000002100 T last_func\t[mymod]\n"
				    "0000000000001000 T first_func\n"
				    "0000000000001100 t local_func\n"
				    "0000000000001200 D some_data\n"
				    "0000000000001300 W weak_func\n"
				    "0000000000001400 T alias_a\n"
				    "0000000000001400 T alias_b\n"
				    "0000000000001400 d data_at_alias\n";

/* Write fake_kallsyms to a temporary file; its path in path (and in tmp_kallsyms). */
static void fake_kallsyms_file(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/ktop-kallsyms-XXXXXX");
	fd = mkstemp(path);
	snprintf(tmp_kallsyms, sizeof(tmp_kallsyms), "%s", path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, fake_kallsyms, strlen(fake_kallsyms)),
			 (ssize_t)strlen(fake_kallsyms));
	close(fd);
}

/* ksyms sorts, keeps only text symbols, names modules and refuses what is outside. */
static void test_ksyms_file(void **state)
{
	char path[64];
	char why[256];
	const char *name;
	const char *mod;
	uint64_t start;
	struct ksyms *ks;

	(void)state;
	fake_kallsyms_file(path, sizeof(path));
	assert_int_equal(ksyms_load(&ks, path, why, sizeof(why)), 0);
	assert_int_equal(ksyms_count(ks), 6);
	assert_false(ksyms_lookup(ks, 0xfff, &name, &mod, &start));
	assert_true(ksyms_lookup(ks, 0x1000, &name, &mod, &start));
	assert_string_equal(name, "first_func");
	assert_string_equal(mod, "");
	assert_true(ksyms_lookup(ks, 0x10ff, &name, &mod, &start));
	assert_string_equal(name, "first_func");
	assert_int_equal(start, 0x1000);
	assert_true(ksyms_lookup(ks, 0x1150, &name, &mod, &start));
	assert_string_equal(name, "local_func");
	/* Data ends the function before it. */
	assert_false(ksyms_lookup(ks, 0x1250, &name, &mod, &start));
	assert_true(ksyms_lookup(ks, 0x1300, &name, &mod, &start));
	assert_string_equal(name, "weak_func");
	assert_true(ksyms_lookup(ks, 0x1401, &name, &mod, &start));
	assert_string_equal(name, "alias_a");
	assert_true(ksyms_lookup(ks, 0x2050, &name, &mod, &start));
	assert_string_equal(name, "mod_func");
	assert_string_equal(mod, "mymod");
	assert_true(ksyms_lookup(ks, 0x2110, &name, &mod, &start));
	assert_string_equal(name, "last_func");
	assert_false(ksyms_lookup(ks, 0x2100 + 0x100000, &name, &mod, &start));
	ksyms_free(ks);
	ksyms_free(NULL);

	/* What an unprivileged reader sees. */
	write_file(path, "0000000000000000 T first_func\n0000000000000000 t other\n");
	assert_int_equal(ksyms_load(&ks, path, why, sizeof(why)), -EPERM);
	assert_null(ks);
	assert_non_null(strstr(why, path));
	unlink(path);
	assert_int_equal(ksyms_load(&ks, path, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "No such file"));
}

/*
 * A kernel with call padding lists "__pfx_NAME" before NAME: NAME is kept as the tail of that
 * string, not a second copy, and the table is cut to size.
 */
static void test_ksyms_pfx_shared(void **state)
{
	static const char text[] = "0000000000003000 t __pfx_alpha\n"
				   "0000000000003010 T alpha\n"
				   "0000000000003040 t __pfx_beta\n"
				   "0000000000003050 t beta\n"
				   "0000000000003050 t beta_alias\n"
				   "0000000000003080 t __pfx_gamma\n"
				   "0000000000003090 t not_gamma\n";
	const char *pfx, *name, *mod;
	char path[64];
	char why[256];
	uint64_t start;
	struct ksyms *ks;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/ktop-kallsyms-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(ksyms_load(&ks, path, why, sizeof(why)), 0);
	unlink(path);
	assert_int_equal(ksyms_count(ks), 6);
	assert_true(ksyms_lookup(ks, 0x3008, &pfx, &mod, &start));
	assert_string_equal(pfx, "__pfx_alpha");
	assert_true(ksyms_lookup(ks, 0x3020, &name, &mod, &start));
	assert_string_equal(name, "alpha");
	assert_int_equal(start, 0x3010);
	assert_ptr_equal(name, pfx + 6);
	assert_true(ksyms_lookup(ks, 0x3048, &pfx, &mod, &start));
	assert_true(ksyms_lookup(ks, 0x3050, &name, &mod, &start));
	assert_string_equal(name, "beta");
	assert_ptr_equal(name, pfx + 6);
	/* A name that is not the padding's function gets its own copy. */
	assert_true(ksyms_lookup(ks, 0x3090, &name, &mod, &start));
	assert_string_equal(name, "not_gamma");
	/*
	 * 16 bytes a symbol, and the names: "" for vmlinux, the three "__pfx_" names and
	 * beta_alias and not_gamma (alpha and beta are inside theirs), each with its NUL.
	 */
	assert_true(ksyms_bytes(ks) <= 128 + 7 * 16 + 1 + 12 + 11 + 12 + 11 + 10);
	ksyms_free(ks);
}

/* sym_kernel names through the cache and says why it cannot. */
static void test_kernel_fake(void **state)
{
	struct sym_cache *sc = cache_new();
	struct sym_stats st;
	struct sym_frame f;
	char path[64];

	(void)state;
	fake_kallsyms_file(path, sizeof(path));
	sym_cache_set_kallsyms(sc, path);
	sym_kernel(sc, 0x2050, &f);
	assert_string_equal(f.name, "mod_func");
	assert_string_equal(f.module, "mymod");
	assert_int_equal(f.offset, 0x50);
	assert_int_equal(f.kind, SYM_KERNEL);
	unlink(path); /* loaded once: later lookups do not need the file */
	sym_kernel(sc, 0x1010, &f);
	assert_string_equal(f.name, "first_func");
	assert_string_equal(f.module, "");
	assert_int_equal(f.kind, SYM_KERNEL);
	sym_kernel(sc, 0x1250, &f);
	assert_string_equal(f.name, "[unknown: no kernel function at this address]");
	assert_int_equal(f.kind, SYM_UNKNOWN);
	sym_kernel(sc, 0x2050, &f);
	assert_string_equal(f.name, "mod_func");
	sym_cache_stats(sc, &st);
	assert_int_equal(st.lookups, 4);
	assert_int_equal(st.misses, 3);
	assert_int_equal(st.addresses, 3);
	sym_cache_free(sc);

	sc = cache_new();
	sym_cache_set_kallsyms(sc, "/nonexistent/kallsyms");
	sym_kernel(sc, 0x1010, &f);
	assert_string_equal(f.name, "[unknown: /nonexistent/kallsyms: No such file or directory]");
	assert_int_equal(f.kind, SYM_UNKNOWN);
	sym_cache_free(sc);
}

/* Real /proc/kallsyms: needs root to show addresses, skipped otherwise. */
static void test_kernel_real(void **state)
{
	unsigned long long sched = 0;
	unsigned long long mod_addr = 0;
	char mod_name[64] = "";
	char line[512];
	struct sym_cache *sc;
	struct sym_frame f;
	FILE *kf;

	(void)state;
	kf = fopen("/proc/kallsyms", "r");
	if (!kf)
		skip();
	while (fgets(line, sizeof(line), kf)) {
		unsigned long long addr;
		char type;
		char name[256];
		char mod[64];
		int n = sscanf(line, "%llx %c %255s [%63[^]]]", &addr, &type, name, mod);

		if (n == 3 && !strcmp(name, "schedule") && type == 'T')
			sched = addr;
		if (n == 4 && !mod_addr && (type == 't' || type == 'T') && strcmp(mod, "bpf")) {
			mod_addr = addr;
			snprintf(mod_name, sizeof(mod_name), "%s", mod);
		}
	}
	fclose(kf);
	if (!sched)
		skip(); /* addresses hidden: not root, or kptr_restrict */
	sc = cache_new();
	sym_kernel(sc, sched + 1, &f);
	assert_string_equal(f.name, "schedule");
	assert_string_equal(f.module, "");
	assert_int_equal(f.offset, 1);
	assert_int_equal(f.kind, SYM_KERNEL);
	if (mod_addr) {
		sym_kernel(sc, mod_addr, &f);
		assert_int_equal(f.kind, SYM_KERNEL);
		assert_string_equal(f.module, mod_name);
		assert_int_equal(f.offset, 0);
	}
	sym_kernel(sc, 0x10, &f);
	assert_int_equal(f.kind, SYM_UNKNOWN);
	sym_cache_free(sc);
}

/* Maps lines: paths with spaces, deleted files, anonymous and special mappings. */
static void test_procmaps_parse(void **state)
{
	struct procmaps_entry e;

	(void)state;
	assert_true(procmaps_parse_line(
		"55d0c0a00000-55d0c0a21000 r-xp 00002000 fd:01 1234567   /usr/bin/my prog\n", true,
		&e));
	assert_int_equal(e.kind, PROCMAPS_FILE);
	assert_int_equal(e.start, 0x55d0c0a00000ULL);
	assert_int_equal(e.end, 0x55d0c0a21000ULL);
	assert_int_equal(e.offset, 0x2000);
	assert_int_equal(e.dev, makedev(0xfd, 1));
	assert_int_equal(e.inode, 1234567);
	assert_string_equal(e.path, "/usr/bin/my prog");
	assert_false(e.deleted);
	free(e.path);

	assert_true(procmaps_parse_line("7f0000000000-7f0000001000 r-xp 00000000 08:02 42   "
					"/tmp/libx.so (deleted)\n",
					true, &e));
	assert_true(e.deleted);
	assert_string_equal(e.path, "/tmp/libx.so");
	free(e.path);

	assert_true(procmaps_parse_line("7f0000002000-7f0000003000 rwxp 00000000 00:00 0 \n", true,
					&e));
	assert_int_equal(e.kind, PROCMAPS_ANON);
	assert_null(e.path);
	assert_true(procmaps_parse_line("7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0        "
					"                  [vdso]\n",
					true, &e));
	assert_int_equal(e.kind, PROCMAPS_VDSO);
	assert_true(procmaps_parse_line("7f0000004000-7f0000005000 r-xp 00000000 00:00 0   "
					"[anon:v8 code]\n",
					true, &e));
	assert_int_equal(e.kind, PROCMAPS_ANON);

	assert_false(procmaps_parse_line(
		"7f0000004000-7f0000005000 r--p 00000000 08:02 42   /tmp/libx.so\n", true, &e));
	assert_true(procmaps_parse_line(
		"7f0000004000-7f0000005000 r--p 00000000 08:02 42   /tmp/libx.so\n", false, &e));
	free(e.path);
	assert_false(procmaps_parse_line("garbage\n", false, &e));
	assert_false(procmaps_parse_line("2000-1000 r-xp 0 08:02 42 /x\n", false, &e));
}

/*
 * procmaps_read (PROCMAP_QUERY where the kernel has it) gives this process's executable
 * mappings exactly as its maps text does, a deleted file and anonymous code among them.
 */
static void test_procmaps_read_matches_text(void **state)
{
	char tmpl[] = "/tmp/ktop-maps-XXXXXX";
	struct procmaps_entry *got, want[512];
	size_t ngot, nwant = 0;
	char why[256], *line = NULL;
	size_t line_cap = 0;
	bool deleted = false, anon = false;
	void *code, *file;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	file = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	assert_true(file != MAP_FAILED);
	close(fd);
	unlink(tmpl);
	code = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(code != MAP_FAILED);

	assert_int_equal(procmaps_read((uint32_t)getpid(), &got, &ngot, why, sizeof(why)), 0);
	f = fopen("/proc/self/maps", "re");
	assert_non_null(f);
	while (getline(&line, &line_cap, f) > 0 && nwant < 512)
		if (procmaps_parse_line(line, true, &want[nwant]))
			nwant++;
	free(line);
	fclose(f);
	assert_int_equal(ngot, nwant);
	for (size_t i = 0; i < ngot; i++) {
		assert_int_equal(got[i].start, want[i].start);
		assert_int_equal(got[i].end, want[i].end);
		assert_int_equal(got[i].offset, want[i].offset);
		assert_int_equal(got[i].dev, want[i].dev);
		assert_int_equal(got[i].inode, want[i].inode);
		assert_int_equal(got[i].kind, want[i].kind);
		assert_int_equal(got[i].deleted, want[i].deleted);
		if (want[i].path)
			assert_string_equal(got[i].path, want[i].path);
		else
			assert_null(got[i].path);
		if (got[i].start == (uint64_t)(uintptr_t)file)
			deleted = got[i].deleted && !strcmp(got[i].path, tmpl);
		if (got[i].start == (uint64_t)(uintptr_t)code)
			anon = got[i].kind == PROCMAPS_ANON;
		free(want[i].path);
	}
	assert_true(deleted);
	assert_true(anon);
	procmaps_free(got, ngot);
	munmap(file, 4096);
	munmap(code, 4096);
}

/* A zombie has no mappings left: said as such (the ioctl finds no mm; the text is read). */
static void test_procmaps_zombie(void **state)
{
	struct procmaps_entry *v;
	char why[256], stat[64], buf[256] = "";
	size_t n;
	pid_t pid;
	FILE *f;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(0);
	snprintf(stat, sizeof(stat), "/proc/%d/stat", pid);
	for (int i = 0; i < 500 && !strstr(buf, ") Z "); i++) {
		f = fopen(stat, "re");
		assert_non_null(f);
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		usleep(2000);
	}
	assert_non_null(strstr(buf, ") Z "));
	assert_int_equal(procmaps_read((uint32_t)pid, &v, &n, why, sizeof(why)), -ENODATA);
	assert_non_null(strstr(why, "has no executable mappings"));
	waitpid(pid, NULL, 0);
}

/* C++ and Rust names come back readable, versions are dropped, C names stay. */
static void test_demangle(void **state)
{
	char buf[512];

	(void)state;
	sym_demangle("_Z16dispatch_command19enum_server_commandP3THDPcjb", buf, sizeof(buf));
	assert_string_equal(buf, "dispatch_command(enum_server_command, THD*, char*, unsigned int, "
				 "bool)");
	sym_demangle("_ZNK2fx6Widget4pokeEi", buf, sizeof(buf));
	assert_string_equal(buf, "fx::Widget::poke(int) const");
	sym_demangle("_ZNSt6vectorIiSaIiEE9push_backERKi@@GLIBCXX_3.4", buf, sizeof(buf));
	assert_string_equal(buf, "std::vector<int, std::allocator<int> >::push_back(int const&)");
	sym_demangle("memcpy@@GLIBC_2.14", buf, sizeof(buf));
	assert_string_equal(buf, "memcpy");
	sym_demangle("main", buf, sizeof(buf));
	assert_string_equal(buf, "main");
	/* Rust: legacy (hash dropped) and v0. */
	sym_demangle("_ZN4core3ptr13drop_in_place17h0123456789abcdefE", buf, sizeof(buf));
	assert_string_equal(buf, "core::ptr::drop_in_place");
	sym_demangle("_RNvCs15kBYyAo9fc_7mycrate4main", buf, sizeof(buf));
	assert_string_equal(buf, "mycrate::main");
	sym_demangle("_Znot_mangled", buf, sizeof(buf));
	assert_string_equal(buf, "_Znot_mangled");
	assert_int_equal(sym_demangle("_ZNK2fx6Widget4pokeEi", buf, 8), 7);
	assert_string_equal(buf, "fx::Wid");
}

/* The CRC .gnu_debuglink uses is zlib's CRC-32. */
static void test_debuginfo_crc(void **state)
{
	(void)state;
	assert_int_equal(debuginfo_crc32(0, "123456789", 9), 0xcbf43926U);
	assert_int_equal(debuginfo_crc32(debuginfo_crc32(0, "1234", 4), "56789", 5), 0xcbf43926U);
}

/* Perf maps: later lines win, bad lines are skipped, names are escaped, links refused. */
static void test_perfmap_file(void **state)
{
	char path[64] = "/tmp/ktop-perfmap-XXXXXX";
	char link[80];
	char why[256];
	struct perfmap *pm;
	const char *name;
	uint64_t start;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(tmp_data, sizeof(tmp_data), "%s", path);
	write_file(path, "1000 100 first\n"
			 "nonsense\n"
			 "3000 zz bad\n"
			 "4000 0 empty\n"
			 "2000 10 with\001ctl\n"
			 "1000 80 first_newer\n");
	assert_int_equal(perfmap_load(&pm, path, getuid(), why, sizeof(why)), 0);
	assert_int_equal(perfmap_count(pm), 2);
	assert_true(perfmap_lookup(pm, 0x1010, &name, &start));
	assert_string_equal(name, "first_newer");
	assert_int_equal(start, 0x1000);
	assert_false(perfmap_lookup(pm, 0x1090, &name, &start));
	assert_true(perfmap_lookup(pm, 0x200f, &name, &start));
	assert_string_equal(name, "with\\x01ctl");
	assert_false(perfmap_lookup(pm, 0x2010, &name, &start));
	assert_false(perfmap_lookup(pm, 0x4000, &name, &start));
	assert_false(perfmap_lookup(pm, 0xfff, &name, &start));
	perfmap_free(pm);
	perfmap_free(NULL);

	snprintf(link, sizeof(link), "%s.link", path);
	snprintf(tmp_file, sizeof(tmp_file), "%s", link);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(perfmap_load(&pm, link, getuid(), why, sizeof(why)), -ELOOP);
	assert_null(pm);
	unlink(link);
	unlink(path);
}

/* A PIE program: functions, statics, offsets and a zero-size symbol. */
static void test_user_pie(void **state)
{
	struct sym_cache *sc = cache_new();
	struct child c;

	(void)state;
	child_start(&c, FX("fx_pie"), NULL);
	assert_int_equal(sym_process_note(sc, (uint32_t)c.pid), 0);
	expect_program(sc, &c, "fx_pie");
	child_stop(&c);
	sym_cache_free(sc);
}

/* A non-PIE program: segment addresses differ from file offsets. */
static void test_user_nopie(void **state)
{
	struct sym_cache *sc = cache_new();
	struct child c;

	(void)state;
	child_start(&c, FX("fx_nopie"), NULL);
	expect_program(sc, &c, "fx_nopie"); /* no note: maps are read on first use */
	child_stop(&c);
	sym_cache_free(sc);
}

/* A program and the shared library it links. */
static void test_user_shared_lib(void **state)
{
	struct sym_cache *sc = cache_new();
	struct child c;

	(void)state;
	child_start(&c, FX("fx_uselib"), NULL);
	assert_int_equal(sym_process_note(sc, (uint32_t)c.pid), 0);
	expect_program(sc, &c, "fx_uselib");
	expect_user(sc, c.pid, child_addr(&c, "lib_func") + 2, "fx_lib_func", "libfx.so", 2);
	expect_user(sc, c.pid, child_addr(&c, "lib_static"), "fx_lib_static", "libfx.so", 0);
	child_stop(&c);
	sym_cache_free(sc);
}

/* Noted processes still resolve after they exit (files parsed only after the exit). */
static void test_user_after_exit(void **state)
{
	struct sym_cache *sc = cache_new();
	struct sym_stats st;
	struct child c;
	char why[128];

	(void)state;
	child_start(&c, FX("fx_uselib"), NULL);
	assert_int_equal(sym_process_note(sc, (uint32_t)c.pid), 0);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.processes, 1);
	assert_int_equal(st.files, 0); /* nothing parsed yet */
	child_stop(&c);
	expect_program(sc, &c, "fx_uselib");
	expect_user(sc, c.pid, child_addr(&c, "lib_static"), "fx_lib_static", "libfx.so", 0);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.files, 2);

	/* Forgotten, it cannot be read again. */
	sym_process_forget(sc, (uint32_t)c.pid);
	snprintf(why, sizeof(why), "[unknown: exited before its maps were read]");
	expect_unknown(sc, c.pid, child_addr(&c, "alpha"), why, "");
	assert_int_equal(sym_process_note(sc, (uint32_t)c.pid), -ENOENT);
	sym_cache_free(sc);
}

/* Stripped programs whose debug file sits next to them, in .debug/ or under the root. */
static void test_user_debuglink(void **state)
{
	static const char *const progs[] = {"fx_debuglink", "fx_dbgdir", "fx_dbgroot"};

	(void)state;
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct sym_cache *sc = cache_new();
		char path[512];
		struct child c;

		sym_cache_set_debug_root(sc, FX_DEBUGROOT);
		snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, progs[i]);
		child_start(&c, path, NULL);
		expect_program(sc, &c, progs[i]);
		child_stop(&c);
		sym_cache_free(sc);
	}
}

/* A stripped program whose debug file is found by build-id under the debug root only. */
static void test_user_build_id(void **state)
{
	struct sym_cache *sc = cache_new();
	struct child c;

	(void)state;
	child_start(&c, FX("fx_buildid"), NULL);
	sym_cache_set_debug_root(sc, FX_DEBUGROOT);
	expect_program(sc, &c, "fx_buildid");
	sym_cache_free(sc);

	sc = cache_new(); /* the default root has no debug file for it */
	expect_unknown(sc, c.pid, child_addr(&c, "alpha"), "[unknown: fx_buildid has no symbols]",
		       "fx_buildid");
	child_stop(&c);
	sym_cache_free(sc);
}

/*
 * The lines of a stripped program come from its debug file, which ktop opens itself, by
 * build-id under the debug root (libdwfl would look under /usr/lib/debug only), and closes
 * when released; a later question opens it again for the same answer.
 */
static void test_source_build_id(void **state)
{
	struct sym_cache *sc = cache_new();
	struct srcinfo_level lv[8];
	struct unwind_cache *uc;
	struct child c;
	uint32_t line;
	size_t n;

	(void)state;
	child_start(&c, FX("fx_buildid"), NULL);
	sym_cache_set_debug_root(sc, FX_DEBUGROOT);
	uc = unwind_cache_new(sc);
	assert_int_equal(unwind_source_files(uc), 0);
	n = unwind_source(uc, (uint32_t)c.pid, child_addr(&c, "alpha"), lv, 8);
	assert_true(n >= 1);
	assert_string_equal(lv[n - 1].file, "fx_funcs.c");
	line = lv[n - 1].line;
	assert_true(line > 0);
	assert_int_equal(unwind_source_files(uc), 1);
	/* Read a moment ago: not idle for UNWIND_SOURCE_IDLE_NS yet. */
	unwind_release(uc, UNWIND_SOURCE_IDLE_NS);
	assert_int_equal(unwind_source_files(uc), 1);
	unwind_release(uc, 0);
	assert_int_equal(unwind_source_files(uc), 0);
	n = unwind_source(uc, (uint32_t)c.pid, child_addr(&c, "alpha"), lv, 8);
	assert_true(n >= 1);
	assert_string_equal(lv[n - 1].file, "fx_funcs.c");
	assert_int_equal(lv[n - 1].line, line);
	assert_int_equal(unwind_source_files(uc), 1);
	child_stop(&c);

	/* The same function in a build with its DWARF inside, read by libdw: the same line. */
	child_start(&c, FX("fx_pie"), NULL);
	n = unwind_source(uc, (uint32_t)c.pid, child_addr(&c, "alpha"), lv, 8);
	assert_true(n >= 1);
	assert_string_equal(lv[n - 1].file, "fx_funcs.c");
	assert_int_equal(lv[n - 1].line, line);
	child_stop(&c);
	unwind_cache_free(uc);
	sym_cache_free(sc);
}

/*
 * A DWARF 4 line program written by hand: two files, a row repeated at one address (the last
 * listed counts), a sequence end (no line there). Every truncation of it is refused or read
 * within its bounds.
 */
static void test_lineprog_rows(void **state)
{
	static const uint8_t hdr[] = {
		1, 1, 1, 0xfb, 14, 13,			/* min_inst .. opcode_base */
		0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1,	/* standard opcode lengths */
		0,					/* no include directories */
		'a', '.', 'c', 0, 0, 0, 0,		/* file 1 */
		's', 'u', 'b', '/', 'b', '.', 'h', 0, 0, 0, 0, /* file 2 */
		0,
	};
	static const uint8_t prog[] = {
		0, 9, 2, 0x00, 0x10, 0, 0, 0, 0, 0, 0, /* set_address 0x1000 */
		3, 9,				       /* line 10 */
		1,				       /* row 0x1000 a.c:10 */
		75,				       /* +4, +1: row 0x1004 a.c:11 */
		4, 2,				       /* file 2 */
		74,				       /* +4: row 0x1008 b.h:11 */
		20,				       /* +0, +2: row 0x1008 b.h:13 */
		2, 8,				       /* 0x1010 */
		0, 1, 1,			       /* end of sequence */
	};
	struct lineprog_sections secs = { 0 };
	uint8_t buf[4 + 2 + 4 + sizeof(hdr) + sizeof(prog)];
	uint32_t unit_len = (uint32_t)(sizeof(buf) - 4), hdr_len = sizeof(hdr), line;
	struct lineprog lp;
	uint64_t file;

	(void)state;
	memcpy(buf, &unit_len, 4);
	buf[4] = 4;
	buf[5] = 0;
	memcpy(buf + 6, &hdr_len, 4);
	memcpy(buf + 10, hdr, sizeof(hdr));
	memcpy(buf + 10 + sizeof(hdr), prog, sizeof(prog));
	secs.line = buf;
	secs.line_len = sizeof(buf);
	lineprog_init(&lp);
	assert_int_equal(lineprog_read(&lp, &secs, 0), 0);
	assert_string_equal(lineprog_file(&lp, 1), "a.c");
	assert_string_equal(lineprog_file(&lp, 2), "sub/b.h");
	assert_null(lineprog_file(&lp, 3));
	assert_false(lineprog_find(&lp, 0xfff, &file, &line));
	assert_true(lineprog_find(&lp, 0x1003, &file, &line));
	assert_int_equal(file, 1);
	assert_int_equal(line, 10);
	assert_true(lineprog_find(&lp, 0x1004, &file, &line));
	assert_int_equal(line, 11);
	assert_true(lineprog_find(&lp, 0x1008, &file, &line));
	assert_int_equal(file, 2);
	assert_int_equal(line, 13);
	assert_true(lineprog_find(&lp, 0x100f, &file, &line));
	assert_int_equal(line, 13);
	assert_false(lineprog_find(&lp, 0x1010, &file, &line));
	assert_false(lineprog_find(&lp, 0x2000, &file, &line));
	assert_int_equal(lineprog_read(&lp, &secs, sizeof(buf)), -EINVAL);
	assert_null(lineprog_file(&lp, 1));
	for (size_t len = 0; len < sizeof(buf); len++) {
		uint8_t *cut = malloc(len ? len : 1); /* so that ASan sees a read past its end */

		memcpy(cut, buf, len);
		secs.line = cut;
		secs.line_len = len;
		if (!lineprog_read(&lp, &secs, 0))
			lineprog_find(&lp, 0x1008, &file, &line);
		lp.off = UINT64_MAX; /* read the next cut afresh */
		free(cut);
	}
	lineprog_fini(&lp);
}

/* A debuglink file of another build (wrong CRC) must not be used. */
static void test_user_bad_crc(void **state)
{
	struct sym_cache *sc = cache_new();
	struct child c;

	(void)state;
	child_start(&c, FX("fx_badcrc"), NULL);
	expect_unknown(sc, c.pid, child_addr(&c, "alpha"), "[unknown: fx_badcrc has no symbols]",
		       "fx_badcrc");
	child_stop(&c);
	sym_cache_free(sc);
}

/* Stripped files without debug files: say so; a library still names its exports. */
static void test_user_stripped(void **state)
{
	struct sym_cache *sc = cache_new();
	struct child c;

	(void)state;
	child_start(&c, FX("fx_stripped"), "dlopen:" FX("libfx_stripped.so"));
	expect_unknown(sc, c.pid, child_addr(&c, "alpha"), "[unknown: fx_stripped has no symbols]",
		       "fx_stripped");
	expect_user(sc, c.pid, child_addr(&c, "lib_func"), "fx_lib_func", "libfx_stripped.so", 0);
	expect_unknown(sc, c.pid, child_addr(&c, "lib_static"),
		       "[unknown: libfx_stripped.so is stripped and has no debug file]",
		       "libfx_stripped.so");
	child_stop(&c);
	sym_cache_free(sc);
}

/* C++ names read as in the source, parameter lists included. */
static void test_user_cxx(void **state)
{
	struct sym_cache *sc = cache_new();
	struct child c;

	(void)state;
	child_start(&c, FX("fx_cxx"), NULL);
	assert_int_equal(sym_process_note(sc, (uint32_t)c.pid), 0);
	expect_user(sc, c.pid, child_addr(&c, "dispatch") + 1,
		    "dispatch_command(enum_server_command, THD*, char*, unsigned int, bool)",
		    "fx_cxx", 1);
	expect_user(sc, c.pid, child_addr(&c, "poke"), "fx::Widget::poke(int) const", "fx_cxx", 0);
	expect_user(sc, c.pid, child_addr(&c, "overload_int"), "fx::overload(int)", "fx_cxx", 0);
	expect_user(sc, c.pid, child_addr(&c, "overload_str"), "fx::overload(char const*)",
		    "fx_cxx", 0);
	expect_user(sc, c.pid, child_addr(&c, "twice"), "long fx::twice<long>(long)", "fx_cxx", 0);
	child_stop(&c);
	sym_cache_free(sc);
}

/* Whether /proc/PID/map_files can be opened here (it needs CAP_SYS_ADMIN). */
static bool map_files_work(void)
{
	char path[64];
	struct dirent *d;
	bool ok = false;
	DIR *dir;

	dir = opendir("/proc/self/map_files");
	if (!dir)
		return false;
	while ((d = readdir(dir))) {
		int fd;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/map_files/%.40s", d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			ok = true;
		}
		break;
	}
	closedir(dir);
	return ok;
}

/* Copy a file. */
static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	assert_int_equal(close(out), 0);
}

/* A library deleted while mapped, named after the process has exited too. */
static void test_user_deleted_lib(void **state)
{
	struct sym_cache *sc;
	char arg[160];
	struct child c;

	(void)state;
	if (!map_files_work())
		skip();
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/ktop-symtest-XXXXXX");
	assert_non_null(mkdtemp(tmp_dir));
	snprintf(tmp_file, sizeof(tmp_file), "%s/libfx_del.so", tmp_dir);
	copy_file(FX("libfx.so"), tmp_file);
	snprintf(arg, sizeof(arg), "dlopen:%s", tmp_file);
	child_start(&c, FX("fx_pie"), arg);
	unlink(tmp_file);
	rmdir(tmp_dir);
	tmp_dir[0] = tmp_file[0] = '\0';
	sc = cache_new();
	assert_int_equal(sym_process_note(sc, (uint32_t)c.pid), 0);
	child_stop(&c);
	expect_user(sc, c.pid, child_addr(&c, "lib_func") + 1, "fx_lib_func", "libfx_del.so", 1);
	expect_user(sc, c.pid, child_addr(&c, "lib_static"), "fx_lib_static", "libfx_del.so", 0);
	expect_program(sc, &c, "fx_pie");
	sym_cache_free(sc);
}

/* JIT code in anonymous memory or a memfd: named from /tmp/perf-PID.map, or why not. */
static void test_user_perfmap(void **state)
{
	struct sym_cache *sc = cache_new();
	char text[512];
	char why[128];
	char module[64];
	struct sym_frame f;
	struct child c;
	uint64_t memfd;
	uint64_t jit;
	FILE *map;

	(void)state;
	child_start(&c, FX("fx_pie"), "jit");
	jit = child_addr(&c, "jit");
	memfd = child_addr(&c, "memfd");
	snprintf(tmp_perfmap, sizeof(tmp_perfmap), "/tmp/perf-%d.map", c.pid);
	snprintf(module, sizeof(module), "perf-%d.map", c.pid);
	unlink(tmp_perfmap);
	assert_int_equal(sym_process_note(sc, (uint32_t)c.pid), 0);
	snprintf(why, sizeof(why), "[anon JIT: no /tmp/perf-%d.map]", c.pid);
	expect_unknown(sc, c.pid, jit + 0x10, why, "");
	sym_user(sc, (uint32_t)c.pid, memfd, &f);
	assert_int_equal(f.kind, SYM_UNKNOWN);
	assert_string_equal(f.module, "memfd:fxjit");

	snprintf(text, sizeof(text),
		 "%" PRIx64 " 40 jit_func_one\n%" PRIx64 " 20 jit_func_two\n%" PRIx64
		 " 100 jit_memfd\n",
		 jit, jit + 0x40, memfd);
	write_file(tmp_perfmap, text);
	sym_process_forget(sc, (uint32_t)c.pid);
	expect_user(sc, c.pid, jit + 0x10, "jit_func_one", module, 0x10);
	expect_user(sc, c.pid, jit + 0x45, "jit_func_two", module, 5);
	expect_user(sc, c.pid, memfd + 4, "jit_memfd", module, 4);
	snprintf(why, sizeof(why), "[anon JIT: not in /tmp/perf-%d.map]", c.pid);
	expect_unknown(sc, c.pid, jit + 0x100, why, "");
	expect_program(sc, &c, "fx_pie");

	/* The JIT appends; within a few seconds a new miss rereads the map. */
	map = fopen(tmp_perfmap, "a");
	assert_non_null(map);
	fprintf(map, "%" PRIx64 " 80 jit_func_three\n", jit + 0x100);
	assert_int_equal(fclose(map), 0);
	for (int i = 0; i < 50; i++) {
		sym_user(sc, (uint32_t)c.pid, jit + 0x101 + (uint64_t)i, &f);
		if (f.kind == SYM_USER)
			break;
		usleep(100 * 1000);
	}
	assert_string_equal(f.name, "jit_func_three");
	expect_user(sc, c.pid, jit + 0x100, "jit_func_three", module, 0); /* no stale miss */
	unlink(tmp_perfmap);
	tmp_perfmap[0] = '\0';
	child_stop(&c);
	sym_cache_free(sc);
}

/* Whether pid is kthreadd (so this runs in the initial PID namespace). */
static bool is_kthreadd(pid_t pid)
{
	char path[64];
	char comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strcmp(comm, "kthreadd\n");
}

/* Addresses outside every mapping, the vdso, and processes never seen. */
static void test_user_unknowns(void **state)
{
	struct sym_cache *sc = cache_new();
	struct child gone;
	struct child c;
	char why[128];

	(void)state;
	child_start(&c, FX("fx_pie"), NULL);
	assert_int_equal(sym_process_note(sc, (uint32_t)c.pid), 0);
	snprintf(why, sizeof(why), "[unknown: no mapping here]");
	expect_unknown(sc, c.pid, 0x1000, why, "");
	expect_unknown(sc, c.pid, 0, why, "");
	expect_unknown(sc, c.pid, child_addr(&c, "vdso"), "[vdso]", "[vdso]");
	child_stop(&c);

	child_start(&gone, FX("fx_pie"), NULL);
	child_stop(&gone);
	snprintf(why, sizeof(why), "[unknown: exited before its maps were read]");
	expect_unknown(sc, gone.pid, child_addr(&gone, "alpha"), why, "");

	/* A kernel thread (kthreadd, PID 2 in the initial namespace) has no user mappings. */
	if (is_kthreadd(2)) {
		const char *kthread = "[unknown: no executable mappings (exited, or a kernel "
				      "thread)]";

		assert_int_equal(sym_process_note(sc, 2), -ENODATA);
		expect_unknown(sc, 2, 0x400000, kthread, "");
	}
	sym_cache_free(sc);
}

/* The test program itself and libc: real binaries, not fixtures. */
static void test_user_self(void **state)
{
	struct sym_cache *sc = cache_new();
	struct sym_frame f;

	(void)state;
	expect_user(sc, getpid(), (uint64_t)(uintptr_t)sym_cache_new + 1, "sym_cache_new",
		    "test_symbols", 1);
	sym_user(sc, (uint32_t)getpid(), (uint64_t)(uintptr_t)getpid, &f);
	assert_int_equal(f.kind, SYM_USER);
	assert_string_equal(f.name, "getpid");
	assert_non_null(strstr(f.module, "libc"));
	sym_cache_free(sc);
	sym_cache_free(NULL);
}

/* After the first pass every lookup comes from the cache; equal names share one copy. */
static void test_cache_stats(void **state)
{
	static const char *const names[] = {"alpha", "local", "zero", "zero_next"};
	struct sym_cache *sc = cache_new();
	struct sym_stats first;
	struct sym_stats again;
	struct sym_frame a;
	struct sym_frame b;
	struct child c;

	(void)state;
	child_start(&c, FX("fx_pie"), NULL);
	for (size_t i = 0; i < 4; i++)
		sym_user(sc, (uint32_t)c.pid, child_addr(&c, names[i]), &a);
	sym_cache_stats(sc, &first);
	assert_int_equal(first.processes, 1);
	assert_int_equal(first.files, 1);
	assert_int_equal(first.addresses, 4);
	assert_int_equal(first.lookups, 4);
	assert_int_equal(first.misses, 4);
	assert_true(first.arena_bytes > 0);
	for (size_t i = 0; i < 4; i++)
		sym_user(sc, (uint32_t)c.pid, child_addr(&c, names[i]), &a);
	sym_cache_stats(sc, &again);
	assert_int_equal(again.lookups, 8);
	assert_int_equal(again.misses, 4);
	assert_int_equal(again.arena_bytes, first.arena_bytes);

	sym_user(sc, (uint32_t)c.pid, child_addr(&c, "alpha") + 1, &a);
	sym_user(sc, (uint32_t)c.pid, child_addr(&c, "alpha") + 2, &b);
	assert_ptr_equal(a.name, b.name);
	assert_ptr_equal(a.module, b.module);
	sym_cache_stats(sc, &again);
	assert_int_equal(again.arena_bytes, first.arena_bytes);
	child_stop(&c);
	sym_cache_free(sc);
}

/*
 * Past the process limit (4096) the least recently used are dropped, an eighth at a time: an
 * exited process still in use keeps its names, one noted and never used again loses them.
 */
static void test_cache_evicts_least_used(void **state)
{
	struct sym_cache *sc = cache_new();
	struct child used, idle;
	struct sym_stats st;
	struct sym_frame f;
	char why[128];

	(void)state;
	child_start(&used, FX("fx_pie"), NULL);
	child_start(&idle, FX("fx_pie"), NULL);
	assert_int_equal(sym_process_note(sc, (uint32_t)idle.pid), 0);
	assert_int_equal(sym_process_note(sc, (uint32_t)used.pid), 0);
	child_stop(&used);
	child_stop(&idle);
	/* pids above any pid_max: nothing to read, but each is a process to remember */
	for (uint32_t i = 0; i < 6000; i++) {
		sym_process_note(sc, 5000000 + i);
		if (i % 512 == 0)
			sym_user(sc, (uint32_t)used.pid, child_addr(&used, "alpha"), &f);
	}
	sym_cache_stats(sc, &st);
	assert_true(st.processes <= 4096);
	assert_true(st.processes >= 4096 - 4096 / 8 - 1);
	expect_user(sc, used.pid, child_addr(&used, "alpha"), "fx_alpha", "fx_pie", 0);
	snprintf(why, sizeof(why), "[unknown: exited before its maps were read]");
	expect_unknown(sc, idle.pid, child_addr(&idle, "alpha"), why, "");
	sym_cache_free(sc);
}

/*
 * Two processes of one program share its files' named offsets: the second one's lookups are
 * hits wherever the two were loaded, and frames alternating between the program and its
 * library (the mapping hint) and between the processes get the right names.
 */
static void test_cache_shared_files(void **state)
{
	static const char *const names[] = {"alpha", "lib_func"};
	static const char *const want[] = {"fx_alpha", "fx_lib_func"};
	static const char *const modules[] = {"fx_uselib", "libfx.so"};
	struct sym_cache *sc = cache_new();
	struct sym_stats first;
	struct sym_stats st;
	struct child c[2];

	(void)state;
	child_start(&c[0], FX("fx_uselib"), NULL);
	child_start(&c[1], FX("fx_uselib"), NULL);
	for (size_t i = 0; i < 2; i++)
		expect_user(sc, c[0].pid, child_addr(&c[0], names[i]) + 1, want[i], modules[i], 1);
	sym_cache_stats(sc, &first);
	assert_int_equal(first.misses, 2);
	assert_int_equal(first.addresses, 2);
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < 4; i++) {
			const struct child *in = &c[(i + (size_t)round) % 2];

			expect_user(sc, in->pid, child_addr(in, names[i % 2]) + 1, want[i % 2],
				    modules[i % 2], 1);
		}
	sym_cache_stats(sc, &st);
	assert_int_equal(st.processes, 2);
	assert_int_equal(st.misses, first.misses);
	assert_int_equal(st.addresses, first.addresses);
	/* Another offset in the same function is a new entry, named from the same symbol. */
	expect_user(sc, c[1].pid, child_addr(&c[1], "alpha") + 3, "fx_alpha", "fx_uselib", 3);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.misses, first.misses + 1);
	/* The files outlive the first process while the second maps them. */
	sym_process_forget(sc, (uint32_t)c[0].pid);
	expect_user(sc, c[1].pid, child_addr(&c[1], "lib_func") + 1, "fx_lib_func", "libfx.so", 1);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.processes, 1);
	assert_int_equal(st.misses, first.misses + 1);
	child_stop(&c[0]);
	child_stop(&c[1]);
	sym_cache_free(sc);
}

/*
 * sym_cache_release: a live process stays however idle; an exited one is forgotten once idle,
 * and the files no process left maps with it; a file a new process maps again is not parsed
 * again (fork/exec churn).
 */
static void test_cache_release(void **state)
{
	const uint64_t idle = 60000000000ULL, t = 1000000000ULL;
	struct sym_cache *sc = cache_new();
	struct sym_stats st, first;
	struct child a, b;

	(void)state;
	child_start(&a, FX("fx_uselib"), NULL);
	assert_int_equal(sym_process_note(sc, (uint32_t)a.pid), 0);
	expect_program(sc, &a, "fx_uselib");
	expect_user(sc, a.pid, child_addr(&a, "lib_func"), "fx_lib_func", "libfx.so", 0);
	sym_cache_stats(sc, &first);
	assert_int_equal(first.processes, 1);
	assert_int_equal(first.files, 2);
	assert_true(first.files_kept >= 2); /* the program, libfx.so, libc, ld.so */
	assert_int_equal(sym_cache_release(sc, t, idle), 0);
	/* Idle but alive: kept, so a sleeper is named when it wakes. */
	assert_int_equal(sym_cache_release(sc, t + idle, idle), 0);
	child_stop(&a);
	/* Exited, not idle yet: still named. */
	expect_user(sc, a.pid, child_addr(&a, "lib_static"), "fx_lib_static", "libfx.so", 0);
	assert_int_equal(sym_cache_release(sc, t + idle + 1, idle), 0);

	/* The same program again: its files are shared, not parsed again. */
	child_start(&b, FX("fx_uselib"), NULL);
	assert_int_equal(sym_process_note(sc, (uint32_t)b.pid), 0);
	expect_program(sc, &b, "fx_uselib");
	sym_cache_stats(sc, &st);
	assert_int_equal(st.processes, 2);
	assert_int_equal(st.parses, first.parses);
	child_stop(&b);

	/* a was last used before b: it goes first; b's files stay with b. */
	assert_int_equal(sym_cache_release(sc, t + 2 * idle + 1, idle), 1);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.processes, 1);
	assert_int_equal(st.processes_released, 1);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.files_released, 0);
	expect_unknown(sc, a.pid, child_addr(&a, "alpha"),
		       "[unknown: exited before its maps were read]", "");
	sym_process_forget(sc, (uint32_t)a.pid);

	/* b idle and gone: forgotten, and every file with it. */
	assert_int_equal(sym_cache_release(sc, t + 4 * idle, idle), 1 + first.files_kept);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.processes, 0);
	assert_int_equal(st.files, 0);
	assert_int_equal(st.files_kept, 0);
	assert_int_equal(st.files_released, first.files_kept);
	sym_cache_free(sc);
}

/*
 * sym_process_exited (the kernel's exit note): the process is forgotten once idle without the
 * kernel being asked (here it still runs, so asking would keep it), and a note of its PID
 * after that reads the maps afresh: a new process that reuses the PID.
 */
static void test_cache_exited(void **state)
{
	const uint64_t idle = 60000000000ULL, t = 1000000000ULL;
	struct sym_cache *sc = cache_new();
	struct sym_stats st, first;
	struct child a;

	(void)state;
	child_start(&a, FX("fx_uselib"), NULL);
	assert_int_equal(sym_process_note(sc, (uint32_t)a.pid), 0);
	expect_program(sc, &a, "fx_uselib");
	sym_cache_stats(sc, &first);
	/* A second note of a process known reads nothing. */
	assert_int_equal(sym_process_note(sc, (uint32_t)a.pid), 0);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.maps_reads, first.maps_reads);

	sym_process_exited(sc, (uint32_t)a.pid);
	/* Its stacks are still named from the maps kept. */
	expect_user(sc, a.pid, child_addr(&a, "lib_func"), "fx_lib_func", "libfx.so", 0);
	/* A note now is of another process of that PID: its maps are read again. */
	assert_int_equal(sym_process_note(sc, (uint32_t)a.pid), 0);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.maps_reads, first.maps_reads + 1);
	expect_program(sc, &a, "fx_uselib");

	sym_process_exited(sc, (uint32_t)a.pid);
	assert_int_equal(sym_cache_release(sc, t, idle), 0);
	assert_int_equal(sym_cache_release(sc, t + idle, idle), 1 + first.files_kept);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.processes, 0);
	assert_int_equal(st.processes_released, 1);
	child_stop(&a);
	sym_cache_free(sc);
}

/* A file whose last process was forgotten stays parsed until idle: the next start reuses it. */
static void test_cache_keeps_unmapped_file(void **state)
{
	const uint64_t idle = 60000000000ULL, t = 1000000000ULL;
	struct sym_cache *sc = cache_new();
	struct sym_stats st, first;
	struct child a, b;

	(void)state;
	child_start(&a, FX("fx_pie"), NULL);
	expect_program(sc, &a, "fx_pie");
	child_stop(&a);
	sym_process_forget(sc, (uint32_t)a.pid);
	sym_cache_stats(sc, &first);
	assert_int_equal(first.processes, 0);
	assert_int_equal(first.files, 1);
	assert_int_equal(sym_cache_release(sc, t, idle), 0);

	child_start(&b, FX("fx_pie"), NULL);
	expect_program(sc, &b, "fx_pie");
	sym_cache_stats(sc, &st);
	assert_int_equal(st.parses, first.parses);
	child_stop(&b);
	sym_process_forget(sc, (uint32_t)b.pid);
	/* Unused and unmapped for the idle period: freed. */
	assert_int_equal(sym_cache_release(sc, t + idle / 2, idle), 0);
	assert_int_equal(sym_cache_release(sc, t + 2 * idle, idle), first.files_kept);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.files, 0);
	assert_int_equal(st.files_kept, 0);
	sym_cache_free(sc);
}

/* Remove what a test (failed or not) left in /tmp. */
static int teardown_files(void **state)
{
	char *files[] = {tmp_perfmap, tmp_file, tmp_kallsyms, tmp_data};

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i][0])
			unlink(files[i]);
		files[i][0] = '\0';
	}
	if (tmp_dir[0])
		rmdir(tmp_dir);
	tmp_dir[0] = '\0';
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ksyms_file, teardown_files),
		cmocka_unit_test(test_ksyms_pfx_shared),
		cmocka_unit_test(test_source_build_id),
		cmocka_unit_test(test_lineprog_rows),
		cmocka_unit_test_teardown(test_kernel_fake, teardown_files),
		cmocka_unit_test_teardown(test_kernel_real, teardown_files),
		cmocka_unit_test_teardown(test_procmaps_parse, teardown_files),
		cmocka_unit_test_teardown(test_procmaps_read_matches_text, teardown_files),
		cmocka_unit_test_teardown(test_procmaps_zombie, teardown_files),
		cmocka_unit_test_teardown(test_demangle, teardown_files),
		cmocka_unit_test_teardown(test_debuginfo_crc, teardown_files),
		cmocka_unit_test_teardown(test_perfmap_file, teardown_files),
		cmocka_unit_test_teardown(test_user_pie, teardown_files),
		cmocka_unit_test_teardown(test_user_nopie, teardown_files),
		cmocka_unit_test_teardown(test_user_shared_lib, teardown_files),
		cmocka_unit_test_teardown(test_user_after_exit, teardown_files),
		cmocka_unit_test_teardown(test_user_debuglink, teardown_files),
		cmocka_unit_test_teardown(test_user_build_id, teardown_files),
		cmocka_unit_test_teardown(test_user_bad_crc, teardown_files),
		cmocka_unit_test_teardown(test_user_stripped, teardown_files),
		cmocka_unit_test_teardown(test_user_cxx, teardown_files),
		cmocka_unit_test_teardown(test_user_deleted_lib, teardown_files),
		cmocka_unit_test_teardown(test_user_perfmap, teardown_files),
		cmocka_unit_test_teardown(test_user_unknowns, teardown_files),
		cmocka_unit_test_teardown(test_user_self, teardown_files),
		cmocka_unit_test_teardown(test_cache_stats, teardown_files),
		cmocka_unit_test_teardown(test_cache_evicts_least_used, teardown_files),
		cmocka_unit_test_teardown(test_cache_shared_files, teardown_files),
		cmocka_unit_test_teardown(test_cache_exited, teardown_files),
		cmocka_unit_test_teardown(test_cache_release, teardown_files),
		cmocka_unit_test_teardown(test_cache_keeps_unmapped_file, teardown_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
