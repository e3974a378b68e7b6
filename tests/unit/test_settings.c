// SPDX-License-Identifier: GPL-2.0
/* The settings file: every key, bad lines and their warnings, comments, the atomic save. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/options.h"
#include "core/settings.h"

static char dir[64];
static char path[128];

/* A fresh temp dir for each test, with path inside a subdirectory not yet made. */
static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ktop-settings.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/ktop/ktoprc", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Write text as the settings file (its directory made). */
static void write_file(const char *text)
{
	char d[128];
	FILE *f;

	snprintf(d, sizeof(d), "%s/ktop", dir);
	mkdir(d, 0700);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_defaults(void **state)
{
	struct settings s;
	struct options o;

	(void)state;
	settings_defaults(&s);
	assert_string_equal(s.panel, "overview");
	assert_true(s.delay_s == 1.0);
	assert_int_equal(s.slow_ms, 10);
	assert_int_equal(s.slow_io_us, 10000);
	assert_int_equal(s.ustack_kib, 16);
	assert_true(s.mouse);
	assert_false(s.kthreads);
	/* the defaults put into options are those of no option at all */
	options_defaults(&o);
	settings_to_options(&s, &o);
	assert_null(o.panel);
	assert_null(o.theme);
	assert_true(o.delay_s == 1.0);
	assert_int_equal(o.bio_slow_us, 10000);
}

static void test_every_key(void **state)
{
	char warn[512], why[256];
	struct settings s;
	const struct settings_sort *st;

	(void)state;
	write_file("# a comment\n"
		   "\n"
		   "panel=bio\n"
		   "delay = 2.5\n"
		   "theme=mono\n"
		   "unwind=dwarf\n"
		   "ustack_size=32\n"
		   "slow_query_ms=250\n"
		   "slow_io_us=5000\n"
		   "kernel_threads=yes\n"
		   "tree_invert=on\n"
		   "tree_threads=true\n"
		   "mouse=no\n"
		   "sort.overview=io\n"
		   "sort.overview.reverse=yes\n"
		   "   # an indented comment\n");
	settings_defaults(&s);
	assert_int_equal(settings_load(&s, path, warn, sizeof(warn), why, sizeof(why)), 0);
	assert_string_equal(warn, "");
	assert_string_equal(s.panel, "bio");
	assert_true(s.delay_s == 2.5);
	assert_string_equal(s.theme, "mono");
	assert_int_equal(s.unwind, KTOP_UNWIND_DWARF);
	assert_int_equal(s.ustack_kib, 32);
	assert_int_equal(s.slow_ms, 250);
	assert_int_equal(s.slow_io_us, 5000);
	assert_true(s.kthreads);
	assert_true(s.tree_invert);
	assert_true(s.tree_threads);
	assert_false(s.mouse);
	st = settings_sort_find(&s, "overview");
	assert_non_null(st);
	assert_string_equal(st->column, "io");
	assert_true(st->reverse);
}

static void test_bad_lines_warn_and_rest_applies(void **state)
{
	char warn[1024], why[256], want[256];
	struct settings s;

	(void)state;
	write_file("delay=abc\n"
		   "colour=blue\n"
		   "slow_query_ms=50\n"
		   "just some words\n"
		   "ustack_size=6\n"
		   "mouse=maybe\n"
		   "panel=nosuch\n"
		   "sort.overview=nosuch\n"
		   "sort.nosuch=io\n"
		   "theme=mono\n");
	settings_defaults(&s);
	assert_int_equal(settings_load(&s, path, warn, sizeof(warn), why, sizeof(why)), 8);
	snprintf(want, sizeof(want), "%s:1: delay: 'abc' is not a number of seconds\n", path);
	assert_non_null(strstr(warn, want));
	snprintf(want, sizeof(want), "%s:2: unknown key 'colour'\n", path);
	assert_non_null(strstr(warn, want));
	snprintf(want, sizeof(want), "%s:4: not a key=value line\n", path);
	assert_non_null(strstr(warn, want));
	snprintf(want, sizeof(want), "%s:5: ustack_size: must be a multiple of 4 (KiB)\n", path);
	assert_non_null(strstr(warn, want));
	snprintf(want, sizeof(want), "%s:6: mouse: 'maybe' is not yes or no\n", path);
	assert_non_null(strstr(warn, want));
	snprintf(want, sizeof(want), "%s:7: panel: ", path);
	assert_non_null(strstr(warn, want));
	snprintf(want, sizeof(want), "%s:8: overview has no column 'nosuch'\n", path);
	assert_non_null(strstr(warn, want));
	snprintf(want, sizeof(want), "%s:9: no table to sort called 'nosuch'\n", path);
	assert_non_null(strstr(warn, want));
	/* the good lines applied, the bad ones left the defaults */
	assert_int_equal(s.slow_ms, 50);
	assert_string_equal(s.theme, "mono");
	assert_true(s.delay_s == 1.0);
	assert_int_equal(s.ustack_kib, 16);
	assert_true(s.mouse);
	assert_string_equal(s.panel, "overview");
}

static void test_control_characters_escaped(void **state)
{
	char warn[512], why[256];
	struct settings s;

	(void)state;
	write_file("\x1b[31m=1\n");
	settings_defaults(&s);
	assert_int_equal(settings_load(&s, path, warn, sizeof(warn), why, sizeof(why)), 1);
	assert_null(strchr(warn, '\x1b'));
}

static void test_missing_file(void **state)
{
	char warn[64] = "x", why[64];
	struct settings s, d;

	(void)state;
	settings_defaults(&s);
	settings_defaults(&d);
	assert_int_equal(settings_load(&s, path, warn, sizeof(warn), why, sizeof(why)), 0);
	assert_string_equal(warn, "");
	assert_true(settings_equal(&s, &d));
}

static void test_save_round_trip(void **state)
{
	char warn[512], why[256];
	struct settings s, r;
	struct stat st;

	(void)state;
	settings_defaults(&s);
	snprintf(s.panel, sizeof(s.panel), "sql");
	s.delay_s = 0.5;
	s.slow_ms = 0;
	s.kthreads = true;
	s.mouse = false;
	s.unwind = KTOP_UNWIND_FP;
	assert_int_equal(settings_sort_put(&s, "overview", "lock", true), 0);
	assert_int_equal(settings_save(&s, path, why, sizeof(why)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	settings_defaults(&r);
	assert_false(settings_equal(&s, &r));
	assert_int_equal(settings_load(&r, path, warn, sizeof(warn), why, sizeof(why)), 0);
	assert_string_equal(warn, "");
	assert_true(settings_equal(&s, &r));
}

/* The save replaces the file by a rename: a new inode, mode 0600, no temp file left. */
static void test_save_atomic(void **state)
{
	char why[256], d[128];
	struct settings s;
	struct stat before, after;
	struct dirent *de;
	DIR *dh;
	int entries = 0;

	(void)state;
	write_file("delay=3\n");
	chmod(path, 0644);
	assert_int_equal(stat(path, &before), 0);
	settings_defaults(&s);
	assert_int_equal(settings_save(&s, path, why, sizeof(why)), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	assert_int_equal(after.st_mode & 0777, 0600);
	snprintf(d, sizeof(d), "%s/ktop", dir);
	dh = opendir(d);
	assert_non_null(dh);
	while ((de = readdir(dh)))
		if (de->d_name[0] != '.' || !strncmp(de->d_name, ".ktoprc", 7))
			entries++;
	closedir(dh);
	assert_int_equal(entries, 1);
}

/* A symlink where the file goes is neither read nor written through. */
static void test_symlink_refused(void **state)
{
	char why[256], warn[64], target[160], d[128], buf[16] = "";
	struct settings s;
	FILE *f;

	(void)state;
	snprintf(d, sizeof(d), "%s/ktop", dir);
	mkdir(d, 0700);
	snprintf(target, sizeof(target), "%s/target", dir);
	f = fopen(target, "w");
	assert_non_null(f);
	fputs("delay=7\n", f);
	fclose(f);
	assert_int_equal(symlink(target, path), 0);
	settings_defaults(&s);
	assert_int_equal(settings_load(&s, path, warn, sizeof(warn), why, sizeof(why)), -ELOOP);
	assert_non_null(strstr(why, "symlink"));
	assert_true(s.delay_s == 1.0);
	assert_true(settings_save(&s, path, why, sizeof(why)) < 0);
	assert_non_null(strstr(why, "symlink"));
	f = fopen(target, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "delay=7\n");
}

/* A directory that cannot be made: one reason, no crash, nothing written. */
static void test_save_unwritable(void **state)
{
	char why[256], blocker[128], p[192];
	struct settings s;
	FILE *f;

	(void)state;
	snprintf(blocker, sizeof(blocker), "%s/file", dir);
	f = fopen(blocker, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/ktop/ktoprc", blocker);
	settings_defaults(&s);
	assert_int_equal(settings_save(&s, p, why, sizeof(why)), -ENOTDIR);
	assert_non_null(strstr(why, "Not a directory"));
}

static void test_path(void **state)
{
	char buf[256], why[128];

	(void)state;
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("HOME", "/home/u", 1);
	assert_int_equal(settings_path(buf, sizeof(buf), why, sizeof(why)), 0);
	assert_string_equal(buf, "/x/conf/ktop/ktoprc");
	setenv("XDG_CONFIG_HOME", "relative", 1);
	assert_int_equal(settings_path(buf, sizeof(buf), why, sizeof(why)), 0);
	assert_string_equal(buf, "/home/u/.config/ktop/ktoprc");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	assert_int_equal(settings_path(buf, sizeof(buf), why, sizeof(why)), -ENOENT);
}

/* The command line wins over the file: parsed over the settings' values. */
static void test_command_line_overrides(void **state)
{
	char *argv[] = { "ktop", "-d", "3", "--no-mouse", NULL };
	char why[128];
	struct settings s;
	struct options o;

	(void)state;
	settings_defaults(&s);
	s.delay_s = 5;
	s.slow_ms = 77;
	snprintf(s.panel, sizeof(s.panel), "bio");
	s.mouse = true;
	options_defaults(&o);
	settings_to_options(&s, &o);
	assert_int_equal(options_parse_over(&o, 4, argv, why, sizeof(why)), 0);
	assert_true(o.delay_s == 3.0);
	assert_int_equal(o.slow_ms, 77);
	assert_string_equal(o.panel, "bio");
	assert_false(o.mouse);
}

/* columns.TABLE: the shown columns in order, kept as written; sorts of the new tables. */
static void test_columns(void **state)
{
	char warn[1024], why[256];
	struct settings s, r;
	const struct settings_sort *st;

	(void)state;
	write_file("columns.overview= pid, command,busy\n"
		   "columns.sql_list=time,ms,query,user\n"
		   "sort.sql_list=ms\n"
		   "sort.sql_list.reverse=yes\n"
		   "sort.bio_procs=comm\n");
	settings_defaults(&s);
	assert_int_equal(settings_load(&s, path, warn, sizeof(warn), why, sizeof(why)), 0);
	assert_string_equal(warn, "");
	/* written back in one form: names, commas, no blanks */
	assert_string_equal(settings_columns_find(&s, "overview"), "pid,command,busy");
	assert_string_equal(settings_columns_find(&s, "sql_list"), "time,ms,query,user");
	assert_null(settings_columns_find(&s, "bio"));
	st = settings_sort_find(&s, "sql_list");
	assert_non_null(st);
	assert_string_equal(st->column, "ms");
	assert_true(st->reverse);
	st = settings_sort_find(&s, "bio_procs");
	assert_non_null(st);
	assert_string_equal(st->column, "comm");
	/* saved and read back the same */
	assert_int_equal(settings_save(&s, path, why, sizeof(why)), 0);
	settings_defaults(&r);
	assert_int_equal(settings_load(&r, path, warn, sizeof(warn), why, sizeof(why)), 0);
	assert_true(settings_equal(&s, &r));
	assert_int_equal(settings_columns_put(&r, "overview", "pid,user"), 0);
	assert_false(settings_equal(&s, &r));
}

/* A bad column list warns with its line and keeps the table's columns; the rest applies. */
static void test_bad_columns(void **state)
{
	char warn[1024], why[256], want[256];
	struct settings s;

	(void)state;
	write_file("columns.overview=pid,nosuch,busy\n"
		   "columns.nosuch=pid\n"
		   "columns.sql=count,count\n"
		   "columns.stacks=\n"
		   "sort.overview=bar\n"
		   "columns.bio=disk,iops\n"
		   "delay=3\n");
	settings_defaults(&s);
	assert_int_equal(settings_load(&s, path, warn, sizeof(warn), why, sizeof(why)), 5);
	snprintf(want, sizeof(want), "%s:1: overview has no column 'nosuch'\n", path);
	assert_non_null(strstr(warn, want));
	snprintf(want, sizeof(want), "%s:2: no table called 'nosuch'\n", path);
	assert_non_null(strstr(warn, want));
	snprintf(want, sizeof(want), "%s:3: column 'count' is listed twice\n", path);
	assert_non_null(strstr(warn, want));
	snprintf(want, sizeof(want), "%s:4: stacks: no column to show\n", path);
	assert_non_null(strstr(warn, want));
	/* the bar is drawn from the busy time: not a sort of its own */
	snprintf(want, sizeof(want), "%s:5: overview: column 'bar' is not a sort\n", path);
	assert_non_null(strstr(warn, want));
	assert_null(settings_columns_find(&s, "overview"));
	assert_null(settings_columns_find(&s, "sql"));
	assert_null(settings_columns_find(&s, "stacks"));
	assert_null(settings_sort_find(&s, "overview"));
	assert_string_equal(settings_columns_find(&s, "bio"), "disk,iops");
	assert_true(s.delay_s == 3.0);
}

/* The setup screen's typed values go through the file's parser: the command line's bounds. */
static void test_typed_values(void **state)
{
	char why[256];
	struct settings s;

	(void)state;
	settings_defaults(&s);
	assert_true(settings_item_is_typed(SETTINGS_DELAY));
	assert_true(settings_item_is_typed(SETTINGS_SLOW_QUERY));
	assert_true(settings_item_is_typed(SETTINGS_SLOW_IO));
	assert_true(settings_item_is_typed(SETTINGS_USTACK));
	assert_true(settings_item_is_typed(SETTINGS_THEME));
	assert_false(settings_item_is_typed(SETTINGS_MOUSE));
	assert_int_equal(settings_set(&s, settings_item_key(SETTINGS_SLOW_QUERY), "250", why,
				      sizeof(why)),
			 0);
	assert_int_equal(s.slow_ms, 250);
	assert_int_not_equal(settings_set(&s, settings_item_key(SETTINGS_DELAY), "0.05", why,
					  sizeof(why)),
			     0);
	assert_non_null(strstr(why, "delay: "));
	assert_true(s.delay_s == 1.0);
	assert_int_equal(settings_set(&s, settings_item_key(SETTINGS_SLOW_IO), "12x", why,
				      sizeof(why)),
			 -EINVAL);
	assert_int_equal(s.slow_io_us, 10000);
}

/* What batch mode takes from the file: the tables' columns and sorts, nothing else. */
static void test_tables_only(void **state)
{
	struct settings s, d;

	(void)state;
	settings_defaults(&s);
	settings_defaults(&d);
	snprintf(s.panel, sizeof(s.panel), "sql");
	s.delay_s = 5;
	s.slow_ms = 0;
	s.slow_io_us = 1;
	s.kthreads = true;
	s.unwind = KTOP_UNWIND_FP;
	assert_int_equal(settings_sort_put(&s, "sql_list", "db", true), 0);
	assert_int_equal(settings_columns_put(&s, "overview", "pid,command"), 0);
	settings_tables_only(&s);
	assert_string_equal(s.panel, d.panel);
	assert_true(s.delay_s == d.delay_s);
	assert_int_equal(s.slow_ms, d.slow_ms);
	assert_int_equal(s.slow_io_us, d.slow_io_us);
	assert_false(s.kthreads);
	assert_int_equal(s.unwind, d.unwind);
	assert_string_equal(settings_sort_find(&s, "sql_list")->column, "db");
	assert_string_equal(settings_columns_find(&s, "overview"), "pid,command");
}

/* The setup screen's steps stay within what the file accepts. */
static void test_item_steps(void **state)
{
	char value[64], why[128];
	struct settings s, r;

	(void)state;
	settings_defaults(&s);
	for (int i = 0; i < SETTINGS_NITEMS; i++) {
		for (int k = 0; k < 20; k++) {
			settings_item_step(&s, (enum settings_item)i, k < 10 ? 1 : -1);
			settings_defaults(&r);
			value[0] = '\0';
			/* what the file would hold parses back to the same value */
			settings_save(&s, path, why, sizeof(why));
			assert_int_equal(settings_load(&r, path, value, sizeof(value), why,
						       sizeof(why)),
					 0);
			assert_true(settings_equal(&s, &r));
		}
	}
	settings_defaults(&s);
	settings_item_step(&s, SETTINGS_DELAY, 1);
	assert_true(s.delay_s == 2.0);
	settings_item_step(&s, SETTINGS_MOUSE, 1);
	assert_false(s.mouse);
	settings_item_value(&s, SETTINGS_THEME, value, sizeof(value));
	assert_string_equal(value, "(default)");
	settings_item_step(&s, SETTINGS_THEME, 1);
	assert_string_equal(s.theme, "default");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines_warn_and_rest_applies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_control_characters_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_unwritable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_line_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_item_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typed_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tables_only, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
