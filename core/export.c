// SPDX-License-Identifier: GPL-2.0
#include "core/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/pprof_export.h"
#include "util/json.h"

#define EXPORT_HEADER_COLS 400 /* room for the header's every field in a text export */

int export_format_parse(const char *s, enum export_format *out)
{
	if (!strcmp(s, "text"))
		*out = EXPORT_TEXT;
	else if (!strcmp(s, "json"))
		*out = EXPORT_JSON;
	else if (!strcmp(s, "folded"))
		*out = EXPORT_FOLDED;
	else if (!strcmp(s, "none"))
		*out = EXPORT_NONE;
	else if (!strcmp(s, "pprof"))
		*out = EXPORT_PPROF;
	else
		return -EINVAL;
	return 0;
}

/*
 * The header and the whole panel, as the screen draws them but with no height limit; the rows
 * go out as they are drawn, so a tree of any size costs a few hundred rows of memory.
 */
static int export_text(FILE *out, struct panel *p, const struct status_info *si, int width,
		       bool utf8)
{
	struct canvas head, body;
	int err, late;

	/* the header as wide as it needs: a file has room for every drop the screen cuts */
	canvas_init(&head, width > EXPORT_HEADER_COLS ? width : EXPORT_HEADER_COLS,
		    STATUS_HEADER_ROWS, utf8);
	statusbar_draw_header(&head, si);
	err = canvas_write_text(&head, out);
	canvas_free(&head);
	if (err)
		return err;
	canvas_stream_init(&body, width, out, utf8);
	p->ops->draw(p, &body);
	late = body.late_rows;
	err = canvas_stream_end(&body);
	/* a panel that drew upwards past the rows held: said in the file, never silently lost */
	if (!err && late && fprintf(out, "[ktop: %d late draws lost from this export]\n", late) < 0)
		err = -EIO;
	return err;
}

/* One JSON object on one line: what every snapshot has, then the panel's own fields. */
static int export_json(FILE *out, struct panel *p, const struct status_info *si)
{
	struct json_out j;
	struct timespec ts;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	json_init(&j, out);
	json_object_begin(&j);
	json_kv_str(&j, "ktop", si->version);
	json_kv_double(&j, "time", (double)ts.tv_sec + ts.tv_nsec / 1e9, 3);
	json_kv_str(&j, "host", si->host);
	json_kv_str(&j, "panel", p->ops->name);
	json_kv_str(&j, "mode", si->mode);
	if (si->unwind[0])
		json_kv_str(&j, "unwinding", si->unwind);
	json_key(&j, "pid_filter");
	json_array_begin(&j);
	for (size_t i = 0; p->filter && i < p->filter->npids; i++)
		json_u64(&j, p->filter->pids[i]);
	json_array_end(&j);
	json_key(&j, "drops");
	json_object_begin(&j);
	for (size_t i = 0; p->collector && i < p->collector->ndrops; i++) {
		char key[64];

		/* "start map full" -> "start_map_full" */
		snprintf(key, sizeof(key), "%s", p->collector->drops[i].name);
		for (char *k = key; *k; k++)
			if (*k == ' ')
				*k = '_';
		json_kv_u64(&j, key, p->collector->drops[i].count);
	}
	json_object_end(&j);
	if (p->ops->json && p->model)
		err = p->ops->json(p, &j);
	else
		json_kv_str(&j, "error", p->collector && !p->collector->is_open ? p->collector->why
									       : "no data yet");
	json_object_end(&j);
	fputc('\n', out);
	if (!err && ferror(out))
		err = -EIO;
	return err;
}

int export_pprof(FILE *out, struct panel *p, bool cumulative, struct sym_cache *syms, char *why,
		 size_t why_len)
{
	struct panel_profile pp = { 0 };
	struct pprof_input in;
	struct timespec ts;
	int err;

	if (!p->ops->profile) {
		snprintf(why, why_len, "pprof: the %s panel has no stacks", p->ops->title);
		return -EOPNOTSUPP;
	}
	err = p->model ? p->ops->profile(p, cumulative, &pp) : -ENODATA;
	if (err) {
		if (!pp.why)
			pp.why = err == -ENODATA ? "no stacks yet" : strerror(-err);
		snprintf(why, why_len, "pprof: %s: %s", p->ops->title, pp.why);
		return err;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	in = (struct pprof_input){
		.set = pp.set,
		.kind = pp.on_cpu ? PPROF_ON_CPU : PPROF_OFF_CPU,
		.pid = pp.pid,
		.tid = pp.tid,
		.period_ns = pp.hz ? 1000000000ull / pp.hz : 0,
		.duration_ns = (int64_t)(pp.span_s * 1e9),
		.syms = syms,
	};
	in.time_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - in.duration_ns;
	return pprof_write(out, &in, why, why_len);
}

int export_snapshot(FILE *out, enum export_format fmt, struct panel *p,
		    const struct status_info *si, int width, bool utf8)
{
	char why[256];
	int err;

	switch (fmt) {
	case EXPORT_TEXT:
		err = export_text(out, p, si, width, utf8);
		break;
	case EXPORT_JSON:
		err = export_json(out, p, si);
		break;
	case EXPORT_FOLDED:
		err = p->ops->folded ? p->ops->folded(p, out) : -EOPNOTSUPP;
		break;
	case EXPORT_NONE:
		return 0;
	case EXPORT_PPROF:
		/* a recording's copy: no mappings (a replay has no maps to find them in) */
		err = export_pprof(out, p, false, NULL, why, sizeof(why));
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (fflush(out) && !err)
		err = -errno;
	/* stdio reports a closed pipe as a stream error: say which */
	if (err == -EIO && errno == EPIPE)
		err = -EPIPE;
	return err;
}

FILE *export_create(const char *path, char *why, size_t why_len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f;
	int e;

	if (fd < 0) {
		e = errno;
		snprintf(why, why_len, "%s: %s", path, strerror(e));
		errno = e; /* callers look at it */
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

int export_save(struct panel *p, enum export_format fmt, const struct status_info *si, int width,
		bool utf8, struct sym_cache *syms, char *path, size_t path_len, char *why,
		size_t why_len)
{
	const char *ext = fmt == EXPORT_FOLDED	? "folded"
			  : fmt == EXPORT_JSON	? "json"
			  : fmt == EXPORT_PPROF ? "pb.gz"
						: "txt";
	const char *dir = getenv("KTOP_EXPORT_DIR");
	char stamp[32], reason[256];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f = NULL;
	int err;

	if (!dir || !dir[0])
		dir = ".";
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int n = 0; n < 100 && !f; n++) {
		if (n)
			snprintf(path, path_len, "%s/ktop-%s-%d.%s", dir, stamp, n, ext);
		else
			snprintf(path, path_len, "%s/ktop-%s.%s", dir, stamp, ext);
		f = export_create(path, why, why_len);
		if (!f && errno != EEXIST)
			return -errno;
	}
	if (!f)
		return -EEXIST;
	reason[0] = '\0';
	if (fmt == EXPORT_PPROF)
		err = export_pprof(f, p, false, syms, reason, sizeof(reason));
	else
		err = export_snapshot(f, fmt, p, si, width, utf8);
	if (fclose(f) && !err)
		err = -errno;
	if (err)
		snprintf(why, why_len, "%s: %s", path, reason[0] ? reason : strerror(-err));
	return err;
}
