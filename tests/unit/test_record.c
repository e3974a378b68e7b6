// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of record/: the file and frame headers and their checksums, the section codec and its
 * zstd packing, a recording written and read back through its index and by scanning, a file
 * cut at every byte and a file with each byte flipped (the reader lists only whole frames and
 * never returns bytes that differ from what was written), the --keep ring, and the creation
 * rules (O_EXCL, no symlink followed, mode 0600).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/trigger.h"
#include "record/record_file.h"
#include "record/record_frame.h"
#include "record/record_reader.h"
#include "record/record_time.h"
#include "record/record_writer.h"

#define NFRAMES 5
#define SEC 1000000000ull

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ktop-record.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* The JSON of panel "p" in interval i: differs per interval. */
static void interval_json(char *buf, size_t len, int i)
{
	snprintf(buf, len, "{\"panel\":\"offcpu\",\"interval\":%d,\"pad\":\"%0*d\"}", i, 40 + i, i);
}

/* Fill f with interval i's sections. */
static void fill_frame(struct record_frame *f, int i)
{
	char json[256];

	record_frame_clear(f);
	interval_json(json, sizeof(json), i);
	assert_int_equal(record_frame_add(f, RECORD_SECTION_JSON, "offcpu", json, strlen(json)), 0);
	assert_int_equal(record_frame_add(f, RECORD_SECTION_TEXT, "offcpu", "text\n", 5), 0);
	assert_int_equal(record_frame_add(f, 77, "future", "\x01\x02", 2), 0);
}

static void header_init(struct record_header *h, uint32_t keep_s)
{
	memset(h, 0, sizeof(*h));
	h->interval_us = 1000000;
	h->start_ns = 1000 * SEC;
	h->keep_s = keep_s;
	snprintf(h->host, sizeof(h->host), "box");
	snprintf(h->kernel, sizeof(h->kernel), "6.18");
	snprintf(h->ktop_version, sizeof(h->ktop_version), "0.1.0");
}

/* Write a recording of n intervals one second apart, closed cleanly. */
static void write_recording(const char *path, int n, uint32_t keep_s)
{
	struct record_writer *w;
	struct record_frame f = { 0 };
	struct record_header h;
	char why[256];

	header_init(&h, keep_s);
	assert_int_equal(record_writer_open(&w, path, &h, why, sizeof(why)), 0);
	for (int i = 0; i < n; i++) {
		fill_frame(&f, i);
		assert_int_equal(record_writer_append(w, &f, (1001 + (uint64_t)i) * SEC, why,
						      sizeof(why)), 0);
	}
	assert_int_equal(record_writer_frames(w), (uint64_t)n);
	record_frame_free(&f);
	assert_int_equal(record_writer_close(w, why, sizeof(why)), 0);
}

/* Check interval k of r holds interval want's JSON; -EBADMSG passes through. */
static int check_interval(struct record_reader *r, size_t k, int want)
{
	struct record_section s;
	char json[256], why[256];
	uint8_t *raw;
	size_t len;
	int err = record_reader_load(r, k, &raw, &len, why, sizeof(why));

	if (err) {
		assert_non_null(strstr(why, "bad frame at byte offset"));
		return err;
	}
	interval_json(json, sizeof(json), want);
	err = record_frame_find(raw, len, RECORD_SECTION_JSON, "offcpu", &s, why, sizeof(why));
	if (err == 1) {
		assert_int_equal(s.len, strlen(json));
		assert_memory_equal(s.data, json, s.len);
	}
	free(raw);
	return err == 1 ? 0 : -EBADMSG;
}

static void test_header_round_trip(void **state)
{
	uint8_t buf[RECORD_HEADER_LEN];
	struct record_header h, back;
	char why[256];

	(void)state;
	header_init(&h, 600);
	h.recording_id = 0x1122334455667788ull;
	h.segment = 3;
	h.panels = (1u << record_panel_bit("bio")) | (1u << record_panel_bit("trace"));
	record_header_encode(&h, buf);
	assert_int_equal(record_header_decode(buf, &back, why, sizeof(why)), 0);
	assert_int_equal(back.panels, h.panels); /* --record's panels, said in the header */
	assert_string_equal(record_panel_name((unsigned)record_panel_bit("trace")), "trace");
	assert_null(record_panel_name(31));
	assert_int_equal(back.interval_us, h.interval_us);
	assert_true(back.start_ns == h.start_ns && back.recording_id == h.recording_id);
	assert_int_equal(back.segment, 3);
	assert_int_equal(back.keep_s, 600);
	assert_string_equal(back.host, "box");
	assert_string_equal(back.kernel, "6.18");
	buf[50] ^= 1;
	assert_int_equal(record_header_decode(buf, &back, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "checksum"));
	buf[50] ^= 1;
	record_put_u16(buf + 8, 9);
	assert_int_equal(record_header_decode(buf, &back, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "version 9"));
	memcpy(buf, "GARBAGE!", 8);
	assert_int_equal(record_header_decode(buf, &back, why, sizeof(why)), -EBADMSG);
}

/*
 * Sections written through a stream land in the frame as record_frame_add puts them; a
 * failed one is dropped whole.
 */
static void test_section_stream(void **state)
{
	struct record_frame f = { 0 }, g = { 0 };
	struct record_section sec;
	char why[128];
	FILE *s;

	(void)state;
	assert_int_equal(record_frame_add(&g, RECORD_SECTION_JSON, "bio", "{\"a\":1}\n", 8), 0);
	assert_int_equal(record_frame_add(&g, RECORD_SECTION_TEXT, "sql", "", 0), 0);
	s = record_frame_section_begin(&f, RECORD_SECTION_JSON, "bio");
	assert_non_null(s);
	fprintf(s, "{\"a\":%d}\n", 1);
	assert_int_equal(record_frame_section_end(&f, s, true), 0);
	s = record_frame_section_begin(&f, RECORD_SECTION_TEXT, "offcpu");
	assert_non_null(s);
	for (int i = 0; i < 20000; i++) /* past stdio's buffer: several writes */
		fputs("0123456789", s);
	assert_int_equal(record_frame_section_end(&f, s, false), -EIO); /* the export failed */
	s = record_frame_section_begin(&f, RECORD_SECTION_TEXT, "sql");
	assert_non_null(s);
	assert_int_equal(record_frame_section_end(&f, s, true), 0);
	assert_int_equal(f.raw_len, g.raw_len);
	assert_memory_equal(f.raw, g.raw, g.raw_len);
	assert_int_equal(record_frame_find(f.raw, f.raw_len, RECORD_SECTION_TEXT, "offcpu", &sec,
					   why, sizeof(why)), 0);
	record_frame_free(&f);
	record_frame_free(&g);
}

/* The pressure files' some avg10, the flight recorder's fallback when poll triggers are refused. */
static void test_psi_avg10(void **state)
{
	double v = -1;

	(void)state;
	assert_int_equal(trigger_psi_avg10("some avg10=12.50 avg60=3.00 avg300=1.00 total=99\n"
					   "full avg10=1.00 avg60=0.00 avg300=0.00 total=9\n", &v), 0);
	assert_true(v == 12.5);
	assert_int_equal(trigger_psi_avg10("full avg10=7.00 avg60=0.00 avg300=0.00 total=9\n",
					   &v), -EINVAL);
	assert_int_equal(trigger_psi_avg10("", &v), -EINVAL);
	assert_int_equal(trigger_psi_avg10("some total=5\n", &v), -EINVAL);
}

static void test_frame_header(void **state)
{
	struct record_frame_header f = { .kind = RECORD_FRAME_INTERVAL, .stored_len = 10,
					 .raw_len = 30, .time_ns = 5, .seq = 7, .payload_crc = 9 };
	struct record_frame_header back;
	uint8_t buf[RECORD_FRAME_HEADER_LEN];
	char why[128];

	(void)state;
	record_frame_header_encode(&f, buf);
	assert_int_equal(record_frame_header_decode(buf, &back, why, sizeof(why)), 0);
	assert_true(back.stored_len == 10 && back.raw_len == 30 && back.seq == 7);
	for (size_t i = 0; i < sizeof(buf); i++) {
		buf[i] ^= 0x10;
		assert_int_equal(record_frame_header_decode(buf, &back, why, sizeof(why)),
				 -EBADMSG);
		buf[i] ^= 0x10;
	}
}

static void test_sections(void **state)
{
	struct record_frame f = { 0 };
	struct record_section s;
	uint8_t *raw;
	char why[128];
	size_t pos = 0;

	(void)state;
	fill_frame(&f, 2);
	assert_int_equal(record_frame_next(f.raw, f.raw_len, &pos, &s, why, sizeof(why)), 1);
	assert_int_equal(s.kind, RECORD_SECTION_JSON);
	assert_string_equal(s.name, "offcpu");
	assert_int_equal(record_frame_find(f.raw, f.raw_len, RECORD_SECTION_TEXT, "offcpu", &s,
					   why, sizeof(why)), 1);
	assert_memory_equal(s.data, "text\n", 5);
	assert_int_equal(record_frame_find(f.raw, f.raw_len, RECORD_SECTION_FOLDED, "offcpu", &s,
					   why, sizeof(why)), 0);
	/* every cut of the payload is either a clean end or a refused section, never a read past */
	for (size_t cut = 0; cut < f.raw_len; cut++) {
		int rc;

		pos = 0;
		while ((rc = record_frame_next(f.raw, cut, &pos, &s, why, sizeof(why))) > 0)
			assert_true(pos <= cut);
		assert_true(rc == 0 || rc == -EBADMSG);
	}
	assert_int_equal(record_frame_add(&f, 1, "a-name-longer-than-sixty-four-bytes-is-refused-"
					  "by-the-codec-xxxxxxxxxxxxx", "", 0), -EINVAL);
	assert_int_equal(record_frame_pack(&f, 3, NULL, 0, why, sizeof(why)), 0);
	assert_int_equal(record_frame_unpack(f.packed, f.packed_len, f.raw_len, NULL, 0, &raw, why,
					     sizeof(why)), 0);
	assert_memory_equal(raw, f.raw, f.raw_len);
	free(raw);
	assert_int_equal(record_frame_unpack(f.packed, f.packed_len, f.raw_len + 1, NULL, 0, &raw,
					     why, sizeof(why)), -EBADMSG);
	assert_null(raw);
	/* packed on a prefix: smaller, and read back only with the same prefix */
	{
		uint8_t prefix[600];
		size_t alone;

		memset(prefix, 'p', sizeof(prefix));
		memcpy(prefix + 100, f.raw, f.raw_len);
		alone = f.packed_len;
		assert_int_equal(record_frame_pack(&f, 3, prefix, sizeof(prefix), why, sizeof(why)),
				 0);
		assert_true(f.packed_len < alone);
		assert_int_equal(record_frame_unpack(f.packed, f.packed_len, f.raw_len, prefix,
						     sizeof(prefix), &raw, why, sizeof(why)), 0);
		assert_memory_equal(raw, f.raw, f.raw_len);
		free(raw);
		prefix[150] ^= 1;
		if (!record_frame_unpack(f.packed, f.packed_len, f.raw_len, prefix, sizeof(prefix),
					 &raw, why, sizeof(why))) {
			assert_memory_not_equal(raw, f.raw, f.raw_len);
			free(raw);
		}
	}
	record_frame_free(&f);
}

static void test_write_read(void **state)
{
	struct record_reader *r;
	char path[128], why[256];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/clean.ktop", dir);
	write_recording(path, 600, 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(record_reader_open(&r, path, why, sizeof(why)), 0);
	assert_false(record_reader_is_damaged(r, why, sizeof(why)));
	assert_int_equal(record_reader_count(r), 600);
	assert_string_equal(record_reader_header(r)->host, "box");
	for (size_t k = 0; k < 600; k += 37)
		assert_int_equal(check_interval(r, k, (int)k), 0);
	assert_true(record_reader_time(r, 599) == 1600 * SEC);
	assert_int_equal(record_reader_find(r, 1300 * SEC), 299);
	assert_int_equal(record_reader_find(r, 1300 * SEC + 1), 300);
	assert_int_equal(record_reader_find(r, 9999 * SEC), 600);
	record_reader_close(r);
}

/* Read the whole of a file. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spill(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f;

	unlink(path); /* a new file each time: ext4 flushes a file truncated and rewritten */
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static void test_cut_everywhere(void **state)
{
	char path[128], cut[140], why[256];
	struct record_reader *r;
	bool clean[NFRAMES + 1] = { false };
	size_t len, whole = 0;
	uint8_t *buf;

	(void)state;
	snprintf(path, sizeof(path), "%s/cut.ktop", dir);
	snprintf(cut, sizeof(cut), "%s/cut-n.ktop", dir);
	write_recording(path, NFRAMES, 0);
	buf = slurp(path, &len);
	for (size_t n = 0; n < len; n++) {
		spill(cut, buf, n);
		if (record_reader_open(&r, cut, why, sizeof(why))) {
			assert_true(n < RECORD_HEADER_LEN);
			continue;
		}
		/* intervals listed are whole, and each is the one written */
		for (size_t k = 0; k < record_reader_count(r); k++)
			assert_int_equal(check_interval(r, k, (int)k), 0);
		/* a cut between frames is clean (after the last, its index too); else said */
		if (!record_reader_is_damaged(r, why, sizeof(why))) {
			if (clean[record_reader_count(r)] && record_reader_count(r) < NFRAMES)
				fail_msg("cut at %zu: a frame cut and no damage said", n);
			clean[record_reader_count(r)] = true;
		}
		if (record_reader_is_damaged(r, why, sizeof(why)))
			assert_non_null(strstr(why, "bad frame at byte offset"));
		if (record_reader_count(r) == NFRAMES && !whole)
			whole = n;
		record_reader_close(r);
	}
	/* a file killed after its last interval (no index, no end frame) has them all */
	assert_true(whole > RECORD_HEADER_LEN && whole < len);
	free(buf);
}

static void test_flip_everywhere(void **state)
{
	char path[128], bad[140], why[256];
	struct record_reader *r;
	size_t len;
	uint8_t *buf;

	(void)state;
	snprintf(path, sizeof(path), "%s/flip.ktop", dir);
	snprintf(bad, sizeof(bad), "%s/flip-n.ktop", dir);
	write_recording(path, NFRAMES, 0);
	buf = slurp(path, &len);
	for (size_t n = 0; n < len; n++) {
		size_t good = 0;
		bool failed = false;

		buf[n] ^= 0x5a;
		spill(bad, buf, len);
		buf[n] ^= 0x5a;
		if (record_reader_open(&r, bad, why, sizeof(why))) {
			assert_true(n < RECORD_HEADER_LEN);
			continue;
		}
		assert_true(n >= RECORD_HEADER_LEN);
		for (size_t k = 0; k < record_reader_count(r) && !failed; k++) {
			if (check_interval(r, k, (int)k))
				failed = true;
			else
				good++;
		}
		/* a flip is found (listing or loading), or hit the index, which a scan replaces */
		if (good == NFRAMES)
			assert_false(failed);
		else
			assert_true(failed || record_reader_is_damaged(r, why, sizeof(why)));
		record_reader_close(r);
	}
	free(buf);
}

static void test_keep_ring(void **state)
{
	char path[128], prev[140], prev2[150], why[256];
	struct record_reader *r;

	(void)state;
	snprintf(path, sizeof(path), "%s/ring.ktop", dir);
	snprintf(prev, sizeof(prev), "%s.prev", path);
	snprintf(prev2, sizeof(prev2), "%s.prev.prev", path);
	write_recording(path, 30, 10);
	assert_int_equal(access(prev, F_OK), 0);
	assert_int_equal(access(prev2, F_OK), -1);
	assert_int_equal(record_reader_open(&r, path, why, sizeof(why)), 0);
	/* the last 10 s: intervals 20..29 (times 1021..1030) */
	assert_int_equal(record_reader_count(r), 10);
	assert_true(record_reader_time(r, 0) == 1021 * SEC);
	for (size_t k = 0; k < 10; k++)
		assert_int_equal(check_interval(r, k, 20 + (int)k), 0);
	assert_int_equal(record_reader_header(r)->segment, 2);
	record_reader_close(r);
}

static void test_size_ring(void **state)
{
	char path[128], prev[140], why[256];
	struct record_frame f = { 0 };
	struct record_writer *w;
	struct record_reader *r;
	struct record_header h;
	struct stat a, b;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/size.ktop", dir);
	snprintf(prev, sizeof(prev), "%s.prev", path);
	header_init(&h, 0);
	assert_int_equal(record_writer_open(&w, path, &h, why, sizeof(why)), 0);
	record_writer_set_size_bound(w, 4000);
	for (int i = 0; i < 200; i++) {
		fill_frame(&f, i);
		assert_int_equal(record_writer_append(w, &f, (1001 + (uint64_t)i) * SEC, why,
						      sizeof(why)), 0);
	}
	record_frame_free(&f);
	assert_int_equal(record_writer_close(w, why, sizeof(why)), 0);
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(stat(prev, &b), 0);
	/* the bound, plus the last interval and the index and end frames of each file */
	assert_true(a.st_size + b.st_size <= 4000 + 1000);
	assert_true(a.st_size + b.st_size >= 2000);
	assert_int_equal(record_reader_open(&r, path, why, sizeof(why)), 0);
	n = record_reader_count(r);
	assert_true(n >= 5 && n < 200);
	/* the newest intervals, in order */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(check_interval(r, k, 200 - (int)n + (int)k), 0);
	record_reader_close(r);
}

static void test_create_rules(void **state)
{
	struct record_writer *w;
	struct record_reader *r;
	struct record_header h;
	char path[128], link[140], why[256];

	(void)state;
	header_init(&h, 0);
	snprintf(path, sizeof(path), "%s/exists", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	spill(path, (const uint8_t *)"x", 1);
	assert_int_equal(record_writer_open(&w, path, &h, why, sizeof(why)), -EEXIST);
	assert_non_null(strstr(why, path));
	assert_int_equal(symlink(path, link), 0);
	assert_true(record_writer_open(&w, link, &h, why, sizeof(why)) < 0);
	snprintf(link, sizeof(link), "%s/dangling", dir);
	assert_int_equal(symlink("/tmp/ktop-record-nowhere", link), 0);
	assert_true(record_writer_open(&w, link, &h, why, sizeof(why)) < 0);
	assert_int_equal(access("/tmp/ktop-record-nowhere", F_OK), -1);
	assert_int_equal(record_reader_open(&r, path, why, sizeof(why)), -EBADMSG);
}

static void test_times(void **state)
{
	struct record_time t;
	uint64_t sec, first;
	char why[160];
	struct tm tm = { .tm_year = 126, .tm_mon = 11, .tm_mday = 6, .tm_hour = 3, .tm_min = 10,
			 .tm_isdst = -1 };

	(void)state;
	assert_int_equal(record_duration_parse("90", &sec, why, sizeof(why)), 0);
	assert_int_equal(sec, 90);
	assert_int_equal(record_duration_parse("15m", &sec, why, sizeof(why)), 0);
	assert_int_equal(sec, 900);
	assert_int_equal(record_duration_parse("2h", &sec, why, sizeof(why)), 0);
	assert_int_equal(sec, 7200);
	assert_int_equal(record_duration_parse("0s", &sec, why, sizeof(why)), -EINVAL);
	assert_int_equal(record_duration_parse("31d", &sec, why, sizeof(why)), -EINVAL);
	assert_int_equal(record_duration_parse("-5s", &sec, why, sizeof(why)), -EINVAL);
	assert_int_equal(record_duration_parse("5 s", &sec, why, sizeof(why)), -EINVAL);
	{
		uint64_t bytes;

		assert_int_equal(record_keep_parse("100MB", &sec, &bytes, why, sizeof(why)), 0);
		assert_true(sec == 0 && bytes == 100ull << 20);
		assert_int_equal(record_keep_parse("15m", &sec, &bytes, why, sizeof(why)), 0);
		assert_true(sec == 900 && bytes == 0);
		assert_int_equal(record_keep_parse("512KB", &sec, &bytes, why, sizeof(why)),
				 -EINVAL);
		assert_non_null(strstr(why, "out of range"));
		assert_int_equal(record_keep_parse("2TB", &sec, &bytes, why, sizeof(why)), -EINVAL);
		assert_int_equal(record_keep_parse("1B", &sec, &bytes, why, sizeof(why)), -EINVAL);
	}
	first = (uint64_t)mktime(&tm) * SEC + 123;
	assert_int_equal(record_time_parse("+90s", &t, why, sizeof(why)), 0);
	assert_true(record_time_resolve(&t, first) == first + 90 * SEC);
	assert_int_equal(record_time_parse("03:12:00", &t, why, sizeof(why)), 0);
	assert_true(record_time_resolve(&t, first) == first - 123 + 120 * SEC);
	/* before the start: the next day */
	assert_int_equal(record_time_parse("03:00:00", &t, why, sizeof(why)), 0);
	assert_true(record_time_resolve(&t, first) > first);
	assert_int_equal(record_time_parse("3:12", &t, why, sizeof(why)), -EINVAL);
	assert_int_equal(record_time_parse("03:12:60", &t, why, sizeof(why)), -EINVAL);
	assert_int_equal(record_time_parse("03:12:00x", &t, why, sizeof(why)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_round_trip),
		cmocka_unit_test(test_frame_header),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_flip_everywhere),
		cmocka_unit_test(test_keep_ring),
		cmocka_unit_test(test_size_ring),
		cmocka_unit_test(test_create_rules),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_psi_avg10),
		cmocka_unit_test(test_section_stream),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
