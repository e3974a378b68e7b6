// SPDX-License-Identifier: GPL-2.0
/*
 * Copied user stacks to unwound call chains. Records are unwound as they are read, since the
 * process may exit soon after, and kept (thread, kernel stack id, amount, call addresses)
 * until the collector's poll adds them to its interval.
 */
#include "collectors/ustack_reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include <bpf/libbpf.h>

#include "collectors/bpf_common.h"
#include "collectors/collector.h"
#include "collectors/uframe_source.h"
#include "symbols/unwind.h"
#include "util/hash.h"
#include "util/pid_marks.h"
#include "util/xalloc.h"
#include "bpf/ustack.h"

_Static_assert(USTACK_NREGS == UNWIND_NREGS, "bpf/ustack.h and symbols/unwind.h disagree");

#define READER_DEPTH 127 /* user frames kept, as many as a frame-pointer stack holds */
#define READER_REUSE 1024 /* whole stacks kept for reuse, by (thread, frame-pointer stack) */
#define READER_RING_MIN (256 * 1024) /* the smallest ring buffer sized from a rate */
#define READER_RING_LAG_MS 500	     /* what a ring holds: this long of copies at full rate */
#define READER_RING_HDR 8	     /* the kernel's header before each ring buffer record */

/* A whole stack unwound for a thread's block at a frame-pointer stack, to stand in for it. */
struct reader_reuse {
	uint32_t tgid; /* 0: empty */
	uint32_t tid;
	uint64_t fp; /* the frame-pointer stack (reader_fp_key) */
	uint32_t nuf;
	struct stack_collect_uframe *uf;
};

/* One unwound stack, waiting for the next poll. */
struct reader_entry {
	struct stack_collect_key key;
	uint64_t amount;
	uint64_t ts_ns; /* when BPF sent it */
	char comm[USTACK_COMM_LEN];
	size_t first; /* its frames: uf[first .. first + nuf), innermost first */
	uint32_t nuf;
	const char *mark; /* what ends the chain when it is not whole, or NULL */
};

struct ustack_reader {
	int map_fd;
	struct ring_buffer *shared_rb; /* the collector's, to add the map to at the start */
	struct ring_buffer *rb;	       /* NULL until started: the ring is not mapped */
	bool own_rb;
	struct unwind_cache *uc;
	struct unwind_cache *own_uc;  /* when none was lent */
	struct uframe_source *source; /* inlined calls and source lines of the frames */
	struct reader_entry *entries;
	size_t nentries;
	size_t entries_cap;
	struct reader_entry *held; /* scratch for ustack_reader_cut */
	size_t held_cap;
	size_t nready; /* entries[0, nready) are within the cut */
	bool cut;      /* nready holds; else every entry is */
	struct stack_collect_uframe *uf;
	size_t nuf;
	size_t uf_cap;
	uint64_t scratch[READER_DEPTH];
	struct stack_collect_uframe expanded[READER_DEPTH];
	struct reader_reuse *reuse; /* READER_REUSE slots, direct-mapped; NULL until one is kept */
	struct pid_marks reuse_pids; /* of the slots kept */
	struct stack_collect *st;   /* borrowed: frame-pointer stacks by content, or NULL */
	struct ustack_reader_stats stats;
};

/*
 * What stands for frame-pointer stack id (a fallback's cause bits ignored) in a reuse slot:
 * the hash of its addresses when the stacks are known (ids may be deleted and taken again by
 * another stack, and one stack has an id in each of two maps), else the id. False: none.
 */
static bool reader_fp_key(struct ustack_reader *r, int32_t id, uint64_t *fp)
{
	if (id < 0)
		return false;
	id &= ((1 << USTACK_FB_SHIFT) - 1) | STACK_COLLECT_GEN1;
	if (r->st)
		return stack_collect_stack_hash(r->st, id, fp);
	*fp = (uint32_t)id;
	return true;
}

/* The reuse slot of (tgid, tid, fp). */
static struct reader_reuse *reader_reuse_slot(struct ustack_reader *r, uint32_t tgid,
					      uint32_t tid, uint64_t fp)
{
	uint64_t h = hash_mix64(((uint64_t)tgid << 32 | tid) ^ hash_mix64(fp));

	if (!r->reuse)
		r->reuse = xcalloc(READER_REUSE, sizeof(*r->reuse));
	return &r->reuse[h % READER_REUSE];
}

/* Keep a whole stack (expanded frames) unwound for a block at frame-pointer stack ustack. */
static void reader_reuse_keep(struct ustack_reader *r, const struct ustack_rec *rec,
			      const struct stack_collect_uframe *uf, uint32_t nuf)
{
	struct reader_reuse *e;
	uint64_t fp;

	if (!nuf || !reader_fp_key(r, rec->ustack, &fp))
		return;
	e = reader_reuse_slot(r, rec->tgid, rec->tid, fp);
	if (e->nuf < nuf) {
		free(e->uf);
		e->uf = xreallocarray(NULL, nuf, sizeof(*e->uf));
	}
	e->tgid = rec->tgid;
	e->tid = rec->tid;
	e->fp = fp;
	pid_marks_add(&r->reuse_pids, rec->tgid);
	e->nuf = nuf;
	if (nuf)
		memcpy(e->uf, uf, nuf * sizeof(*uf));
}

/* Forget the stacks kept for reuse of one process (0: all). */
static void reader_reuse_forget(struct ustack_reader *r, uint32_t tgid)
{
	if (tgid && !pid_marks_may(&r->reuse_pids, tgid))
		return;
	for (size_t i = 0; r->reuse && i < READER_REUSE; i++)
		if (!tgid || r->reuse[i].tgid == tgid)
			r->reuse[i].tgid = 0;
}

void ustack_reader_set_stacks(struct ustack_reader *r, struct stack_collect *st)
{
	r->st = st;
}

bool ustack_reader_reuse(struct ustack_reader *r, const struct stack_collect_key *k,
			 const struct stack_collect_uframe **uf, uint32_t *nuf)
{
	struct reader_reuse *e;
	uint64_t fp;

	/* Only a fallback: its id carries the cause. */
	if (!r->reuse || k->ustack < 0 || !(k->ustack & (3 << USTACK_FB_SHIFT)) ||
	    !reader_fp_key(r, k->ustack, &fp))
		return false;
	e = reader_reuse_slot(r, k->tgid, k->tid, fp);
	if (e->tgid != k->tgid || e->tid != k->tid || e->fp != fp)
		return false;
	*uf = e->uf;
	*nuf = e->nuf;
	r->stats.reused++;
	return true;
}

/* "[truncated: 16 KiB]" for a copy of size bytes: one string per size, for the run. */
static const char *reader_cut_mark(uint32_t size)
{
	static char marks[USTACK_PAGES_MAX + 1][32];
	uint32_t pages = size / USTACK_PAGE;

	if (pages > USTACK_PAGES_MAX)
		return "[truncated]";
	if (!marks[pages][0])
		snprintf(marks[pages], sizeof(marks[pages]), "[truncated: %u KiB]", size / 1024);
	return marks[pages];
}

/* What ends a chain that stopped for end: NULL when it is whole. */
static const char *reader_mark(struct ustack_reader *r, enum unwind_end end, size_t n,
			       uint32_t size)
{
	switch (end) {
	case UNWIND_END_OUTERMOST:
		return NULL;
	case UNWIND_END_CUT:
		r->stats.cut++;
		return reader_cut_mark(size);
	case UNWIND_END_DEPTH:
		return "[truncated]";
	case UNWIND_END_ERROR:
	default:
		if (!n) {
			r->stats.failed++;
			return "[stack not unwound]";
		}
		r->stats.incomplete++;
		return "[unwinding stopped]";
	}
}

/* Keep one unwound stack (n call addresses in scratch) for the next flush. */
static void reader_keep(struct ustack_reader *r, const struct ustack_rec *rec, size_t n,
			const char *mark)
{
	struct reader_entry *e;
	size_t nuf = 0, i;

	for (i = 0; i < n && nuf < READER_DEPTH; i++)
		nuf += uframe_source_expand(r->source, rec->tgid, r->scratch[i], r->expanded + nuf,
					    READER_DEPTH - nuf);
	/* Inlined calls made the chain longer than the frames kept: its outer end is cut. */
	if (i < n)
		mark = "[truncated]";
	if (r->nentries == r->entries_cap) {
		r->entries_cap = r->entries_cap ? 2 * r->entries_cap : 64;
		r->entries = xreallocarray(r->entries, r->entries_cap, sizeof(*r->entries));
	}
	if (r->nuf + nuf > r->uf_cap) {
		while (r->nuf + nuf > r->uf_cap)
			r->uf_cap = r->uf_cap ? 2 * r->uf_cap : 1024;
		r->uf = xreallocarray(r->uf, r->uf_cap, sizeof(*r->uf));
	}
	e = &r->entries[r->nentries++];
	e->key = (struct stack_collect_key){
		.tgid = rec->tgid,
		.tid = rec->tid,
		.kstack = rec->kstack,
		.ustack = STACK_COLLECT_NONE,
	};
	e->amount = rec->amount;
	e->ts_ns = rec->ts_ns;
	memcpy(e->comm, rec->comm, sizeof(e->comm));
	e->first = r->nuf;
	e->nuf = (uint32_t)nuf;
	e->mark = mark;
	if (nuf) /* no frames: the buffers may not exist yet */
		memcpy(r->uf + r->nuf, r->expanded, nuf * sizeof(*r->uf));
	r->nuf += nuf;
	if (!mark)
		reader_reuse_keep(r, rec, r->expanded, (uint32_t)nuf);
}

/* One record from the kernel: unwind its stack now, while its process most likely lives. */
static int reader_on_record(void *ctx, void *data, size_t size)
{
	struct ustack_reader *r = ctx;
	const struct ustack_rec *rec = data;
	struct unwind_sample s;
	enum unwind_end end;
	char why[256];
	size_t n;

	if (size < sizeof(*rec))
		return 0;
	s = (struct unwind_sample){
		.pid = rec->tgid,
		.tid = rec->tid,
		.regs = (const uint64_t *)rec->regs,
		.stack_base = rec->base,
		.stack = rec->data,
		.stack_len = rec->len <= size - sizeof(*rec) ? rec->len : size - sizeof(*rec),
		.stack_cut = rec->flags & USTACK_F_CUT,
		.fix_addr = (const uint64_t *)rec->ret_slot,
		.fix_value = (const uint64_t *)rec->ret_addr,
		.nfix = rec->nretprobes <= USTACK_RETPROBES_MAX ? rec->nretprobes : 0,
	};
	r->stats.records++;
	n = unwind_stack(r->uc, &s, r->scratch, READER_DEPTH, &end, why, sizeof(why));
	r->stats.frames += n;
	reader_keep(r, rec, n, reader_mark(r, end, n, rec->size));
	return 0;
}

struct ustack_reader *ustack_reader_new(int map_fd, struct ring_buffer *rb, struct sym_cache *sc,
					struct unwind_cache *uc)
{
	struct ustack_reader *r = xcalloc(1, sizeof(*r));

	r->map_fd = map_fd;
	r->shared_rb = rb;
	r->uc = uc;
	if (!uc)
		r->uc = r->own_uc = unwind_cache_new(sc);
	r->source = uframe_source_new(r->uc);
	return r;
}

int ustack_reader_start(struct ustack_reader *r, char *why, size_t why_len)
{
	int err;

	if (r->rb)
		return 0;
	if (r->shared_rb) {
		err = ring_buffer__add(r->shared_rb, r->map_fd, reader_on_record, r);
		if (err) {
			snprintf(why, why_len, "read the user stack ring buffer: %s",
				 strerror(-err));
			return err;
		}
		r->rb = r->shared_rb;
		return 0;
	}
	r->rb = ring_buffer__new(r->map_fd, reader_on_record, r, NULL);
	if (!r->rb) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, why_len, "open the user stack ring buffer: %s", strerror(-err));
		return err;
	}
	r->own_rb = true;
	return 0;
}

void ustack_reader_free(struct ustack_reader *r)
{
	if (!r)
		return;
	if (r->own_rb)
		ring_buffer__free(r->rb);
	uframe_source_free(r->source);
	unwind_cache_free(r->own_uc);
	for (size_t i = 0; r->reuse && i < READER_REUSE; i++)
		free(r->reuse[i].uf);
	free(r->reuse);
	free(r->entries);
	free(r->held);
	free(r->uf);
	free(r);
}

int ustack_reader_epoll_fd(const struct ustack_reader *r)
{
	return r->own_rb ? ring_buffer__epoll_fd(r->rb) : -1;
}

bool ustack_reader_started(const struct ustack_reader *r)
{
	return r->rb != NULL;
}

int ustack_reader_consume(struct ustack_reader *r)
{
	int n;

	if (!r->own_rb)
		return 0;
	n = ring_buffer__consume(r->rb);
	return n < 0 ? n : 0;
}

void ustack_reader_cut(struct ustack_reader *r, uint64_t cut_ns)
{
	size_t nheld = 0;

	if (r->held_cap < r->nentries) {
		r->held_cap = r->nentries;
		r->held = xreallocarray(r->held, r->held_cap, sizeof(*r->held));
	}
	r->nready = 0;
	for (size_t i = 0; i < r->nentries; i++) {
		if (r->entries[i].ts_ns <= cut_ns)
			r->entries[r->nready++] = r->entries[i];
		else
			r->held[nheld++] = r->entries[i];
	}
	if (nheld) /* entries and held are NULL before the first copy */
		memcpy(r->entries + r->nready, r->held, nheld * sizeof(*r->held));
	r->cut = true;
}

void ustack_reader_flush(struct ustack_reader *r, struct stack_collect *st, bool cumulative)
{
	size_t n = ustack_reader_count(r);
	size_t nheld = 0, nuf = 0;

	for (size_t i = 0; i < n; i++) {
		const struct reader_entry *e = &r->entries[i];

		stack_collect_add_unwound(st, &e->key, r->uf + e->first, e->nuf, e->mark, e->comm,
					  sizeof(e->comm), e->amount, 1, cumulative);
	}
	/* Stacks sent after the cut wait for the next interval; their frames move up, in order. */
	for (size_t i = n; i < r->nentries; i++) {
		struct reader_entry *e = &r->entries[nheld++];

		*e = r->entries[i];
		if (e->nuf)
			memmove(r->uf + nuf, r->uf + e->first, e->nuf * sizeof(*r->uf));
		e->first = nuf;
		nuf += e->nuf;
	}
	r->nentries = nheld;
	r->nuf = nuf;
	r->cut = false;
	/* Once an interval: debug files no stack needed lately are closed. */
	unwind_release(r->uc, UNWIND_SOURCE_IDLE_NS);
}

size_t ustack_reader_count(const struct ustack_reader *r)
{
	return r->cut ? r->nready : r->nentries;
}

const struct stack_collect_key *ustack_reader_entry(const struct ustack_reader *r, size_t i,
						    const char **comm, uint64_t *amount)
{
	*comm = r->entries[i].comm;
	*amount = r->entries[i].amount;
	return &r->entries[i].key;
}

void ustack_reader_discard(struct ustack_reader *r)
{
	r->nentries = 0;
	r->nuf = 0;
	r->cut = false;
}

void ustack_reader_exec(struct ustack_reader *r, uint32_t tgid)
{
	unwind_forget(r->uc, tgid);
	uframe_source_forget(r->source, tgid);
	reader_reuse_forget(r, tgid);
}

void ustack_reader_stats(const struct ustack_reader *r, struct ustack_reader_stats *out)
{
	*out = r->stats;
}

void ustack_reader_drops(const struct ustack_reader *r, struct collector *c)
{
	const struct collector_drop mine[] = {
		{ "stacks not unwound", r->stats.failed },
		{ "unwinding stopped short", r->stats.incomplete },
	};

	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
		if (c->ndrops < COLLECTOR_MAX_DROPS)
			c->drops[c->ndrops++] = mine[i];
}

uint32_t ustack_reader_kib(const struct ktop_config *cfg)
{
	return cfg && cfg->ustack_kib ? cfg->ustack_kib : USTACK_PAGES_DEFAULT * USTACK_PAGE / 1024;
}

uint32_t ustack_reader_ring_bytes(uint32_t kib, uint32_t rate, int ncpus)
{
	/* A record reserves a page more than it copies: the copy starts at the sp's page. */
	uint64_t rec = sizeof(struct ustack_rec) + ((uint64_t)kib * 1024 / USTACK_PAGE + 1) *
		       USTACK_PAGE + READER_RING_HDR;
	uint64_t want = rec * rate * (uint64_t)(ncpus > 0 ? ncpus : 1) * READER_RING_LAG_MS / 1000;
	uint32_t bytes = READER_RING_MIN;

	while (bytes < want && bytes < USTACK_RING_SIZE)
		bytes *= 2;
	return bytes;
}

bool ustack_reader_can_copy(void)
{
	return unwind_supported() && bpf_common_has_task_pt_regs();
}

void ustack_reader_describe(char *out, size_t len, bool dwarf, uint32_t kib, bool automatic)
{
	const char *how = automatic ? " (auto)" : "";

	if (dwarf)
		snprintf(out, len, "dwarf, %u KiB%s", kib, how);
	else
		snprintf(out, len, "frame pointers%s", how);
}
