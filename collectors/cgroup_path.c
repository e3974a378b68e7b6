// SPDX-License-Identifier: GPL-2.0
/* --cgroup PATH resolved to a hierarchy, an id and a depth; membership from /proc/PID/cgroup. */
#include "collectors/cgroup_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "util/xalloc.h"

#define CGROUP_V2	  (-1)
#define CGROUP_MOUNTS_MAX (1 << 18) /* /proc/mounts read at most */

/* The v1 controllers a hierarchy can be filtered by (an option of its mount). */
static const char *const cgroup_controllers[] = {
	"cpu",	   "cpuacct", "cpuset",	  "memory",  "blkio",	   "pids", "devices",
	"freezer", "net_cls", "net_prio", "hugetlb", "perf_event", "rdma", "misc",
};

/* Whether mnt is dir or a parent directory of it. */
static bool cgroup_is_under(const char *dir, const char *mnt)
{
	size_t n = strlen(mnt);

	if (n == 1 && mnt[0] == '/')
		return true;
	return !strncmp(dir, mnt, n) && (dir[n] == '\0' || dir[n] == '/');
}

/* The first controller among a v1 mount's comma-separated options, or "". */
static void cgroup_first_controller(const char *opts, char *out, size_t len)
{
	char buf[512], *save = NULL;

	out[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", opts);
	for (char *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save))
		for (size_t i = 0; i < sizeof(cgroup_controllers) / sizeof(*cgroup_controllers);
		     i++)
			if (!strcmp(o, cgroup_controllers[i])) {
				snprintf(out, len, "%s", o);
				return;
			}
}

bool cgroup_path_mount(const char *mounts, const char *dir, char *mnt, size_t mnt_len, bool *v2,
		       char *controller, size_t controller_len)
{
	size_t best = 0;
	bool found = false;

	while (mounts && *mounts) {
		const char *eol = strchr(mounts, '\n');
		size_t n = eol ? (size_t)(eol - mounts) : strlen(mounts);
		char line[1024], dev[256], point[512], type[32], opts[512];

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
			 mounts);
		mounts = eol ? eol + 1 : mounts + n;
		if (sscanf(line, "%255s %511s %31s %511s", dev, point, type, opts) != 4)
			continue;
		if (strcmp(type, "cgroup2") && strcmp(type, "cgroup"))
			continue;
		if (!cgroup_is_under(dir, point) || strlen(point) < best)
			continue;
		best = strlen(point);
		found = true;
		snprintf(mnt, mnt_len, "%s", point);
		*v2 = !strcmp(type, "cgroup2");
		if (*v2)
			controller[0] = '\0';
		else
			cgroup_first_controller(opts, controller, controller_len);
	}
	return found;
}

/* The value of enum cgroup_subsys_id's NAME_cgrp_id in the kernel's BTF, or -errno. */
static int cgroup_subsys_id(const char *controller, char *why, size_t why_len)
{
	struct btf *btf = btf__load_vmlinux_btf();
	char want[64];
	int id = -ENOENT;
	__s32 type;

	if (!btf) {
		snprintf(why, why_len, "no kernel BTF to find the %s controller's id", controller);
		return -ENOENT;
	}
	snprintf(want, sizeof(want), "%s_cgrp_id", controller);
	type = btf__find_by_name_kind(btf, "cgroup_subsys_id", BTF_KIND_ENUM);
	if (type > 0) {
		const struct btf_type *t = btf__type_by_id(btf, (__u32)type);
		const struct btf_enum *e = btf_enum(t);

		for (__u16 i = 0; i < btf_vlen(t); i++, e++)
			if (!strcmp(btf__name_by_offset(btf, e->name_off), want))
				id = e->val;
	}
	btf__free(btf);
	if (id < 0)
		snprintf(why, why_len, "the kernel has no %s controller", controller);
	return id;
}

/* The text of a small file, NUL-terminated; false when it cannot be read. */
static bool cgroup_read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return false;
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return got > 0;
}

int cgroup_path_resolve(const char *path, const char *proc_root, struct filter_cgroup *cg,
			char *why, size_t why_len)
{
	char real[PATH_MAX], mnt[512], file[PATH_MAX], controller[32];
	char *mounts;
	bool found;
	const char *rel;
	struct stat st;
	bool v2 = false;
	int id;

	memset(cg, 0, sizeof(*cg));
	cg->subsys = CGROUP_V2;
	if (!realpath(path, real) || stat(real, &st)) {
		int err = -errno;

		snprintf(why, why_len, "%s: %s", path, strerror(-err));
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, why_len, "%s: not a directory", path);
		return -ENOTDIR;
	}
	snprintf(file, sizeof(file), "%s/mounts", proc_root ? proc_root : "/proc");
	mounts = xmalloc(CGROUP_MOUNTS_MAX);
	found = cgroup_read_text(file, mounts, CGROUP_MOUNTS_MAX) &&
		cgroup_path_mount(mounts, real, mnt, sizeof(mnt), &v2, controller,
				  sizeof(controller));
	free(mounts);
	if (!found) {
		snprintf(why, why_len, "%s: not in a mounted cgroup hierarchy", path);
		return -EINVAL;
	}
	if (!v2 && !controller[0]) {
		snprintf(why, why_len,
			 "%s: a cgroup v1 hierarchy without a controller; give the "
			 "cgroup's path in the v2 hierarchy or in a controller's",
			 path);
		return -EINVAL;
	}
	if (!v2) {
		id = cgroup_subsys_id(controller, why, why_len);
		if (id < 0)
			return id;
		cg->subsys = id;
		snprintf(cg->controller, sizeof(cg->controller), "%s", controller);
	}
	rel = real + (strcmp(mnt, "/") ? strlen(mnt) : 0);
	snprintf(cg->rel, sizeof(cg->rel), "%s", *rel ? rel : "/");
	for (const char *s = cg->rel; *s; s++)
		if (*s == '/' && s[1] && s[1] != '/')
			cg->level++;
	snprintf(cg->path, sizeof(cg->path), "%s", path);
	cg->id = (uint64_t)st.st_ino;
	return 0;
}

/* Whether the cgroup path p (from /proc/PID/cgroup) is rel or below it. */
static bool cgroup_rel_has(const char *rel, const char *p)
{
	size_t n = strlen(rel);

	if (!strcmp(rel, "/"))
		return true;
	return !strncmp(p, rel, n) && (p[n] == '\0' || p[n] == '/');
}

/* Whether the comma-separated list has the word w. */
static bool cgroup_list_has(const char *list, size_t len, const char *w)
{
	size_t n = strlen(w);

	for (const char *s = list; s < list + len;) {
		const char *c = memchr(s, ',', (size_t)(list + len - s));
		size_t k = c ? (size_t)(c - s) : (size_t)(list + len - s);

		if (k == n && !strncmp(s, w, n))
			return true;
		s += k + 1;
	}
	return false;
}

bool cgroup_path_text_has(const char *text, const struct filter_cgroup *cg)
{
	while (text && *text) {
		const char *eol = strchr(text, '\n');
		size_t n = eol ? (size_t)(eol - text) : strlen(text);
		const char *c1 = memchr(text, ':', n);
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(text + n - c1 - 1)) : NULL;

		if (c2) {
			char p[KTOP_CGROUP_PATH * 2];
			bool mine = cg->subsys < 0 ? c2 == c1 + 1 && !strncmp(text, "0:", 2)
						   : cgroup_list_has(c1 + 1, (size_t)(c2 - c1 - 1),
								     cg->controller);

			snprintf(p, sizeof(p), "%.*s", (int)(text + n - c2 - 1), c2 + 1);
			if (mine)
				return cgroup_rel_has(cg->rel, p);
		}
		text = eol ? eol + 1 : text + n;
	}
	return false;
}

bool cgroup_path_has_pid(const struct filter_cgroup *cg, uint32_t pid)
{
	char file[64], text[4096];

	if (!cg->id)
		return true;
	snprintf(file, sizeof(file), "/proc/%u/cgroup", pid);
	return cgroup_read_text(file, text, sizeof(text)) && cgroup_path_text_has(text, cg);
}
