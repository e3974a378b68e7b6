// SPDX-License-Identifier: GPL-2.0
/* ktop: a top-like performance analyzer on BPF. Options, set-up, and every way out. */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/app.h"
#include "core/features.h"
#include "core/log.h"
#include "core/memcg.h"
#include "core/options.h"
#include "core/settings.h"
#include "core/replay.h"
#include "themes/theme.h"
#include "ui/screen.h"

/* A crash must not leave the terminal in curses mode: restore it, then die as we would. */
static void crash_handler(int sig)
{
	screen_emergency_close();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_crash_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], crash_handler);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * The theme: --theme (or the settings'), else mono under NO_COLOR, else default. 0, or 2 with
 * a message for a bad --theme; a bad theme in the settings file warns and the default is used.
 */
static int choose_theme(struct theme *t, const struct options *opt, const struct settings *st)
{
	const char *no_color = getenv("NO_COLOR");
	const char *fallback = no_color && no_color[0] ? "mono" : "default";
	const char *name = opt->theme ? opt->theme : fallback;
	char why[256];

	if (!theme_load(t, name, why, sizeof(why)))
		return 0;
	if (opt->theme != st->theme) {
		fprintf(stderr, "ktop: --theme: %s\n", why);
		return 2;
	}
	fprintf(stderr, "ktop: settings: theme: %s\n", why);
	return theme_load(t, fallback, why, sizeof(why)) ? 2 : 0;
}

/*
 * Read the settings file (unless --no-config) and parse the command line again over it, so
 * that options win; batch mode takes only the tables' columns and sorts from it. Bad lines are warned about on stderr and the first kept in warn for the
 * screen; path is "" when there is no file to use. 0, or 2 when the command line fails.
 */
static int load_settings(struct options *opt, struct settings *st, char *path, size_t path_len,
			 char *warn, size_t warn_len, int argc, char **argv)
{
	char why[512], *all;
	int n;

	settings_defaults(st);
	path[0] = warn[0] = '\0';
	if (opt->no_config)
		return 0;
	if (settings_path(path, path_len, why, sizeof(why))) {
		fprintf(stderr, "ktop: settings not used: %s\n", why);
		path[0] = '\0';
		return 0;
	}
	all = calloc(1, 4096);
	n = all ? settings_load(st, path, all, 4096, why, sizeof(why)) : -ENOMEM;
	if (n < 0) {
		fprintf(stderr, "ktop: settings not read: %s\n", all ? why : "out of memory");
		snprintf(warn, warn_len, "settings not read: %s", all ? why : "out of memory");
	} else if (n > 0) {
		for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
			fprintf(stderr, "ktop: warning: %s\n", line);
			if (!warn[0])
				snprintf(warn, warn_len, "%s%s", line,
					 n > 1 ? " (and more: see after quit)" : "");
		}
	}
	free(all);
	/* batch: scripts get the same data whatever the file says; only the text's tables follow it */
	if (opt->batch)
		settings_tables_only(st);
	options_defaults(opt);
	settings_to_options(st, opt);
	if (options_parse_over(opt, argc, argv, why, sizeof(why))) {
		fprintf(stderr, "ktop: %s\n", why);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct features feat;
	struct memcg_room room;
	static struct app app;
	static struct settings st;
	char why[256], path[PATH_MAX], warn[512];
	int rc;

	/*
	 * Blocks of 256 KiB and more (symbol tables, decompressed debug sections, big model
	 * copies) in their own mappings, given back when freed. glibc would raise this threshold
	 * after the first such free and keep the later ones in the heap, where a long run sees
	 * them as steps of free memory that is never returned.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	setlocale(LC_ALL, "");
	if (options_parse(&opt, argc, argv, why, sizeof(why))) {
		fprintf(stderr, "ktop: %s\n", why);
		return 2;
	}
	if (opt.help) {
		/* one write, however long the text: a reader that stops at its first match
		 * (ktop --help | grep -q) leaves no later write to fail with EPIPE */
		static char buf[1 << 15];

		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
		options_usage(stdout);
		return 0;
	}
	if (opt.version) {
		printf("ktop %s\n", PACKAGE_VERSION);
		return 0;
	}
	rc = load_settings(&opt, &st, path, sizeof(path), warn, sizeof(warn), argc, argv);
	if (rc)
		return rc;
	if (opt.read && opt.batch) /* a recording: no BPF, no privilege needed */
		return replay_run_batch(&opt);
	if (opt.read) {
		rc = choose_theme(&app.theme, &opt, &st);
		if (rc)
			return rc;
		install_crash_handlers();
		return replay_run_ui(&opt, &app.theme);
	}
	features_probe(&feat);
	if (!features_check_privilege(&feat, why, sizeof(why))) {
		fprintf(stderr, "ktop: %s\n", why);
		return 2;
	}
	/* A kill by the OOM killer says nothing: say it before, while it can be said. */
	if (memcg_room("", &room)) {
		memcg_warning(&room, why, sizeof(why));
		if (why[0])
			fprintf(stderr, "ktop: %s\n", why);
	}
	rc = choose_theme(&app.theme, &opt, &st);
	if (rc)
		return rc;
	install_crash_handlers();
	log_init();
	if (app_init(&app, &opt, &feat, &st, path, warn)) {
		app_fini(&app);
		return 1;
	}
	rc = opt.batch ? app_run_batch(&app) : app_run_ui(&app);
	app_fini(&app);
	log_close();
	return rc;
}
