/* SPDX-License-Identifier: GPL-2.0 */
/* libbpf steps the collectors share: BTF check, CPU count, per-CPU sums, draining. */
#ifndef KTOP_COLLECTORS_BPF_COMMON_H
#define KTOP_COLLECTORS_BPF_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

struct btf;
struct collector;

/* A drop counter shown to the user: its name and slot; idx -1 is the programs' recursion misses. */
struct bpf_common_drop {
	const char *name;
	int idx;
};

#define BPF_COMMON_BTF_PATH "/sys/kernel/btf/vmlinux"
#define BPF_COMMON_READ_CHUNK 1024 /* entries bpf_common_read_all copies in one call */

/* Microseconds as nanoseconds, saturating. */
static inline __u64 bpf_common_us_to_ns(uint64_t us)
{
	return us > UINT64_MAX / 1000 ? UINT64_MAX : us * 1000;
}

struct bpf_link;
struct bpf_program;

/* A loaded tracepoint program and the tracepoint's name, for bpf_common_attach. */
struct bpf_common_tp {
	const char *tp;
	struct bpf_program *prog;
};

/*
 * Attach n programs in order, each link and program appended at *nlinks of links and progs;
 * 0, or -errno with why naming the tracepoint that failed ("who: attach sched_switch: ...").
 */
int bpf_common_attach(const struct bpf_common_tp *tps, size_t n, struct bpf_link **links,
		      struct bpf_program **progs, size_t *nlinks, const char *who, char *why,
		      size_t why_len);
/* Destroy the n links that bpf_common_attach made (detaching their programs); n is 0 after. */
void bpf_common_detach(struct bpf_link **links, size_t *n);
int bpf_common_btf_load(struct btf **btf, const char *who, char *why, size_t why_len);
int bpf_common_btf_check(const char *who, char *why, size_t why_len);
/* Whether vmlinux BTF has a type of this name and BTF_KIND_* (false if it cannot be read). */
bool bpf_common_btf_has(const char *name, int kind);
/*
 * The parameters of tracepoint tp's BTF prototype, ctx included (the number tells which
 * version of its arguments the kernel passes); -ENOENT when the kernel has no BTF tracepoint
 * of that name (no tp_btf), 0 when its prototype cannot be read.
 */
int bpf_common_tp_btf_args(const struct btf *btf, const char *tp);
/*
 * Whether sched_switch can be attached as tp_btf, and passes prev_state (v5.18+, which the
 * thread-state classes of sched_class.bpf.h read); 0, or -errno with why if BTF is unreadable.
 */
int bpf_common_switch_btf(bool *tp_btf, bool *prev_state, const char *who, char *why,
			  size_t why_len);
int bpf_common_ncpus(const char *who, char *why, size_t why_len);
/*
 * Whether the kernel's tracing programs have bpf_task_pt_regs (v5.15), which copying user
 * stacks for DWARF unwinding needs. Probed once.
 */
bool bpf_common_has_task_pt_regs(void);
int bpf_common_pcpu_sum(int map_fd, uint32_t idx, __u64 *pcpu, int ncpus, uint64_t *sum);
int bpf_common_counters_read(int map_fd, __u64 *pcpu, int ncpus, uint64_t *counters, uint32_t n,
			     const char *who, char *why, size_t why_len);
uint64_t bpf_common_recursion_misses(int prog_fd);
void bpf_common_drops_fill(struct collector *c, const struct bpf_common_drop *names, size_t n,
			   const uint64_t *counters, uint64_t recursion);
/*
 * Append add_n elements of size bytes from add to the n of arr (grown; NULL: none yet), as a
 * reset keeps the entries it drained for the next poll. Returns the array.
 */
void *bpf_common_append(void *arr, size_t n, const void *add, size_t add_n, size_t size);
/*
 * Read up to cap entries of a hash map into keys/vals, deleting nothing, BPF_COMMON_READ_CHUNK
 * a call so that the kernel's copy stays small; how many, or -errno with why ("what: reason").
 */
int bpf_common_read_all(int map_fd, void *keys, size_t key_size, void *vals, size_t val_size,
			uint32_t cap, const char *what, char *why, size_t why_len);
int bpf_common_drain(int map_fd, void *keys, size_t key_size, void *vals, size_t val_size,
		     uint32_t cap, const char *what, char *why, size_t why_len);
/* Delete n keys of a hash map, in batches of one call where the kernel can; how many went. */
uint32_t bpf_common_delete_keys(int map_fd, const void *keys, size_t key_size, uint32_t n);

#endif
