/* SPDX-License-Identifier: GPL-2.0 */
/* Internal to the bio collector: names of the disks it has seen, from sysfs or the kernel side. */
#ifndef KTOP_BIO_DISK_NAMES_H
#define KTOP_BIO_DISK_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bio_reading;

/* A disk's name as found in /sys/dev/block. */
struct bio_name {
	uint32_t dev;
	bool named; /* name came from sysfs (else "MAJ:MIN") */
	bool gone;
	char name[32];
};

/* Every disk named so far; the collector sets disks_fd once the BPF object is loaded. */
struct bio_name_cache {
	int disks_fd; /* the kernel side's names by dev, for disks gone before we look */
	struct bio_name *names;
	size_t nnames;
};

/* Find or add the cache entry of dev; a new one is "MAJ:MIN" and gone until refreshed. */
struct bio_name *bio_name_of(struct bio_name_cache *cache, uint32_t dev);
/* Name the disks of reading r that are new, and mark the ones that vanished or came back. */
void bio_names_refresh(struct bio_name_cache *cache, const struct bio_reading *r);
/* Free the cache's entries and zero it. */
void bio_names_free(struct bio_name_cache *cache);

#endif
