// SPDX-License-Identifier: GPL-2.0
/*
 * The aggregator on stacks unwound in user space (no BPF map is read for them): identities
 * by thread and frames, names from this process's own symbols, and frames arrays kept once
 * in the store for every thread that has the same stack. And user stacks by map id, read
 * once per process image: an array map stands in for the stack trace map there, which user
 * space cannot write (lookups by id are the same).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "collectors/collector.h"
#include "collectors/stack_collect.h"
#include "collectors/ustack_reader.h"
#include "symbols/symbols.h"

__attribute__((noinline)) int collect_fn_outer(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) int collect_fn_inner(int x)
{
	return x * 5 + 2;
}

/* An address inside fn, as an unwound frame holds it. */
static uint64_t inside(int (*fn)(int))
{
	return (uint64_t)(uintptr_t)fn + 2;
}

struct fixture {
	struct sym_cache *sc;
	struct stack_collect *st;
	struct stack_set interval;
	struct stack_set cumulative;
};

static int setup(void **state)
{
	static struct fixture f;
	struct stack_collect_map map = { .fd = -1, .nids = 0, .depth = 127 };
	char why[128];

	memset(&f, 0, sizeof(f));
	if (sym_cache_new(&f.sc, why, sizeof(why)))
		return -1;
	f.st = stack_collect_new(f.sc, &map, (struct stack_collect_scale){ 1, 1 }, &f.interval,
				 &f.cumulative);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	stack_collect_free(f->st);
	stack_set_clear(&f->interval);
	stack_set_clear(&f->cumulative);
	sym_cache_free(f->sc);
	return 0;
}

/* Add one unwound stack of thread tid: frames innermost first. */
static void add(struct fixture *f, uint32_t tid, const struct stack_collect_uframe *uf, uint32_t n,
		uint64_t amount)
{
	struct stack_collect_key k = {
		.tgid = (uint32_t)getpid(),
		.tid = tid,
		.kstack = STACK_COLLECT_NONE,
		.ustack = STACK_COLLECT_NONE,
	};

	stack_collect_add_unwound(f->st, &k, uf, n, NULL, "worker", 7, amount, 1, true);
}

/* The interval sample of thread tid, or NULL. */
static const struct stack_sample *sample_of(const struct stack_set *s, uint32_t tid)
{
	for (size_t i = 0; i < s->nsamples; i++)
		if (s->samples[i].tid == tid)
			return &s->samples[i];
	return NULL;
}

static void test_same_stack_shares_frames(void **state)
{
	struct fixture *f = *state;
	const struct stack_collect_uframe both[] = {
		{ inside(collect_fn_inner), "helper [inlined]", "x.c:3" },
		{ inside(collect_fn_inner), NULL, "x.c:9" },
		{ inside(collect_fn_outer), NULL, NULL },
	};
	const struct stack_collect_uframe other[] = {
		{ inside(collect_fn_outer), NULL, NULL },
	};
	const struct stack_sample *a, *b, *c;

	stack_collect_begin(f->st);
	add(f, 101, both, 3, 10);
	add(f, 102, both, 3, 20);
	add(f, 103, other, 1, 30);
	stack_collect_end(f->st);

	assert_int_equal(f->interval.nsamples, 3);
	a = sample_of(&f->interval, 101);
	b = sample_of(&f->interval, 102);
	c = sample_of(&f->interval, 103);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	/* Outermost first: the symbolizer's names, the inlined call, the source lines. */
	assert_int_equal(a->nframes, 3);
	assert_string_equal(a->frames[0].name, "collect_fn_outer");
	assert_string_equal(a->frames[1].name, "collect_fn_inner");
	assert_string_equal(a->frames[1].src, "x.c:9");
	assert_string_equal(a->frames[2].name, "helper [inlined]");
	assert_string_equal(a->frames[2].src, "x.c:3");
	assert_int_equal(a->value, 10);
	assert_int_equal(b->value, 20);
	/* Two threads, one stack: one frames array in the store. */
	assert_ptr_equal(a->frames, b->frames);
	assert_ptr_not_equal(a->frames, c->frames);
	assert_string_equal(c->frames[0].name, "collect_fn_outer");

	/* After a reset (a new store) the same stack is kept again, and shared again. */
	stack_collect_reset(f->st);
	stack_collect_begin(f->st);
	add(f, 104, both, 3, 5);
	add(f, 105, both, 3, 5);
	stack_collect_end(f->st);
	a = sample_of(&f->cumulative, 104);
	b = sample_of(&f->cumulative, 105);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_equal(a->frames, b->frames);
	assert_string_equal(a->frames[2].name, "helper [inlined]");
	assert_int_equal(f->cumulative.nsamples, 2);
}

/* The sum of a set's sample values, which must be its total. */
static uint64_t values_sum(const struct stack_set *s)
{
	uint64_t v = 0;

	for (size_t i = 0; i < s->nsamples; i++)
		v += s->samples[i].value;
	assert_int_equal(v, s->total);
	return v;
}

/* The cumulative sample whose first frame is name, or NULL. */
static const struct stack_sample *sample_named(const struct stack_set *s, const char *name)
{
	for (size_t i = 0; i < s->nsamples; i++)
		if (s->samples[i].nframes && !strcmp(s->samples[i].frames[0].name, name))
			return &s->samples[i];
	return NULL;
}

static void test_bound_merges_smallest_untouched(void **state)
{
	struct fixture *f = *state;
	const struct stack_collect_uframe both[] = {
		{ inside(collect_fn_inner), NULL, "x.c:9" },
		{ inside(collect_fn_outer), NULL, NULL },
	};
	const struct stack_sample *s, *older;
	const struct stack_frame *kept;
	struct collector c = { 0 };
	uint64_t want = 0;

	stack_collect_set_max(f->st, 64);
	/* 100 threads in one interval: over the bound, but all touched now, so all kept */
	stack_collect_begin(f->st);
	for (uint32_t tid = 1; tid <= 100; tid++) {
		add(f, tid, both, 2, tid);
		want += tid;
	}
	stack_collect_end(f->st);
	assert_int_equal(f->cumulative.nsamples, 100);
	stack_collect_drops(f->st, &c);
	assert_int_equal(c.ndrops, 1);
	assert_string_equal(c.drops[0].name, "older stacks merged");
	assert_int_equal(c.drops[0].count, 0);

	/* 10 more and thread 50 again: the 62 smallest untouched go, down to 48 + older */
	stack_collect_begin(f->st);
	for (uint32_t tid = 101; tid <= 110; tid++) {
		add(f, tid, both, 2, 1000);
		want += 1000;
	}
	add(f, 50, both, 2, 5);
	want += 5;
	stack_collect_end(f->st);
	assert_int_equal(values_sum(&f->cumulative), want);
	assert_int_equal(f->cumulative.nsamples, 110 - 62 + 1);
	older = sample_named(&f->cumulative, "[62 older stacks merged]");
	assert_non_null(older);
	assert_int_equal(older->value, (49 * 50) / 2 + (51 + 63) * 13 / 2);
	assert_null(sample_of(&f->cumulative, 63));
	s = sample_of(&f->cumulative, 64);
	assert_non_null(s);
	assert_int_equal(s->value, 64);
	assert_string_equal(s->frames[0].name, "collect_fn_outer");
	assert_string_equal(s->frames[1].src, "x.c:9");
	kept = s->frames;
	assert_int_equal(sample_of(&f->cumulative, 50)->value, 55);
	/* the interval: what this interval added, in the new store like the rest */
	assert_int_equal(f->interval.nsamples, 11);
	assert_int_equal(sample_of(&f->interval, 50)->value, 5);
	assert_ptr_equal(f->interval.store, f->cumulative.store);
	c.ndrops = 0;
	stack_collect_drops(f->st, &c);
	assert_int_equal(c.drops[0].count, 62);

	/* a merged thread comes back as a new identity; its old time stays merged */
	stack_collect_begin(f->st);
	add(f, 1, both, 2, 7);
	add(f, 111, both, 2, 7);
	stack_collect_end(f->st);
	want += 14;
	assert_int_equal(sample_of(&f->cumulative, 1)->value, 7);
	assert_int_equal(values_sum(&f->cumulative), want);
	assert_ptr_equal(sample_of(&f->cumulative, 1)->frames,
			 sample_of(&f->cumulative, 111)->frames);
	assert_ptr_equal(sample_of(&f->cumulative, 1)->frames, kept);

	/* a reset forgets the merged ones too */
	stack_collect_reset(f->st);
	c.ndrops = 0;
	stack_collect_drops(f->st, &c);
	assert_int_equal(c.drops[0].count, 0);
}

/* Write stack id in the stand-in map: return addresses, innermost first (as the kernel). */
static void put_stack(int fd, uint32_t id, int (*inner)(int), int (*outer)(int))
{
	uint64_t addrs[127] = { inside(inner), inside(outer) + 1 };

	assert_int_equal(bpf_map_update_elem(fd, &id, addrs, BPF_ANY), 0);
}

/* Add one drained entry of thread tid with user stack id 5 and no kernel stack. */
static void add_id(struct stack_collect *st, uint32_t tid)
{
	struct stack_collect_key k = {
		.tgid = (uint32_t)getpid(),
		.tid = tid,
		.kstack = STACK_COLLECT_NONE,
		.ustack = 5,
	};

	stack_collect_add(st, &k, "worker", 7, 10, 1, true);
}

static void test_user_stack_read_once_per_image(void **state)
{
	struct fixture *f = *state;
	struct stack_collect_map map = { .nids = 8, .depth = 127 };
	const struct stack_sample *a, *b, *c, *d;
	struct stack_collect *st;

	map.fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ktop_test_ust", 4, 127 * 8, 8, NULL);
	if (map.fd < 0)
		skip(); /* not root: no BPF map */
	st = stack_collect_new(f->sc, &map, (struct stack_collect_scale){ 1, 1 }, &f->interval,
			       &f->cumulative);
	put_stack(map.fd, 5, collect_fn_inner, collect_fn_outer);
	stack_collect_begin(st);
	add_id(st, 201);
	add_id(st, 202);
	/* An id never changes its stack; changing it here shows whether the map is read again. */
	put_stack(map.fd, 5, collect_fn_outer, collect_fn_inner);
	add_id(st, 203);
	/* After an exec the same id is another image's stack: read again. */
	stack_collect_exec(st, (uint32_t)getpid());
	add_id(st, 204);
	stack_collect_end(st);

	a = sample_of(&f->interval, 201);
	b = sample_of(&f->interval, 202);
	c = sample_of(&f->interval, 203);
	d = sample_of(&f->interval, 204);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(d);
	assert_int_equal(a->nframes, 2);
	assert_string_equal(a->frames[0].name, "collect_fn_outer");
	assert_string_equal(a->frames[1].name, "collect_fn_inner");
	assert_ptr_equal(a->frames, b->frames);
	assert_ptr_equal(a->frames, c->frames); /* named once: not read again */
	assert_int_equal(d->nframes, 2);
	assert_string_equal(d->frames[0].name, "collect_fn_inner");
	assert_string_equal(d->frames[1].name, "collect_fn_outer");
	stack_collect_free(st);
	close(map.fd);
}

/* Add one unwound stack of thread tid of process tgid, as thread name "worker". */
static void add_in(struct fixture *f, uint32_t tgid, uint32_t tid,
		   const struct stack_collect_uframe *uf, uint32_t n, uint64_t amount)
{
	struct stack_collect_key k = {
		.tgid = tgid,
		.tid = tid,
		.kstack = STACK_COLLECT_NONE,
		.ustack = STACK_COLLECT_NONE,
	};

	stack_collect_add_unwound(f->st, &k, uf, n, NULL, "worker", 6, amount, 1, true);
}

/* The sample of process pid (0: the exited ones folded), thread tid, or NULL. */
static const struct stack_sample *sample_in(const struct stack_set *s, uint32_t pid, uint32_t tid)
{
	for (size_t i = 0; i < s->nsamples; i++)
		if (s->samples[i].pid == pid && s->samples[i].tid == tid)
			return &s->samples[i];
	return NULL;
}

/*
 * A process that exited: its threads' identities become one per names and frames, with no
 * task, its time kept, at the end of the interval of its note and of the next one (a block
 * drained late); after that it is forgotten, and a new process with its PID is its own.
 */
static void test_exited_processes_fold(void **state)
{
	struct fixture *f = *state;
	const struct stack_collect_uframe both[] = {
		{ inside(collect_fn_inner), NULL, NULL },
		{ inside(collect_fn_outer), NULL, NULL },
	};
	const struct stack_collect_uframe moved[] = {
		{ inside(collect_fn_inner) + 1, NULL, NULL },
		{ inside(collect_fn_outer) + 1, NULL, NULL },
	};
	const uint32_t gone = 4000000, live = (uint32_t)getpid();
	const struct stack_sample *x, *l;

	stack_collect_begin(f->st);
	add_in(f, gone, 201, both, 2, 10);
	add_in(f, gone, 202, both, 2, 20);
	add_in(f, live, 301, both, 2, 5);
	stack_collect_end(f->st);
	assert_int_equal(f->cumulative.nsamples, 3);

	/* Its note comes with its last block: one folded sample, in the interval too. */
	stack_collect_exit(f->st, gone);
	stack_collect_begin(f->st);
	add_in(f, gone, 201, both, 2, 7);
	stack_collect_end(f->st);
	assert_int_equal(f->interval.nsamples, 1);
	x = sample_in(&f->interval, 0, 0);
	assert_non_null(x);
	assert_true(x->exited);
	assert_int_equal(x->value, 7);
	assert_int_equal(f->cumulative.nsamples, 2);
	assert_int_equal(f->cumulative.total, 42);
	x = sample_in(&f->cumulative, 0, 0);
	l = sample_in(&f->cumulative, live, 301);
	assert_non_null(x);
	assert_non_null(l);
	assert_true(x->exited);
	assert_false(l->exited);
	assert_int_equal(x->value, 37);
	assert_int_equal(x->count, 3);
	assert_string_equal(x->comm, "worker");
	assert_int_equal(x->nframes, l->nframes);
	assert_null(sample_in(&f->cumulative, gone, 201));

	/* A block drained an interval late still goes to the folded sample. */
	stack_collect_begin(f->st);
	add_in(f, gone, 202, both, 2, 3);
	add_in(f, live, 301, both, 2, 1);
	stack_collect_end(f->st);
	assert_int_equal(f->cumulative.nsamples, 2);
	assert_int_equal(sample_in(&f->cumulative, 0, 0)->value, 40);
	assert_int_equal(sample_in(&f->cumulative, live, 301)->value, 6);
	assert_int_equal(f->cumulative.total, 46);

	/* Forgotten since: the PID used again is a process of its own. */
	stack_collect_begin(f->st);
	add_in(f, gone, 203, both, 2, 2);
	stack_collect_end(f->st);
	assert_int_equal(f->cumulative.nsamples, 3);
	assert_non_null(sample_in(&f->cumulative, gone, 203));
	assert_int_equal(sample_in(&f->cumulative, 0, 0)->value, 40);
	assert_int_equal(f->cumulative.total, 48);

	/* Two more whose frames were at other addresses (their own layouts): one sample. */
	stack_collect_begin(f->st);
	add_in(f, gone + 1, 501, moved, 2, 100);
	add_in(f, gone + 2, 601, both, 2, 100);
	stack_collect_end(f->st);
	assert_int_equal(f->cumulative.nsamples, 5);
	stack_collect_exit(f->st, gone + 1);
	stack_collect_exit(f->st, gone + 2);
	stack_collect_begin(f->st);
	stack_collect_end(f->st);
	assert_int_equal(f->cumulative.nsamples, 3);
	assert_int_equal(sample_in(&f->cumulative, 0, 0)->value, 240);
	assert_int_equal(f->cumulative.total, 248);
}

/*
 * Many processes that ran once and exited: one folded sample keeps their time, and the store
 * is renewed (the frames at each one's own addresses go) with every figure kept.
 */
static void test_exited_store_renewed(void **state)
{
	struct fixture *f = *state;
	const uint32_t live = (uint32_t)getpid();
	const uint32_t many = 6000;
	const struct stack_store *before;
	const struct stack_sample *x, *l;

	stack_collect_begin(f->st);
	add_in(f, live, 301, NULL, 0, 5);
	for (uint32_t i = 0; i < many; i++) {
		const struct stack_collect_uframe own[] = {
			{ inside(collect_fn_outer) + i, NULL, NULL },
		};

		add_in(f, 4000000 + i, 4000000 + i, own, 1, 2);
	}
	stack_collect_end(f->st);
	assert_int_equal(f->cumulative.nsamples, many + 1);
	before = f->cumulative.store;
	for (uint32_t i = 0; i < many; i++)
		stack_collect_exit(f->st, 4000000 + i);
	stack_collect_begin(f->st);
	add_in(f, live, 301, NULL, 0, 1);
	stack_collect_end(f->st);
	assert_int_equal(f->cumulative.nsamples, 2);
	assert_ptr_not_equal(f->cumulative.store, before);
	assert_int_equal(f->cumulative.total, 2 * many + 6);
	x = sample_in(&f->cumulative, 0, 0);
	l = sample_in(&f->cumulative, live, 301);
	assert_non_null(x);
	assert_non_null(l);
	assert_int_equal(x->value, 2 * many);
	assert_int_equal(x->count, many);
	assert_string_equal(x->comm, "worker");
	assert_int_equal(x->nframes, 1);
	assert_non_null(strstr(x->frames[0].name, "exited before its maps were read"));
	assert_int_equal(l->value, 6);
	/* The live thread's key still finds its identity in the new store. */
	stack_collect_begin(f->st);
	add_in(f, live, 301, NULL, 0, 4);
	stack_collect_end(f->st);
	assert_int_equal(f->cumulative.nsamples, 2);
	assert_int_equal(sample_in(&f->cumulative, live, 301)->value, 10);
	assert_int_equal(f->interval.nsamples, 1);
}

/*
 * The stack copy ring is sized from the copy size and the rate: half a second of 16 KiB copies
 * at 99 Hz on 2 CPUs fits 2 MiB (4 MiB before this sizing); fast rates and large copies stop at
 * 4 MiB, slow ones at 256 KiB.
 */
static void test_ring_sized_from_rate(void **state)
{
	(void)state;
	assert_int_equal(ustack_reader_ring_bytes(16, 99, 2), 2 << 20);
	assert_int_equal(ustack_reader_ring_bytes(16, 99, 1), 1 << 20);
	assert_int_equal(ustack_reader_ring_bytes(16, 999, 2), 4 << 20);
	assert_int_equal(ustack_reader_ring_bytes(64, 99, 2), 4 << 20);
	assert_int_equal(ustack_reader_ring_bytes(16, 99, 64), 4 << 20);
	assert_int_equal(ustack_reader_ring_bytes(4, 1, 1), 256 << 10);
	assert_int_equal(ustack_reader_ring_bytes(16, 99, 0), 1 << 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_stack_shares_frames, setup, teardown),
		cmocka_unit_test(test_ring_sized_from_rate),
		cmocka_unit_test_setup_teardown(test_user_stack_read_once_per_image, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bound_merges_smallest_untouched, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exited_processes_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exited_store_renewed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
