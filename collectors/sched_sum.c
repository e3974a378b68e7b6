// SPDX-License-Identifier: GPL-2.0
#include "collectors/sched_sum.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Order rows by pid, then tid. */
static int row_id_cmp(const void *a, const void *b)
{
	const struct sched_row *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* sum (n rows, by id) merged with add (k rows, any order): a new array by id, its length. */
static size_t merge(struct sched_row **sum, size_t n, const struct sched_row *add, size_t k)
{
	struct sched_row *in = k ? xreallocarray(NULL, k, sizeof(*in)) : NULL;
	struct sched_row *out = n + k ? xreallocarray(NULL, n + k, sizeof(*out)) : NULL;
	size_t i = 0, j = 0, o = 0;

	if (k) {
		memcpy(in, add, k * sizeof(*in));
		qsort(in, k, sizeof(*in), row_id_cmp);
	}
	while (i < n || j < k) {
		int c = i == n ? 1 : j == k ? -1 : row_id_cmp(&(*sum)[i], &in[j]);

		if (c < 0) {
			out[o++] = (*sum)[i++];
		} else if (c > 0) {
			out[o++] = in[j++];
		} else {
			/* the later interval's name and state, the times of both */
			struct sched_row r = in[j++];

			for (int cls = 0; cls < SCHED_NCLASSES; cls++)
				r.ns[cls] += (*sum)[i].ns[cls];
			i++;
			out[o++] = r;
		}
	}
	free(in);
	free(*sum);
	*sum = out;
	return o;
}

void sched_sum_clear(struct sched_sum *s)
{
	free(s->procs);
	free(s->threads);
	memset(s, 0, sizeof(*s));
}

void sched_sum_add(struct sched_sum *s, const struct sched_model *m)
{
	s->nprocs = merge(&s->procs, s->nprocs, m->procs, m->nprocs);
	s->nthreads = merge(&s->threads, s->nthreads, m->threads, m->nthreads);
	s->seconds += m->interval_s;
}

/* A copy of n rows, or NULL when there are none. */
static struct sched_row *rows_copy(const struct sched_row *rows, size_t n)
{
	struct sched_row *c = n ? xreallocarray(NULL, n, sizeof(*c)) : NULL;

	if (n)
		memcpy(c, rows, n * sizeof(*c));
	return c;
}

void sched_sum_apply(const struct sched_sum *s, struct sched_model *m)
{
	free(m->procs);
	free(m->threads);
	m->procs = rows_copy(s->procs, s->nprocs);
	m->nprocs = s->nprocs;
	m->threads = rows_copy(s->threads, s->nthreads);
	m->nthreads = s->nthreads;
	m->interval_s = s->seconds;
}
