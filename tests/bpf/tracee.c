// SPDX-License-Identifier: GPL-2.0
/*
 * A workload with known trace answers, for tests/bpf/test_trace.sh and bench/trace_overhead.sh.
 *   tracee calls N        call tracee_work(i, "call-<i>") for i = 1..N (it returns i * 10),
 *                         each call also firing USDT probe tracee:work(i, "call-<i>")
 *   tracee long           one call of tracee_work(7, NAME) where NAME is 200 'x'
 *   tracee vfs FILE W S   wait for FILE.go to appear, then open FILE (creating it), write one
 *                         byte W times and fsync S times; nothing else between the two
 *   tracee loop N         N calls of tracee_work(i, "loop"), then print the time per call in ns
 *   tracee sys N          N one-byte writes to /dev/null, then N getppid calls; prints the time
 *                         per syscall of each in ns ("write W ns getppid G ns")
 * Without a mode it prints its usage. Nothing is printed in vfs mode (it would count as a write).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile long sink;

/* The traced function: an int and a string in, the int times ten out. */
NOINLINE int tracee_work(int n, const char *name)
{
	DTRACE_PROBE2(tracee, work, n, name);
	sink += n + name[0];
	return n * 10;
}

/* N calls with names call-1 .. call-N. */
static int tracee_calls(long n)
{
	char name[32];

	for (long i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "call-%ld", i);
		tracee_work((int)i, name);
	}
	printf("done %ld\n", n);
	return 0;
}

/* Wait for path.go, then w writes and s fsyncs on path. */
static int tracee_vfs(const char *path, long w, long s)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	char go[4096];
	struct stat st;
	int fd;

	snprintf(go, sizeof(go), "%s.go", path);
	while (stat(go, &st))
		nanosleep(&nap, NULL);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 1;
	for (long i = 0; i < w; i++)
		if (write(fd, "x", 1) != 1)
			return 1;
	for (long i = 0; i < s; i++)
		if (fsync(fd))
			return 1;
	return close(fd) ? 1 : 0;
}

/* Nanoseconds since a. */
static double tracee_ns_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e9 + (double)(b.tv_nsec - a->tv_nsec);
}

/* n calls in a tight loop; prints the mean time per call in ns. */
static int tracee_loop(long n)
{
	struct timespec a;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		tracee_work((int)i, "loop");
	ns = tracee_ns_since(&a);
	printf("%.1f ns/call\n", n ? ns / (double)n : 0.0);
	return 0;
}

/* n writes of one byte to /dev/null, then n getppid calls; the time per syscall of each. */
static int tracee_sys(long n)
{
	struct timespec a;
	double w, g;
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0 || n <= 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		if (write(fd, "x", 1) != 1)
			return 1;
	w = tracee_ns_since(&a) / (double)n;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		sink += getppid();
	g = tracee_ns_since(&a) / (double)n;
	close(fd);
	printf("write %.1f ns getppid %.1f ns\n", w, g);
	return 0;
}

int main(int argc, char **argv)
{
	char name[201];

	if (argc == 3 && !strcmp(argv[1], "calls"))
		return tracee_calls(atol(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "long")) {
		memset(name, 'x', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		tracee_work(7, name);
		printf("done long\n");
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "vfs"))
		return tracee_vfs(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "loop"))
		return tracee_loop(atol(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "sys"))
		return tracee_sys(atol(argv[2]));
	fprintf(stderr, "usage: tracee calls N | long | vfs FILE WRITES FSYNCS | loop N | sys N\n");
	return 2;
}
