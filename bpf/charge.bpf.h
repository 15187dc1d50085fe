/* SPDX-License-Identifier: GPL-2.0 */
/*
 * charge.bpf.h - counting tasks against limited cgroups.
 *
 * Invariant: usage[C].current == number of tasks whose charge record holds
 * C, where a charge record is a task's record (struct pg_task), a zombie
 * entry, or a deny-mode reservation. Every transfer of a charge between
 * records, and every release, is a single atomic operation on the slot
 * (compare-and-swap or exchange), so whichever hook gets there first does
 * the counting and any other finds the slot already changed: no double
 * count, no negative.
 *
 * Every per-level loop runs through bpf_loop(): the verifier checks a
 * callback once instead of every path through 16 unrolled iterations (which
 * exceeded its 1M-instruction budget), and inlines it on 6.0+. Loops stop at
 * settings.nr_levels, the deepest level any limit lives at (3 for Docker).
 * Callback contexts hold scalars and pointers set by the caller only: a
 * pointer written by a callback is not something to trust after it.
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

/* Levels to look at: 0 .. nr_levels-1, never past the slot array. */
static __always_inline __u32 config_levels(const struct pg_config *cfg)
{
	__u32 n = cfg->nr_levels;

	return n > PG_MAX_LEVELS ? PG_MAX_LEVELS : n;
}

/*
 * The task's cgroup in the v2 hierarchy, where container limits live. Every
 * caller holds a BTF pointer to the task (a tracepoint argument, the
 * current task, an iterator's task): plain loads, which the JIT inlines,
 * instead of a bpf_probe_read_kernel() call per pointer.
 */
static __always_inline struct cgroup *task_cgroup(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp;
}

/* ---- Which limited cgroups a task counts toward ---- */

struct want_ctx {
	__u64 cgrp;			/* struct cgroup *, read with probes */
	__u32 mask;
	__u32 found;
	__u32 levels;			/* levels looked at: want[0 .. levels-1] */
	__u32 pad;
	__u64 want[PG_MAX_LEVELS];
};

/* Note level lvl's cgroup, id, in c->want if it is limited. */
static __always_inline void want_level(struct want_ctx *c, __u32 lvl, __u64 id)
{
	if (bpf_map_lookup_elem(&limits, &id)) {
		c->want[lvl & (PG_MAX_LEVELS - 1)] = id;
		c->found++;
	}
}

static long want_cb(__u32 lvl, struct want_ctx *c)
{
	struct cgroup *cgrp = (struct cgroup *)c->cgrp;
	struct cgroup *anc = NULL;
	__u64 id;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	if (!(c->mask & (1u << lvl)))
		return 0;
	if (bpf_core_read(&anc, sizeof(anc), &cgrp->ancestors[lvl]) || !anc)
		return 0;
	id = BPF_CORE_READ(anc, kn, id);
	want_level(c, lvl, id);
	return 0;
}

/*
 * Fill c->want[L] with the id of the limited cgroup at level L among cgrp and
 * its ancestors (0 where none) and return how many there are. Only the
 * levels in level_mask are looked up: with limits on Docker containers only
 * (level 2), a fork anywhere on the host costs one hash lookup.
 *
 * cgrp's own level is looked up here, with plain loads: a task usually
 * lives in the cgroup that is limited (a container's), and that spares it
 * the three probe reads an ancestor costs (ancestors[] is an array of
 * pointers past the struct's end, which BTF loads may not index).
 */
static __always_inline __u32 wanted_slots(const struct pg_config *cfg, struct cgroup *cgrp,
					  struct want_ctx *c)
{
	__u32 own = (__u32)cgrp->level, n = own + 1;

	__builtin_memset(c, 0, sizeof(*c));
	c->cgrp = (__u64)cgrp;
	c->mask = cfg->level_mask;
	if (n > config_levels(cfg))
		n = config_levels(cfg);
	c->levels = n;
	if (own < n && (c->mask & (1u << own))) {
		c->mask &= ~(1u << own);
		want_level(c, own, cgrp->kn->id);
	}
	/* Ancestors only where some limit may be. */
	if (c->mask & ((1u << n) - 1))
		bpf_loop(n, want_cb, c, 0);
	return c->found;
}

/* ---- Counters ---- */

/*
 * Lower a filter counter (rec_filter, zpid_filter) after its key was
 * deleted, never below 0. A key planted from outside (bpftool map update)
 * never raised it: lowered for it, a counter of 0 would wrap, and read 0
 * again at the next insert while that key exists, which hides the key.
 * Under contention it may stay one too high after three tries: that only
 * costs a lookup.
 */
static __always_inline void filter_put(__u32 *cnt)
{
	__u32 v;

	for (int i = 0; i < 3; i++) {
		v = *(volatile __u32 *)cnt;
		if (!v || __sync_val_compare_and_swap(cnt, v, v - 1) == v)
			return;
	}
}

/* Raise peak to at least count; a few tries are plenty under contention. */
static __always_inline void peak_update(struct pg_usage *u, __s64 count)
{
	__u64 old = u->peak;

	if ((__u64)count <= old)
		return;
	if (__sync_val_compare_and_swap(&u->peak, old, (__u64)count) == old)
		return;
	old = u->peak;
	if ((__u64)count > old)
		__sync_val_compare_and_swap(&u->peak, old, (__u64)count);
}

/* A charge that went past its cgroup's limit, for the enforcement step. */
struct pg_over {
	__u64 cg_id;			/* 0: no limit exceeded */
	__s64 count;
	__u32 limit;
	__u32 level;
};

/* Result bits of usage_charge(). */
#define PG_CHARGED	1
#define PG_WARN		2

/* Flags of usage_charge(). */
#define PG_CHG_KILLED	(1u << 0)	/* the task is dying by our hand */
#define PG_CHG_FORK	(1u << 1)	/* a new task: count it in forks */
#define PG_CHG_ENFORCE	(1u << 2)	/* record the first limit exceeded */
#define PG_CHG_RESERVE	(1u << 3)	/* deny mode: sets no peak, the fork
					 * may still fail; the commit does */
#define PG_CHG_EXITING	(1u << 4)	/* task_reconcile() only, ignored by
					 * usage_charge(): the task is exiting */

/* zombies.bpf.h: release the zombies of cg_id (a limit at level) that have
 * been reaped; how many charges of cg_id that gave back. */
__noinline __u32 zombies_collect_reaped(__u64 cg_id, __u32 level);

/*
 * Count one more task in cg_id. With PG_CHG_ENFORCE, records the first limit
 * exceeded in *over (always a valid pointer: the 6.1 verifier does not carry
 * a constant NULL through a bpf_loop callback). Returns PG_CHARGED, plus
 * PG_WARN when the warn threshold was just crossed upward.
 *
 * The count may still hold zombies reaped in the last RCU grace period,
 * whose free hook has not come yet. Where it decides something (past the
 * limit, at the warn threshold, above the peak), they are released first,
 * and the charges this call gave back are taken off its count: a release
 * is won by one caller only, so no two forks are let in on one release.
 */
static __always_inline int usage_charge(__u64 cg_id, __u32 level, __u32 flags,
					struct pg_over *over)
{
	struct pg_usage *u = bpf_map_lookup_elem(&usage, &cg_id);
	struct pg_limit *lim = bpf_map_lookup_elem(&limits, &cg_id);
	bool past;
	__s64 count;

	if (!u || !lim)
		return 0;
	count = __sync_fetch_and_add(&u->current, 1) + 1;
	if (flags & PG_CHG_KILLED)
		__sync_fetch_and_add(&u->dying, 1);
	if (flags & PG_CHG_FORK)
		__sync_fetch_and_add(&u->forks, 1);
	if ((__u64)count > u->peak || (lim->max != PG_NO_LIMIT && count > lim->max) ||
	    (lim->warn_at && count >= lim->warn_at && !u->warned))
		count -= zombies_collect_reaped(cg_id, level);
	past = lim->max != PG_NO_LIMIT && count > lim->max;
	if (!(flags & PG_CHG_RESERVE))
		peak_update(u, count);
	if ((flags & PG_CHG_ENFORCE) && past && !over->cg_id) {
		over->cg_id = cg_id;
		over->count = count;
		over->limit = lim->max;
		over->level = level;
	}
	if (lim->warn_at && count >= lim->warn_at && !u->warned &&
	    __sync_val_compare_and_swap(&u->warned, 0, 1) == 0) {
		__sync_fetch_and_add(&u->warnings, 1);
		return PG_CHARGED | PG_WARN;
	}
	return PG_CHARGED;
}

/* A deny-mode reservation became a task: now it may set the peak. */
static __always_inline void usage_commit(__u64 cg_id)
{
	struct pg_usage *u = bpf_map_lookup_elem(&usage, &cg_id);

	if (u)
		peak_update(u, u->current);
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
	/* The limit only matters to a warned cgroup: spare the lookup. */
	if (!u->warned)
		return;
	lim = bpf_map_lookup_elem(&limits, &cg_id);
	if (lim && count < (__s64)lim->warn_at)
		u->warned = 0;
}

/* ---- Which slots a record may hold ---- */

/*
 * A record's `levels` has bit L set before slots[L] is first charged, so a
 * release scans only up to the highest such level: 3 slots for Docker's
 * containers instead of 16. A charge landing while a release runs may be
 * missed by it, as a charge landing after its exchange is: the free hook
 * (which reads `levels` last) or the iterator's `released` check takes it.
 */
static __always_inline void levels_mark(__u32 *levels, __u32 lvl)
{
	__u32 bit = 1u << (lvl & (PG_MAX_LEVELS - 1));

	if (!(*levels & bit))
		__sync_fetch_and_or(levels, bit);
}

/* 1 + the highest level set in levels (0 for none). */
static __always_inline __u32 levels_top(__u32 m)
{
	__u32 n = 0;

	if (m >> 8) {
		n += 8;
		m >>= 8;
	}
	if (m >> 4) {
		n += 4;
		m >>= 4;
	}
	if (m >> 2) {
		n += 2;
		m >>= 2;
	}
	if (m >> 1) {
		n += 1;
		m >>= 1;
	}
	return n + (m & 1);
}

/* A reservation's slots carry no levels: scan them all. */
#define PG_ALL_LEVELS	((1u << PG_MAX_LEVELS) - 1)

/* ---- Releasing a record ---- */

struct release_ctx {
	__u64 *slots;
	__u32 killed;
	__u32 released;
};

static long release_cb(__u32 lvl, struct release_ctx *c)
{
	__u64 cg_id;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	/* Most slots are empty: a plain load first, the exchange (a locked
	 * instruction) only for a charge. A charge landing in an empty slot
	 * after the load is one landing after the exchange: the same race. */
	if (!c->slots[lvl])
		return 0;
	cg_id = __sync_lock_test_and_set(&c->slots[lvl], 0);
	if (cg_id) {
		usage_uncharge(cg_id, c->killed);
		c->released++;
	}
	return 0;
}

/* Release every charge held in slots (those of levels); returns how many
 * there were. */
static __always_inline __u32 slots_release(__u64 *slots, __u32 levels, bool killed)
{
	struct release_ctx c = { .slots = slots, .killed = killed };

	/* The record's levels, not nr_levels: it may predate a change. */
	bpf_loop(levels_top(levels), release_cb, &c, 0);
	return c.released;
}

static long unreserve_cb(__u32 lvl, __u64 *want)
{
	if (lvl >= PG_MAX_LEVELS)
		return 1;
	if (want[lvl])
		usage_uncharge(want[lvl], false);
	return 0;
}

/* Release charges listed in a private (stack) copy: no atomics needed, and
 * BPF allows none on the stack. */
static __always_inline void want_release(struct want_ctx *w)
{
	bpf_loop(PG_MAX_LEVELS, unreserve_cb, w->want, 0);
}

/* ---- Moving a live task's charges (migration, seeding) ---- */

struct reconcile_ctx {
	__u64 *slots;
	__u32 *levels;
	__u64 *want;
	__u64 *reserved;		/* the task's deny-mode reservation, or NULL */
	__u32 charged;
	/* usage_charge()'s flags: PG_CHG_KILLED, PG_CHG_ENFORCE (record the
	 * first limit exceeded), and PG_CHG_EXITING. One word, for the
	 * stack: on 6.1 a migration's call chain (down to
	 * zombies_collect_reaped) has none to spare of its 512 bytes. */
	__u32 flags;
	__u64 warn_id;			/* deepest cgroup that crossed its warn threshold */
	struct pg_over over;
};

static long reconcile_cb(__u32 lvl, struct reconcile_ctx *c)
{
	__u64 cur, id;
	int res;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	cur = c->slots[lvl];
	id = c->want[lvl];
	if (cur == id)
		return 0;
	if (cur && __sync_val_compare_and_swap(&c->slots[lvl], cur, 0) == cur)
		usage_uncharge(cur, c->flags & PG_CHG_KILLED);
	if (!id)
		return 0;
	/* An exiting task no longer holds a level it was charged at: its
	 * exit released it (a thread's), handed it to the zombie index (a
	 * leader's), or its reap released it. Charged again, it would count
	 * until its free hook. Nothing else empties a slot of an exiting
	 * task: it cannot migrate any more. */
	if (!cur && (c->flags & PG_CHG_EXITING) &&
	    (*c->levels & (1u << (lvl & (PG_MAX_LEVELS - 1)))))
		return 0;
	levels_mark(c->levels, lvl);
	if (__sync_val_compare_and_swap(&c->slots[lvl], 0, id) == 0) {
		/* A task being forked in deny mode: its fork hook has not
		 * taken its reservation of this very charge yet, and now
		 * never will (it takes one only with the slot this won).
		 * Take it over: charged again, the task would count twice
		 * until its fork hook gave the reservation back. */
		if (c->reserved && __sync_val_compare_and_swap(&c->reserved[lvl], id, 0) == id) {
			usage_commit(id);
			c->charged++;
			return 0;
		}
		res = usage_charge(id, lvl,
				   c->flags,
				   &c->over);
		if (res & PG_WARN)
			c->warn_id = id;
		c->charged++;
	}
	return 0;
}

/*
 * Make a live task's charges match want[]: release slots it no longer
 * belongs to, claim the new ones. flags: PG_CHG_ENFORCE to leave the first
 * new charge past its limit in c->over, PG_CHG_EXITING for a task that is
 * exiting (PF_EXITING). reserved: the task's pending deny-mode reservation
 * (a task being forked), or NULL.
 */
static __always_inline void task_reconcile(struct pg_task *ts, struct want_ctx *w, __u32 flags,
					   __u64 *reserved, struct reconcile_ctx *c)
{
	__builtin_memset(c, 0, sizeof(*c));
	c->slots = ts->slots;
	c->levels = &ts->levels;
	c->want = w->want;
	c->reserved = reserved;
	c->flags = (ts->killed ? PG_CHG_KILLED : 0) | flags;
	bpf_loop(PG_MAX_LEVELS, reconcile_cb, c, 0);
}

/* ---- Killed tasks ---- */

struct killed_ctx {
	__u64 *slots;
	__u32 over_level;
	__u32 pad;
	__s64 dying_before;
};

static long killed_cb(__u32 lvl, struct killed_ctx *c)
{
	struct pg_usage *u;
	__u64 cg_id;
	__s64 before;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	cg_id = c->slots[lvl];
	if (!cg_id)
		return 0;
	u = bpf_map_lookup_elem(&usage, &cg_id);
	if (!u)
		return 0;
	before = __sync_fetch_and_add(&u->dying, 1);
	if (lvl == c->over_level)
		c->dying_before = before;
	return 0;
}

/*
 * Mark a task as killed by pidguard: its cgroups count it as dying until it
 * is reaped. Returns false when it was marked already. *dying_before gets
 * the dying count of the cgroup at over_level before this task joined it.
 */
static __always_inline bool task_mark_killed(struct pg_task *ts, __u32 over_level,
					     __s64 *dying_before)
{
	struct killed_ctx c = { .slots = ts->slots, .over_level = over_level, .dying_before = 1 };

	if (__sync_val_compare_and_swap(&ts->killed, 0, 1) != 0)
		return false;
	bpf_loop(PG_MAX_LEVELS, killed_cb, &c, 0);
	*dying_before = c.dying_before;
	return true;
}

#endif /* PG_CHARGE_BPF_H */
