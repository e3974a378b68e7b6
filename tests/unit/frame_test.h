/* SPDX-License-Identifier: GPL-2.0 */
/* Frame initializers the stack tests write their stacks with: U("name") user, K("name") kernel. */
#ifndef KTOP_TEST_FRAME_TEST_H
#define KTOP_TEST_FRAME_TEST_H

#include "collectors/stack.h"

#define U(n) { .name = n, .kind = STACK_FRAME_USER }
#define K(n) { .name = n, .kind = STACK_FRAME_KERNEL }

#endif
