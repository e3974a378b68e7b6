// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Overview model's binary form (collectors/sched_codec.c): a model encoded and
 * decoded is equal to the original (system figures, run-queue histogram, pressure, disks,
 * every thread row with its time per class, the cgroup groups, in name order), its process
 * rows the threads added up as the collector adds them (time, live threads, state, name);
 * a command holding controls comes back escaped; a NaN, an impossible state or a thread
 * listed twice is refused;
 * every cut of the bytes and a newer version are refused with a reason.
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

#include "collectors/sched_codec.h"
#include "tests/unit/codec_test.h"

/* A row of pid/tid named comm, with ns[c] = base * (c + 1). */
static struct sched_row row(uint32_t pid, uint32_t tid, const char *comm, char state,
			    uint64_t base)
{
	struct sched_row r = { .pid = pid, .tid = tid, .uid = 1000, .threads = tid ? 1 : 2,
			       .state = state };

	snprintf(r.user, sizeof(r.user), "alice");
	snprintf(r.comm, sizeof(r.comm), "%s", comm);
	snprintf(r.cgroup, sizeof(r.cgroup), "%s", pid == 1 ? "/" : "db.service");
	for (int c = 0; c < SCHED_NCLASSES; c++)
		r.ns[c] = base * (uint64_t)(c + 1);
	return r;
}

/* Two CPUs, pressure, a disk, three threads of two processes (one a kernel thread), two groups. */
static void make_model(struct sched_model *m)
{
	memset(m, 0, sizeof(*m));
	m->interval_s = 0.5;
	m->polls = 7;
	m->filtered = true;
	m->sys.ncpus = 2;
	m->sys.cpus[0] = (struct sched_cpu){ 0.25, 0.125, 0.0625, 0 };
	m->sys.cpus[1] = (struct sched_cpu){ 1.0, 0, 0, 0.5 };
	m->sys.load[0] = 1.5;
	m->sys.load[2] = 0.01;
	m->sys.mem_total_kb = 16u << 20;
	m->sys.mem_avail_kb = 9u << 20;
	m->sys.swap_total_kb = 1u << 20;
	m->sys.swap_free_kb = 1000;
	hist_record(&m->sys.runq, 3);
	hist_record(&m->sys.runq, 5000);
	hist_record(&m->sys.runq, 1ull << 40);
	m->sys.psi = (struct sched_psi){ .has_cpu = true, .has_io = true, .cpu_some = 12.5,
					 .io_some = 3, .io_full = 1.25 };
	m->sys.ndisks = 1;
	snprintf(m->sys.disks[0].name, sizeof(m->sys.disks[0].name), "nvme0n1");
	m->sys.disks[0].util = 0.75;
	m->sys.disks[0].iops = 1234.5;
	m->sys.disks[0].avg_ms = 0.25;
	m->sys.switches_repaired = 3;
	m->nthreads = 3;
	m->threads = calloc(3, sizeof(*m->threads));
	/* the busiest first, as the collector leaves them */
	m->threads[0] = row(4242, 4250, "ib_io_wr-1", 'D', 999999);
	m->threads[0].self = true;
	m->threads[1] = row(4242, 4242, "mariadbd", 'S', 1);
	m->threads[2] = row(2, 2, "kthreadd", 'X', 0);
	m->threads[2].kthread = true;
	m->ngroups = 2;
	m->groups = calloc(2, sizeof(*m->groups));
	/* written out of name order: the reader sorts them for sched_model_group */
	snprintf(m->groups[0].cgroup, sizeof(m->groups[0].cgroup), "db.service");
	m->groups[0].has_throttle = true;
	m->groups[0].nr_throttled = 4;
	m->groups[0].throttled_us = 90000;
	m->groups[0].psi.has_mem = true;
	m->groups[0].psi.mem_some = 2.5;
	snprintf(m->groups[1].cgroup, sizeof(m->groups[1].cgroup), "/");
	m->groups[1].v1 = true;
}

/* The row of pid/tid among n, or NULL. */
static const struct sched_row *find(const struct sched_row *rows, size_t n, uint32_t pid,
				    uint32_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].pid == pid && rows[i].tid == tid)
			return &rows[i];
	return NULL;
}

static void assert_rows_equal(const struct sched_row *x, const struct sched_row *y, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(y[i].pid, x[i].pid);
		assert_int_equal(y[i].tid, x[i].tid);
		assert_int_equal(y[i].uid, x[i].uid);
		assert_int_equal(y[i].threads, x[i].threads);
		assert_int_equal(y[i].state, x[i].state);
		assert_int_equal(y[i].kthread, x[i].kthread);
		assert_int_equal(y[i].self, x[i].self);
		assert_string_equal(y[i].user, x[i].user);
		assert_string_equal(y[i].comm, x[i].comm);
		assert_string_equal(y[i].cgroup, x[i].cgroup);
		assert_memory_equal(y[i].ns, x[i].ns, sizeof(x[i].ns));
	}
}

static void test_round_trip(void **state)
{
	struct sched_model m, *d = NULL;
	struct codec_out out = { 0 };
	char why[256] = "";
	const struct sched_group *g;
	const struct sched_row *p;

	(void)state;
	make_model(&m);
	sched_model_encode(&m, &out);
	assert_int_equal(sched_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_true(d->interval_s == 0.5 && d->filtered);
	assert_int_equal(d->polls, 7);
	assert_int_equal(d->sys.ncpus, 2);
	assert_memory_equal(d->sys.cpus, m.sys.cpus, 2 * sizeof(m.sys.cpus[0]));
	assert_memory_equal(d->sys.load, m.sys.load, sizeof(m.sys.load));
	assert_int_equal(d->sys.mem_total_kb, m.sys.mem_total_kb);
	assert_int_equal(d->sys.mem_avail_kb, m.sys.mem_avail_kb);
	assert_int_equal(d->sys.swap_total_kb, m.sys.swap_total_kb);
	assert_int_equal(d->sys.swap_free_kb, 1000);
	assert_memory_equal(&d->sys.runq, &m.sys.runq, sizeof(m.sys.runq));
	assert_true(d->sys.psi.has_cpu && d->sys.psi.has_io && !d->sys.psi.has_mem);
	assert_true(d->sys.psi.cpu_some == 12.5 && d->sys.psi.io_full == 1.25);
	assert_int_equal(d->sys.ndisks, 1);
	assert_string_equal(d->sys.disks[0].name, "nvme0n1");
	assert_true(d->sys.disks[0].util == 0.75 && d->sys.disks[0].iops == 1234.5 &&
		    d->sys.disks[0].avg_ms == 0.25);
	assert_int_equal(d->sys.switches_repaired, 3);
	assert_int_equal(d->nthreads, 3);
	assert_rows_equal(m.threads, d->threads, 3);
	/* the processes: their threads added up, the main thread's name, the telling state */
	assert_int_equal(d->nprocs, 2);
	p = find(d->procs, 2, 4242, 0);
	assert_non_null(p);
	assert_string_equal(p->comm, "mariadbd");
	assert_int_equal(p->threads, 2);
	assert_int_equal(p->state, 'D');
	assert_int_equal(p->ns[SCHED_TIME_CPU], 1000000);
	assert_int_equal(p->ns[SCHED_TIME_OTHER], 8000000);
	assert_true(p == &d->procs[0]); /* the busiest first */
	p = find(d->procs, 2, 2, 0);
	assert_non_null(p);
	assert_true(p->kthread && p->state == 'X' && p->threads == 0);
	assert_int_equal(d->ngroups, 2);
	assert_string_equal(d->groups[0].cgroup, "/");
	g = sched_model_group(d, "db.service");
	assert_non_null(g);
	assert_true(g->has_throttle && !g->v1 && g->psi.has_mem && g->psi.mem_some == 2.5);
	assert_int_equal(g->nr_throttled, 4);
	assert_int_equal(g->throttled_us, 90000);
	assert_true(sched_model_group(d, "/")->v1);
	sched_model_free(d);
	sched_model_clear(&m);
	codec_out_free(&out);
}

static void test_hostile_comm_escaped(void **state)
{
	struct sched_model m = { .interval_s = 1, .polls = 1 }, *d = NULL;
	struct codec_out out = { 0 };
	char why[256];

	(void)state;
	m.nthreads = 1;
	m.threads = calloc(1, sizeof(*m.threads));
	m.threads[0] = row(9, 9, "evil\x1b[2J\xff", 'R', 5);
	sched_model_encode(&m, &out);
	assert_int_equal(sched_model_decode(out.data, out.len, &d, why, sizeof(why)), 0);
	assert_string_equal(d->threads[0].comm, "evil\\x1b[2J\\xff");
	assert_string_equal(d->procs[0].comm, "evil\\x1b[2J\\xff");
	sched_model_free(d);
	sched_model_clear(&m);
	codec_out_free(&out);
}

/* A NaN CPU share, a state that is no letter or a thread listed twice is damage, said. */
static void test_bad_values_refused(void **state)
{
	struct sched_model m, *d = NULL;
	struct codec_out out = { 0 };
	char why[256] = "";

	(void)state;
	make_model(&m);
	m.sys.cpus[1].user = NAN;
	sched_model_encode(&m, &out);
	assert_int_equal(sched_model_decode(out.data, out.len, &d, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "damaged at byte"));
	assert_null(d);
	m.sys.cpus[1].user = 0.5;
	m.threads[0].state = '\n';
	codec_out_clear(&out);
	sched_model_encode(&m, &out);
	assert_int_equal(sched_model_decode(out.data, out.len, &d, why, sizeof(why)), -EBADMSG);
	/* a thread twice would give its process whichever name a sort left first */
	m.threads[0] = m.threads[1];
	codec_out_clear(&out);
	sched_model_encode(&m, &out);
	assert_int_equal(sched_model_decode(out.data, out.len, &d, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "listed twice"));
	sched_model_clear(&m);
	codec_out_free(&out);
}

static int decode_and_free(const void *data, size_t len, char *why, size_t why_len)
{
	struct sched_model *m = NULL;
	int err = sched_model_decode(data, len, &m, why, why_len);

	sched_model_free(m);
	return err;
}

static void test_cut_refused(void **state)
{
	struct sched_model m;
	struct codec_out out = { 0 };

	(void)state;
	make_model(&m);
	sched_model_encode(&m, &out);
	codec_test_cuts(&out, decode_and_free);
	sched_model_clear(&m);
	codec_out_free(&out);
}

static void test_newer_version_refused(void **state)
{
	(void)state;
	codec_test_newer(SCHED_CODEC_VERSION + 1, decode_and_free);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile_comm_escaped),
		cmocka_unit_test(test_bad_values_refused),
		cmocka_unit_test(test_cut_refused),
		cmocka_unit_test(test_newer_version_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
