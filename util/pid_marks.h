/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A set of PIDs that may have something kept for them: one bit per PID modulo 4096, so a
 * "no" is sure and a "maybe" costs the search it saves otherwise. Forgetting what an exec or
 * an exit made stale is then nearly free for the many processes nothing was kept for.
 */
#ifndef KTOP_PID_MARKS_H
#define KTOP_PID_MARKS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define PID_MARKS_BITS 4096

struct pid_marks {
	uint64_t w[PID_MARKS_BITS / 64];
};

static inline void pid_marks_add(struct pid_marks *m, uint32_t pid)
{
	uint32_t b = pid % PID_MARKS_BITS;

	m->w[b / 64] |= 1ull << (b % 64);
}

/* Whether something may be kept for pid (false: surely nothing). */
static inline bool pid_marks_may(const struct pid_marks *m, uint32_t pid)
{
	uint32_t b = pid % PID_MARKS_BITS;

	return m->w[b / 64] >> (b % 64) & 1;
}

static inline void pid_marks_clear(struct pid_marks *m)
{
	memset(m, 0, sizeof(*m));
}

#endif
