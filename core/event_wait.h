/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interactive loop's wait on its descriptors (the terminal, the timer, signals, the
 * collectors' rings) through epoll: the set stays in the kernel between waits instead of being
 * passed, polled and unhooked again at each of the many wakeups a busy box causes.
 */
#ifndef KTOP_EVENT_WAIT_H
#define KTOP_EVENT_WAIT_H

#include <poll.h>
#include <stdbool.h>

#define EVENT_WAIT_MAX 16 /* descriptors: more are waited on with poll(2) */

struct event_wait {
	int epfd;		 /* -1: none built */
	int fds[EVENT_WAIT_MAX]; /* the descriptors it holds, in the caller's order */
	nfds_t n;
	bool stale;    /* build it again before the next wait */
	bool use_poll; /* epoll refused a descriptor (not a tty, pipe or ring): poll(2) */
};

void event_wait_init(struct event_wait *w);
/*
 * A descriptor may have been closed and another opened under its number (a collector opened
 * again, a reader started): build the set again before the next wait.
 */
void event_wait_stale(struct event_wait *w);
/* As poll(fds, n, -1): the revents of each (POLLIN, POLLHUP, POLLERR); -1 with errno. */
int event_wait(struct event_wait *w, struct pollfd *fds, nfds_t n);
void event_wait_close(struct event_wait *w);

#endif
