/* SPDX-License-Identifier: GPL-2.0 */
/*
 * suppression.h - who reports the events the kernel's rate limit dropped.
 *
 * The kernel attaches to each event the number suppressed before it in that
 * cgroup. When a storm simply stops, no event follows to carry the rest, so
 * the loader prints a summary once the cgroup has been quiet for a second;
 * the next event then carries counts the summary already gave, and must not
 * repeat them. Pure bookkeeping, unit-tested on its own.
 */
#ifndef PG_SUPPRESSION_H
#define PG_SUPPRESSION_H

#include <linux/types.h>

#define PG_SUPPRESSION_QUIET_NS 1000000000ull

struct suppression {
	__u64 reported;		/* of usage.events_suppressed, told so far */
	__u64 summarized;	/* told by a summary, not yet by an event */
	__u64 last_event_ns;	/* monotonic time of the last event */
};

/* An event arrived carrying `carried`; returns how many to show with it. */
__u64 suppression__on_event(struct suppression *s, __u64 carried, __u64 now_ns);

/*
 * Once a second, with the cgroup's usage.events_suppressed: returns how
 * many to report in a summary now (0: nothing, or not quiet yet).
 */
__u64 suppression__on_tick(struct suppression *s, __u64 total, __u64 now_ns);

#endif
