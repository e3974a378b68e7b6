/* SPDX-License-Identifier: GPL-2.0 */
/* A flame graph in text: the subtree of a node as an icicle, widest (the root) at the bottom. */
#ifndef KTOP_FLAME_H
#define KTOP_FLAME_H

#include <stdint.h>

#include "collectors/stack_tree.h"
#include "ui/canvas.h"

/*
 * Draw the subtree of root in rows [row, row + height): each node a box whose width is its
 * share of root's total, its name cut to fit; the root on the last row, callees above.
 * selected is drawn highlighted when it is in the picture.
 */
void flame_draw(const struct stack_tree *t, uint32_t root, uint32_t selected, struct canvas *cv,
		int row, int height);

#endif
