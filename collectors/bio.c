// SPDX-License-Identifier: GPL-2.0
/* The Block I/O collector: loads bio.bpf.c and turns its cumulative maps into struct bio_model. */
#include "collectors/bio.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/bio_model.h"
#include "collectors/hist.h"
#include "util/escape.h"
#include "util/xalloc.h"
#include "bpf/bio.h"
#include "bpf/bio.skel.h"

_Static_assert(BIO_SLOTS == HIST_SLOTS, "bpf/bio.h and collectors/hist.h disagree on slots");
#define BIO_SAME_OP(a, b) ((int)(a) == (int)(b))
_Static_assert(BIO_SAME_OP(BIO_RQ_READ, BIO_OP_READ) && BIO_SAME_OP(BIO_RQ_WRITE, BIO_OP_WRITE) &&
		       BIO_SAME_OP(BIO_RQ_FLUSH, BIO_OP_FLUSH) &&
		       BIO_SAME_OP(BIO_RQ_DISCARD, BIO_OP_DISCARD) &&
		       BIO_SAME_OP(BIO_RQ_OTHER, BIO_OP_OTHER) &&
		       BIO_SAME_OP(BIO_RQ_NOPS, BIO_OP_COUNT),
	       "bpf/bio.h and collectors/bio_model.h disagree on operations");
_Static_assert(BIO_PIDS_MAX >= KTOP_MAX_PIDS, "the BPF PID filter is smaller than KTOP_MAX_PIDS");
_Static_assert(sizeof(((struct bio_proc *)0)->comm) >= BIO_COMM_LEN, "bio_proc.comm too short");

#define BIO_BTF_PATH   "/sys/kernel/btf/vmlinux"
#define BIO_SYS_BLOCK  "/sys/dev/block"
#define BIO_MINOR_BITS 20
#define BIO_MINOR_MASK ((1u << BIO_MINOR_BITS) - 1)
#define BIO_NTPS       5

/* One tracepoint and its two program flavours in the skeleton. */
struct bio_tp {
	const char *name;
	struct bpf_program *btf;
	struct bpf_program *raw;
	bool needs_io_start; /* only on kernels that have block_io_start (v6.5+) */
};

/* What vmlinux BTF says about the running kernel. */
struct bio_probe {
	bool tp_btf;	 /* btf_trace_block_rq_issue exists, so tp_btf can attach */
	bool io_start;	 /* block_io_start exists */
	bool single_arg; /* block_rq_issue(rq), not the pre-v5.11 (q, rq) */
};

/* One disk in a reading of the histogram map. */
struct bio_rdisk {
	uint32_t dev;
	struct bio_stats op[BIO_OP_COUNT];
};

/* Everything the kernel has counted since load, read at one moment. */
struct bio_reading {
	struct bio_rdisk *disks; /* sorted by dev */
	size_t ndisks;
	struct bio_proc *procs; /* sorted by pid, dev; kernel map plus pruned entries */
	size_t nprocs;
	uint64_t counters[BIO_DROP_COUNT];
	uint64_t recursion_misses;
	double at; /* CLOCK_MONOTONIC, seconds */
};

/* A disk's name as found in /sys/dev/block. */
struct bio_name {
	uint32_t dev;
	bool named; /* name came from sysfs (else "MAJ:MIN") */
	bool gone;
	char name[32];
};

struct bio_priv {
	struct bio_bpf *skel;
	struct bpf_link *links[BIO_NTPS];
	struct bpf_program *progs[BIO_NTPS];
	size_t nlinks;
	int ncpus;
	struct bio_hist_val *pcpu; /* lookup buffer: one value per possible CPU */
	__u64 *pcpu_count;	   /* lookup buffer of the counter array */

	struct bio_reading base; /* start of the cumulative span */
	struct bio_reading prev; /* start of the interval span */
	struct bio_reading cur;	 /* the last poll */

	/* Figures of (process, disk) entries pruned from the kernel map, sorted by pid, dev. */
	struct bio_proc *archive;
	size_t narchive;

	struct bio_name *names;
	size_t nnames;

	uint64_t slow_us;
	uint32_t pids[KTOP_MAX_PIDS]; /* sorted */
	size_t npids;

	struct bio_model model;
};

/*
 * Drop counters shown to the user; idx -1 is the programs' recursion misses. The statistics
 * (BIO_STAT_*) are not losses and stay out.
 */
static const struct {
	const char *name;
	int idx;
} bio_drop_names[] = {
	{"start map full", BIO_DROP_START_FULL},
	{"histogram map full", BIO_DROP_HIST_FULL},
	{"process map full", BIO_DROP_PROC_FULL},
	{"completion without start", BIO_DROP_NO_START},
	{"recursion misses", -1},
};

_Static_assert(sizeof(bio_drop_names) / sizeof(bio_drop_names[0]) <= COLLECTOR_MAX_DROPS,
	       "too many bio drop counters");

/* Seconds on CLOCK_MONOTONIC. */
static double bio_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* a - b, or 0 when b is larger. */
static uint64_t bio_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* A threshold in usecs as the kernel side's nanoseconds, saturating. */
static __u64 bio_slow_ns(uint64_t us)
{
	return us > UINT64_MAX / 1000 ? UINT64_MAX : us * 1000;
}

/* Read from vmlinux BTF which tracepoints exist and which argument form they take. */
static int bio_probe_btf(struct bio_probe *p, char *why, size_t why_len)
{
	const struct btf_type *t;
	struct btf *btf;
	int err;
	int id;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		err = errno ? -errno : -ENOENT;
		snprintf(why, why_len, "bio: load kernel BTF: %s", strerror(-err));
		return err;
	}
	p->single_arg = true;
	id = btf__find_by_name_kind(btf, "btf_trace_block_rq_issue", BTF_KIND_TYPEDEF);
	p->tp_btf = id > 0;
	if (id > 0) {
		/* typedef -> pointer -> func_proto(void *ctx, [struct request_queue *q,] rq) */
		t = btf__type_by_id(btf, id);
		t = t ? btf__type_by_id(btf, t->type) : NULL;
		if (t && btf_is_ptr(t))
			t = btf__type_by_id(btf, t->type);
		if (t && btf_is_func_proto(t))
			p->single_arg = btf_vlen(t) != 3;
	}
	p->io_start = btf__find_by_name_kind(btf, "btf_trace_block_io_start", BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	return 0;
}

/* The skeleton's programs, tracepoint by tracepoint. */
static void bio_tps(struct bio_bpf *skel, struct bio_tp tps[BIO_NTPS])
{
	const struct bio_tp all[BIO_NTPS] = {
		{
			.name = "block_io_start",
			.btf = skel->progs.bio_iostart_btf,
			.raw = skel->progs.bio_iostart_raw,
			.needs_io_start = true,
		},
		{
			.name = "block_rq_insert",
			.btf = skel->progs.bio_insert_btf,
			.raw = skel->progs.bio_insert_raw,
		},
		{
			.name = "block_rq_issue",
			.btf = skel->progs.bio_issue_btf,
			.raw = skel->progs.bio_issue_raw,
		},
		{
			.name = "block_rq_requeue",
			.btf = skel->progs.bio_requeue_btf,
			.raw = skel->progs.bio_requeue_raw,
		},
		{
			.name = "block_rq_complete",
			.btf = skel->progs.bio_cmpl_btf,
			.raw = skel->progs.bio_cmpl_raw,
		},
	};

	memcpy(tps, all, sizeof(all));
}

/* Open the BPF object, keep one flavour per tracepoint, size the maps and load. */
static int bio_load(struct bio_priv *priv, const struct bio_probe *probe, bool use_btf, char *why,
		    size_t why_len)
{
	const char *flavour = use_btf ? "tp_btf" : "raw_tp";
	struct bio_tp tps[BIO_NTPS];
	int err;

	priv->skel = bio_bpf__open();
	if (!priv->skel) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, why_len, "bio: open BPF object: %s", strerror(-err));
		return err;
	}
	priv->skel->rodata->rq_single_arg = probe->single_arg;
	priv->skel->rodata->has_io_start = probe->io_start;
	/* Requests in flight at once; the place to follow a future option. */
	err = bpf_map__set_max_entries(priv->skel->maps.bio_starts, BIO_START_MAX);
	if (err) {
		snprintf(why, why_len, "bio: size the start map: %s", strerror(-err));
		return err;
	}
	bio_tps(priv->skel, tps);
	for (size_t i = 0; i < BIO_NTPS; i++) {
		bool wanted = !tps[i].needs_io_start || probe->io_start;

		bpf_program__set_autoload(tps[i].btf, wanted && use_btf);
		bpf_program__set_autoload(tps[i].raw, wanted && !use_btf);
	}
	err = bio_bpf__load(priv->skel);
	if (err) {
		snprintf(why, why_len, "bio: load BPF programs (%s): %s", flavour, strerror(-err));
		return err;
	}
	return 0;
}

/* Attach each loaded program, naming the tracepoint that failed. */
static int bio_attach(struct bio_priv *priv, bool use_btf, char *why, size_t why_len)
{
	struct bio_tp tps[BIO_NTPS];
	int err;

	bio_tps(priv->skel, tps);
	for (size_t i = 0; i < BIO_NTPS; i++) {
		struct bpf_program *prog = use_btf ? tps[i].btf : tps[i].raw;
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			err = errno ? -errno : -EINVAL;
			snprintf(why, why_len, "bio: attach %s: %s", tps[i].name, strerror(-err));
			return err;
		}
		priv->links[priv->nlinks] = link;
		priv->progs[priv->nlinks] = prog;
		priv->nlinks++;
	}
	return 0;
}

/* Free what a reading owns and zero it. */
static void bio_reading_free(struct bio_reading *r)
{
	free(r->disks);
	free(r->procs);
	memset(r, 0, sizeof(*r));
}

/* dst := a deep copy of src (dst's old contents are freed). */
static void bio_reading_copy(struct bio_reading *dst, const struct bio_reading *src)
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

/* Order disks by dev. */
static int bio_rdisk_cmp(const void *a, const void *b)
{
	const struct bio_rdisk *x = a;
	const struct bio_rdisk *y = b;

	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* Order processes by pid, then dev. */
static int bio_proc_key_cmp(const void *a, const void *b)
{
	const struct bio_proc *x = a;
	const struct bio_proc *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* The disk with this dev in a reading, or NULL. */
static const struct bio_rdisk *bio_reading_disk(const struct bio_reading *r, uint32_t dev)
{
	struct bio_rdisk key = {.dev = dev};

	if (!r->ndisks)
		return NULL;
	return bsearch(&key, r->disks, r->ndisks, sizeof(key), bio_rdisk_cmp);
}

/* The (pid, dev) entry in a sorted process array, or NULL. */
static struct bio_proc *bio_procs_find(struct bio_proc *procs, size_t n, uint32_t pid, uint32_t dev)
{
	struct bio_proc key = {.pid = pid, .dev = dev};

	if (!n)
		return NULL;
	return bsearch(&key, procs, n, sizeof(key), bio_proc_key_cmp);
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
static int bio_read_hists(struct bio_priv *priv, struct bio_reading *r, char *why, size_t why_len)
{
	int fd = bpf_map__fd(priv->skel->maps.bio_hists);
	struct bio_hist_key key, next;
	size_t cap = 0;
	int err;

	for (err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		struct bio_rdisk *d = NULL;
		unsigned int op;

		key = next;
		if (bpf_map_lookup_elem(fd, &key, priv->pcpu))
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
		for (int cpu = 0; cpu < priv->ncpus; cpu++)
			bio_stats_add_val(&d->op[op], &priv->pcpu[cpu]);
	}
	if (err != -ENOENT) {
		snprintf(why, why_len, "bio: read the histogram map: %s", strerror(-err));
		return err;
	}
	if (r->ndisks)
		qsort(r->disks, r->ndisks, sizeof(*r->disks), bio_rdisk_cmp);
	return 0;
}

/* Whether a process no longer exists. */
static bool bio_pid_is_gone(uint32_t pid)
{
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

/* Add the figures of p to the archive entry of its (pid, dev), creating it. */
static void bio_archive_add(struct bio_priv *priv, const struct bio_proc *p)
{
	struct bio_proc *a = bio_procs_find(priv->archive, priv->narchive, p->pid, p->dev);

	if (a) {
		a->ios += p->ios;
		a->bytes += p->bytes;
		a->lat_us_sum += p->lat_us_sum;
		return;
	}
	priv->archive = xreallocarray(priv->archive, priv->narchive + 1, sizeof(*priv->archive));
	priv->archive[priv->narchive++] = *p;
	qsort(priv->archive, priv->narchive, sizeof(*priv->archive), bio_proc_key_cmp);
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
static bool bio_proc_prune(struct bio_priv *priv, int fd, const struct bio_proc_key *k,
			   const struct bio_proc *combined)
{
	const struct bio_proc *last;
	struct bio_proc_val v;
	struct bio_proc p;

	last = bio_procs_find(priv->cur.procs, priv->cur.nprocs, k->tgid, k->dev);
	if (!last || last->ios != combined->ios || !bio_pid_is_gone(k->tgid))
		return false;
	if (bpf_map_lookup_and_delete_elem(fd, k, &v)) {
		/* Hash maps support it since v5.14; before, read then delete. */
		if (bpf_map_lookup_elem(fd, k, &v) || bpf_map_delete_elem(fd, k))
			return false;
	}
	bio_proc_from_val(&p, k, &v);
	bio_archive_add(priv, &p);
	return true;
}

/* Read the process map (and prune it when asked) into r->procs, archive included. */
static int bio_read_procs(struct bio_priv *priv, struct bio_reading *r, bool prune, char *why,
			  size_t why_len)
{
	int fd = bpf_map__fd(priv->skel->maps.bio_procs);
	struct bio_proc_key key, next;
	struct bio_proc_key *gone = NULL;
	size_t ngone = 0;
	size_t cap = 0;
	size_t n;
	int err;

	for (err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		struct bio_proc_val v;

		key = next;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		if (r->nprocs == cap) {
			cap = cap ? cap * 2 : 64;
			r->procs = xreallocarray(r->procs, cap, sizeof(*r->procs));
		}
		bio_proc_from_val(&r->procs[r->nprocs++], &key, &v);
	}
	if (err != -ENOENT) {
		snprintf(why, why_len, "bio: read the process map: %s", strerror(-err));
		return err;
	}
	if (r->nprocs)
		qsort(r->procs, r->nprocs, sizeof(*r->procs), bio_proc_key_cmp);

	/* Add what was pruned earlier, then prune (never while iterating the map). */
	n = r->nprocs;
	for (size_t i = 0; i < n; i++) {
		struct bio_proc *p = &r->procs[i];
		const struct bio_proc *a;
		struct bio_proc_key k = {.tgid = p->pid, .dev = p->dev};

		a = bio_procs_find(priv->archive, priv->narchive, p->pid, p->dev);
		if (a) {
			p->ios += a->ios;
			p->bytes += a->bytes;
			p->lat_us_sum += a->lat_us_sum;
		}
		if (prune && bio_proc_prune(priv, fd, &k, p)) {
			gone = xreallocarray(gone, ngone + 1, sizeof(*gone));
			gone[ngone++] = k;
		}
	}
	/* Now the archive holds the pruned entries' final figures: use them. */
	for (size_t i = 0; i < ngone; i++) {
		struct bio_proc *p = bio_procs_find(r->procs, n, gone[i].tgid, gone[i].dev);
		const struct bio_proc *a;

		a = bio_procs_find(priv->archive, priv->narchive, gone[i].tgid, gone[i].dev);
		if (p && a) {
			p->ios = a->ios;
			p->bytes = a->bytes;
			p->lat_us_sum = a->lat_us_sum;
		}
	}
	free(gone);
	/* Archived processes that have no kernel entry any more. */
	for (size_t i = 0; i < priv->narchive; i++) {
		const struct bio_proc *a = &priv->archive[i];

		if (bio_procs_find(r->procs, n, a->pid, a->dev))
			continue;
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
static int bio_read_counters(struct bio_priv *priv, struct bio_reading *r, char *why,
			     size_t why_len)
{
	int fd = bpf_map__fd(priv->skel->maps.bio_drops);
	int err;

	for (__u32 i = 0; i < BIO_DROP_COUNT; i++) {
		err = bpf_map_lookup_elem(fd, &i, priv->pcpu_count);
		if (err) {
			snprintf(why, why_len, "bio: read the drop counters: %s", strerror(-err));
			return err;
		}
		r->counters[i] = 0;
		for (int cpu = 0; cpu < priv->ncpus; cpu++)
			r->counters[i] += priv->pcpu_count[cpu];
	}
	r->recursion_misses = 0;
	for (size_t i = 0; i < priv->nlinks; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(priv->progs[i]), &info, &len))
			r->recursion_misses += info.recursion_misses;
	}
	return 0;
}

/* Read every map into r; prune exited processes from the kernel map when asked. */
static int bio_read(struct bio_priv *priv, struct bio_reading *r, bool prune, char *why,
		    size_t why_len)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->at = bio_now();
	err = bio_read_hists(priv, r, why, why_len);
	if (!err)
		err = bio_read_procs(priv, r, prune, why, why_len);
	if (!err)
		err = bio_read_counters(priv, r, why, why_len);
	if (err)
		bio_reading_free(r);
	return err;
}

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
static bool bio_name_from_kernel(struct bio_priv *priv, struct bio_name *n)
{
	struct bio_disk_name kn;

	if (bpf_map_lookup_elem(bpf_map__fd(priv->skel->maps.bio_disks), &n->dev, &kn) ||
	    !kn.name[0])
		return false;
	escape_cstr(n->name, sizeof(n->name), kn.name, sizeof(kn.name));
	return true;
}

/* Find or add the name cache entry of dev. */
static struct bio_name *bio_name_of(struct bio_priv *priv, uint32_t dev)
{
	struct bio_name *n;

	for (size_t i = 0; i < priv->nnames; i++)
		if (priv->names[i].dev == dev)
			return &priv->names[i];
	priv->names = xreallocarray(priv->names, priv->nnames + 1, sizeof(*priv->names));
	n = &priv->names[priv->nnames++];
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
static void bio_names_refresh(struct bio_priv *priv)
{
	for (size_t i = 0; i < priv->cur.ndisks; i++) {
		struct bio_name *n = bio_name_of(priv, priv->cur.disks[i].dev);
		char path[64];

		snprintf(path, sizeof(path), BIO_SYS_BLOCK "/%u:%u", n->dev >> BIO_MINOR_BITS,
			 n->dev & BIO_MINOR_MASK);
		if (access(path, F_OK)) {
			n->gone = true;
			if (!n->named)
				n->named = bio_name_from_kernel(priv, n);
			continue;
		}
		/* A device that came back may be another one with the same numbers. */
		if (!n->named || n->gone)
			n->named = bio_name_read(n) || bio_name_from_kernel(priv, n);
		n->gone = false;
	}
}

/* out = a - b, never below zero. */
static void bio_stats_sub(struct bio_stats *out, const struct bio_stats *a,
			  const struct bio_stats *b)
{
	hist_sub(&out->lat_device, &a->lat_device, &b->lat_device);
	hist_sub(&out->lat_total, &a->lat_total, &b->lat_total);
	hist_sub(&out->size, &a->size, &b->size);
	out->ios = bio_sub(a->ios, b->ios);
	out->bytes = bio_sub(a->bytes, b->bytes);
	out->slow = bio_sub(a->slow, b->slow);
}

/* Order disks by name, then dev. */
static int bio_disk_name_cmp(const void *a, const void *b)
{
	const struct bio_disk *x = a;
	const struct bio_disk *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* Order processes by ios descending, then bytes descending, then pid and dev. */
static int bio_proc_ios_cmp(const void *a, const void *b)
{
	const struct bio_proc *x = a;
	const struct bio_proc *y = b;

	if (x->ios != y->ios)
		return x->ios > y->ios ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return bio_proc_key_cmp(a, b);
}

/*
 * Fill span with what happened between readings b and a. Every disk still present is
 * listed, so rows stay put; a vanished disk only while it has I/O in the span.
 */
static void bio_span_build(struct bio_priv *priv, struct bio_span *span,
			   const struct bio_reading *a, const struct bio_reading *b)
{
	static const struct bio_stats zero;

	bio_span_clear(span);
	span->seconds = a->at > b->at ? a->at - b->at : 0;
	span->unknown_submitter = bio_sub(a->counters[BIO_STAT_UNKNOWN_SUBMITTER],
					  b->counters[BIO_STAT_UNKNOWN_SUBMITTER]);

	if (a->ndisks)
		span->disks = xcalloc(a->ndisks, sizeof(*span->disks));
	for (size_t i = 0; i < a->ndisks; i++) {
		const struct bio_rdisk *ad = &a->disks[i];
		const struct bio_rdisk *bd = bio_reading_disk(b, ad->dev);
		struct bio_disk *d = &span->disks[span->ndisks];
		const struct bio_name *n = bio_name_of(priv, ad->dev);
		uint64_t ios = 0;

		memset(d, 0, sizeof(*d));
		d->dev = ad->dev;
		for (unsigned int op = 0; op < BIO_OP_COUNT; op++) {
			bio_stats_sub(&d->op[op], &ad->op[op], bd ? &bd->op[op] : &zero);
			ios += d->op[op].ios;
		}
		if (n->gone && !ios)
			continue;
		snprintf(d->name, sizeof(d->name), "%s", n->name);
		d->gone = n->gone;
		span->ndisks++;
	}
	if (span->ndisks)
		qsort(span->disks, span->ndisks, sizeof(*span->disks), bio_disk_name_cmp);

	for (size_t i = 0; i < a->nprocs; i++) {
		const struct bio_proc *ap = &a->procs[i];
		const struct bio_proc *bp;
		struct bio_proc *p;
		uint64_t ios;

		bp = bio_procs_find(b->procs, b->nprocs, ap->pid, ap->dev);
		ios = bio_sub(ap->ios, bp ? bp->ios : 0);
		if (!ios)
			continue;
		if (!span->procs)
			span->procs = xcalloc(a->nprocs - i, sizeof(*span->procs));
		p = &span->procs[span->nprocs++];
		*p = *ap;
		p->ios = ios;
		p->bytes = bio_sub(ap->bytes, bp ? bp->bytes : 0);
		p->lat_us_sum = bio_sub(ap->lat_us_sum, bp ? bp->lat_us_sum : 0);
	}
	if (span->nprocs)
		qsort(span->procs, span->nprocs, sizeof(*span->procs), bio_proc_ios_cmp);
}

/* Copy the cumulative counters of the last reading into c->drops. */
static void bio_drops_update(struct collector *c)
{
	struct bio_priv *priv = c->priv;
	size_t n = sizeof(bio_drop_names) / sizeof(bio_drop_names[0]);

	for (size_t i = 0; i < n; i++) {
		int idx = bio_drop_names[i].idx;

		c->drops[i].name = bio_drop_names[i].name;
		c->drops[i].count = idx < 0 ? priv->cur.recursion_misses : priv->cur.counters[idx];
	}
	c->ndrops = n;
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

/*
 * Start the cumulative span (and, when asked, the interval) from a fresh reading. Archived
 * processes that are entirely behind the new baseline are forgotten everywhere, so the archive
 * does not grow without bound.
 */
static void bio_rebase(struct bio_priv *priv, bool interval_too)
{
	struct bio_reading now;
	char why[COLLECTOR_WHY_LEN];
	size_t kept = 0;

	if (bio_read(priv, &now, false, why, sizeof(why)))
		bio_reading_copy(&now, &priv->cur);

	for (size_t i = 0; i < priv->narchive; i++) {
		const struct bio_proc *a = &priv->archive[i];
		const struct bio_proc *p = bio_procs_find(now.procs, now.nprocs, a->pid, a->dev);

		if (p && p->ios != a->ios) {
			priv->archive[kept++] = *a;
			continue;
		}
		bio_procs_remove(now.procs, &now.nprocs, a->pid, a->dev);
		bio_procs_remove(priv->cur.procs, &priv->cur.nprocs, a->pid, a->dev);
		bio_procs_remove(priv->prev.procs, &priv->prev.nprocs, a->pid, a->dev);
	}
	priv->narchive = kept;

	if (interval_too) {
		bio_reading_copy(&priv->prev, &now);
		bio_span_build(priv, &priv->model.interval, &now, &now);
	}
	bio_reading_free(&priv->base);
	priv->base = now;
	bio_span_build(priv, &priv->model.cumulative, &priv->base, &priv->base);
}

/* Detach and free everything; c->why is kept, so a failed open() can still say why. */
static void bio_close(struct collector *c)
{
	struct bio_priv *priv = c->priv;

	c->is_open = false;
	c->ndrops = 0;
	if (!priv)
		return;
	for (size_t i = 0; i < priv->nlinks; i++)
		bpf_link__destroy(priv->links[i]);
	bio_bpf__destroy(priv->skel);
	free(priv->pcpu);
	free(priv->pcpu_count);
	bio_reading_free(&priv->base);
	bio_reading_free(&priv->prev);
	bio_reading_free(&priv->cur);
	free(priv->archive);
	free(priv->names);
	bio_span_clear(&priv->model.interval);
	bio_span_clear(&priv->model.cumulative);
	free(priv);
	c->priv = NULL;
}

/* Probe the kernel, load and attach the block tracepoints, and take the first reading. */
static int bio_open(struct collector *c, const struct ktop_config *cfg)
{
	struct bio_probe probe = {0};
	struct bio_priv *priv;
	bool use_btf;
	int err;

	if (c->priv)
		bio_close(c);
	c->why[0] = '\0';
	c->mode[0] = '\0';
	if (access(BIO_BTF_PATH, R_OK)) {
		err = errno == ENOENT ? -ENOTSUP : -errno;
		if (err == -ENOTSUP)
			snprintf(c->why, sizeof(c->why),
				 "needs kernel BTF (" BIO_BTF_PATH " is missing)");
		else
			snprintf(c->why, sizeof(c->why), "bio: read " BIO_BTF_PATH ": %s",
				 strerror(-err));
		return err;
	}
	priv = xcalloc(1, sizeof(*priv));
	c->priv = priv;

	err = bio_probe_btf(&probe, c->why, sizeof(c->why));
	if (err)
		goto out_close;
	priv->ncpus = libbpf_num_possible_cpus();
	if (priv->ncpus <= 0) {
		err = priv->ncpus < 0 ? priv->ncpus : -EINVAL;
		snprintf(c->why, sizeof(c->why), "bio: count possible CPUs: %s", strerror(-err));
		goto out_close;
	}
	priv->pcpu = xcalloc((size_t)priv->ncpus, sizeof(*priv->pcpu));
	priv->pcpu_count = xcalloc((size_t)priv->ncpus, sizeof(*priv->pcpu_count));

	use_btf = probe.tp_btf;
	err = bio_load(priv, &probe, use_btf, c->why, sizeof(c->why));
	if (err && use_btf && err != -EPERM && err != -EACCES) {
		/* tp_btf can still be refused where raw_tp works (no BTF-typed attach). */
		bio_bpf__destroy(priv->skel);
		priv->skel = NULL;
		use_btf = false;
		err = bio_load(priv, &probe, use_btf, c->why, sizeof(c->why));
	}
	if (err)
		goto out_close;
	err = bio_attach(priv, use_btf, c->why, sizeof(c->why));
	if (err)
		goto out_close;
	snprintf(c->mode, sizeof(c->mode), "%s", use_btf ? "tp_btf" : "raw_tp");

	priv->slow_us = cfg ? cfg->bio_slow_us : 0;
	priv->skel->bss->slow_ns = bio_slow_ns(priv->slow_us);
	priv->model.slow_us = priv->slow_us;

	err = bio_read(priv, &priv->cur, false, c->why, sizeof(c->why));
	if (err)
		goto out_close;
	bio_reading_copy(&priv->prev, &priv->cur);
	bio_reading_copy(&priv->base, &priv->cur);
	bio_names_refresh(priv);
	bio_span_build(priv, &priv->model.interval, &priv->cur, &priv->prev);
	bio_span_build(priv, &priv->model.cumulative, &priv->cur, &priv->base);
	bio_drops_update(c);
	c->is_open = true;
	return 0;

out_close:
	bio_close(c);
	c->mode[0] = '\0';
	return err;
}

/* Read the maps and turn this interval and the time since open/reset into the model. */
static int bio_poll(struct collector *c)
{
	struct bio_priv *priv = c->priv;
	struct bio_reading now;
	int err;

	if (!priv || !priv->skel) {
		snprintf(c->why, sizeof(c->why), "bio: not open");
		return -EBADF;
	}
	err = bio_read(priv, &now, true, c->why, sizeof(c->why));
	if (err)
		return err;
	bio_reading_free(&priv->prev);
	priv->prev = priv->cur;
	priv->cur = now;
	bio_names_refresh(priv);
	bio_span_build(priv, &priv->model.interval, &priv->cur, &priv->prev);
	bio_span_build(priv, &priv->model.cumulative, &priv->cur, &priv->base);
	priv->model.polls++;
	bio_drops_update(c);
	c->why[0] = '\0';
	return 0;
}

/* Order PIDs. */
static int bio_pid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Replace the kernel's PID set; filtering is off while the map changes. */
static int bio_set_pids(struct bio_priv *priv, const uint32_t *pids, size_t npids, char *why,
			size_t why_len)
{
	int fd = bpf_map__fd(priv->skel->maps.bio_pids);
	__u32 keys[BIO_PIDS_MAX];
	__u32 key, next;
	size_t nkeys = 0;
	__u8 one = 1;
	int err;

	priv->skel->bss->filter_pids = 0;
	for (err = bpf_map_get_next_key(fd, NULL, &next); !err && nkeys < BIO_PIDS_MAX;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		keys[nkeys++] = key;
	}
	for (size_t i = 0; i < nkeys; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	for (size_t i = 0; i < npids; i++) {
		err = bpf_map_update_elem(fd, &pids[i], &one, BPF_ANY);
		if (err) {
			snprintf(why, why_len, "bio: update the PID filter: %s", strerror(-err));
			return err;
		}
	}
	priv->skel->bss->filter_pids = npids > 0;
	return 0;
}

/*
 * Apply the PID set and the slow threshold live. A change starts the spans again, since
 * figures counted under different settings cannot be told apart.
 */
static int bio_configure(struct collector *c, const struct filter *f)
{
	struct bio_priv *priv = c->priv;
	uint32_t pids[KTOP_MAX_PIDS];
	size_t npids;
	bool changed = false;
	int err;

	if (!priv || !priv->skel) {
		snprintf(c->why, sizeof(c->why), "bio: not open");
		return -EBADF;
	}
	npids = f->npids < KTOP_MAX_PIDS ? f->npids : KTOP_MAX_PIDS;
	memcpy(pids, f->pids, npids * sizeof(*pids));
	if (npids)
		qsort(pids, npids, sizeof(*pids), bio_pid_cmp);

	if (npids != priv->npids || memcmp(pids, priv->pids, npids * sizeof(*pids))) {
		err = bio_set_pids(priv, pids, npids, c->why, sizeof(c->why));
		if (err) {
			priv->npids = 0;
			priv->model.pid_filtered = false;
			bio_rebase(priv, true);
			return err;
		}
		memcpy(priv->pids, pids, npids * sizeof(*pids));
		priv->npids = npids;
		changed = true;
	}
	if (f->bio_slow_us != priv->slow_us) {
		priv->slow_us = f->bio_slow_us;
		priv->skel->bss->slow_ns = bio_slow_ns(priv->slow_us);
		changed = true;
	}
	priv->model.pid_filtered = priv->npids > 0;
	priv->model.slow_us = priv->slow_us;
	if (changed)
		bio_rebase(priv, true);
	return 0;
}

/* Start the cumulative figures again from now. */
static void bio_reset(struct collector *c)
{
	struct bio_priv *priv = c->priv;

	if (priv && priv->skel)
		bio_rebase(priv, false);
}

/* A deep copy of the live model for the caller. */
static void *bio_snapshot(const struct collector *c)
{
	const struct bio_priv *priv = c->priv;

	return priv ? bio_model_dup(&priv->model) : NULL;
}

/* Free a snapshot. */
static void bio_model_release(void *model)
{
	bio_model_free(model);
}

const struct collector_ops bio_collector_ops = {
	.name = "bio",
	.open = bio_open,
	.poll = bio_poll,
	.configure = bio_configure,
	.reset = bio_reset,
	.snapshot = bio_snapshot,
	.model_free = bio_model_release,
	.close = bio_close,
};
