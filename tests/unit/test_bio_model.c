// SPDX-License-Identifier: GPL-2.0
/*
 * Tests collectors/bio_model.c: deep copies, sums over operations and disks, lookups; and the
 * folding of exited processes by name in readings (collectors/bio_reading.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "collectors/bio_disk_names.h"
#include "collectors/bio_model.h"
#include "collectors/bio_reading.h"
#include "collectors/bio_spans.h"

#define OP_BIT(op) (1u << (op))

/* Fill one operation's statistics with n requests of one latency and size. */
static void stats_fill(struct bio_stats *s, uint64_t n, uint64_t lat_us, uint64_t size)
{
	for (uint64_t i = 0; i < n; i++) {
		hist_record(&s->lat_device, lat_us);
		hist_record(&s->lat_total, lat_us * 2);
		hist_record(&s->size, size);
	}
	s->ios += n;
	s->bytes += n * size;
	s->slow += lat_us >= 1000 ? n : 0;
}

/* A span of two disks and three processes, all on the heap as a collector builds it. */
static void span_fill(struct bio_span *s)
{
	memset(s, 0, sizeof(*s));
	s->seconds = 2.0;
	s->ndisks = 2;
	s->disks = calloc(s->ndisks, sizeof(*s->disks));
	assert_non_null(s->disks);
	s->disks[0].dev = 7u << 20;
	strcpy(s->disks[0].name, "loop0");
	stats_fill(&s->disks[0].op[BIO_OP_READ], 10, 100, 4096);
	stats_fill(&s->disks[0].op[BIO_OP_WRITE], 5, 2000, 8192);
	stats_fill(&s->disks[0].op[BIO_OP_FLUSH], 1, 50, 0);
	s->disks[1].dev = 254u << 20;
	strcpy(s->disks[1].name, "vda");
	stats_fill(&s->disks[1].op[BIO_OP_READ], 3, 300, 65536);
	stats_fill(&s->disks[1].op[BIO_OP_DISCARD], 2, 10, 1 << 20);

	s->nprocs = 3;
	s->procs = calloc(s->nprocs, sizeof(*s->procs));
	assert_non_null(s->procs);
	for (size_t i = 0; i < s->nprocs; i++) {
		s->procs[i].pid = 100 + (uint32_t)i;
		s->procs[i].dev = s->disks[i % 2].dev;
		strcpy(s->procs[i].comm, "dd");
		s->procs[i].ios = 10 - i;
	}
	s->unknown_submitter = 4;
}

/* Operation names, and something printable for an out-of-range value. */
static void test_op_names(void **state)
{
	(void)state;
	assert_string_equal(bio_op_name(BIO_OP_READ), "read");
	assert_string_equal(bio_op_name(BIO_OP_WRITE), "write");
	assert_string_equal(bio_op_name(BIO_OP_FLUSH), "flush");
	assert_string_equal(bio_op_name(BIO_OP_DISCARD), "discard");
	assert_string_equal(bio_op_name(BIO_OP_OTHER), "other");
	assert_non_null(bio_op_name(BIO_OP_COUNT));
	assert_non_null(bio_op_name((enum bio_op)99));
}

/* The copy owns its arrays: freeing the original leaves it whole. */
static void test_dup_is_deep(void **state)
{
	struct bio_model *m = calloc(1, sizeof(*m));
	struct bio_model *copy;

	(void)state;
	assert_non_null(m);
	span_fill(&m->interval);
	span_fill(&m->cumulative);
	m->cumulative.seconds = 60.0;
	m->slow_us = 1000;
	m->pid_filtered = true;
	m->polls = 42;

	copy = bio_model_dup(m);
	assert_non_null(copy);
	assert_ptr_not_equal(copy, m);
	assert_ptr_not_equal(copy->interval.disks, m->interval.disks);
	assert_ptr_not_equal(copy->interval.procs, m->interval.procs);
	assert_ptr_not_equal(copy->cumulative.disks, m->cumulative.disks);
	assert_ptr_not_equal(copy->cumulative.procs, m->cumulative.procs);

	/* Scribble on the original, then free it: the copy must not see either. */
	m->interval.disks[0].op[BIO_OP_READ].ios = 999;
	strcpy(m->cumulative.procs[0].comm, "changed");
	bio_model_free(m);

	assert_int_equal(copy->polls, 42);
	assert_int_equal(copy->slow_us, 1000);
	assert_true(copy->pid_filtered);
	assert_true(copy->cumulative.seconds > 59.9);
	assert_int_equal(copy->interval.ndisks, 2);
	assert_int_equal(copy->interval.nprocs, 3);
	assert_string_equal(copy->interval.disks[1].name, "vda");
	assert_int_equal(copy->interval.disks[0].op[BIO_OP_READ].ios, 10);
	assert_int_equal(copy->interval.disks[0].op[BIO_OP_READ].lat_device.slots[6], 10);
	assert_string_equal(copy->cumulative.procs[0].comm, "dd");
	assert_int_equal(copy->cumulative.procs[2].pid, 102);
	assert_int_equal(copy->cumulative.unknown_submitter, 4);
	bio_model_free(copy);
}

/* Empty spans copy as empty, and NULL is handled. */
static void test_dup_empty_and_null(void **state)
{
	struct bio_model m;
	struct bio_model *copy;

	(void)state;
	memset(&m, 0, sizeof(m));
	copy = bio_model_dup(&m);
	assert_non_null(copy);
	assert_null(copy->interval.disks);
	assert_int_equal(copy->interval.ndisks, 0);
	assert_null(copy->cumulative.procs);
	bio_model_free(copy);
	assert_null(bio_model_dup(NULL));
	bio_model_free(NULL);
}

/* Clearing a span frees and zeroes it. */
static void test_span_clear(void **state)
{
	struct bio_span s;

	(void)state;
	span_fill(&s);
	bio_span_clear(&s);
	assert_null(s.disks);
	assert_null(s.procs);
	assert_int_equal(s.ndisks, 0);
	assert_int_equal(s.nprocs, 0);
	assert_int_equal(s.unknown_submitter, 0);
	bio_span_clear(&s);
}

/* Disks are found by dev; an unknown dev gives NULL. */
static void test_span_disk_lookup(void **state)
{
	struct bio_span s;
	const struct bio_disk *d;

	(void)state;
	span_fill(&s);
	d = bio_span_disk(&s, 254u << 20);
	assert_non_null(d);
	assert_ptr_equal(d, &s.disks[1]);
	assert_string_equal(d->name, "vda");
	d = bio_span_disk(&s, 7u << 20);
	assert_ptr_equal(d, &s.disks[0]);
	assert_null(bio_span_disk(&s, 8u << 20));
	bio_span_clear(&s);
	assert_null(bio_span_disk(&s, 7u << 20));
}

/* Sums over one disk follow the op mask exactly. */
static void test_span_sum_disk_ops(void **state)
{
	struct bio_span s;
	struct bio_stats out;

	(void)state;
	span_fill(&s);

	bio_span_sum(&s, &s.disks[0], OP_BIT(BIO_OP_READ), &out);
	assert_int_equal(out.ios, 10);
	assert_int_equal(out.bytes, 10 * 4096);
	assert_int_equal(out.lat_device.count, 10);
	assert_int_equal(out.slow, 0);

	bio_span_sum(&s, &s.disks[0], OP_BIT(BIO_OP_READ) | OP_BIT(BIO_OP_WRITE), &out);
	assert_int_equal(out.ios, 15);
	assert_int_equal(out.bytes, 10 * 4096 + 5 * 8192);
	assert_int_equal(out.slow, 5);
	assert_int_equal(out.lat_device.slots[hist_slot(100)], 10);
	assert_int_equal(out.lat_device.slots[hist_slot(2000)], 5);
	assert_int_equal(out.size.slots[hist_slot(8192)], 5);
	assert_int_equal(out.lat_total.sum, 10 * 200 + 5 * 4000);

	bio_span_sum(&s, &s.disks[0], ~0u, &out);
	assert_int_equal(out.ios, 16);

	/* out is overwritten, not added to. */
	bio_span_sum(&s, &s.disks[0], 0, &out);
	assert_int_equal(out.ios, 0);
	assert_int_equal(out.lat_device.count, 0);
	bio_span_clear(&s);
}

/* A NULL disk sums every disk of the span. */
static void test_span_sum_all_disks(void **state)
{
	struct bio_span s;
	struct bio_stats out;

	(void)state;
	span_fill(&s);
	bio_span_sum(&s, NULL, OP_BIT(BIO_OP_READ), &out);
	assert_int_equal(out.ios, 13);
	assert_int_equal(out.bytes, 10 * 4096 + 3 * 65536);
	assert_int_equal(out.lat_device.count, 13);

	bio_span_sum(&s, NULL, ~0u, &out);
	assert_int_equal(out.ios, 10 + 5 + 1 + 3 + 2);
	assert_int_equal(out.size.count, 21);

	bio_span_sum(&s, NULL, OP_BIT(BIO_OP_DISCARD), &out);
	assert_int_equal(out.ios, 2);
	assert_int_equal(out.bytes, 2u << 20);
	bio_span_clear(&s);

	bio_span_sum(&s, NULL, ~0u, &out);
	assert_int_equal(out.ios, 0);
}

/* bio_stats_add adds every field. */
static void test_stats_add(void **state)
{
	struct bio_stats a;
	struct bio_stats b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	stats_fill(&a, 2, 5000, 512);
	stats_fill(&b, 3, 10, 4096);
	bio_stats_add(&a, &b);
	assert_int_equal(a.ios, 5);
	assert_int_equal(a.bytes, 2 * 512 + 3 * 4096);
	assert_int_equal(a.slow, 2);
	assert_int_equal(a.lat_device.count, 5);
	assert_int_equal(a.lat_total.slots[hist_slot(20)], 3);
	assert_int_equal(a.size.sum, 2 * 512 + 3 * 4096);
}

/* A reading holding n processes (pid, comm, ios), sorted as bio_read leaves them. */
static void reading_fill(struct bio_reading *r, double at, const struct bio_proc *procs, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->at = at;
	r->nprocs = n;
	r->procs = calloc(n ? n : 1, sizeof(*r->procs));
	assert_non_null(r->procs);
	memcpy(r->procs, procs, n * sizeof(*procs));
	qsort(r->procs, n, sizeof(*r->procs), bio_proc_key_cmp);
}

/* The ios of (pid, dev) in a span, 0 when not listed. */
static uint64_t span_ios(const struct bio_span *s, uint32_t pid)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return s->procs[i].ios;
	return 0;
}

/*
 * Two dd processes exit and fold into one "dd" entry while a third process runs on: the
 * interval and the figures since the baseline stay exact when the older readings are folded
 * the same way, and the entries are fewer.
 */
static void test_fold_exited(void **state)
{
	const uint32_t dev = 7u << 20, fold = BIO_PID_EXITED;
	struct bio_name_cache names = { .disks_fd = -1 };
	struct bio_reading base, prev, now;
	struct bio_span span = { 0 };
	const struct bio_proc at_base[] = {
		{ .pid = 100, .dev = dev, .comm = "dd", .ios = 10, .bytes = 10 * 4096 },
		{ .pid = 300, .dev = dev, .comm = "mariadbd", .ios = 1 },
	};
	const struct bio_proc at_prev[] = {
		{ .pid = 100, .dev = dev, .comm = "dd", .ios = 30, .bytes = 30 * 4096 },
		{ .pid = 101, .dev = dev, .comm = "dd", .ios = 5, .bytes = 5 * 4096 },
		{ .pid = 300, .dev = dev, .comm = "mariadbd", .ios = 2 },
	};
	/* Both dd gone and pruned: the reader folded their final figures under "dd". */
	const struct bio_proc at_now[] = {
		{ .pid = fold, .dev = dev, .comm = "dd", .ios = 35, .bytes = 35 * 4096 },
		{ .pid = 300, .dev = dev, .comm = "mariadbd", .ios = 7 },
	};

	(void)state;
	reading_fill(&base, 1.0, at_base, 2);
	reading_fill(&prev, 2.0, at_prev, 3);
	reading_fill(&now, 3.0, at_now, 2);
	bio_reading_fold(&prev, 100, dev, fold, "dd");
	bio_reading_fold(&prev, 101, dev, fold, "dd");
	bio_reading_fold(&base, 100, dev, fold, "dd");
	bio_reading_fold(&base, 101, dev, fold, "dd"); /* not there: nothing */
	assert_int_equal(prev.nprocs, 2);
	assert_int_equal(base.nprocs, 2);
	assert_int_equal(prev.procs[1].pid, fold); /* still sorted by pid */
	assert_string_equal(prev.procs[1].comm, "dd");
	assert_int_equal(prev.procs[1].ios, 35);
	assert_int_equal(prev.procs[1].bytes, 35 * 4096);

	/* The interval: no I/O of the exited dd in it, 5 of mariadbd. */
	bio_span_build(&names, &span, &now, &prev);
	assert_int_equal(span.nprocs, 1);
	assert_int_equal(span_ios(&span, 300), 5);
	/* Since the baseline: dd's 20 + 5 under one entry, shown as exited. */
	bio_span_build(&names, &span, &now, &base);
	assert_int_equal(span.nprocs, 2);
	assert_int_equal(span_ios(&span, fold), 25);
	assert_int_equal(span_ios(&span, 300), 6);
	assert_int_equal(span.procs[0].pid, fold);
	assert_string_equal(span.procs[0].comm, "dd");

	bio_span_clear(&span);
	bio_reading_free(&base);
	bio_reading_free(&prev);
	bio_reading_free(&now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_names),
		/* copies */
		cmocka_unit_test(test_dup_is_deep),
		cmocka_unit_test(test_dup_empty_and_null),
		cmocka_unit_test(test_span_clear),
		/* lookups and sums */
		cmocka_unit_test(test_span_disk_lookup),
		cmocka_unit_test(test_span_sum_disk_ops),
		cmocka_unit_test(test_span_sum_all_disks),
		cmocka_unit_test(test_stats_add),
		/* exited processes folded by name */
		cmocka_unit_test(test_fold_exited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
