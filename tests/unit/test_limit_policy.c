// SPDX-License-Identifier: GPL-2.0
/*
 * test_limit_policy.c - the precedence of limit sources and the source
 * reported for each: --limit, label, compose file, HostConfig.PidsLimit,
 * --default-limit, including skipped (bad) values and "none".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <linux/types.h>
#include "pidguard.h"
#include "limit_policy.h"

#define ID_A "84fa972a703494de35a9c14ee155f68d99a106e2c5da9b842a42810c87a743d0"

static struct docker_container container(void)
{
	struct docker_container c;

	memset(&c, 0, sizeof(c));
	strcpy(c.id, ID_A);
	strcpy(c.name, "web");
	return c;
}

static struct compose_service services[] = {
	{ .name = "web", .has_pids_limit = true, .pids_limit = 25 },
	{ .name = "db", .has_deploy_pids = true, .deploy_pids = 50 },
	{ .name = "open", .has_pids_limit = true, .pids_limit = -1 },
	{ .name = "bad", .problem = "pids_limit \"${P}\": variables are not expanded" },
	{ .name = "plain" },
};

static struct compose_service services2[] = {
	{ .name = "bad", .has_pids_limit = true, .pids_limit = 77 },
	{ .name = "plain", .has_deploy_pids = true, .deploy_pids = 88 },
};

static struct compose_file files[] = {
	{ .path = "/srv/shop/docker-compose.yml", .project = "shop", .services = services,
	  .nr_services = 5 },
	{ .path = "/srv/override.yml", .project = "shop", .services = services2,
	  .nr_services = 2 },
};

static void test_nothing(void **state)
{
	struct limit_policy p = { 0 };
	struct docker_container c = container();
	struct limit_decision d;

	(void)state;
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_NONE);
	assert_int_equal(d.max, PG_NO_LIMIT);
	assert_string_equal(d.source_text, "none");
	assert_string_equal(d.warning, "");

	/* Docker's "unlimited" is not a match: the default applies. */
	c.has_pids_limit = true;
	c.pids_limit = 0;
	p.default_limit = 100;
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_DEFAULT);
	assert_int_equal(d.max, 100);
	assert_string_equal(d.source_text, "--default-limit");
	c.pids_limit = -1;
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_DEFAULT);
	c.pids_limit = 5000000;		/* beyond PID_MAX_LIMIT: limits nothing */
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_DEFAULT);
}

static void test_precedence_chain(void **state)
{
	struct pg_limit_arg cli[2] = { { .target = "other", .max = 5 }, { .target = "web", .max = 10 } };
	struct limit_policy p = { .cli = cli, .nr_cli = 2, .compose = files, .nr_compose = 2,
				  .default_limit = 100 };
	struct docker_container c = container();
	struct limit_decision d;

	(void)state;
	strcpy(c.compose_project, "shop");
	strcpy(c.compose_service, "web");
	c.has_limit_label = true;
	strcpy(c.limit_label, "30");
	c.has_pids_limit = true;
	c.pids_limit = 40;

	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_CLI);
	assert_int_equal(d.max, 10);
	assert_string_equal(d.source_text, "--limit");
	assert_string_equal(d.detail, "--limit web");

	p.nr_cli = 1;		/* "other" does not match */
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_LABEL);
	assert_int_equal(d.max, 30);
	assert_string_equal(d.source_text, "label");
	assert_string_equal(d.detail, "pidguard.pids-limit=30");

	c.has_limit_label = false;
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_COMPOSE);
	assert_int_equal(d.max, 25);
	assert_string_equal(d.source_text, "compose file /srv/shop/docker-compose.yml");
	assert_string_equal(d.detail, "service web, pids_limit: 25");

	strcpy(c.compose_project, "elsewhere");
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_HOSTCONFIG);
	assert_int_equal(d.max, 40);
	assert_string_equal(d.source_text, "HostConfig.PidsLimit");

	c.has_pids_limit = false;
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_DEFAULT);
	assert_int_equal(d.max, 100);
}

static void test_none_is_a_match(void **state)
{
	struct pg_limit_arg cli[1] = { { .target = "web", .max = PG_NO_LIMIT } };
	struct limit_policy p = { .cli = cli, .nr_cli = 1, .compose = files, .nr_compose = 2,
				  .default_limit = 100 };
	struct docker_container c = container();
	struct limit_decision d;

	(void)state;
	c.has_pids_limit = true;
	c.pids_limit = 40;
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_CLI);
	assert_int_equal(d.max, PG_NO_LIMIT);

	p.nr_cli = 0;
	c.has_limit_label = true;
	strcpy(c.limit_label, "none");
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_LABEL);
	assert_int_equal(d.max, PG_NO_LIMIT);

	/* pids_limit: -1 in a compose file says "unlimited" on purpose. */
	c.has_limit_label = false;
	strcpy(c.compose_project, "shop");
	strcpy(c.compose_service, "open");
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_COMPOSE);
	assert_int_equal(d.max, PG_NO_LIMIT);
	assert_string_equal(d.detail, "service open, pids_limit: -1");
}

static void test_bad_values_fall_through(void **state)
{
	static const char *bad_labels[] = { "", "0", "-1", "25x", " 25", "4194305", "lots",
					     "(not a short string)", "99999999999999999999" };
	struct limit_policy p = { .compose = files, .nr_compose = 2 };
	struct docker_container c = container();
	struct limit_decision d;
	size_t i;

	(void)state;
	c.has_pids_limit = true;
	c.pids_limit = 40;
	c.has_limit_label = true;
	for (i = 0; i < sizeof(bad_labels) / sizeof(bad_labels[0]); i++) {
		snprintf(c.limit_label, sizeof(c.limit_label), "%s", bad_labels[i]);
		limit_policy__decide(&p, &c, &d);
		assert_int_equal(d.source, LIMIT_SRC_HOSTCONFIG);
		assert_int_equal(d.max, 40);
		assert_non_null(strstr(d.warning, "is not a limit (1 to 4194304, or none): ignored"));
	}
	strcpy(c.limit_label, "4194304");
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_LABEL);
	assert_int_equal(d.max, 4194304);

	/* A bad compose value: the next file decides, with a warning. */
	c.has_limit_label = false;
	strcpy(c.compose_project, "shop");
	strcpy(c.compose_service, "bad");
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_COMPOSE);
	assert_int_equal(d.max, 77);
	assert_string_equal(d.source_text, "compose file /srv/override.yml");
	assert_string_equal(d.warning, "compose file /srv/shop/docker-compose.yml: pids_limit "
				       "\"${P}\": variables are not expanded: ignored");

	/* A service without a limit in the first file: the second is asked. */
	strcpy(c.compose_service, "plain");
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.max, 88);
	assert_string_equal(d.detail, "service plain, deploy.resources.limits.pids: 88");
	assert_string_equal(d.warning, "");

	/* Both labels are needed to match a compose service. */
	strcpy(c.compose_service, "");
	limit_policy__decide(&p, &c, &d);
	assert_int_equal(d.source, LIMIT_SRC_HOSTCONFIG);
}

static void test_target_matches(void **state)
{
	struct docker_container c = container();

	(void)state;
	assert_true(limit_policy__target_matches("web", &c));
	assert_true(limit_policy__target_matches(ID_A, &c));
	assert_true(limit_policy__target_matches("84fa972a7034", &c));
	assert_true(limit_policy__target_matches("84fa972a703494de", &c));
	assert_false(limit_policy__target_matches("84fa972a703", &c));	/* too short */
	assert_false(limit_policy__target_matches("84FA972A7034", &c));
	assert_false(limit_policy__target_matches("84fa972a7035", &c));
	assert_false(limit_policy__target_matches("/web", &c));		/* a cgroup path */
	assert_false(limit_policy__target_matches("we", &c));
	assert_false(limit_policy__target_matches("", &c));
	assert_false(limit_policy__target_matches(ID_A "0", &c));
	c.name[0] = '\0';
	assert_false(limit_policy__target_matches("", &c));
	assert_string_equal(limit_policy__source_name(LIMIT_SRC_HOSTCONFIG), "HostConfig.PidsLimit");
	assert_string_equal(limit_policy__source_name(LIMIT_SRC_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_precedence_chain),
		cmocka_unit_test(test_none_is_a_match),
		cmocka_unit_test(test_bad_values_fall_through),
		cmocka_unit_test(test_target_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
