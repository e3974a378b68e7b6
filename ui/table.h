/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A table's columns: which are shown and in what order (the settings' columns.TABLE), where
 * each was drawn, and which one the table is sorted by. Panels draw the cells; this places
 * them, draws the titles with the sort mark and maps a click on a title back to its column.
 */
#ifndef KTOP_TABLE_H
#define KTOP_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/canvas.h"

#define TABLE_MAX_COLS 24
#define TABLE_TEXT_MAX 256 /* a layout as text: "pid,user,cpu" */

/* One column: its name in the settings, its title, how wide its cells are. */
struct table_col {
	const char *name;  /* "pid" */
	const char *title; /* "PID" */
	int width;	/* cells (the sort mark may take the space before a right-aligned title) */
	bool left;	/* text, left-aligned; else a figure, right-aligned */
	bool ascending; /* sorted smallest first (ids, names), unless reversed */
	bool rest;	/* when shown last, it takes the rest of the row (a command, a query) */
	bool nosort;	/* not a sort of its own (a bar of other columns) */
};

/* A kind of table: its columns, indexed by the panel's column enum (also its sort index). */
struct table_def {
	const char *name;  /* in the settings: "overview", "bio_procs" */
	const char *title; /* on the setup screen: "Overview: processes" */
	const struct table_col *cols;
	size_t ncols;
	const unsigned char *order; /* the columns shown by default, in order; NULL: all */
	size_t norder;
};

/* A panel's table: its shown columns, where they were placed, its sort. */
struct table {
	const struct table_def *def;
	unsigned char col[TABLE_MAX_COLS]; /* the shown columns, in order */
	size_t n;
	int x[TABLE_MAX_COLS]; /* where each shown column was last placed, and how wide */
	int w[TABLE_MAX_COLS];
	int sort;     /* the column sorted by (an index into def->cols) */
	bool reverse; /* the other way */
	bool unmarked; /* the titles carry no sort mark: the table says its order in words */
};

/* Set t to def's default columns, sorted by column sort. */
void table_init(struct table *t, const struct table_def *def, int sort);
/* The column of def called name, or -1. */
int table_col_find(const struct table_def *def, const char *name);
/*
 * Parse "name,name,..." (the shown columns in order) into t's columns; 0, or -EINVAL with why
 * (an unknown or repeated name, none at all) and t unchanged.
 */
int table_parse(struct table *t, const char *text, char *why, size_t why_len);
/* t's shown columns as the settings write them: "pid,user,cpu". */
void table_text(const struct table *t, char *buf, size_t len);
/* Whether t shows column col. */
bool table_shows(const struct table *t, int col);
/* The position of column col among the shown ones, or -1. */
int table_pos(const struct table *t, int col);
/* Show column col (at the end, before a shown rest column) or hide it (never the last one). */
void table_toggle(struct table *t, int col);
/* Move the shown column at position k one place left (dir < 0) or right. */
void table_move(struct table *t, size_t k, int dir);
/* Place the shown columns from x0 on a row of width cells; returns where the last ends. */
int table_place(struct table *t, int x0, int width);
/* The titles on row, the sorted one marked (v: largest first, ^: smallest first). */
void table_draw_titles(const struct table *t, struct canvas *cv, int row, enum theme_role role);
/* Draw text in the cell of the shown column at position k, aligned and cut to fit. */
void table_cell(const struct table *t, struct canvas *cv, int row, size_t k, enum theme_role role,
		const char *text);
/* The column (index into def->cols) placed under screen column x, or -1. */
int table_col_at(const struct table *t, int x);
/* Sort by column col; the column already sorted by: the other way. */
void table_sort_click(struct table *t, int col);
/* Sort by the next (dir > 0, F6, >) or previous shown column in def's order. */
void table_sort_next(struct table *t, int dir);

#endif
