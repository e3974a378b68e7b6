// SPDX-License-Identifier: GPL-2.0
/* The interactive loop's wait through epoll, built again when its descriptors change. */
#include "core/event_wait.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

void event_wait_init(struct event_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->epfd = -1;
}

void event_wait_stale(struct event_wait *w)
{
	w->stale = true;
}

void event_wait_close(struct event_wait *w)
{
	if (w->epfd >= 0)
		close(w->epfd);
	w->epfd = -1;
	w->n = 0;
}

/* Whether the set holds exactly the descriptors of fds, in that order. */
static bool wait_same(const struct event_wait *w, const struct pollfd *fds, nfds_t n)
{
	if (w->epfd < 0 || w->n != n)
		return false;
	for (nfds_t i = 0; i < n; i++)
		if (w->fds[i] != fds[i].fd)
			return false;
	return true;
}

/* A new epoll set of fds, each event carrying its index. 0, or -1 with errno. */
static int wait_build(struct event_wait *w, const struct pollfd *fds, nfds_t n)
{
	event_wait_close(w);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return -1;
	for (nfds_t i = 0; i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };

		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fds[i].fd, &ev)) {
			int err = errno;

			event_wait_close(w);
			errno = err;
			return -1;
		}
		w->fds[i] = fds[i].fd;
	}
	w->n = n;
	w->stale = false;
	return 0;
}

int event_wait(struct event_wait *w, struct pollfd *fds, nfds_t n)
{
	struct epoll_event ev[EVENT_WAIT_MAX];
	int got;

	if (w->use_poll || n > EVENT_WAIT_MAX)
		return poll(fds, n, -1);
	if ((w->stale || !wait_same(w, fds, n)) && wait_build(w, fds, n)) {
		/* a descriptor epoll does not take (a regular file): poll(2) from now on */
		if (errno == EPERM)
			w->use_poll = true;
		return poll(fds, n, -1);
	}
	for (nfds_t i = 0; i < n; i++)
		fds[i].revents = 0;
	got = epoll_wait(w->epfd, ev, (int)n, -1);
	for (int k = 0; k < got; k++) {
		struct pollfd *p = &fds[ev[k].data.u32];

		p->revents = (short)((ev[k].events & EPOLLIN ? POLLIN : 0) |
				     (ev[k].events & EPOLLHUP ? POLLHUP : 0) |
				     (ev[k].events & EPOLLERR ? POLLERR : 0));
	}
	return got;
}
