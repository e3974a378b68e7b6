// SPDX-License-Identifier: GPL-2.0
/* The command line: defaults, every option's validation, and one-line errors naming it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/options.h"
#include "record/record_file.h"

#define ARGV(...) ((char *[]){ "ktop", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "ktop", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, why, ...) \
	options_parse(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), why, sizeof(why))

static void test_defaults(void **state)
{
	struct options o;
	char why[256] = "";
	char *argv[] = { "ktop", NULL };

	(void)state;
	assert_int_equal(options_parse(&o, 1, argv, why, sizeof(why)), 0);
	assert_true(o.delay_s == 1.0);
	assert_false(o.batch);
	assert_int_equal(o.format, EXPORT_TEXT);
	assert_int_equal(o.slow_ms, 10);
	assert_int_equal(o.npids, 0);
	assert_null(o.panel);
}

static void test_batch_json(void **state)
{
	struct options o;
	char why[256] = "";

	(void)state;
	assert_int_equal(PARSE(&o, why, "-b", "-P", "bio", "-d", "2", "-n", "3", "-f", "json"), 0);
	assert_true(o.batch);
	assert_string_equal(o.panel, "bio");
	assert_true(o.delay_s == 2.0);
	assert_int_equal(o.iterations, 3);
	assert_int_equal(o.format, EXPORT_JSON);
	assert_int_equal(PARSE(&o, why, "--batch", "--panel=bio", "--delay", "0.5", "--output",
			       "x.json", "--format", "text"),
			 0);
	assert_true(o.delay_s == 0.5);
	assert_string_equal(o.output, "x.json");
}

static void test_pid_list(void **state)
{
	struct options o;
	char why[256] = "";
	char self[32], list[64];

	(void)state;
	snprintf(self, sizeof(self), "%d", getpid());
	snprintf(list, sizeof(list), "%d,1", getpid());
	assert_int_equal(PARSE(&o, why, "-p", list), 0);
	assert_int_equal(o.npids, 2);
	assert_int_equal(o.pids[0], (uint32_t)getpid());
	assert_int_equal(o.pids[1], 1);
	assert_int_not_equal(PARSE(&o, why, "-p", "abc"), 0);
	assert_non_null(strstr(why, "-p: "));
	assert_int_not_equal(PARSE(&o, why, "--pid", "999999999"), 0);
	assert_non_null(strstr(why, "--pid: "));
}

/* Each bad value is refused with one line that names the option. */
static void test_bad_values(void **state)
{
	static const struct {
		const char *opt, *value, *named;
	} cases[] = {
		{ "-d", "abc", "-d: " },   { "-d", "0", "-d: " },       { "--delay", "-1", "--delay: " },
		{ "-n", "0", "-n: " },     { "-n", "3x", "-n: " },      { "-f", "xml", "-f: " },
		{ "-m", "1e3", "-m: " },   { "-t", "ten", "-t: " },     { "-P", "nosuch", "-P: " },
		{ "-P", "flame", "panels: overview, offcpu, bio, sql, stacks, trace" }, { "--theme", "", "--theme: " },
		{ "--trace", "", "--trace: " },   { "--db", "/nonexistent/mysqld", "--db: " },
		{ "--stack-storage", "12", "--stack-storage: " },
		{ "--max-stacks", "12", "--max-stacks: " },
		{ "--max-stacks", "x", "--max-stacks: " },
		{ "--max-queries", "5", "--max-queries: " },
		{ "--unwind", "lbr", "--unwind: mode must be auto, dwarf or fp" },
		{ "--ustack-size", "2", "--ustack-size: " },
		{ "--ustack-size", "128", "--ustack-size: " },
		{ "--ustack-size", "10", "--ustack-size: must be a multiple of 4" },
	};
	struct options o;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { "ktop", "-b", (char *)cases[i].opt, (char *)cases[i].value, NULL };

		why[0] = '\0';
		assert_int_equal(options_parse(&o, 4, argv, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, cases[i].named));
		assert_null(strchr(why, '\n'));
	}
}

static void test_usage_errors(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "-x"), -EINVAL);
	assert_non_null(strstr(why, "unknown option '-x'"));
	assert_int_equal(PARSE(&o, why, "--frobnicate"), -EINVAL);
	assert_non_null(strstr(why, "--frobnicate"));
	assert_int_equal(PARSE(&o, why, "-d"), -EINVAL);
	assert_non_null(strstr(why, "-d: needs a value"));
	assert_int_equal(PARSE(&o, why, "stray"), -EINVAL);
	assert_non_null(strstr(why, "stray"));
	assert_int_equal(PARSE(&o, why, "-n", "3"), -EINVAL);
	assert_non_null(strstr(why, "only with -b"));
	assert_int_equal(PARSE(&o, why, "-b", "-P", "bio", "-f", "folded"), -EINVAL);
	assert_non_null(strstr(why, "folded"));
	/* -f folded alone: the first panel with stacks (Off-CPU), not the default (Overview) */
	assert_int_equal(PARSE(&o, why, "-b", "-f", "folded"), 0);
	assert_int_equal(PARSE(&o, why, "--stack-storage", "100"), -EINVAL);
	assert_non_null(strstr(why, "--stack-storage: "));
	/* the stacks kept in user space: 32768 unless said */
	assert_int_equal(PARSE(&o, why, "-b"), 0);
	assert_int_equal(o.max_stacks, 32768);
	assert_int_equal(o.max_queries, 1000);
	assert_int_equal(PARSE(&o, why, "--max-queries", "50000"), 0);
	assert_int_equal(o.max_queries, 50000);
	assert_int_equal(PARSE(&o, why, "--max-stacks", "1000"), 0);
	assert_int_equal(o.max_stacks, 1000);
}

/* --unwind takes its three words; --ustack-size KiB in 4 KiB steps, 16 by default. */
static void test_unwind(void **state)
{
	struct options o;
	char why[256] = "";

	(void)state;
	assert_int_equal(PARSE(&o, why, "-b"), 0);
	assert_int_equal(o.unwind, KTOP_UNWIND_AUTO);
	assert_int_equal(o.ustack_kib, 16);
	assert_int_equal(PARSE(&o, why, "--unwind", "dwarf", "--ustack-size", "64"), 0);
	assert_int_equal(o.unwind, KTOP_UNWIND_DWARF);
	assert_int_equal(o.ustack_kib, 64);
	assert_int_equal(PARSE(&o, why, "--unwind=fp", "--ustack-size=4"), 0);
	assert_int_equal(o.unwind, KTOP_UNWIND_FP);
	assert_int_equal(o.ustack_kib, 4);
	assert_string_equal(unwind_mode_name(KTOP_UNWIND_AUTO), "auto");
	assert_string_equal(unwind_mode_name(KTOP_UNWIND_DWARF), "dwarf");
	assert_string_equal(unwind_mode_name(KTOP_UNWIND_FP), "fp");
}

static void test_help_version(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "--help"), 0);
	assert_true(o.help);
	assert_int_equal(PARSE(&o, why, "-V"), 0);
	assert_true(o.version);
}

/* The defaults reach the collectors' config and the first filter in one step, each value once. */
static void test_startup_defaults(void **state)
{
	struct ktop_config cfg;
	struct filter f;
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "-b"), 0);
	options_startup(&o, &cfg, &f);
	assert_true(cfg.delay_s == 1.0);
	assert_true(cfg.batch);
	assert_int_equal(cfg.slow_ms, 10);
	assert_int_equal(f.slow_ms, 10);
	assert_int_equal(cfg.bio_slow_us, 10000);
	assert_int_equal(f.bio_slow_us, 10000);
	assert_int_equal(cfg.min_block_us, 1);
	assert_int_equal(f.min_block_us, 1);
	assert_int_equal(f.max_block_us, 0);
	assert_int_equal(cfg.stack_storage, 16384);
	assert_int_equal(cfg.max_stacks, 32768);
	assert_int_equal(cfg.sample_hz, 99);
	assert_int_equal(cfg.ustack_kib, 16);
	assert_int_equal(f.npids, 0);
	assert_false(f.redact);
	assert_int_equal(f.unwind, KTOP_UNWIND_AUTO);
	assert_int_equal(cfg.ndb_targets, 0);
	assert_int_equal(cfg.ntrace_specs, 0);
}

/* Given values go to where each is read; the PID set is sorted. */
static void test_startup_given(void **state)
{
	char pids[32];
	struct ktop_config cfg;
	struct filter f;
	struct options o;
	char why[256];

	(void)state;
	snprintf(pids, sizeof(pids), "%d,1", (int)getpid());
	assert_int_equal(PARSE(&o, why, "-p", pids, "-t", "25", "-m", "7", "-d", "2", "-F", "49",
			       "--redact", "--unwind", "fp", "--ustack-size", "8", "--trace",
			       "c:malloc", "--trace", "c:free", "--max-stacks", "100"),
			 0);
	options_startup(&o, &cfg, &f);
	assert_int_equal(f.npids, 2);
	assert_int_equal(f.pids[0], 1);
	assert_int_equal(f.pids[1], (uint32_t)getpid());
	assert_int_equal(cfg.slow_ms, 25);
	assert_int_equal(f.slow_ms, 25);
	assert_int_equal(cfg.min_block_us, 7);
	assert_int_equal(f.min_block_us, 7);
	assert_true(cfg.delay_s == 2.0);
	assert_int_equal(cfg.sample_hz, 49);
	assert_true(f.redact);
	assert_int_equal(f.unwind, KTOP_UNWIND_FP);
	assert_int_equal(cfg.ustack_kib, 8);
	assert_int_equal(cfg.max_stacks, 100);
	assert_int_equal(cfg.ntrace_specs, 2);
	assert_string_equal(cfg.trace_specs[0], "c:malloc");
	assert_string_equal(cfg.trace_specs[1], "c:free");
}

/* -w, -r, --keep, --from, --to: what goes together, and the values checked. */
static void test_record_options(void **state)
{
	struct options o;
	char why[256] = "";

	(void)state;
	assert_int_equal(PARSE(&o, why, "-w", "rec.ktop", "--keep", "15m"), 0);
	assert_string_equal(o.write, "rec.ktop");
	assert_int_equal(o.keep_s, 900);
	assert_int_equal(PARSE(&o, why, "-w", "rec.ktop", "--keep", "100MB"), 0);
	assert_true(o.keep_s == 0 && o.keep_bytes == 100ull << 20);
	assert_int_equal(PARSE(&o, why, "-r", "rec.ktop", "-b", "-f", "json", "--from", "03:12:00",
			       "--to", "+90s"), 0);
	assert_string_equal(o.read, "rec.ktop");
	assert_string_equal(o.from, "03:12:00");
	assert_string_equal(o.to, "+90s");
	assert_int_equal(PARSE(&o, why, "-r", "a", "-w", "b", "-b"), -EINVAL);
	assert_non_null(strstr(why, "not with -r"));
	assert_int_equal(PARSE(&o, why, "--keep", "10s"), -EINVAL);
	assert_string_equal(why, "--keep: only with -w");
	assert_int_equal(PARSE(&o, why, "--from", "+1m", "-b"), -EINVAL);
	assert_string_equal(why, "--from: only with -r");
	assert_int_equal(PARSE(&o, why, "-w", "x", "--keep", "10x"), -EINVAL);
	assert_non_null(strstr(why, "--keep: '10x' is not a duration"));
	assert_int_equal(PARSE(&o, why, "-r", "x", "-b", "--to", "25:00:00"), -EINVAL);
	assert_non_null(strstr(why, "--to: '25:00:00' is not a time"));
	assert_int_equal(PARSE(&o, why, "-r", "x", "--at", "+5m"), 0);
	assert_string_equal(o.at, "+5m");
	assert_int_equal(PARSE(&o, why, "-r", "x", "--from", "+5m"), -EINVAL);
	assert_non_null(strstr(why, "--from: only with -b"));
	assert_int_equal(PARSE(&o, why, "-r", "x", "-b", "--at", "+5m", "--to", "+6m"), -EINVAL);
	assert_non_null(strstr(why, "--at: not with --from or --to"));
}

/* --record: panel names as -P takes them, said as header bits; only with -w or --trigger. */
static void test_record_panels(void **state)
{
	struct options o;
	char why[256] = "";

	(void)state;
	assert_int_equal(PARSE(&o, why, "-w", "r.ktop", "--record", "bio,sql"), 0);
	assert_int_equal(o.record_panels,
			 (1u << record_panel_bit("bio")) | (1u << record_panel_bit("sql")));
	assert_true(options_records_panel(&o, "bio") && options_records_panel(&o, "sql"));
	assert_false(options_records_panel(&o, "offcpu"));
	assert_int_equal(PARSE(&o, why, "-w", "r.ktop"), 0);
	assert_true(options_records_panel(&o, "offcpu")); /* no --record: every panel */
	assert_int_equal(PARSE(&o, why, "-w", "r.ktop", "--record", "bio,disk"), -EINVAL);
	assert_non_null(strstr(why, "--record: unknown panel 'disk' (panels: overview,"));
	assert_int_equal(PARSE(&o, why, "-w", "r.ktop", "--record", ","), -EINVAL);
	assert_string_equal(why, "--record: needs at least one panel");
	assert_int_equal(PARSE(&o, why, "--record", "bio", "-b"), -EINVAL);
	assert_string_equal(why, "--record: only with -w or --trigger");
}

/* --trigger: each condition parsed and bounded; the window and the dir only with it. */
static void test_trigger_options(void **state)
{
	struct options o;
	char why[256] = "";

	(void)state;
	assert_int_equal(PARSE(&o, why, "-b", "--trigger", "query>400", "--trigger", "psi:io>12.5",
			       "--trigger", "bio_p99>20", "--trigger-window", "2m,30s"), 0);
	assert_int_equal(o.ntriggers, 3);
	assert_int_equal(o.triggers[0].kind, TRIGGER_QUERY);
	assert_true(o.triggers[0].value == 400);
	assert_int_equal(o.triggers[1].kind, TRIGGER_PSI_IO);
	assert_true(o.triggers[1].value == 12.5);
	assert_int_equal(o.triggers[2].kind, TRIGGER_BIO_P99);
	assert_true(o.trigger_before_s == 120 && o.trigger_after_s == 30);
	assert_string_equal(trigger_panel(&o.triggers[0]), "sql");
	assert_null(trigger_panel(&o.triggers[1]));
	assert_int_equal(PARSE(&o, why, "--trigger", "psi:cpu>5"), 0);
	assert_true(o.trigger_before_s == 60 && o.trigger_after_s == 60);
	assert_int_equal(PARSE(&o, why, "--trigger", "psi:cpu>100"), -EINVAL);
	assert_non_null(strstr(why, "below 100%"));
	assert_int_equal(PARSE(&o, why, "--trigger", "query>-3"), -EINVAL);
	assert_non_null(strstr(why, "--trigger: '-3' after 'query>' is not a number"));
	assert_int_equal(PARSE(&o, why, "--trigger", "load>3"), -EINVAL);
	assert_non_null(strstr(why, "--trigger: conditions are psi:cpu>P"));
	assert_int_equal(PARSE(&o, why, "--trigger", "query>1", "--trigger-window", "60"),
			 -EINVAL);
	assert_non_null(strstr(why, "needs BEFORE,AFTER"));
	assert_int_equal(PARSE(&o, why, "--trigger-window", "1,1"), -EINVAL);
	assert_string_equal(why, "--trigger-window: only with --trigger");
	assert_int_equal(PARSE(&o, why, "--trigger-dir", "/tmp"), -EINVAL);
	assert_string_equal(why, "--trigger-dir: only with --trigger");
	assert_int_equal(PARSE(&o, why, "-r", "x", "-b", "--trigger", "query>1"), -EINVAL);
	assert_non_null(strstr(why, "--trigger: not with -r"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),     cmocka_unit_test(test_batch_json),
		cmocka_unit_test(test_pid_list),     cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_usage_errors), cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_unwind),
		cmocka_unit_test(test_startup_defaults),
		cmocka_unit_test(test_startup_given),
		cmocka_unit_test(test_record_options),
		cmocka_unit_test(test_record_panels),
		cmocka_unit_test(test_trigger_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
