// SPDX-License-Identifier: GPL-2.0
/* test_mountinfo.c - mount discovery on real-world mountinfo samples. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "mountinfo.h"

/* Fixtures live next to this file; $PG_FIXTURES overrides for other cwds. */
static void fixture(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("PG_FIXTURES");
	char src[] = __FILE__;

	if (dir)
		snprintf(buf, len, "%s/mountinfo/%s", dir, name);
	else
		snprintf(buf, len, "%s/fixtures/mountinfo/%s", dirname(src), name);
}

static void load_fixture(const char *name, struct pg_mounts *m)
{
	char path[PG_PATH_MAX];
	int bad = -1;

	fixture(name, path, sizeof(path));
	assert_int_equal(mountinfo__load_file(path, m, &bad), 0);
	assert_int_equal(bad, 0);
}

/* This build machine: v2 at .../unified, v1 controllers beside it. */
static void test_hybrid(void **state)
{
	struct pg_mounts m;

	(void)state;
	load_fixture("hybrid.txt", &m);
	assert_string_equal(m.cgroup2, "/sys/fs/cgroup/unified");
	assert_string_equal(m.pids_v1, "/sys/fs/cgroup/pids");
	assert_string_equal(m.freezer_v1, "/sys/fs/cgroup/freezer");
	assert_true(m.bpffs_at_pin_root);
}

static void test_pure_v2(void **state)
{
	struct pg_mounts m;

	(void)state;
	load_fixture("pure-v2.txt", &m);
	assert_string_equal(m.cgroup2, "/sys/fs/cgroup");
	assert_string_equal(m.pids_v1, "");
	assert_string_equal(m.freezer_v1, "");
	assert_true(m.bpffs_at_pin_root);
}

/* CentOS 7 style: no v2 at all, no bpffs, co-mounted controllers. */
static void test_v1_only(void **state)
{
	struct pg_mounts m;

	(void)state;
	load_fixture("v1-only.txt", &m);
	assert_string_equal(m.cgroup2, "");
	assert_string_equal(m.pids_v1, "/sys/fs/cgroup/pids");
	assert_string_equal(m.freezer_v1, "/sys/fs/cgroup/freezer");
	assert_false(m.bpffs_at_pin_root);
}

static void test_escaped_and_first_wins(void **state)
{
	struct pg_mounts m;

	(void)state;
	load_fixture("escaped.txt", &m);
	/* The first cgroup2 mount wins, with its escapes undone. */
	assert_string_equal(m.cgroup2, "/mnt/cg two\ttab\nnl\\bs");
	/* "nopids_here" must not match; the exact "pids" option does. */
	assert_string_equal(m.pids_v1, "/mnt/my pids");
	/* Optional fields (master:, propagate_from:) before the separator. */
	assert_string_equal(m.freezer_v1, "/mnt/freezer x");
	/* bpffs elsewhere is not the pin root. */
	assert_false(m.bpffs_at_pin_root);
}

/* A "pids" option on a mount that is not a v1 cgroup counts for nothing. */
static void test_fstype_matters(void **state)
{
	struct pg_mounts m;

	(void)state;
	assert_int_equal(mountinfo__parse("1 0 0:1 / /a rw - tmpfs cgroup rw,pids,freezer\n"
					  "2 0 0:2 / /sys/fs/bpf rw - tmpfs bpf rw\n"
					  "3 0 0:3 / /b rw - cgroup2x cgroup2 rw\n",
					  &m, NULL),
			 0);
	assert_string_equal(m.cgroup2, "");
	assert_string_equal(m.pids_v1, "");
	assert_string_equal(m.freezer_v1, "");
	assert_false(m.bpffs_at_pin_root);
}

static void test_empty_and_no_trailing_newline(void **state)
{
	struct pg_mounts m;
	int bad = -1;

	(void)state;
	assert_int_equal(mountinfo__parse("", &m, &bad), 0);
	assert_int_equal(bad, 0);
	assert_string_equal(m.cgroup2, "");
	assert_int_equal(mountinfo__parse("7 1 0:38 / /cg rw - cgroup2 cgroup2 rw", &m, &bad), 0);
	assert_string_equal(m.cgroup2, "/cg");
	/* Results of an earlier parse never leak into the next one. */
	assert_int_equal(mountinfo__parse("\n", &m, NULL), 0);
	assert_string_equal(m.cgroup2, "");
}

static const struct {
	const char *text;
	int line;
} garbage[] = {
	{ "hello world\n", 1 },
	{ "1 0 8:1 / / rw - ext4 /dev/sda1 rw\nnot mountinfo\n", 2 },
	{ "1 0 8:1 / / rw ext4 /dev/sda1 rw\n", 1 },		/* no separator */
	{ "1 0 8:1 / / - ext4 /dev/sda1 rw\n", 1 },		/* separator too early */
	{ "1 0 8:1 / / rw - ext4 /dev/sda1\n", 1 },		/* field missing after - */
	{ "1 0 8:1 / / rw - ext4 /dev/sda1 rw extra\n", 1 },	/* field too many */
	{ "x 0 8:1 / / rw - ext4 /dev/sda1 rw\n", 1 },		/* id not a number */
	{ "1 -1 8:1 / / rw - ext4 /dev/sda1 rw\n", 1 },		/* parent not a number */
	{ "1 0 81 / / rw - ext4 /dev/sda1 rw\n", 1 },		/* no major:minor */
	{ "1 0 8: / / rw - ext4 /dev/sda1 rw\n", 1 },
	{ "1 0 8:1 / rel rw - ext4 /dev/sda1 rw\n", 1 },	/* relative mount point */
	{ "1 0 8:1 / /a\\04 rw - ext4 /dev/sda1 rw\n", 1 },	/* short escape */
	{ "1 0 8:1 / /a\\x41b rw - ext4 /dev/sda1 rw\n", 1 },	/* not octal */
	{ "1 0 8:1 / /a\\000 rw - ext4 /dev/sda1 rw\n", 1 },	/* escaped NUL */
	{ "1 0 8:1 / /a\\ rw - ext4 /dev/sda1 rw\n", 1 },	/* lone backslash */
	{ "\n\n1 0 8:1 / / rw - ext4 /dev/sda1 rw\n-\n", 4 },
};

static void test_garbage(void **state)
{
	struct pg_mounts m;
	size_t i;
	int bad, ret;

	(void)state;
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		bad = -1;
		ret = mountinfo__parse(garbage[i].text, &m, &bad);
		if (ret != -EINVAL || bad != garbage[i].line) {
			print_error("garbage[%zu]: returned %d, line %d\n", i, ret, bad);
			fail();
		}
	}
	/* bad_line is optional. */
	assert_int_equal(mountinfo__parse("junk\n", &m, NULL), -EINVAL);
	assert_int_equal(mountinfo__parse(NULL, &m, NULL), -EINVAL);
}

static void test_garbage_file(void **state)
{
	char path[PG_PATH_MAX];
	struct pg_mounts m;
	int bad = -1;

	(void)state;
	fixture("garbage-short.txt", path, sizeof(path));
	assert_int_equal(mountinfo__load_file(path, &m, &bad), -EINVAL);
	assert_int_equal(bad, 2);
	fixture("does-not-exist.txt", path, sizeof(path));
	assert_int_equal(mountinfo__load_file(path, &m, &bad), -ENOENT);
}

/* A mount point longer than PG_PATH_MAX cannot be stored: malformed. */
static void test_too_long(void **state)
{
	size_t n = PG_PATH_MAX + 100;
	char *text = malloc(n + 64);
	struct pg_mounts m;
	int bad = -1;

	(void)state;
	assert_non_null(text);
	strcpy(text, "1 0 0:1 / /");
	memset(text + strlen(text), 'a', n);
	strcpy(text + 11 + n, " rw - cgroup2 cgroup2 rw\n");
	assert_int_equal(mountinfo__parse(text, &m, &bad), -EINVAL);
	assert_int_equal(bad, 1);
	free(text);
}

/* The live system parses; where this test runs it has a v2 mount. */
static void test_load_self(void **state)
{
	struct pg_mounts m;

	(void)state;
	assert_int_equal(mountinfo__load(&m), 0);
	if (!m.cgroup2[0])
		skip();
	assert_true(m.cgroup2[0] == '/');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hybrid),
		cmocka_unit_test(test_pure_v2),
		cmocka_unit_test(test_v1_only),
		cmocka_unit_test(test_escaped_and_first_wins),
		cmocka_unit_test(test_fstype_matters),
		cmocka_unit_test(test_empty_and_no_trailing_newline),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_garbage_file),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_load_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
