// SPDX-License-Identifier: GPL-2.0
/* Writing the settings file atomically: a temp file beside it, fsync, rename; never a symlink. */
#include "core/settings.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Make each missing directory of path's parent, mode 0700; 0 or -errno with why. */
static int make_parents(const char *path, char *why, size_t why_len)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST) {
			int err = errno;

			snprintf(why, why_len, "%s: %s", dir, strerror(err));
			return -err;
		}
		*slash = '/';
	}
	return 0;
}

/* Write s into the new temp file fd, flushed to the disk; 0 or -errno. Closes fd. */
static int write_temp(const struct settings *s, int fd)
{
	FILE *f = fdopen(fd, "w");
	int err;

	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	err = settings_write(s, f);
	if (fflush(f) && !err)
		err = -errno;
	if (!err && fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int settings_save(const struct settings *s, const char *path, char *why, size_t why_len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd, err, dfd;

	if (!slash || (size_t)(slash - path) + 16 >= sizeof(tmp)) {
		snprintf(why, why_len, "%s: not a usable path", path);
		return -EINVAL;
	}
	err = make_parents(path, why, why_len);
	if (err)
		return err;
	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		snprintf(why, why_len, "%s: %s", path,
			 S_ISLNK(st.st_mode) ? "is a symlink: not written" : "not a regular file");
		return -EEXIST;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	snprintf(tmp, sizeof(tmp), "%s/.ktoprc.XXXXXX", dir);
	fd = mkostemp(tmp, O_CLOEXEC); /* O_EXCL, mode 0600 */
	if (fd < 0) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", dir, strerror(-err));
		return err;
	}
	if (fchmod(fd, 0600)) {
		err = -errno;
		close(fd);
		goto out_unlink;
	}
	err = write_temp(s, fd);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		goto out_unlink;
	/* the rename itself reaches the disk with the directory */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
out_unlink:
	snprintf(why, why_len, "%s: %s", path, strerror(-err));
	unlink(tmp);
	return err;
}
