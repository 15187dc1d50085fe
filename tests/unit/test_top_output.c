// SPDX-License-Identifier: GPL-2.0
/*
 * test_top_output.c - how task groups look: `top` text within 80 columns
 * whatever the strings, the executable shown only when it says more than
 * the command, --groups cutting the list, JSON in full, and the top group
 * of an event in both forms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "output.h"
#include "top_output.h"

/* 2026-11-25T18:40:28Z */
#define T0 1795632028000000000ull

static struct pg_task_group group(const char *exe, const char *cmd, __u32 count)
{
	struct pg_task_group g;

	memset(&g, 0, sizeof(g));
	snprintf(g.exe, sizeof(g.exe), "%s", exe);
	snprintf(g.cmdline, sizeof(g.cmdline), "%s", cmd);
	g.count = count;
	g.threads = count;
	g.newest_ns = T0;
	g.newest_pid = 4242;
	g.ppid = 120;
	return g;
}

static char *capture(void (*fn)(FILE *f, void *arg), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void assert_width(const char *text, size_t width)
{
	const char *line = text;

	while (*line) {
		size_t n = strcspn(line, "\n");

		if (n > width)
			fail_msg("line over %zu columns: %.*s", width, (int)n, line);
		line += n + (line[n] == '\n');
	}
}

struct top_case {
	struct pg_top_header h;
	struct pg_task_group *g;
	int n, max;
};

static void top_text(FILE *f, void *arg)
{
	struct top_case *c = arg;

	top_output__text(f, &c->h, c->g, c->n, c->max);
}

static void test_text_table(void **state)
{
	struct pg_task_group g[3] = {
		group("/usr/bin/node", "npx mcp-server-x x", 212),
		group("/usr/bin/sleep", "sleep 300", 7),
		group("/bin/cat", "cat /tmp/fifo", 1),
	};
	struct top_case c = {
		.h = { .cgroup = "/docker/web", .cg_id = 44, .nr_procs = 220, .pinned = true,
		       .limited = true, .current = 220, .limit = 250, .wall_ns = T0 + 1000 },
		.g = g, .n = 3,
	};
	char *out;

	(void)state;
	out = capture(top_text, &c);
	assert_string_equal(out,
		"cgroup /docker/web (id 44)\n"
		"220 processes, 220 threads, 3 groups\n"
		"pidguard: 220 tasks, limit 250\n"
		"COUNT  NEWEST         PPID  COMMAND\n"
		"  212  18:40:28        120  npx mcp-server-x x  [/usr/bin/node]\n"
		"    7  18:40:28        120  sleep 300\n"
		"    1  18:40:28        120  cat /tmp/fifo\n");
	free(out);
	/* --groups 1, a day later, and no pidguard. */
	c.max = 1;
	c.h.pinned = false;
	c.h.wall_ns = T0 + 2 * 86400ull * 1000000000ull;
	out = capture(top_text, &c);
	assert_string_equal(out,
		"cgroup /docker/web (id 44)\n"
		"220 processes, 220 threads, 3 groups\n"
		"pidguard: not running (no pinned maps)\n"
		"COUNT  NEWEST         PPID  COMMAND\n"
		"  212  2026-11-25      120  npx mcp-server-x x  [/usr/bin/node]\n"
		"... 2 more groups, 8 processes (--groups N shows more)\n");
	free(out);
}

/* Long paths, long command lines, a hostile cgroup name: still 80 columns. */
static void test_text_width(void **state)
{
	char path[300], cmd[PG_TG_CMD_MAX];
	struct pg_task_group g[2];
	struct top_case c = { .g = g, .n = 2 };
	char *out;
	int i, lines = 0;

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[20] = '\n';
	path[sizeof(path) - 1] = '\0';
	memset(cmd, 'b', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = '\0';
	g[0] = group("/opt/very/long/path/to/an/interpreter/binary/that/goes/on", cmd, PG_TG_SCAN_MAX);
	g[0].ppid = 4194304;
	g[1] = group("?", "x", 1);
	c.h.cgroup = path;
	c.h.cg_id = 18446744073709551615ull;
	c.h.truncated = true;
	c.h.nr_procs = PG_TG_SCAN_MAX;
	out = capture(top_text, &c);
	assert_width(out, 80);
	/* The newline in the cgroup's name did not start a line of its own. */
	for (i = 0; out[i]; i++)
		lines += out[i] == '\n';
	assert_int_equal(lines, 7);
	assert_non_null(strstr(out, "only the first 4096"));
	assert_non_null(strstr(out, "bbb...\n"));
	/* An unreadable exe ("?") is not shown. */
	assert_non_null(strstr(out, "  x\n"));
	free(out);
}

static void detail(FILE *f, void *arg)
{
	top_output__detail_text(f, arg, 2);
}

static void test_detail_text(void **state)
{
	struct pg_task_group g[2] = {
		group("/usr/bin/python3.11", "python3 -m http.server", 12),
		group("/usr/local/bin/worker", "/usr/local/bin/worker --queue q", 3),
	};
	char *out;

	(void)state;
	out = capture(detail, g);
	assert_string_equal(out,
		"       12  python3 -m http.server  [/usr/bin/python3.11]\n"
		"        3  /usr/local/bin/worker --queue q\n");
	free(out);
}

static void event_text(FILE *f, void *arg)
{
	top_output__event_text(f, arg);
}

static void test_event_forms(void **state)
{
	struct pg_task_group g = group("/usr/bin/node", "node -e \"fork()\"", 212);
	char *out, *buf = NULL;
	size_t len = 0;
	FILE *f;
	json_writer_t *jw;

	(void)state;
	out = capture(event_text, &g);
	assert_string_equal(out, " top=\"node -e \\\"fork()\\\" x 212\"");
	free(out);

	f = open_memstream(&buf, &len);
	jw = jsonw_new(f);
	jsonw_start_object(jw);
	top_output__event_json(jw, &g);
	jsonw_end_object(jw);
	jsonw_destroy(&jw);
	fclose(f);
	assert_non_null(strstr(buf, "\"top_group\":{\"exe\":\"/usr/bin/node\","
				    "\"cmdline\":\"node -e \\\"fork()\\\"\",\"count\":212}"));
	free(buf);
}

static void test_json_every_group(void **state)
{
	struct pg_task_group g[2] = {
		group("/usr/bin/sleep", "sleep 300", 7),
		group("/bin/cat", "cat", 1),
	};
	struct pg_top_header h = { .cgroup = "/t", .cg_id = 9, .wall_ns = T0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_writer_t *jw = jsonw_new(f);

	(void)state;
	top_output__json(jw, &h, g, 2);
	jsonw_destroy(&jw);
	fclose(f);
	assert_non_null(strstr(buf, "\"processes\":8,\"threads\":8,\"truncated\":false,"
				    "\"current\":null,\"limit\":null,\"groups\":[{"));
	assert_non_null(strstr(buf, "\"cmdline\":\"cat\",\"count\":1,"));
	assert_non_null(strstr(buf, "\"newest_start\":\"2026-11-25T18:40:28.000Z\""));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_table),
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_detail_text),
		cmocka_unit_test(test_event_forms),
		cmocka_unit_test(test_json_every_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
