// SPDX-License-Identifier: GPL-2.0
/* The Block I/O panel's text and JSON exports, from a model built here (no kernel needed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/bio_model.h"
#include "core/export.h"
#include "tests/unit/panel_test.h"
#include "ui/bio_panel.h"

#define KEY_F6_CODE (0410 + 6) /* ncurses' KEY_F(6) */
#define DEV_VDA ((253u << 20) | 0)
#define DEV_LOOP ((7u << 20) | 3)

static struct bio_model model;
static struct filter filter;
static struct collector collector = { .is_open = true, .mode = "tp_btf" };

/* 1000 4 KiB writes on loop3 (97 at 32-63us, 900 at 256-511us, 3 at 16-32ms), 10 reads on vda. */
static void build_model(void)
{
	struct bio_span *s = &model.interval;
	struct bio_stats *w, *r;

	memset(&model, 0, sizeof(model));
	s->seconds = 2.0;
	s->ndisks = 2;
	s->disks = calloc(2, sizeof(*s->disks));
	s->disks[0].dev = DEV_LOOP;
	strcpy(s->disks[0].name, "loop3");
	s->disks[1].dev = DEV_VDA;
	strcpy(s->disks[1].name, "vda");
	w = &s->disks[0].op[BIO_OP_WRITE];
	for (int i = 0; i < 1000; i++) {
		uint64_t us = i < 97 ? 40 : i < 997 ? 300 : 20000;

		hist_record(&w->lat_total, us);
		hist_record(&w->lat_device, us / 2);
		hist_record(&w->size, 4096);
		w->ios++;
		w->bytes += 4096;
		w->slow += us >= 10000;
	}
	r = &s->disks[1].op[BIO_OP_READ];
	for (int i = 0; i < 10; i++) {
		hist_record(&r->lat_total, 100);
		hist_record(&r->lat_device, 90);
		hist_record(&r->size, 65536);
		r->ios++;
		r->bytes += 65536;
	}
	s->nprocs = 1;
	s->procs = calloc(1, sizeof(*s->procs));
	s->procs[0] = (struct bio_proc){ .pid = 4242, .dev = DEV_LOOP, .ios = 1000,
					 .bytes = 4096000, .lat_us_sum = 1000 * 300 };
	strcpy(s->procs[0].comm, "dd\\x1b[31m");
	model.cumulative = model.interval;
	model.cumulative.disks = calloc(2, sizeof(*s->disks));
	memcpy(model.cumulative.disks, s->disks, 2 * sizeof(*s->disks));
	model.cumulative.procs = NULL;
	model.cumulative.nprocs = 0;
	model.slow_us = 10000;
	model.polls = 1;
}

static int setup(void **state)
{
	struct panel *p = calloc(1, sizeof(*p));

	build_model();
	filter.bio_slow_us = 10000;
	p->ops = &bio_panel_ops;
	p->collector = &collector;
	p->model = &model;
	p->filter = &filter;
	p->batch = true;
	bio_panel_init(p);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct panel *p = *state;

	p->ops->free(p);
	free(p);
	bio_span_clear(&model.interval);
	bio_span_clear(&model.cumulative);
	return 0;
}

static void test_text_histogram(void **state)
{
	char *text = export_to_string(*state, EXPORT_TEXT);

	/* the buckets of the merged histogram, with their counts */
	assert_non_null(strstr(text, "32 -> 63"));
	assert_non_null(strstr(text, "256 -> 511"));
	assert_non_null(strstr(text, "16384 -> 32767"));
	assert_non_null(strstr(text, "       900 "));
	/* IOPS over the 2 s interval: 1010 / 2 */
	assert_non_null(strstr(text, "IOPS 505"));
	assert_non_null(strstr(text, "slow > 10.0ms: 3"));
	/* both disks in the table and the submitting process, its name kept escaped */
	assert_non_null(strstr(text, "loop3"));
	assert_non_null(strstr(text, "vda"));
	assert_non_null(strstr(text, "4242"));
	assert_non_null(strstr(text, "dd\\x1b[31m"));
	assert_null(strchr(text, '\x1b'));
	free(text);
}

static void test_text_size_and_split(void **state)
{
	struct panel *p = *state;
	char *text;

	assert_true(key_used(p, 'b'));
	assert_true(key_used(p, 'o'));
	text = export_to_string(p, EXPORT_TEXT);
	assert_non_null(strstr(text, "4K -> 8K"));
	assert_non_null(strstr(text, "64K -> 128K"));
	assert_non_null(strstr(text, "write: 1000 I/Os"));
	assert_non_null(strstr(text, "read: 10 I/Os"));
	free(text);
}

/* Where the table row of disk name starts in text, or NULL. */
static const char *disk_row(const char *text, const char *name)
{
	char needle[32];

	snprintf(needle, sizeof(needle), "\n %s ", name);
	return strstr(text, needle);
}

/* The disks table: the busiest first, F6 the next column (MB/s), I the other way. */
static void test_disks_sorted(void **state)
{
	struct panel *p = *state;
	char *text;

	text = export_to_string(p, EXPORT_TEXT);
	assert_non_null(strstr(text, "vIOPS"));
	assert_true(disk_row(text, "loop3") < disk_row(text, "vda"));
	free(text);
	assert_true(key_used(p, 'I'));
	text = export_to_string(p, EXPORT_TEXT);
	assert_non_null(strstr(text, "^IOPS"));
	assert_non_null(disk_row(text, "vda"));
	assert_true(disk_row(text, "vda") < disk_row(text, "loop3"));
	free(text);
	/* F6 twice: MB/s, then READ/s (vda has the reads), still reversed */
	assert_true(key_used(p, KEY_F6_CODE));
	assert_true(key_used(p, KEY_F6_CODE));
	assert_true(key_used(p, 'I'));
	text = export_to_string(p, EXPORT_TEXT);
	assert_non_null(strstr(text, "vREAD/s"));
	assert_true(disk_row(text, "vda") < disk_row(text, "loop3"));
	free(text);
}

/*
 * The processes table sorts too: the most I/O first; after T, F6 and I act on it (by COMM, the
 * other way) and leave the disks as they were; T again: the disks.
 */
static void test_procs_sorted(void **state)
{
	struct panel *p = *state;
	struct bio_span *s = &model.interval;
	char *text;

	free(s->procs);
	s->nprocs = 2;
	s->procs = calloc(2, sizeof(*s->procs));
	s->procs[0] = (struct bio_proc){ .pid = 4242, .dev = DEV_LOOP, .ios = 1000,
					 .bytes = 4096000, .lat_us_sum = 1000 * 300 };
	strcpy(s->procs[0].comm, "writer");
	s->procs[1] = (struct bio_proc){ .pid = 17, .dev = DEV_VDA, .ios = 10, .bytes = 655360,
					 .lat_us_sum = 10 * 100 };
	strcpy(s->procs[1].comm, "reader");
	text = export_to_string(p, EXPORT_TEXT);
	assert_non_null(strstr(text, "\n 4242 "));
	assert_true(strstr(text, "\n 4242 ") < strstr(text, "\n 17 "));
	free(text);
	assert_true(key_used(p, 'T'));
	assert_true(key_used(p, KEY_F6_CODE)); /* after IOPS: MB/s */
	assert_true(key_used(p, KEY_F6_CODE)); /* avg */
	assert_true(key_used(p, KEY_F6_CODE)); /* PID, ascending */
	assert_true(key_used(p, KEY_F6_CODE)); /* COMM, A to Z */
	text = export_to_string(p, EXPORT_TEXT);
	assert_non_null(strstr(text, "^COMM"));
	assert_true(strstr(text, "\n 17 ") < strstr(text, "\n 4242 "));
	/* the disks kept their sort */
	assert_non_null(strstr(text, "vIOPS"));
	assert_true(disk_row(text, "loop3") < disk_row(text, "vda"));
	free(text);
	assert_true(key_used(p, 'I'));
	text = export_to_string(p, EXPORT_TEXT);
	assert_non_null(strstr(text, "vCOMM"));
	assert_true(strstr(text, "\n 4242 ") < strstr(text, "\n 17 "));
	free(text);
	assert_true(key_used(p, 'T'));
	assert_true(key_used(p, 'I'));
	text = export_to_string(p, EXPORT_TEXT);
	assert_non_null(strstr(text, "^IOPS"));
	assert_true(disk_row(text, "vda") < disk_row(text, "loop3"));
	assert_true(strstr(text, "\n 4242 ") < strstr(text, "\n 17 "));
	free(text);
}

/* Every key of the panel's rows is used, and no other key. */
static void test_keys_are_the_tables(void **state)
{
	assert_keys_are_the_tables(*state, true);
}

/* Parse the JSON with python and check figures in it. */
static void test_json(void **state)
{
	char *json = export_to_string(*state, EXPORT_JSON);
	char path[] = "/tmp/ktop-test-json.XXXXXX";
	char cmd[512];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(json, f);
	fclose(f);
	assert_non_null(strchr(json, '\n'));
	assert_ptr_equal(strchr(json, '\n'), json + strlen(json) - 1);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; d=json.load(open(\"%s\")); "
		 "l=[x for x in d[\"disks\"] if x[\"name\"]==\"loop3\"][0]; w=l[\"ops\"][\"write\"]; "
		 "assert d[\"panel\"]==\"bio\" and d[\"interval_s\"]==2.0, d; "
		 "assert w[\"ios\"]==1000 and w[\"slow\"]==3, w; "
		 "assert sum(b[\"count\"] for b in w[\"lat_total_us\"])==1000; "
		 "assert w[\"size_bytes\"]==[{\"low\":4096,\"high\":8191,\"count\":1000}]; "
		 "assert 256<=w[\"p50_us\"]<=511, w[\"p50_us\"]; "
		 "assert d[\"processes\"][0][\"comm\"]==\"dd\\x1b[31m\"; "
		 "assert \"read\" not in l[\"ops\"]'",
		 path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
	free(json);
}

static void test_threshold(void **state)
{
	struct panel *p = *state;
	struct filter f = { 0 };
	char why[128], text[64];

	assert_int_equal(p->ops->set_threshold(p, "2.5", &f, why, sizeof(why)), 0);
	assert_int_equal(f.bio_slow_us, 2500);
	p->ops->threshold_text(p, &f, text, sizeof(text));
	assert_string_equal(text, "slow I/O > 2.50ms");
	assert_int_not_equal(p->ops->set_threshold(p, "fast", &f, why, sizeof(why)), 0);
	assert_int_equal(f.bio_slow_us, 2500);
	assert_int_equal(p->ops->set_threshold(p, "", &f, why, sizeof(why)), 0);
	assert_int_equal(f.bio_slow_us, 0);
}

static void test_export_create_refuses_links(void **state)
{
	char dir[] = "/tmp/ktop-test-export.XXXXXX", link[512], target[512], why[256];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(target, link), 0);
	assert_null(export_create(link, why, sizeof(why)));
	assert_int_not_equal(access(target, F_OK), 0);
	f = export_create(target, why, sizeof(why));
	assert_non_null(f);
	fclose(f);
	/* an existing file is never overwritten */
	assert_null(export_create(target, why, sizeof(why)));
	unlink(link);
	unlink(target);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_histogram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_size_and_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_are_the_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disks_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_procs_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threshold, setup, teardown),
		cmocka_unit_test(test_export_create_refuses_links),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
