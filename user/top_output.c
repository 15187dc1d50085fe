// SPDX-License-Identifier: GPL-2.0
/*
 * top_output.c - task groups for an operator (text within 80 columns) and
 * for a script (JSON, every string in full). The strings come escaped
 * from task_groups.c (no control bytes); the cgroup path does not, so text
 * makes it printable here.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "top_output.h"

#define TOP_WIDTH	80
#define DAY_NS		(86400ull * 1000000000ull)

/* A cgroup path made printable and fit into width columns. */
static void path_cell(const char *path, int width, char *dst, size_t cap)
{
	output__path_shorten_ids(path ? path : "?", dst, cap);
	for (char *p = dst; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	output__ellipsize_middle(dst, width);
}

/* The last path component of s (up to a space for a command line's first word). */
static size_t base_of(const char *s, size_t len, const char **base)
{
	const char *b = s;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '/')
			b = s + i + 1;
	*base = b;
	return s + len - b;
}

/*
 * The COMMAND cell: the command line, and " [EXE]" when the executable's
 * name differs from the first word's (npx runs node, a script its
 * interpreter), cut at width with "...".
 */
static void command_cell(const struct pg_task_group *g, int width, char *dst, size_t cap)
{
	const char *arg0b, *exeb, *exe_end = strstr(g->exe, " (deleted)");
	size_t arg0 = strcspn(g->cmdline, " ");
	size_t exelen = exe_end ? (size_t)(exe_end - g->exe) : strlen(g->exe);
	size_t arg0bl = base_of(g->cmdline, arg0, &arg0b);
	size_t exebl = base_of(g->exe, exelen, &exeb);
	int len;

	if (strcmp(g->exe, "?") && (arg0bl != exebl || memcmp(arg0b, exeb, exebl)))
		snprintf(dst, cap, "%s  [%s]", g->cmdline, g->exe);
	else
		snprintf(dst, cap, "%s", g->cmdline);
	len = strlen(dst);
	if (width >= 4 && len > width)
		memcpy(dst + width - 3, "...", 4);
}

static void newest_cell(__u64 start_ns, __u64 now_ns, char *dst, size_t cap)
{
	time_t t = start_ns / 1000000000ull;
	struct tm tm;

	gmtime_r(&t, &tm);
	if (now_ns > start_ns && now_ns - start_ns >= DAY_NS)
		strftime(dst, cap, "%Y-%m-%d", &tm);
	else
		strftime(dst, cap, "%H:%M:%S", &tm);
}

static void totals(const struct pg_task_group *groups, int n, uint64_t *procs, uint64_t *threads)
{
	*procs = *threads = 0;
	for (int i = 0; i < n; i++) {
		*procs += groups[i].count;
		*threads += groups[i].threads;
	}
}

void top_output__text(FILE *f, const struct pg_top_header *h, const struct pg_task_group *groups,
		      int n, int max)
{
	char path[PG_TG_EXE_MAX + 64], cmd[PG_TG_CMD_MAX + PG_TG_EXE_MAX + 8], when[16];
	uint64_t procs, threads, left = 0;
	int head, shown = max > 0 && max < n ? max : n;

	totals(groups, n, &procs, &threads);
	/* "cgroup " + " (id N)": at most 33 columns, the path has the rest. */
	head = snprintf(NULL, 0, " (id %" PRIu64 ")", (uint64_t)h->cg_id);
	path_cell(h->cgroup, TOP_WIDTH - 7 - head, path, sizeof(path));
	fprintf(f, "cgroup %s (id %" PRIu64 ")\n", path, (uint64_t)h->cg_id);
	fprintf(f, "%" PRIu64 " processes, %" PRIu64 " threads, %d groups\n", procs, threads, n);
	if (h->no_access)
		fputs("pidguard: its count is not shown (reading its maps needs root)\n", f);
	else if (!h->pinned)
		fputs("pidguard: not running (no pinned maps)\n", f);
	else if (!h->limited || h->limit == PG_NO_LIMIT)
		fprintf(f, "pidguard: %" PRId64 " tasks, no limit\n", (int64_t)h->current);
	else
		fprintf(f, "pidguard: %" PRId64 " tasks, limit %u\n", (int64_t)h->current, h->limit);
	if (h->truncated)
		fprintf(f, "(more than %d processes: only the first %d are counted)\n",
			PG_TG_SCAN_MAX, h->nr_procs);
	if (!n) {
		fputs("no processes\n", f);
		return;
	}
	/* 5 + 2 + 10 + 2 + 7 + 2 columns before COMMAND. */
	fprintf(f, "%5s  %-10s  %7s  %s\n", "COUNT", "NEWEST", "PPID", "COMMAND");
	for (int i = 0; i < shown; i++) {
		const struct pg_task_group *g = &groups[i];

		newest_cell(g->newest_ns, h->wall_ns, when, sizeof(when));
		command_cell(g, TOP_WIDTH - 28, cmd, sizeof(cmd));
		fprintf(f, "%5u  %-10s  %7d  %s\n", g->count, when, g->ppid, cmd);
	}
	for (int i = shown; i < n; i++)
		left += groups[i].count;
	if (shown < n)
		fprintf(f, "... %d more groups, %" PRIu64 " processes (--groups N shows more)\n",
			n - shown, left);
}

void top_output__group_json(json_writer_t *jw, const struct pg_task_group *g)
{
	char when[48];

	output__format_time(g->newest_ns, when, sizeof(when));
	jsonw_start_object(jw);
	jsonw_string_field(jw, "exe", g->exe);
	jsonw_string_field(jw, "cmdline", g->cmdline);
	jsonw_uint_field(jw, "count", g->count);
	jsonw_uint_field(jw, "threads", g->threads);
	jsonw_string_field(jw, "newest_start", when);
	jsonw_int_field(jw, "newest_pid", g->newest_pid);
	jsonw_int_field(jw, "ppid", g->ppid);
	jsonw_end_object(jw);
}

void top_output__json(json_writer_t *jw, const struct pg_top_header *h,
		      const struct pg_task_group *groups, int n)
{
	uint64_t procs, threads;
	char when[48];

	totals(groups, n, &procs, &threads);
	output__format_time(h->wall_ns, when, sizeof(when));
	jsonw_start_object(jw);
	jsonw_string_field(jw, "time", when);
	jsonw_string_field(jw, "cgroup", h->cgroup);
	jsonw_uint_field(jw, "cgroup_id", h->cg_id);
	jsonw_uint_field(jw, "processes", procs);
	jsonw_uint_field(jw, "threads", threads);
	jsonw_bool_field(jw, "truncated", h->truncated);
	jsonw_name(jw, "current");
	if (h->pinned)
		jsonw_int(jw, h->current);
	else
		jsonw_null(jw);
	jsonw_name(jw, "limit");
	if (h->pinned && h->limited && h->limit != PG_NO_LIMIT)
		jsonw_uint(jw, h->limit);
	else
		jsonw_null(jw);
	jsonw_name(jw, "groups");
	jsonw_start_array(jw);
	for (int i = 0; i < n; i++)
		top_output__group_json(jw, &groups[i]);
	jsonw_end_array(jw);
	jsonw_end_object(jw);
}

void top_output__detail_text(FILE *f, const struct pg_task_group *groups, int n)
{
	char cmd[PG_TG_CMD_MAX + PG_TG_EXE_MAX + 8];

	/* 4 + 5 + 2 columns before the command: under the NAME column. */
	for (int i = 0; i < n; i++) {
		command_cell(&groups[i], TOP_WIDTH - 11, cmd, sizeof(cmd));
		fprintf(f, "    %5u  %s\n", groups[i].count, cmd);
	}
}

void top_output__event_text(FILE *f, const struct pg_task_group *g)
{
	fputs(" top=\"", f);
	for (const char *p = g->cmdline; *p; p++) {
		if (*p == '"')
			fputc('\\', f);
		fputc(*p, f);
	}
	fprintf(f, " x %u\"", g->count);
}

void top_output__event_json(json_writer_t *jw, const struct pg_task_group *g)
{
	jsonw_name(jw, "top_group");
	jsonw_start_object(jw);
	jsonw_string_field(jw, "exe", g->exe);
	jsonw_string_field(jw, "cmdline", g->cmdline);
	jsonw_uint_field(jw, "count", g->count);
	jsonw_end_object(jw);
}
