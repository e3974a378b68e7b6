// SPDX-License-Identifier: GPL-2.0
/*
 * A workload with a known on-CPU answer, for tests/bpf/test_stacks.sh. Built with frame
 * pointers and without sibling calls; every function is noinline so the stacks have the names
 * the test looks for.
 *   burner SECONDS [IDLE]
 * The main thread spins in main -> burn_a -> burn_b -> burn_c; a thread named "sleepy" naps
 * 20 ms at a time in doze_a -> doze_b -> nap and ends the run after SECONDS; IDLE more
 * threads named "idle" wait on a condition variable. It prints "ready" once every thread
 * runs, and exits after SECONDS.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static volatile int stop;
static volatile unsigned long sink;
static double run_s;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int started;

/* Seconds on CLOCK_MONOTONIC. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether the run is over; a call, so burn_c is no leaf and keeps its frame pointer. */
NOINLINE int is_stopped(void)
{
	return stop;
}

/* The innermost burning frame: nearly all the work happens here. */
NOINLINE void burn_c(void)
{
	unsigned long x = sink;

	while (!is_stopped())
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005UL + 1442695040888963407UL;
	sink = x;
}

NOINLINE void burn_b(void)
{
	burn_c();
	sink++;
}

NOINLINE void burn_a(void)
{
	burn_b();
	sink++;
}

/* glibc has no frame pointers: nap stands between the named frames and nanosleep. */
NOINLINE void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

NOINLINE void doze_b(void)
{
	nap(20);
	sink++;
}

NOINLINE void doze_a(void)
{
	doze_b();
	sink++;
}

/* Nap until the run is over, then stop every thread. */
static void *sleepy_main(void *arg)
{
	double end = now() + run_s;

	(void)arg;
	pthread_setname_np(pthread_self(), "sleepy");
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (now() < end)
		doze_a();
	pthread_mutex_lock(&lock);
	stop = 1;
	pthread_cond_broadcast(&done);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Wait, off the CPU, until the run is over. */
static void *idle_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "idle");
	pthread_mutex_lock(&lock);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!stop)
		pthread_cond_wait(&done, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t *threads;
	pthread_attr_t attr;
	int nidle;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: burner SECONDS [IDLE]\n");
		return 2;
	}
	run_s = atof(argv[1]);
	nidle = argc == 3 ? atoi(argv[2]) : 0;
	threads = calloc((size_t)nidle + 1, sizeof(*threads));
	if (!threads)
		return 1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < nidle; i++)
		if (pthread_create(&threads[i + 1], &attr, idle_main, NULL)) {
			perror("pthread_create");
			return 1;
		}
	if (pthread_create(&threads[0], &attr, sleepy_main, NULL)) {
		perror("pthread_create");
		return 1;
	}
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < nidle + 1)
		nap(1);
	printf("ready\n");
	fflush(stdout);
	burn_a();
	for (int i = 0; i <= nidle; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	return 0;
}
