// SPDX-License-Identifier: GPL-2.0
/* test_output.c - exact event lines and status tables, text and JSON, and status --watch. */
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
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

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
		mkrow("/zero", 9, 0, 500, 500, 0),		/* limit 0: as none */
	};
	static const char *const want[] = {
		"/docker/aaa", "/docker/bbb", "/docker/ccc", "/docker/zzz",
		"/docker/idle", "/docker/neg", "/zero", "/init", "/sys",
	};
	size_t i;

	(void)state;
	output__sort_rows(rows, 9);
	for (i = 0; i < 9; i++)
		assert_string_equal(rows[i].path, want[i]);
	/* Pressure is compared exactly: 2/3 < 3/4 although both round alike. */
	rows[0] = mkrow("/a", 1, 3, 2, 2, 0);
	rows[1] = mkrow("/b", 2, 4194304, 3145728, 0, 0);
	output__sort_rows(rows, 2);
	assert_string_equal(rows[0].path, "/b");
	/* Same pressure: more tasks first, then the name the operator reads. */
	rows[0] = mkrow("/docker/111", 1, 10, 5, 5, 0);
	strcpy(rows[0].container, "zeta");
	rows[1] = mkrow("/docker/222", 2, 10, 5, 5, 0);
	strcpy(rows[1].container, "alpha");
	rows[2] = mkrow("/docker/333", 3, 20, 10, 10, 0);
	strcpy(rows[2].container, "omega");
	rows[3] = mkrow("/plain", 4, 10, 5, 5, 0);
	rows[4] = mkrow("/tiny", 5, 2, 1, 1, 0);
	output__sort_rows(rows, 5);
	assert_string_equal(rows[0].container, "omega");
	assert_string_equal(rows[1].path, "/plain");	/* '/' sorts before letters */
	assert_string_equal(rows[2].container, "alpha");
	assert_string_equal(rows[3].container, "zeta");
	assert_string_equal(rows[4].path, "/tiny");
	output__sort_rows(rows, 0);	/* no rows: nothing to do */
}

static void test_pressure_pct(void **state)
{
	struct pg_status_row r;

	(void)state;
	r = mkrow("/a", 1, 25, 26, 0, 0);
	assert_int_equal(output__pressure_pct(&r), 104);
	r = mkrow("/a", 1, 25, 24, 0, 0);
	assert_int_equal(output__pressure_pct(&r), 96);
	r = mkrow("/a", 1, 3, 2, 0, 0);
	assert_int_equal(output__pressure_pct(&r), 66);	/* rounded down */
	r = mkrow("/a", 1, 1000, 999, 0, 0);
	assert_int_equal(output__pressure_pct(&r), 99);	/* never 100 before full */
	r = mkrow("/a", 1, 10, 0, 0, 0);
	assert_int_equal(output__pressure_pct(&r), 0);
	r = mkrow("/a", 1, 10, -3, 0, 0);
	assert_int_equal(output__pressure_pct(&r), 0);
	r = mkrow("/a", 1, PG_NO_LIMIT, 5, 0, 0);
	assert_int_equal(output__pressure_pct(&r), -1);
	r = mkrow("/a", 1, 0, 5, 0, 0);
	assert_int_equal(output__pressure_pct(&r), -1);
	r = mkrow("/a", 1, 1, 0x7fffffffffffffffll, 0, 0);
	assert_int_equal(output__pressure_pct(&r), 999999);	/* capped, no overflow */
}

static void test_shorten(void **state)
{
	char out[256], s[64];

	(void)state;
	output__path_shorten_ids("/docker/" HEX64, out, sizeof(out));
	assert_string_equal(out, "/docker/0123456789ab...");
	output__path_shorten_ids("/system.slice/docker-" HEX64 ".scope", out, sizeof(out));
	assert_string_equal(out, "/system.slice/docker-0123456789ab....scope");
	/* Short hex runs are names, not ids. */
	output__path_shorten_ids("/pg/deadbeef/cafe", out, sizeof(out));
	assert_string_equal(out, "/pg/deadbeef/cafe");
	output__path_shorten_ids("/docker/" HEX64, out, 12);
	assert_string_equal(out, "/docker/012");
	output__path_shorten_ids("", out, sizeof(out));
	assert_string_equal(out, "");

	/* The middle gives way; a short last component survives whole. */
	strcpy(s, "/kubepods/burstable/pod1234/container-abcdef");
	output__ellipsize_middle(s, 30);
	assert_string_equal(s, "/kubepods/.../container-abcdef");
	strcpy(s, "/kubepods/burstable/pod1234/leaf");
	output__ellipsize_middle(s, 20);
	assert_string_equal(s, "/kubepod...1234/leaf");
	assert_int_equal(strlen(s), 20);
	strcpy(s, "abcdefghijklmnopqrstuvwxyz");
	output__ellipsize_middle(s, 10);
	assert_string_equal(s, "abc...wxyz");
	strcpy(s, "short");
	output__ellipsize_middle(s, 10);
	assert_string_equal(s, "short");
	strcpy(s, "abcdefgh");
	output__ellipsize_middle(s, 3);
	assert_string_equal(s, "abc");
}

static void status_text(const struct pg_status_summary *sum, struct pg_status_row *rows, int n,
			const char *want)
{
	struct capture c;

	cap_open(&c);
	output__status_text(c.f, sum, rows, n);
	cap_check(&c, want);
}

/* Every line of buf within 80 columns; returns the number of lines. */
static int assert_fits_80(const char *buf)
{
	int lines = 0;

	while (*buf) {
		const char *nl = strchr(buf, '\n');
		size_t len = nl ? (size_t)(nl - buf) : strlen(buf);

		if (len > 80) {
			print_error("%zu columns: %.*s\n", len, (int)len, buf);
			fail();
		}
		lines++;
		buf += len + (nl ? 1 : 0);
	}
	return lines;
}

static void test_status_text_empty(void **state)
{
	struct pg_status_summary sum = { .mode = "kill" };

	(void)state;
	status_text(&sum, NULL, 0,
		    "mode: kill, events lost: 0, failures: 0\nno limited cgroups\n");
	/* Failures are summed, then named; events lost from either field. */
	sum.events_lost = 3;
	sum.stats.kill_failed = 2;
	sum.stats.late_release = 9;
	status_text(&sum, NULL, 0,
		    "mode: kill, events lost: 3, failures: 2, kill failed: 2, late releases: 9\n"
		    "no limited cgroups\n");
	/* A long header wraps between items, never inside one. */
	memset(&sum, 0, sizeof(sum));
	sum.stats.events_lost = 4;
	sum.stats.storage_failed = 1;
	sum.stats.pending_full = 2;
	sum.stats.zombies_full = 3;
	sum.stats.resyncs = 5;
	sum.stats.zombies_collected = 6;
	sum.stats.records_collected = 8;
	sum.stats.records_full = 7;
	status_text(&sum, NULL, 0,
		    "mode: unknown, events lost: 4, failures: 6, storage failed: 1, pending full: 2,\n"
		    "  zombies full: 3, resyncs: 5, zombies collected: 6, records collected: 8,\n"
		    "  records full: 7\n"
		    "no limited cgroups\n");
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
	/* flag mode: FLAGGED, and DENIED and KILLED because some row has them. */
	status_text(&sum, rows, 3,
		    "mode: flag, events lost: 0, failures: 0\n"
		    "NAME         CURRENT  LIMIT  USE%  PEAK  DENIED  KILLED  FLAGGED\n"
		    "/docker/aaa       26     25  104%    50       2      30        0\n"
		    "/docker/bbb       50    100   50%    60       0       0  1234567\n"
		    "/sys             300   none     -   300       0       0        0\n");
	/* kill mode with nothing denied or flagged: KILLED only. */
	sum.mode = "kill";
	rows[0].usage.denied = 0;
	rows[1].usage.flagged = 0;
	status_text(&sum, rows, 3,
		    "mode: kill, events lost: 0, failures: 0\n"
		    "NAME         CURRENT  LIMIT  USE%  PEAK  KILLED\n"
		    "/docker/aaa       26     25  104%    50      30\n"
		    "/docker/bbb       50    100   50%    60       0\n"
		    "/sys             300   none     -   300       0\n");
}

/*
 * Docker's 64-hex ids and systemd's scopes: ids shortened, then the middle
 * of the name gives way; numbers never do (with absurd counters the name
 * keeps 16 columns and the line passes 80).
 */
static void test_status_text_long_paths(void **state)
{
	struct pg_status_summary sum = { .mode = "kill" };
	struct pg_status_row rows[3];

	(void)state;
	rows[0] = mkrow("/docker/" HEX64, 1, 25, 25, 50, 12);
	rows[1] = mkrow("/a\nb", 2, 4194304, 4194304, 4194304, 0);
	rows[1].usage.flagged = 18446744073709551615ull;
	status_text(&sum, rows, 2,
		    "mode: kill, events lost: 0, failures: 0\n"
		    "NAME               CURRENT    LIMIT  USE%     PEAK  KILLED               FLAGGED\n"
		    "/a?b               4194304  4194304  100%  4194304       0  18446744073709551615\n"
		    "/docker...89ab...       25       25  100%       50      12                     0\n");

	rows[0] = mkrow("/docker/" HEX64, 1, 25, 20, 50, 12);
	rows[1] = mkrow("/system.slice/docker-" HEX64 ".scope", 2, 100, 10, 10, 0);
	rows[2] = mkrow("/a/very/long/path/of/nested/cgroups/that/goes/on/and/on/and/on/leaf", 3,
			10, 0, 0, 0);
	status_text(&sum, rows, 3,
		    "mode: kill, events lost: 0, failures: 0\n"
		    "NAME                                          CURRENT  LIMIT  USE%  PEAK  KILLED\n"
		    "/docker/0123456789ab...                            20     25   80%    50      12\n"
		    "/system.slice/docker-0123456789ab....scope         10    100   10%    10       0\n"
		    "/a/very/long/path/of...on/and/on/and/on/leaf        0     10    0%     0       0\n");
}

/*
 * A host full of containers with long names and reports: every line fits 80
 * columns. Realistic numbers keep the CASE column; huge ones (limits at
 * pid_max, every action column busy) push it out, names keep 16 columns.
 */
static void status_text_fits_80(bool huge)
{
	static const char *const unlimited[] = {
		"cache", "queue-worker-with-a-rather-long-name-1",
		"queue-worker-with-a-rather-long-name-2", "x",
		"a-container-name-that-is-longer-than-eighty-columns-all-by-itself-"
		"because-compose-said-so",
	};
	struct pg_status_summary sum = {
		.mode = "kill",
		.stats = { 123456, 2, 3, 4, 5, 6, 7, 8 },
		.unlimited = unlimited,
		.nr_unlimited = 5,
	};
	struct pg_status_row rows[40];
	struct capture c;
	int i, lines;

	for (i = 0; i < 40; i++) {
		char name[256];

		if (i % 2)
			rows[i] = mkrow("/docker/" HEX64, i + 1, 100 + i, i * 7, i * 9, i * 1000);
		else if (huge)
			rows[i] = mkrow("/system.slice/docker-" HEX64 ".scope", i + 1, 4194304,
					4194304 - i, 4194304, 99999);
		else
			rows[i] = mkrow("/system.slice/docker-" HEX64 ".scope", i + 1, 512, 500 - i,
					512, 99999);
		rows[i].usage.denied = huge && i == 3 ? 1 : 0;
		rows[i].usage.flagged = huge && i == 5 ? 123456 : 0;
		if (i % 5 == 4)
			continue;	/* not a container */
		memset(name, 'a' + i % 26, sizeof(name) - 1);
		name[(i * 37) % 255 + 1] = '\0';
		strcpy(rows[i].container, name);
		strcpy(rows[i].compose_project, i % 3 ? "a-compose-project-with-a-long-name" : "");
		strcpy(rows[i].compose_service, i % 3 ? "the-service" : "");
		strcpy(rows[i].limit_source, "compose file");
		strcpy(rows[i].compensation, i % 2 ? "bypassed_by_exec" : "a_case_name_too_long_to_show");
		snprintf(rows[i].compensation_text, sizeof(rows[i].compensation_text),
			 "Declared %d (compose file), not enforced by the kernel (pids.max=max): the "
			 "container has no --pids-limit, so it predates the limit (restart, "
			 "stop/start and up --no-recreate keep an old container) or its compose "
			 "tool ignored it; pidguard enforces it.", 100 + i);
	}
	cap_open(&c);
	output__status_text(c.f, &sum, rows, 40);
	jsonw_destroy(&c.jw);
	fclose(c.f);
	lines = assert_fits_80(c.buf);
	/* header (2 lines) + title + 40 rows + paragraphs + unlimited */
	assert_true(lines > 43 + 32);
	if (huge) {
		assert_non_null(strstr(c.buf, "  DENIED  KILLED  FLAGGED\n"));
	} else {
		assert_non_null(strstr(c.buf, "  KILLED  CASE\n"));
		assert_non_null(strstr(c.buf, "  a_case...to_show\n"));
	}
	free(c.buf);
}

static void test_status_text_fits_80(void **state)
{
	(void)state;
	status_text_fits_80(false);
	status_text_fits_80(true);
}

/* Names are chosen by whoever starts a container: nothing unprintable gets through. */
static void test_status_text_escapes(void **state)
{
	static const char *const unlimited[] = { "cache", "a\tb\033[2J" };
	struct pg_status_summary sum = { .mode = "kill", .unlimited = unlimited, .nr_unlimited = 2 };
	struct pg_status_row rows[2];

	(void)state;
	rows[0] = mkrow("/system.slice/docker-" HEX64 ".scope", 9, 5, 5, 5, 0);
	strcpy(rows[0].container, "db\033[2J\r\nx y");
	strcpy(rows[0].limit_source, "label\n");
	rows[1] = mkrow("/p\033ath\x7f", 10, 8, 1, 1, 0);
	status_text(&sum, rows, 2,
		    "mode: kill, events lost: 0, failures: 0\n"
		    "NAME                                      CURRENT  LIMIT  USE%  PEAK  KILLED\n"
		    "db?[2J??x?y docker-0123456789ab....scope        5      5  100%     5       0\n"
		    "/p?ath?                                         1      8   12%     1       0\n"
		    "containers:\n"
		    "  db?[2J??x?y /system.slice/docker-0123456789ab....scope: limit from label?\n"
		    "containers without a limit (not touched): cache a?b?[2J\n");
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
		  "\"late_release\":0,\"zombies_collected\":0,\"records_collected\":0,\"records_full\":0},\"cgroups\":["
		  "{\"path\":\"/docker/a\\\"b\",\"cgroup_id\":44,\"limit\":25,\"current\":26,"
		  "\"peak\":50,\"forks\":100,\"denied\":2,\"killed\":30,\"flagged\":3,"
		  "\"migrated_in\":4,\"dying\":-1,\"warnings\":5,\"events_suppressed\":6,\"pressure_pct\":104},"
		  "{\"path\":\"/sys\",\"cgroup_id\":1,\"limit\":null,\"current\":300,"
		  "\"peak\":301,\"forks\":0,\"denied\":0,\"killed\":0,\"flagged\":0,"
		  "\"migrated_in\":0,\"dying\":0,\"warnings\":0,\"events_suppressed\":0,"
		  "\"pressure_pct\":null}]}\n"
		  "{\"mode\":null,\"stats\":{\"events_lost\":1,\"storage_failed\":0,"
		  "\"pending_full\":0,\"zombies_full\":0,\"kill_failed\":0,\"resyncs\":6,"
		  "\"late_release\":0,\"zombies_collected\":0,\"records_collected\":0,\"records_full\":0},\"cgroups\":[]}\n");
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

/* Containers show their name and case in the table, then their compensation report. */
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
		    "mode: kill, events lost: 0, failures: 0\n"
		    "NAME                 CURRENT  LIMIT  USE%  PEAK  KILLED  CASE\n"
		    "web 0123456789ab...       20     25   80%    27       3  predates\n"
		    "/plain                     1     10   10%     1       0  -\n"
		    "containers:\n"
		    "  web (compose shop/web) /docker/0123456789ab...: predates: Declared 25,\n"
		    "    not?enforced.\n");

	/* Containers without a limit have no row; they are listed after, wrapped. */
	static const char *const unlimited[] = {
		"db", "cache\n", "queue-worker-with-a-rather-long-name-1",
		"queue-worker-with-a-rather-long-name-2",
	};

	sum.unlimited = unlimited;
	sum.nr_unlimited = 4;
	status_text(&sum, NULL, 0,
		    "mode: kill, events lost: 0, failures: 0\nno limited cgroups\n"
		    "containers without a limit (not touched): db cache?\n"
		    "  queue-worker-with-a-rather-long-name-1 queue-worker-with-a-rather-long-name-2\n");
	sum.nr_unlimited = 2;
	cap_open(&c);
	output__status_json(c.jw, &sum, NULL, 0);
	cap_check(&c,
		  "{\"mode\":\"kill\",\"stats\":{\"events_lost\":0,\"storage_failed\":0,"
		  "\"pending_full\":0,\"zombies_full\":0,\"kill_failed\":0,\"resyncs\":0,"
		  "\"late_release\":0,\"zombies_collected\":0,\"records_collected\":0,\"records_full\":0},\"cgroups\":[],"
		  "\"unlimited_containers\":[\"db\",\"cache\\n\"]}\n");
	sum.nr_unlimited = 0;

	/* Every path in full in JSON; "time" when the snapshot has one. */
	sum.wall_ns = T0;
	cap_open(&c);
	output__status_json(c.jw, &sum, rows, 1);
	cap_check(&c,
		  "{\"time\":\"2026-11-25T18:40:28.123Z\",\"mode\":\"kill\",\"stats\":{"
		  "\"events_lost\":0,\"storage_failed\":0,"
		  "\"pending_full\":0,\"zombies_full\":0,\"kill_failed\":0,\"resyncs\":0,"
		  "\"late_release\":0,\"zombies_collected\":0,\"records_collected\":0,\"records_full\":0},\"cgroups\":["
		  "{\"path\":\"/docker/0123456789abcdef0123456789abcdef\",\"cgroup_id\":7,"
		  "\"limit\":25,\"current\":20,\"peak\":27,\"forks\":0,\"denied\":0,"
		  "\"killed\":3,\"flagged\":0,\"migrated_in\":0,\"dying\":0,\"warnings\":0,"
		  "\"events_suppressed\":0,\"pressure_pct\":80,\"container\":\"web\","
		  "\"compose_project\":\"shop\",\"compose_service\":\"web\","
		  "\"limit_source\":\"compose file\",\"compensation\":\"predates\","
		  "\"compensation_text\":\"Declared 25, not\\tenforced.\"}]}\n");
}

/* --watch: what separates and dates the snapshots, and a refresh that failed. */
static void test_watch(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c);
	output__watch_header(c.f, T0, 2, true, true);
	output__watch_header(c.f, T0, 2, true, false);
	cap_check(&c, "\033[H\033[2J2026-11-25T18:40:28.123Z, every 2 s (Ctrl-C to quit)\n"
		      "\033[H\033[2J2026-11-25T18:40:28.123Z, every 2 s (Ctrl-C to quit)\n");
	/* Not a terminal (| tee): no escapes, a blank line between snapshots. */
	cap_open(&c);
	output__watch_header(c.f, T0, 1, false, true);
	output__watch_header(c.f, T0, 1, false, false);
	cap_check(&c, "2026-11-25T18:40:28.123Z, every 1 s\n"
		      "\n2026-11-25T18:40:28.123Z, every 1 s\n");

	cap_open(&c);
	output__status_error_text(c.f, "cannot read the pinned maps: Operation not permitted, "
				       "and a long message\033 that wraps");
	cap_check(&c, "error: cannot read the pinned maps: Operation not permitted, and a long "
		      "message?\n  that wraps\n");
	cap_open(&c);
	output__status_error_json(c.jw, T0, "no \"maps\"");
	cap_check(&c, "{\"time\":\"2026-11-25T18:40:28.123Z\",\"error\":\"no \\\"maps\\\"\"}\n");
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
		cmocka_unit_test(test_pressure_pct),
		cmocka_unit_test(test_shorten),
		cmocka_unit_test(test_status_text_empty),
		cmocka_unit_test(test_status_text_table),
		cmocka_unit_test(test_status_text_long_paths),
		cmocka_unit_test(test_status_text_fits_80),
		cmocka_unit_test(test_status_text_escapes),
		cmocka_unit_test(test_status_json),
		cmocka_unit_test(test_event_container),
		cmocka_unit_test(test_status_containers),
		cmocka_unit_test(test_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
