// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of Block I/O spans added up over a replay's range (collectors/bio_sum.c): histograms
 * and counters add per disk and operation by dev, a disk seen in one span only is kept, the
 * disks stay in name order, processes add by (pid, disk) and sort by I/Os, seconds add.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/bio_sum.h"

/* A span of secs with one disk (dev, name) of n writes of 4 KiB at lat_us, by pid. */
static void span(struct bio_span *s, double secs, uint32_t dev, const char *name, uint64_t n,
		 uint64_t lat_us, uint32_t pid)
{
	memset(s, 0, sizeof(*s));
	s->seconds = secs;
	s->ndisks = 1;
	s->disks = calloc(1, sizeof(*s->disks));
	s->disks[0].dev = dev;
	snprintf(s->disks[0].name, sizeof(s->disks[0].name), "%s", name);
	for (uint64_t i = 0; i < n; i++)
		hist_record(&s->disks[0].op[BIO_OP_WRITE].lat_total, lat_us);
	s->disks[0].op[BIO_OP_WRITE].ios = n;
	s->disks[0].op[BIO_OP_WRITE].bytes = 4096 * n;
	s->nprocs = 1;
	s->procs = calloc(1, sizeof(*s->procs));
	s->procs[0] = (struct bio_proc){ .pid = pid, .dev = dev, .ios = n, .bytes = 4096 * n };
}

static void test_add(void **state)
{
	struct bio_span a, b, c, sum = { 0 };

	(void)state;
	span(&a, 0.5, 10, "vdb", 600, 100, 7);
	span(&b, 0.25, 20, "loop0", 3, 5000, 8);
	span(&c, 0.25, 10, "vdb", 400, 100, 7);
	bio_span_add(&sum, &a);
	bio_span_add(&sum, &b);
	bio_span_add(&sum, &c);
	assert_true(sum.seconds == 1.0);
	assert_int_equal(sum.ndisks, 2);
	assert_string_equal(sum.disks[0].name, "loop0");
	assert_string_equal(sum.disks[1].name, "vdb");
	assert_int_equal(sum.disks[1].op[BIO_OP_WRITE].ios, 1000);
	assert_int_equal(sum.disks[1].op[BIO_OP_WRITE].lat_total.count, 1000);
	assert_int_equal(sum.disks[1].op[BIO_OP_WRITE].bytes, 4096000);
	assert_int_equal(sum.disks[0].op[BIO_OP_WRITE].lat_total.count, 3);
	assert_int_equal(sum.nprocs, 2);
	assert_int_equal(sum.procs[0].pid, 7);
	assert_int_equal(sum.procs[0].ios, 1000);
	assert_int_equal(sum.procs[1].pid, 8);
	/* a copy starts over */
	bio_span_set(&sum, &b);
	assert_int_equal(sum.ndisks, 1);
	assert_true(sum.seconds == 0.25);
	bio_span_clear(&a);
	bio_span_clear(&b);
	bio_span_clear(&c);
	bio_span_clear(&sum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
