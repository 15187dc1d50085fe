/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zombie_pids.bpf.h - the zombie index's keys by pid, and the filter that
 * spares most reaps their lookup.
 *
 * A zombie entry (zombies, keyed by task address) is found at its reap by
 * the pid the reaper's wait4()/waitid() returns: zombie_pids maps (pid
 * namespace, pid number in it) to the entry, one key per namespace the
 * zombie is visible in.
 *
 * Every wait4/waitid on the host runs the reap hook, and most reap tasks
 * that have no key: processes of cgroups with no limit. zpid_filter counts
 * the keys whose pid number hashes to each of its 1024 counters (4 KiB,
 * which stays in cache); a zero spares the reap its reads of the reaper's
 * pid and its hash lookup (740-800 ns per reap under bpf_stats, 220-310 ns
 * with the filter). A counter is raised before a key is inserted (lowered
 * again unless the insert made a new key) and lowered after a key is
 * deleted, so it is never zero while a key it covers exists. A key planted
 * or left over by other means only ever leaves a counter too high, which
 * costs a lookup.
 */
#ifndef PG_ZOMBIE_PIDS_BPF_H
#define PG_ZOMBIE_PIDS_BPF_H

#include "maps.bpf.h"

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

/* Point key (ns, nr) at the zombie entry keyed key. A key left by a zombie
 * whose pid number has been reused is taken over in place. */
static __always_inline void zpid_add(__u64 ns, __u32 nr, __u64 key)
{
	struct pg_pid_key pk = { .ns = ns, .nr = nr };
	__u32 *cnt = zpid_filter_slot(nr);
	__u64 *old;

	__sync_fetch_and_add(cnt, 1);
	if (!bpf_map_update_elem(&zombie_pids, &pk, &key, BPF_NOEXIST))
		return;
	__sync_fetch_and_add(cnt, -1);
	old = bpf_map_lookup_elem(&zombie_pids, &pk);
	if (old)
		__sync_lock_test_and_set(old, key);
}

/* Delete key (ns, nr) if it still points at the zombie entry keyed key. */
static __always_inline void zpid_forget(__u64 ns, __u32 nr, __u64 key)
{
	struct pg_pid_key pk = { .ns = ns, .nr = nr };
	__u64 *owner = bpf_map_lookup_elem(&zombie_pids, &pk);

	if (owner && *owner == key && !bpf_map_delete_elem(&zombie_pids, &pk))
		__sync_fetch_and_add(zpid_filter_slot(nr), -1);
}

#endif /* PG_ZOMBIE_PIDS_BPF_H */
