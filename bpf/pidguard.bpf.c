// SPDX-License-Identifier: GPL-2.0
/*
 * pidguard.bpf.c - count the tasks of limited cgroups and act on forks past
 * the limit.
 *
 * Design
 * ------
 * What counts is what the kernel's pids controller counts: every task,
 * threads included, from its fork until it is reaped, in its cgroup and in
 * every ancestor (hierarchical). Limits are keyed by cgroup v2 id, so the
 * programs look at each task's default-hierarchy cgroup (Docker puts each
 * container at /docker/<id> there, on v2 and on hybrid hosts alike).
 *
 * Each charged task has a record of which limited cgroups it is charged
 * to, one slot per cgroup level: in task_slots when it was forked there
 * and its slot was free (task_slot.bpf.h), else an entry of task_records
 * keyed by its address, or its task storage when that table is full
 * (task_record.bpf.h); charge.bpf.h says why that makes every count exact.
 * The hooks:
 *
 *   sched_process_fork   charge the child in the cgroup it landed in (so
 *                        CLONE_INTO_CGROUP counts where it lands); in kill
 *                        and flag mode this is where a fork past the limit
 *                        is acted on; in deny mode it commits the charge
 *                        reserved by task_alloc.
 *   lsm/task_alloc       deny mode: reserve the charge, or fail the fork
 *                        with EAGAIN, exactly where pids.max would; the
 *                        reservation is atomic, so concurrent forks on all
 *                        CPUs can never pass the limit together.
 *   lsm/task_free        deny mode: roll back a reservation whose fork
 *                        failed after task_alloc.
 *   cgroup_attach_task   migration (`docker exec`, cgroup.procs writes):
 *                        move the charges; a migration into a full cgroup is
 *                        treated as a fork past the limit.
 *   sched_process_exit   a thread other than the leader is reaped at once on
 *                        exit: release it now. A process leader becomes a
 *                        zombie and still counts: move its charge to the
 *                        zombie index (zombies.bpf.h).
 *   fentry/release_task  where the kernel allows trampolines: the reap,
 *                        every kind, exactly where pids.max uncharges.
 *                        Then sched_process_exit moves nothing.
 *   (no reap hook)       elsewhere, as on the build machines, no reap is
 *                        hooked: the exits of wait4/waitid, the only
 *                        reap-time hooks left, would put every syscall on
 *                        the host on the kernel's slow path. A reaped
 *                        zombie's charge goes at its free (one RCU grace
 *                        period, ~13 ms, after the reap), or at once when
 *                        a fork, migration or seeding pass needs its
 *                        cgroup's exact count (past the limit, the warn
 *                        threshold, a new peak): the check releases every
 *                        zombie of that cgroup found reaped (EXIT_DEAD)
 *                        first, so a fork that pids.max allows is allowed.
 *   sched_process_free   the last word: release whatever is still charged
 *                        (reaped zombies, exec's old leader) and forget
 *                        the task (its task_records entry is deleted).
 *   iter/bpf_map_elem    record_gc, slot_gc: delete task_records entries
 *                        and give back slots whose task is gone but that
 *                        the free hook had to leave, and release those it
 *                        never came to;
 *                        zombie_gc: the zombie index's safety net.
 *   iter/task            seeding: count the tasks already in a cgroup when
 *                        its limit is installed, and resynchronise after a
 *                        multi-threaded migration (whose threads the attach
 *                        hook does not see one by one).
 *
 * Kill mode policy (bpf_send_signal_task, Linux 6.13+): a child forked past
 * the limit is SIGKILLed before it runs user code. Killed children still
 * count until reaped, so killing only them does not stop a fork bomb; the
 * forking parent is killed too, except for a single grace: when no task
 * killed by pidguard is waiting to be reaped in that cgroup (usage.dying ==
 * 0), the parent is spared. A well-behaved parent reaps its dead child,
 * dying returns to 0 and its next fork past the limit is graced again; a
 * bomb never gets a second grace while its victims are unreaped. Bound: each
 * task admitted under the limit (at most `limit` of them) adds at most one
 * killed child before it is killed itself, plus the one graced child: peak
 * <= 2 x limit + 1; at rest, once the dead are reaped, <= limit.
 *
 * Nothing here ever acts on a cgroup without a limit: the hooks return at
 * the first lookup that finds no limit among the task's cgroups, and a
 * parent is only killed when it is itself charged to the full cgroup.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "pidguard.h"
#include "maps.bpf.h"
#include "charge.bpf.h"
#include "task_record.bpf.h"
#include "zombies.bpf.h"
#include "events.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PG_SIGKILL 9
#define PG_PF_EXITING 0x00000004	/* include/linux/sched.h: not in BTF */

/* Linux 6.13+. Only the *_kill programs reference it: the loader does not
 * load them where it is missing, so the rest loads on older kernels. */
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type,
				__u64 value) __ksym __weak;

static __always_inline void task_kill(struct task_struct *task)
{
	if (bpf_send_signal_task(task, PG_SIGKILL, PIDTYPE_TGID, 0))
		STAT_INC(kill_failed);
}

/* ---- Fork ---- */

/* Report a warn-threshold crossing in cgroup id (the deepest that crossed). */
static __always_inline void warn_emit(const struct pg_config *cfg, __u64 id,
				      struct task_struct *task, struct task_struct *parent)
{
	struct pg_usage *u = bpf_map_lookup_elem(&usage, &id);
	struct pg_limit *lim = bpf_map_lookup_elem(&limits, &id);

	if (u && lim)
		event_emit(cfg, u, PG_EV_WARN, 0, id, task, parent, u->current, lim->max);
}

/*
 * Act on a fork that took its cgroup past the limit. may_kill is a
 * compile-time constant: false in the programs built for kernels without
 * bpf_send_signal_task, where kill falls back to flag.
 */
static __always_inline void fork_enforce(const struct pg_config *cfg, struct task_struct *parent,
					 struct task_struct *child, struct pg_task *child_ts,
					 const struct pg_over *over, bool may_kill)
{
	struct pg_usage *u = bpf_map_lookup_elem(&usage, &over->cg_id);
	struct pg_task *parent_ts;
	__s64 dying_before = 1, ignored;
	__u32 flags = 0;

	if (!u)
		return;
	if (!may_kill || cfg->mode == PG_MODE_FLAG) {
		__sync_fetch_and_add(&u->flagged, 1);
		event_emit(cfg, u, PG_EV_OVER_LIMIT, 0, over->cg_id, child, parent, over->count,
			   over->limit);
		return;
	}

	task_kill(child);
	task_mark_killed(child_ts, over->level, &dying_before);
	__sync_fetch_and_add(&u->killed, 1);

	if (dying_before == 0) {
		/* Nothing of ours waits to be reaped here: spare the parent. */
		flags |= PG_EVF_GRACED;
	} else {
		/* Only a parent that counts in this very cgroup: a process
		 * outside it (CLONE_INTO_CGROUP) is not ours to kill, nor is
		 * one whose record predates it (a lost free hook's, at an
		 * address it reused: that charge is not its). */
		parent_ts = task_record(parent);
		if (parent_ts && over->level < PG_MAX_LEVELS &&
		    parent_ts->slots[over->level] == over->cg_id &&
		    !record_predates(parent_ts->owner, parent->start_time) &&
		    task_mark_killed(parent_ts, PG_MAX_LEVELS, &ignored)) {
			task_kill(parent);
			__sync_fetch_and_add(&u->killed, 1);
			flags |= PG_EVF_PARENT_KILLED;
		}
	}
	event_emit(cfg, u, PG_EV_KILLED, flags, over->cg_id, child, parent, over->count,
		   over->limit);
}

struct fork_ctx {
	__u64 *slots;			/* the child's charge record */
	__u32 *levels;			/* ... and its levels */
	__u64 *want;
	__u64 *reserved;		/* deny-mode reservation, or NULL */
	__u64 warn_id;			/* deepest cgroup that crossed its warn threshold */
	struct pg_over over;
};

static long fork_cb(__u32 lvl, struct fork_ctx *c)
{
	__u64 id, reserved = 0;
	bool won = false;
	int res;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	id = c->want[lvl];
	if (id) {
		levels_mark(c->levels, lvl);
		won = __sync_val_compare_and_swap(&c->slots[lvl], 0, id) == 0;
	}
	/* The reservation after the slot: a seeding pass that won the slot
	 * (it counted the child already) may have taken the reservation
	 * over (reconcile_cb); if not, it is given back here. So is one
	 * made in the parent's cgroup for a child that landed elsewhere
	 * (CLONE_INTO_CGROUP). */
	if (c->reserved)
		reserved = __sync_lock_test_and_set(&c->reserved[lvl], 0);
	if (reserved && (reserved != id || !won)) {
		usage_uncharge(reserved, false);
		reserved = 0;
	}
	if (!won)
		return 0;
	if (reserved) {
		usage_commit(id);	/* counted, and checked, in task_alloc */
		return 0;
	}
	res = usage_charge(id, lvl, PG_CHG_FORK | PG_CHG_ENFORCE, &c->over);
	if (res & PG_WARN)
		c->warn_id = id;
	return 0;
}

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child,
				   bool may_kill)
{
	struct pg_config *cfg = config_get();
	struct pg_reservation *r = NULL;
	struct fork_ctx c = {};
	struct want_ctx w;
	__u64 key = (__u64)child;
	struct pg_task *ts;

	if (!cfg || !cfg->level_mask)
		return 0;
	if (cfg->mode == PG_MODE_DENY)
		r = bpf_map_lookup_elem(&pending, &key);
	if (!wanted_slots(cfg, task_cgroup(child), &w) && !r)
		return 0;

	ts = task_record_make(child, true);
	if (!ts) {
		STAT_INC(storage_failed);
		if (r) {
			slots_release(r->slots, PG_ALL_LEVELS, false);
			bpf_map_delete_elem(&pending, &key);
		}
		return 0;
	}
	c.slots = ts->slots;
	c.levels = &ts->levels;
	c.want = w.want;
	if (r)
		c.reserved = r->slots;
	/* The levels wanted_slots() looked at; a reservation's, all of them. */
	bpf_loop(r ? PG_MAX_LEVELS : w.levels, fork_cb, &c, 0);
	if (r) {
		slots_release(r->slots, PG_ALL_LEVELS, false);	/* leftovers, normally none */
		bpf_map_delete_elem(&pending, &key);
	}
	if (c.warn_id)
		warn_emit(cfg, c.warn_id, child, parent);
	if (c.over.cg_id)
		fork_enforce(cfg, parent, child, ts, &c.over, may_kill);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_kill, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child, true);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_count, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child, false);
}

/* ---- Deny mode: BPF LSM ---- */

struct reserve_ctx {
	__u64 *want;
	__u64 warn_id;			/* deepest cgroup that crossed its warn threshold */
	struct pg_over over;
};

static long reserve_cb(__u32 lvl, struct reserve_ctx *c)
{
	__u64 id;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	id = c->want[lvl];
	if (id && (usage_charge(id, lvl, PG_CHG_FORK | PG_CHG_ENFORCE | PG_CHG_RESERVE, &c->over) &
		   PG_WARN))
		c->warn_id = id;
	return 0;
}

SEC("lsm/task_alloc")
int BPF_PROG(deny_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct task_struct *current = bpf_get_current_task_btf();
	struct pg_config *cfg = config_get();
	struct reserve_ctx c = {};
	struct pg_usage *u;
	struct want_ctx w;
	__u64 key = (__u64)task;

	/* Honour the verdict of an LSM program that ran before us. */
	if (ret)
		return ret;
	if (!cfg || cfg->mode != PG_MODE_DENY || !cfg->level_mask)
		return 0;
	/* The new task has no cgroup yet: it will start in its parent's. */
	if (!wanted_slots(cfg, task_cgroup(current), &w))
		return 0;

	/* Reserve-then-check: of concurrent forks competing for the last
	 * slot, exactly one sees count <= limit. */
	c.want = w.want;
	bpf_loop(PG_MAX_LEVELS, reserve_cb, &c, 0);
	if (c.over.cg_id) {
		want_release(&w);
		u = bpf_map_lookup_elem(&usage, &c.over.cg_id);
		if (u) {
			__sync_fetch_and_add(&u->denied, 1);
			event_emit(cfg, u, PG_EV_DENIED, 0, c.over.cg_id, NULL, current,
				   c.over.count - 1, c.over.limit);
		}
		return -11; /* -EAGAIN, as pids.max */
	}
	if (c.warn_id)
		warn_emit(cfg, c.warn_id, current, NULL);
	if (bpf_map_update_elem(&pending, &key, w.want, BPF_NOEXIST)) {
		/* Cannot remember the reservation: fail open, and say so. */
		want_release(&w);
		STAT_INC(pending_full);
	}
	return 0;
}

SEC("lsm/task_free")
int BPF_PROG(deny_free, struct task_struct *task)
{
	__u64 key = (__u64)task;
	struct pg_reservation *r = bpf_map_lookup_elem(&pending, &key);

	/* Only a fork that failed after task_alloc still has one. */
	if (r) {
		slots_release(r->slots, PG_ALL_LEVELS, false);
		bpf_map_delete_elem(&pending, &key);
	}
	return 0;
}

/* ---- Migration ---- */

/* Count the migrations into each limited cgroup the task now belongs to. */
static long migrated_cb(__u32 lvl, __u64 *want)
{
	struct pg_usage *u;
	__u64 id;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	id = want[lvl];
	if (!id)
		return 0;
	u = bpf_map_lookup_elem(&usage, &id);
	if (u)
		__sync_fetch_and_add(&u->migrated_in, 1);
	return 0;
}

/* The pending deny-mode reservation of a task being forked (made by
 * deny_alloc, taken by its fork hook), or NULL. */
static __always_inline __u64 *task_reservation(const struct pg_config *cfg,
					       struct task_struct *task)
{
	__u64 key = (__u64)task;
	struct pg_reservation *r;

	if (cfg->mode != PG_MODE_DENY)
		return NULL;
	r = bpf_map_lookup_elem(&pending, &key);
	return r ? r->slots : NULL;
}

/*
 * What task should be charged (w, from its cgroup's limited levels) and its
 * record, made when some level is limited. NULL when there is nothing to
 * charge, when no record could be had (counted: the task stays uncharged,
 * never refused), or when the task is already released.
 */
static __always_inline struct pg_task *task_record_for(const struct pg_config *cfg,
						       struct task_struct *task,
						       struct want_ctx *w)
{
	__u32 found = wanted_slots(cfg, task_cgroup(task), w);
	struct pg_task *ts;

	ts = found ? task_record_make(task, false) : task_record(task);
	if (!ts) {
		if (found)
			STAT_INC(storage_failed);
		return NULL;
	}
	return ts->released ? NULL : ts;
}

static __always_inline int on_attach(struct task_struct *task, bool threadgroup, bool may_kill)
{
	struct pg_config *cfg = config_get();
	struct reconcile_ctx c;
	struct want_ctx w;
	struct pg_task *ts;
	struct pg_usage *u;
	__s64 ignored;

	if (!cfg || !cfg->level_mask)
		return 0;
	/*
	 * The kernel never migrates an exiting task (cgroup_migrate_add_task
	 * skips PF_EXITING), yet the tracepoint still names it: a zombie whose
	 * pid was written to cgroup.procs, or the exited leader of a process
	 * whose other threads did move. Its charge already lives in the zombie
	 * index; charging it here would count it twice. Only the threads that
	 * moved need accounting: the resync below.
	 */
	if (BPF_CORE_READ(task, flags) & PG_PF_EXITING)
		goto resync;
	ts = task_record_for(cfg, task, &w);
	if (!ts)
		return 0;
	task_reconcile(ts, &w, PG_CHG_ENFORCE, task_reservation(cfg, task), &c);
	if (c.charged)
		bpf_loop(PG_MAX_LEVELS, migrated_cb, w.want, 0);
	if (c.warn_id)
		warn_emit(cfg, c.warn_id, task, NULL);
	if (c.over.cg_id) {
		u = bpf_map_lookup_elem(&usage, &c.over.cg_id);
		if (!u)
			return 0;
		if (may_kill && cfg->mode != PG_MODE_FLAG) {
			task_kill(task);
			task_mark_killed(ts, c.over.level, &ignored);
			__sync_fetch_and_add(&u->killed, 1);
			event_emit(cfg, u, PG_EV_MIGRATED_KILLED, 0, c.over.cg_id, task, NULL,
				   c.over.count, c.over.limit);
		} else {
			__sync_fetch_and_add(&u->flagged, 1);
			event_emit(cfg, u, PG_EV_MIGRATED, 0, c.over.cg_id, task, NULL,
				   c.over.count, c.over.limit);
		}
	}
	/*
	 * The tracepoint fires once per process, for its leader; the other
	 * threads moved too. Ask the loader for a reconcile pass.
	 */
resync:
	if (threadgroup && BPF_CORE_READ(task, signal, nr_threads) > 1) {
		STAT_INC(resyncs);
		event_emit(cfg, NULL, PG_EV_RESYNC, 0, 0, task, NULL, 0, 0);
	}
	return 0;
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(attach_kill, struct cgroup *dst_cgrp, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	return on_attach(task, threadgroup, true);
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(attach_count, struct cgroup *dst_cgrp, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	return on_attach(task, threadgroup, false);
}

/* ---- Exit, reap, free ---- */

/*
 * Task t is done with its record ts, found at *at (a thread's exit, a
 * reap): retire it, released first, so that an iterator cannot charge it
 * again (record_own_retired), and give its place back when no iterator
 * can hold it, which spares the free hook its lookup and delete; else the
 * free hook or a collector does. No other hook can look for it any more:
 * a migration skips an exiting task, and an exiting task forks nothing.
 */
static __always_inline void record_done(const struct pg_config *cfg, struct task_struct *t,
					struct pg_task *ts, const struct record_place *at)
{
	record_retire(ts);
	if (!records_quiet(cfg))
		return;
	if (at->slot.sl)
		slot_give_back(&at->slot);
	else if (ts == at->entry)
		records_delete((__u64)t);
}

/* Hand a leader's charges over to its zombie entry, slot by slot. */
struct handover_ctx {
	__u64 *from;			/* the task's record's slots */
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

SEC("tp_btf/sched_process_exit")
int BPF_PROG(task_exit, struct task_struct *task)
{
	struct record_place at;
	struct pg_config *cfg;
	struct handover_ctx hc;
	struct pg_zombie z = {};
	struct pg_zombie *zv;
	struct pg_task *ts;
	__u64 any = 0;
	__u32 gpid, top;

	ts = task_record_at(task, &at);
	if (!ts)
		return 0;	/* never charged: most exits on a host end here */
	/* With release_task hooked, every task keeps its charge until then. */
	cfg = config_get();
	if (cfg && (cfg->caps & PG_CAP_REAP_AT_RELEASE))
		return 0;
	if (task->pid != task->tgid) {
		/* Threads are reaped in this same exit, unless traced: the
		 * record is done with now. */
		if (task->ptrace)
			return 0;
		record_done(cfg, task, ts, &at);
		return 0;
	}

	/* Fully ordered (an atomic), and before the copy: only slots below
	 * its top are copied, all that a zombie's scans reach. A level
	 * charged after this read stays on the record, as one charged after
	 * the copy does: the free hook releases it. Copying no more than
	 * Docker's levels keeps a slot's record to its first cache line,
	 * the one the exit reads anyway (struct pg_task). */
	z.levels = __sync_fetch_and_or(&ts->levels, 0);
	top = levels_top(z.levels);
	/* Not one loop that copies below top: 6.1's verifier gives up on
	 * it (E2BIG; verifstat in the VM), where this costs 16,709
	 * instructions. */
	if (top > 3) {
		__builtin_memcpy(z.slots, ts->slots, sizeof(z.slots));
	} else {
		z.slots[0] = ts->slots[0];
		z.slots[1] = ts->slots[1];
		z.slots[2] = ts->slots[2];
	}
	for (__u32 lvl = 0; lvl < PG_MAX_LEVELS; lvl++) {
		if (lvl >= top)
			z.slots[lvl] = 0;
		any |= z.slots[lvl];
	}
	if (!any)
		return 0;
	z.killed = ts->killed;
	z.task = (__u64)task;
	__builtin_memset(z.set_idx, PG_ZSET_NONE, sizeof(z.set_idx));
	/* The global pid (task->pid caches numbers[0].nr) keys the entry. */
	gpid = task->pid;
	if (zombie_insert(gpid, &z)) {
		/* The charge stays on the task; sched_process_free releases it. */
		STAT_INC(zombies_full);
		return 0;
	}
	/* The free hook looks for a zombie entry only where this is set: the
	 * pid is gone from the task by then. */
	ts->zombie = gpid;
	zv = bpf_map_lookup_elem(&zombies, &gpid);
	if (!zv)
		return 0;
	hc.from = ts->slots;
	hc.to = zv->slots;
	bpf_loop(levels_top(z.levels), handover_cb, &hc, 0);
	/* Before exit_notify makes it reapable: a check at the limit finds
	 * it there as soon as it is reaped. */
	if (!zombie_sets_add(gpid, zv))
		STAT_INC(zombies_full);
	return 0;
}

/*
 * Where the kernel allows trampolines (not the build machines; Debian's
 * 6.1 does): release_task() is where the pids controller uncharges a task,
 * for every reap (wait4, waitid, autoreap, a thread's exit, exec's old
 * leader). Hooked, it replaces the zombie index, whose reaped zombies
 * wait for their free or for a check at the limit; the loader attaches
 * one or the other (PG_CAP_REAP_AT_RELEASE).
 */
SEC("fentry/release_task")
int BPF_PROG(task_release, struct task_struct *task)
{
	struct record_place at;
	struct pg_task *ts = task_record_at(task, &at);

	/* Retired, not only released: a task iterator that found the
	 * record before the reap and charges it after sees `released` and
	 * takes its charge back (reconcile). Released only, it counted the
	 * reaped task until its free hook (the VM's CI, deny mode). */
	if (ts)
		record_done(config_get(), task, ts, &at);
	return 0;
}

/* The free hook's part for one record: what it still held is late. */
static __always_inline void record_free(struct pg_task *r)
{
	if (record_retire(r))
		STAT_INC(late_release);
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(task_free, struct task_struct *task)
{
	struct pg_config *cfg = config_get();
	__u64 key = (__u64)task;
	struct pg_task *entry, *r, *s, *sr;
	struct slot_ref sl;
	struct pg_zombie *z;
	__u32 gpid;
	bool quiet;

	/* Every task on the host passes here: a task with no record was
	 * never charged and has no zombie entry. A released entry at its
	 * address is a stale one, not its own. Its slot, the table and its
	 * storage may each hold a record of it: the table's is unused when
	 * the slot's is there (a maker that lost to the fork hook), but it
	 * is retired all the same. */
	sr = slot_record(key, &sl);
	entry = records_lookup(key);
	r = entry && record_live(entry) ? entry : NULL;
	s = storage_record(task);
	quiet = records_quiet(cfg);
	/* One test at a time: clang would test two pointers as one value
	 * (their OR), which the verifier refuses. */
	if (sr) {
		record_free(sr);
		if (r)
			record_free(r);
	} else if (r) {
		record_free(r);
	} else if (!s) {
		if (quiet)
			return 0;
		/* An iterator may be looking at this task: leave a released
		 * record, so that it cannot charge the task after we are gone
		 * (it checks `released`). */
		r = task_record_make(task, false);
		if (!r)
			return 0;
		record_free(r);
	}
	if (s && s != r)
		record_free(s);
	/* Only a leader's exit makes a zombie entry, and it leaves the key in
	 * the record: a thread's free skips a lookup that would miss, and so
	 * does a leader's whose reap deleted it (the filter, mostly). An entry
	 * at that pid for another task is not ours to touch. */
	gpid = sr && sr->zombie ? sr->zombie : r && r->zombie ? r->zombie : (s ? s->zombie : 0);
	z = gpid && zpid_maybe(gpid) ? bpf_map_lookup_elem(&zombies, &gpid) : NULL;
	if (z && z->task == key)
		zombie_release(gpid, z, false);
	/* Deleted, the entry is reused at once: only when no iterator can
	 * hold it. Left (or if the delete fails), record_gc collects it. */
	if (!quiet || !records_quiet(cfg))
		return 0;
	if (sr)
		slot_give_back(&sl);
	if (r && r == entry)
		records_delete(key);
	return 0;
}

/* ---- Seeding and resynchronisation ---- */

/* A leader's charges that a pass made again after its exit handed them to
 * its zombie entry (zombie_take_back). */
struct take_back_ctx {
	__u64 *slots;			/* the task's record's slots */
	__u64 *zslots;			/* its zombie entry's */
	__u32 killed;
	__u32 pad;
};

static long take_back_cb(__u32 lvl, struct take_back_ctx *c)
{
	__u64 id;

	if (lvl >= PG_MAX_LEVELS)
		return 1;
	id = c->zslots[lvl];
	if (id && __sync_val_compare_and_swap(&c->slots[lvl], id, 0) == id)
		usage_uncharge(id, c->killed);
	return 0;
}

/*
 * The pass charged ts, whose task's exit has made it a zombie entry (its
 * zombie key is set, before the hand-over). The hand-over leaves a level
 * in one of the two, never both: a level both hold was charged here after
 * it, and counts the task twice. Take it back from the record. A zombie
 * entry released meanwhile (reaped) reads 0 and takes nothing: the charge
 * then stays until the free hook (stats.late_release).
 */
static __always_inline void zombie_take_back(struct pg_task *ts, struct task_struct *task)
{
	__u32 gpid = ts->zombie;
	struct pg_zombie *z = bpf_map_lookup_elem(&zombies, &gpid);
	struct take_back_ctx c;

	if (!z || z->task != (__u64)task)
		return;
	c.slots = ts->slots;
	c.zslots = z->slots;
	c.killed = ts->killed;
	c.pad = 0;
	bpf_loop(levels_top(z->levels), take_back_cb, &c, 0);
}

SEC("iter/task")
int reconcile(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct pg_config *cfg = config_get();
	struct reconcile_ctx c;
	struct want_ctx w;
	struct pg_zombie *z;
	struct pg_task *ts;
	__u32 gpid;

	/* Count the pass as running from its first call, before any record
	 * is looked at, to its last (no task): meanwhile the free hook leaves
	 * records in place (task_record.bpf.h). */
	if (!task) {
		if (ctx->meta->seq_num)
			__sync_fetch_and_add(&iter_passes, -1);
		return 0;
	}
	if (!ctx->meta->seq_num)
		__sync_fetch_and_add(&iter_passes, 1);
	last_iter_ns = bpf_ktime_get_ns();
	if (!cfg || !cfg->level_mask)
		return 0;
	if (BPF_CORE_READ(task, exit_state) & PG_EXIT_DEAD)
		return 0;
	/* An exited leader's charge lives in the zombie index already. */
	gpid = task->pid;
	z = bpf_map_lookup_elem(&zombies, &gpid);
	if (z && z->task == (__u64)task)
		return 0;
	ts = task_record_for(cfg, task, &w);
	if (!ts)
		return 0;
	/* Counting only: tasks that exist already are not refused. Exiting
	 * is read once, before the charges. A task that began its exit after
	 * this read, and finished it before a charge below read its slot,
	 * is charged again; the checks after take that back. */
	task_reconcile(ts, &w, BPF_CORE_READ(task, flags) & PG_PF_EXITING ? PG_CHG_EXITING : 0,
		       task_reservation(cfg, task), &c);
	/* Retired while we charged it (a thread's exit, a reap, the free):
	 * undo, no hook of its own comes back to release it. */
	if (ts->released)
		slots_release(ts->slots, ts->levels, ts->killed);
	else if (c.charged && ts->zombie)
		zombie_take_back(ts, task);
	return 0;
}

/* ---- Collector passes ---- */

/*
 * zombie_gc and record_gc, run by the loader every second over their maps,
 * act on an entry only when two passes in a row found its task gone: the
 * first sighting may be a free hook still on its way. Each numbers its own
 * passes at its first entry, never 0, which means "not seen gone".
 */
static __always_inline void gc_pass_start(const struct bpf_iter_meta *meta, __u32 *pass)
{
	if (!meta->seq_num && !__sync_add_and_fetch(pass, 1))
		__sync_fetch_and_add(pass, 1);
}

/* An entry whose task is gone, seen by pass: true if an earlier pass saw
 * it gone too; else this sighting is recorded in *dead_pass. */
static __always_inline bool gc_gone_before(__u32 *dead_pass, __u32 pass)
{
	if (!*dead_pass) {
		*dead_pass = pass;
		return false;
	}
	return *dead_pass != pass;
}

/* ---- Zombie collection ---- */

/*
 * Every zombie entry is released by a check at its cgroup's limit or, at
 * the latest, by sched_process_free tens of ms after its reap. Under heavy
 * load a few have been seen to outlive their task, never released: the
 * cause is not found yet. This pass over the zombies map is the safety
 * net: an entry whose task is gone (reaped, or its struct now holds
 * another task) in two passes in a row has lost its release; it is
 * released, forgotten and counted in stats.zombies_collected, so that the
 * loss is reported, never silent. Lazy RCU (CONFIG_RCU_LAZY,
 * active on rcu_nocbs CPUs) can hold a free hook back for seconds on a
 * quiet host, so there some of these may be late rather than lost: the
 * release is right either way (the task is reaped), and waiting longer
 * would leave `current` wrong for as long.
 */
SEC("iter/bpf_map_elem")
int zombie_gc(struct bpf_iter__bpf_map_elem *ctx)
{
	struct pg_config *cfg = config_get();
	__u32 *keyp = ctx->key;
	struct pg_zombie *z;
	__u32 gpid;

	if (!keyp || !ctx->value || !cfg)
		return 0;
	/* Number the passes here, not in the loader: a loader that wrote
	 * settings every second could write back, over a `pidguard limit`
	 * that had just added a level, the level_mask it read before. */
	gc_pass_start(ctx->meta, &cfg->gc_pass);
	gpid = *keyp;
	z = bpf_map_lookup_elem(&zombies, &gpid);
	if (!z)
		return 0;
	if (z->owned) {
		/* Released, but its delete failed (EBUSY in softirq): tidy up
		 * a pass later (owned 2), when its owner is surely done with
		 * it. Deletes are by pid: one landing after another hook's
		 * could hit a newer entry at the same pid. */
		if (__sync_val_compare_and_swap(&z->owned, 1, 2) == 2)
			zpid_delete(gpid);
		return 0;
	}
	/* A zombie, or a leader still in do_exit: alive, leave it. */
	if (!zombie_task_gone(gpid, z))
		return 0;
	if (gc_gone_before(&z->dead_pass, cfg->gc_pass) && zombie_release(gpid, z, false))
		STAT_INC(zombies_collected);
	return 0;
}

/* ---- Stale record collection ---- */

/*
 * Entries of task_records whose task is gone, which this pass, run by the
 * loader every second, deletes so that the table does not fill with them
 * (a new task at the same address would take one over, but none may come):
 *
 *  - Released ones: left by the free hook while an iterator might have
 *    held them, or when its delete failed (EBUSY in softirq). Collected on
 *    their second sighting (released 1, then 2, a pass apart): the free
 *    hook that released one may still be releasing its slots at the first,
 *    and a deleted entry is reused at once.
 *  - Unreleased ones whose task was gone two passes in a row (reaped, or
 *    its address holding a newer task: record_task_gone): its free hook is
 *    lost, or held back by a reference on the task (three such records
 *    were left in one of four CI runs). The task counts nowhere any more:
 *    pids.max uncharged it at the reap. So the record is released as
 *    the free hook would have done it, counted in
 *    stats.records_collected, and then deleted as a released one is.
 */
static __u32 record_gc_pass;

/* The task whose record, made with owner old, is at address key is gone:
 * reaped, or its struct now holds a newer task. A struct stays a
 * task_struct until freed, and a freed one reads EXIT_DEAD until it is
 * reused: a task not yet reaped never reads so (EXIT_DEAD alone, not
 * EXIT_TRACE: a ptracer's passing wait on a zombie it did not fork, which
 * its parent still reaps). Once reused, its new task reads its own state,
 * so the start time tells: the record's task, alive, reads at most old
 * (exec from a thread gives the thread its leader's start, an earlier
 * one), while a newer task, forked after the old one was freed, reads
 * later. Without that test, a record whose free hook was lost outlived
 * every task at its address in a cgroup with no limit (which never takes
 * a record over): test_faults' "reused" cases, and the likely cause of a
 * slot that one CI run found still held 25 s after its cgroup was gone.
 * A struct whose fork has not set its start time yet reads its
 * parent's, earlier or later: later only if the old task was freed. */
static __always_inline bool record_task_gone(__u64 key, __u64 old)
{
	struct task_struct *t = (struct task_struct *)key;
	__u64 start = 0;
	int exit_state = 0;

	if (BPF_CORE_READ_INTO(&exit_state, t, exit_state))
		return false;
	if (exit_state == PG_EXIT_DEAD)
		return true;
	return !BPF_CORE_READ_INTO(&start, t, start_time) && record_predates(old, start);
}

/* An unreleased record r of the task at key, whose owner was old when
 * read: released by this pass if its task was seen gone by an earlier
 * one. */
static __always_inline void record_collect_gone(struct pg_task *r, __u64 key, __u64 old,
						__u32 pass)
{
	if (!record_task_gone(key, old)) {
		/* Alive: r's own task, or a new one at its address still
		 * in its fork (which takes r over if it forks in a limited
		 * cgroup). */
		if (r->dead_pass)
			r->dead_pass = 0;
		return;
	}
	if (gc_gone_before(&r->dead_pass, pass) && record_retire_taken(r, old) >= 0)
		STAT_INC(records_collected);
}

/*
 * A collector's step for record r of the task at key, whose owner and
 * released read old and rel (owner first): an unreleased record is
 * collected if its task was reaped (two passes); a released one is marked
 * seen (2), then, a pass later, is to be removed: true, with owner TAKING
 * (the caller removes it, or puts old back if it cannot).
 */
static __always_inline bool gc_record_step(struct pg_task *r, __u64 key, __u64 old, __u32 rel,
					   __u32 pass)
{
	if (!rel) {
		record_collect_gone(r, key, old, pass);
		return false;
	}
	if (rel == 1) {
		__sync_val_compare_and_swap(&r->released, 1, 2);
		return false;
	}
	return __sync_val_compare_and_swap(&r->owner, old, PG_OWNER_TAKING) == old;
}

SEC("iter/bpf_map_elem")
int record_gc(struct bpf_iter__bpf_map_elem *ctx)
{
	struct pg_config *cfg = config_get();
	__u64 *keyp = ctx->key;
	struct pg_task *r;
	__u64 key, old;
	__u32 rel;

	if (!keyp || !ctx->value)
		return 0;
	gc_pass_start(ctx->meta, &record_gc_pass);
	key = *keyp;
	r = bpf_map_lookup_elem(&task_records, &key);
	if (!r || !records_quiet(cfg))
		return 0;
	/* owner before released: a takeover changes owner first, so an
	 * entry still released after this owner was read is still stale
	 * unless owner changed, which the compare-and-swap below sees. */
	old = *(volatile __u64 *)&r->owner;
	rel = *(volatile __u32 *)&r->released;
	if (old == PG_OWNER_TAKING || !gc_record_step(r, key, old, rel, record_gc_pass))
		return 0;
	/* A failed delete must not leave it marked: the next pass retries. */
	if (!records_delete(key))
		__sync_lock_test_and_set(&r->owner, old);
	return 0;
}

/* ---- Slot collection ---- */

/*
 * record_gc's work for task_slots (task_slot.bpf.h), run by the loader
 * every 5 s (a pass visits every slot, ~1 ms for 8192: every second, it
 * was a quarter of the loader's CPU at rest): a slot whose record was
 * released while an iterator ran is given back on its second sighting,
 * and the unreleased record of a task gone two passes in a row is
 * released and counted in stats.records_collected. Most slots are free:
 * a load and a return.
 */
static __u32 slot_gc_pass;

SEC("iter/bpf_map_elem")
int slot_gc(struct bpf_iter__bpf_map_elem *ctx)
{
	struct pg_config *cfg = config_get();
	__u32 *keyp = ctx->key;
	struct slot_ref ref;
	struct pg_slot *sl;
	__u64 word, old;
	__u32 rel;

	if (!keyp || !ctx->value)
		return 0;
	gc_pass_start(ctx->meta, &slot_gc_pass);
	ref.idx = *keyp;
	sl = ref.sl = bpf_map_lookup_elem(&task_slots, &ref.idx);
	if (!sl || !sl->word || !records_quiet(cfg))
		return 0;
	word = *(volatile __u64 *)&sl->word;
	old = *(volatile __u64 *)&sl->rec.owner;
	rel = *(volatile __u32 *)&sl->rec.released;
	/* Being made, given back, or taken: not ours to look at. */
	if (!word || !old || old == PG_OWNER_TAKING)
		return 0;
	if (gc_record_step(&sl->rec, word, old, rel, slot_gc_pass))
		slot_give_back(&ref);
	return 0;
}
