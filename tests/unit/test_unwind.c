// SPDX-License-Identifier: GPL-2.0
/*
 * Tests symbols/unwind.c on this process: a thread runs a call chain built without frame
 * pointers, its innermost function takes its registers and copies its stack, and the copy is
 * unwound after the thread has exited and its stack was wiped, so only the copy can be read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "symbols/srcinfo.h"
#include "symbols/symbols.h"
#include "symbols/unwind.h"
#include "tests/unit/unwind_chain.h"

#define THREAD_STACK (256 * 1024)

/* A thread's stack as it was in leaf_snap. */
struct snap {
	uint8_t *stack; /* the thread's stack: [stack, stack + THREAD_STACK) */
	uint64_t regs[UNWIND_NREGS];
	uint64_t base;
	uint8_t copy[THREAD_STACK];
	size_t len;
	uint32_t tid;
};

/* A byte copy that ASan does not check: the stack holds other frames' red zones. */
__attribute__((no_sanitize_address, noinline)) static void
copy_bytes(uint8_t *dst, const volatile uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
}

#if defined(__x86_64__)
/* The registers of a ucontext in DWARF order (rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip). */
static void regs_from(const ucontext_t *uc, uint64_t *regs)
{
	static const int order[UNWIND_NREGS] = {
		REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI, REG_RBP, REG_RSP, REG_R8,
		REG_R9,	 REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP,
	};

	for (int i = 0; i < UNWIND_NREGS; i++)
		regs[i] = (uint64_t)uc->uc_mcontext.gregs[order[i]];
}
#endif

/* The innermost function: what BPF does at a sample, done by the thread on itself. */
__attribute__((noinline)) static int leaf_snap(void *arg)
{
	struct snap *s = arg;
	ucontext_t uc;

	getcontext(&uc);
#if defined(__x86_64__)
	regs_from(&uc, s->regs);
#endif
	s->base = s->regs[7];
	s->len = (size_t)((uint64_t)(s->stack + THREAD_STACK) - s->base);
	s->tid = (uint32_t)syscall(SYS_gettid);
	copy_bytes(s->copy, (const uint8_t *)s->base, s->len);
	return 0;
}

static void *thread_main(void *arg)
{
	chain_outer(leaf_snap, arg);
	return NULL;
}

/* Run the chain on a thread whose stack is ours, then wipe that stack. */
static struct snap *snap_take(void)
{
	struct snap *s = calloc(1, sizeof(*s));
	pthread_attr_t attr;
	pthread_t t;

	assert_non_null(s);
	s->stack = aligned_alloc(4096, THREAD_STACK);
	assert_non_null(s->stack);
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstack(&attr, s->stack, THREAD_STACK), 0);
	assert_int_equal(pthread_create(&t, &attr, thread_main, s), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
	memset(s->stack, 0, THREAD_STACK);
	return s;
}

static void snap_free(struct snap *s)
{
	free(s->stack);
	free(s);
}

/* Names of pcs[0..n), innermost first. */
static void name_all(const uint64_t *pcs, size_t n, const char **names)
{
	struct sym_cache *sc;
	char why[128];

	assert_int_equal(sym_cache_new(&sc, why, sizeof(why)), 0);
	for (size_t i = 0; i < n; i++) {
		struct sym_frame f;

		sym_user(sc, (uint32_t)getpid(), pcs[i], &f);
		names[i] = strdup(f.name);
	}
	sym_cache_free(sc);
}

/* The index of name in names, or -1. */
static int find(const char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

/* The sample of this process that s holds, its first len bytes copied. */
static struct unwind_sample sample_of(const struct snap *s, size_t len, bool cut)
{
	return (struct unwind_sample){
		.pid = (uint32_t)getpid(),
		.tid = s->tid,
		.regs = s->regs,
		.stack_base = s->base,
		.stack = s->copy,
		.stack_len = len,
		.stack_cut = cut,
	};
}

static size_t unwind(struct snap *s, size_t len, bool cut, uint64_t *pcs, size_t max,
		     enum unwind_end *end)
{
	struct unwind_cache *uc = unwind_cache_new(NULL);
	struct unwind_sample smp = sample_of(s, len, cut);
	char why[256] = "";
	size_t n = unwind_stack(uc, &smp, pcs, max, end, why, sizeof(why));

	if (*end == UNWIND_END_ERROR)
		print_message("# unwind stopped: %s\n", why);
	unwind_cache_free(uc);
	return n;
}

/* The whole chain, in order, from a copy of a stack that no longer exists. */
static void test_chain_complete(void **state)
{
	struct snap *s = snap_take();
	uint64_t pcs[64];
	const char *names[64];
	enum unwind_end end;
	size_t n = unwind(s, s->len, false, pcs, 64, &end);
	int leaf, inner, middle, outer, top;

	(void)state;
	assert_true(n >= 5);
	name_all(pcs, n, names);
	for (size_t i = 0; i < n; i++)
		print_message("# frame %zu: %s\n", i, names[i]);
	leaf = find(names, n, "leaf_snap");
	inner = find(names, n, "chain_inner");
	middle = find(names, n, "chain_middle");
	outer = find(names, n, "chain_outer");
	top = find(names, n, "thread_main");
	assert_int_equal(leaf, 0);
	assert_int_equal(inner, 1);
	assert_int_equal(middle, 2);
	assert_int_equal(outer, 3);
	assert_int_equal(top, 4);
	/* Past thread_main: the C library's thread start, where the chain ends by its CFI. */
	assert_true(n > 5);
	assert_int_equal(end, UNWIND_END_OUTERMOST);
	for (size_t i = 0; i < n; i++)
		free((char *)names[i]);
	snap_free(s);
}

/* A copy cut short at its limit: the frames in it, then UNWIND_END_CUT, not an error. */
static void test_chain_cut(void **state)
{
	struct snap *s = snap_take();
	uint64_t pcs[64];
	const char *names[64];
	enum unwind_end end;
	size_t n = unwind(s, 64, true, pcs, 64, &end);

	(void)state;
	assert_int_equal(end, UNWIND_END_CUT);
	assert_true(n >= 1);
	name_all(pcs, n, names);
	assert_string_equal(names[0], "leaf_snap");
	assert_int_equal(find(names, n, "chain_outer"), -1);
	for (size_t i = 0; i < n; i++)
		free((char *)names[i]);
	snap_free(s);
}

/* A caller's array too small for the chain: filled, and UNWIND_END_DEPTH. */
static void test_chain_depth(void **state)
{
	struct snap *s = snap_take();
	uint64_t pcs[3];
	enum unwind_end end;
	size_t n = unwind(s, s->len, false, pcs, 3, &end);

	(void)state;
	assert_int_equal(n, 3);
	assert_int_equal(end, UNWIND_END_DEPTH);
	snap_free(s);
}

/*
 * A child forked from this process has its mappings: its samples are walked with the modules
 * loaded for this process, not loaded again.
 */
static void test_forked_child_shares_layout(void **state)
{
	struct snap *s = snap_take();
	struct unwind_cache *uc = unwind_cache_new(NULL);
	struct unwind_sample smp = {
		.regs = s->regs,
		.stack_base = s->base,
		.stack = s->copy,
		.stack_len = s->len,
	};
	uint64_t mine[64], childs[64];
	struct unwind_stats st;
	enum unwind_end end;
	char why[256];
	size_t n, m;
	pid_t child;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		pause();
		_exit(0);
	}
	smp.pid = (uint32_t)getpid();
	smp.tid = s->tid;
	n = unwind_stack(uc, &smp, mine, 64, &end, why, sizeof(why));
	assert_int_equal(end, UNWIND_END_OUTERMOST);
	smp.pid = smp.tid = (uint32_t)child;
	m = unwind_stack(uc, &smp, childs, 64, &end, why, sizeof(why));
	assert_int_equal(end, UNWIND_END_OUTERMOST);
	assert_int_equal(m, n);
	assert_memory_equal(childs, mine, n * sizeof(*mine));
	unwind_cache_stats(uc, &st);
	assert_int_equal(st.samples, 2);
	assert_int_equal(st.layouts, 1);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	unwind_cache_free(uc);
	snap_free(s);
}

/*
 * The unwinder reads maps through the symbol cache it is lent: the reading its walk needed is
 * the one the names come from, and a forked child's maps, read for its walk, stay in the
 * cache after it exits, so its frames are still named.
 */
static void test_maps_read_once(void **state)
{
	struct snap *s = snap_take();
	struct unwind_sample smp = sample_of(s, s->len, false);
	struct srcinfo_level lv[8];
	struct unwind_cache *uc;
	struct sym_cache *sc;
	struct sym_stats st;
	struct sym_frame f;
	uint64_t pcs[64];
	enum unwind_end end;
	char why[256];
	size_t n;
	pid_t child;

	(void)state;
	assert_int_equal(sym_cache_new(&sc, why, sizeof(why)), 0);
	uc = unwind_cache_new(sc);
	n = unwind_stack(uc, &smp, pcs, 64, &end, why, sizeof(why));
	assert_int_equal(end, UNWIND_END_OUTERMOST);
	assert_true(n >= 5);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.processes, 1);
	assert_int_equal(st.maps_reads, 1);
	/* Naming the frames and asking for their lines read nothing more. */
	sym_user(sc, smp.pid, pcs[1], &f);
	assert_string_equal(f.name, "chain_inner");
	unwind_source(uc, smp.pid, pcs[1], lv, 8);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.maps_reads, 1);

	child = fork();
	assert_true(child >= 0);
	if (!child) {
		pause();
		_exit(0);
	}
	smp.pid = smp.tid = (uint32_t)child;
	assert_int_equal(unwind_stack(uc, &smp, pcs, 64, &end, why, sizeof(why)), n);
	sym_cache_stats(sc, &st);
	assert_int_equal(st.processes, 2);
	assert_int_equal(st.maps_reads, 2);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	sym_user(sc, (uint32_t)child, pcs[2], &f);
	assert_int_equal(f.kind, SYM_USER);
	assert_string_equal(f.name, "chain_middle");
	sym_cache_stats(sc, &st);
	assert_int_equal(st.maps_reads, 2);
	unwind_cache_free(uc);
	sym_cache_free(sc);
	snap_free(s);
}

/* A process that does not exist: no frames, an error that names it. */
static void test_no_process(void **state)
{
	struct unwind_cache *uc = unwind_cache_new(NULL);
	uint64_t regs[UNWIND_NREGS] = { 0 };
	uint8_t stack[64] = { 0 };
	struct unwind_sample smp = {
		.pid = 0x3fffffff,
		.tid = 0x3fffffff,
		.regs = regs,
		.stack = stack,
		.stack_len = sizeof(stack),
	};
	uint64_t pcs[4];
	enum unwind_end end;
	char why[256] = "";

	(void)state;
	assert_int_equal(unwind_stack(uc, &smp, pcs, 4, &end, why, sizeof(why)), 0);
	assert_int_equal(end, UNWIND_END_ERROR);
	assert_true(why[0] != '\0');
	unwind_cache_free(uc);
}

/*
 * A child running prog (its stdin the read end of *in when in is not NULL), once its loader
 * has mapped libc: its layout is whole.
 */
static pid_t exec_child(const char *prog, const char *name, int *in)
{
	char path[64], line[512];
	int fds[2] = { -1, -1 };
	pid_t pid;

	if (in)
		assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (in)
			dup2(fds[0], 0);
		execl(prog, name, name[0] == 's' ? "30" : NULL, (char *)NULL);
		_exit(127);
	}
	if (in) {
		close(fds[0]);
		*in = fds[1];
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	for (int i = 0; i < 3000; i++) {
		FILE *f = fopen(path, "r");
		bool mine = false, libc = false;

		while (f && fgets(line, sizeof(line), f)) {
			mine |= strstr(line, name) != NULL;
			libc |= strstr(line, "/libc.so") != NULL;
		}
		if (f)
			fclose(f);
		if (mine && libc)
			return pid;
		usleep(1000);
	}
	fail_msg("%s did not start", prog);
	return -1;
}

/*
 * The layout of a process that is gone is freed when a new one is loaded, not kept until the
 * cache is full: a server restarted, or a command run once, holds megabytes of debug data.
 */
static void test_gone_layout_dropped(void **state)
{
	struct unwind_cache *uc = unwind_cache_new(NULL);
	struct unwind_stats first, second, third;
	struct srcinfo_level lv[4];
	pid_t a, b;
	int in;

	(void)state;
	a = exec_child("/bin/sleep", "sleep", NULL);
	unwind_source(uc, (uint32_t)a, 0, lv, 4);
	unwind_cache_stats(uc, &first);
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	/* Another program: the first one's layout goes as this one's is loaded. */
	b = exec_child("/bin/cat", "cat", &in);
	unwind_source(uc, (uint32_t)b, 0, lv, 4);
	unwind_cache_stats(uc, &second);
	/* A live process's layout stays beside a new one. */
	unwind_source(uc, (uint32_t)getpid(), 0, lv, 4);
	unwind_cache_stats(uc, &third);
	close(in);
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
	unwind_cache_free(uc);

	assert_int_equal(first.layouts, 1);
	assert_int_equal(second.layouts, 1);
	assert_int_equal(second.layouts_dropped, 1);
	assert_int_equal(third.layouts, 2);
	assert_int_equal(third.layouts_dropped, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_complete),
		cmocka_unit_test(test_chain_cut),
		cmocka_unit_test(test_chain_depth),
		cmocka_unit_test(test_forked_child_shares_layout),
		cmocka_unit_test(test_maps_read_once),
		cmocka_unit_test(test_no_process),
		cmocka_unit_test(test_gone_layout_dropped),
	};

	if (!unwind_supported()) {
		printf("1..0 # SKIP DWARF unwinding is not built for this architecture\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
