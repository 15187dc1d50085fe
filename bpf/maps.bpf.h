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
 *
 * The fields every hook reads come first: in a task_slots slot (below) they
 * share one cache line with the slot's word and slots[0..2] (a Docker
 * container is at level 2), so that a fork and an exit each touch one line
 * of it. The slot is cold at a fork (its last use was the exit of an
 * earlier task at that address): each line more was a miss more, ~50 ns
 * (docs/BENCHMARKS.md). tests/integration/test_faults.sh finds `owner`
 * (and a slot's `rec`) by name in the maps' BTF.
 */
struct pg_task {
	__u64 owner;		/* the owner's start_time; in a slot, 0: being
				 * made or given back */
	__u32 released;		/* set by sched_process_free: charge no more
				 * (2: record_gc saw it so, in task_records) */
	__u32 killed;		/* pidguard sent it SIGKILL (counted in dying) */
	__u32 levels;		/* bit L: slots[L] was charged at some point */
	__u32 zombie;		/* the zombies key (global pid) task_exit gave
				 * it; 0: none */
	__u32 dead_pass;	/* task_records: the record_gc pass that first
				 * found its task reaped while it was still
				 * unreleased; 0: not seen so */
	__u32 pad;
	__u64 slots[PG_MAX_LEVELS];
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

/*
 * A new task's record, in the slot its address maps to when that slot is
 * free (task_slot.bpf.h): claiming a slot is one compare-and-swap, where a
 * task_records entry costs a bucket lock and a free-list operation to make
 * and the same to delete. 8192 slots (1.5 MiB): a fork finds its slot free
 * unless thousands of tasks live in limited cgroups at once, and then it
 * takes a task_records entry instead. The loader sizes it
 * (PIDGUARD_TASK_SLOTS; 0 leaves every record to task_records).
 */
struct pg_slot {
	__u64 word;		/* the address of the task whose record rec is;
				 * 0: free */
	struct pg_task rec;	/* owner 0: being made or given back */
	__u64 pad[3];		/* to 192 bytes: three whole cache lines */
};

/* The record's bytes in a slot's first cache line: its header and
 * slots[0..2], all a fork of a Docker container's task clears. */
#define PG_SLOT_LINE_BYTES	__builtin_offsetof(struct pg_task, slots[3])
_Static_assert(sizeof(__u64) + PG_SLOT_LINE_BYTES <= 64,
	       "a slot's word, its record's header and slots[0..2] share a cache line");
_Static_assert(sizeof(struct pg_slot) == 192, "a slot is three whole cache lines");

/* Mmapable for its alignment: such an array's values start on a page, so
 * that every 192-byte slot starts on a cache line (a plain array's start
 * 312 bytes into the map's struct, on 6.18). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1u << PG_TASK_SLOTS_SHIFT);
	__type(key, __u32);
	__type(value, struct pg_slot);
} task_slots SEC(".maps");

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
 * A process leader that has exited keeps counting until it is reaped
 * (zombies hold PIDs). Where fentry/release_task cannot load (this
 * kernel refuses trampolines and has no kprobes), the only reap-time hook
 * left is the exits of wait4()/waitid(), which would put every syscall on
 * the host on the kernel's slow path. So no reap is hooked: at exit a
 * leader's charges move from its record to this map, keyed by its global
 * pid, and a reaped zombie's charge is released by sched_process_free, one
 * RCU grace period (~13 ms) after the reap, or at once by whichever fork,
 * migration or seeding pass needs its cgroup's exact count first: one
 * about to pass the limit, cross the warn threshold or set a new peak.
 * Those are where pids.max's count decides something; there, zombie_sets
 * finds the cgroup's zombies, and each whose task is EXIT_DEAD (reaped) is
 * released first (zombies.bpf.h).
 *
 * A pid number is free for reuse only once its task is reaped, so an entry
 * still at a pid that a new zombie has (its release is still due or was
 * lost) belongs to a task that is gone: the new zombie takes it over
 * (zombies.bpf.h). `task` tells an entry's own task from a later one with
 * the same pid: the free hook and the collector act only on their own.
 *
 * Capacity: zombies of limited cgroups at once (bounded by the sum of the
 * limits, in practice); when full, the charge stays on the task and is
 * released at sched_process_free, counted in stats.zombies_full.
 */
#define PG_ZSET		64	/* zombies findable per limited cgroup */
#define PG_ZSET_NONE	0xff	/* set_idx: not in that cgroup's set */

struct pg_zombie {
	__u64 slots[PG_MAX_LEVELS];
	__u64 task;		/* struct task_struct * of the zombie */
	__u32 owned;		/* 1 once free, collector or a limit's check
				 * has taken the charge: only that one deletes
				 * the entry */
	__u32 killed;
	__u32 levels;		/* as pg_task.levels */
	__u32 dead_pass;	/* collection pass that first saw its task gone */
	__u8 set_idx[PG_MAX_LEVELS];	/* its place in the set of slots[L]'s
					 * cgroup, or PG_ZSET_NONE */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);		/* global pid */
	__type(value, struct pg_zombie);
} zombies SEC(".maps");

/*
 * cgroup id -> the global pids of the zombies charged to it, in places a
 * zombie takes at its exit and gives back at its release. A check at the
 * limit reads places, not the whole zombies map: 64 cover any cgroup whose
 * processes reap their children (a reaped zombie's place is taken back by
 * the next check or by a new zombie that finds the set full). More zombies
 * than that, unreaped at once, are counted in stats.zombies_full: their
 * charges wait for the free hook. LRU: a removed cgroup's set is evicted
 * when room is needed, with nobody to delete it (cgroup ids are never
 * reused).
 */
struct pg_zset {
	__u32 hi;		/* 1 + the highest place ever taken */
	__u32 pad;
	__u32 gpid[PG_ZSET];	/* 0: free */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PG_MAX_CGROUPS);
	__type(key, __u64);		/* cgroup id */
	__type(value, struct pg_zset);
} zombie_sets SEC(".maps");

#endif /* PG_MAPS_BPF_H */
