/* SPDX-License-Identifier: GPL-2.0 */
/* Snapshots written as text or JSON, to a stream or to a new file that follows no symlink. */
#ifndef KTOP_EXPORT_H
#define KTOP_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ui/panel.h"
#include "ui/statusbar.h"

enum export_format {
	EXPORT_TEXT,
	EXPORT_JSON,
	EXPORT_FOLDED,
	EXPORT_NONE, /* batch prints nothing (headless --listen) */
	EXPORT_PPROF,
};

/* "text", "json", "folded", "pprof" or "none" to the enum; -EINVAL when unknown. */
int export_format_parse(const char *s, enum export_format *out);
/* Write one snapshot of the panel: the header and the whole panel (text) or one JSON line. */
int export_snapshot(FILE *out, enum export_format fmt, struct panel *p,
		    const struct status_info *si, int width, bool utf8);
struct sym_cache;
/*
 * Write the panel's stacks as a gzip-compressed pprof profile: those shown (batch: the
 * interval's), or with cumulative those since the start; syms (borrowed, NULL: none) is the
 * cache that named them, for the mappings of user frames. 0 or -errno with why.
 */
int export_pprof(FILE *out, struct panel *p, bool cumulative, struct sym_cache *syms, char *why,
		 size_t why_len);
/*
 * Create path for writing: O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, refused when its directory
 * is a symlink; NULL with why (and errno) on failure.
 */
FILE *export_create(const char *path, char *why, size_t why_len);
/* 0 when path could be created (no file there, its directory no symlink), else -errno, why. */
int export_path_is_free(const char *path, char *why, size_t why_len);
/* Writes a whole file's content to f; 0 or -errno, with why when it has more to say. */
typedef int (*export_write_fn)(FILE *f, void *arg, char *why, size_t why_len);
/*
 * Write a file whole, then give it its name: write() fills an unnamed file (O_TMPFILE, mode
 * 0600) in path's directory, and only a complete, synced file is linked to path, never over
 * one that exists. A full disk leaves nothing under the name. 0 or -errno with why.
 */
int export_write_whole(const char *path, export_write_fn write, void *arg, char *why,
		       size_t why_len);
/*
 * Save the panel to DIR/ktop-YYYYmmdd-HHMMSS.txt (.folded, .json, .pb.gz by format; DIR:
 * $KTOP_EXPORT_DIR or "."; a -N suffix when the name is taken), pprof with the mappings
 * found through syms (NULL: none). The path written goes to path; 0 or -errno with why.
 */
int export_save(struct panel *p, enum export_format fmt, const struct status_info *si, int width,
		bool utf8, struct sym_cache *syms, char *path, size_t path_len, char *why,
		size_t why_len);

#endif
