// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Stacks model's binary form (collectors/stacks_codec.c): a model encoded and
 * decoded is equal to the original (the process, every thread's figures and text, the picker's
 * processes, every on-CPU sample and frame); hostile text comes back escaped; every cut of the
 * bytes, a field longer than the model holds and a newer version are refused with a reason.
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

#include "collectors/stacks_codec.h"
#include "tests/unit/codec_test.h"

/* A process of two threads (one exited), two picker rows and two on-CPU stacks. */
static void make_model(struct stacks_model *m)
{
	static struct stacks_thread threads[2];
	static struct stacks_proc top[2];
	struct stack_frame a[] = {
		{ .name = "main",
		  .kind = STACK_FRAME_USER,
		  .src = "burner.c:30",
		  .addr = 0x401000 },
		{ .name = "burn", .kind = STACK_FRAME_USER, .addr = 0x401100 },
	};
	struct stack_frame b[] = {
		{ .name = "[unknown]", .kind = STACK_FRAME_UNKNOWN, .addr = 0x7f0000001234 },
	};
	struct stack_sample s[] = {
		{ .pid = 300, .tid = 300, .comm = "burner", .pcomm = "burner", .frames = a,
		  .nframes = 2, .value = 990000, .count = 99 },
		{ .pid = 300, .tid = 301, .comm = "worker", .pcomm = "burner", .frames = b,
		  .nframes = 1, .value = 10000, .count = 1 },
	};

	memset(m, 0, sizeof(*m));
	memset(threads, 0, sizeof(threads));
	memset(top, 0, sizeof(top));
	threads[0] = (struct stacks_thread){ .tid = 300, .state = 'R', .cpu_pct = 99.5,
					     .oncpu_samples = 99, .voluntary = 3,
					     .involuntary = 7 };
	snprintf(threads[0].name, sizeof(threads[0].name), "burner");
	snprintf(threads[0].kstack, sizeof(threads[0].kstack), "a <- b <- c");
	threads[1] = (struct stacks_thread){ .tid = 301, .state = 'S', .oncpu_samples = 1,
					     .voluntary = 1ull << 40, .exited = true };
	snprintf(threads[1].name, sizeof(threads[1].name), "worker");
	snprintf(threads[1].wchan, sizeof(threads[1].wchan), "do_nanosleep");
	top[0] = (struct stacks_proc){ .pid = 300, .oncpu_us = 1000000 };
	snprintf(top[0].comm, sizeof(top[0].comm), "burner");
	top[1] = (struct stacks_proc){ .pid = 4000000000u, .oncpu_us = 5 };
	snprintf(top[1].comm, sizeof(top[1].comm), "kworker/0:1");
	m->pid = 300;
	snprintf(m->comm, sizeof(m->comm), "burner");
	snprintf(m->why, sizeof(m->why), "a reason");
	m->threads = threads;
	m->nthreads = 2;
	m->top = top;
	m->ntop = 2;
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		stack_set_add(&m->oncpu_interval, &s[i]);
	m->hz = 99;
	m->interval_s = 1.0;
	m->cumulative_s = 30.5;
	m->polls = 31;
	m->poll_s = 0.002;
}

static void encode(const struct stacks_model *m, struct codec_out *out)
{
	struct stack_codec *c = stack_codec_new();

	stacks_model_encode(c, m, out);
	stack_codec_free(c);
}

static void test_round_trip(void **state)
{
	struct stacks_model m, *d = NULL;
	struct codec_out out = { 0 };
	char why[256] = "";

	(void)state;
	make_model(&m);
	encode(&m, &out);
	assert_int_equal(stacks_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_non_null(d);
	assert_int_equal(d->pid, 300);
	assert_string_equal(d->comm, "burner");
	assert_false(d->exited);
	assert_string_equal(d->why, "a reason");
	assert_int_equal(d->hz, 99);
	assert_true(d->interval_s == 1.0 && d->cumulative_s == 30.5 && d->poll_s == 0.002);
	assert_int_equal(d->polls, 31);
	assert_int_equal(d->nthreads, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct stacks_thread *x = &m.threads[i], *y = &d->threads[i];

		assert_int_equal(y->tid, x->tid);
		assert_string_equal(y->name, x->name);
		assert_int_equal(y->state, x->state);
		assert_true(y->cpu_pct == x->cpu_pct);
		assert_int_equal(y->oncpu_samples, x->oncpu_samples);
		assert_int_equal(y->voluntary, x->voluntary);
		assert_int_equal(y->involuntary, x->involuntary);
		assert_string_equal(y->wchan, x->wchan);
		assert_string_equal(y->kstack, x->kstack);
		assert_int_equal(y->exited, x->exited);
	}
	assert_int_equal(d->ntop, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(d->top[i].pid, m.top[i].pid);
		assert_string_equal(d->top[i].comm, m.top[i].comm);
		assert_int_equal(d->top[i].oncpu_us, m.top[i].oncpu_us);
	}
	assert_int_equal(d->oncpu_cumulative.nsamples, 0);
	assert_int_equal(d->oncpu_interval.nsamples, 2);
	assert_int_equal(d->oncpu_interval.total, m.oncpu_interval.total);
	for (size_t i = 0; i < 2; i++) {
		const struct stack_sample *x = &m.oncpu_interval.samples[i];
		const struct stack_sample *y = &d->oncpu_interval.samples[i];

		assert_int_equal(y->tid, x->tid);
		assert_string_equal(y->comm, x->comm);
		assert_int_equal(y->value, x->value);
		assert_int_equal(y->nframes, x->nframes);
		for (uint32_t k = 0; k < x->nframes; k++) {
			assert_string_equal(y->frames[k].name, x->frames[k].name);
			assert_int_equal(y->frames[k].kind, x->frames[k].kind);
			assert_int_equal(y->frames[k].addr, x->frames[k].addr);
		}
	}
	stacks_model_free(d);
	stack_set_clear(&m.oncpu_interval);
	codec_out_free(&out);
}

/* A model with nothing in it (no target, the picker empty) comes back as it went. */
static void test_empty(void **state)
{
	struct stacks_model m = { 0 }, *d = NULL;
	struct codec_out out = { 0 };
	char why[256];

	(void)state;
	encode(&m, &out);
	assert_int_equal(stacks_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_int_equal(d->pid, 0);
	assert_int_equal(d->nthreads, 0);
	assert_null(d->threads);
	assert_int_equal(d->ntop, 0);
	assert_int_equal(d->oncpu_interval.nsamples, 0);
	stacks_model_free(d);
	codec_out_free(&out);
}

static void test_hostile_text_escaped(void **state)
{
	struct stacks_model m, *d = NULL;
	struct codec_out out = { 0 };
	char why[256];

	(void)state;
	make_model(&m);
	snprintf(m.threads[0].name, sizeof(m.threads[0].name), "t\x1b[2J");
	snprintf(m.threads[1].kstack, sizeof(m.threads[1].kstack), "k\xff");
	snprintf(m.top[0].comm, sizeof(m.top[0].comm), "c\x07");
	encode(&m, &out);
	assert_int_equal(stacks_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_string_equal(d->threads[0].name, "t\\x1b[2J");
	assert_string_equal(d->threads[1].kstack, "k\\xff");
	assert_string_equal(d->top[0].comm, "c\\x07");
	stacks_model_free(d);
	stack_set_clear(&m.oncpu_interval);
	codec_out_free(&out);
}

/* The model's decoder for codec_test.h: its result; what it made freed, nothing on an error. */
static int decode(const void *data, size_t len, char *why, size_t why_len)
{
	struct stacks_model *d = (void *)1;
	int err = stacks_model_decode(data, len, &d, why, why_len);

	if (err)
		assert_null(d);
	else
		stacks_model_free(d);
	return err;
}

/* Every cut is refused with a reason; so is a byte added at the end. */
static void test_cut_and_long(void **state)
{
	struct stacks_model m;
	struct codec_out out = { 0 };

	(void)state;
	make_model(&m);
	encode(&m, &out);
	codec_test_cuts(&out, decode);
	stack_set_clear(&m.oncpu_interval);
	codec_out_free(&out);
}

/* A comm longer than the model's field is damage, not a write past it. */
static void test_field_too_long(void **state)
{
	struct codec_out out = { 0 };
	struct stacks_model *d;
	char why[256], big[200];

	(void)state;
	memset(big, 'a', sizeof(big));
	codec_put_varint(&out, STACKS_CODEC_VERSION);
	codec_put_varint(&out, 1);
	codec_put_varint(&out, sizeof(big));
	codec_put_bytes(&out, big, sizeof(big));
	codec_put_bytes(&out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 30);
	assert_int_equal(stacks_model_decode(out.data, out.len, &d, why, sizeof(why)), -EBADMSG);
	assert_null(d);
	assert_non_null(strstr(why, "header"));
	codec_out_free(&out);
}

static void test_newer_version(void **state)
{
	(void)state;
	codec_test_newer(STACKS_CODEC_VERSION + 1, decode);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_hostile_text_escaped),
		cmocka_unit_test(test_cut_and_long),
		cmocka_unit_test(test_field_too_long),
		cmocka_unit_test(test_newer_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
