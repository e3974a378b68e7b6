// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Off-CPU model's binary form (collectors/offcpu_codec.c, stack_codec.c): a model
 * encoded and decoded is equal to the original (figures, flags, every sample, every frame's
 * name, kind, source line and address); a name holding controls comes back escaped; every cut
 * of the bytes and a newer version are refused with a reason, never read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/offcpu_codec.h"
#include "tests/unit/codec_test.h"

/* A model of three stacks of two processes, sharing frames, one with a source line. */
static void make_model(struct offcpu_model *m)
{
	struct stack_frame a[] = {
		{ .name = "main",
		  .kind = STACK_FRAME_USER,
		  .src = "sleeper.c:12",
		  .addr = 0x401000 },
		{ .name = "sleep_here", .kind = STACK_FRAME_USER, .addr = 0x401100 },
		{ .name = "do_nanosleep", .kind = STACK_FRAME_KERNEL },
	};
	struct stack_frame b[] = {
		{ .name = "main",
		  .kind = STACK_FRAME_USER,
		  .src = "sleeper.c:12",
		  .addr = 0x401000 },
		{ .name = "[unknown: no symbols in libx.so]",
		  .kind = STACK_FRAME_UNKNOWN,
		  .addr = 0x7f0000001234 },
	};
	struct stack_frame c[] = { { .name = "[truncated]", .kind = STACK_FRAME_MARK } };
	struct stack_sample s[] = {
		{ .pid = 100, .tid = 101, .comm = "sleeper", .pcomm = "sleeper", .frames = a,
		  .nframes = 3, .value = 1500000, .count = 3 },
		{ .pid = 100, .tid = 100, .comm = "sleeper", .pcomm = "sleeper", .frames = b,
		  .nframes = 2, .value = 20, .count = 1 },
		{ .pid = 4000000000u, .tid = 7, .comm = "kworker/0:1", .pcomm = "kworker/0:1",
		  .frames = c, .nframes = 1, .value = 1ull << 40, .count = 9 },
		{ .pid = 200, .tid = 200, .comm = "empty", .pcomm = "empty", .value = 5, .count = 1 },
		/* the processes of one name that exited, folded: no task */
		{ .comm = "true", .pcomm = "true", .frames = c, .nframes = 1, .exited = true,
		  .value = 7, .count = 150 },
	};

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		stack_set_add(&m->interval, &s[i]);
	m->interval_s = 0.5;
	m->cumulative_s = 12.25;
	m->min_block_us = 10;
	m->max_block_us = 1000000;
	m->runnable = true;
	m->kthreads = false;
	m->polls = 42;
}

static void encode(const struct offcpu_model *m, struct codec_out *out)
{
	struct stack_codec *c = stack_codec_new();

	offcpu_model_encode(c, m, out);
	stack_codec_free(c);
}

/* Equal text, both NULL, or the test fails. */
static void assert_same_str(const char *a, const char *b)
{
	if (!a || !b) {
		assert_ptr_equal(a, b);
		return;
	}
	assert_string_equal(a, b);
}

static void test_round_trip(void **state)
{
	struct offcpu_model m;
	struct offcpu_model *d = NULL;
	struct codec_out out = { 0 };
	char why[256] = "";

	(void)state;
	make_model(&m);
	encode(&m, &out);
	assert_int_equal(offcpu_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_non_null(d);
	assert_true(d->interval_s == m.interval_s && d->cumulative_s == m.cumulative_s);
	assert_int_equal(d->min_block_us, 10);
	assert_int_equal(d->max_block_us, 1000000);
	assert_true(d->runnable);
	assert_false(d->kthreads);
	assert_int_equal(d->polls, 42);
	assert_int_equal(d->cumulative.nsamples, 0);
	assert_int_equal(d->interval.nsamples, m.interval.nsamples);
	assert_int_equal(d->interval.total, m.interval.total);
	for (size_t i = 0; i < m.interval.nsamples; i++) {
		const struct stack_sample *x = &m.interval.samples[i], *y = &d->interval.samples[i];

		assert_int_equal(y->pid, x->pid);
		assert_int_equal(y->tid, x->tid);
		assert_string_equal(y->comm, x->comm);
		assert_string_equal(y->pcomm, x->pcomm);
		assert_int_equal(y->value, x->value);
		assert_int_equal(y->count, x->count);
		assert_int_equal(y->exited, x->exited);
		assert_int_equal(y->nframes, x->nframes);
		for (uint32_t k = 0; k < x->nframes; k++) {
			assert_string_equal(y->frames[k].name, x->frames[k].name);
			assert_int_equal(y->frames[k].kind, x->frames[k].kind);
			assert_same_str(y->frames[k].src, x->frames[k].src);
			assert_int_equal(y->frames[k].addr, x->frames[k].addr);
		}
	}
	/* names are interned in the decoded set's store: one pointer for one text */
	assert_ptr_equal(d->interval.samples[0].frames[0].name,
			 d->interval.samples[1].frames[0].name);
	offcpu_model_free(d);
	stack_set_clear(&m.interval);
	codec_out_free(&out);
}

/* The encoder's tables are kept between intervals: a second encoding is the same bytes. */
static void test_encoder_reused(void **state)
{
	struct stack_codec *c = stack_codec_new();
	struct codec_out a = { 0 }, b = { 0 };
	struct offcpu_model m;

	(void)state;
	make_model(&m);
	offcpu_model_encode(c, &m, &a);
	offcpu_model_encode(c, &m, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	stack_codec_free(c);
	stack_set_clear(&m.interval);
	codec_out_free(&a);
	codec_out_free(&b);
}

static void test_hostile_name_escaped(void **state)
{
	struct stack_frame f[] = {
		{ .name = "evil\x1b[2Jname\xff", .kind = STACK_FRAME_USER, .addr = 1 },
	};
	struct stack_sample s = { .pid = 1, .tid = 1, .comm = "c\x07", .pcomm = "c\x07", .frames = f,
				  .nframes = 1, .value = 10, .count = 1 };
	struct offcpu_model m = { 0 }, *d = NULL;
	struct codec_out out = { 0 };
	char why[256];

	(void)state;
	stack_set_add(&m.interval, &s);
	m.polls = 1;
	encode(&m, &out);
	assert_int_equal(offcpu_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_string_equal(d->interval.samples[0].frames[0].name, "evil\\x1b[2Jname\\xff");
	assert_string_equal(d->interval.samples[0].comm, "c\\x07");
	offcpu_model_free(d);
	stack_set_clear(&m.interval);
	codec_out_free(&out);
}

/*
 * A frame's address and kind share one word: the highest user address of a 57-bit address
 * space, the [vsyscall] page (a kernel-half address in a user stack) and 0 come back as
 * written, each with its kind, after a copy into a set and a round trip through the codec.
 */
static void test_frame_word(void **state)
{
	static const uint64_t addrs[] = { 0xfffffffffff000, 0xffffffffff600400, 0 };
	static const enum stack_frame_kind kinds[] = { STACK_FRAME_USER, STACK_FRAME_UNKNOWN,
						       STACK_FRAME_MARK };
	struct stack_frame f[3];
	struct stack_sample s = { .pid = 1, .tid = 1, .comm = "c", .pcomm = "c", .frames = f,
				  .nframes = 3, .value = 10, .count = 1 };
	struct offcpu_model m = { 0 }, *d = NULL;
	struct codec_out out = { 0 };
	const struct stack_frame *g;
	char why[256];

	(void)state;
	for (int i = 0; i < 3; i++)
		f[i] = (struct stack_frame){ .name = "f", .kind = kinds[i], .addr = addrs[i] };
	stack_set_add(&m.interval, &s);
	m.polls = 1;
	encode(&m, &out);
	assert_int_equal(offcpu_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	for (int i = 0; i < 3; i++) {
		g = &d->interval.samples[0].frames[i];
		assert_int_equal((uint64_t)m.interval.samples[0].frames[i].addr, addrs[i]);
		assert_int_equal((uint64_t)g->addr, addrs[i]);
		assert_int_equal(g->kind, kinds[i]);
	}
	offcpu_model_free(d);
	stack_set_clear(&m.interval);
	codec_out_free(&out);
}

/* The model's decoder for codec_test.h: its result; what it made freed, nothing on an error. */
static int decode(const void *data, size_t len, char *why, size_t why_len)
{
	struct offcpu_model *d = (void *)1;
	int err = offcpu_model_decode(data, len, &d, why, why_len);

	if (err)
		assert_null(d);
	else
		offcpu_model_free(d);
	return err;
}

/* Every cut is refused with a reason; so is a byte added at the end. */
static void test_cut_and_long(void **state)
{
	struct offcpu_model m;
	struct codec_out out = { 0 };

	(void)state;
	make_model(&m);
	encode(&m, &out);
	codec_test_cuts(&out, decode);
	stack_set_clear(&m.interval);
	codec_out_free(&out);
}

static void test_newer_version(void **state)
{
	(void)state;
	codec_test_newer(OFFCPU_CODEC_VERSION + 1, decode);
}

/* Varints at their limits, and one too long. */
static void test_varint(void **state)
{
	uint64_t v[] = { 0, 1, 127, 128, 300, UINT32_MAX, UINT64_MAX };
	struct codec_out out = { 0 };
	struct codec_in in;
	uint8_t eleven[11];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		codec_put_varint(&out, v[i]);
	codec_in_init(&in, out.data, out.len);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_true(codec_get_varint(&in) == v[i]);
	assert_false(in.bad);
	assert_int_equal(codec_in_left(&in), 0);
	memset(eleven, 0x80, sizeof(eleven));
	codec_in_init(&in, eleven, sizeof(eleven));
	codec_get_varint(&in);
	assert_true(in.bad);
	codec_out_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encoder_reused),
		cmocka_unit_test(test_hostile_name_escaped),
		cmocka_unit_test(test_frame_word),
		cmocka_unit_test(test_cut_and_long),
		cmocka_unit_test(test_newer_version),
		cmocka_unit_test(test_varint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
