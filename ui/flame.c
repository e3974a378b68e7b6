// SPDX-License-Identifier: GPL-2.0
#include "ui/flame.h"

#include <stdio.h>

/* The role of a node's box. */
static enum theme_role box_role(const struct stack_node *n)
{
	if (n->kind != STACK_NODE_FRAME)
		return THEME_HEADER_VALUE;
	if (n->frame_kind == STACK_FRAME_KERNEL)
		return THEME_KERNEL_FRAME;
	return n->frame_kind == STACK_FRAME_USER ? THEME_USER_FRAME : THEME_UNKNOWN_FRAME;
}

/* Draw node's box on level (0 = bottom) in columns [x, x + w), then its children above. */
static void draw_node(const struct stack_tree *t, uint32_t node, uint32_t selected,
		      struct canvas *cv, int bottom, int height, int level, int x, int w)
{
	const struct stack_node *n = &t->nodes[node];
	enum theme_role role = node == selected ? THEME_SELECTION : box_role(n);
	char name[512];
	uint64_t done = 0;

	if (level >= height || w < 1)
		return;
	snprintf(name, sizeof(name), "%s%s", n->name,
		 n->kind == STACK_NODE_FRAME && n->frame_kind == STACK_FRAME_KERNEL ? "_[k]" : "");
	canvas_put(cv, bottom - level, x, THEME_DIM, canvas_glyph(cv, "vbar"));
	if (w > 1)
		canvas_put_fit(cv, bottom - level, x + 1, w - 1, role, name);
	canvas_set_role(cv, bottom - level, x + 1, w - 1, role);
	/* children left to right, largest first, each as wide as its share */
	for (uint32_t c = n->first_child; c != STACK_TREE_NONE; c = t->nodes[c].next_sibling) {
		int cx = x + (int)((double)w * (double)done / (double)n->total);
		int cw;

		done += t->nodes[c].total;
		cw = x + (int)((double)w * (double)done / (double)n->total) - cx;
		draw_node(t, c, selected, cv, bottom, height, level + 1, cx, cw);
	}
}

void flame_draw(const struct stack_tree *t, uint32_t root, uint32_t selected, struct canvas *cv,
		int row, int height)
{
	if (!t || root >= t->nnodes || !t->nodes[root].total || height < 1)
		return;
	draw_node(t, root, selected, cv, row + height - 1, height, 0, 0, cv->width);
}
