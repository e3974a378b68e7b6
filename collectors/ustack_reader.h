/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user side of DWARF unwinding for the stack collectors: reads the records of a
 * ustack_ring (bpf/ustack.h), unwinds each copied stack with symbols/unwind.c as it arrives,
 * and hands the results to stack_collect.c at the collector's next poll.
 */
#ifndef KTOP_USTACK_READER_H
#define KTOP_USTACK_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/stack_collect.h"

struct ring_buffer;

/* What the reader has done since it was made. */
struct ustack_reader_stats {
	uint64_t records;    /* stacks received */
	uint64_t frames;     /* user frames unwound */
	uint64_t incomplete; /* stacks whose unwinding stopped short (no CFI, a bad frame) */
	uint64_t cut;	     /* stacks deeper than the copy */
	uint64_t failed;     /* stacks not unwound at all (the process was gone) */
	uint64_t reused;     /* fallback stacks that took a whole stack unwound before */
};

struct ustack_reader;

struct sym_cache;
struct unwind_cache;

/*
 * A reader of the ring buffer map map_fd, to be added to rb when rb is given (the collector's
 * own ring buffer, consumed by it), else read through a ring buffer of its own. It unwinds
 * with uc (borrowed: the unwinder every reader shares), or with one of its own reading maps
 * through sc (borrowed) when uc is NULL. Nothing is mapped before ustack_reader_start: the
 * ring costs no memory while DWARF unwinding is off.
 */
struct ustack_reader *ustack_reader_new(int map_fd, struct ring_buffer *rb, struct sym_cache *sc,
					struct unwind_cache *uc);
void ustack_reader_free(struct ustack_reader *r);
/* Map the ring and read it from now on (once: later calls do nothing). 0, or -errno with why. */
int ustack_reader_start(struct ustack_reader *r, char *why, size_t why_len);
/* Whether it was started. */
bool ustack_reader_started(const struct ustack_reader *r);

/* The epoll fd of the reader's own ring buffer, or -1 when it shares the collector's. */
int ustack_reader_epoll_fd(const struct ustack_reader *r);
/* Read and unwind what waits in the reader's own ring buffer (0 with a shared one), or -errno. */
int ustack_reader_consume(struct ustack_reader *r);

/*
 * End the interval at cut_ns (CLOCK_MONOTONIC): the stacks sent until then are the ones
 * ustack_reader_count, _entry and _flush see; later ones wait for the next cut.
 */
void ustack_reader_cut(struct ustack_reader *r, uint64_t cut_ns);
/*
 * Add what was unwound since the last flush (up to the cut, if one was made) to st (between
 * its begin and end), and forget it.
 */
void ustack_reader_flush(struct ustack_reader *r, struct stack_collect *st, bool cumulative);
/* How many unwound stacks wait for the next flush. */
size_t ustack_reader_count(const struct ustack_reader *r);
/* Waiting stack i: its thread and stack key, with its name (not escaped) and amount. */
const struct stack_collect_key *ustack_reader_entry(const struct ustack_reader *r, size_t i,
						    const char **comm, uint64_t *amount);
/*
 * For an entry counted with frame pointers because its copy failed (its user stack id carries
 * a USTACK_FB_* cause): the whole stack last unwound for the same thread and frame-pointer
 * stack, in *uf (valid until the next poll), or false when there is none.
 */
bool ustack_reader_reuse(struct ustack_reader *r, const struct stack_collect_key *k,
			 const struct stack_collect_uframe **uf, uint32_t *nuf);
/*
 * Key the stacks kept for reuse by the content of their frame-pointer stacks, read through st
 * (borrowed; NULL: by id), whose stack maps may delete ids and give them to other stacks.
 */
void ustack_reader_set_stacks(struct ustack_reader *r, struct stack_collect *st);
/* Drop what was unwound and not yet flushed (a reset of the collector's figures). */
void ustack_reader_discard(struct ustack_reader *r);

/* A process ran exec: unwind its next stacks with its new files. */
void ustack_reader_exec(struct ustack_reader *r, uint32_t tgid);

void ustack_reader_stats(const struct ustack_reader *r, struct ustack_reader_stats *out);

struct collector;
/* Add the reader's own losses to c's drop counters (after the BPF ones), room permitting. */
void ustack_reader_drops(const struct ustack_reader *r, struct collector *c);

struct ktop_config;
/* KiB of user stack copied above the stack pointer: --ustack-size, or 16 when unset. */
uint32_t ustack_reader_kib(const struct ktop_config *cfg);
/*
 * Bytes of ring buffer for a collector that sends at most rate copies of kib KiB a second on
 * each of ncpus CPUs: what half a second of them takes (the reader may be busy that long,
 * opening a large debug file), a power of two from 256 KiB to USTACK_RING_SIZE.
 */
uint32_t ustack_reader_ring_bytes(uint32_t kib, uint32_t rate, int ncpus);

/*
 * Whether stacks can be copied and unwound here: the build knows the architecture's registers
 * and the kernel has bpf_task_pt_regs.
 */
bool ustack_reader_can_copy(void);

/*
 * What the header says of how user stacks are walked: "dwarf, 16 KiB" (copies of kib KiB) or
 * "frame pointers", followed by " (auto)" when ktop chose it.
 */
void ustack_reader_describe(char *out, size_t len, bool dwarf, uint32_t kib, bool automatic);

#endif
