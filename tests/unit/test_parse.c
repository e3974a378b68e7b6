// SPDX-License-Identifier: GPL-2.0
/* Tests of util/parse.c: strict numbers, seconds and PID lists, with their reasons. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/parse.h"

/* Parse s as u64 in [min, max] and expect err; on success *out must be want. */
static void check_u64(const char *s, uint64_t min, uint64_t max, int err, uint64_t want)
{
	uint64_t out = 0xdeadbeef;
	char why[128] = "";
	int ret;

	ret = parse_u64(s, min, max, &out, why, sizeof(why));
	if (ret != err)
		fail_msg("parse_u64(\"%s\") = %d, expected %d (%s)", s, ret, err, why);
	if (err == 0)
		assert_true(out == want);
	else
		assert_true(out == 0xdeadbeef && why[0] != '\0');
}

/* Whole decimal numbers in range are accepted. */
static void test_u64_valid(void **state)
{
	(void)state;
	check_u64("0", 0, 10, 0, 0);
	check_u64("42", 0, 100, 0, 42);
	check_u64("007", 0, 100, 0, 7);
	check_u64("3600", 1, 3600, 0, 3600);
	check_u64("1", 1, 3600, 0, 1);
	check_u64("18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX);
}

/* Anything but digits, a sign, or junk before or after is refused. */
static void test_u64_invalid(void **state)
{
	(void)state;
	check_u64("", 0, 10, -EINVAL, 0);
	check_u64(NULL, 0, 10, -EINVAL, 0);
	check_u64("12x", 0, 100, -EINVAL, 0);
	check_u64(" 5", 0, 10, -EINVAL, 0);
	check_u64("5 ", 0, 10, -EINVAL, 0);
	check_u64("5\n", 0, 10, -EINVAL, 0);
	check_u64("0x10", 0, 100, -EINVAL, 0);
	check_u64("+5", 0, 10, -EINVAL, 0);
	check_u64("1.5", 0, 10, -EINVAL, 0);
	check_u64("1e3", 0, 10000, -EINVAL, 0);
	check_u64("-", 0, 10, -EINVAL, 0);
	check_u64("abc", 0, 10, -EINVAL, 0);
}

/* Out-of-range values, negative ones and overflow are -ERANGE. */
static void test_u64_range(void **state)
{
	(void)state;
	check_u64("-1", 0, 10, -ERANGE, 0);
	check_u64("0", 1, 3600, -ERANGE, 0);
	check_u64("3601", 1, 3600, -ERANGE, 0);
	check_u64("99999999999999999999", 0, UINT64_MAX, -ERANGE, 0);
	check_u64("18446744073709551616", 0, UINT64_MAX, -ERANGE, 0);
	check_u64("184467440737095516150", 0, UINT64_MAX, -ERANGE, 0);
}

/* The reasons quote the input and name the range, as the header promises. */
static void test_u64_reasons(void **state)
{
	char why[128];
	uint64_t out;

	(void)state;
	assert_int_equal(parse_u64("abc", 0, 10, &out, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "'abc' is not a number");
	assert_int_equal(parse_u64("0", 1, 3600, &out, why, sizeof(why)), -ERANGE);
	assert_string_equal(why, "'0' is out of range (1 to 3600)");
	/* The reason is cut to the caller's buffer. */
	assert_int_equal(parse_u64("abc", 0, 10, &out, why, 5), -EINVAL);
	assert_string_equal(why, "'abc");
}

/* Control characters typed into a prompt are escaped in the reason. */
static void test_reason_escaped(void **state)
{
	char why[128];
	uint64_t out;
	double d;

	(void)state;
	assert_int_equal(parse_u64("\x1b[2J", 0, 10, &out, why, sizeof(why)), -EINVAL);
	assert_null(strchr(why, 0x1b));
	assert_string_equal(why, "'\\x1b[2J' is not a number");
	assert_int_equal(parse_seconds("1\x9b", 0, 10, &d, why, sizeof(why)), -EINVAL);
	assert_null(strchr(why, (char)0x9b));
}

/* Parse s as seconds in [min, max] and expect err; on success *out must be want. */
static void check_seconds(const char *s, double min, double max, int err, double want)
{
	char why[128] = "";
	double out = -42;
	int ret;

	ret = parse_seconds(s, min, max, &out, why, sizeof(why));
	if (ret != err)
		fail_msg("parse_seconds(\"%s\") = %d, expected %d (%s)", s, ret, err, why);
	if (err == 0)
		assert_true(out == want);
	else
		assert_true(out == -42 && why[0] != '\0');
}

/* Decimal seconds, including fractions, are read exactly. */
static void test_seconds_valid(void **state)
{
	(void)state;
	check_seconds("1", 0.1, 3600, 0, 1.0);
	check_seconds("0.5", 0.1, 3600, 0, 0.5);
	check_seconds("2.25", 0.1, 3600, 0, 2.25);
	check_seconds("0.1", 0.1, 3600, 0, 0.1);
	check_seconds("10", 0.1, 3600, 0, 10.0);
	check_seconds("3600.000", 0.1, 3600, 0, 3600.0);
}

/* Exponents, words, signs, spaces and junk are refused. */
static void test_seconds_invalid(void **state)
{
	(void)state;
	check_seconds("", 0.1, 3600, -EINVAL, 0);
	check_seconds("1e3", 0.1, 3600, -EINVAL, 0);
	check_seconds("inf", 0.1, 3600, -EINVAL, 0);
	check_seconds("nan", 0.1, 3600, -EINVAL, 0);
	check_seconds("infinity", 0.1, 3600, -EINVAL, 0);
	check_seconds(" 1", 0.1, 3600, -EINVAL, 0);
	check_seconds("1 ", 0.1, 3600, -EINVAL, 0);
	check_seconds("1s", 0.1, 3600, -EINVAL, 0);
	check_seconds("0x1", 0.1, 3600, -EINVAL, 0);
	check_seconds("1,5", 0.1, 3600, -EINVAL, 0);
	check_seconds("1..2", 0.1, 3600, -EINVAL, 0);
	check_seconds(".", 0.1, 3600, -EINVAL, 0);
	check_seconds("+1", 0.1, 3600, -EINVAL, 0);
	check_seconds("-", 0.1, 3600, -EINVAL, 0);
}

/* Values outside the range, negative ones included, are -ERANGE with the range named. */
static void test_seconds_range(void **state)
{
	char why[128];
	double d;

	(void)state;
	check_seconds("-1", 0.1, 3600, -ERANGE, 0);
	check_seconds("0", 0.1, 3600, -ERANGE, 0);
	check_seconds("0.05", 0.1, 3600, -ERANGE, 0);
	check_seconds("3600.5", 0.1, 3600, -ERANGE, 0);
	check_seconds("99999999999999999999999999999999", 0.1, 3600, -ERANGE, 0);
	assert_int_equal(parse_seconds("0", 0.1, 3600, &d, why, sizeof(why)), -ERANGE);
	assert_string_equal(why, "'0' is out of range (0.1 to 3600)");
}

/* A locale with a decimal comma does not change what a seconds value means. */
static void test_seconds_locale(void **state)
{
	static const char *const locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8"};
	const char *got = NULL;
	char why[128];
	double d = 0;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(locales) / sizeof(locales[0]) && !got; i++)
		got = setlocale(LC_ALL, locales[i]);
	if (!got)
		skip();
	ret = parse_seconds("0.5", 0.1, 3600, &d, why, sizeof(why));
	parse_seconds("0", 0.1, 3600, &d, why, sizeof(why));
	setlocale(LC_ALL, "C");
	assert_int_equal(ret, 0);
	assert_true(d == 0.5);
	assert_string_equal(why, "'0' is out of range (0.1 to 3600)");
}

/* A PID that surely does not exist: a child that has been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* Live PIDs are accepted, duplicates dropped, order kept. */
static void test_bool(void **state)
{
	char why[128] = "";
	bool v = false;

	(void)state;
	assert_int_equal(parse_bool("yes", &v, why, sizeof(why)), 0);
	assert_true(v);
	assert_int_equal(parse_bool("OFF", &v, why, sizeof(why)), 0);
	assert_false(v);
	assert_int_equal(parse_bool("1", &v, why, sizeof(why)), 0);
	assert_true(v);
	assert_int_equal(parse_bool("false", &v, why, sizeof(why)), 0);
	assert_false(v);
	assert_int_equal(parse_bool("maybe", &v, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "'maybe' is not yes or no");
	assert_int_equal(parse_bool("", &v, why, sizeof(why)), -EINVAL);
}

static void test_pid_list_valid(void **state)
{
	char s[64], why[128];
	uint32_t pids[4];
	size_t n = 99;
	pid_t self = getpid();

	(void)state;
	snprintf(s, sizeof(s), "%d", (int)self);
	assert_int_equal(parse_pid_list(s, pids, 4, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], (uint32_t)self);

	/* PID 1 exists; without root kill() says EPERM, which still means it exists. */
	snprintf(s, sizeof(s), "%d,1,%d,1", (int)self, (int)self);
	assert_int_equal(parse_pid_list(s, pids, 4, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pids[0], (uint32_t)self);
	assert_int_equal(pids[1], 1);

	/* Duplicates do not count against the limit. */
	snprintf(s, sizeof(s), "%d,%d,%d", (int)self, (int)self, (int)self);
	assert_int_equal(parse_pid_list(s, pids, 1, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 1);
}

/* A PID with no process behind it is -ESRCH with the PID named. */
static void test_pid_list_missing(void **state)
{
	char s[64], want[64], why[128];
	uint32_t pids[4];
	size_t n = 99;
	pid_t dead = dead_pid();

	(void)state;
	snprintf(s, sizeof(s), "1,%d", (int)dead);
	assert_int_equal(parse_pid_list(s, pids, 4, &n, why, sizeof(why)), -ESRCH);
	snprintf(want, sizeof(want), "no process with PID %d", (int)dead);
	assert_string_equal(why, want);
	assert_int_equal(n, 0);
}

/* More distinct PIDs than max is an error. */
static void test_pid_list_too_many(void **state)
{
	char s[64], why[128];
	uint32_t pids[4];
	size_t n = 99;

	(void)state;
	snprintf(s, sizeof(s), "1,%d", (int)getpid());
	assert_int_equal(parse_pid_list(s, pids, 1, &n, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "too many PIDs (at most 1)");
	assert_int_equal(n, 0);
}

/* Malformed lists: empty items, junk, spaces, signs, zero and huge numbers. */
static void test_pid_list_invalid(void **state)
{
	static const struct {
		const char *s;
		int err;
	} cases[] = {
		{"", -EINVAL},
		{",", -EINVAL},
		{"1,", -EINVAL},
		{",1", -EINVAL},
		{"1,,1", -EINVAL},
		{"abc", -EINVAL},
		{"1 ,1", -EINVAL},
		{" 1", -EINVAL},
		{"1;2", -EINVAL},
		{"0x1", -EINVAL},
		{"+1", -EINVAL},
		{"-1", -ERANGE},
		{"0", -ERANGE},
		{"99999999999", -ERANGE},
		{"1111111111111111111111111111111111111111", -EINVAL},
	};
	uint32_t pids[4];
	char why[128];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		n = 99;
		why[0] = '\0';
		ret = parse_pid_list(cases[i].s, pids, 4, &n, why, sizeof(why));
		if (ret != cases[i].err)
			fail_msg("parse_pid_list(\"%s\") = %d, expected %d (%s)", cases[i].s, ret,
				 cases[i].err, why);
		assert_int_equal(n, 0);
		assert_true(why[0] != '\0');
	}
	assert_int_equal(parse_pid_list("1,abc", pids, 4, &n, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "'abc' is not a number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_valid),	 cmocka_unit_test(test_u64_invalid),
		cmocka_unit_test(test_u64_range),	 cmocka_unit_test(test_u64_reasons),
		cmocka_unit_test(test_reason_escaped),	 cmocka_unit_test(test_seconds_valid),
		cmocka_unit_test(test_seconds_invalid),	 cmocka_unit_test(test_seconds_range),
		cmocka_unit_test(test_seconds_locale),	 cmocka_unit_test(test_pid_list_valid),
		cmocka_unit_test(test_pid_list_missing), cmocka_unit_test(test_pid_list_too_many),
		cmocka_unit_test(test_pid_list_invalid), cmocka_unit_test(test_bool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
