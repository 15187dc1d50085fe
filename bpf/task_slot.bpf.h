/* SPDX-License-Identifier: GPL-2.0 */
/*
 * task_slot.bpf.h - a new task's record in a direct-mapped slot.
 *
 * A task_records entry costs a bucket lock and a free-list operation to
 * make, and the same again to delete: ~250 ns of a thread's ~950 ns
 * (docs/BENCHMARKS.md). A slot of task_slots, the one its address maps
 * to, costs a compare-and-swap to claim and two stores to give back. Only
 * the fork hook claims slots, for the task it forks; every other maker of
 * a record (migration, task iterators, the free hook) goes to task_records
 * as before, and so does a fork whose slot is taken.
 *
 * One record per task. A fork keeps the slot it claimed only if, read after
 * the claim, the rec_filter counter of its task's address is 0: no
 * task_records entry can exist for the task, since every maker raises
 * that counter before its insert. Every other maker reads the slot after
 * its insert. Both sides are atomic operations, fully ordered, so of a fork
 * and another maker of the same task, at least one sees the other:
 *
 *  - the fork sees the counter raised: it gives the slot back and takes
 *    task_records, where the two share the task's entry;
 *  - the maker sees the slot claimed for its task: it waits for the fork
 *    hook to finish making the record (owner is 0 meanwhile), then uses
 *    the slot. The entry it made stays unused; the free hook retires it.
 *    (A maker looks at the slot before its insert too: a task whose
 *    record is in its slot already gets no unused entry.)
 *    A fork hook still making it after PG_SLOT_WAIT looks (its CPU was
 *    preempted) counts the task itself, so the maker makes no record, and
 *    that is counted in storage_failed: an iterator loses nothing by it,
 *    a migration in that very instant is not moved.
 *
 * No test provokes that race (the window is the few stores of one fork
 * hook); test_task_slots proves the rest: with the maker's look at the
 * slot removed, a seeding pass counts a forked task twice.
 *
 * A slot's word is the address of the task whose record rec is, or 0.
 * Giving a slot back sets owner 0 before the word: a slot claimed afresh
 * reads "being made" until its fork hook has made the record.
 *
 * A slot is given back where a task_records entry would be deleted: at a
 * thread's exit or the free hook, when no iterator can hold the record;
 * else slot_gc does it a pass after the record was released, and collects
 * the record of a task whose free hook never came, as record_gc does for
 * task_records. A fork that finds its own address in its slot finds a
 * record left so: it retires it if it still held charges (late), and
 * takes task_records.
 */
#ifndef PG_TASK_SLOT_BPF_H
#define PG_TASK_SLOT_BPF_H

/* log2 of the slots in task_slots, set by the loader before load; 0: no
 * slots (PIDGUARD_TASK_SLOTS=0), every record is in task_records. */
const volatile __u32 task_slot_shift = PG_TASK_SLOTS_SHIFT;

/*
 * Bit i: slot i holds a record that a lookup may want. Every exit and free
 * on the host looks for a record: reading a slot costs a cache miss (~130
 * ns measured) in 1.5 MiB of slots, reading this (1 KiB for 8192 slots)
 * does not. Set once a record is made, cleared before its slot is given
 * back, so never clear while a task's own hooks may need its slot (they
 * run after its fork hook) and never cleared over a newer claim's bit.
 */
#define PG_SLOT_BITS	((1u << PG_TASK_SLOTS_SHIFT_MAX) / 64)
static __u64 slot_bits[PG_SLOT_BITS];

/* How long a maker waits for a fork hook making the record it needs:
 * a few stores on another CPU, unless that CPU was preempted. */
#define PG_SLOT_WAIT	4096

/* A slot and its index. */
struct slot_ref {
	struct pg_slot *sl;		/* NULL: none */
	__u32 idx;
};

/* The index of the slot of the task at address key (0 when there are no
 * slots). */
static __always_inline __u32 slot_index(__u64 key)
{
	return task_key_index(key, task_slot_shift & 31);
}

/* The slot of the task at address key (ref->sl NULL when there are no
 * slots). */
static __always_inline void task_slot(__u64 key, struct slot_ref *ref)
{
	ref->sl = NULL;
	ref->idx = slot_index(key);
	if (task_slot_shift)
		ref->sl = bpf_map_lookup_elem(&task_slots, &ref->idx);
}

static __always_inline __u64 *slot_bits_word(__u32 idx)
{
	return &slot_bits[(idx >> 6) & (PG_SLOT_BITS - 1)];
}

/* The live record of the task at key in its slot, or NULL; *ref gets the
 * slot when it is there. For the task's own hooks, which run after its
 * fork hook: they never see a record being made. */
static __always_inline struct pg_task *slot_record(__u64 key, struct slot_ref *ref)
{
	struct pg_slot *sl;
	__u32 idx;

	ref->sl = NULL;
	ref->idx = 0;
	if (!task_slot_shift)
		return NULL;
	idx = slot_index(key);
	if (!(*slot_bits_word(idx) & (1ULL << (idx & 63))))
		return NULL;
	sl = bpf_map_lookup_elem(&task_slots, &idx);
	if (!sl || sl->word != key || !sl->rec.owner || !record_live(&sl->rec))
		return NULL;
	ref->sl = sl;
	ref->idx = idx;
	return &sl->rec;
}

/* Give the slot back: owner first, so that a claim never finds a record
 * that reads made, and the bit before the word, so that it never clears a
 * newer claim's. */
static __always_inline void slot_give_back(const struct slot_ref *ref)
{
	if (!ref->sl)
		return;
	__sync_lock_test_and_set(&ref->sl->rec.owner, 0);
	__sync_fetch_and_and(slot_bits_word(ref->idx), ~(1ULL << (ref->idx & 63)));
	__sync_lock_test_and_set(&ref->sl->word, 0);
}

/*
 * The fork hook of the task at key (start_time owner): its record in its
 * slot, or NULL when the slot is taken or a task_records entry may exist
 * for the task (then the caller takes task_records). A record left in the
 * slot by an earlier task at this address is retired first, if it still
 * held charges: its free hook never came.
 *
 * The slot is usually cold here (its last use was an earlier task's exit),
 * so the claim touches its first cache line only, and takes it at once
 * for writing: one compare-and-swap, no plain read before it, which would
 * fetch the line shared and then again to own it. A slot given back holds
 * no charge, and only slots[L] with bit L in levels was ever charged
 * (levels_mark): the other lines need no clearing, unless its last task
 * was charged deeper than slots[0..2].
 */
static __always_inline struct pg_task *slot_claim(const struct slot_ref *ref, __u64 key,
						  __u64 owner)
{
	struct pg_slot *sl = ref->sl;
	__u64 word, old;

	if (!sl)
		return NULL;
	word = __sync_val_compare_and_swap(&sl->word, 0, key);
	if (word == key) {
		old = sl->rec.owner;
		if (old && record_live(&sl->rec) && record_retire_taken(&sl->rec, old) > 0)
			STAT_INC(late_release);
		return NULL;
	}
	if (word)
		return NULL;
	/* Read after the claim, a full barrier. */
	if (*(volatile __u32 *)rec_filter_slot(key)) {
		__sync_lock_test_and_set(&sl->word, 0);
		return NULL;
	}
	/* owner is 0 already (given back before the word), so clearing it
	 * with the rest is harmless; a field added to the header later is
	 * cleared too. */
	if (sl->rec.levels & ~7u)
		__builtin_memset(&sl->rec, 0, sizeof(sl->rec));
	else
		__builtin_memset(&sl->rec, 0, PG_SLOT_LINE_BYTES);
	__sync_lock_test_and_set(&sl->rec.owner, owner);
	__sync_fetch_and_or(slot_bits_word(ref->idx), 1ULL << (ref->idx & 63));
	return &sl->rec;
}

struct slot_wait_ctx {
	struct pg_slot *sl;
	__u64 key;
	__u32 made;			/* the slot holds key's record, made */
	__u32 done;			/* it holds it, or something else */
};

static long slot_wait_cb(__u32 i, struct slot_wait_ctx *c)
{
	if (*(volatile __u64 *)&c->sl->word != c->key) {
		c->done = 1;
		return 1;
	}
	if (*(volatile __u64 *)&c->sl->rec.owner) {
		c->made = c->done = 1;
		return 1;
	}
	return 0;
}

/*
 * slot_find()'s test of a live record in the slot of a task that started
 * at start_time: true if it predates the task (record_predates), or was
 * given back meanwhile; not the task's either way. One that predates is
 * retired here, its charges counted late, so that the task's own hooks
 * pass it by and slot_gc gives the slot back. A call of its own: its
 * locals, and its per-level loop's context, stay off the stack of a
 * migration's whole call chain (6.1 counts 512 bytes at most over it),
 * and the path is rare.
 */
static __noinline bool slot_record_stale(struct pg_task *rec, __u64 start_time)
{
	__u64 old = *(volatile __u64 *)&rec->owner;

	/* Given back since: t's own is given back only when no maker can
	 * be looking (task_record.bpf.h). */
	if (!old)
		return true;
	if (!record_predates(old, start_time))
		return false;
	if (record_retire_taken(rec, old) > 0)
		STAT_INC(late_release);
	return true;
}

/*
 * A maker other than the fork hook, looking at the slot of task t: 1 with
 * *r t's record there, live or retired by t's own exit (record_own_retired:
 * the caller sees `released`), -1 (*r NULL) when its fork hook is still
 * making it after PG_SLOT_WAIT looks (the caller makes no record: that
 * fork hook counts the task), 0 when the slot has none of it: a released
 * one of an earlier task at this address, or a live one whose free hook
 * never came (slot_record_stale).
 */
static __always_inline int slot_find(struct pg_slot *sl, struct task_struct *t,
				     struct pg_task **r)
{
	struct slot_wait_ctx c = { .sl = sl, .key = (__u64)t };

	*r = NULL;
	bpf_loop(PG_SLOT_WAIT, slot_wait_cb, &c, 0);
	if (!c.done || !c.made)
		return c.done ? 0 : -1;
	if (record_live(&sl->rec) ? slot_record_stale(&sl->rec, t->start_time)
				  : !record_own_retired(&sl->rec, t))
		return 0;
	*r = &sl->rec;
	return 1;
}

#endif /* PG_TASK_SLOT_BPF_H */
