// SPDX-License-Identifier: GPL-2.0
#include "collectors/stack_sum.h"

#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/xalloc.h"

/* A sample looked up: its names already interned in the sum's store. */
struct sum_key {
	const struct stack_set *set;
	const struct stack_sample *x;
};

void stack_sum_init(struct stack_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
	htab_init(&sum->index, sizeof(uint32_t), _Alignof(uint32_t));
}

void stack_sum_clear(struct stack_sum *sum)
{
	stack_set_clear(&sum->set);
	htab_fini(&sum->index);
	free(sum->scratch);
	stack_sum_init(sum);
}

/* Whether sample number *entry of the sum is the key's stack (interned names: pointers). */
static bool sum_eq(const void *entry, const void *key)
{
	const struct sum_key *k = key;
	const struct stack_sample *a = &k->set->samples[*(const uint32_t *)entry], *b = k->x;

	if (a->pid != b->pid || a->tid != b->tid || a->comm != b->comm || a->pcomm != b->pcomm ||
	    a->nframes != b->nframes)
		return false;
	for (uint32_t i = 0; i < a->nframes; i++)
		if (a->frames[i].name != b->frames[i].name ||
		    a->frames[i].kind != b->frames[i].kind ||
		    a->frames[i].src != b->frames[i].src ||
		    a->frames[i].addr != b->frames[i].addr)
			return false;
	return true;
}

/* The hash of a sample whose names are interned. */
static uint64_t sum_hash(const struct stack_sample *x)
{
	uint64_t h = hash_mix64(((uint64_t)x->pid << 32 | x->tid) ^ (uintptr_t)x->comm);

	h = hash_mix64(h ^ (uintptr_t)x->pcomm ^ x->nframes);
	for (uint32_t i = 0; i < x->nframes; i++)
		h = hash_mix64(h ^ (uintptr_t)x->frames[i].name ^ x->frames[i].addr ^
			       ((uint64_t)x->frames[i].kind << 60) ^ (uintptr_t)x->frames[i].src);
	return h;
}

void stack_sum_add(struct stack_sum *sum, const struct stack_set *s)
{
	struct stack_store *st;

	if (!sum->set.store)
		sum->set.store = stack_store_new();
	st = sum->set.store;
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct stack_sample *in = &s->samples[i];
		struct stack_sample x = *in;
		struct sum_key key = { &sum->set, &x };
		uint32_t *slot;
		bool added;
		uint64_t h;

		if (in->nframes > sum->scratch_cap) {
			sum->scratch_cap = in->nframes;
			sum->scratch = xreallocarray(sum->scratch, in->nframes,
						     sizeof(*sum->scratch));
		}
		x.comm = stack_store_name(st, in->comm);
		x.pcomm = stack_store_name(st, in->pcomm);
		for (uint32_t k = 0; k < in->nframes; k++)
			sum->scratch[k] = (struct stack_frame){
				.name = stack_store_name(st, in->frames[k].name),
				.kind = in->frames[k].kind,
				.src = in->frames[k].src ? stack_store_name(st, in->frames[k].src)
							 : NULL,
				.addr = in->frames[k].addr
			};
		x.frames = sum->scratch;
		h = sum_hash(&x);
		slot = htab_insert(&sum->index, h, &key, sum_eq, &added);
		if (!added) {
			sum->set.samples[*slot].value += in->value;
			sum->set.samples[*slot].count += in->count;
			sum->set.total += in->value;
			continue;
		}
		*slot = (uint32_t)sum->set.nsamples;
		x.frames = NULL;
		if (x.nframes) {
			struct stack_frame *f = stack_store_frames(st, x.nframes);

			memcpy(f, sum->scratch, x.nframes * sizeof(*f));
			x.frames = f;
		}
		stack_set_add_stored(&sum->set, &x);
	}
}
