/* SPDX-License-Identifier: GPL-2.0 */
/*
 * task_record.bpf.h - finding and making a task's charge record.
 *
 * A record (struct pg_task) is in the task's slot of task_slots when its
 * fork hook could claim it (task_slot.bpf.h), else an entry of
 * task_records, keyed by the task's address, or, when that table is full,
 * the task's storage. Lookups try them in that order. Task storage
 * costs two allocations to make and an RCU-deferred free per task; a
 * preallocated entry costs a bucket lock and a free-list pop each way.
 *
 * What the table must get right, that task storage did by itself:
 *
 *  - Addresses are reused. An entry left behind by a freed task is marked
 *    released (the free hook's first act); the entry at a live task's
 *    address that is not released is that task's, unless it predates the
 *    task (record_predates: a task whose free hook never came). Such a
 *    record, or a released one, is stale, and the next task to make a
 *    record there takes it over, unless it is the task's own, retired by
 *    its exit or reap (record_own_retired): then nothing but the fork
 *    path may make the task another, which would count it again until
 *    its free. Only the fork path takes over any entry, whatever its
 *    state: a new task has none. `owner` (the start_time of the task
 *    that made it) tells the fork path's own entry from one a racing
 *    iterator made for the same child. Elsewhere it is an identity only
 *    for a released record (record_own_retired), and an order for a live
 *    one (record_predates): exec from a thread gives that thread its
 *    leader's start_time, earlier than its own, and a leader is retired
 *    only once reaped.
 *  - A deleted entry is reused at once (preallocated). Every hook but one
 *    runs while its task lives, so the free hook cannot delete under it.
 *    The exception is a task iterator (seeding, resync): it holds a
 *    reference, which does not hold back sched_process_free. So while a
 *    pass runs (iter_passes), the free hook leaves the entry, released, for
 *    a takeover or the collector (record_gc). A pass whose reader died
 *    mid-way never ends its count: after PG_ITER_QUIET_NS without an
 *    iterator call, it is taken for ended.
 *  - A takeover and a collection are decided by one compare-and-swap of
 *    owner to PG_OWNER_TAKING, so only one of them acts on a stale entry.
 *
 * Most tasks on a host have no record, and a lookup that misses in a table
 * of 32768 buckets costs a cache miss (~200 ns measured) on every exit and
 * free. rec_filter counts the entries whose address hashes to each of its
 * 2048 counters: a zero says "no entry" without touching the table. 8 KiB
 * stays in cache between forks (64 KiB did not: exits cost 110 ns more),
 * and with 1,000 records 61% of the counters are still zero. A counter is
 * raised before an insert (lowered again if it fails) and lowered after a
 * delete, so it is never zero while an entry it covers exists.
 *
 * Left open, both needing a task iterator on the very task being freed in
 * the same ~100 ns: a free hook that read iter_passes just before the
 * pass's first call, and an iterator's takeover racing the free hook. Each
 * would leave an unreleased entry for a freed task; the next fork at that
 * address takes it over and releases what it held (late_release), or else
 * record_gc collects it, as it does for a task whose free hook never came.
 */
#ifndef PG_TASK_RECORD_BPF_H
#define PG_TASK_RECORD_BPF_H

#include "charge.bpf.h"

#define PG_OWNER_TAKING		(~0ULL)
#define PG_ITER_QUIET_NS	(1000ULL * 1000 * 1000)

/* Task iterator passes running, and when one last looked at a task
 * (bpf_ktime_get_ns): kept by the iterator itself (reconcile). */
static __s64 iter_passes;
static __u64 last_iter_ns;

static const struct pg_task pg_task_empty;

/*
 * Set (never cleared) before the first record is made in task storage,
 * which only happens once task_records has been full. Until then no task
 * has storage, and the lookups are skipped: each is a helper call behind
 * a recursion guard, 30-80 ns measured, and task_free makes one for every
 * task on the host. A hook that reads 0 here cannot miss its own task's
 * storage: the record was made by an earlier hook of that task (fork,
 * migration), and the task was scheduled in between (a full barrier), or
 * by an iterator racing this very hook, a race the free hook settles
 * (task_free reads this one RCU grace period after the exit).
 */
static __u32 storage_used;

/* The task-storage record of t, or NULL. */
static __always_inline struct pg_task *storage_record(struct task_struct *t)
{
	if (!storage_used)
		return NULL;
	return bpf_task_storage_get(&tasks, t, 0, 0);
}

#define PG_REC_FILTER_BITS	11
#define PG_REC_FILTER		(1u << PG_REC_FILTER_BITS)
static __u32 rec_filter[PG_REC_FILTER];

/*
 * The index of the task at address key in a direct-mapped array of
 * 2^bits (a slot, a rec_filter counter): the low bits of its page number,
 * the lowest 3 of them XORed with the 3 just above the index.
 *
 * Not a hash, for locality: a task_struct is larger than a page (5,888
 * bytes here), so no two share a page number, and the tasks of one slab,
 * which a fork loop reuses, have neighbouring ones: their counters and
 * slots share cache lines and pages. Hashed, a new task's slot was a
 * random one of 1.3 MiB: about 30 ns more per thread's fork hook and 90
 * ns per process's (docs/BENCHMARKS.md).
 *
 * The mix: a task_struct slab is 8 pages, aligned, and its objects start
 * on only some of them (pages 0, 1, 2, 4 and 5 for 5,888 bytes): unmixed,
 * 3 indexes in 8 would go unused. Slabs whose page numbers differ only
 * above the index share a group of 8 indexes; the key, from those bits,
 * permutes each one's differently. (A key from inside the index, as
 * 0c2abe4 had it, permuted them all alike: 24 of 83 records in 64 slots
 * in the VM, against 22 unmixed and 47 hashed.) Within a slab the key is
 * one, so its tasks keep neighbouring indexes.
 *
 * The key is a task pointer, on which the verifier allows no arithmetic;
 * a 32-bit move makes a plain number of its low half (for a loader with
 * CAP_PERFMON, which pidguard's is: it runs as root).
 */
static __always_inline __u32 task_key_index(__u64 key, __u32 bits)
{
	__u32 lo, page, idx;

	asm volatile("%[lo] = %[key]" : [lo] "=w"(lo) : [key] "w"((__u32)key));
	page = lo >> 12;
	idx = page ^ ((page >> bits) & 7);
	/* Opaque to clang, so that the mask below stays last: moved into
	 * the XOR's operands, it left the result unbounded to the 6.1
	 * verifier ("math between map_value pointer and register with
	 * unbounded min value"). */
	asm volatile("" : "+w"(idx));
	return idx & ((1u << bits) - 1);
}

/* Which rec_filter counter covers the entry keyed key. */
static __always_inline __u32 *rec_filter_slot(__u64 key)
{
	return &rec_filter[task_key_index(key, PG_REC_FILTER_BITS)];
}

/* The table's entry for key, or NULL: the filter first. */
static __always_inline struct pg_task *records_lookup(__u64 key)
{
	if (!*rec_filter_slot(key))
		return NULL;
	return bpf_map_lookup_elem(&task_records, &key);
}

/* Delete the table's entry for key (its owner is gone); false if the
 * delete failed (EBUSY or a lock timeout: the entry stays). */
static __always_inline bool records_delete(__u64 key)
{
	if (bpf_map_delete_elem(&task_records, &key))
		return false;
	filter_put(rec_filter_slot(key));
	return true;
}

/* No iterator can be holding a record now. */
static __always_inline bool records_quiet(const struct pg_config *cfg)
{
	if (cfg && cfg->seeding)
		return false;
	return iter_passes <= 0 || bpf_ktime_get_ns() - last_iter_ns > PG_ITER_QUIET_NS;
}

/* An entry that is t's, if t lives: not released, not being taken over. */
static __always_inline bool record_live(const struct pg_task *r)
{
	return !r->released && r->owner != PG_OWNER_TAKING;
}

/*
 * Record r, released, at the address of live task t: t's own, retired by
 * its exit (a thread's exit hook, between that and its reap) or its reap,
 * when its owner is t's start time or t is reaped; else an earlier task's,
 * left by a free hook while an iterator ran. A maker other than the fork
 * hook must not make t another record then: it would charge t again, for
 * as long as t takes to be freed. (exec from a thread gives that thread
 * its leader's start time, but then it is the leader, which is retired
 * only once reaped.)
 */
static __always_inline bool record_own_retired(const struct pg_task *r, struct task_struct *t)
{
	return r->owner == t->start_time || (t->exit_state & PG_EXIT_DEAD);
}

/*
 * A record not released, whose owner reads owner, at the address of a
 * live task t that started at start_time, was made for a task that
 * started before t: one whose free hook never came, and whose address t
 * reused. t's own reads t's start time, or a later one (exec from a
 * thread gives t its leader's). The collectors take such a record for
 * gone (record_task_gone); a maker for t must take it over, never use it
 * as t's, or they would release t's charges with it.
 */
static __always_inline bool record_predates(__u64 owner, __u64 start_time)
{
	return owner < start_time;
}

/* The task is done with record r: mark it released, so that no iterator
 * charges it again, then release its charges; returns how many there
 * were. */
static __always_inline __u32 record_retire(struct pg_task *r)
{
	__sync_lock_test_and_set(&r->released, 1);
	return slots_release(r->slots, r->levels, r->killed);
}

/*
 * Retire record r, whose owner read old, for a hook that is not its task's:
 * owner goes TAKING first, so that a free hook coming meanwhile leaves r
 * alone (one that read r before, and released it meanwhile, wins the
 * charges). -1 when another hook took r first, or r was released
 * meanwhile; else the charges r still held. A count, not an out-parameter:
 * 6.1's stack limit for a migration's call chain has no 4 bytes to spare.
 * owner goes back to old only if still TAKING: a free hook that read r
 * before may have deleted it, and a new record may be using the element.
 */
static __always_inline int record_retire_taken(struct pg_task *r, __u64 old)
{
	int held = -1;

	if (__sync_val_compare_and_swap(&r->owner, old, PG_OWNER_TAKING) != old)
		return -1;
	if (!r->released)
		held = record_retire(r);
	__sync_val_compare_and_swap(&r->owner, PG_OWNER_TAKING, old);
	return held;
}

/*
 * Take over a stale entry (its owner is gone) for a new owner. Charges left
 * in it (a seeding pass that charged a task after its free hook) are
 * released, and counted as late. False when another hook took it first.
 */
static __always_inline bool record_take_over(struct pg_task *r, __u64 old, __u64 owner)
{
	if (old == PG_OWNER_TAKING ||
	    __sync_val_compare_and_swap(&r->owner, old, PG_OWNER_TAKING) != old)
		return false;
	if (slots_release(r->slots, r->levels, r->killed))
		STAT_INC(late_release);
	r->killed = 0;
	r->levels = 0;
	r->zombie = 0;
	r->dead_pass = 0;
	r->released = 0;
	__sync_lock_test_and_set(&r->owner, owner);
	return true;
}

#include "task_slot.bpf.h"

/* Where task t's record was found. */
struct record_place {
	struct slot_ref slot;		/* t's slot, if the record is there */
	struct pg_task *entry;		/* the table's entry at t's address (t's
					 * own, if it is the record), or NULL */
};

/* The record of task t, or NULL when it has none; *at says where. Its
 * slot first: a task forked while the fork hook ran has its record
 * there, unless the slot was taken. */
static __always_inline struct pg_task *task_record_at(struct task_struct *t,
						      struct record_place *at)
{
	struct pg_task *r = slot_record((__u64)t, &at->slot);

	at->entry = NULL;
	if (r)
		return r;
	r = records_lookup((__u64)t);
	at->entry = r;
	if (r && record_live(r))
		return r;
	return storage_record(t);
}

/* The record of task t, or NULL when it has none. */
static __always_inline struct pg_task *task_record(struct task_struct *t)
{
	struct record_place at;

	return task_record_at(t, &at);
}

/*
 * The record of task t, made if it has none: an entry of task_records when
 * one can be had, else task storage (stats.records_full). NULL when neither
 * can be had; the caller counts that (stats.storage_failed). is_new: t is
 * being forked (sched_process_fork), so an entry at its address that no
 * hook made for t itself is stale, released or not. Otherwise a released
 * record is returned as it is when it is t's own (record_own_retired: an
 * iterator that raced t's exit, reap or free hook; the free hook itself):
 * the caller sees `released`.
 */
static __always_inline struct pg_task *task_record_make(struct task_struct *t, bool is_new)
{
	__u64 key = (__u64)t, owner = t->start_time, old;
	struct slot_ref sl;
	struct pg_task *r;
	int err;

	/* Made in task storage while the table was full: it stays. */
	r = storage_record(t);
	if (r)
		return r;
	task_slot(key, &sl);
	if (is_new) {
		r = slot_claim(&sl, key, owner);
		if (r)
			return r;
	} else if (sl.sl && slot_find(sl.sl, t, &r)) {
		return r;
	}
	/* Insert first: a new task (the fork path) has no entry, and an
	 * insert that finds one (EEXIST) costs what a lookup would. The
	 * result is read as an int: 6.1 hands back the kernel's int error
	 * zero-extended to 64 bits (-E2BIG came back as 4294967289). */
	__sync_fetch_and_add(rec_filter_slot(key), 1);
	err = (int)bpf_map_update_elem(&task_records, &key, &pg_task_empty, BPF_NOEXIST);
	if (err)
		__sync_fetch_and_add(rec_filter_slot(key), -1);
	/* After the insert: a fork hook claiming t's slot now sees the
	 * counter raised, or this sees its claim (task_slot.bpf.h). */
	if (!is_new && sl.sl && slot_find(sl.sl, t, &r))
		return r;
	r = bpf_map_lookup_elem(&task_records, &key);
	if (r) {
		old = r->owner;
		if (old == PG_OWNER_TAKING)
			goto storage;
		/* A fresh entry (owner 0): ours, made by us or by a racing
		 * hook for this same task. */
		if (!old && (__sync_val_compare_and_swap(&r->owner, 0, owner) == 0 ||
			     r->owner == owner))
			return r;
		if (is_new ? old == owner : !r->released && !record_predates(old, owner))
			return r;
		if (!is_new && record_own_retired(r, t))
			return r;
		if (record_take_over(r, old, owner))
			return r;
		/* Being taken over or collected: this task's record goes to
		 * storage; the free hook looks in both. */
	}
storage:
	/* Any failure but EEXIST: the table could not take it (E2BIG when
	 * full; EBUSY when this CPU holds its bucket lock already). */
	if (err && err != -17 /* -EEXIST */)
		STAT_INC(records_full);
	if (!storage_used)
		__sync_lock_test_and_set(&storage_used, 1);
	return bpf_task_storage_get(&tasks, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

#endif /* PG_TASK_RECORD_BPF_H */
