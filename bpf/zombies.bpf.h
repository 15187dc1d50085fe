/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zombies.bpf.h - the zombie index: entries keyed by global pid, the
 * per-cgroup sets that find a cgroup's reaped zombies, and the filter that
 * spares most frees their lookup.
 *
 * No reap is hooked here (maps.bpf.h says why): a reaped zombie's charge
 * is released by its free hook, one RCU grace period after the reap,
 * unless a fork, migration or seeding pass needs its cgroup's exact count
 * first. usage_charge() asks for that where the count decides something:
 * past the limit, at the warn threshold, at a new peak. There the
 * cgroup's set names its zombies, and each whose task is EXIT_DEAD has
 * been reaped (wait4, waitid, autoreap, any reaper in any pid namespace,
 * io_uring's waitid): it is released, and the count is what pids.max's is.
 * A serial reaper at its limit thus forks as pids.max lets it, and no
 * syscall on the host pays for a hook.
 *
 * Pid numbers are reused, so a key may outlive its task only while a
 * release is due or lost; whoever inserts, looks up or deletes a key
 * checks whose it is (the entry's `task`). Only the hook that wins an
 * entry's `owned` deletes it, so that no hook deletes a newer entry at the
 * same pid; that one also gives back the entry's places in its sets.
 *
 * Every task's free looks for its zombie entry, and most have none:
 * threads, processes of cgroups with no limit, and leaders released
 * already. zpid_filter counts the keys whose pid number hashes to each of
 * its 1024 counters (4 KiB, which stays in cache); a zero spares the
 * lookup. A counter is raised before a key is inserted (lowered again
 * unless the insert made a new key) and lowered after a key is deleted, so
 * it is never zero while a key it covers exists. A key planted or left
 * over by other means only ever leaves a counter too high, which costs a
 * lookup: a delete never lowers one below 0 (filter_put).
 */
#ifndef PG_ZOMBIES_BPF_H
#define PG_ZOMBIES_BPF_H

#include "charge.bpf.h"

#define PG_ZPID_FILTER	1024
static __u32 zpid_filter[PG_ZPID_FILTER];

static __always_inline __u32 *zpid_filter_slot(__u32 nr)
{
	return &zpid_filter[((nr * 0x9E3779B9u) >> 22) & (PG_ZPID_FILTER - 1)];
}

/* Could a key with pid number nr exist? A zero is certain: no. */
static __always_inline bool zpid_maybe(__u32 nr)
{
	return *zpid_filter_slot(nr) != 0;
}

/*
 * Insert the entry of global pid gpid under the filter's rule: its counter
 * is raised first, and lowered again unless the insert made a new key. 0
 * or the map's error, read as an int: 6.1 zero-extends the helper's error
 * to 64 bits.
 */
static __always_inline int zpid_insert(__u32 gpid, const struct pg_zombie *z)
{
	__u32 *cnt = zpid_filter_slot(gpid);
	int err;

	__sync_fetch_and_add(cnt, 1);
	err = (int)bpf_map_update_elem(&zombies, &gpid, z, BPF_NOEXIST);
	if (err)
		__sync_fetch_and_add(cnt, -1);
	return err;
}

/* Delete the entry of gpid: the counter is lowered only if it was there. */
static __always_inline void zpid_delete(__u32 gpid)
{
	if (!bpf_map_delete_elem(&zombies, &gpid))
		filter_put(zpid_filter_slot(gpid));
}

/*
 * The entry's task is gone: reaped, or its struct reused by another task.
 * Read with probes: a freed task struct is never a fault.
 */
static __always_inline bool zombie_task_gone(__u32 gpid, const struct pg_zombie *z)
{
	struct task_struct *task = (struct task_struct *)z->task;

	/* The reaped case, the common one, costs one read. */
	return BPF_CORE_READ(task, exit_state) == PG_EXIT_DEAD ||
	       (__u32)BPF_CORE_READ(task, pid) != gpid;
}

/* ---- Sets: a cgroup's zombies ---- */

static const struct pg_zset pg_zset_empty;

struct zset_place_ctx {
	__u32 *gpids;
	__u32 gpid;
	__u32 place;
};

static long zset_place_cb(__u32 i, struct zset_place_ctx *c)
{
	if (i >= PG_ZSET)
		return 1;
	if (c->gpids[i] || __sync_val_compare_and_swap(&c->gpids[i], 0, c->gpid) != 0)
		return 0;
	c->place = i;
	return 1;
}

/* Take a free place in set s for gpid: its index, or PG_ZSET_NONE. */
static __always_inline __u32 zset_take(struct pg_zset *s, __u32 gpid)
{
	struct zset_place_ctx c = { .gpids = s->gpid, .gpid = gpid, .place = PG_ZSET_NONE };
	__u32 hi;

	bpf_loop(PG_ZSET, zset_place_cb, &c, 0);
	if (c.place >= PG_ZSET)
		return PG_ZSET_NONE;
	/* Raise hi to cover it; a few tries are plenty under contention. */
	for (int i = 0; i < 3; i++) {
		hi = s->hi;
		if (hi > c.place ||
		    __sync_val_compare_and_swap(&s->hi, hi, c.place + 1) == hi)
			break;
	}
	return c.place;
}

/* A zombie's places, level by level: given back, or taken (add). */
struct zset_levels_ctx {
	__u64 *slots;
	__u8 *set_idx;
	__u32 gpid;
	__u32 missed;			/* add: levels that found no place */
};

static long zset_forget_cb(__u32 lvl, struct zset_levels_ctx *c)
{
	struct pg_zset *s;
	__u64 cg_id;
	__u32 i;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	i = c->set_idx[lvl];
	cg_id = c->slots[lvl];
	if (i >= PG_ZSET || !cg_id)
		return 0;
	s = bpf_map_lookup_elem(&zombie_sets, &cg_id);
	if (s)
		__sync_val_compare_and_swap(&s->gpid[i], c->gpid, 0);
	return 0;
}

/* ---- Entries ---- */

/* Take the charge of entry z (key gpid), give back its places and forget
 * it. False when another hook took it first: that one does all this. */
static __always_inline bool zombie_release(__u32 gpid, struct pg_zombie *z, bool late)
{
	struct zset_levels_ctx c = { .slots = z->slots, .set_idx = z->set_idx, .gpid = gpid };
	__u32 top;

	if (__sync_lock_test_and_set(&z->owned, 1))
		return false;
	/* Places first: they are found by the cgroup ids in slots. */
	top = levels_top(z->levels);
	bpf_loop(top, zset_forget_cb, &c, 0);
	if (slots_release(z->slots, z->levels, z->killed) && late)
		STAT_INC(late_release);
	zpid_delete(gpid);
	return true;
}

struct zset_collect_ctx {
	__u32 *gpids;
	__u64 cg_id;
	__u32 level;
	__u32 released;
};

static long zset_collect_cb(__u32 i, struct zset_collect_ctx *c)
{
	struct pg_zombie *z;
	__u32 gpid;

	if (i >= PG_ZSET)
		return 1;
	gpid = c->gpids[i];
	if (!gpid)
		return 0;
	z = bpf_map_lookup_elem(&zombies, &gpid);
	if (!z || z->slots[c->level & (PG_MAX_LEVELS - 1)] != c->cg_id) {
		/* Its entry went without giving the place back (a release
		 * racing this read gives it back itself): free it. */
		if (!z)
			__sync_val_compare_and_swap(&c->gpids[i], gpid, 0);
		return 0;
	}
	if (z->owned || !zombie_task_gone(gpid, z))
		return 0;
	/* Give this place back here, where the set is at hand, so that the
	 * release looks up only the sets of the zombie's other levels. Done
	 * before the release is won: if another hook wins it, it is releasing
	 * the zombie, and nobody needs to find it here any more. */
	z->set_idx[c->level & (PG_MAX_LEVELS - 1)] = PG_ZSET_NONE;
	__sync_val_compare_and_swap(&c->gpids[i], gpid, 0);
	if (zombie_release(gpid, z, false))
		c->released++;
	return 0;
}

/* Release the zombies of set s (cgroup cg_id, at level) that have been
 * reaped; returns how many charges of cg_id that gave back. */
static __always_inline __u32 zset_collect(struct pg_zset *s, __u64 cg_id, __u32 level)
{
	struct zset_collect_ctx c = { .gpids = s->gpid, .cg_id = cg_id, .level = level };
	__u32 hi = s->hi;

	bpf_loop(hi < PG_ZSET ? hi : PG_ZSET, zset_collect_cb, &c, 0);
	return c.released;
}

/*
 * Declared in charge.bpf.h: where a count decides something, the reaped
 * zombies it still holds go first.
 *
 * A global function, not inlined: the verifier checks it once, for any
 * cg_id and level, instead of once per path into every charge. Inlined,
 * its loops multiplied the states of every program that charges:
 * fork_kill took 446,931 instructions to verify (of the 1,000,000
 * allowed), 1.3 s; called, 57,592 and 0.11 s (build/bench/verifstat,
 * docs/BENCHMARKS.md). The call is made only where a count decides
 * something, not on every fork.
 */
__noinline __u32 zombies_collect_reaped(__u64 cg_id, __u32 level)
{
	struct pg_zset *s = bpf_map_lookup_elem(&zombie_sets, &cg_id);

	return s ? zset_collect(s, cg_id, level) : 0;
}

/* The set of cgroup cg_id, made if it has none (NULL if it cannot be). */
static __always_inline struct pg_zset *zset_get(__u64 cg_id)
{
	struct pg_zset *s = bpf_map_lookup_elem(&zombie_sets, &cg_id);

	if (s)
		return s;
	bpf_map_update_elem(&zombie_sets, &cg_id, &pg_zset_empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(&zombie_sets, &cg_id);
}

static long zset_add_cb(__u32 lvl, struct zset_levels_ctx *c)
{
	struct pg_zset *s;
	__u64 cg_id;
	__u32 i;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	cg_id = c->slots[lvl];
	if (!cg_id)
		return 0;
	s = zset_get(cg_id);
	if (!s) {
		c->missed++;
		return 0;
	}
	i = zset_take(s, c->gpid);
	/* Full: its reaped zombies make room, if it has any. */
	if (i == PG_ZSET_NONE && zset_collect(s, cg_id, lvl))
		i = zset_take(s, c->gpid);
	if (i == PG_ZSET_NONE)
		c->missed++;
	c->set_idx[lvl] = i;
	return 0;
}

/* Give zombie z (entry gpid) a place in the set of each of its cgroups;
 * false if some set had none (its charge there waits for the free hook). */
static __always_inline bool zombie_sets_add(__u32 gpid, struct pg_zombie *z)
{
	struct zset_levels_ctx c = { .slots = z->slots, .set_idx = z->set_idx, .gpid = gpid };

	bpf_loop(levels_top(z->levels), zset_add_cb, &c, 0);
	return !c.missed;
}

/*
 * Index zombie z under its global pid; 0 or the map's error. An entry
 * there already is a stale one (its pid was reaped and reused before its
 * release came): it is released, as late, and replaced, unless another
 * hook is releasing it this very moment.
 */
static __always_inline int zombie_insert(__u32 gpid, const struct pg_zombie *z)
{
	struct pg_zombie *old;
	int err = zpid_insert(gpid, z);

	if (err != -17 /* -EEXIST */)
		return err;
	old = bpf_map_lookup_elem(&zombies, &gpid);
	if (old && (!zombie_task_gone(gpid, old) || !zombie_release(gpid, old, true)))
		return err;
	return zpid_insert(gpid, z);
}

#endif /* PG_ZOMBIES_BPF_H */
