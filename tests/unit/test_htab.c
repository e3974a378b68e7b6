// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of util/htab.c, the one hash table: entries found again through growth, collisions
 * and wrap-around, removals that must keep every other entry findable (checked against a
 * plain array after each step), walks that see each entry once, hashes of any value, and
 * entries at their type's alignment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/htab.h"

/* A test entry: its key and a value derived from it. */
struct ent {
	uint32_t key;
	uint32_t val;
	char pad[13]; /* an entry size that is not a multiple of 8 */
};

static bool ent_eq(const void *entry, const void *key)
{
	return ((const struct ent *)entry)->key == *(const uint32_t *)key;
}

/* A good hash, and one that sends every key to a few slots (long runs, collisions). */
static uint64_t good(uint32_t k)
{
	return hash_mix64(k);
}

static uint64_t bad(uint32_t k)
{
	return k % 3;
}

/* Add key k with value v, which must be new. */
static void put(struct htab *t, uint64_t (*hash)(uint32_t), uint32_t k, uint32_t v)
{
	bool added = false;
	struct ent *e = htab_insert(t, hash(k), &k, ent_eq, &added);

	assert_true(added);
	assert_int_equal(e->key, 0);
	assert_int_equal(e->val, 0);
	e->key = k;
	e->val = v;
}

/* Whether key k is found with value v (v == 0: not found). */
static void expect(const struct htab *t, uint64_t (*hash)(uint32_t), uint32_t k, uint32_t v)
{
	const struct ent *e = htab_find(t, hash(k), &k, ent_eq);

	if (!v) {
		assert_null(e);
		return;
	}
	assert_non_null(e);
	assert_int_equal(e->key, k);
	assert_int_equal(e->val, v);
}

/* An empty table finds nothing and deletes nothing, before and after its slots exist. */
static void test_empty(void **state)
{
	struct htab t;
	uint32_t k = 7;
	size_t pos = 0;

	(void)state;
	htab_init(&t, sizeof(struct ent), _Alignof(struct ent));
	htab_prefetch(&t, 1);
	assert_null(htab_find(&t, good(k), &k, ent_eq));
	assert_false(htab_delete(&t, good(k), &k, ent_eq));
	assert_null(htab_next(&t, &pos));
	assert_int_equal(htab_len(&t), 0);
	put(&t, good, k, 1);
	htab_clear(&t);
	assert_null(htab_find(&t, good(k), &k, ent_eq));
	assert_int_equal(htab_len(&t), 0);
	htab_fini(&t);
	htab_fini(&t);
}

/* Entries keep their contents through many doublings, with either hash. */
static void test_grow(void **state)
{
	uint64_t (*hashes[])(uint32_t) = { good, bad };

	(void)state;
	for (size_t h = 0; h < 2; h++) {
		uint32_t n = h ? 600 : 100000;
		struct htab t;

		htab_init(&t, sizeof(struct ent), _Alignof(struct ent));
		for (uint32_t k = 1; k <= n; k++)
			put(&t, hashes[h], k, k * 7 + 1);
		assert_int_equal(htab_len(&t), n);
		assert_true(4 * n <= 3 * t.cap);
		for (uint32_t k = 1; k <= n; k++)
			expect(&t, hashes[h], k, k * 7 + 1);
		expect(&t, hashes[h], n + 1, 0);
		expect(&t, hashes[h], 0, 0);
		htab_fini(&t);
	}
}

/* Inserting a key that is there returns its entry, untouched, and adds nothing. */
static void test_insert_finds(void **state)
{
	struct htab t;
	bool added = true;
	uint32_t k = 42;
	struct ent *e;

	(void)state;
	htab_init(&t, sizeof(struct ent), _Alignof(struct ent));
	put(&t, good, k, 9);
	e = htab_insert(&t, good(k), &k, ent_eq, &added);
	assert_false(added);
	assert_int_equal(e->val, 9);
	assert_ptr_equal(e, htab_find(&t, good(k), &k, ent_eq));
	assert_ptr_equal(e, htab_insert(&t, good(k), &k, ent_eq, NULL));
	assert_int_equal(htab_len(&t), 1);
	htab_fini(&t);
}

/* Keys whose hashes differ only in the top bit, and hash 0, are apart (eq decides). */
static uint64_t top_bit(uint32_t k)
{
	return k & 1 ? 1ULL << 63 : 0;
}

static void test_any_hash(void **state)
{
	struct htab t;

	(void)state;
	htab_init(&t, sizeof(struct ent), _Alignof(struct ent));
	put(&t, top_bit, 2, 20);
	put(&t, top_bit, 1, 10);
	expect(&t, top_bit, 2, 20);
	expect(&t, top_bit, 1, 10);
	assert_true(htab_delete(&t, top_bit(2), &(uint32_t){ 2 }, ent_eq));
	expect(&t, top_bit, 2, 0);
	expect(&t, top_bit, 1, 10);
	htab_fini(&t);
}

/* Hashes equal in their low 32 bits: the table keeps only those, eq tells the keys apart. */
static uint64_t high_only(uint32_t k)
{
	return (uint64_t)k << 32 | 5;
}

static void test_high_bits(void **state)
{
	struct htab t;

	(void)state;
	htab_init(&t, sizeof(struct ent), _Alignof(struct ent));
	for (uint32_t k = 1; k <= 50; k++)
		put(&t, high_only, k, k + 100);
	for (uint32_t k = 1; k <= 50; k++)
		expect(&t, high_only, k, k + 100);
	expect(&t, high_only, 51, 0);
	htab_fini(&t);
}

/* An entry that needs 8-byte alignment, of a size that is not a multiple of 8. */
struct wide {
	uint64_t key;
	double half;
	char tag;
};

static bool wide_eq(const void *entry, const void *key)
{
	return ((const struct wide *)entry)->key == *(const uint64_t *)key;
}

/* Entries come at their type's alignment and keep their contents as the table grows. */
static void test_alignment(void **state)
{
	struct htab t;

	(void)state;
	htab_init(&t, sizeof(struct wide), _Alignof(struct wide));
	for (uint64_t k = 1; k <= 3000; k++) {
		struct wide *w = htab_insert(&t, hash_mix64(k), &k, wide_eq, NULL);

		assert_int_equal((uintptr_t)w % _Alignof(struct wide), 0);
		*w = (struct wide){ k, (double)k / 2, (char)k };
	}
	for (uint64_t k = 1; k <= 3000; k++) {
		const struct wide *w = htab_find(&t, hash_mix64(k), &k, wide_eq);

		assert_non_null(w);
		assert_int_equal((uintptr_t)w % _Alignof(struct wide), 0);
		assert_true(w->key == k && w->half == (double)k / 2 && w->tag == (char)k);
	}
	htab_fini(&t);
}

/* A hash that puts key k at slot k / 4 of a 16-slot table: runs that wrap past the end. */
static uint64_t wrap(uint32_t k)
{
	return k / 4 + 12;
}

/*
 * Random adds and removals, checked after each against an array: with a table kept at 16
 * slots (never over 8 entries) the runs wrap around its end, where a removal's shift back is
 * easiest to get wrong.
 */
static void check_random(uint64_t (*hash)(uint32_t), uint32_t nkeys, size_t live_max,
			 unsigned int seed)
{
	uint32_t *vals = calloc(nkeys, sizeof(*vals));
	size_t live = 0;
	struct htab t;

	srand(seed);
	htab_init(&t, sizeof(struct ent), _Alignof(struct ent));
	for (int step = 0; step < 20000; step++) {
		uint32_t k = (uint32_t)rand() % nkeys;

		if (vals[k]) {
			assert_true(htab_delete(&t, hash(k), &k, ent_eq));
			assert_false(htab_delete(&t, hash(k), &k, ent_eq));
			vals[k] = 0;
			live--;
		} else if (live < live_max) {
			vals[k] = (uint32_t)step + 1;
			put(&t, hash, k, vals[k]);
			live++;
		}
		assert_int_equal(htab_len(&t), live);
		for (uint32_t j = 0; j < nkeys; j++)
			expect(&t, hash, j, vals[j]);
	}
	htab_fini(&t);
	free(vals);
}

static void test_delete(void **state)
{
	(void)state;
	check_random(wrap, 16, 8, 1);
	check_random(bad, 40, 20, 2);
	check_random(good, 300, 200, 3);
}

/* A walk sees each entry once, and nothing else. */
static void test_walk(void **state)
{
	uint32_t n = 5000;
	uint8_t *seen = calloc(n + 1, 1);
	struct htab t;
	struct ent *e;
	size_t pos = 0, count = 0;

	(void)state;
	htab_init(&t, sizeof(struct ent), _Alignof(struct ent));
	for (uint32_t k = 1; k <= n; k++)
		put(&t, good, k, k);
	for (uint32_t k = 2; k <= n; k += 2)
		assert_true(htab_delete(&t, good(k), &k, ent_eq));
	while ((e = htab_next(&t, &pos))) {
		assert_true(e->key >= 1 && e->key <= n);
		assert_int_equal(e->key % 2, 1);
		assert_int_equal(seen[e->key], 0);
		seen[e->key] = 1;
		count++;
	}
	assert_int_equal(count, n / 2);
	assert_null(htab_next(&t, &pos));
	htab_fini(&t);
	free(seen);
}

/* htab_add places entries with equal keys apart (the caller said they are new). */
static void test_add(void **state)
{
	struct htab t;
	uint32_t k = 5;
	struct ent *e;

	(void)state;
	htab_init(&t, sizeof(struct ent), _Alignof(struct ent));
	e = htab_add(&t, good(k));
	e->key = k;
	e->val = 1;
	e = htab_add(&t, good(k));
	assert_int_equal(e->val, 0);
	e->key = k;
	e->val = 2;
	assert_int_equal(htab_len(&t), 2);
	assert_true(htab_delete(&t, good(k), &k, ent_eq));
	assert_non_null(htab_find(&t, good(k), &k, ent_eq));
	assert_true(htab_delete(&t, good(k), &k, ent_eq));
	assert_null(htab_find(&t, good(k), &k, ent_eq));
	htab_fini(&t);
}

/* A type of 16-byte alignment, the widest an entry may need. */
struct aligned16 {
	_Alignas(16) unsigned char b[20];
};

/* HTAB_STRIDE and HTAB_EOFF, the typed searches' constants, are the layout htab_init makes. */
static void test_layout_constants(void **state)
{
	struct htab t;

	(void)state;
#define LAYOUT_IS_INITS(type)                                  \
	do {                                                   \
		htab_init(&t, sizeof(type), _Alignof(type));   \
		assert_int_equal(t.stride, HTAB_STRIDE(type)); \
		assert_int_equal(t.eoff, HTAB_EOFF(type));     \
	} while (0)
	LAYOUT_IS_INITS(char);
	LAYOUT_IS_INITS(uint16_t);
	LAYOUT_IS_INITS(uint32_t);
	LAYOUT_IS_INITS(const char *);
	LAYOUT_IS_INITS(struct ent);
	LAYOUT_IS_INITS(struct wide);
	LAYOUT_IS_INITS(struct aligned16);
#undef LAYOUT_IS_INITS
	/* the values themselves: the hash, then the entry at its alignment */
	assert_int_equal(HTAB_EOFF(uint16_t), 4);
	assert_int_equal(HTAB_STRIDE(uint16_t), 8);
	assert_int_equal(HTAB_STRIDE(uint32_t), 8);
	assert_int_equal(HTAB_EOFF(struct wide), 8);
	assert_int_equal(HTAB_STRIDE(struct wide), 8 + sizeof(struct wide));
	assert_int_equal(HTAB_EOFF(struct aligned16), 16);
	assert_int_equal(HTAB_STRIDE(struct aligned16), 48);
}

/*
 * The typed searches (htab_find_as, htab_insert_as) and the plain ones see the same table:
 * entries added by either are found by both, through growth and collisions.
 */
static void test_typed(void **state)
{
	uint64_t (*hashes[])(uint32_t) = { good, bad };

	(void)state;
	for (size_t h = 0; h < 2; h++) {
		uint32_t n = h ? 500 : 20000;
		struct htab t;

		htab_init(&t, sizeof(struct ent), _Alignof(struct ent));
		for (uint32_t k = 1; k <= n; k++) {
			uint64_t hk = hashes[h](k);
			bool added = false;
			struct ent *e;

			if (k % 2)
				e = htab_insert_as(&t, struct ent, hk, &k, ent_eq, &added);
			else
				e = htab_insert(&t, hk, &k, ent_eq, &added);
			assert_true(added);
			assert_int_equal(e->key, 0);
			*e = (struct ent){ .key = k, .val = 3 * k };
		}
		assert_int_equal(htab_len(&t), n);
		for (uint32_t k = 1; k <= n + 1; k++) {
			uint64_t hk = hashes[h](k);
			const struct ent *a = htab_find_as(&t, struct ent, hk, &k, ent_eq);
			bool added = true;

			assert_ptr_equal(a, htab_find(&t, hk, &k, ent_eq));
			if (k > n) {
				assert_null(a);
				continue;
			}
			assert_non_null(a);
			assert_int_equal(a->val, 3 * k);
			/* a key that is there: its entry, nothing added */
			assert_ptr_equal(a, htab_insert_as(&t, struct ent, hk, &k, ent_eq, &added));
			assert_false(added);
		}
		assert_int_equal(htab_len(&t), n);
		htab_fini(&t);
	}
}

/* A typed search of entries wider than the hash's alignment (8 and 16 bytes). */
static bool aligned16_eq(const void *entry, const void *key)
{
	return !memcmp(((const struct aligned16 *)entry)->b, key, sizeof(uint32_t));
}

static void test_typed_aligned(void **state)
{
	struct htab t;

	(void)state;
	htab_init(&t, sizeof(struct aligned16), _Alignof(struct aligned16));
	for (uint32_t k = 1; k <= 1000; k++) {
		struct aligned16 *e =
			htab_insert_as(&t, struct aligned16, good(k), &k, aligned16_eq, NULL);

		assert_int_equal((uintptr_t)e % 16, 0);
		memcpy(e->b, &k, sizeof(k));
		e->b[19] = (unsigned char)k;
	}
	for (uint32_t k = 1; k <= 1000; k++) {
		const struct aligned16 *e =
			htab_find_as(&t, struct aligned16, good(k), &k, aligned16_eq);

		assert_non_null(e);
		assert_memory_equal(e->b, &k, sizeof(k));
		assert_int_equal(e->b[19], (unsigned char)k);
	}
	htab_fini(&t);
	htab_init(&t, sizeof(struct wide), _Alignof(struct wide));
	for (uint64_t k = 1; k <= 1000; k++)
		*htab_insert_as(&t, struct wide, hash_mix64(k), &k, wide_eq, NULL) =
			(struct wide){ k, 0.5, 'w' };
	for (uint64_t k = 1; k <= 1001; k++) {
		const struct wide *w = htab_find_as(&t, struct wide, hash_mix64(k), &k, wide_eq);

		assert_true(k > 1000 ? !w : w && w->key == k && w->tag == 'w');
	}
	htab_fini(&t);
}

/*
 * The table takes three quarters of its slots before it doubles (room), with either insert,
 * htab_add too, and after a clear as before it; htab_fini starts it again from nothing.
 */
static void test_room(void **state)
{
	struct htab t;
	uint32_t k;

	(void)state;
	htab_init(&t, sizeof(struct ent), _Alignof(struct ent));
	for (k = 1; k <= 12; k++)
		put(&t, good, k, k);
	assert_int_equal(t.cap, 16);
	put(&t, good, k++, 1);
	assert_int_equal(t.cap, 32);
	for (; htab_len(&t) < 24; k++) {
		struct ent *e = htab_insert_as(&t, struct ent, good(k), &k, ent_eq, NULL);

		*e = (struct ent){ .key = k, .val = 1 };
	}
	assert_int_equal(t.cap, 32);
	((struct ent *)htab_add(&t, good(k)))->key = k;
	assert_int_equal(t.cap, 64);
	htab_clear(&t);
	for (k = 1; k <= 48; k++)
		put(&t, good, k, k);
	assert_int_equal(t.cap, 64);
	put(&t, good, k, k);
	assert_int_equal(t.cap, 128);
	htab_fini(&t);
	put(&t, good, 1, 1);
	assert_int_equal(t.cap, 16);
	htab_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),	     cmocka_unit_test(test_grow),
		cmocka_unit_test(test_insert_finds), cmocka_unit_test(test_any_hash),
		cmocka_unit_test(test_delete),	     cmocka_unit_test(test_walk),
		cmocka_unit_test(test_add),	     cmocka_unit_test(test_high_bits),
		cmocka_unit_test(test_alignment),    cmocka_unit_test(test_layout_constants),
		cmocka_unit_test(test_typed),	     cmocka_unit_test(test_typed_aligned),
		cmocka_unit_test(test_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
