// SPDX-License-Identifier: GPL-2.0
/* Stack map records to frames: kernel stacks cached by id, user stacks by process image. */
#include "collectors/stack_collect_frames.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "util/hash.h"
#include "bpf/ustack.h"
#include "util/xalloc.h"

/* Kernel frames of a probe (ktop's or another tracer's), not the thread's work or wait. */
static const char *const frames_probe_prefixes[] = {
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

/* A kernel stack, symbolized once: an id names the same stack until its map is emptied. */
struct collect_kstack {
	struct stack_frame *frames; /* outermost first, probe frames removed */
	uint32_t nframes;
	bool done;
};

/*
 * A user stack id of one process image, already named: the user frames at the start of an
 * identity's frames in the store.
 */
struct frames_ustack {
	uint32_t tgid;
	uint32_t gen; /* of the process image: ids of an exec'd process name other code */
	int32_t id;
	uint32_t n; /* user frames (a mark included) */
	const struct stack_frame *frames;
};

static bool frames_ustack_eq(const void *entry, const void *key)
{
	const struct frames_ustack *e = entry;
	const struct frames_ustack *k = key;

	return e->tgid == k->tgid && e->gen == k->gen && e->id == k->id;
}

/* The hash of a user stack id in a process image. */
static uint64_t frames_ustack_hash(const struct frames_ustack *u)
{
	return hash_mix64((uint64_t)u->tgid << 32 ^ (uint64_t)u->gen << 16 ^ (uint32_t)u->id);
}

/* Kernel stack cache slots: one per possible id of each map. */
static uint32_t frames_nslots(const struct collect_frames *cf)
{
	return cf->map.nids * (cf->map.gens ? 2 : 1);
}

void collect_frames_init(struct collect_frames *cf, struct sym_cache *sc,
			 const struct stack_collect_map *map)
{
	uint32_t depth = map->depth ? map->depth : 1;

	cf->sc = sc;
	cf->map = *map;
	cf->map.depth = depth;
	cf->addrs = xcalloc(depth, sizeof(*cf->addrs));
	cf->symf = xcalloc(depth, sizeof(*cf->symf));
	cf->buf = xcalloc(2 * (size_t)depth + 4, sizeof(*cf->buf));
	cf->kstacks = xcalloc(frames_nslots(cf) ? frames_nslots(cf) : 1, sizeof(*cf->kstacks));
	htab_init(&cf->ustacks, sizeof(struct frames_ustack), _Alignof(struct frames_ustack));
}

void collect_frames_fini(struct collect_frames *cf)
{
	for (uint32_t i = 0; i < frames_nslots(cf); i++)
		free(cf->kstacks[i].frames);
	free(cf->kstacks);
	free(cf->hashes);
	free(cf->addrs);
	free(cf->symf);
	free(cf->buf);
	htab_fini(&cf->ustacks);
}

/* Whether a kernel frame name belongs to a probe. */
static bool frames_is_probe(const char *name)
{
	size_t n = sizeof(frames_probe_prefixes) / sizeof(frames_probe_prefixes[0]);

	for (size_t i = 0; i < n; i++)
		if (!strncmp(name, frames_probe_prefixes[i], strlen(frames_probe_prefixes[i])))
			return true;
	return false;
}

/* The frame kind of a symbolizer result. */
static enum stack_frame_kind frames_kind(const struct sym_frame *f)
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

/* How many addresses the stack map value in cf->addrs holds (it ends at the first zero). */
static uint32_t frames_depth(const struct collect_frames *cf)
{
	uint32_t n = 0;

	while (n < cf->map.depth && cf->addrs[n])
		n++;
	return n;
}

/*
 * The address to name for entry i of a stack: past the innermost, entries are return
 * addresses, which may already be in the next function after a call that never returns.
 */
static uint64_t frames_call_addr(const uint64_t *addrs, uint32_t i)
{
	return i ? addrs[i] - 1 : addrs[i];
}

/*
 * Where stack id (a fallback's cause bits cleared) is: its map, its bucket there and its kernel
 * cache slot. False when it is no id of the maps.
 */
static bool frames_locate(const struct collect_frames *cf, int32_t id, int *fd, uint32_t *bucket,
			  uint32_t *slot)
{
	bool gen1 = cf->map.gens && (id & STACK_COLLECT_GEN1);
	uint32_t b = (uint32_t)id & ~(uint32_t)STACK_COLLECT_GEN1;

	if (id < 0 || b >= cf->map.nids)
		return false;
	*fd = gen1 ? cf->map.fd1 : cf->map.fd;
	*bucket = b;
	*slot = gen1 ? cf->map.nids + b : b;
	return true;
}

/* Read and name kernel stack id once, without the probe's own innermost frames. */
static const struct collect_kstack *frames_kstack(struct collect_frames *cf, int32_t id)
{
	struct sym_frame *f = cf->symf;
	uint32_t depth = cf->map.depth;
	struct collect_kstack *ks;
	uint32_t bucket, slot;
	uint32_t n, keep = 0;
	int fd;

	if (!frames_locate(cf, id, &fd, &bucket, &slot))
		return NULL;
	ks = &cf->kstacks[slot];
	if (ks->done)
		return ks;
	if (bpf_map_lookup_elem(fd, &bucket, cf->addrs))
		return NULL; /* cannot happen for an id the kernel handed out: not cached */
	ks->done = true;
	n = frames_depth(cf);
	for (uint32_t i = 0; i < n; i++)
		sym_kernel(cf->sc, frames_call_addr(cf->addrs, i), &f[i]);
	/*
	 * Drop everything up to the outermost probe frame: what runs inside a BPF program (its
	 * helpers, a copy of user memory, the JIT's unnamed frames) is the probe's work, and a
	 * sample may land there, not only in the program itself.
	 */
	for (uint32_t i = 0; i < n; i++)
		if (f[i].kind != SYM_UNKNOWN && frames_is_probe(f[i].name))
			keep = i + 1;
	/* A stack as deep as the map holds may have lost its outermost frames. */
	ks->nframes = n - keep + (n == depth);
	ks->frames = xcalloc(ks->nframes ? ks->nframes : 1, sizeof(*ks->frames));
	if (n == depth)
		ks->frames[0] =
			(struct stack_frame){ .name = "[truncated]", .kind = STACK_FRAME_MARK };
	for (uint32_t i = n, j = n == depth; i-- > keep; j++)
		ks->frames[j] =
			(struct stack_frame){ .name = f[i].name, .kind = frames_kind(&f[i]) };
	return ks;
}

/* A user frame's address as kept (struct stack_frame): its function's start when named. */
static uint64_t frames_user_addr(const struct sym_frame *f, uint64_t pc)
{
	return f->kind == SYM_USER && f->offset <= pc ? pc - f->offset : pc;
}

/* Append a mark frame. */
static void frames_mark(struct stack_frame *frames, uint32_t *n, const char *what)
{
	frames[(*n)++] = (struct stack_frame){ .name = what, .kind = STACK_FRAME_MARK };
}

/*
 * What a stack id that is no stack lost it to, in the words of its drop counter: a hash
 * bucket another stack held (-EEXIST), else the kernel could not take it.
 */
static const char *frames_lost(int32_t id, bool user)
{
	if (id == -EEXIST)
		return "[stack collision]";
	return user ? "[missed user stack]" : "[missed kernel stack]";
}

/* What a frame-pointer stack that stands in for a failed copy says, by USTACK_FB_* cause. */
static const char *frames_fallback(int32_t id)
{
	switch ((id >> USTACK_FB_SHIFT) & 3) {
	case 0:
		return NULL;
	case USTACK_FB_RATE:
		return "[frame pointers: copy over rate]";
	case USTACK_FB_RING:
		return "[frame pointers: copy lost]";
	default:
		return "[frame pointers: block left elsewhere]";
	}
}

/* Append a key's kernel frames to the n frames in cf->buf; the new count. */
static uint32_t frames_kernel(struct collect_frames *cf, const struct stack_collect_key *k,
			      uint32_t n)
{
	const struct collect_kstack *ks = NULL;

	if (k->kstack == STACK_COLLECT_NONE)
		return n;
	if (k->kstack >= 0)
		ks = frames_kstack(cf, k->kstack);
	if (ks) {
		memcpy(cf->buf + n, ks->frames, ks->nframes * sizeof(*cf->buf));
		n += ks->nframes;
	} else if (k->kstack < 0) {
		frames_mark(cf->buf, &n, frames_lost(k->kstack, false));
	} else {
		frames_mark(cf->buf, &n, "[kernel stack not in the map]");
	}
	return n;
}

void collect_frames_keep_user(struct collect_frames *cf, const struct stack_collect_key *k,
			      uint32_t gen, const struct stack_frame *frames, uint32_t n)
{
	const struct frames_ustack u = {
		.tgid = k->tgid, .gen = gen, .id = k->ustack, .n = n, .frames = frames
	};

	*(struct frames_ustack *)htab_add(&cf->ustacks, frames_ustack_hash(&u)) = u;
}

void collect_frames_forget_user(struct collect_frames *cf)
{
	htab_clear(&cf->ustacks);
}

void collect_frames_forget_gen(struct collect_frames *cf, int gen)
{
	uint32_t first = gen && cf->map.gens ? cf->map.nids : 0;

	for (uint32_t i = first; i < first + cf->map.nids; i++) {
		free(cf->kstacks[i].frames);
		cf->kstacks[i] = (struct collect_kstack){ 0 };
		if (cf->hashes)
			cf->hashes[i] = 0;
	}
	/* The user frames of both maps: named again from the one still in use, at little cost. */
	htab_clear(&cf->ustacks);
}

bool collect_frames_stack_hash(struct collect_frames *cf, int32_t id, uint64_t *h)
{
	uint32_t bucket, slot, n;
	uint64_t v;
	int fd;

	if (!frames_locate(cf, id & ~(int32_t)(3u << USTACK_FB_SHIFT), &fd, &bucket, &slot))
		return false;
	if (!cf->hashes)
		cf->hashes = xcalloc(frames_nslots(cf), sizeof(*cf->hashes));
	if (cf->hashes[slot]) {
		*h = cf->hashes[slot];
		return true;
	}
	if (bpf_map_lookup_elem(fd, &bucket, cf->addrs))
		return false;
	n = frames_depth(cf);
	/* 0 stands for unknown: a hash of 0 is taken as 1. */
	v = hash_bytes(cf->addrs, n * sizeof(*cf->addrs)) ?: 1;
	cf->hashes[slot] = v;
	*h = v;
	return true;
}

void collect_frames_forget_ids(struct collect_frames *cf, const struct stack_collect_gone *g)
{
	const struct frames_ustack *u;
	struct htab kept;
	size_t pos = 0;

	for (uint32_t i = 0; i < frames_nslots(cf) && i < 2 * g->nids; i++) {
		if (!(g->bits[i / 64] >> (i % 64) & 1))
			continue;
		free(cf->kstacks[i].frames);
		cf->kstacks[i] = (struct collect_kstack){ 0 };
		if (cf->hashes)
			cf->hashes[i] = 0;
	}
	htab_init(&kept, sizeof(struct frames_ustack), _Alignof(struct frames_ustack));
	while ((u = htab_next(&cf->ustacks, &pos)))
		if (!stack_collect_is_gone(g, u->id))
			*(struct frames_ustack *)htab_add(&kept, frames_ustack_hash(u)) = *u;
	htab_fini(&cf->ustacks);
	cf->ustacks = kept;
}

/* Read (or find named) a key's user stack into cf->buf: b->n frames, b's other fields. */
static void frames_user(struct collect_frames *cf, struct collect_procs *ps,
			const struct stack_collect_key *k, struct collect_built *b)
{
	struct stack_frame *out = cf->buf;
	struct frames_ustack key = { .tgid = k->tgid, .id = k->ustack };
	const char *fallback = frames_fallback(k->ustack);
	const struct frames_ustack *u;
	/* The id without a fallback's cause bits. */
	int32_t id = k->ustack & ~(int32_t)(3u << USTACK_FB_SHIFT);
	uint32_t depth, n = 0;
	uint32_t bucket, slot;
	int fd;

	b->gen = key.gen = collect_procs_get(ps, k->tgid)->gen;
	u = htab_find_as(&cf->ustacks, struct frames_ustack, frames_ustack_hash(&key), &key,
			 frames_ustack_eq);
	if (u) {
		memcpy(out, u->frames, u->n * sizeof(*out));
		b->n = b->interned = u->n;
		return;
	}
	if (!frames_locate(cf, id, &fd, &bucket, &slot) ||
	    bpf_map_lookup_elem(fd, &bucket, cf->addrs)) {
		frames_mark(out, &b->n, "[user stack not in the map]");
		return;
	}
	depth = frames_depth(cf);
	if (fallback)
		frames_mark(out, &n, fallback);
	if (depth == cf->map.depth)
		frames_mark(out, &n, "[truncated]");
	for (uint32_t i = depth; i-- > 0;) {
		uint64_t pc = frames_call_addr(cf->addrs, i);
		struct sym_frame f;

		sym_user(cf->sc, k->tgid, pc, &f);
		out[n++] = (struct stack_frame){ .name = f.name,
						 .kind = frames_kind(&f),
						 .addr = frames_user_addr(&f, pc) };
	}
	b->n = b->nuser = n;
}

void collect_frames_build(struct collect_frames *cf, struct collect_procs *ps,
			  const struct stack_collect_key *k, struct collect_built *b)
{
	if (k->ustack >= 0)
		frames_user(cf, ps, k, b);
	else if (k->ustack != STACK_COLLECT_NONE)
		frames_mark(cf->buf, &b->n, frames_lost(k->ustack, true));
	b->n = frames_kernel(cf, k, b->n);
}

uint32_t collect_frames_unwound(struct collect_frames *cf, const struct stack_collect_key *k,
				const struct stack_collect_uframe *uf, uint32_t nuf,
				const char *mark)
{
	struct stack_frame *out = cf->buf;
	uint32_t n = 0;

	if (nuf > cf->map.depth) {
		nuf = cf->map.depth;
		mark = "[truncated]";
	}
	if (mark)
		frames_mark(out, &n, mark);
	else if (!nuf)
		frames_mark(out, &n, "[stack not unwound]");
	for (uint32_t i = nuf; i-- > 0;) {
		struct sym_frame f = { .name = uf[i].name, .kind = SYM_USER };
		uint64_t addr = 0; /* a function inlined at pc: its location is pc's frame's */

		if (!uf[i].name) {
			sym_user(cf->sc, k->tgid, uf[i].pc, &f);
			addr = frames_user_addr(&f, uf[i].pc);
		}
		out[n++] = (struct stack_frame){
			.name = f.name, .kind = frames_kind(&f), .src = uf[i].src, .addr = addr
		};
	}
	return frames_kernel(cf, k, n);
}
