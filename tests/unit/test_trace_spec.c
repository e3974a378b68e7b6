// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Trace collector's pure parts: probe specs (every bad one's one-line reason),
 * tracepoint format descriptions, binding a spec to the kernel side's description, event
 * messages, and the ld.so.cache reader on a cache image built here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "collectors/trace_format.h"
#include "collectors/trace_resolve.h"
#include "collectors/trace_spec.h"
#include "bpf/trace.h"

/* sched_process_exec on 6.x: a __data_loc string and two ints. */
static const char exec_format[] =
	"name: sched_process_exec\n"
	"ID: 365\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"filename=%s pid=%d old_pid=%d\", __get_str(filename), REC->pid, "
	"REC->old_pid\n";

/* Fields of other shapes: a char array, a user string pointer, another pointer, a byte array. */
static const char misc_format[] =
	"name: misc\n"
	"ID: 7\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:void * skbaddr;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:__u8 saddr[4];\toffset:40;\tsize:4;\tsigned:0;\n"
	"\tfield:short delta;\toffset:44;\tsize:2;\tsigned:1;\n"
	"\tfield:__rel_loc char[] name;\toffset:48;\tsize:4;\tsigned:0;\n";

/* Parse text, which must be accepted. */
static void parse_ok(const char *text, struct trace_spec *s)
{
	char why[256] = "";

	if (trace_spec_parse(text, s, why, sizeof(why)))
		fail_msg("'%s' refused: %s", text, why);
}

/* The article's example: a uprobe on a library's short name, two strings. */
static void test_parse_article(void **state)
{
	struct trace_spec s;

	(void)state;
	parse_ok("pam:pam_start \"%s: %s\", arg1, arg2", &s);
	assert_int_equal(s.type, 'p');
	assert_string_equal(s.target, "pam");
	assert_string_equal(s.func, "pam_start");
	assert_true(s.has_format);
	assert_string_equal(s.format, "%s: %s");
	assert_int_equal(s.nargs, 2);
	assert_int_equal(s.args[0].kind, TRACE_ARG_REG);
	assert_int_equal(s.args[0].index, 0);
	assert_int_equal(s.args[1].index, 1);
	assert_int_equal(s.convs[0], TRACE_CONV_S);
	assert_int_equal(s.convs[1], TRACE_CONV_S);
	assert_int_equal(s.filter_op, TRACE_SPEC_CMP_NONE);
}

/* Each probe type and the places a filter may stand. */
static void test_parse_types(void **state)
{
	struct trace_spec s;

	(void)state;
	parse_ok("p:/usr/lib/libfoo.so.1:foo", &s);
	assert_int_equal(s.type, 'p');
	assert_string_equal(s.target, "/usr/lib/libfoo.so.1");
	assert_false(s.has_format);
	assert_int_equal(s.nargs, 0);

	parse_ok("r:c:open \"%d\", retval (retval < 0)", &s);
	assert_int_equal(s.type, 'r');
	assert_int_equal(s.args[0].kind, TRACE_ARG_RETVAL);
	assert_int_equal(s.filter_op, TRACE_SPEC_CMP_LT);
	assert_int_equal(s.filter_arg.kind, TRACE_ARG_RETVAL);
	assert_true(s.filter_value == 0);

	parse_ok("r:c:open (retval < 0) \"%d\", retval", &s); /* bcc's order */
	assert_int_equal(s.filter_op, TRACE_SPEC_CMP_LT);
	assert_int_equal(s.nargs, 1);

	parse_ok("U:/opt/app:myprov:my_probe \"%lu %llx\", arg1, arg6", &s);
	assert_int_equal(s.type, 'U');
	assert_string_equal(s.target, "/opt/app");
	assert_string_equal(s.provider, "myprov");
	assert_string_equal(s.func, "my_probe");
	assert_int_equal(s.args[1].index, 5);
	assert_int_equal(s.convs[0], TRACE_CONV_LU);
	assert_int_equal(s.convs[1], TRACE_CONV_LLX);

	parse_ok("u:app:prov:name", &s);
	assert_int_equal(s.type, 'U');

	parse_ok("t:sched:sched_process_exec \"%s\", args->filename", &s);
	assert_int_equal(s.type, 't');
	assert_string_equal(s.target, "sched");
	assert_string_equal(s.func, "sched_process_exec");
	assert_int_equal(s.args[0].kind, TRACE_ARG_FIELD);
	assert_string_equal(s.args[0].field, "filename");

	parse_ok("  c:write \"fd %d: %d bytes\",arg1,arg3   (arg1==2)  ", &s);
	assert_int_equal(s.nargs, 2);
	assert_int_equal(s.filter_op, TRACE_SPEC_CMP_EQ);
	assert_true(s.filter_value == 2);
}

/* Filter constants: negative, hex, and the six comparisons. */
static void test_parse_filters(void **state)
{
	static const struct {
		const char *text;
		enum trace_spec_cmp op;
		int64_t value;
	} cases[] = {
		{ "c:f (arg1 == -5)", TRACE_SPEC_CMP_EQ, -5 },
		{ "c:f (arg1 != 0x10)", TRACE_SPEC_CMP_NE, 16 },
		{ "c:f (arg1 < 3)", TRACE_SPEC_CMP_LT, 3 },
		{ "c:f (arg1 <= 3)", TRACE_SPEC_CMP_LE, 3 },
		{ "c:f (arg1 > 3)", TRACE_SPEC_CMP_GT, 3 },
		{ "c:f (arg1>=3)", TRACE_SPEC_CMP_GE, 3 },
		{ "c:f (arg2 == -9223372036854775808)", TRACE_SPEC_CMP_EQ, INT64_MIN },
	};
	struct trace_spec s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_ok(cases[i].text, &s);
		assert_int_equal(s.filter_op, cases[i].op);
		assert_true(s.filter_value == cases[i].value);
		assert_int_equal(s.filter_negative, cases[i].value < 0);
	}
}

/* Demangled C++ names keep their "::", parameter list and spaces; formats their escapes. */
static void test_parse_cxx_and_quotes(void **state)
{
	struct trace_spec s;

	(void)state;
	parse_ok("./libfx.so:ns::Widget::draw(int, char const*) \"%d\", arg2", &s);
	assert_string_equal(s.target, "./libfx.so");
	assert_string_equal(s.func, "ns::Widget::draw(int, char const*)");
	assert_int_equal(s.nargs, 1);

	parse_ok("app:_ZN2ns6Widget4drawEi", &s);
	assert_string_equal(s.func, "_ZN2ns6Widget4drawEi");

	parse_ok("c:puts \"say \\\"%s\\\" %% done\", arg1", &s);
	assert_string_equal(s.format, "say \"%s\" %% done");
	assert_int_equal(s.nargs, 1);
}

/* Every bad spec has its own one-line reason. */
static void test_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
		{ "", "empty probe: use [p:]LIB:FUNC, r:LIB:FUNC, U:LIB:PROVIDER:NAME or "
		      "t:CATEGORY:EVENT" },
		{ "malloc", "'malloc' is not a probe: use [p:]LIB:FUNC, r:LIB:FUNC, "
			    "U:LIB:PROVIDER:NAME or t:CATEGORY:EVENT" },
		{ "r:malloc", "'r:malloc': expected r:LIB:FUNC" },
		{ "t:sched", "'t:sched': expected t:CATEGORY:EVENT" },
		{ "U:app", "'U:app': expected U:LIB:PROVIDER:NAME" },
		{ "U:app:prov", "'U:app:prov': expected U:LIB:PROVIDER:NAME (the provider and name "
				"made of letters, digits and _)" },
		{ "t:sched:sched-exec",
		  "'t:sched:sched-exec': a tracepoint is t:CATEGORY:EVENT, both "
		  "names made of letters, digits and _" },
		{ "p::do_sys_open", "'p::do_sys_open': no library or program before ':' (kernel "
				    "functions cannot be probed without kprobes: use "
				    "t:CATEGORY:EVENT)" },
		{ "c:", "'c:': no function after the library" },
		{ "c:malloc \"%d %d\", arg1",
		  "the format has 2 conversions but 1 argument is given" },
		{ "c:malloc \"%d\", arg1, arg2",
		  "the format has 1 conversion but 2 arguments are given" },
		{ "c:malloc \"%d\"", "the format has 1 conversion but 0 arguments are given" },
		{ "c:malloc \"%q\", arg1",
		  "unknown conversion '%q' in the format (use %d %u %x %ld "
		  "%lu %llx %s %c %p; no widths or flags)" },
		{ "c:malloc \"%5d\", arg1",
		  "unknown conversion '%5' in the format (use %d %u %x %ld "
		  "%lu %llx %s %c %p; no widths or flags)" },
		{ "c:malloc \"100%\"", "the format ends in a lone %" },
		{ "c:malloc \"%d", "the format has no closing quote" },
		{ "c:malloc \"%d\" \"%d\"", "only one format is allowed" },
		{ "c:malloc \"%d %d %d %d %d %d %d\"", "the format has more than 6 conversions" },
		{ "c:malloc \"%d\", arg7", "'arg7': arguments are arg1 to arg6" },
		{ "c:malloc \"%d\", arg0", "'arg0': arguments are arg1 to arg6" },
		{ "c:malloc \"%d\", arg12", "'arg12': arguments are arg1 to arg6" },
		{ "c:malloc \"%d\", foo", "unknown argument 'foo' (use arg1..arg6, retval or "
					  "args->FIELD)" },
		{ "c:malloc \"%d\",", "an argument is missing after ','" },
		{ "c:malloc \"%d\", args->9x", "'args->9x' is not a field name" },
		{ "c:malloc \"%d %d %d %d %d %d\", arg1, arg2, arg3, arg4, arg5, arg6, arg1",
		  "too many arguments (at most 6)" },
		{ "c:malloc \"%d\", retval", "retval is only known when the function returns: use "
					     "r:LIB:FUNC" },
		{ "r:c:malloc \"%d\", arg1", "arg1 is not known when the function returns: an r: "
					     "probe reads retval" },
		{ "U:a:p:n \"%d\", retval", "a USDT probe has no retval: use arg1..arg6" },
		{ "t:a:b \"%d\", arg1",
		  "arg1: a tracepoint's arguments are its fields, args->FIELD" },
		{ "c:malloc \"%d\", args->size", "args->size: only tracepoints (t:) have fields" },
		{ "c:malloc junk",
		  "unexpected 'junk' (after the probe come \"FORMAT\", ARG... and a "
		  "(FILTER))" },
		{ "c:malloc \"%d\", arg1 arg2",
		  "unexpected 'arg2' (after the probe come \"FORMAT\", "
		  "ARG... and a (FILTER))" },
		{ "c:malloc (arg1 = 3)",
		  "the filter compares with == != < <= > or >=, e.g. (arg1 == "
		  "3)" },
		{ "c:malloc (arg1 == abc)", "'abc' is not a number (the filter compares with a "
					    "constant)" },
		{ "c:malloc (arg1 == 12x)", "'12x' is not a number" },
		{ "c:malloc (arg1 == 0x)", "'0x' is not a number" },
		{ "c:malloc (arg1 == 99999999999999999999)",
		  "'99999999999999999999' is out of range "
		  "(64 bits)" },
		{ "c:malloc (arg1 == -9223372036854775809)",
		  "'-9223372036854775809' is out of range "
		  "(64 bits)" },
		{ "c:malloc (arg1 ==)", "the filter needs a number after the comparison" },
		{ "c:malloc (arg1 == 3", "the filter has no closing parenthesis" },
		{ "c:malloc (arg1 == 3 && arg2 == 4)",
		  "the filter is one comparison of an argument "
		  "with a number, e.g. (arg1 == 3)" },
		{ "c:malloc (== 3)", "the filter is one comparison of an argument with a number, "
				     "e.g. (arg1 == 3)" },
		{ "c:malloc (arg1 == 1) (arg2 == 2)", "only one filter is allowed" },
		{ "c:malloc (retval == 1)", "retval is only known when the function returns: use "
					    "r:LIB:FUNC" },
	};
	struct trace_spec s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[256] = "";
		int err = trace_spec_parse(cases[i].text, &s, why, sizeof(why));

		if (err != -EINVAL)
			fail_msg("'%s' accepted (%d)", cases[i].text, err);
		if (strcmp(why, cases[i].why))
			fail_msg("'%s': reason '%s', expected '%s'", cases[i].text, why,
				 cases[i].why);
		assert_null(strchr(why, '\n'));
	}
}

/* A long name is refused, not cut. */
static void test_parse_too_long(void **state)
{
	char text[600], why[256];
	struct trace_spec s;

	(void)state;
	memset(text, 'a', sizeof(text));
	text[0] = 'c';
	text[1] = ':';
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(trace_spec_parse(text, &s, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "the function name is too long (at most 255 bytes)");
}

/* A format description: offsets, sizes, signs and kinds of fields. */
static void test_tp_format(void **state)
{
	const struct trace_tp_field *f;
	struct trace_tp_format *fmt = malloc(sizeof(*fmt));
	char why[256];

	(void)state;
	assert_int_equal(trace_tp_format_parse(exec_format, fmt, why, sizeof(why)), 0);
	assert_int_equal(fmt->id, 365);
	assert_int_equal(fmt->nfields, 7);
	f = trace_tp_field_find(fmt, "filename");
	assert_non_null(f);
	assert_int_equal(f->kind, TRACE_TP_DATA_LOC);
	assert_int_equal(f->offset, 8);
	assert_int_equal(f->size, 4);
	f = trace_tp_field_find(fmt, "pid");
	assert_int_equal(f->kind, TRACE_TP_INT);
	assert_int_equal(f->offset, 12);
	assert_true(f->is_signed);
	assert_string_equal(f->decl, "pid_t pid");
	assert_null(trace_tp_field_find(fmt, "nosuch"));

	assert_int_equal(trace_tp_format_parse(misc_format, fmt, why, sizeof(why)), 0);
	assert_int_equal(trace_tp_field_find(fmt, "prev_comm")->kind, TRACE_TP_CHAR_ARRAY);
	assert_int_equal(trace_tp_field_find(fmt, "prev_comm")->size, 16);
	assert_int_equal(trace_tp_field_find(fmt, "filename")->kind, TRACE_TP_STR_PTR);
	assert_int_equal(trace_tp_field_find(fmt, "skbaddr")->kind, TRACE_TP_PTR);
	assert_int_equal(trace_tp_field_find(fmt, "saddr")->kind, TRACE_TP_OTHER);
	assert_int_equal(trace_tp_field_find(fmt, "delta")->kind, TRACE_TP_INT);
	assert_int_equal(trace_tp_field_find(fmt, "name")->kind, TRACE_TP_REL_LOC);

	assert_int_equal(trace_tp_format_parse("name: x\nID: 1\nformat:\n", fmt, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "no fields in the tracepoint's format description");
	assert_int_equal(
		trace_tp_format_parse("\tfield:int x;\toffset:zz;\n", fmt, why, sizeof(why)),
		-EINVAL);
	assert_string_equal(why, "unreadable field line in the format: 'field:int x;\toffset:zz;'");
	free(fmt);
}

/* Parse and bind; the reason when it fails. */
static int bind(const char *text, const char *format, int usdt_nargs, struct trace_probe_desc *d,
		char *why, size_t why_len)
{
	struct trace_tp_format *fmt = NULL;
	struct trace_spec s;
	int err;

	parse_ok(text, &s);
	if (format) {
		fmt = malloc(sizeof(*fmt));
		assert_int_equal(trace_tp_format_parse(format, fmt, why, why_len), 0);
	}
	err = trace_spec_bind(&s, fmt, usdt_nargs, 9, d, why, why_len);
	free(fmt);
	return err;
}

/* Arguments become reads of registers, USDT operands and tracepoint fields. */
static void test_bind(void **state)
{
	struct trace_probe_desc d;
	char why[256] = "";

	(void)state;
	assert_int_equal(bind("c:f \"%s %d\", arg2, arg1", NULL, -1, &d, why, sizeof(why)), 0);
	assert_int_equal(d.id, 9);
	assert_int_equal(d.nargs, 2);
	assert_int_equal(d.args[0].src, TRACE_SRC_REG);
	assert_int_equal(d.args[0].val, TRACE_VAL_STR);
	assert_int_equal(d.args[0].index, 1);
	assert_int_equal(d.args[1].val, TRACE_VAL_INT);
	assert_int_equal(d.filter_op, TRACE_CMP_NONE);

	assert_int_equal(bind("U:a:p:n \"%d\", arg2", NULL, 2, &d, why, sizeof(why)), 0);
	assert_int_equal(d.args[0].src, TRACE_SRC_USDT);
	assert_int_equal(d.args[0].index, 1);

	assert_int_equal(bind("r:c:f \"%s\", retval", NULL, -1, &d, why, sizeof(why)), 0);
	assert_int_equal(d.args[0].src, TRACE_SRC_RET);
	assert_int_equal(d.args[0].val, TRACE_VAL_STR);

	assert_int_equal(bind("t:sched:sched_process_exec \"%s %d\", args->filename, args->pid",
			      exec_format, -1, &d, why, sizeof(why)),
			 0);
	assert_int_equal(d.args[0].src, TRACE_SRC_DATA_LOC);
	assert_int_equal(d.args[0].val, TRACE_VAL_STR);
	assert_int_equal(d.args[0].offset, 8);
	assert_int_equal(d.args[1].src, TRACE_SRC_FIELD);
	assert_int_equal(d.args[1].size, 4);
	assert_int_equal(d.args[1].offset, 12);
	assert_true(d.args[1].is_signed);

	assert_int_equal(bind("t:m:misc \"%s %s %p %d %s\", args->prev_comm, args->filename, "
			      "args->skbaddr, args->delta, args->name",
			      misc_format, -1, &d, why, sizeof(why)),
			 0);
	assert_int_equal(d.args[0].val, TRACE_VAL_ARRAY);
	assert_int_equal(d.args[0].size, 16);
	assert_int_equal(d.args[1].src, TRACE_SRC_FIELD);
	assert_int_equal(d.args[1].val, TRACE_VAL_STR);
	assert_int_equal(d.args[2].val, TRACE_VAL_INT);
	assert_int_equal(d.args[3].size, 2);
	assert_int_equal(d.args[4].src, TRACE_SRC_REL_LOC);
}

/* The filter compares with the type the format gives its argument, or an int. */
static void test_bind_filter(void **state)
{
	struct trace_probe_desc d;
	char why[256] = "";

	(void)state;
	assert_int_equal(bind("c:f \"%d\", arg1 (arg1 == 3)", NULL, -1, &d, why, sizeof(why)), 0);
	assert_int_equal(d.filter_op, TRACE_CMP_EQ);
	assert_int_equal(d.filter_size, 4);
	assert_true(d.filter_signed);
	assert_true(d.filter_value == 3);
	assert_int_equal(d.filter_arg.src, TRACE_SRC_REG);
	assert_int_equal(d.filter_arg.val, TRACE_VAL_INT);

	assert_int_equal(bind("c:f (arg2 > 5)", NULL, -1, &d, why, sizeof(why)), 0);
	assert_int_equal(d.filter_size, 4); /* not printed: an int */
	assert_true(d.filter_signed);

	assert_int_equal(bind("c:f (arg2 > 5000000000)", NULL, -1, &d, why, sizeof(why)), 0);
	assert_int_equal(d.filter_size, 8); /* too large for an int: a long */

	assert_int_equal(bind("c:f \"%lu\", arg1 (arg1 >= 1)", NULL, -1, &d, why, sizeof(why)), 0);
	assert_int_equal(d.filter_size, 8);
	assert_false(d.filter_signed);

	assert_int_equal(
		bind("c:f \"%x\", arg1 (arg1 == 0xffffffff)", NULL, -1, &d, why, sizeof(why)), 0);
	assert_int_equal(d.filter_size, 4);
	assert_false(d.filter_signed);

	assert_int_equal(bind("r:c:f \"%d\", retval (retval < 0)", NULL, -1, &d, why, sizeof(why)),
			 0);
	assert_int_equal(d.filter_arg.src, TRACE_SRC_RET);
	assert_int_equal(d.filter_op, TRACE_CMP_LT);

	assert_int_equal(bind("t:s:e (args->pid == 42)", exec_format, -1, &d, why, sizeof(why)), 0);
	assert_int_equal(d.filter_size, 4);
	assert_true(d.filter_signed);
	assert_int_equal(d.filter_arg.offset, 12);
}

/* What binding refuses, each with its reason. */
static void test_bind_errors(void **state)
{
	static const struct {
		const char *text;
		const char *format;
		int usdt_nargs;
		const char *why;
	} cases[] = {
		{ "t:sched:sched_process_exec \"%s\", args->fname", exec_format, -1,
		  "no field 'fname' in sched:sched_process_exec (has filename, pid, old_pid)" },
		{ "t:sched:sched_process_exec \"%d\", args->filename", exec_format, -1,
		  "args->filename is a string (__data_loc char[] filename): print it with %s" },
		{ "t:sched:sched_process_exec \"%s\", args->pid", exec_format, -1,
		  "args->pid is not a string (pid_t pid): print it with %d, %u, %x, %ld, %lu, "
		  "%llx, "
		  "%c or %p" },
		{ "t:m:misc \"%d\", args->saddr", misc_format, -1,
		  "args->saddr (__u8 saddr[4]) is neither an integer nor a string" },
		{ "t:m:misc \"%s\", args->skbaddr", misc_format, -1,
		  "args->skbaddr is not a string (void * skbaddr): print it with %d, %u, %x, %ld, "
		  "%lu, %llx, %c or %p" },
		{ "t:m:misc (args->filename == 0) \"%s\", args->filename", misc_format, -1,
		  "the filter compares integers: args->filename is printed as a string (%s)" },
		{ "t:m:misc (args->prev_comm == 0)", misc_format, -1,
		  "args->prev_comm is a string (char prev_comm[16]): print it with %s" },
		{ "U:a:prov:name \"%d\", arg3", NULL, 2,
		  "arg3: USDT probe prov:name has 2 arguments" },
		{ "U:a:prov:name \"%d\", arg1", NULL, 0,
		  "arg1: USDT probe prov:name has 0 arguments" },
		{ "c:f \"%d\", arg1 (arg1 == 5000000000)", NULL, -1,
		  "the filter's 5000000000 is out of range for arg1 (4-byte signed integer)" },
		{ "c:f \"%u\", arg1 (arg1 < -1)", NULL, -1,
		  "the filter's -1 is out of range for arg1 (4-byte unsigned integer)" },
		{ "c:f \"%c\", arg1 (arg1 == 300)", NULL, -1,
		  "the filter's 300 is out of range for arg1 (1-byte signed integer)" },
		{ "c:f \"%s\", arg1 (arg1 == 0)", NULL, -1,
		  "the filter compares integers: arg1 is printed as a string (%s)" },
		{ "t:s:e (args->pid == 3000000000)", exec_format, -1,
		  "the filter's 3000000000 is out of range for args->pid (4-byte signed integer)" },
	};
	struct trace_probe_desc d;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[256] = "";
		int err = bind(cases[i].text, cases[i].format, cases[i].usdt_nargs, &d, why,
			       sizeof(why));

		if (err != -EINVAL)
			fail_msg("'%s' bound (%d)", cases[i].text, err);
		if (strcmp(why, cases[i].why))
			fail_msg("'%s': reason '%s', expected '%s'", cases[i].text, why,
				 cases[i].why);
	}
}

/* Format spec text with values; the message. */
static const char *message(const char *text, const struct trace_value *v, size_t n)
{
	static char buf[512];
	struct trace_spec s;

	parse_ok(text, &s);
	trace_format_message(&s, v, n, buf, sizeof(buf));
	return buf;
}

/* Each conversion, with the integer's width and sign as C's printf would see them. */
static void test_format_ints(void **state)
{
	struct trace_value v[6] = {
		{ .raw = 0xffffffffULL }, { .raw = 0x1ffffffffULL }, { .raw = 255 },
		{ .raw = (uint64_t)-2 },  { .raw = 0x41 },	     { .raw = 0xdead },
	};
	struct trace_value w[3] = { v[3], v[3], v[2] };

	(void)state;
	assert_string_equal(
		message("c:f \"%d %u %x %ld %c %p\", arg1, arg2, arg3, arg4, arg5, arg6", v, 6),
		"-1 4294967295 ff -2 A 0xdead");
	/* Values come in the order the arguments are given. */
	assert_string_equal(message("c:f \"%lu|%llx|%i\", arg4, arg4, arg3", w, 3),
			    "18446744073709551614|fffffffffffffffe|255");
	assert_string_equal(message("c:f \"100%% of %d\", arg3", v + 2, 1), "100% of 255");
	assert_string_equal(message("c:f", v, 0), "");
}

/* Strings: escaped, marked when cut, and said when unreadable. */
static void test_format_strings(void **state)
{
	struct trace_value v[3] = {
		{ .raw = 1, .str = "root", .str_len = 4 },
		{ .raw = 1, .str = "abcdef", .str_len = 6, .truncated = true },
		{ .raw = 1, .str = "\x1b[31mred\n", .str_len = 9 },
	};
	struct trace_value bad[2] = {
		{ .raw = 0, .unreadable = true },
		{ .raw = 0x1000, .unreadable = true },
	};

	(void)state;
	assert_string_equal(message("pam:pam_start \"%s: %s\", arg1, arg2", v, 2),
			    "root: abcdef...");
	assert_string_equal(message("c:f \"<%s>\", arg1", v + 2, 1), "<\\x1b[31mred\\x0a>");
	assert_string_equal(message("c:f \"%s %s\", arg1, arg2", bad, 2), "(null) (unreadable)");
	assert_string_equal(message("c:f \"%d\", arg1", bad, 1), "?");
	/* The format's own text is escaped too. */
	assert_string_equal(message("c:f \"a\x07%d\", arg1", v, 1), "a\\x071");
}

/* A message that does not fit is cut, never overflowing its buffer. */
static void test_format_small_buffer(void **state)
{
	struct trace_value v = { .raw = 1, .str = "0123456789", .str_len = 10 };
	struct trace_spec s;
	char buf[8];
	size_t n;

	(void)state;
	parse_ok("c:f \"%s%s\", arg1, arg1", &s);
	n = trace_format_message(&s, (struct trace_value[]){ v, v }, 2, buf, sizeof(buf));
	assert_true(n < sizeof(buf));
	assert_int_equal(strlen(buf), n);
}

/* An ld.so.cache image with these (name, path) pairs, in the format glibc writes. */
static void *ldcache_image(const char *const pairs[][2], size_t n, size_t *size)
{
	size_t hdr = 48, ent = 24, strings = 0, off;
	char *img;

	for (size_t i = 0; i < n; i++)
		strings += strlen(pairs[i][0]) + strlen(pairs[i][1]) + 2;
	*size = hdr + n * ent + strings;
	img = calloc(1, *size);
	memcpy(img, "glibc-ld.so.cache1.1", 20);
	memcpy(img + 20, &(uint32_t){ (uint32_t)n }, 4);
	memcpy(img + 24, &(uint32_t){ (uint32_t)strings }, 4);
	off = hdr + n * ent;
	for (size_t i = 0; i < n; i++) {
		char *e = img + hdr + i * ent;
		uint32_t key = (uint32_t)off, value;

		strcpy(img + off, pairs[i][0]);
		off += strlen(pairs[i][0]) + 1;
		value = (uint32_t)off;
		strcpy(img + off, pairs[i][1]);
		off += strlen(pairs[i][1]) + 1;
		memcpy(e, &(int32_t){ 0x0303 }, 4);
		memcpy(e + 4, &key, 4);
		memcpy(e + 8, &value, 4);
	}
	return img;
}

/* Short names find their library as the dynamic linker would, and nothing else. */
static void test_ldcache(void **state)
{
	static const char *const pairs[][2] = {
		{ "libcrypt.so.1", "/lib/libcrypt.so.1" },
		{ "libc.so.6", "/lib/libc.so.6" },
		{ "libpam_misc.so.0", "/lib/libpam_misc.so.0" },
		{ "libpam.so.0", "/lib/libpam.so.0" },
	};
	char path[64];
	size_t size;
	void *img = ldcache_image(pairs, 4, &size);

	(void)state;
	assert_int_equal(trace_ldcache_lookup(img, size, "pam", NULL, path, sizeof(path)), 0);
	assert_string_equal(path, "/lib/libpam.so.0");
	assert_int_equal(trace_ldcache_lookup(img, size, "c", NULL, path, sizeof(path)), 0);
	assert_string_equal(path, "/lib/libc.so.6");
	assert_int_equal(trace_ldcache_lookup(img, size, "libpam.so.0", NULL, path, sizeof(path)),
			 0);
	assert_string_equal(path, "/lib/libpam.so.0");
	assert_int_equal(trace_ldcache_lookup(img, size, "pam_misc", NULL, path, sizeof(path)), 0);
	assert_string_equal(path, "/lib/libpam_misc.so.0");
	assert_int_equal(trace_ldcache_lookup(img, size, "nosuch", NULL, path, sizeof(path)),
			 -ENOENT);
	assert_int_equal(trace_ldcache_lookup(img, size, "libc.so", NULL, path, sizeof(path)),
			 -ENOENT);
	/* A cut or foreign image is refused. */
	assert_int_equal(trace_ldcache_lookup(img, 40, "c", NULL, path, sizeof(path)), -EINVAL);
	memcpy(img, "glibc-ld.so.cache1.0", 20);
	assert_int_equal(trace_ldcache_lookup(img, size, "c", NULL, path, sizeof(path)), -EINVAL);
	free(img);
}

/* A function of this program for the symbol lookup to find. */
__attribute__((noinline, used)) int trace_test_target(int x)
{
	return x * 3;
}

/* Functions are found in a real ELF file (this program); imports and strangers are refused. */
static void test_resolve_func(void **state)
{
	char path[4096], sym[256], why[256];
	uint64_t off = 0;
	ssize_t n;

	(void)state;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	assert_true(n > 0);
	path[n] = '\0';
	assert_int_equal(trace_resolve_func(path, "trace_test_target", &off, sym, sizeof(sym), why,
					    sizeof(why)),
			 0);
	assert_string_equal(sym, "trace_test_target");
	assert_true(off > 0);
	assert_int_equal(trace_resolve_func(path, "no_such_function", &off, sym, sizeof(sym), why,
					    sizeof(why)),
			 -ENOENT);
	assert_true(strstr(why, "no function no_such_function in ") == why);
	assert_int_equal(
		trace_resolve_func(path, "strcmp", &off, sym, sizeof(sym), why, sizeof(why)),
		-ENOENT);
	assert_true(strstr(why, " only imports strcmp: probe the library that defines it"));
	assert_int_equal(trace_resolve_func("/proc/self/status", "f", &off, sym, sizeof(sym), why,
					    sizeof(why)),
			 -ENOEXEC);
	assert_string_equal(why, "/proc/self/status is not an ELF file");
	assert_int_equal(
		trace_resolve_target("/nonexistent/lib.so", path, sizeof(path), why, sizeof(why)),
		-ENOENT);
	assert_string_equal(why, "no file /nonexistent/lib.so: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_article),
		cmocka_unit_test(test_parse_types),
		cmocka_unit_test(test_parse_filters),
		cmocka_unit_test(test_parse_cxx_and_quotes),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test(test_tp_format),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_bind_filter),
		cmocka_unit_test(test_bind_errors),
		cmocka_unit_test(test_format_ints),
		cmocka_unit_test(test_format_strings),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_ldcache),
		cmocka_unit_test(test_resolve_func),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
