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
	int killed_parents;	/* trim_held: repeat forkers killed with their tasks */
	bool held;		/* trim_held: the cgroup was frozen around the trim */
};

/*
 * What one enforcement trim leaves for the next: the parents whose children
 * it killed (pid and start time, so that a reused pid is not mistaken for
 * one). A parent found again within TRIM_REPEAT_NS forking past the limit is
 * a repeat forker, the shape of a fork bomb.
 */
#define TRIM_MEMORY_PARENTS 256
#define TRIM_REPEAT_NS 1000000000ull
struct trim_memory {
	__u64 at_ns;		/* CLOCK_MONOTONIC of the trim that filled it */
	int nr;
	struct {
		int pid;
		unsigned long long start;
	} parents[TRIM_MEMORY_PARENTS];
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

/*
 * Userspace enforcement's trim. When over the limit, freeze the cgroup (v2
 * cgroup.freeze) for the length of the trim, then thaw it, so that a fork
 * bomb cannot outgrow the /proc scan the trim needs. A cgroup already frozen
 * (by the ladder, or by its operator) is trimmed as it is and left frozen;
 * without cgroup.freeze, this is a plain trim (held stays false).
 *
 * Killing the newest alone never ends a fork bomb: its survivors, the
 * oldest, fork again at once. So, as kill mode does in the kernel, a forker
 * gets one grace. The forker of a trimmed task is its nearest ancestor that
 * the trim spares; the first time it is found, it is spared; when a trim
 * within TRIM_REPEAT_NS (mem says) finds it again, it is killed too. Never
 * the init, and only processes of the cgroup itself. mem is read and then
 * refilled.
 */
int runaway_actions__trim_held(const char *path, __u32 limit, struct trim_memory *mem,
			       const char *marker, struct trim_result *res, char *err,
			       size_t errlen);

/*
 * The freeze of a trim must never outlive it: while the cgroup is frozen,
 * trim_held keeps its path in the file marker. A run killed in that window
 * leaves the file; the next run calls this, which thaws that cgroup (if it
 * still exists and is frozen) and removes the file. 1 when it thawed one
 * (its path in thawed), 0 when there was nothing to do, negative errno.
 */
int runaway_actions__thaw_left_held(const char *marker, char *thawed, size_t len, char *err,
				    size_t errlen);

/* cgroup.kill when the kernel has it (5.14), else SIGKILL each process, a few rounds. */
int runaway_actions__kill(const char *path, char *err, size_t errlen);

#endif
