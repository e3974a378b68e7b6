// SPDX-License-Identifier: GPL-2.0
#include "core/export.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	json_kv_double(&j, "interval", si->interval_s, 3);
	json_kv_double(&j, "gap", si->gap_s, 3);
	json_kv_double(&j, "gaps_since_reset", si->gaps_s, 3);
	if (si->unwind[0])
		json_kv_str(&j, "unwinding", si->unwind);
	json_key(&j, "pid_filter");
	json_array_begin(&j);
	for (size_t i = 0; p->filter && i < p->filter->npids; i++)
		json_u64(&j, p->filter->pids[i]);
	json_array_end(&j);
	if (p->filter && p->filter->cgroup.id) {
		json_kv_str(&j, "cgroup_filter", p->filter->cgroup.path);
		json_kv_str(&j, "cgroup_filter_where",
			    p->collector && p->collector->cgroup[0] ? p->collector->cgroup
								    : "none");
	}
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

/*
 * stdio reports a failed write as a stream error (-EIO here): say which when the write's errno
 * is still there (a closed pipe, a full disk or quota).
 */
static int export_stream_err(int err)
{
	if (err == -EIO && (errno == EPIPE || errno == ENOSPC || errno == EDQUOT || errno == EFBIG))
		return -errno;
	return err;
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
	return export_stream_err(err);
}

/*
 * Open the directory of path (its name up to the last slash, "." when none) without following a
 * symlink there, and point *base at the file's name; the directory's O_PATH fd or -errno with
 * why. A symlinked directory is refused: whoever can change it chooses where root writes.
 */
static int export_open_dir(const char *path, const char **base, char *why, size_t why_len)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	size_t len;
	struct stat st;
	int fd, e;

	*base = slash ? slash + 1 : path;
	if (!**base) {
		snprintf(why, why_len, "%s: names a directory, not a file", path);
		return -EISDIR;
	}
	len = slash ? (size_t)(slash - path) : 0;
	while (len > 1 && path[len - 1] == '/') /* "d//f": the directory is "d" */
		len--;
	if (len >= sizeof(dir)) {
		snprintf(why, why_len, "%s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (!len)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)len, path);
	if (!lstat(dir, &st) && S_ISLNK(st.st_mode)) {
		snprintf(why, why_len,
			 "%s: the directory %s is a symlink; name the one it points to", path, dir);
		return -ELOOP;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(why, why_len, "%s: %s: %s", path, dir, strerror(e));
		return -e;
	}
	return fd;
}

FILE *export_create(const char *path, char *why, size_t why_len)
{
	const char *base;
	int dfd = export_open_dir(path, &base, why, why_len);
	FILE *f;
	int fd, e;

	if (dfd < 0) {
		errno = -dfd; /* callers look at it */
		return NULL;
	}
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	e = errno;
	close(dfd);
	if (fd < 0) {
		snprintf(why, why_len, "%s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

int export_path_is_free(const char *path, char *why, size_t why_len)
{
	const char *base;
	int dfd = export_open_dir(path, &base, why, why_len);
	struct stat st;
	int err = 0;

	if (dfd < 0)
		return dfd;
	if (!fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW)) {
		snprintf(why, why_len, "%s: %s", path,
			 S_ISLNK(st.st_mode) ? "is a symlink; not followed" : strerror(EEXIST));
		err = -EEXIST;
	}
	close(dfd);
	return err;
}

/* Give the unnamed file fd the name base in dfd; never replaces a file. 0 or -errno. */
static int export_link(int fd, int dfd, const char *base)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (!linkat(AT_FDCWD, proc, dfd, base, AT_SYMLINK_FOLLOW))
		return 0;
	if (errno == ENOENT && !linkat(fd, "", dfd, base, AT_EMPTY_PATH)) /* no /proc */
		return 0;
	return -errno;
}

int export_write_whole(const char *path, export_write_fn write, void *arg, char *why,
		       size_t why_len)
{
	const char *base;
	int dfd = export_open_dir(path, &base, why, why_len);
	bool named = false;
	struct stat st;
	FILE *f = NULL;
	int fd, err;

	if (dfd < 0)
		return dfd;
	why[0] = '\0';
	fd = openat(dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* no unnamed files here: create it named, and remove it if it stays partial */
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		named = fd >= 0;
	}
	if (fd < 0) {
		err = -errno;
		goto out_why;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto out_unname;
	}
	err = write(f, arg, why, why_len);
	if (err == -EIO && export_stream_err(err) != err) {
		err = export_stream_err(err);
		why[0] = '\0'; /* "pprof: Input/output error": the errno says more */
	}
	if (fflush(f) && !err)
		err = -errno;
	if (!err && fsync(fileno(f)))
		err = -errno;
	if (!err && !named)
		err = export_link(fileno(f), dfd, base);
out_unname:
	/* only the file made here: the same inode under the name */
	if (err && named && f && !fstat(fileno(f), &st)) {
		struct stat at;

		if (!fstatat(dfd, base, &at, AT_SYMLINK_NOFOLLOW) && at.st_ino == st.st_ino &&
		    at.st_dev == st.st_dev)
			unlinkat(dfd, base, 0);
	}
	if (f && fclose(f) && !err)
		err = -errno;
out_why:
	if (err) {
		char reason[256];

		snprintf(reason, sizeof(reason), "%s", why[0] ? why : strerror(-err));
		snprintf(why, why_len, "%s: %s", path, reason);
	}
	close(dfd);
	return err;
}

/* What export_save writes: the panel in one format. */
struct export_save_arg {
	struct panel *p;
	enum export_format fmt;
	const struct status_info *si;
	int width;
	bool utf8;
	struct sym_cache *syms; /* for pprof's mappings */
};

/* export_write_fn of export_save. */
static int export_save_write(FILE *f, void *arg, char *why, size_t why_len)
{
	struct export_save_arg *a = arg;

	if (a->fmt == EXPORT_PPROF)
		return export_pprof(f, a->p, false, a->syms, why, why_len);
	return export_snapshot(f, a->fmt, a->p, a->si, a->width, a->utf8);
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
	struct export_save_arg arg = { p, fmt, si, width, utf8, syms };
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int err = -EEXIST;

	if (!dir || !dir[0])
		dir = ".";
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	/* the first free name; written whole, then named: a full disk leaves nothing */
	for (int n = 0; n < 100 && err == -EEXIST; n++) {
		if (n)
			snprintf(path, path_len, "%s/ktop-%s-%d.%s", dir, stamp, n, ext);
		else
			snprintf(path, path_len, "%s/ktop-%s.%s", dir, stamp, ext);
		err = export_path_is_free(path, why, why_len);
	}
	if (err)
		return err;
	return export_write_whole(path, export_save_write, &arg, why, why_len);
}
