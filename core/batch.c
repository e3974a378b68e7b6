// SPDX-License-Identifier: GPL-2.0
/*
 * Batch mode: no terminal UI, one snapshot of one panel per interval, as text, JSON or folded
 * stacks; or pprof profiles, one file per interval and one of the whole run.
 */
#include "core/app.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/export.h"
#include "core/recording.h"


/* Text width: the terminal's when stdout is one (at least 80), else 100. */
static int text_width(FILE *out)
{
	struct winsize ws;

	if (out == stdout && isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) &&
	    ws.ws_col >= 80)
		return ws.ws_col;
	return RECORDING_TEXT_WIDTH;
}

/*
 * The snapshot of panel i: when it was just recorded, the very bytes recorded (so a replay
 * prints what this printed), else exported now. 0 or -errno.
 */
static int write_snapshot(struct app *a, size_t i, FILE *out, const struct status_info *si)
{
	enum export_format fmt = a->opt.format;
	const void *data;
	size_t len;
	int width = text_width(out);

	if (!recording_last(a, i, fmt, &data, &len) ||
	    (fmt == EXPORT_TEXT && width != RECORDING_TEXT_WIDTH))
		return export_snapshot(out, fmt, a->panel_list[i], si, width,
				       screen_locale_is_utf8());
	if ((len && fwrite(data, 1, len, out) != len) || fflush(out))
		return errno == EPIPE ? -EPIPE : -EIO;
	return 0;
}

/* Wait for the next tick; false when a signal says stop. */
static bool wait_tick(struct app *a)
{
	for (;;) {
		struct pollfd fds[2 + APP_MAX_PANELS] = {
			{ .fd = a->timerfd, .events = POLLIN },
			{ .fd = a->sigfd, .events = POLLIN },
		};
		nfds_t nfds = 2 + app_event_fds(a, fds + 2);
		struct signalfd_siginfo si;

		if (poll(fds, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		app_events(a, fds + 2, nfds - 2);
		while (read(a->sigfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo != SIGWINCH && si.ssi_signo != SIGCHLD)
				return false;
		if ((fds[0].revents & POLLIN) && app_timer_take(a))
			return true;
	}
}

/* What a pprof file of batch holds: the interval's stacks, or with cumulative the run's. */
struct batch_pprof_arg {
	struct panel *p;
	struct sym_cache *syms; /* for the mappings of user frames */
	bool cumulative;
};

/* export_write_fn of the pprof files. */
static int batch_pprof_write(FILE *f, void *arg, char *why, size_t why_len)
{
	struct batch_pprof_arg *a = arg;

	return export_pprof(f, a->p, a->cumulative, a->syms, why, why_len);
}

/* Write the panel's profile to a new file path, whole or not at all (mappings through syms). */
static int batch_pprof_file(struct panel *p, struct sym_cache *syms, const char *path,
			    bool cumulative)
{
	struct batch_pprof_arg arg = { p, syms, cumulative };
	char why[512];
	int err = export_write_whole(path, batch_pprof_write, &arg, why, sizeof(why));

	if (err)
		fprintf(stderr, "ktop: -o %s\n", why);
	return err;
}

/*
 * A snapshot could not be written whole to -o (a full disk): cut the file back to the last
 * whole one, or remove it when it held none (only if still ours); say so in one line.
 */
static void batch_output_failed(struct app *a, FILE *out, off_t whole, uint64_t done, int err)
{
	struct stat st, at;
	int fd = fileno(out);

	__fpurge(out); /* what stdio still holds must not land past the cut at fclose */
	if (whole > 0 && !ftruncate(fd, whole)) {
		fprintf(stderr, "ktop: -o %s: %s; it holds the %llu whole snapshots before\n",
			a->opt.output, strerror(-err), (unsigned long long)done);
		return;
	}
	if (!whole && !fstat(fd, &st) && !lstat(a->opt.output, &at) && st.st_ino == at.st_ino &&
	    st.st_dev == at.st_dev && !unlink(a->opt.output)) {
		fprintf(stderr, "ktop: -o %s: %s; removed, it held no whole snapshot\n",
			a->opt.output, strerror(-err));
		return;
	}
	fprintf(stderr, "ktop: -o %s: %s\n", a->opt.output, strerror(-err));
}

/* FILE.n, interval n's profile (n from 1). */
static int batch_pprof_interval(struct app *a, struct panel *p, uint64_t n)
{
	size_t len = strlen(a->opt.output) + 24;
	char *path = malloc(len);
	int err;

	if (!path)
		return -ENOMEM;
	snprintf(path, len, "%s.%llu", a->opt.output, (unsigned long long)n);
	err = batch_pprof_file(p, a->syms, path, false);
	free(path);
	return err;
}

int app_run_batch(struct app *a)
{
	struct panel *p = a->panel_list[a->current];
	struct collector *c = &a->collectors[a->current];
	struct status_info si;
	FILE *out = stdout;
	char why[512];
	uint64_t done = 0;
	off_t whole = 0; /* -o: the bytes of the snapshots written whole */
	int rc = 0, err;

	if (!c->is_open) {
		fprintf(stderr, "ktop: %s: %s\n", c->ops->name, c->why);
		return 2;
	}
	/* pprof: FILE gets the whole run's profile at the end, FILE.n interval n's */
	if (a->opt.output && a->opt.format == EXPORT_PPROF) {
		if (export_path_is_free(a->opt.output, why, sizeof(why))) {
			fprintf(stderr, "ktop: -o %s\n", why);
			return 2;
		}
	} else if (a->opt.output) {
		out = export_create(a->opt.output, why, sizeof(why));
		if (!out) {
			fprintf(stderr, "ktop: -o %s\n", why);
			return 2;
		}
	}
	if (app_signals_open(a)) {
		fprintf(stderr, "ktop: cannot set up the event loop: %s\n", strerror(errno));
		rc = 1;
		goto out_close;
	}
	app_set_visible(a, a->current, true);
	/*
	 * Two polls around the timer's start: the first names what was sampled since open (slow
	 * when it is new to the symbol cache), the second starts every collector's first interval
	 * with the timer and within a few milliseconds of the others, so that the first snapshot
	 * covers one interval. Neither is an interval: a recording starts after them.
	 */
	a->warming_up = true;
	app_tick(a);
	if (app_timer_open(a)) {
		fprintf(stderr, "ktop: cannot set up the event loop: %s\n", strerror(errno));
		rc = 1;
		goto out_close;
	}
	app_tick(a);
	a->warming_up = false;
	fprintf(stderr, "ktop: %s: tracing with %s; a snapshot every %gs\n", c->ops->name,
		c->mode[0] ? c->mode : "BPF", a->opt.delay_s);
	if (a->http)
		fprintf(stderr, "ktop: serving http://%s/metrics\n", http_server_address(a->http));
	while (!a->opt.iterations || done < a->opt.iterations) {
		if (!wait_tick(a))
			break;
		app_tick(a);
		app_status(a, p, &si);
		if (a->opt.format == EXPORT_PPROF) {
			err = batch_pprof_interval(a, p, done + 1);
			if (err) {
				rc = 1;
				break;
			}
			done++;
			continue;
		}
		if (done && a->opt.format == EXPORT_TEXT)
			fputc('\n', out);
		err = write_snapshot(a, a->current, out, &si);
		if (err && out != stdout) {
			batch_output_failed(a, out, whole, done, err);
			rc = 1;
			break;
		}
		if (err) {
			if (err != -EPIPE)
				fprintf(stderr, "ktop: writing a snapshot: %s\n", strerror(-err));
			rc = err == -EPIPE ? 0 : 1;
			break;
		}
		done++;
		if (out != stdout)
			whole = ftello(out);
	}
	if (a->opt.format == EXPORT_PPROF && !rc) {
		if (a->opt.output)
			err = batch_pprof_file(p, a->syms, a->opt.output, true);
		else if ((err = export_pprof(out, p, true, a->syms, why, sizeof(why))))
			fprintf(stderr, "ktop: %s\n", why);
		if (err)
			rc = 1;
	}
out_close:
	if (out != stdout && fclose(out) && !rc) {
		fprintf(stderr, "ktop: -o %s: %s\n", a->opt.output, strerror(errno));
		rc = 1;
	}
	return rc;
}
