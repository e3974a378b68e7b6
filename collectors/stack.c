// SPDX-License-Identifier: GPL-2.0
#include "collectors/stack.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct stack_sample *stack_set_add(struct stack_set *s, const struct stack_sample *sample)
{
	struct stack_sample *out;

	if ((s->nsamples & (s->nsamples - 1)) == 0) /* grow at powers of two */
		s->samples = xreallocarray(s->samples, s->nsamples ? s->nsamples * 2 : 16,
					   sizeof(*s->samples));
	out = &s->samples[s->nsamples++];
	*out = *sample;
	out->frames = NULL;
	if (sample->nframes) {
		out->frames = xreallocarray(NULL, sample->nframes, sizeof(*out->frames));
		memcpy(out->frames, sample->frames, sample->nframes * sizeof(*out->frames));
	}
	s->total += sample->value;
	return out;
}

void stack_set_copy(struct stack_set *dst, const struct stack_set *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->nsamples; i++)
		stack_set_add(dst, &src->samples[i]);
}

void stack_set_clear(struct stack_set *s)
{
	for (size_t i = 0; i < s->nsamples; i++)
		free(s->samples[i].frames);
	free(s->samples);
	memset(s, 0, sizeof(*s));
}
