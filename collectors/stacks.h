/* SPDX-License-Identifier: GPL-2.0 */
/* The Stacks collector: on-CPU samples of one process and its threads into struct stacks_model. */
#ifndef KTOP_STACKS_H
#define KTOP_STACKS_H

#include "collectors/collector.h"

extern const struct collector_ops stacks_collector_ops;

#endif
