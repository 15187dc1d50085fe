/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output.h - how events and status look, in text and in JSON. Pure
 * formatting: callers gather the data, these functions only print it, so
 * they are unit-tested on fixed inputs.
 */
#ifndef PG_OUTPUT_H
#define PG_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "../include/pidguard.h"
#include "json_writer.h"
#include "task_groups.h"

const char *output__event_kind_name(__u32 kind);	/* "denied", "killed", ... */
const char *output__mode_name(__u32 mode);		/* "deny", "kill", "flag" */

/*
 * Copy a task comm (not necessarily NUL-terminated, PG_COMM_LEN bytes) to
 * dst, replacing every byte that is not printable ASCII with '?', so that a
 * hostile comm cannot inject newlines or escapes into a text log line.
 * Spaces become '?' too: text lines are space-separated key=value pairs.
 */
void output__sanitize_comm(const char *comm, char dst[PG_COMM_LEN + 1]);

/*
 * One event. wall_ns is the event's wall-clock time (the caller converts
 * from boot time); cg_path is the cgroup path relative to the v2 mount or
 * NULL when unknown. Text form, one line:
 *   2026-11-25T18:40:28.123Z killed cgroup=/pg-demo (id 44) pid=123 tgid=123
 *     comm=bomb ppid=120 pcomm=bomb count=26/25 parent-killed suppressed=7
 * ("parent-killed" and "graced" only when flagged, "suppressed=N" only when
 * N > 0, the limit "none" for PG_NO_LIMIT, cgroup "?" when unknown).
 * JSON: limit null for PG_NO_LIMIT, cgroup null when unknown.
 * JSON form: one object with the same fields, keys:
 *   time, kind, cgroup, cgroup_id, pid, tgid, comm, ppid, pcomm, count,
 *   limit, suppressed, parent_killed, graced
 */
void output__event_text(FILE *f, const struct pg_event *ev, __u64 wall_ns, const char *cg_path);
void output__event_json(json_writer_t *jw, const struct pg_event *ev, __u64 wall_ns, const char *cg_path);

/*
 * The container a cgroup belongs to, when Docker told us: name, and the
 * compose project and service ("" or NULL when not a compose container).
 */
struct pg_event_container {
	const char *name;
	const char *project;
	const char *service;
};

/*
 * The same, with the container (NULL: as above). Text inserts
 * " container=NAME" and " compose=PROJECT/SERVICE" after "(id N)"; JSON adds
 * the keys "container", "compose_project" and "compose_service" after
 * cgroup_id, each only when known, so the keys above never change.
 */
void output__event_text_ctr(FILE *f, const struct pg_event *ev, __u64 wall_ns, const char *cg_path,
			    const struct pg_event_container *ctr);
void output__event_json_ctr(json_writer_t *jw, const struct pg_event *ev, __u64 wall_ns,
			    const char *cg_path, const struct pg_event_container *ctr);

/*
 * The same, with the largest task group of the cgroup (NULL: as above):
 * text appends ` top="CMDLINE x N"`, JSON a "top_group" object {exe,
 * cmdline, count} after "graced" (top_output.h).
 */
void output__event_text_top(FILE *f, const struct pg_event *ev, __u64 wall_ns,
			    const char *cg_path, const struct pg_event_container *ctr,
			    const struct pg_task_group *top);
void output__event_json_top(json_writer_t *jw, const struct pg_event *ev, __u64 wall_ns,
			    const char *cg_path, const struct pg_event_container *ctr,
			    const struct pg_task_group *top);

struct pg_status_row {
	char path[256];			/* relative to the v2 mount, or "(gone)" */
	__u64 cg_id;
	__u32 limit;			/* PG_NO_LIMIT when tracked without limit */
	struct pg_usage usage;
	/* Docker, from `run`'s container table; "" when not a container. */
	char container[256];
	char compose_project[256];
	char compose_service[256];
	char limit_source[64];		/* "label", "compose file", ... */
	char compensation[32];		/* compensation case name */
	char compensation_text[640];	/* its sentence */
	/* status --detail: its largest task groups (the caller owns them). */
	const struct pg_task_group *top_groups;
	int nr_top_groups;
};

struct pg_status_summary {
	const char *mode;		/* "kill" ... */
	__u64 wall_ns;			/* when read; JSON "time" unless 0 */
	__u64 events_lost;
	struct pg_stats stats;
	/*
	 * Containers run knows that have no limit (never touched, so in no
	 * row): text lists them after the rows, JSON as "unlimited_containers"
	 * (both only when there are some).
	 */
	const char *const *unlimited;
	int nr_unlimited;
	/*
	 * status --detail: text prints each row's top_groups under it
	 * (top_output__detail_text), JSON a "top_groups" array in each row.
	 */
	bool detail;
};

/*
 * Rows by pressure (current/limit, exactly), highest first; ties by current,
 * then by name (container name, else path); unlimited rows last.
 */
void output__sort_rows(struct pg_status_row *rows, int n);

/* current/limit in percent, rounded down; -1 for a row without a limit. */
int output__pressure_pct(const struct pg_status_row *r);

/*
 * Status table for an operator, every line within 80 columns for any
 * realistic data (only absurd counters, 20 digits, can widen it):
 *
 *   mode: kill, events lost: 0, failures: 0
 *   NAME                         CURRENT  LIMIT  USE%  PEAK  KILLED  CASE
 *   web 0123456789ab...               26     25  104%    50      30  predates
 *   /pg-demo                           3     10   30%     3       0  -
 *   /system.slice/docker-0123...     400   none     -   400       0  -
 *   containers:
 *     web (compose shop/web) /docker/0123456789ab...: predates: Declared 25
 *       (compose file), not enforced by the kernel (pids.max=max): ...
 *
 * The header: mode, events lost, the sum of the failure counters (storage
 * failed, pending full, zombies full, kill failed), then every stats
 * counter that is not 0, wrapped at 80. NAME is the container name, then
 * the last component of its path when it fits whole; else the path. Docker
 * and systemd ids (32+ hex digits) show their first 12 digits and "...",
 * and what is still too long loses its middle to "...". Of
 * DENIED/KILLED/FLAGGED, the mode's column and any that is not 0. CASE only
 * when some row is a container with a compensation report and there is
 * room (names keep 16 columns); each container has a paragraph after the
 * table. Anything a container or a cgroup named is made printable ('?').
 * No rows prints "no limited cgroups".
 *
 * JSON form: one object {"time":..., "mode":..., "stats":{...},
 * "cgroups":[{...}, ...]} with every path and name in full ("time" only
 * when sum->wall_ns is set; each row also carries "pressure_pct", null
 * without a limit). Both sort rows in place. events lost is
 * max(events_lost, stats.events_lost): either may be filled.
 */
void output__status_text(FILE *f, const struct pg_status_summary *sum, struct pg_status_row *rows, int n);
void output__status_json(json_writer_t *jw, const struct pg_status_summary *sum, struct pg_status_row *rows, int n);

/* Ids in a path: runs of 32+ hex digits become their first 12 and "...". */
void output__path_shorten_ids(const char *path, char *dst, size_t cap);
/* Fit s into width columns by replacing its middle with "...". */
void output__ellipsize_middle(char *s, int width);

/*
 * status --watch: the line above each snapshot, "TIME, every N s". On a
 * terminal it first moves home and clears the screen (the caller writes
 * the whole frame at once); otherwise snapshots after the first are set
 * apart by a blank line, so that `status --watch | tee` reads well.
 */
void output__watch_header(FILE *f, __u64 wall_ns, unsigned int period_s, bool tty, bool first);
/* A refresh that could not read the state: "error: MSG" / {"time","error"}. */
void output__status_error_text(FILE *f, const char *msg);
void output__status_error_json(json_writer_t *jw, __u64 wall_ns, const char *msg);

/* RFC 3339 UTC with milliseconds: "2026-11-25T18:40:28.123Z". */
void output__format_time(__u64 wall_ns, char *buf, size_t len);

#endif
