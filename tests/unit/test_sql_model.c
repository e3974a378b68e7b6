// SPDX-License-Identifier: GPL-2.0
/* The slow-query list: its bound, what it drops (counted), and the queries of an interval. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "collectors/sql_discover.h"
#include "collectors/sql_model.h"

/* Add n queries "SELECT <i>" ending at second base + i. */
static void add_queries(struct sql_model *m, struct sql_model_index *ix, int base, int n)
{
	for (int i = 0; i < n; i++) {
		struct sql_query q = { .time = 1e9 + base + i, .pid = 7, .tid = 8, .latency_us = 20 };
		char text[32];
		int len = snprintf(text, sizeof(text), "SELECT %d", base + i);

		sql_model_add(m, ix, &q, text, (size_t)len);
	}
}

/* Past its bound the list keeps the newest, numbered in order, and counts what it dropped. */
static void test_bound_counted(void **state)
{
	struct sql_model m = { .list_max = 10 };
	struct sql_model_index *ix = sql_model_index_new();

	(void)state;
	add_queries(&m, ix, 0, 25);
	sql_model_trim(&m);
	assert_int_equal(m.nqueries, 10);
	assert_int_equal(m.seen, 25);
	assert_int_equal(m.unlisted, 15);
	for (size_t i = 0; i < m.nqueries; i++)
		assert_int_equal(m.queries[i].seq, 16 + i);
	assert_string_equal(m.queries[9].text, "SELECT 24");
	/* the digest still counts every query */
	assert_int_equal(m.digests[0].count, 25);
	sql_model_reset(&m, ix);
	assert_int_equal(m.unlisted, 0);
	assert_int_equal(m.nqueries, 0);
	sql_model_clear(&m);
	sql_model_index_free(ix);
}

/* An interval's queries are those numbered past interval_from, wherever the list starts. */
static void test_interval_start(void **state)
{
	struct sql_model m = { .list_max = 10 };
	struct sql_model_index *ix = sql_model_index_new();
	struct sql_model *copy;

	(void)state;
	add_queries(&m, ix, 0, 4);
	assert_int_equal(sql_model_interval_start(&m), 0);
	m.interval_from = m.seen;
	assert_int_equal(sql_model_interval_start(&m), 4);
	add_queries(&m, ix, 4, 3);
	assert_int_equal(sql_model_interval_start(&m), 4);
	/* the interval overflows the bound: every listed query is the interval's */
	m.interval_from = m.seen;
	add_queries(&m, ix, 7, 12);
	sql_model_trim(&m);
	assert_int_equal(sql_model_interval_start(&m), 0);
	assert_int_equal(m.seen - m.interval_from - m.nqueries, 2);
	/* a snapshot keeps the numbers */
	copy = sql_model_dup(&m);
	assert_int_equal(sql_model_interval_start(copy), 0);
	assert_int_equal(copy->queries[0].seq, m.queries[0].seq);
	sql_model_free(copy);
	sql_model_clear(&m);
	sql_model_index_free(ix);
}

/* A PostgreSQL backend's title names its user and database; others name nothing. */
static void test_pg_title(void **state)
{
	static const char long_title[] = "postgres: bob shopdb [local] SELECT\0\0\0";
	char user[96], db[96];

	(void)state;
	assert_true(sql_pg_title_names(long_title, sizeof(long_title), user, sizeof(user), db,
				       sizeof(db)));
	assert_string_equal(user, "bob");
	assert_string_equal(db, "shopdb");
	assert_true(sql_pg_title_names("postgres: main: al\x1b ops 127.0.0.1(4242) idle", 64, user,
				       sizeof(user), db, sizeof(db)));
	assert_string_equal(user, "al\\x1b");
	assert_string_equal(db, "ops");
	assert_false(sql_pg_title_names("postgres: checkpointer", 64, user, sizeof(user), db,
					sizeof(db)));
	assert_string_equal(user, "");
	assert_false(sql_pg_title_names("/usr/lib/postgresql/15/bin/postgres -D x", 64, user,
					sizeof(user), db, sizeof(db)));
	/* cut short where the kernel side's copy ended */
	assert_false(sql_pg_title_names("postgres: bob", 13, user, sizeof(user), db, sizeof(db)));
}

/* The list's breakdown column: the two largest classes with their share, or "-". */
static void test_waits_summary(void **state)
{
	struct sql_query_waits w = { 0 };
	char buf[32];

	(void)state;
	sql_waits_summary(&w, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	assert_false(sql_waits_has(&w));
	w.ns[SCHED_TIME_LOCK] = 910;
	w.ns[SCHED_TIME_CPU] = 60;
	w.ns[SCHED_TIME_RUNQ] = 30;
	sql_waits_summary(&w, buf, sizeof(buf));
	assert_string_equal(buf, "lock 91% cpu 6%");
	/* a class under 1% is not named */
	memset(&w, 0, sizeof(w));
	w.ns[SCHED_TIME_SLEEP] = 1000;
	w.ns[SCHED_TIME_CPU] = 5;
	sql_waits_summary(&w, buf, sizeof(buf));
	assert_string_equal(buf, "sleep 100%");
}

/* A digest sums its queries' classes; a query whose time was not split is left out of them. */
static void test_digest_waits(void **state)
{
	struct sql_model m = { 0 };
	struct sql_model_index *ix = sql_model_index_new();
	struct sql_query q = { .time = 1e9, .latency_us = 300 };

	(void)state;
	q.waits.ns[SCHED_TIME_POLL] = 200000;
	q.waits.ns[SCHED_TIME_CPU] = 100000;
	q.waits.switches = 2;
	sql_model_add(&m, ix, &q, "SELECT SLEEP(0.3)", 17);
	q.waits.ns[SCHED_TIME_POLL] = 400000;
	sql_model_add(&m, ix, &q, "SELECT SLEEP(0.5)", 17);
	memset(&q.waits, 0, sizeof(q.waits));
	sql_model_add(&m, ix, &q, "SELECT SLEEP(0.1)", 17);
	assert_int_equal(m.ndigests, 1);
	assert_int_equal(m.digests[0].count, 3);
	assert_int_equal(m.digests[0].waits_count, 2);
	assert_int_equal(m.digests[0].waits.ns[SCHED_TIME_POLL], 600000);
	assert_int_equal(m.digests[0].waits.ns[SCHED_TIME_CPU], 200000);
	assert_int_equal(m.digests[0].waits.switches, 4);
	assert_int_equal(m.queries[0].waits.ns[SCHED_TIME_POLL], 200000);
	sql_model_clear(&m);
	sql_model_index_free(ix);
}

/*
 * A listed query's stacks hold no spare room: a set's array starts at 16 samples, a query keeps
 * one to six, and a thousand queries stay listed for minutes.
 */
static void test_query_stacks_fit(void **state)
{
	struct sql_model m = { 0 };
	struct sql_model_index *ix = sql_model_index_new();
	struct stack_frame frame = { .name = "do_nanosleep", .kind = STACK_FRAME_KERNEL };
	struct stack_sample s = { .pid = 7,
				  .tid = 8,
				  .comm = "mariadbd",
				  .pcomm = "mariadbd",
				  .frames = &frame,
				  .nframes = 1,
				  .value = 200000,
				  .count = 1 };
	struct sql_query q = { .time = 1e9, .pid = 7, .tid = 8, .latency_us = 200000 };

	(void)state;
	stack_set_add(&q.stacks, &s);
	s.value = 10;
	stack_set_add(&q.stacks, &s);
	assert_true(q.stacks.cap > 2);
	sql_model_add(&m, ix, &q, "SELECT SLEEP(0.2)", 17);
	assert_int_equal(m.queries[0].stacks.nsamples, 2);
	assert_int_equal(m.queries[0].stacks.cap, 2);
	assert_int_equal(m.queries[0].stacks.samples[1].value, 10);
	assert_string_equal(m.queries[0].stacks.samples[0].frames[0].name, "do_nanosleep");
	/* a query whose set was emptied keeps no array (the first query owns the one moved in) */
	memset(&q.stacks, 0, sizeof(q.stacks));
	stack_set_add(&q.stacks, &s);
	stack_set_reuse(&q.stacks, NULL);
	assert_int_equal(q.stacks.nsamples, 0);
	assert_true(q.stacks.cap > 0);
	sql_model_add(&m, ix, &q, "SELECT 1", 8);
	assert_int_equal(m.queries[1].stacks.cap, 0);
	assert_null(m.queries[1].stacks.samples);
	sql_model_clear(&m);
	sql_model_index_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg_title),       cmocka_unit_test(test_bound_counted),
		cmocka_unit_test(test_waits_summary),  cmocka_unit_test(test_digest_waits),
		cmocka_unit_test(test_interval_start), cmocka_unit_test(test_query_stacks_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
