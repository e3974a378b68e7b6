// SPDX-License-Identifier: GPL-2.0
#include "core/pprof_http.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collectors/offcpu.h"
#include "collectors/offcpu_model.h"
#include "collectors/stacks.h"
#include "collectors/stacks_model.h"
#include "core/log.h"
#include "core/pprof_export.h"
#include "symbols/symbols.h"
#include "symbols/unwind.h"
#include "util/clock.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define PPROF_HTTP_CONTENT_TYPE "application/octet-stream"
#define PPROF_HTTP_PID_MAX	4194304		  /* PID_MAX_LIMIT */
#define PPROF_HTTP_STACK	(8 * 1024 * 1024) /* the stack of the thread taking a profile */

struct pprof_http {
	struct ktop_config cfg; /* a copy; syms and unwinder are each profile's own */
	int stop_fd;		/* an eventfd: readable once the profiles must end */
	pthread_mutex_t lock;	/* over active and stats */
	unsigned int active;
	struct pprof_http_stats stats;
};

/* One profile being taken: what was asked and what collects it. */
struct ph_profile {
	enum pprof_kind kind;
	uint32_t pid; /* 0: every process */
	unsigned int seconds;
	struct collector c;
	struct sym_cache *syms;
	struct unwind_cache *unwinder;
	int64_t start_ns; /* CLOCK_REALTIME when it started */
};

struct pprof_http *pprof_http_new(const struct ktop_config *cfg)
{
	struct pprof_http *ph = xcalloc(1, sizeof(*ph));

	ph->cfg = *cfg;
	ph->cfg.syms = NULL;
	ph->cfg.unwinder = NULL;
	ph->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&ph->lock, NULL);
	return ph;
}

void pprof_http_stop(struct pprof_http *ph)
{
	uint64_t one = 1;

	if (ph && ph->stop_fd >= 0 && write(ph->stop_fd, &one, sizeof(one)) < 0)
		log_msg("pprof: cannot tell the profiles to stop: %s", strerror(errno));
}

void pprof_http_free(struct pprof_http *ph)
{
	if (!ph)
		return;
	if (ph->stop_fd >= 0)
		close(ph->stop_fd);
	pthread_mutex_destroy(&ph->lock);
	free(ph);
}

void pprof_http_stats(struct pprof_http *ph, struct pprof_http_stats *out)
{
	pthread_mutex_lock(&ph->lock);
	*out = ph->stats;
	pthread_mutex_unlock(&ph->lock);
}

void pprof_http_render(struct pprof_http *ph, struct prom_buf *b)
{
	struct pprof_http_stats st;
	static const char *const name = "ktop_pprof_requests_total";
	struct prom_label l = { "result", NULL };

	pprof_http_stats(ph, &st);
	prom_family(b, name, "counter",
		    "Profile requests on /debug/pprof/ by answer: served, refused (429: too many "
		    "at once), bad (400) or failed (503).");
	l.value = "served";
	prom_sample_u64(b, name, &l, 1, st.served);
	l.value = "refused";
	prom_sample_u64(b, name, &l, 1, st.refused);
	l.value = "bad";
	prom_sample_u64(b, name, &l, 1, st.bad);
	l.value = "failed";
	prom_sample_u64(b, name, &l, 1, st.failed);
}

/* A plain-text answer of one line, and its count. */
static void ph_answer(struct pprof_http *ph, struct http_reply *rep, unsigned int status,
		      const char *fmt, const char *what)
{
	char line[COLLECTOR_WHY_LEN + 64];

	snprintf(line, sizeof(line), fmt, what);
	rep->status = status;
	rep->content_type = "text/plain";
	rep->body = xstrdup(line);
	rep->len = strlen(line);
	pthread_mutex_lock(&ph->lock);
	if (status == 400)
		ph->stats.bad++;
	else if (status == 429)
		ph->stats.refused++;
	else
		ph->stats.failed++;
	pthread_mutex_unlock(&ph->lock);
}

/* Read seconds= and pid= into p; 0, or -EINVAL with why. */
static int ph_parse(const struct http_request *req, struct ph_profile *p, char *why, size_t why_len)
{
	const char *seconds = http_request_arg(req, "seconds");
	const char *pid = http_request_arg(req, "pid");
	char reason[128], path[32];
	struct stat st;
	uint64_t v;

	p->seconds = PPROF_HTTP_DEFAULT_S;
	if (seconds) {
		if (parse_u64(seconds, 1, PPROF_HTTP_MAX_S, &v, reason, sizeof(reason))) {
			snprintf(why, why_len, "seconds: %s", reason);
			return -EINVAL;
		}
		p->seconds = (unsigned int)v;
	}
	if (pid) {
		if (parse_u64(pid, 1, PPROF_HTTP_PID_MAX, &v, reason, sizeof(reason))) {
			snprintf(why, why_len, "pid: %s", reason);
			return -EINVAL;
		}
		p->pid = (uint32_t)v;
		snprintf(path, sizeof(path), "/proc/%" PRIu32, p->pid);
		if (stat(path, &st)) {
			snprintf(why, why_len, "pid: no process with PID %" PRIu32, p->pid);
			return -EINVAL;
		}
	}
	return 0;
}

/* Take a slot among the profiles running; false when PPROF_HTTP_MAX_ACTIVE already are. */
static bool ph_enter(struct pprof_http *ph)
{
	bool ok;

	pthread_mutex_lock(&ph->lock);
	ok = ph->active < PPROF_HTTP_MAX_ACTIVE;
	ph->active += ok;
	pthread_mutex_unlock(&ph->lock);
	return ok;
}

/* Give the slot back. */
static void ph_leave(struct pprof_http *ph)
{
	pthread_mutex_lock(&ph->lock);
	ph->active--;
	pthread_mutex_unlock(&ph->lock);
}

/* Open the profile's collector, on the whole box or its PID; 0 or -errno with p->c.why. */
static int ph_open(struct pprof_http *ph, struct ph_profile *p)
{
	struct ktop_config cfg = ph->cfg;
	struct filter f = { .min_block_us = cfg.min_block_us, .unwind = KTOP_UNWIND_AUTO };
	char why[COLLECTOR_WHY_LEN];
	int err;

	p->c.ops = p->kind == PPROF_ON_CPU ? &stacks_collector_ops : &offcpu_collector_ops;
	err = sym_cache_new(&p->syms, why, sizeof(why));
	if (err) {
		snprintf(p->c.why, sizeof(p->c.why), "symbols: %s", why);
		return err;
	}
	p->unwinder = unwind_cache_new(p->syms);
	cfg.syms = p->syms;
	cfg.unwinder = p->unwinder;
	cfg.stacks_every_process = !p->pid;
	if (p->pid)
		filter_set_pids(&f, &p->pid, 1);
	err = p->c.ops->open(&p->c, &cfg);
	if (err)
		return err;
	p->c.is_open = true;
	err = p->c.ops->configure(&p->c, &f, FILTER_ALL);
	if (!err && p->c.ops->set_visible)
		p->c.ops->set_visible(&p->c, true);
	return err;
}

/* Close the collector and free the symbols it named with. */
static void ph_close(struct ph_profile *p)
{
	if (p->c.ops)
		p->c.ops->close(&p->c);
	p->c.is_open = false;
	unwind_cache_free(p->unwinder);
	sym_cache_free(p->syms);
	p->unwinder = NULL;
	p->syms = NULL;
}

/*
 * Poll the collector every PPROF_HTTP_TICK_MS for p->seconds, consuming its events between
 * (copied stacks to unwind, process notes), until the time is up or ktop stops.
 */
static void ph_run(struct pprof_http *ph, struct ph_profile *p)
{
	double end = clock_seconds(CLOCK_MONOTONIC) + p->seconds;
	double next = clock_seconds(CLOCK_MONOTONIC) + PPROF_HTTP_TICK_MS / 1000.0;
	int efd = p->c.ops->event_fd ? p->c.ops->event_fd(&p->c) : -1;

	for (;;) {
		struct pollfd fds[2] = { { .fd = ph->stop_fd, .events = POLLIN },
					 { .fd = efd, .events = POLLIN } };
		double now = clock_seconds(CLOCK_MONOTONIC);
		double until = next < end ? next : end;
		int ms = until > now ? (int)((until - now) * 1000) + 1 : 0;
		int n = poll(fds, efd >= 0 ? 2 : 1, ms);

		if (n > 0 && (fds[0].revents & POLLIN))
			break;
		if (n > 0 && (fds[1].revents & POLLIN))
			p->c.ops->events(&p->c);
		now = clock_seconds(CLOCK_MONOTONIC);
		if (now >= end)
			break;
		if (now >= next) {
			if (p->c.ops->poll(&p->c))
				log_msg("pprof: %s", p->c.why);
			next += PPROF_HTTP_TICK_MS / 1000.0;
		}
	}
	if (p->c.ops->poll(&p->c))
		log_msg("pprof: %s", p->c.why);
}

/* The profile's samples since it started, written as pprof into a new buffer; 0 or -errno. */
static int ph_write(struct ph_profile *p, char **body, size_t *len, char *why, size_t why_len)
{
	void *model = p->c.ops->snapshot(&p->c);
	struct pprof_input in = {
		.kind = p->kind, .pid = p->pid, .time_ns = p->start_ns, .syms = p->syms
	};
	FILE *out;
	int err;

	if (!model) {
		snprintf(why, why_len, "%s: no data", p->c.ops->name);
		return -ENODATA;
	}
	if (p->kind == PPROF_ON_CPU) {
		const struct stacks_model *m = model;

		in.set = &m->oncpu_cumulative;
		in.period_ns = m->hz ? 1000000000ull / m->hz : 0;
		in.duration_ns = (int64_t)(m->cumulative_s * 1e9);
	} else {
		const struct offcpu_model *m = model;

		in.set = &m->cumulative;
		in.duration_ns = (int64_t)(m->cumulative_s * 1e9);
	}
	out = open_memstream(body, len);
	if (!out) {
		err = -errno;
		snprintf(why, why_len, "pprof: %s", strerror(errno));
		p->c.ops->model_free(model);
		return err;
	}
	err = pprof_write(out, &in, why, why_len);
	if (fclose(out) && !err) {
		err = -EIO;
		snprintf(why, why_len, "pprof: cannot write the profile");
	}
	p->c.ops->model_free(model);
	if (err) {
		free(*body);
		*body = NULL;
	}
	return err;
}

/* A profile taken on a thread of its own, and its outcome. */
struct ph_job {
	struct pprof_http *ph;
	struct ph_profile p;
	unsigned int status; /* 200, or what the failure is answered with */
	char *body;	     /* the profile (malloc'd), or NULL */
	size_t len;
	char why[COLLECTOR_WHY_LEN + 32];
};

/* Open the collector, take the profile, write it and close: the worker thread. */
static void *ph_take(void *arg)
{
	struct ph_job *j = arg;
	struct ph_profile *p = &j->p;
	int err;

	err = ph_open(j->ph, p);
	if (err) {
		j->status = err == -ESRCH ? 400 : 503;
		snprintf(j->why, sizeof(j->why), "%s", p->c.why);
		ph_close(p);
		return NULL;
	}
	ph_run(j->ph, p);
	err = ph_write(p, &j->body, &j->len, j->why, sizeof(j->why));
	ph_close(p);
	j->status = err ? 503 : 200;
	return NULL;
}

/*
 * A profile of kind for the request, answered once taken (or why not). It is taken on a
 * thread with a stack of PPROF_HTTP_STACK (the HTTP threads' are small; naming and unwinding
 * stacks go deep), which the handler waits for.
 */
static void ph_serve(struct pprof_http *ph, enum pprof_kind kind, const struct http_request *req,
		     struct http_reply *rep)
{
	struct ph_job *j = xcalloc(1, sizeof(*j));
	struct timespec ts;
	pthread_attr_t attr;
	pthread_t t;
	int err;

	j->ph = ph;
	j->p.kind = kind;
	if (ph_parse(req, &j->p, j->why, sizeof(j->why))) {
		ph_answer(ph, rep, 400, "%s\n", j->why);
		goto out_free;
	}
	if (!ph_enter(ph)) {
		snprintf(j->why, sizeof(j->why), "%d profiles are being taken: try again later",
			 PPROF_HTTP_MAX_ACTIVE);
		ph_answer(ph, rep, 429, "%s\n", j->why);
		goto out_free;
	}
	/* the answer comes after the profile: the connection may wait that long */
	http_request_keep(req, j->p.seconds + HTTP_TIMEOUT_S);
	clock_gettime(CLOCK_REALTIME, &ts);
	j->p.start_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	log_msg("pprof: %s profile of %s for %u s", kind == PPROF_ON_CPU ? "on-CPU" : "off-CPU",
		j->p.pid ? "one process" : "the box", j->p.seconds);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PPROF_HTTP_STACK);
	err = pthread_create(&t, &attr, ph_take, j);
	pthread_attr_destroy(&attr);
	if (err) {
		ph_leave(ph);
		ph_answer(ph, rep, 503, "pprof: no thread to take the profile: %s\n",
			  strerror(err));
		goto out_free;
	}
	pthread_join(t, NULL);
	ph_leave(ph);
	if (j->status != 200) {
		ph_answer(ph, rep, j->status, "%s\n", j->why);
		goto out_free;
	}
	rep->status = 200;
	rep->content_type = PPROF_HTTP_CONTENT_TYPE;
	rep->body = j->body;
	rep->len = j->len;
	pthread_mutex_lock(&ph->lock);
	ph->stats.served++;
	pthread_mutex_unlock(&ph->lock);
out_free:
	free(j);
}

/* /debug/pprof/profile: on-CPU samples. */
static void ph_serve_profile(void *arg, const struct http_request *req, struct http_reply *rep)
{
	ph_serve(arg, PPROF_ON_CPU, req, rep);
}

/* /debug/pprof/offcpu: off-CPU time. */
static void ph_serve_offcpu(void *arg, const struct http_request *req, struct http_reply *rep)
{
	ph_serve(arg, PPROF_OFF_CPU, req, rep);
}

int pprof_http_route(struct pprof_http *ph, struct http_server *s)
{
	int err = http_server_route(s, "/debug/pprof/profile", ph_serve_profile, ph);

	if (!err)
		err = http_server_route(s, "/debug/pprof/offcpu", ph_serve_offcpu, ph);
	return err;
}
