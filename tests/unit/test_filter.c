// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of collectors/filter.c and the pure part of collectors/pid_filter.c: the PID set kept
 * sorted, which parts a filter change touched, and the PIDs a change adds and deletes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "collectors/filter.h"
#include "collectors/pid_filter.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Typed in any order, with a repeat: kept sorted and once. */
static void test_set_pids_sorted(void **state)
{
	const uint32_t typed[] = { 500, 7, 300, 7, 42 };
	const uint32_t want[] = { 7, 42, 300, 500 };
	struct filter f;

	(void)state;
	memset(&f, 0xff, sizeof(f));
	filter_set_pids(&f, typed, N(typed));
	assert_int_equal(f.npids, N(want));
	assert_memory_equal(f.pids, want, sizeof(want));
	filter_set_pids(&f, NULL, 0);
	assert_int_equal(f.npids, 0);
}

/* More than the filter holds: the first KTOP_MAX_PIDS given are kept. */
static void test_set_pids_bounded(void **state)
{
	uint32_t many[KTOP_MAX_PIDS + 8];
	struct filter f;

	(void)state;
	for (size_t i = 0; i < N(many); i++)
		many[i] = (uint32_t)(N(many) - i);
	filter_set_pids(&f, many, N(many));
	assert_int_equal(f.npids, KTOP_MAX_PIDS);
	assert_int_equal(f.pids[0], 9);
	assert_int_equal(f.pids[KTOP_MAX_PIDS - 1], N(many));
}

/* Each field changes its own part, and only that one; the same filter changes nothing. */
static void test_diff_parts(void **state)
{
	const uint32_t one = 1, two = 2;
	struct filter a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	filter_set_pids(&a, &one, 1);
	b = a;
	assert_int_equal(filter_diff(&a, &b), 0);
	filter_set_pids(&b, &two, 1);
	assert_int_equal(filter_diff(&a, &b), FILTER_PIDS);
	b = a;
	filter_set_pids(&b, NULL, 0);
	assert_int_equal(filter_diff(&a, &b), FILTER_PIDS);
	b = a;
	b.min_block_us = 5;
	assert_int_equal(filter_diff(&a, &b), FILTER_OFFCPU_BLOCK);
	b = a;
	b.max_block_us = 5;
	assert_int_equal(filter_diff(&a, &b), FILTER_OFFCPU_BLOCK);
	b = a;
	b.offcpu_runnable = true;
	assert_int_equal(filter_diff(&a, &b), FILTER_OFFCPU_STATES);
	b = a;
	b.offcpu_kthreads = true;
	assert_int_equal(filter_diff(&a, &b), FILTER_OFFCPU_STATES);
	b = a;
	b.slow_ms = 20;
	assert_int_equal(filter_diff(&a, &b), FILTER_SLOW_QUERY);
	b = a;
	b.bio_slow_us = 20;
	assert_int_equal(filter_diff(&a, &b), FILTER_BIO_SLOW);
	b = a;
	b.unwind = KTOP_UNWIND_FP;
	assert_int_equal(filter_diff(&a, &b), FILTER_UNWIND);
	b = a;
	b.redact = true;
	assert_int_equal(filter_diff(&a, &b), FILTER_REDACT);
	b.slow_ms = 20;
	filter_set_pids(&b, &two, 1);
	assert_int_equal(filter_diff(&a, &b), FILTER_REDACT | FILTER_SLOW_QUERY | FILTER_PIDS);
	assert_int_equal(filter_diff(&b, &a), FILTER_REDACT | FILTER_SLOW_QUERY | FILTER_PIDS);
}

/* Only the PIDs in use count: what lies past npids is no change. */
static void test_diff_ignores_unused_slots(void **state)
{
	const uint32_t pids[] = { 3, 4 };
	struct filter a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	filter_set_pids(&a, pids, 2);
	filter_set_pids(&b, pids, 2);
	a.pids[5] = 99;
	assert_int_equal(filter_diff(&a, &b), 0);
}

/* Run pid_filter_diff and compare both lists with what is expected. */
static void check_change(const uint32_t *old, size_t nold, const uint32_t *new, size_t nnew,
			 const uint32_t *want_add, size_t nwant_add, const uint32_t *want_del,
			 size_t nwant_del)
{
	uint32_t add[KTOP_MAX_PIDS], del[KTOP_MAX_PIDS];
	size_t nadd = 99, ndel = 99;

	pid_filter_diff(old, nold, new, nnew, add, &nadd, del, &ndel);
	assert_int_equal(nadd, nwant_add);
	assert_int_equal(ndel, nwant_del);
	if (nadd)
		assert_memory_equal(add, want_add, nadd * sizeof(*add));
	if (ndel)
		assert_memory_equal(del, want_del, ndel * sizeof(*del));
}

/* From nothing, to nothing, the same, one for another, overlapping, disjoint. */
static void test_pid_change(void **state)
{
	const uint32_t a[] = { 10 };
	const uint32_t b[] = { 20 };
	const uint32_t abc[] = { 10, 20, 30 };
	const uint32_t bcd[] = { 20, 30, 40 };
	const uint32_t d[] = { 40 };
	const uint32_t low[] = { 1, 2, 3 };
	const uint32_t high[] = { 7, 8, 9 };

	(void)state;
	check_change(NULL, 0, a, 1, a, 1, NULL, 0);
	check_change(a, 1, NULL, 0, NULL, 0, a, 1);
	check_change(NULL, 0, NULL, 0, NULL, 0, NULL, 0);
	check_change(abc, 3, abc, 3, NULL, 0, NULL, 0);
	check_change(a, 1, b, 1, b, 1, a, 1);
	check_change(abc, 3, bcd, 3, d, 1, a, 1);
	check_change(bcd, 3, abc, 3, a, 1, d, 1);
	check_change(low, 3, high, 3, high, 3, low, 3);
	check_change(high, 3, low, 3, low, 3, high, 3);
	check_change(a, 1, abc, 3, &abc[1], 2, NULL, 0);
	check_change(abc, 3, b, 1, NULL, 0, (const uint32_t[]){ 10, 30 }, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_pids_sorted),
		cmocka_unit_test(test_set_pids_bounded),
		cmocka_unit_test(test_diff_parts),
		cmocka_unit_test(test_diff_ignores_unused_slots),
		cmocka_unit_test(test_pid_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
