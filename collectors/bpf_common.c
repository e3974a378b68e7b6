// SPDX-License-Identifier: GPL-2.0
/* libbpf steps the collectors share: BTF check, CPU count, per-CPU sums, draining. */
#include "collectors/bpf_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/collector.h"
#include "util/xalloc.h"

int bpf_common_attach(const struct bpf_common_tp *tps, size_t n, struct bpf_link **links,
		      struct bpf_program **progs, size_t *nlinks, const char *who, char *why,
		      size_t why_len)
{
	for (size_t i = 0; i < n; i++) {
		struct bpf_link *link = bpf_program__attach(tps[i].prog);
		int err;

		if (!link) {
			err = errno ? -errno : -EINVAL;
			snprintf(why, why_len, "%s: attach %s: %s", who, tps[i].tp, strerror(-err));
			return err;
		}
		links[*nlinks] = link;
		progs[*nlinks] = tps[i].prog;
		(*nlinks)++;
	}
	return 0;
}

/* Load vmlinux BTF into *btf (the caller frees it with btf__free), or -errno. */
void bpf_common_detach(struct bpf_link **links, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		bpf_link__destroy(links[i]);
	*n = 0;
}

int bpf_common_btf_load(struct btf **btf, const char *who, char *why, size_t why_len)
{
	int err;

	*btf = btf__load_vmlinux_btf();
	if (*btf)
		return 0;
	err = errno ? -errno : -ENOENT;
	snprintf(why, why_len, "%s: load kernel BTF: %s", who, strerror(-err));
	return err;
}

/* 0 when vmlinux BTF can be read; -ENOTSUP ("needs kernel BTF") when it is missing. */
int bpf_common_btf_check(const char *who, char *why, size_t why_len)
{
	int err;

	if (!access(BPF_COMMON_BTF_PATH, R_OK))
		return 0;
	err = errno == ENOENT ? -ENOTSUP : -errno;
	if (err == -ENOTSUP)
		snprintf(why, why_len, "needs kernel BTF (" BPF_COMMON_BTF_PATH " is missing)");
	else
		snprintf(why, why_len, "%s: read " BPF_COMMON_BTF_PATH ": %s", who, strerror(-err));
	return err;
}

bool bpf_common_btf_has(const char *name, int kind)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool has;

	if (!btf)
		return false;
	has = btf__find_by_name_kind(btf, name, kind) > 0;
	btf__free(btf);
	return has;
}

int bpf_common_tp_btf_args(const struct btf *btf, const char *tp)
{
	char name[128];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return -ENOENT;
	/* typedef -> pointer -> func_proto(void *ctx, the tracepoint's arguments...) */
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t) ? btf_vlen(t) : 0;
}

/* Whether sched_switch can be attached as tp_btf, and passes prev_state (v5.18+). */
int bpf_common_switch_btf(bool *tp_btf, bool *prev_state, const char *who, char *why,
			  size_t why_len)
{
	struct btf *btf;
	int err;
	int n;

	err = bpf_common_btf_load(&btf, who, why, why_len);
	if (err)
		return err;
	n = bpf_common_tp_btf_args(btf, "sched_switch");
	*tp_btf = n >= 0;
	/* (ctx, preempt, prev, next[, prev_state]) */
	*prev_state = n >= 5;
	btf__free(btf);
	return 0;
}

/* How many CPUs are possible (per-CPU maps hold one value each), or -errno. */
int bpf_common_ncpus(const char *who, char *why, size_t why_len)
{
	int ncpus = libbpf_num_possible_cpus();
	int err;

	if (ncpus > 0)
		return ncpus;
	err = ncpus < 0 ? ncpus : -EINVAL;
	snprintf(why, why_len, "%s: count possible CPUs: %s", who, strerror(-err));
	return err;
}

/* Sum slot idx of a per-CPU u64 array over ncpus CPUs into *sum (untouched on error). */
int bpf_common_pcpu_sum(int map_fd, uint32_t idx, __u64 *pcpu, int ncpus, uint64_t *sum)
{
	__u32 key = idx;
	uint64_t s = 0;
	int err;

	err = bpf_map_lookup_elem(map_fd, &key, pcpu);
	if (err)
		return err;
	for (int cpu = 0; cpu < ncpus; cpu++)
		s += pcpu[cpu];
	*sum = s;
	return 0;
}

/* Read slots 0..n-1 of a per-CPU drop-counter array, each summed over CPUs. */
int bpf_common_counters_read(int map_fd, __u64 *pcpu, int ncpus, uint64_t *counters, uint32_t n,
			     const char *who, char *why, size_t why_len)
{
	int err;

	for (uint32_t i = 0; i < n; i++) {
		err = bpf_common_pcpu_sum(map_fd, i, pcpu, ncpus, &counters[i]);
		if (err) {
			snprintf(why, why_len, "%s: read the drop counters: %s", who,
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

/* A program's recursion misses as the kernel counts them; 0 when they cannot be read. */
uint64_t bpf_common_recursion_misses(int prog_fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	return info.recursion_misses;
}

/* Fill c->drops from the named counter slots, in the table's order. */
void bpf_common_drops_fill(struct collector *c, const struct bpf_common_drop *names, size_t n,
			   const uint64_t *counters, uint64_t recursion)
{
	for (size_t i = 0; i < n; i++) {
		int idx = names[i].idx;

		c->drops[i].name = names[i].name;
		c->drops[i].count = idx < 0 ? recursion : counters[idx];
	}
	c->ndrops = n;
}

/*
 * Read up to cap entries of a hash map into keys/vals, chunk at a time (0: all in one call),
 * deleting each as it is read when drain. Returns how many entries were read, or -errno.
 */
static int bpf_common_batch(int map_fd, bool drain, void *keys, size_t key_size, void *vals,
			    size_t val_size, uint32_t cap, uint32_t chunk, const char *what,
			    char *why, size_t why_len)
{
	__u32 token = 0;
	bool first = true;
	uint32_t n = 0;
	int err;

	while (n < cap) {
		__u32 count = chunk && cap - n > chunk ? chunk : cap - n;
		void *k = (char *)keys + n * key_size;
		void *v = (char *)vals + n * val_size;

		if (drain)
			err = bpf_map_lookup_and_delete_batch(map_fd, first ? NULL : &token, &token,
							      k, v, &count, NULL);
		else
			err = bpf_map_lookup_batch(map_fd, first ? NULL : &token, &token, k, v,
						   &count, NULL);
		if (err && err != -ENOENT && !(err == -ENOSPC && n)) {
			snprintf(why, why_len, "%s: %s", what, strerror(-err));
			return err;
		}
		n += count;
		/* ENOENT: the end; ENOSPC: a bucket is left for the next time. */
		if (err)
			break;
		first = false;
	}
	return (int)n;
}

/*
 * Move up to cap entries of a hash map into keys/vals, each read and deleted at once, so an
 * entry written meanwhile is either read now or left for the next time. what names the map in
 * the reason ("offcpu: drain the counts map"). Returns how many entries were read, or -errno.
 */
int bpf_common_drain(int map_fd, void *keys, size_t key_size, void *vals, size_t val_size,
		     uint32_t cap, const char *what, char *why, size_t why_len)
{
	return bpf_common_batch(map_fd, true, keys, key_size, vals, val_size, cap, 0, what, why,
				why_len);
}

int bpf_common_read_all(int map_fd, void *keys, size_t key_size, void *vals, size_t val_size,
			uint32_t cap, const char *what, char *why, size_t why_len)
{
	return bpf_common_batch(map_fd, false, keys, key_size, vals, val_size, cap,
				BPF_COMMON_READ_CHUNK, what, why, why_len);
}

void *bpf_common_append(void *arr, size_t n, const void *add, size_t add_n, size_t size)
{
	arr = xreallocarray(arr, n + add_n, size);
	memcpy((char *)arr + n * size, add, add_n * size);
	return arr;
}

bool bpf_common_has_task_pt_regs(void)
{
	static int known = -1;

	/* A perf_event program has the tracing helpers and loads without kprobes. */
	if (known < 0)
		known = libbpf_probe_bpf_helper(BPF_PROG_TYPE_PERF_EVENT, BPF_FUNC_task_pt_regs,
						NULL) == 1;
	return known;
}

uint32_t bpf_common_delete_keys(int map_fd, const void *keys, size_t key_size, uint32_t n)
{
	uint32_t done = 0, deleted = 0;

	while (done < n) {
		const void *k = (const char *)keys + (size_t)done * key_size;
		__u32 count = n - done;
		int err = bpf_map_delete_batch(map_fd, k, &count, NULL);

		deleted += count;
		done += count;
		if (!err || done >= n)
			break;
		if (err != -ENOENT) {
			/* no batches here: one call a key */
			for (; done < n; done++)
				deleted += !bpf_map_delete_elem(
					map_fd, (const char *)keys + (size_t)done * key_size);
			break;
		}
		done++; /* gone already (the kernel side deleted it): the rest go on */
	}
	return deleted;
}
