// SPDX-License-Identifier: GPL-2.0
/*
 * test_cgroup.c - TARGET resolution on a fixture tree (any directory can
 * play the mount), and, as root, the real thing: ids, id -> path and task
 * counts on a cgroup made under the live cgroup v2 mount.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>	/* PATH_MAX: -Iuser makes <limits.h> user/limits.h */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "cgroup.h"
#include "mountinfo.h"

/* ---- Fixture tree ---- */

struct tree {
	char top[PATH_MAX];	/* mkdtemp */
	char root[PATH_MAX];	/* top/mnt: plays the cgroup v2 mount */
};

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A cgroup-like directory with cgroup.procs and nr_threads lines of threads. */
static void put_cgroup(const struct tree *t, const char *rel, int nr_threads)
{
	char dir[PATH_MAX], lines[256] = "";
	int i;

	snprintf(dir, sizeof(dir), "%s%s", t->root, rel);
	assert_int_equal(mkdir(dir, 0755), 0);
	for (i = 0; i < nr_threads; i++)
		snprintf(lines + strlen(lines), sizeof(lines) - strlen(lines), "%d\n", 100 + i);
	put_file(dir, "cgroup.procs", "");
	put_file(dir, "cgroup.threads", lines);
}

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char path[PATH_MAX + 32];

	if (!t)
		return -1;
	strcpy(t->top, "/tmp/pg-cgroup-test.XXXXXX");
	if (!mkdtemp(t->top))
		return -1;
	snprintf(t->root, sizeof(t->root), "%s/mnt", t->top);
	if (mkdir(t->root, 0755))
		return -1;
	put_file(t->root, "cgroup.procs", "");
	put_file(t->root, "cgroup.threads", "1\n2\n");
	put_cgroup(t, "/docker", 3);
	put_cgroup(t, "/docker/abc", 1);
	put_cgroup(t, "/docker/abc/sub", 4);
	put_cgroup(t, "/with space", 0);
	snprintf(path, sizeof(path), "%s/plain", t->root);		/* no cgroup.procs */
	mkdir(path, 0755);
	put_file(t->root, "file", "");
	snprintf(path, sizeof(path), "%s/escape", t->root);		/* symlink out */
	if (symlink("/tmp", path))
		return -1;
	snprintf(path, sizeof(path), "%s/inside", t->root);		/* symlink in */
	if (symlink("docker/abc", path))
		return -1;
	/* A sibling whose name extends the mount's: "mnt2" is not under "mnt". */
	snprintf(path, sizeof(path), "%s/mnt2", t->top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/mnt2/x", t->top);
	mkdir(path, 0755);
	put_file(path, "cgroup.procs", "");
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char cmd[PATH_MAX + 32];
	int ret;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->top);
	ret = system(cmd);
	free(t);
	return ret ? -1 : 0;
}

static void expect_ok(const struct tree *t, const char *target, const char *rel, int level)
{
	char err[512] = "", want_path[PATH_MAX * 2];
	struct pg_cgroup cg;
	int ret;

	ret = cgroup__resolve_path(t->root, target, &cg, err, sizeof(err));
	if (ret) {
		print_error("%s: %d %s\n", target, ret, err);
		fail();
	}
	assert_string_equal(cg.rel, rel);
	assert_int_equal(cg.level, level);
	snprintf(want_path, sizeof(want_path), "%s%s", t->root, strcmp(rel, "/") ? rel : "");
	assert_string_equal(cg.path, want_path);
	assert_true(cg.id == 0);
}

static void expect_err(const struct tree *t, const char *target, int want, const char *reason)
{
	char err[8192] = "";
	struct pg_cgroup cg;
	int ret;

	ret = cgroup__resolve_path(t->root, target, &cg, err, sizeof(err));
	if (ret != want || !strstr(err, reason)) {
		print_error("%.100s: got %d '%s', want %d '%s'\n", target, ret, err, want, reason);
		fail();
	}
	/* The message names the target (a long one by its start). */
	if (*target && strncmp(err, target, strlen(target) < 64 ? strlen(target) : 64)) {
		print_error("message does not start with the target: %s\n", err);
		fail();
	}
}

static void test_resolve_relative(void **state)
{
	const struct tree *t = *state;

	expect_ok(t, "docker/abc", "/docker/abc", 2);
	expect_ok(t, "/docker/abc", "/docker/abc", 2);	/* not under the mount: relative */
	expect_ok(t, "docker//abc/", "/docker/abc", 2);
	expect_ok(t, "./docker/./abc", "/docker/abc", 2);
	expect_ok(t, "docker", "/docker", 1);
	expect_ok(t, "docker/abc/sub", "/docker/abc/sub", 3);
	expect_ok(t, "with space", "/with space", 1);
	expect_ok(t, "/", "/", 0);
	expect_ok(t, ".", "/", 0);
}

static void test_resolve_absolute(void **state)
{
	const struct tree *t = *state;
	char target[PATH_MAX + 32];

	expect_ok(t, t->root, "/", 0);
	snprintf(target, sizeof(target), "%s/", t->root);
	expect_ok(t, target, "/", 0);
	snprintf(target, sizeof(target), "%s/docker/abc", t->root);
	expect_ok(t, target, "/docker/abc", 2);
	snprintf(target, sizeof(target), "%s/docker/abc/", t->root);
	expect_ok(t, target, "/docker/abc", 2);
}

/* A symlink that stays inside resolves to where it points. */
static void test_resolve_symlink_inside(void **state)
{
	const struct tree *t = *state;

	expect_ok(t, "inside", "/docker/abc", 2);
	expect_ok(t, "inside/sub", "/docker/abc/sub", 3);
}

static void test_resolve_errors(void **state)
{
	const struct tree *t = *state;
	char target[PATH_MAX + 32];

	expect_err(t, "", -EINVAL, "empty cgroup target");
	expect_err(t, "..", -EINVAL, "'..' is not allowed");
	expect_err(t, "docker/..", -EINVAL, "'..' is not allowed");
	expect_err(t, "docker/../docker/abc", -EINVAL, "'..' is not allowed");
	snprintf(target, sizeof(target), "%s/../mnt2/x", t->root);
	expect_err(t, target, -EINVAL, "'..' is not allowed");
	expect_err(t, "escape", -EXDEV, "not under the cgroup v2 mount");
	expect_err(t, "escape", -EXDEV, "resolves to /tmp");
	expect_err(t, "plain", -EINVAL, "is not a cgroup (no cgroup.procs)");
	expect_err(t, "file", -ENOTDIR, "is not a directory");
	expect_err(t, "nope", -ENOENT, "no such cgroup");
	expect_err(t, "docker/nope/deeper", -ENOENT, "does not exist");
	/* An absolute path that exists outside the mount, named as such. */
	snprintf(target, sizeof(target), "%s/mnt2/x", t->top);
	expect_err(t, target, -ENOENT, "not under the cgroup v2 mount");
	expect_err(t, t->top, -ENOENT, "not under the cgroup v2 mount");
	/* Names that look like the dotdot case but are ordinary names. */
	expect_err(t, "..a", -ENOENT, "no such cgroup");
	expect_err(t, "a..", -ENOENT, "no such cgroup");
}

static void test_resolve_tmp_message(void **state)
{
	const struct tree *t = *state;
	char err[512], want[PATH_MAX + 64];
	struct pg_cgroup cg;

	/* The documented wording: "/tmp: not under the cgroup v2 mount ROOT". */
	assert_int_equal(cgroup__resolve_path(t->root, "/tmp", &cg, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "/tmp: not under the cgroup v2 mount %s", t->root);
	assert_string_equal(err, want);
}

static void test_resolve_too_long(void **state)
{
	const struct tree *t = *state;
	char *target = malloc(PG_PATH_MAX + 10);

	assert_non_null(target);
	memset(target, 'a', PG_PATH_MAX + 9);
	target[PG_PATH_MAX + 9] = '\0';
	expect_err(t, target, -ENAMETOOLONG, "longer than 4095 bytes");
	/* Exactly PG_PATH_MAX - 1 passes the length check, then fails on the mount prefix. */
	target[PG_PATH_MAX - 1] = '\0';
	expect_err(t, target, -ENAMETOOLONG, "longer than 4095 bytes");
	free(target);
}

static void test_resolve_bad_root(void **state)
{
	char err[512];
	struct pg_cgroup cg;

	(void)state;
	assert_int_equal(cgroup__resolve_path("/nonexistent-pg-root", "x", &cg, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "cgroup v2 mount /nonexistent-pg-root"));
	assert_int_equal(cgroup__resolve_path("", "x", &cg, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no cgroup v2 mount"));
	assert_int_equal(cgroup__resolve_path(NULL, "x", &cg, err, sizeof(err)), -ENOENT);
}

/* A tree that is not kernfs has no cgroup id: said clearly, not as garbage. */
static void test_resolve_id_needs_kernfs(void **state)
{
	const struct tree *t = *state;
	struct pg_cgroup cg;
	char err[512];
	__u64 id = 0;

	assert_int_equal(cgroup__resolve(t->root, "docker/abc", &cg, err, sizeof(err)), -EMEDIUMTYPE);
	assert_non_null(strstr(err, "docker/abc: "));
	assert_non_null(strstr(err, "not on a cgroup v2 filesystem"));
	assert_int_equal(cgroup__id(t->root, &id), -EMEDIUMTYPE);
	assert_int_equal(cgroup__id("/nonexistent-pg-path", &id), -ENOENT);
	/* Errors of the path checks come through unchanged. */
	assert_int_equal(cgroup__resolve(t->root, "escape", &cg, err, sizeof(err)), -EXDEV);
}

static void test_count_tasks_tree(void **state)
{
	const struct tree *t = *state;
	char path[PATH_MAX + 32];

	/* 2 + docker 3 + abc 1 + sub 4; "plain" has no cgroup.threads; links not followed. */
	assert_int_equal(cgroup__count_tasks(t->root), 10);
	snprintf(path, sizeof(path), "%s/docker/abc", t->root);
	assert_int_equal(cgroup__count_tasks(path), 5);
	snprintf(path, sizeof(path), "%s/with space", t->root);
	assert_int_equal(cgroup__count_tasks(path), 0);
	snprintf(path, sizeof(path), "%s/plain", t->root);
	assert_int_equal(cgroup__count_tasks(path), -ENOENT);
	snprintf(path, sizeof(path), "%s/nope", t->root);
	assert_int_equal(cgroup__count_tasks(path), -ENOENT);
	snprintf(path, sizeof(path), "%s/file", t->root);
	assert_int_equal(cgroup__count_tasks(path), -ENOTDIR);
}

/* ---- The real cgroup v2 mount (root only) ---- */

struct live {
	char mount[PG_PATH_MAX];
	char dir[PG_PATH_MAX + 64];	/* our test cgroup */
	char sub[PG_PATH_MAX + 128];	/* and a child of it */
	pid_t kids[2];
	int pipe[2];
};

static int live_setup(void **state)
{
	struct live *l = calloc(1, sizeof(*l));
	struct pg_mounts m;

	if (!l)
		return -1;
	l->pipe[0] = l->pipe[1] = -1;
	*state = l;
	if (geteuid() != 0 || mountinfo__load(&m) || !m.cgroup2[0])
		return 0;	/* the test skips */
	strcpy(l->mount, m.cgroup2);
	snprintf(l->dir, sizeof(l->dir), "%s/pg-unit-%d", l->mount, (int)getpid());
	snprintf(l->sub, sizeof(l->sub), "%s/child", l->dir);
	return 0;
}

static void write_pid(const char *dir, pid_t pid)
{
	char path[PG_PATH_MAX + 200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
}

static int live_teardown(void **state)
{
	struct live *l = *state;
	int i;

	for (i = 0; i < 2; i++) {
		if (l->kids[i] <= 0)
			continue;
		write_pid(l->mount, l->kids[i]);	/* back to the root cgroup */
		kill(l->kids[i], SIGKILL);
		waitpid(l->kids[i], NULL, 0);
	}
	if (l->pipe[0] >= 0)
		close(l->pipe[0]);
	if (l->pipe[1] >= 0)
		close(l->pipe[1]);
	if (l->sub[0])
		rmdir(l->sub);
	if (l->dir[0])
		rmdir(l->dir);
	free(l);
	return 0;
}

/* A child that waits, without exiting, until the pipe closes. */
static pid_t spawn_waiter(int rfd)
{
	pid_t pid = fork();
	char c;

	if (pid == 0) {
		while (read(rfd, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	return pid;
}

static void test_live_cgroup(void **state)
{
	struct live *l = *state;
	char err[512], rel[PG_PATH_MAX], want[PG_PATH_MAX + 8];
	struct pg_cgroup cg, sub;
	struct stat st;
	__u64 id;

	if (!l->mount[0]) {
		print_message("skipped: needs root for a real cgroup\n");
		skip();
	}
	assert_int_equal(mkdir(l->dir, 0755), 0);
	assert_int_equal(mkdir(l->sub, 0755), 0);

	/* Resolve by relative name; the id is the handle, equal to st_ino here. */
	snprintf(rel, sizeof(rel), "pg-unit-%d", (int)getpid());
	if (cgroup__resolve(l->mount, rel, &cg, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(stat(l->dir, &st), 0);
	assert_true(cg.id == (__u64)st.st_ino);
	assert_int_equal(cg.level, 1);
	snprintf(want, sizeof(want), "/%s", rel);
	assert_string_equal(cg.rel, want);
	assert_int_equal(cgroup__id(l->dir, &id), 0);
	assert_true(id == cg.id);

	/* And by absolute path, for the child. */
	assert_int_equal(cgroup__resolve(l->mount, l->sub, &sub, err, sizeof(err)), 0);
	assert_int_equal(sub.level, 2);
	assert_true(sub.id != cg.id);

	/* id -> path, both ways round, and the root. */
	assert_int_equal(cgroup__path_of_id(l->mount, cg.id, rel, sizeof(rel)), 0);
	assert_string_equal(rel, cg.rel);
	assert_int_equal(cgroup__path_of_id(l->mount, sub.id, rel, sizeof(rel)), 0);
	assert_string_equal(rel, sub.rel);
	assert_int_equal(cgroup__id(l->mount, &id), 0);
	assert_int_equal(cgroup__path_of_id(l->mount, id, rel, sizeof(rel)), 0);
	assert_string_equal(rel, "/");
	assert_int_equal(cgroup__path_of_id(l->mount, cg.id, rel, 3), -ENAMETOOLONG);

	/* Tasks: none, then one in the cgroup and one in its child (hierarchical). */
	assert_int_equal(cgroup__count_tasks(cg.path), 0);
	assert_int_equal(pipe(l->pipe), 0);
	l->kids[0] = spawn_waiter(l->pipe[0]);
	assert_true(l->kids[0] > 0);
	write_pid(cg.path, l->kids[0]);
	assert_int_equal(cgroup__count_tasks(cg.path), 1);
	assert_int_equal(cgroup__count_tasks(sub.path), 0);
	l->kids[1] = spawn_waiter(l->pipe[0]);
	assert_true(l->kids[1] > 0);
	write_pid(sub.path, l->kids[1]);
	assert_int_equal(cgroup__count_tasks(cg.path), 2);
	assert_int_equal(cgroup__count_tasks(sub.path), 1);

	/* Move them out, remove the cgroups: the ids are gone. */
	write_pid(l->mount, l->kids[0]);
	write_pid(l->mount, l->kids[1]);
	assert_int_equal(cgroup__count_tasks(cg.path), 0);
	assert_int_equal(rmdir(l->sub), 0);
	assert_int_equal(rmdir(l->dir), 0);
	l->sub[0] = l->dir[0] = '\0';
	assert_int_equal(cgroup__path_of_id(l->mount, sub.id, rel, sizeof(rel)), -ENOENT);
	assert_int_equal(cgroup__path_of_id(l->mount, cg.id, rel, sizeof(rel)), -ENOENT);
}

#define TREE_TEST(f) cmocka_unit_test_setup_teardown(f, tree_setup, tree_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TREE_TEST(test_resolve_relative),
		TREE_TEST(test_resolve_absolute),
		TREE_TEST(test_resolve_symlink_inside),
		TREE_TEST(test_resolve_errors),
		TREE_TEST(test_resolve_tmp_message),
		TREE_TEST(test_resolve_too_long),
		cmocka_unit_test(test_resolve_bad_root),
		TREE_TEST(test_resolve_id_needs_kernfs),
		TREE_TEST(test_count_tasks_tree),
		cmocka_unit_test_setup_teardown(test_live_cgroup, live_setup, live_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
