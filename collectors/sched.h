/* SPDX-License-Identifier: GPL-2.0 */
/* The sched collector: each thread's time by class and run-queue latency, for the Overview. */
#ifndef KTOP_SCHED_H
#define KTOP_SCHED_H

#include "collectors/collector.h"

extern const struct collector_ops sched_collector_ops;

#endif
