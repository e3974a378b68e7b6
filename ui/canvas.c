// SPDX-License-Identifier: GPL-2.0
#include "ui/canvas.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define CANVAS_STREAM_ROWS 512 /* rows a streamed canvas holds */

struct glyph {
	const char *name;
	const char *utf8;
	const char *ascii;
};

static const struct glyph glyphs[] = {
	{ "left", "\xe2\x97\x82", "<" },     /* ◂ */
	{ "right", "\xe2\x96\xb8", ">" },    /* ▸ */
	{ "down", "\xe2\x96\xbe", "v" },     /* ▾ */
	{ "bullet", "\xe2\x80\xa2", "*" },   /* • */
	{ "ellipsis", "\xe2\x80\xa6", "~" }, /* … */
	{ "hbar", "\xe2\x94\x80", "-" },     /* ─ */
	{ "vbar", "\xe2\x94\x82", "|" },     /* │ */
};

/* Decode one UTF-8 character from s; returns its length (1 for a bad byte, decoded as '?'). */
static int utf8_decode(const unsigned char *s, wchar_t *out)
{
	uint32_t c = s[0];
	int len, i;

	if (c < 0x80) {
		*out = (wchar_t)c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0 && c >= 0xc2) {
		len = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
	} else {
		*out = L'?';
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*out = L'?';
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*out = (wchar_t)c;
	return len;
}

/* Encode c as UTF-8 into buf (at least 4 bytes); returns the length. */
static int utf8_encode(wchar_t wc, char *buf)
{
	uint32_t c = (uint32_t)wc;

	if (c < 0x80) {
		buf[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		buf[0] = (char)(0xc0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		buf[0] = (char)(0xe0 | (c >> 12));
		buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (c >> 18));
	buf[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	buf[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	buf[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Columns a character takes: 2 for East Asian wide ones, else 1. */
static int char_width(wchar_t c)
{
	int w = c < 0x80 ? 1 : wcwidth(c);

	return w == 2 ? 2 : 1;
}

/* The cells of a held row. */
static struct canvas_cell *row_cells(const struct canvas *cv, int row)
{
	return cv->cells + (size_t)(row - cv->base) * (size_t)cv->width;
}

/* Write one row as a text line, with line (len bytes) for room. */
static void write_row(const struct canvas *cv, int row, FILE *out, char *line, size_t len)
{
	canvas_row_text(cv, row, line, len);
	fputs(line, out);
	fputc('\n', out);
}

/* Write a streamed canvas's oldest n held rows and drop them. */
static void stream_rows(struct canvas *cv, int n)
{
	size_t len = (size_t)cv->width * 4 + 1;
	char *line = xmalloc(len);
	int held = cv->rows - cv->base;

	if (n > held)
		n = held;
	for (int r = 0; r < n; r++)
		write_row(cv, cv->base + r, cv->out, line, len);
	free(line);
	memmove(cv->cells, row_cells(cv, cv->base + n),
		(size_t)(held - n) * (size_t)cv->width * sizeof(*cv->cells));
	cv->base += n;
}

/* Make sure rows up to row exist, blank; false when row is past max_rows (or written). */
static bool ensure_row(struct canvas *cv, int row)
{
	if (row < 0 || (cv->max_rows != CANVAS_UNLIMITED && row >= cv->max_rows))
		return false;
	if (row < cv->base) {
		cv->late_rows++;
		return false;
	}
	/* a streamed canvas holds CANVAS_STREAM_ROWS rows: the older half goes out first */
	while (cv->out && row - cv->base >= CANVAS_STREAM_ROWS) {
		if (cv->rows > cv->base) {
			stream_rows(cv, CANVAS_STREAM_ROWS / 2);
			continue;
		}
		fputc('\n', cv->out); /* none held: a row skipped over is blank */
		cv->base++;
		cv->rows++;
	}
	if (row - cv->base >= cv->cap_rows) {
		int cap = cv->cap_rows ? cv->cap_rows : 32;

		while (cap <= row - cv->base)
			cap *= 2;
		cv->cells = xreallocarray(cv->cells, (size_t)cap * (size_t)cv->width,
					  sizeof(*cv->cells));
		cv->cap_rows = cap;
	}
	while (cv->rows <= row) {
		struct canvas_cell *c = row_cells(cv, cv->rows);

		for (int i = 0; i < cv->width; i++) {
			c[i].ch = L' ';
			c[i].role = THEME_DEFAULT;
		}
		cv->rows++;
	}
	return true;
}

void canvas_init(struct canvas *cv, int width, int max_rows, bool utf8)
{
	memset(cv, 0, sizeof(*cv));
	cv->width = width > 0 ? width : 1;
	cv->max_rows = max_rows;
	cv->utf8 = utf8;
}

void canvas_free(struct canvas *cv)
{
	free(cv->cells);
	cv->cells = NULL;
	cv->rows = 0;
	cv->cap_rows = 0;
	cv->base = 0;
}

void canvas_reset(struct canvas *cv, int width, int max_rows)
{
	if (width < 1)
		width = 1;
	if (width != cv->width) {
		free(cv->cells);
		cv->cells = NULL;
		cv->cap_rows = 0;
		cv->width = width;
	}
	cv->rows = 0;
	cv->base = 0;
	cv->late_rows = 0;
	cv->max_rows = max_rows;
}

bool canvas_has_row(const struct canvas *cv, int row)
{
	return row >= 0 && (cv->max_rows == CANVAS_UNLIMITED || row < cv->max_rows);
}

/* Draw text from col, at most max_cols columns (and never past the edge); returns the columns. */
static int put_n(struct canvas *cv, int row, int col, int max_cols, enum theme_role role,
		 const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	int used = 0;

	if (!ensure_row(cv, row) || col < 0)
		return 0;
	if (max_cols > cv->width - col)
		max_cols = cv->width - col;
	while (*s) {
		struct canvas_cell *cell;
		wchar_t wc;
		int n = utf8_decode(s, &wc), w;

		if ((!cv->utf8 && wc >= 0x80) || wc < 0x20 || wc == 0x7f)
			wc = L'?';
		w = char_width(wc);
		if (used + w > max_cols)
			break;
		cell = row_cells(cv, row) + col + used;
		cell->ch = wc;
		cell->role = role;
		if (w == 2) {
			cell[1].ch = 0;
			cell[1].role = role;
		}
		used += w;
		s += n;
	}
	return used;
}

/* Columns the text takes when drawn. */
static int text_width(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	int w = 0;

	while (*s) {
		wchar_t wc;

		s += utf8_decode(s, &wc);
		w += char_width(wc);
	}
	return w;
}

int canvas_put(struct canvas *cv, int row, int col, enum theme_role role, const char *text)
{
	return put_n(cv, row, col, cv->width, role, text);
}

int canvas_put_fit(struct canvas *cv, int row, int col, int max_cols, enum theme_role role,
		   const char *text)
{
	int used;

	if (max_cols < 0 || max_cols > cv->width - col)
		max_cols = cv->width - col;
	if (max_cols <= 0)
		return 0;
	if (text_width(text) <= max_cols)
		return put_n(cv, row, col, max_cols, role, text);
	used = put_n(cv, row, col, max_cols - 1, role, text);
	return used + put_n(cv, row, col + used, 1, role, canvas_glyph(cv, "ellipsis"));
}

int canvas_printf(struct canvas *cv, int row, int col, enum theme_role role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return canvas_put(cv, row, col, role, buf);
}

void canvas_set_role(struct canvas *cv, int row, int col, int len, enum theme_role role)
{
	if (!ensure_row(cv, row) || col < 0 || col >= cv->width)
		return;
	if (len < 0 || col + len > cv->width)
		len = cv->width - col;
	for (int i = 0; i < len; i++)
		row_cells(cv, row)[col + i].role = role;
}

int canvas_bar(struct canvas *cv, int row, int col, int width, double fraction,
	       enum theme_role role)
{
	static const wchar_t eighths[] = {
		0, 0x258f, 0x258e, 0x258d, 0x258c, 0x258b, 0x258a, 0x2589
	};
	long units;
	int full, part, i;

	if (!ensure_row(cv, row) || width <= 0 || col < 0)
		return 0;
	if (fraction != fraction || fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	if (col + width > cv->width)
		width = cv->width - col;
	units = (long)(fraction * width * 8 + 0.5);
	if (!cv->utf8)
		units = (units + 4) / 8 * 8;
	full = (int)(units / 8);
	part = (int)(units % 8);
	for (i = 0; i < full && i < width; i++) {
		struct canvas_cell *cell = row_cells(cv, row) + col + i;

		cell->ch = cv->utf8 ? 0x2588 : L'#';
		cell->role = role;
	}
	if (part && i < width) {
		struct canvas_cell *cell = row_cells(cv, row) + col + i;

		cell->ch = eighths[part];
		cell->role = role;
		i++;
	}
	return i;
}

int canvas_sparkline(struct canvas *cv, int row, int col, const unsigned long long *values, int n,
		     enum theme_role role)
{
	static const char ascii[] = " _.:-=+*#";
	unsigned long long top = 0;
	int i;

	if (!ensure_row(cv, row) || col < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (values[i] > top)
			top = values[i];
	for (i = 0; i < n && col + i < cv->width; i++) {
		struct canvas_cell *cell = row_cells(cv, row) + col + i;
		/* 0 stays blank; anything else gets at least the lowest block */
		int level = !values[i] ? 0 : 1 + (int)(values[i] * 7 / (top ? top : 1));

		if (level > 8)
			level = 8;
		if (cv->utf8)
			cell->ch = level ? (wchar_t)(0x2580 + level) : L' '; /* ▁ to █ */
		else
			cell->ch = (wchar_t)ascii[level];
		cell->role = role;
	}
	return i;
}

void canvas_blit(struct canvas *cv, int row, int col, const struct canvas *src)
{
	for (int r = 0; r < src->rows - src->base; r++) {
		if (!ensure_row(cv, row + r))
			return;
		for (int c = 0; c < src->width && col + c < cv->width; c++)
			row_cells(cv, row + r)[col + c] = row_cells(src, src->base + r)[c];
	}
}

const char *canvas_glyph(const struct canvas *cv, const char *name)
{
	for (size_t i = 0; i < sizeof(glyphs) / sizeof(glyphs[0]); i++)
		if (!strcmp(glyphs[i].name, name))
			return cv->utf8 ? glyphs[i].utf8 : glyphs[i].ascii;
	return "?";
}

size_t canvas_row_text(const struct canvas *cv, int row, char *buf, size_t len)
{
	const struct canvas_cell *cells;
	size_t n = 0, keep = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (row < cv->base || row >= cv->rows)
		return 0;
	cells = row_cells(cv, row);
	for (int i = 0; i < cv->width; i++) {
		char enc[4];
		int el;

		if (!cells[i].ch)
			continue;
		el = utf8_encode(cells[i].ch, enc);
		if (n + el + 1 > len)
			break;
		memcpy(buf + n, enc, el);
		n += el;
		if (cells[i].ch != L' ')
			keep = n;
	}
	buf[keep] = '\0';
	return keep;
}

int canvas_write_text(const struct canvas *cv, FILE *out)
{
	size_t len = (size_t)cv->width * 4 + 1;
	char *line = xmalloc(len);

	for (int r = cv->base; r < cv->rows; r++)
		write_row(cv, r, out, line, len);
	free(line);
	return ferror(out) ? -EIO : 0;
}

void canvas_stream_init(struct canvas *cv, int width, FILE *out, bool utf8)
{
	canvas_init(cv, width, CANVAS_UNLIMITED, utf8);
	cv->out = out;
}

int canvas_stream_end(struct canvas *cv)
{
	int err = canvas_write_text(cv, cv->out);

	canvas_free(cv);
	return err;
}
