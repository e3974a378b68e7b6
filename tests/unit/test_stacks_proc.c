// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of collectors/stacks_proc.c: the stat, status and stack parsers on texts the kernel
 * writes (and hostile thread names), and reading this test's own threads from /proc.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/stacks_proc.h"

/* A stat line of a thread named "a) b (c" that ran 120 + 30 ticks and started at 4242. */
static const char stat_line[] =
	"77 (a) b (c) S 1 77 77 0 -1 4194560 100 0 0 0 120 30 0 0 20 0 2 0 4242 1000 10 "
	"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

/* The name ends at the last ')', and the numbers after it land in the right fields. */
static void test_stat(void **state)
{
	struct stacks_proc_task t;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_true(stacks_proc_parse_stat(stat_line, strlen(stat_line), &t));
	assert_string_equal(t.name, "a) b (c");
	assert_int_equal(t.state, 'S');
	assert_int_equal(t.ticks, 150);
	assert_int_equal(t.start, 4242);
}

/* Control characters in a name are escaped; texts cut short are refused. */
static void test_stat_hostile(void **state)
{
	const char esc[] = "9 (\x1b[31mred\n) R 1 9 9 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 77 0\n";
	struct stacks_proc_task t;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_true(stacks_proc_parse_stat(esc, strlen(esc), &t));
	assert_null(strchr(t.name, '\x1b'));
	assert_null(strchr(t.name, '\n'));
	assert_int_equal(t.ticks, 11);
	assert_false(stacks_proc_parse_stat(stat_line, 40, &t));
	assert_false(stacks_proc_parse_stat("77 (x", 5, &t));
	assert_false(stacks_proc_parse_stat("", 0, &t));
}

/* The process and the context switch counts come from their lines of status. */
static void test_status(void **state)
{
	const char status[] = "Name:\tx\nTgid:\t70\nPid:\t77\nvoluntary_ctxt_switches:\t12\n"
			      "nonvoluntary_ctxt_switches:\t3\n";
	struct stacks_proc_task t;

	(void)state;
	memset(&t, 0, sizeof(t));
	stacks_proc_parse_status(status, strlen(status), &t);
	assert_int_equal(t.tgid, 70);
	assert_int_equal(t.voluntary, 12);
	assert_int_equal(t.involuntary, 3);
}

/* A stack file becomes "inner <- outer", offsets dropped; what does not fit ends in "...". */
static void test_kstack(void **state)
{
	const char stack[] = "[<0>] do_nanosleep+0x67/0x190\n[<0>] hrtimer_nanosleep+0xbe/0x1a0\n"
			     "[<0>] __x64_sys_clock_nanosleep+0xd0/0x140\n";
	char out[512];
	char small[40];

	(void)state;
	stacks_proc_format_kstack(stack, strlen(stack), out, sizeof(out));
	assert_string_equal(out, "do_nanosleep <- hrtimer_nanosleep <- __x64_sys_clock_nanosleep");
	stacks_proc_format_kstack(stack, strlen(stack), small, sizeof(small));
	assert_string_equal(small, "do_nanosleep <- hrtimer_nanosleep ...");
	stacks_proc_format_kstack("", 0, out, sizeof(out));
	assert_string_equal(out, "");
}

/* Park until told to go. */
static void *park(void *arg)
{
	int *fds = arg;
	char c;

	return read(fds[0], &c, 1) == 1 ? NULL : arg;
}

/* This process's threads are listed in order and read; a PID that is not there is -ESRCH. */
static void test_read_self(void **state)
{
	uint32_t *tids = NULL;
	size_t cap = 0;
	pthread_t thread;
	int fds[2];
	int n;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(pthread_create(&thread, NULL, park, fds), 0);
	n = stacks_proc_list((uint32_t)getpid(), &tids, &cap);
	assert_true(n >= 2);
	for (int i = 1; i < n; i++)
		assert_true(tids[i - 1] < tids[i]);
	for (int i = 0; i < n; i++) {
		struct stacks_proc_task t;

		assert_int_equal(stacks_proc_read_task((uint32_t)getpid(), tids[i], true, &t), 0);
		assert_int_equal(t.tid, tids[i]);
		assert_int_equal(t.tgid, (uint32_t)getpid());
		assert_true(t.name[0] != '\0');
		assert_true(t.start > 0);
	}
	assert_int_equal(write(fds[1], "x", 1), 1);
	pthread_join(thread, NULL);
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(stacks_proc_list(0x7ffffffe, &tids, &cap), -ESRCH);
	assert_int_equal(stacks_proc_read_task((uint32_t)getpid(), 0x7ffffffe, false,
					       &(struct stacks_proc_task){ 0 }),
			 -ESRCH);
	free(tids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat),	  cmocka_unit_test(test_stat_hostile),
		cmocka_unit_test(test_status),	  cmocka_unit_test(test_kstack),
		cmocka_unit_test(test_read_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
