// SPDX-License-Identifier: GPL-2.0
#include "collectors/stack.h"

#include <errno.h>
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

const char *stack_frame_kind_name(enum stack_frame_kind kind)
{
	switch (kind) {
	case STACK_FRAME_USER:
		return "user";
	case STACK_FRAME_KERNEL:
		return "kernel";
	case STACK_FRAME_UNKNOWN:
		return "unknown";
	default:
		return "mark";
	}
}

/* Write s with the characters that would break a folded line replaced. */
static void put_folded(FILE *out, const char *s, const char *bad, char with)
{
	for (; *s; s++)
		fputc(strchr(bad, *s) ? with : *s, out);
}

int stack_set_write_folded(const struct stack_set *s, FILE *out)
{
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct stack_sample *x = &s->samples[i];

		put_folded(out, x->comm, "; \n\r", '_');
		for (uint32_t f = 0; f < x->nframes; f++) {
			fputc(';', out);
			put_folded(out, x->frames[f].name, ";\n\r", ':');
			if (x->frames[f].kind == STACK_FRAME_KERNEL)
				fputs("_[k]", out);
		}
		fprintf(out, " %llu\n", (unsigned long long)x->value);
	}
	return ferror(out) ? -EIO : 0;
}

void stack_set_write_json(const struct stack_set *s, struct json_out *j, const char *key,
			  uint32_t pid, const char *value_key)
{
	json_key(j, key);
	json_array_begin(j);
	for (size_t i = 0; s && i < s->nsamples; i++) {
		const struct stack_sample *x = &s->samples[i];

		if (pid && x->pid != pid)
			continue;
		json_object_begin(j);
		json_kv_u64(j, "pid", x->pid);
		json_kv_u64(j, "tid", x->tid);
		json_kv_str(j, "comm", x->comm);
		json_kv_str(j, "process", x->pcomm);
		json_kv_u64(j, value_key, x->value);
		json_kv_u64(j, "count", x->count);
		json_key(j, "frames");
		json_array_begin(j);
		for (uint32_t f = 0; f < x->nframes; f++) {
			json_object_begin(j);
			json_kv_str(j, "name", x->frames[f].name);
			json_kv_str(j, "kind", stack_frame_kind_name(x->frames[f].kind));
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}
