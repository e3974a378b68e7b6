// SPDX-License-Identifier: GPL-2.0
/* ktop: a top-like performance analyzer on BPF. Options, set-up, and every way out. */
#include <locale.h>
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

/* The theme: --theme, else mono under NO_COLOR, else default. 0 or 2 with a message. */
static int choose_theme(struct theme *t, const struct options *opt)
{
	const char *no_color = getenv("NO_COLOR");
	const char *name = opt->theme;
	char why[256];

	if (!name)
		name = no_color && no_color[0] ? "mono" : "default";
	if (theme_load(t, name, why, sizeof(why))) {
		fprintf(stderr, "ktop: --theme: %s\n", why);
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
	char why[256];
	int rc;

	setlocale(LC_ALL, "");
	if (options_parse(&opt, argc, argv, why, sizeof(why))) {
		fprintf(stderr, "ktop: %s\n", why);
		return 2;
	}
	if (opt.help) {
		options_usage(stdout);
		return 0;
	}
	if (opt.version) {
		printf("ktop %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (opt.read && opt.batch) /* a recording: no BPF, no privilege needed */
		return replay_run_batch(&opt);
	if (opt.read) {
		rc = choose_theme(&app.theme, &opt);
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
	rc = choose_theme(&app.theme, &opt);
	if (rc)
		return rc;
	install_crash_handlers();
	log_init();
	if (app_init(&app, &opt, &feat)) {
		app_fini(&app);
		return 1;
	}
	rc = opt.batch ? app_run_batch(&app) : app_run_ui(&app);
	app_fini(&app);
	log_close();
	return rc;
}
