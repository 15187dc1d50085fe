/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pidguard.h - the contract between the BPF programs and the loader.
 *
 * Only fixed-width kernel types and plain constants: this header is
 * included both by the BPF programs (after vmlinux.h) and by the loader (after
 * <linux/types.h>), so it must not include anything itself.
 *
 * Every struct here is also the BTF type of a pinned map, so field names are
 * part of the operator interface (`bpftool map dump pinned ...`): rename
 * nothing without a reason.
 */
#ifndef PIDGUARD_H
#define PIDGUARD_H

/* Where the loader pins everything. */
#define PG_PIN_DIR		"/sys/fs/bpf/pidguard"

/*
 * A task is charged to each limited cgroup among its ancestors (and its own
 * cgroup), one slot per cgroup level, so the slot index of a charge is the
 * level of the limited cgroup. A fixed index makes the claim of a slot a
 * single compare-and-swap that concurrent hooks cannot duplicate. Level 0 is
 * the root; Docker's /docker/<id> is level 2, Kubernetes pods reach 5.
 */
#define PG_MAX_LEVELS		16

/* The kernel's PID_MAX_LIMIT on 64-bit: no cgroup, no host holds more tasks. */
#define PG_PID_MAX_LIMIT	4194304u

/* Default capacity of the limits and usage maps (limited cgroups). */
#define PG_MAX_CGROUPS		16384

/*
 * Default capacity of task_records: tasks in limited cgroups whose charge
 * record is preallocated (232 bytes of kernel memory each, 7.3 MiB in all);
 * past it, records go to task storage, slower but unbounded
 * (stats.records_full).
 */
#define PG_TASK_RECORDS		32768

/* task_slots (bpf/task_slot.bpf.h): 1 << PG_TASK_SLOTS_SHIFT slots by
 * default, at most 1 << PG_TASK_SLOTS_SHIFT_MAX (PIDGUARD_TASK_SLOTS). */
#define PG_TASK_SLOTS_SHIFT	13
#define PG_TASK_SLOTS_SHIFT_MAX	16

/* limits.max value meaning "track, but enforce nothing" (`limit X none`). */
#define PG_NO_LIMIT		0xffffffffu

enum pg_mode {
	PG_MODE_FLAG = 1,	/* allow, report every fork past the limit */
	PG_MODE_KILL = 2,	/* SIGKILL the child (and a runaway parent) */
	PG_MODE_DENY = 3,	/* fork fails with EAGAIN (BPF LSM task_alloc) */
};

/* Value of the `limits` map, keyed by cgroup id (__u64). */
struct pg_limit {
	__u32 max;		/* tasks allowed, or PG_NO_LIMIT */
	__u32 warn_at;		/* emit a warn event when usage reaches this */
	__u32 level;		/* cgroup level, < PG_MAX_LEVELS */
	__u32 flags;		/* reserved, 0 */
};

/* Value of the `usage` map, keyed by cgroup id (__u64). */
struct pg_usage {
	__s64 current;		/* tasks charged now: live, zombie and dying */
	__u64 peak;		/* highest `current` seen */
	__u64 forks;		/* children charged at fork (allowed or not) */
	__u64 denied;		/* forks failed with EAGAIN (deny mode) */
	__u64 killed;		/* tasks SIGKILLed by pidguard (kill mode) */
	__u64 flagged;		/* forks and migrations past the limit, allowed */
	__u64 migrated_in;	/* tasks charged by migration (cgroup.procs) */
	__s64 dying;		/* tasks pidguard killed that are not reaped yet */
	__u64 warnings;		/* warn events (upward crossings) */
	__u64 events_suppressed;/* events dropped by the per-cgroup rate limit */
	/* Rate-limiter and warn state; not meant for operators. */
	__u64 rl_window_ns;
	__u32 rl_count;
	__u32 rl_suppressed;	/* suppressed since the last emitted event */
	__u32 warned;		/* 1 while at or above warn_at */
	__u32 pad;
};

/* pg_config.caps: what the loaded programs can do on this kernel. */
#define PG_CAP_KILL	(1u << 0)	/* bpf_send_signal_task programs attached */
#define PG_CAP_DENY	(1u << 1)	/* BPF LSM task_alloc attached */
#define PG_CAP_REAP_AT_RELEASE (1u << 2) /* fentry/release_task releases at the reap */

/* Value of the single-entry `settings` array map. */
struct pg_config {
	__u32 mode;		/* enum pg_mode */
	__u32 caps;		/* PG_CAP_* */
	__u32 events_per_sec;	/* per-cgroup event budget, 0 = unlimited */
	__u32 warn_pct;		/* warn threshold, percent of each limit */
	__u32 level_mask;	/* bit N set: some limit lives at level N */
	__u32 nr_levels;	/* highest level in level_mask + 1 */
	__u32 seeding;		/* non-zero while a seeding pass runs */
	__u32 gc_pass;		/* number of the current zombie collection pass
				 * (counted by zombie_gc itself) */
};

/* Value of the single-entry `stats` array map: what was missed or failed. */
struct pg_stats {
	__u64 events_lost;	/* ring buffer full: event not delivered */
	__u64 storage_failed;	/* task storage unavailable: task not charged */
	__u64 pending_full;	/* deny reservation map full: fork allowed */
	__u64 zombies_full;	/* zombie index (or a cgroup's set) full: no
				 * check at the limit finds it; freed later */
	__u64 kill_failed;	/* bpf_send_signal_task returned an error */
	__u64 resyncs;		/* threaded migrations that asked for a resync */
	__u64 late_release;	/* charges found still on a task at its free, or
				 * on a zombie entry a new zombie took over */
	__u64 zombies_collected;/* zombie charges whose free hook never came,
				 * released by the collector: should stay 0 */
	__u64 records_full;	/* task_records full: record in task storage */
	__u64 records_collected;/* records of reaped tasks whose free hook never
				 * came, released by the collector: should
				 * stay 0 */
};

enum pg_event_kind {
	PG_EV_DENIED = 1,	/* fork refused with EAGAIN */
	PG_EV_KILLED = 2,	/* child killed at fork */
	PG_EV_OVER_LIMIT = 3,	/* fork past the limit allowed (flag mode) */
	PG_EV_WARN = 4,		/* usage reached the warn threshold */
	PG_EV_MIGRATED = 5,	/* task moved into a full cgroup (flag mode) */
	PG_EV_MIGRATED_KILLED = 6, /* task moved into a full cgroup, killed */
	PG_EV_RESYNC = 7,	/* internal: loader must run a reconcile pass */
};

/* pg_event.flags */
#define PG_EVF_PARENT_KILLED	(1u << 0) /* the forking parent was killed too */
#define PG_EVF_GRACED		(1u << 1) /* the parent was spared this once */

#define PG_COMM_LEN		16

/* One ring buffer record. */
struct pg_event {
	__u64 ts_ns;		/* bpf_ktime_get_boot_ns() */
	__u64 cg_id;		/* the limited cgroup concerned */
	__u32 kind;		/* enum pg_event_kind */
	__u32 flags;		/* PG_EVF_* */
	__u32 pid;		/* task (thread) id of the child / migrated task */
	__u32 tgid;
	__u32 ppid;		/* tgid of the parent */
	__u32 count;		/* usage after the event */
	__u32 limit;
	__u32 suppressed;	/* events of this cgroup suppressed before this one */
	char comm[PG_COMM_LEN];
	char pcomm[PG_COMM_LEN];
};

#endif /* PIDGUARD_H */
