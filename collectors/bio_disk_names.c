// SPDX-License-Identifier: GPL-2.0
/* Names of the bio collector's disks: sysfs uevent DEVNAME, else the kernel side, else MAJ:MIN. */
#include "collectors/bio_disk_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "collectors/bio_reading.h"
#include "util/escape.h"
#include "util/xalloc.h"
#include "bpf/bio.h"

#define BIO_SYS_BLOCK  "/sys/dev/block"
#define BIO_MINOR_BITS 20
#define BIO_MINOR_MASK ((1u << BIO_MINOR_BITS) - 1)

/* Name a disk from DEVNAME= in its uevent file; false if it cannot be read. */
static bool bio_name_read(struct bio_name *n)
{
	char path[64];
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), BIO_SYS_BLOCK "/%u:%u/uevent", n->dev >> BIO_MINOR_BITS,
		 n->dev & BIO_MINOR_MASK);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "DEVNAME=", 8))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (line[8]) {
			escape_cstr(n->name, sizeof(n->name), line + 8, strlen(line + 8));
			found = true;
		}
	}
	free(line);
	fclose(f);
	return found;
}

/* Name a disk from the name the kernel side recorded; false if it has none. */
static bool bio_name_from_kernel(const struct bio_name_cache *cache, struct bio_name *n)
{
	struct bio_disk_name kn;

	if (bpf_map_lookup_elem(cache->disks_fd, &n->dev, &kn) || !kn.name[0])
		return false;
	escape_cstr(n->name, sizeof(n->name), kn.name, sizeof(kn.name));
	return true;
}

/* Find or add the name cache entry of dev. */
struct bio_name *bio_name_of(struct bio_name_cache *cache, uint32_t dev)
{
	struct bio_name *n;

	for (size_t i = 0; i < cache->nnames; i++)
		if (cache->names[i].dev == dev)
			return &cache->names[i];
	cache->names = xreallocarray(cache->names, cache->nnames + 1, sizeof(*cache->names));
	n = &cache->names[cache->nnames++];
	memset(n, 0, sizeof(*n));
	n->dev = dev;
	snprintf(n->name, sizeof(n->name), "%u:%u", dev >> BIO_MINOR_BITS, dev & BIO_MINOR_MASK);
	n->gone = true; /* until /sys says otherwise */
	return n;
}

/*
 * Name new disks from /sys/dev/block (or, for a disk already gone, from the kernel side) and
 * notice the ones that vanished or came back.
 */
void bio_names_refresh(struct bio_name_cache *cache, const struct bio_reading *r)
{
	for (size_t i = 0; i < r->ndisks; i++) {
		struct bio_name *n = bio_name_of(cache, r->disks[i].dev);
		char path[64];

		snprintf(path, sizeof(path), BIO_SYS_BLOCK "/%u:%u", n->dev >> BIO_MINOR_BITS,
			 n->dev & BIO_MINOR_MASK);
		if (access(path, F_OK)) {
			n->gone = true;
			if (!n->named)
				n->named = bio_name_from_kernel(cache, n);
			continue;
		}
		/* A device that came back may be another one with the same numbers. */
		if (!n->named || n->gone)
			n->named = bio_name_read(n) || bio_name_from_kernel(cache, n);
		n->gone = false;
	}
}

/* Free the cache's entries and zero it. */
void bio_names_free(struct bio_name_cache *cache)
{
	free(cache->names);
	memset(cache, 0, sizeof(*cache));
}
