/* SPDX-License-Identifier: GPL-2.0 */
/* What this kernel and this process can do, found once at start. */
#ifndef KTOP_FEATURES_H
#define KTOP_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

struct features {
	bool privileged;   /* root, or CAP_BPF and CAP_PERFMON */
	bool has_btf;      /* /sys/kernel/btf/vmlinux */
	bool has_ringbuf;  /* BPF_MAP_TYPE_RINGBUF */
	unsigned int uid;
};

/* Probe everything; never fails (what is missing is recorded). */
void features_probe(struct features *f);
/* "needs root or CAP_BPF+CAP_PERFMON (running as uid N)" when not privileged. */
bool features_check_privilege(const struct features *f, char *why, size_t why_len);
/* A few lines for the help screen: what was found. */
void features_describe(const struct features *f, char *buf, size_t len);

#endif
