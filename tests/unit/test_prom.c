// SPDX-License-Identifier: GPL-2.0
/* Tests core/prom.c: label escaping, cumulative histogram buckets, le="+Inf", HELP lines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http_server.h"
#include "core/prom.h"

/* The value of the line that starts with prefix, as an integer; -1 when there is none. */
static long long line_value(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while (p && *p) {
		if (!strncmp(p, prefix, n) && p[n] == ' ')
			return atoll(p + n + 1);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* Backslash, double quote and newline are escaped; invalid UTF-8 never reaches the output. */
static void test_label_escaping(void **state)
{
	struct prom_label l[2] = { { "comm", "a\\b\"c\nd" },
				   { "disk", "x\xff"
					     "y\xc3\xa9" } };
	struct prom_buf b;

	(void)state;
	prom_buf_init(&b);
	prom_sample_u64(&b, "ktop_x_total", l, 2, 7);
	assert_string_equal(b.data,
			    "ktop_x_total{comm=\"a\\\\b\\\"c\\nd\",disk=\"x?y\xc3\xa9\"} 7\n");
	prom_buf_free(&b);
}

/* A sample without labels has no braces; a real value is written in full. */
static void test_plain_samples(void **state)
{
	struct prom_buf b;

	(void)state;
	prom_buf_init(&b);
	prom_sample_u64(&b, "ktop_a", NULL, 0, 18446744073709551615ULL);
	prom_sample_f64(&b, "ktop_b_seconds_total", NULL, 0, 1.5);
	assert_string_equal(b.data, "ktop_a 18446744073709551615\nktop_b_seconds_total 1.5\n");
	prom_buf_free(&b);
}

/* HELP escapes backslash and newline; TYPE follows it. */
static void test_family(void **state)
{
	struct prom_buf b;

	(void)state;
	prom_buf_init(&b);
	prom_family(&b, "ktop_y_total", "counter", "a \\ b\nc \"q\"");
	assert_string_equal(b.data, "# HELP ktop_y_total a \\\\ b\\nc \"q\"\n"
				    "# TYPE ktop_y_total counter\n");
	prom_buf_free(&b);
}

/* Buckets are cumulative, bounded in seconds at 2^(k+1) us, +Inf holds the clamped slot. */
static void test_hist_usecs(void **state)
{
	struct prom_label l[1] = { { "disk", "loop0" } };
	struct hist h = { 0 };
	struct prom_buf b;

	(void)state;
	hist_record(&h, 1);	   /* slot 0: le 2us */
	hist_record(&h, 100);	   /* slot 6: [64, 127] -> le 128us */
	hist_record(&h, 120);	   /* slot 6 */
	hist_record(&h, 1000);	   /* slot 9: le 1024us */
	h.slots[HIST_SLOTS - 1]++; /* the clamped slot: only in +Inf */
	h.sum += 5000000000ULL;
	prom_buf_init(&b);
	prom_hist(&b, "ktop_lat_seconds", l, 1, &h, PROM_HIST_USECS);
	assert_int_equal(
		line_value(b.data, "ktop_lat_seconds_bucket{disk=\"loop0\",le=\"0.000002\"}"), 1);
	assert_int_equal(
		line_value(b.data, "ktop_lat_seconds_bucket{disk=\"loop0\",le=\"0.000064\"}"), 1);
	assert_int_equal(
		line_value(b.data, "ktop_lat_seconds_bucket{disk=\"loop0\",le=\"0.000128\"}"), 3);
	assert_int_equal(
		line_value(b.data, "ktop_lat_seconds_bucket{disk=\"loop0\",le=\"0.001024\"}"), 4);
	assert_int_equal(
		line_value(b.data, "ktop_lat_seconds_bucket{disk=\"loop0\",le=\"2147.483648\"}"),
		4);
	assert_int_equal(line_value(b.data, "ktop_lat_seconds_bucket{disk=\"loop0\",le=\"+Inf\"}"),
			 5);
	assert_int_equal(line_value(b.data, "ktop_lat_seconds_count{disk=\"loop0\"}"), 5);
	assert_non_null(strstr(b.data, "ktop_lat_seconds_sum{disk=\"loop0\"} 5000.001221\n"));
	/* every bound once, in increasing order, +Inf last */
	assert_null(strstr(b.data, "le=\"4294.967296\""));
	assert_true(strstr(b.data, "le=\"2147.483648\"") < strstr(b.data, "le=\"+Inf\""));
	prom_buf_free(&b);
}

/* Sizes are whole bytes: a 4096-byte request is at most 8191, above 4095. */
static void test_hist_bytes(void **state)
{
	struct hist h = { 0 };
	struct prom_buf b;

	(void)state;
	hist_record(&h, 4096);
	prom_buf_init(&b);
	prom_hist(&b, "ktop_size_bytes", NULL, 0, &h, PROM_HIST_BYTES);
	assert_int_equal(line_value(b.data, "ktop_size_bytes_bucket{le=\"4095\"}"), 0);
	assert_int_equal(line_value(b.data, "ktop_size_bytes_bucket{le=\"8191\"}"), 1);
	assert_int_equal(line_value(b.data, "ktop_size_bytes_sum"), 4096);
	prom_buf_free(&b);
}

/* --listen's forms: a port alone is loopback; IPv6 in brackets; bad ones say why. */
static void test_listen_parse(void **state)
{
	char host[64], why[160];
	unsigned int port;

	(void)state;
	assert_int_equal(http_listen_parse("9100", host, sizeof(host), &port, why, sizeof(why)), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 9100);
	assert_int_equal(
		http_listen_parse("0.0.0.0:80", host, sizeof(host), &port, why, sizeof(why)), 0);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 80);
	assert_int_equal(http_listen_parse("[::1]:0", host, sizeof(host), &port, why, sizeof(why)),
			 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 0);
	assert_int_not_equal(
		http_listen_parse("70000", host, sizeof(host), &port, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "port"));
	assert_int_not_equal(
		http_listen_parse(":9100", host, sizeof(host), &port, why, sizeof(why)), 0);
	assert_int_not_equal(
		http_listen_parse("::1:9100", host, sizeof(host), &port, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "brackets"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escaping), cmocka_unit_test(test_plain_samples),
		cmocka_unit_test(test_family),	       cmocka_unit_test(test_hist_usecs),
		cmocka_unit_test(test_hist_bytes),     cmocka_unit_test(test_listen_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
