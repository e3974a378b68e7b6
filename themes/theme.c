// SPDX-License-Identifier: GPL-2.0
/* Theme files: parsing "role = colours attributes" lines and finding a theme by name. */
#include "themes/theme.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "themes/builtin_themes.h"
#include "util/escape.h"
#include "util/xalloc.h"

/* Theme files larger than this are refused: a theme is a few dozen short lines. */
#define THEME_FILE_MAX (64 * 1024)

/* How many bytes of a bad word an error message quotes (escaped). */
#define THEME_QUOTE_MAX 40

static const char *const theme_role_names[THEME_ROLE_COUNT] = {
	[THEME_DEFAULT] = "default",
	[THEME_HEADER] = "header",
	[THEME_HEADER_VALUE] = "header_value",
	[THEME_TAB] = "tab",
	[THEME_TAB_ACTIVE] = "tab_active",
	[THEME_TITLE] = "title",
	[THEME_SELECTION] = "selection",
	[THEME_BAR] = "bar",
	[THEME_BAR_SLOW] = "bar_slow",
	[THEME_DIM] = "dim",
	[THEME_WARN] = "warn",
	[THEME_ERROR] = "error",
	[THEME_PAUSED] = "paused",
	[THEME_FOOTER_KEY] = "footer_key",
	[THEME_FOOTER_LABEL] = "footer_label",
	[THEME_PROMPT] = "prompt",
	[THEME_KERNEL_FRAME] = "kernel_frame",
	[THEME_USER_FRAME] = "user_frame",
	[THEME_UNKNOWN_FRAME] = "unknown_frame",
};

/* The eight ANSI colours in palette order; "bright_" adds 8. */
static const char *const theme_color_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned int attr;
} theme_attr_names[] = {
	{"bold", THEME_ATTR_BOLD},
	{"reverse", THEME_ATTR_REVERSE},
	{"underline", THEME_ATTR_UNDERLINE},
	{"dim", THEME_ATTR_DIM},
};

/* A piece of a line: not NUL-terminated. */
struct theme_word {
	const char *s;
	size_t len;
};

const char *theme_role_name(enum theme_role role)
{
	if ((unsigned int)role >= THEME_ROLE_COUNT)
		return "unknown";
	return theme_role_names[role];
}

void theme_mono(struct theme *t)
{
	static const unsigned int attrs[THEME_ROLE_COUNT] = {
		[THEME_HEADER] = THEME_ATTR_BOLD,
		[THEME_HEADER_VALUE] = THEME_ATTR_BOLD,
		[THEME_TAB_ACTIVE] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
		[THEME_TITLE] = THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE,
		[THEME_SELECTION] = THEME_ATTR_REVERSE,
		[THEME_BAR_SLOW] = THEME_ATTR_BOLD,
		[THEME_DIM] = THEME_ATTR_DIM,
		[THEME_WARN] = THEME_ATTR_BOLD,
		[THEME_ERROR] = THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE,
		[THEME_PAUSED] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
		[THEME_FOOTER_KEY] = THEME_ATTR_BOLD,
		[THEME_FOOTER_LABEL] = THEME_ATTR_REVERSE,
		[THEME_PROMPT] = THEME_ATTR_BOLD,
		[THEME_KERNEL_FRAME] = THEME_ATTR_BOLD,
		[THEME_UNKNOWN_FRAME] = THEME_ATTR_DIM,
	};
	int i;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "mono");
	t->use_color = false;
	for (i = 0; i < THEME_ROLE_COUNT; i++) {
		t->style[i].fg = THEME_COLOR_DEFAULT;
		t->style[i].bg = THEME_COLOR_DEFAULT;
		t->style[i].attrs = attrs[i];
	}
}

/* Whether the word w is exactly the string s. */
static bool theme_word_is(struct theme_word w, const char *s)
{
	return strlen(s) == w.len && memcmp(w.s, s, w.len) == 0;
}

/* Whether c separates words on a theme line. */
static bool theme_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Strip blanks from both ends of w. */
static struct theme_word theme_trim(struct theme_word w)
{
	while (w.len && theme_is_space(w.s[0])) {
		w.s++;
		w.len--;
	}
	while (w.len && theme_is_space(w.s[w.len - 1]))
		w.len--;
	return w;
}

/* The next blank-separated word of *rest (len 0 at the end); *rest moves past it. */
static struct theme_word theme_next_word(struct theme_word *rest)
{
	struct theme_word w;

	*rest = theme_trim(*rest);
	w.s = rest->s;
	w.len = 0;
	while (w.len < rest->len && !theme_is_space(w.s[w.len]))
		w.len++;
	rest->s += w.len;
	rest->len -= w.len;
	return w;
}

/*
 * w quoted and escaped into buf for an error message; when !show (a file named on the command
 * line, which ktop may read with more privilege than its user has), not its text.
 */
static const char *theme_quote(char *buf, size_t size, struct theme_word w, bool show)
{
	size_t n;

	if (!show)
		return "(text not shown)";
	if (size < 3)
		return "";
	buf[0] = '\'';
	n = escape_text(buf + 1, size - 2, w.s, w.len);
	snprintf(buf + 1 + n, size - 1 - n, "'");
	return buf;
}

/* Look up a colour name or number 0-255; false if w is not a colour. */
static bool theme_color_lookup(struct theme_word w, short *color)
{
	const char *bright = "bright_";
	size_t blen = strlen(bright);
	struct theme_word base = w;
	int add = 0;
	unsigned int i, v = 0;

	if (theme_word_is(w, "default")) {
		*color = THEME_COLOR_DEFAULT;
		return true;
	}
	if (w.len && w.len <= 3 && w.s[0] >= '0' && w.s[0] <= '9') {
		for (i = 0; i < w.len; i++) {
			if (w.s[i] < '0' || w.s[i] > '9')
				return false;
			v = v * 10 + (unsigned int)(w.s[i] - '0');
		}
		if (v > 255 || (w.len > 1 && w.s[0] == '0'))
			return false;
		*color = (short)v;
		return true;
	}
	if (w.len > blen && memcmp(w.s, bright, blen) == 0) {
		base.s += blen;
		base.len -= blen;
		add = 8;
	}
	for (i = 0; i < 8; i++) {
		if (theme_word_is(base, theme_color_names[i])) {
			*color = (short)(i + add);
			return true;
		}
	}
	return false;
}

/* Look up an attribute name; false if w is not one. */
static bool theme_attr_lookup(struct theme_word w, unsigned int *attr)
{
	size_t i;

	for (i = 0; i < sizeof(theme_attr_names) / sizeof(theme_attr_names[0]); i++) {
		if (theme_word_is(w, theme_attr_names[i].name)) {
			*attr = theme_attr_names[i].attr;
			return true;
		}
	}
	return false;
}

/* Parse "yes"/"no" (or true/false, on/off) of the color setting. */
static int theme_parse_bool(struct theme_word value, bool *out)
{
	if (theme_word_is(value, "yes") || theme_word_is(value, "true") ||
	    theme_word_is(value, "on")) {
		*out = true;
		return 0;
	}
	if (theme_word_is(value, "no") || theme_word_is(value, "false") ||
	    theme_word_is(value, "off")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

/* Parse the colours and attributes of one role line into *style. */
static int theme_parse_style(struct theme_word value, struct theme_style *style, unsigned int line,
			     bool show,
			     char *why, size_t why_len)
{
	char q[THEME_QUOTE_MAX];
	struct theme_word w;
	int ncolors = 0;

	style->fg = THEME_COLOR_DEFAULT;
	style->bg = THEME_COLOR_DEFAULT;
	style->attrs = 0;
	for (w = theme_next_word(&value); w.len; w = theme_next_word(&value)) {
		unsigned int attr;
		short color;

		if (theme_attr_lookup(w, &attr)) {
			style->attrs |= attr;
		} else if (theme_color_lookup(w, &color)) {
			if (ncolors == 2) {
				snprintf(why, why_len,
					 "line %u: a third colour %s (only FG and BG)", line,
					 theme_quote(q, sizeof(q), w, show));
				return -EINVAL;
			}
			if (ncolors++ == 0)
				style->fg = color;
			else
				style->bg = color;
		} else {
			snprintf(why, why_len, "line %u: unknown %s %s", line,
				 ncolors < 2 ? "colour" : "attribute",
				 theme_quote(q, sizeof(q), w, show));
			return -EINVAL;
		}
	}
	return 0;
}

/* Parse one line (without its newline) into t; *saw_color is set by a color line. */
static int theme_parse_line(struct theme *t, struct theme_word line, unsigned int n, bool show,
			    bool *saw_color, char *why, size_t why_len)
{
	char q[THEME_QUOTE_MAX];
	struct theme_word key, value;
	const char *hash, *eq;
	int i;

	hash = memchr(line.s, '#', line.len);
	if (hash)
		line.len = (size_t)(hash - line.s);
	line = theme_trim(line);
	if (!line.len)
		return 0;
	eq = memchr(line.s, '=', line.len);
	if (!eq) {
		snprintf(why, why_len, "line %u: expected 'role = colours', got %s", n,
			 theme_quote(q, sizeof(q), line, show));
		return -EINVAL;
	}
	key = theme_trim((struct theme_word){line.s, (size_t)(eq - line.s)});
	value = theme_trim((struct theme_word){eq + 1, line.len - (size_t)(eq - line.s) - 1});
	if (theme_word_is(key, "color") || theme_word_is(key, "colour")) {
		if (theme_parse_bool(value, &t->use_color)) {
			snprintf(why, why_len, "line %u: color must be yes or no, not %s", n,
				 theme_quote(q, sizeof(q), value, show));
			return -EINVAL;
		}
		*saw_color = true;
		return 0;
	}
	if (!key.len) {
		snprintf(why, why_len, "line %u: no role before '='", n);
		return -EINVAL;
	}
	for (i = 0; i < THEME_ROLE_COUNT; i++) {
		if (theme_word_is(key, theme_role_names[i]))
			break;
	}
	if (i == THEME_ROLE_COUNT) {
		snprintf(why, why_len, "line %u: unknown role %s", n,
			 theme_quote(q, sizeof(q), key, show));
		return -EINVAL;
	}
	if (!value.len) {
		snprintf(why, why_len, "line %u: no colour for role '%s'", n, theme_role_names[i]);
		return -EINVAL;
	}
	return theme_parse_style(value, &t->style[i], n, show, why, why_len);
}

/* theme_parse, quoting the bad words of the text in its errors only when show is set. */
static int theme_parse_text(struct theme *t, const char *name, const char *text, bool show,
			    char *why, size_t why_len)
{
	struct theme tmp;
	bool saw_color = false;
	const char *p = text ? text : "";
	unsigned int n;
	int i, err;

	theme_mono(&tmp);
	snprintf(tmp.name, sizeof(tmp.name), "%s", name ? name : "");
	for (n = 1; *p; n++) {
		size_t len = strcspn(p, "\n");

		err = theme_parse_line(&tmp, (struct theme_word){p, len}, n, show, &saw_color, why,
				       why_len);
		if (err)
			return err;
		p += len;
		if (*p)
			p++;
	}
	/* Without a color line, a theme that names any colour wants colour. */
	if (!saw_color) {
		for (i = 0; i < THEME_ROLE_COUNT; i++) {
			if (tmp.style[i].fg != THEME_COLOR_DEFAULT ||
			    tmp.style[i].bg != THEME_COLOR_DEFAULT)
				tmp.use_color = true;
		}
	}
	*t = tmp;
	return 0;
}

int theme_parse(struct theme *t, const char *name, const char *text, char *why, size_t why_len)
{
	return theme_parse_text(t, name, text, true, why, why_len);
}

/*
 * Read the theme file at path (no symlink, regular, at most THEME_FILE_MAX bytes) into a
 * NUL-terminated heap buffer. 0, or -errno with why; -ENOENT/-ENOTDIR leave why untouched
 * when quiet_missing is set, so a search can go on to the next place.
 */
static int theme_read_file(const char *path, char **out, bool quiet_missing, char *why,
			   size_t why_len)
{
	struct stat st;
	size_t len = 0;
	char *buf;
	int fd, err;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		if (quiet_missing && (err == -ENOENT || err == -ENOTDIR))
			return err;
		if (err == -ELOOP)
			snprintf(why, why_len, "theme file '%s' is a symbolic link: refused", path);
		else
			snprintf(why, why_len, "cannot open theme file '%s': %s", path,
				 strerror(-err));
		return err;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		snprintf(why, why_len, "cannot stat theme file '%s': %s", path, strerror(-err));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		snprintf(why, why_len, "theme file '%s' is not a regular file", path);
		goto out_close;
	}
	if (st.st_size > THEME_FILE_MAX) {
		err = -EFBIG;
		snprintf(why, why_len, "theme file '%s' is larger than %d KiB", path,
			 THEME_FILE_MAX / 1024);
		goto out_close;
	}
	/* One byte more than allowed, to notice a file that grew since fstat(). */
	buf = xmalloc(THEME_FILE_MAX + 2);
	for (;;) {
		ssize_t r = read(fd, buf + len, THEME_FILE_MAX + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			snprintf(why, why_len, "cannot read theme file '%s': %s", path,
				 strerror(-err));
			goto out_free;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > THEME_FILE_MAX) {
			err = -EFBIG;
			snprintf(why, why_len, "theme file '%s' is larger than %d KiB", path,
				 THEME_FILE_MAX / 1024);
			goto out_free;
		}
	}
	if (memchr(buf, '\0', len)) {
		err = -EINVAL;
		snprintf(why, why_len, "theme file '%s' is not a text file", path);
		goto out_free;
	}
	buf[len] = '\0';
	close(fd);
	*out = buf;
	return 0;

out_free:
	free(buf);
out_close:
	close(fd);
	return err;
}

/* Load and parse the theme file at path under the theme name name. */
static int theme_load_file(struct theme *t, const char *path, const char *name, bool quiet_missing,
			   char *why, size_t why_len)
{
	char reason[256];
	char *text = NULL;
	int err;

	err = theme_read_file(path, &text, quiet_missing, why, why_len);
	if (err)
		return err;
	/* The file's words stay out of the message: `sudo ktop --theme /etc/shadow` */
	err = theme_parse_text(t, name, text, false, reason, sizeof(reason));
	if (err)
		snprintf(why, why_len, "theme file '%s': %s", path, reason);
	free(text);
	return err;
}

/* Try dir/NAME.theme; -ENOENT (why untouched) when it is not there. */
static int theme_load_from_dir(struct theme *t, const char *dir, const char *name, char *why,
			       size_t why_len)
{
	char path[PATH_MAX];
	int n;

	n = snprintf(path, sizeof(path), "%s/%s.theme", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(why, why_len, "theme path '%s/%s.theme' is too long", dir, name);
		return -ENAMETOOLONG;
	}
	return theme_load_file(t, path, name, true, why, why_len);
}

/* Load a theme given as a path; its name is the file name without ".theme". */
static int theme_load_path(struct theme *t, const char *path, char *why, size_t why_len)
{
	const char *base = strrchr(path, '/') + 1;
	char name[sizeof(t->name)];
	size_t len = strlen(base);

	if (len > 6 && strcmp(base + len - 6, ".theme") == 0)
		len -= 6;
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, base, len);
	name[len] = '\0';
	return theme_load_file(t, path, name, false, why, why_len);
}

int theme_load(struct theme *t, const char *name, char *why, size_t why_len)
{
	const char *dir;
	char list[256];
	size_t used = 0;
	unsigned int i;
	int err;

	if (!name || !*name) {
		snprintf(why, why_len, "no theme name given");
		return -EINVAL;
	}
	if (strchr(name, '/'))
		return theme_load_path(t, name, why, why_len);

	dir = secure_getenv("KTOP_THEME_DIR");
	if (dir && *dir) {
		err = theme_load_from_dir(t, dir, name, why, why_len);
		if (err != -ENOENT && err != -ENOTDIR)
			return err;
	}
#ifdef KTOP_THEMEDIR
	err = theme_load_from_dir(t, KTOP_THEMEDIR, name, why, why_len);
	if (err != -ENOENT && err != -ENOTDIR)
		return err;
#endif
	for (i = 0; i < theme_nbuiltins; i++) {
		if (strcmp(theme_builtins[i].name, name) == 0)
			return theme_parse(t, name, theme_builtins[i].text, why, why_len);
	}

	list[0] = '\0';
	for (i = 0; i < theme_nbuiltins && used < sizeof(list); i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
				 theme_builtins[i].name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	snprintf(why, why_len, "no theme '%s' (built in: %s)", name, list);
	return -ENOENT;
}
