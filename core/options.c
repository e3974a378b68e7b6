// SPDX-License-Identifier: GPL-2.0
#include "core/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collectors/cgroup_path.h"
#include "core/http_server.h"
#include "core/registry.h"
#include "record/record_file.h"
#include "record/record_time.h"
#include "util/escape.h"
#include "util/parse.h"

enum long_only {
	OPT_DB = 0x100,
	OPT_TRACE,
	OPT_THEME,
	OPT_STACK_STORAGE,
	OPT_MAX_STACKS,
	OPT_REDACT,
	OPT_UNWIND,
	OPT_USTACK_SIZE,
	OPT_MAX_QUERIES,
	OPT_NO_MOUSE,
	OPT_NO_CONFIG,
	OPT_KEEP,
	OPT_FROM,
	OPT_TO,
	OPT_AT,
	OPT_LISTEN,
	OPT_RECORD,
	OPT_TRIGGER,
	OPT_TRIGGER_WINDOW,
	OPT_TRIGGER_DIR,
	OPT_CGROUP,
};

static const struct option long_options[] = {
	{ "panel", required_argument, NULL, 'P' },
	{ "pid", required_argument, NULL, 'p' },
	{ "delay", required_argument, NULL, 'd' },
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "min-block", required_argument, NULL, 'm' },
	{ "slow", required_argument, NULL, 't' },
	{ "db", required_argument, NULL, OPT_DB },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "theme", required_argument, NULL, OPT_THEME },
	{ "stack-storage", required_argument, NULL, OPT_STACK_STORAGE },
	{ "max-stacks", required_argument, NULL, OPT_MAX_STACKS },
	{ "frequency", required_argument, NULL, 'F' },
	{ "unwind", required_argument, NULL, OPT_UNWIND },
	{ "ustack-size", required_argument, NULL, OPT_USTACK_SIZE },
	{ "max-queries", required_argument, NULL, OPT_MAX_QUERIES },
	{ "redact", no_argument, NULL, OPT_REDACT },
	{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
	{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
	{ "write", required_argument, NULL, 'w' },
	{ "read", required_argument, NULL, 'r' },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "at", required_argument, NULL, OPT_AT },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "trigger", required_argument, NULL, OPT_TRIGGER },
	{ "trigger-window", required_argument, NULL, OPT_TRIGGER_WINDOW },
	{ "trigger-dir", required_argument, NULL, OPT_TRIGGER_DIR },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *out)
{
	fputs("Usage: ktop [options]\n"
	      "A top-like performance analyzer: off-CPU stacks, block I/O latency, slow queries.\n"
	      "\n"
	      "  -P, --panel NAME       start on this panel: ", out);
	registry_list_panels(out);
	fputs("\n"
	      "  -p, --pid PID[,PID]    only these processes (live-changeable with the p key)\n"
	      "      --cgroup PATH      only processes of this cgroup directory and its children\n"
	      "                         (v2, or a v1 controller's; live-changeable with C)\n"
	      "  -d, --delay SECS       refresh and snapshot interval (default 1; 0.1 to 3600)\n"
	      "  -b, --batch            no terminal UI: print a snapshot of the panel each interval\n"
	      "  -n, --iterations N     stop after N snapshots\n"
	      "  -f, --format FMT       text | json | folded | pprof (folded, pprof: stack panels)\n"
	      "                         | none (print nothing, e.g. to serve --listen headless)\n"
	      "  -o, --output FILE      write snapshots to FILE (created new, mode 0600); pprof:\n"
	      "                         FILE.1, FILE.2, ... each interval, FILE the whole run\n"
	      "  -m, --min-block USECS  off-CPU: ignore blocks shorter than this (default 1)\n"
	      "      --stack-storage N  stacks: distinct stacks the kernel can hold (default 16384;\n"
	      "                         the two maps of Off-CPU and of Stacks hold half each)\n"
	      "      --max-stacks N     stacks kept since the reset; the smallest older ones are\n"
	      "                         merged beyond it (default 32768)\n"
	      "  -F, --frequency HZ     stacks: on-CPU sampling frequency (default 99)\n"
	      "      --unwind MODE      user stacks: auto (DWARF for the PID filter and the Stacks\n"
	      "                         target, frame pointers elsewhere), dwarf, or fp\n"
	      "      --ustack-size KIB  DWARF: user stack copied per stack, 4 to 64 (default 16)\n"
	      "  -t, --slow MS          slow queries: threshold (default 10)\n"
	      "      --db TARGET        database server binary or PID to trace (repeatable;\n"
	      "                         default: every running mysqld, mariadbd, postgres)\n"
	      "      --max-queries N    slow queries: the most recent kept in the list; older ones\n"
	      "                         are dropped and counted (default 1000)\n"
	      "      --redact           show and export queries with literals replaced by ?\n"
	      "      --trace SPEC       add a probe to the Trace panel (repeatable), e.g.\n"
	      "                         'pam:pam_start \"%s: %s\", arg1, arg2'\n"
	      "      --theme NAME       colour theme: default, mono, high-contrast, or a file path\n"
	      "      --no-mouse         leave the mouse to the terminal (text selection)\n"
	      "      --no-config        neither read nor write the settings file\n"
	      "  -w, --write FILE       record every interval of every panel to FILE (new, 0600)\n"
	      "      --keep DURATION    with -w: keep only the last DURATION (90s, 15m, 2h, 1d) in\n"
	      "                         FILE and FILE.prev; or SIZE (100MB, 2GB): at most SIZE\n"
	      "      --record PANELS    with -w or --trigger: record only these panels (a comma\n"
	      "                         list of -P names; default every panel)\n"
	      "      --trigger COND     flight recorder (repeatable): when COND holds, save the\n"
	      "                         intervals around it to a file of their own; COND is\n"
	      "                         psi:cpu>P, psi:io>P, psi:memory>P (P %% of time),\n"
	      "                         query>MS (a slow query) or bio_p99>MS (a disk's p99)\n"
	      "      --trigger-window B,A  seconds kept before and after a firing (default 60,60)\n"
	      "      --trigger-dir DIR  where window files go (default: -w's directory, else .)\n"
	      "  -r, --read FILE        replay a recording (no root needed): on the screen, or\n"
	      "                         printed with -b\n"
	      "      --at T             with -r: start at T (HH:MM:SS local time, or +DURATION\n"
	      "                         after the first interval); with -b print that interval\n"
	      "      --from T, --to T   with -r -b: only the intervals from/until T\n"
	      "      --listen [ADDR:]PORT  serve /metrics (Prometheus) and pprof profiles\n"
	      "                         (/debug/pprof/profile, /debug/pprof/offcpu) over HTTP;\n"
	      "                         a port alone: loopback (127.0.0.1); another address is\n"
	      "                         yours to secure\n"
	      "  -h, --help             this help\n"
	      "  -V, --version          print the version\n"
	      "\n"
	      "Examples:\n"
	      "  ktop                          the interactive screen\n"
	      "  ktop -b -P bio -d 2 -n 3 -f json   three 2-second Block I/O snapshots as JSON\n"
	      "  ktop -w /var/tmp/box.ktop --keep 2h   the screen, and the last 2 hours recorded\n"
	      "  ktop -r box.ktop -b -f json -P bio --from 03:10:00 --to +5m   replayed\n"
	      "  ktop -b -f none --listen 9100     headless, metrics on 127.0.0.1:9100/metrics\n"
	      "\n"
	      "Settings: $XDG_CONFIG_HOME/ktop/ktoprc (else ~/.config/ktop/ktoprc), read at start\n"
	      "(options override it), changed on the setup screen (F2 or S), saved on quit;\n"
	      "batch mode takes only its tables' columns and sorts (columns.*, sort.*).\n"
	      "Environment: KTOP_EXPORT_DIR (where s saves), KTOP_THEME_DIR, KTOP_LOG (a debug log\n"
	      "file), NO_COLOR (monochrome).\n"
	      "Needs root, or CAP_BPF and CAP_PERFMON, and a kernel with BTF (Linux 5.8 or later).\n",
	      out);
}

static const char *const unwind_mode_names[] = {
	[KTOP_UNWIND_AUTO] = "auto",
	[KTOP_UNWIND_DWARF] = "dwarf",
	[KTOP_UNWIND_FP] = "fp",
};

int unwind_mode_parse(const char *s, enum ktop_unwind *out)
{
	for (size_t i = 0; i < sizeof(unwind_mode_names) / sizeof(unwind_mode_names[0]); i++) {
		if (!strcmp(s, unwind_mode_names[i])) {
			*out = (enum ktop_unwind)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *unwind_mode_name(enum ktop_unwind m)
{
	return (unsigned)m < sizeof(unwind_mode_names) / sizeof(unwind_mode_names[0]) ?
		       unwind_mode_names[m] :
		       "?";
}

/* Fill why with "OPT: reason" for a value that parse_* refused. */
static int option_error(char *why, size_t why_len, const char *opt, const char *reason)
{
	snprintf(why, why_len, "%s: %s", opt, reason);
	return -EINVAL;
}

/* The option as the user wrote it, for messages: "-d" or "--delay". */
static const char *option_name(int c, int long_index, char *buf, size_t len)
{
	if (long_index >= 0)
		snprintf(buf, len, "--%s", long_options[long_index].name);
	else
		snprintf(buf, len, "-%c", c);
	return buf;
}

/* A --db target: a server binary that exists, or a live PID. */
static int check_db_target(const char *arg, char *why, size_t why_len)
{
	uint32_t pid;
	size_t n;

	if (strchr(arg, '/')) {
		if (access(arg, X_OK)) {
			snprintf(why, why_len, "%s: %s", arg, strerror(errno));
			return -ENOENT;
		}
		return 0;
	}
	return parse_pid_list(arg, &pid, 1, &n, why, why_len);
}

/* --record's list: panel names as -P takes them, into record_panel_bit bits; 0 or -EINVAL. */
static int parse_record_panels(const char *arg, uint32_t *bits, char *why, size_t why_len)
{
	char list[256], *save = NULL, *tok;

	*bits = 0;
	if (strlen(arg) >= sizeof(list)) {
		snprintf(why, why_len, "list too long");
		return -EINVAL;
	}
	snprintf(list, sizeof(list), "%s", arg);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int b = record_panel_bit(tok);

		if (!registry_find_panel(tok)) {
			registry_panel_reason(tok, why, why_len);
			return -EINVAL;
		}
		if (b < 0) {
			snprintf(why, why_len, "panel '%s' cannot be recorded", tok);
			return -EINVAL;
		}
		*bits |= 1u << b;
	}
	if (!*bits) {
		snprintf(why, why_len, "needs at least one panel");
		return -EINVAL;
	}
	return 0;
}

/* --trigger-window BEFORE,AFTER: two durations ("60,60", "2m,30s"); 0 or -EINVAL. */
static int parse_window(const char *arg, double *before, double *after, char *why,
			size_t why_len)
{
	const char *comma = strchr(arg, ',');
	char first[32];
	uint64_t b, a;

	if (!comma || (size_t)(comma - arg) >= sizeof(first)) {
		snprintf(why, why_len, "needs BEFORE,AFTER (e.g. 60,60 or 2m,30s)");
		return -EINVAL;
	}
	memcpy(first, arg, (size_t)(comma - arg));
	first[comma - arg] = '\0';
	if (record_duration_parse(first, &b, why, why_len) ||
	    record_duration_parse(comma + 1, &a, why, why_len))
		return -EINVAL;
	if (b > 7200 || a > 7200) {
		snprintf(why, why_len, "at most 2h before and 2h after");
		return -EINVAL;
	}
	*before = (double)b;
	*after = (double)a;
	return 0;
}

/* Handle one parsed option; 0 or -EINVAL with why. */
static int apply_option(struct options *o, int c, const char *name, const char *arg, char *why,
			size_t why_len)
{
	char reason[160];
	int err = 0;

	switch (c) {
	case 'P':
		if (!registry_find_panel(arg))
			return option_error(why, why_len, name,
					    registry_panel_reason(arg, reason, sizeof(reason)));
		o->panel = arg;
		break;
	case 'p':
		err = parse_pid_list(arg, o->pids, KTOP_MAX_PIDS, &o->npids, reason, sizeof(reason));
		break;
	case 'd':
		err = parse_seconds(arg, 0.1, 3600, &o->delay_s, reason, sizeof(reason));
		break;
	case 'b':
		o->batch = true;
		break;
	case 'n':
		err = parse_u64(arg, 1, UINT32_MAX, &o->iterations, reason, sizeof(reason));
		break;
	case 'f':
		if (export_format_parse(arg, &o->format))
			return option_error(why, why_len, name,
					    "format must be text, json, folded, pprof or none");
		break;
	case 'o':
		if (!arg[0])
			return option_error(why, why_len, name, "needs a file name");
		o->output = arg;
		break;
	case 'F':
		err = parse_u64(arg, 1, 10000, &o->sample_hz, reason, sizeof(reason));
		break;
	case 'm':
		err = parse_u64(arg, 0, 3600ULL * 1000000, &o->min_block_us, reason, sizeof(reason));
		break;
	case 't':
		err = parse_u64(arg, 0, 3600ULL * 1000, &o->slow_ms, reason, sizeof(reason));
		break;
	case OPT_DB:
		if (o->ndb == sizeof(o->db) / sizeof(o->db[0]))
			return option_error(why, why_len, name, "at most 16 targets");
		err = check_db_target(arg, reason, sizeof(reason));
		o->db[o->ndb++] = arg;
		break;
	case OPT_TRACE:
		if (o->ntrace == sizeof(o->trace) / sizeof(o->trace[0]))
			return option_error(why, why_len, name, "too many probes (at most 64)");
		if (!arg[0])
			return option_error(why, why_len, name, "needs a probe spec");
		o->trace[o->ntrace++] = arg;
		break;
	case OPT_REDACT:
		o->redact = true;
		break;
	case OPT_NO_MOUSE:
		o->mouse = false;
		break;
	case OPT_NO_CONFIG:
		o->no_config = true;
		break;
	case OPT_UNWIND:
		if (unwind_mode_parse(arg, &o->unwind))
			return option_error(why, why_len, name, "mode must be auto, dwarf or fp");
		break;
	case OPT_USTACK_SIZE:
		err = parse_u64(arg, 4, 64, &o->ustack_kib, reason, sizeof(reason));
		if (!err && o->ustack_kib % 4)
			return option_error(why, why_len, name, "must be a multiple of 4 (KiB)");
		break;
	case OPT_STACK_STORAGE:
		err = parse_u64(arg, 1024, 1u << 22, &o->stack_storage, reason, sizeof(reason));
		break;
	case OPT_MAX_STACKS:
		err = parse_u64(arg, 64, 1u << 24, &o->max_stacks, reason, sizeof(reason));
		break;
	case OPT_MAX_QUERIES:
		err = parse_u64(arg, 10, 1u << 22, &o->max_queries, reason, sizeof(reason));
		break;
	case 'w':
	case 'r':
		if (!arg[0])
			return option_error(why, why_len, name, "needs a file name");
		if (c == 'w')
			o->write = arg;
		else
			o->read = arg;
		break;
	case OPT_RECORD:
		err = parse_record_panels(arg, &o->record_panels, reason, sizeof(reason));
		break;
	case OPT_TRIGGER:
		if (o->ntriggers == TRIGGER_MAX)
			return option_error(why, why_len, name, "at most 8 conditions");
		err = trigger_parse(arg, &o->triggers[o->ntriggers], reason, sizeof(reason));
		if (!err)
			o->ntriggers++;
		break;
	case OPT_TRIGGER_WINDOW:
		err = parse_window(arg, &o->trigger_before_s, &o->trigger_after_s, reason,
				   sizeof(reason));
		o->trigger_window_set = true;
		break;
	case OPT_TRIGGER_DIR:
		if (!arg[0])
			return option_error(why, why_len, name, "needs a directory");
		o->trigger_dir = arg;
		break;
	case OPT_KEEP:
		err = record_keep_parse(arg, &o->keep_s, &o->keep_bytes, reason, sizeof(reason));
		break;
	case OPT_FROM:
	case OPT_TO:
	case OPT_AT: {
		struct record_time t;

		err = record_time_parse(arg, &t, reason, sizeof(reason));
		if (c == OPT_FROM)
			o->from = arg;
		else if (c == OPT_TO)
			o->to = arg;
		else
			o->at = arg;
		break;
	}
	case OPT_LISTEN: {
		char host[64];
		unsigned int port;

		err = http_listen_parse(arg, host, sizeof(host), &port, reason, sizeof(reason));
		if (err)
			return option_error(why, why_len, name, reason);
		o->listen = arg;
		break;
	}
	case OPT_CGROUP:
		err = cgroup_path_resolve(arg, NULL, &o->cgroup, reason, sizeof(reason));
		break;
	case OPT_THEME:
		if (!arg[0])
			return option_error(why, why_len, name, "needs a theme name");
		o->theme = arg;
		break;
	case 'h':
		o->help = true;
		break;
	case 'V':
		o->version = true;
		break;
	}
	if (err)
		return option_error(why, why_len, name, reason);
	return 0;
}

/* The recording options that go together, and those that do not. */
static int check_record_options(const struct options *o, char *why, size_t why_len)
{
	const char *bad = NULL;

	if (o->read && o->write)
		bad = "-w: not with -r (a recording is replayed, not recorded again)";
	else if (o->read && o->npids)
		bad = "-p: not with -r (a recording replays what was recorded)";
	else if (o->read && o->cgroup.id)
		bad = "--cgroup: not with -r (a recording replays what was recorded)";
	else if ((o->keep_s || o->keep_bytes) && !o->write)
		bad = "--keep: only with -w";
	else if (o->read && o->ntriggers)
		bad = "--trigger: not with -r (a trigger watches the live box)";
	else if (o->record_panels && !o->write && !o->ntriggers)
		bad = "--record: only with -w or --trigger";
	else if ((o->trigger_dir || o->trigger_window_set) && !o->ntriggers)
		bad = o->trigger_dir ? "--trigger-dir: only with --trigger" :
				       "--trigger-window: only with --trigger";
	else if ((o->from || o->to || o->at) && !o->read)
		bad = o->from ? "--from: only with -r" :
		      o->to   ? "--to: only with -r" :
				"--at: only with -r";
	else if (o->at && (o->from || o->to))
		bad = "--at: not with --from or --to (one moment, or a range)";
	else if (o->read && !o->batch && (o->from || o->to))
		bad = o->from ? "--from: only with -b (the screen starts --at a time)" :
				"--to: only with -b (the screen starts --at a time)";
	if (!bad)
		return 0;
	snprintf(why, why_len, "%s", bad);
	return -EINVAL;
}

void options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->delay_s = 1.0;
	o->format = EXPORT_TEXT;
	o->slow_ms = 10;
	o->bio_slow_us = 10000;
	o->min_block_us = 1;
	o->stack_storage = 16384;
	o->max_stacks = 32768;
	o->max_queries = 1000;
	o->sample_hz = 99;
	o->ustack_kib = 16;
	o->mouse = true;
	o->trigger_before_s = 60;
	o->trigger_after_s = 60;
}

bool options_records_panel(const struct options *o, const char *panel)
{
	int b;

	if (!o->write && !o->ntriggers)
		return false;
	if (!o->record_panels)
		return true;
	b = record_panel_bit(panel);
	return b >= 0 && (o->record_panels & (1u << b));
}

/* options_parse_over without the escaping of its message. */
static int options_parse_args(struct options *o, int argc, char **argv, char *why, size_t why_len)
{
	char name[32];
	int c, long_index, err;

	/* lists come from the command line only */
	o->ndb = o->ntrace = o->npids = o->ntriggers = 0;
	optind = 0; /* reset getopt, so the tests can parse many times */
	opterr = 0;
	for (;;) {
		long_index = -1;
		c = getopt_long(argc, argv, ":P:p:d:bn:f:o:m:t:F:w:r:hV", long_options,
				&long_index);
		if (c == -1)
			break;
		if (c == '?') {
			if (optopt && optopt < 0x100)
				snprintf(why, why_len, "unknown option '-%c' (see --help)", optopt);
			else
				snprintf(why, why_len, "unknown option '%s' (see --help)",
					 argv[optind - 1]);
			return -EINVAL;
		}
		if (c == ':') {
			if (optopt && optopt < 0x100)
				snprintf(why, why_len, "-%c: needs a value", optopt);
			else
				snprintf(why, why_len, "%s: needs a value", argv[optind - 1]);
			return -EINVAL;
		}
		err = apply_option(o, c, option_name(c, long_index, name, sizeof(name)), optarg,
				   why, why_len);
		if (err)
			return err;
	}
	if (optind < argc) {
		snprintf(why, why_len, "unexpected argument '%s' (see --help)", argv[optind]);
		return -EINVAL;
	}
	if ((o->format == EXPORT_FOLDED || o->format == EXPORT_PPROF) && !o->panel) {
		/* the first panel with stacks (Off-CPU): the default panel has none */
		for (size_t i = 0; i < registry_count && !o->panel; i++)
			if (registry[i].panel->folded)
				o->panel = registry[i].panel->name;
	}
	if (o->format == EXPORT_FOLDED || o->format == EXPORT_PPROF) {
		const struct registry_entry *e = o->panel ? registry_find_panel(o->panel)
							  : &registry[0];
		bool pprof = o->format == EXPORT_PPROF;

		if (pprof ? !e->panel->profile : !e->panel->folded) {
			snprintf(why, why_len, "-f %s: needs a stack panel (offcpu, stacks), not '%s'",
				 pprof ? "pprof" : "folded", e->panel->name);
			return -EINVAL;
		}
		if (pprof && !o->output) {
			snprintf(why, why_len, "-f pprof: needs -o FILE (a binary format)");
			return -EINVAL;
		}
	}
	if (o->format == EXPORT_NONE && o->output) {
		snprintf(why, why_len, "-o: -f none writes nothing");
		return -EINVAL;
	}
	err = check_record_options(o, why, why_len);
	if (err)
		return err;
	if (!o->batch && (o->iterations || o->output || o->format != EXPORT_TEXT)) {
		snprintf(why, why_len, "%s: only with -b (batch mode)",
			 o->iterations ? "-n" : o->output ? "-o" : "-f");
		return -EINVAL;
	}
	return 0;
}

int options_parse_over(struct options *o, int argc, char **argv, char *why, size_t why_len)
{
	char line[512];
	int err = options_parse_args(o, argc, argv, why, why_len);

	/* The message quotes what was typed: one line, nothing a terminal would act on. */
	if (err && why_len) {
		escape_text(line, sizeof(line), why, strnlen(why, why_len));
		snprintf(why, why_len, "%s", line);
	}
	return err;
}

int options_parse(struct options *o, int argc, char **argv, char *why, size_t why_len)
{
	options_defaults(o);
	return options_parse_over(o, argc, argv, why, why_len);
}

_Static_assert(sizeof(((struct options *)0)->db) == sizeof(((struct ktop_config *)0)->db_targets),
	       "options and ktop_config disagree on --db targets");
_Static_assert(sizeof(((struct options *)0)->trace) ==
		       sizeof(((struct ktop_config *)0)->trace_specs),
	       "options and ktop_config disagree on --trace specs");

void options_startup(const struct options *o, struct ktop_config *cfg, struct filter *f)
{
	*cfg = (struct ktop_config){
		.delay_s = o->delay_s,
		.min_block_us = o->min_block_us,
		.slow_ms = o->slow_ms,
		.bio_slow_us = o->bio_slow_us,
		.stack_storage = (uint32_t)o->stack_storage,
		.max_stacks = (uint32_t)o->max_stacks,
		.max_queries = (uint32_t)o->max_queries,
		.sample_hz = (uint32_t)o->sample_hz,
		.ustack_kib = (uint32_t)o->ustack_kib,
		.batch = o->batch,
		.ndb_targets = o->ndb,
		.ntrace_specs = o->ntrace,
	};
	memcpy(cfg->db_targets, o->db, sizeof(cfg->db_targets));
	memcpy(cfg->trace_specs, o->trace, sizeof(cfg->trace_specs));
	*f = (struct filter){
		.min_block_us = o->min_block_us,
		.slow_ms = o->slow_ms,
		.bio_slow_us = o->bio_slow_us,
		.redact = o->redact,
		.unwind = o->unwind,
		.cgroup = o->cgroup,
		.sched_groups = o->batch, /* batch JSON and text carry each cgroup's figures */
	};
	filter_set_pids(f, o->pids, o->npids);
}
