// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Overview's plain-C parts: the short cgroup names, the class of a thread from
 * its /proc state and syscall file, the verdict line, sorting, and reading this process's own
 * threads from /proc at open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "collectors/sched_model.h"
#include "collectors/sched_proc.h"

/* Containers by their id, systemd units by name, else the last part. */
static void test_cgroup_short(void **state)
{
	static const char *const cases[][2] = {
		{ "/", "/" },
		{ "", "/" },
		{ "/system.slice/mariadb.service", "mariadb.service" },
		{ "/system.slice/docker-0123456789abcdef0123.scope", "docker:0123456789ab" },
		{ "/kubepods.slice/kubepods-pod1.slice/cri-containerd-fedcba9876543210.scope",
		  "ctr:fedcba987654" },
		{ "/machine.slice/libpod-aabbccddeeff0011.scope/container", "podman:aabbccddeeff" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope", "x.scope" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice", "user@1000.service" },
		{ "/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  "docker:0123456789ab" },
		{ "/mygroup/sub", "sub" },
	};
	char out[SCHED_CGROUP_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sched_proc_cgroup_short(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
}

static bool is_socket(void *arg, unsigned long fd)
{
	(void)arg;
	return fd == 5;
}

/* The same decisions sched.bpf.c makes, from what /proc shows (x86_64 numbers). */
static void test_class(void **state)
{
	(void)state;
	assert_int_equal(sched_proc_class('R', false, "running", NULL, NULL), SCHED_TIME_CPU);
	assert_int_equal(sched_proc_class('D', true, "", NULL, NULL), SCHED_TIME_IO);
	assert_int_equal(sched_proc_class('S', true, "", NULL, NULL), SCHED_TIME_POLL);
#if defined(__x86_64__)
	/* futex(addr, FUTEX_WAIT_PRIVATE): a mutex; FUTEX_WAIT_BITSET: a condition variable */
	assert_int_equal(sched_proc_class('S', false, "202 0x7f00 0x80 0x2 0x0", NULL, NULL),
			 SCHED_TIME_LOCK);
	assert_int_equal(sched_proc_class('S', false, "202 0x7f00 0x189 0x0 0x0", NULL, NULL),
			 SCHED_TIME_POLL);
	assert_int_equal(sched_proc_class('S', false, "230 0x1 0x0", NULL, NULL), SCHED_TIME_SLEEP);
	assert_int_equal(sched_proc_class('S', false, "232 0x3 0x7ffd", NULL, NULL),
			 SCHED_TIME_POLL);
	assert_int_equal(sched_proc_class('S', false, "45 0x3 0x7ffd", NULL, NULL), SCHED_TIME_NET);
	assert_int_equal(sched_proc_class('S', false, "0 0x5 0x7ffd", is_socket, NULL),
			 SCHED_TIME_NET);
	assert_int_equal(sched_proc_class('S', false, "0 0x4 0x7ffd", is_socket, NULL),
			 SCHED_TIME_OTHER);
	assert_int_equal(sched_proc_class('D', false, "0 0x4 0x7ffd", is_socket, NULL),
			 SCHED_TIME_IO);
	assert_int_equal(sched_proc_class('S', false, "61 0xffffffff", NULL, NULL),
			 SCHED_TIME_OTHER);
#endif
	assert_int_equal(sched_proc_class('S', false, "-1 0x7ffd 0x4011", NULL, NULL),
			 SCHED_TIME_OTHER);
}

/* A model of one interval with these processes' figures (ms) over seconds. */
static void model_init(struct sched_model *m, struct sched_row *rows, size_t n, double busy)
{
	memset(m, 0, sizeof(*m));
	m->interval_s = 1;
	m->sys.ncpus = 2;
	for (int i = 0; i < 2; i++)
		m->sys.cpus[i].user = busy;
	m->procs = rows;
	m->nprocs = n;
}

/* CPU named with its figures when busy and waiting; nothing when idle; lock when it dominates. */
static void test_verdict(void **state)
{
	struct sched_row rows[2] = { { .pid = 10, .comm = "db" }, { .pid = 11, .comm = "x" } };
	struct sched_model m;
	char v[256];

	(void)state;
	model_init(&m, rows, 2, 0.99);
	for (int i = 0; i < 50; i++)
		hist_record(&m.sys.runq, 8000);
	sched_model_verdict(&m, v, sizeof(v));
	assert_non_null(strstr(v, "CPU saturated"));
	assert_non_null(strstr(v, "CPUs 99% busy"));
	assert_non_null(strstr(v, "run-queue p99"));

	model_init(&m, rows, 2, 0.10);
	sched_model_verdict(&m, v, sizeof(v));
	assert_non_null(strstr(v, "nothing stands out"));
	assert_null(strstr(v, "CPU saturated"));

	rows[0].ns[SCHED_TIME_LOCK] = 1500000000ull;
	rows[0].ns[SCHED_TIME_CPU] = 100000000ull;
	sched_model_verdict(&m, v, sizeof(v));
	assert_non_null(strstr(v, "lock contention: db (10) waits on locks 94% of its time"));
}

/* Largest first by the column, ties by PID; SCHED_NCLASSES sorts by non-idle time. */
static void test_sort(void **state)
{
	struct sched_row r[3] = { { .pid = 3 }, { .pid = 1 }, { .pid = 2 } };

	(void)state;
	r[0].ns[SCHED_TIME_POLL] = 900;
	r[1].ns[SCHED_TIME_CPU] = 100;
	r[2].ns[SCHED_TIME_LOCK] = 200;
	sched_rows_sort(r, 3, SCHED_NCLASSES);
	assert_int_equal(r[0].pid, 2);
	assert_int_equal(r[1].pid, 1);
	assert_int_equal(r[2].pid, 3);
	sched_rows_sort(r, 3, SCHED_TIME_POLL);
	assert_int_equal(r[0].pid, 3);
}

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

static void *blocked(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&held);
	pthread_mutex_unlock(&held);
	return NULL;
}

struct found {
	pid_t tid;
	int cls;
};

static void on_thread(void *arg, const struct sched_proc_thread *t)
{
	struct found *f = arg;

	if (t->pid == (uint32_t)getpid() && t->tid == (uint32_t)f->tid)
		f->cls = t->cls;
}

static void *report_tid(void *arg)
{
	*(pid_t *)arg = gettid();
	return blocked(NULL);
}

/* The scan at open finds this test's thread blocked on a mutex, and calls it lock. */
static void test_scan_self(void **state)
{
	struct sched_proc *sp = sched_proc_new(NULL);
	struct found f = { 0, -1 };
	pthread_t t;

	(void)state;
	pthread_mutex_lock(&held);
	pthread_create(&t, NULL, report_tid, &f.tid);
	while (!f.tid)
		usleep(1000);
	usleep(100000); /* until it sleeps in futex() */
	sched_proc_scan(sp, on_thread, &f);
	pthread_mutex_unlock(&held);
	pthread_join(t, NULL);
	sched_proc_free(sp);
#if defined(__x86_64__)
	assert_int_equal(f.cls, SCHED_TIME_LOCK);
#else
	assert_int_not_equal(f.cls, -1);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_short), cmocka_unit_test(test_class),
		cmocka_unit_test(test_verdict),	     cmocka_unit_test(test_sort),
		cmocka_unit_test(test_scan_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
