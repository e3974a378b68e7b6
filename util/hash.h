/* SPDX-License-Identifier: GPL-2.0 */
/* Hashing for ktop's open-addressing tables. */
#ifndef KTOP_UTIL_HASH_H
#define KTOP_UTIL_HASH_H

#include <stdint.h>

/* A 64-bit mix with good avalanche (splitmix64's finalizer): x to a table hash. */
static inline uint64_t hash_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

#endif
