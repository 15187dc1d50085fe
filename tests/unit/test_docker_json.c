// SPDX-License-Identifier: GPL-2.0
/*
 * test_docker_json.c - decoding of Docker API answers: real answers of
 * dockerd 20.10 (tests/unit/fixtures/docker/, run from the repository
 * root) and hand-made bad ones (wrong types, truncation, odd labels).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "docker_json.h"

#define FIX "tests/unit/fixtures/docker/"
#define ID_A "84fa972a703494de35a9c14ee155f68d99a106e2c5da9b842a42810c87a743d0"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

#define S(x) x, strlen(x)

static void test_version_fixture(void **state)
{
	struct docker_version v;
	char err[256];
	size_t len;
	char *body = slurp(FIX "version.json", &len);

	(void)state;
	assert_int_equal(docker_json__parse_version(body, len, &v, err, sizeof(err)), 0);
	assert_string_equal(v.api_version, "1.41");
	assert_int_equal(v.api_major, 1);
	assert_int_equal(v.api_minor, 41);
	assert_string_equal(v.version, "20.10.24+dfsg1");
	free(body);
}

static void test_version_bad(void **state)
{
	static const char *bad[] = {
		"",
		"{",
		"[]",
		"{}",
		"{\"ApiVersion\": 1.41}",
		"{\"ApiVersion\": \"1\"}",
		"{\"ApiVersion\": \"1.4x\"}",
		"{\"ApiVersion\": \"1.41/../../x\"}",
		"{\"ApiVersion\": \".41\"}",
		"{\"ApiVersion\": \"1.\"}",
		"{\"ApiVersion\": \"1.41.2\"}",
		"{\"ApiVersion\": \"123456.1\"}",
		"{\"ApiVersion\": \"this version string is far too long\"}",
	};
	struct docker_version v;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(docker_json__parse_version(S(bad[i]), &v, err, sizeof(err)),
				 -EPROTO);
		assert_true(strncmp(err, "/version: ", 10) == 0);
	}
	assert_int_equal(docker_json__parse_version(S("{\"ApiVersion\":\"1.45\",\"Version\":7}"),
						    &v, err, sizeof(err)), 0);
	assert_int_equal(v.api_minor, 45);
	assert_string_equal(v.version, "");
}

static void test_info(void **state)
{
	struct docker_info info;
	char err[256];
	size_t len;
	char *body = slurp(FIX "info_cgroupfs_v1.json", &len);

	(void)state;
	assert_int_equal(docker_json__parse_info(body, len, &info, err, sizeof(err)), 0);
	assert_int_equal(info.cgroup_driver, DOCKER_CGDRIVER_CGROUPFS);
	assert_int_equal(info.cgroup_version, 1);
	assert_true(info.pids_limit_supported);
	free(body);

	assert_int_equal(docker_json__parse_info(S("{\"CgroupDriver\":\"systemd\","
						   "\"CgroupVersion\":\"2\",\"PidsLimit\":false}"),
						 &info, err, sizeof(err)), 0);
	assert_int_equal(info.cgroup_driver, DOCKER_CGDRIVER_SYSTEMD);
	assert_int_equal(info.cgroup_version, 2);
	assert_false(info.pids_limit_supported);

	/* An old daemon says nothing: unknown, not an error. */
	assert_int_equal(docker_json__parse_info(S("{}"), &info, err, sizeof(err)), 0);
	assert_int_equal(info.cgroup_driver, DOCKER_CGDRIVER_UNKNOWN);
	assert_int_equal(info.cgroup_version, 0);

	assert_int_equal(docker_json__parse_info(S("{\"CgroupVersion\":2}"), &info, err,
						 sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "CgroupVersion is not a string"));
	assert_int_equal(docker_json__parse_info(S("{\"CgroupDriver\":[]}"), &info, err,
						 sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_info(S("{\"PidsLimit\":\"yes\"}"), &info, err,
						 sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_info(S("[1]"), &info, err, sizeof(err)), -EPROTO);
}

static void test_list(void **state)
{
	char (*ids)[DOCKER_ID_LEN + 1];
	char err[256];
	size_t len, nr;
	char *body = slurp(FIX "containers_list.json", &len);

	(void)state;
	assert_int_equal(docker_json__parse_list(body, len, &ids, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 1);
	assert_string_equal(ids[0], ID_A);
	free(ids);
	free(body);

	assert_int_equal(docker_json__parse_list(S("[]"), &ids, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 0);
	assert_null(ids);

	assert_int_equal(docker_json__parse_list(S("[{\"Id\":\"" ID_A "\"},{\"Id\":\"" ID_A
						   "\"}]"), &ids, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 2);
	free(ids);

	assert_int_equal(docker_json__parse_list(S("{}"), &ids, &nr, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "/containers/json: answer is not an array");
	assert_int_equal(docker_json__parse_list(S("[{\"Id\":\"" ID_A "\"},{}]"), &ids, &nr, err,
						 sizeof(err)), -EPROTO);
	assert_string_equal(err, "/containers/json[1]: Id is missing");
	assert_null(ids);
	assert_int_equal(nr, 0);
	assert_int_equal(docker_json__parse_list(S("[{\"Id\":\"abc\"}]"), &ids, &nr, err,
						 sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "not a 64-digit container id"));
	assert_int_equal(docker_json__parse_list(S("[{\"Id\":\"" ID_A "0\"}]"), &ids, &nr, err,
						 sizeof(err)), -EPROTO);
	/* Upper case is not what Docker produces; refuse, ids are path parts. */
	assert_int_equal(docker_json__parse_list(S("[{\"Id\":\"84FA972A703494DE35A9C14EE155F68D"
						   "99A106E2C5DA9B842A42810C87A743D0\"}]"),
						 &ids, &nr, err, sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_list(S("[7]"), &ids, &nr, err, sizeof(err)),
			 -EPROTO);
	assert_int_equal(docker_json__parse_list(S("[{\"Id\":5}]"), &ids, &nr, err, sizeof(err)),
			 -EPROTO);
}

static void test_inspect_fixtures(void **state)
{
	struct docker_container c;
	char err[256];
	size_t len;
	char *body = slurp(FIX "inspect_running.json", &len);

	(void)state;
	assert_int_equal(docker_json__parse_inspect(body, len, &c, err, sizeof(err)), 0);
	assert_string_equal(c.id, ID_A);
	assert_string_equal(c.name, "pg-web2");
	assert_string_equal(c.compose_project, "demo");
	assert_string_equal(c.compose_service, "web");
	assert_true(c.has_limit_label);
	assert_string_equal(c.limit_label, "30");
	assert_true(c.has_pids_limit);
	assert_int_equal(c.pids_limit, 40);
	assert_string_equal(c.cgroup_parent, "");
	assert_true(c.running);
	assert_int_equal(c.pid, 9362);
	free(body);

	body = slurp(FIX "inspect_stopped.json", &len);
	assert_int_equal(docker_json__parse_inspect(body, len, &c, err, sizeof(err)), 0);
	assert_false(c.running);
	assert_int_equal(c.pid, 0);
	assert_int_equal(c.pids_limit, 40);
	free(body);
}

/* Every cut of a real answer is an error, not a crash (run under ASan). */
static void test_inspect_truncated(void **state)
{
	struct docker_container c;
	char err[256];
	size_t len, cut;
	char *body = slurp(FIX "inspect_running.json", &len);

	(void)state;
	while (len && (body[len - 1] == '\n' || body[len - 1] == ' '))
		len--;
	for (cut = 0; cut < len; cut++) {
		char *copy = malloc(cut + 1);

		assert_non_null(copy);
		memcpy(copy, body, cut);	/* not NUL-terminated on purpose */
		assert_int_equal(docker_json__parse_inspect(copy, cut, &c, err, sizeof(err)),
				 -EPROTO);
		free(copy);
	}
	free(body);
}

#define HC_STATE "\"State\":{\"Running\":true,\"Pid\":42}"
#define INSPECT(extra) "{\"Id\":\"" ID_A "\",\"Name\":\"/web\"," extra "}"

static void test_inspect_types(void **state)
{
	struct docker_container c;
	char err[256];

	(void)state;
	/* Minimal answer: no Config, PidsLimit null. */
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{\"PidsLimit\":null},"
							      HC_STATE)), &c, err, sizeof(err)), 0);
	assert_false(c.has_pids_limit);
	assert_false(c.has_limit_label);
	assert_string_equal(c.compose_project, "");
	assert_int_equal(c.pid, 42);

	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{\"PidsLimit\":-1,"
							      "\"CgroupParent\":\"/my/parent\"},"
							      "\"Config\":{\"Labels\":null},"
							      HC_STATE)), &c, err, sizeof(err)), 0);
	assert_true(c.has_pids_limit);
	assert_int_equal(c.pids_limit, -1);
	assert_string_equal(c.cgroup_parent, "/my/parent");

	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{\"PidsLimit\":\"25\"},"
							      HC_STATE)), &c, err, sizeof(err)),
			 -EPROTO);
	assert_string_equal(err, "container inspect 84fa972a7034: HostConfig.PidsLimit is not an integer");
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{\"PidsLimit\":2.5},"
							      HC_STATE)), &c, err, sizeof(err)),
			 -EPROTO);
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{\"CgroupParent\":1},"
							      HC_STATE)), &c, err, sizeof(err)),
			 -EPROTO);
	assert_non_null(strstr(err, "CgroupParent is not a string"));
	assert_int_equal(docker_json__parse_inspect(S(INSPECT(HC_STATE)), &c, err, sizeof(err)),
			 -EPROTO);
	assert_non_null(strstr(err, "HostConfig is missing"));
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":[]," HC_STATE)), &c,
						    err, sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{}")), &c, err,
						    sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "State is missing"));
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{},\"State\":"
							      "{\"Running\":1,\"Pid\":2}")), &c,
						    err, sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{},\"State\":"
							      "{\"Running\":true,\"Pid\":-2}")), &c,
						    err, sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{},\"State\":"
							      "{\"Running\":true,\"Pid\":4294967296}")),
						    &c, err, sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{},\"State\":"
							      "{\"Running\":true}")),
						    &c, err, sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"Config\":7,\"HostConfig\":{},"
							      HC_STATE)), &c, err, sizeof(err)),
			 -EPROTO);
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"Config\":{\"Labels\":[]},"
							      "\"HostConfig\":{}," HC_STATE)),
						    &c, err, sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_inspect(S("{\"Name\":\"/x\",\"HostConfig\":{},"
						      HC_STATE "}"), &c, err, sizeof(err)),
			 -EPROTO);
	assert_string_equal(err, "container inspect: Id is missing");
	assert_int_equal(docker_json__parse_inspect(S("{\"Id\":\"" ID_A "\",\"Name\":5,"
						      "\"HostConfig\":{}," HC_STATE "}"),
						    &c, err, sizeof(err)), -EPROTO);

	/* A stopped container may report a stale pid: ignore it. */
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"HostConfig\":{},\"State\":"
							      "{\"Running\":false,\"Pid\":77}")),
						    &c, err, sizeof(err)), 0);
	assert_int_equal(c.pid, 0);
}

static void test_inspect_labels(void **state)
{
	char big[600], body[2048];
	struct docker_container c;
	char err[256];

	(void)state;
	/* A non-string limit label stays visible as present-but-unusable. */
	assert_int_equal(docker_json__parse_inspect(S(INSPECT("\"Config\":{\"Labels\":{"
							      "\"pidguard.pids-limit\":25,"
							      "\"com.docker.compose.project\":[],"
							      "\"com.docker.compose.service\":\"db\"}},"
							      "\"HostConfig\":{}," HC_STATE)),
						    &c, err, sizeof(err)), 0);
	assert_true(c.has_limit_label);
	assert_string_equal(c.limit_label, "(not a short string)");
	assert_string_equal(c.compose_project, "");
	assert_string_equal(c.compose_service, "db");

	/* An over-long label is dropped, not cut (a cut name could match). */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(body, sizeof(body),
		 INSPECT("\"Config\":{\"Labels\":{\"com.docker.compose.project\":\"%s\","
			 "\"pidguard.pids-limit\":\"%s\"}},\"HostConfig\":{}," HC_STATE),
		 big, big);
	assert_int_equal(docker_json__parse_inspect(S(body), &c, err, sizeof(err)), 0);
	assert_string_equal(c.compose_project, "");
	assert_true(c.has_limit_label);
	assert_string_equal(c.limit_label, "(not a short string)");

	/* A name without '/' and an over-long name are kept (cut). */
	snprintf(body, sizeof(body),
		 "{\"Id\":\"" ID_A "\",\"Name\":\"%s\",\"HostConfig\":{}," HC_STATE "}", big);
	assert_int_equal(docker_json__parse_inspect(S(body), &c, err, sizeof(err)), 0);
	assert_int_equal(strlen(c.name), DOCKER_NAME_MAX - 1);

	/* An over-long cgroup parent decides a path: refuse. */
	snprintf(body, sizeof(body), INSPECT("\"HostConfig\":{\"CgroupParent\":\"%s%s\"}," HC_STATE),
		 big, big);
	assert_int_equal(docker_json__parse_inspect(S(body), &c, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "CgroupParent is too long"));
}

static void test_events_fixture(void **state)
{
	int counts[DOCKER_EV_EXEC_START + 1] = { 0 };
	struct docker_event ev;
	char err[256];
	size_t len;
	char *body = slurp(FIX "events_stream.txt", &len);
	char *line, *save = NULL;
	int lines = 0;

	(void)state;
	for (line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		assert_int_equal(docker_json__parse_event(line, strlen(line), &ev, err,
							  sizeof(err)), 0);
		assert_string_equal(ev.id, ID_A);
		assert_true(ev.time_nano > 1700000000000000000LL);
		counts[ev.action]++;
		if (ev.action == DOCKER_EV_RENAME)
			assert_string_equal(ev.name, "pg-web2");
		if (ev.action == DOCKER_EV_START)
			assert_string_equal(ev.name, "pg-web");
		if (ev.action == DOCKER_EV_EXEC_START)
			assert_string_equal(ev.action_raw, "exec_start: sh -c true");
		lines++;
	}
	assert_int_equal(lines, 12);
	assert_int_equal(counts[DOCKER_EV_START], 1);
	assert_int_equal(counts[DOCKER_EV_DIE], 1);
	assert_int_equal(counts[DOCKER_EV_DESTROY], 1);
	assert_int_equal(counts[DOCKER_EV_UPDATE], 1);
	assert_int_equal(counts[DOCKER_EV_RENAME], 1);
	assert_int_equal(counts[DOCKER_EV_EXEC_START], 1);
	/* create, exec_create, exec_die, kill x2, stop */
	assert_int_equal(counts[DOCKER_EV_OTHER], 6);
	free(body);
}

static void test_events_bad(void **state)
{
	struct docker_event ev;
	char err[256];

	(void)state;
	assert_int_equal(docker_json__parse_event(S("{\"Type\":\"network\",\"Action\":\"connect\"}"),
						  &ev, err, sizeof(err)), 1);
	assert_int_equal(docker_json__parse_event(S("{\"Type\":\"container\",\"Action\":\"start\","
						    "\"Actor\":{\"ID\":\"" ID_A "\"}}"),
						  &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.action, DOCKER_EV_START);
	assert_string_equal(ev.name, "");
	assert_int_equal(ev.time_nano, 0);
	/* Not a prefix match on the action name. */
	assert_int_equal(docker_json__parse_event(S("{\"Type\":\"container\",\"Action\":\"starting\","
						    "\"Actor\":{\"ID\":\"" ID_A "\"}}"),
						  &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.action, DOCKER_EV_OTHER);

	assert_int_equal(docker_json__parse_event(S("{\"Type\":\"container\",\"Action\":\"start\"}"),
						  &ev, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "event start: Actor is not an object");
	assert_int_equal(docker_json__parse_event(S("{\"Type\":\"container\",\"Action\":1}"),
						  &ev, err, sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_event(S("{\"Action\":\"start\"}"), &ev, err,
						  sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_event(S("{\"Type\":\"container\",\"Action\":\"die\","
						    "\"Actor\":{\"ID\":\"../../etc\"}}"),
						  &ev, err, sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_event(S("{\"Type\":\"container\",\"Action\":\"die\","
						    "\"Actor\":{\"ID\":\"" ID_A "\"},"
						    "\"timeNano\":\"1\"}"),
						  &ev, err, sizeof(err)), -EPROTO);
	assert_int_equal(docker_json__parse_event(S("{\"Type\":\"contai"), &ev, err, sizeof(err)),
			 -EPROTO);
	assert_non_null(strstr(err, "malformed JSON"));
	assert_int_equal(docker_json__parse_event(S("null"), &ev, err, sizeof(err)), -EPROTO);
}

static void test_error_message(void **state)
{
	char buf[32];

	(void)state;
	docker_json__error_message(S("{\"message\":\"No such container: nope\"}"), buf,
				   sizeof(buf));
	assert_string_equal(buf, "No such container: nope");
	docker_json__error_message(S("404 page not found\nmore"), buf, sizeof(buf));
	assert_string_equal(buf, "404 page not found");
	docker_json__error_message(S("{\"message\":\"a\\u001b[31mb\"}"), buf, sizeof(buf));
	assert_string_equal(buf, "a?[31mb");
	docker_json__error_message(S("{\"message\":\"a very long message that does not fit\"}"),
				   buf, sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	docker_json__error_message(NULL, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_string_equal(docker_json__action_name(DOCKER_EV_EXEC_START), "exec_start");
	assert_string_equal(docker_json__action_name(DOCKER_EV_OTHER), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_fixture),
		cmocka_unit_test(test_version_bad),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_inspect_fixtures),
		cmocka_unit_test(test_inspect_truncated),
		cmocka_unit_test(test_inspect_types),
		cmocka_unit_test(test_inspect_labels),
		cmocka_unit_test(test_events_fixture),
		cmocka_unit_test(test_events_bad),
		cmocka_unit_test(test_error_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
