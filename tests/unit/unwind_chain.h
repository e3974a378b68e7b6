/* SPDX-License-Identifier: GPL-2.0 */
/* A call chain without frame pointers: chain_outer -> chain_middle -> chain_inner -> leaf. */
#ifndef KTOP_TESTS_UNWIND_CHAIN_H
#define KTOP_TESTS_UNWIND_CHAIN_H

int chain_inner(int (*leaf)(void *), void *arg);
int chain_middle(int (*leaf)(void *), void *arg);
int chain_outer(int (*leaf)(void *), void *arg);

#endif
