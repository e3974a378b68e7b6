// SPDX-License-Identifier: GPL-2.0
/*
 * A workload with a known off-CPU answer, for tests/bpf/test_offcpu.sh. Built with frame
 * pointers; every function is noinline so the stack has the names the test looks for.
 *   sleeper chain SECONDS     sleep 50 ms at a time in main -> chain_a -> chain_b -> chain_c
 *                             (-> rest, inlined)
 *   sleeper mixed SECONDS     alternate 1 ms sleeps in short_wait and 50 ms ones in long_wait
 *   sleeper deep SECONDS      sleep 50 ms at a time under 24 calls of dig, each with a 2 KiB
 *                             frame: about 48 KiB of stack, deeper than a 16 KiB copy
 *   sleeper paths SECONDS     sleep 50 us at a time at the end of one of 4096 call paths
 *                             (12 levels of path_l or path_r), each path in turn: 4096
 *                             distinct user stacks, to fill a small stack map
 *   sleeper fresh SECONDS     the same paths, 32 new ones a second (each slept in over and
 *                             over during its second): a steady flow of stacks not seen before
 *   sleeper long SECONDS FILE once FILE exists, sleep SECONDS at once in long_nap, then 1 ms
 *                             at a time in poll_wait until SECONDS more have passed; before and
 *                             after, it waits in poll(2): the long block is its only nanosleep
 * It prints "ready" once running and exits after SECONDS.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile int sink;

/*
 * The direct caller of glibc's nanosleep is lost in a frame-pointer walk (glibc has none):
 * nap takes that place, so every named function above it stays.
 */
NOINLINE void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Always inlined into chain_c: only debug information can tell it is there. */
static inline __attribute__((always_inline)) void rest(void)
{
	nap(50); /* the line test_unwind.sh looks for: REST_NAP */
	sink++;
}

NOINLINE void chain_c(void)
{
	rest(); /* REST_CALL */
	sink++;
}

NOINLINE void chain_b(void)
{
	chain_c();
	sink++;
}

NOINLINE void chain_a(void)
{
	chain_b();
	sink++;
}

NOINLINE void short_wait(void)
{
	nap(1);
	sink++;
}

NOINLINE void long_wait(void)
{
	nap(50);
	sink++;
}

/* Each level keeps 2 KiB of stack in use until the sleep at the bottom returns. */
NOINLINE void dig(int depth)
{
	volatile char pad[2048];

	pad[0] = (char)depth;
	if (depth > 0)
		dig(depth - 1);
	else
		nap(50);
	sink += pad[0];
}

/* Sleep us microseconds; a call of its own, as nap. */
NOINLINE void nap_us(long us)
{
	struct timespec ts = { 0, us * 1000L };

	nanosleep(&ts, NULL);
}

NOINLINE void path_l(unsigned int bits, int level);
NOINLINE void path_r(unsigned int bits, int level);

/* Go down one level, left or right by the lowest bit; sleep at the bottom. */
static void path_step(unsigned int bits, int level)
{
	if (!level)
		nap_us(50);
	else if (bits & 1)
		path_r(bits >> 1, level - 1);
	else
		path_l(bits >> 1, level - 1);
}

NOINLINE void path_l(unsigned int bits, int level)
{
	path_step(bits, level);
	sink++;
}

NOINLINE void path_r(unsigned int bits, int level)
{
	path_step(bits, level);
	sink++;
}

/* Wait ms milliseconds in poll(2), whose kernel stack is not nanosleep's. */
NOINLINE void poll_wait(int ms)
{
	poll(NULL, 0, ms);
	sink++;
}

/* One sleep of ms milliseconds, in a frame of its own: the block a long run must keep. */
NOINLINE void long_nap(long ms)
{
	nap(ms);
	sink++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned int path = 0;
	double start;
	double end;

	if (argc < 3 || (!strcmp(argv[1], "long") && argc < 4)) {
		fprintf(stderr, "usage: sleeper chain|mixed|deep|paths|fresh SECONDS\n"
				"       sleeper long SECONDS FILE\n");
		return 2;
	}
	start = now();
	end = start + atof(argv[2]);
	printf("ready\n");
	fflush(stdout);
	if (!strcmp(argv[1], "long")) {
		while (access(argv[3], F_OK))
			poll_wait(10);
		long_nap((long)(atof(argv[2]) * 1000));
		end = now() + atof(argv[2]);
		printf("woke\n");
		fflush(stdout);
		while (now() < end)
			poll_wait(1);
		return 0;
	}
	while (now() < end) {
		if (!strcmp(argv[1], "chain")) {
			chain_a();
		} else if (!strcmp(argv[1], "deep")) {
			dig(23);
		} else if (!strcmp(argv[1], "paths")) {
			path_step(path++ & 4095, 12);
		} else if (!strcmp(argv[1], "fresh")) {
			unsigned int second = (unsigned int)(now() - start);

			path_step((second * 32 + path++ % 32) & 4095, 12);
		} else {
			short_wait();
			long_wait();
		}
	}
	return 0;
}
