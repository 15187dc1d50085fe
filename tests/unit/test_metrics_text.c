// SPDX-License-Identifier: GPL-2.0
/*
 * test_metrics_text.c - the Prometheus exposition text, byte for byte:
 * every family with HELP and TYPE, labels escaped, hostile names that
 * cannot forge a sample or break UTF-8, no limit sample for "none".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdbool.h>
#include <cmocka.h>
#include "metrics_text.h"

static char *render(const struct pg_metrics_snapshot *snap)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(metrics_text__render(f, snap), 0);
	fclose(f);
	return buf;
}

static char *escape(const char *s)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	metrics_text__escape(f, s);
	fclose(f);
	return buf;
}

static void expect_esc(const char *in, const char *want)
{
	char *got = escape(in);

	assert_string_equal(got, want);
	free(got);
}

/* Does text contain line, as a whole line? */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void expect_line(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("missing line: %s\nin:\n%s", line, text);
}

static int count_lines_starting(const char *text, const char *prefix)
{
	int n = 0;
	size_t len = strlen(prefix);

	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, prefix, len))
			n++;
		if (!strchr(p, '\n'))
			break;
	}
	return n;
}

static void test_escape_plain(void **state)
{
	(void)state;
	expect_esc("/docker/84fa972a7034", "/docker/84fa972a7034");
	expect_esc("", "");
	expect_esc(NULL, "");
	expect_esc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
}

static void test_escape_hostile(void **state)
{
	(void)state;
	expect_esc("a\\b", "a\\\\b");
	expect_esc("say \"hi\"", "say \\\"hi\\\"");
	expect_esc("x\"} 1\npidguard_tasks{cgroup=\"/\"} 9",
		      "x\\\"} 1\\npidguard_tasks{cgroup=\\\"/\\\"} 9");
	/* Other control bytes, including the ones a terminal would obey. */
	expect_esc("a\rb\tc\x1b[31md\x7f", "a?b?c?[31md?");
	/* Invalid UTF-8: stray continuation, truncated, overlong, surrogate, too big. */
	expect_esc("a\x80z", "a?z");
	expect_esc("a\xc3", "a?");
	expect_esc("a\xe2\x82z", "a??z");
	expect_esc("\xc0\xaf", "??");
	expect_esc("\xe0\x80\xaf", "???");
	expect_esc("\xed\xa0\x80", "???");
	expect_esc("\xf4\x90\x80\x80", "????");
	expect_esc("\xff\xfe", "??");
}

static const struct pg_metrics_cgroup two_cgroups[] = {
	{
		.path = "/docker/84fa",
		.container = "web",
		.compose_project = "shop",
		.compose_service = "web",
		.limit = 25,
		.usage = { .current = 20, .peak = 27, .denied = 1, .killed = 3, .flagged = 4,
			   .warnings = 5, .events_suppressed = 6 },
	},
	{
		.path = "/pgtest",
		.limit = PG_NO_LIMIT,
		.usage = { .current = -1, .peak = 2 },
	},
};

static void test_render_exact(void **state)
{
	struct pg_metrics_snapshot snap = {
		.version = "0.1.0",
		.mode = PG_MODE_KILL,
		.stats = { .events_lost = 7, .storage_failed = 1, .pending_full = 2,
			   .zombies_full = 3, .kill_failed = 4, .resyncs = 99,
			   .zombies_collected = 5, .records_full = 6, .records_collected = 9 },
		.scrape_errors = 8,
		.cgroups = two_cgroups,
		.nr_cgroups = 2,
		.runaway = { .actions = { [PG_RUNAWAY_FREEZE] = 2, [PG_RUNAWAY_TRIM] = 1 },
			     .cooldowns = 3, .ended = 2, .enforce = 11 },
	};
	char *text;

	(void)state;
	text = render(&snap);

#define WEB "{cgroup=\"/docker/84fa\",container=\"web\",compose_project=\"shop\",compose_service=\"web\"}"
#define PGT "{cgroup=\"/pgtest\",container=\"\",compose_project=\"\",compose_service=\"\"}"
	assert_string_equal(text,
		"# HELP pidguard_build_info pidguard's version, as a label; always 1.\n"
		"# TYPE pidguard_build_info gauge\n"
		"pidguard_build_info{version=\"0.1.0\"} 1\n"
		"# HELP pidguard_mode Enforcement mode in force: 1 for the current one.\n"
		"# TYPE pidguard_mode gauge\n"
		"pidguard_mode{mode=\"deny\"} 0\n"
		"pidguard_mode{mode=\"kill\"} 1\n"
		"pidguard_mode{mode=\"flag\"} 0\n"
		"# HELP pidguard_limited_cgroups Cgroups with a task limit (tracked ones without a limit not included).\n"
		"# TYPE pidguard_limited_cgroups gauge\n"
		"pidguard_limited_cgroups 1\n"
		"# HELP pidguard_events_lost_total Events not delivered because the ring buffer was full (the counters stay exact).\n"
		"# TYPE pidguard_events_lost_total counter\n"
		"pidguard_events_lost_total 7\n"
		"# HELP pidguard_failures_total Enforcement failures by kind: task storage unavailable, reservation or zombie map full, kill failed.\n"
		"# TYPE pidguard_failures_total counter\n"
		"pidguard_failures_total{kind=\"storage_failed\"} 1\n"
		"pidguard_failures_total{kind=\"pending_full\"} 2\n"
		"pidguard_failures_total{kind=\"zombies_full\"} 3\n"
		"pidguard_failures_total{kind=\"kill_failed\"} 4\n"
		"# HELP pidguard_zombies_collected_total Zombie charges whose free hook never came, released by the collector.\n"
		"# TYPE pidguard_zombies_collected_total counter\n"
		"pidguard_zombies_collected_total 5\n"
		"# HELP pidguard_records_collected_total Task charge records of reaped tasks whose free hook never came, released by the collector.\n"
		"# TYPE pidguard_records_collected_total counter\n"
		"pidguard_records_collected_total 9\n"
		"# HELP pidguard_task_records_full_total Task charge records kept in task storage because the preallocated table was full: slower, never lost.\n"
		"# TYPE pidguard_task_records_full_total counter\n"
		"pidguard_task_records_full_total 6\n"
		"# HELP pidguard_runaway_actions_total Runaway episodes acted on (--on-runaway), by action.\n"
		"# TYPE pidguard_runaway_actions_total counter\n"
		"pidguard_runaway_actions_total{action=\"freeze\"} 2\n"
		"pidguard_runaway_actions_total{action=\"trim\"} 1\n"
		"pidguard_runaway_actions_total{action=\"restart\"} 0\n"
		"pidguard_runaway_actions_total{action=\"kill\"} 0\n"
		"# HELP pidguard_runaway_steps_total Other steps of the runaway ladder: an episode within the cool-down (no action), an episode ended, a userspace enforcement trim.\n"
		"# TYPE pidguard_runaway_steps_total counter\n"
		"pidguard_runaway_steps_total{step=\"cooldown\"} 3\n"
		"pidguard_runaway_steps_total{step=\"ended\"} 2\n"
		"pidguard_runaway_steps_total{step=\"enforce\"} 11\n"
		"# HELP pidguard_scrape_errors_total Scrapes of this endpoint that failed to read the pinned maps.\n"
		"# TYPE pidguard_scrape_errors_total counter\n"
		"pidguard_scrape_errors_total 8\n"
		"# HELP pidguard_tasks Tasks charged to the cgroup now (threads and zombies included, sub-cgroups too).\n"
		"# TYPE pidguard_tasks gauge\n"
		"pidguard_tasks" WEB " 20\n"
		"pidguard_tasks" PGT " -1\n"
		"# HELP pidguard_tasks_peak Highest number of tasks charged to the cgroup.\n"
		"# TYPE pidguard_tasks_peak gauge\n"
		"pidguard_tasks_peak" WEB " 27\n"
		"pidguard_tasks_peak" PGT " 2\n"
		"# HELP pidguard_limit Task limit of the cgroup (no sample when tracked without one).\n"
		"# TYPE pidguard_limit gauge\n"
		"pidguard_limit" WEB " 25\n"
		"# HELP pidguard_denied_total Forks past the limit failed with EAGAIN (deny mode).\n"
		"# TYPE pidguard_denied_total counter\n"
		"pidguard_denied_total" WEB " 1\n"
		"pidguard_denied_total" PGT " 0\n"
		"# HELP pidguard_killed_total Tasks SIGKILLed past the limit (kill mode).\n"
		"# TYPE pidguard_killed_total counter\n"
		"pidguard_killed_total" WEB " 3\n"
		"pidguard_killed_total" PGT " 0\n"
		"# HELP pidguard_flagged_total Forks and migrations past the limit allowed and reported (flag mode).\n"
		"# TYPE pidguard_flagged_total counter\n"
		"pidguard_flagged_total" WEB " 4\n"
		"pidguard_flagged_total" PGT " 0\n"
		"# HELP pidguard_warnings_total Times usage reached the warn threshold.\n"
		"# TYPE pidguard_warnings_total counter\n"
		"pidguard_warnings_total" WEB " 5\n"
		"pidguard_warnings_total" PGT " 0\n"
		"# HELP pidguard_events_suppressed_total Events dropped by the per-cgroup rate limit (--events-per-sec).\n"
		"# TYPE pidguard_events_suppressed_total counter\n"
		"pidguard_events_suppressed_total" WEB " 6\n"
		"pidguard_events_suppressed_total" PGT " 0\n");
#undef WEB
#undef PGT
	free(text);
}

/* Every family named in the interface has exactly one HELP and one TYPE. */
static void test_every_family_typed(void **state)
{
	static const char *const names[] = {
		"pidguard_tasks", "pidguard_tasks_peak", "pidguard_limit",
		"pidguard_denied_total", "pidguard_killed_total", "pidguard_flagged_total",
		"pidguard_warnings_total", "pidguard_events_suppressed_total",
		"pidguard_events_lost_total", "pidguard_failures_total",
		"pidguard_zombies_collected_total", "pidguard_records_collected_total",
		"pidguard_task_records_full_total",
		"pidguard_limited_cgroups", "pidguard_mode",
		"pidguard_build_info", "pidguard_scrape_errors_total",
		"pidguard_runaway_actions_total", "pidguard_runaway_steps_total",
	};
	struct pg_metrics_snapshot snap = { .version = "x" };
	char *text = render(&snap), prefix[128];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(prefix, sizeof(prefix), "# HELP %s ", names[i]);
		assert_int_equal(count_lines_starting(text, prefix), 1);
		snprintf(prefix, sizeof(prefix), "# TYPE %s ", names[i]);
		assert_int_equal(count_lines_starting(text, prefix), 1);
	}
	/* No cgroups: families stay, without samples; the mode is unknown. */
	assert_int_equal(count_lines_starting(text, "pidguard_tasks{"), 0);
	expect_line(text, "pidguard_limited_cgroups 0");
	expect_line(text, "pidguard_mode{mode=\"kill\"} 0");
	free(text);
}

/* A container that names itself to forge a sample gets one line, escaped. */
static void test_render_hostile_names(void **state)
{
	const struct pg_metrics_cgroup evil = {
		.path = "/docker/x\nevil",
		.container = "web\"} 999\npidguard_tasks{cgroup=\"/\"} 0\n#",
		.compose_project = "back\\slash",
		.compose_service = "\xff\x1b]0;pwned\x07",
		.limit = 5,
		.usage = { .current = 1 },
	};
	struct pg_metrics_snapshot snap = {
		.version = "1\"\n2",
		.mode = PG_MODE_FLAG,
		.cgroups = &evil,
		.nr_cgroups = 1,
	};
	char *text = render(&snap);

	(void)state;
	expect_line(text, "pidguard_build_info{version=\"1\\\"\\n2\"} 1");
	expect_line(text,
		    "pidguard_tasks{cgroup=\"/docker/x\\nevil\","
		    "container=\"web\\\"} 999\\npidguard_tasks{cgroup=\\\"/\\\"} 0\\n#\","
		    "compose_project=\"back\\\\slash\",compose_service=\"??]0;pwned?\"} 1");
	assert_int_equal(count_lines_starting(text, "pidguard_tasks{"), 1);
	assert_int_equal(count_lines_starting(text, "pidguard_limit{"), 1);
	/* Every line is a comment or a sample: nothing was split. */
	for (const char *p = text; *p; p = strchr(p, '\n') + 1)
		assert_true(*p == '#' || !strncmp(p, "pidguard_", 9));
	free(text);
}

static void test_render_write_error(void **state)
{
	struct pg_metrics_snapshot snap = { .version = "x" };
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(metrics_text__render(f, &snap), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_plain),
		cmocka_unit_test(test_escape_hostile),
		cmocka_unit_test(test_render_exact),
		cmocka_unit_test(test_every_family_typed),
		cmocka_unit_test(test_render_hostile_names),
		cmocka_unit_test(test_render_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
