// SPDX-License-Identifier: GPL-2.0
#include "collectors/offcpu_model.h"

#include <stdlib.h>

#include "util/xalloc.h"

struct offcpu_model *offcpu_model_dup(const struct offcpu_model *m)
{
	struct offcpu_model *copy;

	if (!m)
		return NULL;
	copy = xmalloc(sizeof(*copy));
	*copy = *m;
	stack_set_copy(&copy->interval, &m->interval);
	stack_set_copy(&copy->cumulative, &m->cumulative);
	return copy;
}

void offcpu_model_free(struct offcpu_model *m)
{
	if (!m)
		return;
	stack_set_clear(&m->interval);
	stack_set_clear(&m->cumulative);
	free(m);
}
