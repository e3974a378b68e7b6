/* SPDX-License-Identifier: GPL-2.0 */
/* The Slow queries collector: MySQL/MariaDB and PostgreSQL queries over a threshold. */
#ifndef KTOP_SQL_H
#define KTOP_SQL_H

#include "collectors/collector.h"

extern const struct collector_ops sql_collector_ops;

#endif
