/* SPDX-License-Identifier: GPL-2.0 */
/* The command line, as DESIGN.md gives it: parsed strictly, every value validated. */
#ifndef KTOP_OPTIONS_H
#define KTOP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/collector.h"
#include "core/export.h"
#include "core/trigger.h"

struct options {
	const char *panel;        /* -P NAME, NULL: the default panel */
	uint32_t pids[KTOP_MAX_PIDS];
	size_t npids;
	struct filter_cgroup cgroup; /* --cgroup, resolved; id 0: none */
	double delay_s;           /* -d */
	bool batch;               /* -b */
	uint64_t iterations;      /* -n, 0: until stopped */
	enum export_format format;
	const char *output;       /* -o */
	uint64_t min_block_us;    /* -m */
	uint64_t slow_ms;         /* -t */
	uint64_t bio_slow_us;     /* block I/O: latency counted as slow (no option yet) */
	uint64_t stack_storage;   /* --stack-storage */
	uint64_t max_stacks;      /* --max-stacks */
	uint64_t max_queries;     /* --max-queries */
	uint64_t sample_hz;       /* -F */
	enum ktop_unwind unwind;  /* --unwind */
	uint64_t ustack_kib;      /* --ustack-size */
	const char *theme;        /* --theme, NULL: default (mono with NO_COLOR) */
	const char *db[16];       /* --db targets */
	size_t ndb;
	const char *trace[64];    /* --trace specs */
	size_t ntrace;
	bool redact;              /* --redact */
	bool mouse;               /* false with --no-mouse */
	bool no_config;           /* --no-config: the settings file is neither read nor written */
	const char *write;        /* -w FILE: record every interval of every panel */
	const char *read;         /* -r FILE: replay a recording */
	uint64_t keep_s;          /* --keep: the recording is a ring of this span; 0: all */
	uint64_t keep_bytes;      /* --keep SIZE: a ring of at most this size; 0: none */
	uint32_t record_panels;   /* --record: record_panel_bit bits of the panels -w records; 0: all */
	struct trigger_spec triggers[TRIGGER_MAX]; /* --trigger conditions */
	size_t ntriggers;
	double trigger_before_s;  /* --trigger-window BEFORE,AFTER */
	double trigger_after_s;
	bool trigger_window_set;  /* --trigger-window was given */
	const char *trigger_dir;  /* --trigger-dir: where window files go */
	const char *from;         /* --from T: replay from this moment (as given, checked) */
	const char *to;           /* --to T */
	const char *at;           /* --at T: replay at this moment (-b: print that interval) */
	const char *listen;       /* --listen [ADDR:]PORT, NULL: no HTTP server */
	bool help;
	bool version;
};

/* Whether panel (by name) is recorded: -w or --trigger, and --record names it (or is absent). */
bool options_records_panel(const struct options *o, const char *panel);
/* Fill o with the defaults (those of no option at all). */
void options_defaults(struct options *o);
/* Parse argv over o as it is (the defaults, then the settings file); as options_parse. */
int options_parse_over(struct options *o, int argc, char **argv, char *why, size_t why_len);
/*
 * Parse argv into o (defaults first). 0, or -EINVAL with one line in why that names the
 * option, e.g. "-d: 'abc' is not a number". Does not print.
 */
int options_parse(struct options *o, int argc, char **argv, char *why, size_t why_len);
/* What the collectors open with (cfg) and the filter they start with (f), from o. */
void options_startup(const struct options *o, struct ktop_config *cfg, struct filter *f);
/* --unwind's words: "auto", "dwarf", "fp". 0, or -EINVAL for another word. */
int unwind_mode_parse(const char *s, enum ktop_unwind *out);
const char *unwind_mode_name(enum ktop_unwind m);
/* The --help text. */
void options_usage(FILE *out);

#endif
