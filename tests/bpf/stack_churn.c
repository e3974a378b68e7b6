// SPDX-License-Identifier: GPL-2.0
/*
 * Burns a CPU in ever new call stacks, for the stack-map collision test: each second 32 paths,
 * not taken before, down a binary tree of calls 16 deep (left or right at each level), so that
 * a run of N seconds leaves about 32 * N distinct user stacks. Prints "ready" once it runs and
 * stops after argv[1] seconds (default 30).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHURN_DEPTH 16
#define CHURN_PATHS 32 /* new paths a second */

static volatile unsigned long sink;

static void churn_go(unsigned int path, int depth);

/* The leaf every path ends in. */
__attribute__((noinline)) static void churn_spin(void)
{
	for (int i = 0; i < 20000; i++)
		sink++;
}

/* One level down, on the left. */
__attribute__((noinline)) static void churn_left(unsigned int path, int depth)
{
	churn_go(path >> 1, depth - 1);
	sink++;
}

/* One level down, on the right. */
__attribute__((noinline)) static void churn_right(unsigned int path, int depth)
{
	churn_go(path >> 1, depth - 1);
	sink++;
}

/* Down the path its low bits spell, depth levels, then spin. */
__attribute__((noinline)) static void churn_go(unsigned int path, int depth)
{
	if (!depth)
		churn_spin();
	else if (path & 1)
		churn_left(path, depth);
	else
		churn_right(path, depth);
	sink++;
}

int main(int argc, char **argv)
{
	long secs = argc > 1 ? strtol(argv[1], NULL, 10) : 30;
	time_t start = time(NULL);
	time_t now;

	printf("ready\n");
	fflush(stdout);
	while ((now = time(NULL)) - start < secs) {
		unsigned int second = (unsigned int)(now - start);

		for (unsigned int i = 0; i < CHURN_PATHS; i++)
			churn_go(second * CHURN_PATHS + i, CHURN_DEPTH);
	}
	return 0;
}
