// SPDX-License-Identifier: GPL-2.0
#include "collectors/collector.h"

uint64_t collector_drops_total(const struct collector *c)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < c->ndrops; i++)
		sum += c->drops[i].count;
	return sum;
}
