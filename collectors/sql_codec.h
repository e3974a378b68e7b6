/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Slow queries model in binary, as a recording's model section holds it: its figures, the
 * servers, the digest since start (as the live panel has it) and the interval's queries only
 * (those numbered above interval_from); a replay puts the queries of a range back together.
 *
 *   varint version (SQL_CODEC_VERSION), threshold_ms, text_limit, list_max, seen,
 *     interval_from, unlisted, lost, waits_repaired, stacks_not_copied, polls,
 *   SQL_HISTORY_S varints per_second, two str rules_warning,
 *   varint nservers, then each: varint pid, u8 kind, str exe, how, why, u8 traced
 *   varint ndigests, then each: str fingerprint, u8 kind, varint count, total_us, max_us,
 *     f64 last_seen, varint nslots, then each: u8 slot, varint count; varint lat_us.sum,
 *     varint waits_count, waits
 *   varint nqueries, then each: f64 time, f64 start, varint pid, tid, u8 kind, varint
 *     latency_us, str text, u8 flags (1: truncated, 2: prepared), varint its digest + 1
 *     (0: none), varint server_pid, seq, str database, str user, waits, a stack set
 *     (collectors/stack_codec.h), then per sample: u8 class, u8 kernel class, u8 dwarf,
 *     str rule ("": none)
 *   waits: varint nclasses, then each ns; varint switches, io_count, io_bytes
 *
 * Text that is not clean UTF-8 comes back escaped as live text is. A reader refuses a version
 * it does not know (the replay then shows the recorded text).
 */
#ifndef KTOP_SQL_CODEC_H
#define KTOP_SQL_CODEC_H

#include <stddef.h>

#include "collectors/model_codec.h"
#include "collectors/sql_model.h"
#include "collectors/stack_codec.h"

#define SQL_CODEC_VERSION 1

/* Append the binary form of m (its interval's queries) to out. */
void sql_model_encode(struct stack_codec *c, const struct sql_model *m, struct codec_out *out);
/*
 * A model read from len bytes of data (its queries those of the interval); free it with
 * sql_model_free. 0, -EPROTO (a newer version) or -EBADMSG, with why.
 */
int sql_model_decode(const void *data, size_t len, struct sql_model **out, char *why,
		     size_t why_len);

#endif
