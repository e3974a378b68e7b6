// SPDX-License-Identifier: GPL-2.0
/* A table's shown columns, their places on a row, their titles and the sort. */
#include "ui/table.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void table_init(struct table *t, const struct table_def *def, int sort)
{
	memset(t, 0, sizeof(*t));
	t->def = def;
	if (def->order) {
		for (size_t i = 0; i < def->norder && t->n < TABLE_MAX_COLS; i++)
			t->col[t->n++] = def->order[i];
	} else {
		for (size_t i = 0; i < def->ncols && t->n < TABLE_MAX_COLS; i++)
			t->col[t->n++] = (unsigned char)i;
	}
	t->sort = sort;
}

int table_col_find(const struct table_def *def, const char *name)
{
	for (size_t i = 0; i < def->ncols; i++)
		if (!strcmp(def->cols[i].name, name))
			return (int)i;
	return -1;
}

int table_parse(struct table *t, const char *text, char *why, size_t why_len)
{
	unsigned char col[TABLE_MAX_COLS];
	char buf[TABLE_TEXT_MAX], *save = NULL;
	size_t n = 0;

	if (strlen(text) >= sizeof(buf)) {
		snprintf(why, why_len, "the list of columns is too long");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *name = strtok_r(buf, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
		int c = table_col_find(t->def, name);

		if (c < 0) {
			snprintf(why, why_len, "%s has no column '%.32s'", t->def->name, name);
			return -EINVAL;
		}
		for (size_t i = 0; i < n; i++) {
			if (col[i] == c) {
				snprintf(why, why_len, "column '%s' is listed twice", name);
				return -EINVAL;
			}
		}
		if (n == TABLE_MAX_COLS)
			break;
		col[n++] = (unsigned char)c;
	}
	if (!n) {
		snprintf(why, why_len, "%s: no column to show", t->def->name);
		return -EINVAL;
	}
	memcpy(t->col, col, n);
	t->n = n;
	return 0;
}

void table_text(const struct table *t, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (size_t k = 0; k < t->n && used < len; k++) {
		int w = snprintf(buf + used, len - used, "%s%s", k ? "," : "",
				 t->def->cols[t->col[k]].name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int table_pos(const struct table *t, int col)
{
	for (size_t k = 0; k < t->n; k++)
		if (t->col[k] == col)
			return (int)k;
	return -1;
}

bool table_shows(const struct table *t, int col)
{
	return table_pos(t, col) >= 0;
}

void table_toggle(struct table *t, int col)
{
	int k = table_pos(t, col);
	size_t at;

	if (col < 0 || (size_t)col >= t->def->ncols)
		return;
	if (k >= 0) {
		if (t->n == 1)
			return;
		memmove(&t->col[k], &t->col[k + 1], t->n - (size_t)k - 1);
		t->n--;
		return;
	}
	if (t->n == TABLE_MAX_COLS)
		return;
	/* a column that takes the rest of the row stays last */
	at = t->n && t->def->cols[t->col[t->n - 1]].rest && !t->def->cols[col].rest ? t->n - 1
										    : t->n;
	memmove(&t->col[at + 1], &t->col[at], t->n - at);
	t->col[at] = (unsigned char)col;
	t->n++;
}

void table_move(struct table *t, size_t k, int dir)
{
	size_t to;
	unsigned char c;

	if (k >= t->n || (dir < 0 && k == 0) || (dir > 0 && k + 1 >= t->n))
		return;
	to = dir < 0 ? k - 1 : k + 1;
	c = t->col[k];
	t->col[k] = t->col[to];
	t->col[to] = c;
}

int table_place(struct table *t, int x0, int width)
{
	int x = x0;

	for (size_t k = 0; k < t->n; k++) {
		const struct table_col *c = &t->def->cols[t->col[k]];

		t->x[k] = x;
		t->w[k] = c->width;
		if (k + 1 == t->n && c->rest && width - x > c->width)
			t->w[k] = width - x - 1;
		x += t->w[k] + 1;
	}
	return x;
}

/* The sort mark of column col: v largest first, ^ smallest first; "" when not sorted by. */
static const char *sort_mark(const struct table *t, int col)
{
	if (col != t->sort || t->unmarked)
		return "";
	return t->def->cols[col].ascending != t->reverse ? "^" : "v";
}

void table_draw_titles(const struct table *t, struct canvas *cv, int row, enum theme_role role)
{
	for (size_t k = 0; k < t->n; k++) {
		const struct table_col *c = &t->def->cols[t->col[k]];
		char title[40];
		int len;

		len = snprintf(title, sizeof(title), "%s%s", sort_mark(t, t->col[k]), c->title);
		if (c->left || len > t->w[k] + 1)
			canvas_put_fit(cv, row, t->x[k], t->w[k], role, title);
		else if (len > t->w[k]) /* the mark takes the space before the title */
			canvas_put(cv, row, t->x[k] - 1, role, title);
		else
			canvas_put(cv, row, t->x[k] + t->w[k] - len, role, title);
	}
	canvas_set_role(cv, row, 0, -1, role);
}

void table_cell(const struct table *t, struct canvas *cv, int row, size_t k, enum theme_role role,
		const char *text)
{
	int len = (int)strlen(text);

	if (k >= t->n)
		return;
	if (t->def->cols[t->col[k]].left || len >= t->w[k])
		canvas_put_fit(cv, row, t->x[k], t->w[k], role, text);
	else
		canvas_put(cv, row, t->x[k] + t->w[k] - len, role, text);
}

int table_col_at(const struct table *t, int x)
{
	for (size_t k = 0; k < t->n; k++) {
		/* the space before a column is its title's too (the sort mark may be there) */
		if (x >= t->x[k] - 1 && x < t->x[k] + t->w[k])
			return t->col[k];
	}
	return -1;
}

void table_sort_click(struct table *t, int col)
{
	if (col < 0 || (size_t)col >= t->def->ncols || t->def->cols[col].nosort)
		return;
	if (col == t->sort) {
		t->reverse = !t->reverse;
		return;
	}
	t->sort = col;
	t->reverse = false;
}

void table_sort_next(struct table *t, int dir)
{
	size_t n = t->def->ncols;
	/* no sort yet (-1): the first column is next, the last previous */
	size_t from = t->sort >= 0 ? (size_t)t->sort : dir < 0 ? 0 : n - 1;

	for (size_t i = 1; i <= n; i++) {
		int c = (int)((from + (dir < 0 ? n - i : i)) % n);

		if (table_shows(t, c) && !t->def->cols[c].nosort) {
			t->sort = c;
			return;
		}
	}
}
