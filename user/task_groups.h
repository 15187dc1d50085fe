/* SPDX-License-Identifier: GPL-2.0 */
/*
 * task_groups.h - what runs in a cgroup, grouped: the processes of a cgroup
 * v2 directory and its descendants, grouped by executable and command line,
 * duplicates first. A fork bomb or a leaking supervisor shows up as one
 * group with a large count ("npx mcp-server-x x 212").
 *
 * Two halves: task_groups__build() and task_groups__escape_cmdline() are
 * pure (fixtures in tests/unit/test_task_groups.c drive them);
 * task_groups__scan() reads /proc. A process that exits while it is read is
 * skipped, never an error; one whose exe we may not read (another user's,
 * without root) keeps its command line with exe "?".
 */
#ifndef PG_TASK_GROUPS_H
#define PG_TASK_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define PG_TG_EXE_MAX	256	/* an executable path, longer ones end in "..." */
#define PG_TG_CMD_MAX	512	/* a command line, escaped, longer ones end in "..." */
#define PG_TG_SCAN_MAX	4096	/* processes read per scan: bounds the time spent */

struct pg_task {
	int pid;
	int ppid;
	__u32 threads;		/* 1 when not read */
	__u64 start_ns;		/* wall clock, ns since the epoch */
	char exe[PG_TG_EXE_MAX];
	char cmdline[PG_TG_CMD_MAX];
};

struct pg_task_group {
	char exe[PG_TG_EXE_MAX];
	char cmdline[PG_TG_CMD_MAX];
	__u32 count;		/* processes */
	__u32 threads;		/* their threads, summed */
	__u64 newest_ns;	/* start of the newest process */
	int newest_pid;
	int ppid;		/* parent of the newest process */
};

/*
 * Group n tasks by (exe, cmdline) into *out (caller frees), sorted by
 * task_groups__sort. Returns the number of groups, or -ENOMEM.
 */
int task_groups__build(const struct pg_task *tasks, int n, struct pg_task_group **out);

/* Duplicates first: count, then newest start, both descending; then by name. */
void task_groups__sort(struct pg_task_group *groups, int n);

/*
 * /proc/PID/cmdline (len bytes, NUL-separated, maybe without the last NUL)
 * into dst: NULs become spaces, trailing ones dropped, backslash and every
 * byte that is not printable ASCII become \\ and \xNN, so that a hostile
 * argument cannot move a terminal's cursor. A line that does not fit ends
 * in "...". dst is always terminated (cap >= 4).
 */
void task_groups__escape_cmdline(const char *raw, size_t len, char *dst, size_t cap);

/*
 * Parse a /proc/PID/stat line: the parent pid (field 4), the number of
 * threads (field 20; threads may be NULL) and the start time (field 22,
 * clock ticks after boot). comm may hold spaces and parentheses: the
 * fields follow the LAST ')'. 0 or -EINVAL. runaway_actions.c uses it too.
 */
int task_groups__parse_stat(const char *stat, int *ppid, long *threads, __u64 *start_ticks,
			    char *comm, size_t commcap);

struct pg_tg_scan {
	int max;		/* processes to read at most, 0: PG_TG_SCAN_MAX */
	bool threads;		/* read Threads from /proc/PID/status (one more file each) */
	/* out */
	bool truncated;		/* more processes than max: the groups count max of them */
	int nr_procs;		/* processes read */
};

/*
 * The tasks of the cgroup v2 directory cg_dir and its descendants into
 * *out (caller frees). Returns their number, or -errno when cg_dir cannot
 * be read (-ENOENT: gone).
 */
int task_groups__scan(const char *cg_dir, struct pg_tg_scan *opts, struct pg_task **out);

/* scan + build: the groups of cg_dir. Number of groups, or -errno. */
int task_groups__of_cgroup(const char *cg_dir, struct pg_tg_scan *opts,
			   struct pg_task_group **out);

#endif
