/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The settings file, $XDG_CONFIG_HOME/ktop/ktoprc: documented key=value lines read at start
 * (the command line overrides them), changed on the setup screen, written back atomically.
 * One table of keys drives the parser, the writer and the setup screen's rows.
 */
#ifndef KTOP_SETTINGS_H
#define KTOP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/filter.h"

#define SETTINGS_MAX_SORTS 8 /* tables whose sort column is kept */
#define SETTINGS_MAX_TABLES 8 /* tables whose columns are kept */
#define SETTINGS_COLUMNS_MAX 256

struct options;

/* A table's sort: its column's name ("" for the table's default) and its direction. */
struct settings_sort {
	char table[16];  /* the panel's name: "overview" */
	char column[16]; /* "busy", "io", ... */
	bool reverse;    /* smallest first */
};

/* A table's shown columns, in order, as the file names them: "pid,user,cpu". */
struct settings_columns {
	char table[16];
	char list[SETTINGS_COLUMNS_MAX];
};

struct settings {
	char panel[16];          /* the panel shown at start */
	double delay_s;          /* refresh interval */
	char theme[64];          /* a theme name or file; "" the default (mono with NO_COLOR) */
	enum ktop_unwind unwind; /* how user stacks are walked */
	uint64_t ustack_kib;     /* DWARF: user stack copied per stack */
	uint64_t slow_ms;        /* slow queries threshold */
	uint64_t slow_io_us;     /* block I/O: latency counted as slow */
	bool kthreads;           /* kernel threads shown (Overview) and counted (Off-CPU) */
	bool tree_invert;        /* stack trees: innermost frames first */
	bool tree_threads;       /* stack trees: one node per thread */
	bool mouse;              /* mouse clicks and wheel */
	struct settings_sort sort[SETTINGS_MAX_SORTS];
	size_t nsort;
	struct settings_columns columns[SETTINGS_MAX_TABLES];
	size_t ncolumns;
};

/* The rows of the setup screen, in the file's order (the sorts are not among them). */
enum settings_item {
	SETTINGS_PANEL,
	SETTINGS_DELAY,
	SETTINGS_THEME,
	SETTINGS_UNWIND,
	SETTINGS_USTACK,
	SETTINGS_SLOW_QUERY,
	SETTINGS_SLOW_IO,
	SETTINGS_KTHREADS,
	SETTINGS_TREE_INVERT,
	SETTINGS_TREE_THREADS,
	SETTINGS_MOUSE,
	SETTINGS_NITEMS,
};

/* Fill s with ktop's defaults (those of the command line). */
void settings_defaults(struct settings *s);
/*
 * The settings file's path into buf: $XDG_CONFIG_HOME/ktop/ktoprc when that is an absolute
 * path, else $HOME/.config/ktop/ktoprc. 0, or -ENOENT with why when neither is set.
 */
int settings_path(char *buf, size_t len, char *why, size_t why_len);
/*
 * Read the file at path over s: each good line applies; each bad one (unknown key, bad value,
 * no '=') adds "path:line: reason\n" to warn (cut at warn_len) and is skipped. Returns the
 * number of bad lines, 0 when the file does not exist, or -errno with why when it cannot be
 * read (a symlink is refused: ktop runs as root).
 */
int settings_load(struct settings *s, const char *path, char *warn, size_t warn_len, char *why,
		  size_t why_len);
/* Parse one "key=value" line's parts into s; 0, or -EINVAL with why. */
int settings_set(struct settings *s, const char *key, const char *value, char *why,
		 size_t why_len);
/*
 * Write s to path atomically: the directories made (0700), a temp file in path's directory
 * (mode 0600), fsync, rename over path. A symlink at path is refused. 0, or -errno with why.
 */
int settings_save(const struct settings *s, const char *path, char *why, size_t why_len);
/* Write s as the file's text (comments and key=value lines). */
int settings_write(const struct settings *s, FILE *out);
/*
 * Put s where the command line would: o's values before argv is parsed over them (o borrows
 * s's strings, so s must outlive it).
 */
void settings_to_options(const struct settings *s, struct options *o);
/*
 * Keep only the tables' columns and sorts of s, every other setting back to its default: what
 * batch mode takes from the file (the text's tables look as on the screen, the data and the
 * panel printed do not depend on the file).
 */
void settings_tables_only(struct settings *s);
/* Whether a and b hold the same settings. */
bool settings_equal(const struct settings *a, const struct settings *b);

/* The sort kept for table, or NULL. */
const struct settings_sort *settings_sort_find(const struct settings *s, const char *table);
/* Keep table's sort (added when new; -ENOSPC when the table is full). */
int settings_sort_put(struct settings *s, const char *table, const char *column, bool reverse);

/* The columns kept for table ("pid,user,cpu"), or NULL. */
const char *settings_columns_find(const struct settings *s, const char *table);
/* Keep table's columns (added when new; -ENOSPC when full, -EINVAL when too long). */
int settings_columns_put(struct settings *s, const char *table, const char *list);

/* The setup screen's view of item i: its label, its value as text, a line of help. */
const char *settings_item_label(enum settings_item i);
/* The file's key of item i: "delay". */
const char *settings_item_key(enum settings_item i);
/* Whether item i is typed at a prompt (Enter on its row): a number or a theme. */
bool settings_item_is_typed(enum settings_item i);
const char *settings_item_help(enum settings_item i);
void settings_item_value(const struct settings *s, enum settings_item i, char *buf, size_t len);
/* Change item i to its next (dir > 0) or previous value. */
void settings_item_step(struct settings *s, enum settings_item i, int dir);

#endif
