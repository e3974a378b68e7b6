// SPDX-License-Identifier: GPL-2.0
#include "core/flight.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/record_writer.h"
#include "util/xalloc.h"

#define FLIGHT_MAX_SLOTS 7200 /* the longest BEFORE the ring holds, in intervals */

#define FLIGHT_ZSTD_LEVEL 1 /* the ring's: fast, each interval alone */

/* One interval kept: its raw sections compressed alone (a tenth of their size or less). */
struct flight_slot {
	uint8_t *packed;
	size_t len;
	size_t cap;
	size_t raw_len;
	uint64_t time_ns;
};

struct flight_window {
	struct trigger tr;
	struct record_writer *w; /* the open window file, NULL when none */
	char path[4096];
	uint64_t end_ns;         /* the window closes with the first interval at or after */
	uint64_t last_fire_ns;   /* 0: never fired */
	uint64_t suppressed;     /* firings inside the rate limit since the last said */
	bool pending;            /* fired at the last flight_check */
	char what[256];          /* what it saw */
};

struct flight {
	struct flight_config cfg;
	struct flight_window win[TRIGGER_MAX];
	size_t nwin;
	struct flight_slot *ring;
	size_t nslots;
	size_t head;   /* the next slot written */
	size_t filled;
	struct record_frame tmp; /* a ring slot on its way to a window file */
	char *dir;               /* cfg's strings, owned */
	char *base;
	uint64_t fired;
	uint64_t suppressed;
};

/* Say one line through the caller's function. */
static void say(struct flight *fl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct flight *fl, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (fl->cfg.say)
		fl->cfg.say(fl->cfg.say_arg, line);
}

int flight_open(struct flight **out, const struct flight_config *cfg, char *why, size_t why_len)
{
	struct flight *fl = xcalloc(1, sizeof(*fl));
	double slots = ceil(cfg->before_s / cfg->delay_s) + 1;

	*out = NULL;
	fl->cfg = *cfg;
	fl->cfg.dir = fl->dir = xstrdup(cfg->dir);
	fl->cfg.base = fl->base = xstrdup(cfg->base);
	fl->nslots = slots > FLIGHT_MAX_SLOTS ? FLIGHT_MAX_SLOTS : (size_t)slots;
	fl->ring = xcalloc(fl->nslots, sizeof(*fl->ring));
	for (size_t i = 0; i < cfg->nspecs && i < TRIGGER_MAX; i++) {
		char how[256], reason[256];
		int err = trigger_start(&fl->win[i].tr, &cfg->specs[i], how, sizeof(how), reason,
					sizeof(reason));

		fl->nwin++;
		if (err) {
			snprintf(why, why_len, "%s: %s", cfg->specs[i].text, reason);
			flight_close(fl);
			return err;
		}
		if (how[0])
			say(fl, "--trigger %s: %s", cfg->specs[i].text, how);
	}
	*out = fl;
	return 0;
}

void flight_check(struct flight *fl, const struct trigger_inputs *in)
{
	for (size_t i = 0; i < fl->nwin; i++) {
		struct flight_window *wn = &fl->win[i];

		if (trigger_check(&wn->tr, in, wn->what, sizeof(wn->what)))
			wn->pending = true;
	}
}

/* "YYYYmmdd-HHMMSS" (local) of a CLOCK_REALTIME time. */
static void stamp(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%d-%H%M%S", &tm);
}

/* Create the window file under a free name; 0 or -errno with why. */
static int window_create(struct flight *fl, struct flight_window *wn, uint64_t time_ns, char *why,
			 size_t why_len)
{
	char ts[32], stem[512];

	stamp(time_ns, ts, sizeof(ts));
	snprintf(stem, sizeof(stem), "%s-trigger-%s", fl->cfg.base, ts);
	return record_writer_open_new(&wn->w, fl->cfg.dir, stem, &fl->cfg.header, wn->path,
				      sizeof(wn->path), why, why_len);
}

/* Append a frame to an open window; on failure the window is closed and said. */
static void window_append(struct flight *fl, struct flight_window *wn, struct record_frame *f,
			  uint64_t time_ns)
{
	char why[512];

	if (!wn->w || !record_writer_append(wn->w, f, time_ns, why, sizeof(why)))
		return;
	say(fl, "--trigger %s: window stopped: %s; the %" PRIu64 " intervals before stay readable",
	    wn->tr.spec.text, why, record_writer_frames(wn->w));
	record_writer_close(wn->w, NULL, 0);
	wn->w = NULL;
}

/* Close a window file and say what it holds. */
static void window_finish(struct flight *fl, struct flight_window *wn, const char *how)
{
	char why[512];
	uint64_t n = record_writer_frames(wn->w);

	if (record_writer_close(wn->w, why, sizeof(why)))
		say(fl, "--trigger %s: closing %s: %s", wn->tr.spec.text, wn->path, why);
	else
		say(fl, "--trigger %s: wrote %s (%" PRIu64 " intervals%s)", wn->tr.spec.text,
		    wn->path, n, how);
	wn->w = NULL;
}

/* The trigger fired at time_ns: its window opens with what the ring holds from BEFORE on. */
static void window_start(struct flight *fl, struct flight_window *wn, uint64_t time_ns)
{
	uint64_t from = time_ns - (uint64_t)(fl->cfg.before_s * 1e9);
	char why[512];
	int err;

	fl->fired++;
	wn->last_fire_ns = time_ns;
	err = window_create(fl, wn, time_ns, why, sizeof(why));
	if (err) {
		say(fl, "--trigger %s: fired (%s), but no window file: %s", wn->tr.spec.text,
		    wn->what, why);
		wn->w = NULL;
		return;
	}
	say(fl, "--trigger %s: fired: %s; writing %s (%g s before, %g s after)", wn->tr.spec.text,
	    wn->what, wn->path, fl->cfg.before_s, fl->cfg.after_s);
	wn->end_ns = time_ns + (uint64_t)(fl->cfg.after_s * 1e9);
	for (size_t k = 0; k < fl->filled; k++) {
		struct flight_slot *s = &fl->ring[(fl->head + fl->nslots - fl->filled + k) %
						  fl->nslots];

		uint8_t *raw = NULL;
		char why2[256];

		if (s->time_ns < from || !s->len)
			continue;
		if (record_frame_unpack(s->packed, s->len, s->raw_len, NULL, 0, &raw, why2,
					sizeof(why2)) ||
		    record_frame_set_raw(&fl->tmp, raw, s->raw_len)) {
			free(raw);
			continue;
		}
		free(raw);
		window_append(fl, wn, &fl->tmp, s->time_ns);
	}
}

/* Keep the frame's raw sections in the ring, compressed alone (f->packed is reused). */
static void ring_push(struct flight *fl, struct record_frame *f, uint64_t time_ns)
{
	struct flight_slot *s = &fl->ring[fl->head];
	char why[256];

	s->len = 0;
	s->time_ns = time_ns;
	fl->head = (fl->head + 1) % fl->nslots;
	if (fl->filled < fl->nslots)
		fl->filled++;
	if (record_frame_pack(f, FLIGHT_ZSTD_LEVEL, NULL, 0, why, sizeof(why)))
		return; /* an empty slot: a window skips it */
	if (s->cap < f->packed_len) {
		free(s->packed);
		s->cap = f->packed_len;
		s->packed = xmalloc(s->cap);
	}
	memcpy(s->packed, f->packed, f->packed_len);
	s->len = f->packed_len;
	s->raw_len = f->raw_len;
}

void flight_push(struct flight *fl, struct record_frame *f, uint64_t time_ns)
{
	uint64_t span = (uint64_t)((fl->cfg.before_s + fl->cfg.after_s) * 1e9);

	ring_push(fl, f, time_ns);
	for (size_t i = 0; i < fl->nwin; i++) {
		struct flight_window *wn = &fl->win[i];

		if (wn->w)
			window_append(fl, wn, f, time_ns);
		if (wn->pending) {
			wn->pending = false;
			if (wn->last_fire_ns && time_ns - wn->last_fire_ns < span) {
				wn->suppressed++;
				fl->suppressed++;
			} else {
				if (wn->suppressed)
					say(fl, "--trigger %s: %" PRIu64 " firings suppressed (at most "
						"one per %g s)", wn->tr.spec.text, wn->suppressed,
					    fl->cfg.before_s + fl->cfg.after_s);
				wn->suppressed = 0;
				if (wn->w) /* no BEFORE: the last window ends where this one starts */
					window_finish(fl, wn, "");
				window_start(fl, wn, time_ns); /* the ring holds this frame */
			}
		}
		if (wn->w && time_ns >= wn->end_ns)
			window_finish(fl, wn, "");
	}
}

void flight_counts(const struct flight *fl, uint64_t *fired, uint64_t *suppressed)
{
	*fired = fl ? fl->fired : 0;
	*suppressed = fl ? fl->suppressed : 0;
}

void flight_close(struct flight *fl)
{
	if (!fl)
		return;
	for (size_t i = 0; i < fl->nwin; i++) {
		struct flight_window *wn = &fl->win[i];

		if (wn->w)
			window_finish(fl, wn, ", cut short: ktop stopped");
		if (wn->suppressed)
			say(fl, "--trigger %s: %" PRIu64 " firings suppressed (at most one per %g s)",
			    wn->tr.spec.text, wn->suppressed, fl->cfg.before_s + fl->cfg.after_s);
		trigger_stop(&wn->tr);
	}
	for (size_t i = 0; i < fl->nslots; i++)
		free(fl->ring[i].packed);
	free(fl->ring);
	record_frame_free(&fl->tmp);
	free(fl->dir);
	free(fl->base);
	free(fl);
}
