/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maps.bpf.h - every map of pidguard, with the reason for its size.
 *
 * The maps the operator reads (limits, usage, config, stats) have their value
 * types in include/pidguard.h; the ones below that only the programs use
 * (task charges, deny reservations, the zombie index) have theirs here.
 */
#ifndef PG_MAPS_BPF_H
#define PG_MAPS_BPF_H

#include "pidguard.h"

/* ---- Maps the loader writes and the operator reads ---- */

/*
 * cgroup id -> limit. PG_MAX_CGROUPS (16384) covers the densest Docker hosts
 * (thousands of containers) with room for nested cgroups; the loader may
 * raise it before load. A full map means a limit the loader could not
 * install: it is reported by the loader, never silently dropped.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PG_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct pg_limit);
} limits SEC(".maps");

/* cgroup id -> counters. Same capacity as limits: one entry per limit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PG_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct pg_usage);
} usage SEC(".maps");

/*
 * Mode and tuning (struct pg_config). A map rather than rodata so that a new
 * loader can adopt the pinned state and `pidguard limit` can update it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_config);
} settings SEC(".maps");

/* What was lost or failed: each counter is a reason the loader reports. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_stats);
} stats SEC(".maps");

/*
 * 1 MiB holds ~10,000 events; with the per-cgroup rate limit (20/s by
 * default) a host needs hundreds of cgroups in a storm at once to fill it,
 * and then the loss is counted in stats.events_lost.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* ---- Maps only the programs use ---- */

/*
 * What a task is charged to: slots[L] is the id of the limited cgroup at
 * level L that this task counts toward, or 0. One slot per level makes each
 * charge a single compare-and-swap that two racing hooks (fork and seeding,
 * say) cannot both win, so a task is never counted twice in one cgroup.
 */
struct pg_task {
	__u64 slots[PG_MAX_LEVELS];
	__u32 released;		/* set by sched_process_free: charge no more
				 * (2: record_gc saw it so, in task_records) */
	__u32 killed;		/* pidguard sent it SIGKILL (counted in dying) */
	__u64 owner;		/* task_records: the owner's start_time */
	__u32 levels;		/* bit L: slots[L] was charged at some point */
	__u32 zombie;		/* the zombies key (global pid) task_exit gave
				 * it; 0: none */
};

/*
 * Where records live (task_record.bpf.h): first task_records, a
 * preallocated hash keyed by task address, then task storage once that is
 * full. Task storage needs no capacity and lives and dies with the task,
 * but creating and freeing it costs two allocations per task, the largest
 * cost pidguard put on a thread's create and exit (docs/BENCHMARKS.md); a
 * preallocated entry costs a bucket lock and a free-list pop. The loader
 * sizes task_records (PIDGUARD_TASK_RECORDS, default PG_TASK_RECORDS).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PG_TASK_RECORDS);
	__type(key, __u64);		/* struct task_struct * */
	__type(value, struct pg_task);
} task_records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pg_task);
} tasks SEC(".maps");

/*
 * Deny mode: a charge reserved in lsm/task_alloc, keyed by the new task's
 * address, until sched_process_fork commits it or lsm/task_free rolls it
 * back (a later step of fork failed). Entries live for the duration of one
 * copy_process(), so their number is bounded by the forks in flight at
 * once: 4096 is far above what any host has. When it is full the fork is
 * allowed (fail open) and counted in stats.pending_full.
 */
struct pg_reservation {
	__u64 slots[PG_MAX_LEVELS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct pg_reservation);
} pending SEC(".maps");

/*
 * A process leader that has exited keeps counting until its parent reaps it
 * (zombies hold PIDs). The only reap-time hook available everywhere is the
 * exit of the parent's wait4()/waitid(), which knows the reaped pid but not
 * the task; so at exit a leader's charges move from its record to this map,
 * keyed by its global pid (its pid in the host's namespace), and zombie_pids
 * finds them by the pid a reaper in a container's namespace sees.
 *
 * Keyed by pid, a host reaper finds the entry with one lookup, and a
 * process of the host's pid namespace (no zombie_pids key) costs one
 * insert and one delete.
 * A pid number is free for reuse only once its task is reaped, so an entry
 * still at a pid that a new zombie has (its release was lost or is still
 * due) belongs to a task that is gone: the new zombie takes it over
 * (zombie_pids.bpf.h). `task` tells an entry's own task from a later one
 * with the same pid: the free hook and the collector act only on their own.
 *
 * Capacity: zombies of limited cgroups at once (bounded by the sum of the
 * limits, in practice); when full, the charge stays on the task and is
 * released at sched_process_free (one RCU grace period later), counted in
 * stats.zombies_full.
 */
#define PG_PIDNS_INDEXED 4

struct pg_zombie {
	__u64 slots[PG_MAX_LEVELS];
	__u64 task;		/* struct task_struct * of the zombie */
	__u32 owned;		/* 1 once reap, free or collector has taken the
				 * charge: only that hook deletes the entry */
	__u32 killed;
	__u32 levels;		/* as pg_task.levels */
	__u32 dead_pass;	/* collection pass that first saw its task gone */
	__u32 nr_keys;		/* zombie_pids keys to delete with the entry */
	__u32 pad;
	__u64 key_ns[PG_PIDNS_INDEXED];
	__u32 key_nr[PG_PIDNS_INDEXED];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);		/* global pid */
	__type(value, struct pg_zombie);
} zombies SEC(".maps");

/*
 * (pid namespace, pid number in it) -> global pid (the zombies key), for
 * each namespace below the host's that the zombie is visible in (up to
 * PG_PIDNS_INDEXED levels deep): wait4() returns the pid as the reaper sees
 * it, and the reaper may be in any ancestor namespace (a container's init,
 * or the host's after reparenting, which needs no key here).
 */
struct pg_pid_key {
	__u64 ns;		/* struct pid_namespace address */
	__u32 nr;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536 * 2);
	__type(key, struct pg_pid_key);
	__type(value, __u32);		/* global pid */
} zombie_pids SEC(".maps");

#endif /* PG_MAPS_BPF_H */
