/* SPDX-License-Identifier: GPL-2.0 */
/*
 * runaway_actions.h - what the escalation ladder (runaway.h) and
 * --enforce-in-userspace do to a cgroup: freeze and thaw it, trim it back
 * to its limit, kill it whole. PATH is the cgroup's absolute directory.
 * Each returns 0 or a negative errno, with a one-line reason in err.
 */
#ifndef PG_RUNAWAY_ACTIONS_H
#define PG_RUNAWAY_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/*
 * cgroup v2 cgroup.freeze; without it, the v1 freezer's freezer.state
 * (found through a member's /proc/PID/cgroup, under /sys/fs/cgroup/freezer).
 */
int runaway_actions__freeze(const char *path, bool freeze, char *err, size_t errlen);

/* 1 frozen, 0 not, negative errno: cgroup.events "frozen", or freezer.state. */
int runaway_actions__frozen(const char *path);

struct trim_result {
	long before;		/* tasks (threads) in the subtree before */
	long killed_tasks;	/* tasks of the processes sent SIGKILL */
	int killed_procs;
	int kept_init;		/* pid of the process spared as the init, 0 if none */
};

/*
 * Kill the newest processes of the cgroup (start time, /proc/PID/stat
 * field 22) with SIGKILL until its tasks are at most limit; never its
 * init: a process that is pid 1 of its pid namespace (NSpid in
 * /proc/PID/status), else the oldest process. Only the cgroup's own
 * cgroup.procs is trimmed: processes of child cgroups count, but are left.
 */
int runaway_actions__trim(const char *path, __u32 limit, struct trim_result *res, char *err,
			  size_t errlen);

/* cgroup.kill when the kernel has it (5.14), else SIGKILL each process, a few rounds. */
int runaway_actions__kill(const char *path, char *err, size_t errlen);

#endif
