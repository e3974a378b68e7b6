// SPDX-License-Identifier: GPL-2.0
/* Query fingerprints (literals to ?, lists collapsed, case and space folded) and redaction. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/fingerprint.h"

static const char *fp(const char *sql)
{
	static char buf[512];

	fingerprint_sql(sql, buf, sizeof(buf));
	return buf;
}

static const char *redact(const char *sql)
{
	static char buf[512];

	fingerprint_redact(sql, buf, sizeof(buf));
	return buf;
}

static void test_literals(void **state)
{
	(void)state;
	assert_string_equal(fp("SELECT SLEEP(0.3)"), "select sleep(?)");
	assert_string_equal(fp("select * from t where name = 'bob''s' and id=17"),
			    "select * from t where name = ? and id=?");
	assert_string_equal(fp("SELECT 1"), "select ?");
	assert_string_equal(fp("select x1, t2.c3 from t2 where y = 0x1F or z = 1.5e3"),
			    "select x1, t2.c3 from t2 where y = ? or z = ?");
	assert_string_equal(fp("select 'a\\'b' from dual"), "select ? from dual");
}

static void test_same_shape_groups(void **state)
{
	char a[128], b[128];

	(void)state;
	fingerprint_sql("SELECT SLEEP(0.3)", a, sizeof(a));
	fingerprint_sql("select   sleep(0.4);", b, sizeof(b));
	assert_string_equal(a, b);
	fingerprint_sql("SELECT 1", b, sizeof(b));
	assert_string_not_equal(a, b);
}

static void test_lists(void **state)
{
	(void)state;
	assert_string_equal(fp("SELECT * FROM t WHERE id IN (1, 2, 3)"),
			    "select * from t where id in (?)");
	assert_string_equal(fp("select * from t where id in ('a','b')"),
			    "select * from t where id in (?)");
	assert_string_equal(fp("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, NULL)"),
			    "insert into t (a, b) values (?)");
	/* a subquery is not a list of literals */
	assert_string_equal(fp("select * from t where id in (select id from u where v = 4)"),
			    "select * from t where id in (select id from u where v = ?)");
}

static void test_space_comments_case(void **state)
{
	(void)state;
	assert_string_equal(fp("  SELECT\n\t*   FROM  T  -- why\n WHERE /* c */ A = 1 ; "),
			    "select * from t where a = ?");
	assert_string_equal(fp("UPDATE accounts SET balance = balance - 20 WHERE id = 17"),
			    "update accounts set balance = balance - ? where id = ?");
}

static void test_redact_keeps_shape(void **state)
{
	(void)state;
	assert_string_equal(redact("UPDATE users SET password='hunter2' WHERE id = 42"),
			    "UPDATE users SET password=? WHERE id = ?");
	assert_string_equal(redact("SELECT  col1  FROM t2"), "SELECT  col1  FROM t2");
	assert_null(strstr(redact("select 'secret', 4111111111111111"), "secret"));
	assert_null(strstr(redact("select 'secret', 4111111111111111"), "4111"));
}

static void test_bounds(void **state)
{
	char small[8];

	(void)state;
	/* cut to the buffer, the dangling space trimmed */
	assert_int_equal(fingerprint_sql("SELECT * FROM a_long_table_name", small, sizeof(small)),
			 6);
	assert_string_equal(small, "select");
	assert_int_equal(fingerprint_sql("'unterminated", small, sizeof(small)), 1);
	assert_string_equal(small, "?");
	assert_int_equal(fingerprint_sql("", small, sizeof(small)), 0);
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_same_shape_groups),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_space_comments_case),
		cmocka_unit_test(test_redact_keeps_shape),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
