// SPDX-License-Identifier: GPL-2.0
/* test_output.c - exact event lines and status tables, text and JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "output.h"

/* 2026-11-25T18:40:28.123Z */
#define T0 (1795632028ull * 1000000000ull + 123456789ull)

struct capture {
	FILE *f;
	char *buf;
	size_t len;
	json_writer_t *jw;
};

static void cap_open(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	c->jw = jsonw_new(c->f);
	assert_non_null(c->jw);
}

static void cap_check(struct capture *c, const char *want)
{
	jsonw_destroy(&c->jw);
	fclose(c->f);
	assert_string_equal(c->buf, want);
	free(c->buf);
}

static struct pg_event bomb_event(void)
{
	struct pg_event ev = {
		.ts_ns = 5,
		.cg_id = 44,
		.kind = PG_EV_KILLED,
		.flags = PG_EVF_PARENT_KILLED,
		.pid = 123,
		.tgid = 123,
		.ppid = 120,
		.count = 26,
		.limit = 25,
		.suppressed = 7,
	};

	strcpy(ev.comm, "bomb");
	strcpy(ev.pcomm, "bomb");
	return ev;
}

static void test_names(void **state)
{
	static const char *const kinds[] = {
		"unknown", "denied", "killed", "over_limit", "warn", "migrated",
		"migrated_killed", "resync", "unknown",
	};
	__u32 k;

	(void)state;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		assert_string_equal(output__event_kind_name(k), kinds[k]);
	assert_string_equal(output__event_kind_name(0xffffffffu), "unknown");
	assert_string_equal(output__mode_name(PG_MODE_FLAG), "flag");
	assert_string_equal(output__mode_name(PG_MODE_KILL), "kill");
	assert_string_equal(output__mode_name(PG_MODE_DENY), "deny");
	assert_string_equal(output__mode_name(0), "unknown");
	assert_string_equal(output__mode_name(4), "unknown");
}

static void test_format_time(void **state)
{
	char buf[64];

	(void)state;
	output__format_time(T0, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-25T18:40:28.123Z");
	output__format_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	output__format_time(999999999ull, buf, sizeof(buf));	/* truncated, not rounded */
	assert_string_equal(buf, "1970-01-01T00:00:00.999Z");
	output__format_time(T0, buf, 11);
	assert_string_equal(buf, "2026-11-25");
}

static void test_sanitize_comm(void **state)
{
	char out[PG_COMM_LEN + 1];
	char full[PG_COMM_LEN] = "0123456789abcdef";	/* no NUL: all 16 bytes used */

	(void)state;
	output__sanitize_comm("bomb", out);
	assert_string_equal(out, "bomb");
	output__sanitize_comm(full, out);
	assert_string_equal(out, "0123456789abcdef");
	output__sanitize_comm("a\nb\x1b[2Jc d\x7f\xff", out);
	assert_string_equal(out, "a?b?[2Jc?d??");
	output__sanitize_comm("", out);
	assert_string_equal(out, "");
}

static void test_event_text(void **state)
{
	struct pg_event ev = bomb_event();
	struct capture c;

	(void)state;
	cap_open(&c);
	output__event_text(c.f, &ev, T0, "/pg-demo");
	/* Plain: no flags, nothing suppressed, no limit, unknown cgroup. */
	ev.kind = PG_EV_OVER_LIMIT;
	ev.flags = 0;
	ev.suppressed = 0;
	ev.limit = PG_NO_LIMIT;
	output__event_text(c.f, &ev, T0, NULL);
	ev.kind = PG_EV_DENIED;
	ev.flags = PG_EVF_GRACED;
	ev.limit = 25;
	ev.count = 25;
	output__event_text(c.f, &ev, T0, "/docker/abc");
	ev.flags = PG_EVF_GRACED | PG_EVF_PARENT_KILLED;
	ev.suppressed = 1;
	ev.kind = 99;
	output__event_text(c.f, &ev, 0, "/");
	cap_check(&c,
		  "2026-11-25T18:40:28.123Z killed cgroup=/pg-demo (id 44) pid=123 tgid=123 "
		  "comm=bomb ppid=120 pcomm=bomb count=26/25 parent-killed suppressed=7\n"
		  "2026-11-25T18:40:28.123Z over_limit cgroup=? (id 44) pid=123 tgid=123 "
		  "comm=bomb ppid=120 pcomm=bomb count=26/none\n"
		  "2026-11-25T18:40:28.123Z denied cgroup=/docker/abc (id 44) pid=123 tgid=123 "
		  "comm=bomb ppid=120 pcomm=bomb count=25/25 graced\n"
		  "1970-01-01T00:00:00.000Z unknown cgroup=/ (id 44) pid=123 tgid=123 "
		  "comm=bomb ppid=120 pcomm=bomb count=25/25 parent-killed graced suppressed=1\n");
}

/* A comm and a cgroup name crafted to forge a second line and fields. */
static void test_event_text_hostile(void **state)
{
	struct pg_event ev = bomb_event();
	struct capture c;

	(void)state;
	memcpy(ev.comm, "x\nFAKE ppid=1\x1b[", PG_COMM_LEN);	/* all 16 bytes, no NUL */
	memcpy(ev.pcomm, "\xff\xfe\t", 4);
	cap_open(&c);
	output__event_text(c.f, &ev, T0, "/evil\n2026 killed");
	cap_check(&c,
		  "2026-11-25T18:40:28.123Z killed cgroup=/evil?2026?killed (id 44) pid=123 "
		  "tgid=123 comm=x?FAKE?ppid=1?[ ppid=120 pcomm=??? count=26/25 parent-killed "
		  "suppressed=7\n");
}

static void test_event_json(void **state)
{
	struct pg_event ev = bomb_event();
	struct capture c;

	(void)state;
	cap_open(&c);
	output__event_json(c.jw, &ev, T0, "/pg-demo");
	ev.flags = PG_EVF_GRACED;
	ev.limit = PG_NO_LIMIT;
	ev.kind = PG_EV_MIGRATED_KILLED;
	output__event_json(c.jw, &ev, T0, NULL);
	cap_check(&c,
		  "{\"time\":\"2026-11-25T18:40:28.123Z\",\"kind\":\"killed\",\"cgroup\":\"/pg-demo\","
		  "\"cgroup_id\":44,\"pid\":123,\"tgid\":123,\"comm\":\"bomb\",\"ppid\":120,"
		  "\"pcomm\":\"bomb\",\"count\":26,\"limit\":25,\"suppressed\":7,"
		  "\"parent_killed\":true,\"graced\":false}\n"
		  "{\"time\":\"2026-11-25T18:40:28.123Z\",\"kind\":\"migrated_killed\",\"cgroup\":null,"
		  "\"cgroup_id\":44,\"pid\":123,\"tgid\":123,\"comm\":\"bomb\",\"ppid\":120,"
		  "\"pcomm\":\"bomb\",\"count\":26,\"limit\":null,\"suppressed\":7,"
		  "\"parent_killed\":false,\"graced\":true}\n");
}

static void test_event_json_hostile(void **state)
{
	struct pg_event ev = bomb_event();
	struct capture c;

	(void)state;
	memcpy(ev.comm, "a\",\"kind\":\"ok\x1b\n", PG_COMM_LEN);	/* 16 bytes, no NUL */
	memcpy(ev.pcomm, "\\\xff", 3);
	cap_open(&c);
	output__event_json(c.jw, &ev, T0, "/q\"\n");
	cap_check(&c,
		  "{\"time\":\"2026-11-25T18:40:28.123Z\",\"kind\":\"killed\",\"cgroup\":\"/q\\\"\\n\","
		  "\"cgroup_id\":44,\"pid\":123,\"tgid\":123,"
		  "\"comm\":\"a\\\",\\\"kind\\\":\\\"ok\\u001b\\n\",\"ppid\":120,"
		  "\"pcomm\":\"\\\\\\u00ff\",\"count\":26,\"limit\":25,\"suppressed\":7,"
		  "\"parent_killed\":true,\"graced\":false}\n");
}

static struct pg_status_row mkrow(const char *path, __u64 id, __u32 limit, __s64 current,
				  __u64 peak, __u64 killed)
{
	struct pg_status_row r;

	memset(&r, 0, sizeof(r));
	snprintf(r.path, sizeof(r.path), "%s", path);
	r.cg_id = id;
	r.limit = limit;
	r.usage.current = current;
	r.usage.peak = peak;
	r.usage.killed = killed;
	return r;
}

static void test_sort_rows(void **state)
{
	struct pg_status_row rows[] = {
		mkrow("/sys", 1, PG_NO_LIMIT, 300, 300, 0),	/* unlimited: last */
		mkrow("/docker/ccc", 2, 10, 5, 5, 0),		/* 0.5 */
		mkrow("/docker/aaa", 3, 25, 26, 50, 30),	/* 1.04 */
		mkrow("/docker/bbb", 4, 100, 50, 60, 0),	/* 0.5, more tasks */
		mkrow("/docker/zzz", 5, 3, 1, 1, 0),		/* 0.33 */
		mkrow("/docker/neg", 6, 4, -1, 1, 0),		/* below 0: as 0 */
		mkrow("/docker/idle", 7, 4, 0, 0, 0),		/* 0, ties by name */
		mkrow("/init", 8, PG_NO_LIMIT, 400, 400, 0),
	};
	static const char *const want[] = {
		"/docker/aaa", "/docker/bbb", "/docker/ccc", "/docker/zzz",
		"/docker/idle", "/docker/neg", "/init", "/sys",
	};
	size_t i;

	(void)state;
	output__sort_rows(rows, 8);
	for (i = 0; i < 8; i++)
		assert_string_equal(rows[i].path, want[i]);
	/* Pressure is compared exactly: 2/3 < 3/4 although both round alike. */
	rows[0] = mkrow("/a", 1, 3, 2, 2, 0);
	rows[1] = mkrow("/b", 2, 4194304, 3145728, 0, 0);
	output__sort_rows(rows, 2);
	assert_string_equal(rows[0].path, "/b");
	output__sort_rows(rows, 0);	/* no rows: nothing to do */
}

static void status_text(const struct pg_status_summary *sum, struct pg_status_row *rows, int n,
			const char *want)
{
	struct capture c;

	cap_open(&c);
	output__status_text(c.f, sum, rows, n);
	cap_check(&c, want);
}

static void test_status_text_empty(void **state)
{
	struct pg_status_summary sum = { .mode = "kill" };

	(void)state;
	status_text(&sum, NULL, 0, "mode: kill, events lost: 0\nno limited cgroups\n");
	/* Non-zero counters appear; events lost from either field. */
	sum.events_lost = 3;
	sum.stats.kill_failed = 2;
	sum.stats.late_release = 9;
	status_text(&sum, NULL, 0,
		    "mode: kill, events lost: 3, kill failed: 2, late releases: 9\nno limited cgroups\n");
	memset(&sum, 0, sizeof(sum));
	sum.stats.events_lost = 4;
	sum.stats.storage_failed = 1;
	sum.stats.pending_full = 2;
	sum.stats.zombies_full = 3;
	sum.stats.resyncs = 5;
	status_text(&sum, NULL, 0,
		    "mode: unknown, events lost: 4, storage failed: 1, pending full: 2, "
		    "zombies full: 3, resyncs: 5\nno limited cgroups\n");
}

static void test_status_text_table(void **state)
{
	struct pg_status_summary sum = { .mode = "flag" };
	struct pg_status_row rows[] = {
		mkrow("/sys", 1, PG_NO_LIMIT, 300, 300, 0),
		mkrow("/docker/bbb", 4, 100, 50, 60, 0),
		mkrow("/docker/aaa", 3, 25, 26, 50, 30),
	};

	(void)state;
	rows[1].usage.flagged = 1234567;
	rows[2].usage.denied = 2;
	status_text(&sum, rows, 3,
		    "mode: flag, events lost: 0\n"
		    "CGROUP       CURRENT  PEAK  LIMIT  DENIED  KILLED  FLAGGED\n"
		    "/docker/aaa       26    50     25       2      30        0\n"
		    "/docker/bbb       50    60    100       0       0  1234567\n"
		    "/sys             300   300   none       0       0        0\n");
}

/*
 * Docker's 64-hex ids: the path gives way from the left, numbers never do
 * (with absurd counters the path keeps 16 columns and the line passes 80).
 */
static void test_status_text_long_paths(void **state)
{
	struct pg_status_summary sum = { .mode = "kill" };
	struct pg_status_row rows[2];
	char path[256];
	struct capture c;
	char *line, *save = NULL;

	(void)state;
	snprintf(path, sizeof(path), "/docker/%s",
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	rows[0] = mkrow(path, 1, 25, 25, 50, 12);
	rows[1] = mkrow("/a\nb", 2, 4194304, 4194304, 4194304, 0);
	rows[1].usage.flagged = 18446744073709551615ull;
	status_text(&sum, rows, 2,
		    "mode: kill, events lost: 0\n"
		    "CGROUP            CURRENT     PEAK    LIMIT  DENIED  KILLED               FLAGGED\n"
		    "/a?b              4194304  4194304  4194304       0       0  18446744073709551615\n"
		    "...3456789abcdef       25       50       25       0      12                     0\n");

	/* Sane numbers: every line still fits 80 columns. */
	rows[0] = mkrow(path, 1, 25, 25, 50, 12);
	rows[1] = mkrow(path, 2, 4194304, 4194304, 4194304, 99999);
	cap_open(&c);
	output__status_text(c.f, &sum, rows, 2);
	jsonw_destroy(&c.jw);
	fclose(c.f);
	for (line = strtok_r(c.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strlen(line) > 80) {
			print_error("longer than 80: %s\n", line);
			fail();
		}
	}
	free(c.buf);
	rows[0] = mkrow(path, 1, 25, 25, 50, 12);
	status_text(&sum, rows, 1,
		    "mode: kill, events lost: 0\n"
		    "CGROUP                             CURRENT  PEAK  LIMIT  DENIED  KILLED  FLAGGED\n"
		    "...23456789abcdef0123456789abcdef       25    50     25       0      12        0\n");
}

static void test_status_json(void **state)
{
	struct pg_status_summary sum = { .mode = "kill", .stats = { .events_lost = 1, .resyncs = 6 } };
	struct pg_status_row rows[] = {
		mkrow("/sys", 1, PG_NO_LIMIT, 300, 301, 0),
		mkrow("/docker/a\"b", 44, 25, 26, 50, 30),
	};
	struct capture c;

	(void)state;
	rows[1].usage.forks = 100;
	rows[1].usage.denied = 2;
	rows[1].usage.flagged = 3;
	rows[1].usage.migrated_in = 4;
	rows[1].usage.dying = -1;
	rows[1].usage.warnings = 5;
	rows[1].usage.events_suppressed = 6;
	cap_open(&c);
	output__status_json(c.jw, &sum, rows, 2);
	sum.mode = NULL;
	output__status_json(c.jw, &sum, NULL, 0);
	cap_check(&c,
		  "{\"mode\":\"kill\",\"stats\":{\"events_lost\":1,\"storage_failed\":0,"
		  "\"pending_full\":0,\"zombies_full\":0,\"kill_failed\":0,\"resyncs\":6,"
		  "\"late_release\":0,\"zombies_collected\":0},\"cgroups\":["
		  "{\"path\":\"/docker/a\\\"b\",\"cgroup_id\":44,\"limit\":25,\"current\":26,"
		  "\"peak\":50,\"forks\":100,\"denied\":2,\"killed\":30,\"flagged\":3,"
		  "\"migrated_in\":4,\"dying\":-1,\"warnings\":5,\"events_suppressed\":6},"
		  "{\"path\":\"/sys\",\"cgroup_id\":1,\"limit\":null,\"current\":300,"
		  "\"peak\":301,\"forks\":0,\"denied\":0,\"killed\":0,\"flagged\":0,"
		  "\"migrated_in\":0,\"dying\":0,\"warnings\":0,\"events_suppressed\":0}]}\n"
		  "{\"mode\":null,\"stats\":{\"events_lost\":1,\"storage_failed\":0,"
		  "\"pending_full\":0,\"zombies_full\":0,\"kill_failed\":0,\"resyncs\":6,"
		  "\"late_release\":0,\"zombies_collected\":0},\"cgroups\":[]}\n");
}

/* Events of a container: name and compose labels, only when known. */
static void test_event_container(void **state)
{
	struct pg_event ev = bomb_event();
	struct pg_event_container web = { .name = "web", .project = "shop", .service = "web" };
	struct pg_event_container plain = { .name = "db" };
	struct pg_event_container evil = { .name = "x", .project = "p q\n", .service = "" };
	struct pg_event_container nameless = { .name = "", .project = "shop" };
	struct capture c;

	(void)state;
	ev.flags = 0;
	ev.suppressed = 0;
	cap_open(&c);
	output__event_text_ctr(c.f, &ev, T0, "/docker/abc", &web);
	output__event_text_ctr(c.f, &ev, T0, "/docker/abc", &plain);
	output__event_text_ctr(c.f, &ev, T0, "/docker/abc", &evil);
	output__event_text_ctr(c.f, &ev, T0, "/docker/abc", &nameless);
	output__event_text_ctr(c.f, &ev, T0, "/docker/abc", NULL);
	cap_check(&c,
		  "2026-11-25T18:40:28.123Z killed cgroup=/docker/abc (id 44) container=web "
		  "compose=shop/web pid=123 tgid=123 comm=bomb ppid=120 pcomm=bomb count=26/25\n"
		  "2026-11-25T18:40:28.123Z killed cgroup=/docker/abc (id 44) container=db "
		  "pid=123 tgid=123 comm=bomb ppid=120 pcomm=bomb count=26/25\n"
		  "2026-11-25T18:40:28.123Z killed cgroup=/docker/abc (id 44) container=x "
		  "compose=p?q?/- pid=123 tgid=123 comm=bomb ppid=120 pcomm=bomb count=26/25\n"
		  "2026-11-25T18:40:28.123Z killed cgroup=/docker/abc (id 44) "
		  "pid=123 tgid=123 comm=bomb ppid=120 pcomm=bomb count=26/25\n"
		  "2026-11-25T18:40:28.123Z killed cgroup=/docker/abc (id 44) "
		  "pid=123 tgid=123 comm=bomb ppid=120 pcomm=bomb count=26/25\n");

	cap_open(&c);
	output__event_json_ctr(c.jw, &ev, T0, "/docker/abc", &web);
	output__event_json_ctr(c.jw, &ev, T0, "/docker/abc", &plain);
	output__event_json_ctr(c.jw, &ev, T0, "/docker/abc", NULL);
	cap_check(&c,
		  "{\"time\":\"2026-11-25T18:40:28.123Z\",\"kind\":\"killed\","
		  "\"cgroup\":\"/docker/abc\",\"cgroup_id\":44,\"container\":\"web\","
		  "\"compose_project\":\"shop\",\"compose_service\":\"web\",\"pid\":123,"
		  "\"tgid\":123,\"comm\":\"bomb\",\"ppid\":120,\"pcomm\":\"bomb\",\"count\":26,"
		  "\"limit\":25,\"suppressed\":0,\"parent_killed\":false,\"graced\":false}\n"
		  "{\"time\":\"2026-11-25T18:40:28.123Z\",\"kind\":\"killed\","
		  "\"cgroup\":\"/docker/abc\",\"cgroup_id\":44,\"container\":\"db\",\"pid\":123,"
		  "\"tgid\":123,\"comm\":\"bomb\",\"ppid\":120,\"pcomm\":\"bomb\",\"count\":26,"
		  "\"limit\":25,\"suppressed\":0,\"parent_killed\":false,\"graced\":false}\n"
		  "{\"time\":\"2026-11-25T18:40:28.123Z\",\"kind\":\"killed\","
		  "\"cgroup\":\"/docker/abc\",\"cgroup_id\":44,\"pid\":123,"
		  "\"tgid\":123,\"comm\":\"bomb\",\"ppid\":120,\"pcomm\":\"bomb\",\"count\":26,"
		  "\"limit\":25,\"suppressed\":0,\"parent_killed\":false,\"graced\":false}\n");
}

/* Containers show their name in the table, then their compensation report. */
static void test_status_containers(void **state)
{
	struct pg_status_summary sum = { .mode = "kill" };
	struct pg_status_row rows[] = {
		mkrow("/docker/0123456789abcdef0123456789abcdef", 7, 25, 20, 27, 3),
		mkrow("/plain", 8, 10, 1, 1, 0),
	};
	struct capture c;

	(void)state;
	strcpy(rows[0].container, "web");
	strcpy(rows[0].compose_project, "shop");
	strcpy(rows[0].compose_service, "web");
	strcpy(rows[0].limit_source, "compose file");
	strcpy(rows[0].compensation, "predates");
	strcpy(rows[0].compensation_text, "Declared 25, not\tenforced.");
	status_text(&sum, rows, 2,
		    "mode: kill, events lost: 0\n"
		    "CGROUP  CURRENT  PEAK  LIMIT  DENIED  KILLED  FLAGGED\n"
		    "web          20    27     25       0       3        0\n"
		    "/plain        1     1     10       0       0        0\n"
		    "containers:\n"
		    "  web (compose shop/web) /docker/0123456789abcdef0123456789abcdef: limit from "
		    "compose file, predates: Declared 25, not?enforced.\n");

	/* Containers without a limit have no row; they are listed after. */
	static const char *const unlimited[] = { "db", "cache\n" };

	sum.unlimited = unlimited;
	sum.nr_unlimited = 2;
	status_text(&sum, NULL, 0,
		    "mode: kill, events lost: 0\nno limited cgroups\n"
		    "containers without a limit (not touched): db cache?\n");
	cap_open(&c);
	output__status_json(c.jw, &sum, NULL, 0);
	cap_check(&c,
		  "{\"mode\":\"kill\",\"stats\":{\"events_lost\":0,\"storage_failed\":0,"
		  "\"pending_full\":0,\"zombies_full\":0,\"kill_failed\":0,\"resyncs\":0,"
		  "\"late_release\":0,\"zombies_collected\":0},\"cgroups\":[],"
		  "\"unlimited_containers\":[\"db\",\"cache\\n\"]}\n");
	sum.nr_unlimited = 0;

	cap_open(&c);
	output__status_json(c.jw, &sum, rows, 1);
	cap_check(&c,
		  "{\"mode\":\"kill\",\"stats\":{\"events_lost\":0,\"storage_failed\":0,"
		  "\"pending_full\":0,\"zombies_full\":0,\"kill_failed\":0,\"resyncs\":0,"
		  "\"late_release\":0,\"zombies_collected\":0},\"cgroups\":["
		  "{\"path\":\"/docker/0123456789abcdef0123456789abcdef\",\"cgroup_id\":7,"
		  "\"limit\":25,\"current\":20,\"peak\":27,\"forks\":0,\"denied\":0,"
		  "\"killed\":3,\"flagged\":0,\"migrated_in\":0,\"dying\":0,\"warnings\":0,"
		  "\"events_suppressed\":0,\"container\":\"web\",\"compose_project\":\"shop\","
		  "\"compose_service\":\"web\",\"limit_source\":\"compose file\","
		  "\"compensation\":\"predates\","
		  "\"compensation_text\":\"Declared 25, not\\tenforced.\"}]}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_sanitize_comm),
		cmocka_unit_test(test_event_text),
		cmocka_unit_test(test_event_text_hostile),
		cmocka_unit_test(test_event_json),
		cmocka_unit_test(test_event_json_hostile),
		cmocka_unit_test(test_sort_rows),
		cmocka_unit_test(test_status_text_empty),
		cmocka_unit_test(test_status_text_table),
		cmocka_unit_test(test_status_text_long_paths),
		cmocka_unit_test(test_status_json),
		cmocka_unit_test(test_event_container),
		cmocka_unit_test(test_status_containers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
