/* SPDX-License-Identifier: GPL-2.0 */
/*
 * events.bpf.h - reporting to the loader through the ring buffer.
 *
 * A fork bomb produces an over-limit fork per attempt, thousands a second;
 * one line each would drown the operator and the ring buffer. So each
 * cgroup may emit config.events_per_sec events per one-second window; the
 * rest are counted (usage.events_suppressed) and the next event that gets
 * through carries how many were suppressed before it. The loader also
 * reports suppressions left pending when a storm ends.
 */
#ifndef PG_EVENTS_BPF_H
#define PG_EVENTS_BPF_H

#include "charge.bpf.h"

#define PG_NSEC_PER_SEC 1000000000ULL

/*
 * May this cgroup emit an event now? The window reset races benignly: two
 * CPUs resetting at once let a few extra events through, never fewer.
 */
static __always_inline bool rate_allow(const struct pg_config *cfg, struct pg_usage *u,
				       __u32 *suppressed)
{
	__u64 now;

	*suppressed = 0;
	if (!u)
		return true;
	if (cfg->events_per_sec) {
		now = bpf_ktime_get_ns();
		if (now - u->rl_window_ns >= PG_NSEC_PER_SEC) {
			u->rl_window_ns = now;
			u->rl_count = 0;
		}
		if (__sync_fetch_and_add(&u->rl_count, 1) >= cfg->events_per_sec) {
			__sync_fetch_and_add(&u->rl_suppressed, 1);
			__sync_fetch_and_add(&u->events_suppressed, 1);
			return false;
		}
	}
	*suppressed = __sync_lock_test_and_set(&u->rl_suppressed, 0);
	return true;
}

/*
 * Emit one event about task (NULL: none yet, as for a denied fork) whose
 * parent is parent, in cgroup cg_id with usage u. RESYNC requests bypass
 * the rate limit: losing one would leave counts stale.
 */
static __always_inline void event_emit(const struct pg_config *cfg, struct pg_usage *u,
				       __u32 kind, __u32 flags, __u64 cg_id,
				       struct task_struct *task, struct task_struct *parent,
				       __s64 count, __u32 limit)
{
	struct pg_event *e;
	__u32 suppressed = 0;

	if (kind != PG_EV_RESYNC && !rate_allow(cfg, u, &suppressed))
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		STAT_INC(events_lost);
		/* Give the suppressed count back so the next event reports it. */
		if (u && suppressed)
			__sync_fetch_and_add(&u->rl_suppressed, suppressed);
		return;
	}
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->cg_id = cg_id;
	e->kind = kind;
	e->flags = flags;
	e->count = count < 0 ? 0 : (__u32)count;
	e->limit = limit;
	e->suppressed = suppressed;
	e->pid = 0;
	e->tgid = 0;
	e->comm[0] = 0;
	if (task) {
		e->pid = BPF_CORE_READ(task, pid);
		e->tgid = BPF_CORE_READ(task, tgid);
		bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), &task->comm);
	}
	e->ppid = 0;
	e->pcomm[0] = 0;
	if (parent) {
		e->ppid = BPF_CORE_READ(parent, tgid);
		bpf_probe_read_kernel_str(e->pcomm, sizeof(e->pcomm), &parent->comm);
	}
	bpf_ringbuf_submit(e, 0);
}

#endif /* PG_EVENTS_BPF_H */
