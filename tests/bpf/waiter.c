// SPDX-License-Identifier: GPL-2.0
/*
 * Workloads with a known time class, for tests/bpf/test_overview.sh. Each runs SECONDS, prints
 * "ready" once it is doing what it is named for, and exits.
 *   waiter spin SECONDS     spin on the CPU, never block
 *   waiter burst SECONDS    spin 10 ms, nanosleep 10 ms, again (on and off the CPU)
 *   waiter mutex SECONDS    a second thread waits on a pthread mutex the main thread holds
 *   waiter sleep SECONDS    nanosleep, 100 ms at a time
 *   waiter recv SECONDS     recv on a TCP socket on 127.0.0.1 that never gets data
 *   waiter epoll SECONDS    epoll_wait on an epoll set with nothing in it
 *   waiter dio SECONDS PATH 4 KiB O_DIRECT writes, each followed by fsync, to PATH
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double seconds;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void ready(void)
{
	printf("ready %d\n", getpid());
	fflush(stdout);
}

/* Blocks on the mutex until main lets it go at the end. */
static void *locker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void *recv_thread(void *arg)
{
	char buf[16];

	recv(*(int *)arg, buf, sizeof(buf), 0);
	return NULL;
}

static void *epoll_thread(void *arg)
{
	struct epoll_event ev;

	epoll_wait(*(int *)arg, &ev, 1, -1);
	return NULL;
}

int main(int argc, char **argv)
{
	double end;
	pthread_t t;

	if (argc < 3) {
		fprintf(stderr, "usage: waiter spin|burst|mutex|sleep|recv|epoll|dio SECONDS [PATH]\n");
		return 2;
	}
	seconds = atof(argv[2]);
	end = now() + seconds;
	if (!strcmp(argv[1], "spin")) {
		volatile unsigned long n = 0;

		ready();
		while (now() < end)
			for (int i = 0; i < 100000; i++)
				n++;
	} else if (!strcmp(argv[1], "burst")) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		ready();
		while (now() < end) {
			double until = now() + 0.01;

			while (now() < until)
				;
			nanosleep(&ts, NULL);
		}
	} else if (!strcmp(argv[1], "mutex")) {
		pthread_mutex_lock(&lock);
		pthread_create(&t, NULL, locker, NULL);
		ready();
		usleep((useconds_t)(seconds * 1e6));
		pthread_mutex_unlock(&lock);
		pthread_join(t, NULL);
	} else if (!strcmp(argv[1], "sleep")) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		ready();
		while (now() < end)
			nanosleep(&ts, NULL);
	} else if (!strcmp(argv[1], "recv")) {
		struct sockaddr_in a = { .sin_family = AF_INET };
		socklen_t len = sizeof(a);
		int ls = socket(AF_INET, SOCK_STREAM, 0), cs = socket(AF_INET, SOCK_STREAM, 0);
		int ss;

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1) ||
		    getsockname(ls, (struct sockaddr *)&a, &len) ||
		    connect(cs, (struct sockaddr *)&a, sizeof(a))) {
			perror("socket");
			return 1;
		}
		ss = accept(ls, NULL, NULL);
		pthread_create(&t, NULL, recv_thread, &cs);
		ready();
		usleep((useconds_t)(seconds * 1e6));
		shutdown(cs, SHUT_RDWR);
		pthread_join(t, NULL);
		close(ss);
	} else if (!strcmp(argv[1], "epoll")) {
		int ep = epoll_create1(0);

		pthread_create(&t, NULL, epoll_thread, &ep);
		ready();
		usleep((useconds_t)(seconds * 1e6));
		return 0; /* the thread never wakes: exit takes it */
	} else if (!strcmp(argv[1], "dio") && argc > 3) {
		int fd = open(argv[3], O_WRONLY | O_DIRECT);
		void *buf;
		off_t off = 0;

		if (fd < 0 || posix_memalign(&buf, 4096, 4096)) {
			perror(argv[3]);
			return 1;
		}
		memset(buf, 0x5a, 4096);
		ready();
		while (now() < end) {
			if (pwrite(fd, buf, 4096, off) != 4096 || fsync(fd)) {
				perror("write");
				return 1;
			}
			off = (off + 4096) % (64 << 20);
		}
	} else {
		fprintf(stderr, "waiter: unknown mode %s\n", argv[1]);
		return 2;
	}
	return 0;
}
