// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Trace model's binary form (collectors/trace_codec.c) and of its replay over a
 * range (collectors/trace_range.c): a model encoded holds the interval's events only (as many
 * of the newest as its probes counted) and decodes to the same probes, VFS counters and events;
 * hostile text comes back escaped; every cut and a newer version are refused with a reason;
 * intervals put together give the range's events, bounded as live, and its counts.
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

#include "collectors/trace_codec.h"
#include "collectors/trace_range.h"
#include "tests/unit/codec_test.h"

/* A model of two probes and n events (the last `fresh` of them this interval's, probe #1's). */
static struct trace_model *make_model(size_t n, uint64_t fresh, double t0)
{
	struct trace_model *m = calloc(1, sizeof(*m));

	m->interval_s = 0.5;
	m->lost = 3;
	m->polls = 9;
	m->vfs_active = true;
	snprintf(m->vfs_how, sizeof(m->vfs_how), "syscall tracepoints");
	for (int op = 0; op < TRACE_VFS_COUNT; op++) {
		m->vfs[op] = 10 * (uint64_t)op + 1;
		for (int i = 0; i < TRACE_VFS_HISTORY; i++)
			m->vfs_history[op][i] = (uint64_t)(op * 100 + i);
	}
	m->probes = calloc(2, sizeof(*m->probes));
	m->nprobes = 2;
	m->probes[0] = (struct trace_probe_info){ .id = 1, .type = 'p', .attached = true,
						  .events = 40, .interval_events = fresh,
						  .lost = 1 };
	snprintf(m->probes[0].spec, sizeof(m->probes[0].spec), "c:malloc \"%%d bytes\", arg1");
	snprintf(m->probes[0].target, sizeof(m->probes[0].target), "/lib/libc.so.6:malloc");
	m->probes[1] = (struct trace_probe_info){ .id = 2, .type = 't' };
	snprintf(m->probes[1].spec, sizeof(m->probes[1].spec), "t:sched:nope");
	snprintf(m->probes[1].why, sizeof(m->probes[1].why), "no such tracepoint");
	m->events = calloc(n ? n : 1, sizeof(*m->events));
	m->nevents = n;
	for (size_t i = 0; i < n; i++) {
		struct trace_event *e = &m->events[i];
		char msg[32];

		e->time = t0 + (double)i / 100.0;
		e->pid = 100 + (uint32_t)i;
		e->tid = 200 + (uint32_t)i;
		snprintf(e->comm, sizeof(e->comm), "worker");
		e->probe_id = 1;
		snprintf(msg, sizeof(msg), "%zu bytes", i * 8);
		e->message = strdup(msg);
		e->nargs = 2;
		e->args[0] = i * 8;
		e->args[1] = UINT64_MAX - i;
	}
	return m;
}

static struct trace_model *round_trip(const struct trace_model *m)
{
	struct codec_out out = { 0 };
	struct trace_model *d = NULL;
	char why[256] = "";

	trace_model_encode(m, &out);
	assert_int_equal(trace_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_non_null(d);
	codec_out_free(&out);
	return d;
}

static void test_round_trip(void **state)
{
	struct trace_model *m = make_model(5, 2, 1000), *d;

	(void)state;
	assert_int_equal(trace_model_interval_events(m), 2);
	d = round_trip(m);
	assert_true(d->interval_s == 0.5);
	assert_int_equal(d->lost, 3);
	assert_int_equal(d->polls, 9);
	assert_true(d->vfs_active);
	assert_string_equal(d->vfs_how, "syscall tracepoints");
	assert_memory_equal(d->vfs, m->vfs, sizeof(m->vfs));
	assert_memory_equal(d->vfs_history, m->vfs_history, sizeof(m->vfs_history));
	assert_int_equal(d->nprobes, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct trace_probe_info *x = &m->probes[i], *y = &d->probes[i];

		assert_int_equal(y->id, x->id);
		assert_int_equal(y->type, x->type);
		assert_string_equal(y->spec, x->spec);
		assert_string_equal(y->target, x->target);
		assert_int_equal(y->attached, x->attached);
		assert_string_equal(y->why, x->why);
		assert_int_equal(y->events, x->events);
		assert_int_equal(y->interval_events, x->interval_events);
		assert_int_equal(y->lost, x->lost);
	}
	/* the newest two: the interval's */
	assert_int_equal(d->nevents, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct trace_event *x = &m->events[3 + i], *y = &d->events[i];

		assert_true(y->time == x->time);
		assert_int_equal(y->pid, x->pid);
		assert_int_equal(y->tid, x->tid);
		assert_string_equal(y->comm, x->comm);
		assert_int_equal(y->probe_id, x->probe_id);
		assert_string_equal(y->message, x->message);
		assert_int_equal(y->nargs, 2);
		assert_int_equal(y->args[0], x->args[0]);
		assert_int_equal(y->args[1], x->args[1]);
	}
	trace_model_free(d);
	trace_model_free(m);
}

static void test_hostile_text_escaped(void **state)
{
	struct trace_model *m = make_model(1, 1, 1000), *d;

	(void)state;
	free(m->events[0].message);
	m->events[0].message = strdup("x\x1b[31m\xc3");
	snprintf(m->events[0].comm, sizeof(m->events[0].comm), "c\x07");
	snprintf(m->probes[0].spec, sizeof(m->probes[0].spec), "s\x7f");
	d = round_trip(m);
	assert_string_equal(d->events[0].message, "x\\x1b[31m\\xc3");
	assert_string_equal(d->events[0].comm, "c\\x07");
	assert_string_equal(d->probes[0].spec, "s\\x7f");
	trace_model_free(d);
	trace_model_free(m);
}

static int decode(const void *data, size_t len, char *why, size_t why_len)
{
	struct trace_model *d = (void *)1;
	int err = trace_model_decode(data, len, &d, why, why_len);

	if (err)
		assert_null(d);
	else
		trace_model_free(d);
	return err;
}

static void test_cuts(void **state)
{
	struct trace_model *m = make_model(3, 3, 1000);
	struct codec_out out = { 0 };

	(void)state;
	trace_model_encode(m, &out);
	codec_test_cuts(&out, decode);
	codec_out_free(&out);
	trace_model_free(m);
}

static void test_newer_version(void **state)
{
	(void)state;
	codec_test_newer(TRACE_CODEC_VERSION + 1, decode);
}

/* A probe type no spec makes is damage. */
static void test_bad_type(void **state)
{
	struct trace_model *m = make_model(0, 0, 1000);
	struct codec_out out = { 0 };
	char why[256];

	(void)state;
	m->probes[1].type = '\x1b';
	trace_model_encode(m, &out);
	assert_int_equal(decode(out.data, out.len, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "probe"));
	codec_out_free(&out);
	trace_model_free(m);
}

/* Two intervals put together: the events of both, oldest first, and both intervals' counts. */
static void test_range(void **state)
{
	struct trace_model *ma = make_model(3, 3, 1000), *mb = make_model(2, 2, 2000);
	struct trace_model *a = round_trip(ma), *b = round_trip(mb);
	struct trace_model own = { .events = b->events, .nevents = b->nevents };

	(void)state;
	trace_model_free(ma);
	trace_model_free(mb);
	b->events = NULL;
	b->nevents = 0;
	trace_range_take(b, a, true);
	trace_range_take(b, &own, false);
	assert_int_equal(b->nevents, 5);
	assert_true(b->events[0].time == 1000 && b->events[4].time == 2000.01);
	assert_int_equal(b->probes[0].interval_events, 5);
	assert_int_equal(b->vfs[1], 22);
	assert_true(b->interval_s == 1.0);
	trace_model_free(a);
	trace_model_free(b);
}

/* More events than live keeps: the newest TRACE_EVENTS_MAX. */
static void test_range_bounded(void **state)
{
	struct trace_model *a = make_model(TRACE_EVENTS_MAX, TRACE_EVENTS_MAX, 1000);
	struct trace_model *b = make_model(10, 10, 5000);

	(void)state;
	trace_range_take(a, b, true);
	assert_int_equal(a->nevents, TRACE_EVENTS_MAX);
	assert_true(a->events[TRACE_EVENTS_MAX - 1].time == 5000.09);
	assert_true(a->events[0].time == 1000 + 10 / 100.0);
	trace_model_free(a);
	trace_model_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile_text_escaped),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_newer_version),
		cmocka_unit_test(test_bad_type),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_range_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
