// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of collectors/stack_sum.c: sets from different stores added up, the same stack of the
 * same thread one sample holding the sums, stacks that differ in a thread, a frame's name,
 * kind, source line or address kept apart, and the total the sum of every value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "collectors/stack_sum.h"

/* A sample of thread tid with frames f (n of them) into s. */
static void add(struct stack_set *s, uint32_t tid, const struct stack_frame *f, uint32_t n,
		uint64_t value)
{
	struct stack_sample x = { .pid = 7, .tid = tid, .comm = "w", .pcomm = "w", .frames = f,
				  .nframes = n, .value = value, .count = 1 };

	stack_set_add(s, &x);
}

static void test_sum(void **state)
{
	struct stack_frame a[] = {
		{ .name = "main", .kind = STACK_FRAME_USER, .src = "m.c:1", .addr = 0x10 },
		{ .name = "wait", .kind = STACK_FRAME_KERNEL },
	};
	struct stack_frame b[] = {
		{ .name = "main", .kind = STACK_FRAME_USER, .src = "m.c:1", .addr = 0x10 },
		{ .name = "wait", .kind = STACK_FRAME_USER },
	};
	struct stack_frame c[] = {
		{ .name = "main", .kind = STACK_FRAME_USER, .src = "m.c:2", .addr = 0x10 },
		{ .name = "wait", .kind = STACK_FRAME_KERNEL },
	};
	struct stack_frame d[] = {
		{ .name = "main", .kind = STACK_FRAME_USER, .src = "m.c:1", .addr = 0x20 },
		{ .name = "wait", .kind = STACK_FRAME_KERNEL },
	};
	struct stack_set one = { 0 }, two = { 0 };
	struct stack_sum sum;

	(void)state;
	add(&one, 1, a, 2, 100);
	add(&one, 2, a, 2, 5);   /* another thread */
	add(&one, 1, NULL, 0, 1); /* no frames */
	add(&two, 1, a, 2, 20);  /* the first again, from another store */
	add(&two, 1, b, 2, 1);   /* a frame of another kind */
	add(&two, 1, c, 2, 1);   /* another source line */
	add(&two, 1, d, 2, 1);   /* another address */
	add(&two, 1, NULL, 0, 2);
	stack_sum_init(&sum);
	stack_sum_add(&sum, &one);
	stack_sum_add(&sum, &two);
	assert_int_equal(sum.set.nsamples, 6);
	assert_int_equal(sum.set.total, 131);
	assert_int_equal(sum.set.samples[0].value, 120);
	assert_int_equal(sum.set.samples[0].count, 2);
	assert_int_equal(sum.set.samples[1].value, 5);
	assert_int_equal(sum.set.samples[2].value, 3);
	assert_int_equal(sum.set.samples[2].nframes, 0);
	assert_string_equal(sum.set.samples[0].frames[1].name, "wait");
	assert_string_equal(sum.set.samples[0].frames[0].src, "m.c:1");
	/* the sum owns its names: the sets added can go */
	stack_set_clear(&one);
	stack_set_clear(&two);
	assert_string_equal(sum.set.samples[3].frames[0].name, "main");
	stack_sum_clear(&sum);
	assert_int_equal(sum.set.nsamples, 0);
	stack_sum_clear(&sum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
