/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A replay's Slow queries model over a range of recorded intervals, from their decoded models
 * (collectors/sql_codec.h, each holding its interval's queries): the model of the range's last
 * interval takes the queries of the earlier ones, oldest first, bounded as the live list, and
 * its digest since start becomes the range's (less the digest of the interval before it).
 */
#ifndef KTOP_SQL_RANGE_H
#define KTOP_SQL_RANGE_H

#include "collectors/sql_model.h"

/*
 * Move src's queries after dst's (they are newer), each pointing at dst's digest of its
 * fingerprint (NULL when dst has none); the oldest beyond dst's list bound are counted in
 * dst->unlisted. src is left without queries.
 */
void sql_range_take(struct sql_model *dst, struct sql_model *src);
/*
 * Make m's digest that of the queries after the model before (a reading of the same digest at
 * the interval before the range; NULL: m's digest is the range's as it is): counts, times,
 * latencies and waits less before's, the rows left empty dropped, each row's largest latency
 * the one seen in the range. Its interval_from becomes before's count seen.
 */
void sql_range_digest_since(struct sql_model *m, const struct sql_model *before);

#endif
