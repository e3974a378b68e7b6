// SPDX-License-Identifier: GPL-2.0
/* Perf map files: parsed once into a sorted array, looked up by binary search. */
#include "symbols/perfmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/xalloc.h"

/* Names longer than this are cut (with "..."). */
#define PERFMAP_NAME_MAX 512

struct perfmap_entry {
	uint64_t start;
	uint64_t size;
	uint32_t name;	/* offset in strs */
	uint32_t order; /* line number: later lines win */
};

struct perfmap {
	struct perfmap_entry *v;
	size_t n;
	char *strs;
	size_t strs_len;
	uint64_t file_size;
};

/* By start address, the latest line first. */
static int perfmap_cmp(const void *a, const void *b)
{
	const struct perfmap_entry *x = a;
	const struct perfmap_entry *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->order > y->order ? -1 : x->order < y->order;
}

/* Parse one "START SIZE name" line into pm; lines that do not parse are skipped. */
static void perfmap_parse_line(struct perfmap *pm, const char *line, size_t *cap, size_t *strs_cap,
			       uint32_t order)
{
	char name[PERFMAP_NAME_MAX];
	unsigned long long start;
	unsigned long long size;
	const char *p;
	char *end;
	size_t n;

	start = strtoull(line, &end, 16);
	if (end == line || *end != ' ')
		return;
	p = end + 1;
	size = strtoull(p, &end, 16);
	if (end == p || *end != ' ' || !size || start + size < start)
		return;
	p = end + 1;
	n = escape_text(name, sizeof(name), p, strcspn(p, "\n"));
	if (!n)
		return;
	if (pm->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		pm->v = xreallocarray(pm->v, *cap, sizeof(*pm->v));
	}
	if (pm->strs_len + n + 1 > *strs_cap) {
		while (pm->strs_len + n + 1 > *strs_cap)
			*strs_cap = *strs_cap ? *strs_cap * 2 : 16384;
		pm->strs = xreallocarray(pm->strs, *strs_cap, 1);
	}
	memcpy(pm->strs + pm->strs_len, name, n + 1);
	pm->v[pm->n++] = (struct perfmap_entry){
		.start = start,
		.size = size,
		.name = (uint32_t)pm->strs_len,
		.order = order,
	};
	pm->strs_len += n + 1;
}

int perfmap_load(struct perfmap **out, const char *path, uid_t owner, char *why, size_t why_len)
{
	struct perfmap *pm;
	struct stat st;
	size_t cap = 0;
	size_t strs_cap = 0;
	char *line = NULL;
	size_t line_cap = 0;
	uint32_t order = 0;
	size_t n = 0;
	FILE *f;
	int err;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != owner)) {
		snprintf(why, why_len, "%s is not a regular file of the process's owner", path);
		close(fd);
		return -EPERM;
	}
	if ((uint64_t)st.st_size > PERFMAP_MAX_BYTES) {
		snprintf(why, why_len, "%s is larger than %u MiB", path, PERFMAP_MAX_BYTES >> 20);
		close(fd);
		return -EFBIG;
	}
	f = fdopen(fd, "r");
	if (!f) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		close(fd);
		return err;
	}
	pm = xcalloc(1, sizeof(*pm));
	pm->file_size = (uint64_t)st.st_size;
	while (getline(&line, &line_cap, f) > 0)
		perfmap_parse_line(pm, line, &cap, &strs_cap, order++);
	free(line);
	fclose(f);
	if (pm->n > 1)
		qsort(pm->v, pm->n, sizeof(*pm->v), perfmap_cmp);
	/* One entry per start address: the latest line. */
	for (size_t i = 0; i < pm->n; i++) {
		if (n && pm->v[n - 1].start == pm->v[i].start)
			continue;
		pm->v[n++] = pm->v[i];
	}
	pm->n = n;
	*out = pm;
	return 0;
}

void perfmap_free(struct perfmap *pm)
{
	if (!pm)
		return;
	free(pm->v);
	free(pm->strs);
	free(pm);
}

bool perfmap_lookup(const struct perfmap *pm, uint64_t addr, const char **name, uint64_t *start)
{
	size_t lo = 0;
	size_t hi = pm->n;
	const struct perfmap_entry *e;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return false;
	e = &pm->v[lo - 1];
	if (addr - e->start >= e->size)
		return false;
	*name = pm->strs + e->name;
	*start = e->start;
	return true;
}

size_t perfmap_count(const struct perfmap *pm)
{
	return pm->n;
}

uint64_t perfmap_file_size(const struct perfmap *pm)
{
	return pm->file_size;
}
