// SPDX-License-Identifier: GPL-2.0
/*
 * test_docker_cgroup.c - container -> cgroup for every Docker layout, from
 * /proc/<pid>/cgroup fixtures (tests/unit/fixtures/docker/proc, see its
 * README) and from the layout rules, checked against a fixture v2 tree.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "docker_cgroup.h"

#define FIX "tests/unit/fixtures/docker/"
#define PROC FIX "proc"
#define CG2 FIX "cg2"
#define ID_A "84fa972a703494de35a9c14ee155f68d99a106e2c5da9b842a42810c87a743d0"
#define S_(text) text, strlen(text), &p
#define ID_B "3f5e2c9d1b7a4e6f8a0c2d4e6f8091a2b3c4d5e6f708192a3b4c5d6e7f809102"

static struct docker_container running(const char *id, int pid, const char *parent)
{
	struct docker_container c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	snprintf(c.cgroup_parent, sizeof(c.cgroup_parent), "%s", parent);
	c.running = pid > 0;
	c.pid = pid;
	return c;
}

static const struct docker_info cgroupfs = { .cgroup_driver = DOCKER_CGDRIVER_CGROUPFS,
					     .cgroup_version = 1 };
static const struct docker_info systemd2 = { .cgroup_driver = DOCKER_CGDRIVER_SYSTEMD,
					     .cgroup_version = 2 };

static void test_parse_proc(void **state)
{
	struct docker_cgroup_paths p;

	(void)state;
	assert_int_equal(docker_cgroup__parse_proc("0::/a/b\n", 8, &p), 0);
	assert_string_equal(p.v2, "/a/b");
	assert_string_equal(p.pids_v1, "");
	/* pids as one of several controllers; no trailing newline. */
	assert_int_equal(docker_cgroup__parse_proc(S_("3:cpu,pids:/x\n2:memory:/y")), 0);
	assert_string_equal(p.pids_v1, "/x");
	assert_string_equal(p.v2, "");
	/* "pidsx" is not "pids"; name=systemd is not v2. */
	assert_int_equal(docker_cgroup__parse_proc(S_("3:pidsx:/x\n1:name=systemd:/y\n")), -ENOENT);
	/* Paths from another namespace, or odd, are ignored. */
	assert_int_equal(docker_cgroup__parse_proc(S_("0::/../x\n")), -ENOENT);
	assert_int_equal(docker_cgroup__parse_proc(S_("0::x\n")), -ENOENT);
	assert_int_equal(docker_cgroup__parse_proc(S_("0::/a//b\n")), -ENOENT);
	assert_int_equal(docker_cgroup__parse_proc(S_("0::/a/./b\n")), -ENOENT);
	assert_int_equal(docker_cgroup__parse_proc(S_("0::/a/\n")), -ENOENT);
	assert_int_equal(docker_cgroup__parse_proc(S_("garbage\n:\n::\n")), -ENOENT);
	assert_int_equal(docker_cgroup__parse_proc(S_("")), -ENOENT);
	/* The root is a valid (if useless) v2 path. */
	assert_int_equal(docker_cgroup__parse_proc(S_("0::/\n")), 0);
	assert_string_equal(p.v2, "/");
	/* A colon inside the path is kept. */
	assert_int_equal(docker_cgroup__parse_proc(S_("0::/a:b\n")), 0);
	assert_string_equal(p.v2, "/a:b");
}

static void test_trim(void **state)
{
	char p[256];

	(void)state;
	strcpy(p, "/docker/" ID_A "/init");
	assert_true(docker_cgroup__trim_to_container(p, ID_A));
	assert_string_equal(p, "/docker/" ID_A);
	strcpy(p, "/system.slice/docker-" ID_B ".scope/sub");
	assert_true(docker_cgroup__trim_to_container(p, ID_B));
	assert_string_equal(p, "/system.slice/docker-" ID_B ".scope");
	strcpy(p, "/docker/" ID_A "x");
	assert_false(docker_cgroup__trim_to_container(p, ID_A));
	strcpy(p, "/docker-" ID_A ".scopex");
	assert_false(docker_cgroup__trim_to_container(p, ID_A));
	strcpy(p, "/user.slice");
	assert_false(docker_cgroup__trim_to_container(p, ID_A));
	assert_false(docker_cgroup__trim_to_container(p, ""));
}

static void test_expand_slice(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(docker_cgroup__expand_slice("system.slice", out, sizeof(out)), 0);
	assert_string_equal(out, "/system.slice");
	assert_int_equal(docker_cgroup__expand_slice("my-app-x.slice", out, sizeof(out)), 0);
	assert_string_equal(out, "/my.slice/my-app.slice/my-app-x.slice");
	assert_int_equal(docker_cgroup__expand_slice("-.slice", out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	assert_int_equal(docker_cgroup__expand_slice(".slice", out, sizeof(out)), -EINVAL);
	assert_int_equal(docker_cgroup__expand_slice("a--b.slice", out, sizeof(out)), -EINVAL);
	assert_int_equal(docker_cgroup__expand_slice("-a.slice", out, sizeof(out)), -EINVAL);
	assert_int_equal(docker_cgroup__expand_slice("a-.slice", out, sizeof(out)), -EINVAL);
	assert_int_equal(docker_cgroup__expand_slice("a/b.slice", out, sizeof(out)), -EINVAL);
	assert_int_equal(docker_cgroup__expand_slice("system", out, sizeof(out)), -EINVAL);
	assert_int_equal(docker_cgroup__expand_slice("a-b-c.slice", out, 20), -ENAMETOOLONG);
}

static void test_rules(void **state)
{
	char out[512];
	bool certain;

	(void)state;
	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_CGROUPFS, "", ID_A, out,
						   sizeof(out), &certain), 0);
	assert_string_equal(out, "/docker/" ID_A);
	assert_true(certain);
	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_UNKNOWN, "/pgparent/", ID_A, out,
						   sizeof(out), &certain), 0);
	assert_string_equal(out, "/pgparent/" ID_A);
	assert_true(certain);
	/* Relative: runc puts it under its own cgroup; "/" assumed (as here). */
	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_CGROUPFS, "pgrel", ID_A, out,
						   sizeof(out), &certain), 0);
	assert_string_equal(out, "/pgrel/" ID_A);
	assert_false(certain);
	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_CGROUPFS, "/a/../../etc", ID_A,
						   out, sizeof(out), &certain), -EINVAL);

	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_SYSTEMD, "", ID_B, out,
						   sizeof(out), &certain), 0);
	assert_string_equal(out, "/system.slice/docker-" ID_B ".scope");
	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_SYSTEMD, "my-app.slice", ID_B,
						   out, sizeof(out), &certain), 0);
	assert_string_equal(out, "/my.slice/my-app.slice/docker-" ID_B ".scope");
	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_SYSTEMD, "-.slice", ID_B, out,
						   sizeof(out), &certain), 0);
	assert_string_equal(out, "/docker-" ID_B ".scope");
	/* moby refuses a non-slice parent with systemd; so do we. */
	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_SYSTEMD, "/pgparent", ID_B, out,
						   sizeof(out), &certain), -EINVAL);
	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_NONE, "", ID_B, out,
						   sizeof(out), &certain), -ENOTSUP);
	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_CGROUPFS, "", "abc", out,
						   sizeof(out), &certain), -EINVAL);
	assert_int_equal(docker_cgroup__from_rules(DOCKER_CGDRIVER_CGROUPFS, "", ID_A, out, 20,
						   &certain), -ENAMETOOLONG);
}

/* Every layout through resolve: /proc first, the rules when it cannot. */
static void test_resolve_from_proc(void **state)
{
	static const struct {
		const char *id;
		int pid;
		const char *v2, *pids;
	} cases[] = {
		{ ID_A, 100, "/docker/" ID_A, "/docker/" ID_A },
		{ ID_B, 101, "/system.slice/docker-" ID_B ".scope", "" },
		{ ID_A, 103, "/docker/" ID_A, "" },
		{ ID_A, 105, "/pgparent/" ID_A, "/pgparent/" ID_A },
		{ ID_B, 107, "/my.slice/my-app.slice/docker-" ID_B ".scope", "" },
	};
	struct docker_cgroup_where w;
	struct docker_container c;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* The rules would say otherwise: /proc must win. */
		c = running(cases[i].id, cases[i].pid, "");
		assert_int_equal(docker_cgroup__resolve(PROC, CG2, &cgroupfs, &c, &w, err,
							sizeof(err)), 0);
		assert_int_equal(w.how, DOCKER_CG_FROM_PROC);
		assert_true(w.certain);
		assert_string_equal(w.paths.v2, cases[i].v2);
		assert_string_equal(w.paths.pids_v1, cases[i].pids);
		assert_string_equal(w.note, "");
	}
}

static void test_resolve_fallbacks(void **state)
{
	struct docker_cgroup_where w;
	struct docker_container c;
	char err[512];

	(void)state;
	/* v1-only host: pids from /proc, v2 from the rules (no v2 tree to check). */
	c = running(ID_B, 102, "");
	assert_int_equal(docker_cgroup__resolve(PROC, NULL, &systemd2, &c, &w, err, sizeof(err)), 0);
	assert_int_equal(w.how, DOCKER_CG_FROM_RULES);
	assert_string_equal(w.paths.pids_v1, "/system.slice/docker-" ID_B ".scope");
	assert_string_equal(w.paths.v2, "/system.slice/docker-" ID_B ".scope");
	assert_string_equal(w.note, "pid 102 has no cgroup v2 line");

	/* The pid was reused by a host process: rules, and they exist. */
	c = running(ID_A, 104, "");
	assert_int_equal(docker_cgroup__resolve(PROC, CG2, &cgroupfs, &c, &w, err, sizeof(err)), 0);
	assert_int_equal(w.how, DOCKER_CG_FROM_RULES);
	assert_string_equal(w.paths.v2, "/docker/" ID_A);
	assert_string_equal(w.paths.pids_v1, "/docker/" ID_A);
	assert_non_null(strstr(w.note, "pid 104 is in /user.slice/user-1000.slice/session-2.scope"));

	/* Another cgroup namespace's view is not trusted. */
	c = running(ID_A, 106, "");
	assert_int_equal(docker_cgroup__resolve(PROC, CG2, &cgroupfs, &c, &w, err, sizeof(err)), 0);
	assert_int_equal(w.how, DOCKER_CG_FROM_RULES);
	assert_non_null(strstr(w.note, "/proc/106/cgroup: No such file or directory"));

	/* The pid is gone. */
	c = running(ID_B, 999, "my-app.slice");
	assert_int_equal(docker_cgroup__resolve(PROC, CG2, &systemd2, &c, &w, err, sizeof(err)), 0);
	assert_string_equal(w.paths.v2, "/my.slice/my-app.slice/docker-" ID_B ".scope");

	/* Not running: rules only. */
	c = running(ID_B, 0, "");
	assert_int_equal(docker_cgroup__resolve(PROC, CG2, &systemd2, &c, &w, err, sizeof(err)), 0);
	assert_string_equal(w.paths.v2, "/system.slice/docker-" ID_B ".scope");
	assert_string_equal(w.note, "container is not running");

	/* Unknown driver: cgroupfs assumed. */
	c = running(ID_A, 0, "");
	assert_int_equal(docker_cgroup__resolve(PROC, CG2, NULL, &c, &w, err, sizeof(err)), 0);
	assert_string_equal(w.paths.v2, "/docker/" ID_A);

	/* Rules that point nowhere: a clear error. */
	c = running(ID_B, 0, "");
	assert_int_equal(docker_cgroup__resolve(PROC, CG2, &cgroupfs, &c, &w, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "container 3f5e2c9d1b7a: no cgroup at " CG2 "/docker/" ID_B
				 " (driver cgroupfs, CgroupParent \"\"; container is not running)");
	/* A CgroupParent the daemon knows but this tree lacks. */
	c = running(ID_A, 0, "/docker/" ID_A);
	assert_int_equal(docker_cgroup__resolve(PROC, CG2, &cgroupfs, &c, &w, err, sizeof(err)),
			 -ENOENT);
	c = running(ID_B, 0, "bad");
	assert_int_equal(docker_cgroup__resolve(PROC, CG2, &systemd2, &c, &w, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "container 3f5e2c9d1b7a: no cgroup layout for driver systemd "
				 "and CgroupParent \"bad\": Invalid argument");
}

static void test_live_self(void **state)
{
	struct docker_cgroup_paths p;

	(void)state;
	/* Whatever this host is, our own /proc entry parses. */
	assert_int_equal(docker_cgroup__from_pid(NULL, getpid(), &p), 0);
	assert_true(p.v2[0] == '/' || p.pids_v1[0] == '/');
	assert_int_equal(docker_cgroup__from_pid(NULL, 0, &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_proc),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_expand_slice),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_resolve_from_proc),
		cmocka_unit_test(test_resolve_fallbacks),
		cmocka_unit_test(test_live_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
