// SPDX-License-Identifier: GPL-2.0
/* Tests of themes/theme.c: the format, the built-in themes and where themes are loaded from. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "themes/builtin_themes.h"
#include "themes/theme.h"

#define COLOR_BLACK  0
#define COLOR_RED    1
#define COLOR_GREEN  2
#define COLOR_YELLOW 3
#define COLOR_BLUE   4
#define COLOR_CYAN   6

/* A temporary directory for theme files, removed by the teardown. */
struct theme_dir {
	char path[64];
};

/* The text of the built-in theme name, or fail. */
static const char *builtin_text(const char *name)
{
	unsigned int i;

	for (i = 0; i < theme_nbuiltins; i++) {
		if (strcmp(theme_builtins[i].name, name) == 0)
			return theme_builtins[i].text;
	}
	fail_msg("no built-in theme '%s'", name);
	return NULL;
}

/* Write text to dir/file; returns the path in a static buffer. */
static const char *write_file(const char *dir, const char *file, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

static int dir_setup(void **state)
{
	struct theme_dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->path, sizeof(d->path), "/tmp/ktop-theme-test-XXXXXX");
	if (!mkdtemp(d->path))
		return -1;
	unsetenv("KTOP_THEME_DIR");
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct theme_dir *d = *state;
	char cmd[128];

	unsetenv("KTOP_THEME_DIR");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	if (system(cmd) != 0)
		return -1;
	free(d);
	return 0;
}

/* Every role has a unique lower-case name, and a line with that name sets that role. */
static void test_role_names(void **state)
{
	char text[64], why[128];
	struct theme t;
	int i, k;

	(void)state;
	assert_string_equal(theme_role_name(THEME_DEFAULT), "default");
	assert_string_equal(theme_role_name(THEME_TAB_ACTIVE), "tab_active");
	assert_string_equal(theme_role_name(THEME_FOOTER_KEY), "footer_key");
	assert_string_equal(theme_role_name(THEME_KERNEL_FRAME), "kernel_frame");
	assert_string_equal(theme_role_name(THEME_UNKNOWN_FRAME), "unknown_frame");
	for (i = 0; i < THEME_ROLE_COUNT; i++) {
		const char *name = theme_role_name((enum theme_role)i);
		const char *p;

		assert_non_null(name);
		assert_true(name[0] != '\0');
		for (p = name; *p; p++)
			assert_true(islower((unsigned char)*p) || *p == '_');
		for (k = 0; k < i; k++)
			assert_string_not_equal(name, theme_role_name((enum theme_role)k));
		snprintf(text, sizeof(text), "%s = red blue underline\n", name);
		assert_int_equal(theme_parse(&t, "x", text, why, sizeof(why)), 0);
		assert_int_equal(t.style[i].fg, COLOR_RED);
		assert_int_equal(t.style[i].bg, COLOR_BLUE);
		assert_int_equal(t.style[i].attrs, THEME_ATTR_UNDERLINE);
	}
}

/* The mono theme: no colour at all, attributes that tell roles apart. */
static void test_mono_defaults(void **state)
{
	struct theme t;
	int i;

	(void)state;
	theme_mono(&t);
	assert_string_equal(t.name, "mono");
	assert_false(t.use_color);
	for (i = 0; i < THEME_ROLE_COUNT; i++) {
		assert_int_equal(t.style[i].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(t.style[i].bg, THEME_COLOR_DEFAULT);
	}
	assert_true(t.style[THEME_SELECTION].attrs & THEME_ATTR_REVERSE);
	assert_true(t.style[THEME_HEADER].attrs & THEME_ATTR_BOLD);
	assert_true(t.style[THEME_DIM].attrs & THEME_ATTR_DIM);
	assert_int_equal(t.style[THEME_DEFAULT].attrs, 0);
	assert_int_not_equal(t.style[THEME_FOOTER_KEY].attrs, t.style[THEME_FOOTER_LABEL].attrs);
}

/* The three built-in themes are there and parse. */
static void test_builtins_parse(void **state)
{
	static const char *const names[] = {"default", "mono", "high-contrast"};
	char why[128] = "";
	struct theme t;
	unsigned int i;

	(void)state;
	assert_int_equal(theme_nbuiltins, 3);
	for (i = 0; i < theme_nbuiltins; i++) {
		assert_string_equal(theme_builtins[i].name, names[i]);
		if (theme_parse(&t, names[i], theme_builtins[i].text, why, sizeof(why)))
			fail_msg("built-in theme %s: %s", names[i], why);
		assert_string_equal(t.name, names[i]);
	}
}

/* The default theme: htop-like colours on a dark terminal. */
static void test_builtin_default(void **state)
{
	char why[128];
	struct theme t;

	(void)state;
	assert_int_equal(theme_parse(&t, "default", builtin_text("default"), why, sizeof(why)), 0);
	assert_true(t.use_color);
	assert_int_equal(t.style[THEME_HEADER].fg, COLOR_CYAN);
	assert_true(t.style[THEME_HEADER_VALUE].attrs & THEME_ATTR_BOLD);
	assert_int_equal(t.style[THEME_SELECTION].fg, COLOR_BLACK);
	assert_int_equal(t.style[THEME_SELECTION].bg, COLOR_CYAN);
	assert_int_equal(t.style[THEME_BAR].fg, COLOR_GREEN);
	assert_int_equal(t.style[THEME_BAR_SLOW].fg, COLOR_RED);
	assert_int_equal(t.style[THEME_WARN].fg, COLOR_YELLOW);
	assert_int_equal(t.style[THEME_ERROR].fg, COLOR_RED);
	assert_int_equal(t.style[THEME_FOOTER_LABEL].fg, COLOR_BLACK);
	assert_int_equal(t.style[THEME_FOOTER_LABEL].bg, COLOR_CYAN);
	assert_int_not_equal(t.style[THEME_KERNEL_FRAME].fg, t.style[THEME_USER_FRAME].fg);
	assert_int_equal(t.style[THEME_DEFAULT].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_DEFAULT].bg, THEME_COLOR_DEFAULT);
}

/* The mono theme file says exactly what theme_mono() says. */
static void test_builtin_mono_matches(void **state)
{
	struct theme file, code;
	char why[128];

	(void)state;
	assert_int_equal(theme_parse(&file, "mono", builtin_text("mono"), why, sizeof(why)), 0);
	theme_mono(&code);
	assert_false(file.use_color);
	assert_memory_equal(file.style, code.style, sizeof(code.style));
}

/* The high-contrast theme sets every role and uses bright colours. */
static void test_builtin_high_contrast(void **state)
{
	char why[128];
	struct theme t;
	int i;

	(void)state;
	assert_int_equal(theme_parse(&t, "hc", builtin_text("high-contrast"), why, sizeof(why)), 0);
	assert_true(t.use_color);
	for (i = 0; i < THEME_ROLE_COUNT; i++)
		assert_true(t.style[i].fg != THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_BAR_SLOW].fg, 8 + COLOR_RED);
	assert_true(t.style[THEME_ERROR].attrs & THEME_ATTR_BOLD);
}

/* Colour names, bright_ names, numbers, comments, blank lines and CRLF. */
static void test_parse_syntax(void **state)
{
	const char *text = "# a comment\n"
			   "\n"
			   "   header = bright_red   # trailing comment\n"
			   "title=7 255\r\n"
			   "\theader_value\t=\tdefault\tcyan\treverse bold\n"
			   "bar = 0\n"
			   "dim = bold\n";
	char why[128] = "";
	struct theme t;

	(void)state;
	if (theme_parse(&t, "x", text, why, sizeof(why)))
		fail_msg("%s", why);
	assert_string_equal(t.name, "x");
	assert_int_equal(t.style[THEME_HEADER].fg, 9);
	assert_int_equal(t.style[THEME_HEADER].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_HEADER].attrs, 0);
	assert_int_equal(t.style[THEME_TITLE].fg, 7);
	assert_int_equal(t.style[THEME_TITLE].bg, 255);
	assert_int_equal(t.style[THEME_HEADER_VALUE].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_HEADER_VALUE].bg, COLOR_CYAN);
	assert_int_equal(t.style[THEME_HEADER_VALUE].attrs, THEME_ATTR_REVERSE | THEME_ATTR_BOLD);
	assert_int_equal(t.style[THEME_BAR].fg, 0);
	assert_int_equal(t.style[THEME_DIM].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_DIM].attrs, THEME_ATTR_BOLD);
	/* Roles not named keep the mono look. */
	assert_int_equal(t.style[THEME_SELECTION].attrs, THEME_ATTR_REVERSE);
	assert_int_equal(t.style[THEME_SELECTION].fg, THEME_COLOR_DEFAULT);
	/* No color line, but colours named: colour is on. */
	assert_true(t.use_color);
}

/* The color line decides; without one, only named colours turn colour on. */
static void test_parse_use_color(void **state)
{
	char why[128];
	struct theme t;

	(void)state;
	assert_int_equal(theme_parse(&t, "x", "color = no\nheader = red\n", why, sizeof(why)), 0);
	assert_false(t.use_color);
	assert_int_equal(t.style[THEME_HEADER].fg, COLOR_RED);
	assert_int_equal(theme_parse(&t, "x", "color = yes\n", why, sizeof(why)), 0);
	assert_true(t.use_color);
	assert_int_equal(theme_parse(&t, "x", "header = default bold\n", why, sizeof(why)), 0);
	assert_false(t.use_color);
	assert_int_equal(theme_parse(&t, "x", "", why, sizeof(why)), 0);
	assert_false(t.use_color);
}

/* Errors name the line and the bad word, and leave the theme untouched. */
static void test_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
		{"color = yes\n\nheder = red\n", "line 3: unknown role 'heder'"},
		{"# one\n# two\n\n\nheader = purplish\n", "line 5: unknown colour 'purplish'"},
		{"header = red purplish\n", "line 1: unknown colour 'purplish'"},
		{"header = red blue blink\n", "line 1: unknown attribute 'blink'"},
		{"header = red blue green\n", "line 1: a third colour 'green' (only FG and BG)"},
		{"header = 256\n", "line 1: unknown colour '256'"},
		{"header = -1\n", "line 1: unknown colour '-1'"},
		{"header = RED\n", "line 1: unknown colour 'RED'"},
		{"\nheader\n", "line 2: expected 'role = colours', got 'header'"},
		{"header =\n", "line 1: no colour for role 'header'"},
		{"header = # red\n", "line 1: no colour for role 'header'"},
		{"= red\n", "line 1: no role before '='"},
		{"color = maybe\n", "line 1: color must be yes or no, not 'maybe'"},
		{"header = red\r\nbar = \x1b[2J\n", "line 2: unknown colour '\\x1b[2J'"},
	};
	char why[128];
	struct theme t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&t, 0x5a, sizeof(t));
		assert_int_equal(theme_parse(&t, "x", cases[i].text, why, sizeof(why)), -EINVAL);
		assert_string_equal(why, cases[i].why);
		assert_int_equal(t.style[THEME_HEADER].fg, 0x5a5a);
	}
}

/* Built-in themes load by name when no directory has them. */
static void test_load_builtin(void **state)
{
	char why[128] = "";
	struct theme t;

	(void)state;
	if (theme_load(&t, "default", why, sizeof(why)))
		fail_msg("%s", why);
	assert_string_equal(t.name, "default");
	assert_int_equal(t.style[THEME_SELECTION].bg, COLOR_CYAN);
	assert_int_equal(theme_load(&t, "mono", why, sizeof(why)), 0);
	assert_false(t.use_color);
	assert_int_equal(theme_load(&t, "high-contrast", why, sizeof(why)), 0);
	assert_true(t.use_color);
}

/* An unknown name is -ENOENT and the reason lists the built-in themes. */
static void test_load_unknown(void **state)
{
	char why[128];
	struct theme t;

	(void)state;
	assert_int_equal(theme_load(&t, "nosuch", why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "no theme 'nosuch' (built in: default, mono, high-contrast)");
	assert_int_equal(theme_load(&t, "", why, sizeof(why)), -EINVAL);
}

/* A name holding '/' is a path; the theme is named after the file. */
static void test_load_path(void **state)
{
	struct theme_dir *d = *state;
	char why[256] = "", path[256];
	struct theme t;

	snprintf(path, sizeof(path), "%s", write_file(d->path, "mine.theme", "header = red\n"));
	if (theme_load(&t, path, why, sizeof(why)))
		fail_msg("%s", why);
	assert_string_equal(t.name, "mine");
	assert_int_equal(t.style[THEME_HEADER].fg, COLOR_RED);

	/* A path that is not there is not looked up anywhere else. */
	snprintf(path, sizeof(path), "%s/default.theme", d->path);
	assert_int_equal(theme_load(&t, path, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, path));
}

/* $KTOP_THEME_DIR comes before the built-in themes; names it lacks fall through. */
static void test_load_env_dir(void **state)
{
	struct theme_dir *d = *state;
	char why[256] = "";
	struct theme t;

	write_file(d->path, "default.theme", "color = yes\nheader = blue\n");
	write_file(d->path, "custom.theme", "bar = yellow\n");
	assert_int_equal(setenv("KTOP_THEME_DIR", d->path, 1), 0);
	if (theme_load(&t, "default", why, sizeof(why)))
		fail_msg("%s", why);
	assert_int_equal(t.style[THEME_HEADER].fg, COLOR_BLUE);
	/* Not the built-in default: selection keeps the mono look. */
	assert_int_equal(t.style[THEME_SELECTION].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(theme_load(&t, "custom", why, sizeof(why)), 0);
	assert_string_equal(t.name, "custom");
	assert_int_equal(t.style[THEME_BAR].fg, COLOR_YELLOW);
	/* mono is not in the directory: the built-in one is used. */
	assert_int_equal(theme_load(&t, "mono", why, sizeof(why)), 0);
	assert_false(t.use_color);
	assert_int_equal(t.style[THEME_HEADER].attrs, THEME_ATTR_BOLD);
}

/*
 * A bad file in the directory is an error naming the file and line, not a silent fallback;
 * the file's text stays out of it (ktop may read a file its user cannot).
 */
static void test_load_bad_file(void **state)
{
	struct theme_dir *d = *state;
	char why[256] = "";
	struct theme t;

	write_file(d->path, "default.theme", "# fine\nheder = red\n");
	assert_int_equal(setenv("KTOP_THEME_DIR", d->path, 1), 0);
	assert_int_equal(theme_load(&t, "default", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "default.theme"));
	assert_non_null(strstr(why, "line 2: unknown role (text not shown)"));
	assert_null(strstr(why, "heder"));
}

/* Symbolic links are refused (O_NOFOLLOW), by path and through $KTOP_THEME_DIR. */
static void test_load_symlink_refused(void **state)
{
	struct theme_dir *d = *state;
	char why[256] = "", target[256], link[256];
	struct theme t;

	snprintf(target, sizeof(target), "%s", write_file(d->path, "real.theme", "bar = red\n"));
	snprintf(link, sizeof(link), "%s/link.theme", d->path);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(theme_load(&t, target, why, sizeof(why)), 0);
	assert_int_equal(theme_load(&t, link, why, sizeof(why)), -ELOOP);
	assert_non_null(strstr(why, "symbolic link"));
	assert_int_equal(setenv("KTOP_THEME_DIR", d->path, 1), 0);
	assert_int_equal(theme_load(&t, "link", why, sizeof(why)), -ELOOP);
	/* A symlink named like a built-in theme does not fall back either. */
	snprintf(link, sizeof(link), "%s/mono.theme", d->path);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(theme_load(&t, "mono", why, sizeof(why)), -ELOOP);
}

/* Files over 64 KiB, directories and files with NUL bytes are refused. */
static void test_load_bounds(void **state)
{
	struct theme_dir *d = *state;
	char why[256] = "", path[256];
	struct theme t;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/big.theme", d->path);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < 70 * 1024 / 16; i++)
		fputs("# padding.....\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(theme_load(&t, path, why, sizeof(why)), -EFBIG);

	/* Exactly 64 KiB is still fine. */
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < 64 * 1024 / 16; i++)
		fputs("# padding......\n", f);
	assert_int_equal(fclose(f), 0);
	if (theme_load(&t, path, why, sizeof(why)))
		fail_msg("%s", why);

	snprintf(path, sizeof(path), "%s/dir.theme", d->path);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(theme_load(&t, path, why, sizeof(why)), -EINVAL);

	snprintf(path, sizeof(path), "%s/nul.theme", d->path);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite("bar = red\0\n", 1, 11, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(theme_load(&t, path, why, sizeof(why)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_mono_defaults),
		cmocka_unit_test(test_builtins_parse),
		cmocka_unit_test(test_builtin_default),
		cmocka_unit_test(test_builtin_mono_matches),
		cmocka_unit_test(test_builtin_high_contrast),
		cmocka_unit_test(test_parse_syntax),
		cmocka_unit_test(test_parse_use_color),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_load_builtin, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_load_unknown, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_load_path, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_load_env_dir, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_load_bad_file, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_load_symlink_refused, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_load_bounds, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
