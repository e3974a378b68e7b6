// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of collectors/cgroup_path.c's pure parts: which cgroup mount holds a directory (a
 * hybrid box with v1 controllers and v2 at .../unified, a pure v2 box), and whether a
 * /proc/PID/cgroup text puts a process in a cgroup or below it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "collectors/cgroup_path.h"

static const char hybrid[] =
	"proc /proc proc rw,nosuid 0 0\n"
	"tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
	"cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0\n"
	"cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0\n"
	"cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";

static const char pure_v2[] = "sysfs /sys sysfs rw 0 0\n"
			      "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nsdelegate 0 0\n";

/* A hybrid box: v2 under unified, v1 by its first controller, none for name=systemd. */
static void test_mount_hybrid(void **state)
{
	char mnt[128], ctl[32];
	bool v2;

	(void)state;
	assert_true(cgroup_path_mount(hybrid, "/sys/fs/cgroup/unified/a/b", mnt, sizeof(mnt), &v2,
				      ctl, sizeof(ctl)));
	assert_string_equal(mnt, "/sys/fs/cgroup/unified");
	assert_true(v2);
	assert_true(cgroup_path_mount(hybrid, "/sys/fs/cgroup/cpu,cpuacct/x", mnt, sizeof(mnt), &v2,
				      ctl, sizeof(ctl)));
	assert_false(v2);
	assert_string_equal(ctl, "cpu");
	assert_true(cgroup_path_mount(hybrid, "/sys/fs/cgroup/systemd/user.slice", mnt, sizeof(mnt),
				      &v2, ctl, sizeof(ctl)));
	assert_string_equal(ctl, "");
	/* the tmpfs above the hierarchies is none of them, nor is a look-alike name */
	assert_false(cgroup_path_mount(hybrid, "/sys/fs/cgroup", mnt, sizeof(mnt), &v2, ctl,
				       sizeof(ctl)));
	assert_false(cgroup_path_mount(hybrid, "/sys/fs/cgroup/unifiedx", mnt, sizeof(mnt), &v2,
				       ctl, sizeof(ctl)));
}

/* A pure v2 box: everything under /sys/fs/cgroup is v2. */
static void test_mount_pure_v2(void **state)
{
	char mnt[128], ctl[32];
	bool v2 = false;

	(void)state;
	assert_true(cgroup_path_mount(pure_v2, "/sys/fs/cgroup/system.slice/nginx.service", mnt,
				      sizeof(mnt), &v2, ctl, sizeof(ctl)));
	assert_string_equal(mnt, "/sys/fs/cgroup");
	assert_true(v2);
}

/* v2: the 0:: line decides; the cgroup itself and its children are in, a sibling is not. */
static void test_text_v2(void **state)
{
	struct filter_cgroup cg = { .id = 7, .subsys = -1 };

	(void)state;
	strcpy(cg.rel, "/app");
	assert_true(cgroup_path_text_has("1:cpu:/other\n0::/app\n", &cg));
	assert_true(cgroup_path_text_has("0::/app/worker\n", &cg));
	assert_false(cgroup_path_text_has("0::/apple\n", &cg));
	assert_false(cgroup_path_text_has("1:cpu:/app\n0::/\n", &cg));
	strcpy(cg.rel, "/");
	assert_true(cgroup_path_text_has("0::/anything\n", &cg));
}

/* v1: the line of the hierarchy holding the controller decides. */
static void test_text_v1(void **state)
{
	struct filter_cgroup cg = { .id = 7, .subsys = 1 };

	(void)state;
	strcpy(cg.rel, "/q");
	strcpy(cg.controller, "cpu");
	assert_true(cgroup_path_text_has("2:cpuacct,cpu:/q/r\n0::/\n", &cg));
	assert_false(cgroup_path_text_has("2:cpuacct:/q\n1:cpu:/\n0::/q\n", &cg));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_hybrid),
		cmocka_unit_test(test_mount_pure_v2),
		cmocka_unit_test(test_text_v2),
		cmocka_unit_test(test_text_v1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
