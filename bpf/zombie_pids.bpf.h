/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zombie_pids.bpf.h - the zombie index, keyed by pid, and the filter that
 * spares most reaps their lookup.
 *
 * A zombie entry (zombies, maps.bpf.h) is found at its reap by the pid the
 * reaper's wait4()/waitid() returns. A reaper in the host's pid namespace
 * sees the global pid, the entry's key. A reaper in a container's
 * namespace sees another number: zombie_pids maps (namespace, pid in it)
 * to the global pid, one key per namespace below the host's.
 *
 * Pid numbers are reused, so a key may outlive its task only while a
 * release is due or lost; whoever inserts, looks up or deletes a key
 * checks whose it is (the entry's `task`, a secondary key's value). Only
 * the hook that wins an entry's `owned` deletes it, so that no hook deletes
 * a newer entry at the same pid.
 *
 * Every wait4/waitid on the host runs the reap hook, and most reap tasks
 * that have no key: processes of cgroups with no limit. zpid_filter counts
 * the keys of both maps whose pid number hashes to each of its 1024
 * counters (4 KiB, which stays in cache); a zero spares the reap its reads
 * of the reaper's pid and its hash lookups (740-800 ns per reap under
 * bpf_stats, 220-310 ns with the filter). A counter is raised before a key
 * is inserted (lowered again unless the insert made a new key) and lowered
 * after a key is deleted, so it is never zero while a key it covers
 * exists. A key planted or left over by other means only ever leaves a
 * counter too high, which costs a lookup.
 */
#ifndef PG_ZOMBIE_PIDS_BPF_H
#define PG_ZOMBIE_PIDS_BPF_H

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
 * Insert key, of pid number nr, into map (zombies or zombie_pids) under
 * the filter's rule: its counter is raised first, and lowered again unless
 * the insert made a new key. 0 or the map's error, read as an int: 6.1
 * zero-extends the helper's error to 64 bits.
 */
static __always_inline int zpid_insert(void *map, const void *key, const void *value, __u32 nr)
{
	__u32 *cnt = zpid_filter_slot(nr);
	int err;

	__sync_fetch_and_add(cnt, 1);
	err = (int)bpf_map_update_elem(map, key, value, BPF_NOEXIST);
	if (err)
		__sync_fetch_and_add(cnt, -1);
	return err;
}

/* Delete key, of pid number nr, from map: the counter is lowered only for
 * a key that was there. */
static __always_inline void zpid_delete(void *map, const void *key, __u32 nr)
{
	if (!bpf_map_delete_elem(map, key))
		__sync_fetch_and_add(zpid_filter_slot(nr), -1);
}

/* ---- Secondary keys: a pid in a container's namespace ---- */

/*
 * Point key (ns, nr) at the zombie entry of global pid gpid. A key left by
 * a zombie whose pid number has been reused is taken over in place. With
 * the map full, a reaper in that namespace will not find the entry: its
 * charge waits for the free hook, counted in stats.zombies_full.
 */
static __always_inline void zpid_add(__u64 ns, __u32 nr, __u32 gpid)
{
	struct pg_pid_key pk = { .ns = ns, .nr = nr };
	__u32 *old;

	if (!zpid_insert(&zombie_pids, &pk, &gpid, nr))
		return;
	old = bpf_map_lookup_elem(&zombie_pids, &pk);
	if (old)
		__sync_lock_test_and_set(old, gpid);
	else
		STAT_INC(zombies_full);
}

/* Delete key (ns, nr) if it still points at global pid gpid. */
static __always_inline void zpid_forget(__u64 ns, __u32 nr, __u32 gpid)
{
	struct pg_pid_key pk = { .ns = ns, .nr = nr };
	__u32 *owner = bpf_map_lookup_elem(&zombie_pids, &pk);

	if (owner && *owner == gpid)
		zpid_delete(&zombie_pids, &pk, nr);
}

/* ---- Entries: by global pid ---- */

/*
 * The entry's task is gone: reaped, or its struct reused by another task.
 * Read with probes: a freed task struct is never a fault.
 */
static __always_inline bool zombie_task_gone(__u32 gpid, const struct pg_zombie *z)
{
	struct task_struct *task = (struct task_struct *)z->task;

	return (__u32)BPF_CORE_READ(task, pid) != gpid ||
	       BPF_CORE_READ(task, exit_state) == PG_EXIT_DEAD;
}

/* Forget a zombie its caller owns: its pid keys (those still pointing at
 * it) and its entry. */
static __always_inline void zombie_forget(__u32 gpid, struct pg_zombie *z)
{
	for (__u32 i = 0; i < PG_PIDNS_INDEXED; i++) {
		if (i >= z->nr_keys)
			break;
		zpid_forget(z->key_ns[i], z->key_nr[i], gpid);
	}
	zpid_delete(&zombies, &gpid, gpid);
}

/* Take the charge of entry z (key gpid) and forget it. False when another
 * hook took it first: that one forgets it. */
static __always_inline bool zombie_release(__u32 gpid, struct pg_zombie *z, bool late)
{
	if (__sync_lock_test_and_set(&z->owned, 1))
		return false;
	if (slots_release(z->slots, z->levels, z->killed) && late)
		STAT_INC(late_release);
	zombie_forget(gpid, z);
	return true;
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
	int err = zpid_insert(&zombies, &gpid, z, gpid);

	if (err != -17 /* -EEXIST */)
		return err;
	old = bpf_map_lookup_elem(&zombies, &gpid);
	if (old && (!zombie_task_gone(gpid, old) || !zombie_release(gpid, old, true)))
		return err;
	return zpid_insert(&zombies, &gpid, z, gpid);
}

#endif /* PG_ZOMBIE_PIDS_BPF_H */
