/* SPDX-License-Identifier: GPL-2.0 */
/* A grid of characters with theme roles: panels draw into it, the screen and exports read it. */
#ifndef KTOP_CANVAS_H
#define KTOP_CANVAS_H

#include <stdbool.h>
#include <stdio.h>
#include <wchar.h>

#include "themes/theme.h"

#define CANVAS_UNLIMITED (-1)

/* One screen cell; ch == 0 marks the right half of a double-width character. */
struct canvas_cell {
	wchar_t ch;
	unsigned char role;
};

struct canvas {
	int width;
	int max_rows;		   /* CANVAS_UNLIMITED for exports */
	int rows;		   /* rows drawn so far (the highest touched row + 1) */
	int cap_rows;		   /* rows allocated */
	bool utf8;		   /* UTF-8 glyphs (bars, arrows) or their ASCII fallbacks */
	struct canvas_cell *cells; /* rows base.. */
	/* a streamed canvas: rows far enough above the newest are written to out and dropped */
	FILE *out;
	int base;      /* the first row still held (0 unless streamed) */
	int late_rows; /* draws to rows already written (lost: a panel drawing upwards) */
};

/* An empty canvas of this width; max_rows rows at most or CANVAS_UNLIMITED. */
void canvas_init(struct canvas *cv, int width, int max_rows, bool utf8);
void canvas_free(struct canvas *cv);
/*
 * An unlimited canvas whose rows go to out as text once the drawing is well past them, so an
 * export of any length holds a few hundred rows; canvas_stream_end writes the rest.
 */
void canvas_stream_init(struct canvas *cv, int width, FILE *out, bool utf8);
/* Write the rows not yet written and free the canvas; 0 or -errno. */
int canvas_stream_end(struct canvas *cv);
/* Forget what was drawn, keep the allocation; the width may change. */
void canvas_reset(struct canvas *cv, int width, int max_rows);
/* Whether a row can still be drawn. */
bool canvas_has_row(const struct canvas *cv, int row);
/* Draw UTF-8 text at row, col, clipped at the right edge; returns the columns used. */
int canvas_put(struct canvas *cv, int row, int col, enum theme_role role, const char *text);
/* Like canvas_put, at most max_cols columns; longer text ends with an ellipsis. */
int canvas_put_fit(struct canvas *cv, int row, int col, int max_cols, enum theme_role role,
		   const char *text);
int canvas_printf(struct canvas *cv, int row, int col, enum theme_role role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Give len cells from col the role (len < 0: to the end of the row). */
void canvas_set_role(struct canvas *cv, int row, int col, int len, enum theme_role role);
/* A horizontal bar of width * fraction cells, in eighths where UTF-8 allows. */
int canvas_bar(struct canvas *cv, int row, int col, int width, double fraction,
	       enum theme_role role);
/* A sparkline of n values scaled to the largest, one cell each; returns the columns used. */
int canvas_sparkline(struct canvas *cv, int row, int col, const unsigned long long *values, int n,
		     enum theme_role role);
/* Copy src into cv with its top left corner at row, col. */
void canvas_blit(struct canvas *cv, int row, int col, const struct canvas *src);
/* The glyph for name ("left", "right", "bullet", "ellipsis", "hbar") in UTF-8 or ASCII. */
const char *canvas_glyph(const struct canvas *cv, const char *name);
/* Write the drawn rows as text without trailing blanks; 0 or -errno. */
int canvas_write_text(const struct canvas *cv, FILE *out);
/* One row as UTF-8 text (trailing blanks trimmed) into buf; returns its length. */
size_t canvas_row_text(const struct canvas *cv, int row, char *buf, size_t len);

#endif
