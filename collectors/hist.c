// SPDX-License-Identifier: GPL-2.0
/* Log2 histograms: slot arithmetic, interval differences and estimates. */
#include "collectors/hist.h"

#include <stddef.h>

/* floor(log2(value)) for value >= 1. */
static unsigned int hist_log2(uint64_t value)
{
	return 63 - (unsigned int)__builtin_clzll(value);
}

unsigned int hist_slot(uint64_t value)
{
	unsigned int slot;

	if (value < 2)
		return 0;
	slot = hist_log2(value);
	return slot < HIST_SLOTS ? slot : HIST_SLOTS - 1;
}

uint64_t hist_slot_low(unsigned int slot)
{
	if (slot >= HIST_SLOTS)
		slot = HIST_SLOTS - 1;
	return slot ? (uint64_t)1 << slot : 0;
}

/* The nominal top of the slot; the last slot also holds larger values. */
uint64_t hist_slot_high(unsigned int slot)
{
	if (slot >= HIST_SLOTS)
		slot = HIST_SLOTS - 1;
	return ((uint64_t)1 << (slot + 1)) - 1;
}

void hist_record(struct hist *h, uint64_t value)
{
	h->slots[hist_slot(value)]++;
	h->count++;
	h->sum += value;
}

void hist_add(struct hist *h, const struct hist *o)
{
	for (unsigned int i = 0; i < HIST_SLOTS; i++)
		h->slots[i] += o->slots[i];
	h->count += o->count;
	h->sum += o->sum;
}

/* a - b, or 0 when b is larger. */
static uint64_t hist_sub_clamped(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Works in place (out may be a or b); count is recomputed so it stays the sum of the slots. */
void hist_sub(struct hist *out, const struct hist *a, const struct hist *b)
{
	uint64_t count = 0;
	uint64_t sum = hist_sub_clamped(a->sum, b->sum);

	for (unsigned int i = 0; i < HIST_SLOTS; i++) {
		out->slots[i] = hist_sub_clamped(a->slots[i], b->slots[i]);
		count += out->slots[i];
	}
	out->count = count;
	out->sum = sum;
}

bool hist_range(const struct hist *h, unsigned int *first, unsigned int *last)
{
	int lo = -1;
	int hi = -1;

	for (int i = 0; i < HIST_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
	}
	if (lo < 0)
		return false;
	if (first)
		*first = (unsigned int)lo;
	if (last)
		*last = (unsigned int)hi;
	return true;
}

uint64_t hist_max_count(const struct hist *h)
{
	uint64_t max = 0;

	for (unsigned int i = 0; i < HIST_SLOTS; i++)
		if (h->slots[i] > max)
			max = h->slots[i];
	return max;
}

/*
 * The value below which p% of the counted values fall, assuming values are spread evenly
 * inside each slot: p100 is the top of the highest non-empty slot.
 */
double hist_percentile(const struct hist *h, double p)
{
	uint64_t total = 0;
	double rank;
	double seen = 0;
	unsigned int first, last;

	for (unsigned int i = 0; i < HIST_SLOTS; i++)
		total += h->slots[i];
	if (!total || !hist_range(h, &first, &last))
		return -1;
	if (!(p > 0))
		return (double)hist_slot_low(first);
	if (p > 100)
		p = 100;

	rank = p / 100.0 * (double)total;
	for (unsigned int i = first; i <= last; i++) {
		double n = (double)h->slots[i];
		double low, high;

		if (!h->slots[i])
			continue;
		/* Rounding must not walk past the last slot. */
		if (seen + n < rank && i != last) {
			seen += n;
			continue;
		}
		low = (double)hist_slot_low(i);
		high = (double)hist_slot_high(i);
		if (rank <= seen)
			return low;
		if (rank >= seen + n)
			return high;
		return low + (high - low) * (rank - seen) / n;
	}
	return -1;
}

double hist_mean(const struct hist *h)
{
	if (!h->count)
		return -1;
	return (double)h->sum / (double)h->count;
}
