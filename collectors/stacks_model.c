// SPDX-License-Identifier: GPL-2.0
#include "collectors/stacks_model.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* A copy of n items of size bytes each, or NULL when there are none. */
static void *stacks_model_copy_array(const void *src, size_t n, size_t size)
{
	void *dst;

	if (!n)
		return NULL;
	dst = xreallocarray(NULL, n, size);
	memcpy(dst, src, n * size);
	return dst;
}

struct stacks_model *stacks_model_dup(const struct stacks_model *m)
{
	struct stacks_model *copy;

	if (!m)
		return NULL;
	copy = xmalloc(sizeof(*copy));
	*copy = *m;
	copy->threads = stacks_model_copy_array(m->threads, m->nthreads, sizeof(*m->threads));
	copy->top = stacks_model_copy_array(m->top, m->ntop, sizeof(*m->top));
	stack_set_copy(&copy->oncpu_interval, &m->oncpu_interval);
	stack_set_copy(&copy->oncpu_cumulative, &m->oncpu_cumulative);
	return copy;
}

void stacks_model_free(struct stacks_model *m)
{
	if (!m)
		return;
	free(m->threads);
	free(m->top);
	stack_set_clear(&m->oncpu_interval);
	stack_set_clear(&m->oncpu_cumulative);
	free(m);
}
