// SPDX-License-Identifier: GPL-2.0
/* Tests of util/escape.c: nothing from a traced process may reach the terminal raw. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "util/escape.h"

#define BIG 4096

/* Escape len bytes of src into a static buffer large enough for anything here. */
static const char *esc(const char *src, size_t len)
{
	static char out[BIG];

	escape_text(out, sizeof(out), src, len);
	return out;
}

/* Whether any byte of s is a C0 control or DEL. */
static bool has_c0_or_del(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return true;
	}
	return false;
}

/* Plain printable ASCII is copied as is. */
static void test_plain_ascii(void **state)
{
	const char *s = "SELECT * FROM t WHERE a = 'x' AND b > 3; ~!@#$%^&*()";
	char out[128];
	size_t n;

	(void)state;
	n = escape_text(out, sizeof(out), s, strlen(s));
	assert_string_equal(out, s);
	assert_int_equal(n, strlen(s));
}

/* A terminal escape sequence loses its ESC byte. */
static void test_esc_sequence(void **state)
{
	const char *s = "\x1b[2J\x1b]0;pwned\x07";
	const char *out;

	(void)state;
	out = esc(s, strlen(s));
	assert_null(strchr(out, 0x1b));
	assert_null(strchr(out, 0x07));
	assert_string_equal(out, "\\x1b[2J\\x1b]0;pwned\\x07");
}

/* Every C0 control, NUL and DEL become \xNN. */
static void test_c0_controls(void **state)
{
	char src[1], want[8];
	int c;

	(void)state;
	for (c = 0; c < 0x20; c++) {
		src[0] = (char)c;
		snprintf(want, sizeof(want), "\\x%02x", c);
		assert_string_equal(esc(src, 1), want);
	}
	src[0] = 0x7f;
	assert_string_equal(esc(src, 1), "\\x7f");
	assert_string_equal(esc("a\0b", 3), "a\\x00b");
	assert_string_equal(esc("line1\nline2\ttab\r", 16), "line1\\x0aline2\\x09tab\\x0d");
}

/* A backslash is doubled so that escapes cannot be forged. */
static void test_backslash(void **state)
{
	(void)state;
	assert_string_equal(esc("a\\b", 3), "a\\\\b");
	assert_string_equal(esc("\\x1b", 4), "\\\\x1b");
}

/* C1 controls encoded as UTF-8 (U+0080-U+009F) are escaped byte by byte. */
static void test_c1_controls(void **state)
{
	char src[2], want[16];
	int c;

	(void)state;
	assert_string_equal(esc("\xc2\x9b;31m", 6), "\\xc2\\x9b;31m");
	for (c = 0x80; c <= 0x9f; c++) {
		src[0] = (char)0xc2;
		src[1] = (char)c;
		snprintf(want, sizeof(want), "\\xc2\\x%02x", c);
		assert_string_equal(esc(src, 2), want);
	}
	/* Raw 8-bit C1 bytes are invalid UTF-8 anyway. */
	assert_string_equal(esc("\x9b", 1), "\\x9b");
	/* U+00A0 is the first printable one after them. */
	assert_string_equal(esc("\xc2\xa0", 2), "\xc2\xa0");
}

/* Overlong forms are escaped, whatever they would decode to. */
static void test_overlong(void **state)
{
	(void)state;
	assert_string_equal(esc("\xc0\xaf", 2), "\\xc0\\xaf");
	assert_string_equal(esc("\xc1\xbf", 2), "\\xc1\\xbf");
	assert_string_equal(esc("\xe0\x80\xaf", 3), "\\xe0\\x80\\xaf");
	assert_string_equal(esc("\xe0\x9f\xbf", 3), "\\xe0\\x9f\\xbf");
	assert_string_equal(esc("\xf0\x80\x80\xaf", 4), "\\xf0\\x80\\x80\\xaf");
	assert_string_equal(esc("\xf0\x8f\xbf\xbf", 4), "\\xf0\\x8f\\xbf\\xbf");
	/* An overlong ESC. */
	assert_string_equal(esc("\xc0\x9b", 2), "\\xc0\\x9b");
}

/* Surrogates, code points past U+10FFFF and bytes never used in UTF-8 are escaped. */
static void test_invalid_sequences(void **state)
{
	char src[1], want[8];
	int c;

	(void)state;
	assert_string_equal(esc("\xed\xa0\x80", 3), "\\xed\\xa0\\x80");
	assert_string_equal(esc("\xed\xbf\xbf", 3), "\\xed\\xbf\\xbf");
	assert_string_equal(esc("\xf4\x90\x80\x80", 4), "\\xf4\\x90\\x80\\x80");
	for (c = 0xf5; c <= 0xff; c++) {
		src[0] = (char)c;
		snprintf(want, sizeof(want), "\\x%02x", c);
		assert_string_equal(esc(src, 1), want);
	}
	/* Lone continuation bytes. */
	assert_string_equal(esc("\x80\xbf", 2), "\\x80\\xbf");
	/* A lead byte followed by a non-continuation byte: the ASCII byte survives. */
	assert_string_equal(esc("\xe6z", 2), "\\xe6z");
	assert_string_equal(esc("\xc3\x1b", 2), "\\xc3\\x1b");
}

/* A sequence cut short, in the middle or at the end of the input, is escaped. */
static void test_truncated_sequences(void **state)
{
	(void)state;
	assert_string_equal(esc("\xe6\x95", 2), "\\xe6\\x95");
	assert_string_equal(esc("\xe6\x95x", 3), "\\xe6\\x95x");
	assert_string_equal(esc("\xf0\x9f\x98", 3), "\\xf0\\x9f\\x98");
	/* The length bound cuts a valid character: what is left is escaped. */
	assert_string_equal(esc("\xc3\xa9", 1), "\\xc3");
}

/* Valid printable UTF-8 of every length stays as it is. */
static void test_valid_utf8(void **state)
{
	const char *s = "caf\xc3\xa9 \xe6\x95\xb0\xe6\x8d\xae \xf0\x9f\x98\x80 \xef\xbf\xbd "
			"\xf4\x8f\xbf\xbd";

	(void)state;
	assert_string_equal(esc(s, strlen(s)), s);
	assert_string_equal(esc("\xc3\xa9", 2), "\xc3\xa9");
	assert_string_equal(esc("\xe6\x95\xb0\xe6\x8d\xae", 6), "\xe6\x95\xb0\xe6\x8d\xae");
}

/* Bidi overrides and line separators, which can disguise text, are escaped. */
static void test_bidi_controls(void **state)
{
	(void)state;
	assert_string_equal(esc("a\xe2\x80\xaez", 5), "a\\xe2\\x80\\xaez");
	assert_string_equal(esc("\xe2\x81\xa6", 3), "\\xe2\\x81\\xa6");
	assert_string_equal(esc("\xe2\x80\xa8", 3), "\\xe2\\x80\\xa8");
}

/* Plain text cut: NUL-terminated at every size, "..." when there is room. */
static void test_truncate_ascii(void **state)
{
	const char *s = "abcdefghij";
	char out[16];
	size_t size, n;

	(void)state;
	for (size = 1; size <= sizeof(out); size++) {
		memset(out, 'Z', sizeof(out));
		n = escape_text(out, size, s, strlen(s));
		assert_int_equal(out[n], '\0');
		assert_int_equal(strlen(out), n);
		assert_true(n < size);
		if (size > strlen(s)) {
			assert_string_equal(out, s);
		} else if (size - 1 >= 3) {
			assert_int_equal(n, size - 1);
			assert_memory_equal(out, s, n - 3);
			assert_string_equal(out + n - 3, "...");
		} else {
			assert_memory_equal(out, s, n);
		}
		/* Nothing past the terminator is written. */
		if (size < sizeof(out))
			assert_int_equal(out[size], 'Z');
	}
	n = escape_text(out, 8, s, strlen(s));
	assert_string_equal(out, "abcd...");
	n = escape_text(out, 11, s, strlen(s));
	assert_string_equal(out, "abcdefghij");
	assert_int_equal(n, 10);
}

/* A zero-sized buffer is not touched. */
static void test_zero_size(void **state)
{
	char out[4] = "XYZ";

	(void)state;
	assert_int_equal(escape_text(out, 0, "abc", 3), 0);
	assert_string_equal(out, "XYZ");
	assert_int_equal(escape_text(out, 1, "abc", 3), 0);
	assert_string_equal(out, "");
}

/*
 * Cut mixed input at every size: what is left before "..." must be the escaped form of a
 * prefix of the input, so no escape or character is ever cut in half.
 */
static void test_truncate_never_cuts(void **state)
{
	const char src[] = "\x1b[1m\xe6\x95\xb0\\\xc3\xa9\x01\xff\xf0\x9f\x98\x80x\xc2\x9b";
	size_t src_len = sizeof(src) - 1;
	bool allowed[BIG] = {false};
	char full[BIG], out[BIG];
	size_t full_len, k, size;

	(void)state;
	full_len = escape_text(full, sizeof(full), src, src_len);
	for (k = 0; k <= src_len; k++) {
		char part[BIG];
		size_t n = escape_text(part, sizeof(part), src, k);

		if (strncmp(full, part, n) == 0)
			allowed[n] = true;
	}
	for (size = 1; size <= full_len + 2; size++) {
		size_t n, body;

		memset(out, 'Z', sizeof(out));
		n = escape_text(out, size, src, src_len);
		assert_true(n < size);
		assert_int_equal(out[n], '\0');
		assert_int_equal(strlen(out), n);
		body = n;
		if (size - 1 < full_len) {
			if (size - 1 >= 3) {
				assert_true(n >= 3);
				assert_string_equal(out + n - 3, "...");
				body = n - 3;
			}
		} else {
			assert_string_equal(out, full);
		}
		assert_true(allowed[body]);
		assert_memory_equal(out, full, body);
		assert_null(strchr(out, 0x1b));
	}
}

/* escape_cstr stops at the NUL or at max bytes, whichever comes first. */
static void test_cstr(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(escape_cstr(out, sizeof(out), "abcdef", 3), 3);
	assert_string_equal(out, "abc");
	escape_cstr(out, sizeof(out), "ab\x1bz", 100);
	assert_string_equal(out, "ab\\x1bz");
	escape_cstr(out, sizeof(out), "\xe6\x95\xb0", 2);
	assert_string_equal(out, "\\xe6\\x95");
	escape_cstr(out, sizeof(out), NULL, 10);
	assert_string_equal(out, "");
}

/*
 * Random bytes: the output is valid UTF-8 without a control character (checked with the C
 * library's own decoder), and escape_undo gives back the exact input.
 */
static void test_random_round_trip(void **state)
{
	char src[64], out[BIG], back[BIG];
	int iter;

	(void)state;
	if (!setlocale(LC_CTYPE, "C.UTF-8") && !setlocale(LC_CTYPE, "C.utf8"))
		skip();
	srand(12345);
	for (iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)rand() % sizeof(src), i, n;
		mbstate_t mb;
		const char *p;

		for (i = 0; i < len; i++) {
			/* Favour bytes around the interesting UTF-8 boundaries. */
			int r = rand() % 4;

			if (r == 0)
				src[i] = (char)(0x80 + rand() % 0x40);
			else if (r == 1)
				src[i] = (char)(0xc0 + rand() % 0x40);
			else
				src[i] = (char)(rand() % 256);
		}
		n = escape_text(out, sizeof(out), src, len);
		assert_int_equal(strlen(out), n);
		assert_false(has_c0_or_del(out));
		memset(&mb, 0, sizeof(mb));
		for (p = out; *p;) {
			wchar_t wc;
			size_t r = mbrtowc(&wc, p, strlen(p), &mb);

			assert_true(r != (size_t)-1 && r != (size_t)-2 && r > 0);
			assert_false(wc >= 0x80 && wc <= 0x9f);
			assert_false(iswcntrl((wint_t)wc));
			p += r;
		}
		assert_int_equal(escape_undo(back, out, n), len);
		assert_memory_equal(back, src, len);
	}
	setlocale(LC_CTYPE, "C");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ascii),
		cmocka_unit_test(test_esc_sequence),
		cmocka_unit_test(test_c0_controls),
		cmocka_unit_test(test_backslash),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_invalid_sequences),
		cmocka_unit_test(test_truncated_sequences),
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_bidi_controls),
		cmocka_unit_test(test_truncate_ascii),
		cmocka_unit_test(test_zero_size),
		cmocka_unit_test(test_truncate_never_cuts),
		cmocka_unit_test(test_cstr),
		cmocka_unit_test(test_random_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
