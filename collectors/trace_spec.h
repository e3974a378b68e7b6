/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace probe specs, parsed without touching the system: "[p:]LIB:FUNC", "r:LIB:FUNC",
 * "U:LIB:PROVIDER:NAME" or "t:CATEGORY:EVENT", then an optional "FORMAT" with its arguments
 * and an optional filter "(ARG OP NUMBER)", before or after the format. Also the parser of a
 * tracepoint's format description, and the step that binds a spec to what the system said
 * (a tracepoint's fields, a USDT probe's argument count) into the kernel side's description.
 */
#ifndef KTOP_TRACE_SPEC_H
#define KTOP_TRACE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_SPEC_ARGS	      6	  /* arguments of one probe */
#define TRACE_SPEC_NAME_LEN   256 /* a library, function or event name */
#define TRACE_SPEC_FIELD_LEN  64  /* a tracepoint field's name */
#define TRACE_SPEC_FORMAT_LEN 256
#define TRACE_TP_FIELDS_MAX   128 /* fields of one tracepoint */

/* A printf conversion the format may use. */
enum trace_conv {
	TRACE_CONV_D,	/* %d %i: int */
	TRACE_CONV_U,	/* %u: unsigned int */
	TRACE_CONV_X,	/* %x: unsigned int, hex */
	TRACE_CONV_LD,	/* %ld %lld: long */
	TRACE_CONV_LU,	/* %lu %llu: unsigned long */
	TRACE_CONV_LLX, /* %llx %lx: unsigned long, hex */
	TRACE_CONV_S,	/* %s: a string */
	TRACE_CONV_C,	/* %c: a character */
	TRACE_CONV_P,	/* %p: a pointer */
};

/* Where an argument comes from, as the user wrote it. */
enum trace_arg_kind {
	TRACE_ARG_REG,	  /* argN: a uprobe's or USDT probe's argument N */
	TRACE_ARG_RETVAL, /* retval: the return value (r: probes) */
	TRACE_ARG_FIELD,  /* args->FIELD: a tracepoint field */
};

struct trace_spec_arg {
	enum trace_arg_kind kind;
	unsigned int index; /* argN: N - 1 */
	char field[TRACE_SPEC_FIELD_LEN];
};

/* The filter's comparison; the same numbers as enum trace_cmp in bpf/trace.h. */
enum trace_spec_cmp {
	TRACE_SPEC_CMP_NONE,
	TRACE_SPEC_CMP_EQ,
	TRACE_SPEC_CMP_NE,
	TRACE_SPEC_CMP_LT,
	TRACE_SPEC_CMP_LE,
	TRACE_SPEC_CMP_GT,
	TRACE_SPEC_CMP_GE,
};

struct trace_spec {
	char type;			  /* 'p' uprobe, 'r' uretprobe, 'U' USDT, 't' tracepoint */
	char target[TRACE_SPEC_NAME_LEN]; /* p, r, U: the library or program; t: the category */
	char func[TRACE_SPEC_NAME_LEN];	  /* p, r: the function; U: the probe; t: the event */
	char provider[TRACE_SPEC_NAME_LEN]; /* U: the provider */
	bool has_format;
	char format[TRACE_SPEC_FORMAT_LEN];	/* with \" and \\ resolved */
	enum trace_conv convs[TRACE_SPEC_ARGS]; /* the format's conversions, one per argument */
	struct trace_spec_arg args[TRACE_SPEC_ARGS];
	size_t nargs;
	enum trace_spec_cmp filter_op; /* TRACE_SPEC_CMP_NONE: no filter */
	struct trace_spec_arg filter_arg;
	int64_t filter_value; /* the constant's bits (a large unsigned one wraps) */
	bool filter_negative; /* the constant was written with a minus sign */
};

/* A tracepoint field's kind, from its declaration in the format description. */
enum trace_tp_kind {
	TRACE_TP_INT,	     /* an integer of 1, 2, 4 or 8 bytes */
	TRACE_TP_STR_PTR,    /* char *: a pointer to a string */
	TRACE_TP_PTR,	     /* another pointer */
	TRACE_TP_CHAR_ARRAY, /* char name[N] */
	TRACE_TP_DATA_LOC,   /* __data_loc char[]: a string stored after the fields */
	TRACE_TP_REL_LOC,    /* __rel_loc char[]: the same, its offset counted from the field */
	TRACE_TP_OTHER,	     /* another array, or dynamic data that is not a string */
};

struct trace_tp_field {
	char name[TRACE_SPEC_FIELD_LEN];
	char decl[128]; /* the declaration as written, e.g. "__data_loc char[] filename" */
	enum trace_tp_kind kind;
	uint16_t offset;
	uint16_t size;
	bool is_signed;
};

struct trace_tp_format {
	uint32_t id;
	struct trace_tp_field fields[TRACE_TP_FIELDS_MAX];
	size_t nfields;
};

struct trace_probe_desc;

/*
 * Parse a spec. 0, or -EINVAL with a one-line reason in why, e.g. "the format has 2
 * conversions but 1 argument is given".
 */
int trace_spec_parse(const char *text, struct trace_spec *out, char *why, size_t why_len);

/* Parse the text of /sys/kernel/tracing/events/CAT/EVENT/format; 0 or -EINVAL with why. */
int trace_tp_format_parse(const char *text, struct trace_tp_format *out, char *why, size_t why_len);
/* The field with this name, or NULL. */
const struct trace_tp_field *trace_tp_field_find(const struct trace_tp_format *f, const char *name);

/*
 * Fill the kernel side's description of spec s: tp is the tracepoint's format (t: only),
 * usdt_nargs the USDT probe's argument count (U: only; -1 when unknown). 0, or -EINVAL with
 * why, e.g. "no field 'fname' in sched:sched_process_exec (has filename, pid, old_pid)".
 */
int trace_spec_bind(const struct trace_spec *s, const struct trace_tp_format *tp, int usdt_nargs,
		    uint32_t id, struct trace_probe_desc *out, char *why, size_t why_len);

/* "%d", "%s", ... as written in formats. */
const char *trace_conv_name(enum trace_conv conv);
/* How an argument is written: "arg2", "retval", "args->filename". */
void trace_arg_name(const struct trace_spec_arg *a, char *buf, size_t len);

#endif
