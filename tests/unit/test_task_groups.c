// SPDX-License-Identifier: GPL-2.0
/*
 * test_task_groups.c - grouping a cgroup's processes by executable and
 * command line: groups and counts on a fixed set of tasks, duplicates
 * first, command line escaping and truncation, /proc/PID/stat parsing with
 * a hostile comm, and one real scan of a directory without cgroup.procs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "task_groups.h"

static struct pg_task task(int pid, int ppid, __u64 start, const char *exe, const char *cmd)
{
	struct pg_task t;

	memset(&t, 0, sizeof(t));
	t.pid = pid;
	t.ppid = ppid;
	t.start_ns = start;
	t.threads = 1;
	snprintf(t.exe, sizeof(t.exe), "%s", exe);
	snprintf(t.cmdline, sizeof(t.cmdline), "%s", cmd);
	return t;
}

/* 7 sleeps, 3 shells, 1 cat, 3 npx servers: shuffled on purpose. */
static void test_build_groups(void **state)
{
	struct pg_task t[] = {
		task(10, 1, 100, "/bin/sleep", "sleep 300"),
		task(20, 1, 500, "/bin/dash", "sh -c sleep 301"),
		task(11, 1, 110, "/bin/sleep", "sleep 300"),
		task(30, 1, 900, "/bin/cat", "cat /tmp/fifo"),
		task(12, 1, 120, "/bin/sleep", "sleep 300"),
		task(40, 5, 50, "/usr/bin/node", "npx mcp-server-x x"),
		task(13, 1, 130, "/bin/sleep", "sleep 300"),
		task(21, 1, 510, "/bin/dash", "sh -c sleep 301"),
		task(14, 7, 140, "/bin/sleep", "sleep 300"),
		task(41, 6, 60, "/usr/bin/node", "npx mcp-server-x x"),
		task(15, 1, 150, "/bin/sleep", "sleep 300"),
		task(22, 1, 505, "/bin/dash", "sh -c sleep 301"),
		task(16, 9, 160, "/bin/sleep", "sleep 300"),
		task(42, 8, 70, "/usr/bin/node", "npx mcp-server-x x"),
	};
	struct pg_task_group *g;
	int n = task_groups__build(t, sizeof(t) / sizeof(t[0]), &g);

	(void)state;
	assert_int_equal(n, 4);
	assert_string_equal(g[0].cmdline, "sleep 300");
	assert_int_equal(g[0].count, 7);
	assert_int_equal(g[0].newest_pid, 16);
	assert_int_equal(g[0].ppid, 9);
	assert_int_equal(g[0].newest_ns, 160);
	/* Same count: the group with the newest process first. */
	assert_string_equal(g[1].cmdline, "sh -c sleep 301");
	assert_int_equal(g[1].count, 3);
	assert_int_equal(g[1].newest_pid, 21);
	assert_string_equal(g[2].cmdline, "npx mcp-server-x x");
	assert_string_equal(g[2].exe, "/usr/bin/node");
	assert_int_equal(g[2].count, 3);
	assert_int_equal(g[2].ppid, 8);
	assert_string_equal(g[3].cmdline, "cat /tmp/fifo");
	assert_int_equal(g[3].count, 1);
	assert_int_equal(g[3].threads, 1);
	free(g);
}

/* The same command line from two executables: two groups. */
static void test_exe_splits(void **state)
{
	struct pg_task t[] = {
		task(1, 0, 1, "/a/python3", "python3 app.py"),
		task(2, 0, 2, "/b/python3", "python3 app.py"),
		task(3, 0, 3, "/a/python3", "python3 app.py"),
	};
	struct pg_task_group *g;
	int n;

	(void)state;
	t[2].threads = 5;
	n = task_groups__build(t, 3, &g);
	assert_int_equal(n, 2);
	assert_string_equal(g[0].exe, "/a/python3");
	assert_int_equal(g[0].count, 2);
	assert_int_equal(g[0].threads, 6);
	assert_string_equal(g[1].exe, "/b/python3");
	free(g);
}

static void test_build_empty(void **state)
{
	struct pg_task_group *g = (void *)1;

	(void)state;
	assert_int_equal(task_groups__build(NULL, 0, &g), 0);
	assert_null(g);
}

/* Equal count and start: by name, so output never depends on scan order. */
static void test_sort_stable_ties(void **state)
{
	struct pg_task_group g[3];

	(void)state;
	memset(g, 0, sizeof(g));
	strcpy(g[0].exe, "/z");
	strcpy(g[1].exe, "/a");
	strcpy(g[2].exe, "/m");
	g[0].count = g[1].count = 2;
	g[2].count = 9;
	task_groups__sort(g, 3);
	assert_string_equal(g[0].exe, "/m");
	assert_string_equal(g[1].exe, "/a");
	assert_string_equal(g[2].exe, "/z");
}

static void test_escape_cmdline(void **state)
{
	char out[64];

	(void)state;
	task_groups__escape_cmdline("sleep\0" "300\0", 10, out, sizeof(out));
	assert_string_equal(out, "sleep 300");
	/* No final NUL (a process that rewrote its argv), empty args kept inside. */
	task_groups__escape_cmdline("a\0\0b", 4, out, sizeof(out));
	assert_string_equal(out, "a  b");
	task_groups__escape_cmdline("x\033[2J\n\\", 7, out, sizeof(out));
	assert_string_equal(out, "x\\x1b[2J\\x0a\\\\");
	task_groups__escape_cmdline("caf\xc3\xa9", 5, out, sizeof(out));
	assert_string_equal(out, "caf\\xc3\\xa9");
	task_groups__escape_cmdline("", 0, out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_escape_truncates(void **state)
{
	char out[8];

	(void)state;
	/* Exactly fits: no dots. */
	task_groups__escape_cmdline("abcdefg", 7, out, sizeof(out));
	assert_string_equal(out, "abcdefg");
	task_groups__escape_cmdline("abcdefgh", 8, out, sizeof(out));
	assert_string_equal(out, "abcd...");
	/* An escape is never cut in half. */
	task_groups__escape_cmdline("abc\001defg", 8, out, sizeof(out));
	assert_string_equal(out, "abc...");
}

static void test_parse_stat(void **state)
{
	char comm[32];
	long threads = 0;
	__u64 start;
	int ppid;

	(void)state;
	assert_int_equal(task_groups__parse_stat("42 (sleep) S 7 42 42 0 -1 4194304 90 0 0 0 0 0 "
						 "0 0 20 0 1 0 123456 5640192 236 ...",
						 &ppid, &threads, &start, comm, sizeof(comm)),
			 0);
	assert_int_equal(ppid, 7);
	assert_int_equal(threads, 1);
	assert_int_equal(start, 123456);
	assert_string_equal(comm, "sleep");
	/* A comm with spaces and a ") S 1": the last ')' ends it. */
	assert_int_equal(task_groups__parse_stat("43 (a) S 1 (b) R 99 1 1 0 -1 0 0 0 0 0 0 0 0 0 "
						 "20 0 1 0 777 0 0",
						 &ppid, NULL, &start, comm, sizeof(comm)),
			 0);
	assert_int_equal(ppid, 99);
	assert_int_equal(start, 777);
	assert_string_equal(comm, "a) S 1 (b");
	assert_int_equal(task_groups__parse_stat("44 (x", &ppid, NULL, &start, NULL, 0), -EINVAL);
	assert_int_equal(task_groups__parse_stat("45 (x) S 1 2", &ppid, NULL, &start, NULL, 0),
			 -EINVAL);
}

/* A directory that is no cgroup: no processes, no error; a missing one: -ENOENT. */
static void test_scan_dirs(void **state)
{
	struct pg_tg_scan opts = { .threads = true };
	struct pg_task_group *g;

	(void)state;
	assert_int_equal(task_groups__of_cgroup("/nonexistent-pg-dir", &opts, &g), -ENOENT);
	assert_null(g);
	assert_int_equal(task_groups__of_cgroup("/proc/self/fdinfo", &opts, &g), 0);
	assert_false(opts.truncated);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_groups),
		cmocka_unit_test(test_exe_splits),
		cmocka_unit_test(test_build_empty),
		cmocka_unit_test(test_sort_stable_ties),
		cmocka_unit_test(test_escape_cmdline),
		cmocka_unit_test(test_escape_truncates),
		cmocka_unit_test(test_parse_stat),
		cmocka_unit_test(test_scan_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
