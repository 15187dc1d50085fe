/* SPDX-License-Identifier: GPL-2.0 */
/*
 * top_worker.h - the top task group of cgroups (task_groups.h), read from
 * /proc by a thread of its own for the event loop.
 *
 * Why a thread: reading /proc/PID/cmdline takes the target's mmap lock,
 * which a process holds for the whole of each of its forks. Reading a fork
 * bomb's processes from the event loop stalled it, in the 6.1 VM, for
 * 2.6 s at a time; with --enforce-in-userspace the event loop is the
 * enforcer, and the bomb grew unchecked meanwhile. The loop now asks, and
 * takes whatever answer is there.
 */
#ifndef PG_TOP_WORKER_H
#define PG_TOP_WORKER_H

#include <stdbool.h>
#include <linux/types.h>

#include "task_groups.h"

struct top_worker;

/* Starts the thread; NULL (errno set) when it cannot. */
struct top_worker *top_worker__new(void);

/* Stops and joins the thread (a read in progress is finished first). */
void top_worker__free(struct top_worker *w);

/*
 * The latest top group of the cgroup directory dir (key: its cgroup id)
 * into *out. A read is asked for when there is none yet or when the last
 * one is older than refresh_ns; when there is none yet, waits for it at
 * most wait_ns. Returns true when *out holds a group, false when there is
 * none (not read yet, cgroup empty or gone). From one thread only.
 */
bool top_worker__get(struct top_worker *w, __u64 key, const char *dir, __u64 refresh_ns,
		     __u64 wait_ns, struct pg_task_group *out);

#endif
