// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile program for tests/bpf/test_hostile.sh: any unprivileged user could run it. Its
 * name (prctl) is escape sequences and an invalid UTF-8 byte, and it blocks 50 times a second
 * inside a function whose symbol name is escape sequences too (made by the test's assembly,
 * hostile_enter jumping to it), so both reach every panel and export that names them.
 *   hostile SECONDS
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

void hostile_enter(void);
void hostile_sleep(void);

/* Called by the function with the hostile name. */
__attribute__((noinline)) void hostile_sleep(void)
{
	struct timespec ts = { 0, 20000000 };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 10;

	/* ESC [2J clears a screen, ESC ]0;...BEL sets a window title, 0xff is not UTF-8. */
	prctl(PR_SET_NAME, "\033[2J\033]0;x\007\377", 0, 0, 0);
	printf("ready %d\n", getpid());
	fflush(stdout);
	for (long i = 0; i < seconds * 50; i++)
		hostile_enter();
	return 0;
}
