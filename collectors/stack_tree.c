// SPDX-License-Identifier: GPL-2.0
#include "collectors/stack_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sys/mman.h>

#include "util/hash.h"
#include "util/xalloc.h"

#define ROOT_TAG 0xcbf29ce484222325ULL

/*
 * The node array and the lookup table are mapped straight from the kernel rather than taken
 * from malloc: pages never written cost nothing, and what is unmapped or dropped goes back at
 * once instead of staying in the heap of a long-running process.
 */
static void *tree_map(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		abort();
	p = mmap(NULL, nmemb * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "ktop: stack tree: out of memory (%zu x %zu bytes)\n", nmemb, size);
		abort();
	}
	return p;
}

static void tree_unmap(void *p, size_t nmemb, size_t size)
{
	if (p)
		munmap(p, nmemb * size);
}

/* Give back the pages of nodes [from, to) that a larger tree wrote before this one. */
static void tree_drop_nodes(struct stack_tree *t, uint32_t from, uint32_t to)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)&t->nodes[from] + page - 1) & ~(page - 1);
	uintptr_t hi = (uintptr_t)&t->nodes[to] & ~(page - 1);

	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/*
 * A child's tag: its parent's tag, its kind, the hash of its name's text (kept beside the
 * interned name) and, for a process or thread, its id. Stable across rebuilds and stores.
 */
static uint64_t child_tag(uint64_t parent, enum stack_node_kind kind, const char *name, uint32_t id)
{
	return hash_mix64(parent * 0x100000001b3ULL ^ (uint64_t)kind * 0x9e3779b97f4a7c15ULL ^
			  stack_name_hash(name) ^ (uint64_t)id << 17);
}

/* Put node idx in a lookup table of n slots (index + 1; 0 is empty). */
static void slot_put(uint32_t *slots, uint32_t n, uint64_t tag, uint32_t idx)
{
	uint32_t s = (uint32_t)tag & (n - 1);

	while (slots[s])
		s = (s + 1) & (n - 1);
	slots[s] = idx + 1;
}

/* Double the lookup table when one more node would fill it past three quarters. */
static void slots_make_room(struct stack_tree *t)
{
	uint32_t n = t->nslots * 2;
	uint32_t *slots;

	if ((uint64_t)(t->nnodes + 1) * 4 <= (uint64_t)t->nslots * 3)
		return;
	slots = tree_map(n, sizeof(*slots));
	for (uint32_t i = 1; i < t->nnodes; i++)
		slot_put(slots, n, t->nodes[i].tag, i);
	tree_unmap(t->slots, t->nslots, sizeof(*t->slots));
	t->slots = slots;
	t->nslots = n;
}

/*
 * One node of a sample's path, root-first: a process (name: its comm, id: pid), a thread (comm,
 * tid) or a frame (interned name, its kind and source line), with the tag it will have.
 */
struct tree_step {
	uint64_t tag;
	const char *name;
	const char *src;
	uint32_t id;
	uint8_t kind;  /* enum stack_node_kind */
	uint8_t fkind; /* enum stack_frame_kind */
};

/* A sample's path (at most nframes + 2 steps), its length and the sample. */
struct tree_path {
	const struct stack_sample *s;
	struct tree_step *steps;
	uint32_t n;
	bool cut; /* it goes on below its last step, which opts.open said is closed */
};

/* The child of parent for step st (the tag computed ahead), created when missing. */
static uint32_t child_get(struct stack_tree *t, uint32_t parent, const struct tree_step *st)
{
	struct stack_node *n;
	uint32_t s, idx, mask;

	slots_make_room(t);
	mask = t->nslots - 1;
	for (s = (uint32_t)st->tag & mask; t->slots[s]; s = (s + 1) & mask) {
		n = &t->nodes[t->slots[s] - 1];
		if (n->tag == st->tag && n->parent == parent && n->kind == st->kind &&
		    (st->kind == STACK_NODE_FRAME     ? n->name == st->name
		     : st->kind == STACK_NODE_PROCESS ? n->pid == st->id
						      : n->tid == st->id))
			return t->slots[s] - 1;
	}
	idx = t->nnodes++;
	n = &t->nodes[idx];
	memset(n, 0, sizeof(*n));
	n->name = st->name;
	n->kind = st->kind;
	n->frame_kind = st->fkind;
	n->tag = st->tag;
	n->parent = parent;
	n->first_child = STACK_TREE_NONE;
	n->depth = t->nodes[parent].depth + 1;
	n->next_sibling = t->nodes[parent].first_child;
	t->nodes[parent].first_child = idx;
	t->slots[s] = idx + 1;
	return idx;
}

/* Keep a heap name for the tree's lifetime. */
static const char *keep_name(struct stack_tree *t, char *name)
{
	if ((t->nnames & (t->nnames - 1)) == 0)
		t->names =
			xreallocarray(t->names, t->nnames ? t->nnames * 2 : 16, sizeof(*t->names));
	t->names[t->nnames++] = name;
	return name;
}

/* Append a step to a path. */
static void path_push(struct tree_path *p, enum stack_node_kind kind, enum stack_frame_kind fkind,
		      const char *name, const char *src, uint32_t id)
{
	p->steps[p->n++] = (struct tree_step){
		.name = name, .src = src, .id = id, .kind = kind, .fkind = fkind
	};
}

/* Append a sample's process (and thread) steps. */
static void path_push_task(const struct stack_tree *t, struct tree_path *p)
{
	const struct stack_sample *s = p->s;

	path_push(p, STACK_NODE_PROCESS, STACK_FRAME_MARK, s->pcomm[0] ? s->pcomm : s->comm, NULL,
		  s->pid);
	if (t->opts.split_threads)
		path_push(p, STACK_NODE_THREAD, STACK_FRAME_MARK, s->comm, NULL, s->tid);
}

/*
 * Lay out sample s's path and its tags (they depend on names and ids only, not on nodes), and
 * prefetch the lookup slots it will probe: the build is bound by cache misses in the lookup,
 * which a path known ahead lets the memory serve in parallel.
 */
static void path_prepare(const struct stack_tree *t, struct tree_path *p,
			 const struct stack_sample *s)
{
	uint64_t tag = ROOT_TAG;

	p->s = s;
	p->n = 0;
	if (!t->opts.inverted) {
		path_push_task(t, p);
		for (uint32_t i = 0; i < s->nframes; i++)
			path_push(p, STACK_NODE_FRAME, s->frames[i].kind, s->frames[i].name,
				  s->frames[i].src, 0);
	} else {
		for (uint32_t i = s->nframes; i-- > 0;)
			path_push(p, STACK_NODE_FRAME, s->frames[i].kind, s->frames[i].name,
				  s->frames[i].src, 0);
		path_push_task(t, p);
	}
	p->cut = false;
	for (uint32_t k = 0; k < p->n; k++) {
		struct tree_step *st = &p->steps[k];

		tag = child_tag(tag, st->kind, st->name, st->id);
		st->tag = tag;
		__builtin_prefetch(&t->slots[(uint32_t)tag & (t->nslots - 1)]);
		if (k + 1 < p->n && t->opts.open && !t->opts.open(t->opts.open_ctx, tag)) {
			p->n = k + 1;
			p->cut = true;
		}
	}
}

/* Prefetch the nodes the first probes of a prepared path's slots name. */
static void path_prefetch_nodes(const struct stack_tree *t, const struct tree_path *p)
{
	for (uint32_t k = 0; k < p->n; k++) {
		uint32_t v = t->slots[(uint32_t)p->steps[k].tag & (t->nslots - 1)];

		if (v)
			__builtin_prefetch(&t->nodes[v - 1]);
	}
}

/* Add value along the path from node up to the root; to node's self if the stack ends there. */
static void add_value(struct stack_tree *t, uint32_t node, const struct stack_sample *s, bool ends)
{
	if (ends)
		t->nodes[node].self += s->value;
	for (uint32_t n = node; n != STACK_TREE_NONE; n = t->nodes[n].parent)
		t->nodes[n].total += s->value;
}

/* Record frame node n's source line (n is new and the newest with one). */
static void keep_src(struct stack_tree *t, uint32_t n, const char *src)
{
	if (t->nsrc == t->src_cap) {
		t->src_cap = t->src_cap ? 2 * t->src_cap : 256;
		t->src_nodes = xreallocarray(t->src_nodes, t->src_cap, sizeof(*t->src_nodes));
		t->src_lines = xreallocarray(t->src_lines, t->src_cap, sizeof(*t->src_lines));
	}
	t->src_nodes[t->nsrc] = n;
	t->src_lines[t->nsrc++] = src;
}

const char *stack_tree_node_src(const struct stack_tree *t, uint32_t node)
{
	uint32_t lo = 0, hi = t->nsrc;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->src_nodes[mid] < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nsrc && t->src_nodes[lo] == node ? t->src_lines[lo] : NULL;
}

/*
 * Add a prepared path's sample: a new process or thread node is named "comm (id)", a new frame
 * node keeps its source line.
 */
static void add_path(struct stack_tree *t, const struct tree_path *p)
{
	const struct stack_sample *s = p->s;
	uint32_t n = 0;

	for (uint32_t k = 0; k < p->n; k++) {
		const struct tree_step *st = &p->steps[k];
		uint32_t before = t->nnodes;

		n = child_get(t, n, st);
		if (st->kind == STACK_NODE_FRAME) {
			if (t->nnodes != before && st->src)
				keep_src(t, n, st->src);
			continue;
		}
		/* id 0: no task, e.g. the aggregator's "[older stacks]", or exited ones folded */
		if (t->nnodes != before)
			t->nodes[n].name =
				keep_name(t, st->id     ? xasprintf("%s (%u)", st->name, st->id)
					     : s->exited ? xasprintf("%s (exited)", st->name)
							 : xstrdup(st->name));
		t->nodes[n].pid = s->pid;
		if (st->kind == STACK_NODE_THREAD)
			t->nodes[n].tid = s->tid;
	}
	if (p->cut)
		t->more[n / 64] |= 1ULL << (n % 64);
	add_value(t, n, s, !p->cut);
}

/* Add every sample of a set, each path prepared two samples ahead of its adding. */
static void add_samples(struct stack_tree *t, const struct stack_set *set)
{
	enum { AHEAD = 2, RING = AHEAD + 1 };
	struct tree_path ring[RING];
	uint32_t most = 0;

	for (size_t i = 0; i < set->nsamples; i++)
		if (set->samples[i].nframes > most)
			most = set->samples[i].nframes;
	for (int r = 0; r < RING; r++)
		ring[r].steps = xcalloc(most + 2, sizeof(*ring[r].steps));
	for (size_t i = 0; i < set->nsamples && i < AHEAD; i++)
		path_prepare(t, &ring[i % RING], &set->samples[i]);
	for (size_t i = 0; i < set->nsamples; i++) {
		if (i + AHEAD < set->nsamples)
			path_prepare(t, &ring[(i + AHEAD) % RING], &set->samples[i + AHEAD]);
		if (i + 1 < set->nsamples)
			path_prefetch_nodes(t, &ring[(i + 1) % RING]);
		add_path(t, &ring[i % RING]);
	}
	for (int r = 0; r < RING; r++)
		free(ring[r].steps);
}

/* Order a node's children by total, largest first (then by name, for a stable order). */
static int node_cmp(const void *a, const void *b, void *arg)
{
	const struct stack_tree *t = arg;
	const struct stack_node *x = &t->nodes[*(const uint32_t *)a];
	const struct stack_node *y = &t->nodes[*(const uint32_t *)b];

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Sort every node's children (node_cmp), with buf for room (as many entries as nodes). */
static void sort_children(struct stack_tree *t, uint32_t *buf)
{
	for (uint32_t p = 0; p < t->nnodes; p++) {
		struct stack_node *n = &t->nodes[p];
		uint32_t k = 0, c;

		if (n->first_child == STACK_TREE_NONE ||
		    t->nodes[n->first_child].next_sibling == STACK_TREE_NONE)
			continue;
		for (c = n->first_child; c != STACK_TREE_NONE; c = t->nodes[c].next_sibling)
			buf[k++] = c;
		qsort_r(buf, k, sizeof(*buf), node_cmp, t);
		n->first_child = buf[0];
		for (uint32_t i = 0; i + 1 < k; i++)
			t->nodes[buf[i]].next_sibling = buf[i + 1];
		t->nodes[buf[k - 1]].next_sibling = STACK_TREE_NONE;
	}
}

struct stack_tree *stack_tree_rebuild(struct stack_tree *t, const struct stack_set *set,
				      const struct stack_tree_opts *o)
{
	size_t most = 1; /* nodes at most: the root, each sample's task nodes and frames */
	size_t expect;

	if (!t)
		t = xcalloc(1, sizeof(*t));
	for (uint32_t i = 0; i < t->nnames; i++)
		free(t->names[i]);
	t->nnames = 0;
	t->nsrc = 0;
	memset(&t->opts, 0, sizeof(t->opts));
	if (o)
		t->opts = *o;
	for (size_t i = 0; set && i < set->nsamples; i++)
		most += 1 + t->opts.split_threads + set->samples[i].nframes;
	if (most >= STACK_TREE_NONE / 2)
		abort(); /* ids are 32-bit */
	/* sized once: the nodes never move while the tree is built */
	if (most > t->cap) {
		tree_unmap(t->nodes, t->cap, sizeof(*t->nodes));
		t->cap = most * 2 < STACK_TREE_NONE / 2 ? (uint32_t)most * 2 : (uint32_t)most;
		t->nodes = tree_map(t->cap, sizeof(*t->nodes));
		t->touched = 0;
	}
	/*
	 * The lookup: sized for the last tree's nodes, or for half the bound on a first build
	 * (stacks share their outer frames); it grows if need be.
	 */
	expect = t->nnodes > 1 && t->nnodes < most ? t->nnodes + t->nnodes / 8 : most / 2 + 1;
	t->nslots = 1024;
	while ((uint64_t)t->nslots * 3 < (uint64_t)expect * 4)
		t->nslots *= 2;
	t->slots = tree_map(t->nslots, sizeof(*t->slots)); /* zero: empty */
	if (t->more_words < most / 64 + 1) {
		free(t->more);
		t->more_words = most / 64 + 1;
		t->more = xcalloc(t->more_words, sizeof(*t->more));
	} else {
		memset(t->more, 0, (t->nnodes / 64 + 1) * sizeof(*t->more)); /* the last tree's */
	}
	t->nnodes = 1;
	memset(&t->nodes[0], 0, sizeof(t->nodes[0]));
	t->nodes[0].name = "all";
	t->nodes[0].kind = STACK_NODE_ROOT;
	t->nodes[0].tag = ROOT_TAG;
	t->nodes[0].parent = STACK_TREE_NONE;
	t->nodes[0].first_child = STACK_TREE_NONE;
	t->nodes[0].next_sibling = STACK_TREE_NONE;
	if (set)
		add_samples(t, set);
	sort_children(t, t->slots); /* the lookup is done with: it has room for every node */
	tree_unmap(t->slots, t->nslots, sizeof(*t->slots));
	t->slots = NULL;
	t->nslots = 0;
	if (t->touched > t->nnodes)
		tree_drop_nodes(t, t->nnodes, t->touched);
	t->touched = t->nnodes;
	return t;
}

struct stack_tree *stack_tree_build(const struct stack_set *set, const struct stack_tree_opts *o)
{
	return stack_tree_rebuild(NULL, set, o);
}

void stack_tree_free(struct stack_tree *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nnames; i++)
		free(t->names[i]);
	free(t->names);
	free(t->more);
	free(t->src_nodes);
	free(t->src_lines);
	tree_unmap(t->slots, t->nslots, sizeof(*t->slots));
	tree_unmap(t->nodes, t->cap, sizeof(*t->nodes));
	free(t);
}

bool stack_tree_node_more(const struct stack_tree *t, uint32_t node)
{
	return t->more && node / 64 < t->more_words && (t->more[node / 64] >> (node % 64) & 1);
}

uint32_t stack_tree_find_tag(const struct stack_tree *t, uint64_t tag)
{
	for (uint32_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].tag == tag)
			return i;
	return STACK_TREE_NONE;
}

uint32_t stack_tree_hottest_child(const struct stack_tree *t, uint32_t node)
{
	/* children are sorted, largest first */
	return t->nodes[node].first_child;
}

bool stack_tree_node_matches(const struct stack_tree *t, uint32_t node, const char *text)
{
	return text[0] && strcasestr(t->nodes[node].name, text) != NULL;
}
