// SPDX-License-Identifier: GPL-2.0
/* The stack tree: merging, totals and self, inversion, thread split, order and stable tags. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "collectors/stack_tree.h"
#include "tests/unit/frame_test.h"

static struct stack_frame f_sleep[] = { U("main"), U("a"), U("b"), K("do_nanosleep"),
					K("schedule") };
static struct stack_frame f_read[] = { U("main"), U("a"), U("reader"), K("ksys_read"),
				       K("schedule") };
static struct stack_frame f_wait[] = { U("start_thread"), U("worker"), K("futex_wait"),
				       K("schedule") };

/* Process 10 ("app"): 300 us in sleep, 100 us in read (thread 11); process 20: 50 us. */
static void build_set(struct stack_set *s)
{
	struct stack_sample x = { .pid = 10, .tid = 10, .comm = "app", .pcomm = "app" };

	memset(s, 0, sizeof(*s));
	x.frames = f_sleep;
	x.nframes = 5;
	x.value = 200;
	x.count = 2;
	stack_set_add(s, &x);
	x.value = 100; /* the same stack again: merges */
	x.count = 1;
	stack_set_add(s, &x);
	x.tid = 11;
	x.comm = "app-io";
	x.frames = f_read;
	x.value = 100;
	stack_set_add(s, &x);
	x = (struct stack_sample){ .pid = 20,
				   .tid = 21,
				   .comm = "db",
				   .pcomm = "db",
				   .frames = f_wait,
				   .nframes = 4,
				   .value = 50,
				   .count = 5 };
	stack_set_add(s, &x);
}

/* How many children node has. */
static uint32_t nchildren(const struct stack_tree *t, uint32_t node)
{
	uint32_t n = 0;

	for (uint32_t c = t->nodes[node].first_child; c != STACK_TREE_NONE;
	     c = t->nodes[c].next_sibling)
		n++;
	return n;
}

/* The child of node named name, or NONE. */
static uint32_t child(const struct stack_tree *t, uint32_t node, const char *name)
{
	for (uint32_t c = t->nodes[node].first_child; c != STACK_TREE_NONE;
	     c = t->nodes[c].next_sibling)
		if (!strcmp(t->nodes[c].name, name))
			return c;
	return STACK_TREE_NONE;
}

static void test_merge_and_totals(void **state)
{
	struct stack_set s;
	struct stack_tree *t;
	uint32_t app, a, b, sched;

	(void)state;
	build_set(&s);
	t = stack_tree_build(&s, &(struct stack_tree_opts){ 0 });
	assert_int_equal(t->nodes[0].total, 450);
	app = child(t, 0, "app (10)");
	assert_int_not_equal(app, STACK_TREE_NONE);
	assert_int_equal(t->nodes[app].total, 400);
	/* the bigger process comes first */
	assert_int_equal(t->nodes[0].first_child, app);
	a = child(t, child(t, app, "main"), "a");
	assert_int_equal(t->nodes[a].total, 400);
	assert_int_equal(t->nodes[a].self, 0);
	assert_int_equal(nchildren(t, a), 2);
	b = child(t, a, "b");
	assert_int_equal(t->nodes[b].total, 300);
	assert_int_equal(t->nodes[a].first_child, b);
	sched = child(t, child(t, b, "do_nanosleep"), "schedule");
	assert_int_equal(t->nodes[sched].self, 300);
	assert_int_equal(t->nodes[sched].frame_kind, STACK_FRAME_KERNEL);
	assert_int_equal(t->nodes[sched].depth, 6);
	stack_tree_free(t);
	stack_set_clear(&s);
}

/* opts.open for the test: open only the tag in ctx. */
static bool open_one(const void *ctx, uint64_t tag)
{
	return tag == *(const uint64_t *)ctx;
}

/*
 * A tree as deep as a view: children only below open nodes; a closed node that stacks go on
 * below holds their total, not their self time, and says it has more.
 */
static void test_only_open_nodes(void **state)
{
	struct stack_tree_opts o = { .open = open_one };
	struct stack_tree *full, *t;
	uint32_t app, db, main_;
	uint64_t app_tag;
	struct stack_set s;

	(void)state;
	build_set(&s);
	full = stack_tree_build(&s, &(struct stack_tree_opts){ 0 });
	app_tag = full->nodes[child(full, 0, "app (10)")].tag;
	o.open_ctx = &app_tag;
	t = stack_tree_build(&s, &o);
	assert_int_equal(t->nnodes, 4); /* all, app, its main, db */
	assert_int_equal(t->nodes[0].total, 450);
	app = child(t, 0, "app (10)");
	db = child(t, 0, "db (20)");
	main_ = child(t, app, "main");
	assert_int_equal(t->nodes[app].tag, app_tag);
	assert_false(stack_tree_node_more(t, app));
	assert_int_equal(t->nodes[main_].total, 400);
	assert_int_equal(t->nodes[main_].self, 0);
	assert_true(stack_tree_node_more(t, main_));
	assert_int_equal(t->nodes[main_].first_child, STACK_TREE_NONE);
	assert_int_equal(t->nodes[db].total, 50);
	assert_true(stack_tree_node_more(t, db));
	assert_int_equal(t->nodes[main_].tag,
			 full->nodes[child(full, child(full, 0, "app (10)"), "main")].tag);
	/* built again in the same memory with every node: nothing is marked any more */
	t = stack_tree_rebuild(t, &s, &(struct stack_tree_opts){ 0 });
	assert_int_equal(t->nnodes, full->nnodes);
	assert_false(stack_tree_node_more(t, child(t, 0, "db (20)")));
	stack_tree_free(t);
	stack_tree_free(full);
	stack_set_clear(&s);
}

/*
 * A sample of no task (pid 0: the aggregator's merged older stacks) is named without an id,
 * and exited processes folded say so.
 */
static void test_no_task(void **state)
{
	struct stack_frame mark[] = { { .name = "[3 older stacks merged]",
					.kind = STACK_FRAME_MARK } };
	struct stack_sample x = { .comm = "[older stacks]", .pcomm = "[older stacks]" };
	struct stack_set s;
	struct stack_tree *t;
	uint32_t older;

	(void)state;
	build_set(&s);
	x.frames = mark;
	x.nframes = 1;
	x.value = 70;
	stack_set_add(&s, &x);
	t = stack_tree_build(&s, &(struct stack_tree_opts){ 0 });
	older = child(t, 0, "[older stacks]");
	assert_int_not_equal(older, STACK_TREE_NONE);
	assert_int_equal(t->nodes[child(t, older, "[3 older stacks merged]")].total, 70);
	assert_int_equal(t->nodes[0].total, 520);
	stack_tree_free(t);

	/* The exited processes of a name, folded by the aggregator: "(exited)" for an id. */
	x = (struct stack_sample){ .comm = "true", .pcomm = "true", .exited = true, .value = 5 };
	x.frames = mark;
	x.nframes = 1;
	stack_set_add(&s, &x);
	t = stack_tree_build(&s, &(struct stack_tree_opts){ 0 });
	assert_int_not_equal(child(t, 0, "true (exited)"), STACK_TREE_NONE);
	assert_int_equal(child(t, 0, "true"), STACK_TREE_NONE);
	assert_int_not_equal(child(t, 0, "[older stacks]"), STACK_TREE_NONE);
	stack_tree_free(t);
	stack_set_clear(&s);
}

static void test_inverted(void **state)
{
	struct stack_set s;
	struct stack_tree *t;
	uint32_t sched, nano, futex;

	(void)state;
	build_set(&s);
	t = stack_tree_build(&s, &(struct stack_tree_opts){ .inverted = true });
	/* every stack ends in schedule: one top node with everything */
	assert_int_equal(nchildren(t, 0), 1);
	sched = child(t, 0, "schedule");
	assert_int_equal(t->nodes[sched].total, 450);
	nano = child(t, sched, "do_nanosleep");
	futex = child(t, sched, "futex_wait");
	assert_int_equal(t->nodes[nano].total, 300);
	assert_int_equal(t->nodes[futex].total, 50);
	/* the process is below the outermost frame */
	assert_int_not_equal(
		child(t, child(t, child(t, futex, "worker"), "start_thread"), "db (20)"),
		STACK_TREE_NONE);
	stack_tree_free(t);
	stack_set_clear(&s);
}

static void test_threads(void **state)
{
	struct stack_set s;
	struct stack_tree *t;
	uint32_t app;

	(void)state;
	build_set(&s);
	t = stack_tree_build(&s, &(struct stack_tree_opts){ .split_threads = true });
	app = child(t, 0, "app (10)");
	assert_int_equal(nchildren(t, app), 2);
	assert_int_equal(t->nodes[child(t, app, "app (10)")].total, 300);
	assert_int_equal(t->nodes[child(t, app, "app-io (11)")].total, 100);
	assert_int_equal(t->nodes[child(t, app, "app-io (11)")].tid, 11);
	stack_tree_free(t);
	stack_set_clear(&s);
}

/* A node keeps its tag when the tree is rebuilt with other data; other paths differ. */
static void test_stable_tags(void **state)
{
	struct stack_set s, s2 = { 0 };
	struct stack_tree *t1, *t2;
	uint32_t b1, b2;

	(void)state;
	build_set(&s);
	stack_set_add(&s2, &s.samples[2]);
	stack_set_add(&s2, &s.samples[0]);
	t1 = stack_tree_build(&s, NULL);
	t2 = stack_tree_build(&s2, NULL);
	b1 = child(t1, child(t1, child(t1, child(t1, 0, "app (10)"), "main"), "a"), "b");
	b2 = stack_tree_find_tag(t2, t1->nodes[b1].tag);
	assert_int_not_equal(b2, STACK_TREE_NONE);
	assert_string_equal(t2->nodes[b2].name, "b");
	assert_int_not_equal(t1->nodes[b1].tag, t1->nodes[t1->nodes[b1].parent].tag);
	assert_true(stack_tree_node_matches(t1, b1, "B"));
	assert_false(stack_tree_node_matches(t1, b1, "x"));
	assert_int_equal(stack_tree_hottest_child(t1, 0), child(t1, 0, "app (10)"));
	stack_tree_free(t1);
	stack_tree_free(t2);
	stack_set_clear(&s);
	stack_set_clear(&s2);
}

/* Source lines: a frame node keeps the first stack's line; frames without one have none. */
static void test_source_lines(void **state)
{
	struct stack_frame at12[] = {
		{ .name = "main", .kind = STACK_FRAME_USER, .src = "m.c:3" },
		{ .name = "f", .kind = STACK_FRAME_USER, .src = "f.c:12" },
		{ .name = "g [inlined]", .kind = STACK_FRAME_USER, .src = "g.h:7" },
	};
	struct stack_frame at13[] = {
		{ .name = "main", .kind = STACK_FRAME_USER, .src = "m.c:3" },
		{ .name = "f", .kind = STACK_FRAME_USER, .src = "f.c:13" },
		{ .name = "h", .kind = STACK_FRAME_USER },
	};
	struct stack_sample x = { .pid = 1, .tid = 1, .comm = "p", .pcomm = "p", .value = 5 };
	struct stack_set set = { 0 };
	struct stack_tree *t;
	uint32_t proc, m, f;

	(void)state;
	x.frames = at12;
	x.nframes = 3;
	stack_set_add(&set, &x);
	x.frames = at13;
	stack_set_add(&set, &x);
	for (int inverted = 0; inverted < 2; inverted++) {
		t = stack_tree_build(&set, &(struct stack_tree_opts){ .inverted = inverted });
		if (!inverted) {
			proc = child(t, 0, "p (1)");
			m = child(t, proc, "main");
			f = child(t, m, "f");
			assert_string_equal(stack_tree_node_src(t, m), "m.c:3");
			/* two stacks through f: the first one's line */
			assert_string_equal(stack_tree_node_src(t, f), "f.c:12");
			assert_string_equal(stack_tree_node_src(t, child(t, f, "g [inlined]")),
					    "g.h:7");
			assert_null(stack_tree_node_src(t, child(t, f, "h")));
			assert_null(stack_tree_node_src(t, proc));
		} else {
			assert_null(stack_tree_node_src(t, child(t, 0, "h")));
			assert_string_equal(stack_tree_node_src(t, child(t, 0, "g [inlined]")),
					    "g.h:7");
		}
		stack_tree_free(t);
	}
	stack_set_clear(&set);
}

static void test_many_stacks(void **state)
{
	struct stack_set s = { 0 };
	struct stack_tree *t;
	char names[2000][16];

	(void)state;
	for (int i = 0; i < 2000; i++) {
		struct stack_frame fr[3] = { U("main"), U(names[i]), K("schedule") };
		struct stack_sample x = { .pid = 1 + i % 7,
					  .tid = 1,
					  .comm = "p",
					  .frames = fr,
					  .nframes = 3,
					  .value = 1,
					  .count = 1 };

		snprintf(names[i], sizeof(names[i]), "fn%d", i);
		stack_set_add(&s, &x);
	}
	t = stack_tree_build(&s, NULL);
	assert_int_equal(t->nodes[0].total, 2000);
	/* root, 7 processes, 7 "main", 2000 functions and 2000 schedule leaves */
	assert_int_equal(t->nnodes, 1 + 7 + 7 + 2000 + 2000);
	stack_tree_free(t);
	stack_set_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_and_totals), cmocka_unit_test(test_no_task),
		cmocka_unit_test(test_only_open_nodes),	 cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_threads),		 cmocka_unit_test(test_stable_tags),
		cmocka_unit_test(test_many_stacks),	 cmocka_unit_test(test_source_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
