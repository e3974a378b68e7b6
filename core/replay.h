/* SPDX-License-Identifier: GPL-2.0 */
/* -r FILE -b: print a recording's intervals as live batch mode printed them; no BPF, no root. */
#ifndef KTOP_REPLAY_H
#define KTOP_REPLAY_H

#include "core/options.h"

/* Print the recorded intervals of o->read; returns the exit code (messages on stderr). */
int replay_run_batch(const struct options *o);

#endif
