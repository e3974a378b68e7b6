/* SPDX-License-Identifier: GPL-2.0 */
/* The Block I/O collector: block_rq_* tracepoints into struct bio_model. */
#ifndef KTOP_BIO_H
#define KTOP_BIO_H

#include "collectors/collector.h"

extern const struct collector_ops bio_collector_ops;

#endif
