// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of core/event_wait.c, the interactive loop's wait: readiness reported on the right
 * descriptor, a descriptor replaced under the same number seen after the set is marked stale,
 * a hang-up, and a regular file (which epoll refuses) waited on with poll(2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/event_wait.h"

/* Two pipes: fds[i] waits on the read end of p[i]. */
static void pipes(int p[2][2], struct pollfd fds[2])
{
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe(p[i]), 0);
		fds[i] = (struct pollfd){ .fd = p[i][0], .events = POLLIN };
	}
}

static void pipes_close(int p[2][2])
{
	for (int i = 0; i < 2; i++) {
		if (p[i][0] >= 0)
			close(p[i][0]);
		if (p[i][1] >= 0)
			close(p[i][1]);
	}
}

/* Each readable descriptor is reported on its own slot, and only it. */
static void test_ready_slot(void **state)
{
	struct event_wait w;
	struct pollfd fds[2];
	int p[2][2];
	int epfd;

	(void)state;
	pipes(p, fds);
	event_wait_init(&w);
	assert_int_equal(write(p[1][1], "x", 1), 1);
	assert_int_equal(event_wait(&w, fds, 2), 1);
	assert_false(fds[0].revents);
	assert_true(fds[1].revents & POLLIN);
	assert_false(w.use_poll);
	assert_true(w.epfd >= 0);
	/* the set is kept: the second wait builds nothing */
	epfd = w.epfd;

	assert_int_equal(write(p[0][1], "y", 1), 1);
	assert_int_equal(event_wait(&w, fds, 2), 2);
	assert_true(fds[0].revents & POLLIN);
	assert_true(fds[1].revents & POLLIN);
	assert_int_equal(w.epfd, epfd);
	event_wait_close(&w);
	pipes_close(p);
}

/*
 * A descriptor closed and another opened under its number: epoll dropped the old one with its
 * file, so the new one is seen only once the set is built again (the loop marks it stale
 * after each tick and key).
 */
static void test_replaced_descriptor(void **state)
{
	struct event_wait w;
	struct pollfd fds[2];
	int p[2][2], q[2];

	(void)state;
	pipes(p, fds);
	event_wait_init(&w);
	assert_int_equal(write(p[1][1], "x", 1), 1);
	assert_int_equal(event_wait(&w, fds, 2), 1);
	/* another pipe's read end under the number of the second */
	assert_int_equal(pipe(q), 0);
	assert_int_equal(dup2(q[0], fds[1].fd), fds[1].fd);
	close(q[0]);
	assert_int_equal(write(q[1], "z", 1), 1);
	event_wait_stale(&w);
	assert_int_equal(event_wait(&w, fds, 2), 1);
	assert_false(fds[0].revents);
	assert_true(fds[1].revents & POLLIN);
	event_wait_close(&w);
	close(q[1]);
	pipes_close(p);
}

/* The write end closed: a hang-up, as the terminal going away. */
static void test_hangup(void **state)
{
	struct event_wait w;
	struct pollfd fds[2];
	int p[2][2];

	(void)state;
	pipes(p, fds);
	event_wait_init(&w);
	close(p[0][1]);
	p[0][1] = -1;
	assert_int_equal(event_wait(&w, fds, 2), 1);
	assert_true(fds[0].revents & POLLHUP);
	event_wait_close(&w);
	pipes_close(p);
}

/* A regular file, which epoll refuses: poll(2) from then on, and it is readable at once. */
static void test_regular_file_polls(void **state)
{
	char path[] = "/tmp/ktop-event-wait.XXXXXX";
	struct event_wait w;
	struct pollfd fds[2];
	int p[2][2];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	pipes(p, fds);
	event_wait_init(&w);
	fds[1].fd = fd;
	assert_int_equal(event_wait(&w, fds, 2), 1);
	assert_true(fds[1].revents & POLLIN);
	assert_true(w.use_poll);
	assert_int_equal(w.epfd, -1);
	close(fd);
	event_wait_close(&w);
	pipes_close(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_slot),
		cmocka_unit_test(test_replaced_descriptor),
		cmocka_unit_test(test_hangup),
		cmocka_unit_test(test_regular_file_polls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
