/* SPDX-License-Identifier: GPL-2.0 */
/* Log2 histograms as the kernel side fills them, and what can be estimated from them. */
#ifndef KTOP_HIST_H
#define KTOP_HIST_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Slot 0 holds the values 0 and 1; slot k (k >= 1) holds [2^k, 2^(k+1) - 1].
 * The last slot also holds everything larger (the kernel clamps).
 */
#define HIST_SLOTS 32

struct hist {
	uint64_t slots[HIST_SLOTS];
	uint64_t count; /* sum of slots */
	uint64_t sum;   /* sum of the values, in the histogram's unit */
};

/* The slot a value falls in, clamped to the last slot. */
unsigned int hist_slot(uint64_t value);
/* The smallest and largest value of a slot. */
uint64_t hist_slot_low(unsigned int slot);
uint64_t hist_slot_high(unsigned int slot);
/* Count one value. */
void hist_record(struct hist *h, uint64_t value);
/* h += o. */
void hist_add(struct hist *h, const struct hist *o);
/* out = a - b, slot by slot, never below zero (b is an earlier reading of a). */
void hist_sub(struct hist *out, const struct hist *a, const struct hist *b);
/* The first and last non-empty slots; false when the histogram is empty. */
bool hist_range(const struct hist *h, unsigned int *first, unsigned int *last);
/* The largest slot count. */
uint64_t hist_max_count(const struct hist *h);
/* Estimate the p-th percentile (0 < p <= 100) by interpolating inside its slot; -1 if empty. */
double hist_percentile(const struct hist *h, double p);
/* The mean value, or -1 if empty. */
double hist_mean(const struct hist *h);

#endif
