/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tree of stacks: processes (and threads), then frames from the outermost caller down, or
 * inverted (innermost frame first: "what blocks"). Built from a stack_set, children sorted by
 * total. Each node has a 64-bit tag from its path, stable across rebuilds, so a view can keep
 * what was expanded and selected.
 */
#ifndef KTOP_STACK_TREE_H
#define KTOP_STACK_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/stack.h"

#define STACK_TREE_NONE UINT32_MAX

enum stack_node_kind {
	STACK_NODE_ROOT,    /* "all" */
	STACK_NODE_PROCESS, /* "comm (pid)" */
	STACK_NODE_THREAD,  /* "comm (tid)", when threads are split */
	STACK_NODE_FRAME,
};

/* One node: 56 bytes, as many of them are made (a few hundred thousand for 20k stacks). */
struct stack_node {
	const char *name;
	uint64_t total; /* value of everything below and here */
	uint64_t self;	/* value of stacks that end here */
	uint64_t tag;	/* hash of the path from the root */
	uint32_t parent;
	uint32_t first_child;
	uint32_t next_sibling;
	uint32_t pid;
	uint32_t tid;
	uint16_t depth;
	uint8_t kind;	    /* enum stack_node_kind */
	uint8_t frame_kind; /* enum stack_frame_kind, for STACK_NODE_FRAME */
};

struct stack_tree_opts {
	bool inverted;	    /* innermost frame first; the process below the frames */
	bool split_threads; /* a thread level under each process */
	/*
	 * NULL: every node. Else a node's children are made only when open(open_ctx, its tag)
	 * (the root's always): a closed node that stacks go on below holds their total and is
	 * marked (stack_tree_node_more), so a view of collapsed processes costs a node each.
	 */
	bool (*open)(const void *open_ctx, uint64_t tag);
	const void *open_ctx;
};

struct stack_tree {
	struct stack_node *nodes; /* nodes[0] is the root */
	uint32_t nnodes;
	uint32_t cap;	  /* nodes mapped, kept for the next rebuild */
	uint32_t touched; /* nodes written since they were mapped */
	struct stack_tree_opts opts;
	/* private: child lookup while building, and the names of process and thread nodes */
	uint32_t *slots;
	uint32_t nslots;
	char **names;
	uint32_t nnames;
	uint64_t *more; /* a bit for each node whose children were not made (opts.open) */
	size_t more_words;
	/* the source line of frame nodes that have one, by node (ascending): few nodes do */
	uint32_t *src_nodes;
	const char **src_lines;
	uint32_t nsrc;
	uint32_t src_cap;
};

/*
 * Build a tree from a set of samples (names interned in the set's store, as stack_set_add and
 * the aggregator leave them). Never fails (aborts on out of memory).
 */
struct stack_tree *stack_tree_build(const struct stack_set *set, const struct stack_tree_opts *o);
/*
 * Like stack_tree_build, in the memory of old (consumed; NULL: none), which a tree rebuilt at
 * every refresh keeps instead of giving it back and faulting it in again.
 */
struct stack_tree *stack_tree_rebuild(struct stack_tree *old, const struct stack_set *set,
				      const struct stack_tree_opts *o);
void stack_tree_free(struct stack_tree *t);
/* The node with this tag, or STACK_TREE_NONE. */
uint32_t stack_tree_find_tag(const struct stack_tree *t, uint64_t tag);
/* The child with the largest total, or STACK_TREE_NONE. */
uint32_t stack_tree_hottest_child(const struct stack_tree *t, uint32_t node);
/* A frame node's source line ("file.c:12", of the first stack through it), or NULL. */
const char *stack_tree_node_src(const struct stack_tree *t, uint32_t node);
/* Whether stacks go on below node though its children were not made (opts.open said closed). */
bool stack_tree_node_more(const struct stack_tree *t, uint32_t node);
/* Whether a node's name contains text (case-insensitive). */
bool stack_tree_node_matches(const struct stack_tree *t, uint32_t node, const char *text);

#endif
