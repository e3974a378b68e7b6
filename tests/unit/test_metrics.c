// SPDX-License-Identifier: GPL-2.0
/*
 * Tests core/metrics.c: interval figures add up since start, a source that starts again from
 * zero (a reset) never takes a counter back, slow query fingerprints are bounded to the top
 * ones with the rest under "[other]", and a published exposition outlives its readers' use.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/bio.h"
#include "collectors/bio_model.h"
#include "collectors/sched.h"
#include "collectors/sched_model.h"
#include "collectors/sql.h"
#include "collectors/sql_model.h"
#include "collectors/trace.h"
#include "collectors/trace_model.h"
#include "core/metrics.h"

/* The exposition of m for these collectors, NUL-terminated; the caller frees it. */
static char *render(struct metrics *m, const struct collector *cs, size_t n)
{
	struct prom_buf b;
	size_t len;

	prom_buf_init(&b);
	metrics_render(m, cs, n, &b);
	return prom_buf_take(&b, &len);
}

/* The value of the sample line that starts with series, or -1 when there is none. */
static double value_of(const char *text, const char *series)
{
	const char *p = text;
	size_t n = strlen(series);

	while (p && *p) {
		if (!strncmp(p, series, n) && p[n] == ' ')
			return atof(p + n + 1);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* Two intervals of one process's time and run-queue slots add up; idle rows make no series. */
static void test_sched_adds_intervals(void **state)
{
	struct collector c = { .ops = &sched_collector_ops, .is_open = true };
	struct sched_row rows[2] = {
		{ .pid = 42, .comm = "db" },
		{ .pid = 43, .comm = "idle" },
	};
	struct sched_model sm = { .procs = rows, .nprocs = 2 };
	struct metrics *m = metrics_new();
	char *text;

	(void)state;
	rows[0].ns[SCHED_TIME_CPU] = 1500000000ULL;
	rows[0].ns[SCHED_TIME_IO] = 250000000ULL;
	sm.sys.runq.slots[3] = 2; /* 8..15 us */
	metrics_feed(m, 0, &c, &sm, 1.0);
	rows[0].ns[SCHED_TIME_CPU] = 500000000ULL;
	metrics_feed(m, 0, &c, &sm, 2.0);
	text = render(m, &c, 1);
	assert_true(value_of(text, "ktop_process_time_seconds_total{pid=\"42\",comm=\"db\","
				   "class=\"cpu\"}") == 2.0);
	assert_true(value_of(text, "ktop_process_time_seconds_total{pid=\"42\",comm=\"db\","
				   "class=\"io\"}") == 0.5);
	assert_null(strstr(text, "comm=\"idle\""));
	assert_true(value_of(text, "ktop_runqueue_latency_seconds_bucket{le=\"0.000016\"}") == 4);
	assert_true(value_of(text, "ktop_runqueue_latency_seconds_bucket{le=\"0.000008\"}") == 0);
	assert_true(value_of(text, "ktop_runqueue_latency_seconds_count") == 4);
	assert_true(value_of(text, "ktop_runqueue_latency_seconds_sum") > 0);
	assert_true(value_of(text, "ktop_collector_intervals_total{collector=\"sched\"}") == 2);
	free(text);
	metrics_free(m);
}

/* Block I/O intervals add up per disk and operation; the op with no I/O has no series. */
static void test_bio_adds_intervals(void **state)
{
	struct collector c = { .ops = &bio_collector_ops, .is_open = true };
	struct bio_disk disk = { .name = "loop7" };
	struct bio_model bm = { .interval = { .disks = &disk, .ndisks = 1 } };
	struct metrics *m = metrics_new();
	char *text;

	(void)state;
	disk.op[BIO_OP_WRITE].ios = 600;
	disk.op[BIO_OP_WRITE].bytes = 600 * 4096;
	disk.op[BIO_OP_WRITE].lat_total.slots[6] = 600;
	metrics_feed(m, 0, &c, &bm, 1.0);
	disk.op[BIO_OP_WRITE].ios = 400;
	disk.op[BIO_OP_WRITE].bytes = 400 * 4096;
	disk.op[BIO_OP_WRITE].lat_total.slots[6] = 400;
	metrics_feed(m, 0, &c, &bm, 2.0);
	text = render(m, &c, 1);
	assert_true(value_of(text, "ktop_bio_requests_total{disk=\"loop7\",op=\"write\"}") == 1000);
	assert_true(value_of(text, "ktop_bio_bytes_total{disk=\"loop7\",op=\"write\"}") == 4096000);
	assert_true(value_of(text, "ktop_bio_latency_seconds_bucket{disk=\"loop7\",op=\"write\","
				   "le=\"0.000128\"}") == 1000);
	assert_null(strstr(text, "disk=\"loop7\",op=\"read\""));
	free(text);
	metrics_free(m);
}

/* A probe's count that starts again from zero (r) keeps the counter going up. */
static void test_trace_reset_counts_on(void **state)
{
	struct collector c = { .ops = &trace_collector_ops, .is_open = true };
	struct trace_probe_info probe = { .id = 1, .spec = "t:x \"y\"" };
	struct trace_model tm = { .probes = &probe, .nprobes = 1, .vfs_active = true };
	struct metrics *m = metrics_new();
	char *text;

	(void)state;
	c.ndrops = 1;
	c.drops[0] = (struct collector_drop){ "lost events", 5 };
	probe.events = 10;
	tm.vfs[TRACE_VFS_READ] = 3;
	metrics_feed(m, 0, &c, &tm, 1.0);
	probe.events = 4; /* reset, then 4 more */
	c.drops[0].count = 2;
	metrics_feed(m, 0, &c, &tm, 2.0);
	text = render(m, &c, 1);
	assert_true(value_of(text, "ktop_trace_probe_events_total{probe=\"1\","
				   "spec=\"t:x \\\"y\\\"\"}") == 14);
	assert_true(value_of(text, "ktop_vfs_operations_total{op=\"read\"}") == 6);
	assert_true(value_of(text,
			     "ktop_drops_total{collector=\"trace\",counter=\"lost events\"}") == 7);
	free(text);
	metrics_free(m);
}

/* Past the top fingerprints by time, queries are counted under "[other]"; none is lost. */
static void test_sql_top_fingerprints(void **state)
{
	struct collector c = { .ops = &sql_collector_ops, .is_open = true };
	size_t n = METRICS_TOP_FINGERPRINTS + 5;
	struct sql_query *q = calloc(n, sizeof(*q));
	char(*fp)[32] = calloc(n, sizeof(*fp));
	struct sql_model sm = { .queries = q, .nqueries = n, .seen = n };
	struct metrics *m = metrics_new();
	double total = 0;
	const char *p;
	char *text;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		snprintf(fp[i], sizeof(fp[i]), "select ? from t%zu", i);
		q[i].seq = i + 1;
		q[i].server_pid = 7;
		q[i].latency_us = 1000 * (i + 1); /* the later, the slower */
		q[i].fingerprint = fp[i];
	}
	metrics_feed(m, 0, &c, &sm, 1.0);
	free(render(m, &c, 1)); /* the top ones are chosen by the time seen so far */
	sm.interval_from = n;	/* the same queries again, as a second interval */
	sm.seen = 2 * n;
	for (size_t i = 0; i < n; i++)
		q[i].seq = n + i + 1;
	metrics_feed(m, 0, &c, &sm, 2.0);
	text = render(m, &c, 1);
	/* the slowest has its own series from the second interval on; the fastest never */
	assert_true(value_of(text, "ktop_sql_slow_queries_total{server=\"7\",kind=\"mysql\","
				   "fingerprint=\"select ? from t24\"}") == 1);
	assert_null(strstr(text, "fingerprint=\"select ? from t0\""));
	assert_true(value_of(text, "ktop_sql_slow_query_latency_seconds_count{server=\"7\","
				   "kind=\"mysql\"}") == 2.0 * n);
	for (p = strstr(text, "ktop_sql_slow_queries_total{"); p;
	     p = strstr(p + 1, "ktop_sql_slow_queries_total{"))
		total += atof(strstr(p, "} ") + 2);
	assert_true(total == 2.0 * n);
	assert_true(value_of(text,
			     "ktop_metrics_lost_total{what=\"slow queries past the list\"}") == 0);
	free(text);
	/* 10 more arrived than the list holds: those are counted as lost */
	sm.interval_from = 2 * n;
	sm.seen = 3 * n + 10;
	for (size_t i = 0; i < n; i++)
		q[i].seq = 2 * n + 10 + i + 1;
	metrics_feed(m, 0, &c, &sm, 3.0);
	text = render(m, &c, 1);
	assert_true(value_of(text,
			     "ktop_metrics_lost_total{what=\"slow queries past the list\"}") == 10);
	free(text);
	metrics_free(m);
	free(fp);
	free(q);
}

/* A reader gets the last text published, kept alive by its reference past a new publish. */
static void test_publish(void **state)
{
	struct metrics *m = metrics_new();
	struct metrics_text *ref;
	const char *text;
	size_t len = 0;

	(void)state;
	assert_null(metrics_text_get(m, &len, &ref));
	assert_null(ref);
	metrics_publish(m, strdup("a 1\n"), 4);
	text = metrics_text_get(m, &len, &ref);
	metrics_publish(m, strdup("b 22\n"), 5);
	assert_string_equal(text, "a 1\n"); /* still there: the reader holds it */
	assert_int_equal(len, 4);
	metrics_text_put(ref);
	text = metrics_text_get(m, &len, &ref);
	assert_string_equal(text, "b 22\n");
	assert_int_equal(len, 5);
	metrics_text_put(ref);
	metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sched_adds_intervals),
		cmocka_unit_test(test_bio_adds_intervals),
		cmocka_unit_test(test_trace_reset_counts_on),
		cmocka_unit_test(test_sql_top_fingerprints),
		cmocka_unit_test(test_publish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
