// SPDX-License-Identifier: GPL-2.0
/* Tests collectors/hist.c: slot boundaries, differences, percentiles and the mean. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "collectors/hist.h"

/* Values land in the slot the kernel side uses: 0 and 1 in slot 0, [2^k, 2^(k+1)-1] in k. */
static void test_slot_boundaries(void **state)
{
	(void)state;
	assert_int_equal(hist_slot(0), 0);
	assert_int_equal(hist_slot(1), 0);
	assert_int_equal(hist_slot(2), 1);
	assert_int_equal(hist_slot(3), 1);
	assert_int_equal(hist_slot(4), 2);
	assert_int_equal(hist_slot(7), 2);
	assert_int_equal(hist_slot(8), 3);
	assert_int_equal(hist_slot(1023), 9);
	assert_int_equal(hist_slot(1024), 10);
	assert_int_equal(hist_slot(((uint64_t)1 << 31) - 1), 30);
	assert_int_equal(hist_slot((uint64_t)1 << 31), 31);
	assert_int_equal(hist_slot((uint64_t)1 << 32), HIST_SLOTS - 1);
	assert_int_equal(hist_slot(UINT64_MAX), HIST_SLOTS - 1);
}

/* Each slot's low and high bound round-trip through hist_slot(). */
static void test_slot_bounds(void **state)
{
	(void)state;
	assert_int_equal(hist_slot_low(0), 0);
	assert_int_equal(hist_slot_high(0), 1);
	assert_int_equal(hist_slot_low(1), 2);
	assert_int_equal(hist_slot_high(1), 3);
	assert_int_equal(hist_slot_low(10), 1024);
	assert_int_equal(hist_slot_high(10), 2047);
	for (unsigned int i = 0; i < HIST_SLOTS; i++) {
		assert_int_equal(hist_slot(hist_slot_low(i)), i);
		assert_int_equal(hist_slot(hist_slot_high(i)), i);
		if (i + 1 < HIST_SLOTS)
			assert_int_equal(hist_slot_high(i) + 1, hist_slot_low(i + 1));
	}
}

/* Recording updates the right slot, the count and the sum. */
static void test_record_and_add(void **state)
{
	struct hist a;
	struct hist b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	hist_record(&a, 5);
	hist_record(&a, 6);
	hist_record(&a, 1000);
	assert_int_equal(a.slots[2], 2);
	assert_int_equal(a.slots[9], 1);
	assert_int_equal(a.count, 3);
	assert_int_equal(a.sum, 1011);

	hist_record(&b, 5);
	hist_add(&b, &a);
	assert_int_equal(b.slots[2], 3);
	assert_int_equal(b.slots[9], 1);
	assert_int_equal(b.count, 4);
	assert_int_equal(b.sum, 1016);
}

/* Differences are per slot, clamp at zero, and keep count equal to the slots' sum. */
static void test_sub_never_negative(void **state)
{
	struct hist a;
	struct hist b;
	struct hist out;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.slots[3] = 10;
	a.slots[5] = 2;
	a.count = 12;
	a.sum = 100;
	b.slots[3] = 4;
	b.slots[5] = 7; /* larger than a: must clamp, not wrap */
	b.slots[6] = 1;
	b.count = 12;
	b.sum = 150;
	hist_sub(&out, &a, &b);
	assert_int_equal(out.slots[3], 6);
	assert_int_equal(out.slots[5], 0);
	assert_int_equal(out.slots[6], 0);
	assert_int_equal(out.count, 6);
	assert_int_equal(out.sum, 0);

	/* In place, as a collector does with a running total. */
	b = a;
	b.slots[3] = 1;
	b.count = 3;
	b.sum = 40;
	hist_sub(&a, &a, &b);
	assert_int_equal(a.slots[3], 9);
	assert_int_equal(a.slots[5], 0);
	assert_int_equal(a.count, 9);
	assert_int_equal(a.sum, 60);
}

/* The first and last non-empty slots, and the largest count. */
static void test_range_and_max(void **state)
{
	struct hist h;
	unsigned int first = 99;
	unsigned int last = 99;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_false(hist_range(&h, &first, &last));
	assert_int_equal(hist_max_count(&h), 0);
	h.slots[4] = 3;
	h.slots[20] = 7;
	h.count = 10;
	assert_true(hist_range(&h, &first, &last));
	assert_int_equal(first, 4);
	assert_int_equal(last, 20);
	assert_int_equal(hist_max_count(&h), 7);
}

/* Everything in one slot: every percentile lies inside that slot. */
static void test_percentile_one_slot(void **state)
{
	static const double ps[] = {1, 25, 50, 90, 99, 100};
	struct hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.slots[10] = 100;
	h.count = 100;
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		double v = hist_percentile(&h, ps[i]);

		assert_true(v >= 1024.0);
		assert_true(v <= 2047.0);
	}
	/* Values are taken as spread evenly inside the slot: p50 is near its middle. */
	assert_true(hist_percentile(&h, 50) > 1500.0 && hist_percentile(&h, 50) < 1570.0);
	/* Higher percentiles never come out lower. */
	assert_true(hist_percentile(&h, 50) <= hist_percentile(&h, 90));
	assert_true(hist_percentile(&h, 90) <= hist_percentile(&h, 100));
}

/* Two equal slots: p50 is the top of the lower one, p100 the top of the upper one. */
static void test_percentile_two_slots(void **state)
{
	struct hist h;
	double p50;
	double p75;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.slots[3] = 10; /* 8..15 */
	h.slots[6] = 10; /* 64..127 */
	h.count = 20;
	p50 = hist_percentile(&h, 50);
	assert_true(p50 >= 8.0 && p50 <= 15.0);
	assert_true(p50 > 14.9);
	p75 = hist_percentile(&h, 75);
	assert_true(p75 >= 64.0 && p75 <= 127.0);
	assert_true(hist_percentile(&h, 100) > 126.9);
	assert_true(hist_percentile(&h, 100) <= 127.0);
	assert_true(hist_percentile(&h, 10) < 16.0);
}

/* p100 is the top of the highest non-empty slot; empty histograms have no percentiles. */
static void test_percentile_edges(void **state)
{
	struct hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_true(hist_percentile(&h, 50) < 0);
	assert_true(hist_percentile(&h, 100) < 0);

	h.slots[0] = 5;
	h.count = 5;
	assert_true(hist_percentile(&h, 100) <= 1.0);
	assert_true(hist_percentile(&h, 50) >= 0.0);

	memset(&h, 0, sizeof(h));
	h.slots[HIST_SLOTS - 1] = 1;
	h.count = 1;
	assert_true(hist_percentile(&h, 100) >= (double)hist_slot_low(HIST_SLOTS - 1));
	/* Out-of-range p is clamped rather than walking off the array. */
	assert_true(hist_percentile(&h, 250) >= (double)hist_slot_low(HIST_SLOTS - 1));
}

/* The mean is sum / count, and -1 when empty. */
static void test_mean(void **state)
{
	struct hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_true(hist_mean(&h) < 0);
	hist_record(&h, 10);
	hist_record(&h, 20);
	hist_record(&h, 60);
	assert_true(hist_mean(&h) > 29.99 && hist_mean(&h) < 30.01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_boundaries),
		cmocka_unit_test(test_slot_bounds),
		cmocka_unit_test(test_record_and_add),
		cmocka_unit_test(test_sub_never_negative),
		cmocka_unit_test(test_range_and_max),
		cmocka_unit_test(test_percentile_one_slot),
		cmocka_unit_test(test_percentile_two_slots),
		cmocka_unit_test(test_percentile_edges),
		cmocka_unit_test(test_mean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
