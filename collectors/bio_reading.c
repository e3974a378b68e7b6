// SPDX-License-Identifier: GPL-2.0
/* Readings of the bio collector's maps: histograms, processes (pruned and archived), counters. */
#include "collectors/bio_reading.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "collectors/bpf_common.h"
#include "collectors/hist.h"
#include "util/clock.h"
#include "util/escape.h"
#include "util/xalloc.h"

_Static_assert(BIO_SLOTS == HIST_SLOTS, "bpf/bio.h and collectors/hist.h disagree on slots");
#define BIO_SAME_OP(a, b) ((int)(a) == (int)(b))
_Static_assert(BIO_SAME_OP(BIO_RQ_READ, BIO_OP_READ) && BIO_SAME_OP(BIO_RQ_WRITE, BIO_OP_WRITE) &&
		       BIO_SAME_OP(BIO_RQ_FLUSH, BIO_OP_FLUSH) &&
		       BIO_SAME_OP(BIO_RQ_DISCARD, BIO_OP_DISCARD) &&
		       BIO_SAME_OP(BIO_RQ_OTHER, BIO_OP_OTHER) &&
		       BIO_SAME_OP(BIO_RQ_NOPS, BIO_OP_COUNT),
	       "bpf/bio.h and collectors/bio_model.h disagree on operations");
_Static_assert(sizeof(((struct bio_proc *)0)->comm) >= BIO_COMM_LEN, "bio_proc.comm too short");

/* Order disks by dev. */
static int bio_rdisk_cmp(const void *a, const void *b)
{
	const struct bio_rdisk *x = a;
	const struct bio_rdisk *y = b;

	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* Add one CPU's kernel histogram value to a disk's statistics of one op. */
static void bio_stats_add_val(struct bio_stats *s, const struct bio_hist_val *v)
{
	for (unsigned int i = 0; i < HIST_SLOTS; i++) {
		s->lat_device.slots[i] += v->lat_device[i];
		s->lat_total.slots[i] += v->lat_total[i];
		s->size.slots[i] += v->size[i];
		s->lat_device.count += v->lat_device[i];
		s->lat_total.count += v->lat_total[i];
		s->size.count += v->size[i];
	}
	s->lat_device.sum += v->lat_device_us;
	s->lat_total.sum += v->lat_total_us;
	s->size.sum += v->bytes;
	s->ios += v->ios;
	s->bytes += v->bytes;
	s->slow += v->slow;
}

/* Read the per-CPU histogram map into r->disks, summing the CPUs. */
static int bio_read_hists(struct bio_reader *rd, struct bio_reading *r, char *why, size_t why_len)
{
	int fd = rd->hists_fd;
	struct bio_hist_key key, next;
	size_t cap = 0;
	int err;

	for (err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		struct bio_rdisk *d = NULL;
		unsigned int op;

		key = next;
		if (bpf_map_lookup_elem(fd, &key, rd->pcpu))
			continue; /* never deleted; nothing to read */
		for (size_t i = 0; i < r->ndisks; i++)
			if (r->disks[i].dev == key.dev)
				d = &r->disks[i];
		if (!d) {
			if (r->ndisks == cap) {
				cap = cap ? cap * 2 : 8;
				r->disks = xreallocarray(r->disks, cap, sizeof(*r->disks));
			}
			d = &r->disks[r->ndisks++];
			memset(d, 0, sizeof(*d));
			d->dev = key.dev;
		}
		op = key.op < BIO_OP_COUNT ? key.op : BIO_OP_OTHER;
		for (int cpu = 0; cpu < rd->ncpus; cpu++)
			bio_stats_add_val(&d->op[op], &rd->pcpu[cpu]);
	}
	if (err != -ENOENT) {
		snprintf(why, why_len, "bio: read the histogram map: %s", strerror(-err));
		return err;
	}
	if (r->ndisks)
		qsort(r->disks, r->ndisks, sizeof(*r->disks), bio_rdisk_cmp);
	return 0;
}

/* Remove the (pid, dev) entry from a sorted process array, if there. */
static void bio_procs_remove(struct bio_proc *procs, size_t *n, uint32_t pid, uint32_t dev)
{
	struct bio_proc *p = bio_procs_find(procs, *n, pid, dev);

	if (!p)
		return;
	memmove(p, p + 1, (size_t)(procs + *n - (p + 1)) * sizeof(*p));
	(*n)--;
}

/* Whether a process no longer exists. */
static bool bio_pid_is_gone(uint32_t pid)
{
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

/* The pid an exited process named comm is folded under; its name as the entry shows it. */
static uint32_t bio_fold_pid(struct bio_reader *rd, const char *comm, const char **name)
{
	size_t i;

	for (i = 0; i < rd->nnames; i++)
		if (!strcmp(rd->names[i], comm))
			break;
	if (i == rd->nnames && i < BIO_FOLD_NAMES_MAX) {
		rd->names = xreallocarray(rd->names, i + 1, sizeof(*rd->names));
		snprintf(rd->names[i], sizeof(rd->names[i]), "%s", comm);
		rd->nnames++;
	}
	if (i == rd->nnames) {
		*name = "[other]";
		return BIO_PID_EXITED + BIO_FOLD_NAMES_MAX;
	}
	*name = rd->names[i];
	return BIO_PID_EXITED + (uint32_t)i;
}

/* Add the figures of p to the archive entry of its (pid, dev), creating it. */
static void bio_archive_add(struct bio_reader *rd, const struct bio_proc *p)
{
	struct bio_proc *a = bio_procs_find(rd->archive, rd->narchive, p->pid, p->dev);

	if (a) {
		a->ios += p->ios;
		a->bytes += p->bytes;
		a->lat_us_sum += p->lat_us_sum;
		return;
	}
	rd->archive = xreallocarray(rd->archive, rd->narchive + 1, sizeof(*rd->archive));
	rd->archive[rd->narchive++] = *p;
	qsort(rd->archive, rd->narchive, sizeof(*rd->archive), bio_proc_key_cmp);
}

/* A bio_proc from a kernel process entry. */
static void bio_proc_from_val(struct bio_proc *p, const struct bio_proc_key *k,
			      const struct bio_proc_val *v)
{
	memset(p, 0, sizeof(*p));
	p->pid = k->tgid;
	p->dev = k->dev;
	escape_cstr(p->comm, sizeof(p->comm), v->comm, sizeof(v->comm));
	p->ios = v->ios;
	p->bytes = v->bytes;
	p->lat_us_sum = v->lat_us;
}

/*
 * Move the entry of a process that has exited and did no I/O since the last poll from the
 * kernel map to the archive, so the map does not fill. Lookup-and-delete takes its final
 * figures in one step; true when the entry left the map.
 */
static bool bio_proc_prune(struct bio_reader *rd, const struct bio_reading *since,
			   const struct bio_proc_key *k, const struct bio_proc *combined)
{
	const struct bio_proc *last;
	struct bio_proc_val v;
	struct bio_fold *f;
	struct bio_proc p;
	const char *name;
	int fd = rd->procs_fd;

	last = bio_procs_find(since->procs, since->nprocs, k->tgid, k->dev);
	if (!last || last->ios != combined->ios || !bio_pid_is_gone(k->tgid))
		return false;
	if (bpf_map_lookup_and_delete_elem(fd, k, &v)) {
		/* Hash maps support it since v5.14; before, read then delete. */
		if (bpf_map_lookup_elem(fd, k, &v) || bpf_map_delete_elem(fd, k))
			return false;
	}
	bio_proc_from_val(&p, k, &v);
	/* Folded by name: the archive grows with the names, not with the processes. */
	f = &rd->folds[rd->nfolds];
	*f = (struct bio_fold){ .pid = p.pid, .dev = p.dev };
	p.pid = f->fold_pid = bio_fold_pid(rd, p.comm, &name);
	snprintf(p.comm, sizeof(p.comm), "%s", name);
	snprintf(f->comm, sizeof(f->comm), "%s", name);
	rd->nfolds++;
	rd->folded++;
	bio_archive_add(rd, &p);
	return true;
}

/* Read the process map (and prune it, given the last reading) into r->procs, archive included. */
static int bio_read_procs(struct bio_reader *rd, struct bio_reading *r,
			  const struct bio_reading *prune_since, char *why, size_t why_len)
{
	size_t cap;
	size_t n;
	int got;

	/* in batches: one call per BPF_COMMON_READ_CHUNK entries, not two per entry */
	got = bpf_common_read_all(rd->procs_fd, rd->keys, sizeof(*rd->keys), rd->vals,
				  sizeof(*rd->vals), BIO_PROC_MAX, "bio: read the process map", why,
				  why_len);
	if (got < 0)
		return got;
	cap = r->nprocs + (size_t)got + 64;
	r->procs = xreallocarray(r->procs, cap, sizeof(*r->procs));
	for (int i = 0; i < got; i++)
		bio_proc_from_val(&r->procs[r->nprocs++], &rd->keys[i], &rd->vals[i]);
	if (r->nprocs)
		qsort(r->procs, r->nprocs, sizeof(*r->procs), bio_proc_key_cmp);

	/* Prune (never while iterating the map): exited processes fold into their name's entry. */
	rd->nfolds = 0;
	rd->folds = xreallocarray(rd->folds, r->nprocs + 1, sizeof(*rd->folds));
	for (size_t i = 0; i < r->nprocs; i++) {
		struct bio_proc *p = &r->procs[i];
		struct bio_proc_key k = { .tgid = p->pid, .dev = p->dev };

		if (prune_since)
			bio_proc_prune(rd, prune_since, &k, p);
	}
	for (size_t i = 0; i < rd->nfolds; i++)
		bio_procs_remove(r->procs, &r->nprocs, rd->folds[i].pid, rd->folds[i].dev);
	n = r->nprocs;
	/* The folded entries (never in the kernel map). */
	for (size_t i = 0; i < rd->narchive; i++) {
		const struct bio_proc *a = &rd->archive[i];

		if (r->nprocs == cap) {
			cap = cap ? cap * 2 : 64;
			r->procs = xreallocarray(r->procs, cap, sizeof(*r->procs));
		}
		r->procs[r->nprocs++] = *a;
	}
	if (r->nprocs > n)
		qsort(r->procs, r->nprocs, sizeof(*r->procs), bio_proc_key_cmp);
	return 0;
}

/* Sum the per-CPU counter array and the programs' recursion misses. */
static int bio_read_counters(struct bio_reader *rd, struct bio_reading *r, char *why,
			     size_t why_len)
{
	int err;

	err = bpf_common_counters_read(rd->drops_fd, rd->pcpu_count, rd->ncpus, r->counters,
				       BIO_DROP_COUNT, "bio", why, why_len);
	if (err)
		return err;
	r->recursion_misses = 0;
	for (size_t i = 0; i < rd->nprogs; i++)
		r->recursion_misses += bpf_common_recursion_misses(rd->prog_fds[i]);
	return 0;
}

/* Order processes by pid, then dev. */
int bio_proc_key_cmp(const void *a, const void *b)
{
	const struct bio_proc *x = a;
	const struct bio_proc *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* The (pid, dev) entry in a sorted process array, or NULL. */
struct bio_proc *bio_procs_find(struct bio_proc *procs, size_t n, uint32_t pid, uint32_t dev)
{
	struct bio_proc key = { .pid = pid, .dev = dev };

	if (!n)
		return NULL;
	return bsearch(&key, procs, n, sizeof(key), bio_proc_key_cmp);
}

/* The disk with this dev in a reading, or NULL. */
const struct bio_rdisk *bio_reading_disk(const struct bio_reading *r, uint32_t dev)
{
	struct bio_rdisk key = { .dev = dev };

	if (!r->ndisks)
		return NULL;
	return bsearch(&key, r->disks, r->ndisks, sizeof(key), bio_rdisk_cmp);
}

void bio_reading_fold(struct bio_reading *r, uint32_t pid, uint32_t dev, uint32_t fold_pid,
		      const char *comm)
{
	struct bio_proc *p = bio_procs_find(r->procs, r->nprocs, pid, dev);
	struct bio_proc *f;
	struct bio_proc moved;

	if (!p)
		return;
	moved = *p;
	bio_procs_remove(r->procs, &r->nprocs, pid, dev);
	f = bio_procs_find(r->procs, r->nprocs, fold_pid, dev);
	if (!f) {
		r->procs = xreallocarray(r->procs, r->nprocs + 1, sizeof(*r->procs));
		f = &r->procs[r->nprocs++];
		*f = (struct bio_proc){ .pid = fold_pid, .dev = dev };
		snprintf(f->comm, sizeof(f->comm), "%s", comm);
		f->ios = moved.ios;
		f->bytes = moved.bytes;
		f->lat_us_sum = moved.lat_us_sum;
		qsort(r->procs, r->nprocs, sizeof(*r->procs), bio_proc_key_cmp);
		return;
	}
	f->ios += moved.ios;
	f->bytes += moved.bytes;
	f->lat_us_sum += moved.lat_us_sum;
}

void bio_reader_fold(const struct bio_reader *rd, struct bio_reading *r)
{
	for (size_t i = 0; i < rd->nfolds; i++) {
		const struct bio_fold *f = &rd->folds[i];

		bio_reading_fold(r, f->pid, f->dev, f->fold_pid, f->comm);
	}
}

/* Free what a reading owns and zero it. */
void bio_reading_free(struct bio_reading *r)
{
	free(r->disks);
	free(r->procs);
	memset(r, 0, sizeof(*r));
}

/* dst := a deep copy of src (dst's old contents are freed). */
void bio_reading_copy(struct bio_reading *dst, const struct bio_reading *src)
{
	bio_reading_free(dst);
	*dst = *src;
	dst->disks = NULL;
	dst->procs = NULL;
	if (src->ndisks) {
		dst->disks = xreallocarray(NULL, src->ndisks, sizeof(*src->disks));
		memcpy(dst->disks, src->disks, src->ndisks * sizeof(*src->disks));
	}
	if (src->nprocs) {
		dst->procs = xreallocarray(NULL, src->nprocs, sizeof(*src->procs));
		memcpy(dst->procs, src->procs, src->nprocs * sizeof(*src->procs));
	}
}

/* Size the lookup buffers for ncpus possible CPUs. */
void bio_reader_init(struct bio_reader *rd, int ncpus)
{
	rd->ncpus = ncpus;
	rd->pcpu = xcalloc((size_t)ncpus, sizeof(*rd->pcpu));
	rd->pcpu_count = xcalloc((size_t)ncpus, sizeof(*rd->pcpu_count));
	rd->keys = xcalloc(BIO_PROC_MAX, sizeof(*rd->keys));
	rd->vals = xcalloc(BIO_PROC_MAX, sizeof(*rd->vals));
}

/* Free the lookup buffers and the archive. */
void bio_reader_free(struct bio_reader *rd)
{
	free(rd->pcpu);
	free(rd->pcpu_count);
	free(rd->keys);
	free(rd->vals);
	free(rd->archive);
	free(rd->names);
	free(rd->folds);
	memset(rd, 0, sizeof(*rd));
}

/* Read every map into r; prune exited processes from the kernel map when given the last reading. */
int bio_read(struct bio_reader *rd, struct bio_reading *r, const struct bio_reading *prune_since,
	     char *why, size_t why_len)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->at = clock_seconds(CLOCK_MONOTONIC);
	err = bio_read_hists(rd, r, why, why_len);
	if (!err)
		err = bio_read_procs(rd, r, prune_since, why, why_len);
	if (!err)
		err = bio_read_counters(rd, r, why, why_len);
	if (err)
		bio_reading_free(r);
	return err;
}

/*
 * Keep in the archive only processes whose figures moved past the new baseline base; forget the
 * others in base, cur and prev too.
 */
void bio_archive_forget(struct bio_reader *rd, struct bio_reading *base, struct bio_reading *cur,
			struct bio_reading *prev)
{
	size_t kept = 0;

	for (size_t i = 0; i < rd->narchive; i++) {
		const struct bio_proc *a = &rd->archive[i];
		const struct bio_proc *p;

		p = bio_procs_find(base->procs, base->nprocs, a->pid, a->dev);
		if (p && p->ios != a->ios) {
			rd->archive[kept++] = *a;
			continue;
		}
		bio_procs_remove(base->procs, &base->nprocs, a->pid, a->dev);
		bio_procs_remove(cur->procs, &cur->nprocs, a->pid, a->dev);
		bio_procs_remove(prev->procs, &prev->nprocs, a->pid, a->dev);
	}
	rd->narchive = kept;
}
