/* SPDX-License-Identifier: GPL-2.0 */
/* The unit whose function tests/bpf/lto_main.c inlines at link time. */
#ifndef KTOP_TESTS_LTO_WAIT_H
#define KTOP_TESTS_LTO_WAIT_H

void lto_nap(void);
void wait_a_little(void);

#endif
