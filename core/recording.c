// SPDX-License-Identifier: GPL-2.0
#include "core/recording.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "config.h"
#include "core/app.h"
#include "core/log.h"
#include "record/record_frame.h"
#include "record/record_writer.h"
#include "util/clock.h"

static const uint16_t format_kind[] = {
	[EXPORT_TEXT] = RECORD_SECTION_TEXT,
	[EXPORT_JSON] = RECORD_SECTION_JSON,
	[EXPORT_FOLDED] = RECORD_SECTION_FOLDED,
};

int recording_open(struct app *a, char *why, size_t why_len)
{
	struct record_header h = { 0 };
	struct utsname un;
	int err;

	h.interval_us = (uint32_t)(a->opt.delay_s * 1e6);
	h.keep_s = (uint32_t)a->opt.keep_s;
	if (!uname(&un)) {
		snprintf(h.host, sizeof(h.host), "%s", un.nodename);
		snprintf(h.kernel, sizeof(h.kernel), "%s", un.release);
	}
	snprintf(h.ktop_version, sizeof(h.ktop_version), "%s", PACKAGE_VERSION);
	/* as every file ktop writes: never over a file, never through a symlinked directory */
	err = export_path_is_free(a->opt.write, why, why_len);
	if (err)
		return err;
	err = record_writer_open(&a->rec, a->opt.write, &h, why, why_len);
	if (!err)
		record_writer_set_size_bound(a->rec, a->opt.keep_bytes);
	return err;
}

/* Panel p's export in fmt as one section of the frame; 0 or -errno. */
static int add_export(struct record_frame *f, struct panel *p, enum export_format fmt,
		      const struct status_info *si)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int err;

	if (!mem)
		return -errno;
	err = export_snapshot(mem, fmt, p, si, RECORDING_TEXT_WIDTH, screen_locale_is_utf8());
	if (fclose(mem) && !err)
		err = -EIO;
	if (!err)
		err = record_frame_add(f, format_kind[fmt], p->ops->name, buf, len);
	free(buf);
	return err;
}

/* Every panel's exports into a->rec_frame; the number of exports that failed. */
static unsigned int capture(struct app *a)
{
	unsigned int failed = 0;

	record_frame_clear(&a->rec_frame);
	for (size_t i = 0; i < a->npanels; i++) {
		struct panel *p = &a->panels[i];
		struct status_info si;

		app_status(a, p, &si);
		failed += add_export(&a->rec_frame, p, EXPORT_JSON, &si) != 0;
		failed += add_export(&a->rec_frame, p, EXPORT_TEXT, &si) != 0;
		if (p->ops->folded && p->model)
			failed += add_export(&a->rec_frame, p, EXPORT_FOLDED, &si) != 0;
	}
	return failed;
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
	for (size_t i = 0; i < a->npanels; i++)
		for (size_t k = 0; k < a->npanels; k++) {
			if (a->aux[i] && !strcmp(a->panels[k].ops->name, a->aux[i]))
				a->panels[i].aux_model = fresh[k];
			if (a->aux2[i] && !strcmp(a->panels[k].ops->name, a->aux2[i]))
				a->panels[i].aux_model2 = fresh[k];
		}
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
	int err;
	double cpu0;

	if (!a->rec || a->warming_up)
		return;
	cpu0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
	failed = a->paused ? capture_paused(a) : capture(a);
	if (failed) {
		/* counted, and the interval is still recorded with the panels that exported */
		a->rec_failed_exports += failed;
		log_msg("recording: %u exports failed this interval", failed);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	err = record_writer_append(a->rec, &a->rec_frame,
				   (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec, why,
				   sizeof(why));
	a->rec_cpu_s += clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	if (!err)
		return;
	record_frame_clear(&a->rec_frame);
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

	if (!a->rec || i >= a->npanels ||
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

	if (!a->rec) {
		record_frame_free(&a->rec_frame);
		return;
	}
	n = record_writer_frames(a->rec);
	if (record_writer_close(a->rec, why, sizeof(why)))
		fprintf(stderr, "ktop: -w: closing the recording: %s (its %" PRIu64
				" intervals stay readable)\n", why, n);
	else
		log_msg("recording: %" PRIu64 " intervals written, %.3f s of CPU spent recording",
			n, a->rec_cpu_s);
	if (a->rec_failed_exports)
		fprintf(stderr, "ktop: -w: %" PRIu64 " panel exports could not be recorded\n",
			a->rec_failed_exports);
	a->rec = NULL;
	record_frame_free(&a->rec_frame);
}
