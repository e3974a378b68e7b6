// SPDX-License-Identifier: GPL-2.0
/*
 * Drained stack-map records to samples. Each distinct (thread, frames) is an identity, found
 * from its kernel key (tgid, tid, stack ids) or, for a new key, by symbolizing and hashing its
 * frames; identities sum the collector's amount for the interval and overall, and become
 * samples at the end of each poll. Identities live until a reset, so the cumulative set grows
 * with new stacks, not with polls.
 *
 * An identity's names and frames are interned once in the aggregator's store, which the
 * interval and cumulative sets (and every snapshot of them) share: frames built for a key are
 * interned (collect_frames_intern) before they are hashed or compared, so that equal names are
 * one pointer. A reset starts a new store; snapshots keep the old one alive while they need it.
 *
 * With a bound on identities (stack_collect_set_max), an interval that ends over it merges the
 * smallest identities it did not touch into one "older stacks" identity, which keeps their
 * time, and moves the rest into a new store: memory follows the bound, not the run's length.
 */
#include "collectors/stack_collect.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "collectors/collector.h"
#include "util/escape.h"
#include "util/hash.h"
#include "util/xalloc.h"

#define COLLECT_PROCS_MAX 16384 /* processes remembered before the table starts again */
#define COLLECT_NAME_LEN  72	/* an escaped comm: 16 bytes, each "\xNN" at worst */

/* Kernel frames of a probe (ktop's or another tracer's), not the thread's work or wait. */
static const char *const collect_probe_prefixes[] = {
	"bpf_prog_",
	"bpf_trace_run",
	"__bpf_trace_",
	"__traceiter_",
	"bpf_get_stack",
	"__bpf_get_stack",
	"bpf_dispatcher",
	"__bpf_prog_enter",
	"__bpf_prog_exit",
	"perf_trace_",
	"trace_call_bpf",
	/* a perf_event program's own sample, interrupted by another's */
	"bpf_overflow_handler",
	"__perf_event_overflow",
};

/* A kernel stack, symbolized once: an id names the same stack for the whole run. */
struct collect_kstack {
	struct stack_frame *frames; /* outermost first, probe frames removed */
	uint32_t nframes;
	bool done;
};

/* What is known of a process. */
struct collect_proc {
	uint32_t tgid;
	bool used;
	bool noted;		      /* its maps were handed to the symbolizer */
	bool named;		      /* pcomm was read from /proc */
	uint32_t gen;		      /* new at its first sight and at each exec */
	char pcomm[COLLECT_NAME_LEN]; /* escaped */
};

/*
 * A user stack id of one process image, already named: the user frames at the start of an
 * identity's frames in the store. Threads of a pool block in the same user stack under many
 * keys (each thread, each kernel path); a new key reads and names it only once.
 */
struct collect_ustack {
	uint32_t tgid;
	uint32_t gen; /* of the process image: ids of an exec'd process name other code */
	int32_t id;
	uint32_t n;			  /* user frames (a mark included) */
	const struct stack_frame *frames; /* NULL: a free slot */
};

/* One thread in one symbolized stack. */
struct collect_ident {
	struct stack_sample s; /* pid, tid, comm, pcomm, frames (in the store); no value, count */
	uint64_t hash;	       /* of pid, tid and frames */
	uint64_t int_amount;   /* this interval, in the collector's unit */
	uint64_t int_count;
	uint64_t cum_amount; /* since the last reset */
	uint64_t cum_count;
	size_t cum_idx; /* its sample in the cumulative set, if in_cum */
	bool in_cum;
	bool touched;	  /* in this interval */
	bool cum_touched; /* its cumulative figures changed in this interval */
};

/* Kernel key -> identity. */
struct collect_keyslot {
	struct stack_collect_key key;
	uint32_t id;
	bool used;
};

/* A name as the symbolizer (or a literal) gave it -> the same text interned in the store. */
struct collect_nameslot {
	const char *from;
	const char *interned;
};

/*
 * A frames array kept in the store, found again by its content: threads and processes that
 * run the same code share one (a server's workers, a fork storm).
 */
struct collect_frameslot {
	uint64_t hash;
	const struct stack_frame *frames; /* NULL: a free slot */
	uint32_t n;
};

/* Identity hash -> identity. */
struct collect_idslot {
	uint64_t hash;
	uint32_t id;
	bool used;
};

struct stack_collect {
	struct sym_cache *sc;
	struct stack_collect_map map;
	struct stack_collect_scale scale;
	struct stack_set *interval;
	struct stack_set *cumulative;
	struct stack_store *store; /* the identities' names and frames, shared with the sets */
	struct collect_nameslot *names;
	size_t names_cap; /* a power of two, or 0 */
	size_t nnames;
	struct collect_frameslot *fslots;
	size_t fslots_cap; /* a power of two, or 0 */
	size_t nfslots;
	uint64_t *addrs;	    /* one stack map value: map.depth addresses */
	struct sym_frame *symf;	    /* map.depth names of one kernel stack */
	struct stack_frame *frames; /* one built stack: 2 * map.depth + 4 */

	struct collect_kstack *kstacks; /* by id */
	struct collect_ustack *ustacks;
	size_t ustacks_cap; /* a power of two, or 0 */
	size_t nustacks;
	uint32_t gen_next;

	struct collect_proc *procs;
	size_t procs_cap; /* a power of two */
	size_t nprocs;

	struct collect_ident *idents;
	size_t nidents;
	size_t idents_cap;
	struct collect_keyslot *keys;
	size_t keys_cap; /* a power of two, or 0 */
	size_t nkeys;
	struct collect_idslot *ids;
	size_t ids_cap; /* a power of two, or 0 */

	uint32_t *touched; /* identities added to in this interval */
	size_t ntouched;
	size_t touched_cap;

	size_t max_idents; /* 0: no bound */
	int64_t older;	   /* the identity older stacks are merged into, or -1 */
	uint64_t merged;   /* identities merged into it since the last reset */
};

/* What collect_frames_build put in st->frames for a key. */
struct collect_built {
	uint32_t n;	   /* frames */
	uint32_t interned; /* at the start, already interned (user frames named before) */
	uint32_t nuser;	   /* user frames read from the map now, to remember (0: none) */
	uint32_t gen;	   /* the key's process image */
};

_Static_assert(sizeof(struct stack_collect_key) == 16, "stack_collect_key has padding");

/* The hash of a kernel key. */
static uint64_t collect_key_hash(const struct stack_collect_key *k)
{
	uint64_t a = (uint64_t)k->tgid << 32 | k->tid;
	uint64_t b = (uint64_t)(uint32_t)k->kstack << 32 | (uint32_t)k->ustack;

	return hash_mix64(a ^ hash_mix64(b));
}

/* The hash of a frames array whose names are interned (pointers stand for their text). */
static uint64_t collect_frames_hash(const struct stack_frame *f, uint32_t n)
{
	uint64_t h = n;

	for (uint32_t i = 0; i < n; i++)
		h = hash_mix64(h ^ (uint64_t)(uintptr_t)f[i].name ^ (uint64_t)f[i].kind << 56 ^
			       (uint64_t)(uintptr_t)f[i].src * 31);
	return h;
}

/* The hash of a sample's identity: process and thread, and its frames' hash. */
static uint64_t collect_ident_hash(uint64_t frames_hash, const struct stack_sample *s)
{
	return hash_mix64(frames_hash ^ hash_mix64((uint64_t)s->pid << 32 | s->tid));
}

/* Whether two samples are the same thread in the same frames (names interned: pointers). */
static bool collect_ident_is_same(const struct stack_sample *a, const struct stack_sample *b)
{
	if (a->pid != b->pid || a->tid != b->tid || a->nframes != b->nframes)
		return false;
	for (uint32_t i = 0; i < a->nframes; i++) {
		const struct stack_frame *x = &a->frames[i];
		const struct stack_frame *y = &b->frames[i];

		if (x->kind != y->kind || x->name != y->name || x->src != y->src)
			return false;
	}
	return true;
}

/* The slot of name pointer from in a name table of cap slots: its entry or an empty one. */
static struct collect_nameslot *collect_name_slot(struct collect_nameslot *names, size_t cap,
						  const char *from)
{
	size_t i = hash_mix64((uint64_t)(uintptr_t)from) & (cap - 1);

	while (names[i].from && names[i].from != from)
		i = (i + 1) & (cap - 1);
	return &names[i];
}

/*
 * A name interned in the store, by its pointer: the symbolizer's names (and literals) live as
 * long as the aggregator, so a pointer seen once is not hashed again.
 */
static const char *collect_name_intern(struct stack_collect *st, const char *from)
{
	struct collect_nameslot *slot;

	if (2 * (st->nnames + 1) > st->names_cap) {
		size_t cap = st->names_cap ? 2 * st->names_cap : 1024;
		struct collect_nameslot *names = xcalloc(cap, sizeof(*names));

		for (size_t i = 0; i < st->names_cap; i++)
			if (st->names[i].from)
				*collect_name_slot(names, cap, st->names[i].from) = st->names[i];
		free(st->names);
		st->names = names;
		st->names_cap = cap;
	}
	slot = collect_name_slot(st->names, st->names_cap, from);
	if (!slot->from) {
		slot->from = from;
		slot->interned = stack_store_name(st->store, from);
		st->nnames++;
	}
	return slot->interned;
}

/* Replace the names of n frames (the symbolizer's or literals) by interned ones. */
static void collect_frames_intern(struct stack_collect *st, struct stack_frame *frames, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		frames[i].name = collect_name_intern(st, frames[i].name);
		if (frames[i].src)
			frames[i].src = collect_name_intern(st, frames[i].src);
	}
}

/* The table slot of tgid: its entry, or the empty slot where it goes. */
static struct collect_proc *collect_proc_slot(struct stack_collect *st, uint32_t tgid)
{
	size_t mask = st->procs_cap - 1;
	size_t i = hash_mix64(tgid) & mask;

	while (st->procs[i].used && st->procs[i].tgid != tgid)
		i = (i + 1) & mask;
	return &st->procs[i];
}

/* The entry of tgid, created if needed; the table starts again when it holds too many. */
static struct collect_proc *collect_proc_get(struct stack_collect *st, uint32_t tgid)
{
	struct collect_proc *p;

	if (!st->procs || st->nprocs >= COLLECT_PROCS_MAX) {
		free(st->procs);
		st->procs_cap = 64;
		st->procs = xcalloc(st->procs_cap, sizeof(*st->procs));
		st->nprocs = 0;
	} else if (2 * (st->nprocs + 1) > st->procs_cap) {
		struct collect_proc *old = st->procs;
		size_t old_cap = st->procs_cap;

		st->procs_cap *= 2;
		st->procs = xcalloc(st->procs_cap, sizeof(*st->procs));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].used)
				*collect_proc_slot(st, old[i].tgid) = old[i];
		free(old);
	}
	p = collect_proc_slot(st, tgid);
	if (!p->used) {
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->tgid = tgid;
		p->gen = st->gen_next++;
		st->nprocs++;
	}
	return p;
}

/* Read a process's name from /proc/PID/comm, escaped; false if it is gone. */
static bool collect_proc_read_name(uint32_t tgid, char *out, size_t out_len)
{
	char path[32];
	char buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/comm", tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	if (buf[n - 1] == '\n')
		n--;
	escape_text(out, out_len, buf, (size_t)n);
	return true;
}

/* Hand a process to the symbolizer the first time it is seen. */
void stack_collect_note(struct stack_collect *st, uint32_t tgid)
{
	struct collect_proc *p = collect_proc_get(st, tgid);

	if (p->noted)
		return;
	/* Once, even if it failed: a process that is gone stays gone. */
	p->noted = true;
	sym_process_note(st->sc, tgid);
}

/* After exec: the symbolizer forgets the old maps, and the name is read again. */
void stack_collect_exec(struct stack_collect *st, uint32_t tgid)
{
	struct collect_proc *p = collect_proc_get(st, tgid);

	p->noted = false;
	p->named = false;
	p->gen = st->gen_next++;
	sym_process_forget(st->sc, tgid);
}

/* Whether a kernel frame name belongs to ktop's own probe. */
static bool collect_is_probe_frame(const char *name)
{
	size_t n = sizeof(collect_probe_prefixes) / sizeof(collect_probe_prefixes[0]);

	for (size_t i = 0; i < n; i++)
		if (!strncmp(name, collect_probe_prefixes[i], strlen(collect_probe_prefixes[i])))
			return true;
	return false;
}

/* The frame kind of a symbolizer result. */
static enum stack_frame_kind collect_frame_kind(const struct sym_frame *f)
{
	switch (f->kind) {
	case SYM_KERNEL:
		return STACK_FRAME_KERNEL;
	case SYM_USER:
		return STACK_FRAME_USER;
	default:
		return STACK_FRAME_UNKNOWN;
	}
}

/* How many addresses the stack map value in st->addrs holds (it ends at the first zero). */
static uint32_t collect_depth(const struct stack_collect *st)
{
	uint32_t n = 0;

	while (n < st->map.depth && st->addrs[n])
		n++;
	return n;
}

/*
 * The address to name for entry i of a stack: past the innermost, entries are return
 * addresses, which may already be in the next function after a call that never returns.
 */
static uint64_t collect_call_addr(const uint64_t *addrs, uint32_t i)
{
	return i ? addrs[i] - 1 : addrs[i];
}

/* Read and name kernel stack id once, without the probe's own innermost frames. */
static const struct collect_kstack *collect_kstack_get(struct stack_collect *st, uint32_t id)
{
	struct collect_kstack *ks = &st->kstacks[id];
	struct sym_frame *f = st->symf;
	uint32_t depth = st->map.depth;
	uint32_t n, keep = 0;

	if (ks->done)
		return ks;
	if (bpf_map_lookup_elem(st->map.fd, &id, st->addrs))
		return NULL; /* cannot happen for an id the kernel handed out: not cached */
	ks->done = true;
	n = collect_depth(st);
	for (uint32_t i = 0; i < n; i++)
		sym_kernel(st->sc, collect_call_addr(st->addrs, i), &f[i]);
	/*
	 * Drop everything up to the outermost probe frame: what runs inside a BPF program (its
	 * helpers, a copy of user memory, the JIT's unnamed frames) is the probe's work, and a
	 * sample may land there, not only in the program itself.
	 */
	for (uint32_t i = 0; i < n; i++)
		if (f[i].kind != SYM_UNKNOWN && collect_is_probe_frame(f[i].name))
			keep = i + 1;
	/* A stack as deep as the map holds may have lost its outermost frames. */
	ks->nframes = n - keep + (n == depth);
	ks->frames = xcalloc(ks->nframes ? ks->nframes : 1, sizeof(*ks->frames));
	if (n == depth)
		ks->frames[0] = (struct stack_frame){ "[truncated]", STACK_FRAME_MARK };
	for (uint32_t i = n, j = n == depth; i-- > keep; j++)
		ks->frames[j] = (struct stack_frame){ f[i].name, collect_frame_kind(&f[i]) };
	return ks;
}

/* Append a mark frame. */
static void collect_mark(struct stack_frame *frames, uint32_t *n, const char *what)
{
	frames[(*n)++] = (struct stack_frame){ what, STACK_FRAME_MARK };
}

/* Append a key's kernel frames to the n frames in st->frames; the new count. */
static uint32_t collect_kernel_frames(struct stack_collect *st, const struct stack_collect_key *k,
				      uint32_t n)
{
	const struct collect_kstack *ks = NULL;

	if (k->kstack == STACK_COLLECT_NONE)
		return n;
	if (k->kstack >= 0 && (uint32_t)k->kstack < st->map.nids)
		ks = collect_kstack_get(st, (uint32_t)k->kstack);
	if (ks) {
		memcpy(st->frames + n, ks->frames, ks->nframes * sizeof(*st->frames));
		n += ks->nframes;
	} else {
		collect_mark(st->frames, &n, "[missing kernel stack]");
	}
	return n;
}

/* Double a power-of-two table's capacity (from 0: 64), for an insert into it. */
static size_t collect_grown(size_t cap)
{
	return cap ? cap * 2 : 64;
}

/* The hash of a user stack id in a process image. */
static uint64_t collect_ustack_hash(uint32_t tgid, uint32_t gen, int32_t id)
{
	return hash_mix64((uint64_t)tgid << 32 ^ (uint64_t)gen << 16 ^ (uint32_t)id);
}

/* The slot of (tgid, gen, id) in a user stack table with room: its entry or a free one. */
static struct collect_ustack *collect_ustack_slot(struct collect_ustack *t, size_t cap,
						  uint32_t tgid, uint32_t gen, int32_t id)
{
	size_t i = collect_ustack_hash(tgid, gen, id) & (cap - 1);

	while (t[i].frames && (t[i].tgid != tgid || t[i].gen != gen || t[i].id != id))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* The named user frames of stack id in the process image (tgid, gen), or NULL. */
static const struct collect_ustack *collect_ustack_find(const struct stack_collect *st,
							uint32_t tgid, uint32_t gen, int32_t id)
{
	const struct collect_ustack *u;

	if (!st->ustacks_cap)
		return NULL;
	u = collect_ustack_slot(st->ustacks, st->ustacks_cap, tgid, gen, id);
	return u->frames ? u : NULL;
}

/* Remember a key's user frames in process image gen: the first n of frames, in the store. */
static void collect_ustack_keep(struct stack_collect *st, const struct stack_collect_key *k,
				uint32_t gen, const struct stack_frame *frames, uint32_t n)
{
	if (2 * (st->nustacks + 1) > st->ustacks_cap) {
		size_t cap = collect_grown(st->ustacks_cap);
		struct collect_ustack *t = xcalloc(cap, sizeof(*t));

		for (size_t i = 0; i < st->ustacks_cap; i++) {
			const struct collect_ustack *u = &st->ustacks[i];

			if (u->frames)
				*collect_ustack_slot(t, cap, u->tgid, u->gen, u->id) = *u;
		}
		free(st->ustacks);
		st->ustacks = t;
		st->ustacks_cap = cap;
	}
	*collect_ustack_slot(st->ustacks, st->ustacks_cap, k->tgid, gen, k->ustack) =
		(struct collect_ustack){
			.tgid = k->tgid, .gen = gen, .id = k->ustack, .n = n, .frames = frames
		};
	st->nustacks++;
}

/* Read (or find named) a key's user stack into st->frames: b->n frames, b's other fields. */
static void collect_user_frames(struct stack_collect *st, const struct stack_collect_key *k,
				struct collect_built *b)
{
	struct stack_frame *out = st->frames;
	const struct collect_ustack *u;
	uint32_t id = (uint32_t)k->ustack;
	uint32_t depth, n = 0;

	b->gen = collect_proc_get(st, k->tgid)->gen;
	u = collect_ustack_find(st, k->tgid, b->gen, k->ustack);
	if (u) {
		memcpy(out, u->frames, u->n * sizeof(*out));
		b->n = b->interned = u->n;
		return;
	}
	if (bpf_map_lookup_elem(st->map.fd, &id, st->addrs)) {
		collect_mark(out, &b->n, "[missing user stack]");
		return;
	}
	depth = collect_depth(st);
	if (depth == st->map.depth)
		collect_mark(out, &n, "[truncated]");
	for (uint32_t i = depth; i-- > 0;) {
		struct sym_frame f;

		sym_user(st->sc, k->tgid, collect_call_addr(st->addrs, i), &f);
		out[n++] = (struct stack_frame){ f.name, collect_frame_kind(&f) };
	}
	b->n = b->nuser = n;
}

/* Symbolize a key's stacks into st->frames, outermost first: user frames, then kernel. */
static void collect_frames_build(struct stack_collect *st, const struct stack_collect_key *k,
				 struct collect_built *b)
{
	if (k->ustack >= 0)
		collect_user_frames(st, k, b);
	else if (k->ustack != STACK_COLLECT_NONE)
		collect_mark(st->frames, &b->n, "[missing user stack]");
	b->n = collect_kernel_frames(st, k, b->n);
}

/* The identity of a kernel key, or -1. */
static int64_t collect_key_find(const struct stack_collect *st, const struct stack_collect_key *k)
{
	size_t mask = st->keys_cap - 1;
	size_t i;

	if (!st->keys_cap)
		return -1;
	for (i = collect_key_hash(k) & mask; st->keys[i].used; i = (i + 1) & mask)
		if (!memcmp(&st->keys[i].key, k, sizeof(*k)))
			return st->keys[i].id;
	return -1;
}

/* Put (k, id) in the key table, which has room. */
static void collect_key_put(struct collect_keyslot *keys, size_t cap,
			    const struct stack_collect_key *k, uint32_t id)
{
	size_t i = collect_key_hash(k) & (cap - 1);

	while (keys[i].used)
		i = (i + 1) & (cap - 1);
	keys[i] = (struct collect_keyslot){ .key = *k, .id = id, .used = true };
}

/* Remember that kernel key k is identity id. */
static void collect_key_insert(struct stack_collect *st, const struct stack_collect_key *k,
			       uint32_t id)
{
	if (2 * (st->nkeys + 1) > st->keys_cap) {
		size_t cap = collect_grown(st->keys_cap);
		struct collect_keyslot *keys = xcalloc(cap, sizeof(*keys));

		for (size_t i = 0; i < st->keys_cap; i++)
			if (st->keys[i].used)
				collect_key_put(keys, cap, &st->keys[i].key, st->keys[i].id);
		free(st->keys);
		st->keys = keys;
		st->keys_cap = cap;
	}
	collect_key_put(st->keys, st->keys_cap, k, id);
	st->nkeys++;
}

/* The identity equal to sample s (hash h), or -1. */
static int64_t collect_ident_find(const struct stack_collect *st, const struct stack_sample *s,
				  uint64_t h)
{
	size_t mask = st->ids_cap - 1;
	size_t i;

	if (!st->ids_cap)
		return -1;
	for (i = h & mask; st->ids[i].used; i = (i + 1) & mask)
		if (st->ids[i].hash == h && collect_ident_is_same(&st->idents[st->ids[i].id].s, s))
			return st->ids[i].id;
	return -1;
}

/* Put (h, id) in the identity table, which has room. */
static void collect_id_put(struct collect_idslot *ids, size_t cap, uint64_t h, uint32_t id)
{
	size_t i = h & (cap - 1);

	while (ids[i].used)
		i = (i + 1) & (cap - 1);
	ids[i] = (struct collect_idslot){ .hash = h, .id = id, .used = true };
}

/* Whether two frames arrays of n frames with interned names are the same. */
static bool collect_frames_same(const struct stack_frame *a, const struct stack_frame *b,
				uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i].name != b[i].name || a[i].kind != b[i].kind || a[i].src != b[i].src)
			return false;
	return true;
}

/* The free slot for hash h in a frames table with room. */
static struct collect_frameslot *collect_fslot_free(struct collect_frameslot *t, size_t cap,
						    uint64_t h)
{
	size_t i = h & (cap - 1);

	while (t[i].frames)
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* The store's copy of f[0..n): one already kept with the same frames, or a new one. */
static const struct stack_frame *
collect_frames_keep(struct stack_collect *st, const struct stack_frame *f, uint32_t n, uint64_t h)
{
	struct collect_frameslot *slot;
	struct stack_frame *copy;
	size_t i;

	if (2 * (st->nfslots + 1) > st->fslots_cap) {
		size_t cap = collect_grown(st->fslots_cap);
		struct collect_frameslot *t = xcalloc(cap, sizeof(*t));

		for (i = 0; i < st->fslots_cap; i++)
			if (st->fslots[i].frames)
				*collect_fslot_free(t, cap, st->fslots[i].hash) = st->fslots[i];
		free(st->fslots);
		st->fslots = t;
		st->fslots_cap = cap;
	}
	for (i = h & (st->fslots_cap - 1); st->fslots[i].frames;
	     i = (i + 1) & (st->fslots_cap - 1)) {
		slot = &st->fslots[i];
		if (slot->hash == h && slot->n == n && collect_frames_same(slot->frames, f, n))
			return slot->frames;
	}
	copy = stack_store_frames(st->store, n);
	memcpy(copy, f, n * sizeof(*f));
	st->fslots[i] = (struct collect_frameslot){ .hash = h, .frames = copy, .n = n };
	st->nfslots++;
	return copy;
}

/* A new identity for sample s (frames copied into the store, names interned); returns it. */
static uint32_t collect_ident_add(struct stack_collect *st, const struct stack_sample *s,
				  uint64_t h, uint64_t frames_hash)
{
	struct collect_ident *id;

	if (st->nidents == st->idents_cap) {
		st->idents_cap = collect_grown(st->idents_cap);
		st->idents = xreallocarray(st->idents, st->idents_cap, sizeof(*st->idents));
	}
	if (2 * (st->nidents + 1) > st->ids_cap) {
		size_t cap = collect_grown(st->ids_cap);
		struct collect_idslot *ids = xcalloc(cap, sizeof(*ids));

		for (size_t i = 0; i < st->ids_cap; i++)
			if (st->ids[i].used)
				collect_id_put(ids, cap, st->ids[i].hash, st->ids[i].id);
		free(st->ids);
		st->ids = ids;
		st->ids_cap = cap;
	}
	id = &st->idents[st->nidents];
	memset(id, 0, sizeof(*id));
	id->s = *s;
	if (s->nframes)
		id->s.frames = collect_frames_keep(st, s->frames, s->nframes, frames_hash);
	id->hash = h;
	collect_id_put(st->ids, st->ids_cap, h, (uint32_t)st->nidents);
	return (uint32_t)st->nidents++;
}

/*
 * The identity of thread k in the n frames built in st->frames (the first interned of them
 * already interned): found, or made now.
 */
static uint32_t collect_ident_of_frames(struct stack_collect *st, const struct stack_collect_key *k,
					uint32_t n, uint32_t interned, const char *comm,
					size_t comm_len)
{
	struct stack_sample s = { .pid = k->tgid, .tid = k->tid };
	char tcomm[COLLECT_NAME_LEN];
	struct collect_proc *p;
	int64_t found;
	uint64_t h, fh;
	uint32_t id;

	s.frames = st->frames;
	s.nframes = n;
	collect_frames_intern(st, st->frames + interned, n - interned);
	fh = collect_frames_hash(st->frames, n);
	h = collect_ident_hash(fh, &s);
	/* a new identity probes both tables: let the frames table's miss overlap this one's */
	if (st->fslots_cap)
		__builtin_prefetch(&st->fslots[fh & (st->fslots_cap - 1)]);
	found = collect_ident_find(st, &s, h);
	if (found >= 0) {
		id = (uint32_t)found;
	} else {
		escape_cstr(tcomm, sizeof(tcomm), comm, comm_len);
		p = collect_proc_get(st, k->tgid);
		if (!p->named)
			p->named = collect_proc_read_name(k->tgid, p->pcomm, sizeof(p->pcomm));
		s.comm = stack_store_name(st->store, tcomm);
		/* A process already gone: its thread's name is the best there is. */
		s.pcomm = p->named ? stack_store_name(st->store, p->pcomm) : s.comm;
		id = collect_ident_add(st, &s, h, fh);
	}
	return id;
}

/* The identity of a drained entry: known by its key, else symbolized and looked up. */
static uint32_t collect_ident_of(struct stack_collect *st, const struct stack_collect_key *k,
				 const char *comm, size_t comm_len)
{
	int64_t found;
	uint32_t id;

	struct collect_built b = { 0 };

	found = collect_key_find(st, k);
	if (found >= 0)
		return (uint32_t)found;
	collect_frames_build(st, k, &b);
	id = collect_ident_of_frames(st, k, b.n, b.interned, comm, comm_len);
	collect_key_insert(st, k, id);
	if (b.nuser)
		collect_ustack_keep(st, k, b.gen, st->idents[id].s.frames, b.nuser);
	return id;
}

/* An amount in the collector's unit as a sample value, rounded to the nearest. */
static uint64_t collect_value(const struct stack_collect *st, uint64_t amount)
{
	unsigned __int128 v = (unsigned __int128)amount * st->scale.mul;

	v = (v + st->scale.div / 2) / st->scale.div;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/* An empty aggregator; the kernel stack cache has one slot per possible id. */
struct stack_collect *stack_collect_new(struct sym_cache *sc, const struct stack_collect_map *map,
					struct stack_collect_scale scale,
					struct stack_set *interval, struct stack_set *cumulative)
{
	struct stack_collect *st = xcalloc(1, sizeof(*st));
	uint32_t depth = map->depth ? map->depth : 1;

	st->sc = sc;
	st->map = *map;
	st->map.depth = depth;
	st->scale = scale;
	if (!st->scale.div)
		st->scale.div = 1;
	st->addrs = xcalloc(depth, sizeof(*st->addrs));
	st->symf = xcalloc(depth, sizeof(*st->symf));
	st->frames = xcalloc(2 * (size_t)depth + 4, sizeof(*st->frames));
	st->kstacks = xcalloc(map->nids ? map->nids : 1, sizeof(*st->kstacks));
	st->interval = interval;
	st->cumulative = cumulative;
	st->store = stack_store_new();
	st->older = -1;
	return st;
}

void stack_collect_set_max(struct stack_collect *st, size_t max)
{
	st->max_idents = max;
}

void stack_collect_drops(const struct stack_collect *st, struct collector *c)
{
	if (st && st->max_idents && c->ndrops < COLLECTOR_MAX_DROPS)
		c->drops[c->ndrops++] =
			(struct collector_drop){ "older stacks merged", st->merged };
}

/* Forget every identity and the keys that lead to them. */
static void collect_idents_clear(struct stack_collect *st)
{
	st->nidents = 0;
	st->ntouched = 0;
	if (st->keys_cap)
		memset(st->keys, 0, st->keys_cap * sizeof(*st->keys));
	st->nkeys = 0;
	if (st->ids_cap)
		memset(st->ids, 0, st->ids_cap * sizeof(*st->ids));
}

/* Free the aggregator; the sets it wrote to are the model's. */
void stack_collect_free(struct stack_collect *st)
{
	if (!st)
		return;
	collect_idents_clear(st);
	free(st->idents);
	free(st->keys);
	free(st->ids);
	free(st->names);
	free(st->fslots);
	free(st->ustacks);
	stack_store_unref(st->store);
	free(st->touched);
	for (uint32_t i = 0; i < st->map.nids; i++)
		free(st->kstacks[i].frames);
	free(st->kstacks);
	free(st->procs);
	free(st->addrs);
	free(st->symf);
	free(st->frames);
	free(st);
}

/* Zero the interval figures of the identities the last interval touched. */
void stack_collect_begin(struct stack_collect *st)
{
	for (size_t i = 0; i < st->ntouched; i++) {
		struct collect_ident *id = &st->idents[st->touched[i]];

		id->touched = false;
		id->cum_touched = false;
		id->int_amount = 0;
		id->int_count = 0;
	}
	st->ntouched = 0;
}

/* Sum an amount into identity idn for the interval, and overall when cumulative. */
static void collect_sum(struct stack_collect *st, uint32_t idn, uint64_t amount, uint64_t count,
			bool cumulative)
{
	struct collect_ident *id = &st->idents[idn];

	if (!id->touched) {
		if (st->ntouched == st->touched_cap) {
			st->touched_cap = collect_grown(st->touched_cap);
			st->touched =
				xreallocarray(st->touched, st->touched_cap, sizeof(*st->touched));
		}
		st->touched[st->ntouched++] = idn;
		id->touched = true;
	}
	id->int_amount += amount;
	id->int_count += count;
	if (cumulative) {
		id->cum_amount += amount;
		id->cum_count += count;
		id->cum_touched = true;
	}
}

/* Sum an entry into its identity, symbolizing a key not seen before. */
void stack_collect_add(struct stack_collect *st, const struct stack_collect_key *k,
		       const char *comm, size_t comm_len, uint64_t amount, uint64_t count,
		       bool cumulative)
{
	collect_sum(st, collect_ident_of(st, k, comm, comm_len), amount, count, cumulative);
}

/* Name unwound user frames (innermost first in uf), then the key's kernel stack. */
void stack_collect_add_unwound(struct stack_collect *st, const struct stack_collect_key *k,
			       const struct stack_collect_uframe *uf, uint32_t nuf,
			       const char *mark, const char *comm, size_t comm_len, uint64_t amount,
			       uint64_t count, bool cumulative)
{
	struct stack_frame *out = st->frames;
	uint32_t n = 0;

	if (nuf > st->map.depth) {
		nuf = st->map.depth;
		mark = "[truncated]";
	}
	if (mark)
		collect_mark(out, &n, mark);
	else if (!nuf)
		collect_mark(out, &n, "[missing user stack]");
	for (uint32_t i = nuf; i-- > 0;) {
		struct sym_frame f = { .name = uf[i].name, .kind = SYM_USER };

		if (!uf[i].name)
			sym_user(st->sc, k->tgid, uf[i].pc, &f);
		out[n++] = (struct stack_frame){ f.name, collect_frame_kind(&f), uf[i].src };
	}
	n = collect_kernel_frames(st, k, n);
	collect_sum(st, collect_ident_of_frames(st, k, n, 0, comm, comm_len), amount, count,
		    cumulative);
}

/* Empty the tables that point into the store, for a new one: names, frames, user stacks. */
static void collect_store_tables_clear(struct stack_collect *st)
{
	if (st->names_cap)
		memset(st->names, 0, st->names_cap * sizeof(*st->names));
	st->nnames = 0;
	if (st->fslots_cap)
		memset(st->fslots, 0, st->fslots_cap * sizeof(*st->fslots));
	st->nfslots = 0;
	if (st->ustacks_cap)
		memset(st->ustacks, 0, st->ustacks_cap * sizeof(*st->ustacks));
	st->nustacks = 0;
}

/* Order identity indexes by cumulative amount, then count, smallest first. */
static int collect_smaller(const void *a, const void *b, void *arg)
{
	const struct collect_ident *x = &((const struct collect_ident *)arg)[*(const uint32_t *)a];
	const struct collect_ident *y = &((const struct collect_ident *)arg)[*(const uint32_t *)b];

	if (x->cum_amount != y->cum_amount)
		return x->cum_amount < y->cum_amount ? -1 : 1;
	if (x->cum_count != y->cum_count)
		return x->cum_count < y->cum_count ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/*
 * Mark the identities to merge: those this interval did not touch (nor the older stacks'
 * own), smallest first, down to three quarters of the bound. remap[i] is 1 for each; the
 * number marked.
 */
static size_t collect_pick_merged(struct stack_collect *st, uint32_t *remap)
{
	size_t keep = st->max_idents - st->max_idents / 4;
	uint32_t *order = xcalloc(st->nidents, sizeof(*order));
	size_t n = 0, want;

	for (size_t i = 0; i < st->nidents; i++)
		if (!st->idents[i].touched && (int64_t)i != st->older)
			order[n++] = (uint32_t)i;
	want = st->nidents > keep ? st->nidents - keep : 0;
	if (want > n)
		want = n;
	qsort_r(order, n, sizeof(*order), collect_smaller, st->idents);
	for (size_t i = 0; i < want; i++)
		remap[order[i]] = 1;
	free(order);
	return want;
}

/* The older stacks' identity, made on first use: no thread, one mark frame. */
static struct collect_ident *collect_older(struct stack_collect *st)
{
	struct stack_sample s = { .comm = "[older stacks]", .pcomm = "[older stacks]" };
	uint64_t fh;

	if (st->older < 0) {
		st->frames[0] = (struct stack_frame){ "[older stacks]", STACK_FRAME_MARK };
		s.frames = st->frames;
		s.nframes = 1;
		fh = collect_frames_hash(st->frames, 1);
		st->older = collect_ident_add(st, &s, collect_ident_hash(fh, &s), fh);
		st->idents[st->older].in_cum = false;
	}
	return &st->idents[st->older];
}

/*
 * Move a kept identity's names and frames into the store now in st->store (the tables of the
 * old one were emptied), as identity j; older names its mark with how many stacks it holds.
 */
static void collect_move(struct stack_collect *st, struct collect_ident *id, uint32_t j,
			 const char *older)
{
	struct stack_sample *s = &id->s;
	uint64_t fh;

	s->comm = stack_store_name(st->store, s->comm);
	s->pcomm = stack_store_name(st->store, s->pcomm);
	for (uint32_t k = 0; k < s->nframes; k++) {
		st->frames[k] = s->frames[k];
		st->frames[k].name = stack_store_name(st->store, older ? older : s->frames[k].name);
		if (s->frames[k].src)
			st->frames[k].src = stack_store_name(st->store, s->frames[k].src);
	}
	fh = collect_frames_hash(st->frames, s->nframes);
	if (s->nframes)
		s->frames = collect_frames_keep(st, st->frames, s->nframes, fh);
	id->hash = collect_ident_hash(fh, s);
	collect_id_put(st->ids, st->ids_cap, id->hash, j);
}

/* Keep the kernel keys of kept identities, renumbered by remap (UINT32_MAX: merged). */
static void collect_keys_remap(struct stack_collect *st, const uint32_t *remap)
{
	struct collect_keyslot *old = st->keys;

	st->keys = xcalloc(st->keys_cap, sizeof(*st->keys));
	st->nkeys = 0;
	for (size_t i = 0; i < st->keys_cap; i++) {
		if (!old[i].used || remap[old[i].id] == UINT32_MAX)
			continue;
		collect_key_put(st->keys, st->keys_cap, &old[i].key, remap[old[i].id]);
		st->nkeys++;
	}
	free(old);
}

/*
 * Over the bound: merge the smallest untouched identities into the older stacks' one, and
 * move the kept ones into a new store (the old one goes with the last snapshot using it).
 * The cumulative set is rebuilt; the interval set is written next by stack_collect_end.
 */
static void collect_compact(struct stack_collect *st)
{
	struct stack_set *cum = st->cumulative;
	struct stack_store *old_store = st->store;
	uint32_t *remap = xcalloc(st->nidents + 1, sizeof(*remap));
	struct collect_ident *older;
	char mark[96];
	size_t n, j = 0;

	n = collect_pick_merged(st, remap);
	if (!n) {
		free(remap);
		return;
	}
	older = collect_older(st);
	for (size_t i = 0; i < st->nidents; i++) {
		if (!remap[i])
			continue;
		older->cum_amount += st->idents[i].cum_amount;
		older->cum_count += st->idents[i].cum_count;
	}
	older->in_cum = true;
	st->merged += n;
	snprintf(mark, sizeof(mark), "[%llu older stacks merged]", (unsigned long long)st->merged);

	st->store = stack_store_new();
	collect_store_tables_clear(st);
	memset(st->ids, 0, st->ids_cap * sizeof(*st->ids));
	stack_set_reuse(cum, st->store);
	for (size_t i = 0; i < st->nidents; i++) {
		struct collect_ident *id = &st->idents[i];

		if (remap[i]) {
			remap[i] = UINT32_MAX;
			continue;
		}
		collect_move(st, id, (uint32_t)j, (int64_t)i == st->older ? mark : NULL);
		if (id->in_cum) {
			struct stack_sample s = id->s;

			s.value = collect_value(st, id->cum_amount);
			s.count = id->cum_count;
			stack_set_add_stored(cum, &s);
			id->cum_idx = cum->nsamples - 1;
		}
		remap[i] = (uint32_t)j;
		st->idents[j++] = *id;
	}
	st->older = remap[st->older];
	st->nidents = j;
	collect_keys_remap(st, remap);
	for (size_t i = 0; i < st->ntouched; i++)
		st->touched[i] = remap[st->touched[i]];
	stack_store_unref(old_store);
	free(remap);
}

/* Rebuild the interval set; add new cumulative samples and update the others in place. */
void stack_collect_end(struct stack_collect *st)
{
	struct stack_set *cum = st->cumulative;

	if (st->max_idents && st->nidents > st->max_idents)
		collect_compact(st);

	stack_set_reuse(st->interval, st->store);
	if (cum->store != st->store) /* the first end, or the first after a reset */
		stack_set_reuse(cum, st->store);
	for (size_t i = 0; i < st->ntouched; i++) {
		struct collect_ident *id = &st->idents[st->touched[i]];
		struct stack_sample s = id->s;

		s.value = collect_value(st, id->int_amount);
		s.count = id->int_count;
		stack_set_add_stored(st->interval, &s);
		if (!id->cum_touched)
			continue;
		if (!id->in_cum) {
			s.value = collect_value(st, id->cum_amount);
			s.count = id->cum_count;
			stack_set_add_stored(cum, &s);
			id->cum_idx = cum->nsamples - 1;
			id->in_cum = true;
		} else {
			struct stack_sample *c = &cum->samples[id->cum_idx];
			uint64_t v = collect_value(st, id->cum_amount);

			cum->total = cum->total - c->value + v;
			c->value = v;
			c->count = id->cum_count;
		}
	}
}

/*
 * Empty the cumulative set and the identities (kernel stacks stay cached). Their names and
 * frames go with the store, once the snapshots that share it are freed.
 */
void stack_collect_reset(struct stack_collect *st)
{
	collect_idents_clear(st);
	stack_set_clear(st->cumulative);
	stack_store_unref(st->store);
	st->store = stack_store_new();
	collect_store_tables_clear(st);
	st->older = -1;
	st->merged = 0;
}
