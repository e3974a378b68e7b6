// SPDX-License-Identifier: GPL-2.0
/*
 * A workload with a known off-CPU answer, for tests/bpf/test_offcpu.sh. Built with frame
 * pointers; every function is noinline so the stack has the names the test looks for.
 *   sleeper chain SECONDS     sleep 50 ms at a time in main -> chain_a -> chain_b -> chain_c
 *                             (-> rest, inlined)
 *   sleeper mixed SECONDS     alternate 1 ms sleeps in short_wait and 50 ms ones in long_wait
 *   sleeper deep SECONDS      sleep 50 ms at a time under 24 calls of dig, each with a 2 KiB
 *                             frame: about 48 KiB of stack, deeper than a 16 KiB copy
 * It prints "ready" once running and exits after SECONDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double end;

	if (argc != 3) {
		fprintf(stderr, "usage: sleeper chain|mixed|deep SECONDS\n");
		return 2;
	}
	end = now() + atof(argv[2]);
	printf("ready\n");
	fflush(stdout);
	while (now() < end) {
		if (!strcmp(argv[1], "chain")) {
			chain_a();
		} else if (!strcmp(argv[1], "deep")) {
			dig(23);
		} else {
			short_wait();
			long_wait();
		}
	}
	return 0;
}
