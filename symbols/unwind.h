/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DWARF unwinding of a copied user stack: from a thread's user registers and a copy of its
 * stack (taken by BPF at a sample or a block), the call chain, with libdw reading .eh_frame
 * and .debug_frame of the files the process maps. The process is never stopped or traced:
 * only the copy is read.
 */
#ifndef KTOP_SYMBOLS_UNWIND_H
#define KTOP_SYMBOLS_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Registers in a sample, in the DWARF numbering of the architecture (x86_64: 0-15, 16 = ip). */
#define UNWIND_NREGS 17

/* One sample to unwind. */
struct unwind_sample {
	uint32_t pid; /* tgid: whose maps the addresses belong to */
	uint32_t tid;
	const uint64_t *regs; /* UNWIND_NREGS registers, DWARF-numbered */
	uint64_t stack_base;  /* the user address of stack[0] */
	const uint8_t *stack; /* the copy */
	size_t stack_len;     /* bytes in it */
	bool stack_cut;	      /* the copy stopped at its size limit, not at the stack's end */
	/* Words of the copy to read as other values: return addresses a uretprobe replaced. */
	const uint64_t *fix_addr;
	const uint64_t *fix_value;
	size_t nfix;
};

/* Why an unwind stopped. */
enum unwind_end {
	UNWIND_END_OUTERMOST, /* the outermost frame: the chain is complete */
	UNWIND_END_CUT,	      /* a frame lay beyond the copy, which was cut at its limit */
	UNWIND_END_DEPTH,     /* the caller's array was full */
	UNWIND_END_ERROR,     /* no unwind information, or the stack did not make sense */
};

/* What the unwinder has done, for the header and benchmarks. */
struct unwind_stats {
	uint64_t samples; /* unwind_stack calls */
	uint64_t frames;  /* frames found */
	uint64_t errors;  /* samples that ended in UNWIND_END_ERROR after the first frame */
	uint64_t layouts; /* mapping layouts whose modules are loaded now (forked children share) */
	uint64_t layouts_dropped; /* layouts freed because no live process had them */
};

struct unwind_cache;
struct sym_cache;

/*
 * A new unwinder reading processes' maps through sc (borrowed), so they are read once for
 * names and unwinding; NULL: through a symbol cache of its own.
 */
struct unwind_cache *unwind_cache_new(struct sym_cache *sc);
void unwind_cache_free(struct unwind_cache *uc);

/*
 * Unwind s into pcs (innermost first, at most max), each the address of the call (or of the
 * interrupted instruction for the innermost), ready to symbolize. Returns how many; *end says
 * why it stopped and, for UNWIND_END_ERROR, why (libdw's message) is filled in.
 */
size_t unwind_stack(struct unwind_cache *uc, const struct unwind_sample *s, uint64_t *pcs,
		    size_t max, enum unwind_end *end, char *why, size_t why_len);

/*
 * The process ran exec or changed its maps: load its modules again at the next sample (from
 * the maps the symbol cache holds then: forget them there too).
 */
void unwind_forget(struct unwind_cache *uc, uint32_t pid);

void unwind_cache_stats(const struct unwind_cache *uc, struct unwind_stats *out);

struct srcinfo_level;
/*
 * What the debug information of pid's files says of pc (see srcinfo_at): inlined calls and
 * lines, innermost first; 0 levels without it. Loads pid's modules if need be.
 */
size_t unwind_source(struct unwind_cache *uc, uint32_t pid, uint64_t pc, struct srcinfo_level *out,
		     size_t max);

/* How long a debug file unwind_source opened may stay unread before unwind_release closes it. */
#define UNWIND_SOURCE_IDLE_NS 10000000000ULL

/*
 * Close the debug files unwind_source has not read for idle_ns (UNWIND_SOURCE_IDLE_NS once an
 * interval; 0: all of them), giving their memory back.
 */
void unwind_release(struct unwind_cache *uc, uint64_t idle_ns);
/* Debug files unwind_source holds open now (those it opened itself). */
size_t unwind_source_files(const struct unwind_cache *uc);

/* Whether this build can unwind (its architecture's registers are known). */
bool unwind_supported(void);

#endif
