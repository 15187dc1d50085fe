// SPDX-License-Identifier: GPL-2.0
/*
 * test_docker_sync.c - the pure parts of the Docker synchronisation: which
 * events re-inspect a container, and the compensation report line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <linux/types.h>
#include "pidguard.h"
#include "docker_sync.h"

#define ID_A "84fa972a703494de35a9c14ee155f68d99a106e2c5da9b842a42810c87a743d0"

static void test_wants_refresh(void **state)
{
	(void)state;
	/* Every change of state, limit or name; die and destroy forget by inspecting. */
	assert_true(docker_sync__wants_refresh(DOCKER_EV_START));
	assert_true(docker_sync__wants_refresh(DOCKER_EV_DIE));
	assert_true(docker_sync__wants_refresh(DOCKER_EV_DESTROY));
	assert_true(docker_sync__wants_refresh(DOCKER_EV_UPDATE));
	assert_true(docker_sync__wants_refresh(DOCKER_EV_RENAME));
	/* exec is seen by the kernel side (migrated_in); the rest changes nothing. */
	assert_false(docker_sync__wants_refresh(DOCKER_EV_EXEC_START));
	assert_false(docker_sync__wants_refresh(DOCKER_EV_OTHER));
}

static void test_report_line(void **state)
{
	struct pg_container_ref r;
	char line[2400];

	(void)state;
	memset(&r, 0, sizeof(r));
	strcpy(r.id, ID_A);
	strcpy(r.name, "web");
	strcpy(r.project, "shop");
	strcpy(r.service, "web");
	r.limit = 25;
	strcpy(r.source, "compose file");
	strcpy(r.comp_case, "predates");
	strcpy(r.sentence, "Declared 25.");
	docker_sync__report_line(&r, "/docker/" ID_A, "service web, pids_limit: 25", line,
				 sizeof(line));
	assert_string_equal(line, "container web (84fa972a7034, compose shop/web) /docker/" ID_A
			    ": limit 25 from compose file (service web, pids_limit: 25); "
			    "predates: Declared 25.");

	r.project[0] = r.service[0] = '\0';
	r.limit = PG_NO_LIMIT;
	strcpy(r.source, "none");
	strcpy(r.comp_case, "not_limited");
	strcpy(r.sentence, "No limit declared (none): nothing to enforce.");
	docker_sync__report_line(&r, "/docker/x", "", line, sizeof(line));
	assert_string_equal(line, "container web (84fa972a7034) /docker/x: limit none from none; "
			    "not_limited: No limit declared (none): nothing to enforce.");
	/* Truncated, never overrun. */
	docker_sync__report_line(&r, "/docker/x", NULL, line, 16);
	assert_int_equal(strlen(line), 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wants_refresh),
		cmocka_unit_test(test_report_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
