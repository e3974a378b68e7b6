// SPDX-License-Identifier: GPL-2.0
#include "core/trigger.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/bio_model.h"
#include "collectors/sql_model.h"
#include "util/escape.h"

static const struct {
	const char *prefix;
	enum trigger_kind kind;
	double max; /* the largest value that makes sense */
	const char *unit;
} kinds[] = {
	{ "psi:cpu>", TRIGGER_PSI_CPU, 100, "%" },
	{ "psi:io>", TRIGGER_PSI_IO, 100, "%" },
	{ "psi:memory>", TRIGGER_PSI_MEMORY, 100, "%" },
	{ "query>", TRIGGER_QUERY, 3600e3, " ms" },
	{ "bio_p99>", TRIGGER_BIO_P99, 3600e3, " ms" },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* The /proc/pressure file of a pressure kind. */
static const char *psi_path(enum trigger_kind k)
{
	return k == TRIGGER_PSI_CPU ? "/proc/pressure/cpu" :
	       k == TRIGGER_PSI_IO  ? "/proc/pressure/io" :
				      "/proc/pressure/memory";
}

static bool is_psi(enum trigger_kind k)
{
	return k == TRIGGER_PSI_CPU || k == TRIGGER_PSI_IO || k == TRIGGER_PSI_MEMORY;
}

int trigger_parse(const char *s, struct trigger_spec *t, char *why, size_t why_len)
{
	for (size_t i = 0; i < NKINDS; i++) {
		size_t n = strlen(kinds[i].prefix);
		char *end;
		double v;

		if (strncmp(s, kinds[i].prefix, n))
			continue;
		errno = 0;
		v = strtod(s + n, &end);
		if (end == s + n || *end || errno || !(v > 0) || v > kinds[i].max) {
			char val[64];

			escape_text(val, sizeof(val), s + n, strlen(s + n));
			snprintf(why, why_len, "'%s' after '%s' is not a number above 0 and up to %.0f%s",
				 val, kinds[i].prefix, kinds[i].max, kinds[i].unit);
			return -EINVAL;
		}
		if (is_psi(kinds[i].kind) && v >= 100) {
			snprintf(why, why_len, "pressure is a share of time below 100%%");
			return -EINVAL;
		}
		t->kind = kinds[i].kind;
		t->value = v;
		t->text = s;
		return 0;
	}
	snprintf(why, why_len, "conditions are psi:cpu>P, psi:io>P, psi:memory>P (P in %%), "
			       "query>MS, bio_p99>MS");
	return -EINVAL;
}

const char *trigger_panel(const struct trigger_spec *t)
{
	return t->kind == TRIGGER_QUERY ? "sql" : t->kind == TRIGGER_BIO_P99 ? "bio" : NULL;
}

int trigger_psi_avg10(const char *text, double *avg10)
{
	const char *p = strstr(text, "some ");

	if (!p || (p != text && p[-1] != '\n'))
		return -EINVAL;
	p = strstr(p, "avg10=");
	if (!p)
		return -EINVAL;
	*avg10 = strtod(p + 6, NULL);
	return 0;
}

/* The some avg10 of a pressure file; 0 or -errno. */
static int read_avg10(enum trigger_kind k, double *avg10)
{
	char buf[512];
	int fd = open(psi_path(k), O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	return trigger_psi_avg10(buf, avg10);
}

int trigger_start(struct trigger *tr, const struct trigger_spec *spec, char *how, size_t how_len,
		  char *why, size_t why_len)
{
	const char *path = psi_path(spec->kind);
	const char *no_poll = getenv("KTOP_TEST_PSI_FALLBACK"); /* the tests' way to the fallback */
	char line[64];
	double avg10;
	int err;

	memset(tr, 0, sizeof(*tr));
	tr->spec = *spec;
	tr->psi_fd = -1;
	how[0] = '\0';
	if (!is_psi(spec->kind))
		return 0;
	err = read_avg10(spec->kind, &avg10);
	if (err) {
		snprintf(why, why_len, "%s: %s", path, strerror(-err));
		return err;
	}
	snprintf(line, sizeof(line), "some %llu %u",
		 (unsigned long long)(spec->value / 100 * TRIGGER_PSI_WINDOW_US),
		 TRIGGER_PSI_WINDOW_US);
	if (!(no_poll && no_poll[0] == '1')) {
		tr->psi_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (tr->psi_fd >= 0 && write(tr->psi_fd, line, strlen(line) + 1) < 0) {
			err = -errno;
			close(tr->psi_fd);
			tr->psi_fd = -1;
		} else if (tr->psi_fd < 0) {
			err = -errno;
		}
	}
	if (tr->psi_fd >= 0)
		snprintf(how, how_len, "kernel poll trigger '%s' on %s", line, path);
	else
		snprintf(how, how_len, "avg10 of %s each interval (no poll trigger: %s)", path,
			 err ? strerror(-err) : "KTOP_TEST_PSI_FALLBACK=1");
	return 0;
}

void trigger_stop(struct trigger *tr)
{
	if (tr->psi_fd >= 0)
		close(tr->psi_fd);
	tr->psi_fd = -1;
}

/* Pressure: the kernel's trigger fired since the last look, or avg10 is over the share. */
static bool check_psi(struct trigger *tr, char *what, size_t what_len)
{
	struct pollfd pfd = { .fd = tr->psi_fd, .events = POLLPRI };
	double avg10 = -1;

	read_avg10(tr->spec.kind, &avg10);
	if (tr->psi_fd >= 0) {
		if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLPRI | POLLERR)))
			return false;
		if (pfd.revents & POLLERR) {
			/* the trigger is gone: the fallback from now on */
			trigger_stop(tr);
			return false;
		}
		snprintf(what, what_len, "some pressure over %g%% of 2 s (avg10 %.2f%%)",
			 tr->spec.value, avg10);
		return true;
	}
	if (!(avg10 > tr->spec.value))
		return false;
	snprintf(what, what_len, "some pressure avg10 %.2f%% over %g%%", avg10, tr->spec.value);
	return true;
}

/* A slow query over the latency among those not looked at yet. */
static bool check_query(struct trigger *tr, const struct sql_model *m, char *what,
			size_t what_len)
{
	const struct sql_query *worst = NULL;
	uint64_t top = tr->sql_seq;

	if (!m)
		return false;
	if (m->seen < tr->sql_seq)
		tr->sql_seq = 0; /* the counters were reset */
	for (size_t i = 0; i < m->nqueries; i++) {
		const struct sql_query *q = &m->queries[i];

		if (q->seq > top)
			top = q->seq;
		if (q->seq <= tr->sql_seq ||
		    (double)q->latency_us < tr->spec.value * 1000)
			continue;
		if (!worst || q->latency_us > worst->latency_us)
			worst = q;
	}
	tr->sql_seq = top;
	if (!worst)
		return false;
	/* the text is escaped in the model already */
	snprintf(what, what_len, "slow query %.1f ms (pid %u): %.80s", worst->latency_us / 1000.0,
		 worst->pid, worst->text ? worst->text : "");
	return true;
}

/* A disk whose block I/O p99 this interval is over the latency. */
static bool check_bio(const struct trigger *tr, const struct bio_model *m, char *what,
		      size_t what_len)
{
	if (!m || !m->polls)
		return false;
	for (size_t i = 0; i < m->interval.ndisks; i++) {
		const struct bio_disk *d = &m->interval.disks[i];
		struct bio_stats st;
		double p99;

		bio_span_sum(&m->interval, d, (1u << BIO_OP_COUNT) - 1, &st);
		p99 = hist_percentile(&st.lat_total, 99);
		if (p99 < 0 || p99 < tr->spec.value * 1000)
			continue;
		snprintf(what, what_len, "%s: block I/O p99 %.1f ms over %llu I/Os", d->name,
			 p99 / 1000, (unsigned long long)st.ios);
		return true;
	}
	return false;
}

bool trigger_check(struct trigger *tr, const struct trigger_inputs *in, char *what,
		   size_t what_len)
{
	what[0] = '\0';
	switch (tr->spec.kind) {
	case TRIGGER_PSI_CPU:
	case TRIGGER_PSI_IO:
	case TRIGGER_PSI_MEMORY:
		return check_psi(tr, what, what_len);
	case TRIGGER_QUERY:
		return check_query(tr, in->sql, what, what_len);
	case TRIGGER_BIO_P99:
		return check_bio(tr, in->bio, what, what_len);
	}
	return false;
}
