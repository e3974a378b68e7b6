// SPDX-License-Identifier: GPL-2.0
#include "core/recording.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "config.h"
#include "core/app.h"
#include "core/flight.h"
#include "core/log.h"
#include "record/record_frame.h"
#include "record/record_writer.h"
#include "util/clock.h"

static const uint16_t format_kind[] = {
	[EXPORT_TEXT] = RECORD_SECTION_TEXT,
	[EXPORT_JSON] = RECORD_SECTION_JSON,
	[EXPORT_FOLDED] = RECORD_SECTION_FOLDED,
};

/* The header every file of this run starts with: host, kernel, interval, panels. */
static void header_fill(const struct app *a, struct record_header *h)
{
	struct utsname un;

	memset(h, 0, sizeof(*h));
	h->interval_us = (uint32_t)(a->opt.delay_s * 1e6);
	h->panels = a->opt.record_panels;
	if (!uname(&un)) {
		snprintf(h->host, sizeof(h->host), "%s", un.nodename);
		snprintf(h->kernel, sizeof(h->kernel), "%s", un.release);
	}
	snprintf(h->ktop_version, sizeof(h->ktop_version), "%s", PACKAGE_VERSION);
}

/* A flight recorder's line: in the log, and on stderr (batch) or the footer (screen). */
static void flight_say(void *arg, const char *line)
{
	struct app *a = arg;

	log_msg("%s", line);
	if (a->opt.batch) {
		fprintf(stderr, "ktop: %s\n", line);
		return;
	}
	snprintf(a->message, sizeof(a->message), "%s", line);
	a->message_is_error = false;
	a->message_at = app_now();
}

/* --trigger: the flight recorder, its window files next to -w's or in --trigger-dir. */
static int flight_start(struct app *a, char *why, size_t why_len)
{
	struct flight_config cfg = {
		.specs = a->opt.triggers,
		.nspecs = a->opt.ntriggers,
		.before_s = a->opt.trigger_before_s,
		.after_s = a->opt.trigger_after_s,
		.delay_s = a->opt.delay_s,
		.dir = a->opt.trigger_dir ? a->opt.trigger_dir : ".",
		.base = "ktop",
		.say = flight_say,
		.say_arg = a,
	};
	char *w = a->opt.write ? strdup(a->opt.write) : NULL, *w2 = w ? strdup(w) : NULL;
	char base[256];
	int err;

	if (w && w2) {
		char *dot;

		if (!a->opt.trigger_dir)
			cfg.dir = dirname(w);
		snprintf(base, sizeof(base), "%s", basename(w2));
		dot = strrchr(base, '.');
		if (dot && dot != base)
			*dot = '\0';
		cfg.base = base;
	}
	header_fill(a, &cfg.header);
	err = flight_open(&a->flight, &cfg, why, why_len);
	free(w);
	free(w2);
	return err;
}

int recording_open(struct app *a, char *why, size_t why_len)
{
	struct record_header h;
	int err = 0;

	if (a->opt.write) {
		header_fill(a, &h);
		h.keep_s = (uint32_t)a->opt.keep_s;
		/* as every file ktop writes: never over a file, never through a symlinked directory */
		err = export_path_is_free(a->opt.write, why, why_len);
		if (err)
			return err;
		err = record_writer_open(&a->rec, a->opt.write, &h, why, why_len);
		if (err)
			return err;
		record_writer_set_size_bound(a->rec, a->opt.keep_bytes);
	}
	if (a->opt.ntriggers)
		err = flight_start(a, why, why_len);
	return err;
}

/* Panel p's export in fmt as one section of the frame, written straight into it; 0 or -errno. */
static int add_export(struct record_frame *f, struct panel *p, enum export_format fmt,
		      const struct status_info *si)
{
	FILE *s = record_frame_section_begin(f, format_kind[fmt], p->ops->name);
	int err, end_err;

	if (!s)
		return -errno;
	err = export_snapshot(s, fmt, p, si, RECORDING_TEXT_WIDTH, screen_locale_is_utf8());
	end_err = record_frame_section_end(f, s, !err && !ferror(s));
	return err ? err : end_err;
}

/* The models the triggers read, from the panels as they are now. */
static void check_triggers(struct app *a)
{
	struct trigger_inputs in = { 0 };

	if (!a->flight)
		return;
	for (size_t i = 0; i < a->npanels; i++) {
		const char *name = a->panels[i].ops->name;

		if (!strcmp(name, "sql"))
			in.sql = a->panels[i].model;
		else if (!strcmp(name, "bio"))
			in.bio = a->panels[i].model;
	}
	flight_check(a->flight, &in);
}

/* Every recorded panel's exports into f; the number of exports that failed. */
static unsigned int capture_into(struct app *a, struct record_frame *f)
{
	unsigned int failed = 0;
	double cpu0;

	struct status_info si;
	bool have_status = false;

	record_frame_clear(f);
	for (size_t i = 0; i < a->npanels; i++) {
		struct panel *p = &a->panels[i];

		if (a->opt.record_panels && !options_records_panel(&a->opt, p->ops->name))
			continue;
		/* the host, load and clock once an interval; the panel's own parts each time */
		if (have_status)
			app_status_panel(a, p, &si);
		else
			app_status(a, p, &si);
		have_status = true;
		failed += add_export(f, p, EXPORT_JSON, &si) != 0;
		failed += add_export(f, p, EXPORT_TEXT, &si) != 0;
		/* batch shows the interval: its folded lines are written again from the model */
		if (p->ops->folded && p->model &&
		    !(p->batch && model_section_has_folded(p->ops->name)))
			failed += add_export(f, p, EXPORT_FOLDED, &si) != 0;
		cpu0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
		failed += model_section_add(&a->rec_models, f, p->ops->name, p->model) != 0;
		a->rec_model_s += clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	}
	return failed;
}

/* This interval: the recorded exports into a->rec_frame, and the triggers checked. */
static unsigned int capture(struct app *a)
{
	check_triggers(a);
	return capture_into(a, &a->rec_frame);
}

/*
 * While the screen is paused the panels show an old snapshot: record fresh ones, lent to the
 * panels only for the capture.
 */
static unsigned int capture_paused(struct app *a)
{
	void *fresh[APP_MAX_PANELS] = { NULL };
	const void *model[APP_MAX_PANELS], *aux[APP_MAX_PANELS], *aux2[APP_MAX_PANELS];
	unsigned int failed;

	for (size_t i = 0; i < a->npanels; i++) {
		struct collector *c = &a->collectors[i];

		model[i] = a->panels[i].model;
		aux[i] = a->panels[i].aux_model;
		aux2[i] = a->panels[i].aux_model2;
		if (c->is_open)
			fresh[i] = c->ops->snapshot(c);
		a->panels[i].model = fresh[i];
	}
	app_models_link(a, fresh);
	failed = capture(a);
	for (size_t i = 0; i < a->npanels; i++) {
		a->panels[i].model = model[i];
		a->panels[i].aux_model = aux[i];
		a->panels[i].aux_model2 = aux2[i];
		if (fresh[i])
			a->collectors[i].ops->model_free(fresh[i]);
	}
	return failed;
}

void recording_tick(struct app *a)
{
	struct timespec ts;
	char why[320];
	unsigned int failed;
	uint64_t now_ns;
	int err;
	double cpu0;

	if ((!a->rec && !a->flight) || a->warming_up)
		return;
	cpu0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
	failed = a->paused ? capture_paused(a) : capture(a);
	a->rec_export_s += clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	if (failed) {
		/* counted, and the interval is still recorded with the panels that exported */
		a->rec_failed_exports += failed;
		log_msg("recording: %u exports failed this interval", failed);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	now_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	err = a->rec ? record_writer_append(a->rec, &a->rec_frame, now_ns, why, sizeof(why)) : 0;
	if (a->flight)
		flight_push(a->flight, &a->rec_frame, now_ns);
	a->rec_cpu_s += clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	if (!err)
		return;
	snprintf(a->message, sizeof(a->message),
		 "recording stopped: %s; the %" PRIu64 " intervals before stay readable", why,
		 record_writer_frames(a->rec));
	a->message_is_error = true;
	a->message_at = app_now();
	if (a->opt.batch)
		fprintf(stderr, "ktop: -w: %s\n", a->message);
	record_writer_close(a->rec, NULL, 0);
	a->rec = NULL;
	a->rec_stopped = true;
}

bool recording_last(const struct app *a, size_t i, enum export_format fmt, const void **data,
		    size_t *len)
{
	struct record_section s;
	char why[128];

	if ((!a->rec && !a->flight) || i >= a->npanels ||
	    (unsigned)fmt >= sizeof(format_kind) / sizeof(*format_kind))
		return false;
	if (record_frame_find(a->rec_frame.raw, a->rec_frame.raw_len, format_kind[fmt],
			      a->panels[i].ops->name, &s, why, sizeof(why)) != 1)
		return false;
	*data = s.data;
	*len = s.len;
	return true;
}

void recording_close(struct app *a)
{
	char why[320];
	uint64_t n;

	flight_close(a->flight);
	a->flight = NULL;
	model_section_enc_free(&a->rec_models);
	if (!a->rec) {
		record_frame_free(&a->rec_frame);
		return;
	}
	n = record_writer_frames(a->rec);
	if (record_writer_close(a->rec, why, sizeof(why)))
		fprintf(stderr, "ktop: -w: closing the recording: %s (its %" PRIu64
				" intervals stay readable)\n", why, n);
	else
		log_msg("recording: %" PRIu64 " intervals written, %.3f s of CPU spent recording "
			"(%.3f s in the exports, of which %.3f s encoding models)", n, a->rec_cpu_s,
			a->rec_export_s, a->rec_model_s);
	if (a->rec_failed_exports)
		fprintf(stderr, "ktop: -w: %" PRIu64 " panel exports could not be recorded\n",
			a->rec_failed_exports);
	a->rec = NULL;
	record_frame_free(&a->rec_frame);
}

int recording_save_moment(struct app *a, char *path, size_t path_len, char *why, size_t why_len)
{
	const char *dir = getenv("KTOP_EXPORT_DIR");
	struct record_frame f = { 0 };
	struct record_header h;
	struct timespec ts;
	char stem[64];
	struct tm tm;
	unsigned int failed;
	int err;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stem, sizeof(stem), "ktop-%Y%m%d-%H%M%S", &tm);
	header_fill(a, &h);
	failed = capture_into(a, &f);
	if (failed)
		log_msg("save: %u panel exports failed", failed);
	err = record_save_one(dir && dir[0] ? dir : ".", stem, &h, &f,
			      (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec, path,
			      path_len, why, why_len);
	record_frame_free(&f);
	return err;
}
