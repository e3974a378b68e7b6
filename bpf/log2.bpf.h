/* SPDX-License-Identifier: GPL-2.0 */
/* The log2 slot of a histogram value, shared by the programs that sum log2 histograms. */
#ifndef KTOP_BPF_LOG2_BPF_H
#define KTOP_BPF_LOG2_BPF_H

/*
 * floor(log2(v)), 0 for 0 and 1, clamped to last. A global function is verified once on its
 * own (inlined at each use, its branches multiply the verifier's paths), and the verifier does
 * not know the range of what it returns: a caller indexing an array masks the slot.
 */
__noinline __u32 ktop_log2_slot(__u64 v, __u32 last)
{
	__u32 s = 0;

	if (v >> 32) {
		v >>= 32;
		s += 32;
	}
	if (v >> 16) {
		v >>= 16;
		s += 16;
	}
	if (v >> 8) {
		v >>= 8;
		s += 8;
	}
	if (v >> 4) {
		v >>= 4;
		s += 4;
	}
	if (v >> 2) {
		v >>= 2;
		s += 2;
	}
	if (v >> 1)
		s += 1;
	return s < last ? s : last;
}

#endif
