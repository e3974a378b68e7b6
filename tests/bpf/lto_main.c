// SPDX-License-Identifier: GPL-2.0
/*
 * A workload built by tests/bpf/test_unwind.sh with GCC's link-time optimization (gcc -flto
 * -g -O2, with lto_wait.c): wait_a_little, defined in the other unit, is inlined here across
 * units, so its frame is only in the debug information of an <artificial> unit.
 *   lto SECONDS
 * It sleeps 20 ms at a time in main -> lto_loop -> wait_a_little [inlined] -> lto_nap, prints
 * "ready" once running and exits after SECONDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lto_wait.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void lto_loop(double end)
{
	while (now() < end)
		wait_a_little(); /* LTO_CALL */
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: lto SECONDS\n");
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	lto_loop(now() + atof(argv[1]));
	return 0;
}
