/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --trigger COND: the conditions of the flight recorder. psi:cpu>P, psi:io>P, psi:memory>P
 * (some pressure over P% of time: a kernel poll trigger on /proc/pressure where it is
 * accepted, else avg10 read each interval), query>MS (a slow query over MS), bio_p99>MS (a
 * disk's block I/O p99 over MS in an interval).
 */
#ifndef KTOP_TRIGGER_H
#define KTOP_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sql_model;
struct bio_model;

#define TRIGGER_MAX 8
/* the kernel trigger's window: 2 s (without CAP_SYS_RESOURCE it must be a multiple of 2 s) */
#define TRIGGER_PSI_WINDOW_US 2000000

enum trigger_kind {
	TRIGGER_PSI_CPU,
	TRIGGER_PSI_IO,
	TRIGGER_PSI_MEMORY,
	TRIGGER_QUERY,
	TRIGGER_BIO_P99,
};

struct trigger_spec {
	enum trigger_kind kind;
	double value;     /* percent (psi) or milliseconds */
	const char *text; /* as given, for messages */
};

/* What a trigger looks at this interval (NULL where the panel is not running). */
struct trigger_inputs {
	const struct sql_model *sql;
	const struct bio_model *bio;
};

/* A trigger at run time: its spec and what it has seen. */
struct trigger {
	struct trigger_spec spec;
	int psi_fd;         /* the kernel's poll trigger, -1: the avg10 fallback (or not psi) */
	uint64_t sql_seq;   /* the last query looked at (queries are numbered from 1) */
};

/* Parse a condition ("query>300", "psi:io>20"); 0 or -EINVAL with why. */
int trigger_parse(const char *s, struct trigger_spec *t, char *why, size_t why_len);
/* The panel a condition reads ("sql", "bio"), or NULL (pressure is read from /proc). */
const char *trigger_panel(const struct trigger_spec *t);
/*
 * Start a trigger: for pressure, the kernel's poll trigger ("some STALL WINDOW" written to
 * /proc/pressure/RES), else the avg10 fallback, said in how. 0, or -errno with why when the
 * pressure file cannot be read at all.
 */
int trigger_start(struct trigger *tr, const struct trigger_spec *spec, char *how, size_t how_len,
		  char *why, size_t why_len);
void trigger_stop(struct trigger *tr);
/* Whether the condition held this interval; what it saw goes to what (one line). */
bool trigger_check(struct trigger *tr, const struct trigger_inputs *in, char *what,
		   size_t what_len);
/* "some avg10=1.23 ..." (a /proc/pressure file's text) to its some avg10; 0 or -EINVAL. */
int trigger_psi_avg10(const char *text, double *avg10);

#endif
