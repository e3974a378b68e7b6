/* SPDX-License-Identifier: GPL-2.0 */
/* The Off-CPU collector: sched_switch into struct offcpu_model, stacks symbolized. */
#ifndef KTOP_OFFCPU_H
#define KTOP_OFFCPU_H

#include "collectors/collector.h"

extern const struct collector_ops offcpu_collector_ops;

#endif
