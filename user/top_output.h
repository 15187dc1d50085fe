/* SPDX-License-Identifier: GPL-2.0 */
/*
 * top_output.h - how task groups (task_groups.h) look: `pidguard top`,
 * the groups under each row of `status --detail`, and the top group that
 * over_limit, killed and denied events carry. Pure formatting, as
 * output.h: callers scan, these functions print.
 */
#ifndef PG_TOP_OUTPUT_H
#define PG_TOP_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "json_writer.h"
#include "task_groups.h"

/* What `top` says about the cgroup above its groups. */
struct pg_top_header {
	const char *cgroup;	/* path relative to the v2 mount */
	__u64 cg_id;
	int nr_procs;		/* processes read */
	bool truncated;		/* more than PG_TG_SCAN_MAX: counts cover the first ones */
	bool pinned;		/* pidguard runs: current and limit below are known */
	bool no_access;		/* not root: pidguard's maps were not read */
	__s64 current;		/* tasks charged, pidguard's count */
	__u32 limit;		/* PG_NO_LIMIT, or when the cgroup has no entry */
	bool limited;		/* the cgroup has an entry in the limits map */
	__u64 wall_ns;		/* now, for the JSON "time" and relative start times */
};

/*
 * Text: a header, then a table within 80 columns, groups[0..max) (max <= 0:
 * all), and how many groups and processes were left out:
 *
 *   cgroup /pg-demo (id 44)
 *   11 processes, 12 threads, 4 groups
 *   pidguard: 11 tasks, limit 25
 *   COUNT  NEWEST         PPID  COMMAND
 *       7  18:40:28        120  sleep 300  [/bin/busybox]
 *
 * NEWEST is the start time (UTC) of the group's newest process, a date
 * when it started more than a day ago; COMMAND the command line, followed
 * by the executable in brackets when its name is not the first word's,
 * cut at the end with "..." when too long.
 */
void top_output__text(FILE *f, const struct pg_top_header *h, const struct pg_task_group *groups,
		      int n, int max);
/*
 * JSON: {"time", "cgroup", "cgroup_id", "processes", "threads",
 * "truncated", "current" (null without pidguard), "limit" (null without a
 * limit or pidguard), "groups": [group...]} with every group.
 */
void top_output__json(json_writer_t *jw, const struct pg_top_header *h,
		      const struct pg_task_group *groups, int n);

/* One group as a JSON object: exe, cmdline, count, threads, newest_start, newest_pid, ppid. */
void top_output__group_json(json_writer_t *jw, const struct pg_task_group *g);

/* status --detail: one line per group, "      7  sleep 300", within 80 columns. */
void top_output__detail_text(FILE *f, const struct pg_task_group *groups, int n);

/* An event's: ` top="sleep 300 x 7"` ('"' in the command line as \"). */
void top_output__event_text(FILE *f, const struct pg_task_group *g);
/* An event's: "top_group": {"exe", "cmdline", "count"}. */
void top_output__event_json(json_writer_t *jw, const struct pg_task_group *g);

#endif
