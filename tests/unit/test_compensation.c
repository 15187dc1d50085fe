// SPDX-License-Identifier: GPL-2.0
/*
 * test_compensation.c - the compensation report: each case from its
 * inputs, the sentence an operator reads, and reading pids.max from v2
 * and v1 trees built in a temporary directory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/types.h>
#include <cmocka.h>

#include "pidguard.h"
#include "compensation.h"

static struct compensation_input input(__u32 declared, enum limit_source source,
				       const char *text, enum compensation_kernel_state state,
				       uint64_t value)
{
	struct compensation_input in;

	memset(&in, 0, sizeof(in));
	in.declared = declared;
	in.source = source;
	in.source_text = text;
	in.kernel.state = state;
	in.kernel.value = value;
	return in;
}

static void test_enforced(void **state)
{
	struct compensation_input in = input(25, LIMIT_SRC_HOSTCONFIG, "HostConfig.PidsLimit",
					     COMP_KERNEL_VALUE, 25);
	struct compensation_result r;

	(void)state;
	in.has_pids_limit = true;
	in.pids_limit = 25;
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_ENFORCED);
	assert_false(r.compensates);
	assert_string_equal(r.sentence, "Declared 25 (HostConfig.PidsLimit), enforced by the "
					"kernel (pids.max=25).");
	assert_string_equal(compensation__case_name(r.kind), "enforced");

	/* A stricter kernel limit still enforces the declared one. */
	in = input(30, LIMIT_SRC_LABEL, "label", COMP_KERNEL_VALUE, 20);
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_ENFORCED);
	assert_non_null(strstr(r.sentence, "(pids.max=20, stricter)"));
}

static void test_bypassed_by_exec(void **state)
{
	struct compensation_input in = input(25, LIMIT_SRC_COMPOSE,
					     "compose file /srv/shop/docker-compose.yml",
					     COMP_KERNEL_VALUE, 25);
	struct compensation_result r;

	(void)state;
	in.exec_tasks = 3;
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_BYPASSED_BY_EXEC);
	assert_true(r.compensates);
	assert_string_equal(r.sentence,
			    "Declared 25 (compose file /srv/shop/docker-compose.yml), enforced by "
			    "the kernel (pids.max=25) but bypassed; 3 tasks entered by docker exec, "
			    "which the kernel never refuses; pidguard counts those tasks too.");
	in.exec_tasks = 1;
	compensation__classify(&in, &r);
	assert_non_null(strstr(r.sentence, "; 1 task entered by docker exec"));
	assert_string_equal(compensation__case_name(r.kind), "bypassed_by_exec");
}

static void test_kernel_looser(void **state)
{
	struct compensation_input in = input(10, LIMIT_SRC_CLI, "--limit", COMP_KERNEL_VALUE, 100);
	struct compensation_result r;

	(void)state;
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_KERNEL_LOOSER);
	assert_true(r.compensates);
	assert_string_equal(r.sentence, "Declared 10 (--limit), but the kernel enforces only "
					"pids.max=100; pidguard enforces 10.");
}

static void test_dropped(void **state)
{
	struct compensation_input in = input(25, LIMIT_SRC_HOSTCONFIG, "HostConfig.PidsLimit",
					     COMP_KERNEL_MAX, 0);
	struct compensation_result r;

	(void)state;
	in.has_pids_limit = true;
	in.pids_limit = 25;
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_DROPPED);
	assert_true(r.compensates);
	assert_non_null(strstr(r.sentence, "although Docker holds --pids-limit 25: the daemon "
					   "dropped it (\"PIDs limit discarded\")"));
	/* Whatever the source, a Docker limit missing from the kernel was dropped. */
	in.source = LIMIT_SRC_COMPOSE;
	in.source_text = "compose file a.yml";
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_DROPPED);
	assert_string_equal(compensation__case_name(r.kind), "dropped");
}

static void test_predates(void **state)
{
	struct compensation_input in = input(25, LIMIT_SRC_COMPOSE, "compose file a.yml",
					     COMP_KERNEL_MAX, 0);
	struct compensation_result r;

	(void)state;
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_PREDATES);
	assert_non_null(strstr(r.sentence, "Declared 25 (compose file a.yml), not enforced by "
					   "the kernel (pids.max=max): the container has no "
					   "--pids-limit, so it predates the limit"));
	/* Docker's "unlimited" values are no limit either. */
	in.has_pids_limit = true;
	in.pids_limit = -1;
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_PREDATES);
	in.pids_limit = 0;
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_PREDATES);
}

static void test_no_controller(void **state)
{
	struct compensation_input in = input(25, LIMIT_SRC_HOSTCONFIG, "HostConfig.PidsLimit",
					     COMP_KERNEL_NO_CONTROLLER, 0);
	struct compensation_result r;

	(void)state;
	in.has_pids_limit = true;
	in.pids_limit = 25;
	/* No controller wins over exec: there is no kernel limit to bypass. */
	in.exec_tasks = 2;
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_NO_CONTROLLER);
	assert_true(r.compensates);
	assert_string_equal(r.sentence, "Declared 25 (HostConfig.PidsLimit), not enforced by the "
					"kernel: no pids controller for this cgroup (cgroup v2 "
					"without pids enabled, or rootless Docker), so the daemon "
					"discarded --pids-limit; pidguard enforces it.");
	in.has_pids_limit = false;
	in.source = LIMIT_SRC_DEFAULT;
	in.source_text = NULL;
	compensation__classify(&in, &r);
	assert_non_null(strstr(r.sentence, "(--default-limit)"));
	assert_null(strstr(r.sentence, "discarded"));
}

static void test_pidguard_only_and_none(void **state)
{
	struct compensation_input in = input(40, LIMIT_SRC_LABEL, "label", COMP_KERNEL_MAX, 0);
	struct compensation_result r;

	(void)state;
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_PIDGUARD_ONLY);
	assert_string_equal(r.sentence, "Limit 40 comes from label, which Docker does not know; "
					"the kernel has none (pids.max=max); pidguard enforces it.");

	in = input(PG_NO_LIMIT, LIMIT_SRC_NONE, "none", COMP_KERNEL_VALUE, 10);
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_NOT_LIMITED);
	assert_false(r.compensates);
	assert_string_equal(compensation__case_name(r.kind), "not_limited");

	in = input(40, LIMIT_SRC_CLI, "--limit", COMP_KERNEL_UNKNOWN, 0);
	strcpy(in.kernel.file, "/sys/fs/cgroup/pids/docker/x/pids.max");
	compensation__classify(&in, &r);
	assert_int_equal(r.kind, COMP_UNKNOWN);
	assert_string_equal(r.sentence, "Declared 40 (--limit); pids.max could not be read from "
					"/sys/fs/cgroup/pids/docker/x/pids.max, so pidguard "
					"enforces the limit itself.");
	assert_string_equal(compensation__case_name(COMP_NO_CONTROLLER), "no_controller");
	assert_string_equal(compensation__case_name(COMP_PREDATES), "predates");
	assert_string_equal(compensation__case_name(COMP_KERNEL_LOOSER), "kernel_looser");
	assert_string_equal(compensation__case_name(COMP_PIDGUARD_ONLY), "pidguard_only");
}

static void test_parse_pids_max(void **state)
{
	struct compensation_kernel k;

	(void)state;
	assert_int_equal(compensation__parse_pids_max("max\n", 4, &k), 0);
	assert_int_equal(k.state, COMP_KERNEL_MAX);
	assert_int_equal(compensation__parse_pids_max("25\n", 3, &k), 0);
	assert_int_equal(k.state, COMP_KERNEL_VALUE);
	assert_int_equal(k.value, 25);
	assert_int_equal(compensation__parse_pids_max("0", 1, &k), 0);
	assert_int_equal(k.value, 0);
	assert_int_equal(compensation__parse_pids_max("", 0, &k), -EINVAL);
	assert_int_equal(compensation__parse_pids_max("\n", 1, &k), -EINVAL);
	assert_int_equal(compensation__parse_pids_max("-1\n", 3, &k), -EINVAL);
	assert_int_equal(compensation__parse_pids_max("maxi", 4, &k), -EINVAL);
	assert_int_equal(compensation__parse_pids_max("12345678901234567890", 20, &k), -EINVAL);
	assert_int_equal(k.state, COMP_KERNEL_UNKNOWN);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_read_kernel(void **state)
{
	char root[] = "/tmp/pg-comp.XXXXXX", v2[256], v1[256], bad[256], nope[256];
	struct compensation_kernel k;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(v2, sizeof(v2), "%s/v2", root);
	snprintf(v1, sizeof(v1), "%s/v1", root);
	snprintf(bad, sizeof(bad), "%s/bad", root);
	snprintf(nope, sizeof(nope), "%s/nope", root);
	assert_int_equal(mkdir(v2, 0755), 0);
	assert_int_equal(mkdir(v1, 0755), 0);
	assert_int_equal(mkdir(bad, 0755), 0);
	put(v1, "pids.max", "25\n");
	put(bad, "pids.max", "lots\n");

	/* Hybrid host (this machine): no pids.max in v2, the v1 one counts. */
	compensation__read_kernel(v2, v1, &k);
	assert_int_equal(k.state, COMP_KERNEL_VALUE);
	assert_int_equal(k.value, 25);
	assert_string_equal(k.file + strlen(root), "/v1/pids.max");

	/* v2 with pids enabled: v2 first. */
	put(v2, "pids.max", "max\n");
	compensation__read_kernel(v2, v1, &k);
	assert_int_equal(k.state, COMP_KERNEL_MAX);
	assert_string_equal(k.file + strlen(root), "/v2/pids.max");

	/* Neither has one: no controller. */
	compensation__read_kernel(nope, NULL, &k);
	assert_int_equal(k.state, COMP_KERNEL_NO_CONTROLLER);
	assert_string_equal(k.file, "");
	compensation__read_kernel(NULL, "", &k);
	assert_int_equal(k.state, COMP_KERNEL_NO_CONTROLLER);

	compensation__read_kernel(bad, v1, &k);
	assert_int_equal(k.state, COMP_KERNEL_UNKNOWN);
	assert_string_equal(k.file + strlen(root), "/bad/pids.max");

	unlink(strcat(strcpy(nope, v2), "/pids.max"));
	unlink(strcat(strcpy(nope, v1), "/pids.max"));
	unlink(strcat(strcpy(nope, bad), "/pids.max"));
	rmdir(v2);
	rmdir(v1);
	rmdir(bad);
	rmdir(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enforced),
		cmocka_unit_test(test_bypassed_by_exec),
		cmocka_unit_test(test_kernel_looser),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_predates),
		cmocka_unit_test(test_no_controller),
		cmocka_unit_test(test_pidguard_only_and_none),
		cmocka_unit_test(test_parse_pids_max),
		cmocka_unit_test(test_read_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
