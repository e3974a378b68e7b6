// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Block I/O model's binary form (collectors/bio_codec.c): a model encoded and
 * decoded is equal to the original (threshold, filter, every disk's histograms and counters
 * per operation, every submitting process); a command holding controls comes back escaped; a
 * NaN span is refused; every cut of the bytes and a newer version are refused with a reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/bio_codec.h"
#include "tests/unit/codec_test.h"

/* Two disks (one gone), writes and a flush on the first, reads on the second; two processes. */
static void make_model(struct bio_model *m)
{
	struct bio_span *s = &m->interval;

	memset(m, 0, sizeof(*m));
	m->slow_us = 10000;
	m->pid_filtered = true;
	m->polls = 9;
	s->seconds = 0.5;
	s->unknown_submitter = 3;
	s->ndisks = 2;
	s->disks = calloc(2, sizeof(*s->disks));
	s->disks[0].dev = 7u << 20 | 2;
	snprintf(s->disks[0].name, sizeof(s->disks[0].name), "loop2");
	for (int i = 0; i < 1000; i++) {
		hist_record(&s->disks[0].op[BIO_OP_WRITE].lat_total, 20 + (uint64_t)i);
		hist_record(&s->disks[0].op[BIO_OP_WRITE].lat_device, 10 + (uint64_t)i);
		hist_record(&s->disks[0].op[BIO_OP_WRITE].size, 4096);
	}
	s->disks[0].op[BIO_OP_WRITE].ios = 1000;
	s->disks[0].op[BIO_OP_WRITE].bytes = 4096000;
	s->disks[0].op[BIO_OP_WRITE].slow = 2;
	hist_record(&s->disks[0].op[BIO_OP_FLUSH].lat_total, 1ull << 40);
	s->disks[0].op[BIO_OP_FLUSH].ios = 1;
	s->disks[1].dev = 253u << 20;
	snprintf(s->disks[1].name, sizeof(s->disks[1].name), "vda");
	s->disks[1].gone = true;
	hist_record(&s->disks[1].op[BIO_OP_READ].lat_total, 300);
	s->disks[1].op[BIO_OP_READ].ios = 1;
	s->disks[1].op[BIO_OP_READ].bytes = 512;
	s->nprocs = 2;
	s->procs = calloc(2, sizeof(*s->procs));
	s->procs[0] = (struct bio_proc){ .pid = 4000000000u, .dev = s->disks[0].dev, .ios = 1000,
					 .bytes = 4096000, .lat_us_sum = 520000 };
	snprintf(s->procs[0].comm, sizeof(s->procs[0].comm), "dd");
	s->procs[1] = (struct bio_proc){ .pid = 1, .dev = s->disks[1].dev, .ios = 1, .bytes = 512,
					 .lat_us_sum = 300 };
	snprintf(s->procs[1].comm, sizeof(s->procs[1].comm), "systemd");
}

static void test_round_trip(void **state)
{
	struct bio_model m, *d = NULL;
	struct codec_out out = { 0 };
	char why[256] = "";

	(void)state;
	make_model(&m);
	bio_model_encode(&m, &out);
	assert_int_equal(bio_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_int_equal(d->slow_us, 10000);
	assert_true(d->pid_filtered);
	assert_int_equal(d->polls, 9);
	assert_true(d->interval.seconds == 0.5);
	assert_int_equal(d->interval.unknown_submitter, 3);
	assert_int_equal(d->cumulative.ndisks, 0);
	assert_int_equal(d->interval.ndisks, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct bio_disk *x = &m.interval.disks[i], *y = &d->interval.disks[i];

		assert_int_equal(y->dev, x->dev);
		assert_string_equal(y->name, x->name);
		assert_int_equal(y->gone, x->gone);
		/* histograms, counters: the whole per-operation statistics, byte for byte */
		assert_memory_equal(y->op, x->op, sizeof(x->op));
	}
	assert_int_equal(d->interval.nprocs, 2);
	assert_memory_equal(d->interval.procs, m.interval.procs, 2 * sizeof(*m.interval.procs));
	bio_model_free(d);
	bio_span_clear(&m.interval);
	codec_out_free(&out);
}

static void test_hostile_comm_escaped(void **state)
{
	struct bio_model m = { .polls = 1 }, *d = NULL;
	struct codec_out out = { 0 };
	char why[256];

	(void)state;
	m.interval.seconds = 1;
	m.interval.nprocs = 1;
	m.interval.procs = calloc(1, sizeof(*m.interval.procs));
	snprintf(m.interval.procs[0].comm, sizeof(m.interval.procs[0].comm), "x\x1b]0;pwn\x07");
	bio_model_encode(&m, &out);
	assert_int_equal(bio_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_string_equal(d->interval.procs[0].comm, "x\\x1b]0;pwn\\x07");
	bio_model_free(d);
	bio_span_clear(&m.interval);
	codec_out_free(&out);
}

static void test_bad_span_refused(void **state)
{
	struct bio_model m, *d = NULL;
	struct codec_out out = { 0 };
	char why[256] = "";

	(void)state;
	make_model(&m);
	m.interval.seconds = NAN;
	bio_model_encode(&m, &out);
	assert_int_equal(bio_model_decode(out.data, out.len, &d, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "damaged at byte"));
	assert_null(d);
	bio_span_clear(&m.interval);
	codec_out_free(&out);
}

static int decode_and_free(const void *data, size_t len, char *why, size_t why_len)
{
	struct bio_model *m = NULL;
	int err = bio_model_decode(data, len, &m, why, why_len);

	bio_model_free(m);
	return err;
}

static void test_cut_refused(void **state)
{
	struct bio_model m;
	struct codec_out out = { 0 };

	(void)state;
	make_model(&m);
	bio_model_encode(&m, &out);
	codec_test_cuts(&out, decode_and_free);
	bio_span_clear(&m.interval);
	codec_out_free(&out);
}

static void test_newer_version_refused(void **state)
{
	(void)state;
	codec_test_newer(BIO_CODEC_VERSION + 1, decode_and_free);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile_comm_escaped),
		cmocka_unit_test(test_bad_span_refused),
		cmocka_unit_test(test_cut_refused),
		cmocka_unit_test(test_newer_version_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
