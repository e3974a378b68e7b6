// SPDX-License-Identifier: GPL-2.0
/*
 * The memory cgroup room (core/memcg.c) over a fake root of /proc and /sys/fs/cgroup files:
 * a fake, since this machine's memory controller is v1 only and the kernel's files cannot be
 * set to chosen values; tests/bpf/test_memcg.sh runs ktop in a real one. Pure v2, hybrid
 * (v1 memory beside cgroup2), the tightest ancestor, no limit, and an unreadable setup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/memcg.h"

/* Write text to root/rel, making its directories. */
static void put(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A new empty fake root. */
static char *fake_root(void)
{
	char tmpl[] = "/tmp/ktop-memcg.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void remove_root(char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(root);
}

/* Pure cgroup v2: the parent's limit is the tighter one; "max" is no limit. */
static void test_v2_tightest_ancestor(void **state)
{
	struct memcg_room r;
	char *root = fake_root();
	char warn[256];

	(void)state;
	put(root, "proc/self/mountinfo",
	    "30 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
	put(root, "proc/self/cgroup", "0::/app/ktop\n");
	put(root, "sys/fs/cgroup/app/ktop/memory.max", "max\n");
	put(root, "sys/fs/cgroup/app/ktop/memory.current", "1048576\n");
	put(root, "sys/fs/cgroup/app/memory.max", "33554432\n");
	put(root, "sys/fs/cgroup/app/memory.current", "25165824\n");
	put(root, "sys/fs/cgroup/memory.max", "max\n");
	assert_true(memcg_room(root, &r));
	assert_string_equal(r.path, "/app");
	assert_int_equal(r.limit, 32u << 20);
	assert_int_equal(r.headroom, 8u << 20);
	memcg_warning(&r, warn, sizeof(warn));
	assert_non_null(
		strstr(warn, "memory cgroup /app allows ktop 8.0 MiB more (limit 32.0 MiB)"));
	remove_root(root);
}

/* Hybrid: cgroup2 is mounted without the memory controller; v1's memory hierarchy decides. */
static void test_v1_hybrid(void **state)
{
	struct memcg_room r;
	char *root = fake_root();

	(void)state;
	put(root, "proc/self/mountinfo",
	    "30 1 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
	    "31 1 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
	put(root, "proc/self/cgroup", "0::/user.slice\n5:memory:/box\n4:cpu,cpuacct:/\n");
	put(root, "sys/fs/cgroup/memory/box/memory.limit_in_bytes", "268435456\n");
	put(root, "sys/fs/cgroup/memory/box/memory.usage_in_bytes", "268435456\n");
	put(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	put(root, "sys/fs/cgroup/memory/memory.usage_in_bytes", "1000\n");
	assert_true(memcg_room(root, &r));
	assert_string_equal(r.path, "/box");
	assert_int_equal(r.headroom, 0);
	remove_root(root);
}

/* No limit anywhere, or nothing readable: no room to report, no warning. */
static void test_no_limit(void **state)
{
	struct memcg_room r = { .headroom = 1ull << 40 };
	char *root = fake_root();
	char warn[256];

	(void)state;
	assert_false(memcg_room(root, &r));
	put(root, "proc/self/mountinfo", "30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
	put(root, "proc/self/cgroup", "0::/\n");
	put(root, "sys/fs/cgroup/memory.max", "max\n");
	put(root, "sys/fs/cgroup/memory.current", "5\n");
	assert_false(memcg_room(root, &r));
	memcg_warning(&r, warn, sizeof(warn));
	assert_string_equal(warn, "");
	remove_root(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_tightest_ancestor),
		cmocka_unit_test(test_v1_hybrid),
		cmocka_unit_test(test_no_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
