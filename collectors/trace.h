/* SPDX-License-Identifier: GPL-2.0 */
/* The Trace collector: user probes (uprobe, uretprobe, USDT, tracepoint) and VFS rates. */
#ifndef KTOP_TRACE_H
#define KTOP_TRACE_H

#include "collectors/collector.h"

extern const struct collector_ops trace_collector_ops;

#endif
