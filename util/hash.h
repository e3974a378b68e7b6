/* SPDX-License-Identifier: GPL-2.0 */
/* Hashing for ktop's hash tables (util/htab.h) and the stack tree's tags. */
#ifndef KTOP_UTIL_HASH_H
#define KTOP_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A 64-bit mix with good avalanche (splitmix64's finalizer): x to a table hash. */
static inline uint64_t hash_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * A cheaper 64-bit hash, one multiply (Fibonacci hashing) with its high bits folded down: for
 * keys such as addresses, whose differences already spread over the low bits.
 */
static inline uint64_t hash_mul64(uint64_t x)
{
	x *= 0x9e3779b97f4a7c15ULL;
	return x ^ (x >> 31);
}

/* FNV-1a over len bytes, then hash_mix64: a hash of text whose low bits index a table. */
static inline uint64_t hash_bytes(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return hash_mix64(h);
}

/* hash_bytes of a NUL-terminated string's bytes. */
static inline uint64_t hash_str(const char *s)
{
	return hash_bytes(s, strlen(s));
}

#endif
