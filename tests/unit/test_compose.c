// SPDX-License-Identifier: GPL-2.0
/*
 * test_compose.c - pids limits and project names from compose files:
 * both keys, quoting, anchors and merge keys, bad values, bad YAML, and
 * the fixture files under tests/unit/fixtures/docker/compose/ (run from
 * the repository root).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "compose.h"

#define FIX "tests/unit/fixtures/docker/compose/"

static int parse(const char *yaml, struct compose_file *f, char *err, size_t errlen)
{
	return compose__parse(yaml, strlen(yaml), "proj", f, err, errlen);
}

static const struct compose_service *svc(const struct compose_file *f, const char *name)
{
	return compose__find(f, f->project, name);
}

static void test_keys(void **state)
{
	static const char yaml[] =
		"services:\n"
		"  web:\n"
		"    image: x\n"
		"    pids_limit: 25\n"
		"  db:\n"
		"    deploy:\n"
		"      resources:\n"
		"        limits: {pids: 50, cpus: '0.5'}\n"
		"  both:\n"
		"    pids_limit: 10\n"
		"    deploy: {resources: {limits: {pids: 99}}}\n"
		"  none:\n"
		"    image: x\n"
		"  empty:\n"
		"  unlimited:\n"
		"    pids_limit: -1\n"
		"  nulled:\n"
		"    pids_limit: ~\n";
	const struct compose_service *s;
	struct compose_file f;
	const char *key;
	int64_t limit;
	char err[256];

	(void)state;
	assert_int_equal(parse(yaml, &f, err, sizeof(err)), 0);
	assert_string_equal(f.project, "proj");
	assert_false(f.project_from_name);
	assert_int_equal(f.nr_services, 7);

	s = svc(&f, "web");
	assert_true(compose__service_limit(s, &limit, &key));
	assert_int_equal(limit, 25);
	assert_string_equal(key, "pids_limit");

	s = svc(&f, "db");
	assert_true(compose__service_limit(s, &limit, &key));
	assert_int_equal(limit, 50);
	assert_string_equal(key, "deploy.resources.limits.pids");

	/* Both: pids_limit first; both values kept for the report. */
	s = svc(&f, "both");
	assert_true(compose__service_limit(s, &limit, &key));
	assert_int_equal(limit, 10);
	assert_true(s->has_deploy_pids);
	assert_int_equal(s->deploy_pids, 99);

	assert_false(compose__service_limit(svc(&f, "none"), &limit, &key));
	assert_false(compose__service_limit(svc(&f, "empty"), &limit, &key));
	assert_true(compose__service_limit(svc(&f, "unlimited"), &limit, &key));
	assert_int_equal(limit, -1);
	assert_false(compose__service_limit(svc(&f, "nulled"), &limit, &key));
	assert_string_equal(svc(&f, "nulled")->problem, "");

	/* Matched by project and service, nothing else. */
	assert_null(compose__find(&f, "other", "web"));
	assert_null(compose__find(&f, "proj", "nope"));
	assert_null(compose__find(&f, NULL, "web"));
	compose__free(&f);
}

static void test_values(void **state)
{
	static const char yaml[] =
		"services:\n"
		"  quoted: {pids_limit: \"25\"}\n"
		"  single: {pids_limit: '7'}\n"
		"  var: {pids_limit: \"${PIDS:-25}\"}\n"
		"  word: {pids_limit: lots}\n"
		"  float: {pids_limit: 2.5}\n"
		"  list: {pids_limit: [1]}\n"
		"  huge: {pids_limit: 99999999999999999999999}\n"
		"  spaced: {pids_limit: \" 5\"}\n"
		"  deploybad:\n"
		"    pids_limit: bad\n"
		"    deploy: {resources: {limits: {pids: worse}}}\n"
		"  fallback:\n"
		"    pids_limit: \"$X\"\n"
		"    deploy: {resources: {limits: {pids: 12}}}\n";
	struct compose_file f;
	const char *key;
	int64_t limit;
	char err[256];

	(void)state;
	assert_int_equal(parse(yaml, &f, err, sizeof(err)), 0);
	assert_true(compose__service_limit(svc(&f, "quoted"), &limit, &key));
	assert_int_equal(limit, 25);
	assert_true(compose__service_limit(svc(&f, "single"), &limit, &key));
	assert_int_equal(limit, 7);

	assert_false(compose__service_limit(svc(&f, "var"), &limit, &key));
	assert_string_equal(svc(&f, "var")->problem,
			    "pids_limit \"${PIDS:-25}\": variables are not expanded");
	assert_string_equal(svc(&f, "word")->problem, "pids_limit \"lots\" is not an integer");
	assert_string_equal(svc(&f, "float")->problem, "pids_limit \"2.5\" is not an integer");
	assert_string_equal(svc(&f, "list")->problem, "pids_limit is not a number");
	assert_false(svc(&f, "huge")->has_pids_limit);
	assert_non_null(strstr(svc(&f, "huge")->problem, "is not an integer"));
	assert_false(svc(&f, "spaced")->has_pids_limit);
	/* The first problem is kept. */
	assert_string_equal(svc(&f, "deploybad")->problem, "pids_limit \"bad\" is not an integer");
	/* An unusable pids_limit leaves the deploy limit in force. */
	assert_true(compose__service_limit(svc(&f, "fallback"), &limit, &key));
	assert_int_equal(limit, 12);
	assert_string_equal(key, "deploy.resources.limits.pids");
	assert_non_null(strstr(svc(&f, "fallback")->problem, "variables are not expanded"));
	compose__free(&f);
}

static void test_anchors_and_merge(void **state)
{
	static const char yaml[] =
		"x-base: &base\n"
		"  pids_limit: 30\n"
		"x-deploy: &deploy\n"
		"  resources:\n"
		"    limits:\n"
		"      pids: 44\n"
		"x-other: &other\n"
		"  image: y\n"
		"services:\n"
		"  merged:\n"
		"    <<: *base\n"
		"  overridden:\n"
		"    <<: *base\n"
		"    pids_limit: 10\n"
		"  list_merge:\n"
		"    <<: [*other, *base]\n"
		"  aliased_deploy:\n"
		"    deploy: *deploy\n"
		"  whole: *base\n";
	struct compose_file f;
	const char *key;
	int64_t limit;
	char err[256];

	(void)state;
	assert_int_equal(parse(yaml, &f, err, sizeof(err)), 0);
	assert_int_equal(f.nr_services, 5);
	assert_true(compose__service_limit(svc(&f, "merged"), &limit, &key));
	assert_int_equal(limit, 30);
	assert_true(compose__service_limit(svc(&f, "overridden"), &limit, &key));
	assert_int_equal(limit, 10);
	assert_true(compose__service_limit(svc(&f, "list_merge"), &limit, &key));
	assert_int_equal(limit, 30);
	assert_true(compose__service_limit(svc(&f, "aliased_deploy"), &limit, &key));
	assert_int_equal(limit, 44);
	assert_true(compose__service_limit(svc(&f, "whole"), &limit, &key));
	assert_int_equal(limit, 30);
	compose__free(&f);
}

/* Aliases are shared nodes: a "billion laughs" file is cheap, and a
 * merge chain deeper than the bound is cut, not followed forever. */
static void test_hostile(void **state)
{
	char yaml[8192];
	struct compose_file f;
	const char *key;
	int64_t limit;
	char err[256];
	size_t o = 0;
	int i;

	(void)state;
	o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 30; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o,
				      "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
				      i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "m0: &m0 {pids_limit: 3}\n");
	for (i = 1; i < 40; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "m%d: &m%d {<<: *m%d}\n", i, i,
				      i - 1);
	o += (size_t)snprintf(yaml + o, sizeof(yaml) - o,
			      "services:\n  lol: {x: *a29}\n  near: {<<: *m10}\n  deep: {<<: *m39}\n");
	assert_true(o < sizeof(yaml));
	assert_int_equal(parse(yaml, &f, err, sizeof(err)), 0);
	assert_true(compose__service_limit(svc(&f, "near"), &limit, &key));
	assert_int_equal(limit, 3);
	assert_false(compose__service_limit(svc(&f, "deep"), &limit, &key));
	assert_false(compose__service_limit(svc(&f, "lol"), &limit, &key));
	compose__free(&f);
}

static void test_bad_files(void **state)
{
	struct compose_file f;
	char err[256];

	(void)state;
	assert_int_equal(parse("services:\n  web: [\n", &f, err, sizeof(err)), -EINVAL);
	assert_true(strncmp(err, "line 3 column 1: ", 17) == 0);
	assert_int_equal(parse("services:\n\tweb: {}\n", &f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 2"));
	assert_int_equal(parse("", &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "the file is empty");
	assert_int_equal(parse("- a\n- b\n", &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 1: the top level is not a mapping");
	assert_int_equal(parse("version: '3'\n", &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no services: mapping (version 1 files are not supported)");
	assert_int_equal(parse("services: [web]\n", &f, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse("services:\n  [a]: {}\n", &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 2: a service name is not a short string");
	assert_int_equal(parse("services: {web: *nope}\n", &f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "undefined alias"));
	/* Not NUL-terminated input: only len bytes are read. */
	assert_int_equal(compose__parse("services: {a: {pids_limit: 5}}JUNK", 30, "p", &f, err,
					sizeof(err)), 0);
	compose__free(&f);
	/* An empty services mapping is a valid, if useless, file. */
	assert_int_equal(parse("services: {}\n", &f, err, sizeof(err)), 0);
	assert_int_equal(f.nr_services, 0);
	compose__free(&f);
}

static void test_project_names(void **state)
{
	struct compose_file f;
	char out[16], err[256];

	(void)state;
	compose__normalize_project("My_App.v2", out, sizeof(out));
	assert_string_equal(out, "my_appv2");
	compose__normalize_project("Hello World-1", out, sizeof(out));
	assert_string_equal(out, "helloworld-1");
	compose__normalize_project("", out, sizeof(out));
	assert_string_equal(out, "default");
	compose__normalize_project("\xc3\xa9t\xc3\xa9!", out, sizeof(out));
	assert_string_equal(out, "t");
	compose__normalize_project("abcdefghijklmnopqrstuvwxyz", out, sizeof(out));
	assert_string_equal(out, "abcdefghijklmno");

	assert_int_equal(parse("name: Shop\nservices: {a: {}}\n", &f, err, sizeof(err)), 0);
	assert_string_equal(f.project, "shop");
	assert_true(f.project_from_name);
	assert_non_null(compose__find(&f, "shop", "a"));
	assert_null(compose__find(&f, "proj", "a"));
	compose__free(&f);
	/* A non-string name falls back to the directory. */
	assert_int_equal(parse("name: {a: b}\nservices: {a: {}}\n", &f, err, sizeof(err)), 0);
	assert_string_equal(f.project, "proj");
	compose__free(&f);
}

static void test_load_fixtures(void **state)
{
	struct compose_file f;
	const char *key;
	int64_t limit;
	char err[512];

	(void)state;
	assert_int_equal(compose__load(FIX "My_App.v2/docker-compose.yml", &f, err, sizeof(err)),
			 0);
	assert_string_equal(f.project, "my_appv2");
	assert_string_equal(f.path, FIX "My_App.v2/docker-compose.yml");
	assert_int_equal(f.nr_services, 4);
	assert_true(compose__service_limit(compose__find(&f, "my_appv2", "web"), &limit, &key));
	assert_int_equal(limit, 25);
	assert_true(compose__service_limit(compose__find(&f, "my_appv2", "db"), &limit, &key));
	assert_int_equal(limit, 50);
	assert_true(compose__service_limit(compose__find(&f, "my_appv2", "worker"), &limit, &key));
	assert_int_equal(limit, 30);
	assert_false(compose__service_limit(compose__find(&f, "my_appv2", "cache"), &limit, &key));
	compose__free(&f);

	/* The directory is the real one, even through "..". */
	assert_int_equal(compose__load(FIX "named/../My_App.v2/./docker-compose.yml", &f, err,
				       sizeof(err)), 0);
	assert_string_equal(f.project, "my_appv2");
	compose__free(&f);

	assert_int_equal(compose__load(FIX "named/compose.yaml", &f, err, sizeof(err)), 0);
	assert_string_equal(f.project, "shopfront");
	assert_true(compose__service_limit(compose__find(&f, "shopfront", "api"), &limit, &key));
	assert_int_equal(limit, 40);
	compose__free(&f);

	assert_int_equal(compose__load(FIX "nope.yml", &f, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "compose file " FIX "nope.yml: No such file or directory");
	assert_int_equal(compose__load(FIX, &f, err, sizeof(err)), -EIO);
	assert_int_equal(compose__load("tests/unit/fixtures/docker/version.json", &f, err,
				       sizeof(err)), -EINVAL);
	assert_string_equal(err, "compose file tests/unit/fixtures/docker/version.json: "
				 "no services: mapping (version 1 files are not supported)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_anchors_and_merge),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_project_names),
		cmocka_unit_test(test_load_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
