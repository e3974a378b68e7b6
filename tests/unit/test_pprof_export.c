// SPDX-License-Identifier: GPL-2.0
/*
 * The pprof encoder: what it writes is gunzipped and decoded with protobuf-c's own unpack,
 * then its string table, functions, locations (inlined lines innermost first, kernel
 * mapping), samples (leaf first, values, labels) and bounds are checked; and the mappings of
 * user frames, found through a real symbol cache over this test's own process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "core/pprof_export.h"
#include "proto/profile.pb-c.h"
#include "symbols/elf.h"
#include "symbols/symbols.h"

/* main -> chain_c (line 40) with rest inlined at line 34, into the kernel's sleep. */
static struct stack_frame f_sleep[] = {
	{ .name = "main", .kind = STACK_FRAME_USER },
	{ .name = "chain_c", .kind = STACK_FRAME_USER, .src = "sleeper.c:40" },
	{ .name = "rest [inlined]", .kind = STACK_FRAME_USER, .src = "sleeper.c:34" },
	{ .name = "do_nanosleep", .kind = STACK_FRAME_KERNEL },
	{ .name = "schedule", .kind = STACK_FRAME_KERNEL },
};
static struct stack_frame f_spin[] = {
	{ .name = "main", .kind = STACK_FRAME_USER },
	{ .name = "spin", .kind = STACK_FRAME_USER, .src = "burner.c:12" },
};

/* Process 10: 300 us asleep (tid 10) and 7 us spinning (tid 11); process 20: 50 us. */
static void build_set(struct stack_set *s)
{
	struct stack_sample x = { .pid = 10, .tid = 10, .comm = "app", .pcomm = "app" };

	memset(s, 0, sizeof(*s));
	x.frames = f_sleep;
	x.nframes = 5;
	x.value = 300;
	x.count = 3;
	stack_set_add(s, &x);
	x.tid = 11;
	x.comm = "app-spin";
	x.frames = f_spin;
	x.nframes = 2;
	x.value = 7;
	x.count = 2;
	stack_set_add(s, &x);
	x.pid = x.tid = 20;
	x.comm = x.pcomm = "db";
	x.frames = f_sleep;
	x.nframes = 5;
	x.value = 50;
	x.count = 1;
	stack_set_add(s, &x);
}

/* Encode in, gunzip and unpack what was written. */
static Perftools__Profiles__Profile *roundtrip(const struct pprof_input *in)
{
	FILE *f = tmpfile();
	static unsigned char gz[1 << 16], raw[1 << 18];
	char why[256] = "";
	size_t n;
	z_stream z = { 0 };

	assert_non_null(f);
	assert_int_equal(pprof_write(f, in, why, sizeof(why)), 0);
	rewind(f);
	n = fread(gz, 1, sizeof(gz), f);
	fclose(f);
	assert_true(n > 18);
	assert_int_equal(gz[0], 0x1f); /* a gzip member */
	assert_int_equal(gz[1], 0x8b);
	assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);
	z.next_in = gz;
	z.avail_in = (uInt)n;
	z.next_out = raw;
	z.avail_out = sizeof(raw);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	inflateEnd(&z);
	return perftools__profiles__profile__unpack(NULL, z.total_out, raw);
}

/* The text of string index i, checked to be in the table. */
static const char *str(const Perftools__Profiles__Profile *p, int64_t i)
{
	assert_true(i >= 0 && (size_t)i < p->n_string_table);
	return p->string_table[i];
}

static const Perftools__Profiles__Location *loc(const Perftools__Profiles__Profile *p, uint64_t id)
{
	for (size_t i = 0; i < p->n_location; i++)
		if (p->location[i]->id == id)
			return p->location[i];
	fail_msg("no location %llu", (unsigned long long)id);
	return NULL;
}

static const Perftools__Profiles__Function *fn(const Perftools__Profiles__Profile *p, uint64_t id)
{
	for (size_t i = 0; i < p->n_function; i++)
		if (p->function[i]->id == id)
			return p->function[i];
	fail_msg("no function %llu", (unsigned long long)id);
	return NULL;
}

/* The function name of a location's line i. */
static const char *line_fn(const Perftools__Profiles__Profile *p,
			   const Perftools__Profiles__Location *l, size_t i)
{
	assert_true(i < l->n_line);
	return str(p, fn(p, l->line[i]->function_id)->name);
}

/* The value of a sample's label key: its string, or its number in num. */
static const char *label(const Perftools__Profiles__Profile *p,
			 const Perftools__Profiles__Sample *s, const char *key, int64_t *num)
{
	for (size_t i = 0; i < s->n_label; i++) {
		if (strcmp(str(p, s->label[i]->key), key))
			continue;
		if (num)
			*num = s->label[i]->num;
		return str(p, s->label[i]->str);
	}
	fail_msg("no label %s", key);
	return NULL;
}

static void test_off_cpu(void **state)
{
	struct stack_set set;
	struct pprof_input in = { .kind = PPROF_OFF_CPU, .time_ns = 1000, .duration_ns = 2000 };
	Perftools__Profiles__Profile *p;
	const Perftools__Profiles__Sample *s;
	const Perftools__Profiles__Location *l;
	int64_t num = 0;
	size_t nschedule = 0;

	(void)state;
	build_set(&set);
	in.set = &set;
	p = roundtrip(&in);
	assert_non_null(p);
	assert_string_equal(str(p, 0), "");
	for (size_t i = 1; i < p->n_string_table; i++) /* each text once */
		for (size_t j = i + 1; j < p->n_string_table; j++)
			assert_string_not_equal(p->string_table[i], p->string_table[j]);
	assert_int_equal(p->n_sample_type, 1);
	assert_string_equal(str(p, p->sample_type[0]->type), "off_cpu");
	assert_string_equal(str(p, p->sample_type[0]->unit), "nanoseconds");
	assert_non_null(p->period_type);
	assert_string_equal(str(p, p->period_type->type), "off_cpu");
	assert_int_equal(p->time_nanos, 1000);
	assert_int_equal(p->duration_nanos, 2000);
	assert_int_equal(p->n_sample, 3);

	/* the first sample, leaf first: schedule, do_nanosleep, chain_c+rest, main */
	s = p->sample[0];
	assert_int_equal(s->n_value, 1);
	assert_int_equal(s->value[0], 300 * 1000);
	assert_int_equal(s->n_location_id, 4);
	l = loc(p, s->location_id[0]);
	assert_string_equal(line_fn(p, l, 0), "schedule");
	assert_int_equal(l->mapping_id, 1);
	l = loc(p, s->location_id[2]);
	assert_int_equal(l->n_line, 2); /* rest inlined into chain_c: one location */
	assert_string_equal(line_fn(p, l, 0), "rest");
	assert_int_equal(l->line[0]->line, 34);
	assert_string_equal(line_fn(p, l, 1), "chain_c");
	assert_int_equal(l->line[1]->line, 40);
	assert_string_equal(str(p, fn(p, l->line[1]->function_id)->filename), "sleeper.c");
	assert_int_equal(l->mapping_id, 0);
	l = loc(p, s->location_id[3]);
	assert_string_equal(line_fn(p, l, 0), "main");
	assert_int_equal(l->line[0]->line, 0);
	assert_int_equal(label(p, s, "pid", &num)[0], '\0');
	assert_int_equal(num, 10);
	label(p, s, "tid", &num);
	assert_int_equal(num, 10);
	assert_string_equal(label(p, s, "comm", NULL), "app");
	assert_string_equal(label(p, s, "process", NULL), "app");

	/* the same stack in process 20 shares its locations */
	assert_int_equal(p->sample[2]->n_location_id, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(p->sample[2]->location_id[i], s->location_id[i]);
	for (size_t i = 0; i < p->n_function; i++)
		nschedule += !strcmp(str(p, p->function[i]->name), "schedule");
	assert_int_equal(nschedule, 1);

	/* kernel frames are in the kernel's mapping */
	assert_int_equal(p->n_mapping, 1);
	assert_int_equal(p->mapping[0]->id, 1);
	assert_string_equal(str(p, p->mapping[0]->filename), "[kernel.kallsyms]");
	perftools__profiles__profile__free_unpacked(p, NULL);
	stack_set_clear(&set);
}

static void test_on_cpu_one_thread(void **state)
{
	struct stack_set set;
	struct pprof_input in = {
		.kind = PPROF_ON_CPU, .pid = 10, .tid = 11, .period_ns = 10101010
	};
	Perftools__Profiles__Profile *p;
	const Perftools__Profiles__Sample *s;

	(void)state;
	build_set(&set);
	in.set = &set;
	p = roundtrip(&in);
	assert_non_null(p);
	assert_int_equal(p->n_sample_type, 2);
	assert_string_equal(str(p, p->sample_type[0]->type), "samples");
	assert_string_equal(str(p, p->sample_type[0]->unit), "count");
	assert_string_equal(str(p, p->sample_type[1]->type), "cpu");
	assert_string_equal(str(p, p->sample_type[1]->unit), "nanoseconds");
	assert_string_equal(str(p, p->period_type->type), "cpu");
	assert_int_equal(p->period, 10101010);
	assert_string_equal(str(p, p->default_sample_type), "cpu");
	assert_int_equal(p->n_sample, 1); /* only tid 11 of pid 10 */
	s = p->sample[0];
	assert_int_equal(s->value[0], 2);
	assert_int_equal(s->value[1], 7000);
	assert_int_equal(s->n_location_id, 2);
	assert_string_equal(line_fn(p, loc(p, s->location_id[0]), 0), "spin");
	assert_int_equal(loc(p, s->location_id[0])->line[0]->line, 12);
	assert_string_equal(label(p, s, "comm", NULL), "app-spin");
	assert_int_equal(p->n_mapping, 0); /* no kernel frame: no kernel mapping */
	perftools__profiles__profile__free_unpacked(p, NULL);
	stack_set_clear(&set);
}

/*
 * A name longer than PPROF_STR_MAX is cut to it, on a whole UTF-8 character; an empty set is
 * a valid profile.
 */
static void test_bounds(void **state)
{
	static char longname[3 * PPROF_STR_MAX];
	struct stack_frame f[] = { { .name = longname, .kind = STACK_FRAME_USER } };
	struct stack_sample x = { .pid = 1,
				  .tid = 1,
				  .comm = "x",
				  .pcomm = "x",
				  .frames = f,
				  .nframes = 1,
				  .value = 1,
				  .count = 1 };
	struct stack_set set = { 0 };
	struct pprof_input in = { .kind = PPROF_OFF_CPU, .set = &set };
	Perftools__Profiles__Profile *p;

	(void)state;
	p = roundtrip(&in);
	assert_non_null(p);
	assert_int_equal(p->n_sample, 0);
	perftools__profiles__profile__free_unpacked(p, NULL);

	memset(longname, 'a', sizeof(longname) - 1);
	stack_set_add(&set, &x);
	p = roundtrip(&in);
	assert_non_null(p);
	assert_int_equal(p->n_sample, 1);
	assert_int_equal(strlen(line_fn(p, loc(p, p->sample[0]->location_id[0]), 0)),
			 PPROF_STR_MAX);
	perftools__profiles__profile__free_unpacked(p, NULL);

	/* a two-byte character across the cut goes whole or not at all */
	longname[PPROF_STR_MAX - 1] = (char)0xc3;
	longname[PPROF_STR_MAX] = (char)0xa9;
	stack_set_clear(&set);
	stack_set_add(&set, &x);
	p = roundtrip(&in);
	assert_non_null(p);
	assert_int_equal(strlen(line_fn(p, loc(p, p->sample[0]->location_id[0]), 0)),
			 PPROF_STR_MAX - 1);
	perftools__profiles__profile__free_unpacked(p, NULL);
	stack_set_clear(&set);
}

/* A file or inlined name from debug information, unescaped, goes in as valid, inert UTF-8. */
static void test_unclean_text(void **state)
{
	struct stack_frame f[] = {
		{ .name = "main", .kind = STACK_FRAME_USER, .src = "bad\xff\x1b[2J.c:7" },
		{ .name = "evil\x1b]0;x\a [inlined]", .kind = STACK_FRAME_USER },
	};
	struct stack_sample x = { .pid = 1,
				  .tid = 1,
				  .comm = "x",
				  .pcomm = "x",
				  .frames = f,
				  .nframes = 2,
				  .value = 1,
				  .count = 1 };
	struct stack_set set = { 0 };
	struct pprof_input in = { .kind = PPROF_OFF_CPU, .set = &set };
	Perftools__Profiles__Profile *p;
	const Perftools__Profiles__Location *l;

	(void)state;
	stack_set_add(&set, &x);
	p = roundtrip(&in);
	assert_non_null(p);
	l = loc(p, p->sample[0]->location_id[0]);
	assert_int_equal(l->n_line, 2);
	assert_string_equal(line_fn(p, l, 0), "evil\\x1b]0;x\\x07");
	assert_string_equal(str(p, fn(p, l->line[1]->function_id)->filename), "bad\\xff\\x1b[2J.c");
	assert_int_equal(l->line[1]->line, 7);
	perftools__profiles__profile__free_unpacked(p, NULL);
	stack_set_clear(&set);
}

/* This test's own build id in hex, read from its file ("" when it has none). */
static void own_build_id(char *hex, size_t len)
{
	struct sym_elf *e;
	const uint8_t *id;
	char why[128];
	size_t n = 0;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(sym_elf_open(&e, fd, why, sizeof(why)), 0);
	close(fd);
	id = sym_elf_build_id(e, &n);
	hex[0] = '\0';
	for (size_t i = 0; id && i < n && 2 * i + 2 < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	sym_elf_free(e);
}

/* A location's mapping, checked to be there. */
static const Perftools__Profiles__Mapping *map(const Perftools__Profiles__Profile *p, uint64_t id)
{
	for (size_t i = 0; i < p->n_mapping; i++)
		if (p->mapping[i]->id == id)
			return p->mapping[i];
	fail_msg("no mapping %llu", (unsigned long long)id);
	return NULL;
}

/*
 * User frames with an address get the mapping of the file this process maps there, with its
 * path, its build id and the address; two frames in one file share its mapping; a frame
 * without an address has none; the kernel's mapping comes after the files'.
 */
static void test_mappings(void **state)
{
	struct stack_frame frames[] = {
		{ .name = "main",
		  .kind = STACK_FRAME_USER,
		  .src = NULL,
		  .addr = (uint64_t)(uintptr_t)&own_build_id },
		{ .name = "map",
		  .kind = STACK_FRAME_USER,
		  .src = NULL,
		  .addr = (uint64_t)(uintptr_t)&map },
		{ .name = "nowhere", .kind = STACK_FRAME_USER, .src = NULL, .addr = 0 },
		{ .name = "schedule", .kind = STACK_FRAME_KERNEL, .src = NULL, .addr = 0 },
	};
	struct stack_sample x = { .pid = (uint32_t)getpid(),
				  .tid = (uint32_t)getpid(),
				  .comm = "t",
				  .pcomm = "t",
				  .frames = frames,
				  .nframes = 4,
				  .value = 5,
				  .count = 1 };
	struct pprof_input in = { .kind = PPROF_OFF_CPU };
	const Perftools__Profiles__Location *main_loc, *map_loc, *none_loc;
	const Perftools__Profiles__Mapping *m;
	Perftools__Profiles__Profile *p;
	char hex[2 * SYM_ELF_BUILD_ID_MAX + 1], why[128], exe[4096];
	struct stack_set set = { 0 };
	ssize_t n;

	(void)state;
	assert_int_equal(sym_cache_new(&in.syms, why, sizeof(why)), 0); /* starts libelf too */
	own_build_id(hex, sizeof(hex));
	assert_true(strlen(hex) >= 16); /* gcc links with --build-id here */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	stack_set_add(&set, &x);
	in.set = &set;
	p = roundtrip(&in);
	assert_non_null(p);
	assert_int_equal(p->n_mapping, 2);
	/* leaf first: schedule, nowhere, map, main */
	main_loc = loc(p, p->sample[0]->location_id[3]);
	map_loc = loc(p, p->sample[0]->location_id[2]);
	none_loc = loc(p, p->sample[0]->location_id[1]);
	assert_int_equal(none_loc->mapping_id, 0);
	assert_int_equal(none_loc->address, 0);
	assert_int_not_equal(main_loc->mapping_id, 0);
	assert_int_equal(main_loc->mapping_id, map_loc->mapping_id);
	assert_int_equal(main_loc->address, (uint64_t)(uintptr_t)&own_build_id);
	assert_int_equal(map_loc->address, (uint64_t)(uintptr_t)&map);
	m = map(p, main_loc->mapping_id);
	assert_ptr_equal(m, p->mapping[0]);
	assert_string_equal(str(p, m->filename), exe);
	assert_string_equal(str(p, m->build_id), hex);
	assert_true(m->memory_start <= main_loc->address && main_loc->address < m->memory_limit);
	assert_true(m->memory_start <= map_loc->address && map_loc->address < m->memory_limit);
	assert_string_equal(str(p, p->mapping[1]->filename), "[kernel.kallsyms]");
	assert_int_equal(loc(p, p->sample[0]->location_id[0])->mapping_id, p->mapping[1]->id);
	perftools__profiles__profile__free_unpacked(p, NULL);
	stack_set_clear(&set);
	sym_cache_free(in.syms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_cpu),
		cmocka_unit_test(test_on_cpu_one_thread),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_unclean_text),
		cmocka_unit_test(test_mappings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
