/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zombies.bpf.h - the charges of exited process leaders, until their reap.
 *
 * Used where release_task cannot be hooked (no trampolines: the build
 * machines). A zombie counts until its parent reaps it, as in pids.max, but
 * no hook there sees the reap: release_task has no tracepoint, and the exits
 * of wait4/waitid, which do see it, are syscall tracepoints, which put every
 * syscall of every task on the host on the slow path (getppid 1.58x,
 * measured). So the reap is found, not seen: a reaped task has exit_state
 * EXIT_DEAD from just before release_task until it is freed. Three places
 * look:
 *
 *   sched_process_free   every task, one RCU grace period after its reap;
 *   a limit decision     a fork or migration that would take a cgroup past
 *                        its limit first releases that cgroup's reaped
 *                        zombies (zombie_ring lists them), so that a parent
 *                        that reaps its child and forks again is never
 *                        refused, killed or flagged for the dead child;
 *   the collection pass  the loader's, every second (zombie_gc).
 *
 * Counts are therefore exact at every decision, and exact at rest one grace
 * period after the reap. The window in which EXIT_DEAD is set but
 * release_task has not yet uncharged pids.max is a few instructions of the
 * reaper; a decision inside it counts the task one instant early.
 */
#ifndef PG_ZOMBIES_BPF_H
#define PG_ZOMBIES_BPF_H

#include "charge.bpf.h"

/* ---- Rings: which zombies a cgroup may find reaped ---- */

/*
 * Write key into id's ring at its cursor, over whatever the slot held: the
 * 32 newest zombies of a cgroup are the ones a decision may find reaped (a
 * parent reaps what it just saw die; an older zombie nobody reaped is left
 * to its free hook). One atomic add and one store: a leader's exit on a
 * fork loop pays no search for a free slot.
 */
static __always_inline void ring_add(__u64 id, __u64 key)
{
	struct pg_zombie_ring *ring = bpf_map_lookup_elem(&zombie_ring, &id);
	__u32 i;

	if (!ring) {
		struct pg_zombie_ring empty = {};

		/* EEXIST: another CPU made it first, as good. */
		bpf_map_update_elem(&zombie_ring, &id, &empty, BPF_NOEXIST);
		ring = bpf_map_lookup_elem(&zombie_ring, &id);
		if (!ring)
			return;
	}
	i = __sync_fetch_and_add(&ring->next, 1) & (PG_ZOMBIE_RING - 1);
	ring->task[i] = key;
}

struct ring_add_ctx {
	__u64 *slots;			/* the zombie entry's slots */
	__u64 key;
};

static long ring_add_cb(__u32 lvl, struct ring_add_ctx *c)
{
	__u64 id;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	id = c->slots[lvl];
	if (id)
		ring_add(id, c->key);
	return 0;
}

/* ---- Entries ---- */

/* Hand a leader's charges over to its zombie entry, slot by slot. */
struct handover_ctx {
	__u64 *from;			/* task storage slots */
	__u64 *to;			/* zombie entry slots */
};

static long handover_cb(__u32 lvl, struct handover_ctx *c)
{
	__u64 id;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	id = c->to[lvl];
	/* Lost a race with a seeding pass: the task keeps that one. */
	if (id && __sync_val_compare_and_swap(&c->from[lvl], id, 0) != id)
		c->to[lvl] = 0;
	return 0;
}

/*
 * An exited leader: move its charges (ts) into a zombie entry and list it in
 * the ring of every cgroup it counts in. When the index is full the charge
 * stays on the task, for sched_process_free.
 */
static __always_inline void zombie_add(struct task_struct *task, struct pg_task *ts)
{
	struct pg_zombie z = {};
	__u64 key = (__u64)task;
	struct handover_ctx hc;
	struct ring_add_ctx rc;
	struct pg_zombie *zv;
	__u64 any = 0;

	__builtin_memcpy(z.slots, ts->slots, sizeof(z.slots));
	for (int lvl = 0; lvl < PG_MAX_LEVELS; lvl++)
		any |= z.slots[lvl];
	if (!any)
		return;
	z.killed = ts->killed;
	z.pid = task->pid;
	if (bpf_map_update_elem(&zombies, &key, &z, BPF_NOEXIST)) {
		STAT_INC(zombies_full);
		return;
	}
	zv = bpf_map_lookup_elem(&zombies, &key);
	if (!zv)
		return;
	hc.from = ts->slots;
	hc.to = zv->slots;
	bpf_loop(PG_MAX_LEVELS, handover_cb, &hc, 0);
	rc.slots = zv->slots;
	rc.key = key;
	bpf_loop(PG_MAX_LEVELS, ring_add_cb, &rc, 0);
}

/* Release a zombie entry's charges, once (owned), and forget it. Ring slots
 * that still name it go stale and are taken over later. */
static __always_inline __u32 zombie_release(__u64 key, struct pg_zombie *z)
{
	__u32 n = 0;

	if (!__sync_lock_test_and_set(&z->owned, 1))
		n = slots_release(z->slots, z->killed);
	bpf_map_delete_elem(&zombies, &key);
	return n;
}

/*
 * Has the zombie behind key been reaped? Its task struct is valid until
 * sched_process_free, whose hook deletes the entry first; it is read with
 * probes all the same, so that a task freed without that hook (the loss
 * zombie_gc is there for) is never a fault, and the pid tells a reused
 * address.
 */
static __always_inline bool zombie_reaped(__u64 key, const struct pg_zombie *z)
{
	struct task_struct *task = (struct task_struct *)key;

	return (__u32)BPF_CORE_READ(task, pid) == z->pid &&
	       BPF_CORE_READ(task, exit_state) == PG_EXIT_DEAD;
}

/* ---- A limit decision: settle the reaped first ---- */

struct settle_ctx {
	struct pg_zombie_ring *ring;
	__u32 released;
	__u32 pad;
};

static long settle_cb(__u32 i, struct settle_ctx *c)
{
	struct pg_zombie *z;
	__u64 key;

	if (i >= PG_ZOMBIE_RING)
		return 1;
	key = c->ring->task[i];
	if (!key)
		return 0;
	z = bpf_map_lookup_elem(&zombies, &key);
	if (z && !z->owned) {
		if (!zombie_reaped(key, z))
			return 0;
		c->released += zombie_release(key, z);
	}
	__sync_val_compare_and_swap(&c->ring->task[i], key, 0);
	return 0;
}

/*
 * Release the reaped zombies listed for cg_id. Returns how many charges were
 * released (0 costs one lookup where the cgroup never had a zombie).
 */
static __always_inline __u32 zombies_settle(__u64 cg_id)
{
	struct settle_ctx c = {};

	c.ring = bpf_map_lookup_elem(&zombie_ring, &cg_id);
	if (!c.ring)
		return 0;
	bpf_loop(PG_ZOMBIE_RING, settle_cb, &c, 0);
	return c.released;
}

/*
 * A charge took over->cg_id past its limit: settle that cgroup's reaped
 * zombies, then look again (a warning's settling may have made the room
 * already). Returns true when it is still past the limit (over->count
 * updated), false when the dead made the room. Racing forks may both still
 * see the cgroup full after one zombie's release: both are acted on, never
 * both spared.
 */
static __always_inline bool over_settled(struct pg_over *over)
{
	struct pg_usage *u;
	__s64 count;

	zombies_settle(over->cg_id);
	u = bpf_map_lookup_elem(&usage, &over->cg_id);
	if (!u)
		return false;
	count = u->current;
	if (count <= (__s64)over->limit)
		return false;
	over->count = count;
	return true;
}

#endif /* PG_ZOMBIES_BPF_H */
