// SPDX-License-Identifier: GPL-2.0
/*
 * A stack collector's counts map, drained into stack_collect.c. Entries are read and deleted
 * in one step; those a reset drains are kept apart and added to the next interval only, so
 * nothing the kernel summed is lost between a poll and the r key.
 */
#include "collectors/stack_source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/mman.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collectors/collector.h"
#include "collectors/ustack_reader.h"
#include "symbols/symbols.h"
#include "util/clock.h"
#include "util/xalloc.h"

struct stack_source {
	struct stack_source_desc d;
	int counts_fd;
	uint32_t counts_max;
	int drops_fd;
	struct sym_cache *sc;
	struct sym_cache *own_sc; /* when none was lent */
	struct stack_collect *st;
	struct ustack_reader *ur;
	int ncpus;
	__u64 *pcpu;	    /* lookup buffer: one counter per possible CPU */
	uint64_t *counters; /* d.ncounters of them */

	/* Drained entries, as many as the counts map holds. */
	struct stack_collect_key *keys;
	uint8_t *vals;
	size_t ndrained;
	/* Entries drained by a reset: they count for the next interval only. */
	struct stack_collect_key *carry_keys;
	uint8_t *carry_vals;
	size_t ncarry;

	/* Two stack maps: the one samples use, and the one a flip left until it is emptied. */
	int stacks_fd[2];
	uint32_t nids;
	uint32_t *ids; /* scratch for the ids of a map being emptied, nids of them */
	int gen;
	bool flipped;
	/* With refs: the mapped holder counts, and how many ids the flip found free. */
	const uint64_t *refs;
	size_t refs_len;
	uint64_t *taken; /* with d.taken: the mapped marks of ids taken, laid out as refs */
	uint32_t ndelete;
	uint64_t *gone; /* one bit per id of the two maps, for the retire */

	double last_poll; /* CLOCK_MONOTONIC seconds */
	double cum_start;
};

/*
 * Map an mmapable __u64 array of a value per id of the two stack maps (what says it) with
 * prot, its length in *len. The mapping, or NULL with why.
 */
static void *source_map_ids(struct stack_source *s, struct bpf_map *m, int prot, size_t *len,
			    const char *what, char *why, size_t why_len)
{
	size_t n = 2 * (size_t)s->nids;
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	*len = 0;
	if (bpf_map__max_entries(m) < n) {
		snprintf(why, why_len, "%s: the %s hold %u, not %zu", s->d.who, what,
			 bpf_map__max_entries(m), n);
		errno = EINVAL;
		return NULL;
	}
	*len = (n * sizeof(uint64_t) + (size_t)page - 1) / (size_t)page * (size_t)page;
	p = mmap(NULL, *len, prot, MAP_SHARED, bpf_map__fd(m), 0);
	if (p == MAP_FAILED) {
		int err = errno;

		snprintf(why, why_len, "%s: map the %s: %s", s->d.who, what, strerror(err));
		*len = 0;
		errno = err;
		return NULL;
	}
	return p;
}

/*
 * Map the holder counts of d.refs read-only, and the marks of d.taken (if any) to read and
 * clear. 0, or -errno with why.
 */
static int source_map_refs(struct stack_source *s, char *why, size_t why_len)
{
	size_t n = 2 * (size_t)s->nids;
	size_t len;

	s->refs = source_map_ids(s, s->d.refs, PROT_READ, &s->refs_len, "stack id counts", why,
				 why_len);
	if (!s->refs)
		return -errno;
	if (s->d.taken) {
		s->taken = source_map_ids(s, s->d.taken, PROT_READ | PROT_WRITE, &len,
					  "stack id marks", why, why_len);
		if (!s->taken)
			return -errno;
	}
	s->gone = xcalloc((n + 63) / 64, sizeof(*s->gone));
	return 0;
}

int stack_source_new(struct stack_source **out, const struct stack_source_desc *d,
		     const struct ktop_config *cfg, struct stack_set *interval,
		     struct stack_set *cumulative, struct collector *c)
{
	struct stack_collect_map map = {
		.fd = bpf_map__fd(d->stacks),
		.nids = 1,
		.depth = d->depth,
	};
	uint32_t stacks_max = bpf_map__max_entries(d->stacks);
	struct unwind_cache *uc;
	struct stack_source *s;
	int err;

	*out = NULL;
	s = xcalloc(1, sizeof(*s));
	s->d = *d;
	if (s->d.nprogs > STACK_SOURCE_PROGS_MAX)
		s->d.nprogs = STACK_SOURCE_PROGS_MAX;
	s->ncpus = bpf_common_ncpus(d->who, c->why, sizeof(c->why));
	if (s->ncpus < 0) {
		err = s->ncpus;
		goto out_free;
	}
	s->counts_fd = bpf_map__fd(d->counts);
	s->counts_max = bpf_map__max_entries(d->counts);
	s->drops_fd = bpf_map__fd(d->drops);
	s->sc = cfg ? cfg->syms : NULL;
	uc = s->sc ? cfg->unwinder : NULL;
	if (!s->sc) {
		err = sym_cache_new(&s->own_sc, c->why, sizeof(c->why));
		if (err)
			goto out_free;
		s->sc = s->own_sc;
	}
	/* Stack ids are bucket numbers: below the map size rounded up to a power of two. */
	while (map.nids < stacks_max && map.nids < (1u << 31))
		map.nids <<= 1;
	if (d->stacks1 && d->gens && d->gen) {
		map.gens = true;
		map.fd1 = bpf_map__fd(d->stacks1);
		s->stacks_fd[0] = map.fd;
		s->stacks_fd[1] = map.fd1;
		s->nids = map.nids;
		s->ids = xcalloc(map.nids, sizeof(*s->ids));
		s->gen = (int)(*d->gen & 1);
		if (d->refs) {
			err = source_map_refs(s, c->why, sizeof(c->why));
			if (err)
				goto out_free;
		}
	}
	s->st = stack_collect_new(s->sc, &map, d->scale, interval, cumulative);
	stack_collect_set_max(s->st, cfg ? cfg->max_stacks : 0);
	s->ur = ustack_reader_new(bpf_map__fd(d->ustack), d->ustack_rb, s->sc, uc);
	if (s->refs)
		ustack_reader_set_stacks(s->ur, s->st);
	s->pcpu = xcalloc((size_t)s->ncpus, sizeof(*s->pcpu));
	s->counters = xcalloc(d->ncounters ? d->ncounters : 1, sizeof(*s->counters));
	s->keys = xcalloc(s->counts_max ? s->counts_max : 1, sizeof(*s->keys));
	s->vals = xcalloc(s->counts_max ? s->counts_max : 1, d->value.size);
	s->last_poll = clock_seconds(CLOCK_MONOTONIC);
	s->cum_start = s->last_poll;
	err = stack_source_drops(s, c);
	if (err)
		goto out_free;
	*out = s;
	return 0;

out_free:
	stack_source_free(s);
	return err;
}

void stack_source_free(struct stack_source *s)
{
	if (!s)
		return;
	ustack_reader_free(s->ur);
	stack_collect_free(s->st);
	sym_cache_free(s->own_sc);
	free(s->pcpu);
	free(s->counters);
	free(s->keys);
	free(s->vals);
	free(s->carry_keys);
	free(s->carry_vals);
	free(s->ids);
	if (s->refs)
		munmap((void *)s->refs, s->refs_len);
	if (s->taken)
		munmap(s->taken, s->refs_len); /* as long: as many ids */
	free(s->gone);
	free(s);
}

struct ustack_reader *stack_source_reader(const struct stack_source *s)
{
	return s->ur;
}

void stack_source_note(struct stack_source *s, uint32_t tgid)
{
	stack_collect_note(s->st, tgid);
}

void stack_source_exec(struct stack_source *s, uint32_t tgid)
{
	stack_collect_exec(s->st, tgid);
	ustack_reader_exec(s->ur, tgid);
}

void stack_source_exit(struct stack_source *s, uint32_t tgid)
{
	stack_collect_exit(s->st, tgid);
}

/* Every id of stack map gen, into s->ids; how many. */
static uint32_t source_list_ids(struct stack_source *s, int gen)
{
	int fd = s->stacks_fd[gen];
	uint32_t n = 0;
	__u32 key;

	if (!bpf_map_get_next_key(fd, NULL, &key)) {
		do
			s->ids[n++] = key;
		while (n < s->nids && !bpf_map_get_next_key(fd, &key, &key));
	}
	return n;
}

/*
 * Every id of stack map gen taken since the map was last emptied, into s->ids: those marked
 * in s->taken, which no program writes while the map is retired. How many.
 */
static uint32_t source_taken_ids(struct stack_source *s, int gen)
{
	const uint64_t *t = s->taken + (gen ? s->nids : 0);
	uint32_t n = 0;

	for (uint32_t id = 0; id < s->nids; id++)
		if (__atomic_load_n(&t[id], __ATOMIC_RELAXED))
			s->ids[n++] = id;
	return n;
}

/*
 * After a flip, no block takes an id of map gen any more: those nothing holds now go at its
 * retire (s->ids[0, ndelete)). A block that ended before holds none, and its key was counted
 * before it let go, so the drain that follows reads it; one that still holds an id keeps it.
 */
static void source_free_ids(struct stack_source *s, int gen)
{
	uint32_t first = gen ? s->nids : 0;
	uint32_t n = s->taken ? source_taken_ids(s, gen) : source_list_ids(s, gen);
	uint32_t k = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = s->ids[i];

		if (id < s->nids && __atomic_load_n(&s->refs[first + id], __ATOMIC_ACQUIRE))
			continue;
		s->ids[k++] = id;
	}
	s->ndelete = k;
}

int stack_source_flip(struct stack_source *s, char *why, size_t why_len)
{
	__u32 next;
	int err;

	if (!s->ids)
		return 0;
	/* A poll that failed before its retire: that map goes first. */
	if (s->flipped)
		stack_source_retire(s);
	next = (__u32)!s->gen;
	*s->d.gen = next;
	/* Writing an array of maps returns once the programs running meanwhile have finished. */
	err = bpf_map_update_elem(bpf_map__fd(s->d.gens), &next, &s->stacks_fd[next], BPF_ANY);
	s->gen = (int)next;
	s->flipped = true;
	if (err) {
		err = -errno;
		snprintf(why, why_len, "%s: switch stack maps: %s", s->d.who, strerror(-err));
	}
	/* Without the wait, a block may still take an id there: none is deleted this time. */
	s->ndelete = 0;
	if (s->refs && !err)
		source_free_ids(s, !s->gen);
	return err;
}

/* Delete the ids the flip found free from map gen, and forget what they named. */
static void source_retire_free(struct stack_source *s, int gen)
{
	const struct stack_collect_gone g = { s->gone, s->nids };
	uint32_t first = gen ? s->nids : 0;

	memset(s->gone, 0, (2 * (size_t)s->nids + 63) / 64 * sizeof(*s->gone));
	for (uint32_t i = 0; i < s->ndelete; i++) {
		uint32_t b = first + s->ids[i];

		bpf_map_delete_elem(s->stacks_fd[gen], &s->ids[i]);
		if (s->ids[i] < s->nids)
			s->gone[b / 64] |= 1ull << (b % 64);
		if (s->taken && s->ids[i] < s->nids)
			__atomic_store_n(&s->taken[b], 0, __ATOMIC_RELAXED);
	}
	s->ndelete = 0;
	stack_collect_forget_ids(s->st, &g);
}

void stack_source_retire(struct stack_source *s)
{
	int old = !s->gen;
	int fd = s->stacks_fd[old];
	uint32_t n;

	if (!s->flipped)
		return;
	s->flipped = false;
	if (s->refs) {
		source_retire_free(s, old);
		return;
	}
	/* The ids first, then each deleted: a deleted key would start get_next_key over. */
	n = source_list_ids(s, old);
	for (uint32_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &s->ids[i]);
	stack_collect_forget_gen(s->st, old);
}

int stack_source_drain(struct stack_source *s, char *why, size_t why_len)
{
	char what[64];
	int n;

	snprintf(what, sizeof(what), "%s: drain the counts map", s->d.who);
	n = bpf_common_drain(s->counts_fd, s->keys, sizeof(*s->keys), s->vals, s->d.value.size,
			     s->counts_max, what, why, why_len);
	s->ndrained = n > 0 ? (size_t)n : 0;
	return n;
}

size_t stack_source_pending(const struct stack_source *s)
{
	return s->ncarry + s->ndrained;
}

/* A __u64 at byte offset at of a value. */
static uint64_t source_u64(const uint8_t *val, size_t at)
{
	uint64_t v;

	memcpy(&v, val + at, sizeof(v));
	return v;
}

/* Waiting entry i's key and value; whether a reset kept it. */
static bool source_at(const struct stack_source *s, size_t i, const struct stack_collect_key **k,
		      const uint8_t **val)
{
	bool carried = i < s->ncarry;
	size_t j = carried ? i : i - s->ncarry;

	*k = carried ? &s->carry_keys[j] : &s->keys[j];
	*val = (carried ? s->carry_vals : s->vals) + j * s->d.value.size;
	return carried;
}

const struct stack_collect_key *stack_source_entry(const struct stack_source *s, size_t i,
						   const char **comm, size_t *comm_len,
						   uint64_t *amount)
{
	const struct stack_collect_key *k;
	const uint8_t *val;

	source_at(s, i, &k, &val);
	*comm = (const char *)val + s->d.value.comm_at;
	*comm_len = s->d.value.comm_len;
	*amount = source_u64(val, s->d.value.amount_at);
	return k;
}

void stack_source_collect(struct stack_source *s)
{
	const struct stack_source_value *v = &s->d.value;
	size_t n = stack_source_pending(s);

	/* Processes of user stacks whose note was lost or is still on its way. */
	for (size_t i = 0; i < n; i++) {
		const struct stack_collect_key *k;
		const uint8_t *val;

		source_at(s, i, &k, &val);
		if (k->ustack != STACK_COLLECT_NONE)
			stack_collect_note(s->st, k->tgid);
	}
	stack_collect_begin(s->st);
	for (size_t i = 0; i < n; i++) {
		const struct stack_collect_key *k;
		const struct stack_collect_uframe *uf;
		const uint8_t *val;
		bool carried = source_at(s, i, &k, &val);
		uint32_t nuf;

		/* A copy that failed: the whole stack unwound before at the same place, if any. */
		if (ustack_reader_reuse(s->ur, k, &uf, &nuf)) {
			stack_collect_add_unwound(s->st, k, uf, nuf, NULL,
						  (const char *)val + v->comm_at, v->comm_len,
						  source_u64(val, v->amount_at),
						  source_u64(val, v->count_at), !carried);
			continue;
		}
		stack_collect_add(s->st, k, (const char *)val + v->comm_at, v->comm_len,
				  source_u64(val, v->amount_at), source_u64(val, v->count_at),
				  !carried);
	}
	ustack_reader_flush(s->ur, s->st, true);
	stack_collect_end(s->st);
	s->ncarry = 0;
	s->ndrained = 0;
}

void stack_source_skip(struct stack_source *s)
{
	s->ncarry = 0;
	s->ndrained = 0;
	ustack_reader_discard(s->ur);
}

void stack_source_interval_end(struct stack_source *s, double now, double *interval_s,
			       double *cumulative_s)
{
	/* Copied stacks sent after now belong to the next interval. */
	ustack_reader_cut(s->ur, (uint64_t)(now * 1e9));
	*interval_s = now - s->last_poll;
	*cumulative_s = now - s->cum_start;
	s->last_poll = now;
}

void stack_source_reset(struct stack_source *s, bool keep)
{
	char why[COLLECTOR_WHY_LEN];

	if (stack_source_drain(s, why, sizeof(why)) > 0 && keep) {
		s->carry_keys = bpf_common_append(s->carry_keys, s->ncarry, s->keys, s->ndrained,
						  sizeof(*s->keys));
		s->carry_vals = bpf_common_append(s->carry_vals, s->ncarry, s->vals, s->ndrained,
						  s->d.value.size);
		s->ncarry += s->ndrained;
	}
	s->ndrained = 0;
	stack_collect_reset(s->st);
	s->cum_start = clock_seconds(CLOCK_MONOTONIC);
}

void stack_source_restart(struct stack_source *s)
{
	char why[COLLECTOR_WHY_LEN];

	/* Stacks copied under the old settings: read (an own ring) and dropped. */
	ustack_reader_consume(s->ur);
	stack_source_drain(s, why, sizeof(why));
	stack_source_skip(s);
	stack_collect_reset(s->st);
	s->last_poll = clock_seconds(CLOCK_MONOTONIC);
	s->cum_start = s->last_poll;
}

int stack_source_drops(struct stack_source *s, struct collector *c)
{
	uint64_t recursion = 0;
	int err;

	err = bpf_common_counters_read(s->drops_fd, s->pcpu, s->ncpus, s->counters, s->d.ncounters,
				       s->d.who, c->why, sizeof(c->why));
	if (err)
		return err;
	for (size_t i = 0; i < s->d.nprogs; i++)
		recursion += bpf_common_recursion_misses(s->d.prog_fds[i]);
	bpf_common_drops_fill(c, s->d.names, s->d.nnames, s->counters, recursion);
	stack_collect_drops(s->st, c);
	ustack_reader_drops(s->ur, c);
	return 0;
}
