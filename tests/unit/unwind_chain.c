// SPDX-License-Identifier: GPL-2.0
/*
 * A chain of calls built without frame pointers (-O2 -fomit-frame-pointer, see Makefile.am)
 * for tests/unit/test_unwind: only DWARF call frame information can walk it.
 */
#include "tests/unit/unwind_chain.h"

/* Each adds one after its call, so none of the calls can become a jump. */
__attribute__((noinline, noclone)) int chain_inner(int (*leaf)(void *), void *arg)
{
	return leaf(arg) + 1;
}

__attribute__((noinline, noclone)) int chain_middle(int (*leaf)(void *), void *arg)
{
	return chain_inner(leaf, arg) + 1;
}

__attribute__((noinline, noclone)) int chain_outer(int (*leaf)(void *), void *arg)
{
	return chain_middle(leaf, arg) + 1;
}
