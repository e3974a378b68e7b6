/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Overview model in binary, as a recording's model section holds it: a version, the
 * interval's system figures, every thread row and the cgroup groups read while grouped, so a
 * replay redraws the live Overview (sorted, by thread, grouped, searched). The process rows
 * are not written: the reader adds each process's threads up as the collector does.
 *
 *   varint version (SCHED_CODEC_VERSION), varint flags (1: PID filtered), f64 interval_s,
 *   varint polls,
 *   system: varint ncpus, then each f64 user, system, irq, steal; f64 load[3];
 *     varint mem_total_kb, mem_avail_kb, swap_total_kb, swap_free_kb; hist runq; psi;
 *     varint ndisks, then each field name, f64 util, iops, avg_ms; varint switches_repaired
 *   varint nthreads, then each row
 *   row: varint pid, tid, uid, threads, u8 state, varint flags (1: kthread, 2: ktop itself),
 *     field user, comm, cgroup, varint ns of each class (SCHED_NCLASSES)
 *   varint ngroups, then each: field cgroup, varint flags (1: has_throttle, 2: v1),
 *     varint nr_throttled, throttled_us, psi
 *   psi: varint flags (1: cpu, 2: io, 4: memory), f64 cpu_some, io_some, io_full, mem_some,
 *     mem_full
 *
 * Fields and histograms as collectors/codec_fields.h writes them. A reader refuses a version
 * it does not know (the replay then shows the recorded text).
 */
#ifndef KTOP_SCHED_CODEC_H
#define KTOP_SCHED_CODEC_H

#include <stddef.h>

#include "collectors/model_codec.h"
#include "collectors/sched_model.h"

#define SCHED_CODEC_VERSION 1

/* Append the binary form of m to out. */
void sched_model_encode(const struct sched_model *m, struct codec_out *out);
/*
 * A model read from len bytes of data; free it with sched_model_free. 0, -EPROTO (a newer
 * version) or -EBADMSG, with why.
 */
int sched_model_decode(const void *data, size_t len, struct sched_model **out, char *why,
		       size_t why_len);

#endif
