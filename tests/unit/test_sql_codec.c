// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Slow queries model's binary form (collectors/sql_codec.c) and of its replay over
 * a range (collectors/sql_range.c): a model encoded holds the interval's queries only, and
 * decodes to the same servers, figures, digest (histogram and waits included) and queries (text,
 * database, user, waits, blocked stacks and the rule that named one); hostile text comes back
 * escaped; every cut and a newer version are refused with a reason; three intervals put
 * together give the range's queries and a digest of the range alone.
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

#include "collectors/sql_codec.h"
#include "collectors/sql_range.h"
#include "tests/unit/codec_test.h"

#define RULE "mariadb.rules:12: FRAME lock_wait -> lock"

/* Add a query of latency_ms ending at t; with a blocked stack named by RULE when stack. */
static void add_query(struct sql_model *m, struct sql_model_index *ix, const char *text,
		      double t, uint64_t latency_ms, bool stack)
{
	struct stack_frame f[] = {
		{ .name = "do_command", .kind = STACK_FRAME_USER, .addr = 0x5000 },
		{ .name = "lock_wait", .kind = STACK_FRAME_USER, .src = "lock0lock.cc:9",
		  .addr = 0x5100 },
		{ .name = "futex_wait", .kind = STACK_FRAME_KERNEL },
	};
	struct stack_sample s = { .pid = 77, .tid = 78, .comm = "one_connection",
				  .pcomm = "mariadbd", .frames = f, .nframes = 3,
				  .value = latency_ms * 900, .count = 2 };
	struct sql_query q = { .time = t, .start = t - (double)latency_ms / 1000.0, .pid = 77,
			       .tid = 78, .kind = SQL_KIND_MYSQL, .latency_us = latency_ms * 1000,
			       .server_pid = 77, .prepared = true };

	snprintf(q.database, sizeof(q.database), "shop");
	snprintf(q.user, sizeof(q.user), "app");
	q.waits.ns[SCHED_TIME_CPU] = latency_ms * 100000;
	q.waits.ns[SCHED_TIME_LOCK] = latency_ms * 900000;
	q.waits.switches = 3;
	q.waits.io_count = 1;
	q.waits.io_bytes = 4096;
	if (stack) {
		stack_set_add(&q.stacks, &s);
		q.stack_info[0] = (struct sql_stack_info){
			.cls = SCHED_TIME_LOCK, .kclass = SCHED_TIME_SLEEP, .dwarf = true,
			.rule = stack_store_name(q.stacks.store, RULE) };
	}
	sql_model_add(m, ix, &q, text, strlen(text));
}

/* A model of one traced and one untraced server; one query before the interval, two in it. */
static void make_model(struct sql_model *m, struct sql_model_index *ix)
{
	memset(m, 0, sizeof(*m));
	m->servers = calloc(2, sizeof(*m->servers));
	m->nservers = 2;
	m->servers[0] = (struct sql_server){ .pid = 77, .kind = SQL_KIND_MYSQL, .traced = true };
	snprintf(m->servers[0].exe, sizeof(m->servers[0].exe), "/usr/sbin/mariadbd");
	snprintf(m->servers[0].how, sizeof(m->servers[0].how), "uprobe dispatch_command");
	m->servers[1] = (struct sql_server){ .pid = 90, .kind = SQL_KIND_PG };
	snprintf(m->servers[1].why, sizeof(m->servers[1].why), "no USDT probes");
	m->threshold_ms = 10;
	m->text_limit = 2048;
	m->lost = 4;
	m->waits_repaired = 2;
	m->polls = 12;
	snprintf(m->rules_warning[1], sizeof(m->rules_warning[1]), "pg.rules:3: bad line");
	add_query(m, ix, "SELECT SLEEP(0.4)", 1000.5, 400, false);
	m->interval_from = m->seen;
	add_query(m, ix, "SELECT * FROM t WHERE id = 42", 1001.2, 30, true);
	add_query(m, ix, "SELECT * FROM t WHERE id = 7", 1001.7, 50, false);
}

static struct sql_model *round_trip(const struct sql_model *m)
{
	struct stack_codec *c = stack_codec_new();
	struct codec_out out = { 0 };
	struct sql_model *d = NULL;
	char why[256] = "";

	sql_model_encode(c, m, &out);
	assert_int_equal(sql_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_non_null(d);
	stack_codec_free(c);
	codec_out_free(&out);
	return d;
}

static void test_round_trip(void **state)
{
	struct sql_model_index *ix = sql_model_index_new();
	struct sql_model m, *d;

	(void)state;
	make_model(&m, ix);
	d = round_trip(&m);
	assert_int_equal(d->threshold_ms, 10);
	assert_int_equal(d->text_limit, 2048);
	assert_int_equal(d->seen, 3);
	assert_int_equal(d->interval_from, 1);
	assert_int_equal(d->lost, 4);
	assert_int_equal(d->waits_repaired, 2);
	assert_int_equal(d->polls, 12);
	assert_memory_equal(d->per_second, m.per_second, sizeof(m.per_second));
	assert_string_equal(d->rules_warning[0], "");
	assert_string_equal(d->rules_warning[1], "pg.rules:3: bad line");
	assert_int_equal(d->nservers, 2);
	assert_string_equal(d->servers[0].exe, "/usr/sbin/mariadbd");
	assert_string_equal(d->servers[0].how, "uprobe dispatch_command");
	assert_true(d->servers[0].traced);
	assert_int_equal(d->servers[1].kind, SQL_KIND_PG);
	assert_false(d->servers[1].traced);
	assert_string_equal(d->servers[1].why, "no USDT probes");
	/* the digest since start: two shapes, the second of two queries */
	assert_int_equal(d->ndigests, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct sql_digest *x = &m.digests[i], *y = &d->digests[i];

		assert_string_equal(y->fingerprint, x->fingerprint);
		assert_int_equal(y->count, x->count);
		assert_int_equal(y->total_us, x->total_us);
		assert_int_equal(y->max_us, x->max_us);
		assert_true(y->last_seen == x->last_seen);
		assert_memory_equal(&y->lat_us, &x->lat_us, sizeof(x->lat_us));
		assert_int_equal(y->waits_count, x->waits_count);
		assert_memory_equal(&y->waits, &x->waits, sizeof(x->waits));
	}
	assert_int_equal(d->digests[1].count, 2);
	/* the interval's queries only */
	assert_int_equal(d->nqueries, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct sql_query *x = &m.queries[i + 1], *y = &d->queries[i];

		assert_true(y->time == x->time && y->start == x->start);
		assert_int_equal(y->pid, x->pid);
		assert_int_equal(y->tid, x->tid);
		assert_int_equal(y->latency_us, x->latency_us);
		assert_string_equal(y->text, x->text);
		assert_true(y->prepared);
		assert_false(y->truncated);
		assert_int_equal(y->seq, x->seq);
		assert_string_equal(y->database, "shop");
		assert_string_equal(y->user, "app");
		assert_memory_equal(&y->waits, &x->waits, sizeof(x->waits));
		/* its fingerprint is its digest's, in the decoded model */
		assert_ptr_equal(y->fingerprint, d->digests[1].fingerprint);
	}
	assert_int_equal(d->queries[0].stacks.nsamples, 1);
	assert_int_equal(d->queries[1].stacks.nsamples, 0);
	{
		const struct stack_sample *s = &d->queries[0].stacks.samples[0];
		const struct sql_stack_info *si = &d->queries[0].stack_info[0];

		assert_int_equal(s->value, 27000);
		assert_int_equal(s->count, 2);
		assert_int_equal(s->nframes, 3);
		assert_string_equal(s->frames[1].name, "lock_wait");
		assert_string_equal(s->frames[1].src, "lock0lock.cc:9");
		assert_int_equal(s->frames[2].kind, STACK_FRAME_KERNEL);
		assert_int_equal(si->cls, SCHED_TIME_LOCK);
		assert_int_equal(si->kclass, SCHED_TIME_SLEEP);
		assert_true(si->dwarf);
		assert_string_equal(si->rule, RULE);
	}
	sql_model_free(d);
	sql_model_clear(&m);
	sql_model_index_free(ix);
}

/* A file's text is hostile input: controls and bad UTF-8 come back escaped as live text is. */
static void test_hostile_text_escaped(void **state)
{
	struct sql_model_index *ix = sql_model_index_new();
	struct sql_model m, *d;

	(void)state;
	make_model(&m, ix);
	free(m.queries[2].text);
	m.queries[2].text = strdup("SELECT '\x1b]0;owned\x07' \xff");
	snprintf(m.queries[2].database, sizeof(m.queries[2].database), "db\x1b[2J");
	snprintf(m.servers[0].how, sizeof(m.servers[0].how), "\x9b" "31m");
	d = round_trip(&m);
	assert_string_equal(d->queries[1].text, "SELECT '\\x1b]0;owned\\x07' \\xff");
	assert_string_equal(d->queries[1].database, "db\\x1b[2J");
	assert_string_equal(d->servers[0].how, "\\x9b31m");
	sql_model_free(d);
	sql_model_clear(&m);
	sql_model_index_free(ix);
}

/* The model's decoder for codec_test.h: its result; what it made freed, nothing on an error. */
static int decode(const void *data, size_t len, char *why, size_t why_len)
{
	struct sql_model *d = (void *)1;
	int err = sql_model_decode(data, len, &d, why, why_len);

	if (err)
		assert_null(d);
	else
		sql_model_free(d);
	return err;
}

static void test_cuts(void **state)
{
	struct sql_model_index *ix = sql_model_index_new();
	struct stack_codec *c = stack_codec_new();
	struct codec_out out = { 0 };
	struct sql_model m;

	(void)state;
	make_model(&m, ix);
	sql_model_encode(c, &m, &out);
	codec_test_cuts(&out, decode);
	codec_out_free(&out);
	stack_codec_free(c);
	sql_model_clear(&m);
	sql_model_index_free(ix);
}

static void test_newer_version(void **state)
{
	(void)state;
	codec_test_newer(SQL_CODEC_VERSION + 1, decode);
}

/* Three intervals as a recording holds them: one query each, the digest since start. */
static void record_three(struct sql_model **iv)
{
	struct sql_model_index *ix = sql_model_index_new();
	struct sql_model m = { 0 };
	const char *text[] = { "SELECT SLEEP(0.4)", "SELECT * FROM t WHERE id = 1",
			       "SELECT * FROM t WHERE id = 2" };
	const uint64_t ms[] = { 400, 80, 20 };

	for (int i = 0; i < 3; i++) {
		m.interval_from = m.seen;
		add_query(&m, ix, text[i], 1000.0 + i, ms[i], i == 1);
		iv[i] = round_trip(&m);
		assert_int_equal(iv[i]->nqueries, 1);
	}
	sql_model_clear(&m);
	sql_model_index_free(ix);
}

/* Intervals 2..3 put together: their two queries, a digest of them alone. */
static void test_range(void **state)
{
	struct sql_model *iv[3];
	struct sql_model *m;

	(void)state;
	record_three(iv);
	m = iv[2];
	{
		struct sql_model own = { .queries = m->queries, .nqueries = m->nqueries };

		m->queries = NULL;
		m->nqueries = 0;
		sql_range_take(m, iv[1]);
		sql_range_take(m, &own);
	}
	sql_range_digest_since(m, iv[0]);
	assert_int_equal(m->nqueries, 2);
	assert_int_equal(m->queries[0].latency_us, 80000);
	assert_int_equal(m->queries[1].latency_us, 20000);
	assert_int_equal(m->queries[0].stacks.nsamples, 1);
	assert_string_equal(m->queries[0].stack_info[0].rule, RULE);
	assert_int_equal(m->interval_from, 1);
	/* SLEEP's digest had nothing in the range: dropped */
	assert_int_equal(m->ndigests, 1);
	assert_string_equal(m->digests[0].fingerprint, "select * from t where id = ?");
	assert_int_equal(m->digests[0].count, 2);
	assert_int_equal(m->digests[0].total_us, 100000);
	assert_int_equal(m->digests[0].max_us, 80000);
	assert_int_equal(m->digests[0].lat_us.count, 2);
	assert_int_equal(m->digests[0].waits_count, 2);
	assert_ptr_equal(m->queries[0].fingerprint, m->digests[0].fingerprint);
	assert_ptr_equal(m->queries[1].fingerprint, m->digests[0].fingerprint);
	for (int i = 0; i < 3; i++)
		sql_model_free(iv[i]);
}

/* The interval alone (what the replay shows before c): the digest of its one query. */
static void test_interval_digest(void **state)
{
	struct sql_model *iv[3];

	(void)state;
	record_three(iv);
	sql_range_digest_since(iv[2], iv[1]);
	assert_int_equal(iv[2]->ndigests, 1);
	assert_int_equal(iv[2]->digests[0].count, 1);
	assert_int_equal(iv[2]->digests[0].total_us, 20000);
	/* the largest latency of the range, not the one since start */
	assert_int_equal(iv[2]->digests[0].max_us, 20000);
	/* a reading after a reset (fewer seen) leaves the digest as it is */
	iv[0]->seen = 10;
	sql_range_digest_since(iv[1], iv[0]);
	assert_int_equal(iv[1]->ndigests, 2);
	for (int i = 0; i < 3; i++)
		sql_model_free(iv[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile_text_escaped),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_newer_version),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_interval_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
