// SPDX-License-Identifier: GPL-2.0
/*
 * The slow queries' rules: the file format (good lines, each kind of bad line skipped with one
 * warning naming file:line), matching a stack's user frames (under, if, parameter lists and
 * inlined marks left out, kernel frames never), the user's file read before the installed one,
 * and the built-in files parsing cleanly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/sched_model.h"
#include "collectors/sql_rules.h"

/* A stack of user frames, outermost first, then one kernel frame. */
static struct stack_sample stack_of(struct stack_frame *f, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		f[i] = (struct stack_frame){ .name = names[i], .kind = STACK_FRAME_USER };
	f[n] = (struct stack_frame){ .name = "futex_wait", .kind = STACK_FRAME_KERNEL };
	return (struct stack_sample){ .frames = f, .nframes = (uint32_t)n + 1 };
}

static void test_parse(void **state)
{
	struct sql_rules rs = { 0 };

	(void)state;
	sql_rules_parse(&rs,
			"# a comment\n"
			"\n"
			"Item_func_sleep::val_int -> sleep   # trailing comment\n"
			"pthread_cond_*wait under handler::* if poll,other -> lock\n",
			"x.rules", "/d/x.rules");
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.bad, 0);
	assert_string_equal(rs.warning, "");
	assert_string_equal(rs.rules[0].frame, "Item_func_sleep::val_int");
	assert_int_equal(rs.rules[0].cls, SCHED_TIME_SLEEP);
	assert_string_equal(rs.rules[0].where, "x.rules:3");
	assert_string_equal(rs.rules[1].under, "handler::*");
	assert_int_equal(rs.rules[1].if_classes,
			 (1u << SCHED_TIME_POLL) | (1u << SCHED_TIME_OTHER));
	assert_int_equal(rs.rules[1].cls, SCHED_TIME_LOCK);
	sql_rules_clear(&rs);
}

/* Each bad line is skipped; only the first is said, with its file and line. */
static void test_bad_lines(void **state)
{
	static const char *const bad[] = {
		"frame sleep\n",	       /* a word where under, if or -> goes */
		"frame ->\n",		       /* no class */
		"frame -> nap\n",	       /* unknown class */
		"-> lock\n",		       /* no frame */
		"frame under -> lock\n",       /* under without pattern */
		"frame if poll,nap -> lock\n", /* unknown class in if */
		"frame when x -> lock\n",      /* unknown word */
		"frame -> lock lock\n",	       /* more after the class */
	};
	struct sql_rules rs = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];

		snprintf(text, sizeof(text), "ok -> io\n%s", bad[i]);
		sql_rules_parse(&rs, text, "y.rules", "/d/y.rules");
		assert_int_equal(rs.n, i + 1);
		assert_int_equal(rs.bad, i + 1);
	}
	assert_string_equal(rs.warning,
			    "/d/y.rules:2: expected 'under', 'if' or '->' (line skipped)");
	sql_rules_clear(&rs);
}

static void test_match(void **state)
{
	static const char *const upd[] = { "do_command(THD*, bool)",
					   "mysql_update(THD*)",
					   "handler::ha_index_read_map(unsigned char*)",
					   "[unknown: mariadbd is stripped]",
					   "__pthread_cond_wait_common [inlined]",
					   "pthread_cond_timedwait" };
	static const char *const idle[] = { "do_command(THD*, bool)", "pthread_cond_timedwait" };
	struct stack_frame f[8];
	struct stack_sample s;
	struct sql_rules rs = { 0 };
	const struct sql_rule *r;

	(void)state;
	sql_rules_parse(&rs,
			"futex_wait -> io\n"
			"pthread_cond_*wait under handler::* if poll -> lock\n"
			"__pthread_cond_wait_common -> other\n",
			"m.rules", "m.rules");
	s = stack_of(f, upd, 6);
	/* the kernel frame is never matched; the if decides between rules 2 and 3 */
	r = sql_rules_match(&rs, &s, SCHED_TIME_POLL);
	assert_non_null(r);
	assert_string_equal(r->where, "m.rules:2");
	r = sql_rules_match(&rs, &s, SCHED_TIME_IO);
	assert_non_null(r);
	assert_string_equal(r->where, "m.rules:3");
	/* under: a caller must match, not the frame itself nor a callee */
	s = stack_of(f, idle, 2);
	assert_null(sql_rules_match(&rs, &s, SCHED_TIME_POLL));
	sql_rules_clear(&rs);
}

/* The user's file, then the installed one; neither: the built-in copy. */
static void test_load_order(void **state)
{
	char dir[] = "/tmp/ktop-rules.XXXXXX";
	char user[64], sys[64], path[96];
	struct sql_rules rs = { 0 };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(user, sizeof(user), "%s/user", dir);
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	assert_int_equal(mkdir(user, 0700), 0);
	assert_int_equal(mkdir(sys, 0700), 0);
	snprintf(path, sizeof(path), "%s/mariadb.rules", sys);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("sys_frame -> io\n", f);
	fclose(f);
	sql_rules_load(&rs, "mariadb", user, sys);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.rules[0].frame, "sys_frame");
	assert_string_equal(rs.source, path);
	sql_rules_clear(&rs);

	snprintf(path, sizeof(path), "%s/mariadb.rules", user);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("user_frame -> net\nbad line\n", f);
	fclose(f);
	sql_rules_load(&rs, "mariadb", user, sys);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.rules[0].frame, "user_frame");
	assert_int_equal(rs.bad, 1);
	assert_non_null(strstr(rs.warning, "/user/mariadb.rules:2: "));
	unlink(path);
	sql_rules_clear(&rs);

	snprintf(path, sizeof(path), "%s/mariadb.rules", sys);
	unlink(path);
	sql_rules_load(&rs, "mariadb", user, sys);
	assert_string_equal(rs.source, "built-in mariadb.rules");
	assert_true(rs.n > 0);
	sql_rules_clear(&rs);
	rmdir(user);
	rmdir(sys);
	rmdir(dir);
}

/* The files shipped parse without a bad line. */
static void test_builtins_clean(void **state)
{
	static const char *const kinds[] = { "mariadb", "postgresql" };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct sql_rules rs = { 0 };

		sql_rules_load(&rs, kinds[i], "/nonexistent", "/nonexistent");
		assert_true(rs.n >= 3);
		assert_int_equal(rs.bad, 0);
		sql_rules_clear(&rs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	       cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_match),	       cmocka_unit_test(test_load_order),
		cmocka_unit_test(test_builtins_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
