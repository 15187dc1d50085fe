/* SPDX-License-Identifier: GPL-2.0 */
/*
 * charge.bpf.h - counting tasks against limited cgroups.
 *
 * Invariant: usage[C].current == number of tasks whose charge record holds
 * C, where a charge record is a task's storage slots, or a zombie entry, or
 * a deny-mode reservation. Every transfer of a charge between records, and
 * every release, is a single atomic operation on the slot (compare-and-swap
 * or exchange), so whichever hook gets there first does the counting and
 * any other finds the slot already changed: no double count, no negative.
 */
#ifndef PG_CHARGE_BPF_H
#define PG_CHARGE_BPF_H

#include "maps.bpf.h"

/* From include/linux/sched.h (macros are not in BTF). */
#define PG_EXIT_DEAD	0x0010
#define PG_EXIT_ZOMBIE	0x0020

#define STAT_INC(field)                                                        \
	do {                                                                   \
		__u32 _zero = 0;                                               \
		struct pg_stats *_s = bpf_map_lookup_elem(&stats, &_zero);     \
		if (_s)                                                        \
			__sync_fetch_and_add(&_s->field, 1);                   \
	} while (0)

static __always_inline struct pg_config *config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&settings, &zero);
}

/* The task's cgroup in the v2 hierarchy, where container limits live. */
static __always_inline struct cgroup *task_cgroup(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp);
}

/*
 * Fill want[L] with the id of the limited cgroup at level L among cgrp and
 * its ancestors (0 where none) and return how many there are. Only the
 * levels in level_mask are looked up: with limits on Docker containers only
 * (level 2), a fork anywhere on the host costs one hash lookup.
 */
static __always_inline int wanted_slots(struct cgroup *cgrp, __u32 level_mask,
					__u64 want[PG_MAX_LEVELS])
{
	int level = BPF_CORE_READ(cgrp, level);
	int found = 0;

	for (int lvl = 0; lvl < PG_MAX_LEVELS; lvl++) {
		struct cgroup *anc = NULL;
		__u64 id;

		want[lvl] = 0;
		if (lvl > level || !(level_mask & (1u << lvl)))
			continue;
		if (bpf_core_read(&anc, sizeof(anc), &cgrp->ancestors[lvl]) || !anc)
			continue;
		id = BPF_CORE_READ(anc, kn, id);
		if (bpf_map_lookup_elem(&limits, &id)) {
			want[lvl] = id;
			found++;
		}
	}
	return found;
}

/* Raise peak to at least count; a few tries are plenty under contention. */
static __always_inline void peak_update(struct pg_usage *u, __s64 count)
{
	for (int i = 0; i < 4; i++) {
		__u64 old = u->peak;

		if ((__u64)count <= old)
			break;
		if (__sync_val_compare_and_swap(&u->peak, old, (__u64)count) == old)
			break;
	}
}

/* A charge that went past its cgroup's limit, for the enforcement step. */
struct pg_over {
	__u64 cg_id;
	struct pg_usage *usage;
	__s64 count;
	__u32 limit;
	int level;
};

/*
 * Count one more task in cg_id. Records the first limit exceeded in *over
 * (when over is not NULL) and returns true when the warn threshold was just
 * crossed upward (the caller emits the event: it knows the task).
 */
static __always_inline bool usage_charge(__u64 cg_id, int level, bool killed, bool is_fork,
					 struct pg_over *over)
{
	struct pg_usage *u = bpf_map_lookup_elem(&usage, &cg_id);
	struct pg_limit *lim = bpf_map_lookup_elem(&limits, &cg_id);
	__s64 count;

	if (!u || !lim)
		return false;
	count = __sync_fetch_and_add(&u->current, 1) + 1;
	if (killed)
		__sync_fetch_and_add(&u->dying, 1);
	if (is_fork)
		__sync_fetch_and_add(&u->forks, 1);
	peak_update(u, count);
	if (over && !over->cg_id && lim->max != PG_NO_LIMIT && count > lim->max) {
		over->cg_id = cg_id;
		over->usage = u;
		over->count = count;
		over->limit = lim->max;
		over->level = level;
	}
	if (lim->warn_at && count >= lim->warn_at && !u->warned &&
	    __sync_val_compare_and_swap(&u->warned, 0, 1) == 0) {
		__sync_fetch_and_add(&u->warnings, 1);
		return true;
	}
	return false;
}

/* Count one task less in cg_id; re-arm the warning below the threshold. */
static __always_inline void usage_uncharge(__u64 cg_id, bool killed)
{
	struct pg_usage *u = bpf_map_lookup_elem(&usage, &cg_id);
	struct pg_limit *lim;
	__s64 count;

	/* The cgroup was removed and its entry collected: nothing to do. */
	if (!u)
		return;
	count = __sync_fetch_and_add(&u->current, -1) - 1;
	if (killed)
		__sync_fetch_and_add(&u->dying, -1);
	lim = bpf_map_lookup_elem(&limits, &cg_id);
	if (lim && u->warned && count < (__s64)lim->warn_at)
		u->warned = 0;
}

/* Release every charge held in slots; returns how many there were. */
static __always_inline int slots_release(__u64 slots[PG_MAX_LEVELS], bool killed)
{
	int released = 0;

	for (int lvl = 0; lvl < PG_MAX_LEVELS; lvl++) {
		__u64 cg_id = __sync_lock_test_and_set(&slots[lvl], 0);

		if (cg_id) {
			usage_uncharge(cg_id, killed);
			released++;
		}
	}
	return released;
}

/*
 * Make a live task's charges match want[]: release slots it no longer
 * belongs to, claim the new ones. Used for migration and seeding; returns
 * the number of new charges, the first over-limit one in *over.
 */
static __always_inline int task_reconcile(struct pg_task *ts, __u64 want[PG_MAX_LEVELS],
					  struct pg_over *over, bool *warned)
{
	bool killed = ts->killed;
	int charged = 0;

	for (int lvl = 0; lvl < PG_MAX_LEVELS; lvl++) {
		__u64 cur = ts->slots[lvl];
		__u64 id = want[lvl];

		if (cur == id)
			continue;
		if (cur && __sync_val_compare_and_swap(&ts->slots[lvl], cur, 0) == cur)
			usage_uncharge(cur, killed);
		if (id && __sync_val_compare_and_swap(&ts->slots[lvl], 0, id) == 0) {
			if (usage_charge(id, lvl, killed, false, over))
				*warned = true;
			charged++;
		}
	}
	return charged;
}

/* Mark a task as killed by pidguard: its cgroups count it as dying. */
static __always_inline bool task_mark_killed(struct pg_task *ts, int over_level,
					     __s64 *dying_before)
{
	if (__sync_val_compare_and_swap(&ts->killed, 0, 1) != 0)
		return false;
	for (int lvl = 0; lvl < PG_MAX_LEVELS; lvl++) {
		__u64 cg_id = ts->slots[lvl];
		struct pg_usage *u;
		__s64 before;

		if (!cg_id)
			continue;
		u = bpf_map_lookup_elem(&usage, &cg_id);
		if (!u)
			continue;
		before = __sync_fetch_and_add(&u->dying, 1);
		if (lvl == over_level && dying_before)
			*dying_before = before;
	}
	return true;
}

#endif /* PG_CHARGE_BPF_H */
