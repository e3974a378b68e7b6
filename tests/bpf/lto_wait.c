// SPDX-License-Identifier: GPL-2.0
/* See lto_main.c: wait_a_little is small and called once, so LTO inlines it into lto_loop. */
#include <time.h>

#include "lto_wait.h"

static volatile int lto_sink;

/* The call that blocks, kept out of line so it is a frame of its own. */
__attribute__((noinline)) void lto_nap(void)
{
	struct timespec ts = { 0, 20 * 1000000L };

	nanosleep(&ts, NULL);
	lto_sink++;
}

void wait_a_little(void)
{
	lto_nap(); /* LTO_NAP */
	lto_sink++;
}
