// SPDX-License-Identifier: GPL-2.0
/* The settings file: one table of keys, a line parser over util/parse, the text it writes. */
#include "core/settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/options.h"
#include "core/registry.h"
#include "ui/table.h"
#include "util/escape.h"
#include "util/parse.h"

#define SETTINGS_LINE_MAX 512

/* One key of the file: its name, the setup screen's label and the comment above it. */
struct settings_key {
	const char *name;
	const char *label;
	const char *help;
};

static const struct settings_key settings_keys[SETTINGS_NITEMS] = {
	[SETTINGS_PANEL] = { "panel", "Panel at start", "the panel shown at start (-P NAME)" },
	[SETTINGS_DELAY] = { "delay", "Refresh interval (s)",
			     "refresh interval in seconds, 0.1 to 3600 (-d)" },
	[SETTINGS_THEME] = { "theme", "Theme",
			     "colour theme (--theme): default, mono, high-contrast or a file; "
			     "empty: default, mono under NO_COLOR" },
	[SETTINGS_UNWIND] = { "unwind", "User stack unwinding",
			      "user stacks (--unwind): auto, dwarf or fp" },
	[SETTINGS_USTACK] = { "ustack_size", "User stack copy (KiB)",
			      "DWARF unwinding: KiB of user stack copied, 4 to 64 by 4 "
			      "(--ustack-size; applies at the next start)" },
	[SETTINGS_SLOW_QUERY] = { "slow_query_ms", "Slow query threshold (ms)",
				  "slow queries: threshold in ms, 0 to 3600000 (-t)" },
	[SETTINGS_SLOW_IO] = { "slow_io_us", "Slow I/O threshold (us)",
			       "block I/O: latency counted as slow, in us, 0 to 3600000000" },
	[SETTINGS_KTHREADS] = { "kernel_threads", "Kernel threads shown",
				"kernel threads shown (Overview) and counted (Off-CPU): yes or no" },
	[SETTINGS_TREE_INVERT] = { "tree_invert", "Trees inverted",
				   "stack trees start inverted, innermost frames first: yes or no" },
	[SETTINGS_TREE_THREADS] = { "tree_threads", "Trees split by thread",
				    "stack trees start with one node per thread: yes or no" },
	[SETTINGS_MOUSE] = { "mouse", "Mouse",
			     "mouse clicks and wheel (--no-mouse turns it off): yes or no" },
};

void settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->panel, sizeof(s->panel), "%s", registry[0].panel->name);
	s->delay_s = 1.0;
	s->unwind = KTOP_UNWIND_AUTO;
	s->ustack_kib = 16;
	s->slow_ms = 10;
	s->slow_io_us = 10000;
	s->mouse = true;
}

int settings_path(char *buf, size_t len, char *why, size_t why_len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/ktop/ktoprc", xdg);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/.config/ktop/ktoprc", home);
	else {
		snprintf(why, why_len, "neither XDG_CONFIG_HOME nor HOME is an absolute path");
		return -ENOENT;
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(why, why_len, "the settings path is too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

const struct settings_sort *settings_sort_find(const struct settings *s, const char *table)
{
	for (size_t i = 0; i < s->nsort; i++)
		if (!strcmp(s->sort[i].table, table))
			return &s->sort[i];
	return NULL;
}

int settings_sort_put(struct settings *s, const char *table, const char *column, bool reverse)
{
	struct settings_sort *st = (struct settings_sort *)settings_sort_find(s, table);
	char col[sizeof(st->column)];

	snprintf(col, sizeof(col), "%s", column); /* column may be st's own */
	if (!st) {
		if (s->nsort == SETTINGS_MAX_SORTS)
			return -ENOSPC;
		st = &s->sort[s->nsort++];
		snprintf(st->table, sizeof(st->table), "%s", table);
	}
	memcpy(st->column, col, sizeof(col));
	st->reverse = reverse;
	return 0;
}

const char *settings_columns_find(const struct settings *s, const char *table)
{
	for (size_t i = 0; i < s->ncolumns; i++)
		if (!strcmp(s->columns[i].table, table))
			return s->columns[i].list;
	return NULL;
}

int settings_columns_put(struct settings *s, const char *table, const char *list)
{
	struct settings_columns *c = NULL;

	if (strlen(list) >= sizeof(c->list) || strlen(table) >= sizeof(c->table))
		return -EINVAL;
	for (size_t i = 0; i < s->ncolumns; i++)
		if (!strcmp(s->columns[i].table, table))
			c = &s->columns[i];
	if (!c) {
		if (s->ncolumns == SETTINGS_MAX_TABLES)
			return -ENOSPC;
		c = &s->columns[s->ncolumns++];
		snprintf(c->table, sizeof(c->table), "%s", table);
	}
	snprintf(c->list, sizeof(c->list), "%s", list);
	return 0;
}

/* "columns.TABLE": the table's shown columns in order, checked against its own. */
static int set_columns(struct settings *s, const char *key, const char *value, char *why,
		       size_t why_len)
{
	const char *name = key + strlen("columns.");
	const struct table_def *def = registry_find_table(name);
	char text[SETTINGS_COLUMNS_MAX];
	struct table t;
	int err;

	if (!def) {
		snprintf(why, why_len, "no table called '%.32s'", name);
		return -EINVAL;
	}
	table_init(&t, def, -1);
	err = table_parse(&t, value, why, why_len);
	if (err)
		return err;
	table_text(&t, text, sizeof(text));
	return settings_columns_put(s, name, text);
}

/* "sort.TABLE" or "sort.TABLE.reverse": the table's sort column or its direction. */
static int set_sort(struct settings *s, const char *key, const char *value, char *why,
		    size_t why_len)
{
	const struct table_def *def;
	const struct settings_sort *st;
	char table[16];
	int col;
	const char *dot;
	size_t len;

	key += strlen("sort.");
	dot = strchr(key, '.');
	len = dot ? (size_t)(dot - key) : strlen(key);
	if (len >= sizeof(table) || (dot && strcmp(dot, ".reverse")))
		goto out_unknown;
	memcpy(table, key, len);
	table[len] = '\0';
	def = registry_find_table(table);
	if (!def)
		goto out_unknown;
	st = settings_sort_find(s, table);
	if (dot) {
		bool reverse;
		int err = parse_bool(value, &reverse, why, why_len);

		if (err)
			return err;
		return settings_sort_put(s, table, st ? st->column : "", reverse);
	}
	col = table_col_find(def, value);
	if (col >= 0 && !def->cols[col].nosort)
		return settings_sort_put(s, table, value, st && st->reverse);
	if (col >= 0)
		snprintf(why, why_len, "%s: column '%s' is not a sort", table, value);
	else
		snprintf(why, why_len, "%s has no column '%.16s'", table, value);
	return -EINVAL;
out_unknown:
	snprintf(why, why_len, "no table to sort called '%.32s'", key);
	return -EINVAL;
}

/* A theme name or path: printable, no spaces at either end, fits. */
static int set_theme(struct settings *s, const char *value, char *why, size_t why_len)
{
	if (strlen(value) >= sizeof(s->theme)) {
		snprintf(why, why_len, "the theme name is too long");
		return -EINVAL;
	}
	for (const char *c = value; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(why, why_len, "the theme name has a control character");
			return -EINVAL;
		}
	}
	snprintf(s->theme, sizeof(s->theme), "%s", value);
	return 0;
}

int settings_set(struct settings *s, const char *key, const char *value, char *why,
		 size_t why_len)
{
	char reason[160];
	uint64_t v;
	int item = -1, err = 0;

	for (int i = 0; i < SETTINGS_NITEMS; i++)
		if (!strcmp(key, settings_keys[i].name))
			item = i;
	if (item < 0) {
		if (!strncmp(key, "sort.", 5))
			return set_sort(s, key, value, why, why_len);
		if (!strncmp(key, "columns.", 8))
			return set_columns(s, key, value, why, why_len);
		snprintf(why, why_len, "unknown key '%.40s'", key);
		return -EINVAL;
	}
	switch ((enum settings_item)item) {
	case SETTINGS_PANEL:
		if (!registry_find_panel(value)) {
			registry_panel_reason(value, reason, sizeof(reason));
			err = -EINVAL;
			break;
		}
		snprintf(s->panel, sizeof(s->panel), "%s", value);
		break;
	case SETTINGS_DELAY:
		err = parse_seconds(value, 0.1, 3600, &s->delay_s, reason, sizeof(reason));
		break;
	case SETTINGS_THEME:
		err = set_theme(s, value, reason, sizeof(reason));
		break;
	case SETTINGS_UNWIND:
		if (unwind_mode_parse(value, &s->unwind)) {
			snprintf(reason, sizeof(reason), "mode must be auto, dwarf or fp");
			err = -EINVAL;
		}
		break;
	case SETTINGS_USTACK:
		err = parse_u64(value, 4, 64, &v, reason, sizeof(reason));
		if (!err && v % 4) {
			snprintf(reason, sizeof(reason), "must be a multiple of 4 (KiB)");
			err = -EINVAL;
		}
		if (!err)
			s->ustack_kib = v;
		break;
	case SETTINGS_SLOW_QUERY:
		err = parse_u64(value, 0, 3600ULL * 1000, &s->slow_ms, reason, sizeof(reason));
		break;
	case SETTINGS_SLOW_IO:
		err = parse_u64(value, 0, 3600ULL * 1000000, &s->slow_io_us, reason,
				sizeof(reason));
		break;
	case SETTINGS_KTHREADS:
		err = parse_bool(value, &s->kthreads, reason, sizeof(reason));
		break;
	case SETTINGS_TREE_INVERT:
		err = parse_bool(value, &s->tree_invert, reason, sizeof(reason));
		break;
	case SETTINGS_TREE_THREADS:
		err = parse_bool(value, &s->tree_threads, reason, sizeof(reason));
		break;
	case SETTINGS_MOUSE:
		err = parse_bool(value, &s->mouse, reason, sizeof(reason));
		break;
	case SETTINGS_NITEMS:
		break;
	}
	if (err)
		snprintf(why, why_len, "%s: %s", key, reason);
	return err;
}

/* Cut the blanks at both ends of s in place; returns the start. */
static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
			   end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Add "path:line: reason" to the warnings (escaped: the file's text is the user's). */
static void add_warning(char *warn, size_t warn_len, const char *path, unsigned int line,
			const char *reason)
{
	char safe[256];
	size_t n = strlen(warn);

	escape_cstr(safe, sizeof(safe), reason, sizeof(safe));
	if (n < warn_len)
		snprintf(warn + n, warn_len - n, "%s:%u: %s\n", path, line, safe);
}

/* Parse the open file f line by line over s; returns the number of bad lines. */
static int load_lines(struct settings *s, FILE *f, const char *path, char *warn, size_t warn_len)
{
	char buf[SETTINGS_LINE_MAX], reason[256];
	unsigned int line = 0;
	int bad = 0;

	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);
		char *key, *value, *eq;

		line++;
		if (len == sizeof(buf) - 1 && buf[len - 1] != '\n') {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			add_warning(warn, warn_len, path, line, "line too long");
			bad++;
			continue;
		}
		key = trim(buf);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			add_warning(warn, warn_len, path, line, "not a key=value line");
			bad++;
			continue;
		}
		*eq = '\0';
		value = trim(eq + 1);
		key = trim(key);
		if (settings_set(s, key, value, reason, sizeof(reason))) {
			add_warning(warn, warn_len, path, line, reason);
			bad++;
		}
	}
	return bad;
}

int settings_load(struct settings *s, const char *path, char *warn, size_t warn_len, char *why,
		  size_t why_len)
{
	struct stat st;
	FILE *f;
	int fd, bad;

	if (warn_len)
		warn[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int err = errno;

		if (err == ENOENT)
			return 0;
		snprintf(why, why_len, "%s: %s", path,
			 err == ELOOP ? "is a symlink: not read" : strerror(err));
		return -err;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, why_len, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		int err = errno;

		snprintf(why, why_len, "%s: %s", path, strerror(err));
		close(fd);
		return -err;
	}
	bad = load_lines(s, f, path, warn, warn_len);
	fclose(f);
	return bad;
}

/* Write a bool as the file spells it. */
static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* Item i's value as the file spells it. */
static void item_text(const struct settings *s, enum settings_item i, char *buf, size_t len)
{
	switch (i) {
	case SETTINGS_PANEL:
		snprintf(buf, len, "%s", s->panel);
		break;
	case SETTINGS_DELAY:
		snprintf(buf, len, "%g", s->delay_s);
		break;
	case SETTINGS_THEME:
		snprintf(buf, len, "%s", s->theme);
		break;
	case SETTINGS_UNWIND:
		snprintf(buf, len, "%s", unwind_mode_name(s->unwind));
		break;
	case SETTINGS_USTACK:
		snprintf(buf, len, "%llu", (unsigned long long)s->ustack_kib);
		break;
	case SETTINGS_SLOW_QUERY:
		snprintf(buf, len, "%llu", (unsigned long long)s->slow_ms);
		break;
	case SETTINGS_SLOW_IO:
		snprintf(buf, len, "%llu", (unsigned long long)s->slow_io_us);
		break;
	case SETTINGS_KTHREADS:
		snprintf(buf, len, "%s", yes_no(s->kthreads));
		break;
	case SETTINGS_TREE_INVERT:
		snprintf(buf, len, "%s", yes_no(s->tree_invert));
		break;
	case SETTINGS_TREE_THREADS:
		snprintf(buf, len, "%s", yes_no(s->tree_threads));
		break;
	case SETTINGS_MOUSE:
		snprintf(buf, len, "%s", yes_no(s->mouse));
		break;
	case SETTINGS_NITEMS:
		buf[0] = '\0';
		break;
	}
}

int settings_write(const struct settings *s, FILE *out)
{
	char value[96];

	fputs("# ktop settings: key=value lines, # starts a comment. ktop writes this file when\n"
	      "# it quits and when the setup screen (F2 or S) closes; the command line overrides\n"
	      "# it and --no-config ignores it.\n",
	      out);
	for (int i = 0; i < SETTINGS_NITEMS; i++) {
		item_text(s, (enum settings_item)i, value, sizeof(value));
		fprintf(out, "\n# %s\n%s=%s\n", settings_keys[i].help, settings_keys[i].name,
			value);
	}
	if (s->nsort)
		fputs("\n# sort.TABLE=COLUMN: a table's sort column (< > F6 or a click on its "
		      "title);\n# sort.TABLE.reverse=yes: smallest first\n",
		      out);
	for (size_t i = 0; i < s->nsort; i++) {
		if (s->sort[i].column[0])
			fprintf(out, "sort.%s=%s\n", s->sort[i].table, s->sort[i].column);
		fprintf(out, "sort.%s.reverse=%s\n", s->sort[i].table, yes_no(s->sort[i].reverse));
	}
	if (s->ncolumns)
		fputs("\n# columns.TABLE=NAME,NAME,...: a table's shown columns, in order (the "
		      "setup screen's\n# Columns rows; the names are in ktop(8))\n",
		      out);
	for (size_t i = 0; i < s->ncolumns; i++)
		fprintf(out, "columns.%s=%s\n", s->columns[i].table, s->columns[i].list);
	return ferror(out) ? -EIO : 0;
}

void settings_to_options(const struct settings *s, struct options *o)
{
	const struct registry_entry *e = registry_find_panel(s->panel);

	o->panel = e && e != &registry[0] ? e->panel->name : NULL;
	o->delay_s = s->delay_s;
	o->theme = s->theme[0] ? s->theme : NULL;
	o->unwind = s->unwind;
	o->ustack_kib = s->ustack_kib;
	o->slow_ms = s->slow_ms;
	o->bio_slow_us = s->slow_io_us;
	o->mouse = s->mouse;
}

void settings_tables_only(struct settings *s)
{
	struct settings d;

	settings_defaults(&d);
	memcpy(d.sort, s->sort, sizeof(d.sort));
	d.nsort = s->nsort;
	memcpy(d.columns, s->columns, sizeof(d.columns));
	d.ncolumns = s->ncolumns;
	*s = d;
}

bool settings_equal(const struct settings *a, const struct settings *b)
{
	char va[96], vb[96];

	for (int i = 0; i < SETTINGS_NITEMS; i++) {
		item_text(a, (enum settings_item)i, va, sizeof(va));
		item_text(b, (enum settings_item)i, vb, sizeof(vb));
		if (strcmp(va, vb))
			return false;
	}
	if (a->nsort != b->nsort)
		return false;
	for (size_t i = 0; i < a->nsort; i++) {
		const struct settings_sort *o = settings_sort_find(b, a->sort[i].table);

		if (!o || strcmp(o->column, a->sort[i].column) || o->reverse != a->sort[i].reverse)
			return false;
	}
	if (a->ncolumns != b->ncolumns)
		return false;
	for (size_t i = 0; i < a->ncolumns; i++) {
		const char *o = settings_columns_find(b, a->columns[i].table);

		if (!o || strcmp(o, a->columns[i].list))
			return false;
	}
	return true;
}

const char *settings_item_label(enum settings_item i)
{
	return (unsigned)i < SETTINGS_NITEMS ? settings_keys[i].label : "?";
}

const char *settings_item_key(enum settings_item i)
{
	return (unsigned)i < SETTINGS_NITEMS ? settings_keys[i].name : "?";
}

bool settings_item_is_typed(enum settings_item i)
{
	return i == SETTINGS_DELAY || i == SETTINGS_THEME || i == SETTINGS_USTACK ||
	       i == SETTINGS_SLOW_QUERY || i == SETTINGS_SLOW_IO;
}

const char *settings_item_help(enum settings_item i)
{
	return (unsigned)i < SETTINGS_NITEMS ? settings_keys[i].help : "";
}

void settings_item_value(const struct settings *s, enum settings_item i, char *buf, size_t len)
{
	item_text(s, i, buf, len);
	if (i == SETTINGS_THEME && !s->theme[0])
		snprintf(buf, len, "(default)");
	else if (i == SETTINGS_SLOW_QUERY && !s->slow_ms)
		snprintf(buf, len, "0 (every query)");
}
