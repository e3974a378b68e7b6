// SPDX-License-Identifier: GPL-2.0
/*
 * Drained off-CPU records to samples. Each distinct (thread, frames) is an identity, found
 * from its kernel key (tgid, tid, stack ids) or, for a new key, by symbolizing and hashing its
 * frames; identities sum nanoseconds for the interval and overall, and become samples at the
 * end of each poll. Identities live until a reset, so the cumulative set grows with new
 * stacks, not with polls.
 */
#include "collectors/offcpu_stacks.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "util/escape.h"
#include "util/xalloc.h"

#define OFFCPU_MAX_FRAMES (2 * OFFCPU_STACK_DEPTH + 4)
#define OFFCPU_PROCS_MAX  16384 /* processes remembered before the table starts again */
#define OFFCPU_NAME_LEN	  sizeof(((struct stack_sample *)0)->comm)

/* Innermost kernel frames that are ktop's own probe, not the thread's wait. */
static const char *const offcpu_probe_prefixes[] = {
	"bpf_prog_",	   "bpf_trace_run",   "__bpf_trace_",	"__traceiter_",
	"bpf_get_stack",   "__bpf_get_stack", "bpf_dispatcher", "__bpf_prog_enter",
	"__bpf_prog_exit", "perf_trace_",     "trace_call_bpf",
};

/* A kernel stack, symbolized once: an id names the same stack for the whole run. */
struct offcpu_kstack {
	struct stack_frame *frames; /* outermost first, probe frames removed */
	uint32_t nframes;
	bool done;
};

/* What is known of a process. */
struct offcpu_proc {
	uint32_t tgid;
	bool used;
	bool noted;		     /* its maps were handed to the symbolizer */
	bool named;		     /* pcomm was read from /proc */
	char pcomm[OFFCPU_NAME_LEN]; /* escaped */
};

/* One thread blocked in one symbolized stack. */
struct offcpu_ident {
	struct stack_sample s; /* pid, tid, comm, pcomm, frames (owned); value and count unused */
	uint64_t hash;	       /* of pid, tid and frames */
	uint64_t int_ns;       /* this interval */
	uint64_t int_count;
	uint64_t cum_ns; /* since the last reset */
	uint64_t cum_count;
	size_t cum_idx; /* its sample in the cumulative set, if in_cum */
	bool in_cum;
	bool touched;	  /* in this interval */
	bool cum_touched; /* its cumulative figures changed in this interval */
};

/* Kernel key -> identity. */
struct offcpu_keyslot {
	struct offcpu_key key;
	uint32_t id;
	bool used;
};

/* Identity hash -> identity. */
struct offcpu_idslot {
	uint64_t hash;
	uint32_t id;
	bool used;
};

struct offcpu_stacks {
	struct sym_cache *sc;
	int stack_fd;
	struct stack_set *interval;
	struct stack_set *cumulative;
	__u64 addrs[OFFCPU_STACK_DEPTH]; /* one stack map value */
	struct stack_frame frames[OFFCPU_MAX_FRAMES];

	struct offcpu_kstack *kstacks; /* by id */
	uint32_t nids;

	struct offcpu_proc *procs;
	size_t procs_cap; /* a power of two */
	size_t nprocs;

	struct offcpu_ident *idents;
	size_t nidents;
	size_t idents_cap;
	struct offcpu_keyslot *keys;
	size_t keys_cap; /* a power of two, or 0 */
	size_t nkeys;
	struct offcpu_idslot *ids;
	size_t ids_cap; /* a power of two, or 0 */

	uint32_t *touched; /* identities added to in this interval */
	size_t ntouched;
	size_t touched_cap;
};

/* A 64-bit mix (splitmix64's finalizer). */
static uint64_t offcpu_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* FNV-1a over a string, continuing from h. */
static uint64_t offcpu_hash_str(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The hash of a kernel key. */
static uint64_t offcpu_key_hash(const struct offcpu_key *k)
{
	uint64_t a = (uint64_t)k->tgid << 32 | k->tid;
	uint64_t b = (uint64_t)(uint32_t)k->kstack << 32 | (uint32_t)k->ustack;

	return offcpu_mix(a ^ offcpu_mix(b));
}

/* The hash of a sample's identity: process, thread and frames. */
static uint64_t offcpu_ident_hash(const struct stack_sample *s)
{
	uint64_t h = offcpu_mix((uint64_t)s->pid << 32 | s->tid);

	for (uint32_t i = 0; i < s->nframes; i++) {
		h = offcpu_hash_str(h ^ (uint64_t)s->frames[i].kind, s->frames[i].name);
		h = offcpu_mix(h);
	}
	return h;
}

/* Whether two samples are the same thread in the same frames. */
static bool offcpu_ident_is_same(const struct stack_sample *a, const struct stack_sample *b)
{
	if (a->pid != b->pid || a->tid != b->tid || a->nframes != b->nframes)
		return false;
	for (uint32_t i = 0; i < a->nframes; i++) {
		const struct stack_frame *x = &a->frames[i];
		const struct stack_frame *y = &b->frames[i];

		if (x->kind != y->kind || (x->name != y->name && strcmp(x->name, y->name)))
			return false;
	}
	return true;
}

/* The table slot of tgid: its entry, or the empty slot where it goes. */
static struct offcpu_proc *offcpu_proc_slot(struct offcpu_stacks *st, uint32_t tgid)
{
	size_t mask = st->procs_cap - 1;
	size_t i = offcpu_mix(tgid) & mask;

	while (st->procs[i].used && st->procs[i].tgid != tgid)
		i = (i + 1) & mask;
	return &st->procs[i];
}

/* The entry of tgid, created if needed; the table starts again when it holds too many. */
static struct offcpu_proc *offcpu_proc_get(struct offcpu_stacks *st, uint32_t tgid)
{
	struct offcpu_proc *p;

	if (!st->procs || st->nprocs >= OFFCPU_PROCS_MAX) {
		free(st->procs);
		st->procs_cap = 64;
		st->procs = xcalloc(st->procs_cap, sizeof(*st->procs));
		st->nprocs = 0;
	} else if (2 * (st->nprocs + 1) > st->procs_cap) {
		struct offcpu_proc *old = st->procs;
		size_t old_cap = st->procs_cap;

		st->procs_cap *= 2;
		st->procs = xcalloc(st->procs_cap, sizeof(*st->procs));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].used)
				*offcpu_proc_slot(st, old[i].tgid) = old[i];
		free(old);
	}
	p = offcpu_proc_slot(st, tgid);
	if (!p->used) {
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->tgid = tgid;
		st->nprocs++;
	}
	return p;
}

/* Read a process's name from /proc/PID/comm, escaped; false if it is gone. */
static bool offcpu_proc_read_name(uint32_t tgid, char *out, size_t out_len)
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
void offcpu_stacks_note(struct offcpu_stacks *st, uint32_t tgid)
{
	struct offcpu_proc *p = offcpu_proc_get(st, tgid);

	if (p->noted)
		return;
	/* Once, even if it failed: a process that is gone stays gone. */
	p->noted = true;
	sym_process_note(st->sc, tgid);
}

/* After exec: the symbolizer forgets the old maps, and the name is read again. */
void offcpu_stacks_exec(struct offcpu_stacks *st, uint32_t tgid)
{
	struct offcpu_proc *p = offcpu_proc_get(st, tgid);

	p->noted = false;
	p->named = false;
	sym_process_forget(st->sc, tgid);
}

/* Whether a kernel frame name belongs to ktop's own probe. */
static bool offcpu_is_probe_frame(const char *name)
{
	for (size_t i = 0; i < sizeof(offcpu_probe_prefixes) / sizeof(offcpu_probe_prefixes[0]);
	     i++)
		if (!strncmp(name, offcpu_probe_prefixes[i], strlen(offcpu_probe_prefixes[i])))
			return true;
	return false;
}

/* The frame kind of a symbolizer result. */
static enum stack_frame_kind offcpu_frame_kind(const struct sym_frame *f)
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

/* How many addresses a stack map value holds (it ends at the first zero). */
static uint32_t offcpu_depth(const __u64 *addrs)
{
	uint32_t n = 0;

	while (n < OFFCPU_STACK_DEPTH && addrs[n])
		n++;
	return n;
}

/*
 * The address to name for entry i of a stack: past the innermost, entries are return
 * addresses, which may already be in the next function after a call that never returns.
 */
static uint64_t offcpu_call_addr(const __u64 *addrs, uint32_t i)
{
	return i ? addrs[i] - 1 : addrs[i];
}

/* Read and name kernel stack id once, without the probe's own innermost frames. */
static const struct offcpu_kstack *offcpu_kstack_get(struct offcpu_stacks *st, uint32_t id)
{
	struct offcpu_kstack *ks = &st->kstacks[id];
	struct sym_frame f[OFFCPU_STACK_DEPTH];
	uint32_t n, keep = 0;

	if (ks->done)
		return ks;
	if (bpf_map_lookup_elem(st->stack_fd, &id, st->addrs))
		return NULL; /* cannot happen for an id the kernel handed out: not cached */
	ks->done = true;
	n = offcpu_depth(st->addrs);
	for (uint32_t i = 0; i < n; i++)
		sym_kernel(st->sc, offcpu_call_addr(st->addrs, i), &f[i]);
	/* Skip the innermost run of probe frames (and unnamed ones among them, e.g. the JIT). */
	for (uint32_t i = 0; i < n; i++) {
		if (f[i].kind != SYM_UNKNOWN && !offcpu_is_probe_frame(f[i].name))
			break;
		if (f[i].kind != SYM_UNKNOWN)
			keep = i + 1;
	}
	/* A stack as deep as the map holds may have lost its outermost frames. */
	ks->nframes = n - keep + (n == OFFCPU_STACK_DEPTH);
	ks->frames = xcalloc(ks->nframes ? ks->nframes : 1, sizeof(*ks->frames));
	if (n == OFFCPU_STACK_DEPTH)
		ks->frames[0] = (struct stack_frame){"[truncated]", STACK_FRAME_MARK};
	for (uint32_t i = n, j = n == OFFCPU_STACK_DEPTH; i-- > keep; j++)
		ks->frames[j] = (struct stack_frame){f[i].name, offcpu_frame_kind(&f[i])};
	return ks;
}

/* Append a mark frame. */
static void offcpu_mark(struct stack_frame *frames, uint32_t *n, const char *what)
{
	frames[(*n)++] = (struct stack_frame){what, STACK_FRAME_MARK};
}

/* Symbolize a key's stacks into st->frames, outermost first: user frames, then kernel. */
static uint32_t offcpu_frames_build(struct offcpu_stacks *st, const struct offcpu_key *k)
{
	struct stack_frame *out = st->frames;
	const struct offcpu_kstack *ks = NULL;
	uint32_t n = 0;

	if (k->ustack >= 0) {
		uint32_t id = (uint32_t)k->ustack;
		uint32_t depth;

		if (bpf_map_lookup_elem(st->stack_fd, &id, st->addrs)) {
			offcpu_mark(out, &n, "[missing user stack]");
		} else {
			depth = offcpu_depth(st->addrs);
			if (depth == OFFCPU_STACK_DEPTH)
				offcpu_mark(out, &n, "[truncated]");
			for (uint32_t i = depth; i-- > 0;) {
				struct sym_frame f;

				sym_user(st->sc, k->tgid, offcpu_call_addr(st->addrs, i), &f);
				out[n++] = (struct stack_frame){f.name, offcpu_frame_kind(&f)};
			}
		}
	} else if (k->ustack != OFFCPU_STACK_NONE) {
		offcpu_mark(out, &n, "[missing user stack]");
	}

	if (k->kstack >= 0 && (uint32_t)k->kstack < st->nids)
		ks = offcpu_kstack_get(st, (uint32_t)k->kstack);
	if (ks) {
		memcpy(out + n, ks->frames, ks->nframes * sizeof(*out));
		n += ks->nframes;
	} else {
		offcpu_mark(out, &n, "[missing kernel stack]");
	}
	return n;
}

/* Double a power-of-two table's capacity (from 0: 64), for an insert into it. */
static size_t offcpu_grown(size_t cap)
{
	return cap ? cap * 2 : 64;
}

/* The identity of a kernel key, or -1. */
static int64_t offcpu_key_find(const struct offcpu_stacks *st, const struct offcpu_key *k)
{
	size_t mask = st->keys_cap - 1;
	size_t i;

	if (!st->keys_cap)
		return -1;
	for (i = offcpu_key_hash(k) & mask; st->keys[i].used; i = (i + 1) & mask)
		if (!memcmp(&st->keys[i].key, k, sizeof(*k)))
			return st->keys[i].id;
	return -1;
}

/* Put (k, id) in the key table, which has room. */
static void offcpu_key_put(struct offcpu_keyslot *keys, size_t cap, const struct offcpu_key *k,
			   uint32_t id)
{
	size_t i = offcpu_key_hash(k) & (cap - 1);

	while (keys[i].used)
		i = (i + 1) & (cap - 1);
	keys[i] = (struct offcpu_keyslot){.key = *k, .id = id, .used = true};
}

/* Remember that kernel key k is identity id. */
static void offcpu_key_insert(struct offcpu_stacks *st, const struct offcpu_key *k, uint32_t id)
{
	if (2 * (st->nkeys + 1) > st->keys_cap) {
		size_t cap = offcpu_grown(st->keys_cap);
		struct offcpu_keyslot *keys = xcalloc(cap, sizeof(*keys));

		for (size_t i = 0; i < st->keys_cap; i++)
			if (st->keys[i].used)
				offcpu_key_put(keys, cap, &st->keys[i].key, st->keys[i].id);
		free(st->keys);
		st->keys = keys;
		st->keys_cap = cap;
	}
	offcpu_key_put(st->keys, st->keys_cap, k, id);
	st->nkeys++;
}

/* The identity equal to sample s (hash h), or -1. */
static int64_t offcpu_ident_find(const struct offcpu_stacks *st, const struct stack_sample *s,
				 uint64_t h)
{
	size_t mask = st->ids_cap - 1;
	size_t i;

	if (!st->ids_cap)
		return -1;
	for (i = h & mask; st->ids[i].used; i = (i + 1) & mask)
		if (st->ids[i].hash == h && offcpu_ident_is_same(&st->idents[st->ids[i].id].s, s))
			return st->ids[i].id;
	return -1;
}

/* Put (h, id) in the identity table, which has room. */
static void offcpu_id_put(struct offcpu_idslot *ids, size_t cap, uint64_t h, uint32_t id)
{
	size_t i = h & (cap - 1);

	while (ids[i].used)
		i = (i + 1) & (cap - 1);
	ids[i] = (struct offcpu_idslot){.hash = h, .id = id, .used = true};
}

/* A new identity for sample s (frames copied); returns its number. */
static uint32_t offcpu_ident_add(struct offcpu_stacks *st, const struct stack_sample *s, uint64_t h)
{
	struct offcpu_ident *id;

	if (st->nidents == st->idents_cap) {
		st->idents_cap = offcpu_grown(st->idents_cap);
		st->idents = xreallocarray(st->idents, st->idents_cap, sizeof(*st->idents));
	}
	if (2 * (st->nidents + 1) > st->ids_cap) {
		size_t cap = offcpu_grown(st->ids_cap);
		struct offcpu_idslot *ids = xcalloc(cap, sizeof(*ids));

		for (size_t i = 0; i < st->ids_cap; i++)
			if (st->ids[i].used)
				offcpu_id_put(ids, cap, st->ids[i].hash, st->ids[i].id);
		free(st->ids);
		st->ids = ids;
		st->ids_cap = cap;
	}
	id = &st->idents[st->nidents];
	memset(id, 0, sizeof(*id));
	id->s = *s;
	id->s.frames = xreallocarray(NULL, s->nframes ? s->nframes : 1, sizeof(*s->frames));
	memcpy(id->s.frames, s->frames, s->nframes * sizeof(*s->frames));
	id->hash = h;
	offcpu_id_put(st->ids, st->ids_cap, h, (uint32_t)st->nidents);
	return (uint32_t)st->nidents++;
}

/* The identity of a drained entry: known by its key, else symbolized and looked up. */
static uint32_t offcpu_ident_of(struct offcpu_stacks *st, const struct offcpu_key *k,
				const struct offcpu_val *v)
{
	struct stack_sample s = {.pid = k->tgid, .tid = k->tid};
	struct offcpu_proc *p;
	int64_t found;
	uint64_t h;
	uint32_t id;

	found = offcpu_key_find(st, k);
	if (found >= 0)
		return (uint32_t)found;

	s.frames = st->frames;
	s.nframes = offcpu_frames_build(st, k);
	h = offcpu_ident_hash(&s);
	found = offcpu_ident_find(st, &s, h);
	if (found >= 0) {
		id = (uint32_t)found;
	} else {
		escape_cstr(s.comm, sizeof(s.comm), v->comm, sizeof(v->comm));
		p = offcpu_proc_get(st, k->tgid);
		if (!p->named)
			p->named = offcpu_proc_read_name(k->tgid, p->pcomm, sizeof(p->pcomm));
		/* A process already gone: its thread's name is the best there is. */
		memcpy(s.pcomm, p->named ? p->pcomm : s.comm, sizeof(s.pcomm));
		id = offcpu_ident_add(st, &s, h);
	}
	offcpu_key_insert(st, k, id);
	return id;
}

/* Round nanoseconds to microseconds. */
static uint64_t offcpu_us(uint64_t ns)
{
	return ns / 1000 + (ns % 1000 >= 500);
}

/* An empty aggregator; the kernel stack cache has one slot per possible id. */
struct offcpu_stacks *offcpu_stacks_new(struct sym_cache *sc, int stack_fd, uint32_t nids,
					struct stack_set *interval, struct stack_set *cumulative)
{
	struct offcpu_stacks *st = xcalloc(1, sizeof(*st));

	st->sc = sc;
	st->stack_fd = stack_fd;
	st->nids = nids;
	st->kstacks = xcalloc(nids ? nids : 1, sizeof(*st->kstacks));
	st->interval = interval;
	st->cumulative = cumulative;
	return st;
}

/* Forget every identity and the keys that lead to them. */
static void offcpu_idents_clear(struct offcpu_stacks *st)
{
	for (size_t i = 0; i < st->nidents; i++)
		free(st->idents[i].s.frames);
	st->nidents = 0;
	st->ntouched = 0;
	if (st->keys_cap)
		memset(st->keys, 0, st->keys_cap * sizeof(*st->keys));
	st->nkeys = 0;
	if (st->ids_cap)
		memset(st->ids, 0, st->ids_cap * sizeof(*st->ids));
}

/* Free the aggregator; the sets it wrote to are the model's. */
void offcpu_stacks_free(struct offcpu_stacks *st)
{
	if (!st)
		return;
	offcpu_idents_clear(st);
	free(st->idents);
	free(st->keys);
	free(st->ids);
	free(st->touched);
	for (uint32_t i = 0; i < st->nids; i++)
		free(st->kstacks[i].frames);
	free(st->kstacks);
	free(st->procs);
	free(st);
}

/* Zero the interval figures of the identities the last interval touched. */
void offcpu_stacks_begin(struct offcpu_stacks *st)
{
	for (size_t i = 0; i < st->ntouched; i++) {
		struct offcpu_ident *id = &st->idents[st->touched[i]];

		id->touched = false;
		id->cum_touched = false;
		id->int_ns = 0;
		id->int_count = 0;
	}
	st->ntouched = 0;
}

/* Sum each entry into its identity, symbolizing keys not seen before. */
void offcpu_stacks_add(struct offcpu_stacks *st, const struct offcpu_key *keys,
		       const struct offcpu_val *vals, size_t n, bool cumulative)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t idn = offcpu_ident_of(st, &keys[i], &vals[i]);
		struct offcpu_ident *id = &st->idents[idn];

		if (!id->touched) {
			if (st->ntouched == st->touched_cap) {
				st->touched_cap = offcpu_grown(st->touched_cap);
				st->touched = xreallocarray(st->touched, st->touched_cap,
							    sizeof(*st->touched));
			}
			st->touched[st->ntouched++] = idn;
			id->touched = true;
		}
		id->int_ns += vals[i].total_ns;
		id->int_count += vals[i].count;
		if (cumulative) {
			id->cum_ns += vals[i].total_ns;
			id->cum_count += vals[i].count;
			id->cum_touched = true;
		}
	}
}

/* Rebuild the interval set; add new cumulative samples and update the others in place. */
void offcpu_stacks_end(struct offcpu_stacks *st)
{
	struct stack_set *cum = st->cumulative;

	stack_set_clear(st->interval);
	for (size_t i = 0; i < st->ntouched; i++) {
		struct offcpu_ident *id = &st->idents[st->touched[i]];
		struct stack_sample s = id->s;

		s.value = offcpu_us(id->int_ns);
		s.count = id->int_count;
		stack_set_add(st->interval, &s);
		if (!id->cum_touched)
			continue;
		if (!id->in_cum) {
			s.value = offcpu_us(id->cum_ns);
			s.count = id->cum_count;
			stack_set_add(cum, &s);
			id->cum_idx = cum->nsamples - 1;
			id->in_cum = true;
		} else {
			struct stack_sample *c = &cum->samples[id->cum_idx];
			uint64_t us = offcpu_us(id->cum_ns);

			cum->total = cum->total - c->value + us;
			c->value = us;
			c->count = id->cum_count;
		}
	}
}

/* Empty the cumulative set and the identities (kernel stacks stay cached). */
void offcpu_stacks_reset(struct offcpu_stacks *st)
{
	offcpu_idents_clear(st);
	stack_set_clear(st->cumulative);
}
