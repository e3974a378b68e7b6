// SPDX-License-Identifier: GPL-2.0
/* Tests of util/json.c: exact output, and tricky strings checked by a real JSON parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/json.h"

/* A writer into memory; json_text() closes it and returns what was written. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
	struct json_out j;
};

static void capture_start(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	json_init(&c->j, c->f);
}

/* Finish the capture; the caller frees the returned text. */
static char *capture_end(struct capture *c)
{
	assert_int_equal(fclose(c->f), 0);
	return c->buf;
}

/* The JSON text of one string value. */
static char *json_of_string(const char *s)
{
	struct capture c;

	capture_start(&c);
	json_str(&c.j, s);
	return capture_end(&c);
}

/* Whether python3 is there to act as the reference parser. */
static int have_python(void)
{
	return system("python3 -c pass >/dev/null 2>&1") == 0;
}

/*
 * Run python3's strict JSON parser on text; the string at key "s" is written back as UTF-8
 * into *decoded (caller frees). Returns the parser's exit status (0: valid JSON).
 */
static int python_decode(const char *text, char **decoded, size_t *decoded_len)
{
	char in[] = "/tmp/ktop-json-in-XXXXXX";
	char out[] = "/tmp/ktop-json-out-XXXXXX";
	char cmd[512];
	FILE *f;
	int fd, status;

	fd = mkstemp(in);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys\n"
		 "raw = sys.stdin.buffer.read()\n"
		 "v = json.loads(raw.decode(\"utf-8\", errors=\"strict\"))\n"
		 "if isinstance(v, dict) and \"s\" in v:\n"
		 "    sys.stdout.buffer.write(v[\"s\"].encode(\"utf-8\"))\n"
		 "' <%s >%s 2>/dev/null",
		 in, out);
	status = system(cmd);
	*decoded = NULL;
	*decoded_len = 0;
	f = fopen(out, "r");
	assert_non_null(f);
	*decoded = calloc(1, 8192);
	*decoded_len = fread(*decoded, 1, 8191, f);
	fclose(f);
	unlink(in);
	unlink(out);
	return status;
}

/* Nesting, commas and keys come out exactly. */
static void test_structure(void **state)
{
	struct capture c;
	char *text;

	(void)state;
	capture_start(&c);
	json_object_begin(&c.j);
	json_kv_u64(&c.j, "a", 1);
	json_key(&c.j, "b");
	json_array_begin(&c.j);
	json_u64(&c.j, 1);
	json_i64(&c.j, -2);
	json_object_begin(&c.j);
	json_kv_bool(&c.j, "c", true);
	json_object_end(&c.j);
	json_array_begin(&c.j);
	json_array_end(&c.j);
	json_object_begin(&c.j);
	json_object_end(&c.j);
	json_array_end(&c.j);
	json_key(&c.j, "d");
	json_null(&c.j);
	json_kv_str(&c.j, "e", "x");
	json_kv_bool(&c.j, "f", false);
	json_kv_double(&c.j, "g", 1.5, 2);
	json_object_end(&c.j);
	text = capture_end(&c);
	assert_string_equal(text, "{\"a\":1,\"b\":[1,-2,{\"c\":true},[],{}],\"d\":null,\"e\":\"x\","
				  "\"f\":false,\"g\":1.50}");
	free(text);
}

/* Top-level values (one snapshot per line) get no comma between them. */
static void test_json_lines(void **state)
{
	struct capture c;
	char *text;

	(void)state;
	capture_start(&c);
	json_object_begin(&c.j);
	json_kv_u64(&c.j, "n", 1);
	json_object_end(&c.j);
	fputc('\n', c.f);
	json_object_begin(&c.j);
	json_kv_u64(&c.j, "n", 2);
	json_object_end(&c.j);
	text = capture_end(&c);
	assert_string_equal(text, "{\"n\":1}\n{\"n\":2}");
	free(text);
}

/* The escapes RFC 8259 names, and \u00XX for the other controls. */
static void test_string_escapes(void **state)
{
	char *text;

	(void)state;
	text = json_of_string("q\"b\\n\nt\tr\rb\bf\f");
	assert_string_equal(text, "\"q\\\"b\\\\n\\nt\\tr\\rb\\bf\\f\"");
	free(text);
	text = json_of_string("\x01\x1b[2J\x1f\x7f");
	assert_string_equal(text, "\"\\u0001\\u001b[2J\\u001f\\u007f\"");
	assert_null(strchr(text, 0x1b));
	free(text);
	text = json_of_string("");
	assert_string_equal(text, "\"\"");
	free(text);
}

/* Valid UTF-8 is kept; C1 controls become \u00XX; invalid bytes become U+FFFD. */
static void test_string_utf8(void **state)
{
	char *text;

	(void)state;
	text = json_of_string("caf\xc3\xa9 \xe6\x95\xb0\xe6\x8d\xae \xf0\x9f\x98\x80");
	assert_string_equal(text, "\"caf\xc3\xa9 \xe6\x95\xb0\xe6\x8d\xae \xf0\x9f\x98\x80\"");
	free(text);
	text = json_of_string("\xc2\x9b[m");
	assert_string_equal(text, "\"\\u009b[m\"");
	free(text);
	text = json_of_string("a\xffz");
	assert_string_equal(text, "\"a\\ufffdz\"");
	free(text);
	text = json_of_string("\xc0\xaf\xed\xa0\x80\xe6\x95");
	assert_string_equal(text, "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
	free(text);
}

/* Keys are escaped like values. */
static void test_key_escaped(void **state)
{
	struct capture c;
	char *text;

	(void)state;
	capture_start(&c);
	json_object_begin(&c.j);
	json_kv_str(&c.j, "k\"\n\xff", "v");
	json_object_end(&c.j);
	text = capture_end(&c);
	assert_string_equal(text, "{\"k\\\"\\n\\ufffd\":\"v\"}");
	free(text);
}

/* Numbers: limits of the integer types, decimals, and null for NaN and infinities. */
static void test_numbers(void **state)
{
	struct capture c;
	char *text;

	(void)state;
	capture_start(&c);
	json_array_begin(&c.j);
	json_u64(&c.j, UINT64_MAX);
	json_i64(&c.j, INT64_MIN);
	json_double(&c.j, 2.4, 0);
	json_double(&c.j, 0.125, 3);
	json_double(&c.j, -1.5, 1);
	json_double(&c.j, NAN, 2);
	json_double(&c.j, INFINITY, 2);
	json_double(&c.j, -INFINITY, 2);
	json_array_end(&c.j);
	text = capture_end(&c);
	assert_string_equal(text, "[18446744073709551615,-9223372036854775808,2,0.125,-1.5,"
				  "null,null,null]");
	free(text);
}

/*
 * Numbers written without printf (up to 6 decimals, below 1e12) read as printf's "%.*f" does:
 * the same text for values across magnitudes, signs, ties and every decimals count.
 */
static void test_numbers_as_printf(void **state)
{
	static const double values[] = {
		0,     -0.0,	  0.5,	     1.5,	 2.5,	     -2.5,	0.125,	  0.0005,
		2.675, 1e-7,	  999.9995,  123456.789, 1e11 + 0.5, -42.4242,	0.3,	  1e12 - 1,
		5e12,  123.456e9, 1.0 / 3.0, 2.0 / 3.0,	 99.95,	     1000000.5, 7.000001, 1e15,
	};
	unsigned int seed = 16;

	(void)state;
	for (int d = 0; d <= 7; d++) {
		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]) + 2000; i++) {
			double v = i < sizeof(values) / sizeof(values[0])
					   ? values[i]
					   : (rand_r(&seed) / (double)RAND_MAX - 0.3) *
						     pow(10, rand_r(&seed) % 13 - 4);
			char want[400], *got;
			struct capture c;

			snprintf(want, sizeof(want), "%.*f", d, v);
			capture_start(&c);
			json_double(&c.j, v, d);
			got = capture_end(&c);
			assert_string_equal(got, want);
			free(got);
		}
	}
}

/* A locale with a decimal comma must not change JSON numbers. */
static void test_double_locale(void **state)
{
	static const char *const locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
					      "nl_NL.UTF-8"};
	const char *got = NULL;
	struct capture c;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(locales) / sizeof(locales[0]) && !got; i++)
		got = setlocale(LC_NUMERIC, locales[i]);
	if (!got)
		skip();
	capture_start(&c);
	json_double(&c.j, 1.5, 2);
	text = capture_end(&c);
	setlocale(LC_NUMERIC, "C");
	assert_string_equal(text, "1.50");
	free(text);
}

/* Nesting past JSON_MAX_DEPTH stays balanced: the too-deep container is written as null. */
static void test_depth_limit(void **state)
{
	char want[256], *text, *decoded;
	struct capture c;
	size_t n = 0, len;
	int i;

	(void)state;
	capture_start(&c);
	for (i = 0; i < JSON_MAX_DEPTH + 8; i++)
		json_array_begin(&c.j);
	json_u64(&c.j, 7);
	json_kv_str(&c.j, "dropped", "x");
	for (i = 0; i < JSON_MAX_DEPTH + 8; i++)
		json_array_end(&c.j);
	json_array_end(&c.j); /* one too many: ignored */
	text = capture_end(&c);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		want[n++] = '[';
	memcpy(want + n, "null", 4);
	n += 4;
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		want[n++] = ']';
	want[n] = '\0';
	assert_string_equal(text, want);
	if (have_python()) {
		assert_int_equal(python_decode(text, &decoded, &len), 0);
		free(decoded);
	}
	free(text);
}

/* Every tricky string is valid JSON to a real parser and decodes to what we expect. */
static void test_round_trip_python(void **state)
{
	static const struct {
		const char *in;
		const char *decoded;
	} cases[] = {
		{"plain", "plain"},
		{"q\"uote\\back", "q\"uote\\back"},
		{"\x1b[2J\x07\x7f", "\x1b[2J\x07\x7f"},
		{"tab\tnl\ncr\rbs\bff\f", "tab\tnl\ncr\rbs\bff\f"},
		{"\xc2\x9bxc1", "\xc2\x9bxc1"},
		{"caf\xc3\xa9 \xe6\x95\xb0\xe6\x8d\xae", "caf\xc3\xa9 \xe6\x95\xb0\xe6\x8d\xae"},
		{"bad\xff\xfe", "bad\xef\xbf\xbd\xef\xbf\xbd"},
		{"over\xc0\xaf", "over\xef\xbf\xbd\xef\xbf\xbd"},
		{"surr\xed\xa0\x80", "surr\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"cut\xe6\x95", "cut\xef\xbf\xbd\xef\xbf\xbd"},
		/* text escaped by util/escape.h decodes to the bytes it stands for */
		{"\\x1b[31mred\\x1b[0m", "\x1b[31mred\x1b[0m"},
		{"a\\\\b\\x01c\\xff", "a\\b\x01" "c\xef\xbf\xbd"},
		{"not \\xZZ nor \\x4", "not \\xZZ nor \\x4"},
		{"bidi\xe2\x80\xaez\xe2\x80\xa8", "bidi\xe2\x80\xaez\xe2\x80\xa8"},
		{"</script>", "</script>"},
	};
	size_t i;

	(void)state;
	if (!have_python())
		skip();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c;
		char *text, *decoded;
		size_t len;

		capture_start(&c);
		json_object_begin(&c.j);
		json_kv_str(&c.j, "s", cases[i].in);
		json_key(&c.j, "list");
		json_array_begin(&c.j);
		json_str(&c.j, cases[i].in);
		json_double(&c.j, NAN, 1);
		json_array_end(&c.j);
		json_object_end(&c.j);
		text = capture_end(&c);
		assert_int_equal(python_decode(text, &decoded, &len), 0);
		assert_int_equal(len, strlen(cases[i].decoded));
		assert_memory_equal(decoded, cases[i].decoded, len);
		free(decoded);
		free(text);
	}
}

/* Control: the reference parser does reject broken JSON, so the checks above mean something. */
static void test_python_rejects(void **state)
{
	char *decoded;
	size_t len;

	(void)state;
	if (!have_python())
		skip();
	assert_int_not_equal(python_decode("{\"s\":\"a\x01\"}", &decoded, &len), 0);
	free(decoded);
	assert_int_not_equal(python_decode("{\"s\":\"\xff\"}", &decoded, &len), 0);
	free(decoded);
	assert_int_not_equal(python_decode("[1,]", &decoded, &len), 0);
	free(decoded);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),	  cmocka_unit_test(test_json_lines),
		cmocka_unit_test(test_string_escapes),	  cmocka_unit_test(test_string_utf8),
		cmocka_unit_test(test_key_escaped),	  cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_numbers_as_printf), cmocka_unit_test(test_double_locale),
		cmocka_unit_test(test_depth_limit),	  cmocka_unit_test(test_round_trip_python),
		cmocka_unit_test(test_python_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
