// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Overview's cumulative sum over a replay's range (collectors/sched_sum.c): the
 * time of each process and thread is summed by identity whatever order the intervals list
 * them in, a process seen in one interval only keeps its time, the latest interval's name
 * and state win, the seconds add up, and the shown model keeps its system figures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sched_sum.h"

static struct sched_row row(uint32_t pid, uint32_t tid, const char *comm, char state,
			    uint64_t cpu_ns)
{
	struct sched_row r = { .pid = pid, .tid = tid, .threads = 1, .state = state };

	snprintf(r.comm, sizeof(r.comm), "%s", comm);
	r.ns[SCHED_TIME_CPU] = cpu_ns;
	r.ns[SCHED_TIME_IO] = 2 * cpu_ns;
	return r;
}

/* A row of pid/tid among n, or NULL. */
static const struct sched_row *find(const struct sched_row *rows, size_t n, uint32_t pid,
				    uint32_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].pid == pid && rows[i].tid == tid)
			return &rows[i];
	return NULL;
}

static void test_sum_by_identity(void **state)
{
	struct sched_row a_procs[] = { row(10, 0, "web", 'S', 100), row(20, 0, "db", 'R', 5) };
	struct sched_row a_threads[] = { row(10, 11, "web-w", 'S', 100),
					 row(20, 20, "db", 'R', 5) };
	struct sched_row b_procs[] = { row(30, 0, "cron", 'S', 7), row(10, 0, "web2", 'D', 1) };
	struct sched_row b_threads[] = { row(10, 11, "web-w", 'D', 1),
					 row(30, 30, "cron", 'S', 7) };
	struct sched_model a = { .interval_s = 0.5, .procs = a_procs, .nprocs = 2,
				 .threads = a_threads, .nthreads = 2 };
	struct sched_model b = { .interval_s = 0.25, .procs = b_procs, .nprocs = 2,
				 .threads = b_threads, .nthreads = 2 };
	struct sched_model shown = { .interval_s = 0.25 };
	struct sched_sum s = { 0 };
	const struct sched_row *r;

	(void)state;
	shown.sys.ncpus = 4;
	sched_sum_add(&s, &a);
	sched_sum_add(&s, &b);
	sched_sum_apply(&s, &shown);
	assert_true(shown.interval_s == 0.75);
	assert_int_equal(shown.sys.ncpus, 4);
	assert_int_equal(shown.nprocs, 3);
	assert_int_equal(shown.nthreads, 3);
	r = find(shown.procs, shown.nprocs, 10, 0);
	assert_non_null(r);
	assert_int_equal(r->ns[SCHED_TIME_CPU], 101);
	assert_int_equal(r->ns[SCHED_TIME_IO], 202);
	assert_string_equal(r->comm, "web2");
	assert_int_equal(r->state, 'D');
	assert_int_equal(find(shown.procs, shown.nprocs, 20, 0)->ns[SCHED_TIME_CPU], 5);
	assert_int_equal(find(shown.procs, shown.nprocs, 30, 0)->ns[SCHED_TIME_CPU], 7);
	assert_int_equal(find(shown.threads, shown.nthreads, 10, 11)->ns[SCHED_TIME_CPU], 101);
	sched_model_clear(&shown);
	sched_sum_clear(&s);
	assert_int_equal(s.nprocs, 0);
	assert_true(s.seconds == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_by_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
